//! The last phase of a bulk build: merging its segments, a bounded number of bytes at a time.

use std::collections::HashMap;
use std::fs;
use std::path::Path;

use tantivy::{Index, IndexWriter};

/// Merges the segments of a bulk build, at most [`MERGE_CAP_BYTES`] of them at a time: merging reads its
/// segments through mmap, and their pages count in the process's resident memory, so memory stays bounded on
/// big corpora (which then keep a few big segments instead of one).
pub(crate) fn merge_bulk(index: &Index, writer: &mut IndexWriter, dir: &Path) -> crate::Result<()> {
    let mut file_bytes: HashMap<String, u64> = HashMap::new();
    for e in fs::read_dir(dir)
        .map_err(|e| crate::Error::io(dir, e))?
        .flatten()
    {
        let name = e.file_name().to_string_lossy().into_owned();
        if let (Some((stem, _)), Ok(md)) = (name.split_once('.'), e.metadata()) {
            *file_bytes.entry(stem.to_string()).or_default() += md.len();
        }
    }
    let sized: Vec<(tantivy::index::SegmentId, u64)> = index
        .searchable_segment_metas()?
        .iter()
        .map(|m| {
            let bytes = file_bytes.get(&m.id().uuid_string()).copied().unwrap_or(0);
            (m.id(), bytes)
        })
        .collect();
    for group in merge_groups(&sized, MERGE_CAP_BYTES) {
        writer.merge(&group).wait()?;
    }
    Ok(())
}

/// The most segment bytes one merge of a bulk build reads (see [`merge_groups`]).
pub(crate) const MERGE_CAP_BYTES: u64 = 384 << 20;

/// Consecutive runs of segments, each at most `cap` bytes in all (a segment bigger than that stays alone), to
/// merge into one segment each; runs of one segment are left out (nothing to merge).
pub(crate) fn merge_groups<T: Clone>(segments: &[(T, u64)], cap: u64) -> Vec<Vec<T>> {
    let mut groups: Vec<Vec<T>> = Vec::new();
    let mut current: Vec<T> = Vec::new();
    let mut bytes = 0u64;
    for (id, size) in segments {
        if !current.is_empty() && bytes + size > cap {
            groups.push(std::mem::take(&mut current));
            bytes = 0;
        }
        current.push(id.clone());
        bytes += size;
    }
    groups.push(current);
    groups.retain(|g| g.len() > 1);
    groups
}

#[cfg(test)]
mod tests {
    use super::merge_groups;

    #[test]
    fn merge_groups_stay_under_the_cap() {
        let segs = [
            ("a", 10),
            ("b", 10),
            ("c", 10),
            ("d", 25),
            ("e", 5),
            ("f", 40),
            ("g", 1),
        ];
        assert_eq!(
            merge_groups(&segs, 30),
            vec![vec!["a", "b", "c"], vec!["d", "e"]]
        );
        // Everything fits: one merge of all.
        assert_eq!(merge_groups(&segs, 1000).len(), 1);
        assert_eq!(merge_groups(&segs, 1000)[0].len(), segs.len());
        // Nothing to merge.
        assert!(merge_groups(&[("a", 10)], 30).is_empty());
        assert!(merge_groups::<&str>(&[], 30).is_empty());
        // Every group but the last single segments is within the cap.
        for g in merge_groups(&segs, 21) {
            let total: u64 = g
                .iter()
                .map(|id| segs.iter().find(|s| s.0 == *id).unwrap().1)
                .sum();
            assert!(total <= 21, "{g:?}");
        }
    }
}
