//! The manifest: what sou writes beside tantivy's files (`sou-manifest.json`): the format version, the
//! analyzer settings, the corpus root, a fingerprint per corpus file and the modification time of each corpus
//! directory. It is written after tantivy's commit (to a temporary file, then renamed), so a run that is
//! interrupted leaves the previous manifest.
//!
//! # On disk
//! JSON Lines, so that a search reads only what it needs of a manifest that lists tens of thousands of files:
//! - line 1, the head: the fields of [`Manifest`] but `files` and `dirs`, then `file_count`, `dir_count`,
//!   `passages` and `watch` (the files a search always checks, see [`Outline::watch`]);
//! - `dir_count` lines, one per directory in path order: `{"dir":REL,"mtime_ns":N,"racy":B,"files":N,
//!   "at":BYTES,"len":BYTES}`, where `files` counts the files directly in it and `[at, at + len)` is the byte
//!   range of their lines, counted from the first file line;
//! - `file_count` lines, `{"path":REL,…}` with the fields of [`FileEntry`], grouped by directory in the
//!   directories' order, in path order within one.
//!
//! An older sou wrote one JSON object (index formats up to 11); it is read for a rebuild.

use std::collections::BTreeMap;
use std::fs;
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom};
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
    /// For a file read by an extractor rather than as text (a PDF): the extractor and its version, `pdf-1`
    /// ([`crate::corpus::pdf::EXTRACTOR_VERSION`]). A sou whose extractor for that format has another
    /// version reads the file again. None for text files and JSON Lines archives.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extractor: Option<String>,
}

impl FileEntry {
    /// Does a file of `size` bytes modified at `mtime_ns` look unchanged since it was indexed? The rule that
    /// both a build (before it hashes) and the staleness check apply: same size and same modification time.
    pub fn same_stat(&self, size: u64, mtime_ns: u64) -> bool {
        self.size == size && self.mtime_ns == mtime_ns
    }
}

/// The modification time of a corpus directory as the walk found it. A directory's time changes when a
/// file in it is added, removed or renamed (editors that save by writing a new file and renaming it over the
/// old one included), not when a file in it is written in place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DirStamp {
    /// Modification time, nanoseconds since the Unix epoch.
    pub mtime_ns: u64,
    /// The time was less than [`RACY_NS`] before the walk listed the directory: on a file system whose
    /// clock is coarse, a change right after the listing could leave the time as it was, so a search lists
    /// such a directory instead of trusting its time (the "racy" entries of git's index, the same problem).
    pub racy: bool,
}

/// How recent a directory's modification time must be, at the moment it is listed, for the time not to be
/// trusted ([`DirStamp::racy`]): 2 s, the coarsest clock of a common file system (FAT's).
pub const RACY_NS: u64 = 2_000_000_000;

impl DirStamp {
    /// The stamp of a directory whose metadata is `meta`, read at `now_ns`.
    pub fn of(meta: &fs::Metadata, now_ns: u64) -> Self {
        let mtime_ns = mtime_ns(meta);
        DirStamp {
            mtime_ns,
            racy: now_ns < mtime_ns.saturating_add(RACY_NS),
        }
    }
}

/// Now, in nanoseconds since the Unix epoch (0 if the clock is before it).
pub fn now_ns() -> u64 {
    std::time::SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX))
        .unwrap_or(0)
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
    /// Corpus files by path relative to the root. Empty in the manifest of an index opened for search
    /// ([`read_head`]): only `sou index` and the staleness check read the files.
    pub files: BTreeMap<String, FileEntry>,
    /// The corpus directories the last walk entered, by path relative to the root (`""`: the root), with
    /// their modification times. Empty as `files` is, and in a manifest of an older sou.
    #[serde(skip)]
    pub dirs: BTreeMap<String, DirStamp>,
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
            dirs: BTreeMap::new(),
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

/// The head line of the manifest on disk (see the module's documentation).
#[derive(Debug, Serialize, Deserialize)]
struct Head {
    format_version: u32,
    analyzer: String,
    max_passage_chars: usize,
    corpus_root: PathBuf,
    #[serde(default)]
    json_fields: JsonFields,
    #[serde(default)]
    dict: Option<DictInfo>,
    #[serde(default)]
    commit: String,
    file_count: usize,
    dir_count: usize,
    passages: u64,
    watch: Vec<Watched>,
}

/// A file that a search checks every time (see [`Outline::watch`]): its path, size and modification time as
/// indexed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Watched {
    /// Path relative to the corpus root.
    pub path: String,
    /// Size in bytes.
    pub size: u64,
    /// Modification time, nanoseconds since the Unix epoch.
    pub mtime_ns: u64,
}

/// How many files [`Outline::watch`] names at most.
pub const WATCHED_FILES: usize = 256;

/// One directory line of the manifest on disk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DirLine {
    /// Path relative to the corpus root (`""`: the root).
    pub dir: String,
    /// Its modification time (None: unknown, the directory holds indexed files but the walk could not
    /// read its time).
    pub mtime_ns: Option<u64>,
    /// See [`DirStamp::racy`].
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub racy: bool,
    /// How many indexed files are directly in it.
    pub files: usize,
    /// The byte range `[at, at + len)` of their lines, counted from the first file line.
    pub at: u64,
    /// See `at`.
    pub len: u64,
}

#[derive(Serialize)]
struct FileLineOut<'a> {
    path: &'a str,
    #[serde(flatten)]
    entry: &'a FileEntry,
}

#[derive(Deserialize)]
struct FileLine {
    path: String,
    #[serde(flatten)]
    entry: FileEntry,
}

/// The directory of a corpus file's relative path (`""` for a file at the root).
pub fn parent_dir(rel: &str) -> &str {
    rel.rsplit_once('/').map_or("", |(d, _)| d)
}

/// What a search reads of a manifest: the head and the directory lines, with the means to read one
/// directory's file lines, or a run of file lines from anywhere, without reading the rest.
#[derive(Debug)]
pub struct Outline {
    /// The manifest's head ([`Manifest::files`] and [`Manifest::dirs`] empty).
    pub manifest: Manifest,
    /// How many files the manifest lists.
    pub file_count: usize,
    /// How many passages the index holds.
    pub passages: u64,
    /// The directory lines, in path order (empty in a manifest of an older sou).
    pub dirs: Vec<DirLine>,
    /// The files a search always checks: those a user is most likely to change in place, not by replacing
    /// them (which a directory's time shows): JSON Lines archives, which grow by appends, then the most
    /// recently modified files, at most [`WATCHED_FILES`], most recent first.
    pub watch: Vec<Watched>,
    path: PathBuf,
    /// The manifest, open: later reads see the file that was read first, even if `sou index` has renamed a
    /// new one over it meanwhile. None for an older sou's manifest, read whole.
    file: Option<fs::File>,
    /// Byte offset of the first file line, and the bytes of all file lines.
    files_at: u64,
    files_len: u64,
    /// The whole manifest of an older sou (one JSON object), already read.
    legacy: Option<Manifest>,
}

fn damaged(dir: &Path, e: impl std::fmt::Display) -> crate::Error {
    crate::Error::IndexIncompatible {
        path: dir.to_path_buf(),
        reason: format!("its manifest is damaged ({e})"),
    }
}

impl Outline {
    /// Reads the head and the directory lines of the manifest of the index in `dir`: `Ok(None)` if there is
    /// none. Errors: [`crate::Error::IndexIncompatible`] if it is not a manifest (damaged),
    /// [`crate::Error::Io`] if it can't be read.
    pub fn read(dir: &Path) -> crate::Result<Option<Outline>> {
        Self::read_lines(dir, true)
    }

    fn read_lines(dir: &Path, with_dirs: bool) -> crate::Result<Option<Outline>> {
        let path = dir.join(MANIFEST_FILE);
        let file = match fs::File::open(&path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(crate::Error::io(path, e)),
        };
        let mut r = BufReader::with_capacity(64 * 1024, file);
        let mut line = String::new();
        let mut at = r
            .read_line(&mut line)
            .map_err(|e| crate::Error::io(&path, e))? as u64;
        let head: Head = match serde_json::from_str(&line) {
            Ok(h) => h,
            Err(e) if line.trim_start().starts_with('{') => {
                // An older sou's manifest: one JSON object (pretty-printed: its first line is `{`).
                r.read_to_string(&mut line)
                    .map_err(|e| crate::Error::io(&path, e))?;
                // It is the serde form of `Manifest` (`dirs` absent).
                let manifest: Manifest =
                    serde_json::from_str(&line).map_err(|_| damaged(dir, e))?;
                let passages = manifest.passages();
                return Ok(Some(Outline {
                    file_count: manifest.files.len(),
                    passages,
                    manifest: Manifest {
                        files: BTreeMap::new(),
                        ..manifest.clone()
                    },
                    dirs: Vec::new(),
                    watch: Vec::new(),
                    path,
                    file: None,
                    files_at: 0,
                    files_len: 0,
                    legacy: Some(manifest),
                }));
            }
            Err(e) => return Err(damaged(dir, e)),
        };
        let mut dirs = Vec::new();
        if with_dirs {
            dirs.reserve(head.dir_count);
            for _ in 0..head.dir_count {
                line.clear();
                let n = r
                    .read_line(&mut line)
                    .map_err(|e| crate::Error::io(&path, e))?;
                if n == 0 {
                    return Err(damaged(dir, "it ends before its directories do"));
                }
                at += n as u64;
                dirs.push(serde_json::from_str::<DirLine>(&line).map_err(|e| damaged(dir, e))?);
            }
        }
        let file = r.into_inner();
        let total = file
            .metadata()
            .map_err(|e| crate::Error::io(&path, e))?
            .len();
        Ok(Some(Outline {
            manifest: Manifest {
                format_version: head.format_version,
                analyzer: head.analyzer,
                max_passage_chars: head.max_passage_chars,
                corpus_root: head.corpus_root,
                json_fields: head.json_fields,
                dict: head.dict,
                commit: head.commit,
                files: BTreeMap::new(),
                dirs: BTreeMap::new(),
            },
            file_count: head.file_count,
            passages: head.passages,
            dirs,
            watch: head.watch,
            path,
            file: Some(file),
            files_at: at,
            files_len: total.saturating_sub(at),
            legacy: None,
        }))
    }

    fn parse_files(&self, bytes: &[u8], out: &mut Vec<(String, FileEntry)>) -> crate::Result<()> {
        let dir = self.path.parent().unwrap_or(Path::new(""));
        for line in bytes.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
            let f: FileLine = serde_json::from_slice(line).map_err(|e| damaged(dir, e))?;
            out.push((f.path, f.entry));
        }
        Ok(())
    }

    fn read_range(&self, at: u64, len: u64) -> crate::Result<Vec<u8>> {
        let io = |e| crate::Error::io(&self.path, e);
        let Some(mut f) = self.file.as_ref() else {
            return Ok(Vec::new());
        };
        f.seek(SeekFrom::Start(self.files_at + at)).map_err(io)?;
        let mut buf = Vec::with_capacity(len as usize);
        f.take(len).read_to_end(&mut buf).map_err(io)?;
        Ok(buf)
    }

    /// The files directly in the directory of `line`, with their entries.
    pub fn files_in(&self, line: &DirLine) -> crate::Result<Vec<(String, FileEntry)>> {
        if let Some(m) = &self.legacy {
            return Ok(m
                .files
                .iter()
                .filter(|(rel, _)| parent_dir(rel) == line.dir)
                .map(|(rel, e)| (rel.clone(), e.clone()))
                .collect());
        }
        let bytes = self.read_range(line.at, line.len)?;
        let mut out = Vec::with_capacity(line.files);
        self.parse_files(&bytes, &mut out)?;
        Ok(out)
    }

    /// Up to `n` files from the list of all, in a run that starts at a place chosen by `seed` and wraps
    /// around at the end (all of them if there are no more than `n`).
    pub fn sample(&self, n: usize, seed: u64) -> crate::Result<Vec<(String, FileEntry)>> {
        if let Some(m) = &self.legacy {
            let skip = if m.files.is_empty() {
                0
            } else {
                (seed % m.files.len() as u64) as usize
            };
            return Ok(m
                .files
                .iter()
                .cycle()
                .skip(skip)
                .take(n.min(m.files.len()))
                .map(|(rel, e)| (rel.clone(), e.clone()))
                .collect());
        }
        let mut out = Vec::new();
        if n == 0 || self.file_count == 0 {
            return Ok(out);
        }
        if self.file_count <= n {
            self.parse_files(&self.read_range(0, self.files_len)?, &mut out)?;
            return Ok(out);
        }
        // Lines are about the same length: read what `n` of them take from a random byte, skip the partial
        // first line, and go on from the start when the end comes first.
        let want = (self.files_len / self.file_count as u64 + 1) * (n as u64 + 1);
        let start = seed % self.files_len;
        let mut bytes = self.read_range(start, want)?;
        let wraps = start + want > self.files_len;
        if start > 0 {
            match bytes.iter().position(|&b| b == b'\n') {
                Some(i) => {
                    bytes.drain(..=i);
                }
                None => bytes.clear(),
            }
        }
        if wraps {
            let more = want - (self.files_len - start);
            bytes.extend(self.read_range(0, more.min(start))?);
        }
        // Only whole lines.
        if let Some(i) = bytes.iter().rposition(|&b| b == b'\n') {
            bytes.truncate(i + 1);
        }
        self.parse_files(&bytes, &mut out)?;
        out.truncate(n);
        Ok(out)
    }

    /// The whole manifest: the head, every file and every directory.
    pub fn into_manifest(self) -> crate::Result<Manifest> {
        if let Some(m) = self.legacy {
            return Ok(m);
        }
        let mut m = self.manifest.clone();
        let mut files = Vec::with_capacity(self.file_count);
        self.parse_files(&self.read_range(0, self.files_len)?, &mut files)?;
        if files.len() != self.file_count {
            let dir = self.path.parent().unwrap_or(Path::new(""));
            return Err(damaged(
                dir,
                format!("it lists {} files of {}", files.len(), self.file_count),
            ));
        }
        m.files = files.into_iter().collect();
        m.dirs = self
            .dirs
            .iter()
            .filter_map(|d| {
                d.mtime_ns.map(|mtime_ns| {
                    (
                        d.dir.clone(),
                        DirStamp {
                            mtime_ns,
                            racy: d.racy,
                        },
                    )
                })
            })
            .collect();
        Ok(m)
    }
}

/// Reads the whole manifest of the index in `dir` (`sou index` needs every file's entry): `Ok(None)` if
/// there is none. Errors: [`crate::Error::IndexIncompatible`] if it is not a manifest (damaged),
/// [`crate::Error::Io`] if it can't be read.
pub fn read_manifest(dir: &Path) -> crate::Result<Option<Manifest>> {
    Outline::read(dir)?.map(Outline::into_manifest).transpose()
}

/// Reads the head of the manifest of the index in `dir`, what a search needs: [`Manifest::files`] and
/// [`Manifest::dirs`] are left empty. Errors as [`read_manifest`].
pub fn read_head(dir: &Path) -> crate::Result<Option<Manifest>> {
    Ok(Outline::read_lines(dir, false)?.map(|o| o.manifest))
}

/// The files a search always checks ([`Outline::watch`]).
fn watched(m: &Manifest) -> Vec<Watched> {
    let mut all: Vec<(&String, &FileEntry)> = m.files.iter().collect();
    all.sort_by(|a, b| {
        crate::corpus::is_jsonl(b.0)
            .cmp(&crate::corpus::is_jsonl(a.0))
            .then(b.1.mtime_ns.cmp(&a.1.mtime_ns))
            .then(a.0.cmp(b.0))
    });
    all.into_iter()
        .take(WATCHED_FILES)
        .map(|(path, e)| Watched {
            path: path.clone(),
            size: e.size,
            mtime_ns: e.mtime_ns,
        })
        .collect()
}

/// The manifest as it is written to disk (see the module's documentation).
fn manifest_bytes(manifest: &Manifest) -> serde_json::Result<Vec<u8>> {
    // Files grouped by directory: every directory the walk entered, and the directory of every file (one
    // the walk could not stamp has no time).
    let mut by_dir: BTreeMap<&str, Vec<(&String, &FileEntry)>> = manifest
        .dirs
        .keys()
        .map(|d| (d.as_str(), Vec::new()))
        .collect();
    for (rel, e) in &manifest.files {
        by_dir.entry(parent_dir(rel)).or_default().push((rel, e));
    }
    let mut body = Vec::new();
    let mut dirs = Vec::with_capacity(by_dir.len());
    for (dir, files) in by_dir {
        let at = body.len() as u64;
        for (path, entry) in &files {
            serde_json::to_writer(&mut body, &FileLineOut { path, entry })?;
            body.push(b'\n');
        }
        let stamp = manifest.dirs.get(dir);
        dirs.push(DirLine {
            dir: dir.to_string(),
            mtime_ns: stamp.map(|s| s.mtime_ns),
            racy: stamp.is_some_and(|s| s.racy),
            files: files.len(),
            at,
            len: body.len() as u64 - at,
        });
    }
    let head = Head {
        format_version: manifest.format_version,
        analyzer: manifest.analyzer.clone(),
        max_passage_chars: manifest.max_passage_chars,
        corpus_root: manifest.corpus_root.clone(),
        json_fields: manifest.json_fields.clone(),
        dict: manifest.dict.clone(),
        commit: manifest.commit.clone(),
        file_count: manifest.files.len(),
        dir_count: dirs.len(),
        passages: manifest.passages(),
        watch: watched(manifest),
    };
    let mut out = serde_json::to_vec(&head)?;
    out.push(b'\n');
    for d in &dirs {
        serde_json::to_writer(&mut out, d)?;
        out.push(b'\n');
    }
    out.extend(body);
    Ok(out)
}

pub(crate) fn write_manifest(dir: &Path, manifest: &Manifest) -> crate::Result<()> {
    let path = dir.join(MANIFEST_FILE);
    let tmp = dir.join(format!("{MANIFEST_FILE}.tmp"));
    let bytes =
        manifest_bytes(manifest).map_err(|e| crate::Error::io(&tmp, std::io::Error::other(e)))?;
    fs::write(&tmp, bytes).map_err(|e| crate::Error::io(&tmp, e))?;
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
    use super::{
        DirStamp, FileEntry, Manifest, Outline, WATCHED_FILES, read_head, read_manifest,
        write_manifest,
    };

    fn entry(i: u64) -> FileEntry {
        FileEntry {
            size: i,
            mtime_ns: i,
            hash: "0".repeat(64),
            passages: 1,
            settings: String::new(),
            lines: None,
            extractor: None,
        }
    }

    /// A manifest of 5,000 files in three directories and the root, an empty directory too.
    fn sample_manifest(root: &std::path::Path) -> Manifest {
        let mut m = Manifest::new(root.to_path_buf());
        for i in 0..5000 {
            let dir = ["", "a/", "a/b/", "c/"][(i % 4) as usize];
            m.files.insert(format!("{dir}f{i}.txt"), entry(i));
        }
        m.files.insert("a/log.jsonl".into(), entry(1));
        for (d, t) in [("", 1), ("a", 2), ("a/b", 3), ("c", 4), ("empty", 5)] {
            m.dirs.insert(
                d.into(),
                DirStamp {
                    mtime_ns: t,
                    racy: d == "c",
                },
            );
        }
        m
    }

    #[test]
    fn a_manifest_reads_back_as_it_was_written() {
        let dir = tempfile::tempdir().unwrap();
        assert!(read_manifest(dir.path()).unwrap().is_none());
        // Quotes, a backslash and Han characters are escaped or kept as JSON writes them.
        let root = std::path::PathBuf::from("/data/新闻 \"档案\"\\2024");
        let m = sample_manifest(&root);
        write_manifest(dir.path(), &m).unwrap();
        assert_eq!(read_manifest(dir.path()).unwrap(), Some(m.clone()));
        let head = read_head(dir.path()).unwrap().unwrap();
        assert_eq!(head.corpus_root, root);
        assert!(head.files.is_empty() && head.dirs.is_empty());
        assert_eq!(head.commit, m.commit);
    }

    #[test]
    fn a_search_reads_one_directorys_files_or_a_sample_alone() {
        let dir = tempfile::tempdir().unwrap();
        let m = sample_manifest(std::path::Path::new("/c"));
        write_manifest(dir.path(), &m).unwrap();
        let o = Outline::read(dir.path()).unwrap().unwrap();
        assert_eq!((o.file_count, o.passages), (5001, 5001));
        let dirs: Vec<&str> = o.dirs.iter().map(|d| d.dir.as_str()).collect();
        assert_eq!(dirs, ["", "a", "a/b", "c", "empty"]);
        for d in &o.dirs {
            let files = o.files_in(d).unwrap();
            assert_eq!(files.len(), d.files);
            let want: Vec<_> = m
                .files
                .iter()
                .filter(|(rel, _)| super::parent_dir(rel) == d.dir)
                .map(|(r, e)| (r.clone(), e.clone()))
                .collect();
            assert_eq!(files, want, "{}", d.dir);
        }
        assert!(o.dirs[3].racy && !o.dirs[2].racy);
        // The archive first, then the most recent.
        assert_eq!(o.watch.len(), WATCHED_FILES);
        assert_eq!(o.watch[0].path, "a/log.jsonl");
        assert_eq!(o.watch[1].path, "c/f4999.txt");
        // Samples: whole entries of the manifest, as many as asked, wherever they start.
        for seed in [0, 1, 77, 123_456, u64::MAX] {
            let got = o.sample(300, seed).unwrap();
            assert_eq!(got.len(), 300, "seed {seed}");
            for (rel, e) in &got {
                assert_eq!(m.files.get(rel), Some(e), "seed {seed}");
            }
        }
        assert_eq!(o.sample(10_000, 5).unwrap().len(), 5001);
        // A new manifest renamed over it (a run of `sou index`) does not change what the outline reads.
        let mut other = Manifest::new(std::path::PathBuf::from("/c"));
        other.files.insert("z.txt".into(), entry(9));
        write_manifest(dir.path(), &other).unwrap();
        assert_eq!(o.files_in(&o.dirs[1]).unwrap().len(), o.dirs[1].files);
        assert_eq!(o.sample(10_000, 5).unwrap().len(), 5001);
    }
}
