//! `--format concise`: one line per finding and nothing else on stdout,
//!
//! ```text
//! posts/a.md:7:11: error [microneedling/home-use] recommends at-home microneedling with derma roller
//! ```
//!
//! `path:line:col:` is what Vim's default `errorformat` (`%f:%l:%c:%m`),
//! Emacs compile-mode and `grep -n`-style tools expect; the severity word
//! after it lets Emacs tell errors from warnings and infos. Columns count
//! Unicode characters, 1-based. The summary line is not part of this format:
//! the CLI prints it on stderr.

use std::io::{self, Write};

use super::{locate, path_string, Report, Reporter};
use crate::span::LineIndex;

/// `--format concise`.
#[derive(Debug, Clone, Copy)]
pub struct Concise;

impl Reporter for Concise {
    fn report(&self, report: &Report, out: &mut dyn Write) -> io::Result<()> {
        for file in &report.files {
            let src = file.source();
            let index = LineIndex::new(&src.text);
            let path = path_string(&file.path);
            for f in &file.findings {
                let at = locate(&src.text, &index, f.span);
                // A message is one line by contract; keep it so even if a
                // pack breaks that.
                let message = f.message.replace(['\r', '\n'], " ");
                writeln!(
                    out,
                    "{path}:{}:{}: {} [{}] {message}",
                    at.start.line, at.start.column, f.severity, f.rule
                )?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::sample;
    use super::*;

    #[test]
    fn one_line_per_finding_and_nothing_else() {
        let mut out = Vec::new();
        Concise.report(&sample(), &mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "posts/a.md:1:3: warning [contraindications/incomplete] missing contraindications\n\
             posts/a.md:2:10: error [microneedling/home-use] recommends at-home microneedling\n"
        );
    }
}
