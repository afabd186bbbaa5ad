//! Test harness: a temporary directory with a `corpus/` of given files, and helpers that run the built
//! `sou` binary in it (environment cleared except `PATH` and `HOME`, no stdin) and check what it printed.
//!
//! Every JSON search made through [`TestEnv::search_json`] is checked for the invariants of the JSON Lines
//! schema (ranks, summary, exit status) and of the hits (passage text = the file's characters
//! `[start, end)`, highlights inside the snippet, sorted, disjoint, non-empty and made of query text), so
//! every test that searches also tests highlighting. A hit of a JSON Lines archive (one with a `line`) is
//! checked against its record's body instead of the whole file.
//!
//! At the end: what the test modules share beyond the harness (the traps corpus, assertions on what a search
//! finds, waiting for a child that may hang).

use std::cell::RefCell;
use std::ffi::OsStr;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde::Deserialize;
use serde_json::Value;
use tempfile::TempDir;

use crate::hay;

/// The built binary.
pub const SOU: &str = env!("CARGO_BIN_EXE_sou");

/// The bundled article (in the repository's `corpus/`).
pub const BUNDLED: &str = "keji-ribao-high-tech-zones-2023.txt";

/// What a run of `sou` printed, and how it exited.
#[derive(Debug)]
pub struct Output {
    pub stdout: String,
    pub stderr: String,
    /// Exit status; `None` if killed by a signal.
    pub code: Option<i32>,
}

impl Output {
    /// A finished process's output, which must be UTF-8 and [sane](Output::assert_sane).
    pub fn checked(out: std::process::Output) -> Output {
        let out = Output {
            stdout: String::from_utf8(out.stdout).expect("stdout is UTF-8"),
            stderr: String::from_utf8(out.stderr).expect("stderr is UTF-8"),
            code: out.status.code(),
        };
        out.assert_sane();
        out
    }

    /// Asserts that the run was sane: no panic, and an exit status of 0, 1 or 2. On status 2 the error is
    /// on stderr and starts with `sou: `, and stdout is empty.
    pub fn assert_sane(&self) -> &Self {
        assert!(
            !self.stderr.contains("panicked") && !self.stderr.contains("RUST_BACKTRACE"),
            "sou panicked: {self:#?}"
        );
        assert!(
            matches!(self.code, Some(0..=2)),
            "unexpected exit status: {self:#?}"
        );
        self
    }

    /// Asserts a clean error: status 2, nothing on stdout, and a `sou: ` message on stderr that contains
    /// every one of `needles`. Returns the message.
    pub fn assert_error(&self, needles: &[&str]) -> &str {
        self.assert_sane();
        assert_eq!(self.code, Some(2), "expected exit status 2: {self:#?}");
        assert!(
            self.stdout.is_empty(),
            "stdout not empty on error: {self:#?}"
        );
        assert!(
            self.stderr.starts_with("sou: "),
            "error not on stderr with `sou: `: {self:#?}"
        );
        for n in needles {
            assert!(
                self.stderr.contains(n),
                "stderr does not mention {n:?}: {self:#?}"
            );
        }
        &self.stderr
    }

    /// Asserts status 0 and returns stdout.
    pub fn assert_ok(&self) -> &str {
        self.assert_sane();
        assert_eq!(self.code, Some(0), "expected exit status 0: {self:#?}");
        &self.stdout
    }
}

/// One hit line of `sou search --json` (fields that are not listed here are allowed: the schema may grow).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Hit {
    pub rank: usize,
    pub score: f64,
    pub path: String,
    pub passage: u32,
    pub title: String,
    /// The article id: the path for a text file, the record's id for a JSON Lines archive.
    pub id: String,
    /// JSON Lines records only: the record's date, if it has one.
    pub date: Option<String>,
    /// JSON Lines records only: the record's 1-based line in its file.
    pub line: Option<u64>,
    /// PDF articles only: the 1-based page.
    #[serde(default)]
    pub page: Option<u32>,
    /// Batch mode (`--queries`) only: the query's id.
    pub qid: Option<String>,
    pub start: usize,
    pub end: usize,
    /// A re-joined passage's pieces.
    #[serde(default)]
    pub pieces: Vec<[usize; 2]>,
    /// The article id again.
    pub article: String,
    /// The id `sou show` takes: `id`, or `path#id` for a record whose id other articles have too.
    pub show_id: String,
    /// Where known: the article's source, its dateline's place, its byline, its kicker.
    pub source: Option<String>,
    pub place: Option<String>,
    pub byline: Option<String>,
    pub kicker: Option<String>,
    pub text: String,
    pub snippet: String,
    pub highlights: Vec<[usize; 2]>,
    /// Highlights in the title (a lead passage's).
    #[serde(default)]
    pub title_highlights: Vec<[usize; 2]>,
    /// `full` or `partial`.
    #[serde(rename = "match")]
    pub matched: String,
    /// The terms a partial match lacks.
    #[serde(default)]
    pub missing: Vec<String>,
    /// How many more passages of the article the query finds (on its last hit).
    #[serde(default)]
    pub more_passages: usize,
    /// The article's reprint group (the id of its first article), if it has reprints.
    pub reprint_group: Option<String>,
    /// How many other articles of the index are in its reprint group.
    #[serde(default)]
    pub reprints: usize,
}

impl Hit {
    /// The highlighted parts of the snippet, as text.
    pub fn highlighted(&self) -> Vec<String> {
        self.highlights
            .iter()
            .map(|&[s, e]| char_slice(&self.snippet, s, e))
            .collect()
    }
}

/// The summary line of `sou search --json`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Summary {
    /// Batch mode (`--queries`) only: the query's id.
    pub qid: Option<String>,
    pub query: String,
    /// `all_terms` or `coverage`.
    pub match_rule: String,
    /// `relevance`, `date` or `date_desc`.
    pub sort: String,
    pub total_hits: usize,
    pub returned: usize,
    pub elapsed_ms: f64,
}

/// A parsed JSON search.
#[derive(Debug)]
pub struct Found {
    pub hits: Vec<Hit>,
    pub summary: Summary,
    pub out: Output,
}

impl Found {
    /// Paths of the hits, in rank order.
    pub fn paths(&self) -> Vec<&str> {
        self.hits.iter().map(|h| h.path.as_str()).collect()
    }

    /// Paths of the hits, sorted and deduplicated.
    pub fn path_set(&self) -> Vec<&str> {
        let mut p = self.paths();
        p.sort_unstable();
        p.dedup();
        p
    }

    /// The first hit (panics, with the output, if there is none).
    pub fn top(&self) -> &Hit {
        self.hits
            .first()
            .unwrap_or_else(|| panic!("no hits: {:#?}", self.out))
    }
}

/// The characters `[s, e)` of `s` (clamped).
pub fn char_slice(text: &str, s: usize, e: usize) -> String {
    text.chars().skip(s).take(e.saturating_sub(s)).collect()
}

/// Number of characters (not bytes).
pub fn nchars(s: &str) -> usize {
    s.chars().count()
}

/// `s` without any whitespace.
pub fn squeeze(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// `s` with whitespace runs collapsed to one space and the ends trimmed (as snippets render text).
pub fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// sou's own normalizer, squeezed: the form in which query and text are compared.
pub fn norm(s: &str) -> String {
    squeeze(&sou::text::normalize::normalize(s).text)
}

/// Decodes a corpus file: UTF-8 (one leading BOM stripped) is decoded here; other encodings (GBK, Big5…)
/// through sou's own detector, since the check is about offsets, not about detection.
pub fn decoded(bytes: &[u8]) -> String {
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match String::from_utf8(body.to_vec()) {
        Ok(text) => text,
        Err(_) => {
            sou::corpus::decode(bytes)
                .expect("a corpus file that sou indexed decodes")
                .text
        }
    }
}

/// Whether `hl` (normalized, squeezed) can be cut into pieces that each occur in one query word (a
/// whitespace-separated piece of the normalized query), each piece of at least two characters unless it is
/// a whole query word: highlights are the query's terms or words, possibly merged when adjacent.
/// Does `hay` contain `pat`, a punctuation mark of `pat` matching any punctuation mark (as a quoted phrase
/// matches)?
fn contains_any_punct(hay: &str, pat: &str) -> bool {
    let punct = |c: char| !sou::text::normalize::is_word_char(c) && !c.is_whitespace();
    let (h, p): (Vec<char>, Vec<char>) = (hay.chars().collect(), pat.chars().collect());
    p.len() <= h.len()
        && (0..=h.len() - p.len()).any(|s| {
            h[s..s + p.len()]
                .iter()
                .zip(&p)
                .all(|(a, b)| a == b || (punct(*a) && punct(*b)))
        })
}

pub fn made_of_query_text(hl: &str, query: &str) -> bool {
    let words: Vec<String> = sou::text::normalize::normalize(query)
        .text
        .split_whitespace()
        .map(|w| {
            w.trim_matches(|c: char| !sou::text::normalize::is_word_char(c))
                .to_string()
        })
        .filter(|w| !w.is_empty())
        .collect();
    // The query's words with their punctuation (only the quotes around a phrase removed): a phrase like
    // `"-38℃"` or a --plain `--verbose` is highlighted whole, its punctuation included.
    let quotes: &[char] = &['"', '“', '”', '「', '」', '『', '』'];
    let raw: Vec<String> = sou::text::normalize::normalize(query)
        .text
        .split_whitespace()
        .map(|w| w.trim_matches(quotes).to_string())
        .filter(|w| w.chars().any(sou::text::normalize::is_word_char))
        .collect();
    let h: Vec<char> = hl.chars().collect();
    let ok_piece = |p: &str| {
        words
            .iter()
            .any(|w| w.contains(p) && (nchars(p) >= 2 || w.as_str() == p))
            || (nchars(p) >= 2
                && p.chars().any(sou::text::normalize::is_word_char)
                && raw.iter().any(|w| contains_any_punct(w, p)))
    };
    // reach[i]: the first i chars can be cut into good pieces.
    let mut reach = vec![false; h.len() + 1];
    reach[0] = true;
    for i in 0..h.len() {
        if !reach[i] {
            continue;
        }
        for j in i + 1..=h.len() {
            let piece: String = h[i..j].iter().collect();
            if ok_piece(&piece) {
                reach[j] = true;
            }
        }
    }
    reach[h.len()]
}

/// The results of one query of a batch (`sou search --queries … --json`).
#[derive(Debug)]
pub struct BatchResult {
    /// The query's id, as its summary gives it (every hit carries the same).
    pub qid: String,
    pub hits: Vec<Hit>,
    pub summary: Summary,
}

impl BatchResult {
    /// Paths of the hits, in rank order.
    pub fn paths(&self) -> Vec<&str> {
        self.hits.iter().map(|h| h.path.as_str()).collect()
    }
}

/// The error lines of a batch's JSON output, as (qid, message), in output order.
pub fn batch_errors(out: &Output) -> Vec<(String, String)> {
    out.stdout
        .lines()
        .map(|line| serde_json::from_str::<Value>(line).unwrap_or_else(|e| panic!("{e}: {line}")))
        .filter(|v| v["type"] == "error")
        .map(|v| {
            let s = |k: &str| v["data"][k].as_str().expect("a string").to_string();
            (s("qid"), s("message"))
        })
        .collect()
}

/// A temporary directory with `corpus/` (the articles) and room for `index/`.
pub struct TestEnv {
    dir: TempDir,
    /// The field of JSON Lines records that holds the body (`body` unless the test indexes with
    /// `--body-field`): hits of archives are checked against it.
    body_field: RefCell<String>,
}

impl TestEnv {
    /// An environment whose corpus holds `files` (relative path → content).
    pub fn new(files: &[(&str, &str)]) -> TestEnv {
        let env = TestEnv {
            dir: tempfile::Builder::new()
                .prefix("sou-test-")
                .tempdir()
                .expect("tempdir"),
            body_field: RefCell::new("body".to_string()),
        };
        std::fs::create_dir_all(env.corpus()).expect("mkdir corpus");
        for (rel, content) in files {
            env.write(rel, content);
        }
        env
    }

    /// [`TestEnv::new`] followed by a successful `sou index`.
    pub fn indexed(files: &[(&str, &str)]) -> TestEnv {
        let env = TestEnv::new(files);
        env.index();
        env
    }

    /// An indexed environment with the bundled article copied into its corpus.
    pub fn bundled() -> TestEnv {
        let src = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("corpus")
            .join(BUNDLED);
        let text = std::fs::read(&src).unwrap_or_else(|e| panic!("{}: {e}", src.display()));
        let env = TestEnv::new(&[]);
        env.write(BUNDLED, text);
        env.index();
        env
    }

    /// The bundled corpus as the repository ships it: the page and its settings (`corpus/sou.toml`, which
    /// reads it as a newspaper page), indexed.
    pub fn bundled_page() -> TestEnv {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
        let env = TestEnv::new(&[]);
        for name in [BUNDLED, "sou.toml"] {
            let src = dir.join(name);
            let bytes = std::fs::read(&src).unwrap_or_else(|e| panic!("{}: {e}", src.display()));
            env.write(name, bytes);
        }
        env.index();
        env
    }

    /// The temporary directory (the current directory of every run).
    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    /// `<root>/corpus`.
    pub fn corpus(&self) -> PathBuf {
        self.root().join("corpus")
    }

    /// `<root>/index`.
    pub fn index_dir(&self) -> PathBuf {
        self.root().join("index")
    }

    /// Writes a corpus file (creating directories), bytes allowed.
    /// The index's manifest as one JSON object: the head's fields, with `files` an object of the file
    /// entries by path (the shape of an older sou's manifest; on disk it is JSON Lines).
    pub fn manifest_json(&self) -> serde_json::Value {
        let text = std::fs::read_to_string(self.index_dir().join("sou-manifest.json")).unwrap();
        let mut lines = text.lines();
        let mut head: serde_json::Value = serde_json::from_str(lines.next().unwrap()).unwrap();
        let dirs = head["dir_count"].as_u64().expect("dir_count") as usize;
        let mut files = serde_json::Map::new();
        for line in lines.skip(dirs) {
            let mut f: serde_json::Value = serde_json::from_str(line).unwrap();
            let path = f["path"].as_str().unwrap().to_string();
            f.as_object_mut().unwrap().remove("path");
            files.insert(path, f);
        }
        let obj = head.as_object_mut().unwrap();
        for key in ["file_count", "dir_count", "passages", "watch"] {
            obj.remove(key);
        }
        obj.insert("files".into(), files.into());
        head
    }

    /// Writes `manifest` (the shape [`manifest_json`](Self::manifest_json) gives) as the index's manifest,
    /// as an older sou wrote it: one JSON object, without the directories' times.
    pub fn write_manifest_json(&self, manifest: &serde_json::Value) {
        let path = self.index_dir().join("sou-manifest.json");
        std::fs::write(path, serde_json::to_string_pretty(manifest).unwrap()).unwrap();
    }

    /// The format of a corpus file that sou reads through an extractor (a web page, a Word document, an
    /// EPUB book), by its bytes as `sou index` tells it; `None` for text, archives and PDFs.
    pub fn extracted_format(&self, rel: &str) -> Option<sou::corpus::Format> {
        use sou::corpus::Format;
        let bytes = std::fs::read(self.corpus().join(rel)).ok()?;
        let ext = rel.rsplit_once('.').map_or("", |(_, e)| e);
        match Format::sniff(&bytes[..bytes.len().min(4096)], ext) {
            f @ (Format::Html | Format::Mhtml | Format::Docx | Format::Epub) => Some(f),
            _ => None,
        }
    }

    pub fn write(&self, rel: &str, content: impl AsRef<[u8]>) {
        let path = self.corpus().join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(&path, content).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    }

    /// Removes a corpus file.
    pub fn remove(&self, rel: &str) {
        std::fs::remove_file(self.corpus().join(rel)).expect("remove corpus file");
    }

    /// The decoded text of a corpus file.
    pub fn read(&self, rel: &str) -> String {
        decoded(&std::fs::read(self.corpus().join(rel)).expect("read corpus file"))
    }

    /// Tells the hit checks which field of JSON Lines records holds the body (after `--body-field`).
    pub fn set_body_field(&self, name: &str) {
        *self.body_field.borrow_mut() = name.to_string();
    }

    /// The body of the record on 1-based line `line` of the JSON Lines file `rel` (only that line needs to
    /// be UTF-8 and JSON).
    pub fn record_body(&self, rel: &str, line: u64) -> String {
        let bytes = std::fs::read(self.corpus().join(rel)).expect("read corpus file");
        let raw = bytes
            .split(|&b| b == b'\n')
            .nth(line as usize - 1)
            .unwrap_or_else(|| panic!("{rel} has no line {line}"));
        let text = std::str::from_utf8(raw).unwrap_or_else(|e| panic!("{rel}:{line}: {e}"));
        let text = text.trim_start_matches('\u{feff}');
        let record: Value =
            serde_json::from_str(text).unwrap_or_else(|e| panic!("{rel}:{line}: {e}"));
        let field = self.body_field.borrow();
        record[field.as_str()]
            .as_str()
            .unwrap_or_else(|| panic!("{rel}:{line}: no string {field:?}"))
            .to_string()
    }

    /// A `sou` command with a clean environment (only `PATH` and `HOME`, plus `envs`), run in the
    /// temporary directory with no stdin.
    pub fn command<I, S>(&self, args: I, envs: &[(&str, &str)]) -> Command
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let mut cmd = Command::new(SOU);
        cmd.args(args)
            .current_dir(self.root())
            .env_clear()
            .stdin(Stdio::null());
        for key in ["PATH", "HOME"] {
            if let Some(v) = std::env::var_os(key) {
                cmd.env(key, v);
            }
        }
        for (k, v) in envs {
            cmd.env(k, v);
        }
        cmd
    }

    /// Runs `sou` with exactly `args` (and extra environment variables).
    pub fn run_env<I, S>(&self, args: I, envs: &[(&str, &str)]) -> Output
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        Output::checked(
            self.command(args, envs)
                .output()
                .expect("cannot run the sou binary"),
        )
    }

    /// Runs `sou` with exactly `args`.
    pub fn run<I, S>(&self, args: I) -> Output
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.run_env(args, &[])
    }

    /// `sou index --corpus <root>/corpus --index <root>/index ARGS`, whatever its status.
    pub fn try_index(&self, args: &[&str]) -> Output {
        let mut all: Vec<String> = vec![
            "index".into(),
            "--corpus".into(),
            self.corpus().display().to_string(),
            "--index".into(),
            self.index_dir().display().to_string(),
        ];
        all.extend(args.iter().map(|a| a.to_string()));
        self.run(all)
    }

    /// `sou index --json ARGS`, which must succeed with one `index_summary` object; returns its `data` and
    /// the run's output.
    pub fn index_json(&self, args: &[&str]) -> (serde_json::Value, Output) {
        let mut all = vec!["--json"];
        all.extend_from_slice(args);
        let out = self.try_index(&all);
        let stdout = out.assert_ok();
        assert_eq!(stdout.lines().count(), 1, "{stdout}");
        let v: serde_json::Value = serde_json::from_str(stdout).unwrap();
        assert_eq!(v["type"], "index_summary");
        (v["data"].clone(), out)
    }

    /// `sou index`, which must succeed; returns its summary line.
    pub fn index(&self) -> String {
        let out = self.try_index(&[]);
        let stdout = out.assert_ok();
        assert!(
            stdout.starts_with("indexed ") && stdout.lines().count() == 1,
            "unexpected index summary: {out:#?}"
        );
        stdout.trim_end().to_string()
    }

    /// The arguments of a search: `search --index … --corpus … ARGS`.
    fn search_args(&self, args: &[&str]) -> Vec<String> {
        let mut all: Vec<String> = vec![
            "search".into(),
            "--index".into(),
            self.index_dir().display().to_string(),
            "--corpus".into(),
            self.corpus().display().to_string(),
        ];
        all.extend(args.iter().map(|a| a.to_string()));
        all
    }

    /// Runs `sou` with exactly `args`, feeding `input` on its stdin.
    pub fn run_with_stdin(&self, args: &[String], input: &str) -> Output {
        let mut child = self
            .command(args, &[])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("cannot run the sou binary");
        {
            let mut stdin = child.stdin.take().expect("stdin");
            stdin.write_all(input.as_bytes()).expect("write stdin");
        } // Closed here: end of input.
        Output::checked(child.wait_with_output().expect("wait for sou"))
    }

    /// `sou search --json --queries FILE ARGS` (FILE `-`: `stdin` is fed to it). Parses and checks the
    /// output: every line carries its query's `qid` as its first field, each query's hits are followed by
    /// its summary, ranks restart at 1, every hit is checked as in [`TestEnv::search_json`]; a query that
    /// failed has one error line between the others (see [`batch_errors`]). Returns the queries' results in
    /// output order, and the output (whatever its status).
    pub fn search_batch_json(
        &self,
        file: &str,
        stdin: Option<&str>,
        args: &[&str],
    ) -> (Vec<BatchResult>, Output) {
        let mut all = vec!["--json", "--queries", file];
        all.extend_from_slice(args);
        let args = self.search_args(&all);
        let out = match stdin {
            Some(input) => self.run_with_stdin(&args, input),
            None => self.run(&args),
        };
        assert!(
            matches!(out.code, Some(0..=2)) && !out.stderr.contains("panicked"),
            "{out:#?}"
        );
        let mut results = Vec::new();
        let mut hits: Vec<Hit> = Vec::new();
        for line in out.stdout.lines() {
            let v: Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"));
            let kind = v["type"].as_str().unwrap_or_default().to_string();
            assert!(
                line.starts_with(&format!(r#"{{"type":"{kind}","data":{{"qid":""#)),
                "qid is not the first field of: {line}"
            );
            match kind.as_str() {
                "hit" => {
                    let hit: Hit = serde_json::from_value(v["data"].clone())
                        .unwrap_or_else(|e| panic!("{e}: {line}"));
                    assert_eq!(hit.rank, hits.len() + 1, "ranks are not 1, 2, …: {line}");
                    hits.push(hit);
                }
                "summary" => {
                    let summary: Summary = serde_json::from_value(v["data"].clone())
                        .unwrap_or_else(|e| panic!("{e}: {line}"));
                    let qid = summary.qid.clone().expect("qid");
                    for h in &hits {
                        assert_eq!(h.qid.as_deref(), Some(qid.as_str()), "{h:#?} before {line}");
                    }
                    assert_eq!(summary.returned, hits.len(), "{line}");
                    assert!(summary.total_hits >= hits.len(), "{line}");
                    self.check_hit_list(&hits, &summary.query, &all);
                    results.push(BatchResult {
                        qid,
                        hits: std::mem::take(&mut hits),
                        summary,
                    });
                }
                "error" => {
                    assert!(
                        hits.is_empty(),
                        "an error line among a query's hits: {line}"
                    );
                    let data = v["data"].as_object().expect("error data");
                    assert_eq!(data.len(), 2, "error data is qid and message: {line}");
                    assert!(
                        data["message"].as_str().is_some_and(|m| !m.is_empty()),
                        "error without a message: {line}"
                    );
                }
                _ => panic!("neither a hit, a summary nor an error: {line}"),
            }
        }
        assert!(
            hits.is_empty(),
            "hits without a summary at the end: {out:#?}"
        );
        (results, out)
    }

    /// `sou search --index … --corpus … ARGS` (human output), whatever its status.
    pub fn search(&self, args: &[&str]) -> Output {
        self.run(self.search_args(args))
    }

    /// `sou search` with extra environment variables.
    pub fn search_env(&self, args: &[&str], envs: &[(&str, &str)]) -> Output {
        self.run_env(self.search_args(args), envs)
    }

    /// `sou search --json ARGS`: parses and checks the JSON Lines (see the module docs). The search must
    /// not fail (status 0 with hits, 1 without).
    pub fn search_json(&self, args: &[&str]) -> Found {
        let mut all = vec!["--json"];
        all.extend_from_slice(args);
        let out = self.search(&all);
        let found = parse_json(out);
        self.check_hits(&found, args);
        found
    }

    /// Checks every hit of `found` against the corpus on disk and the query.
    pub fn check_hits(&self, found: &Found, args: &[&str]) {
        self.check_hit_list(&found.hits, &found.summary.query, args);
    }

    /// Checks `hits` (of `query`) against the corpus on disk and the query.
    pub fn check_hit_list(&self, hits: &[Hit], query: &str, args: &[&str]) {
        // One hit per article unless asked for more (a batch's hits are checked query by query).
        let cap = if args.contains(&"--passages") {
            usize::MAX
        } else {
            args.iter()
                .position(|a| *a == "--per-article")
                .and_then(|i| args.get(i + 1)?.parse().ok())
                .unwrap_or(1)
        };
        for h in hits {
            let same = hits
                .iter()
                .filter(|o| o.path == h.path && o.article == h.article && o.qid == h.qid)
                .count();
            assert!(same <= cap, "{same} hits of {} for {args:?}", h.article);
        }
        for hit in hits {
            let ctx = || format!("hit {hit:#?} of {args:?}");
            // The passage is exactly the file's characters [start, end), or for a record of a JSON Lines
            // archive its body's.
            let source = if hit.path.to_ascii_lowercase().ends_with(".pdf") {
                // A PDF's article: `path:pN#aK`, its page in `page`; offsets into the text extracted from it.
                let page = hit
                    .page
                    .unwrap_or_else(|| panic!("PDF hit without a page: {}", ctx()));
                assert!(
                    hit.id.starts_with(&format!("{}:p{page}#a", hit.path)),
                    "the id of a PDF article is path:pN#aK: {}",
                    ctx()
                );
                let bytes = std::fs::read(self.corpus().join(&hit.path)).expect("read the PDF");
                let mut pages = Vec::new();
                sou::corpus::pdf::read_pages(bytes, &mut |p| {
                    pages.push(p);
                    true
                })
                .expect("the PDF reads");
                sou::corpus::pdf_text(&pages)
            } else if let Some(format) = self.extracted_format(&hit.path) {
                // A web page, a Word document or a book: offsets into the text extracted from it.
                assert!(
                    hit.id == hit.path || hit.id.starts_with(&format!("{}#c", hit.path)),
                    "the id of an extracted file is its path (or path#cN): {}",
                    ctx()
                );
                let bytes = std::fs::read(self.corpus().join(&hit.path)).expect("read the file");
                let doc = sou::corpus::extract(format, bytes, std::time::Duration::from_secs(60))
                    .expect("the file extracts");
                sou::corpus::document_text(&doc)
            } else if hit.path.to_ascii_lowercase().ends_with(".jsonl") {
                let line = hit
                    .line
                    .unwrap_or_else(|| panic!("archive hit without a line: {}", ctx()));
                self.record_body(&hit.path, line)
            } else {
                // A text file's article is the file, or for a newspaper page one of its articles.
                assert!(
                    hit.id == hit.path || hit.id.starts_with(&format!("{}#a", hit.path)),
                    "the id of a text file is its path (or path#aN): {}",
                    ctx()
                );
                assert_eq!(hit.line, None, "line for a text file: {}", ctx());
                // A text file's date comes from the settings or its path, as sou shows dates.
                if let Some(d) = &hit.date {
                    let shown = sou::corpus::date::PartialDate::parse(d).map(|d| d.to_string());
                    assert_eq!(shown.as_ref(), Some(d), "date of a text file: {}", ctx());
                }
                self.read(&hit.path)
            };
            assert!(hit.start < hit.end, "empty passage: {}", ctx());
            assert_eq!(hit.article, hit.id, "article is the id: {}", ctx());
            // A re-joined passage is its pieces, in order, from start to end.
            let pieces = if hit.pieces.is_empty() {
                vec![[hit.start, hit.end]]
            } else {
                assert!(hit.pieces.len() > 1, "one piece listed: {}", ctx());
                hit.pieces.clone()
            };
            // (Pieces may go back in the file: [start, end) covers them.)
            assert_eq!(
                pieces.iter().map(|p| p[0]).min(),
                Some(hit.start),
                "{}",
                ctx()
            );
            assert_eq!(
                pieces.iter().map(|p| p[1]).max(),
                Some(hit.end),
                "{}",
                ctx()
            );
            assert!(pieces.iter().all(|p| p[0] < p[1]), "{}", ctx());
            let joined: String = pieces
                .iter()
                .map(|&[s, e]| char_slice(&source, s, e))
                .collect();
            assert_eq!(
                joined,
                hit.text,
                "text is not the file's (record body's) chars [start, end): {}",
                ctx()
            );
            assert_eq!(hit.text.trim(), hit.text, "passage not trimmed: {}", ctx());
            assert!(!hit.title.is_empty(), "empty title: {}", ctx());
            // The snippet is a piece of the passage (whitespace collapsed, `…` where cut).
            let mut snippet_body = hit.snippet.as_str();
            snippet_body = snippet_body.strip_prefix('…').unwrap_or(snippet_body);
            snippet_body = snippet_body.strip_suffix('…').unwrap_or(snippet_body);
            assert!(
                collapse(&hit.text).contains(snippet_body.trim()),
                "snippet is not part of the passage: {}",
                ctx()
            );
            check_highlights(hit, query, &ctx);
        }
    }
}

/// Highlights: inside the snippet, sorted, disjoint and not touching, non-empty, part of the passage, and
/// made of query text once normalized.
fn check_highlights(hit: &Hit, query: &str, ctx: &dyn Fn() -> String) {
    let n = nchars(&hit.snippet);
    let mut prev_end: Option<usize> = None;
    for &[s, e] in &hit.highlights {
        assert!(s < e, "empty highlight [{s}, {e}): {}", ctx());
        assert!(e <= n, "highlight [{s}, {e}) beyond the snippet: {}", ctx());
        if let Some(p) = prev_end {
            assert!(
                s > p,
                "highlights unsorted, overlapping or touching: {}",
                ctx()
            );
        }
        prev_end = Some(e);
        let hl = char_slice(&hit.snippet, s, e);
        assert!(
            !hl.trim().is_empty() && !hl.contains('…'),
            "highlight {hl:?} is blank or an ellipsis: {}",
            ctx()
        );
        assert!(
            squeeze(&hit.text).contains(&squeeze(&hl)),
            "highlight {hl:?} is not in the passage: {}",
            ctx()
        );
        assert!(
            made_of_query_text(&norm(&hl), query),
            "highlight {hl:?} (normalized {:?}) is not query text of {query:?}: {}",
            norm(&hl),
            ctx()
        );
    }
}

/// Parses the JSON Lines output of a search and checks its framing.
pub fn parse_json(out: Output) -> Found {
    assert!(matches!(out.code, Some(0 | 1)), "search failed: {out:#?}");
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert!(!lines.is_empty(), "no output: {out:#?}");
    let mut hits = Vec::new();
    for line in &lines[..lines.len() - 1] {
        let v: Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"));
        assert_eq!(v["type"], "hit", "not a hit line: {line}");
        let hit: Hit =
            serde_json::from_value(v["data"].clone()).unwrap_or_else(|e| panic!("{e}: {line}"));
        hits.push(hit);
    }
    let last = lines[lines.len() - 1];
    let v: Value = serde_json::from_str(last).unwrap_or_else(|e| panic!("{e}: {last}"));
    assert_eq!(v["type"], "summary", "last line is not the summary: {last}");
    let summary: Summary =
        serde_json::from_value(v["data"].clone()).unwrap_or_else(|e| panic!("{e}: {last}"));
    for (i, h) in hits.iter().enumerate() {
        assert_eq!(h.rank, i + 1, "ranks are not 1, 2, …: {out:#?}");
        assert!(
            h.score.is_finite() && h.score > 0.0,
            "score not finite and positive: {h:#?}"
        );
        // Every hit shows what made it a hit (unless snippets are off), and says whether it is full.
        assert!(
            !h.highlights.is_empty() || !h.title_highlights.is_empty() || h.snippet.is_empty(),
            "a hit without a highlight: {h:#?}"
        );
        match h.matched.as_str() {
            "full" => assert!(
                h.missing.is_empty(),
                "full match with missing terms: {h:#?}"
            ),
            "partial" => assert!(
                !h.missing.is_empty(),
                "partial match missing nothing: {h:#?}"
            ),
            other => panic!("match is {other:?}: {h:#?}"),
        }
    }
    let full = hits.iter().filter(|h| h.matched == "full").count();
    match summary.match_rule.as_str() {
        // A keyword query's hits are all full matches, or (when there is none) all partial.
        "all_terms" if summary.total_hits > 0 => assert_eq!(full, hits.len(), "{out:#?}"),
        "all_terms" => assert_eq!(full, 0, "{out:#?}"),
        "coverage" => {}
        other => panic!("match_rule is {other:?}: {out:#?}"),
    }
    for w in hits.windows(2) {
        // By date: dated hits first, in order (a day after its month or year alone, as the index's
        // YYYYMMDD keys sort).
        let key = |h: &Hit| {
            h.date
                .as_deref()
                .and_then(sou::corpus::date::PartialDate::parse)
                .map(|d| d.key())
        };
        match summary.sort.as_str() {
            "relevance" => assert!(
                w[0].score >= w[1].score,
                "hits not sorted by score: {:#?}",
                w
            ),
            "date" | "date_desc" => {
                let (a, b) = (key(&w[0]), key(&w[1]));
                let ordered = match (a, b) {
                    (Some(a), Some(b)) if summary.sort == "date" => a <= b,
                    (Some(a), Some(b)) => a >= b,
                    (None, Some(_)) => false,
                    _ => true,
                };
                assert!(ordered, "hits not sorted by date: {w:#?}");
            }
            other => panic!("sort is {other:?}"),
        }
    }
    assert_eq!(summary.returned, hits.len(), "summary.returned: {out:#?}");
    assert!(summary.total_hits >= full, "summary.total_hits: {out:#?}");
    assert!(summary.elapsed_ms >= 0.0);
    // Success: a keyword query's full matches, a question's (or --plain query's) hits.
    let success = if summary.match_rule == "all_terms" {
        summary.total_hits > 0
    } else {
        !hits.is_empty()
    };
    assert_eq!(
        out.code,
        Some(if success { 0 } else { 1 }),
        "exit status does not match the hits: {out:#?}"
    );
    Found { hits, summary, out }
}

// ---------------------------------------------------------------------------------------------------------
// Shared by the test modules: the traps corpus, assertions on what a search finds, a child that may hang.

/// The traps of Chinese search ([`hay::TRAPS`]), indexed.
pub fn traps() -> TestEnv {
    TestEnv::indexed(hay::TRAPS)
}

/// The traps of Chinese search ([`hay::TRAPS`]) plus `extra` documents, indexed.
pub fn traps_with(extra: &[(&str, &str)]) -> TestEnv {
    let mut files = hay::TRAPS.to_vec();
    files.extend_from_slice(extra);
    TestEnv::indexed(&files)
}

/// Asserts that the search finds exactly `paths` (in any order).
pub fn assert_finds_exactly(env: &TestEnv, args: &[&str], paths: &[&str]) -> Found {
    let found = env.search_json(args);
    let mut want = paths.to_vec();
    want.sort_unstable();
    assert_eq!(found.path_set(), want, "{args:?}: {:#?}", found.hits);
    found
}

/// Asserts that the search finds nothing (exit status 1, an empty result).
pub fn assert_no_hits(env: &TestEnv, args: &[&str]) {
    let found = env.search_json(args);
    assert!(found.hits.is_empty(), "{args:?}: {:#?}", found.hits);
    assert_eq!(found.summary.total_hits, 0);
    assert_eq!(found.out.code, Some(1));
}

/// Asserts that no passage contains the whole query: exit status 1, `total_hits` 0, and every hit shown (if
/// any) is partial. Returns what was found.
pub fn assert_no_full_match(env: &TestEnv, args: &[&str]) -> Found {
    let found = env.search_json(args);
    assert_eq!(found.summary.total_hits, 0, "{args:?}: {:#?}", found.hits);
    assert_eq!(found.out.code, Some(1), "{args:?}: {:#?}", found.out);
    assert!(
        found.hits.iter().all(|h| h.matched == "partial"),
        "{args:?}: {:#?}",
        found.hits
    );
    found
}

/// The single line of `out.stdout` that starts with `prefix`.
pub fn line_starting<'a>(out: &'a Output, prefix: &str) -> &'a str {
    let lines: Vec<&str> = out
        .stdout
        .lines()
        .filter(|l| l.starts_with(prefix))
        .collect();
    assert_eq!(lines.len(), 1, "no single {prefix:?} line: {out:#?}");
    lines[0]
}

/// Waits for a child at most a minute (then kills it and fails), and collects its output.
pub fn wait_output(mut child: std::process::Child) -> Output {
    let started = std::time::Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > std::time::Duration::from_secs(60) {
            child.kill().unwrap();
            let out = child.wait_with_output().unwrap();
            panic!(
                "sou hung for a minute; stderr: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    Output::checked(child.wait_with_output().unwrap())
}
