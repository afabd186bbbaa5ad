//! What a front end calls: [`open_for_search`] gets a searcher for an index (building it on first use,
//! rebuilding one that an older sou wrote, and reporting whether the corpus changed since), and
//! [`update`] builds or updates an index. Both read the index's manifest once and return typed outcomes;
//! what a user should be told while they work (a build starting, a file skipped) comes through a
//! [`Notice`] callback, so a terminal prints it and a server logs it.

use std::path::{Path, PathBuf};

use super::FORMAT_VERSION;
use super::build::{BuildOptions, DictChoice, IndexStats, build_from};
use super::manifest::read_head;
use super::open::{SearchIndex, dict_changed, open_with};
use super::stale::{Staleness, check};
use crate::corpus::JsonFieldNames;

/// The index a search wants, and whether it may be built.
#[derive(Debug, Clone)]
pub struct SearchTarget {
    /// The index directory.
    pub index: PathBuf,
    /// The corpus the user named: built from on first use, and checked for changes (None: the corpus the
    /// index was built from; `corpus` for a first build).
    pub corpus: Option<PathBuf>,
    /// Build the index if there is none. A front end allows it for its default index, or when the user
    /// named the corpus too: an index path the user typed alone must exist, so that a typo never answers
    /// from an index built of another folder.
    pub build_if_missing: bool,
}

/// Something a user should be told while an index is prepared.
#[derive(Debug, Clone)]
pub enum Notice {
    /// A build starts: there is no index yet (`older_format` None), or an older sou wrote it.
    Building {
        /// The index directory.
        index: PathBuf,
        /// The corpus it is built from.
        corpus: PathBuf,
        /// The index format of the index being rebuilt.
        older_format: Option<u32>,
    },
    /// The build is done.
    Built(IndexStats),
    /// A problem that doesn't stop the work (a file skipped, a dictionary changed).
    Warning(String),
}

/// The corpus changed since it was indexed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stale {
    /// The corpus that was checked.
    pub corpus: PathBuf,
    /// How it differs from the index.
    pub staleness: Staleness,
}

/// An index opened for search, and what the user should know about it.
pub struct Ready {
    /// The searcher.
    pub index: SearchIndex,
    /// Files of the corpus added, changed or removed since indexing (by size and time), if any.
    pub stale: Option<Stale>,
    /// The user dictionary changed since indexing: what to tell the user.
    pub dict_changed: Option<String>,
}

/// Opens the index of `target` for searching, building it first if it is missing and may be built, or if
/// an older sou wrote it. Errors: [`crate::Error::IndexMissing`] for a missing index that may not be built,
/// [`crate::Error::IndexIncompatible`] for a damaged index or one of another sou, [`crate::Error::Build`]
/// when a build fails, [`crate::Error::Io`] for a named corpus that can't be read, and
/// [`crate::Error::OtherCorpus`] when the index was built from another corpus than the one named.
pub fn open_for_search(
    target: &SearchTarget,
    notice: &mut dyn FnMut(Notice),
) -> crate::Result<Ready> {
    let dir = &target.index;
    // A first build hands its manifest on, so that it is not read back from disk.
    let mut built = None;
    // Only a missing index is built: a damaged one (its manifest deleted, say) is reported, never replaced
    // by an index of whatever folder `corpus` names here.
    if target.build_if_missing && !super::dir::has_index_files(dir) {
        built = Some(build_for_search(dir, target.corpus.as_deref(), None, notice)?.1);
    }
    // The staleness check reads what it needs of the manifest itself: it runs while the index opens.
    let start_check = || {
        let dir = dir.clone();
        std::thread::spawn(move || check(&dir))
    };
    let mut checking = start_check();
    let manifest = match built {
        Some(m) => Some(m),
        None => read_head(dir)?,
    };
    let index = match manifest {
        Some(m) if m.format_version < FORMAT_VERSION => {
            let v = m.format_version;
            let corpus = target.corpus.clone().unwrap_or(m.corpus_root.clone());
            let (_, written) = build_for_search(dir, Some(&corpus), Some((v, m)), notice)?;
            // The check under way read the older manifest: check against the new one.
            checking = start_check();
            open_with(dir, Some(written))?
        }
        m => open_with(dir, m)?,
    };
    // A corpus the user named must be the one the index holds: else the answers would come from another
    // archive, with only a warning that every file of the named one is "new".
    if let Some(named) = &target.corpus {
        let found = std::fs::canonicalize(named).map_err(|e| crate::Error::io(named, e))?;
        if found != index.manifest.corpus_root {
            return Err(crate::Error::OtherCorpus {
                index: dir.clone(),
                built_from: index.manifest.corpus_root.clone(),
                named: named.clone(),
            });
        }
    }
    let corpus = target
        .corpus
        .clone()
        .unwrap_or_else(|| index.manifest.corpus_root.clone());
    // A check that failed (the manifest replaced meanwhile by a run of `sou index`) warns of nothing.
    let staleness = checking
        .join()
        .ok()
        .and_then(Result::ok)
        .flatten()
        .unwrap_or_default();
    let stale = (!staleness.is_fresh()).then_some(Stale { corpus, staleness });
    let dict_changed = dict_changed(&index.manifest);
    Ok(Ready {
        index,
        stale,
        dict_changed,
    })
}

/// Builds the index a search needs: a missing one (`older` None) from `corpus` or `corpus/`, or one that an
/// older sou wrote (its format and manifest) from `corpus`, keeping its archive field names and user
/// dictionary.
fn build_for_search(
    dir: &Path,
    corpus: Option<&Path>,
    older: Option<(u32, super::Manifest)>,
    notice: &mut dyn FnMut(Notice),
) -> crate::Result<(IndexStats, super::Manifest)> {
    let corpus = corpus.map_or_else(|| PathBuf::from("corpus"), Path::to_path_buf);
    notice(Notice::Building {
        index: dir.to_path_buf(),
        corpus: corpus.clone(),
        older_format: older.as_ref().map(|(v, _)| *v),
    });
    let opts = BuildOptions {
        corpus,
        index: dir.to_path_buf(),
        // An older index is rebuilt outright (the notice said so; the build need not say it again).
        rebuild: older.is_some(),
        threads: None,
        progress: true,
        dict: DictChoice::Keep,
        json_fields: JsonFieldNames::default(),
    };
    let previous = older.map(|(_, m)| Ok(Some(m)));
    let (stats, manifest) = build_from(&opts, previous, &mut |w| notice(Notice::Warning(w)))?;
    notice(Notice::Built(stats.clone()));
    Ok((stats, manifest))
}

/// Builds or updates the index of `opts` (see [`super::build()`]), telling warnings through `notice`.
pub fn update(opts: &BuildOptions, notice: &mut dyn FnMut(Notice)) -> crate::Result<IndexStats> {
    let (stats, _) = build_from(opts, None, &mut |w| notice(Notice::Warning(w)))?;
    Ok(stats)
}

#[cfg(test)]
mod tests {
    use super::{Notice, SearchTarget, open_for_search};
    use crate::index::manifest::{MANIFEST_FILE, read_manifest};

    fn target(root: &std::path::Path, corpus: bool, build: bool) -> SearchTarget {
        SearchTarget {
            index: root.join("index"),
            corpus: corpus.then(|| root.join("corpus")),
            build_if_missing: build,
        }
    }

    #[test]
    fn open_for_search_builds_only_where_allowed_and_rebuilds_an_older_format() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir(root.join("corpus")).unwrap();
        std::fs::write(root.join("corpus/a.txt"), "今天天气不错").unwrap();
        // Missing, and not to be built: an error, and nothing is created.
        let err = open_for_search(&target(root, false, false), &mut |n| panic!("{n:?}"))
            .err()
            .unwrap();
        assert!(matches!(err, crate::Error::IndexMissing { .. }), "{err}");
        assert!(!root.join("index").exists());
        // Missing and allowed: built, with a notice before and after.
        let mut notices = Vec::new();
        let ready = open_for_search(&target(root, true, true), &mut |n| notices.push(n)).unwrap();
        assert!(matches!(
            notices.as_slice(),
            [
                Notice::Building {
                    older_format: None,
                    ..
                },
                Notice::Built(_)
            ]
        ));
        assert_eq!(ready.index.manifest.passages(), 1);
        assert!(ready.stale.is_none() && ready.dict_changed.is_none());
        // A changed corpus is reported, not rebuilt.
        std::fs::write(root.join("corpus/b.txt"), "明天下雨").unwrap();
        let ready = open_for_search(&target(root, false, false), &mut |n| panic!("{n:?}")).unwrap();
        assert_eq!(ready.stale.unwrap().staleness.added, 1);
        // An index an older sou wrote is rebuilt, from the corpus it records.
        let path = root.join("index").join(MANIFEST_FILE);
        let text = std::fs::read_to_string(&path).unwrap();
        let (head, rest) = text.split_once('\n').unwrap();
        let mut m: serde_json::Value = serde_json::from_str(head).unwrap();
        m["format_version"] = serde_json::json!(crate::index::FORMAT_VERSION - 1);
        std::fs::write(&path, format!("{m}\n{rest}")).unwrap();
        let mut notices = Vec::new();
        let ready = open_for_search(&target(root, false, false), &mut |n| notices.push(n)).unwrap();
        let older = crate::index::FORMAT_VERSION - 1;
        assert!(matches!(
            notices.first(),
            Some(Notice::Building { older_format: Some(v), .. }) if *v == older
        ));
        assert_eq!(ready.index.manifest.passages(), 2);
        let on_disk = read_manifest(&root.join("index")).unwrap().unwrap();
        assert_eq!(on_disk.format_version, crate::index::FORMAT_VERSION);
    }
}
