//! Splits a block of prose into sentences, and sentences into clauses.

use std::ops::Range;
use std::sync::LazyLock;

use aho_corasick::AhoCorasick;

/// Words after which a period does not end a sentence.
const ABBREVIATIONS: &[&str] = &[
    "e.g", "i.e", "eg", "ie", "dr", "mr", "mrs", "ms", "vs", "approx", "st", "no", "fig", "prof",
    "etc", "incl", "esp", "ca", "min", "max", "mt",
];

/// Sentence ranges (into `text`) inside `block`, trimmed of surrounding
/// white space. A decimal (".5 mm", "0.25") or an abbreviation ("e.g.",
/// "Dr.") does not end a sentence.
pub fn split(text: &str, block: Range<usize>) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    split_into(text, block, &mut out);
    out
}

/// [`split`], appending to `out`: one buffer for a whole page.
pub fn split_into(text: &str, block: Range<usize>, out: &mut Vec<Range<usize>>) {
    let bytes = text.as_bytes();
    let mut start = block.start;
    let mut i = block.start;
    // Where the next line feed is, found ahead by `memchr` and looked up
    // again only once passed: most bytes are neither it nor a terminator.
    let find_lf = |from: usize| {
        memchr::memchr(b'\n', &bytes[from..block.end]).map_or(block.end, |p| from + p)
    };
    let mut next_lf = find_lf(i);
    while i < block.end {
        if next_lf < i {
            next_lf = find_lf(i);
        }
        let next_stop =
            memchr::memchr3(b'.', b'!', b'?', &bytes[i..next_lf]).map_or(next_lf, |p| i + p);
        if next_stop >= block.end {
            break;
        }
        i = next_stop;
        let b = bytes[i];
        if matches!(b, b'.' | b'!' | b'?') {
            // Take the whole run of terminators and closing quotes/brackets.
            let mut j = i + 1;
            while j < block.end {
                let rest = &text[j..block.end];
                let c = rest.chars().next().unwrap_or(' ');
                if matches!(
                    c,
                    '.' | '!' | '?' | '"' | '\'' | ')' | '”' | '’' | ']' | '*' | '_'
                ) {
                    j += c.len_utf8();
                } else {
                    break;
                }
            }
            let at_end = j >= block.end;
            let next = text[j..block.end].chars().next();
            let followed_by_space = next.is_some_and(char::is_whitespace);
            if (at_end || followed_by_space) && !(b == b'.' && is_abbreviation(text, start, i, j)) {
                push_trimmed(text, start..j, out);
                start = j;
            }
            i = j;
        } else if b == b'\n' && i + 1 < block.end && bytes[i + 1] == b'\n' {
            // Both line feeds must be in the block: a block may end on a
            // line feed that the next one's text follows.
            push_trimmed(text, start..i, out);
            start = i + 2;
            i += 2;
        } else {
            i += 1;
        }
    }
    push_trimmed(text, start..block.end, out);
}

/// `after` is where the text after the dot (and any closing marks) starts.
fn is_abbreviation(text: &str, sentence_start: usize, dot: usize, after: usize) -> bool {
    let before = &text[sentence_start..dot];
    let word_start = before
        .char_indices()
        .rev()
        .find(|&(_, c)| !(c.is_alphanumeric() || c == '.'))
        .map(|(p, c)| p + c.len_utf8())
        .unwrap_or(0);
    let word = &before[word_start..];
    if word.is_empty() {
        return false;
    }
    // A single capital initial ("J. Smith").
    if word.len() == 1 && word.chars().all(|c| c.is_ascii_uppercase()) {
        return true;
    }
    // "No. 5" abbreviates "number"; "In short: no. People who…" ends a
    // sentence.
    if word.eq_ignore_ascii_case("no") {
        let next = text[after..].trim_start().chars().next();
        return next.is_some_and(|c| c.is_ascii_digit() || c == '#');
    }
    ABBREVIATIONS.iter().any(|a| a.eq_ignore_ascii_case(word))
}

fn push_trimmed(text: &str, r: Range<usize>, out: &mut Vec<Range<usize>>) {
    let s = &text[r.clone()];
    let lead = s.len() - s.trim_start().len();
    let trail = s.len() - s.trim_end().len();
    if lead + trail < s.len() {
        out.push(r.start + lead..r.end - trail);
    }
}

/// Markers that start a new clause. The clause after a contrast ("but",
/// "however", "yet") carries the sentence's stance.
pub(crate) const CONTRASTS: &[&str] = &[
    " but ",
    " however",
    "; ",
    " yet ",
    " instead",
    " whereas ",
    " although ",
    " though ",
];

static CONTRAST_MARKERS: LazyLock<AhoCorasick> = LazyLock::new(|| {
    AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .build(CONTRASTS)
        .expect("literal markers")
});

/// A clause of a sentence and whether it follows a contrast marker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clause {
    pub range: Range<usize>,
    pub after_contrast: bool,
}

/// Clauses of one sentence (ranges into `text`). A sentence none of whose
/// [`CONTRASTS`] occur (ignoring ASCII case) is one clause.
pub fn clauses(text: &str, sentence: Range<usize>) -> Vec<Clause> {
    let s = &text[sentence.clone()];
    // Each marker's non-overlapping occurrences, as `str::match_indices`
    // per marker would give, from one pass over the sentence.
    let mut next_free = [0usize; CONTRASTS.len()];
    let mut cuts: Vec<usize> = Vec::new();
    for m in CONTRAST_MARKERS.find_overlapping_iter(s) {
        let p = m.pattern().as_usize();
        if m.start() >= next_free[p] {
            next_free[p] = m.end();
            if m.start() > 0 {
                cuts.push(m.start());
            }
        }
    }
    cuts.sort_unstable();
    cuts.dedup();
    let mut out = Vec::new();
    let mut start = 0;
    let mut after = false;
    for c in cuts {
        if c > start {
            out.push(Clause {
                range: sentence.start + start..sentence.start + c,
                after_contrast: after,
            });
        }
        start = c;
        after = true;
    }
    out.push(Clause {
        range: sentence.start + start..sentence.end,
        after_contrast: after,
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sents(t: &str) -> Vec<&str> {
        split(t, 0..t.len()).into_iter().map(|r| &t[r]).collect()
    }

    #[test]
    fn decimals_and_abbreviations_do_not_end_sentences() {
        assert_eq!(
            sents("Use a .5 mm roller, e.g. the cheap one. Dr. Lee disagrees! Why? No."),
            vec![
                "Use a .5 mm roller, e.g. the cheap one.",
                "Dr. Lee disagrees!",
                "Why?",
                "No."
            ]
        );
        // "No." abbreviates "number" only before one.
        assert_eq!(
            sents("Roller no. 3 is the best. In short: no. People roll anyway."),
            vec![
                "Roller no. 3 is the best.",
                "In short: no.",
                "People roll anyway."
            ]
        );
    }

    #[test]
    fn a_block_ending_on_a_line_feed_before_another_does_not_panic() {
        // Found by the `lint` fuzz target: the blank line after a block's
        // last line feed lies outside the block.
        let t = "Ab.\n\nNext block";
        assert_eq!(
            split(t, 0..4)
                .into_iter()
                .map(|r| &t[r])
                .collect::<Vec<_>>(),
            vec!["Ab."]
        );
    }

    #[test]
    fn single_line_feeds_join_and_blank_lines_split() {
        assert_eq!(
            sents("One line\nstill one. Two!\n\nThree?\nFour\n\n\nfive.six"),
            vec!["One line\nstill one.", "Two!", "Three?", "Four", "five.six"]
        );
        // A block cut inside the text: only its own bytes count.
        let t = "Ends here. Not.\n\nthis";
        assert_eq!(
            split(t, 0..12)
                .into_iter()
                .map(|r| &t[r])
                .collect::<Vec<_>>(),
            vec!["Ends here.", "N"]
        );
    }

    #[test]
    fn multibyte_before_a_period_is_fine() {
        assert_eq!(
            sents("In December–February. Then"),
            vec!["In December–February.", "Then"]
        );
    }

    #[test]
    fn closing_quotes_stay_with_their_sentence() {
        assert_eq!(
            sents("She said “roll daily.” Then stop."),
            vec!["She said “roll daily.”", "Then stop."]
        );
    }

    #[test]
    fn contrast_starts_a_clause() {
        let t = "Leave long needles to pros, but short ones are fine.";
        let c = clauses(t, 0..t.len());
        assert_eq!(c.len(), 2);
        assert!(c[1].after_contrast);
        assert_eq!(&t[c[1].range.clone()], " but short ones are fine.");
    }

    #[test]
    fn markers_are_found_case_insensitively_each_without_overlap() {
        let t = "Fine But rare; HOWEVER, no but but yes";
        let cuts: Vec<usize> = clauses(t, 0..t.len())
            .iter()
            .map(|c| c.range.start)
            .collect();
        // " but but ": the second " but " shares the first one's space.
        assert_eq!(cuts, vec![0, 4, 13, 14, 26]);
    }
}
