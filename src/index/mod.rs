//! The index on disk: its schema, the manifest beside it, building and updating it from a corpus, and
//! opening it for search.
//!
//! An index directory holds tantivy's files plus `sou-manifest.json` (format version, analyzer settings,
//! corpus root, the commit it describes, a fingerprint per corpus file and the modification time of each
//! corpus directory, as JSON Lines so that a search reads only its head: see [`manifest`]). `sou index` compares the corpus
//! with the manifest and re-indexes only the files that were added, changed or removed, and of a JSON Lines
//! archive that only grew, only the records appended. The manifest is written after tantivy's commit, so a
//! run that is interrupted leaves the previous manifest, and the next run redoes its work.
//!
//! The rooms, in the order of an index's life: [`schema`](mod@schema) (fields, documents), [`manifest`] (what sou
//! writes beside tantivy's files), `dir` (the lock and the safety checks on the directory), [`build`](mod@build)
//! (walk, write, commit, merge), [`reprints`] (near-duplicate articles, grouped after each run), [`open`](mod@open)
//! (checks, then a searcher), [`query_tree`] (a query as a tree that tantivy or Solr runs), [`stale`] (has the
//! corpus changed?),
//! and [`session`], the two calls a front end makes: open for search (building on first use), and update.

pub mod build;
pub mod check;
mod dir;
pub mod manifest;
pub mod open;
pub mod query_tree;
mod readonly;
pub mod reprints;
mod safe_query;
pub mod schema;
pub mod session;
pub mod stale;

pub use build::{BuildOptions, DictChoice, IndexStats, build};
pub use check::{Verification, verify};
pub use dir::exists;
pub use manifest::{
    DICT_FILE, DictInfo, DirStamp, FileEntry, MANIFEST_FILE, Manifest, read_head, read_manifest,
};
pub use open::{SearchIndex, dict_changed, open};
pub use schema::{ARTICLE_FIELD, Fields, LEAD_FIELD, article_key, schema};
pub use session::{Notice, Ready, SearchTarget, Stale, open_for_search, update};
pub use stale::{SAMPLED_FILES, Staleness, check};

/// Version of the on-disk format. Bump it whenever the schema or the analysis changes.
pub const FORMAT_VERSION: u32 = 12;

/// For unit tests: an index built (one thread, no warnings allowed) from a corpus of `files` (name, text),
/// in a temporary directory that lives as long as the returned guard.
#[cfg(test)]
pub(crate) fn test_index(files: &[(&str, &str)]) -> (tempfile::TempDir, SearchIndex) {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    std::fs::create_dir(&corpus).unwrap();
    for (name, text) in files {
        std::fs::write(corpus.join(name), text).unwrap();
    }
    let index = dir.path().join("index");
    let opts = BuildOptions {
        corpus,
        index: index.clone(),
        rebuild: false,
        threads: Some(1),
        progress: false,
        json_fields: Default::default(),
        dict: DictChoice::Keep,
    };
    build(&opts, &mut |w| panic!("{w}")).unwrap();
    let idx = open(&index).unwrap();
    (dir, idx)
}
