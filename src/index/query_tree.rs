//! A query over the index's fields as a plain tree, which no search engine owns.
//!
//! Planning (`search::plan`) and filters build a [`QueryTree`]; a local index runs it as a tantivy query
//! ([`QueryTree::to_tantivy`]), and a SolrCloud collection (issue 18; `solr/configset`) will receive the same
//! tree in Solr's JSON Query DSL. Every node is one of the few shapes sou's plans use: terms of one field,
//! phrases of the character view at given offsets, ranges of a number field, and boolean, boosted and
//! constant-score combinations. The tree says what matches and how each part weighs; how the engine scores a
//! term (BM25 in both) is the engine's.

use std::ops::Bound;

use serde_json::{Value, json};
use tantivy::Term;
use tantivy::query::{
    BooleanQuery, BoostQuery, ConstScoreQuery, Occur, PhraseQuery, Query, RangeQuery, TermQuery,
};
use tantivy::schema::{Field, FieldType, IndexRecordOption, Schema};

use super::safe_query::NoDanger;

/// The value of a term: a token of a text field, or a number of a u64 field.
#[derive(Debug, Clone, PartialEq)]
pub enum TermValue {
    /// A token as the field's analyzer made it (a word, a character bigram, a character…), or a whole value
    /// of a field indexed as one token (`source`, `article`).
    Text(String),
    /// A value of an indexed u64 field (`day`, `headline`).
    U64(u64),
}

/// A query over the index's fields. See the module docs.
#[derive(Debug, Clone, PartialEq)]
pub enum QueryTree {
    /// The passages whose `field` holds the term.
    Term {
        /// The field.
        field: Field,
        /// The term.
        value: TermValue,
        /// Whether the term's frequency counts (BM25 with frequencies); a filter's term only decides whether
        /// a passage matches.
        scored: bool,
    },
    /// The passages whose `field` holds every term at its offset from the first's position (offsets in token
    /// positions, the first 0, ascending; gaps allowed: the character view's phrase of `人工智能` is `人工` at 0
    /// and `智能` at 2). At least two terms.
    Phrase {
        /// The field (one with positions: `chars`, `title_chars`).
        field: Field,
        /// The terms with their offsets.
        terms: Vec<(usize, String)>,
    },
    /// The passages whose u64 `field` holds a value within the bounds.
    Range {
        /// The field.
        field: Field,
        /// The lower bound.
        lower: Bound<u64>,
        /// The upper bound.
        upper: Bound<u64>,
    },
    /// Lucene's boolean query: a passage matches when it matches every `Must` clause, none of the `MustNot`
    /// ones, and, if there is no `Must` clause, at least one `Should`; its score is the sum of its matching
    /// `Must` and `Should` clauses' scores.
    Bool(Vec<(Occur, QueryTree)>),
    /// The inner query's matches, their score multiplied by the factor.
    Boost(Box<QueryTree>, f32),
    /// The inner query's matches, each scored the given constant.
    ConstScore(Box<QueryTree>, f32),
}

impl QueryTree {
    /// A scored term of a text field (BM25 with term frequencies).
    pub fn term(field: Field, text: &str) -> QueryTree {
        QueryTree::Term {
            field,
            value: TermValue::Text(text.to_string()),
            scored: true,
        }
    }

    /// `self` with its score multiplied by `w` (itself when `w` is 1).
    pub fn boost(self, w: f32) -> QueryTree {
        if (w - 1.0).abs() < f32::EPSILON {
            self
        } else {
            QueryTree::Boost(Box::new(self), w)
        }
    }

    /// The query as tantivy runs it on a local index. A phrase is wrapped in `NoDanger` (`safe_query.rs`:
    /// tantivy 0.27 asserts on an excluded phrase in debug builds).
    pub fn to_tantivy(&self) -> Box<dyn Query> {
        match self {
            QueryTree::Term {
                field,
                value,
                scored,
            } => {
                let option = if *scored {
                    IndexRecordOption::WithFreqs
                } else {
                    IndexRecordOption::Basic
                };
                Box::new(TermQuery::new(term(*field, value), option))
            }
            QueryTree::Phrase { field, terms } => {
                let terms = terms
                    .iter()
                    .map(|(o, t)| (*o, Term::from_field_text(*field, t)))
                    .collect();
                Box::new(NoDanger(Box::new(PhraseQuery::new_with_offset(terms))))
            }
            QueryTree::Range {
                field,
                lower,
                upper,
            } => {
                let bound = |b: &Bound<u64>| match b {
                    Bound::Included(v) => Bound::Included(Term::from_field_u64(*field, *v)),
                    Bound::Excluded(v) => Bound::Excluded(Term::from_field_u64(*field, *v)),
                    Bound::Unbounded => Bound::Unbounded,
                };
                Box::new(RangeQuery::new(bound(lower), bound(upper)))
            }
            QueryTree::Bool(clauses) => Box::new(BooleanQuery::new(
                clauses.iter().map(|(o, q)| (*o, q.to_tantivy())).collect(),
            )),
            QueryTree::Boost(q, w) => Box::new(BoostQuery::new(q.to_tantivy(), *w)),
            QueryTree::ConstScore(q, s) => Box::new(ConstScoreQuery::new(q.to_tantivy(), *s)),
        }
    }
}

impl QueryTree {
    /// The query in Solr's JSON Query DSL (the `query` of a request to `/query`) for sou's collection
    /// (`solr/configset/schema.xml`, where the fields have the names of `schema`):
    ///
    /// - a term of a view (a field sou analyzes: `words`, `chars`, `unigrams` and the title's) and a phrase
    ///   are the `field` parser given a pre-analyzed token stream in Solr's JSON form, with position
    ///   increments, so that Solr builds exactly this term or this phrase, gaps included (the collection's
    ///   views are `PreAnalyzedField`s, which parse queries as they parse documents);
    /// - a term of a field indexed whole (`source`, `article`, `day`, …) is the `term` parser;
    /// - a range is the `lucene` parser's `field:[lower TO upper]` (`{`/`}` for excluded bounds, `*` for
    ///   none);
    /// - a boolean query is `bool`, where a `Must` clause that scores 0 ([`QueryTree::ConstScore`] with 0) is a
    ///   `filter` clause (required, no score: what Lucene's boolean query does with a constant 0 too);
    /// - a boost is `boost` with a constant factor `b`.
    ///
    /// Solr scores terms with Lucene's BM25 (k1 1.2, b 0.75 in the configset), which differs from tantivy's
    /// in a constant factor per query and in how field lengths are rounded to a byte: orders agree except
    /// where scores were nearly tied.
    pub fn to_solr(&self, schema: &Schema) -> Value {
        match self {
            QueryTree::Term {
                field,
                value: TermValue::Text(t),
                ..
            } if is_view(schema, *field) => json!({"field": {
                "f": schema.get_field_name(*field),
                "query": token_stream(&[(0, t.as_str())]),
            }}),
            QueryTree::Term { field, value, .. } => {
                let value = match value {
                    TermValue::Text(t) => t.clone(),
                    TermValue::U64(v) => v.to_string(),
                };
                json!({"term": {"f": schema.get_field_name(*field), "query": value}})
            }
            QueryTree::Phrase { field, terms } => {
                let terms: Vec<(usize, &str)> =
                    terms.iter().map(|(o, t)| (*o, t.as_str())).collect();
                json!({"field": {
                    "f": schema.get_field_name(*field),
                    "query": token_stream(&terms),
                }})
            }
            QueryTree::Range {
                field,
                lower,
                upper,
            } => {
                let (open, low) = match lower {
                    Bound::Included(v) => ('[', v.to_string()),
                    Bound::Excluded(v) => ('{', v.to_string()),
                    Bound::Unbounded => ('[', "*".to_string()),
                };
                let (close, high) = match upper {
                    Bound::Included(v) => (']', v.to_string()),
                    Bound::Excluded(v) => ('}', v.to_string()),
                    Bound::Unbounded => (']', "*".to_string()),
                };
                let name = schema.get_field_name(*field);
                json!({"lucene": {"query": format!("{name}:{open}{low} TO {high}{close}")}})
            }
            QueryTree::Bool(clauses) => {
                let (mut must, mut filter, mut should, mut must_not) =
                    (vec![], vec![], vec![], vec![]);
                for (occur, q) in clauses {
                    match (occur, q) {
                        (Occur::Must, QueryTree::ConstScore(inner, s)) if *s == 0.0 => {
                            filter.push(inner.to_solr(schema))
                        }
                        (Occur::Must, q) => must.push(q.to_solr(schema)),
                        (Occur::Should, q) => should.push(q.to_solr(schema)),
                        (Occur::MustNot, q) => must_not.push(q.to_solr(schema)),
                    }
                }
                let mut b = serde_json::Map::new();
                for (name, list) in [
                    ("must", must),
                    ("filter", filter),
                    ("should", should),
                    ("must_not", must_not),
                ] {
                    if !list.is_empty() {
                        b.insert(name.to_string(), Value::Array(list));
                    }
                }
                json!({ "bool": b })
            }
            QueryTree::Boost(q, w) => {
                json!({"boost": {"query": q.to_solr(schema), "b": w.to_string()}})
            }
            QueryTree::ConstScore(q, s) if *s == 0.0 => {
                json!({"bool": {"filter": [q.to_solr(schema)]}})
            }
            // Every match of `q` scored `s`: a query matching everything at score `s`, restricted to `q`.
            QueryTree::ConstScore(q, s) => json!({"bool": {
                "must": [{"lucene": {"query": format!("*:*^={s}")}}],
                "filter": [q.to_solr(schema)],
            }}),
        }
    }
}

/// Is `field` one of sou's views (a text field analyzed by sou's own tokenizers), which the collection
/// holds as pre-analyzed tokens, rather than a value indexed whole (the `raw` tokenizer) or a number?
fn is_view(schema: &Schema, field: Field) -> bool {
    match schema.get_field_entry(field).field_type() {
        FieldType::Str(options) => options
            .get_indexing_options()
            .is_some_and(|o| o.tokenizer() != "raw"),
        _ => false,
    }
}

/// Terms at offsets (ascending, the first 0) as Solr's JSON pre-analyzed form, `{"v":"1","tokens":[{"t":
/// TERM,"i":INCREMENT},…]}`: the first term's position increment is 1, each next one's the difference of
/// the offsets.
fn token_stream(terms: &[(usize, &str)]) -> String {
    let mut previous = None;
    let tokens: Vec<Value> = terms
        .iter()
        .map(|&(offset, t)| {
            let increment = previous.map_or(1, |p: usize| offset - p);
            previous = Some(offset);
            json!({"t": t, "i": increment})
        })
        .collect();
    json!({"v": "1", "tokens": tokens}).to_string()
}

fn term(field: Field, value: &TermValue) -> Term {
    match value {
        TermValue::Text(t) => Term::from_field_text(field, t),
        TermValue::U64(v) => Term::from_field_u64(field, *v),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::schema::{char_phrase_tree, schema};

    #[test]
    fn a_phrase_with_gaps_and_a_lone_character_render_as_solr_token_streams() {
        let (schema, f) = schema();
        // 人工智能 is 人工 at 0 and 智能 at 2; 的 alone is a unigram; the comma is a gap to verify.
        let (tree, gaps) = char_phrase_tree(f.chars, f.unigrams, "人工智能，的").unwrap();
        assert!(gaps);
        assert_eq!(
            tree.to_solr(&schema),
            json!({"bool": {"must": [
                {"field": {"f": "chars", "query": r#"{"tokens":[{"i":1,"t":"人工"},{"i":2,"t":"智能"}],"v":"1"}"#}},
                {"field": {"f": "unigrams", "query": r#"{"tokens":[{"i":1,"t":"的"}],"v":"1"}"#}},
            ]}})
        );
    }

    #[test]
    fn filters_are_unscored_clauses_and_whole_values_use_the_term_parser() {
        let (schema, f) = schema();
        let tree = QueryTree::Bool(vec![
            (Occur::Should, QueryTree::term(f.words, "世界").boost(2.5)),
            (
                Occur::Must,
                QueryTree::ConstScore(
                    Box::new(QueryTree::Range {
                        field: f.day,
                        lower: Bound::Included(20230100),
                        upper: Bound::Unbounded,
                    }),
                    0.0,
                ),
            ),
            (
                Occur::MustNot,
                QueryTree::Term {
                    field: f.source,
                    value: TermValue::Text("新华社".into()),
                    scored: false,
                },
            ),
        ]);
        assert_eq!(
            tree.to_solr(&schema),
            json!({"bool": {
                "filter": [{"lucene": {"query": "day:[20230100 TO *]"}}],
                "should": [{"boost": {"query": {"field": {"f": "words", "query": r#"{"tokens":[{"i":1,"t":"世界"}],"v":"1"}"#}}, "b": "2.5"}}],
                "must_not": [{"term": {"f": "source", "query": "新华社"}}],
            }})
        );
    }
}
