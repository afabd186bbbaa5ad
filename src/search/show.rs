//! One whole article, rebuilt from its passages, with a query's matches marked (`sou show`).
//!
//! **Ids.** An article is named by its *show id* ([`Hit::show_id`](super::Hit::show_id), what
//! `sou show` takes): its path for a text file, `path#a2` for the second article of a newspaper page, and for
//! a record of a JSON Lines archive its `id` when no other article has that id, else `path#id`
//! (`2016.jsonl#xwlb-01`). [`article`] takes any of these, also a record's bare `id` when it names several
//! articles (then [`crate::Error::ArticleId`] lists their `path#id` forms), and a show id followed by `#N`
//! (a hit line's `id#passage`): the article, with passage `N` as [`Article::focus`].
//!
//! **Body.** The passages are the article's paragraphs, a long paragraph cut at sentence ends, in ordinal
//! order (for records of an archive whose id repeats in one file: by line, then ordinal). The body is their
//! texts joined: a passage that starts where the previous one ended (in its file, or in its record's body)
//! continues its paragraph; one that starts one whitespace character further continues it too (joined by a
//! space between Latin characters, directly between Chinese ones); any other starts a new paragraph. The
//! original file is not read: the corpus need not be at hand.
//!
//! **Matches.** A query is read as `sou search` reads it (a question or `plain`: ranked by coverage; else a
//! keyword query) and planned the same way (`search::plan`); its matches are the highlights a hit's snippet
//! would show (the whole term, and the query's words in it, `search::rerank`'s spans), merged
//! ([`super::snippet::merge_ranges`]), in every passage and in the title and kicker. Every offset here is in
//! characters (Unicode scalar values, never bytes), every range half-open `[start, end)`.

use std::collections::BTreeSet;

use serde::Serialize;
use tantivy::collector::{Count, DocSetCollector};
use tantivy::query::TermQuery;
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{DocAddress, TantivyDocument, Term};

use super::plan::{self, Pattern, literal};
use super::rerank::{find_all, get_str, get_u64, item_presence};
use super::{Hit, MatchRule, query};
use crate::index::SearchIndex;
use crate::index::schema::article_key;
use crate::text::normalize::{is_latin, normalize};

/// An article as `sou show` prints it. Serialized as the one JSON object of `sou show --json`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Article {
    /// The article's id, as a hit's `id`: its path for a text file, `path#aN` for an article of a page, the
    /// record's id for a JSON Lines record.
    pub id: String,
    /// The id `sou show` takes for it (see the [module docs](self)).
    pub show_id: String,
    /// Its file, relative to the corpus root, `/`-separated.
    pub path: String,
    /// For a JSON Lines record: its line in the file (1-based; the first, if the id repeats in the file).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
    /// Its title (a record without one: its id).
    pub title: String,
    /// Matches in `title`: half-open character ranges, sorted, merged (omitted when empty).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub title_highlights: Vec<[usize; 2]>,
    /// Its kicker (引题), if known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kicker: Option<String>,
    /// Matches in `kicker`, as `title_highlights`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub kicker_highlights: Vec<[usize; 2]>,
    /// Its source (agency or paper), if known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Its date (`YYYY-MM-DD`, or as the record gives it), if known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// Its byline (reporters), if known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub byline: Option<String>,
    /// The place of its dateline, if known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub place: Option<String>,
    /// The query, as given (absent without one).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub query: Option<String>,
    /// The rule the query was read under (absent without a query).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub match_rule: Option<MatchRule>,
    /// Does the article match the query? A keyword query: every term (one alternative of each group) occurs
    /// in it (anywhere: title, kicker or any passage) and no excluded one does; a question or plain query:
    /// something of it is marked. Absent without a query.
    #[serde(rename = "match", skip_serializing_if = "Option::is_none")]
    pub matched: Option<bool>,
    /// A keyword query's terms that the article lacks (a phrase in quotes, alternatives as `a OR b`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub missing: Vec<String>,
    /// A keyword query's excluded terms that the article contains.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub excluded: Vec<String>,
    /// The passage named by an id ending in `#N` (its ordinal), if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub focus: Option<u32>,
    /// How many passages the article has (all of them are in `passages`, unless a printer keeps only some:
    /// `sou show --around`).
    pub passage_count: usize,
    /// Every match of the query in the passages, in body order (none without a query).
    pub hits: Vec<ArticleHit>,
    /// The passages, in order.
    pub passages: Vec<ArticlePassage>,
}

/// One passage of an [`Article`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ArticlePassage {
    /// Its ordinal in the article (as a hit's `passage`).
    pub ordinal: u32,
    /// Its 0-based paragraph in the body.
    pub paragraph: usize,
    /// What joins it to the previous passage in the body: `""` (or `" "` between Latin characters) within a
    /// paragraph, `"\n\n"` before a new paragraph, `""` for the first.
    pub sep: &'static str,
    /// Character offset of its text in the body (the passages' `sep` and `text` concatenated).
    pub offset: usize,
    /// Its half-open character range in its file (or its record's body), as a hit's `start` and `end`.
    pub start: usize,
    /// (See `start`.)
    pub end: usize,
    /// For a passage re-joined from pieces of a page: their half-open character ranges in the file, in
    /// reading order (omitted otherwise), as a hit's `pieces`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub pieces: Vec<[usize; 2]>,
    /// Its text, original characters.
    pub text: String,
    /// The query's matches in `text`: half-open character ranges, sorted, merged (omitted when empty).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub highlights: Vec<[usize; 2]>,
}

/// Where one match of the query sits in an [`Article`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ArticleHit {
    /// The ordinal of its passage.
    pub passage: u32,
    /// Its half-open character range in the passage's text.
    pub range: [usize; 2],
    /// Its half-open character range in the body ([`ArticlePassage::offset`]).
    pub body: [usize; 2],
    /// Its half-open character range in the file (or the record's body); for a match that spans two pieces
    /// of a re-joined passage, from the first's start to the second's end.
    pub file: [usize; 2],
    /// The matched text.
    pub text: String,
}

impl Article {
    /// The body: the passages' separators and texts, concatenated (offsets of [`ArticlePassage::offset`]).
    pub fn body(&self) -> String {
        self.passages
            .iter()
            .flat_map(|p| [p.sep, p.text.as_str()])
            .collect()
    }

    /// The passages to show with `around` passages of context on either side of each passage with a match
    /// (or, without a query, of the [`Article::focus`] passage): runs of indexes into `passages`, in order,
    /// not touching one another. Empty when there is nothing to be around.
    pub fn neighbourhood(&self, around: usize) -> Vec<std::ops::Range<usize>> {
        let centres: BTreeSet<usize> = self
            .passages
            .iter()
            .enumerate()
            .filter(|(_, p)| {
                !p.highlights.is_empty() || (self.query.is_none() && self.focus == Some(p.ordinal))
            })
            .map(|(i, _)| i)
            .collect();
        let mut runs: Vec<std::ops::Range<usize>> = Vec::new();
        for c in centres {
            let (a, b) = (
                c.saturating_sub(around),
                (c + around + 1).min(self.passages.len()),
            );
            match runs.last_mut() {
                Some(r) if a <= r.end => r.end = r.end.max(b),
                _ => runs.push(a..b),
            }
        }
        runs
    }
}

/// The article that `id` names (see the [module docs](self) for the forms of ids), rebuilt from its
/// passages, with the matches of `query` marked (read as `sou search` reads it; `plain`: as plain text,
/// ranked by coverage like a question). Errors: [`crate::Error::ArticleId`] for an id that names no article
/// (with the closest ids) or several (with their `path#id` forms); [`crate::Error::Query`] for a query
/// that can't be run; [`crate::Error::Tantivy`] if reading the index fails.
pub fn article(
    idx: &SearchIndex,
    id: &str,
    query: Option<&str>,
    plain: bool,
) -> crate::Result<Article> {
    let searcher = idx.reader.searcher();
    let (key, focus) = resolve(idx, &searcher, id)?;
    let f = idx.fields;
    let q = TermQuery::new(
        Term::from_field_text(f.article, &key),
        IndexRecordOption::Basic,
    );
    let mut docs: Vec<TantivyDocument> = Vec::new();
    for addr in searcher.search(&q, &DocSetCollector)? {
        docs.push(searcher.doc(addr)?);
    }
    docs.sort_by_key(|d| (get_u64(d, f.line), get_u64(d, f.ordinal)));
    let Some(first) = docs.first() else {
        return Err(unknown(idx, &searcher, id));
    };
    if let Some(n) = focus
        && !art_has(&docs, f, n)
    {
        let last = docs
            .iter()
            .map(|d| get_u64(d, f.ordinal))
            .max()
            .unwrap_or(0);
        return Err(crate::Error::ArticleId(format!(
            "'{id}': the article has no passage {n} (its passages are 0–{last})"
        )));
    }
    let (path, article_id) = (get_str(first, f.path), get_str(first, f.id));
    let opt = |field| Some(get_str(first, field)).filter(|s| !s.is_empty());
    let title = match get_str(first, f.title) {
        t if t.is_empty() => article_id.clone(),
        t => t,
    };
    let mut passages: Vec<ArticlePassage> = Vec::with_capacity(docs.len());
    let mut previous: Option<(usize, char)> = None; // (end in the file, last char)
    let (mut paragraph, mut offset) = (0, 0);
    for d in &docs {
        let text = get_str(d, f.text);
        let pieces: Vec<[usize; 2]> = d
            .get_all(f.pieces)
            .filter_map(|v| v.as_u64())
            .collect::<Vec<_>>()
            .chunks_exact(2)
            .map(|p| [p[0] as usize, p[1] as usize])
            .collect();
        let (start, end) = (get_u64(d, f.start) as usize, get_u64(d, f.end) as usize);
        let first_at = pieces.first().map_or(start, |p| p[0]);
        let first_char = text.chars().next().unwrap_or(' ');
        let sep = match previous {
            None => "",
            Some((at, _)) if first_at == at => "",
            Some((at, last)) if first_at == at + 1 && (is_latin(last) || is_latin(first_char)) => {
                " "
            }
            Some((at, _)) if first_at == at + 1 => "",
            Some(_) => {
                paragraph += 1;
                "\n\n"
            }
        };
        offset += sep.chars().count();
        let len = text.chars().count();
        previous = Some((
            pieces.last().map_or(end, |p| p[1]),
            text.chars().last().unwrap_or(' '),
        ));
        passages.push(ArticlePassage {
            ordinal: get_u64(d, f.ordinal) as u32,
            paragraph,
            sep,
            offset,
            start,
            end,
            pieces,
            text,
            highlights: Vec::new(),
        });
        offset += len;
    }
    let show_id = show_id(&searcher, idx, &path, &article_id)?;
    let mut art = Article {
        id: article_id,
        show_id,
        line: first.get_first(f.line).and_then(|v| v.as_u64()),
        path,
        title,
        title_highlights: Vec::new(),
        kicker: opt(f.kicker),
        kicker_highlights: Vec::new(),
        source: opt(f.source),
        date: opt(f.date),
        byline: opt(f.byline),
        place: opt(f.place),
        query: query.map(str::to_string),
        match_rule: None,
        matched: None,
        missing: Vec::new(),
        excluded: Vec::new(),
        focus: focus.filter(|n| art_has(&docs, f, *n)),
        passage_count: passages.len(),
        hits: Vec::new(),
        passages,
    };
    if let Some(q) = query {
        mark(idx, &searcher, &mut art, q, plain)?;
    }
    Ok(art)
}

/// Does one of `docs` have ordinal `n`?
fn art_has(docs: &[TantivyDocument], f: crate::index::Fields, n: u32) -> bool {
    docs.iter().any(|d| get_u64(d, f.ordinal) == u64::from(n))
}

/// Marks the matches of `q` in `art`, and says whether it matches.
fn mark(
    idx: &SearchIndex,
    searcher: &tantivy::Searcher,
    art: &mut Article,
    q: &str,
    plain: bool,
) -> crate::Result<()> {
    let (rule, parsed) = if plain || query::is_question(q) {
        (MatchRule::Coverage, query::parse_plain(q)?)
    } else {
        (MatchRule::AllTerms, query::parse(q)?)
    };
    let plan = plan::plan(idx, searcher, &parsed, true)?;
    // Marks `text`'s matches; notes which groups occur in it.
    let mut present = vec![false; plan.groups.len()];
    let mut excluded = vec![false; parsed.excluded.len()];
    let excluded_pats: Vec<Pattern> = parsed.excluded.iter().map(literal).collect();
    let mut marks = |text: &str| -> Vec<[usize; 2]> {
        let norm = normalize(text);
        let hay: Vec<char> = norm.text.chars().collect();
        let mut spans = Vec::new();
        match rule {
            // A keyword query's matches are its terms, whole, as a hit of `sou search` must contain them
            // (not the words inside a term, which only rank).
            MatchRule::AllTerms => {
                for p in plan.literals.iter().flatten() {
                    let n = p.chars.len();
                    spans.extend(find_all(&hay, p).into_iter().map(|s| (s, s + n, 1.0)));
                }
            }
            // A question's: whatever of it occurs, as its hits highlight it.
            MatchRule::Coverage => {
                for g in &plan.groups {
                    for item in g {
                        item_presence(&hay, item, &mut spans);
                    }
                }
            }
        }
        for (g, any_of) in plan.literals.iter().enumerate() {
            present[g] |= any_of.iter().any(|p| !find_all(&hay, p).is_empty());
        }
        for (k, p) in excluded_pats.iter().enumerate() {
            excluded[k] |= !find_all(&hay, p).is_empty();
        }
        let mut ranges: Vec<(usize, usize)> = spans
            .iter()
            .map(|&(s, e, _)| norm.to_original(s, e))
            .collect();
        super::snippet::merge_ranges(&mut ranges);
        ranges.into_iter().map(|(a, b)| [a, b]).collect()
    };
    // (A record without a title shows its id, which is not searched as one.)
    if art.title != art.id || art.line.is_none() {
        art.title_highlights = marks(&art.title);
    }
    if let Some(k) = &art.kicker {
        art.kicker_highlights = marks(k);
    }
    for p in &mut art.passages {
        p.highlights = marks(&p.text);
        for &[s, e] in &p.highlights {
            art.hits.push(ArticleHit {
                passage: p.ordinal,
                range: [s, e],
                body: [p.offset + s, p.offset + e],
                file: file_range(p, s, e),
                text: p.text.chars().skip(s).take(e - s).collect(),
            });
        }
    }
    art.missing = present
        .iter()
        .zip(&parsed.groups)
        .filter(|(found, _)| !**found)
        .map(|(_, g)| super::group_text(g))
        .collect();
    art.excluded = excluded
        .iter()
        .zip(&parsed.excluded)
        .filter(|(found, _)| **found)
        .map(|(_, item)| match item {
            query::Item::Term(t) => t.clone(),
            query::Item::Phrase(t) => format!("\"{t}\""),
        })
        .collect();
    let marked = !art.hits.is_empty()
        || !art.title_highlights.is_empty()
        || !art.kicker_highlights.is_empty();
    art.matched = Some(match rule {
        MatchRule::AllTerms => art.missing.is_empty() && art.excluded.is_empty(),
        MatchRule::Coverage => marked,
    });
    if rule == MatchRule::Coverage {
        // Under coverage nothing is required: what is missing is no failure, and not reported.
        art.missing.clear();
    }
    art.match_rule = Some(rule);
    Ok(())
}

/// The half-open range in the file of the characters `[s, e)` of passage `p`'s text.
fn file_range(p: &ArticlePassage, s: usize, e: usize) -> [usize; 2] {
    if p.pieces.is_empty() {
        return [p.start + s, p.start + e];
    }
    // Character `k` of the text, in the file: through the pieces, in reading order.
    let at = |k: usize| -> usize {
        let mut k = k;
        for &[a, b] in &p.pieces {
            if k < b - a {
                return a + k;
            }
            k -= b - a;
        }
        p.end
    };
    [at(s), at(e.saturating_sub(1).max(s)) + 1]
}

/// The article key ([`article_key`]) and focus passage that `id` names, or why none.
fn resolve(
    idx: &SearchIndex,
    searcher: &tantivy::Searcher,
    id: &str,
) -> crate::Result<(String, Option<u32>)> {
    let keys = candidates(idx, searcher, id)?;
    // The qualified form names its article, whatever else has that id.
    if let Some(k) = keys.iter().find(|k| qualified(k) == id) {
        return Ok((k.clone(), None));
    }
    match keys.len() {
        1 => return Ok((keys.into_iter().next().unwrap_or_default(), None)),
        0 => {}
        n => {
            let forms: Vec<String> = keys.iter().map(|k| qualified(k)).collect();
            return Err(crate::Error::ArticleId(format!(
                "'{id}' names {n} articles: {}; show one of them by that name",
                forms.join(", ")
            )));
        }
    }
    // `ID#N`: passage N of the article ID (as a hit line shows it).
    if let Some((head, n)) = id.rsplit_once('#')
        && !n.is_empty()
        && n.bytes().all(|b| b.is_ascii_digit())
        && let Ok(n) = n.parse::<u32>()
        && let Ok((key, _)) = resolve(idx, searcher, head)
    {
        return Ok((key, Some(n)));
    }
    Err(unknown(idx, searcher, id))
}

/// The article keys that `id` may name: those of the articles with that id, and those of `path#id`.
fn candidates(
    idx: &SearchIndex,
    searcher: &tantivy::Searcher,
    id: &str,
) -> crate::Result<BTreeSet<String>> {
    let f = idx.fields;
    let mut keys = BTreeSet::new();
    let by_id = TermQuery::new(Term::from_field_text(f.id, id), IndexRecordOption::Basic);
    let docs = searcher.search(&by_id, &DocSetCollector)?;
    keys.extend(article_keys(idx, searcher, docs.iter().copied())?);
    for (at, _) in id.match_indices('#') {
        let key = article_key(&id[..at], &id[at + 1..]);
        let q = TermQuery::new(
            Term::from_field_text(f.article, &key),
            IndexRecordOption::Basic,
        );
        if searcher.search(&q, &Count)? > 0 {
            keys.insert(key);
        }
    }
    Ok(keys)
}

/// The article keys of `docs`, read from the `article` fast field.
fn article_keys(
    idx: &SearchIndex,
    searcher: &tantivy::Searcher,
    docs: impl Iterator<Item = DocAddress>,
) -> crate::Result<BTreeSet<String>> {
    let mut keys = BTreeSet::new();
    let mut key = String::new();
    for d in docs {
        let reader = searcher.segment_reader(d.segment_ord);
        let Some(column) = reader.fast_fields().str(crate::index::ARTICLE_FIELD)? else {
            continue;
        };
        for ord in column.term_ords(d.doc_id) {
            if column
                .ord_to_str(ord, &mut key)
                .map_err(|e| crate::Error::io(&idx.dir, e))?
            {
                keys.insert(std::mem::take(&mut key));
            }
        }
    }
    Ok(keys)
}

/// The (path, id) of an article key.
fn split_key(key: &str) -> (&str, &str) {
    key.split_once('\u{0}').unwrap_or((key, key))
}

/// The form of an id that names one article whatever others have the same id: the path of a text file, a
/// page article's id (`path#aN`), `path#id` for a record.
fn qualified(key: &str) -> String {
    let (path, id) = split_key(key);
    if path == id || id.strip_prefix(path).is_some_and(|r| r.starts_with('#')) {
        id.to_string()
    } else {
        format!("{path}#{id}")
    }
}

/// The show id of the article (`path`, `id`): its id if no other article has it, else its qualified form.
fn show_id(
    searcher: &tantivy::Searcher,
    idx: &SearchIndex,
    path: &str,
    id: &str,
) -> crate::Result<String> {
    let key = article_key(path, id);
    let q = qualified(&key);
    if q == id {
        return Ok(q);
    }
    let f = idx.fields;
    let count = |field, text: &str| {
        searcher.search(
            &TermQuery::new(Term::from_field_text(field, text), IndexRecordOption::Basic),
            &Count,
        )
    };
    // Every passage with this id belongs to this article: the id is unique.
    Ok(if count(f.id, id)? == count(f.article, &key)? {
        id.to_string()
    } else {
        q
    })
}

/// Sets the [`Hit::show_id`] of each hit.
pub(super) fn set_show_ids(
    idx: &SearchIndex,
    searcher: &tantivy::Searcher,
    hits: &mut [Hit],
) -> crate::Result<()> {
    for h in hits {
        h.show_id = show_id(searcher, idx, &h.path, &h.id)?;
    }
    Ok(())
}

/// The error for an id that names no article, with the closest ids in the index.
fn unknown(idx: &SearchIndex, searcher: &tantivy::Searcher, id: &str) -> crate::Error {
    let near = closest(idx, searcher, id).unwrap_or_default();
    let hint = match near.as_slice() {
        [] => String::new(),
        names => format!(
            " (did you mean {}?)",
            names
                .iter()
                .map(|n| format!("'{n}'"))
                .collect::<Vec<_>>()
                .join(" or ")
        ),
    };
    crate::Error::ArticleId(format!(
        "no article '{id}' in the index at {}{hint}; `sou search` shows a hit's article id before its `#passage` (a JSON Lines record's in brackets)",
        idx.dir.display()
    ))
}

/// Up to three show ids closest to `id`: of articles whose id (or `path#id` form) begins with it (a page's
/// path: its articles), else at the smallest edit distance, if small.
fn closest(
    idx: &SearchIndex,
    searcher: &tantivy::Searcher,
    id: &str,
) -> crate::Result<Vec<String>> {
    let mut keys: BTreeSet<String> = BTreeSet::new();
    for seg in searcher.segment_readers() {
        let inverted = seg.inverted_index(idx.fields.article)?;
        let mut stream = inverted
            .terms()
            .stream()
            .map_err(|e| crate::Error::io(&idx.dir, e))?;
        while stream.advance() {
            if let Ok(key) = std::str::from_utf8(stream.key()) {
                keys.insert(key.to_string());
            }
        }
    }
    let want: Vec<char> = id.chars().collect();
    let limit = (want.len() / 3).clamp(1, 3);
    // (distance, key): 0 for a form that begins with `id`.
    let mut scored: Vec<(usize, String)> = keys
        .into_iter()
        .filter_map(|key| {
            let forms = [qualified(&key), split_key(&key).1.to_string()];
            let d = if forms.iter().any(|f| f.starts_with(id)) {
                0
            } else {
                forms.iter().map(|f| distance(&want, f)).min()? + 1
            };
            (d <= limit + 1).then_some((d, key))
        })
        .collect();
    scored.sort();
    let mut out = Vec::new();
    for (_, key) in scored {
        // (A deleted article's key may linger in the dictionary until its segment is merged.)
        let q = TermQuery::new(
            Term::from_field_text(idx.fields.article, &key),
            IndexRecordOption::Basic,
        );
        if searcher.search(&q, &Count)? == 0 {
            continue;
        }
        let (path, article_id) = split_key(&key);
        out.push(show_id(searcher, idx, path, article_id)?);
        if out.len() == 3 {
            break;
        }
    }
    Ok(out)
}

/// Levenshtein distance between `a` and `b`, in characters.
fn distance(a: &[char], b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn qualified_forms_and_distance() {
        assert_eq!(qualified("a.txt"), "a.txt");
        assert_eq!(qualified("p.txt\u{0}p.txt#a2"), "p.txt#a2");
        assert_eq!(qualified("n.jsonl\u{0}x-1"), "n.jsonl#x-1");
        let w: Vec<char> = "工研院".chars().collect();
        assert_eq!(distance(&w, "工研院"), 0);
        assert_eq!(distance(&w, "工研"), 1);
        assert_eq!(distance(&w, "研究院"), 2);
    }

    fn records() -> (tempfile::TempDir, SearchIndex) {
        let rec = |id: &str, title: &str, body: &str| {
            serde_json::json!({"id": id, "title": title, "body": body}).to_string()
        };
        let a = [
            rec(
                "x1",
                "青岛工研院",
                "第一段讲工研院。\n\n第二段没有。\n\n第三段又讲工研院的培育。",
            ),
            rec("dup", "甲", "甲文的正文。"),
        ]
        .join("\n");
        let b = [rec("dup", "乙", "乙文讲工研院。")].join("\n");
        crate::index::test_index(&[
            ("a.jsonl", &a),
            ("b.jsonl", &b),
            ("c.txt", "标题\n\nThe first line.\n\n第二段。"),
        ])
    }

    #[test]
    fn ids_resolve_or_say_why_not() {
        let (_dir, idx) = records();
        let a = article(&idx, "x1", None, false).unwrap();
        assert_eq!((a.show_id.as_str(), a.passage_count), ("x1", 3));
        assert_eq!(
            a.body(),
            "第一段讲工研院。\n\n第二段没有。\n\n第三段又讲工研院的培育。"
        );
        assert_eq!(
            article(&idx, "a.jsonl#x1", None, false).unwrap().show_id,
            "x1"
        );
        let e = article(&idx, "dup", None, false).unwrap_err().to_string();
        assert!(
            e.contains("'dup' names 2 articles: a.jsonl#dup, b.jsonl#dup"),
            "{e}"
        );
        let b = article(&idx, "b.jsonl#dup", None, false).unwrap();
        assert_eq!(
            (b.title.as_str(), b.show_id.as_str()),
            ("乙", "b.jsonl#dup")
        );
        let e = article(&idx, "x2", None, false).unwrap_err().to_string();
        assert!(e.contains("no article 'x2'") && e.contains("'x1'"), "{e}");
        let c = article(&idx, "c.txt#1", None, false).unwrap();
        assert_eq!((c.id.as_str(), c.focus), ("c.txt", Some(1)));
    }

    #[test]
    fn matches_are_marked_everywhere_with_where_they_sit() {
        let (_dir, idx) = records();
        let a = article(&idx, "x1", Some("工研院"), false).unwrap();
        assert_eq!(a.matched, Some(true));
        assert_eq!(a.title_highlights, [[2, 5]]);
        let texts: Vec<&str> = a.hits.iter().map(|h| h.text.as_str()).collect();
        assert_eq!(texts, ["工研院", "工研院"]);
        let body: Vec<char> = a.body().chars().collect();
        for h in &a.hits {
            let [s, e] = h.body;
            assert_eq!(body[s..e].iter().collect::<String>(), h.text);
        }
        assert_eq!(a.hits[1].passage, 2);
        assert_eq!(a.neighbourhood(0), [0..1, 2..3]);
        let whole = a.neighbourhood(1);
        assert_eq!((whole.len(), whole[0].clone()), (1, 0..3));
        let miss = article(&idx, "x1", Some("工研院 进博会"), false).unwrap();
        assert_eq!(
            (miss.matched, miss.missing.clone()),
            (Some(false), vec!["进博会".to_string()])
        );
        let ex = article(&idx, "x1", Some("工研院 -培育"), false).unwrap();
        assert_eq!(
            (ex.matched, ex.excluded.clone()),
            (Some(false), vec!["培育".to_string()])
        );
    }
}
