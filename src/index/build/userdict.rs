//! The user dictionary of a build: which one to use, and which files must be segmented again when it
//! changed.

use std::collections::HashSet;
use std::fs;
use std::path::Path;

use tantivy::{Index, TantivyDocument};

use super::DictChoice;
use super::target::Target;
use crate::index::manifest::DictInfo;
use crate::index::schema::{Fields, char_phrase};
use crate::text::analyzer::{self, Analyzer};
use crate::text::dict::{self, DictEntry};

/// The user dictionary a build segments with.
pub(super) struct Dictionary {
    /// What the manifest will record (None: no user dictionary).
    pub info: Option<DictInfo>,
    /// Its text (empty if none).
    pub text: String,
    /// The text the index was segmented with until now (empty when the index is built from scratch).
    pub old_text: String,
    /// The files to segment again: those that contain a word whose entry changed.
    pub affected: HashSet<String>,
}

/// Chooses the build's user dictionary (`choice`, or the one the index has), finds the files it changes,
/// and registers the analyzer that uses it with the index's tokenizers.
pub(super) fn prepare(
    choice: &DictChoice,
    target: &Target,
    warn: &mut dyn FnMut(String),
) -> crate::Result<Dictionary> {
    let old_text = if target.rebuilt {
        String::new()
    } else {
        target.stored_dict.clone()
    };
    let (info, text) = resolve_dict(
        choice,
        target.recorded_dict.as_ref(),
        &target.stored_dict,
        warn,
    )?;
    let entries = dict::parse_dict(&text).map_err(|e| match &info {
        Some(info) => e.in_file(&info.path),
        None => e,
    })?;
    let mut affected = HashSet::new();
    if text != old_text && !target.rebuilt {
        let old_entries = dict::parse_dict(&old_text).unwrap_or_default();
        affected = files_with_words(
            &target.index,
            &target.fields,
            &changed_words(&old_entries, &entries),
        )?;
        if !affected.is_empty() {
            warn(format!(
                "the user dictionary changed: re-segmenting the {} files that contain its changed words",
                affected.len()
            ));
        }
    }
    analyzer::register(&target.index, &Analyzer::with_user_dict(&entries));
    Ok(Dictionary {
        info,
        text,
        old_text,
        affected,
    })
}

/// Decides which user dictionary to use: (what the manifest will record, the dictionary's text).
fn resolve_dict(
    choice: &DictChoice,
    recorded: Option<&DictInfo>,
    stored_copy: &str,
    warn: &mut dyn FnMut(String),
) -> crate::Result<(Option<DictInfo>, String)> {
    let read = |path: &Path| -> crate::Result<(Option<DictInfo>, String)> {
        let abs = fs::canonicalize(path).map_err(|e| crate::Error::io(path, e))?;
        let text = fs::read_to_string(&abs).map_err(|e| crate::Error::io(&abs, e))?;
        let hash = blake3::hash(text.as_bytes()).to_hex().to_string();
        Ok((Some(DictInfo { path: abs, hash }), text))
    };
    match choice {
        DictChoice::Remove => Ok((None, String::new())),
        DictChoice::Set(path) => read(path),
        DictChoice::Keep => match recorded {
            None => Ok((None, String::new())),
            Some(info) => match read(&info.path) {
                Ok(found) => Ok(found),
                Err(e) => {
                    warn(format!(
                        "{e}; keeping the copy of the dictionary in the index"
                    ));
                    Ok((Some(info.clone()), stored_copy.to_string()))
                }
            },
        },
    }
}

/// Words whose entry was added, removed or changed between two dictionaries.
fn changed_words(old: &[DictEntry], new: &[DictEntry]) -> Vec<String> {
    let key = |e: &DictEntry| (e.word.clone(), e.freq, e.tag.clone());
    let old_set: std::collections::HashSet<_> = old.iter().map(key).collect();
    let new_set: std::collections::HashSet<_> = new.iter().map(key).collect();
    let mut words: Vec<String> = old_set
        .symmetric_difference(&new_set)
        .map(|(w, _, _)| w.clone())
        .collect();
    words.sort();
    words.dedup();
    words
}

/// The corpus files whose indexed text contains any of `words` (found through the character view).
fn files_with_words(
    index: &Index,
    fields: &Fields,
    words: &[String],
) -> crate::Result<HashSet<String>> {
    use tantivy::schema::Value;
    let mut files = HashSet::new();
    if words.is_empty() {
        return Ok(files);
    }
    let reader = index.reader()?;
    let searcher = reader.searcher();
    // Titles are segmented too, so a word in a record's title counts.
    let queries = words.iter().flat_map(|w| {
        [
            (fields.chars, fields.unigrams),
            (fields.title_chars, fields.title_unigrams),
        ]
        .into_iter()
        .filter_map(move |(bi, uni)| char_phrase(bi, uni, w))
    });
    for (query, _) in queries {
        for addr in searcher.search(&query, &tantivy::collector::DocSetCollector)? {
            let doc: TantivyDocument = searcher.doc(addr)?;
            if let Some(p) = doc.get_first(fields.path).and_then(|v| v.as_str()) {
                files.insert(p.to_string());
            }
        }
    }
    Ok(files)
}
