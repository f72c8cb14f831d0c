//! `check --statistics`: one line per rule that fired, instead of the
//! findings, like `ruff --statistics`:
//!
//! ```text
//! 12  microneedling/home-use                     error    A sentence recommends microneedling at home …
//!  3  microneedling/incomplete-contraindications warning  …
//! ```
//!
//! Columns: count (right-aligned), rule id, severity, the rule's one-line
//! summary. Sorted by count (highest first), then rule id. A rule's severity
//! is the highest of its findings. Nothing is printed when there are no
//! findings.

use std::collections::BTreeMap;
use std::io::{self, Write};

use super::{Report, Reporter};
use crate::rules::Severity;

/// `check --statistics`.
#[derive(Debug, Clone, Copy)]
pub struct Statistics;

/// `(count, rule, severity)` per rule, in print order.
pub fn rule_counts(report: &Report) -> Vec<(usize, &str, Severity)> {
    let mut by_rule: BTreeMap<&str, (usize, Severity)> = BTreeMap::new();
    for (_, f) in report.findings() {
        let e = by_rule.entry(&f.rule).or_insert((0, f.severity));
        e.0 += 1;
        e.1 = e.1.max(f.severity);
    }
    let mut rows: Vec<_> = by_rule.into_iter().map(|(r, (n, s))| (n, r, s)).collect();
    rows.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(b.1)));
    rows
}

impl Reporter for Statistics {
    fn report(&self, report: &Report, out: &mut dyn Write) -> io::Result<()> {
        let rows = rule_counts(report);
        let count_w = rows
            .iter()
            .map(|r| r.0.to_string().len())
            .max()
            .unwrap_or(1);
        let rule_w = rows.iter().map(|r| r.1.len()).max().unwrap_or(0);
        for (n, rule, severity) in rows {
            let summary = report.rule(rule).map_or("", |r| r.summary.as_str());
            let line = format!(
                "{n:>count_w$}  {rule:rule_w$}  {:7}  {summary}",
                severity.as_str()
            );
            writeln!(out, "{}", line.trim_end())?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::sample;
    use super::*;

    #[test]
    fn counts_per_rule_sorted_and_aligned() {
        let mut r = sample();
        let extra = r.files[0].findings[1].clone();
        r.files[0].findings.push(extra);
        let mut out = Vec::new();
        Statistics.report(&r, &mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "2  microneedling/home-use        error    Recommends microneedling at home.\n\
             1  contraindications/incomplete  warning  Misses some contraindications.\n"
        );
    }

    #[test]
    fn nothing_for_a_clean_run() {
        let mut out = Vec::new();
        Statistics.report(&Report::default(), &mut out).unwrap();
        assert!(out.is_empty());
    }
}
