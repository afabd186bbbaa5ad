//! Reprints: near-duplicate articles, grouped at index time.
//!
//! Wire stories come back many times with small edits (another dateline, a paragraph cut, full-width digits,
//! traditional script). Two articles are *reprints* of each other when the estimated Jaccard similarity of
//! their bodies' character shingles is at least [`MIN_SIMILARITY`] ([`signature`] says what the body and
//! the shingles are); a *reprint group* is a connected set of such pairs (so two members of a group may be
//! less alike than that, through a third). Its id is the least article key of its members
//! ([`crate::index::article_key`]), so groups do not depend on the order files were indexed in.
//!
//! Where things are:
//! - each article's [`Signature`] is stored with its last passage, in the fast field `reprint` (bytes), when
//!   the article is indexed: it lives and dies with the article's passages;
//! - after every `sou index` run the groups are computed over the whole index ([`group`]: LSH banding, then
//!   each candidate pair's estimate checked, then union-find) and written to [`REPRINTS_FILE`] in the index
//!   directory (to a temporary file, then renamed), tagged with the *generation* of the index they were
//!   computed from ([`generation`]: its segments and their deletions);
//! - a search reads that file ([`Reprints::load`]), or, if it is missing or of another generation (a run
//!   killed before writing it), computes the groups from the signatures in memory.

pub mod signature;

use std::collections::HashMap;
use std::fs;
use std::io::{BufRead, Write};
use std::path::Path;

pub use signature::{Shingler, Signature};

use super::schema::article_key;

/// Name of the field that holds an article's signature (bytes, fast), on its last passage only.
pub const REPRINT_FIELD: &str = "reprint";
/// The file in the index directory that holds the groups: a JSON header line, then the table of
/// [`Reprints`] (one line per member of a group, sorted by its key).
pub const REPRINTS_FILE: &str = "sou-reprints.jsonl";
/// Two articles whose estimated similarity ([`Signature::similarity`]) is at least this are reprints.
pub const MIN_SIMILARITY: f64 = 0.8;
/// LSH banding: the signature's bins are cut into bands of this many bins; two articles that agree on a
/// whole band are a candidate pair. With 32 bands of 8, a pair of similarity 0.8 is a candidate with
/// probability 1 - (1 - 0.8^8)^32 = 0.997, one of 0.7 with 0.84, one of 0.5 with 0.12 (candidates are then
/// checked), unrelated articles (almost) never.
pub const BAND_BINS: usize = 8;
/// Version of [`REPRINTS_FILE`]'s layout.
const FILE_FORMAT: u32 = 2;

/// Groups articles by their signatures: every pair that shares a band is checked, pairs of similarity at
/// least [`MIN_SIMILARITY`] are joined, and the connected sets of two or more articles are returned, each
/// sorted by key, the list sorted by first key. An article given with several signatures is one article.
/// The result depends only on the set of `(key, signature)` pairs, not on their order.
pub fn group(mut items: Vec<(String, Signature)>) -> Vec<Vec<String>> {
    items.sort_unstable();
    items.dedup();
    // Nodes: distinct keys in order, so that a root (the least node of its set) is the least key.
    let mut keys: Vec<&str> = items.iter().map(|(k, _)| k.as_str()).collect();
    keys.dedup();
    let node_of: HashMap<&str, u32> = keys
        .iter()
        .enumerate()
        .map(|(i, k)| (*k, i as u32))
        .collect();
    let nodes: Vec<u32> = items.iter().map(|(k, _)| node_of[k.as_str()]).collect();
    let mut sets = UnionFind::new(keys.len());
    // An article's signatures are one article.
    for w in nodes.windows(2) {
        if w[0] == w[1] {
            sets.union(w[0], w[1]);
        }
    }
    let bands = signature::BINS / BAND_BINS;
    let mut band: Vec<(u64, u32)> = Vec::with_capacity(items.len());
    for b in 0..bands {
        band.clear();
        for (i, (_, sig)) in items.iter().enumerate() {
            let mut v = 0u64;
            for &x in &sig.0[b * BAND_BINS..(b + 1) * BAND_BINS] {
                v = v << 8 | u64::from(x);
            }
            band.push((v, i as u32));
        }
        band.sort_unstable();
        for run in band.chunk_by(|x, y| x.0 == y.0) {
            for (n, &(_, i)) in run.iter().enumerate() {
                for &(_, j) in &run[..n] {
                    let (a, b) = (nodes[i as usize], nodes[j as usize]);
                    if sets.find(a) != sets.find(b)
                        && items[i as usize].1.similarity(&items[j as usize].1) >= MIN_SIMILARITY
                    {
                        sets.union(a, b);
                    }
                }
            }
        }
    }
    let mut by_root: std::collections::BTreeMap<u32, Vec<String>> = Default::default();
    for (i, k) in keys.iter().enumerate() {
        by_root
            .entry(sets.find(i as u32))
            .or_default()
            .push((*k).to_string());
    }
    by_root.into_values().filter(|g| g.len() > 1).collect()
}

/// Disjoint sets whose representative is always the least member.
struct UnionFind(Vec<u32>);

impl UnionFind {
    fn new(n: usize) -> Self {
        UnionFind((0..n as u32).collect())
    }
    fn find(&mut self, mut x: u32) -> u32 {
        while self.0[x as usize] != x {
            let up = self.0[self.0[x as usize] as usize];
            self.0[x as usize] = up;
            x = up;
        }
        x
    }
    fn union(&mut self, a: u32, b: u32) {
        let (a, b) = (self.find(a), self.find(b));
        let (lo, hi) = (a.min(b), a.max(b));
        self.0[hi as usize] = lo;
    }
}

/// The generation of what a searcher sees: a hash of its segments' ids, their deletions and document
/// counts (hex). Groups computed from one generation hold for every searcher of the same generation.
pub fn generation(searcher: &tantivy::Searcher) -> String {
    let mut segs: Vec<String> = searcher
        .segment_readers()
        .iter()
        .map(|s| {
            format!(
                "{}:{:?}:{}:{}",
                s.segment_id().uuid_string(),
                s.delete_opstamp(),
                s.max_doc(),
                s.num_docs()
            )
        })
        .collect();
    segs.sort();
    blake3::hash(segs.join("\n").as_bytes()).to_hex()[..32].to_string()
}

/// Every signature in the index, with its article's key ([`article_key`]).
pub fn signatures(searcher: &tantivy::Searcher) -> crate::Result<Vec<(String, Signature)>> {
    let io = tantivy::TantivyError::from;
    let mut out = Vec::new();
    for seg in searcher.segment_readers() {
        let fast = seg.fast_fields();
        let (Some(sigs), Some(articles)) = (
            fast.bytes(REPRINT_FIELD)?,
            fast.str(super::schema::ARTICLE_FIELD)?,
        ) else {
            continue;
        };
        // The dictionaries read in one pass each (a lookup by ordinal costs a block's decoding).
        let mut by_ord: Vec<Option<Signature>> = Vec::with_capacity(sigs.num_terms());
        let mut stream = sigs.dictionary().stream().map_err(io)?;
        while stream.advance() {
            by_ord.push(Signature::from_bytes(stream.key()));
        }
        let mut wanted: Vec<(u64, Signature)> = Vec::new();
        let alive = seg.alive_bitset();
        for doc in 0..seg.max_doc() {
            if alive.is_some_and(|a| !a.is_alive(doc)) {
                continue;
            }
            let Some(Some(sig)) = sigs.term_ords(doc).next().map(|o| by_ord.get(o as usize)) else {
                continue;
            };
            let (Some(sig), Some(article)) = (sig, articles.term_ords(doc).next()) else {
                continue;
            };
            wanted.push((article, sig.clone()));
        }
        wanted.sort_unstable_by_key(|w| w.0);
        let mut keys = articles.dictionary().stream().map_err(io)?;
        let mut at = 0;
        while at < wanted.len() && keys.advance() {
            let ord = keys.term_ord();
            if ord < wanted[at].0 {
                continue;
            }
            let key = String::from_utf8_lossy(keys.key());
            while at < wanted.len() && wanted[at].0 == ord {
                out.push((key.to_string(), wanted[at].1.clone()));
                at += 1;
            }
        }
    }
    Ok(out)
}

/// An article's reprint group, as [`Reprints::group_of`] finds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    /// The group's id: the least article key of its members ([`article_key`]: a path, or a path, NUL and
    /// a record's id).
    pub id: String,
    /// Its members in the index, the article itself included (2 or more).
    pub size: usize,
}

/// The reprint groups of an index at one generation, as a table that a search looks keys up in without
/// reading it whole (a one-shot search on an archive of a million articles must not build a map of all
/// of them to show ten): one line per member of a group, `KEY\tGROUP\tSIZE\tID\n` (KEY and ID as JSON
/// strings, GROUP the group's number, SIZE its members), sorted by KEY's bytes, and found by a binary
/// search over the lines.
#[derive(Debug, Clone, Default)]
pub struct Reprints {
    /// The generation they were computed from ([`generation`]).
    pub generation: String,
    /// How many groups there are.
    pub groups: usize,
    /// The table's bytes start at `table_at` of `bytes` (the whole file when read from one).
    bytes: Bytes,
    table_at: usize,
}

/// The bytes of a table: built in memory, or the file mapped (a search touches only the pages its binary
/// searches read, whatever the size of the file).
#[derive(Debug, Clone)]
enum Bytes {
    Owned(Vec<u8>),
    Mapped(std::sync::Arc<memmap2::Mmap>),
}

impl Default for Bytes {
    fn default() -> Self {
        Bytes::Owned(Vec::new())
    }
}

impl std::ops::Deref for Bytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            Bytes::Owned(v) => v,
            Bytes::Mapped(m) => m,
        }
    }
}

/// A key as the table writes it (a JSON string).
fn key_bytes(key: &str) -> Vec<u8> {
    serde_json::to_vec(key).unwrap_or_default()
}

impl Reprints {
    /// Groups made from `groups` (as [`group`] returns them) at `generation`.
    pub fn new(generation: String, groups: Vec<Vec<String>>) -> Self {
        let mut lines: Vec<(Vec<u8>, Vec<u8>)> = Vec::new();
        for (i, g) in groups.iter().enumerate() {
            let rest = format!(
                "\t{i}\t{}\t{}\n",
                g.len(),
                serde_json::to_string(&g[0]).unwrap_or_default()
            );
            for k in g {
                lines.push((key_bytes(k), rest.clone().into_bytes()));
            }
        }
        lines.sort_unstable();
        let mut bytes = Vec::new();
        for (k, rest) in lines {
            bytes.extend(k);
            bytes.extend(rest);
        }
        Reprints {
            generation,
            groups: groups.len(),
            bytes: Bytes::Owned(bytes),
            table_at: 0,
        }
    }

    fn table(&self) -> &[u8] {
        &self.bytes[self.table_at..]
    }

    /// The table's line for `key` (its bytes, without the newline), by binary search over the lines.
    fn line_of(&self, key: &str) -> Option<&[u8]> {
        let want = key_bytes(key);
        let t = self.table();
        // Invariant: `lo` and `hi` are line starts (or the end); the line sought, if any, is in [lo, hi).
        let (mut lo, mut hi) = (0, t.len());
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            let start = t[lo..mid]
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(lo, |i| lo + i + 1);
            let end = t[mid..hi]
                .iter()
                .position(|&b| b == b'\n')
                .map_or(hi, |i| mid + i);
            let line = &t[start..end];
            let k = line.split(|&b| b == b'\t').next().unwrap_or_default();
            match k.cmp(want.as_slice()) {
                std::cmp::Ordering::Equal => return Some(line),
                std::cmp::Ordering::Less => lo = (end + 1).min(hi),
                std::cmp::Ordering::Greater => hi = start,
            }
        }
        None
    }

    /// The group number and the group of the article `key`.
    fn entry(&self, key: &str) -> Option<(usize, Group)> {
        let line = self.line_of(key)?;
        let mut fields = line.split(|&b| b == b'\t').skip(1);
        let number = std::str::from_utf8(fields.next()?).ok()?.parse().ok()?;
        let size = std::str::from_utf8(fields.next()?).ok()?.parse().ok()?;
        let id: String = serde_json::from_slice(fields.next()?).ok()?;
        Some((number, Group { id, size }))
    }

    /// Computes the groups of what `searcher` sees, from the signatures in the index.
    pub fn compute(searcher: &tantivy::Searcher) -> crate::Result<Self> {
        Ok(Self::new(
            generation(searcher),
            group(signatures(searcher)?),
        ))
    }

    /// The groups of what `searcher` sees: from [`REPRINTS_FILE`] in `dir` when it is of the searcher's
    /// generation, else computed ([`Reprints::compute`]); nothing is written.
    pub fn load(dir: &Path, searcher: &tantivy::Searcher) -> crate::Result<Self> {
        let want = generation(searcher);
        match read_file(dir, Some(&want)) {
            Some(r) => Ok(r),
            None => Self::compute(searcher),
        }
    }

    /// [`Reprints::load`] for the searcher of `idx`, kept in `idx` until its generation changes.
    pub fn load_cached(
        idx: &crate::index::SearchIndex,
        searcher: &tantivy::Searcher,
    ) -> crate::Result<std::sync::Arc<Self>> {
        let want = generation(searcher);
        let mut cache = idx
            .reprints
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(r) = cache.as_ref()
            && r.generation == want
        {
            return Ok(r.clone());
        }
        let loaded = std::sync::Arc::new(Self::load(&idx.dir, searcher)?);
        *cache = Some(loaded.clone());
        Ok(loaded)
    }

    /// The group of the article `key` ([`article_key`]), if it has reprints in the index.
    pub fn group_of(&self, key: &str) -> Option<Group> {
        self.entry(key).map(|(_, g)| g)
    }

    /// The group of the article of `path` and `id` (a hit's), if it has reprints in the index.
    pub fn group_of_article(&self, path: &str, id: &str) -> Option<Group> {
        self.group_of(&article_key(path, id))
    }

    /// Whether there is any group.
    pub fn is_empty(&self) -> bool {
        self.groups == 0
    }

    /// A filter for hits taken best first, as `(path, id)` of their article: true for the articles of no
    /// group, and for the first article seen of each group (all of its passages); false for the others
    /// (the collapsed reprints).
    pub fn one_per_group(&self) -> impl FnMut(&str, &str) -> bool + '_ {
        let mut shown: HashMap<usize, String> = HashMap::new();
        move |path, id| {
            let key = article_key(path, id);
            let Some((g, _)) = self.entry(&key) else {
                return true;
            };
            shown.entry(g).or_insert_with(|| key.clone()) == &key
        }
    }
}

/// What a hit shows of a group id ([`Group::id`], an article key): the article's id (a record's id, a
/// page article's `path#aN`, a file's path).
pub fn shown_id(key: &str) -> &str {
    key.split_once('\u{0}').map_or(key, |(_, id)| id)
}

#[derive(serde::Serialize, serde::Deserialize)]
struct Header {
    format: u32,
    generation: String,
    groups: usize,
}

/// Reads [`REPRINTS_FILE`] (its header line, then the table of [`Reprints`]); None if it is missing,
/// unreadable, of another layout, or (with `want`) of another generation. The table is kept as read.
fn read_file(dir: &Path, want: Option<&str>) -> Option<Reprints> {
    let file = fs::File::open(dir.join(REPRINTS_FILE)).ok()?;
    let len = file.metadata().ok()?.len();
    let bytes = if len == 0 {
        return None;
    } else {
        // SAFETY: only sou writes this file, and always by renaming a new file over it (`write_file`), so
        // the mapped file is never truncated or changed while it is mapped. (Truncating it by hand while a
        // search runs would stop that search with SIGBUS, as it would with tantivy's own mapped segments.)
        Bytes::Mapped(std::sync::Arc::new(
            unsafe { memmap2::Mmap::map(&file) }.ok()?,
        ))
    };
    let end = bytes.iter().position(|&b| b == b'\n')?;
    let header: Header = serde_json::from_slice(&bytes[..end]).ok()?;
    if header.format != FILE_FORMAT || want.is_some_and(|w| w != header.generation) {
        return None;
    }
    if bytes.len() > end + 1 && bytes.last() != Some(&b'\n') {
        // Cut short.
        return None;
    }
    Some(Reprints {
        generation: header.generation,
        groups: header.groups,
        bytes,
        table_at: end + 1,
    })
}

/// The generation [`REPRINTS_FILE`] says it is of, if the file is there and readable.
fn file_generation(dir: &Path) -> Option<String> {
    let f = fs::File::open(dir.join(REPRINTS_FILE)).ok()?;
    let line = std::io::BufReader::new(f).lines().next()?.ok()?;
    let header: Header = serde_json::from_str(&line).ok()?;
    (header.format == FILE_FORMAT).then_some(header.generation)
}

/// Writes `reprints` to [`REPRINTS_FILE`] in `dir` (a temporary file, then renamed).
fn write_file(dir: &Path, reprints: &Reprints) -> crate::Result<()> {
    let path = dir.join(REPRINTS_FILE);
    let tmp = dir.join(format!("{REPRINTS_FILE}.tmp"));
    let io = |e| crate::Error::io(&tmp, e);
    let mut out = std::io::BufWriter::new(fs::File::create(&tmp).map_err(io)?);
    let header = Header {
        format: FILE_FORMAT,
        generation: reprints.generation.clone(),
        groups: reprints.groups,
    };
    serde_json::to_writer(&mut out, &header).map_err(|e| io(e.into()))?;
    out.write_all(b"\n").map_err(io)?;
    out.write_all(reprints.table()).map_err(io)?;
    out.into_inner()
        .map_err(|e| io(e.into_error()))?
        .sync_all()
        .map_err(io)?;
    fs::rename(&tmp, &path).map_err(|e| crate::Error::io(&path, e))
}

/// Brings [`REPRINTS_FILE`] up to date with the index's last commit (after `sou index`): computes the
/// groups unless the file is already of the current generation. Returns the number of groups, or None if
/// the file was up to date.
pub(crate) fn refresh(index: &tantivy::Index, dir: &Path) -> crate::Result<Option<usize>> {
    let reader: tantivy::IndexReader = index
        .reader_builder()
        .reload_policy(tantivy::ReloadPolicy::Manual)
        .try_into()?;
    let searcher = reader.searcher();
    if file_generation(dir).as_deref() == Some(generation(&searcher).as_str()) {
        return Ok(None);
    }
    let reprints = Reprints::compute(&searcher)?;
    write_file(dir, &reprints)?;
    Ok(Some(reprints.groups))
}

#[cfg(test)]
mod tests {
    use super::signature::signature_of_text;
    use super::*;

    fn text(n: usize, seed: u64) -> String {
        let mut rng = fastrand::Rng::with_seed(seed);
        (0..n)
            .map(|_| char::from_u32(0x4E00 + rng.u32(0..8000)).unwrap())
            .collect()
    }

    fn sig(t: &str) -> Signature {
        signature_of_text(t).unwrap()
    }

    #[test]
    fn groups_join_similar_articles_only() {
        let a = text(1000, 1);
        let a_cut: String = a.chars().skip(60).collect(); // similarity 0.94
        let a_half: String = a.chars().take(500).collect(); // 0.5
        let b = text(1000, 2);
        let b_copy = b.clone();
        let c = text(1000, 3);
        let items = vec![
            ("a".to_string(), sig(&a)),
            ("a-cut".to_string(), sig(&a_cut)),
            ("a-half".to_string(), sig(&a_half)),
            ("b".to_string(), sig(&b)),
            ("b-copy".to_string(), sig(&b_copy)),
            ("c".to_string(), sig(&c)),
        ];
        let groups = group(items);
        assert_eq!(
            groups,
            vec![
                vec!["a".to_string(), "a-cut".to_string()],
                vec!["b".to_string(), "b-copy".to_string()],
            ]
        );
    }

    #[test]
    fn threshold_is_the_estimate_at_least_min_similarity() {
        // Cuts of growing size: those the estimate puts at or above 0.8 are grouped with the whole, the
        // others not.
        let a = text(2000, 4);
        for cut in [100, 300, 380, 400, 420, 500, 700] {
            let b: String = a.chars().skip(cut).collect();
            let est = sig(&a).similarity(&sig(&b));
            let grouped = !group(vec![("a".into(), sig(&a)), ("b".into(), sig(&b))]).is_empty();
            assert_eq!(grouped, est >= MIN_SIMILARITY, "cut {cut}: estimate {est}");
        }
        // Well above and well below the threshold.
        let far: String = a.chars().skip(1000).collect();
        assert!(group(vec![("a".into(), sig(&a)), ("b".into(), sig(&far))]).is_empty());
        let near: String = a.chars().skip(50).collect();
        assert_eq!(
            group(vec![("a".into(), sig(&a)), ("b".into(), sig(&near))]).len(),
            1
        );
    }

    #[test]
    fn groups_do_not_depend_on_order_and_are_named_by_their_least_key() {
        let base: Vec<String> = (0..6).map(|i| text(600, 10 + i)).collect();
        let mut items = Vec::new();
        for (i, t) in base.iter().enumerate() {
            for copy in 0..=i % 3 {
                let edited: String = t.chars().skip(copy * 20).collect();
                items.push((format!("k{}-{copy}", 9 - i), sig(&edited)));
            }
        }
        let expected = group(items.clone());
        assert_eq!(expected.len(), 4, "{expected:?}");
        let mut rng = fastrand::Rng::with_seed(99);
        for _ in 0..20 {
            rng.shuffle(&mut items);
            assert_eq!(group(items.clone()), expected);
        }
        for g in &expected {
            assert!(g.windows(2).all(|w| w[0] < w[1]));
        }
        let r = Reprints::new("g".into(), expected);
        let g = r.group_of("k4-2").unwrap();
        assert_eq!((g.id.as_str(), g.size), ("k4-0", 3));
        assert_eq!(r.group_of("k9-0"), None);
    }

    #[test]
    fn chains_make_one_group() {
        // a ~ b and b ~ c, though a and c are less alike: one group.
        let t = text(2000, 20);
        let a: String = t.chars().take(1740).collect();
        let c: String = t.chars().skip(260).collect();
        let (sa, sb, sc) = (sig(&a), sig(&t), sig(&c));
        assert!(sa.similarity(&sc) < MIN_SIMILARITY);
        let g = group(vec![("a".into(), sa), ("b".into(), sb), ("c".into(), sc)]);
        assert_eq!(g, vec![vec!["a", "b", "c"]]);
    }

    #[test]
    fn every_member_is_found_by_the_binary_search_and_nothing_else() {
        // Keys of every length and with characters JSON escapes, in groups of 2 to 5.
        let mut rng = fastrand::Rng::with_seed(7);
        let mut groups: Vec<Vec<String>> = Vec::new();
        let mut n = 0;
        while groups.len() < 700 {
            let size = rng.usize(2..6);
            let mut g: Vec<String> = (0..size)
                .map(|_| {
                    n += 1;
                    let tail = "路径\u{0}\"\\\t"
                        .chars()
                        .take(rng.usize(0..6))
                        .collect::<String>();
                    format!("{}{n}{tail}", "x".repeat(rng.usize(0..40)))
                })
                .collect();
            g.sort();
            groups.push(g);
        }
        let r = Reprints::new("g".into(), groups.clone());
        assert_eq!(r.groups, 700);
        for g in &groups {
            for k in g {
                let found = r.group_of(k).unwrap_or_else(|| panic!("{k:?}"));
                assert_eq!((&found.id, found.size), (&g[0], g.len()));
                assert_eq!(r.group_of(&format!("{k}!")), None);
            }
        }
        assert_eq!(r.group_of("~"), None);
        assert_eq!(Reprints::default().group_of("a"), None);
    }

    #[test]
    fn the_file_round_trips_and_knows_its_generation() {
        let dir = tempfile::tempdir().unwrap();
        let r = Reprints::new(
            "gen1".into(),
            vec![
                vec!["a\u{0}1".into(), "b".into()],
                vec!["c".into(), "d".into()],
            ],
        );
        write_file(dir.path(), &r).unwrap();
        assert_eq!(file_generation(dir.path()).as_deref(), Some("gen1"));
        let back = read_file(dir.path(), Some("gen1")).unwrap();
        assert_eq!(back.groups, 2);
        for r in [&r, &back] {
            for (key, id) in [
                ("a\u{0}1", "a\u{0}1"),
                ("b", "a\u{0}1"),
                ("c", "c"),
                ("d", "c"),
            ] {
                let g = r.group_of(key).unwrap();
                assert_eq!((g.id.as_str(), g.size), (id, 2), "{key}");
            }
            for key in ["", "a", "a\u{0}", "bb", "e", "\u{0}"] {
                assert_eq!(r.group_of(key), None, "{key:?}");
            }
        }
        assert!(read_file(dir.path(), Some("gen2")).is_none());
        fs::write(dir.path().join(REPRINTS_FILE), "garbage").unwrap();
        assert!(read_file(dir.path(), None).is_none());
    }
}
