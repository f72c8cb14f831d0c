//! Sentence-level stance cases (`tests/data/sentences.jsonl`), each linted
//! alone as a plain-text document:
//! - `microneedling/home-use` fires exactly on `stance = recommend_home`;
//! - `microneedling/home-needle-depth` fires iff `needle_mm >= 0.5` and the
//!   sentence recommends home use;
//! - `microneedling/unsafe-claim` fires iff `claim = true`.
//!
//! The engine is being tuned, so ids that fail today are listed in
//! `tests/data/sentences.known-failures.txt`. Every id not listed must pass,
//! every listed id must still fail (remove it once it passes), and the pass
//! rate must stay at or above [`MIN_PASS_RATE`]. `BLESS=1 cargo test --test
//! sentences` rewrites the list from the current results.

mod common;

use std::path::Path;

use serde::Deserialize;

const DATA: &str = "tests/data/sentences.jsonl";
const KNOWN: &str = "tests/data/sentences.known-failures.txt";
/// Floor on the share of passing cases; raise it as the engine improves.
const MIN_PASS_RATE: f64 = 0.75;
const HEADER: &str = "\
# Ids of tests/data/sentences.jsonl that fail today (tests/sentences.rs).
# Remove an id once it passes; `BLESS=1 cargo test --test sentences` rewrites this file.
";

#[derive(Deserialize)]
struct Case {
    id: String,
    text: String,
    stance: String,
    #[serde(default)]
    needle_mm: Option<f64>,
    #[serde(default)]
    claim: Option<bool>,
}

fn cases() -> Vec<Case> {
    let text = std::fs::read_to_string(common::root().join(DATA)).unwrap();
    let cases: Vec<Case> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| serde_json::from_str(l).unwrap_or_else(|e| panic!("{DATA}:{}: {e}", i + 1)))
        .collect();
    for c in &cases {
        assert!(
            matches!(
                c.stance.as_str(),
                "recommend_home" | "warn_home" | "neutral"
            ),
            "{}: unknown stance {:?}",
            c.id,
            c.stance
        );
    }
    cases
}

#[test]
fn sentence_stances() {
    let linter = common::linter();
    let cases = cases();
    let mut results = Vec::new();
    for c in &cases {
        let (_, findings) = common::lint(&linter, Path::new("case.txt"), &c.text);
        let recommends = c.stance == "recommend_home";
        let mut wrong = Vec::new();
        let mut expect =
            |rule: &str, want: bool| common::expect_rule(&mut wrong, &findings, rule, want);
        expect("home-use", recommends);
        expect(
            "home-needle-depth",
            recommends && c.needle_mm.is_some_and(|mm| mm >= 0.5),
        );
        expect("unsafe-claim", c.claim == Some(true));
        let outcome = (!wrong.is_empty()).then(|| {
            let what: Vec<String> = findings
                .iter()
                .map(|f| format!("{} {:?}", f.rule, &c.text[f.span.range()]))
                .collect();
            format!(
                "{} [{}] {:?} fired: [{}]",
                wrong.join(", "),
                c.stance,
                c.text,
                what.join("; ")
            )
        });
        results.push((c.id.clone(), outcome));
    }
    let known = common::KnownFailures::load(KNOWN);
    let problems = common::check_known_failures(&known, &results, MIN_PASS_RATE, HEADER);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn case_ids_are_unique() {
    let cases = cases();
    let mut ids: Vec<&str> = cases.iter().map(|c| c.id.as_str()).collect();
    ids.sort();
    let before = ids.len();
    ids.dedup();
    assert_eq!(before, ids.len(), "duplicate ids in {DATA}");
}
