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

use super::document::{Document, ExtractError};

/// The version of the Word and EPUB extractor ([`super::document::extractor_version`]).
pub const EXTRACTOR_VERSION: u32 = 1;

/// Reads a Word document (`.docx`) into a [`Document`] with one article (empty anchor).
///
/// The article's paragraphs: each body paragraph in order, each table row as one paragraph (its cells joined
/// by a tab), then the footnotes and endnotes, one paragraph each; headers, footers, deleted text (tracked
/// changes) and field codes are left out. The Title-style paragraph becomes [`Document::title`] and is not
/// repeated in the body; without one, the `dc:title` of `docProps/core.xml` is the title.
/// [`Document::date`] is left `None`: the package's `dcterms:created`/`modified` tell when the file was
/// saved, not when the article was published (the path or the settings give that date).
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
/// `dc:publisher` [`Document::source`].
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
