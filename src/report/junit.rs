//! `--format junit`: JUnit XML for CI test-report views.
//!
//! One `<testsuite>` per file, named by its path. Each finding (warnings and
//! infos included) is a `<testcase>` named `rule at line:col` with a
//! `<failure>` whose `type` is the severity. A file checked without findings
//! is a suite with one passing testcase; a file that could not be read has
//! an `<error>`, a file skipped on purpose (binary, too large) a `<skipped>`.
//!
//! ```xml
//! <testsuites name="beautylint" tests="3" failures="1" errors="0" skipped="0">
//!   <testsuite name="posts/a.md" tests="1" failures="1" errors="0" skipped="0">
//!     <testcase name="microneedling/home-use at 7:11" classname="posts/a.md" file="posts/a.md" line="7">
//!       <failure type="error" message="recommends at-home microneedling">posts/a.md:7:11: …</failure>
//!     </testcase>
//!   </testsuite>
//! </testsuites>
//! ```

use std::io::{self, Write};

use super::{locate, path_string, xml_escape as esc, Report, Reporter};
use crate::span::LineIndex;

/// `--format junit`.
#[derive(Debug, Clone, Copy)]
pub struct Junit;

/// The body of a suite and its counts.
#[derive(Default)]
struct Suite {
    body: String,
    tests: usize,
    failures: usize,
    errors: usize,
    skipped: usize,
}

fn write_suite(out: &mut dyn Write, name: &str, s: &Suite) -> io::Result<()> {
    writeln!(
        out,
        "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\">",
        esc(name),
        s.tests,
        s.failures,
        s.errors,
        s.skipped
    )?;
    out.write_all(s.body.as_bytes())?;
    writeln!(out, "  </testsuite>")
}

impl Reporter for Junit {
    fn report(&self, report: &Report, out: &mut dyn Write) -> io::Result<()> {
        let mut suites: Vec<(String, Suite)> = Vec::new();
        for file in &report.files {
            let src = file.source();
            let index = LineIndex::new(&src.text);
            let path = path_string(&file.path);
            let mut suite = Suite::default();
            for f in &file.findings {
                let at = locate(&src.text, &index, f.span);
                let mut detail = format!(
                    "{path}:{}:{}: {} [{}] {}",
                    at.start.line, at.start.column, f.severity, f.rule, f.message
                );
                if let Some(help) = &f.help {
                    detail += &format!("\nhelp: {help}");
                }
                suite.body += &format!(
                    "    <testcase name=\"{} at {}:{}\" classname=\"{}\" file=\"{}\" line=\"{}\">\n      \
                     <failure type=\"{}\" message=\"{}\">{}</failure>\n    </testcase>\n",
                    esc(&f.rule),
                    at.start.line,
                    at.start.column,
                    esc(&path),
                    esc(&path),
                    at.start.line,
                    f.severity,
                    esc(&f.message),
                    esc(&detail)
                );
                suite.tests += 1;
                suite.failures += 1;
            }
            suites.push((path, suite));
        }
        for path in &report.clean {
            let path = path_string(path);
            let body = format!(
                "    <testcase name=\"beautylint\" classname=\"{0}\" file=\"{0}\"/>\n",
                esc(&path)
            );
            let suite = Suite {
                body,
                tests: 1,
                ..Suite::default()
            };
            suites.push((path, suite));
        }
        for s in &report.skipped {
            let path = path_string(&s.path);
            let (tag, mut suite) = if s.error {
                let suite = Suite {
                    errors: 1,
                    ..Suite::default()
                };
                ("error", suite)
            } else {
                let suite = Suite {
                    skipped: 1,
                    ..Suite::default()
                };
                ("skipped", suite)
            };
            suite.tests = 1;
            suite.body = format!(
                "    <testcase name=\"beautylint\" classname=\"{0}\" file=\"{0}\">\n      \
                 <{tag} message=\"{1}\"/>\n    </testcase>\n",
                esc(&path),
                esc(&s.reason)
            );
            suites.push((path, suite));
        }
        suites.sort_by(|a, b| a.0.cmp(&b.0));

        let total = |f: fn(&Suite) -> usize| suites.iter().map(|(_, s)| f(s)).sum::<usize>();
        writeln!(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>")?;
        writeln!(
            out,
            "<testsuites name=\"beautylint\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\">",
            total(|s| s.tests),
            total(|s| s.failures),
            total(|s| s.errors),
            total(|s| s.skipped)
        )?;
        for (name, suite) in &suites {
            write_suite(out, name, suite)?;
        }
        writeln!(out, "</testsuites>")
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::sample;
    use super::*;

    #[test]
    fn suites_per_file_and_escaped_failures() {
        let mut r = sample();
        r.files[0].findings[1].message = "uses <roller> & \"needles\"".into();
        let mut out = Vec::new();
        Junit.report(&r, &mut out).unwrap();
        let x = String::from_utf8(out).unwrap();
        assert!(
            x.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"),
            "{x}"
        );
        assert!(
            x.contains("<testsuites name=\"beautylint\" tests=\"4\" failures=\"2\" errors=\"0\" skipped=\"1\">"),
            "{x}"
        );
        assert!(
            x.contains("<testsuite name=\"posts/a.md\" tests=\"2\" failures=\"2\" errors=\"0\" skipped=\"0\">"),
            "{x}"
        );
        assert!(
            x.contains("message=\"uses &lt;roller&gt; &amp; &quot;needles&quot;\""),
            "{x}"
        );
        assert!(x.contains("<failure type=\"warning\""), "{x}");
        assert!(x.contains("name=\"microneedling/home-use at 2:10\""), "{x}");
        assert!(
            x.contains("<testsuite name=\"posts/clean.md\" tests=\"1\" failures=\"0\""),
            "{x}"
        );
        assert!(x.contains("<skipped message=\"binary file\"/>"), "{x}");
        assert!(!x.contains("<roller>"), "{x}");
        assert!(x.trim_end().ends_with("</testsuites>"));
    }
}
