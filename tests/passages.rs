//! Passages: how text is cut into passages (long paragraphs at sentence ends, lengths in characters) and how
//! each passage gets its title (the nearest heading, a Markdown heading, or the file name).

use crate::hay;
use crate::util::{TestEnv, nchars};

// ---------------------------------------------------------------------------------------------------------
// Titles: the nearest heading on a newspaper page with two articles, Markdown headings, the file name.

#[test]
fn title_is_the_nearest_heading() {
    let env = TestEnv::indexed(&[("page.txt", hay::NEWSPAPER_PAGE)]);
    let first = "梯度培育助力企业成长";
    let second = "沿海城市推进海水淡化";
    for (query, title) in [
        ("孵化器", first),
        // A photo credit is not a heading.
        ("王五", first),
        ("日产淡水", second),
        // A byline is not a heading; it belongs to the article below the heading.
        ("赵六", second),
        ("张三", first),
    ] {
        let found = env.search_json(&[query]);
        assert_eq!(found.hits.len(), 1, "{query}: {:#?}", found.hits);
        assert_eq!(found.top().title, title, "{query}");
    }
    // The heading's own passage is titled by itself.
    let found = env.search_json(&["\"沿海城市推进\""]);
    let heading = found.hits.iter().find(|h| h.text == second).unwrap();
    assert_eq!(heading.title, second);
}

#[test]
fn article_without_heading_is_titled_by_file_name() {
    let env = TestEnv::indexed(&[("2023/第一版.txt", "这是一句话，没有标题。\n\n又一句话。")]);
    let found = env.search_json(&["一句话", "--passages"]);
    assert_eq!(found.hits.len(), 2);
    assert!(found.hits.iter().all(|h| h.title == "第一版"));
    assert!(found.hits.iter().all(|h| h.path == "2023/第一版.txt"));
}

#[test]
fn markdown_headings_are_titles() {
    let env = TestEnv::indexed(&[(
        "notes.md",
        "导言，没有标题。\n# 第一章\n正文甲。\n\n## 第二节 ##\n正文乙。\n",
    )]);
    for (query, title) in [
        ("导言", "第一章"),
        ("\"正文甲\"", "第一章"),
        ("\"正文乙\"", "第二节"),
    ] {
        let found = env.search_json(&[query]);
        assert_eq!(found.hits.len(), 1, "{query}: {:#?}", found.hits);
        assert_eq!(found.top().title, title, "{query}");
    }
}

// ---------------------------------------------------------------------------------------------------------
// Long paragraphs are cut at sentence ends, lengths in characters.

#[test]
fn long_paragraph_is_split_at_sentence_ends() {
    let (paragraph, sentences) = hay::long_paragraph();
    assert!(nchars(&paragraph) >= 1000);
    let text = format!("测试标题\n\n{paragraph}\n");
    let env = TestEnv::indexed(&[("long.txt", &text)]);
    let found = env.search_json(&["切分", "-n", "50", "--passages"]);
    let mut passages = found.hits.clone();
    passages.sort_by_key(|h| h.passage);
    assert!(passages.len() >= 4, "{passages:#?}");
    assert_eq!(found.summary.total_hits, passages.len());
    // Passages cover the paragraph, in order, without gaps.
    let joined: String = passages.iter().map(|p| p.text.as_str()).collect();
    assert_eq!(joined, paragraph);
    let mut at = text.chars().position(|c| c == '第').unwrap();
    let mut next_sentence = 0;
    for (i, p) in passages.iter().enumerate() {
        assert_eq!(
            p.start, at,
            "passage {i} does not start where the last ended"
        );
        assert_eq!(p.end - p.start, nchars(&p.text));
        assert!(
            nchars(&p.text) <= 300,
            "passage {i} too long: {}",
            nchars(&p.text)
        );
        assert!(
            p.text.ends_with('。'),
            "passage {i} not cut at a sentence end"
        );
        assert_eq!(p.title, "测试标题");
        // Whole sentences, packed greedily: the next sentence would not have fitted.
        let mut len = 0;
        while len < nchars(&p.text) {
            len += nchars(&sentences[next_sentence]);
            next_sentence += 1;
        }
        assert_eq!(len, nchars(&p.text), "passage {i} does not end a sentence");
        if next_sentence < sentences.len() {
            assert!(
                len + nchars(&sentences[next_sentence]) > 300,
                "passage {i} could have held one more sentence"
            );
        }
        at = p.end;
    }
    assert_eq!(next_sentence, sentences.len());
}
