//! Per-document settings: the one place the server asks "what do I lint this
//! file with?".
//!
//! [`Resolver::settings_for`] asks the CLI's [`config::Resolver`] (nearest
//! `beautylint.toml`, `extend`, select/ignore, severities, `[[overrides]]`,
//! `html.content`, ...) so a document gets exactly what `beautylint check`
//! would give the file at its path. Results are cached per path;
//! [`Resolver::invalidate`] (a watched `beautylint.toml` changed) drops
//! everything, including the config resolver's own caches.

use std::collections::HashMap;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::config::{self, ConfigError, DiagError, FileSettings, Source};
use crate::pack::PackError;
use crate::rules::RuleMeta;

/// What one document is linted with.
#[derive(Debug)]
pub struct DocSettings {
    /// The CLI's settings for the document's path.
    pub file: FileSettings,
    /// The rules' metadata (docs for hover), in pack order.
    pub rules: Vec<RuleMeta>,
}

impl DocSettings {
    pub fn rule(&self, id: &str) -> Option<&RuleMeta> {
        self.rules.iter().find(|r| r.id == id)
    }
}

/// Settings that could not be built: a bad config file or rule pack. Shown
/// to the user as a diagnostic on `file` when known, else as a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingsProblem {
    pub message: String,
    /// The file at fault, when it is a file on disk.
    pub file: Option<PathBuf>,
    /// Byte range in `file_text`.
    pub span: Option<Range<usize>>,
    /// The text of `file`, for turning `span` into a position.
    pub file_text: String,
}

impl SettingsProblem {
    fn new(
        message: &str,
        label: &str,
        help: Option<&str>,
        name: &str,
        span: Option<miette::SourceSpan>,
        text: &str,
    ) -> SettingsProblem {
        let mut message = message.to_string();
        if !label.is_empty() {
            message = format!("{message} ({label})");
        }
        if let Some(help) = help {
            message = format!("{message}\nhelp: {help}");
        }
        let name = Path::new(name);
        SettingsProblem {
            message,
            file: name.is_file().then(|| name.to_path_buf()),
            span: span.map(|s| s.offset()..s.offset() + s.len()),
            file_text: text.to_string(),
        }
    }

    pub fn from_pack_error(e: &PackError) -> SettingsProblem {
        let (name, text) = (e.src.name(), e.src.inner());
        SettingsProblem::new(&e.message, &e.label, e.help.as_deref(), name, e.span, text)
    }

    /// From what the config resolver returns (a [`ConfigError`] or a
    /// [`PackError`]; anything else keeps its message only).
    pub fn from_diag(e: &DiagError) -> SettingsProblem {
        let err: &(dyn std::error::Error + 'static) = &**e;
        if let Some(e) = err.downcast_ref::<ConfigError>() {
            let (name, text) = (e.src.name(), e.src.inner());
            SettingsProblem::new(&e.message, &e.label, e.help.as_deref(), name, e.span, text)
        } else if let Some(e) = err.downcast_ref::<PackError>() {
            SettingsProblem::from_pack_error(e)
        } else {
            let help = e.help().map(|h| h.to_string());
            SettingsProblem::new(&e.to_string(), "", help.as_deref(), "", None, "")
        }
    }
}

pub type Resolved = Result<Arc<DocSettings>, Arc<SettingsProblem>>;

/// Resolves and caches per-document settings.
pub struct Resolver {
    config: config::Resolver,
    /// Built-in settings for documents without a path (unsaved buffers).
    isolated: config::Resolver,
    cached: HashMap<Option<PathBuf>, Resolved>,
}

impl Default for Resolver {
    fn default() -> Resolver {
        Resolver {
            config: discover(),
            isolated: isolated(),
            cached: HashMap::new(),
        }
    }
}

impl std::fmt::Debug for Resolver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Resolver")
            .field("cached", &self.cached.len())
            .finish_non_exhaustive()
    }
}

fn discover() -> config::Resolver {
    // Discovery loads nothing up front, so this cannot fail.
    config::Resolver::new(Source::Discover, Default::default()).expect("config discovery resolver")
}

fn isolated() -> config::Resolver {
    // Errors surface again (and are reported) on first use.
    config::Resolver::new(Source::Isolated, Default::default()).unwrap_or_else(|_| discover())
}

impl Resolver {
    /// The settings for the document at `path` (`None`: an unsaved buffer
    /// or a non-file URI, linted with the built-in defaults): what the CLI
    /// uses for a file at that path.
    pub fn settings_for(&mut self, path: Option<&Path>) -> Resolved {
        let key = path.map(Path::to_path_buf);
        if let Some(hit) = self.cached.get(&key) {
            return hit.clone();
        }
        let fs = match path {
            Some(p) => self.config.for_file(p),
            None => self.isolated.for_file(Path::new("untitled")),
        };
        let resolved = fs
            .map(|file| {
                Arc::new(DocSettings {
                    rules: file.resolved.linter.rules(),
                    file,
                })
            })
            .map_err(|e| Arc::new(SettingsProblem::from_diag(&e)));
        self.cached.insert(key, resolved.clone());
        resolved
    }

    /// Forgets everything resolved so far (a config file changed).
    pub fn invalidate(&mut self) {
        self.cached.clear();
        self.config = discover();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_settings_are_cached_until_invalidated() {
        let mut r = Resolver::default();
        let a = r.settings_for(None).unwrap();
        assert!(a.rule("microneedling/home-use").is_some());
        let b = r.settings_for(None).unwrap();
        assert!(Arc::ptr_eq(&a, &b));
        r.invalidate();
        let c = r.settings_for(None).unwrap();
        assert!(!Arc::ptr_eq(&a, &c));
    }

    #[test]
    fn a_pack_error_points_into_its_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bad.toml");
        std::fs::write(&path, "name = 3\n").unwrap();
        let e = crate::pack::Pack::load_file(&path).unwrap_err();
        let p = SettingsProblem::from_pack_error(&e);
        assert_eq!(p.file.as_deref(), Some(path.as_path()));
        assert_eq!(p.file_text, "name = 3\n");
        assert!(!p.message.is_empty());
    }

    #[test]
    fn a_config_error_points_at_its_line() {
        let dir = tempfile::tempdir().unwrap();
        let cfg = dir.path().join("beautylint.toml");
        std::fs::write(&cfg, "[severity]\n\"microneedling/home-use\" = \"loud\"\n").unwrap();
        let mut r = Resolver::default();
        let p = r.settings_for(Some(&dir.path().join("a.md"))).unwrap_err();
        assert_eq!(p.file.as_deref(), Some(cfg.as_path()));
        let span = p.span.clone().expect("a span");
        assert!(p.file_text[..span.start].contains('\n'), "{p:?}");
    }

    #[test]
    fn config_levels_apply_per_path() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("beautylint.toml"),
            "[severity]\n\"microneedling/home-use\" = \"off\"\n",
        )
        .unwrap();
        let mut r = Resolver::default();
        let s = r.settings_for(Some(&dir.path().join("a.md"))).unwrap();
        assert_eq!(s.file.level("microneedling/home-use"), None);
        let builtin = r.settings_for(None).unwrap();
        assert!(builtin.file.level("microneedling/home-use").is_some());
    }
}
