//! Every `--format` run through the binary over the same small tree with
//! known findings, plus `--output-file`, `--statistics` and the rule docs
//! commands. Assertions are about structure and key values, not whole
//! snapshots of engine-dependent text.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use serde_json::Value;
use tempfile::TempDir;

mod common;

use common::{stderr, stdout};

/// A home-use sentence in plain text.
const HOME_TXT: &str = "Roll your derma roller over each cheek twice a week.\n";
/// Microneedling without contraindications, twice.
const NO_CONTRAS_MD: &str = "Microneedling smooths fine lines.\n\nMicroneedling fades marks.\n";
/// The home-use sentence after multibyte text on the same line.
const MULTIBYTE_TXT: &str = "Été — café : roll your derma roller over each cheek twice a week.\n";

fn write_tree(dir: &Path) {
    fs::write(dir.join("a.txt"), HOME_TXT).unwrap();
    fs::create_dir_all(dir.join("posts")).unwrap();
    fs::write(dir.join("posts/b.md"), NO_CONTRAS_MD).unwrap();
    fs::write(dir.join("posts/clean.md"), "# Glow\n\nDrink water.\n").unwrap();
    fs::write(dir.join("c.txt"), MULTIBYTE_TXT).unwrap();
}

/// A tree of its own, for a test that changes files.
fn own_tree() -> TempDir {
    let dir = TempDir::new().unwrap();
    write_tree(dir.path());
    dir
}

/// The tree most tests share (read-only), and its findings as
/// `--format json` reports them. A debug build takes a moment to compile
/// the packs, so the binary runs once per format, not once per assertion.
fn shared() -> &'static (PathBuf, Vec<Pos>) {
    static SHARED: OnceLock<(PathBuf, Vec<Pos>)> = OnceLock::new();
    SHARED.get_or_init(|| {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("formats-tree");
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        write_tree(&dir);
        let expected = json_findings(&dir);
        (dir, expected)
    })
}

fn run(dir: &Path, args: &[&str]) -> Output {
    common::run_bin(dir, args)
}

/// Runs `check --format FORMAT` over the tree; findings mean exit 1.
fn check(dir: &Path, format: &str) -> String {
    let o = run(dir, &["check", "--format", format]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    stdout(&o)
}

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}):\n{text}"))
}

/// The findings as the JSON contract reports them: (path, rule, line,
/// column, end_line, end_column, start byte, end byte).
type Pos = (String, String, u64, u64, u64, u64, u64, u64);

fn json_findings(dir: &Path) -> Vec<Pos> {
    let v = json(&check(dir, "json"));
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let s = &f["span"];
            let n = |k: &str| s[k].as_u64().unwrap();
            (
                f["path"].as_str().unwrap().to_string(),
                f["rule"].as_str().unwrap().to_string(),
                n("line"),
                n("column"),
                n("end_line"),
                n("end_column"),
                n("start"),
                n("end"),
            )
        })
        .collect()
}

#[test]
fn concise_is_one_line_per_finding_with_the_summary_on_stderr() {
    let (dir, expected) = shared();
    assert!(expected.len() >= 3, "{expected:?}");
    let o = run(dir, &["check", "--format", "concise"]);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), expected.len(), "{out}");
    for (line, (path, rule, l, c, ..)) in lines.iter().zip(expected) {
        let head = format!("{path}:{l}:{c}: ");
        assert!(line.starts_with(&head), "{line} vs {head}");
        assert!(line.contains(&format!(" [{rule}] ")), "{line}");
        let sev = &line[head.len()..line.find(" [").unwrap()];
        assert!(["error", "warning", "info"].contains(&sev), "{line}");
    }
    assert!(
        stderr(&o).contains("errors"),
        "summary on stderr: {}",
        stderr(&o)
    );
    let q = run(dir, &["check", "--format", "concise", "-q"]);
    assert_eq!(stdout(&q), out);
    assert!(!stderr(&q).contains("errors"), "{}", stderr(&q));
}

#[test]
fn sarif_validates_against_the_sarif_2_1_0_schema() {
    let (dir, expected) = shared();
    // Written with --output-file: nothing on stdout.
    let out = dir.join("out.sarif");
    let o = run(
        dir,
        &[
            "check",
            "--format",
            "sarif",
            "--output-file",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(o.stdout.is_empty());
    let log = json(&fs::read_to_string(&out).unwrap());

    let schema = json(
        &fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/data/sarif-schema-2.1.0.json"
        ))
        .unwrap(),
    );
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&log)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "schema errors: {errors:#?}");
    // The validator does catch a broken log.
    let mut broken = log.clone();
    broken["runs"][0]["results"][0]["level"] = "fatal".into();
    assert!(!validator.is_valid(&broken));

    let run0 = &log["runs"][0];
    assert_eq!(run0["columnKind"], "unicodeCodePoints");
    let driver = &run0["tool"]["driver"];
    assert_eq!(driver["name"], "beautylint");
    assert_eq!(driver["version"], env!("CARGO_PKG_VERSION"));
    let rules = driver["rules"].as_array().unwrap();
    assert!(rules.iter().any(|r| r["id"] == "microneedling/home-use"
        && r["help"]["markdown"]
            .as_str()
            .unwrap()
            .contains("## What it does")));
    let results = run0["results"].as_array().unwrap();
    assert_eq!(results.len(), expected.len());
    let mut fingerprints = std::collections::HashSet::new();
    for (r, (path, rule, l, c, el, ec, start, end)) in results.iter().zip(expected) {
        assert_eq!(&r["ruleId"], rule.as_str());
        let i = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(&rules[i]["id"], rule.as_str());
        let loc = &r["locations"][0]["physicalLocation"];
        assert_eq!(&loc["artifactLocation"]["uri"], path.as_str());
        let reg = &loc["region"];
        assert_eq!(reg["startLine"], *l);
        assert_eq!(reg["startColumn"], *c);
        assert_eq!(reg["endLine"], *el);
        assert_eq!(reg["endColumn"], *ec);
        assert_eq!(reg["byteOffset"], *start);
        assert_eq!(reg["byteLength"], end - start);
        let fp = r["partialFingerprints"]["beautylint/v1"].as_str().unwrap();
        assert!(
            fingerprints.insert(fp.to_string()),
            "duplicate fingerprint {fp}"
        );
    }
    let uris: Vec<&str> = run0["artifacts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["location"]["uri"].as_str().unwrap())
        .collect();
    assert!(
        uris.contains(&"posts/b.md") && uris.contains(&"posts/clean.md"),
        "{uris:?}"
    );
    assert_eq!(run0["invocations"][0]["executionSuccessful"], true);
}

#[test]
fn github_annotations_and_step_summary() {
    let (dir, expected) = shared();
    let tmp = TempDir::new().unwrap();
    let summary = tmp.path().join("step-summary.md");
    let o = Command::new(env!("CARGO_BIN_EXE_beautylint"))
        .current_dir(dir)
        .env("GITHUB_STEP_SUMMARY", &summary)
        .args(["check", "--format", "github", "a.txt", "posts", "c.txt"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let out = stdout(&o);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), expected.len(), "{out}");
    for (line, (path, rule, l, c, el, ec, ..)) in lines.iter().zip(expected) {
        assert!(
            line.starts_with("::error ")
                || line.starts_with("::warning ")
                || line.starts_with("::notice ")
        );
        assert!(
            line.contains(&format!(
                " file={path},line={l},endLine={el},col={c},endColumn={ec},title={rule}::"
            )),
            "{line}"
        );
    }
    let md = fs::read_to_string(&summary).unwrap();
    assert!(
        md.contains("| Severity | Location | Rule | Message |"),
        "{md}"
    );
    assert_eq!(
        md.lines()
            .filter(|l| l.starts_with("| error |") || l.starts_with("| warning |"))
            .count(),
        expected.len(),
        "{md}"
    );
}

#[test]
fn gitlab_code_quality_fingerprints_survive_line_shifts() {
    let dir = own_tree();
    let dir = dir.path();
    let before = json(&check(dir, "gitlab"));
    let issues = before.as_array().unwrap();
    assert_eq!(issues.len(), shared().1.len());
    for i in issues {
        assert!(["major", "minor", "info"].contains(&i["severity"].as_str().unwrap()));
        assert!(i["check_name"].as_str().unwrap().contains('/'));
        assert!(
            i["location"]["positions"]["begin"]["line"]
                .as_u64()
                .unwrap()
                >= 1
        );
        assert!(!i["description"].as_str().unwrap().is_empty());
    }
    let b_issues = |v: &Value| -> Vec<(String, u64)> {
        v.as_array()
            .unwrap()
            .iter()
            .filter(|i| i["location"]["path"] == "posts/b.md")
            .map(|i| {
                (
                    i["fingerprint"].as_str().unwrap().to_string(),
                    i["location"]["positions"]["begin"]["line"]
                        .as_u64()
                        .unwrap(),
                )
            })
            .collect()
    };
    fs::write(
        dir.join("posts/b.md"),
        format!("# Skin notes\n\n{NO_CONTRAS_MD}"),
    )
    .unwrap();
    let after = json(&check(dir, "gitlab"));
    let (b0, b1) = (b_issues(&before), b_issues(&after));
    assert!(!b0.is_empty());
    assert_eq!(b0.len(), b1.len());
    for ((f0, l0), (f1, l1)) in b0.iter().zip(&b1) {
        assert_eq!(f0, f1, "fingerprint changed when lines shifted");
        assert_eq!(l0 + 2, *l1);
    }
}

#[test]
fn junit_has_a_suite_per_file_and_a_failure_per_finding() {
    let (dir, expected) = shared();
    let n = expected.len();
    let x = check(dir, "junit");
    assert!(x.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites "));
    assert_eq!(x.matches("<failure ").count(), n, "{x}");
    assert_eq!(x.matches("<testsuite ").count(), 4, "{x}");
    assert!(
        x.contains(&format!("tests=\"{}\" failures=\"{n}\"", n + 1)),
        "{x}"
    );
    assert!(
        x.contains("<testsuite name=\"posts/clean.md\" tests=\"1\" failures=\"0\""),
        "{x}"
    );
    assert!(x.trim_end().ends_with("</testsuites>"));
}

#[test]
fn rdjson_columns_are_utf8_bytes() {
    let (dir, expected) = shared();
    let v = json(&check(dir, "rdjson"));
    assert_eq!(v["source"]["name"], "beautylint");
    let d = v["diagnostics"].as_array().unwrap();
    assert_eq!(d.len(), expected.len());
    for (d, (path, rule, l, c, ..)) in d.iter().zip(expected) {
        assert_eq!(&d["location"]["path"], path.as_str());
        assert_eq!(&d["code"]["value"], rule.as_str());
        assert!(["ERROR", "WARNING", "INFO"].contains(&d["severity"].as_str().unwrap()));
        assert_eq!(d["location"]["range"]["start"]["line"], *l);
        if path == "c.txt" {
            // The line is one line long: the byte column is the byte offset + 1.
            let start = d["location"]["range"]["start"]["column"].as_u64().unwrap();
            let text_before = &MULTIBYTE_TXT[..start as usize - 1];
            assert_eq!(text_before.chars().count() as u64 + 1, *c);
            if *c > 1 {
                assert!(start > *c, "bytes, not chars: {start} vs {c}");
            }
        }
    }
    let c_txt: Vec<_> = d
        .iter()
        .filter(|d| d["location"]["path"] == "c.txt")
        .collect();
    assert!(
        c_txt.iter().any(
            |d| d["location"]["range"]["start"]["column"].as_u64() > Some(1)
                || d["related_locations"][0]["location"]["range"]["start"]["column"].as_u64()
                    > Some(1)
        ),
        "no c.txt span after the multibyte text: {c_txt:?}"
    );
    // The device label in c.txt: "derma roller" at its byte offset.
    let roller = MULTIBYTE_TXT.find("derma roller").unwrap() as u64;
    assert!(
        c_txt
            .iter()
            .any(|d| d["related_locations"].as_array().is_some_and(|ls| ls
                .iter()
                .any(|l| l["location"]["range"]["start"]["column"] == roller + 1))),
        "{c_txt:?}"
    );
}

#[test]
fn checkstyle_lists_files_and_errors() {
    let (dir, expected) = shared();
    let x = check(dir, "checkstyle");
    assert!(x.contains("<checkstyle version=\"4.3\">"), "{x}");
    assert_eq!(x.matches("<error ").count(), expected.len(), "{x}");
    for (path, rule, l, c, ..) in expected {
        assert!(x.contains(&format!("<file name=\"{path}\">")), "{x}");
        assert!(
            x.contains(&format!("<error line=\"{l}\" column=\"{c}\" severity=")),
            "{x}"
        );
        assert!(x.contains(&format!("source=\"{rule}\"/>")), "{x}");
    }
    assert!(!x.contains("clean.md"));
}

#[test]
fn output_file_gets_the_report_and_stdout_stays_empty() {
    let tmp = own_tree();
    let dir = tmp.path();
    // Human output to a file is never coloured by `auto`.
    let o = run(dir, &["check", "-o", "out.txt"]);
    assert_eq!(o.status.code(), Some(1));
    let text = fs::read_to_string(dir.join("out.txt")).unwrap();
    assert!(text.contains("microneedling/home-use") && !text.contains('\x1b'));
    // An unwritable output file is exit 2 with a message.
    let o = run(dir, &["check", "-o", "no/such/dir/out.json"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("cannot write no/such/dir/out.json"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn statistics_counts_findings_per_rule() {
    let (dir, expected) = shared();
    let o = run(dir, &["check", "--statistics"]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "exit code still follows --fail-on"
    );
    let out = stdout(&o);
    let mut total = 0;
    for line in out.lines() {
        let cols: Vec<&str> = line.split_whitespace().collect();
        let n: usize = cols[0].parse().unwrap();
        let rule = cols[1];
        assert_eq!(n, expected.iter().filter(|f| f.1 == rule).count(), "{line}");
        assert!(["error", "warning", "info"].contains(&cols[2]), "{line}");
        assert!(cols.len() > 3, "summary missing: {line}");
        total += n;
    }
    assert_eq!(total, expected.len(), "{out}");
}

#[test]
fn rules_lists_aligned_and_rule_prints_docs() {
    let o = run(Path::new("."), &["rules"]);
    assert_eq!(o.status.code(), Some(0));
    let out = stdout(&o);
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines.len() >= 6, "{out}");
    // Every line: id, severity and summary, the severity in one column.
    let col = lines[0].find("  error").unwrap();
    for l in &lines {
        let sev = l[col..].trim_start().split(' ').next().unwrap();
        assert!(["error", "warning", "info"].contains(&sev), "{l}");
        assert!(l.len() > col + 10, "{l}");
    }
    assert!(lines
        .iter()
        .any(|l| l.starts_with("microneedling/home-use ")));

    let o = run(Path::new("."), &["rule", "microneedling/home-use"]);
    assert_eq!(o.status.code(), Some(0));
    let doc = stdout(&o);
    assert!(doc.starts_with("# microneedling/home-use\n"), "{doc}");
    assert!(doc.contains("Default severity: error"), "{doc}");
    assert!(doc.contains("## What it does"), "{doc}");
    assert!(doc.contains("Help: "), "{doc}");
}
