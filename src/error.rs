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
    /// A path that must be a directory (the corpus) is something else.
    #[error("{}: not a directory", path.display())]
    NotADirectory {
        /// The path as given.
        path: PathBuf,
    },
    /// The index directory holds files that are not a sou index: sou refuses to write into it.
    #[error("{} is not empty and is not a sou index; refusing to overwrite it (choose another --index)", path.display())]
    NotAnIndex {
        /// The directory.
        path: PathBuf,
    },
    /// Another `sou index` holds the index's lock.
    #[error("another `sou index` is updating {}; wait for it to finish and run this again", path.display())]
    IndexBusy {
        /// The index directory.
        path: PathBuf,
    },
    /// tantivy reported an error.
    // (Not a `#[source]` either, for the same reason: `{:#}` printed tantivy's message twice.)
    #[error("index error: {0}")]
    Tantivy(tantivy::TantivyError),
    /// An article id (`sou show ID`) that names no article, or several: the message says which, and what to
    /// give instead.
    #[error("{0}")]
    ArticleId(String),
    /// A SolrCloud collection could not be reached, or answered with an error (the message says which).
    #[error("solr: {0}")]
    Solr(String),
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
    /// A search named a corpus (`--corpus`) that is not the one the index was built from.
    #[error("the index at {} was built from {}, not from {}: search without --corpus, or index it with `sou index --corpus {} --index DIR`", index.display(), built_from.display(), named.display(), named.display())]
    OtherCorpus {
        /// The index directory.
        index: PathBuf,
        /// The corpus it was built from (absolute).
        built_from: PathBuf,
        /// The corpus the search named.
        named: PathBuf,
    },
    /// The index was written by another version of sou, or is damaged.
    #[error("index at {} cannot be used: {reason}; re-run `sou index --rebuild --index {} --corpus DIR` (DIR: the corpus to index)", path.display(), path.display())]
    IndexIncompatible {
        /// The index directory.
        path: PathBuf,
        /// Why it cannot be used.
        reason: String,
    },
    /// A line of a user dictionary is not `word [freq] [tag]` with a word of Han characters.
    #[error("{}dictionary line {line}: {problem}", file.as_ref().map(|f| format!("{}: ", f.display())).unwrap_or_default())]
    Dictionary {
        /// The dictionary file, when known.
        file: Option<PathBuf>,
        /// The line, from 1.
        line: usize,
        /// What is wrong with it.
        problem: String,
    },
    /// The corpus's settings file (`sou.toml`) is not valid.
    #[error("{}: {message}", path.display())]
    Settings {
        /// The settings file.
        path: PathBuf,
        /// What is wrong, one line.
        message: String,
    },
    /// Building or updating an index failed; `cause` says why.
    // (`cause` is not a `#[source]`: it is in the message already.)
    #[error("cannot index {} into {}: {cause}", corpus.display(), index.display())]
    Build {
        /// The corpus directory, as given.
        corpus: PathBuf,
        /// The index directory, as given.
        index: PathBuf,
        /// What failed.
        cause: Box<Error>,
    },
    /// Writing the index failed (a full disk, a file-size limit, a read-only disk). Nothing of the run was
    /// committed: the index keeps its last complete version.
    #[error(
        "writing the index failed: {cause} (in {}); nothing of this run was committed, so the index is as it was before: make room and run `sou index` again",
        dir.display()
    )]
    WriteFailed {
        /// What the operating system said, in a few lowercase words (`no space left on device`).
        cause: String,
        /// The index directory.
        dir: PathBuf,
    },
    /// `sou index` was interrupted (Ctrl-C, SIGTERM) before its commit: the index keeps its last complete
    /// version.
    #[error(
        "interrupted: nothing of this run was committed, so the index at {} keeps its last complete version; run `sou index` again to finish",
        dir.display()
    )]
    Interrupted {
        /// The index directory.
        dir: PathBuf,
    },
}

impl From<tantivy::TantivyError> for Error {
    fn from(e: tantivy::TantivyError) -> Self {
        Error::Tantivy(e)
    }
}

impl Error {
    /// Names the dictionary file of a [`Error::Dictionary`] error (other errors are returned as they are).
    pub fn in_file(self, path: &std::path::Path) -> Self {
        match self {
            Error::Dictionary { line, problem, .. } => Error::Dictionary {
                file: Some(path.to_path_buf()),
                line,
                problem,
            },
            e => e,
        }
    }

    /// An error of tantivy's writer that is the operating system refusing a write becomes
    /// [`Error::WriteFailed`] naming the index directory `dir`; other errors are returned as they are.
    ///
    /// tantivy reports such a failure as an I/O error, or, when it happens in one of its indexing threads, as
    /// an internal error that carries only the I/O error's text: there no type says what happened, and the
    /// text of an OS error (`… (os error 28)`) is the one sign.
    pub fn write_failure(self, dir: &std::path::Path) -> Self {
        let dir = dir.to_path_buf();
        match self {
            Error::Tantivy(tantivy::TantivyError::IoError(io)) => Error::WriteFailed {
                cause: os_cause(&io.to_string(), io.raw_os_error()),
                dir,
            },
            Error::Tantivy(tantivy::TantivyError::InternalError(msg))
                if msg.contains("os error") =>
            {
                Error::WriteFailed {
                    cause: os_cause(&msg, None),
                    dir,
                }
            }
            Error::Tantivy(tantivy::TantivyError::OpenWriteError(
                tantivy::directory::error::OpenWriteError::IoError { io_error, .. },
            )) => Error::WriteFailed {
                cause: os_cause(&io_error.to_string(), io_error.raw_os_error()),
                dir,
            },
            e => e,
        }
    }

    /// Wraps an I/O error with the path it concerns.
    pub fn io(path: impl Into<PathBuf>, cause: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            cause,
        }
    }
}

/// The operating system's reason in a few lowercase words: `no space left on device` for ENOSPC (as
/// `df` and `cp` say it), else the text of `msg` after its last `: `, without its ` (os error N)`, with a
/// lowercase first letter (`File too large (os error 27)` → `file too large`).
fn os_cause(msg: &str, errno: Option<i32>) -> String {
    // ENOSPC is 28 on Linux, the BSDs and macOS.
    if errno == Some(28) || msg.contains("os error 28") {
        return "no space left on device".to_string();
    }
    let tail = msg.rsplit(": ").next().unwrap_or(msg);
    let tail = match tail.find(" (os error") {
        Some(i) => &tail[..i],
        None => tail,
    };
    let mut chars = tail.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => msg.to_string(),
    }
}

/// The library's result type; write it as `crate::Result<T>`.
pub type Result<T> = std::result::Result<T, Error>;

#[cfg(test)]
mod tests {
    use super::os_cause;

    #[test]
    fn os_causes_are_a_few_lowercase_words() {
        assert_eq!(
            os_cause("No space left on device (os error 28)", None),
            "no space left on device"
        );
        assert_eq!(os_cause("whatever", Some(28)), "no space left on device");
        assert_eq!(
            os_cause("Failed to write: File too large (os error 27)", Some(27)),
            "file too large"
        );
        assert_eq!(os_cause("", None), "");
    }
}
