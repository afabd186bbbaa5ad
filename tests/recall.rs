//! Recall: what a query finds. Words inside compounds and single characters, phrases as literal strings,
//! traditional ↔ simplified script, full-width ↔ half-width and case, Latin words and numbers inside Chinese,
//! characters beyond the BMP.

use crate::hay;
use crate::util::{
    TestEnv, assert_finds_exactly, assert_no_hits, line_starting, traps, traps_with,
};

// ---------------------------------------------------------------------------------------------------------
// Sub-word recall: words inside compounds, single characters.

#[test]
fn subwords_and_single_characters_find_their_document() {
    let env = traps();
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
    // The title occurs nowhere: a partial match (and under --plain, the best match).
    let found = crate::util::assert_no_full_match(&env, &["虢国考"]);
    assert_eq!(found.paths(), ["guo.txt"]);
    let found = assert_finds_exactly(&env, &["--plain", "虢国考"], &["guo.txt"]);
    assert!(
        found.top().highlighted().iter().any(|h| h == "虢国"),
        "{:#?}",
        found.top()
    );
}

// ---------------------------------------------------------------------------------------------------------
// Phrases are literal substrings, whatever jieba's segmentation.

#[test]
fn phrases_across_word_boundaries() {
    let env = traps();
    let found = assert_finds_exactly(&env, &["\"银行今天\""], &["nongye.txt"]);
    assert_eq!(found.top().highlighted(), ["银行今天"]);
    let found = assert_finds_exactly(&env, &["\"进了中等\""], &["liping.txt"]);
    assert_eq!(found.top().highlighted(), ["进了中等"]);
    // Chinese quotes work too.
    assert_finds_exactly(&env, &["“银行今天”"], &["nongye.txt"]);
}

#[test]
fn phrases_that_do_not_occur_literally_find_nothing() {
    let env = traps();
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
    let env = traps_with(&[
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
// Traditional ↔ simplified, both ways; snippets show the original script.

#[test]
fn traditional_and_simplified_find_each_other() {
    let env = traps();
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
// Full-width ↔ half-width and case.

#[test]
fn width_and_case_are_folded() {
    let env = traps();
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
// Latin words and numbers inside Chinese: whole or by parts; inside a longer word or number only as a
//    literal string, ranked below the whole word or number.

#[test]
fn latin_runs_match_whole_or_by_parts() {
    let env = traps_with(&[("gwh.txt", hay::GWH)]);
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
    // A word matches whole words (or the letters of a run of letters and digits): `app` is not in `apple`.
    let env = traps_with(&[("app.txt", "下载这个APP就能用。")]);
    let found = assert_finds_exactly(&env, &["app"], &["app.txt"]);
    assert_eq!(found.hits[0].highlighted(), ["APP"]);
    // Only inside a longer word: no full match; --plain (coverage) still shows it, below a whole word.
    crate::util::assert_no_full_match(&env, &["pple"]);
    let found = env.search_json(&["--plain", "app"]);
    assert_eq!(found.paths(), ["app.txt", "apple.txt"]);
    assert_eq!(found.hits[1].highlighted(), ["ＡＰＰ"]);
    assert_no_hits(&env, &["applesauce"]);
}

#[test]
fn a_number_matches_whole_numbers_only() {
    let env = TestEnv::indexed(&[
        ("year.txt", "预计到2031年完成建设。"),
        ("n31.txt", "全市共有31家企业入选。"),
        ("tianqi.txt", hay::TIANQI),
    ]);
    let found = assert_finds_exactly(&env, &["31"], &["n31.txt"]);
    assert_eq!(found.hits[0].highlighted(), ["31"]);
    // Not even by coverage: digits inside another number are no evidence.
    let found = env.search_json(&["--plain", "31"]);
    assert_eq!(found.paths(), ["n31.txt"]);
    assert_finds_exactly(&env, &["2031"], &["year.txt"]);
    assert_no_hits(&env, &["20310"]);
}

// ---------------------------------------------------------------------------------------------------------
// Characters beyond the BMP: offsets count chars, not UTF-16 units or bytes.

#[test]
fn non_bmp_characters() {
    let env = traps();
    let found = assert_finds_exactly(&env, &["𨨏"], &["mixed.txt"]);
    let top = found.top();
    assert_eq!(top.highlighted(), ["𨨏"]);
    let at = hay::MIXED.chars().position(|c| c == '𨨏').unwrap();
    assert_eq!(top.highlights, [[at, at + 1]]);
    let found = assert_finds_exactly(&env, &["\"王𨨏在\""], &["mixed.txt"]);
    assert_eq!(found.top().highlighted(), ["王𨨏在"]);
}

// ---------------------------------------------------------------------------------------------------------
// Invisible characters inside words (pasted from web pages and PDFs) don't split them.

#[test]
fn invisible_characters_inside_words_do_not_split_them() {
    let env = TestEnv::indexed(&[
        ("zwsp.txt", "报告称人工\u{200B}智能产业规模继续扩大"),
        ("shy.txt", "区块\u{00AD}链技术应用于供应链金融"),
        ("joiner.txt", "数字\u{2060}经济\u{FEFF}发展迅速"),
    ]);
    for (query, path, highlight) in [
        ("\"人工智能\"", "zwsp.txt", "人工\u{200B}智能"),
        ("人工智能", "zwsp.txt", "人工\u{200B}智能"),
        ("\"区块链\"", "shy.txt", "区块\u{00AD}链"),
        ("区块链", "shy.txt", "区块\u{00AD}链"),
        (
            "\"数字经济发展\"",
            "joiner.txt",
            "数字\u{2060}经济\u{FEFF}发展",
        ),
    ] {
        let found = env.search_json(&[query]);
        assert_eq!(found.paths(), [path], "{query}: {:#?}", found.hits);
        // The whole word is highlighted, the invisible character inside it included.
        assert!(
            found.top().highlighted().iter().any(|h| h == highlight),
            "{query}: {:#?}",
            found.top()
        );
    }
}

// ---------------------------------------------------------------------------------------------------------
// Letter-spaced text (OCR output) is searched like unspaced text.

#[test]
fn letter_spaced_han_text_is_found_like_unspaced_text() {
    let env = TestEnv::indexed(&[(
        "ocr.txt",
        "林 晓 看 完 资 料 后 ， 理 清 了 思 路 ， 写 好 了 大 纲 。",
    )]);
    for (query, highlight) in [
        ("思路", "思 路"),
        ("\"大纲\"", "大 纲"),
        ("\"资料后\"", "资 料 后"),
    ] {
        let found = env.search_json(&[query]);
        assert_eq!(found.paths(), ["ocr.txt"], "{query}");
        assert!(
            found.top().highlighted().iter().any(|h| h == highlight),
            "{query}: {:#?}",
            found.top()
        );
    }
}
