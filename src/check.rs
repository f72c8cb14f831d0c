//! One check run: walk, read and lint in parallel, then sort into a
//! [`Report`]. Per-file problems never stop the run: unreadable files become
//! skipped entries marked as errors (exit code 2 at the end).

use std::collections::HashSet;
use std::io::{self, Write};
use std::path::PathBuf;
use std::sync::Mutex;

use crate::document::{self, DocKind};
use crate::report::{FileReport, Report, Skipped};
use crate::rules::Linter;
use crate::settings::Settings;
use crate::source::{self, Loaded};
use crate::walk::{self, WalkEvent};

/// What the workers gather; sorted once they are done.
#[derive(Default)]
struct Collected {
    report: Report,
    /// Paths already handled (a file can be named twice, or named and walked).
    seen: HashSet<PathBuf>,
    /// Non-fatal warnings for stderr, `(path, message)`.
    warnings: Vec<(PathBuf, String)>,
}

/// Lints everything `settings.paths` names. Error and warning lines go to
/// `err` (after the walk, sorted, so they are stable too).
pub fn run(settings: &Settings, linter: &Linter, err: &mut dyn Write) -> io::Result<Report> {
    let collected = Mutex::new(Collected::default());
    walk::walk(&settings.paths, &settings.walk_options(), |event| {
        if let WalkEvent::File { path, .. } = &event {
            let mut c = collected.lock().unwrap_or_else(|p| p.into_inner());
            // `a.md` and `./a.md` are the same file.
            let key: PathBuf = path
                .components()
                .filter(|c| !matches!(c, std::path::Component::CurDir))
                .collect();
            if !c.seen.insert(key) {
                return;
            }
        }
        if let WalkEvent::Warning { path, message } = event {
            let mut c = collected.lock().unwrap_or_else(|p| p.into_inner());
            c.warnings.push((path, message));
            return;
        }
        let outcome = lint_one(event, linter, settings.max_file_size);
        let mut c = collected.lock().unwrap_or_else(|p| p.into_inner());
        match outcome {
            Outcome::Checked { file, warning } => {
                c.report.files_checked += 1;
                if let Some(w) = warning {
                    c.warnings.push((file.path.clone(), w));
                }
                if !file.findings.is_empty() {
                    c.report.files.push(file);
                }
            }
            Outcome::Skipped(s) => c.report.skipped.push(s),
        }
    });
    let Collected {
        mut report,
        mut warnings,
        ..
    } = collected.into_inner().unwrap_or_else(|p| p.into_inner());
    report.sort();
    warnings.sort();
    for s in report.skipped.iter().filter(|s| s.error) {
        writeln!(err, "beautylint: error: {}: {}", s.path.display(), s.reason)?;
    }
    for (path, w) in &warnings {
        writeln!(err, "beautylint: warning: {}: {w}", path.display())?;
    }
    Ok(report)
}

enum Outcome {
    Checked {
        file: FileReport,
        warning: Option<String>,
    },
    Skipped(Skipped),
}

fn lint_one(event: WalkEvent, linter: &Linter, max_size: u64) -> Outcome {
    let path = match event {
        WalkEvent::File { path, .. } => path,
        WalkEvent::Error { path, message } | WalkEvent::Warning { path, message } => {
            return Outcome::Skipped(Skipped {
                path,
                reason: message,
                error: true,
            })
        }
    };
    let text = match source::read(&path, max_size) {
        Ok(Loaded::Text(t)) => t,
        Ok(Loaded::Skipped(reason)) => {
            return Outcome::Skipped(Skipped {
                path,
                reason,
                error: false,
            })
        }
        Err(e) => {
            return Outcome::Skipped(Skipped {
                path,
                reason: e.to_string(),
                error: true,
            })
        }
    };
    let warning = match &text.legacy {
        None if text.invalid_bytes > 0 => Some(format!(
            "{} byte(s) are not valid UTF-8; each was read as U+001A (offsets unchanged)",
            text.invalid_bytes
        )),
        Some(l) if text.invalid_bytes > 0 => Some(format!(
            "{} byte(s) are not valid {}; each was read as U+FFFD",
            text.invalid_bytes, l.encoding
        )),
        _ => None,
    };
    let doc = document::parse(&text.text, DocKind::from_path(&path));
    let findings = linter.check(&doc);
    Outcome::Checked {
        file: FileReport {
            path,
            // Only files with findings keep their text.
            source: if findings.is_empty() {
                "".into()
            } else {
                text.text.into()
            },
            file_offsets: if findings.is_empty() {
                None
            } else {
                text.legacy.map(|l| l.offsets.into())
            },
            findings,
        },
        warning,
    }
}
