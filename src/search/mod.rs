//! From a parsed query to ranked hits with snippets. No I/O besides the index, no colours: the printer
//! in [`crate::output`] turns [`SearchResults`] into text.
//!
//! Ranking, in two stages:
//! 1. tantivy scores every matching passage with a sum of BM25 scores: the query's jieba words on the word
//!    view, the same words as exact character phrases on the character view (evidence that survives a
//!    different segmentation), and the whole term as one character phrase (a bonus for an exact, adjacent
//!    match). The character phrase of the whole term also guarantees recall: any Han string that occurs
//!    literally in a passage finds it.
//! 2. The best candidates are re-scored by *coverage*, the share of the query that occurs in the passage
//!    (for a term that is not present whole, the share of its characters covered by its words), so that a
//!    passage matching more of a multi-word query or question ranks first. Ties break by path and ordinal.

pub mod batch;
mod plan;
pub mod query;
mod rerank;
pub mod snippet;
mod weights;

use std::time::{Duration, Instant};

use serde::Serialize;
use tantivy::schema::Value;

use crate::index::SearchIndex;
use rerank::{Candidate, candidates, cmp_candidates, get_str, get_u64, per_article_cap};
use snippet::{Match, make_snippet};
pub use weights::Ranking;

/// What to search for.
#[derive(Debug, Clone)]
pub struct SearchRequest {
    /// The query string, in sou's query language ([`query`]).
    pub query: String,
    /// How many hits to return.
    pub limit: usize,
    /// Snippet length in characters; 0: no snippets (empty `snippet` and `highlights`).
    pub snippet_chars: usize,
    /// Keep at most this many passages per article (None: no limit).
    pub per_article: Option<usize>,
    /// Read the query as plain text, without operators ([`query::parse_plain`]).
    pub plain: bool,
}

/// One ranked passage.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Hit {
    /// 1-based rank.
    pub rank: usize,
    /// Final score (higher is better).
    pub score: f32,
    /// Article path, relative to the corpus root, `/`-separated.
    pub path: String,
    /// Passage ordinal in the article (0-based).
    pub passage: u32,
    /// Article title.
    pub title: String,
    /// Article id: the path for a text file, the record's id for a JSON Lines archive.
    pub id: String,
    /// Article date, for JSON Lines records that have one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// Line of the record in its JSON Lines file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
    /// First character of the passage in its file: a character (not byte) offset into the decoded text, BOM
    /// excluded; for a JSON Lines record, into the record's body.
    pub start: usize,
    /// One past the last character of the passage (so `[start, end)` is half-open, in characters).
    pub end: usize,
    /// The whole passage, original characters.
    pub text: String,
    /// The snippet shown for the hit.
    pub snippet: String,
    /// Highlighted ranges in `snippet`: half-open character offsets.
    pub highlights: Vec<[usize; 2]>,
}

/// The answer to a [`SearchRequest`].
#[derive(Debug, Clone)]
pub struct SearchResults {
    /// The query as given.
    pub query: String,
    /// The hits, best first.
    pub hits: Vec<Hit>,
    /// How many passages matched in all.
    pub total: usize,
    /// Time spent searching.
    pub elapsed: Duration,
}

/// Runs a search: parses `req.query` ([`query::parse`], or [`query::parse_plain`] with `req.plain`), finds
/// the matching passages, re-ranks the best, and returns at most `req.limit` hits (a limit of zero counts
/// as one) with snippets of `req.snippet_chars` characters. Errors: [`crate::Error::Query`] for a query that
/// can't be run (nothing to search for, only exclusions, too long), [`crate::Error::Tantivy`] if reading
/// the index fails.
pub fn search(idx: &SearchIndex, req: &SearchRequest) -> crate::Result<SearchResults> {
    let started = Instant::now();
    let parsed = if req.plain {
        query::parse_plain(&req.query)?
    } else {
        query::parse(&req.query)?
    };
    let searcher = idx.reader.searcher();
    let plan = plan::plan(idx, &searcher, &parsed)?;
    let f = idx.fields;

    let limit = req.limit.max(1);
    let docs = (searcher.num_docs() as usize).max(1);
    let mut pool = limit.saturating_mul(3).max(50).min(docs);
    let (ranked, total) = loop {
        let (mut cands, total) =
            candidates(idx, &searcher, &plan, pool, limit, req.per_article, true)?;
        cands.sort_by(cmp_candidates);
        let Some(n) = req.per_article else {
            cands.truncate(limit);
            break (cands, total);
        };
        // At most n passages per article; if that leaves too few, look further down the ranking.
        let mut keep = per_article_cap(Some(n));
        let kept: Vec<Candidate> = cands.into_iter().filter(|c| keep(c)).take(limit).collect();
        if kept.len() >= limit || pool >= total {
            break (kept, total);
        }
        pool *= 4;
    };

    let hits = ranked
        .into_iter()
        .enumerate()
        .map(|(i, c)| {
            let text = get_str(&c.doc, f.text);
            let matches: Vec<Match> = c
                .spans
                .iter()
                .map(|&(s, e, w)| {
                    let (a, b) = c.norm.to_original(s, e);
                    Match {
                        start: a,
                        end: b,
                        weight: w,
                    }
                })
                .collect();
            let snip = if req.snippet_chars > 0 {
                make_snippet(&text, &matches, req.snippet_chars)
            } else {
                snippet::Snippet {
                    text: String::new(),
                    highlights: Vec::new(),
                }
            };
            let date = get_str(&c.doc, f.date);
            Hit {
                rank: i + 1,
                score: c.score,
                path: c.path,
                passage: c.ordinal,
                title: match get_str(&c.doc, f.title) {
                    t if t.is_empty() => c.id.clone(),
                    t => t,
                },
                id: c.id,
                date: (!date.is_empty()).then_some(date),
                line: c.doc.get_first(f.line).and_then(|v| v.as_u64()),
                start: get_u64(&c.doc, f.start) as usize,
                end: get_u64(&c.doc, f.end) as usize,
                text,
                snippet: snip.text,
                highlights: snip.highlights.into_iter().map(|(a, b)| [a, b]).collect(),
            }
        })
        .collect();
    Ok(SearchResults {
        query: req.query.clone(),
        hits,
        total,
        elapsed: started.elapsed(),
    })
}
