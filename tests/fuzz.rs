//! The fuzz targets on stable, bounded: the saved corpora and the fixtures
//! replayed, plus a structure-aware generator (fixture fragments, entities,
//! tags, CRLF, multibyte characters, unclosed comments/scripts/CDATA) run for
//! a fixed number of seeded cases. `BEAUTYLINT_FUZZ_CASES=N` runs more
//! (`fuzz/run.sh` does so when no nightly toolchain is available).
//! The invariants live in `beautylint::fuzz`.

use std::path::{Path, PathBuf};

use beautylint::fuzz;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            files_under(&p, out);
        } else {
            out.push(p);
        }
    }
}

fn all_files(dirs: &[&str]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for d in dirs {
        files_under(&root().join(d), &mut out);
    }
    out.sort();
    out
}

/// Runs a target on every kind-prefix of `data` (for `lint`).
fn lint_all_kinds(data: &[u8]) {
    for k in 0..3u8 {
        let mut v = Vec::with_capacity(data.len() + 1);
        v.push(k);
        v.extend_from_slice(data);
        fuzz::lint(&v);
    }
}

#[test]
fn fixtures_and_regressions_keep_the_invariants() {
    let files = all_files(&["fixtures", "tests/data/regressions"]);
    assert!(files.len() > 20, "fixtures not found");
    for f in files {
        let data = std::fs::read(&f).unwrap();
        // Each file through the reader its extension picks (the generator
        // and the fuzzers cover the cross-reader cases).
        let kind: u8 = match f.extension().and_then(|e| e.to_str()) {
            Some("md" | "markdown") => 0,
            Some("html" | "htm") => 1,
            _ => 2,
        };
        let mut v = vec![kind];
        v.extend_from_slice(&data);
        let r = std::panic::catch_unwind(|| fuzz::lint(&v));
        assert!(r.is_ok(), "{} broke an invariant", f.display());
    }
}

/// `lint` fuzz target, 2026-12-01: a block whose text ended on a line feed
/// followed (outside the block) by another made the sentence splitter slice
/// backwards and panic, crashing the whole run.
#[test]
fn regression_sentence_split_block_ends_on_line_feed() {
    let f = root().join("tests/data/regressions/sentence-split-block-ends-on-line-feed.html");
    let data = std::fs::read(f).unwrap();
    lint_all_kinds(&data);
}

#[test]
fn saved_corpora_replay() {
    for target in ["markdown", "html", "lint", "pack", "config"] {
        for f in all_files(&[&format!("fuzz/corpus/{target}")]) {
            let data = std::fs::read(&f).unwrap();
            let r = std::panic::catch_unwind(|| match target {
                "markdown" => fuzz::markdown(&data),
                "html" => fuzz::html(&data),
                "lint" => fuzz::lint(&data),
                "config" => fuzz::config(&data),
                _ => fuzz::pack(&data),
            });
            assert!(r.is_ok(), "{target}: {} broke an invariant", f.display());
        }
    }
}

#[test]
fn packs_and_pack_fragments_load_or_fail_cleanly() {
    // The built-in pack under another name loads beside the built-in one.
    let text = std::fs::read_to_string(root().join("patterns/microneedling.toml"))
        .unwrap()
        .replace("name = \"microneedling\"", "name = \"copy\"");
    fuzz::pack(text.as_bytes());
    // Cut it at many places: each prefix must load or fail with an error
    // inside the text, never panic.
    let step = (text.len() / 8).max(1);
    for cut in (0..text.len()).step_by(step) {
        if text.is_char_boundary(cut) {
            fuzz::pack(&text.as_bytes()[..cut]);
        }
    }
    for p in [
        "name = \"x\"\n[[rule]]\nname = \"r\"\nkind = \"phrase\"\nseverity = \"error\"\nsummary = \"s\"\nmessage = \"m\"\npatterns = [\"(\"]\n",
        "name = \"x\"\n[[rule]]\nname = \"r\"\nkind = \"phrase\"\nseverity = \"error\"\nsummary = \"s\"\nmessage = \"m\"\npatterns = [\"\\\\w{1000}{1000}\"]\n",
        "name = \"\"\n",
        "name = \"a/b\"\n",
        "\u{feff}name = \"x\"\n",
    ] {
        fuzz::pack(p.as_bytes());
    }
}

/// splitmix64: a seeded, reproducible stream for the generator.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

const FRAGMENTS: &[&str] = &[
    "Roll the derma roller over your face at home twice a week.",
    "Never use a dermaroller at home; see a dermatologist.",
    "Microneedling is not for you if you are pregnant, have active acne, keloids or take isotretinoin.",
    "Use 1.5 mm needles at home.",
    "&amp;", "&eacute;", "&#233;", "&#x1F600;", "&acE;", "&", "&#", "&#x;", "&notanentity;", "&nbsp;",
    "<p>", "</p>", "<div>", "</div>", "<li>", "<ul>", "</ul>", "<h1>", "</h1>", "<br/>",
    "<script>", "</script>", "<style>", "<!--", "-->", "<![CDATA[", "]]>", "<title>",
    "<meta charset=\"windows-1252\">", "<a href=\"x\">", "</a>", "<",  ">", "\"", "'",
    "# ", "## ", "- ", "* ", "1. ", "> ", "```", "~~~", "    ", "---\n", "+++\n", "title: x\n",
    "|a|b|\n|-|-|\n", "[link](http://x)", "![img](y)", "**", "_", "`", "\\", "\\*",
    "\n", "\r\n", "\r", "\n\n", "\t", " ", "é", "日本", "😀", "\u{feff}", "\u{200b}", "\u{1a}",
    "e\u{301}", "İ", "ß", "\u{2028}", "Dr.", "e.g.", "0.5 mm", "?", "!", "...", ";",
];

fn generate(rng: &mut Rng) -> Vec<u8> {
    let mut out = Vec::new();
    let n = 1 + rng.below(40);
    for _ in 0..n {
        match rng.below(20) {
            0 => out.push(rng.below(256) as u8), // a stray byte: invalid UTF-8 or NUL
            1 => {
                let f = FRAGMENTS[rng.below(FRAGMENTS.len())].as_bytes();
                let cut = rng.below(f.len() + 1);
                out.extend_from_slice(&f[..cut]); // may split a multibyte char
            }
            _ => out.extend_from_slice(FRAGMENTS[rng.below(FRAGMENTS.len())].as_bytes()),
        }
    }
    out
}

#[test]
fn generated_documents_keep_the_invariants() {
    let cases: u64 = std::env::var("BEAUTYLINT_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(40);
    for seed in 0..cases {
        let data = generate(&mut Rng(seed));
        let r = std::panic::catch_unwind(|| {
            fuzz::markdown(&data);
            fuzz::html(&data);
            lint_all_kinds(&data);
        });
        assert!(
            r.is_ok(),
            "seed {seed} broke an invariant; input: {:?}",
            String::from_utf8_lossy(&data)
        );
    }
}

#[test]
fn configs_and_config_fragments_load_or_fail_cleanly() {
    let seeds = all_files(&["fuzz/seeds/config"]);
    assert!(seeds.len() >= 3, "config seeds not found");
    for f in seeds {
        let text = std::fs::read_to_string(&f).unwrap();
        // Every prefix cut on a char boundary: a valid config, or an error
        // whose labels lie inside the text and that renders.
        for cut in (0..=text.len()).filter(|&c| text.is_char_boundary(c)) {
            let r = std::panic::catch_unwind(|| fuzz::config(&text.as_bytes()[..cut]));
            assert!(r.is_ok(), "{} cut at {cut} broke an invariant", f.display());
        }
    }
    for c in [
        "",
        "\u{feff}select = [\"microneedling\"]\n",
        "select = [\"é\u{301}x\"]\n",
        "[severity]\n\"microneedling/home-use\" = \"loud\"\n",
        "[[overrides]]\nfiles = [\"{a,b\"]\n",
        "[[overrides]]\nfiles = []\nseverity = { \"nope\" = \"off\" }\n",
        "exclude = [\"[\"]\n",
        "[html]\ncontent = [\"\", \"::\", \"a[\"]\n",
        "max-file-size = -1\n",
        "fail-on = \"never\"\n",
        "a = 1\n",
        "select = [\"microneedling\"\n",
        "[contraindications]\nrequire = [\"unknown-category\"]\n",
    ] {
        let r = std::panic::catch_unwind(|| fuzz::config(c.as_bytes()));
        assert!(r.is_ok(), "{c:?} broke an invariant");
    }
}
