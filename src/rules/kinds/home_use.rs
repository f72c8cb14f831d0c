//! `home-use`: a sentence recommends microneedling at home.
//!
//! The decision comes from [`Analysis`](crate::rules::analysis::Analysis):
//! the device or procedure, home cues, procedure steps, purchase and
//! endorsement language, against warning cues and the frame the sentence
//! sits in. The finding's labels are the cues that decided it.

use serde_json::json;

use crate::rules::analysis::Analysis;
use crate::rules::linter::{Emit, RuleCtx};

pub fn check(a: &Analysis, ctx: &RuleCtx, out: &mut Emit) {
    for (i, s) in a.sentences.iter().enumerate() {
        let st = &a.stances[i];
        if !st.recommends {
            continue;
        }
        let text = &a.doc.text;
        let device = s
            .devices
            .first()
            .or(s.anaphors.first())
            .or(s.procedures.first())
            .cloned();
        let mut labels = Vec::new();
        if let Some(d) = &device {
            labels.push((d.clone(), "device".to_string()));
        }
        for h in &st.rec_hits {
            labels.push((h.range.clone(), a.model.cues[h.cue].label.clone()));
        }
        let cue = |h: &crate::rules::model::CueHit| json!({"text": &text[h.range.clone()], "cue": a.model.cues[h.cue].name, "label": a.model.cues[h.cue].label});
        let home_cue = st
            .rec_hits
            .iter()
            .find(|h| a.model.cues[h.cue].role == crate::pack::CueRole::Home)
            .map(|h| &text[h.range.clone()]);
        let outweighed: Vec<_> = st.warn_hits.iter().map(cue).collect();
        let data = json!({
            "device": device.map(|d| &text[d]),
            "home_cue": home_cue,
            "recommend_cues": st.rec_hits.iter().map(cue).collect::<Vec<_>>(),
            "warning_cues": outweighed,
            "frame": st.frame.as_ref().map(|f| json!({
                "kind": format!("{:?}", f.frame).to_lowercase(),
                "text": &text[f.range.clone()],
            })),
            "score": {"recommend": st.recommend, "warn": st.warn},
            "why": if st.warn_hits.is_empty() {
                "recommendation cues and no warning".to_string()
            } else {
                format!("recommendation cues ({:.1}) outweigh warning cues ({:.1})", st.recommend, st.warn)
            },
        });
        let device_text = s
            .devices
            .first()
            .or(s.anaphors.first())
            .or(s.procedures.first())
            .map(|d| text[d.clone()].to_string())
            .unwrap_or_else(|| "microneedling".into());
        out.emit(
            ctx,
            s.range.clone(),
            &[("device", &device_text)],
            labels,
            Some(data),
        );
    }
}
