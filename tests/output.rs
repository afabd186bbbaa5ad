//! Output: the JSON Lines schema, the human format, colour, exit status, and a closed pipe (not an error).

use std::io::{BufRead, BufReader, Read};
use std::process::Stdio;

use crate::hay;
use crate::util::{TestEnv, traps};

// ---------------------------------------------------------------------------------------------------------
// JSON schema, human format, colour, exit status.

#[test]
fn json_lines_schema() {
    let env = traps();
    let out = env.search(&["--json", "银行", "-n", "1"]);
    assert_eq!(out.code, Some(0));
    let lines: Vec<serde_json::Value> = out
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["type"], "hit");
    for key in [
        "rank",
        "score",
        "path",
        "passage",
        "title",
        "start",
        "end",
        "text",
        "snippet",
        "highlights",
    ] {
        assert!(lines[0]["data"].get(key).is_some(), "hit has no {key}");
    }
    assert!(lines[0]["data"]["highlights"][0].as_array().unwrap().len() == 2);
    assert_eq!(lines[1]["type"], "summary");
    let summary = &lines[1]["data"];
    assert_eq!(summary["query"], "银行");
    assert_eq!(summary["total_hits"], 2);
    assert_eq!(summary["returned"], 1);
    assert!(summary["elapsed_ms"].is_number());
    // Several query arguments are joined with spaces in the summary.
    let found = env.search_json(&["农业", "OR", "天气"]);
    assert_eq!(found.summary.query, "农业 OR 天气");
    // No hits: only the summary, status 1.
    let out = env.search(&["--json", "不存在的词语"]);
    assert_eq!(out.code, Some(1));
    assert_eq!(out.stdout.lines().count(), 1);
    assert!(out.stdout.starts_with(r#"{"type":"summary""#));
}

#[test]
fn human_output_format() {
    let env = traps();
    let out = env.search(&["农业"]);
    let stdout = out.assert_ok();
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{stdout}");
    let head = lines[0];
    assert!(
        head.starts_with(" 1. nongye.txt#0  中国农业发展银行今天发布公告  ("),
        "{head}"
    );
    let score = head.rsplit_once('(').unwrap().1.strip_suffix(')').unwrap();
    let score: f64 = score.parse().unwrap_or_else(|_| panic!("score in {head}"));
    assert!(score > 0.0);
    assert_eq!(lines[1], format!("    {}", hay::NONGYE));
    assert!(
        lines[2].starts_with("1 of 1 matching passages (") && lines[2].ends_with(" ms)"),
        "{}",
        lines[2]
    );
    assert!(!stdout.contains('\u{1b}'), "colour when piped: {stdout:?}");

    // Two-digit ranks are right-aligned in the same columns.
    let text: String = (0..12).map(|i| format!("第{i}段提到天气。\n\n")).collect();
    let env = TestEnv::indexed(&[("many.txt", &text)]);
    let out = env.search(&["天气", "-n", "12", "--passages"]);
    let heads: Vec<&str> = out
        .stdout
        .lines()
        .filter(|l| l.contains("many.txt#"))
        .collect();
    assert_eq!(heads.len(), 12);
    assert!(heads[0].starts_with(" 1. many.txt#"), "{}", heads[0]);
    assert!(heads[9].starts_with("10. many.txt#"), "{}", heads[9]);
    assert!(
        out.stdout.ends_with("\n") && out.stdout.lines().last().unwrap().starts_with("12 of 12 ")
    );

    // No hits: status 1 and a zero count.
    let out = traps().search(&["不存在的词语"]);
    assert_eq!(out.code, Some(1));
    assert!(out.stdout.starts_with("0 matching passages ("), "{out:#?}");
}

#[test]
fn colour_only_when_asked_or_on_a_terminal() {
    let env = traps();
    let term = [("TERM", "xterm-256color")];
    let always = env.search_env(&["农业", "--color", "always"], &term);
    assert!(always.assert_ok().contains("\u{1b}["), "{always:#?}");
    // The match is coloured: an escape right before 农业.
    assert!(
        always.stdout.contains("m农业\u{1b}["),
        "match not coloured: {:?}",
        always.stdout
    );
    // An explicit --color always wins over NO_COLOR.
    let out = env.search_env(
        &["农业", "--color=always"],
        &[("TERM", "xterm-256color"), ("NO_COLOR", "1")],
    );
    assert!(out.assert_ok().contains("\u{1b}["));
    // Never, and auto when stdout is not a terminal (whatever NO_COLOR says).
    for (args, envs) in [
        (
            vec!["农业", "--color", "never"],
            vec![("TERM", "xterm-256color")],
        ),
        (vec!["农业"], vec![("TERM", "xterm-256color")]),
        (
            vec!["农业", "--color", "auto"],
            vec![("TERM", "xterm-256color")],
        ),
        (
            vec!["农业"],
            vec![("TERM", "xterm-256color"), ("NO_COLOR", "")],
        ),
        (
            vec!["农业"],
            vec![("TERM", "xterm-256color"), ("NO_COLOR", "1")],
        ),
    ] {
        let out = env.search_env(&args, &envs);
        assert!(
            !out.assert_ok().contains('\u{1b}'),
            "{args:?} {envs:?}: {out:#?}"
        );
        // The text is the same as with colour, without the escapes.
        assert_eq!(
            strip_ansi(&always.stdout).lines().nth(1),
            out.stdout.lines().nth(1)
        );
    }
    // JSON is never coloured.
    let out = env.search_env(&["--json", "农业", "--color", "always"], &term);
    assert!(!out.assert_ok().contains('\u{1b}'));
}

/// Removes ANSI CSI sequences (`ESC [ … letter`).
fn strip_ansi(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for d in chars.by_ref() {
                if d.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------------------
// A closed pipe is not an error.

/// Runs `sou ARGS` with stdout piped, reads one line, closes the pipe, and returns (first line, status,
/// stderr).
fn read_one_line_then_close(env: &TestEnv, args: &[String]) -> (String, Option<i32>, String) {
    let mut child = env
        .command(args, &[])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    {
        let mut reader = BufReader::new(child.stdout.take().unwrap());
        reader.read_line(&mut first).unwrap();
    } // The reader (and the pipe) is dropped here.
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    let status = child.wait().unwrap();
    (first, status.code(), stderr)
}

#[test]
fn closed_pipe_is_not_an_error() {
    let env = TestEnv::bundled();
    let index = env.index_dir().display().to_string();
    let args: Vec<String> = ["search", "--index", &index, "工研院", "-n", "50"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let (first, code, stderr) = read_one_line_then_close(&env, &args);
    assert!(first.starts_with(" 1. "), "{first}");
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(stderr, "");
}

#[test]
fn closed_pipe_with_output_larger_than_the_pipe_buffer() {
    let env = TestEnv::indexed(&[("many.txt", &hay::many_paragraphs(600))]);
    let index = env.index_dir().display().to_string();
    for json in [true, false] {
        let mut args: Vec<String> = [
            "search",
            "--index",
            &index,
            "工研院",
            "-n",
            "600",
            "--passages",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        if json {
            args.push("--json".into());
        }
        let (first, code, stderr) = read_one_line_then_close(&env, &args);
        assert!(!first.is_empty());
        assert_eq!(code, Some(0), "json {json}: {stderr}");
        assert_eq!(stderr, "", "json {json}");
    }
    // The whole output is indeed larger than a pipe buffer (64 KiB on Linux).
    let out = env.search(&["--json", "工研院", "-n", "600", "--passages"]);
    assert!(out.assert_ok().len() > 256 * 1024, "{}", out.stdout.len());
}
