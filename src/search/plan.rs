//! Query planning: a parsed query becomes the query that finds and scores candidate passages (a
//! [`QueryTree`], which a local index runs as a tantivy query), and the patterns that re-ranking looks for in
//! each candidate's text.

use std::collections::{HashMap, HashSet};

use std::ops::Bound;
use tantivy::Term;

use tantivy::query::{Occur, Query as TQuery};
use tantivy::schema::Field;

use super::query::{self, Item};
use super::rerank::find_all;
use super::weights::{RANKING, Ranking, is_stop};
use crate::index::SearchIndex;
use crate::index::query_tree::QueryTree;
use crate::index::schema::{Fields, char_phrase_tree as char_phrase};
use crate::text::analyzer::{Analyzer, MAX_LATIN_TOKEN, Tok, TokenKind, in_default_dictionary};
use crate::text::normalize::{is_han, is_latin, is_other_cjk, is_word_char};

/// A string to look for in a passage's normalized text, for coverage and highlighting.
#[derive(Debug, Clone)]
pub(super) struct Pattern {
    pub chars: Vec<char>,
    /// Must the match not continue a Latin word or number (`app` must not match in `apple`)?
    pub word_bounds: bool,
    /// Does a punctuation mark of the pattern match any punctuation mark of the text (a quoted phrase:
    /// outlets quote the same words with different marks, `人民至上、生命至上` and `人民至上，生命至上`)?
    pub any_punct: bool,
}

/// What one query item needs at re-ranking time.
#[derive(Debug, Clone)]
pub(super) struct ItemPlan {
    /// The whole item.
    pub whole: Pattern,
    /// For a term: the words to highlight, with their char offset in the term.
    pub parts: Vec<(usize, Pattern)>,
    /// For a term: more pieces that count towards coverage but are not highlighted.
    pub cover_only: Vec<(usize, Pattern)>,
    /// For a term: the units of coverage (the words of jieba's cut that no longer query word contains), as
    /// (offset in the term, pattern, weight).
    pub units: Vec<(usize, Pattern, f32)>,
    /// Phrases count only when present whole.
    pub exact_only: bool,
    /// For a term that is one word jieba made up (not in its dictionary: 虢国考): its bigrams, the evidence
    /// that a passage is about it ([`Plan::require_unit`]).
    pub evidence: Vec<Pattern>,
    /// For a term: its pairs of adjacent Han characters that are not stop words, shown as matches in a
    /// passage that has none of the term's words (`王沈是哪里人` cut as 王/沈/…, in a passage about 王沈).
    pub pairs: Vec<Pattern>,
}

/// A condition on a passage's normalized text that tantivy cannot check exactly.
#[derive(Debug, Clone)]
pub(super) struct Check {
    /// The passage must contain one of these (`must`), or none of them: in its text, or where its article's
    /// headline counts as part of it ([`crate::corpus::Passage::headline`]) in the headline too.
    pub any_of: Vec<Pattern>,
    pub must: bool,
}

impl Check {
    /// Does the passage whose normalized text is `hay` pass? `lead_title`: for a lead passage, its
    /// article's normalized title.
    pub fn passes(&self, hay: &[char], lead_title: Option<&[char]>) -> bool {
        let found = |h: &[char]| self.any_of.iter().any(|p| !find_all(h, p).is_empty());
        (found(hay) || lead_title.is_some_and(found)) == self.must
    }
}

/// A query turned into what the index and the re-ranker need. A passage contains an item when its text
/// contains it literally ([`literal`]), or, if the passage is the lead of its article, when the article's
/// title does: a word of a headline finds its article once, at its lead, with the title highlighted.
pub(super) struct Plan {
    /// Finds and scores the passages: those that contain every required group (and none of the
    /// exclusions), up to the `checks`.
    pub query: Box<dyn TQuery>,
    /// The same query as a tree ([`QueryTree`]), for an engine other than the local index's tantivy.
    pub tree: QueryTree,
    /// What the query finds that must still be checked on the text (see [`match_query`]).
    pub checks: Vec<Check>,
    /// Positive groups, each a list of alternatives.
    pub groups: Vec<Vec<ItemPlan>>,
    /// The literal form of each group's alternatives ([`literal`]): a passage contains the group when it
    /// contains one of them.
    pub literals: Vec<Vec<Pattern>>,
    /// Must a candidate contain at least one whole item or one whole word of the query (a unit of
    /// coverage, [`ItemPlan::units`])? For partial matches: `达沃斯拉开帷幕` has 斯拉, a piece of the word
    /// 特斯拉 and nothing the query asked for.
    pub require_unit: bool,
}

impl Clone for Plan {
    fn clone(&self) -> Self {
        Plan {
            query: self.query.box_clone(),
            tree: self.tree.clone(),
            checks: self.checks.clone(),
            groups: self.groups.clone(),
            literals: self.literals.clone(),
            require_unit: self.require_unit,
        }
    }
}

fn boost(q: QueryTree, w: f32) -> QueryTree {
    q.boost(w)
}

fn term_query(field: Field, text: &str) -> QueryTree {
    QueryTree::term(field, text)
}

fn has_cjk(s: &str) -> bool {
    s.chars().any(|c| is_han(c) || is_other_cjk(c))
}

/// Does `text` begin or end with a letter or digit (then a match must not continue a word or number there)?
fn has_latin_edge(text: &str) -> bool {
    text.chars().next().is_some_and(is_latin) || text.chars().last().is_some_and(is_latin)
}

/// The literal form of an item, as the text must contain it for the item to be present: its normalized
/// text; letters and digits at its edges at word and number bounds ([`Pattern::word_bounds`]); a phrase's
/// punctuation matching any punctuation mark.
pub(super) fn literal(item: &Item) -> Pattern {
    let text = item.text();
    let mut p = pattern(text, has_latin_edge(text));
    p.any_punct = matches!(item, Item::Phrase(_));
    p
}

/// The query that finds the passages whose text (in the views `words`, `chars`, `unigrams`) contains
/// `item` literally ([`literal`]), and whether the passages it finds must still be checked on their text.
/// tantivy checks a Han string exactly (a phrase of its bigrams); it can't check the punctuation and spaces
/// between pieces, nor where a word or number ends. A run of letters alone (`ai`) is exact on the word view,
/// which has every run of letters as a word (whole or as a part of `25gwh`, `covid-19`); a run of digits
/// there is a necessary condition (the word view also has `12` of `12.3`), still checked. None if the item
/// has nothing indexable.
fn literal_query(
    (words, chars, unigrams): (Field, Field, Field),
    item: &Item,
) -> Option<(QueryTree, bool)> {
    let text = item.text();
    let letters = text.chars().all(|c| is_latin(c) && !c.is_numeric());
    let digits = text.chars().all(|c| c.is_ascii_digit());
    if !text.is_empty() && (letters || digits) && text.chars().count() <= MAX_LATIN_TOKEN {
        return Some((term_query(words, text), digits));
    }
    let (q, gaps) = char_phrase(chars, unigrams, text)?;
    Some((q, gaps || has_latin_edge(text)))
}

/// The query that finds the passages that contain `item` ([`Plan`]: in their text, or for a lead whose
/// article's title is not a passage of its own, in that title), and whether they must still be checked
/// ([`literal_query`]).
fn match_query(idx: &SearchIndex, item: &Item) -> Option<(QueryTree, bool)> {
    let f = idx.fields;
    let (text, check) = literal_query((f.words, f.chars, f.unigrams), item)?;
    let Some((title, title_check)) =
        literal_query((f.title_words, f.title_chars, f.title_unigrams), item)
    else {
        return Some((text, check));
    };
    let lead = QueryTree::Range {
        field: f.headline,
        lower: Bound::Included(1),
        upper: Bound::Included(1),
    };
    let title_of_lead = QueryTree::Bool(vec![(Occur::Must, title), (Occur::Must, lead)]);
    let q = QueryTree::Bool(vec![(Occur::Should, text), (Occur::Should, title_of_lead)]);
    Some((q, check || title_check))
}

/// The scoring query of a positive item, and what re-ranking needs to know about it.
fn item_query(
    idx: &SearchIndex,
    searcher: &tantivy::Searcher,
    item: &Item,
) -> (Option<QueryTree>, ItemPlan) {
    let text = item.text();
    match item {
        Item::Phrase(_) => phrase_query(idx.fields, text),
        _ => TermClauses::new(idx, searcher, text).build(),
    }
}

/// A quoted phrase: its character phrase in the passage and in the title; it counts only when present whole.
fn phrase_query(f: Fields, text: &str) -> (Option<QueryTree>, ItemPlan) {
    let r = *RANKING;
    let mut clauses: Vec<(Occur, QueryTree)> = Vec::new();
    if let Some((q, _)) = char_phrase(f.chars, f.unigrams, text) {
        clauses.push((Occur::Should, boost(q, r.phrase)));
    }
    if let Some((q, _)) = char_phrase(f.title_chars, f.title_unigrams, text) {
        clauses.push((Occur::Should, boost(q, r.phrase * r.title)));
    }
    let plan = ItemPlan {
        whole: literal(&Item::Phrase(text.to_string())),
        parts: Vec::new(),
        cover_only: Vec::new(),
        units: Vec::new(),
        exact_only: true,
        evidence: Vec::new(),
        pairs: Vec::new(),
    };
    (bool_or_none(clauses), plan)
}

fn pattern(t: &str, word_bounds: bool) -> Pattern {
    Pattern {
        chars: t.chars().collect(),
        word_bounds,
        any_punct: false,
    }
}

/// The clauses and re-ranking patterns of a term (an item that is not a phrase), gathered word by word.
struct TermClauses<'a> {
    r: Ranking,
    f: Fields,
    searcher: &'a tantivy::Searcher,
    /// The word view's statistics from elsewhere, used instead of the searcher's where given.
    stats: Option<&'a crate::index::open::WordStats>,
    analyzer: &'a Analyzer,
    text: &'a str,
    /// Clauses that can make a passage match.
    clauses: Vec<(Occur, QueryTree)>,
    /// Stop words, one-character words and bigrams add to the score of passages that match the term
    /// otherwise, but do not make a passage match on their own.
    score_only: Vec<(Occur, QueryTree)>,
    parts: Vec<(usize, Pattern)>,
    units: Vec<(usize, Pattern, f32)>,
    cover_only: Vec<(usize, Pattern)>,
    /// Core clauses that are one bigram of the character view, with their weight: the bigram evidence adds
    /// its weight to them instead of scoring the same postings a second time.
    core_bigrams: HashMap<String, (usize, f32)>,
    evidence: Vec<Pattern>,
}

impl<'a> TermClauses<'a> {
    fn new(idx: &'a SearchIndex, searcher: &'a tantivy::Searcher, text: &'a str) -> Self {
        TermClauses {
            r: *RANKING,
            f: idx.fields,
            searcher,
            stats: idx.word_stats.as_ref(),
            analyzer: &idx.analyzer,
            text,
            clauses: Vec::new(),
            score_only: Vec::new(),
            parts: Vec::new(),
            units: Vec::new(),
            cover_only: Vec::new(),
            core_bigrams: HashMap::new(),
            evidence: Vec::new(),
        }
    }

    /// IDF of a word on the word view.
    fn idf(&self, t: &str) -> f32 {
        if let Some(stats) = self.stats {
            let df = match stats.df.get(t) {
                Some(&n) => n as f32,
                None => {
                    stats
                        .asked
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner)
                        .insert(t.to_string());
                    0.0
                }
            };
            let n_docs = stats.docs.max(1) as f32;
            return (1.0 + (n_docs - df + 0.5) / (df + 0.5)).ln();
        }
        let n_docs = self.searcher.num_docs().max(1) as f32;
        let df = self
            .searcher
            .doc_freq(&Term::from_field_text(self.f.words, t))
            .unwrap_or(0) as f32;
        (1.0 + (n_docs - df + 0.5) / (df + 0.5)).ln()
    }

    /// The weight of a word as a unit of coverage.
    fn unit_weight(&self, t: &Tok) -> f32 {
        if self.r.idf_coverage > 0.0 {
            self.idf(&t.text)
        } else {
            t.len as f32
        }
    }

    fn build(mut self) -> (Option<QueryTree>, ItemPlan) {
        let (r, f, text) = (self.r, self.f, self.text);
        let chars: Vec<char> = text.chars().collect();
        let whole_bounds = !has_cjk(text)
            || chars.first().is_some_and(|c| is_latin(*c))
            || chars.last().is_some_and(|c| is_latin(*c));
        let mut toks = self.analyzer.word_tokens(text);
        let mut seen: HashSet<String> = HashSet::new();
        toks.retain(|t| t.kind != TokenKind::LatinPart && seen.insert(t.text.clone()));
        let word_chars = chars.iter().filter(|c| is_word_char(**c)).count();
        for t in &toks {
            // A sub-word lies inside a longer query word (jieba's search mode: 高新 in 高新技术).
            let sub = toks
                .iter()
                .any(|o| o.len > t.len && o.pos <= t.pos && t.pos + t.len <= o.pos + o.len);
            match t.kind {
                TokenKind::Han | TokenKind::OtherCjk => self.cjk_word(t, sub, word_chars == 1),
                TokenKind::Latin => self.latin_word(t),
                TokenKind::LatinPart => {}
            }
        }
        // The whole term as a literal string: the recall floor (any literal occurrence is found, `31` in
        // `2031` and `app` in `apple` too) and a bonus for exact, adjacent matches.
        if let Some((q, _)) = char_phrase(f.chars, f.unigrams, text) {
            self.clauses.push((Occur::Should, boost(q, r.exact)));
        }
        if let Some((q, _)) = char_phrase(f.title_chars, f.title_unigrams, text) {
            self.clauses
                .push((Occur::Should, boost(q, r.exact * r.title)));
        }
        if has_cjk(text) && r.bigram > 0.0 && word_chars > 2 {
            self.bigram_evidence(&chars);
        }
        let plan = ItemPlan {
            whole: pattern(text, whole_bounds),
            parts: self.parts,
            cover_only: self.cover_only,
            units: self.units,
            exact_only: false,
            evidence: self.evidence,
            pairs: han_pairs(&chars),
        };
        let mut score_only = self.score_only;
        let query = bool_or_none(self.clauses).map(|core| {
            if score_only.is_empty() {
                core
            } else {
                score_only.push((Occur::Must, core));
                QueryTree::Bool(score_only)
            }
        });
        (query, plan)
    }

    /// A Han (or other CJK) word of the term.
    fn cjk_word(&mut self, t: &Tok, sub: bool, single_char_term: bool) {
        let (r, f) = (self.r, self.f);
        let is_whole = t.text == self.text;
        let stop = !is_whole && is_stop(&t.text);
        if is_whole || single_char_term || (t.len >= 2 && !stop) {
            let w = if sub { r.sub * r.word } else { r.word };
            self.clauses
                .push((Occur::Should, boost(term_query(f.words, &t.text), w)));
            self.clauses.push((
                Occur::Should,
                boost(term_query(f.title_words, &t.text), w * r.title),
            ));
            self.parts.push((t.pos, pattern(&t.text, false)));
        } else {
            let w = if stop { r.stop } else { r.single };
            self.score_only
                .push((Occur::Should, boost(term_query(f.words, &t.text), w)));
            // A one-character word that is not a stop word (榅 in 榅桲, when jieba doesn't know the word) can
            // make a passage match, through the character view whatever the segmentation.
            if !stop && !sub && r.single_core > 0.0 {
                self.clauses.push((
                    Occur::Should,
                    boost(term_query(f.unigrams, &t.text), r.single_core),
                ));
            }
        }
        let made_up = t.kind == TokenKind::Han && !in_default_dictionary(&t.text);
        // A word jieba made up with its HMM (not in its dictionary: 高氟对) is also searched by its
        // characters, like the one-character words above: the text may have cut it otherwise.
        if t.len >= 2 && !is_whole && r.unknown_chars > 0.0 && made_up {
            for (k, c) in t.text.chars().enumerate() {
                let c = c.to_string();
                if !is_stop(&c) {
                    self.clauses.push((
                        Occur::Should,
                        boost(term_query(f.unigrams, &c), r.unknown_chars),
                    ));
                    // Its characters count towards coverage too (not highlighted: single common
                    // characters all over a snippet would be noise).
                    self.cover_only.push((t.pos + k, pattern(&c, false)));
                }
            }
        }
        // A whole term that jieba made up with its HMM (虢国考: 虢国 is not in its dictionary, so the title
        // 《虢国考》 is cut as one word) occurs nowhere as that word, nor literally in a text that says 虢国是…:
        // its bigrams may make a passage match, highlighted, and count as coverage.
        if t.len >= 3 && is_whole && r.unknown_chars > 0.0 && made_up {
            let cs: Vec<char> = t.text.chars().collect();
            let mut seen_bigrams = HashSet::new();
            for (k, w) in cs.windows(2).enumerate() {
                let b: String = w.iter().collect();
                if seen_bigrams.insert(b.clone()) {
                    self.core_bigrams
                        .insert(b.clone(), (self.clauses.len(), r.unknown_chars));
                    self.clauses.push((
                        Occur::Should,
                        boost(term_query(f.chars, &b), r.unknown_chars),
                    ));
                }
                self.parts.push((t.pos + k, pattern(&b, false)));
                self.evidence.push(pattern(&b, false));
            }
        }
        // (The whole term gets its own character phrase in `build`.)
        if t.len >= 2
            && !stop
            && !is_whole
            && let Some((q, _)) = char_phrase(f.chars, f.unigrams, &t.text)
        {
            if t.len == 2 && !self.core_bigrams.contains_key(&t.text) {
                // Its character phrase is the one bigram.
                self.core_bigrams
                    .insert(t.text.clone(), (self.clauses.len(), r.char));
            }
            self.clauses.push((Occur::Should, boost(q, r.char)));
        }
        if !sub {
            let base = self.unit_weight(t);
            let w = if stop { 0.2 * base } else { base };
            self.units.push((t.pos, pattern(&t.text, false), w));
        }
    }

    /// A Latin word (letters or digits) of the term: the whole token; its parts at their offsets are the
    /// literal string, which the whole term's character phrase finds.
    fn latin_word(&mut self, t: &Tok) {
        let (r, f) = (self.r, self.f);
        self.clauses
            .push((Occur::Should, term_query(f.words, &t.text)));
        self.clauses.push((
            Occur::Should,
            boost(term_query(f.title_words, &t.text), r.title),
        ));
        self.parts.push((t.pos, pattern(&t.text, true)));
        let base = self.unit_weight(t);
        self.units.push((t.pos, pattern(&t.text, true), base));
    }

    /// Every bigram of word characters of the term: soft proximity evidence that survives any segmentation
    /// (score only). A pair of digits is not evidence: `23` of `12.3` would lift passages that mention
    /// `1223`.
    fn bigram_evidence(&mut self, chars: &[char]) {
        let (r, f) = (self.r, self.f);
        let mut seen = HashSet::new();
        for w in chars.windows(2) {
            if w.iter().all(|c| is_word_char(*c)) && !w.iter().all(char::is_ascii_digit) {
                let b: String = w.iter().collect();
                if !seen.insert(b.clone()) {
                    continue;
                }
                // A passage matched by the core has this bigram exactly when the core's own clause of it
                // matches: one clause with both weights scores the same, and reads the postings once.
                match self.core_bigrams.get(&b) {
                    Some(&(i, w)) => {
                        self.clauses[i].1 = boost(term_query(f.chars, &b), w + r.bigram);
                    }
                    None => {
                        self.score_only
                            .push((Occur::Should, boost(term_query(f.chars, &b), r.bigram)));
                    }
                }
            }
        }
    }
}

/// The distinct pairs of adjacent Han (or other CJK) characters of `chars` that are not stop words.
fn han_pairs(chars: &[char]) -> Vec<Pattern> {
    let mut seen = HashSet::new();
    chars
        .windows(2)
        .filter(|w| w.iter().all(|c| is_han(*c) || is_other_cjk(*c)))
        .map(|w| w.iter().collect::<String>())
        .filter(|b| !is_stop(b) && seen.insert(b.clone()))
        .map(|b| pattern(&b, false))
        .collect()
}

fn bool_or_none(mut clauses: Vec<(Occur, QueryTree)>) -> Option<QueryTree> {
    match clauses.len() {
        0 => None,
        1 => Some(clauses.remove(0).1),
        _ => Some(QueryTree::Bool(clauses)),
    }
}

/// The scoring query and re-ranking plan of each item of each group of `q`, in order.
type ItemQueries = Vec<Vec<(Option<QueryTree>, ItemPlan)>>;

fn item_queries(idx: &SearchIndex, searcher: &tantivy::Searcher, q: &query::Query) -> ItemQueries {
    q.groups
        .iter()
        .map(|g| {
            g.items
                .iter()
                .map(|item| item_query(idx, searcher, item))
                .collect()
        })
        .collect()
}

/// Plans a parsed query. With `all_terms`, every group is required: a passage matches when it contains
/// (literally, [`literal`]) one item of every group; otherwise only the groups the query marks required
/// (phrases, `+term`) are, and the others only score.
pub(super) fn plan(
    idx: &SearchIndex,
    searcher: &tantivy::Searcher,
    q: &query::Query,
    all_terms: bool,
) -> crate::Result<Plan> {
    assemble(idx, q, item_queries(idx, searcher, q), all_terms)
}

/// The plans of `q` with and without `all_terms` ([`plan`]), segmenting and weighing its terms once.
pub(super) fn plans(
    idx: &SearchIndex,
    searcher: &tantivy::Searcher,
    q: &query::Query,
) -> crate::Result<(Plan, Plan)> {
    let items = item_queries(idx, searcher, q);
    let copy: ItemQueries = items.clone();
    Ok((
        assemble(idx, q, items, true)?,
        assemble(idx, q, copy, false)?,
    ))
}

/// A plan from the items' scoring queries ([`item_query`], one list per group of `q`).
fn assemble(
    idx: &SearchIndex,
    q: &query::Query,
    items: ItemQueries,
    all_terms: bool,
) -> crate::Result<Plan> {
    let mut clauses: Vec<(Occur, QueryTree)> = Vec::new();
    let mut checks = Vec::new();
    let mut groups = Vec::new();
    let mut literals = Vec::new();
    for (g, queries) in q.groups.iter().zip(items) {
        let required = g.required || all_terms;
        let mut scoring = Vec::new();
        let mut matching = Vec::new();
        let mut plans = Vec::new();
        let mut check = false;
        for (item, (sq, p)) in g.items.iter().zip(queries) {
            if let Some(sq) = sq {
                scoring.push((Occur::Should, sq));
            }
            plans.push(p);
            if required {
                let Some((m, verify)) = match_query(idx, item) else {
                    return Err(crate::Error::Query(format!(
                        "{:?} has nothing to search for",
                        item.text()
                    )));
                };
                matching.push((Occur::Should, m));
                check |= verify;
            }
        }
        let lits: Vec<Pattern> = g.items.iter().map(literal).collect();
        if check {
            checks.push(Check {
                any_of: lits.clone(),
                must: true,
            });
        }
        if let Some(s) = bool_or_none(scoring) {
            clauses.push((Occur::Should, s));
        }
        if required && let Some(m) = bool_or_none(matching) {
            clauses.push((Occur::Must, QueryTree::ConstScore(Box::new(m), 0.0)));
        }
        groups.push(plans);
        literals.push(lits);
    }
    for item in &q.excluded {
        // (What includes a passage excludes it: its text, and for a lead its article's headline.)
        match match_query(idx, item) {
            Some((m, false)) => clauses.push((Occur::MustNot, m)),
            // Excluding by an approximation would exclude too much: exclude after checking the text.
            Some((_, true)) => checks.push(Check {
                any_of: vec![literal(item)],
                must: false,
            }),
            None => {}
        }
    }
    let tree = QueryTree::Bool(clauses);
    Ok(Plan {
        query: tree.to_tantivy(),
        tree,
        checks,
        groups,
        literals,
        require_unit: false,
    })
}

#[cfg(test)]
mod tests {
    use super::plan;
    use crate::index::SearchIndex;
    use crate::search::query;

    /// A small index of three text files.
    fn index() -> (tempfile::TempDir, SearchIndex) {
        crate::index::test_index(&[
            ("a.txt", "中国农业发展银行今天发布公告"),
            ("b.txt", "宁德时代储能电池产能达25GWh。"),
            ("c.txt", "人民至上、生命至上"),
        ])
    }

    fn chars(p: &super::Pattern) -> String {
        p.chars.iter().collect()
    }

    #[test]
    fn a_term_is_planned_as_its_words_and_a_phrase_as_itself() {
        let (_dir, idx) = index();
        let searcher = idx.reader.searcher();
        let p = plan(
            &idx,
            &searcher,
            &query::parse("农业发展银行 \"今天\"").unwrap(),
            false,
        )
        .unwrap();
        assert_eq!(p.groups.len(), 2);
        let term = &p.groups[0][0];
        assert_eq!(chars(&term.whole), "农业发展银行");
        assert!(!term.exact_only);
        // jieba's search mode: the compound and its parts are highlighted, the compound alone is not a
        // coverage unit when its parts are (sub-words are left out of the units).
        let parts: Vec<String> = term.parts.iter().map(|(_, p)| chars(p)).collect();
        assert!(parts.contains(&"农业".to_string()), "{parts:?}");
        assert!(parts.contains(&"银行".to_string()), "{parts:?}");
        assert!(!term.units.is_empty());
        let phrase = &p.groups[1][0];
        assert_eq!(chars(&phrase.whole), "今天");
        assert!(phrase.exact_only && phrase.parts.is_empty() && phrase.units.is_empty());
        assert!(p.checks.is_empty());
    }

    fn checks(p: &super::Plan) -> Vec<(Vec<String>, bool, bool)> {
        p.checks
            .iter()
            .map(|c| {
                let any_of = c.any_of.iter().map(chars).collect();
                (any_of, c.must, c.any_of[0].any_punct)
            })
            .collect()
    }

    fn planned(idx: &SearchIndex, q: &str, all_terms: bool) -> super::Plan {
        let searcher = idx.reader.searcher();
        plan(idx, &searcher, &query::parse(q).unwrap(), all_terms).unwrap()
    }

    #[test]
    fn latin_words_keep_word_bounds_and_gapped_phrases_are_verified_on_the_text() {
        let (_dir, idx) = index();
        let p = planned(&idx, "gwh", false);
        assert!(p.groups[0][0].whole.word_bounds);
        // A required phrase with punctuation inside: tantivy can't check the gap, the text is checked.
        let p = planned(&idx, "\"人民至上、生命至上\"", false);
        let want = |s: &str, must| (vec![s.to_string()], must, true);
        assert_eq!(checks(&p), [want("人民至上、生命至上", true)]);
        // An excluded one too, but then it is not in the tantivy query at all (that would exclude too much).
        let p = planned(&idx, "银行 -\"人民至上、生命\"", false);
        assert_eq!(checks(&p), [want("人民至上、生命", false)]);
    }

    #[test]
    fn with_all_terms_every_group_is_required_and_checked_where_tantivy_cannot_tell() {
        let (_dir, idx) = index();
        // Han terms and a run of letters: tantivy is exact, nothing to check.
        assert!(planned(&idx, "银行 公告 gwh", true).checks.is_empty());
        // A number (the word view has 12 of 12.3 too) and a term with a letter at its edge are checked,
        // a group of alternatives as one.
        let p = planned(&idx, "25 银行 OR 储能gwh", true);
        let got: Vec<Vec<String>> = checks(&p).into_iter().map(|c| c.0).collect();
        assert_eq!(got, [vec!["25"], vec!["银行", "储能gwh"]]);
        assert_eq!(p.literals.len(), 2);
        // Without all_terms, a plain term is not required: nothing to check.
        assert!(planned(&idx, "25 银行", false).checks.is_empty());
    }
}
