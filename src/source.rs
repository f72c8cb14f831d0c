//! Reading a file into text whose byte offsets equal the file's.
//!
//! - Binary files (NUL bytes), UTF-16/UTF-32 text and files over the size cap
//!   are skipped with a reason; they are not errors.
//! - A UTF-8 BOM is kept in the text ([`crate::span::LineIndex`] does not count
//!   it as a column and the readers skip it).
//! - Bytes that are not valid UTF-8 are each replaced by one
//!   [`PLACEHOLDER`] byte (not U+FFFD, which is three bytes), so every span
//!   still points at the same bytes on disk.
//! - An HTML file that is not valid UTF-8 and declares a legacy charset in
//!   its first 1024 bytes (`<meta charset=…>` or `http-equiv` `content=
//!   "…; charset=…"`, any label `encoding_rs` knows, e.g. `windows-1252`,
//!   `iso-8859-1`, `shift_jis`) is decoded from that charset. Its text's
//!   offsets then differ from the file's, so [`SourceText::offsets`] maps
//!   them back. A valid UTF-8 file is read as UTF-8 whatever it declares.

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
    /// How many bytes were not valid UTF-8 (or not valid in the declared
    /// charset) and were replaced.
    pub invalid_bytes: usize,
    /// Set when the file was decoded from a legacy charset: the name of the
    /// charset, and for each byte of `text` (plus one for its end) the file
    /// byte offset where its character starts.
    pub legacy: Option<Legacy>,
}

/// How a file decoded from a legacy charset maps back to its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Legacy {
    pub encoding: &'static str,
    /// `offsets[i]` is the file offset of the character holding text byte
    /// `i`; `offsets[text.len()]` is the file's length.
    pub offsets: Vec<usize>,
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
    let html = crate::document::DocKind::from_path(path) == crate::document::DocKind::Html;
    Ok(if html {
        decode_html(bytes)
    } else {
        decode(bytes)
    })
}

/// Like [`decode`], but honours a legacy charset the HTML declares when the
/// bytes are not valid UTF-8.
pub fn decode_html(bytes: Vec<u8>) -> Loaded {
    if std::str::from_utf8(&bytes).is_err() {
        if let Some(enc) = declared_charset(&bytes) {
            if let Some(reason) = skip_reason(&bytes) {
                return Loaded::Skipped(reason);
            }
            return Loaded::Text(decode_legacy(&bytes, enc));
        }
    }
    decode(bytes)
}

fn skip_reason(bytes: &[u8]) -> Option<String> {
    match content_inspector::inspect(bytes) {
        ContentType::BINARY => Some("binary file".into()),
        ContentType::UTF_16LE | ContentType::UTF_16BE => {
            Some("UTF-16 text is not supported".into())
        }
        ContentType::UTF_32LE | ContentType::UTF_32BE => {
            Some("UTF-32 text is not supported".into())
        }
        ContentType::UTF_8 | ContentType::UTF_8_BOM => None,
    }
}

/// The charset an HTML file declares in a `<meta>` tag in its first 1024
/// bytes (the HTML prescan window), if `encoding_rs` knows it and it is not
/// UTF-8 (or UTF-16, which a `<meta>` cannot truthfully declare).
fn declared_charset(bytes: &[u8]) -> Option<&'static encoding_rs::Encoding> {
    static META: std::sync::OnceLock<regex::bytes::Regex> = std::sync::OnceLock::new();
    let re = META.get_or_init(|| {
        regex::bytes::Regex::new(r#"(?i-u)<meta\s[^>]*?charset\s*=\s*["']?\s*([a-z0-9_:.()+\-]+)"#)
            .expect("valid regex")
    });
    let head = &bytes[..bytes.len().min(1024)];
    let label = re.captures(head)?.get(1)?.as_bytes();
    let enc = encoding_rs::Encoding::for_label(label)?;
    let utf = [
        encoding_rs::UTF_8,
        encoding_rs::UTF_16LE,
        encoding_rs::UTF_16BE,
        encoding_rs::REPLACEMENT,
    ];
    (!utf.contains(&enc)).then_some(enc)
}

/// Decodes `bytes` one byte at a time, recording where each character of
/// the output starts in the file.
fn decode_legacy(bytes: &[u8], enc: &'static encoding_rs::Encoding) -> SourceText {
    let mut decoder = enc.new_decoder_without_bom_handling();
    let mut text = String::with_capacity(bytes.len() * 3 / 2);
    let mut offsets = Vec::with_capacity(text.capacity() + 1);
    let mut invalid_bytes = 0;
    // File offset of the first byte whose character is not out yet.
    let mut pending = 0;
    for i in 0..bytes.len() {
        let last = i + 1 == bytes.len();
        text.reserve(decoder.max_utf8_buffer_length(1).unwrap_or(16));
        let before = text.len();
        let (_, _, had_errors) = decoder.decode_to_string(&bytes[i..=i], &mut text, last);
        invalid_bytes += usize::from(had_errors);
        if text.len() > before {
            offsets.resize(text.len(), pending);
            pending = i + 1;
        }
    }
    offsets.push(bytes.len());
    SourceText {
        text,
        invalid_bytes,
        legacy: Some(Legacy {
            encoding: enc.name(),
            offsets,
        }),
    }
}

fn too_large(len: u64, max: u64) -> String {
    format!("file is larger than --max-file-size ({len} > {max} bytes)")
}

/// Turns a file's bytes into text, or a reason to skip it.
pub fn decode(bytes: Vec<u8>) -> Loaded {
    if let Some(reason) = skip_reason(&bytes) {
        return Loaded::Skipped(reason);
    }
    match String::from_utf8(bytes) {
        Ok(text) => Loaded::Text(SourceText {
            text,
            invalid_bytes: 0,
            legacy: None,
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
        legacy: None,
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
    fn windows_1252_declared_in_meta_is_decoded_with_offsets() {
        let bytes = b"<meta charset=\"windows-1252\"><p>Caf\xe9 \x93roll\x94 at home</p>".to_vec();
        let t = text(decode_html(bytes.clone()));
        let l = t.legacy.as_ref().unwrap();
        assert_eq!(l.encoding, "windows-1252");
        assert_eq!(t.invalid_bytes, 0);
        let at = t.text.find("\u{201c}roll").unwrap();
        assert_eq!(
            l.offsets[at],
            bytes.iter().position(|&b| b == 0x93).unwrap()
        );
        let end = t.text.find(" at home").unwrap();
        assert_eq!(&bytes[l.offsets[at]..l.offsets[end]], b"\x93roll\x94");
        assert_eq!(l.offsets[t.text.len()], bytes.len());
        assert!(t.text.contains("Café"));
    }

    #[test]
    fn http_equiv_charset_is_honoured_and_utf8_wins_when_valid() {
        let bytes =
            b"<meta http-equiv=\"Content-Type\" content=\"text/html; charset=ISO-8859-1\">\xe9"
                .to_vec();
        assert_eq!(
            text(decode_html(bytes)).legacy.unwrap().encoding,
            "windows-1252"
        );
        let utf8 = "<meta charset=\"windows-1252\">é".as_bytes().to_vec();
        assert_eq!(text(decode_html(utf8)).legacy, None);
        // No declaration: invalid bytes are placeholders, as in any file.
        let t = text(decode_html(b"<p>\xe9</p>".to_vec()));
        assert_eq!((t.legacy, t.invalid_bytes), (None, 1));
    }

    #[test]
    fn empty_file_is_text() {
        assert_eq!(text(decode(Vec::new())).text, "");
    }
}
