//! Reads a document the way an editor does: sentences, the devices and cues
//! in each, the frame each block inherits (a warning heading, a how-to
//! heading, the lead-in of a list, the question a Q&A answer answers), and
//! from those the stance of every sentence toward home use.

use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;

use super::kinds::needle_depth;
use super::model::{CueHit, Model};
use super::sentences::{self, Clause};
use crate::document::{BlockKind, Document};
use crate::pack::{CueRole, CueScope};

/// The frame a block inherits from its context.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Frame {
    #[default]
    None,
    /// Under a heading or lead-in that warns ("Reasons to avoid…", "Can I
    /// roll at home?" answered "No").
    Warn,
    /// Under instructions ("How to use a derma roller", "Yes!").
    Howto,
}

/// Where a frame came from, for explanations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrameSource {
    pub frame: Frame,
    /// Range in the document text of the heading or lead-in.
    pub range: Range<usize>,
}

/// One analysed sentence.
#[derive(Debug, Clone)]
pub struct Sentence {
    pub range: Range<usize>,
    pub block: usize,
    /// Empty when the sentence has no cues, whose weight clauses decide.
    pub clauses: Vec<Clause>,
    pub devices: Vec<Range<usize>>,
    /// "The roller", "your pen": device words that count once the page is
    /// about a device (or the sentence names a needle length).
    pub anaphors: Vec<Range<usize>>,
    pub procedures: Vec<Range<usize>>,
    pub cues: Vec<CueHit>,
    /// The cue regexes that may match (indices into the model's), until
    /// the cues are found.
    cue_candidates: Vec<super::cue_filter::Candidate>,
    /// `Some(false)` when the sentence is surely one clause; `None` until
    /// its cue candidates are known.
    may_have_clauses: Option<bool>,
    /// Things that only look like a device ("jade roller").
    pub not_devices: Vec<Range<usize>>,
}

/// The stance decision for one sentence.
#[derive(Debug, Clone, Default)]
pub struct Stance {
    pub recommend: f32,
    pub warn: f32,
    /// True when the sentence recommends home use.
    pub recommends: bool,
    /// Cue hits that counted toward recommending.
    pub rec_hits: Vec<CueHit>,
    /// Cue hits that counted toward warning.
    pub warn_hits: Vec<CueHit>,
    pub frame: Option<FrameSource>,
    /// Would recommend as a bare how-to step, if the page recommends
    /// elsewhere (see [`Analysis::compute_stances`]).
    bare_step: bool,
}

/// A whole document, analysed.
pub struct Analysis<'a> {
    pub doc: &'a Document,
    pub model: &'a Model,
    /// True when some sentence names a device (not just the procedure).
    pub about_device: bool,
    /// True when look-alikes (facial rollers, microneedle patches) are
    /// named more than twice as often as devices.
    pub look_alike_page: bool,
    pub sentences: Vec<Sentence>,
    /// Per block: the frame it inherits.
    pub frames: Vec<Option<FrameSource>>,
    /// Per block: the indices of its sentences (sentences are in block order).
    pub block_sents: Vec<Range<usize>>,
    /// Per block: the first block of the run of list items it belongs to
    /// (itself when it is not a list item).
    pub list_first: Vec<usize>,
    /// Per sentence: its stance.
    pub stances: Vec<Stance>,
    /// The contraindication coverage, once a rule has asked for it.
    pub(crate) coverage: std::cell::OnceCell<super::kinds::contraindications::Coverage>,
    /// Whether the page discusses the treatment, once a rule has asked.
    pub(crate) discusses: std::cell::OnceCell<bool>,
}

/// Score a stance needs before it counts as recommending.
const RECOMMEND_THRESHOLD: f32 = 2.0;
/// Extra warning weight inside a warning frame.
const WARN_FRAME_WEIGHT: f32 = 2.5;
/// Extra recommending weight inside instructions.
const HOWTO_FRAME_WEIGHT: f32 = 1.0;
/// How much more the clause after "but" counts.
const CONTRAST_FACTOR: f32 = 2.0;

/// A text at least this long has its per-sentence matching split across
/// threads: one huge article would otherwise keep one core busy while the
/// others wait.
pub(crate) const PARALLEL_TEXT_LEN: usize = 1 << 20;

/// Runs `f` on every item (sentences, or the work of a rule on them); on
/// `big` texts, in contiguous chunks on several threads. Each item's result
/// depends on it alone, so the outcome is the same either way.
pub(crate) fn each_chunked<T: Send>(items: &mut [T], big: bool, f: impl Fn(&mut T) + Sync) {
    if !big {
        items.iter_mut().for_each(f);
        return;
    }
    // Asked only for big texts: it reads cgroup files on every call.
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    if threads < 2 || items.len() < 2 * threads {
        items.iter_mut().for_each(f);
        return;
    }
    let chunk = items.len().div_ceil(threads);
    std::thread::scope(|scope| {
        for part in items.chunks_mut(chunk) {
            let f = &f;
            scope.spawn(move || part.iter_mut().for_each(f));
        }
    });
}

impl<'a> Analysis<'a> {
    pub fn new(doc: &'a Document, model: &'a Model) -> Analysis<'a> {
        Self::build(doc, model, false).expect("a full analysis always exists")
    }

    /// The analysis, or `None` when no sentence can be about the treatment:
    /// none names the device or the procedure, and "the roller" cannot
    /// stand for one (the page names other rollers and no needle length, or
    /// has no such word at all).
    /// Every kind but `phrase` needs such a sentence to fire, so a page of
    /// jade-roller tips is done without its cues, frames and stances.
    pub fn topical(doc: &'a Document, model: &'a Model) -> Option<Analysis<'a>> {
        Self::build(doc, model, true)
    }

    fn build(doc: &'a Document, model: &'a Model, skip_inert: bool) -> Option<Analysis<'a>> {
        let big = doc.text.len() >= PARALLEL_TEXT_LEN;
        Self::build_with(doc, model, skip_inert, big)
    }

    fn build_with(
        doc: &'a Document,
        model: &'a Model,
        skip_inert: bool,
        big: bool,
    ) -> Option<Analysis<'a>> {
        // A page about hair or jade rollers: "the roller" is not a needle roller.
        let names_other_rollers = || model.not_device.is_match(&doc.text);
        // Cheapest first: most pages name the treatment early on, and the
        // fuzzy test reads every word.
        if skip_inert
            && !model.may_name_topic_literally(&doc.text)
            && names_other_rollers()
            && !Self::may_be_topical_fuzzy(doc, model)
        {
            return None;
        }
        // All the page's sentence ranges first, in one buffer: the
        // sentences are then allocated once, at their number.
        let mut ranges = Vec::new();
        let mut ends = Vec::with_capacity(doc.blocks.len());
        for block in &doc.blocks {
            sentences::split_into(&doc.text, block.range.clone(), &mut ranges);
            ends.push(ranges.len());
        }
        let mut sentences = Vec::with_capacity(ranges.len());
        let mut ranges = ranges.into_iter();
        for (bi, &end) in ends.iter().enumerate() {
            for range in ranges.by_ref().take(end - sentences.len()) {
                sentences.push(Sentence {
                    block: bi,
                    clauses: Vec::new(),
                    devices: Vec::new(),
                    anaphors: Vec::new(),
                    procedures: Vec::new(),
                    cues: Vec::new(),
                    cue_candidates: Vec::new(),
                    may_have_clauses: None,
                    not_devices: Vec::new(),
                    range,
                });
            }
        }
        each_chunked(&mut sentences, big, |s| {
            // Most sentences name none of them: one pass says so, and
            // picks the cue regexes to run on the sentence later.
            let mut may = [false; 3];
            s.may_have_clauses = model.sentence_candidates(
                &doc.text[s.range.clone()],
                &mut s.cue_candidates,
                &mut may,
            );
            let not = if may[0] {
                model.not_devices(&doc.text, s.range.clone())
            } else {
                Vec::new()
            };
            if may[1] {
                s.devices = model.find_except(&model.device, &doc.text, s.range.clone(), &not);
            }
            if may[2] {
                s.procedures =
                    model.find_except(&model.procedure, &doc.text, s.range.clone(), &not);
            }
            s.not_devices = not;
        });
        let other_rollers = if model.not_device.hits_are_context_free() {
            // A look-alike's spelling has no full stop or line break, so its
            // every hit in the page lies in one sentence, with the same
            // non-word characters (or none) on either side: the sentences'
            // hits answer for the page's, without another pass over it.
            sentences.iter().any(|s| !s.not_devices.is_empty())
        } else {
            names_other_rollers()
        };
        let about_device = sentences.iter().any(|s| !s.devices.is_empty());
        if skip_inert
            && other_rollers
            && sentences.iter().all(|s| {
                s.devices.is_empty()
                    && s.procedures.is_empty()
                    && needle_depth::lengths(&doc.text[s.range.clone()]).is_empty()
            })
        {
            return None;
        }
        // No device, no procedure, and no word that could stand for a device
        // ("the pen") anywhere: no sentence can be about the treatment,
        // whatever its cues say (a jade-roller page whose only "roller" is
        // in its title).
        if skip_inert
            && !about_device
            && sentences.iter().all(|s| {
                s.procedures.is_empty()
                    && model
                        .find_except(
                            &model.device_anaphor,
                            &doc.text,
                            s.range.clone(),
                            &s.not_devices,
                        )
                        .is_empty()
            })
        {
            return None;
        }
        each_chunked(&mut sentences, big, |s| {
            if s.may_have_clauses.is_none() {
                let t = &doc.text[s.range.clone()];
                s.may_have_clauses = Some(model.cue_candidates(t, &mut s.cue_candidates));
            }
            s.cues = model.cue_hits(&doc.text, s.range.clone(), &s.cue_candidates);
            s.cue_candidates = Vec::new();
            // Clauses only weigh cues (the stance, a warned needle length):
            // a sentence with none has no use for them.
            if !s.cues.is_empty() {
                s.clauses = if s.may_have_clauses == Some(true) {
                    sentences::clauses(&doc.text, s.range.clone())
                } else {
                    vec![Clause {
                        range: s.range.clone(),
                        after_contrast: false,
                    }]
                };
            }
        });
        // On a page mostly about look-alikes (a facial roller's shop page
        // with a "not a derma roller" aside), "roll" and "the roller" stand
        // for whichever was named last.
        let look_alike_page = other_rollers && {
            let count = |f: fn(&Sentence) -> usize| sentences.iter().map(f).sum::<usize>();
            count(|s| s.not_devices.len()) > 2 * count(|s| s.devices.len())
        };
        let mut after_look_alike = vec![false; if look_alike_page { sentences.len() } else { 0 }];
        let mut last_was_look_alike = false;
        for (i, s) in sentences.iter().enumerate().take(after_look_alike.len()) {
            after_look_alike[i] = last_was_look_alike;
            let last_device = s.devices.iter().map(|r| r.start).max();
            let last_other = s.not_devices.iter().map(|r| r.start).max();
            match (last_device, last_other) {
                (Some(d), Some(o)) => last_was_look_alike = o > d,
                (Some(_), None) => last_was_look_alike = false,
                (None, Some(_)) => last_was_look_alike = true,
                (None, None) => {}
            }
        }
        // Without a device named, "roll it" is a step with a device only
        // where the procedure is the topic (in a heading, or named twice),
        // or in a text too short to name one (a lone instruction). A
        // craft tutorial that says "needling" once, to say it is not the
        // skincare kind, rolls wool.
        let procedure_topic = {
            let mut named = sentences.iter().filter(|s| !s.procedures.is_empty());
            let first = named.next();
            first.is_some_and(|s| matches!(doc.blocks[s.block].kind, BlockKind::Heading(_)))
                || named.next().is_some()
                || (first.is_none() && sentences.len() <= 3)
        };
        each_chunked(&mut sentences, big, |s| {
            let t = &doc.text[s.range.clone()];
            let instructed = !other_rollers
                && procedure_topic
                && s.cues
                    .iter()
                    .any(|h| matches!(model.cues[h.cue].role, CueRole::Step | CueRole::Home));
            if about_device || instructed || !needle_depth::lengths(t).is_empty() {
                let found = model.find_except(
                    &model.device_anaphor,
                    &doc.text,
                    s.range.clone(),
                    &s.not_devices,
                );
                s.anaphors = found
                    .into_iter()
                    .filter(|r| !s.devices.iter().any(|d| d.start < r.end && r.start < d.end))
                    .collect();
            }
        });
        for (s, after) in sentences.iter_mut().zip(after_look_alike) {
            if after && s.devices.is_empty() {
                s.anaphors.clear();
            }
        }
        let mut block_sents = vec![0..0; doc.blocks.len()];
        let mut i = 0;
        for (bi, r) in block_sents.iter_mut().enumerate() {
            let start = i;
            while i < sentences.len() && sentences[i].block == bi {
                i += 1;
            }
            *r = start..i;
        }
        let blocks = &doc.blocks;
        let mut list_first: Vec<usize> = (0..blocks.len()).collect();
        for i in 1..blocks.len() {
            if let (BlockKind::ListItem, Some(list)) = (blocks[i].kind, blocks[i].list) {
                let prev = &blocks[i - 1];
                if prev.list == Some(list) || prev.kind == BlockKind::ListItem {
                    list_first[i] = list_first[i - 1];
                }
            }
        }
        let mut a = Analysis {
            doc,
            model,
            about_device,
            look_alike_page,
            block_sents,
            list_first,
            sentences,
            frames: Vec::new(),
            stances: Vec::new(),
            coverage: Default::default(),
            discusses: Default::default(),
        };
        a.frames = a.compute_frames();
        a.stances = a.compute_stances();
        a.judge_page();
        Some(a)
    }

    /// False only when no sentence of the page can name the device, the
    /// procedure or a needle length: the inert test below, done on whole
    /// blocks before any sentence is split or matched. Sentences split a
    /// block at white space and after full stops, never inside a word, so
    /// a block none of whose words is a hit has no sentence with one.
    #[cfg(test)]
    fn may_be_topical(doc: &Document, model: &Model) -> bool {
        model.may_name_topic_literally(&doc.text) || Self::may_be_topical_fuzzy(doc, model)
    }

    /// The part of [`Analysis::may_be_topical`] that reads words: a
    /// misspelt device or procedure, or a needle length.
    fn may_be_topical_fuzzy(doc: &Document, model: &Model) -> bool {
        doc.blocks.iter().any(|b| {
            let t = &doc.text[b.range.clone()];
            model.may_name_topic_fuzzily(t) || needle_depth::may_have_lengths(t)
        })
    }

    /// True when any sentence mentions a device or the procedure.
    pub fn mentions(&self) -> impl Iterator<Item = Range<usize>> + '_ {
        self.sentences
            .iter()
            .flat_map(|s| s.devices.iter().chain(s.procedures.iter()).cloned())
    }

    /// Sentences of a block.
    pub fn block_sentences(&self, block: usize) -> std::ops::Range<usize> {
        self.block_sents[block].clone()
    }

    pub fn role_weight(&self, hits: &[CueHit], role: CueRole) -> f32 {
        hits.iter()
            .filter(|h| self.model.cues[h.cue].role == role)
            .map(|h| self.model.cues[h.cue].weight)
            .sum()
    }

    pub fn has_role(&self, hits: &[CueHit], role: CueRole) -> bool {
        hits.iter().any(|h| self.model.cues[h.cue].role == role)
    }

    /// Cue hits of a range of text (for headings and lead-ins, which are
    /// short: one pass over the whole range).
    pub fn block_cues(&self, block: usize) -> Vec<CueHit> {
        self.sentences[self.block_sents[block].clone()]
            .iter()
            .flat_map(|s| s.cues.iter().cloned())
            .collect()
    }

    /// The frame a heading or lead-in sets, if any.
    fn frame_of(&self, block: usize) -> Frame {
        let hits = self.block_cues(block);
        let warn =
            self.role_weight(&hits, CueRole::WarnFrame) + self.role_weight(&hits, CueRole::Warn);
        let howto = self.role_weight(&hits, CueRole::HowtoFrame);
        if self.has_role(&hits, CueRole::WarnFrame) || (warn > 0.0 && warn > howto) {
            Frame::Warn
        } else if howto > 0.0 {
            Frame::Howto
        } else {
            Frame::None
        }
    }

    /// The frame a list's lead-in sets: a heading-style frame, or
    /// instructions when the lead-in itself recommends ("Once a week I do
    /// the following:").
    fn lead_in_frame(&self, block: usize) -> Frame {
        let f = self.frame_of(block);
        if f != Frame::None {
            return f;
        }
        let hits = self.block_cues(block);
        let rec = self.role_weight(&hits, CueRole::Recommend)
            + self.role_weight(&hits, CueRole::Step)
            + self.role_weight(&hits, CueRole::Home);
        if rec >= RECOMMEND_THRESHOLD && self.role_weight(&hits, CueRole::Warn) == 0.0 {
            Frame::Howto
        } else {
            Frame::None
        }
    }

    /// The answer a Q&A section opens with: "No." warns, "Yes!" instructs.
    fn answer_frame(&self, first_block: usize) -> Frame {
        /// Openers that say nothing yet: "In short: no.", "Honestly? Don't."
        const OPENERS: &[&str] = &[
            "the short answer",
            "short answer",
            "in short",
            "honestly",
            "frankly",
            "sadly",
            "unfortunately",
            "well",
        ];
        let mut sentences = self.block_sentences(first_block);
        let Some(mut i) = sentences.next() else {
            return Frame::None;
        };
        let mut s = String::new();
        for _ in 0..2 {
            let lower = self.doc.text[self.sentences[i].range.clone()].to_ascii_lowercase();
            let mut rest = lower.trim_start_matches(|c: char| !c.is_alphanumeric());
            while let Some(r) = OPENERS.iter().find_map(|o| rest.strip_prefix(o)) {
                rest = r.trim_start_matches(|c: char| !c.is_alphanumeric());
            }
            s = rest.to_string();
            match sentences.next() {
                Some(next) if s.is_empty() => i = next,
                _ => break,
            }
        }
        // The answer's own cues: "Yes, but we don't recommend it" warns.
        let hits = &self.sentences[i].cues;
        let warn = self.role_weight(hits, CueRole::Warn);
        let rec = self.role_weight(hits, CueRole::Recommend)
            + self.role_weight(hits, CueRole::Home)
            + self.role_weight(hits, CueRole::Step);
        let warns = warn >= 3.0 && warn > rec;
        let mut words = s.split(|c: char| !c.is_alphanumeric());
        let first = words.next().unwrap_or("");
        let second = words.next().unwrap_or("");
        let refuses = REFUSAL.is_match(&s);
        match first {
            "no" | "nope" | "never" => Frame::Warn,
            _ if refuses => Frame::Warn,
            "not"
                if matches!(
                    second,
                    "really" | "without" | "recommended" | "advisable" | "at"
                ) =>
            {
                Frame::Warn
            }
            // "Absolutely not", "Unequivocally, no" warn; "Absolutely!" does not.
            "absolutely" | "unequivocally" | "definitely"
                if s.contains("not") || s.contains(" no") =>
            {
                Frame::Warn
            }
            "yes" | "yep" | "sure" | "absolutely" | "definitely" if !warns => Frame::Howto,
            _ if warns => Frame::Warn,
            _ => Frame::None,
        }
    }

    fn compute_frames(&self) -> Vec<Option<FrameSource>> {
        let blocks = &self.doc.blocks;
        let mut heading_frames: Vec<Option<FrameSource>> = vec![None; blocks.len()];
        for (i, b) in blocks.iter().enumerate() {
            if let BlockKind::Heading(_) = b.kind {
                let mut frame = self.frame_of(i);
                let text = self.doc.block_text(b).trim_end();
                if text.ends_with('?') {
                    let answer = (i + 1..blocks.len())
                        .find(|&j| !matches!(blocks[j].kind, BlockKind::Heading(_)));
                    if let Some(j) = answer {
                        let a = self.answer_frame(j);
                        if a != Frame::None {
                            frame = a;
                        }
                    }
                }
                if frame != Frame::None {
                    heading_frames[i] = Some(FrameSource {
                        frame,
                        range: b.range.clone(),
                    });
                }
            }
        }
        let mut out = Vec::with_capacity(blocks.len());
        for (i, b) in blocks.iter().enumerate() {
            // The nearest enclosing heading with a frame.
            let mut frame = b
                .headings
                .iter()
                .rev()
                .find_map(|&h| heading_frames.get(h).cloned().flatten());
            // A list inherits from its lead-in sentence ("Reasons to avoid…:").
            if b.kind == BlockKind::ListItem && b.list.is_some() {
                let first = self.list_first[i];
                if let Some(lead) = first.checked_sub(1).map(|j| &blocks[j]) {
                    let t = self.doc.block_text(lead).trim_end();
                    if lead.kind != BlockKind::ListItem && t.ends_with(':') {
                        let f = self.lead_in_frame(first - 1);
                        if f != Frame::None {
                            frame = Some(FrameSource {
                                frame: f,
                                range: lead.range.clone(),
                            });
                        }
                    }
                }
            }
            out.push(frame);
        }
        out
    }

    /// The page view: on a page that mostly warns, a lone recommending
    /// sentence without instructions is reported speech or a concession,
    /// and quoted instructions are a bad example being quoted.
    fn judge_page(&mut self) {
        // Warnings often speak through pronouns ("I'd throw it away"), so
        // any strongly warning sentence counts.
        let warn_units = self
            .stances
            .iter()
            .filter(|st| st.warn >= 3.0 && st.warn > st.recommend)
            .count();
        let rec_units = self
            .stances
            .iter()
            .zip(&self.sentences)
            .filter(|(st, s)| st.recommends && self.doc.blocks[s.block].kind != BlockKind::Quote)
            .count();
        let mostly_warns = warn_units >= 2 && rec_units * 2 <= warn_units;
        for i in 0..self.sentences.len() {
            if !self.stances[i].recommends {
                continue;
            }
            let block = &self.doc.blocks[self.sentences[i].block];
            let st = &self.stances[i];
            let step = self.has_role(&st.rec_hits, CueRole::Step);
            let howto = matches!(st.frame.as_ref().map(|f| f.frame), Some(Frame::Howto));
            let quoted = block.kind == BlockKind::Quote && warn_units > 0;
            // A few stray recommendations on a warning page are reported
            // speech; a run of instructions is a real how-to.
            let instructions = step && howto && rec_units >= 3;
            if quoted || (mostly_warns && !instructions) || (!step && self.renounced(i)) {
                self.stances[i].recommends = false;
            }
        }
    }

    /// True when sentence `i` or one of the next two of its block gives the
    /// routine up ("…which I used every Sunday. I gave it up after my
    /// dermatologist saw it.", "I used a roller (stopped when…)"): a past
    /// habit, not advice.
    fn renounced(&self, i: usize) -> bool {
        let block = self.sentences[i].block;
        self.sentences[i..]
            .iter()
            .take(3)
            .take_while(|s| s.block == block)
            .any(|s| RENOUNCE.is_match(&self.doc.text[s.range.clone()]))
    }

    /// The parts of clause `c` a prohibition or condemnation rules ("never
    /// *buy a roller for home use*"): the recommendation cues there are what
    /// it forbids. The reach stops where a comma and a conjunction start new
    /// advice ("don't roll over moles, *and use it twice a week*"), and for
    /// a prohibition inside an if-clause at that clause's comma ("if you
    /// don't own a roller yet, *buy one*"). A warning that starts inside a
    /// technique tip or a reassurance ("don't be afraid to roll", "don't
    /// roll more than twice a week") rules nothing.
    fn ruled(&self, text: &str, hits: &[CueHit], c: &Clause) -> Vec<Range<usize>> {
        let cues = &self.model.cues;
        // The first ", and" / ", then"… at or after `from`, else the clause end.
        let new_clause = |from: usize| {
            COORDINATION
                .find(&text[from..c.range.end])
                .map_or(c.range.end, |m| from + m.start())
        };
        hits.iter()
            .filter(|h| c.range.start <= h.range.start && h.range.start < c.range.end)
            .filter_map(|h| {
                // A hit may run past its clause ("never buy but rent…").
                let hit_end = h.range.end.min(c.range.end);
                let ruled = match cues[h.cue].scope? {
                    CueScope::Clause => c.range.start..new_clause(hit_end),
                    CueScope::After if subordinate(&text[c.range.start..h.range.start]) => {
                        let comma = text[hit_end..c.range.end].find(',');
                        h.range.start..comma.map_or(c.range.end, |i| hit_end + i)
                    }
                    // The hit itself may cross ", and" ("don't roll over
                    // moles, and use your roller"): looked for from its start.
                    CueScope::After => h.range.start..new_clause(h.range.start),
                };
                // The tip or reassurance holds the warning's first word
                // ("*don't* be afraid"); a reassurance inside the warning
                // ("may seem *harmless*") is what it refutes.
                let mitigated = hits.iter().any(|m| {
                    cues[m.cue].role == CueRole::Mitigate
                        && m.range.start <= h.range.start
                        && h.range.start < m.range.end
                });
                (!mitigated).then_some(ruled)
            })
            .collect()
    }

    /// Every sentence's stance. A step that names nothing ("Pat your face
    /// dry", "Swap your moisturizer for a richer one") under a how-to frame
    /// is a step of home microneedling only on a page where some sentence
    /// recommends it on its own: under "How to use it" on a page that only
    /// warns against rollers, it is skincare advice.
    fn compute_stances(&self) -> Vec<Stance> {
        let mut stances: Vec<Stance> = (0..self.sentences.len()).map(|i| self.stance(i)).collect();
        if stances.iter().any(|st| st.recommends) {
            for st in &mut stances {
                st.recommends |= st.bare_step;
            }
        }
        stances
    }

    /// A step verb after a comma whose subject is the device the sentence
    /// opens with ("Microneedling pens, unlike rollers, move the needles…";
    /// "Derma pens, which are motorised, stamp…"): a description, not an
    /// instruction.
    fn verb_of_device_subject(&self, s: &Sentence, h: &CueHit) -> bool {
        let text = &self.doc.text;
        if !text[h.range.clone()].starts_with(',') {
            return false;
        }
        let Some(comma) = text[s.range.start..h.range.start].find(',') else {
            return false;
        };
        let comma = s.range.start + comma;
        let opening = &text[s.range.start..comma];
        let ends_in_device = s
            .devices
            .iter()
            .chain(&s.procedures)
            .any(|r| r.end <= comma && text[r.end..comma].trim().is_empty());
        ends_in_device && opening.split_whitespace().count() <= 6 && !INTRODUCER.is_match(opening)
    }

    /// Decides whether sentence `i` recommends home use on its own, and
    /// whether it would as a bare how-to step.
    fn stance(&self, i: usize) -> Stance {
        let s = &self.sentences[i];
        let frame = self.frames.get(s.block).cloned().flatten();
        let mut st = Stance {
            frame: frame.clone(),
            ..Default::default()
        };
        let mut home = false;
        let mut step = false;
        let mut professional = false;
        let mut classes: Vec<usize> = Vec::new();
        for c in &s.clauses {
            let factor = if c.after_contrast {
                CONTRAST_FACTOR
            } else {
                1.0
            };
            let ruled = self.ruled(&self.doc.text, &s.cues, c);
            for h in s
                .cues
                .iter()
                .filter(|h| c.range.start <= h.range.start && h.range.start < c.range.end)
            {
                let cue = &self.model.cues[h.cue];
                match cue.role {
                    // What a prohibition forbids is not advice.
                    CueRole::Recommend | CueRole::Home | CueRole::Step | CueRole::UnsafeClaim
                        if ruled.iter().any(|r| r.contains(&h.range.start)) => {}
                    CueRole::Step if self.verb_of_device_subject(s, h) => {}
                    CueRole::Recommend | CueRole::Home | CueRole::Step | CueRole::UnsafeClaim => {
                        st.recommend += cue.weight * factor;
                        st.rec_hits.push(h.clone());
                        if !classes.contains(&h.cue) {
                            classes.push(h.cue);
                        }
                        home |= cue.role == CueRole::Home;
                        step |= cue.role == CueRole::Step;
                    }
                    CueRole::Warn => {
                        st.warn += cue.weight * factor;
                        st.warn_hits.push(h.clone());
                    }
                    CueRole::Mitigate => st.warn -= cue.weight * factor,
                    CueRole::Professional => professional = true,
                    _ => {}
                }
            }
        }
        st.warn = st.warn.max(0.0);
        let block = &self.doc.blocks[s.block];
        match frame.as_ref().map(|f| f.frame) {
            Some(Frame::Warn) => st.warn += WARN_FRAME_WEIGHT,
            Some(Frame::Howto) => st.recommend += HOWTO_FRAME_WEIGHT,
            _ => {}
        }
        let device = !s.devices.is_empty() || !s.anaphors.is_empty();
        let procedure = !s.procedures.is_empty();
        let howto = matches!(frame.as_ref().map(|f| f.frame), Some(Frame::Howto));
        let topic = device || (procedure && (home || step));
        let bare_step = !topic && howto && step && self.about_device;
        let in_heading = matches!(block.kind, BlockKind::Heading(_));
        let question = self.doc.text[s.range.clone()]
            .trim_end_matches(|c: char| c.is_whitespace() || "\"'”’)*_".contains(c))
            .ends_with('?');
        // One kind of cue alone ("for twenty dollars") is not a
        // recommendation; a procedure step is.
        let mut spans: Vec<Range<usize>> = st.rec_hits.iter().map(|h| h.range.clone()).collect();
        spans.sort_by_key(|r| r.start);
        let distinct = spans
            .iter()
            .enumerate()
            .filter(|(i, r)| *i == 0 || spans[i - 1].end <= r.start)
            .count();
        let varied = step || classes.len() >= 2 || distinct >= 2;
        let recommends = varied
            && !question
            && (home || step || !professional)
            && !in_heading
            && st.recommend >= RECOMMEND_THRESHOLD
            && st.recommend > st.warn;
        st.recommends = topic && recommends;
        st.bare_step = bare_step && recommends;
        st
    }
}

/// Words that open an introductory phrase: after "With your roller, …" or
/// "Once dry, …" the verb past the comma is an instruction.
static INTRODUCER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)^\W*(?:with|using|holding|after|before|once|when|whenever|if|while|for|to|on|in|at|during|next|then|first|now|between|over|from|by|as|until|whether|gently|finally|afterwards?)\b",
    )
    .expect("introducer regex")
});

/// Giving a device up: "I gave it up", "threw it away", "I retired my
/// roller", "haven't touched it since".
static RENOUNCE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)(?:\b(?:i|we) |\()(?:finally |eventually |quickly )?(?:gave (?:it|them|(?:it|them) all|that|the (?:roller|pen|stamp)|my (?:roller|pen|stamp|derma\w*)) up|gave up (?:on )?(?:it|them|rolling|needling|the (?:roller|pen)|my (?:roller|pen|derma\w*))|threw (?:it|them|the (?:roller|pen|stamp)|my (?:roller|pen|stamp|derma\w*))(?: \w+)? (?:away|out|in the (?:bin|trash|garbage))|binned (?:it|them|the|my)|retired (?:it|them|the|my)|(?:stopped|quit) (?:when|after|once|rolling|needling|using (?:it|them|the (?:roller|pen|stamp)|my (?:roller|pen|stamp|derma\w*)))|haven[\x27’]t (?:touched|used|missed) (?:it|them|one))\b",
    )
    .expect("renounce regex")
});

/// A comma and a conjunction: what follows is a clause of its own
/// ("Don't roll over moles, and use your roller twice a week").
static COORDINATION: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i),\s+(?:and|then|so|or|plus)\b").expect("coordination regex"));

/// An answer that refuses: "Please don't.", "We really wouldn't."
static REFUSAL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^(?:(?:please |we |i |we[\x27’]d |i[\x27’]d )?(?:really |strongly |honestly )?(?:don[\x27’]t|do not|wouldn[\x27’]t|would not|would never|never|shouldn[\x27’]t|should not)\b|(?:we|i)(?:[\x27’]d| would) (?:much )?(?:rather|prefer) you (?:didn[\x27’]t|did not|don[\x27’]t)\b)",
    )
    .expect("refusal regex")
});

/// True when `before` (the clause up to a warning) opens a subordinate
/// clause the warning sits in: "If you don't…", "Even when you can't…".
fn subordinate(before: &str) -> bool {
    before
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .any(|w| {
            [
                "if", "unless", "when", "whenever", "once", "until", "because", "since",
                "although", "though", "while", "whether",
            ]
            .iter()
            .any(|s| w.eq_ignore_ascii_case(s))
        })
        && !before.contains(',')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::{self, DocKind};
    use crate::pack::Pack;

    #[test]
    fn sentences_matched_on_several_threads_come_out_the_same() {
        let text = include_str!("../../fixtures/md/home-howto-steps.md").repeat(8);
        let doc = document::parse(&text, DocKind::Markdown);
        let model = Model::compile(&Pack::builtin()[0]).unwrap();
        let serial = Analysis::build_with(&doc, &model, false, false).unwrap();
        let parallel = Analysis::build_with(&doc, &model, false, true).unwrap();
        assert!(serial.stances.iter().any(|s| s.recommends));
        assert_eq!(
            format!("{:?}", serial.sentences),
            format!("{:?}", parallel.sentences)
        );
        assert_eq!(
            format!("{:?}", serial.stances),
            format!("{:?}", parallel.stances)
        );
    }

    #[test]
    fn look_alikes_in_sentences_are_the_look_alikes_of_the_page() {
        let model = Model::compile(&Pack::builtin()[0]).unwrap();
        assert!(model.not_device.hits_are_context_free());
        let mut pages = 0;
        let mut with = 0;
        for (path, text) in crate::rules::fixture_texts() {
            let doc = document::parse(&text, DocKind::from_path(&path));
            let a = Analysis::new(&doc, &model);
            let page = !model.not_device.find(&doc.text).is_empty();
            let sentences = a.sentences.iter().any(|s| !s.not_devices.is_empty());
            assert_eq!(page, sentences, "{}", path.display());
            pages += 1;
            with += usize::from(page);
        }
        // Edge cases: at a block's start and end, after a full stop, in
        // any case, and across a line break (which is no hit).
        for text in [
            "Jade roller.\n\nA JADE-ROLLER! Ice rollers?",
            "My jade\nroller and an ice\n\nroller.",
            "x.jade roller",
        ] {
            let doc = document::parse(text, DocKind::Text);
            let a = Analysis::new(&doc, &model);
            let page = model.not_device.find(&doc.text);
            let sentences: Vec<_> = a
                .sentences
                .iter()
                .flat_map(|s| s.not_devices.clone())
                .collect();
            assert_eq!(page, sentences, "{text:?}");
        }
        assert!(
            pages > 20 && with > 0,
            "{pages} pages, {with} with look-alikes"
        );
    }

    #[test]
    fn only_pages_that_cannot_be_about_the_treatment_are_skipped() {
        let model = Model::compile(&Pack::builtin()[0]).unwrap();
        let skipped = |text: &str| {
            let doc = document::parse(text, DocKind::Text);
            Analysis::topical(&doc, &model).is_none()
        };
        // Other rollers and nothing else: skipped before any sentence work.
        let jade = "My jade roller lives in the fridge. Roll it upward.\n\nIce roller next.";
        assert!(!Analysis::may_be_topical(
            &document::parse(jade, DocKind::Text),
            &model
        ));
        assert!(skipped(jade));
        // A misspelt device, a device, a needle length: read in full.
        assert!(!skipped(
            "My jade roller lives in the fridge. So does my dermaroler."
        ));
        assert!(!skipped(
            "My jade roller lives in the fridge, next to a derma roller."
        ));
        assert!(!skipped(
            "My jade roller lives in the fridge. Its needles are 0.5 mm."
        ));
        // "The roller" may be a needle roller when no other roller is named.
        assert!(!skipped("Roll the roller upward twice a week."));
        // Nothing that could stand for a device: skipped, other rollers or not.
        assert!(skipped(
            "Ice globes, tested. Buy them at home and use them daily."
        ));
        assert!(!skipped("Buy a pen at home and use it daily."));
        // A term inside a look-alike ("microneedle patch") passes the
        // quick test; the sentence-level test still skips the page.
        let patch = "A jade roller, then a microneedle patch overnight.";
        assert!(Analysis::may_be_topical(
            &document::parse(patch, DocKind::Text),
            &model
        ));
        assert!(skipped(patch));
    }

    #[test]
    fn a_scoped_warning_that_runs_past_its_clause_is_cut_there() {
        let model = Model::compile(&Pack::builtin()[0]).unwrap();
        // The prohibition "never buy but rent a derma roller" spans the
        // clause break at "but"; its reach is cut at the clause's end.
        for text in [
            "If you never buy but rent a derma roller at home, fine.",
            "When you never buy but rent a derma roller, roll at home twice a week.",
        ] {
            let doc = document::parse(text, DocKind::Text);
            let a = Analysis::new(&doc, &model);
            assert!(!a.sentences.is_empty(), "{text}");
        }
    }

    #[test]
    fn clause_breaks_anywhere_in_a_sentence_never_break_the_analysis() {
        // A cue hit may straddle a clause break; every sentence case, with
        // "but" or ";" pushed in at each word gap, must still be read.
        let model = Model::compile(&Pack::builtin()[0]).unwrap();
        let data = include_str!("../../tests/data/sentences.jsonl");
        for line in data.lines().filter(|l| !l.trim().is_empty()) {
            let case: serde_json::Value = serde_json::from_str(line).unwrap();
            let text = case["text"].as_str().unwrap();
            for (i, _) in text.match_indices(' ') {
                for cut in [" but", ";"] {
                    let t = format!("{}{cut}{}", &text[..i], &text[i..]);
                    let doc = document::parse(&t, DocKind::Text);
                    let a = Analysis::new(&doc, &model);
                    assert_eq!(a.stances.len(), a.sentences.len(), "{t}");
                }
            }
        }
    }

    #[test]
    fn a_question_heading_takes_the_frame_of_its_answer() {
        let model = Model::compile(&Pack::builtin()[0]).unwrap();
        let frame = |answer: &str| {
            let text = format!(
                "# Derma roller FAQ\n\n## Can I use a derma roller at home?\n\n{answer} More text follows here.\n"
            );
            let doc = document::parse(&text, DocKind::Markdown);
            let a = Analysis::new(&doc, &model);
            let last = a.doc.blocks.len() - 1;
            a.frames[last].as_ref().map(|f| f.frame)
        };
        for warns in [
            "No.",
            "In short: no.",
            "Honestly? Please don't.",
            "We really wouldn't.",
            "Not without a dermatologist's guidance.",
            "Technically yes, but we don't recommend it.",
            "It's not a good idea.",
            "We'd advise against it.",
            "We’d rather you didn’t.",
        ] {
            assert_eq!(frame(warns), Some(Frame::Warn), "{warns}");
        }
        for instructs in [
            "Yes!",
            "Absolutely, here's how.",
            "Sure, as long as you keep it clean.",
        ] {
            assert_eq!(frame(instructs), Some(Frame::Howto), "{instructs}");
        }
        for neither in ["It depends on your skin.", "Not only that, it is cheap."] {
            assert_eq!(frame(neither), None, "{neither}");
        }
    }
}
