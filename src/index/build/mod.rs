//! Building and updating an index from a corpus. Only the files that were added, changed (size, time, then
//! content hash) or removed are re-indexed; the manifest is written after tantivy's commit, so a run that
//! is interrupted leaves the previous index and manifest, and the next run redoes its work.

mod merge;
mod userdict;
mod write;

use std::collections::BTreeMap;
use std::fs;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use serde::Serialize;
use tantivy::{Index, IndexWriter, Term};

use merge::merge_bulk;
use userdict::{changed_words, files_with_words, resolve_dict};
use write::{DocSink, FileError, hash_file, index_jsonl, index_text};

use super::dir::{clear_index_dir, lock_index, visible_entries};
use super::exists;
use super::manifest::{DICT_FILE, FileEntry, Manifest, mtime_ns, read_manifest, write_manifest};
use super::open::{check_schema, check_segments, short_reason};
use super::schema::{index_settings, schema};
use crate::corpus::{self, JsonFields, SplitConfig};
use crate::text::analyzer::{self, Analyzer};
use crate::text::dict;

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
