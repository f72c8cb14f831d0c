//! `missing-contraindications` and `incomplete-contraindications`.
//!
//! A condition counts as a warning only where it is named as a reason not to
//! have the treatment: in a sentence with a contraindication cue ("should
//! not be used if", "avoid if", "not a candidate"), under a contraindications
//! heading, or in a list whose lead-in is one. "Microneedling treats acne
//! scars and eczema marks" warns about nothing.

use std::collections::BTreeMap;
use std::ops::Range;

use serde_json::json;

use crate::document::BlockKind;
use crate::pack::CueRole;
use crate::rules::analysis::{each_chunked, Analysis, PARALLEL_TEXT_LEN};
use crate::rules::linter::{Emit, RuleCtx};

/// Which categories a page names as contraindications, and where.
#[derive(Debug, Default)]
pub struct Coverage {
    /// Category name → text ranges of its mentions.
    pub found: BTreeMap<String, Vec<Range<usize>>>,
    /// Sentences (indices) that name at least one category in a frame.
    pub sentences: Vec<usize>,
}

/// A category (index into the model's) named at a text range.
type CategoryHit = (usize, Range<usize>);

/// Blocks under a contraindication heading or lead-in.
fn framed_blocks(a: &Analysis) -> Vec<bool> {
    let blocks = &a.doc.blocks;
    let contra = |b: usize| {
        let sentences = &a.sentences[a.block_sentences(b)];
        let cue = sentences
            .iter()
            .any(|s| a.has_role(&s.cues, CueRole::ContraFrame));
        // "Who shouldn't get a chemical peel" frames the peel's
        // contraindications, unless it names microneedling too.
        let names_it = sentences
            .iter()
            .any(|s| !s.devices.is_empty() || !s.procedures.is_empty());
        cue && (names_it
            || a.model
                .other_treatment
                .find(a.doc.block_text(&blocks[b]))
                .is_empty())
    };
    let heading: Vec<bool> = blocks
        .iter()
        .enumerate()
        .map(|(i, b)| matches!(b.kind, BlockKind::Heading(_)) && contra(i))
        .collect();
    let mut out = vec![false; blocks.len()];
    for (i, b) in blocks.iter().enumerate() {
        let mut framed = b.headings.iter().any(|&h| heading[h]);
        if b.kind == BlockKind::ListItem && b.list.is_some() {
            let first = a.list_first[i];
            if let Some(lead) = first.checked_sub(1) {
                if blocks[lead].kind != BlockKind::ListItem && contra(lead) {
                    framed = true;
                }
            }
        }
        out[i] = framed;
    }
    // A table frames all its cells when one of them (a header, "Why it
    // rules microneedling out") or the paragraph just before it is a
    // contraindication cue.
    let mut i = 0;
    while i < blocks.len() {
        if blocks[i].kind != BlockKind::TableCell {
            i += 1;
            continue;
        }
        let end = (i..blocks.len())
            .find(|&j| blocks[j].kind != BlockKind::TableCell)
            .unwrap_or(blocks.len());
        let lead_in = i
            .checked_sub(1)
            .is_some_and(|j| blocks[j].kind == BlockKind::Paragraph && contra(j));
        if lead_in || (i..end).any(contra) {
            out[i..end].iter_mut().for_each(|f| *f = true);
        }
        i = end;
    }
    out
}

/// Which contraindications the page names as warnings (worked out once per
/// analysis: both rules of this kind ask).
pub fn coverage<'a>(a: &'a Analysis) -> &'a Coverage {
    a.coverage.get_or_init(|| compute_coverage(a))
}

fn compute_coverage(a: &Analysis) -> Coverage {
    let framed = framed_blocks(a);
    let mut cov = Coverage::default();
    let topical = |s: &crate::rules::analysis::Sentence| {
        !(s.devices.is_empty() && s.procedures.is_empty() && s.anaphors.is_empty())
    };
    // Blocks that talk about the treatment: a contraindication cue in them
    // is about microneedling, not about some other product on the page.
    let mut block_topic = vec![false; a.doc.blocks.len()];
    for s in &a.sentences {
        if topical(s) {
            block_topic[s.block] = true;
        }
    }
    // A section headed by another treatment ("A word on minoxidil") is
    // about that treatment's cautions, unless a sentence names ours.
    let other_section = |block: usize| {
        a.doc.blocks[block].headings.last().is_some_and(|&h| {
            !block_topic[h]
                && !a
                    .model
                    .other_treatment
                    .find(a.doc.block_text(&a.doc.blocks[h]))
                    .is_empty()
        })
    };
    // Elsewhere a cue is about the treatment in a block that names it, or
    // under a heading that does at any level ("# Is at-home microneedling safe?"
    // above "## Why home devices worry me"), or, in a text without
    // headings (a forum post, a plain-text page), after a block that does;
    // unless its sentence is about another treatment ("Minoxidil is not
    // for pregnant women"). The cue first: most sentences have none, and
    // the rest matches text.
    let first_topic = block_topic.iter().position(|&t| t);
    let cue_about_it = |s: &crate::rules::analysis::Sentence| {
        a.has_role(&s.cues, CueRole::ContraFrame)
            && if other_section(s.block) {
                topical(s)
            } else {
                let headings = &a.doc.blocks[s.block].headings;
                let under_topic = headings.iter().any(|&h| block_topic[h])
                    || (headings.is_empty() && first_topic.is_some_and(|b| b < s.block));
                block_topic[s.block]
                    || (under_topic
                        && (topical(s)
                            || a.model
                                .other_treatment
                                .find(&a.doc.text[s.range.clone()])
                                .is_empty()))
            }
    };
    let cued: Vec<bool> = a.sentences.iter().map(cue_about_it).collect();
    // A list item is one point: a cue in one of its sentences ("I was on
    // Accutane at 24. My dermatologist said to wait…") covers the others.
    let mut item_cue = vec![false; a.doc.blocks.len()];
    for (s, &cued) in a.sentences.iter().zip(&cued) {
        if cued && a.doc.blocks[s.block].kind == BlockKind::ListItem {
            item_cue[s.block] = true;
        }
    }
    // The sentences that name contraindications as warnings, then what they
    // name (matched on several threads for a huge page: same result).
    let mut named: Vec<(usize, Vec<CategoryHit>)> = a
        .sentences
        .iter()
        .enumerate()
        .filter(|&(i, s)| {
            let cue = item_cue[s.block] || cued[i];
            // "Safe even during pregnancy" names pregnancy as anything but a warning.
            (framed[s.block] || cue) && !a.has_role(&s.cues, CueRole::UnsafeClaim)
        })
        .map(|(i, _)| (i, Vec::new()))
        .collect();
    let big = a.doc.text.len() >= PARALLEL_TEXT_LEN;
    let (sentences, text, categories) = (&a.sentences, &a.doc.text, &a.model.categories);
    let filter = a.model.category_filter();
    each_chunked(&mut named, big, |(i, hits)| {
        let s = &sentences[*i];
        let t = &text[s.range.clone()];
        let mut may = Vec::new();
        filter.candidates(t, &mut may);
        for (c, cat) in categories.iter().enumerate() {
            if !may[c] {
                continue;
            }
            for r in cat.matcher.find(t) {
                hits.push((c, s.range.start + r.start..s.range.start + r.end));
            }
        }
    });
    for (i, hits) in named {
        if hits.is_empty() {
            continue;
        }
        for (c, r) in hits {
            let name = &a.model.categories[c].name;
            cov.found.entry(name.clone()).or_default().push(r);
        }
        cov.sentences.push(i);
    }
    cov
}

/// True when the page discusses microneedling: a heading about it with
/// prose mentioning it, more than one mention in prose, or a home-use
/// recommendation.
pub fn discusses(a: &Analysis) -> bool {
    *a.discusses.get_or_init(|| compute_discusses(a))
}

fn compute_discusses(a: &Analysis) -> bool {
    let is_heading = |s: &crate::rules::analysis::Sentence| {
        matches!(a.doc.blocks[s.block].kind, BlockKind::Heading(_))
    };
    let mentions = |s: &crate::rules::analysis::Sentence| s.devices.len() + s.procedures.len();
    // A block of a word or two ("Microneedling" in a menu or a link list)
    // is navigation, not prose about the treatment; so is a plain-text menu
    // ("Home | Facials | Microneedling | Contact").
    let prose = |s: &crate::rules::analysis::Sentence| {
        let text = a.doc.block_text(&a.doc.blocks[s.block]);
        !is_heading(s)
            && text.split_whitespace().nth(2).is_some()
            && text.matches(" | ").nth(2).is_none()
    };
    // Mentions first: most sentences have none, and `prose` reads words.
    let in_prose: usize = a
        .sentences
        .iter()
        .map(|s| match mentions(s) {
            0 => 0,
            n if prose(s) => n,
            _ => 0,
        })
        .sum();
    let in_heading = a.sentences.iter().any(|s| is_heading(s) && mentions(s) > 0);
    // A heading alone may be a link card to another page; a heading with
    // prose about it, or repeated prose mentions, is a page about it.
    // On a page about look-alikes, an aside that sets them apart ("Is
    // this the same as a derma roller? No, a derma roller…") names it twice.
    let extra = usize::from(a.look_alike_page);
    in_prose >= 2 + extra
        || (in_heading && in_prose > extra)
        || a.stances.iter().any(|s| s.recommends)
}

pub fn check_missing(a: &Analysis, ctx: &RuleCtx, out: &mut Emit) {
    if !discusses(a) {
        return;
    }
    if !coverage(a).found.is_empty() {
        return;
    }
    let Some(first) = a.mentions().next() else {
        return;
    };
    let term = a.doc.text[first.clone()].to_string();
    out.emit(ctx, first, &[("term", &term)], Vec::new(), None);
}

pub fn check_incomplete(a: &Analysis, ctx: &RuleCtx, out: &mut Emit) {
    if !discusses(a) {
        return;
    }
    let cov = coverage(a);
    if cov.found.is_empty() {
        return;
    }
    let required = ctx.require.as_deref().unwrap_or(&a.model.core);
    let missing: Vec<&String> = required
        .iter()
        .filter(|c| !cov.found.contains_key(*c))
        .collect();
    if missing.is_empty() {
        return;
    }
    let label_of = |name: &str| {
        a.model
            .category_index(name)
            .map(|i| a.model.categories[i].label.clone())
            .unwrap_or_else(|| name.to_string())
    };
    // The warning passage: the first sentence naming a contraindication and
    // the ones that follow it closely.
    let first = cov.sentences[0];
    let mut last = first;
    for &i in &cov.sentences[1..] {
        if a.sentences[i].block <= a.sentences[last].block + 2 {
            last = i;
        } else {
            break;
        }
    }
    let range = a.sentences[first].range.start..a.sentences[last].range.end;
    let labels = cov
        .found
        .values()
        .flat_map(|v| v.iter())
        .filter(|r| range.start <= r.start && r.end <= range.end)
        .map(|r| (r.clone(), "named here".to_string()))
        .collect();
    let missing_labels: Vec<String> = missing.iter().map(|m| label_of(m)).collect();
    let data = json!({
        "missing": missing,
        "found": cov.found.keys().collect::<Vec<_>>(),
    });
    out.emit(
        ctx,
        range,
        &[("missing", &missing_labels.join(", "))],
        labels,
        Some(data),
    );
}
