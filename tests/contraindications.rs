//! Contraindication detection cases (`tests/data/contraindications.jsonl`):
//! each text, under a `# Microneedling` heading so the page is about the
//! treatment, is read as Markdown, and the categories the engine counts as
//! warnings (`contraindications::coverage`) must equal the case's
//! `categories` exactly.
//!
//! Cases that fail today are listed in
//! `tests/data/contraindications.known-failures.txt` (by 1-based line
//! number, `L<n>`): every unlisted case must pass, every listed one must
//! still fail, and the pass rate must stay at or above [`MIN_PASS_RATE`].
//! `BLESS=1 cargo test --test contraindications` rewrites the list.

mod common;

use std::collections::BTreeSet;

use beautylint::document::{self, DocKind};
use beautylint::pack::Pack;
use beautylint::rules::kinds::contraindications::coverage;
use beautylint::rules::model::Model;
use beautylint::rules::Analysis;
use serde::Deserialize;

const DATA: &str = "tests/data/contraindications.jsonl";
const KNOWN: &str = "tests/data/contraindications.known-failures.txt";
/// Floor on the share of passing cases; raise it as the engine improves.
const MIN_PASS_RATE: f64 = 0.60;
const PREFIX: &str = "# Microneedling\n\n";
const HEADER: &str = "\
# Cases of tests/data/contraindications.jsonl (L<line number>) that fail today
# (tests/contraindications.rs). Remove a line once it passes;
# `BLESS=1 cargo test --test contraindications` rewrites this file.
";

#[derive(Deserialize)]
struct Case {
    text: String,
    categories: BTreeSet<String>,
}

#[test]
fn contraindication_categories() {
    let pack = Pack::builtin().remove(0);
    let model = Model::compile(&pack).expect("built-in pack compiles");
    let known_categories: BTreeSet<&str> =
        model.categories.iter().map(|c| c.name.as_str()).collect();
    let text = std::fs::read_to_string(common::root().join(DATA)).unwrap();
    let mut results = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let id = format!("L{}", i + 1);
        let case: Case =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("{DATA}:{}: {e}", i + 1));
        for c in &case.categories {
            assert!(
                known_categories.contains(c.as_str()),
                "{DATA}:{}: unknown category {c:?} (the pack knows {known_categories:?})",
                i + 1
            );
        }
        let doc = document::parse(&format!("{PREFIX}{}", case.text), DocKind::Markdown);
        let a = Analysis::new(&doc, &model);
        let found: BTreeSet<String> = coverage(&a).found.keys().cloned().collect();
        let outcome = (found != case.categories).then(|| {
            let missed: Vec<_> = case.categories.difference(&found).collect();
            let extra: Vec<_> = found.difference(&case.categories).collect();
            format!("missed {missed:?}, extra {extra:?}: {:?}", case.text)
        });
        results.push((id, outcome));
    }
    let known = common::KnownFailures::load(KNOWN);
    let problems = common::check_known_failures(&known, &results, MIN_PASS_RATE, HEADER);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
