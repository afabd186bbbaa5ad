//! The user dictionary of a build: which one to use, and which files must be segmented again when it
//! changed.

use std::fs;
use std::path::Path;

use tantivy::{Index, TantivyDocument};

use super::DictChoice;
use crate::index::manifest::DictInfo;
use crate::index::schema::{Fields, char_phrase};
use crate::text::dict::DictEntry;

/// Decides which user dictionary to use: (what the manifest will record, the dictionary's text).
pub(crate) fn resolve_dict(
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
pub(crate) fn changed_words(old: &[DictEntry], new: &[DictEntry]) -> Vec<String> {
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
pub(crate) fn files_with_words(
    index: &Index,
    fields: &Fields,
    words: &[String],
) -> crate::Result<std::collections::HashSet<String>> {
    use tantivy::schema::Value;
    let mut files = std::collections::HashSet::new();
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
