//! Span invariants over every fixture: each finding's and label's span is
//! in bounds, on char boundaries and non-empty; the JSON `text` equals the
//! source at the span; line and column (computed here, independently) match
//! the report; no span starts or ends with a line break or inside markup.
//! One run of the binary over `fixtures/` supplies the JSON.

mod common;

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::Path;
use std::process::Command;

use beautylint::document::{self, DocKind};
use regex::Regex;
use serde_json::Value;

/// Byte ranges of an HTML source that are markup, not prose: tags (with
/// quoted attribute values), comments, doctype/processing instructions, and
/// the raw contents of `<script>` and `<style>`.
fn html_markup(src: &str) -> Vec<Range<usize>> {
    let b = src.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'<' {
            i += 1;
            continue;
        }
        let start = i;
        if src[i..].starts_with("<!--") {
            let end = src[i + 4..].find("-->").map_or(b.len(), |e| i + 4 + e + 3);
            out.push(start..end);
            i = end;
            continue;
        }
        let next = b.get(i + 1).copied().unwrap_or(b' ');
        if !(next.is_ascii_alphabetic() || matches!(next, b'/' | b'!' | b'?')) {
            i += 1; // a bare `<` in text
            continue;
        }
        let mut j = i + 1;
        let mut quote = None;
        while j < b.len() {
            match (quote, b[j]) {
                (None, b'"' | b'\'') => quote = Some(b[j]),
                (Some(q), c) if c == q => quote = None,
                (None, b'>') => break,
                _ => {}
            }
            j += 1;
        }
        let end = (j + 1).min(b.len());
        out.push(start..end);
        let name: String = src[start + 1..end]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        i = end;
        if name == "script" || name == "style" {
            let close = format!("</{name}");
            let rest = src[i..].to_ascii_lowercase();
            let raw_end = rest.find(&close).map_or(b.len(), |e| i + e);
            if raw_end > i {
                out.push(i..raw_end);
            }
            i = raw_end;
        }
    }
    out
}

/// Byte ranges of character references (`&rsquo;`, `&#8217;`, legacy `&copy`).
fn html_entities(src: &str) -> Vec<Range<usize>> {
    let re = Regex::new(r"&(?:#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[A-Za-z][A-Za-z0-9]*;?)").unwrap();
    re.find_iter(src).map(|m| m.range()).collect()
}

/// Checks one span of a fixture; returns the problems found.
fn check_span(src: &str, html: bool, span: &Value, what: &str) -> Vec<String> {
    let n = |k: &str| span[k].as_u64().unwrap_or_else(|| panic!("{what}: no {k}")) as usize;
    let (start, end) = (n("start"), n("end"));
    let mut p = Vec::new();
    if start >= end {
        p.push(format!("{what}: empty or reversed span {start}..{end}"));
        return p;
    }
    let Some(text) = src.get(start..end) else {
        p.push(format!(
            "{what}: span {start}..{end} out of bounds (len {}) or not on char boundaries",
            src.len()
        ));
        return p;
    };
    let got = (n("line"), n("column"), n("end_line"), n("end_column"));
    let (l1, c1) = common::line_col(src, start);
    let (l2, c2) = common::line_col(src, end);
    if got != (l1, c1, l2, c2) {
        p.push(format!(
            "{what}: reported {}:{}-{}:{}, computed {l1}:{c1}-{l2}:{c2} for {text:?}",
            got.0, got.1, got.2, got.3
        ));
    }
    if text.starts_with(char::is_whitespace) || text.ends_with(char::is_whitespace) {
        p.push(format!("{what}: span text has edge whitespace: {text:?}"));
    }
    if html {
        let inside = |r: &Range<usize>, at: usize| r.start <= at && at < r.end;
        if let Some(m) = html_markup(src)
            .iter()
            .find(|m| inside(m, start) || inside(m, end - 1))
        {
            p.push(format!(
                "{what}: span {text:?} starts or ends inside markup {:?}",
                &src[m.clone()]
            ));
        }
        let strictly = |r: &Range<usize>, at: usize| r.start < at && at < r.end;
        if let Some(e) = html_entities(src)
            .iter()
            .find(|e| strictly(e, start) || strictly(e, end))
        {
            p.push(format!(
                "{what}: span {text:?} cuts the character reference {:?}",
                &src[e.clone()]
            ));
        }
    }
    p
}

fn run_binary_json() -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_beautylint"))
        .current_dir(common::root())
        .args(["check", "--format", "json", "--color", "never", "fixtures"])
        .output()
        .unwrap();
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "exit {:?}: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("stdout is one JSON document")
}

#[test]
fn json_spans_hold_their_invariants() {
    let report = run_binary_json();
    let linter = common::linter();
    let mut problems = Vec::new();
    let mut by_path: BTreeMap<String, Vec<&Value>> = BTreeMap::new();
    for f in report["findings"].as_array().unwrap() {
        by_path
            .entry(f["path"].as_str().unwrap().to_string())
            .or_default()
            .push(f);
    }
    let fixtures: Vec<String> = common::fixture_paths()
        .iter()
        .map(|p| p.to_str().unwrap().to_string())
        .collect();
    // The walk lints exactly the fixture articles (EXPECTED.md is ignored).
    assert_eq!(
        report["summary"]["files_checked"].as_u64(),
        Some(fixtures.len() as u64),
        "files checked by `beautylint check fixtures`"
    );
    for path in by_path.keys() {
        assert!(
            fixtures.contains(path),
            "{path} has findings but is not a fixture article"
        );
    }
    for rel in &fixtures {
        let src = common::read_source(Path::new(rel));
        let html = DocKind::from_path(Path::new(rel)) == DocKind::Html;
        let findings = by_path.get(rel).cloned().unwrap_or_default();
        // The binary and the library agree.
        let (_, lib) = common::lint(&linter, Path::new(rel), &src);
        let lib: Vec<(String, usize, usize)> = lib
            .iter()
            .map(|f| (f.rule.clone(), f.span.start, f.span.end))
            .collect();
        let bin: Vec<(String, usize, usize)> = findings
            .iter()
            .map(|f| {
                (
                    f["rule"].as_str().unwrap().to_string(),
                    f["span"]["start"].as_u64().unwrap() as usize,
                    f["span"]["end"].as_u64().unwrap() as usize,
                )
            })
            .collect();
        if lib != bin {
            problems.push(format!("{rel}: library {lib:?} != binary {bin:?}"));
        }
        for (i, f) in findings.iter().enumerate() {
            let what = format!("{rel} finding {i} ({})", f["rule"].as_str().unwrap());
            let mut p = check_span(&src, html, &f["span"], &what);
            let (s, e) = (
                f["span"]["start"].as_u64().unwrap() as usize,
                f["span"]["end"].as_u64().unwrap() as usize,
            );
            if p.is_empty() && f["text"].as_str() != src.get(s..e) {
                p.push(format!(
                    "{what}: JSON text {:?} != source {:?}",
                    f["text"],
                    &src[s..e]
                ));
            }
            for (j, l) in f["labels"].as_array().unwrap().iter().enumerate() {
                let lwhat = format!("{what} label {j} ({})", l["message"]);
                p.extend(check_span(&src, html, &l["span"], &lwhat));
            }
            problems.extend(p);
        }
    }
    assert!(
        problems.is_empty(),
        "{} span problem(s):\n{}",
        problems.len(),
        problems.join("\n")
    );
}

/// The readers' own structural invariants hold on every fixture.
#[test]
fn fixture_documents_keep_reader_invariants() {
    let mut problems = Vec::new();
    for rel in common::fixture_paths() {
        let src = common::read_source(&rel);
        let doc = document::parse(&src, DocKind::from_path(&rel));
        if let Err(e) = document::check_invariants(&doc, &src) {
            problems.push(format!("{}: {e}", rel.display()));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn markup_scanner_finds_tags_comments_scripts_and_entities() {
    let src = "<p class=\"a>b\">x &rsquo; y</p><!-- c --><script>if (a<b) {}</script>z&copy";
    let m: Vec<&str> = html_markup(src).iter().map(|r| &src[r.clone()]).collect();
    assert_eq!(
        m,
        [
            "<p class=\"a>b\">",
            "</p>",
            "<!-- c -->",
            "<script>",
            "if (a<b) {}",
            "</script>"
        ]
    );
    let e: Vec<&str> = html_entities(src).iter().map(|r| &src[r.clone()]).collect();
    assert_eq!(e, ["&rsquo;", "&copy"]);
    assert_eq!(common::line_col("\u{feff}ab\ncé d", 3), (1, 1));
    assert_eq!(common::line_col("\u{feff}ab\ncé d", 10), (2, 4));
}

#[test]
fn check_span_reports_bad_spans() {
    let src = "<p>caf\u{e9} &rsquo;x</p>\nline two";
    let span = |s: usize, e: usize, l: usize, c: usize, el: usize, ec: usize| serde_json::json!({"start": s, "end": e, "line": l, "column": c, "end_line": el, "end_column": ec});
    // "café" is fine.
    assert_eq!(
        check_span(src, true, &span(3, 8, 1, 4, 1, 8), "ok"),
        Vec::<String>::new()
    );
    // Wrong column (bytes instead of chars).
    assert_eq!(
        check_span(src, true, &span(3, 9, 1, 4, 1, 9), "col").len(),
        1
    );
    // Not on a char boundary.
    assert_eq!(
        check_span(src, true, &span(3, 7, 1, 4, 1, 8), "cut").len(),
        1
    );
    // Starts inside a tag; ends inside an entity.
    assert_eq!(
        check_span(src, true, &span(1, 8, 1, 2, 1, 8), "tag").len(),
        1
    );
    assert_eq!(
        check_span(src, true, &span(3, 12, 1, 4, 1, 12), "ent").len(),
        1
    );
    // Ends with a line break.
    assert_eq!(
        check_span(src, false, &span(21, 26, 1, 21, 2, 5), "nl").len(),
        1
    );
    // Empty.
    assert_eq!(
        check_span(src, false, &span(3, 3, 1, 4, 1, 4), "empty").len(),
        1
    );
}
