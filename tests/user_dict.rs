//! User dictionary: `sou index --dict FILE` (and `sou analyze --dict`): its words segment the text, a change
//! re-segments only the files that need it, bad or missing dictionaries are clear errors.

use crate::hay;
use crate::util::{TestEnv, assert_finds_exactly, line_starting, traps};

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
    let manifest = env.manifest_json();
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
    let manifest = env.manifest_json();
    assert!(manifest["dict"].is_null(), "{manifest}");
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
    let manifest = env.manifest_json();
    assert!(!manifest["dict"].is_null(), "{manifest}");
    // Still in use: editing it makes search warn.
    std::fs::write(&dict_path, "鹏锋诚 10\n科技有限公司 5\n").unwrap();
    let out = env.search(&["鹏锋诚"]);
    out.assert_ok();
    assert!(out.stderr.contains("user dictionary"), "{out:#?}");
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
    let env = traps();
    let missing = env.root().join("no-such-dict.txt");
    let out = env.try_index(&["--dict", &missing.display().to_string()]);
    let msg = out.assert_error(&["no-such-dict.txt"]);
    assert_eq!(msg.matches("os error 2").count(), 1, "{msg}");
}
