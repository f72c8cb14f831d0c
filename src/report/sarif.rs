//! `--format sarif`: SARIF 2.1.0, one run.
//!
//! - `tool.driver`: name, version, `informationUri` (the crate's repository
//!   or homepage from `Cargo.toml`, left out while it has none) and
//!   `rules[]` from the rule packs that ran: `id`, a PascalCase `name`,
//!   `shortDescription` (the summary), `fullDescription` and `help` (the
//!   rule docs as text and Markdown, plus the fix), `defaultConfiguration.level`.
//! - `columnKind` is `unicodeCodePoints`: columns count characters, as in
//!   every other beautylint format except rdjson.
//! - `artifacts`: the files with findings (results point at them by index;
//!   `length` is the file's size in bytes), then the clean files that were checked.
//! - each result: `ruleId`, `ruleIndex`, `level` (error, warning, note),
//!   `message`, one location whose region has `startLine`, `startColumn`,
//!   `endLine`, `endColumn` (just past the end), `byteOffset` and
//!   `byteLength` (bytes of the file on disk) and a `snippet`;
//!   `relatedLocations` for the labels; `partialFingerprints["beautylint/v1"]`
//!   from [`super::fingerprint`] (no line numbers, so it survives line
//!   shifts); `properties.data` for rule-specific details.
//! - artifact URIs are relative references with `/` separators and
//!   percent-encoding when the path was relative, `file://` URIs otherwise.
//! - `invocations[0].executionSuccessful` is false when some file could not
//!   be read (exit code 2); skipped files are `toolExecutionNotifications`.

use std::collections::HashMap;
use std::io::{self, Write};
use std::path::Path;

use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::{json, Value};

use super::{locate, path_string, FileReport, Located, Report, Reporter, Source};
use crate::rules::{RuleMeta, Severity};
use crate::span::{LineIndex, Span};

/// The schema URI written to `$schema` (the OASIS errata 01 schema).
pub const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// The `partialFingerprints` key.
pub const FINGERPRINT_KEY: &str = "beautylint/v1";

/// `--format sarif`.
#[derive(Debug, Clone, Copy)]
pub struct Sarif;

/// The crate's repository or homepage, if `Cargo.toml` names one.
pub(crate) fn information_uri() -> Option<&'static str> {
    [
        option_env!("CARGO_PKG_REPOSITORY"),
        option_env!("CARGO_PKG_HOMEPAGE"),
    ]
    .into_iter()
    .flatten()
    .find(|s| !s.is_empty())
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// `microneedling/home-use` → `MicroneedlingHomeUse`.
fn pascal_name(id: &str) -> String {
    id.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut cs = w.chars();
            let first = cs.next().map(|c| c.to_ascii_uppercase());
            first.into_iter().chain(cs).collect::<String>()
        })
        .collect()
}

/// Markdown docs as plain text: heading markers dropped.
fn plain(markdown: &str) -> String {
    markdown
        .trim()
        .lines()
        .map(|l| l.trim_start_matches('#').trim_start())
        .collect::<Vec<_>>()
        .join("\n")
}

fn rule(r: &RuleMeta) -> Value {
    let docs = r.docs.trim();
    let (full_text, full_md) = if docs.is_empty() {
        (r.summary.clone(), r.summary.clone())
    } else {
        (plain(docs), docs.to_string())
    };
    let help_text = r.help.clone().unwrap_or_else(|| r.summary.clone());
    let help_md = match &r.help {
        Some(h) => format!("{full_md}\n\n## How to fix\n{h}"),
        None => full_md.clone(),
    };
    let mut tags = vec![];
    if let Some((pack, _)) = r.id.split_once('/') {
        tags.push(pack);
    }
    json!({
        "id": r.id,
        "name": pascal_name(&r.id),
        "shortDescription": {"text": r.summary},
        "fullDescription": {"text": full_text, "markdown": full_md},
        "help": {"text": help_text, "markdown": help_md},
        "defaultConfiguration": {"level": level(r.severity)},
        "properties": {"tags": tags},
    })
}

/// A URI reference for a path: relative paths stay relative (`/`
/// separators, percent-encoded), absolute ones become `file://` URIs.
pub(crate) fn uri(path: &Path) -> String {
    let s = path_string(path);
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    if path.is_absolute() {
        format!(
            "file://{}{out}",
            if out.starts_with('/') { "" } else { "/" }
        )
    } else {
        out
    }
}

/// `at` in the decoded text; `bytes` the same span in the file on disk
/// (they differ for a page decoded from a legacy charset).
fn region(source: &str, at: &Located, bytes: Span) -> Value {
    json!({
        "startLine": at.start.line,
        "startColumn": at.start.column,
        "endLine": at.end.line,
        "endColumn": at.end.column,
        "byteOffset": bytes.start,
        "byteLength": bytes.len(),
        "snippet": {"text": &source[at.span.range()]},
    })
}

fn physical(
    file: &FileReport,
    src: &Source,
    artifact: usize,
    index: &LineIndex,
    span: Span,
) -> Value {
    let at = locate(&src.text, index, span);
    json!({
        "artifactLocation": {"uri": uri(&file.path), "index": artifact},
        "region": region(&src.text, &at, src.file_span(at.span)),
    })
}

/// The whole SARIF log as a JSON value (for tests and tools; the reporter
/// streams [`Log`] instead).
pub fn sarif_log(report: &Report) -> Value {
    serde_json::to_value(Log(report)).expect("a SARIF log serializes")
}

/// The SARIF log, serialized as it is written: artifacts and results are
/// built one file at a time, so writing a large report holds no tree of
/// it. Keys are written in sorted order, as a `serde_json::Value` would.
struct Log<'a>(&'a Report);

impl Serialize for Log<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(3))?;
        m.serialize_entry("$schema", SCHEMA_URI)?;
        m.serialize_entry("runs", &[Run(self.0)])?;
        m.serialize_entry("version", "2.1.0")?;
        m.end()
    }
}

struct Run<'a>(&'a Report);

impl Serialize for Run<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let report = self.0;
        let mut m = s.serialize_map(Some(5))?;
        m.serialize_entry("artifacts", &Lazy(|| artifacts(report)))?;
        m.serialize_entry("columnKind", "unicodeCodePoints")?;
        m.serialize_entry("invocations", &invocations(report))?;
        m.serialize_entry("results", &Lazy(|| results(report)))?;
        m.serialize_entry("tool", &json!({"driver": driver(report)}))?;
        m.end()
    }
}

/// A sequence serialized from a fresh iterator, item by item.
struct Lazy<F>(F);

impl<F, I> Serialize for Lazy<F>
where
    F: Fn() -> I,
    I: Iterator<Item = Value>,
{
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq((self.0)())
    }
}

/// The files with findings (results point at them by index), then the
/// clean files that were checked.
fn artifacts(report: &Report) -> impl Iterator<Item = Value> + '_ {
    let with_findings = report.files.iter().map(|file| {
        // The file's length on disk (standard input: its text's).
        let length = match &file.held {
            Some(src) => src
                .file_offsets
                .as_ref()
                .map_or(src.text.len(), |o| o[o.len() - 1]),
            None => std::fs::metadata(&file.path).map_or(0, |m| m.len() as usize),
        };
        json!({
            "location": {"uri": uri(&file.path)},
            "length": length,
            "roles": ["analysisTarget"],
        })
    });
    let clean = report.clean.iter().map(|path| {
        json!({
            "location": {"uri": uri(path)},
            "roles": ["analysisTarget"],
        })
    });
    with_findings.chain(clean)
}

fn results(report: &Report) -> impl Iterator<Item = Value> + '_ {
    let rule_index: HashMap<&str, usize> = report
        .rules
        .iter()
        .enumerate()
        .map(|(i, r)| (r.id.as_str(), i))
        .collect();
    report
        .files
        .iter()
        .enumerate()
        .flat_map(move |(artifact, file)| file_results(file, artifact, &rule_index))
}

fn file_results(
    file: &FileReport,
    artifact: usize,
    rule_index: &HashMap<&str, usize>,
) -> Vec<Value> {
    let src = file.source();
    let index = LineIndex::new(&src.text);
    let mut results = Vec::new();
    for (f, fp) in file.findings.iter().zip(file.fingerprints_in(&src)) {
        let mut result = json!({
            "ruleId": f.rule,
            "level": level(f.severity),
            "message": {"text": f.message},
            "locations": [{"physicalLocation": physical(file, &src, artifact, &index, f.span)}],
            "partialFingerprints": {FINGERPRINT_KEY: fp},
        });
        if let Some(&i) = rule_index.get(f.rule.as_str()) {
            result["ruleIndex"] = json!(i);
        }
        if !f.labels.is_empty() {
            result["relatedLocations"] = f
                .labels
                .iter()
                .enumerate()
                .map(|(id, l)| {
                    json!({
                        "id": id,
                        "physicalLocation": physical(file, &src, artifact, &index, l.span),
                        "message": {"text": l.message},
                    })
                })
                .collect();
        }
        if let Some(data) = &f.data {
            result["properties"] = json!({ "data": data.value() });
        }
        results.push(result);
    }
    results
}

fn invocations(report: &Report) -> Value {
    let notifications: Vec<Value> = report
        .skipped
        .iter()
        .map(|s| {
            json!({
                "level": if s.error { "error" } else { "note" },
                "message": {"text": format!("{}: {}", path_string(&s.path), s.reason)},
                "locations": [{"physicalLocation": {"artifactLocation": {"uri": uri(&s.path)}}}],
            })
        })
        .collect();
    json!([{
        "executionSuccessful": !report.errored(),
        "toolExecutionNotifications": notifications,
    }])
}

fn driver(report: &Report) -> Value {
    let mut driver = json!({
        "name": "beautylint",
        "version": env!("CARGO_PKG_VERSION"),
        "semanticVersion": env!("CARGO_PKG_VERSION"),
        "rules": report.rules.iter().map(rule).collect::<Vec<_>>(),
    });
    if let Some(u) = information_uri() {
        driver["informationUri"] = json!(u);
    }
    driver
}

impl Reporter for Sarif {
    fn report(&self, report: &Report, out: &mut dyn Write) -> io::Result<()> {
        serde_json::to_writer_pretty(&mut *out, &Log(report))?;
        out.write_all(b"\n")
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::sample;
    use super::*;

    #[test]
    fn results_rules_and_regions() {
        let v = sarif_log(&sample());
        assert_eq!(v["version"], "2.1.0");
        let run = &v["runs"][0];
        assert_eq!(run["columnKind"], "unicodeCodePoints");
        let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
        assert_eq!(rules[0]["id"], "microneedling/home-use");
        assert_eq!(rules[0]["name"], "MicroneedlingHomeUse");
        assert_eq!(rules[0]["defaultConfiguration"]["level"], "error");
        assert_eq!(
            rules[0]["fullDescription"]["text"],
            "What it does\nFlags *home* use."
        );
        assert!(rules[0]["help"]["markdown"]
            .as_str()
            .unwrap()
            .contains("Recommend a professional."));
        assert_eq!(rules[1]["defaultConfiguration"]["level"], "warning");

        let results = run["results"].as_array().unwrap();
        assert_eq!(results.len(), 2);
        let e = &results[1];
        assert_eq!(e["ruleId"], "microneedling/home-use");
        assert_eq!(e["ruleIndex"], 0);
        assert_eq!(results[0]["ruleIndex"], 1);
        assert_eq!(e["level"], "error");
        let loc = &e["locations"][0]["physicalLocation"];
        assert_eq!(loc["artifactLocation"]["uri"], "posts/a.md");
        assert_eq!(loc["artifactLocation"]["index"], 0);
        let r = &loc["region"];
        assert_eq!(
            (r["startLine"].as_u64(), r["startColumn"].as_u64()),
            (Some(2), Some(10))
        );
        assert_eq!(
            (r["endLine"].as_u64(), r["endColumn"].as_u64()),
            (Some(2), Some(29))
        );
        assert_eq!(r["byteOffset"], 18);
        assert_eq!(r["byteLength"], 19);
        assert_eq!(r["snippet"]["text"], "dermaroller at home");
        assert!(r.get("charOffset").is_none());
        assert_eq!(e["relatedLocations"][0]["message"]["text"], "device");
        assert_eq!(
            e["partialFingerprints"][FINGERPRINT_KEY],
            sample().files[0].fingerprints()[1]
        );
        // "Café": 4 code points, 5 bytes.
        let w = &results[0]["locations"][0]["physicalLocation"]["region"];
        assert_eq!(
            w["endColumn"].as_u64().unwrap() - w["startColumn"].as_u64().unwrap(),
            4
        );
        assert_eq!(w["byteLength"], 5);
        assert_eq!(results[0]["level"], "warning");
        assert_eq!(
            results[0]["properties"]["data"]["missing"][0],
            "active-acne"
        );

        let artifacts = run["artifacts"].as_array().unwrap();
        assert_eq!(artifacts[0]["location"]["uri"], "posts/a.md");
        assert_eq!(artifacts[1]["location"]["uri"], "posts/clean.md");
        let inv = &run["invocations"][0];
        assert_eq!(inv["executionSuccessful"], true);
        assert_eq!(inv["toolExecutionNotifications"][0]["level"], "note");
    }

    #[test]
    fn uris_are_relative_encoded_references() {
        assert_eq!(
            uri(Path::new("posts/my post#1.md")),
            "posts/my%20post%231.md"
        );
        assert_eq!(uri(Path::new("café.md")), "caf%C3%A9.md");
        assert_eq!(uri(Path::new("/srv/a b.md")), "file:///srv/a%20b.md");
    }
}
