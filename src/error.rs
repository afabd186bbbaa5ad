//! The library's error type. Every variant names what failed and, where there is one, the fix.

use std::path::PathBuf;

/// Everything that can go wrong in the library. The binary prints these as one line on stderr.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Reading or writing a file or directory failed.
    // (The cause is not a `#[source]`: it is already in the message, and `{:#}` would print it twice.)
    #[error("{}: {cause}", path.display())]
    Io {
        /// The file or directory involved.
        path: PathBuf,
        /// The underlying error.
        cause: std::io::Error,
    },
    /// A corpus entry with a corpus file's name that is not a regular file (a FIFO, a socket, a device):
    /// skipped by design, never opened (opening a FIFO would wait for a writer).
    #[error("{}: not a regular file ({kind})", path.display())]
    NotRegular {
        /// The entry.
        path: PathBuf,
        /// What it is.
        kind: &'static str,
    },
    /// tantivy reported an error.
    // (Not a `#[source]` either, for the same reason: `{:#}` printed tantivy's message twice.)
    #[error("index error: {0}")]
    Tantivy(tantivy::TantivyError),
    /// The query could not be understood.
    #[error("invalid query: {0}")]
    Query(String),
    /// There is no index at the given path.
    #[error(
        "no index at {}; create it with `sou index --corpus DIR --index {}`",
        path.display(),
        path.display()
    )]
    IndexMissing {
        /// Where the index was expected.
        path: PathBuf,
    },
    /// The index was written by another version of sou, or is damaged.
    #[error("index at {} cannot be used: {reason}; re-run `sou index --rebuild`", path.display())]
    IndexIncompatible {
        /// The index directory.
        path: PathBuf,
        /// Why it cannot be used.
        reason: String,
    },
    /// Anything else, with its explanation.
    #[error("{0}")]
    Other(String),
}

impl From<tantivy::TantivyError> for Error {
    fn from(e: tantivy::TantivyError) -> Self {
        Error::Tantivy(e)
    }
}

impl Error {
    /// Wraps an I/O error with the path it concerns.
    pub fn io(path: impl Into<PathBuf>, cause: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            cause,
        }
    }
}

/// The library's result type; write it as `crate::Result<T>`.
pub type Result<T> = std::result::Result<T, Error>;
