//! Phase 1 of a build: walk the corpus and decide, for each file, what the run does with it. This is the
//! one place that decides whether a file has changed.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use crate::corpus;
use crate::index::manifest::{DirStamp, FileEntry, Manifest, mtime_ns, now_ns};

/// What a run does with a file found on disk, decided from the manifest without reading the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Change {
    /// Not in the index: indexed.
    New,
    /// Same size and modification time as indexed: left as it is.
    Same,
    /// Size or modification time differs: its content hash decides (a file only touched keeps its passages).
    Touched,
    /// A JSON Lines archive that grew (and whose manifest entry and the index allow an append, see
    /// [`classify`]): if its first bytes are still the ones indexed, only the records after them are read;
    /// otherwise it is read whole, as a touched file.
    Grown,
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

/// Decides what to do with a file: the rule, in one place. `appendable`: the file is a JSON Lines archive and
/// the manifest describes the index's last commit (an append would otherwise risk indexing records twice); a
/// file that grew is then [`Change::Grown`] if its entry counts its lines.
pub(super) fn classify(
    previous: Option<&FileEntry>,
    size: u64,
    mtime_ns: u64,
    reread: bool,
    appendable: bool,
) -> Change {
    match previous {
        None => Change::New,
        Some(_) if reread => Change::Reread,
        Some(p) if p.same_stat(size, mtime_ns) => Change::Same,
        Some(p) if appendable && p.lines.is_some() && size > p.size => Change::Grown,
        Some(_) => Change::Touched,
    }
}

impl PlannedFile {
    /// The path that messages about the file name: the corpus root joined with [`PlannedFile::rel`], so
    /// that a name that is not UTF-8 is shown as its key (`a\xFF.txt`), which no other file has.
    pub fn shown(&self) -> PathBuf {
        let rel = Path::new(&self.rel);
        let depth = rel.components().count();
        match self.abs.ancestors().nth(depth) {
            Some(root) if depth > 0 => root.join(rel),
            _ => self.abs.clone(),
        }
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
    /// The directories the walk entered, with their modification times as read just before their
    /// contents were listed.
    pub dirs: BTreeMap<String, DirStamp>,
}

impl Plan {
    /// Bytes of the files the run reads (all but those left as they are; of an archive that grew, the bytes
    /// after those indexed).
    pub fn bytes_to_read(&self) -> u64 {
        self.files
            .iter()
            .map(|f| match (f.change, &f.previous) {
                (Change::Same, _) => 0,
                (Change::Grown, Some(p)) => f.size - p.size,
                _ => f.size,
            })
            .sum()
    }

    /// Bytes of the indexed files whose size and time have not changed, and the bytes already indexed of the
    /// archives that grew.
    pub fn bytes_kept(&self) -> u64 {
        self.files
            .iter()
            .map(|f| match (f.change, &f.previous) {
                (Change::Grown, Some(p)) => p.size,
                (_, Some(_)) if f.stat_same => f.size,
                _ => 0,
            })
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
/// indexed again whatever they hold; `appends` whether JSON Lines archives that grew may have their appended
/// records indexed alone (the manifest describes the index's last commit). The directory `skip` (the
/// index's own) is left out of the walk. Files that can't be walked or `stat`ed are reported through `warn`.
pub(super) fn plan(
    root: &Path,
    skip: Option<&corpus::SkipDir>,
    manifest: &Manifest,
    reread: &dyn Fn(&str) -> bool,
    appends: bool,
    warn: &mut dyn FnMut(String),
) -> Plan {
    let mut plan = Plan::default();
    let mut seen: BTreeMap<String, (PathBuf, fs::Metadata)> = BTreeMap::new();
    let mut unwalkable: Vec<String> = Vec::new();
    for item in corpus::walk_with_dirs(root, skip) {
        match item {
            // The walk yields a directory before it reads its entries: a file added after this `stat`
            // changes the time recorded (or the directory is racy, see `DirStamp`).
            Ok(corpus::Walked::Dir(d)) => {
                if let Ok(meta) = fs::metadata(&d.abs_path) {
                    plan.dirs.insert(d.rel_path, DirStamp::of(&meta, now_ns()));
                }
            }
            Ok(corpus::Walked::File(f)) => match fs::metadata(&f.abs_path) {
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
                    && path.starts_with(root)
                {
                    unwalkable.push(corpus::relative_path(root, path));
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
            let appendable = appends && corpus::is_jsonl(&rel);
            let change = classify(previous.as_ref(), size, mtime, reread(&rel), appendable);
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
            lines: None,
            extractor: None,
        }
    }

    #[test]
    fn a_file_is_new_same_touched_or_reread() {
        let e = entry(10, 5);
        for appendable in [false, true] {
            let c = |p, size, mtime, reread| classify(p, size, mtime, reread, appendable);
            assert_eq!(c(None, 10, 5, false), Change::New);
            assert_eq!(c(None, 10, 5, true), Change::New);
            assert_eq!(c(Some(&e), 10, 5, false), Change::Same);
            assert_eq!(c(Some(&e), 11, 5, false), Change::Touched);
            assert_eq!(c(Some(&e), 10, 6, false), Change::Touched);
            assert_eq!(c(Some(&e), 10, 5, true), Change::Reread);
        }
        // An archive whose entry counts its lines: grown only if it is bigger, appends allowed, no re-read.
        let e = FileEntry {
            lines: Some(3),
            ..entry(10, 5)
        };
        assert_eq!(classify(Some(&e), 11, 6, false, true), Change::Grown);
        assert_eq!(classify(Some(&e), 11, 6, false, false), Change::Touched);
        assert_eq!(classify(Some(&e), 11, 6, true, true), Change::Reread);
        assert_eq!(classify(Some(&e), 9, 6, false, true), Change::Touched);
        assert_eq!(classify(Some(&e), 10, 6, false, true), Change::Touched);
        assert_eq!(classify(Some(&e), 10, 5, false, true), Change::Same);
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
        let p = plan(root, None, &m, &|_| false, true, &mut |w| warnings.push(w));
        assert!(warnings.is_empty(), "{warnings:?}");
        let changes: Vec<(&str, Change)> =
            p.files.iter().map(|f| (f.rel.as_str(), f.change)).collect();
        assert_eq!(changes, [("a.txt", Change::Same), ("b.txt", Change::New)]);
        assert_eq!(p.gone, ["gone.txt"]);
        assert_eq!((p.bytes_to_read(), p.bytes_kept()), (3, 9));
        assert!(!p.is_bulk(false));
        assert!(p.is_bulk(true));
        // Everything re-read: the bytes to read are all of them, and the run is bulk.
        let p = plan(root, None, &m, &|_| true, true, &mut |_| {});
        assert_eq!(p.files[0].change, Change::Reread);
        assert!(p.is_bulk(false));
        // An archive that grew from 3 to 9 bytes (and may have had records appended): 6 bytes to read, 3 kept.
        let mut m = Manifest::new(root.to_path_buf());
        std::fs::write(root.join("c.jsonl"), "{}\n{}\n{}\n").unwrap();
        m.files.insert(
            "c.jsonl".into(),
            FileEntry {
                lines: Some(1),
                ..entry(3, 1)
            },
        );
        std::fs::remove_file(root.join("b.txt")).unwrap();
        std::fs::remove_file(root.join("a.txt")).unwrap();
        let p = plan(root, None, &m, &|_| false, true, &mut |_| {});
        assert_eq!(p.files[0].change, Change::Grown);
        assert_eq!((p.bytes_to_read(), p.bytes_kept()), (6, 3));
        let p = plan(root, None, &m, &|_| false, false, &mut |_| {});
        assert_eq!(p.files[0].change, Change::Touched);
        assert_eq!((p.bytes_to_read(), p.bytes_kept()), (9, 0));
    }
}
