//! Prints the text sou extracts from a file that is not plain text (a PDF, a web page, a Word document, an
//! EPUB book): what its passages' offsets count into (`corpus::pdf_text`, `corpus::document_text`), each
//! article's text separated by a blank line. `bench/formats.py` uses it for its text baseline.
//!
//! Usage: `cargo run --release --example extract_text -- FILE`. Exit status 2, with the reason on stderr,
//! when the file can't be read or extracted.

use std::time::Duration;

use sou::corpus::{self, Format};

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: extract_text FILE");
        std::process::exit(2);
    };
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("extract_text: {path}: {e}");
            std::process::exit(2);
        }
    };
    let ext = path.rsplit_once('.').map_or("", |(_, e)| e);
    let limit = Duration::from_secs(60);
    let text = match Format::sniff(&bytes[..bytes.len().min(4096)], ext) {
        Format::Pdf => corpus::pdf::read_file_pages(bytes, limit)
            .map(|pages| corpus::pdf_text(&pages))
            .map_err(|e| e.to_string()),
        Format::Text | Format::Jsonl => Err("a text file: nothing to extract".to_string()),
        format => corpus::extract(format, bytes, limit)
            .map(|doc| corpus::document_text(&doc))
            .map_err(|e| e.to_string()),
    };
    match text {
        Ok(t) => println!("{t}"),
        Err(e) => {
            eprintln!("extract_text: {path}: {e}");
            std::process::exit(2);
        }
    }
}
