//! Counts per period or source (`sou count --by`): how many articles and passages contain the whole query
//! each year, month or day, or from each source. Counts are those of [`super::count`] (every term present,
//! checked as a keyword query's hits are), split by the fast fields of the matching passages.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::Serialize;

use super::articles::facts;
use super::{Counts, SearchRequest, filtered, parse, plan, rerank};
use crate::corpus::date::PartialDate;
use crate::index::SearchIndex;

/// What to count by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CountBy {
    /// Calendar years.
    Year,
    /// Calendar months.
    Month,
    /// Days.
    Day,
    /// The article's source.
    Source,
}

/// One row of a [`Breakdown`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Bucket {
    /// The period (`2023`, `2023-01`, `2023-01-05`) or the source.
    pub key: String,
    /// Articles with at least one matching passage.
    pub articles: usize,
    /// Matching passages.
    pub passages: usize,
}

/// The counts of a query per period or source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Breakdown {
    /// What the buckets are.
    pub by: CountBy,
    /// For periods: every period from the first to the last that has a match, in order, those without any
    /// included (a trend has no gaps); for sources: the sources with a match, most articles first (ties by
    /// name).
    pub buckets: Vec<Bucket>,
    /// The matches that no bucket takes: articles without a date (or, by month or day, whose date is less
    /// precise: a year alone), or without a known source.
    pub unknown: Counts,
    /// All matches.
    pub total: Counts,
}

/// Counts the passages that contain the whole query (as [`super::count`]) and their articles, per
/// `by`. The filters of `req` apply. Errors: as [`super::search`].
pub fn count_by(idx: &SearchIndex, req: &SearchRequest, by: CountBy) -> crate::Result<Breakdown> {
    let (_, parsed) = parse(req)?;
    let searcher = idx.reader.searcher();
    let plan = filtered(plan::plan(idx, &searcher, &parsed, true)?, req, idx)?;
    let docs = rerank::matching_docs(idx, &searcher, &plan)?;
    let facts = facts(&searcher, &docs, &idx.dir)?;

    let bucket_of = |f: &super::articles::PassageFacts| -> Option<String> {
        match by {
            CountBy::Source => f.source.clone(),
            _ => {
                let d = PartialDate::from_key(f.day?)?;
                match by {
                    CountBy::Year => Some(format!("{:04}", d.year)),
                    CountBy::Month => Some(format!("{:04}-{:02}", d.year, d.month?)),
                    _ => d.day.map(|_| d.to_string()),
                }
            }
        }
    };
    // Passages and article keys per bucket (None: unknown).
    let mut tally: HashMap<Option<String>, (usize, HashSet<&str>)> = HashMap::new();
    let mut all_articles: HashSet<&str> = HashSet::new();
    for f in &facts {
        let t = tally.entry(bucket_of(f)).or_default();
        t.0 += 1;
        t.1.insert(&f.article);
        all_articles.insert(&f.article);
    }
    let unknown = tally
        .remove(&None)
        .map(|(p, a)| Counts {
            passages: p,
            articles: a.len(),
        })
        .unwrap_or(Counts {
            passages: 0,
            articles: 0,
        });
    let known: BTreeMap<String, Bucket> = tally
        .into_iter()
        .filter_map(|(k, (p, a))| {
            let k = k?;
            Some((
                k.clone(),
                Bucket {
                    key: k,
                    articles: a.len(),
                    passages: p,
                },
            ))
        })
        .collect();
    let buckets = match by {
        CountBy::Source => {
            let mut v: Vec<Bucket> = known.into_values().collect();
            v.sort_by(|a, b| b.articles.cmp(&a.articles).then_with(|| a.key.cmp(&b.key)));
            v
        }
        _ => {
            let window = (
                req.filters.since.and_then(|d| first_period(d, by)),
                req.filters.until.and_then(|d| last_period(d, by)),
            );
            fill_gaps(known, by, window)?
        }
    };
    Ok(Breakdown {
        by,
        buckets,
        unknown,
        total: Counts {
            passages: docs.len(),
            articles: all_articles.len(),
        },
    })
}

/// The most periods a breakdown lists ([`count_by`]): a trend of 27 years by day.
pub const MAX_PERIODS: usize = 10_000;

/// The first period of `by` that a date bound `d` covers (`2023-03` by day: `2023-03-01`).
fn first_period(d: PartialDate, by: CountBy) -> Option<PartialDate> {
    let (m, day) = (d.month.unwrap_or(1), d.day.unwrap_or(1));
    match by {
        CountBy::Year => PartialDate::new(d.year, None, None),
        CountBy::Month => PartialDate::new(d.year, Some(m), None),
        _ => PartialDate::new(d.year, Some(m), Some(day)),
    }
}

/// The last period of `by` that a date bound `d` covers (`2023` by month: `2023-12`).
fn last_period(d: PartialDate, by: CountBy) -> Option<PartialDate> {
    let m = d.month.unwrap_or(12);
    let day = d
        .day
        .unwrap_or_else(|| crate::corpus::date::days_in_month(d.year, m));
    match by {
        CountBy::Year => PartialDate::new(d.year, None, None),
        CountBy::Month => PartialDate::new(d.year, Some(m), None),
        _ => PartialDate::new(d.year, Some(m), Some(day)),
    }
}

/// Every period from the first to the last of `known` (or of `window`, the filter's dates, where given),
/// with zeros where nothing matched. Errors ([`crate::Error::Query`]): more than [`MAX_PERIODS`] periods.
fn fill_gaps(
    known: BTreeMap<String, Bucket>,
    by: CountBy,
    window: (Option<PartialDate>, Option<PartialDate>),
) -> crate::Result<Vec<Bucket>> {
    let parse = |k: Option<&String>| k.and_then(|k| PartialDate::parse(k));
    let (Some(mut at), Some(last)) = (
        window.0.or_else(|| parse(known.keys().next())),
        window.1.or_else(|| parse(known.keys().next_back())),
    ) else {
        return Ok(known.into_values().collect());
    };
    // Count first: a stray date (1850, 9999) must not make millions of rows.
    let (mut n, mut p) = (1usize, at);
    while p < last && n <= MAX_PERIODS {
        match next_period(p, by) {
            Some(q) => p = q,
            None => break,
        }
        n += 1;
    }
    if n > MAX_PERIODS {
        let unit = match by {
            CountBy::Year => "years",
            CountBy::Month => "months",
            _ => "days",
        };
        return Err(crate::Error::Query(format!(
            "more than {MAX_PERIODS} {unit} from {at} to {last} to count; narrow the dates with --since and --until, or count by a longer period"
        )));
    }
    let mut out = Vec::new();
    let mut known = known;
    loop {
        let key = at.to_string();
        out.push(known.remove(&key).unwrap_or(Bucket {
            key,
            articles: 0,
            passages: 0,
        }));
        if at >= last {
            break;
        }
        at = match next_period(at, by) {
            Some(n) => n,
            None => break,
        };
    }
    Ok(out)
}

/// The period after `d`: the next year, month or day.
fn next_period(d: PartialDate, by: CountBy) -> Option<PartialDate> {
    match by {
        CountBy::Year => PartialDate::new(d.year + 1, None, None),
        CountBy::Month => match d.month? {
            12 => PartialDate::new(d.year + 1, Some(1), None),
            m => PartialDate::new(d.year, Some(m + 1), None),
        },
        _ => {
            let (m, day) = (d.month?, d.day?);
            PartialDate::new(d.year, Some(m), Some(day + 1))
                .or_else(|| PartialDate::new(d.year, Some(m + 1), Some(1)))
                .or_else(|| PartialDate::new(d.year + 1, Some(1), Some(1)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_follow_the_calendar() {
        let d = |s| PartialDate::parse(s).unwrap();
        let next = |s, by| next_period(d(s), by).unwrap().to_string();
        assert_eq!(next("2023-01-31", CountBy::Day), "2023-02-01");
        assert_eq!(next("2024-02-28", CountBy::Day), "2024-02-29");
        assert_eq!(next("2023-02-28", CountBy::Day), "2023-03-01");
        assert_eq!(next("2023-12-31", CountBy::Day), "2024-01-01");
        assert_eq!(next("2023-12", CountBy::Month), "2024-01");
        assert_eq!(next("2023-05", CountBy::Month), "2023-06");
        assert_eq!(next("1999", CountBy::Year), "2000");
    }

    #[test]
    fn gaps_are_filled_with_zeros() {
        let b = |k: &str, n| {
            (
                k.to_string(),
                Bucket {
                    key: k.to_string(),
                    articles: n,
                    passages: n,
                },
            )
        };
        let filled = fill_gaps(
            [b("2023-11", 2), b("2024-02", 1)].into_iter().collect(),
            CountBy::Month,
            (None, None),
        )
        .unwrap();
        let keys: Vec<(&str, usize)> = filled
            .iter()
            .map(|b| (b.key.as_str(), b.articles))
            .collect();
        assert_eq!(
            keys,
            [
                ("2023-11", 2),
                ("2023-12", 0),
                ("2024-01", 0),
                ("2024-02", 1)
            ]
        );
        assert!(
            fill_gaps(BTreeMap::new(), CountBy::Year, (None, None))
                .unwrap()
                .is_empty()
        );
        // The filter's dates set the window; a stray date makes too many rows, an error.
        let d = |s| PartialDate::parse(s);
        let filled = fill_gaps(
            [b("2023-02", 1)].into_iter().collect(),
            CountBy::Month,
            (
                d("2023").and_then(|d| first_period(d, CountBy::Month)),
                d("2023-03-15").and_then(|d| last_period(d, CountBy::Month)),
            ),
        )
        .unwrap();
        let keys: Vec<&str> = filled.iter().map(|b| b.key.as_str()).collect();
        assert_eq!(keys, ["2023-01", "2023-02", "2023-03"]);
        let stray = fill_gaps(
            [b("1850-01-01", 1), b("2023-01-01", 1)]
                .into_iter()
                .collect(),
            CountBy::Day,
            (None, None),
        );
        assert!(stray.is_err());
    }
}
