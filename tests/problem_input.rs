//! Input that is not what it seems (issue 19, items 5–9): file names that are not UTF-8, a corpus moved
//! with nothing changed in it, archives whose records can't be read, a file that changes while it is read,
//! and an index inside its own corpus. Each kind has a promise in the README's "Problem files and
//! interrupted runs".

use crate::util::{Output, TestEnv, assert_finds_exactly, parse_json};

/// The paths of the hits of a search (no check of the hits against the files: some paths here are not
/// UTF-8 on disk).
fn hit_paths(env: &TestEnv, query: &str) -> Vec<String> {
    parse_json(env.search(&["--json", query]))
        .hits
        .iter()
        .map(|h| h.path.clone())
        .collect()
}

/// `sou index --json` whatever its status: the summary's `data` and the output.
fn index_summary(env: &TestEnv) -> (serde_json::Value, Output) {
    let out = env.try_index(&["--json"]);
    let v: serde_json::Value =
        serde_json::from_str(out.stdout.trim()).unwrap_or_else(|e| panic!("{e}: {out:#?}"));
    assert_eq!(v["type"], "index_summary", "{out:#?}");
    (v["data"].clone(), out)
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
// 7. Archives whose records can't be read.

#[test]
fn an_archive_without_one_readable_record_fails_and_skipped_records_are_counted() {
    let env = TestEnv::new(&[
        ("ok.txt", "一篇讲农业的文章。"),
        (
            "text.jsonl",
            "{\"id\":1,\"text\":\"正文写在别的字段里。\"}\n{\"id\":2,\"text\":\"第二条也是。\"}\n\n",
        ),
        (
            "mixed.jsonl",
            "{\"id\":\"m1\",\"body\":\"这一条讲天气。\"}\nnot json\n{\"id\":\"m3\"}\n",
        ),
    ]);
    let (data, out) = index_summary(&env);
    assert_eq!(out.code, Some(2), "{out:#?}");
    assert_eq!(data["failed"], 1, "{data}");
    assert_eq!(data["records_skipped"], 4, "{data}");
    assert!(
        out.stderr
            .contains("text.jsonl: no record could be read: 2 lines skipped"),
        "{out:#?}"
    );
    assert_finds_exactly(&env, &["天气"], &["mixed.jsonl"]);
    // The failed archive is not "unchanged" on the next run: it fails again, and the summary says so.
    let out = env.try_index(&[]);
    assert_eq!(out.code, Some(2), "{out:#?}");
    assert!(
        out.stdout.contains(", 1 failed, 2 records skipped)"),
        "{out:#?}"
    );
    // Read with the right field name, it is indexed.
    let out = env.try_index(&["--body-field", "text"]);
    assert_eq!(out.code, Some(2), "{out:#?}"); // now mixed.jsonl has no "text" field
    env.set_body_field("text");
    assert_finds_exactly(&env, &["别的字段"], &["text.jsonl"]);
}

#[test]
fn a_lone_surrogate_escape_is_read_as_the_replacement_character_and_reported() {
    let env = TestEnv::new(&[(
        "a.jsonl",
        concat!(
            r#"{"id":"s1","body":"半个字\ud800之后还讲农业。"}"#,
            "\n",
            r#"{"id":"s2","body":"成对的\ud83d\ude00不算，\\ud800也不算，讲天气。"}"#,
            "\n",
        ),
    )]);
    let (data, out) = index_summary(&env);
    assert_eq!(out.code, Some(0), "{out:#?}");
    assert_eq!(
        (&data["failed"], &data["records_skipped"]),
        (&0.into(), &0.into())
    );
    assert!(
        out.stderr
            .contains("a.jsonl:1: an escape of a lone UTF-16 surrogate"),
        "{out:#?}"
    );
    assert!(!out.stderr.contains("a.jsonl:2"), "{out:#?}");
    let found = parse_json(env.search(&["--json", "农业"]));
    assert_eq!(found.hits.len(), 1);
    assert!(
        found.hits[0].text.contains("半个字\u{FFFD}之后"),
        "{found:#?}"
    );
    let found = parse_json(env.search(&["--json", "天气"]));
    assert!(
        found.hits[0].text.contains("成对的😀不算，\\ud800也不算"),
        "{found:#?}"
    );
}

// ---------------------------------------------------------------------------------------------------------
// 8. A file that fails while it is read.

/// The read position of every file descriptor of process `pid` open on `path`.
#[cfg(target_os = "linux")]
fn read_positions(pid: u32, path: &std::path::Path) -> Vec<(String, u64)> {
    let mut out = Vec::new();
    let Ok(fds) = std::fs::read_dir(format!("/proc/{pid}/fd")) else {
        return out;
    };
    for fd in fds.flatten() {
        if std::fs::read_link(fd.path()).is_ok_and(|t| t == path) {
            let name = fd.file_name().to_string_lossy().into_owned();
            let info = std::fs::read_to_string(format!("/proc/{pid}/fdinfo/{name}"));
            let pos = info.ok().and_then(|i| {
                i.lines()
                    .find_map(|l| l.strip_prefix("pos:"))
                    .and_then(|p| p.trim().parse().ok())
            });
            if let Some(pos) = pos {
                out.push((name, pos));
            }
        }
    }
    out
}

/// A text file that stops being valid UTF-8 while it is read (half a character appended once its first
/// passages are in the writer): the file fails alone, the run commits the rest.
///
/// The moment is found by watching the run's read position in the file (`/proc/PID/fdinfo`): sou reads the
/// file three times (its hash, the check that it decodes, then the passages), the first two fast; a
/// position that stays in the second half of the file is the third read, waiting on the indexing of a
/// chunk, with passages of the first half already in the writer.
#[cfg(target_os = "linux")]
#[test]
fn a_file_that_stops_being_utf8_while_it_is_read_fails_alone() {
    use std::io::Write;
    use std::time::{Duration, Instant};
    let env = TestEnv::indexed(&[("old.txt", "早就索引过的一篇讲银行。")]);
    // Eight chunks of text (sou reads 1 MB at a time), nearly three times the window of characters that the
    // reader holds before it hands out its first passages (`WINDOW_CHARS`).
    let paragraph = "高新区召开工作动员大会，安排部署相关工作，加快建设世界一流高科技园区。\n\n";
    let big: String = paragraph.repeat((8 << 20) / paragraph.len());
    env.write("big.txt", &big);
    env.write("new.txt", "新来的一篇讲农业。");
    let big_path = std::fs::canonicalize(env.corpus().join("big.txt")).unwrap();
    let size = big.len() as u64;
    let corpus = env.corpus().display().to_string();
    let index = env.index_dir().display().to_string();
    let mut child = env
        .command(
            [
                "index",
                "--threads",
                "1",
                "--corpus",
                &corpus,
                "--index",
                &index,
            ],
            &[],
        )
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    let started = Instant::now();
    let mut still: Option<(String, u64, Instant)> = None;
    let mut appended = false;
    while child.try_wait().unwrap().is_none() && started.elapsed() < Duration::from_secs(120) {
        let now = Instant::now();
        let mid = read_positions(pid, &big_path)
            .into_iter()
            .find(|(_, pos)| *pos > size / 2 && *pos < size);
        still = match (mid, still) {
            (Some((fd, pos)), Some((f, p, since))) if fd == f && pos == p => {
                if now - since > Duration::from_millis(40) {
                    let mut f = std::fs::OpenOptions::new()
                        .append(true)
                        .open(&big_path)
                        .unwrap();
                    f.write_all("农".as_bytes().split_at(1).0).unwrap();
                    appended = true;
                    break;
                }
                Some((fd, pos, since))
            }
            (Some((fd, pos)), _) => Some((fd, pos, now)),
            (None, _) => None,
        };
        std::thread::sleep(Duration::from_micros(300));
    }
    let out = Output::checked(child.wait_with_output().unwrap());
    assert!(
        appended,
        "the run's read of big.txt was not caught midway: {out:#?}"
    );
    assert_eq!(out.code, Some(2), "{out:#?}");
    assert!(
        out.stderr
            .contains("big.txt: the file changed while it was read"),
        "{out:#?}"
    );
    assert!(
        out.stdout.contains("1 new") && out.stdout.contains("1 failed"),
        "{out:#?}"
    );
    // The rest of the run is committed; nothing of the failed file is.
    assert_finds_exactly(&env, &["农业"], &["new.txt"]);
    assert_finds_exactly(&env, &["银行"], &["old.txt"]);
    let found = parse_json(env.search(&["--json", "高新区"]));
    assert!(found.hits.is_empty(), "{found:#?}");
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
