//! Markdown reader, on pulldown-cmark's offset iterator.
//!
//! Each `Text` event is its own piece: verbatim when it equals its source
//! slice, atomic otherwise (entities). Events are never merged, because a
//! merged range no longer maps byte for byte.
//!
//! - Prose: paragraphs, headings, list items, block quotes, table cells,
//!   emphasis, link text and image alt text. Not prose: code blocks, inline
//!   code, link URLs, HTML comments, inline HTML tags (the text around them
//!   stays; the content of an inline `<script>`, `<code>`… up to its end
//!   tag in the same paragraph is skipped).
//! - Line breaks (soft and hard) become `"\n"`, mapped to the source line
//!   ending (`"\r\n"` or a hard break's `"  \n"` map atomically).
//! - List items: one `ListItem` block per paragraph of an item (a tight
//!   item is one block). Text of an item after a nested list is a new
//!   `ListItem` block with the outer list id.
//! - Front matter (YAML `---` or TOML `+++`) is skipped except the `title`
//!   (a `Heading(1)` block) and `description` (a `Description` block) single-line
//!   string values, mapped to the value's exact bytes without quotes. Escapes
//!   inside quoted values are kept as written; block scalars are skipped.
//! - Raw HTML blocks are read by the HTML reader, mapped into this source.

use std::ops::Range;

use pulldown_cmark::{Event, MetadataBlockKind, Options, Parser, Tag, TagEnd};

use super::builder::Builder;
use super::{html, BlockKind, Document};

/// Inline HTML elements whose content is not prose (as in the HTML reader).
const INLINE_SKIP: &[&str] = &[
    "script", "style", "noscript", "template", "textarea", "code", "svg", "iframe", "select",
    "button",
];

/// Reads Markdown into a [`Document`].
pub fn parse(source: &str) -> Document {
    let options = Options::ENABLE_YAML_STYLE_METADATA_BLOCKS
        | Options::ENABLE_PLUSES_DELIMITED_METADATA_BLOCKS
        | Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_FOOTNOTES;
    let mut b = Builder::new();
    // The block context of text: the innermost heading, item, quote or cell.
    let mut ctx: Vec<(BlockKind, Option<u32>)> = vec![(BlockKind::Paragraph, None)];
    let mut lists: Vec<u32> = Vec::new();
    let mut code = 0usize;
    let mut inline_skip = 0usize;
    let mut meta: Option<MetadataBlockKind> = None;
    // Consecutive raw HTML lines, read as one fragment.
    let mut html_run: Option<Range<usize>> = None;

    for (event, range) in Parser::new_ext(source, options).into_offset_iter() {
        if !matches!(event, Event::Html(_)) {
            if let Some(r) = html_run.take() {
                html::extract_into(&mut b, source, r, false);
            }
        }
        match event {
            Event::Start(tag) => {
                if is_block_start(&tag) {
                    b.close();
                }
                match tag {
                    Tag::Heading { level, .. } => {
                        ctx.push((BlockKind::Heading(level as u8), None));
                    }
                    Tag::BlockQuote(_) => ctx.push((BlockKind::Quote, None)),
                    Tag::CodeBlock(_) => code += 1,
                    Tag::List(_) => lists.push(b.new_list()),
                    Tag::Item => ctx.push((BlockKind::ListItem, lists.last().copied())),
                    Tag::FootnoteDefinition(_) => ctx.push((BlockKind::Paragraph, None)),
                    Tag::TableCell => ctx.push((BlockKind::TableCell, None)),
                    Tag::MetadataBlock(kind) => meta = Some(kind),
                    _ => {}
                }
            }
            Event::End(tag) => {
                if is_block_end(&tag) {
                    b.close();
                    inline_skip = 0; // inline HTML never spans blocks
                }
                match tag {
                    TagEnd::Heading(_)
                    | TagEnd::BlockQuote(_)
                    | TagEnd::Item
                    | TagEnd::FootnoteDefinition
                    | TagEnd::TableCell
                        if ctx.len() > 1 =>
                    {
                        ctx.pop();
                    }
                    TagEnd::CodeBlock => code = code.saturating_sub(1),
                    TagEnd::List(_) => {
                        lists.pop();
                    }
                    TagEnd::MetadataBlock(_) => meta = None,
                    _ => {}
                }
            }
            Event::Text(text) => {
                if let Some(kind) = meta {
                    front_matter(&mut b, source, range, kind);
                } else if code == 0 && inline_skip == 0 && source.get(range.clone()).is_some() {
                    let (kind, list) = *ctx.last().expect("root context");
                    b.ensure(kind, list);
                    b.push(&text, range, source);
                }
            }
            Event::SoftBreak | Event::HardBreak
                if code == 0 && inline_skip == 0 && source.get(range.clone()).is_some() =>
            {
                let (kind, list) = *ctx.last().expect("root context");
                b.ensure(kind, list);
                b.push("\n", range, source);
            }
            Event::Html(_) => {
                html_run = match html_run.take() {
                    Some(r) if r.end == range.start => Some(r.start..range.end),
                    Some(r) => {
                        html::extract_into(&mut b, source, r, false);
                        Some(range)
                    }
                    None => Some(range),
                };
            }
            Event::InlineHtml(tag) => inline_html(&tag, &mut inline_skip),
            Event::Rule => b.close(),
            // Code spans, math, footnote markers, task boxes: not prose.
            _ => {}
        }
    }
    if let Some(r) = html_run.take() {
        html::extract_into(&mut b, source, r, false);
    }
    b.finish()
}

fn is_block_start(tag: &Tag<'_>) -> bool {
    !matches!(
        tag,
        Tag::Emphasis
            | Tag::Strong
            | Tag::Strikethrough
            | Tag::Superscript
            | Tag::Subscript
            | Tag::Link { .. }
            | Tag::Image { .. }
    )
}

fn is_block_end(tag: &TagEnd) -> bool {
    !matches!(
        tag,
        TagEnd::Emphasis
            | TagEnd::Strong
            | TagEnd::Strikethrough
            | TagEnd::Superscript
            | TagEnd::Subscript
            | TagEnd::Link
            | TagEnd::Image
    )
}

/// Tracks inline `<script>`, `<code>`… so their content is skipped.
fn inline_html(tag: &str, depth: &mut usize) {
    let (closing, rest) = match tag.strip_prefix("</") {
        Some(rest) => (true, rest),
        None => match tag.strip_prefix('<') {
            Some(rest) => (false, rest),
            None => return,
        },
    };
    let name: String = rest
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect();
    if !INLINE_SKIP.contains(&name.as_str()) {
        return;
    }
    if closing {
        *depth = depth.saturating_sub(1);
    } else if !tag.trim_end().ends_with("/>") {
        *depth += 1;
    }
}

/// Reads `title` and `description` out of a front-matter body `source[range]`.
fn front_matter(b: &mut Builder, source: &str, range: Range<usize>, kind: MetadataBlockKind) {
    let Some(body) = source.get(range.clone()) else {
        return;
    };
    let mut line_start = 0;
    for line in body.split_inclusive('\n') {
        let at = range.start + line_start;
        line_start += line.len();
        let line = line.trim_end_matches(['\n', '\r']);
        for (key, block) in [
            ("title", BlockKind::Heading(1)),
            ("description", BlockKind::Description),
        ] {
            let Some(rest) = line.strip_prefix(key) else {
                continue;
            };
            let Some(value) = front_matter_value(rest, kind) else {
                continue;
            };
            // `value` is a subslice of `line`, so its offset is exact.
            let offset = value.as_ptr() as usize - line.as_ptr() as usize;
            b.close();
            b.ensure(block, None);
            b.push_verbatim(value, at + offset);
            b.close();
        }
    }
}

/// The string value after a key (`rest` starts right after the key name):
/// `: value` for YAML, ` = "value"` for TOML. Quotes are stripped.
fn front_matter_value(rest: &str, kind: MetadataBlockKind) -> Option<&str> {
    let ws = [' ', '\t'];
    let value = match kind {
        MetadataBlockKind::YamlStyle => {
            let v = rest.strip_prefix(':')?;
            if !(v.is_empty() || v.starts_with(ws)) {
                return None;
            }
            v
        }
        MetadataBlockKind::PlusesStyle => rest.trim_start_matches(ws).strip_prefix('=')?,
    };
    let value = value.trim_matches(ws);
    match value.chars().next()? {
        q @ ('"' | '\'') => {
            let inner = &value[1..];
            if inner.starts_with(q) {
                return None; // empty string or a TOML multi-line string
            }
            // The closing quote: the first one not escaped (`\"`, YAML `''`).
            let bytes = inner.as_bytes();
            let mut i = 0;
            while i < bytes.len() {
                match bytes[i] {
                    b'\\' if q == '"' => i += 2,
                    b'\'' if q == '\'' && bytes.get(i + 1) == Some(&b'\'') => i += 2,
                    c if c == q as u8 => return Some(&inner[..i]),
                    _ => i += 1,
                }
            }
            None
        }
        // Block scalars and flow collections are not read.
        '|' | '>' | '[' | '{' | '#' => None,
        _ if kind == MetadataBlockKind::PlusesStyle => None, // TOML strings are quoted
        _ => {
            // A YAML plain scalar ends at a comment.
            let v = value.find(" #").map_or(value, |i| &value[..i]);
            Some(v.trim_end_matches(ws))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::check_invariants;

    fn read(src: &str) -> Document {
        let doc = parse(src);
        check_invariants(&doc, src).unwrap();
        doc
    }

    fn blocks(doc: &Document) -> Vec<(BlockKind, &str)> {
        doc.blocks
            .iter()
            .map(|b| (b.kind, doc.block_text(b)))
            .collect()
    }

    fn span_of<'a>(doc: &Document, src: &'a str, needle: &str) -> &'a str {
        let at = doc.text.find(needle).unwrap();
        &src[doc.source_span(at..at + needle.len()).range()]
    }

    #[test]
    fn entities_escapes_and_inline_markup() {
        let src = "Caf&eacute; it&rsquo;s \\*not* *em* **strong** [link](http://u.rl) \
            ![alt &amp; text](i.png) `code` ~~gone~~ <b>bold</b> <!-- hidden -->";
        let doc = read(src);
        assert_eq!(
            doc.text,
            "Caf\u{e9} it\u{2019}s *not* em strong link alt & text  gone bold"
        );
        assert_eq!(span_of(&doc, src, "Caf\u{e9}"), "Caf&eacute;");
        assert_eq!(span_of(&doc, src, "*not"), "*not");
        assert_eq!(span_of(&doc, src, "&"), "&amp;");
        assert!(!doc.text.contains("http"));
    }

    #[test]
    fn blocks_lists_quotes_tables_and_heading_chains() {
        let src = "# Top\n\nIntro\nline two\n\n## Steps\n\n- one\n- two\n  - inner\n  \n  tail\n\n\
            1. first\n\n   second para\n2. next\n\n> quoted\n> more\n\n\
            | a | b |\n|---|---|\n| c | d |\n\n### Deep\n\n## Side\n\n```\ncode\n```\n\n    indented\n\nend\n";
        let doc = read(src);
        use BlockKind::*;
        assert_eq!(
            blocks(&doc),
            vec![
                (Heading(1), "Top"),
                (Paragraph, "Intro\nline two"),
                (Heading(2), "Steps"),
                (ListItem, "one"),
                (ListItem, "two"),
                (ListItem, "inner"),
                (ListItem, "tail"),
                (ListItem, "first"),
                (ListItem, "second para"),
                (ListItem, "next"),
                (Quote, "quoted\nmore"),
                (TableCell, "a"),
                (TableCell, "b"),
                (TableCell, "c"),
                (TableCell, "d"),
                (Heading(3), "Deep"),
                (Heading(2), "Side"),
                (Paragraph, "end"),
            ]
        );
        let l = |i: usize| doc.blocks[i].list;
        assert!(l(3).is_some());
        assert_eq!(l(3), l(4));
        assert_eq!(l(4), l(6));
        assert_ne!(l(5), l(4));
        assert_eq!(l(7), l(8));
        assert_eq!(l(7), l(9));
        assert_ne!(l(7), l(3));
        assert_eq!(doc.blocks[3].headings, vec![0, 2]);
        assert_eq!(doc.blocks[15].headings, vec![0, 2]);
        assert_eq!(doc.blocks[16].headings, vec![0]);
        assert_eq!(doc.blocks[17].headings, vec![0, 16]);
    }

    #[test]
    fn front_matter_title_and_description() {
        let src = "---\ntitle: \"Derma &amp; you\"\nauthor: x\ndescription: Plain value # note\n---\n\n# Body\n";
        let doc = read(src);
        assert_eq!(
            blocks(&doc),
            vec![
                (BlockKind::Heading(1), "Derma &amp; you"),
                (BlockKind::Description, "Plain value"),
                (BlockKind::Heading(1), "Body"),
            ]
        );
        assert_eq!(span_of(&doc, src, "Derma"), "Derma");
        let src =
            "+++\r\ntitle = 'At home'\r\ndescription = \"Why \\\"not\\\"\"\r\n+++\r\nText\r\n";
        let doc = read(src);
        assert_eq!(doc.text, "At home\n\nWhy \\\"not\\\"\n\nText");
    }

    #[test]
    fn raw_html_blocks_and_comments() {
        let src = "Before\n\n<div class=\"x\">\n<p>Inside caf&eacute;</p>\n<script>roll()</script>\n</div>\n\n\
            <!-- dermaroller at home -->\n\nAfter <span>inline</span> <script>x()</script> end\n";
        let doc = read(src);
        assert_eq!(
            blocks(&doc),
            vec![
                (BlockKind::Paragraph, "Before"),
                (BlockKind::Paragraph, "Inside caf\u{e9}"),
                (BlockKind::Paragraph, "After inline  end"),
            ]
        );
        assert_eq!(span_of(&doc, src, "\u{e9}"), "&eacute;");
    }

    #[test]
    fn crlf_and_multibyte() {
        let src = "Caf\u{e9} \u{1F600}\r\nnext  \r\nhard\r\n\r\n- item \u{e9}\r\n";
        let doc = read(src);
        assert_eq!(doc.text, "Caf\u{e9} \u{1F600}\nnext\nhard\n\nitem \u{e9}");
        assert_eq!(span_of(&doc, src, "\u{1F600}\nnext"), "\u{1F600}\r\nnext");
    }

    #[test]
    fn odd_input_does_not_panic() {
        for src in [
            "",
            "---",
            "---\ntitle:\n---",
            "---\ntitle: \"unterminated\n---\n",
            "+++\ntitle = \"\"\"multi\"\"\"\n+++",
            "```\nunclosed",
            "<div>\n<!-- unclosed",
            "<script>\nnever closed",
            "[link](",
            "> > > deep\n>",
            "- a\n - b\n  - c\n   - d",
            "\\",
            "&#0; &#xD800; &bogus;",
            "| a |\n|---|\n| b | c | d |",
            "[^1]\n\n[^1]: note",
        ] {
            read(src);
        }
    }
}
