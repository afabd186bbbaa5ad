//! Query planning: a parsed query becomes the tantivy query that finds and scores candidate passages, and
//! the patterns that re-ranking looks for in each candidate's text.

use std::collections::{HashMap, HashSet};

use tantivy::Term;
use tantivy::query::{
    BooleanQuery, BoostQuery, ConstScoreQuery, Occur, Query as TQuery, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};

use super::query::{self, Item};
use super::weights::{RANKING, Ranking, is_stop};
use crate::index::SearchIndex;
use crate::index::schema::{Fields, char_phrase};
use crate::text::analyzer::{Analyzer, Tok, TokenKind, in_default_dictionary};
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
}

/// A query turned into what the index and the re-ranker need.
pub(super) struct Plan {
    pub query: Box<dyn TQuery>,
    /// Normalized strings whose presence tantivy cannot check exactly (they contain punctuation or spaces):
    /// (pattern, must the passage contain it?).
    pub verify: Vec<(Pattern, bool)>,
    /// Positive groups, each a list of alternatives.
    pub groups: Vec<Vec<ItemPlan>>,
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
    verify: &mut Vec<(Pattern, bool)>,
    must: bool,
) -> Option<Box<dyn TQuery>> {
    let text = item.text();
    let (q, gaps) = char_phrase(idx.fields.chars, idx.fields.unigrams, text)?;
    if gaps {
        let mut p = pattern(text, false);
        p.any_punct = matches!(item, Item::Phrase(_));
        verify.push((p, must));
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
    let text = item.text();
    match item {
        Item::Phrase(_) => phrase_query(idx.fields, text),
        _ => TermClauses::new(idx, searcher, text).build(),
    }
}

/// A quoted phrase: its character phrase in the passage and in the title; it counts only when present whole.
fn phrase_query(f: Fields, text: &str) -> (Option<Box<dyn TQuery>>, ItemPlan) {
    let r = *RANKING;
    let mut clauses: Vec<(Occur, Box<dyn TQuery>)> = Vec::new();
    if let Some((q, _)) = char_phrase(f.chars, f.unigrams, text) {
        clauses.push((Occur::Should, boost(q, r.phrase)));
    }
    if let Some((q, _)) = char_phrase(f.title_chars, f.title_unigrams, text) {
        clauses.push((Occur::Should, boost(q, r.phrase * r.title)));
    }
    let mut whole = pattern(text, false);
    whole.any_punct = true;
    let plan = ItemPlan {
        whole,
        parts: Vec::new(),
        cover_only: Vec::new(),
        units: Vec::new(),
        exact_only: true,
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
    analyzer: &'a Analyzer,
    text: &'a str,
    /// Clauses that can make a passage match.
    clauses: Vec<(Occur, Box<dyn TQuery>)>,
    /// Stop words, one-character words and bigrams add to the score of passages that match the term
    /// otherwise, but do not make a passage match on their own.
    score_only: Vec<(Occur, Box<dyn TQuery>)>,
    parts: Vec<(usize, Pattern)>,
    units: Vec<(usize, Pattern, f32)>,
    cover_only: Vec<(usize, Pattern)>,
    /// Core clauses that are one bigram of the character view, with their weight: the bigram evidence adds
    /// its weight to them instead of scoring the same postings a second time.
    core_bigrams: HashMap<String, (usize, f32)>,
}

impl<'a> TermClauses<'a> {
    fn new(idx: &'a SearchIndex, searcher: &'a tantivy::Searcher, text: &'a str) -> Self {
        TermClauses {
            r: *RANKING,
            f: idx.fields,
            searcher,
            analyzer: &idx.analyzer,
            text,
            clauses: Vec::new(),
            score_only: Vec::new(),
            parts: Vec::new(),
            units: Vec::new(),
            cover_only: Vec::new(),
            core_bigrams: HashMap::new(),
        }
    }

    /// IDF of a word on the word view.
    fn idf(&self, t: &str) -> f32 {
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

    fn build(mut self) -> (Option<Box<dyn TQuery>>, ItemPlan) {
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
        };
        let mut score_only = self.score_only;
        let query = bool_or_none(self.clauses).map(|core| {
            if score_only.is_empty() {
                core
            } else {
                score_only.push((Occur::Must, core));
                boxed(BooleanQuery::new(score_only))
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

    /// Every bigram of the term: soft proximity evidence that survives any segmentation (score only).
    fn bigram_evidence(&mut self, chars: &[char]) {
        let (r, f) = (self.r, self.f);
        let mut seen = HashSet::new();
        for w in chars.windows(2) {
            if w.iter().all(|c| is_word_char(*c)) {
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

fn bool_or_none(mut clauses: Vec<(Occur, Box<dyn TQuery>)>) -> Option<Box<dyn TQuery>> {
    match clauses.len() {
        0 => None,
        1 => Some(clauses.remove(0).1),
        _ => Some(boxed(BooleanQuery::new(clauses))),
    }
}

pub(super) fn plan(
    idx: &SearchIndex,
    searcher: &tantivy::Searcher,
    q: &query::Query,
) -> crate::Result<Plan> {
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
    verify.retain(|(p, must)| {
        !*must
            || q.groups.iter().any(|g| {
                g.required
                    && g.items.len() == 1
                    && g.items[0].text().chars().eq(p.chars.iter().copied())
            })
    });
    Ok(Plan {
        query: boxed(BooleanQuery::new(clauses)),
        verify,
        groups,
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
        assert!(p.verify.is_empty());
    }

    #[test]
    fn latin_words_keep_word_bounds_and_gapped_phrases_are_verified_on_the_text() {
        let (_dir, idx) = index();
        let searcher = idx.reader.searcher();
        let p = plan(&idx, &searcher, &query::parse("gwh").unwrap()).unwrap();
        assert!(p.groups[0][0].whole.word_bounds);
        // A required phrase with punctuation inside: tantivy can't check the gap, the text is checked.
        let p = plan(
            &idx,
            &searcher,
            &query::parse("\"人民至上、生命至上\"").unwrap(),
        )
        .unwrap();
        let verify = |p: &super::Plan| -> Vec<(String, bool, bool)> {
            p.verify
                .iter()
                .map(|(v, must)| (chars(v), *must, v.any_punct))
                .collect()
        };
        assert_eq!(verify(&p), [("人民至上、生命至上".to_string(), true, true)]);
        // An excluded one too, but then it is not in the tantivy query at all (that would exclude too much).
        let p = plan(
            &idx,
            &searcher,
            &query::parse("银行 -\"人民至上、生命\"").unwrap(),
        )
        .unwrap();
        assert_eq!(verify(&p), [("人民至上、生命".to_string(), false, true)]);
    }
}
