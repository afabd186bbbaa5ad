//! Command-line flags (clap derive). Only `main` sees these types; the library never does.

use std::num::NonZeroUsize;
use std::path::PathBuf;

use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{Args, Parser, Subcommand, ValueEnum};
use sou::corpus::date::PartialDate;

/// 搜 sou: search Chinese article archives offline, by keyword, phrase or question.
#[derive(Debug, Parser)]
#[command(
    name = "sou",
    version,
    about,
    max_term_width = 100,
    args_override_self = true
)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build or update the index from the corpus (only changed files are re-indexed).
    Index(IndexArgs),
    /// Search the index and print ranked passages with highlighted snippets.
    ///
    /// Query syntax: terms separated by spaces (a hit contains every term, literally after normalization;
    /// when no passage does, the best partial matches are shown, marked); "exact phrase" (its punctuation
    /// matches any mark); -term or -"phrase" (exclude); a OR b (alternatives). A question (ending in ？, or
    /// with a question word such as 什么 or 多少) and a --plain query are ranked by how much of them a
    /// passage covers instead. Flags may stand among the query words; a word that starts with `--` and a
    /// letter is a flag, and `--` ends the flags; a query word that starts with `-` is an exclusion unless
    /// --plain (`sou search --plain -- --foo` searches for --foo). Exit status: 0 hits (for a keyword query:
    /// full matches), 1 none, 2 error.
    Search(SearchArgs),
    /// Show one whole article (title, kicker, source, date, byline, place, body), with a query's matches
    /// marked.
    ///
    /// ID names the article as a hit of `sou search` shows it: before its `#passage` (a text file's path, a
    /// page article's `path#a2`; the whole `ID#N` works too), or in brackets for a JSON Lines record (its id,
    /// or `path#id` when other articles have that id too). Each passage is printed on its own line after its ordinal, paragraphs apart. QUERY is
    /// read as `sou search` reads it; every match in the title and body is marked. Exit status: 0 shown
    /// (with a QUERY: the article matches it, every term occurs in it), 1 the article does not match the
    /// QUERY (it is still shown, with what it lacks), 2 error (an unknown or ambiguous ID).
    Show(ShowArgs),
    /// Count the articles and passages that contain the whole query, in all or per period or source.
    ///
    /// With --by year, month, day or source: a table with a bar chart (or JSON), how often a topic was
    /// reported over time. The query is read as by `sou search`; every passage counted contains every term (a question's too).
    /// Exit status: 0 some found, 1 none, 2 error.
    Count(CountArgs),
    /// Show how a text is normalized and tokenized (to see why something matched or not).
    Analyze(AnalyzeArgs),
    /// Serve a search page and a JSON API (/api/search, /api/article, /api/count) on this machine.
    ///
    /// Opens the index as `sou search` does (building it on first use where search would), prints its URL,
    /// and serves until Ctrl-C (SIGINT) or SIGTERM. It answers only requests addressed to it by its own
    /// address (127.0.0.1, localhost or [::1] with the port): other pages the browser opens can't use it.
    /// While `sou index` updates the index, it answers from the last commit and takes the new one up
    /// without a restart.
    Serve(ServeArgs),
    /// Manage a SolrCloud collection of sou's (see the README's section on SolrCloud).
    #[command(subcommand)]
    Solr(SolrCommand),
}

/// `sou solr`.
#[derive(Debug, Subcommand)]
pub enum SolrCommand {
    /// Upload sou's configset (the schema and settings of `solr/configset`, built into sou) to a SolrCloud
    /// cluster and create a collection with it, its passages routed by article; prints the collection's
    /// URL, for `--solr` of `sou index` and `sou search`.
    Create(SolrCreateArgs),
}

/// `sou solr create`.
#[derive(Debug, Args)]
pub struct SolrCreateArgs {
    /// The base URL of a node of the cluster, `http://HOST:PORT/solr`.
    #[arg(long, value_name = "URL")]
    pub solr: String,
    /// The collection's name (the configset is uploaded under the same name).
    #[arg(long, value_name = "NAME", default_value = "sou")]
    pub collection: String,
    /// Shards.
    #[arg(value_parser = positive, long, value_name = "N", default_value = "1")]
    pub shards: NonZeroUsize,
    /// Replicas of each shard.
    #[arg(value_parser = positive, long, value_name = "R", default_value = "1")]
    pub replicas: NonZeroUsize,
    /// Seconds to wait for each of Solr's answers.
    #[arg(value_parser = positive, long, value_name = "SECS", default_value = "120")]
    pub timeout: NonZeroUsize,
}

/// `sou serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Index directory [default: index] (as for `sou search`).
    #[arg(long, value_name = "DIR")]
    pub index: Option<PathBuf>,
    /// Corpus directory (as for `sou search`).
    #[arg(long, value_name = "DIR")]
    pub corpus: Option<PathBuf>,
    /// The address to listen on. Another than the loopback (127.0.0.1, ::1) lets other machines search
    /// and read the whole corpus: sou warns.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1")]
    pub bind: std::net::IpAddr,
    /// The port (0: a free one, printed with the URL).
    #[arg(long, value_name = "PORT", default_value_t = 7700)]
    pub port: u16,
    /// Answer searches from this SolrCloud collection (`http://HOST:PORT/solr/NAME`, filled by `sou index
    /// --solr`) instead of a local index, as `sou search --solr` does. Counts, articles and the list of
    /// sources are not served from a collection yet (501).
    #[arg(long, value_name = "URL", conflicts_with_all = ["index", "corpus"])]
    pub solr: Option<String>,
    /// With --solr: seconds to wait for each of Solr's answers.
    #[arg(value_parser = positive, long, value_name = "SECS", default_value = "30")]
    pub timeout: NonZeroUsize,
}

/// `sou show`.
#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The article: its id as a hit shows it.
    #[arg(value_name = "ID")]
    pub id: String,
    /// Words to mark (several arguments are joined with spaces), in the query language of `sou search`.
    #[arg(value_name = "QUERY")]
    pub query: Vec<String>,
    /// Show only the passages that have a match of QUERY (or the passage N of `ID#N`), with N passages
    /// before and after each, and `⋯` where passages are left out.
    #[arg(value_parser = whole, long, value_name = "N")]
    pub around: Option<usize>,
    /// Read the query as plain text (as `sou search --plain`).
    #[arg(long)]
    pub plain: bool,
    /// Print the article as one JSON object.
    #[arg(long)]
    pub json: bool,
    /// When to colour the output.
    #[arg(long, value_enum, value_name = "WHEN", default_value_t = ColorArg::Auto)]
    pub color: ColorArg,
    /// Index directory [default: index] (as for `sou search`).
    #[arg(long, value_name = "DIR")]
    pub index: Option<PathBuf>,
    /// Corpus directory (as for `sou search`).
    #[arg(long, value_name = "DIR")]
    pub corpus: Option<PathBuf>,
}

/// `sou index`.
#[derive(Debug, Args)]
pub struct IndexArgs {
    /// Corpus directory, read recursively: .txt and .md files (one article each), .jsonl archives (one
    /// article per line), .pdf files (each page's articles), saved web pages (.html, .htm, .shtml, .mhtml,
    /// .mht), Word documents (.docx; .doc is reported as unsupported) and EPUB books (one article per
    /// chapter). A file's real type is read from its bytes.
    #[arg(long, value_name = "DIR", default_value = "corpus")]
    pub corpus: PathBuf,
    /// Index directory (created if need be).
    #[arg(long, value_name = "DIR", default_value = "index")]
    pub index: PathBuf,
    /// Discard the existing index and build it again from scratch.
    #[arg(long)]
    pub rebuild: bool,
    /// Index nothing: verify every file of the index against its checksum and name the damaged ones (exit
    /// status 2 if any). Needs read access only.
    #[arg(long, conflicts_with = "rebuild")]
    pub check: bool,
    /// Indexing threads (default: one per core, at most 4).
    #[arg(value_parser = positive, long, value_name = "N")]
    pub threads: Option<NonZeroUsize>,
    /// Print the summary as one JSON object instead of a sentence.
    #[arg(long)]
    pub json: bool,
    /// User dictionary (jieba format: `word [freq] [tag]` per line) of domain words for segmentation. The
    /// index keeps a copy and remembers the file: when it changes, the next `sou index` re-segments the files
    /// that contain the changed words.
    #[arg(long, value_name = "FILE", conflicts_with = "no_dict")]
    pub dict: Option<PathBuf>,
    /// Stop using the user dictionary.
    #[arg(long)]
    pub no_dict: bool,
    /// JSON Lines archives: the field that holds the article id [default: id; then as last time].
    #[arg(long, value_name = "NAME")]
    pub id_field: Option<String>,
    /// JSON Lines archives: the field that holds the title [default: title; then as last time].
    #[arg(long, value_name = "NAME")]
    pub title_field: Option<String>,
    /// JSON Lines archives: the field that holds the body text [default: body; then as last time].
    #[arg(long, value_name = "NAME")]
    pub body_field: Option<String>,
    /// JSON Lines archives: the field that holds the date [default: date; then as last time].
    #[arg(long, value_name = "NAME")]
    pub date_field: Option<String>,
    /// JSON Lines archives: the field that holds the source (agency or paper) [default: source; then as last
    /// time].
    #[arg(long, value_name = "NAME")]
    pub source_field: Option<String>,
    /// Also send the passages to this SolrCloud collection (`http://HOST:PORT/solr/NAME`, made by `sou solr
    /// create`): the files that changed since they were last sent, replacing their old passages, and the
    /// deletions; the index folder records what each collection holds.
    #[arg(long, value_name = "URL", conflicts_with = "check")]
    pub solr: Option<String>,
    /// With --solr: seconds to wait for each of Solr's answers.
    #[arg(value_parser = positive, long, value_name = "SECS", default_value = "120")]
    pub timeout: NonZeroUsize,
}

/// `sou search`.
#[derive(Debug, Args)]
pub struct SearchArgs {
    /// The query (several arguments are joined with spaces).
    #[arg(required_unless_present = "queries", value_name = "QUERY")]
    pub query: Vec<String>,
    /// Run many queries from FILE (`-` for stdin), one per line: plain text, or JSON objects with `qid` and
    /// `query`. With --json every line carries its query's `qid`. A bad query is reported with its `qid` on
    /// stderr (with --json also as an `error` line in its place) and the others still run; the exit status
    /// is then 2.
    #[arg(long, value_name = "FILE", conflicts_with = "query")]
    pub queries: Option<PathBuf>,
    /// Read the query as plain text: quotes, +, - and OR are ordinary characters, and passages are ranked
    /// by how much of the query they cover, like a question (for pasted headlines).
    #[arg(long)]
    pub plain: bool,
    /// Print only the number of passages that contain the whole query and of their articles
    /// (tab-separated; with --json one object), without ranking them.
    #[arg(long, short = 'c')]
    pub count: bool,
    /// Show up to N passages of each article [default: 1: one hit per article, with the number of its
    /// other matching passages].
    #[arg(value_parser = positive, long, value_name = "N", conflicts_with = "passages")]
    pub per_article: Option<NonZeroUsize>,
    /// Show every reprint: by default an article's near-duplicates (reprints) are hidden behind the best
    /// ranked one, which says "+N reprints".
    #[arg(long)]
    pub no_collapse: bool,
    /// Show every matching passage as a hit of its own, without grouping them by article.
    #[arg(long)]
    pub passages: bool,
    /// Order of the hits: relevance, date (oldest first) or -date (newest first).
    #[arg(long, value_enum, value_name = "ORDER", default_value_t = SortArg::Relevance, allow_hyphen_values = true)]
    pub sort: SortArg,
    #[command(flatten)]
    pub filters: FilterArgs,
    /// Number of hits to show (articles; with --passages, passages).
    #[arg(value_parser = positive, short = 'n', long = "limit", value_name = "N", default_value = "10")]
    pub limit: NonZeroUsize,
    /// Print JSON Lines (one object per hit, then a summary).
    #[arg(long)]
    pub json: bool,
    /// When to colour the output.
    #[arg(long, value_enum, value_name = "WHEN", default_value_t = ColorArg::Auto)]
    pub color: ColorArg,
    /// Index directory [default: index]. The default is built from the corpus on first use; an index named
    /// here must exist, unless --corpus is given too (a mistyped path must not answer from another index).
    // An Option, not a default value: whether the user named the index matters.
    #[arg(long, value_name = "DIR")]
    pub index: Option<PathBuf>,
    /// Corpus directory, used to build the index if there is none yet (default: corpus, for the default
    /// index) and to warn when files changed since indexing (default: the corpus the index was built from).
    #[arg(long, value_name = "DIR")]
    pub corpus: Option<PathBuf>,
    /// Snippet length, in characters.
    #[arg(value_parser = positive, long, value_name = "N", default_value = "100")]
    pub snippet_chars: NonZeroUsize,
    /// Search this SolrCloud collection (`http://HOST:PORT/solr/NAME`, filled by `sou index --solr`)
    /// instead of a local index. When a shard has no live replica the hits are partial: sou says so.
    #[arg(long, value_name = "URL", conflicts_with_all = ["index", "corpus", "count"])]
    pub solr: Option<String>,
    /// With --solr: seconds to wait for each of Solr's answers.
    #[arg(value_parser = positive, long, value_name = "SECS", default_value = "30")]
    pub timeout: NonZeroUsize,
}

/// Filters shared by `sou search` and `sou count`.
#[derive(Debug, Args, Clone, Default)]
pub struct FilterArgs {
    /// Only articles dated DATE or later: a day (2023-01-05), a month (2023-01) or a year (2023), from its
    /// first day. Articles without a date are left out.
    #[arg(long, value_name = "DATE", value_parser = date_arg)]
    pub since: Option<PartialDate>,
    /// Only articles dated DATE or earlier: a day, a month or a year, to its last day.
    #[arg(long, value_name = "DATE", value_parser = date_arg)]
    pub until: Option<PartialDate>,
    /// Only articles from this source, exactly as hits show it (repeat for several: any of them).
    #[arg(long = "source", value_name = "NAME")]
    pub sources: Vec<String>,
}

/// `sou count`.
#[derive(Debug, Args)]
pub struct CountArgs {
    /// The query (several arguments are joined with spaces).
    #[arg(required = true, value_name = "QUERY")]
    pub query: Vec<String>,
    /// Count per period or source: year, month, day or source [default: only the totals].
    #[arg(long, value_enum, value_name = "UNIT")]
    pub by: Option<ByArg>,
    /// Read the query as plain text (quotes, +, - and OR are ordinary characters).
    #[arg(long)]
    pub plain: bool,
    #[command(flatten)]
    pub filters: FilterArgs,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
    /// When to colour the output.
    #[arg(long, value_enum, value_name = "WHEN", default_value_t = ColorArg::Auto)]
    pub color: ColorArg,
    /// Index directory [default: index] (as for `sou search`).
    #[arg(long, value_name = "DIR")]
    pub index: Option<PathBuf>,
    /// Corpus directory (as for `sou search`).
    #[arg(long, value_name = "DIR")]
    pub corpus: Option<PathBuf>,
}

/// `--by`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ByArg {
    /// Per year.
    Year,
    /// Per month.
    Month,
    /// Per day.
    Day,
    /// Per source.
    Source,
}

/// `--sort`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SortArg {
    /// Best first.
    Relevance,
    /// Oldest first (articles without a date last).
    #[value(alias = "oldest")]
    Date,
    /// Newest first (articles without a date last).
    #[value(name = "-date", alias = "newest")]
    DateDesc,
}

/// A date of `--since`/`--until`, with a message a user can read.
fn date_arg(s: &str) -> Result<PartialDate, String> {
    PartialDate::parse(s).ok_or_else(|| {
        "expected a date of the years 1000–9999: YYYY-MM-DD, YYYY-MM or YYYY".to_string()
    })
}

/// `sou analyze`.
#[derive(Debug, Args)]
pub struct AnalyzeArgs {
    /// Also show the word tokens with this user dictionary.
    #[arg(long, value_name = "FILE")]
    pub dict: Option<PathBuf>,
    /// The text (several arguments are joined with spaces).
    #[arg(required = true, value_name = "TEXT", allow_hyphen_values = true)]
    pub text: Vec<String>,
}

/// A count of 1 or more (`-n`, `--threads`, …), with a message a user can read.
fn positive(s: &str) -> Result<NonZeroUsize, String> {
    s.parse::<NonZeroUsize>()
        .map_err(|_| "expected a whole number of 1 or more".to_string())
}

/// A count of 0 or more (`--around`).
fn whole(s: &str) -> Result<usize, String> {
    s.parse::<usize>()
        .map_err(|_| "expected a whole number (0 or more)".to_string())
}

/// `--color`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorArg {
    /// Colour when stdout is a terminal and NO_COLOR is not set.
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}

/// Parses the command line (see [`reorder_search_args`]). A usage error becomes one line (see
/// [`error_line`]); help and version are left for clap to print.
pub fn parse(args: Vec<std::ffi::OsString>) -> Result<Cli, ParseError> {
    let command = search_at(&args).map(|at| args[at].to_string_lossy().into_owned());
    if let Some(line) = unknown_analyze_flag(&args) {
        return Err(ParseError::Line(line));
    }
    Cli::try_parse_from(reorder_search_args(args)).map_err(|err| match err.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => ParseError::Print(err),
        // A bare `sou`: one line, like every usage error.
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => ParseError::Line(
            "no command given: `sou search`, `sou show`, `sou count`, `sou index`, `sou serve`, `sou analyze` or `sou solr` (see `sou --help`)"
                .into(),
        ),
        _ => ParseError::Line(error_line(&err, command.as_deref())),
    })
}

/// `sou analyze` reads every word as text, dashes included (`sou analyze -肇庆`); a word that looks like a
/// long flag and is not one (`--dic`) is a typo, reported as clap reports an unknown flag of a command that
/// takes no dash words, with the way to analyze it as text.
fn unknown_analyze_flag(args: &[std::ffi::OsString]) -> Option<String> {
    use clap::CommandFactory;
    let at = args.iter().position(|a| a == "analyze")?;
    if !args[1..at]
        .iter()
        .all(|a| a.to_string_lossy().starts_with('-'))
    {
        return None;
    }
    let words = args[at + 1..].iter().take_while(|a| *a != "--");
    let typo = words.map(|a| a.to_string_lossy()).find(|a| {
        let name = a.split('=').next().unwrap_or_default();
        looks_like_long_flag(a) && !["--dict", "--help"].contains(&name)
    })?;
    let strict = Cli::command().mut_subcommand("analyze", |c| {
        c.mut_arg("text", |a| a.allow_hyphen_values(false))
    });
    let err = strict.try_get_matches_from(args).err()?;
    Some(format!(
        "{}; `--` ends the flags: to analyze '{typo}', write `sou analyze -- {typo}`",
        error_line(&err, None)
    ))
}

/// Why [`parse`] did not return flags.
#[derive(Debug)]
pub enum ParseError {
    /// Help or version text: print it as clap does, with its status (`err.print()`, `err.exit_code()`): on
    /// stdout with 0, or for a bare `sou` the help on stderr with 2.
    Print(clap::Error),
    /// A usage error, as one line (without the `sou: ` prefix).
    Line(String),
}

/// clap's error as one line, as ripgrep prints its own: the message without `error: `, the usage and the
/// "try --help" footer, with a list that clap puts on the next lines (missing arguments, possible values)
/// and its suggestions ("did you mean '--json'?", its tips) folded into the same line. For an unknown
/// `--flag` of `sou search` the line also says how to search for it as text.
pub fn error_line(err: &clap::Error, command: Option<&str>) -> String {
    let rendered = err.render().to_string(); // `Display` drops the colours.
    let rendered = rendered.trim_start();
    let rendered = rendered.strip_prefix("error:").unwrap_or(rendered).trim();
    // The message is the first paragraph; suggestions, usage and the footer follow after blank lines.
    let message = rendered.split("\n\n").next().unwrap_or_default();
    let mut lines = message.lines().map(str::trim).filter(|l| !l.is_empty());
    let mut line = lines.next().unwrap_or("invalid arguments").to_string();
    let rest: Vec<&str> = lines.collect();
    if !rest.is_empty() {
        let sep = if line.ends_with(':') { ", " } else { " " };
        line.push(' ');
        line.push_str(&rest.join(sep));
    }
    let names = |v: &ContextValue| match v {
        ContextValue::String(s) => vec![s.clone()],
        ContextValue::Strings(v) => v.clone(),
        _ => Vec::new(),
    };
    for kind in [
        ContextKind::SuggestedArg,
        ContextKind::SuggestedSubcommand,
        ContextKind::SuggestedValue,
    ] {
        let names = err.get(kind).map(names).unwrap_or_default();
        if !names.is_empty() {
            let quoted: Vec<String> = names.iter().map(|n| format!("'{n}'")).collect();
            line.push_str(&format!(" (did you mean {}?)", quoted.join(" or ")));
        }
    }
    // A short flag of `sou search` given to another command (`sou count … -n 3`).
    if let (Some(ContextValue::String(a)), Some(c)) = (err.get(ContextKind::InvalidArg), command)
        && err.kind() == ErrorKind::UnknownArgument
        && c != "search"
        && !a.starts_with("--")
    {
        line.push_str(&format!(
            "; '{a}' is a flag of `sou search`, not of `sou {c}`"
        ));
        return line;
    }
    let unknown_flag = match err.get(ContextKind::InvalidArg) {
        Some(ContextValue::String(a)) if err.kind() == ErrorKind::UnknownArgument => {
            Some(a.as_str()).filter(|a| a.starts_with("--"))
        }
        _ => None,
    };
    match unknown_flag {
        // (Instead of clap's tip, when it gives one: "to pass '--jsn' as a value, use '-- --jsn'": after `--`
        // a word starting with `-` would still be an exclusion, so the query is read --plain.)
        Some(flag) if command.is_some() => line.push_str(&format!(
            "; `--` ends the flags: to search for '{flag}', write `sou {} --plain -- {flag}`",
            command.unwrap_or("search")
        )),
        _ => {
            if let Some(ContextValue::StyledStrs(tips)) = err.get(ContextKind::Suggested) {
                for tip in tips {
                    line.push_str(&format!("; {tip}"));
                }
            }
        }
    }
    line
}

/// The flags of `sou search` (or another subcommand), read from the clap definition: (those that take a
/// value, those that don't).
fn search_flags(subcommand: &str) -> (Vec<String>, Vec<String>) {
    use clap::CommandFactory;
    let mut values = Vec::new();
    let mut switches = vec!["-h".to_string(), "--help".to_string()];
    if let Some(search) = Cli::command().find_subcommand(subcommand) {
        for arg in search.get_arguments().filter(|a| !a.is_positional()) {
            let names = arg
                .get_long()
                .map(|l| format!("--{l}"))
                .into_iter()
                .chain(arg.get_short().map(|c| format!("-{c}")));
            if arg.get_action().takes_values() {
                values.extend(names);
            } else {
                switches.extend(names);
            }
        }
    }
    (values, switches)
}

/// Where `search` (or `count`, which reads a query the same way) is in `args`, if it is the subcommand:
/// every argument before it must be a global flag.
fn search_at(args: &[std::ffi::OsString]) -> Option<usize> {
    let at = args.iter().position(|a| a == "search" || a == "count")?;
    args[1..at]
        .iter()
        .all(|a| a.to_string_lossy().starts_with('-'))
        .then_some(at)
}

/// Where `show` is in `args`, if it is the subcommand (as [`search_at`]).
fn show_at(args: &[std::ffi::OsString]) -> Option<usize> {
    let at = args.iter().position(|a| a == "show")?;
    args[1..at]
        .iter()
        .all(|a| a.to_string_lossy().starts_with('-'))
        .then_some(at)
}

/// Lets `sou search 小鹏 -肇庆 -n 3` work: a query word may start with `-` (an exclusion), which clap would
/// take for an unknown flag. The arguments after `search` are split into known flags (with their values),
/// kept in front, and query words, moved after a `--` in their original order. A word that looks like a
/// long flag (`--` and a letter: `--jsn`, `--limt=5`) is kept among the flags even if it is none, so that
/// clap rejects it (with the closest flag) rather than sou searching for a typo; `--` ends the flags.
///
/// `sou show ID QUERY` is reordered the same way (its ID is the first word).
pub fn reorder_search_args(args: Vec<std::ffi::OsString>) -> Vec<std::ffi::OsString> {
    let Some((at, subcommand)) = search_at(&args)
        .map(|at| {
            (
                at,
                if args[at] == "count" {
                    "count"
                } else {
                    "search"
                },
            )
        })
        .or_else(|| show_at(&args).map(|at| (at, "show")))
    else {
        return args;
    };
    let (value_flags, switches) = search_flags(subcommand);
    // Short flags of `sou search` that another command lacks (`sou count 脱贫攻坚 -n 3`): kept as flags, for
    // clap to reject, rather than read as an exclusion and a term that change the count without a word.
    let foreign: Vec<String> = if subcommand == "search" {
        Vec::new()
    } else {
        let (v, s) = search_flags("search");
        v.into_iter()
            .chain(s)
            .filter(|f| !f.starts_with("--") && !value_flags.contains(f) && !switches.contains(f))
            .collect()
    };
    let mut out: Vec<std::ffi::OsString> = args[..=at].to_vec();
    let mut words = Vec::new();
    let mut i = at + 1;
    while i < args.len() {
        let a = args[i].to_string_lossy().into_owned();
        if a == "--" {
            words.extend(args[i + 1..].iter().cloned());
            break;
        }
        let name = a.split('=').next().unwrap_or_default();
        // `-n5` or `-n=5`: a short flag with its (numeric) value attached. (`get`: the text may not be
        // ASCII.)
        let short_with_value = !a.starts_with("--")
            && a.get(..2)
                .is_some_and(|f| value_flags.iter().any(|v| v == f))
            && a.get(2..).is_some_and(|v| {
                let v = v.strip_prefix('=').unwrap_or(v);
                !v.is_empty() && v.bytes().all(|c| c.is_ascii_digit())
            });
        if switches.contains(&a) {
            out.push(args[i].clone());
        } else if value_flags.contains(&a) {
            out.push(args[i].clone());
            if let Some(v) = args.get(i + 1) {
                out.push(v.clone());
                i += 1;
            }
        } else if (a.starts_with("--") && value_flags.contains(&name.to_string()))
            || short_with_value
            || looks_like_long_flag(&a)
            || foreign.iter().any(|f| {
                a.strip_prefix(f.as_str()).is_some_and(|rest| {
                    rest.trim_start_matches('=')
                        .bytes()
                        .all(|c| c.is_ascii_digit())
                })
            })
        {
            out.push(args[i].clone());
        } else {
            words.push(args[i].clone());
        }
        i += 1;
    }
    if !words.is_empty() {
        out.push("--".into());
        out.extend(words);
    }
    out
}

/// `--` (or more dashes) followed by an ASCII letter: a long flag, known or not (`---json` is a typo too;
/// `--5` or `--中文` is query text).
fn looks_like_long_flag(arg: &str) -> bool {
    arg.strip_prefix("--").is_some_and(|rest| {
        rest.trim_start_matches('-')
            .starts_with(|c: char| c.is_ascii_alphabetic())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn verify_cli() {
        Cli::command().debug_assert();
    }

    fn parse(args: &[&str]) -> Cli {
        let args = args.iter().map(std::ffi::OsString::from).collect();
        Cli::try_parse_from(reorder_search_args(args)).unwrap()
    }

    #[test]
    fn flags_anywhere_and_dash_words_stay_in_the_query() {
        let Command::Search(a) = parse(&[
            "sou",
            "search",
            "小鹏",
            "--json",
            "-covid",
            "-n5",
            "x",
            "--color=never",
        ])
        .command
        else {
            panic!("not search")
        };
        assert_eq!(a.query, vec!["小鹏", "-covid", "x"]);
        assert!(a.json);
        assert_eq!(a.limit.get(), 5);
        assert_eq!(a.color, ColorArg::Never);
        let Command::Search(a) =
            parse(&["sou", "search", "--index", "i", "a", "--", "--json"]).command
        else {
            panic!("not search")
        };
        assert_eq!(a.query, vec!["a", "--json"]);
        assert!(!a.json);
        // Other subcommands are untouched; "search" as a word elsewhere is not the subcommand.
        let Command::Analyze(a) = parse(&["sou", "analyze", "search", "-x"]).command else {
            panic!("not analyze")
        };
        assert_eq!(a.text, vec!["search", "-x"]);
    }

    #[test]
    fn query_words_and_dash_terms() {
        let cli = parse(&["sou", "search", "小鹏", "-肇庆", "-n", "3"]);
        match cli.command {
            Command::Search(a) => {
                assert_eq!(a.query, vec!["小鹏", "-肇庆"]);
                assert_eq!(a.limit.get(), 3);
            }
            _ => panic!("not search"),
        }
        assert!(Cli::try_parse_from(["sou", "search", "x", "-n", "0"]).is_err());
    }

    #[test]
    fn unknown_long_flags_stay_flags_for_clap_to_reject() {
        let reordered = |args: &[&str]| -> Vec<String> {
            let args = args.iter().map(std::ffi::OsString::from).collect();
            reorder_search_args(args)
                .into_iter()
                .map(|a| a.into_string().unwrap())
                .collect()
        };
        assert_eq!(
            reordered(&[
                "sou", "search", "a", "--jsn", "-b", "--limt=5", "--5", "--", "--c"
            ]),
            [
                "sou", "search", "--jsn", "--limt=5", "--", "a", "-b", "--5", "--c"
            ]
        );
        let args = ["sou", "search", "x", "--jsn"].map(std::ffi::OsString::from);
        let Err(ParseError::Line(line)) = super::parse(args.to_vec()) else {
            panic!("--jsn accepted")
        };
        assert!(
            line.contains("'--jsn'") && line.contains("'--json'"),
            "{line}"
        );
        assert!(line.contains("`sou search --plain -- --jsn`"), "{line}");
        assert!(!line.contains('\n'), "{line}");
    }
}
