//! Whole-article cases (`tests/data/articles/`): 108 articles written for this
//! project in the forms real pages take (blog how-tos, forum threads, shop
//! and clinic pages, magazine pieces, captions, hard negatives), each with a
//! label in `labels.jsonl` in the format of `../shared/eval`:
//! - `microneedling/home-use` fires iff `recommends_home_rolling`;
//! - `microneedling/missing-contraindications` fires iff
//!   `discusses_microneedling` and `contraindications_present` is empty.
//!
//! Articles that fail today are listed in
//! `tests/data/articles.known-failures.txt`: every unlisted article must
//! pass, every listed one must still fail, and the pass rate must stay at or
//! above [`MIN_PASS_RATE`]. `BLESS=1 cargo test --test articles` rewrites the
//! list.

mod common;

use std::path::Path;

use serde::Deserialize;

const DIR: &str = "tests/data/articles";
const KNOWN: &str = "tests/data/articles.known-failures.txt";
/// Floor on the share of passing articles; raise it as the engine improves.
const MIN_PASS_RATE: f64 = 0.9;
const HEADER: &str = "\
# Articles of tests/data/articles/ that fail today (tests/articles.rs).
# Remove a line once it passes; `BLESS=1 cargo test --test articles` rewrites this file.
";

#[derive(Deserialize)]
struct Label {
    file: String,
    recommends_home_rolling: bool,
    discusses_microneedling: bool,
    contraindications_present: Vec<String>,
}

#[test]
fn article_labels() {
    let root = common::root().join(DIR);
    let labels = std::fs::read_to_string(root.join("labels.jsonl")).unwrap();
    let linter = common::linter();
    let mut results = Vec::new();
    for (i, line) in labels.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let label: Label = serde_json::from_str(line)
            .unwrap_or_else(|e| panic!("{DIR}/labels.jsonl:{}: {e}", i + 1));
        let source = std::fs::read_to_string(root.join("docs").join(&label.file))
            .unwrap_or_else(|e| panic!("{}: {e}", label.file));
        let (_, findings) = common::lint(&linter, Path::new(&label.file), &source);
        let mut wrong = Vec::new();
        let mut expect =
            |rule: &str, want: bool| common::expect_rule(&mut wrong, &findings, rule, want);
        expect("home-use", label.recommends_home_rolling);
        expect(
            "missing-contraindications",
            label.discusses_microneedling && label.contraindications_present.is_empty(),
        );
        results.push((
            label.file.clone(),
            (!wrong.is_empty()).then(|| wrong.join(", ")),
        ));
    }
    let known = common::KnownFailures::load(KNOWN);
    let problems = common::check_known_failures(&known, &results, MIN_PASS_RATE, HEADER);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_article_has_a_label() {
    let root = common::root().join(DIR);
    let labels = std::fs::read_to_string(root.join("labels.jsonl")).unwrap();
    let mut labelled: Vec<String> = labels
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str::<Label>(l).unwrap().file)
        .collect();
    let mut files: Vec<String> = std::fs::read_dir(root.join("docs"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    labelled.sort();
    files.sort();
    assert_eq!(labelled, files);
}
