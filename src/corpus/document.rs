//! The articles an extractor rebuilds from a file that is not plain text: a saved web page, a Word document,
//! an EPUB book. Each extractor ([`super::html`], [`super::office`]) turns the file's bytes into a
//! [`Document`]; [`split_document`] turns that into passages as for any other article, so ranking, snippets
//! and filters treat these files like the rest.
//!
//! A PDF page has its own model ([`super::pdf::PdfPage`]), with the page number in its hits' ids.

use super::split::{ArticleInfo, Passage, SplitConfig, split_text};
use super::stream::WINDOW_CHARS;

/// The formats sou reads, as a file's bytes show them ([`Format::sniff`]), whatever its extension says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Format {
    /// Plain text or Markdown, in any encoding sou detects.
    Text,
    /// JSON Lines records.
    Jsonl,
    /// A PDF file.
    Pdf,
    /// An HTML page.
    Html,
    /// A web page saved as MHTML (a MIME message, RFC 2557).
    Mhtml,
    /// A Word document (Office Open XML, ECMA-376).
    Docx,
    /// An EPUB book (EPUB 2 or 3).
    Epub,
    /// A legacy Word 97–2003 document (an OLE2 compound file): recognised and reported, not read.
    Doc,
}

impl Format {
    /// The name in the summary's count per format and in `--json` (`formats`).
    pub fn name(self) -> &'static str {
        match self {
            Format::Text => "text",
            Format::Jsonl => "jsonl",
            Format::Pdf => "pdf",
            Format::Html => "html",
            Format::Mhtml => "mhtml",
            Format::Docx => "docx",
            Format::Epub => "epub",
            Format::Doc => "doc",
        }
    }

    /// The format of a file by its first bytes (`head`, at least 4 KiB where the file has them) and, where
    /// bytes alone cannot tell, its extension (`ext`, any case):
    /// - an empty file (`head` empty): text (JSON Lines by extension), whatever the extension;
    /// - `%PDF-` within the first KiB: PDF (ISO 32000-1, 7.5.2);
    /// - a zip (`PK\x03\x04`): EPUB when its first entry is `mimetype` holding `application/epub+zip` (the
    ///   EPUB Open Container Format requires it), DOCX when it names `word/` parts or `[Content_Types].xml`
    ///   and the extension is `docx` (a zip sou cannot read otherwise is left to the text reader, which
    ///   skips it as binary);
    /// - the OLE2 signature `D0 CF 11 E0 A1 B1 1A E1`: a legacy `.doc` (reported as unsupported);
    /// - MIME headers with `multipart/related` (or a `.mht`/`.mhtml` extension and MIME headers): MHTML;
    /// - after an optional BOM (UTF-8, or UTF-16 read by its ASCII code units), whitespace, XML
    ///   declarations and comments,
    ///   `<!doctype html`, `<html`, `<head`, `<meta` or `<body`, or an
    ///   `.html`/`.htm`/`.shtml`/`.xhtml` extension with a `<` among the first non-blank bytes: HTML;
    /// - anything else: text (JSON Lines by extension, `.jsonl`).
    pub fn sniff(head: &[u8], ext: &str) -> Format {
        let ext = ext.to_ascii_lowercase();
        if head.is_empty() {
            // An empty file (Windows' "New > Microsoft Word Document" is a .docx of 0 bytes): an empty
            // text, indexed as nothing and reported as such, not a document that fails to open.
            return if ext == "jsonl" {
                Format::Jsonl
            } else {
                Format::Text
            };
        }
        if super::pdf::is_pdf(head) {
            return Format::Pdf;
        }
        if head.starts_with(b"PK\x03\x04") {
            // Local file header: name length at 26, extra length at 28, name at 30.
            if head.len() >= 30 {
                let n = u16::from_le_bytes([head[26], head[27]]) as usize;
                let x = u16::from_le_bytes([head[28], head[29]]) as usize;
                if head.get(30..30 + n) == Some(b"mimetype")
                    && head
                        .get(30 + n + x..)
                        .is_some_and(|r| r.starts_with(b"application/epub+zip"))
                {
                    return Format::Epub;
                }
            }
            let has = |s: &[u8]| head.windows(s.len()).any(|w| w == s);
            if has(b"word/") || (ext == "docx" && has(b"[Content_Types].xml")) {
                return Format::Docx;
            }
            return match ext.as_str() {
                "docx" => Format::Docx,
                "epub" => Format::Epub,
                _ => Format::Text,
            };
        }
        if head.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
            // Office stores an encrypted .docx in an OLE2 file too: its reader reports it as encrypted.
            return if ext == "docx" {
                Format::Docx
            } else {
                Format::Doc
            };
        }
        // A book or a Word document that is not a zip: its reader reports it as corrupt.
        match ext.as_str() {
            "docx" => return Format::Docx,
            "epub" => return Format::Epub,
            _ => {}
        }
        if ext == "jsonl" {
            return Format::Jsonl;
        }
        // A UTF-16 file with a BOM (Notepad's "Unicode"): its ASCII code units, read as bytes, show the
        // markup (a code unit that is not ASCII as 0x80, which no test below matches).
        let narrowed: Vec<u8>;
        let head = match head {
            [0xFF, 0xFE, rest @ ..] | [0xFE, 0xFF, rest @ ..] => {
                let le = head[0] == 0xFF;
                narrowed = rest
                    .chunks_exact(2)
                    .map(|u| {
                        let (lo, hi) = if le { (u[0], u[1]) } else { (u[1], u[0]) };
                        if hi == 0 && lo.is_ascii() { lo } else { 0x80 }
                    })
                    .collect();
                &narrowed[..]
            }
            _ => head,
        };
        let lower: Vec<u8> = head.iter().take(4096).map(u8::to_ascii_lowercase).collect();
        let has = |s: &[u8]| lower.windows(s.len()).any(|w| w == s);
        let mime_headers = has(b"mime-version:") || has(b"content-type: multipart/related");
        if mime_headers && (has(b"multipart/related") || matches!(ext.as_str(), "mht" | "mhtml")) {
            return Format::Mhtml;
        }
        let body = lower
            .strip_prefix(b"\xef\xbb\xbf".as_slice())
            .unwrap_or(&lower);
        let trim = |b: &'_ [u8]| -> usize {
            b.iter()
                .position(|c| !c.is_ascii_whitespace())
                .unwrap_or(b.len())
        };
        // Past blanks, XML declarations (`<?xml …?>`, XHTML) and comments (`<!-- saved from url=… -->`,
        // Internet Explorer's).
        let first = &body[trim(body)..];
        let mut start = first;
        loop {
            let close: &[u8] = if start.starts_with(b"<?") {
                b"?>"
            } else if start.starts_with(b"<!--") {
                b"-->"
            } else {
                break;
            };
            match start.windows(close.len()).position(|w| w == close) {
                Some(i) => {
                    let rest = &start[i + close.len()..];
                    start = &rest[trim(rest)..];
                }
                None => break,
            }
        }
        let html_start = [
            b"<!doctype html".as_slice(),
            b"<html",
            b"<head",
            b"<meta",
            b"<body",
        ]
        .iter()
        .any(|t| start.starts_with(t));
        let html_ext = matches!(ext.as_str(), "html" | "htm" | "shtml" | "xhtml");
        if html_start || (html_ext && first.starts_with(b"<")) {
            return Format::Html;
        }
        Format::Text
    }
}

/// Why an extractor could not read a file. Each is reported once for the file, with this text, and the
/// file is counted as failed (or skipped, for [`ExtractError::Unsupported`] and [`ExtractError::NoText`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExtractError {
    /// A format sou recognises and does not read (a legacy `.doc`): what to do instead.
    Unsupported(String),
    /// Encrypted (a password is needed).
    Encrypted,
    /// Corrupt or truncated: the parser's reason.
    Corrupt(String),
    /// Refused as too large once unpacked (a zip bomb): what and how large.
    TooLarge(String),
    /// No text to index (a page of images, an empty book).
    NoText,
    /// Text that would be indexed as garbage (undecodable bytes): the reason.
    Undecodable(String),
    /// Reading took longer than the time limit.
    TimedOut(std::time::Duration),
}

impl std::fmt::Display for ExtractError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ExtractError::Unsupported(what) => write!(f, "unsupported format: {what}"),
            ExtractError::Encrypted => write!(f, "encrypted (needs a password)"),
            ExtractError::Corrupt(why) => write!(f, "cannot be read: {why}"),
            ExtractError::TooLarge(why) => write!(f, "refused: {why}"),
            ExtractError::NoText => write!(f, "no text to index"),
            ExtractError::Undecodable(why) => write!(f, "text cannot be decoded: {why}"),
            ExtractError::TimedOut(limit) => write!(
                f,
                "reading took longer than the limit of {} s",
                limit.as_secs()
            ),
        }
    }
}

impl std::error::Error for ExtractError {}

/// A file's articles, as an extractor rebuilt them, in document order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Document {
    /// The file's own title: a book's `dc:title`, a Word document's Title or `dc:title` property, a web
    /// page's headline. An article without a title of its own takes it.
    pub title: Option<String>,
    /// The file's date, `YYYY-MM-DD` (a book's `dc:date`, a page's publication date). An article without a
    /// date of its own takes it.
    pub date: Option<String>,
    /// The file's source: a web page's site (`og:site_name`, a `来源：` line), a book's publisher.
    pub source: Option<String>,
    /// Its articles in reading order: one for a web page or a Word document, one per chapter of a book.
    pub articles: Vec<DocArticle>,
}

/// One article of a [`Document`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DocArticle {
    /// What a hit's id adds to the file's path: empty for the only article of a file, `#c3` for the third
    /// chapter of a book (1-based, in spine order).
    pub anchor: String,
    /// Its headline (a chapter's heading); `None` takes the document's title.
    pub title: Option<String>,
    /// The kicker (引题) above the headline, where the file marks one.
    pub kicker: Option<String>,
    /// The byline, where the file marks one.
    pub byline: Option<String>,
    /// Its date, `YYYY-MM-DD`; `None` takes the document's.
    pub date: Option<String>,
    /// Its source; `None` takes the document's.
    pub source: Option<String>,
    /// Its body paragraphs in reading order, each on one line (no `\n` inside), trimmed, none empty.
    /// A table's row is one paragraph, cells separated by a tab; footnotes come last.
    pub paragraphs: Vec<String>,
}

impl DocArticle {
    /// The text sou indexes for it: its paragraphs separated by a blank line (`\n\n`).
    pub fn text(&self) -> String {
        self.paragraphs.join("\n\n")
    }
}

/// The text extracted from a document, which its passages' `start..end` count into ([`split_document`]):
/// its articles' texts ([`DocArticle::text`]) in order, separated by a blank line.
pub fn document_text(doc: &Document) -> String {
    let texts: Vec<String> = doc.articles.iter().map(DocArticle::text).collect();
    texts.join("\n\n")
}

/// Splits an extracted document into passages. Each article's id is `path` followed by its anchor
/// (`book.epub#c3`); its title is its own, else the document's, else the file's name; its date is its
/// own, else the document's, else `settings.date` (the date the settings or the path give); its source is
/// its own, else the document's, else `settings.source`, else `settings.paper`. A passage's `start..end` are
/// character offsets into [`document_text`].
pub fn split_document(
    path: &str,
    doc: &Document,
    settings: &super::FileSettings,
    cfg: &SplitConfig,
) -> Vec<Passage> {
    let mut out = Vec::new();
    let mut base = 0usize;
    for article in &doc.articles {
        let id = format!("{path}{}", article.anchor);
        let title = article
            .title
            .clone()
            .or_else(|| doc.title.clone())
            .unwrap_or_else(|| super::split::file_stem(path).to_string());
        let text = article.text();
        let about = ArticleInfo {
            kicker: article.kicker.clone(),
            byline: article.byline.clone(),
            source: article
                .source
                .clone()
                .or_else(|| doc.source.clone())
                .or_else(|| settings.source.clone())
                .or_else(|| settings.paper.clone()),
            place: None,
        };
        let date = article
            .date
            .clone()
            .or_else(|| doc.date.clone())
            .or_else(|| settings.date.clone());
        for mut p in split_text(
            path,
            &id,
            Some(&title),
            &text,
            cfg,
            false,
            true,
            WINDOW_CHARS,
        ) {
            p.start += base;
            p.end += base;
            p.date.clone_from(&date);
            p.about = about.clone();
            out.push(p);
        }
        base += text.chars().count() + 2;
    }
    out
}

/// How long one file's extraction may take ([`extract`]) before it is reported as timed out.
pub const TIME_LIMIT_SECS: u64 = 60;

/// The version of the extractor of `format`, recorded in the manifest (`html-1`): a sou whose extraction
/// changed reads again the files of that format, and only them. `None` for text and JSON Lines.
pub fn extractor_version(format: Format) -> Option<String> {
    let v = match format {
        Format::Text | Format::Jsonl => return None,
        Format::Pdf => super::pdf::EXTRACTOR_VERSION,
        Format::Html | Format::Mhtml => super::html::EXTRACTOR_VERSION,
        Format::Docx | Format::Epub | Format::Doc => super::office::EXTRACTOR_VERSION,
    };
    Some(format!("{}-{v}", format.name()))
}

/// Is `recorded` (an extractor and its version as the manifest holds it, `pdf-1`) the extractor this sou
/// has for that format ([`extractor_version`])? An unknown name is not.
pub fn extractor_is_current(recorded: &str) -> bool {
    let Some((name, _)) = recorded.rsplit_once('-') else {
        return false;
    };
    [
        Format::Pdf,
        Format::Html,
        Format::Mhtml,
        Format::Docx,
        Format::Epub,
        Format::Doc,
    ]
    .into_iter()
    .find(|f| f.name() == name)
    .and_then(extractor_version)
    .is_some_and(|current| current == recorded)
}

/// Extracts the articles of a web page, a Word document or a book from the file's bytes, within `limit`
/// (else [`ExtractError::TimedOut`]; the extraction goes on in the background and its result is dropped).
/// A panic in a parser is caught and reported as [`ExtractError::Corrupt`]. A legacy `.doc` is
/// [`ExtractError::Unsupported`], unless it is a password-protected Office Open XML file
/// ([`super::office::is_encrypted_ooxml`]): [`ExtractError::Encrypted`]. `format` must be one of `Html`, `Mhtml`, `Docx`, `Epub` or `Doc`.
pub fn extract(
    format: Format,
    bytes: Vec<u8>,
    limit: std::time::Duration,
) -> Result<Document, ExtractError> {
    if format == Format::Doc {
        // Office saves a password-protected .docx as an OLE2 file too, which sniffs as a .doc.
        if super::office::is_encrypted_ooxml(&bytes) {
            return Err(ExtractError::Encrypted);
        }
        return Err(ExtractError::Unsupported(
            "a legacy Word 97-2003 .doc; save it as .docx (Word, LibreOffice: `soffice --convert-to docx`)"
                .into(),
        ));
    }
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .name(format!("extract-{}", format.name()))
        .spawn(move || {
            let result = std::panic::catch_unwind(|| match format {
                Format::Html => super::html::extract_html(&bytes),
                Format::Mhtml => super::html::extract_mhtml(&bytes),
                Format::Docx => super::office::extract_docx(&bytes),
                Format::Epub => super::office::extract_epub(&bytes),
                other => Err(ExtractError::Unsupported(format!(
                    "{} is not read by an extractor",
                    other.name()
                ))),
            });
            let _ = tx.send(result);
        })
        .map_err(|e| ExtractError::Corrupt(format!("cannot start the extractor: {e}")))?;
    match rx.recv_timeout(limit) {
        Ok(Ok(result)) => result,
        Ok(Err(panic)) => {
            let why = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown".into());
            Err(ExtractError::Corrupt(format!("the parser failed: {why}")))
        }
        Err(_) => Err(ExtractError::TimedOut(limit)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniff_by_bytes_not_name() {
        assert_eq!(Format::sniff(b"%PDF-1.7\n", "txt"), Format::Pdf);
        assert_eq!(
            Format::sniff(b"\xef\xbb\xbf<!DOCTYPE html><html>", "txt"),
            Format::Html
        );
        assert_eq!(Format::sniff(b"  <HTML><body>", "dat"), Format::Html);
        assert_eq!(Format::sniff("<p>一段</p>".as_bytes(), "htm"), Format::Html);
        assert_eq!(Format::sniff("<p>一段</p>".as_bytes(), "txt"), Format::Text);
        assert_eq!(Format::sniff("新闻正文".as_bytes(), "html"), Format::Text);
        assert_eq!(
            Format::sniff(
                b"From: <Saved by Blink>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/related;",
                "mht"
            ),
            Format::Mhtml
        );
        let mut ole = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
        ole.extend([0u8; 100]);
        assert_eq!(Format::sniff(&ole, "doc"), Format::Doc);
        assert_eq!(Format::sniff(b"{\"id\":1}\n", "jsonl"), Format::Jsonl);
        // An EPUB's first entry: `mimetype`, stored, holding application/epub+zip.
        let mut epub = b"PK\x03\x04".to_vec();
        epub.extend([0u8; 22]);
        epub.extend(8u16.to_le_bytes());
        epub.extend(0u16.to_le_bytes());
        epub.extend(b"mimetypeapplication/epub+zip");
        assert_eq!(Format::sniff(&epub, "zip"), Format::Epub);
        let mut docx = b"PK\x03\x04".to_vec();
        docx.extend([0u8; 22]);
        docx.extend(19u16.to_le_bytes());
        docx.extend(0u16.to_le_bytes());
        docx.extend(b"[Content_Types].xml....word/document.xml");
        assert_eq!(Format::sniff(&docx, "bin"), Format::Docx);
        // An empty file is an empty text, whatever its name.
        for ext in ["docx", "epub", "doc", "html", "pdf", "mhtml"] {
            assert_eq!(Format::sniff(b"", ext), Format::Text, "{ext}");
        }
        assert_eq!(Format::sniff(b"", "jsonl"), Format::Jsonl);
    }

    #[test]
    fn a_utf16_page_with_a_bom_is_html() {
        let utf16 = |s: &str, le: bool| -> Vec<u8> {
            let mut out = if le {
                vec![0xFF, 0xFE]
            } else {
                vec![0xFE, 0xFF]
            };
            for u in s.encode_utf16() {
                out.extend(if le { u.to_le_bytes() } else { u.to_be_bytes() });
            }
            out
        };
        let page = "<html><head><title>抗旱</title></head><body><p>正文</p></body></html>";
        assert_eq!(Format::sniff(&utf16(page, true), "html"), Format::Html);
        assert_eq!(Format::sniff(&utf16(page, false), "txt"), Format::Html);
        assert_eq!(
            Format::sniff(&utf16("<p>一段</p>", true), "htm"),
            Format::Html
        );
        assert_eq!(
            Format::sniff(&utf16("<p>一段</p>", true), "txt"),
            Format::Text
        );
        assert_eq!(
            Format::sniff(&utf16("新闻正文", true), "html"),
            Format::Text
        );
    }

    #[test]
    fn a_page_opening_with_an_xml_declaration_or_a_comment_is_html() {
        // XHTML pages open with an XML declaration; Internet Explorer's "save as" adds a comment.
        for head in [
            "<?xml version=\"1.0\" encoding=\"gb2312\"?>\n<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 Transitional//EN\">",
            "<!-- saved from url=(0041)http://www.people.com.cn/n1/2023/a.html -->\r\n<html><head>",
            "<?xml version=\"1.0\"?><!-- 模板 --> <html xmlns=\"http://www.w3.org/1999/xhtml\">",
        ] {
            assert_eq!(
                Format::sniff(head.as_bytes(), "php"),
                Format::Html,
                "{head}"
            );
        }
        // Markup that is not a page stays text.
        assert_eq!(
            Format::sniff(b"<?xml version=\"1.0\"?><rss>", "txt"),
            Format::Text
        );
        assert_eq!(
            Format::sniff("<!-- 注释 -->正文".as_bytes(), "txt"),
            Format::Text
        );
        assert_eq!(
            Format::sniff(
                "<!--#include virtual=\"/head.html\"-->正文".as_bytes(),
                "shtml"
            ),
            Format::Html
        );
    }

    #[test]
    fn chapters_take_the_book_title_date_and_offsets_count_across_them() {
        let doc = Document {
            title: Some("书名".into()),
            date: Some("2020-01-02".into()),
            source: None,
            articles: vec![
                DocArticle {
                    anchor: "#c1".into(),
                    title: Some("第一章".into()),
                    paragraphs: vec!["第一段。".into(), "第二段。".into()],
                    ..Default::default()
                },
                DocArticle {
                    anchor: "#c2".into(),
                    paragraphs: vec!["第三段。".into()],
                    ..Default::default()
                },
            ],
        };
        let settings = super::super::FileSettings::default();
        let ps = split_document("b.epub", &doc, &settings, &SplitConfig::default());
        let text: Vec<char> = document_text(&doc).chars().collect();
        assert!(
            ps.iter()
                .any(|p| p.id == "b.epub#c1" && p.title == "第一章")
        );
        assert!(ps.iter().any(|p| p.id == "b.epub#c2" && p.title == "书名"));
        for p in &ps {
            let got: String = text[p.start..p.end].iter().collect();
            assert_eq!(got, p.text, "{p:?}");
            assert_eq!(p.date.as_deref(), Some("2020-01-02"));
        }
    }
}
