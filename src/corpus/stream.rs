//! Reading a text file as a stream: the encoding is detected with a first pass over the file, then the
//! file is decoded chunk by chunk and split by a [`StreamSplitter`], which hands out passages as soon as
//! they are final. Memory stays bounded whatever the file's size: one chunk of bytes, and a few times
//! [`WINDOW_CHARS`] characters of text waiting to become passages.
//!
//! The passages are exactly those of [`split_article`](super::split_article) on the whole decoded text
//! (texts, offsets, ordinals, titles, leads), for any chunk size. A paragraph longer than the window is
//! emitted as it is read, cut exactly where the whole-text splitter cuts it. The rules that make this
//! possible are rules of the whole-text splitter too (see the module docs of [`corpus`](super)): a
//! paragraph or line longer than the window is never a heading, a first line longer than it is never a
//! photo credit, and a heading titles the passages before it only if it begins within the window. The one
//! exception: a paragraph followed on its line by more than three windows of whitespace is emitted as if it
//! were longer than the window. `random_texts_stream_like_the_whole_text` checks the equality on random
//! texts with tiny windows (`SOU_STREAM_CASES` sets how many).

use std::fs::File;
use std::io::{self, Seek, SeekFrom};
use std::path::Path;

use super::decode::{DetectError, HEAD_BYTES, decode_into, detect, read_full};
use super::{
    DecodeError, Passage, SplitConfig, file_stem, heading_title, is_body, is_markdown,
    markdown_heading_line, pack, pieces, split_paragraph, trim_range,
};

/// The most characters of one paragraph held before its first passages are emitted, and how far into an
/// article a heading may begin and still title the passages before it (see the module docs of
/// [`corpus`](super)).
pub const WINDOW_CHARS: usize = 1 << 20;

/// Bytes read from a text file at a time.
pub const CHUNK_BYTES: usize = 1 << 20;

/// How a text file is read: tests use tiny values to put chunk boundaries everywhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StreamConfig {
    /// Bytes read at a time.
    pub chunk_bytes: usize,
    /// See [`WINDOW_CHARS`].
    pub window_chars: usize,
}

impl Default for StreamConfig {
    fn default() -> Self {
        StreamConfig {
            chunk_bytes: CHUNK_BYTES,
            window_chars: WINDOW_CHARS,
        }
    }
}

/// Why a text file was not (entirely) indexed.
#[derive(Debug)]
pub enum ReadError<E> {
    /// Binary or undecodable: found before any passage was emitted.
    Decode(DecodeError),
    /// The file could not be read; no passage was emitted.
    Io(io::Error),
    /// Reading or decoding failed after passages had been emitted (the file changed while it was read,
    /// or the disk failed): what was emitted is incomplete.
    Late(String),
    /// The consumer of the passages failed.
    Sink(E),
}

impl<E> From<DetectError> for ReadError<E> {
    fn from(e: DetectError) -> Self {
        match e {
            DetectError::Decode(d) => ReadError::Decode(d),
            DetectError::Io(e) => ReadError::Io(e),
        }
    }
}

/// Reads the text file `path` (whose corpus-relative path is `rel`) as a stream and hands its passages to
/// `emit`, a batch at a time, in order. Returns the name of the encoding it was decoded from. The encoding
/// is decided as [`decode`](super::decode) decides it on the whole file, and the whole file is checked to
/// decode cleanly before the first passage is emitted.
pub fn read_text_file<E>(
    path: &Path,
    rel: &str,
    split: &SplitConfig,
    stream: StreamConfig,
    mut emit: impl FnMut(&[Passage]) -> Result<(), E>,
) -> Result<&'static str, ReadError<E>> {
    let mut file = File::open(path).map_err(ReadError::Io)?;
    // Buffers no bigger than the file plus one byte (which shows its end in one read): a corpus of small
    // files would otherwise have megabyte buffers zeroed three times per file, about a tenth of the CPU
    // time of indexing a folder of 36,000 articles. A file that grows while it is read is still read whole,
    // in more chunks.
    let whole = file
        .metadata()
        .ok()
        .and_then(|m| usize::try_from(m.len()).ok())
        .map_or(usize::MAX, |len| len.saturating_add(1));
    let chunk = stream.chunk_bytes.max(1).min(whole);
    let head = stream.chunk_bytes.max(HEAD_BYTES).min(whole);
    let (encoding, skip) = detect(&mut file, chunk, head)?;
    let mut emitted = false;
    let late = |emitted: bool, what: String, io: Option<io::Error>| match (emitted, io) {
        (true, _) => ReadError::Late(what),
        (false, Some(e)) => ReadError::Io(e),
        (false, None) => ReadError::Decode(DecodeError::Undecodable(what)),
    };
    file.seek(SeekFrom::Start(skip))
        .map_err(|e| late(false, e.to_string(), Some(e)))?;
    let mut decoder = encoding.new_decoder_without_bom_handling();
    let mut splitter = StreamSplitter::new(rel, split, stream.window_chars);
    let mut bytes = vec![0u8; chunk];
    let mut text = String::new();
    loop {
        let n = read_full(&mut file, &mut bytes).map_err(|e| {
            let what = format!("read error: {e}");
            late(emitted, what, Some(e))
        })?;
        let last = n < bytes.len();
        text.clear();
        if !decode_into(&mut decoder, &bytes[..n], last, &mut text) {
            return Err(late(
                emitted,
                format!(
                    "the file changed while it was read: no longer valid {}",
                    encoding.name()
                ),
                None,
            ));
        }
        splitter.push_str(&text);
        let ready = if last {
            std::mem::take(&mut splitter).finish()
        } else {
            splitter.take()
        };
        if !ready.is_empty() {
            emitted = true;
            emit(&ready).map_err(ReadError::Sink)?;
        }
        if last {
            return Ok(encoding.name());
        }
    }
}

/// A paragraph longer than the window, partly emitted.
#[derive(Debug, Clone, Copy)]
struct LongParagraph {
    /// Where the sentence that the unemitted rest begins in ends, if that is known (global offset).
    first_end: Option<usize>,
}

/// Splits an article fed to it piece by piece ([`push_str`](Self::push_str)) into the passages that
/// [`split_article`](super::split_article) makes of the whole text; [`take`](Self::take) hands out those
/// that are final. See the module docs for the bounds and the one exception.
#[derive(Debug, Default)]
pub struct StreamSplitter {
    path: String,
    markdown: bool,
    max_chars: usize,
    window: usize,
    /// Text not yet turned into passages; `buf[0]` is character `base` of the article.
    buf: Vec<char>,
    base: usize,
    /// Start of the line being read (no `\n` after it yet).
    line_start: usize,
    /// That line continues a long paragraph from a point inside it: it belongs to the paragraph.
    line_cont: bool,
    /// Start of the paragraph being gathered, and the end of its last complete line.
    run: Option<usize>,
    run_end: usize,
    /// The paragraph being gathered is longer than the window and partly emitted.
    long: Option<LongParagraph>,
    /// The current title; `None` until the title of the first passages is known.
    title: Option<String>,
    /// Passages waiting for their title.
    held: Vec<Passage>,
    want_lead: bool,
    ordinal: u32,
    ready: Vec<Passage>,
    /// What the last lead's dateline said ([`super::ArticleInfo::read_dateline`]).
    about: super::ArticleInfo,
    /// The current title is a heading of the text, not the file's name.
    title_from_heading: bool,
}

impl StreamSplitter {
    /// A splitter for the article at `path` (corpus-relative). `window` is [`WINDOW_CHARS`] except in
    /// tests; it is raised to at least four passages.
    pub fn new(path: &str, cfg: &SplitConfig, window: usize) -> StreamSplitter {
        let max_chars = cfg.max_chars.max(1);
        StreamSplitter {
            path: path.to_owned(),
            markdown: is_markdown(path),
            max_chars,
            window: window.max(4 * max_chars + 4),
            want_lead: true,
            ..StreamSplitter::default()
        }
    }

    /// Adds the next piece of the text.
    pub fn push_str(&mut self, text: &str) {
        let scanned = self.buf.len();
        self.buf.extend(text.chars());
        let mut from = scanned;
        while let Some(i) = self.buf[from..].iter().position(|&c| c == '\n') {
            let end = from + i;
            self.line(self.line_start, end);
            self.line_start = end + 1;
            from = end + 1;
        }
        // Whitespace at the start of a line outside a paragraph: trimming would drop it anyway.
        if self.run.is_none() && !self.line_cont {
            while self.line_start < self.buf.len() && self.buf[self.line_start].is_whitespace() {
                self.line_start += 1;
            }
        }
        let begin = self.run.unwrap_or(self.line_start);
        let end = self.certain_end();
        let (s, e) = trim_range(&self.buf, begin, end);
        // A paragraph longer than the window is emitted as it comes; so is one followed by a run of
        // whitespace longer than the window on its line (then it is not a heading, as it would be whole).
        if e - s > self.window || self.buf.len() - begin > 3 * self.window {
            self.long_step(begin, end);
        }
        self.compact();
    }

    /// The passages that are final, in order.
    pub fn take(&mut self) -> Vec<Passage> {
        std::mem::take(&mut self.ready)
    }

    /// Ends the text; returns the remaining passages.
    pub fn finish(mut self) -> Vec<Passage> {
        self.line(self.line_start, self.buf.len());
        self.line_start = self.buf.len();
        self.end_run();
        if self.title.is_none() {
            self.resolve(file_stem(&self.path).to_owned(), false);
        }
        self.take()
    }

    /// A complete line `start..end` (as [`paragraphs`](super::paragraphs) classifies it).
    fn line(&mut self, start: usize, end: usize) {
        if std::mem::take(&mut self.line_cont) {
            self.run_end = end;
            return;
        }
        let line = &self.buf[start..end];
        if line.iter().all(|c| c.is_whitespace()) {
            self.end_run();
        } else if self.markdown && markdown_heading_line(line, self.window) {
            self.end_run();
            self.paragraph(start, end, None);
        } else {
            self.run.get_or_insert(start);
            self.run_end = end;
        }
    }

    fn end_run(&mut self) {
        if let Some(start) = self.run.take() {
            let long = self.long.take();
            self.paragraph(start, self.run_end, long);
        }
    }

    /// A complete paragraph (untrimmed `start..end`), or the rest of a long one.
    fn paragraph(&mut self, start: usize, end: usize, long: Option<LongParagraph>) {
        let (s, e) = trim_range(&self.buf, start, end);
        if s >= e {
            return;
        }
        if self.title.is_none() && self.base + s >= self.window {
            self.resolve(file_stem(&self.path).to_owned(), false);
        }
        if let Some(l) = long {
            // The rest of a long paragraph: not a heading, and its lead (if any) was emitted.
            let hint = l.first_end.map(|g| g - self.base);
            let (pieces, _) = pieces(&self.buf, s, e, self.max_chars, hint);
            for p in pack(&pieces, self.max_chars) {
                self.emit(p.start, p.end, false);
            }
            return;
        }
        let ranges = split_paragraph(&self.buf, s, e, self.max_chars);
        let heading = (e - s <= self.window)
            .then(|| heading_title(&self.buf[s..e], self.markdown))
            .flatten();
        let lead = if let Some(h) = heading {
            if self.title.is_none() {
                self.resolve(h, true);
            } else {
                self.title = Some(h);
                self.title_from_heading = true;
            }
            self.want_lead = true;
            // A new heading, a new article: what the last dateline said is not about it.
            self.about = super::ArticleInfo::default();
            false
        } else if self.want_lead && is_body(&self.buf[s..e], self.window) {
            self.want_lead = false;
            true
        } else {
            false
        };
        if lead {
            self.read_dateline(s, e);
        }
        for (k, (ps, pe)) in ranges.into_iter().enumerate() {
            self.emit(ps, pe, lead && k == 0);
        }
    }

    /// Where the text that surely belongs to the paragraph being gathered ends: the end of the buffer, or
    /// in Markdown the end of the last complete line if the line being read may turn out to be a heading
    /// (which would end the paragraph).
    fn certain_end(&self) -> usize {
        let len = self.buf.len();
        if !self.markdown || self.line_cont || self.run.is_none() {
            return len;
        }
        let (s, e) = trim_range(&self.buf, self.line_start, len);
        if s < e && self.buf[s] == '#' && e - s <= self.window {
            self.run_end
        } else {
            len
        }
    }

    /// The paragraph being gathered, from `begin` (its text known up to `end`), is longer than the window:
    /// emit the passages that are final and keep the rest.
    fn long_step(&mut self, begin: usize, end: usize) {
        let len = end;
        let (s, e) = trim_range(&self.buf, begin, len);
        if s >= e {
            // Only whitespace since the last passage: nothing to keep.
            self.resume_at(len, None);
            return;
        }
        let first = self.long.is_none();
        let hint = self.long.and_then(|l| l.first_end).map(|g| g - self.base);
        let (pieces, sentences) = pieces(&self.buf, s, e, self.max_chars, hint);
        let packed = pack(&pieces, self.max_chars);
        // Every piece but the last is final (the text after it is known); a passage is final if the piece
        // that closed it is.
        let last_piece = pieces.len() - 1;
        let n = packed.len();
        let keep = match packed.last() {
            Some(p) if p.first_piece == last_piece => n.saturating_sub(2),
            _ => n - 1,
        };
        // Only whitespace gaps longer than the window leave nothing final: then the paragraph-so-far is
        // emitted whole.
        let keep = if keep == 0 { n } else { keep };
        if first {
            // Later paragraphs begin past the window: none of them can title the passages before them.
            if self.title.is_none() {
                self.resolve(file_stem(&self.path).to_owned(), false);
            }
        }
        let lead = first && self.want_lead && is_body(&self.buf[s..e], self.window);
        if lead {
            self.want_lead = false;
            self.read_dateline(s, e);
        }
        for (k, p) in packed[..keep].iter().enumerate() {
            self.emit(p.start, p.end, lead && k == 0);
        }
        if keep == n {
            self.resume_at(len, None);
        } else {
            let q = packed[keep].start;
            let sentence = pieces[packed[keep].first_piece].sentence;
            let first_end =
                (sentence + 1 < sentences.len()).then(|| self.base + sentences[sentence].1);
            self.resume_at(q, first_end);
        }
    }

    /// The unemitted rest of a long paragraph begins at `q`.
    fn resume_at(&mut self, q: usize, first_end: Option<usize>) {
        self.long = Some(LongParagraph { first_end });
        self.run = Some(q);
        if q >= self.line_start {
            self.line_start = q;
            self.line_cont = true;
        }
    }

    /// Drops text that no passage can need any more.
    fn compact(&mut self) {
        let keep = self.run.unwrap_or(self.line_start);
        if keep == 0 {
            return;
        }
        self.buf.drain(..keep);
        self.base += keep;
        self.line_start -= keep;
        if let Some(r) = &mut self.run {
            *r -= keep;
            self.run_end = self.run_end.saturating_sub(keep);
        }
    }

    /// A lead paragraph begins at `s` (and its known text ends at `e`): what its dateline says is about it and
    /// the passages after it, until the next heading.
    fn read_dateline(&mut self, s: usize, e: usize) {
        let text: String = self.buf[s..e.min(s + super::dateline::WINDOW)]
            .iter()
            .collect();
        self.about = super::ArticleInfo::default();
        self.about.read_dateline(&text, None, None);
    }

    fn emit(&mut self, start: usize, end: usize, lead: bool) {
        let text: String = self.buf[start..end].iter().collect();
        let p = Passage {
            path: self.path.clone(),
            ordinal: self.ordinal,
            start: self.base + start,
            end: self.base + end,
            title: self.title.clone().unwrap_or_default(),
            title_is_id: false,
            text,
            id: self.path.clone(),
            date: None,
            line: None,
            lead,
            headline: lead && self.title.is_some() && !self.title_from_heading,
            pieces: Vec::new(),
            about: self.about.clone(),
        };
        self.ordinal = self.ordinal.saturating_add(1);
        if self.title.is_some() {
            self.ready.push(p);
        } else {
            self.held.push(p);
        }
    }

    /// The title of the first passages is known.
    /// `from_heading`: the title is a heading of the text (itself a passage), not the file's name.
    fn resolve(&mut self, title: String, from_heading: bool) {
        for mut p in self.held.drain(..) {
            p.title.clone_from(&title);
            p.headline = p.lead && !from_heading;
            self.ready.push(p);
        }
        self.title = Some(title);
        self.title_from_heading = from_heading;
    }
}

#[cfg(test)]
mod tests {
    use super::super::decode;
    use super::super::split::split_text;
    use super::*;

    /// The whole-text splitter (the reference), with the given window.
    fn whole(path: &str, text: &str, max_chars: usize, window: usize) -> Vec<Passage> {
        let cfg = SplitConfig { max_chars };
        let window = window.max(4 * max_chars + 4);
        split_text(
            path,
            path,
            None,
            text,
            &cfg,
            is_markdown(path),
            false,
            window,
        )
    }

    /// The streaming splitter, fed `piece` characters at a time.
    fn streamed(
        path: &str,
        text: &str,
        max_chars: usize,
        window: usize,
        piece: usize,
    ) -> Vec<Passage> {
        let mut splitter = StreamSplitter::new(path, &SplitConfig { max_chars }, window);
        let chars: Vec<char> = text.chars().collect();
        let mut out = Vec::new();
        for part in chars.chunks(piece.max(1)) {
            splitter.push_str(&part.iter().collect::<String>());
            out.extend(splitter.take());
        }
        out.extend(splitter.finish());
        out
    }

    /// Offsets and texts agree with the text, passages are trimmed, in order, short enough, and only
    /// whitespace is left out.
    fn check_invariants(text: &str, passages: &[Passage], max_chars: usize, ctx: &str) {
        let chars: Vec<char> = text.chars().collect();
        let mut covered = 0;
        for (i, p) in passages.iter().enumerate() {
            assert_eq!(p.ordinal as usize, i, "{ctx}");
            assert!(p.start < p.end && p.end <= chars.len(), "{ctx}: {p:?}");
            assert_eq!(
                p.text,
                chars[p.start..p.end].iter().collect::<String>(),
                "{ctx}"
            );
            assert!(p.end - p.start <= max_chars.max(1), "{ctx}: {p:?}");
            assert_eq!(p.text.trim(), p.text, "{ctx}");
            assert!(p.start >= covered, "{ctx}: overlap at {p:?}");
            assert!(
                chars[covered..p.start].iter().all(|c| c.is_whitespace()),
                "{ctx}: text dropped before {p:?}"
            );
            covered = p.end;
        }
        assert!(chars[covered..].iter().all(|c| c.is_whitespace()), "{ctx}");
    }

    /// Asserts that streaming gives exactly the whole-text passages, for many piece sizes.
    fn assert_same(path: &str, text: &str, max_chars: usize, window: usize) {
        let expected = whole(path, text, max_chars, window);
        check_invariants(text, &expected, max_chars, path);
        for piece in [1, 2, 3, 7, 64, 1000, usize::MAX] {
            let got = streamed(path, text, max_chars, window, piece);
            if got != expected {
                let at = got
                    .iter()
                    .zip(&expected)
                    .position(|(g, e)| g != e)
                    .unwrap_or(got.len().min(expected.len()));
                panic!(
                    "{path} (max {max_chars}, window {window}, pieces of {piece} chars): passage {at} differs:\n\
                     streamed {:?}\nwhole    {:?}\n({} vs {} passages)",
                    got.get(at),
                    expected.get(at),
                    got.len(),
                    expected.len()
                );
            }
        }
    }

    /// The texts of the other tests, plus the bundled corpus.
    fn samples() -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = Vec::new();
        let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
        let mut files: Vec<_> = std::fs::read_dir(&corpus)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "txt" || x == "md"))
            .collect();
        files.sort();
        assert!(!files.is_empty());
        for f in files {
            let name = f.file_name().unwrap().to_string_lossy().into_owned();
            out.push((name, decode(&std::fs::read(&f).unwrap()).unwrap().text));
        }
        let crlf = "\r\n标题行\r\n\r\n正文第一句。\r\n正文第二句。\r\n\r\n\r\n尾段。\r\n";
        let markdown = "导言，没有标题。\n# 第一章 ##\n第一章正文。\n\n## Section *two*\n正文二。\n\
                        #not a heading，\n####### seven hashes，\n   # 缩进的标题\n正文三。";
        let page = "视觉中国供图\n\n第一篇的导语。\n\n第一篇的正文。\n\n第二篇标题\n\n◎本报记者 张三\n\n\
                    第二篇的导语。\n\n正文。\n\n张海韵摄\n\n\u{3000}\u{3000}全角空格开头的段落。\u{3000}\n";
        let units = ['𨨏', '𠮷', '中', 'a', 'é'];
        let unpunctuated: String = (0..1000).map(|i| units[i % units.len()]).collect();
        let sentences = "他说：“好。”然后他走了出去，没有回头。真的吗？！当然……我们走吧。\
                         全年实现地区生产总值1900.6亿元，同比增长4%. Next sentence here. ";
        for (name, text) in [
            ("crlf.txt", crlf.to_string()),
            ("doc.md", markdown.to_string()),
            ("doc.txt", markdown.to_string()),
            ("page.txt", page.to_string()),
            ("bom.txt", "\u{feff}标题\r\n\r\n正文。".to_string()),
            ("empty.txt", String::new()),
            ("blank.txt", " \r\n\t\n\u{3000}\u{3000}\n\n".to_string()),
            ("unpunctuated.txt", unpunctuated.clone()),
            (
                "long-lines.txt",
                format!("标题\n\n{unpunctuated}\n{unpunctuated}\n\n尾。"),
            ),
            ("sentences.txt", sentences.repeat(12)),
            (
                "no-heading.txt",
                "这是一句话。\n\n又一句话。\n\n".repeat(40),
            ),
            (
                "late-heading.txt",
                format!("{}晚到的标题\n\n正文。", "这是一句话。\n\n".repeat(60)),
            ),
        ] {
            out.push((name.to_string(), text));
        }
        out
    }

    #[test]
    fn streaming_gives_the_whole_text_passages() {
        for (name, text) in samples() {
            for max in [5, 13, 50, 300] {
                // A window larger than any paragraph: the promise is exact equality.
                assert_same(&name, &text, max, WINDOW_CHARS);
            }
            // Small windows: the first heading must begin within them to title what comes before.
            for window in [0, 100, 400] {
                let paragraph_fits = text
                    .split("\n\n")
                    .all(|p| p.chars().count() < window.max(4 * 300 + 4));
                if paragraph_fits {
                    assert_same(&name, &text, 300, window);
                }
            }
        }
    }

    #[test]
    fn a_heading_beyond_the_window_does_not_title_what_comes_before() {
        let text = format!("{}晚到的标题\n\n正文。", "这是一句话。\n\n".repeat(60));
        let early = whole("late.txt", &text, 20, WINDOW_CHARS);
        assert_eq!(early[0].title, "晚到的标题");
        let late = whole("late.txt", &text, 20, 100);
        assert_eq!(late[0].title, "late");
        assert_eq!(late.last().unwrap().title, "晚到的标题");
        assert_eq!(streamed("late.txt", &text, 20, 100, 3), late);
    }

    /// Random text of `n` characters: words and digits, and one character in `rare_one_in` a sentence or
    /// clause mark, closer, dot, space, line break, `#`, `◎` or `摄`.
    fn random_text(rng: &mut fastrand::Rng, n: usize, rare_one_in: u64) -> String {
        const COMMON: &[char] = &['中', '国', 'a', 'b', '6', '𨨏'];
        const RARE: &[char] = &[
            '。', '！', '？', '…', '”', '）', '.', '，', '、', ' ', '\u{3000}', '\r', '\n', '\n',
            '#', '◎', '摄',
        ];
        (0..n)
            .map(|_| {
                if rng.u64(..rare_one_in) != 0 {
                    COMMON[rng.usize(..COMMON.len())]
                } else {
                    RARE[rng.usize(..RARE.len())]
                }
            })
            .collect()
    }

    #[test]
    fn random_texts_stream_like_the_whole_text() {
        let cases: usize = std::env::var("SOU_STREAM_CASES")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(600);
        let seed = std::env::var("SOU_STREAM_SEED")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(5);
        // Seeded: the same cases on every run.
        let mut rng = fastrand::Rng::with_seed(seed);
        let mut long_paragraphs = 0;
        for case in 0..cases {
            let n = rng.usize(..3000);
            // Punctuation and line breaks one character in 3, 8 or 20.
            let text = random_text(&mut rng, n, [3, 8, 20][case % 3]);
            let max = [5, 8, 20, 60][case % 4];
            let window = [0, 50, 200, 10_000][(case / 4) % 4];
            let piece = 1 + rng.usize(..97);
            let ctx = format!("case {case} (max {max}, window {window}, piece {piece})");
            let path = if case.is_multiple_of(3) {
                "r.md"
            } else {
                "r.txt"
            };
            let got = streamed(path, &text, max, window, piece);
            check_invariants(&text, &got, max, &ctx);
            let expected = whole(path, &text, max, window);
            assert_eq!(got, expected, "{ctx}: {text:?}");
            let chars: Vec<char> = text.chars().collect();
            if super::super::split::paragraphs(&chars, false, usize::MAX)
                .iter()
                .any(|p| p.end - p.start > window.max(4 * max + 4))
            {
                long_paragraphs += 1;
            }
        }
        // Most cases have paragraphs longer than the window: the streaming path is tested, not bypassed.
        assert!(long_paragraphs > cases / 2, "{long_paragraphs} of {cases}");
    }

    /// Reads `bytes` as a file with [`read_text_file`], `chunk` bytes at a time.
    fn read_file(
        dir: &Path,
        name: &str,
        bytes: &[u8],
        chunk: usize,
    ) -> Result<(&'static str, Vec<Passage>), String> {
        let path = dir.join(name);
        std::fs::write(&path, bytes).unwrap();
        let stream = StreamConfig {
            chunk_bytes: chunk,
            window_chars: WINDOW_CHARS,
        };
        let mut out = Vec::new();
        let mut batches = 0;
        let encoding = read_text_file(&path, name, &SplitConfig::default(), stream, |b| {
            assert!(!b.is_empty());
            batches += 1;
            out.extend_from_slice(b);
            Ok::<(), ()>(())
        })
        .map_err(|e| match e {
            ReadError::Decode(d) => format!("{d:?}"),
            other => panic!("{name}: {other:?}"),
        })?;
        // Small chunks hand passages out batch by batch, not all at the end.
        if chunk < 64 && name.starts_with("keji-ribao") {
            assert!(
                batches > 1,
                "{name}: one batch with chunks of {chunk} bytes"
            );
        }
        Ok((encoding, out))
    }

    #[test]
    fn files_read_in_chunks_decode_and_split_like_whole_files() {
        let dir = tempfile::tempdir().unwrap();
        let article = samples()[0].1.clone();
        let utf16 = |text: &str, le: bool| -> Vec<u8> {
            let mut b = if le {
                vec![0xFF, 0xFE]
            } else {
                vec![0xFE, 0xFF]
            };
            for u in text.encode_utf16() {
                b.extend(if le { u.to_le_bytes() } else { u.to_be_bytes() });
            }
            b
        };
        let mut files: Vec<(String, Vec<u8>)> = samples()
            .into_iter()
            .map(|(name, text)| (name, text.into_bytes()))
            .collect();
        files.extend([
            (
                "gbk.txt".to_string(),
                encoding_rs::GBK.encode(&article).0.into_owned(),
            ),
            (
                "big5.txt".to_string(),
                encoding_rs::BIG5
                    .encode("記者從銀行獲悉，中央銀行宣布降息，市場反應熱烈。\n\n第二段。")
                    .0
                    .into_owned(),
            ),
            ("utf16le.txt".to_string(), utf16(&article, true)),
            ("utf16be.md".to_string(), utf16("# 标题\n正文。\r\n", false)),
            (
                "bom.txt".to_string(),
                format!("\u{feff}{article}").into_bytes(),
            ),
            // Errors are those of the whole-file decoder.
            (
                "broken-bom.txt".to_string(),
                b"\xEF\xBB\xBFab\xffcd".to_vec(),
            ),
            (
                "late-bad-byte.txt".to_string(),
                [article.as_bytes(), b"\xff"].concat(),
            ),
            (
                "cut-char.txt".to_string(),
                article.as_bytes()[..article.len() - 1].to_vec(),
            ),
            (
                "odd-utf16.txt".to_string(),
                [utf16("你好", true), vec![0x41]].concat(),
            ),
            ("pdf.txt".to_string(), b"%PDF-1.7\n...".to_vec()),
            ("nul.txt".to_string(), b"abc\x00def".to_vec()),
        ]);
        for (name, bytes) in &files {
            let expected = decode(bytes)
                .map(|d| {
                    (
                        d.encoding,
                        super::super::split_article(name, &d.text, &SplitConfig::default()),
                    )
                })
                .map_err(|e| format!("{e:?}"));
            for chunk in [1, 2, 3, 5, 64, 4096, 1 << 20] {
                let got = read_file(dir.path(), name, bytes, chunk);
                assert_eq!(got, expected, "{name}, chunks of {chunk} bytes");
            }
        }
    }
}
