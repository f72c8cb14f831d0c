//! Shared helpers of the fixture, span, sentence and contraindication tests.
#![allow(dead_code)] // each test binary uses a different subset

use std::fs;
use std::path::{Path, PathBuf};

use beautylint::document::{self, DocKind, Document};
use beautylint::pack::Pack;
use beautylint::rules::{Finding, LintOptions, Linter};

/// The crate root.
pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// `true` when the run should rewrite expectation files instead of
/// comparing against them.
pub fn bless() -> bool {
    std::env::var_os("BLESS").is_some_and(|v| !v.is_empty() && v != "0")
}

/// Every fixture article, as paths relative to the crate root
/// (`fixtures/md/x.md`), sorted. Only the `md`, `html` and `txt`
/// subdirectories hold articles; `fixtures/EXPECTED.md` is not one.
pub fn fixture_paths() -> Vec<PathBuf> {
    let mut out = Vec::new();
    for sub in ["md", "html", "txt"] {
        let dir = Path::new("fixtures").join(sub);
        for entry in fs::read_dir(root().join(&dir)).expect("fixtures directory") {
            let entry = entry.unwrap();
            if entry.file_type().unwrap().is_file() {
                out.push(dir.join(entry.file_name()));
            }
        }
    }
    out.sort();
    assert!(!out.is_empty(), "no fixtures found");
    out
}

/// Reads a fixture as the binary does (byte offsets equal the file's).
pub fn read_source(rel: &Path) -> String {
    match beautylint::source::read(&root().join(rel), u64::MAX).unwrap() {
        beautylint::source::Loaded::Text(t) => t.text,
        beautylint::source::Loaded::Skipped(why) => panic!("{}: skipped: {why}", rel.display()),
    }
}

/// The built-in linter with default options.
pub fn linter() -> Linter {
    Linter::new(Pack::builtin(), LintOptions::default()).expect("built-in pack loads")
}

/// Parses `source` as the kind its path implies and lints it.
pub fn lint(linter: &Linter, rel: &Path, source: &str) -> (Document, Vec<Finding>) {
    let doc = document::parse(source, DocKind::from_path(rel));
    let findings = linter.check(&doc);
    (doc, findings)
}

/// 1-based line and column (in Unicode scalar values; a leading BOM is not
/// a column) of a byte offset, computed naively, independently of
/// `beautylint::span::LineIndex`.
pub fn line_col(source: &str, offset: usize) -> (usize, usize) {
    let before = &source[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let mut column = source[line_start..offset].chars().count() + 1;
    if line == 1 && source.starts_with('\u{feff}') && offset > 0 {
        column -= 1;
    }
    (line, column)
}

/// A known-failures list: one id per line, `#` starts a comment.
pub struct KnownFailures {
    pub path: PathBuf,
    pub ids: Vec<String>,
}

impl KnownFailures {
    pub fn load(rel: &str) -> KnownFailures {
        let path = root().join(rel);
        let text = fs::read_to_string(&path).unwrap_or_default();
        let ids = text
            .lines()
            .map(|l| l.split('#').next().unwrap().trim())
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect();
        KnownFailures { path, ids }
    }

    pub fn contains(&self, id: &str) -> bool {
        self.ids.iter().any(|k| k == id)
    }

    /// Rewrites the list (under `BLESS=1`): `header`, then one
    /// `id  # reason` line per failure.
    pub fn write(&self, header: &str, failures: &[(String, String)]) {
        let mut out = String::from(header);
        for (id, why) in failures {
            let why = why.replace('\n', " ");
            out.push_str(&format!("{id}  # {why}\n"));
        }
        fs::write(&self.path, out).unwrap();
    }
}

/// Compares results with a known-failures list and returns the problems
/// (empty when the test passes). `results` is `(id, None)` for a pass and
/// `(id, Some(description))` for a failure.
pub fn check_known_failures(
    known: &KnownFailures,
    results: &[(String, Option<String>)],
    min_pass_rate: f64,
    header: &str,
) -> Vec<String> {
    let failures: Vec<(String, String)> = results
        .iter()
        .filter_map(|(id, f)| f.clone().map(|f| (id.clone(), f)))
        .collect();
    if bless() {
        known.write(header, &failures);
        return Vec::new();
    }
    let mut problems = Vec::new();
    let passed = results.len() - failures.len();
    let rate = passed as f64 / results.len() as f64;
    let summary = format!(
        "{passed}/{} pass ({:.1}%), threshold {:.1}%",
        results.len(),
        rate * 100.0,
        min_pass_rate * 100.0
    );
    if rate < min_pass_rate {
        problems.push(format!("pass rate below threshold: {summary}"));
    }
    for (id, why) in &failures {
        if !known.contains(id) {
            problems.push(format!("NEW FAILURE {id}: {why}"));
        }
    }
    for id in &known.ids {
        match results.iter().find(|(r, _)| r == id) {
            None => problems.push(format!(
                "{id} is listed in {} but there is no such case",
                known.path.display()
            )),
            Some((_, None)) => problems.push(format!(
                "{id} now passes: remove it from {} (or run with BLESS=1)",
                known.path.display()
            )),
            Some(_) => {}
        }
    }
    if !problems.is_empty() {
        problems.insert(0, summary);
        problems.push(format!(
            "all current failures:\n{}",
            failures
                .iter()
                .map(|(id, w)| format!("  {id}: {w}"))
                .collect::<Vec<_>>()
                .join("\n")
        ));
    }
    problems
}

/// Runs the `beautylint` binary in `dir`, without the environment variables
/// that would change its output (colour, GitHub step summary, cache folder).
pub fn run_bin(dir: &Path, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_beautylint"))
        .current_dir(dir)
        .env_remove("GITHUB_STEP_SUMMARY")
        .env_remove("NO_COLOR")
        .env_remove("BEAUTYLINT_CACHE_DIR")
        .args(args)
        .output()
        .unwrap()
}

/// A run's stdout, which must be UTF-8.
pub fn stdout(o: &std::process::Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

/// A run's stderr, lossily.
pub fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Notes "`rule` missed" or "`rule` false alarm" in `wrong` when whether
/// `microneedling/<rule>` is among `findings` is not `want`.
pub fn expect_rule(wrong: &mut Vec<String>, findings: &[Finding], rule: &str, want: bool) {
    let fired = findings
        .iter()
        .any(|f| f.rule == format!("microneedling/{rule}"));
    if fired != want {
        wrong.push(format!(
            "{rule} {}",
            if want { "missed" } else { "false alarm" }
        ));
    }
}
