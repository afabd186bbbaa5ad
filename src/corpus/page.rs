//! Newspaper pages: the articles of a page of text extracted from a printed newspaper's PDF.
//!
//! A page holds several articles, interleaved in the order its columns were read, with kickers (引题),
//! headlines, subheads, bylines, photo credits and captions, and sentences cut at a column end whose
//! continuation sits elsewhere in the file. [`layout`] rebuilds the articles:
//!
//! 1. Paragraphs are runs of lines between blank lines (a line each if the text has no blank line), each
//!    classified on its own: credit (`视觉中国供图`, `张海韵摄`), byline (`◎本报记者 …`, `通讯员 …`),
//!    heading-shaped line, or body text, open at its end (no sentence end) or not, starting with a
//!    dateline or not.
//! 2. Article heads: a heading followed by a byline or a dateline is a headline; a short heading right
//!    above it is its kicker, and a label of a few characters above the kicker (`园镜头`) a credit of the
//!    page, unless its vocabulary is more like another article's than its headline's (then it is the cut
//!    end of that article's column). A caption is the heading-shaped line next to a credit, or a paragraph
//!    there that repeats another's text. A text with fewer than two heads is read as one article, as is,
//!    nothing joined.
//! 3. Joins: every pair of a fragment (a text paragraph open at its end) and a possible continuation is
//!    scored on the junction's lexical gain under jieba's dictionary as a unigram language model (主|力军
//!    and 签|约 form words, and the word must end where the continuation's first word does), punctuation
//!    at the continuation's start, quote and bracket balance (`（以下简` + `称…）`), whether a first
//!    assignment of paragraphs to articles puts both in one article, and where the continuation sits. The
//!    pairs of the matching with the largest total score are taken (each piece once), then greedily the
//!    best pairs left, never linking two heads or closing a loop. This is done twice, the second time
//!    with the first round's joins known to the first assignment.
//! 4. Articles: every paragraph goes to an article by the best path of a hidden Markov model over the
//!    paragraphs in file order, whose states are the articles: a paragraph scores its vocabulary's
//!    similarity to the article (tf·idf of Han character bigrams), and switching articles costs something
//!    except at the top of a column (after an open end, before a continuation, a subhead or a caption).
//!    Heads and the paragraph right under each hold their article.
//! 5. Reading order: an article's runs are read from its head on, following joins from column to column.
//!
//! The weights were tuned on synthetic pages (`bench/pages.py`, the `tune` half); the figures are in
//! BENCHMARKS.md ("Newspaper pages"). On the bundled page (`corpus/keji-ribao-high-tech-zones-2023.txt`)
//! the layout finds the four articles, the eight joins and no false one, and puts every block in its
//! article (see the tests).
//!
//! Offsets are character (not byte) offsets into the text given to [`layout`], half-open ranges.
//! Datelines are recognised by a local check (`classify::is_dateline`) until the dateline parser is in.

use std::ops::Range;

mod assign;
mod classify;
mod junction;
mod matching;

use classify::{Look, Para};

/// What a paragraph of a page is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BlockKind {
    /// Body text of an article.
    Body,
    /// A subhead inside an article (a short line between body paragraphs).
    Subhead,
    /// A photo caption; it belongs to an article but is not body text.
    Caption,
}

/// A paragraph of an article as read: one or more pieces of the file, joined in order (a sentence broken at
/// a column end continues in another piece).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Block {
    /// What the paragraph is.
    pub kind: BlockKind,
    /// The pieces, as character ranges of the page text, in reading order; never empty, each piece trimmed.
    pub pieces: Vec<Range<usize>>,
}

/// One article of a page.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize)]
pub struct PageArticle {
    /// The headline's character range, if the article has one.
    pub title: Option<Range<usize>>,
    /// The kicker (引题) above the headline, if any.
    pub kicker: Option<Range<usize>>,
    /// The byline (`◎本报记者 王健高 实习记者 宋迎迎`, `通讯员 …`), as the ranges of its lines.
    pub byline: Vec<Range<usize>>,
    /// The article's blocks in reading order: body paragraphs, subheads, captions.
    pub blocks: Vec<Block>,
}

/// The articles of a page, and what belongs to none.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize)]
pub struct Page {
    /// The articles, in the order their heads appear in the file.
    pub articles: Vec<PageArticle>,
    /// Photo credits (`视觉中国供图`, `张海韵摄`) and other lines that are not part of any article's text.
    pub credits: Vec<Range<usize>>,
}

/// Rebuilds the articles of a page of text (see the module docs). Never fails: a text with fewer than two
/// article heads comes back as one article, its paragraphs in file order, nothing joined.
pub fn layout(text: &str) -> Page {
    let chars: Vec<char> = text.chars().collect();
    let paras = classify::paragraphs(&chars);
    let mut roles = vec![Role::Text; paras.len()];
    let mut heads = find_heads(&chars, &paras, &mut roles);
    mark_captions(&chars, &paras, &mut roles);
    if heads.len() >= 2 {
        check_kickers(&chars, &paras, &mut roles, &mut heads);
    }
    let mut page = Page {
        articles: Vec::new(),
        credits: paras
            .iter()
            .zip(&roles)
            .filter(|(_, r)| matches!(r, Role::Credit | Role::Label))
            .map(|(p, _)| p.range.clone())
            .collect(),
    };
    if heads.len() < 2 {
        page.articles.push(as_read(&paras, &roles, heads.first()));
        return page;
    }
    // Twice: the second time, the first assignment reads each re-joined paragraph as a whole.
    let first_joins = find_joins(&chars, &paras, &roles, heads.len(), &[]);
    let joins = find_joins(&chars, &paras, &roles, heads.len(), &first_joins);
    let article_of = assign_final(&chars, &paras, &roles, &joins, heads.len());
    page.articles = build(&paras, &roles, &heads, &joins, &article_of);
    page
}

/// What a paragraph is on the page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    /// A photo credit.
    Credit,
    /// A column label above a kicker (`园镜头`); a credit of the page.
    Label,
    /// The kicker of article `n`.
    Kicker(usize),
    /// The headline of article `n`.
    Title(usize),
    /// A byline of article `n`, right under its headline.
    Byline(usize),
    /// A byline that follows no headline; it goes to the article its neighbours go to.
    StrayByline,
    /// A photo caption.
    Caption,
    /// Text of some article: body, subhead, or a piece of a paragraph.
    Text,
}

/// An article's head: paragraph numbers.
#[derive(Debug, Clone, Default)]
struct Head {
    title: usize,
    kicker: Option<usize>,
    byline: Vec<usize>,
}

/// Finds the article heads: a heading followed by a byline or by a paragraph that starts with a dateline is
/// a headline; the short heading right above it is its kicker, and a label of at most
/// [`classify::MAX_LABEL_CHARS`] characters above the kicker is the column's (a credit). Sets their roles,
/// and those of credits and of bylines that follow no headline.
fn find_heads(chars: &[char], paras: &[Para], roles: &mut [Role]) -> Vec<Head> {
    let mut heads = Vec::new();
    for (i, p) in paras.iter().enumerate() {
        match p.look {
            Look::Credit => roles[i] = Role::Credit,
            Look::Byline if roles[i] == Role::Text => roles[i] = Role::StrayByline,
            _ => {}
        }
        let Some(next) = paras.get(i + 1) else {
            continue;
        };
        let is_head = matches!(p.look, Look::Heading { .. })
            && matches!(next.look, Look::Byline | Look::Body { dateline: true, .. })
            && roles[i] == Role::Text;
        if !is_head {
            continue;
        }
        let n = heads.len();
        let mut head = Head {
            title: i,
            ..Head::default()
        };
        roles[i] = Role::Title(n);
        for (j, q) in paras.iter().enumerate().skip(i + 1) {
            if q.look != Look::Byline {
                break;
            }
            roles[j] = Role::Byline(n);
            head.byline.push(j);
        }
        if i > 0
            && paras[i - 1].look == (Look::Heading { long: false })
            && roles[i - 1] == Role::Text
        {
            roles[i - 1] = Role::Kicker(n);
            head.kicker = Some(i - 1);
            if i > 1
                && paras[i - 2].look == (Look::Heading { long: false })
                && roles[i - 2] == Role::Text
                && paras[i - 2].range.len() <= classify::MAX_LABEL_CHARS
            {
                roles[i - 2] = Role::Label;
            }
        }
        let _ = chars;
        heads.push(head);
    }
    heads
}

/// Takes back a kicker whose vocabulary is more like another article's than its headline's: it is the end
/// of a column of that other article, cut short (`对外，搭建桥梁，鼓励企业拓展订单` above an unrelated
/// headline), and goes back to the page's text.
fn check_kickers(chars: &[char], paras: &[Para], roles: &mut [Role], heads: &mut [Head]) {
    let mut unfixed = roles.to_vec();
    for h in heads.iter() {
        if let Some(k) = h.kicker {
            unfixed[k] = Role::Text;
        }
    }
    let vectors = para_vectors(chars, paras, &unfixed);
    let free = vec![true; paras.len()];
    let first = assign::assign(
        &vectors,
        &head_articles(&unfixed),
        &free,
        assign::SWITCH_FIRST,
        heads.len(),
    );
    for (n, h) in heads.iter_mut().enumerate() {
        let Some(k) = h.kicker else { continue };
        let own = first.sims[k][n];
        if first.sims[k].iter().any(|&x| x > own) {
            roles[k] = Role::Text;
            h.kicker = None;
        }
    }
}

/// Marks photo captions: next to a credit, a short heading-shaped line, or else a paragraph that repeats
/// another's text (a pull quote: 80% of its bigrams in one other paragraph).
fn mark_captions(chars: &[char], paras: &[Para], roles: &mut [Role]) {
    for i in 0..paras.len() {
        if roles[i] != Role::Credit {
            continue;
        }
        let neighbours: Vec<usize> = [i.checked_sub(1), Some(i + 1)]
            .into_iter()
            .flatten()
            .filter(|&j| j < paras.len() && roles[j] == Role::Text)
            .collect();
        let short = neighbours
            .iter()
            .find(|&&j| paras[j].look == (Look::Heading { long: false }));
        let repeated = || neighbours.iter().find(|&&j| repeats(chars, paras, j));
        if let Some(&j) = short.or_else(repeated) {
            roles[j] = Role::Caption;
        }
    }
}

/// Does paragraph `j` repeat another paragraph's text (80% of its bigrams, at least 5, in one other)?
fn repeats(chars: &[char], paras: &[Para], j: usize) -> bool {
    let bigrams = |r: &Range<usize>| -> std::collections::HashSet<(char, char)> {
        chars[r.clone()].windows(2).map(|w| (w[0], w[1])).collect()
    };
    let own = bigrams(&paras[j].range);
    own.len() >= 5
        && paras.iter().enumerate().any(|(k, q)| {
            k != j && q.range.len() > paras[j].range.len() && {
                let other = bigrams(&q.range);
                own.iter().filter(|b| other.contains(b)).count() * 5 >= own.len() * 4
            }
        })
}

/// The page as one article, read in order: the head's parts if there is one, every other paragraph a
/// block of its own (credits apart).
fn as_read(paras: &[Para], roles: &[Role], head: Option<&Head>) -> PageArticle {
    let mut article = PageArticle {
        title: head.map(|h| paras[h.title].range.clone()),
        kicker: head.and_then(|h| h.kicker).map(|k| paras[k].range.clone()),
        byline: head
            .map(|h| {
                h.byline
                    .iter()
                    .flat_map(|&b| paras[b].lines.clone())
                    .collect()
            })
            .unwrap_or_default(),
        blocks: Vec::new(),
    };
    for (p, role) in paras.iter().zip(roles) {
        let kind = match role {
            Role::Caption => BlockKind::Caption,
            Role::Text | Role::StrayByline if p.look == (Look::Heading { long: false }) => {
                BlockKind::Subhead
            }
            Role::Text | Role::StrayByline => BlockKind::Body,
            _ => continue,
        };
        article.blocks.push(Block {
            kind,
            pieces: vec![p.range.clone()],
        });
    }
    article
}

/// A join: paragraph `fragment` continues with paragraph `continuation`; `score` is how sure (see
/// [`find_joins`]).
#[derive(Debug, Clone, Copy)]
struct Join {
    fragment: usize,
    continuation: usize,
    score: f64,
}

/// Weights of the join score (tuned on the `tune` half of `bench/pages.py`'s pages).
mod weight {
    /// Per nat of the junction's lexical gain ([`super::junction::lexical_gain`]).
    pub const LEXICAL: f64 = 0.5;
    /// Most the lexical gain adds.
    pub const LEXICAL_CAP: f64 = 5.0;
    /// The continuation starts with punctuation (a clause mark, a sentence end, a closer).
    pub const STARTS_INSIDE: f64 = 2.0;
    /// Both the fragment ends and the continuation starts with punctuation.
    pub const DOUBLE_PUNCTUATION: f64 = -3.0;
    /// Per unit of quote and bracket balance ([`super::junction::balance`]).
    pub const BALANCE: f64 = 1.5;
    /// Per unit of how much less alike the continuation's run is to the fragment's article than to its
    /// likeliest article (cosine, 0 to 1).
    pub const AFFINITY: f64 = 4.0;
    /// The fragment's article is the likeliest for the continuation's run.
    pub const SAME_ARTICLE: f64 = 1.0;
    /// The continuation comes before the fragment in the file.
    pub const BEFORE: f64 = -1.0;
    /// The paragraph before the continuation ends a sentence or is a heading, and the first assignment
    /// gives both the same article (the continuation is likely not at the top of a column).
    pub const MID_RUN: f64 = -1.0;
    /// The fragment is a short heading-shaped line (likelier a subhead).
    pub const SHORT_FRAGMENT: f64 = -1.0;
    /// Per paragraph between the fragment and the continuation (a tie-breaker: the nearer, the likelier).
    pub const DISTANCE: f64 = -0.01;
    /// A join needs a score above this.
    pub const THRESHOLD: f64 = 0.0;
    /// A fragment of body text (not a short heading-shaped line) left without a continuation takes one
    /// that is left at the top of a column (after an open end) with a score above this.
    pub const LEFTOVER_THRESHOLD: f64 = -1.0;
}

/// Is paragraph `i` (text) open at its end: body without a sentence end, or a heading-shaped line?
fn open_end(paras: &[Para], roles: &[Role], i: usize) -> bool {
    roles[i] == Role::Text
        && matches!(
            paras[i].look,
            Look::Body { open: true, .. } | Look::Heading { .. }
        )
}

/// Runs: the page's text paragraphs (and head parts) in file order, cut before a head, around captions,
/// credits and stray bylines, after a paragraph where `ends(i)`, and before one where `starts(i)`. A run is
/// read as one stretch of an article's text.
fn runs(
    paras: &[Para],
    roles: &[Role],
    ends: impl Fn(usize) -> bool,
    starts: impl Fn(usize) -> bool,
) -> Vec<Vec<usize>> {
    let mut out: Vec<Vec<usize>> = Vec::new();
    let mut current: Vec<usize> = Vec::new();
    let mut cut_after = true;
    for i in 0..paras.len() {
        let role = roles[i];
        if matches!(role, Role::Credit | Role::Label) {
            cut_after = true;
            continue;
        }
        let cut_before = match role {
            Role::Kicker(_) => true,
            Role::Title(n) => {
                !matches!(i.checked_sub(1).map(|k| roles[k]), Some(Role::Kicker(m)) if m == n)
            }
            Role::Byline(_) => false,
            Role::Caption | Role::StrayByline => true,
            _ => starts(i),
        };
        if (cut_after || cut_before) && !current.is_empty() {
            out.push(std::mem::take(&mut current));
        }
        current.push(i);
        cut_after =
            matches!(role, Role::Caption | Role::StrayByline) || (role == Role::Text && ends(i));
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// Whether each paragraph starts a run (see [`runs`]); credits and labels do.
fn run_starts(n: usize, runs: &[Vec<usize>]) -> Vec<bool> {
    let mut free = vec![true; n];
    for run in runs {
        for &i in &run[1..] {
            free[i] = false;
        }
    }
    free
}

/// The article of each paragraph of a head, and of the paragraph right under a head (its lead).
fn head_articles(roles: &[Role]) -> Vec<Option<usize>> {
    let mut out: Vec<Option<usize>> = roles
        .iter()
        .map(|r| match r {
            Role::Kicker(n) | Role::Title(n) | Role::Byline(n) => Some(*n),
            _ => None,
        })
        .collect();
    for i in 1..roles.len() {
        if let (Role::Title(n) | Role::Byline(n), Role::Text) = (roles[i - 1], roles[i]) {
            out[i] = Some(n);
        }
    }
    out
}

/// The bigram vectors of paragraphs (empty for credits and labels), weighted by tf·idf over them.
fn para_vectors(chars: &[char], paras: &[Para], roles: &[Role]) -> Vec<assign::Vector> {
    assign::tf_idf(
        paras
            .iter()
            .zip(roles)
            .map(|(p, r)| match r {
                Role::Credit | Role::Label => assign::Vector::new(),
                _ => assign::counts(chars, std::slice::from_ref(&p.range)),
            })
            .collect(),
    )
}

/// Re-joins the pieces of sentences broken across columns: scores every (fragment, continuation) pair,
/// takes the pairs of the one-to-one matching of largest total score above [`weight::THRESHOLD`]
/// ([`matching::best_matching`]), then greedily the best pairs left above it and, for a body fragment
/// still alone, above [`weight::LEFTOVER_THRESHOLD`]; never a pair that [`fits`] refuses.
///
/// A fragment is a text paragraph open at its end ([`open_end`]); a continuation, a text paragraph that
/// does not start with a dateline, is not the first after a head, and is not a short heading-shaped line
/// unless it starts with punctuation (a subhead starts no column's text: on the `tune` pages, letting short
/// lines continue fragments cost 0.03 of precision and gained nothing). The score adds up (see [`weight`]):
/// the junction's lexical gain; punctuation at the continuation's start; quote and bracket balance; how
/// alike the continuation's run is to the fragment's article (a first assignment of runs cut at every open
/// end); whether the continuation comes before the fragment, sits inside a run, or the fragment is a short
/// heading-shaped line. `prior`: joins of an earlier round; the first assignment then reads each paragraph
/// they re-join as a whole, and a run starts at each of their continuations.
fn find_joins(
    chars: &[char],
    paras: &[Para],
    roles: &[Role],
    n_articles: usize,
    prior: &[Join],
) -> Vec<Join> {
    let text = |i: usize| &chars[paras[i].range.clone()];
    let short = |i: usize| paras[i].look == (Look::Heading { long: false });
    let pre = runs(
        paras,
        roles,
        |i| {
            matches!(
                paras[i].look,
                Look::Body { open: true, .. } | Look::Heading { long: true }
            )
        },
        |i| {
            junction::starts_inside(text(i))
                || short(i)
                || prior.iter().any(|j| j.continuation == i)
        },
    );
    let vectors = chain_vectors(&para_vectors(chars, paras, roles), prior);
    let free = run_starts(paras.len(), &pre);
    let first = assign::assign(
        &vectors,
        &head_articles(roles),
        &free,
        assign::SWITCH_FIRST,
        n_articles,
    );
    // The similarities of the stretch a paragraph starts (to the end of its run) to each article.
    let stretch_sims = |c: usize| -> Vec<f64> {
        let mut sum = vec![0.0; n_articles];
        let mut k = 0;
        for (i, sims) in first.sims.iter().enumerate().skip(c) {
            if i > c && free[i] {
                break;
            }
            for (a, x) in sims.iter().enumerate() {
                sum[a] += x;
            }
            k += 1;
        }
        sum.iter().map(|x| x / k.max(1) as f64).collect()
    };
    let fragments: Vec<usize> = (0..paras.len())
        .filter(|&i| open_end(paras, roles, i))
        .collect();
    let continuations: Vec<usize> = (0..paras.len())
        .filter(|&i| {
            roles[i] == Role::Text
                && !matches!(paras[i].look, Look::Body { dateline: true, .. })
                && !matches!(
                    i.checked_sub(1).map(|k| roles[k]),
                    Some(Role::Title(_) | Role::Byline(_))
                )
                && (!short(i) || junction::starts_inside(text(i)))
        })
        .collect();
    let (tails, heads) = junction::sides(
        fragments
            .iter()
            .map(|&f| junction::tail_han(text(f)))
            .collect(),
        continuations
            .iter()
            .map(|&c| junction::head_han(text(c)))
            .collect(),
    );
    let mut pairs = Vec::new();
    for (fi, &f) in fragments.iter().enumerate() {
        let f_text = text(f);
        let open = junction::open_at_end(f_text);
        let f_article = first.article[f];
        let ends_punct = f_text.last().is_some_and(|c| !c.is_alphanumeric());
        for (ci, &c) in continuations.iter().enumerate() {
            if c == f {
                continue;
            }
            let c_text = text(c);
            let mut score = (weight::LEXICAL * junction::lexical_gain(&tails[fi], &heads[ci]))
                .min(weight::LEXICAL_CAP);
            let inside = junction::starts_inside(c_text);
            if inside {
                score += weight::STARTS_INSIDE;
                if ends_punct {
                    score += weight::DOUBLE_PUNCTUATION;
                }
            }
            score +=
                weight::BALANCE * junction::balance(&open, &junction::unopened_closers(c_text));
            let sims = stretch_sims(c);
            let best = sims.iter().copied().fold(0.0, f64::max);
            score += weight::AFFINITY * (sims[f_article] - best);
            if first.article[c] == f_article {
                score += weight::SAME_ARTICLE;
            }
            if c < f {
                score += weight::BEFORE;
            }
            let prev = (0..c)
                .rev()
                .find(|&k| !matches!(roles[k], Role::Credit | Role::Label));
            if prev.is_some_and(|k| {
                (!open_end(paras, roles, k) || short(k)) && first.article[k] == first.article[c]
            }) {
                score += weight::MID_RUN;
            }
            if short(f) {
                score += weight::SHORT_FRAGMENT;
            }
            score += weight::DISTANCE * (c.abs_diff(f) as f64);
            let top_of_column = prev.is_none_or(|k| open_end(paras, roles, k) && !short(k));
            if score > weight::THRESHOLD
                || (score > weight::LEFTOVER_THRESHOLD && !short(f) && top_of_column)
            {
                pairs.push(Join {
                    fragment: f,
                    continuation: c,
                    score,
                });
            }
        }
    }
    pairs.sort_by(|a, b| b.score.total_cmp(&a.score));
    // First the matching of largest total score above the threshold, then greedily what fits.
    let index = |list: &[usize], x: usize| list.iter().position(|&y| y == x).unwrap_or(0);
    let mut weights = vec![vec![0.0; continuations.len()]; fragments.len()];
    for p in &pairs {
        weights[index(&fragments, p.fragment)][index(&continuations, p.continuation)] =
            p.score - weight::THRESHOLD;
    }
    let best = matching::best_matching(&weights);
    let mut joins: Vec<Join> = Vec::new();
    for p in &pairs {
        if best[index(&fragments, p.fragment)] == Some(index(&continuations, p.continuation))
            && p.score > weight::THRESHOLD
            && fits(paras, roles, &joins, p)
        {
            joins.push(*p);
        }
    }
    for pass in [weight::THRESHOLD, weight::LEFTOVER_THRESHOLD] {
        for p in &pairs {
            if p.score > pass && fits(paras, roles, &joins, p) {
                joins.push(*p);
            }
        }
    }
    joins
}

/// Can `join` be added to `joins`: its fragment and its continuation are free, it closes no loop, and it
/// links no two heads' runs?
fn fits(paras: &[Para], roles: &[Role], joins: &[Join], join: &Join) -> bool {
    if joins
        .iter()
        .any(|j| j.fragment == join.fragment || j.continuation == join.continuation)
    {
        return false;
    }
    // A loop: following joins from the continuation leads back to the fragment.
    let mut at = join.continuation;
    while let Some(j) = joins.iter().find(|j| j.fragment == at) {
        if j.continuation == join.fragment {
            return false;
        }
        at = j.continuation;
    }
    let mut with: Vec<Join> = joins.to_vec();
    with.push(*join);
    let runs = final_runs(paras, roles, &with);
    let anchor: Vec<Option<usize>> = runs
        .iter()
        .map(|r| {
            r.iter().find_map(|&i| match roles[i] {
                Role::Title(n) => Some(n),
                _ => None,
            })
        })
        .collect();
    let run_of = |i: usize| runs.iter().position(|r| r.contains(&i));
    // The heads reachable from each side through joins.
    let heads_of = |start: usize| -> Vec<usize> {
        let mut seen = vec![false; runs.len()];
        let mut stack: Vec<usize> = run_of(start).into_iter().collect();
        let mut found = Vec::new();
        while let Some(r) = stack.pop() {
            if std::mem::replace(&mut seen[r], true) {
                continue;
            }
            found.extend(anchor[r]);
            for j in &with {
                let (a, b) = (run_of(j.fragment), run_of(j.continuation));
                if a == Some(r) {
                    stack.extend(b);
                }
                if b == Some(r) {
                    stack.extend(a);
                }
            }
        }
        found
    };
    let mut heads = heads_of(join.fragment);
    heads.sort_unstable();
    heads.dedup();
    heads.len() <= 1
}

/// The final runs (cut at the joins) and their groups (runs linked by joins).
fn final_runs(paras: &[Para], roles: &[Role], joins: &[Join]) -> Vec<Vec<usize>> {
    let is_fragment = |i: usize| joins.iter().any(|j| j.fragment == i);
    let is_continuation = |i: usize| joins.iter().any(|j| j.continuation == i);
    runs(
        paras,
        roles,
        |i| {
            is_fragment(i)
                || matches!(
                    paras[i].look,
                    Look::Body { open: true, .. } | Look::Heading { long: true }
                )
        },
        |i| {
            is_continuation(i)
                || (paras[i].look == (Look::Heading { long: false }) && !is_fragment(i))
        },
    )
}

/// Paragraph vectors where each piece of a re-joined paragraph has the vector of the whole paragraph (its
/// pieces' vectors summed).
fn chain_vectors(vectors: &[assign::Vector], joins: &[Join]) -> Vec<assign::Vector> {
    let mut summed = vectors.to_vec();
    for j in joins
        .iter()
        .filter(|j| !joins.iter().any(|k| k.continuation == j.fragment))
    {
        // The chain of pieces from a paragraph's first piece.
        let mut chain = vec![j.fragment];
        let mut at = j.fragment;
        while let Some(k) = joins.iter().find(|k| k.fragment == at) {
            if chain.contains(&k.continuation) {
                break;
            }
            chain.push(k.continuation);
            at = k.continuation;
        }
        let mut sum = assign::Vector::new();
        for &i in &chain {
            for (k, x) in &vectors[i] {
                *sum.entry(*k).or_default() += x;
            }
        }
        for &i in &chain {
            summed[i] = sum.clone();
        }
    }
    summed
}

/// Each paragraph's article: the best path of [`assign::assign`] over the paragraphs, free to switch
/// articles at the final runs' starts, where each piece of a re-joined paragraph counts with the vocabulary
/// of the whole paragraph (its pieces' vectors summed). The pieces of a paragraph are not forced into one
/// article: a wrong join would then drag a whole run along (on the `tune` pages, forcing them put fewer
/// paragraphs in the right article); a continuation's block goes with its fragment's article anyway.
fn assign_final(
    chars: &[char],
    paras: &[Para],
    roles: &[Role],
    joins: &[Join],
    n_articles: usize,
) -> Vec<usize> {
    let runs = final_runs(paras, roles, joins);
    let free = run_starts(paras.len(), &runs);
    let vectors = para_vectors(chars, paras, roles);
    let summed = chain_vectors(&vectors, joins);
    assign::assign(
        &summed,
        &head_articles(roles),
        &free,
        assign::SWITCH_FINAL,
        n_articles,
    )
    .article
}

/// Builds the articles: each head's parts, then its blocks in reading order. An article's runs (cut where
/// the article changes) are read from its head's run on, following each run's join to the run its
/// continuation starts; when a chain ends, the first run after the head in the file that no join leads to
/// comes next (else the first such run, else the first run left).
fn build(
    paras: &[Para],
    roles: &[Role],
    heads: &[Head],
    joins: &[Join],
    article_of: &[usize],
) -> Vec<PageArticle> {
    // The final runs, cut where the article changes.
    let runs: Vec<Vec<usize>> = final_runs(paras, roles, joins)
        .into_iter()
        .flat_map(|run| {
            let mut parts: Vec<Vec<usize>> = Vec::new();
            for i in run {
                match parts.last_mut() {
                    Some(part) if article_of[part[0]] == article_of[i] => part.push(i),
                    _ => parts.push(vec![i]),
                }
            }
            parts
        })
        .collect();
    let next_of = |i: usize| {
        joins
            .iter()
            .find(|j| j.fragment == i)
            .map(|j| j.continuation)
    };
    let is_continuation = |i: usize| joins.iter().any(|j| j.continuation == i);
    let mut articles: Vec<PageArticle> = heads
        .iter()
        .map(|h| PageArticle {
            title: Some(paras[h.title].range.clone()),
            kicker: h.kicker.map(|k| paras[k].range.clone()),
            byline: h
                .byline
                .iter()
                .flat_map(|&b| paras[b].lines.clone())
                .collect(),
            blocks: Vec::new(),
        })
        .collect();
    let run_start: std::collections::HashMap<usize, usize> = runs
        .iter()
        .enumerate()
        .map(|(r, run)| (run[0], r))
        .collect();
    let mut placed = vec![false; runs.len()];
    for (a, article) in articles.iter_mut().enumerate() {
        let mine: Vec<usize> = (0..runs.len())
            .filter(|&r| article_of[runs[r][0]] == a)
            .collect();
        let mut order: Vec<usize> = Vec::new();
        let head_run = mine
            .iter()
            .copied()
            .find(|&r| runs[r].contains(&heads[a].title));
        let mut cursor = head_run;
        loop {
            let r = match cursor {
                Some(r) if !placed[r] => r,
                _ => {
                    let fresh = |r: &usize| !placed[*r] && !is_continuation(runs[*r][0]);
                    let fresh = mine
                        .iter()
                        .copied()
                        .find(|r| head_run.is_none_or(|h| *r > h) && fresh(r))
                        .or_else(|| mine.iter().copied().find(fresh))
                        .or_else(|| mine.iter().copied().find(|&r| !placed[r]));
                    match fresh {
                        Some(r) => r,
                        None => break,
                    }
                }
            };
            placed[r] = true;
            order.push(r);
            let last = runs[r][runs[r].len() - 1];
            cursor = next_of(last).and_then(|c| run_start.get(&c).copied());
        }
        // Blocks: each paragraph that no join leads to starts one; a join adds its continuation to the block.
        for r in order {
            for &i in &runs[r] {
                let kind = match roles[i] {
                    Role::Text if is_continuation(i) => continue,
                    Role::Text
                        if paras[i].look == (Look::Heading { long: false })
                            && next_of(i).is_none() =>
                    {
                        BlockKind::Subhead
                    }
                    Role::Text => BlockKind::Body,
                    Role::Caption => BlockKind::Caption,
                    Role::StrayByline => {
                        article.byline.extend(paras[i].lines.iter().cloned());
                        continue;
                    }
                    _ => continue,
                };
                let mut pieces = vec![paras[i].range.clone()];
                let mut at = i;
                while let Some(c) = next_of(at) {
                    if pieces.iter().any(|p| p.start == paras[c].range.start) {
                        break;
                    }
                    pieces.push(paras[c].range.clone());
                    at = c;
                }
                article.blocks.push(Block { kind, pieces });
            }
        }
    }
    articles
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = include_str!("../../corpus/keji-ribao-high-tech-zones-2023.txt");

    /// The text of a character range.
    fn s(text: &str, r: &Range<usize>) -> String {
        text.chars().skip(r.start).take(r.len()).collect()
    }

    /// How many times each character of `text` is covered by the page's parts (title, kicker, byline,
    /// block pieces, credits).
    fn coverage(text: &str, page: &Page) -> Vec<usize> {
        let mut n = vec![0; text.chars().count()];
        let mut add = |r: &Range<usize>| {
            for x in &mut n[r.clone()] {
                *x += 1;
            }
        };
        page.credits.iter().for_each(&mut add);
        for a in &page.articles {
            a.title
                .iter()
                .chain(&a.kicker)
                .chain(&a.byline)
                .for_each(&mut add);
            a.blocks.iter().flat_map(|b| &b.pieces).for_each(&mut add);
        }
        n
    }

    /// Every character that is not whitespace is in exactly one part of the page, and whitespace in at
    /// most one (pieces are trimmed; a byline's lines are separate ranges).
    fn assert_nothing_lost(text: &str, page: &Page) {
        for (c, n) in text.chars().zip(coverage(text, page)) {
            if c.is_whitespace() {
                assert!(n <= 1, "{c:?} covered {n} times");
            } else {
                assert_eq!(n, 1, "{c:?} covered {n} times in {text:?}");
            }
        }
        for a in &page.articles {
            for b in &a.blocks {
                assert!(!b.pieces.is_empty());
                for p in &b.pieces {
                    let t = s(text, p);
                    assert!(!t.is_empty() && t.trim() == t, "untrimmed piece {t:?}");
                }
            }
        }
    }

    /// The junctions of re-joined paragraphs: (end of a piece, start of the next), as text.
    fn joins(text: &str, page: &Page) -> Vec<(String, String)> {
        page.articles
            .iter()
            .flat_map(|a| &a.blocks)
            .flat_map(|b| b.pieces.windows(2))
            .map(|w| (s(text, &w[0]), s(text, &w[1])))
            .collect()
    }

    /// The bundled page, read by hand. Four articles: 青岛 (kicker 梯度培育、分类辅导, the photo caption at
    /// the top of the page repeats a sentence of it), 常州 (kicker 着力塑造新动能新优势 under the column label
    /// 园镜头, caption 常州高新区内的森塔塔智能化生产线 above its credit), 济南 (kicker 锚定世界一流园区) and
    /// 肇庆 (kicker 突出“一城双核”…; its first stretch of text sits in the middle of the 青岛 article, cut
    /// from the page's last paragraph).
    #[test]
    fn bundled_page_articles() {
        let page = layout(PAGE);
        let heads: Vec<(String, String, Vec<String>)> = page
            .articles
            .iter()
            .map(|a| {
                (
                    a.kicker.as_ref().map(|r| s(PAGE, r)).unwrap_or_default(),
                    a.title.as_ref().map(|r| s(PAGE, r)).unwrap_or_default(),
                    a.byline.iter().map(|r| s(PAGE, r)).collect(),
                )
            })
            .collect();
        assert_eq!(
            heads,
            [
                (
                    "梯度培育、分类辅导".into(),
                    "青岛工研院助企业实现“三级跳”".into(),
                    vec![
                        "◎本报记者 王健高 实习记者 宋迎迎".into(),
                        "通讯员 肖玲玲".into()
                    ]
                ),
                (
                    "着力塑造新动能新优势".into(),
                    "江苏常州高新区加快培育未来产业".into(),
                    vec![]
                ),
                (
                    "锚定世界一流园区".into(),
                    "济南高新区推进“三个三”".into(),
                    vec![]
                ),
                (
                    "突出“一城双核”“以产带创”“由园转城”".into(),
                    "广东肇庆高新区聚力建设大湾区工业科技新城".into(),
                    vec!["◎本报记者 龙跃梅".into(), "通讯员 沈文利 赖小琴".into()]
                ),
            ]
        );
        let credits: Vec<String> = page.credits.iter().map(|r| s(PAGE, r)).collect();
        assert_eq!(credits, ["视觉中国供图", "园镜头", "张海韵摄"]);
        assert_nothing_lost(PAGE, &page);
    }

    #[test]
    fn bundled_page_joins() {
        let page = layout(PAGE);
        let found = joins(PAGE, &page);
        let expected = [
            ("以下简", "称青岛市工研院"),
            ("科小企", "业认定。"),
            ("发展的主", "力军。"),
            ("企业孵化", "平台的"),
            ("上市启动签", "约,正式"),
            ("产业链条、推", "动实现"),
            ("不断实现突", "破与提升"),
            ("预支城", "字建设用"),
        ];
        assert_eq!(found.len(), expected.len(), "{found:?}");
        for (end, start) in expected {
            assert!(
                found
                    .iter()
                    .any(|(a, b)| a.ends_with(end) && b.starts_with(start)),
                "{end}|{start} not joined: {found:?}"
            );
        }
        // 发展的主 + 力军…企业孵化 + 平台的… is one paragraph of three pieces.
        assert!(
            page.articles[0]
                .blocks
                .iter()
                .any(|b| b.pieces.len() == 3 && s(PAGE, &b.pieces[1]).starts_with("力军。"))
        );
    }

    /// Every block of the bundled page in its article, in reading order (the first characters of each
    /// block's first piece), with its kind.
    #[test]
    fn bundled_page_blocks() {
        let page = layout(PAGE);
        let got: Vec<Vec<String>> = page
            .articles
            .iter()
            .map(|a| {
                a.blocks
                    .iter()
                    .map(|b| {
                        let kind = match b.kind {
                            BlockKind::Body => "",
                            BlockKind::Subhead => "## ",
                            BlockKind::Caption => "caption: ",
                        };
                        let first: String = s(PAGE, &b.pieces[0]).chars().take(6).collect();
                        format!("{kind}{first}")
                    })
                    .collect()
            })
            .collect();
        let expected: [&[&str]; 4] = [
            &[
                "近日,位于青",
                "这是青岛市工",
                "## 特色辅导,科",
                "作为青岛高新",
                "入驻青岛市工",
                "“这得益于青",
                "“在青岛市工",
                "“在实际培育",
                "## 精准施策,提",
                "高新技术企业",
                "融智生物(青",
                "据介绍,融智",
                "## 增砖添瓦,助",
                "截至2022",
                "长期以来,青",
                "“实际上,进",
                "青岛智腾科技",
                "“对于智腾科",
                "青岛市工研院",
                "未来,青岛市",
                "caption: 青岛市工研院",
            ],
            &[
                "科技日报讯(",
                "常州市新区委",
                "在周庆看来,",
                "常州高新区亟",
                "今年,常州高",
                "另一方面,常",
                "“下一步,我",
                "caption: 常州高新区内",
            ],
            &[
                "科技日报讯(",
                "其中,三大突",
                "作为济南市经",
                "任广锋在动员",
                "同时,本次动",
                "动员大会还提",
                "此外,企业家",
            ],
            &[
                "“我们既要晒",
                "肇庆高新区在",
                "## 交出令人瞩目",
                "回望2022",
                "数据显示,2",
                "作为肇庆市产",
                "其中,在重大",
                "在产业项目用",
                "## 推动实现经济",
                "2023年,",
                "肇庆市委要求",
                "龙头企业在带",
                "同时,肇庆高",
            ],
        ];
        assert_eq!(got, expected);
    }

    #[test]
    fn empty_text() {
        for text in ["", "\n\n  \n", "视觉中国供图"] {
            let page = layout(text);
            assert_eq!(page.articles.len(), 1);
            assert!(page.articles[0].blocks.is_empty());
            assert_nothing_lost(text, &page);
        }
    }

    /// A plain article (no byline, no dateline): one article, its paragraphs in order, nothing joined,
    /// even where a paragraph ends without a sentence end.
    #[test]
    fn plain_article() {
        let text = "青岛工研院助企业发展\n\n近日，青岛市工业技术研究院发布了新的培育计划。\n\n\
                    该院负责人介绍了计划的主要内容\n\n这一计划将持续推进。\n";
        let page = layout(text);
        assert_eq!(page.articles.len(), 1);
        assert!(joins(text, &page).is_empty());
        assert_eq!(page.articles[0].blocks.len(), 4);
        assert_eq!(page.articles[0].blocks[0].kind, BlockKind::Subhead);
        assert_nothing_lost(text, &page);
    }

    /// An article with a headline and a dateline: one article with its title, nothing joined.
    #[test]
    fn one_article_with_a_head() {
        let text = "江苏常州高新区加快培育未来产业\n\n科技日报讯(记者过国忠)近日,常州高新区召开大会,\
                    部署全年工作。\n\n会议提出,要培育未来\n\n产业。\n";
        let page = layout(text);
        assert_eq!(page.articles.len(), 1);
        let title = page.articles[0].title.as_ref().map(|r| s(text, r));
        assert_eq!(title.as_deref(), Some("江苏常州高新区加快培育未来产业"));
        assert!(joins(text, &page).is_empty());
        assert_nothing_lost(text, &page);
    }

    #[test]
    fn no_headings() {
        let text = "第一段，说了一件事。\n\n第二段，说了另一件事。\n\n第三段。";
        let page = layout(text);
        assert_eq!(page.articles.len(), 1);
        assert_eq!(page.articles[0].title, None);
        assert_eq!(page.articles[0].blocks.len(), 3);
        assert_nothing_lost(text, &page);
    }

    /// A page without blank lines is read a line per paragraph.
    #[test]
    fn one_line_per_paragraph() {
        let text: String = PAGE
            .split("\n\n")
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .collect::<Vec<_>>()
            .join("\n");
        let page = layout(&text);
        assert_eq!(page.articles.len(), 4);
        assert_eq!(joins(&text, &page).len(), 8);
        assert_nothing_lost(&text, &page);
    }

    /// Random texts built from the characters that matter to the layout never panic, and lose nothing.
    #[test]
    fn random_texts() {
        let alphabet: Vec<char> =
            "青岛工研院企业发展主力军签约字城\n\n\n。，、（）“”◎摄供图 日电讯记者通讯员a1"
                .chars()
                .collect();
        let mut rng = fastrand::Rng::with_seed(14);
        for _ in 0..300 {
            let len = rng.usize(0..400);
            let text: String = (0..len)
                .map(|_| alphabet[rng.usize(..alphabet.len())])
                .collect();
            let page = layout(&text);
            assert!(!page.articles.is_empty());
            assert_nothing_lost(&text, &page);
        }
        // Pieces of the bundled page, shuffled.
        let paras: Vec<&str> = PAGE.split("\n\n").collect();
        for _ in 0..30 {
            let mut p = paras.clone();
            rng.shuffle(&mut p);
            let text = p[..rng.usize(0..p.len())].join("\n\n");
            assert_nothing_lost(&text, &layout(&text));
        }
    }
}
