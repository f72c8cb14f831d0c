//! `--format github`: GitHub Actions workflow commands, which the runner
//! turns into annotations on the pull request's diff:
//!
//! ```text
//! ::error file=posts/a.md,line=7,endLine=7,col=11,endColumn=22,title=microneedling/home-use::recommends at-home microneedling
//! ```
//!
//! Severities map to `::error`, `::warning` and `::notice`. Columns count
//! characters, 1-based; `endColumn` is just past the end. Values are escaped
//! as the Actions toolkit does (`%`, CR, LF; in properties also `:` and `,`).
//! A file that could not be read is an `::error` annotation on that file.
//!
//! GitHub shows at most 10 annotations of each type per step, so with a
//! step summary file (`$GITHUB_STEP_SUMMARY`, passed in by the caller) a
//! Markdown table of every finding is also appended to it.

use std::fs::OpenOptions;
use std::io::{self, Write};
use std::path::PathBuf;

use super::human::summary_line;
use super::{locate, path_string, Report, Reporter};
use crate::rules::Severity;
use crate::span::LineIndex;

/// `--format github`.
#[derive(Debug, Clone, Default)]
pub struct Github {
    /// Append a Markdown table of all findings here.
    pub step_summary: Option<PathBuf>,
}

/// Escapes a command's message (the toolkit's `escapeData`).
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a command property value (the toolkit's `escapeProperty`).
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

fn command(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "notice",
    }
}

/// Escapes a Markdown table cell: no line breaks, no `|`, no inline markup
/// or HTML.
fn md_cell(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\r' | '\n' => out.push(' '),
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '#' | '~' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// The step-summary Markdown for a run.
pub fn step_summary_markdown(report: &Report) -> String {
    let mut s = format!("## beautylint\n\n{}\n\n", summary_line(report));
    if report.files.is_empty() {
        return s;
    }
    s.push_str("| Severity | Location | Rule | Message |\n|---|---|---|---|\n");
    for file in &report.files {
        let src = file.source();
        let index = LineIndex::new(&src.text);
        for f in &file.findings {
            let at = locate(&src.text, &index, f.span);
            s += &format!(
                "| {} | {}:{}:{} | {} | {} |\n",
                f.severity,
                md_cell(&path_string(&file.path)),
                at.start.line,
                at.start.column,
                md_cell(&f.rule),
                md_cell(&f.message)
            );
        }
    }
    s.push('\n');
    s
}

impl Reporter for Github {
    fn report(&self, report: &Report, out: &mut dyn Write) -> io::Result<()> {
        for file in &report.files {
            let src = file.source();
            let index = LineIndex::new(&src.text);
            let path = escape_property(&path_string(&file.path));
            for f in &file.findings {
                let at = locate(&src.text, &index, f.span);
                let mut message = f.message.clone();
                if let Some(help) = &f.help {
                    message = format!("{message}\n\nhelp: {help}");
                }
                writeln!(
                    out,
                    "::{} file={path},line={},endLine={},col={},endColumn={},title={}::{}",
                    command(f.severity),
                    at.start.line,
                    at.end.line,
                    at.start.column,
                    at.end.column,
                    escape_property(&f.rule),
                    escape_data(&message)
                )?;
            }
        }
        for s in report.skipped.iter().filter(|s| s.error) {
            writeln!(
                out,
                "::error file={},title=beautylint::{}",
                escape_property(&path_string(&s.path)),
                escape_data(&format!("not checked: {}", s.reason))
            )?;
        }
        if let Some(path) = &self.step_summary {
            OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
                .and_then(|mut f| f.write_all(step_summary_markdown(report).as_bytes()))
                .map_err(|e| {
                    io::Error::new(e.kind(), format!("step summary {}: {e}", path.display()))
                })?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::sample;
    use super::*;

    #[test]
    fn escapes_like_the_actions_toolkit() {
        assert_eq!(escape_data("50%\r\na:b,c"), "50%25%0D%0Aa:b,c");
        assert_eq!(escape_property("50%\na:b,c"), "50%25%0Aa%3Ab%2Cc");
    }

    #[test]
    fn one_command_per_finding() {
        let mut out = Vec::new();
        Github::default().report(&sample(), &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<_> = text.lines().collect();
        assert_eq!(lines.len(), 2, "{text}");
        assert_eq!(
            lines[0],
            "::warning file=posts/a.md,line=1,endLine=1,col=3,endColumn=7,\
             title=contraindications/incomplete::missing contraindications"
        );
        assert_eq!(
            lines[1],
            "::error file=posts/a.md,line=2,endLine=2,col=10,endColumn=29,\
             title=microneedling/home-use::recommends at-home microneedling\
             %0A%0Ahelp: Recommend a professional treatment instead."
        );
    }

    #[test]
    fn appends_a_markdown_table_to_the_step_summary() {
        let dir = tempfile::TempDir::new().unwrap();
        let path = dir.path().join("summary.md");
        std::fs::write(&path, "earlier step\n").unwrap();
        let gh = Github {
            step_summary: Some(path.clone()),
        };
        gh.report(&sample(), &mut Vec::new()).unwrap();
        let md = std::fs::read_to_string(&path).unwrap();
        assert!(md.starts_with("earlier step\n## beautylint\n"), "{md}");
        assert!(
            md.contains("| Severity | Location | Rule | Message |"),
            "{md}"
        );
        assert!(
            md.contains(
                "| error | posts/a.md:2:10 | microneedling/home-use | \
                 recommends at-home microneedling |\n"
            ),
            "{md}"
        );
        assert_eq!(md.matches("\n| warning |").count(), 1, "{md}");
    }

    #[test]
    fn markdown_cells_cannot_break_the_table() {
        assert_eq!(md_cell("a|b\n<i>"), "a\\|b &lt;i&gt;");
    }
}
