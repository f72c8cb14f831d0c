//! The shared document builder: readers append prose pieces with their
//! source ranges, and open and close blocks; the builder keeps the offset
//! map, the `"\n\n"` separators, the heading chain and list ids consistent.

use std::ops::Range;

use super::{Block, BlockKind, Document, OffsetMap};

/// The block currently being filled.
#[derive(Debug, Clone, Copy)]
struct OpenBlock {
    kind: BlockKind,
    list: Option<u32>,
    /// Where the separator before this block starts (the cut point if the
    /// block ends up empty).
    sep_start: usize,
    /// Where the block's own text starts.
    start: usize,
}

/// Builds a [`Document`] one piece of prose at a time.
#[derive(Debug, Default)]
pub(crate) struct Builder {
    text: String,
    map: OffsetMap,
    blocks: Vec<Block>,
    open: Option<OpenBlock>,
    /// End of the last mapped source range: pieces must not go backwards.
    src_end: usize,
    /// Enclosing headings as `(level, block index)`, outermost first.
    headings: Vec<(u8, usize)>,
    next_list: u32,
}

impl Builder {
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// A fresh list id.
    pub(crate) fn new_list(&mut self) -> u32 {
        self.next_list += 1;
        self.next_list
    }

    /// Makes sure the open block has this kind and list id, closing the
    /// current block and opening a new one if not.
    pub(crate) fn ensure(&mut self, kind: BlockKind, list: Option<u32>) {
        if let Some(b) = self.open {
            if b.kind == kind && b.list == list {
                return;
            }
        }
        self.close();
        let sep_start = self.text.len();
        if !self.text.is_empty() {
            self.text.push_str("\n\n");
        }
        self.open = Some(OpenBlock {
            kind,
            list,
            sep_start,
            start: self.text.len(),
        });
    }

    /// Whether the open block has no text yet (leading whitespace is dropped).
    fn at_block_start(&self) -> bool {
        self.open.is_none_or(|b| self.text.len() == b.start)
    }

    /// Appends a source slice verbatim; `src_start` is its offset in the source.
    /// Opens a paragraph if no block is open.
    pub(crate) fn push_verbatim(&mut self, slice: &str, src_start: usize) {
        if self.open.is_none() {
            self.ensure(BlockKind::Paragraph, None);
        }
        let (slice, src_start) = if self.at_block_start() {
            // Leading whitespace of a block is layout, not prose.
            let t = slice.trim_start();
            (t, src_start + (slice.len() - t.len()))
        } else {
            (slice, src_start)
        };
        if slice.is_empty() || src_start < self.src_end {
            return;
        }
        self.src_end = src_start + slice.len();
        let at = self.text.len();
        self.text.push_str(slice);
        self.map
            .push(at, slice.len(), src_start..src_start + slice.len());
    }

    /// Appends decoded text that stands for the whole source range `src`
    /// (an entity, an escape, a normalised line break).
    pub(crate) fn push_atomic(&mut self, text: &str, src: Range<usize>) {
        if self.open.is_none() {
            self.ensure(BlockKind::Paragraph, None);
        }
        // A piece that would go backwards in the source (no reader should
        // produce one) is dropped rather than break the map's order.
        if text.is_empty()
            || src.start < self.src_end
            || src.start > src.end
            || (self.at_block_start() && text.trim().is_empty())
        {
            return;
        }
        self.src_end = src.end;
        let at = self.text.len();
        self.text.push_str(text);
        self.map.push_atomic(at, text.len(), src);
    }

    /// Appends `text` read from `source[src]`: verbatim when it is equal to
    /// the source slice, atomic otherwise.
    pub(crate) fn push(&mut self, text: &str, src: Range<usize>, source: &str) {
        if source.get(src.clone()) == Some(text) {
            self.push_verbatim(text, src.start);
        } else {
            self.push_atomic(text, src);
        }
    }

    /// Ends the open block. Trailing whitespace is dropped; a block left
    /// empty is not recorded and its separator is removed.
    pub(crate) fn close(&mut self) {
        let Some(b) = self.open.take() else { return };
        self.trim_end(b.start);
        if self.text.len() == b.start {
            self.text.truncate(b.sep_start);
            self.map.truncate(b.sep_start);
            return;
        }
        let idx = self.blocks.len();
        if let BlockKind::Heading(level) = b.kind {
            while self.headings.last().is_some_and(|&(l, _)| l >= level) {
                self.headings.pop();
            }
        }
        let headings = self.headings.iter().map(|&(_, i)| i).collect();
        if let BlockKind::Heading(level) = b.kind {
            self.headings.push((level, idx));
        }
        self.blocks.push(Block {
            kind: b.kind,
            range: b.start..self.text.len(),
            headings,
            list: b.list,
        });
    }

    /// Drops trailing whitespace back to `start`: verbatim segments are
    /// shortened, atomic ones removed only when they are all whitespace.
    fn trim_end(&mut self, start: usize) {
        while let Some(last) = self.map.segments().last().copied() {
            if last.text_end() != self.text.len() || last.text_start < start {
                break;
            }
            let piece = &self.text[last.text_range()];
            let kept = piece.trim_end().len();
            if kept == piece.len() {
                break;
            }
            if last.verbatim() {
                let cut = last.text_start + kept;
                self.text.truncate(cut);
                self.map.truncate(cut);
                if kept > 0 {
                    break;
                }
            } else if kept == 0 {
                self.text.truncate(last.text_start);
                self.map.truncate(last.text_start);
            } else {
                break;
            }
        }
    }

    /// Closes the open block and returns the document.
    pub(crate) fn finish(mut self) -> Document {
        self.close();
        Document {
            text: self.text,
            map: self.map,
            blocks: self.blocks,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn separators_headings_and_empty_blocks() {
        let src = "Title  body   Sub";
        let mut b = Builder::new();
        b.ensure(BlockKind::Heading(1), None);
        b.push_verbatim(&src[0..7], 0);
        b.ensure(BlockKind::Paragraph, None);
        b.push_verbatim("   ", 7);
        b.close();
        b.ensure(BlockKind::Paragraph, None);
        b.push_verbatim(&src[7..13], 7);
        b.ensure(BlockKind::Heading(2), None);
        b.push_verbatim(&src[13..], 13);
        b.ensure(BlockKind::Heading(1), None);
        b.push_atomic(" ", 0..1);
        let doc = b.finish();
        assert_eq!(doc.text, "Title\n\nbody\n\nSub");
        assert_eq!(doc.blocks.len(), 3);
        assert_eq!(doc.blocks[1].headings, vec![0]);
        assert_eq!(doc.blocks[2].headings, vec![0]);
        assert_eq!(doc.source_span(7..11).range(), 7..11);
        crate::document::check_invariants(&doc, src).unwrap();
    }
}
