//! Finding the corpus files: a sorted (or unsorted) walk of a directory tree that yields every `.txt`,
//! `.md`, `.jsonl` and `.pdf` file, skipping hidden entries, and reports what it cannot read.

use crate::Error;
use std::io;
use std::path::{Component, Path, PathBuf};
use walkdir::WalkDir;

/// A corpus file found by [`walk`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CorpusFile {
    /// The file's path on disk: the corpus root joined with the relative path.
    pub abs_path: PathBuf,
    /// The path relative to the corpus root, with `/` between components (components that are
    /// not valid Unicode are converted lossily). If the root itself is a file, its file name.
    pub rel_path: String,
}

/// Walks `root` recursively in sorted order (by file name at each level), yielding the `.txt`
/// `.md`, `.jsonl` and `.pdf` files (extension compared case-insensitively).
///
/// Hidden files and directories (name starting with `.`) below `root` are skipped. Symbolic
/// links are followed. An entry with a corpus file's name that is not a regular file (a FIFO, a
/// socket, a device) is yielded as [`Error::NotRegular`]. Problems (an unreadable directory, a broken symbolic link, a link loop,
/// a missing root) are yielded as [`Error::Io`] items naming the path, and the walk continues.
pub fn walk(root: &Path) -> impl Iterator<Item = crate::Result<CorpusFile>> + use<> {
    walk_in_order(root, true)
}

/// [`walk`] in the order the file system lists directories: for a caller that only counts or looks up what
/// it finds (sorting a directory of 36,000 names by walkdir's `file_name` costs more than listing it).
pub fn walk_unsorted(root: &Path) -> impl Iterator<Item = crate::Result<CorpusFile>> + use<> {
    walk_in_order(root, false)
}

pub(super) fn walk_in_order(
    root: &Path,
    sorted: bool,
) -> impl Iterator<Item = crate::Result<CorpusFile>> + use<> {
    walk_tree(root, sorted).filter_map(|item| match item {
        Ok(Walked::File(f)) => Some(Ok(f)),
        Ok(Walked::Dir(_)) => None,
        Err(e) => Some(Err(e)),
    })
}

/// A directory of the corpus found by [`walk_with_dirs`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CorpusDir {
    /// The directory's path on disk.
    pub abs_path: PathBuf,
    /// The path relative to the corpus root, `/` between components; empty for the root itself.
    pub rel_path: String,
}

/// What [`walk_with_dirs`] finds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Walked {
    /// A directory that the walk enters (the root included), yielded before anything in it.
    Dir(CorpusDir),
    /// A corpus file.
    File(CorpusFile),
}

/// [`walk`], also yielding every directory it enters (hidden ones are not entered), each before its
/// contents: the index records the directories' modification times, so that a search can tell a folder whose
/// files were added, removed or renamed from one that is as indexed without listing it.
pub fn walk_with_dirs(root: &Path) -> impl Iterator<Item = crate::Result<Walked>> + use<> {
    walk_tree(root, true)
}

fn walk_tree(root: &Path, sorted: bool) -> impl Iterator<Item = crate::Result<Walked>> + use<> {
    let root = root.to_path_buf();
    let walker = WalkDir::new(&root).follow_links(true);
    let walker = if sorted {
        walker.sort_by_file_name()
    } else {
        walker
    };
    walker
        .into_iter()
        .filter_entry(|entry| entry.depth() == 0 || !is_hidden_name(entry.file_name()))
        .filter_map(move |item| match item {
            Ok(entry) if entry.file_type().is_dir() => Some(Ok(Walked::Dir(CorpusDir {
                abs_path: entry.path().to_path_buf(),
                rel_path: relative_path(&root, entry.path()),
            }))),
            Ok(entry) => corpus_file(&root, &entry).map(|r| r.map(Walked::File)),
            Err(err) => walk_error(&root, err).map(Err),
        })
}

/// What one directory holds, by the walk's rules (hidden entries skipped, symbolic links followed): its
/// corpus files that are regular files and its subdirectories, by name. Not recursive. For checking a
/// directory whose modification time changed against what the index recorded of it.
pub fn list_dir(dir: &Path) -> io::Result<DirListing> {
    let mut listing = DirListing::default();
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name();
        if is_hidden_name(&name) {
            continue;
        }
        let mut file_type = entry.file_type()?;
        if file_type.is_symlink() {
            match std::fs::metadata(entry.path()) {
                Ok(m) => file_type = m.file_type(),
                // A broken link: the walk reports it and indexes nothing.
                Err(_) => continue,
            }
        }
        let name = name.to_string_lossy().into_owned();
        if file_type.is_dir() {
            listing.dirs.push(name);
        } else if file_type.is_file() && has_corpus_extension(Path::new(&name)) {
            listing.files.push(name);
        }
    }
    Ok(listing)
}

/// One directory's entries as [`list_dir`] gives them (names, in the order the file system lists them).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DirListing {
    /// Corpus files (regular files with a corpus file's extension).
    pub files: Vec<String>,
    /// Subdirectories.
    pub dirs: Vec<String>,
}

/// Whether a file name marks a hidden file or directory.
pub(super) fn is_hidden_name(name: &std::ffi::OsStr) -> bool {
    name.as_encoded_bytes().starts_with(b".")
}

/// Whether the extension of `path` is `txt`, `md`, `jsonl` or `pdf`, in any case.
pub(super) fn has_corpus_extension(path: &Path) -> bool {
    path.extension()
        .and_then(|ext| ext.to_str())
        .is_some_and(|ext| {
            ext.eq_ignore_ascii_case("txt")
                || ext.eq_ignore_ascii_case("md")
                || ext.eq_ignore_ascii_case("jsonl")
                || ext.eq_ignore_ascii_case("pdf")
        })
}

/// Turns a walked entry into a [`CorpusFile`] if it is a corpus file, or into [`Error::NotRegular`] if it
/// has a corpus file's name but is a FIFO, a socket or a device.
pub(super) fn corpus_file(
    root: &Path,
    entry: &walkdir::DirEntry,
) -> Option<crate::Result<CorpusFile>> {
    let file_type = entry.file_type();
    if file_type.is_dir() || !has_corpus_extension(entry.path()) {
        return None;
    }
    if !file_type.is_file() {
        return Some(Err(Error::NotRegular {
            path: entry.path().to_path_buf(),
            kind: special_kind(file_type),
        }));
    }
    let mut rel_path = relative_path(root, entry.path());
    if rel_path.is_empty() {
        // The root itself is a file.
        rel_path = entry.file_name().to_string_lossy().into_owned();
    }
    Some(Ok(CorpusFile {
        abs_path: entry.path().to_path_buf(),
        rel_path,
    }))
}

/// What a file that is neither a regular file nor a directory is.
pub(super) fn special_kind(file_type: std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if file_type.is_fifo() {
            return "a FIFO";
        }
        if file_type.is_socket() {
            return "a socket";
        }
        if file_type.is_char_device() || file_type.is_block_device() {
            return "a device";
        }
    }
    let _ = file_type;
    "a special file"
}

/// `path` relative to `root`, components joined with `/`.
pub(super) fn relative_path(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    rel.components()
        .filter_map(|component| match component {
            Component::Normal(name) => Some(name.to_string_lossy()),
            _ => None,
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// Converts a walk error into the crate's error, or `None` if it concerns a hidden path (such as
/// an editor's `.#file` lock link), which the walk skips anyway.
pub(super) fn walk_error(root: &Path, err: walkdir::Error) -> Option<Error> {
    let path = err
        .path()
        .map_or_else(|| root.to_path_buf(), Path::to_path_buf);
    let rel = path.strip_prefix(root).unwrap_or(Path::new(""));
    if rel.components().any(|c| is_hidden_name(c.as_os_str())) {
        return None;
    }
    let loop_message = err
        .loop_ancestor()
        .map(|ancestor| format!("symbolic link loop: leads back to {}", ancestor.display()));
    let source = match loop_message {
        Some(message) => io::Error::other(message),
        None => match err.into_io_error() {
            Some(source)
                if source.kind() == io::ErrorKind::NotFound
                    && path
                        .symlink_metadata()
                        .is_ok_and(|m| m.file_type().is_symlink()) =>
            {
                io::Error::new(
                    io::ErrorKind::NotFound,
                    format!("broken symbolic link ({source})"),
                )
            }
            Some(source) => source,
            None => io::Error::other("directory walk failed"),
        },
    };
    Some(Error::io(path, source))
}
