//! Which cue regexes can match a sentence. Most cue patterns cannot match
//! without one of a few literals ("buy", "bought", "purchase"…), so one
//! Aho-Corasick pass over those literals picks the regexes worth running.
//! The few patterns with no such literal go through a small `RegexSet`.
//! A single set of every pattern did this job before; its lazy DFA kept
//! building states on varied prose and was the largest cost of a run.
//!
//! The filter may pass a regex that then finds nothing; it never drops one
//! that would match, so the hits are exactly the regexes' own.
//!
//! Most regexes' literals are prefixes: every match starts where one of
//! them does. For those the filter also says where, and the regex is run
//! anchored there, not over the whole sentence.
//!
//! The same pass also looks for other literals a caller needs in every
//! sentence (the spellings of the device and procedure terms): one scan of
//! a sentence instead of two.

use std::sync::atomic::{AtomicBool, Ordering};

use aho_corasick::AhoCorasickKind;
use regex::{RegexSet, RegexSetBuilder};
use regex_syntax::hir::literal::{ExtractKind, Extractor};

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

/// A cue regex that may match a sentence, and where its match may start.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Candidate {
    /// Index of the regex.
    pub regex: usize,
    /// Byte offset in the sentence where a match may start, or
    /// [`Candidate::ANYWHERE`]. A regex with one `ANYWHERE` candidate is
    /// searched over the whole sentence; otherwise its every match starts
    /// at one of its candidates' offsets.
    pub at: usize,
}

impl Candidate {
    pub const ANYWHERE: usize = usize::MAX;
}

#[derive(Debug, Clone)]
pub struct CueFilter {
    /// The literals each regex needs (one of).
    literals: Option<LiteralOwners>,
    /// Per regex: its literals are prefixes of its every match.
    anchored: Vec<bool>,
    /// Regexes with no literal every match must contain, in `rest_set` order.
    rest: Vec<usize>,
    rest_set: Option<RegexSet>,
    /// How many regexes there are.
    total: usize,
    /// How many extra owners (see [`CueFilter::new`]) there are.
    extras: usize,
}

/// Characters outside ASCII that a case-insensitive regex matches for an
/// ASCII letter (KELVIN SIGN for `k`, LONG S for `s`). The literal pass
/// ignores ASCII case only, so a sentence with one runs every regex.
const FOLDS_TO_ASCII: [char; 2] = ['\u{212A}', '\u{17F}'];

impl CueFilter {
    /// `patterns` are the cue regexes as the pack writes them (compiled
    /// with [`super::terms::build_regex`]); `set_sources` the same patterns
    /// as a `RegexSet` takes them. `extra` are other literals, each with an
    /// owner numbered from 0 to `extras - 1`, that
    /// [`CueFilter::candidates`] reports too.
    pub fn new(
        patterns: &[String],
        set_sources: &[String],
        extra: impl IntoIterator<Item = (String, usize)>,
        extras: usize,
    ) -> Result<CueFilter, regex::Error> {
        let total = patterns.len();
        let mut needed: Vec<(String, usize)> =
            extra.into_iter().map(|(l, i)| (l, total + i)).collect();
        let extra_literals = needed.len();
        let mut rest = Vec::new();
        let mut anchored = vec![false; total];
        for (i, p) in patterns.iter().enumerate() {
            match required_literals(p) {
                Some((lits, prefixes)) => {
                    anchored[i] = prefixes;
                    // Only prefixes are cut: a regex with suffixes runs
                    // over the whole sentence, and a cut suffix ("rolling"
                    // for "before dermarolling") would run it far more.
                    let n = if prefixes { LITERAL_BYTES } else { usize::MAX };
                    let mut lits: Vec<String> = lits.iter().map(|l| cut(l, n, prefixes)).collect();
                    lits.sort_unstable();
                    lits.dedup();
                    needed.extend(lits.into_iter().map(|l| (l, i)));
                }
                None => rest.push(i),
            }
        }
        let kind = if MANY_PAGES.load(Ordering::Relaxed) {
            AhoCorasickKind::DFA
        } else {
            AhoCorasickKind::ContiguousNFA
        };
        let any_literal = needed.len() > extra_literals;
        let literals = LiteralOwners::build(needed, kind);
        if literals.is_none() && any_literal {
            // Too big for the automaton: every regex goes to the set, and
            // every extra owner is reported.
            rest = (0..patterns.len()).collect();
            anchored.fill(false);
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
            anchored,
            rest,
            rest_set,
            total,
            extras,
        })
    }

    /// The regexes that may match `s`, sorted, into `out`; and
    /// `extra[i] = true` for each extra owner `i` one of whose literals
    /// occurs in `s` (`extra` holds one entry per extra owner).
    pub fn candidates(&self, s: &str, out: &mut Vec<Candidate>, extra: &mut [bool]) {
        out.clear();
        let total = self.total;
        match &self.literals {
            Some(literals) => literals.each_owner(s, |i, at| {
                if i < total {
                    let at = if self.anchored[i] {
                        at
                    } else {
                        Candidate::ANYWHERE
                    };
                    out.push(Candidate { regex: i, at });
                } else {
                    extra[i - total] = true;
                }
            }),
            None => extra[..self.extras].fill(true),
        }
        if !s.is_ascii() && s.contains(FOLDS_TO_ASCII) {
            out.clear();
            out.extend((0..total).map(|regex| Candidate {
                regex,
                at: Candidate::ANYWHERE,
            }));
            return;
        }
        // Most sentences match none of the set: asking that first spares
        // the allocation `matches` makes.
        if let Some(set) = self.rest_set.as_ref().filter(|set| set.is_match(s)) {
            out.extend(set.matches(s).iter().map(|i| Candidate {
                regex: self.rest[i],
                at: Candidate::ANYWHERE,
            }));
        }
        out.sort_unstable();
        out.dedup();
    }

    /// Whether regex `i`'s every match starts where one of its literals
    /// does: [`CueFilter::candidates`] gives it offsets, except in a
    /// sentence with a character in [`FOLDS_TO_ASCII`].
    pub fn is_anchored(&self, i: usize) -> bool {
        self.anchored[i]
    }

    /// How many regexes have no literal and go through the set.
    #[cfg(test)]
    fn rest_len(&self) -> usize {
        self.rest.len()
    }
}

/// Cue literals are cut to about this many bytes. The extracted ones run
/// up to 40 ("dermatologists perform"), a few thousand in all, and make an
/// automaton of some 7 MB that each sentence's pass walks through memory;
/// cut, it is smaller, and the anchored regex that follows a hit rejects
/// the few more false starts at little cost. 10 measured best of 6 to 16
/// (2k corpus: 4% fewer instructions than uncut; 8 and 12 were between).
/// Suffixes are not cut (see [`CueFilter::new`]).
const LITERAL_BYTES: usize = 10;

/// `literal` cut to `n` bytes (more where a character would be split):
/// its start when it is a prefix of every match, its end when a suffix.
fn cut(literal: &str, n: usize, prefix: bool) -> String {
    if literal.len() <= n {
        return literal.to_string();
    }
    if prefix {
        let end = (n..=literal.len())
            .find(|&e| literal.is_char_boundary(e))
            .unwrap_or(literal.len());
        literal[..end].to_string()
    } else {
        let start = (0..=literal.len() - n)
            .rev()
            .find(|&b| literal.is_char_boundary(b))
            .unwrap_or(0);
        literal[start..].to_string()
    }
}

/// Literals one of which every match of `pattern` contains, matched ASCII
/// case-insensitively, or `None` when there is no such short list. Taken
/// from the pattern read case-sensitively (as written): the regex's case
/// insensitivity then only adds ASCII case variants, which the automaton
/// ignores, and the characters in [`FOLDS_TO_ASCII`], which turn the filter
/// off. A literal with another character that has case variants is refused.
/// Of the prefixes and the suffixes, the list with the longest shortest
/// literal wins; the flag says it is the prefixes.
fn required_literals(pattern: &str) -> Option<(Vec<String>, bool)> {
    let hir = regex_syntax::ParserBuilder::new()
        .build()
        .parse(&ascii_word_boundaries(pattern))
        .ok()?;
    let mut best: Option<(usize, Vec<String>, bool)> = None;
    for kind in [ExtractKind::Prefix, ExtractKind::Suffix] {
        let prefixes = matches!(kind, ExtractKind::Prefix);
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
        let better = best.as_ref().is_none_or(|(len, b, _)| {
            shortest > *len || (shortest == *len && strings.len() < b.len())
        });
        if better {
            best = Some((shortest, strings, prefixes));
        }
    }
    best.map(|(_, s, prefixes)| (s, prefixes))
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
            (vec!["buy".to_string(), "bought".to_string()], true)
        );
        // No fixed start, a fixed end.
        let (mut end, prefixes) = required_literals(r"\b\d+ (?:dollars|bucks)\b").unwrap();
        end.sort();
        assert_eq!(
            (end, prefixes),
            (vec![" bucks".to_string(), " dollars".to_string()], false)
        );
        // A curly apostrophe has no case; a Greek mu does.
        assert!(required_literals("don[\x27’]t share").is_some());
        assert!(required_literals("μm").is_none());
        // Could start and end with anything.
        assert!(required_literals(r"(?:^|\s)\w+\s*$").is_none());
    }

    #[test]
    fn cut_literals_keep_their_start_or_their_end_and_whole_characters() {
        assert_eq!(cut("dermatologists ", 10, true), "dermatolog");
        assert_eq!(cut(" dollars", 10, true), " dollars");
        assert_eq!(cut("dermatologists use", 10, false), "ogists use");
        // "don’t" is 7 bytes: the curly apostrophe is three.
        assert_eq!(cut("don’t share", 4, true), "don’");
        assert_eq!(cut("so don’t", 4, false), "’t");
    }

    #[test]
    fn candidates_include_every_regex_that_matches() {
        let patterns: Vec<String> = [
            r"\b(?:buy|bought)\b",
            r"\b\d+ (?:dollars|bucks)\b",
            r"(?:^|,\s+)\w+\s+\d",
            r"\bkit\b",
            "don[\x27’]t share",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let filter = CueFilter::new(&patterns, &patterns, [], 0).unwrap();
        assert_eq!(filter.rest_len(), 1);
        let regexes: Vec<_> = patterns.iter().map(|p| build_regex(p).unwrap()).collect();
        let mut out = Vec::new();
        for s in [
            "I BOUGHT a kit for 20 Bucks",
            "Roll it, then don’t share it, twice 2",
            "Nothing here",
            "A \u{212A}it",
            "bought, roll it",
        ] {
            filter.candidates(s, &mut out, &mut []);
            for (i, re) in regexes.iter().enumerate() {
                for m in re.find_iter(s) {
                    let kept = out.iter().any(|c| {
                        c.regex == i && (c.at == Candidate::ANYWHERE || c.at == m.start())
                    });
                    assert!(kept, "{s:?}: match {m:?} of pattern {i} dropped");
                }
            }
        }
        // Prefix literals say where a match may start; a suffix literal
        // (" bucks") cannot.
        filter.candidates("I BOUGHT a kit for 20 Bucks", &mut out, &mut []);
        let at = |regex, at| Candidate { regex, at };
        assert_eq!(out, vec![at(0, 2), at(1, Candidate::ANYWHERE), at(3, 11)]);
        filter.candidates("Nothing here", &mut out, &mut []);
        assert!(out.is_empty());
    }

    #[test]
    fn extra_literals_are_reported_by_owner_in_the_same_pass() {
        let patterns = vec![r"\bbuy\b".to_string()];
        let extra = [
            ("derma roller".to_string(), 0),
            ("dermaroller".to_string(), 0),
            ("microneedling".to_string(), 1),
        ];
        let filter = CueFilter::new(&patterns, &patterns, extra, 3).unwrap();
        let mut out = Vec::new();
        let mut seen = [false; 3];
        filter.candidates("Buy a DERMAROLLER.", &mut out, &mut seen);
        let at = |at| vec![Candidate { regex: 0, at }];
        assert_eq!((out.clone(), seen), (at(0), [true, false, false]));
        // A character that folds to an ASCII letter runs every regex over
        // the whole sentence, and the extra literals are still looked for.
        let mut seen = [false; 3];
        filter.candidates("\u{212A}it for microneedling", &mut out, &mut seen);
        assert_eq!((out, seen), (at(Candidate::ANYWHERE), [false, true, false]));
    }
}
