//! Phase 0 of a build: the index to write into. Checks the corpus and the index directory, takes the
//! index's lock, reads the previous manifest once, and opens the index to update or creates an empty one.

use std::fs;
use std::path::PathBuf;

use tantivy::Index;

use super::BuildOptions;
use crate::corpus::JsonFields;
use crate::index::dir::{clear_index_dir, ensure_index_or_empty, lock_index};
use crate::index::manifest::{DICT_FILE, DictInfo, Manifest, read_manifest};
use crate::index::open::{check_schema, check_segments, short_reason};
use crate::index::schema::{Fields, index_settings, schema};

/// The index a build writes into, locked for this run.
pub(super) struct Target {
    /// The corpus root, absolute.
    pub corpus_root: PathBuf,
    /// The index directory.
    pub dir: PathBuf,
    /// Held until the build ends (the lock goes with the process, however it ends).
    _lock: fs::File,
    /// The tantivy index.
    pub index: Index,
    /// The schema's fields.
    pub fields: Fields,
    /// What the run starts from: the previous manifest of an index that is updated, else a new one.
    pub manifest: Manifest,
    /// The index is emptied in this run's commit (`--rebuild` of an index of this format): until that
    /// commit the previous index stays whole and searchable.
    pub empty_first: bool,
    /// The index was created empty by this run.
    pub created: bool,
    /// The run builds the index from scratch (emptied, created, or it had no files).
    pub rebuilt: bool,
    /// The user dictionary the previous manifest recorded (a rebuild keeps it).
    pub recorded_dict: Option<DictInfo>,
    /// The index's copy of that dictionary (empty if none).
    pub stored_dict: String,
    /// The field names to read JSON Lines archives with.
    pub json_fields: JsonFields,
    /// The manifest the run starts from names another corpus root (the corpus was moved or renamed): it
    /// must be written even if no file changed, or every search would look for the corpus where it was.
    pub root_moved: bool,
    /// The index directory, left out of the corpus's walk when it is inside the corpus.
    pub skip: Option<crate::corpus::SkipDir>,
}

/// Opens (or creates) the index of `opts` for writing. A damaged manifest or an index of another format is
/// rebuilt (said through `warn`); an index whose manifest is fine but whose segments are damaged is an
/// error (`--rebuild` recovers it).
/// `previous` is the index's manifest if the caller has read it already.
pub(super) fn open(
    opts: &BuildOptions,
    previous: Option<crate::Result<Option<Manifest>>>,
    warn: &mut dyn FnMut(String),
) -> crate::Result<Target> {
    let corpus_root =
        fs::canonicalize(&opts.corpus).map_err(|e| crate::Error::io(&opts.corpus, e))?;
    if !corpus_root.is_dir() {
        return Err(crate::Error::NotADirectory {
            path: opts.corpus.clone(),
        });
    }
    let dir = opts.index.clone();
    fs::create_dir_all(&dir).map_err(|e| crate::Error::io(&dir, e))?;
    // Refuse a directory that is not an index before leaving anything in it.
    ensure_index_or_empty(&dir)?;
    // One `sou index` at a time per index, decided before anything is changed.
    let lock = lock_index(&dir)?;

    // The manifest is read once: what a rebuild keeps (the user dictionary) and what an update starts from.
    let previous = match previous.unwrap_or_else(|| read_manifest(&dir)) {
        Ok(m) => m,
        // (Its own message advises `--rebuild`, which is what this run does: say only what it does.)
        Err(crate::Error::IndexIncompatible { reason, .. }) => {
            warn(format!(
                "the index at {}: {reason}; rebuilding it",
                dir.display()
            ));
            None
        }
        Err(e) => {
            warn(format!("{e}; rebuilding the index"));
            None
        }
    };
    let recorded_dict = previous.as_ref().and_then(|m| m.dict.clone());
    // The archive field names the user didn't give are those of the index, whatever its format.
    let json_fields = opts.json_fields.resolve(
        &previous
            .as_ref()
            .map(|m| m.json_fields.clone())
            .unwrap_or_default(),
    );
    let stored_dict = fs::read_to_string(dir.join(DICT_FILE)).unwrap_or_default();
    let old = match &previous {
        Some(m) if !opts.rebuild => match m.incompatibility() {
            None => Some(m.clone()),
            Some(reason) => {
                warn(format!(
                    "the index at {} cannot be updated ({reason}); rebuilding it",
                    dir.display()
                ));
                None
            }
        },
        _ => None,
    };
    let (schema, fields) = schema();
    // An index of this format is updated in place. With --rebuild it is emptied in the same commit that adds
    // everything again.
    let existing = match &previous {
        Some(m) if m.incompatibility().is_none() => Index::open_in_dir(&dir)
            .ok()
            .filter(|i| check_schema(i, &dir).is_ok() && check_segments(i, &dir).is_ok()),
        _ => None,
    };
    let (mut index, mut manifest, empty_first, created) = match (old, existing) {
        (Some(m), Some(index)) => (index, m, false, false),
        (None, Some(index)) if opts.rebuild => {
            (index, Manifest::new(corpus_root.clone()), true, false)
        }
        (Some(_), None) => {
            let reason = match Index::open_in_dir(&dir) {
                Err(e) => format!("it is damaged: {}", short_reason(&e)),
                Ok(i) => match check_segments(&i, &dir) {
                    Err(crate::Error::IndexIncompatible { reason, .. }) => reason,
                    _ => "its schema is not the one this sou writes".to_string(),
                },
            };
            return Err(crate::Error::IndexIncompatible { path: dir, reason });
        }
        _ => {
            clear_index_dir(&dir)?;
            let index = Index::builder()
                .schema(schema)
                .settings(index_settings())
                .create_in_dir(&dir)?;
            (index, Manifest::new(corpus_root.clone()), false, true)
        }
    };
    // Segments written from now on use this sou's storage settings, whatever the index was created with
    // (each segment's doc store records its own codec, so older segments stay readable).
    if !created {
        *index.settings_mut() = index_settings();
    }
    let rebuilt = empty_first || manifest.files.is_empty();
    let root_moved = manifest.corpus_root != corpus_root;
    manifest.corpus_root = corpus_root.clone();
    let skip = crate::corpus::SkipDir::new(&dir);
    Ok(Target {
        corpus_root,
        dir,
        _lock: lock,
        index,
        fields,
        manifest,
        empty_first,
        created,
        rebuilt,
        recorded_dict,
        stored_dict,
        json_fields,
        root_moved,
        skip,
    })
}
