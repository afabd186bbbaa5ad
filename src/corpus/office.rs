//! Word documents and EPUB books: not read yet (issue 20, under way).

use super::document::{Document, ExtractError};

/// The version of the Word and EPUB extractor ([`super::document::extractor_version`]).
pub const EXTRACTOR_VERSION: u32 = 0;

/// Not read yet: always [`ExtractError::Unsupported`].
pub fn extract_docx(_bytes: &[u8]) -> Result<Document, ExtractError> {
    Err(ExtractError::Unsupported("DOCX is not read yet".into()))
}

/// Not read yet: always [`ExtractError::Unsupported`].
pub fn extract_epub(_bytes: &[u8]) -> Result<Document, ExtractError> {
    Err(ExtractError::Unsupported("EPUB is not read yet".into()))
}
