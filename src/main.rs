//! The `sou` binary: parse flags, call the library, print, and map the outcome to an exit status
//! (0: hits found or index built, 1: no hits, 2: error). Errors are one line on stderr.

mod cli;

use std::io::{self, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use termcolor::{BufferedStandardStream, ColorChoice};

use cli::{
    AnalyzeArgs, ByArg, ColorArg, Command, CountArgs, FilterArgs, IndexArgs, ParseError,
    SearchArgs, ServeArgs, ShowArgs, SortArg,
};
use sou::corpus::JsonFieldNames;
use sou::index::{self, BuildOptions, DictChoice, Notice, SearchTarget};
use sou::output::{self, ColorWhen};
use sou::search::{self, MatchRule, SearchRequest, batch};

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
    let outcome = match cli.command {
        Command::Index(args) => index_command(args),
        Command::Search(args) => search_command(args),
        Command::Count(args) => count_command(args),
        Command::Analyze(args) => analyze_command(args),
        Command::Show(args) => show_command(args),
        Command::Serve(args) => serve_command(args),
        Command::Solr(cli::SolrCommand::Create(args)) => solr_create_command(args),
    };
    match outcome {
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

/// Prints what the library says while it works, one `sou: ` line on stderr each.
fn print_notice(notice: Notice) {
    eprintln!("sou: {}", output::notice_line(&notice));
}

/// `sou index`: exit status 2 if any file failed.
fn index_command(args: IndexArgs) -> anyhow::Result<ExitCode> {
    if args.check {
        return check_command(&args.index);
    }
    let opts = BuildOptions {
        corpus: args.corpus,
        index: args.index,
        rebuild: args.rebuild,
        threads: args.threads.map(|n| n.get()),
        progress: true,
        dict: match (args.dict, args.no_dict) {
            (Some(p), _) => DictChoice::Set(p),
            (None, true) => DictChoice::Remove,
            (None, false) => DictChoice::Keep,
        },
        json_fields: JsonFieldNames {
            id: args.id_field,
            title: args.title_field,
            body: args.body_field,
            date: args.date_field,
            source: args.source_field,
        },
    };
    // The collection first: a URL that can't be used stops the run before it indexes anything.
    let solr = match &args.solr {
        Some(url) => {
            let timeout = std::time::Duration::from_secs(args.timeout.get() as u64);
            let c = sou::solr::Collection::new(url, timeout)?;
            c.check_schema()?;
            Some((url.clone(), c))
        }
        None => None,
    };
    stop_on_signal(&opts.index);
    let stats = index::update(&opts, &mut print_notice)?;
    let sent = match &solr {
        Some((url, c)) => {
            let idx = index::open(&opts.index)?;
            let manifest =
                index::read_manifest(&opts.index)?.unwrap_or_else(|| idx.manifest.clone());
            Some(sou::solr::sync::sync(&idx, &manifest, c, url, &mut |_| {})?)
        }
        None => None,
    };
    let mut out = io::stdout().lock();
    if args.json {
        let solr = args.solr.as_deref().zip(sent.as_ref());
        output::print_index_json_with(&mut out, &stats, solr)?;
    } else {
        writeln!(out, "{}", output::index_summary_line(&stats))?;
        if let (Some(sent), Some(url)) = (&sent, &args.solr) {
            writeln!(
                out,
                "sent to {url}: {} files ({} new, {} changed, {} removed, {} unchanged): {} passages sent, {} in the collection",
                sent.added + sent.changed + sent.removed,
                sent.added,
                sent.changed,
                sent.removed,
                sent.unchanged,
                sent.passages_sent,
                sent.passages_total
            )?;
        }
    }
    out.flush()?;
    Ok(if stats.failed > 0 {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}

/// `sou index --check`: one line on stdout when every file is intact (exit status 0); else one line on
/// stderr naming the damaged and missing files (exit status 2).
fn check_command(dir: &std::path::Path) -> anyhow::Result<ExitCode> {
    let found = index::verify(dir)?;
    if found.is_intact() {
        let mut out = io::stdout().lock();
        writeln!(
            out,
            "checked {} files ({:.2} MB) of the index at {}: all match their checksums",
            found.files,
            found.bytes as f64 / 1e6,
            dir.display()
        )?;
        out.flush()?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut problems: Vec<String> = found
        .damaged
        .iter()
        .map(|f| format!("{f} (checksum mismatch)"))
        .collect();
    problems.extend(found.missing.iter().map(|f| format!("{f} (missing)")));
    eprintln!(
        "sou: the index at {} is damaged: {}; re-run `sou index --rebuild --index {} --corpus DIR` (DIR: the corpus to index)",
        dir.display(),
        problems.join(", "),
        dir.display()
    );
    Ok(ExitCode::from(2))
}

/// On Ctrl-C (SIGINT) or SIGTERM during `sou index`: waits out a commit under way, then ends the process
/// (status 130) with one line saying where the run stood. Whatever it leaves on disk is what a kill would
/// leave, which the next run clears.
fn stop_on_signal(index_dir: &std::path::Path) {
    let dir = index_dir.to_path_buf();
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        // Without a handler the default action stops the run, which is safe too (only less polite).
        Err(_) => return,
    };
    std::thread::spawn(move || {
        runtime.block_on(wait_for_stop());
        let (point, _guard) = index::build::stop_after_commit();
        let line = match point {
            index::build::StopPoint::BeforeCommit => sou::Error::Interrupted { dir }.to_string(),
            index::build::StopPoint::AfterCommit => format!(
                "interrupted after the commit: the index at {} is complete (its segments may be left unmerged)",
                dir.display()
            ),
        };
        eprintln!("sou: {line}");
        std::process::exit(130);
    });
}

/// Resolves on SIGINT or SIGTERM (on other systems, Ctrl-C).
async fn wait_for_stop() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let (Ok(mut int), Ok(mut term)) = (
            signal(SignalKind::interrupt()),
            signal(SignalKind::terminate()),
        ) {
            tokio::select! {
                _ = int.recv() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

/// The library's filters of the flags.
fn filters(args: &FilterArgs) -> search::Filters {
    search::Filters {
        since: args.since,
        until: args.until,
        sources: args.sources.clone(),
        ..Default::default()
    }
}

/// Warns of each `--source` that no article has, naming the sources the index has.
fn warn_unknown_sources(ready: &index::Ready, filters: &search::Filters) -> anyhow::Result<()> {
    let (unknown, known) = search::filter::unknown_sources(&ready.index, filters, 8)?;
    for s in unknown {
        let hint = if known.is_empty() {
            "no article in the index has a known source".to_string()
        } else {
            format!("the index's sources include {}", known.join(", "))
        };
        eprintln!("sou: warning: no article has the source '{s}' ({hint})");
    }
    Ok(())
}

/// Opens the index for a search (building it where allowed) and prints what the user should know.
fn open_index(index: Option<PathBuf>, corpus: Option<PathBuf>) -> anyhow::Result<index::Ready> {
    let target = SearchTarget {
        // Built on first use only where the user named no index (the default index/ from corpus/) or named
        // the corpus too.
        build_if_missing: index.is_none() || corpus.is_some(),
        index: index.unwrap_or_else(|| PathBuf::from("index")),
        corpus,
    };
    let ready = index::open_for_search(&target, &mut print_notice)?;
    if let Some(stale) = &ready.stale {
        eprintln!("sou: {}", output::stale_line(stale, &target.index));
    }
    if let Some(msg) = &ready.dict_changed {
        eprintln!("sou: warning: {msg}");
    }
    Ok(ready)
}

/// The colour choice of `--color` and the environment, for stdout.
fn color_choice(arg: ColorArg, json: bool) -> ColorChoice {
    let when = match arg {
        ColorArg::Auto => ColorWhen::Auto,
        ColorArg::Always => ColorWhen::Always,
        ColorArg::Never => ColorWhen::Never,
    };
    let color = !json
        && output::use_color(
            when,
            io::stdout().is_terminal(),
            std::env::var("NO_COLOR").ok().as_deref(),
            std::env::var("TERM").ok().as_deref(),
        );
    if color {
        ColorChoice::AlwaysAnsi
    } else {
        ColorChoice::Never
    }
}

/// `sou count`: exit status 0 if some passage contains the whole query, 1 if none.
fn count_command(args: CountArgs) -> anyhow::Result<ExitCode> {
    let ready = open_index(args.index, args.corpus)?;
    let req = SearchRequest {
        query: args.query.join(" "),
        plain: args.plain,
        filters: filters(&args.filters),
        ..Default::default()
    };
    warn_unknown_sources(&ready, &req.filters)?;
    let mut out = BufferedStandardStream::stdout(color_choice(args.color, args.json));
    let found = match args.by {
        None => {
            let counts = search::count(&ready.index, &req)?;
            output::print_counts(&mut out, &counts, None, args.json)?;
            counts.passages
        }
        Some(by) => {
            let by = match by {
                ByArg::Year => search::CountBy::Year,
                ByArg::Month => search::CountBy::Month,
                ByArg::Day => search::CountBy::Day,
                ByArg::Source => search::CountBy::Source,
            };
            let breakdown = search::count_by(&ready.index, &req, by)?;
            if args.json {
                output::print_breakdown_json(&mut out, &breakdown)?;
            } else {
                let width = terminal_width();
                output::print_breakdown(&mut out, &breakdown, width)?;
            }
            breakdown.total.passages
        }
    };
    out.flush()?;
    Ok(if found > 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// The width of the terminal for a chart: `COLUMNS` if set, else 80.
fn terminal_width() -> usize {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse().ok())
        .filter(|&w: &usize| w >= 40)
        .unwrap_or(80)
}

/// `sou search`: exit status 0 with hits (for a keyword query: full matches; in a batch: for any query), 1
/// without, 2 if a query (of a batch) was bad.
fn search_command(args: SearchArgs) -> anyhow::Result<ExitCode> {
    if args.solr.is_some() && args.sort != SortArg::Relevance {
        anyhow::bail!(
            "--sort by date is not available with --solr yet (a collection returns its best candidates by relevance)"
        );
    }
    let solr = match &args.solr {
        Some(url) => {
            let timeout = std::time::Duration::from_secs(args.timeout.get() as u64);
            let c = sou::solr::Collection::new(url, timeout)?;
            c.check_schema()?;
            Some((url.clone(), c))
        }
        None => None,
    };
    let ready = match solr {
        Some(_) => None,
        None => Some(open_index(args.index.clone(), args.corpus.clone())?),
    };
    let batch = args.queries.is_some();
    let queries = match &args.queries {
        Some(file) => read_queries(file)?,
        None => vec![("?".to_string(), Ok(args.query.join(" ")))],
    };
    if let Some(ready) = &ready {
        warn_unknown_sources(ready, &filters(&args.filters))?;
    }
    let mut out = BufferedStandardStream::stdout(color_choice(args.color, args.json));
    let sort = match args.sort {
        SortArg::Relevance => search::Sort::Relevance,
        SortArg::Date => search::Sort::Date,
        SortArg::DateDesc => search::Sort::DateDesc,
    };
    // One hit per article unless asked otherwise.
    let per_article = match (args.passages, args.per_article) {
        (true, _) => None,
        (false, Some(n)) => Some(n.get()),
        (false, None) => Some(1),
    };
    let (mut any_hits, mut errors) = (false, 0usize);
    // A batch answers every query it can: a bad one (a malformed line, a query with nothing to search for)
    // is reported with its qid, on stderr and with --json in its place in the output, and makes the exit
    // status 2 at the end. A single query's error is the run's.
    for (qid, query) in queries {
        let outcome = query.and_then(|query| {
            let req = SearchRequest {
                query,
                limit: args.limit.get(),
                snippet_chars: args.snippet_chars.get(),
                per_article,
                plain: args.plain,
                filters: filters(&args.filters),
                sort,
                collapse: !args.no_collapse,
            };
            match (&ready, &solr) {
                (Some(ready), _) if args.count => search::count(&ready.index, &req)
                    .map(Found::Counts)
                    .map_err(|e| e.to_string()),
                (Some(ready), _) => search::search(&ready.index, &req)
                    .map(Found::Hits)
                    .map_err(|e| e.to_string()),
                (None, Some((_, c))) => {
                    sou::solr::search::search(c, &req, sou::solr::search::pool(req.limit))
                        .map(|r| Found::Hits(r.results))
                        .map_err(|e| e.to_string())
                }
                (None, None) => Err("neither an index nor a collection to search".to_string()),
            }
        });
        let found = match outcome {
            Ok(r) => r,
            Err(e) if batch => {
                eprintln!("sou: query {qid}: {e}");
                if args.json {
                    output::print_json_error(&mut out, &qid, &e)?;
                }
                errors += 1;
                continue;
            }
            Err(e) => return Err(anyhow::anyhow!(e)),
        };
        let qid = batch.then_some(qid.as_str());
        let results = match found {
            Found::Counts(counts) => {
                any_hits |= counts.passages > 0;
                output::print_counts(&mut out, &counts, qid, args.json)?;
                continue;
            }
            Found::Hits(results) => results,
        };
        if results.partial {
            let url = args.solr.as_deref().unwrap_or("the collection");
            let q = qid.map(|q| format!("query {q}: ")).unwrap_or_default();
            eprintln!(
                "sou: warning: {q}partial results: a shard of {url} has no live replica; its passages are missing from the hits and the total"
            );
        }
        // A keyword query succeeds with full matches only; a question or --plain query with any hit.
        any_hits |= match results.rule {
            MatchRule::AllTerms => results.total > 0,
            MatchRule::Coverage => !results.hits.is_empty(),
        };
        if args.json {
            output::print_json(&mut out, &results, qid)?;
        } else {
            if let Some(qid) = qid {
                writeln!(out, "# {qid}: {}", results.query)?;
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

/// What a query found: hits, or with `--count` only counts.
enum Found {
    Hits(search::SearchResults),
    Counts(search::Counts),
}

/// The lines of a batch file (`-`: stdin).
fn read_queries(file: &Path) -> anyhow::Result<Vec<batch::QueryLine>> {
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
    Ok(batch::parse_query_lines(
        &bytes,
        &file.display().to_string(),
    ))
}

/// `sou analyze`.
fn analyze_command(args: AnalyzeArgs) -> anyhow::Result<ExitCode> {
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

/// `sou show`: exit status 0 when the article is shown (with a query: and matches it), 1 when it does not
/// match the query (it is shown all the same), 2 on error (an unknown or ambiguous id).
fn show_command(args: ShowArgs) -> anyhow::Result<ExitCode> {
    let target = SearchTarget {
        build_if_missing: args.index.is_none() || args.corpus.is_some(),
        index: args.index.unwrap_or_else(|| PathBuf::from("index")),
        corpus: args.corpus,
    };
    let ready = index::open_for_search(&target, &mut print_notice)?;
    if let Some(stale) = &ready.stale {
        eprintln!("sou: {}", output::stale_line(stale, &target.index));
    }
    let query = args.query.join(" ");
    let query = (!query.trim().is_empty()).then_some(query.as_str());
    let article = search::show::article(&ready.index, &args.id, query, args.plain)?;
    if args.around.is_some() && query.is_none() && article.focus.is_none() {
        anyhow::bail!(
            "--around shows the passages around the matches of a query: give one after the id (`sou show ID QUERY --around N`), or name a passage (`ID#N`)"
        );
    }
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
    if args.json {
        output::print_article_json(&mut out, &article, args.around)?;
    } else {
        output::print_article(&mut out, &article, args.around)?;
    }
    out.flush()?;
    Ok(if article.matched == Some(false) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// `sou solr create`: uploads the configset and creates the collection; prints its URL.
fn solr_create_command(args: cli::SolrCreateArgs) -> anyhow::Result<ExitCode> {
    let timeout = std::time::Duration::from_secs(args.timeout.get() as u64);
    let url = format!("{}/{}", args.solr.trim_end_matches('/'), args.collection);
    let c = sou::solr::Collection::new(&url, timeout)?;
    c.upload_configset(&args.collection)?;
    c.create(
        &args.collection,
        u32::try_from(args.shards.get()).unwrap_or(u32::MAX),
        u32::try_from(args.replicas.get()).unwrap_or(u32::MAX),
    )?;
    let mut out = io::stdout().lock();
    writeln!(out, "{url}")?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// `sou serve`: serves until SIGINT or SIGTERM, then exits with status 0; 2 if the index can't be opened
/// (with --solr: the collection can't be reached or is not sou's) or the address can't be bound.
fn serve_command(args: ServeArgs) -> anyhow::Result<ExitCode> {
    let backend = match &args.solr {
        Some(url) => {
            let timeout = std::time::Duration::from_secs(args.timeout.get() as u64);
            let c = sou::solr::Collection::new(url, timeout)?;
            c.check_schema()?;
            sou::serve::Backend::Solr(c)
        }
        None => sou::serve::Backend::Local(Box::new(open_index(args.index, args.corpus)?.index)),
    };
    if !args.bind.is_loopback() {
        eprintln!(
            "sou: warning: serving on {}, not the loopback: every machine that can reach it can search and read the whole corpus",
            args.bind
        );
    }
    let opts = sou::serve::ServeOptions {
        bind: args.bind,
        port: args.port,
        limits: Default::default(),
    };
    let addr = std::net::SocketAddr::new(args.bind, args.port);
    sou::serve::serve(backend, &opts, |bound| {
        println!("sou: serving {}", sou::serve::url(bound));
        let _ = io::stdout().flush();
    })
    .with_context(|| format!("cannot serve on {addr}"))?;
    Ok(ExitCode::SUCCESS)
}
