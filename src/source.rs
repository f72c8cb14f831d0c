//! Reading a file into text whose byte offsets equal the file's.
//!
//! - Binary files (NUL bytes), UTF-16/UTF-32 text and files over the size cap
//!   are skipped with a reason; they are not errors.
//! - A UTF-8 BOM is kept in the text ([`crate::span::LineIndex`] does not count
//!   it as a column and the readers skip it).
//! - Bytes that are not valid UTF-8 are each replaced by one
//!   [`PLACEHOLDER`] byte (not U+FFFD, which is three bytes), so every span
//!   still points at the same bytes on disk.

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

use content_inspector::ContentType;

/// Stands in for each byte that is not valid UTF-8 (ASCII SUB, one byte).
pub const PLACEHOLDER: char = '\u{1A}';

/// A file read as text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceText {
    /// The text; `text.len()` equals the file's length in bytes.
    pub text: String,
    /// How many bytes were not valid UTF-8 and were replaced.
    pub invalid_bytes: usize,
}

/// The outcome of reading one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Loaded {
    Text(SourceText),
    /// Not linted, for this reason (binary, too large, UTF-16…).
    Skipped(String),
}

/// Reads a file. `Err` is an I/O error (permission denied, vanished…).
pub fn read(path: &Path, max_size: u64) -> io::Result<Loaded> {
    let file = File::open(path)?;
    let len = file.metadata()?.len();
    if len > max_size {
        return Ok(Loaded::Skipped(too_large(len, max_size)));
    }
    let mut bytes = Vec::with_capacity(len as usize);
    // Read at most one byte past the cap, in case the file grew.
    file.take(max_size.saturating_add(1))
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > max_size {
        return Ok(Loaded::Skipped(too_large(bytes.len() as u64, max_size)));
    }
    Ok(decode(bytes))
}

fn too_large(len: u64, max: u64) -> String {
    format!("file is larger than --max-file-size ({len} > {max} bytes)")
}

/// Turns a file's bytes into text, or a reason to skip it.
pub fn decode(bytes: Vec<u8>) -> Loaded {
    match content_inspector::inspect(&bytes) {
        ContentType::BINARY => return Loaded::Skipped("binary file".into()),
        ContentType::UTF_16LE | ContentType::UTF_16BE => {
            return Loaded::Skipped("UTF-16 text is not supported".into())
        }
        ContentType::UTF_32LE | ContentType::UTF_32BE => {
            return Loaded::Skipped("UTF-32 text is not supported".into())
        }
        ContentType::UTF_8 | ContentType::UTF_8_BOM => {}
    }
    match String::from_utf8(bytes) {
        Ok(text) => Loaded::Text(SourceText {
            text,
            invalid_bytes: 0,
        }),
        Err(e) => Loaded::Text(lossy_same_length(e.as_bytes())),
    }
}

/// Like `String::from_utf8_lossy`, but one placeholder byte per invalid
/// byte, so offsets are unchanged.
fn lossy_same_length(bytes: &[u8]) -> SourceText {
    let mut text = String::with_capacity(bytes.len());
    let mut invalid_bytes = 0;
    for chunk in bytes.utf8_chunks() {
        text.push_str(chunk.valid());
        let bad = chunk.invalid().len();
        invalid_bytes += bad;
        text.extend(std::iter::repeat_n(PLACEHOLDER, bad));
    }
    debug_assert_eq!(text.len(), bytes.len());
    SourceText {
        text,
        invalid_bytes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(l: Loaded) -> SourceText {
        match l {
            Loaded::Text(t) => t,
            Loaded::Skipped(r) => panic!("skipped: {r}"),
        }
    }

    #[test]
    fn invalid_utf8_keeps_offsets() {
        let bytes = b"caf\xe9 roller \xff\xfe at home".to_vec();
        let t = text(decode(bytes.clone()));
        assert_eq!(t.text.len(), bytes.len());
        assert_eq!(t.invalid_bytes, 3);
        let at = t.text.find("at home").unwrap();
        assert_eq!(&bytes[at..at + 7], b"at home");
    }

    #[test]
    fn bom_is_kept() {
        let t = text(decode(b"\xef\xbb\xbfhi".to_vec()));
        assert_eq!(t.text, "\u{feff}hi");
    }

    #[test]
    fn binary_and_utf16_are_skipped() {
        assert_eq!(
            decode(b"ab\0cd".to_vec()),
            Loaded::Skipped("binary file".into())
        );
        assert_eq!(
            decode(b"\xff\xfeh\0i\0".to_vec()),
            Loaded::Skipped("UTF-16 text is not supported".into())
        );
    }

    #[test]
    fn empty_file_is_text() {
        assert_eq!(text(decode(Vec::new())).text, "");
    }
}
