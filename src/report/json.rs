//! The JSON and JSON Lines formats: beautylint's machine-readable contract.
//!
//! # `--format json`
//!
//! One JSON document on stdout, always valid, even when some files could not
//! be read (those are also reported on stderr):
//!
//! ```json
//! {"version": 1,
//!  "tool": {"name": "beautylint", "version": "0.1.0"},
//!  "findings": [{
//!     "rule": "microneedling/home-use",
//!     "severity": "error",
//!     "message": "…",
//!     "path": "posts/a.md",
//!     "span": {"start": 120, "end": 188, "line": 7, "column": 1, "end_line": 7, "end_column": 69},
//!     "text": "…",
//!     "labels": [{"span": {…same shape…}, "message": "device"}],
//!     "help": "…",
//!     "data": {…}}],
//!  "summary": {"files_checked": 12, "files_with_findings": 3,
//!              "errors": 3, "warnings": 1, "infos": 0,
//!              "skipped": [{"path": "…", "reason": "…"}]}}
//! ```
//!
//! Field by field:
//!
//! - `version` (integer): the version of this format, `1`. Fields may be
//!   added without changing it; a removal or change of meaning bumps it.
//! - `tool.name` (string): always `"beautylint"`. `tool.version` (string):
//!   the crate version that produced the report.
//! - `findings` (array): every finding, sorted by `path`, then `span.start`,
//!   then `rule`. Each finding has:
//!   - `rule` (string): the rule id, `pack/name`.
//!   - `severity` (string): `"error"`, `"warning"` or `"info"`.
//!   - `message` (string): one line for a human.
//!   - `path` (string): the file as walked; relative when the input path was
//!     relative. Non-UTF-8 path bytes are replaced by U+FFFD.
//!   - `span` (object), the primary span:
//!     - `start`, `end` (integers): byte offsets into the file as it is on
//!       disk, half-open `[start, end)`. A BOM counts as 3 bytes.
//!     - `line`, `column` (integers): 1-based position of `start`.
//!     - `end_line`, `end_column` (integers): 1-based position of `end`
//!       (just past the last character).
//!     - Columns count Unicode scalar values (not bytes, not UTF-16 units);
//!       `\r\n` is one line break; a leading BOM is not a column.
//!   - `text` (string): the file's text at `[start, end)`. Bytes that are not
//!     valid UTF-8 appear as U+001A, one per byte.
//!   - `labels` (array): secondary spans explaining the finding, each
//!     `{"span": {…same shape as span…}, "message": string}`.
//!   - `help` (string or null): how to fix it.
//!   - `data` (object or null): rule-specific details, e.g.
//!     `{"missing": ["pregnancy"]}`.
//! - `summary` (object):
//!   - `files_checked` (integer): files read and linted.
//!   - `files_with_findings` (integer): files with at least one finding.
//!   - `errors`, `warnings`, `infos` (integers): findings by severity.
//!   - `skipped` (array): files not linted, sorted by path, each
//!     `{"path": string, "reason": string}`: binary, too large, UTF-16, or an
//!     I/O error such as permission denied (I/O errors make the exit code 2).
//!
//! # `--format jsonl`
//!
//! JSON Lines: one finding object per line (the same shape as an element of
//! `findings`), then a last line `{"summary": {…}}` with the same summary.

use std::io::{self, Write};

use serde::Serialize;

use super::{clamp_span, Counts, FileReport, Report, Reporter, Skipped, Source};
use crate::rules::Finding;
use crate::span::{LineIndex, Span};

/// The version of the JSON format (see the module docs).
pub const FORMAT_VERSION: u32 = 1;

/// `--format json` (`lines: false`) and `--format jsonl` (`lines: true`).
#[derive(Debug, Clone, Copy)]
pub struct Json {
    pub lines: bool,
}

#[derive(Serialize)]
struct Document<'a> {
    version: u32,
    tool: Tool,
    findings: Findings<'a>,
    summary: Summary<'a>,
}

/// Every finding, serialized one file at a time: a large report is never
/// held as a tree.
struct Findings<'a>(&'a Report);

impl Serialize for Findings<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.files.iter().flat_map(file_findings))
    }
}

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    rule: &'a str,
    severity: &'static str,
    message: &'a str,
    path: String,
    span: JsonSpan,
    text: String,
    labels: Vec<JsonLabel<'a>>,
    help: Option<&'a str>,
    data: Option<&'a crate::rules::Data>,
}

#[derive(Serialize, Debug, PartialEq, Eq)]
struct JsonSpan {
    start: usize,
    end: usize,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
}

#[derive(Serialize)]
struct JsonLabel<'a> {
    span: JsonSpan,
    message: &'a str,
}

#[derive(Serialize)]
struct Summary<'a> {
    files_checked: usize,
    files_with_findings: usize,
    errors: usize,
    warnings: usize,
    infos: usize,
    skipped: Vec<JsonSkipped<'a>>,
}

#[derive(Serialize)]
struct JsonSkipped<'a> {
    path: String,
    reason: &'a str,
}

#[derive(Serialize)]
struct SummaryLine<'a> {
    summary: Summary<'a>,
}

/// Line and column from the decoded `source`; `start`/`end` are file bytes.
fn json_span(src: &Source, index: &LineIndex, span: Span) -> JsonSpan {
    let source: &str = &src.text;
    let start = index.line_col(source, span.start);
    let end = index.line_col(source, span.end);
    let bytes = src.file_span(span);
    JsonSpan {
        start: bytes.start,
        end: bytes.end,
        line: start.line,
        column: start.column,
        end_line: end.line,
        end_column: end.column,
    }
}

fn file_findings(file: &FileReport) -> Vec<JsonFinding<'_>> {
    let src = file.source();
    let index = LineIndex::new(&src.text);
    file.findings
        .iter()
        .map(|f| finding(file, &src, &index, f))
        .collect()
}

fn finding<'a>(
    file: &'a FileReport,
    src: &Source,
    index: &LineIndex,
    f: &'a Finding,
) -> JsonFinding<'a> {
    let source: &str = &src.text;
    let span = clamp_span(source, f.span);
    JsonFinding {
        rule: &f.rule,
        severity: f.severity.as_str(),
        message: &f.message,
        path: file.path.to_string_lossy().into_owned(),
        span: json_span(src, index, span),
        text: source[span.range()].to_string(),
        labels: f
            .labels
            .iter()
            .map(|l| JsonLabel {
                span: json_span(src, index, clamp_span(source, l.span)),
                message: &l.message,
            })
            .collect(),
        help: f.help.as_deref(),
        data: f.data.as_ref(),
    }
}

fn summary(report: &Report) -> Summary<'_> {
    let with_findings = report
        .files
        .iter()
        .filter(|f| !f.findings.is_empty())
        .count();
    summary_of(
        report.files_checked,
        with_findings,
        report.counts(),
        &report.skipped,
    )
}

fn summary_of(
    files_checked: usize,
    files_with_findings: usize,
    c: Counts,
    skipped: &[Skipped],
) -> Summary<'_> {
    Summary {
        files_checked,
        files_with_findings,
        errors: c.errors,
        warnings: c.warnings,
        infos: c.infos,
        skipped: skipped
            .iter()
            .map(|s| JsonSkipped {
                path: s.path.to_string_lossy().into_owned(),
                reason: &s.reason,
            })
            .collect(),
    }
}

/// `--format json` and `jsonl` written as a run goes, one file at a time
/// (files must come in report order): the same bytes [`Json`] writes for
/// the whole [`Report`].
#[derive(Debug)]
/// One file's findings as [`JsonStream`] writes them: comma-separated
/// objects (JSON) or one line each (JSON Lines).
pub struct Rendered {
    bytes: Vec<u8>,
    counts: Counts,
}

impl Rendered {
    /// Renders a file with at least one finding.
    pub fn of(file: &FileReport, lines: bool) -> io::Result<Rendered> {
        let mut bytes = Vec::new();
        let mut counts = Counts::default();
        for (i, f) in file_findings(file).iter().enumerate() {
            match f.severity {
                "error" => counts.errors += 1,
                "warning" => counts.warnings += 1,
                _ => counts.infos += 1,
            }
            if !lines && i > 0 {
                bytes.push(b',');
            }
            serde_json::to_writer(&mut bytes, f)?;
            if lines {
                bytes.push(b'\n');
            }
        }
        Ok(Rendered { bytes, counts })
    }
}

pub struct JsonStream {
    lines: bool,
    any: bool,
    files_checked: usize,
    files_with_findings: usize,
    counts: Counts,
    skipped: Vec<Skipped>,
}

impl JsonStream {
    /// Starts the document.
    pub fn begin(lines: bool, out: &mut dyn Write) -> io::Result<JsonStream> {
        if !lines {
            write!(out, "{{\"version\":{FORMAT_VERSION},\"tool\":")?;
            let tool = Tool {
                name: "beautylint",
                version: env!("CARGO_PKG_VERSION"),
            };
            serde_json::to_writer(&mut *out, &tool)?;
            out.write_all(b",\"findings\":[")?;
        }
        Ok(JsonStream {
            lines,
            any: false,
            files_checked: 0,
            files_with_findings: 0,
            counts: Counts::default(),
            skipped: Vec::new(),
        })
    }

    /// A linted file and its findings (none for a clean file).
    pub fn file(&mut self, file: &FileReport, out: &mut dyn Write) -> io::Result<()> {
        if file.findings.is_empty() {
            self.clean();
            return Ok(());
        }
        self.rendered(&Rendered::of(file, self.lines)?, out)
    }

    /// A linted file with findings, rendered by [`Rendered::of`] (which a
    /// worker thread can do while this one writes).
    pub fn rendered(&mut self, file: &Rendered, out: &mut dyn Write) -> io::Result<()> {
        self.files_checked += 1;
        self.files_with_findings += 1;
        self.counts.errors += file.counts.errors;
        self.counts.warnings += file.counts.warnings;
        self.counts.infos += file.counts.infos;
        if !self.lines && self.any {
            out.write_all(b",")?;
        }
        out.write_all(&file.bytes)?;
        self.any = true;
        Ok(())
    }

    /// A clean file.
    pub fn clean(&mut self) {
        self.files_checked += 1;
    }

    /// A file that was not linted.
    pub fn skipped(&mut self, s: Skipped) {
        self.skipped.push(s);
    }

    /// Ends the document with the summary.
    pub fn finish(mut self, out: &mut dyn Write) -> io::Result<()> {
        self.skipped.sort();
        let summary = summary_of(
            self.files_checked,
            self.files_with_findings,
            self.counts,
            &self.skipped,
        );
        if self.lines {
            serde_json::to_writer(&mut *out, &SummaryLine { summary })?;
        } else {
            out.write_all(b"],\"summary\":")?;
            serde_json::to_writer(&mut *out, &summary)?;
            out.write_all(b"}")?;
        }
        out.write_all(b"\n")
    }
}

impl Reporter for Json {
    fn report(&self, report: &Report, out: &mut dyn Write) -> io::Result<()> {
        if self.lines {
            for file in &report.files {
                for f in file_findings(file) {
                    serde_json::to_writer(&mut *out, &f)?;
                    out.write_all(b"\n")?;
                }
            }
            let line = SummaryLine {
                summary: summary(report),
            };
            serde_json::to_writer(&mut *out, &line)?;
        } else {
            let doc = Document {
                version: FORMAT_VERSION,
                tool: Tool {
                    name: "beautylint",
                    version: env!("CARGO_PKG_VERSION"),
                },
                findings: Findings(report),
                summary: summary(report),
            };
            serde_json::to_writer(&mut *out, &doc)?;
        }
        out.write_all(b"\n")
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::sample;
    use super::*;
    use serde_json::Value;

    fn render(lines: bool) -> String {
        let mut out = Vec::new();
        Json { lines }.report(&sample(), &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn json_shape_and_positions() {
        let v: Value = serde_json::from_str(&render(false)).unwrap();
        assert_eq!(v["version"], 1);
        assert_eq!(v["tool"]["name"], "beautylint");
        let f = &v["findings"];
        // Sorted: the heading warning (start 2) before the error.
        assert_eq!(f[0]["rule"], "contraindications/incomplete");
        assert_eq!(f[0]["text"], "Café");
        assert_eq!(f[0]["span"]["column"], 3);
        // "Café" is 4 chars, 5 bytes: end column counts chars.
        assert_eq!(f[0]["span"]["end_column"], 7);
        assert_eq!(
            f[0]["span"]["end"].as_u64().unwrap() - f[0]["span"]["start"].as_u64().unwrap(),
            5
        );
        assert_eq!(f[0]["data"]["missing"][0], "active-acne");
        assert_eq!(f[0]["help"], Value::Null);

        let e = &f[1];
        assert_eq!(e["path"], "posts/a.md");
        assert_eq!(e["text"], "dermaroller at home");
        // Line 2 after a CRLF; "Roll the " is 9 chars.
        assert_eq!(e["span"]["line"], 2);
        assert_eq!(e["span"]["column"], 10);
        assert_eq!(e["span"]["end_line"], 2);
        assert_eq!(e["span"]["end_column"], 29);
        assert_eq!(e["span"]["start"], 18);
        assert_eq!(e["labels"][0]["message"], "device");
        assert_eq!(e["labels"][0]["span"]["end_column"], 21);
        assert_eq!(e["data"], Value::Null);

        let s = &v["summary"];
        assert_eq!(s["files_checked"], 2);
        assert_eq!(s["files_with_findings"], 1);
        assert_eq!(s["errors"], 1);
        assert_eq!(s["warnings"], 1);
        assert_eq!(s["infos"], 0);
        assert_eq!(s["skipped"][0]["reason"], "binary file");
    }

    #[test]
    fn jsonl_is_findings_then_summary() {
        let text = render(true);
        let lines: Vec<Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len(), 3);
        assert_eq!(lines[1]["rule"], "microneedling/home-use");
        assert_eq!(lines[2]["summary"]["errors"], 1);
    }
}
