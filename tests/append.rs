//! Appending records to a JSON Lines archive: only the new lines are read, and the index answers exactly as
//! one built from scratch; any other change to the archive (its old bytes edited, shrunk, other field names, a
//! manifest that does not describe the last commit) reads it whole, as before.

use serde_json::Value;

use crate::util::{Hit, TestEnv, assert_no_hits};

/// One record, as a line with its newline. `id: None` leaves the id out (it is then `<stem>:<line>`).
fn record(id: Option<&str>, title: &str, date: &str, body: &str) -> String {
    let mut v = serde_json::json!({ "title": title, "date": date, "body": body });
    if let Some(id) = id {
        v["id"] = Value::from(id);
    }
    format!("{v}\n")
}

/// A body of `paragraphs` paragraphs about `topic`, long enough that several are cut into passages.
fn body(topic: &str, n: usize, paragraphs: usize) -> String {
    (0..paragraphs)
        .map(|p| {
            let sentence =
                format!("第{n}条第{p}段说{topic}，银行和农业部门一起推进乡村振兴，企业反映良好。");
            sentence.repeat(1 + (n + p) % 9)
        })
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// Records `from..to` of a made-up archive: titles, dates, ids (some missing), bodies of one to several
/// passages, a blank line and a malformed line among them.
fn records(from: usize, to: usize) -> String {
    let topics = [
        "天气预报",
        "海水淡化",
        "储能电池",
        "高新技术企业",
        "防汛应急",
    ];
    let mut out = String::new();
    for n in from..to {
        let topic = topics[n % topics.len()];
        let id = format!("r{n}");
        let id = (n % 7 != 3).then_some(id.as_str());
        out.push_str(&record(
            id,
            &format!("{topic}报道之{n}"),
            &format!("2024-01-{:02}", 1 + n % 28),
            &body(topic, n, 1 + n % 4),
        ));
        if n % 11 == 5 {
            out.push('\n');
        }
        if n % 13 == 7 {
            out.push_str("{\"id\": \"broken\", \"body\": \n");
        }
    }
    out
}

const QUERIES: &[&[&str]] = &[
    &["银行", "-n", "200"],
    &["农业", "海水淡化", "-n", "50"],
    &["\"储能电池\"", "-n", "50"],
    &["天气预报", "OR", "防汛应急", "-n", "50"],
    &["第12条"],
    &["乡村振兴", "-高新技术企业", "-n", "30"],
    &["哪些企业反映良好？"],
];

/// The JSON hits and total of each of [`QUERIES`].
fn answers(env: &TestEnv) -> Vec<(usize, Vec<Hit>)> {
    QUERIES
        .iter()
        .map(|q| {
            let found = env.search_json(q);
            (found.summary.total_hits, found.hits)
        })
        .collect()
}

/// The manifest's entry of `rel` (size, hash, lines, passages, …).
fn entry(env: &TestEnv, rel: &str) -> Value {
    env.manifest_json()["files"][rel].clone()
}

/// Appends `text` to the corpus file `rel`.
fn append(env: &TestEnv, rel: &str, text: &str) {
    use std::io::Write;
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(env.corpus().join(rel))
        .unwrap();
    f.write_all(text.as_bytes()).unwrap();
}

/// Asserts that the index answers as one rebuilt from scratch on the same corpus, and that the manifest's
/// entry of `rel` is the one a full read records. Leaves the index rebuilt.
fn assert_same_as_rebuild(env: &TestEnv, rel: &str) {
    let updated = answers(env);
    let updated_entry = entry(env, rel);
    env.try_index(&["--rebuild"]).assert_ok();
    let rebuilt = answers(env);
    for ((q, a), b) in QUERIES.iter().zip(&updated).zip(&rebuilt) {
        assert_eq!(
            a, b,
            "{q:?}: the updated index answers otherwise than a rebuild"
        );
    }
    assert_eq!(updated_entry, entry(env, rel), "manifest entry of {rel}");
}

#[test]
fn appended_records_are_indexed_alone_and_answer_as_a_rebuild() {
    let env = TestEnv::new(&[
        ("news.jsonl", &records(0, 40)),
        ("other.txt", "银行的公告。"),
    ]);
    let (first, _) = env.index_json(&[]);
    assert_eq!(first["appended"], 0);
    let before = entry(&env, "news.jsonl");
    let lines_before = before["lines"].as_u64().unwrap();
    assert!(lines_before > 40, "{before}");

    // Twelve records appended: only they are read (their bytes, their passages), the file is not "changed".
    let more = records(40, 52);
    append(&env, "news.jsonl", &more);
    let (stats, out) = env.index_json(&[]);
    assert_eq!(stats["appended"], 1, "{out:#?}");
    assert_eq!(stats["records_appended"], 12, "{out:#?}");
    assert_eq!(
        (&stats["changed"], &stats["added"], &stats["unchanged"]),
        (&Value::from(0), &Value::from(0), &Value::from(1)),
        "{out:#?}"
    );
    assert_eq!(stats["bytes"], more.len() as u64, "{out:#?}");
    let after = entry(&env, "news.jsonl");
    let written = stats["passages_written"].as_u64().unwrap();
    assert!(written > 12, "{out:#?}");
    assert_eq!(
        after["passages"].as_u64().unwrap(),
        before["passages"].as_u64().unwrap() + written
    );
    assert_eq!(
        after["lines"].as_u64().unwrap(),
        lines_before + more.lines().count() as u64
    );
    // A malformed line among the new ones is reported with its line number in the whole file.
    let bad_line = lines_before
        + 1
        + more
            .lines()
            .position(|l| l.starts_with("{\"id\": \"broken\""))
            .unwrap() as u64;
    assert!(
        out.stderr.contains(&format!("news.jsonl:{bad_line}: ")),
        "{out:#?}"
    );
    // The terminal summary says so.
    append(&env, "news.jsonl", &records(52, 53));
    let line = env.index();
    assert!(
        line.contains("0 changed, 0 removed, 1 unchanged, 1 appended (1 records added)"),
        "{line}"
    );
    // A record without an id is named by its line in the whole file.
    let found = env.search_json(&["第45条"]);
    assert_eq!(
        found.top().id,
        format!("news:{}", found.top().line.unwrap())
    );

    assert_same_as_rebuild(&env, "news.jsonl");
}

#[test]
fn a_last_line_without_a_newline_is_indexed_once() {
    // The archive ends in a record without a newline: appending a newline and records keeps it once.
    let old = records(0, 6);
    let old = old.trim_end_matches('\n');
    let env = TestEnv::indexed(&[("a.jsonl", old)]);
    let last_line = entry(&env, "a.jsonl")["lines"].as_u64().unwrap();
    append(&env, "a.jsonl", &format!("\r\n{}", records(6, 9)));
    let (stats, out) = env.index_json(&[]);
    assert_eq!(
        (&stats["appended"], &stats["records_appended"]),
        (&Value::from(1), &Value::from(3)),
        "{out:#?}"
    );
    let found = env.search_json(&["第5条", "--passages"]);
    assert_eq!(found.summary.total_hits, found.hits.len());
    assert!(
        found.hits.iter().all(|h| h.line == Some(last_line)),
        "{:#?}",
        found.hits
    );
    let found = env.search_json(&["第6条", "--passages"]);
    assert!(found.hits.iter().all(|h| h.line == Some(last_line + 1)));
    assert_same_as_rebuild(&env, "a.jsonl");

    // A record cut short (a writer caught mid-line) is malformed, and then completed: the old last line is
    // another record now, so the file is read whole.
    let env = TestEnv::indexed(&[("b.jsonl", &records(0, 3))]);
    append(&env, "b.jsonl", r#"{"id": "late", "body": "半句"#);
    let (stats, out) = env.index_json(&[]);
    assert_eq!(stats["appended"], 1, "{out:#?}");
    assert!(out.stderr.contains("b.jsonl:4: not valid JSON"), "{out:#?}");
    assert_no_hits(&env, &["半句"]);
    append(&env, "b.jsonl", "话说完了。\"}\n");
    let (stats, out) = env.index_json(&[]);
    assert_eq!(
        (&stats["appended"], &stats["changed"]),
        (&Value::from(0), &Value::from(1)),
        "{out:#?}"
    );
    let found = env.search_json(&["半句话"]);
    assert_eq!(
        (found.hits.len(), found.top().id.as_str(), found.top().line),
        (1, "late", Some(4))
    );
    assert_same_as_rebuild(&env, "b.jsonl");
}

#[test]
fn other_changes_read_the_archive_whole() {
    let env = TestEnv::indexed(&[("a.jsonl", &records(0, 10))]);
    let changed = |env: &TestEnv, what: &str, args: &[&str]| {
        let (stats, out) = env.index_json(args);
        assert_eq!(
            (&stats["appended"], &stats["changed"]),
            (&Value::from(0), &Value::from(1)),
            "{what}: {out:#?}"
        );
    };
    // An old byte edited, and the file grown: the edited record is found as it is now.
    let text = env
        .read("a.jsonl")
        .replacen("第0条第0段说天气预报", "第0条第0段说台风预警", 1);
    env.write("a.jsonl", format!("{text}{}", records(10, 12)));
    changed(&env, "an old byte edited", &[]);
    let found = env.search_json(&["台风预警"]);
    assert_eq!((found.hits.len(), found.top().line), (1, Some(1)));
    assert_same_as_rebuild(&env, "a.jsonl");
    // Shrunk.
    env.write("a.jsonl", records(0, 8));
    changed(&env, "shrunk", &[]);
    assert_eq!(
        entry(&env, "a.jsonl")["lines"].as_u64(),
        Some(records(0, 8).lines().count() as u64)
    );
    assert_same_as_rebuild(&env, "a.jsonl");
    // Grown, with other field names: everything is read with them.
    let renamed = records(0, 9).replace("\"title\"", "\"headline\"");
    env.write("a.jsonl", &renamed);
    changed(&env, "other field names", &["--title-field", "headline"]);
    // Grown, and read with other settings (`sou.toml`).
    env.write(
        "sou.toml",
        "[[files]]\nglob = \"*.jsonl\"\ntitle_field = \"title\"\n",
    );
    append(&env, "a.jsonl", &records(9, 10));
    changed(&env, "other settings", &[]);
    // Appends work again afterwards.
    append(&env, "a.jsonl", &records(10, 11));
    let (stats, out) = env.index_json(&[]);
    assert_eq!(stats["appended"], 1, "{out:#?}");
}

#[test]
fn a_manifest_of_an_older_sou_reads_a_grown_archive_whole_once() {
    let env = TestEnv::indexed(&[("a.jsonl", &records(0, 10))]);
    // What an older sou wrote: no line counts, no commit.
    let mut manifest = env.manifest_json();
    manifest["files"]["a.jsonl"]
        .as_object_mut()
        .unwrap()
        .remove("lines");
    manifest.as_object_mut().unwrap().remove("commit");
    env.write_manifest_json(&manifest);
    append(&env, "a.jsonl", &records(10, 12));
    let (stats, out) = env.index_json(&[]);
    assert_eq!(
        (&stats["appended"], &stats["changed"]),
        (&Value::from(0), &Value::from(1)),
        "{out:#?}"
    );
    append(&env, "a.jsonl", &records(12, 13));
    let (stats, out) = env.index_json(&[]);
    assert_eq!(
        (&stats["appended"], &stats["changed"]),
        (&Value::from(1), &Value::from(0)),
        "{out:#?}"
    );
    assert_same_as_rebuild(&env, "a.jsonl");
}

#[test]
fn an_append_killed_between_commit_and_manifest_is_not_indexed_twice() {
    let env = TestEnv::indexed(&[("a.jsonl", &records(0, 10))]);
    let manifest = env.index_dir().join("sou-manifest.json");
    let old = std::fs::read(&manifest).unwrap();
    // An append committed, then the manifest put back as a kill after tantivy's commit would leave it.
    append(&env, "a.jsonl", &records(10, 12));
    let (stats, _) = env.index_json(&[]);
    assert_eq!(stats["appended"], 1);
    std::fs::write(&manifest, &old).unwrap();
    // The next run must not append the same records again: it reads the file whole.
    let (stats, out) = env.index_json(&[]);
    assert_eq!(
        (&stats["appended"], &stats["changed"]),
        (&Value::from(0), &Value::from(1)),
        "{out:#?}"
    );
    let found = env.search_json(&["第11条"]);
    assert!(!found.hits.is_empty());
    assert!(found.hits.iter().all(|h| h.line == found.top().line));
    let passages = found.hits.len();
    assert_same_as_rebuild(&env, "a.jsonl");
    assert_eq!(env.search_json(&["第11条"]).hits.len(), passages);

    // The same with more records appended after the kill, before the next run.
    std::fs::write(&manifest, &old).unwrap();
    append(&env, "a.jsonl", &records(12, 14));
    let (stats, out) = env.index_json(&[]);
    assert_eq!(stats["appended"], 0, "{out:#?}");
    assert_same_as_rebuild(&env, "a.jsonl");
    // Once a run has committed with its manifest, appends are indexed alone again.
    append(&env, "a.jsonl", &records(14, 15));
    let (stats, out) = env.index_json(&[]);
    assert_eq!(stats["appended"], 1, "{out:#?}");
    assert_same_as_rebuild(&env, "a.jsonl");
}
