//! The bundled page (`corpus/`, a real newspaper page of several articles): names jieba does not know,
//! numbers, phrases and exclusion, a question, titles.

use crate::util::{BUNDLED, TestEnv, assert_no_hits};

#[test]
fn bundled_page_gongyanyuan() {
    let env = TestEnv::bundled();
    let found = env.search_json(&["工研院", "-n", "50"]);
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
