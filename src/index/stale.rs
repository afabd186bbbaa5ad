//! The staleness check: how the corpus on disk differs from what the manifest recorded, by size and
//! modification time only (no file is read).

use std::fs;
use std::path::Path;

use super::manifest::{Manifest, mtime_ns};
use crate::corpus;

/// How the corpus on disk differs from what the manifest recorded (by size and modification time).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Staleness {
    /// Files on disk that are not in the index.
    pub added: usize,
    /// Files whose size or modification time changed.
    pub changed: usize,
    /// Indexed files that are no longer on disk.
    pub removed: usize,
}

impl Staleness {
    /// Is the index up to date?
    pub fn is_fresh(&self) -> bool {
        self.added == 0 && self.changed == 0 && self.removed == 0
    }
}

/// What `stat` says of one corpus file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileStat {
    /// The path relative to the corpus root, as in the manifest.
    pub rel_path: String,
    /// Size and modification time (nanoseconds since the epoch); None if `stat` failed.
    pub stat: Option<(u64, u64)>,
}

/// How many corpus files a walker hands to a `stat` thread at a time.
const STAT_BATCH: usize = 512;

/// Size and modification time of every corpus file under `root`, in no particular order. It needs no
/// manifest, so a search can run it while it reads one.
///
/// A folder of one file per article has tens of thousands of files: their `stat` calls, the bulk of the
/// time, are shared between the cores and start while the folder is still being listed.
pub fn corpus_stats(root: &Path) -> Vec<FileStat> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(4));
    let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<corpus::CorpusFile>>(threads * 4);
    let rx = std::sync::Mutex::new(rx);
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                let rx = &rx;
                scope.spawn(move || {
                    let mut out = Vec::new();
                    // The lock is held only while waiting for the next batch.
                    while let Ok(batch) = rx
                        .lock()
                        .map_or(Err(std::sync::mpsc::RecvError), |r| r.recv())
                    {
                        out.extend(batch.into_iter().map(|f| {
                            FileStat {
                                stat: fs::metadata(&f.abs_path)
                                    .ok()
                                    .map(|m| (m.len(), mtime_ns(&m))),
                                rel_path: f.rel_path,
                            }
                        }));
                    }
                    out
                })
            })
            .collect();
        let mut batch = Vec::with_capacity(STAT_BATCH);
        for f in corpus::walk_unsorted(root).flatten() {
            batch.push(f);
            if batch.len() == STAT_BATCH {
                let full = std::mem::replace(&mut batch, Vec::with_capacity(STAT_BATCH));
                if tx.send(full).is_err() {
                    break;
                }
            }
        }
        if !batch.is_empty() {
            let _ = tx.send(batch);
        }
        drop(tx);
        workers
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_default())
            .collect()
    })
}

/// Compares the corpus files' [`corpus_stats`] with the manifest, without reading file contents.
pub fn staleness_of(manifest: &Manifest, stats: &[FileStat]) -> Staleness {
    let mut s = Staleness::default();
    let mut known = 0;
    for f in stats {
        match manifest.files.get(&f.rel_path) {
            None => s.added += 1,
            Some(e) => {
                known += 1;
                if f.stat
                    .is_some_and(|(size, mtime)| !e.same_stat(size, mtime))
                {
                    s.changed += 1;
                }
            }
        }
    }
    s.removed = manifest.files.len().saturating_sub(known);
    s
}

#[cfg(test)]
mod tests {
    use super::{STAT_BATCH, corpus_stats};

    #[test]
    fn corpus_stats_gives_every_file_once() {
        // More files than one batch per thread, in nested folders, with a hidden one and a non-corpus file.
        let dir = tempfile::tempdir().unwrap();
        let mut want = Vec::new();
        for i in 0..(STAT_BATCH * 5 + 7) {
            let rel = format!("d{}/f{i}.txt", i % 3);
            let path = dir.path().join(&rel);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, "x".repeat(i % 11)).unwrap();
            want.push((rel, (i % 11) as u64));
        }
        std::fs::write(dir.path().join("notes.pdf"), "no").unwrap();
        std::fs::create_dir(dir.path().join(".git")).unwrap();
        std::fs::write(dir.path().join(".git/x.txt"), "no").unwrap();
        let mut got: Vec<(String, u64)> = corpus_stats(dir.path())
            .into_iter()
            .map(|f| (f.rel_path, f.stat.expect("stat").0))
            .collect();
        got.sort();
        want.sort();
        assert_eq!(got, want);
    }
}
