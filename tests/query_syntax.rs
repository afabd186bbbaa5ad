//! Query syntax: exclusion (`-`), OR, required terms (`+`); malformed and hostile queries never panic and get
//! a clear error; `--plain` makes the operators ordinary text.

use crate::hay;
use crate::util::{TestEnv, assert_finds_exactly, assert_no_hits, traps, traps_with};

// ---------------------------------------------------------------------------------------------------------
// Exclusion, OR, required terms.

#[test]
fn exclusion_or_and_required() {
    let env = traps_with(&[("peizhi.txt", hay::PEIZHI)]);
    // 央行 occurs in the traditional document only.
    assert_finds_exactly(&env, &["银行", "-央行"], &["nongye.txt"]);
    assert_finds_exactly(&env, &["银行 -央行"], &["nongye.txt"]);
    // Exclusions are normalized: 記者 (traditional in the text) is excluded by 记者.
    assert_finds_exactly(&env, &["银行", "-记者"], &["nongye.txt"]);
    // OR.
    assert_finds_exactly(&env, &["农业", "OR", "天气"], &["nongye.txt", "tianqi.txt"]);
    // Every term is required: only the document with both 简单 and 配置 (+ changes nothing); OR makes
    // alternatives.
    for q in [&["简单", "配置"][..], &["+简单", "配置"]] {
        let found = assert_finds_exactly(&env, q, &["jiandan.txt"]);
        assert_eq!(found.top().highlighted(), ["简单", "配置"]);
    }
    assert_finds_exactly(
        &env,
        &["简单", "OR", "配置"],
        &["jiandan.txt", "peizhi.txt"],
    );
    // A required phrase among plain terms.
    assert_finds_exactly(&env, &["天气", "\"农业发展\""], &["nongye.txt"]);
}

// Regression: excluding a term of 3+ characters (a phrase query on the character view) used to panic in
// debug builds (tantivy 0.27 debug assertion in PhraseScorer::seek_danger); see src/index/safe_query.rs.
#[test]
fn exclusion_of_long_terms_and_phrases() {
    let env = traps();
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
// Malformed queries never panic; errors are clear.

#[test]
fn malformed_queries() {
    let env = traps_with(&[("weibihe.txt", hay::WEIBIHE)]);
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

// ---------------------------------------------------------------------------------------------------------
// --plain: quotes, -, + and OR are ordinary text.

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
// Hostile queries through the library's query path: no panic, bounded time, an answer or a clear error.

#[test]
fn query_path_survives_hostile_input() {
    let env = TestEnv::new(hay::TRAPS);
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
    let mut rng = fastrand::Rng::with_seed(2026);
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
            1000 + rng.usize(..4000)
        } else {
            rng.usize(..30)
        };
        let query: String = (0..n).map(|_| pieces[rng.usize(..pieces.len())]).collect();
        for plain in [false, true] {
            cases += 1;
            let req = sou::search::SearchRequest {
                query: query.clone(),
                limit: 10,
                snippet_chars: 100,
                per_article: None,
                plain,
                collapse: true,
                ..Default::default()
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
    let mixed: String = std::iter::repeat_with(|| pieces[rng.usize(..pieces.len())])
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
            collapse: true,
            ..Default::default()
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
// A minus before a number: a negative number or an exclusion? The error says how to write either.

#[test]
fn a_minus_before_a_number_asks_how_it_was_meant() {
    let env = TestEnv::indexed(&[
        ("cold.txt", "今天最低气温-38℃，创下新纪录。"),
        ("warm.txt", "今天最高气温38℃，十分炎热。"),
    ]);
    for args in [vec!["--", "-38℃"], vec!["气温", "-38℃"]] {
        let out = env.search(&args);
        let msg = out.assert_error(&["-38℃", "\"-38℃\"", "--plain", "-\"38℃\""]);
        assert_eq!(msg.lines().count(), 1, "{out:#?}");
    }
    // Both ways the message offers work.
    assert_finds_exactly(&env, &["\"-38℃\""], &["cold.txt"]);
    assert_finds_exactly(&env, &["气温", "-\"38℃\""], &[]);
    let out = env.search(&["--plain", "--", "-38℃"]);
    assert_eq!(out.code, Some(0), "{out:#?}");
    assert!(out.stdout.contains("cold.txt#0"), "{out:#?}");
}

// ---------------------------------------------------------------------------------------------------------
// A quoted phrase's punctuation matches any punctuation mark at that place.

#[test]
fn punctuation_inside_a_phrase_matches_any_mark() {
    let env = TestEnv::indexed(&[
        ("dun.txt", "始终坚持人民至上、生命至上的理念"),
        ("comma.txt", "必须做到人民至上，生命至上。"),
        ("space.txt", "人民至上 生命至上"),
        ("other.txt", "人民至上生命至上"),
    ]);
    for query in [
        "\"人民至上、生命至上\"",
        "\"人民至上，生命至上\"",
        "\"人民至上,生命至上\"",
    ] {
        let found = assert_finds_exactly(&env, &[query], &["comma.txt", "dun.txt"]);
        for hit in &found.hits {
            assert!(hit.score > 0.0, "{query}: {hit:#?}");
            assert_eq!(hit.highlighted().len(), 1, "{query}: {hit:#?}");
        }
    }
    // Excluded the same way.
    assert_finds_exactly(
        &env,
        &["生命至上", "-\"人民至上，生命至上\""],
        &["other.txt", "space.txt"],
    );
}

#[test]
fn a_name_found_whatever_middle_dot_it_is_written_with() {
    // The marks that PDF copies and old encodings put in place of U+00B7 in transliterated names.
    let dots = ['·', '•', '・', '‧', '．'];
    let files: Vec<(String, String)> = dots
        .iter()
        .enumerate()
        .map(|(i, d)| {
            (
                format!("dot{i}.txt"),
                format!("艾琳{d}德{d}蒙特出席了开幕式"),
            )
        })
        .collect();
    let files: Vec<(&str, &str)> = files
        .iter()
        .map(|(n, t)| (n.as_str(), t.as_str()))
        .collect();
    let env = TestEnv::indexed(&files);
    let all: Vec<&str> = files.iter().map(|(n, _)| *n).collect();
    for d in dots {
        let query = format!("\"艾琳{d}德{d}蒙特\"");
        assert_finds_exactly(&env, &[&query], &all);
    }
    // ・ is punctuation, not a word.
    let out = env.run(["analyze", "艾琳・德"]);
    let words = out
        .stdout
        .lines()
        .find(|l| l.starts_with("words:"))
        .unwrap();
    assert!(!words.contains('・'), "{out:#?}");
}
