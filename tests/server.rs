//! `beautylint server` as a process, spoken to over JSON-RPC on its stdio.

#[path = "support/lsp.rs"]
mod lsp;

use lsp::Client;
use serde_json::{json, Value};

const BIN: &str = env!("CARGO_BIN_EXE_beautylint");
const LINE: &str = "🌟 Roll your derma roller over each cheek twice a week.";
const URI: &str = "file:///tmp/beautylint-server-test/draft.md";

fn draft() -> String {
    format!("# Notes\n\n{LINE}\n")
}

fn open(c: &mut Client, uri: &str, language: &str, text: &str) {
    c.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": language, "version": 1, "text": text}}),
    );
}

fn pos(line: u64, character: u64) -> Value {
    json!({"line": line, "character": character})
}

fn range(l1: u64, c1: u64, l2: u64, c2: u64) -> Value {
    json!({"start": pos(l1, c1), "end": pos(l2, c2)})
}

fn find<'a>(diags: &'a Value, rule: &str) -> &'a Value {
    diags["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == rule)
        .unwrap_or_else(|| panic!("no {rule} diagnostic in {diags:#}"))
}

/// Units of `s` in UTF-16 or UTF-8.
fn units(s: &str, utf8: bool) -> u64 {
    (if utf8 {
        s.len()
    } else {
        s.encode_utf16().count()
    }) as u64
}

/// The home-use finding covers the sentence; "derma roller" (after the
/// emoji) is where the page-level rules point.
fn check_ranges(diags: &Value, utf8: bool) {
    let line_len = units(LINE, utf8);
    let before = units("🌟 Roll your ", utf8);
    assert_eq!(before, if utf8 { 15 } else { 13 });
    let home = find(diags, "microneedling/home-use");
    assert_eq!(
        home["range"],
        range(2, 0, 2, line_len - units(".", utf8) + 1)
    );
    assert_eq!(home["severity"], 1);
    assert_eq!(home["source"], "beautylint");
    let href = home["codeDescription"]["href"].as_str().unwrap();
    assert!(
        href.ends_with("docs/rules.md#microneedling-home-use"),
        "{href}"
    );
    let device = home["relatedInformation"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["message"] == "device")
        .expect("device label");
    assert_eq!(device["location"]["uri"], URI);
    assert_eq!(
        device["location"]["range"],
        range(2, before, 2, before + units("derma roller", utf8))
    );
    let missing = find(diags, "microneedling/missing-contraindications");
    assert_eq!(
        missing["range"],
        range(2, before, 2, before + units("derma roller", utf8))
    );
}

#[test]
fn utf16_session_diagnostics_hover_code_actions_and_shutdown() {
    let mut c = Client::start(BIN);
    let init = c.initialize(json!({}));
    let caps = &init["result"]["capabilities"];
    assert_eq!(caps["positionEncoding"], "utf-16");
    assert_eq!(caps["textDocumentSync"]["change"], 2, "incremental sync");
    assert_eq!(caps["textDocumentSync"]["openClose"], true);
    assert_eq!(caps["hoverProvider"], true);
    assert_eq!(
        caps["codeActionProvider"]["codeActionKinds"],
        json!(["quickfix"])
    );
    assert_eq!(init["result"]["serverInfo"]["name"], "beautylint");

    open(&mut c, URI, "markdown", &draft());
    let diags = c.diagnostics(URI, Some(1));
    check_ranges(&diags, false);

    // Hover inside the sentence shows the rule's documentation.
    let hover = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": URI}, "position": pos(2, 7)}),
    );
    let value = hover["result"]["contents"]["value"].as_str().unwrap();
    assert_eq!(hover["result"]["contents"]["kind"], "markdown");
    assert!(value.contains("microneedling/home-use"), "{value}");
    assert!(value.contains("## What it does"), "{value}");
    // Nothing flagged on the heading.
    let none = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": URI}, "position": pos(0, 2)}),
    );
    assert_eq!(none["result"], Value::Null);

    // Two quick fixes for the diagnostic.
    let home = find(&diags, "microneedling/home-use").clone();
    let actions = c.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": URI}, "range": home["range"],
               "context": {"diagnostics": [home]}}),
    );
    let actions = actions["result"].as_array().unwrap();
    assert_eq!(actions.len(), 2, "{actions:#?}");
    assert_eq!(
        actions[0]["title"],
        "Disable microneedling/home-use for this line"
    );
    assert_eq!(actions[0]["kind"], "quickfix");
    assert_eq!(
        actions[0]["edit"]["changes"][URI],
        json!([{"range": range(2, 0, 2, 0),
                "newText": "<!-- beautylint-disable-next-line microneedling/home-use -- reason -->\n"}])
    );
    assert_eq!(
        actions[1]["title"],
        "Disable microneedling/home-use in this file"
    );
    assert_eq!(
        actions[1]["edit"]["changes"][URI],
        json!([{"range": range(0, 0, 0, 0),
                "newText": "<!-- beautylint-disable-file microneedling/home-use -->\n"}])
    );

    // Applying the line quick fix silences the finding.
    let fix = actions[0]["edit"]["changes"][URI][0].clone();
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": URI, "version": 2},
               "contentChanges": [{"range": fix["range"], "text": fix["newText"]}]}),
    );
    let fixed = c.diagnostics(URI, Some(2));
    assert!(
        !fixed["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["code"] == "microneedling/home-use"),
        "{fixed:#}"
    );
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": URI, "version": 3}, "contentChanges": [{"text": draft()}]}),
    );
    c.diagnostics(URI, Some(3));

    // An incremental edit (UTF-16 columns: the emoji is 2) that removes the
    // problem clears the diagnostics.
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": URI, "version": 4},
               "contentChanges": [{"range": range(2, 3, 2, units(LINE, false)),
                                   "text": "Drink a glass of water."}]}),
    );
    let diags = c.diagnostics(URI, Some(4));
    assert_eq!(diags["diagnostics"], json!([]), "{diags:#}");

    let (resp, status) = c.finish();
    assert_eq!(resp["result"], Value::Null);
    assert_eq!(status.code(), Some(0));
}

#[test]
fn utf8_session_plain_text_bad_requests_and_close() {
    let mut c = Client::start(BIN);
    let init = c.initialize(json!({"general": {"positionEncodings": ["utf-8", "utf-16"]}}));
    assert_eq!(init["result"]["capabilities"]["positionEncoding"], "utf-8");

    open(&mut c, URI, "markdown", &draft());
    check_ranges(&c.diagnostics(URI, Some(1)), true);

    // The same edit as in the UTF-16 session, in bytes (the emoji is 4).
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": URI, "version": 2},
               "contentChanges": [{"range": range(2, 5, 2, units(LINE, true)),
                                   "text": "Drink a glass of water."}]}),
    );
    assert_eq!(c.diagnostics(URI, Some(2))["diagnostics"], json!([]));
    // Full-text sync works too.
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": URI, "version": 3},
               "contentChanges": [{"text": draft()}]}),
    );
    find(&c.diagnostics(URI, Some(3)), "microneedling/home-use");

    // Plain text is linted (reader chosen by languageId, not by the .md
    // extension) but has no suppression comments, so no quick fixes.
    let txt = "file:///tmp/beautylint-server-test/notes.md";
    open(&mut c, txt, "plaintext", &format!("Notes\n\n{LINE}\n"));
    let diags = c.diagnostics(txt, Some(1));
    let home = find(&diags, "microneedling/home-use").clone();
    let actions = c.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": txt}, "range": home["range"],
               "context": {"diagnostics": [home]}}),
    );
    assert_eq!(actions["result"], json!([]));

    // Bad input is an error response, not a crash.
    let bad = c.request("textDocument/hover", json!({"nonsense": true}));
    assert_eq!(bad["error"]["code"], -32602, "{bad:#}");
    c.notify("textDocument/didChange", json!({"bogus": 1}));

    // Closing clears the document's diagnostics.
    c.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": txt}}),
    );
    let cleared = c.diagnostics(txt, None);
    assert_eq!(cleared["diagnostics"], json!([]));

    // A changed beautylint.toml re-lints the open documents.
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": "file:///tmp/beautylint-server-test/beautylint.toml", "type": 2}]}),
    );
    find(&c.diagnostics(URI, Some(3)), "microneedling/home-use");

    let (_, status) = c.finish();
    assert_eq!(status.code(), Some(0));
}

fn rules(diags: &Value) -> Vec<(String, i64)> {
    let mut out: Vec<(String, i64)> = diags["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap().to_string(),
                d["severity"].as_i64().unwrap(),
            )
        })
        .collect();
    out.sort();
    out
}

fn config_changed(c: &mut Client, path: &std::path::Path) {
    let uri = format!("file://{}", path.display());
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri, "type": 2}]}),
    );
}

#[test]
fn workspace_config_levels_and_reload_on_change() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    let cfg = root.join("beautylint.toml");
    std::fs::write(
        &cfg,
        "[severity]\n\"microneedling/no-professional\" = \"off\"\n\"microneedling/home-use\" = \"warning\"\n",
    )
    .unwrap();
    std::fs::create_dir(root.join("posts")).unwrap();
    let uri = format!("file://{}/posts/draft.md", root.display());
    let mut c = Client::start(BIN);
    c.initialize(json!({}));
    open(&mut c, &uri, "markdown", &draft());
    let diags = c.diagnostics(&uri, Some(1));
    assert_eq!(
        rules(&diags),
        [
            ("microneedling/home-use".to_string(), 2),
            ("microneedling/missing-contraindications".to_string(), 1),
        ],
        "{diags:#}"
    );

    // The config changes: home-use back to error, no-professional on,
    // missing-contraindications ignored.
    std::fs::write(
        &cfg,
        "ignore = [\"microneedling/missing-contraindications\"]\n[severity]\n\"microneedling/no-professional\" = \"info\"\n",
    )
    .unwrap();
    config_changed(&mut c, &cfg);
    let diags = c.diagnostics(&uri, Some(1));
    assert_eq!(
        rules(&diags),
        [
            ("microneedling/home-use".to_string(), 1),
            ("microneedling/no-professional".to_string(), 3),
        ],
        "{diags:#}"
    );

    // An unused suppression is reported like the CLI does.
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": [
            {"text": "<!-- beautylint-disable-next-line microneedling/home-use -->\n# Notes\n\nNothing here.\n"}
        ]}),
    );
    let diags = c.diagnostics(&uri, Some(2));
    assert_eq!(
        rules(&diags),
        [("suppression/unused".to_string(), 2)],
        "{diags:#}"
    );
    let (_, status) = c.finish();
    assert!(status.success());
}

#[test]
fn broken_config_is_shown_once_and_does_not_crash() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    let cfg = root.join("beautylint.toml");
    std::fs::write(
        &cfg,
        "# shared\n[severity]\n\"microneedling/home-use\" = \"loud\"\n",
    )
    .unwrap();
    let uri = format!("file://{}/draft.md", root.display());
    let cfg_uri = format!("file://{}", cfg.display());
    let mut c = Client::start(BIN);
    c.initialize(json!({}));
    open(&mut c, &uri, "markdown", &draft());
    let shown = c.wait_for("showMessage", |m| m["method"] == "window/showMessage");
    assert_eq!(shown["params"]["type"], 1, "{shown:#}");
    let on_config = c.diagnostics(&cfg_uri, None);
    let d = &on_config["diagnostics"][0];
    assert_eq!(d["range"]["start"]["line"], 2, "{on_config:#}");
    assert_eq!(d["severity"], 1);
    assert_eq!(rules(&c.diagnostics(&uri, Some(1))), []);

    // Fixed: the problem is cleared and the document linted again.
    std::fs::write(&cfg, "[severity]\n\"microneedling/home-use\" = \"info\"\n").unwrap();
    config_changed(&mut c, &cfg);
    let cleared = c.diagnostics(&cfg_uri, None);
    assert_eq!(cleared["diagnostics"], json!([]));
    let diags = c.diagnostics(&uri, Some(1));
    assert!(rules(&diags).contains(&("microneedling/home-use".to_string(), 3)));
    let (_, status) = c.finish();
    assert!(status.success());
}
