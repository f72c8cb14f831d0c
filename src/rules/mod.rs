//! Findings, severities and the rules that produce them.

use serde::{Deserialize, Serialize};

mod analysis;
mod cue_filter;
pub mod kinds;
mod linter;
pub mod model;
pub mod sentences;
pub mod terms;

pub use analysis::Analysis;
pub use cue_filter::expect_many_pages;
pub use linter::{Emit, LintOptions, Linter, RuleCtx};

use crate::span::Span;

/// How serious a finding is. Ordered: `Info < Warning < Error`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Severity {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "info" => Ok(Severity::Info),
            "warning" => Ok(Severity::Warning),
            "error" => Ok(Severity::Error),
            other => Err(format!(
                "unknown severity `{other}` (expected error, warning or info)"
            )),
        }
    }
}

/// A secondary span that explains a finding (the device term, a cue…).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    pub span: Span,
    pub message: String,
}

/// One problem found in one file. Spans are source bytes; lines and columns
/// are computed by the reports.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    /// Rule id, `pack/name`.
    pub rule: String,
    pub severity: Severity,
    pub message: String,
    pub span: Span,
    pub labels: Vec<Label>,
    pub help: Option<String>,
    /// Rule-specific details (e.g. `{"missing": [...]}`).
    pub data: Option<Data>,
}

/// A finding's rule-specific details, kept as compact JSON text: as a
/// parsed tree they cost kilobytes a finding, and a run holds every finding
/// until it is reported.
#[derive(Debug, Clone)]
pub struct Data(Box<serde_json::value::RawValue>);

impl Data {
    pub fn new(value: &serde_json::Value) -> Data {
        Data(serde_json::value::to_raw_value(value).expect("a JSON value serializes"))
    }

    /// Details from their JSON text (as [`Data::json`] gives it).
    pub fn from_json(json: String) -> serde_json::Result<Data> {
        serde_json::value::RawValue::from_string(json).map(Data)
    }

    /// The details as compact JSON text.
    pub fn json(&self) -> &str {
        self.0.get()
    }

    /// The details as a JSON value.
    pub fn value(&self) -> serde_json::Value {
        serde_json::from_str(self.0.get()).expect("written from a JSON value")
    }
}

impl PartialEq for Data {
    fn eq(&self, other: &Data) -> bool {
        self.0.get() == other.0.get()
    }
}

impl Serialize for Data {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(s)
    }
}

/// What the reports and `beautylint rules` need to know about a rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleMeta {
    /// `pack/name`, e.g. `microneedling/home-use`.
    pub id: String,
    pub severity: Severity,
    /// One line.
    pub summary: String,
    /// Markdown: what it does, why, examples.
    pub docs: String,
    pub help: Option<String>,
}

/// Every readable fixture article (Markdown, HTML, text), with its path:
/// the pages tests run an equivalence over.
#[cfg(test)]
pub(crate) fn fixture_texts() -> Vec<(std::path::PathBuf, String)> {
    let mut out = Vec::new();
    for dir in ["fixtures/md", "fixtures/html", "fixtures/txt"] {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if let Ok(text) = std::fs::read_to_string(&path) {
                out.push((path, text));
            }
        }
    }
    out
}
