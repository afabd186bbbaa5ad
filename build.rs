//! Compiles jieba's default dictionary (`src/data/dict.txt` of the jieba-rs crate that sou depends on, found
//! with `cargo metadata`, so it is always the one `Jieba::new()` loads) into an FST map from
//! each word to its frequency, and computes the numbers `src/dict.rs` needs to reproduce `Jieba::new()`'s
//! segmentation without loading the whole dictionary (see there).
//!
//! The words and frequencies are read exactly as `Jieba::new()` reads them (jieba-rs 0.11,
//! `Jieba::load_default_dict`): one entry per line (`str::lines`), fields split at ASCII whitespace, lines
//! without a word skipped, a missing frequency is 0, an unparsable one is an error. Into an empty instance
//! every line is appended as a record of its own, so the dictionary's `total` is the sum of the frequencies of
//! all lines, and a word that occurs twice has the frequency of its last line (the trie maps it to the later
//! record). jieba's `load_dict` (used by `Jieba::with_dict`) differs only for such duplicates (there the
//! later line replaces the earlier one, which is no longer counted in `total`); jieba-rs's dictionary has
//! none, and a test checks that both give the same tokens.

use std::collections::BTreeMap;
use std::env;
use std::fs;
use std::path::PathBuf;
use std::process::Command;

/// The path of jieba-rs's `src/data/dict.txt`, from `cargo metadata` (offline and locked: the crate is already
/// downloaded, since sou depends on it).
fn jieba_dict_path() -> PathBuf {
    let cargo = env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let manifest = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"))
        .join("Cargo.toml");
    // Only the packages of the platforms being built have been downloaded: ask for those alone.
    let mut platforms: Vec<String> = Vec::new();
    for var in ["TARGET", "HOST"] {
        if let Ok(p) = env::var(var)
            && !platforms.contains(&p)
        {
            platforms.push(p);
        }
    }
    let mut cmd = Command::new(cargo);
    cmd.args([
        "metadata",
        "--format-version",
        "1",
        "--offline",
        "--locked",
        "--manifest-path",
    ])
    .arg(&manifest);
    for p in &platforms {
        cmd.args(["--filter-platform", p]);
    }
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run cargo metadata: {e}"));
    assert!(
        out.status.success(),
        "cargo metadata failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let meta: serde_json::Value =
        serde_json::from_slice(&out.stdout).expect("cargo metadata printed JSON");
    let jieba: Vec<&serde_json::Value> = meta["packages"]
        .as_array()
        .expect("cargo metadata packages")
        .iter()
        .filter(|p| p["name"] == "jieba-rs")
        .collect();
    assert_eq!(
        jieba.len(),
        1,
        "expected one jieba-rs package in the dependency graph"
    );
    let crate_manifest = PathBuf::from(jieba[0]["manifest_path"].as_str().expect("manifest_path"));
    crate_manifest
        .parent()
        .expect("jieba-rs crate directory")
        .join("src/data/dict.txt")
}

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=Cargo.lock");
    let dict_path = jieba_dict_path();
    println!("cargo:rerun-if-changed={}", dict_path.display());
    let dict = dict_path.display().to_string();

    let text = fs::read_to_string(&dict_path).unwrap_or_else(|e| panic!("cannot read {dict}: {e}"));
    let mut words: BTreeMap<&str, u64> = BTreeMap::new();
    let mut total: u64 = 0;
    let mut duplicates = 0usize;
    for (i, line) in text.lines().enumerate() {
        let mut fields = line.split_ascii_whitespace();
        let Some(word) = fields.next() else { continue };
        let freq: u64 = fields.next().map_or(0, |f| {
            f.parse::<usize>()
                .unwrap_or_else(|e| panic!("{dict} line {}: frequency {f:?}: {e}", i + 1))
                as u64
        });
        total = total
            .checked_add(freq)
            .unwrap_or_else(|| panic!("{dict}: total frequency overflows"));
        if words.insert(word, freq).is_some() {
            duplicates += 1;
        }
    }
    if duplicates > 0 {
        println!(
            "cargo:warning={dict} has {duplicates} duplicate words: the last line of each wins, all count in the total (as in Jieba::new())"
        );
    }
    let max_chars = words.keys().map(|w| w.chars().count()).max().unwrap_or(0);

    // A BTreeMap iterates in byte order, which is the order the FST builder needs.
    let fst = fst::Map::from_iter(words.iter().map(|(w, f)| (w.as_bytes(), *f)))
        .expect("building the dictionary FST")
        .into_fst()
        .into_inner();

    let out = PathBuf::from(env::var_os("OUT_DIR").expect("OUT_DIR"));
    fs::write(out.join("jieba.fst"), fst).expect("writing jieba.fst");
    fs::write(
        out.join("jieba_dict.rs"),
        format!(
            "// Generated by build.rs from jieba-rs's src/data/dict.txt.\n\
             #[allow(dead_code)]\n\
             pub(crate) const GEN_DICT_PATH: &str = {dict:?};\n\
             const GEN_TOTAL: usize = {total};\n\
             const GEN_WORDS: usize = {};\n\
             const GEN_MAX_WORD_CHARS: usize = {max_chars};\n",
            words.len()
        ),
    )
    .expect("writing jieba_dict.rs");
}
