//! The index's life: built on first use, updated with what changed, staleness warnings, other format versions
//! and storage settings, damage, segments and threads, kills, the lock, and write errors.

use std::process::Stdio;

use crate::hay;
use crate::util::{
    self, Output, TestEnv, assert_finds_exactly, assert_no_hits, traps, wait_output,
};

// ---------------------------------------------------------------------------------------------------------
// Building on first use, updating what changed, staleness.

#[test]
fn search_without_index_builds_it() {
    let env = TestEnv::new(hay::TRAPS);
    assert!(!env.index_dir().exists());
    let out = env.search(&["农业"]);
    out.assert_ok();
    assert!(out.stderr.contains("building"), "{out:#?}");
    assert!(out.stderr.contains("indexed 8 files"), "{out:#?}");
    assert!(out.stdout.contains("nongye.txt#0"));
    assert!(env.index_dir().join("sou-manifest.json").is_file());
    // The second search uses it, silently.
    let out = env.search(&["农业"]);
    out.assert_ok();
    assert_eq!(out.stderr, "");
}

#[test]
fn default_paths_are_relative_to_the_current_directory() {
    let env = TestEnv::new(hay::TRAPS);
    let out = env.run(["index"]);
    out.assert_ok();
    assert!(env.root().join("index/sou-manifest.json").is_file());
    let out = env.run(["search", "农业"]);
    assert!(out.assert_ok().contains("nongye.txt#0"));
    assert_eq!(out.stderr, "");
}

#[test]
fn index_updates_only_what_changed() {
    let env = TestEnv::new(&[
        ("a.txt", "第一篇文章讲农业。"),
        ("b.txt", "第二篇文章讲天气。"),
        ("sub/c.md", "# 标题\n\n第三篇文章讲银行。"),
    ]);
    let first = env.index();
    assert!(
        first.starts_with("indexed 3 files (3 new, 0 changed, 0 removed, 0 unchanged): 4 passages written, 4 in the index"),
        "{first}"
    );
    // Nothing changed.
    let again = env.index();
    assert!(
        again.starts_with("indexed 3 files (0 new, 0 changed, 0 removed, 3 unchanged): 0 passages written, 4 in the index"),
        "{again}"
    );
    // Modified: the new content is found, the old is not.
    env.write("b.txt", "第二篇文章改讲海水淡化了。");
    let changed = env.index();
    assert!(
        changed.contains("(0 new, 1 changed, 0 removed, 2 unchanged)"),
        "{changed}"
    );
    assert_finds_exactly(&env, &["海水淡化"], &["b.txt"]);
    assert_no_hits(&env, &["天气"]);
    // Removed: its passages are gone.
    env.remove("a.txt");
    let removed = env.index();
    assert!(
        removed.starts_with("indexed 2 files (0 new, 0 changed, 1 removed, 2 unchanged): 0 passages written, 3 in the index"),
        "{removed}"
    );
    assert_no_hits(&env, &["农业"]);
    // Added.
    env.write("d.txt", "第四篇文章讲农业银行。");
    let added = env.index();
    assert!(
        added.contains("(1 new, 0 changed, 0 removed, 2 unchanged)"),
        "{added}"
    );
    assert_finds_exactly(&env, &["农业"], &["d.txt"]);
    assert_finds_exactly(&env, &["银行"], &["d.txt", "sub/c.md"]);
    // --rebuild starts again.
    let rebuilt = env.try_index(&["--rebuild"]);
    assert!(
        rebuilt
            .assert_ok()
            .contains("(3 new, 0 changed, 0 removed, 0 unchanged)"),
        "{rebuilt:#?}"
    );
    assert_finds_exactly(&env, &["银行"], &["d.txt", "sub/c.md"]);
}

#[test]
fn touched_but_unchanged_file_is_not_reindexed() {
    let env = TestEnv::indexed(&[("a.txt", hay::NONGYE)]);
    let path = env.corpus().join("a.txt");
    let later = std::time::SystemTime::now() + std::time::Duration::from_secs(5);
    std::fs::File::options()
        .write(true)
        .open(&path)
        .unwrap()
        .set_modified(later)
        .unwrap();
    let summary = env.index();
    assert!(
        summary.contains("(0 new, 0 changed, 0 removed, 1 unchanged): 0 passages written"),
        "{summary}"
    );
    // The new time was recorded: no staleness warning.
    let out = env.search(&["农业"]);
    out.assert_ok();
    assert_eq!(out.stderr, "");
}

#[test]
fn search_warns_when_the_corpus_changed() {
    // Files in two folders.
    let env = TestEnv::indexed(&[
        ("a.txt", hay::NONGYE),
        ("b.txt", hay::TIANQI),
        ("d/x.txt", "第一篇。"),
        ("d/y.txt", "第二篇。"),
        ("d/z.txt", "第三篇。"),
        ("e.txt", "第四篇。"),
    ]);
    env.write("b.txt", "今天天气不错，适合出门散步。");
    env.write("d/y.txt", "第二篇，改过了。");
    env.write("c.txt", hay::LIPING);
    env.remove("d/z.txt");
    let out = env.search(&["农业"]);
    out.assert_ok();
    let warning = out.stderr.trim_end();
    assert_eq!(warning.lines().count(), 1, "{out:#?}");
    assert!(warning.starts_with("sou: warning: "), "{warning}");
    assert!(
        warning.contains("changed since it was indexed"),
        "{warning}"
    );
    assert!(warning.contains("1 new, 2 changed, 1 removed"), "{warning}");
    assert!(warning.contains("sou index"), "{warning}");
    // The same without --corpus (the corpus recorded in the index; its files are checked after the index is
    // opened rather than while).
    let index = env.index_dir().display().to_string();
    let out = env.run(["search", "--index", &index, "农业"]);
    out.assert_ok();
    assert_eq!(out.stderr.trim_end(), warning, "{out:#?}");
    // Once re-indexed, no warning.
    env.index();
    let out = env.search(&["农业"]);
    assert_eq!(out.stderr, "");
}

#[test]
fn index_json_summary() {
    let env = TestEnv::new(hay::TRAPS);
    let (d, _) = env.index_json(&[]);
    assert_eq!(d["files"], 8);
    assert_eq!(d["added"], 8);
    assert_eq!(d["changed"], 0);
    assert_eq!(d["removed"], 0);
    assert_eq!(d["unchanged"], 0);
    assert_eq!(d["failed"], 0);
    assert_eq!(d["passages_written"], 8);
    assert_eq!(d["passages_total"], 8);
    assert!(d["elapsed_s"].is_number());
    let (d, _) = env.index_json(&[]);
    assert_eq!(d["unchanged"], 8);
    assert_eq!(d["passages_written"], 0);
}

// ---------------------------------------------------------------------------------------------------------
// Damage, other format versions and storage settings, a directory that is not an index, a missing corpus.

#[test]
fn damaged_manifest_is_a_clear_error_and_index_repairs_it() {
    let env = traps();
    let manifest = env.index_dir().join("sou-manifest.json");
    std::fs::write(&manifest, "this is not json").unwrap();
    let out = env.search(&["农业"]);
    let msg = out.assert_error(&["sou index", "manifest"]);
    assert_eq!(msg.lines().count(), 1, "{msg}");
    let out = env.search(&["--json", "农业"]);
    out.assert_error(&["sou index"]);
    // `sou index` rebuilds it.
    let out = env.try_index(&[]);
    out.assert_ok();
    assert!(out.stderr.contains("rebuilding"), "{out:#?}");
    assert_finds_exactly(&env, &["农业"], &["nongye.txt"]);
}

/// Adds `delta` to the format version in the index's manifest, as if another sou had written it; returns
/// the version it had.
fn shift_format_version(env: &TestEnv, delta: i64) -> u64 {
    let mut manifest = env.manifest_json();
    let version = manifest["format_version"].as_u64().expect("format_version");
    manifest["format_version"] = version.checked_add_signed(delta).unwrap().into();
    env.write_manifest_json(&manifest);
    version
}

#[test]
fn index_of_another_format_version_is_refused() {
    let env = traps();
    shift_format_version(&env, 1);
    let out = env.search(&["农业"]);
    let msg = out.assert_error(&["re-run `sou index", "format"]);
    assert_eq!(msg.lines().count(), 1, "{msg}");
    // `sou index` replaces it.
    let out = env.try_index(&[]);
    out.assert_ok();
    assert_finds_exactly(&env, &["农业"], &["nongye.txt"]);
}

#[test]
fn search_rebuilds_an_index_of_an_older_format() {
    let env = traps();
    let version = shift_format_version(&env, -1);
    let out = env.search(&["农业"]);
    out.assert_ok();
    assert!(
        out.stderr.contains("older sou") && out.stderr.contains("rebuilding"),
        "{out:#?}"
    );
    // Said once: one line for the rebuild, one for its summary.
    assert_eq!(out.stderr.lines().count(), 2, "{out:#?}");
    assert_eq!(shift_format_version(&env, 0), version);
    assert_finds_exactly(&env, &["农业"], &["nongye.txt"]);
}

/// The tantivy storage settings recorded in the index's `meta.json`.
fn store_settings(env: &TestEnv) -> serde_json::Value {
    let meta: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(env.index_dir().join("meta.json")).unwrap())
            .unwrap();
    meta["index_settings"].clone()
}

#[test]
fn rebuild_and_updates_write_with_this_sous_storage_settings() {
    let env = traps();
    let ours = store_settings(&env);
    assert_eq!(ours["docstore_compression"], "zstd(compression_level=3)");
    // An index created with other settings (lz4 in 16 KB blocks).
    let older = |env: &TestEnv| {
        let path = env.index_dir().join("meta.json");
        let mut meta: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        meta["index_settings"] =
            serde_json::json!({"docstore_compression": "lz4", "docstore_blocksize": 16384});
        std::fs::write(&path, meta.to_string()).unwrap();
    };
    older(&env);
    env.try_index(&["--rebuild"]).assert_ok();
    assert_eq!(store_settings(&env), ours);
    assert_finds_exactly(&env, &["农业"], &["nongye.txt"]);
    // An update writes new segments with them too (the old ones stay readable).
    older(&env);
    env.write("new.txt", "新的农业报告。");
    env.index();
    assert_eq!(store_settings(&env), ours);
    assert_finds_exactly(&env, &["农业"], &["new.txt", "nongye.txt"]);
}

#[test]
fn index_refuses_a_directory_that_is_not_an_index() {
    let env = TestEnv::new(hay::TRAPS);
    let other = env.root().join("precious");
    std::fs::create_dir_all(other.join("sub")).unwrap();
    std::fs::write(other.join("notes.txt"), "my notes").unwrap();
    std::fs::write(other.join("sub/more.txt"), "more").unwrap();
    let corpus = env.corpus().display().to_string();
    let dir = other.display().to_string();
    let out = env.run(["index", "--corpus", &corpus, "--index", &dir]);
    out.assert_error(&["not a sou index", "precious"]);
    // search would build an index there: refused too.
    let out = env.run(["search", "--corpus", &corpus, "--index", &dir, "农业"]);
    out.assert_error(&["not a sou index"]);
    assert_eq!(
        std::fs::read_to_string(other.join("notes.txt")).unwrap(),
        "my notes"
    );
    assert_eq!(
        std::fs::read_to_string(other.join("sub/more.txt")).unwrap(),
        "more"
    );
    let mut names: Vec<String> = std::fs::read_dir(&other)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["notes.txt", "sub"]);
}

#[test]
fn missing_corpus_is_an_error() {
    let env = TestEnv::new(&[]);
    std::fs::remove_dir(env.corpus()).unwrap();
    env.try_index(&[]).assert_error(&["corpus"]);
    env.search(&["农业"]).assert_error(&["corpus"]);
}

#[test]
fn damaged_segments_are_one_clear_error_and_rebuild_recovers() {
    let env = TestEnv::new(hay::TRAPS);
    env.index();
    let before = env.search_json(&["银行"]).hits;
    let segment_files = |ext: &str| -> Vec<std::path::PathBuf> {
        std::fs::read_dir(env.index_dir())
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == ext))
            .collect()
    };
    // A truncated stored-text file.
    let store = segment_files("store");
    assert!(!store.is_empty());
    std::fs::write(&store[0], b"garbage").unwrap();
    let out = env.search(&["银行"]);
    out.assert_error(&["damaged", "corrupted", "sou index --rebuild"]);
    assert_eq!(out.stderr.lines().count(), 1, "{out:#?}");
    // A plain update refuses too (it would build on a broken index)...
    env.try_index(&[]).assert_error(&["damaged", "--rebuild"]);
    // ...and --rebuild recovers.
    env.try_index(&["--rebuild"]).assert_ok();
    assert_eq!(env.search_json(&["银行"]).hits, before);
    // A deleted postings file.
    for f in segment_files("idx") {
        std::fs::remove_file(f).unwrap();
    }
    let out = env.search(&["银行"]);
    out.assert_error(&["damaged", "missing", "sou index --rebuild"]);
    env.try_index(&["--rebuild"]).assert_ok();
    assert_eq!(env.search_json(&["银行"]).hits, before);
}

// ---------------------------------------------------------------------------------------------------------
// Segments and threads: a bulk build ends merged, small updates do not merge, and the number of indexing
//    threads changes no answer.

/// The segments of the index in `dir` (one `.idx` file each).
fn segment_count(dir: &std::path::Path) -> usize {
    std::fs::read_dir(dir)
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "idx")
        })
        .count()
}

#[test]
fn a_bulk_build_ends_with_one_segment_and_small_updates_do_not_merge() {
    // 40 files indexed by 2 threads make at least 2 segments, which a first build merges into one.
    let files: Vec<(String, String)> = (0..40)
        .map(|i| (format!("f{i:02}.txt"), format!("第{i}篇。{}", hay::TIANQI)))
        .collect();
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let env = TestEnv::new(&refs);
    env.index_json(&["--threads", "2"]);
    assert_eq!(segment_count(&env.index_dir()), 1);
    let before = env.search_json(&["天气"]);

    // Changing one file of 40 adds a segment and leaves the big one alone.
    env.write("f00.txt", "改过的文章，说的是天气。");
    env.index_json(&["--threads", "2"]);
    assert_eq!(segment_count(&env.index_dir()), 2);
    let after = env.search_json(&["天气"]);
    assert_eq!(after.summary.total_hits, before.summary.total_hits);
}

#[test]
fn results_are_the_same_whatever_the_indexing_threads_and_run() {
    // Enough files that two indexing threads each write a segment.
    let mut files: Vec<(String, String)> = hay::TRAPS
        .iter()
        .map(|(p, t)| (p.to_string(), t.to_string()))
        .collect();
    let sentence =
        "青岛市工业技术研究院持续完善创新生态链条，构建优质企业梯度培育体系，银行和农业也在其中。";
    for i in 0..80 {
        let text: String = (0..(5 + i % 7))
            .map(|k| {
                format!(
                    "第{i}篇第{k}段：{}\n\n",
                    &sentence[..sentence.len() - 3 * (k % 9)]
                )
            })
            .collect();
        files.push((format!("gen/g-{i:02}.txt"), text));
    }
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect();
    // A first build ends merged into one segment; the last 30 files come as an update, which two threads
    // write as segments of their own.
    let (first, update) = refs.split_at(refs.len() - 30);
    let build = |threads: &str| {
        let env = TestEnv::new(first);
        env.try_index(&["--threads", threads]).assert_ok();
        for (p, t) in update {
            env.write(p, t);
        }
        env.try_index(&["--threads", threads]).assert_ok();
        env
    };
    let one = build("1");
    let two = build("2");
    assert!(
        segment_count(&two.index_dir()) > 1,
        "one segment: the threads test tests nothing"
    );
    let queries: [&[&str]; 5] = [
        &["银行", "-n", "50"],
        &["农业", "-n", "50"],
        &["工业技术研究院", "-n", "50"],
        &["\"梯度培育\"", "-n", "50"],
        &["创新 -其中", "-n", "50"],
    ];
    let answers = |env: &TestEnv| -> Vec<Vec<util::Hit>> {
        queries.iter().map(|q| env.search_json(q).hits).collect()
    };
    let expected = answers(&one);
    for (q, hits) in queries.iter().zip(&expected) {
        assert!(!hits.is_empty(), "no hits for {q:?}");
    }
    assert_eq!(
        answers(&two),
        expected,
        "--threads 2 differs from --threads 1"
    );
    // Again, from scratch: the same.
    two.try_index(&["--rebuild", "--threads", "2"]).assert_ok();
    assert_eq!(answers(&two), expected, "a second --threads 2 run differs");
}

// ---------------------------------------------------------------------------------------------------------
// Interrupted and concurrent indexing: the previous index stays whole and searchable.

#[test]
fn a_run_killed_between_commit_and_manifest_leaves_no_duplicates() {
    let env = TestEnv::indexed(&[("a.txt", hay::TIANQI), ("b.txt", "农业发展银行发布公告。")]);
    let manifest = env.index_dir().join("sou-manifest.json");
    let old = std::fs::read(&manifest).unwrap();
    // A new file and a bigger new file (a bulk update, which merges after committing); then the manifest is
    // put back as a kill after tantivy's commit would have left it.
    env.write("c.txt", "青岛市工业技术研究院发布公告。");
    env.write("d.txt", "青岛高新区的潮汐预报。".repeat(20));
    env.index();
    std::fs::write(&manifest, old).unwrap();
    env.index();
    assert_finds_exactly(&env, &["工业技术研究院"], &["c.txt"]);
    let found = env.search_json(&["潮汐预报"]);
    assert_eq!(found.paths(), ["d.txt"], "{:#?}", found.hits);
    let found = env.search_json(&["公告"]);
    assert_eq!(found.summary.total_hits, 2, "{:#?}", found.hits);

    // The same after a first run on an empty corpus, whose manifest lists no files.
    let env = TestEnv::new(&[]);
    env.try_index(&[]).assert_sane();
    let manifest = env.index_dir().join("sou-manifest.json");
    let old = std::fs::read(&manifest).unwrap();
    env.write("c.txt", "青岛市工业技术研究院发布公告。");
    env.index();
    std::fs::write(&manifest, old).unwrap();
    env.index();
    let found = env.search_json(&["工业技术研究院"]);
    assert_eq!(found.paths(), ["c.txt"], "{:#?}", found.hits);
}

/// A second corpus, big enough that a debug build takes a few seconds to index it.
fn big_corpus(env: &TestEnv) -> std::path::PathBuf {
    let dir = env.root().join("big");
    std::fs::create_dir_all(&dir).unwrap();
    let sentence = "青岛市工业技术研究院持续完善创新生态链条，构建优质企业梯度培育体系。";
    for i in 0..600 {
        let text: String = (0..40)
            .map(|k| format!("第{i}篇第{k}句：{sentence}\n\n"))
            .collect();
        std::fs::write(dir.join(format!("big-{i:04}.txt")), text).unwrap();
    }
    dir
}

/// Starts `sou index --rebuild` of `corpus` into the environment's index, in the background.
fn spawn_rebuild(env: &TestEnv, corpus: &std::path::Path) -> std::process::Child {
    env.command(
        [
            "index",
            "--rebuild",
            "--corpus",
            &corpus.display().to_string(),
            "--index",
            &env.index_dir().display().to_string(),
        ],
        &[],
    )
    .stdout(std::process::Stdio::null())
    .stderr(std::process::Stdio::null())
    .spawn()
    .unwrap()
}

#[test]
fn killed_rebuild_leaves_the_previous_index_searchable() {
    let env = TestEnv::new(hay::TRAPS);
    env.index();
    let before = env.search_json(&["银行"]);
    assert_eq!(before.hits.len(), 2);
    let big = big_corpus(&env);
    // How long a whole build of the big corpus takes here (debug or release build, busy or idle machine):
    // the kills come at fixed shares of it.
    let started = std::time::Instant::now();
    env.run([
        "index",
        "--corpus",
        &big.display().to_string(),
        "--index",
        &env.root().join("timing-index").display().to_string(),
    ])
    .assert_ok();
    let full = started.elapsed();
    // A kill before the rebuild's commit must leave the previous index as it was; after the commit (the
    // manifest is written right after it, then segments are merged) the new index must be complete.
    let mut before_commit = 0;
    for share in [0.05, 0.3, 0.6] {
        let delay_ms = (full.as_secs_f64() * share * 1000.0) as u64;
        let mut child = spawn_rebuild(&env, &big);
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        let finished = child.try_wait().unwrap().is_some();
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        assert!(
            !finished,
            "the rebuild finished within {delay_ms} ms: make the corpus bigger"
        );
        let manifest = std::fs::read_to_string(env.index_dir().join("sou-manifest.json")).unwrap();
        let committed = manifest.contains("big-0000.txt");
        eprintln!("killed at {delay_ms} ms of {full:?}: committed {committed}");
        if !committed {
            // The same answers as before the run.
            let after = env.search_json(&["银行"]);
            assert_eq!(after.hits, before.hits, "after a kill at {delay_ms} ms");
            before_commit += 1;
        } else {
            // As many passages as the completed build of the same corpus has.
            let total = |index: &std::path::Path| -> serde_json::Value {
                let out = env.run([
                    "search",
                    "--json",
                    "-n",
                    "1",
                    "--index",
                    &index.display().to_string(),
                    "--corpus",
                    &big.display().to_string(),
                    "工业技术研究院",
                ]);
                let last = out.assert_ok().lines().last().unwrap().to_string();
                serde_json::from_str::<serde_json::Value>(&last).unwrap()["data"]["total_hits"]
                    .clone()
            };
            assert_eq!(
                total(&env.index_dir()),
                total(&env.root().join("timing-index")),
                "after a kill at {delay_ms} ms, past the commit"
            );
            break;
        }
    }
    assert!(before_commit > 0, "no kill landed before the commit");
    // The next run completes the job.
    env.index();
    assert_eq!(env.search_json(&["银行"]).hits, before.hits);
}

#[test]
fn a_second_index_run_stops_with_a_clear_message() {
    let env = TestEnv::new(hay::TRAPS);
    env.index();
    let big = big_corpus(&env);
    let mut child = spawn_rebuild(&env, &big);
    std::thread::sleep(std::time::Duration::from_millis(300));
    let out = env.try_index(&[]);
    let running = child.try_wait().unwrap().is_none();
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(running, "the first run ended too early to test the lock");
    assert_eq!(out.code, Some(2), "{out:#?}");
    assert!(
        out.stderr.contains("another `sou index` is updating") && out.stderr.lines().count() == 1,
        "{out:#?}"
    );
    // Searching during the run saw the last committed state, and still does.
    assert_finds_exactly(&env, &["农业"], &["nongye.txt"]);
}

// ---------------------------------------------------------------------------------------------------------
// Write errors (as on a full disk): the previous index stays intact.

/// Runs `sou ARGS` through `sh`, after `prefix` (shell commands, e.g. a `ulimit`), in the environment's
/// directory; kills it and fails if it takes more than a minute (a hang).
fn run_in_shell(env: &TestEnv, prefix: &str, args: &[String]) -> Output {
    let mut sh = std::process::Command::new("sh");
    sh.arg("-c")
        .arg(format!("{prefix}\nexec \"$0\" \"$@\""))
        .arg(util::SOU)
        .args(args)
        .current_dir(env.root())
        .env_clear()
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for key in ["PATH", "HOME"] {
        if let Some(v) = std::env::var_os(key) {
            sh.env(key, v);
        }
    }
    wait_output(sh.spawn().expect("sh"))
}

#[test]
fn write_errors_leave_the_previous_index_intact() {
    let env = TestEnv::new(hay::TRAPS);
    env.index();
    let before = env.search_json(&["银行"]).hits;
    assert_eq!(before.len(), 2);
    let before_manifest = std::fs::read(env.index_dir().join("sou-manifest.json")).unwrap();
    // Much more text: its segment files are far bigger than the limit below, however the indexing threads
    // share it. Each sentence ends in characters drawn at random (fixed seed), so that neither zstd nor the
    // postings make repeated text small.
    let sentence =
        "青岛市工业技术研究院持续完善创新生态链条，构建优质企业梯度培育体系，银行也来了。";
    let mut rng = fastrand::Rng::with_seed(2026);
    for i in 0..30 {
        let text: String = (0..60)
            .map(|k| {
                // Any character of the CJK Unified Ideographs block (U+4E00..U+9FA5).
                let tail: String = (0..40).map(|_| rng.char('\u{4E00}'..='\u{9FA5}')).collect();
                format!("第{i}篇第{k}句：{sentence}{tail}。\n\n")
            })
            .collect();
        env.write(&format!("more/m-{i:02}.txt"), text);
    }
    let args: Vec<String> = [
        "index",
        "--corpus",
        &env.corpus().display().to_string(),
        "--index",
        &env.index_dir().display().to_string(),
    ]
    .map(String::from)
    .to_vec();
    // Files may not grow past 64 blocks (32 KiB in sh's 512-byte blocks); an ignored SIGXFSZ (inherited
    // across exec) makes such writes fail with EFBIG, as on a full disk, instead of killing the process.
    for rebuild in [false, true] {
        let mut args = args.clone();
        if rebuild {
            args.push("--rebuild".into());
        }
        let out = run_in_shell(&env, "trap '' XFSZ; ulimit -f 64", &args);
        assert_eq!(out.code, Some(2), "rebuild {rebuild}: {out:#?}");
        assert!(out.stdout.is_empty(), "{out:#?}");
        assert_eq!(out.stderr.lines().count(), 1, "not one line: {out:#?}");
        assert!(
            out.stderr.starts_with("sou: ")
                && out
                    .stderr
                    .contains("writing the index failed: file too large (in "),
            "{out:#?}"
        );
        // The previous index answers as before, and its manifest is untouched.
        assert_eq!(env.search_json(&["银行"]).hits, before, "rebuild {rebuild}");
        assert_eq!(
            std::fs::read(env.index_dir().join("sou-manifest.json")).unwrap(),
            before_manifest
        );
    }
    // Without the limit the same run completes.
    let summary = env.index();
    assert!(
        summary.contains("(30 new, 0 changed, 0 removed, 8 unchanged)"),
        "{summary}"
    );
    assert!(env.search_json(&["银行", "-n", "100"]).hits.len() > 30);
}
