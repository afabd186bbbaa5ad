//! The `sou` binary: parse flags, call the library, map the outcome to an exit status
//! (0: hits found or index built, 1: no hits, 2: error). Errors are one line on stderr.

mod cli;

use std::io::{self, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use termcolor::{BufferedStandardStream, ColorChoice};

use cli::{Cli, ColorArg, Command, ParseError};
use sou::corpus::JsonFields;
use sou::index::{self, BuildOptions, DictChoice, IndexStats};
use sou::output::{self, ColorWhen};
use sou::search::{self, SearchRequest};

fn main() -> ExitCode {
    let cli = match cli::parse(std::env::args_os().collect()) {
        Ok(cli) => cli,
        Err(ParseError::Print(help)) => {
            let _ = help.print(); // A closed pipe (`sou --help | head`) is no error.
            return ExitCode::from(u8::try_from(help.exit_code()).unwrap_or(2));
        }
        Err(ParseError::Line(msg)) => {
            eprintln!("sou: {msg}");
            return ExitCode::from(2);
        }
    };
    match run(cli) {
        Ok(code) => code,
        Err(err) => {
            // A closed pipe (`sou search x | head -1`) is how the reader says it has seen enough.
            if err.chain().any(|e| {
                e.downcast_ref::<io::Error>()
                    .is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe)
            }) {
                return ExitCode::SUCCESS;
            }
            eprintln!("sou: {err:#}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Index(args) => {
            let opts = BuildOptions {
                corpus: args.corpus,
                index: args.index.clone(),
                rebuild: args.rebuild,
                threads: args.threads.map(|n| n.get()),
                progress: true,
                dict: match (args.dict, args.no_dict) {
                    (Some(p), _) => DictChoice::Set(p),
                    (None, true) => DictChoice::Remove,
                    (None, false) => DictChoice::Keep,
                },
                json_fields: json_fields(
                    &args.index,
                    [
                        args.id_field,
                        args.title_field,
                        args.body_field,
                        args.date_field,
                    ],
                ),
            };
            let (stats, failed) = build(&opts)?;
            let mut out = io::stdout().lock();
            if args.json {
                let mut v = serde_json::to_value(&stats)?;
                v["elapsed_s"] = serde_json::json!(stats.elapsed.as_secs_f64());
                writeln!(
                    out,
                    "{}",
                    serde_json::json!({"type": "index_summary", "data": v})
                )?;
            } else {
                writeln!(out, "{}", summary_line(&stats))?;
            }
            out.flush()?;
            Ok(if failed {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            })
        }
        Command::Search(args) => {
            // No index yet: build it, as `sou index` would, where the user named no index (the default
            // index/ from corpus/) or named the corpus too. An index named alone must exist: a mistyped path
            // would otherwise be built from ./corpus and answer from another archive. (One an older sou
            // wrote is rebuilt below: the format is checked only when opening fails, so a search reads the
            // manifest once.)
            let build_missing = args.index.is_none() || args.corpus.is_some();
            let index_dir = args.index.unwrap_or_else(|| PathBuf::from("index"));
            if build_missing && !index::exists(&index_dir) {
                build_for_search(&index_dir, args.corpus.as_deref(), None)?;
            }
            // The staleness check's walk and `stat`s need only the corpus root: they run while the index
            // (and its manifest, megabytes for a big folder) is opened.
            let early_stats = args
                .corpus
                .clone()
                .or_else(|| index::recorded_corpus_root(&index_dir))
                .map(|root| {
                    let walked = root.clone();
                    (
                        root,
                        std::thread::spawn(move || index::corpus_stats(&walked)),
                    )
                });
            let idx = match index::open(&index_dir) {
                Ok(idx) => idx,
                Err(e @ sou::Error::IndexIncompatible { .. }) => {
                    match index::older_format(&index_dir) {
                        Some(v) => {
                            build_for_search(&index_dir, args.corpus.as_deref(), Some(v))?;
                            index::open(&index_dir)?
                        }
                        None => return Err(e.into()),
                    }
                }
                Err(e) => return Err(e.into()),
            };
            let corpus = args
                .corpus
                .unwrap_or_else(|| idx.manifest.corpus_root.clone());
            let stats = match early_stats {
                Some((root, h)) if root == corpus => h.join().ok(),
                _ => None,
            }
            .unwrap_or_else(|| index::corpus_stats(&corpus));
            warn_if_stale(&idx.manifest, &stats, &corpus, &index_dir);
            if let Some(msg) = index::dict_changed(&idx.manifest) {
                eprintln!("sou: warning: {msg}");
            }
            let batch = args.queries.is_some();
            let queries = match &args.queries {
                Some(file) => read_queries(file)?,
                None => vec![(None, Ok(args.query.join(" ")))],
            };
            let when = match args.color {
                ColorArg::Auto => ColorWhen::Auto,
                ColorArg::Always => ColorWhen::Always,
                ColorArg::Never => ColorWhen::Never,
            };
            let color = !args.json
                && output::use_color(
                    when,
                    io::stdout().is_terminal(),
                    std::env::var("NO_COLOR").ok().as_deref(),
                    std::env::var("TERM").ok().as_deref(),
                );
            let mut out = BufferedStandardStream::stdout(if color {
                ColorChoice::AlwaysAnsi
            } else {
                ColorChoice::Never
            });
            let (mut any_hits, mut errors) = (false, 0usize);
            // A batch answers every query it can: a bad one (a malformed line, a query with nothing to search
            // for) is reported with its qid, on stderr and with --json in its place in the output, and makes
            // the exit status 2 at the end. A single query's error is the run's.
            for (qid, query) in queries {
                let outcome = match query {
                    Ok(query) => search::search(
                        &idx,
                        &SearchRequest {
                            query,
                            limit: args.limit.get(),
                            snippet_chars: args.snippet_chars.get(),
                            per_article: args.per_article.map(|n| n.get()),
                            plain: args.plain,
                        },
                    )
                    .map_err(|e| e.to_string()),
                    Err(msg) => Err(msg),
                };
                let results = match outcome {
                    Ok(r) => r,
                    Err(e) if batch => {
                        let qid = qid.as_deref().unwrap_or("?");
                        eprintln!("sou: query {qid}: {e}");
                        if args.json {
                            output::print_json_error(&mut out, qid, &e)?;
                        }
                        errors += 1;
                        continue;
                    }
                    Err(e) => return Err(anyhow::anyhow!(e)),
                };
                any_hits |= !results.hits.is_empty();
                if args.json {
                    output::print_json(&mut out, &results, qid.as_deref())?;
                } else {
                    if batch {
                        writeln!(
                            out,
                            "# {}: {}",
                            qid.as_deref().unwrap_or("?"),
                            results.query
                        )?;
                    }
                    output::print_human(&mut out, &results)?;
                }
            }
            out.flush()?;
            Ok(if errors > 0 {
                ExitCode::from(2)
            } else if any_hits {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
        Command::Analyze(args) => {
            let mut out = io::stdout().lock();
            let user = match &args.dict {
                Some(path) => {
                    let text = std::fs::read_to_string(path)
                        .with_context(|| format!("cannot read dictionary {}", path.display()))?;
                    let entries = sou::text::dict::parse_dict(&text)
                        .with_context(|| format!("in {}", path.display()))?;
                    Some(sou::text::analyzer::Analyzer::with_user_dict(&entries))
                }
                None => None,
            };
            output::print_analysis(&mut out, &args.text.join(" "), user.as_ref())?;
            out.flush()?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// A query to run: its id (in a batch: given, or the line number) and its text, or why its line can't be run.
type QueryLine = (Option<String>, Result<String, String>);

/// Reads a batch of queries: one per line, plain text or a JSON object with `qid` and `query`. A line that
/// can't be read as a query (not UTF-8, malformed JSON, no `query` string) is returned with its error, under
/// its qid: the JSON's if it has one, else its line number, as for a good line.
fn read_queries(file: &Path) -> anyhow::Result<Vec<QueryLine>> {
    let bytes = if file == Path::new("-") {
        let mut bytes = Vec::new();
        io::stdin()
            .lock()
            .read_to_end(&mut bytes)
            .context("cannot read queries from stdin")?;
        bytes
    } else {
        std::fs::read(file)
            .with_context(|| format!("cannot read queries from {}", file.display()))?
    };
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    let mut out = Vec::new();
    for (i, line) in bytes.split(|&b| b == b'\n').enumerate() {
        let n = i + 1;
        let at = |e: String| format!("{}:{n}: {e}", file.display());
        let line = match std::str::from_utf8(line) {
            Ok(line) => line.trim(),
            Err(e) => {
                out.push((Some(n.to_string()), Err(at(format!("not UTF-8 ({e})")))));
                continue;
            }
        };
        if line.is_empty() {
            continue;
        }
        if !line.starts_with('{') {
            out.push((Some(n.to_string()), Ok(line.to_string())));
            continue;
        }
        let (qid, query) = match serde_json::from_str::<serde_json::Value>(line) {
            Ok(v) => {
                let qid = match &v["qid"] {
                    serde_json::Value::String(s) => s.clone(),
                    serde_json::Value::Number(x) => x.to_string(),
                    _ => n.to_string(),
                };
                let query = match v["query"].as_str() {
                    Some(q) => Ok(q.to_string()),
                    None => Err(at("no \"query\" string".to_string())),
                };
                (qid, query)
            }
            Err(e) => (n.to_string(), Err(at(format!("malformed JSON ({e})")))),
        };
        out.push((Some(qid), query));
    }
    Ok(out)
}

/// The JSON Lines field names for `sou index`: those given on the command line, else those the index was
/// built with, else the defaults.
fn json_fields(index_dir: &Path, given: [Option<String>; 4]) -> JsonFields {
    let previous = index::read_manifest(index_dir)
        .ok()
        .flatten()
        .map(|m| m.json_fields)
        .unwrap_or_default();
    let [id, title, body, date] = given;
    JsonFields {
        id: id.unwrap_or(previous.id),
        title: title.unwrap_or(previous.title),
        body: body.unwrap_or(previous.body),
        date: date.unwrap_or(previous.date),
    }
}

/// Builds the index that `sou search` needs: a missing one (`older` is None) from `corpus` or `corpus/`, or
/// one that an older sou wrote (format `older`) from `corpus` or its own corpus root, keeping its archive
/// field names and user dictionary.
fn build_for_search(
    index_dir: &Path,
    corpus: Option<&Path>,
    older: Option<u32>,
) -> anyhow::Result<()> {
    let corpus = match (corpus, older) {
        (Some(c), _) => c.to_path_buf(),
        (None, None) => PathBuf::from("corpus"),
        (None, Some(_)) => index::read_manifest(index_dir)?
            .map(|m| m.corpus_root)
            .unwrap_or_else(|| PathBuf::from("corpus")),
    };
    match older {
        None => eprintln!(
            "sou: no index in {} yet: building it from {}",
            index_dir.display(),
            corpus.display()
        ),
        Some(v) => eprintln!(
            "sou: the index in {} was written by an older sou (index format {v}): rebuilding it from {}",
            index_dir.display(),
            corpus.display()
        ),
    }
    let opts = BuildOptions {
        corpus,
        index: index_dir.to_path_buf(),
        // An older index is rebuilt outright (the line above said so; the build need not say it again).
        rebuild: older.is_some(),
        threads: None,
        progress: true,
        dict: DictChoice::Keep,
        json_fields: json_fields(index_dir, [None, None, None, None]),
    };
    let (stats, _) = build(&opts)?;
    eprintln!("sou: {}", summary_line(&stats));
    Ok(())
}

/// Builds or updates an index, printing warnings on stderr. Returns the stats and whether any file failed.
fn build(opts: &BuildOptions) -> anyhow::Result<(IndexStats, bool)> {
    let mut warn = |msg: String| eprintln!("sou: warning: {msg}");
    let stats = index::build(opts, &mut warn)
        .map_err(explain_write_error)
        .with_context(|| {
            format!(
                "cannot index {} into {}",
                opts.corpus.display(),
                opts.index.display()
            )
        })?;
    let failed = stats.failed > 0;
    Ok((stats, failed))
}

/// tantivy reports a failed write (a full disk, a file-size limit, a read-only disk) as an I/O error, or as an
/// internal error from its indexing thread: say what that means. Nothing is committed before the commit
/// succeeds, and the manifest is written after it, so the index keeps its last complete version.
fn explain_write_error(e: sou::Error) -> anyhow::Error {
    let cause = match &e {
        sou::Error::Tantivy(tantivy::TantivyError::IoError(io)) => Some(io.to_string()),
        sou::Error::Tantivy(tantivy::TantivyError::InternalError(msg))
            if msg.contains("os error") =>
        {
            Some(msg.clone())
        }
        _ => None,
    };
    match cause {
        Some(cause) => anyhow::anyhow!(
            "writing the index failed ({cause}); nothing of this run was committed, so the index is as it was before: make room and run `sou index` again"
        ),
        None => e.into(),
    }
}

fn summary_line(s: &IndexStats) -> String {
    let mut line = format!(
        "indexed {} files ({} new, {} changed, {} removed, {} unchanged",
        s.files, s.added, s.changed, s.removed, s.unchanged
    );
    if s.skipped > 0 {
        line.push_str(&format!(", {} skipped", s.skipped));
    }
    if s.failed > 0 {
        line.push_str(&format!(", {} failed", s.failed));
    }
    line.push_str(&format!(
        "): {} passages written, {} in the index, {:.2} MB read in {:.2} s",
        s.passages_written,
        s.passages_total,
        s.bytes as f64 / 1e6,
        s.elapsed.as_secs_f64()
    ));
    let legacy: Vec<String> = s
        .encodings
        .iter()
        .filter(|(e, _)| e.as_str() != "UTF-8")
        .map(|(e, n)| format!("{n} from {e}"))
        .collect();
    if !legacy.is_empty() {
        line.push_str(&format!("; decoded {}", legacy.join(", ")));
    }
    line
}

fn warn_if_stale(
    manifest: &index::Manifest,
    stats: &[index::FileStat],
    corpus: &Path,
    index_dir: &Path,
) {
    let s = index::staleness_of(manifest, stats);
    if !s.is_fresh() {
        eprintln!(
            "sou: warning: {} changed since it was indexed ({} new, {} changed, {} removed files); run `sou index --corpus {} --index {}`",
            corpus.display(),
            s.added,
            s.changed,
            s.removed,
            corpus.display(),
            index_dir.display()
        );
    }
}
