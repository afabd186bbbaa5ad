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
use crate::index::schema::{Fields, FileDefaults, passage_doc};

/// Why a file was not indexed.
pub(crate) enum FileError {
    /// The file could not be read or decoded: reported and counted as failed (exit status 2); the run goes
    /// on. The file keeps what it had in the index if the failure came before its first new passage;
    /// after it (the file changed while it was read, a read error midway), its old passages are already
    /// deleted, so the passages written are deleted too and the file leaves the manifest: the next run
    /// reads it as new.
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
    /// The date and source of the file's articles that name none.
    pub(crate) defaults: FileDefaults,
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
            let doc = passage_doc(self.fields, p, &self.defaults);
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
            // Some of its passages are written, its old ones deleted: a failure of this file alone, which
            // `write_files` takes out of the index (see `FileError::Failed`).
            corpus::ReadError::Late(reason) => FileError::Failed(reason),
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

/// What the file holds, by its first 4 KiB and its extension ([`corpus::Format::sniff`]), whatever its
/// name says. A file that can't be opened is text: the reader that follows reports it.
pub(crate) fn sniff_format(abs: &Path, rel: &str) -> corpus::Format {
    use std::io::Read;
    let ext = rel.rsplit_once('.').map_or("", |(_, e)| e);
    let mut head = Vec::with_capacity(4096);
    let read = fs::File::open(abs).and_then(|f| f.take(4096).read_to_end(&mut head));
    if read.is_err() {
        head.clear();
    }
    corpus::Format::sniff(&head, ext)
}

/// Reads a web page, a Word document or a book ([`corpus::extract`], within
/// [`corpus::document::TIME_LIMIT_SECS`]) and writes the passages of its articles
/// ([`corpus::split_document`]). A format sou does not read (a legacy `.doc`) and a file with no text are
/// skipped; one that is encrypted, corrupt, too large once unpacked, too slow, or whose text would be garbage
/// fails; either way nothing of it is written.
pub(crate) fn index_document(
    abs: &Path,
    rel: &str,
    format: corpus::Format,
    settings: &corpus::FileSettings,
    split: &SplitConfig,
    sink: &mut DocSink,
) -> Result<(), FileError> {
    let bytes = fs::read(abs).map_err(|e| FileError::Failed(e.to_string()))?;
    let limit = std::time::Duration::from_secs(corpus::document::TIME_LIMIT_SECS);
    let doc = corpus::extract(format, bytes, limit).map_err(|e| match e {
        corpus::ExtractError::Unsupported(_) | corpus::ExtractError::NoText => {
            FileError::Binary(e.to_string())
        }
        e => FileError::Failed(e.to_string()),
    })?;
    sink.add(&corpus::split_document(rel, &doc, settings, split))
}

/// Reads a PDF ([`corpus::pdf::read_file_pages`], within [`corpus::pdf::TIME_LIMIT_SECS`]) and writes the
/// passages of its pages' articles ([`corpus::split_pdf`]). A file with no text layer (a scan) is skipped by
/// design; one that is encrypted, corrupt, too slow, or whose text would be garbage fails; either way
/// nothing of it is written.
pub(crate) fn index_pdf(
    abs: &Path,
    rel: &str,
    settings: &corpus::FileSettings,
    split: &SplitConfig,
    sink: &mut DocSink,
) -> Result<(), FileError> {
    let bytes = fs::read(abs).map_err(|e| FileError::Failed(e.to_string()))?;
    let limit = std::time::Duration::from_secs(corpus::pdf::TIME_LIMIT_SECS);
    let pages = corpus::pdf::read_file_pages(bytes, limit).map_err(|e| match e {
        corpus::pdf::PdfError::NoText { .. } => FileError::Binary(e.to_string()),
        e => FileError::Failed(e.to_string()),
    })?;
    sink.add(&corpus::split_pdf(rel, &pages, settings, split))
}

/// The largest file read as a newspaper page, in bytes (a page of a broadsheet holds some 10,000 characters).
pub const MAX_PAGE_BYTES: u64 = 8 << 20;

/// What reading a JSON Lines archive (or its appended part) found.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct JsonlRead {
    /// Bytes read.
    pub bytes: u64,
    /// The number of the last line read (1-based, a last line without a newline included): the file's line
    /// count once it is read to its end.
    pub last_line: u64,
    /// Records read (lines that are neither blank nor malformed).
    pub records: u64,
    /// Malformed lines (reported and skipped).
    pub skipped: u64,
}

/// A JSON Lines archive to read, and how: its path (absolute, and relative to the corpus root), the field
/// names of its records, how passages are cut, and the progress bar that counts its bytes.
pub(crate) struct JsonlArchive<'a> {
    pub abs: &'a Path,
    /// The path its warnings name: the corpus root joined with `rel` ([`name_key`](crate::corpus::name_key)'s
    /// form, which a name that is not UTF-8 can't be mistaken in).
    pub shown: &'a Path,
    pub rel: &'a str,
    pub fields: &'a JsonFields,
    pub split: &'a SplitConfig,
    pub bar: Option<&'a indicatif::ProgressBar>,
}

impl JsonlArchive<'_> {
    /// Streams the whole archive: one record at a time, so memory stays bounded whatever the file size.
    /// Malformed lines are reported (file and line number) and skipped. Returns what was read and the BLAKE3
    /// (hex) of exactly the bytes read, which the manifest records (the file may grow while it is read).
    pub(crate) fn index_whole(
        &self,
        sink: &mut DocSink,
        warn: &mut dyn FnMut(String),
    ) -> Result<(JsonlRead, String), FileError> {
        let f = fs::File::open(self.abs).map_err(|e| FileError::Failed(e.to_string()))?;
        let mut reader = std::io::BufReader::with_capacity(1 << 20, f);
        let mut hasher = blake3::Hasher::new();
        let read = self.read(&mut reader, 0, &mut hasher, sink, warn)?;
        Ok((read, hasher.finalize().to_hex().to_string()))
    }

    /// Indexes the records appended to the archive since it was indexed as `previous` (which counts its
    /// lines): if the file's first `previous.size` bytes still hash to `previous.hash`, the lines after them
    /// are read, numbered on from `previous.lines`, and their passages added to the file's (none deleted). A
    /// last line that had no newline must be ended by nothing but JSON whitespace and a newline (the record it
    /// holds is then unchanged, and in the index already). Returns None, having added nothing, when the file
    /// is not an append of `previous` (then it is read whole); else what the appended part held, with the
    /// BLAKE3 (hex) of all the bytes read, old and new.
    pub(crate) fn index_appended(
        &self,
        previous: &FileEntry,
        sink: &mut DocSink,
        warn: &mut dyn FnMut(String),
    ) -> Result<Option<(JsonlRead, String)>, FileError> {
        use std::io::BufRead;
        let Some(old_lines) = previous.lines else {
            return Ok(None);
        };
        let failed = |e: std::io::Error| FileError::Failed(e.to_string());
        let f = fs::File::open(self.abs).map_err(failed)?;
        let mut reader = std::io::BufReader::with_capacity(1 << 20, f);
        let mut hasher = blake3::Hasher::new();
        // The bytes indexed before, and the last of them.
        let mut left = previous.size;
        let mut last = b'\n';
        while left > 0 {
            let buf = reader.fill_buf().map_err(failed)?;
            if buf.is_empty() {
                return Ok(None); // shorter than indexed (shrunk since it was planned)
            }
            let n = buf.len().min(usize::try_from(left).unwrap_or(usize::MAX));
            hasher.update(&buf[..n]);
            last = buf[n - 1];
            reader.consume(n);
            left -= n as u64;
        }
        if hasher.finalize().to_hex().as_str() != previous.hash {
            return Ok(None);
        }
        let mut bytes = 0;
        if last != b'\n' {
            // The old last line had no newline: the same record only if what ends it is JSON whitespace.
            let mut rest = Vec::new();
            reader.read_until(b'\n', &mut rest).map_err(failed)?;
            let blank = rest.strip_suffix(b"\n").unwrap_or(&rest);
            if !blank.iter().all(|b| matches!(b, b' ' | b'\t' | b'\r')) {
                return Ok(None);
            }
            hasher.update(&rest);
            bytes = rest.len() as u64;
            if let Some(b) = self.bar {
                b.inc(bytes);
            }
        }
        let mut read = self.read(&mut reader, old_lines, &mut hasher, sink, warn)?;
        read.bytes += bytes;
        Ok(Some((read, hasher.finalize().to_hex().to_string())))
    }

    /// Reads lines from `reader` to its end, the first numbered `after + 1`, hashing every byte into `hasher`
    /// and writing the records' passages to `sink`; malformed lines are reported (at most 20, then a count)
    /// and skipped. `last_line` of the result is `after` if there is no line.
    fn read(
        &self,
        reader: &mut impl std::io::BufRead,
        after: u64,
        hasher: &mut blake3::Hasher,
        sink: &mut DocSink,
        warn: &mut dyn FnMut(String),
    ) -> Result<JsonlRead, FileError> {
        let (abs, rel) = (self.shown, self.rel);
        let mut buf = Vec::new();
        let mut read = JsonlRead {
            last_line: after,
            ..JsonlRead::default()
        };
        let mut bad = 0u64;
        let mut repaired = 0u64;
        loop {
            buf.clear();
            let n = reader.read_until(b'\n', &mut buf).map_err(|e| {
                FileError::Failed(format!("read error at line {}: {e}", read.last_line + 1))
            })?;
            if n == 0 {
                break;
            }
            hasher.update(&buf);
            read.bytes += n as u64;
            read.last_line += 1;
            let line_no = read.last_line;
            if let Some(b) = self.bar {
                b.inc(n as u64);
            }
            let parsed = match std::str::from_utf8(&buf) {
                Ok(line) => corpus::parse_record(rel, line_no, line, self.fields),
                Err(e) => Err(format!("not valid UTF-8 (byte {})", e.valid_up_to())),
            };
            match parsed {
                Ok(Some(record)) => {
                    read.records += 1;
                    if record.replaced_surrogates > 0 {
                        repaired += 1;
                        if repaired <= 20 {
                            warn(format!(
                                "{}:{line_no}: {} of a lone UTF-16 surrogate (such as \\ud800, which stands for no character) read as U+FFFD",
                                abs.display(),
                                match record.replaced_surrogates {
                                    1 => "an escape".to_string(),
                                    n => format!("{n} escapes"),
                                }
                            ));
                        }
                    }
                    sink.add(&corpus::split_record(rel, &record, self.split))?;
                }
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
        if repaired > 20 {
            warn(format!(
                "{}: {} more lines with lone surrogate escapes read with U+FFFD",
                abs.display(),
                repaired - 20
            ));
        }
        read.skipped = bad;
        Ok(read)
    }
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
        let settings = ctx.settings.for_file(&f.rel);
        // The date and source of the file's articles that name none.
        let file_date = ctx.settings.file_date(&f.rel);
        let defaults = FileDefaults {
            date: file_date,
            source: settings.source.clone().or_else(|| settings.paper.clone()),
        };
        if f.change == Change::Grown
            && let Some(p) = &f.previous
        {
            let fields = ctx.jsonl_fields(&settings);
            let mut sink = DocSink {
                writer: ctx.writer,
                fields: ctx.fields,
                path: &f.rel,
                // The passages indexed stay: nothing is deleted.
                deleted: true,
                written: 0,
                encoding: None,
                defaults: defaults.clone(),
                reprint: ctx.reprints.then(ReprintSig::default),
            };
            let shown = f.shown();
            let archive = JsonlArchive {
                abs: &f.abs,
                shown: &shown,
                rel: &f.rel,
                fields: &fields,
                split: &split,
                bar: progress.bar(),
            };
            let mut appended = archive.index_appended(p, &mut sink, warn);
            // The last record's last passage, held back for its signature, goes in with what was read.
            if !matches!(appended, Err(FileError::Fatal(_)))
                && let Err(e) = sink.end_article()
            {
                appended = Err(e);
            }
            match appended {
                Ok(None) => {} // not an append: read whole below
                Ok(Some((read, hash))) => {
                    stats.appended += 1;
                    stats.records_appended += read.records;
                    stats.records_skipped += read.skipped;
                    stats.passages_written += sink.written;
                    stats.bytes += read.bytes;
                    *stats.encodings.entry("UTF-8".to_string()).or_insert(0) += 1;
                    manifest.files.insert(
                        f.rel.clone(),
                        FileEntry {
                            size: p.size + read.bytes,
                            mtime_ns: f.mtime_ns,
                            hash,
                            passages: p.passages + sink.written as u32,
                            settings: settings.fingerprint(),
                            lines: Some(read.last_line),
                            extractor: None,
                        },
                    );
                    dirty = true;
                    continue;
                }
                Err(FileError::Fatal(e)) => return Err(e),
                Err(FileError::Failed(reason) | FileError::Binary(reason)) => {
                    warn(format!("{}: {reason}; skipped", f.shown().display()));
                    stats.failed += 1;
                    // Records added before the failure are committed with the rest of the run: the next run
                    // must not append them again, so it reads the file whole (it deletes what it has).
                    if sink.written > 0 {
                        manifest.files.insert(
                            f.rel.clone(),
                            FileEntry {
                                lines: None,
                                passages: p.passages + sink.written as u32,
                                ..p.clone()
                            },
                        );
                        dirty = true;
                    }
                    continue;
                }
            }
        }
        let hash = match hash_file(&f.abs) {
            Ok(h) => h,
            Err(e) => {
                warn(format!("{}: {e}; skipped", f.shown().display()));
                stats.failed += 1;
                continue;
            }
        };
        if let Some(p) = &f.previous
            && matches!(f.change, Change::Touched | Change::Grown)
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
            defaults,
            reprint: ctx.reprints.then(ReprintSig::default),
        };
        let jsonl = corpus::is_jsonl(&f.rel);
        // A PDF, a web page, a Word document or a book is known by its bytes, whatever its extension.
        let format = if jsonl {
            corpus::Format::Jsonl
        } else {
            sniff_format(&f.abs, &f.rel)
        };
        let pdf = format == corpus::Format::Pdf;
        let extracted = matches!(
            format,
            corpus::Format::Html
                | corpus::Format::Mhtml
                | corpus::Format::Docx
                | corpus::Format::Epub
                | corpus::Format::Doc
        );
        // An archive records what was read: its size, hash and lines (it may grow while it is read).
        let mut read_jsonl: Option<(JsonlRead, String)> = None;
        let outcome = if jsonl {
            JsonlArchive {
                abs: &f.abs,
                shown: &f.shown(),
                rel: &f.rel,
                fields: &ctx.jsonl_fields(&settings),
                split: &split,
                bar: progress.bar(),
            }
            .index_whole(&mut sink, warn)
            .map(|read| read_jsonl = Some(read))
        } else if pdf {
            // A page's datelines take their year from its date, wherever that is written.
            let page = corpus::FileSettings {
                date: file_date.map(|d| d.to_string()),
                ..settings.clone()
            };
            index_pdf(&f.abs, &f.rel, &page, &split, &mut sink)
        } else if extracted {
            let doc_settings = corpus::FileSettings {
                date: file_date.map(|d| d.to_string()),
                ..settings.clone()
            };
            index_document(&f.abs, &f.rel, format, &doc_settings, &split, &mut sink)
        } else if settings.layout == corpus::Layout::Page {
            // A page's datelines take their year from its date, wherever that is written.
            let page = corpus::FileSettings {
                date: file_date.map(|d| d.to_string()),
                ..settings.clone()
            };
            index_page(&f.abs, &f.rel, &page, &split, &mut sink)
        } else {
            index_text(&f.abs, &f.rel, &split, &mut sink)
        };
        if !jsonl {
            progress.inc(f.size);
        }
        let mut outcome = outcome.and_then(|()| sink.end_article());
        if outcome.is_ok()
            && let Some((read, _)) = &read_jsonl
        {
            stats.records_skipped += read.skipped;
            // Lines, and not one record among them: nothing of the archive is in the index, which the
            // summary must not call a success (nor the next run "unchanged").
            if read.records == 0 && read.skipped > 0 {
                outcome = Err(FileError::Failed(format!(
                    "no record could be read: {} lines skipped (the body is read from the field \"{}\")",
                    read.skipped,
                    ctx.jsonl_fields(&settings).body
                )));
            }
        }
        match outcome {
            Ok(()) => {}
            Err(FileError::Binary(reason)) => {
                warn(format!("{}: {reason}; skipped", f.shown().display()));
                stats.skipped += 1;
                continue;
            }
            Err(FileError::Failed(reason)) if sink.written > 0 => {
                // Failed midway (changed while it was read, a read error): its old passages are deleted
                // already, and what was written is incomplete. The rest of the run commits without the file.
                ctx.writer
                    .delete_term(Term::from_field_text(ctx.fields.path, &f.rel));
                let had = manifest.files.remove(&f.rel).is_some();
                warn(format!(
                    "{}: {reason}; skipped{}",
                    f.shown().display(),
                    if had {
                        " (its passages are out of the index until it can be read whole)"
                    } else {
                        ""
                    }
                ));
                stats.failed += 1;
                dirty = true;
                continue;
            }
            Err(FileError::Failed(reason)) => {
                warn(format!("{}: {reason}; skipped", f.shown().display()));
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
                f.shown().display()
            ));
        }
        *stats.formats.entry(format.name().to_string()).or_insert(0) += 1;
        if !pdf && !extracted {
            *stats
                .encodings
                .entry(sink.encoding.unwrap_or("UTF-8").to_string())
                .or_insert(0) += 1;
        }
        let (size, hash, lines) = match read_jsonl {
            Some((read, read_hash)) => (read.bytes, read_hash, Some(read.last_line)),
            None => (f.size, hash, None),
        };
        stats.bytes += size;
        manifest.files.insert(
            f.rel.clone(),
            FileEntry {
                size,
                mtime_ns: f.mtime_ns,
                hash,
                passages: sink.written as u32,
                settings: settings.fingerprint(),
                lines,
                extractor: corpus::extractor_version(format),
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

impl WriteContext<'_> {
    /// The field names to read the JSON Lines archive of `settings` with: its own, else the index's.
    fn jsonl_fields(&self, settings: &corpus::FileSettings) -> JsonFields {
        let overridden = |name: &Option<String>, default: &String| {
            name.clone().unwrap_or_else(|| default.clone())
        };
        JsonFields {
            id: overridden(&settings.id_field, &self.json_fields.id),
            title: overridden(&settings.title_field, &self.json_fields.title),
            body: overridden(&settings.body_field, &self.json_fields.body),
            date: overridden(&settings.date_field, &self.json_fields.date),
            source: overridden(&settings.source_field, &self.json_fields.source),
        }
    }
}
