//! The human format: a miette code frame per finding (rule id as the code,
//! the primary span and the labels, the help), then one summary line.

use std::fmt;
use std::io::{self, Write};
use std::sync::Arc;

use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceCode,
};

use super::{clamp_span, Report, ReportOptions, Reporter};
use crate::rules::{Finding, Severity};

/// `--format human`.
pub struct Human {
    handler: GraphicalReportHandler,
    quiet: bool,
    color: bool,
}

impl Human {
    pub fn new(opts: &ReportOptions) -> Human {
        let theme = if opts.color {
            GraphicalTheme::unicode()
        } else {
            GraphicalTheme::unicode_nocolor()
        };
        Human {
            handler: GraphicalReportHandler::new_themed(theme).with_links(false),
            quiet: opts.quiet,
            color: opts.color,
        }
    }
}

/// A finding seen as a miette diagnostic over its file.
struct FindingDiagnostic<'a> {
    finding: &'a Finding,
    source: &'a NamedSource<Arc<str>>,
    text: &'a str,
}

impl fmt::Debug for FindingDiagnostic<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.finding, f)
    }
}

impl fmt::Display for FindingDiagnostic<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.finding.message)
    }
}

impl std::error::Error for FindingDiagnostic<'_> {}

impl Diagnostic for FindingDiagnostic<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(&self.finding.rule))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.finding.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Info => miette::Severity::Advice,
        })
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.finding
            .help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let primary =
            LabeledSpan::new_primary_with_span(None, clamp_span(self.text, self.finding.span));
        let rest = self.finding.labels.iter().map(|l| {
            LabeledSpan::new_with_span(Some(l.message.clone()), clamp_span(self.text, l.span))
        });
        Some(Box::new(std::iter::once(primary).chain(rest)))
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// `N errors, M warnings in K files (F files checked)`, plus infos and
/// skipped files when there are any.
pub fn summary_line(report: &Report) -> String {
    let c = report.counts();
    let mut s = format!(
        "{}, {}",
        plural(c.errors, "error", "errors"),
        plural(c.warnings, "warning", "warnings")
    );
    if c.infos > 0 {
        s += &format!(", {}", plural(c.infos, "info", "infos"));
    }
    let with = report
        .files
        .iter()
        .filter(|f| !f.findings.is_empty())
        .count();
    s += &format!(
        " in {} ({} checked",
        plural(with, "file", "files"),
        plural(report.files_checked, "file", "files")
    );
    if !report.skipped.is_empty() {
        s += &format!(", {} skipped", report.skipped.len());
    }
    s.push(')');
    s
}

impl Reporter for Human {
    fn report(&self, report: &Report, out: &mut dyn Write) -> io::Result<()> {
        if !self.quiet {
            for file in &report.files {
                let src = file.source();
                let named = NamedSource::new(file.path.to_string_lossy(), src.text.clone());
                for finding in &file.findings {
                    let diag = FindingDiagnostic {
                        finding,
                        source: &named,
                        text: &src.text,
                    };
                    let mut s = String::new();
                    if self.handler.render_report(&mut s, &diag).is_err() {
                        // Never lose a finding because a frame failed to render.
                        s = format!(
                            "{}: {} [{}] at bytes {}..{}\n",
                            file.path.display(),
                            finding.message,
                            finding.rule,
                            finding.span.start,
                            finding.span.end
                        );
                    }
                    out.write_all(s.as_bytes())?;
                    out.write_all(b"\n")?;
                }
            }
            // Read errors were already reported on stderr.
            for s in report.skipped.iter().filter(|s| !s.error) {
                writeln!(out, "skipped {}: {}", s.path.display(), s.reason)?;
            }
        }
        if self.color {
            writeln!(out, "\x1b[1m{}\x1b[0m", summary_line(report))
        } else {
            writeln!(out, "{}", summary_line(report))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::sample;
    use super::*;

    fn render(opts: ReportOptions) -> String {
        let mut out = Vec::new();
        Human::new(&opts).report(&sample(), &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn shows_rule_frame_and_summary() {
        let s = render(ReportOptions::default());
        assert!(s.contains("microneedling/home-use"), "{s}");
        assert!(s.contains("recommends at-home microneedling"), "{s}");
        assert!(s.contains("posts/a.md:2:10"), "{s}");
        assert!(s.contains("device"), "{s}");
        assert!(
            s.contains("Recommend a professional treatment instead."),
            "{s}"
        );
        assert!(!s.contains('\x1b'), "no colour asked: {s}");
        assert!(
            s.ends_with("1 error, 1 warning in 1 file (2 files checked, 1 skipped)\n"),
            "{s}"
        );
    }

    #[test]
    fn quiet_prints_only_the_summary() {
        let s = render(ReportOptions {
            quiet: true,
            ..Default::default()
        });
        assert_eq!(
            s,
            "1 error, 1 warning in 1 file (2 files checked, 1 skipped)\n"
        );
    }

    #[test]
    fn colour_when_asked() {
        let s = render(ReportOptions {
            color: true,
            ..Default::default()
        });
        assert!(s.contains('\x1b'));
    }

    #[test]
    fn summary_pluralises() {
        let r = Report {
            files_checked: 1,
            ..Default::default()
        };
        assert_eq!(
            summary_line(&r),
            "0 errors, 0 warnings in 0 files (1 file checked)"
        );
    }
}
