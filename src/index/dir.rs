//! The index directory itself: the lock that keeps two `sou index` runs apart, and the safety checks
//! before anything in it is created or removed.

use std::fs;
use std::path::{Path, PathBuf};

use super::manifest::MANIFEST_FILE;

/// Name of the lock file that keeps two `sou index` runs apart.
const LOCK_FILE: &str = ".sou-index.lock";

/// Takes the index's lock, or says who has it.
pub(crate) fn lock_index(dir: &Path) -> crate::Result<fs::File> {
    let path = dir.join(LOCK_FILE);
    let file = fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| crate::Error::io(&path, e))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(fs::TryLockError::WouldBlock) => Err(crate::Error::IndexBusy {
            path: dir.to_path_buf(),
        }),
        Err(fs::TryLockError::Error(e)) => Err(crate::Error::io(&path, e)),
    }
}

/// Does `dir` hold a sou index (a manifest)?
pub fn exists(dir: &Path) -> bool {
    dir.join(MANIFEST_FILE).is_file()
}

/// Does `dir` hold anything of an index, whole or damaged (a manifest, or tantivy's `meta.json`)? Such a
/// directory is never built over unless the user asks for it (`sou index`).
pub(crate) fn has_index_files(dir: &Path) -> bool {
    exists(dir) || dir.join("meta.json").exists()
}

/// Entries of `dir` that are not hidden (`.gitkeep` and friends don't count).
fn visible_entries(dir: &Path) -> crate::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    let rd = match fs::read_dir(dir) {
        Ok(rd) => rd,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(out),
        Err(e) => return Err(crate::Error::io(dir, e)),
    };
    for entry in rd {
        let entry = entry.map_err(|e| crate::Error::io(dir, e))?;
        if !entry.file_name().to_string_lossy().starts_with('.') {
            out.push(entry.path());
        }
    }
    out.sort();
    Ok(out)
}

/// Refuses a directory that holds anything other than a (possibly broken) sou index: sou never writes
/// into, or empties, a folder of the user's files. Empty and missing directories are fine.
pub(crate) fn ensure_index_or_empty(dir: &Path) -> crate::Result<()> {
    let looks_like_index = has_index_files(dir);
    if !looks_like_index && !visible_entries(dir)?.is_empty() {
        return Err(crate::Error::NotAnIndex {
            path: dir.to_path_buf(),
        });
    }
    Ok(())
}

/// tantivy's hidden files: its list of the files it wrote (`.managed.json`, which a new index must not
/// inherit: a damaged one stops tantivy from creating the index at all) and its lock files.
const TANTIVY_HIDDEN: [&str; 3] = [
    ".managed.json",
    ".tantivy-meta.lock",
    ".tantivy-writer.lock",
];

/// Empties an index directory so that a new index can be created in it (after
/// [`ensure_index_or_empty`]): its visible entries and tantivy's hidden files (other hidden files, such as
/// a `.gitkeep`, and sou's lock stay).
pub(crate) fn clear_index_dir(dir: &Path) -> crate::Result<()> {
    ensure_index_or_empty(dir)?;
    let hidden = TANTIVY_HIDDEN
        .iter()
        .map(|name| dir.join(name))
        .filter(|p| p.symlink_metadata().is_ok());
    for p in visible_entries(dir)?.into_iter().chain(hidden) {
        let r = if p.is_dir() {
            fs::remove_dir_all(&p)
        } else {
            fs::remove_file(&p)
        };
        r.map_err(|e| crate::Error::io(&p, e))?;
    }
    Ok(())
}
