//! The linter: every rule of every loaded pack, compiled once per run and
//! shared by the walker's threads.

use std::collections::HashSet;
use std::ops::Range;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};
use regex::Regex;

use super::analysis::Analysis;
use super::kinds::{self, KINDS};
use super::model::Model;
use super::terms::{compile_regex, drop_containing, every_start};
use super::{Finding, Label, RuleMeta};
use crate::document::{self, DocKind, Document};
use crate::pack::{Pack, PackError};

/// Per-run options that change what rules report.
#[derive(Debug, Clone, Default)]
pub struct LintOptions {
    /// Canonical contraindication categories that `incomplete-contraindications`
    /// requires; `None` means the pack's core set.
    pub require: Option<Vec<String>>,
}

/// A compiled rule and what its kind needs.
#[derive(Debug, Clone)]
pub struct RuleCtx {
    pub meta: RuleMeta,
    pub kind: String,
    pub message: String,
    pub patterns: Vec<Regex>,
    pub threshold: Option<f32>,
    pub require: Option<Vec<String>>,
}

/// Collects one rule's findings, mapping prose ranges to source spans.
pub struct Emit<'d> {
    doc: &'d Document,
    pub findings: Vec<Finding>,
}

impl Emit<'_> {
    /// Adds a finding at a prose range. `vars` fill `{name}` in the message.
    pub fn emit(
        &mut self,
        ctx: &RuleCtx,
        range: Range<usize>,
        vars: &[(&str, &str)],
        labels: Vec<(Range<usize>, String)>,
        data: Option<serde_json::Value>,
    ) {
        let mut message = ctx.message.clone();
        for (k, v) in vars {
            message = message.replace(&format!("{{{k}}}"), v);
        }
        let mut seen = HashSet::new();
        let labels = labels
            .into_iter()
            .map(|(r, m)| Label {
                span: self.doc.source_span(r),
                message: m,
            })
            .filter(|l| seen.insert((l.span, l.message.clone())))
            .collect();
        self.findings.push(Finding {
            rule: ctx.meta.id.clone(),
            severity: ctx.meta.severity,
            message,
            span: self.doc.source_span(range),
            labels,
            help: ctx.meta.help.clone(),
            data: data.as_ref().map(super::Data::new),
        });
    }
}

/// One pack's model and its rules.
#[derive(Debug)]
struct CompiledPack {
    model: Model,
    rules: Vec<RuleCtx>,
}

/// Compiled rules. `Send + Sync`: build once, share across threads.
#[derive(Debug)]
pub struct Linter {
    packs: Vec<CompiledPack>,
    prefilter: Option<Prefilter>,
}

/// The cheap test that lets a file with no trigger term skip parsing: one
/// automaton of the lower-cased terms over the raw bytes, lower-cased a
/// window at a time.
#[derive(Debug)]
struct Prefilter {
    terms: Vec<String>,
    automaton: AhoCorasick,
    /// The longest term's length in bytes: windows overlap by one less, so
    /// a term across a window edge is still seen whole.
    longest: usize,
}

/// Stems added for every fuzzy word, so its misspellings ("dermarollling",
/// "microneedeling") still reach the rules: its first and its last six
/// letters ("roller" also lets hair-roller how-tos through, on which the
/// `howto && step` path of the stance model can fire); and, when
/// "microneedling" is fuzzy, the usual ways it is split and its ending.
const FUZZY_STEM: usize = 6;
const EXTRA_STEMS: &[&str] = &["microneedl", "micro-needl", "micro needl", "needling"];

/// A word of a trigger phrase at least this long stands for the phrase.
const PHRASE_WORD: usize = 7;

/// Bytes lower-cased at a time by the prefilter.
const PREFILTER_WINDOW: usize = 64 * 1024;

impl Prefilter {
    /// Lower-casing first and matching case-sensitively is the same test as
    /// an ASCII case-insensitive automaton, but lets aho-corasick use its
    /// vectorized literal search: about three times as fast here, and this
    /// runs on every file.
    fn is_match(&self, bytes: &[u8]) -> bool {
        thread_local! {
            static LOWER: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
        }
        LOWER.with_borrow_mut(|lower| {
            let step = PREFILTER_WINDOW - self.longest;
            let mut start = 0;
            loop {
                let end = (start + PREFILTER_WINDOW).min(bytes.len());
                lower.clear();
                lower.extend(bytes[start..end].iter().map(u8::to_ascii_lowercase));
                if self.automaton.is_match(&lower[..]) {
                    return true;
                }
                if end == bytes.len() {
                    return false;
                }
                start += step;
            }
        })
    }

    /// The trigger terms of every pack: each spelling form of the device
    /// and procedure terms, the fuzzy words and their stems. `None` when a
    /// rule can fire without any of them (a `phrase` rule, or a term list
    /// with regexes), and every file must be read in full.
    fn new(packs: &[CompiledPack]) -> Option<Prefilter> {
        let mut terms: Vec<String> = Vec::new();
        for p in packs {
            if p.rules.iter().any(|r| r.kind == "phrase") {
                return None;
            }
            for list in [&p.model.device, &p.model.procedure] {
                if list.has_patterns() {
                    return None;
                }
                terms.extend(list.forms().iter().cloned());
                for w in list.fuzzy_words() {
                    let chars: Vec<char> = w.chars().collect();
                    let n = chars.len().min(FUZZY_STEM);
                    terms.push(chars[..n].iter().collect());
                    terms.push(chars[chars.len() - n..].iter().collect());
                }
            }
            if p.model
                .procedure
                .fuzzy_words()
                .any(|w| w.starts_with("microneedl"))
            {
                terms.extend(EXTRA_STEMS.iter().map(|s| s.to_string()));
            }
        }
        for t in &mut terms {
            t.make_ascii_lowercase();
            // Any part of a term lets at least the files it does through.
            // A long word of a phrase ("induction" for every spelling of
            // "collagen induction therapy") says almost as much, and fewer
            // terms keep the automaton on its fastest vectorized search
            // (aho-corasick's slim Teddy takes at most 32).
            if let Some(word) = t
                .split(|c: char| !c.is_ascii_alphabetic())
                .filter(|w| w.len() >= PHRASE_WORD)
                .max_by_key(|w| w.len())
            {
                *t = word.to_string();
            }
        }
        terms.retain(|t| !t.is_empty());
        terms.sort();
        terms.dedup();
        // A term that contains another adds nothing to a substring test.
        drop_containing(&mut terms);
        if terms.is_empty() {
            return None;
        }
        let longest = terms.iter().map(String::len).max()?;
        if longest >= PREFILTER_WINDOW / 2 {
            return None;
        }
        let automaton = AhoCorasickBuilder::new()
            .match_kind(MatchKind::LeftmostFirst)
            .kind(Some(AhoCorasickKind::DFA))
            .build(&terms)
            .ok()?;
        Some(Prefilter {
            terms,
            automaton,
            longest,
        })
    }
}

fn run_rule(a: &Analysis, ctx: &RuleCtx, out: &mut Emit) {
    match ctx.kind.as_str() {
        "home-use" => kinds::home_use::check(a, ctx, out),
        "missing-contraindications" => kinds::contraindications::check_missing(a, ctx, out),
        "incomplete-contraindications" => kinds::contraindications::check_incomplete(a, ctx, out),
        "home-needle-depth" => kinds::needle_depth::check(a, ctx, out),
        "unsafe-claim" => kinds::unsafe_claim::check(a, ctx, out),
        "no-professional" => kinds::no_professional::check(a, ctx, out),
        "phrase" => kinds::phrase::check(a, ctx, out),
        _ => unreachable!("kinds are checked when the pack is compiled"),
    }
}

impl Linter {
    /// Compiles the given packs (built-in ones first, then user packs) and
    /// checks every rule's inline examples.
    pub fn new(packs: Vec<Pack>, options: LintOptions) -> Result<Linter, Box<PackError>> {
        let mut compiled = Vec::new();
        let mut ids = HashSet::new();
        for pack in &packs {
            let model = Model::compile(pack)?;
            if let Some(req) = &options.require {
                for r in req {
                    if model.category_index(r).is_none() && pack.spec.name == "microneedling" {
                        let known: Vec<_> =
                            model.categories.iter().map(|c| c.name.as_str()).collect();
                        return Err(PackError::at(
                            "--require",
                            "",
                            None,
                            format!("unknown contraindication category `{r}`"),
                            "",
                            Some(format!("known categories: {}", known.join(", "))),
                        ));
                    }
                }
            }
            let mut rules = Vec::new();
            for spec in &pack.spec.rules {
                let kind = spec.kind.get_ref();
                if !KINDS.contains(&kind.as_str()) {
                    return Err(pack.error(
                        Some(spec.kind.span()),
                        format!("unknown rule kind `{kind}`"),
                        "unknown kind",
                        Some(format!("known kinds: {}", KINDS.join(", "))),
                    ));
                }
                let id = format!("{}/{}", pack.spec.name, spec.name);
                if !ids.insert(id.clone()) {
                    return Err(pack.error(
                        Some(spec.kind.span()),
                        format!("duplicate rule id `{id}`"),
                        "",
                        None,
                    ));
                }
                let patterns = spec
                    .patterns
                    .iter()
                    .map(|p| compile_regex(pack, p, &format!("rule {id}")))
                    .collect::<Result<Vec<_>, _>>()?;
                rules.push(RuleCtx {
                    meta: RuleMeta {
                        id,
                        severity: spec.severity,
                        summary: spec.summary.clone(),
                        docs: spec.docs.clone(),
                        help: spec.help.clone(),
                    },
                    kind: kind.clone(),
                    message: spec.message.clone(),
                    patterns,
                    threshold: spec.threshold,
                    require: options.require.clone(),
                });
            }
            let cp = CompiledPack { model, rules };
            // The built-in pack's examples are checked by `cargo test`
            // (`builtin_examples_hold`), not on every run.
            if !pack.is_builtin() {
                check_examples(pack, &cp)?;
            }
            compiled.push(cp);
        }
        let prefilter = Prefilter::new(&compiled);
        Ok(Linter {
            packs: compiled,
            prefilter,
        })
    }

    /// Runs the inline examples of `packs` (the ones this linter was built
    /// from, in order) against it.
    pub fn check_examples(&self, packs: &[Pack]) -> Result<(), Box<PackError>> {
        for (pack, cp) in packs.iter().zip(&self.packs) {
            check_examples(pack, cp)?;
        }
        Ok(())
    }

    /// The built-in packs with default options.
    pub fn builtin() -> Linter {
        Linter::new(Pack::builtin(), LintOptions::default()).expect("built-in packs are valid")
    }

    /// Metadata of every rule, in pack order.
    pub fn rules(&self) -> Vec<RuleMeta> {
        self.packs
            .iter()
            .flat_map(|p| p.rules.iter().map(|r| r.meta.clone()))
            .collect()
    }

    /// The terms a file must contain (ASCII case-insensitively) for any rule
    /// to fire, or `None` when every file must be checked in full.
    /// `beautylint debug trigger-terms` prints them.
    pub fn trigger_terms(&self) -> Option<&[String]> {
        self.prefilter.as_ref().map(|p| p.terms.as_slice())
    }

    /// False when no rule can fire on a file with these contents, so it
    /// need not be parsed at all.
    pub fn may_fire(&self, text: &str) -> bool {
        self.prefilter
            .as_ref()
            .is_none_or(|p| p.is_match(text.as_bytes()) && !self.only_look_alikes(p, text))
    }

    /// True when the file is a page about look-alikes that
    /// [`Analysis::topical`] would give up on: it names other rollers ("jade
    /// roller", "face rollers"), every trigger term in it is part of such a
    /// name, and it names no device or procedure, no misspelling of one and
    /// no needle length. Asked of the raw text before it is parsed: the
    /// trigger terms the prefilter lets through for a facial-roller page are
    /// its "roller"s, and parsing such a page cost more than the tests that
    /// then set it aside. Markup only adds words, so the tests on the raw
    /// text say no more often than on the prose; a device's name split by
    /// markup ("derma<b>roller</b>") leaves a trigger term outside any
    /// look-alike, and the page is parsed.
    fn only_look_alikes(&self, p: &Prefilter, text: &str) -> bool {
        self.packs.iter().all(|pack| {
            let m = &pack.model;
            if m.may_name_topic_literally(text) || !m.not_device.is_match(text) {
                return false;
            }
            let lower = text.to_ascii_lowercase();
            every_start(&p.automaton, lower.as_bytes())
                .all(|hit| m.not_device.covers(text, hit.range()))
                && !m.may_name_topic_fuzzily(text)
                && !kinds::needle_depth::may_have_lengths_raw(&lower)
        })
    }

    /// All findings for one document, sorted by position then rule id.
    pub fn check(&self, doc: &Document) -> Vec<Finding> {
        let mut out = Emit {
            doc,
            findings: Vec::new(),
        };
        for p in &self.packs {
            // `phrase` rules need no topic; every other kind does.
            let a = if p.rules.iter().any(|r| r.kind == "phrase") {
                Some(Analysis::new(doc, &p.model))
            } else {
                Analysis::topical(doc, &p.model)
            };
            let Some(a) = a else { continue };
            for r in &p.rules {
                run_rule(&a, r, &mut out);
            }
        }
        let mut findings = out.findings;
        findings.sort_by(|a, b| {
            (a.span.start, a.span.end, &a.rule).cmp(&(b.span.start, b.span.end, &b.rule))
        });
        findings
    }
}

/// Runs every rule's inline examples; an example that does not behave as
/// written makes the pack invalid, pointing at the example.
fn check_examples(pack: &Pack, cp: &CompiledPack) -> Result<(), Box<PackError>> {
    for (spec, ctx) in pack.spec.rules.iter().zip(&cp.rules) {
        // Examples are written against the pack's defaults, not this run's
        // `--require`.
        let ctx = &RuleCtx {
            require: None,
            ..ctx.clone()
        };
        for ex in &spec.examples {
            let e = ex.get_ref();
            let kind = match e.format.as_deref() {
                Some("md") => DocKind::Markdown,
                Some("html") => DocKind::Html,
                _ => DocKind::Text,
            };
            let doc = document::parse(&e.text, kind);
            let a = Analysis::new(&doc, &cp.model);
            let mut out = Emit {
                doc: &doc,
                findings: Vec::new(),
            };
            run_rule(&a, ctx, &mut out);
            let got: Vec<&str> = out
                .findings
                .iter()
                .map(|f| &e.text[f.span.range()])
                .collect();
            let problem = match (&e.fires, e.clean) {
                (Some(want), false) if !got.contains(&want.as_str()) => Some(format!(
                    "example should fire on {want:?} but {}",
                    if got.is_empty() {
                        "nothing fired".to_string()
                    } else {
                        format!("fired on {got:?}")
                    }
                )),
                (None, true) if !got.is_empty() => {
                    Some(format!("example should be clean but fired on {got:?}"))
                }
                (None, false) | (Some(_), true) => {
                    Some("an example needs exactly one of `fires = \"…\"` or `clean = true`".into())
                }
                _ => None,
            };
            if let Some(p) = problem {
                return Err(pack.error(
                    Some(ex.span()),
                    format!("rule {}: {p}", ctx.meta.id),
                    "this example",
                    Some("fix the rule's data or the example".into()),
                ));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_examples_hold() {
        let packs = Pack::builtin();
        assert!(packs.iter().all(Pack::is_builtin));
        Linter::builtin().check_examples(&packs).unwrap();
    }

    #[test]
    fn prefilter_passes_terms_and_misspellings_only() {
        let l = Linter::builtin();
        assert!(l.may_fire("My Derma-Roller routine"));
        assert!(l.may_fire("I tried DERMAROLLLING at home"));
        assert!(l.may_fire("skin microneedeling, weekly"));
        assert!(!l.may_fire("A gua sha and a dermatologist's advice"));
        let terms = l.trigger_terms().unwrap();
        assert!(terms.iter().any(|t| t == "dermar"));
    }

    #[test]
    fn prefilter_phrases_stand_for_a_long_word_and_still_pass_every_form() {
        let l = Linter::builtin();
        let terms = l.trigger_terms().unwrap();
        // Slim Teddy's limit: past it, aho-corasick's search is half as wide.
        assert!(terms.len() <= 32, "{terms:?}");
        assert!(terms.iter().any(|t| t == "induction"));
        assert!(!terms.iter().any(|t| t.contains("collagen")), "{terms:?}");
        let pack = &l.packs[0].model;
        for form in pack.device.forms().iter().chain(pack.procedure.forms()) {
            let page = format!("Our notes on {} this week.", form.to_uppercase());
            assert!(l.may_fire(&page), "{form}");
        }
    }

    /// A facial-roller page the prefilter lets through ("roller") and the
    /// look-alike test sets aside before parsing.
    const ICE_ROLLER_PAGE: &str = "# Ice roller mornings\n\nKeep the ice roller in the freezer. \
        Roll it outwards from the forehead every morning at home, five passes a side.\n\n\
        A jade roller or a rose quartz face roller is gentler; both cost under 30 dollars.\n";

    #[test]
    fn look_alike_pages_are_set_aside_before_parsing() {
        let l = Linter::builtin();
        assert!(!l.may_fire(ICE_ROLLER_PAGE));
        assert!(!l.may_fire(&format!("<p>{ICE_ROLLER_PAGE}</p><!-- 3 jade rollers -->")));
        // Each of these may name the treatment once read, and is parsed.
        for extra in [
            "A derma<b>roller</b> is another thing.",
            "A roller with needles is another thing.",
            "Not a dermaroler, though.",
            "It is no derma roller.",
            "Its handle is 0.5&nbsp;mm thick.",
            "Its handle is 0.5<b>mm</b> thick.",
            "Its studs are 300 &micro;m tall.",
            "We tried microneedling once.",
        ] {
            let page = format!("{ICE_ROLLER_PAGE}\n{extra}\n");
            assert!(l.may_fire(&page), "{extra}");
        }
    }

    /// What the look-alike test sets aside, a full read finds nothing on:
    /// checked on every fixture article, and on pages built from one.
    #[test]
    fn a_page_set_aside_before_parsing_has_no_finding_when_parsed() {
        let l = Linter::builtin();
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut pages: Vec<(String, DocKind)> = vec![
            (ICE_ROLLER_PAGE.to_string(), DocKind::Markdown),
            (
                format!("<html><body><p>{ICE_ROLLER_PAGE}</p></body></html>"),
                DocKind::Html,
            ),
        ];
        for dir in [
            "fixtures/md",
            "fixtures/html",
            "fixtures/txt",
            "tests/data/articles/docs",
        ] {
            for entry in std::fs::read_dir(root.join(dir)).unwrap() {
                let path = entry.unwrap().path();
                if let Ok(text) = std::fs::read_to_string(&path) {
                    pages.push((text, DocKind::from_path(&path)));
                }
            }
        }
        let mut set_aside = 0;
        for (text, kind) in &pages {
            if l.prefilter.as_ref().unwrap().is_match(text.as_bytes()) && !l.may_fire(text) {
                set_aside += 1;
                assert!(l.check(&document::parse(text, *kind)).is_empty(), "{text}");
            }
        }
        // The two pages above and the ice-roller fixture.
        assert!(set_aside >= 3, "{set_aside}");
    }

    #[test]
    fn prefilter_sees_a_term_across_its_window_edge() {
        let l = Linter::builtin();
        let clean = "gua sha tips. ".repeat(PREFILTER_WINDOW / 7);
        assert!(!l.may_fire(&clean));
        // "SkinPen" starting at every offset around the first window's end.
        for at in PREFILTER_WINDOW - 8..PREFILTER_WINDOW + 2 {
            let mut page = clean.as_bytes().to_vec();
            page[at..at + 7].copy_from_slice(b"SkinPen");
            let page = String::from_utf8(page).unwrap();
            assert!(l.may_fire(&page), "missed at {at}");
        }
    }

    #[test]
    fn a_phrase_rule_turns_the_prefilter_off() {
        let user = Pack::parse(
            "user.toml",
            r#"name = "user"
[[rule]]
name = "miracle"
kind = "phrase"
severity = "warning"
summary = "s"
message = "m"
docs = "d"
patterns = ['\bmiracle\b']
"#,
        )
        .unwrap();
        let mut packs = Pack::builtin();
        packs.push(user);
        let l = Linter::new(packs, LintOptions::default()).unwrap();
        assert!(l.trigger_terms().is_none());
        assert!(l.may_fire("a miracle cream"));
    }
}
