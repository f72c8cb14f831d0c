//! Plain-text reader.
//!
//! - Paragraphs end at blank lines (empty or whitespace-only). The lines of
//!   a paragraph stay joined by their own newlines (`\n` or `\r\n`), mapped
//!   verbatim.
//! - A line starting (after optional spaces) with `•`, `-`, `*`, `+` or a
//!   number followed by `.` or `)`, then whitespace, starts a `ListItem`
//!   block; the marker is not prose. Following non-item lines continue the
//!   item. Items share a list id until a non-item paragraph or a heading,
//!   so a loose list (items separated by blank lines) is still one list.
//! - A paragraph of one short line (under 80 chars, not ending in `.`, `,`,
//!   `;` or `:`, not a list item) that is followed by a blank line is read as a
//!   `Heading(2)`.
//! - A UTF-8 byte order mark is skipped.

use super::builder::Builder;
use super::{BlockKind, Document};

/// Longest line (in chars) that may still be read as a heading.
const MAX_HEADING_CHARS: usize = 80;

/// One line's content range, without its line ending.
struct Line {
    start: usize,
    end: usize,
}

fn lines(source: &str, from: usize) -> Vec<Line> {
    let bytes = source.as_bytes();
    let mut out = Vec::new();
    let mut start = from;
    while start < bytes.len() {
        let nl = memchr::memchr(b'\n', &bytes[start..]).map(|i| start + i);
        let (mut end, next) = match nl {
            Some(nl) => (nl, nl + 1),
            None => (bytes.len(), bytes.len()),
        };
        if end > start && bytes[end - 1] == b'\r' {
            end -= 1;
        }
        out.push(Line { start, end });
        start = next;
    }
    out
}

/// If `line` starts a list item, the offset where its content starts.
fn list_item_content(line: &str) -> Option<usize> {
    let body = line.trim_start_matches([' ', '\t']);
    let indent = line.len() - body.len();
    let marker_len = if body.starts_with('•') {
        '•'.len_utf8()
    } else if body.starts_with(['-', '*', '+']) {
        1
    } else {
        let digits = body.bytes().take_while(u8::is_ascii_digit).count();
        if (1..=9).contains(&digits) && matches!(body.as_bytes().get(digits), Some(b'.' | b')')) {
            digits + 1
        } else {
            return None;
        }
    };
    let rest = &body[marker_len..];
    // A marker needs whitespace after it ("-5 degrees" is not an item),
    // unless it is alone on the line.
    if !rest.is_empty() && !rest.starts_with([' ', '\t']) {
        return None;
    }
    let content = rest.trim_start_matches([' ', '\t']);
    Some(indent + marker_len + (rest.len() - content.len()))
}

fn is_blank(line: &str) -> bool {
    line.trim().is_empty()
}

fn looks_like_heading(line: &str) -> bool {
    let t = line.trim();
    t.chars().count() < MAX_HEADING_CHARS
        && !t.ends_with(['.', ',', ';', ':'])
        && t.chars().any(char::is_alphabetic)
}

/// Reads plain text into a [`Document`].
pub fn parse(source: &str) -> Document {
    let from = if source.starts_with('\u{FEFF}') { 3 } else { 0 };
    let lines = lines(source, from);
    let mut b = Builder::new();
    let mut list: Option<u32> = None;
    let mut i = 0;
    while i < lines.len() {
        let line = &source[lines[i].start..lines[i].end];
        if is_blank(line) {
            i += 1;
            continue;
        }
        // The paragraph: lines i..j.
        let mut j = i;
        while j < lines.len() && !is_blank(&source[lines[j].start..lines[j].end]) {
            j += 1;
        }
        let followed_by_blank = j < lines.len();
        if j == i + 1
            && followed_by_blank
            && list_item_content(line).is_none()
            && looks_like_heading(line)
        {
            list = None;
            b.ensure(BlockKind::Heading(2), None);
            b.push_verbatim(line, lines[i].start);
            b.close();
            i = j;
            continue;
        }
        // Split the paragraph at list items; each piece is one block.
        let mut k = i;
        while k < j {
            let first = &source[lines[k].start..lines[k].end];
            let (kind, item_list, content_start) = match list_item_content(first) {
                Some(off) => {
                    let id = *list.get_or_insert_with(|| b.new_list());
                    (BlockKind::ListItem, Some(id), lines[k].start + off)
                }
                None => {
                    list = None;
                    (BlockKind::Paragraph, None, lines[k].start)
                }
            };
            let mut m = k + 1;
            while m < j && list_item_content(&source[lines[m].start..lines[m].end]).is_none() {
                m += 1;
            }
            let end = lines[m - 1].end;
            b.close();
            b.ensure(kind, item_list);
            b.push_verbatim(&source[content_start..end], content_start);
            b.close();
            k = m;
        }
        i = j;
    }
    b.finish()
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

    fn blocks(doc: &Document) -> Vec<(BlockKind, &str, Option<u32>)> {
        doc.blocks
            .iter()
            .map(|b| (b.kind, doc.block_text(b), b.list))
            .collect()
    }

    #[test]
    fn paragraphs_lists_and_headings() {
        let src = "\u{FEFF}Aftercare\n\nLine one\nline two.\n  \n- dry\n  skin\n* red\n\n3) third\n\nDone.\n";
        let doc = read(src);
        assert_eq!(
            blocks(&doc),
            vec![
                (BlockKind::Heading(2), "Aftercare", None),
                (BlockKind::Paragraph, "Line one\nline two.", None),
                (BlockKind::ListItem, "dry\n  skin", Some(1)),
                (BlockKind::ListItem, "red", Some(1)),
                (BlockKind::ListItem, "third", Some(1)),
                (BlockKind::Paragraph, "Done.", None),
            ]
        );
        assert_eq!(doc.blocks[1].headings, vec![0]);
        let red = doc.text.find("red").unwrap();
        let span = doc.source_span(red..red + 3);
        assert_eq!(&src[span.range()], "red");
    }

    #[test]
    fn crlf_multibyte_and_odd_input() {
        let src = "Caf\u{e9} \u{1F600} roller\r\nat home.\r\n\r\n\u{2022} one\r\n-5 degrees\r\n";
        let doc = read(src);
        assert_eq!(
            doc.text,
            "Caf\u{e9} \u{1F600} roller\r\nat home.\n\none\r\n-5 degrees"
        );
        assert_eq!(doc.blocks[1].kind, BlockKind::ListItem);
        for src in [
            "",
            "\u{FEFF}",
            "\n\n  \n",
            "-",
            "1.",
            "\r",
            "a\rb",
            "12345678901. x",
        ] {
            read(src);
        }
    }
}
