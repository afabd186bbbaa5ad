//! Ranking: a document about the query above one that only contains its string, more of the query above less,
//! ties broken by path, the same answers on every run, and `--per-article N`.

use crate::hay;
use crate::util::{self, TestEnv, assert_finds_exactly, traps, traps_with};

// ---------------------------------------------------------------------------------------------------------
// 和尚: literal recall, but a document that is really about a monk ranks first.

#[test]
fn heshang_literal_recall_and_ranking() {
    let env = traps();
    let found = assert_finds_exactly(&env, &["和尚"], &["heshang.txt"]);
    assert_eq!(found.top().highlighted(), ["和尚"]);

    let env = traps_with(&[("monk.txt", hay::MONK)]);
    let found = env.search_json(&["和尚"]);
    assert_eq!(found.paths(), ["monk.txt", "heshang.txt"]);
    assert!(found.hits[0].score > found.hits[1].score);
}

// ---------------------------------------------------------------------------------------------------------
// More of the query ranks higher.

#[test]
fn passages_matching_more_terms_rank_first() {
    let env = traps_with(&[
        ("fruit-both.txt", hay::FRUIT_BOTH),
        ("fruit-one.txt", hay::FRUIT_ONE),
    ]);
    // A keyword query: only the passage with both is a hit.
    let found = assert_finds_exactly(&env, &["苹果", "香蕉"], &["fruit-both.txt"]);
    assert_eq!(found.top().matched, "full");
    // --plain ranks by coverage: both, more of the query first.
    let found = env.search_json(&["--plain", "苹果", "香蕉"]);
    assert_eq!(found.paths(), ["fruit-both.txt", "fruit-one.txt"]);
    assert!(found.hits[0].score > found.hits[1].score);
    assert_eq!(
        (
            found.hits[0].matched.as_str(),
            found.hits[1].matched.as_str()
        ),
        ("full", "partial")
    );
    assert_eq!(found.hits[1].missing, ["香蕉"]);
    // The same as a run of text that occurs nowhere whole: partial matches, more of it first.
    let found = util::assert_no_full_match(&env, &["苹果和香蕉的价格"]);
    assert_eq!(found.top().path, "fruit-both.txt");
}

// ---------------------------------------------------------------------------------------------------------
// Determinism and ties.

#[test]
fn ties_break_by_path_and_output_is_deterministic() {
    let text = "完全相同的两篇文章内容";
    let env = TestEnv::indexed(&[("b.txt", text), ("a.txt", text), ("c.txt", hay::TIANQI)]);
    let found = env.search_json(&["文章"]);
    assert_eq!(found.paths(), ["a.txt", "b.txt"]);
    assert_eq!(found.hits[0].score, found.hits[1].score);

    let env = TestEnv::bundled();
    let query = [
        "--plain",
        "青岛",
        "工研院",
        "高新技术企业",
        "-n",
        "20",
        "--passages",
    ];
    let first = env.search_json(&query);
    let second = env.search_json(&query);
    assert!(first.hits.len() >= 10);
    assert_eq!(first.hits, second.hits);
    assert_eq!(first.summary.total_hits, second.summary.total_hits);
}

// ---------------------------------------------------------------------------------------------------------
// --per-article N.

#[test]
fn per_article_limits_passages_per_article() {
    let text_file = "文件第一段讲储能。\n\n文件第二段讲储能。\n\n文件第三段讲储能。\n";
    // The same record id in two archives: two articles.
    let env = TestEnv::indexed(&[
        ("multi.jsonl", hay::MULTI_JSONL),
        ("copy.jsonl", r#"{"id": "r1", "body": "副本讲储能。"}"#),
        ("f.txt", text_file),
        ("g.txt", "另一文件讲储能。\n\n另一文件第二段讲储能。\n"),
    ]);
    let key = |h: &util::Hit| (h.path.clone(), h.id.clone());
    let all = env.search_json(&["储能", "-n", "50", "--passages"]);
    assert_eq!(all.hits.len(), 12, "{:#?}", all.hits);
    let found = env.search_json(&["储能", "-n", "50", "--per-article", "1"]);
    let mut keys: Vec<(String, String)> = found.hits.iter().map(key).collect();
    keys.sort();
    let want: Vec<(String, String)> = [
        ("copy.jsonl", "r1"),
        ("f.txt", "f.txt"),
        ("g.txt", "g.txt"),
        ("multi.jsonl", "r1"),
        ("multi.jsonl", "r2"),
        ("multi.jsonl", "r3"),
    ]
    .iter()
    .map(|&(p, i)| (p.to_string(), i.to_string()))
    .collect();
    assert_eq!(keys, want, "{:#?}", found.hits);
    // Each article is represented by its best passage: the first one in the full ranking.
    for h in &found.hits {
        let best = all.hits.iter().find(|a| key(a) == key(h)).unwrap();
        assert_eq!((h.passage, &h.text), (best.passage, &best.text));
    }
    // At most 2 per article.
    let found = env.search_json(&["储能", "-n", "50", "--per-article", "2"]);
    assert_eq!(found.hits.len(), 10, "{:#?}", found.hits);
    for h in &found.hits {
        assert!(found.hits.iter().filter(|o| key(o) == key(h)).count() <= 2);
    }
    // -n still applies: the 4 best articles, one passage each.
    let found = env.search_json(&["储能", "-n", "4", "--per-article", "1"]);
    let keys: Vec<_> = found.hits.iter().map(key).collect();
    let mut best: Vec<(String, String)> = Vec::new();
    for h in &all.hits {
        if !best.contains(&key(h)) && best.len() < 4 {
            best.push(key(h));
        }
    }
    assert_eq!(keys, best, "{:#?}", found.hits);
}

#[test]
fn per_article_looks_past_one_article_that_fills_the_top() {
    // 80 passages of one article outrank the two other articles' passages.
    let big: String = (0..80)
        .map(|i| format!("第{i}段：储能储能，储能电站的储能系统。\n\n"))
        .collect();
    let env = TestEnv::indexed(&[
        ("big.txt", &big),
        (
            "weak1.txt",
            "这篇文章在结尾顺便提到了储能这个话题以及其他许多无关的事情。",
        ),
        (
            "weak2.txt",
            "另一篇文章也只在最后顺便提到了储能这个话题和其他很多内容。",
        ),
    ]);
    let all = env.search_json(&["储能", "-n", "60", "--passages"]);
    assert!(
        all.hits.iter().all(|h| h.path == "big.txt"),
        "the test needs big.txt to fill the top"
    );
    let found = env.search_json(&["储能", "-n", "3", "--per-article", "1"]);
    assert_eq!(found.paths()[0], "big.txt");
    let mut paths = found.paths();
    paths.sort_unstable();
    assert_eq!(
        paths,
        ["big.txt", "weak1.txt", "weak2.txt"],
        "{:#?}",
        found.hits
    );
}
