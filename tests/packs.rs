//! Rule packs: the built-in pack loads and every rule carries examples of
//! both kinds; broken packs fail with a miette diagnostic whose label points
//! at the offending line of the pack file.

use beautylint::pack::{Pack, PackError};
use beautylint::rules::{LintOptions, Linter};
use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme};

#[test]
fn builtin_pack_rules_have_firing_and_clean_examples() {
    let packs = Pack::builtin();
    let linter = Linter::new(packs.clone(), LintOptions::default()).expect("built-in pack loads");
    let ids: Vec<String> = linter.rules().into_iter().map(|r| r.id).collect();
    for want in [
        "microneedling/home-use",
        "microneedling/missing-contraindications",
        "microneedling/incomplete-contraindications",
        "microneedling/home-needle-depth",
        "microneedling/unsafe-claim",
        "microneedling/no-professional",
    ] {
        assert!(ids.iter().any(|i| i == want), "{want} missing from {ids:?}");
    }
    let mut problems = Vec::new();
    for pack in &packs {
        for rule in &pack.spec.rules {
            let firing = rule
                .examples
                .iter()
                .filter(|e| e.get_ref().fires.is_some())
                .count();
            let clean = rule.examples.iter().filter(|e| e.get_ref().clean).count();
            if firing == 0 || clean == 0 {
                problems.push(format!(
                    "{}/{}: {firing} firing and {clean} clean example(s); needs at least one of each",
                    pack.spec.name, rule.name
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// A small valid pack; the tests below break one line of it.
const PACK: &str = r#"name = "test"
description = "a pack for tests"

[terms.device]
terms = ["derma roller"]

[[rule]]
name = "roller-word"
kind = "phrase"
severity = "warning"
summary = "Mentions a derma roller."
message = "mentions {match}"
docs = "Flags the words."
patterns = ['derma\s+roller']

[[rule.example]]
text = "I own a derma roller."
fires = "derma roller"

[[rule.example]]
text = "I own a jade roller."
clean = true
"#;

/// Loads a pack text as `test.toml` (parse, then compile and check examples).
fn load(text: &str) -> Result<Linter, Box<PackError>> {
    let pack = Pack::parse("test.toml", text)?;
    Linter::new(vec![pack], LintOptions::default())
}

/// The 1-based line the diagnostic's first label points at, checked through
/// miette's own source reading, and the rendered report.
fn label_line(err: &PackError) -> (usize, String) {
    let label = err
        .labels()
        .and_then(|mut l| l.next())
        .unwrap_or_else(|| panic!("diagnostic has no label: {err:?}"));
    let src = err.source_code().expect("diagnostic has source code");
    let contents = src.read_span(label.inner(), 0, 0).unwrap();
    let mut out = String::new();
    GraphicalReportHandler::new_themed(GraphicalTheme::unicode_nocolor())
        .render_report(&mut out, err)
        .unwrap();
    (contents.line() + 1, out)
}

/// The 1-based line of the first occurrence of `needle` in `text`.
fn line_of(text: &str, needle: &str) -> usize {
    let at = text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle:?} not in pack"));
    text[..at].matches('\n').count() + 1
}

fn expect_error(text: &str, needle: &str, message: &str) {
    let err = match load(text) {
        Ok(_) => panic!("pack should not load:\n{text}"),
        Err(e) => e,
    };
    assert!(
        err.message.contains(message),
        "message {:?} should contain {message:?}",
        err.message
    );
    let (line, rendered) = label_line(&err);
    let want = line_of(text, needle);
    assert_eq!(line, want, "label line; rendered:\n{rendered}");
    assert!(
        rendered.contains(&format!("test.toml:{want}:")),
        "rendered report should name test.toml:{want}:\n{rendered}"
    );
}

#[test]
fn the_test_pack_is_valid() {
    let linter = load(PACK).expect("test pack loads");
    assert_eq!(linter.rules().len(), 1);
}

#[test]
fn failing_example_points_at_the_example() {
    let text = PACK.replace(
        "text = \"I own a jade roller.\"",
        "text = \"I own a derma roller too.\"",
    );
    // The label covers the second example's table, from its header.
    expect_error(
        &text,
        "[[rule.example]]\ntext = \"I own a derma roller too.\"",
        "should be clean",
    );
}

#[test]
fn invalid_regex_points_at_the_pattern() {
    let text = PACK.replace(
        r"patterns = ['derma\s+roller']",
        "patterns = ['derma(roller']",
    );
    expect_error(&text, "'derma(roller'", "invalid regex");
}

#[test]
fn unknown_field_points_at_the_field() {
    let text = PACK.replace(
        "docs = \"Flags the words.\"",
        "docs = \"x\"\ncolour = \"red\"",
    );
    expect_error(&text, "colour", "unknown field");
}

#[test]
fn bad_toml_points_at_the_broken_line() {
    let text = PACK.replace("severity = \"warning\"", "severity = \"warning");
    expect_error(&text, "severity = \"warning", "invalid pack");
}

#[test]
fn unknown_kind_points_at_the_kind() {
    let text = PACK.replace("kind = \"phrase\"", "kind = \"phrasing\"");
    expect_error(&text, "kind = \"phrasing\"", "unknown rule kind");
}

#[test]
fn scope_on_a_cue_that_does_not_warn_points_at_the_scope() {
    let text = format!(
        "{PACK}\n[cues.buying]\nrole = \"recommend\"\nlabel = \"purchase\"\nscope = \"after\"\npatterns = ['\\bbuy\\b']\n"
    );
    expect_error(&text, "scope = \"after\"", "`scope` is for warn cues only");
    // The same class as a warning loads.
    load(&text.replace("role = \"recommend\"", "role = \"warn\""))
        .expect("warn cue with a scope loads");
}
