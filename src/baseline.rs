//! Baselines: record today's findings (`check --write-baseline F`) and later
//! report only new ones (`check --baseline F`).
//!
//! A finding is keyed by a fingerprint of its rule id, its path, its source
//! text and the occurrence index of that text among the findings of that
//! rule in the file. Line numbers are not part of it, so a finding keeps its
//! fingerprint when lines are added above it.
//!
//! The file is JSON:
//!
//! ```json
//! {"version": 1, "entries": [{"rule": "microneedling/home-use", "path": "posts/a.md",
//!   "fingerprint": "9c1d…", "message": "… (for humans; not compared)"}]}
//! ```

use std::collections::HashSet;
use std::io;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::report::{FileReport, Report};

/// The baseline file format version.
pub const VERSION: u32 = 1;

/// A baseline file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    pub version: u32,
    pub entries: Vec<Entry>,
}

/// One recorded finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub rule: String,
    pub path: String,
    pub fingerprint: String,
    /// For humans reading the file; not compared.
    pub message: String,
}

/// A finding's fingerprint: the reports' scheme ([`crate::report::fingerprint`]),
/// so SARIF, GitLab and the baseline agree on what "the same finding" is.
pub use crate::report::fingerprint;

/// A path as written in a baseline (`/`-separated).
pub fn path_key(path: &Path) -> String {
    let s = path.to_string_lossy();
    if cfg!(windows) {
        s.replace('\\', "/")
    } else {
        s.into_owned()
    }
}

/// The fingerprints of a file's findings, in the findings' order.
pub fn fingerprints(file: &FileReport) -> Vec<String> {
    file.fingerprints()
}

impl Baseline {
    /// Every finding of a report.
    pub fn from_report(report: &Report) -> Baseline {
        let mut entries = Vec::new();
        for file in &report.files {
            for (f, fp) in file.findings.iter().zip(fingerprints(file)) {
                entries.push(Entry {
                    rule: f.rule.clone(),
                    path: path_key(&file.path),
                    fingerprint: fp,
                    message: f.message.clone(),
                });
            }
        }
        Baseline {
            version: VERSION,
            entries,
        }
    }

    /// Reads a baseline file; the error is a one-line reason.
    pub fn load(path: &Path) -> Result<Baseline, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read baseline {}: {e}", path.display()))?;
        let b: Baseline = serde_json::from_str(&text)
            .map_err(|e| format!("invalid baseline {}: {e}", path.display()))?;
        if b.version != VERSION {
            return Err(format!(
                "baseline {} has version {}; this beautylint reads version {VERSION}",
                path.display(),
                b.version
            ));
        }
        Ok(b)
    }

    /// Writes the baseline as pretty JSON.
    pub fn write(&self, path: &Path) -> io::Result<()> {
        let mut text = serde_json::to_string_pretty(self).map_err(io::Error::other)?;
        text.push('\n');
        std::fs::write(path, text)
    }

    /// Removes the findings recorded in the baseline from a report; returns
    /// how many were removed.
    pub fn filter(&self, report: &mut Report) -> usize {
        let known: HashSet<&str> = self
            .entries
            .iter()
            .map(|e| e.fingerprint.as_str())
            .collect();
        let mut removed = 0;
        for file in &mut report.files {
            let fps = fingerprints(file);
            let before = file.findings.len();
            let mut keep = fps.iter().map(|fp| !known.contains(fp.as_str()));
            file.findings.retain(|_| keep.next().unwrap_or(true));
            removed += before - file.findings.len();
        }
        report.files.retain(|f| !f.findings.is_empty());
        removed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_ignore_line_shifts_and_count_repeats() {
        let mut r = crate::report::test_support::sample();
        let before = fingerprints(&r.files[0]);
        assert_eq!(before.len(), 2);
        assert_ne!(before[0], before[1]);
        // Shift every span by a new first line.
        let file = &mut r.files[0];
        let shifted = format!("new line\n{}", file.source().text);
        file.held = Some(crate::report::Source::new(shifted));
        for f in &mut file.findings {
            f.span = crate::span::Span::new(f.span.start + 9, f.span.end + 9);
        }
        assert_eq!(fingerprints(&r.files[0]), before);
        assert_ne!(fingerprint("r", "p", "t", 0), fingerprint("r", "p", "t", 1));
        assert_ne!(fingerprint("r", "p", "t", 0), fingerprint("r", "q", "t", 0));
    }

    #[test]
    fn round_trip_and_filter() {
        let dir = tempfile::TempDir::new().unwrap();
        let path = dir.path().join("b.json");
        let mut r = crate::report::test_support::sample();
        let b = Baseline::from_report(&r);
        b.write(&path).unwrap();
        let loaded = Baseline::load(&path).unwrap();
        assert_eq!(loaded, b);
        assert_eq!(loaded.filter(&mut r), 2);
        assert!(r.files.is_empty());
        std::fs::write(&path, "{\"version\": 9, \"entries\": []}").unwrap();
        assert!(Baseline::load(&path).unwrap_err().contains("version 9"));
    }
}
