//! Hostile input, one test per class: no panic, a clear message naming the
//! file and the reason, every other file still linted and reported, and the
//! documented exit code (0 clean, 1 findings, 2 an I/O or pack error).
//! Each test runs the built binary on a tempdir holding the bad input next
//! to `good.md`, an article with a `home-use` finding.

use std::fs;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use serde_json::Value;
use tempfile::TempDir;

const GOOD: &str = "# Routine\n\nRoll the derma roller over your face at home twice a week.\n";

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_beautylint"))
}

fn run(dir: &Path, args: &[&str]) -> Output {
    bin().current_dir(dir).args(args).output().unwrap()
}

fn json(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not one JSON document ({e}):\n{}\nstderr: {}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        )
    })
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A dir with `good.md` and one bad file written by `make`.
fn with_good(make: impl FnOnce(&Path)) -> TempDir {
    let dir = TempDir::new().unwrap();
    fs::write(dir.path().join("good.md"), GOOD).unwrap();
    make(dir.path());
    dir
}

/// Runs `check --format json .`, checks good.md was reported, returns the JSON.
fn check(dir: &Path, extra: &[&str], want_code: i32) -> (Value, String) {
    let mut args = vec!["check", "--format", "json"];
    args.extend_from_slice(extra);
    args.push(".");
    let o = run(dir, &args);
    let v = json(&o);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(want_code), "stderr: {err}\n{v:#}");
    assert!(!err.contains("panicked"), "{err}");
    let good: Vec<_> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["path"] == "good.md" && f["rule"] == "microneedling/home-use")
        .collect();
    assert_eq!(good.len(), 1, "good.md not reported: {v:#}");
    (v, err)
}

fn skipped(v: &Value, path: &str) -> Option<String> {
    v["summary"]["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["path"] == path)
        .map(|s| s["reason"].as_str().unwrap().to_string())
}

fn checked(v: &Value) -> u64 {
    v["summary"]["files_checked"].as_u64().unwrap()
}

#[test]
fn empty_file_is_checked_and_clean() {
    let d = with_good(|p| fs::write(p.join("empty.md"), "").unwrap());
    let (v, _) = check(d.path(), &[], 1);
    assert_eq!(checked(&v), 2);
    assert_eq!(skipped(&v, "empty.md"), None);
}

#[test]
fn bom_only_file_is_checked_and_clean() {
    let d = with_good(|p| fs::write(p.join("bom.html"), b"\xef\xbb\xbf").unwrap());
    let (v, _) = check(d.path(), &[], 1);
    assert_eq!(checked(&v), 2);
}

#[test]
fn binary_file_is_skipped_with_reason() {
    let d = with_good(|p| fs::write(p.join("bin.md"), b"roll\0\x01\x02at home").unwrap());
    let (v, _) = check(d.path(), &[], 1);
    assert_eq!(skipped(&v, "bin.md").as_deref(), Some("binary file"));
}

#[test]
fn utf16_is_skipped_with_reason() {
    let mut bytes = vec![0xff, 0xfe];
    for u in "Roll the derma roller at home.".encode_utf16() {
        bytes.extend_from_slice(&u.to_le_bytes());
    }
    let d = with_good(|p| fs::write(p.join("u16.md"), &bytes).unwrap());
    let (v, _) = check(d.path(), &[], 1);
    assert_eq!(
        skipped(&v, "u16.md").as_deref(),
        Some("UTF-16 text is not supported")
    );
}

#[test]
fn invalid_utf8_is_linted_with_a_warning_naming_the_file() {
    let d = with_good(|p| {
        fs::write(
            p.join("bad.md"),
            b"Roll the derma roller \xff\xfe at home weekly.\n",
        )
        .unwrap()
    });
    let (v, err) = check(d.path(), &[], 1);
    assert_eq!(checked(&v), 2);
    assert!(
        err.contains("bad.md") && err.contains("not valid UTF-8"),
        "{err}"
    );
}

#[test]
fn oversize_file_is_skipped_and_a_long_single_line_finishes() {
    // A 256 KB single line with thousands of findings (it was quadratic in
    // the column computation); 5 MB and 100 MB lines are documented manual
    // checks with a release build (README), debug builds being slow.
    let line = "Roll the derma roller at home. ".repeat(256 * 1024 / 31);
    let d = with_good(|p| {
        fs::write(p.join("big.md"), format!("{}x", "a".repeat(300_000))).unwrap();
        fs::write(p.join("line.txt"), &line).unwrap();
    });
    let (v, _) = check(d.path(), &["--max-file-size", "299999"], 1);
    let reason = skipped(&v, "big.md").unwrap();
    assert!(reason.contains("larger than --max-file-size"), "{reason}");
    assert_eq!(skipped(&v, "line.txt"), None);
    let on_line = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["path"] == "line.txt")
        .count();
    assert!(on_line > 1000, "{on_line}");
    let (v, _) = check(d.path(), &[], 1);
    assert_eq!(checked(&v), 3);
}

#[test]
fn deeply_nested_divs_do_not_overflow() {
    // 20k here; the HTML reader's own test nests 100k, and the README
    // lists the 100k run of the binary as a manual check.
    let n = 20_000;
    let html = format!(
        "{}<p>Roll the derma roller at home.</p>{}",
        "<div>".repeat(n),
        "</div>".repeat(n)
    );
    let d = with_good(|p| fs::write(p.join("deep.html"), html).unwrap());
    let (v, _) = check(d.path(), &[], 1);
    assert_eq!(checked(&v), 2);
}

#[test]
fn huge_lists_finish() {
    // 20k items here (debug builds are slow); 1M is a documented manual
    // check with a release build (README).
    let n = 20_000;
    let md: String = (0..n).map(|i| format!("- item {i}\n")).collect();
    let txt: String = (0..n).map(|i| format!("{i}. step\n")).collect();
    let d = with_good(|p| {
        fs::write(p.join("list.md"), md).unwrap();
        fs::write(p.join("list.txt"), txt).unwrap();
    });
    let (v, _) = check(d.path(), &[], 1);
    assert_eq!(checked(&v), 3);
}

#[test]
fn unclosed_comment_script_and_cdata_hide_nothing_else() {
    let d = with_good(|p| {
        fs::write(
            p.join("c.html"),
            "<p>Hi</p><!-- Roll the derma roller at home",
        )
        .unwrap();
        fs::write(
            p.join("s.html"),
            "<p>Hi</p><script>var a = '<p>roll at home'",
        )
        .unwrap();
        fs::write(p.join("d.html"), "<p>Hi</p><![CDATA[ roll at home").unwrap();
        fs::write(p.join("c.md"), "Hi\n\n<!-- Roll the derma roller at home").unwrap();
    });
    let (v, _) = check(d.path(), &[], 1);
    assert_eq!(checked(&v), 5);
    for f in v["findings"].as_array().unwrap() {
        assert!(
            !["c.html", "s.html", "c.md"].contains(&f["path"].as_str().unwrap()),
            "finding inside an unclosed comment or script: {f}"
        );
    }
}

#[test]
fn directory_symlink_loop_is_an_error_and_the_rest_is_reported() {
    let d = with_good(|p| {
        fs::create_dir(p.join("sub")).unwrap();
        std::os::unix::fs::symlink("..", p.join("sub/loop")).unwrap();
    });
    let (_, err) = check(d.path(), &[], 2);
    assert!(err.contains("loop"), "{err}");
}

#[test]
fn unreadable_file_is_an_error_naming_it() {
    // CI runs as root, which reads any mode, so a dangling symlink stands in
    // for "permission denied" and "deleted during the walk": both are the
    // same read-error path (open fails after the walk listed the file).
    let d = with_good(|p| std::os::unix::fs::symlink("gone.md", p.join("dangling.md")).unwrap());
    let (v, err) = check(d.path(), &[], 2);
    assert!(err.contains("dangling.md"), "{err}");
    assert!(skipped(&v, "dangling.md").is_some(), "{v:#}");
}

#[test]
fn directory_named_like_an_article_is_walked_not_read() {
    let d = with_good(|p| {
        fs::create_dir(p.join("x.md")).unwrap();
        fs::write(p.join("x.md/inner.md"), "Hello.\n").unwrap();
    });
    let o = run(d.path(), &["check", "--format", "json", "x.md", "good.md"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_eq!(checked(&json(&o)), 2);
}

fn pack_run(pack: &str) -> Output {
    let d = TempDir::new().unwrap();
    fs::write(d.path().join("p.toml"), pack).unwrap();
    fs::write(d.path().join("good.md"), GOOD).unwrap();
    run(d.path(), &["check", "--pack", "p.toml", "good.md"])
}

const RULE: &str = "[[rule]]\nname = \"r\"\nkind = \"phrase\"\nseverity = \"warning\"\nsummary = \"s\"\nmessage = \"m\"\ndocs = \"d\"\n";

#[test]
fn pack_with_invalid_regex_is_a_clear_error() {
    let o = pack_run(&format!("name = \"p\"\n{RULE}patterns = [\"(unclosed\"]\n"));
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("invalid regex") && err.contains("p.toml"),
        "{err}"
    );
}

#[test]
fn pack_with_oversize_regex_is_a_clear_error() {
    let o = pack_run(&format!(
        "name = \"p\"\n{RULE}patterns = [\"\\\\w{{500}}\\\\w{{500}}\\\\w{{500}}\"]\n"
    ));
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("invalid regex") && err.contains("size limit"),
        "{err}"
    );
}

#[test]
fn pack_with_100k_terms_loads() {
    let terms: Vec<String> = (0..100_000).map(|i| format!("\"zzterm{i}\"")).collect();
    let o = pack_run(&format!(
        "name = \"p\"\n[terms.devices]\nterms = [{}]\n",
        terms.join(",")
    ));
    let err = stderr(&o);
    // Either it loads (and good.md still has its finding: exit 1) or it
    // fails with a diagnostic (exit 2); never a panic or a hang.
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(o.status.code(), Some(1), "{err}");
}

#[test]
fn json_stays_one_document_when_files_fail() {
    let d = with_good(|p| {
        std::os::unix::fs::symlink("nope", p.join("a.md")).unwrap();
        fs::write(p.join("b.md"), b"\0\0").unwrap();
    });
    let (v, err) = check(d.path(), &[], 2);
    assert!(skipped(&v, "a.md").is_some() && skipped(&v, "b.md").is_some());
    assert!(err.contains("a.md"), "{err}");
}

#[test]
fn writing_to_dev_full_is_exit_2_with_a_message() {
    let d = with_good(|_| {});
    let o = bin()
        .current_dir(d.path())
        .args(["check", "--format", "json", "."])
        .stdout(fs::File::create("/dev/full").unwrap())
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("cannot write output"), "{}", stderr(&o));
}

#[test]
fn parallel_runs_give_identical_output() {
    let d = TempDir::new().unwrap();
    for i in 0..200 {
        let body = if i % 3 == 0 {
            GOOD
        } else {
            "# Fine\n\nDrink water.\n"
        };
        fs::write(d.path().join(format!("f{i:03}.md")), body).unwrap();
    }
    let first = run(d.path(), &["check", "--format", "json", "-j", "4", "."]);
    let v = json(&first);
    let findings = v["findings"].as_array().unwrap();
    let home: Vec<_> = findings
        .iter()
        .filter(|f| f["rule"] == "microneedling/home-use")
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    // One per article with the trigger, none duplicated or lost.
    assert_eq!(home.len(), 67, "{v:#}");
    let mut keys: Vec<_> = findings
        .iter()
        .map(|f| {
            (
                f["path"].to_string(),
                f["span"]["start"].as_u64(),
                f["rule"].to_string(),
            )
        })
        .collect();
    let n = keys.len();
    keys.dedup();
    assert_eq!(keys.len(), n, "duplicated findings");
    for _ in 0..3 {
        let again = run(d.path(), &["check", "--format", "json", "-j", "4", "."]);
        assert_eq!(again.stdout, first.stdout);
    }
}

#[test]
fn windows_1252_html_is_decoded_with_file_byte_spans() {
    let mut bytes = b"<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=windows-1252\"></head><body><p>Caf\xe9 cr\xe8me. ".to_vec();
    let sentence = b"Roll the derma roller over your face at home twice a week.";
    bytes.extend_from_slice(sentence);
    bytes.extend_from_slice(b" \x93Tr\xe8s bien\x94.</p></body></html>");
    let d = with_good(|p| fs::write(p.join("latin.html"), &bytes).unwrap());
    let (v, err) = check(d.path(), &[], 1);
    assert!(!err.contains("latin.html"), "no warning expected: {err}");
    let f = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"] == "latin.html" && f["rule"] == "microneedling/home-use")
        .unwrap_or_else(|| panic!("{v:#}"))
        .clone();
    let (s, e) = (
        f["span"]["start"].as_u64().unwrap() as usize,
        f["span"]["end"].as_u64().unwrap() as usize,
    );
    // Offsets are the file's bytes (0xE9 is one byte), text is decoded.
    let text = f["text"].as_str().unwrap();
    let at = bytes
        .windows(sentence.len())
        .position(|w| w == sentence)
        .unwrap();
    assert!(s <= at && e >= at + sentence.len(), "{s}..{e} vs {at}");
    let decoded: String = bytes[s..e].iter().map(|&b| encode_1252(b)).collect();
    assert_eq!(text, decoded);
    // Column counts characters: "Caf\xe9 cr\xe8me. " is one line after the tags.
    assert_eq!(f["span"]["line"], 1);
    // SARIF's byteOffset/byteLength and artifact length are the file's bytes too.
    let o = run(d.path(), &["check", "--format", "sarif", "."]);
    let sarif = json(&o);
    let run0 = &sarif["runs"][0];
    let i = run0["artifacts"]
        .as_array()
        .unwrap()
        .iter()
        .position(|a| a["location"]["uri"] == "latin.html")
        .unwrap();
    assert_eq!(run0["artifacts"][i]["length"], bytes.len());
    let r = run0["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| {
            r["ruleId"] == "microneedling/home-use"
                && r["locations"][0]["physicalLocation"]["artifactLocation"]["index"] == i
        })
        .unwrap();
    let region = &r["locations"][0]["physicalLocation"]["region"];
    assert_eq!(region["byteOffset"], s);
    assert_eq!(region["byteLength"], e - s);
    assert_eq!(region["snippet"]["text"], text);
}

/// The few Windows-1252 bytes the test uses.
fn encode_1252(b: u8) -> char {
    match b {
        0x93 => '\u{201c}',
        0x94 => '\u{201d}',
        _ => char::from(b),
    }
}
