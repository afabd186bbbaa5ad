//! The text layer, shared by indexing and querying so that both see the same tokens: the normalizer, the
//! analyzer's two views (words and characters) and jieba's dictionary.
//!
//! Nothing here knows about files, indexes or queries.

pub mod analyzer;
pub mod dict;
pub mod normalize;
pub mod sentence;
