//! Prints what sou reads from PDF files: per page, the articles (headline, kicker, subtitle, byline,
//! paragraphs) and the header and footer, as JSON, with the time each file took.
//!
//! `cargo run --release --example pdf_pages -- FILE.pdf…`

use std::time::Instant;

fn main() {
    for path in std::env::args().skip(1) {
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("{path}: {e}");
                continue;
            }
        };
        let t = Instant::now();
        let mut pages = Vec::new();
        let r = sou::corpus::pdf::read_pages(bytes, &mut |p| {
            pages.push(p);
            true
        });
        let ms = t.elapsed().as_secs_f64() * 1000.0;
        match r {
            Ok(n) => {
                eprintln!(
                    "{path}: {n} pages in {ms:.1} ms ({:.1} ms per page)",
                    ms / n.max(1) as f64
                );
                println!(
                    "{}",
                    serde_json::to_string_pretty(&pages).unwrap_or_default()
                );
            }
            Err(e) => eprintln!("{path}: {e}"),
        }
    }
}
