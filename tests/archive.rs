//! Working with an archive: dates and sources on hits, filters and date order, one hit per article, and
//! counts per period or source (`sou count --by`).

use serde_json::Value;

use crate::util::{TestEnv, line_starting};

/// Records of three sources over three months, one without a date and one whose date sou can't read.
const WIRES: &str = concat!(
    r#"{"id": "x1", "date": "2023-01-05", "source": "新华社", "title": "储能电站开工", "body": "储能电站今天开工。\n\n储能项目总投资十亿元。"}"#,
    "\n",
    r#"{"id": "x2", "date": "2023/1/20", "source": "中新社", "title": "风电", "body": "风电场并网，配套储能同步建设。"}"#,
    "\n",
    r#"{"id": "x3", "date": "2023年3月2日", "source": "新华社", "title": "春耕", "body": "春耕备耕有序推进，储能灌溉设备下乡。"}"#,
    "\n",
    r#"{"id": "x4", "source": "人民日报", "title": "无日期", "body": "一篇没有日期的储能评论。"}"#,
    "\n",
    r#"{"id": "x5", "date": "last spring", "title": "怪日期", "body": "日期写得奇怪的储能报道。"}"#,
    "\n",
);

fn wires() -> TestEnv {
    TestEnv::indexed(&[("wires.jsonl", WIRES)])
}

fn ids(found: &crate::util::Found) -> Vec<&str> {
    found.hits.iter().map(|h| h.id.as_str()).collect()
}

#[test]
fn dates_and_sources_are_read_and_shown() {
    let env = wires();
    let found = env.search_json(&["储能", "-n", "10"]);
    let date = |id: &str| {
        found
            .hits
            .iter()
            .find(|h| h.id == id)
            .and_then(|h| h.date.clone())
    };
    // Dates in any usual form are shown as YYYY-MM-DD; one sou can't read is kept as written.
    assert_eq!(date("x1").as_deref(), Some("2023-01-05"));
    assert_eq!(date("x2").as_deref(), Some("2023-01-20"));
    assert_eq!(date("x3").as_deref(), Some("2023-03-02"));
    assert_eq!(date("x4"), None);
    assert_eq!(date("x5").as_deref(), Some("last spring"));
    let x2 = found.hits.iter().find(|h| h.id == "x2").unwrap();
    assert_eq!(x2.source.as_deref(), Some("中新社"));
    // The terminal shows them on each hit.
    let out = env.search(&["风电", "--color", "never"]);
    line_starting(&out, " 1. wires.jsonl:2#0 [x2]  风电  中新社 2023-01-20  (");
}

#[test]
fn dates_in_paths_and_settings() {
    let env = TestEnv::indexed(&[
        ("2023/01/05/a.txt", "关于储能的第一篇。"),
        ("wires/20230211-b.txt", "关于储能的第二篇。"),
        ("undated/c.txt", "关于储能的第三篇。"),
        ("rmrb/rmrb20220704.txt", "关于储能的第四篇。"),
        (
            "sou.toml",
            "[[files]]\nglob = \"rmrb/**\"\nsource = \"人民日报\"\npath_date = 'rmrb(?P<y>\\d{4})(?P<m>\\d\\d)(?P<d>\\d\\d)'\n\n[[files]]\nglob = \"undated/*\"\ndate = \"2021-06\"\n",
        ),
    ]);
    let found = env.search_json(&["储能", "--sort", "date"]);
    let got: Vec<(&str, Option<&str>, Option<&str>)> = found
        .hits
        .iter()
        .map(|h| (h.path.as_str(), h.date.as_deref(), h.source.as_deref()))
        .collect();
    assert_eq!(
        got,
        [
            ("undated/c.txt", Some("2021-06"), None),
            (
                "rmrb/rmrb20220704.txt",
                Some("2022-07-04"),
                Some("人民日报")
            ),
            ("2023/01/05/a.txt", Some("2023-01-05"), None),
            ("wires/20230211-b.txt", Some("2023-02-11"), None),
        ]
    );
    // A bad pattern is one line naming the setting.
    env.write("sou.toml", "[[files]]\nglob = \"*\"\npath_date = \"(\"\n");
    let out = env.try_index(&[]);
    out.assert_error(&["path_date"]);
}

#[test]
fn filters_by_date_and_source() {
    let env = wires();
    let got = |args: &[&str]| {
        let mut a = vec!["储能", "-n", "20"];
        a.extend_from_slice(args);
        let found = env.search_json(&a);
        let mut ids: Vec<String> = found.hits.iter().map(|h| h.id.clone()).collect();
        ids.sort();
        (ids, found.summary.total_hits)
    };
    assert_eq!(got(&[]).0, ["x1", "x2", "x3", "x4", "x5"]);
    // A month, a day, a year: bounds are inclusive, from the first day to the last.
    assert_eq!(
        got(&["--since", "2023-01", "--until", "2023-01"]).0,
        ["x1", "x2"]
    );
    assert_eq!(got(&["--until", "2023-01-05"]).0, ["x1"]);
    assert_eq!(got(&["--since", "2023-01-06"]).0, ["x2", "x3"]);
    assert_eq!(
        got(&["--since", "2023", "--until", "2023"]).0,
        ["x1", "x2", "x3"]
    );
    assert!(got(&["--since", "2024"]).0.is_empty());
    // Sources: exact, repeatable (any of them), with dates.
    assert_eq!(got(&["--source", "新华社"]).0, ["x1", "x3"]);
    assert_eq!(
        got(&["--source", "新华社", "--source", "人民日报"]).0,
        ["x1", "x3", "x4"]
    );
    assert_eq!(got(&["--source", "新华社", "--since", "2023-02"]).0, ["x3"]);
    // The total counts filtered matches only (x1 has two passages).
    assert_eq!(got(&["--source", "新华社"]).1, 3);
    // --count takes the same filters.
    let out = env.search(&["储能", "-c", "--source", "新华社"]);
    assert_eq!(out.stdout, "3\t2\n", "{out:#?}");
    // An unknown source finds nothing, and says which sources there are.
    let out = env.search(&["储能", "--source", "新华"]);
    assert_eq!(out.code, Some(1));
    assert!(
        out.stderr.contains("no article has the source '新华'") && out.stderr.contains("新华社"),
        "{out:#?}"
    );
    // A date that is no date is a usage error.
    let out = env.search(&["储能", "--since", "2023-02-30"]);
    out.assert_error(&["--since", "YYYY-MM-DD"]);
}

#[test]
fn sorting_by_date() {
    let env = wires();
    let oldest = env.search_json(&["储能", "--sort", "date"]);
    // Articles without a date that sou can read come last, whatever the order.
    assert_eq!(ids(&oldest), ["x1", "x2", "x3", "x4", "x5"]);
    let newest = env.search_json(&["储能", "--sort=-date"]);
    assert_eq!(ids(&newest), ["x3", "x2", "x1", "x4", "x5"]);
    let newest = env.search_json(&["储能", "--sort", "-date", "-n", "2"]);
    assert_eq!(ids(&newest), ["x3", "x2"]);
    assert_eq!(newest.summary.total_hits, 6);
    // With a filter.
    let found = env.search_json(&["储能", "--sort", "newest", "--source", "新华社"]);
    assert_eq!(ids(&found), ["x3", "x1"]);
}

#[test]
fn one_hit_per_article_by_default() {
    let body: String = (0..6)
        .map(|i| format!("第{i}段：储能电站建设进展。\n\n"))
        .collect();
    let env = TestEnv::indexed(&[("long.txt", &body), ("short.txt", "另一篇也讲储能电站。")]);
    let found = env.search_json(&["储能", "-n", "10"]);
    assert_eq!(found.hits.len(), 2, "{:#?}", found.hits);
    assert_eq!(found.summary.total_hits, 7);
    let long = found.hits.iter().find(|h| h.path == "long.txt").unwrap();
    assert_eq!(long.more_passages, 5);
    assert_eq!(long.article, "long.txt");
    let short = found.hits.iter().find(|h| h.path == "short.txt").unwrap();
    assert_eq!(short.more_passages, 0);
    // --per-article N shows more; the count of the rest goes on the article's last hit.
    let found = env.search_json(&["储能", "--per-article", "2"]);
    let long: Vec<&crate::util::Hit> = found.hits.iter().filter(|h| h.path == "long.txt").collect();
    assert_eq!(long.len(), 2);
    assert_eq!(
        long.iter().map(|h| h.more_passages).collect::<Vec<_>>(),
        [0, 4]
    );
    // --passages: every passage, nothing more to say.
    let found = env.search_json(&["储能", "--passages"]);
    assert_eq!(found.hits.len(), 7);
    assert!(found.hits.iter().all(|h| h.more_passages == 0));
    // The terminal says how many more.
    let out = env.search(&["储能", "--color", "never"]);
    assert!(out.stdout.contains("  +5 more passages\n"), "{out:#?}");
    // The two ways to ask are one choice.
    let out = env.search(&["储能", "--passages", "--per-article", "2"]);
    out.assert_error(&["--passages"]);
}

fn count_json(env: &TestEnv, args: &[&str]) -> Value {
    let mut a = vec!["count", "--json"];
    a.extend_from_slice(args);
    let out = env.run(&a);
    assert_eq!(out.code, Some(0), "{out:#?}");
    serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", out.stdout))
}

#[test]
fn counts_per_period_and_source() {
    let env = wires();
    let v = count_json(&env, &["储能", "--by", "month"]);
    assert_eq!(v["by"], "month");
    let buckets: Vec<(String, u64, u64)> = v["buckets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            (
                b["key"].as_str().unwrap().to_string(),
                b["articles"].as_u64().unwrap(),
                b["passages"].as_u64().unwrap(),
            )
        })
        .collect();
    // February has none: a trend has no gaps.
    assert_eq!(
        buckets,
        [
            ("2023-01".to_string(), 2, 3),
            ("2023-02".to_string(), 0, 0),
            ("2023-03".to_string(), 1, 1),
        ]
    );
    assert_eq!(v["unknown"]["articles"], 2);
    assert_eq!(v["total"]["articles"], 5);
    assert_eq!(v["total"]["passages"], 6);

    let v = count_json(&env, &["储能", "--by", "source"]);
    let keys: Vec<&str> = v["buckets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["key"].as_str().unwrap())
        .collect();
    assert_eq!(keys, ["新华社", "中新社", "人民日报"]);
    assert_eq!(v["unknown"]["articles"], 1);

    // Filters apply; the totals without --by are those of `sou search --count`.
    let v = count_json(&env, &["储能", "--by", "year", "--source", "新华社"]);
    assert_eq!(v["buckets"][0]["key"], "2023");
    assert_eq!(v["buckets"][0]["articles"], 2);
    let out = env.run(["count", "储能"]);
    assert_eq!(out.stdout, env.search(&["储能", "-c"]).stdout);

    // The table: a header, a row per month with its bar, the undated and the total.
    let out = env.run(["count", "储能", "--by", "month", "--color", "never"]);
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(lines.len(), 6, "{}", out.stdout);
    assert!(lines[0].starts_with("month") && lines[0].contains("articles"));
    assert!(lines[1].starts_with("2023-01") && lines[1].ends_with('█'));
    assert!(
        lines[2].ends_with(" 0"),
        "no bar, no trailing space: {:?}",
        lines[2]
    );
    assert!(!lines[2].contains('█'), "{}", lines[2]);
    let bar = |l: &str| l.chars().filter(|c| ('█'..='▏').contains(c)).count();
    assert!(bar(lines[1]) > bar(lines[3]) && bar(lines[3]) > 0);
    assert!(lines[4].starts_with("(no month)"));
    assert!(lines[5].starts_with("total"));

    // Nothing found: exit 1; a query word that starts with `-` is an exclusion, as in search.
    let out = env.run(["count", "核电", "--by", "month"]);
    assert_eq!(out.code, Some(1), "{out:#?}");
    let v = count_json(&env, &["储能", "-风电", "--by", "source"]);
    assert_eq!(v["total"]["articles"], 4);
}

/// On a sample of the xwlb archive, `sou count --by month` equals a scan of the records for the same term:
/// a passage counts when its normalized text contains the term, or, for an article's first passage, when
/// its title does (the headline rule).
#[test]
#[cfg_attr(sou_shared_missing, ignore = "needs ../shared (xwlb)")]
fn counts_equal_a_scan_of_the_text() {
    use std::collections::BTreeMap;
    let archive =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpora/xwlb/docs.jsonl");
    let text =
        std::fs::read_to_string(&archive).unwrap_or_else(|e| panic!("{}: {e}", archive.display()));
    // Every 40th record: a sample over the archive's whole span.
    let sample: String = text.lines().step_by(40).map(|l| format!("{l}\n")).collect();
    let env = TestEnv::indexed(&[("xwlb.jsonl", &sample)]);
    let fields = sou::corpus::JsonFields::default();
    let cfg = sou::corpus::SplitConfig::default();
    let norm = |s: &str| sou::text::normalize::normalize(s).text;
    for term in ["脱贫攻坚", "一带一路", "疫情", "习近平"] {
        let t = norm(term);
        let mut want: BTreeMap<String, (u64, u64)> = BTreeMap::new();
        for (i, line) in sample.lines().enumerate() {
            let Ok(Some(record)) =
                sou::corpus::parse_record("xwlb.jsonl", i as u64 + 1, line, &fields)
            else {
                continue;
            };
            let passages = sou::corpus::split_record("xwlb.jsonl", &record, &cfg);
            let n = passages
                .iter()
                .filter(|p| {
                    norm(&p.text).contains(&t) || (p.headline && norm(&p.title).contains(&t))
                })
                .count() as u64;
            if n > 0 {
                let month = record.date.as_deref().unwrap_or_default()[..7].to_string();
                let e = want.entry(month).or_default();
                e.0 += 1;
                e.1 += n;
            }
        }
        assert!(!want.is_empty(), "{term} is in the sample");
        let v = count_json(&env, &[term, "--by", "month"]);
        let got: BTreeMap<String, (u64, u64)> = v["buckets"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|b| b["articles"].as_u64() > Some(0))
            .map(|b| {
                (
                    b["key"].as_str().unwrap().to_string(),
                    (
                        b["articles"].as_u64().unwrap(),
                        b["passages"].as_u64().unwrap(),
                    ),
                )
            })
            .collect();
        assert_eq!(got, want, "{term}");
    }
}
