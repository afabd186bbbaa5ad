//! Which article a group of paragraphs belongs to: the vocabulary it shares with each article.
//!
//! A group's vocabulary is its Han character bigrams, weighted by tf·idf over the page's groups (a bigram
//! that every group has says nothing). An article's profile is the sum of its groups' vectors; a group goes
//! to the article whose profile is most like it (cosine), the profiles being rebuilt after each round.

use std::collections::HashMap;
use std::ops::Range;

use crate::text::normalize::is_han;

/// A sparse vector over Han character bigrams.
pub(super) type Vector = HashMap<(char, char), f64>;

/// How many rounds of assigning groups and rebuilding profiles.
const ROUNDS: usize = 4;

/// The bigram counts of the text in `ranges`.
pub(super) fn counts(chars: &[char], ranges: &[Range<usize>]) -> Vector {
    let mut v = Vector::new();
    for r in ranges {
        for w in chars[r.clone()].windows(2) {
            if is_han(w[0]) && is_han(w[1]) {
                *v.entry((w[0], w[1])).or_default() += 1.0;
            }
        }
    }
    v
}

/// Weights count vectors by idf over them: `ln(n / df)`, where a bigram in only one vector weighs nothing
/// (it links that vector to none other).
pub(super) fn tf_idf(mut vs: Vec<Vector>) -> Vec<Vector> {
    let mut df: HashMap<(char, char), usize> = HashMap::new();
    for v in &vs {
        for k in v.keys() {
            *df.entry(*k).or_default() += 1;
        }
    }
    let n = vs.len() as f64;
    for v in &mut vs {
        v.retain(|k, _| df[k] > 1);
        for (k, x) in v.iter_mut() {
            *x *= (n / df[k] as f64).ln();
        }
    }
    vs
}

fn add(to: &mut Vector, v: &Vector, sign: f64) {
    for (k, x) in v {
        *to.entry(*k).or_default() += sign * x;
    }
}

fn norm(v: &Vector) -> f64 {
    v.values().map(|x| x * x).sum::<f64>().sqrt()
}

/// Cosine similarity (0 if either is empty).
pub(super) fn cosine(a: &Vector, b: &Vector) -> f64 {
    let (small, big) = if a.len() < b.len() { (a, b) } else { (b, a) };
    let dot: f64 = small
        .iter()
        .filter_map(|(k, x)| big.get(k).map(|y| x * y))
        .sum();
    let n = norm(a) * norm(b);
    if n > 0.0 { (dot / n).max(0.0) } else { 0.0 }
}

/// Weight of a unit's similarity to an article (cosine, 0 to 1) in the sequence score.
const EMISSION: f64 = 10.0;

/// Cost of switching articles between two neighbouring units that no boundary separates, in the first
/// assignment (before the joins, when the runs are rough: a column's top after a sentence end is no
/// boundary yet).
pub(super) const SWITCH_FIRST: f64 = 1.5;

/// Cost of switching articles inside a run, in the final assignment (the runs cut at the joins). On the
/// `tune` pages, 1.5 put 0.938 of paragraphs in the right article, 3.0 0.950 and 6.0 0.956 (no better
/// above); on the `tune` half of 1,000 pages, 0.939, 0.946 and 0.949.
pub(super) const SWITCH_FINAL: f64 = 6.0;

/// The result of [`assign`]: each unit's article, and each unit's similarity to every article's profile
/// (without the unit itself).
pub(super) struct Assignment {
    pub article: Vec<usize>,
    pub sims: Vec<Vec<f64>>,
}

/// Assigns units (paragraphs, given by their vectors, in file order) to `n` articles, as the best path
/// of a hidden Markov model: a unit's score for an article is [`EMISSION`] times its similarity to the
/// article's profile, and switching articles costs `switch` unless `free[i]` (a boundary before unit
/// `i`: it starts a column). `fixed[i]` forces unit `i`'s article (a head, or a joined piece). The profiles
/// are rebuilt from the path, [`ROUNDS`] times; the first round's profiles are the fixed units'.
pub(super) fn assign(
    vectors: &[Vector],
    fixed: &[Option<usize>],
    free: &[bool],
    switch: f64,
    n: usize,
) -> Assignment {
    let g = vectors.len();
    let mut article: Vec<Option<usize>> = fixed.to_vec();
    let mut sims = vec![vec![0.0; n]; g];
    let mut path = vec![0; g];
    if n == 0 {
        return Assignment {
            article: path,
            sims,
        };
    }
    for _ in 0..ROUNDS {
        let mut profiles = vec![Vector::new(); n];
        for (v, a) in vectors.iter().zip(&article) {
            if let Some(a) = a {
                add(&mut profiles[*a], v, 1.0);
            }
        }
        for i in 0..g {
            for (a, p) in profiles.iter().enumerate() {
                sims[i][a] = if article[i] == Some(a) {
                    let mut p = p.clone();
                    add(&mut p, &vectors[i], -1.0);
                    cosine(&vectors[i], &p)
                } else {
                    cosine(&vectors[i], p)
                };
            }
        }
        path = viterbi(&sims, fixed, free, switch, n);
        article = path.iter().map(|&a| Some(a)).collect();
    }
    Assignment {
        article: path,
        sims,
    }
}

/// The best path (see [`assign`]).
fn viterbi(
    sims: &[Vec<f64>],
    fixed: &[Option<usize>],
    free: &[bool],
    switch: f64,
    n: usize,
) -> Vec<usize> {
    let g = sims.len();
    let mut score = vec![vec![f64::NEG_INFINITY; n]; g];
    let mut back = vec![vec![0usize; n]; g];
    for i in 0..g {
        for a in 0..n {
            if fixed[i].is_some_and(|f| f != a) {
                continue;
            }
            let emit = EMISSION * sims[i][a];
            if i == 0 {
                score[i][a] = emit;
                continue;
            }
            let (mut best, mut from) = (f64::NEG_INFINITY, 0);
            for (b, prev) in score[i - 1].iter().enumerate() {
                let s = prev - if a == b || free[i] { 0.0 } else { switch };
                if s > best {
                    (best, from) = (s, b);
                }
            }
            score[i][a] = best + emit;
            back[i][a] = from;
        }
    }
    let mut path = vec![0; g];
    if g == 0 {
        return path;
    }
    let mut a = (0..n)
        .max_by(|&x, &y| score[g - 1][x].total_cmp(&score[g - 1][y]).then(y.cmp(&x)))
        .unwrap_or(0);
    for i in (0..g).rev() {
        path[i] = a;
        a = back[i][a];
    }
    path
}
