//! `beautylint server`: a language server over stdio (LSP 3.17, synchronous,
//! on rust-analyzer's `lsp-server` and `lsp-types`).
//!
//! One thread owns all state. Open documents are linted after
//! [`DEBOUNCE`] of quiet (only the latest text is ever linted), and their
//! findings become diagnostics with positions in the negotiated encoding
//! (UTF-8 when the client offers it, else UTF-16). Hover shows a rule's
//! docs; code actions insert suppression comments. What a document is
//! linted with comes from [`settings::Resolver::settings_for`]: the CLI's
//! config resolution (`beautylint.toml`) for the document's path, cached
//! until a watched `beautylint.toml` changes.
//!
//! The server never prints: messages for the user go to the client as
//! `window/showMessage` or `window/logMessage`.

pub mod actions;
pub mod docs;
pub mod settings;
pub mod text;

use std::collections::HashMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crossbeam_channel::{RecvTimeoutError, Sender};
use lsp_server::{Connection, ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types::notification::{self as notif, Notification as _};
use lsp_types::request::{self as req, Request as _};
use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOptions, CodeActionOrCommand, CodeActionParams,
    CodeActionProviderCapability, CodeDescription, Diagnostic, DiagnosticRelatedInformation,
    DiagnosticSeverity, DidChangeTextDocumentParams, DidChangeWatchedFilesRegistrationOptions,
    DidCloseTextDocumentParams, DidOpenTextDocumentParams, DidSaveTextDocumentParams,
    FileSystemWatcher, GlobPattern, Hover, HoverContents, HoverParams, HoverProviderCapability,
    InitializeParams, Location, LogMessageParams, MarkupContent, MarkupKind, MessageType,
    NumberOrString, PositionEncodingKind, PublishDiagnosticsParams, Registration,
    RegistrationParams, ServerCapabilities, ShowMessageParams, TextDocumentSyncCapability,
    TextDocumentSyncKind, TextDocumentSyncOptions, TextDocumentSyncSaveOptions, TextEdit, Url,
    WorkspaceEdit,
};

use crate::document::DocKind;
use crate::rules::{Finding, Severity};
use settings::{Resolver, SettingsProblem};
use text::{Encoding, LineIndex};

/// Quiet time after an open or a change before a document is linted.
pub const DEBOUNCE: Duration = Duration::from_millis(75);

/// The name of the config file the server watches.
pub const CONFIG_FILE: &str = "beautylint.toml";

/// Any failure that ends the server early (a broken connection or a
/// protocol violation during the handshake).
pub type Error = Box<dyn std::error::Error + Send + Sync>;

/// Runs the server on stdin/stdout until the client sends `exit`. Returns
/// `Ok(true)` after a clean `shutdown` + `exit`, `Ok(false)` when the
/// client exited or hung up without `shutdown`.
pub fn run_stdio() -> Result<bool, Error> {
    let (connection, io_threads) = Connection::stdio();
    let clean = run(connection)?;
    io_threads.join()?;
    Ok(clean)
}

/// Runs the server on any connection (tests use `Connection::memory`).
pub fn run(conn: Connection) -> Result<bool, Error> {
    // A server matches every edit of every open page.
    crate::rules::expect_many_pages();
    let (id, params) = conn.initialize_start()?;
    let init: InitializeParams = match serde_json::from_value(params) {
        Ok(p) => p,
        Err(e) => {
            let msg = format!("invalid initialize params: {e}");
            conn.sender
                .send(Response::new_err(id, ErrorCode::InvalidParams as i32, msg.clone()).into())?;
            return Err(msg.into());
        }
    };
    let encoding = negotiate_encoding(&init);
    let result = serde_json::json!({
        "capabilities": capabilities(encoding),
        "serverInfo": {"name": "beautylint", "version": env!("CARGO_PKG_VERSION")},
    });
    conn.initialize_finish(id, result)?;
    let mut server = Server::new(conn.sender.clone(), encoding);
    if init
        .capabilities
        .workspace
        .as_ref()
        .and_then(|w| w.did_change_watched_files)
        .and_then(|w| w.dynamic_registration)
        == Some(true)
    {
        server.register_config_watcher();
    }
    loop {
        let msg = match server.next_deadline() {
            Some(at) => match conn
                .receiver
                .recv_timeout(at.saturating_duration_since(Instant::now()))
            {
                Ok(m) => Some(m),
                Err(RecvTimeoutError::Timeout) => None,
                Err(RecvTimeoutError::Disconnected) => return Ok(false),
            },
            None => match conn.receiver.recv() {
                Ok(m) => Some(m),
                Err(_) => return Ok(false),
            },
        };
        match msg {
            Some(Message::Request(r)) => {
                if conn.handle_shutdown(&r)? {
                    return Ok(true);
                }
                server.handle_request(r);
            }
            Some(Message::Notification(n)) => {
                if n.method == notif::Exit::METHOD {
                    return Ok(false);
                }
                server.handle_notification(n);
            }
            Some(Message::Response(r)) => {
                if let Err(e) = r.response_result {
                    server.log(MessageType::WARNING, format!("client error: {}", e.message));
                }
            }
            None => {}
        }
        server.lint_due();
    }
}

/// UTF-8 when the client offers it (LSP 3.17 `general.positionEncodings`),
/// else the default, UTF-16.
pub fn negotiate_encoding(init: &InitializeParams) -> Encoding {
    let offered = init
        .capabilities
        .general
        .as_ref()
        .and_then(|g| g.position_encodings.as_ref());
    if offered.is_some_and(|encs| encs.contains(&PositionEncodingKind::UTF8)) {
        Encoding::Utf8
    } else {
        Encoding::Utf16
    }
}

/// What the server tells the client it can do.
pub fn capabilities(encoding: Encoding) -> ServerCapabilities {
    ServerCapabilities {
        position_encoding: Some(match encoding {
            Encoding::Utf8 => PositionEncodingKind::UTF8,
            Encoding::Utf16 => PositionEncodingKind::UTF16,
        }),
        text_document_sync: Some(TextDocumentSyncCapability::Options(
            TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(TextDocumentSyncKind::INCREMENTAL),
                save: Some(TextDocumentSyncSaveOptions::Supported(true)),
                ..Default::default()
            },
        )),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
            code_action_kinds: Some(vec![CodeActionKind::QUICKFIX]),
            ..Default::default()
        })),
        ..Default::default()
    }
}

/// The reader for a document: by `languageId`, else by the URI's extension
/// (unknown extensions are plain text, as in `beautylint check`).
pub fn doc_kind(language_id: &str, uri: &Url) -> DocKind {
    match language_id {
        "markdown" => DocKind::Markdown,
        "html" => DocKind::Html,
        "plaintext" => DocKind::Text,
        _ => DocKind::from_path(Path::new(uri.path())),
    }
}

/// An open document.
struct Doc {
    kind: DocKind,
    version: i32,
    text: String,
    /// When to lint next; `None` when the findings are up to date.
    due: Option<Instant>,
    /// Findings for `text` (when `due` is `None`).
    findings: Vec<Finding>,
}

struct Server {
    sender: Sender<Message>,
    encoding: Encoding,
    docs: HashMap<Url, Doc>,
    resolver: Resolver,
    /// The last settings problem shown, so it is shown once, and the config
    /// files that carry a diagnostic for it (cleared when it goes away).
    problem: Option<Arc<SettingsProblem>>,
    problem_uris: Vec<Url>,
    next_request: i32,
}

impl Server {
    fn new(sender: Sender<Message>, encoding: Encoding) -> Server {
        Server {
            sender,
            encoding,
            docs: HashMap::new(),
            resolver: Resolver::default(),
            problem: None,
            problem_uris: Vec::new(),
            next_request: 0,
        }
    }

    fn send(&self, msg: impl Into<Message>) {
        // A closed channel means the client is gone; the main loop notices.
        let _ = self.sender.send(msg.into());
    }

    fn notify<N: notif::Notification>(&self, params: N::Params) {
        self.send(Notification::new(N::METHOD.to_string(), params));
    }

    fn log(&self, typ: MessageType, message: String) {
        self.notify::<notif::LogMessage>(LogMessageParams { typ, message });
    }

    fn register_config_watcher(&mut self) {
        let options = DidChangeWatchedFilesRegistrationOptions {
            watchers: vec![FileSystemWatcher {
                glob_pattern: GlobPattern::String(format!("**/{CONFIG_FILE}")),
                kind: None,
            }],
        };
        let params = RegistrationParams {
            registrations: vec![Registration {
                id: "beautylint-config".into(),
                method: notif::DidChangeWatchedFiles::METHOD.into(),
                register_options: serde_json::to_value(options).ok(),
            }],
        };
        self.next_request += 1;
        let id = RequestId::from(format!("beautylint-{}", self.next_request));
        self.send(Request::new(
            id,
            req::RegisterCapability::METHOD.into(),
            params,
        ));
    }

    fn next_deadline(&self) -> Option<Instant> {
        self.docs.values().filter_map(|d| d.due).min()
    }

    fn handle_notification(&mut self, n: Notification) {
        let method = n.method.clone();
        let result = match method.as_str() {
            notif::DidOpenTextDocument::METHOD => {
                n.extract::<DidOpenTextDocumentParams>(&method).map(|p| {
                    let td = p.text_document;
                    let kind = doc_kind(&td.language_id, &td.uri);
                    self.docs.insert(
                        td.uri,
                        Doc {
                            kind,
                            version: td.version,
                            text: td.text,
                            due: Some(Instant::now() + DEBOUNCE),
                            findings: Vec::new(),
                        },
                    );
                })
            }
            notif::DidChangeTextDocument::METHOD => {
                n.extract::<DidChangeTextDocumentParams>(&method).map(|p| {
                    let enc = self.encoding;
                    if let Some(doc) = self.docs.get_mut(&p.text_document.uri) {
                        for change in p.content_changes {
                            text::apply_change(&mut doc.text, change, enc);
                        }
                        doc.version = p.text_document.version;
                        doc.due = Some(Instant::now() + DEBOUNCE);
                    }
                })
            }
            notif::DidSaveTextDocument::METHOD => {
                n.extract::<DidSaveTextDocumentParams>(&method).map(|p| {
                    if let Some(doc) = self.docs.get_mut(&p.text_document.uri) {
                        doc.due.get_or_insert_with(Instant::now);
                    }
                })
            }
            notif::DidCloseTextDocument::METHOD => {
                n.extract::<DidCloseTextDocumentParams>(&method).map(|p| {
                    if self.docs.remove(&p.text_document.uri).is_some() {
                        self.publish(p.text_document.uri, Vec::new(), None);
                    }
                })
            }
            notif::DidChangeWatchedFiles::METHOD => {
                // Only config files are watched, and a client without
                // dynamic registration sends what it was set up to send:
                // re-lint everything either way.
                self.resolver.invalidate();
                let now = Instant::now();
                for doc in self.docs.values_mut() {
                    doc.due = Some(now);
                }
                Ok(())
            }
            _ => Ok(()),
        };
        if let Err(e) = result {
            self.log(
                MessageType::ERROR,
                format!("bad {method} notification: {e}"),
            );
        }
    }

    fn handle_request(&mut self, r: Request) {
        let id = r.id.clone();
        let method = r.method.clone();
        let response = match method.as_str() {
            req::HoverRequest::METHOD => r
                .extract::<HoverParams>(&method)
                .map(|(id, p)| Response::new_ok(id, self.hover(p))),
            req::CodeActionRequest::METHOD => r
                .extract::<CodeActionParams>(&method)
                .map(|(id, p)| Response::new_ok(id, self.code_actions(p))),
            _ => {
                self.send(Response::new_err(
                    id,
                    ErrorCode::MethodNotFound as i32,
                    format!("unhandled method {method}"),
                ));
                return;
            }
        };
        match response {
            Ok(resp) => self.send(resp),
            Err(e) => self.send(Response::new_err(
                id,
                ErrorCode::InvalidParams as i32,
                format!("bad {method} request: {e}"),
            )),
        }
    }

    /// Lints every document whose quiet time is over.
    fn lint_due(&mut self) {
        let now = Instant::now();
        let due: Vec<Url> = self
            .docs
            .iter()
            .filter(|(_, d)| d.due.is_some_and(|at| at <= now))
            .map(|(u, _)| u.clone())
            .collect();
        for uri in due {
            self.lint(&uri);
        }
    }

    /// Lints one document now and publishes its diagnostics.
    fn lint(&mut self, uri: &Url) {
        let path = uri.to_file_path().ok();
        let resolved = self.resolver.settings_for(path.as_deref());
        let settings = match resolved {
            Ok(s) => {
                self.clear_problem();
                Some(s)
            }
            Err(p) => {
                self.show_problem(p);
                None
            }
        };
        let Some(doc) = self.docs.get_mut(uri) else {
            return;
        };
        doc.due = None;
        let (text, kind) = (&doc.text, doc.kind);
        let findings = settings.map(|s| {
            catch_unwind(AssertUnwindSafe(|| {
                // Exactly what the CLI reports for this path: config levels
                // and `off`, html.content, inline suppressions (what the
                // quick fixes insert) and unused-suppression warnings.
                crate::check::lint_text(text, kind, &s.file, true)
            }))
        });
        doc.findings = match findings {
            None => Vec::new(),
            Some(Ok(f)) => f,
            Some(Err(_)) => {
                // The panic hook has printed the panic on stderr.
                let msg = format!("internal error while linting {uri}; please report it");
                let _ = self.sender.send(
                    Notification::new(
                        notif::LogMessage::METHOD.into(),
                        LogMessageParams {
                            typ: MessageType::ERROR,
                            message: msg,
                        },
                    )
                    .into(),
                );
                Vec::new()
            }
        };
        let doc = &self.docs[uri];
        let diagnostics = self.diagnostics(uri, doc);
        self.publish(uri.clone(), diagnostics, Some(doc.version));
    }

    fn publish(&self, uri: Url, diagnostics: Vec<Diagnostic>, version: Option<i32>) {
        self.notify::<notif::PublishDiagnostics>(PublishDiagnosticsParams {
            uri,
            diagnostics,
            version,
        });
    }

    fn diagnostics(&self, uri: &Url, doc: &Doc) -> Vec<Diagnostic> {
        let index = LineIndex::new(&doc.text);
        let range = |span| index.range(&doc.text, span, self.encoding);
        doc.findings
            .iter()
            .map(|f| Diagnostic {
                range: range(f.span),
                severity: Some(match f.severity {
                    Severity::Error => DiagnosticSeverity::ERROR,
                    Severity::Warning => DiagnosticSeverity::WARNING,
                    Severity::Info => DiagnosticSeverity::INFORMATION,
                }),
                code: Some(NumberOrString::String(f.rule.clone())),
                code_description: docs::rule_docs_url(&f.rule).map(|href| CodeDescription { href }),
                source: Some("beautylint".into()),
                message: match &f.help {
                    Some(help) => format!("{}\nhelp: {help}", f.message),
                    None => f.message.clone(),
                },
                related_information: (!f.labels.is_empty()).then(|| {
                    f.labels
                        .iter()
                        .map(|l| DiagnosticRelatedInformation {
                            location: Location::new(uri.clone(), range(l.span)),
                            message: l.message.clone(),
                        })
                        .collect()
                }),
                tags: None,
                data: None,
            })
            .collect()
    }

    /// Shows a settings problem once: as a diagnostic on the file at fault
    /// when there is one, and always as a message.
    fn show_problem(&mut self, p: Arc<SettingsProblem>) {
        if self.problem.as_deref() == Some(&*p) {
            return;
        }
        self.clear_problem();
        self.notify::<notif::ShowMessage>(ShowMessageParams {
            typ: MessageType::ERROR,
            message: format!("beautylint: {}", p.message),
        });
        if let Some(uri) = p.file.as_deref().and_then(|f| Url::from_file_path(f).ok()) {
            let index = LineIndex::new(&p.file_text);
            let span = p.span.clone().unwrap_or(0..0);
            let diagnostic = Diagnostic {
                range: index.range(&p.file_text, span.into(), self.encoding),
                severity: Some(DiagnosticSeverity::ERROR),
                source: Some("beautylint".into()),
                message: p.message.clone(),
                ..Default::default()
            };
            self.publish(uri.clone(), vec![diagnostic], None);
            self.problem_uris.push(uri);
        }
        self.problem = Some(p);
    }

    fn clear_problem(&mut self) {
        self.problem = None;
        for uri in std::mem::take(&mut self.problem_uris) {
            self.publish(uri, Vec::new(), None);
        }
    }

    /// Brings a document's findings up to date before answering about them.
    fn fresh(&mut self, uri: &Url) -> Option<&Doc> {
        if self.docs.get(uri)?.due.is_some() {
            self.lint(uri);
        }
        self.docs.get(uri)
    }

    fn hover(&mut self, p: HoverParams) -> Option<Hover> {
        let uri = p.text_document_position_params.text_document.uri;
        let pos = p.text_document_position_params.position;
        let encoding = self.encoding;
        let path: Option<PathBuf> = uri.to_file_path().ok();
        let settings = self.resolver.settings_for(path.as_deref()).ok()?;
        let doc = self.fresh(&uri)?;
        let index = LineIndex::new(&doc.text);
        let offset = index.offset(&doc.text, pos, encoding);
        let hits: Vec<&Finding> = doc
            .findings
            .iter()
            .filter(|f| f.span.start <= offset && offset < f.span.end.max(f.span.start + 1))
            .collect();
        let first = hits.first()?;
        let mut seen = Vec::new();
        let mut parts = Vec::new();
        for f in &hits {
            if seen.contains(&&f.rule) {
                continue;
            }
            seen.push(&f.rule);
            let mut md = format!(
                "**beautylint: `{}`** ({})\n\n{}",
                f.rule, f.severity, f.message
            );
            if let Some(meta) = settings.rule(&f.rule) {
                if !meta.docs.trim().is_empty() {
                    md.push_str("\n\n");
                    md.push_str(meta.docs.trim());
                }
            }
            if let Some(help) = &f.help {
                md.push_str(&format!("\n\n**Help:** {help}"));
            }
            parts.push(md);
        }
        Some(Hover {
            contents: HoverContents::Markup(MarkupContent {
                kind: MarkupKind::Markdown,
                value: parts.join("\n\n---\n\n"),
            }),
            range: Some(index.range(&doc.text, first.span, encoding)),
        })
    }

    fn code_actions(&mut self, p: CodeActionParams) -> Vec<CodeActionOrCommand> {
        let uri = p.text_document.uri;
        let Some(doc) = self.docs.get(&uri) else {
            return Vec::new();
        };
        if doc.kind == DocKind::Text {
            return Vec::new(); // plain text has no comments to suppress with
        }
        let markdown = doc.kind == DocKind::Markdown;
        let index = LineIndex::new(&doc.text);
        let mut out = Vec::new();
        for d in p.context.diagnostics {
            let (Some("beautylint"), Some(NumberOrString::String(rule))) =
                (d.source.as_deref(), &d.code)
            else {
                continue;
            };
            let edit = |ins: actions::Insert| {
                let at = index.position(&doc.text, ins.offset, self.encoding);
                let edit = TextEdit::new(lsp_types::Range::new(at, at), ins.text);
                WorkspaceEdit::new(HashMap::from([(uri.clone(), vec![edit])]))
            };
            let action = |title: String, ins: actions::Insert| {
                CodeActionOrCommand::CodeAction(CodeAction {
                    title,
                    kind: Some(CodeActionKind::QUICKFIX),
                    diagnostics: Some(vec![d.clone()]),
                    edit: Some(edit(ins)),
                    ..Default::default()
                })
            };
            let line = d.range.start.line as usize;
            if let Some(r) = index.line_range(&doc.text, line) {
                let start = r.start;
                if let Some(ins) = actions::disable_next_line(&doc.text, start, &doc.text[r], rule)
                {
                    out.push(action(format!("Disable {rule} for this line"), ins));
                }
            }
            out.push(action(
                format!("Disable {rule} in this file"),
                actions::disable_file(&doc.text, markdown, rule),
            ));
        }
        out
    }
}
