//! `no-professional`: the page discusses microneedling and never advises
//! seeing a dermatologist or licensed professional.

use crate::pack::CueRole;
use crate::rules::analysis::Analysis;
use crate::rules::kinds::contraindications::discusses;
use crate::rules::linter::{Emit, RuleCtx};

pub fn check(a: &Analysis, ctx: &RuleCtx, out: &mut Emit) {
    if !discusses(a) {
        return;
    }
    if a.sentences
        .iter()
        .any(|s| a.has_role(&s.cues, CueRole::SeeProfessional))
    {
        return;
    }
    if let Some(first) = a.mentions().next() {
        let term = a.doc.text[first.clone()].to_string();
        out.emit(ctx, first, &[("term", &term)], Vec::new(), None);
    }
}
