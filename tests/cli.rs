//! End-to-end tests of the `beautylint` binary: exit codes, the JSON
//! contract, skipped files, ordering, pipes and colour.

use std::fs;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use serde_json::Value;
use tempfile::TempDir;

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_beautylint"));
    c.env_remove("NO_COLOR");
    c
}

fn run_in(dir: &Path, args: &[&str]) -> Output {
    bin().current_dir(dir).args(args).output().unwrap()
}

fn code(o: &Output) -> i32 {
    o.status.code().expect("exited normally")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn json(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not one JSON document ({e}):\n{}",
            String::from_utf8_lossy(&o.stdout)
        )
    })
}

/// A directory with two clean articles.
fn articles() -> TempDir {
    let dir = TempDir::new().unwrap();
    fs::write(dir.path().join("a.md"), "# Glow\n\nDrink water.\n").unwrap();
    fs::create_dir(dir.path().join("posts")).unwrap();
    fs::write(dir.path().join("posts/b.html"), "<p>Sunscreen daily.</p>").unwrap();
    dir
}

fn skipped(v: &Value) -> Vec<(String, String)> {
    v["summary"]["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["path"].as_str().unwrap().to_string(),
                s["reason"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn clean_run_exits_0_with_documented_json_shape() {
    let dir = articles();
    let o = run_in(dir.path(), &["check", "--format", "json"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let v = json(&o);
    assert_eq!(v["version"], 1);
    assert_eq!(v["tool"]["name"], "beautylint");
    assert_eq!(v["tool"]["version"], env!("CARGO_PKG_VERSION"));
    assert!(v["findings"].is_array());
    let s = &v["summary"];
    for key in [
        "files_checked",
        "files_with_findings",
        "errors",
        "warnings",
        "infos",
        "skipped",
    ] {
        assert!(!s[key].is_null(), "summary.{key} missing: {v}");
    }
    assert_eq!(s["files_checked"], 2);
}

#[test]
fn default_human_output_has_summary() {
    let dir = articles();
    let o = run_in(dir.path(), &["check"]);
    assert_eq!(code(&o), 0);
    let out = String::from_utf8(o.stdout).unwrap();
    assert!(
        out.contains("0 errors, 0 warnings in 0 files (2 files checked)"),
        "{out}"
    );
}

#[test]
fn missing_path_exits_2_and_is_listed() {
    let dir = articles();
    let o = run_in(
        dir.path(),
        &["check", "--format", "json", "nope.md", "a.md"],
    );
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("nope.md"), "{}", stderr(&o));
    let v = json(&o);
    // The other file was still linted.
    assert_eq!(v["summary"]["files_checked"], 1);
    assert_eq!(skipped(&v)[0].0, "nope.md");
}

#[test]
fn bad_pack_path_exits_2_with_diagnostic() {
    let dir = articles();
    let o = run_in(dir.path(), &["check", "--pack", "missing.toml"]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("missing.toml"), "{}", stderr(&o));
    assert!(o.stdout.is_empty());
}

#[test]
fn usage_errors_exit_2() {
    let o = bin().args(["check", "--format", "xml"]).output().unwrap();
    assert_eq!(code(&o), 2);
    let o = bin()
        .args(["check", "--fail-on", "fatal"])
        .output()
        .unwrap();
    assert_eq!(code(&o), 2);
    let o = bin().arg("frobnicate").output().unwrap();
    assert_eq!(code(&o), 2);
}

#[test]
fn help_has_examples_and_version_works() {
    for args in [&["--help"][..], &["check", "--help"]] {
        let o = bin().args(args).output().unwrap();
        assert_eq!(code(&o), 0);
        let out = String::from_utf8(o.stdout).unwrap();
        assert!(out.contains("Examples:"), "{out}");
        assert!(out.contains("beautylint check"), "{out}");
    }
    let o = bin().arg("--version").output().unwrap();
    assert_eq!(code(&o), 0);
    assert!(String::from_utf8(o.stdout)
        .unwrap()
        .contains(env!("CARGO_PKG_VERSION")));
}

#[cfg(unix)]
#[test]
fn unreadable_files_are_errors_but_the_run_goes_on() {
    use std::os::unix::fs::{symlink, PermissionsExt};
    let dir = articles();
    symlink("nowhere", dir.path().join("ghost.md")).unwrap();
    let locked = dir.path().join("locked.md");
    fs::write(&locked, "secret").unwrap();
    fs::set_permissions(&locked, fs::Permissions::from_mode(0o000)).unwrap();
    // Root reads anything; only assert on `locked.md` when we cannot.
    let root_can_read = fs::read(&locked).is_ok();

    let o = run_in(dir.path(), &["check", "--format", "json"]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    let v = json(&o);
    let sk = skipped(&v);
    assert!(sk.iter().any(|(p, _)| p == "ghost.md"), "{sk:?}");
    assert!(stderr(&o).contains("ghost.md"));
    if root_can_read {
        assert_eq!(v["summary"]["files_checked"], 3);
    } else {
        assert!(sk.iter().any(|(p, _)| p == "locked.md"), "{sk:?}");
        assert!(stderr(&o).contains("locked.md"));
        assert_eq!(v["summary"]["files_checked"], 2);
    }
    fs::set_permissions(&locked, fs::Permissions::from_mode(0o644)).unwrap();
}

#[cfg(unix)]
#[test]
fn symlink_loops_are_errors_not_panics() {
    let dir = articles();
    std::os::unix::fs::symlink("..", dir.path().join("posts/up")).unwrap();
    let o = run_in(dir.path(), &["check", "--format", "json"]);
    assert_eq!(code(&o), 2);
    assert!(!stderr(&o).contains("panicked"));
    let v = json(&o);
    assert_eq!(v["summary"]["files_checked"], 2);
    assert!(skipped(&v).iter().any(|(_, r)| r.contains("loop")));
}

#[test]
fn binary_and_oversize_files_are_skipped_with_reasons() {
    let dir = articles();
    fs::write(dir.path().join("image.md"), b"PNG\0\0\x01binary").unwrap();
    fs::write(dir.path().join("big.txt"), "x".repeat(200)).unwrap();
    fs::write(dir.path().join("wide.txt"), b"\xff\xfeh\0i\0").unwrap();
    let o = run_in(
        dir.path(),
        &["check", "--format", "json", "--max-file-size", "100"],
    );
    // Skipping is not an error.
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let v = json(&o);
    let sk = skipped(&v);
    assert_eq!(sk.len(), 3, "{sk:?}");
    assert_eq!(sk[0].0, "big.txt");
    assert!(sk[0].1.contains("larger than"), "{sk:?}");
    assert_eq!(sk[1], ("image.md".into(), "binary file".into()));
    assert_eq!(
        sk[2],
        ("wide.txt".into(), "UTF-16 text is not supported".into())
    );
    assert_eq!(v["summary"]["files_checked"], 2);

    let o = run_in(dir.path(), &["check", "--max-file-size", "100"]);
    let out = String::from_utf8(o.stdout).unwrap();
    assert!(out.contains("skipped image.md: binary file"), "{out}");
    assert!(out.contains("3 skipped"), "{out}");
}

#[test]
fn invalid_utf8_is_linted_with_a_warning() {
    let dir = TempDir::new().unwrap();
    fs::write(dir.path().join("latin1.md"), b"Caf\xe9 roller at home\n").unwrap();
    let o = run_in(dir.path(), &["check", "--format", "json"]);
    assert_eq!(code(&o), 0);
    assert!(stderr(&o).contains("latin1.md"), "{}", stderr(&o));
    assert!(stderr(&o).contains("not valid UTF-8"), "{}", stderr(&o));
    let v = json(&o);
    assert_eq!(v["summary"]["files_checked"], 1);
    assert!(skipped(&v).is_empty());
}

#[test]
fn walk_honours_ignore_files_hidden_and_extensions() {
    let dir = TempDir::new().unwrap();
    let p = dir.path();
    for f in [
        "keep.md",
        "UPPER.MD",
        "page.Htm",
        "notes.txt",
        "x.mdx",
        "ignored-git.md",
        "ignored-bl.md",
        ".hidden.md",
        "code.rs",
    ] {
        fs::write(p.join(f), "text").unwrap();
    }
    fs::write(p.join(".gitignore"), "ignored-git.md\n").unwrap();
    fs::write(p.join(".beautylintignore"), "ignored-bl.md\n").unwrap();
    let o = run_in(p, &["check", "--format", "json"]);
    assert_eq!(json(&o)["summary"]["files_checked"], 5);
    // A file named on the command line is linted whatever its extension.
    let o = run_in(
        p,
        &["check", "--format", "json", "code.rs", "ignored-git.md"],
    );
    assert_eq!(json(&o)["summary"]["files_checked"], 2);
}

#[test]
fn output_order_is_stable() {
    let dir = TempDir::new().unwrap();
    for i in 0..40 {
        let name = format!("d{}/f{i:02}.md", i % 4);
        let path = dir.path().join(&name);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        // Binary files, so each shows up in the (sorted) skipped list.
        fs::write(path, b"\0bin").unwrap();
    }
    let first = run_in(dir.path(), &["check", "--format", "json", "-j", "2"]);
    let paths: Vec<String> = skipped(&json(&first)).into_iter().map(|s| s.0).collect();
    let mut sorted = paths.clone();
    sorted.sort();
    assert_eq!(paths, sorted);
    assert_eq!(paths.len(), 40);
    for _ in 0..3 {
        let again = run_in(dir.path(), &["check", "--format", "json", "-j", "2"]);
        assert_eq!(again.stdout, first.stdout);
    }
}

#[test]
fn jsonl_ends_with_summary_line() {
    let dir = articles();
    let o = run_in(dir.path(), &["check", "--format", "jsonl"]);
    assert_eq!(code(&o), 0);
    let out = String::from_utf8(o.stdout).unwrap();
    let last: Value = serde_json::from_str(out.lines().last().unwrap()).unwrap();
    assert_eq!(last["summary"]["files_checked"], 2);
}

#[test]
fn quiet_prints_only_the_summary() {
    let dir = articles();
    fs::write(dir.path().join("bin.md"), b"\0").unwrap();
    let o = run_in(dir.path(), &["check", "--quiet"]);
    let out = String::from_utf8(o.stdout).unwrap();
    assert_eq!(out.lines().count(), 1, "{out}");
}

#[test]
fn broken_pipe_exits_0_quietly() {
    let dir = TempDir::new().unwrap();
    for i in 0..200 {
        fs::write(dir.path().join(format!("f{i:03}.md")), b"\0").unwrap();
    }
    let mut child = bin()
        .current_dir(dir.path())
        .args(["check"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Like `| head -0`: the reader goes away before anything is written.
    drop(child.stdout.take());
    let o = child.wait_with_output().unwrap();
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(!stderr(&o).contains("panicked"), "{}", stderr(&o));
}

#[cfg(target_os = "linux")]
#[test]
fn full_disk_is_a_clear_error() {
    let dir = articles();
    let full = fs::File::create("/dev/full").unwrap();
    let o = bin()
        .current_dir(dir.path())
        .args(["check", "--format", "json"])
        .stdout(full)
        .output()
        .unwrap();
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("cannot write output"), "{}", stderr(&o));
    assert!(!stderr(&o).contains("panicked"));
}

#[test]
fn colour_follows_the_flag_and_no_color() {
    let dir = articles();
    let o = run_in(dir.path(), &["check", "--color", "never"]);
    assert!(!o.stdout.contains(&0x1b));
    let o = run_in(dir.path(), &["check", "--color", "always"]);
    assert!(o.stdout.contains(&0x1b));
    // auto: not a terminal here, and NO_COLOR set: never colour.
    let o = bin()
        .current_dir(dir.path())
        .env("NO_COLOR", "1")
        .args(["check", "--color", "auto"])
        .output()
        .unwrap();
    assert!(!o.stdout.contains(&0x1b));
    assert!(!o.stderr.contains(&0x1b));
}

#[test]
fn rules_commands() {
    let o = bin().arg("rules").output().unwrap();
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let o = bin().args(["rule", "no/such-rule"]).output().unwrap();
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("no/such-rule"));
}

/// `--format json`/`jsonl` on stdout are written as the run goes, in path
/// order; `--output-file` goes through the collected report. Both must be
/// the same bytes with the same exit code, errors and skipped files included.
#[test]
fn streamed_json_is_the_collected_report_byte_for_byte() {
    let dir = TempDir::new().unwrap();
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let tree = dir.path().join("tree");
    fs::create_dir(&tree).unwrap();
    for sub in ["md", "html", "txt"] {
        let to = tree.join(sub);
        fs::create_dir(&to).unwrap();
        for e in fs::read_dir(fixtures.join(sub)).unwrap().flatten() {
            fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
    fs::write(tree.join("bin.md"), b"\0\x01binary").unwrap();
    for format in ["json", "jsonl"] {
        let streamed = run_in(
            dir.path(),
            &["check", "--format", format, "tree", "-j", "3"],
        );
        let out = dir.path().join(format!("out.{format}"));
        let collected = run_in(
            dir.path(),
            &[
                "check",
                "--format",
                format,
                "tree",
                "--output-file",
                out.to_str().unwrap(),
            ],
        );
        assert_eq!(code(&streamed), 1, "{}", stderr(&streamed));
        assert_eq!(code(&streamed), code(&collected));
        assert_eq!(
            String::from_utf8_lossy(&streamed.stdout),
            fs::read_to_string(&out).unwrap(),
            "{format}"
        );
    }
    let v = json(&run_in(dir.path(), &["check", "--format", "json", "tree"]));
    let paths: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    let mut sorted = paths.clone();
    sorted.sort();
    assert_eq!(paths, sorted, "findings in path order");
    assert_eq!(skipped(&v).len(), 1);
}

/// A bad config file in a subfolder stops a streamed run before anything is
/// written: stdout stays empty rather than half a document.
#[test]
fn streamed_json_with_a_bad_config_writes_nothing() {
    let dir = articles();
    fs::write(dir.path().join("posts/beautylint.toml"), "select = 3\n").unwrap();
    let o = run_in(dir.path(), &["check", "--format", "json", "."]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(
        o.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    assert!(stderr(&o).contains("beautylint.toml"), "{}", stderr(&o));
}

/// A file named twice, or named and walked, is linted and reported once, in
/// the streamed JSON and in the collected formats alike.
#[test]
fn a_file_named_twice_is_reported_once() {
    let dir = articles();
    fs::write(
        dir.path().join("posts/c.md"),
        "# Routine\n\nRoll the derma roller over your face at home twice a week.\n",
    )
    .unwrap();
    let args = ["posts/c.md", "./posts/c.md", "posts", "."];
    for format in ["json", "concise"] {
        let mut all = vec!["check", "--format", format];
        all.extend(args);
        let o = run_in(dir.path(), &all);
        assert_eq!(code(&o), 1, "{}", stderr(&o));
        let text = String::from_utf8_lossy(&o.stdout);
        let hits = text.matches("home-use").count();
        assert_eq!(hits, 1, "{format}: {text}");
    }
    let v = json(&run_in(
        dir.path(),
        &[
            "check",
            "--format",
            "json",
            "posts/c.md",
            "./posts/c.md",
            ".",
        ],
    ));
    assert_eq!(v["summary"]["files_checked"], 3);
}

#[test]
fn stop_after_does_the_work_up_to_a_stage_and_reports_nothing() {
    // The benchmark's floors: a firing article is read (and parsed), counted
    // as checked, and no rule runs; a normal run of the same files fires.
    let dir = articles();
    fs::write(
        dir.path().join("home.md"),
        "# My routine\n\nI roll my 0.5 mm derma roller at home every Sunday night.\n",
    )
    .unwrap();
    let full = run_in(dir.path(), &["check", "--format", "json"]);
    assert_eq!(code(&full), 1, "{}", stderr(&full));
    assert!(!json(&full)["findings"].as_array().unwrap().is_empty());
    for stage in ["read", "parse"] {
        let o = run_in(
            dir.path(),
            &["check", "--format", "json", "--stop-after", stage],
        );
        assert_eq!(code(&o), 0, "{stage}: {}", stderr(&o));
        let v = json(&o);
        assert_eq!(v["findings"].as_array().unwrap().len(), 0, "{stage}: {v}");
        assert_eq!(v["summary"]["files_checked"], 3, "{stage}: {v}");
    }
    let help = run_in(dir.path(), &["check", "--help"]);
    assert!(!String::from_utf8_lossy(&help.stdout).contains("stop-after"));
}
