//! The indexing ceiling: jieba's search-mode segmentation alone (HMM on, as tantivy-jieba calls it), on one
//! core, over the bodies of a JSON Lines archive. Prints one JSON object with MB/s (10^6 bytes of body text
//! per second of segmentation; loading the dictionary and reading the file are not counted).
//!
//! `cargo run --release --example jieba_ceiling -- ARCHIVE.jsonl [BODY_FIELD]`
use std::io::BufRead;
use std::time::Instant;

use tantivy_jieba::jieba_rs::{Jieba, TokenizeMode};

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(path) = args.next() else {
        eprintln!("usage: jieba_ceiling ARCHIVE.jsonl [BODY_FIELD]");
        std::process::exit(2);
    };
    let field = args.next().unwrap_or_else(|| "body".into());
    let file = std::fs::File::open(&path).unwrap_or_else(|e| {
        eprintln!("jieba_ceiling: {path}: {e}");
        std::process::exit(2);
    });
    let mut bodies = Vec::new();
    for line in std::io::BufReader::new(file).lines() {
        let line = line.unwrap_or_else(|e| {
            eprintln!("jieba_ceiling: {path}: {e}");
            std::process::exit(2);
        });
        if let Ok(v) = serde_json::from_str::<serde_json::Value>(&line)
            && let Some(b) = v.get(&field).and_then(|b| b.as_str())
        {
            bodies.push(b.to_string());
        }
    }
    let bytes: usize = bodies.iter().map(|b| b.len()).sum();
    let jieba = Jieba::new();
    let started = Instant::now();
    let mut tokens = 0usize;
    for b in &bodies {
        tokens += jieba.tokenize(b, TokenizeMode::Search, true).len();
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "{}",
        serde_json::json!({
            "bytes": bytes,
            "tokens": tokens,
            "seconds": secs,
            "mb_per_s": bytes as f64 / 1e6 / secs,
        })
    );
}
