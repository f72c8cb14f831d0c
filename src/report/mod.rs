//! Output formats. Every format is one [`Reporter`] in its own module, chosen
//! from [`Format`] in one place ([`Format::reporter`]).
//!
//! To add a format: write `src/report/<name>.rs` with a type implementing
//! [`Reporter`], add a variant (with a doc comment: it becomes the `--help`
//! text) to [`Format`], and one arm to [`Format::reporter`].
//!
//! This is the only layer that knows about lines, columns, colour or format
//! names; findings carry byte spans only.

use std::borrow::Cow;
use std::cmp::Ordering;
use std::collections::HashMap;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use clap::ValueEnum;

use crate::rules::{Finding, RuleMeta, Severity};
use crate::span::{LineCol, LineIndex, Span};

pub mod checkstyle;
pub mod concise;
pub mod github;
pub mod gitlab;
pub mod human;
pub mod json;
pub mod junit;
pub mod rdjson;
pub mod sarif;
pub mod statistics;

/// `--format`: how findings are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Code frames with the finding's spans and labels, then a summary line.
    Human,
    /// One JSON document: findings and a summary (documented in `report::json`).
    Json,
    /// JSON Lines: one finding per line, then a `{"summary": …}` line.
    Jsonl,
    /// One line per finding, `path:line:col: severity [rule] message`, for
    /// editors (Vim quickfix, Emacs compile-mode) and grep; the summary goes
    /// to stderr.
    Concise,
    /// SARIF 2.1.0 (GitHub code scanning, IDE SARIF viewers).
    Sarif,
    /// GitHub Actions workflow commands (`::error file=…::…`); with
    /// `--step-summary` (default: $GITHUB_STEP_SUMMARY) also a Markdown table.
    Github,
    /// GitLab Code Quality report (a JSON array).
    Gitlab,
    /// JUnit XML: one testsuite per file, one failing testcase per finding.
    Junit,
    /// reviewdog Diagnostic Format (rdjson); columns in UTF-8 bytes.
    Rdjson,
    /// Checkstyle XML.
    Checkstyle,
}

impl Format {
    /// The reporter for this format. The one place formats are mapped.
    pub fn reporter(self, opts: &ReportOptions) -> Box<dyn Reporter> {
        match self {
            Format::Human => Box::new(human::Human::new(opts)),
            Format::Json => Box::new(json::Json { lines: false }),
            Format::Jsonl => Box::new(json::Json { lines: true }),
            Format::Concise => Box::new(concise::Concise),
            Format::Sarif => Box::new(sarif::Sarif),
            Format::Github => Box::new(github::Github {
                step_summary: opts.step_summary.clone(),
            }),
            Format::Gitlab => Box::new(gitlab::Gitlab),
            Format::Junit => Box::new(junit::Junit),
            Format::Rdjson => Box::new(rdjson::Rdjson),
            Format::Checkstyle => Box::new(checkstyle::Checkstyle),
        }
    }
}

/// Presentation options a reporter may use.
#[derive(Debug, Clone, Default)]
pub struct ReportOptions {
    /// Colour the output (already resolved from `--color`, the terminal and `NO_COLOR`).
    pub color: bool,
    /// Only the summary (formats for humans; machine formats stay complete).
    pub quiet: bool,
    /// `--format github`: also append a Markdown table of every finding to
    /// this file (GitHub's `$GITHUB_STEP_SUMMARY`, resolved by the caller).
    pub step_summary: Option<PathBuf>,
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
    /// Sorted by span start, then rule id.
    pub findings: Vec<Finding>,
    /// The text the findings were found in, when it is kept in memory
    /// (standard input, which cannot be read twice). `None`: the file is
    /// read again from `path` when a report is written, so a run over a
    /// large tree holds findings, not documents.
    pub held: Option<Source>,
}

/// A checked file's decoded text, as reporters need it.
#[derive(Debug, Clone)]
pub struct Source {
    /// Byte offsets equal the file's (see `crate::source`), unless
    /// `file_offsets` says otherwise.
    pub text: Arc<str>,
    /// For a file decoded from a legacy charset (`crate::source::Legacy`):
    /// the file offset of each byte of `text`, plus its end. Findings'
    /// spans are then offsets into `text`, and machine formats map them
    /// through this to the file's bytes. `None`: `text` offsets are the file's.
    pub file_offsets: Option<Arc<[usize]>>,
}

impl Source {
    pub fn new(text: impl Into<Arc<str>>) -> Source {
        Source {
            text: text.into(),
            file_offsets: None,
        }
    }

    /// A span of `text` as file byte offsets.
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

impl FileReport {
    /// A report whose text is kept in memory.
    pub fn held(path: impl Into<PathBuf>, source: Source, findings: Vec<Finding>) -> FileReport {
        FileReport {
            path: path.into(),
            findings,
            held: Some(source),
        }
    }

    /// The file's text: the kept one, or the file read and decoded again
    /// exactly as it was for checking. Should the file have gone or changed
    /// since, a warning says so and spans are clamped to what is there.
    pub fn source(&self) -> Source {
        if let Some(s) = &self.held {
            return s.clone();
        }
        match crate::source::read(&self.path, u64::MAX) {
            Ok(crate::source::Loaded::Text(t)) => Source {
                text: t.text.into(),
                file_offsets: t.legacy.map(|l| l.offsets.into()),
            },
            Ok(crate::source::Loaded::Skipped(reason)) => {
                warn_unreadable(&self.path, &reason);
                Source::new("")
            }
            Err(e) => {
                warn_unreadable(&self.path, &e.to_string());
                Source::new("")
            }
        }
    }
}

// Reporters write to stdout or a file; this rare warning has no other way out.
#[allow(clippy::print_stderr)]
fn warn_unreadable(path: &Path, why: &str) {
    eprintln!(
        "beautylint: warning: {}: changed since it was checked, its findings' positions may be wrong ({why})",
        path.display()
    );
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
    /// Files read and linted that had no finding, sorted by path (JUnit
    /// lists them as passing tests).
    pub clean: Vec<PathBuf>,
    /// The rules that ran, in pack order (SARIF `rules[]`, `--statistics`).
    pub rules: Vec<RuleMeta>,
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
        crate::walk::sort_by_path(&mut self.files, |f| &f.path, |_, _| Ordering::Equal);
        for f in &mut self.files {
            sort_findings(&mut f.findings);
        }
        self.skipped.sort();
        crate::walk::sort_by_path(&mut self.clean, |p| p, |_, _| Ordering::Equal);
    }

    /// The metadata of a rule that ran, by id.
    pub fn rule(&self, id: &str) -> Option<&RuleMeta> {
        self.rules.iter().find(|r| r.id == id)
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

/// A file's findings in report order: by start, rule, end, message.
pub fn sort_findings(findings: &mut [Finding]) {
    findings.sort_by(|a, b| {
        (a.span.start, &a.rule, a.span.end, &a.message).cmp(&(
            b.span.start,
            &b.rule,
            b.span.end,
            &b.message,
        ))
    });
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

/// A stable fingerprint for one finding, shared by SARIF
/// (`partialFingerprints`), GitLab Code Quality (`fingerprint`) and the
/// baseline. [`FileReport::fingerprints`] computes it for every finding of a
/// file.
///
/// It hashes four fields and nothing else:
/// - `rule`: the rule id;
/// - `path`: the file as reported, with `/` separators (see [`path_string`]);
/// - `text`: the finding's source text (`&source[span]`); runs of whitespace
///   are collapsed to one space and the ends trimmed here, so re-wrapping a
///   paragraph or switching CRLF/LF keeps the fingerprint;
/// - `occurrence`: how many earlier findings in the same file have the same
///   rule and the same (normalised) text, 0 for the first. It keeps two
///   identical findings in one file apart.
///
/// Line and column numbers are left out on purpose: editing text above a
/// finding moves it but keeps its fingerprint. Editing the flagged text, or
/// renaming the file, gives a new one.
///
/// The hash is 64-bit FNV-1a (a fixed, public algorithm: the value can never
/// change with a dependency upgrade) over the four fields, each preceded by
/// its length as 8 little-endian bytes so field boundaries cannot shift. It is
/// written as 16 lowercase hex digits. 64 bits is plenty for telling one
/// project's findings apart (a collision among 100 000 findings has odds
/// below one in a billion); it is not a cryptographic hash and need not be.
pub fn fingerprint(rule: &str, path: &str, text: &str, occurrence: usize) -> String {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    fn eat(mut h: u64, bytes: &[u8]) -> u64 {
        for &b in bytes {
            h = (h ^ u64::from(b)).wrapping_mul(PRIME);
        }
        h
    }
    let text = normalize_text(text);
    let occurrence = (occurrence as u64).to_le_bytes();
    let mut h = OFFSET;
    for field in [
        rule.as_bytes(),
        path.as_bytes(),
        text.as_bytes(),
        &occurrence,
    ] {
        h = eat(h, &(field.len() as u64).to_le_bytes());
        h = eat(h, field);
    }
    format!("{h:016x}")
}

/// Whitespace runs to one space, ends trimmed.
fn normalize_text(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A path as reports write it: lossy UTF-8, `/` as the separator on every
/// platform.
pub fn path_string(path: &Path) -> String {
    let s = path.to_string_lossy();
    if std::path::MAIN_SEPARATOR == '/' {
        s.into_owned()
    } else {
        s.replace(std::path::MAIN_SEPARATOR, "/")
    }
}

impl FileReport {
    /// The [`fingerprint`] of each finding, in the order of `findings`.
    pub fn fingerprints(&self) -> Vec<String> {
        self.fingerprints_in(&self.source())
    }

    /// [`Self::fingerprints`] with the file's text already at hand.
    pub fn fingerprints_in(&self, source: &Source) -> Vec<String> {
        let source = &source.text;
        let path = path_string(&self.path);
        let mut seen: HashMap<(&str, String), usize> = HashMap::new();
        self.findings
            .iter()
            .map(|f| {
                let text = &source[clamp_span(source, f.span).range()];
                let n = seen.entry((&f.rule, normalize_text(text))).or_insert(0);
                let fp = fingerprint(&f.rule, &path, text, *n);
                *n += 1;
                fp
            })
            .collect()
    }
}

/// A span with its 1-based start and end positions (columns in chars).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Located {
    pub span: Span,
    pub start: LineCol,
    pub end: LineCol,
}

/// Clamps `span` and computes its line/column positions.
pub(crate) fn locate(source: &str, index: &LineIndex, span: Span) -> Located {
    let span = clamp_span(source, span);
    Located {
        span,
        start: index.line_col(source, span.start),
        end: index.line_col(source, span.end),
    }
}

/// Escapes text for XML 1.0 element content and attribute values: the five
/// markup characters, and tab/CR/LF as character references (so attribute
/// values keep them). Characters XML 1.0 forbids (other C0 controls, such as
/// the U+001A that stands for a byte that is not UTF-8) become U+FFFD.
pub(crate) fn xml_escape(s: &str) -> Cow<'_, str> {
    let special = |c: char| {
        matches!(c, '&' | '<' | '>' | '"' | '\'' | '\t' | '\n' | '\r')
            || (c < ' ')
            || matches!(c, '\u{fffe}' | '\u{ffff}')
    };
    if !s.contains(special) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' => out.push_str("&#9;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            c if c < ' ' || matches!(c, '\u{fffe}' | '\u{ffff}') => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
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
            data: Some(crate::rules::Data::new(
                &serde_json::json!({"missing": ["active-acne"]}),
            )),
        };
        let mut r = Report {
            files: vec![FileReport::held(
                "posts/a.md",
                Source::new(source),
                vec![finding, warn],
            )],
            files_checked: 2,
            skipped: vec![Skipped {
                path: "posts/b.bin".into(),
                reason: "binary file".into(),
                error: false,
            }],
            clean: vec!["posts/clean.md".into()],
            rules: vec![
                RuleMeta {
                    id: "microneedling/home-use".into(),
                    severity: Severity::Error,
                    summary: "Recommends microneedling at home.".into(),
                    docs: "## What it does\nFlags *home* use.\n".into(),
                    help: Some("Recommend a professional.".into()),
                },
                RuleMeta {
                    id: "contraindications/incomplete".into(),
                    severity: Severity::Warning,
                    summary: "Misses some contraindications.".into(),
                    docs: String::new(),
                    help: None,
                },
            ],
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
    fn fingerprint_ignores_position_and_whitespace_but_not_text() {
        let a = fingerprint("r/x", "a.md", "roll  it\r\nat home", 0);
        assert_eq!(a.len(), 16);
        assert_eq!(a, fingerprint("r/x", "a.md", "roll it at home", 0));
        assert_ne!(a, fingerprint("r/x", "a.md", "roll it at home", 1));
        assert_ne!(a, fingerprint("r/y", "a.md", "roll it at home", 0));
        assert_ne!(a, fingerprint("r/x", "b.md", "roll it at home", 0));
        assert_ne!(a, fingerprint("r/x", "a.md", "roll it at home!", 0));
        // Length prefixes: moving a boundary between fields changes the hash.
        assert_ne!(fingerprint("ab", "c", "", 0), fingerprint("a", "bc", "", 0));
        // Pinned (checked against an independent FNV-1a): the value is part
        // of the SARIF/GitLab/baseline contract.
        assert_eq!(fingerprint("", "", "", 0), fingerprint("", "", " ", 0));
        assert_eq!(fingerprint("r/x", "a.md", "t", 0), "84cfabd1ae6a14a0");
    }

    #[test]
    fn a_walked_files_text_is_read_again_for_the_report() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.html");
        // Windows-1252 "é" (0xE9) in a page that declares it: decoded again,
        // with the map back to file bytes.
        std::fs::write(
            &path,
            b"<meta charset=\"windows-1252\"><p>caf\xe9 roller</p>",
        )
        .unwrap();
        let file = FileReport {
            path: path.clone(),
            findings: Vec::new(),
            held: None,
        };
        let src = file.source();
        let at = src.text.find("roller").unwrap();
        assert!(src.text.contains("café roller"));
        let in_file = src.file_span(Span::new(at, at + 6));
        assert_eq!(&std::fs::read(&path).unwrap()[in_file.range()], b"roller");
        // Gone since it was checked: an empty text, no panic.
        std::fs::remove_file(&path).unwrap();
        assert_eq!(&*file.source().text, "");
    }

    #[test]
    fn fingerprints_survive_line_shifts_and_count_repeats() {
        let file = |source: &str| {
            let mut findings = Vec::new();
            for (i, _) in source.match_indices("roller") {
                findings.push(Finding {
                    rule: "r/x".into(),
                    severity: Severity::Error,
                    message: "m".into(),
                    span: Span::new(i, i + 6),
                    labels: vec![],
                    help: None,
                    data: None,
                });
            }
            FileReport::held("p/a.md", Source::new(source), findings)
        };
        let before = file("roller one\nroller two\n").fingerprints();
        let after = file("# New heading\n\nroller one\nroller two\n").fingerprints();
        assert_eq!(before.len(), 2);
        assert_ne!(before[0], before[1], "repeats are told apart");
        assert_eq!(before, after, "lines moved, fingerprints did not");
    }

    #[test]
    fn xml_escape_covers_markup_newlines_and_forbidden_chars() {
        assert_eq!(xml_escape("plain"), "plain");
        assert_eq!(
            xml_escape("a<b>&\"c'\nd\u{1a}"),
            "a&lt;b&gt;&amp;&quot;c&apos;&#10;d\u{fffd}"
        );
    }

    #[test]
    fn clamp_keeps_char_boundaries() {
        let s = "é";
        assert_eq!(clamp_span(s, crate::span::Span::new(1, 9)), (0..2).into());
    }
}
