//! The index on disk: its schema, the manifest beside it, building and updating it from a corpus, and
//! opening it for search.
//!
//! An index directory holds tantivy's files plus `sou-manifest.json` (format version, analyzer settings,
//! corpus root, and a fingerprint per corpus file). `sou index` compares the corpus with the manifest and
//! re-indexes only the files that were added, changed or removed. The manifest is written after tantivy's
//! commit, so a run that is interrupted leaves the previous manifest, and the next run redoes its work.

use std::collections::{BTreeMap, HashMap};
use std::fs;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use tantivy::schema::{
    FAST, Field, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions,
};
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term};

use crate::corpus::{self, JsonFields, Passage, SplitConfig};
use crate::text::analyzer::{
    self, ANALYZER_SETTINGS, Analyzer, BIGRAMS_TOKENIZER, UNIGRAMS_TOKENIZER, WORDS_TOKENIZER,
};
use crate::text::dict::{self, DictEntry};
use crate::text::normalize::normalize;

/// Version of the on-disk format. Bump it whenever the schema or the analysis changes.
pub const FORMAT_VERSION: u32 = 6;
/// Name of the field that marks lead passages (read as a fast field by the re-ranker).
pub const LEAD_FIELD: &str = "lead";
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

/// What `sou index` does with the user dictionary.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum DictChoice {
    /// Keep the one the index has (re-read from its file, to pick up changes).
    #[default]
    Keep,
    /// Use this file.
    Set(PathBuf),
    /// Use none.
    Remove,
}

/// Fingerprint of one indexed corpus file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileEntry {
    /// Size in bytes.
    pub size: u64,
    /// Modification time, nanoseconds since the Unix epoch (a u64 lasts until 2554; serde_json parses 128-bit
    /// numbers slowly, and `sou search` reads every entry to check for a stale index).
    pub mtime_ns: u64,
    /// BLAKE3 hash of the content, hex.
    pub hash: String,
    /// Number of passages indexed from it.
    pub passages: u32,
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
    /// Corpus files by path relative to the root.
    pub files: BTreeMap<String, FileEntry>,
}

impl Manifest {
    fn new(corpus_root: PathBuf) -> Self {
        Manifest {
            format_version: FORMAT_VERSION,
            analyzer: ANALYZER_SETTINGS.to_string(),
            max_passage_chars: SplitConfig::default().max_chars,
            corpus_root,
            json_fields: JsonFields::default(),
            dict: None,
            files: BTreeMap::new(),
        }
    }

    /// Why this manifest cannot be used by this version of sou, if it cannot.
    fn incompatibility(&self) -> Option<String> {
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

    /// Total number of passages in the index.
    pub fn passages(&self) -> u64 {
        self.files.values().map(|f| u64::from(f.passages)).sum()
    }
}

/// The schema's fields.
#[derive(Debug, Clone, Copy)]
pub struct Fields {
    /// Article path relative to the corpus root (raw, stored; used to delete a file's passages).
    pub path: Field,
    /// Passage ordinal in its article (stored).
    pub ordinal: Field,
    /// First character of the passage in the file (stored).
    pub start: Field,
    /// One past the last character of the passage in the file (stored).
    pub end: Field,
    /// Article title (stored; empty when the title is only the record's id, see [`Passage::title_is_id`]).
    pub title: Field,
    /// The passage's original text (stored).
    pub text: Field,
    /// Word view of the normalized text (indexed with frequencies, no positions).
    pub words: Field,
    /// Character view of the normalized text: its bigrams (indexed with positions).
    pub chars: Field,
    /// Character view of the normalized text: its unigrams (indexed with frequencies, no positions).
    pub unigrams: Field,
    /// Article id (raw, stored).
    pub id: Field,
    /// Article date, if any (stored).
    pub date: Field,
    /// Line of the record in a JSON Lines file (stored).
    pub line: Field,
    /// 1 if the passage is the lead of its article (stored, and a fast field: re-ranking reads it before
    /// loading a document).
    pub lead: Field,
    /// Word view of the normalized title.
    pub title_words: Field,
    /// Character view of the normalized title: bigrams (positions).
    pub title_chars: Field,
    /// Character view of the normalized title: unigrams.
    pub title_unigrams: Field,
}

/// How tantivy stores the passages: zstd in blocks of [`DOCSTORE_BLOCK`] bytes. Chinese text in UTF-8 takes 3
/// bytes a character and lz4 (tantivy's default) shrinks it little. On the `xwlb` eval archive the store is
/// 44.7 MB with lz4 in 16 KB blocks, 32.8 MB with zstd in 16 KB blocks and 34.4 MB in 8 KB blocks; a search
/// decompresses one block per candidate it reads, and with 8 KB blocks a one-shot search (`厄立特里亚`) took
/// 5.9 ms against 5.5 ms with lz4 and 6.8 ms with 16 KB zstd blocks (hyperfine, one run).
fn index_settings() -> tantivy::IndexSettings {
    tantivy::IndexSettings {
        docstore_compression: tantivy::store::Compressor::Zstd(tantivy::store::ZstdCompressor {
            compression_level: Some(DOCSTORE_LEVEL),
        }),
        docstore_blocksize: DOCSTORE_BLOCK,
        ..Default::default()
    }
}

/// zstd level of the stored passages.
const DOCSTORE_LEVEL: i32 = 3;
/// Bytes of stored documents compressed together.
const DOCSTORE_BLOCK: usize = 8_192;

/// Builds the schema.
pub fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let indexed = |tokenizer: &str, record: IndexRecordOption| {
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(tokenizer)
                .set_index_option(record),
        )
    };
    // Only the bigrams need positions: every literal string of two or more characters is a phrase of them.
    let positions = IndexRecordOption::WithFreqsAndPositions;
    let freqs = IndexRecordOption::WithFreqs;
    let fields = Fields {
        path: b.add_text_field("path", STRING | STORED),
        ordinal: b.add_u64_field("ordinal", STORED),
        start: b.add_u64_field("start", STORED),
        end: b.add_u64_field("end", STORED),
        title: b.add_text_field("title", STORED),
        text: b.add_text_field("text", STORED),
        words: b.add_text_field("words", indexed(WORDS_TOKENIZER, freqs)),
        chars: b.add_text_field("chars", indexed(BIGRAMS_TOKENIZER, positions)),
        unigrams: b.add_text_field("unigrams", indexed(UNIGRAMS_TOKENIZER, freqs)),
        id: b.add_text_field("id", STRING | STORED),
        date: b.add_text_field("date", STORED),
        line: b.add_u64_field("line", STORED),
        lead: b.add_u64_field(LEAD_FIELD, STORED | FAST),
        title_words: b.add_text_field("title_words", indexed(WORDS_TOKENIZER, freqs)),
        title_chars: b.add_text_field("title_chars", indexed(BIGRAMS_TOKENIZER, positions)),
        title_unigrams: b.add_text_field("title_unigrams", indexed(UNIGRAMS_TOKENIZER, freqs)),
    };
    (b.build(), fields)
}

/// What `sou index` should do.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    /// The corpus directory.
    pub corpus: PathBuf,
    /// The index directory.
    pub index: PathBuf,
    /// Throw the old index away and build from scratch.
    pub rebuild: bool,
    /// Indexing threads (None: one per core, at most 4).
    pub threads: Option<usize>,
    /// Show a progress bar on stderr (only if stderr is a terminal).
    pub progress: bool,
    /// Field names of JSON Lines records.
    pub json_fields: JsonFields,
    /// The user dictionary.
    pub dict: DictChoice,
}

/// What a build did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct IndexStats {
    /// Corpus files found.
    pub files: usize,
    /// Files indexed for the first time.
    pub added: usize,
    /// Files re-indexed because they changed.
    pub changed: usize,
    /// Files whose passages were removed because the file is gone.
    pub removed: usize,
    /// Files left as they were.
    pub unchanged: usize,
    /// Files that could not be read or decoded (reported as warnings, skipped; exit status 2).
    pub failed: usize,
    /// Files skipped by design: binary files with a text extension (reported, not a failure).
    pub skipped: usize,
    /// Files read in this run, by the encoding they were decoded from.
    pub encodings: BTreeMap<String, usize>,
    /// Passages written in this run.
    pub passages_written: u64,
    /// Passages in the index after this run.
    pub passages_total: u64,
    /// Bytes of corpus text read and indexed in this run.
    pub bytes: u64,
    /// Wall time.
    #[serde(skip)]
    pub elapsed: Duration,
    /// Whether the index was (re)created from scratch.
    pub rebuilt: bool,
}

/// Reads the manifest of the index in `dir`, if there is one.
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

fn write_manifest(dir: &Path, manifest: &Manifest) -> crate::Result<()> {
    let path = dir.join(MANIFEST_FILE);
    let tmp = dir.join(format!("{MANIFEST_FILE}.tmp"));
    let json = serde_json::to_vec_pretty(manifest)
        .map_err(|e| crate::Error::Other(format!("cannot encode manifest: {e}")))?;
    fs::write(&tmp, json).map_err(|e| crate::Error::io(&tmp, e))?;
    fs::rename(&tmp, &path).map_err(|e| crate::Error::io(&path, e))
}

/// Name of the lock file that keeps two `sou index` runs apart.
const LOCK_FILE: &str = ".sou-index.lock";

/// Takes the index's lock, or says who has it.
fn lock_index(dir: &Path) -> crate::Result<fs::File> {
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

/// Empties an index directory so that a new index can be created in it. Refuses to touch a directory
/// that holds anything other than a (possibly broken) sou index.
fn clear_index_dir(dir: &Path) -> crate::Result<()> {
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

fn mtime_ns(meta: &fs::Metadata) -> u64 {
    meta.modified()
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map(|d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX))
        .unwrap_or(0)
}

/// Builds or updates the index at `opts.index` from the corpus at `opts.corpus`. Files that cannot be read
/// or decoded are reported through `warn` and skipped; whatever they had in the index before stays.
pub fn build(opts: &BuildOptions, warn: &mut dyn FnMut(String)) -> crate::Result<IndexStats> {
    let started = Instant::now();
    let corpus_root =
        fs::canonicalize(&opts.corpus).map_err(|e| crate::Error::io(&opts.corpus, e))?;
    if !corpus_root.is_dir() {
        return Err(crate::Error::Other(format!(
            "{}: not a directory",
            opts.corpus.display()
        )));
    }
    fs::create_dir_all(&opts.index).map_err(|e| crate::Error::io(&opts.index, e))?;
    // Refuse a directory that is not an index before leaving anything in it.
    if !exists(&opts.index)
        && !opts.index.join("meta.json").is_file()
        && !visible_entries(&opts.index)?.is_empty()
    {
        return Err(crate::Error::Other(format!(
            "{} is not empty and is not a sou index; refusing to overwrite it (choose another --index)",
            opts.index.display()
        )));
    }
    // One `sou index` at a time per index, decided before anything is changed. The lock goes with the
    // process, however it ends.
    let _lock = lock_index(&opts.index)?;

    let mut stats = IndexStats::default();
    // What a rebuild keeps: the user dictionary (its record and the index's copy of it).
    // The manifest is read once: what a rebuild keeps (the user dictionary) and what an update starts from.
    let previous = match read_manifest(&opts.index) {
        Ok(m) => m,
        Err(e) => {
            warn(format!("{e}; rebuilding it"));
            None
        }
    };
    let recorded_dict = previous.as_ref().and_then(|m| m.dict.clone());
    let stored_dict = fs::read_to_string(opts.index.join(DICT_FILE)).unwrap_or_default();
    let old = match &previous {
        Some(m) if !opts.rebuild => match m.incompatibility() {
            None => Some(m.clone()),
            Some(reason) => {
                warn(format!(
                    "the index at {} cannot be updated ({reason}); rebuilding it",
                    opts.index.display()
                ));
                None
            }
        },
        _ => None,
    };
    let (schema, fields) = schema();
    // An index of this format is updated in place. With --rebuild it is emptied in the same commit that adds
    // everything again, so that until that commit the previous index stays whole and searchable.
    let existing = match &previous {
        Some(m) if m.incompatibility().is_none() => {
            Index::open_in_dir(&opts.index).ok().filter(|i| {
                check_schema(i, &opts.index).is_ok() && check_segments(i, &opts.index).is_ok()
            })
        }
        _ => None,
    };
    // `empty_first`: the index is emptied in this run's commit; `created`: it was created empty now.
    let (mut index, mut manifest, empty_first, created) = match (old, existing) {
        (Some(m), Some(index)) => (index, m, false, false),
        (None, Some(index)) if opts.rebuild => {
            (index, Manifest::new(corpus_root.clone()), true, false)
        }
        (Some(_), None) => {
            let reason = match Index::open_in_dir(&opts.index) {
                Err(e) => format!("it is damaged: {}", short_reason(&e)),
                Ok(i) => match check_segments(&i, &opts.index) {
                    Err(crate::Error::IndexIncompatible { reason, .. }) => reason,
                    _ => "its schema is not the one this sou writes".to_string(),
                },
            };
            return Err(crate::Error::IndexIncompatible {
                path: opts.index.clone(),
                reason,
            });
        }
        _ => {
            clear_index_dir(&opts.index)?;
            let index = Index::builder()
                .schema(schema)
                .settings(index_settings())
                .create_in_dir(&opts.index)?;
            (index, Manifest::new(corpus_root.clone()), false, true)
        }
    };
    // Segments written from now on use this sou's storage settings, whatever the index was created with
    // (each segment's doc store records its own codec, so older segments stay readable).
    if !created {
        *index.settings_mut() = index_settings();
    }
    if empty_first || manifest.files.is_empty() {
        stats.rebuilt = true;
    }
    manifest.corpus_root = corpus_root.clone();

    // The user dictionary: which one, and which files it re-segments if it changed.
    let old_dict_text = if stats.rebuilt {
        String::new()
    } else {
        stored_dict.clone()
    };
    let (dict_info, dict_text) =
        resolve_dict(&opts.dict, recorded_dict.as_ref(), &stored_dict, warn)?;
    let entries = dict::parse_dict(&dict_text).map_err(|e| match &dict_info {
        Some(info) => crate::Error::Other(format!("{}: {e}", info.path.display())),
        None => e,
    })?;
    let mut affected: std::collections::HashSet<String> = std::collections::HashSet::new();
    if dict_text != old_dict_text && !stats.rebuilt {
        let old_entries = dict::parse_dict(&old_dict_text).unwrap_or_default();
        affected = files_with_words(&index, &fields, &changed_words(&old_entries, &entries))?;
        if !affected.is_empty() {
            warn(format!(
                "the user dictionary changed: re-segmenting the {} files that contain its changed words",
                affected.len()
            ));
        }
    }
    let analyzer = Analyzer::with_user_dict(&entries);
    // Archives read with other field names must be read again.
    let fields_changed = manifest.json_fields != opts.json_fields;
    manifest.json_fields = opts.json_fields.clone();
    analyzer::register(&index, &analyzer);

    // 1. Walk the corpus and decide what to do with each file.
    let mut seen: BTreeMap<String, (PathBuf, fs::Metadata)> = BTreeMap::new();
    let mut unwalkable: Vec<String> = Vec::new();
    for item in corpus::walk(&corpus_root) {
        match item {
            Ok(f) => match fs::metadata(&f.abs_path) {
                Ok(meta) => {
                    seen.insert(f.rel_path, (f.abs_path, meta));
                }
                Err(e) => {
                    warn(format!("{}: {e}; skipped", f.abs_path.display()));
                    stats.failed += 1;
                    unwalkable.push(f.rel_path);
                }
            },
            // A FIFO, a socket or a device: skipped by design, never opened.
            Err(e @ crate::Error::NotRegular { .. }) => {
                warn(format!("{e}; skipped"));
                stats.skipped += 1;
            }
            Err(e) => {
                warn(format!("{e}; skipped"));
                stats.failed += 1;
                if let crate::Error::Io { path, .. } = &e
                    && let Ok(rel) = path.strip_prefix(&corpus_root)
                {
                    unwalkable.push(rel.to_string_lossy().replace('\\', "/"));
                }
            }
        }
    }
    stats.files = seen.len() + stats.failed + stats.skipped;

    let threads = opts
        .threads
        .unwrap_or_else(|| {
            std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(1)
        })
        .clamp(1, 4);
    let mut writer: IndexWriter = index.writer_with_num_threads(threads, 64_000_000 * threads)?;
    if empty_first {
        writer.delete_all_documents()?;
    }

    let total_bytes: u64 = seen
        .iter()
        .filter(|(rel, (_, meta))| {
            manifest
                .files
                .get(*rel)
                .is_none_or(|e| e.size != meta.len() || e.mtime_ns != mtime_ns(meta))
                || (fields_changed && corpus::is_jsonl(rel))
                || affected.contains(*rel)
        })
        .map(|(_, (_, m))| m.len())
        .sum();
    // A bulk run (a first build, a rebuild, or most of the corpus changed) writes its segments without
    // merging them along the way, then merges them into one at the end: one segment makes searches faster
    // and the index smaller (each segment has its own term dictionaries), and merging once costs less than
    // tantivy's stepwise merges. Small updates leave merging to tantivy's policy.
    let kept_bytes: u64 = manifest
        .files
        .iter()
        .filter(|(rel, e)| {
            seen.get(*rel)
                .is_some_and(|(_, m)| e.size == m.len() && e.mtime_ns == mtime_ns(m))
        })
        .map(|(_, e)| e.size)
        .sum();
    let bulk = empty_first || total_bytes >= kept_bytes;
    if bulk {
        writer.set_merge_policy(Box::new(tantivy::indexer::NoMergePolicy));
    }
    let bar = if opts.progress && std::io::stderr().is_terminal() && total_bytes > 0 {
        let bar = indicatif::ProgressBar::new(total_bytes);
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "sou: indexing {bar:30} {bytes}/{total_bytes} {bytes_per_sec} {msg}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        Some(bar)
    } else {
        None
    };

    let split = SplitConfig::default();
    let mut dirty = false;
    for (rel, (abs, meta)) in &seen {
        let size = meta.len();
        let mtime = mtime_ns(meta);
        let previous = manifest.files.get(rel).cloned();
        let reread = (fields_changed && corpus::is_jsonl(rel)) || affected.contains(rel);
        if let Some(p) = &previous
            && !reread
            && p.size == size
            && p.mtime_ns == mtime
        {
            stats.unchanged += 1;
            continue;
        }
        if let Some(b) = &bar {
            b.set_message(rel.clone());
        }
        let hash = match hash_file(abs) {
            Ok(h) => h,
            Err(e) => {
                warn(format!("{}: {e}; skipped", abs.display()));
                stats.failed += 1;
                continue;
            }
        };
        if let Some(p) = &previous
            && !reread
            && p.hash == hash
        {
            // Touched but not changed: remember the new time, keep the passages.
            if let Some(b) = &bar {
                b.inc(size);
            }
            stats.unchanged += 1;
            manifest.files.insert(
                rel.clone(),
                FileEntry {
                    mtime_ns: mtime,
                    size,
                    ..p.clone()
                },
            );
            dirty = true;
            continue;
        }
        let mut sink = DocSink {
            writer: &writer,
            fields: &fields,
            path: rel,
            // A file that the manifest doesn't know may still have passages in the index, if a run was
            // killed between tantivy's commit and the manifest's write: delete by path unless the index
            // holds nothing from before this run.
            deleted: empty_first || created,
            written: 0,
            encoding: None,
        };
        let outcome = if corpus::is_jsonl(rel) {
            index_jsonl(
                abs,
                rel,
                &opts.json_fields,
                &split,
                &mut sink,
                bar.as_ref(),
                warn,
            )
        } else {
            index_text(abs, rel, &split, &mut sink)
        };
        if let Some(b) = &bar
            && !corpus::is_jsonl(rel)
        {
            b.inc(size);
        }
        match outcome {
            Ok(()) => {}
            Err(FileError::Binary(reason)) => {
                warn(format!("{}: {reason}; skipped", abs.display()));
                stats.skipped += 1;
                continue;
            }
            Err(FileError::Skip(reason)) => {
                warn(format!("{}: {reason}; skipped", abs.display()));
                stats.failed += 1;
                continue;
            }
            Err(FileError::Fatal(e)) => return Err(e),
        }
        if previous.is_some() {
            stats.changed += 1;
        } else {
            stats.added += 1;
        }
        // A changed file whose new version has no passages still loses its old ones.
        sink.delete_old();
        stats.passages_written += sink.written;
        if sink.written == 0 {
            warn(format!(
                "{}: no text to index (empty, or only whitespace)",
                abs.display()
            ));
        }
        *stats
            .encodings
            .entry(sink.encoding.unwrap_or("UTF-8").to_string())
            .or_insert(0) += 1;
        stats.bytes += size;
        manifest.files.insert(
            rel.clone(),
            FileEntry {
                size,
                mtime_ns: mtime,
                hash,
                passages: sink.written as u32,
            },
        );
        dirty = true;
    }

    // 2. Files that are gone. A file under a directory that could not be walked is kept: it may still be there.
    let gone: Vec<String> = manifest
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
    for rel in gone {
        writer.delete_term(Term::from_field_text(fields.path, &rel));
        manifest.files.remove(&rel);
        stats.removed += 1;
        dirty = true;
    }

    if let Some(b) = &bar {
        b.set_message("committing");
    }
    let committed = dirty || stats.rebuilt;
    if committed {
        writer.commit()?;
    }
    let dict_changed = manifest.dict != dict_info || dict_text != old_dict_text || stats.rebuilt;
    if dict_changed {
        let copy = opts.index.join(DICT_FILE);
        if dict_info.is_some() {
            fs::write(&copy, &dict_text).map_err(|e| crate::Error::io(&copy, e))?;
        } else if copy.exists() {
            fs::remove_file(&copy).map_err(|e| crate::Error::io(&copy, e))?;
        }
        manifest.dict = dict_info;
    }
    if committed || dict_changed {
        write_manifest(&opts.index, &manifest)?;
    }
    // The index is complete here. Merging only makes it faster and smaller: if it fails or is killed, the
    // committed segments stay as they are.
    if committed && bulk {
        if let Some(b) = &bar {
            b.set_message("merging segments");
        }
        if let Err(e) = merge_bulk(&index, &mut writer, &opts.index) {
            warn(format!(
                "merging the index's segments failed ({e}); the index is complete, searches may be slower"
            ));
        }
    }
    writer.wait_merging_threads()?;
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    stats.passages_total = manifest.passages();
    stats.elapsed = started.elapsed();
    Ok(stats)
}

/// Merges the segments of a bulk build, at most [`MERGE_CAP_BYTES`] of them at a time: merging reads its
/// segments through mmap, and their pages count in the process's resident memory, so memory stays bounded on
/// big corpora (which then keep a few big segments instead of one).
fn merge_bulk(index: &Index, writer: &mut IndexWriter, dir: &Path) -> crate::Result<()> {
    let mut file_bytes: HashMap<String, u64> = HashMap::new();
    for e in fs::read_dir(dir)
        .map_err(|e| crate::Error::io(dir, e))?
        .flatten()
    {
        let name = e.file_name().to_string_lossy().into_owned();
        if let (Some((stem, _)), Ok(md)) = (name.split_once('.'), e.metadata()) {
            *file_bytes.entry(stem.to_string()).or_default() += md.len();
        }
    }
    let sized: Vec<(tantivy::index::SegmentId, u64)> = index
        .searchable_segment_metas()?
        .iter()
        .map(|m| {
            let bytes = file_bytes.get(&m.id().uuid_string()).copied().unwrap_or(0);
            (m.id(), bytes)
        })
        .collect();
    for group in merge_groups(&sized, MERGE_CAP_BYTES) {
        writer.merge(&group).wait()?;
    }
    Ok(())
}

/// The most segment bytes one merge of a bulk build reads (see [`merge_groups`]).
const MERGE_CAP_BYTES: u64 = 384 << 20;

/// Consecutive runs of segments, each at most `cap` bytes in all (a segment bigger than that stays alone), to
/// merge into one segment each; runs of one segment are left out (nothing to merge).
fn merge_groups<T: Clone>(segments: &[(T, u64)], cap: u64) -> Vec<Vec<T>> {
    let mut groups: Vec<Vec<T>> = Vec::new();
    let mut current: Vec<T> = Vec::new();
    let mut bytes = 0u64;
    for (id, size) in segments {
        if !current.is_empty() && bytes + size > cap {
            groups.push(std::mem::take(&mut current));
            bytes = 0;
        }
        current.push(id.clone());
        bytes += size;
    }
    groups.push(current);
    groups.retain(|g| g.len() > 1);
    groups
}

/// Why a file was not indexed.
enum FileError {
    /// The file is reported and skipped; the run goes on.
    Skip(String),
    /// The file is binary: reported and skipped by design.
    Binary(String),
    /// The index itself failed; the run stops.
    Fatal(crate::Error),
}

impl From<tantivy::TantivyError> for FileError {
    fn from(e: tantivy::TantivyError) -> Self {
        FileError::Fatal(e.into())
    }
}

/// Where a file's passages go. The file's old passages are deleted just before its first new one is added
/// (or at the end, if it has none), so that a file that cannot be read keeps what it had.
struct DocSink<'a> {
    writer: &'a IndexWriter,
    fields: &'a Fields,
    path: &'a str,
    deleted: bool,
    written: u64,
    /// The encoding the file was decoded from.
    encoding: Option<&'static str>,
}

impl DocSink<'_> {
    fn delete_old(&mut self) {
        if !self.deleted {
            self.writer
                .delete_term(Term::from_field_text(self.fields.path, self.path));
            self.deleted = true;
        }
    }

    fn add(&mut self, passages: &[Passage]) -> Result<(), FileError> {
        self.delete_old();
        for p in passages {
            self.writer.add_document(passage_doc(self.fields, p))?;
            self.written += 1;
        }
        Ok(())
    }
}

/// BLAKE3 of a file's content, read in chunks.
fn hash_file(path: &Path) -> std::io::Result<String> {
    let mut hasher = blake3::Hasher::new();
    let mut f = fs::File::open(path)?;
    hasher.update_reader(&mut f)?;
    Ok(hasher.finalize().to_hex().to_string())
}

fn index_text(
    abs: &Path,
    rel: &str,
    split: &SplitConfig,
    sink: &mut DocSink,
) -> Result<(), FileError> {
    // Read as a stream, passages added batch by batch: memory is bounded whatever the file's size.
    let stream = corpus::StreamConfig::default();
    let encoding = corpus::read_text_file(abs, rel, split, stream, |batch| sink.add(batch))
        .map_err(|e| match e {
            corpus::ReadError::Decode(corpus::DecodeError::Binary(why)) => FileError::Binary(why),
            corpus::ReadError::Decode(corpus::DecodeError::Undecodable(why)) => {
                FileError::Skip(why)
            }
            corpus::ReadError::Io(e) => FileError::Skip(e.to_string()),
            // Its old passages are already deleted: stop before the commit, which keeps the index as it was.
            corpus::ReadError::Late(why) => FileError::Fatal(crate::Error::Other(format!(
                "{}: {why}; the index was left as it was",
                abs.display()
            ))),
            corpus::ReadError::Sink(e) => e,
        })?;
    sink.encoding = Some(encoding);
    Ok(())
}

/// Streams a JSON Lines archive: one record at a time, so memory stays bounded whatever the file size.
/// Malformed lines are reported (file and line number) and skipped.
fn index_jsonl(
    abs: &Path,
    rel: &str,
    fields: &JsonFields,
    split: &SplitConfig,
    sink: &mut DocSink,
    bar: Option<&indicatif::ProgressBar>,
    warn: &mut dyn FnMut(String),
) -> Result<(), FileError> {
    use std::io::BufRead;
    let f = fs::File::open(abs).map_err(|e| FileError::Skip(e.to_string()))?;
    let mut reader = std::io::BufReader::with_capacity(1 << 20, f);
    let mut buf = Vec::new();
    let mut line_no = 0u64;
    let mut bad = 0u64;
    loop {
        buf.clear();
        let n = reader
            .read_until(b'\n', &mut buf)
            .map_err(|e| FileError::Skip(format!("read error at line {}: {e}", line_no + 1)))?;
        if n == 0 {
            break;
        }
        line_no += 1;
        if let Some(b) = bar {
            b.inc(n as u64);
        }
        let parsed = match std::str::from_utf8(&buf) {
            Ok(line) => corpus::parse_record(rel, line_no, line, fields),
            Err(e) => Err(format!("not valid UTF-8 (byte {})", e.valid_up_to())),
        };
        match parsed {
            Ok(Some(record)) => sink.add(&corpus::split_record(rel, &record, split))?,
            Ok(None) => {}
            Err(reason) => {
                bad += 1;
                if bad <= 20 {
                    warn(format!(
                        "{}:{line_no}: {reason}; line skipped",
                        abs.display()
                    ));
                }
            }
        }
    }
    if bad > 20 {
        warn(format!(
            "{}: {} more malformed lines skipped",
            abs.display(),
            bad - 20
        ));
    }
    Ok(())
}

/// Decides which user dictionary to use: (what the manifest will record, the dictionary's text).
fn resolve_dict(
    choice: &DictChoice,
    recorded: Option<&DictInfo>,
    stored_copy: &str,
    warn: &mut dyn FnMut(String),
) -> crate::Result<(Option<DictInfo>, String)> {
    let read = |path: &Path| -> crate::Result<(Option<DictInfo>, String)> {
        let abs = fs::canonicalize(path).map_err(|e| crate::Error::io(path, e))?;
        let text = fs::read_to_string(&abs).map_err(|e| crate::Error::io(&abs, e))?;
        let hash = blake3::hash(text.as_bytes()).to_hex().to_string();
        Ok((Some(DictInfo { path: abs, hash }), text))
    };
    match choice {
        DictChoice::Remove => Ok((None, String::new())),
        DictChoice::Set(path) => read(path),
        DictChoice::Keep => match recorded {
            None => Ok((None, String::new())),
            Some(info) => match read(&info.path) {
                Ok(found) => Ok(found),
                Err(e) => {
                    warn(format!(
                        "{e}; keeping the copy of the dictionary in the index"
                    ));
                    Ok((Some(info.clone()), stored_copy.to_string()))
                }
            },
        },
    }
}

/// Words whose entry was added, removed or changed between two dictionaries.
fn changed_words(old: &[DictEntry], new: &[DictEntry]) -> Vec<String> {
    let key = |e: &DictEntry| (e.word.clone(), e.freq, e.tag.clone());
    let old_set: std::collections::HashSet<_> = old.iter().map(key).collect();
    let new_set: std::collections::HashSet<_> = new.iter().map(key).collect();
    let mut words: Vec<String> = old_set
        .symmetric_difference(&new_set)
        .map(|(w, _, _)| w.clone())
        .collect();
    words.sort();
    words.dedup();
    words
}

/// The corpus files whose indexed text contains any of `words` (found through the character view).
fn files_with_words(
    index: &Index,
    fields: &Fields,
    words: &[String],
) -> crate::Result<std::collections::HashSet<String>> {
    use tantivy::schema::Value;
    let mut files = std::collections::HashSet::new();
    if words.is_empty() {
        return Ok(files);
    }
    let reader = index.reader()?;
    let searcher = reader.searcher();
    // Titles are segmented too, so a word in a record's title counts.
    let queries = words.iter().flat_map(|w| {
        [
            (fields.chars, fields.unigrams),
            (fields.title_chars, fields.title_unigrams),
        ]
        .into_iter()
        .filter_map(move |(bi, uni)| crate::search::char_phrase(bi, uni, w))
    });
    for (query, _) in queries {
        for addr in searcher.search(&query, &tantivy::collector::DocSetCollector)? {
            let doc: TantivyDocument = searcher.doc(addr)?;
            if let Some(p) = doc.get_first(fields.path).and_then(|v| v.as_str()) {
                files.insert(p.to_string());
            }
        }
    }
    Ok(files)
}

fn passage_doc(fields: &Fields, p: &Passage) -> TantivyDocument {
    let norm = normalize(&p.text);
    let mut doc = TantivyDocument::default();
    doc.add_text(fields.path, &p.path);
    doc.add_u64(fields.ordinal, u64::from(p.ordinal));
    doc.add_u64(fields.start, p.start as u64);
    doc.add_u64(fields.end, p.end as u64);
    // A record's id standing in for its title is stored once, as the id (search shows it as the title).
    doc.add_text(fields.title, if p.title_is_id { "" } else { &p.title });
    doc.add_text(fields.text, &p.text);
    doc.add_text(fields.id, &p.id);
    if let Some(date) = &p.date {
        doc.add_text(fields.date, date);
    }
    if let Some(line) = p.line {
        doc.add_u64(fields.line, line);
    }
    doc.add_u64(fields.lead, u64::from(p.lead));
    doc.add_text(fields.words, &norm.text);
    doc.add_text(fields.chars, &norm.text);
    doc.add_text(fields.unigrams, &norm.text);
    if !p.title_is_id {
        let title = normalize(&p.title);
        doc.add_text(fields.title_words, &title.text);
        doc.add_text(fields.title_chars, &title.text);
        doc.add_text(fields.title_unigrams, &title.text);
    }
    doc
}

/// Opens every segment of an index (postings and stored texts), so that a damaged index is reported at
/// once, in one line, rather than in the middle of a search.
fn check_segments(index: &Index, dir: &Path) -> crate::Result<IndexReader> {
    // tantivy can panic on a file too short for its footer (an overflow in `FileSlice`): such a panic is a
    // damaged index too. The default hook would print the panic, so it is silenced while the check runs
    // (no other thread of ours is running then).
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let checked =
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| open_segments(index, dir)));
    std::panic::set_hook(hook);
    checked.unwrap_or_else(|_| {
        Err(crate::Error::IndexIncompatible {
            path: dir.to_path_buf(),
            reason: "it is damaged: a segment file is corrupted".to_string(),
        })
    })
}

fn open_segments(index: &Index, dir: &Path) -> crate::Result<IndexReader> {
    let damaged = |e: tantivy::TantivyError| crate::Error::IndexIncompatible {
        path: dir.to_path_buf(),
        reason: format!("it is damaged: {}", short_reason(&e)),
    };
    let reader: IndexReader = index
        .reader_builder()
        .reload_policy(ReloadPolicy::Manual)
        .try_into()
        .map_err(damaged)?;
    for segment in reader.searcher().segment_readers() {
        segment
            .get_store_reader(0)
            .map_err(|e| damaged(tantivy::TantivyError::from(e)))?;
    }
    Ok(reader)
}

/// tantivy's errors repeat themselves; this says what happened in a few words.
fn short_reason(e: &tantivy::TantivyError) -> String {
    let text = e.to_string();
    let file = text
        .split(['"', '\'', '/'])
        .find(|w| {
            w.len() > 32 && w.contains('.') && w.chars().take(32).all(|c| c.is_ascii_hexdigit())
        })
        .map(|f| format!(" ({f})"))
        .unwrap_or_default();
    if text.contains("FileDoesNotExist") || text.contains("does not exist") {
        format!("a segment file is missing{file}")
    } else if text.contains("magic byte")
        || text.contains("corrupt")
        || text.contains("InvalidData")
    {
        format!("a segment file is corrupted{file}")
    } else {
        text.chars().take(160).collect()
    }
}

/// Checks that an existing tantivy index has the schema this sou writes.
fn check_schema(index: &Index, dir: &Path) -> crate::Result<()> {
    let (want, _) = schema();
    if index.schema() != want {
        return Err(crate::Error::IndexIncompatible {
            path: dir.to_path_buf(),
            reason: "its schema is not the one this sou writes".to_string(),
        });
    }
    Ok(())
}

/// An index opened for searching.
pub struct SearchIndex {
    /// The tantivy index (tokenizers registered).
    pub index: Index,
    /// A reader on its last commit.
    pub reader: IndexReader,
    /// The schema's fields.
    pub fields: Fields,
    /// The manifest.
    pub manifest: Manifest,
    /// The index directory.
    pub dir: PathBuf,
    /// The word segmentation the index was built with (user dictionary included).
    pub analyzer: Analyzer,
}

/// Opens the index in `dir` for searching.
pub fn open(dir: &Path) -> crate::Result<SearchIndex> {
    let manifest = match read_manifest(dir)? {
        Some(m) => m,
        None if dir.join("meta.json").is_file() => {
            return Err(crate::Error::IndexIncompatible {
                path: dir.to_path_buf(),
                reason: "it has no sou manifest".to_string(),
            });
        }
        None => {
            return Err(crate::Error::IndexMissing {
                path: dir.to_path_buf(),
            });
        }
    };
    if let Some(reason) = manifest.incompatibility() {
        return Err(crate::Error::IndexIncompatible {
            path: dir.to_path_buf(),
            reason,
        });
    }
    let index = Index::open_in_dir(dir).map_err(|e| crate::Error::IndexIncompatible {
        path: dir.to_path_buf(),
        reason: format!("it is damaged: {}", short_reason(&e)),
    })?;
    check_schema(&index, dir)?;
    let analyzer = match &manifest.dict {
        None => Analyzer::new(),
        Some(_) => {
            let copy = dir.join(DICT_FILE);
            let text = fs::read_to_string(&copy).map_err(|e| crate::Error::IndexIncompatible {
                path: dir.to_path_buf(),
                reason: format!("its copy of the user dictionary is unreadable ({e})"),
            })?;
            Analyzer::with_user_dict(&dict::parse_dict(&text)?)
        }
    };
    analyzer::register(&index, &analyzer);
    let reader = check_segments(&index, dir)?;
    let (_, fields) = schema();
    Ok(SearchIndex {
        index,
        reader,
        fields,
        manifest,
        dir: dir.to_path_buf(),
        analyzer,
    })
}

/// If the user dictionary changed since the index was built, says so (a re-index is needed).
pub fn dict_changed(manifest: &Manifest) -> Option<String> {
    let info = manifest.dict.as_ref()?;
    match fs::read(&info.path) {
        Ok(bytes) if blake3::hash(&bytes).to_hex().as_str() == info.hash => None,
        Ok(_) => Some(format!(
            "the user dictionary {} changed since indexing; run `sou index` to re-segment what it affects",
            info.path.display()
        )),
        Err(_) => None,
    }
}

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

/// What `stat` says of one corpus file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileStat {
    /// The path relative to the corpus root, as in the manifest.
    pub rel_path: String,
    /// Size and modification time (nanoseconds since the epoch); None if `stat` failed.
    pub stat: Option<(u64, u64)>,
}

/// How many corpus files a walker hands to a `stat` thread at a time.
const STAT_BATCH: usize = 512;

/// Size and modification time of every corpus file under `root`, in no particular order. It needs no
/// manifest, so a search can run it while it reads one.
///
/// A folder of one file per article has tens of thousands of files: their `stat` calls, the bulk of the
/// time, are shared between the cores and start while the folder is still being listed.
pub fn corpus_stats(root: &Path) -> Vec<FileStat> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(4));
    let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<corpus::CorpusFile>>(threads * 4);
    let rx = std::sync::Mutex::new(rx);
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                let rx = &rx;
                scope.spawn(move || {
                    let mut out = Vec::new();
                    // The lock is held only while waiting for the next batch.
                    while let Ok(batch) = rx
                        .lock()
                        .map_or(Err(std::sync::mpsc::RecvError), |r| r.recv())
                    {
                        out.extend(batch.into_iter().map(|f| {
                            FileStat {
                                stat: fs::metadata(&f.abs_path)
                                    .ok()
                                    .map(|m| (m.len(), mtime_ns(&m))),
                                rel_path: f.rel_path,
                            }
                        }));
                    }
                    out
                })
            })
            .collect();
        let mut batch = Vec::with_capacity(STAT_BATCH);
        for f in corpus::walk_unsorted(root).flatten() {
            batch.push(f);
            if batch.len() == STAT_BATCH {
                let full = std::mem::replace(&mut batch, Vec::with_capacity(STAT_BATCH));
                if tx.send(full).is_err() {
                    break;
                }
            }
        }
        if !batch.is_empty() {
            let _ = tx.send(batch);
        }
        drop(tx);
        workers
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_default())
            .collect()
    })
}

/// Compares the corpus files' [`corpus_stats`] with the manifest, without reading file contents.
pub fn staleness_of(manifest: &Manifest, stats: &[FileStat]) -> Staleness {
    let mut s = Staleness::default();
    let mut known = 0;
    for f in stats {
        match manifest.files.get(&f.rel_path) {
            None => s.added += 1,
            Some(e) => {
                known += 1;
                if f.stat
                    .is_some_and(|(size, mtime)| size != e.size || mtime != e.mtime_ns)
                {
                    s.changed += 1;
                }
            }
        }
    }
    s.removed = manifest.files.len().saturating_sub(known);
    s
}

#[cfg(test)]
mod tests {
    use super::{
        Manifest, STAT_BATCH, corpus_stats, merge_groups, recorded_corpus_root, write_manifest,
    };

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
            };
            m.files.insert(format!("f{i}.txt"), entry);
        }
        write_manifest(dir.path(), &m).unwrap();
        assert_eq!(recorded_corpus_root(dir.path()), Some(root));
    }

    #[test]
    fn corpus_stats_gives_every_file_once() {
        // More files than one batch per thread, in nested folders, with a hidden one and a non-corpus file.
        let dir = tempfile::tempdir().unwrap();
        let mut want = Vec::new();
        for i in 0..(STAT_BATCH * 5 + 7) {
            let rel = format!("d{}/f{i}.txt", i % 3);
            let path = dir.path().join(&rel);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, "x".repeat(i % 11)).unwrap();
            want.push((rel, (i % 11) as u64));
        }
        std::fs::write(dir.path().join("notes.pdf"), "no").unwrap();
        std::fs::create_dir(dir.path().join(".git")).unwrap();
        std::fs::write(dir.path().join(".git/x.txt"), "no").unwrap();
        let mut got: Vec<(String, u64)> = corpus_stats(dir.path())
            .into_iter()
            .map(|f| (f.rel_path, f.stat.expect("stat").0))
            .collect();
        got.sort();
        want.sort();
        assert_eq!(got, want);
    }

    #[test]
    fn merge_groups_stay_under_the_cap() {
        let segs = [
            ("a", 10),
            ("b", 10),
            ("c", 10),
            ("d", 25),
            ("e", 5),
            ("f", 40),
            ("g", 1),
        ];
        assert_eq!(
            merge_groups(&segs, 30),
            vec![vec!["a", "b", "c"], vec!["d", "e"]]
        );
        // Everything fits: one merge of all.
        assert_eq!(merge_groups(&segs, 1000).len(), 1);
        assert_eq!(merge_groups(&segs, 1000)[0].len(), segs.len());
        // Nothing to merge.
        assert!(merge_groups(&[("a", 10)], 30).is_empty());
        assert!(merge_groups::<&str>(&[], 30).is_empty());
        // Every group but the last single segments is within the cap.
        for g in merge_groups(&segs, 21) {
            let total: u64 = g
                .iter()
                .map(|id| segs.iter().find(|s| s.0 == *id).unwrap().1)
                .sum();
            assert!(total <= 21, "{g:?}");
        }
    }
}
