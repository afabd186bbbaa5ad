//! `sou search --solr`: the passages that a collection finds, ranked and shown as a local index ranks and
//! shows them.
//!
//! The query is planned as for a local index ([`crate::search::candidate_trees`]), sent to the collection in
//! Solr's JSON Query DSL, and the best candidates by Solr's BM25 come back with their stored fields. Those
//! passages are then made again into the local index's documents ([`crate::index::schema::complete_doc`]),
//! put in a scratch index in memory, and searched there by [`crate::search::search`] itself: the same text
//! checks, coverage re-ranking, caps per article, filters and snippets as a local search, and the same
//! [`SearchResults`]. Differences, by design: the BM25 statistics of that last stage are those of the
//! candidates, not of the whole collection, which may reorder passages of equal coverage; reprints are not
//! grouped (their signatures stay local); `total` counts the candidates that pass the text checks when Solr
//! found no more than were fetched, else it is Solr's count of the passages with every term.

use std::time::{Duration, Instant};

use serde_json::Value;
use tantivy::schema::{FieldType, Schema};
use tantivy::{Index, TantivyDocument};

use super::{Collection, KEY_FIELD};
use crate::index::open::WordStats;
use crate::index::query_tree::QueryTree;
use crate::index::{Manifest, SearchIndex};
use crate::search::{SearchRequest, SearchResults};
use crate::text::analyzer::{self, Analyzer};

/// What a search of a collection found.
#[derive(Debug, Clone)]
pub struct SolrResults {
    /// The hits, as a local search gives them.
    pub results: SearchResults,
    /// Whether some shard did not answer (no live replica): the hits and the total may then lack passages
    /// of that shard.
    pub partial: bool,
}

/// The factor of tantivy's BM25 that Lucene's leaves out: k1 + 1 (k1 = 1.2, as in the configset).
const BM25_K1_PLUS_1: f64 = 2.2;

/// How many candidates a search of `limit` hits fetches from the collection at most: 5 per hit, at least 200.
pub fn pool(limit: usize) -> usize {
    limit.saturating_mul(5).max(200)
}

/// Runs `req` on the collection `solr`, taking at most `pool` candidates for each of its two queries (the
/// passages with the whole query, and those with some of it when they matter: a question, a `--plain`
/// query, or when no passage has the whole query). Errors: [`crate::Error::Query`] as a local search,
/// [`crate::Error::Solr`] when the collection can't be reached or answers with an error,
/// [`crate::Error::Tantivy`] from the scratch index.
pub fn search(solr: &Collection, req: &SearchRequest, pool: usize) -> crate::Result<SolrResults> {
    let started = Instant::now();
    let mut planner = scratch(&[])?;
    planner.word_stats = Some(WordStats::default());
    let schema = planner.index.schema();
    let (full, some) = crate::search::candidate_trees(&planner, req)?;
    // The collection's statistics of the query's words (the weights of coverage): how many passages hold
    // each, one count each.
    let words = planner
        .word_stats
        .take()
        .map(|s| s.asked.into_inner().unwrap_or_else(|e| e.into_inner()))
        .unwrap_or_default();
    let mut stats = WordStats {
        docs: solr.count_all()?.0,
        ..Default::default()
    };
    for w in words {
        let tree = QueryTree::term(planner.fields.words, &w);
        stats
            .df
            .insert(w, solr.query(&tree, &schema, 0, KEY_FIELD)?.num_found);
    }
    let coverage = req.plain || crate::search::query::is_question(&req.query);
    let fields = stored_fields(&schema);
    // Solr's scores (BM25 with the collection's statistics; Lucene leaves out tantivy's factor k1 + 1 = 2.2,
    // put back so that scores read as a local index's). Where the hits are the passages with some of the
    // query, their scores are those of that query.
    let mut scores = std::collections::HashMap::new();
    let mut add_scores = |docs: &[Value]| {
        for d in docs {
            if let (Some(k), Some(s)) = (d[KEY_FIELD].as_str(), d["score"].as_f64()) {
                scores.insert(k.to_string(), (s * BM25_K1_PLUS_1) as f32);
            }
        }
    };
    let a = solr.query(&full, &schema, pool, &fields)?;
    add_scores(&a.docs);
    let mut docs = a.docs;
    let mut partial = a.partial;
    let complete = a.num_found as usize <= docs.len();
    if coverage || a.num_found == 0 {
        let b = solr.query(&some, &schema, pool, &fields)?;
        add_scores(&b.docs);
        partial |= b.partial;
        let have: std::collections::HashSet<String> = docs
            .iter()
            .filter_map(|d| d[KEY_FIELD].as_str().map(str::to_string))
            .collect();
        docs.extend(
            b.docs
                .into_iter()
                .filter(|d| d[KEY_FIELD].as_str().is_none_or(|k| !have.contains(k))),
        );
    }
    let mut idx = scratch(&docs)?;
    idx.external_scores = Some(scores);
    idx.word_stats = Some(stats);
    let mut results = crate::search::search(&idx, req)?;
    if !complete {
        results.total = a.num_found as usize;
    }
    results.elapsed = started.elapsed();
    results.partial = partial;
    Ok(SolrResults { results, partial })
}

/// The stored fields of the local schema, as Solr's `fl` (the key too).
fn stored_fields(schema: &Schema) -> String {
    let mut names: Vec<&str> = schema
        .fields()
        .filter(|(_, e)| e.is_stored())
        .map(|(_, e)| e.name())
        .collect();
    names.push(KEY_FIELD);
    names.join(",")
}

/// A local index in memory holding the passages of `docs` (Solr documents with the stored fields), each
/// made whole again as the local index made it. The directory it names does not exist.
pub(crate) fn scratch(docs: &[Value]) -> crate::Result<SearchIndex> {
    let (schema, fields) = crate::index::schema();
    let index = Index::create_in_ram(schema.clone());
    let analyzer = Analyzer::new();
    analyzer::register(&index, &analyzer);
    if !docs.is_empty() {
        let mut writer = index.writer_with_num_threads::<TantivyDocument>(1, 15_000_000)?;
        for d in docs {
            let stored = stored_doc(&schema, d);
            writer.add_document(crate::index::schema::complete_doc(&fields, &stored))?;
        }
        writer.commit()?;
    }
    let reader = index.reader()?;
    Ok(SearchIndex {
        index,
        reader,
        fields,
        manifest: Manifest::new(Default::default()),
        dir: std::env::temp_dir().join("sou-solr-scratch-none"),
        analyzer,
        reprints: std::sync::Mutex::new(None),
        external_scores: None,
        word_stats: None,
    })
}

/// The stored fields of a Solr document as the local index's stored document.
fn stored_doc(schema: &Schema, d: &Value) -> TantivyDocument {
    let mut doc = TantivyDocument::new();
    for (field, entry) in schema.fields() {
        if !entry.is_stored() {
            continue;
        }
        let values: Vec<&Value> = match &d[entry.name()] {
            Value::Null => continue,
            Value::Array(a) => a.iter().collect(),
            v => vec![v],
        };
        for v in values {
            match (entry.field_type(), v) {
                (FieldType::Str(_), Value::String(s)) => doc.add_text(field, s),
                (FieldType::U64(_), v) => {
                    if let Some(n) = v.as_u64() {
                        doc.add_u64(field, n)
                    }
                }
                _ => {}
            }
        }
    }
    doc
}

/// A timeout for a search's requests when none is given.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::collector::DocSetCollector;

    #[test]
    fn a_scratch_index_of_the_stored_fields_searches_as_the_local_index() {
        let (_dir, idx) = crate::index::test_index(&[
            ("a.txt", "人工智能改变世界。\n\n研究院的人工智能研究很快。"),
            ("b.txt", "工业技术研究院发布报告。\n\n科技企业发展迅速。"),
        ]);
        let searcher = idx.reader.searcher();
        let docs: Vec<Value> = searcher
            .search(&tantivy::query::AllQuery, &DocSetCollector)
            .unwrap()
            .into_iter()
            .map(|a| {
                let doc: TantivyDocument = searcher.doc(a).unwrap();
                super::super::stored_document(&idx, &doc).unwrap()
            })
            .collect();
        let copy = scratch(&docs).unwrap();
        for q in ["人工智能", "\"研究院\"", "研究 -科技", "科技发展怎么样？"] {
            let req = SearchRequest {
                query: q.to_string(),
                limit: 10,
                snippet_chars: 40,
                ..Default::default()
            };
            let local = crate::search::search(&idx, &req).unwrap();
            let there = crate::search::search(&copy, &req).unwrap();
            assert_eq!(local.hits, there.hits, "{q}");
            assert_eq!(local.total, there.total, "{q}");
        }
    }

    #[test]
    fn a_search_fetches_at_least_200_candidates() {
        assert_eq!(pool(10), 200);
        assert_eq!(pool(100), 500);
    }
}
