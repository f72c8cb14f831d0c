//! `phrase`: every match of the rule's `patterns` is a finding. The simple
//! kind for user packs ("flag this wording wherever it appears").

use crate::rules::analysis::Analysis;
use crate::rules::linter::{Emit, RuleCtx};

pub fn check(a: &Analysis, ctx: &RuleCtx, out: &mut Emit) {
    for block in &a.doc.blocks {
        let t = &a.doc.text[block.range.clone()];
        for re in &ctx.patterns {
            for m in re.find_iter(t) {
                if m.is_empty() {
                    continue;
                }
                let r = block.range.start + m.start()..block.range.start + m.end();
                out.emit(ctx, r, &[("match", m.as_str())], Vec::new(), None);
            }
        }
    }
}
