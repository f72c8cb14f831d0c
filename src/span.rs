//! Byte spans into a source file, and the line index that turns them into
//! 1-based line and column numbers for reports.

use std::ops::Range;

/// A half-open byte range `[start, end)` into a source file as it is on disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    /// Builds a span; `start <= end` is an invariant every caller must keep.
    pub fn new(start: usize, end: usize) -> Self {
        debug_assert!(start <= end, "span start {start} after end {end}");
        Span { start, end }
    }

    pub fn len(&self) -> usize {
        self.end - self.start
    }

    pub fn is_empty(&self) -> bool {
        self.start == self.end
    }

    pub fn range(&self) -> Range<usize> {
        self.start..self.end
    }
}

impl From<Range<usize>> for Span {
    fn from(r: Range<usize>) -> Self {
        Span::new(r.start, r.end)
    }
}

impl From<Span> for miette::SourceSpan {
    fn from(s: Span) -> Self {
        (s.start, s.len()).into()
    }
}

/// A 1-based line and a 1-based column counted in Unicode scalar values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct LineCol {
    pub line: usize,
    pub column: usize,
}

/// Start offsets of every line of a source text. Lines end at `\n`, so a
/// CRLF file has the same line numbers as its LF twin.
#[derive(Debug, Clone)]
pub struct LineIndex {
    line_starts: Vec<usize>,
    /// `char_marks[k]`: characters before byte `k * MARK`, so a column is
    /// found in O(MARK) and not O(line length) (a 1 MB single line with
    /// thousands of findings was quadratic). Built when a line longer than
    /// `MARK` first needs it: most files have none.
    char_marks: std::cell::OnceCell<Vec<usize>>,
}

const MARK: usize = 4096;

/// Whether a byte starts a character (is not a UTF-8 continuation byte).
fn starts_char(b: &u8) -> bool {
    (*b as i8) >= -0x40
}

impl LineIndex {
    pub fn new(source: &str) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(memchr::memchr_iter(b'\n', source.as_bytes()).map(|i| i + 1));
        LineIndex {
            line_starts,
            char_marks: std::cell::OnceCell::new(),
        }
    }

    /// Characters in `source[..offset]` (`offset` on a char boundary).
    fn chars_before(&self, source: &str, offset: usize) -> usize {
        let marks = self.char_marks.get_or_init(|| {
            let mut marks = vec![0];
            for chunk in source.as_bytes().chunks(MARK) {
                let before = marks.last().copied().unwrap_or(0);
                marks.push(before + chunk.iter().filter(|b| starts_char(b)).count());
            }
            marks
        });
        let k = offset / MARK;
        let rest = &source.as_bytes()[k * MARK..offset];
        marks[k] + rest.iter().filter(|b| starts_char(b)).count()
    }

    /// Line and column of a byte offset. An offset inside a multibyte
    /// character counts as that character's position. A BOM at the start of
    /// the file is not counted as a column, as editors do not show it.
    pub fn line_col(&self, source: &str, offset: usize) -> LineCol {
        let offset = offset.min(source.len());
        let line = self.line_starts.partition_point(|&s| s <= offset) - 1;
        let mut start = self.line_starts[line];
        if line == 0 && source.starts_with('\u{feff}') && offset >= 3 {
            start = 3;
        }
        let mut end = offset;
        while !source.is_char_boundary(end) {
            end -= 1;
        }
        // Most lines are short: count their characters directly.
        let column = if end - start <= MARK {
            source.as_bytes()[start..end]
                .iter()
                .filter(|b| starts_char(b))
                .count()
        } else {
            self.chars_before(source, end) - self.chars_before(source, start)
        } + 1;
        LineCol {
            line: line + 1,
            column,
        }
    }

    /// Byte offset of a 1-based line's start, if the line exists.
    pub fn line_start(&self, line: usize) -> Option<usize> {
        line.checked_sub(1)
            .and_then(|i| self.line_starts.get(i).copied())
    }

    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_count_characters_not_bytes() {
        let src = "café roller\nsecond";
        let idx = LineIndex::new(src);
        assert_eq!(idx.line_col(src, 0), LineCol { line: 1, column: 1 });
        let r = src.find("roller").unwrap();
        assert_eq!(idx.line_col(src, r), LineCol { line: 1, column: 6 });
        let s = src.find("second").unwrap();
        assert_eq!(idx.line_col(src, s), LineCol { line: 2, column: 1 });
        assert_eq!(idx.line_col(src, src.len()), LineCol { line: 2, column: 7 });
    }

    #[test]
    fn crlf_counts_one_line_break() {
        let src = "a\r\nb";
        let idx = LineIndex::new(src);
        assert_eq!(idx.line_col(src, 3), LineCol { line: 2, column: 1 });
        assert_eq!(idx.line_col(src, 1), LineCol { line: 1, column: 2 });
    }

    #[test]
    fn long_line_columns_match_a_plain_count() {
        // Regression: columns on a long single line were O(line length).
        let src = "é roll 日本 😀 ".repeat(3000);
        let idx = LineIndex::new(&src);
        for (off, _) in src.char_indices().step_by(997) {
            let want = src[..off].chars().count() + 1;
            assert_eq!(idx.line_col(&src, off).column, want, "at {off}");
        }
        let end = idx.line_col(&src, src.len());
        assert_eq!(end.column, src.chars().count() + 1);
    }

    #[test]
    fn bom_is_not_a_column() {
        let src = "\u{feff}roll";
        let idx = LineIndex::new(src);
        assert_eq!(idx.line_col(src, 3), LineCol { line: 1, column: 1 });
        assert_eq!(idx.line_col(src, 7), LineCol { line: 1, column: 5 });
    }
}
