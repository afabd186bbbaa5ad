//! Word documents (`.docx`, Office Open XML) and EPUB books (EPUB 2 and 3): both are zip packages of XML
//! parts, read into a [`Document`] of articles.
//!
//! - [`extract_docx`]: one article, the body's paragraphs and tables in document order, then the footnotes
//!   and endnotes; headers and footers are left out. The title is the first paragraph in the Title style
//!   (by style id or by its name in `word/styles.xml`, `Title` or `标题`), else the `dc:title` property.
//! - [`extract_epub`]: one article per content document of the spine (anchors `#c1`, `#c2`, … by its place in
//!   the spine), each titled by its first `<h1>`/`<h2>`; the book's `dc:title`, `dc:date` and `dc:publisher`.
//!
//! Every part is read through [`zip_limits`], which refuses a zip bomb before it is unpacked in full.
//! A file that is not a zip, a truncated or corrupt one, one whose parts are missing, or an encrypted one is
//! an [`ExtractError`], never a panic.

mod docx;
mod epub;
mod xml;
pub mod zip_limits;

use std::sync::LazyLock;

use regex::Regex;

use super::document::{DocArticle, Document, ExtractError};

/// The version of the Word and EPUB extractor ([`super::document::extractor_version`]).
pub const EXTRACTOR_VERSION: u32 = 1;

/// Reads a Word document (`.docx`) into a [`Document`] with one article (empty anchor).
///
/// The article's paragraphs: each body paragraph in order, each table row as one paragraph (its cells joined
/// by a tab), then the footnotes and endnotes, one paragraph each; headers, footers, deleted text (tracked
/// changes) and field codes are left out. The Title-style paragraph becomes [`Document::title`] and is not
/// repeated in the body; without one, the `dc:title` of `docProps/core.xml` is the title.
/// [`Document::date`] is left `None`: the package's `dcterms:created`/`modified` tell when the file was
/// saved (or converted, or copied from a template), not when the article was published. The article's own
/// byline and date are read from its head where it has them (a line `◎本报记者 张三　2023年3月4日` before the
/// body, see `read_head`); else the path or the settings give the date.
///
/// # Errors
/// - [`ExtractError::Encrypted`]: a password-protected document (an OLE2 file with an `EncryptedPackage`
///   stream, which is what Word writes), or encrypted zip entries;
/// - [`ExtractError::Corrupt`]: not a zip, a truncated or corrupt zip, no `word/document.xml`, XML that
///   cannot be parsed;
/// - [`ExtractError::TooLarge`]: parts that unpack to more than [`zip_limits`] allows;
/// - [`ExtractError::NoText`]: no text in the body nor the notes.
pub fn extract_docx(bytes: &[u8]) -> Result<Document, ExtractError> {
    docx::extract(bytes)
}

/// Reads an EPUB book (EPUB 2 or 3) into a [`Document`] with one article per chapter.
///
/// `META-INF/container.xml` names the package document (OPF); its spine orders the chapters. Each XHTML
/// content document of the spine, other than the navigation document (`properties="nav"`) and the NCX, is a
/// chapter: its anchor is `#c` and its 1-based place among those documents (a chapter with no text keeps its
/// number and is left out), its title the text of its first `<h1>` or `<h2>` (not repeated in the body;
/// without one, a first paragraph equal to the book's title is dropped and the chapter takes the book's
/// title). Paragraphs are block elements (`<p>`, `<div>`, `<li>`, other headings, …, or text between
/// `<br>`s); a table row is one paragraph, cells joined by a tab; footnotes (`epub:type` footnote, endnote)
/// come last in their chapter, note reference marks (`[1]`, `注1` links) are dropped. The book's `dc:title`
/// is [`Document::title`], its `dc:date` (the publication date in EPUB 2 where several are given)
/// [`Document::date`] as `YYYY-MM-DD`, `YYYY-MM` or `YYYY` (as precise as the book gives it), its
/// `dc:publisher` [`Document::source`]. A chapter that opens with a byline or date line (an article in a
/// collection) has them as its own [`DocArticle::byline`] and [`DocArticle::date`].
///
/// # Errors
/// - [`ExtractError::Encrypted`]: `META-INF/encryption.xml` lists a chapter (DRM; fonts obfuscated by the
///   IDPF or Adobe algorithm alone are not a reason), or encrypted zip entries;
/// - [`ExtractError::Corrupt`]: not a zip, a truncated or corrupt zip, no `META-INF/container.xml` or
///   package document, a package document that cannot be parsed, a spine none of whose chapters is there;
/// - [`ExtractError::TooLarge`]: parts that unpack to more than [`zip_limits`] allows;
/// - [`ExtractError::NoText`]: no chapter with text.
pub fn extract_epub(bytes: &[u8]) -> Result<Document, ExtractError> {
    epub::extract(bytes)
}

/// Whether `bytes` are an OLE2 compound file holding an `EncryptedPackage` stream: an Office Open XML file
/// (`.docx`, `.xlsx`, …) encrypted with a password, which Office stores that way instead of as a zip
/// (MS-OFFCRYPTO 2.3.4.4). [`super::document::extract`] asks it of a file that looks like a legacy `.doc`.
pub fn is_encrypted_ooxml(bytes: &[u8]) -> bool {
    zip_limits::is_ole2(bytes) && zip_limits::has_utf16_name(bytes, "EncryptedPackage")
}

/// The most characters a paragraph of an article's head (subtitle, byline, date line) has.
const HEAD_CHARS: usize = 60;

/// A full date ending a line: `2023年3月4日` or `2023-03-04` (also `/`, `.`), alone or after whitespace or a
/// colon (`发布时间：2023年3月4日`), never inside a sentence (`…于2023年3月4日`).
static HEAD_DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?:^|[\s\u{3000}:：])((\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日|(\d{4})[-/.](\d{1,2})[-/.](\d{1,2}))\s*$",
    )
    .expect("the head date pattern is valid")
});

/// Reads an article's head: among its first paragraphs before the body (at most four, each at most
/// `HEAD_CHARS` characters), a byline line (`◎本报记者 张三`, as [`super::dateline::parse_dateline`] reads
/// one) becomes [`DocArticle::byline`] and a full date ending a line (`◎本报记者 张三　2023年3月4日`, or a
/// line of its own) [`DocArticle::date`], where the article has none. The paragraphs stay in the body (a
/// text file's bylines are searchable text too). A file's own dates (a Word document's `dcterms:created`)
/// say when it was saved; this is the date the article gives itself.
fn read_head(article: &mut DocArticle) {
    for p in article.paragraphs.iter().take(4) {
        if p.chars().count() > HEAD_CHARS {
            break;
        }
        let mut rest = p.as_str();
        if let Some(c) = HEAD_DATE.captures(p) {
            let num = |a: usize, b: usize| {
                c.get(a)
                    .or(c.get(b))
                    .and_then(|m| m.as_str().parse::<u16>().ok())
            };
            if let (Some(y), Some(m), Some(d)) = (num(2, 5), num(3, 6), num(4, 7))
                && (1..=12).contains(&m)
                && d >= 1
                && d <= u16::from(super::date::days_in_month(y, m as u8))
                && article.date.is_none()
            {
                article.date = Some(format!("{y:04}-{m:02}-{d:02}"));
            }
            rest = p[..c.get(1).map_or(p.len(), |m| m.start())]
                .trim_end_matches([':', '：'])
                .trim();
        }
        if article.byline.is_none()
            && !rest.is_empty()
            && let Some(d) = super::dateline::parse_dateline(rest)
            && d.byline.is_some()
            && d.len >= rest.chars().count()
        {
            article.byline = Some(rest.to_string());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn head(paragraphs: &[&str]) -> (Option<String>, Option<String>) {
        let mut a = DocArticle {
            paragraphs: paragraphs.iter().map(|p| p.to_string()).collect(),
            ..Default::default()
        };
        read_head(&mut a);
        assert_eq!(
            a.paragraphs.len(),
            paragraphs.len(),
            "the head stays in the body"
        );
        (a.byline, a.date)
    }

    #[test]
    fn byline_and_date_from_the_head_only() {
        assert_eq!(
            head(&["副题", "◎本报记者 测试戊\u{3000}2023年3月4日", "正文。"]),
            (Some("◎本报记者 测试戊".into()), Some("2023-03-04".into()))
        );
        assert_eq!(
            head(&["发布时间：2021-1-9", "正文。"]),
            (None, Some("2021-01-09".into()))
        );
        // In a sentence, in the body, or no such day: not the article's date.
        assert_eq!(head(&["该线于2023年3月4日"]), (None, None));
        assert_eq!(head(&[&"长".repeat(80), "2023年3月4日"]), (None, None));
        assert_eq!(head(&["2023年2月30日"]), (None, None));
        assert_eq!(head(&["本报记者从某部门获悉"]), (None, None));
    }
}
