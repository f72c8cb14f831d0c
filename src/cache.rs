//! `check --cache`: the findings of every file linted, kept between runs
//! (ruff's and ESLint's cache), so a publishing repo where few articles
//! change costs little more than reading them.
//!
//! An entry is keyed by a BLAKE3 hash of the file's text and of everything
//! its findings depend on: the beautylint binary, the pack files, the rule
//! levels, the HTML options and whether inline suppressions count. Content,
//! not modification times: a fresh CI clone has new mtimes but the same
//! articles, so a cache restored there still hits. A hit skips parsing and
//! the rules; the file is still read and reported as usual.
//!
//! Everything lives in one file, `results-v1.json`, in the cache folder.
//! Strings (rule ids, messages, details) are stored once in a table, since
//! thousands of findings share a few dozen of them. Entries unused for
//! [`MAX_AGE_DAYS`] are dropped when the cache is written.

use std::collections::HashMap;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};

use crate::config::FileSettings;
use crate::document::DocKind;
use crate::rules::{Data, Finding, Label, Severity};
use crate::span::Span;

/// The folder used when `--cache-dir` is not given.
pub const DEFAULT_DIR: &str = ".beautylint-cache";
/// The cache file in that folder. The name carries the format version, so
/// an older beautylint never reads a newer file.
const FILE: &str = "results-v1.json";
const FORMAT: u32 = 1;
/// Entries no run has used for this long are dropped.
pub const MAX_AGE_DAYS: u32 = 30;

/// A file's key: the first 128 bits of its BLAKE3 hash (see the module docs).
pub type Key = u128;

/// One finding as stored: strings are indices into the string table.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Stored(
    /// rule
    u32,
    Severity,
    /// message
    u32,
    /// span start, end
    usize,
    usize,
    /// help
    Option<u32>,
    /// data, as JSON text
    Option<u32>,
    /// labels: start, end, message
    Vec<(usize, usize, u32)>,
);

#[derive(Debug, Serialize, Deserialize)]
struct OnDisk {
    format: u32,
    strings: Vec<String>,
    /// Key (32 hex digits), the day it was last used (days since 1970),
    /// the findings.
    entries: Vec<(String, u32, Vec<Stored>)>,
}

struct Entry {
    used: u32,
    findings: Box<[Stored]>,
}

#[derive(Default)]
struct State {
    strings: Vec<Arc<str>>,
    index: HashMap<Arc<str>, u32>,
    entries: HashMap<Key, Entry>,
    /// Something differs from the file on disk.
    changed: bool,
}

impl State {
    fn intern(&mut self, s: &str) -> u32 {
        if let Some(&i) = self.index.get(s) {
            return i;
        }
        let i = self.strings.len() as u32;
        let s: Arc<str> = s.into();
        self.strings.push(s.clone());
        self.index.insert(s, i);
        i
    }

    fn string(&self, i: u32) -> Option<String> {
        self.strings.get(i as usize).map(|s| s.to_string())
    }

    fn finding(&self, s: &Stored) -> Option<Finding> {
        let Stored(rule, severity, message, start, end, help, data, labels) = s;
        if start > end {
            return None;
        }
        Some(Finding {
            rule: self.string(*rule)?,
            severity: *severity,
            message: self.string(*message)?,
            span: Span::new(*start, *end),
            labels: labels
                .iter()
                .map(|&(s, e, m)| {
                    (s <= e).then_some(())?;
                    Some(Label {
                        span: Span::new(s, e),
                        message: self.string(m)?,
                    })
                })
                .collect::<Option<_>>()?,
            help: match help {
                Some(h) => Some(self.string(*h)?),
                None => None,
            },
            data: match data {
                Some(d) => Some(Data::from_json(self.string(*d)?).ok()?),
                None => None,
            },
        })
    }
}

/// The cache of one run.
pub struct Cache {
    dir: PathBuf,
    today: u32,
    /// Identifies the running binary: its version, size and modification time.
    binary: String,
    state: Mutex<State>,
    /// Settings fingerprints, by the settings objects a run shares between
    /// files (the resolver keeps them alive for the whole run).
    fingerprints: Mutex<HashMap<(usize, usize, bool), [u8; 32]>>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

fn days_since_epoch() -> u32 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| (d.as_secs() / 86_400) as u32)
}

/// What changes when beautylint is rebuilt or upgraded.
fn binary_identity() -> io::Result<String> {
    let exe = std::env::current_exe()?;
    let meta = std::fs::metadata(&exe)?;
    let modified = meta
        .modified()?
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    Ok(format!(
        "{} {} {}",
        env!("CARGO_PKG_VERSION"),
        meta.len(),
        modified
    ))
}

impl Cache {
    /// Opens the cache in `dir`. A missing cache is empty; an unreadable
    /// or damaged one is reported in the warning and started afresh.
    pub fn open(dir: &Path) -> io::Result<(Cache, Option<String>)> {
        let binary = binary_identity()?;
        let mut cache = Cache {
            dir: dir.to_path_buf(),
            today: days_since_epoch(),
            binary,
            state: Mutex::default(),
            fingerprints: Mutex::default(),
        };
        let path = dir.join(FILE);
        let warning = match std::fs::read(&path) {
            Ok(bytes) => match serde_json::from_slice::<OnDisk>(&bytes) {
                Ok(disk) if disk.format == FORMAT => {
                    cache.state = Mutex::new(State::load(disk));
                    None
                }
                Ok(_) => None,
                Err(e) => Some(format!(
                    "{}: damaged cache file, starting a new one ({e})",
                    path.display()
                )),
            },
            Err(e) if e.kind() == io::ErrorKind::NotFound => None,
            Err(e) => Some(format!(
                "{}: cannot read the cache, starting a new one ({e})",
                path.display()
            )),
        };
        Ok((cache, warning))
    }

    /// The key of `text` linted as `kind` with `fs`.
    pub fn key(&self, fs: &FileSettings, kind: DocKind, inline_config: bool, text: &str) -> Key {
        let id = (
            Arc::as_ptr(&fs.resolved) as usize,
            Arc::as_ptr(&fs.rules) as usize,
            inline_config,
        );
        let known = lock(&self.fingerprints).get(&id).copied();
        let settings = match known {
            Some(f) => f,
            None => {
                let f = self.fingerprint(fs, inline_config);
                lock(&self.fingerprints).insert(id, f);
                f
            }
        };
        let mut h = blake3::Hasher::new();
        h.update(&settings);
        h.update(&[kind as u8]);
        h.update(text.as_bytes());
        let bytes = h.finalize();
        let mut first = [0u8; 16];
        first.copy_from_slice(&bytes.as_bytes()[..16]);
        u128::from_le_bytes(first)
    }

    /// A hash of everything besides the text that a file's findings
    /// depend on.
    fn fingerprint(&self, fs: &FileSettings, inline_config: bool) -> [u8; 32] {
        let r = &fs.resolved;
        let mut h = blake3::Hasher::new();
        let mut field = |label: &str, bytes: &[u8]| {
            // Lengths keep the fields apart.
            h.update(label.as_bytes());
            h.update(&(bytes.len() as u64).to_le_bytes());
            h.update(bytes);
        };
        field("format", &FORMAT.to_le_bytes());
        field("binary", self.binary.as_bytes());
        for pack in &r.packs {
            field("pack", pack.as_os_str().as_encoded_bytes());
            // The pack was loaded from this file moments ago; were it
            // unreadable now, the error text still keys it apart.
            match std::fs::read(pack) {
                Ok(b) => field("pack text", &b),
                Err(e) => field("pack error", e.to_string().as_bytes()),
            }
        }
        field("require", format!("{:?}", r.require).as_bytes());
        field("html", format!("{:?}", r.html).as_bytes());
        field("rules", format!("{:?}", fs.rules).as_bytes());
        field("inline", &[inline_config as u8]);
        *h.finalize().as_bytes()
    }

    /// The findings stored for `key`, if any.
    pub fn get(&self, key: Key) -> Option<Vec<Finding>> {
        let mut state = lock(&self.state);
        let today = self.today;
        let entry = state.entries.get_mut(&key)?;
        if entry.used != today {
            entry.used = today;
            state.changed = true;
        }
        let state = &*state;
        let entry = &state.entries[&key];
        // A finding that cannot be rebuilt (a hand-edited file) is a miss.
        entry.findings.iter().map(|s| state.finding(s)).collect()
    }

    /// Stores the findings of `key`.
    pub fn put(&self, key: Key, findings: &[Finding]) {
        let mut state = lock(&self.state);
        let stored = findings
            .iter()
            .map(|f| {
                Stored(
                    state.intern(&f.rule),
                    f.severity,
                    state.intern(&f.message),
                    f.span.start,
                    f.span.end,
                    f.help.as_deref().map(|h| state.intern(h)),
                    f.data.as_ref().map(|d| state.intern(d.json())),
                    f.labels
                        .iter()
                        .map(|l| (l.span.start, l.span.end, state.intern(&l.message)))
                        .collect(),
                )
            })
            .collect();
        state.entries.insert(
            key,
            Entry {
                used: self.today,
                findings: stored,
            },
        );
        state.changed = true;
    }

    /// Writes the cache back when something changed: entries used within
    /// [`MAX_AGE_DAYS`], through a temporary file renamed into place, so a
    /// run reading it at the same time sees the old file or the new one.
    pub fn save(&self) -> io::Result<()> {
        let mut state = lock(&self.state);
        let oldest = self.today.saturating_sub(MAX_AGE_DAYS);
        let before = state.entries.len();
        state.entries.retain(|_, e| e.used >= oldest);
        if !state.changed && state.entries.len() == before {
            return Ok(());
        }
        std::fs::create_dir_all(&self.dir)?;
        // Like ruff: the folder tells git and backup tools to leave it alone.
        let ignore = self.dir.join(".gitignore");
        if !ignore.exists() {
            std::fs::write(ignore, "# Created by beautylint --cache.\n*\n")?;
        }
        let tag = self.dir.join("CACHEDIR.TAG");
        if !tag.exists() {
            std::fs::write(
                tag,
                "Signature: 8a477f597d28d172789f06886806bc55\n\
                 # This file is a cache directory tag created by beautylint.\n",
            )?;
        }
        let disk = state.unload();
        let tmp = self.dir.join(format!("{FILE}.{}.tmp", std::process::id()));
        let written = (|| {
            let mut out = io::BufWriter::new(std::fs::File::create(&tmp)?);
            serde_json::to_writer(&mut out, &disk)?;
            out.flush()?;
            drop(out);
            std::fs::rename(&tmp, self.dir.join(FILE))
        })();
        if written.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        state.changed = false;
        written
    }
}

impl State {
    fn load(disk: OnDisk) -> State {
        let strings: Vec<Arc<str>> = disk.strings.into_iter().map(Arc::from).collect();
        let index = strings
            .iter()
            .enumerate()
            .map(|(i, s)| (s.clone(), i as u32))
            .collect();
        let entries = disk
            .entries
            .into_iter()
            .filter_map(|(key, used, findings)| {
                let key = u128::from_str_radix(&key, 16).ok()?;
                Some((
                    key,
                    Entry {
                        used,
                        findings: findings.into(),
                    },
                ))
            })
            .collect();
        State {
            strings,
            index,
            entries,
            changed: false,
        }
    }

    /// The state as written: only the strings live entries use.
    fn unload(&self) -> OnDisk {
        let mut renumber: HashMap<u32, u32> = HashMap::new();
        let mut strings = Vec::new();
        let mut keep = |i: u32| -> u32 {
            *renumber.entry(i).or_insert_with(|| {
                strings.push(self.strings[i as usize].to_string());
                strings.len() as u32 - 1
            })
        };
        let mut keys: Vec<&Key> = self.entries.keys().collect();
        // Sorted, so the same cache is written as the same bytes.
        keys.sort();
        let entries = keys
            .into_iter()
            .map(|k| {
                let e = &self.entries[k];
                let findings = e
                    .findings
                    .iter()
                    .map(|Stored(r, sev, m, s, en, h, d, l)| {
                        Stored(
                            keep(*r),
                            *sev,
                            keep(*m),
                            *s,
                            *en,
                            h.map(&mut keep),
                            d.map(&mut keep),
                            l.iter().map(|&(a, b, m)| (a, b, keep(m))).collect(),
                        )
                    })
                    .collect();
                (format!("{k:032x}"), e.used, findings)
            })
            .collect();
        OnDisk {
            format: FORMAT,
            strings,
            entries,
        }
    }
}
