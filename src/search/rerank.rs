//! Re-ranking: the best candidates by tantivy's score are read, checked on their text where tantivy could
//! not check exactly, and re-scored by how much of the query they cover and whether they lead their
//! article. Candidates that can't reach the top are left unread.

use std::collections::HashMap;

use tantivy::collector::{Collector, Count, DocSetCollector, SegmentCollector, TopDocs};
use tantivy::schema::{Field, IndexRecordOption, Value};
use tantivy::{
    DocAddress, DocId, DocSet, Score, SegmentOrdinal, SegmentReader, TERMINATED, TantivyDocument,
    Term,
};

use super::plan::{ItemPlan, Pattern, Plan};
use super::weights::RANKING;
use crate::index::SearchIndex;
use crate::text::normalize::{is_latin, is_word_char, normalize};

/// Start offsets of `pat` in `hay` (both normalized text). With [`Pattern::word_bounds`], a match may not
/// begin or end inside a run of letters or a number: `ai` is not in `said`, `31` is not in `2031`, and a
/// decimal point between digits continues a number (`12` is not in `12.3`, nor `3`); a run of letters and a
/// run of digits are separate (`gwh` and `25` are in `25gwh`).
pub(super) fn find_all(hay: &[char], pat: &Pattern) -> Vec<usize> {
    let p = &pat.chars;
    if p.is_empty() || p.len() > hay.len() {
        return Vec::new();
    }
    let digit = |i: usize| hay.get(i).is_some_and(char::is_ascii_digit);
    let continues =
        |a: char, b: char| is_latin(a) && is_latin(b) && a.is_numeric() == b.is_numeric();
    // A match starting at s continues a number to its left (`3` in `12.3`), ending at e to its right.
    let decimal_before = |s: usize| s >= 2 && digit(s) && hay[s - 1] == '.' && digit(s - 2);
    let decimal_after = |e: usize| digit(e - 1) && hay.get(e) == Some(&'.') && digit(e + 1);
    let bounded = |s: usize| {
        let e = s + p.len();
        let starts_inside = s > 0 && (continues(hay[s - 1], hay[s]) || decimal_before(s));
        let ends_inside = e < hay.len() && (continues(hay[e - 1], hay[e]) || decimal_after(e));
        !pat.word_bounds || !(starts_inside || ends_inside)
    };
    if !pat.any_punct {
        // The common case, as a plain loop: the first char alone rules out most offsets.
        let (first, rest) = (p[0], &p[1..]);
        let mut found = Vec::new();
        for (s, &c) in hay[..=hay.len() - p.len()].iter().enumerate() {
            if c == first && hay[s + 1..s + p.len()] == *rest && bounded(s) {
                found.push(s);
            }
        }
        return found;
    }
    // A punctuation mark of the pattern matches any punctuation mark of the text.
    let punct = |c: char| !is_word_char(c) && !c.is_whitespace();
    let same = |a: char, b: char| a == b || (punct(a) && punct(b));
    (0..=hay.len() - p.len())
        .filter(|&s| {
            same(hay[s], p[0])
                && hay[s + 1..s + p.len()]
                    .iter()
                    .zip(&p[1..])
                    .all(|(a, b)| same(*a, *b))
                && bounded(s)
        })
        .collect()
}

/// Occurrences of `pat`; for a pattern of letters that occurs only inside longer words (`app` in `apple`),
/// those occurrences, flagged as loose. A number is never found loose: `31` is not in `2031`.
fn find_loose(hay: &[char], pat: &Pattern) -> (Vec<usize>, bool) {
    let found = find_all(hay, pat);
    if !found.is_empty() || !pat.word_bounds || pat.chars.iter().any(|c| c.is_numeric()) {
        return (found, false);
    }
    let loose = Pattern {
        word_bounds: false,
        ..pat.clone()
    };
    let found = find_all(hay, &loose);
    let is_loose = !found.is_empty();
    (found, is_loose)
}

/// How much of an item occurs in the passage (0..=1), and where its pieces occur (normalized char ranges,
/// pushed to `spans` with a weight). A word of letters found only inside a longer word counts half.
pub(super) fn item_presence(
    hay: &[char],
    item: &ItemPlan,
    spans: &mut Vec<(usize, usize, f32)>,
) -> f32 {
    let (whole, whole_loose) = find_loose(hay, &item.whole);
    let n = item.whole.chars.len();
    for &s in &whole {
        spans.push((s, s + n, n as f32 * 2.0));
    }
    let whole_share = match (whole.is_empty(), whole_loose) {
        (true, _) => 0.0,
        (false, true) => 0.5,
        (false, false) => 1.0,
    };
    if item.exact_only || item.units.is_empty() {
        return whole_share;
    }
    // Which chars of the term are covered by query words found in the passage.
    let mut covered = vec![false; n];
    for (off, p) in &item.parts {
        let (found, loose) = find_loose(hay, p);
        let len = p.chars.len();
        if !found.is_empty() && !loose {
            for c in covered.iter_mut().skip(*off).take(len) {
                *c = true;
            }
        }
        for s in found {
            spans.push((s, s + len, len as f32));
        }
    }
    for (off, p) in &item.cover_only {
        if !find_all(hay, p).is_empty() {
            for c in covered.iter_mut().skip(*off).take(p.chars.len()) {
                *c = true;
            }
        }
    }
    if whole_share == 1.0 {
        return 1.0;
    }
    let (mut got, mut all) = (0.0, 0.0);
    for (off, p, w) in &item.units {
        let len = p.chars.len().max(1);
        let share =
            if covered.iter().skip(*off).take(len).all(|c| *c) || !find_all(hay, p).is_empty() {
                1.0
            } else {
                covered.iter().skip(*off).take(len).filter(|c| **c).count() as f32 / len as f32
            };
        got += w * share;
        all += w;
    }
    let share = if all > 0.0 { got / all } else { 0.0 };
    share.max(whole_share)
}

/// Does `hay` contain the whole item, one whole word of it that counts as a unit of coverage, or (for a
/// word jieba made up) one of its bigrams?
fn has_unit(hay: &[char], item: &ItemPlan) -> bool {
    let found = |p: &Pattern| !find_all(hay, p).is_empty();
    found(&item.whole)
        || item.units.iter().any(|(_, p, _)| found(p))
        || item.evidence.iter().any(found)
}

pub(super) struct Candidate {
    pub score: Score,
    pub path: String,
    pub id: String,
    pub line: u64,
    pub ordinal: u32,
    pub doc: TantivyDocument,
    pub spans: Vec<(usize, usize, f32)>,
    pub norm: crate::text::normalize::Normalized,
    /// Matches in the headline (title and kicker, [`headline_of`]; normalized char ranges): for a lead
    /// passage only.
    pub title_spans: Vec<(usize, usize, f32)>,
    pub title_norm: crate::text::normalize::Normalized,
    /// The query's groups that the passage does not contain (indexes into [`Plan::groups`]): empty for a
    /// full match.
    pub missing: Vec<usize>,
}

pub(super) fn get_str(doc: &TantivyDocument, f: Field) -> String {
    doc.get_first(f)
        .and_then(|v| v.as_str())
        .unwrap_or_default()
        .to_string()
}

/// What the title views of a passage's document index: its title, and its kicker if any
/// ([`crate::index::schema::headline`]).
pub(super) fn headline_of(doc: &TantivyDocument, f: crate::index::Fields) -> String {
    let kicker = get_str(doc, f.kicker);
    crate::index::schema::headline(&get_str(doc, f.title), Some(&kicker))
}

pub(super) fn get_u64(doc: &TantivyDocument, f: Field) -> u64 {
    doc.get_first(f)
        .and_then(|v| v.as_u64())
        .unwrap_or_default()
}

/// Which passages match, recorded while the matches are scored (a [`Collector`]): one bit per document of
/// each segment. Enough to count the matches of a few articles afterwards ([`MatchSet::per_article`]).
pub(super) struct MatchSet {
    /// (segment ordinal, bits)
    segments: Vec<(SegmentOrdinal, Vec<u64>)>,
}

impl MatchSet {
    /// The number of matching passages of the article `key` ([`crate::index::article_key`]), read from the
    /// postings of the article's term.
    pub fn per_article(
        &self,
        searcher: &tantivy::Searcher,
        field: Field,
        key: &str,
    ) -> crate::Result<usize> {
        let term = Term::from_field_text(field, key);
        let mut n = 0;
        for (seg, bits) in &self.segments {
            let inverted = searcher.segment_reader(*seg).inverted_index(field)?;
            let Some(mut postings) = inverted
                .read_postings(&term, IndexRecordOption::Basic)
                .map_err(tantivy::TantivyError::from)?
            else {
                continue;
            };
            let mut doc = postings.doc();
            while doc != TERMINATED {
                if bits
                    .get(doc as usize / 64)
                    .is_some_and(|w| w & (1 << (doc % 64)) != 0)
                {
                    n += 1;
                }
                doc = postings.advance();
            }
        }
        Ok(n)
    }
}

/// Collects a [`MatchSet`].
struct CollectMatches;

struct CollectMatchesSegment(SegmentOrdinal, Vec<u64>);

impl Collector for CollectMatches {
    type Fruit = MatchSet;
    type Child = CollectMatchesSegment;

    fn for_segment(
        &self,
        seg: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<CollectMatchesSegment> {
        Ok(CollectMatchesSegment(
            seg,
            vec![0; (reader.max_doc() as usize).div_ceil(64)],
        ))
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, segments: Vec<(SegmentOrdinal, Vec<u64>)>) -> tantivy::Result<MatchSet> {
        Ok(MatchSet { segments })
    }
}

impl SegmentCollector for CollectMatchesSegment {
    type Fruit = (SegmentOrdinal, Vec<u64>);

    fn collect(&mut self, doc: DocId, _: Score) {
        if let Some(w) = self.1.get_mut(doc as usize / 64) {
            *w |= 1 << (doc % 64);
        }
    }

    fn harvest(self) -> Self::Fruit {
        (self.0, self.1)
    }
}

/// How [`candidates`] reads the pool.
#[derive(Debug, Clone, Copy)]
pub(super) struct Reading {
    /// Leave unread the candidates that can't reach the best `limit`.
    pub early_stop: bool,
    /// Record which passages match ([`MatchSet`]).
    pub record_matches: bool,
}

/// The best `pool` candidates by tantivy score, re-scored by coverage (not sorted), and the exact number of
/// matching passages (those the query finds that pass the plan's checks). Candidates that can't reach the
/// best `limit` (at most `per_article` passages per article) whatever their coverage may be left out: the
/// best `limit` are those of the whole pool. A passage in which nothing of the query can be shown (no
/// highlight: a single character of a word, or a match only in its title) is never a candidate. With
/// `record_matches`, also which passages match when the index alone decides it (the plan has no checks),
/// recorded in the same pass.
pub(super) fn candidates(
    idx: &SearchIndex,
    searcher: &tantivy::Searcher,
    plan: &Plan,
    pool: usize,
    limit: usize,
    per_article: Option<usize>,
    how: Reading,
) -> crate::Result<(Vec<Candidate>, usize, Option<MatchSet>)> {
    let Reading {
        early_stop,
        record_matches,
    } = how;
    let f = idx.fields;
    let mut matches = None;
    // Passages scored elsewhere (a SolrCloud collection, with its whole statistics) keep that score: the pool
    // is then cut by it, after every match is read (a scratch index of candidates is small).
    let external = idx.external_scores.as_ref();
    let (mut found, mut total): (Vec<(Score, DocAddress)>, usize) = if plan.checks.is_empty() {
        let top_n = match external {
            Some(_) => (searcher.num_docs() as usize).max(1),
            None => pool,
        };
        let top = TopDocs::with_limit(top_n).order_by_score();
        if record_matches {
            let (found, total, set) =
                searcher.search(&plan.query, &(top, Count, CollectMatches))?;
            matches = Some(set);
            (found, total)
        } else {
            searcher.search(&plan.query, &(top, Count))?
        }
    } else {
        // Some strings must be checked on the text: check every match, so that the total is exact.
        let all = searcher.search(&plan.query, &DocSetCollector)?;
        let n = all.len();
        let scored =
            searcher.search(&plan.query, &TopDocs::with_limit(n.max(1)).order_by_score())?;
        (scored, n)
    };

    if let Some(scores) = external {
        for (score, addr) in found.iter_mut() {
            let doc: TantivyDocument = searcher.doc(*addr)?;
            let key = crate::solr::passage_key(
                &get_str(&doc, f.path),
                &get_str(&doc, f.id),
                get_u64(&doc, f.ordinal),
            );
            if let Some(s) = scores.get(&key) {
                *score = *s;
            }
        }
        if plan.checks.is_empty() {
            found.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
            found.truncate(pool);
        }
    }
    let r = *RANKING;
    let mut loaded: Vec<Candidate> = Vec::with_capacity(found.len().min(pool));
    let verifying = !plan.checks.is_empty();
    // The most that coverage can multiply a tantivy score by (all of the query found, in the title too).
    let max_coverage = (1.0 - r.coverage).max(1.0 - r.coverage + r.coverage * r.title.max(1.0));
    let can_stop = early_stop
        && !verifying
        && max_coverage.is_finite()
        && max_coverage >= 0.0
        && r.lead >= 0.0;
    // Each candidate's best possible final score (its lead factor is read from a fast field), highest first.
    let mut leads = Vec::new();
    for seg in searcher.segment_readers() {
        leads.push(seg.fast_fields().u64(crate::index::LEAD_FIELD)?);
    }
    let mut bounded: Vec<(Score, Score, bool, DocAddress)> = Vec::with_capacity(found.len());
    for (score, addr) in found.drain(..) {
        let is_lead = leads[addr.segment_ord as usize].first(addr.doc_id) == Some(1);
        let lead = if is_lead { r.lead } else { 1.0 };
        bounded.push((score * max_coverage * lead, score, is_lead, addr));
    }
    bounded.sort_by(|a, b| b.0.total_cmp(&a.0));
    // The `limit`-th best re-scored candidate so far. It only rises as candidates are added, so a value computed
    // a few candidates ago is a safe (lower) stand-in; recomputing it at every step would cost a sort per
    // candidate for a long result list.
    let mut floor: Option<Score> = None;
    let mut next_check = limit;
    for (bound, score, is_lead, addr) in bounded {
        let lead = if is_lead { r.lead } else { 1.0 };
        // Documents are read in descending bound: once this one can't beat the `limit`-th best re-scored
        // candidate, none of the rest can.
        if can_stop && loaded.len() >= next_check {
            floor = threshold(&loaded, limit, per_article);
            next_check = loaded.len() + (loaded.len() / 8).max(1);
        }
        if can_stop && floor.is_some_and(|t| bound < t) {
            break;
        }
        let doc: TantivyDocument = searcher.doc(addr)?;
        let text = get_str(&doc, f.text);
        let norm = normalize(&text);
        let hay: Vec<char> = norm.text.chars().collect();
        let title_norm = normalize(&headline_of(&doc, f));
        let title: Vec<char> = title_norm.text.chars().collect();
        // The title counts as part of the passage where it is no passage of its own.
        let headline = get_u64(&doc, f.headline) == 1;
        let lead_title = headline.then_some(title.as_slice());
        if verifying && !plan.checks.iter().all(|c| c.passes(&hay, lead_title)) {
            total -= 1;
            continue;
        }
        let mut spans = Vec::new();
        let mut title_spans = Vec::new();
        let mut coverage = 0.0;
        for g in &plan.groups {
            let mut best: f32 = 0.0;
            for item in g {
                best = best.max(item_presence(&hay, item, &mut spans));
                best = best.max(r.title * item_presence(&title, item, &mut title_spans));
            }
            coverage += best;
        }
        // What the hit shows: matches in its text, and in its headline where the headline counts as part of
        // it (a lead whose title is no passage of its own); for other passages the title only ranks.
        if !headline {
            title_spans.clear();
        }
        // No word of the query: its pairs of characters, if any occurs (a name jieba cuts into single
        // characters). Only for passages that would show nothing else, so snippets stay as they were.
        if spans.is_empty() && title_spans.is_empty() {
            for item in plan.groups.iter().flatten() {
                for p in &item.pairs {
                    spans.extend(find_all(&hay, p).into_iter().map(|s| (s, s + 2, 1.0)));
                }
            }
        }
        if spans.is_empty() && title_spans.is_empty() {
            continue;
        }
        if plan.require_unit
            && !plan
                .groups
                .iter()
                .flatten()
                .any(|item| has_unit(&hay, item) || lead_title.is_some_and(|t| has_unit(t, item)))
        {
            continue;
        }
        let absent =
            |h: &[char], any_of: &[Pattern]| any_of.iter().all(|p| find_all(h, p).is_empty());
        let missing = plan
            .literals
            .iter()
            .enumerate()
            .filter(|(_, any_of)| {
                absent(&hay, any_of) && lead_title.is_none_or(|t| absent(t, any_of))
            })
            .map(|(g, _)| g)
            .collect();
        let coverage = coverage / plan.groups.len().max(1) as f32;
        let final_score = score * (1.0 - r.coverage + r.coverage * coverage) * lead;
        loaded.push(Candidate {
            score: final_score,
            path: get_str(&doc, f.path),
            id: get_str(&doc, f.id),
            line: get_u64(&doc, f.line),
            ordinal: get_u64(&doc, f.ordinal) as u32,
            doc,
            spans,
            norm,
            title_spans,
            title_norm,
            missing,
        });
        if verifying && loaded.len() >= 2 * pool {
            // Keep verifying for the total, but stop keeping documents.
            loaded.sort_by(cmp_candidates);
            loaded.truncate(pool);
        }
    }
    Ok((loaded, total, matches))
}

/// Does the passage at `addr` pass the plan's checks?
fn passes_checks(
    searcher: &tantivy::Searcher,
    f: crate::index::Fields,
    plan: &Plan,
    addr: DocAddress,
) -> crate::Result<bool> {
    let doc: TantivyDocument = searcher.doc(addr)?;
    let hay: Vec<char> = normalize(&get_str(&doc, f.text)).text.chars().collect();
    let title: Option<Vec<char>> = (get_u64(&doc, f.headline) == 1)
        .then(|| normalize(&headline_of(&doc, f)).text.chars().collect());
    Ok(plan.checks.iter().all(|c| c.passes(&hay, title.as_deref())))
}

/// Every passage that the plan matches and that passes its checks, in no particular order.
pub(super) fn matching_docs(
    idx: &SearchIndex,
    searcher: &tantivy::Searcher,
    plan: &Plan,
) -> crate::Result<Vec<DocAddress>> {
    let mut docs = Vec::new();
    for addr in searcher.search(&plan.query, &DocSetCollector)? {
        if plan.checks.is_empty() || passes_checks(searcher, idx.fields, plan, addr)? {
            docs.push(addr);
        }
    }
    Ok(docs)
}

/// How many passages the plan matches and pass its checks (the index alone counts them when there is
/// nothing to check).
pub(super) fn count_matches(
    idx: &SearchIndex,
    searcher: &tantivy::Searcher,
    plan: &Plan,
) -> crate::Result<usize> {
    if plan.checks.is_empty() {
        Ok(searcher.search(&plan.query, &Count)?)
    } else {
        Ok(matching_docs(idx, searcher, plan)?.len())
    }
}

/// A filter for candidates taken best first: false for the passages of an article beyond its first
/// `per_article` (None: no cap).
pub(super) fn per_article_cap(per_article: Option<usize>) -> impl FnMut(&Candidate) -> bool {
    let mut seen: HashMap<(String, String), usize> = HashMap::new();
    move |c| {
        let Some(n) = per_article else { return true };
        let k = seen.entry((c.path.clone(), c.id.clone())).or_insert(0);
        *k += 1;
        *k <= n
    }
}

/// The score of the `limit`-th best of `cands` once at most `per_article` passages per article are kept.
pub(super) fn threshold(
    cands: &[Candidate],
    limit: usize,
    per_article: Option<usize>,
) -> Option<Score> {
    let mut order: Vec<&Candidate> = cands.iter().collect();
    order.sort_by(|a, b| cmp_candidates(a, b));
    let mut keep = per_article_cap(per_article);
    order
        .into_iter()
        .filter(|c| keep(c))
        .nth(limit.checked_sub(1)?)
        .map(|c| c.score)
}

pub(super) fn cmp_candidates(a: &Candidate, b: &Candidate) -> std::cmp::Ordering {
    b.score
        .total_cmp(&a.score)
        .then_with(|| a.path.cmp(&b.path))
        .then_with(|| a.line.cmp(&b.line))
        .then_with(|| a.ordinal.cmp(&b.ordinal))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::plan::plan;
    use crate::search::query;

    /// The best `limit` of `cands` (at most `per_article` per article), as (path, id, ordinal, score).
    fn best(
        mut cands: Vec<Candidate>,
        limit: usize,
        per_article: Option<usize>,
    ) -> Vec<(String, String, u32, f32)> {
        cands.sort_by(cmp_candidates);
        let mut keep = per_article_cap(per_article);
        cands
            .into_iter()
            .filter(|c| keep(c))
            .take(limit)
            .map(|c| (c.path, c.id, c.ordinal, c.score))
            .collect()
    }

    #[test]
    fn threshold_counts_passages_per_article() {
        let cand = |id: &str, ordinal: u32, score: f32| Candidate {
            score,
            path: "news.jsonl".into(),
            id: id.into(),
            line: 1,
            ordinal,
            doc: TantivyDocument::default(),
            spans: Vec::new(),
            norm: normalize(""),
            title_spans: Vec::new(),
            title_norm: normalize(""),
            missing: Vec::new(),
        };
        let cands = [cand("a", 0, 10.0), cand("a", 1, 9.0), cand("b", 0, 8.0)];
        assert_eq!(threshold(&cands, 2, None), Some(9.0));
        assert_eq!(threshold(&cands, 2, Some(1)), Some(8.0));
        assert_eq!(threshold(&cands, 3, Some(1)), None);
        assert_eq!(threshold(&cands, 0, None), None);
    }

    #[test]
    fn early_stop_keeps_the_best_of_the_pool() {
        // Articles whose lead (of varying length) and short second paragraph both mention 工研院: tantivy
        // ranks many second paragraphs first, the lead factor lifts leads past them.
        let mut lines = String::new();
        for i in 0..20 {
            let body = format!(
                "第{i}号通报：青岛市工研院发布新的产业报告{}。\n\n工研院与企业合作推进技术转移{}。\n\n{}",
                "，介绍高新区的发展".repeat(i % 5),
                "，共建实验室".repeat(i % 7),
                "园区企业数量增长，产业链条更加完善。".repeat(1 + i % 3),
            );
            let rec = serde_json::json!({"id": format!("a{i}"), "title": format!("报告{i}"), "body": body});
            lines.push_str(&rec.to_string());
            lines.push('\n');
        }
        let (_dir, idx) = crate::index::test_index(&[("news.jsonl", &lines)]);
        let searcher = idx.reader.searcher();
        let mut skipped = 0;
        let read = |early_stop| Reading {
            early_stop,
            record_matches: false,
        };
        for q in ["工研院", "工研院 技术转移", "产业报告", "高新区 产业链"] {
            let plan = plan(&idx, &searcher, &query::parse(q).unwrap(), false).unwrap();
            for (limit, per_article) in [(1, None), (5, None), (10, None), (5, Some(1))] {
                let pool = 50;
                let (all, total, _) = candidates(
                    &idx,
                    &searcher,
                    &plan,
                    pool,
                    limit,
                    per_article,
                    read(false),
                )
                .unwrap();
                let (some, total2, _) =
                    candidates(&idx, &searcher, &plan, pool, limit, per_article, read(true))
                        .unwrap();
                assert_eq!(total, total2);
                skipped += all.len() - some.len();
                assert_eq!(
                    best(all, limit, per_article),
                    best(some, limit, per_article),
                    "{q} limit {limit} per article {per_article:?}"
                );
            }
        }
        // The test means something only if the early stop did skip documents.
        assert!(skipped > 0);
    }
}
