//! `unsafe-claim`: microneedling or home rolling claimed to be safe for
//! everyone, risk-free, free of side effects, or safe in pregnancy or on
//! isotretinoin. The claim's cue must sit in a sentence about microneedling
//! and must not be negated ("is not risk-free" is the honest version).

use crate::pack::CueRole;
use crate::rules::analysis::Analysis;
use crate::rules::linter::{Emit, RuleCtx};

pub fn check(a: &Analysis, ctx: &RuleCtx, out: &mut Emit) {
    for s in &a.sentences {
        if s.devices.is_empty() && s.procedures.is_empty() {
            continue;
        }
        for h in &s.cues {
            if a.model.cues[h.cue].role != CueRole::UnsafeClaim {
                continue;
            }
            if negated(&a.doc.text[s.range.start..h.range.start]) {
                continue;
            }
            // "Myth 6: \"Microneedling is safe for everyone.\"" quotes the
            // claim to knock it down.
            if debunked(&a.doc.text[s.range.clone()]) {
                break;
            }
            let claim = a.doc.text[h.range.clone()].to_string();
            out.emit(
                ctx,
                s.range.clone(),
                &[("claim", &claim)],
                vec![(h.range.clone(), "claim".to_string())],
                None,
            );
            break;
        }
    }
}

/// True when the sentence calls what it says a myth.
fn debunked(sentence: &str) -> bool {
    sentence
        .split(|c: char| !c.is_alphanumeric())
        .any(|w| w.eq_ignore_ascii_case("myth") || w.eq_ignore_ascii_case("myths"))
}

/// True when the words just before a claim negate it ("is not risk-free",
/// "isn't safe for everyone", "nothing is risk-free").
fn negated(before: &str) -> bool {
    let tail: String = before
        .chars()
        .rev()
        .take(24)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    let tail = tail.to_lowercase().replace('’', "'");
    tail.split(|c: char| !(c.is_alphanumeric() || c == '\''))
        .filter(|w| !w.is_empty())
        .rev()
        .take(4)
        .any(|w| {
            matches!(
                w,
                "not"
                    | "never"
                    | "nothing"
                    | "isn't"
                    | "aren't"
                    | "wasn't"
                    | "no"
                    | "hardly"
                    | "neither"
                    | "nor"
            )
        })
}
