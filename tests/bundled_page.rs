//! The bundled page (`corpus/`, a real newspaper page of several articles): names jieba does not know,
//! numbers, phrases and exclusion, a question, titles.

use crate::util::{BUNDLED, TestEnv, assert_no_hits};

#[test]
fn bundled_page_gongyanyuan() {
    let env = TestEnv::bundled();
    let found = env.search_json(&["工研院", "-n", "50", "--passages"]);
    assert!(found.summary.total_hits >= 10, "{:#?}", found.summary);
    assert_eq!(found.hits.len(), found.summary.total_hits);
    assert!(found.top().highlighted().iter().any(|h| h == "工研院"));
    assert!(found.hits.iter().all(|h| h.path == BUNDLED));
    // Every hit has 工研院 in its passage or (a weaker match) in its article's title; passages that contain
    // it rank above those that only have it in their title.
    assert!(
        found
            .hits
            .iter()
            .all(|h| h.text.contains("工研院") || h.title.contains("工研院"))
    );
    let in_text: Vec<bool> = found
        .hits
        .iter()
        .map(|h| h.text.contains("工研院"))
        .collect();
    let first_title_only = in_text.iter().position(|t| !t).unwrap_or(in_text.len());
    assert!(
        in_text[first_title_only..].iter().all(|t| !t),
        "a passage with 工研院 ranks below one without: {:#?}",
        found.hits
    );
    assert!(first_title_only >= 10);
}

#[test]
fn bundled_page_names_and_numbers() {
    let env = TestEnv::bundled();
    // A company name jieba does not know.
    let found = env.search_json(&["鹏锋诚"]);
    assert!(!found.hits.is_empty());
    assert!(found.hits.iter().all(|h| h.text.contains("鹏锋诚")));
    assert!(found.top().highlighted().iter().any(|h| h == "鹏锋诚"));
    // Traditional query, simplified text.
    let found = env.search_json(&["青島"]);
    assert!(found.summary.total_hits >= 5);
    assert!(found.hits.iter().all(|h| h.text.contains("青岛")));
    assert!(found.top().highlighted().iter().all(|h| h == "青岛"));
    // Latin unit glued to digits.
    let found = env.search_json(&["GWh"]);
    assert!(!found.hits.is_empty());
    assert!(found.hits.iter().all(|h| h.text.contains("GWh")));
    assert!(found.top().highlighted().iter().all(|h| h == "GWh"));
    // A decimal number.
    let found = env.search_json(&["1900.6"]);
    let top = found.top();
    assert!(top.text.contains("1900.6亿元"));
    assert!(top.highlighted().iter().any(|h| h == "1900.6"));
    assert_eq!(top.title, "江苏常州高新区加快培育未来产业");
}

#[test]
fn bundled_page_phrase_and_exclusion() {
    let env = TestEnv::bundled();
    let found = env.search_json(&["\"专精特新\""]);
    assert_eq!(found.hits.len(), 1);
    assert_eq!(found.summary.total_hits, 1);
    assert!(found.top().text.contains("“专精特新”"));
    assert_eq!(found.top().highlighted(), ["专精特新"]);
    // Every passage that mentions 小鹏 also mentions 肇庆.
    let found = env.search_json(&["小鹏", "-n", "50"]);
    assert!(!found.hits.is_empty());
    for hit in &found.hits {
        assert!(
            hit.text.contains("小鹏") && hit.text.contains("肇庆"),
            "{hit:#?}"
        );
    }
    assert_no_hits(&env, &["小鹏", "-肇庆"]);
}

#[test]
fn bundled_page_question() {
    let env = TestEnv::bundled();
    let found = env.search_json(&["青岛市工研院培育了多少家高新技术企业"]);
    let top = found.top();
    assert!(
        top.text.contains("工研院") && top.text.contains("培育"),
        "{top:#?}"
    );
    assert!(top.text.contains("高新技术企业"), "{top:#?}");
}

#[test]
fn bundled_page_titles() {
    let env = TestEnv::bundled();
    let found = env.search_json(&["王延斌"]);
    assert_eq!(found.top().title, "济南高新区推进“三个三”");
    let found = env.search_json(&["\"视觉中国供图\""]);
    assert_eq!(found.top().title, "梯度培育、分类辅导");
}

// ---------------------------------------------------------------------------------------------------------
// The page as the repository ships it (corpus/sou.toml: a newspaper page): four articles.

/// (article, headline, kicker) of the page's four articles, and a word only that article has.
const ARTICLES: [(&str, &str, &str, &str); 4] = [
    (
        "a1",
        "青岛工研院助企业实现“三级跳”",
        "梯度培育、分类辅导",
        "工研院",
    ),
    (
        "a2",
        "江苏常州高新区加快培育未来产业",
        "着力塑造新动能新优势",
        "常州",
    ),
    ("a3", "济南高新区推进“三个三”", "锚定世界一流园区", "济南"),
    (
        "a4",
        "广东肇庆高新区聚力建设大湾区工业科技新城",
        "突出“一城双核”“以产带创”“由园转城”",
        "肇庆",
    ),
];

#[test]
fn the_page_reads_as_its_four_articles() {
    let env = TestEnv::bundled_page();
    for (article, headline, kicker, word) in ARTICLES {
        let found = env.search_json(&[word, "-n", "50"]);
        assert!(!found.hits.is_empty(), "{word}");
        for h in &found.hits {
            assert_eq!(h.id, format!("{BUNDLED}#{article}"), "{word}: {h:#?}");
            assert_eq!(h.title, headline, "{word}");
            assert_eq!(h.kicker.as_deref(), Some(kicker), "{word}");
            assert_eq!(h.source.as_deref(), Some("科技日报"), "{word}");
        }
    }
    // The bylines, without the page's marks; the dateline's reporters where the article has no byline line.
    let a1 = env.search_json(&["工研院"]);
    assert_eq!(
        a1.top().byline.as_deref(),
        Some("本报记者 王健高 实习记者 宋迎迎 通讯员 肖玲玲")
    );
    let a3 = env.search_json(&["济南"]);
    assert_eq!(
        a3.top().byline.as_deref(),
        Some("记者王延斌 通讯员刘文凯 张文文")
    );
    // The terminal shows the article (its id, which `sou show` takes) and its source.
    let out = env.search(&["常州", "-n", "1", "--color", "never"]);
    assert!(
        out.stdout.starts_with(&format!(" 1. {BUNDLED}#a2#"))
            && out
                .stdout
                .contains("  江苏常州高新区加快培育未来产业  科技日报  ("),
        "{out:#?}"
    );
}

#[test]
fn sentences_cut_at_a_column_end_are_found_whole_in_their_article() {
    let env = TestEnv::bundled_page();
    // Each phrase is printed on the page across a column break (`…(以下简` + `称青岛市工研院)…`).
    for (phrase, article) in [
        ("以下简称青岛市工研院", "a1"),
        ("经济高质量发展的主力军", "a1"),
        ("上市启动签约", "a1"),
        ("企业孵化平台", "a1"),
        ("科小企业认定", "a1"),
        ("推动实现高质量发展", "a4"),
        ("不断实现突破", "a4"),
        ("预支城字建设用", "a4"),
    ] {
        let q = format!("\"{phrase}\"");
        let found = env.search_json(&[&q]);
        assert_eq!(found.hits.len(), 1, "{phrase}: {:#?}", found.hits);
        let h = found.top();
        assert_eq!(h.id, format!("{BUNDLED}#{article}"), "{phrase}");
        assert!(
            h.pieces.len() >= 2,
            "{phrase}: not a re-joined passage: {h:#?}"
        );
        assert_eq!(h.highlighted(), [phrase]);
    }
    // The same phrases on the file read as one flat article (pages off): nothing, as before.
    let flat = TestEnv::bundled();
    crate::util::assert_no_full_match(&flat, &["\"上市启动签约\""]);
}

#[test]
fn credits_are_not_text_and_every_passage_has_its_articles_headline() {
    let env = TestEnv::bundled_page();
    for credit in ["\"视觉中国供图\"", "\"张海韵摄\""] {
        crate::util::assert_no_hits(&env, &[credit]);
    }
    // 肇庆市委要求… sits in the middle of the 青岛 article's columns: it belongs to the 肇庆 article.
    let found = env.search_json(&["\"肇庆市委要求\""]);
    assert_eq!(found.top().id, format!("{BUNDLED}#a4"));
    assert_eq!(found.top().title, ARTICLES[3].1);
}
