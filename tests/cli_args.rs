//! Command-line arguments: usage errors are one `sou: ` line with status 2, a mistyped long flag is an error
//! rather than a query word, and a named index that does not exist is an error rather than built.

use crate::hay;
use crate::util::{Output, TestEnv, assert_finds_exactly, traps, traps_with};

// ---------------------------------------------------------------------------------------------------------
// Usage errors and mistyped flags.

#[test]
fn bad_arguments_exit_2() {
    let env = traps();
    for args in [
        vec!["search", "天气", "-n", "0"],
        vec!["search", "天气", "--color", "sometimes"],
        vec!["search"],
        vec!["frobnicate"],
    ] {
        let out = env.run(&args);
        assert_eq!(out.code, Some(2), "{args:?}: {out:#?}");
        assert!(out.stdout.is_empty());
        assert!(!out.stderr.is_empty());
    }
}

/// Asserts a one-line `sou: ` error (status 2, nothing on stdout) that mentions every one of `needles`.
fn assert_one_line_error(out: &Output, needles: &[&str]) {
    let msg = out.assert_error(needles);
    assert_eq!(msg.lines().count(), 1, "not one line: {out:#?}");
    assert!(!msg.contains("Usage:"), "usage in the error: {out:#?}");
}

#[test]
fn argument_errors_are_one_sou_line() {
    let env = traps();
    for (args, needles) in [
        (
            vec!["search", "天气", "-n", "0"],
            vec!["invalid value '0'", "--limit"],
        ),
        (
            vec!["search", "天气", "--color", "sometimes"],
            vec!["'sometimes'", "--color", "auto, always, never"],
        ),
        (vec!["search", "天气", "--limit"], vec!["--limit", "value"]),
        (vec!["search"], vec!["<QUERY>"]),
        (vec!["frobnicate"], vec!["'frobnicate'"]),
        // clap's suggestion is kept, in the same line.
        (
            vec!["index", "--rebuidl"],
            vec!["'--rebuidl'", "did you mean '--rebuild'?"],
        ),
        (vec!["index", "--threads", "x"], vec!["'x'", "--threads"]),
        (
            vec!["search", "--queries", "q.txt", "天气"],
            vec!["--queries", "cannot be used with"],
        ),
        (vec!["analyze"], vec!["<TEXT>"]),
    ] {
        assert_one_line_error(&env.run(&args), &needles);
    }
    // Help and version still go to stdout, with status 0.
    for args in [
        vec!["--help"],
        vec!["search", "--help"],
        vec!["search", "天气", "-h"],
        vec!["help", "index"],
        vec!["--version"],
    ] {
        let out = env.run(&args);
        assert!(!out.assert_ok().is_empty(), "{args:?}: {out:#?}");
        assert_eq!(out.stderr, "", "{args:?}");
    }
    assert!(env.run(["--version"]).stdout.starts_with("sou "));
}

#[test]
fn mistyped_long_flags_are_errors_not_query_words() {
    let env = traps();
    // Wherever it stands, a word that looks like a long flag and is none is an error naming it, with the
    // closest flag and the way to search for it all the same (`--` ends the flags).
    for (args, needles) in [
        (
            vec!["天气", "--jsn"],
            vec!["'--jsn'", "did you mean '--json'?"],
        ),
        (vec!["--jsn", "天气"], vec!["'--jsn'", "'--json'"]),
        (
            vec!["--limt", "5", "天气"],
            vec!["'--limt'", "did you mean '--limit'?"],
        ),
        (vec!["--limt=5", "天气"], vec!["'--limt", "'--limit'"]),
        (vec!["天气", "--frobnicate"], vec!["'--frobnicate'"]),
        (vec!["--Json", "天气"], vec!["'--Json'"]),
    ] {
        let out = env.search(&args);
        assert_one_line_error(&out, &needles);
        assert!(out.stderr.contains("`--` ends the flags"), "{out:#?}");
    }
    // Single-dash words are exclusions, as before.
    assert_finds_exactly(&env, &["银行", "-央行"], &["nongye.txt"]);
    assert_finds_exactly(&env, &["-央行", "银行", "-n", "5"], &["nongye.txt"]);
    // After `--`, anything is query text; so is `--` before something other than a letter.
    let found = env.search_json(&["天气", "--", "--jsn"]);
    assert_eq!(found.summary.query, "天气 --jsn");
    assert_eq!(found.paths(), ["tianqi.txt"]);
    let found = env.search_json(&["天气", "--5"]);
    assert_eq!(found.summary.query, "天气 --5");
    // Known flags still work anywhere, with `=` or without.
    let found = env.search_json(&["银行", "--limit=1", "--per-article", "1"]);
    assert_eq!(found.hits.len(), 1);
}

// ---------------------------------------------------------------------------------------------------------
// A missing index.

#[test]
fn a_named_index_that_does_not_exist_is_an_error() {
    // Run beside a `corpus/`, as in the repository: a mistyped --index must not build an index from it and
    // answer from that.
    let env = TestEnv::new(hay::TRAPS);
    let typo = env.root().join("archiv-index").display().to_string();
    let out = env.run(["search", "--index", &typo, "农业"]);
    let cmd = format!("`sou index --corpus DIR --index {typo}`");
    assert_one_line_error(&out, &["no index at", &typo, &cmd]);
    assert!(!env.root().join("archiv-index").exists());
    assert!(!env.index_dir().exists());
    // Named explicitly, even the default is not built on first use; nor is an empty directory.
    assert_one_line_error(
        &env.run(["search", "--index", "index", "农业"]),
        &["no index at index", "--index index`"],
    );
    assert!(!env.index_dir().exists());
    std::fs::create_dir(env.root().join("empty")).unwrap();
    assert_one_line_error(
        &env.run(["search", "--index=empty", "农业"]),
        &["no index at empty"],
    );
    assert_one_line_error(
        &env.run(["search", "--queries", "-", "--index", "nowhere"]),
        &["no index at nowhere"],
    );
    // With --corpus too, the index is built on first use.
    let out = env.run(["search", "--index", "other", "--corpus", "corpus", "农业"]);
    assert!(out.assert_ok().contains("nongye.txt#0"), "{out:#?}");
    assert!(out.stderr.contains("building"), "{out:#?}");
    // Then it exists, and --index alone uses it.
    let out = env.run(["search", "--index", "other", "农业"]);
    assert!(out.assert_ok().contains("nongye.txt#0"), "{out:#?}");
    assert_eq!(out.stderr, "");
    // With the defaults, as before: index/ is built from corpus/.
    let out = env.run(["search", "农业"]);
    assert!(out.assert_ok().contains("nongye.txt#0"), "{out:#?}");
    assert!(out.stderr.contains("building"), "{out:#?}");
}

#[test]
fn more_mistyped_flags_and_how_to_search_for_dashes() {
    let env = traps_with(&[("verbose.txt", "命令行参数 --verbose 可以打开详细输出")]);
    // A bare `sou`, a typo in `sou analyze`, three dashes: one line each, with the closest flag.
    assert_one_line_error(
        &env.run(Vec::<&str>::new()),
        &["no command given", "sou --help"],
    );
    assert_one_line_error(
        &env.run(["analyze", "--dic", "x", "工研院"]),
        &["'--dic'", "'--dict'", "`sou analyze -- --dic`"],
    );
    assert_one_line_error(
        &env.search(&["银行", "---json"]),
        &["'---json'", "'--json'"],
    );
    // `-n=1` is the flag with its value, not an exclusion of `n=1`.
    assert_eq!(env.search_json(&["银行", "-n=1"]).hits.len(), 1);
    // The advice the error gives for a query word with dashes works: --plain after `--`.
    let out = env.search(&["--verbose"]);
    assert_one_line_error(&out, &["`sou search --plain -- --verbose`"]);
    // (Checked on the text output: the JSON checker's idea of query text doesn't know --plain.)
    let out = env.search(&["--plain", "--", "--verbose"]);
    assert_eq!(out.code, Some(0), "{out:#?}");
    assert!(out.stdout.contains("verbose.txt#0"), "{out:#?}");
    assert!(out.stdout.contains("; 1 contain all of it"), "{out:#?}");
    // `sou analyze` still reads dash words as text.
    let out = env.run(["analyze", "-肇庆"]);
    assert_eq!(out.code, Some(0), "{out:#?}");
    let out = env.run(["analyze", "--", "--dic"]);
    assert!(out.stdout.contains("dic@2"), "{out:#?}");
}

#[test]
fn a_named_corpus_must_be_the_one_the_index_holds() {
    // The same kind of trap as a mistyped --index: answers from an index of another folder.
    let env = traps();
    let other = env.root().join("other");
    std::fs::create_dir(&other).unwrap();
    std::fs::write(other.join("a.txt"), "今天天气不错").unwrap();
    let other = other.display().to_string();
    let out = env.search(&["--corpus", &other, "天气"]);
    assert_one_line_error(&out, &["was built from", &other, "sou index --corpus"]);
    let missing = env.root().join("nowhere").display().to_string();
    assert_one_line_error(&env.search(&["--corpus", &missing, "天气"]), &["nowhere"]);
    // The corpus it holds, named, is fine.
    let corpus = env.corpus().display().to_string();
    assert_finds_exactly(&env, &["--corpus", &corpus, "天气"], &["tianqi.txt"]);
}

// ---------------------------------------------------------------------------------------------------------
// Help texts say what the program does.

#[test]
fn index_help_names_every_kind_of_corpus_file() {
    let env = traps();
    let out = env.run(["index", "--help"]);
    assert_eq!(out.code, Some(0), "{out:#?}");
    for kind in [".txt", ".md", ".jsonl", ".pdf"] {
        assert!(
            out.stdout.contains(kind),
            "--help does not name {kind}: {out:#?}"
        );
    }
}

// ---------------------------------------------------------------------------------------------------------
// Tests that need ../shared are ignored (and counted so) when it is missing, never passed.

#[test]
fn the_shared_data_cfg_matches_the_folder() {
    // build.rs sets cfg(sou_shared_missing) when ../shared is not a directory; the tests that need it carry
    // #[cfg_attr(sou_shared_missing, ignore = …)].
    let present = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared")
        .is_dir();
    assert_eq!(
        cfg!(sou_shared_missing),
        !present,
        "build.rs decided on ../shared when it last ran; `touch build.rs` after adding or removing it"
    );
}
