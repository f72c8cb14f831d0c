//! HTML character references (`&eacute;`, `&#8217;`, `&#x2019;`, legacy
//! `&amp` without `;`) decoded with a map back to the raw text.
//!
//! html5gum decodes text for us but folds a whole run into one string, so we
//! re-decode each run ourselves to know where every reference came from.
//! The rules follow the WHATWG tokenizer; tests cross-check against html5gum.

use std::borrow::Cow;
use std::ops::Range;
use std::sync::OnceLock;

use aho_corasick::{AhoCorasick, Anchored, Input, MatchKind, StartKind};

/// One piece of decoded text and the source range it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Piece<'a> {
    /// The decoded text.
    pub text: Cow<'a, str>,
    /// Its source range (the raw offsets plus `base`).
    pub src: Range<usize>,
    /// True for a run copied as is, false for one decoded reference.
    pub verbatim: bool,
}

/// The named-reference automaton, built once: all WHATWG names (with and
/// without `;`), anchored, longest match first, so `&notin;` beats `&not`.
fn names() -> &'static AhoCorasick {
    static AC: OnceLock<AhoCorasick> = OnceLock::new();
    AC.get_or_init(|| {
        AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostLongest)
            .start_kind(StartKind::Anchored)
            .build(entities::ENTITIES.iter().map(|e| e.entity))
            .expect("the entity table builds an automaton")
    })
}

/// Windows-1252 replacements for numeric references in `0x80..=0x9F`.
fn c1_replacement(n: u32) -> Option<char> {
    let c = match n {
        0x80 => '\u{20AC}',
        0x82 => '\u{201A}',
        0x83 => '\u{0192}',
        0x84 => '\u{201E}',
        0x85 => '\u{2026}',
        0x86 => '\u{2020}',
        0x87 => '\u{2021}',
        0x88 => '\u{02C6}',
        0x89 => '\u{2030}',
        0x8A => '\u{0160}',
        0x8B => '\u{2039}',
        0x8C => '\u{0152}',
        0x8E => '\u{017D}',
        0x91 => '\u{2018}',
        0x92 => '\u{2019}',
        0x93 => '\u{201C}',
        0x94 => '\u{201D}',
        0x95 => '\u{2022}',
        0x96 => '\u{2013}',
        0x97 => '\u{2014}',
        0x98 => '\u{02DC}',
        0x99 => '\u{2122}',
        0x9A => '\u{0161}',
        0x9B => '\u{203A}',
        0x9C => '\u{0153}',
        0x9E => '\u{017E}',
        0x9F => '\u{0178}',
        _ => return None,
    };
    Some(c)
}

/// A numeric reference at `raw[0] == '&'`, `raw[1] == '#'`: its text and length.
fn numeric(raw: &[u8]) -> Option<(Cow<'static, str>, usize)> {
    let mut i = 2;
    let hex = matches!(raw.get(i), Some(b'x' | b'X'));
    if hex {
        i += 1;
    }
    let digits_start = i;
    let mut value: u32 = 0;
    while let Some(&b) = raw.get(i) {
        let d = if hex {
            (b as char).to_digit(16)
        } else {
            (b as char).to_digit(10)
        };
        let Some(d) = d else { break };
        // Saturate above the Unicode range: any such value becomes U+FFFD.
        value = value
            .saturating_mul(if hex { 16 } else { 10 })
            .saturating_add(d)
            .min(0x11_0000);
        i += 1;
    }
    if i == digits_start {
        return None; // "&#" or "&#x" with no digits is not a reference
    }
    if raw.get(i) == Some(&b';') {
        i += 1;
    }
    let c = match value {
        0 => '\u{FFFD}',
        0x80..=0x9F => c1_replacement(value).unwrap_or_else(|| char::from_u32(value).unwrap()),
        _ => char::from_u32(value).unwrap_or('\u{FFFD}'),
    };
    Some((Cow::Owned(c.to_string()), i))
}

/// A reference starting at `raw[at] == '&'`: its decoded text and length.
fn reference(raw: &str, at: usize, in_attribute: bool) -> Option<(Cow<'static, str>, usize)> {
    let rest = &raw.as_bytes()[at..];
    match rest.get(1) {
        Some(b'#') => numeric(rest),
        Some(b) if b.is_ascii_alphanumeric() => {
            let m = names().find(Input::new(&raw[at..]).anchored(Anchored::Yes))?;
            let entity = &entities::ENTITIES[m.pattern().as_usize()];
            if !entity.entity.ends_with(';') && in_attribute {
                // In attributes, `&amp=` or `&notit` stay as written (spec:
                // "historical reasons").
                if rest
                    .get(m.end())
                    .is_some_and(|&b| b == b'=' || b.is_ascii_alphanumeric())
                {
                    return None;
                }
            }
            Some((Cow::Borrowed(entity.characters), m.end()))
        }
        _ => None,
    }
}

/// Decodes the character references in `raw` (HTML text, or an attribute
/// value when `in_attribute`). Runs without references come back verbatim,
/// each reference as its own piece; source ranges are offset by `base`.
/// Line endings are left as they are (html5gum turns `\r\n` into `\n`).
pub fn decode_with_map(raw: &str, base: usize, in_attribute: bool) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    let mut run = 0;
    let mut i = 0;
    while let Some(off) = memchr::memchr(b'&', &raw.as_bytes()[i..]) {
        let at = i + off;
        match reference(raw, at, in_attribute) {
            Some((text, len)) => {
                if run < at {
                    out.push(Piece {
                        text: Cow::Borrowed(&raw[run..at]),
                        src: base + run..base + at,
                        verbatim: true,
                    });
                }
                out.push(Piece {
                    text,
                    src: base + at..base + at + len,
                    verbatim: false,
                });
                i = at + len;
                run = i;
            }
            None => i = at + 1,
        }
    }
    if run < raw.len() {
        out.push(Piece {
            text: Cow::Borrowed(&raw[run..]),
            src: base + run..base + raw.len(),
            verbatim: true,
        });
    }
    out
}

/// Decodes `raw` to a string (see [`decode_with_map`]).
pub fn decode(raw: &str, in_attribute: bool) -> String {
    decode_with_map(raw, 0, in_attribute)
        .into_iter()
        .map(|p| p.text)
        .collect()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use html5gum::{DefaultEmitter, Token, Tokenizer};

    /// html5gum's decoding of `html` as a text run and as a `title` value.
    pub(crate) fn html5gum_text_and_attr(html: &str) -> (String, String) {
        let doc = format!("<p title=\"{}\">{}</p>", html.replace('"', "&quot;"), html);
        let mut emitter = DefaultEmitter::<usize>::new_with_span();
        emitter.naively_switch_states(true);
        let (mut text, mut attr) = (String::new(), String::new());
        for t in Tokenizer::new_with_emitter(doc.as_str(), emitter).flatten() {
            match t {
                Token::String(s) => text.push_str(&String::from_utf8_lossy(&s.value)),
                Token::StartTag(t) => {
                    let v = &t.attributes.get(b"title".as_slice()).unwrap().value;
                    attr = String::from_utf8_lossy(v).into_owned();
                }
                _ => {}
            }
        }
        (text, attr)
    }

    /// What html5gum does to line endings, so raw decodes can be compared.
    pub(crate) fn normalize_newlines(s: &str) -> String {
        s.replace("\r\n", "\n").replace('\r', "\n")
    }

    fn agrees(raw: &str) {
        let (text, attr) = html5gum_text_and_attr(raw);
        assert_eq!(
            normalize_newlines(&decode(raw, false)),
            text,
            "text {raw:?}"
        );
        let raw_attr = raw.replace('"', "&quot;");
        assert_eq!(
            normalize_newlines(&decode(&raw_attr, true)),
            attr,
            "attr {raw:?}"
        );
    }

    #[test]
    fn named_numeric_and_legacy_match_html5gum() {
        for raw in [
            "It&rsquo;s caf&eacute; &amp; more",
            "a\r\nb &#8217; &#x2019; &nbsp;x &notit; AT&T",
            "&notin; &not &amp=1 &ampx &AMP; &acE; &lt&gt",
            "&#0; &#x110000; &#xD800; &#128; &#x81; &#150; &#99999999999999;",
            "&#; &#x; &# &; & &&amp;& &unknown; &eacute",
            "caf\u{e9} \u{1F600} &eacute;\u{1F600}",
        ] {
            agrees(raw);
        }
    }

    #[test]
    fn pieces_map_to_their_source() {
        let raw = "Caf&eacute; &#8217;x";
        let pieces = decode_with_map(raw, 10, false);
        let got: Vec<_> = pieces
            .iter()
            .map(|p| (p.text.as_ref(), p.src.clone(), p.verbatim))
            .collect();
        assert_eq!(
            got,
            vec![
                ("Caf", 10..13, true),
                ("é", 13..21, false),
                (" ", 21..22, true),
                ("\u{2019}", 22..29, false),
                ("x", 29..30, true),
            ]
        );
    }

    #[test]
    fn legacy_in_attribute_followed_by_alnum_or_equals_stays() {
        assert_eq!(decode("&notit; &amp=", true), "&notit; &amp=");
        assert_eq!(decode("&notit; &amp=", false), "¬it; &=");
        assert_eq!(decode("&amp;=", true), "&=");
    }
}
