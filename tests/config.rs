//! End-to-end tests of config files, inline suppressions, baselines and
//! stdin, on the built binary in temporary folders.

use std::fs;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use serde_json::Value;
use tempfile::TempDir;

const HOME_USE: &str = "Roll your derma roller over each cheek twice a week.\n";
const PAGE: &str = "Microneedling smooths fine lines.\n\nMicroneedling fades marks.\n";

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_beautylint"));
    c.env_remove("NO_COLOR");
    c
}

fn run_in(dir: &Path, args: &[&str]) -> Output {
    bin().current_dir(dir).args(args).output().unwrap()
}

fn run_stdin(dir: &Path, args: &[&str], input: &str) -> Output {
    let mut child = bin()
        .current_dir(dir)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

fn code(o: &Output) -> i32 {
    o.status.code().expect("exited normally")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn write(dir: &Path, name: &str, text: &str) {
    let p = dir.join(name);
    fs::create_dir_all(p.parent().unwrap()).unwrap();
    fs::write(p, text).unwrap();
}

/// `(path, rule, severity)` of each finding of a JSON run.
fn findings(o: &Output) -> Vec<(String, String, String)> {
    let v: Value = serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\n{}",
            String::from_utf8_lossy(&o.stdout),
            stderr(o)
        )
    });
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                f["rule"].as_str().unwrap().to_string(),
                f["severity"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn rules_of(o: &Output, path: &str) -> Vec<String> {
    findings(o)
        .into_iter()
        .filter(|f| f.0 == path)
        .map(|f| f.1)
        .collect()
}

fn check_json(dir: &Path, extra: &[&str]) -> Output {
    let mut args = vec!["check", "--format", "json"];
    args.extend(extra);
    run_in(dir, &args)
}

#[test]
fn nearest_config_wins_and_extend_inherits() {
    let dir = TempDir::new().unwrap();
    let d = dir.path();
    write(d, "a.md", PAGE);
    write(d, "posts/b.md", PAGE);
    write(d, "posts/deep/c.md", PAGE);
    write(
        d,
        "beautylint.toml",
        "ignore = [\"microneedling/no-professional\"]\n",
    );
    write(
        d,
        "posts/beautylint.toml",
        "extend = \"../beautylint.toml\"\n[severity]\n\"microneedling/missing-contraindications\" = \"warning\"\n",
    );
    let o = check_json(d, &[]);
    let all = findings(&o);
    assert!(
        all.contains(&(
            "a.md".into(),
            "microneedling/missing-contraindications".into(),
            "error".into()
        )),
        "{all:?}"
    );
    for p in ["posts/b.md", "posts/deep/c.md"] {
        assert!(all.contains(&(
            p.into(),
            "microneedling/missing-contraindications".into(),
            "warning".into()
        )));
    }
    // The ignore is inherited through `extend`.
    assert!(!all.iter().any(|f| f.1 == "microneedling/no-professional"));
    // `config PATH` lists both files, the extended one first.
    let o = run_in(d, &["config", "posts/deep/c.md"]);
    let out = String::from_utf8_lossy(&o.stdout);
    let base = out.find(&format!("{}", d.join("beautylint.toml").display()));
    let posts = out.find("posts/beautylint.toml");
    assert!(base.is_some() && posts.is_some() && base < posts, "{out}");
    assert!(
        out.contains("\"microneedling/no-professional\" = \"off\""),
        "{out}"
    );
    assert!(out.contains("\"microneedling/missing-contraindications\" = \"warning\""));
}

#[test]
fn explicit_config_and_isolated() {
    let dir = TempDir::new().unwrap();
    let d = dir.path();
    write(d, "a.md", PAGE);
    write(
        d,
        "beautylint.toml",
        "select = [\"microneedling/no-professional\"]\n",
    );
    write(d, "other.toml", "ignore = [\"microneedling\"]\n");
    assert_eq!(
        rules_of(&check_json(d, &[]), "a.md"),
        ["microneedling/no-professional"]
    );
    let o = check_json(d, &["--config", "other.toml"]);
    assert!(findings(&o).is_empty());
    assert_eq!(code(&o), 0);
    let o = check_json(d, &["--isolated"]);
    assert_eq!(
        rules_of(&o, "a.md"),
        [
            "microneedling/missing-contraindications",
            "microneedling/no-professional"
        ]
    );
}

#[test]
fn select_ignore_severity_and_overrides() {
    let dir = TempDir::new().unwrap();
    let d = dir.path();
    write(d, "a.txt", HOME_USE);
    write(d, "reviews/r.txt", HOME_USE);
    write(
        d,
        "beautylint.toml",
        "select = [\"microneedling\"]\nignore = [\"microneedling/missing-contraindications\"]\n\
         [severity]\n\"microneedling/no-professional\" = \"error\"\n\
         [[overrides]]\nfiles = [\"reviews/**\"]\nignore = [\"microneedling/home-use\"]\n\
         severity = { \"microneedling/no-professional\" = \"off\" }\n",
    );
    let o = check_json(d, &[]);
    let all = findings(&o);
    assert_eq!(
        all,
        [
            (
                "a.txt".to_string(),
                "microneedling/home-use".to_string(),
                "error".to_string()
            ),
            (
                "a.txt".into(),
                "microneedling/no-professional".into(),
                "error".into()
            ),
        ]
    );
}

#[test]
fn fail_on_max_file_size_and_exclude_from_config() {
    let dir = TempDir::new().unwrap();
    let d = dir.path();
    write(d, "a.md", PAGE);
    write(d, "drafts/x.md", PAGE);
    write(d, "big.md", &format!("{PAGE}{}", " ".repeat(500)));
    write(
        d,
        "beautylint.toml",
        "fail-on = \"warning\"\nexclude = [\"drafts/\"]\nmax-file-size = 200\n\
         ignore = [\"microneedling/missing-contraindications\"]\n",
    );
    let o = check_json(d, &[]);
    // Only a warning is left, and fail-on = warning makes it fail.
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(!v.to_string().contains("drafts"), "{v}");
    let skipped = v["summary"]["skipped"].to_string();
    assert!(skipped.contains("big.md") && skipped.contains("max-file-size"));
    // The command line wins.
    let o = check_json(d, &["--fail-on", "error"]);
    assert_eq!(code(&o), 0);
    let o = check_json(d, &["--max-file-size", "100000"]);
    assert!(rules_of(&o, "big.md").contains(&"microneedling/no-professional".to_string()));
    // A file named on the command line is linted even when excluded.
    let o = check_json(d, &["drafts/x.md"]);
    assert_eq!(
        rules_of(&o, "drafts/x.md"),
        ["microneedling/no-professional"]
    );
}

#[test]
fn html_content_selector_and_require() {
    let dir = TempDir::new().unwrap();
    let d = dir.path();
    write(
        d,
        "p.html",
        "<body><div class=post-body><p>Roll your derma roller over each cheek twice a week.</p></div>\
         <div class=comments><p>Microneedling at home is fine.</p></div></body>",
    );
    write(
        d,
        "beautylint.toml",
        "[html]\ncontent = [\".comments\"]\n[contraindications]\nrequire = [\"pregnancy\", \"active_acne\"]\n",
    );
    let o = check_json(d, &[]);
    assert!(!rules_of(&o, "p.html").contains(&"microneedling/home-use".to_string()));
    let o = run_in(d, &["config", "p.html"]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("require = [\"pregnancy\", \"active_acne\"]"),
        "{out}"
    );
    assert!(out.contains("content = [\".comments\"]"), "{out}");
    write(
        d,
        "beautylint.toml",
        "[html]\ncontent = [\"div.post-body\"]\n",
    );
    let o = check_json(d, &[]);
    assert!(rules_of(&o, "p.html").contains(&"microneedling/home-use".to_string()));
    // A bad category in the config points into it.
    write(
        d,
        "beautylint.toml",
        "[contraindications]\nrequire = [\"pregnancyy\"]\n",
    );
    let o = run_in(d, &["check", "--color", "never"]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("pregnancyy"), "{}", stderr(&o));
    assert!(stderr(&o).contains("beautylint.toml:2"), "{}", stderr(&o));
}

#[test]
fn unknown_key_and_bad_values_are_errors_pointing_into_the_file() {
    let dir = TempDir::new().unwrap();
    let d = dir.path();
    write(d, "a.md", PAGE);
    for (toml, needle, line) in [
        ("fail-on = \"error\"\nbogus-key = 1\n", "bogus-key", ":2:1"),
        ("fail-on = \"loud\"\n", "loud", ":1:11"),
        (
            "ignore = [\"microneedling/home-us\"]\n",
            "microneedling/home-use",
            ":1:11",
        ),
        (
            "[html]\ncontent = [\"a > b\"]\n",
            "unsupported selector",
            ":2:12",
        ),
        ("exclude = [\"a[\"]\n", "invalid glob", ":1:12"),
        ("extend = \"beautylint.toml\"\n", "cycle", ":1:10"),
    ] {
        write(d, "beautylint.toml", toml);
        let o = run_in(d, &["check", "--color", "never"]);
        let e = stderr(&o);
        assert_eq!(code(&o), 2, "{toml}: {e}");
        assert!(e.contains(needle), "{toml}: {e}");
        assert!(e.contains(&format!("beautylint.toml{line}")), "{toml}: {e}");
        assert!(o.stdout.is_empty());
    }
}

#[test]
fn init_writes_a_starter_and_refuses_to_overwrite() {
    let dir = TempDir::new().unwrap();
    let d = dir.path();
    let o = run_in(d, &["init"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let text = fs::read_to_string(d.join("beautylint.toml")).unwrap();
    assert!(text.contains("fail-on"));
    write(d, "beautylint.toml", "# mine\n");
    assert_eq!(code(&run_in(d, &["init"])), 2);
    assert_eq!(
        fs::read_to_string(d.join("beautylint.toml")).unwrap(),
        "# mine\n"
    );
    assert_eq!(code(&run_in(d, &["init", "--force"])), 0);
    write(d, "a.md", PAGE);
    // The starter is a valid config.
    assert_eq!(code(&check_json(d, &[])), 1);
}

#[test]
fn every_suppression_form() {
    let dir = TempDir::new().unwrap();
    let d = dir.path();
    let next_line = format!(
        "<!-- beautylint-disable-next-line microneedling/home-use -- quoting a reader -->\n\n{HOME_USE}\n\
         Pregnancy, blood thinners, active acne: ask a dermatologist.\n"
    );
    write(d, "next.md", &next_line);
    write(
        d,
        "range.md",
        &format!("<!-- beautylint-disable microneedling -->\n{PAGE}<!-- beautylint-enable microneedling -->\n"),
    );
    write(
        d,
        "file.html",
        &format!("<!-- beautylint-disable-file microneedling/no-professional, microneedling/missing-contraindications -->\n<p>{PAGE}</p>"),
    );
    write(
        d,
        "front.md",
        &format!("---\ntitle: x\nbeautylint: {{ disable: [microneedling] }}\n---\n{PAGE}"),
    );
    write(
        d,
        "block.md",
        &format!("---\nbeautylint:\n  disable:\n    - microneedling/no-professional\n    - microneedling/missing-contraindications\n---\n{PAGE}"),
    );
    write(
        d,
        "all.md",
        &format!("<!-- beautylint-disable-file -->\n{PAGE}"),
    );
    write(
        d,
        "code.md",
        &format!("```\n<!-- beautylint-disable-file -->\n```\n\n{PAGE}"),
    );
    write(
        d,
        "plain.txt",
        &format!("<!-- beautylint-disable-file -->\n{PAGE}"),
    );
    let o = check_json(d, &[]);
    let all = findings(&o);
    for p in ["range.md", "file.html", "front.md", "block.md", "all.md"] {
        assert!(rules_of(&o, p).is_empty(), "{p}: {all:?}");
    }
    assert!(!rules_of(&o, "next.md").contains(&"microneedling/home-use".to_string()));
    // Comments in code blocks and in plain text are not directives.
    for p in ["code.md", "plain.txt"] {
        assert!(
            rules_of(&o, p).contains(&"microneedling/missing-contraindications".to_string()),
            "{p}: {all:?}"
        );
    }
    // --no-inline-config turns them all off.
    let o = check_json(d, &["--no-inline-config"]);
    for p in ["range.md", "file.html", "front.md", "block.md", "all.md"] {
        assert!(
            rules_of(&o, p).contains(&"microneedling/no-professional".to_string()),
            "{p}"
        );
    }
    assert!(rules_of(&o, "next.md").contains(&"microneedling/home-use".to_string()));
}

#[test]
fn unused_suppressions_are_reported() {
    let dir = TempDir::new().unwrap();
    let d = dir.path();
    write(
        d,
        "a.md",
        "<!-- beautylint-disable-next-line microneedling/home-use -->\nDrink water.\n\n\
         <!-- beautylint-disable-file no-such/rule -->\n",
    );
    let o = check_json(d, &[]);
    assert_eq!(
        findings(&o),
        [
            (
                "a.md".to_string(),
                "suppression/unused".to_string(),
                "warning".to_string()
            ),
            ("a.md".into(), "suppression/unused".into(), "warning".into()),
        ]
    );
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["findings"][0]["span"]["line"], 1);
    assert!(v["findings"][1]["message"]
        .as_str()
        .unwrap()
        .contains("unknown rule or pack `no-such/rule`"));
    // Warnings do not fail by default; the rule can be turned off.
    assert_eq!(code(&o), 0);
    write(
        d,
        "beautylint.toml",
        "[severity]\n\"suppression/unused\" = \"off\"\n",
    );
    assert!(findings(&check_json(d, &[])).is_empty());
}

#[test]
fn baseline_round_trip() {
    let dir = TempDir::new().unwrap();
    let d = dir.path();
    write(d, "a.txt", HOME_USE);
    write(d, "b.md", PAGE);
    let o = check_json(d, &["--write-baseline", "baseline.json"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(findings(&o).is_empty());
    let b: Value =
        serde_json::from_str(&fs::read_to_string(d.join("baseline.json")).unwrap()).unwrap();
    assert_eq!(b["version"], 1);
    let entries = b["entries"].as_array().unwrap();
    assert!(entries.len() >= 3, "{b}");
    for e in entries {
        for k in ["rule", "path", "fingerprint", "message"] {
            assert!(e[k].is_string(), "{e}");
        }
    }
    let o = check_json(d, &["--baseline", "baseline.json"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(findings(&o).is_empty());
    assert!(stderr(&o).contains("in the baseline"), "{}", stderr(&o));
    // Lines inserted above: still baselined.
    write(d, "a.txt", &format!("Intro.\n\nMore intro.\n\n{HOME_USE}"));
    let o = check_json(d, &["--baseline", "baseline.json"]);
    assert!(findings(&o).is_empty(), "{:?}", findings(&o));
    // A new problem is reported.
    write(
        d,
        "a.txt",
        &format!("Intro.\n\n{HOME_USE}\nPress the derma pen into your forehead at home.\n"),
    );
    let o = check_json(d, &["--baseline", "baseline.json"]);
    assert_eq!(code(&o), 1);
    assert_eq!(rules_of(&o, "a.txt"), ["microneedling/home-use"]);
    // The human summary notes the baselined findings.
    let o = run_in(
        d,
        &["check", "--color", "never", "--baseline", "baseline.json"],
    );
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("finding(s) in the baseline were not reported"),
        "{out}"
    );
    // A missing baseline is an error.
    assert_eq!(code(&check_json(d, &["--baseline", "nope.json"])), 2);
}

#[test]
fn stdin_with_and_without_a_filename() {
    let dir = TempDir::new().unwrap();
    let d = dir.path();
    write(
        d,
        "drafts/beautylint.toml",
        "ignore = [\"microneedling/no-professional\"]\n",
    );
    let md = "<!-- beautylint-disable-next-line microneedling/home-use -->\nRoll your derma roller over each cheek twice a week.\n";
    let args = ["check", "--format", "json", "-", "--stdin-filename"];
    let o = run_stdin(d, &[&args[..], &["drafts/x.md"]].concat(), md);
    assert_eq!(
        rules_of(&o, "drafts/x.md"),
        ["microneedling/missing-contraindications"],
        "{}",
        stderr(&o)
    );
    // As text, the comment is not a suppression.
    let o = run_stdin(d, &[&args[..], &["drafts/x.txt"]].concat(), md);
    assert_eq!(
        rules_of(&o, "drafts/x.txt"),
        [
            "microneedling/home-use",
            "microneedling/missing-contraindications"
        ]
    );
    // No name: `-`, plain text, the config of the current folder.
    let o = run_stdin(d, &["check", "--format", "json", "-"], HOME_USE);
    assert!(rules_of(&o, "-").contains(&"microneedling/no-professional".to_string()));
    assert_eq!(code(&o), 1);
}
