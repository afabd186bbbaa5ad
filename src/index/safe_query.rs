//! A query wrapper that works around a tantivy 0.27 debug assertion.
//!
//! tantivy excludes `MustNot` documents by calling `seek_danger` on the excluded scorer. After a
//! `seek_danger` that misses, a docset may be in an "invalid" state whose `doc()` lies past the next target
//! (the documented contract); `PhraseScorer::seek_danger` then asserts `target >= self.doc()`, which fails
//! in debug builds (release builds skip the assertion and are correct). Excluding a phrase (`-央行宣布`)
//! hits it. [`NoDanger`] wraps a query so that its scorer answers `seek_danger` with ordinary `seek`s (the
//! trait's default) and always stays in a valid state.

use tantivy::query::{EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::{DocId, DocSet, Score, SegmentReader, Term};

/// Wraps a query; see the module docs.
#[derive(Debug)]
pub struct NoDanger(pub Box<dyn Query>);

impl Clone for NoDanger {
    fn clone(&self) -> Self {
        NoDanger(self.0.box_clone())
    }
}

impl Query for NoDanger {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(NoDangerWeight(self.0.weight(enable_scoring)?)))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        self.0.query_terms(visitor);
    }
}

struct NoDangerWeight(Box<dyn Weight>);

impl Weight for NoDangerWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        Ok(Box::new(NoDangerScorer(self.0.scorer(reader, boost)?)))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        self.0.explain(reader, doc)
    }
}

struct NoDangerScorer(Box<dyn Scorer>);

impl DocSet for NoDangerScorer {
    fn advance(&mut self) -> DocId {
        self.0.advance()
    }

    fn seek(&mut self, target: DocId) -> DocId {
        let doc = self.0.doc();
        if doc >= target {
            doc
        } else {
            self.0.seek(target)
        }
    }

    // `seek_danger` keeps its default implementation, which is built on `seek` above.

    fn doc(&self) -> DocId {
        self.0.doc()
    }

    fn size_hint(&self) -> u32 {
        self.0.size_hint()
    }

    fn cost(&self) -> u64 {
        self.0.cost()
    }
}

impl Scorer for NoDangerScorer {
    fn score(&mut self) -> Score {
        self.0.score()
    }
}
