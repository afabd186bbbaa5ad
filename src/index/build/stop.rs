//! Where a run of `sou index` stands when a signal (Ctrl-C, SIGTERM) stops it: the front end waits out a
//! commit under way (tantivy's commit and the manifest after it), then says whether this run's changes are
//! in the index.

use std::sync::{Mutex, MutexGuard};

/// Held from the start of tantivy's commit until the manifest is written; true once a run of this process
/// committed.
static COMMIT: Mutex<bool> = Mutex::new(false);

fn lock() -> MutexGuard<'static, bool> {
    // A panic while the lock was held leaves the flag as it was: still meaningful.
    COMMIT.lock().unwrap_or_else(|p| p.into_inner())
}

/// Where a run stands when it is stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopPoint {
    /// Nothing of the run is committed: the index keeps its last complete version.
    BeforeCommit,
    /// The run committed and wrote its manifest: the index is complete (merging its segments or grouping
    /// reprints, which only make it faster, may be cut short).
    AfterCommit,
}

/// The guard that keeps a stop from landing inside a commit, returned by [`stop_after_commit`]: keep
/// it until the process exits, so that no commit starts meanwhile.
pub struct StopGuard(#[allow(dead_code)] MutexGuard<'static, bool>);

/// Waits until no commit is under way, and returns where this process's run stands, with a guard that keeps
/// any commit from starting while it is held. For a front end's signal handler, which then ends the
/// process.
pub fn stop_after_commit() -> (StopPoint, StopGuard) {
    let guard = lock();
    let point = if *guard {
        StopPoint::AfterCommit
    } else {
        StopPoint::BeforeCommit
    };
    (point, StopGuard(guard))
}

/// Marks the start of a run (nothing committed yet).
pub(super) fn run_starts() {
    *lock() = false;
}

/// Held while committing; call [`CommitGuard::done`] once the manifest is written.
pub(super) struct CommitGuard(MutexGuard<'static, bool>);

/// Takes the commit lock (waits if a stop is under way: then the process ends before this returns).
pub(super) fn commit_starts() -> CommitGuard {
    CommitGuard(lock())
}

impl CommitGuard {
    /// The commit and its manifest are on disk.
    pub(super) fn done(mut self) {
        *self.0 = true;
    }
}
