//! The README's examples are tests: every `console` code block of `README.md` is run and its output checked,
//! so the documentation cannot drift from the program.
//!
//! A block is read the way trycmd reads Markdown (the clap ecosystem's convention): `$ sou ARGS` is a command
//! (split like a shell would, with `shlex`), an optional `? N` line gives its expected exit status (default
//! 0), and the lines up to the next `$ ` or the end of the block are what it prints, stdout and stderr merged
//! as on a terminal. In expected output `[..]` stands for any text within a line and a line `...` for any
//! number of lines (snapbox's wildcards): they mask what changes from run to run, such as times. Blank lines
//! at the end of an example's output separate it from the next and are not compared.
//!
//! All blocks run in order in one temporary folder holding a copy of the bundled `corpus/` whose index is
//! built first, as after the README's first command. Blocks in other languages (`sh`, `text`, `json`) are
//! not run.

use std::path::Path;
use std::process::Command;

use crate::util::SOU;

/// One `$ sou …` step of a `console` block.
#[derive(Debug)]
struct Step {
    /// 1-based line of the `$` in README.md.
    line: usize,
    args: Vec<String>,
    status: i32,
    expected: String,
}

/// The steps of every ```` ```console ```` block of `markdown`, in order.
fn console_steps(markdown: &str) -> Vec<Step> {
    let mut steps: Vec<Step> = Vec::new();
    let mut in_console = false;
    let mut fenced = false;
    for (i, line) in markdown.lines().enumerate() {
        if let Some(info) = line.strip_prefix("```") {
            if fenced {
                fenced = false;
                in_console = false;
            } else {
                fenced = true;
                in_console = info.trim() == "console";
            }
            continue;
        }
        if !in_console {
            continue;
        }
        if let Some(cmd) = line.strip_prefix("$ ") {
            let mut words = shlex::split(cmd)
                .unwrap_or_else(|| panic!("README.md line {}: cannot split {cmd:?}", i + 1));
            assert_eq!(
                words.first().map(String::as_str),
                Some("sou"),
                "README.md line {}: a console example runs sou",
                i + 1
            );
            words.remove(0);
            steps.push(Step {
                line: i + 1,
                args: words,
                status: 0,
                expected: String::new(),
            });
            continue;
        }
        let step = steps
            .last_mut()
            .unwrap_or_else(|| panic!("README.md line {}: output before any `$ ` line", i + 1));
        match line.strip_prefix("? ") {
            Some(code) if step.expected.is_empty() => {
                step.status = code.trim().parse().unwrap_or_else(|e| {
                    panic!("README.md line {}: exit status {code:?}: {e}", i + 1)
                })
            }
            _ => {
                step.expected.push_str(line);
                step.expected.push('\n');
            }
        }
    }
    // A blank line separates one example from the next: it is not output.
    for step in &mut steps {
        let kept = step.expected.trim_end_matches('\n').len();
        step.expected.truncate(kept);
        if kept > 0 {
            step.expected.push('\n');
        }
    }
    steps
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

#[test]
fn readme_console_examples_match_the_program() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let steps = console_steps(&readme);
    // The Example section's searches, the analyzer, the JSON output and the error examples at least.
    assert!(steps.len() >= 6, "only {} console examples", steps.len());

    let dir = tempfile::tempdir().unwrap();
    copy_dir(&root.join("corpus"), &dir.path().join("corpus"));
    let built = Command::new(SOU)
        .arg("index")
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(built.status.success(), "sou index: {built:?}");

    for step in &steps {
        // Shown with the failure, if any (libtest prints a failed test's captured output).
        println!(
            "README.md line {}: $ sou {}",
            step.line,
            step.args.join(" ")
        );
        snapbox::cmd::Command::new(SOU)
            .args(&step.args)
            .current_dir(dir.path())
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .stderr_to_stdout()
            .assert()
            .code(step.status)
            .stdout_eq(step.expected.as_str());
    }
}

#[test]
fn console_blocks_are_parsed_like_trycmd() {
    let md = "text\n```console\n$ sou search 'a b' -n 1\n? 1\nout [..]\n...\n\n$ sou analyze x\nx\n```\n\
              ```sh\n$ not run\n```\n";
    let steps = console_steps(md);
    assert_eq!(steps.len(), 2);
    assert_eq!(steps[0].args, ["search", "a b", "-n", "1"]);
    assert_eq!((steps[0].line, steps[0].status), (3, 1));
    assert_eq!(steps[0].expected, "out [..]\n...\n");
    assert_eq!((steps[1].status, steps[1].expected.as_str()), (0, "x\n"));
}
