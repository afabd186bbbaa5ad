//! `sou show ID [QUERY]`: the ids that hits print name their article, the article is rebuilt from its
//! passages with the query's matches marked where they are, `--around` keeps the neighbourhood, and bad ids
//! are one clear line.

use serde_json::Value;

use crate::util::{BUNDLED, Output, TestEnv, char_slice, made_of_query_text, nchars, norm};

/// `sou show --index … --corpus … ARGS`, whatever its status.
fn show(env: &TestEnv, args: &[&str]) -> Output {
    let index = env.index_dir().display().to_string();
    let corpus = env.corpus().display().to_string();
    let mut all = vec!["show", "--index", &index, "--corpus", &corpus];
    all.extend_from_slice(args);
    env.run(all)
}

/// `sou show --json ARGS`: exactly one JSON object on one line, with status 0 or 1. Checks what every
/// article must satisfy: passages in ordinal order with consistent offsets into the body, highlights inside
/// their passage and listed in `hits`, each hit's text the body's characters at its `body` range.
fn show_json(env: &TestEnv, args: &[&str]) -> (Value, Output) {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    let out = show(env, &all);
    assert!(matches!(out.code, Some(0 | 1)), "{out:#?}");
    assert_eq!(out.stdout.lines().count(), 1, "{out:#?}");
    let v: Value = serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("{e}: {out:#?}"));
    let passages = v["passages"].as_array().expect("passages");
    let mut body = String::new();
    let mut last: Option<u64> = None;
    for p in passages {
        let ordinal = p["ordinal"].as_u64().unwrap();
        assert!(
            last.is_none_or(|l| l < ordinal),
            "passages out of order: {v}"
        );
        last = Some(ordinal);
        if v.get("around").is_none() {
            body.push_str(p["sep"].as_str().unwrap());
            assert_eq!(p["offset"].as_u64().unwrap() as usize, nchars(&body), "{p}");
            body.push_str(p["text"].as_str().unwrap());
        }
        let text = p["text"].as_str().unwrap();
        for hl in p["highlights"].as_array().into_iter().flatten() {
            let (s, e) = (hl[0].as_u64().unwrap(), hl[1].as_u64().unwrap());
            assert!(s < e && e as usize <= nchars(text), "{p}");
            assert!(
                v["hits"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|h| h["passage"] == ordinal
                        && h["range"] == serde_json::json!([s, e])
                        && h["text"] == char_slice(text, s as usize, e as usize)),
                "highlight {hl} of passage {ordinal} not in hits: {v}"
            );
        }
    }
    if v.get("around").is_none() {
        assert_eq!(
            v["passage_count"].as_u64().unwrap() as usize,
            passages.len()
        );
        for h in v["hits"].as_array().unwrap() {
            let (s, e) = (
                h["body"][0].as_u64().unwrap(),
                h["body"][1].as_u64().unwrap(),
            );
            assert_eq!(char_slice(&body, s as usize, e as usize), h["text"], "{h}");
        }
    }
    (v, out)
}

/// The ordinals of an article's passages in JSON.
fn ordinals(v: &Value) -> Vec<u64> {
    v["passages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["ordinal"].as_u64().unwrap())
        .collect()
}

#[test]
fn the_ids_that_hits_print_show_their_article() {
    let env = TestEnv::bundled_page();
    let found = env.search_json(&["工研院", "-n", "30", "--passages"]);
    assert!(found.hits.len() >= 10);
    let file: Vec<char> = env.read(BUNDLED).chars().collect();
    for hit in &found.hits {
        let (v, out) = show_json(&env, &[&hit.show_id, "工研院"]);
        assert_eq!(out.code, Some(0), "{out:#?}");
        assert_eq!(v["id"], hit.id.as_str());
        assert_eq!(v["show_id"], hit.show_id.as_str());
        assert_eq!(v["title"], hit.title.as_str());
        assert_eq!(v["match"], true);
        // The hit's passage is in the article, whole, with its matches marked.
        let p = v["passages"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["ordinal"] == hit.passage)
            .unwrap_or_else(|| panic!("passage {} not in {v}", hit.passage));
        assert_eq!(p["text"], hit.text.as_str());
        assert_eq!(p["start"], hit.start);
        assert!(!p["highlights"].as_array().unwrap().is_empty(), "{p}");
        // Every mark is query text, and sits where it says in the file.
        for h in v["hits"].as_array().unwrap() {
            let text = h["text"].as_str().unwrap();
            assert!(made_of_query_text(text, "工研院"), "{h}");
            let (s, e) = (
                h["file"][0].as_u64().unwrap(),
                h["file"][1].as_u64().unwrap(),
            );
            let at: String = file[s as usize..e as usize].iter().collect();
            if nchars(&at) == nchars(text) {
                assert_eq!(at, text, "{h}");
            }
        }
        for hl in v["title_highlights"].as_array().into_iter().flatten() {
            let t = char_slice(
                v["title"].as_str().unwrap(),
                hl[0].as_u64().unwrap() as usize,
                hl[1].as_u64().unwrap() as usize,
            );
            assert_eq!(norm(&t), "工研院");
        }
    }
    // The terminal hit line's first word, `id#passage`, is an id too: the article, that passage in focus.
    let out = env.search(&["专精特新", "--color", "never"]);
    let head = out.stdout.lines().next().unwrap();
    let word = head.split_whitespace().nth(1).unwrap();
    assert_eq!(word, format!("{BUNDLED}#a2#4"), "{head}");
    let (v, _) = show_json(&env, &[word]);
    assert_eq!(
        (v["id"].clone(), v["focus"].clone()),
        (format!("{BUNDLED}#a2").into(), 4.into())
    );
    assert_eq!(v["passage_count"], 8);
    assert!(v.get("query").is_none() && v.get("match").is_none(), "{v}");
}

#[test]
fn the_terminal_shows_the_head_the_body_by_passage_and_the_marks() {
    let env = TestEnv::bundled_page();
    let id = format!("{BUNDLED}#a2");
    let out = show(&env, &[&id, "专精特新", "--color", "never"]);
    let stdout = out.assert_ok();
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(
        lines[..4],
        [
            "着力塑造新动能新优势",
            "江苏常州高新区加快培育未来产业",
            "科技日报  柳鑫 谢佳妮 周娟 记者过国忠",
            &format!("{id}  (8 passages)"),
        ],
        "{stdout}"
    );
    // Each passage after its ordinal, paragraphs apart; the last line counts the marks.
    assert!(
        lines.iter().any(|l| l.starts_with("0  科技日报讯(")),
        "{stdout}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("7  常州高新区内的森塔塔")),
        "{stdout}"
    );
    assert_eq!(
        lines.last(),
        Some(&"1 match in 1 of 8 passages"),
        "{stdout}"
    );
    assert!(!stdout.contains('\u{1b}'));
    // In colour, the match is marked (red, bold) and nothing else is.
    let out = show(&env, &[&id, "专精特新", "--color", "always"]);
    assert!(
        out.assert_ok()
            .contains("\u{1b}[1m\u{1b}[31m专精特新\u{1b}[0m"),
        "{out:#?}"
    );
    // The title is marked too.
    let out = show(&env, &[&id, "培育", "--color", "always"]);
    assert!(
        out.assert_ok()
            .lines()
            .nth(1)
            .unwrap()
            .contains("\u{1b}[31m培育\u{1b}[0m"),
        "{out:#?}"
    );
}

#[test]
fn around_keeps_the_neighbourhood_of_each_match() {
    let env = TestEnv::bundled_page();
    let id = format!("{BUNDLED}#a2");
    let (v, _) = show_json(&env, &[&id, "专精特新", "--around", "1"]);
    assert_eq!(ordinals(&v), [3, 4, 5]);
    assert_eq!(
        (v["around"].clone(), v["passage_count"].clone()),
        (1.into(), 8.into())
    );
    let (v, _) = show_json(&env, &[&id, "专精特新", "--around", "0"]);
    assert_eq!(ordinals(&v), [4]);
    // Matches in passages 0 and 4 (周庆 is in 1, 2 and 6 too): runs that overlap are merged.
    let (v, _) = show_json(&env, &[&id, "新能源", "--around", "1"]);
    let ords = ordinals(&v);
    assert!(ords.starts_with(&[0, 1]) && !ords.contains(&7), "{v}");
    // On the terminal, `⋯` where passages are left out.
    let out = show(
        &env,
        &[&id, "专精特新", "--around", "1", "--color", "never"],
    );
    let stdout = out.assert_ok();
    let numbered: Vec<&str> = stdout
        .lines()
        .filter(|l| l.starts_with(|c: char| c.is_ascii_digit()))
        .collect();
    assert_eq!(numbered.len(), 3 + 1, "{stdout}"); // three passages and the summary
    assert_eq!(stdout.matches('⋯').count(), 2, "{stdout}");
    // Without a query or a passage, --around has nothing to be around.
    show(&env, &[&id, "--around", "1"]).assert_error(&["--around"]);
    // A passage named by `id#N`: around it.
    let n = format!("{id}#6");
    let (v, _) = show_json(&env, &[&n, "--around", "1"]);
    assert_eq!(ordinals(&v), [5, 6, 7]);
}

#[test]
fn an_article_without_the_query_is_shown_with_status_1() {
    let env = TestEnv::bundled_page();
    let id = format!("{BUNDLED}#a2");
    let (v, out) = show_json(&env, &[&id, "常州", "进博会"]);
    assert_eq!(out.code, Some(1));
    assert_eq!(v["match"], false);
    assert_eq!(v["missing"], serde_json::json!(["进博会"]));
    assert!(!v["hits"].as_array().unwrap().is_empty());
    // An excluded term that occurs: no match either.
    let (v, out) = show_json(&env, &[&id, "常州", "-周庆"]);
    assert_eq!(
        (out.code, v["excluded"].clone()),
        (Some(1), serde_json::json!(["周庆"]))
    );
    let out = show(&env, &[&id, "进博会", "--color", "never"]);
    assert_eq!(out.code, Some(1));
    assert!(
        out.stdout
            .trim_end()
            .ends_with("0 matches in 0 of 8 passages; no match: the article lacks 进博会"),
        "{out:#?}"
    );
    assert!(out.stdout.contains("江苏常州高新区加快培育未来产业"));
    // A query that can't be run is an error.
    show(&env, &[&id, "-常州"]).assert_error(&["invalid query"]);
}

#[test]
fn record_ids_are_unambiguous_and_bad_ids_say_so_in_one_line() {
    let rec = |id: &str, title: &str, body: &str| {
        serde_json::json!({"id": id, "title": title, "body": body}).to_string() + "\n"
    };
    let env = TestEnv::indexed(&[
        (
            "a.jsonl",
            &(rec("xwlb-01", "防汛会议", "防汛工作部署。\n\n各地加强值守。")
                + &rec("dup", "甲文", "甲文讲防汛。")),
        ),
        ("b.jsonl", &rec("dup", "乙文", "乙文也讲防汛。")),
    ]);
    // A unique id prints bare; a shared one with its file.
    let found = env.search_json(&["防汛", "-n", "10"]);
    let mut ids: Vec<&str> = found.hits.iter().map(|h| h.show_id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids, ["a.jsonl#dup", "b.jsonl#dup", "xwlb-01"]);
    let out = env.search(&["乙文", "--color", "never"]);
    assert!(
        out.stdout
            .starts_with(" 1. b.jsonl:1#0 [b.jsonl#dup]  乙文  ("),
        "{out:#?}"
    );
    for hit in &found.hits {
        let (v, out) = show_json(&env, &[&hit.show_id, "防汛"]);
        assert_eq!(
            (out.code, v["id"].clone()),
            (Some(0), hit.id.as_str().into())
        );
        assert_eq!(v["path"], hit.path.as_str());
        assert_eq!(v["line"], hit.line.unwrap());
    }
    let (v, _) = show_json(&env, &["a.jsonl#xwlb-01"]);
    assert_eq!(v["show_id"], "xwlb-01");
    // The body: paragraphs apart, as in the record.
    let body: String = v["passages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            format!(
                "{}{}",
                p["sep"].as_str().unwrap(),
                p["text"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(body, "防汛工作部署。\n\n各地加强值守。");

    let out = show(&env, &["dup"]);
    let msg = out.assert_error(&["'dup' names 2 articles", "a.jsonl#dup", "b.jsonl#dup"]);
    assert_eq!(msg.lines().count(), 1, "{msg}");
    let out = show(&env, &["xwlb-10"]);
    let msg = out.assert_error(&["no article 'xwlb-10'", "did you mean 'xwlb-01'"]);
    assert_eq!(msg.lines().count(), 1, "{msg}");
    show(&env, &["nothing-like-it-at-all"]).assert_error(&["no article 'nothing-like-it-at-all'"]);
}

#[test]
fn a_text_file_is_rebuilt_paragraph_by_paragraph() {
    // A paragraph longer than a passage is cut at sentence ends: its passages join again without a break.
    let long: String = (0..40)
        .map(|i| format!("第{i}句讲述防汛抗旱的具体安排。"))
        .collect();
    let text = format!("防汛简报\n\n开头一段。\n\n{long}\n\n结尾 one more line.\n");
    let env = TestEnv::indexed(&[("brief.txt", &text)]);
    let (v, out) = show_json(&env, &["brief.txt", "防汛"]);
    assert_eq!(out.code, Some(0));
    assert!(v["passage_count"].as_u64().unwrap() >= 5, "{v}");
    let body: String = v["passages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            format!(
                "{}{}",
                p["sep"].as_str().unwrap(),
                p["text"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(body, text.trim_end());
    let paragraphs: Vec<u64> = v["passages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["paragraph"].as_u64().unwrap())
        .collect();
    assert_eq!(paragraphs.first(), Some(&0));
    assert_eq!(paragraphs.last(), Some(&3));
    // 41 marks: the title's heading line and every sentence of the long paragraph.
    assert_eq!(v["hits"].as_array().unwrap().len(), 41, "{v}");
    // The file's offsets of each mark are the file's characters.
    let chars: Vec<char> = text.chars().collect();
    for h in v["hits"].as_array().unwrap() {
        let (s, e) = (
            h["file"][0].as_u64().unwrap(),
            h["file"][1].as_u64().unwrap(),
        );
        assert_eq!(
            chars[s as usize..e as usize].iter().collect::<String>(),
            "防汛"
        );
    }
}

/// A keyword query's matches in an article are its terms, whole (as a hit must contain them), not the
/// words inside a term; a passage that the article lacks is an error.
#[test]
fn keyword_matches_are_whole_terms_and_passages_exist() {
    let env = TestEnv::indexed(&[(
        "a.txt",
        "脱贫攻坚取得决定性成就。\n\n各地巩固脱贫成果。\n\n脱贫攻坚精神代代相传。",
    )]);
    let (v, _) = show_json(&env, &["a.txt", "脱贫攻坚"]);
    let texts: Vec<&str> = v["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["text"].as_str().unwrap())
        .collect();
    assert_eq!(texts, ["脱贫攻坚", "脱贫攻坚"], "{v}");
    let out = show(&env, &["a.txt#7"]);
    out.assert_error(&["no passage 7", "0–2"]);
}
