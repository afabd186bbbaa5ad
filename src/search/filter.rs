//! Filters on an article's date and source, and the order of hits. Filters are index queries on fast fields
//! (a range of [`crate::index::schema::DAY_FIELD`], terms of [`crate::index::schema::SOURCE_FIELD`]), added to a
//! query's plan as clauses that every hit must satisfy and that add nothing to its score: a filtered search
//! reads no passage that the filter excludes.

use std::ops::Bound;

use serde::Serialize;
use tantivy::query::Occur;

use super::plan::Plan;
use crate::corpus::date::PartialDate;
use crate::index::Fields;
use crate::index::query_tree::{QueryTree, TermValue};

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

    /// Checks that the filter can let something through. Errors ([`crate::Error::Query`]): `since` after
    /// `until`.
    pub fn check(&self) -> crate::Result<()> {
        if let (Some(a), Some(b)) = (self.since, self.until)
            && a.key() > b.last_key()
        {
            return Err(crate::Error::Query(format!(
                "the dates are the wrong way round: since {a} is after until {b}"
            )));
        }
        Ok(())
    }

    /// The index query that the filter is: every hit must match it. With a date bound, an article without a
    /// date, or with a date less precise than the bound (a year alone for `--since 2023-03` or `--until
    /// 2023-03`; a month alone for a bound that is a day of that month), is left out.
    pub fn query(&self, f: &Fields) -> Option<QueryTree> {
        let mut clauses: Vec<(Occur, QueryTree)> = Vec::new();
        if self.since.is_some() || self.until.is_some() {
            let lower = match self.since {
                Some(d) => Bound::Included(d.key()),
                None => Bound::Unbounded,
            };
            let upper = match self.until {
                Some(d) => Bound::Included(d.last_key()),
                None => Bound::Unbounded,
            };
            clauses.push((
                Occur::Must,
                QueryTree::Range {
                    field: f.day,
                    lower,
                    upper,
                },
            ));
            // A date less precise than the upper bound may lie after it: `2023` is not "until 2023-06",
            // nor `2023-06` "until 2023-06-15" (the lower bound's key already leaves them out).
            if let Some(d) = self.until {
                let year = u64::from(d.year) * 10_000;
                let mut vague = Vec::new();
                if d.month.is_some() {
                    vague.push(year);
                }
                if let (Some(m), Some(_)) = (d.month, d.day) {
                    vague.push(year + u64::from(m) * 100);
                }
                for key in vague {
                    clauses.push((
                        Occur::MustNot,
                        QueryTree::Term {
                            field: f.day,
                            value: TermValue::U64(key),
                            scored: false,
                        },
                    ));
                }
            }
        }
        let any_of = |field, values: &[String]| -> QueryTree {
            QueryTree::Bool(
                values
                    .iter()
                    .map(|v| {
                        let q = QueryTree::Term {
                            field,
                            value: TermValue::Text(v.clone()),
                            scored: false,
                        };
                        (Occur::Should, q)
                    })
                    .collect(),
            )
        };
        if !self.sources.is_empty() {
            clauses.push((Occur::Must, any_of(f.source, &self.sources)));
        }
        if !self.articles.is_empty() {
            clauses.push((Occur::Must, any_of(f.article, &self.articles)));
        }
        (!clauses.is_empty())
            .then(|| QueryTree::ConstScore(Box::new(QueryTree::Bool(clauses)), 0.0))
    }
}

/// Restricts a plan to what `filters` let through (the filter adds nothing to a passage's score).
pub(super) fn restrict(plan: &mut Plan, filters: &Filters, f: &Fields) {
    if let Some(filter) = filters.query(f) {
        let query = std::mem::replace(&mut plan.tree, QueryTree::Bool(Vec::new()));
        plan.tree = QueryTree::Bool(vec![(Occur::Must, query), (Occur::Must, filter)]);
        plan.query = plan.tree.to_tantivy();
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

/// How a source name is compared: normalized as text is (full-width, case, traditional script folded),
/// spaces at its ends ignored: `--source 新華社` finds 新华社.
fn source_form(name: &str) -> String {
    crate::text::normalize::normalize(name.trim()).text
}

/// The filters with each source name replaced by the index's sources that it names ([`source_form`]); a
/// name that names none is kept, so that it still lets nothing through.
pub(super) fn resolve_sources(
    idx: &crate::index::SearchIndex,
    filters: &Filters,
) -> crate::Result<Filters> {
    if filters.sources.is_empty() {
        return Ok(filters.clone());
    }
    let known = sources(idx)?;
    let mut sources = Vec::new();
    for name in &filters.sources {
        let want = source_form(name);
        let found: Vec<String> = known
            .iter()
            .filter(|(k, _)| source_form(k) == want)
            .map(|(k, _)| k.clone())
            .collect();
        if found.is_empty() {
            sources.push(name.clone());
        }
        sources.extend(found);
    }
    Ok(Filters {
        sources,
        ..filters.clone()
    })
}

/// The sources of `filters` that no article of the index has (a misspelt `--source` finds nothing, and
/// should say why), compared as `--source` compares them (normalized text, ends trimmed), with the sources the index has, most passages
/// first (at most `list` of them).
pub fn unknown_sources(
    idx: &crate::index::SearchIndex,
    filters: &Filters,
    list: usize,
) -> crate::Result<(Vec<String>, Vec<String>)> {
    if filters.sources.is_empty() {
        return Ok((Vec::new(), Vec::new()));
    }
    let known = sources(idx)?;
    let unknown: Vec<String> = filters
        .sources
        .iter()
        .filter(|name| {
            let want = source_form(name);
            !known.iter().any(|(k, _)| source_form(k) == want)
        })
        .cloned()
        .collect();
    Ok((
        unknown,
        known.into_iter().take(list).map(|(s, _)| s).collect(),
    ))
}
