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

pub mod query;
pub mod snippet;

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use serde::Serialize;
use tantivy::collector::{Count, DocSetCollector, TopDocs};
use tantivy::query::{
    BooleanQuery, BoostQuery, ConstScoreQuery, Occur, Query as TQuery, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption, Value};
use tantivy::{DocAddress, Score, TantivyDocument, Term};

use crate::index::SearchIndex;
use crate::index::schema::char_phrase;
use crate::text::analyzer::TokenKind;
use crate::text::normalize::{is_han, is_other_cjk, is_word_char, normalize};
use query::Item;
use snippet::{Match, make_snippet};

/// The ranking's weights. The defaults were chosen with `bench/eval.py` (see BENCHMARKS.md); for
/// experiments they can be overridden with the environment variable `SOU_RANKING`, e.g.
/// `SOU_RANKING="char=0.3,coverage=0.5"` (names are the field names below).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Ranking {
    /// A query word (two or more characters) on the word view.
    pub word: f32,
    /// A query word that lies inside a longer query word (jieba's search-mode sub-words: 高新 in 高新技术).
    pub sub: f32,
    /// A one-character query word of a longer term (score only: it never makes a passage match).
    pub single: f32,
    /// A stop word or question word of a longer term (的, 是, 什么, 多少; score only).
    pub stop: f32,
    /// A query word as a character phrase on the character view.
    pub char: f32,
    /// Every character bigram of the term on the character view (soft proximity; score only).
    pub bigram: f32,
    /// The whole term as one character phrase (exact, adjacent match).
    pub exact: f32,
    /// A quoted phrase.
    pub phrase: f32,
    /// A match in the article title, relative to the same match in the passage.
    pub title: f32,
    /// How much coverage counts in the final score: score × (1 − C + C × coverage).
    pub coverage: f32,
    /// Whether coverage weighs each query word by its IDF (1) or counts characters (0).
    pub idf_coverage: f32,
    /// A one-character non-stop word of a longer term on the character view (0: such words never make a
    /// passage match on their own).
    pub single_core: f32,
    /// The characters of a query word that is not in jieba's dictionary (made up by its HMM), on the
    /// character view (0: off).
    pub unknown_chars: f32,
    /// Score factor for the lead passage of an article (see [`crate::corpus::Passage::lead`]).
    pub lead: f32,
}

impl Default for Ranking {
    fn default() -> Self {
        Ranking {
            word: 1.0,
            sub: 1.0,
            single: 0.3,
            stop: 0.3,
            char: 0.2,
            bigram: 1.2,
            exact: 1.0,
            phrase: 1.5,
            title: 0.5,
            coverage: 1.0,
            idf_coverage: 1.0,
            lead: 1.7,
            single_core: 0.5,
            unknown_chars: 1.0,
        }
    }
}

impl Ranking {
    /// The defaults, with `SOU_RANKING` applied (unknown names and bad numbers are ignored).
    fn from_env() -> Self {
        let mut r = Ranking::default();
        let Ok(spec) = std::env::var("SOU_RANKING") else {
            return r;
        };
        for kv in spec.split(',') {
            let Some((k, v)) = kv.split_once('=') else {
                continue;
            };
            let Ok(v) = v.trim().parse::<f32>() else {
                continue;
            };
            match k.trim() {
                "word" => r.word = v,
                "sub" => r.sub = v,
                "single" => r.single = v,
                "stop" => r.stop = v,
                "char" => r.char = v,
                "bigram" => r.bigram = v,
                "exact" => r.exact = v,
                "phrase" => r.phrase = v,
                "title" => r.title = v,
                "coverage" => r.coverage = v,
                "idf_coverage" => r.idf_coverage = v,
                "lead" => r.lead = v,
                "single_core" => r.single_core = v,
                "unknown_chars" => r.unknown_chars = v,
                _ => {}
            }
        }
        r
    }
}

static RANKING: std::sync::LazyLock<Ranking> = std::sync::LazyLock::new(Ranking::from_env);

/// Stop words and question words: in a longer term they add to the score but never make a passage match,
/// and they count little in coverage.
#[rustfmt::skip]
const STOP_WORDS: &[&str] = &[
    "的", "了", "是", "在", "和", "与", "及", "或", "也", "都", "就", "而", "把", "被", "对", "为", "从", "向", "于",
    "以", "之", "其", "这", "那", "有", "个", "些", "中", "上", "下", "吗", "呢", "吧", "啊", "么", "哪", "谁", "几",
    "多少", "什么", "哪些", "哪个", "哪里", "哪儿", "怎么", "怎样", "怎么样", "如何", "为什么", "为何", "是否", "是不是", "有没有",
    "多久", "多大", "多长", "多高", "多远", "何时", "何地", "一个", "这个", "那个", "我们", "你们", "他们", "它们", "自己", "以及",
    "可以", "因为", "所以", "但是", "如果", "还是", "或者", "不", "没", "很", "还", "又", "再", "才", "更", "最", "另", "让",
    "使", "将", "会", "能", "要", "所", "等", "该", "各", "每", "此", "我", "你", "他", "她", "它", "着", "过", "给",
    "由", "并", "且", "则", "即", "已", "曾",
];

fn is_stop(word: &str) -> bool {
    STOP_WORDS.contains(&word)
}

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
    /// First character of the passage in the file.
    pub start: usize,
    /// One past the last character of the passage in the file.
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

/// A string to look for in a passage's normalized text, for coverage and highlighting.
#[derive(Debug, Clone)]
struct Pattern {
    chars: Vec<char>,
    /// Must the match not continue a Latin word or number (`app` must not match in `apple`)?
    word_bounds: bool,
}

/// What one query item needs at re-ranking time.
#[derive(Debug, Clone)]
struct ItemPlan {
    /// The whole item.
    whole: Pattern,
    /// For a term: the words to highlight, with their char offset in the term.
    parts: Vec<(usize, Pattern)>,
    /// For a term: more pieces that count towards coverage but are not highlighted.
    cover_only: Vec<(usize, Pattern)>,
    /// For a term: the units of coverage (the words of jieba's cut that no longer query word contains), as
    /// (offset in the term, pattern, weight).
    units: Vec<(usize, Pattern, f32)>,
    /// Phrases count only when present whole.
    exact_only: bool,
}

/// A query turned into what the index and the re-ranker need.
struct Plan {
    query: Box<dyn TQuery>,
    /// Normalized strings whose presence tantivy cannot check exactly (they contain punctuation or spaces):
    /// (string, must the passage contain it?).
    verify: Vec<(String, bool)>,
    /// Positive groups, each a list of alternatives.
    groups: Vec<Vec<ItemPlan>>,
}

fn is_latin(c: char) -> bool {
    c.is_alphanumeric() && !is_han(c) && !is_other_cjk(c)
}

fn boxed(q: impl TQuery) -> Box<dyn TQuery> {
    Box::new(q)
}

fn boost(q: Box<dyn TQuery>, w: f32) -> Box<dyn TQuery> {
    if (w - 1.0).abs() < f32::EPSILON {
        q
    } else {
        boxed(BoostQuery::new(q, w))
    }
}

fn term_query(field: Field, text: &str) -> Box<dyn TQuery> {
    boxed(TermQuery::new(
        Term::from_field_text(field, text),
        IndexRecordOption::WithFreqs,
    ))
}

fn has_cjk(s: &str) -> bool {
    s.chars().any(|c| is_han(c) || is_other_cjk(c))
}

/// The query that decides whether a passage contains an item literally (for `+`, `-` and phrases).
fn match_query(
    idx: &SearchIndex,
    item: &Item,
    verify: &mut Vec<(String, bool)>,
    must: bool,
) -> Option<Box<dyn TQuery>> {
    let text = item.text();
    let (q, gaps) = char_phrase(idx.fields.chars, idx.fields.unigrams, text)?;
    if gaps {
        verify.push((text.to_string(), must));
        if !must {
            // Excluding by the gap-less approximation would exclude too much: exclude after verifying.
            return None;
        }
    }
    Some(q)
}

/// The scoring query of a positive item, and what re-ranking needs to know about it.
fn item_query(
    idx: &SearchIndex,
    searcher: &tantivy::Searcher,
    item: &Item,
) -> (Option<Box<dyn TQuery>>, ItemPlan) {
    let r = *RANKING;
    let f = idx.fields;
    let text = item.text();
    let chars: Vec<char> = text.chars().collect();
    let mut clauses: Vec<(Occur, Box<dyn TQuery>)> = Vec::new();
    let mut parts: Vec<(usize, Pattern)> = Vec::new();
    let mut units: Vec<(usize, Pattern, f32)> = Vec::new();
    let mut cover_only: Vec<(usize, Pattern)> = Vec::new();
    let whole_bounds = !has_cjk(text)
        || chars.first().is_some_and(|c| is_latin(*c))
        || chars.last().is_some_and(|c| is_latin(*c));
    let pattern = |t: &str, word_bounds: bool| Pattern {
        chars: t.chars().collect(),
        word_bounds,
    };

    if let Item::Phrase(_) = item {
        if let Some((q, _)) = char_phrase(f.chars, f.unigrams, text) {
            clauses.push((Occur::Should, boost(q, r.phrase)));
        }
        if let Some((q, _)) = char_phrase(f.title_chars, f.title_unigrams, text) {
            clauses.push((Occur::Should, boost(q, r.phrase * r.title)));
        }
        let plan = ItemPlan {
            whole: pattern(text, false),
            parts,
            cover_only,
            units,
            exact_only: true,
        };
        return (bool_or_none(clauses), plan);
    }

    let mut toks = idx.analyzer.word_tokens(text);
    let mut seen: HashSet<String> = HashSet::new();
    toks.retain(|t| t.kind != TokenKind::LatinPart && seen.insert(t.text.clone()));
    let word_chars = chars.iter().filter(|c| is_word_char(**c)).count();
    let single_char_term = word_chars == 1;
    // Stop words, one-character words and bigrams add to the score of passages that match the term
    // otherwise, but do not make a passage match on their own.
    let mut score_only: Vec<(Occur, Box<dyn TQuery>)> = Vec::new();
    // Core clauses that are one bigram of the character view, with their weight: the bigram evidence below
    // adds its weight to them instead of scoring the same postings a second time.
    let mut core_bigrams: HashMap<String, (usize, f32)> = HashMap::new();
    let n_docs = searcher.num_docs().max(1) as f32;
    let idf = |t: &str| {
        let df = searcher
            .doc_freq(&Term::from_field_text(f.words, t))
            .unwrap_or(0) as f32;
        (1.0 + (n_docs - df + 0.5) / (df + 0.5)).ln()
    };
    for t in &toks {
        // A sub-word lies inside a longer query word (jieba's search mode: 高新 in 高新技术).
        let sub = toks
            .iter()
            .any(|o| o.len > t.len && o.pos <= t.pos && t.pos + t.len <= o.pos + o.len);
        let is_whole = t.text == text;
        match t.kind {
            TokenKind::Han | TokenKind::OtherCjk => {
                let stop = !is_whole && is_stop(&t.text);
                if is_whole || single_char_term || (t.len >= 2 && !stop) {
                    let w = if sub { r.sub * r.word } else { r.word };
                    clauses.push((Occur::Should, boost(term_query(f.words, &t.text), w)));
                    clauses.push((
                        Occur::Should,
                        boost(term_query(f.title_words, &t.text), w * r.title),
                    ));
                    parts.push((t.pos, pattern(&t.text, false)));
                } else {
                    let w = if stop { r.stop } else { r.single };
                    score_only.push((Occur::Should, boost(term_query(f.words, &t.text), w)));
                    // A one-character word that is not a stop word (榅 in 榅桲, when jieba doesn't know the
                    // word) can make a passage match, through the character view whatever the segmentation.
                    if !stop && !sub && r.single_core > 0.0 {
                        clauses.push((
                            Occur::Should,
                            boost(term_query(f.unigrams, &t.text), r.single_core),
                        ));
                    }
                }
                // A word jieba made up with its HMM (not in its dictionary: 高氟对) is also searched by its
                // characters, like the one-character words above: the text may have cut it otherwise.
                if t.len >= 2
                    && !is_whole
                    && r.unknown_chars > 0.0
                    && t.kind == TokenKind::Han
                    && crate::text::dict::freq(&t.text).is_none()
                {
                    for (k, c) in t.text.chars().enumerate() {
                        let c = c.to_string();
                        if !is_stop(&c) {
                            clauses.push((
                                Occur::Should,
                                boost(term_query(f.unigrams, &c), r.unknown_chars),
                            ));
                            // Its characters count towards coverage too (not highlighted: single
                            // common characters all over a snippet would be noise).
                            cover_only.push((t.pos + k, pattern(&c, false)));
                        }
                    }
                }
                // A whole term that jieba made up with its HMM (虢国考: 虢国 is not in its dictionary, so the
                // title 《虢国考》 is cut as one word) occurs nowhere as that word, nor literally in a text
                // that says 虢国是…: its bigrams may make a passage match, highlighted, and count as coverage.
                if t.len >= 3
                    && is_whole
                    && r.unknown_chars > 0.0
                    && t.kind == TokenKind::Han
                    && crate::text::dict::freq(&t.text).is_none()
                {
                    let cs: Vec<char> = t.text.chars().collect();
                    let mut seen_bigrams = HashSet::new();
                    for (k, w) in cs.windows(2).enumerate() {
                        let b: String = w.iter().collect();
                        if seen_bigrams.insert(b.clone()) {
                            core_bigrams.insert(b.clone(), (clauses.len(), r.unknown_chars));
                            clauses.push((
                                Occur::Should,
                                boost(term_query(f.chars, &b), r.unknown_chars),
                            ));
                        }
                        parts.push((t.pos + k, pattern(&b, false)));
                    }
                }
                // (The whole term gets its own character phrase below.)
                if t.len >= 2
                    && !stop
                    && !is_whole
                    && let Some((q, _)) = char_phrase(f.chars, f.unigrams, &t.text)
                {
                    if t.len == 2 && !core_bigrams.contains_key(&t.text) {
                        // Its character phrase is the one bigram.
                        core_bigrams.insert(t.text.clone(), (clauses.len(), r.char));
                    }
                    clauses.push((Occur::Should, boost(q, r.char)));
                }
                if !sub {
                    let base = if r.idf_coverage > 0.0 {
                        idf(&t.text)
                    } else {
                        t.len as f32
                    };
                    let w = if stop { 0.2 * base } else { base };
                    units.push((t.pos, pattern(&t.text, false), w));
                }
            }
            TokenKind::Latin => {
                // The whole token; its parts at their offsets are the literal string, which the whole
                // term's character phrase below finds.
                clauses.push((Occur::Should, term_query(f.words, &t.text)));
                clauses.push((
                    Occur::Should,
                    boost(term_query(f.title_words, &t.text), r.title),
                ));
                parts.push((t.pos, pattern(&t.text, true)));
                let base = if r.idf_coverage > 0.0 {
                    idf(&t.text)
                } else {
                    t.len as f32
                };
                units.push((t.pos, pattern(&t.text, true), base));
            }
            TokenKind::LatinPart => {}
        }
    }
    // The whole term as a literal string: the recall floor (any literal occurrence is found, `31` in `2031`
    // and `app` in `apple` too) and a bonus for exact, adjacent matches.
    if let Some((q, _)) = char_phrase(f.chars, f.unigrams, text) {
        clauses.push((Occur::Should, boost(q, r.exact)));
    }
    if let Some((q, _)) = char_phrase(f.title_chars, f.title_unigrams, text) {
        clauses.push((Occur::Should, boost(q, r.exact * r.title)));
    }
    // Every bigram of the term: soft proximity evidence that survives any segmentation (score only).
    if has_cjk(text) && r.bigram > 0.0 && word_chars > 2 {
        let mut seen = HashSet::new();
        for w in chars.windows(2) {
            if w.iter().all(|c| is_word_char(*c)) {
                let b: String = w.iter().collect();
                if !seen.insert(b.clone()) {
                    continue;
                }
                // A passage matched by the core has this bigram exactly when the core's own clause of it
                // matches: one clause with both weights scores the same, and reads the postings once.
                match core_bigrams.get(&b) {
                    Some(&(i, w)) => {
                        clauses[i].1 = boost(term_query(f.chars, &b), w + r.bigram);
                    }
                    None => {
                        score_only.push((Occur::Should, boost(term_query(f.chars, &b), r.bigram)));
                    }
                }
            }
        }
    }
    let plan = ItemPlan {
        whole: pattern(text, whole_bounds),
        parts,
        cover_only,
        units,
        exact_only: false,
    };
    let query = bool_or_none(clauses).map(|core| {
        if score_only.is_empty() {
            core
        } else {
            score_only.push((Occur::Must, core));
            boxed(BooleanQuery::new(score_only))
        }
    });
    (query, plan)
}

fn bool_or_none(mut clauses: Vec<(Occur, Box<dyn TQuery>)>) -> Option<Box<dyn TQuery>> {
    match clauses.len() {
        0 => None,
        1 => Some(clauses.remove(0).1),
        _ => Some(boxed(BooleanQuery::new(clauses))),
    }
}

fn plan(idx: &SearchIndex, searcher: &tantivy::Searcher, q: &query::Query) -> crate::Result<Plan> {
    let mut clauses: Vec<(Occur, Box<dyn TQuery>)> = Vec::new();
    let mut verify = Vec::new();
    let mut groups = Vec::new();
    for g in &q.groups {
        let mut scoring = Vec::new();
        let mut matching = Vec::new();
        let mut plans = Vec::new();
        for item in &g.items {
            let (sq, p) = item_query(idx, searcher, item);
            if let Some(sq) = sq {
                scoring.push((Occur::Should, sq));
            }
            plans.push(p);
            if g.required {
                match match_query(idx, item, &mut verify, true) {
                    Some(m) => matching.push((Occur::Should, m)),
                    None => {
                        return Err(crate::Error::Query(format!(
                            "{:?} has nothing to search for",
                            item.text()
                        )));
                    }
                }
            }
        }
        if let Some(s) = bool_or_none(scoring) {
            clauses.push((Occur::Should, s));
        }
        if g.required
            && let Some(m) = bool_or_none(matching)
        {
            clauses.push((Occur::Must, boxed(ConstScoreQuery::new(m, 0.0))));
        }
        groups.push(plans);
    }
    for item in &q.excluded {
        if let Some(m) = match_query(idx, item, &mut verify, false) {
            clauses.push((Occur::MustNot, m));
        }
    }
    // A group that needs verification with more than one alternative can't be verified per item: if any
    // required group has alternatives and gaps, fall back to verifying only single-item groups.
    verify.retain(|(s, must)| {
        !*must
            || q.groups
                .iter()
                .any(|g| g.required && g.items.len() == 1 && g.items[0].text() == s)
    });
    Ok(Plan {
        query: boxed(BooleanQuery::new(clauses)),
        verify,
        groups,
    })
}

/// Start offsets of `pat` in `hay`.
fn find_all(hay: &[char], pat: &Pattern) -> Vec<usize> {
    let p = &pat.chars;
    if p.is_empty() || p.len() > hay.len() {
        return Vec::new();
    }
    let continues =
        |a: char, b: char| is_latin(a) && is_latin(b) && a.is_numeric() == b.is_numeric();
    // The first char alone rules out most offsets, without a call to compare slices.
    (0..=hay.len() - p.len())
        .filter(|&s| hay[s] == p[0] && hay[s + 1..s + p.len()] == p[1..])
        .filter(|&s| {
            let e = s + p.len();
            let starts_inside = s > 0 && continues(hay[s - 1], hay[s]);
            let ends_inside = e < hay.len() && continues(hay[e - 1], hay[e]);
            !pat.word_bounds || !(starts_inside || ends_inside)
        })
        .collect()
}

/// How much of an item occurs in the passage (0..=1), and where its pieces occur (normalized char ranges).
/// Occurrences of `pat`; for a Latin pattern that occurs only inside longer words (`app` in `apple`), those
/// occurrences, flagged as loose.
fn find_loose(hay: &[char], pat: &Pattern) -> (Vec<usize>, bool) {
    let found = find_all(hay, pat);
    if !found.is_empty() || !pat.word_bounds {
        return (found, false);
    }
    let loose = Pattern {
        chars: pat.chars.clone(),
        word_bounds: false,
    };
    let found = find_all(hay, &loose);
    let is_loose = !found.is_empty();
    (found, is_loose)
}

/// How much of an item occurs in the passage (0..=1), and where its pieces occur (normalized char ranges).
/// A Latin word found only inside a longer word counts half.
fn item_presence(hay: &[char], item: &ItemPlan, spans: &mut Vec<(usize, usize, f32)>) -> f32 {
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

struct Candidate {
    score: Score,
    path: String,
    id: String,
    line: u64,
    ordinal: u32,
    doc: TantivyDocument,
    spans: Vec<(usize, usize, f32)>,
    norm: crate::text::normalize::Normalized,
}

fn get_str(doc: &TantivyDocument, f: Field) -> String {
    doc.get_first(f)
        .and_then(|v| v.as_str())
        .unwrap_or_default()
        .to_string()
}

fn get_u64(doc: &TantivyDocument, f: Field) -> u64 {
    doc.get_first(f)
        .and_then(|v| v.as_u64())
        .unwrap_or_default()
}

/// Runs a search.
pub fn search(idx: &SearchIndex, req: &SearchRequest) -> crate::Result<SearchResults> {
    let started = Instant::now();
    let parsed = if req.plain {
        query::parse_plain(&req.query)?
    } else {
        query::parse(&req.query)?
    };
    let searcher = idx.reader.searcher();
    let plan = plan(idx, &searcher, &parsed)?;
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

/// The best `pool` candidates by tantivy score, re-scored by coverage (not sorted), and the exact number of
/// matching passages. Candidates that can't reach the best `limit` (at most `per_article` passages per
/// article) whatever their coverage may be left out: the best `limit` are those of the whole pool.
fn candidates(
    idx: &SearchIndex,
    searcher: &tantivy::Searcher,
    plan: &Plan,
    pool: usize,
    limit: usize,
    per_article: Option<usize>,
    early_stop: bool,
) -> crate::Result<(Vec<Candidate>, usize)> {
    let f = idx.fields;
    let (mut found, mut total): (Vec<(Score, DocAddress)>, usize) = if plan.verify.is_empty() {
        searcher.search(
            &plan.query,
            &(TopDocs::with_limit(pool).order_by_score(), Count),
        )?
    } else {
        // Some strings must be checked on the text: check every match, so that the total is exact.
        let all = searcher.search(&plan.query, &DocSetCollector)?;
        let n = all.len();
        let scored =
            searcher.search(&plan.query, &TopDocs::with_limit(n.max(1)).order_by_score())?;
        (scored, n)
    };

    let r = *RANKING;
    let mut loaded: Vec<Candidate> = Vec::with_capacity(found.len().min(pool));
    let verifying = !plan.verify.is_empty();
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
    let mut bounded: Vec<(Score, Score, f32, DocAddress)> = Vec::with_capacity(found.len());
    for (score, addr) in found.drain(..) {
        let lead = if leads[addr.segment_ord as usize].first(addr.doc_id) == Some(1) {
            r.lead
        } else {
            1.0
        };
        bounded.push((score * max_coverage * lead, score, lead, addr));
    }
    bounded.sort_by(|a, b| b.0.total_cmp(&a.0));
    // The `limit`-th best re-scored candidate so far. It only rises as candidates are added, so a value computed
    // a few candidates ago is a safe (lower) stand-in; recomputing it at every step would cost a sort per
    // candidate for a long result list.
    let mut floor: Option<Score> = None;
    let mut next_check = limit;
    for (bound, score, lead, addr) in bounded {
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
        if verifying {
            let ok = plan
                .verify
                .iter()
                .all(|(s, must)| norm.text.contains(s.as_str()) == *must);
            if !ok {
                total -= 1;
                continue;
            }
        }
        let hay: Vec<char> = norm.text.chars().collect();
        let title: Vec<char> = normalize(&get_str(&doc, f.title)).text.chars().collect();
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
        });
        if verifying && loaded.len() >= 2 * pool {
            // Keep verifying for the total, but stop keeping documents.
            loaded.sort_by(cmp_candidates);
            loaded.truncate(pool);
        }
    }
    Ok((loaded, total))
}

/// A filter for candidates taken best first: false for the passages of an article beyond its first
/// `per_article` (None: no cap).
fn per_article_cap(per_article: Option<usize>) -> impl FnMut(&Candidate) -> bool {
    let mut seen: HashMap<(String, String), usize> = HashMap::new();
    move |c| {
        let Some(n) = per_article else { return true };
        let k = seen.entry((c.path.clone(), c.id.clone())).or_insert(0);
        *k += 1;
        *k <= n
    }
}

/// The score of the `limit`-th best of `cands` once at most `per_article` passages per article are kept.
fn threshold(cands: &[Candidate], limit: usize, per_article: Option<usize>) -> Option<Score> {
    let mut order: Vec<&Candidate> = cands.iter().collect();
    order.sort_by(|a, b| cmp_candidates(a, b));
    let mut keep = per_article_cap(per_article);
    order
        .into_iter()
        .filter(|c| keep(c))
        .nth(limit.checked_sub(1)?)
        .map(|c| c.score)
}

fn cmp_candidates(a: &Candidate, b: &Candidate) -> std::cmp::Ordering {
    b.score
        .total_cmp(&a.score)
        .then_with(|| a.path.cmp(&b.path))
        .then_with(|| a.line.cmp(&b.line))
        .then_with(|| a.ordinal.cmp(&b.ordinal))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::{BuildOptions, DictChoice};

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
        let dir = tempfile::tempdir().unwrap();
        let corpus = dir.path().join("corpus");
        std::fs::create_dir(&corpus).unwrap();
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
        std::fs::write(corpus.join("news.jsonl"), lines).unwrap();
        let index_dir = dir.path().join("index");
        let opts = BuildOptions {
            corpus: corpus.clone(),
            index: index_dir.clone(),
            rebuild: false,
            threads: Some(1),
            progress: false,
            json_fields: Default::default(),
            dict: DictChoice::Keep,
        };
        crate::index::build(&opts, &mut |w| panic!("{w}")).unwrap();
        let idx = crate::index::open(&index_dir).unwrap();
        let searcher = idx.reader.searcher();
        let mut skipped = 0;
        for q in ["工研院", "工研院 技术转移", "产业报告", "高新区 产业链"] {
            let plan = plan(&idx, &searcher, &query::parse(q).unwrap()).unwrap();
            for (limit, per_article) in [(1, None), (5, None), (10, None), (5, Some(1))] {
                let pool = 50;
                let (all, total) =
                    candidates(&idx, &searcher, &plan, pool, limit, per_article, false).unwrap();
                let (some, total2) =
                    candidates(&idx, &searcher, &plan, pool, limit, per_article, true).unwrap();
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
