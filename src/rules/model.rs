//! A pack compiled for matching: term matchers, cue regexes (with a filter
//! that picks the few a sentence can match), and contraindication categories.

use std::ops::Range;
use std::sync::OnceLock;

use regex_automata::{meta, Anchored, Input, Match};

use super::cue_filter::{Candidate, CueFilter};
use super::sentences;
use super::terms::{
    build_meta_regex, compile_meta_regex, spelling_owners, ListFilter, StemmedSpellings,
    TermMatcher,
};
use crate::pack::{CueRole, CueScope, Pack, PackError, TermList};

/// One compiled cue class.
#[derive(Debug, Clone)]
pub struct Cue {
    pub name: String,
    pub role: CueRole,
    pub weight: f32,
    pub label: String,
    pub scope: Option<CueScope>,
}

/// A cue found in the prose.
#[derive(Debug, Clone, PartialEq)]
pub struct CueHit {
    /// Index into [`Model::cues`].
    pub cue: usize,
    /// Range in the document text.
    pub range: Range<usize>,
}

/// A contraindication category.
#[derive(Debug, Clone)]
pub struct Category {
    pub name: String,
    pub label: String,
    pub matcher: TermMatcher,
}

/// Everything the rule kinds need from one pack, compiled once per run.
#[derive(Debug, Clone)]
pub struct Model {
    pub device: TermMatcher,
    /// Words that stand for the device once the page is about one ("the roller").
    pub device_anaphor: TermMatcher,
    pub procedure: TermMatcher,
    pub not_device: TermMatcher,
    /// Other treatments ("chemical peel"): a contraindication heading that
    /// names one of them, and not microneedling, is about it.
    pub other_treatment: TermMatcher,
    /// The fuzzy part of [`Model::sentence_candidates`]' test of
    /// `not_device`, `device` and `procedure` (the cue filter finds their
    /// spellings); built on first use, like the cue filter.
    mentions: OnceLock<ListFilter>,
    /// The whole test, spellings too, for sentences read before the cue
    /// filter is built.
    mentions_alone: OnceLock<ListFilter>,
    /// See [`Model::may_name_topic_fuzzily`].
    topic_fuzzy: OnceLock<ListFilter>,
    /// The device and procedure spellings, for `may_name_topic_literally`.
    topic_spellings: OnceLock<Option<StemmedSpellings>>,
    /// See [`Model::category_filter`].
    category_filter: OnceLock<ListFilter>,
    pub cues: Vec<Cue>,
    /// Built on first use for the built-in pack (a page with no topic never
    /// needs it), at load for a user pack. Also finds the spellings of
    /// `not_device`, `device` and `procedure`.
    filter: OnceLock<CueFilter>,
    set_sources: Vec<String>,
    regexes: Vec<CueRegex>,
    /// For each regex, the index of its cue.
    owner: Vec<usize>,
    pub categories: Vec<Category>,
    /// Default required categories.
    pub core: Vec<String>,
}

fn term_list(pack: &Pack, name: &str) -> Result<TermMatcher, Box<PackError>> {
    let empty = TermList::default();
    let list = pack.spec.terms.get(name).unwrap_or(&empty);
    TermMatcher::compile(pack, list, &format!("terms.{name}"))
}

/// A cue's pattern as the cue filter's `RegexSet` (for the patterns with no
/// literal list) sees it. The set only picks which cue regexes to run, so it
/// may match more than they do: a Unicode `\B` (which would make the set's
/// DFA give up on any non-ASCII text and fall back to the PikeVM for the
/// whole set) is dropped, and the cue's own regex applies it.
fn set_source(pattern: &str) -> String {
    let pattern = super::terms::ascii_word_boundaries(pattern);
    let mut out = String::with_capacity(pattern.len());
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('B') => {}
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

/// The cue filter, which also finds the spellings of `mentioned` (the lists
/// [`Model::sentence_candidates`] tests), and after them the clause markers
/// ([`sentences::CONTRASTS`]).
fn build_filter(
    regexes: &[CueRegex],
    set_sources: &[String],
    mentioned: &[&TermMatcher],
) -> Result<CueFilter, regex::Error> {
    let patterns: Vec<String> = regexes.iter().map(|r| r.source.get_ref().clone()).collect();
    let contrast = mentioned.len();
    let markers = sentences::CONTRASTS
        .iter()
        .map(|m| (m.to_string(), contrast));
    CueFilter::new(
        &patterns,
        set_sources,
        spelling_owners(mentioned).chain(markers),
        contrast + 1,
    )
}

/// A cue's own regex, which finds where the set's match is. Compiled the
/// first time the set reports it: most of a pack's few hundred cues match
/// on few pages, and compiling them all would dominate a small run. A user
/// pack's are compiled at load, so a bad one is reported with its span; the
/// built-in pack's are all compiled by a test.
#[derive(Debug, Clone)]
struct CueRegex {
    source: toml::Spanned<String>,
    compiled: OnceLock<meta::Regex>,
}

impl CueRegex {
    /// The regex, compiled for searches anchored where its literals start
    /// when `anchored` (see [`build_meta_regex`]).
    fn get(&self, anchored: bool) -> &meta::Regex {
        self.compiled.get_or_init(|| {
            // Only built-in cues get here uncompiled, and a test compiles
            // them all; should one fail, it never matches.
            build_meta_regex(self.source.get_ref(), anchored)
                .unwrap_or_else(|_| meta::Regex::new(r"[^\s\S]").expect("valid"))
        })
    }
}

impl Model {
    pub fn compile(pack: &Pack) -> Result<Model, Box<PackError>> {
        // The built-in pack's regexes are known good (tested): compile them lazily.
        let builtin = pack.is_builtin();
        let mut cues = Vec::new();
        let mut regexes = Vec::new();
        let mut owner = Vec::new();
        let mut sources = Vec::new();
        for (name, class) in &pack.spec.cues {
            if let (Some(scope), false) = (&class.scope, class.role == CueRole::Warn) {
                return Err(pack.error(
                    Some(scope.span()),
                    format!("cues.{name}: `scope` is for warn cues only"),
                    "here",
                    Some("remove `scope`, or make the class `role = \"warn\"`".into()),
                ));
            }
            let idx = cues.len();
            cues.push(Cue {
                name: name.clone(),
                role: class.role,
                weight: class.weight,
                label: class.label.clone(),
                scope: class.scope.as_ref().map(|s| *s.get_ref()),
            });
            for p in &class.patterns {
                let compiled = OnceLock::new();
                if !builtin {
                    let _ = compiled.set(compile_meta_regex(pack, p, &format!("cues.{name}"))?);
                }
                regexes.push(CueRegex {
                    source: p.clone(),
                    compiled,
                });
                sources.push(set_source(p.get_ref()));
                owner.push(idx);
            }
        }
        let device = term_list(pack, "device")?;
        let procedure = term_list(pack, "procedure")?;
        let not_device = term_list(pack, "not-device")?;
        let filter = OnceLock::new();
        if !builtin {
            let built = build_filter(&regexes, &sources, &[&not_device, &device, &procedure])
                .map_err(|e| {
                    pack.error(
                        None,
                        format!("cannot compile the pack's cues: {e}"),
                        "",
                        None,
                    )
                })?;
            let _ = filter.set(built);
        }
        let mut categories = Vec::new();
        for (name, cat) in &pack.spec.contraindications.categories {
            categories.push(Category {
                name: name.clone(),
                label: cat.label.clone(),
                matcher: TermMatcher::compile(
                    pack,
                    &cat.term_list(),
                    &format!("contraindications.categories.{name}"),
                )?,
            });
        }
        let mut core = Vec::new();
        for c in &pack.spec.contraindications.core {
            if !pack
                .spec
                .contraindications
                .categories
                .contains_key(c.get_ref())
            {
                return Err(pack.error(
                    Some(c.span()),
                    format!("unknown contraindication category `{}`", c.get_ref()),
                    "not in [contraindications.categories]",
                    None,
                ));
            }
            core.push(c.get_ref().clone());
        }
        Ok(Model {
            device,
            device_anaphor: term_list(pack, "device-anaphor")?,
            procedure,
            not_device,
            other_treatment: term_list(pack, "other-treatment")?,
            mentions: OnceLock::new(),
            mentions_alone: OnceLock::new(),
            topic_fuzzy: OnceLock::new(),
            topic_spellings: OnceLock::new(),
            category_filter: OnceLock::new(),
            cues,
            filter,
            set_sources: sources,
            regexes,
            owner,
            categories,
            core,
        })
    }

    fn filter(&self) -> &CueFilter {
        self.filter.get_or_init(|| {
            // The built-in pack's filter builds: `every_builtin_cue_regex_compiles`.
            build_filter(&self.regexes, &self.set_sources, &self.mentioned())
                .expect("the built-in pack's cue filter builds")
        })
    }

    /// The lists [`Model::sentence_candidates`] tests, in its order.
    fn mentioned(&self) -> [&TermMatcher; 3] {
        [&self.not_device, &self.device, &self.procedure]
    }

    /// Which of `not_device`, `device` and `procedure` (in that order) can
    /// have a hit in sentence `s`, into `mentions`. Once the cue filter is
    /// built, the same pass answers [`Model::cue_candidates`] too, into
    /// `cues`, and returns `Some` of its answer. Before (`None`), the cues
    /// are left to that call: a run whose every page stops before its cues
    /// (a folder of jade-roller tips) never builds the cue filter, some
    /// 40 ms and 9 MB.
    pub fn sentence_candidates(
        &self,
        s: &str,
        cues: &mut Vec<Candidate>,
        mentions: &mut [bool; 3],
    ) -> Option<bool> {
        let Some(filter) = self.filter.get() else {
            *mentions = [false; 3];
            self.mentions_alone
                .get_or_init(|| ListFilter::new(&self.mentioned()))
                .add_candidates(s, mentions);
            return None;
        };
        let mut found = [false; 4];
        filter.candidates(s, cues, &mut found);
        let [not_device, device, procedure, contrast] = found;
        *mentions = [not_device, device, procedure];
        self.mentions
            .get_or_init(|| ListFilter::without_spellings(&self.mentioned()))
            .add_candidates(s, mentions);
        Some(contrast)
    }

    /// The cue regexes that may match sentence `s`, sorted, into `cues`
    /// (for [`Model::cue_hits`]); returns whether `s` may have more than
    /// one clause (false: [`sentences::clauses`] is the whole sentence).
    pub fn cue_candidates(&self, s: &str, cues: &mut Vec<Candidate>) -> bool {
        let mut found = [false; 4];
        self.filter().candidates(s, cues, &mut found);
        found[3]
    }

    /// True unless no spelling of the device or the procedure occurs in
    /// `text` (and neither list has regexes). The procedure first: nearly
    /// every page about the treatment names it, often in its first line.
    pub fn may_name_topic_literally(&self, text: &str) -> bool {
        if self.procedure.has_patterns() || self.device.has_patterns() {
            return true;
        }
        self.topic_spellings
            .get_or_init(|| StemmedSpellings::new(&[&self.device, &self.procedure]))
            .as_ref()
            .is_some_and(|s| s.is_match(text))
    }

    /// False only when no word of `text` can be a misspelling of a fuzzy
    /// word of `device` or `procedure`, nor any word of a sentence of it.
    /// One pass for both lists, with the cheap bounds that come before an
    /// edit distance: it may answer true where no fuzzy hit is found.
    pub fn may_name_topic_fuzzily(&self, text: &str) -> bool {
        let mut found = [false; 2];
        self.topic_fuzzy
            .get_or_init(|| ListFilter::without_spellings(&[&self.device, &self.procedure]))
            .add_candidates(text, &mut found);
        found.contains(&true)
    }

    /// Which contraindication categories can have a hit in a sentence.
    pub fn category_filter(&self) -> &ListFilter {
        self.category_filter.get_or_init(|| {
            ListFilter::new(
                &self
                    .categories
                    .iter()
                    .map(|c| &c.matcher)
                    .collect::<Vec<_>>(),
            )
        })
    }

    /// Every cue hit inside `text[range]`, ranges in `text` coordinates,
    /// given the candidates [`Model::sentence_candidates`] picked for it.
    pub fn cue_hits(
        &self,
        text: &str,
        range: Range<usize>,
        candidates: &[Candidate],
    ) -> Vec<CueHit> {
        let s = &text[range.clone()];
        let mut hits = Vec::new();
        let mut push = |i: usize, m: Match| {
            hits.push(CueHit {
                cue: self.owner[i],
                range: range.start + m.start()..range.start + m.end(),
            })
        };
        // Candidates come sorted: by regex, then offset, `ANYWHERE` last.
        for group in candidates.chunk_by(|a, b| a.regex == b.regex) {
            let i = group[0].regex;
            let re = self.regexes[i].get(self.filter().is_anchored(i));
            if group[group.len() - 1].at == Candidate::ANYWHERE {
                re.find_iter(s).for_each(|m| push(i, m));
                continue;
            }
            // Every match starts at one of the offsets: what `find_iter`
            // finds, without scanning the sentence for it. A match is never
            // empty (it starts with a literal), so the next starts at or
            // after its end.
            let mut from = 0;
            for c in group {
                if c.at < from {
                    continue;
                }
                let input = Input::new(s).range(c.at..).anchored(Anchored::Yes);
                if let Some(m) = re.search(&input) {
                    from = m.end();
                    push(i, m);
                }
            }
        }
        hits.sort_by_key(|h| (h.range.start, h.range.end, h.cue));
        hits.dedup();
        hits
    }

    /// Mentions of things that only look like the device ("jade roller")
    /// in a range; the other finders take them to leave those out.
    pub fn not_devices(&self, text: &str, range: Range<usize>) -> Vec<Range<usize>> {
        shift(self.not_device.find(&text[range.clone()]), range.start)
    }

    /// Hits of one term list (`device`, `device_anaphor`, `procedure`) in
    /// a range, in `text` coordinates, minus those overlapping the
    /// `not_devices` hits.
    pub fn find_except(
        &self,
        matcher: &TermMatcher,
        text: &str,
        range: Range<usize>,
        not: &[Range<usize>],
    ) -> Vec<Range<usize>> {
        let mut hits = shift(matcher.find(&text[range.clone()]), range.start);
        hits.retain(|d| !not.iter().any(|n| n.start < d.end && d.start < n.end));
        hits
    }

    pub fn category_index(&self, name: &str) -> Option<usize> {
        self.categories.iter().position(|c| c.name == name)
    }
}

fn shift(hits: Vec<Range<usize>>, by: usize) -> Vec<Range<usize>> {
    hits.into_iter().map(|r| by + r.start..by + r.end).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_cue_regex_compiles() {
        for pack in Pack::builtin() {
            let model = Model::compile(&pack).unwrap();
            assert!(model.filter.get().is_none(), "filter built before use");
            assert!(build_filter(&model.regexes, &model.set_sources, &model.mentioned()).is_ok());
            for (i, r) in model.regexes.iter().enumerate() {
                let p = r.source.get_ref();
                compile_meta_regex(&pack, &r.source, "cues")
                    .unwrap_or_else(|e| panic!("{p}: {e:?}"));
                assert!(r.compiled.get().is_none(), "cue {i} compiled before use");
            }
        }
    }

    #[test]
    fn sentence_candidates_say_which_lists_may_hit_and_whether_clauses_may_split() {
        let model = Model::compile(&Pack::builtin()[0]).unwrap();
        let mut cues = Vec::new();
        let mut lists = [false; 3];
        // Before the cue filter is built, the lists alone; after, the same
        // lists and, from the same pass, the cue candidates and clauses.
        let cases = [
            // One clause, a device (also misspelt), no look-alike.
            ("I bought a DERMAROLLER.", [false, true, false], false),
            ("My dermarolller arrived.", [false, true, false], false),
            // A contrast marker in any case; a look-alike and the procedure.
            (
                "A jade roller is fine, HOWEVER microneedling is not.",
                [true, false, true],
                true,
            ),
        ];
        for (s, want, _) in cases {
            assert_eq!(model.sentence_candidates(s, &mut cues, &mut lists), None);
            assert_eq!(lists, want, "{s}");
        }
        for (s, want, clauses) in cases {
            let mut alone = Vec::new();
            assert_eq!(model.cue_candidates(s, &mut alone), clauses, "{s}");
            let got = model.sentence_candidates(s, &mut cues, &mut lists);
            assert_eq!((got, lists), (Some(clauses), want), "{s}");
            assert_eq!(cues, alone, "{s}");
        }
        assert!(!cues.is_empty());
        let t = "A jade roller is fine, HOWEVER microneedling is not.";
        assert!(sentences::clauses(t, 0..t.len()).len() > 1);
    }

    #[test]
    fn anchored_cue_hits_are_those_of_a_search_of_the_whole_sentence() {
        use crate::document::{self, DocKind};
        let model = Model::compile(&Pack::builtin()[0]).unwrap();
        let everywhere: Vec<Candidate> = (0..model.regexes.len())
            .map(|regex| Candidate {
                regex,
                at: Candidate::ANYWHERE,
            })
            .collect();
        let mut texts: Vec<(String, DocKind)> = crate::rules::fixture_texts()
            .into_iter()
            .map(|(path, text)| (text, DocKind::from_path(&path)))
            .collect();
        // A regex's hits back to back, one inside another's reach, a
        // literal that starts inside a match, and non-ASCII text around.
        for text in [
            "Buy it, buy it, BOUGHT it: buy. Your your derma roller.",
            "Roll it, roll it, then roll it once a week, twice a week.",
            "Don’t use it at home; don't, don’t buy a 0.5 mm roller for 20 dollars.",
            "Ça coûte 20 € — buy it — at-home, athome, at home.",
            "Prices back to back: $20$30, £5€6.",
        ] {
            texts.push((text.to_string(), DocKind::Text));
        }
        let (mut sentences, mut hits) = (0, 0);
        let mut candidates = Vec::new();
        for (text, kind) in &texts {
            let doc = document::parse(text, *kind);
            for block in &doc.blocks {
                for range in sentences::split(&doc.text, block.range.clone()) {
                    model.cue_candidates(&doc.text[range.clone()], &mut candidates);
                    let got = model.cue_hits(&doc.text, range.clone(), &candidates);
                    let want = model.cue_hits(&doc.text, range.clone(), &everywhere);
                    assert_eq!(got, want, "{:?}", &doc.text[range]);
                    sentences += 1;
                    hits += want.len();
                }
            }
        }
        assert!(
            sentences > 500 && hits > 100,
            "{sentences} sentences, {hits} hits"
        );
    }

    #[test]
    fn set_source_drops_only_unicode_not_word_boundaries() {
        assert_eq!(
            set_source(r"(?:\b\d+|\B\.\d+)mm"),
            r"(?:(?-u:\b)\d+|\.\d+)mm"
        );
        // An escaped backslash followed by `B` is a literal, kept.
        assert_eq!(set_source(r"a\\B"), r"a\\B");
    }
}
