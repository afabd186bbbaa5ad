//! Phase 1 of a build: walk the corpus and decide, for each file, what the run does with it. This is the
//! one place that decides whether a file has changed.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use crate::corpus;
use crate::index::manifest::{FileEntry, Manifest, mtime_ns};

/// What a run does with a file found on disk, decided from the manifest without reading the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Change {
    /// Not in the index: indexed.
    New,
    /// Same size and modification time as indexed: left as it is.
    Same,
    /// Size or modification time differs: its content hash decides (a file only touched keeps its passages).
    Touched,
    /// Indexed again whatever it holds: the user dictionary changed words it contains, or it is an archive
    /// read with other field names.
    Reread,
}

/// One corpus file and what the run does with it.
#[derive(Debug)]
pub(super) struct PlannedFile {
    /// Path relative to the corpus root, `/`-separated.
    pub rel: String,
    /// Absolute path.
    pub abs: PathBuf,
    /// Size in bytes.
    pub size: u64,
    /// Modification time, nanoseconds since the Unix epoch.
    pub mtime_ns: u64,
    /// Its entry in the manifest, if it has one.
    pub previous: Option<FileEntry>,
    /// Size and time are the ones indexed.
    pub stat_same: bool,
    /// What to do.
    pub change: Change,
}

/// Decides what to do with a file: the rule, in one place.
pub(super) fn classify(
    previous: Option<&FileEntry>,
    size: u64,
    mtime_ns: u64,
    reread: bool,
) -> Change {
    match previous {
        None => Change::New,
        Some(_) if reread => Change::Reread,
        Some(p) if p.same_stat(size, mtime_ns) => Change::Same,
        Some(_) => Change::Touched,
    }
}

/// What the walk found and what the run will do.
#[derive(Debug, Default)]
pub(super) struct Plan {
    /// The corpus files that could be `stat`ed, in path order.
    pub files: Vec<PlannedFile>,
    /// Indexed files that are gone. A file under a directory that could not be walked is not among them: it
    /// may still be there.
    pub gone: Vec<String>,
    /// Files that could not be walked or `stat`ed (reported).
    pub failed: usize,
    /// Entries skipped by design: FIFOs, sockets, devices (reported).
    pub skipped: usize,
}

impl Plan {
    /// Bytes of the files the run reads (all but those left as they are).
    pub fn bytes_to_read(&self) -> u64 {
        self.files
            .iter()
            .filter(|f| f.change != Change::Same)
            .map(|f| f.size)
            .sum()
    }

    /// Bytes of the indexed files whose size and time have not changed.
    pub fn bytes_kept(&self) -> u64 {
        self.files
            .iter()
            .filter(|f| f.previous.is_some() && f.stat_same)
            .map(|f| f.size)
            .sum()
    }

    /// A bulk run (a first build, a rebuild, or most of the corpus changed) writes its segments without
    /// merging them along the way, then merges them at the end: fewer segments make searches faster and the
    /// index smaller (each segment has its own term dictionaries), and merging once costs less than
    /// tantivy's stepwise merges. Small updates leave merging to tantivy's policy.
    pub fn is_bulk(&self, empty_first: bool) -> bool {
        empty_first || self.bytes_to_read() >= self.bytes_kept()
    }
}

/// Walks the corpus at `root` and plans the run against `manifest`. `reread` says which files must be
/// indexed again whatever they hold. Files that can't be walked or `stat`ed are reported through `warn`.
pub(super) fn plan(
    root: &Path,
    manifest: &Manifest,
    reread: &dyn Fn(&str) -> bool,
    warn: &mut dyn FnMut(String),
) -> Plan {
    let mut plan = Plan::default();
    let mut seen: BTreeMap<String, (PathBuf, fs::Metadata)> = BTreeMap::new();
    let mut unwalkable: Vec<String> = Vec::new();
    for item in corpus::walk(root) {
        match item {
            Ok(f) => match fs::metadata(&f.abs_path) {
                Ok(meta) => {
                    seen.insert(f.rel_path, (f.abs_path, meta));
                }
                Err(e) => {
                    warn(format!("{}: {e}; skipped", f.abs_path.display()));
                    plan.failed += 1;
                    unwalkable.push(f.rel_path);
                }
            },
            // A FIFO, a socket or a device: skipped by design, never opened.
            Err(e @ crate::Error::NotRegular { .. }) => {
                warn(format!("{e}; skipped"));
                plan.skipped += 1;
            }
            Err(e) => {
                warn(format!("{e}; skipped"));
                plan.failed += 1;
                if let crate::Error::Io { path, .. } = &e
                    && let Ok(rel) = path.strip_prefix(root)
                {
                    unwalkable.push(rel.to_string_lossy().replace('\\', "/"));
                }
            }
        }
    }
    plan.gone = manifest
        .files
        .keys()
        .filter(|rel| !seen.contains_key(*rel))
        .filter(|rel| {
            !unwalkable
                .iter()
                .any(|u| u.is_empty() || *rel == u || rel.starts_with(&format!("{u}/")))
        })
        .cloned()
        .collect();
    plan.files = seen
        .into_iter()
        .map(|(rel, (abs, meta))| {
            let previous = manifest.files.get(&rel).cloned();
            let (size, mtime) = (meta.len(), mtime_ns(&meta));
            let change = classify(previous.as_ref(), size, mtime, reread(&rel));
            PlannedFile {
                stat_same: previous.as_ref().is_some_and(|p| p.same_stat(size, mtime)),
                rel,
                abs,
                size,
                mtime_ns: mtime,
                previous,
                change,
            }
        })
        .collect();
    plan
}

#[cfg(test)]
mod tests {
    use super::{Change, classify, plan};
    use crate::index::manifest::{FileEntry, Manifest};

    fn entry(size: u64, mtime_ns: u64) -> FileEntry {
        FileEntry {
            size,
            mtime_ns,
            hash: "0".repeat(64),
            passages: 1,
            settings: String::new(),
        }
    }

    #[test]
    fn a_file_is_new_same_touched_or_reread() {
        let e = entry(10, 5);
        assert_eq!(classify(None, 10, 5, false), Change::New);
        assert_eq!(classify(None, 10, 5, true), Change::New);
        assert_eq!(classify(Some(&e), 10, 5, false), Change::Same);
        assert_eq!(classify(Some(&e), 11, 5, false), Change::Touched);
        assert_eq!(classify(Some(&e), 10, 6, false), Change::Touched);
        assert_eq!(classify(Some(&e), 10, 5, true), Change::Reread);
    }

    #[test]
    fn the_plan_finds_new_kept_and_gone_files_and_decides_bulk() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::write(root.join("a.txt"), "甲乙丙").unwrap();
        std::fs::write(root.join("b.txt"), "丁").unwrap();
        let meta = std::fs::metadata(root.join("a.txt")).unwrap();
        let mut m = Manifest::new(root.to_path_buf());
        m.files.insert(
            "a.txt".into(),
            entry(meta.len(), crate::index::manifest::mtime_ns(&meta)),
        );
        m.files.insert("gone.txt".into(), entry(3, 1));
        let mut warnings = Vec::new();
        let p = plan(root, &m, &|_| false, &mut |w| warnings.push(w));
        assert!(warnings.is_empty(), "{warnings:?}");
        let changes: Vec<(&str, Change)> =
            p.files.iter().map(|f| (f.rel.as_str(), f.change)).collect();
        assert_eq!(changes, [("a.txt", Change::Same), ("b.txt", Change::New)]);
        assert_eq!(p.gone, ["gone.txt"]);
        assert_eq!((p.bytes_to_read(), p.bytes_kept()), (3, 9));
        assert!(!p.is_bulk(false));
        assert!(p.is_bulk(true));
        // Everything re-read: the bytes to read are all of them, and the run is bulk.
        let p = plan(root, &m, &|_| true, &mut |_| {});
        assert_eq!(p.files[0].change, Change::Reread);
        assert!(p.is_bulk(false));
    }
}
