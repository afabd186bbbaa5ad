//! sou (搜): offline full-text search for Chinese article archives.
//!
//! Data flows one way: [`corpus`] (files → passages) → [`index`] (passages → tantivy index on disk)
//! → [`search`] (query → ranked hits with snippets) → [`output`] (hits → terminal or JSON Lines).
//! [`normalize`] and [`analyzer`] are shared by indexing and querying, so both sides see the same tokens.
#![warn(missing_docs)]

pub mod analyzer;
pub mod corpus;
pub mod dict;
pub mod error;
pub mod index;
pub mod normalize;
pub mod output;
pub mod query;
mod safe_query;
pub mod search;
pub mod snippet;

pub use error::{Error, Result};
