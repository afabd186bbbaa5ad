//! Opening an index for search: the manifest, the schema and every segment are checked first, so that a
//! damaged index is reported at once, in one line, rather than in the middle of a search.

use std::fs;
use std::path::{Path, PathBuf};

use tantivy::{Index, IndexReader, ReloadPolicy};

use super::manifest::{DICT_FILE, Manifest, read_head};
use super::schema::{Fields, schema};
use crate::text::analyzer::{self, Analyzer};
use crate::text::dict;

/// Opens every segment of an index (postings and stored texts), so that a damaged index is reported at
/// once, in one line, rather than in the middle of a search.
pub(crate) fn check_segments(index: &Index, dir: &Path) -> crate::Result<IndexReader> {
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

/// How many decompressed blocks of stored passages a reader keeps (tantivy's default: 100), each about
/// 8 KB: at most about 36 MB. A search reads a few dozen passages, each
/// a whole zstd block to decompress; a batch of queries or `sou serve` reads the same blocks again and
/// again. (Batch of the 1,000 xwlb-keywords-dev queries: see BENCHMARKS.md, "Query latency".)
pub(crate) const STORE_CACHE_BLOCKS: usize = 4096;

pub(crate) fn open_segments(index: &Index, dir: &Path) -> crate::Result<IndexReader> {
    let damaged = |e: tantivy::TantivyError| damaged_or_denied(dir, e);
    // Damage in a deletion bitset gives wrong answers rather than an error: checked here, where it costs
    // a few pages.
    if let Some(name) = super::check::damaged_deletes(index)? {
        return Err(crate::Error::IndexIncompatible {
            path: dir.to_path_buf(),
            reason: format!("it is damaged: a segment file is corrupted ({name})"),
        });
    }
    let reader: IndexReader = index
        .reader_builder()
        .reload_policy(ReloadPolicy::Manual)
        .doc_store_cache_num_blocks(STORE_CACHE_BLOCKS)
        .try_into()
        .map_err(damaged)?;
    for segment in reader.searcher().segment_readers() {
        segment
            .get_store_reader(0)
            .map_err(|e| damaged(tantivy::TantivyError::from(e)))?;
    }
    Ok(reader)
}

/// An error of tantivy opening the index in `dir`: [`crate::Error::Io`] naming the file when the operating
/// system refused access (permission denied, a read-only file system), which no rebuild would change;
/// else the index is damaged ([`crate::Error::IndexIncompatible`], with the advice to rebuild it).
pub(crate) fn damaged_or_denied(dir: &Path, e: tantivy::TantivyError) -> crate::Error {
    use tantivy::TantivyError as T;
    use tantivy::directory::error::{LockError, OpenReadError as R};
    let denied = |io: &std::io::Error| super::readonly::is_not_writable(io);
    let found: Option<(PathBuf, &std::io::Error)> = match &e {
        T::OpenReadError(R::IoError { io_error, filepath }) if denied(io_error) => {
            Some((dir.join(filepath), io_error))
        }
        T::IoError(io) if denied(io) => Some((dir.to_path_buf(), io)),
        T::LockFailure(LockError::IoError(io), _) if denied(io) => Some((dir.to_path_buf(), io)),
        _ => None,
    };
    match found {
        Some((path, io)) => crate::Error::io(path, std::io::Error::new(io.kind(), io.to_string())),
        None => crate::Error::IndexIncompatible {
            path: dir.to_path_buf(),
            reason: format!("it is damaged: {}", short_reason(&e)),
        },
    }
}

/// tantivy's errors repeat themselves; this says what happened in a few words, from the error's type: a
/// file that does not exist is missing; data tantivy found corrupted, or an I/O error of kind `InvalidData`
/// (a footer that doesn't check, a file shorter than its footer), is corrupted. A segment file's name
/// (`<32 hex digits>.<ext>`) is given when the error carries the path. Anything else is tantivy's message,
/// cut to 160 characters.
pub(crate) fn short_reason(e: &tantivy::TantivyError) -> String {
    use tantivy::TantivyError as T;
    use tantivy::directory::error::OpenReadError as R;
    let invalid = |io: &std::io::Error| io.kind() == std::io::ErrorKind::InvalidData;
    match e {
        T::OpenReadError(R::FileDoesNotExist(path)) => {
            format!("a segment file is missing{}", segment_file(path))
        }
        T::OpenReadError(R::IoError { io_error, filepath }) if invalid(io_error) => {
            format!("a segment file is corrupted{}", segment_file(filepath))
        }
        T::DataCorruption(_) => "a segment file is corrupted".to_string(),
        T::IoError(io) if invalid(io) => "a segment file is corrupted".to_string(),
        _ => e.to_string().chars().take(160).collect(),
    }
}

/// ` (NAME)` if `path` names a segment file (`<32 hex digits>.<ext>`), else nothing.
fn segment_file(path: &Path) -> String {
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let is_segment = name.len() > 33
        && name.as_bytes()[32] == b'.'
        && name.chars().take(32).all(|c| c.is_ascii_hexdigit());
    if is_segment {
        format!(" ({name})")
    } else {
        String::new()
    }
}

/// Checks that an existing tantivy index has the schema this sou writes.
pub(crate) fn check_schema(index: &Index, dir: &Path) -> crate::Result<()> {
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
    /// The reprint groups last loaded, for the generation of the index they belong to: a batch of searches
    /// (or a server) reads them once per commit, not once per search.
    pub(crate) reprints: std::sync::Mutex<Option<std::sync::Arc<super::reprints::Reprints>>>,
    /// The first-stage scores of passages by [`crate::solr::passage_key`], where another engine scored them
    /// (a scratch index of a collection's candidates, [`crate::solr::search`]); None for a local index.
    pub(crate) external_scores: Option<std::collections::HashMap<String, f32>>,
    /// The word view's statistics from another engine (a collection's), for the weights of a query's words
    /// in coverage; None for a local index, whose own are used.
    pub(crate) word_stats: Option<WordStats>,
}

/// How many passages there are and how many hold each word (the word view's document frequencies), as
/// another engine counted them; and the words a plan needed that `df` lacked.
#[derive(Debug, Default)]
pub(crate) struct WordStats {
    /// Passages in all.
    pub(crate) docs: u64,
    /// Passages holding each word.
    pub(crate) df: std::collections::HashMap<String, u64>,
    /// Words asked for and missing from `df` (counted as held by no passage).
    pub(crate) asked: std::sync::Mutex<std::collections::BTreeSet<String>>,
}

/// Opens the index in `dir` for searching, after checking its manifest, its schema and every segment.
/// Errors: [`crate::Error::IndexMissing`] (no manifest, no index), [`crate::Error::IndexIncompatible`]
/// (another format or analyzer settings, a damaged manifest or segment, a tantivy index without a sou
/// manifest), [`crate::Error::Io`] (the manifest can't be read). A front end calls
/// [`open_for_search`](super::open_for_search), which also builds and checks staleness.
pub fn open(dir: &Path) -> crate::Result<SearchIndex> {
    open_with(dir, read_head(dir)?)
}

/// [`open`] with the index's manifest already read (None: there is none).
pub(crate) fn open_with(dir: &Path, manifest: Option<Manifest>) -> crate::Result<SearchIndex> {
    let manifest = match manifest {
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
    let directory = super::readonly::ReadDirectory::open(dir)
        .map_err(|e| crate::Error::Tantivy(tantivy::TantivyError::OpenDirectoryError(e)))?;
    let index = Index::open(directory).map_err(|e| damaged_or_denied(dir, e))?;
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
        reprints: std::sync::Mutex::new(None),
        external_scores: None,
        word_stats: None,
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
