//! From a parsed query to ranked hits with snippets. No I/O besides the index, no colours: the printer
//! in [`crate::output`] turns [`SearchResults`] into text.
//!
//! Matching follows the query's [`MatchRule`]: a keyword query's hits contain every term (its character
//! phrase is required, and what tantivy cannot decide is checked on the text), a question's need not.
//!
//! Ranking, in two stages:
//! 1. tantivy scores every matching passage with a sum of BM25 scores: the query's jieba words on the word
//!    view, the same words as exact character phrases on the character view (evidence that survives a
//!    different segmentation), and the whole term as one character phrase (a bonus for an exact, adjacent
//!    match).
//! 2. The best candidates are re-scored by *coverage*, the share of the query that occurs in the passage
//!    (for a term that is not present whole, the share of its characters covered by its words), so that a
//!    passage matching more of a multi-word query or question ranks first. Ties break by path and ordinal.

mod articles;
pub mod batch;
pub mod filter;
mod plan;
pub mod query;
mod rerank;
pub mod show;
pub mod snippet;
pub mod trend;
mod weights;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use serde::Serialize;
use tantivy::schema::Value;

use crate::index::SearchIndex;
use crate::index::reprints::{self, Reprints};
pub use filter::{Filters, Sort};
use rerank::{
    Candidate, MatchSet, Reading, candidates, cmp_candidates, get_str, get_u64, per_article_cap,
};
use snippet::{Match, make_snippet};
pub use trend::{Breakdown, Bucket, CountBy, count_by};
pub use weights::Ranking;

/// How a query's terms decide which passages are hits (the README's "Query syntax" states it for users).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchRule {
    /// A keyword query: a hit contains every term (or one of a group's alternatives) literally, after
    /// normalization ([`query`]'s rules). When no passage does, the best partial matches are returned,
    /// marked [`MatchKind::Partial`].
    AllTerms,
    /// A natural question ([`query::is_question`]) or a `--plain` query (a pasted headline): passages are
    /// ranked by how much of the query they cover and need not contain all of it.
    Coverage,
}

/// Whether a hit contains the whole query.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchKind {
    /// Every term (one alternative of every group) occurs in the passage.
    Full,
    /// Some terms do not occur in the passage: [`Hit::missing`] names them.
    Partial,
}

/// What to search for.
#[derive(Debug, Clone, Default)]
pub struct SearchRequest {
    /// The query string, in sou's query language ([`query`]).
    pub query: String,
    /// How many hits to return.
    pub limit: usize,
    /// Snippet length in characters; 0: no snippets (empty `snippet` and `highlights`).
    pub snippet_chars: usize,
    /// Keep at most this many passages per article (None: no limit); each hit then says how many more
    /// passages of its article the query finds ([`Hit::more_passages`]).
    pub per_article: Option<usize>,
    /// Read the query as plain text, without operators ([`query::parse_plain`]).
    pub plain: bool,
    /// Which articles may be hits.
    pub filters: Filters,
    /// The order of the hits.
    pub sort: Sort,
    /// Show one article per reprint group, the best ranked ([`crate::index::reprints`]); false: all.
    pub collapse: bool,
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
    /// Article id: the path for a text file, `path#a2` for the second article of a newspaper page, the
    /// record's id for a JSON Lines archive.
    pub id: String,
    /// The same as `id`, under the name the rest of the output uses for it.
    pub article: String,
    /// The id that `sou show` takes for the article ([`show`]): `id`, unless the hit is a JSON Lines record
    /// whose id other articles have too: then `path#id`.
    pub show_id: String,
    /// The article's kicker (引题), if known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kicker: Option<String>,
    /// The article's byline, if known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub byline: Option<String>,
    /// The article's source (agency or paper), if known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// The place of the article's dateline, if known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub place: Option<String>,
    /// The article's date, where known (a record's date field, a dateline, the corpus settings or the file's
    /// path): `YYYY-MM-DD`, `YYYY-MM` or `YYYY`, or as the record wrote it when sou can't read it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// Line of the record in its JSON Lines file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
    /// For an article of a PDF: its page, 1-based ([`pdf_page`] of its id, `path:p3#a2`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page: Option<u32>,
    /// First character of the passage in its file: a character (not byte) offset into the decoded text, BOM
    /// excluded; for a JSON Lines record, into the record's body.
    pub start: usize,
    /// One past the last character of the passage (so `[start, end)` is half-open, in characters).
    pub end: usize,
    /// For a passage re-joined from pieces of its file (a sentence broken across a page's columns): the
    /// pieces' half-open character ranges, in reading order (which may go back in the file); `text` is their
    /// characters concatenated and `[start, end)` the smallest range that covers them. Omitted from JSON when
    /// the passage is the one range `[start, end)`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub pieces: Vec<[usize; 2]>,
    /// The whole passage, original characters.
    pub text: String,
    /// The snippet shown for the hit.
    pub snippet: String,
    /// Highlighted ranges in `snippet`: half-open character offsets.
    pub highlights: Vec<[usize; 2]>,
    /// Highlighted ranges in `title`, half-open character offsets: for the lead passage of an article whose
    /// title counts as part of it, a title that is no passage of its own (omitted from JSON when empty).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub title_highlights: Vec<[usize; 2]>,
    /// The same for `kicker` (omitted when empty).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub kicker_highlights: Vec<[usize; 2]>,
    /// Whether the passage contains the whole query.
    #[serde(rename = "match")]
    pub matched: MatchKind,
    /// The terms (a group of alternatives as `a OR b`, a phrase in quotes) that a partial match lacks, in
    /// query order; empty for a full match.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub missing: Vec<String>,
    /// With a cap on passages per article ([`SearchRequest::per_article`]): how many more passages of the
    /// article the query finds than the hits show (on the last hit of the article; omitted from JSON when 0).
    #[serde(skip_serializing_if = "is_zero")]
    pub more_passages: usize,
    /// The article's reprint group, if it has reprints in the index: the id of the group's first article
    /// (least [`crate::index::article_key`]), the same for every member ([`crate::index::reprints`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reprint_group: Option<String>,
    /// How many other articles of the index are in its reprint group (whether they match the query or
    /// not); 0 (omitted from JSON) for an article without reprints.
    #[serde(skip_serializing_if = "is_zero")]
    pub reprints: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// The answer to a [`SearchRequest`].
#[derive(Debug, Clone)]
pub struct SearchResults {
    /// The query as given.
    pub query: String,
    /// The hits, best first.
    pub hits: Vec<Hit>,
    /// How many passages contain the whole query (full matches), in the whole index.
    pub total: usize,
    /// The rule the query was read under.
    pub rule: MatchRule,
    /// The order of the hits.
    pub sort: Sort,
    /// Time spent searching.
    pub elapsed: Duration,
    /// Whether the answer may lack passages: a search of a SolrCloud collection of which some shard had no
    /// live replica ([`crate::solr::search`]). Never true for a local index.
    pub partial: bool,
}

/// Reads the query under its rule: a question or `--plain` query as plain text, any other in the query
/// language.
fn parse(req: &SearchRequest) -> crate::Result<(MatchRule, query::Query)> {
    req.filters.check()?;
    if req.plain || query::is_question(&req.query) {
        Ok((MatchRule::Coverage, query::parse_plain(&req.query)?))
    } else {
        Ok((MatchRule::AllTerms, query::parse(&req.query)?))
    }
}

/// How a group is named to the user: its items in query order, a phrase in quotes, alternatives joined by
/// ` OR `.
fn group_text(g: &query::Group) -> String {
    g.items
        .iter()
        .map(|i| match i {
            query::Item::Term(t) => t.clone(),
            query::Item::Phrase(t) => format!("\"{t}\""),
        })
        .collect::<Vec<_>>()
        .join(" OR ")
}

/// The best `limit` candidates of `plan` (at most `per_article` per article; with `collapse`, one article
/// per reprint group), best first, the number of passages the plan matches, and with a cap per article
/// the number of matching passages of each article, where the search could count them on the way.
fn rank(
    idx: &SearchIndex,
    searcher: &tantivy::Searcher,
    plan: &plan::Plan,
    req: &SearchRequest,
    collapse: Option<&Reprints>,
) -> crate::Result<(Vec<Candidate>, usize, Option<MatchSet>)> {
    if req.sort != Sort::Relevance {
        let (cands, total) = articles::by_date(idx, searcher, plan, req, collapse)?;
        return Ok((cands, total, None));
    }
    let limit = req.limit.max(1);
    let docs = (searcher.num_docs() as usize).max(1);
    let mut pool = limit.saturating_mul(3).max(50).min(docs);
    // Collapsed reprints are not known to the early stop of `candidates`: once some are, look at the whole pool.
    let mut early_stop = true;
    loop {
        let (mut cands, total, match_set) = candidates(
            idx,
            searcher,
            plan,
            pool,
            limit,
            req.per_article,
            Reading {
                early_stop,
                record_matches: req.per_article.is_some(),
            },
        )?;
        cands.sort_by(cmp_candidates);
        if req.per_article.is_none() && collapse.is_none() {
            cands.truncate(limit);
            return Ok((cands, total, match_set));
        }
        // At most n passages per article, one article per reprint group; if that leaves too few, look
        // further down the ranking.
        let mut keep = per_article_cap(req.per_article);
        let mut one = collapse.map(|r| r.one_per_group());
        let mut collapsed = false;
        let kept: Vec<Candidate> = cands
            .into_iter()
            .filter(|c| {
                let shown = one.as_mut().is_none_or(|f| f(&c.path, &c.id));
                collapsed |= !shown;
                shown && keep(c)
            })
            .take(limit)
            .collect();
        if kept.len() >= limit || (pool >= total && !(collapsed && early_stop)) {
            return Ok((kept, total, match_set));
        }
        if collapsed {
            early_stop = false;
        }
        pool = pool.saturating_mul(4).min(docs.max(total));
    }
}

/// The plan, restricted to the articles that the request's filters let through.
fn filtered(
    mut plan: plan::Plan,
    req: &SearchRequest,
    idx: &SearchIndex,
) -> crate::Result<plan::Plan> {
    let filters = filter::resolve_sources(idx, &req.filters)?;
    filter::restrict(&mut plan, &filters, &idx.fields);
    Ok(plan)
}

/// Counts of [`count`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Passages that contain the whole query.
    pub passages: usize,
    /// Articles with at least one such passage.
    pub articles: usize,
}

/// Counts the passages that contain the whole query (every term, whatever the query's [`MatchRule`]) and
/// their articles, without ranking or reading passages (except where a match must be checked on the text:
/// punctuation inside a phrase, a number's bounds). `limit`, `snippet_chars` and `per_article` of `req` are
/// ignored. Errors: as [`search`].
pub fn count(idx: &SearchIndex, req: &SearchRequest) -> crate::Result<Counts> {
    let (_, parsed) = parse(req)?;
    let searcher = idx.reader.searcher();
    let plan = filtered(plan::plan(idx, &searcher, &parsed, true)?, req, idx)?;
    let docs = rerank::matching_docs(idx, &searcher, &plan)?;
    let mut articles: std::collections::HashSet<String> = std::collections::HashSet::new();
    let mut by_segment: std::collections::HashMap<u32, Vec<u32>> = std::collections::HashMap::new();
    for d in &docs {
        by_segment.entry(d.segment_ord).or_default().push(d.doc_id);
    }
    for (seg, ids) in by_segment {
        let reader = searcher.segment_reader(seg);
        let Some(column) = reader.fast_fields().str(crate::index::ARTICLE_FIELD)? else {
            continue;
        };
        let ords: std::collections::HashSet<u64> = ids
            .iter()
            .flat_map(|&d| column.term_ords(d).collect::<Vec<_>>())
            .collect();
        let mut key = String::new();
        for ord in ords {
            let found = column
                .ord_to_str(ord, &mut key)
                .map_err(|e| crate::Error::io(&idx.dir, e))?;
            if found {
                articles.insert(std::mem::take(&mut key));
            }
        }
    }
    Ok(Counts {
        passages: docs.len(),
        articles: articles.len(),
    })
}

/// The query that finds the passages of `req` that contain the whole query (every term, whatever its
/// [`MatchRule`], with the request's filters), as a [`QueryTree`](crate::index::query_tree::QueryTree): what
/// a search counts, and what an engine other than the local index's tantivy (a SolrCloud collection) runs
/// to find the same passages. Some of them may still fail a check on their text (a match across
/// punctuation, the end of a Latin word), which the re-ranking makes. Errors: as [`search`].
pub fn plan_tree(
    idx: &SearchIndex,
    req: &SearchRequest,
) -> crate::Result<crate::index::query_tree::QueryTree> {
    let (_, parsed) = parse(req)?;
    let searcher = idx.reader.searcher();
    let full = filtered(plan::plan(idx, &searcher, &parsed, true)?, req, idx)?;
    Ok(full.tree)
}

/// The queries whose matches are the candidates of a search, for an engine other than the local index's
/// tantivy (a SolrCloud collection): the tree of the passages that contain the whole query ([`plan_tree`]),
/// and the tree of those that contain some of it, whose best are the hits of a question or `--plain` query
/// (and of a keyword query that no passage contains whole). The request's filters apply to both. Errors: as
/// [`search`].
pub fn candidate_trees(
    idx: &SearchIndex,
    req: &SearchRequest,
) -> crate::Result<(
    crate::index::query_tree::QueryTree,
    crate::index::query_tree::QueryTree,
)> {
    let (rule, parsed) = parse(req)?;
    let searcher = idx.reader.searcher();
    let (full, some) = match rule {
        MatchRule::Coverage => plan::plans(idx, &searcher, &parsed)?,
        MatchRule::AllTerms => (
            plan::plan(idx, &searcher, &parsed, true)?,
            plan::plan(idx, &searcher, &parsed, false)?,
        ),
    };
    Ok((
        filtered(full, req, idx)?.tree,
        filtered(some, req, idx)?.tree,
    ))
}

/// Runs a search: reads `req.query` under its [`MatchRule`] (a question or `req.plain`:
/// [`query::parse_plain`] and [`MatchRule::Coverage`]; otherwise [`query::parse`] and
/// [`MatchRule::AllTerms`]), finds the matching passages, re-ranks the best, and returns at most `req.limit`
/// hits (a limit of zero counts as one) with snippets of `req.snippet_chars` characters. Under
/// [`MatchRule::AllTerms`], when no passage contains the whole query, the hits are the best partial matches.
/// Every hit has at least one match in its text. Errors: [`crate::Error::Query`] for a query that can't be
/// run (nothing to search for, only exclusions, too long), [`crate::Error::Tantivy`] if reading the index
/// fails.
pub fn search(idx: &SearchIndex, req: &SearchRequest) -> crate::Result<SearchResults> {
    let started = Instant::now();
    let (rule, parsed) = parse(req)?;
    let searcher = idx.reader.searcher();
    let f = idx.fields;
    // A question or --plain query needs both plans (the full one only counts); a keyword query needs the
    // partial one only when nothing matches in full.
    let (full, partial) = match rule {
        MatchRule::Coverage => {
            let (full, some) = plan::plans(idx, &searcher, &parsed)?;
            (full, Some(some))
        }
        MatchRule::AllTerms => (plan::plan(idx, &searcher, &parsed, true)?, None),
    };
    let full = filtered(full, req, idx)?;
    let reprints = Reprints::load_cached(idx, &searcher)?;
    let collapse = (req.collapse && !reprints.is_empty()).then_some(&*reprints);
    // The plan whose matches are the hits.
    let (ranked, total, used, match_set) = match partial {
        // A keyword query.
        None => match rank(idx, &searcher, &full, req, collapse)? {
            (ranked, total, set) if total > 0 => (ranked, total, full, set),
            // No passage has it all: the best of those that have some of it.
            _ => {
                let mut some = filtered(plan::plan(idx, &searcher, &parsed, false)?, req, idx)?;
                some.require_unit = true;
                let (ranked, _, set) = rank(idx, &searcher, &some, req, collapse)?;
                (ranked, 0, some, set)
            }
        },
        // A question or --plain query.
        Some(some) => {
            let some = filtered(some, req, idx)?;
            let total = rerank::count_matches(idx, &searcher, &full)?;
            let (ranked, _, set) = rank(idx, &searcher, &some, req, collapse)?;
            (ranked, total, some, set)
        }
    };
    // With a cap per article: how many passages of each shown article the query finds, to say how many
    // more there are (on the article's last hit).
    let mut more: Vec<usize> = vec![0; ranked.len()];
    if req.per_article.is_some() {
        let keys: Vec<String> = ranked
            .iter()
            .map(|c| crate::index::article_key(&c.path, &c.id))
            .collect();
        let mut distinct = keys.clone();
        distinct.sort();
        distinct.dedup();
        // Counted while ranking where the index alone decides the matches; else by searching again within
        // the shown articles.
        let found: HashMap<String, usize> = match &match_set {
            Some(set) => distinct
                .iter()
                .map(|k| Ok((k.clone(), set.per_article(&searcher, f.article, k)?)))
                .collect::<crate::Result<_>>()?,
            None => articles::passages_per_article(idx, &searcher, &used, &distinct)?,
        };
        for (i, key) in keys.iter().enumerate() {
            if keys[i + 1..].contains(key) {
                continue;
            }
            let shown = keys.iter().filter(|k| *k == key).count();
            more[i] = found.get(key).copied().unwrap_or(0).saturating_sub(shown);
        }
    }

    let mut hits: Vec<Hit> = ranked
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
            let opt = |field| Some(get_str(&c.doc, field)).filter(|s| !s.is_empty());
            let kicker = opt(f.kicker);
            // The headline's matches, in the title or after it in the kicker.
            let title_chars = get_str(&c.doc, f.title).chars().count();
            let kicker_at = title_chars + crate::index::schema::HEADLINE_SEPARATOR.chars().count();
            let mut spans: Vec<(usize, usize)> = c
                .title_spans
                .iter()
                .map(|&(s, e, _)| c.title_norm.to_original(s, e))
                .collect();
            snippet::merge_ranges(&mut spans);
            let title_hl: Vec<[usize; 2]> = spans
                .iter()
                .filter(|r| r.1 <= title_chars)
                .map(|&(a, b)| [a, b])
                .collect();
            let kicker_hl: Vec<[usize; 2]> = spans
                .iter()
                .filter(|r| r.0 >= kicker_at && kicker.is_some())
                .map(|&(a, b)| [a - kicker_at, b - kicker_at])
                .collect();
            let pieces: Vec<u64> = c.doc.get_all(f.pieces).filter_map(|v| v.as_u64()).collect();
            let group = reprints.group_of_article(&c.path, &c.id);
            let page = pdf_page(&c.path, &c.id);
            Hit {
                reprint_group: group
                    .as_ref()
                    .map(|g| reprints::shown_id(&g.id).to_string()),
                reprints: group.as_ref().map_or(0, |g| g.size - 1),
                rank: i + 1,
                score: c.score,
                path: c.path,
                passage: c.ordinal,
                title: match get_str(&c.doc, f.title) {
                    t if t.is_empty() => c.id.clone(),
                    t => t,
                },
                article: c.id.clone(),
                show_id: String::new(), // (set below)
                id: c.id,
                kicker,
                byline: opt(f.byline),
                source: opt(f.source),
                place: opt(f.place),
                date: (!date.is_empty()).then_some(date),
                line: c.doc.get_first(f.line).and_then(|v| v.as_u64()),
                page,
                start: get_u64(&c.doc, f.start) as usize,
                end: get_u64(&c.doc, f.end) as usize,
                pieces: pieces
                    .chunks_exact(2)
                    .map(|p| [p[0] as usize, p[1] as usize])
                    .collect(),
                text,
                snippet: snip.text,
                highlights: snip.highlights.into_iter().map(|(a, b)| [a, b]).collect(),
                title_highlights: title_hl,
                kicker_highlights: kicker_hl,
                matched: if c.missing.is_empty() {
                    MatchKind::Full
                } else {
                    MatchKind::Partial
                },
                missing: c
                    .missing
                    .iter()
                    .map(|&g| group_text(&parsed.groups[g]))
                    .collect(),
                more_passages: more[i],
            }
        })
        .collect();
    show::set_show_ids(idx, &searcher, &mut hits)?;
    Ok(SearchResults {
        query: req.query.clone(),
        hits,
        total,
        rule,
        sort: req.sort,
        elapsed: started.elapsed(),
        partial: false,
    })
}

/// The page of an article of a PDF, from its id: `path:pN#aK` ([`crate::corpus::split_pdf`] gives PDF
/// articles such ids, and only them) gives `N`. None for any other id.
pub fn pdf_page(path: &str, id: &str) -> Option<u32> {
    let rest = id.strip_prefix(path)?.strip_prefix(":p")?;
    let (page, article) = rest.split_once("#a")?;
    article.parse::<u32>().ok()?;
    page.parse().ok()
}
