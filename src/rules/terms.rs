//! Term lists compiled for matching: aho-corasick over every spelling form,
//! word boundaries, optional plural `s`, declared fuzzy words, extra regexes
//! and exclusions.

use std::ops::Range;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};
use regex::{Regex, RegexBuilder};
use regex_automata::meta;

use crate::pack::{Pack, PackError, TermList};

/// A compiled term list.
#[derive(Debug, Clone)]
pub struct TermMatcher {
    automaton: Option<AhoCorasick>,
    /// Every spelling form the automaton matches, lowercased and sorted.
    forms: Vec<String>,
    fuzzy: Vec<FuzzyWord>,
    patterns: Vec<Regex>,
    exclude: Vec<Regex>,
}

/// A word whose misspellings match: same first letter, edit distance 1 for
/// 6–8 letters and 2 for 9 or more.
#[derive(Debug, Clone)]
struct FuzzyWord {
    word: String,
    first: char,
    /// In characters.
    len: usize,
    max: usize,
    /// Letter counts, when the word is ASCII letters only.
    letters: Option<[u8; 26]>,
}

impl FuzzyWord {
    fn new(word: String) -> Option<FuzzyWord> {
        let len = word.chars().count();
        let first = word.chars().next()?;
        (len >= 6 && !word.contains(' ')).then_some(FuzzyWord {
            max: if len >= 9 { 2 } else { 1 },
            first,
            len,
            letters: letter_counts(&word),
            word,
        })
    }

    /// False when `lower` (lowercased) is surely further than `max` edits
    /// away. An edit changes the letter counts by at most two in all (a
    /// substitution: one down, one up), so half their difference is a lower
    /// bound on the distance, far cheaper than computing it.
    fn may_be_near(&self, lower: &str) -> bool {
        self.may_be_near_counts(letter_counts(lower))
    }

    /// [`FuzzyWord::may_be_near`] given the word's [`letter_counts`].
    fn may_be_near_counts(&self, theirs: Option<[u8; 26]>) -> bool {
        let (Some(mine), Some(theirs)) = (self.letters, theirs) else {
            return true;
        };
        let diff: usize = mine
            .iter()
            .zip(&theirs)
            .map(|(a, b)| a.abs_diff(*b) as usize)
            .sum();
        diff.div_ceil(2) <= self.max
    }
}

/// How often each of a–z occurs, if `word` is ASCII lowercase letters only
/// (and no letter occurs 256 times).
fn letter_counts(word: &str) -> Option<[u8; 26]> {
    let mut counts = [0u8; 26];
    for b in word.bytes() {
        if !b.is_ascii_lowercase() {
            return None;
        }
        let c = &mut counts[usize::from(b - b'a')];
        *c = c.checked_add(1)?;
    }
    Some(counts)
}

/// Compiles a pack's regex as every pack regex is: case-insensitive, with
/// ASCII word boundaries.
pub fn build_regex(pattern: &str) -> Result<Regex, regex::Error> {
    RegexBuilder::new(&ascii_word_boundaries(pattern))
        .case_insensitive(true)
        .size_limit(1 << 20)
        .build()
}

/// [`build_regex`] as the engine under it, whose searches can be anchored
/// at a position: the same syntax, options and matches. `anchored`: the
/// regex will be searched anchored (nearly) always, and needs no
/// prefilter to skip ahead, which costs more to build than the regex.
pub fn build_meta_regex(
    pattern: &str,
    anchored: bool,
) -> Result<meta::Regex, Box<meta::BuildError>> {
    meta::Builder::new()
        .configure(
            meta::Config::new()
                .match_kind(regex_automata::MatchKind::LeftmostFirst)
                .utf8_empty(true)
                .nfa_size_limit(Some(1 << 20))
                .hybrid_cache_capacity(2 * (1 << 20))
                .auto_prefilter(!anchored),
        )
        .syntax(
            regex_automata::util::syntax::Config::new()
                .case_insensitive(true)
                .utf8(true),
        )
        .build(&ascii_word_boundaries(pattern))
        .map_err(Box::new)
}

/// [`compile_regex`] for [`build_meta_regex`].
pub fn compile_meta_regex(
    pack: &Pack,
    src: &toml::Spanned<String>,
    what: &str,
) -> Result<meta::Regex, Box<PackError>> {
    build_meta_regex(src.get_ref(), false).map_err(|e| {
        // The same error as `regex` gives, worded as it words it.
        compile_regex(pack, src, what).err().unwrap_or_else(|| {
            pack.error(
                Some(src.span()),
                format!("invalid regex in {what}"),
                first_line(&e.to_string()),
                None,
            )
        })
    })
}

/// Compiles a regex from a pack, pointing an error at its string.
pub fn compile_regex(
    pack: &Pack,
    src: &toml::Spanned<String>,
    what: &str,
) -> Result<Regex, Box<PackError>> {
    build_regex(src.get_ref()).map_err(|e| {
        pack.error(
            Some(src.span()),
            format!("invalid regex in {what}"),
            first_line(&e.to_string()),
            Some("patterns use the `regex` crate's syntax, case-insensitive".into()),
        )
    })
}

/// Rewrites `\b` as an ASCII word boundary. Unicode `\b` makes the regex
/// engines fall back to their slowest path on any non-ASCII text (curly
/// quotes, dashes), and our cue words are ASCII.
pub fn ascii_word_boundaries(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len() + 16);
    let mut chars = pattern.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('b') => out.push_str("(?-u:\\b)"),
                Some(n) => {
                    out.push(c);
                    out.push(n);
                }
                None => out.push(c),
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn first_line(s: &str) -> String {
    s.lines()
        .rfind(|l| !l.trim().is_empty())
        .unwrap_or(s)
        .trim()
        .to_string()
}

/// Every spelling of a term: each run of spaces or hyphens between words as
/// a space, a hyphen, or nothing ("derma roller" = "derma-roller" = "dermaroller").
fn spelling_forms(term: &str) -> Vec<String> {
    let parts: Vec<&str> = term.split([' ', '-']).filter(|p| !p.is_empty()).collect();
    let mut forms = vec![parts.first().copied().unwrap_or("").to_string()];
    for part in parts.iter().skip(1) {
        // Cap the combinations: long phrases keep their space and hyphen forms only.
        let seps: &[&str] = if parts.len() > 4 {
            &[" "]
        } else {
            &[" ", "-", ""]
        };
        forms = forms
            .iter()
            .flat_map(|f| seps.iter().map(move |s| format!("{f}{s}{part}")))
            .collect();
    }
    forms
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric()
}

/// A spelling's match at `r` as a hit: itself, or with a plural or verb
/// `s` ("derma rollers", "dermarolls"), when that lies on word boundaries.
fn word_hit(text: &str, mut r: Range<usize>) -> Option<Range<usize>> {
    if text[r.end..].starts_with(['s', 'S']) {
        let longer = r.start..r.end + 1;
        if on_word_boundaries(text, &longer) {
            r = longer;
        }
    }
    on_word_boundaries(text, &r).then_some(r)
}

/// True when `range` of `text` starts and ends on word boundaries.
fn on_word_boundaries(text: &str, range: &Range<usize>) -> bool {
    let before = text[..range.start].chars().next_back();
    let after = text[range.end..].chars().next();
    !before.is_some_and(is_word_char) && !after.is_some_and(is_word_char)
}

impl TermMatcher {
    pub fn compile(pack: &Pack, list: &TermList, what: &str) -> Result<Self, Box<PackError>> {
        let mut forms: Vec<String> = list
            .terms
            .iter()
            .chain(list.fuzzy.iter())
            .flat_map(|t| spelling_forms(&t.to_lowercase()))
            .filter(|f| !f.is_empty())
            .collect();
        forms.sort();
        forms.dedup();
        let automaton = if forms.is_empty() {
            None
        } else {
            // Case-sensitive over the lowercased forms, run on lowercased
            // text (see `ascii_lowercased`): the same matches as an ASCII
            // case-insensitive automaton, but this one can use aho-corasick's
            // vectorized search, which a case-insensitive one with more than
            // a few first letters cannot.
            Some(
                AhoCorasickBuilder::new()
                    .match_kind(MatchKind::LeftmostLongest)
                    .build(&forms)
                    .map_err(|e| {
                        pack.error(
                            None,
                            format!("cannot compile terms of {what}: {e}"),
                            "",
                            None,
                        )
                    })?,
            )
        };
        let compile_all = |v: &[toml::Spanned<String>]| -> Result<Vec<Regex>, Box<PackError>> {
            v.iter().map(|p| compile_regex(pack, p, what)).collect()
        };
        Ok(TermMatcher {
            automaton,
            forms,
            fuzzy: list
                .fuzzy
                .iter()
                .filter_map(|w| FuzzyWord::new(w.to_lowercase()))
                .collect(),
            patterns: compile_all(&list.patterns)?,
            exclude: compile_all(&list.exclude)?,
        })
    }

    /// Every spelling form of the list's terms and fuzzy words (lowercased).
    pub fn forms(&self) -> &[String] {
        &self.forms
    }

    /// The words that also match their misspellings (lowercased).
    pub fn fuzzy_words(&self) -> impl Iterator<Item = &str> {
        self.fuzzy.iter().map(|f| f.word.as_str())
    }

    /// True when a hit depends on nothing but the text of its spelling and
    /// the characters on either side (no regexes, no exclusions, no fuzzy
    /// words): then the hits in a sentence are the page's hits inside it.
    pub fn hits_are_context_free(&self) -> bool {
        self.patterns.is_empty() && self.exclude.is_empty() && self.fuzzy.is_empty()
    }

    /// True when the list has regexes, whose hits no literal can predict.
    pub fn has_patterns(&self) -> bool {
        !self.patterns.is_empty()
    }

    /// All hits in `text`, in order, non-overlapping.
    pub fn find(&self, text: &str) -> Vec<Range<usize>> {
        let mut hits = Vec::new();
        if let Some(ac) = &self.automaton {
            ascii_lowercased(text, |lower| {
                hits.extend(
                    ac.find_iter(lower)
                        .filter_map(|m| word_hit(text, m.range())),
                );
            });
        }
        for re in &self.patterns {
            hits.extend(re.find_iter(text).map(|m| m.range()));
        }
        if !self.fuzzy.is_empty() {
            self.find_fuzzy(text, &mut hits);
        }
        if !self.exclude.is_empty() {
            let excluded: Vec<Range<usize>> = self
                .exclude
                .iter()
                .flat_map(|re| re.find_iter(text).map(|m| m.range()))
                .collect();
            hits.retain(|h| !excluded.iter().any(|x| x.start < h.end && h.start < x.end));
        }
        hits.sort_by_key(|r| (r.start, std::cmp::Reverse(r.end)));
        // Keep each hit that starts after the last kept one ends, in place.
        let mut kept = 0;
        for i in 0..hits.len() {
            if kept == 0 || hits[i].start >= hits[kept - 1].end {
                hits.swap(kept, i);
                kept += 1;
            }
        }
        hits.truncate(kept);
        hits
    }

    /// False only when no term of the list occurs anywhere in `text` and it
    /// has no regexes: then `find` has no hit but fuzzy ones in any part of
    /// it. [`StemmedSpellings`] answers this for several lists at once, and
    /// is tested against it.
    #[cfg(test)]
    pub fn may_hit_literally(&self, text: &str) -> bool {
        !self.patterns.is_empty()
            || self
                .automaton
                .as_ref()
                .is_some_and(|a| ascii_lowercased(text, |lower| a.is_match(lower)))
    }

    /// Whether a hit of the list in `text` contains `range`. A list whose
    /// hits depend only on their spelling and the characters on either side
    /// is matched only around `range`, as far as its longest spelling (and
    /// a plural `s`) reaches; a hit at an edge of that window counts only
    /// where the edge is a word boundary of `text` too.
    pub fn covers(&self, text: &str, range: Range<usize>) -> bool {
        let holds = |r: &Range<usize>| r.start <= range.start && range.end <= r.end;
        if !self.hits_are_context_free() {
            return self.find(text).iter().any(holds);
        }
        let reach = self.forms.iter().map(String::len).max().unwrap_or(0) + 1;
        let mut from = range.start.saturating_sub(reach);
        while !text.is_char_boundary(from) {
            from -= 1;
        }
        let mut to = (range.end + reach).min(text.len());
        while !text.is_char_boundary(to) {
            to += 1;
        }
        let boundary = |at: usize| {
            !(text[..at].chars().next_back().is_some_and(is_word_char)
                && text[at..].chars().next().is_some_and(is_word_char))
        };
        self.find(&text[from..to]).into_iter().any(|r| {
            let r = r.start + from..r.end + from;
            holds(&r) && (r.start > from || boundary(from)) && (r.end < to || boundary(to))
        })
    }

    /// True when any hit exists: [`TermMatcher::find`] would find one.
    pub fn is_match(&self, text: &str) -> bool {
        if !self.hits_are_context_free() {
            return !self.find(text).is_empty();
        }
        // `find` keeps its first hit whatever comes after it: the first
        // spelling on word boundaries answers, without the rest of the text
        // (a look-alike page names its roller in its title).
        self.automaton.as_ref().is_some_and(|ac| {
            ascii_lowercased(text, |lower| {
                ac.find_iter(lower)
                    .any(|m| word_hit(text, m.range()).is_some())
            })
        })
    }

    /// Misspellings of the declared fuzzy words: same first letter, edit
    /// distance 1 for 6–8 letters and 2 for 9 or more.
    fn find_fuzzy(&self, text: &str, hits: &mut Vec<Range<usize>>) {
        let check = |s: usize, e: usize, hits: &mut Vec<Range<usize>>| {
            let word = &text[s..e];
            let n = word.chars().count();
            if n < 6 || hits.iter().any(|h| h.start <= s && e <= h.end) {
                return;
            }
            // Cheap tests first: most words share no first letter and no
            // length with any fuzzy word.
            let first = word.chars().next().and_then(|c| c.to_lowercase().next());
            let near = |f: &FuzzyWord| Some(f.first) == first && f.len.abs_diff(n) <= f.max;
            if !self.fuzzy.iter().any(near) {
                return;
            }
            let lower = word.to_lowercase();
            for f in &self.fuzzy {
                if f.len.abs_diff(n) > f.max || !lower.starts_with(f.first) {
                    continue;
                }
                if f.may_be_near(&lower) && strsim::osa_distance(&f.word, &lower) <= f.max {
                    hits.push(s..e);
                    return;
                }
            }
        };
        each_word(
            text,
            |first| self.fuzzy.iter().any(|f| Some(f.first) == first),
            |start, end| check(start, end, hits),
        );
    }
}

/// Calls `on_word` with the range of every word of `text` (a run of
/// alphabetic characters) whose first letter, lowercased, `wants`. ASCII is
/// tested byte by byte, and a word not wanted is skipped whole: most words
/// of a page are.
fn each_word(
    text: &str,
    wants: impl Fn(Option<char>) -> bool,
    mut on_word: impl FnMut(usize, usize),
) {
    let bytes = text.as_bytes();
    // The alphabetic character at `i` and its length, if it is one.
    let letter_at = |i: usize| -> Option<(char, usize)> {
        let b = bytes[i];
        if b < 0x80 {
            return b.is_ascii_alphabetic().then_some((b as char, 1));
        }
        let c = text[i..].chars().next().expect("i is a char boundary");
        c.is_alphabetic().then_some((c, c.len_utf8()))
    };
    let mut i = 0;
    while i < bytes.len() {
        let Some((c, len)) = letter_at(i) else {
            i += if bytes[i] < 0x80 {
                1
            } else {
                text[i..].chars().next().map_or(1, char::len_utf8)
            };
            continue;
        };
        let start = i;
        let lower = if c.is_ascii() {
            Some(c.to_ascii_lowercase())
        } else {
            c.to_lowercase().next()
        };
        let wanted = wants(lower);
        i = word_end(text, i + len);
        if wanted {
            on_word(start, i);
        }
    }
}

/// Where the word that goes on at byte `i` of `text` ends.
fn word_end(text: &str, mut i: usize) -> usize {
    let bytes = text.as_bytes();
    while i < bytes.len() {
        if bytes[i].is_ascii_alphabetic() {
            i += 1;
        } else if bytes[i] < 0x80 {
            break;
        } else {
            match text[i..].chars().next().filter(|c| c.is_alphabetic()) {
                Some(c) => i += c.len_utf8(),
                None => break,
            }
        }
    }
    i
}

/// Characters outside ASCII whose lowercase starts with an ASCII letter
/// (CAPITAL I WITH DOT ABOVE, KELVIN SIGN).
const LOWERS_TO_ASCII: [char; 2] = ['\u{130}', '\u{212A}'];

/// The lowercase ASCII letters of `firsts` when [`each_word_from`] can
/// stand for [`each_word`] with them: one to three, and no character
/// outside ASCII lowercases to one.
fn ascii_firsts(firsts: &[char]) -> Option<Vec<u8>> {
    let usable = (1..=3).contains(&firsts.len())
        && firsts.iter().all(|c| {
            c.is_ascii_lowercase()
                && !LOWERS_TO_ASCII
                    .iter()
                    .any(|u| u.to_lowercase().next() == Some(*c))
        });
    usable.then(|| firsts.iter().map(|&c| c as u8).collect())
}

/// [`each_word`] for the words whose first letter, lowercased, is one of
/// `firsts` (from [`ascii_firsts`]): memchr jumps from one such letter to
/// the next, where `each_word` reads every word of the text.
fn each_word_from(text: &str, firsts: &[u8], mut on_word: impl FnMut(usize, usize)) {
    ascii_lowercased(text, |lower| {
        let find = |hay: &[u8]| match *firsts {
            [a] => memchr::memchr(a, hay),
            [a, b] => memchr::memchr2(a, b, hay),
            [a, b, c] => memchr::memchr3(a, b, c, hay),
            _ => unreachable!("ascii_firsts gives one to three"),
        };
        let mut from = 0;
        while let Some(at) = find(&lower[from..]).map(|p| from + p) {
            // The letter is ASCII, so `at` is a character boundary.
            let starts = text[..at]
                .chars()
                .next_back()
                .is_none_or(|c| !c.is_alphabetic());
            let end = word_end(text, at + 1);
            if starts {
                on_word(at, end);
            }
            // No word starts inside this one.
            from = end;
        }
    })
}

/// Calls `f` with `text` ASCII-lowercased, which keeps every byte offset.
/// Most texts are sentences: those are copied on the stack.
fn ascii_lowercased<R>(text: &str, f: impl FnOnce(&[u8]) -> R) -> R {
    let mut short = [0u8; 512];
    let mut long = Vec::new();
    let lower = if text.len() <= short.len() {
        &mut short[..text.len()]
    } else {
        long.resize(text.len(), 0);
        &mut long[..]
    };
    lower.copy_from_slice(text.as_bytes());
    lower.make_ascii_lowercase();
    f(lower)
}

/// Whether any spelling of some term lists occurs in a text, found through
/// their stems. A page that does not name the treatment is still read
/// through for it, and the spellings of the device and procedure terms are
/// too many (145) for aho-corasick's vectorized search: walked byte by
/// byte, that pass was a fifth of the cost of a facial-roller page. Every
/// spelling holds the longest word of one of its forms (a stem: "roller",
/// "derma", "needling"), and a dozen stems are searched with the vectorized
/// search; the spellings are then looked for only around each stem's hits
/// ("derma roller" around "roller": the six bytes before it).
#[derive(Debug, Clone)]
pub(crate) struct StemmedSpellings {
    /// The stems, none containing another (so no two start at one place).
    stems: AhoCorasick,
    spellings: AhoCorasick,
    /// Per stem: how far a spelling that holds it reaches before its start
    /// and after its end, in bytes.
    reach: Vec<(usize, usize)>,
}

impl StemmedSpellings {
    /// From every spelling form of `lists`; `None` when there is none.
    pub(crate) fn new(lists: &[&TermMatcher]) -> Option<StemmedSpellings> {
        let forms: Vec<&str> = lists
            .iter()
            .flat_map(|l| l.forms.iter().map(String::as_str))
            .collect();
        let mut stems: Vec<&str> = forms
            .iter()
            .map(|f| {
                f.split(|c: char| !c.is_alphabetic())
                    .filter(|w| !w.is_empty())
                    .rev()
                    .max_by_key(|w| w.len())
                    .unwrap_or(f)
            })
            .collect();
        stems.sort_unstable();
        stems.dedup();
        drop_containing(&mut stems);
        if stems.is_empty() {
            return None;
        }
        let reach = stems
            .iter()
            .map(|stem| {
                forms
                    .iter()
                    .flat_map(|f| {
                        f.match_indices(stem)
                            .map(|(at, _)| (at, f.len() - at - stem.len()))
                    })
                    .fold((0, 0), |(b, a), (before, after)| {
                        (b.max(before), a.max(after))
                    })
            })
            .collect();
        Some(StemmedSpellings {
            stems: AhoCorasickBuilder::new()
                .match_kind(MatchKind::LeftmostFirst)
                .build(&stems)
                .ok()?,
            spellings: AhoCorasickBuilder::new().build(&forms).ok()?,
            reach,
        })
    }

    /// True when a spelling occurs in `text` (ASCII case-insensitively),
    /// anywhere: what each list's [`TermMatcher::may_hit_literally`] asks.
    /// Every place a stem starts is visited (the search goes on from the
    /// byte after a hit's start), and each is looked at only as far as the
    /// spellings that hold that stem reach.
    pub(crate) fn is_match(&self, text: &str) -> bool {
        ascii_lowercased(text, |lower| {
            every_start(&self.stems, lower).any(|m| {
                let (before, after) = self.reach[m.pattern().as_usize()];
                let from = m.start().saturating_sub(before);
                let to = (m.end() + after).min(lower.len());
                self.spellings.is_match(&lower[from..to])
            })
        })
    }
}

/// Drops each string that contains another of them: in a search for any
/// of them, the other is found wherever it would be.
pub(crate) fn drop_containing<S: AsRef<str> + Clone>(strings: &mut Vec<S>) {
    let all = strings.clone();
    strings.retain(|s| {
        !all.iter()
            .any(|t| t.as_ref() != s.as_ref() && s.as_ref().contains(t.as_ref()))
    });
}

/// The match that starts at each place one does in `haystack`, in order:
/// for a leftmost-first automaton over strings none of which contains
/// another (so no two start at one place), every occurrence of each,
/// overlapping ones too.
pub(crate) fn every_start<'a>(
    automaton: &'a AhoCorasick,
    haystack: &'a [u8],
) -> impl Iterator<Item = aho_corasick::Match> + 'a {
    let mut at = 0;
    std::iter::from_fn(move || {
        let m = automaton.find(aho_corasick::Input::new(haystack).span(at..haystack.len()))?;
        at = m.start() + 1;
        Some(m)
    })
}

/// Literals, each needed by some of a set of matchers (cue regexes, term
/// lists), under one overlapping automaton that ignores ASCII case: which
/// matchers have one of their literals in a text. Shared by the cue filter
/// and [`ListFilter`].
#[derive(Debug, Clone)]
pub(crate) struct LiteralOwners {
    automaton: AhoCorasick,
    /// Per literal: the matchers that need it.
    owners: Vec<Vec<usize>>,
}

impl LiteralOwners {
    /// From (literal, matcher) pairs; `None` when there are none or the
    /// automaton cannot be built (too big), and the caller must test every
    /// matcher.
    pub(crate) fn build(
        pairs: impl IntoIterator<Item = (String, usize)>,
        kind: AhoCorasickKind,
    ) -> Option<LiteralOwners> {
        let mut index: std::collections::HashMap<String, usize> = Default::default();
        let mut literals: Vec<String> = Vec::new();
        let mut owners: Vec<Vec<usize>> = Vec::new();
        for (lit, owner) in pairs {
            let lit = lit.to_ascii_lowercase();
            let at = *index.entry(lit.clone()).or_insert_with(|| {
                literals.push(lit);
                owners.push(Vec::new());
                owners.len() - 1
            });
            owners[at].push(owner);
        }
        if literals.is_empty() {
            return None;
        }
        let automaton = AhoCorasickBuilder::new()
            .match_kind(MatchKind::Standard)
            .kind(Some(kind))
            .build(&literals)
            .ok()?;
        Some(LiteralOwners { automaton, owners })
    }

    /// Calls `owner` with each matcher one of whose literals occurs in
    /// `text` (as often as its literals occur), and where the literal starts.
    pub(crate) fn each_owner(&self, text: &str, mut owner: impl FnMut(usize, usize)) {
        // The automaton is case-sensitive over lowercased literals: it is
        // half the size of an ASCII case-insensitive one (half the byte
        // classes), and quicker to build.
        ascii_lowercased(text, |lower| {
            for m in self.automaton.find_overlapping_iter(lower) {
                self.owners[m.pattern().as_usize()]
                    .iter()
                    .for_each(|&i| owner(i, m.start()));
            }
        })
    }
}

/// Every spelling form of `lists`, with the index of its list.
pub(crate) fn spelling_owners<'a>(
    lists: &'a [&TermMatcher],
) -> impl Iterator<Item = (String, usize)> + 'a {
    lists
        .iter()
        .enumerate()
        .flat_map(|(i, list)| list.forms.iter().map(move |f| (f.clone(), i)))
}

/// Several term lists tested together: which of them can have a hit in a
/// text, by one automaton over all their spellings and one pass over its
/// words, instead of a full match per list. A list it rules out has no hit;
/// one it lets through may still have none.
#[derive(Debug, Clone)]
pub struct ListFilter {
    /// Each list's spellings.
    spellings: Option<LiteralOwners>,
    /// Every fuzzy word, with its list.
    fuzzy: Vec<(usize, FuzzyWord)>,
    /// Lists with regexes, whose hits no spelling predicts.
    always: Vec<usize>,
    lists: usize,
    /// The most characters a misspelling of a fuzzy word can have.
    longest: usize,
    /// The fuzzy words' first letters, each once.
    firsts: Vec<char>,
    /// The same as bytes, when [`each_word_from`] can look for them.
    ascii_firsts: Option<Vec<u8>>,
}

impl ListFilter {
    pub fn new(lists: &[&TermMatcher]) -> ListFilter {
        let mut filter = ListFilter::without_spellings(lists);
        filter.spellings = LiteralOwners::build(
            spelling_owners(lists),
            // Run on every sentence: the fastest search is worth its build.
            AhoCorasickKind::DFA,
        );
        if filter.spellings.is_none() && lists.iter().any(|l| !l.forms.is_empty()) {
            // Cannot happen for lists that compiled; if it did, test them all.
            filter.always = (0..lists.len()).collect();
        }
        filter
    }

    /// A filter that leaves the lists' spellings to the caller, who finds
    /// them in a pass it makes anyway (see [`spelling_owners`]) and marks
    /// the lists they belong to before calling [`ListFilter::candidates`].
    pub(crate) fn without_spellings(lists: &[&TermMatcher]) -> ListFilter {
        let mut fuzzy = Vec::new();
        let mut always = Vec::new();
        for (i, list) in lists.iter().enumerate() {
            fuzzy.extend(list.fuzzy.iter().map(|f| (i, f.clone())));
            if !list.patterns.is_empty() {
                always.push(i);
            }
        }
        let mut firsts: Vec<char> = fuzzy.iter().map(|(_, f)| f.first).collect();
        firsts.sort_unstable();
        firsts.dedup();
        ListFilter {
            spellings: None,
            longest: fuzzy.iter().map(|(_, f)| f.len + f.max).max().unwrap_or(0),
            ascii_firsts: ascii_firsts(&firsts),
            firsts,
            fuzzy,
            always,
            lists: lists.len(),
        }
    }

    /// `out[i]` is false when list `i` has surely no hit in `text`.
    pub fn candidates(&self, text: &str, out: &mut Vec<bool>) {
        out.clear();
        out.resize(self.lists, false);
        self.add_candidates(text, out);
    }

    /// [`ListFilter::candidates`] into `out` (one entry per list), keeping
    /// the lists already marked there.
    pub(crate) fn add_candidates(&self, text: &str, out: &mut [bool]) {
        for &i in &self.always {
            out[i] = true;
        }
        if let Some(spellings) = &self.spellings {
            spellings.each_owner(text, |i, _| out[i] = true);
        }
        if self.fuzzy.is_empty() {
            return;
        }
        // What `find_fuzzy` asks of a word before its edit distance.
        let on_word = |s: usize, e: usize| {
            // Fewer than six bytes is fewer than six characters.
            if e - s < 6 {
                return;
            }
            let word = &text[s..e];
            let n = word.chars().count();
            if n < 6 {
                return;
            }
            // Most words are ASCII: lower-cased on the stack.
            let mut buf = [0u8; 32];
            if n > self.longest {
                return;
            }
            let lower: std::borrow::Cow<str> = match buf.get_mut(..word.len()) {
                Some(b) if word.is_ascii() => {
                    b.copy_from_slice(word.as_bytes());
                    b.make_ascii_lowercase();
                    std::str::from_utf8(b).map_or_else(|_| word.to_lowercase().into(), Into::into)
                }
                _ => word.to_lowercase().into(),
            };
            // The same for every fuzzy word: counted once, when needed.
            let mut counts = None;
            for (i, f) in &self.fuzzy {
                if !out[*i]
                    && f.len.abs_diff(n) <= f.max
                    && lower.starts_with(f.first)
                    && f.may_be_near_counts(*counts.get_or_insert_with(|| letter_counts(&lower)))
                {
                    out[*i] = true;
                }
            }
        };
        match &self.ascii_firsts {
            Some(firsts) => each_word_from(text, firsts, on_word),
            None => each_word(
                text,
                |first| first.is_some_and(|c| self.firsts.contains(&c)),
                on_word,
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matcher(terms: &[&str], fuzzy: &[&str]) -> TermMatcher {
        let pack = Pack::parse("t.toml", "name = \"t\"").unwrap();
        let list = TermList {
            terms: terms.iter().map(|s| s.to_string()).collect(),
            fuzzy: fuzzy.iter().map(|s| s.to_string()).collect(),
            ..Default::default()
        };
        TermMatcher::compile(&pack, &list, "test").unwrap()
    }

    fn texts<'a>(m: &TermMatcher, t: &'a str) -> Vec<&'a str> {
        m.find(t).into_iter().map(|r| &t[r]).collect()
    }

    #[test]
    fn is_match_says_whether_find_finds_anything() {
        let plain = matcher(&["jade roller", "gua sha"], &[]);
        let fuzzy = matcher(&["jade roller"], &["dermaroller"]);
        assert!(plain.hits_are_context_free() && !fuzzy.hits_are_context_free());
        for text in [
            "",
            "A Jade-Roller.",
            "xjade roller, then a jade roller",
            "jade rollerx",
            "two jade rollers",
            "jade rollersx and gua sha",
            "gua shax",
            "a dermarollr",
            "Ｊade roller ｊade roller",
        ] {
            for m in [&plain, &fuzzy] {
                assert_eq!(m.is_match(text), !m.find(text).is_empty(), "{text:?}");
            }
        }
    }

    #[test]
    fn covers_answers_as_the_hits_of_the_whole_text_do() {
        let m = matcher(&["jade roller", "face roller", "gua sha"], &[]);
        let pad = "word ".repeat(8);
        for text in [
            format!("{pad}a jade roller{pad}"),
            format!("{pad}xjade roller and jade rollerx, jade rollers{pad}"),
            format!("jade roller{pad}face rollers"),
            format!("{pad}a Face-Roller. a gua shas and é jade roller é"),
        ] {
            let hits = m.find(&text);
            for start in (0..text.len()).filter(|&i| text.is_char_boundary(i)) {
                for end in
                    (start + 1..=text.len().min(start + 8)).filter(|&i| text.is_char_boundary(i))
                {
                    let whole = hits.iter().any(|r| r.start <= start && end <= r.end);
                    assert_eq!(
                        m.covers(&text, start..end),
                        whole,
                        "{:?} in {text:?}",
                        &text[start..end]
                    );
                }
            }
        }
    }

    #[test]
    fn stemmed_spellings_answer_as_the_lists_do() {
        let model = crate::rules::model::Model::compile(&Pack::builtin()[0]).unwrap();
        let lists = [&model.device, &model.procedure];
        let stemmed = StemmedSpellings::new(&lists).unwrap();
        let reference = |t: &str| lists.iter().any(|l| l.may_hit_literally(t));
        let filler = "Our jade roller, the pen, a rolling pin and needles: ";
        let mut texts: Vec<String> = [
            "",
            "A jade roller and a face roller, rolled daily.",
            "Happen to open the pen drawer.",
            "rollerrollerroller dermadermaderma pen-pen",
            "Ｄerma roller, Ｍicroneedling",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let forms = lists.iter().flat_map(|l| l.forms().iter());
        for form in forms {
            let chars: Vec<char> = form.chars().collect();
            let head: String = chars[1..].iter().collect();
            let tail: String = chars[..chars.len() - 1].iter().collect();
            texts.extend([
                form.clone(),
                form.to_uppercase(),
                format!("{filler}{form}"),
                format!("{}{form}{filler}", filler.repeat(12)),
                format!("{filler}{head} and {tail}{filler}"),
            ]);
        }
        for text in &texts {
            assert_eq!(stemmed.is_match(text), reference(text), "{text:?}");
        }
    }

    #[test]
    fn spaced_hyphenated_and_joined_forms_match_alike() {
        let m = matcher(&["derma roller"], &[]);
        assert_eq!(
            texts(&m, "A Derma-Roller, a dermaroller and two derma rollers."),
            vec!["Derma-Roller", "dermaroller", "derma rollers"]
        );
    }

    #[test]
    fn word_boundaries_are_required() {
        let m = matcher(&["roller"], &[]);
        assert!(texts(&m, "rollercoaster and unroller").is_empty());
    }

    #[test]
    fn fuzzy_words_catch_misspellings_but_not_other_words() {
        let m = matcher(&[], &["dermarolling", "accutane", "steroids"]);
        assert_eq!(
            texts(&m, "dermarollling on acutane"),
            vec!["dermarollling", "acutane"]
        );
        assert!(texts(&m, "asteroids and accurate").is_empty());
        // Words run over non-ASCII letters and end at anything else.
        assert_eq!(
            texts(
                &m,
                "«dermarölling» then Dermarollings’ and éaccutane, acutane!"
            ),
            vec!["dermarölling", "Dermarollings", "acutane"]
        );
    }

    #[test]
    fn only_two_characters_outside_ascii_lowercase_to_an_ascii_letter() {
        let found: Vec<char> = (0x80..=0x10FFFF)
            .filter_map(char::from_u32)
            .filter(|c| c.to_lowercase().next().is_some_and(|l| l.is_ascii()))
            .collect();
        assert_eq!(found, LOWERS_TO_ASCII);
        assert_eq!(ascii_firsts(&['d', 'm']), Some(b"dm".to_vec()));
        assert_eq!(ascii_firsts(&['d', 'k']), None);
        assert_eq!(ascii_firsts(&['a', 'b', 'c', 'd']), None);
        assert_eq!(ascii_firsts(&['é']), None);
    }

    #[test]
    fn words_found_by_their_first_letter_are_the_words_read_one_by_one() {
        let mut texts: Vec<String> = [
            "Dermaroller, MICRONEEDLING and a derma-roller; dm md mDm.",
            "édermaroller ñmicro Ωmega m d\u{301}erma dé m",
            "x1derma_dermaroll9m (mm) D",
            "",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        texts.extend(crate::rules::fixture_texts().into_iter().map(|(_, t)| t));
        for firsts in [&['d'][..], &['d', 'm'], &['a', 'm', 's']] {
            let bytes = ascii_firsts(firsts).unwrap();
            for text in &texts {
                let mut want = Vec::new();
                each_word(
                    text,
                    |c| c.is_some_and(|c| firsts.contains(&c)),
                    |s, e| want.push(s..e),
                );
                let mut got = Vec::new();
                each_word_from(text, &bytes, |s, e| got.push(s..e));
                assert_eq!(got, want, "{firsts:?} in {text:?}");
            }
        }
    }

    #[test]
    fn list_filter_passes_every_list_with_a_hit() {
        let pack = Pack::parse("t.toml", "name = \"t\"").unwrap();
        let with_regex = TermMatcher::compile(
            &pack,
            &TermList {
                patterns: vec![toml::Spanned::new(0..0, r"\baspirin\b".to_string())],
                ..Default::default()
            },
            "test",
        )
        .unwrap();
        let lists = [
            matcher(&["jade roller"], &[]),
            matcher(&["derma roller"], &["dermaroller"]),
            matcher(&["microneedling"], &["microneedling"]),
            with_regex,
        ];
        let filter = ListFilter::new(&lists.iter().collect::<Vec<_>>());
        let mut may = Vec::new();
        for text in [
            "A JADE ROLLER and a Derma-Roller.",
            "My dermarolller, then microneedeling.",
            "Gua sha only.",
            "Rolling daily with a «dermarôller».",
        ] {
            filter.candidates(text, &mut may);
            for (i, list) in lists.iter().enumerate() {
                if !list.find(text).is_empty() {
                    assert!(may[i], "{text:?}: list {i} ruled out");
                }
            }
        }
        filter.candidates("Gua sha only.", &mut may);
        // Only the list with a regex, which nothing predicts.
        assert_eq!(may, vec![false, false, false, true]);
        filter.candidates("My dermarolller.", &mut may);
        assert_eq!(may, vec![false, true, false, true]);
    }

    #[test]
    fn letter_counts_bound_the_edit_distance() {
        let f = FuzzyWord::new("dermaroller".into()).unwrap();
        for near in [
            "dermaroller",
            "dermarolller",
            "dremaroller",
            "dermaroler",
            "dermarollar",
            "durmarollar",
        ] {
            assert!(f.may_be_near(near), "{near}");
            assert!(strsim::osa_distance(&f.word, near) <= 2, "{near}");
        }
        // Not ASCII lowercase: no bound, the distance decides.
        assert!(f.may_be_near("dermaröller"));
        assert!(!f.may_be_near("moisturizer"));
        assert!(!f.may_be_near("dermatology"));
    }
}
