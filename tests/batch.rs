//! Batch queries: `sou search --queries FILE` (or `-` for stdin): qids, every query answered that can be, bad
//! lines reported in place, exit status, human output.

use crate::util::{self, traps};

#[test]
fn batch_queries_from_a_file() {
    let env = traps();
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
    let env = traps();
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
    let env = traps();
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
    let env = traps();
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
    let env = traps();
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
    assert!(lines[b + 1].starts_with("0 matching passages"), "{stdout}");
    assert!(lines[b + 3].starts_with(" 1. tianqi.txt#0  "), "{stdout}");
}

#[test]
fn batch_queries_file_with_a_bom() {
    let env = traps();
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
