//! Printers: hits as human-readable text (optionally coloured) or as JSON Lines. Printers write to any
//! [`termcolor::WriteColor`], so tests can print into a buffer. This module never talks to tantivy.
//!
//! # JSON Lines schema
//! One object per line. For each hit, in rank order:
//! `{"type":"hit","data":{"rank":1,"score":3.2,"path":"a.txt","passage":4,"title":"…","id":"a.txt","article":"a.txt","show_id":"a.txt",`
//! `"start":120,"end":260,"text":"…","snippet":"…","highlights":[[3,7]],"match":"full"}}`, then always one
//! `{"type":"summary","data":{"query":"…","match_rule":"all_terms","sort":"relevance","total_hits":12,`
//! `"returned":10,"elapsed_ms":1.8}}` (`sort`: `relevance`, `date` or `date_desc`). `match` is `full` when the passage contains the whole query, `partial` when not,
//! and then `"missing":["特斯拉"]` names the terms it lacks. `match_rule` is `all_terms` for a keyword query
//! (hits contain every term; partial hits only when no passage does) and `coverage` for a question or a
//! `--plain` query (hits ranked by how much of the query they cover); `total_hits` counts the passages that
//! contain the whole query (full matches) under either rule. A lead passage whose article title matches also
//! has `"title_highlights":[[0,4]]`, character offsets into `title`.
//! Hits are grouped by article unless `--passages`: each line is still one passage, `article` names its
//! article, and the article's last hit has `"more_passages":N` when the query finds N passages of it that
//! are not shown. Hits have `date` and `source` where known, and hits of JSON Lines records `line`; in batch mode
//! (`--queries`) every hit and summary starts with the query's `qid`, and a query that can't be run (a
//! malformed line, a query with nothing to search for) gets, in its place instead of hits and summary, one
//! `{"type":"error","data":{"qid":"7","message":"invalid query: …"}}` (the message is also on stderr).
//! `show_id` is the article's id as `sou show` takes it. `passage` is the passage ordinal in its article;
//! `start`/`end` are character offsets of the passage in its file; `highlights` are half-open character (not
//! byte) offsets into `snippet`.

use std::io::{self, Write};
use std::path::Path;

use serde::Serialize;
use termcolor::{Color, ColorSpec, WriteColor};

use crate::index::{IndexStats, Notice, Stale};
use crate::search::show::Article;
use crate::search::{Breakdown, CountBy, Counts, Hit, MatchKind, MatchRule, SearchResults};

/// When to colour output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColorWhen {
    /// If stdout is a terminal, `NO_COLOR` is unset or empty, and `TERM` is not `dumb`.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

/// Decides whether to colour, from the user's choice and the environment (a pure function, for tests).
pub fn use_color(
    when: ColorWhen,
    stdout_is_tty: bool,
    no_color: Option<&str>,
    term: Option<&str>,
) -> bool {
    match when {
        ColorWhen::Always => true,
        ColorWhen::Never => false,
        ColorWhen::Auto => {
            stdout_is_tty && no_color.is_none_or(str::is_empty) && term != Some("dumb")
        }
    }
}

#[derive(Serialize)]
#[serde(tag = "type", content = "data", rename_all = "snake_case")]
enum Message<'a> {
    Hit(HitOut<'a>),
    Summary(Summary<'a>),
    Error(ErrorOut<'a>),
}

#[derive(Serialize)]
struct ErrorOut<'a> {
    qid: &'a str,
    message: &'a str,
}

#[derive(Serialize)]
struct HitOut<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    qid: Option<&'a str>,
    #[serde(flatten)]
    hit: &'a Hit,
}

/// The summary of a search: the `summary` line of `sou search --json` and the `summary` object of the
/// server's `/api/search` (one definition for both; see the module docs for the fields).
#[derive(Debug, Clone, Serialize)]
pub struct Summary<'a> {
    /// Batch mode only: the query's id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub qid: Option<&'a str>,
    /// The query as given.
    pub query: &'a str,
    /// The rule the query was read under.
    pub match_rule: MatchRule,
    /// The order of the hits.
    pub sort: crate::search::Sort,
    /// Passages that contain the whole query, in the whole index.
    pub total_hits: usize,
    /// Hits returned.
    pub returned: usize,
    /// Time spent searching, in milliseconds.
    pub elapsed_ms: f64,
    /// Present (true) only when the answer may lack passages: a SolrCloud shard did not answer.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub partial: bool,
}

impl<'a> Summary<'a> {
    /// The summary of `results` (with the query's `qid` in batch mode).
    pub fn of(results: &'a SearchResults, qid: Option<&'a str>) -> Self {
        Summary {
            qid,
            query: &results.query,
            match_rule: results.rule,
            sort: results.sort,
            total_hits: results.total,
            returned: results.hits.len(),
            elapsed_ms: results.elapsed.as_secs_f64() * 1000.0,
            partial: results.partial,
        }
    }
}

/// The answer of the server's `/api/search`: `{"hits":[…],"summary":{…}}`, each hit the object of a `hit`
/// line of `sou search --json` and the summary that of its `summary` line.
#[derive(Debug, Clone, Serialize)]
pub struct SearchResponse<'a> {
    /// The hits, in rank order.
    pub hits: &'a [Hit],
    /// The summary.
    pub summary: Summary<'a>,
}

impl<'a> SearchResponse<'a> {
    /// The response for `results`.
    pub fn of(results: &'a SearchResults) -> Self {
        SearchResponse {
            hits: &results.hits,
            summary: Summary::of(results, None),
        }
    }
}

/// Writes results as JSON Lines (see the module docs). In batch mode every line carries the query's `qid`.
pub fn print_json<W: Write>(
    out: &mut W,
    results: &SearchResults,
    qid: Option<&str>,
) -> io::Result<()> {
    for hit in &results.hits {
        serde_json::to_writer(&mut *out, &Message::Hit(HitOut { qid, hit }))?;
        out.write_all(b"\n")?;
    }
    serde_json::to_writer(&mut *out, &Message::Summary(Summary::of(results, qid)))?;
    out.write_all(b"\n")
}

/// Writes the error line of a batch query that could not be run (see the module docs).
pub fn print_json_error<W: Write>(out: &mut W, qid: &str, message: &str) -> io::Result<()> {
    serde_json::to_writer(&mut *out, &Message::Error(ErrorOut { qid, message }))?;
    out.write_all(b"\n")
}

/// A score for people: two decimals, or as many as it takes to show its first two significant digits (a
/// hit's score is never shown as 0.00).
pub fn format_score(score: f32) -> String {
    let decimals = if score > 0.0 && score < 0.1 {
        (1 - score.log10().floor() as i32).max(2) as usize
    } else {
        2
    };
    format!("{score:.decimals$}")
}

/// The last line of the human output: how many hits are shown and what the total counts.
pub fn summary_line(results: &SearchResults) -> String {
    let ms = results.elapsed.as_secs_f64() * 1000.0;
    let shown = results.hits.len();
    match results.rule {
        MatchRule::AllTerms if results.total == 0 && shown > 0 => {
            format!("0 matching passages; {shown} partial matches shown ({ms:.1} ms)")
        }
        MatchRule::AllTerms if results.total == 0 => format!("0 matching passages ({ms:.1} ms)"),
        MatchRule::AllTerms => {
            format!(
                "{shown} of {} matching passages ({ms:.1} ms)",
                results.total
            )
        }
        MatchRule::Coverage => format!(
            "{shown} passages ranked by how much of the query they cover; {} contain all of it ({ms:.1} ms)",
            results.total
        ),
    }
}

/// Writes results for a person: per hit a header line (rank, `id#passage` with the article's show id
/// (`path:line#passage [id]` for a record of an archive), title, source and date, score, and for a partial
/// match of a keyword query the terms it lacks) and the snippet with its matches highlighted, then one line with the
/// totals ([`summary_line`]). When a keyword query's hits are all partial, a first line says so.
pub fn print_human<W: WriteColor>(out: &mut W, results: &SearchResults) -> io::Result<()> {
    let mut path = ColorSpec::new();
    path.set_fg(Some(Color::Magenta)).set_bold(true);
    let mut ordinal = ColorSpec::new();
    ordinal.set_fg(Some(Color::Green));
    let mut title = ColorSpec::new();
    title.set_bold(true);
    let mut matched = ColorSpec::new();
    matched.set_fg(Some(Color::Red)).set_bold(true);
    let mut partial = ColorSpec::new();
    partial.set_fg(Some(Color::Yellow));
    if results.rule == MatchRule::AllTerms && results.total == 0 && !results.hits.is_empty() {
        out.set_color(&partial)?;
        write!(
            out,
            "no passage contains every term; the best partial matches:"
        )?;
        out.reset()?;
        writeln!(out)?;
    }
    for hit in &results.hits {
        write!(out, "{:>2}. ", hit.rank)?;
        out.set_color(&path)?;
        // What `sou show` takes: a text file's path, a page article's id (`path#a2`), then the passage; a record
        // of an archive: its path and line, then its passage, and its show id in brackets.
        match hit.line {
            Some(_) => write!(out, "{}", hit.path)?,
            None => write!(out, "{}", hit.show_id)?,
        }
        out.reset()?;
        out.set_color(&ordinal)?;
        match hit.line {
            Some(line) => write!(out, ":{line}#{}", hit.passage)?,
            None => write!(out, "#{}", hit.passage)?,
        }
        out.reset()?;
        if hit.line.is_some() {
            write!(out, " [{}]", hit.show_id)?;
        }
        write!(out, "  ")?;
        out.set_color(&title)?;
        write_highlighted(out, &hit.title, &hit.title_highlights, &matched, &title)?;
        out.reset()?;
        let about: Vec<&str> = [hit.source.as_deref(), hit.date.as_deref()]
            .into_iter()
            .flatten()
            .collect();
        if !about.is_empty() {
            write!(out, "  {}", about.join(" "))?;
        }
        write!(out, "  ({})", format_score(hit.score))?;
        let mut more = ColorSpec::new();
        more.set_fg(Some(Color::Cyan));
        if hit.more_passages > 0 {
            out.set_color(&more)?;
            let s = if hit.more_passages == 1 { "" } else { "s" };
            write!(out, "  +{} more passage{s}", hit.more_passages)?;
            out.reset()?;
        }
        if hit.reprints > 0 {
            out.set_color(&more)?;
            let s = if hit.reprints == 1 { "" } else { "s" };
            write!(out, "  +{} reprint{s}", hit.reprints)?;
            out.reset()?;
        }
        // (Under the coverage rule, hits need not contain all of the query: the last line says so.)
        if hit.matched == MatchKind::Partial && results.rule == MatchRule::AllTerms {
            write!(out, "  ")?;
            out.set_color(&partial)?;
            write!(out, "partial, missing: {}", hit.missing.join(", "))?;
            out.reset()?;
        }
        writeln!(out)?;
        write!(out, "    ")?;
        write_highlighted(
            out,
            &hit.snippet,
            &hit.highlights,
            &matched,
            &ColorSpec::new(),
        )?;
        writeln!(out)?;
    }
    writeln!(out, "{}", summary_line(results))
}

/// Writes the answer of `--count`: the number of passages and of articles, tab-separated on one line, or
/// with `json` one object `{"passages":29,"articles":17}`. With a `qid` (a batch), the line starts with it.
pub fn print_counts<W: Write>(
    out: &mut W,
    counts: &Counts,
    qid: Option<&str>,
    json: bool,
) -> io::Result<()> {
    if json {
        #[derive(Serialize)]
        struct CountsOut<'a> {
            #[serde(skip_serializing_if = "Option::is_none")]
            qid: Option<&'a str>,
            #[serde(flatten)]
            counts: &'a Counts,
        }
        serde_json::to_writer(&mut *out, &CountsOut { qid, counts })?;
        return out.write_all(b"\n");
    }
    if let Some(qid) = qid {
        write!(out, "{qid}\t")?;
    }
    writeln!(out, "{}\t{}", counts.passages, counts.articles)
}

/// Writes `text` with the char ranges in `highlights` in the `matched` colour. Without colour, the text is
/// written as is (as ripgrep does).
fn write_highlighted<W: WriteColor>(
    out: &mut W,
    text: &str,
    highlights: &[[usize; 2]],
    matched: &ColorSpec,
    base: &ColorSpec,
) -> io::Result<()> {
    let chars: Vec<char> = text.chars().collect();
    let mut at = 0;
    for &[s, e] in highlights {
        let (s, e) = (s.min(chars.len()), e.min(chars.len()));
        if s < at || s >= e {
            continue;
        }
        write!(out, "{}", chars[at..s].iter().collect::<String>())?;
        out.set_color(matched)?;
        write!(out, "{}", chars[s..e].iter().collect::<String>())?;
        out.set_color(base)?;
        at = e;
    }
    write!(out, "{}", chars[at..].iter().collect::<String>())
}

/// Writes what the analyzers make of `text`: the normalized text, then the word tokens and the character
/// tokens, each as `token@position` (positions in normalized characters). With a user dictionary, also the
/// word tokens with it.
pub fn print_analysis<W: Write>(
    out: &mut W,
    text: &str,
    user: Option<&crate::text::analyzer::Analyzer>,
) -> io::Result<()> {
    let norm = crate::text::normalize::normalize(text);
    writeln!(out, "normalized: {}", norm.text)?;
    let show = |toks: Vec<crate::text::analyzer::Tok>| {
        toks.iter()
            .map(|t| format!("{}@{}", t.text, t.pos))
            .collect::<Vec<_>>()
            .join(" ")
    };
    writeln!(
        out,
        "words: {}",
        show(crate::text::analyzer::word_tokens(&norm.text))
    )?;
    if let Some(user) = user {
        writeln!(
            out,
            "words with the user dictionary: {}",
            show(user.word_tokens(&norm.text))
        )?;
    }
    writeln!(
        out,
        "chars: {}",
        show(crate::text::analyzer::char_tokens(&norm.text))
    )
}

/// The one-line summary of a build: `indexed N files (… new, … changed, …): … passages written, …`; JSON Lines
/// archives that had records appended are said as `…, 1 appended (3 records added)` when there are some,
/// and lines of archives that held no readable record as `…, 4 records skipped`.
pub fn index_summary_line(s: &IndexStats) -> String {
    let mut line = format!(
        "indexed {} files ({} new, {} changed, {} removed, {} unchanged",
        s.files, s.added, s.changed, s.removed, s.unchanged
    );
    if s.appended > 0 {
        line.push_str(&format!(
            ", {} appended ({} records added)",
            s.appended, s.records_appended
        ));
    }
    if s.skipped > 0 {
        line.push_str(&format!(", {} skipped", s.skipped));
    }
    if s.failed > 0 {
        line.push_str(&format!(", {} failed", s.failed));
    }
    if s.records_skipped > 0 {
        line.push_str(&format!(", {} records skipped", s.records_skipped));
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
    // Files by format, once the corpus holds more than text files and archives.
    if s.formats.keys().any(|f| f != "text" && f != "jsonl") {
        let formats: Vec<String> = s.formats.iter().map(|(f, n)| format!("{n} {f}")).collect();
        line.push_str(&format!("; read {}", formats.join(", ")));
    }
    line
}

/// `sou index --json`: one `{"type":"index_summary","data":{…}}` line (the [`IndexStats`] fields, and the
/// wall time as `elapsed_s`).
pub fn print_index_json<W: Write>(out: &mut W, stats: &IndexStats) -> io::Result<()> {
    print_index_json_with(out, stats, None)
}

/// [`print_index_json`], with what `sou index --solr` sent to a collection as `data.solr` (the fields of
/// [`crate::solr::sync::SyncStats`] and the collection's `url`).
pub fn print_index_json_with<W: Write>(
    out: &mut W,
    stats: &IndexStats,
    solr: Option<(&str, &crate::solr::sync::SyncStats)>,
) -> io::Result<()> {
    let mut v = serde_json::to_value(stats).map_err(io::Error::other)?;
    v["elapsed_s"] = serde_json::json!(stats.elapsed.as_secs_f64());
    if let Some((url, sent)) = solr {
        let mut s = serde_json::to_value(sent).map_err(io::Error::other)?;
        s["url"] = serde_json::json!(url);
        v["solr"] = s;
    }
    writeln!(
        out,
        "{}",
        serde_json::json!({"type": "index_summary", "data": v})
    )
}

/// What a [`Notice`] says to a person, as one line (without the `sou: ` prefix).
pub fn notice_line(notice: &Notice) -> String {
    match notice {
        Notice::Building {
            index,
            corpus,
            older_format: None,
        } => format!(
            "no index in {} yet: building it from {}",
            index.display(),
            corpus.display()
        ),
        Notice::Building {
            index,
            corpus,
            older_format: Some(v),
        } => format!(
            "the index in {} was written by an older sou (index format {v}): rebuilding it from {}",
            index.display(),
            corpus.display()
        ),
        Notice::Built(stats) => index_summary_line(stats),
        Notice::Warning(msg) => format!("warning: {msg}"),
    }
}

/// The warning for a corpus that changed since it was indexed, with the command that updates the index.
pub fn stale_line(stale: &Stale, index: &Path) -> String {
    let s = &stale.staleness;
    format!(
        "warning: {} changed since it was indexed ({} new, {} changed, {} removed files); run `sou index --corpus {} --index {}`",
        stale.corpus.display(),
        s.added,
        s.changed,
        s.removed,
        stale.corpus.display(),
        index.display()
    )
}

/// Writes a [`Breakdown`] as JSON: one object with `by`, `buckets` (`key`, `articles`, `passages`),
/// `unknown` and `total`.
pub fn print_breakdown_json<W: Write>(out: &mut W, breakdown: &Breakdown) -> io::Result<()> {
    serde_json::to_writer(&mut *out, breakdown)?;
    out.write_all(b"\n")
}

/// Writes a [`Breakdown`] for a person: a table of the periods (or sources) with their articles and
/// passages, and a bar per row whose length is the row's articles (the longest bar fills what is left of
/// `width` columns, in eighths of a column); then the matches without a period or source, and the total.
pub fn print_breakdown<W: WriteColor>(
    out: &mut W,
    breakdown: &Breakdown,
    width: usize,
) -> io::Result<()> {
    use unicode_width::UnicodeWidthStr;
    let head = match breakdown.by {
        CountBy::Year => "year",
        CountBy::Month => "month",
        CountBy::Day => "day",
        CountBy::Source => "source",
    };
    let unknown_label = match breakdown.by {
        CountBy::Source => "(no source)",
        CountBy::Year => "(no date)",
        CountBy::Month => "(no month)",
        CountBy::Day => "(no day)",
    };
    let mut rows: Vec<(&str, usize, usize)> = breakdown
        .buckets
        .iter()
        .map(|b| (b.key.as_str(), b.articles, b.passages))
        .collect();
    let label_w = rows
        .iter()
        .map(|r| r.0.width())
        .chain([head.len(), "total".len()])
        .chain((breakdown.unknown.passages > 0).then_some(unknown_label.width()))
        .max()
        .unwrap_or(5);
    let num_w = |n: usize| n.to_string().len();
    let art_w = num_w(breakdown.total.articles).max("articles".len());
    let pas_w = num_w(breakdown.total.passages).max("passages".len());
    let pad = |s: &str| format!("{s}{}", " ".repeat(label_w - s.width()));
    let max = rows.iter().map(|r| r.1).max().unwrap_or(0).max(1);
    let bar_w = width.saturating_sub(label_w + art_w + pas_w + 6).max(10);
    let mut bar = ColorSpec::new();
    bar.set_fg(Some(Color::Cyan));
    let mut dim = ColorSpec::new();
    dim.set_dimmed(true);
    writeln!(
        out,
        "{}  {:>art_w$}  {:>pas_w$}",
        pad(head),
        "articles",
        "passages"
    )?;
    for (key, articles, passages) in rows.drain(..) {
        write!(out, "{}  {articles:>art_w$}  {passages:>pas_w$}", pad(key))?;
        let drawn = bar_of(articles, max, bar_w);
        if !drawn.is_empty() {
            write!(out, "  ")?;
            out.set_color(&bar)?;
            write!(out, "{drawn}")?;
            out.reset()?;
        }
        writeln!(out)?;
    }
    out.set_color(&dim)?;
    if breakdown.unknown.passages > 0 {
        writeln!(
            out,
            "{}  {:>art_w$}  {:>pas_w$}",
            pad(unknown_label),
            breakdown.unknown.articles,
            breakdown.unknown.passages
        )?;
    }
    writeln!(
        out,
        "{}  {:>art_w$}  {:>pas_w$}",
        pad("total"),
        breakdown.total.articles,
        breakdown.total.passages
    )?;
    out.reset()
}

/// A bar of `n` out of `max` in `width` columns, in eighths of a column (`█`, then `▏`…`▉` for the rest).
/// A count above zero always shows at least an eighth.
fn bar_of(n: usize, max: usize, width: usize) -> String {
    if n == 0 || max == 0 {
        return String::new();
    }
    let eighths = ((n as f64 / max as f64) * (width * 8) as f64)
        .round()
        .max(1.0) as usize;
    let mut s = "█".repeat(eighths / 8);
    if !eighths.is_multiple_of(8) {
        s.push(['▏', '▎', '▍', '▌', '▋', '▊', '▉'][eighths % 8 - 1]);
    }
    s
}

/// An article of `sou show --json` (and of the server's `/api/article`): [`Article`]'s fields, and with
/// `around` only the passages [`Article::neighbourhood`] keeps in `passages`, and `"around":N` to say so.
#[derive(Debug, Clone, Serialize)]
pub struct ArticleOut<'a> {
    /// The article (the passages kept).
    #[serde(flatten)]
    pub article: std::borrow::Cow<'a, Article>,
    /// The `around` it was cut with, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub around: Option<usize>,
}

impl<'a> ArticleOut<'a> {
    /// `article`, cut to the neighbourhoods of its matches with `around`.
    pub fn of(article: &'a Article, around: Option<usize>) -> Self {
        let article = match around {
            Some(n) => {
                let runs = article.neighbourhood(n);
                let mut a = article.clone();
                a.passages = runs
                    .into_iter()
                    .flat_map(|r| article.passages[r].iter().cloned())
                    .collect();
                std::borrow::Cow::Owned(a)
            }
            None => std::borrow::Cow::Borrowed(article),
        };
        ArticleOut { article, around }
    }
}

/// Writes an article of `sou show` as one JSON object ([`ArticleOut`]), on one line.
pub fn print_article_json<W: Write>(
    out: &mut W,
    article: &Article,
    around: Option<usize>,
) -> io::Result<()> {
    serde_json::to_writer(&mut *out, &ArticleOut::of(article, around))?;
    out.write_all(b"\n")
}

/// Writes an article of `sou show` for a person: its kicker, its title (matches highlighted), a line with its
/// source, date, byline and place, a line with its show id (and for a record its `path:line`) and number of
/// passages; then its passages, each on its own line after its ordinal, a blank line between paragraphs,
/// matches highlighted; with `around`, only the passages [`Article::neighbourhood`] keeps, `⋯` where some
/// are left out. The last line counts the matches and the passages that have them, or says what a keyword
/// query's article lacks.
pub fn print_article<W: WriteColor>(
    out: &mut W,
    article: &Article,
    around: Option<usize>,
) -> io::Result<()> {
    let mut id = ColorSpec::new();
    id.set_fg(Some(Color::Magenta)).set_bold(true);
    let mut ordinal = ColorSpec::new();
    ordinal.set_fg(Some(Color::Green));
    let mut title = ColorSpec::new();
    title.set_bold(true);
    let mut matched = ColorSpec::new();
    matched.set_fg(Some(Color::Red)).set_bold(true);
    let mut partial = ColorSpec::new();
    partial.set_fg(Some(Color::Yellow));
    let plain = ColorSpec::new();

    if let Some(k) = &article.kicker {
        write_highlighted(out, k, &article.kicker_highlights, &matched, &plain)?;
        writeln!(out)?;
    }
    out.set_color(&title)?;
    write_highlighted(
        out,
        &article.title,
        &article.title_highlights,
        &matched,
        &title,
    )?;
    out.reset()?;
    writeln!(out)?;
    let about: Vec<&str> = [
        &article.source,
        &article.date,
        &article.byline,
        &article.place,
    ]
    .into_iter()
    .filter_map(|v| v.as_deref())
    .collect();
    if !about.is_empty() {
        writeln!(out, "{}", about.join("  "))?;
    }
    out.set_color(&id)?;
    write!(out, "{}", article.show_id)?;
    out.reset()?;
    if let Some(line) = article.line {
        write!(out, "  {}:{line}", article.path)?;
    }
    let n = article.passage_count;
    writeln!(out, "  ({n} passage{})", if n == 1 { "" } else { "s" })?;

    let width = article
        .passages
        .iter()
        .map(|p| p.ordinal.to_string().len())
        .max()
        .unwrap_or(1);
    let runs = match around {
        Some(n) => article.neighbourhood(n),
        None => std::iter::once(0..article.passages.len()).collect(),
    };
    let indent = " ".repeat(width + 2);
    let mut last_end = 0;
    for run in &runs {
        writeln!(out)?;
        if run.start > last_end {
            writeln!(out, "{:>width$}", "⋯")?;
            writeln!(out)?;
        }
        for (k, p) in article.passages[run.clone()].iter().enumerate() {
            if k > 0 && p.sep.contains('\n') {
                writeln!(out)?;
            }
            out.set_color(&ordinal)?;
            write!(out, "{:>width$}", p.ordinal)?;
            out.reset()?;
            write!(out, "  ")?;
            write_marked(out, &p.text, &p.highlights, &matched, &indent)?;
            writeln!(out)?;
        }
        last_end = run.end;
    }
    if around.is_some() && !runs.is_empty() && last_end < article.passages.len() {
        writeln!(out)?;
        writeln!(out, "{:>width$}", "⋯")?;
    }
    writeln!(out)?;
    if article.query.is_none() {
        return Ok(());
    }
    let with = article
        .passages
        .iter()
        .filter(|p| !p.highlights.is_empty())
        .count();
    let in_head = article.title_highlights.len() + article.kicker_highlights.len();
    let mut line = format!(
        "{} match{} in {with} of {n} passages",
        article.hits.len(),
        if article.hits.len() == 1 { "" } else { "es" }
    );
    if in_head > 0 {
        line.push_str(&format!(", {in_head} in the headline"));
    }
    write!(out, "{line}")?;
    if article.matched == Some(false) {
        let mut why = Vec::new();
        if !article.missing.is_empty() {
            why.push(format!("lacks {}", article.missing.join(", ")));
        }
        if !article.excluded.is_empty() {
            why.push(format!("contains {}", article.excluded.join(", ")));
        }
        if why.is_empty() {
            why.push("has nothing of the query".to_string());
        }
        write!(out, "; ")?;
        out.set_color(&partial)?;
        write!(out, "no match: the article {}", why.join(" and "))?;
        out.reset()?;
    }
    writeln!(out)
}

/// [`write_highlighted`] for text that may span lines: every line after the first starts with `indent`
/// (carriage returns are dropped).
fn write_marked<W: WriteColor>(
    out: &mut W,
    text: &str,
    highlights: &[[usize; 2]],
    matched: &ColorSpec,
    indent: &str,
) -> io::Result<()> {
    if !text.contains(['\n', '\r']) {
        return write_highlighted(out, text, highlights, matched, &ColorSpec::new());
    }
    let mut fixed = String::with_capacity(text.len());
    let mut map = Vec::new(); // char offset in `text` -> in `fixed`
    let mut n = 0;
    for c in text.chars() {
        map.push(n);
        match c {
            '\r' => {}
            '\n' => {
                fixed.push('\n');
                fixed.push_str(indent);
                n += 1 + indent.chars().count();
            }
            c => {
                fixed.push(c);
                n += 1;
            }
        }
    }
    map.push(n);
    let at = |k: usize| map[k.min(map.len() - 1)];
    let moved: Vec<[usize; 2]> = highlights.iter().map(|&[s, e]| [at(s), at(e)]).collect();
    write_highlighted(out, &fixed, &moved, matched, &ColorSpec::new())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;
    use termcolor::{Ansi, NoColor};

    fn results() -> SearchResults {
        SearchResults {
            query: "工研院".into(),
            hits: vec![Hit {
                rank: 1,
                score: 2.5,
                path: "a.txt".into(),
                passage: 3,
                title: "标题".into(),
                id: "a.txt".into(),
                article: "a.txt".into(),
                show_id: "a.txt".into(),
                kicker: None,
                byline: None,
                source: None,
                place: None,
                pieces: Vec::new(),
                date: None,
                line: None,
                page: None,
                start: 10,
                end: 16,
                text: "青岛市工研院".into(),
                snippet: "青岛市工研院".into(),
                highlights: vec![[3, 6]],
                title_highlights: Vec::new(),
                kicker_highlights: Vec::new(),
                matched: MatchKind::Full,
                missing: Vec::new(),
                more_passages: 0,
                reprint_group: None,
                reprints: 0,
            }],
            total: 1,
            rule: MatchRule::AllTerms,
            sort: crate::search::Sort::Relevance,
            elapsed: Duration::from_millis(2),
            partial: false,
        }
    }

    #[test]
    fn analysis() {
        let mut out = Vec::new();
        print_analysis(&mut out, "銀行ＡＰＰ", None).unwrap();
        let s = String::from_utf8(out).unwrap();
        assert_eq!(
            s,
            "normalized: 银行app\nwords: 银行@0 app@2\nchars: 银@0 银行@0 行@1 行a@1 a@2 ap@2 p@3 pp@3 p@4\n"
        );
    }

    #[test]
    fn color_resolution() {
        assert!(use_color(ColorWhen::Auto, true, None, Some("xterm")));
        assert!(use_color(ColorWhen::Auto, true, Some(""), None));
        assert!(!use_color(ColorWhen::Auto, true, Some("1"), None));
        assert!(!use_color(ColorWhen::Auto, false, None, None));
        assert!(!use_color(ColorWhen::Auto, true, None, Some("dumb")));
        assert!(use_color(ColorWhen::Always, false, Some("1"), None));
        assert!(!use_color(ColorWhen::Never, true, None, None));
    }

    #[test]
    fn human_plain_and_coloured() {
        let mut plain = NoColor::new(Vec::new());
        print_human(&mut plain, &results()).unwrap();
        let s = String::from_utf8(plain.into_inner()).unwrap();
        assert!(
            s.starts_with(" 1. a.txt#3  标题  (2.50)\n    青岛市工研院\n1 of 1 matching passages"),
            "{s}"
        );
        let mut ansi = Ansi::new(Vec::new());
        print_human(&mut ansi, &results()).unwrap();
        let s = String::from_utf8(ansi.into_inner()).unwrap();
        assert!(
            s.contains("青岛市\u{1b}[0m\u{1b}[1m\u{1b}[31m工研院\u{1b}[0m"),
            "{s:?}"
        );
    }

    #[test]
    fn archive_hits_show_line_and_id() {
        let mut r = results();
        r.hits[0].path = "news.jsonl".into();
        r.hits[0].line = Some(17);
        r.hits[0].id = "xw-01".into();
        r.hits[0].show_id = "xw-01".into();
        let mut plain = NoColor::new(Vec::new());
        print_human(&mut plain, &r).unwrap();
        let s = String::from_utf8(plain.into_inner()).unwrap();
        assert!(
            s.starts_with(" 1. news.jsonl:17#3 [xw-01]  标题  (2.50)\n"),
            "{s}"
        );
        // A record whose id other articles have: its show id names its file; a page article's leads the line.
        r.hits[0].show_id = "news.jsonl#xw-01".into();
        let mut plain = NoColor::new(Vec::new());
        print_human(&mut plain, &r).unwrap();
        let s = String::from_utf8(plain.into_inner()).unwrap();
        assert!(
            s.starts_with(" 1. news.jsonl:17#3 [news.jsonl#xw-01]  标题"),
            "{s}"
        );
        let mut r = results();
        r.hits[0].path = "p.txt".into();
        r.hits[0].show_id = "p.txt#a2".into();
        let mut plain = NoColor::new(Vec::new());
        print_human(&mut plain, &r).unwrap();
        let s = String::from_utf8(plain.into_inner()).unwrap();
        assert!(s.starts_with(" 1. p.txt#a2#3  标题"), "{s}");
    }

    #[test]
    fn partial_matches_say_what_they_lack_and_scores_are_never_zero() {
        let mut r = results();
        r.total = 0;
        r.hits[0].matched = MatchKind::Partial;
        r.hits[0].missing = vec!["特斯拉".into(), "\"销量\"".into()];
        r.hits[0].score = 0.0042;
        let mut plain = NoColor::new(Vec::new());
        print_human(&mut plain, &r).unwrap();
        let s = String::from_utf8(plain.into_inner()).unwrap();
        assert!(
            s.starts_with("no passage contains every term; the best partial matches:\n 1. a.txt#3  标题  (0.0042)  partial, missing: 特斯拉, \"销量\"\n"),
            "{s}"
        );
        assert!(
            s.contains("\n0 matching passages; 1 partial matches shown ("),
            "{s}"
        );
        let mut out = Vec::new();
        print_json(&mut out, &r, None).unwrap();
        let s = String::from_utf8(out).unwrap();
        assert!(
            s.contains(r#""match":"partial","missing":["特斯拉","\"销量\""]}}"#),
            "{s}"
        );
        assert!(s.contains(r#""total_hits":0,"#), "{s}");
        for (score, shown) in [
            (2.5, "2.50"),
            (0.25, "0.25"),
            (0.042, "0.042"),
            (0.00012, "0.00012"),
        ] {
            assert_eq!(format_score(score), shown);
        }
    }

    #[test]
    fn json_lines() {
        let mut out = Vec::new();
        print_json(&mut out, &results(), None).unwrap();
        let s = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = s.lines().collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(
            lines[0],
            r#"{"type":"hit","data":{"rank":1,"score":2.5,"path":"a.txt","passage":3,"title":"标题","id":"a.txt","article":"a.txt","show_id":"a.txt","start":10,"end":16,"text":"青岛市工研院","snippet":"青岛市工研院","highlights":[[3,6]],"match":"full"}}"#
        );
        assert!(lines[1].starts_with(r#"{"type":"summary","data":{"query":"工研院","match_rule":"all_terms","sort":"relevance","total_hits":1,"returned":1,"elapsed_ms":"#));
        let mut out = Vec::new();
        print_json(&mut out, &results(), Some("q7")).unwrap();
        let s = String::from_utf8(out).unwrap();
        assert!(
            s.starts_with(r#"{"type":"hit","data":{"qid":"q7","rank":1,"#),
            "{s}"
        );
        assert!(
            s.contains(r#"{"type":"summary","data":{"qid":"q7","query":"#),
            "{s}"
        );
        let mut out = Vec::new();
        print_json_error(&mut out, "q8", "invalid query: \"\" has nothing").unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            concat!(
                r#"{"type":"error","data":{"qid":"q8","message":"invalid query: \"\" has nothing"}}"#,
                "\n"
            )
        );
    }
}
