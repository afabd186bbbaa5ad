//! The exact-phrase check: quoted queries must return exactly the passages whose normalized text contains
//! the phrase, and unquoted (plain) queries must return all of them among their hits.
//!
//! Samples substrings of 2–8 characters from random passages of an index (fixed seed), compares sou's answers
//! with a plain scan of every passage's normalized text, and reports the mismatches (the target is zero).
//!
//! ```sh
//! cargo run --release --example phrase_check -- --index target/eval/xwlb/index [--samples 500] [--seed 2026]
//! ```
//! (`python3 bench/eval.py xwlb-title-dev` builds that index.) Substrings that contain a quote character
//! are skipped (they can't be written inside a quoted phrase), and so are those without any letter, digit or
//! Han character (sou rejects such queries by design).

use std::collections::HashSet;
use std::path::PathBuf;
use std::process::ExitCode;

use sou::index;
use sou::search::{self, SearchRequest};
use sou::text::normalize::{is_word_char, normalize};
use tantivy::TantivyDocument;
use tantivy::collector::DocSetCollector;
use tantivy::query::AllQuery;
use tantivy::schema::Value;

type Key = (String, String, u32);

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let (mut index_dir, mut samples, mut seed) = (PathBuf::from("index"), 500usize, 2026u64);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--index" => index_dir = args.next().map(PathBuf::from).unwrap_or(index_dir),
            "--samples" => samples = args.next().and_then(|v| v.parse().ok()).unwrap_or(samples),
            "--seed" => seed = args.next().and_then(|v| v.parse().ok()).unwrap_or(seed),
            _ => {
                eprintln!("usage: phrase_check [--index DIR] [--samples N] [--seed S]");
                return ExitCode::from(2);
            }
        }
    }
    match run(&index_dir, samples, seed) {
        Ok(0) => ExitCode::SUCCESS,
        Ok(_) => ExitCode::from(1),
        Err(e) => {
            eprintln!("phrase_check: {e}");
            ExitCode::from(2)
        }
    }
}

fn run(
    index_dir: &std::path::Path,
    samples: usize,
    seed: u64,
) -> Result<usize, Box<dyn std::error::Error>> {
    let idx = index::open(index_dir)?;
    let searcher = idx.reader.searcher();
    let f = idx.fields;
    let mut all: Vec<_> = searcher
        .search(&AllQuery, &DocSetCollector)?
        .into_iter()
        .collect();
    all.sort();
    let mut passages: Vec<(Key, String)> = Vec::with_capacity(all.len());
    for addr in all {
        let doc: TantivyDocument = searcher.doc(addr)?;
        let s = |fl| {
            doc.get_first(fl)
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .to_string()
        };
        let ord = doc
            .get_first(f.ordinal)
            .and_then(|v| v.as_u64())
            .unwrap_or_default() as u32;
        passages.push(((s(f.path), s(f.id), ord), normalize(&s(f.text)).text));
    }
    passages.sort();
    eprintln!("{} passages", passages.len());

    // fastrand with a fixed seed: the same sample on every machine.
    let mut rng = fastrand::Rng::with_seed(seed);
    let (mut tried, mut quoted_bad, mut plain_bad) = (0usize, 0usize, 0usize);
    let quotes = ['"', '“', '”', '「', '」', '『', '』', '＂'];
    while tried < samples {
        let (_, text) = &passages[rng.usize(..passages.len())];
        let chars: Vec<char> = text.chars().collect();
        let len = 2 + rng.usize(..7);
        if chars.len() < len {
            continue;
        }
        let start = rng.usize(..chars.len() - len + 1);
        let sub: String = chars[start..start + len].iter().collect();
        if sub.contains(quotes) || !sub.chars().any(is_word_char) {
            continue;
        }
        tried += 1;
        let expected: HashSet<&Key> = passages
            .iter()
            .filter(|(_, t)| t.contains(sub.as_str()))
            .map(|(k, _)| k)
            .collect();
        let ask = |query: String, plain: bool| {
            search::search(
                &idx,
                &SearchRequest {
                    query,
                    limit: 10_000_000,
                    snippet_chars: 0,
                    per_article: None,
                    plain,
                    // Every passage that has the string is wanted, reprints too.
                    collapse: false,
                    ..Default::default()
                },
            )
        };
        let quoted = ask(format!("\"{sub}\""), false)?;
        let got: HashSet<Key> = quoted
            .hits
            .iter()
            .map(|h| (h.path.clone(), h.id.clone(), h.passage))
            .collect();
        let exact = got.len() == expected.len()
            && expected.iter().all(|k| got.contains(*k))
            && quoted.total == got.len();
        if !exact {
            quoted_bad += 1;
            eprintln!(
                "quoted mismatch {sub:?}: expected {} passages, got {} (total {})",
                expected.len(),
                got.len(),
                quoted.total
            );
        }
        let plain = ask(sub.clone(), true)?;
        let got: HashSet<Key> = plain
            .hits
            .iter()
            .map(|h| (h.path.clone(), h.id.clone(), h.passage))
            .collect();
        let missing = expected.iter().filter(|k| !got.contains(**k)).count();
        if missing > 0 {
            plain_bad += 1;
            eprintln!(
                "unquoted {sub:?}: {missing} of {} passages missing",
                expected.len()
            );
        }
    }
    println!(
        "phrase check: {tried} substrings of 2-8 characters (seed {seed}); quoted mismatches: {quoted_bad}; unquoted queries missing passages: {plain_bad}"
    );
    Ok(quoted_bad + plain_bad)
}
