//! Fuzz-target bodies, shared by the cargo-fuzz targets in `fuzz/` and the
//! stable corpus replay in `tests/fuzz.rs`. Each function takes arbitrary
//! bytes and panics when an invariant does not hold, so a fuzzer (or a test)
//! reports it; it never prints.
//!
//! Invariants checked, beyond "no panic":
//! - the document keeps [`document::check_invariants`] (segments in bounds,
//!   on char boundaries, monotonic in prose and source; verbatim pieces equal
//!   their source; blocks ordered);
//! - every block's source span is in bounds and on char boundaries;
//! - every finding's span and every label's span is in bounds, ordered and
//!   on char boundaries of the source; `home-use` spans (a sentence) are
//!   non-empty; findings come sorted and the same on a second run.

use std::sync::OnceLock;

use crate::document::{self, DocKind, Document};
use crate::pack::Pack;
use crate::rules::{Finding, LintOptions, Linter};
use crate::source::{self, Loaded};
use crate::span::Span;

fn bytes_to_source(data: &[u8]) -> Option<String> {
    match source::decode(data.to_vec()) {
        Loaded::Text(t) => Some(t.text),
        Loaded::Skipped(_) => None,
    }
}

fn check_span(source: &str, span: Span, what: &str) {
    assert!(
        span.start <= span.end && source.get(span.range()).is_some(),
        "{what} {span:?} out of bounds or not on char boundaries (source {} bytes)",
        source.len()
    );
}

/// Parses and checks a document; returns it for further checks.
pub fn document(source: &str, kind: DocKind) -> Document {
    let doc = document::parse(source, kind);
    if let Err(e) = document::check_invariants(&doc, source) {
        panic!("{kind:?} document invariant: {e}");
    }
    for b in &doc.blocks {
        check_span(
            source,
            doc.source_span(b.range.clone()),
            "block source span",
        );
    }
    doc
}

/// Checks findings against their source.
pub fn findings(source: &str, findings: &[Finding]) {
    let mut prev = None;
    for f in findings {
        check_span(source, f.span, &format!("finding {}", f.rule));
        if f.rule.ends_with("/home-use") {
            assert!(!f.span.is_empty(), "home-use finding with an empty span");
            assert!(
                !source[f.span.range()].trim().is_empty(),
                "home-use finding on blank text"
            );
        }
        for l in &f.labels {
            check_span(
                source,
                l.span,
                &format!("label {:?} of {}", l.message, f.rule),
            );
        }
        let key = (f.span.start, f.span.end, f.rule.clone());
        if let Some(p) = &prev {
            assert!(p <= &key, "findings not sorted: {p:?} then {key:?}");
        }
        prev = Some(key);
    }
}

fn builtin() -> &'static Linter {
    static LINTER: OnceLock<Linter> = OnceLock::new();
    LINTER.get_or_init(Linter::builtin)
}

/// Target `markdown`: bytes → source → Markdown document.
pub fn markdown(data: &[u8]) {
    if let Some(s) = bytes_to_source(data) {
        document(&s, DocKind::Markdown);
    }
}

/// Target `html`: bytes → source → HTML document.
pub fn html(data: &[u8]) {
    if let Some(s) = bytes_to_source(data) {
        document(&s, DocKind::Html);
    }
}

/// Target `lint`: the first byte picks the reader, the rest is the file;
/// ask the prefilter and the look-alike test (on the raw text), parse,
/// check with the built-in packs twice, check every span.
pub fn lint(data: &[u8]) {
    let Some((&k, rest)) = data.split_first() else {
        return;
    };
    let kind = match k % 3 {
        0 => DocKind::Markdown,
        1 => DocKind::Html,
        _ => DocKind::Text,
    };
    let Some(s) = bytes_to_source(rest) else {
        return;
    };
    let linter = builtin();
    std::hint::black_box(linter.may_fire(&s));
    let doc = document(&s, kind);
    let found = linter.check(&doc);
    findings(&s, &found);
    assert_eq!(found, linter.check(&doc), "lint is not deterministic");
}

/// Target `pack`: bytes as a pack's TOML; parse it and compile it alone
/// (with the built-in pack each run took seconds under the sanitizer). Errors are fine, panics are not; an error's span must be
/// in the pack's text. A pack that loads is then used once.
pub fn pack(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let pack = match Pack::parse("fuzz.toml", text) {
        Ok(p) => p,
        Err(e) => return check_pack_error(text, &e),
    };
    match Linter::new(vec![pack], LintOptions::default()) {
        Ok(linter) => {
            let src = "Roll the derma roller at home twice a week.\n";
            let doc = document(src, DocKind::Text);
            findings(src, &linter.check(&doc));
        }
        Err(e) => check_pack_error(text, &e),
    }
}

fn check_pack_error(text: &str, e: &crate::pack::PackError) {
    if let Some(span) = e.span {
        // Errors in the built-in pack point at its own text; only user-pack
        // errors must be inside `text`.
        if e.src.name() == "fuzz.toml" {
            assert!(
                span.offset() + span.len() <= text.len(),
                "pack error span {span:?} outside the pack ({} bytes): {}",
                text.len(),
                e.message
            );
        }
    }
}

/// Target `config`: bytes as a `beautylint.toml`; parse it and make the
/// checks that need no other file (globs, selectors, rule ids against the
/// built-in packs). Errors are fine, panics are not; every label of an error
/// must lie inside the config's text, on char boundaries, and the error must
/// render as the CLI renders it.
pub fn config(data: &[u8]) {
    // The CLI reads configs as UTF-8 (anything else is a read error).
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let path = std::path::PathBuf::from("/fuzz/beautylint.toml");
    let result = crate::config::ConfigFile::parse(path, text.to_string())
        .and_then(|f| f.validate(builtin()));
    if let Err(e) = result {
        check_diagnostic(text, e.as_ref());
    }
}

fn check_diagnostic(text: &str, e: &dyn miette::Diagnostic) {
    for l in e.labels().into_iter().flatten() {
        let (start, len) = (l.offset(), l.len());
        assert!(
            text.get(start..start + len).is_some(),
            "config error label {start}+{len} outside the config ({} bytes) or not on char boundaries: {e}",
            text.len()
        );
    }
    let mut out = String::new();
    let handler =
        miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor());
    assert!(
        handler.render_report(&mut out, e).is_ok(),
        "config error does not render: {e}"
    );
}
