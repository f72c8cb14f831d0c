//! Latency of `beautylint server`: from a `didChange` on a ~20 KB Markdown
//! article to its `publishDiagnostics`, minus the server's debounce.
//!
//! `cargo bench --bench server` (release build; prints median, p95, max).
//! A benchmark, not a test: the target is < 50 ms.

#[path = "../tests/support/lsp.rs"]
mod lsp;

use std::time::{Duration, Instant};

use serde_json::json;

const DEBOUNCE: Duration = beautylint::server::DEBOUNCE;
const ROUNDS: usize = 40;

#[allow(clippy::print_stdout)]
fn main() {
    // A ~20 KB article: the Markdown fixtures, one after another.
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/md");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let mut text = String::new();
    for f in files.iter().cycle() {
        if text.len() >= 20 * 1024 {
            break;
        }
        let body = std::fs::read_to_string(f).unwrap();
        // Drop front matter so only the first file has some.
        let body = match beautylint::server::actions::front_matter_end(&body) {
            Some(end) if !text.is_empty() => body[end..].to_string(),
            _ => body,
        };
        text.push_str(&body);
        text.push('\n');
    }
    let uri = "file:///tmp/beautylint-bench/article.md";
    let mut c = lsp::Client::start(env!("CARGO_BIN_EXE_beautylint"));
    c.initialize(json!({}));
    c.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "markdown", "version": 1, "text": text}}),
    );
    let first = c.diagnostics(uri, Some(1));
    let n = first["diagnostics"].as_array().unwrap().len();
    let lines = text.lines().count() as u64;
    let mut times = Vec::new();
    for round in 0..ROUNDS {
        let version = round as i64 + 2;
        // Type or delete one character at the end of the last line.
        let edit = if round % 2 == 0 {
            json!({"range": {"start": {"line": lines, "character": 0},
                             "end": {"line": lines, "character": 0}}, "text": "x"})
        } else {
            json!({"range": {"start": {"line": lines, "character": 0},
                             "end": {"line": lines, "character": 1}}, "text": ""})
        };
        let t = Instant::now();
        c.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": [edit]}),
        );
        c.diagnostics(uri, Some(version));
        times.push(t.elapsed().saturating_sub(DEBOUNCE));
    }
    c.finish();
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "server: {} bytes, {n} diagnostics, {ROUNDS} changes; didChange → publishDiagnostics \
         minus {} ms debounce: median {:.1} ms, p95 {:.1} ms, max {:.1} ms (target < 50 ms)",
        text.len(),
        DEBOUNCE.as_millis(),
        ms(times[ROUNDS / 2]),
        ms(times[ROUNDS * 95 / 100]),
        ms(times[ROUNDS - 1]),
    );
}
