//! Phase 2 of a build: feeding the planned files' passages to the index writer, text files as a stream and
//! JSON Lines archives a record at a time, with a file's old passages deleted only once its new ones are
//! ready.

use std::fs;
use std::path::Path;

use tantivy::{IndexWriter, Term};

use super::IndexStats;
use super::plan::{Change, Plan};
use crate::corpus::{self, JsonFields, Passage, SplitConfig};
use crate::index::manifest::{FileEntry, Manifest};
use crate::index::schema::{Fields, passage_doc};

/// Why a file was not indexed.
pub(crate) enum FileError {
    /// The file could not be read or decoded: reported and counted as failed (exit status 2); the run goes
    /// on, and the file keeps what it had in the index.
    Failed(String),
    /// The file is binary: reported and counted as skipped, by design (not a failure).
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
pub(crate) struct DocSink<'a> {
    pub(crate) writer: &'a IndexWriter,
    pub(crate) fields: &'a Fields,
    pub(crate) path: &'a str,
    pub(crate) deleted: bool,
    pub(crate) written: u64,
    /// The encoding the file was decoded from.
    pub(crate) encoding: Option<&'static str>,
    /// The reprint signature of the article being read, if signatures are made.
    pub(crate) reprint: Option<ReprintSig>,
}

/// The article whose passages a [`DocSink`] is receiving: its id, its signature so far, and its last
/// passage's document, held back until the article ends to carry the signature.
#[derive(Default)]
pub(crate) struct ReprintSig {
    id: String,
    shingler: crate::index::reprints::Shingler,
    held: Option<tantivy::TantivyDocument>,
}

impl DocSink<'_> {
    pub(crate) fn delete_old(&mut self) {
        if !self.deleted {
            self.writer
                .delete_term(Term::from_field_text(self.fields.path, self.path));
            self.deleted = true;
        }
    }

    fn add(&mut self, passages: &[Passage]) -> Result<(), FileError> {
        self.delete_old();
        for p in passages {
            let doc = passage_doc(self.fields, p);
            self.written += 1;
            // A passage of another article ends the one before.
            if self.reprint.as_ref().is_some_and(|s| s.id != p.id) {
                self.end_article()?;
            }
            let Some(sig) = self.reprint.as_mut() else {
                self.writer.add_document(doc)?;
                continue;
            };
            if sig.id.is_empty() {
                sig.id.clone_from(&p.id);
            }
            sig.shingler.passage(p);
            if let Some(previous) = sig.held.replace(doc) {
                self.writer.add_document(previous)?;
            }
        }
        Ok(())
    }

    /// Writes the held-back last passage of the article being read, with the article's signature.
    pub(crate) fn end_article(&mut self) -> Result<(), FileError> {
        let Some(sig) = &mut self.reprint else {
            return Ok(());
        };
        if let Some(mut doc) = sig.held.take() {
            if let Some(s) = sig.shingler.finish() {
                doc.add_bytes(self.fields.reprint, &s.to_bytes());
            }
            self.writer.add_document(doc)?;
        }
        *sig = ReprintSig::default();
        Ok(())
    }
}

/// BLAKE3 of a file's content, read in chunks.
pub(crate) fn hash_file(path: &Path) -> std::io::Result<String> {
    let mut hasher = blake3::Hasher::new();
    let mut f = fs::File::open(path)?;
    hasher.update_reader(&mut f)?;
    Ok(hasher.finalize().to_hex().to_string())
}

pub(crate) fn index_text(
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
                FileError::Failed(why)
            }
            corpus::ReadError::Io(e) => FileError::Failed(e.to_string()),
            // Its old passages are already deleted: stop before the commit, which keeps the index as it was.
            corpus::ReadError::Late(reason) => FileError::Fatal(crate::Error::ChangedWhileRead {
                path: abs.to_path_buf(),
                reason,
            }),
            corpus::ReadError::Sink(e) => e,
        })?;
    sink.encoding = Some(encoding);
    Ok(())
}

/// Reads a newspaper page whole (a page is small: [`MAX_PAGE_BYTES`] at most) and writes the passages of
/// its articles ([`corpus::split_page`]).
pub(crate) fn index_page(
    abs: &Path,
    rel: &str,
    settings: &corpus::FileSettings,
    split: &SplitConfig,
    sink: &mut DocSink,
) -> Result<(), FileError> {
    let bytes = fs::read(abs).map_err(|e| FileError::Failed(e.to_string()))?;
    if bytes.len() as u64 > MAX_PAGE_BYTES {
        return Err(FileError::Failed(format!(
            "{} bytes is too long for a newspaper page (at most {MAX_PAGE_BYTES}); is `layout = \"page\"` meant for it?",
            bytes.len()
        )));
    }
    let decoded = corpus::decode(&bytes).map_err(|e| match e {
        corpus::DecodeError::Binary(why) => FileError::Binary(why),
        corpus::DecodeError::Undecodable(why) => FileError::Failed(why),
    })?;
    sink.add(&corpus::split_page(rel, &decoded.text, settings, split))?;
    sink.encoding = Some(decoded.encoding);
    Ok(())
}

/// The largest file read as a newspaper page, in bytes (a page of a broadsheet holds some 10,000 characters).
pub const MAX_PAGE_BYTES: u64 = 8 << 20;

/// Streams a JSON Lines archive: one record at a time, so memory stays bounded whatever the file size.
/// Malformed lines are reported (file and line number) and skipped.
pub(crate) fn index_jsonl(
    abs: &Path,
    rel: &str,
    fields: &JsonFields,
    split: &SplitConfig,
    sink: &mut DocSink,
    bar: Option<&indicatif::ProgressBar>,
    warn: &mut dyn FnMut(String),
) -> Result<(), FileError> {
    use std::io::BufRead;
    let f = fs::File::open(abs).map_err(|e| FileError::Failed(e.to_string()))?;
    let mut reader = std::io::BufReader::with_capacity(1 << 20, f);
    let mut buf = Vec::new();
    let mut line_no = 0u64;
    let mut bad = 0u64;
    loop {
        buf.clear();
        let n = reader
            .read_until(b'\n', &mut buf)
            .map_err(|e| FileError::Failed(format!("read error at line {}: {e}", line_no + 1)))?;
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

/// The progress bar of a build, on stderr when it is a terminal.
pub(super) struct Progress(Option<indicatif::ProgressBar>);

impl Progress {
    /// A bar of `total` bytes, shown only if asked, on a terminal, with something to read.
    pub fn new(show: bool, total: u64) -> Self {
        use std::io::IsTerminal;
        if !show || !std::io::stderr().is_terminal() || total == 0 {
            return Progress(None);
        }
        let bar = indicatif::ProgressBar::new(total);
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "sou: indexing {bar:30} {bytes}/{total_bytes} {bytes_per_sec} {msg}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        Progress(Some(bar))
    }

    /// Says what the build is doing now.
    pub fn message(&self, msg: &str) {
        if let Some(b) = &self.0 {
            b.set_message(msg.to_string());
        }
    }

    /// Counts `bytes` as read.
    pub fn inc(&self, bytes: u64) {
        if let Some(b) = &self.0 {
            b.inc(bytes);
        }
    }

    /// The bar itself (archives count their bytes line by line).
    pub fn bar(&self) -> Option<&indicatif::ProgressBar> {
        self.0.as_ref()
    }

    /// Removes the bar.
    pub fn finish(&self) {
        if let Some(b) = &self.0 {
            b.finish_and_clear();
        }
    }
}

/// Phase 2 of a build: reads the planned files and writes their passages, and deletes the passages of the
/// files that are gone. Updates `manifest` and `stats` as it goes; returns whether anything changed.
/// Files that can't be read or decoded are reported through `warn` and skipped (they keep what they had).
pub(super) fn write_files(
    plan: &Plan,
    ctx: &WriteContext,
    manifest: &mut Manifest,
    stats: &mut IndexStats,
    progress: &Progress,
    warn: &mut dyn FnMut(String),
) -> crate::Result<bool> {
    let split = SplitConfig::default();
    let mut dirty = false;
    for f in &plan.files {
        if f.change == Change::Same {
            stats.unchanged += 1;
            continue;
        }
        progress.message(&f.rel);
        let hash = match hash_file(&f.abs) {
            Ok(h) => h,
            Err(e) => {
                warn(format!("{}: {e}; skipped", f.abs.display()));
                stats.failed += 1;
                continue;
            }
        };
        if let Some(p) = &f.previous
            && f.change == Change::Touched
            && p.hash == hash
        {
            // Touched but not changed: remember the new time, keep the passages.
            progress.inc(f.size);
            stats.unchanged += 1;
            manifest.files.insert(
                f.rel.clone(),
                FileEntry {
                    mtime_ns: f.mtime_ns,
                    size: f.size,
                    ..p.clone()
                },
            );
            dirty = true;
            continue;
        }
        let mut sink = DocSink {
            writer: ctx.writer,
            fields: ctx.fields,
            path: &f.rel,
            // A file that the manifest doesn't know may still have passages in the index, if a run was
            // killed between tantivy's commit and the manifest's write: delete by path unless the index
            // holds nothing from before this run.
            deleted: ctx.nothing_before,
            written: 0,
            encoding: None,
            reprint: ctx.reprints.then(ReprintSig::default),
        };
        let jsonl = corpus::is_jsonl(&f.rel);
        let settings = ctx.settings.for_file(&f.rel);
        let outcome = if jsonl {
            let overridden = |name: &Option<String>, default: &String| {
                name.clone().unwrap_or_else(|| default.clone())
            };
            let fields = JsonFields {
                id: overridden(&settings.id_field, &ctx.json_fields.id),
                title: overridden(&settings.title_field, &ctx.json_fields.title),
                body: overridden(&settings.body_field, &ctx.json_fields.body),
                date: overridden(&settings.date_field, &ctx.json_fields.date),
            };
            index_jsonl(
                &f.abs,
                &f.rel,
                &fields,
                &split,
                &mut sink,
                progress.bar(),
                warn,
            )
        } else if settings.layout == corpus::Layout::Page {
            index_page(&f.abs, &f.rel, &settings, &split, &mut sink)
        } else {
            index_text(&f.abs, &f.rel, &split, &mut sink)
        };
        if !jsonl {
            progress.inc(f.size);
        }
        match outcome.and_then(|()| sink.end_article()) {
            Ok(()) => {}
            Err(FileError::Binary(reason)) => {
                warn(format!("{}: {reason}; skipped", f.abs.display()));
                stats.skipped += 1;
                continue;
            }
            Err(FileError::Failed(reason)) => {
                warn(format!("{}: {reason}; skipped", f.abs.display()));
                stats.failed += 1;
                continue;
            }
            Err(FileError::Fatal(e)) => return Err(e),
        }
        if f.previous.is_some() {
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
                f.abs.display()
            ));
        }
        *stats
            .encodings
            .entry(sink.encoding.unwrap_or("UTF-8").to_string())
            .or_insert(0) += 1;
        stats.bytes += f.size;
        manifest.files.insert(
            f.rel.clone(),
            FileEntry {
                size: f.size,
                mtime_ns: f.mtime_ns,
                hash,
                passages: sink.written as u32,
                settings: settings.fingerprint(),
            },
        );
        dirty = true;
    }
    for rel in &plan.gone {
        ctx.writer
            .delete_term(Term::from_field_text(ctx.fields.path, rel));
        manifest.files.remove(rel);
        stats.removed += 1;
        dirty = true;
    }
    Ok(dirty)
}

/// What every file of a write needs.
pub(super) struct WriteContext<'a> {
    /// The index writer.
    pub writer: &'a IndexWriter,
    /// The schema's fields.
    pub fields: &'a Fields,
    /// Field names of JSON Lines records.
    pub json_fields: &'a JsonFields,
    /// The corpus's settings (`sou.toml`).
    pub settings: &'a corpus::Settings,
    /// The index holds nothing from before this run (created, or emptied in its commit): no old passages
    /// to delete.
    pub nothing_before: bool,
    /// Make each article's reprint signature ([`crate::index::reprints`]).
    pub reprints: bool,
}
