//! Finding the corpus files: a sorted (or unsorted) walk of a directory tree that yields every file
//! with one of the [`CORPUS_EXTENSIONS`], skipping hidden entries, and reports what it cannot read.

use crate::Error;
use std::io;
use std::path::{Component, Path, PathBuf};
use walkdir::WalkDir;

/// A corpus file found by [`walk`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CorpusFile {
    /// The file's path on disk: the corpus root joined with the relative path.
    pub abs_path: PathBuf,
    /// The path relative to the corpus root, with `/` between components, each written by
    /// [`name_key`] (a name that is not valid UTF-8 has its bad bytes as `\xFF`, so that no two files share
    /// a path and [`key_path`] leads back to the file). If the root itself is a file, its file name.
    pub rel_path: String,
}

/// Walks `root` recursively in sorted order (by file name at each level), yielding the files
/// with one of the [`CORPUS_EXTENSIONS`] (compared case-insensitively).
///
/// Hidden files and directories (name starting with `.`) below `root` are skipped. Symbolic
/// links are followed. An entry with a corpus file's name that is not a regular file (a FIFO, a
/// socket, a device) is yielded as [`Error::NotRegular`]. Problems (an unreadable directory, a broken symbolic link, a link loop,
/// a missing root) are yielded as [`Error::Io`] items naming the path, and the walk continues.
pub fn walk(root: &Path) -> impl Iterator<Item = crate::Result<CorpusFile>> + use<> {
    walk_in_order(root, true, None)
}

/// [`walk`] in the order the file system lists directories, leaving out the directory `skip` (the index's
/// own) wherever it is: for a caller that only counts or looks up what it finds (sorting a directory of
/// 36,000 names by walkdir's `file_name` costs more than listing it).
pub fn walk_unsorted(
    root: &Path,
    skip: Option<&SkipDir>,
) -> impl Iterator<Item = crate::Result<CorpusFile>> + use<> {
    walk_in_order(root, false, skip)
}

pub(super) fn walk_in_order(
    root: &Path,
    sorted: bool,
    skip: Option<&SkipDir>,
) -> impl Iterator<Item = crate::Result<CorpusFile>> + use<> {
    walk_tree(root, sorted, skip).filter_map(|item| match item {
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
/// files were added, removed or renamed from one that is as indexed without listing it. The directory
/// `skip` (the index's own, when it is inside the corpus) is not entered, wherever the walk meets it.
pub fn walk_with_dirs(
    root: &Path,
    skip: Option<&SkipDir>,
) -> impl Iterator<Item = crate::Result<Walked>> + use<> {
    walk_tree(root, true, skip)
}

/// A directory that a walk of the corpus leaves out wherever it meets it, under any name (a symbolic link
/// to it included): the index's own directory, when the index is inside its corpus. It is never part of
/// the corpus: its copy of the user dictionary would be indexed as an article, and every run would find
/// the index's files changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkipDir {
    /// The directory's path, as given.
    path: PathBuf,
    /// Its device and inode numbers (Unix), which identify it whatever the path that leads to it.
    #[cfg(unix)]
    id: (u64, u64),
    /// Its canonical path (elsewhere).
    #[cfg(not(unix))]
    canonical: PathBuf,
}

impl SkipDir {
    /// The directory at `path`, or None if it is not a directory that can be `stat`ed (then there is
    /// nothing to leave out).
    pub fn new(path: &Path) -> Option<SkipDir> {
        let meta = std::fs::metadata(path)
            .ok()
            .filter(std::fs::Metadata::is_dir)?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            Some(SkipDir {
                path: path.to_path_buf(),
                id: (meta.dev(), meta.ino()),
            })
        }
        #[cfg(not(unix))]
        {
            let _ = meta;
            Some(SkipDir {
                path: path.to_path_buf(),
                canonical: std::fs::canonicalize(path).ok()?,
            })
        }
    }

    /// Is the directory at `path` (symbolic links followed) this one? One `stat`.
    pub fn is(&self, path: &Path) -> bool {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            std::fs::metadata(path).is_ok_and(|m| (m.dev(), m.ino()) == self.id)
        }
        #[cfg(not(unix))]
        {
            std::fs::canonicalize(path).is_ok_and(|c| c == self.canonical)
        }
    }

    /// The directory's path, as given to [`SkipDir::new`].
    pub fn path(&self) -> &Path {
        &self.path
    }
}

fn walk_tree(
    root: &Path,
    sorted: bool,
    skip: Option<&SkipDir>,
) -> impl Iterator<Item = crate::Result<Walked>> + use<> {
    let skip = skip.cloned();
    let root = root.to_path_buf();
    let walker = WalkDir::new(&root).follow_links(true);
    let walker = if sorted {
        walker.sort_by_file_name()
    } else {
        walker
    };
    walker
        .into_iter()
        .filter_entry(move |entry| {
            entry.depth() == 0
                || !(is_hidden_name(entry.file_name())
                    || entry.file_type().is_dir()
                        && skip.as_ref().is_some_and(|s| s.is(entry.path())))
        })
        .filter_map(move |item| match item {
            Ok(entry) if entry.file_type().is_dir() => Some(Ok(Walked::Dir(CorpusDir {
                abs_path: entry.path().to_path_buf(),
                rel_path: relative_path(&root, entry.path()),
            }))),
            Ok(entry) => corpus_file(&root, &entry).map(|r| r.map(Walked::File)),
            Err(err) => walk_error(&root, err).map(Err),
        })
}

/// What one directory holds, by the walk's rules (hidden entries and the directory `skip` left out, symbolic
/// links followed): its corpus files that are regular files and its subdirectories, by name as
/// [`name_key`] writes it. Not recursive. For checking a directory whose modification time changed against
/// what the index recorded of it.
pub fn list_dir(dir: &Path, skip: Option<&SkipDir>) -> io::Result<DirListing> {
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
        if file_type.is_dir() && skip.is_some_and(|s| s.is(&entry.path())) {
            continue;
        }
        let name = name_key(&name).into_owned();
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

/// The extensions of the files sou reads (`has_corpus_extension`), in lower case: text, Markdown, JSON
/// Lines, PDF, web pages (HTML, MHTML), Word (`docx`; `doc` is reported as unsupported) and EPUB. What a file
/// holds is then decided by its bytes ([`super::Format::sniff`]).
pub const CORPUS_EXTENSIONS: &[&str] = &[
    "txt", "md", "jsonl", "pdf", "html", "htm", "shtml", "xhtml", "mhtml", "mht", "docx", "doc",
    "epub",
];

/// Whether the extension of `path` is one of [`CORPUS_EXTENSIONS`], in any case.
pub(super) fn has_corpus_extension(path: &Path) -> bool {
    path.extension()
        .and_then(|ext| ext.to_str())
        .is_some_and(|ext| {
            CORPUS_EXTENSIONS
                .iter()
                .any(|c| ext.eq_ignore_ascii_case(c))
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
        rel_path = name_key(entry.file_name()).into_owned();
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

/// `path` relative to `root`, components written by [`name_key`] and joined with `/`: the corpus's name
/// for a file or directory (see [`CorpusFile::rel_path`]).
pub fn relative_path(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    rel.components()
        .filter_map(|component| match component {
            Component::Normal(name) => Some(name_key(name)),
            _ => None,
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// A file or directory name as the corpus names it (in the index, its manifest and every hit): the name
/// itself when it is valid UTF-8, else each byte that is not part of a UTF-8 character written `\xHH` (two
/// upper-case hex digits, as ripgrep prints such bytes), and a `\` of the name written `\\` where it would
/// otherwise be read as the start of such an escape (before `x`, `\` or an escaped byte). So two names
/// never share a key (`a\xFF.txt`, the bytes `a`, 0xFF, `.txt`, is not `a\u{FFFD}.txt`), a name that is
/// UTF-8 and has no `\x` or `\\` in it is its own key, and [`key_path`] gives the name back.
///
/// Elsewhere than on Unix a name that is not Unicode is converted lossily.
pub fn name_key(name: &std::ffi::OsStr) -> std::borrow::Cow<'_, str> {
    #[cfg(unix)]
    {
        use std::fmt::Write;
        use std::os::unix::ffi::OsStrExt;
        let bytes = name.as_bytes();
        if let Ok(s) = std::str::from_utf8(bytes)
            && !s.contains("\\\\")
            && !s.contains("\\x")
        {
            return std::borrow::Cow::Borrowed(s);
        }
        let mut out = String::with_capacity(bytes.len() + 8);
        for chunk in bytes.utf8_chunks() {
            let valid = chunk.valid();
            let mut chars = valid.chars().peekable();
            while let Some(c) = chars.next() {
                out.push(c);
                if c == '\\' {
                    let escape_follows = match chars.peek() {
                        Some(&next) => next == 'x' || next == '\\',
                        None => !chunk.invalid().is_empty(),
                    };
                    if escape_follows {
                        out.push('\\');
                    }
                }
            }
            for b in chunk.invalid() {
                let _ = write!(out, "\\x{b:02X}");
            }
        }
        std::borrow::Cow::Owned(out)
    }
    #[cfg(not(unix))]
    {
        name.to_string_lossy()
    }
}

/// The path that a key of [`name_key`] (or a `/`-separated path of such keys, as [`relative_path`] makes)
/// names, relative as the key is: the inverse of [`name_key`]. `\xHH` is the byte HH, `\\` is `\`, and
/// any other `\` is itself.
pub fn key_path(key: &str) -> PathBuf {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        if !key.contains('\\') {
            return PathBuf::from(key);
        }
        let b = key.as_bytes();
        let mut out = Vec::with_capacity(b.len());
        let mut i = 0;
        while i < b.len() {
            if b[i] == b'\\' {
                if b.get(i + 1) == Some(&b'\\') {
                    out.push(b'\\');
                    i += 2;
                    continue;
                }
                if b.get(i + 1) == Some(&b'x')
                    && let Some(hex) = key.get(i + 2..i + 4)
                    && let Ok(byte) = u8::from_str_radix(hex, 16)
                    && hex.bytes().all(|h| h.is_ascii_hexdigit())
                {
                    out.push(byte);
                    i += 4;
                    continue;
                }
            }
            out.push(b[i]);
            i += 1;
        }
        PathBuf::from(std::ffi::OsStr::from_bytes(&out))
    }
    #[cfg(not(unix))]
    {
        PathBuf::from(key)
    }
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

#[cfg(test)]
mod tests {
    use super::{key_path, name_key};

    #[cfg(unix)]
    #[test]
    fn every_name_has_its_own_key_which_leads_back_to_it() {
        use std::ffi::OsStr;
        use std::os::unix::ffi::OsStrExt;
        let names: &[(&[u8], &str)] = &[
            (b"plain.txt", "plain.txt"),
            ("新闻.txt".as_bytes(), "新闻.txt"),
            (b"a\xff.txt", r"a\xFF.txt"),
            (b"a\xfe.txt", r"a\xFE.txt"),
            ("a\u{FFFD}.txt".as_bytes(), "a\u{FFFD}.txt"),
            (br"a\xff.txt", r"a\\xff.txt"),
            (br"a\xFF.txt", r"a\\xFF.txt"),
            (br"back\slash", r"back\slash"),
            (br"two\\", r"two\\\"),
            (br"end\", r"end\"),
            (b"\\\xff", r"\\\xFF"),
            (b"\xe5\x86", r"\xE5\x86"),
            (b"\xe5\x86\x9c\xe5", "农\\xE5"),
        ];
        let mut keys = std::collections::HashSet::new();
        for (bytes, want) in names {
            let name = OsStr::from_bytes(bytes);
            let key = name_key(name);
            assert_eq!(key, *want, "{bytes:?}");
            assert!(keys.insert(key.to_string()), "{key} twice");
            assert_eq!(key_path(&key).as_os_str().as_bytes(), *bytes, "{key}");
        }
        // A path of keys decodes component by component.
        assert_eq!(
            key_path(r"d\xFF/x\\x.txt").as_os_str().as_bytes(),
            b"d\xff/x\\x.txt"
        );
    }
}
