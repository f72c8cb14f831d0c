//! Which cue regexes can match a sentence. Most cue patterns cannot match
//! without some literals: one of a few words at each of their fixed parts
//! ("see|consult|visit…" then "dermatologist|doctor…"), or at least one of
//! their prefixes or suffixes. One Aho-Corasick pass over those literals
//! picks the regexes worth running: those with a literal of every required
//! part, at a word boundary where the pattern puts one (`\bten\b` is not in
//! "often"). The few patterns with no such literal go through a small
//! `RegexSet`. A single set of every pattern did this job before; its lazy
//! DFA kept building states on varied prose and was the largest cost of a run.
//!
//! The filter may pass a regex that then finds nothing; it never drops one
//! that would match, so the hits are exactly the regexes' own.

use std::sync::atomic::{AtomicBool, Ordering};

use aho_corasick::AhoCorasickKind;
use regex::{RegexSet, RegexSetBuilder};
use regex_syntax::hir::literal::{ExtractKind, Extractor};
use regex_syntax::hir::{Hir, HirKind, Look};

use super::terms::{ascii_word_boundaries, LiteralOwners};

/// Whether this process will match many pages: a run over a folder or many
/// files, or the language server. The literal automaton is then built as a
/// DFA, the fastest to search (about a sixth of a big run's time went to the
/// search) but some 40 ms to build; for a file or two, the quicker-built
/// NFA. The matches are the same.
static MANY_PAGES: AtomicBool = AtomicBool::new(false);

/// Says that this process will match many pages (see [`MANY_PAGES`]).
/// Filters built before the call keep their automaton.
pub fn expect_many_pages() {
    MANY_PAGES.store(true, Ordering::Relaxed);
}

#[derive(Debug, Clone)]
pub struct CueFilter {
    /// The literals of each regex's required parts.
    literals: Option<LiteralOwners<Need>>,
    /// Per regex: how many parts need a literal (0 for those in `rest`).
    parts: Vec<usize>,
    /// Regexes with no literal every match must contain, in `rest_set` order.
    rest: Vec<usize>,
    rest_set: Option<RegexSet>,
    /// How many regexes there are.
    total: usize,
}

/// A literal as one of a regex's required parts needs it.
#[derive(Debug, Clone, Copy)]
struct Need {
    regex: usize,
    /// Which of the regex's required parts (below [`MAX_PARTS`]).
    part: usize,
    /// An ASCII word boundary must be at its start, at its end.
    boundary_before: bool,
    boundary_after: bool,
}

/// Most parts of a regex the filter requires: the most selective ones.
const MAX_PARTS: usize = 3;

/// A literal a part of a pattern starts with.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Needle {
    text: String,
    boundary_before: bool,
    boundary_after: bool,
}

/// Characters outside ASCII that a case-insensitive regex matches for an
/// ASCII letter (KELVIN SIGN for `k`, LONG S for `s`). The literal pass
/// ignores ASCII case only, so a sentence with one runs every regex.
const FOLDS_TO_ASCII: [char; 2] = ['\u{212A}', '\u{17F}'];

impl CueFilter {
    /// `patterns` are the cue regexes as the pack writes them (compiled
    /// with [`super::terms::build_regex`]); `set_sources` the same patterns
    /// as a `RegexSet` takes them.
    pub fn new(patterns: &[String], set_sources: &[String]) -> Result<CueFilter, regex::Error> {
        let mut needed = Vec::new();
        let mut rest = Vec::new();
        let mut parts = vec![0; patterns.len()];
        for (regex, p) in patterns.iter().enumerate() {
            let Some(required) = required_parts(p) else {
                rest.push(regex);
                continue;
            };
            parts[regex] = required.len();
            for (part, needles) in required.into_iter().enumerate() {
                needed.extend(needles.into_iter().map(|n| {
                    let need = Need {
                        regex,
                        part,
                        boundary_before: n.boundary_before,
                        boundary_after: n.boundary_after,
                    };
                    (n.text, need)
                }));
            }
        }
        let kind = if MANY_PAGES.load(Ordering::Relaxed) {
            AhoCorasickKind::DFA
        } else {
            AhoCorasickKind::ContiguousNFA
        };
        let any_literal = !needed.is_empty();
        let literals = LiteralOwners::build(needed, kind);
        if literals.is_none() && any_literal {
            // Too big for the automaton: every regex goes to the set.
            rest = (0..patterns.len()).collect();
        }
        let rest_set = if rest.is_empty() {
            None
        } else {
            let sources: Vec<&String> = rest.iter().map(|&i| &set_sources[i]).collect();
            Some(
                RegexSetBuilder::new(sources)
                    .case_insensitive(true)
                    .size_limit(1 << 24)
                    .dfa_size_limit(1 << 24)
                    .build()?,
            )
        };
        Ok(CueFilter {
            literals,
            parts,
            rest,
            rest_set,
            total: patterns.len(),
        })
    }

    /// The indices of the regexes that may match `s`, sorted, into `out`.
    pub fn candidates(&self, s: &str, out: &mut Vec<usize>) {
        out.clear();
        if !s.is_ascii() && s.contains(FOLDS_TO_ASCII) {
            out.extend(0..self.total);
            return;
        }
        if let Some(literals) = &self.literals {
            let bytes = s.as_bytes();
            // Each (regex, part) seen, as `regex * MAX_PARTS + part`.
            literals.each_match(s, |range, needs| {
                for n in needs {
                    if (n.boundary_before && !word_boundary(bytes, range.start))
                        || (n.boundary_after && !word_boundary(bytes, range.end))
                    {
                        continue;
                    }
                    out.push(n.regex * MAX_PARTS + n.part);
                }
            });
            out.sort_unstable();
            out.dedup();
            // Keep the regexes with every required part seen.
            let mut kept = 0;
            let mut i = 0;
            while i < out.len() {
                let regex = out[i] / MAX_PARTS;
                let mut j = i + 1;
                while j < out.len() && out[j] / MAX_PARTS == regex {
                    j += 1;
                }
                if j - i == self.parts[regex] {
                    out[kept] = regex;
                    kept += 1;
                }
                i = j;
            }
            out.truncate(kept);
        }
        if let Some(set) = &self.rest_set {
            out.extend(set.matches(s).iter().map(|i| self.rest[i]));
        }
        out.sort_unstable();
        out.dedup();
    }

    /// How many regexes have no literal and go through the set.
    #[cfg(test)]
    fn rest_len(&self) -> usize {
        self.rest.len()
    }
}

/// Whether an ASCII word boundary (`(?-u:\b)`) is at `at` in `bytes`.
fn word_boundary(bytes: &[u8], at: usize) -> bool {
    let word = |i: Option<usize>| {
        i.and_then(|i| bytes.get(i))
            .is_some_and(|&b| b.is_ascii_alphanumeric() || b == b'_')
    };
    word(at.checked_sub(1)) != word(Some(at))
}

/// The literals of the parts of `pattern` a match must contain: for each
/// required part, literals one of which it starts with. The pattern's
/// top-level parts in sequence, each with a short list of literals it
/// starts with, none shorter than [`MIN_SCORE`] (counting a word boundary
/// the pattern puts around all of them as one more character); at most
/// [`MAX_PARTS`] of them, the most selective. Failing that, the literals of
/// [`required_literals`] as one part. `None` when there are none.
fn required_parts(pattern: &str) -> Option<Vec<Vec<Needle>>> {
    let hir = regex_syntax::ParserBuilder::new()
        .build()
        .parse(&ascii_word_boundaries(pattern))
        .ok()?;
    let mut scored: Vec<(usize, Vec<Needle>)> = Vec::new();
    if let HirKind::Concat(seq) = hir.kind() {
        let is_boundary =
            |h: Option<&Hir>| h.is_some_and(|h| matches!(h.kind(), HirKind::Look(Look::WordAscii)));
        for (k, part) in seq.iter().enumerate() {
            let before = k > 0 && is_boundary(seq.get(k - 1));
            let after = is_boundary(seq.get(k + 1));
            if let Some(needles) = starts_of(part, before, after) {
                let score = part_score(&needles);
                if score >= MIN_SCORE {
                    scored.push((score, needles));
                }
            }
        }
    }
    if scored.is_empty() {
        let whole = required_literals(pattern)?;
        let plain = |text| Needle {
            text,
            boundary_before: false,
            boundary_after: false,
        };
        return Some(vec![whole.into_iter().map(plain).collect()]);
    }
    // Most selective first; ties in pattern order.
    scored.sort_by_key(|(score, _)| std::cmp::Reverse(*score));
    scored.truncate(MAX_PARTS);
    Some(scored.into_iter().map(|(_, n)| n).collect())
}

/// A part must score this much to be required: its literals are
/// otherwise too common ("a", "my") to rule much out.
const MIN_SCORE: usize = 3;

/// How selective a part's literals are: the shortest one's length, plus
/// one for each side where all of them need a word boundary.
fn part_score(needles: &[Needle]) -> usize {
    let shortest = needles.iter().map(|n| n.text.len()).min().unwrap_or(0);
    shortest
        + usize::from(needles.iter().all(|n| n.boundary_before))
        + usize::from(needles.iter().all(|n| n.boundary_after))
}

/// Literals one of which every match of `part` starts with (ASCII case
/// aside, see [`required_literals`]), each needing a word boundary before
/// it when `before`, and after it when `after` and it is the whole match.
fn starts_of(part: &Hir, before: bool, after: bool) -> Option<Vec<Needle>> {
    let seq = Extractor::new().kind(ExtractKind::Prefix).extract(part);
    let needles: Option<Vec<Needle>> = seq
        .literals()?
        .iter()
        .map(|l| {
            let s = std::str::from_utf8(l.as_bytes()).ok()?;
            (!s.is_empty() && s.chars().all(caseless_or_ascii)).then(|| Needle {
                text: s.to_string(),
                boundary_before: before,
                boundary_after: after && l.is_exact(),
            })
        })
        .collect();
    needles.filter(|n| !n.is_empty())
}

/// Literals one of which every match of `pattern` contains, matched ASCII
/// case-insensitively, or `None` when there is no such short list. Taken
/// from the pattern read case-sensitively (as written): the regex's case
/// insensitivity then only adds ASCII case variants, which the automaton
/// ignores, and the characters in [`FOLDS_TO_ASCII`], which turn the filter
/// off. A literal with another character that has case variants is refused.
/// Of the prefixes and the suffixes, the list with the longest shortest
/// literal wins.
fn required_literals(pattern: &str) -> Option<Vec<String>> {
    let hir = regex_syntax::ParserBuilder::new()
        .build()
        .parse(&ascii_word_boundaries(pattern))
        .ok()?;
    let mut best: Option<(usize, Vec<String>)> = None;
    for kind in [ExtractKind::Prefix, ExtractKind::Suffix] {
        let seq = Extractor::new().kind(kind).extract(&hir);
        let Some(lits) = seq.literals() else { continue };
        let strings: Option<Vec<String>> = lits
            .iter()
            .map(|l| {
                let s = std::str::from_utf8(l.as_bytes()).ok()?;
                (!s.is_empty() && s.chars().all(caseless_or_ascii)).then(|| s.to_string())
            })
            .collect();
        let Some(strings) = strings else { continue };
        let Some(shortest) = strings.iter().map(String::len).min() else {
            continue;
        };
        let better = best.as_ref().is_none_or(|(len, b)| {
            shortest > *len || (shortest == *len && strings.len() < b.len())
        });
        if better {
            best = Some((shortest, strings));
        }
    }
    best.map(|(_, s)| s)
}

/// ASCII, or a character no case-insensitive match can stand in for (a
/// curly quote, a dash).
fn caseless_or_ascii(c: char) -> bool {
    c.is_ascii() || (!c.is_alphabetic() && c.to_lowercase().eq([c]) && c.to_uppercase().eq([c]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::terms::build_regex;

    #[test]
    fn only_kelvin_and_long_s_fold_to_ascii_letters() {
        let letter = build_regex("^[a-z]$").unwrap();
        let folding: Vec<char> = (0x80..=0x10FFFF)
            .filter_map(char::from_u32)
            .filter(|c| letter.is_match(c.encode_utf8(&mut [0; 4])))
            .collect();
        assert_eq!(
            folding,
            FOLDS_TO_ASCII.iter().rev().copied().collect::<Vec<_>>()
        );
    }

    #[test]
    fn literals_come_from_prefixes_or_suffixes() {
        assert_eq!(
            required_literals(r"\b(?:buy|bought)\b").unwrap(),
            vec!["buy", "bought"]
        );
        // No fixed start, a fixed end.
        let mut end = required_literals(r"\b\d+ (?:dollars|bucks)\b").unwrap();
        end.sort();
        assert_eq!(end, vec![" bucks", " dollars"]);
        // A curly apostrophe has no case; a Greek mu does.
        assert!(required_literals("don[\x27’]t share").is_some());
        assert!(required_literals("μm").is_none());
        // Could start and end with anything.
        assert!(required_literals(r"(?:^|\s)\w+\s*$").is_none());
    }

    #[test]
    fn parts_each_need_a_literal_at_their_word_boundaries() {
        let parts = required_parts(r"\b(?:ten|twenty)[- ](?:dollars?|bucks)\b").unwrap();
        let texts = |p: &[Needle]| p.iter().map(|n| n.text.clone()).collect::<Vec<_>>();
        assert_eq!(parts.len(), 2);
        // The most selective part first.
        assert_eq!(texts(&parts[0]), ["dollars", "dollar", "bucks"]);
        assert!(parts[0]
            .iter()
            .all(|n| !n.boundary_before && n.boundary_after));
        assert_eq!(texts(&parts[1]), ["ten", "twenty"]);
        assert!(parts[1]
            .iter()
            .all(|n| n.boundary_before && !n.boundary_after));
        let patterns = vec![r"\b(?:ten|twenty)[- ](?:dollars?|bucks)\b".to_string()];
        let filter = CueFilter::new(&patterns, &patterns).unwrap();
        let mut out = Vec::new();
        for (s, may) in [
            ("Ten bucks, often.", true),
            ("Often, bucks.", false),
            ("Ten of them, no money.", false),
            ("Ten bucksaw blades.", false),
        ] {
            filter.candidates(s, &mut out);
            assert_eq!(!out.is_empty(), may, "{s:?}");
        }
        assert!(word_boundary(b"a b", 1) && word_boundary(b"ab", 0) && !word_boundary(b"ab", 1));
    }

    #[test]
    fn candidates_include_every_regex_that_matches() {
        let patterns: Vec<String> = [
            r"\b(?:buy|bought)\b",
            r"\b\d+ (?:dollars|bucks)\b",
            r"(?:^|,\s+)\w+\s+\d",
            r"\bkit\b",
            "don[\x27’]t share",
            r"\b(?:see|consult) (?:a |your )?(?:derms?|doctors?)\b",
            r"\b(?:avoid|skip)\b[^.]{0,60}\bif\b",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let filter = CueFilter::new(&patterns, &patterns).unwrap();
        assert_eq!(filter.rest_len(), 1);
        let regexes: Vec<_> = patterns.iter().map(|p| build_regex(p).unwrap()).collect();
        let mut out = Vec::new();
        for s in [
            "I BOUGHT a kit for 20 Bucks",
            "Roll it, then don’t share it, twice 2",
            "Nothing here",
            "A \u{212A}it",
            "bought, roll it",
            "Consult your Derm first, or see a doctors' panel",
            "Skip it if pregnant; avoid, if unsure",
            "Avoid this: specific difficulty",
        ] {
            filter.candidates(s, &mut out);
            for (i, re) in regexes.iter().enumerate() {
                if re.is_match(s) {
                    assert!(out.contains(&i), "{s:?}: pattern {i} dropped");
                }
            }
        }
        filter.candidates("Nothing here", &mut out);
        assert!(out.is_empty());
    }
}
