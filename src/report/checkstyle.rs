//! `--format checkstyle`: Checkstyle XML, read by Jenkins (Warnings NG),
//! reviewdog (`-f=checkstyle`) and many CI dashboards:
//!
//! ```xml
//! <?xml version="1.0" encoding="UTF-8"?>
//! <checkstyle version="4.3">
//!   <file name="posts/a.md">
//!     <error line="7" column="11" severity="error" message="…" source="microneedling/home-use"/>
//!   </file>
//! </checkstyle>
//! ```
//!
//! One `<file>` per file with findings; severities are `error`, `warning`
//! and `info`; columns count characters, 1-based.

use std::io::{self, Write};

use super::{locate, path_string, xml_escape as esc, Report, Reporter};
use crate::span::LineIndex;

/// `--format checkstyle`.
#[derive(Debug, Clone, Copy)]
pub struct Checkstyle;

impl Reporter for Checkstyle {
    fn report(&self, report: &Report, out: &mut dyn Write) -> io::Result<()> {
        writeln!(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>")?;
        writeln!(out, "<checkstyle version=\"4.3\">")?;
        for file in &report.files {
            let src = file.source();
            let index = LineIndex::new(&src.text);
            writeln!(out, "  <file name=\"{}\">", esc(&path_string(&file.path)))?;
            for f in &file.findings {
                let at = locate(&src.text, &index, f.span);
                writeln!(
                    out,
                    "    <error line=\"{}\" column=\"{}\" severity=\"{}\" message=\"{}\" source=\"{}\"/>",
                    at.start.line,
                    at.start.column,
                    f.severity,
                    esc(&f.message),
                    esc(&f.rule)
                )?;
            }
            writeln!(out, "  </file>")?;
        }
        writeln!(out, "</checkstyle>")
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::sample;
    use super::*;

    #[test]
    fn files_and_errors() {
        let mut r = sample();
        r.files[0].findings[0].message = "a \"quoted\" <b>".into();
        let mut out = Vec::new();
        Checkstyle.report(&r, &mut out).unwrap();
        let x = String::from_utf8(out).unwrap();
        assert_eq!(
            x,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<checkstyle version=\"4.3\">\n  \
             <file name=\"posts/a.md\">\n    \
             <error line=\"1\" column=\"3\" severity=\"warning\" message=\"a &quot;quoted&quot; &lt;b&gt;\" source=\"contraindications/incomplete\"/>\n    \
             <error line=\"2\" column=\"10\" severity=\"error\" message=\"recommends at-home microneedling\" source=\"microneedling/home-use\"/>\n  \
             </file>\n</checkstyle>\n"
        );
    }
}
