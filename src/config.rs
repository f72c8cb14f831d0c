//! `beautylint.toml`: discovery, `extend`, and per-file settings.
//!
//! For each linted file the nearest `beautylint.toml` from the file's folder
//! upward applies (`--config F` uses F for every file; `--isolated` uses
//! none). `extend = "path"` inherits another file; paths in a config file
//! (packs, extend, globs) are relative to that file's folder. Command-line
//! flags win over config files, which win over the defaults.
//!
//! Configs are loaded once per file and resolved once per folder (cached),
//! so a large tree costs a hash lookup per file.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::ops::Range;
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex};

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use miette::{Diagnostic, NamedSource, SourceSpan};
use serde::Deserialize;
use thiserror::Error;
use toml::Spanned;

use crate::document::html::{HtmlOptions, Selector};
use crate::pack::Pack;
use crate::rules::{LintOptions, Linter, Severity};
use crate::suppress;

/// The config file name looked for in every folder.
pub const FILE_NAME: &str = "beautylint.toml";

/// The default `max-file-size` (16 MiB).
pub const DEFAULT_MAX_FILE_SIZE: u64 = 16 * 1024 * 1024;

/// An error that renders as a diagnostic (a config or pack problem).
pub type DiagError = Box<dyn Diagnostic + Send + Sync + 'static>;

/// A config file that cannot be used, pointing into it.
#[derive(Debug, Error, Diagnostic)]
#[error("{message}")]
#[diagnostic(code(beautylint::config))]
pub struct ConfigError {
    pub message: String,
    #[source_code]
    pub src: NamedSource<String>,
    #[label("{label}")]
    pub span: Option<SourceSpan>,
    pub label: String,
    #[help]
    pub help: Option<String>,
}

fn error(
    file: &ConfigFile,
    span: Option<Range<usize>>,
    message: impl Into<String>,
    label: impl Into<String>,
    help: Option<String>,
) -> DiagError {
    Box::new(ConfigError {
        message: message.into(),
        src: NamedSource::new(file.path.display().to_string(), file.text.clone()),
        span: span.map(|r| (r.start, r.end - r.start).into()),
        label: label.into(),
        help,
    })
}

fn plain_error(message: String) -> DiagError {
    Box::new(ConfigError {
        message,
        src: NamedSource::new("", String::new()),
        span: None,
        label: String::new(),
        help: None,
    })
}

/// A `[severity]` value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RuleLevel {
    Error,
    Warning,
    Info,
    Off,
}

impl RuleLevel {
    fn severity(self) -> Option<Severity> {
        match self {
            RuleLevel::Error => Some(Severity::Error),
            RuleLevel::Warning => Some(Severity::Warning),
            RuleLevel::Info => Some(Severity::Info),
            RuleLevel::Off => None,
        }
    }
}

/// One `[[overrides]]` table.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawOverride {
    pub files: Vec<Spanned<String>>,
    #[serde(default)]
    pub select: Option<Vec<Spanned<String>>>,
    #[serde(default)]
    pub ignore: Vec<Spanned<String>>,
    #[serde(default)]
    pub severity: BTreeMap<Spanned<String>, Spanned<RuleLevel>>,
}

/// `[html]`.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawHtml {
    #[serde(default)]
    pub content: Option<Vec<Spanned<String>>>,
}

/// `[contraindications]`.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawContra {
    #[serde(default)]
    pub require: Option<Spanned<Vec<String>>>,
}

/// A `beautylint.toml` as written.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawConfig {
    #[serde(default)]
    pub extend: Option<Spanned<String>>,
    #[serde(default)]
    pub packs: Vec<Spanned<String>>,
    #[serde(default)]
    pub select: Option<Vec<Spanned<String>>>,
    #[serde(default)]
    pub ignore: Vec<Spanned<String>>,
    #[serde(default)]
    pub severity: BTreeMap<Spanned<String>, Spanned<RuleLevel>>,
    #[serde(default)]
    pub overrides: Vec<RawOverride>,
    #[serde(default)]
    pub fail_on: Option<Severity>,
    #[serde(default)]
    pub exclude: Vec<Spanned<String>>,
    #[serde(default)]
    pub html: RawHtml,
    #[serde(default)]
    pub contraindications: RawContra,
    #[serde(default)]
    pub max_file_size: Option<u64>,
}

/// A loaded config file.
#[derive(Debug)]
pub struct ConfigFile {
    /// Absolute.
    pub path: PathBuf,
    /// The folder its relative paths start from.
    pub dir: PathBuf,
    pub text: String,
    pub raw: RawConfig,
}

impl ConfigFile {
    /// Reads and parses one file (no `extend`).
    pub fn load(path: &Path) -> Result<ConfigFile, DiagError> {
        let path = absolute(path);
        let text = std::fs::read_to_string(&path)
            .map_err(|e| plain_error(format!("cannot read config {}: {e}", path.display())))?;
        ConfigFile::parse(path, text)
    }

    /// Parses the text of a config file at `path` (absolute; used for its
    /// folder and in messages). Nothing is read; `extend` is not followed.
    pub fn parse(path: PathBuf, text: String) -> Result<ConfigFile, DiagError> {
        let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        let mut file = ConfigFile {
            path,
            dir,
            text,
            raw: RawConfig::default(),
        };
        file.raw = toml::from_str(&file.text).map_err(|e| {
            error(
                &file,
                e.span(),
                format!("invalid config {}: {}", file.path.display(), e.message()),
                "here",
                Some("see the config file reference in the README".into()),
            )
        })?;
        Ok(file)
    }

    /// The checks of this file alone that need no other file: its globs,
    /// its HTML selectors, and that every rule id or pack name it names
    /// exists in `linter`. Resolving a config makes the same checks.
    pub fn validate(&self, linter: &Linter) -> Result<(), DiagError> {
        for o in &self.raw.overrides {
            Globs::new(self, &o.files)?;
        }
        Globs::new(self, &self.raw.exclude)?;
        if let Some(c) = &self.raw.html.content {
            content_selectors(self, c)?;
        }
        check_selectors(self, &known_selectors(linter))
    }
}

/// `[html] content` parsed, an error pointing at the bad selector.
fn content_selectors(f: &ConfigFile, c: &[Spanned<String>]) -> Result<Vec<Selector>, DiagError> {
    c.iter()
        .map(|s| {
            s.get_ref().parse::<Selector>().map_err(|e| {
                error(
                    f,
                    Some(s.span()),
                    format!("invalid selector in {}: {e}", f.path.display()),
                    "this selector",
                    None,
                )
            })
        })
        .collect()
}

/// An absolute path with `.` and `..` removed lexically (no file system
/// access, so it works for names that do not exist, like a stdin filename).
pub fn absolute(path: &Path) -> PathBuf {
    let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    normalize(&abs)
}

/// [`absolute`] against a working directory already known (asking the OS
/// for it is a system call, once per file otherwise).
fn absolute_in(cwd: Option<&Path>, path: &Path) -> PathBuf {
    match cwd {
        Some(cwd) if path.is_relative() => normalize(&cwd.join(path)),
        _ => absolute(path),
    }
}

/// Drops `.` and resolves `..` lexically.
fn normalize(abs: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in abs.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// Select/ignore/severity of one config file or override, in a form that
/// can be applied to rule ids.
#[derive(Debug, Clone, Default)]
struct Layer {
    select: Option<Vec<String>>,
    ignore: Vec<String>,
    severity: Vec<(String, RuleLevel)>,
}

impl Layer {
    fn new(
        select: &Option<Vec<Spanned<String>>>,
        ignore: &[Spanned<String>],
        severity: &BTreeMap<Spanned<String>, Spanned<RuleLevel>>,
    ) -> Layer {
        Layer {
            select: select
                .as_ref()
                .map(|s| s.iter().map(|x| x.get_ref().clone()).collect()),
            ignore: ignore.iter().map(|x| x.get_ref().clone()).collect(),
            severity: severity
                .iter()
                .map(|(k, v)| (k.get_ref().clone(), *v.get_ref()))
                .collect(),
        }
    }

    /// Applies this layer to a rule's `(enabled, severity)`: `select`
    /// decides which rules are on, then `[severity]` sets levels (`off`
    /// turns a rule off; a rule id beats its pack name), then `ignore`
    /// turns rules off.
    fn apply(&self, rule: &str, state: &mut (bool, Severity)) {
        if let Some(sel) = &self.select {
            state.0 = sel.iter().any(|s| suppress::selects(s, rule));
        }
        let level = self.severity.iter().find(|(k, _)| k == rule).or_else(|| {
            self.severity
                .iter()
                .find(|(k, _)| suppress::selects(k, rule))
        });
        match level.map(|(_, l)| l.severity()) {
            Some(Some(s)) => state.1 = s,
            Some(None) => state.0 = false,
            None => {}
        }
        if self.ignore.iter().any(|s| suppress::selects(s, rule)) {
            state.0 = false;
        }
    }
}

/// Globs relative to a folder; a pattern without `/` matches a name at any
/// depth, and a match on a folder covers everything in it (as in gitignore).
#[derive(Debug, Clone)]
struct Globs {
    base: PathBuf,
    set: GlobSet,
    patterns: Vec<String>,
}

impl Globs {
    fn new(file: &ConfigFile, patterns: &[Spanned<String>]) -> Result<Globs, DiagError> {
        let mut b = GlobSetBuilder::new();
        for p in patterns {
            let pat = p.get_ref().trim_start_matches("./").trim_end_matches('/');
            let pat = if pat.contains('/') {
                pat.trim_start_matches('/').to_string()
            } else {
                format!("**/{pat}")
            };
            let glob = GlobBuilder::new(&pat)
                .literal_separator(true)
                .build()
                .map_err(|e| {
                    error(
                        file,
                        Some(p.span()),
                        format!("invalid glob in {}: {e}", file.path.display()),
                        "this glob",
                        None,
                    )
                })?;
            b.add(glob);
        }
        Ok(Globs {
            base: file.dir.clone(),
            set: b.build().map_err(|e| plain_error(e.to_string()))?,
            patterns: patterns.iter().map(|p| p.get_ref().clone()).collect(),
        })
    }

    /// Whether `path` (absolute) or one of its folders below the base matches.
    fn matches(&self, path: &Path) -> bool {
        let Ok(rel) = path.strip_prefix(&self.base) else {
            return false;
        };
        rel.ancestors()
            .filter(|a| !a.as_os_str().is_empty())
            .any(|a| self.set.is_match(a))
    }
}

/// Settings that come from one chain of config files (a file and the files
/// it extends), before the per-file parts (overrides) are applied.
#[derive(Debug)]
pub struct Resolved {
    /// The config files used, the extended ones first (lowest precedence).
    pub sources: Vec<PathBuf>,
    /// Pack files (config packs first, then `--pack`).
    pub packs: Vec<PathBuf>,
    pub fail_on: Severity,
    pub max_file_size: u64,
    /// `None`: the pack's core set.
    pub require: Option<Vec<String>>,
    pub html: HtmlOptions,
    pub linter: Arc<Linter>,
    layers: Vec<Layer>,
    overrides: Vec<(Globs, Layer)>,
    exclude: Vec<Globs>,
    /// The rule levels of a file no override matches: most files share it.
    base_rules: Arc<BTreeMap<String, Option<Severity>>>,
}

/// Everything one file is checked with.
#[derive(Debug, Clone)]
pub struct FileSettings {
    pub resolved: Arc<Resolved>,
    /// Every rule (and `suppression/unused`) and its severity, `None` when off.
    pub rules: Arc<BTreeMap<String, Option<Severity>>>,
    /// Matched by an `exclude` glob (a walked file is then skipped).
    pub excluded: bool,
}

impl FileSettings {
    /// The severity of a rule for this file, `None` when it is off.
    pub fn level(&self, rule: &str) -> Option<Severity> {
        self.rules.get(rule).copied().flatten()
    }
}

/// What the command line says, which wins over config files.
#[derive(Debug, Clone, Default)]
pub struct CliOverrides {
    pub packs: Vec<PathBuf>,
    pub require: Option<Vec<String>>,
    pub fail_on: Option<Severity>,
    pub max_file_size: Option<u64>,
}

/// Where configuration comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// The nearest `beautylint.toml` of each file.
    Discover,
    /// This file for every file (`--config`).
    File(PathBuf),
    /// No config files (`--isolated`).
    Isolated,
}

type LinterKey = (Vec<PathBuf>, Option<Vec<String>>);

/// Resolves settings per file, caching per folder and per config file.
pub struct Resolver {
    source: Source,
    cli: CliOverrides,
    /// Folder → nearest config file (if any).
    dirs: Mutex<HashMap<PathBuf, Option<PathBuf>>>,
    /// Config file (or "" for none) → resolved chain.
    chains: Mutex<HashMap<PathBuf, Arc<Resolved>>>,
    /// Folder as the walk names it → resolved chain: one lookup per file,
    /// without making its path absolute, when no glob needs that path.
    folders: Mutex<HashMap<PathBuf, Arc<Resolved>>>,
    linters: Mutex<HashMap<LinterKey, Arc<Linter>>>,
    /// Held while a chain, or a linter, is built: walker threads asking for
    /// the same one at once would each build it (a linter compiles its
    /// packs, and then each compiles its cue regexes as pages need them).
    building_chain: Mutex<()>,
    building_linter: Mutex<()>,
    /// The working directory when the run started.
    cwd: Option<PathBuf>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Resolver {
    /// A resolver. With `--config` the file is loaded (and checked) now.
    pub fn new(source: Source, cli: CliOverrides) -> Result<Resolver, DiagError> {
        let r = Resolver {
            source,
            cli,
            dirs: Mutex::default(),
            chains: Mutex::default(),
            folders: Mutex::default(),
            linters: Mutex::default(),
            building_chain: Mutex::default(),
            building_linter: Mutex::default(),
            cwd: std::env::current_dir().ok(),
        };
        match &r.source {
            Source::File(f) => {
                r.chain(Some(&absolute(f)))?;
            }
            Source::Isolated => {
                r.chain(None)?;
            }
            Source::Discover => {}
        }
        Ok(r)
    }

    /// The settings for one file (which need not exist: a stdin filename).
    pub fn for_file(&self, path: &Path) -> Result<FileSettings, DiagError> {
        let folder = path.parent().unwrap_or(Path::new(""));
        let cached = lock(&self.folders).get(folder).cloned();
        let resolved = match cached {
            Some(r) => r,
            None => {
                let abs = absolute_in(self.cwd.as_deref(), path);
                let config = match &self.source {
                    Source::Isolated => None,
                    Source::File(f) => Some(absolute(f)),
                    Source::Discover => self.nearest(abs.parent().unwrap_or(Path::new("/"))),
                };
                let r = self.chain(config.as_deref())?;
                lock(&self.folders).insert(folder.to_path_buf(), r.clone());
                r
            }
        };
        if resolved.overrides.is_empty() && resolved.exclude.is_empty() {
            return Ok(FileSettings {
                rules: resolved.base_rules.clone(),
                resolved,
                excluded: false,
            });
        }
        let abs = absolute_in(self.cwd.as_deref(), path);
        let overrides: Vec<&Layer> = resolved
            .overrides
            .iter()
            .filter(|(g, _)| g.matches(&abs))
            .map(|(_, l)| l)
            .collect();
        let rules = if overrides.is_empty() {
            resolved.base_rules.clone()
        } else {
            Arc::new(rule_levels(&resolved.linter, &resolved.layers, &overrides))
        };
        let excluded = resolved.exclude.iter().any(|g| g.matches(&abs));
        Ok(FileSettings {
            resolved,
            rules,
            excluded,
        })
    }

    /// The rule metadata of the built-in packs plus `--pack` files (what a
    /// report lists), from the linter the files used when it is the same.
    pub fn base_rules(&self) -> Result<Vec<crate::rules::RuleMeta>, Box<crate::pack::PackError>> {
        let packs: Vec<PathBuf> = self.cli.packs.iter().map(|p| absolute(p)).collect();
        let cached = lock(&self.linters)
            .iter()
            .find(|((p, _), _)| *p == packs)
            .map(|(_, l)| l.clone());
        let linter = match cached {
            Some(l) => l,
            None => self.linter(&packs, &self.cli.require)?,
        };
        Ok(linter.rules())
    }

    /// The nearest config file at or above `dir` (absolute), cached.
    fn nearest(&self, dir: &Path) -> Option<PathBuf> {
        if let Some(hit) = lock(&self.dirs).get(dir) {
            return hit.clone();
        }
        let candidate = dir.join(FILE_NAME);
        let found = if candidate.is_file() {
            Some(candidate)
        } else {
            dir.parent().and_then(|p| self.nearest(p))
        };
        lock(&self.dirs).insert(dir.to_path_buf(), found.clone());
        found
    }

    /// The resolved settings of a config file and the files it extends.
    fn chain(&self, config: Option<&Path>) -> Result<Arc<Resolved>, DiagError> {
        let key = config.map(Path::to_path_buf).unwrap_or_default();
        if let Some(r) = lock(&self.chains).get(&key) {
            return Ok(r.clone());
        }
        let _building = lock(&self.building_chain);
        if let Some(r) = lock(&self.chains).get(&key) {
            return Ok(r.clone());
        }
        let files = match config {
            Some(p) => load_chain(p)?,
            None => Vec::new(),
        };
        let resolved = Arc::new(self.resolve(files)?);
        lock(&self.chains).insert(key, resolved.clone());
        Ok(resolved)
    }

    fn resolve(&self, files: Vec<ConfigFile>) -> Result<Resolved, DiagError> {
        let mut packs = Vec::new();
        let mut layers = Vec::new();
        let mut overrides = Vec::new();
        let mut exclude = Vec::new();
        let (mut fail_on, mut max_file_size, mut require, mut content) = (None, None, None, None);
        let mut require_at: Option<&ConfigFile> = None;
        for f in &files {
            let raw = &f.raw;
            for p in &raw.packs {
                let path = absolute(&f.dir.join(p.get_ref()));
                if !packs.contains(&path) {
                    packs.push(path);
                }
            }
            layers.push(Layer::new(&raw.select, &raw.ignore, &raw.severity));
            for o in &raw.overrides {
                let globs = Globs::new(f, &o.files)?;
                overrides.push((globs, Layer::new(&o.select, &o.ignore, &o.severity)));
            }
            if !raw.exclude.is_empty() {
                exclude.push(Globs::new(f, &raw.exclude)?);
            }
            fail_on = raw.fail_on.or(fail_on);
            max_file_size = raw.max_file_size.or(max_file_size);
            if let Some(r) = &raw.contraindications.require {
                require = Some(r.get_ref().clone());
                require_at = Some(f);
            }
            if let Some(c) = &raw.html.content {
                content = Some(content_selectors(f, c)?);
            }
        }
        for p in &self.cli.packs {
            let path = absolute(p);
            if !packs.contains(&path) {
                packs.push(path);
            }
        }
        if self.cli.require.is_some() {
            require = self.cli.require.clone();
            require_at = None;
        }
        let linter = self
            .linter(&packs, &require)
            .map_err(|e| match require_at {
                // A bad category named in a config file: point there.
                Some(f) if e.message.contains("contraindication category") => {
                    let span = f.raw.contraindications.require.as_ref().map(|r| r.span());
                    error(f, span, e.message.clone(), "here", e.help.clone())
                }
                _ => e as DiagError,
            })?;
        let known = known_selectors(&linter);
        for f in &files {
            check_selectors(f, &known)?;
        }
        Ok(Resolved {
            sources: files.iter().map(|f| f.path.clone()).collect(),
            packs,
            fail_on: self.cli.fail_on.or(fail_on).unwrap_or(Severity::Error),
            max_file_size: self
                .cli
                .max_file_size
                .or(max_file_size)
                .unwrap_or(DEFAULT_MAX_FILE_SIZE),
            require,
            html: HtmlOptions {
                content: content.unwrap_or_default(),
            },
            base_rules: Arc::new(rule_levels(&linter, &layers, &[])),
            linter,
            layers,
            overrides,
            exclude,
        })
    }

    fn linter(
        &self,
        packs: &[PathBuf],
        require: &Option<Vec<String>>,
    ) -> Result<Arc<Linter>, Box<crate::pack::PackError>> {
        let key = (packs.to_vec(), require.clone());
        if let Some(l) = lock(&self.linters).get(&key) {
            return Ok(l.clone());
        }
        let _building = lock(&self.building_linter);
        if let Some(l) = lock(&self.linters).get(&key) {
            return Ok(l.clone());
        }
        let mut all = Pack::builtin();
        for p in packs {
            all.push(Pack::load_file(p)?);
        }
        let linter = Arc::new(Linter::new(
            all,
            LintOptions {
                require: require.clone(),
            },
        )?);
        lock(&self.linters).insert(key, linter.clone());
        Ok(linter)
    }
}

/// Every rule (and `suppression/unused`) and its level after the config
/// layers and then the matching overrides; `None` when off.
fn rule_levels(
    linter: &Linter,
    layers: &[Layer],
    overrides: &[&Layer],
) -> BTreeMap<String, Option<Severity>> {
    let ids = linter
        .rules()
        .into_iter()
        .map(|r| (r.id, r.severity))
        .chain([(suppress::UNUSED.to_string(), Severity::Warning)]);
    let mut rules = BTreeMap::new();
    for (id, default) in ids {
        let mut state = (true, default);
        for layer in layers.iter().chain(overrides.iter().copied()) {
            layer.apply(&id, &mut state);
        }
        rules.insert(id, state.0.then_some(state.1));
    }
    rules
}

/// Loads a config file and the files it extends, the extended ones first.
fn load_chain(path: &Path) -> Result<Vec<ConfigFile>, DiagError> {
    let mut files: Vec<ConfigFile> = Vec::new();
    let mut seen = HashSet::new();
    let mut next = Some(absolute(path));
    while let Some(p) = next.take() {
        let id = std::fs::canonicalize(&p).unwrap_or_else(|_| p.clone());
        if !seen.insert(id) {
            let by = files.last().expect("a cycle needs an extending file");
            let span = by.raw.extend.as_ref().map(|e| e.span());
            return Err(error(
                by,
                span,
                format!("`extend` cycle: {} is already in the chain", p.display()),
                "extends a file that extends this one",
                None,
            ));
        }
        if let Some(by) = files.last() {
            if !p.is_file() {
                let span = by.raw.extend.as_ref().map(|e| e.span());
                return Err(error(
                    by,
                    span,
                    format!("`extend`: no such file {}", p.display()),
                    "this file",
                    None,
                ));
            }
        }
        let f = ConfigFile::load(&p)?;
        next = f
            .raw
            .extend
            .as_ref()
            .map(|e| absolute(&f.dir.join(e.get_ref())));
        files.push(f);
    }
    files.reverse();
    Ok(files)
}

/// Rule ids and pack names a config may name.
fn known_selectors(linter: &Linter) -> Vec<String> {
    let mut known: Vec<String> = Vec::new();
    for r in linter.rules() {
        if let Some((pack, _)) = r.id.split_once('/') {
            if !known.iter().any(|k| k == pack) {
                known.push(pack.to_string());
            }
        }
        known.push(r.id);
    }
    known.push("suppression".into());
    known.push(suppress::UNUSED.into());
    known
}

/// Every rule id or pack name in a file must exist (a typo would silently
/// select nothing).
fn check_selectors(f: &ConfigFile, known: &[String]) -> Result<(), DiagError> {
    let raw = &f.raw;
    let mut all: Vec<&Spanned<String>> = Vec::new();
    let layers = std::iter::once((&raw.select, &raw.ignore, &raw.severity)).chain(
        raw.overrides
            .iter()
            .map(|o| (&o.select, &o.ignore, &o.severity)),
    );
    for (select, ignore, severity) in layers {
        all.extend(select.iter().flatten());
        all.extend(ignore);
        all.extend(severity.keys());
    }
    for s in all {
        let name = s.get_ref();
        if known.iter().any(|k| k == name) {
            continue;
        }
        let best = known
            .iter()
            .map(|k| (strsim::levenshtein(k, name), k))
            .min()
            .filter(|(d, _)| *d <= 3)
            .map(|(_, k)| format!("did you mean `{k}`?"));
        return Err(error(
            f,
            Some(s.span()),
            format!("unknown rule or pack `{name}` in {}", f.path.display()),
            "unknown rule or pack",
            best.or_else(|| Some("see `beautylint rules`".into())),
        ));
    }
    Ok(())
}

/// `beautylint config PATH`: the effective settings of one file, as TOML
/// with comments.
pub fn describe(path: &Path, fs: &FileSettings) -> String {
    use std::fmt::Write;
    let r = &fs.resolved;
    let q = |s: &str| toml::Value::String(s.to_string()).to_string();
    let list = |items: &mut dyn Iterator<Item = String>| {
        format!("[{}]", items.map(|s| q(&s)).collect::<Vec<_>>().join(", "))
    };
    let mut out = String::new();
    let _ = writeln!(out, "# Effective settings for {}", path.display());
    if r.sources.is_empty() {
        let _ = writeln!(out, "# Config files: none (built-in defaults)");
    } else {
        let _ = writeln!(out, "# Config files, lowest precedence first:");
        for s in &r.sources {
            let _ = writeln!(out, "#   {}", s.display());
        }
    }
    if fs.excluded {
        let _ = writeln!(out, "# This file is excluded from directory walks.");
    }
    let _ = writeln!(out, "fail-on = {}", q(r.fail_on.as_str()));
    let _ = writeln!(out, "max-file-size = {}", r.max_file_size);
    let _ = writeln!(
        out,
        "packs = {}",
        list(&mut r.packs.iter().map(|p| p.display().to_string()))
    );
    let _ = writeln!(
        out,
        "exclude = {}",
        list(&mut r.exclude.iter().flat_map(|g| {
            g.patterns
                .iter()
                .map(|p| g.base.join(p).display().to_string())
                .collect::<Vec<_>>()
        }))
    );
    let _ = writeln!(out, "\n[html]");
    let _ = writeln!(
        out,
        "content = {}",
        list(&mut r.html.content.iter().map(|s| s.to_string()))
    );
    let _ = writeln!(out, "\n[contraindications]");
    match &r.require {
        Some(req) => {
            let _ = writeln!(out, "require = {}", list(&mut req.iter().cloned()));
        }
        None => {
            let _ = writeln!(out, "# require: the pack's core set");
        }
    }
    let _ = writeln!(
        out,
        "\n# Every rule for this file, after select, ignore, [severity] and [[overrides]]."
    );
    let _ = writeln!(out, "[severity]");
    for (id, level) in fs.rules.iter() {
        let _ = writeln!(
            out,
            "{} = {}",
            q(id),
            q(level.map_or("off", Severity::as_str))
        );
    }
    out
}

/// The file `beautylint init` writes.
pub const STARTER: &str = r#"# beautylint configuration. The nearest beautylint.toml above a file applies to it;
# command-line flags win over this file. Paths and globs are relative to this folder.

# Inherit another config file (its settings come first, this file's win).
# extend = "../beautylint.toml"

# Extra rule packs.
# packs = ["patterns/house-style.toml"]

# Rules to run: rule ids (microneedling/home-use) or whole packs (microneedling).
# select = ["microneedling"]
# ignore = ["microneedling/no-professional"]

# Lowest severity that makes `beautylint check` exit 1: error, warning or info.
fail-on = "error"

# Files and folders the directory walk skips (gitignore-like globs).
# exclude = ["drafts/", "*.draft.md"]

# Skip files larger than this many bytes.
# max-file-size = 16777216

[severity]
# "microneedling/no-professional" = "error"   # error, warning, info or off

[html]
# Where the article body is on your pages (tag, .class, #id and descendant selectors);
# the first selector that matches wins, else <article>, <main> or <body>.
# content = ["article .entry-content", ".post-body"]

[contraindications]
# Categories every article that discusses microneedling must mention (see `beautylint rule
# microneedling/incomplete-contraindications`); default: the pack's core set.
# require = ["pregnancy", "active-acne"]

# Different rules for some files:
# [[overrides]]
# files = ["reviews/**"]
# ignore = ["microneedling/unsafe-claim"]
# severity = { "microneedling/home-use" = "warning" }
"#;

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let p = dir.join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, text).unwrap();
        p
    }

    #[test]
    fn threads_asking_at_once_share_one_linter() {
        let dir = tempfile::TempDir::new().unwrap();
        // Discovered configs are resolved on first use, by whichever walker
        // thread gets there first.
        let r = Resolver::new(Source::Discover, CliOverrides::default()).unwrap();
        let start = std::sync::Barrier::new(8);
        let linters: Vec<Arc<Linter>> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..8)
                .map(|i| {
                    let (r, start, dir) = (&r, &start, dir.path());
                    scope.spawn(move || {
                        start.wait();
                        let file = dir.join(format!("d{i}/a.md"));
                        r.for_file(&file).unwrap().resolved.linter.clone()
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        assert!(linters.iter().all(|l| Arc::ptr_eq(l, &linters[0])));
    }

    #[test]
    fn starter_config_parses_and_resolves() {
        let dir = tempfile::TempDir::new().unwrap();
        write(dir.path(), FILE_NAME, STARTER);
        let r = Resolver::new(Source::Discover, CliOverrides::default()).unwrap();
        let fs = r.for_file(&dir.path().join("a.md")).unwrap();
        assert_eq!(fs.resolved.sources.len(), 1);
        assert_eq!(fs.level("microneedling/home-use"), Some(Severity::Error));
    }

    #[test]
    fn layers_select_severity_ignore_and_overrides() {
        let dir = tempfile::TempDir::new().unwrap();
        write(
            dir.path(),
            "base.toml",
            "ignore = [\"microneedling/unsafe-claim\"]\n",
        );
        write(
            dir.path(),
            FILE_NAME,
            "extend = \"base.toml\"\nfail-on = \"warning\"\n\
             [severity]\nmicroneedling = \"info\"\n\"microneedling/home-use\" = \"error\"\n\
             \"microneedling/no-professional\" = \"off\"\n\
             [[overrides]]\nfiles = [\"reviews/**\"]\nselect = [\"microneedling/home-use\"]\n",
        );
        let r = Resolver::new(Source::Discover, CliOverrides::default()).unwrap();
        let fs = r.for_file(&dir.path().join("sub/a.md")).unwrap();
        assert_eq!(fs.resolved.sources.len(), 2);
        assert!(fs.resolved.sources[0].ends_with("base.toml"));
        assert_eq!(fs.resolved.fail_on, Severity::Warning);
        assert_eq!(fs.level("microneedling/home-use"), Some(Severity::Error));
        assert_eq!(
            fs.level("microneedling/home-needle-depth"),
            Some(Severity::Info)
        );
        assert_eq!(fs.level("microneedling/no-professional"), None);
        assert_eq!(fs.level("microneedling/unsafe-claim"), None);
        let fs = r.for_file(&dir.path().join("reviews/x/b.md")).unwrap();
        assert_eq!(fs.level("microneedling/home-use"), Some(Severity::Error));
        assert_eq!(fs.level("microneedling/home-needle-depth"), None);
        let cli = CliOverrides {
            fail_on: Some(Severity::Info),
            ..Default::default()
        };
        let r = Resolver::new(Source::Discover, cli).unwrap();
        let fs = r.for_file(&dir.path().join("a.md")).unwrap();
        assert_eq!(fs.resolved.fail_on, Severity::Info);
    }

    #[test]
    fn errors_point_into_the_file() {
        let dir = tempfile::TempDir::new().unwrap();
        let p = write(
            dir.path(),
            FILE_NAME,
            "select = [\"microneedling/home-us\"]\n",
        );
        let r = Resolver::new(Source::File(p.clone()), CliOverrides::default());
        let e = r.err().unwrap();
        assert!(e.to_string().contains("unknown rule or pack"), "{e}");
        assert!(e
            .help()
            .unwrap()
            .to_string()
            .contains("microneedling/home-use"));
        write(dir.path(), FILE_NAME, "extend = \"b.toml\"\n");
        write(dir.path(), "b.toml", "extend = \"beautylint.toml\"\n");
        let e = Resolver::new(Source::File(p), CliOverrides::default())
            .err()
            .unwrap();
        assert!(e.to_string().contains("cycle"), "{e}");
    }

    #[test]
    fn globs_are_relative_and_cover_folders() {
        let dir = tempfile::TempDir::new().unwrap();
        let f = ConfigFile {
            path: dir.path().join(FILE_NAME),
            dir: dir.path().to_path_buf(),
            text: String::new(),
            raw: RawConfig::default(),
        };
        let g = |p: &str| Globs::new(&f, &[Spanned::new(0..0, p.to_string())]).unwrap();
        let at = |s: &str| dir.path().join(s);
        assert!(g("drafts").matches(&at("drafts/a.md")));
        assert!(g("drafts/").matches(&at("x/drafts/a.md")));
        assert!(g("*.draft.md").matches(&at("x/y.draft.md")));
        assert!(g("posts/*.md").matches(&at("posts/a.md")));
        assert!(!g("posts/*.md").matches(&at("x/posts/a.md")));
        assert!(!g("drafts").matches(Path::new("/elsewhere/drafts/a.md")));
    }
}
