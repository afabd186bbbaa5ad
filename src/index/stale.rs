//! The staleness check: how the corpus on disk differs from what the manifest recorded, by the
//! modification times of its directories and the size and time of some of its files, without reading a file
//! and without a `stat` per file ([`check`]).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs;
use std::path::Path;

use super::manifest::{
    DirStamp, FileEntry, Manifest, Outline, RACY_NS, mtime_ns, now_ns, parent_dir,
};
use crate::corpus;

/// How the corpus on disk differs from what the manifest recorded (by size and modification time).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Staleness {
    /// Files on disk that are not in the index.
    pub added: usize,
    /// Files whose size or modification time changed.
    pub changed: usize,
    /// Indexed files that are no longer on disk.
    pub removed: usize,
}

impl Staleness {
    /// Is the index up to date?
    pub fn is_fresh(&self) -> bool {
        self.added == 0 && self.changed == 0 && self.removed == 0
    }
}

/// How many files of the manifest, taken at random, a search checks beside the directories and the
/// watched files (see [`check`]).
pub const SAMPLED_FILES: usize = 256;

/// Checks how the corpus of the index in `index_dir` differs from what its manifest recorded, without
/// reading any corpus file and without looking at every one: what a search does before it answers, so
/// that its cost does not grow with the number of files.
///
/// 1. Every directory the index recorded is `stat`ed. A directory gone counts its files as removed. One
///    whose modification time changed since indexing (a file in it added, removed or renamed, which
///    includes editors that save by writing a new file and renaming it over the old) is listed: its corpus
///    files are compared with the manifest's (new, removed, and by size and time changed) and a new
///    subdirectory's files count as new. A racy directory ([`DirStamp::racy`]) is listed too.
/// 2. The watched files ([`Outline::watch`]: JSON Lines archives, then the most recently modified files)
///    and [`SAMPLED_FILES`] files from a random place of the manifest are `stat`ed and compared by size
///    and time.
///
/// What it can miss, until `sou index` (which checks every file) runs or a later search's sample reaches
/// it: a file that is neither watched nor sampled, written in place (same name, no rename, so its
/// directory's time does not change): an editor that saves in place, or text appended to an old file.
/// Each search samples other files; with [`SAMPLED_FILES`] per search a corpus of N files is covered in
/// about N / 256 searches on average. A corpus that is one file is checked whole.
///
/// Errors: those of reading the manifest ([`Outline::read`]). `Ok(None)`: there is no manifest.
pub fn check(index_dir: &Path) -> crate::Result<Option<Staleness>> {
    let Some(outline) = Outline::read(index_dir)? else {
        return Ok(None);
    };
    let root = outline.manifest.corpus_root.clone();
    // The index's own directory is never part of the corpus, even inside it.
    let skip = corpus::SkipDir::new(index_dir);
    let skip = skip.as_ref();
    let mut s = Staleness::default();
    match fs::metadata(&root) {
        Err(_) => {
            // The corpus is gone (or can't be reached): everything is.
            s.removed = outline.file_count;
            return Ok(Some(s));
        }
        Ok(m) if m.is_file() => {
            // The corpus is one file: the manifest names it by its file name.
            for (_, e) in outline.sample(outline.file_count, 0)? {
                if !e.same_stat(m.len(), mtime_ns(&m)) {
                    s.changed += 1;
                }
            }
            return Ok(Some(s));
        }
        Ok(_) => {}
    }
    let recorded: HashSet<&str> = outline.dirs.iter().map(|d| d.dir.as_str()).collect();
    // Directories compared whole (listed) or counted whole (gone): their files are not checked again.
    let mut done: HashSet<&str> = HashSet::new();
    for d in &outline.dirs {
        let abs = root.join(corpus::key_path(&d.dir));
        let meta = match fs::metadata(&abs) {
            Ok(m) if m.is_dir() => m,
            Ok(_) => {
                s.removed += d.files;
                done.insert(&d.dir);
                continue;
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                s.removed += d.files;
                done.insert(&d.dir);
                continue;
            }
            // Can't tell (permissions): `sou index` will say.
            Err(_) => continue,
        };
        if !d.racy && d.mtime_ns == Some(mtime_ns(&meta)) {
            continue;
        }
        let Ok(listing) = corpus::list_dir(&abs, skip) else {
            continue;
        };
        done.insert(&d.dir);
        let mut known: HashMap<String, FileEntry> = outline
            .files_in(d)?
            .into_iter()
            .map(|(rel, e)| (file_name(&rel).to_string(), e))
            .collect();
        for name in &listing.files {
            match known.remove(name) {
                Some(e) => {
                    if !same_on_disk(&abs.join(corpus::key_path(name)), &e) {
                        s.changed += 1;
                    }
                }
                None => s.added += 1,
            }
        }
        s.removed += known.len();
        for sub in &listing.dirs {
            let rel = join(&d.dir, sub);
            if !recorded.contains(rel.as_str()) {
                s.added += corpus::walk_unsorted(&abs.join(corpus::key_path(sub)), skip)
                    .filter(Result::is_ok)
                    .count();
            }
        }
    }
    // The watched and sampled files, but those of a directory compared or counted above.
    let seed = now_ns() ^ u64::from(std::process::id()).rotate_left(32);
    let sampled = outline.sample(SAMPLED_FILES, splitmix(seed))?;
    let mut seen: HashSet<String> = HashSet::new();
    let files = outline
        .watch
        .iter()
        .map(|w| (w.path.clone(), w.size, w.mtime_ns))
        .chain(sampled.into_iter().map(|(p, e)| (p, e.size, e.mtime_ns)));
    for (rel, size, mtime) in files {
        if done.contains(parent_dir(&rel)) || !seen.insert(rel.clone()) {
            continue;
        }
        match fs::metadata(root.join(corpus::key_path(&rel))) {
            Ok(m) if m.len() == size && mtime_ns(&m) == mtime => {}
            Ok(_) => s.changed += 1,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => s.removed += 1,
            Err(_) => {}
        }
    }
    Ok(Some(s))
}

/// Does the file at `path` have the size and time of `e`?
fn same_on_disk(path: &Path, e: &FileEntry) -> bool {
    fs::metadata(path).is_ok_and(|m| e.same_stat(m.len(), mtime_ns(&m)))
}

/// The last component of a relative path.
fn file_name(rel: &str) -> &str {
    rel.rsplit_once('/').map_or(rel, |(_, n)| n)
}

/// `dir/name`, or `name` at the root.
fn join(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_string()
    } else {
        format!("{dir}/{name}")
    }
}

/// SplitMix64: spreads a seed over 64 bits (the sample's start needs no better randomness).
fn splitmix(seed: u64) -> u64 {
    let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The directory stamps a build records, from the walk's: a racy directory ([`DirStamp::racy`]) whose time
/// has not changed, is no longer recent, and still holds exactly the files of `manifest` and the
/// subdirectories the walk found, is no longer racy (nothing can have changed in it unseen since the walk,
/// and a later change will show in its time). Called when a build has written its files, before the
/// manifest is written.
pub(crate) fn settle_dirs(
    root: &Path,
    mut dirs: BTreeMap<String, DirStamp>,
    manifest: &Manifest,
    skip: Option<&corpus::SkipDir>,
) -> BTreeMap<String, DirStamp> {
    let racy: Vec<String> = dirs
        .iter()
        .filter(|(_, s)| s.racy)
        .map(|(d, _)| d.clone())
        .collect();
    if racy.is_empty() {
        return dirs;
    }
    let now = now_ns();
    for d in racy {
        let stamp = dirs[&d];
        if now < stamp.mtime_ns.saturating_add(RACY_NS) {
            continue;
        }
        let abs = root.join(corpus::key_path(&d));
        let Ok(meta) = fs::metadata(&abs) else {
            continue;
        };
        if mtime_ns(&meta) != stamp.mtime_ns {
            continue;
        }
        let Ok(listing) = corpus::list_dir(&abs, skip) else {
            continue;
        };
        let mut files: Vec<String> = listing.files.iter().map(|n| join(&d, n)).collect();
        files.sort();
        let mut want: Vec<&String> = manifest
            .files
            .keys()
            .filter(|rel| parent_dir(rel) == d)
            .collect();
        want.sort();
        let mut subdirs: Vec<String> = listing.dirs.iter().map(|n| join(&d, n)).collect();
        subdirs.sort();
        let mut want_dirs: Vec<&String> = dirs
            .keys()
            .filter(|rel| !rel.is_empty() && parent_dir(rel) == d)
            .collect();
        want_dirs.sort();
        let same_files = files.iter().eq(want.iter().copied());
        let same_dirs = subdirs.iter().eq(want_dirs.iter().copied());
        // The time again: a change during the listing.
        let still = fs::metadata(&abs).is_ok_and(|m| mtime_ns(&m) == stamp.mtime_ns);
        if same_files && same_dirs && still {
            dirs.insert(
                d,
                DirStamp {
                    mtime_ns: stamp.mtime_ns,
                    racy: false,
                },
            );
        }
    }
    dirs
}
