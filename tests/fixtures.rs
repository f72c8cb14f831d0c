//! Snapshot test: the findings of every fixture article against a reviewed
//! expectations file `tests/snapshots/fixtures/<fixture path>.snap`.
//!
//! One line per finding:
//! `rule line:col-end_line:end_col "source text at the span"`, plus
//! ` missing=a,b` when the finding lists missing categories. Long texts are
//! cut at 120 characters and followed by a hash of the whole text, so a
//! change anywhere in the span still shows.
//!
//! `BLESS=1 cargo test --test fixtures` rewrites the snapshots (and removes
//! the ones whose fixture is gone). Review the diff against
//! `fixtures/EXPECTED.md` before committing; `tests/snapshots/REVIEW.md`
//! lists where the engine and the editor disagree.

mod common;

use std::fs;
use std::path::{Path, PathBuf};

use beautylint::rules::Finding;
use beautylint::span::LineIndex;

const MAX_CHARS: usize = 120;

/// FNV-1a, 64 bits: a stable hash for the snapshot (std's hasher is not
/// guaranteed stable across releases).
fn fnv1a(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// The source text of a span, escaped and cut to [`MAX_CHARS`].
fn quote(text: &str) -> String {
    if text.chars().count() <= MAX_CHARS {
        return format!("{text:?}");
    }
    let cut: String = text.chars().take(MAX_CHARS).collect();
    format!("{cut:?}… #{:016x}", fnv1a(text))
}

fn line(source: &str, index: &LineIndex, f: &Finding) -> String {
    let a = index.line_col(source, f.span.start);
    let b = index.line_col(source, f.span.end);
    let mut out = format!(
        "{} {}:{}-{}:{} {}",
        f.rule,
        a.line,
        a.column,
        b.line,
        b.column,
        quote(&source[f.span.range()])
    );
    let data = f.data.as_ref().map(|d| d.value());
    if let Some(missing) = data
        .as_ref()
        .and_then(|d| d.get("missing"))
        .and_then(|m| m.as_array())
    {
        let names: Vec<&str> = missing.iter().filter_map(|m| m.as_str()).collect();
        out.push_str(&format!(" missing={}", names.join(",")));
    }
    out
}

fn render(rel: &Path, source: &str, findings: &[Finding]) -> String {
    let index = LineIndex::new(source);
    let mut out = format!(
        "# beautylint findings for {} (BLESS=1 cargo test --test fixtures rewrites this file)\n",
        rel.display()
    );
    if findings.is_empty() {
        out.push_str("# clean\n");
    }
    for f in findings {
        out.push_str(&line(source, &index, f));
        out.push('\n');
    }
    out
}

fn snapshot_dir() -> PathBuf {
    common::root().join("tests/snapshots")
}

fn snapshot_path(rel: &Path) -> PathBuf {
    let mut name = rel.as_os_str().to_owned();
    name.push(".snap");
    snapshot_dir().join(name)
}

/// Every `.snap` file under `dir`.
fn snap_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for e in entries {
        let p = e.unwrap().path();
        if p.is_dir() {
            snap_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "snap") {
            out.push(p);
        }
    }
}

#[test]
fn fixture_snapshots() {
    let linter = common::linter();
    let bless = common::bless();
    let mut failures = Vec::new();
    let mut expected_snaps = Vec::new();
    for rel in common::fixture_paths() {
        let source = common::read_source(&rel);
        let (_, findings) = common::lint(&linter, &rel, &source);
        let actual = render(&rel, &source, &findings);
        let snap = snapshot_path(&rel);
        expected_snaps.push(snap.clone());
        let expected = fs::read_to_string(&snap).ok();
        if expected.as_deref() == Some(actual.as_str()) {
            continue;
        }
        if bless {
            fs::create_dir_all(snap.parent().unwrap()).unwrap();
            fs::write(&snap, &actual).unwrap();
            continue;
        }
        let diff = match &expected {
            None => format!("missing snapshot {}; actual:\n{actual}", snap.display()),
            Some(expected) => similar::TextDiff::from_lines(expected.as_str(), actual.as_str())
                .unified_diff()
                .header("expected (snapshot)", "actual")
                .to_string(),
        };
        failures.push(format!("── {} ──\n{diff}", rel.display()));
    }
    let mut existing = Vec::new();
    snap_files(&snapshot_dir().join("fixtures"), &mut existing);
    for stale in existing.iter().filter(|p| !expected_snaps.contains(p)) {
        if bless {
            fs::remove_file(stale).unwrap();
        } else {
            failures.push(format!(
                "── stale snapshot {} (its fixture is gone) ──",
                stale.display()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} fixture snapshot(s) differ; review and run `BLESS=1 cargo test --test fixtures` to accept:\n\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn quote_cuts_long_text_and_hashes_it() {
    let long = "a".repeat(130);
    let q = quote(&long);
    assert!(q.starts_with(&format!("\"{}\"…", "a".repeat(120))), "{q}");
    assert_ne!(q, quote(&"a".repeat(131)));
    assert_eq!(quote("say \"hi\"\r"), r#""say \"hi\"\r""#);
}
