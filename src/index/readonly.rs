//! The directory a search opens an index through: tantivy's memory-mapped directory, except that a lock
//! it cannot create because the directory is not writable (a read-only mount, a DVD, a shared folder
//! without write access) is not an error.
//!
//! tantivy's reader takes its meta lock (`.tantivy-meta.lock`, a file it creates) while it opens the
//! segments, so that a writer's garbage collection in another process deletes none of them meanwhile.
//! In a directory nobody can write to, no writer can run nor delete anything: the lock protects nothing,
//! and searching needs read access only (as SQLite opens a read-only database).

use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tantivy::Directory;
use tantivy::directory::error::{DeleteError, LockError, OpenReadError, OpenWriteError};
use tantivy::directory::{DirectoryLock, FileHandle, Lock, MmapDirectory, WatchCallback, WritePtr};

/// An index directory opened for reading (see the module's documentation).
#[derive(Debug, Clone)]
pub(crate) struct ReadDirectory {
    inner: MmapDirectory,
}

impl ReadDirectory {
    /// Opens `dir` (it must exist).
    pub(crate) fn open(dir: &Path) -> Result<Self, tantivy::directory::error::OpenDirectoryError> {
        Ok(ReadDirectory {
            inner: MmapDirectory::open(dir)?,
        })
    }
}

/// Whether an I/O error says that the directory can't be written to (EACCES, EPERM, EROFS).
pub(crate) fn is_not_writable(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::PermissionDenied | io::ErrorKind::ReadOnlyFilesystem
    )
}

impl Directory for ReadDirectory {
    fn get_file_handle(&self, path: &Path) -> Result<Arc<dyn FileHandle>, OpenReadError> {
        self.inner.get_file_handle(path)
    }
    fn delete(&self, path: &Path) -> Result<(), DeleteError> {
        self.inner.delete(path)
    }
    fn exists(&self, path: &Path) -> Result<bool, OpenReadError> {
        self.inner.exists(path)
    }
    fn open_write(&self, path: &Path) -> Result<WritePtr, OpenWriteError> {
        self.inner.open_write(path)
    }
    fn atomic_read(&self, path: &Path) -> Result<Vec<u8>, OpenReadError> {
        self.inner.atomic_read(path)
    }
    fn atomic_write(&self, path: &Path, data: &[u8]) -> io::Result<()> {
        self.inner.atomic_write(path, data)
    }
    fn sync_directory(&self) -> io::Result<()> {
        self.inner.sync_directory()
    }
    fn acquire_lock(&self, lock: &Lock) -> Result<DirectoryLock, LockError> {
        match self.inner.acquire_lock(lock) {
            Err(LockError::IoError(e)) if is_not_writable(&e) => {
                // No lock file: nothing to hold, nothing to delete.
                Ok(DirectoryLock::from(Box::new(NoLock(lock.filepath.clone()))))
            }
            other => other,
        }
    }
    fn watch(
        &self,
        watch_callback: WatchCallback,
    ) -> tantivy::Result<tantivy::directory::WatchHandle> {
        self.inner.watch(watch_callback)
    }
}

/// The lock of a directory nobody can write to (holds the lock's name, for debugging only).
struct NoLock(#[allow(dead_code)] PathBuf);
