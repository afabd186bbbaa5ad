//! A web page's bytes to text: the encoding a BOM, the transport (an MHTML part's `charset`) or the page's
//! own `<meta>` declares, else the one detected, decoded strictly enough that mojibake is refused.

use encoding_rs::{DecoderResult, Encoding};

use super::super::document::ExtractError;

/// How many bytes at the start of a page are searched for a `<meta>` charset declaration (browsers look at
/// the first 1024; saved pages often have long `<head>`s, so more).
pub const PRESCAN_BYTES: usize = 8192;

/// Decoding errors tolerated per this many input bytes (a stray byte in an otherwise clean legacy page);
/// more means the encoding is wrong, and the page would be indexed as mojibake.
pub const BYTES_PER_TOLERATED_ERROR: usize = 4096;

/// The decoded text of a page and the encoding's name (`GBK`, `UTF-8`, …).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodedPage {
    /// The text, BOM removed, any tolerated malformed sequence dropped.
    pub text: String,
    /// The WHATWG name of the encoding used (`GBK` for a page declaring GB2312, as browsers do).
    pub encoding: &'static str,
}

/// Decodes a page. The order is a browser's: a BOM; then `transport` (an MHTML part's `charset`
/// parameter), then a `<meta charset>` or `<meta http-equiv="Content-Type" content="…; charset=…">` in
/// the first [`PRESCAN_BYTES`] bytes, labels resolved by the WHATWG Encoding Standard (`gb2312` is GBK);
/// then valid UTF-8; then chardetng's guess (but GBK or Big5 before a single-byte guess when the bytes
/// read as Chinese in them). One exception to a browser's order: non-ASCII bytes that are
/// valid UTF-8 are read as UTF-8 whatever is declared (UTF-8 Chinese decodes as GBK mojibake, often
/// without an error; GBK text is practically never valid UTF-8). A declared encoding that does not decode the bytes (a
/// template's `utf-8` on a GBK page) gives way to detection; a declared Latin-1/windows-1252 on bytes
/// chardetng finds to be GBK or Big5 gives way too. A truncated last character is dropped.
///
/// # Errors
/// [`ExtractError::Undecodable`] when no encoding decodes the bytes with at most one error per
/// [`BYTES_PER_TOLERATED_ERROR`] bytes (one at least).
pub fn decode_page(bytes: &[u8], transport: Option<&str>) -> Result<DecodedPage, ExtractError> {
    if let Some((encoding, bom)) = Encoding::for_bom(bytes) {
        let body = &bytes[bom..];
        let tolerated = (body.len() / BYTES_PER_TOLERATED_ERROR).max(1);
        return decode_with(encoding, body, tolerated).ok_or_else(|| {
            ExtractError::Undecodable(format!(
                "has a {} BOM but is not valid {0}",
                encoding.name()
            ))
        });
    }
    let declared = transport
        .and_then(|l| Encoding::for_label(l.trim().as_bytes()))
        .or_else(|| meta_charset(&bytes[..bytes.len().min(PRESCAN_BYTES)]))
        // A page cannot declare UTF-16 in ASCII (WHATWG: such a declaration means UTF-8).
        .map(|e| {
            if e == encoding_rs::UTF_16LE || e == encoding_rs::UTF_16BE {
                encoding_rs::UTF_8
            } else {
                e
            }
        });
    // Non-ASCII bytes that are valid UTF-8 are UTF-8 whatever a copied template declares: legacy CJK text
    // is practically never valid UTF-8, while UTF-8 Chinese often decodes as GBK without an error (as
    // mojibake: 涓枃).
    if !bytes.is_ascii()
        && let Ok(text) = std::str::from_utf8(bytes)
    {
        return Ok(DecodedPage {
            text: text.to_string(),
            encoding: encoding_rs::UTF_8.name(),
        });
    }
    if bytes.is_ascii() {
        // Every encoding a page may declare reads ASCII as ASCII.
        return Ok(DecodedPage {
            text: String::from_utf8_lossy(bytes).into_owned(),
            encoding: declared.unwrap_or(encoding_rs::UTF_8).name(),
        });
    }
    // chardetng reads every byte: only when the declaration is not enough.
    let guess_cell = std::cell::OnceCell::new();
    let guess = || *guess_cell.get_or_init(|| detected(bytes));
    let tolerated = (bytes.len() / BYTES_PER_TOLERATED_ERROR).max(1);
    let latin1 = encoding_rs::WINDOWS_1252;
    // 1. The declared encoding, strictly, then with a few errors tolerated (a damaged byte); not Latin-1
    // (windows-1252 decodes any byte) on bytes chardetng finds to be something else.
    if let Some(d) = declared
        && (d != latin1 || guess().is_none_or(|g| g == latin1))
    {
        for tolerance in [0, tolerated] {
            if let Some(page) = decode_with(d, bytes, tolerance) {
                return Ok(page);
            }
        }
    }
    // 2. Undeclared bytes chardetng takes for a single-byte encoding (which reads any byte, as
    // mojibake) but that read as Chinese, GBK or Big5, with a few errors at most: a damaged byte in a
    // GBK page is enough to make chardetng rule GBK out.
    if declared.is_none() && guess().is_some_and(|g| g.is_single_byte()) {
        for cjk in [encoding_rs::GBK, encoding_rs::BIG5] {
            if let Some(page) = decode_with(cjk, bytes, tolerated)
                && mostly_chinese(&page.text)
            {
                return Ok(page);
            }
        }
    }
    // 3. The detected encoding, UTF-8, GBK; not a single-byte guess on a page declared Chinese (or
    // Japanese, Korean): too damaged to read, it would be indexed as Latin mojibake.
    let cjk_declared = declared.is_some_and(|d| {
        [
            encoding_rs::GBK,
            encoding_rs::GB18030,
            encoding_rs::BIG5,
            encoding_rs::SHIFT_JIS,
            encoding_rs::EUC_JP,
            encoding_rs::EUC_KR,
        ]
        .contains(&d)
    });
    let guess = guess().filter(|g| !(cjk_declared && g.is_single_byte()));
    let mut candidates: Vec<&'static Encoding> = guess.into_iter().collect();
    candidates.extend([encoding_rs::UTF_8, encoding_rs::GBK]);
    for tolerance in [0, tolerated] {
        for &encoding in &candidates {
            if let Some(page) = decode_with(encoding, bytes, tolerance) {
                return Ok(page);
            }
        }
    }
    let guess = guess.unwrap_or(encoding_rs::UTF_8);
    Err(ExtractError::Undecodable(format!(
        "{}neither UTF-8 nor {} (the detected encoding)",
        declared.map_or(String::new(), |e| format!(
            "not the declared {}, ",
            e.name()
        )),
        guess.name()
    )))
}

/// Whether decoded text reads as Chinese: at least 8 non-ASCII characters, nine in ten of them CJK
/// ideographs or full-width punctuation (a Latin page read as GBK turns its few accented letters into
/// ideographs, but not many, and with decoding errors around them).
fn mostly_chinese(text: &str) -> bool {
    let (mut wide, mut other) = (0usize, 0usize);
    for c in text.chars().filter(|c| !c.is_ascii()) {
        if super::blocks::is_wide(c) {
            wide += 1;
        } else {
            other += 1;
        }
    }
    wide >= 8 && wide >= 9 * other
}

/// chardetng's guess for bytes that are not UTF-8 (`None` when it guesses UTF-8).
fn detected(bytes: &[u8]) -> Option<&'static Encoding> {
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    detector.feed(bytes, true);
    let guess = detector.guess(None, chardetng::Utf8Detection::Deny);
    (guess != encoding_rs::UTF_8).then_some(guess)
}

/// Decodes `bytes` with `encoding`, tolerating `tolerated` malformed sequences (dropped) and a character
/// cut by the end of the bytes; `None` when there are more errors than that.
fn decode_with(encoding: &'static Encoding, bytes: &[u8], tolerated: usize) -> Option<DecodedPage> {
    let mut decoder = encoding.new_decoder_without_bom_handling();
    let mut out = String::with_capacity(bytes.len() + bytes.len() / 2);
    let mut src = bytes;
    let mut errors = 0usize;
    loop {
        let room = decoder
            .max_utf8_buffer_length_without_replacement(src.len())
            .unwrap_or(src.len() * 3 + 16);
        out.reserve(room);
        let (result, read) = decoder.decode_to_string_without_replacement(src, &mut out, true);
        src = &src[read..];
        match result {
            DecoderResult::InputEmpty => break,
            DecoderResult::OutputFull => {}
            DecoderResult::Malformed(..) => {
                // A sequence cut by the end of the file (a truncated download) is not an error.
                if src.is_empty() {
                    break;
                }
                errors += 1;
                if errors > tolerated {
                    return None;
                }
            }
        }
    }
    Some(DecodedPage {
        text: out,
        encoding: encoding.name(),
    })
}

/// The encoding a `<meta>` in `head` declares: `<meta charset="…">` or `<meta http-equiv="Content-Type"
/// content="text/html; charset=…">` (any case, any attribute order), the first that names a known label.
fn meta_charset(head: &[u8]) -> Option<&'static Encoding> {
    let lower: Vec<u8> = head.iter().map(u8::to_ascii_lowercase).collect();
    let mut at = 0;
    while let Some(i) = find(&lower[at..], b"<meta") {
        let start = at + i + 5;
        let end = lower[start..]
            .iter()
            .position(|&b| b == b'>')
            .map_or(lower.len(), |e| start + e);
        let tag = &lower[start..end];
        if let Some(c) = find(tag, b"charset") {
            let rest = &tag[c + 7..];
            let rest = trim_start(rest);
            if let Some(rest) = rest.strip_prefix(b"=") {
                let rest = trim_start(rest);
                let rest = rest
                    .strip_prefix(b"\"")
                    .or_else(|| rest.strip_prefix(b"'"))
                    .unwrap_or(rest);
                let len = rest
                    .iter()
                    .position(|&b| matches!(b, b'"' | b'\'' | b';' | b' ' | b'/' | b'>' | b'\t'))
                    .unwrap_or(rest.len());
                if let Some(e) = Encoding::for_label(&rest[..len]) {
                    return Some(e);
                }
            }
        }
        at = end;
    }
    None
}

fn trim_start(b: &[u8]) -> &[u8] {
    let i = b
        .iter()
        .position(|c| !c.is_ascii_whitespace())
        .unwrap_or(b.len());
    &b[i..]
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gbk(s: &str) -> Vec<u8> {
        encoding_rs::GBK.encode(s).0.into_owned()
    }

    #[test]
    fn gb2312_declared_is_read_as_gbk() {
        // 镕 is in GBK, not in GB2312: a browser reads a "GB2312" page as GBK, so must we.
        let page = gbk("<meta charset=GB2312><p>朱镕基</p>");
        let d = decode_page(&page, None).unwrap();
        assert_eq!(d.encoding, "GBK");
        assert!(d.text.contains("朱镕基"));
        let page = gbk(
            r#"<META HTTP-EQUIV="Content-Type" CONTENT="text/html; charset=gb2312"><p>新闻</p>"#,
        );
        assert!(decode_page(&page, None).unwrap().text.contains("新闻"));
    }

    #[test]
    fn undeclared_gbk_is_detected() {
        let page = gbk(
            "<html><body><p>中华人民共和国国务院新闻办公室今天举行新闻发布会，介绍经济运行情况。</p></body></html>",
        );
        let d = decode_page(&page, None).unwrap();
        assert_eq!(d.encoding, "GBK");
        assert!(d.text.contains("新闻发布会"));
    }

    #[test]
    fn bom_wins_over_a_wrong_declaration() {
        let mut page = b"\xef\xbb\xbf".to_vec();
        page.extend("<meta charset=gbk><p>新闻</p>".as_bytes());
        let d = decode_page(&page, None).unwrap();
        assert_eq!(d.encoding, "UTF-8");
        assert_eq!(d.text, "<meta charset=gbk><p>新闻</p>");
    }

    #[test]
    fn a_wrong_declaration_gives_way_to_detection() {
        let page =
            gbk("<meta charset=utf-8><p>中华人民共和国国务院新闻办公室今天举行新闻发布会。</p>");
        assert!(
            decode_page(&page, None)
                .unwrap()
                .text
                .contains("新闻发布会")
        );
        let page = gbk(
            "<meta charset=iso-8859-1><p>中华人民共和国国务院新闻办公室今天举行新闻发布会。</p>",
        );
        assert!(
            decode_page(&page, None)
                .unwrap()
                .text
                .contains("新闻发布会")
        );
    }

    #[test]
    fn utf8_bytes_under_a_gbk_declaration_are_utf8() {
        // 中文 in UTF-8 (E4 B8 AD E6 96 87) is valid GBK too (涓枃): the declaration would make mojibake.
        let page = "<meta charset=gb2312><p>中文</p>".as_bytes();
        assert!(!encoding_rs::GBK.decode_without_bom_handling(page).1);
        let d = decode_page(page, Some("gbk")).unwrap();
        assert_eq!(d.text, "<meta charset=gb2312><p>中文</p>");
    }

    #[test]
    fn one_damaged_byte_does_not_lose_a_small_page() {
        let mut page = gbk("<meta charset=gbk><p>国务院新闻办公室今天举行新闻发布会</p>");
        page.push(0xFF);
        page.extend(gbk("<p>介绍经济运行情况</p>"));
        let d = decode_page(&page, None).unwrap();
        assert!(d.text.contains("新闻发布会</p><p>介绍经济"), "{}", d.text);
        // Undeclared: chardetng, seeing a byte GBK cannot have, guesses a single-byte encoding.
        let undeclared = &page[18..];
        assert!(!String::from_utf8_lossy(undeclared).contains("charset"));
        let d = decode_page(undeclared, None).unwrap();
        assert_eq!(d.encoding, "GBK");
        assert!(d.text.contains("新闻发布会</p><p>介绍经济"), "{}", d.text);
        // Two in so few bytes are too many, and a Latin reading of a page declared GBK is mojibake.
        page.push(0xFF);
        page.extend(gbk("<p>介绍经济运行情况</p>"));
        assert!(matches!(
            decode_page(&page, None),
            Err(ExtractError::Undecodable(_))
        ));
    }

    #[test]
    fn transport_charset_wins_and_a_cut_last_character_is_dropped() {
        let mut page = gbk("<p>新闻</p>");
        page.extend(&gbk("中")[..1]);
        let d = decode_page(&page, Some("gb2312")).unwrap();
        assert_eq!(d.text, "<p>新闻</p>");
    }

    #[test]
    fn invalid_bytes_under_a_bom_are_undecodable() {
        let mut page = b"\xef\xbb\xbf".to_vec();
        page.extend(gbk(
            "<p>中华人民共和国国务院新闻办公室今天举行新闻发布会。</p>",
        ));
        assert!(matches!(
            decode_page(&page, None),
            Err(ExtractError::Undecodable(_))
        ));
    }
}
