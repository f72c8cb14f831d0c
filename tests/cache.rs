//! `check --cache`: a run with the cache reports exactly what a run without
//! it reports, reuses stored findings only while the text and every setting
//! they depend on are the same, and survives a damaged or unwritable cache.

use std::fs;
use std::path::Path;

use tempfile::TempDir;

mod common;

use common::{run_bin as run_in, stderr, stdout};

/// A how-to that fires, a clinic page with no contraindications, a clean page.
fn articles() -> TempDir {
    let dir = TempDir::new().unwrap();
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    for (from, to) in [
        ("md/home-howto-steps.md", "howto.md"),
        ("html/clinic-no-contras.html", "clinic.html"),
        ("html/hair-rollers-heatless-curls.html", "curls.html"),
    ] {
        fs::copy(fixtures.join(from), dir.path().join(to)).unwrap();
    }
    dir
}

const CHECK: &[&str] = &["check", "--isolated", "--format", "json", "."];

fn cached<'a>(extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = CHECK.to_vec();
    args.extend_from_slice(&["--cache", "--cache-dir", "cache"]);
    args.extend_from_slice(extra);
    args
}

#[test]
fn cached_runs_report_what_an_uncached_run_reports() {
    let dir = articles();
    let plain = run_in(dir.path(), CHECK);
    assert_eq!(plain.status.code(), Some(1), "{}", stderr(&plain));
    assert!(stdout(&plain).contains("microneedling/home-use"));
    let first = run_in(dir.path(), &cached(&[]));
    assert!(dir.path().join("cache/results-v1.json").is_file());
    // The cache folder keeps itself out of git.
    assert_eq!(
        fs::read_to_string(dir.path().join("cache/.gitignore")).unwrap(),
        "# Created by beautylint --cache.\n*\n"
    );
    let second = run_in(dir.path(), &cached(&[]));
    for o in [&first, &second] {
        assert_eq!(stdout(o), stdout(&plain));
        assert_eq!(o.status.code(), plain.status.code());
        assert_eq!(stderr(o), "");
    }
    // Every format renders stored findings as it renders fresh ones.
    for format in ["human", "sarif", "github", "concise", "checkstyle"] {
        let mut args = vec![
            "check",
            "--isolated",
            "--color",
            "never",
            "--format",
            format,
            ".",
        ];
        let fresh = run_in(dir.path(), &args);
        args.extend_from_slice(&["--cache", "--cache-dir", "cache"]);
        let again = run_in(dir.path(), &args);
        assert_eq!(stdout(&again), stdout(&fresh), "format {format}");
    }
}

/// Proves a hit is served from the cache: a stored message, edited in the
/// cache file, is what the next run reports.
fn tamper(dir: &Path) {
    let path = dir.join("cache/results-v1.json");
    let text = fs::read_to_string(&path).unwrap();
    assert!(text.contains("recommends at-home"), "{text}");
    fs::write(
        &path,
        text.replace("recommends at-home", "TAMPERED at-home"),
    )
    .unwrap();
}

#[test]
fn hits_are_served_from_the_cache_until_the_text_changes() {
    let dir = articles();
    run_in(dir.path(), &cached(&[]));
    tamper(dir.path());
    let hit = run_in(dir.path(), &cached(&[]));
    assert!(stdout(&hit).contains("TAMPERED"), "{}", stdout(&hit));
    // Without --cache nothing is read from it.
    assert!(!stdout(&run_in(dir.path(), CHECK)).contains("TAMPERED"));
    // A changed article is linted again.
    let howto = dir.path().join("howto.md");
    let mut text = fs::read_to_string(&howto).unwrap();
    text.push_str("\nOne more line.\n");
    fs::write(&howto, text).unwrap();
    let miss = run_in(dir.path(), &cached(&[]));
    assert!(!stdout(&miss).contains("TAMPERED"));
    assert_eq!(stdout(&miss), stdout(&run_in(dir.path(), CHECK)));
}

#[test]
fn settings_the_findings_depend_on_key_the_cache() {
    let dir = articles();
    run_in(dir.path(), &cached(&[]));
    tamper(dir.path());
    // Other inline-config handling, other rule levels: not the stored run.
    for extra in [&["--no-inline-config"][..], &["--require", "pregnancy"][..]] {
        let o = run_in(dir.path(), &cached(extra));
        assert!(!stdout(&o).contains("TAMPERED"), "{extra:?}");
    }
    // A config file that turns the rule off.
    let mut args: Vec<&str> = cached(&[]);
    args.retain(|a| *a != "--isolated");
    fs::write(
        dir.path().join("beautylint.toml"),
        "[severity]\n\"microneedling/home-use\" = \"warning\"\n",
    )
    .unwrap();
    let o = run_in(dir.path(), &args);
    assert!(!stdout(&o).contains("TAMPERED"), "{}", stderr(&o));
    assert!(stdout(&o).contains("\"severity\":\"warning\",\"message\":\"recommends"));
}

#[test]
fn an_edited_pack_file_keys_the_cache() {
    let dir = articles();
    let pack = dir.path().join("extra.toml");
    let write_pack = |word: &str| {
        fs::write(
            &pack,
            format!(
                "name = \"extra\"\ndescription = \"one word\"\n\n[[rule]]\nname = \"word\"\n\
                 kind = \"phrase\"\nseverity = \"warning\"\nsummary = \"A word.\"\n\
                 message = \"mentions {{match}}\"\ndocs = \"Flags a word.\"\n\
                 patterns = ['(?i)\\b{word}\\b']\n"
            ),
        )
        .unwrap();
    };
    write_pack("water");
    let args = cached(&["--pack", "extra.toml"]);
    let first = run_in(dir.path(), &args);
    assert!(
        stdout(&first).contains("mentions water"),
        "{}",
        stderr(&first)
    );
    write_pack("roller");
    let o = run_in(dir.path(), &args);
    let fresh = run_in(
        dir.path(),
        &[
            "check",
            "--isolated",
            "--format",
            "json",
            ".",
            "--pack",
            "extra.toml",
        ],
    );
    assert!(!stdout(&o).contains("mentions water"));
    assert!(stdout(&o).contains("mentions roller"));
    assert_eq!(stdout(&o), stdout(&fresh), "{}", stderr(&fresh));
}

#[test]
fn a_damaged_cache_is_replaced_with_a_warning() {
    let dir = articles();
    let plain = run_in(dir.path(), CHECK);
    fs::create_dir(dir.path().join("cache")).unwrap();
    fs::write(
        dir.path().join("cache/results-v1.json"),
        "{\"format\": 1, \"stri",
    )
    .unwrap();
    let o = run_in(dir.path(), &cached(&[]));
    assert_eq!(stdout(&o), stdout(&plain));
    assert_eq!(o.status.code(), plain.status.code());
    assert!(
        stderr(&o).contains("damaged cache file, starting a new one"),
        "{}",
        stderr(&o)
    );
    // It was rewritten whole.
    let again = run_in(dir.path(), &cached(&[]));
    assert_eq!(stderr(&again), "");
    assert_eq!(stdout(&again), stdout(&plain));
}

#[test]
fn a_cache_that_cannot_be_written_only_warns() {
    let dir = articles();
    let plain = run_in(dir.path(), CHECK);
    // A file where the folder should be.
    fs::write(dir.path().join("cache"), "not a folder").unwrap();
    let o = run_in(dir.path(), &cached(&[]));
    assert_eq!(stdout(&o), stdout(&plain));
    assert_eq!(o.status.code(), plain.status.code());
    assert!(
        stderr(&o).contains("cannot write the cache in cache"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn the_binary_is_known_by_its_bytes_not_its_file_time() {
    let dir = articles();
    run_in(dir.path(), &cached(&[]));
    tamper(dir.path());
    let run_with = |exe: &Path| {
        let o = std::process::Command::new(exe)
            .current_dir(dir.path())
            .env_remove("BEAUTYLINT_CACHE_DIR")
            .args(cached(&[]))
            .output()
            .unwrap();
        stdout(&o)
    };
    // The same bytes, written now (a CI run builds or restores it anew).
    let bin = TempDir::new().unwrap();
    let copy = bin.path().join("beautylint");
    fs::copy(env!("CARGO_BIN_EXE_beautylint"), &copy).unwrap();
    assert!(run_with(&copy).contains("TAMPERED"));
    // Other bytes (an ELF runs the same with a byte appended): a miss.
    let mut bytes = fs::read(&copy).unwrap();
    bytes.push(0);
    let other = bin.path().join("beautylint-other");
    fs::write(&other, bytes).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(&other, fs::Permissions::from_mode(0o755)).unwrap();
    }
    let out = run_with(&other);
    assert!(out.contains("microneedling/home-use"), "{out}");
    assert!(!out.contains("TAMPERED"));
}
