//! Finding the files to lint: a parallel `ignore` walk that honours
//! `.gitignore` (in a git repository or not), `.ignore` and
//! `.beautylintignore`, skips hidden files, and keeps articles by extension.

use std::path::{Path, PathBuf};

use ignore::{WalkBuilder, WalkState};

/// Extensions (compared lowercased) that a directory walk picks up.
pub const EXTENSIONS: &[&str] = &["md", "markdown", "mdx", "html", "htm", "txt"];

/// The name of beautylint's own ignore file (gitignore syntax).
pub const IGNORE_FILE: &str = ".beautylintignore";

/// Options for [`walk`].
#[derive(Debug, Clone, Default)]
pub struct WalkOptions {
    /// Worker threads; 0 picks one per CPU.
    pub threads: usize,
}

/// One thing the walk found.
#[derive(Debug)]
pub enum WalkEvent {
    /// A file to lint.
    File {
        path: PathBuf,
        /// Named on the command line (linted whatever its extension).
        explicit: bool,
    },
    /// A path that could not be walked (missing, unreadable directory,
    /// symlink loop…).
    Error { path: PathBuf, message: String },
    /// A problem that does not stop a file from being linted, such as a bad
    /// line in an ignore file (ripgrep reports these without failing too).
    Warning { path: PathBuf, message: String },
}

/// Whether a directory walk should lint this path, by extension in any case.
pub fn is_article(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| EXTENSIONS.iter().any(|x| e.eq_ignore_ascii_case(x)))
}

/// Walks `paths` in parallel and calls `visit` for every file to lint and
/// every error, from the walk's worker threads, in no particular order.
pub fn walk<F>(paths: &[PathBuf], opts: &WalkOptions, visit: F)
where
    F: Fn(WalkEvent) + Sync,
{
    let Some((first, rest)) = paths.split_first() else {
        return;
    };
    let mut builder = WalkBuilder::new(first);
    for p in rest {
        builder.add(p);
    }
    builder
        .threads(opts.threads)
        .hidden(true)
        .git_ignore(true)
        .git_global(true)
        .git_exclude(true)
        .ignore(true)
        .require_git(false)
        .follow_links(true)
        .add_custom_ignore_filename(IGNORE_FILE);

    let visit = &visit;
    builder.build_parallel().run(|| {
        Box::new(move |result| {
            match result {
                Ok(entry) => {
                    let is_file = entry.file_type().is_some_and(|t| t.is_file());
                    let explicit = entry.depth() == 0;
                    if is_file && (explicit || is_article(entry.path())) {
                        visit(WalkEvent::File {
                            path: tidy(entry.into_path(), explicit),
                            explicit,
                        });
                    } else if explicit && !entry.file_type().is_some_and(|t| t.is_dir()) {
                        // A FIFO, socket or device named on the command line.
                        visit(WalkEvent::Error {
                            path: entry.into_path(),
                            message: "not a regular file or directory".into(),
                        });
                    }
                }
                Err(err) => {
                    let path = tidy(error_path(&err).unwrap_or_default(), false);
                    let message = error_message(&err);
                    if is_ignore_file_error(&err) {
                        visit(WalkEvent::Warning { path, message });
                    } else {
                        visit(WalkEvent::Error { path, message });
                    }
                }
            }
            WalkState::Continue
        })
    });
}

/// Drops the `./` that walking `.` puts before every path, as ripgrep does;
/// a path named on the command line is kept as typed.
fn tidy(path: PathBuf, explicit: bool) -> PathBuf {
    if explicit {
        return path;
    }
    match path.strip_prefix(".") {
        Ok(rest) if !rest.as_os_str().is_empty() => rest.to_path_buf(),
        _ => path,
    }
}

/// Whether an error comes from reading an ignore file (a bad glob, a
/// partial parse) rather than from reaching a path.
fn is_ignore_file_error(err: &ignore::Error) -> bool {
    match err {
        ignore::Error::Partial(_) | ignore::Error::Glob { .. } => true,
        ignore::Error::WithPath { err, .. }
        | ignore::Error::WithDepth { err, .. }
        | ignore::Error::WithLineNumber { err, .. } => is_ignore_file_error(err),
        _ => false,
    }
}

/// The path an `ignore` error is about, if it names one.
fn error_path(err: &ignore::Error) -> Option<PathBuf> {
    match err {
        ignore::Error::WithPath { path, .. } => Some(path.clone()),
        ignore::Error::Loop { child, .. } => Some(child.clone()),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            error_path(err)
        }
        ignore::Error::Partial(errs) => errs.iter().find_map(error_path),
        _ => None,
    }
}

/// The error's message without the path (which is reported separately).
fn error_message(err: &ignore::Error) -> String {
    match err {
        ignore::Error::WithPath { err, .. }
        | ignore::Error::WithDepth { err, .. }
        | ignore::Error::WithLineNumber { err, .. } => error_message(err),
        ignore::Error::Loop { ancestor, .. } => {
            format!("symlink loop back to {}", ancestor.display())
        }
        ignore::Error::Partial(errs) => errs
            .iter()
            .map(|e| e.to_string())
            .collect::<Vec<_>>()
            .join("; "),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extensions_in_any_case() {
        assert!(is_article(Path::new("a/B.MD")));
        assert!(is_article(Path::new("x.Html")));
        assert!(is_article(Path::new("x.mdx")));
        assert!(!is_article(Path::new("x.rs")));
        assert!(!is_article(Path::new("README")));
    }
}
