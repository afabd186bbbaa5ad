//! The one text normalizer, used identically on passages at index time and on queries at search time.
//!
//! Steps, per character of the original text:
//! 1. Unicode NFKC (full-width → half-width, compatibility ideographs → unified, `①` → `1`), applied to each
//!    base character together with the combining marks that follow it;
//! 2. lower-casing (`ＡＰＰＬＥ` → `apple`);
//! 3. traditional → simplified Chinese (`銀行` → `银行`), character by character with `fast2s`'s tables, the
//!    same wherever the character stands ([`simplified`]);
//! 4. hard line breaks between two Han characters are removed (`高新\n技术` → `高新技术`), because Chinese
//!    has no spaces between words and a wrapped line would otherwise split a word;
//! 5. default-ignorable code points are removed (Unicode's `Default_Ignorable_Code_Point` property, from
//!    ICU4X's tables: zero-width spaces and joiners, the soft hyphen, word joiners, variation selectors, a
//!    BOM inside the text…): text pasted from web pages and PDFs carries them inside words (`人工\u{200B}智能`),
//!    where they are invisible to the reader and must be to the search;
//! 6. letter-spaced Han text (`林 晓 看 完`, OCR output) loses its spaces: three or more single Han characters
//!    separated by spaces or tabs are joined (words of two or more characters keep the spaces between them).
//!
//! Every normalized character remembers the range of original characters it came from, so any range in the
//! normalized text maps back to the original text: what the user sees is always the original.
//! Offsets here are in characters, never bytes.

use icu_properties::CodePointSetData;
use icu_properties::props::DefaultIgnorableCodePoint;
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::canonical_combining_class;

/// Normalized text with a map back to the original.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Normalized {
    /// The normalized text.
    pub text: String,
    /// For each char of `text`, the half-open range of original chars it came from.
    origin: Vec<(u32, u32)>,
    /// Number of chars in the original text.
    original_len: usize,
}

impl Normalized {
    /// Number of chars in the normalized text.
    pub fn char_len(&self) -> usize {
        self.origin.len()
    }

    /// Maps a half-open range of normalized chars to the half-open range of original chars it came from.
    /// Out-of-range input is clamped; an empty range maps to an empty range.
    pub fn to_original(&self, start: usize, end: usize) -> (usize, usize) {
        let n = self.origin.len();
        let end = end.min(n);
        if start >= end {
            let at = if start < n {
                self.origin[start].0 as usize
            } else {
                self.original_len
            };
            return (at, at);
        }
        (
            self.origin[start].0 as usize,
            self.origin[end - 1].1 as usize,
        )
    }
}

/// Is `c` a Han (Chinese) character? Covers the unified ideographs, their extensions (non-BMP included),
/// the compatibility ideographs and `〇`.
pub fn is_han(c: char) -> bool {
    matches!(c as u32,
        0x3007
        | 0x3400..=0x4DBF
        | 0x4E00..=0x9FFF
        | 0xF900..=0xFAFF
        | 0x20000..=0x2FA1F
        | 0x30000..=0x323AF)
}

/// Is `c` a kana or hangul letter? These are indexed as characters, never sent to jieba. The punctuation
/// and symbols of those blocks (`・` KATAKANA MIDDLE DOT, `゠`, the sound marks `゛゜`) are not: Unicode's
/// Alphabetic property (`char::is_alphanumeric`) decides, so that `艾琳・德・蒙特` has the same words as
/// `艾琳·德·蒙特`.
pub fn is_other_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF | 0x31F0..=0x31FF | 0x1100..=0x11FF | 0x3130..=0x318F | 0xAC00..=0xD7AF)
        && c.is_alphanumeric()
}

/// Is `c` a Latin-run character (a letter or digit that is not CJK)?
pub fn is_latin(c: char) -> bool {
    c.is_alphanumeric() && !is_han(c) && !is_other_cjk(c)
}

/// Is `c` part of a word (indexed), as opposed to punctuation, symbols and spaces (not indexed)?
pub fn is_word_char(c: char) -> bool {
    // The cheap range tests first: most characters of Chinese text are Han.
    c.is_ascii_alphanumeric() || is_han(c) || is_other_cjk(c) || c.is_alphanumeric()
}

/// Is `c` a default-ignorable code point (invisible in rendering; removed by [`normalize`])?
pub fn is_ignorable(c: char) -> bool {
    !c.is_ascii() && CodePointSetData::new::<DefaultIgnorableCodePoint>().contains(c)
}

include!(concat!(env!("OUT_DIR"), "/t2s.rs"));

/// The simplified form of `c`: fast2s's conversion of `c` standing alone (build.rs tabulates it), the same
/// wherever `c` stands. (fast2s itself keeps 乾 in 乾隆 and turns it into 干 alone; a normalizer that
/// depends on neighbours makes a substring of a text normalize to something that is not a substring of the
/// normalized text, and `"建于乾"` would miss `始建于乾隆`.)
pub fn simplified(c: char) -> char {
    if (c as u32) < 0x800 {
        return c;
    }
    match T2S.binary_search_by_key(&c, |&(t, _)| t) {
        Ok(i) => T2S[i].1,
        Err(_) => c,
    }
}

/// Normalizes `original` (see the module docs).
pub fn normalize(original: &str) -> Normalized {
    let mut text = String::with_capacity(original.len());
    let mut origin: Vec<(u32, u32)> = Vec::with_capacity(original.len() / 2);
    let chars: Vec<char> = original.chars().collect();
    let mut i = 0;
    let mut unit = String::new();
    while i < chars.len() {
        let c = chars[i];
        // A unit is a character plus the combining marks after it, so that NFKC can compose them.
        let mut j = i + 1;
        while j < chars.len() && canonical_combining_class(chars[j]) != 0 {
            j += 1;
        }
        let span = (i as u32, j as u32);
        if is_ignorable(c) {
            // Dropped with any marks it carries: the next character's range starts after it, so a match
            // across it maps back to an original range that includes it.
        } else if j == i + 1 && c.is_ascii() {
            let l = c.to_ascii_lowercase();
            text.push(l);
            origin.push(span);
        } else if j == i + 1 && (is_han(c) && !(0xF900..=0xFAFF).contains(&(c as u32))) {
            // Unified ideographs are NFKC-stable and have no case.
            text.push(c);
            origin.push(span);
        } else {
            unit.clear();
            unit.extend(&chars[i..j]);
            for n in unit.nfkc().filter(|n| !is_ignorable(*n)) {
                for l in n.to_lowercase() {
                    text.push(l);
                    origin.push(span);
                }
            }
        }
        i = j;
    }
    // Traditional → simplified, one char for one (so `origin` stays valid), whatever its neighbours.
    if text.chars().any(|c| simplified(c) != c) {
        text = text.chars().map(simplified).collect();
    }
    let (text, origin) = join_wrapped_lines(text, origin);
    let (text, origin) = join_spaced_han(text, origin);
    Normalized {
        text,
        origin,
        original_len: chars.len(),
    }
}

/// Removes the spaces of letter-spaced Han text (OCR output: `林 晓 看 完 资 料`): in a run of three or more
/// single Han characters, each separated from the next by spaces or tabs, the spaces go. Spaces between
/// words of two or more characters (`新华社 北京`) stay.
fn join_spaced_han(text: String, origin: Vec<(u32, u32)>) -> (String, Vec<(u32, u32)>) {
    // Most passages have no such run: don't copy them into a Vec of chars to find out. (NFKC has turned
    // U+3000 into a space already.)
    if !text.contains([' ', '\t']) {
        return (text, origin);
    }
    let chars: Vec<char> = text.chars().collect();
    let n = chars.len();
    let is_gap = |c: char| c == ' ' || c == '\t';
    // A single Han character at `i`: Han, with no Han character right before or after it.
    let single = |i: usize| {
        is_han(chars[i])
            && (i == 0 || !is_han(chars[i - 1]))
            && (i + 1 == n || !is_han(chars[i + 1]))
    };
    let mut drop = vec![false; n];
    let mut any = false;
    let mut i = 0;
    while i < n {
        if !single(i) {
            i += 1;
            continue;
        }
        // Extend the run: gap, single Han character, gap, …
        let mut last = i;
        let mut count = 1;
        loop {
            let mut k = last + 1;
            while k < n && is_gap(chars[k]) {
                k += 1;
            }
            if k == last + 1 || k >= n || !single(k) {
                break;
            }
            last = k;
            count += 1;
        }
        if count >= 3 {
            for (d, c) in drop[i..last].iter_mut().zip(&chars[i..last]) {
                *d = is_gap(*c);
            }
            any = true;
        }
        i = last + 1;
    }
    if !any {
        return (text, origin);
    }
    let mut out = String::with_capacity(text.len());
    let mut out_origin = Vec::with_capacity(origin.len());
    for (k, c) in chars.into_iter().enumerate() {
        if !drop[k] {
            out.push(c);
            out_origin.push(origin[k]);
        }
    }
    (out, out_origin)
}

/// Removes whitespace runs that contain a line break and sit between two Han characters.
fn join_wrapped_lines(text: String, origin: Vec<(u32, u32)>) -> (String, Vec<(u32, u32)>) {
    if !text.contains('\n') {
        return (text, origin);
    }
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut out_origin = Vec::with_capacity(origin.len());
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_whitespace() {
            let mut j = i;
            let mut has_newline = false;
            while j < chars.len() && chars[j].is_whitespace() {
                has_newline |= chars[j] == '\n';
                j += 1;
            }
            let between_han = i > 0 && j < chars.len() && is_han(chars[i - 1]) && is_han(chars[j]);
            if !(has_newline && between_han) {
                for k in i..j {
                    out.push(chars[k]);
                    out_origin.push(origin[k]);
                }
            }
            i = j;
        } else {
            out.push(chars[i]);
            out_origin.push(origin[i]);
            i += 1;
        }
    }
    (out, out_origin)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(s: &str) -> String {
        normalize(s).text
    }

    #[test]
    fn width_case_and_script_fold() {
        assert_eq!(norm("ＡＰＰＬＥ公司"), "apple公司");
        assert_eq!(norm("Ｃ１２３号"), "c123号");
        assert_eq!(norm("記者從銀行獲悉"), "记者从银行获悉");
        assert_eq!(norm("頭髮"), "头发");
        assert_eq!(norm("青島"), "青岛");
        assert_eq!(norm("COVID-19"), "covid-19");
        // Already-normalized simplified text is unchanged.
        let s = "青岛市工研院累计培育科技型中小企业超过100家";
        assert_eq!(norm(s), s);
    }

    #[test]
    fn a_character_folds_the_same_wherever_it_stands() {
        // fast2s alone keeps 乾 in 乾隆 and folds it to 干 elsewhere; the normalizer folds it alike.
        let text = "这座园林始建于乾隆年间";
        let n = norm(text);
        let chars: Vec<char> = text.chars().collect();
        // Every substring normalizes to a substring of the normalized text.
        for a in 0..chars.len() {
            for b in a + 1..=chars.len() {
                let sub: String = chars[a..b].iter().collect();
                assert!(
                    n.contains(&norm(&sub)),
                    "{sub:?} -> {:?} not in {n:?}",
                    norm(&sub)
                );
            }
        }
        assert_eq!(norm("乾"), norm("乾隆").chars().next().unwrap().to_string());
        // Variants of one character that PDF copies and old encodings put in place of the usual one: a
        // Kangxi radical (U+2F08 ⼈) and a CJK compatibility ideograph (U+F900) fold by NFKC.
        assert_eq!(norm("\u{2F08}民"), "人民");
        assert_eq!(norm("\u{F900}"), norm("\u{8C48}"));
    }

    #[test]
    fn idempotent() {
        for s in [
            "ＡＰＰＬＥ銀行①Ⅱ",
            "café ＣＡＦＥ\u{0301}",
            "高新\n技术",
            "王𨨏𠮷",
        ] {
            let once = norm(s);
            assert_eq!(norm(&once), once, "{s}");
        }
    }

    #[test]
    fn expansion_maps_back_to_the_source_char() {
        // ① → "1", Ⅱ → "ii", … → "..."
        let n = normalize("第Ⅱ期…①");
        assert_eq!(n.text, "第ii期...1");
        assert_eq!(n.to_original(1, 3), (1, 2)); // "ii" ← "Ⅱ"
        assert_eq!(n.to_original(4, 7), (3, 4)); // "..." ← "…"
        assert_eq!(n.to_original(7, 8), (4, 5));
    }

    #[test]
    fn combining_marks_compose() {
        let n = normalize("cafe\u{0301}!");
        assert_eq!(n.text, "café!");
        assert_eq!(n.to_original(3, 4), (3, 5));
        assert_eq!(n.to_original(4, 5), (5, 6));
    }

    #[test]
    fn wrapped_lines_between_han_are_joined() {
        let n = normalize("高新\r\n技术 企业\nABC");
        assert_eq!(n.text, "高新技术 企业\nabc");
        // 技 is original char 4 (after 高新\r\n).
        assert_eq!(n.to_original(2, 4), (4, 6));
        assert_eq!(n.to_original(0, 4), (0, 6));
    }

    #[test]
    fn non_bmp_characters_survive() {
        let n = normalize("王𨨏在Ｃ１２３号");
        assert_eq!(n.text, "王𨨏在c123号");
        assert_eq!(n.char_len(), 8);
        assert_eq!(n.to_original(1, 2), (1, 2));
        assert!(is_han('𨨏') && is_han('𠮷'));
    }

    #[test]
    fn to_original_is_total() {
        let n = normalize("ab");
        assert_eq!(n.to_original(5, 9), (2, 2));
        assert_eq!(n.to_original(1, 1), (1, 1));
        assert_eq!(n.to_original(1, 0), (1, 1));
        let e = normalize("");
        assert_eq!(e.to_original(0, 3), (0, 0));
    }

    #[test]
    fn char_classes() {
        assert!(is_word_char('中') && is_word_char('a') && is_word_char('7') && is_word_char('カ'));
        assert!(
            !is_word_char('，') && !is_word_char('。') && !is_word_char(' ') && !is_word_char('-')
        );
        assert!(is_other_cjk('한') && !is_han('한'));
    }

    #[test]
    fn default_ignorables_are_removed_and_mapped_back() {
        let n = normalize("人工\u{200B}智能，区块\u{00AD}链\u{FE0F}");
        assert_eq!(n.text, "人工智能,区块链");
        // 人工智能 (normalized 0..4) is original 0..5, the zero-width space included.
        assert_eq!(n.to_original(0, 4), (0, 5));
        // A variation selector goes with the character it follows.
        assert_eq!(n.to_original(5, 8), (6, 10));
        assert!(is_ignorable('\u{200D}') && is_ignorable('\u{2060}') && is_ignorable('\u{FEFF}'));
        assert!(!is_ignorable(' ') && !is_ignorable('\u{3000}') && !is_ignorable('中'));
    }

    #[test]
    fn letter_spaced_han_is_joined_and_words_keep_their_spaces() {
        let n = normalize("林 晓 看 完 资 料 后 ， 理 清 了 思 路");
        assert_eq!(n.text, "林晓看完资料后 , 理清了思路");
        // 思路 (normalized 13..15) maps back to `思 路`.
        assert_eq!(n.to_original(13, 15), (22, 25));
        assert_eq!(normalize("新华社 北京 电").text, "新华社 北京 电");
        assert_eq!(normalize("王 伟").text, "王 伟");
        assert_eq!(normalize("甲 乙 丙").text, "甲乙丙");
        assert_eq!(normalize("a 甲 乙 丙 b").text, "a 甲乙丙 b");
    }
}
