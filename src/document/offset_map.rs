//! Maps ranges of a document's prose back to byte ranges of its source.
//!
//! Prose is built from segments. A *verbatim* segment is source text copied
//! as is, so it maps byte for byte. An *atomic* segment is decoded text (an
//! HTML entity, a Markdown escape) whose source differs; any part of it maps
//! to the whole source range, so a finding never splits an entity.
//! Text between segments (the block separators) has no source of its own.

use std::ops::Range;

use crate::span::Span;

/// One piece of prose and where it came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Segment {
    /// Start of the piece in the prose.
    pub text_start: usize,
    /// Length of the piece in the prose, in bytes.
    pub text_len: usize,
    /// Start of its source in the file.
    pub src_start: usize,
    /// Length of its source in the file, in bytes.
    pub src_len: usize,
    /// Set when the piece is decoded text whose source happens to have the
    /// same length (`&acE;` and its 5-byte decoding, `"\n"` from a lone
    /// `"\r"`): equal lengths alone would wrongly say "verbatim".
    pub atomic: bool,
}

impl Segment {
    /// Whether the piece is a byte-for-byte copy of its source.
    pub fn verbatim(&self) -> bool {
        !self.atomic && self.text_len == self.src_len
    }
    /// End of the piece in the prose.
    pub fn text_end(&self) -> usize {
        self.text_start + self.text_len
    }
    /// End of its source in the file.
    pub fn src_end(&self) -> usize {
        self.src_start + self.src_len
    }
    /// The piece's range in the prose.
    pub fn text_range(&self) -> Range<usize> {
        self.text_start..self.text_end()
    }
    /// The piece's range in the source.
    pub fn src_range(&self) -> Range<usize> {
        self.src_start..self.src_end()
    }
}

/// Segments in prose order (and, for every reader we have, source order).
#[derive(Debug, Clone, Default)]
pub struct OffsetMap {
    segments: Vec<Segment>,
}

impl OffsetMap {
    /// An empty map.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records that `text_len` bytes of prose starting at `text_start` came
    /// from `src`. Equal lengths mean the piece is verbatim. Adjacent
    /// verbatim pieces are merged to keep the map small.
    pub fn push(&mut self, text_start: usize, text_len: usize, src: Range<usize>) {
        self.push_kind(text_start, text_len, src, false);
    }

    /// Like [`OffsetMap::push`], but the piece is atomic even when its
    /// length equals its source's.
    pub fn push_atomic(&mut self, text_start: usize, text_len: usize, src: Range<usize>) {
        self.push_kind(text_start, text_len, src, true);
    }

    fn push_kind(&mut self, text_start: usize, text_len: usize, src: Range<usize>, atomic: bool) {
        if text_len == 0 {
            return;
        }
        debug_assert!(
            self.segments
                .last()
                .is_none_or(|l| l.text_end() <= text_start),
            "segments must be pushed in prose order"
        );
        let seg = Segment {
            text_start,
            text_len,
            src_start: src.start,
            src_len: src.end - src.start,
            atomic,
        };
        if let Some(last) = self.segments.last_mut() {
            if last.verbatim()
                && seg.verbatim()
                && last.text_end() == seg.text_start
                && last.src_end() == seg.src_start
            {
                last.text_len += seg.text_len;
                last.src_len += seg.src_len;
                return;
            }
        }
        self.segments.push(seg);
    }

    /// The segments, in prose order.
    pub fn segments(&self) -> &[Segment] {
        &self.segments
    }

    /// Drops everything from prose offset `text_len` on. A verbatim segment
    /// that crosses the cut is shortened; an atomic one is dropped whole
    /// (callers only cut atomic pieces at their start).
    pub fn truncate(&mut self, text_len: usize) {
        while let Some(last) = self.segments.last_mut() {
            if last.text_start >= text_len {
                self.segments.pop();
            } else if last.text_end() > text_len {
                if last.verbatim() {
                    let cut = last.text_end() - text_len;
                    last.text_len -= cut;
                    last.src_len -= cut;
                } else {
                    self.segments.pop();
                }
                return;
            } else {
                return;
            }
        }
    }

    /// Source byte offset of a prose offset, snapping to the start of an
    /// atomic segment (or of the next segment, for separator text).
    fn start_to_source(&self, pos: usize) -> Option<usize> {
        let i = self.segments.partition_point(|s| s.text_end() <= pos);
        let s = self.segments.get(i)?;
        if pos <= s.text_start {
            Some(s.src_start)
        } else if s.verbatim() {
            Some(s.src_start + (pos - s.text_start))
        } else {
            Some(s.src_start)
        }
    }

    /// Source byte offset of a prose end offset, snapping to the end of an
    /// atomic segment (or of the previous segment, for separator text).
    fn end_to_source(&self, pos: usize) -> Option<usize> {
        let i = self.segments.partition_point(|s| s.text_start < pos);
        let s = self.segments.get(i.checked_sub(1)?)?;
        if pos >= s.text_end() {
            Some(s.src_end())
        } else if s.verbatim() {
            Some(s.src_start + (pos - s.text_start))
        } else {
            Some(s.src_end())
        }
    }

    /// The source span of a prose range. Empty or unmapped ranges give an
    /// empty span at the nearest mapped position.
    pub fn to_source(&self, range: Range<usize>) -> Span {
        let start = self.start_to_source(range.start);
        let end = self.end_to_source(range.end);
        match (start, end) {
            (Some(s), Some(e)) if s <= e => Span::new(s, e),
            (Some(s), _) => Span::new(s, s),
            (None, Some(e)) => Span::new(e, e),
            (None, None) => Span::new(0, 0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verbatim_segments_map_byte_for_byte() {
        let mut m = OffsetMap::new();
        // prose "Caf" + "é" (from "&eacute;") + " roller"
        m.push(0, 3, 10..13);
        m.push(3, 2, 13..21);
        m.push(5, 7, 21..28);
        assert_eq!(m.to_source(0..3), Span::new(10, 13));
        assert_eq!(m.to_source(0..5), Span::new(10, 21));
        assert_eq!(m.to_source(4..5), Span::new(13, 21));
        assert_eq!(m.to_source(6..12), Span::new(22, 28));
    }

    #[test]
    fn separators_snap_outward_to_neighbours() {
        let mut m = OffsetMap::new();
        m.push(0, 4, 0..4); // "Roll"
        m.push(6, 4, 20..24); // "Stop" after "\n\n"
        assert_eq!(m.to_source(0..10), Span::new(0, 24));
        assert_eq!(m.to_source(4..6), Span::new(20, 20));
    }
}
