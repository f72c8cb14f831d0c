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

/// Sorts `items` by path in `Path` order (component by component, the order
/// a report lists files in), ties broken by `then`. Comparing components
/// parses both paths on every comparison: most of the cost of a big walk's
/// sort. For plain paths that order is the byte order with `/` below every
/// other byte, and that is used when every path is plain.
pub fn sort_by_path<T>(
    items: &mut [T],
    path: impl Fn(&T) -> &Path,
    then: impl Fn(&T, &T) -> std::cmp::Ordering,
) {
    if all_plain(items.iter().map(&path)) {
        items.sort_by(|a, b| plain_cmp(path(a), path(b)).then_with(|| then(a, b)));
    } else {
        items.sort_by(|a, b| path(a).cmp(path(b)).then_with(|| then(a, b)));
    }
}

/// True when every path is plain: names joined by single slashes, with no
/// `.` or `..` name and no trailing slash, after the same leading `./` (or
/// none) on all of them; absolute or not. Then two paths' components first
/// differ where their bytes first differ, and comparing those bytes (with
/// `/` ending a name, so lowest) is comparing the components.
#[cfg(unix)]
pub fn all_plain<'a>(mut paths: impl Iterator<Item = &'a Path>) -> bool {
    use std::os::unix::ffi::OsStrExt;
    let mut prefix: Option<bool> = None;
    paths.all(|p| {
        let bytes = p.as_os_str().as_bytes();
        let (dotted, rest) = match bytes.strip_prefix(b"./") {
            Some(rest) => (true, rest),
            None => (false, bytes.strip_prefix(b"/").unwrap_or(bytes)),
        };
        *prefix.get_or_insert(dotted) == dotted
            && !rest.is_empty()
            && rest
                .split(|&b| b == b'/')
                .all(|name| !name.is_empty() && name != b"." && name != b"..")
    })
}

#[cfg(not(unix))]
pub fn all_plain<'a>(_paths: impl Iterator<Item = &'a Path>) -> bool {
    false
}

#[cfg(unix)]
fn plain_cmp(a: &Path, b: &Path) -> std::cmp::Ordering {
    use std::os::unix::ffi::OsStrExt;
    let (a, b) = (a.as_os_str().as_bytes(), b.as_os_str().as_bytes());
    // Walked paths share long prefixes: skip them eight bytes at a time.
    let n = a.len().min(b.len());
    let mut same = 0;
    while same + 8 <= n && a[same..same + 8] == b[same..same + 8] {
        same += 8;
    }
    while same < n && a[same] == b[same] {
        same += 1;
    }
    // A path that ends first sorts first; `/` sorts below any other byte.
    let at = |s: &[u8]| {
        s.get(same)
            .map(|&c| if c == b'/' { 0 } else { u16::from(c) + 1 })
    };
    at(a).cmp(&at(b))
}

#[cfg(not(unix))]
fn plain_cmp(a: &Path, b: &Path) -> std::cmp::Ordering {
    a.cmp(b)
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
    fn plain_paths_sort_as_path_order() {
        let sorted = |names: &[&str]| {
            let mut fast: Vec<PathBuf> = names.iter().map(PathBuf::from).collect();
            sort_by_path(&mut fast, |p| p, |_, _| std::cmp::Ordering::Equal);
            let mut slow: Vec<PathBuf> = names.iter().map(PathBuf::from).collect();
            slow.sort();
            assert_eq!(fast, slow, "{names:?}");
        };
        // `/` ends a name: "a/b" before "a-b" and "ab"; "a" before "a/b".
        sorted(&[
            "a-b", "ab", "a/b/c", "a/b", "a", "a.b/x", "a/bc", "A/b", "é/x", "/x/y", "x",
        ]);
        sorted(&["./b/x.md", "./a-b.md", "./a/z.md", "./ab/c.md"]);
        // Not plain, so compared by components, with the same outcome.
        sorted(&["a//c", "a/b", "./a/b", "a/./c", "a/../b", "a/"]);
        assert!(!all_plain(["a//c", "a/b"].iter().map(Path::new)));
        assert!(!all_plain(["./a", "a"].iter().map(Path::new)));
        assert!(all_plain(["/a/b", "c/d", "e"].iter().map(Path::new)));
    }

    #[test]
    fn extensions_in_any_case() {
        assert!(is_article(Path::new("a/B.MD")));
        assert!(is_article(Path::new("x.Html")));
        assert!(is_article(Path::new("x.mdx")));
        assert!(!is_article(Path::new("x.rs")));
        assert!(!is_article(Path::new("README")));
    }
}
