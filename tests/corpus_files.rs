//! Corpus files: legacy encodings, other extensions and hidden files, BOM and CRLF, JSON Lines archives (one
//! article per line), and problem files (empty, broken symlinks and loops, FIFOs, unreadable).

use std::process::Stdio;

use crate::hay;
use crate::util::{
    self, Output, TestEnv, assert_finds_exactly, assert_no_hits, nchars, wait_output,
};

// ---------------------------------------------------------------------------------------------------------
// Encodings, extensions, BOM and CRLF.

#[test]
fn legacy_encodings_are_decoded_and_bad_files_reported() {
    let env = TestEnv::new(hay::TRAPS);
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
    // Binary files with a text extension are skipped by design; a PDF is known by its bytes and read as one
    // (this one is cut short: it fails).
    env.write("scan.txt", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj");
    env.write("photo.md", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR");
    let out = env.try_index(&[]);
    assert_eq!(out.code, Some(2), "{out:#?}");
    assert!(
        out.stderr.contains("broken.txt: not valid UTF-8"),
        "{out:#?}"
    );
    assert!(
        out.stderr.contains("scan.txt: PDF cannot be read"),
        "{out:#?}"
    );
    assert!(
        out.stderr.contains("photo.md: binary file (a PNG image)"),
        "{out:#?}"
    );
    assert!(
        out.stdout
            .contains("(10 new, 0 changed, 0 removed, 0 unchanged, 1 skipped, 2 failed)"),
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
        // (A `.pdf`, `.html`, `.docx` or `.epub` file is read by its bytes: see tests/pdf.rs and
        // tests/formats.rs.)
        ("notes.rtf", hay::UNIQUE),
        ("notes.odt", hay::UNIQUE),
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
// JSON Lines archives: one article per line; hits carry the record's id, title, date and line, and
//    offsets into its body (`check_hits` verifies text = body chars [start, end) for every hit).

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
    let found = env.search_json(&["\"海水淡化\"", "OR", "淡水", "OR", "开工", "--passages"]);
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
            "indexed 2 files (2 new, 0 changed, 0 removed, 0 unchanged, 5 records skipped): 3 passages written, 3 in the index"
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
// Problem files: empty or blank files, broken symlinks and loops, FIFOs, unreadable files: each reported
//    once, never a hang, the rest indexed.

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
fn empty_and_whitespace_only_files_are_indexed_with_no_passages_and_noted_once() {
    let env = TestEnv::new(hay::TRAPS);
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
    let env = TestEnv::new(hay::TRAPS);
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
    let env = TestEnv::new(hay::TRAPS);
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
    let env = TestEnv::new(hay::TRAPS);
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
