//! Printers: hits as human-readable text (optionally coloured) or as JSON Lines. Printers write to any
//! [`termcolor::WriteColor`], so tests can print into a buffer. This module never talks to tantivy.
//!
//! # JSON Lines schema
//! One object per line. For each hit, in rank order:
//! `{"type":"hit","data":{"rank":1,"score":3.2,"path":"a.txt","passage":4,"title":"…","id":"a.txt","article":"a.txt",`
//! `"start":120,"end":260,"text":"…","snippet":"…","highlights":[[3,7]],"match":"full"}}`, then always one
//! `{"type":"summary","data":{"query":"…","match_rule":"all_terms","total_hits":12,"returned":10,`
//! `"elapsed_ms":1.8}}`. `match` is `full` when the passage contains the whole query, `partial` when not,
//! and then `"missing":["特斯拉"]` names the terms it lacks. `match_rule` is `all_terms` for a keyword query
//! (hits contain every term; partial hits only when no passage does) and `coverage` for a question or a
//! `--plain` query (hits ranked by how much of the query they cover); `total_hits` counts the passages that
//! contain the whole query (full matches) under either rule. A lead passage whose article title matches also
//! has `"title_highlights":[[0,4]]`, character offsets into `title`.
//! Hits of JSON Lines records also have `date` (if the record has one) and `line`; in batch mode
//! (`--queries`) every hit and summary starts with the query's `qid`, and a query that can't be run (a
//! malformed line, a query with nothing to search for) gets, in its place instead of hits and summary, one
//! `{"type":"error","data":{"qid":"7","message":"invalid query: …"}}` (the message is also on stderr).
//! `passage` is the passage ordinal in its article; `start`/`end` are character offsets of the passage in
//! its file; `highlights` are half-open character (not byte) offsets into `snippet`.

use std::io::{self, Write};
use std::path::Path;

use serde::Serialize;
use termcolor::{Color, ColorSpec, WriteColor};

use crate::index::{IndexStats, Notice, Stale};
use crate::search::{Counts, Hit, MatchKind, MatchRule, SearchResults};

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

#[derive(Serialize)]
struct Summary<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    qid: Option<&'a str>,
    query: &'a str,
    match_rule: MatchRule,
    total_hits: usize,
    returned: usize,
    elapsed_ms: f64,
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
    let summary = Summary {
        qid,
        query: &results.query,
        match_rule: results.rule,
        total_hits: results.total,
        returned: results.hits.len(),
        elapsed_ms: results.elapsed.as_secs_f64() * 1000.0,
    };
    serde_json::to_writer(&mut *out, &Message::Summary(summary))?;
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

/// Writes results for a person: per hit a header line (rank, `path#passage`, title, score, and for a
/// partial match of a keyword query the terms it lacks) and the snippet with its matches highlighted, then one line with the
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
        write!(out, "{}", hit.path)?;
        out.reset()?;
        out.set_color(&ordinal)?;
        // A record of an archive: its line, then its passage; and its id, which names the article.
        match hit.line {
            Some(line) => write!(out, ":{line}#{}", hit.passage)?,
            None => write!(out, "#{}", hit.passage)?,
        }
        out.reset()?;
        if hit.line.is_some() {
            write!(out, " [{}]", hit.id)?;
        } else if let Some(article) = hit.id.strip_prefix(&format!("{}#", hit.path)) {
            // An article of a newspaper page.
            write!(out, " [{article}]")?;
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
        match hit.reprints {
            0 => {}
            1 => write!(out, "  +1 reprint")?,
            n => write!(out, "  +{n} reprints")?,
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

/// The one-line summary of a build: `indexed N files (… new, … changed, …): … passages written, …`.
pub fn index_summary_line(s: &IndexStats) -> String {
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

/// `sou index --json`: one `{"type":"index_summary","data":{…}}` line (the [`IndexStats`] fields, and the
/// wall time as `elapsed_s`).
pub fn print_index_json<W: Write>(out: &mut W, stats: &IndexStats) -> io::Result<()> {
    let mut v = serde_json::to_value(stats).map_err(io::Error::other)?;
    v["elapsed_s"] = serde_json::json!(stats.elapsed.as_secs_f64());
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
                kicker: None,
                byline: None,
                source: None,
                place: None,
                pieces: Vec::new(),
                date: None,
                line: None,
                start: 10,
                end: 16,
                text: "青岛市工研院".into(),
                snippet: "青岛市工研院".into(),
                highlights: vec![[3, 6]],
                title_highlights: Vec::new(),
                kicker_highlights: Vec::new(),
                matched: MatchKind::Full,
                missing: Vec::new(),
                reprint_group: None,
                reprints: 0,
            }],
            total: 1,
            rule: MatchRule::AllTerms,
            elapsed: Duration::from_millis(2),
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
        let mut plain = NoColor::new(Vec::new());
        print_human(&mut plain, &r).unwrap();
        let s = String::from_utf8(plain.into_inner()).unwrap();
        assert!(
            s.starts_with(" 1. news.jsonl:17#3 [xw-01]  标题  (2.50)\n"),
            "{s}"
        );
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
            r#"{"type":"hit","data":{"rank":1,"score":2.5,"path":"a.txt","passage":3,"title":"标题","id":"a.txt","article":"a.txt","start":10,"end":16,"text":"青岛市工研院","snippet":"青岛市工研院","highlights":[[3,6]],"match":"full"}}"#
        );
        assert!(lines[1].starts_with(r#"{"type":"summary","data":{"query":"工研院","match_rule":"all_terms","total_hits":1,"returned":1,"elapsed_ms":"#));
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
