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
    u32,
    u32,
    /// help
    Option<u32>,
    /// data, as JSON text
    Option<u32>,
    /// labels: start, end, message
    Box<[(u32, u32, u32)]>,
);

impl Stored {
    /// Every index into the string table this finding uses.
    fn string_indices(&self) -> impl Iterator<Item = u32> + '_ {
        let Stored(rule, _, message, _, _, help, data, labels) = self;
        [Some(*rule), Some(*message), *help, *data]
            .into_iter()
            .flatten()
            .chain(labels.iter().map(|l| l.2))
    }
}

/// The cache file: `{"format": 1, "strings": [...], "entries": [[key,
/// last used, findings], ...]}`, the key as 32 hex digits and the day as
/// days since 1970. Read and written entry by entry, never as a copy of
/// the whole cache (which holds every finding of a publishing repo).
#[derive(Deserialize)]
struct Loaded {
    format: u32,
    strings: Vec<Box<str>>,
    entries: LoadedEntries,
}

struct LoadedEntries(HashMap<Key, Entry>);

impl<'de> Deserialize<'de> for LoadedEntries {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Each;
        impl<'de> serde::de::Visitor<'de> for Each {
            type Value = LoadedEntries;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a list of [key, day, findings]")
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<LoadedEntries, A::Error> {
                use serde::de::Error;
                let mut map = HashMap::with_capacity(seq.size_hint().unwrap_or(0));
                while let Some((key, used, findings)) =
                    seq.next_element::<(&str, u32, Vec<Stored>)>()?
                {
                    let key = Key::from_str_radix(key, 16).map_err(A::Error::custom)?;
                    let findings = findings.into_boxed_slice();
                    map.insert(key, Entry { used, findings });
                }
                Ok(LoadedEntries(map))
            }
        }
        d.deserialize_seq(Each)
    }
}

/// The cache as written: only live entries, sorted by key (the same cache
/// is the same bytes), and only the strings they use, renumbered.
struct Written<'a> {
    state: &'a State,
    keys: Vec<Key>,
    /// Old string index → new one (`u32::MAX`: unused).
    renumber: Vec<u32>,
}

impl Serialize for Written<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{SerializeSeq, SerializeStruct};
        struct Strings<'b>(&'b Written<'b>);
        impl Serialize for Strings<'_> {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let w = self.0;
                let used = w.state.strings.iter().zip(&w.renumber);
                s.collect_seq(used.filter(|(_, &n)| n != u32::MAX).map(|(t, _)| &**t))
            }
        }
        struct Entries<'b>(&'b Written<'b>);
        impl Serialize for Entries<'_> {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let w = self.0;
                let n = |i: u32| w.renumber[i as usize];
                let mut seq = s.serialize_seq(Some(w.keys.len()))?;
                for k in &w.keys {
                    let e = &w.state.entries[k];
                    let findings: Vec<Stored> = e
                        .findings
                        .iter()
                        .map(|Stored(r, sev, m, a, b, h, d, l)| {
                            Stored(
                                n(*r),
                                *sev,
                                n(*m),
                                *a,
                                *b,
                                h.map(n),
                                d.map(n),
                                l.iter().map(|&(a, b, m)| (a, b, n(m))).collect(),
                            )
                        })
                        .collect();
                    seq.serialize_element(&(format!("{k:032x}"), e.used, findings))?;
                }
                seq.end()
            }
        }
        let mut st = s.serialize_struct("Cache", 3)?;
        st.serialize_field("format", &FORMAT)?;
        st.serialize_field("strings", &Strings(self))?;
        st.serialize_field("entries", &Entries(self))?;
        st.end()
    }
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
        let (start, end) = (*start as usize, *end as usize);
        Some(Finding {
            rule: self.string(*rule)?,
            severity: *severity,
            message: self.string(*message)?,
            span: Span::new(start, end),
            labels: labels
                .iter()
                .map(|&(s, e, m)| {
                    (s <= e).then_some(())?;
                    Some(Label {
                        span: Span::new(s as usize, e as usize),
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
    /// Identifies the running binary: its version and a hash of its bytes.
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

/// What changes when beautylint is rebuilt or upgraded: a hash of the
/// running binary's bytes. Not its modification time: CI builds or
/// restores the binary anew on every run, and its cache must still hit.
fn binary_identity() -> io::Result<String> {
    let exe = std::fs::File::open(std::env::current_exe()?)?;
    let mut h = blake3::Hasher::new();
    h.update_reader(exe)?;
    Ok(format!(
        "{} {}",
        env!("CARGO_PKG_VERSION"),
        h.finalize().to_hex()
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
        let loaded = std::fs::read(&path).map(|bytes| serde_json::from_slice::<Loaded>(&bytes));
        let warning = match loaded {
            Ok(parsed) => match parsed {
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
        let entry = state.entries.get(&key)?;
        let stale = entry.used != self.today;
        // A finding that cannot be rebuilt (a hand-edited file) is a miss.
        let findings = entry.findings.iter().map(|s| state.finding(s)).collect();
        if stale {
            // The first use today: a second lookup once per entry and day.
            if let Some(e) = state.entries.get_mut(&key) {
                e.used = self.today;
            }
            state.changed = true;
        }
        findings
    }

    /// Stores the findings of `key` (not those of a text over 4 GiB, whose
    /// offsets the cache does not keep).
    pub fn put(&self, key: Key, findings: &[Finding]) {
        let fits = |s: Span| u32::try_from(s.end).is_ok();
        if !findings
            .iter()
            .all(|f| fits(f.span) && f.labels.iter().all(|l| fits(l.span)))
        {
            return;
        }
        let mut state = lock(&self.state);
        let stored = findings
            .iter()
            .map(|f| {
                Stored(
                    state.intern(&f.rule),
                    f.severity,
                    state.intern(&f.message),
                    f.span.start as u32,
                    f.span.end as u32,
                    f.help.as_deref().map(|h| state.intern(h)),
                    f.data.as_ref().map(|d| state.intern(d.json())),
                    f.labels
                        .iter()
                        .map(|l| {
                            let m = state.intern(&l.message);
                            (l.span.start as u32, l.span.end as u32, m)
                        })
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
        let disk = state.written();
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
    fn load(disk: Loaded) -> State {
        let strings: Vec<Arc<str>> = disk.strings.into_iter().map(Arc::from).collect();
        let index = strings
            .iter()
            .enumerate()
            .map(|(i, s)| (s.clone(), i as u32))
            .collect();
        let mut entries = disk.entries.0;
        // A string index past the table (a hand-edited file): the entry is
        // dropped, not trusted.
        let n = strings.len() as u32;
        entries.retain(|_, e| e.findings.iter().all(|f| f.string_indices().all(|i| i < n)));
        State {
            strings,
            index,
            entries,
            changed: false,
        }
    }

    fn written(&self) -> Written<'_> {
        let mut used = vec![false; self.strings.len()];
        let mut keys: Vec<Key> = self.entries.keys().copied().collect();
        keys.sort_unstable();
        for e in self.entries.values() {
            for i in e.findings.iter().flat_map(Stored::string_indices) {
                used[i as usize] = true;
            }
        }
        // Kept strings stay in their order, so the new index of one is the
        // number of kept strings before it.
        let mut next = 0;
        let renumber = used
            .iter()
            .map(|&u| {
                if u {
                    next += 1;
                    next - 1
                } else {
                    u32::MAX
                }
            })
            .collect();
        Written {
            state: self,
            keys,
            renumber,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(rule: &str, message: &str, at: usize, label: &str) -> Finding {
        Finding {
            rule: rule.into(),
            severity: Severity::Warning,
            message: message.into(),
            span: Span::new(at, at + 4),
            labels: vec![Label {
                span: Span::new(at + 1, at + 2),
                message: label.into(),
            }],
            help: Some("see a dermatologist".into()),
            data: Some(Data::from_json(r#"{"missing":["pregnancy"]}"#.into()).unwrap()),
        }
    }

    #[test]
    fn entries_unused_for_long_are_dropped_with_their_strings() {
        let dir = tempfile::TempDir::new().unwrap();
        let (mut cache, warning) = Cache::open(dir.path()).unwrap();
        assert_eq!(warning, None);
        let today = cache.today;
        let old = vec![finding("p/old", "only in the old entry", 3, "old label")];
        let kept = vec![
            finding("p/kept", "kept message", 10, "kept label"),
            finding("p/kept", "second", 20, "kept label"),
        ];
        // Written a long time ago, then the kept ones today.
        cache.today = today - MAX_AGE_DAYS - 1;
        cache.put(1, &old);
        cache.today = today;
        cache.put(2, &kept);
        cache.put(3, &[]);
        cache.save().unwrap();

        let text = std::fs::read_to_string(dir.path().join(FILE)).unwrap();
        assert!(!text.contains("only in the old entry"), "{text}");
        assert!(!text.contains("p/old"), "{text}");
        let (again, warning) = Cache::open(dir.path()).unwrap();
        assert_eq!(warning, None);
        assert_eq!(again.get(1), None);
        assert_eq!(again.get(2), Some(kept));
        assert_eq!(again.get(3), Some(Vec::new()));
        // Nothing changed today: the file is not written again (the
        // trailing spaces, which a rewrite would drop, stay).
        std::fs::write(dir.path().join(FILE), format!("{text}  ")).unwrap();
        again.save().unwrap();
        let after = std::fs::read_to_string(dir.path().join(FILE)).unwrap();
        assert_eq!(after, format!("{text}  "));
    }

    #[test]
    fn a_hand_edited_string_index_is_a_miss_not_a_panic() {
        let dir = tempfile::TempDir::new().unwrap();
        let (cache, _) = Cache::open(dir.path()).unwrap();
        cache.put(7, &[finding("p/r", "m", 0, "l")]);
        cache.save().unwrap();
        let path = dir.path().join(FILE);
        let text = std::fs::read_to_string(&path).unwrap();
        // Point the rule at string 99 of a four-string table.
        let bad = text.replacen("[[0,", "[[99,", 1);
        assert_ne!(bad, text, "{text}");
        std::fs::write(&path, bad).unwrap();
        let (again, warning) = Cache::open(dir.path()).unwrap();
        assert_eq!(warning, None);
        assert_eq!(again.get(7), None);
    }
}
