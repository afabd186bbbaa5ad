//! Does a paragraph's start continue a fragment's end? The lexical evidence at the junction: jieba's
//! dictionary as a unigram language model, punctuation, and quote and bracket balance.

use std::collections::HashSet;

use crate::text::dict;
use crate::text::normalize::is_han;
use crate::text::sentence::{CLAUSE_MARKS, CLOSERS, SENTENCE_ENDS};

/// How many Han characters of a fragment's end, and of a continuation's start, the language model reads.
const SIDE_CHARS: usize = 6;

/// Opening quotes and brackets, with the closer that matches each.
const PAIRS: &[(char, char)] = &[
    ('“', '”'),
    ('‘', '’'),
    ('（', '）'),
    ('《', '》'),
    ('【', '】'),
    ('「', '」'),
    ('『', '』'),
];

/// One side of a junction: the Han characters next to it and where jieba's words start or end among them.
#[derive(Debug, Clone, Default)]
pub(super) struct Side {
    /// The Han characters next to the junction (a fragment's last ones, or a continuation's first ones),
    /// at most [`SIDE_CHARS`]; empty if the character at the junction is not Han.
    han: Vec<char>,
    /// Word ends in `han` (offsets 1..=len) of jieba's segmentation (HMM on) of `han` alone.
    bounds: HashSet<usize>,
    /// The unigram cost of `han` alone (see [`cost`]).
    cost: f64,
}

/// The cost of a word under jieba's unigram model, in nats: `ln(total) - ln(freq)`; a character that is not
/// a word counts as a word of frequency 1 (as in jieba's DAG).
fn word_cost(word: &[char]) -> Option<f64> {
    let s: String = word.iter().collect();
    let f = dict::freq(&s).or((word.len() == 1).then_some(1))?;
    Some((dict::TOTAL as f64).ln() - (f.max(1) as f64).ln())
}

/// The cheapest segmentation's cost of `s` (nats). Words that cross `junction` (start before it, end
/// after it) must end at one of `right` (offsets from the junction).
fn cost(s: &[char], junction: Option<(usize, &HashSet<usize>)>) -> f64 {
    let n = s.len();
    let mut best = vec![f64::INFINITY; n + 1];
    best[0] = 0.0;
    for i in 0..n {
        if !best[i].is_finite() {
            continue;
        }
        for j in i + 1..=n.min(i + dict::MAX_WORD_CHARS) {
            if let Some((k, right)) = junction
                && i < k
                && j > k
                && !right.contains(&(j - k))
            {
                continue;
            }
            if let Some(c) = word_cost(&s[i..j]) {
                best[j] = best[j].min(best[i] + c);
            }
        }
    }
    best[n]
}

/// The sides of fragments' ends (`tails`) and continuations' starts (`heads`), segmented by one small
/// jieba that holds just their words.
pub(super) fn sides(tails: Vec<Vec<char>>, heads: Vec<Vec<char>>) -> (Vec<Side>, Vec<Side>) {
    let n_tails = tails.len();
    let strings: Vec<String> = tails
        .iter()
        .chain(&heads)
        .map(|h| h.iter().collect())
        .collect();
    let jieba = dict::small_jieba(strings.iter().map(String::as_str), None);
    let mut all: Vec<Side> = strings
        .iter()
        .zip(tails.into_iter().chain(heads))
        .map(|(s, han)| {
            let bounds: HashSet<usize> = jieba.cut(s, true).iter().map(|t| t.end).collect();
            let cost = cost(&han, None);
            Side { han, bounds, cost }
        })
        .collect();
    let heads = all.split_off(n_tails);
    (all, heads)
}

/// The Han characters at the end of `text` (at most [`SIDE_CHARS`]).
pub(super) fn tail_han(text: &[char]) -> Vec<char> {
    let run = text
        .iter()
        .rev()
        .take_while(|c| is_han(**c))
        .take(SIDE_CHARS)
        .count();
    text[text.len() - run..].to_vec()
}

/// The Han characters at the start of `text` (at most [`SIDE_CHARS`]).
pub(super) fn head_han(text: &[char]) -> Vec<char> {
    text.iter()
        .take_while(|c| is_han(**c))
        .take(SIDE_CHARS)
        .copied()
        .collect()
}

/// How much likelier the junction reads as one text than as two, in nats (≥ 0): the unigram cost of each
/// side alone minus that of both together, where a word across the junction must end at a word boundary of
/// the head (segmented alone by jieba), so that its right part is the head's whole first word or words:
/// 主|力军 counts, 主|任广锋 does not.
pub(super) fn lexical_gain(tail: &Side, head: &Side) -> f64 {
    if tail.han.is_empty() || head.han.is_empty() {
        return 0.0;
    }
    let k = tail.han.len();
    let both: Vec<char> = tail.han.iter().chain(&head.han).copied().collect();
    (tail.cost + head.cost - cost(&both, Some((k, &head.bounds)))).max(0.0)
}

/// Does `text` start inside a sentence: with a clause mark, a sentence end or a closing quote or bracket?
pub(super) fn starts_inside(text: &[char]) -> bool {
    text.first().is_some_and(|c| {
        CLAUSE_MARKS.contains(c) || SENTENCE_ENDS.contains(c) || CLOSERS.contains(c) || *c == '、'
    })
}

/// `c` with the ASCII parentheses read as the full-width ones (a PDF's text mixes them: `（以下简` + `称…)`).
fn canon(c: char) -> char {
    match c {
        '(' => '（',
        ')' => '）',
        c => c,
    }
}

/// The quotes and brackets left open at the end of `text`, innermost last (as their closers).
pub(super) fn open_at_end(text: &[char]) -> Vec<char> {
    let mut stack = Vec::new();
    for c in text.iter().map(|&c| canon(c)) {
        if let Some(&(_, close)) = PAIRS.iter().find(|(o, _)| *o == c) {
            stack.push(close);
        } else if PAIRS.iter().any(|(_, cl)| *cl == c)
            && let Some(pos) = stack.iter().rposition(|x| *x == c)
        {
            stack.truncate(pos);
        }
    }
    stack
}

/// The closers in `text` that close nothing opened in it, in order (ASCII parentheses as full-width).
pub(super) fn unopened_closers(text: &[char]) -> Vec<char> {
    let mut stack = Vec::new();
    let mut out = Vec::new();
    for c in text.iter().map(|&c| canon(c)) {
        if let Some(&(_, close)) = PAIRS.iter().find(|(o, _)| *o == c) {
            stack.push(close);
        } else if PAIRS.iter().any(|(_, cl)| *cl == c) {
            match stack.iter().rposition(|x| *x == c) {
                Some(pos) => stack.truncate(pos),
                None => out.push(c),
            }
        }
    }
    out
}

/// Do the quotes and brackets of a fragment and a continuation fit: +1 if the fragment leaves some open and
/// the continuation closes the innermost one first; -1 if exactly one of the two has something for the
/// other (the fragment leaves one open that the continuation never closes, or the continuation closes one
/// the fragment did not open); 0 if neither has.
pub(super) fn balance(open: &[char], unopened: &[char]) -> f64 {
    match (open.last(), unopened.first()) {
        (None, None) => 0.0,
        (Some(a), Some(b)) if a == b => 1.0,
        _ => -1.0,
    }
}
