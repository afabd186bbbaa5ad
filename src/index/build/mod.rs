//! Building and updating an index from a corpus. Only the files that were added, changed (size, time, then
//! content hash) or removed are re-indexed; the manifest is written after tantivy's commit, so a run that
//! is interrupted leaves the previous index and manifest, and the next run redoes its work.
//!
//! A JSON Lines archive that grew, whose first bytes are still the ones indexed (the manifest's size and
//! hash), has had records appended: only the lines after the old end are read, numbered on from the old
//! last line, and their passages added to the ones the index has (exactly what reading the whole file would
//! give them). Anything else (an archive that shrank or whose old bytes changed, other settings, field names
//! or dictionary words, a manifest that does not describe the index's last commit) reads the file whole.

mod commit;
mod merge;
mod plan;
mod stop;
mod target;
mod userdict;
mod write;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

pub use stop::{StopGuard, StopPoint, stop_after_commit};

use serde::Serialize;
use tantivy::IndexWriter;

use merge::merge_bulk;
use write::{Progress, WriteContext, write_files};

use crate::corpus::{self, JsonFieldNames};
use crate::index::manifest::Manifest;

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
    /// Field names of JSON Lines records, where the user gave them (the others are those the index was
    /// built with, or the defaults).
    pub json_fields: JsonFieldNames,
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
    /// JSON Lines archives that had records appended, of which only the new lines were read (not counted in
    /// `changed`).
    pub appended: usize,
    /// Records (lines with a record) read from the appended parts of those archives.
    pub records_appended: u64,
    /// Files whose passages were removed because the file is gone.
    pub removed: usize,
    /// Files left as they were.
    pub unchanged: usize,
    /// Files that could not be read or decoded (reported as warnings, skipped; exit status 2).
    pub failed: usize,
    /// Files skipped by design: binary files with a text extension (reported, not a failure).
    pub skipped: usize,
    /// Lines of JSON Lines archives that held no record that could be read (not JSON, not an object, no
    /// string body field, not UTF-8), reported with their line numbers and skipped. An archive with lines
    /// but none of them a record is counted in `failed` too.
    pub records_skipped: u64,
    /// Files read in this run, by the encoding they were decoded from (text files and archives).
    pub encodings: BTreeMap<String, usize>,
    /// Files read in this run, by format as their bytes show it ([`corpus::Format::name`]): `text`, `jsonl`,
    /// `pdf`, `html`, `mhtml`, `docx`, `epub`.
    pub formats: BTreeMap<String, usize>,
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

/// Builds or updates the index at `opts.index` from the corpus at `opts.corpus`, in phases: the target
/// index is opened or created (`target`), the user dictionary chosen (`userdict`), the corpus walked and
/// each file's change decided (`plan`), the passages written (`write`), committed with the manifest
/// (`commit`), and after a bulk run the segments merged (`merge`). Files that cannot be read or decoded
/// are reported through `warn` and skipped; whatever they had in the index before stays.
///
/// Errors are [`crate::Error::Build`], naming the corpus and the index; a write that failed (a full disk) is
/// [`crate::Error::WriteFailed`] inside it.
pub fn build(opts: &BuildOptions, warn: &mut dyn FnMut(String)) -> crate::Result<IndexStats> {
    build_from(opts, None, warn).map(|(stats, _)| stats)
}

/// [`build`], with the index's manifest if the caller has already read it (`Some(Ok(None))`: there is
/// none), so that a command reads it once. Returns the manifest written too.
pub(crate) fn build_from(
    opts: &BuildOptions,
    previous: Option<crate::Result<Option<Manifest>>>,
    warn: &mut dyn FnMut(String),
) -> crate::Result<(IndexStats, Manifest)> {
    run(opts, previous, warn).map_err(|e| crate::Error::Build {
        corpus: opts.corpus.clone(),
        index: opts.index.clone(),
        cause: Box::new(e.write_failure(&opts.index)),
    })
}

/// Whether `sou index` makes reprint signatures and groups: yes unless the environment variable
/// `SOU_NO_REPRINTS` is set to anything but `0` (for measuring what they cost; an index built without them
/// has no reprint groups).
fn reprints_enabled() -> bool {
    std::env::var_os("SOU_NO_REPRINTS").is_none_or(|v| v == "0")
}

fn run(
    opts: &BuildOptions,
    previous: Option<crate::Result<Option<Manifest>>>,
    warn: &mut dyn FnMut(String),
) -> crate::Result<(IndexStats, Manifest)> {
    let started = Instant::now();
    stop::run_starts();
    let mut target = target::open(opts, previous, warn)?;
    match update_target(opts, &mut target, started, warn) {
        Ok(stats) => Ok((stats, target.manifest)),
        Err(e) => {
            // What the failed run wrote (segments never committed) would stay on the disk, keep a full disk
            // full and, for a `.del` file, block the next run that writes the same one: removed now, while
            // this run still holds the lock. (The next run removes it too, should this fail.)
            remove_uncommitted(&target.index, &target.dir);
            Err(e)
        }
    }
}

/// Deletes the files of the index in `writer`'s directory that no commit uses: those a killed or failed
/// run left (tantivy lists every file it creates in `.managed.json` before writing it, so none escapes).
///
/// tantivy itself collects them only after its next commit or merge; until then, a file the next run
/// writes again under the same name (the `.del` file of a segment, named by its segment and the
/// operation stamp, which restarts from the last commit's) fails with `FileAlreadyExists`.
///
/// Then, in `dir`, the files of segments that no commit uses: tantivy lists a file in `.managed.json` before writing it, but a run that fails while writing that
/// list (a full disk) can leave a segment it never listed, which tantivy's collection never sees.
fn collect_garbage(writer: &IndexWriter, dir: &Path) -> crate::Result<()> {
    writer.garbage_collect_files().wait()?;
    remove_unlisted_segments(writer.index(), dir)
}

/// Deletes the files of `dir` named like a segment's (`<32 hex digits>.<ext>`, `<32 hex digits>.<n>.del`)
/// whose segment is not a committed one. Run only while holding the index's lock. (A committed segment's
/// stale `.del` files are tantivy's to collect: it lists them before writing them.)
fn remove_unlisted_segments(index: &tantivy::Index, dir: &Path) -> crate::Result<()> {
    let living: std::collections::HashSet<String> = index
        .searchable_segment_metas()?
        .iter()
        .map(|m| m.id().uuid_string())
        .collect();
    let entries = std::fs::read_dir(dir).map_err(|e| crate::Error::io(dir, e))?;
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        let is_segment_file = name.len() > 33
            && name.as_bytes()[32] == b'.'
            && name[..32].bytes().all(|b| b.is_ascii_hexdigit());
        if is_segment_file && !living.contains(&name[..32]) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
    Ok(())
}

/// [`collect_garbage`] after a failed run, with a writer of its own (the run's writer may be dead);
/// errors are ignored: the next run collects what is left.
fn remove_uncommitted(index: &tantivy::Index, dir: &Path) {
    // tantivy's smallest memory budget (15 MB), one thread: it only exists to collect.
    if let Ok(writer) = index.writer_with_num_threads::<tantivy::TantivyDocument>(1, 15_000_000) {
        let _ = collect_garbage(&writer, dir);
    }
}

/// When tantivy's writer reports only that it "was killed" (an indexing thread failed, and the error that
/// made it fail went with the thread), the error of that thread: joining the threads, as a commit does,
/// returns it. Nothing is committed (the commit is prepared only if no thread failed, and then dropped).
fn cause_of(writer: &mut IndexWriter, e: crate::Error) -> crate::Error {
    match e {
        crate::Error::Tantivy(tantivy::TantivyError::ErrorInThread(_)) => {
            match writer.prepare_commit() {
                Err(cause) => crate::Error::Tantivy(cause),
                Ok(_) => e,
            }
        }
        e => e,
    }
}

/// The phases after the target is open (see [`build`]). An error before the commit leaves nothing of the
/// run committed; after it (waiting for merges), the run's commit stays.
fn update_target(
    opts: &BuildOptions,
    target: &mut target::Target,
    started: Instant,
    warn: &mut dyn FnMut(String),
) -> crate::Result<IndexStats> {
    let dict = userdict::prepare(&opts.dict, target, warn)?;
    // Archives read with other field names must be read again.
    let json_fields = target.json_fields.clone();
    let fields_changed = target.manifest.json_fields != json_fields;
    target.manifest.json_fields = json_fields.clone();

    let settings = corpus::Settings::load(&target.corpus_root)?;
    // A file read with other settings than last time is read again.
    let settings_changed = |rel: &str| {
        target
            .manifest
            .files
            .get(rel)
            .is_some_and(|e| e.settings != settings.for_file(rel).fingerprint())
    };
    // A file read by an extractor of another version is read again (only such files).
    let extractor_changed = |rel: &str| {
        target
            .manifest
            .files
            .get(rel)
            .and_then(|e| e.extractor.as_deref())
            .is_some_and(|x| !corpus::extractor_is_current(x))
    };
    // Appended records are indexed alone only if the manifest describes the index's last commit: a run killed
    // after its commit, before its manifest, may have indexed them already.
    let appends = target
        .manifest
        .describes(target.index.load_metas()?.payload.as_deref());
    let mut plan = plan::plan(
        &target.corpus_root,
        target.skip.as_ref(),
        &target.manifest,
        &|rel| {
            (fields_changed && corpus::is_jsonl(rel))
                || dict.affected.contains(rel)
                || settings_changed(rel)
                || extractor_changed(rel)
        },
        appends,
        warn,
    );
    let mut stats = IndexStats {
        files: plan.files.len() + plan.failed + plan.skipped,
        failed: plan.failed,
        skipped: plan.skipped,
        rebuilt: target.rebuilt,
        ..IndexStats::default()
    };

    let threads = opts
        .threads
        .unwrap_or_else(|| {
            std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(1)
        })
        .clamp(1, 4);
    let mut writer: IndexWriter = target
        .index
        .writer_with_num_threads(threads, 64_000_000 * threads)?;
    // Whatever a killed or failed run left must not stop this one.
    collect_garbage(&writer, &target.dir)?;
    if target.empty_first {
        writer.delete_all_documents()?;
    }
    let bulk = plan.is_bulk(target.empty_first);
    if bulk {
        writer.set_merge_policy(Box::new(tantivy::indexer::NoMergePolicy));
    }
    let progress = Progress::new(opts.progress, plan.bytes_to_read());
    let ctx = WriteContext {
        writer: &writer,
        fields: &target.fields,
        json_fields: &json_fields,
        settings: &settings,
        nothing_before: target.empty_first || target.created,
        reprints: reprints_enabled(),
    };
    let ctx_reprints = ctx.reprints;
    let written = write_files(
        &plan,
        &ctx,
        &mut target.manifest,
        &mut stats,
        &progress,
        warn,
    );
    let dirty = match written {
        Ok(dirty) => dirty,
        Err(e) => return Err(cause_of(&mut writer, e)),
    };

    // The directories' times, for the staleness check of searches: written with the manifest, and a
    // reason to write it when they are all that changed.
    let dirs = crate::index::stale::settle_dirs(
        &target.corpus_root,
        std::mem::take(&mut plan.dirs),
        &target.manifest,
        target.skip.as_ref(),
    );
    // State of the run that must be recorded even if no file changed: a moved corpus's new root, the field
    // names given for archives (which the next run reads archives with).
    let manifest_changed = dirs != target.manifest.dirs || target.root_moved || fields_changed;
    target.manifest.dirs = dirs;

    progress.message("committing");
    let committed = commit::commit(target, &mut writer, dirty, dict, manifest_changed)
        .map_err(|e| cause_of(&mut writer, e))?;
    // The index is complete here. Merging only makes it faster and smaller: if it fails or is killed, the
    // committed segments stay as they are.
    if committed && bulk {
        progress.message("merging segments");
        if let Err(e) = merge_bulk(&target.index, &mut writer, &target.dir) {
            warn(format!(
                "merging the index's segments failed ({e}); the index is complete, searches may be slower"
            ));
        }
    }
    writer.wait_merging_threads()?;
    if ctx_reprints {
        progress.message("grouping reprints");
        // The groups are a cache: a search computes them itself when the file is missing or out of date.
        if let Err(e) = crate::index::reprints::refresh(&target.index, &target.dir) {
            warn(format!(
                "grouping reprints failed ({e}); searches will group them as they run"
            ));
        }
    }
    progress.finish();
    stats.passages_total = target.manifest.passages();
    stats.elapsed = started.elapsed();
    Ok(stats)
}
