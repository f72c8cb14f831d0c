//! One check run: walk, read and lint in parallel, then sort into a
//! [`Report`]. Per-file problems never stop the run: unreadable files become
//! skipped entries marked as errors (exit code 2 at the end).

use std::collections::{HashMap, HashSet};
use std::io::{self, Write};
use std::path::PathBuf;
use std::sync::Mutex;

use crate::cache::Cache;
use crate::config::{DiagError, FileSettings, Resolver};
use crate::document::{self, DocKind};
use crate::report::{FileReport, Report, Skipped, Source};
use crate::rules::{Finding, Severity};
use crate::settings::Settings;
use crate::source::{self, Loaded};
use crate::suppress;
use crate::walk::{self, WalkEvent};

/// What the workers gather; sorted once they are done.
#[derive(Default)]
struct Collected {
    report: Report,
    /// Paths already handled (a file can be named twice, or named and walked).
    seen: HashSet<PathBuf>,
    /// Non-fatal warnings for stderr, `(path, message)`.
    warnings: Vec<(PathBuf, String)>,
}

enum Outcome {
    Checked {
        file: FileReport,
        warning: Option<String>,
    },
    Skipped(Skipped),
}

/// The outcome of [`run_configured`].
#[derive(Debug, Default)]
pub struct Checked {
    pub report: Report,
    /// The `fail-on` severity of each file with findings (it can differ
    /// between folders).
    pub fail_on: HashMap<PathBuf, Severity>,
}

impl Checked {
    /// Findings at or above their file's `fail-on` (exit code 1).
    pub fn failing(&self) -> usize {
        self.report
            .findings()
            .filter(|(file, f)| {
                f.severity
                    >= self
                        .fail_on
                        .get(&file.path)
                        .copied()
                        .unwrap_or(Severity::Error)
            })
            .count()
    }
}

/// Why [`run_configured`] stopped.
#[derive(Debug)]
pub enum RunError {
    /// Writing to `err` failed.
    Io(io::Error),
    /// A config or pack file cannot be used (exit code 2, nothing reported).
    Config(DiagError),
}

impl From<io::Error> for RunError {
    fn from(e: io::Error) -> RunError {
        RunError::Io(e)
    }
}

/// Lints everything `settings.paths` names, with per-file settings from config files, inline
/// suppressions and stdin (`-` in `settings.paths`, read from `stdin`).
pub fn run_configured(
    settings: &Settings,
    resolver: &Resolver,
    cache: Option<&Cache>,
    stdin: Option<Vec<u8>>,
    err: &mut dyn Write,
) -> Result<Checked, RunError> {
    #[derive(Default)]
    struct State {
        collected: Collected,
        fail_on: HashMap<PathBuf, Severity>,
        config_error: Option<DiagError>,
    }
    let state = Mutex::new(State::default());
    let lock = || state.lock().unwrap_or_else(|p| p.into_inner());
    let record = |result: Result<Option<(Outcome, Severity)>, DiagError>| {
        let mut s = lock();
        let (outcome, fail_on) = match result {
            Ok(Some(x)) => x,
            Ok(None) => return,
            Err(e) => {
                s.config_error.get_or_insert(e);
                return;
            }
        };
        match outcome {
            Outcome::Checked { file, warning } => {
                s.collected.report.files_checked += 1;
                if let Some(w) = warning {
                    s.collected.warnings.push((file.path.clone(), w));
                }
                if !file.findings.is_empty() {
                    s.fail_on.insert(file.path.clone(), fail_on);
                    s.collected.report.files.push(file);
                } else {
                    s.collected.report.clean.push(file.path);
                }
            }
            Outcome::Skipped(sk) => s.collected.report.skipped.push(sk),
        }
    };
    let stdin_name = settings.stdin_filename.clone();
    if let Some(bytes) = stdin {
        record(lint_configured(
            Input::Stdin(bytes, stdin_name),
            resolver,
            settings.inline_config,
            settings.stop_after,
            cache,
            false,
        ));
    }
    let paths: Vec<PathBuf> = settings
        .paths
        .iter()
        .filter(|p| p.as_os_str() != "-")
        .cloned()
        .collect();
    walk::walk(&paths, &settings.walk_options(), |event| {
        if lock().config_error.is_some() {
            return;
        }
        match event {
            WalkEvent::File { path, explicit } => {
                let key: PathBuf = path
                    .components()
                    .filter(|c| !matches!(c, std::path::Component::CurDir))
                    .collect();
                if !lock().collected.seen.insert(key) {
                    return;
                }
                record(lint_configured(
                    Input::File(path, explicit),
                    resolver,
                    settings.inline_config,
                    settings.stop_after,
                    cache,
                    false,
                ));
            }
            WalkEvent::Warning { path, message } => {
                lock().collected.warnings.push((path, message));
            }
            WalkEvent::Error { path, message } => {
                lock().collected.report.skipped.push(Skipped {
                    path,
                    reason: message,
                    error: true,
                });
            }
        }
    });
    let State {
        collected,
        fail_on,
        config_error,
    } = state.into_inner().unwrap_or_else(|p| p.into_inner());
    if let Some(e) = config_error {
        return Err(RunError::Config(e));
    }
    let Collected {
        mut report,
        mut warnings,
        ..
    } = collected;
    report.sort();
    let errors: Vec<&Skipped> = report.skipped.iter().filter(|s| s.error).collect();
    print_problems(err, &errors, &mut warnings)?;
    Ok(Checked { report, fail_on })
}

/// The run's file errors (sorted), then its warnings (sorted here), on stderr.
fn print_problems(
    err: &mut dyn Write,
    errors: &[&Skipped],
    warnings: &mut [(PathBuf, String)],
) -> io::Result<()> {
    warnings.sort();
    for s in errors {
        writeln!(err, "beautylint: error: {}: {}", s.path.display(), s.reason)?;
    }
    for (path, w) in warnings.iter() {
        writeln!(err, "beautylint: warning: {}: {w}", path.display())?;
    }
    Ok(())
}

/// What [`lint_configured`] reads.
enum Input {
    /// A path and whether it was named on the command line.
    File(PathBuf, bool),
    /// Standard input's bytes and the `--stdin-filename`.
    Stdin(Vec<u8>, Option<PathBuf>),
}

/// Lints one input with its settings. `Ok(None)`: excluded by the config.
fn lint_configured(
    input: Input,
    resolver: &Resolver,
    inline_config: bool,
    stop_after: Option<Stage>,
    cache: Option<&Cache>,
    hold: bool,
) -> Result<Option<(Outcome, Severity)>, DiagError> {
    let (path, explicit, stdin) = match input {
        Input::File(p, explicit) => (p, explicit, None),
        Input::Stdin(bytes, name) => (
            name.unwrap_or_else(|| PathBuf::from("-")),
            true,
            Some(bytes),
        ),
    };
    let from_stdin = stdin.is_some();
    let fs = resolver.for_file(&path)?;
    if fs.excluded && !explicit {
        return Ok(None);
    }
    let fail_on = fs.resolved.fail_on;
    let max = fs.resolved.max_file_size;
    let skipped = |path, reason, error| {
        Ok(Some((
            Outcome::Skipped(Skipped {
                path,
                reason,
                error,
            }),
            fail_on,
        )))
    };
    let loaded = match stdin {
        Some(bytes) if bytes.len() as u64 > max => {
            let reason = format!(
                "file is larger than --max-file-size ({} > {max} bytes)",
                bytes.len()
            );
            return skipped(path, reason, false);
        }
        Some(bytes) => Ok(source::decode(bytes)),
        None => source::read(&path, max),
    };
    let text = match loaded {
        Ok(Loaded::Text(t)) => t,
        Ok(Loaded::Skipped(reason)) => return skipped(path, reason, false),
        Err(e) => return skipped(path, e.to_string(), true),
    };
    let warning = (text.invalid_bytes > 0).then(|| {
        format!(
            "{} byte(s) are not valid UTF-8; each was read as U+001A (offsets unchanged)",
            text.invalid_bytes
        )
    });
    // `-` (stdin without a name) has no extension: plain text.
    let kind = DocKind::from_path(&path);
    // A bug that panics on one file must not take the run down with it.
    let lint = || {
        let may_fire = fs.resolved.linter.may_fire(&text.text);
        match stop_after {
            Some(Stage::Read) => return Vec::new(),
            Some(Stage::Parse) => {
                if may_fire {
                    std::hint::black_box(parse(&text.text, kind, &fs));
                }
                return Vec::new();
            }
            None => {}
        }
        match cache {
            // A file the prefilter rules out costs less to lint than to look up.
            Some(cache) if may_fire => {
                let key = cache.key(&fs, kind, inline_config, &text.text);
                cache.get(key).unwrap_or_else(|| {
                    let findings = lint_prefiltered(&text.text, kind, &fs, inline_config, true);
                    cache.put(key, &findings);
                    findings
                })
            }
            _ => lint_prefiltered(&text.text, kind, &fs, inline_config, may_fire),
        }
    };
    let findings = match guarded(lint) {
        Ok(f) => f,
        Err(why) => {
            let reason = format!("internal error while linting (please report it): {why}");
            return skipped(path, reason, true);
        }
    };
    let outcome = Outcome::Checked {
        file: FileReport {
            path,
            // Standard input cannot be read again for the report; a file
            // can, so a run that holds all findings drops its text here.
            held: ((from_stdin || hold) && !findings.is_empty()).then(|| Source {
                text: text.text.into(),
                file_offsets: text.legacy.map(|l| l.offsets.into()),
            }),
            findings,
        },
        warning,
    };
    Ok(Some((outcome, fail_on)))
}

/// Runs `f`, turning a panic into its message.
fn guarded<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).map_err(|p| {
        p.downcast_ref::<String>()
            .cloned()
            .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_else(|| "panic".into())
    })
}

/// Lints one text with one file's settings: what the CLI reports for it
/// (rule levels and `off`, html options, inline suppressions and
/// `suppression/unused` when `inline_config`). The language server uses it
/// too, so an editor shows exactly what the CLI would.
pub fn lint_text(
    text: &str,
    kind: DocKind,
    fs: &FileSettings,
    inline_config: bool,
) -> Vec<Finding> {
    let may_fire = fs.resolved.linter.may_fire(text);
    lint_prefiltered(text, kind, fs, inline_config, may_fire)
}

/// [`lint_text`] with the prefilter's answer (`may_fire`) already known.
fn lint_prefiltered(
    text: &str,
    kind: DocKind,
    fs: &FileSettings,
    inline_config: bool,
    may_fire: bool,
) -> Vec<Finding> {
    // A file with none of the packs' trigger terms cannot have a finding:
    // it counts as checked without being parsed.
    let raw = if may_fire {
        fs.resolved.linter.check(&parse(text, kind, fs))
    } else {
        Vec::new()
    };
    let mut findings: Vec<Finding> = raw
        .into_iter()
        .filter_map(|mut f| {
            f.severity = fs.level(&f.rule)?;
            Some(f)
        })
        .collect();
    if inline_config {
        let directives = suppress::directives(text, kind);
        if !directives.is_empty() {
            let known = |sel: &str| fs.rules.keys().any(|id| suppress::selects(sel, id));
            let (kept, unused) = suppress::apply(text, &directives, findings, &known);
            findings = kept;
            if let Some(level) = fs.level(suppress::UNUSED) {
                findings.extend(unused.into_iter().map(|mut f| {
                    f.severity = level;
                    f
                }));
            }
        }
    }
    findings
}

/// `text` as a document, with the file's HTML options.
fn parse(text: &str, kind: DocKind, fs: &FileSettings) -> document::Document {
    match kind {
        DocKind::Html => document::html::parse_with(text, &fs.resolved.html),
        other => document::parse(text, other),
    }
}

/// Where `--stop-after` ends each file's work (benchmarking: what reading,
/// or reading and parsing, cost without the rules).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Stage {
    /// Walk, read, decode and prefilter each file.
    Read,
    /// Also parse each file the prefilter lets through.
    Parse,
}

/// A file's outcome, handed over in path order by [`run_streamed`].
pub enum Streamed<T> {
    /// Linted, with findings (sorted as in a [`Report`]); its `fail-on`;
    /// what the run's `render` made of it.
    Findings(FileReport, Severity, T),
    /// Linted, no finding.
    Clean(PathBuf),
    /// Not linted (binary, too large, unreadable…).
    Skipped(Skipped),
}

/// How far the workers may run ahead of the file being handed over: what a
/// slow file makes the run hold at most.
const STREAM_WINDOW: usize = 256;

/// Lints everything `settings.paths` names (no standard input) like
/// [`run_configured`], but hands each file's outcome to `sink` in path order
/// as soon as it and every file before it are linted, so a run holds the
/// sorted list of paths and a window of results, never all findings.
///
/// Every file's settings are resolved before anything is linted, so a bad
/// config file stops the run before `sink` sees anything. Walk errors reach
/// `sink` first (as skipped files); warnings go to `err` at the end.
///
/// `render` runs on the worker that linted a file with findings, while its
/// text is still in memory: the report is written from what it returns.
pub fn run_streamed<T: Send>(
    settings: &Settings,
    resolver: &Resolver,
    cache: Option<&Cache>,
    render: &(dyn Fn(&FileReport) -> T + Sync),
    err: &mut dyn Write,
    sink: &mut dyn FnMut(Streamed<T>) -> io::Result<()>,
) -> Result<(), RunError> {
    #[derive(Default)]
    struct Walked {
        files: Vec<(PathBuf, bool)>,
        skipped: Vec<Skipped>,
        warnings: Vec<(PathBuf, String)>,
        config_error: Option<DiagError>,
    }
    let walked = Mutex::new(Walked::default());
    let lock = || walked.lock().unwrap_or_else(|p| p.into_inner());
    walk::walk(
        &settings.paths,
        &settings.walk_options(),
        |event| match event {
            WalkEvent::File { path, explicit } => {
                if let Err(e) = resolver.for_file(&path) {
                    lock().config_error.get_or_insert(e);
                    return;
                }
                lock().files.push((path, explicit));
            }
            WalkEvent::Warning { path, message } => lock().warnings.push((path, message)),
            WalkEvent::Error { path, message } => lock().skipped.push(Skipped {
                path,
                reason: message,
                error: true,
            }),
        },
    );
    let Walked {
        mut files,
        skipped: walk_errors,
        mut warnings,
        config_error,
    } = walked.into_inner().unwrap_or_else(|p| p.into_inner());
    if let Some(e) = config_error {
        return Err(RunError::Config(e));
    }
    // A file named twice ("a.md", "./a.md") is linted once, then all go in
    // the order a report sorts files in.
    let key = |p: &std::path::Path| -> PathBuf {
        p.components()
            .filter(|c| !matches!(c, std::path::Component::CurDir))
            .collect()
    };
    let plain = |p: &std::path::Path| {
        !p.components()
            .any(|c| matches!(c, std::path::Component::CurDir))
    };
    // The kept entry is explicit if either was (named files skip `exclude`).
    let merge = |dropped: &mut (PathBuf, bool), kept: &mut (PathBuf, bool)| {
        kept.1 |= dropped.1;
        true
    };
    // Plain paths (see `walk::all_plain`) name a file one way only.
    if files.iter().all(|(p, _)| plain(p)) || walk::all_plain(files.iter().map(|f| f.0.as_path())) {
        walk::sort_by_path(&mut files, |f| &f.0, |a, b| a.1.cmp(&b.1));
        files.dedup_by(|a, b| a.0 == b.0 && merge(a, b));
    } else {
        files.sort_by(|a, b| key(&a.0).cmp(&key(&b.0)).then_with(|| a.cmp(b)));
        files.dedup_by(|a, b| key(&a.0) == key(&b.0) && merge(a, b));
        files.sort();
    }
    files.shrink_to_fit();
    let mut errors: Vec<Skipped> = walk_errors.clone();
    for s in walk_errors {
        sink(Streamed::Skipped(s))?;
    }

    let threads = match settings.walk_options().threads {
        0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
        n => n,
    };
    let next = std::sync::atomic::AtomicUsize::new(0);
    // (files handed over so far, stop): workers wait on it to stay in the window.
    let progress = Mutex::new((0usize, false));
    let moved = std::sync::Condvar::new();
    let files = &files;
    let mut failure: Option<io::Error> = None;
    std::thread::scope(|scope| {
        let (tx, rx) = crossbeam_channel::unbounded();
        for _ in 0..threads {
            let tx = tx.clone();
            let (next, progress, moved) = (&next, &progress, &moved);
            scope.spawn(move || loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if i >= files.len() {
                    return;
                }
                {
                    let mut p = progress.lock().unwrap_or_else(|p| p.into_inner());
                    while !p.1 && i >= p.0 + STREAM_WINDOW {
                        p = moved.wait(p).unwrap_or_else(|p| p.into_inner());
                    }
                    if p.1 {
                        return;
                    }
                }
                let (path, explicit) = &files[i];
                let result = lint_configured(
                    Input::File(path.clone(), *explicit),
                    resolver,
                    settings.inline_config,
                    settings.stop_after,
                    cache,
                    true,
                );
                let item = match result {
                    // Resolved before the walk ended; cannot fail now.
                    Ok(None) | Err(_) => None,
                    Ok(Some((Outcome::Skipped(s), _))) => Some((Streamed::Skipped(s), None)),
                    Ok(Some((Outcome::Checked { mut file, warning }, fail_on))) => {
                        Some((
                            if file.findings.is_empty() {
                                Streamed::Clean(file.path)
                            } else {
                                crate::report::sort_findings(&mut file.findings);
                                let rendered = render(&file);
                                // Rendered: the window need not hold the text.
                                file.held = None;
                                Streamed::Findings(file, fail_on, rendered)
                            },
                            warning,
                        ))
                    }
                };
                if tx.send((i, item)).is_err() {
                    return;
                }
            });
        }
        drop(tx);
        let mut pending = std::collections::BTreeMap::new();
        let mut want = 0;
        'receive: for (i, item) in rx {
            pending.insert(i, item);
            while let Some(item) = pending.remove(&want) {
                want += 1;
                let streamed = item.map(|(streamed, warning)| {
                    match &streamed {
                        Streamed::Skipped(s) if s.error => errors.push(s.clone()),
                        Streamed::Findings(FileReport { path, .. }, ..) | Streamed::Clean(path) => {
                            if let Some(w) = warning {
                                warnings.push((path.clone(), w));
                            }
                        }
                        Streamed::Skipped(_) => {}
                    }
                    streamed
                });
                let sent = streamed.map_or(Ok(()), &mut *sink);
                let mut p = progress.lock().unwrap_or_else(|p| p.into_inner());
                p.0 = want;
                if let Err(e) = sent {
                    p.1 = true;
                    failure = Some(e);
                }
                moved.notify_all();
                if failure.is_some() {
                    break 'receive;
                }
            }
        }
    });
    if let Some(e) = failure {
        return Err(RunError::Io(e));
    }
    errors.sort();
    print_problems(err, &errors.iter().collect::<Vec<_>>(), &mut warnings)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::guarded;

    #[test]
    fn a_panic_becomes_a_message() {
        assert_eq!(guarded(|| 7), Ok(7));
        let v: Vec<u8> = Vec::new();
        let err = guarded(|| v[3]).unwrap_err();
        assert!(err.contains("index out of bounds"), "{err}");
        assert_eq!(guarded(|| -> u8 { panic!("boom") }).unwrap_err(), "boom");
    }
}
