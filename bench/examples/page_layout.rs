//! Prints the layout of newspaper pages ([`sou::corpus::layout`]) as JSON, for `bench/pages.py`.
//!
//! ```sh
//! cargo run --release --example page_layout -- PAGE.txt [PAGE.txt ...]
//! ```
//! Prints one line per file: `{"file": PATH, "page": Page}` (the `Page` as serde serializes it: character
//! offsets, half-open ranges). A file that cannot be read prints `{"file": PATH, "error": MESSAGE}`.

use std::io::Write;
use std::process::ExitCode;

fn main() -> ExitCode {
    let files: Vec<String> = std::env::args().skip(1).collect();
    if files.is_empty() {
        eprintln!("usage: page_layout PAGE.txt [PAGE.txt ...]");
        return ExitCode::from(2);
    }
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for file in files {
        let line = match std::fs::read_to_string(&file) {
            Ok(text) => serde_json::json!({"file": file, "page": sou::corpus::layout(&text)}),
            Err(e) => serde_json::json!({"file": file, "error": e.to_string()}),
        };
        if writeln!(out, "{line}").is_err() {
            return ExitCode::from(1);
        }
    }
    if out.flush().is_err() {
        return ExitCode::from(1);
    }
    ExitCode::SUCCESS
}
