//! Criterion benchmarks of sou's pipeline: normalize, tokenize, split, snippet, search.
//!
//! `cargo bench --bench pipeline` (add e.g. `-- --warm-up-time 1 --measurement-time 3` for a short run).
//!
//! Note on word segmentation: `Analyzer::word_tokens` segments with a tiny jieba until the *process* has
//! segmented 50,000 Han characters (a global counter, so a fresh `Analyzer` does not reset it), then loads and
//! keeps the full dictionary. A benchmark loop exhausts that budget in a fraction of a second, so this file
//! switches to the full dictionary up front (`load_full_dictionary`) and measures:
//! - `tokenize/words`, `tokenize/query_full`, `search`: the full dictionary (what indexing always uses, and
//!   what a long-running process uses after the switch);
//! - `dictionary/jieba_new`: loading the full dictionary, which a query never needs (see `src/text/dict.rs`);
//! - `tokenize/query`: the tiny-jieba path a `sou search` process takes for its queries, rebuilt from the public
//!   `sou::text::dict::small_jieba` (checked once to give the same tokens as `Analyzer::new().word_tokens`).

use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use sou::corpus::{SplitConfig, split_article};
use sou::index::{BuildOptions, DictChoice};
use sou::search::snippet::{Match, make_snippet};
use sou::search::{SearchRequest, search};
use sou::text::analyzer::{Analyzer, CharTokenizer, Grams, char_tokens, word_tokens};
use sou::text::normalize::normalize;
use tantivy::tokenizer::{TokenStream, Tokenizer};
use tantivy_jieba::jieba_rs::TokenizeMode;

const ARTICLE: &str = include_str!("../corpus/keji-ribao-high-tech-zones-2023.txt");
const ARTICLE_PATH: &str = "keji-ribao-high-tech-zones-2023.txt";
const QUESTION: &str = "青岛市工研院培育了多少家高新技术企业";
const QUERIES: &[&str] = &["工研院", "\"专精特新\"", "小鹏 -肇庆", QUESTION];

/// Segments more than the tiny-instance budget once, so that every later `word_tokens` call in this process
/// uses the full dictionary (and its one-time load is not timed).
fn load_full_dictionary() {
    let text = normalize(ARTICLE).text.repeat(12);
    black_box(word_tokens(&text));
}

/// What `Analyzer::word_tokens` does for an all-Han query before the switch: a tiny jieba holding just the
/// query's dictionary words, then search-mode segmentation. Returns (text, char position, char length).
fn tiny_query_tokens(query: &str) -> Vec<(String, usize, usize)> {
    let jieba = sou::text::dict::small_jieba([query], None);
    jieba
        .tokenize(query, TokenizeMode::Search, true)
        .into_iter()
        .map(|t| (t.word.to_string(), t.start, t.end - t.start))
        .collect()
}

fn bench_normalize(c: &mut Criterion) {
    let mut g = c.benchmark_group("normalize");
    g.throughput(Throughput::Bytes(ARTICLE.len() as u64));
    g.bench_function("article", |b| b.iter(|| normalize(black_box(ARTICLE))));
    g.finish();
}

fn bench_tokenize(c: &mut Criterion) {
    // Check the tiny-jieba reconstruction against the analyzer before the switch to the full dictionary.
    let expected: Vec<(String, usize, usize)> = Analyzer::new()
        .word_tokens(QUESTION)
        .into_iter()
        .map(|t| (t.text, t.pos, t.len))
        .collect();
    assert_eq!(tiny_query_tokens(QUESTION), expected);
    load_full_dictionary();

    let text = normalize(ARTICLE).text;
    let mut g = c.benchmark_group("tokenize");
    g.throughput(Throughput::Bytes(text.len() as u64));
    g.bench_function("words", |b| b.iter(|| word_tokens(black_box(&text))));
    g.bench_function("chars", |b| b.iter(|| char_tokens(black_box(&text))));
    // What indexing runs: the character view as tantivy's token stream (one reused token).
    g.bench_function("chars_stream", |b| {
        b.iter(|| {
            let mut n = 0usize;
            for grams in [Grams::Uni, Grams::Bi] {
                let mut tokenizer = CharTokenizer(grams);
                let mut stream = tokenizer.token_stream(black_box(&text));
                while stream.advance() {
                    n += stream.token().text.len();
                }
            }
            n
        })
    });
    g.throughput(Throughput::Bytes(QUESTION.len() as u64));
    g.bench_function("query", |b| {
        b.iter(|| tiny_query_tokens(black_box(QUESTION)))
    });
    g.bench_function("query_full", |b| {
        b.iter(|| Analyzer::new().word_tokens(black_box(QUESTION)))
    });
    g.finish();
}

/// What a one-shot `sou search` would pay to segment its query with the full dictionary (`Jieba::new()`:
/// decompress and parse jieba's dictionary, build its trie) instead of the FST that build.rs compiles from
/// `data/jieba-dict.txt` (`tokenize/query`).
fn bench_dictionary(c: &mut Criterion) {
    let mut g = c.benchmark_group("dictionary");
    g.sample_size(10);
    g.bench_function("jieba_new", |b| b.iter(tantivy_jieba::jieba_rs::Jieba::new));
    g.finish();
}

fn bench_split(c: &mut Criterion) {
    let cfg = SplitConfig::default();
    let mut g = c.benchmark_group("split");
    g.throughput(Throughput::Bytes(ARTICLE.len() as u64));
    g.bench_function("article", |b| {
        b.iter(|| split_article(ARTICLE_PATH, black_box(ARTICLE), &cfg))
    });
    g.finish();
}

fn bench_snippet(c: &mut Criterion) {
    // The first 300 chars of the article, with a match on every occurrence of a few of its words.
    let passage: String = ARTICLE.chars().take(300).collect();
    let chars: Vec<char> = passage.chars().collect();
    let mut matches = Vec::new();
    for (word, weight) in [("高新区", 2.0), ("创新", 1.5), ("企业", 1.0)] {
        let w: Vec<char> = word.chars().collect();
        for start in 0..chars.len().saturating_sub(w.len() - 1) {
            if chars[start..start + w.len()] == w[..] {
                matches.push(Match {
                    start,
                    end: start + w.len(),
                    weight,
                });
            }
        }
    }
    assert!(
        !matches.is_empty(),
        "the passage should contain some matches"
    );
    let mut g = c.benchmark_group("snippet");
    g.throughput(Throughput::Bytes(passage.len() as u64));
    g.bench_function("passage300", |b| {
        b.iter(|| make_snippet(black_box(&passage), black_box(&matches), 100))
    });
    g.finish();
}

fn bench_search(c: &mut Criterion) {
    let dir = tempfile::TempDir::new().expect("temp dir");
    let opts = BuildOptions {
        corpus: Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus"),
        index: dir.path().to_path_buf(),
        rebuild: true,
        threads: Some(1),
        progress: false,
        json_fields: Default::default(),
        dict: DictChoice::Keep,
    };
    sou::index::build(&opts, &mut |_| {}).expect("build the index");
    let idx = sou::index::open(dir.path()).expect("open the index");

    let mut g = c.benchmark_group("search");
    for &query in QUERIES {
        let req = SearchRequest {
            query: query.to_string(),
            limit: 10,
            snippet_chars: 100,
            per_article: None,
            plain: false,
            collapse: true,
            ..Default::default()
        };
        g.bench_function(query, |b| {
            b.iter(|| search(&idx, black_box(&req)).expect("search"))
        });
    }
    g.finish();
}

criterion_group!(
    benches,
    bench_normalize,
    bench_tokenize,
    bench_dictionary,
    bench_split,
    bench_snippet,
    bench_search
);
criterion_main!(benches);
