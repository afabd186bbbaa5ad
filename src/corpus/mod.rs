//! The corpus: finding article files on disk, decoding them, and splitting each article into
//! passages, the unit that gets indexed and returned as a hit. This module knows nothing about
//! tantivy; it turns files into plain [`Passage`] values and nothing more.
//!
//! # Files
//!
//! [`walk`] visits a directory tree in sorted order and yields every `.txt`, `.md` and `.jsonl` file
//! (extension compared case-insensitively), skipping hidden files and directories (names that
//! start with `.`). [`decode`] turns a file's bytes into text (UTF-8, with an optional BOM, or a
//! detected legacy encoding); [`read_text_file`] does the same and splits the text as a stream.
//!
//! # Paragraphs and passages
//!
//! [`split_article`] never rewrites the text: every offset is a *character* (not byte) offset into
//! the text as given, and a passage's text is exactly the characters between its offsets.
//!
//! - Lines are separated by `\n`; a `\r` before it is just whitespace.
//! - A paragraph is a maximal run of non-blank lines (blank = empty or only whitespace, including
//!   `\r` and the ideographic space U+3000), trimmed of surrounding whitespace. In Markdown files
//!   a `#` heading line is always a paragraph of its own, even without blank lines around it.
//! - A paragraph of at most [`SplitConfig::max_chars`] characters is one passage. A longer one is
//!   cut at sentence ends and whole sentences are packed greedily into passages of at most
//!   `max_chars` characters. A sentence ends after a run of `。！？；!?;…` (so `……` or `？！` is
//!   one end), after a run of ASCII `.` that is followed by whitespace or the end of the paragraph
//!   (so `1900.6` is not cut), or after a line break inside the paragraph; closing quotes and
//!   brackets (`”’」』）)】》"'`) right after the end stay with the sentence. A sentence longer
//!   than `max_chars` is cut after the last clause mark (`，、,：:`) that keeps the piece within
//!   `max_chars`, or else hard-cut at exactly `max_chars` characters.
//! - Every passage is trimmed of surrounding whitespace; empty passages are dropped. Passage
//!   ordinals count from 0 over the whole article.
//!
//! # Titles
//!
//! A newspaper page holds several articles, each under a few short heading lines, so a passage's
//! title is the nearest heading at or before it rather than the file's first line.
//!
//! - A *heading line* is a paragraph of a single line with 1 to 30 characters that contains at
//!   least one letter or digit and no `。`, whose last character (ignoring closing quotes and
//!   brackets) is not sentence or clause punctuation (`。！？；，、：!?;,:…`), whose last clause
//!   (after `、，,；;`) is not a single Han character (a line cut from a sentence by the page layout,
//!   `…产业链条、推`), that is not a byline (starting with `◎`) and not a photo credit (ending with `摄`
//!   or `供图`). Its title is the line itself.
//! - In a Markdown file (path ending in `.md`, any case), a line of one to six `#` followed by a
//!   space or tab and some text is also a heading; its title is the text after the hashes, without
//!   an optional closing run of `#`. The plain-text rule applies to Markdown files too.
//! - A passage's title is the nearest heading at or before its paragraph (a heading's own title
//!   is itself). Passages before the first heading take the article's first heading if it begins
//!   within the first [`WINDOW_CHARS`] characters; otherwise, and in an article without any heading,
//!   the title is the file name without its extension.
//! - A paragraph or a line longer than [`WINDOW_CHARS`] is never a heading, and a first line longer
//!   than that is never a photo credit. These limits let [`read_text_file`] read a file of any size
//!   as a stream, holding about that much text, and still give exactly the passages of
//!   [`split_article`].
//! - Titles are original text, trimmed of surrounding whitespace, never normalized.

use std::io;
use std::path::{Component, Path, PathBuf};

use walkdir::WalkDir;

use crate::Error;

mod stream;
pub use stream::{
    CHUNK_BYTES, ReadError, StreamConfig, StreamSplitter, WINDOW_CHARS, read_text_file,
};

/// Characters that end a sentence; a run of them counts as one end.
const SENTENCE_ENDS: &[char] = &['。', '！', '？', '；', '!', '?', ';', '…'];
/// Closing quotes and brackets that stay with the sentence or clause they follow.
const CLOSERS: &[char] = &['”', '’', '」', '』', '）', ')', '】', '》', '"', '\''];
/// Clause punctuation where an over-long sentence may be cut.
const CLAUSE_MARKS: &[char] = &['，', '、', ',', '：', ':'];
/// Punctuation that a heading line may not end with.
const HEADING_END_PUNCT: &[char] = &[
    '。', '！', '？', '；', '，', '、', '：', '!', '?', ';', ',', ':', '…',
];
/// The longest heading line, in characters.
const MAX_HEADING_CHARS: usize = 30;

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
/// `.md` and `.jsonl` files (extension compared case-insensitively).
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

fn walk_in_order(
    root: &Path,
    sorted: bool,
) -> impl Iterator<Item = crate::Result<CorpusFile>> + use<> {
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
            Ok(entry) => corpus_file(&root, &entry),
            Err(err) => walk_error(&root, err).map(Err),
        })
}

/// Whether a file name marks a hidden file or directory.
fn is_hidden_name(name: &std::ffi::OsStr) -> bool {
    name.as_encoded_bytes().starts_with(b".")
}

/// Whether the extension of `path` is `txt`, `md` or `jsonl`, in any case.
fn has_corpus_extension(path: &Path) -> bool {
    path.extension()
        .and_then(|ext| ext.to_str())
        .is_some_and(|ext| {
            ext.eq_ignore_ascii_case("txt")
                || ext.eq_ignore_ascii_case("md")
                || ext.eq_ignore_ascii_case("jsonl")
        })
}

/// Turns a walked entry into a [`CorpusFile`] if it is a corpus file, or into [`Error::NotRegular`] if it
/// has a corpus file's name but is a FIFO, a socket or a device.
fn corpus_file(root: &Path, entry: &walkdir::DirEntry) -> Option<crate::Result<CorpusFile>> {
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
fn special_kind(file_type: std::fs::FileType) -> &'static str {
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
fn relative_path(root: &Path, path: &Path) -> String {
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
fn walk_error(root: &Path, err: walkdir::Error) -> Option<Error> {
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

/// Why a file's bytes were not turned into text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecodeError {
    /// The file is binary (an image, a PDF, an archive…): skipped by design, not a failure.
    Binary(String),
    /// The file looks like text but no encoding decodes it cleanly.
    Undecodable(String),
}

impl std::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DecodeError::Binary(why) | DecodeError::Undecodable(why) => f.write_str(why),
        }
    }
}

/// Text decoded from a file, and the encoding it was in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    /// The text (BOM removed).
    pub text: String,
    /// The encoding's name (`UTF-8`, `GBK`, `Big5`, `UTF-16LE`, …).
    pub encoding: &'static str,
}

/// Magic numbers of binary formats that end up in article folders.
const BINARY_MAGIC: &[(&[u8], &str)] = &[
    (b"%PDF", "a PDF"),
    (b"\x89PNG", "a PNG image"),
    (b"\xFF\xD8\xFF", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"PK\x03\x04", "a ZIP archive (or an Office document)"),
    (b"\x1F\x8B", "a gzip archive"),
    (b"\xD0\xCF\x11\xE0", "an old Office document"),
    (b"7z\xBC\xAF", "a 7z archive"),
    (b"Rar!", "a RAR archive"),
    (b"\x7FELF", "an executable"),
];

/// Decodes a file's bytes. A BOM decides (UTF-8, UTF-16LE, UTF-16BE); otherwise valid UTF-8 is UTF-8, and
/// anything else is given to a detector (chardetng, Firefox's) that picks among legacy encodings (GBK/GB18030,
/// Big5, …) and must then decode without errors. Binary files (known magic numbers, or NUL bytes) are
/// reported as [`DecodeError::Binary`].
pub fn decode(bytes: &[u8]) -> std::result::Result<Decoded, DecodeError> {
    if let Some((encoding, bom_len)) = encoding_rs::Encoding::for_bom(bytes) {
        let body = &bytes[bom_len..];
        if encoding == encoding_rs::UTF_8 {
            return std::str::from_utf8(body)
                .map(|t| Decoded {
                    text: t.to_owned(),
                    encoding: "UTF-8",
                })
                .map_err(|e| {
                    DecodeError::Undecodable(format!(
                        "not valid UTF-8 (byte {})",
                        bom_len + e.valid_up_to()
                    ))
                });
        }
        return encoding
            .decode_without_bom_handling_and_without_replacement(body)
            .map(|t| Decoded {
                text: t.into_owned(),
                encoding: encoding.name(),
            })
            .ok_or_else(|| {
                DecodeError::Undecodable(format!(
                    "has a {} BOM but is not valid {0}",
                    encoding.name()
                ))
            });
    }
    for (magic, what) in BINARY_MAGIC {
        if bytes.starts_with(magic) {
            return Err(DecodeError::Binary(format!("binary file ({what})")));
        }
    }
    if bytes[..bytes.len().min(8192)].contains(&0) {
        return Err(DecodeError::Binary("binary file (NUL bytes)".to_string()));
    }
    let utf8_error = match std::str::from_utf8(bytes) {
        Ok(t) => {
            return Ok(Decoded {
                text: t.to_owned(),
                encoding: "UTF-8",
            });
        }
        Err(e) => e.valid_up_to(),
    };
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    detector.feed(bytes, true);
    let encoding = detector.guess(None, chardetng::Utf8Detection::Deny);
    match encoding.decode_without_bom_handling_and_without_replacement(bytes) {
        Some(t) if encoding != encoding_rs::UTF_8 => Ok(Decoded {
            text: t.into_owned(),
            encoding: encoding.name(),
        }),
        _ => Err(DecodeError::Undecodable(format!(
            "not valid UTF-8 (byte {utf8_error}), nor {}",
            encoding.name()
        ))),
    }
}

/// Settings for splitting articles into passages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SplitConfig {
    /// The most characters (not bytes) in one passage. Default 300; 0 is treated as 1.
    pub max_chars: usize,
}

impl Default for SplitConfig {
    fn default() -> Self {
        SplitConfig { max_chars: 300 }
    }
}

/// One passage of an article: the unit that is indexed and returned as a hit.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Passage {
    /// The article's path relative to the corpus root, `/`-separated.
    pub path: String,
    /// The 0-based position of the passage among the article's passages.
    pub ordinal: u32,
    /// Character (not byte) offset of the passage's first character in the decoded text.
    pub start: usize,
    /// Character offset one past the passage's last character.
    pub end: usize,
    /// The nearest heading at or before the passage (see the module documentation).
    pub title: String,
    /// The title is a JSON Lines record's id, for want of a title or a heading: shown, but not indexed as a
    /// title (`xwlb-20161231-01` would make every query with 2016 in it favour that year's records).
    pub title_is_id: bool,
    /// Exactly the decoded text's characters `start..end`, untouched.
    pub text: String,
    /// The article's id: its path for a text file, its `id` field for a JSON Lines record.
    pub id: String,
    /// The article's date, if the record has one (JSON Lines only).
    pub date: Option<String>,
    /// The 1-based line of the record in its JSON Lines file (None for text files).
    pub line: Option<u64>,
    /// Is this the lead of its article: the first passage of body text at the start of the article or, in a
    /// text file (a page may hold several articles), after a heading? Headings, bylines `◎…` and photo
    /// credits `…摄`/`…供图` are not body text. In news writing the lead summarises the story.
    pub lead: bool,
}

/// Splits an article's decoded text into passages, following the rules in the module
/// documentation. `path` is the article's path relative to the corpus root; it is copied into
/// each passage, decides whether Markdown headings are recognised, and gives the fallback title.
pub fn split_article(path: &str, text: &str, cfg: &SplitConfig) -> Vec<Passage> {
    split_text(
        path,
        path,
        None,
        text,
        cfg,
        is_markdown(path),
        false,
        WINDOW_CHARS,
    )
}

/// Splits the body of a JSON Lines record into passages, as [`split_article`] does for a file. The record's
/// title, if it has a non-empty one, is the title of every passage; otherwise headings in the body are used,
/// and then the record's id. `start`/`end` are offsets into the body.
pub fn split_record(path: &str, record: &JsonRecord, cfg: &SplitConfig) -> Vec<Passage> {
    let title = record
        .title
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty());
    let mut passages = split_text(
        path,
        &record.id,
        title,
        &record.body,
        cfg,
        false,
        true,
        WINDOW_CHARS,
    );
    for p in &mut passages {
        p.date.clone_from(&record.date);
        p.line = Some(record.line);
    }
    passages
}

/// `window`: only a heading that begins within the first `window` characters titles the passages before it
/// (see [`WINDOW_CHARS`]).
#[allow(clippy::too_many_arguments)]
fn split_text(
    path: &str,
    id: &str,
    title: Option<&str>,
    text: &str,
    cfg: &SplitConfig,
    markdown: bool,
    one_article: bool,
    window: usize,
) -> Vec<Passage> {
    let chars: Vec<char> = text.chars().collect();
    let paragraphs = paragraphs(&chars, markdown, window);
    let heading = paragraphs
        .iter()
        .take_while(|p| p.start < window)
        .find_map(|p| p.heading.clone());
    let has_heading = heading.is_some();
    let fallback = heading.unwrap_or_else(|| file_stem(id).to_owned());
    let max_chars = cfg.max_chars.max(1);

    let mut passages = Vec::new();
    let mut current: &str = title.unwrap_or(&fallback);
    // A file's name says what it is about; a record's id does not.
    let mut title_is_id = one_article && title.is_none() && !has_heading;
    let mut want_lead = true;
    for paragraph in &paragraphs {
        if title.is_none()
            && let Some(heading) = &paragraph.heading
        {
            current = heading;
            title_is_id = false;
        }
        // A record is one article: short lines of its body are not headings of other articles.
        let lead = if paragraph.heading.is_some() && !one_article {
            want_lead = true;
            false
        } else if want_lead && is_body(&chars[paragraph.start..paragraph.end], window) {
            want_lead = false;
            true
        } else {
            false
        };
        for (k, (start, end)) in split_paragraph(&chars, paragraph.start, paragraph.end, max_chars)
            .into_iter()
            .enumerate()
        {
            passages.push(Passage {
                path: path.to_owned(),
                ordinal: u32::try_from(passages.len()).unwrap_or(u32::MAX),
                start,
                end,
                title: current.to_owned(),
                title_is_id,
                text: chars[start..end].iter().collect(),
                id: id.to_owned(),
                date: None,
                line: None,
                lead: lead && k == 0,
            });
        }
    }
    passages
}

/// Which JSON fields of a `.jsonl` record hold the article's parts.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct JsonFields {
    /// The article id (a string or a number). Default `id`.
    pub id: String,
    /// The title. Default `title`.
    pub title: String,
    /// The body text. Default `body`.
    pub body: String,
    /// The date. Default `date`.
    pub date: String,
}

impl Default for JsonFields {
    fn default() -> Self {
        JsonFields {
            id: "id".into(),
            title: "title".into(),
            body: "body".into(),
            date: "date".into(),
        }
    }
}

/// The JSON field names a user gave for `sou index` (`--id-field`, …): each one given replaces the name
/// the index was built with, the others stay as they were (or default, for a new index).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct JsonFieldNames {
    /// `--id-field`.
    pub id: Option<String>,
    /// `--title-field`.
    pub title: Option<String>,
    /// `--body-field`.
    pub body: Option<String>,
    /// `--date-field`.
    pub date: Option<String>,
}

impl JsonFieldNames {
    /// The names to read with: those given, else `previous`'s.
    pub fn resolve(&self, previous: &JsonFields) -> JsonFields {
        let pick =
            |given: &Option<String>, old: &String| given.clone().unwrap_or_else(|| old.clone());
        JsonFields {
            id: pick(&self.id, &previous.id),
            title: pick(&self.title, &previous.title),
            body: pick(&self.body, &previous.body),
            date: pick(&self.date, &previous.date),
        }
    }
}

/// One article of a JSON Lines archive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonRecord {
    /// 1-based line number in the file.
    pub line: u64,
    /// The id field, or `<file stem>:<line>` if the record has none.
    pub id: String,
    /// The title field, if present.
    pub title: Option<String>,
    /// The date field, if present.
    pub date: Option<String>,
    /// The body field.
    pub body: String,
}

/// Parses one line of a JSON Lines archive. Blank lines give `Ok(None)`; a line that is not a JSON object,
/// or has no string body, gives `Err` with the reason (the caller adds the file and line number).
/// Fields other than the four named in `fields` are ignored.
pub fn parse_record(
    path: &str,
    line_no: u64,
    line: &str,
    fields: &JsonFields,
) -> std::result::Result<Option<JsonRecord>, String> {
    let line = line.trim_start_matches('\u{feff}');
    if line.trim().is_empty() {
        return Ok(None);
    }
    let value: serde_json::Value =
        serde_json::from_str(line).map_err(|e| format!("not valid JSON ({e})"))?;
    let serde_json::Value::Object(map) = value else {
        return Err("not a JSON object".to_string());
    };
    let text = |name: &str| -> Option<String> {
        match map.get(name)? {
            serde_json::Value::String(s) => Some(s.clone()),
            serde_json::Value::Number(n) => Some(n.to_string()),
            _ => None,
        }
    };
    let body = match map.get(&fields.body) {
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(_) => return Err(format!("field \"{}\" is not a string", fields.body)),
        None => return Err(format!("no \"{}\" field", fields.body)),
    };
    let id = text(&fields.id).unwrap_or_else(|| format!("{}:{line_no}", file_stem(path)));
    Ok(Some(JsonRecord {
        line: line_no,
        id,
        title: text(&fields.title),
        date: text(&fields.date),
        body,
    }))
}

/// Whether `path` names a JSON Lines archive (`.jsonl`).
pub fn is_jsonl(path: &str) -> bool {
    path.rsplit('.')
        .next()
        .is_some_and(|ext| ext.eq_ignore_ascii_case("jsonl"))
        && path.contains('.')
}

/// A trimmed, non-empty paragraph: chars `start..end`, and its title if it is a heading.
struct Paragraph {
    start: usize,
    end: usize,
    heading: Option<String>,
}

/// Whether `path` names a Markdown file.
fn is_markdown(path: &str) -> bool {
    path.get(path.len().saturating_sub(3)..)
        .is_some_and(|ext| ext.eq_ignore_ascii_case(".md"))
}

/// The last component of `path` without its extension.
fn file_stem(path: &str) -> &str {
    let name = path.rsplit(['/', '\\']).next().unwrap_or(path);
    match name.rfind('.') {
        Some(dot) if dot > 0 => &name[..dot],
        _ => name,
    }
}

/// `start..end` with surrounding whitespace removed (possibly empty).
fn trim_range(chars: &[char], mut start: usize, mut end: usize) -> (usize, usize) {
    while start < end && chars[start].is_whitespace() {
        start += 1;
    }
    while end > start && chars[end - 1].is_whitespace() {
        end -= 1;
    }
    (start, end)
}

/// Splits the text into paragraphs, recognising headings. A paragraph or a line longer than `window`
/// characters is never a heading (a stream reader does not hold that much to find out).
fn paragraphs(chars: &[char], markdown: bool, window: usize) -> Vec<Paragraph> {
    let mut out = Vec::new();
    let mut push = |start: usize, end: usize| {
        let (start, end) = trim_range(chars, start, end);
        if start < end {
            let heading = (end - start <= window)
                .then(|| heading_title(&chars[start..end], markdown))
                .flatten();
            out.push(Paragraph {
                start,
                end,
                heading,
            });
        }
    };

    let mut run: Option<(usize, usize)> = None;
    let mut line_start = 0;
    while line_start <= chars.len() {
        let line_end = chars[line_start..]
            .iter()
            .position(|&c| c == '\n')
            .map_or(chars.len(), |i| line_start + i);
        let line = &chars[line_start..line_end];
        if line.iter().all(|c| c.is_whitespace()) {
            if let Some((start, end)) = run.take() {
                push(start, end);
            }
        } else if markdown && markdown_heading_line(line, window) {
            if let Some((start, end)) = run.take() {
                push(start, end);
            }
            push(line_start, line_end);
        } else {
            let start = run.map_or(line_start, |(start, _)| start);
            run = Some((start, line_end));
        }
        line_start = line_end + 1;
    }
    if let Some((start, end)) = run {
        push(start, end);
    }
    out
}

/// Whether `line` is a Markdown heading line of at most `window` characters (trimmed).
fn markdown_heading_line(line: &[char], window: usize) -> bool {
    let (s, e) = trim_range(line, 0, line.len());
    e - s <= window && markdown_heading(line).is_some()
}

/// The title of a trimmed paragraph if it is a heading line.
fn heading_title(paragraph: &[char], markdown: bool) -> Option<String> {
    if paragraph.contains(&'\n') {
        return None;
    }
    if markdown && let Some(title) = markdown_heading(paragraph) {
        return Some(title);
    }
    plain_heading(paragraph)
}

/// The title of a Markdown ATX heading line (`# Title`), if `line` is one.
fn markdown_heading(line: &[char]) -> Option<String> {
    let line: String = line.iter().collect();
    let line = line.trim();
    let hashes = line.chars().take_while(|&c| c == '#').count();
    if !(1..=6).contains(&hashes) {
        return None;
    }
    let rest = &line[hashes..];
    if !rest.starts_with([' ', '\t']) {
        return None;
    }
    let mut title = rest.trim();
    // An optional closing sequence: `## Title ##`.
    let without_closing = title.trim_end_matches('#');
    if without_closing.is_empty() || without_closing.ends_with(char::is_whitespace) {
        title = without_closing.trim_end();
    }
    (!title.is_empty()).then(|| title.to_owned())
}

/// The title of a trimmed single-line paragraph if it passes the plain-text heading rule.
fn plain_heading(line: &[char]) -> Option<String> {
    if line.is_empty() || line.len() > MAX_HEADING_CHARS {
        return None;
    }
    if !line.iter().any(|c| c.is_alphanumeric()) || line.contains(&'。') || line[0] == '◎' {
        return None;
    }
    let without_closers = line
        .iter()
        .rposition(|c| !CLOSERS.contains(c))
        .map_or(&line[..0], |last| &line[..=last]);
    if without_closers
        .last()
        .is_some_and(|c| HEADING_END_PUNCT.contains(c))
    {
        return None;
    }
    if line.ends_with(&['摄']) || line.ends_with(&['供', '图']) {
        return None;
    }
    // A line cut out of a sentence by a page layout (`龙头企业在带动完善产业链条、推`): its last clause, after
    // a comma, is one Han character. Heading clauses are words (`梯度培育、分类辅导`).
    if let Some(cut) = without_closers
        .iter()
        .rposition(|c| CLAUSE_SEPARATORS.contains(c))
        && without_closers.len() == cut + 2
        && crate::text::normalize::is_han(without_closers[cut + 1])
    {
        return None;
    }
    Some(line.iter().collect())
}

/// Separators between the clauses of a heading line (see [`plain_heading`]).
const CLAUSE_SEPARATORS: &[char] = &['、', '，', ',', '；', ';'];

/// Is a (non-heading) paragraph body text, rather than a byline or a photo credit? A first line longer
/// than `window` characters is not a photo credit.
fn is_body(paragraph: &[char], window: usize) -> bool {
    let first_line: Vec<char> = paragraph
        .iter()
        .take_while(|c| **c != '\n')
        .copied()
        .collect();
    let line = first_line.iter().collect::<String>();
    let line = line.trim();
    !(line.starts_with('◎')
        || (line.chars().count() <= window && (line.ends_with('摄') || line.ends_with("供图"))))
}

/// Splits the trimmed paragraph `start..end` into trimmed, non-empty passage ranges of at most
/// `max_chars` characters each.
fn split_paragraph(
    chars: &[char],
    start: usize,
    end: usize,
    max_chars: usize,
) -> Vec<(usize, usize)> {
    if end - start <= max_chars {
        return vec![(start, end)];
    }
    let (pieces, _) = pieces(chars, start, end, max_chars, None);
    pack(&pieces, max_chars)
        .into_iter()
        .map(|p| (p.start, p.end))
        .collect()
}

/// A piece of a long paragraph: a trimmed sentence, or part of an over-long one.
struct Piece {
    start: usize,
    end: usize,
    /// Index of its sentence.
    sentence: usize,
}

/// A passage made of whole pieces.
struct Packed {
    start: usize,
    end: usize,
    /// Index of its first piece.
    first_piece: usize,
}

/// Cuts the trimmed paragraph `start..end` into pieces of at most `max_chars` characters: trimmed
/// sentences, over-long ones cut further. `first_end`, if given, is where the sentence that begins at
/// `start` ends (a paragraph read as a stream resumes inside a sentence). Also returns the sentences'
/// (untrimmed, contiguous) ranges.
fn pieces(
    chars: &[char],
    start: usize,
    end: usize,
    max_chars: usize,
    first_end: Option<usize>,
) -> (Vec<Piece>, Vec<(usize, usize)>) {
    let sentences = match first_end.filter(|&e| e > start && e <= end) {
        Some(first) => {
            let mut s = vec![(start, first)];
            s.extend(sentences(chars, first, end));
            s
        }
        None => sentences(chars, start, end),
    };
    let mut pieces = Vec::new();
    let mut cut = Vec::new();
    for (k, &(s, e)) in sentences.iter().enumerate() {
        let (s, e) = trim_range(chars, s, e);
        if s < e {
            cut.clear();
            cut_long_sentence(chars, s, e, max_chars, &mut cut);
            pieces.extend(cut.iter().map(|&(start, end)| Piece {
                start,
                end,
                sentence: k,
            }));
        }
    }
    (pieces, sentences)
}

/// Greedy packing of whole pieces into passages of at most `max_chars` characters.
fn pack(pieces: &[Piece], max_chars: usize) -> Vec<Packed> {
    let mut passages = Vec::new();
    let mut current: Option<Packed> = None;
    for (i, piece) in pieces.iter().enumerate() {
        match &mut current {
            Some(c) if piece.end - c.start <= max_chars => c.end = piece.end,
            _ => {
                passages.extend(current.take());
                current = Some(Packed {
                    start: piece.start,
                    end: piece.end,
                    first_piece: i,
                });
            }
        }
    }
    passages.extend(current);
    passages
}

/// Cuts the chars `start..end` at sentence ends. The ranges are contiguous, cover
/// `start..end`, and are not trimmed.
fn sentences(chars: &[char], start: usize, end: usize) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut sentence_start = start;
    let mut i = start;
    let skip = |mut i: usize, set: &[char]| {
        while i < end && set.contains(&chars[i]) {
            i += 1;
        }
        i
    };
    while i < end {
        let c = chars[i];
        if c == '\n' {
            i += 1;
        } else if SENTENCE_ENDS.contains(&c) {
            i = skip(skip(i, SENTENCE_ENDS), CLOSERS);
        } else if c == '.' {
            i = skip(skip(i, &['.']), CLOSERS);
            if i < end && !chars[i].is_whitespace() {
                continue; // `1900.6`, `example.com`: not a sentence end.
            }
        } else {
            i += 1;
            continue;
        }
        out.push((sentence_start, i));
        sentence_start = i;
    }
    if sentence_start < end {
        out.push((sentence_start, end));
    }
    out
}

/// Pushes the trimmed sentence `start..end` onto `pieces`, cut into pieces of at most
/// `max_chars` characters: after the last clause mark that fits, else exactly at `max_chars`.
fn cut_long_sentence(
    chars: &[char],
    mut start: usize,
    end: usize,
    max_chars: usize,
    pieces: &mut Vec<(usize, usize)>,
) {
    while end - start > max_chars {
        let limit = start + max_chars;
        let cut = match (start..limit)
            .rev()
            .find(|&i| CLAUSE_MARKS.contains(&chars[i]))
        {
            Some(mark) => {
                let mut cut = mark + 1;
                while cut < limit && CLOSERS.contains(&chars[cut]) {
                    cut += 1;
                }
                cut
            }
            None => limit,
        };
        let (s, e) = trim_range(chars, start, cut);
        if s < e {
            pieces.push((s, e));
        }
        (start, _) = trim_range(chars, cut, end);
    }
    if start < end {
        pieces.push((start, end));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const REAL_ARTICLE: &str = include_str!("../../corpus/keji-ribao-high-tech-zones-2023.txt");

    fn split(path: &str, text: &str, max_chars: usize) -> Vec<Passage> {
        let passages = split_article(path, text, &SplitConfig { max_chars });
        check_invariants(text, &passages, max_chars);
        passages
    }

    fn texts(passages: &[Passage]) -> Vec<&str> {
        passages.iter().map(|p| p.text.as_str()).collect()
    }

    /// Offsets match the text, passages are trimmed, in order, within the size limit, and
    /// everything between them is whitespace.
    fn check_invariants(text: &str, passages: &[Passage], max_chars: usize) {
        let chars: Vec<char> = text.chars().collect();
        let mut covered = 0;
        for (i, p) in passages.iter().enumerate() {
            assert_eq!(p.ordinal as usize, i);
            assert!(p.start < p.end, "empty passage {p:?}");
            let expected: String = text.chars().skip(p.start).take(p.end - p.start).collect();
            assert_eq!(p.text, expected, "passage text differs from its offsets");
            assert_eq!(p.text.chars().count(), p.end - p.start);
            assert!(p.end - p.start <= max_chars, "passage too long: {p:?}");
            assert_eq!(p.text.trim(), p.text, "passage not trimmed");
            assert!(!p.title.is_empty());
            assert_eq!(p.title.trim(), p.title);
            assert!(p.start >= covered, "passages overlap or are out of order");
            assert!(
                chars[covered..p.start].iter().all(|c| c.is_whitespace()),
                "non-whitespace dropped before passage {i}"
            );
            covered = p.end;
        }
        assert!(chars[covered..].iter().all(|c| c.is_whitespace()));
    }

    #[test]
    fn blank_lines_separate_paragraphs() {
        let text = "第一段第一行，\n第一段第二行。\n\n  \n第二段。\n\u{3000}\n第三段。";
        let passages = split("a.txt", text, 300);
        assert_eq!(
            texts(&passages),
            ["第一段第一行，\n第一段第二行。", "第二段。", "第三段。"]
        );
        assert_eq!(passages[1].start, 20);
        assert_eq!(passages[1].end, 24);
    }

    #[test]
    fn crlf_is_whitespace_and_offsets_stay_original() {
        let text = "\r\n标题行\r\n\r\n正文第一句。\r\n正文第二句。\r\n\r\n\r\n尾段。\r\n";
        let passages = split("a.txt", text, 300);
        assert_eq!(
            texts(&passages),
            ["标题行", "正文第一句。\r\n正文第二句。", "尾段。"]
        );
        assert!(passages.iter().all(|p| p.title == "标题行"));
        // A CRLF paragraph split at its line break: the `\r` is trimmed, not lost.
        let passages = split("a.txt", text, 8);
        assert_eq!(
            texts(&passages),
            ["标题行", "正文第一句。", "正文第二句。", "尾段。"]
        );
    }

    #[test]
    fn decode_strips_bom_and_reports_bad_bytes() {
        let text = |b: &[u8]| decode(b).map(|d| d.text);
        assert_eq!(text("\u{feff}你好".as_bytes()).as_deref(), Ok("你好"));
        assert_eq!(text("你好".as_bytes()).as_deref(), Ok("你好"));
        assert_eq!(text(b"").as_deref(), Ok(""));
        // Only one BOM is stripped.
        assert_eq!(
            text("\u{feff}\u{feff}x".as_bytes()).as_deref(),
            Ok("\u{feff}x")
        );
        // A UTF-8 BOM promises UTF-8.
        assert_eq!(
            decode(b"\xEF\xBB\xBFab\xffcd"),
            Err(DecodeError::Undecodable(
                "not valid UTF-8 (byte 5)".to_owned()
            ))
        );
        let passages = split("a.txt", &text(b"\xEF\xBB\xBFtitle\n\nbody.").unwrap(), 300);
        assert_eq!(passages[0].text, "title");
        assert_eq!(passages[0].start, 0);
    }

    #[test]
    fn decode_detects_legacy_chinese_encodings() {
        let gbk = encoding_rs::GBK
            .encode("青岛市工研院累计培育科技型中小企业超过100家，高新技术企业80余家。")
            .0;
        let d = decode(&gbk).unwrap();
        assert_eq!(
            d.text,
            "青岛市工研院累计培育科技型中小企业超过100家，高新技术企业80余家。"
        );
        assert_eq!(d.encoding, "GBK");
        let big5 = encoding_rs::BIG5
            .encode("記者從銀行獲悉，中央銀行宣布降息，市場反應熱烈。")
            .0;
        let d = decode(&big5).unwrap();
        assert_eq!(d.text, "記者從銀行獲悉，中央銀行宣布降息，市場反應熱烈。");
        assert_eq!(d.encoding, "Big5");
        let mut utf16: Vec<u8> = vec![0xFF, 0xFE];
        for u in "你好，世界".encode_utf16() {
            utf16.extend(u.to_le_bytes());
        }
        assert_eq!(
            decode(&utf16).unwrap(),
            Decoded {
                text: "你好，世界".into(),
                encoding: "UTF-16LE"
            }
        );
    }

    #[test]
    fn decode_skips_binary_files() {
        assert!(matches!(
            decode(b"%PDF-1.7\n..."),
            Err(DecodeError::Binary(_))
        ));
        assert!(matches!(
            decode(b"\x89PNG\r\n\x1a\n"),
            Err(DecodeError::Binary(_))
        ));
        assert!(matches!(decode(b"abc\x00def"), Err(DecodeError::Binary(_))));
        assert!(matches!(
            decode(b"PK\x03\x04rest"),
            Err(DecodeError::Binary(_))
        ));
    }

    #[test]
    fn whitespace_only_article_has_no_passages() {
        assert!(split("a.txt", "", 300).is_empty());
        assert!(split("a.txt", " \r\n\t\n\u{3000}\u{3000}\n\n", 300).is_empty());
    }

    #[test]
    fn long_paragraph_is_packed_by_sentences() {
        let sentence = "这是一个用来测试切分的句子，长度适中。";
        let paragraph: String = (0..40)
            .map(|i| {
                if i % 3 == 0 {
                    format!("第{i}句说：“好！” ")
                } else {
                    sentence.to_owned()
                }
            })
            .collect();
        let text = format!("标题\n\n{paragraph}\n\n结尾。");
        for max in [20, 50, 120, 300] {
            let passages = split("a.txt", &text, max);
            let body: Vec<&Passage> = passages[1..passages.len() - 1].iter().collect();
            assert!(body.len() > 1, "max {max}: not split");
            // Passages end at sentence ends (every sentence here fits in max chars).
            for p in &body {
                assert!(
                    p.text.ends_with('。') || p.text.ends_with('”'),
                    "max {max}: {:?}",
                    p.text
                );
            }
            // Concatenation plus dropped whitespace reproduces the paragraph.
            let joined: String = body.iter().map(|p| p.text.as_str()).collect();
            let squeezed: String = paragraph.chars().filter(|c| !c.is_whitespace()).collect();
            assert_eq!(joined.replace(' ', ""), squeezed);
        }
    }

    #[test]
    fn decimal_point_is_not_a_sentence_end() {
        let text = "全年实现地区生产总值1900.6亿元，同比增长4%. Next sentence here.";
        let passages = split("a.txt", text, 30);
        assert_eq!(
            texts(&passages),
            [
                "全年实现地区生产总值1900.6亿元，同比增长4%.",
                "Next sentence here."
            ]
        );
    }

    #[test]
    fn closing_quote_stays_with_sentence() {
        let text = "他说：“好。”然后他走了出去，没有回头。";
        let passages = split("a.txt", text, 13);
        assert_eq!(texts(&passages)[0], "他说：“好。”");
        assert_eq!(texts(&passages)[1], "然后他走了出去，没有回头。");
    }

    #[test]
    fn runs_of_sentence_marks_are_one_end() {
        let text = "真的吗？！当然……我们走吧。";
        let passages = split("a.txt", text, 6);
        assert_eq!(texts(&passages), ["真的吗？！", "当然……", "我们走吧。"]);
    }

    #[test]
    fn long_sentence_is_cut_at_last_clause_mark() {
        let text = "甲乙丙丁，戊己庚、辛壬癸子丑寅卯辰巳。";
        let passages = split("a.txt", text, 10);
        assert_eq!(
            texts(&passages),
            ["甲乙丙丁，戊己庚、", "辛壬癸子丑寅卯辰巳。"]
        );
    }

    #[test]
    fn unpunctuated_paragraph_is_hard_cut_by_chars() {
        let units = ['𨨏', '𠮷', '中', 'a', 'é'];
        let text: String = (0..1000).map(|i| units[i % units.len()]).collect();
        let passages = split("a.txt", &text, 300);
        let lengths: Vec<usize> = passages.iter().map(|p| p.text.chars().count()).collect();
        assert_eq!(lengths, [300, 300, 300, 100]);
        assert_eq!(passages[1].start, 300);
        assert_eq!(passages[3].end, 1000);
        assert!(passages[0].text.starts_with("𨨏𠮷中aé𨨏"));
        assert_eq!(
            passages.iter().map(|p| p.text.as_str()).collect::<String>(),
            text
        );
    }

    #[test]
    fn newspaper_page_titles() {
        let text = "\
视觉中国供图

梯度培育、分类辅导

青岛工研院助企业实现“三级跳”

◎本报记者 王健高 实习记者 宋迎迎
通讯员 肖玲玲

近日，青岛工研院召开大会。会上介绍了培育模式。

特色辅导，科技型中小企业入库超百家

作为青岛高新区企业培育重要载体，工研院构建了培育体系。

常州高新区内的生产线

张海韵摄

锚定世界一流园区

济南高新区推进“三个三”

科技日报讯（记者王延斌）近日，济南高新区召开工作动员大会。
";
        let passages = split("page.txt", text, 300);
        let titled: Vec<(&str, &str)> = passages
            .iter()
            .map(|p| (p.text.as_str(), p.title.as_str()))
            .collect();
        assert_eq!(
            titled,
            [
                ("视觉中国供图", "梯度培育、分类辅导"),
                ("梯度培育、分类辅导", "梯度培育、分类辅导"),
                (
                    "青岛工研院助企业实现“三级跳”",
                    "青岛工研院助企业实现“三级跳”"
                ),
                (
                    "◎本报记者 王健高 实习记者 宋迎迎\n通讯员 肖玲玲",
                    "青岛工研院助企业实现“三级跳”"
                ),
                (
                    "近日，青岛工研院召开大会。会上介绍了培育模式。",
                    "青岛工研院助企业实现“三级跳”"
                ),
                (
                    "特色辅导，科技型中小企业入库超百家",
                    "特色辅导，科技型中小企业入库超百家"
                ),
                (
                    "作为青岛高新区企业培育重要载体，工研院构建了培育体系。",
                    "特色辅导，科技型中小企业入库超百家"
                ),
                ("常州高新区内的生产线", "常州高新区内的生产线"),
                ("张海韵摄", "常州高新区内的生产线"),
                ("锚定世界一流园区", "锚定世界一流园区"),
                ("济南高新区推进“三个三”", "济南高新区推进“三个三”"),
                (
                    "科技日报讯（记者王延斌）近日，济南高新区召开工作动员大会。",
                    "济南高新区推进“三个三”"
                ),
            ]
        );
    }

    #[test]
    fn leads_are_the_first_body_passages_after_headings() {
        let page = "视觉中国供图\n\n第一篇的导语。\n\n第一篇的正文。\n\n第二篇标题\n\n◎本报记者 张三\n\n第二篇的导语。\n\n正文。";
        let leads: Vec<String> = split("page.txt", page, 300)
            .into_iter()
            .filter(|p| p.lead)
            .map(|p| p.text)
            .collect();
        assert_eq!(leads, vec!["第一篇的导语。", "第二篇的导语。"]);
        // A long lead paragraph: only its first passage is the lead.
        let long = format!("{}\n\n后文。", "一句话。".repeat(100));
        let p = split("a.txt", &long, 300);
        assert!(p[0].lead && !p[1].lead && !p.last().unwrap().lead);
    }

    #[test]
    fn heading_line_rule() {
        let heading = |s: &str| plain_heading(&s.chars().collect::<Vec<_>>());
        assert_eq!(
            heading("推动实现经济稳步增长").as_deref(),
            Some("推动实现经济稳步增长")
        );
        assert_eq!(heading("Chapter 1").as_deref(), Some("Chapter 1"));
        assert!(heading("他说：“好！”").is_none());
        assert!(heading("这是一句话。").is_none());
        assert!(heading("力军。青岛市工研院将高新技术企业培育作为其").is_none());
        assert!(heading("未完待续……").is_none());
        assert!(heading("如下：").is_none());
        assert!(heading("◎本报记者 张三").is_none());
        assert!(heading("新华社供图").is_none());
        assert!(heading("---").is_none());
        assert!(heading(&"长".repeat(31)).is_none());
        assert!(heading(&"长".repeat(30)).is_some());
        // A line cut out of a sentence by the page layout; real headings with clauses stay headings.
        assert!(heading("龙头企业在带动完善产业链条、推").is_none());
        assert!(heading("产业链条，推”").is_none());
        assert_eq!(
            heading("梯度培育、分类辅导").as_deref(),
            Some("梯度培育、分类辅导")
        );
        assert!(heading("精准施策,提升高新技术企业培养质量").is_some());
        assert!(heading("第一章、A").is_some());
    }

    #[test]
    fn untitled_article_uses_file_stem() {
        let passages = split("2023/某报/第一版.txt", "这是一句话。\n\n又一句话。", 300);
        assert!(passages.iter().all(|p| p.title == "第一版"));
        assert_eq!(passages[1].path, "2023/某报/第一版.txt");
        let passages = split("notes", "正文，没有标题。", 300);
        assert_eq!(passages[0].title, "notes");
    }

    #[test]
    fn markdown_headings() {
        let text = "\
导言，没有标题。
# 第一章 ##
第一章正文。

## Section *two*
正文二。
#not a heading，
####### seven hashes，
";
        let passages = split("notes/Doc.MD", text, 300);
        let titled: Vec<(&str, &str)> = passages
            .iter()
            .map(|p| (p.text.as_str(), p.title.as_str()))
            .collect();
        assert_eq!(
            titled,
            [
                ("导言，没有标题。", "第一章"),
                ("# 第一章 ##", "第一章"),
                ("第一章正文。", "第一章"),
                ("## Section *two*", "Section *two*"),
                (
                    "正文二。\n#not a heading，\n####### seven hashes，",
                    "Section *two*"
                ),
            ]
        );
        // In a .txt file, `#` lines are ordinary lines.
        let passages = split("notes/doc.txt", text, 300);
        assert_eq!(passages.len(), 2);
        assert_eq!(passages[0].title, "doc");
    }

    #[test]
    fn offsets_invariant_holds() {
        let inputs = [
            "",
            "a",
            "\u{feff}标题\r\n\r\n正文。\r\n第二行\r\n",
            "  𨨏𠮷！𨨏𠮷？\n\n\u{3000}\u{3000}段落开头有全角空格。第二句。\r\n",
            "one. two. three... four!? five;six 1.5 seven.\n\neight",
            "“引号。”“再一个！”（括号。）【方括号？】《书名》",
        ];
        for text in inputs {
            for max in [1, 2, 3, 5, 8, 300] {
                split("x.txt", text, max);
                split("x.md", text, max);
            }
        }
    }

    #[test]
    fn real_article_passages() {
        for max in [50, 120, 300] {
            let passages = split("keji-ribao-high-tech-zones-2023.txt", REAL_ARTICLE, max);
            assert!(passages.len() > 20);
        }
        let passages = split("keji-ribao-high-tech-zones-2023.txt", REAL_ARTICLE, 300);
        let title_of = |needle: &str| {
            passages
                .iter()
                .find(|p| p.text.contains(needle))
                .map(|p| p.title.as_str())
        };
        assert_eq!(title_of("视觉中国供图"), Some("梯度培育、分类辅导"));
        assert_eq!(
            title_of("1900.6亿元"),
            Some("江苏常州高新区加快培育未来产业")
        );
        assert_eq!(
            title_of("张海韵摄"),
            Some("常州高新区内的森塔塔智能化生产线")
        );
        assert_eq!(title_of("王延斌"), Some("济南高新区推进“三个三”"));
        assert!(passages.iter().any(|p| p.text.contains("1900.6亿元")));
    }

    fn touch(path: &Path) {
        std::fs::write(path, "x").unwrap();
    }

    fn walked(root: &Path) -> (Vec<String>, Vec<Error>) {
        let mut files = Vec::new();
        let mut errors = Vec::new();
        for item in walk(root) {
            match item {
                Ok(file) => {
                    assert_eq!(file.abs_path, root.join(&file.rel_path));
                    files.push(file.rel_path);
                }
                Err(err) => errors.push(err),
            }
        }
        (files, errors)
    }

    #[test]
    fn walk_finds_sorted_corpus_files() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for sub in ["b", "a/inner", ".hidden", "c.txt.d"] {
            std::fs::create_dir_all(root.join(sub)).unwrap();
        }
        for file in [
            "z.txt",
            "b.MD",
            "a.Txt",
            "notes.pdf",
            "txt",
            ".secret.txt",
            "b/2.md",
            "b/1.txt",
            "a/inner/deep.txt",
            "a/0.txt",
            ".hidden/x.txt",
            "c.txt.d/readme",
        ] {
            touch(&root.join(file));
        }
        let (files, errors) = walked(root);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(
            files,
            [
                "a/0.txt",
                "a/inner/deep.txt",
                "a.Txt",
                "b/1.txt",
                "b/2.md",
                "b.MD",
                "z.txt"
            ]
        );

        // A root that is itself a file.
        let single: Vec<CorpusFile> = walk(&root.join("z.txt")).map(|r| r.unwrap()).collect();
        assert_eq!(single.len(), 1);
        assert_eq!(single[0].rel_path, "z.txt");
    }

    #[test]
    fn walk_missing_root_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("nope");
        let items: Vec<_> = walk(&missing).collect();
        assert_eq!(items.len(), 1);
        assert!(matches!(&items[0], Err(Error::Io { path, .. }) if *path == missing));
    }

    #[cfg(unix)]
    #[test]
    fn walk_reports_errors_and_continues() {
        use std::os::unix::fs::{PermissionsExt, symlink};

        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("d/sub")).unwrap();
        touch(&root.join("a.txt"));
        touch(&root.join("d/sub/x.txt"));
        touch(&root.join("z.txt"));
        symlink(root.join("missing.txt"), root.join("broken.txt")).unwrap();
        symlink(root.join("missing.txt"), root.join(".#lock.txt")).unwrap();
        symlink(root.join("d"), root.join("d/sub/loop")).unwrap();
        symlink(root.join("a.txt"), root.join("link.md")).unwrap();

        let (files, errors) = walked(root);
        assert_eq!(files, ["a.txt", "d/sub/x.txt", "link.md", "z.txt"]);
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert!(
            matches!(&errors[0], Error::Io { path, .. } if *path == root.join("broken.txt")),
            "{errors:?}"
        );
        assert!(errors[0].to_string().contains("broken symbolic link"));
        assert!(
            matches!(&errors[1], Error::Io { path, .. } if *path == root.join("d/sub/loop")),
            "{errors:?}"
        );
        assert!(errors[1].to_string().contains("loop"));

        // An unreadable directory (only testable when not running as root).
        let locked = root.join("m-locked");
        std::fs::create_dir(&locked).unwrap();
        touch(&locked.join("hidden-from-us.txt"));
        std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
        let readable = std::fs::read_dir(&locked).is_ok();
        let (files, errors) = walked(root);
        std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o755)).unwrap();
        if !readable {
            assert_eq!(files, ["a.txt", "d/sub/x.txt", "link.md", "z.txt"]);
            assert_eq!(errors.len(), 3, "{errors:?}");
            assert!(matches!(&errors[2], Error::Io { path, .. } if *path == locked));
        }
    }
}
