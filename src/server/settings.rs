//! Per-document settings: the one place the server asks "what do I lint this
//! file with?".
//!
//! Today every document gets the built-in packs and default options. When
//! `beautylint.toml` lands, [`Resolver::settings_for`] becomes the config
//! lookup upward from the document's path (cached per config file); the rest
//! of the server does not change. [`Resolver::invalidate`] is called when a
//! watched `beautylint.toml` changes.

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::pack::{Pack, PackError};
use crate::rules::{LintOptions, Linter, RuleMeta};

/// What one document is linted with.
#[derive(Debug)]
pub struct DocSettings {
    pub linter: Linter,
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
    pub fn from_pack_error(e: &PackError) -> SettingsProblem {
        let mut message = e.message.clone();
        if !e.label.is_empty() {
            message = format!("{message} ({})", e.label);
        }
        if let Some(help) = &e.help {
            message = format!("{message}\nhelp: {help}");
        }
        let name = Path::new(e.src.name());
        SettingsProblem {
            message,
            file: name.is_file().then(|| name.to_path_buf()),
            span: e.span.map(|s| s.offset()..s.offset() + s.len()),
            file_text: e.src.inner().clone(),
        }
    }
}

pub type Resolved = Result<Arc<DocSettings>, Arc<SettingsProblem>>;

/// Resolves and caches per-document settings.
#[derive(Debug, Default)]
pub struct Resolver {
    cached: Option<Resolved>,
}

impl Resolver {
    /// The settings for the document at `path` (`None`: an unsaved buffer
    /// or a non-file URI). Today: the built-in packs and default options,
    /// for every document.
    pub fn settings_for(&mut self, _path: Option<&Path>) -> Resolved {
        self.cached
            .get_or_insert_with(|| {
                crate::pack::BUILTIN
                    .iter()
                    .map(|(name, text)| Pack::parse(name, text))
                    .collect::<Result<Vec<_>, _>>()
                    .and_then(|packs| Linter::new(packs, LintOptions::default()))
                    .map(|linter| {
                        Arc::new(DocSettings {
                            rules: linter.rules(),
                            linter,
                        })
                    })
                    .map_err(|e| Arc::new(SettingsProblem::from_pack_error(&e)))
            })
            .clone()
    }

    /// Forgets everything resolved so far (a config file changed).
    pub fn invalidate(&mut self) {
        self.cached = None;
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
        let b = r.settings_for(Some(Path::new("x.md"))).unwrap();
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
        let e = Pack::load_file(&path).unwrap_err();
        let p = SettingsProblem::from_pack_error(&e);
        assert_eq!(p.file.as_deref(), Some(path.as_path()));
        assert_eq!(p.file_text, "name = 3\n");
        assert!(!p.message.is_empty());
    }
}
