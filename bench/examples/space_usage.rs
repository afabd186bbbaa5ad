//! Where an index's bytes go, per component and per field (tantivy's own space accounting).
//!
//! `cargo run --release --example space_usage -- INDEX_DIR`
use std::collections::BTreeMap;

fn main() {
    let dir = std::env::args().nth(1).unwrap_or_else(|| "index".into());
    let index = match tantivy::Index::open_in_dir(&dir) {
        Ok(i) => i,
        Err(e) => {
            eprintln!("space_usage: {dir}: {e}");
            std::process::exit(2);
        }
    };
    let searcher = match index.reader() {
        Ok(r) => r.searcher(),
        Err(e) => {
            eprintln!("space_usage: {dir}: {e}");
            std::process::exit(2);
        }
    };
    let usage = match searcher.space_usage() {
        Ok(u) => u,
        Err(e) => {
            eprintln!("space_usage: {dir}: {e}");
            std::process::exit(2);
        }
    };
    let mut rows: BTreeMap<(String, &str), u64> = BTreeMap::new();
    let mut store = 0u64;
    for seg in usage.segments() {
        for (kind, per_field) in [
            ("terms", seg.termdict()),
            ("postings", seg.postings()),
            ("positions", seg.positions()),
            ("fieldnorms", seg.fieldnorms()),
            ("fast", seg.fast_fields()),
        ] {
            for f in per_field.fields() {
                *rows.entry((f.field_name().to_string(), kind)).or_default() +=
                    f.total().get_bytes();
            }
        }
        store += seg.store().total().get_bytes();
    }
    let total = usage.total().get_bytes();
    println!("{:<14} {:<11} {:>12}", "field", "part", "bytes");
    for ((field, kind), bytes) in &rows {
        if *bytes > 0 {
            println!("{field:<14} {kind:<11} {bytes:>12}");
        }
    }
    println!("{:<14} {:<11} {:>12}", "(store)", "store", store);
    println!("{:<14} {:<11} {:>12}", "(all)", "total", total);
}
