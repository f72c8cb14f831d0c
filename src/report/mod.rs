//! Output formats. Every format is one [`Reporter`] in its own module, chosen
//! from [`Format`] in one place ([`Format::reporter`]).
//!
//! To add a format: write `src/report/<name>.rs` with a type implementing
//! [`Reporter`], add a variant (with a doc comment: it becomes the `--help`
//! text) to [`Format`], and one arm to [`Format::reporter`].
//!
//! This is the only layer that knows about lines, columns, colour or format
//! names; findings carry byte spans only.

use std::io::{self, Write};
use std::path::PathBuf;
use std::sync::Arc;

use clap::ValueEnum;

use crate::rules::{Finding, Severity};

pub mod human;
pub mod json;

/// `--format`: how findings are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Code frames with the finding's spans and labels, then a summary line.
    Human,
    /// One JSON document: findings and a summary (documented in `report::json`).
    Json,
    /// JSON Lines: one finding per line, then a `{"summary": …}` line.
    Jsonl,
}

impl Format {
    /// The reporter for this format. The one place formats are mapped.
    pub fn reporter(self, opts: &ReportOptions) -> Box<dyn Reporter> {
        match self {
            Format::Human => Box::new(human::Human::new(opts)),
            Format::Json => Box::new(json::Json { lines: false }),
            Format::Jsonl => Box::new(json::Json { lines: true }),
        }
    }
}

/// Presentation options a reporter may use.
#[derive(Debug, Clone, Copy, Default)]
pub struct ReportOptions {
    /// Colour the output (already resolved from `--color`, the terminal and `NO_COLOR`).
    pub color: bool,
    /// Only the summary (formats for humans; machine formats stay complete).
    pub quiet: bool,
}

/// Prints a whole run.
pub trait Reporter {
    fn report(&self, report: &Report, out: &mut dyn Write) -> io::Result<()>;
}

/// One file with findings.
#[derive(Debug, Clone)]
pub struct FileReport {
    /// The path as walked (relative when the input was relative).
    pub path: PathBuf,
    /// The file's text; byte offsets equal the file's (see `crate::source`).
    pub source: Arc<str>,
    /// Sorted by span start, then rule id.
    pub findings: Vec<Finding>,
    /// For a file decoded from a legacy charset (`crate::source::Legacy`):
    /// the file offset of each byte of `source`, plus its end. Findings'
    /// spans are then offsets into `source`, and machine formats map them
    /// through this to the file's bytes. `None`: `source` offsets are the file's.
    pub file_offsets: Option<Arc<[usize]>>,
}

impl FileReport {
    /// A span of `source` as file byte offsets.
    pub fn file_span(&self, span: crate::span::Span) -> crate::span::Span {
        match &self.file_offsets {
            Some(o) => {
                let at = |i: usize| o[i.min(o.len() - 1)];
                crate::span::Span::new(at(span.start), at(span.end))
            }
            None => span,
        }
    }
}

/// A file that was not linted.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Skipped {
    pub path: PathBuf,
    pub reason: String,
    /// An I/O or walk error (exit code 2), not a deliberate skip (binary, too large…).
    pub error: bool,
}

/// Everything a run found, in a stable order.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// Files with at least one finding, sorted by path.
    pub files: Vec<FileReport>,
    /// Files read and linted.
    pub files_checked: usize,
    /// Files not linted, sorted by path.
    pub skipped: Vec<Skipped>,
}

/// Finding counts by severity.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
}

impl Report {
    /// Puts files, findings and skips in their stable order: path, then span
    /// start, then rule id (then the rest of the span and the message, so
    /// the order never depends on thread timing).
    pub fn sort(&mut self) {
        self.files.retain(|f| !f.findings.is_empty());
        self.files.sort_by(|a, b| a.path.cmp(&b.path));
        for f in &mut self.files {
            f.findings.sort_by(|a, b| {
                (a.span.start, &a.rule, a.span.end, &a.message).cmp(&(
                    b.span.start,
                    &b.rule,
                    b.span.end,
                    &b.message,
                ))
            });
        }
        self.skipped.sort();
    }

    pub fn counts(&self) -> Counts {
        let mut c = Counts::default();
        for f in self.findings() {
            match f.1.severity {
                Severity::Error => c.errors += 1,
                Severity::Warning => c.warnings += 1,
                Severity::Info => c.infos += 1,
            }
        }
        c
    }

    /// Every finding with its file, in order.
    pub fn findings(&self) -> impl Iterator<Item = (&FileReport, &Finding)> {
        self.files
            .iter()
            .flat_map(|f| f.findings.iter().map(move |x| (f, x)))
    }

    /// Findings at or above a severity.
    pub fn count_at_least(&self, severity: Severity) -> usize {
        self.findings()
            .filter(|(_, f)| f.severity >= severity)
            .count()
    }

    /// Whether some file or path could not be read (exit code 2).
    pub fn errored(&self) -> bool {
        self.skipped.iter().any(|s| s.error)
    }
}

/// Clamps a span to the source and to char boundaries, so a buggy rule
/// never makes a report panic or fail.
pub(crate) fn clamp_span(source: &str, span: crate::span::Span) -> crate::span::Span {
    let mut start = span.start.min(source.len());
    let mut end = span.end.clamp(start, source.len());
    while !source.is_char_boundary(start) {
        start -= 1;
    }
    while !source.is_char_boundary(end) {
        end += 1;
    }
    crate::span::Span::new(start, end)
}

#[cfg(test)]
pub(crate) mod test_support {
    use super::*;
    use crate::rules::Label;
    use crate::span::Span;

    /// A small report over a source with a multibyte char and CRLF.
    pub fn sample() -> Report {
        let source = "# Café\r\nRoll the dermaroller at home.\r\nAvoid it if pregnant.\n";
        let start = source.find("dermaroller at home").unwrap();
        let dev = source.find("dermaroller").unwrap();
        let finding = Finding {
            rule: "microneedling/home-use".into(),
            severity: Severity::Error,
            message: "recommends at-home microneedling".into(),
            span: Span::new(start, start + "dermaroller at home".len()),
            labels: vec![Label {
                span: Span::new(dev, dev + "dermaroller".len()),
                message: "device".into(),
            }],
            help: Some("Recommend a professional treatment instead.".into()),
            data: None,
        };
        let cafe = source.find("Café").unwrap();
        let warn = Finding {
            rule: "contraindications/incomplete".into(),
            severity: Severity::Warning,
            message: "missing contraindications".into(),
            span: Span::new(cafe, cafe + "Café".len()),
            labels: vec![],
            help: None,
            data: Some(serde_json::json!({"missing": ["active-acne"]})),
        };
        let mut r = Report {
            files: vec![FileReport {
                path: "posts/a.md".into(),
                source: source.into(),
                findings: vec![finding, warn],
                file_offsets: None,
            }],
            files_checked: 2,
            skipped: vec![Skipped {
                path: "posts/b.bin".into(),
                reason: "binary file".into(),
                error: false,
            }],
        };
        r.sort();
        r
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sort_orders_by_start_then_rule() {
        let r = test_support::sample();
        let rules: Vec<_> = r.findings().map(|(_, f)| f.rule.as_str()).collect();
        assert_eq!(
            rules,
            ["contraindications/incomplete", "microneedling/home-use"]
        );
        assert_eq!(
            r.counts(),
            Counts {
                errors: 1,
                warnings: 1,
                infos: 0
            }
        );
        assert_eq!(r.count_at_least(Severity::Error), 1);
        assert_eq!(r.count_at_least(Severity::Info), 2);
    }

    #[test]
    fn clamp_keeps_char_boundaries() {
        let s = "é";
        assert_eq!(clamp_span(s, crate::span::Span::new(1, 9)), (0..2).into());
    }
}
