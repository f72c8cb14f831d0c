//! `home-needle-depth`: a needle length of 0.5 mm or more recommended for
//! home use. Lengths are parsed in any common form: ".5 mm", "0.5-1.0 mm",
//! "1,5 mm", "500 µm", "0.25 millimetres".

use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;
use serde_json::json;

use crate::pack::CueRole;
use crate::rules::analysis::Analysis;
use crate::rules::linter::{Emit, RuleCtx};

static LENGTH: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)(\d*[.,]?\d+)\s*(?:(?:mm|millimet(?:er|re)s?)\s*)?(?:(?:-|–|—|to|or)\s*(\d*[.,]?\d+)\s*)?(mm\b|millimet(?:er|re)s?\b|µm|μm|um\b|microns?\b|micromet(?:er|re)s?\b|\?m\b)",
    )
    .expect("length regex")
});

/// A needle length found in text: its range and its largest value in mm.
#[derive(Debug, Clone, PartialEq)]
pub struct Length {
    pub range: Range<usize>,
    pub max_mm: f32,
}

fn number(s: &str) -> Option<f32> {
    s.replace(',', ".").parse().ok()
}

/// False only when no part of `text` cut at white space or after a full
/// stop (a sentence of it) holds a needle length: the pattern's one word
/// boundary is at its end, which such a cut leaves as it was.
pub fn may_have_lengths(text: &str) -> bool {
    // A length has a digit: most blocks have none, and this is cheaper
    // than starting the regex.
    has_digit(text) && LENGTH.is_match(text)
}

/// [`may_have_lengths`] for a file's raw text, ASCII-lower-cased, before it
/// is parsed: false only when no document read from it can hold a needle
/// length. Markup and entities may stand between a length's number and
/// its unit ("0.5&nbsp;mm", "0.5<b>mm</b>"), so it asks only for a digit
/// (or a character reference, or any non-ASCII character) somewhere and a
/// unit that does not follow a letter: in a length the unit follows a digit
/// or white space, and "recommend" or "summer" has none.
pub fn may_have_lengths_raw(lower: &str) -> bool {
    let bytes = lower.as_bytes();
    let number = bytes.iter().any(|b| b.is_ascii_digit() || *b >= 0x80)
        || memchr::memmem::find(bytes, b"&#").is_some();
    let unit_after_no_letter = |unit: &str| {
        memchr::memmem::find_iter(bytes, unit.as_bytes())
            .any(|i| i == 0 || !bytes[i - 1].is_ascii_alphabetic())
    };
    let anywhere = |unit: &str| memchr::memmem::find(bytes, unit.as_bytes()).is_some();
    number
        && (["mm", "um", "?m"].into_iter().any(unit_after_no_letter)
            || [
                "millimet", "micromet", "micron", "µm", "μm", "&micro", "&mu", "&#181", "&#xb5",
                "&#956", "&#x3bc",
            ]
            .into_iter()
            .any(anywhere))
}

/// True when `text` may hold a digit the length pattern's `\d` matches: an
/// ASCII digit, or any numeric character outside ASCII.
fn has_digit(text: &str) -> bool {
    // One pass with no early exit, which the compiler vectorizes: on a
    // sentence, faster than stopping at the first digit.
    let (mut digit, mut wide) = (false, false);
    for &b in text.as_bytes() {
        digit |= b.is_ascii_digit();
        wide |= b >= 0x80;
    }
    digit || (wide && text.chars().any(char::is_numeric))
}

/// Every needle length in `text`.
pub fn lengths(text: &str) -> Vec<Length> {
    // Most sentences have no digit (`\d` is any Unicode decimal digit, all
    // of which are numeric): cheaper to see than to start the regex.
    if !has_digit(text) {
        return Vec::new();
    }
    LENGTH
        .captures_iter(text)
        .filter_map(|c| {
            let m = c.get(0)?;
            let unit = c.get(3)?.as_str().to_lowercase();
            let scale = if unit.starts_with('m') && !unit.starts_with("micro") {
                1.0
            } else {
                0.001
            };
            let a = number(c.get(1)?.as_str())?;
            let b = c.get(2).and_then(|x| number(x.as_str())).unwrap_or(a);
            let max_mm = a.max(b) * scale;
            // Needles run from 0.1 to 3 mm; anything else is some other measure.
            (max_mm > 0.0 && max_mm <= 3.5).then(|| Length {
                range: m.start()..m.end(),
                max_mm,
            })
        })
        .collect()
}

pub fn check(a: &Analysis, ctx: &RuleCtx, out: &mut Emit) {
    let threshold = ctx.threshold.unwrap_or(0.5);
    for (i, s) in a.sentences.iter().enumerate() {
        if !a.stances[i].recommends {
            continue;
        }
        let t = &a.doc.text[s.range.clone()];
        for len in lengths(t) {
            if len.max_mm + 1e-6 < threshold {
                continue;
            }
            let r = s.range.start + len.range.start..s.range.start + len.range.end;
            // A length inside a warning clause ("leave 1.5 mm to the pros") is not recommended.
            let clause = s.clauses.iter().find(|c| c.range.contains(&r.start));
            let warned = clause.is_some_and(|c| {
                s.cues.iter().any(|h| {
                    c.range.contains(&h.range.start) && a.model.cues[h.cue].role == CueRole::Warn
                })
            });
            if warned {
                continue;
            }
            let mm = format!("{}", (len.max_mm * 100.0).round() / 100.0);
            out.emit(
                ctx,
                r,
                &[("length", &mm)],
                vec![(s.range.clone(), "recommended for home use".to_string())],
                Some(json!({"max_mm": (len.max_mm * 100.0).round() / 100.0})),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mm(t: &str) -> Vec<(String, f32)> {
        lengths(t)
            .into_iter()
            .map(|l| (t[l.range].to_string(), l.max_mm))
            .collect()
    }

    #[test]
    fn parses_the_usual_forms() {
        assert_eq!(mm("a .5 mm roller"), vec![(".5 mm".into(), 0.5)]);
        assert_eq!(mm("0.5-1.0 mm"), vec![("0.5-1.0 mm".into(), 1.0)]);
        assert_eq!(mm("1,5 mm"), vec![("1,5 mm".into(), 1.5)]);
        assert_eq!(mm("500 µm needles"), vec![("500 µm".into(), 0.5)]);
        assert_eq!(
            mm("0.25 millimetres"),
            vec![("0.25 millimetres".into(), 0.25)]
        );
        assert_eq!(mm("0.25–0.5mm"), vec![("0.25–0.5mm".into(), 0.5)]);
        assert_eq!(mm("0.5 mm to 1 mm"), vec![("0.5 mm to 1 mm".into(), 1.0)]);
    }

    #[test]
    fn ignores_other_measures() {
        assert!(mm("a 30 mm wide head").is_empty());
        assert!(mm("mmm, 5 minutes").is_empty());
    }
}
