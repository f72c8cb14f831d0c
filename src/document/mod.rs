//! A document is an article's prose, a map from that prose back to the
//! source bytes, and its block structure (headings, paragraphs, list items).
//!
//! Every reader (Markdown, HTML, plain text) produces the same [`Document`],
//! so rules only ever see decoded prose and never re-parse markup.

pub mod offset_map;

pub use offset_map::{OffsetMap, Segment};

use std::ops::Range;

use crate::span::Span;

/// The kind of file a document was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocKind {
    Markdown,
    Html,
    Text,
}

impl DocKind {
    /// The kind for a path, by extension (any case). Unknown extensions are plain text.
    pub fn from_path(path: &std::path::Path) -> DocKind {
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(|e| e.to_ascii_lowercase());
        match ext.as_deref() {
            Some("md" | "markdown" | "mdx") => DocKind::Markdown,
            Some("html" | "htm" | "xhtml") => DocKind::Html,
            _ => DocKind::Text,
        }
    }
}

/// What a block of prose is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlockKind {
    /// A heading, `1..=6`. Front-matter `title` and HTML `<title>` count as level 1.
    Heading(u8),
    Paragraph,
    ListItem,
    Quote,
    TableCell,
    /// Front-matter `description` or a meta description.
    Description,
}

/// One block of prose: a heading, a paragraph, a list item…
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    pub kind: BlockKind,
    /// The block's range in [`Document::text`].
    pub range: Range<usize>,
    /// Indices (into [`Document::blocks`]) of the headings this block sits
    /// under, outermost first. A heading lists the headings above it.
    pub headings: Vec<usize>,
    /// For list items: an id shared by the items of one list (nested lists
    /// get their own id). `None` outside lists.
    pub list: Option<u32>,
}

/// An article read into prose with exact source mapping.
#[derive(Debug, Clone, Default)]
pub struct Document {
    /// The prose. Blocks are separated by `"\n\n"` so no pattern matches
    /// across a paragraph, list item or heading.
    pub text: String,
    /// Maps ranges of `text` back to byte ranges of the source file.
    pub map: OffsetMap,
    /// Blocks in document order; their ranges do not overlap.
    pub blocks: Vec<Block>,
}

impl Document {
    /// The source span of a range of [`Document::text`].
    pub fn source_span(&self, text_range: Range<usize>) -> Span {
        self.map.to_source(text_range)
    }

    /// The text of a block.
    pub fn block_text(&self, block: &Block) -> &str {
        &self.text[block.range.clone()]
    }
}

mod builder;
pub mod entities;
pub mod html;
pub mod markdown;
pub mod text;

/// Reads a source text into a document of the given kind. Never fails:
/// malformed markup is read as well as it can be.
pub fn parse(source: &str, kind: DocKind) -> Document {
    match kind {
        DocKind::Markdown => markdown::parse(source),
        DocKind::Html => html::parse(source),
        DocKind::Text => text::parse(source),
    }
}

/// Checks the structural invariants every reader must keep, for tests and
/// fuzzing: each segment lies within `doc.text` and `source` on char
/// boundaries; segments are non-overlapping and in order in both prose and
/// source; verbatim segments equal their source slice; blocks are ordered,
/// non-overlapping, non-empty and within the text; a block's headings are
/// earlier heading blocks.
pub fn check_invariants(doc: &Document, source: &str) -> Result<(), String> {
    let text = &doc.text;
    let (mut text_end, mut src_end) = (0, 0);
    for (i, s) in doc.map.segments().iter().enumerate() {
        let (t, r) = (s.text_range(), s.src_range());
        if s.text_len == 0 {
            return Err(format!("segment {i} {s:?} is empty"));
        }
        if text.get(t.clone()).is_none() {
            return Err(format!(
                "segment {i} {s:?}: text range out of bounds or not on char boundaries"
            ));
        }
        if source.get(r.clone()).is_none() {
            return Err(format!(
                "segment {i} {s:?}: source range out of bounds or not on char boundaries"
            ));
        }
        if t.start < text_end || r.start < src_end {
            return Err(format!(
                "segment {i} {s:?} overlaps or precedes the one before"
            ));
        }
        if s.verbatim() && text[t.clone()] != source[r.clone()] {
            return Err(format!(
                "verbatim segment {i} {s:?}: text {:?} != source {:?}",
                &text[t], &source[r]
            ));
        }
        (text_end, src_end) = (t.end, r.end);
    }
    let mut prev_end = 0;
    for (i, b) in doc.blocks.iter().enumerate() {
        let r = b.range.clone();
        if r.start < prev_end || r.start >= r.end || text.get(r.clone()).is_none() {
            return Err(format!(
                "block {i} {b:?}: bad range (previous ended at {prev_end})"
            ));
        }
        if let Some(&h) = b
            .headings
            .iter()
            .find(|&&h| h >= i || !matches!(doc.blocks[h].kind, BlockKind::Heading(_)))
        {
            return Err(format!(
                "block {i} {b:?}: heading {h} is not an earlier heading"
            ));
        }
        prev_end = r.end;
    }
    Ok(())
}

#[cfg(test)]
mod seed_tests {
    use super::*;

    /// Reads the shared seed articles (next to the clone in CI) and checks
    /// what must not be prose. Skips when they are absent.
    #[test]
    #[allow(clippy::print_stderr)] // BEAUTYLINT_DUMP=1 dumps blocks for eyeballing
    fn seed_articles() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/seed");
        for (file, kind) in [
            ("article.md", DocKind::Markdown),
            ("article.html", DocKind::Html),
            ("article.txt", DocKind::Text),
        ] {
            let Ok(source) = std::fs::read_to_string(dir.join(file)) else {
                continue;
            };
            let doc = parse(&source, kind);
            check_invariants(&doc, &source).unwrap_or_else(|e| panic!("{file}: {e}"));
            if std::env::var_os("BEAUTYLINT_DUMP").is_some() {
                for b in &doc.blocks {
                    let t = doc.block_text(b);
                    eprintln!("{file} {:?} {:?} {:?} {t:?}", b.kind, b.list, b.headings);
                }
            }
            assert!(!doc.blocks.is_empty(), "{file}: no prose");
            // No markup or script leaks into prose.
            for leak in ["<script", "</", "<!--", "-->", "function(", "{\n"] {
                assert!(!doc.text.contains(leak), "{file}: {leak:?} in prose");
            }
            if kind == DocKind::Markdown {
                assert_eq!(
                    doc.blocks[0].kind,
                    BlockKind::Heading(1),
                    "{file}: front matter title"
                );
            }
        }
    }
}
