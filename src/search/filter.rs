//! Filters on an article's date and source, and the order of hits. Filters are index queries on fast fields
//! (a range of [`crate::index::schema::DAY_FIELD`], terms of [`crate::index::schema::SOURCE_FIELD`]), added to a
//! query's plan as clauses that every hit must satisfy and that add nothing to its score: a filtered search
//! reads no passage that the filter excludes.

use std::ops::Bound;

use serde::Serialize;
use tantivy::Term;
use tantivy::query::{
    BooleanQuery, ConstScoreQuery, Occur, Query as TQuery, RangeQuery, TermQuery,
};
use tantivy::schema::IndexRecordOption;

use super::plan::Plan;
use crate::corpus::date::PartialDate;
use crate::index::Fields;

/// Which articles a search may return.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filters {
    /// The first date (a day, a month or a year: from its first day on), inclusive.
    pub since: Option<PartialDate>,
    /// The last date (a day, a month or a year: up to its last day), inclusive.
    pub until: Option<PartialDate>,
    /// Sources (exactly as hits show them); an article must have one of them. Empty: any source.
    pub sources: Vec<String>,
    /// Article keys ([`crate::index::article_key`]); an article must be one of them. Empty: any article.
    pub articles: Vec<String>,
}

impl Filters {
    /// Does the filter let every article through?
    pub fn is_empty(&self) -> bool {
        self.since.is_none()
            && self.until.is_none()
            && self.sources.is_empty()
            && self.articles.is_empty()
    }

    /// The index query that the filter is: every hit must match it. With a date bound, an article without a
    /// date (or with a date less precise than the bound: a year alone for `--since 2023-03`) is left out.
    pub fn query(&self, f: &Fields) -> Option<Box<dyn TQuery>> {
        let mut clauses: Vec<(Occur, Box<dyn TQuery>)> = Vec::new();
        if self.since.is_some() || self.until.is_some() {
            let lower = match self.since {
                Some(d) => Bound::Included(Term::from_field_u64(f.day, d.key())),
                None => Bound::Unbounded,
            };
            let upper = match self.until {
                Some(d) => Bound::Included(Term::from_field_u64(f.day, d.last_key())),
                None => Bound::Unbounded,
            };
            clauses.push((Occur::Must, Box::new(RangeQuery::new(lower, upper))));
        }
        let any_of = |field, values: &[String]| -> Box<dyn TQuery> {
            let terms: Vec<(Occur, Box<dyn TQuery>)> = values
                .iter()
                .map(|v| {
                    let q: Box<dyn TQuery> = Box::new(TermQuery::new(
                        Term::from_field_text(field, v),
                        IndexRecordOption::Basic,
                    ));
                    (Occur::Should, q)
                })
                .collect();
            Box::new(BooleanQuery::new(terms))
        };
        if !self.sources.is_empty() {
            clauses.push((Occur::Must, any_of(f.source, &self.sources)));
        }
        if !self.articles.is_empty() {
            clauses.push((Occur::Must, any_of(f.article, &self.articles)));
        }
        (!clauses.is_empty()).then(|| -> Box<dyn TQuery> {
            Box::new(ConstScoreQuery::new(
                Box::new(BooleanQuery::new(clauses)),
                0.0,
            ))
        })
    }
}

/// Restricts a plan to what `filters` let through (the filter adds nothing to a passage's score).
pub(super) fn restrict(plan: &mut Plan, filters: &Filters, f: &Fields) {
    if let Some(filter) = filters.query(f) {
        let query = std::mem::replace(&mut plan.query, Box::new(tantivy::query::EmptyQuery));
        plan.query = Box::new(BooleanQuery::new(vec![
            (Occur::Must, query),
            (Occur::Must, filter),
        ]));
    }
}

/// The order of hits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Sort {
    /// Best first (the default).
    #[default]
    Relevance,
    /// Oldest article first; articles without a date last.
    Date,
    /// Newest article first; articles without a date last.
    DateDesc,
}

/// The sources of `filters` that no passage of the index has (a misspelt `--source` finds nothing, and
/// should say why), with the sources the index has, most passages first (at most `list` of them).
pub fn unknown_sources(
    idx: &crate::index::SearchIndex,
    filters: &Filters,
    list: usize,
) -> crate::Result<(Vec<String>, Vec<String>)> {
    let searcher = idx.reader.searcher();
    let mut unknown = Vec::new();
    for s in &filters.sources {
        let term = Term::from_field_text(idx.fields.source, s);
        if searcher.doc_freq(&term)? == 0 {
            unknown.push(s.clone());
        }
    }
    if unknown.is_empty() {
        return Ok((unknown, Vec::new()));
    }
    let known = sources(idx)?;
    Ok((
        unknown,
        known.into_iter().take(list).map(|(s, _)| s).collect(),
    ))
}

/// The sources of the index's articles, with the number of passages of each (from the term index: passages
/// deleted by an update and not yet merged away still count), most passages first, ties by name.
pub fn sources(idx: &crate::index::SearchIndex) -> crate::Result<Vec<(String, u64)>> {
    let searcher = idx.reader.searcher();
    let mut known: std::collections::HashMap<String, u64> = std::collections::HashMap::new();
    for seg in searcher.segment_readers() {
        let inverted = seg.inverted_index(idx.fields.source)?;
        let mut terms = inverted
            .terms()
            .stream()
            .map_err(|e| crate::Error::io(&idx.dir, e))?;
        while terms.advance() {
            let name = String::from_utf8_lossy(terms.key()).into_owned();
            *known.entry(name).or_insert(0) += u64::from(terms.value().doc_freq);
        }
    }
    let mut known: Vec<(String, u64)> = known.into_iter().collect();
    known.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    Ok(known)
}
