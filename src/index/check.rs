//! Verifying an index's files against the checksums tantivy keeps in each one's footer (a CRC32 of the
//! file's bytes): `sou index --check` reads every file of the last commit, and opening an index for search
//! checks its deletion bitsets (`.del` files, a few bytes per thousand passages, which decide which
//! passages exist), where damage would change answers without any error.

use std::path::{Path, PathBuf};

use tantivy::Index;
use tantivy::index::SegmentComponent;

/// What [`verify`] found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Verification {
    /// Files of the last commit that were checked.
    pub files: usize,
    /// Their size in bytes.
    pub bytes: u64,
    /// Files whose checksum does not match their bytes (names inside the index directory, sorted).
    pub damaged: Vec<String>,
    /// Files the last commit uses that are missing (names, sorted).
    pub missing: Vec<String>,
}

impl Verification {
    /// True when every file is present and matches its checksum.
    pub fn is_intact(&self) -> bool {
        self.damaged.is_empty() && self.missing.is_empty()
    }
}

/// Reads every file of the index in `dir`'s last commit (read access is enough) and compares it with its
/// checksum. Errors: [`crate::Error::IndexMissing`] when `dir` holds no tantivy index,
/// [`crate::Error::IndexIncompatible`] when its `meta.json` can't be read, [`crate::Error::Io`] when a file
/// can't be read for another reason than damage.
pub fn verify(dir: &Path) -> crate::Result<Verification> {
    if !dir.join("meta.json").is_file() {
        return Err(crate::Error::IndexMissing {
            path: dir.to_path_buf(),
        });
    }
    let index = open_read(dir)?;
    let metas = index.load_metas()?;
    // A segment's files are named by its id; of its deletion bitsets, only the one of the last commit counts
    // (older ones are garbage that the next run collects).
    let mut files: Vec<PathBuf> = Vec::new();
    let mut expected: Vec<PathBuf> = Vec::new();
    let entries: Vec<String> = std::fs::read_dir(dir)
        .map_err(|e| crate::Error::io(dir, e))?
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    for segment in &metas.segments {
        let prefix = format!("{}.", segment.id().uuid_string());
        let del = segment
            .has_deletes()
            .then(|| segment.relative_path(SegmentComponent::Delete));
        expected.extend(del.clone());
        for name in entries.iter().filter(|n| n.starts_with(&prefix)) {
            if !name.ends_with(".del") || del.as_deref() == Some(Path::new(name)) {
                files.push(PathBuf::from(name));
            }
        }
    }
    files.extend(
        expected
            .into_iter()
            .filter(|p| !files.contains(p))
            .collect::<Vec<_>>(),
    );
    files.sort();
    files.dedup();
    let mut out = Verification::default();
    for rel in files {
        let name = rel.display().to_string();
        let path = dir.join(&rel);
        match std::fs::metadata(&path) {
            Ok(m) => out.bytes += m.len(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                out.missing.push(name);
                continue;
            }
            Err(e) => return Err(crate::Error::io(path, e)),
        }
        out.files += 1;
        if !checksum_matches(&index, &rel)? {
            out.damaged.push(name);
        }
    }
    Ok(out)
}

/// Checks the deletion bitsets (`.del` files) of `index`'s last commit; returns the first damaged one's
/// name. They are small: this costs a read of a few pages per segment.
pub(crate) fn damaged_deletes(index: &Index) -> crate::Result<Option<String>> {
    for segment in index.searchable_segment_metas()? {
        if segment.has_deletes() {
            let rel = segment.relative_path(SegmentComponent::Delete);
            if !checksum_matches(index, &rel)? {
                return Ok(Some(rel.display().to_string()));
            }
        }
    }
    Ok(None)
}

/// Whether the file `rel` of `index` matches the checksum in its footer. A file too short to hold a
/// footer, or whose footer is not one, does not.
fn checksum_matches(index: &Index, rel: &Path) -> crate::Result<bool> {
    use tantivy::directory::error::OpenReadError;
    match index.directory().validate_checksum(rel) {
        Ok(ok) => Ok(ok),
        Err(OpenReadError::IoError { io_error, filepath })
            if io_error.kind() != std::io::ErrorKind::InvalidData
                && io_error.kind() != std::io::ErrorKind::UnexpectedEof =>
        {
            Err(crate::Error::io(
                filepath,
                std::io::Error::new(io_error.kind(), io_error.to_string()),
            ))
        }
        Err(OpenReadError::IoError { .. }) => Ok(false),
        Err(e) => Err(crate::Error::Tantivy(e.into())),
    }
}

/// Opens the index in `dir` for reading only (no lock file needed).
fn open_read(dir: &Path) -> crate::Result<Index> {
    let directory = super::readonly::ReadDirectory::open(dir)
        .map_err(|e| crate::Error::Tantivy(tantivy::TantivyError::OpenDirectoryError(e)))?;
    Index::open(directory).map_err(|e| crate::Error::IndexIncompatible {
        path: dir.to_path_buf(),
        reason: format!("it is damaged: {}", super::open::short_reason(&e)),
    })
}
