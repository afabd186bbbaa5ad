//! `sou index --solr`: a collection kept equal to the local index, file by file.
//!
//! The corpus is walked and read by the local build (the same walk, extraction, analysis and manifest as
//! `sou index`), which stages the passages in the local index folder; then every file whose manifest entry
//! differs from the one the collection was last sent is replaced in the collection (its passages deleted
//! by path, then sent again), files gone from the corpus are deleted, and the collection is committed.
//!
//! What the collection holds is recorded beside the local manifest, in the index folder, in a file per
//! collection URL, `solr-sync-HASH.json` (HASH: the first 16 hex digits of the BLAKE3 hash of the URL), a
//! JSON object `{"url": URL, "files": {PATH: ENTRY}, "unsent": [PATH, ...]}` where ENTRY is the local
//! manifest's entry of the file as it was sent ([`crate::index::FileEntry`]) and `unsent` (left out when
//! empty) the files new to the collection whose sending began. The files are recorded after Solr's commit:
//! a run that stops before it sends the same files again, which is harmless (a changed or unsent file's
//! passages are deleted before they are added). Without a record (a first run, or an index folder made
//! afresh) the collection is emptied first and filled with every passage of the local index.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::Value;
use tantivy::collector::DocSetCollector;
use tantivy::query::TermQuery;
use tantivy::schema::IndexRecordOption;
use tantivy::{TantivyDocument, Term};

use super::{Collection, stored_document};
use crate::index::{FileEntry, Manifest, SearchIndex};

/// How many documents go in one update request.
const BATCH: usize = 500;

/// What [`sync`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SyncStats {
    /// Files the collection did not hold, sent.
    pub added: usize,
    /// Files whose passages changed since they were sent, replaced.
    pub changed: usize,
    /// Files gone from the local index, deleted from the collection.
    pub removed: usize,
    /// Files the collection already holds as they are.
    pub unchanged: usize,
    /// Passages sent in this run.
    pub passages_sent: u64,
    /// Passages the collection holds after this run (by the record; Solr's own count is `numFound`).
    pub passages_total: u64,
}

/// The record of what a collection holds (the file `solr-sync-HASH.json`).
#[derive(Debug, Default, Serialize, Deserialize)]
struct Record {
    url: String,
    files: BTreeMap<String, FileEntry>,
    /// Files new to the collection whose sending began and was not recorded as done (a run that failed
    /// midway): the next run deletes what they may have left before it sends them again.
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    unsent: BTreeSet<String>,
}

/// Writes `record` to `path` (a new file renamed over the old one).
fn write_record(path: &Path, record: &Record) -> crate::Result<()> {
    let bytes = serde_json::to_vec(record).map_err(|e| crate::Error::Solr(e.to_string()))?;
    let tmp = path.with_extension("json.tmp");
    std::fs::write(&tmp, bytes)
        .and_then(|_| std::fs::rename(&tmp, path))
        .map_err(|e| crate::Error::io(path, e))
}

/// The file that records what the collection at `url` holds, in the index folder `dir`.
pub fn record_path(dir: &Path, url: &str) -> PathBuf {
    let url = url.trim_end_matches('/');
    let hash = blake3::hash(url.as_bytes()).to_hex();
    dir.join(format!("solr-sync-{}.json", &hash[..16]))
}

/// Sends to `solr` what the local index `idx` (with its whole manifest `manifest`) holds and the collection
/// does not hold yet as recorded in the index folder ([`record_path`] of `url`), deletes what it holds and
/// the index no longer does, and commits. `progress` is told each file sent. Errors: [`crate::Error::Solr`]
/// (nothing is recorded as sent then, and the next run sends the same files again, deleting first what a
/// new file may have left), [`crate::Error::Tantivy`] reading the local index, [`crate::Error::Io`] writing
/// the record.
pub fn sync(
    idx: &SearchIndex,
    manifest: &Manifest,
    solr: &Collection,
    url: &str,
    progress: &mut dyn FnMut(&str),
) -> crate::Result<SyncStats> {
    let path = record_path(&idx.dir, url);
    let record: Option<Record> = std::fs::read(&path)
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok());
    // Without a record of what it holds, the collection is filled afresh: whatever it has (a run of another
    // index, a record lost with its index folder) is deleted first, so that no passage of a file gone since
    // stays behind.
    let mut record = match record {
        Some(r) => r,
        None => {
            solr.delete_all()?;
            Record::default()
        }
    };
    record.url = url.trim_end_matches('/').to_string();
    let mut stats = SyncStats::default();
    let searcher = idx.reader.searcher();
    let mut pending: Vec<Value> = Vec::new();
    let flush = |pending: &mut Vec<Value>| -> crate::Result<()> {
        if !pending.is_empty() {
            solr.add(pending)?;
            pending.clear();
        }
        Ok(())
    };
    // Deleted files first, then new and changed ones.
    let gone: Vec<String> = record
        .files
        .keys()
        .filter(|p| !manifest.files.contains_key(*p))
        .cloned()
        .collect();
    for p in &gone {
        solr.delete_path(p)?;
        stats.removed += 1;
    }
    // The files new to the collection are recorded as under way before any is sent.
    let unsent = std::mem::take(&mut record.unsent);
    record.unsent = manifest
        .files
        .keys()
        .filter(|p| !record.files.contains_key(*p))
        .cloned()
        .chain(unsent.iter().cloned())
        .collect();
    if !record.unsent.is_empty() {
        write_record(&path, &record)?;
    }
    for (p, entry) in &manifest.files {
        match record.files.get(p) {
            Some(sent) if sent == entry => {
                stats.unchanged += 1;
                continue;
            }
            Some(_) => {
                stats.changed += 1;
                flush(&mut pending)?;
                solr.delete_path(p)?;
            }
            None if unsent.contains(p) => {
                stats.added += 1;
                flush(&mut pending)?;
                solr.delete_path(p)?;
            }
            None => stats.added += 1,
        }
        progress(p);
        let term = Term::from_field_text(idx.fields.path, p);
        let query = TermQuery::new(term, IndexRecordOption::Basic);
        for addr in searcher.search(&query, &DocSetCollector)? {
            let doc: TantivyDocument = searcher.doc(addr)?;
            pending.push(stored_document(idx, &doc)?);
            stats.passages_sent += 1;
            if pending.len() >= BATCH {
                flush(&mut pending)?;
            }
        }
    }
    flush(&mut pending)?;
    solr.commit()?;
    record.files = manifest.files.clone();
    record.unsent.clear();
    stats.passages_total = manifest.passages();
    write_record(&path, &record)?;
    Ok(stats)
}
