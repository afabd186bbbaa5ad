//! Snippets and highlights. `search_json` checks the highlights of every hit (see
//! `util::TestEnv::check_hits`); here the cases where spans touch or repeat, the snippet length, and the
//! checkers' own invariants.

use crate::util::{self, TestEnv, char_slice, nchars, traps};

// ---------------------------------------------------------------------------------------------------------
// Highlights: the cases where spans touch or repeat.

#[test]
fn adjacent_matches_are_merged_into_one_highlight() {
    let env = traps();
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

// ---------------------------------------------------------------------------------------------------------
// Snippet length.

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
// The checkers' own invariants: the highlight checker used on every hit, and `char_slice`.

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

#[test]
fn char_slice_counts_characters() {
    assert_eq!(char_slice("王𨨏在", 1, 2), "𨨏");
    assert_eq!(char_slice("abc", 1, 10), "bc");
}
