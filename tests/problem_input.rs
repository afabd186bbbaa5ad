//! Input that is not what it seems (issue 19, items 5–9): file names that are not UTF-8, a corpus moved
//! with nothing changed in it, archives whose records can't be read, a file that changes while it is read,
//! and an index inside its own corpus. Each kind has a promise in the README's "Problem files and
//! interrupted runs".

use crate::util::{TestEnv, assert_finds_exactly, parse_json};

/// The paths of the hits of a search (no check of the hits against the files: some paths here are not
/// UTF-8 on disk).
fn hit_paths(env: &TestEnv, query: &str) -> Vec<String> {
    parse_json(env.search(&["--json", query]))
        .hits
        .iter()
        .map(|h| h.path.clone())
        .collect()
}

/// Sets the modification time of the corpus's directories an hour back: a directory modified within the
/// last seconds is "racy" (its time is not trusted) and makes `sou index` write its manifest whatever else
/// happened, which would hide a manifest that is not written.
fn age_dirs(env: &TestEnv) {
    let past = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    let mut dirs = vec![env.corpus()];
    while let Some(d) = dirs.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            if e.file_type().unwrap().is_dir() {
                dirs.push(e.path());
            }
        }
        std::fs::File::open(&d).unwrap().set_modified(past).unwrap();
    }
}

// ---------------------------------------------------------------------------------------------------------
// 5. File names that are not UTF-8.

#[cfg(unix)]
#[test]
fn file_names_that_are_not_utf8_are_distinct_files_named_unmistakably() {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;
    let env = TestEnv::new(&[]);
    // Three names that a lossy conversion makes one (`a\u{FFFD}.txt`), and one that spells an escape.
    let files: [(&[u8], &str, &str); 4] = [
        (b"a\xff.txt", "甲文讲农业。", "a\\xFF.txt"),
        (b"a\xfe.txt", "乙文讲天气。", "a\\xFE.txt"),
        ("a\u{FFFD}.txt".as_bytes(), "丙文讲银行。", "a\u{FFFD}.txt"),
        (br"a\xff.txt", "丁文讲海水淡化。", r"a\\xff.txt"),
    ];
    for (name, text, _) in &files {
        std::fs::write(env.corpus().join(OsStr::from_bytes(name)), text).unwrap();
    }
    let first = env.index();
    assert!(first.starts_with("indexed 4 files (4 new,"), "{first}");
    for ((_, _, shown), query) in files.iter().zip(["农业", "天气", "银行", "海水淡化"]) {
        assert_eq!(hit_paths(&env, query), [*shown], "{query}");
    }
    // Nothing changed, and a search says so.
    let again = env.index();
    assert!(
        again.contains("(0 new, 0 changed, 0 removed, 4 unchanged)"),
        "{again}"
    );
    let out = env.search(&["农业"]);
    assert_eq!(out.stderr, "", "{out:#?}");
    // The name shown leads back to the file: removing it removes that file alone.
    std::fs::remove_file(env.corpus().join(OsStr::from_bytes(b"a\xff.txt"))).unwrap();
    let out = env.search(&["天气"]);
    assert!(
        out.stderr.contains("(0 new, 0 changed, 1 removed files)"),
        "{out:#?}"
    );
    let removed = env.index();
    assert!(
        removed.contains("(0 new, 0 changed, 1 removed, 3 unchanged)"),
        "{removed}"
    );
    assert_eq!(hit_paths(&env, "农业"), Vec::<String>::new());
    assert_eq!(hit_paths(&env, "天气"), ["a\\xFE.txt"]);
}

#[cfg(unix)]
#[test]
fn a_folder_whose_name_is_not_utf8_is_watched_under_its_own_name() {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;
    let env = TestEnv::new(&[("b.txt", "另一篇讲天气。")]);
    let dir = env.corpus().join(OsStr::from_bytes(b"d\xff"));
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(dir.join("x.txt"), "这篇讲农业。").unwrap();
    env.index();
    assert_eq!(hit_paths(&env, "农业"), ["d\\xFF/x.txt"]);
    // A file added to it is seen by the search's check of the folder, and indexed.
    std::fs::write(dir.join("y.txt"), "这篇讲银行。").unwrap();
    let out = env.search(&["农业"]);
    assert!(
        out.stderr.contains("(1 new, 0 changed, 0 removed files)"),
        "{out:#?}"
    );
    let added = env.index();
    assert!(
        added.contains("(1 new, 0 changed, 0 removed, 2 unchanged)"),
        "{added}"
    );
    assert_eq!(env.search(&["农业"]).stderr, "");
}

// ---------------------------------------------------------------------------------------------------------
// 6. A corpus moved with nothing changed in it.

#[test]
fn a_moved_corpus_is_recorded_even_when_no_file_changed() {
    let env = TestEnv::new(&[("a.txt", "第一篇讲农业。"), ("sub/b.txt", "第二篇讲天气。")]);
    age_dirs(&env);
    env.index();
    let moved = env.root().join("corpus2");
    std::fs::rename(env.corpus(), &moved).unwrap();
    let out = env.run([
        "index",
        "--corpus",
        &moved.display().to_string(),
        "--index",
        &env.index_dir().display().to_string(),
    ]);
    assert!(out.assert_ok().contains("2 unchanged"), "{out:#?}");
    // A search of the index alone looks in the corpus where it now is, and finds nothing amiss.
    let out = env.run([
        "search",
        "--index",
        &env.index_dir().display().to_string(),
        "农业",
    ]);
    assert!(out.assert_ok().contains("a.txt#0"), "{out:#?}");
    assert_eq!(out.stderr, "", "{out:#?}");
    let root = env.manifest_json()["corpus_root"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(root.ends_with("corpus2"), "{root}");
}

// ---------------------------------------------------------------------------------------------------------
// 9. An index inside its corpus.

#[test]
fn an_index_inside_its_corpus_is_not_part_of_it() {
    let env = TestEnv::new(&[("a.txt", "工研院是一家研究院，讲农业。")]);
    std::fs::write(env.root().join("dict.txt"), "工研院 100 n\n").unwrap();
    let corpus = env.corpus().display().to_string();
    let inside = env.corpus().join("idx").display().to_string();
    let index = |extra: &[&str]| {
        let mut args = vec!["index", "--corpus", &corpus, "--index", &inside];
        args.extend_from_slice(extra);
        env.run(args)
    };
    let out = index(&["--dict", "dict.txt"]);
    assert!(
        out.assert_ok().starts_with("indexed 1 files (1 new,"),
        "{out:#?}"
    );
    let out = env.run(["search", "--index", &inside, "工研院"]);
    assert!(out.assert_ok().contains("a.txt#0"), "{out:#?}");
    assert!(!out.stdout.contains("idx/"), "{out:#?}");
    assert_eq!(out.stderr, "", "{out:#?}");
    let out = index(&[]);
    assert!(
        out.assert_ok()
            .contains("(0 new, 0 changed, 0 removed, 1 unchanged)"),
        "{out:#?}"
    );
    // Under another name too (a symbolic link to it).
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(env.corpus().join("idx"), env.corpus().join("link")).unwrap();
        let out = index(&[]);
        assert!(out.assert_ok().contains("1 unchanged)"), "{out:#?}");
        assert!(!out.stdout.contains("1 new"), "{out:#?}");
    }
}

#[test]
fn field_names_given_to_a_run_that_changed_no_file_are_remembered() {
    let env = TestEnv::new(&[("a.txt", "一篇讲农业的文章。")]);
    age_dirs(&env);
    env.index();
    let out = env.try_index(&["--body-field", "text"]);
    assert!(out.assert_ok().contains("1 unchanged"), "{out:#?}");
    env.write(
        "wire.jsonl",
        "{\"id\":\"w1\",\"text\":\"这一条讲天气。\"}\n",
    );
    let added = env.index();
    assert!(added.contains("(1 new,"), "{added}");
    env.set_body_field("text");
    assert_finds_exactly(&env, &["天气"], &["wire.jsonl"]);
}
