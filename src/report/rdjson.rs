//! `--format rdjson`: reviewdog's Diagnostic Format, one JSON document
//! (`reviewdog -f=rdjson`):
//!
//! ```json
//! {"source": {"name": "beautylint"},
//!  "severity": "ERROR",
//!  "diagnostics": [{
//!     "message": "recommends at-home microneedling with derma roller",
//!     "location": {"path": "posts/a.md",
//!                  "range": {"start": {"line": 7, "column": 11}, "end": {"line": 7, "column": 22}}},
//!     "severity": "ERROR",
//!     "code": {"value": "microneedling/home-use"},
//!     "related_locations": [{"message": "device", "location": {…}}]}]}
//! ```
//!
//! Unlike every other beautylint format, columns count **UTF-8 bytes**
//! (1-based; `end` is just past the last byte), as rdjson requires. Severities
//! are `ERROR`, `WARNING`, `INFO`; the top-level `severity` is the highest one
//! found. `source.url` is the crate's repository when `Cargo.toml` names one.

use std::io::{self, Write};

use serde_json::{json, Value};

use super::sarif::information_uri;
use super::{clamp_span, path_string, Report, Reporter};
use crate::rules::Severity;
use crate::span::{LineIndex, Span};

/// `--format rdjson`.
#[derive(Debug, Clone, Copy)]
pub struct Rdjson;

fn severity(s: Severity) -> &'static str {
    match s {
        Severity::Error => "ERROR",
        Severity::Warning => "WARNING",
        Severity::Info => "INFO",
    }
}

/// 1-based line and 1-based byte column of an offset.
fn byte_position(index: &LineIndex, offset: usize) -> Value {
    // The last line start at or before `offset`.
    let (mut lo, mut hi) = (1, index.line_count());
    while lo < hi {
        let mid = (lo + hi).div_ceil(2);
        if index.line_start(mid).is_some_and(|s| s <= offset) {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    let start = index.line_start(lo).unwrap_or(0);
    json!({"line": lo, "column": offset - start + 1})
}

fn location(path: &str, source: &str, index: &LineIndex, span: Span) -> Value {
    let span = clamp_span(source, span);
    json!({
        "path": path,
        "range": {
            "start": byte_position(index, span.start),
            "end": byte_position(index, span.end),
        },
    })
}

/// The whole rdjson document.
pub fn rdjson(report: &Report) -> Value {
    let mut diagnostics = Vec::new();
    let mut worst = Severity::Info;
    for file in &report.files {
        let src = file.source();
        let index = LineIndex::new(&src.text);
        let path = path_string(&file.path);
        for f in &file.findings {
            worst = worst.max(f.severity);
            let mut d = json!({
                "message": f.message,
                "location": location(&path, &src.text, &index, f.span),
                "severity": severity(f.severity),
                "code": {"value": f.rule},
            });
            if !f.labels.is_empty() {
                d["related_locations"] = f
                    .labels
                    .iter()
                    .map(|l| {
                        json!({
                            "message": l.message,
                            "location": location(&path, &src.text, &index, l.span),
                        })
                    })
                    .collect();
            }
            diagnostics.push(d);
        }
    }
    let mut source = json!({"name": "beautylint"});
    if let Some(u) = information_uri() {
        source["url"] = json!(u);
    }
    json!({
        "source": source,
        "severity": severity(worst),
        "diagnostics": diagnostics,
    })
}

impl Reporter for Rdjson {
    fn report(&self, report: &Report, out: &mut dyn Write) -> io::Result<()> {
        serde_json::to_writer(&mut *out, &rdjson(report))?;
        out.write_all(b"\n")
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::sample;
    use super::super::FileReport;
    use super::*;
    use crate::rules::Finding;

    #[test]
    fn diagnostics_with_byte_columns() {
        let v = rdjson(&sample());
        assert_eq!(v["source"]["name"], "beautylint");
        assert_eq!(v["severity"], "ERROR");
        let d = v["diagnostics"].as_array().unwrap();
        assert_eq!(d.len(), 2);
        assert_eq!(d[1]["code"]["value"], "microneedling/home-use");
        assert_eq!(d[1]["severity"], "ERROR");
        assert_eq!(d[0]["severity"], "WARNING");
        assert_eq!(d[1]["location"]["path"], "posts/a.md");
        assert_eq!(
            d[1]["location"]["range"]["start"],
            json!({"line": 2, "column": 10})
        );
        assert_eq!(d[1]["related_locations"][0]["message"], "device");
        // "Café" is 4 characters but 5 bytes: the end column counts bytes.
        assert_eq!(
            d[0]["location"]["range"]["start"],
            json!({"line": 1, "column": 3})
        );
        assert_eq!(
            d[0]["location"]["range"]["end"],
            json!({"line": 1, "column": 8})
        );
    }

    #[test]
    fn multibyte_text_before_the_span_counts_in_bytes() {
        let source = "intro\nÉté — roll it nightly\n";
        let start = source.find("roll").unwrap();
        let report = Report {
            files: vec![FileReport::held(
                "a.txt",
                crate::report::Source::new(source),
                vec![Finding {
                    rule: "r/x".into(),
                    severity: Severity::Info,
                    message: "m".into(),
                    span: Span::new(start, start + 4),
                    labels: vec![],
                    help: None,
                    data: None,
                }],
            )],
            ..Report::default()
        };
        let v = rdjson(&report);
        let range = &v["diagnostics"][0]["location"]["range"];
        // "Été — " is 6 characters, 10 bytes (É, é: 2 each; —: 3).
        assert_eq!(range["start"], json!({"line": 2, "column": 11}));
        assert_eq!(range["end"], json!({"line": 2, "column": 15}));
        assert_eq!(v["severity"], "INFO");
    }
}
