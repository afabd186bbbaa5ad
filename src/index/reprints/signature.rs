//! An article's MinHash signature: one-permutation hashing with optimal densification over the article
//! body's character shingles.
//!
//! - **Text.** The article's body: its passages from the lead on (headings, kickers and bylines before the
//!   body are left out; the title is no passage), with the dateline that starts a lead cut off
//!   ([`crate::corpus::dateline::parse_dateline`], read in simplified script). Each character is folded as
//!   the normalizer folds it where it matters for reprints (full-width ASCII to ASCII, ASCII upper to lower
//!   case, traditional to simplified script, [`crate::text::normalize::simplified`]), and only word
//!   characters are kept ([`crate::text::normalize::is_word_char`]): punctuation, spaces and line breaks do not
//!   count, and shingles run on across them and across passages.
//! - **Shingles.** Every run of [`SHINGLE_CHARS`] consecutive kept characters (characters, not bytes), hashed
//!   to 64 bits by a fixed function (the same on every machine and in every version of this format).
//! - **Signature.** The hash's top 8 bits choose one of [`BINS`] bins and each bin keeps the least value of
//!   the hash's low 32 bits (one-permutation hashing, Li, Owen and Zhang 2012); an empty bin takes the value
//!   of a bin chosen by a hash of its number and an attempt counter until one is not empty (optimal
//!   densification, Shrivastava 2017). Only the low 8 bits of each bin's value are kept (b-bit MinHash, Li
//!   and König 2010): two articles' bins agree with probability J + (1 - J)/256 for shingle sets of Jaccard
//!   similarity J, which [`Signature::similarity`] corrects for. For the same 256 bytes, 256 bins of 8 bits
//!   estimate J near 0.8 with a standard error of about 0.025, 128 bins of 16 bits with 0.035.
//!
//! Computing one costs one hash per character of the body, whatever [`BINS`] is.

use crate::corpus::Passage;
use crate::text::normalize::{is_word_char, simplified};

/// Characters per shingle.
pub const SHINGLE_CHARS: usize = 5;
/// Bins (values) of a signature.
pub const BINS: usize = 256;
/// Bytes of a signature on disk: one a bin.
pub const SIGNATURE_BYTES: usize = BINS;

/// A signature: [`BINS`] 8-bit values (see the module docs).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Signature(pub [u8; BINS]);

impl Signature {
    /// The on-disk form: [`SIGNATURE_BYTES`] bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        self.0.to_vec()
    }

    /// Reads the on-disk form; None if `bytes` is not [`SIGNATURE_BYTES`] long.
    pub fn from_bytes(bytes: &[u8]) -> Option<Signature> {
        if bytes.len() != SIGNATURE_BYTES {
            return None;
        }
        bytes.try_into().ok().map(Signature)
    }

    /// The estimated Jaccard similarity of the two articles' shingle sets, 0.0 to 1.0: the share of bins
    /// that agree, less the share that agree by chance (1/256 of the others).
    pub fn similarity(&self, other: &Signature) -> f64 {
        let same = self.0.iter().zip(&other.0).filter(|(a, b)| a == b).count();
        let p = same as f64 / BINS as f64;
        let chance = 1.0 / 256.0;
        ((p - chance) / (1.0 - chance)).clamp(0.0, 1.0)
    }
}

/// How a character counts in a shingle: full-width ASCII as ASCII, upper-case ASCII as lower-case,
/// traditional as simplified script. None for characters that are no word characters.
pub fn fold(c: char) -> Option<char> {
    let c = match c as u32 {
        u @ 0xFF01..=0xFF5E => char::from_u32(u - 0xFEE0).unwrap_or(c),
        _ => c,
    };
    let c = simplified(c.to_ascii_lowercase());
    is_word_char(c).then_some(c)
}

/// Builds the signature of one article from its passages, in order ([`Shingler::passage`]) or from plain
/// text ([`Shingler::text`]).
#[derive(Debug, Clone)]
pub struct Shingler {
    window: [u32; SHINGLE_CHARS],
    filled: usize,
    mins: [u32; BINS],
    seen: [bool; BINS],
    in_body: bool,
}

impl Default for Shingler {
    fn default() -> Self {
        Shingler {
            window: [0; SHINGLE_CHARS],
            filled: 0,
            mins: [u32::MAX; BINS],
            seen: [false; BINS],
            in_body: false,
        }
    }
}

impl Shingler {
    /// A shingler with nothing read.
    pub fn new() -> Self {
        Self::default()
    }

    /// Reads the next passage of the article: nothing before the first lead; a lead without its dateline.
    pub fn passage(&mut self, p: &Passage) {
        if p.lead {
            self.in_body = true;
            let simplified_text: String = p
                .text
                .chars()
                .take(crate::corpus::dateline::WINDOW + 1)
                .map(simplified)
                .collect();
            let skip =
                crate::corpus::dateline::parse_dateline(&simplified_text).map_or(0, |d| d.len);
            self.text_chars(p.text.chars().skip(skip));
        } else if self.in_body {
            self.text(&p.text);
        }
    }

    /// Reads `text` as more of the body.
    pub fn text(&mut self, text: &str) {
        self.text_chars(text.chars());
    }

    fn text_chars(&mut self, chars: impl Iterator<Item = char>) {
        for c in chars.filter_map(fold) {
            self.window.copy_within(1.., 0);
            self.window[SHINGLE_CHARS - 1] = c as u32;
            if self.filled < SHINGLE_CHARS {
                self.filled += 1;
            }
            if self.filled == SHINGLE_CHARS {
                self.add(shingle_hash(&self.window));
            }
        }
    }

    fn add(&mut self, h: u64) {
        let bin = (h >> 56) as usize;
        let v = h as u32;
        self.seen[bin] = true;
        if v < self.mins[bin] {
            self.mins[bin] = v;
        }
    }

    /// The signature of what was read; None if its shingles fill fewer than [`MIN_BINS`] bins (a body of
    /// fewer than about 20 word characters): from so few, two bodies that differ in a word would look alike,
    /// so a short brief is never anyone's reprint.
    pub fn finish(&self) -> Option<Signature> {
        if self.seen.iter().filter(|&&s| s).count() < MIN_BINS {
            return None;
        }
        let mut out = [0u8; BINS];
        for (i, slot) in out.iter_mut().enumerate() {
            let mut from = i;
            let mut attempt = 0u64;
            while !self.seen[from] {
                attempt += 1;
                from = (mix(((i as u64) << 32) ^ attempt ^ DENSIFY_SEED) % BINS as u64) as usize;
            }
            *slot = self.mins[from] as u8;
        }
        Some(Signature(out))
    }
}

/// The signature of `text` read as an article's whole body (no dateline cut).
pub fn signature_of_text(text: &str) -> Option<Signature> {
    let mut s = Shingler::new();
    s.text(text);
    s.finish()
}

/// The fewest bins that an article's shingles must fill for it to have a signature ([`Shingler::finish`]).
pub const MIN_BINS: usize = 16;

const SHINGLE_SEED: u64 = 0x736f_7520_7265_7072; // "sou repr"
const DENSIFY_SEED: u64 = 0x6465_6e73_6966_7921;

fn shingle_hash(w: &[u32; SHINGLE_CHARS]) -> u64 {
    // A character is at most 21 bits: three fit in one word, two in another.
    let a = u64::from(w[0]) | u64::from(w[1]) << 21 | u64::from(w[2]) << 42;
    let b = u64::from(w[3]) | u64::from(w[4]) << 21;
    mix(a ^ mix(b ^ SHINGLE_SEED))
}

/// MurmurHash3's 64-bit finalizer (a bijection that mixes every input bit into every output bit).
fn mix(mut x: u64) -> u64 {
    x ^= x >> 33;
    x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
    x ^= x >> 33;
    x = x.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    x ^= x >> 33;
    x
}

/// The exact Jaccard similarity of two texts' shingle sets (as [`signature_of_text`] reads them), 0.0 to
/// 1.0; for tests and measurement.
pub fn exact_similarity(a: &str, b: &str) -> f64 {
    let set = |t: &str| {
        let chars: Vec<char> = t.chars().filter_map(fold).collect();
        chars
            .windows(SHINGLE_CHARS)
            .map(|w| w.iter().collect::<String>())
            .collect::<std::collections::HashSet<String>>()
    };
    let (x, y) = (set(a), set(b));
    let union = x.union(&y).count();
    if union == 0 {
        return 0.0;
    }
    x.intersection(&y).count() as f64 / union as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(n: usize, seed: u64) -> String {
        // Distinct Han characters in a seeded order: no shingle repeats by chance.
        let mut rng = fastrand::Rng::with_seed(seed);
        (0..n)
            .map(|_| char::from_u32(0x4E00 + rng.u32(0..8000)).unwrap())
            .collect()
    }

    #[test]
    fn shingles_count_characters_not_bytes() {
        // The bins a text's shingles fill: 5 Han characters (15 bytes) make one shingle; 4 make none.
        let bins = |t: &str| {
            let mut s = Shingler::new();
            s.text(t);
            s.seen.iter().filter(|&&b| b).count()
        };
        assert_eq!(bins("国务院总理"), 1);
        assert_eq!(bins("国务院总"), 0);
        assert_eq!(bins("abcde"), 1);
        // Characters beyond the BMP are one character each.
        assert_eq!(bins("𨨏𨨏𨨏𨨏𨨏"), 1);
        assert_eq!(bins("𨨏𨨏𨨏𨨏"), 0);
        // Punctuation and spaces don't count.
        assert_eq!(bins("国，务 院。总"), 0);
    }

    #[test]
    fn short_bodies_have_no_signature() {
        // Too few shingles to tell two short briefs apart: no signature, never a reprint.
        assert!(signature_of_text(&text(12, 9)).is_none());
        assert!(signature_of_text(&text(16, 9)).is_none());
        assert!(signature_of_text(&text(40, 9)).is_some());
    }

    #[test]
    fn folding_makes_edits_equal() {
        // (After enough text for a signature.)
        let pad = text(60, 11);
        let a = format!("{pad}2023年10月18日國務院總理在北京會見ABC代表團");
        let b = format!("{pad}２０２３年10月18日国务院总理在北京会见abc代表团");
        assert!(signature_of_text(&a).is_some());
        assert_eq!(signature_of_text(&a), signature_of_text(&b));
        assert_eq!(exact_similarity(&a, &b), 1.0);
        assert_eq!(
            signature_of_text(&format!("{pad}同，一句话。")),
            signature_of_text(&format!("{pad}同一句话"))
        );
    }

    #[test]
    fn bytes_round_trip() {
        let s = signature_of_text(&text(300, 1)).unwrap();
        assert_eq!(s.to_bytes().len(), SIGNATURE_BYTES);
        assert_eq!(Signature::from_bytes(&s.to_bytes()), Some(s));
        assert_eq!(Signature::from_bytes(&[0; 3]), None);
    }

    #[test]
    fn estimates_follow_the_exact_similarity() {
        // An article and a copy with a share of it cut: the estimate is within 0.12 of the exact value.
        for (seed, keep) in [(2, 0.95), (3, 0.9), (4, 0.8), (5, 0.6), (6, 0.3)] {
            let a = text(1500, seed);
            let cut = (1500.0 * keep) as usize;
            let b: String = a.chars().take(cut).collect();
            let exact = exact_similarity(&a, &b);
            let est = signature_of_text(&a)
                .unwrap()
                .similarity(&signature_of_text(&b).unwrap());
            assert!(
                (exact - est).abs() < 0.12,
                "keep {keep}: exact {exact}, est {est}"
            );
        }
        // Unrelated texts share (almost) nothing; a short text's bins are densified, not empty.
        let x = signature_of_text(&text(800, 7)).unwrap();
        let y = signature_of_text(&text(800, 8)).unwrap();
        assert!(x.similarity(&y) < 0.05);
        let short = signature_of_text(&text(60, 9)).unwrap();
        assert_eq!(short.similarity(&short), 1.0);
        assert!(short.similarity(&x) < 0.05);
    }

    #[test]
    fn datelines_and_what_precedes_the_lead_are_left_out() {
        let body = text(400, 10);
        let passage = |text: &str, lead: bool| Passage {
            path: "a.jsonl".into(),
            ordinal: 0,
            start: 0,
            end: 0,
            title: String::new(),
            title_is_id: false,
            text: text.into(),
            id: "a".into(),
            date: None,
            line: None,
            lead,
            headline: false,
            pieces: Vec::new(),
            about: Default::default(),
        };
        let sig = |ps: &[Passage]| {
            let mut s = Shingler::new();
            for p in ps {
                s.passage(p);
            }
            s.finish().unwrap()
        };
        let plain = sig(&[passage(&body, true)]);
        let wire = sig(&[
            passage("◎本报记者 张三", false),
            passage(&format!("新华社北京10月18日电（记者李四）{body}"), true),
        ]);
        let cctv = sig(&[passage(&format!("央视网消息（新闻联播）：{body}"), true)]);
        assert_eq!(plain, wire);
        assert_eq!(plain, cctv);
    }
}
