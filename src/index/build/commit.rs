//! Phase 3 of a build: tantivy's commit, then the index's copy of the user dictionary, then the manifest.
//! Until the commit nothing of the run is visible; the manifest is written last (to a temporary file, then
//! renamed), so a run killed in between leaves a manifest that the next run corrects. The commit carries a
//! payload that the manifest names ([`Manifest::commit`](crate::index::Manifest::commit)): the next run
//! knows whether the manifest describes the index's last commit.

use std::fs;

use tantivy::IndexWriter;

use super::target::Target;
use super::userdict::Dictionary;
use crate::index::manifest::{DICT_FILE, commit_payload, new_commit_token, write_manifest};

/// Commits what was written (if anything changed, or the index is new), then records the dictionary and
/// writes the manifest if either changed, or if only the manifest did (`manifest_changed`: the directories'
/// times, the corpus root, the archives' field names). Returns whether a commit was made.
pub(super) fn commit(
    target: &mut Target,
    writer: &mut IndexWriter,
    dirty: bool,
    dict: Dictionary,
    manifest_changed: bool,
) -> crate::Result<bool> {
    let committed = dirty || target.rebuilt;
    // A stop (Ctrl-C) waits until the commit and the manifest are both written.
    let guard = super::stop::commit_starts();
    let manifest = &mut target.manifest;
    if committed {
        let token = new_commit_token(&manifest.commit);
        let mut prepared = writer.prepare_commit()?;
        prepared.set_payload(&commit_payload(&token));
        prepared.commit()?;
        manifest.commit = token;
    }
    let dict_changed = manifest.dict != dict.info || dict.text != dict.old_text || target.rebuilt;
    if dict_changed {
        let copy = target.dir.join(DICT_FILE);
        if dict.info.is_some() {
            fs::write(&copy, &dict.text).map_err(|e| crate::Error::io(&copy, e))?;
        } else if copy.exists() {
            fs::remove_file(&copy).map_err(|e| crate::Error::io(&copy, e))?;
        }
        manifest.dict = dict.info;
    }
    if committed || dict_changed || manifest_changed {
        write_manifest(&target.dir, manifest)?;
    }
    guard.done();
    Ok(committed)
}
