//! Saved web pages (HTML and MHTML): not read yet (issue 20, under way).

use super::document::{Document, ExtractError};

/// The version of the web page extractor ([`super::document::extractor_version`]).
pub const EXTRACTOR_VERSION: u32 = 0;

/// Not read yet: always [`ExtractError::Unsupported`].
pub fn extract_html(_bytes: &[u8]) -> Result<Document, ExtractError> {
    Err(ExtractError::Unsupported("HTML is not read yet".into()))
}

/// Not read yet: always [`ExtractError::Unsupported`].
pub fn extract_mhtml(_bytes: &[u8]) -> Result<Document, ExtractError> {
    Err(ExtractError::Unsupported("MHTML is not read yet".into()))
}
