//! `sou count --by month` against a scan of the text: for each term, the articles and passages per month that
//! the index counts ([`sou::search::count_by`]) must equal those of a plain scan of every record of the
//! archive (its passages split as sou splits them, normalized as sou normalizes them; a passage counts when
//! its text contains the term, or, where the article's title counts as part of it, its title does).
//!
//! ```sh
//! cargo run --release --example count_scan -- --index DIR --archive FILE [TERM ...]
//! ```
//! The index must have been built from a corpus that holds just the archive, as `<name>.jsonl` at its root
//! (`python3 bench/archive.py` makes one of `../shared/corpora/xwlb/docs.jsonl` and runs this). Prints one
//! line per term (counts, the time each side took) and exits with status 1 if any count differs.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use sou::corpus::date::PartialDate;
use sou::corpus::{JsonFields, SplitConfig, parse_record, split_record};
use sou::search::{CountBy, SearchRequest, count_by};
use sou::text::normalize::normalize;

/// Terms of the news of 2016–2026, frequent and rare, words and names.
const TERMS: &[&str] = &[
    "脱贫攻坚",
    "一带一路",
    "疫情",
    "习近平",
    "人工智能",
    "碳达峰",
    "进博会",
    "乡村振兴",
    "新冠肺炎",
    "粤港澳大湾区",
    "厄立特里亚",
    "北斗",
];

type Months = BTreeMap<String, (usize, usize)>;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let (mut index_dir, mut archive, mut terms) = (None, None, Vec::new());
    while let Some(a) = args.next() {
        match a.as_str() {
            "--index" => index_dir = args.next().map(PathBuf::from),
            "--archive" => archive = args.next().map(PathBuf::from),
            t => terms.push(t.to_string()),
        }
    }
    let (Some(index_dir), Some(archive)) = (index_dir, archive) else {
        eprintln!("usage: count_scan --index DIR --archive FILE [TERM ...]");
        return ExitCode::from(2);
    };
    if terms.is_empty() {
        terms = TERMS.iter().map(|t| t.to_string()).collect();
    }
    let idx = match sou::index::open(&index_dir) {
        Ok(i) => i,
        Err(e) => {
            eprintln!("count_scan: {e}");
            return ExitCode::from(2);
        }
    };
    let text = match std::fs::read_to_string(&archive) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("count_scan: {}: {e}", archive.display());
            return ExitCode::from(2);
        }
    };
    let name = archive
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();

    // The scan: every record's passages, normalized once, with their month.
    let t0 = Instant::now();
    let fields = JsonFields::default();
    let cfg = SplitConfig::default();
    let mut passages: Vec<(String, Option<String>, String, Option<String>)> = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let Ok(Some(record)) = parse_record(&name, i as u64 + 1, line, &fields) else {
            continue;
        };
        let month = record
            .date
            .as_deref()
            .and_then(PartialDate::parse)
            .filter(|d| d.month.is_some())
            .map(|d| format!("{:04}-{:02}", d.year, d.month.unwrap_or(0)));
        // (One file: the index's article key is the id within it.)
        let key = record.id.clone();
        for p in split_record(&name, &record, &cfg) {
            let title = p.headline.then(|| normalize(&p.title).text);
            passages.push((key.clone(), month.clone(), normalize(&p.text).text, title));
        }
    }
    let prepared = t0.elapsed();
    println!(
        "{} passages read and normalized in {:.1} s",
        passages.len(),
        prepared.as_secs_f64()
    );
    println!("term\tarticles\tpassages\tmonths\tindex_ms\tscan_ms\tequal");
    let mut all_equal = true;
    for term in &terms {
        let t = normalize(term).text;
        let t1 = Instant::now();
        let mut scan: BTreeMap<String, (std::collections::HashSet<&str>, usize)> = BTreeMap::new();
        for (key, month, body, title) in &passages {
            if body.contains(&t) || title.as_ref().is_some_and(|h| h.contains(&t)) {
                let e = scan
                    .entry(month.clone().unwrap_or_else(|| "unknown".into()))
                    .or_default();
                e.0.insert(key);
                e.1 += 1;
            }
        }
        let scan: Months = scan
            .into_iter()
            .map(|(m, (a, p))| (m, (a.len(), p)))
            .collect();
        let scan_ms = t1.elapsed().as_secs_f64() * 1000.0;

        let t2 = Instant::now();
        let req = SearchRequest {
            query: term.clone(),
            ..Default::default()
        };
        let got = match count_by(&idx, &req, CountBy::Month) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("count_scan: {term}: {e}");
                return ExitCode::from(2);
            }
        };
        let index_ms = t2.elapsed().as_secs_f64() * 1000.0;
        let mut counted: Months = got
            .buckets
            .iter()
            .filter(|b| b.passages > 0)
            .map(|b| (b.key.clone(), (b.articles, b.passages)))
            .collect();
        if got.unknown.passages > 0 {
            counted.insert(
                "unknown".into(),
                (got.unknown.articles, got.unknown.passages),
            );
        }
        let equal = counted == scan;
        all_equal &= equal;
        println!(
            "{term}\t{}\t{}\t{}\t{index_ms:.1}\t{scan_ms:.1}\t{}",
            got.total.articles,
            got.total.passages,
            counted.len(),
            if equal { "yes" } else { "NO" }
        );
        if !equal {
            for (m, c) in &counted {
                if scan.get(m) != Some(c) {
                    println!("  {m}: index {c:?}, scan {:?}", scan.get(m));
                }
            }
            for (m, s) in &scan {
                if !counted.contains_key(m) {
                    println!("  {m}: index none, scan {s:?}");
                }
            }
        }
    }
    if all_equal {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
