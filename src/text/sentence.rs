//! Where a sentence ends: the one rule that splitting passages and choosing snippets share.

/// Characters that end a sentence; a run of them counts as one end.
pub const SENTENCE_ENDS: &[char] = &['。', '！', '？', '；', '!', '?', ';', '…'];

/// Closing quotes and brackets that stay with the sentence or clause they follow.
pub const CLOSERS: &[char] = &['”', '’', '」', '』', '）', ')', '】', '》', '"', '\''];

/// Clause punctuation: where an over-long sentence may be cut, and (with [`SENTENCE_ENDS`]) what a heading
/// line does not end with.
pub const CLAUSE_MARKS: &[char] = &['，', '、', ',', '：', ':'];

/// If a sentence end mark starts at `chars[i]`, the index just past it: a run of [`SENTENCE_ENDS`] (so `……`
/// or `？！` is one end), or a run of ASCII `.` followed by whitespace or by `limit` (so `1900.6` and
/// `example.com` are not ends), each with the [`CLOSERS`] right after it. Only `chars[..limit]` is read.
pub fn end_mark(chars: &[char], i: usize, limit: usize) -> Option<usize> {
    let skip = |mut j: usize, set: &[char]| {
        while j < limit && set.contains(&chars[j]) {
            j += 1;
        }
        j
    };
    let c = *chars.get(i)?;
    if SENTENCE_ENDS.contains(&c) {
        Some(skip(skip(i, SENTENCE_ENDS), CLOSERS))
    } else if c == '.' {
        let j = skip(skip(i, &['.']), CLOSERS);
        (j >= limit || chars[j].is_whitespace()).then_some(j)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::end_mark;

    #[test]
    fn end_marks() {
        let c: Vec<char> = "好。”他说……！然后1900.6亿. 完".chars().collect();
        assert_eq!(end_mark(&c, 1, c.len()), Some(3)); // 。”
        assert_eq!(end_mark(&c, 0, c.len()), None);
        assert_eq!(end_mark(&c, 5, c.len()), Some(8)); // ……！
        let dot = c.iter().position(|&x| x == '.').unwrap();
        assert_eq!(end_mark(&c, dot, c.len()), None); // 1900.6
        let dot2 = c.iter().rposition(|&x| x == '.').unwrap();
        assert_eq!(end_mark(&c, dot2, c.len()), Some(dot2 + 1)); // `. `
        assert_eq!(end_mark(&c, dot2, dot2 + 1), Some(dot2 + 1)); // at the limit
    }
}
