//! Feeding one corpus file's passages to the index writer: text files as a stream, JSON Lines archives a
//! record at a time, with the file's old passages deleted only once its new ones are ready.

use std::fs;
use std::path::Path;

use tantivy::{IndexWriter, Term};

use crate::corpus::{self, JsonFields, Passage, SplitConfig};
use crate::index::schema::{Fields, passage_doc};

/// Why a file was not indexed.
pub(crate) enum FileError {
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
pub(crate) struct DocSink<'a> {
    pub(crate) writer: &'a IndexWriter,
    pub(crate) fields: &'a Fields,
    pub(crate) path: &'a str,
    pub(crate) deleted: bool,
    pub(crate) written: u64,
    /// The encoding the file was decoded from.
    pub(crate) encoding: Option<&'static str>,
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
            self.writer.add_document(passage_doc(self.fields, p))?;
            self.written += 1;
        }
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
