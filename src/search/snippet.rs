//! Snippets: picks the best window of about `max_chars` characters of a passage around the places where
//! the query matched, and says which parts of that window to highlight.
//!
//! The window is made of whole sentences when it can be (the sentence with the most match weight, grown
//! with its neighbours), is cut inside a sentence only when that sentence alone is too long, and is marked
//! with `…` where it leaves part of the passage out. Whitespace runs collapse to one space.
//!
//! Everything here works in characters (Unicode scalar values), never bytes: match ranges, `max_chars`
//! and highlight offsets all count `char`s. This module knows nothing of tantivy or of queries: the
//! caller finds the matches and passes them in as character ranges into the original passage text.

use std::collections::HashMap;

use crate::text::sentence::end_mark;

/// A match of the query in the passage: char range [start, end) in the passage text, and a weight
/// (bigger = more important; e.g. longer / rarer query terms).
///
/// Empty, inverted or out-of-range matches are ignored; a weight that is negative or not finite counts
/// as 0 (the match is still highlighted).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Match {
    /// First char of the match (inclusive), in chars from the start of the passage.
    pub start: usize,
    /// End of the match (exclusive), in chars from the start of the passage.
    pub end: usize,
    /// Importance of the match; bigger is more important.
    pub weight: f32,
}

/// A snippet ready to print.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Snippet {
    /// The snippet text, with `…` at either end where part of the passage was left out.
    pub text: String,
    /// Half-open CHARACTER (not byte) offsets into `text` of the parts to highlight: sorted,
    /// non-overlapping and non-adjacent (touching ranges are merged).
    pub highlights: Vec<(usize, usize)>,
}

/// Marks text left out at either end of a snippet.
const ELLIPSIS: char = '\u{2026}';

/// Builds a snippet of about `max_chars` characters (counting chars, never bytes) around the best region
/// of `matches`.
///
/// The passage is split into sentences; the one with the highest total weight of distinct matched
/// strings (the same text matched twice counts once; ties go to the one with more distinct strings,
/// then to the earliest) is the seed. Neighbouring sentences are added, the one with more match weight
/// first (the next one on a tie), as long as the window stays within `max_chars`. A seed sentence longer
/// than `max_chars` is cut to the densest cluster of matches, avoiding cuts inside a match. Without valid
/// matches the snippet is the start of the passage; a passage of at most `max_chars` chars is returned
/// whole. `…` (not counted in `max_chars`) marks left-out text at either end, whitespace runs become one
/// space, and every match that falls in the window is highlighted. A `max_chars` of 0 counts as 1.
/// Never panics, whatever the matches.
pub fn make_snippet(passage: &str, matches: &[Match], max_chars: usize) -> Snippet {
    let (rendered, valid) = layout(passage, matches, max_chars);
    finish(&rendered, &valid)
}

/// Merges overlapping or touching ranges (sorted output). Used by make_snippet, public for tests and
/// for callers.
///
/// Ranges are half-open `(start, end)`; empty or inverted ranges are dropped.
pub fn merge_ranges(ranges: &mut Vec<(usize, usize)>) {
    ranges.retain(|&(start, end)| start < end);
    ranges.sort_unstable();
    let mut merged: Vec<(usize, usize)> = Vec::with_capacity(ranges.len());
    for &(start, end) in ranges.iter() {
        if let Some(last) = merged.last_mut()
            && start <= last.1
        {
            last.1 = last.1.max(end);
        } else {
            merged.push((start, end));
        }
    }
    *ranges = merged;
}

/// A valid match: non-empty, inside the passage.
#[derive(Debug, Clone, Copy)]
struct Valid {
    start: usize,
    end: usize,
    /// Identity of the matched text (same text, same key).
    key: usize,
}

/// The valid matches of a passage, sorted by position, with the weight of each distinct matched text.
#[derive(Debug, Default)]
struct Matches {
    list: Vec<Valid>,
    /// Weight of each key: the biggest weight given to that text.
    key_weight: Vec<f32>,
}

impl Matches {
    fn collect(chars: &[char], matches: &[Match]) -> Matches {
        let mut keys: HashMap<&[char], usize> = HashMap::new();
        let mut out = Matches::default();
        for m in matches {
            if m.start >= m.end || m.end > chars.len() {
                continue;
            }
            let weight = if m.weight.is_finite() && m.weight > 0.0 {
                m.weight
            } else {
                0.0
            };
            let next = out.key_weight.len();
            let key = *keys.entry(&chars[m.start..m.end]).or_insert(next);
            if key == next {
                out.key_weight.push(weight);
            } else {
                out.key_weight[key] = out.key_weight[key].max(weight);
            }
            out.list.push(Valid {
                start: m.start,
                end: m.end,
                key,
            });
        }
        out.list.sort_by_key(|v| (v.start, v.end));
        out
    }

    /// Score of the distinct texts among `keys`.
    fn score(&self, keys: impl IntoIterator<Item = usize>) -> Score {
        let mut keys: Vec<usize> = keys.into_iter().collect();
        keys.sort_unstable();
        keys.dedup();
        Score {
            weight: keys.iter().map(|&k| self.key_weight[k]).sum(),
            distinct: keys.len(),
        }
    }

    /// Score of the matches lying wholly inside chars [start, end).
    fn score_within(&self, start: usize, end: usize) -> Score {
        self.score(
            self.list
                .iter()
                .filter(|v| v.start >= start && v.end <= end)
                .map(|v| v.key),
        )
    }

    /// For each position 0..=n: is it strictly inside a match (so cutting there would split it)?
    fn inside(&self, n: usize) -> Vec<bool> {
        let mut depth = vec![0i64; n + 2];
        for v in &self.list {
            depth[v.start + 1] += 1;
            depth[v.end] -= 1;
        }
        let mut level = 0i64;
        depth
            .iter()
            .take(n + 1)
            .map(|d| {
                level += d;
                level > 0
            })
            .collect()
    }
}

/// How much a set of matches is worth: total weight of distinct texts, then their number.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct Score {
    weight: f32,
    distinct: usize,
}

impl Score {
    fn beats(self, other: Score) -> bool {
        self.weight > other.weight
            || (self.weight == other.weight && self.distinct > other.distinct)
    }
}

/// Splits chars into sentences, as half-open ranges covering all of `chars` in order.
///
/// A sentence ends after a run of `。！？；!?;…` plus any closing quotes or brackets right after it, at a
/// newline, or after `.` followed by whitespace or the end. Whitespace after the end stays with the
/// sentence, so only the first sentence can start with whitespace.
fn split_sentences(chars: &[char]) -> Vec<(usize, usize)> {
    let n = chars.len();
    let mut sentences = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < n {
        let c = chars[i];
        let (ends, mut j) = if c == '\n' || c == '\r' {
            (true, i + 1)
        } else {
            match end_mark(chars, i, n) {
                Some(j) => (true, j),
                None => (false, i + 1),
            }
        };
        if ends {
            while j < n && chars[j].is_whitespace() {
                j += 1;
            }
            sentences.push((start, j));
            start = j;
        }
        i = j;
    }
    if start < n {
        sentences.push((start, n));
    }
    sentences
}

/// Length in chars of `chars` once whitespace runs are collapsed and the ends trimmed, as rendered.
fn visible_len(chars: &[char]) -> usize {
    let mut len = 0;
    let mut gap = false;
    for &c in chars {
        if c.is_whitespace() {
            gap = len > 0;
        } else {
            len += usize::from(gap) + 1;
            gap = false;
        }
    }
    len
}

/// Chooses the window [start, end) of a passage longer than `max` chars (as rendered). Lengths of
/// whole-sentence windows count rendered chars (collapsed whitespace); a cut inside a sentence counts
/// raw chars.
fn choose_window(chars: &[char], matches: &Matches, max: usize) -> (usize, usize) {
    let sentences = split_sentences(chars);
    let mut keys: Vec<Vec<usize>> = vec![Vec::new(); sentences.len()];
    for v in &matches.list {
        let first = sentences.partition_point(|&(_, end)| end <= v.start);
        for (i, &(start, _)) in sentences.iter().enumerate().skip(first) {
            if start >= v.end {
                break;
            }
            keys[i].push(v.key);
        }
    }
    let scores: Vec<Score> = keys
        .iter()
        .map(|k| matches.score(k.iter().copied()))
        .collect();
    let mut best = 0;
    for (i, score) in scores.iter().enumerate() {
        if score.beats(scores[best]) {
            best = i;
        }
    }
    let Some(&(seed_start, seed_end)) = sentences.get(best) else {
        return (0, chars.len().min(max));
    };
    if visible_len(&chars[seed_start..seed_end]) > max {
        return cut_sentence(chars.len(), matches, seed_start, seed_end, max);
    }

    // Grow by whole sentences: sentences[lo..hi] is the window.
    let (mut lo, mut hi) = (best, best + 1);
    let fits =
        |lo: usize, hi: usize| visible_len(&chars[sentences[lo].0..sentences[hi - 1].1]) <= max;
    while visible_len(&chars[sentences[lo].0..sentences[hi - 1].1]) < max {
        let prev_fits = lo > 0 && fits(lo - 1, hi);
        let next_fits = hi < sentences.len() && fits(lo, hi + 1);
        let prefer_prev = lo > 0 && (hi == sentences.len() || scores[lo - 1].beats(scores[hi]));
        if prev_fits && (prefer_prev || !next_fits) {
            lo -= 1;
        } else if next_fits {
            hi += 1;
        } else {
            break;
        }
    }
    (sentences[lo].0, sentences[hi - 1].1)
}

/// Cuts a window of `max` chars inside the sentence [start, end), which is longer than `max`: a quarter
/// of the window before the first match of the cluster worth the most, moved so as not to split a match.
fn cut_sentence(
    n: usize,
    matches: &Matches,
    start: usize,
    end: usize,
    max: usize,
) -> (usize, usize) {
    let last_start = end - max;
    let mut candidates: Vec<usize> = matches
        .list
        .iter()
        .filter(|v| v.end > start && v.start < end)
        .map(|v| v.start.saturating_sub(max / 4).clamp(start, last_start))
        .collect();
    candidates.dedup();
    let mut best: Option<(usize, Score)> = None;
    for &at in &candidates {
        let score = matches.score_within(at, at + max);
        if best.is_none_or(|(_, b)| score.beats(b)) {
            best = Some((at, score));
        }
    }
    let mut from = best.map_or(start, |(at, _)| at);

    let inside = matches.inside(n);
    if inside[from] {
        let left = (start..from).rev().find(|&p| !inside[p]);
        let right = (from + 1..=last_start).find(|&p| !inside[p]);
        from = match (left, right) {
            (Some(l), Some(r)) if r - from < from - l => r,
            (Some(l), _) => l,
            (None, Some(r)) => r,
            (None, None) => from,
        };
    }
    let mut to = from + max;
    if inside[to]
        && let Some(p) = (from + max / 2 + 1..to).rev().find(|&p| !inside[p])
    {
        to = p;
    }
    (from, to)
}

/// A window of a passage, laid out as text.
#[derive(Debug)]
struct Rendered {
    /// First char of the window in the passage.
    start: usize,
    /// The window with whitespace collapsed and trimmed, without ellipses.
    body: String,
    /// For each char of the window: the char of `body` it became (whitespace runs share one space;
    /// leading and trailing whitespace becomes nothing).
    map: Vec<Option<usize>>,
    /// Is there text before the window?
    prefix: bool,
    /// Is there text after the window?
    suffix: bool,
}

/// Chooses the window and lays it out.
fn layout(passage: &str, matches: &[Match], max_chars: usize) -> (Rendered, Matches) {
    let chars: Vec<char> = passage.chars().collect();
    let max = max_chars.max(1);
    let valid = Matches::collect(&chars, matches);
    let (start, end) = if visible_len(&chars) <= max {
        (0, chars.len())
    } else {
        choose_window(&chars, &valid, max)
    };
    (render(&chars, start, end), valid)
}

/// Lays out chars [start, end) as text, collapsing whitespace.
fn render(chars: &[char], start: usize, end: usize) -> Rendered {
    let window = &chars[start..end];
    let mut body = String::with_capacity(window.len() * 3);
    let mut map = vec![None; window.len()];
    let mut len = 0;
    let mut pending: Vec<usize> = Vec::new();
    for (i, &c) in window.iter().enumerate() {
        if c.is_whitespace() {
            if len > 0 {
                pending.push(i);
            }
            continue;
        }
        if !pending.is_empty() {
            for p in pending.drain(..) {
                map[p] = Some(len);
            }
            body.push(' ');
            len += 1;
        }
        body.push(c);
        map[i] = Some(len);
        len += 1;
    }
    let has_text = |part: &[char]| part.iter().any(|c| !c.is_whitespace());
    Rendered {
        start,
        body,
        map,
        prefix: has_text(&chars[..start]),
        suffix: has_text(&chars[end..]),
    }
}

/// Adds the ellipses and the highlights of all matches in the window.
fn finish(rendered: &Rendered, matches: &Matches) -> Snippet {
    let offset = usize::from(rendered.prefix);
    let end = rendered.start + rendered.map.len();
    let mut highlights = Vec::new();
    for v in &matches.list {
        let (from, to) = (v.start.max(rendered.start), v.end.min(end));
        if from >= to {
            continue;
        }
        let mut mapped = rendered.map[from - rendered.start..to - rendered.start]
            .iter()
            .flatten();
        if let Some(&first) = mapped.next() {
            let last = mapped.last().copied().unwrap_or(first);
            highlights.push((first + offset, last + 1 + offset));
        }
    }
    merge_ranges(&mut highlights);
    let mut text = String::with_capacity(rendered.body.len() + 6);
    if rendered.prefix {
        text.push(ELLIPSIS);
    }
    text.push_str(&rendered.body);
    if rendered.suffix {
        text.push(ELLIPSIS);
    }
    Snippet { text, highlights }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(start: usize, end: usize, weight: f32) -> Match {
        Match { start, end, weight }
    }

    fn char_len(s: &str) -> usize {
        s.chars().count()
    }

    fn slice(s: &str, (start, end): (usize, usize)) -> String {
        s.chars().skip(start).take(end - start).collect()
    }

    /// Char index of the first occurrence of `needle` in `hay`.
    fn find(hay: &str, needle: &str) -> usize {
        let byte = hay.find(needle).expect("needle in haystack");
        hay[..byte].chars().count()
    }

    /// Match on the first occurrence of `needle`.
    fn m_at(hay: &str, needle: &str, weight: f32) -> Match {
        let start = find(hay, needle);
        m(start, start + char_len(needle), weight)
    }

    /// A sentence of `len` chars (the last one `。`) with no other sentence end in it.
    fn sentence(seed: usize, len: usize) -> String {
        const FILL: &[char] = &[
            '天', '地', '玄', '黄', '宇', '宙', '洪', '荒', '日', '月', '盈', '昃', '辰', '宿',
            '列', '张', '寒', '来', '暑', '往',
        ];
        let mut s: String = (0..len - 1)
            .map(|i| FILL[(seed * 7 + i) % FILL.len()])
            .collect();
        s.push('。');
        s
    }

    /// Each highlight is a run of passage chars that all lie inside matches (the passage has no
    /// whitespace, so the text is not collapsed).
    fn assert_highlights_are_matches(passage: &str, snippet: &Snippet, matches: &[Match]) {
        let chars: Vec<char> = passage.chars().collect();
        let covered = |p: usize| matches.iter().any(|mm| mm.start <= p && p < mm.end);
        for &h in &snippet.highlights {
            let got: Vec<char> = slice(&snippet.text, h).chars().collect();
            let found = (0..=chars.len().saturating_sub(got.len())).any(|at| {
                chars[at..at + got.len()] == got[..] && (at..at + got.len()).all(covered)
            });
            assert!(
                found,
                "highlight {got:?} is not matched text in {snippet:?}"
            );
        }
    }

    #[test]
    fn merge_adjacent_and_overlapping() {
        let mut r = vec![(5, 7), (0, 3), (3, 5), (10, 12), (11, 11), (9, 4), (11, 15)];
        merge_ranges(&mut r);
        assert_eq!(r, vec![(0, 7), (10, 15)]);

        let mut r = vec![(2, 4), (0, 1)];
        merge_ranges(&mut r);
        assert_eq!(r, vec![(0, 1), (2, 4)]);

        let mut r = vec![];
        merge_ranges(&mut r);
        assert!(r.is_empty());
    }

    #[test]
    fn adjacent_matches_become_one_highlight() {
        let p = "推动高质量发展是主题。";
        let s = make_snippet(p, &[m_at(p, "高质量", 2.0), m_at(p, "发展", 1.0)], 100);
        assert_eq!(s.text, p);
        assert_eq!(s.highlights, vec![(2, 7)]);
        assert_eq!(slice(&s.text, s.highlights[0]), "高质量发展");
    }

    #[test]
    fn highlights_slice_exactly_the_matched_chars() {
        let p = format!(
            "{}我们要坚持创新驱动发展。{}创新是第一动力。{}",
            sentence(1, 40),
            sentence(2, 30),
            sentence(3, 50)
        );
        let ms = [
            m_at(&p, "创新", 1.0),
            m(find(&p, "创新是"), find(&p, "创新是") + 2, 1.0),
            m_at(&p, "驱动", 2.0),
            m_at(&p, "动力", 1.5),
        ];
        let s = make_snippet(&p, &ms, 60);
        assert!(!s.highlights.is_empty());
        for &h in &s.highlights {
            let got = slice(&s.text, h);
            assert!(
                ["创新驱动", "创新", "动力"].contains(&got.as_str()),
                "unexpected highlight {got:?} in {s:?}"
            );
        }
        assert_highlights_are_matches(&p, &s, &ms);
    }

    #[test]
    fn length_in_chars_for_chinese() {
        let p: String = (0..10).map(|i| sentence(i, 37)).collect();
        for max in [1, 10, 50, 100, 150] {
            let at = find(&p, "宇宙");
            let s = make_snippet(&p, &[m(at + 40, at + 42, 1.0)], max);
            assert!(char_len(&s.text) <= max + 2, "{max}: {s:?}");
            assert!(!s.text.is_empty());
        }
    }

    #[test]
    fn length_in_chars_for_non_bmp() {
        let p: String = "𨨏𠮷中文𠮷𨨏，".repeat(60);
        assert!(p.len() > p.chars().count() * 2);
        let start = 200;
        let ms = [m(start, start + 2, 1.0)];
        for max in [0, 1, 7, 50, 100] {
            let s = make_snippet(&p, &ms, max);
            assert!(char_len(&s.text) <= max.max(1) + 2, "{max}: {s:?}");
            assert_highlights_are_matches(&p, &s, &ms);
        }
        let s = make_snippet(&p, &ms, 100);
        assert_eq!(s.highlights.len(), 1);
        assert_eq!(
            slice(&s.text, s.highlights[0]),
            slice(&p, (start, start + 2))
        );
    }

    #[test]
    fn whole_sentences_preferred() {
        let (s1, s2, s3) = (sentence(1, 40), sentence(2, 40), sentence(3, 40));
        let p = format!("{s1}{s2}{s3}");
        let mid = m(45, 48, 5.0);
        let in_first = m(5, 7, 1.0);
        let in_third = m(85, 87, 1.0);

        // Only the middle sentence matches: equal neighbours, the next one wins.
        let s = make_snippet(&p, &[mid], 100);
        assert_eq!(s.text, format!("…{s2}{s3}"));

        // The first sentence has more weight than the third.
        let s = make_snippet(&p, &[mid, in_first], 100);
        assert_eq!(s.text, format!("{s1}{s2}…"));
        assert_eq!(s.highlights, vec![(5, 7), (45, 48)]);

        // The third one has more weight than the first.
        let s = make_snippet(&p, &[in_first, mid, m(85, 87, 2.0)], 100);
        assert_eq!(s.text, format!("…{s2}{s3}"));
        assert_eq!(s.highlights, vec![(6, 9), (46, 48)]);

        // Equal weights on both sides: the next one.
        let s = make_snippet(&p, &[in_first, mid, in_third], 100);
        assert_eq!(s.text, format!("…{s2}{s3}"));
    }

    #[test]
    fn best_sentence_counts_distinct_texts_once() {
        // Sentence 1 matches 发展 three times, sentence 3 matches 发展 and 创新 once each.
        let p = "发展发展发展，天地玄黄。宇宙洪荒日月盈昃。发展创新，寒来暑往。";
        let ms = [
            m(0, 2, 1.0),
            m(2, 4, 1.0),
            m(4, 6, 1.0),
            m(21, 23, 1.0),
            m(23, 25, 1.0),
        ];
        let s = make_snippet(p, &ms, 12);
        assert_eq!(s.text, "…发展创新，寒来暑往。");
        assert_eq!(s.highlights, vec![(1, 5)]);
    }

    #[test]
    fn closing_quotes_stay_with_their_sentence() {
        let p = "他说：“天地玄黄！”宇宙洪荒。日月盈昃?)辰宿列张";
        assert_eq!(
            split_sentences(&p.chars().collect::<Vec<_>>())
                .iter()
                .map(|&r| slice(p, r))
                .collect::<Vec<_>>(),
            vec!["他说：“天地玄黄！”", "宇宙洪荒。", "日月盈昃?)", "辰宿列张"]
        );
        let p = "v1.2 is out. Next\n\nline… end";
        assert_eq!(
            split_sentences(&p.chars().collect::<Vec<_>>())
                .iter()
                .map(|&r| slice(p, r))
                .collect::<Vec<_>>(),
            vec!["v1.2 is out. ", "Next\n\n", "line… ", "end"]
        );
    }

    #[test]
    fn long_unpunctuated_passage() {
        let p: String = (0..1000)
            .map(|i| {
                if i == 700 {
                    '龙'
                } else {
                    ['天', '地', '人'][i % 3]
                }
            })
            .collect();
        let s = make_snippet(&p, &[m(700, 701, 1.0)], 100);
        assert!(s.text.starts_with('…') && s.text.ends_with('…'), "{s:?}");
        assert_eq!(char_len(&s.text), 102);
        assert_eq!(s.highlights.len(), 1);
        let (h, _) = s.highlights[0];
        assert_eq!(slice(&s.text, s.highlights[0]), "龙");
        // A quarter of the window before the match, give or take.
        assert!((20..=30).contains(&h), "{h}");
    }

    #[test]
    fn cut_avoids_splitting_a_match() {
        let p: String = ['天'; 1000].iter().collect();
        // The best window [675, 775) would start inside the first match and end inside the last one:
        // it moves back to include the first one, and ends before the last one.
        let ms = [m(672, 680, 1.0), m(700, 702, 5.0), m(770, 774, 2.0)];
        let s = make_snippet(&p, &ms, 100);
        assert_eq!(s.highlights, vec![(1, 9), (29, 31)]);
        assert_eq!(char_len(&s.text), 1 + 98 + 1);
        // Starting inside a long match: move to its end, the nearer side.
        let ms = [m(600, 680, 1.0), m(700, 702, 5.0)];
        let s = make_snippet(&p, &ms, 100);
        assert_eq!(s.highlights, vec![(21, 23)]);
        // The window would end at 775, inside a match: it ends before it.
        let ms = [m(700, 702, 5.0), m(770, 780, 1.0)];
        let s = make_snippet(&p, &ms, 100);
        assert_eq!(s.highlights, vec![(26, 28)]);
        assert_eq!(char_len(&s.text), 1 + 95 + 1);
    }

    #[test]
    fn cut_goes_to_densest_cluster() {
        let mut p: Vec<char> = vec!['天'; 600];
        p[100] = '甲';
        for i in [400, 420, 440] {
            p[i] = '乙';
            p[i + 1] = '丙';
        }
        let p: String = p.into_iter().collect();
        let ms = [
            m(100, 101, 1.0),
            m(400, 402, 1.0),
            m(420, 421, 1.0),
            m(441, 442, 1.0),
        ];
        let s = make_snippet(&p, &ms, 100);
        assert_eq!(s.highlights.len(), 3, "{s:?}");
        assert_eq!(slice(&s.text, s.highlights[0]), "乙丙");
    }

    #[test]
    fn newlines_collapse_and_offsets_stay_right() {
        let p = "  第一行\n\n  第二行高质量\r\n发展\u{3000}第三行  \n";
        let ms = [
            m_at(p, "高质量", 1.0),
            m_at(p, "发展", 1.0),
            m_at(p, "第三", 1.0),
        ];
        let s = make_snippet(p, &ms, 100);
        assert_eq!(s.text, "第一行 第二行高质量 发展 第三行");
        assert_eq!(
            s.highlights
                .iter()
                .map(|&h| slice(&s.text, h))
                .collect::<Vec<_>>(),
            vec!["高质量", "发展", "第三"]
        );

        // A match across the line break keeps the collapsed space.
        let across = m(find(p, "量"), find(p, "展") + 1, 1.0);
        let s = make_snippet(p, &[across], 100);
        assert_eq!(
            s.highlights
                .iter()
                .map(|&h| slice(&s.text, h))
                .collect::<Vec<_>>(),
            vec!["量 发展"]
        );

        // Cut passage with the window starting after a newline.
        let p = format!(
            "{}\n{}\n{}",
            sentence(1, 50),
            sentence(2, 50),
            sentence(3, 50)
        );
        let s = make_snippet(&p, &[m(60, 62, 1.0)], 60);
        assert_eq!(s.text, format!("…{}…", sentence(2, 50)));
        assert_eq!(slice(&s.text, s.highlights[0]), slice(&p, (60, 62)));
    }

    #[test]
    fn ellipsis_only_when_text_is_left_out() {
        let p = format!("\n\n{}{}\n  ", sentence(1, 40), sentence(2, 40));
        let s = make_snippet(&p, &[m(5, 7, 1.0)], 40);
        assert_eq!(s.text, format!("{}…", sentence(1, 40)));
        let s = make_snippet(&p, &[m(50, 52, 1.0)], 40);
        assert_eq!(s.text, format!("…{}", sentence(2, 40)));
    }

    #[test]
    fn no_valid_matches_gives_the_start() {
        let p: String = (0..5).map(|i| sentence(i, 30)).collect();
        let s = make_snippet(&p, &[], 100);
        assert_eq!(
            s.text,
            format!("{}…", &p.chars().take(90).collect::<String>())
        );
        assert!(s.highlights.is_empty());
        let p: String = ['天'; 300].iter().collect();
        let s = make_snippet(&p, &[m(5, 3, 1.0)], 100);
        assert_eq!(
            s.text,
            format!("{}…", &p.chars().take(100).collect::<String>())
        );
    }

    #[test]
    fn short_passage_is_whole() {
        let p = "天地 玄黄";
        let s = make_snippet(p, &[m(3, 5, 1.0)], 100);
        assert_eq!(s.text, p);
        assert_eq!(s.highlights, vec![(3, 5)]);
        assert_eq!(make_snippet("", &[m(0, 1, 1.0)], 10).text, "");
        assert_eq!(make_snippet("天", &[], 0).text, "天");
        assert_eq!(make_snippet("天地", &[], 0).text, "天…");
    }

    #[test]
    fn garbage_matches_do_not_panic() {
        let p = "天地玄黄。宇宙洪荒。日月盈昃。";
        let garbage = [
            m(5, 3, 1.0),
            m(3, 3, 1.0),
            m(10, 100, 1.0),
            m(100, 200, 1.0),
            m(usize::MAX - 1, usize::MAX, 1.0),
            m(0, usize::MAX, 1.0),
            m(2, 4, f32::NAN),
            m(6, 8, f32::INFINITY),
            m(11, 13, -3.0),
            m(1, 9, 1.0),
            m(0, 15, 1.0),
        ];
        for max in [0, 1, 3, 5, 8, 100] {
            let s = make_snippet(p, &garbage, max);
            assert!(char_len(&s.text) <= max.max(1) + 2);
            for &(a, b) in &s.highlights {
                assert!(a < b && b <= char_len(&s.text));
            }
        }
    }

    /// Deterministic pseudo-random numbers (a 64-bit LCG).
    struct Lcg(u64);

    impl Lcg {
        fn below(&mut self, n: usize) -> usize {
            self.0 = self
                .0
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            ((self.0 >> 33) % n.max(1) as u64) as usize
        }
    }

    #[test]
    fn properties_hold_on_generated_inputs() {
        const ALPHABET: &[char] = &[
            '中', '文', '搜', '索', '𠮷', '𨨏', 'a', 'b', '.', ' ', '\n', '\r', '\u{3000}', '。',
            '！', '？', '”', '）', '，', '…', '天', '地',
        ];
        let mut rng = Lcg(42);
        for _ in 0..3000 {
            let len = rng.below(400);
            let chars: Vec<char> = (0..len)
                .map(|_| ALPHABET[rng.below(ALPHABET.len())])
                .collect();
            let passage: String = chars.iter().collect();
            let matches: Vec<Match> = (0..rng.below(10))
                .map(|_| {
                    let start = rng.below(len + 5);
                    let end = if rng.below(8) == 0 {
                        rng.below(len + 5)
                    } else {
                        start + rng.below(6)
                    };
                    m(start, end, rng.below(5) as f32)
                })
                .collect();
            let max = rng.below(160);

            let (rendered, valid) = layout(&passage, &matches, max);
            let s = finish(&rendered, &valid);
            assert_eq!(s, make_snippet(&passage, &matches, max));
            let text: Vec<char> = s.text.chars().collect();
            let offset = usize::from(rendered.prefix);
            let ctx = || format!("{passage:?} {matches:?} {max} → {s:?}");

            assert!(text.len() <= max.max(1) + 2, "too long: {}", ctx());
            if len <= max.max(1) {
                assert!(!rendered.prefix && !rendered.suffix, "{}", ctx());
            }
            // Every char of the window lands on itself (or on a space for whitespace).
            for (i, to) in rendered.map.iter().enumerate() {
                if let Some(to) = to {
                    let (from, to) = (chars[rendered.start + i], text[to + offset]);
                    assert!(
                        to == from || (to == ' ' && from.is_whitespace()),
                        "{}",
                        ctx()
                    );
                }
            }
            // Highlights: within the text, off the ellipses, sorted, apart.
            let body_end = offset + rendered.body.chars().count();
            for &(a, b) in &s.highlights {
                assert!(
                    a < b && a >= offset && b <= body_end,
                    "bad range: {}",
                    ctx()
                );
            }
            for w in s.highlights.windows(2) {
                assert!(w[0].1 < w[1].0, "not merged: {}", ctx());
            }
            // Each highlighted char comes from inside some match, and every matched char in the
            // window is highlighted.
            let in_match = |p: usize| {
                matches
                    .iter()
                    .any(|mm| mm.start <= p && p < mm.end && mm.end <= len)
            };
            let lit = |t: usize| s.highlights.iter().any(|&(a, b)| a <= t && t < b);
            for &(a, b) in &s.highlights {
                for t in a..b {
                    let from_match = rendered
                        .map
                        .iter()
                        .enumerate()
                        .any(|(i, to)| *to == Some(t - offset) && in_match(rendered.start + i));
                    assert!(from_match, "char {t} not from a match: {}", ctx());
                }
            }
            for (i, to) in rendered.map.iter().enumerate() {
                if let Some(to) = to
                    && in_match(rendered.start + i)
                {
                    assert!(lit(to + offset), "matched char not lit: {}", ctx());
                }
            }
        }
    }
}
