//! Open documents' text: LSP positions (line + UTF-16 code units or UTF-8
//! bytes, as negotiated) to byte offsets and back, and applying
//! `didChange` edits.
//!
//! Findings carry byte spans into the text; this module is the only place
//! that knows how the client counts columns. Lines end at `\n`, `\r\n` or a
//! lone `\r`, as the LSP specification says.

use lsp_types::{Position, Range, TextDocumentContentChangeEvent};

use crate::span::Span;

/// How the client counts `Position::character`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// UTF-8 code units (bytes).
    Utf8,
    /// UTF-16 code units, the LSP default: a character outside the Basic
    /// Multilingual Plane (most emoji) counts 2.
    Utf16,
}

impl Encoding {
    fn units(self, c: char) -> usize {
        match self {
            Encoding::Utf8 => c.len_utf8(),
            Encoding::Utf16 => c.len_utf16(),
        }
    }

    fn count(self, s: &str) -> usize {
        match self {
            Encoding::Utf8 => s.len(),
            Encoding::Utf16 => s.chars().map(char::len_utf16).sum(),
        }
    }
}

/// Byte offsets of the start of every line of a text.
#[derive(Debug, Clone)]
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let bytes = text.as_bytes();
        let mut starts = vec![0];
        let mut iter = memchr::memchr2_iter(b'\n', b'\r', bytes).peekable();
        while let Some(i) = iter.next() {
            if bytes[i] == b'\r' && bytes.get(i + 1) == Some(&b'\n') {
                // One break: skip the `\n` of a `\r\n`.
                iter.next();
                starts.push(i + 2);
            } else {
                starts.push(i + 1);
            }
        }
        LineIndex { starts }
    }

    /// 0-based line of a byte offset.
    pub fn line_of(&self, offset: usize) -> usize {
        self.starts.partition_point(|&s| s <= offset) - 1
    }

    /// Byte range of a 0-based line's content, without its line break.
    pub fn line_range(&self, text: &str, line: usize) -> Option<std::ops::Range<usize>> {
        let start = *self.starts.get(line)?;
        let mut end = self.starts.get(line + 1).copied().unwrap_or(text.len());
        let b = text.as_bytes();
        if end > start && b[end - 1] == b'\n' {
            end -= 1;
        }
        if end > start && b[end - 1] == b'\r' {
            end -= 1;
        }
        Some(start..end)
    }

    pub fn line_count(&self) -> usize {
        self.starts.len()
    }

    /// The position of a byte offset. An offset past the end is the end; an
    /// offset inside a character is that character's start.
    pub fn position(&self, text: &str, offset: usize, enc: Encoding) -> Position {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.line_of(offset);
        let character = enc.count(&text[self.starts[line]..offset]);
        Position::new(line as u32, character as u32)
    }

    /// The byte offset of a position. A line past the end is the end of the
    /// text; a column past the end of its line is the end of the line (the
    /// LSP rule); a column inside a character is that character's start.
    pub fn offset(&self, text: &str, pos: Position, enc: Encoding) -> usize {
        let Some(line) = self.line_range(text, pos.line as usize) else {
            return text.len();
        };
        let want = pos.character as usize;
        let mut units = 0;
        for (i, c) in text[line.clone()].char_indices() {
            let n = enc.units(c);
            if units + n > want {
                return line.start + i;
            }
            units += n;
        }
        line.end
    }

    /// The LSP range of a byte span.
    pub fn range(&self, text: &str, span: Span, enc: Encoding) -> Range {
        Range::new(
            self.position(text, span.start, enc),
            self.position(text, span.end, enc),
        )
    }
}

/// Applies one `didChange` content change: a range edit, or the whole text
/// when the change has no range. Ranges are clamped to the text, so a
/// confused client cannot make the server panic.
pub fn apply_change(text: &mut String, change: TextDocumentContentChangeEvent, enc: Encoding) {
    match change.range {
        None => *text = change.text,
        Some(range) => {
            let index = LineIndex::new(text);
            let start = index.offset(text, range.start, enc);
            let end = index.offset(text, range.end, enc).max(start);
            text.replace_range(start..end, &change.text);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LINE: &str = "🌟 Roll your derma roller, café.";

    #[test]
    fn positions_count_utf16_units_or_bytes() {
        let text = format!("# Notes\n\n{LINE}\n");
        let idx = LineIndex::new(&text);
        let at = text.find("derma").unwrap();
        // 🌟 is 2 UTF-16 units and 4 bytes.
        assert_eq!(
            idx.position(&text, at, Encoding::Utf16),
            Position::new(2, 13)
        );
        assert_eq!(
            idx.position(&text, at, Encoding::Utf8),
            Position::new(2, 15)
        );
        let end = text.find('.').unwrap() + 1;
        assert_eq!(
            idx.position(&text, end, Encoding::Utf16),
            Position::new(2, 32)
        );
        assert_eq!(
            idx.position(&text, end, Encoding::Utf8),
            Position::new(2, 35)
        );
        for enc in [Encoding::Utf8, Encoding::Utf16] {
            for (off, _) in text.char_indices() {
                let p = idx.position(&text, off, enc);
                assert_eq!(idx.offset(&text, p, enc), off, "{enc:?} {off} {p:?}");
            }
        }
    }

    #[test]
    fn crlf_and_lone_cr_end_lines() {
        let text = "a\r\nb\rc\nd";
        let idx = LineIndex::new(text);
        assert_eq!(idx.line_count(), 4);
        assert_eq!(idx.offset(text, Position::new(1, 0), Encoding::Utf16), 3);
        assert_eq!(idx.offset(text, Position::new(2, 0), Encoding::Utf16), 5);
        // Past the end of a line: the end of its content, before `\r\n`.
        assert_eq!(idx.offset(text, Position::new(0, 9), Encoding::Utf16), 1);
        assert_eq!(idx.offset(text, Position::new(9, 0), Encoding::Utf16), 8);
        assert_eq!(idx.position(text, 7, Encoding::Utf8), Position::new(3, 0));
    }

    #[test]
    fn incremental_edits_use_the_negotiated_encoding() {
        let mut t16 = format!("{LINE}\nsecond\n");
        let mut t8 = t16.clone();
        // Replace "Roll" (after the emoji) with "Use".
        let edit = |start: u32, end: u32| TextDocumentContentChangeEvent {
            range: Some(Range::new(Position::new(0, start), Position::new(0, end))),
            range_length: None,
            text: "Use".into(),
        };
        apply_change(&mut t16, edit(3, 7), Encoding::Utf16);
        apply_change(&mut t8, edit(5, 9), Encoding::Utf8);
        assert!(t16.starts_with("🌟 Use your"), "{t16}");
        assert_eq!(t16, t8);
        // A column inside the emoji snaps to its start instead of panicking.
        apply_change(&mut t8, edit(1, 1), Encoding::Utf16);
        assert!(t8.starts_with("Use🌟 Use"), "{t8}");
        apply_change(
            &mut t8,
            TextDocumentContentChangeEvent {
                range: None,
                range_length: None,
                text: "new".into(),
            },
            Encoding::Utf8,
        );
        assert_eq!(t8, "new");
    }
}
