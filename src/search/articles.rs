//! Hits as articles: which article and date a matching passage has (read from fast fields, without loading
//! the passage), hits ordered by date, and how many passages of each shown article the query finds.

use std::collections::HashMap;

use tantivy::DocAddress;

use super::filter::{Filters, Sort};
use super::plan::Plan;
use super::rerank::{self, Candidate, Reading, candidates, cmp_candidates, per_article_cap};
use crate::index::SearchIndex;
use crate::index::schema::{ARTICLE_FIELD, DAY_FIELD, SOURCE_FIELD};

/// What the fast fields say of one passage.
#[derive(Debug, Clone)]
pub(crate) struct PassageFacts {
    /// Its article's key ([`crate::index::article_key`]).
    pub article: String,
    /// Its article's date as `YYYYMMDD` ([`crate::corpus::date::PartialDate::key`]), if it has one.
    pub day: Option<u64>,
    /// Its article's source, if known.
    pub source: Option<String>,
}

/// The article, date and source of each of `docs`, in their order, read from the fast fields.
pub(crate) fn facts(
    searcher: &tantivy::Searcher,
    docs: &[DocAddress],
    dir: &std::path::Path,
) -> crate::Result<Vec<PassageFacts>> {
    struct Segment {
        article: Option<tantivy::columnar::StrColumn>,
        source: Option<tantivy::columnar::StrColumn>,
        day: tantivy::columnar::Column<u64>,
        names: HashMap<(bool, u64), String>,
    }
    let mut segments: HashMap<u32, Segment> = HashMap::new();
    let mut out = Vec::with_capacity(docs.len());
    for d in docs {
        let seg = match segments.entry(d.segment_ord) {
            std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::hash_map::Entry::Vacant(e) => {
                let ff = searcher.segment_reader(d.segment_ord).fast_fields();
                e.insert(Segment {
                    article: ff.str(ARTICLE_FIELD)?,
                    source: ff.str(SOURCE_FIELD)?,
                    day: ff.u64(DAY_FIELD)?,
                    names: HashMap::new(),
                })
            }
        };
        let mut name = |is_source: bool, doc: u32| -> crate::Result<Option<String>> {
            let column = if is_source { &seg.source } else { &seg.article };
            let Some(column) = column else {
                return Ok(None);
            };
            let Some(ord) = column.term_ords(doc).next() else {
                return Ok(None);
            };
            if let Some(s) = seg.names.get(&(is_source, ord)) {
                return Ok(Some(s.clone()));
            }
            let mut s = String::new();
            column
                .ord_to_str(ord, &mut s)
                .map_err(|e| crate::Error::io(dir, e))?;
            seg.names.insert((is_source, ord), s.clone());
            Ok(Some(s))
        };
        let article = name(false, d.doc_id)?.unwrap_or_default();
        let source = name(true, d.doc_id)?;
        out.push(PassageFacts {
            article,
            day: seg.day.first(d.doc_id),
            source,
        });
    }
    Ok(out)
}

/// The plan restricted to the articles `keys`.
fn within(idx: &SearchIndex, plan: &Plan, keys: &[String]) -> Plan {
    let mut sub = plan.clone();
    let only = Filters {
        articles: keys.to_vec(),
        ..Filters::default()
    };
    super::filter::restrict(&mut sub, &only, &idx.fields);
    sub
}

/// How many passages of each of the articles `keys` the plan matches.
pub(super) fn passages_per_article(
    idx: &SearchIndex,
    searcher: &tantivy::Searcher,
    plan: &Plan,
    keys: &[String],
) -> crate::Result<HashMap<String, usize>> {
    let mut counts = HashMap::new();
    if keys.is_empty() {
        return Ok(counts);
    }
    let docs = rerank::matching_docs(idx, searcher, &within(idx, plan, keys))?;
    for f in facts(searcher, &docs, &idx.dir)? {
        *counts.entry(f.article).or_insert(0) += 1;
    }
    Ok(counts)
}

/// The hits of a search sorted by date (`req.sort` is [`Sort::Date`] or [`Sort::DateDesc`]): the articles
/// that the plan matches, ordered by their date (articles without one last; ties by article key), each shown
/// by its best passages (at most `req.per_article`), and the number of passages the plan matches. With
/// `collapse`, a reprint group shows its first article in that order.
pub(super) fn by_date(
    idx: &SearchIndex,
    searcher: &tantivy::Searcher,
    plan: &Plan,
    req: &super::SearchRequest,
    collapse: Option<&crate::index::reprints::Reprints>,
) -> crate::Result<(Vec<Candidate>, usize)> {
    let (limit, per_article, sort) = (req.limit, req.per_article, req.sort);
    let docs = rerank::matching_docs(idx, searcher, plan)?;
    let total = docs.len();
    let mut articles: HashMap<String, (Option<u64>, usize)> = HashMap::new();
    for f in facts(searcher, &docs, &idx.dir)? {
        let a = articles.entry(f.article).or_insert((f.day, 0));
        a.1 += 1;
    }
    let mut order: Vec<(Option<u64>, String, usize)> = articles
        .into_iter()
        .map(|(k, (day, n))| (day, k, n))
        .collect();
    order.sort_by(|a, b| {
        let dated = a.0.is_none().cmp(&b.0.is_none());
        let by_day = match sort {
            Sort::DateDesc => b.0.cmp(&a.0),
            _ => a.0.cmp(&b.0),
        };
        dated.then(by_day).then_with(|| a.1.cmp(&b.1))
    });
    if let Some(reprints) = collapse {
        let mut one = reprints.one_per_group();
        order.retain(|a| {
            let (path, id) = a.1.split_once('\u{0}').unwrap_or((&a.1, &a.1));
            one(path, id)
        });
    }
    let limit = limit.max(1);
    let mut out: Vec<Candidate> = Vec::new();
    let mut next = 0;
    // Articles in date order, a few more than needed at a time: an article may show nothing (a passage
    // without a highlight is no hit).
    while out.len() < limit && next < order.len() {
        let chunk = &order[next..(next + 2 * (limit - out.len())).min(order.len())];
        next += chunk.len();
        let keys: Vec<String> = chunk.iter().map(|a| a.1.clone()).collect();
        let pool: usize = chunk.iter().map(|a| a.2).sum();
        let sub = within(idx, plan, &keys);
        let (mut cands, _, _) = candidates(
            idx,
            searcher,
            &sub,
            pool,
            pool,
            per_article,
            Reading {
                early_stop: false,
                record_matches: false,
            },
        )?;
        cands.sort_by(cmp_candidates);
        let mut keep = per_article_cap(per_article);
        cands.retain(|c| keep(c));
        let position: HashMap<&str, usize> = keys
            .iter()
            .enumerate()
            .map(|(i, k)| (k.as_str(), i))
            .collect();
        // Stable: within an article, best first.
        cands.sort_by_key(|c| {
            position
                .get(crate::index::article_key(&c.path, &c.id).as_str())
                .copied()
                .unwrap_or(usize::MAX)
        });
        out.extend(cands);
    }
    out.truncate(limit);
    Ok((out, total))
}
