//! sou (搜): offline full-text search for Chinese article archives.
//!
//! Data flows one way, one folder per stage: [`text`] (normalizer, analyzer, dictionary: shared by indexing
//! and querying, so both sides see the same tokens) → [`corpus`] (files → passages) → [`index`] (passages →
//! tantivy index on disk) → [`search`] (query → ranked hits with snippets) → [`output`] (hits → terminal or
//! JSON Lines) → [`serve`] (the same over HTTP: a page and a JSON API). A module uses only those before it.
#![warn(missing_docs)]

pub mod corpus;
pub mod error;
pub mod index;
pub mod output;
pub mod search;
pub mod serve;
pub mod solr;
pub mod text;

pub use error::{Error, Result};
