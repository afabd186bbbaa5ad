//! Integration tests: run the built `sou` binary on temporary corpora (see `util`) and on the bundled page.
//!
//! Every `search_json` call also checks the hits' offsets and highlights (see `util::TestEnv::check_hits`).

mod hay;
mod util;

use std::io::{BufRead, BufReader, Read};
use std::process::Stdio;

use util::{BUNDLED, Output, TestEnv, char_slice, nchars};

/// The Appendix A corpus, indexed.
fn appendix_a() -> TestEnv {
    TestEnv::indexed(hay::APPENDIX_A)
}

/// The Appendix A corpus plus `extra` documents, indexed.
fn appendix_a_with(extra: &[(&str, &str)]) -> TestEnv {
    let mut files = hay::APPENDIX_A.to_vec();
    files.extend_from_slice(extra);
    TestEnv::indexed(&files)
}

/// Asserts that the search finds exactly `paths` (in any order).
fn assert_finds_exactly(env: &TestEnv, args: &[&str], paths: &[&str]) -> util::Found {
    let found = env.search_json(args);
    let mut want = paths.to_vec();
    want.sort_unstable();
    assert_eq!(found.path_set(), want, "{args:?}: {:#?}", found.hits);
    found
}

/// Asserts that the search finds nothing (exit status 1, an empty result).
fn assert_no_hits(env: &TestEnv, args: &[&str]) {
    let found = env.search_json(args);
    assert!(found.hits.is_empty(), "{args:?}: {:#?}", found.hits);
    assert_eq!(found.summary.total_hits, 0);
    assert_eq!(found.out.code, Some(1));
}

/// The single line of `out.stdout` that starts with `prefix`.
fn line_starting<'a>(out: &'a Output, prefix: &str) -> &'a str {
    let lines: Vec<&str> = out
        .stdout
        .lines()
        .filter(|l| l.starts_with(prefix))
        .collect();
    assert_eq!(lines.len(), 1, "no single {prefix:?} line: {out:#?}");
    lines[0]
}

// ---------------------------------------------------------------------------------------------------------
// 1. Sub-word recall: words inside compounds, single characters.

#[test]
fn subwords_and_single_characters_find_their_document() {
    let env = appendix_a();
    for (query, path, highlight) in [
        ("农业", "nongye.txt", "农业"),
        ("发展银行", "nongye.txt", "发展银行"),
        ("银行今天", "nongye.txt", "银行今天"),
        ("中等技术", "liping.txt", "中等技术"),
        ("简单", "jiandan.txt", "简单"),
        ("单", "jiandan.txt", "单"),
        ("\"农业发展\"", "nongye.txt", "农业发展"),
    ] {
        let found = env.search_json(&[query]);
        let top = found.top();
        assert_eq!(top.path, path, "{query}: {:#?}", found.hits);
        assert!(
            top.highlighted().iter().any(|h| h == highlight),
            "{query}: top hit does not highlight {highlight}: {top:#?}"
        );
    }
    // Only one document contains 农业, 中等技术, 简单 or 单.
    for (query, path) in [
        ("农业", "nongye.txt"),
        ("中等技术", "liping.txt"),
        ("简单", "jiandan.txt"),
        ("单", "jiandan.txt"),
    ] {
        assert_finds_exactly(&env, &[query], &[path]);
    }
}

// ---------------------------------------------------------------------------------------------------------
// 2. Phrases are literal substrings, whatever jieba's segmentation.

#[test]
fn phrases_across_word_boundaries() {
    let env = appendix_a();
    let found = assert_finds_exactly(&env, &["\"银行今天\""], &["nongye.txt"]);
    assert_eq!(found.top().highlighted(), ["银行今天"]);
    let found = assert_finds_exactly(&env, &["\"进了中等\""], &["liping.txt"]);
    assert_eq!(found.top().highlighted(), ["进了中等"]);
    // Chinese quotes work too.
    assert_finds_exactly(&env, &["“银行今天”"], &["nongye.txt"]);
}

#[test]
fn phrases_that_do_not_occur_literally_find_nothing() {
    let env = appendix_a();
    // 农业 and 银行 both occur in 中国农业发展银行, but not 农业银行.
    assert_no_hits(&env, &["\"农业银行\""]);
    // No slop: 进了 and 技术学校 are not adjacent.
    assert_no_hits(&env, &["\"进了技术学校\""]);
}

// A lone character between punctuation has no bigram, and the index keeps positions for bigrams only: such a
// phrase is matched by its pieces and then checked on the text, so a passage with the same pieces elsewhere
// is neither found nor excluded.
#[test]
fn phrases_with_lone_characters_between_punctuation_are_literal() {
    let env = appendix_a_with(&[
        ("lone.txt", "他说：好，我们走吧。"),
        ("scattered.txt", "我们说好了明天走吧，他。"),
    ]);
    let found = assert_finds_exactly(&env, &["\"好，我们\""], &["lone.txt"]);
    assert_eq!(found.top().highlighted(), ["好，我们"]);
    assert_finds_exactly(&env, &["\"说：好\""], &["lone.txt"]);
    assert_finds_exactly(&env, &["走吧", "-\"好，我们\""], &["scattered.txt"]);
    assert_finds_exactly(&env, &["走吧", "+\"吧，他\""], &["scattered.txt"]);
}

// ---------------------------------------------------------------------------------------------------------
// 3. Traditional ↔ simplified, both ways; snippets show the original script.

#[test]
fn traditional_and_simplified_find_each_other() {
    let env = appendix_a();
    assert_finds_exactly(&env, &["銀行"], &["nongye.txt", "trad.txt"]);
    let found = assert_finds_exactly(&env, &["银行"], &["nongye.txt", "trad.txt"]);
    let trad = found.hits.iter().find(|h| h.path == "trad.txt").unwrap();
    assert_eq!(trad.snippet, hay::TRAD, "snippet must be the original text");
    assert_eq!(trad.highlighted(), ["銀行"]);
    assert_eq!(trad.highlights, [[3, 5]]);
    let simp = found.hits.iter().find(|h| h.path == "nongye.txt").unwrap();
    assert_eq!(simp.highlighted(), ["银行"]);
    // A traditional phrase finds simplified text.
    let found = assert_finds_exactly(&env, &["\"銀行今天\""], &["nongye.txt"]);
    assert_eq!(found.top().highlighted(), ["银行今天"]);
    // A simplified phrase finds traditional text, highlighted in the original script.
    let found = assert_finds_exactly(&env, &["\"记者从银行\""], &["trad.txt"]);
    assert_eq!(found.top().highlighted(), ["記者從銀行"]);
}

// ---------------------------------------------------------------------------------------------------------
// 4. Full-width ↔ half-width and case.

#[test]
fn width_and_case_are_folded() {
    let env = appendix_a();
    for query in ["apple", "APPLE", "Apple", "ＡＰＰＬＥ", "ａｐｐｌｅ"] {
        let found = assert_finds_exactly(&env, &[query], &["apple.txt"]);
        assert_eq!(found.top().highlighted(), ["ＡＰＰＬＥ"], "{query}");
    }
    for query in ["iphone", "IPHONE", "ｉｐｈｏｎｅ"] {
        let found = assert_finds_exactly(&env, &[query], &["apple.txt"]);
        assert_eq!(found.top().highlighted(), ["ｉＰｈｏｎｅ"], "{query}");
    }
    // ｉＰｈｏｎｅ１５ is analysed as iphone15 (whole) plus its parts iphone and 15.
    let analysis = env.run(["analyze", hay::APPLE]);
    let words = line_starting(&analysis, "words: ");
    for tok in ["iphone15@9", "iphone@9", "15@15", "apple@0"] {
        assert!(words.split(' ').any(|w| w == tok), "{tok} missing: {words}");
    }
    for query in ["iphone15", "iPhone15", "ｉＰｈｏｎｅ１５"] {
        let found = assert_finds_exactly(&env, &[query], &["apple.txt"]);
        assert_eq!(found.top().highlighted(), ["ｉＰｈｏｎｅ１５"], "{query}");
    }
    for query in ["c123", "C123", "Ｃ１２３"] {
        let found = assert_finds_exactly(&env, &[query], &["mixed.txt"]);
        assert_eq!(found.top().highlighted(), ["Ｃ１２３"], "{query}");
    }
}

// ---------------------------------------------------------------------------------------------------------
// 5. Latin words and numbers inside Chinese: whole or by parts; inside a longer word only as a literal
//    string, ranked below whole words.

#[test]
fn latin_runs_match_whole_or_by_parts() {
    let env = appendix_a_with(&[("gwh.txt", hay::GWH)]);
    let found = assert_finds_exactly(&env, &["covid"], &["mixed.txt"]);
    assert_eq!(found.top().highlighted(), ["COVID"]);
    for query in ["covid-19", "COVID-19"] {
        let found = assert_finds_exactly(&env, &[query], &["mixed.txt"]);
        assert_eq!(found.top().highlighted(), ["COVID-19"], "{query}");
    }
    for query in ["gwh", "GWh", "ＧＷＨ"] {
        let found = assert_finds_exactly(&env, &[query], &["gwh.txt"]);
        assert_eq!(found.top().highlighted(), ["GWh"], "{query}");
    }
    assert_finds_exactly(&env, &["25gwh"], &["gwh.txt"]);
    // Inside a longer word: found as a literal string (like any string of the text), but a passage with the
    // whole word ranks first.
    let env = appendix_a_with(&[("app.txt", "下载这个APP就能用。")]);
    let found = assert_finds_exactly(&env, &["app"], &["app.txt", "apple.txt"]);
    assert_eq!(found.hits[0].path, "app.txt");
    assert_eq!(found.hits[0].highlighted(), ["APP"]);
    assert_eq!(found.hits[1].highlighted(), ["ＡＰＰ"]);
    let found = assert_finds_exactly(&env, &["pple"], &["apple.txt"]);
    assert_eq!(found.top().highlighted(), ["ＰＰＬＥ"]);
    assert_no_hits(&env, &["applesauce"]);
}

// ---------------------------------------------------------------------------------------------------------
// 6. Characters beyond the BMP: offsets count chars, not UTF-16 units or bytes.

#[test]
fn non_bmp_characters() {
    let env = appendix_a();
    let found = assert_finds_exactly(&env, &["𨨏"], &["mixed.txt"]);
    let top = found.top();
    assert_eq!(top.highlighted(), ["𨨏"]);
    let at = hay::MIXED.chars().position(|c| c == '𨨏').unwrap();
    assert_eq!(top.highlights, [[at, at + 1]]);
    let found = assert_finds_exactly(&env, &["\"王𨨏在\""], &["mixed.txt"]);
    assert_eq!(found.top().highlighted(), ["王𨨏在"]);
}

// ---------------------------------------------------------------------------------------------------------
// 7. 和尚: literal recall, but a document that is really about a monk ranks first.

#[test]
fn heshang_literal_recall_and_ranking() {
    let env = appendix_a();
    let found = assert_finds_exactly(&env, &["和尚"], &["heshang.txt"]);
    assert_eq!(found.top().highlighted(), ["和尚"]);

    let env = appendix_a_with(&[("monk.txt", hay::MONK)]);
    let found = env.search_json(&["和尚"]);
    assert_eq!(found.paths(), ["monk.txt", "heshang.txt"]);
    assert!(found.hits[0].score > found.hits[1].score);
}

// ---------------------------------------------------------------------------------------------------------
// 8. Exclusion, OR, required terms.

#[test]
fn exclusion_or_and_required() {
    let env = appendix_a_with(&[("peizhi.txt", hay::PEIZHI)]);
    // 央行 occurs in the traditional document only.
    assert_finds_exactly(&env, &["银行", "-央行"], &["nongye.txt"]);
    assert_finds_exactly(&env, &["银行 -央行"], &["nongye.txt"]);
    // Exclusions are normalized: 記者 (traditional in the text) is excluded by 记者.
    assert_finds_exactly(&env, &["银行", "-记者"], &["nongye.txt"]);
    // OR.
    assert_finds_exactly(&env, &["农业", "OR", "天气"], &["nongye.txt", "tianqi.txt"]);
    // Required: without + both documents with 简单 or 配置 match, with +简单 only the one with 简单.
    assert_finds_exactly(&env, &["简单", "配置"], &["jiandan.txt", "peizhi.txt"]);
    let found = assert_finds_exactly(&env, &["+简单", "配置"], &["jiandan.txt"]);
    assert_eq!(found.top().highlighted(), ["简单", "配置"]);
    // A required phrase among plain terms.
    assert_finds_exactly(&env, &["天气", "\"农业发展\""], &["nongye.txt"]);
}

// Regression: excluding a term of 3+ characters (a phrase query on the character view) used to panic in
// debug builds (tantivy 0.27 debug assertion in PhraseScorer::seek_danger); see src/safe_query.rs.
#[test]
fn exclusion_of_long_terms_and_phrases() {
    let env = appendix_a();
    // Exclusions of two characters work (above); longer ones are phrase queries on the character view.
    assert_finds_exactly(&env, &["银行", "-央行宣布"], &["nongye.txt"]);
    assert_finds_exactly(&env, &["銀行", "-\"央行宣布\""], &["nongye.txt"]);
    assert_finds_exactly(&env, &["银行", "-\"记者从\""], &["nongye.txt"]);
    // Excluding something no passage has keeps everything.
    assert_finds_exactly(&env, &["银行", "-不存在的词"], &["nongye.txt", "trad.txt"]);
    // On the bundled page.
    let env = TestEnv::bundled();
    let found = env.search_json(&["工研院", "-高新区", "-n", "50"]);
    assert!(!found.hits.is_empty());
    assert!(found.hits.iter().all(|h| !h.text.contains("高新区")));
}

// ---------------------------------------------------------------------------------------------------------
// 9. Ranking: more of the query ranks higher.

#[test]
fn passages_matching_more_terms_rank_first() {
    let env = appendix_a_with(&[
        ("fruit-both.txt", hay::FRUIT_BOTH),
        ("fruit-one.txt", hay::FRUIT_ONE),
    ]);
    let found = env.search_json(&["苹果", "香蕉"]);
    assert_eq!(found.paths(), ["fruit-both.txt", "fruit-one.txt"]);
    assert!(found.hits[0].score > found.hits[1].score);
    // The same as a question-like run of text.
    let found = env.search_json(&["苹果和香蕉的价格"]);
    assert_eq!(found.top().path, "fruit-both.txt");
}

// ---------------------------------------------------------------------------------------------------------
// 10. Determinism and ties.

#[test]
fn ties_break_by_path_and_output_is_deterministic() {
    let text = "完全相同的两篇文章内容";
    let env = TestEnv::indexed(&[("b.txt", text), ("a.txt", text), ("c.txt", hay::TIANQI)]);
    let found = env.search_json(&["文章"]);
    assert_eq!(found.paths(), ["a.txt", "b.txt"]);
    assert_eq!(found.hits[0].score, found.hits[1].score);

    let env = TestEnv::bundled();
    let query = ["青岛", "工研院", "高新技术企业", "-n", "20"];
    let first = env.search_json(&query);
    let second = env.search_json(&query);
    assert!(first.hits.len() >= 10);
    assert_eq!(first.hits, second.hits);
    assert_eq!(first.summary.total_hits, second.summary.total_hits);
}

/// The segments of the index in `dir` (one `.idx` file each).
fn segment_count(dir: &std::path::Path) -> usize {
    std::fs::read_dir(dir)
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "idx")
        })
        .count()
}

#[test]
fn a_run_killed_between_commit_and_manifest_leaves_no_duplicates() {
    let env = TestEnv::indexed(&[("a.txt", hay::TIANQI), ("b.txt", "农业发展银行发布公告。")]);
    let manifest = env.index_dir().join("sou-manifest.json");
    let old = std::fs::read(&manifest).unwrap();
    // A new file and a bigger new file (a bulk update, which merges after committing); then the manifest is
    // put back as a kill after tantivy's commit would have left it.
    env.write("c.txt", "青岛市工业技术研究院发布公告。");
    env.write("d.txt", "青岛高新区的潮汐预报。".repeat(20));
    env.index();
    std::fs::write(&manifest, old).unwrap();
    env.index();
    assert_finds_exactly(&env, &["工业技术研究院"], &["c.txt"]);
    let found = env.search_json(&["潮汐预报"]);
    assert_eq!(found.paths(), ["d.txt"], "{:#?}", found.hits);
    let found = env.search_json(&["公告"]);
    assert_eq!(found.summary.total_hits, 2, "{:#?}", found.hits);

    // The same after a first run on an empty corpus, whose manifest lists no files.
    let env = TestEnv::new(&[]);
    env.try_index(&[]).assert_sane();
    let manifest = env.index_dir().join("sou-manifest.json");
    let old = std::fs::read(&manifest).unwrap();
    env.write("c.txt", "青岛市工业技术研究院发布公告。");
    env.index();
    std::fs::write(&manifest, old).unwrap();
    env.index();
    let found = env.search_json(&["工业技术研究院"]);
    assert_eq!(found.paths(), ["c.txt"], "{:#?}", found.hits);
}

#[test]
fn a_bulk_build_ends_with_one_segment_and_small_updates_do_not_merge() {
    // 40 files indexed by 2 threads make at least 2 segments, which a first build merges into one.
    let files: Vec<(String, String)> = (0..40)
        .map(|i| (format!("f{i:02}.txt"), format!("第{i}篇。{}", hay::TIANQI)))
        .collect();
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let env = TestEnv::new(&refs);
    env.index_json(&["--threads", "2"]);
    assert_eq!(segment_count(&env.index_dir()), 1);
    let before = env.search_json(&["天气"]);

    // Changing one file of 40 adds a segment and leaves the big one alone.
    env.write("f00.txt", "改过的文章，说的是天气。");
    env.index_json(&["--threads", "2"]);
    assert_eq!(segment_count(&env.index_dir()), 2);
    let after = env.search_json(&["天气"]);
    assert_eq!(after.summary.total_hits, before.summary.total_hits);
}

// ---------------------------------------------------------------------------------------------------------
// 11. Highlights: checked for every hit by `search_json`; here the cases where spans touch or repeat.

#[test]
fn adjacent_matches_are_merged_into_one_highlight() {
    let env = appendix_a();
    let found = env.search_json(&["发展", "银行"]);
    assert_eq!(found.top().path, "nongye.txt");
    assert_eq!(found.top().highlighted(), ["发展银行"]);
}

#[test]
fn every_occurrence_in_the_snippet_is_highlighted() {
    let env = TestEnv::bundled();
    let found = env.search_json(&["工研院", "-n", "50"]);
    for hit in found.hits.iter().filter(|h| h.text.contains("工研院")) {
        let expected = hit.snippet.matches("工研院").count();
        assert!(expected > 0, "snippet without the match: {hit:#?}");
        assert_eq!(
            hit.highlighted().iter().filter(|h| *h == "工研院").count(),
            expected,
            "{hit:#?}"
        );
    }
}

#[test]
fn highlight_checker_accepts_query_text_only() {
    // The checker used on every hit must itself be able to fail.
    assert!(util::made_of_query_text("发展银行", "发展 银行"));
    assert!(util::made_of_query_text("银行", "銀行"));
    assert!(util::made_of_query_text("单", "单"));
    assert!(!util::made_of_query_text("今天", "发展 银行"));
    assert!(!util::made_of_query_text("行今", "发展 银行"));
    assert!(!util::made_of_query_text("银", "发展 银行"));
}

// ---------------------------------------------------------------------------------------------------------
// 12. The bundled page.

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
fn a_whole_query_word_jieba_made_up_matches_by_its_bigrams() {
    // jieba's HMM cuts the title 虢国考 as one word, which no text contains; the abstract says 虢国 (its
    // first sentence is from the CSL dataset, ydli-ai/CSL, Apache-2.0: see ../shared/corpora/csl/SOURCE.md).
    let env = TestEnv::indexed(&[
        (
            "guo.txt",
            "虢国是西周初分封的重要姬姓国,汉以后的文献中记载了东、西、南、北和小虢五个虢国.",
        ),
        ("other.txt", "考古资料表明,西周初年分封了许多诸侯国。"),
        ("tianqi.txt", hay::TIANQI),
    ]);
    let found = assert_finds_exactly(&env, &["虢国考"], &["guo.txt"]);
    assert!(
        found.top().highlighted().iter().any(|h| h == "虢国"),
        "{:#?}",
        found.top()
    );
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
// 13. Titles on a newspaper page with two articles.

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
    let found = env.search_json(&["一句话"]);
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
// 14. Passages: long paragraphs are cut at sentence ends, lengths in characters.

#[test]
fn long_paragraph_is_split_at_sentence_ends() {
    let (paragraph, sentences) = hay::long_paragraph();
    assert!(nchars(&paragraph) >= 1000);
    let text = format!("测试标题\n\n{paragraph}\n");
    let env = TestEnv::indexed(&[("long.txt", &text)]);
    let found = env.search_json(&["切分", "-n", "50"]);
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

#[test]
fn snippet_length_is_counted_in_characters() {
    let env = TestEnv::bundled();
    for n in ["20", "60"] {
        let found = env.search_json(&["工研院", "-n", "50", "--snippet-chars", n]);
        let n: usize = n.parse().unwrap();
        for hit in &found.hits {
            let body = hit.snippet.trim_start_matches('…').trim_end_matches('…');
            assert!(
                nchars(body) <= n,
                "snippet of {} chars for --snippet-chars {n}: {hit:#?}",
                nchars(body)
            );
            if hit.text.contains("工研院") {
                assert!(!hit.highlights.is_empty(), "{hit:#?}");
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------------------
// 15. Malformed queries never panic; errors are clear.

#[test]
fn malformed_queries() {
    let env = appendix_a_with(&[("weibihe.txt", hay::WEIBIHE)]);
    // An unclosed quote runs to the end of the query: a phrase.
    let found = assert_finds_exactly(&env, &["\"未闭合"], &["weibihe.txt"]);
    assert_eq!(found.top().highlighted(), ["未闭合"]);
    // Nothing to search for.
    for query in ["\"", "-", "+", "，。！", "\"\"", "   "] {
        env.search(&[query])
            .assert_error(&["invalid query", "nothing to search for"]);
    }
    // Only exclusions.
    env.search(&["-肇庆"]).assert_error(&["only excludes"]);
    env.search(&["-银行", "-天气"])
        .assert_error(&["only excludes"]);
    // Too long.
    let long = "中".repeat(10_000);
    env.search(&[&long])
        .assert_error(&["10000", "limit", "1000"]);
    // A stray OR is the word "or", which no document has.
    assert_no_hits(&env, &["OR"]);
    let found = env.search_json(&["天气", "OR"]);
    assert_eq!(found.paths(), ["tianqi.txt"]);
    // Odd input: never a panic, never a status other than 0, 1 or 2.
    for query in [
        "🙂",
        "天气🙂",
        "\"a\"\"",
        "-\"",
        "OR OR OR",
        "a OR -b",
        "((天气",
        "\u{202E}abc",
        "e\u{0301}",
        "＂全角引号＂",
        "「天气」",
        "- 天气",
        "--",
        "-n",
    ] {
        let out = env.search(&["--", query]);
        if out.code == Some(2) {
            out.assert_error(&[]);
        }
    }
    // An emoji next to a word still finds the word.
    assert_finds_exactly(&env, &["天气🙂"], &["tianqi.txt"]);
}

#[test]
fn bad_arguments_exit_2() {
    let env = appendix_a();
    for args in [
        vec!["search", "天气", "-n", "0"],
        vec!["search", "天气", "--color", "sometimes"],
        vec!["search"],
        vec!["frobnicate"],
    ] {
        let out = env.run(&args);
        assert_eq!(out.code, Some(2), "{args:?}: {out:#?}");
        assert!(out.stdout.is_empty());
        assert!(!out.stderr.is_empty());
    }
}

/// Asserts a one-line `sou: ` error (status 2, nothing on stdout) that mentions every one of `needles`.
fn assert_one_line_error(out: &Output, needles: &[&str]) {
    let msg = out.assert_error(needles);
    assert_eq!(msg.lines().count(), 1, "not one line: {out:#?}");
    assert!(!msg.contains("Usage:"), "usage in the error: {out:#?}");
}

#[test]
fn argument_errors_are_one_sou_line() {
    let env = appendix_a();
    for (args, needles) in [
        (
            vec!["search", "天气", "-n", "0"],
            vec!["invalid value '0'", "--limit"],
        ),
        (
            vec!["search", "天气", "--color", "sometimes"],
            vec!["'sometimes'", "--color", "auto, always, never"],
        ),
        (vec!["search", "天气", "--limit"], vec!["--limit", "value"]),
        (vec!["search"], vec!["<QUERY>"]),
        (vec!["frobnicate"], vec!["'frobnicate'"]),
        // clap's suggestion is kept, in the same line.
        (
            vec!["index", "--rebuidl"],
            vec!["'--rebuidl'", "did you mean '--rebuild'?"],
        ),
        (vec!["index", "--threads", "x"], vec!["'x'", "--threads"]),
        (
            vec!["search", "--queries", "q.txt", "天气"],
            vec!["--queries", "cannot be used with"],
        ),
        (vec!["analyze"], vec!["<TEXT>"]),
    ] {
        assert_one_line_error(&env.run(&args), &needles);
    }
    // Help and version still go to stdout, with status 0.
    for args in [
        vec!["--help"],
        vec!["search", "--help"],
        vec!["search", "天气", "-h"],
        vec!["help", "index"],
        vec!["--version"],
    ] {
        let out = env.run(&args);
        assert!(!out.assert_ok().is_empty(), "{args:?}: {out:#?}");
        assert_eq!(out.stderr, "", "{args:?}");
    }
    assert!(env.run(["--version"]).stdout.starts_with("sou "));
}

#[test]
fn mistyped_long_flags_are_errors_not_query_words() {
    let env = appendix_a();
    // Wherever it stands, a word that looks like a long flag and is none is an error naming it, with the
    // closest flag and the way to search for it all the same (`--` ends the flags).
    for (args, needles) in [
        (
            vec!["天气", "--jsn"],
            vec!["'--jsn'", "did you mean '--json'?"],
        ),
        (vec!["--jsn", "天气"], vec!["'--jsn'", "'--json'"]),
        (
            vec!["--limt", "5", "天气"],
            vec!["'--limt'", "did you mean '--limit'?"],
        ),
        (vec!["--limt=5", "天气"], vec!["'--limt", "'--limit'"]),
        (vec!["天气", "--frobnicate"], vec!["'--frobnicate'"]),
        (vec!["--Json", "天气"], vec!["'--Json'"]),
    ] {
        let out = env.search(&args);
        assert_one_line_error(&out, &needles);
        assert!(out.stderr.contains("`--` ends the flags"), "{out:#?}");
    }
    // Single-dash words are exclusions, as before.
    assert_finds_exactly(&env, &["银行", "-央行"], &["nongye.txt"]);
    assert_finds_exactly(&env, &["-央行", "银行", "-n", "5"], &["nongye.txt"]);
    // After `--`, anything is query text; so is `--` before something other than a letter.
    let found = env.search_json(&["天气", "--", "--jsn"]);
    assert_eq!(found.summary.query, "天气 --jsn");
    assert_eq!(found.paths(), ["tianqi.txt"]);
    let found = env.search_json(&["天气", "--5"]);
    assert_eq!(found.summary.query, "天气 --5");
    // Known flags still work anywhere, with `=` or without.
    let found = env.search_json(&["银行", "--limit=1", "--per-article", "1"]);
    assert_eq!(found.hits.len(), 1);
}

// ---------------------------------------------------------------------------------------------------------
// Output: JSON schema, human format, colour, exit status.

#[test]
fn json_lines_schema() {
    let env = appendix_a();
    let out = env.search(&["--json", "银行", "-n", "1"]);
    assert_eq!(out.code, Some(0));
    let lines: Vec<serde_json::Value> = out
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["type"], "hit");
    for key in [
        "rank",
        "score",
        "path",
        "passage",
        "title",
        "start",
        "end",
        "text",
        "snippet",
        "highlights",
    ] {
        assert!(lines[0]["data"].get(key).is_some(), "hit has no {key}");
    }
    assert!(lines[0]["data"]["highlights"][0].as_array().unwrap().len() == 2);
    assert_eq!(lines[1]["type"], "summary");
    let summary = &lines[1]["data"];
    assert_eq!(summary["query"], "银行");
    assert_eq!(summary["total_hits"], 2);
    assert_eq!(summary["returned"], 1);
    assert!(summary["elapsed_ms"].is_number());
    // Several query arguments are joined with spaces in the summary.
    let found = env.search_json(&["农业", "OR", "天气"]);
    assert_eq!(found.summary.query, "农业 OR 天气");
    // No hits: only the summary, status 1.
    let out = env.search(&["--json", "不存在的词语"]);
    assert_eq!(out.code, Some(1));
    assert_eq!(out.stdout.lines().count(), 1);
    assert!(out.stdout.starts_with(r#"{"type":"summary""#));
}

#[test]
fn human_output_format() {
    let env = appendix_a();
    let out = env.search(&["农业"]);
    let stdout = out.assert_ok();
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{stdout}");
    let head = lines[0];
    assert!(
        head.starts_with(" 1. nongye.txt#0  中国农业发展银行今天发布公告  ("),
        "{head}"
    );
    let score = head.rsplit_once('(').unwrap().1.strip_suffix(')').unwrap();
    let score: f64 = score.parse().unwrap_or_else(|_| panic!("score in {head}"));
    assert!(score > 0.0);
    assert_eq!(lines[1], format!("    {}", hay::NONGYE));
    assert!(
        lines[2].starts_with("1 of 1 matching passages (") && lines[2].ends_with(" ms)"),
        "{}",
        lines[2]
    );
    assert!(!stdout.contains('\u{1b}'), "colour when piped: {stdout:?}");

    // Two-digit ranks are right-aligned in the same columns.
    let text: String = (0..12).map(|i| format!("第{i}段提到天气。\n\n")).collect();
    let env = TestEnv::indexed(&[("many.txt", &text)]);
    let out = env.search(&["天气", "-n", "12"]);
    let heads: Vec<&str> = out
        .stdout
        .lines()
        .filter(|l| l.contains("many.txt#"))
        .collect();
    assert_eq!(heads.len(), 12);
    assert!(heads[0].starts_with(" 1. many.txt#"), "{}", heads[0]);
    assert!(heads[9].starts_with("10. many.txt#"), "{}", heads[9]);
    assert!(
        out.stdout.ends_with("\n") && out.stdout.lines().last().unwrap().starts_with("12 of 12 ")
    );

    // No hits: status 1 and a zero count.
    let out = appendix_a().search(&["不存在的词语"]);
    assert_eq!(out.code, Some(1));
    assert!(
        out.stdout.starts_with("0 of 0 matching passages ("),
        "{out:#?}"
    );
}

#[test]
fn colour_only_when_asked_or_on_a_terminal() {
    let env = appendix_a();
    let term = [("TERM", "xterm-256color")];
    let always = env.search_env(&["农业", "--color", "always"], &term);
    assert!(always.assert_ok().contains("\u{1b}["), "{always:#?}");
    // The match is coloured: an escape right before 农业.
    assert!(
        always.stdout.contains("m农业\u{1b}["),
        "match not coloured: {:?}",
        always.stdout
    );
    // An explicit --color always wins over NO_COLOR.
    let out = env.search_env(
        &["农业", "--color=always"],
        &[("TERM", "xterm-256color"), ("NO_COLOR", "1")],
    );
    assert!(out.assert_ok().contains("\u{1b}["));
    // Never, and auto when stdout is not a terminal (whatever NO_COLOR says).
    for (args, envs) in [
        (
            vec!["农业", "--color", "never"],
            vec![("TERM", "xterm-256color")],
        ),
        (vec!["农业"], vec![("TERM", "xterm-256color")]),
        (
            vec!["农业", "--color", "auto"],
            vec![("TERM", "xterm-256color")],
        ),
        (
            vec!["农业"],
            vec![("TERM", "xterm-256color"), ("NO_COLOR", "")],
        ),
        (
            vec!["农业"],
            vec![("TERM", "xterm-256color"), ("NO_COLOR", "1")],
        ),
    ] {
        let out = env.search_env(&args, &envs);
        assert!(
            !out.assert_ok().contains('\u{1b}'),
            "{args:?} {envs:?}: {out:#?}"
        );
        // The text is the same as with colour, without the escapes.
        assert_eq!(
            strip_ansi(&always.stdout).lines().nth(1),
            out.stdout.lines().nth(1)
        );
    }
    // JSON is never coloured.
    let out = env.search_env(&["--json", "农业", "--color", "always"], &term);
    assert!(!out.assert_ok().contains('\u{1b}'));
}

/// Removes ANSI CSI sequences (`ESC [ … letter`).
fn strip_ansi(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for d in chars.by_ref() {
                if d.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------------------
// 16. Index lifecycle.

#[test]
fn search_without_index_builds_it() {
    let env = TestEnv::new(hay::APPENDIX_A);
    assert!(!env.index_dir().exists());
    let out = env.search(&["农业"]);
    out.assert_ok();
    assert!(out.stderr.contains("building"), "{out:#?}");
    assert!(out.stderr.contains("indexed 8 files"), "{out:#?}");
    assert!(out.stdout.contains("nongye.txt#0"));
    assert!(env.index_dir().join("sou-manifest.json").is_file());
    // The second search uses it, silently.
    let out = env.search(&["农业"]);
    out.assert_ok();
    assert_eq!(out.stderr, "");
}

#[test]
fn default_paths_are_relative_to_the_current_directory() {
    let env = TestEnv::new(hay::APPENDIX_A);
    let out = env.run(["index"]);
    out.assert_ok();
    assert!(env.root().join("index/sou-manifest.json").is_file());
    let out = env.run(["search", "农业"]);
    assert!(out.assert_ok().contains("nongye.txt#0"));
    assert_eq!(out.stderr, "");
}

#[test]
fn a_named_index_that_does_not_exist_is_an_error() {
    // Run beside a `corpus/`, as in the repository: a mistyped --index must not build an index from it and
    // answer from that.
    let env = TestEnv::new(hay::APPENDIX_A);
    let typo = env.root().join("archiv-index").display().to_string();
    let out = env.run(["search", "--index", &typo, "农业"]);
    let cmd = format!("`sou index --corpus DIR --index {typo}`");
    assert_one_line_error(&out, &["no index at", &typo, &cmd]);
    assert!(!env.root().join("archiv-index").exists());
    assert!(!env.index_dir().exists());
    // Named explicitly, even the default is not built on first use; nor is an empty directory.
    assert_one_line_error(
        &env.run(["search", "--index", "index", "农业"]),
        &["no index at index", "--index index`"],
    );
    assert!(!env.index_dir().exists());
    std::fs::create_dir(env.root().join("empty")).unwrap();
    assert_one_line_error(
        &env.run(["search", "--index=empty", "农业"]),
        &["no index at empty"],
    );
    assert_one_line_error(
        &env.run(["search", "--queries", "-", "--index", "nowhere"]),
        &["no index at nowhere"],
    );
    // With --corpus too, the index is built on first use.
    let out = env.run(["search", "--index", "other", "--corpus", "corpus", "农业"]);
    assert!(out.assert_ok().contains("nongye.txt#0"), "{out:#?}");
    assert!(out.stderr.contains("building"), "{out:#?}");
    // Then it exists, and --index alone uses it.
    let out = env.run(["search", "--index", "other", "农业"]);
    assert!(out.assert_ok().contains("nongye.txt#0"), "{out:#?}");
    assert_eq!(out.stderr, "");
    // With the defaults, as before: index/ is built from corpus/.
    let out = env.run(["search", "农业"]);
    assert!(out.assert_ok().contains("nongye.txt#0"), "{out:#?}");
    assert!(out.stderr.contains("building"), "{out:#?}");
}

#[test]
fn index_updates_only_what_changed() {
    let env = TestEnv::new(&[
        ("a.txt", "第一篇文章讲农业。"),
        ("b.txt", "第二篇文章讲天气。"),
        ("sub/c.md", "# 标题\n\n第三篇文章讲银行。"),
    ]);
    let first = env.index();
    assert!(
        first.starts_with("indexed 3 files (3 new, 0 changed, 0 removed, 0 unchanged): 4 passages written, 4 in the index"),
        "{first}"
    );
    // Nothing changed.
    let again = env.index();
    assert!(
        again.starts_with("indexed 3 files (0 new, 0 changed, 0 removed, 3 unchanged): 0 passages written, 4 in the index"),
        "{again}"
    );
    // Modified: the new content is found, the old is not.
    env.write("b.txt", "第二篇文章改讲海水淡化了。");
    let changed = env.index();
    assert!(
        changed.contains("(0 new, 1 changed, 0 removed, 2 unchanged)"),
        "{changed}"
    );
    assert_finds_exactly(&env, &["海水淡化"], &["b.txt"]);
    assert_no_hits(&env, &["天气"]);
    // Removed: its passages are gone.
    env.remove("a.txt");
    let removed = env.index();
    assert!(
        removed.starts_with("indexed 2 files (0 new, 0 changed, 1 removed, 2 unchanged): 0 passages written, 3 in the index"),
        "{removed}"
    );
    assert_no_hits(&env, &["农业"]);
    // Added.
    env.write("d.txt", "第四篇文章讲农业银行。");
    let added = env.index();
    assert!(
        added.contains("(1 new, 0 changed, 0 removed, 2 unchanged)"),
        "{added}"
    );
    assert_finds_exactly(&env, &["农业"], &["d.txt"]);
    assert_finds_exactly(&env, &["银行"], &["d.txt", "sub/c.md"]);
    // --rebuild starts again.
    let rebuilt = env.try_index(&["--rebuild"]);
    assert!(
        rebuilt
            .assert_ok()
            .contains("(3 new, 0 changed, 0 removed, 0 unchanged)"),
        "{rebuilt:#?}"
    );
    assert_finds_exactly(&env, &["银行"], &["d.txt", "sub/c.md"]);
}

#[test]
fn touched_but_unchanged_file_is_not_reindexed() {
    let env = TestEnv::indexed(&[("a.txt", hay::NONGYE)]);
    let path = env.corpus().join("a.txt");
    let later = std::time::SystemTime::now() + std::time::Duration::from_secs(5);
    std::fs::File::options()
        .write(true)
        .open(&path)
        .unwrap()
        .set_modified(later)
        .unwrap();
    let summary = env.index();
    assert!(
        summary.contains("(0 new, 0 changed, 0 removed, 1 unchanged): 0 passages written"),
        "{summary}"
    );
    // The new time was recorded: no staleness warning.
    let out = env.search(&["农业"]);
    out.assert_ok();
    assert_eq!(out.stderr, "");
}

#[test]
fn search_warns_when_the_corpus_changed() {
    // Files in two folders.
    let env = TestEnv::indexed(&[
        ("a.txt", hay::NONGYE),
        ("b.txt", hay::TIANQI),
        ("d/x.txt", "第一篇。"),
        ("d/y.txt", "第二篇。"),
        ("d/z.txt", "第三篇。"),
        ("e.txt", "第四篇。"),
    ]);
    env.write("b.txt", "今天天气不错，适合出门散步。");
    env.write("d/y.txt", "第二篇，改过了。");
    env.write("c.txt", hay::LIPING);
    env.remove("d/z.txt");
    let out = env.search(&["农业"]);
    out.assert_ok();
    let warning = out.stderr.trim_end();
    assert_eq!(warning.lines().count(), 1, "{out:#?}");
    assert!(warning.starts_with("sou: warning: "), "{warning}");
    assert!(
        warning.contains("changed since it was indexed"),
        "{warning}"
    );
    assert!(warning.contains("1 new, 2 changed, 1 removed"), "{warning}");
    assert!(warning.contains("sou index"), "{warning}");
    // The same without --corpus (the corpus recorded in the index; its files are checked after the index is
    // opened rather than while).
    let index = env.index_dir().display().to_string();
    let out = env.run(["search", "--index", &index, "农业"]);
    out.assert_ok();
    assert_eq!(out.stderr.trim_end(), warning, "{out:#?}");
    // Once re-indexed, no warning.
    env.index();
    let out = env.search(&["农业"]);
    assert_eq!(out.stderr, "");
}

#[test]
fn index_json_summary() {
    let env = TestEnv::new(hay::APPENDIX_A);
    let (d, _) = env.index_json(&[]);
    assert_eq!(d["files"], 8);
    assert_eq!(d["added"], 8);
    assert_eq!(d["changed"], 0);
    assert_eq!(d["removed"], 0);
    assert_eq!(d["unchanged"], 0);
    assert_eq!(d["failed"], 0);
    assert_eq!(d["passages_written"], 8);
    assert_eq!(d["passages_total"], 8);
    assert!(d["elapsed_s"].is_number());
    let (d, _) = env.index_json(&[]);
    assert_eq!(d["unchanged"], 8);
    assert_eq!(d["passages_written"], 0);
}

#[test]
fn damaged_manifest_is_a_clear_error_and_index_repairs_it() {
    let env = appendix_a();
    let manifest = env.index_dir().join("sou-manifest.json");
    std::fs::write(&manifest, "this is not json").unwrap();
    let out = env.search(&["农业"]);
    let msg = out.assert_error(&["sou index", "manifest"]);
    assert_eq!(msg.lines().count(), 1, "{msg}");
    let out = env.search(&["--json", "农业"]);
    out.assert_error(&["sou index"]);
    // `sou index` rebuilds it.
    let out = env.try_index(&[]);
    out.assert_ok();
    assert!(out.stderr.contains("rebuilding"), "{out:#?}");
    assert_finds_exactly(&env, &["农业"], &["nongye.txt"]);
}

/// Adds `delta` to the format version in the index's manifest, as if another sou had written it; returns
/// the version it had.
fn shift_format_version(env: &TestEnv, delta: i64) -> u64 {
    let path = env.index_dir().join("sou-manifest.json");
    let mut manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let version = manifest["format_version"].as_u64().expect("format_version");
    manifest["format_version"] = version.checked_add_signed(delta).unwrap().into();
    std::fs::write(&path, manifest.to_string()).unwrap();
    version
}

#[test]
fn index_of_another_format_version_is_refused() {
    let env = appendix_a();
    shift_format_version(&env, 1);
    let out = env.search(&["农业"]);
    let msg = out.assert_error(&["re-run `sou index", "format"]);
    assert_eq!(msg.lines().count(), 1, "{msg}");
    // `sou index` replaces it.
    let out = env.try_index(&[]);
    out.assert_ok();
    assert_finds_exactly(&env, &["农业"], &["nongye.txt"]);
}

#[test]
fn search_rebuilds_an_index_of_an_older_format() {
    let env = appendix_a();
    let version = shift_format_version(&env, -1);
    let out = env.search(&["农业"]);
    out.assert_ok();
    assert!(
        out.stderr.contains("older sou") && out.stderr.contains("rebuilding"),
        "{out:#?}"
    );
    // Said once: one line for the rebuild, one for its summary.
    assert_eq!(out.stderr.lines().count(), 2, "{out:#?}");
    assert_eq!(shift_format_version(&env, 0), version);
    assert_finds_exactly(&env, &["农业"], &["nongye.txt"]);
}

/// The tantivy storage settings recorded in the index's `meta.json`.
fn store_settings(env: &TestEnv) -> serde_json::Value {
    let meta: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(env.index_dir().join("meta.json")).unwrap())
            .unwrap();
    meta["index_settings"].clone()
}

#[test]
fn rebuild_and_updates_write_with_this_sous_storage_settings() {
    let env = appendix_a();
    let ours = store_settings(&env);
    assert_eq!(ours["docstore_compression"], "zstd(compression_level=3)");
    // An index created with other settings (lz4 in 16 KB blocks).
    let older = |env: &TestEnv| {
        let path = env.index_dir().join("meta.json");
        let mut meta: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        meta["index_settings"] =
            serde_json::json!({"docstore_compression": "lz4", "docstore_blocksize": 16384});
        std::fs::write(&path, meta.to_string()).unwrap();
    };
    older(&env);
    env.try_index(&["--rebuild"]).assert_ok();
    assert_eq!(store_settings(&env), ours);
    assert_finds_exactly(&env, &["农业"], &["nongye.txt"]);
    // An update writes new segments with them too (the old ones stay readable).
    older(&env);
    env.write("new.txt", "新的农业报告。");
    env.index();
    assert_eq!(store_settings(&env), ours);
    assert_finds_exactly(&env, &["农业"], &["new.txt", "nongye.txt"]);
}

#[test]
fn index_refuses_a_directory_that_is_not_an_index() {
    let env = TestEnv::new(hay::APPENDIX_A);
    let other = env.root().join("precious");
    std::fs::create_dir_all(other.join("sub")).unwrap();
    std::fs::write(other.join("notes.txt"), "my notes").unwrap();
    std::fs::write(other.join("sub/more.txt"), "more").unwrap();
    let corpus = env.corpus().display().to_string();
    let dir = other.display().to_string();
    let out = env.run(["index", "--corpus", &corpus, "--index", &dir]);
    out.assert_error(&["not a sou index", "precious"]);
    // search would build an index there: refused too.
    let out = env.run(["search", "--corpus", &corpus, "--index", &dir, "农业"]);
    out.assert_error(&["not a sou index"]);
    assert_eq!(
        std::fs::read_to_string(other.join("notes.txt")).unwrap(),
        "my notes"
    );
    assert_eq!(
        std::fs::read_to_string(other.join("sub/more.txt")).unwrap(),
        "more"
    );
    let mut names: Vec<String> = std::fs::read_dir(&other)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["notes.txt", "sub"]);
}

#[test]
fn missing_corpus_is_an_error() {
    let env = TestEnv::new(&[]);
    std::fs::remove_dir(env.corpus()).unwrap();
    env.try_index(&[]).assert_error(&["corpus"]);
    env.search(&["农业"]).assert_error(&["corpus"]);
}

// ---------------------------------------------------------------------------------------------------------
// 17. A closed pipe is not an error.

/// Runs `sou ARGS` with stdout piped, reads one line, closes the pipe, and returns (first line, status,
/// stderr).
fn read_one_line_then_close(env: &TestEnv, args: &[String]) -> (String, Option<i32>, String) {
    let mut child = env
        .command(args, &[])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    {
        let mut reader = BufReader::new(child.stdout.take().unwrap());
        reader.read_line(&mut first).unwrap();
    } // The reader (and the pipe) is dropped here.
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    let status = child.wait().unwrap();
    (first, status.code(), stderr)
}

#[test]
fn closed_pipe_is_not_an_error() {
    let env = TestEnv::bundled();
    let index = env.index_dir().display().to_string();
    let args: Vec<String> = ["search", "--index", &index, "工研院", "-n", "50"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let (first, code, stderr) = read_one_line_then_close(&env, &args);
    assert!(first.starts_with(" 1. "), "{first}");
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(stderr, "");
}

#[test]
fn closed_pipe_with_output_larger_than_the_pipe_buffer() {
    let env = TestEnv::indexed(&[("many.txt", &hay::many_paragraphs(600))]);
    let index = env.index_dir().display().to_string();
    for json in [true, false] {
        let mut args: Vec<String> = ["search", "--index", &index, "工研院", "-n", "600"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        if json {
            args.push("--json".into());
        }
        let (first, code, stderr) = read_one_line_then_close(&env, &args);
        assert!(!first.is_empty());
        assert_eq!(code, Some(0), "json {json}: {stderr}");
        assert_eq!(stderr, "", "json {json}");
    }
    // The whole output is indeed larger than a pipe buffer (64 KiB on Linux).
    let out = env.search(&["--json", "工研院", "-n", "600"]);
    assert!(out.assert_ok().len() > 256 * 1024, "{}", out.stdout.len());
}

// ---------------------------------------------------------------------------------------------------------
// 18. Corpus files: bad encodings, other extensions, BOM and CRLF.

#[test]
fn legacy_encodings_are_decoded_and_bad_files_reported() {
    let env = TestEnv::new(hay::APPENDIX_A);
    let gbk = encoding_rs::GBK
        .encode("青岛市工研院累计培育科技型中小企业超过一百家，独有词汇甲。")
        .0;
    env.write("gbk.txt", &gbk);
    let big5 = encoding_rs::BIG5
        .encode("記者從銀行獲悉，中央銀行宣布降息，獨有詞彙乙。")
        .0;
    env.write("big5.txt", &big5);
    // A UTF-8 BOM promises UTF-8: these bytes are not.
    env.write("broken.txt", b"\xEF\xBB\xBF\xe4\xb8\xad\xff\xfe\xfd");
    // Binary files with a text extension are skipped by design.
    env.write("scan.txt", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj");
    env.write("photo.md", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR");
    let out = env.try_index(&[]);
    assert_eq!(out.code, Some(2), "{out:#?}");
    assert!(
        out.stderr.contains("broken.txt: not valid UTF-8"),
        "{out:#?}"
    );
    assert!(
        out.stderr.contains("scan.txt: binary file (a PDF)"),
        "{out:#?}"
    );
    assert!(
        out.stderr.contains("photo.md: binary file (a PNG image)"),
        "{out:#?}"
    );
    assert!(
        out.stdout
            .contains("(10 new, 0 changed, 0 removed, 0 unchanged, 2 skipped, 1 failed)"),
        "{out:#?}"
    );
    assert!(
        out.stdout.contains("decoded 1 from Big5, 1 from GBK"),
        "{out:#?}"
    );
    // The decoded files are searchable, and show their text as Unicode.
    let found = assert_finds_exactly(&env, &["\"独有词汇甲\""], &["gbk.txt"]);
    assert_eq!(found.top().highlighted(), ["独有词汇甲"]);
    let found = assert_finds_exactly(&env, &["\"独有词汇乙\""], &["big5.txt"]);
    assert_eq!(found.top().highlighted(), ["獨有詞彙乙"]);
    // The other files are indexed.
    assert_finds_exactly(&env, &["农业"], &["nongye.txt"]);
}

#[test]
fn other_extensions_and_hidden_files_are_ignored() {
    let env = TestEnv::new(&[
        ("keep.txt", hay::TIANQI),
        ("keep.MD", "Markdown 文件也算：独有词汇"),
        ("notes.pdf", hay::UNIQUE),
        ("data.json", hay::UNIQUE),
        ("readme", hay::UNIQUE),
        (".hidden.txt", hay::UNIQUE),
        (".git/x.txt", hay::UNIQUE),
    ]);
    let summary = env.index();
    assert!(summary.starts_with("indexed 2 files (2 new,"), "{summary}");
    assert_finds_exactly(&env, &["独有词汇"], &["keep.MD"]);
}

#[test]
fn bom_and_crlf_files() {
    let env = TestEnv::indexed(&[("bom.txt", hay::BOM_CRLF)]);
    let found = assert_finds_exactly(&env, &["关键词"], &["bom.txt"]);
    let hit = found.top();
    // Offsets count characters of the decoded text (BOM excluded); `check_hits` verified text = [start, end).
    let decoded = hay::BOM_CRLF.strip_prefix('\u{feff}').unwrap();
    let start = decoded.chars().position(|c| c == '第').unwrap();
    assert_eq!(hit.start, start);
    assert_eq!(hit.text, "第一段提到关键词甲乙。\r\n第二行继续说明。");
    assert_eq!(hit.end, start + nchars(&hit.text));
    assert_eq!(hit.title, "标题行");
    assert_eq!(hit.passage, 1);
    // The snippet shows the line break as a space.
    assert_eq!(hit.snippet, "第一段提到关键词甲乙。 第二行继续说明。");
    assert_eq!(hit.highlighted(), ["关键词"]);
    let found = assert_finds_exactly(&env, &["丙丁"], &["bom.txt"]);
    assert_eq!(found.top().text, "第二段提到丙丁。");
    // The title line itself, without the BOM.
    let found = env.search_json(&["\"标题行\""]);
    assert_eq!(found.top().start, 0);
    assert_eq!(found.top().text, "标题行");
}

#[test]
fn line_break_inside_a_word_still_matches() {
    // A paragraph wrapped in the middle of 高新技术.
    let env = TestEnv::indexed(&[("wrap.txt", "推动高新\n技术企业发展。")]);
    let found = assert_finds_exactly(&env, &["\"高新技术\""], &["wrap.txt"]);
    let hit = found.top();
    assert_eq!(hit.text, "推动高新\n技术企业发展。");
    assert_eq!(
        util::squeeze(&hit.highlighted().concat()),
        "高新技术",
        "{hit:#?}"
    );
}

// ---------------------------------------------------------------------------------------------------------
// 19. `sou analyze`.

#[test]
fn analyze_shows_normalization_and_both_views() {
    let env = TestEnv::new(&[]);
    let out = env.run(["analyze", "中国农业发展银行"]);
    let stdout = out.assert_ok();
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{stdout}");
    assert_eq!(lines[0], "normalized: 中国农业发展银行");
    let words: Vec<&str> = lines[1]
        .strip_prefix("words: ")
        .unwrap()
        .split(' ')
        .collect();
    for tok in ["中国@0", "农业@2", "发展@4", "银行@6", "农业发展银行@2"] {
        assert!(words.contains(&tok), "{tok} missing: {}", lines[1]);
    }
    let chars: Vec<&str> = lines[2]
        .strip_prefix("chars: ")
        .unwrap()
        .split(' ')
        .collect();
    for tok in ["中@0", "中国@0", "农业@2", "行@7"] {
        assert!(chars.contains(&tok), "{tok} missing: {}", lines[2]);
    }
    // Traditional, full-width, and a leading dash (not a flag).
    let out = env.run(["analyze", "銀行ＡＰＰ", "-x"]);
    assert!(
        out.assert_ok().starts_with("normalized: 银行app -x\n"),
        "{out:#?}"
    );
    // Non-BMP: one character, one token.
    let out = env.run(["analyze", "王𨨏"]);
    assert!(out.assert_ok().contains("𨨏@1"), "{out:#?}");
}

// ---------------------------------------------------------------------------------------------------------
// 20. JSON Lines archives: one article per line; hits carry the record's id, title, date and line, and
//     offsets into its body (`check_hits` verifies text = body chars [start, end) for every hit).

/// The ids of the hits, in rank order.
fn ids(found: &util::Found) -> Vec<&str> {
    found.hits.iter().map(|h| h.id.as_str()).collect()
}

#[test]
fn jsonl_records_are_articles() {
    let env = TestEnv::new(&[("news.jsonl", hay::NEWS_JSONL), ("tianqi.txt", hay::TIANQI)]);
    let summary = env.index();
    // 3 passages of record 101, 1 of b-2, 1 of the record without id, 1 of the text file.
    assert!(
        summary.starts_with(
            "indexed 2 files (2 new, 0 changed, 0 removed, 0 unchanged): 6 passages written, 6 in the index"
        ),
        "{summary}"
    );

    // The second paragraph of record 101: a numeric id reported as a string, offsets into the body.
    let found = env.search_json(&["淡水"]);
    assert_eq!(found.hits.len(), 1, "{:#?}", found.hits);
    let hit = found.top();
    assert_eq!(hit.path, "news.jsonl");
    assert_eq!(hit.id, "101");
    assert_eq!(hit.title, "海水淡化项目投产");
    assert_eq!(hit.date.as_deref(), Some("2023-05-01"));
    assert_eq!(hit.line, Some(1));
    assert_eq!(hit.passage, 1);
    assert_eq!(hit.text, "日产淡水十万吨，供应周边工业园区。");
    assert_eq!((hit.start, hit.end), (20, 37));
    assert_eq!(hit.highlighted(), ["淡水"]);
    // The raw JSON line has the id as a number; the output has it as a string.
    let out = env.search(&["--json", "淡水"]);
    assert!(out.stdout.contains(r#""id":"101""#), "{out:#?}");

    // The third paragraph: offsets count characters of the decoded body (the JSON escapes \n and \" are one
    // character each, 𨨏 is one character).
    let found = env.search_json(&["二期"]);
    let hit = found.top();
    assert_eq!((hit.id.as_str(), hit.passage), ("101", 2));
    assert_eq!(hit.text, "王𨨏说：\"二期\"明年开工。");
    assert_eq!((hit.start, hit.end), (39, 52));

    // All passages of a record have its title, id, line and date; ordinals 0, 1, 2.
    let found = env.search_json(&["\"海水淡化\"", "OR", "淡水", "OR", "开工"]);
    let mut ordinals: Vec<u32> = found
        .hits
        .iter()
        .filter(|h| h.id == "101")
        .map(|h| h.passage)
        .collect();
    ordinals.sort_unstable();
    assert_eq!(ordinals, [0, 1, 2], "{:#?}", found.hits);
    for h in found.hits.iter().filter(|h| h.id == "101") {
        assert_eq!(h.title, "海水淡化项目投产");
        assert_eq!(h.line, Some(1));
        assert_eq!(h.date.as_deref(), Some("2023-05-01"));
    }

    // A string id, after a blank line: line 3.
    let found = assert_finds_exactly(&env, &["储能"], &["news.jsonl"]);
    let hit = found.top();
    assert_eq!(hit.id, "b-2");
    assert_eq!(hit.line, Some(3));
    assert_eq!(hit.date.as_deref(), Some("2023-06-02"));
    assert_eq!((hit.passage, hit.start), (0, 0));
    assert_eq!(hit.title, "储能电池");

    // No id: `<file stem>:<line>`; no date.
    let found = assert_finds_exactly(&env, &["编号"], &["news.jsonl"]);
    let hit = found.top();
    assert_eq!(hit.id, "news:4");
    assert_eq!(hit.line, Some(4));
    assert_eq!(hit.date, None);
    assert_eq!(hit.title, "无编号");

    // Other fields are not indexed.
    assert_no_hits(&env, &["张三"]);
    assert_no_hits(&env, &["能源"]);

    // Text files keep their path as id and have no line or date (checked for every hit by check_hits).
    let found = assert_finds_exactly(&env, &["天气"], &["tianqi.txt"]);
    assert_eq!(found.top().id, "tianqi.txt");
    let out = env.search(&["--json", "天气"]);
    assert!(
        !out.stdout.contains("\"line\"") && !out.stdout.contains("\"date\""),
        "{out:#?}"
    );
}

#[test]
fn jsonl_bom_and_crlf() {
    let env = TestEnv::indexed(&[(
        "crlf.jsonl",
        "\u{feff}{\"id\": \"x\", \"body\": \"第一条讲储能。\"}\r\n{\"id\": \"y\", \"body\": \"第二条讲天气。\"}\r\n",
    )]);
    let found = assert_finds_exactly(&env, &["储能"], &["crlf.jsonl"]);
    assert_eq!(
        (found.top().id.as_str(), found.top().line, found.top().start),
        ("x", Some(1), 0)
    );
    let found = assert_finds_exactly(&env, &["天气"], &["crlf.jsonl"]);
    assert_eq!((found.top().id.as_str(), found.top().line), ("y", Some(2)));
    assert_eq!(found.top().text, "第二条讲天气。");
}

#[test]
fn malformed_jsonl_lines_are_reported_and_skipped() {
    let env = TestEnv::new(&[("tianqi.txt", hay::TIANQI)]);
    env.write("bad.jsonl", hay::malformed_jsonl());
    let out = env.try_index(&[]);
    // A malformed line is not a failed file: the index is built.
    let stdout = out.assert_ok();
    assert!(
        stdout.starts_with(
            "indexed 2 files (2 new, 0 changed, 0 removed, 0 unchanged): 3 passages written, 3 in the index"
        ),
        "{out:#?}"
    );
    let path = std::fs::canonicalize(env.corpus())
        .unwrap()
        .join("bad.jsonl")
        .display()
        .to_string();
    let warnings: Vec<&str> = out.stderr.lines().collect();
    assert_eq!(
        warnings.len(),
        hay::MALFORMED_BAD_LINES.len(),
        "one warning per bad line (none for the blank line 7): {out:#?}"
    );
    for (w, n) in warnings.iter().zip(hay::MALFORMED_BAD_LINES) {
        assert!(w.starts_with("sou: "), "{w}");
        assert!(w.contains(&format!("{path}:{n}: ")), "{w} (line {n})");
    }
    // The good records of the same file are indexed and searchable.
    let found = assert_finds_exactly(&env, &["海水淡化"], &["bad.jsonl"]);
    assert_eq!(
        (found.top().id.as_str(), found.top().line),
        ("ok1", Some(1))
    );
    let found = assert_finds_exactly(&env, &["储能电池"], &["bad.jsonl"]);
    assert_eq!(
        (found.top().id.as_str(), found.top().line),
        ("ok3", Some(8))
    );
    assert_finds_exactly(&env, &["天气"], &["tianqi.txt"]);
    // Nothing of the bad lines is.
    for query in ["数组", "无正文", "12345", "字节串"] {
        assert_no_hits(&env, &[query]);
    }
}

#[test]
fn more_than_twenty_malformed_lines_are_summarised() {
    let mut text = String::new();
    for i in 0..25 {
        text.push_str(&format!("not json {i}\n"));
    }
    text.push_str("{\"id\": \"good\", \"body\": \"唯一的好记录。\"}\n");
    let env = TestEnv::new(&[("many-bad.jsonl", &text)]);
    let out = env.try_index(&[]);
    out.assert_ok();
    let lines: Vec<&str> = out.stderr.lines().collect();
    assert_eq!(lines.len(), 21, "{out:#?}");
    assert!(lines[19].contains("many-bad.jsonl:20: "), "{}", lines[19]);
    assert!(lines[20].contains("5 more"), "{}", lines[20]);
    let found = assert_finds_exactly(&env, &["好记录"], &["many-bad.jsonl"]);
    assert_eq!(found.top().line, Some(26));
}

#[test]
fn jsonl_field_options_are_remembered() {
    let record = |id: &str, title: &str, body: &str| {
        serde_json::json!({
            "docid": id, "headline": title, "content": body, "published": "2024-01-02",
            "id": "wrong", "title": "旧式栏目", "body": "默认字段不该被读取",
        })
        .to_string()
    };
    let env = TestEnv::new(&[("a.jsonl", &record("x1", "标题甲", "正文讲海水淡化。"))]);
    env.set_body_field("content");
    let out = env.try_index(&[
        "--body-field",
        "content",
        "--title-field",
        "headline",
        "--id-field",
        "docid",
        "--date-field",
        "published",
    ]);
    out.assert_ok();
    let found = assert_finds_exactly(&env, &["海水淡化"], &["a.jsonl"]);
    let hit = found.top();
    assert_eq!(hit.id, "x1");
    assert_eq!(hit.title, "标题甲");
    assert_eq!(hit.date.as_deref(), Some("2024-01-02"));
    assert_eq!(hit.text, "正文讲海水淡化。");
    assert_no_hits(&env, &["默认字段"]);
    assert_no_hits(&env, &["旧式栏目"]);

    // The file changes; a plain `sou index` reads it with the same field names.
    env.write("a.jsonl", record("x2", "标题乙", "正文改讲储能电池。"));
    let summary = env.index();
    assert!(
        summary.contains("(0 new, 1 changed, 0 removed, 0 unchanged): 1 passages written"),
        "{summary}"
    );
    let found = assert_finds_exactly(&env, &["储能电池"], &["a.jsonl"]);
    assert_eq!(
        (found.top().id.as_str(), found.top().title.as_str()),
        ("x2", "标题乙")
    );
    assert_no_hits(&env, &["海水淡化"]);
    assert_no_hits(&env, &["默认字段"]);

    // Naming another body field re-reads the archive even though it did not change; the other names stay.
    env.set_body_field("body");
    let out = env.try_index(&["--body-field", "body"]);
    assert!(out.assert_ok().contains("(0 new, 1 changed,"), "{out:#?}");
    let found = assert_finds_exactly(&env, &["默认字段"], &["a.jsonl"]);
    assert_eq!(
        (found.top().id.as_str(), found.top().title.as_str()),
        ("x2", "标题乙")
    );
    assert_no_hits(&env, &["储能电池"]);
}

#[test]
fn title_matches_count_but_rank_below_body_matches() {
    let env = TestEnv::indexed(&[("t.jsonl", hay::TITLES_JSONL)]);
    let found = env.search_json(&["海水淡化"]);
    assert_eq!(ids(&found), ["t2", "t1"], "{:#?}", found.hits);
    assert!(found.hits[0].score > found.hits[1].score);
    assert_eq!(found.hits[1].title, "海水淡化新进展");
    assert!(!found.hits[1].text.contains("海水淡化"));
    // A word of the title only finds its record.
    let found = env.search_json(&["新进展"]);
    assert_eq!(ids(&found), ["t1"]);
}

#[test]
fn jsonl_incremental_update() {
    let lines = |middle: &str| {
        format!(
            "{}\n{}\n{}\n",
            r#"{"id": "a", "body": "第一条讲农业。"}"#,
            middle,
            r#"{"id": "c", "body": "第三条讲银行。"}"#
        )
    };
    let env = TestEnv::new(&[
        (
            "arch.jsonl",
            &lines(r#"{"id": "b", "body": "第二条讲天气。"}"#),
        ),
        ("other.txt", hay::LIPING),
    ]);
    let first = env.index();
    assert!(
        first.contains(
            "(2 new, 0 changed, 0 removed, 0 unchanged): 4 passages written, 4 in the index"
        ),
        "{first}"
    );
    // One line changes: the file is re-indexed.
    env.write(
        "arch.jsonl",
        lines(r#"{"id": "b", "body": "第二条改讲海水淡化了。"}"#),
    );
    let changed = env.index();
    assert!(
        changed.contains(
            "(0 new, 1 changed, 0 removed, 1 unchanged): 3 passages written, 4 in the index"
        ),
        "{changed}"
    );
    let found = assert_finds_exactly(&env, &["海水淡化"], &["arch.jsonl"]);
    assert_eq!((found.top().id.as_str(), found.top().line), ("b", Some(2)));
    assert_no_hits(&env, &["天气"]);
    // The other records of the file are still there, once each.
    let found = assert_finds_exactly(&env, &["农业"], &["arch.jsonl"]);
    assert_eq!(ids(&found), ["a"]);
    // Removed: all its records go.
    env.remove("arch.jsonl");
    let removed = env.index();
    assert!(
        removed.contains(
            "(0 new, 0 changed, 1 removed, 1 unchanged): 0 passages written, 1 in the index"
        ),
        "{removed}"
    );
    for query in ["农业", "海水淡化", "银行"] {
        assert_no_hits(&env, &[query]);
    }
    assert_finds_exactly(&env, &["中等技术"], &["other.txt"]);
}

#[test]
fn index_json_summary_with_archives() {
    let env = TestEnv::new(&[
        ("news.jsonl", hay::NEWS_JSONL),
        ("multi.jsonl", hay::MULTI_JSONL),
        ("tianqi.txt", hay::TIANQI),
    ]);
    env.write("bad.jsonl", hay::malformed_jsonl());
    let (d, out) = env.index_json(&[]);
    assert_eq!(d["files"], 4);
    assert_eq!(d["added"], 4);
    assert_eq!(d["failed"], 0);
    // news: 3 + 1 + 1; multi: 3 + 2 + 1; bad: 2; tianqi: 1.
    assert_eq!(d["passages_written"], 14);
    assert_eq!(d["passages_total"], 14);
    // The malformed lines are reported on stderr, not in the JSON.
    assert_eq!(out.stderr.lines().count(), 5, "{out:#?}");
    // One archive changes (one record fewer).
    let short: String = hay::MULTI_JSONL
        .lines()
        .take(2)
        .map(|l| format!("{l}\n"))
        .collect();
    env.write("multi.jsonl", short);
    let (d, _) = env.index_json(&[]);
    assert_eq!(d["changed"], 1);
    assert_eq!(d["unchanged"], 3);
    assert_eq!(d["passages_written"], 5);
    assert_eq!(d["passages_total"], 13);
}

// ---------------------------------------------------------------------------------------------------------
// 21. Batch queries: `sou search --queries FILE` (or `-` for stdin).

#[test]
fn batch_queries_from_a_file() {
    let env = appendix_a();
    let queries = env.root().join("queries.txt");
    std::fs::write(
        &queries,
        "农业\n\n天气\n{\"qid\": \"a\", \"query\": \"不存在的词语\"}\n{\"qid\": 42, \"query\": \"银行\"}\n  \n{\"query\": \"\\\"进了中等\\\"\"}\n",
    )
    .unwrap();
    let file = queries.display().to_string();
    let (results, out) = env.search_batch_json(&file, None, &[]);
    assert_eq!(out.code, Some(0), "{out:#?}");
    assert_eq!(out.stderr, "");
    let got: Vec<(&str, &str)> = results
        .iter()
        .map(|r| (r.qid.as_str(), r.summary.query.as_str()))
        .collect();
    // File order; plain lines get their line number; a numeric qid becomes a string; a JSON line without
    // a qid gets its line number; blank lines are skipped.
    assert_eq!(
        got,
        [
            ("1", "农业"),
            ("3", "天气"),
            ("a", "不存在的词语"),
            ("42", "银行"),
            ("7", "\"进了中等\""),
        ]
    );
    assert_eq!(results[0].paths(), ["nongye.txt"]);
    assert_eq!(results[1].paths(), ["tianqi.txt"]);
    assert!(results[2].hits.is_empty());
    assert_eq!(results[2].summary.total_hits, 0);
    let mut banks = results[3].paths();
    banks.sort_unstable();
    assert_eq!(banks, ["nongye.txt", "trad.txt"]);
    assert_eq!(results[4].paths(), ["liping.txt"]);
    // The same with options: -n applies to every query.
    let (results, out) = env.search_batch_json(&file, None, &["-n", "1"]);
    assert_eq!(out.code, Some(0));
    assert_eq!(results[3].hits.len(), 1);
    assert_eq!(results[3].summary.total_hits, 2);
}

#[test]
fn batch_queries_from_stdin_with_bad_lines() {
    let env = appendix_a();
    // Line 2 is malformed JSON, line 3 has nothing to search for, line 5 has no query: reported, skipped,
    // the others run, and the status is 2.
    let input = "不存在的词语\n{\"qid\": bad\n，。！\n天气\n{\"qid\": \"x\"}\n{\"qid\": \"last\", \"query\": \"农业\"}\n";
    let (results, out) = env.search_batch_json("-", Some(input), &[]);
    assert_eq!(out.code, Some(2), "{out:#?}");
    let got: Vec<(&str, Vec<&str>)> = results
        .iter()
        .map(|r| (r.qid.as_str(), r.paths()))
        .collect();
    assert_eq!(
        got,
        [
            ("1", vec![]),
            ("4", vec!["tianqi.txt"]),
            ("last", vec!["nongye.txt"])
        ]
    );
    let errors: Vec<&str> = out.stderr.lines().collect();
    assert_eq!(errors.len(), 3, "{out:#?}");
    assert!(errors.iter().all(|e| e.starts_with("sou: ")), "{out:#?}");
    assert!(errors[0].contains(":2:"), "{}", errors[0]);
    assert!(
        errors[1].contains('3') && errors[1].contains("nothing to search for"),
        "{}",
        errors[1]
    );
    assert!(errors[2].contains(":5:"), "{}", errors[2]);
}

#[test]
fn a_batch_answers_every_query_it_can_and_reports_each_bad_one_in_place() {
    let env = appendix_a();
    // 1,000 queries, five of them bad: an empty query, one that only excludes, a malformed JSON line (its qid
    // is its line number), a JSON line without a query (its qid is the JSON's), a line that is not UTF-8.
    let bad: [(usize, &[u8], &str, &str); 5] = [
        (
            300,
            br#"{"qid": "empty", "query": ""}"#,
            "empty",
            "nothing to search for",
        ),
        (500, "-农业".as_bytes(), "500", "only excludes"),
        (
            600,
            r#"{"qid": "lost", "query": "天气""#.as_bytes(),
            "600",
            ":600: malformed JSON",
        ),
        (
            700,
            br#"{"qid": "noquery"}"#,
            "noquery",
            ":700: no \"query\"",
        ),
        (800, b"\xff\xfe\xb0\xa1", "800", ":800: not UTF-8"),
    ];
    let good = ["农业", "天气", "不存在的词语", "银行"];
    let mut file = Vec::new();
    for n in 1..=1000 {
        match bad.iter().find(|b| b.0 == n) {
            Some(b) => file.extend_from_slice(b.1),
            None => file.extend_from_slice(good[n % good.len()].as_bytes()),
        }
        file.push(b'\n');
    }
    let path = env.root().join("queries.txt");
    std::fs::write(&path, &file).unwrap();
    let path = path.display().to_string();

    let (results, out) = env.search_batch_json(&path, None, &["-n", "1"]);
    assert_eq!(out.code, Some(2), "{}", out.stderr);
    assert_eq!(results.len(), 995);
    // Every line of output in query order: each good query's summary, each bad one's error line in its place.
    let stream: Vec<(String, String)> = out
        .stdout
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|v| v["type"] != "hit")
        .map(|v| {
            let qid = v["data"]["qid"].as_str().unwrap().to_string();
            (v["type"].as_str().unwrap().to_string(), qid)
        })
        .collect();
    let want: Vec<(String, String)> = (1..=1000)
        .map(|n| match bad.iter().find(|b| b.0 == n) {
            Some(b) => ("error".to_string(), b.2.to_string()),
            None => ("summary".to_string(), n.to_string()),
        })
        .collect();
    assert_eq!(stream, want);
    for r in &results {
        let n: usize = r.qid.parse().unwrap();
        assert_eq!(r.summary.query, good[n % good.len()]);
    }
    assert_eq!(results[0].paths(), ["tianqi.txt"]);
    // On stderr, one line per bad query, with its qid, and the message of its error line.
    let stderr: Vec<&str> = out.stderr.lines().collect();
    let errors = util::batch_errors(&out);
    assert_eq!(stderr.len(), 5, "{}", out.stderr);
    for ((line, (qid, message)), b) in stderr.iter().zip(&errors).zip(&bad) {
        assert_eq!(qid, b.2);
        assert_eq!(*line, format!("sou: query {qid}: {message}"));
        assert!(message.contains(b.3), "{line}");
    }
    // The same for a person: every good query answered under its header, the bad ones on stderr, status 2.
    let out = env.search(&["--queries", &path, "-n", "1"]);
    assert_eq!(out.code, Some(2), "{}", out.stderr);
    assert_eq!(
        out.stdout.lines().filter(|l| l.starts_with("# ")).count(),
        995
    );
    assert_eq!(out.stderr.lines().collect::<Vec<_>>(), stderr);
}

#[test]
fn batch_exit_status() {
    let env = appendix_a();
    // No query has hits: 1.
    let (results, out) = env.search_batch_json("-", Some("不存在的词语\n另一个不存在的词\n"), &[]);
    assert_eq!(out.code, Some(1), "{out:#?}");
    assert_eq!(results.len(), 2);
    assert!(results.iter().all(|r| r.hits.is_empty()));
    // One has: 0.
    let (results, out) = env.search_batch_json("-", Some("不存在的词语\n天气\n"), &[]);
    assert_eq!(out.code, Some(0), "{out:#?}");
    assert_eq!(results[1].paths(), ["tianqi.txt"]);
    // An unreadable queries file is an error naming it.
    let missing = env.root().join("no-such-queries.txt").display().to_string();
    env.search(&["--queries", &missing])
        .assert_error(&["no-such-queries.txt"]);
    // A query and --queries together: a usage error.
    let out = env.search(&["--queries", &missing, "天气"]);
    assert_eq!(out.code, Some(2), "{out:#?}");
    assert!(out.stdout.is_empty());
}

#[test]
fn batch_human_output_has_a_header_per_query() {
    let env = appendix_a();
    let queries = env.root().join("q.txt");
    std::fs::write(
        &queries,
        "农业\n{\"qid\": \"b\", \"query\": \"不存在的词语\"}\n天气\n",
    )
    .unwrap();
    let out = env.search(&["--queries", &queries.display().to_string()]);
    let stdout = out.assert_ok();
    let lines: Vec<&str> = stdout.lines().collect();
    let headers: Vec<&str> = lines
        .iter()
        .copied()
        .filter(|l| l.starts_with("# "))
        .collect();
    assert_eq!(
        headers,
        ["# 1: 农业", "# b: 不存在的词语", "# 3: 天气"],
        "{stdout}"
    );
    assert_eq!(lines[0], "# 1: 农业");
    assert!(lines[1].starts_with(" 1. nongye.txt#0  "), "{stdout}");
    let b = lines
        .iter()
        .position(|l| *l == "# b: 不存在的词语")
        .unwrap();
    assert!(
        lines[b - 1].starts_with("1 of 1 matching passages"),
        "{stdout}"
    );
    assert!(
        lines[b + 1].starts_with("0 of 0 matching passages"),
        "{stdout}"
    );
    assert!(lines[b + 3].starts_with(" 1. tianqi.txt#0  "), "{stdout}");
}

// ---------------------------------------------------------------------------------------------------------
// 22. --per-article N.

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
    let all = env.search_json(&["储能", "-n", "50"]);
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
    let all = env.search_json(&["储能", "-n", "60"]);
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

// ---------------------------------------------------------------------------------------------------------
// 23. --plain: quotes, -, + and OR are ordinary text.

#[test]
fn plain_queries_have_no_operators() {
    let env = TestEnv::indexed(&[
        ("xiaopeng.txt", "小鹏汽车在肇庆建设工厂。"),
        ("zhuanjia.txt", "专家认为新质生产力推动高质量发展。"),
        ("jiandan.txt", hay::JIANDAN),
        ("peizhi.txt", hay::PEIZHI),
        ("or.txt", "要么OR要么不。"),
        ("tianqi.txt", hay::TIANQI),
    ]);
    // -肇庆 excludes the only passage; with --plain it is a term (and highlighted).
    assert_no_hits(&env, &["小鹏 -肇庆"]);
    let found = assert_finds_exactly(&env, &["--plain", "小鹏 -肇庆"], &["xiaopeng.txt"]);
    assert_eq!(found.top().highlighted(), ["小鹏", "肇庆"]);
    assert_eq!(found.summary.query, "小鹏 -肇庆");
    // A pasted headline with a quoted part that does not occur literally.
    let headline = "专家谈\"新质生产力发展\"";
    assert_no_hits(&env, &[headline]);
    let found = env.search_json(&["--plain", headline]);
    assert_eq!(found.top().path, "zhuanjia.txt", "{:#?}", found.hits);
    // + does not make a term required.
    assert_finds_exactly(&env, &["+简单 配置"], &["jiandan.txt"]);
    assert_finds_exactly(
        &env,
        &["--plain", "+简单 配置"],
        &["jiandan.txt", "peizhi.txt"],
    );
    // OR is the word "or".
    assert_finds_exactly(&env, &["天气 OR 肇庆"], &["tianqi.txt", "xiaopeng.txt"]);
    let found = assert_finds_exactly(
        &env,
        &["--plain", "天气 OR 肇庆"],
        &["or.txt", "tianqi.txt", "xiaopeng.txt"],
    );
    let or = found.hits.iter().find(|h| h.path == "or.txt").unwrap();
    assert_eq!(or.highlighted(), ["OR"]);
    // Nothing to search for is still an error.
    env.search(&["--plain", "\"-+\""])
        .assert_error(&["nothing to search for"]);
}

// ---------------------------------------------------------------------------------------------------------
// 24. Unquoted literal recall for digits (Latin: `app` in section 5): a number inside a longer one is
//     found as a literal string, ranked below the standalone number.

#[test]
fn digits_inside_a_longer_number_are_found_below_the_number_itself() {
    let env = TestEnv::indexed(&[
        ("year.txt", "预计到2031年完成建设。"),
        ("n31.txt", "全市共有31家企业入选。"),
        ("tianqi.txt", hay::TIANQI),
    ]);
    let found = env.search_json(&["31"]);
    assert_eq!(found.paths(), ["n31.txt", "year.txt"], "{:#?}", found.hits);
    assert!(found.hits[0].score > found.hits[1].score);
    assert_eq!(found.hits[0].highlighted(), ["31"]);
    assert_eq!(found.hits[1].highlighted(), ["31"]);
    assert_eq!(found.hits[1].highlights, [[5, 7]]);
    // The whole number finds only its passage.
    assert_finds_exactly(&env, &["2031"], &["year.txt"]);
    assert_no_hits(&env, &["20310"]);
}

// ---------------------------------------------------------------------------------------------------------
// 25. User dictionary: `sou index --dict FILE`.

#[test]
fn analyze_with_a_user_dictionary() {
    let env = TestEnv::new(&[]);
    let dict = env.root().join("dict.txt");
    std::fs::write(&dict, "# 公司名\n鹏锋诚 10 nz\n\n").unwrap();
    let dict = dict.display().to_string();
    let out = env.run(["analyze", "--dict", &dict, "和鹏锋诚"]);
    let words = line_starting(&out, "words: ");
    assert!(
        !words.split(' ').any(|w| w.starts_with("鹏锋诚@")),
        "{words}"
    );
    let user = line_starting(&out, "words with the user dictionary: ");
    let toks: Vec<&str> = user
        .strip_prefix("words with the user dictionary: ")
        .unwrap()
        .split(' ')
        .collect();
    assert!(toks.contains(&"鹏锋诚@1"), "{user}");
    assert!(toks.contains(&"和@0"), "{user}");
    // Without --dict, no such line.
    let out = env.run(["analyze", "和鹏锋诚"]);
    assert!(!out.assert_ok().contains("user dictionary"), "{out:#?}");
}

#[test]
fn user_dictionary_lifecycle() {
    let env = TestEnv::new(&[
        ("a.txt", "青岛鹏锋诚科技有限公司和鹏锋诚的员工。"),
        ("b.txt", "今天天气不错，适合出门。"),
    ]);
    let dict_path = env.root().join("dict.txt");
    std::fs::write(&dict_path, "# 公司名\n鹏锋诚 10 nz\n").unwrap();
    let dict = dict_path.display().to_string();
    let out = env.try_index(&["--dict", &dict]);
    assert!(
        out.assert_ok()
            .contains("(2 new, 0 changed, 0 removed, 0 unchanged)"),
        "{out:#?}"
    );
    assert_eq!(out.stderr, "");
    // Found as before, by the word and by strings across its boundaries.
    let found = assert_finds_exactly(&env, &["鹏锋诚"], &["a.txt"]);
    assert_eq!(found.top().highlighted(), ["鹏锋诚", "鹏锋诚"]);
    assert_finds_exactly(&env, &["和鹏"], &["a.txt"]);
    assert_finds_exactly(&env, &["天气"], &["b.txt"]);
    let out = env.search(&["鹏锋诚"]);
    assert_eq!(out.stderr, "");

    // The dictionary file changes: search warns.
    std::fs::write(&dict_path, "# 公司名\n鹏锋诚 10 nz\n天气不错 5\n").unwrap();
    let out = env.search(&["鹏锋诚"]);
    out.assert_ok();
    assert!(
        out.stderr.starts_with("sou: warning: ")
            && out.stderr.contains("user dictionary")
            && out.stderr.contains("changed"),
        "{out:#?}"
    );
    // `sou index` re-segments only the file with the new word.
    let out = env.try_index(&[]);
    let summary = out.assert_ok();
    assert!(
        summary.contains("(0 new, 1 changed, 0 removed, 1 unchanged): 1 passages written"),
        "{out:#?}"
    );
    assert!(out.stderr.contains("re-segment"), "{out:#?}");
    assert!(out.stderr.contains(" 1 files"), "{out:#?}");
    let out = env.search(&["天气"]);
    out.assert_ok();
    assert_eq!(out.stderr, "", "no warning once re-indexed");
    assert_finds_exactly(&env, &["天气"], &["b.txt"]);
    assert_finds_exactly(&env, &["鹏锋诚"], &["a.txt"]);
    // Nothing changed: nothing to do.
    let out = env.try_index(&[]);
    assert!(
        out.assert_ok()
            .contains("(0 new, 0 changed, 0 removed, 2 unchanged)"),
        "{out:#?}"
    );
    assert_eq!(out.stderr, "");

    // --no-dict drops it: the files with its words are re-segmented, its copy goes, and edits to the file no
    // longer matter.
    let out = env.try_index(&["--no-dict"]);
    assert!(
        out.assert_ok()
            .contains("(0 new, 2 changed, 0 removed, 0 unchanged)"),
        "{out:#?}"
    );
    assert!(!env.index_dir().join("user-dict.txt").exists());
    let manifest: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(env.index_dir().join("sou-manifest.json")).unwrap(),
    )
    .unwrap();
    assert!(manifest["dict"].is_null(), "{manifest}");
    std::fs::write(&dict_path, "青岛鹏锋诚 8\n").unwrap();
    let out = env.search(&["鹏锋诚"]);
    out.assert_ok();
    assert_eq!(out.stderr, "");
    let out = env.try_index(&[]);
    assert!(
        out.assert_ok()
            .contains("(0 new, 0 changed, 0 removed, 2 unchanged)"),
        "{out:#?}"
    );
    assert_finds_exactly(&env, &["鹏锋诚"], &["a.txt"]);
}

#[test]
fn bad_user_dictionaries_are_errors() {
    let env = TestEnv::indexed(&[("a.txt", "青岛鹏锋诚科技有限公司。")]);
    let bad = env.root().join("bad-dict.txt");
    std::fs::write(&bad, "# 注释\n鹏锋诚 10\n词 abc\n").unwrap();
    let out = env.try_index(&["--dict", &bad.display().to_string()]);
    out.assert_error(&["line 3", "abc"]);
    // The index is left as it was.
    assert_finds_exactly(&env, &["鹏锋诚"], &["a.txt"]);
    let manifest = std::fs::read_to_string(env.index_dir().join("sou-manifest.json")).unwrap();
    assert!(manifest.contains("\"dict\": null"), "{manifest}");
    // A missing file: the error names it.
    let missing = env.root().join("no-such-dict.txt");
    let out = env.try_index(&["--dict", &missing.display().to_string()]);
    out.assert_error(&["no-such-dict.txt"]);
    // `sou analyze` says the same.
    let out = env.run(["analyze", "--dict", &bad.display().to_string(), "词"]);
    out.assert_error(&["line 3", "abc"]);
    let out = env.run(["analyze", "--dict", &missing.display().to_string(), "词"]);
    out.assert_error(&["no-such-dict.txt"]);
}

#[test]
fn missing_recorded_dictionary_keeps_the_index_copy() {
    let env = TestEnv::new(&[("a.txt", "青岛鹏锋诚科技有限公司。")]);
    let dict_path = env.root().join("dict.txt");
    std::fs::write(&dict_path, "鹏锋诚 10\n").unwrap();
    env.try_index(&["--dict", &dict_path.display().to_string()])
        .assert_ok();
    std::fs::remove_file(&dict_path).unwrap();
    let out = env.try_index(&[]);
    assert!(
        out.assert_ok()
            .contains("(0 new, 0 changed, 0 removed, 1 unchanged)"),
        "{out:#?}"
    );
    assert!(
        out.stderr.starts_with("sou: warning: ")
            && out.stderr.contains("dict.txt")
            && out.stderr.contains("copy"),
        "{out:#?}"
    );
    assert!(env.index_dir().join("user-dict.txt").is_file());
    assert_finds_exactly(&env, &["鹏锋诚"], &["a.txt"]);
}

#[test]
fn rebuild_keeps_the_user_dictionary() {
    let env = TestEnv::new(&[("a.txt", "青岛鹏锋诚科技有限公司。")]);
    let dict_path = env.root().join("dict.txt");
    std::fs::write(&dict_path, "鹏锋诚 10\n").unwrap();
    env.try_index(&["--dict", &dict_path.display().to_string()])
        .assert_ok();
    let out = env.try_index(&["--rebuild"]);
    assert!(
        out.assert_ok()
            .contains("(1 new, 0 changed, 0 removed, 0 unchanged)"),
        "{out:#?}"
    );
    assert!(env.index_dir().join("user-dict.txt").is_file());
    let manifest: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(env.index_dir().join("sou-manifest.json")).unwrap(),
    )
    .unwrap();
    assert!(!manifest["dict"].is_null(), "{manifest}");
    // Still in use: editing it makes search warn.
    std::fs::write(&dict_path, "鹏锋诚 10\n科技有限公司 5\n").unwrap();
    let out = env.search(&["鹏锋诚"]);
    out.assert_ok();
    assert!(out.stderr.contains("user dictionary"), "{out:#?}");
}

#[test]
fn a_record_id_standing_in_for_a_title_is_shown_but_not_searched() {
    let env = TestEnv::indexed(&[
        (
            "news.jsonl",
            concat!(
                r#"{"id": "cctv-2016-0101", "body": "今年的粮食产量再创新高。"}"#,
                "\n",
                r#"{"id": "cctv-2017-0101", "title": "2016年粮食产量", "body": "去年的粮食产量再创新高。"}"#,
                "\n",
            ),
        ),
        ("2016年报告.txt", "全年粮食产量稳定增长。"),
    ]);
    // 2016 is in the first record's id only: its title (the id) is shown, not searched. The second record's
    // title and the text file's name are real titles.
    let found = assert_finds_exactly(&env, &["2016"], &["2016年报告.txt", "news.jsonl"]);
    assert_eq!(found.hits.len(), 2, "{:#?}", found.hits);
    assert!(found.hits.iter().all(|h| h.id != "cctv-2016-0101"));
    let found = env.search_json(&["今年"]);
    assert_eq!(found.top().id, "cctv-2016-0101");
    assert_eq!(found.top().title, "cctv-2016-0101");
}

#[test]
fn dictionary_change_resegments_files_with_the_word_in_a_title() {
    let env = TestEnv::new(&[
        (
            "title.jsonl",
            r#"{"id": "r", "title": "和鹏锋诚新闻", "body": "今年的营收增长。"}"#,
        ),
        ("body.txt", "青岛鹏锋诚科技有限公司。"),
        ("tianqi.txt", hay::TIANQI),
    ]);
    env.index();
    let dict_path = env.root().join("dict.txt");
    std::fs::write(&dict_path, "鹏锋诚 10\n").unwrap();
    let out = env.try_index(&["--dict", &dict_path.display().to_string()]);
    // Both files contain the word (one in its indexed title): both are re-segmented.
    assert!(
        out.assert_ok()
            .contains("(0 new, 2 changed, 0 removed, 1 unchanged)"),
        "{out:#?}"
    );
    assert!(out.stderr.contains(" 2 files"), "{out:#?}");
}

#[test]
fn io_errors_name_the_cause_once() {
    let env = appendix_a();
    let missing = env.root().join("no-such-dict.txt");
    let out = env.try_index(&["--dict", &missing.display().to_string()]);
    let msg = out.assert_error(&["no-such-dict.txt"]);
    assert_eq!(msg.matches("os error 2").count(), 1, "{msg}");
}

#[test]
fn batch_queries_file_with_a_bom() {
    let env = appendix_a();
    let queries = env.root().join("bom-queries.txt");
    std::fs::write(
        &queries,
        "\u{feff}{\"qid\": \"a\", \"query\": \"农业\"}\r\n天气\r\n",
    )
    .unwrap();
    let (results, out) = env.search_batch_json(&queries.display().to_string(), None, &[]);
    assert_eq!(out.code, Some(0), "{out:#?}");
    let got: Vec<(&str, &str, Vec<&str>)> = results
        .iter()
        .map(|r| (r.qid.as_str(), r.summary.query.as_str(), r.paths()))
        .collect();
    assert_eq!(
        got,
        [
            ("a", "农业", vec!["nongye.txt"]),
            ("2", "天气", vec!["tianqi.txt"])
        ]
    );
}

// ---------------------------------------------------------------------------------------------------------
// Helpers' own invariants.

#[test]
fn char_slice_counts_characters() {
    assert_eq!(char_slice("王𨨏在", 1, 2), "𨨏");
    assert_eq!(char_slice("abc", 1, 10), "bc");
}

// ---------------------------------------------------------------------------------------------------------
// 26. Interrupted and concurrent indexing (issue 5): the previous index stays whole and searchable.

/// A second corpus, big enough that a debug build takes a few seconds to index it.
fn big_corpus(env: &TestEnv) -> std::path::PathBuf {
    let dir = env.root().join("big");
    std::fs::create_dir_all(&dir).unwrap();
    let sentence = "青岛市工业技术研究院持续完善创新生态链条，构建优质企业梯度培育体系。";
    for i in 0..600 {
        let text: String = (0..40)
            .map(|k| format!("第{i}篇第{k}句：{sentence}\n\n"))
            .collect();
        std::fs::write(dir.join(format!("big-{i:04}.txt")), text).unwrap();
    }
    dir
}

/// Starts `sou index --rebuild` of `corpus` into the environment's index, in the background.
fn spawn_rebuild(env: &TestEnv, corpus: &std::path::Path) -> std::process::Child {
    env.command(
        [
            "index",
            "--rebuild",
            "--corpus",
            &corpus.display().to_string(),
            "--index",
            &env.index_dir().display().to_string(),
        ],
        &[],
    )
    .stdout(std::process::Stdio::null())
    .stderr(std::process::Stdio::null())
    .spawn()
    .unwrap()
}

#[test]
fn killed_rebuild_leaves_the_previous_index_searchable() {
    let env = TestEnv::new(hay::APPENDIX_A);
    env.index();
    let before = env.search_json(&["银行"]);
    assert_eq!(before.hits.len(), 2);
    let big = big_corpus(&env);
    // How long a whole build of the big corpus takes here (debug or release build, busy or idle machine):
    // the kills come at fixed shares of it.
    let started = std::time::Instant::now();
    env.run([
        "index",
        "--corpus",
        &big.display().to_string(),
        "--index",
        &env.root().join("timing-index").display().to_string(),
    ])
    .assert_ok();
    let full = started.elapsed();
    // A kill before the rebuild's commit must leave the previous index as it was; after the commit (the
    // manifest is written right after it, then segments are merged) the new index must be complete.
    let mut before_commit = 0;
    for share in [0.05, 0.3, 0.6] {
        let delay_ms = (full.as_secs_f64() * share * 1000.0) as u64;
        let mut child = spawn_rebuild(&env, &big);
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        let finished = child.try_wait().unwrap().is_some();
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        assert!(
            !finished,
            "the rebuild finished within {delay_ms} ms: make the corpus bigger"
        );
        let manifest = std::fs::read_to_string(env.index_dir().join("sou-manifest.json")).unwrap();
        let committed = manifest.contains("big-0000.txt");
        eprintln!("killed at {delay_ms} ms of {full:?}: committed {committed}");
        if !committed {
            // The same answers as before the run.
            let after = env.search_json(&["银行"]);
            assert_eq!(after.hits, before.hits, "after a kill at {delay_ms} ms");
            before_commit += 1;
        } else {
            // As many passages as the completed build of the same corpus has.
            let total = |index: &std::path::Path| -> serde_json::Value {
                let out = env.run([
                    "search",
                    "--json",
                    "-n",
                    "1",
                    "--index",
                    &index.display().to_string(),
                    "--corpus",
                    &big.display().to_string(),
                    "工业技术研究院",
                ]);
                let last = out.assert_ok().lines().last().unwrap().to_string();
                serde_json::from_str::<serde_json::Value>(&last).unwrap()["data"]["total_hits"]
                    .clone()
            };
            assert_eq!(
                total(&env.index_dir()),
                total(&env.root().join("timing-index")),
                "after a kill at {delay_ms} ms, past the commit"
            );
            break;
        }
    }
    assert!(before_commit > 0, "no kill landed before the commit");
    // The next run completes the job.
    env.index();
    assert_eq!(env.search_json(&["银行"]).hits, before.hits);
}

#[test]
fn a_second_index_run_stops_with_a_clear_message() {
    let env = TestEnv::new(hay::APPENDIX_A);
    env.index();
    let big = big_corpus(&env);
    let mut child = spawn_rebuild(&env, &big);
    std::thread::sleep(std::time::Duration::from_millis(300));
    let out = env.try_index(&[]);
    let running = child.try_wait().unwrap().is_none();
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(running, "the first run ended too early to test the lock");
    assert_eq!(out.code, Some(2), "{out:#?}");
    assert!(
        out.stderr.contains("another `sou index` is updating") && out.stderr.lines().count() == 1,
        "{out:#?}"
    );
    // Searching during the run saw the last committed state, and still does.
    assert_finds_exactly(&env, &["农业"], &["nongye.txt"]);
}

#[test]
fn damaged_segments_are_one_clear_error_and_rebuild_recovers() {
    let env = TestEnv::new(hay::APPENDIX_A);
    env.index();
    let before = env.search_json(&["银行"]).hits;
    let segment_files = |ext: &str| -> Vec<std::path::PathBuf> {
        std::fs::read_dir(env.index_dir())
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == ext))
            .collect()
    };
    // A truncated stored-text file.
    let store = segment_files("store");
    assert!(!store.is_empty());
    std::fs::write(&store[0], b"garbage").unwrap();
    let out = env.search(&["银行"]);
    out.assert_error(&["damaged", "corrupted", "sou index --rebuild"]);
    assert_eq!(out.stderr.lines().count(), 1, "{out:#?}");
    // A plain update refuses too (it would build on a broken index)...
    env.try_index(&[]).assert_error(&["damaged", "--rebuild"]);
    // ...and --rebuild recovers.
    env.try_index(&["--rebuild"]).assert_ok();
    assert_eq!(env.search_json(&["银行"]).hits, before);
    // A deleted postings file.
    for f in segment_files("idx") {
        std::fs::remove_file(f).unwrap();
    }
    let out = env.search(&["银行"]);
    out.assert_error(&["damaged", "missing", "sou index --rebuild"]);
    env.try_index(&["--rebuild"]).assert_ok();
    assert_eq!(env.search_json(&["银行"]).hits, before);
}

// ---------------------------------------------------------------------------------------------------------
// 27. Hostile queries through the library's query path: no panic, bounded time, an answer or a clear error.

#[test]
fn query_path_survives_hostile_input() {
    let env = TestEnv::new(hay::APPENDIX_A);
    env.index();
    let idx = sou::index::open(&env.index_dir()).unwrap();
    // Control characters and NUL, emoji (with skin tone, ZWJ and flag sequences), combining marks (also
    // alone), RTL text and direction marks, unbalanced quotes and parentheses, operators, CJK (BMP and not).
    let pieces = [
        "\"",
        "“",
        "”",
        "「",
        "-",
        "+",
        "OR",
        " ",
        "\u{0}",
        "\t",
        "\n",
        "\r",
        "\u{7}",
        "\u{1b}[31m",
        "\u{7f}",
        "\u{85}",
        "🙂",
        "👍🏽",
        "👨\u{200D}👩\u{200D}👧",
        "🇨🇳",
        "e\u{301}",
        "\u{301}",
        "\u{20DD}",
        "\u{202E}",
        "\u{200F}",
        "שלום",
        "مرحبا",
        "(",
        ")",
        "((",
        "))",
        "銀行",
        "农业",
        "今天",
        "a",
        "1.7",
        "covid-19",
        "，",
        "。",
        "𨨏",
        "\u{FEFF}",
        "\u{3000}",
        "ｘ",
        "\\",
        "*",
        "?",
        "～",
        "\u{E000}",
        "ǅ",
        "İ",
        "ß",
        "\u{FFFD}",
    ];
    // Seeded, so every run tries the same cases.
    let mut next = util::splitmix64(2026);
    // SOU_FUZZ_CASES sets the number of generated queries (each run twice: with operators and --plain);
    // the default keeps this test to seconds. BENCHMARKS.md ("Robustness") records a long run.
    let rounds: usize = std::env::var("SOU_FUZZ_CASES")
        .ok()
        .map(|v| v.parse().expect("SOU_FUZZ_CASES is a number"))
        .unwrap_or(3000);
    let started = std::time::Instant::now();
    let mut cases = 0u64;
    let mut answered = 0u64;
    let mut slowest = std::time::Duration::ZERO;
    for round in 0..rounds {
        // Mostly short queries; one in 500 has thousands of pieces (often over the length limit).
        let n = if round % 500 == 499 {
            1000 + (next() % 4000) as usize
        } else {
            (next() % 30) as usize
        };
        let query: String = (0..n)
            .map(|_| pieces[(next() % pieces.len() as u64) as usize])
            .collect();
        for plain in [false, true] {
            cases += 1;
            let req = sou::search::SearchRequest {
                query: query.clone(),
                limit: 10,
                snippet_chars: 100,
                per_article: None,
                plain,
            };
            let t = std::time::Instant::now();
            let outcome = sou::search::search(&idx, &req);
            slowest = slowest.max(t.elapsed());
            match outcome {
                Ok(results) => {
                    answered += 1;
                    for hit in &results.hits {
                        let len = hit.snippet.chars().count();
                        for &[s, e] in &hit.highlights {
                            assert!(s < e && e <= len, "{query:?}: highlight {s}..{e} of {len}");
                        }
                    }
                }
                Err(sou::Error::Query(msg)) => assert!(!msg.is_empty()),
                Err(other) => panic!("{query:?}: not a query error: {other}"),
            }
        }
    }
    // Long inputs: 1 MB queries are refused at once; hundreds to thousands of terms run or are refused,
    // quickly.
    let mixed: String = std::iter::repeat_with(|| pieces[(next() % pieces.len() as u64) as usize])
        .take(200_000)
        .collect::<String>()
        .chars()
        .take(1 << 20)
        .collect();
    for query in [
        "中".repeat(1 << 20),
        "a".repeat(1 << 20),
        mixed,
        "a ".repeat(499),
        "农业 ".repeat(333),
        "a b ".repeat(2500),
        "\"".repeat(999),
        "(".repeat(999),
    ] {
        let t = std::time::Instant::now();
        let req = sou::search::SearchRequest {
            query,
            limit: 10,
            snippet_chars: 100,
            per_article: None,
            plain: false,
        };
        match sou::search::search(&idx, &req) {
            Ok(_) | Err(sou::Error::Query(_)) => {}
            Err(other) => panic!("not a query error: {other}"),
        }
        assert!(
            t.elapsed() < std::time::Duration::from_secs(10),
            "{:?}",
            t.elapsed()
        );
    }
    eprintln!(
        "hostile queries: {cases} cases ({answered} answered, the rest refused) in {:?}, slowest {slowest:?}",
        started.elapsed()
    );
    assert!(
        slowest < std::time::Duration::from_secs(10),
        "a query took {slowest:?}"
    );
    assert!(
        answered > cases / 4,
        "too few queries ran: {answered} of {cases}"
    );
}

// ---------------------------------------------------------------------------------------------------------
// 28. Write errors and problem files (issue 5).

/// Runs `sou ARGS` through `sh`, after `prefix` (shell commands, e.g. a `ulimit`), in the environment's
/// directory; kills it and fails if it takes more than a minute (a hang).
fn run_in_shell(env: &TestEnv, prefix: &str, args: &[String]) -> Output {
    let mut sh = std::process::Command::new("sh");
    sh.arg("-c")
        .arg(format!("{prefix}\nexec \"$0\" \"$@\""))
        .arg(util::SOU)
        .args(args)
        .current_dir(env.root())
        .env_clear()
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for key in ["PATH", "HOME"] {
        if let Some(v) = std::env::var_os(key) {
            sh.env(key, v);
        }
    }
    wait_output(sh.spawn().expect("sh"))
}

/// Waits for a child at most a minute (then kills it and fails), and collects its output.
fn wait_output(mut child: std::process::Child) -> Output {
    let started = std::time::Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > std::time::Duration::from_secs(60) {
            child.kill().unwrap();
            let out = child.wait_with_output().unwrap();
            panic!(
                "sou hung for a minute; stderr: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    Output::checked(child.wait_with_output().unwrap())
}

/// `sou index --json` whatever its status: the summary's `data` and the output.
fn index_summary(env: &TestEnv) -> (serde_json::Value, Output) {
    let out = env.try_index(&["--json"]);
    let v: serde_json::Value =
        serde_json::from_str(out.stdout.trim()).unwrap_or_else(|e| panic!("{e}: {out:#?}"));
    assert_eq!(v["type"], "index_summary");
    (v["data"].clone(), out)
}

/// The counts of an index summary: (files, added, changed, unchanged, skipped, failed).
fn counts(data: &serde_json::Value) -> [u64; 6] {
    [
        "files",
        "added",
        "changed",
        "unchanged",
        "skipped",
        "failed",
    ]
    .map(|k| {
        data[k]
            .as_u64()
            .unwrap_or_else(|| panic!("no {k} in {data}"))
    })
}

#[test]
fn write_errors_leave_the_previous_index_intact() {
    let env = TestEnv::new(hay::APPENDIX_A);
    env.index();
    let before = env.search_json(&["银行"]).hits;
    assert_eq!(before.len(), 2);
    let before_manifest = std::fs::read(env.index_dir().join("sou-manifest.json")).unwrap();
    // Much more text: its segment files are far bigger than the limit below, however the indexing threads
    // share it. Each sentence ends in characters drawn at random (fixed seed), so that neither zstd nor the
    // postings make repeated text small.
    let sentence =
        "青岛市工业技术研究院持续完善创新生态链条，构建优质企业梯度培育体系，银行也来了。";
    let mut next = util::splitmix64(2026);
    for i in 0..30 {
        let text: String = (0..60)
            .map(|k| {
                // Any character of the CJK Unified Ideographs block (U+4E00..U+9FA5).
                let tail: String = (0..40)
                    .map(|_| char::from_u32(0x4E00 + (next() % 0x51A6) as u32).unwrap())
                    .collect();
                format!("第{i}篇第{k}句：{sentence}{tail}。\n\n")
            })
            .collect();
        env.write(&format!("more/m-{i:02}.txt"), text);
    }
    let args: Vec<String> = [
        "index",
        "--corpus",
        &env.corpus().display().to_string(),
        "--index",
        &env.index_dir().display().to_string(),
    ]
    .map(String::from)
    .to_vec();
    // Files may not grow past 64 blocks (32 KiB in sh's 512-byte blocks); an ignored SIGXFSZ (inherited
    // across exec) makes such writes fail with EFBIG, as on a full disk, instead of killing the process.
    for rebuild in [false, true] {
        let mut args = args.clone();
        if rebuild {
            args.push("--rebuild".into());
        }
        let out = run_in_shell(&env, "trap '' XFSZ; ulimit -f 64", &args);
        assert_eq!(out.code, Some(2), "rebuild {rebuild}: {out:#?}");
        assert!(out.stdout.is_empty(), "{out:#?}");
        assert_eq!(out.stderr.lines().count(), 1, "not one line: {out:#?}");
        assert!(
            out.stderr.starts_with("sou: ")
                && out
                    .stderr
                    .contains("writing the index failed (File too large"),
            "{out:#?}"
        );
        // The previous index answers as before, and its manifest is untouched.
        assert_eq!(env.search_json(&["银行"]).hits, before, "rebuild {rebuild}");
        assert_eq!(
            std::fs::read(env.index_dir().join("sou-manifest.json")).unwrap(),
            before_manifest
        );
    }
    // Without the limit the same run completes.
    let summary = env.index();
    assert!(
        summary.contains("(30 new, 0 changed, 0 removed, 8 unchanged)"),
        "{summary}"
    );
    assert!(env.search_json(&["银行", "-n", "100"]).hits.len() > 30);
}

#[test]
fn empty_and_whitespace_only_files_are_indexed_with_no_passages_and_noted_once() {
    let env = TestEnv::new(hay::APPENDIX_A);
    env.write("empty.txt", "");
    env.write("blank.txt", " \r\n\u{3000}\u{3000}\r\n\t\r\n\r\n");
    env.write("blank.md", "\u{feff}\u{3000}\n");
    let (data, out) = index_summary(&env);
    assert_eq!(out.code, Some(0), "{out:#?}");
    // files, added, changed, unchanged, skipped, failed
    assert_eq!(counts(&data), [11, 11, 0, 0, 0, 0], "{data}");
    for name in ["empty.txt", "blank.txt", "blank.md"] {
        assert_eq!(out.stderr.matches(name).count(), 1, "{name}: {out:#?}");
    }
    assert!(out.stderr.contains("no text"), "{out:#?}");
    assert_eq!(data["passages_total"], data["passages_written"]);
    // Once: the next run has nothing to say about them.
    let (data, out) = index_summary(&env);
    assert_eq!(counts(&data), [11, 0, 0, 11, 0, 0], "{data}");
    assert!(out.stderr.is_empty(), "{out:#?}");
    assert_finds_exactly(&env, &["农业"], &["nongye.txt"]);
}

#[cfg(unix)]
#[test]
fn broken_symlinks_and_symlink_loops_are_reported_once() {
    use std::os::unix::fs::symlink;
    let env = TestEnv::new(hay::APPENDIX_A);
    symlink(
        env.corpus().join("missing.txt"),
        env.corpus().join("broken.txt"),
    )
    .unwrap();
    std::fs::create_dir_all(env.corpus().join("sub")).unwrap();
    env.write("sub/inner.txt", "子目录里的文章，独有词汇丙。");
    // A symlinked directory pointing to its parent.
    symlink("..", env.corpus().join("sub/up")).unwrap();
    let (data, out) = index_summary(&env);
    assert_eq!(out.code, Some(2), "{out:#?}");
    assert_eq!(out.stderr.matches("broken.txt").count(), 1, "{out:#?}");
    assert!(out.stderr.contains("broken symbolic link"), "{out:#?}");
    assert_eq!(out.stderr.matches("sub/up").count(), 1, "{out:#?}");
    assert!(out.stderr.contains("symbolic link loop"), "{out:#?}");
    assert_eq!(out.stderr.lines().count(), 2, "{out:#?}");
    // files, added, changed, unchanged, skipped, failed
    assert_eq!(counts(&data), [11, 9, 0, 0, 0, 2], "{data}");
    assert_finds_exactly(&env, &["独有词汇丙"], &["sub/inner.txt"]);
    // The next run reports them again (they are still there), and changes nothing.
    let (data, _) = index_summary(&env);
    assert_eq!(counts(&data), [11, 0, 0, 9, 0, 2], "{data}");
}

#[cfg(unix)]
#[test]
fn a_fifo_is_skipped_without_hanging() {
    let env = TestEnv::new(hay::APPENDIX_A);
    let fifo = env.corpus().join("x.txt");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let mut cmd = env.command(
        [
            "index",
            "--json",
            "--corpus",
            &env.corpus().display().to_string(),
            "--index",
            &env.index_dir().display().to_string(),
        ],
        &[],
    );
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    let out = wait_output(cmd.spawn().unwrap());
    assert_eq!(out.code, Some(0), "{out:#?}");
    assert_eq!(out.stderr.matches("x.txt").count(), 1, "{out:#?}");
    assert!(
        out.stderr.contains("not a regular file (a FIFO)"),
        "{out:#?}"
    );
    let v: serde_json::Value = serde_json::from_str(out.stdout.trim()).unwrap();
    // files, added, changed, unchanged, skipped, failed
    assert_eq!(counts(&v["data"]), [9, 8, 0, 0, 1, 0], "{out:#?}");
    // Search does not call it a change to the corpus.
    let out = env.search(&["农业"]);
    assert!(out.stderr.is_empty(), "{out:#?}");
}

#[cfg(unix)]
#[test]
fn an_unreadable_file_fails_after_the_rest_is_indexed() {
    use std::os::unix::fs::PermissionsExt;
    let env = TestEnv::new(hay::APPENDIX_A);
    let bad = env.corpus().join("bad.txt");
    std::fs::write(&bad, "读不到的文章。").unwrap();
    std::fs::set_permissions(&bad, std::fs::Permissions::from_mode(0o000)).unwrap();
    if std::fs::read(&bad).is_ok() {
        // Root reads anything: use a file whose read fails anyway (reading /proc/self/mem at offset 0
        // gives EIO).
        std::fs::remove_file(&bad).unwrap();
        std::os::unix::fs::symlink("/proc/self/mem", &bad).unwrap();
    }
    let (data, out) = index_summary(&env);
    assert_eq!(out.code, Some(2), "{out:#?}");
    assert_eq!(out.stderr.matches("bad.txt").count(), 1, "{out:#?}");
    assert!(
        out.stderr.contains("Permission denied") || out.stderr.contains("Input/output error"),
        "{out:#?}"
    );
    assert_eq!(out.stderr.lines().count(), 1, "{out:#?}");
    // files, added, changed, unchanged, skipped, failed
    assert_eq!(counts(&data), [9, 8, 0, 0, 0, 1], "{data}");
    assert_finds_exactly(&env, &["农业"], &["nongye.txt"]);
}

#[test]
fn results_are_the_same_whatever_the_indexing_threads_and_run() {
    // Enough files that two indexing threads each write a segment.
    let mut files: Vec<(String, String)> = hay::APPENDIX_A
        .iter()
        .map(|(p, t)| (p.to_string(), t.to_string()))
        .collect();
    let sentence =
        "青岛市工业技术研究院持续完善创新生态链条，构建优质企业梯度培育体系，银行和农业也在其中。";
    for i in 0..80 {
        let text: String = (0..(5 + i % 7))
            .map(|k| {
                format!(
                    "第{i}篇第{k}段：{}\n\n",
                    &sentence[..sentence.len() - 3 * (k % 9)]
                )
            })
            .collect();
        files.push((format!("gen/g-{i:02}.txt"), text));
    }
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect();
    // A first build ends merged into one segment; the last 30 files come as an update, which two threads
    // write as segments of their own.
    let (first, update) = refs.split_at(refs.len() - 30);
    let build = |threads: &str| {
        let env = TestEnv::new(first);
        env.try_index(&["--threads", threads]).assert_ok();
        for (p, t) in update {
            env.write(p, t);
        }
        env.try_index(&["--threads", threads]).assert_ok();
        env
    };
    let one = build("1");
    let two = build("2");
    assert!(
        segment_count(&two.index_dir()) > 1,
        "one segment: the threads test tests nothing"
    );
    let queries: [&[&str]; 5] = [
        &["银行", "-n", "50"],
        &["农业", "-n", "50"],
        &["工业技术研究院", "-n", "50"],
        &["\"梯度培育\"", "-n", "50"],
        &["创新 -其中", "-n", "50"],
    ];
    let answers = |env: &TestEnv| -> Vec<Vec<util::Hit>> {
        queries.iter().map(|q| env.search_json(q).hits).collect()
    };
    let expected = answers(&one);
    for (q, hits) in queries.iter().zip(&expected) {
        assert!(!hits.is_empty(), "no hits for {q:?}");
    }
    assert_eq!(
        answers(&two),
        expected,
        "--threads 2 differs from --threads 1"
    );
    // Again, from scratch: the same.
    two.try_index(&["--rebuild", "--threads", "2"]).assert_ok();
    assert_eq!(answers(&two), expected, "a second --threads 2 run differs");
}
