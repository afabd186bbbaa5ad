//! The manifest: what sou writes beside tantivy's files (`sou-manifest.json`): the format version, the
//! analyzer settings, the corpus root, and a fingerprint per corpus file. It is written after tantivy's
//! commit (to a temporary file, then renamed), so a run that is interrupted leaves the previous manifest.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use serde::{Deserialize, Serialize};

use super::FORMAT_VERSION;
use crate::corpus::{JsonFields, SplitConfig};
use crate::text::analyzer::ANALYZER_SETTINGS;

/// Name of the manifest file inside the index directory.
pub const MANIFEST_FILE: &str = "sou-manifest.json";
/// Name of the index's copy of the user dictionary.
pub const DICT_FILE: &str = "user-dict.txt";

/// The user dictionary an index was segmented with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DictInfo {
    /// Where it was read from (absolute).
    pub path: PathBuf,
    /// BLAKE3 of its content, hex.
    pub hash: String,
}

/// Fingerprint of one indexed corpus file.
///
/// For a JSON Lines archive, `size`, `hash` and `lines` describe exactly the bytes whose records are in the
/// index (the file as it was read, even if it grew while it was read): a file that has grown since, and whose
/// first `size` bytes still hash to `hash`, has had records appended, and only the lines after line `lines`
/// are indexed ([`mod@crate::index::build`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileEntry {
    /// Size in bytes (for a JSON Lines archive: the bytes that were read).
    pub size: u64,
    /// Modification time, nanoseconds since the Unix epoch (a u64 lasts until 2554; serde_json parses 128-bit
    /// numbers slowly, and `sou search` reads every entry to check for a stale index).
    pub mtime_ns: u64,
    /// BLAKE3 hash of the content (its first `size` bytes), hex.
    pub hash: String,
    /// Number of passages indexed from it.
    pub passages: u32,
    /// The settings it was read with ([`crate::corpus::FileSettings::fingerprint`]; empty: none).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub settings: String,
    /// For a JSON Lines archive: the number of lines in its first `size` bytes, a last line without a newline
    /// included (the line number of the last record read). None for other files, and in manifests written
    /// before sou indexed appended records alone (such an archive is read again whole when it grows).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lines: Option<u64>,
}

impl FileEntry {
    /// Does a file of `size` bytes modified at `mtime_ns` look unchanged since it was indexed? The rule that
    /// both a build (before it hashes) and the staleness check apply: same size and same modification time.
    pub fn same_stat(&self, size: u64, mtime_ns: u64) -> bool {
        self.size == size && self.mtime_ns == mtime_ns
    }
}

/// What sou writes beside tantivy's files.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// [`FORMAT_VERSION`] of the sou that wrote it.
    pub format_version: u32,
    /// [`ANALYZER_SETTINGS`] of the sou that wrote it.
    pub analyzer: String,
    /// Longest passage, in characters.
    pub max_passage_chars: usize,
    /// Absolute path of the corpus that was indexed.
    pub corpus_root: PathBuf,
    /// Field names used for JSON Lines archives.
    #[serde(default)]
    pub json_fields: JsonFields,
    /// The user dictionary, if any (the index keeps a copy in [`DICT_FILE`]).
    #[serde(default)]
    pub dict: Option<DictInfo>,
    /// The tantivy commit this manifest describes: a token that sou put in the commit's payload (as
    /// `sou TOKEN`), empty if unknown (a manifest of an older sou). A run that finds another payload on the index's last commit
    /// knows that a run was killed between its commit and its manifest, and indexes no appended records
    /// alone (the index may hold them already): it reads every changed file whole.
    #[serde(default)]
    pub commit: String,
    /// Corpus files by path relative to the root.
    pub files: BTreeMap<String, FileEntry>,
}

impl Manifest {
    pub(crate) fn new(corpus_root: PathBuf) -> Self {
        Manifest {
            format_version: FORMAT_VERSION,
            analyzer: ANALYZER_SETTINGS.to_string(),
            max_passage_chars: SplitConfig::default().max_chars,
            corpus_root,
            json_fields: JsonFields::default(),
            dict: None,
            commit: String::new(),
            files: BTreeMap::new(),
        }
    }

    /// Why this manifest cannot be used by this version of sou, if it cannot.
    pub(crate) fn incompatibility(&self) -> Option<String> {
        if self.format_version != FORMAT_VERSION {
            return Some(format!(
                "it was written in index format {}, this sou reads format {}",
                self.format_version, FORMAT_VERSION
            ));
        }
        if self.analyzer != ANALYZER_SETTINGS
            || self.max_passage_chars != SplitConfig::default().max_chars
        {
            return Some("it was built with different analyzer settings".to_string());
        }
        None
    }

    /// Does this manifest describe the last commit of an index whose payload is `payload` (tantivy's
    /// [`IndexMeta::payload`](tantivy::IndexMeta::payload))? False for a manifest that names no commit.
    pub(crate) fn describes(&self, payload: Option<&str>) -> bool {
        !self.commit.is_empty() && payload == Some(commit_payload(&self.commit).as_str())
    }

    /// Total number of passages in the index.
    pub fn passages(&self) -> u64 {
        self.files.values().map(|f| u64::from(f.passages)).sum()
    }
}

/// The payload of the tantivy commit whose manifest records `token` in [`Manifest::commit`].
pub(crate) fn commit_payload(token: &str) -> String {
    format!("sou {token}")
}

/// A token for a new commit, different from `previous` and, for all practical purposes, from every token the
/// index had before: 16 hex digits of the BLAKE3 of the time, the process id and `previous`.
pub(crate) fn new_commit_token(previous: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let mut h = blake3::Hasher::new();
    h.update(&nanos.to_le_bytes());
    h.update(&std::process::id().to_le_bytes());
    h.update(previous.as_bytes());
    h.finalize().to_hex()[..16].to_string()
}

/// Reads the manifest of the index in `dir`: `Ok(None)` if there is none. Errors:
/// [`crate::Error::IndexIncompatible`] if it is not a manifest (damaged), [`crate::Error::Io`] if it can't be
/// read.
pub fn read_manifest(dir: &Path) -> crate::Result<Option<Manifest>> {
    let path = dir.join(MANIFEST_FILE);
    match fs::read(&path) {
        Ok(bytes) => {
            serde_json::from_slice(&bytes)
                .map(Some)
                .map_err(|e| crate::Error::IndexIncompatible {
                    path: dir.to_path_buf(),
                    reason: format!("its manifest is damaged ({e})"),
                })
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(crate::Error::io(path, e)),
    }
}

/// The corpus root recorded in the manifest of the index in `dir`, read from the manifest's first lines
/// (it comes before the list of files, which can be megabytes long). None if it isn't found there. A hint
/// for starting work early: [`read_manifest`] gives the authoritative value.
pub fn recorded_corpus_root(dir: &Path) -> Option<PathBuf> {
    use std::io::Read;
    let mut head = Vec::new();
    fs::File::open(dir.join(MANIFEST_FILE))
        .ok()?
        .take(64 * 1024)
        .read_to_end(&mut head)
        .ok()?;
    let key = b"\"corpus_root\":";
    let at = head.windows(key.len()).position(|w| w == key)? + key.len();
    let mut values = serde_json::Deserializer::from_slice(&head[at..]).into_iter::<PathBuf>();
    values.next()?.ok()
}

pub(crate) fn write_manifest(dir: &Path, manifest: &Manifest) -> crate::Result<()> {
    let path = dir.join(MANIFEST_FILE);
    let tmp = dir.join(format!("{MANIFEST_FILE}.tmp"));
    let json = serde_json::to_vec_pretty(manifest)
        .map_err(|e| crate::Error::io(&tmp, std::io::Error::other(e)))?;
    fs::write(&tmp, json).map_err(|e| crate::Error::io(&tmp, e))?;
    fs::rename(&tmp, &path).map_err(|e| crate::Error::io(&path, e))
}

pub(crate) fn mtime_ns(meta: &fs::Metadata) -> u64 {
    meta.modified()
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map(|d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX))
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::{Manifest, recorded_corpus_root, write_manifest};

    #[test]
    fn the_corpus_root_is_read_from_the_manifests_first_lines() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(recorded_corpus_root(dir.path()), None);
        // Quotes, a backslash and Han characters are escaped or kept as JSON writes them.
        let root = std::path::PathBuf::from("/data/新闻 \"档案\"\\2024");
        let mut m = Manifest::new(root.clone());
        for i in 0..5000 {
            let entry = super::FileEntry {
                size: i,
                mtime_ns: i,
                hash: "0".repeat(64),
                passages: 1,
                settings: String::new(),
                lines: None,
            };
            m.files.insert(format!("f{i}.txt"), entry);
        }
        write_manifest(dir.path(), &m).unwrap();
        assert_eq!(recorded_corpus_root(dir.path()), Some(root));
    }
}
