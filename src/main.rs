//! The `sou` binary: parse flags, call the library, map the outcome to an exit status
//! (0: hits found or index built, 1: no hits, 2: error). Errors are one line on stderr.

mod cli;

use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::Parser;
use termcolor::{BufferedStandardStream, ColorChoice};

use cli::{Cli, ColorArg, Command};
use sou::index::{self, BuildOptions, IndexStats};
use sou::output::{self, ColorWhen};
use sou::search::{self, SearchRequest};

fn main() -> ExitCode {
    let cli = Cli::parse_from(cli::reorder_search_args(std::env::args_os().collect()));
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
                index: args.loc.index,
                rebuild: args.rebuild,
                threads: args.threads.map(|n| n.get()),
                progress: true,
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
            let index_dir = args.loc.index;
            if !index::exists(&index_dir) {
                let corpus = args
                    .corpus
                    .clone()
                    .unwrap_or_else(|| PathBuf::from("corpus"));
                eprintln!(
                    "sou: no index in {} yet: building it from {}",
                    index_dir.display(),
                    corpus.display()
                );
                let opts = BuildOptions {
                    corpus,
                    index: index_dir.clone(),
                    rebuild: false,
                    threads: None,
                    progress: true,
                };
                let (stats, _) = build(&opts)?;
                eprintln!("sou: {}", summary_line(&stats));
            }
            let idx = index::open(&index_dir)?;
            let corpus = args
                .corpus
                .unwrap_or_else(|| idx.manifest.corpus_root.clone());
            warn_if_stale(&idx.manifest, &corpus, &index_dir);
            let req = SearchRequest {
                query: args.query.join(" "),
                limit: args.limit.get(),
                snippet_chars: args.snippet_chars.get(),
            };
            let results = search::search(&idx, &req)?;
            if args.json {
                let mut out = io::BufWriter::new(io::stdout().lock());
                output::print_json(&mut out, &results)?;
                out.flush()?;
            } else {
                let when = match args.color {
                    ColorArg::Auto => ColorWhen::Auto,
                    ColorArg::Always => ColorWhen::Always,
                    ColorArg::Never => ColorWhen::Never,
                };
                let color = output::use_color(
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
                output::print_human(&mut out, &results)?;
                out.flush()?;
            }
            Ok(if results.hits.is_empty() {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            })
        }
        Command::Analyze(args) => {
            let mut out = io::stdout().lock();
            output::print_analysis(&mut out, &args.text.join(" "))?;
            out.flush()?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Builds or updates an index, printing warnings on stderr. Returns the stats and whether any file failed.
fn build(opts: &BuildOptions) -> anyhow::Result<(IndexStats, bool)> {
    let mut warn = |msg: String| eprintln!("sou: warning: {msg}");
    let stats = index::build(opts, &mut warn).with_context(|| {
        format!(
            "cannot index {} into {}",
            opts.corpus.display(),
            opts.index.display()
        )
    })?;
    let failed = stats.failed > 0;
    Ok((stats, failed))
}

fn summary_line(s: &IndexStats) -> String {
    let mut line = format!(
        "indexed {} files ({} new, {} changed, {} removed, {} unchanged",
        s.files, s.added, s.changed, s.removed, s.unchanged
    );
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
    line
}

fn warn_if_stale(manifest: &index::Manifest, corpus: &Path, index_dir: &Path) {
    let s = index::staleness(manifest, corpus);
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
