//! `--format gitlab`: a GitLab Code Quality report, a JSON array of issues:
//!
//! ```json
//! [{"description": "recommends at-home microneedling with derma roller",
//!   "check_name": "microneedling/home-use",
//!   "fingerprint": "84cfabd1ae6a14a0",
//!   "severity": "major",
//!   "location": {"path": "posts/a.md",
//!                "positions": {"begin": {"line": 7, "column": 11},
//!                              "end": {"line": 7, "column": 22}}}}]
//! ```
//!
//! Severities: error → `major`, warning → `minor`, info → `info`.
//! `fingerprint` is [`super::fingerprint`]: unique per finding and stable
//! when lines shift, so GitLab matches issues between the base and the merge
//! request. Columns count characters, 1-based.

use std::io::{self, Write};

use serde_json::{json, Value};

use super::{locate, path_string, Report, Reporter};
use crate::rules::Severity;
use crate::span::LineIndex;

/// `--format gitlab`.
#[derive(Debug, Clone, Copy)]
pub struct Gitlab;

fn severity(s: Severity) -> &'static str {
    match s {
        Severity::Error => "major",
        Severity::Warning => "minor",
        Severity::Info => "info",
    }
}

fn issues(report: &Report) -> Vec<Value> {
    let mut out = Vec::new();
    for file in &report.files {
        let src = file.source();
        let index = LineIndex::new(&src.text);
        let path = path_string(&file.path);
        for (f, fp) in file.findings.iter().zip(file.fingerprints_in(&src)) {
            let at = locate(&src.text, &index, f.span);
            out.push(json!({
                "type": "issue",
                "description": f.message,
                "check_name": f.rule,
                "fingerprint": fp,
                "severity": severity(f.severity),
                "location": {
                    "path": path,
                    "positions": {
                        "begin": {"line": at.start.line, "column": at.start.column},
                        "end": {"line": at.end.line, "column": at.end.column},
                    },
                },
            }));
        }
    }
    out
}

impl Reporter for Gitlab {
    fn report(&self, report: &Report, out: &mut dyn Write) -> io::Result<()> {
        serde_json::to_writer_pretty(&mut *out, &issues(report))?;
        out.write_all(b"\n")
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::sample;
    use super::*;

    #[test]
    fn code_quality_issues() {
        let mut out = Vec::new();
        Gitlab.report(&sample(), &mut out).unwrap();
        let v: Value = serde_json::from_slice(&out).unwrap();
        let a = v.as_array().unwrap();
        assert_eq!(a.len(), 2);
        assert_eq!(a[1]["check_name"], "microneedling/home-use");
        assert_eq!(a[1]["severity"], "major");
        assert_eq!(a[0]["severity"], "minor");
        assert_eq!(a[1]["description"], "recommends at-home microneedling");
        assert_eq!(a[1]["location"]["path"], "posts/a.md");
        assert_eq!(a[1]["location"]["positions"]["begin"]["line"], 2);
        assert_eq!(a[1]["location"]["positions"]["begin"]["column"], 10);
        assert_eq!(a[1]["location"]["positions"]["end"]["column"], 29);
        assert_ne!(a[0]["fingerprint"], a[1]["fingerprint"]);
        assert_eq!(a[1]["fingerprint"], sample().files[0].fingerprints()[1]);
    }
}
