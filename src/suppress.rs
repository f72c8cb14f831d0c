//! Inline suppressions: `beautylint-disable…` comments in Markdown and HTML,
//! and a `beautylint` key in Markdown front matter. Plain text has none.
//!
//! ```text
//! <!-- beautylint-disable-next-line microneedling/home-use -- quoted from a reader -->
//! <!-- beautylint-disable microneedling -->  …  <!-- beautylint-enable microneedling -->
//! <!-- beautylint-disable-file -->
//! ---
//! beautylint: { disable: [microneedling/no-professional] }
//! ---
//! ```
//!
//! A rule list may name rule ids or whole packs, separated by commas or
//! spaces; no list means every rule. Anything after ` -- ` is the reason.
//! Comments are found with the document readers' own tokenizers
//! (pulldown-cmark's raw HTML events, html5gum's comment tokens), so a
//! comment shown inside a code block is not a directive.
//!
//! A directive that suppresses nothing becomes a `suppression/unused`
//! finding at the comment.

use std::ops::Range;

use html5gum::{DefaultEmitter, Token, Tokenizer};
use pulldown_cmark::{Event, MetadataBlockKind, Options, Parser, Tag};

use crate::document::DocKind;
use crate::rules::{Finding, Severity};
use crate::span::Span;

/// The rule id of unused-suppression findings.
pub const UNUSED: &str = "suppression/unused";

/// What a directive covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Findings that start on the next non-blank line.
    NextLine,
    /// Findings from here to the matching `enable` (or the end of the file).
    Disable,
    /// Ends a `Disable` region.
    Enable,
    /// The whole file.
    File,
}

/// One suppression comment (or front-matter entry).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Directive {
    pub kind: Kind,
    /// Rule ids or pack names; empty means every rule.
    pub rules: Vec<String>,
    /// The comment in the source.
    pub span: Span,
    pub reason: Option<String>,
}

/// Whether a rule selector (an id or a pack name) covers a rule id.
pub fn selects(selector: &str, rule: &str) -> bool {
    selector == rule
        || rule
            .strip_prefix(selector)
            .is_some_and(|rest| rest.starts_with('/'))
}

/// Finds every directive of a source file, in source order.
pub fn directives(source: &str, kind: DocKind) -> Vec<Directive> {
    let mut out = Vec::new();
    // Every directive names us; most files have none, and need no second parse.
    if memchr::memmem::find(source.as_bytes(), b"beautylint").is_none() {
        return out;
    }
    match kind {
        DocKind::Text => {}
        DocKind::Html => {
            for (body, span) in html_comments(source, 0..source.len()) {
                out.extend(parse_comment(body, span));
            }
        }
        DocKind::Markdown => {
            let options = Options::ENABLE_YAML_STYLE_METADATA_BLOCKS
                | Options::ENABLE_PLUSES_DELIMITED_METADATA_BLOCKS
                | Options::ENABLE_TABLES
                | Options::ENABLE_STRIKETHROUGH
                | Options::ENABLE_FOOTNOTES;
            let mut meta = None;
            let mut html_run: Option<Range<usize>> = None;
            let flush = |run: Option<Range<usize>>, out: &mut Vec<Directive>| {
                if let Some(r) = run {
                    for (body, span) in html_comments(source, r) {
                        out.extend(parse_comment(body, span));
                    }
                }
            };
            for (event, range) in Parser::new_ext(source, options).into_offset_iter() {
                match event {
                    // HTML blocks arrive line by line; a comment may span lines.
                    Event::Html(_) | Event::InlineHtml(_) => {
                        html_run = match html_run {
                            Some(r)
                                if r.end == range.start
                                    || is_blank(&source[r.end..range.start]) =>
                            {
                                Some(r.start..range.end)
                            }
                            other => {
                                flush(other, &mut out);
                                Some(range)
                            }
                        };
                    }
                    Event::Start(Tag::MetadataBlock(k)) => meta = Some(k),
                    Event::Text(_) if meta.is_some() => {
                        let k = meta.take().expect("checked");
                        out.extend(front_matter(source, range, k));
                    }
                    _ => flush(html_run.take(), &mut out),
                }
            }
            flush(html_run.take(), &mut out);
        }
    }
    out
}

fn is_blank(s: &str) -> bool {
    s.trim().is_empty()
}

/// `(comment body, whole comment span)` of each comment in `source[range]`.
fn html_comments(source: &str, range: Range<usize>) -> Vec<(&str, Span)> {
    let Some(fragment) = source.get(range.clone()) else {
        return Vec::new();
    };
    let mut emitter = DefaultEmitter::<usize>::new_with_span();
    emitter.naively_switch_states(true);
    let mut out = Vec::new();
    for token in Tokenizer::new_with_emitter(fragment, emitter).flatten() {
        if let Token::Comment(c) = token {
            let (start, end) = (c.span.start, c.span.end.min(fragment.len()));
            let Some(raw) = fragment.get(start..end) else {
                continue;
            };
            let body = raw.strip_prefix("<!--").unwrap_or(raw);
            let body = body.strip_suffix("-->").unwrap_or(body);
            out.push((body, Span::new(range.start + start, range.start + end)));
        }
    }
    out
}

/// Reads `beautylint-…` out of a comment body.
fn parse_comment(body: &str, span: Span) -> Option<Directive> {
    let rest = body.trim().strip_prefix("beautylint-")?;
    let (kind, rest) = [
        ("disable-next-line", Kind::NextLine),
        ("disable-file", Kind::File),
        ("disable", Kind::Disable),
        ("enable", Kind::Enable),
    ]
    .into_iter()
    .find_map(|(word, kind)| {
        let rest = rest.strip_prefix(word)?;
        (rest.is_empty() || rest.starts_with(char::is_whitespace)).then_some((kind, rest))
    })?;
    let (list, reason) = match rest.find("--") {
        Some(i) => (&rest[..i], Some(rest[i + 2..].trim().to_string())),
        None => (rest, None),
    };
    Some(Directive {
        kind,
        rules: split_rules(list),
        span,
        reason: reason.filter(|r| !r.is_empty()),
    })
}

fn split_rules(list: &str) -> Vec<String> {
    list.split(|c: char| c == ',' || c.is_whitespace())
        .map(|r| r.trim_matches(|c| c == '"' || c == '\''))
        .filter(|r| !r.is_empty())
        .map(str::to_string)
        .collect()
}

/// The `beautylint` key of a front matter body `source[range]`:
/// YAML `beautylint: { disable: [a, b] }`, the block form
/// `beautylint:\n  disable:\n    - a`, or TOML `[beautylint]\ndisable = [...]`.
fn front_matter(source: &str, range: Range<usize>, kind: MetadataBlockKind) -> Option<Directive> {
    let body = source.get(range.clone())?;
    if kind == MetadataBlockKind::PlusesStyle {
        let table: toml::Table = toml::from_str(body).ok()?;
        let rules = table.get("beautylint")?.get("disable")?.as_array()?;
        let at = body
            .find("[beautylint]")
            .or_else(|| body.find("beautylint"))?;
        let end = body[at..].find("\n").map_or(body.len(), |e| at + e);
        return Some(Directive {
            kind: Kind::File,
            rules: rules
                .iter()
                .filter_map(|r| r.as_str().map(str::to_string))
                .collect(),
            span: Span::new(range.start + at, range.start + end),
            reason: None,
        });
    }
    // YAML: find the top-level key, then read its value or indented block.
    let mut offset = 0;
    let mut lines = body.split_inclusive('\n').map(|l| {
        let start = offset;
        offset += l.len();
        (start, l)
    });
    let (start, first) = lines.find(|(_, l)| l.starts_with("beautylint:"))?;
    let mut end = start + first.trim_end().len();
    let mut block = first["beautylint:".len()..].to_string();
    if block.trim().is_empty() {
        for (s, l) in lines {
            if !l.trim().is_empty() && !l.starts_with([' ', '\t']) {
                break;
            }
            block.push('\n');
            block.push_str(l.trim_end());
            if !l.trim().is_empty() {
                end = s + l.trim_end().len();
            }
        }
    }
    let list = block.split_once("disable")?.1;
    let list = list.trim_start().strip_prefix(':')?;
    let rules = if let Some(flow) = list.trim_start().strip_prefix('[') {
        split_rules(flow.split(']').next().unwrap_or(""))
    } else {
        list.lines()
            .map(str::trim)
            .take_while(|l| l.is_empty() || l.starts_with('-'))
            .filter_map(|l| l.strip_prefix('-'))
            .flat_map(split_rules)
            .collect()
    };
    Some(Directive {
        kind: Kind::File,
        rules,
        span: Span::new(range.start + start, range.start + end),
        reason: None,
    })
}

/// Removes the findings the directives suppress. Returns the kept findings
/// and one `suppression/unused` warning per directive (or rule in it) that
/// suppressed nothing. `known` tells rule selectors that exist apart from
/// typos.
pub fn apply(
    source: &str,
    directives: &[Directive],
    findings: Vec<Finding>,
    known: &dyn Fn(&str) -> bool,
) -> (Vec<Finding>, Vec<Finding>) {
    // One region per directive that covers something: (directive, byte range of starts).
    let mut regions: Vec<(usize, Range<usize>)> = Vec::new();
    for (i, d) in directives.iter().enumerate() {
        let range = match d.kind {
            Kind::Enable => continue,
            Kind::File => 0..source.len() + 1,
            Kind::NextLine => next_line(source, d.span.end),
            Kind::Disable => {
                let end = directives[i + 1..]
                    .iter()
                    .find(|e| {
                        e.kind == Kind::Enable
                            && (e.rules.is_empty() || e.rules.iter().any(|r| d.rules.contains(r)))
                    })
                    .map_or(source.len() + 1, |e| e.span.start);
                d.span.end..end
            }
        };
        regions.push((i, range));
    }
    // used[i][j]: rule j of directive i (or its whole list, j = 0 when empty) suppressed something.
    let mut used: Vec<Vec<bool>> = directives
        .iter()
        .map(|d| vec![false; d.rules.len().max(1)])
        .collect();
    let mut kept = Vec::with_capacity(findings.len());
    for f in findings {
        let mut suppressed = false;
        for (i, range) in &regions {
            if !range.contains(&f.span.start) {
                continue;
            }
            let d = &directives[*i];
            if d.rules.is_empty() {
                used[*i][0] = true;
                suppressed = true;
            }
            for (j, r) in d.rules.iter().enumerate() {
                if selects(r, &f.rule) {
                    used[*i][j] = true;
                    suppressed = true;
                }
            }
        }
        if !suppressed {
            kept.push(f);
        }
    }
    let mut unused = Vec::new();
    for (d, used) in directives.iter().zip(&used) {
        if d.kind == Kind::Enable {
            continue;
        }
        let message = if d.rules.is_empty() {
            if used[0] {
                continue;
            }
            "unused suppression: no finding to suppress here".to_string()
        } else {
            let idle: Vec<&String> = d
                .rules
                .iter()
                .zip(used)
                .filter(|(_, u)| !**u)
                .map(|(r, _)| r)
                .collect();
            if idle.is_empty() {
                continue;
            }
            let (unknown, idle): (Vec<&String>, Vec<&String>) =
                idle.into_iter().partition(|r| !known(r));
            let mut parts = Vec::new();
            if !idle.is_empty() {
                parts.push(format!("no {} finding to suppress here", quoted(&idle)));
            }
            if !unknown.is_empty() {
                parts.push(format!("unknown rule or pack {}", quoted(&unknown)));
            }
            format!("unused suppression: {}", parts.join("; "))
        };
        unused.push(Finding {
            rule: UNUSED.into(),
            severity: Severity::Warning,
            message,
            span: d.span,
            labels: Vec::new(),
            help: Some("remove the comment, or fix its rule list".into()),
            data: None,
        });
    }
    (kept, unused)
}

fn quoted(rules: &[&String]) -> String {
    rules
        .iter()
        .map(|r| format!("`{r}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The byte range of the first non-blank line after the line holding `at`.
fn next_line(source: &str, at: usize) -> Range<usize> {
    let mut pos = match source[at.min(source.len())..].find('\n') {
        Some(i) => at + i + 1,
        None => return source.len() + 1..source.len() + 1,
    };
    while pos < source.len() {
        let end = source[pos..].find('\n').map_or(source.len(), |i| pos + i);
        if !is_blank(&source[pos..end]) {
            return pos..end + 1;
        }
        pos = end + 1;
    }
    source.len() + 1..source.len() + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(source: &str, kind: DocKind) -> Vec<(Kind, Vec<String>, String)> {
        directives(source, kind)
            .into_iter()
            .map(|d| (d.kind, d.rules, source[d.span.range()].to_string()))
            .collect()
    }

    fn finding(source: &str, rule: &str, needle: &str) -> Finding {
        let at = source.find(needle).unwrap();
        Finding {
            rule: rule.into(),
            severity: Severity::Error,
            message: "m".into(),
            span: Span::new(at, at + needle.len()),
            labels: vec![],
            help: None,
            data: None,
        }
    }

    #[test]
    fn markdown_comments_but_not_in_code() {
        let src = "<!-- beautylint-disable-next-line a/b, c -- quoted -->\ntext\n\n\
            ```\n<!-- beautylint-disable-file -->\n```\n\n\
            Inline <!-- beautylint-disable x/y --> here.\n\n<!--\nbeautylint-enable\n-->\n";
        let got = d(src, DocKind::Markdown);
        assert_eq!(got.len(), 3, "{got:?}");
        assert_eq!(got[0].0, Kind::NextLine);
        assert_eq!(got[0].1, ["a/b", "c"]);
        assert_eq!(
            got[0].2,
            "<!-- beautylint-disable-next-line a/b, c -- quoted -->"
        );
        assert_eq!(
            (got[1].0, got[1].1.clone()),
            (Kind::Disable, vec!["x/y".to_string()])
        );
        assert_eq!(got[1].2, "<!-- beautylint-disable x/y -->");
        assert_eq!(got[2].0, Kind::Enable);
        assert!(got[2].1.is_empty());
        assert_eq!(
            directives(src, DocKind::Markdown)[0].reason.as_deref(),
            Some("quoted")
        );
    }

    #[test]
    fn html_comments_but_not_in_script() {
        let src = "<p>x</p><!-- beautylint-disable-file microneedling -->\
            <script>var s = '<!-- beautylint-disable-file -->';</script><!-- other -->";
        let got = d(src, DocKind::Html);
        assert_eq!(got.len(), 1, "{got:?}");
        assert_eq!(got[0].2, "<!-- beautylint-disable-file microneedling -->");
        assert!(d(src, DocKind::Text).is_empty());
    }

    #[test]
    fn front_matter_forms() {
        for src in [
            "---\ntitle: x\nbeautylint: { disable: [a/b, \"c\"] }\n---\nbody\n",
            "---\nbeautylint:\n  disable:\n    - a/b\n    - c\ntitle: x\n---\nbody\n",
            "---\nbeautylint:\n  disable: [a/b, c]\n---\nbody\n",
            "+++\ntitle = 'x'\n[beautylint]\ndisable = ['a/b', 'c']\n+++\nbody\n",
        ] {
            let got = d(src, DocKind::Markdown);
            assert_eq!(got.len(), 1, "{src:?}: {got:?}");
            assert_eq!(got[0].0, Kind::File);
            assert_eq!(got[0].1, ["a/b", "c"], "{src:?}");
            assert!(got[0].2.starts_with("beautylint") || got[0].2.starts_with("[beautylint]"));
        }
    }

    #[test]
    fn regions_and_unused() {
        let src = "<!-- beautylint-disable-next-line p/a -->\n\n\
            one two\nthree\n<!-- beautylint-disable p -->\nfour\n<!-- beautylint-enable p -->\nfive\n\
            <!-- beautylint-disable-next-line nope/x, p/b -->\nsix\n";
        let ds = directives(src, DocKind::Markdown);
        assert_eq!(ds.len(), 4);
        let fs = vec![
            finding(src, "p/a", "one"),
            finding(src, "p/b", "two"),
            finding(src, "p/a", "three"),
            finding(src, "p/a", "four"),
            finding(src, "p/a", "five"),
            finding(src, "p/b", "six"),
        ];
        let known = |r: &str| r == "p" || r.starts_with("p/");
        let (kept, unused) = apply(src, &ds, fs, &known);
        let kept: Vec<_> = kept.iter().map(|f| &src[f.span.range()]).collect();
        assert_eq!(kept, ["two", "three", "five"]);
        assert_eq!(unused.len(), 1);
        assert_eq!(unused[0].rule, UNUSED);
        assert!(
            unused[0].message.contains("unknown rule or pack `nope/x`"),
            "{}",
            unused[0].message
        );
        assert!(src[unused[0].span.range()].contains("nope/x"));
    }

    #[test]
    fn empty_list_means_all_and_unused_when_nothing() {
        let src = "<!-- beautylint-disable-file -->\nx\n";
        let ds = directives(src, DocKind::Markdown);
        let (kept, unused) = apply(src, &ds, vec![finding(src, "a/b", "x")], &|_| true);
        assert!(kept.is_empty() && unused.is_empty());
        let (_, unused) = apply(src, &ds, vec![], &|_| true);
        assert_eq!(unused.len(), 1);
        assert_eq!(
            unused[0].message,
            "unused suppression: no finding to suppress here"
        );
    }

    #[test]
    fn selectors() {
        assert!(selects("microneedling", "microneedling/home-use"));
        assert!(selects("microneedling/home-use", "microneedling/home-use"));
        assert!(!selects("micro", "microneedling/home-use"));
        assert!(!selects("microneedling/home", "microneedling/home-use"));
    }
}
