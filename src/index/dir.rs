//! The index directory itself: the lock that keeps two `sou index` runs apart, and the safety checks
//! before anything in it is created or removed.

use std::fs;
use std::path::{Path, PathBuf};

use super::FORMAT_VERSION;
use super::manifest::{MANIFEST_FILE, read_manifest};

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
        Err(fs::TryLockError::WouldBlock) => Err(crate::Error::Other(format!(
            "another `sou index` is updating {}; wait for it to finish and run this again",
            dir.display()
        ))),
        Err(fs::TryLockError::Error(e)) => Err(crate::Error::io(&path, e)),
    }
}

/// The format version of the index in `dir` if an older sou wrote it (then `sou index` rebuilds it, losing
/// nothing that the corpus doesn't hold).
pub fn older_format(dir: &Path) -> Option<u32> {
    let m = read_manifest(dir).ok().flatten()?;
    (m.format_version < FORMAT_VERSION).then_some(m.format_version)
}

/// Does `dir` hold a sou index (a manifest)?
pub fn exists(dir: &Path) -> bool {
    dir.join(MANIFEST_FILE).is_file()
}

/// Entries of `dir` that are not hidden (`.gitkeep` and friends don't count).
pub(crate) fn visible_entries(dir: &Path) -> crate::Result<Vec<PathBuf>> {
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

/// Empties an index directory so that a new index can be created in it. Refuses to touch a directory
/// that holds anything other than a (possibly broken) sou index.
pub(crate) fn clear_index_dir(dir: &Path) -> crate::Result<()> {
    let entries = visible_entries(dir)?;
    let looks_like_index = exists(dir) || dir.join("meta.json").is_file();
    if !entries.is_empty() && !looks_like_index {
        return Err(crate::Error::Other(format!(
            "{} is not empty and is not a sou index; refusing to overwrite it (choose another --index)",
            dir.display()
        )));
    }
    for p in entries {
        let r = if p.is_dir() {
            fs::remove_dir_all(&p)
        } else {
            fs::remove_file(&p)
        };
        r.map_err(|e| crate::Error::io(&p, e))?;
    }
    Ok(())
}
