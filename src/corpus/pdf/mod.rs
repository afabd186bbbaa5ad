//! PDF files: each page's text rebuilt into articles from the positions of its characters.
//!
//! The PDF is read by hayro-interpret (pure Rust, Apache-2.0 OR MIT), which runs each page's content stream
//! and yields every glyph with its position and Unicode value; it bundles Adobe's CJK CMaps, so CID fonts
//! that rely on them (`UniGB-UCS2-H`, `GBK-EUC-H`, many official PDFs, with no `ToUnicode` map) decode.
//! [`glyphs`] collects a page's glyphs, [`layout`] rebuilds its articles (the rules are there).
//!
//! What is not read, and why a file is refused ([`PdfError`]): an encrypted file (a password is needed; one
//! encrypted with the empty user password is read), a file hayro cannot parse (corrupt, truncated), a file
//! with no text layer (a scan: images, no glyphs), a file whose glyphs have no Unicode value for a large
//! share of its text (a font without a map: its text would be garbage), or whose text looks like GBK bytes
//! read as a Western encoding (mojibake, `ÖÐ¹ú` for 中国). Such a file is reported with the reason and never
//! indexed in part. Pages are read one at a time: memory holds the file's bytes and one page's glyphs.

pub mod glyphs;
pub mod layout;

pub use layout::{PdfArticle, PdfPage};

/// The version of the PDF extractor: part of what the manifest records of a PDF file, so that a sou whose
/// extraction changed reads its PDFs again (and only them). Raise it when the extracted text may change.
pub const EXTRACTOR_VERSION: u32 = 1;

/// Does `bytes` (a file's start) hold a PDF? The `%PDF-` header, which the PDF standard (ISO 32000-1, 7.5.2)
/// puts at the start and readers accept within the first 1024 bytes.
pub fn is_pdf(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(1024)];
    head.windows(5).any(|w| w == b"%PDF-")
}

/// Why a PDF file was not read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PdfError {
    /// Encrypted with a password.
    Encrypted,
    /// Not a PDF that can be parsed (corrupt or truncated); the parser's reason.
    Corrupt(String),
    /// No text layer: a scanned file (the number of images drawn).
    NoText {
        /// Images drawn on its pages.
        images: usize,
    },
    /// Text that would be indexed as garbage (the reason, with the page).
    Undecodable(String),
    /// The parser panicked (a bug in it, caught): its message.
    Panicked(String),
    /// Reading it took longer than this limit.
    TimedOut(std::time::Duration),
}

impl std::fmt::Display for PdfError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PdfError::Encrypted => write!(f, "PDF is encrypted (needs a password)"),
            PdfError::Corrupt(why) => write!(f, "PDF cannot be read: {why}"),
            PdfError::NoText { images } => write!(
                f,
                "PDF has no text layer (a scan? {images} images, no text)"
            ),
            PdfError::Undecodable(why) => write!(f, "PDF text cannot be decoded: {why}"),
            PdfError::Panicked(why) => write!(f, "PDF reader crashed on this file (caught): {why}"),
            PdfError::TimedOut(d) => write!(f, "PDF took longer than {d:?} to read; given up"),
        }
    }
}

/// The longest a file may take to read, by default, in seconds.
pub const TIME_LIMIT_SECS: u64 = 60;

/// The share of unmapped glyphs (no Unicode value) above which a page's text is refused.
const MAX_UNMAPPED: f64 = 0.05;

/// Does this text look like GBK bytes decoded as Latin-1 or Windows-1252 (`ÖÐ¹ú` for 中国)? Most of its
/// letters are in U+00A1..U+00FF and it has no Han character.
fn looks_like_gbk_mojibake(text: &str) -> bool {
    let mut high = 0usize;
    let mut letters = 0usize;
    for c in text.chars().filter(|c| !c.is_whitespace()) {
        letters += 1;
        if ('\u{A1}'..='\u{FF}').contains(&c) {
            high += 1;
        }
        if ('\u{4E00}'..='\u{9FFF}').contains(&c) {
            return false;
        }
    }
    letters >= 20 && high * 2 >= letters
}

/// Reads a PDF's pages one at a time and hands each, rebuilt ([`layout::layout`]), to `each`, which returns
/// whether to go on; returns the number of pages read. Stops at the first problem ([`PdfError`]); a page given to `each` before a
/// problem has been given (a caller that must not index a file in part collects the pages first). A panic
/// in the parser is caught and returned as [`PdfError::Panicked`].
pub fn read_pages(bytes: Vec<u8>, each: &mut dyn FnMut(PdfPage) -> bool) -> Result<u32, PdfError> {
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        read_pages_inner(bytes, each)
    }));
    match result {
        Ok(r) => r,
        Err(payload) => {
            let msg = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".to_string());
            Err(PdfError::Panicked(msg))
        }
    }
}

fn read_pages_inner(
    bytes: Vec<u8>,
    each: &mut dyn FnMut(PdfPage) -> bool,
) -> Result<u32, PdfError> {
    use hayro_interpret::hayro_syntax::{LoadPdfError, Pdf};
    // The standard ends a file with `%%EOF` (ISO 32000-1, 7.5.5); hayro repairs a file without it, so a
    // truncated file reads as one with fewer (or empty) pages: with no text, it is called truncated, not a
    // scan.
    let tail = &bytes[bytes.len().saturating_sub(1024)..];
    let ended = tail.windows(5).any(|w| w == b"%%EOF");
    let pdf = Pdf::new(bytes).map_err(|e| match e {
        LoadPdfError::Decryption(_) => PdfError::Encrypted,
        LoadPdfError::Invalid => {
            PdfError::Corrupt("not a valid PDF (damaged or truncated)".to_string())
        }
    })?;
    let cache = hayro_interpret::InterpreterCache::new();
    let pages = pdf.pages();
    if pages.is_empty() {
        return Err(PdfError::Corrupt("no pages".to_string()));
    }
    let (mut glyph_total, mut images) = (0usize, 0usize);
    let mut n = 0u32;
    for (i, page) in pages.iter().enumerate() {
        let number = i as u32 + 1;
        let g = glyphs::page_glyphs(page, pdf.xref(), &cache);
        images += g.images;
        let drawn = g.glyphs.len() + g.unmapped;
        glyph_total += drawn;
        if drawn > 0 && g.unmapped as f64 > MAX_UNMAPPED * drawn as f64 {
            return Err(PdfError::Undecodable(format!(
                "page {number}: {} of {drawn} characters have no Unicode value (a font without a map)",
                g.unmapped
            )));
        }
        let text: String = g.glyphs.iter().map(|g| g.text.as_str()).collect();
        if looks_like_gbk_mojibake(&text) {
            return Err(PdfError::Undecodable(format!(
                "page {number}: the text looks like GBK read as a Western encoding (mojibake)"
            )));
        }
        let page = layout::layout(number, &g);
        drop(g);
        n = number;
        if !each(page) {
            break;
        }
    }
    if glyph_total == 0 {
        if !ended {
            return Err(PdfError::Corrupt(
                "truncated (no %%EOF at its end) and no text read".to_string(),
            ));
        }
        return Err(PdfError::NoText { images });
    }
    Ok(n)
}

/// [`read_pages`] with a time limit: the file is read on a thread of its own, and given up (an error) if it
/// takes longer than `limit`. The pages are collected first and returned together, so nothing of a file
/// that fails is indexed. The thread of a file given up stops at its next page (it cannot be stopped inside
/// one).
pub fn read_file_pages(
    bytes: Vec<u8>,
    limit: std::time::Duration,
) -> Result<Vec<PdfPage>, PdfError> {
    let (tx, rx) = std::sync::mpsc::sync_channel::<Result<Vec<PdfPage>, PdfError>>(1);
    let cancelled = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let stop = cancelled.clone();
    let spawned = std::thread::Builder::new()
        .name("sou-pdf".to_string())
        .spawn(move || {
            let mut pages = Vec::new();
            let r = read_pages(bytes, &mut |p| {
                pages.push(p);
                // Given up: read no further.
                !stop.load(std::sync::atomic::Ordering::Relaxed)
            });
            let _ = tx.send(r.map(|_| pages));
        });
    if let Err(e) = spawned {
        return Err(PdfError::Corrupt(format!(
            "cannot start a reader thread: {e}"
        )));
    }
    match rx.recv_timeout(limit) {
        Ok(r) => r,
        Err(_) => {
            cancelled.store(true, std::sync::atomic::Ordering::Relaxed);
            Err(PdfError::TimedOut(limit))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const VARIANTS: [&str; 7] = [
        "page-typst.pdf",
        "page-typst-tagged.pdf",
        "page-rl-cid.pdf",
        "page-rl-gbk.pdf",
        "page-rl-ttf.pdf",
        "page-rl-gbk-rowmajor.pdf",
        "page-rl-gbk-random.pdf",
    ];

    fn fixture(name: &str) -> Vec<u8> {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/pdf")
            .join(name);
        std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    fn truth() -> serde_json::Value {
        serde_json::from_slice(&fixture("truth.json")).expect("truth.json is JSON")
    }

    fn squeeze(s: &str) -> String {
        s.chars().filter(|c| !c.is_whitespace()).collect()
    }

    fn sentences(p: &str) -> Vec<String> {
        let mut out = Vec::new();
        let mut cur = String::new();
        for c in squeeze(p).chars() {
            cur.push(c);
            if matches!(c, '。' | '！' | '？') {
                out.push(std::mem::take(&mut cur));
            }
        }
        if !cur.is_empty() {
            out.push(cur);
        }
        out
    }

    #[test]
    fn every_variant_gives_the_three_articles_of_the_truth() {
        let truth = truth();
        let page = &truth["page"];
        let articles = truth["articles"].as_array().expect("articles");
        for name in VARIANTS {
            let mut pages = Vec::new();
            let n = read_pages(fixture(name), &mut |p| {
                pages.push(p);
                true
            })
            .unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(n, 1, "{name}");
            let got = &pages[0].articles;
            let heads: Vec<Option<&str>> = got.iter().map(|a| a.headline.as_deref()).collect();
            let want: Vec<Option<&str>> = articles.iter().map(|a| a["headline"].as_str()).collect();
            assert_eq!(heads, want, "{name}: headlines");
            for (a, t) in got.iter().zip(articles) {
                let field = |k: &str| t[k].as_str().filter(|s| !s.is_empty()).map(squeeze);
                assert_eq!(
                    a.kicker.as_deref().map(squeeze),
                    field("kicker"),
                    "{name}: kicker"
                );
                assert_eq!(
                    a.subtitle.as_deref().map(squeeze),
                    field("subtitle"),
                    "{name}: subtitle"
                );
                assert_eq!(
                    a.byline.as_deref().map(squeeze),
                    field("byline"),
                    "{name}: byline"
                );
                let paras = t["paragraphs"].as_array().expect("paragraphs");
                assert_eq!(
                    a.paragraphs.len(),
                    paras.len(),
                    "{name}: {:?} paragraphs: {:#?}",
                    a.headline,
                    a.paragraphs
                );
                let body = squeeze(&a.paragraphs.join(""));
                for p in paras {
                    for s in sentences(p.as_str().expect("text")) {
                        assert!(body.contains(&s), "{name}: {:?} lacks {s}", a.headline);
                    }
                }
                for other in articles.iter().filter(|o| o["headline"] != t["headline"]) {
                    for p in other["paragraphs"].as_array().expect("paragraphs") {
                        for s in sentences(p.as_str().expect("text")) {
                            assert!(
                                !body.contains(&s),
                                "{name}: {:?} has {s} of another",
                                a.headline
                            );
                        }
                    }
                }
                // The page's furniture and the bylines are not body text.
                for k in ["editor", "footer_note", "date", "section"] {
                    let v = squeeze(page[k].as_str().expect("page field"));
                    assert!(!body.contains(&v), "{name}: {k} in a body");
                }
                assert!(!body.contains("◎"), "{name}: a byline in a body");
                // Each truth paragraph is one paragraph, as printed.
                for (p, q) in a.paragraphs.iter().zip(paras) {
                    assert_eq!(squeeze(p), squeeze(q.as_str().expect("text")), "{name}");
                }
            }
            let header = squeeze(&pages[0].header.join(""));
            assert!(
                header.contains(&squeeze(page["paper"].as_str().expect("paper"))),
                "{name}: header {header}"
            );
            let footer = squeeze(&pages[0].footer.join(""));
            assert!(
                footer.contains(&squeeze(page["editor"].as_str().expect("editor"))),
                "{name}: footer {footer}"
            );
        }
    }

    #[test]
    fn bad_bytes_are_reported_not_panicked() {
        assert!(is_pdf(b"%PDF-1.7\n"));
        assert!(!is_pdf(b"hello"));
        let mut truncated = fixture("page-rl-cid.pdf");
        truncated.truncate(truncated.len() / 3);
        match read_pages(truncated, &mut |_| true) {
            Err(PdfError::Corrupt(_) | PdfError::NoText { .. }) => {}
            other => panic!("a truncated file gave {other:?}"),
        }
        match read_pages(b"%PDF-1.4\ngarbage".to_vec(), &mut |_| true) {
            Err(PdfError::Corrupt(_)) => {}
            other => panic!("garbage gave {other:?}"),
        }
    }

    #[test]
    fn gbk_read_as_latin_is_mojibake() {
        assert!(looks_like_gbk_mojibake(
            "ÖÐ¹úÈËÃñÒøÐÐÐû²¼½µÏ¢£¬ÊÐ³¡·´Ó¦ÈÈÁÒ¡£ÖÐ¹úÈËÃñ"
        ));
        assert!(!looks_like_gbk_mojibake(
            "Café au lait, crème brûlée and a déjà vu at the café."
        ));
        assert!(!looks_like_gbk_mojibake(
            "中国人民银行宣布降息，市场反应热烈。"
        ));
    }

    /// A one-page PDF (A4) whose content stream is `content`, with Helvetica as `/F1`.
    fn one_page_pdf(content: &str) -> Vec<u8> {
        let stream = format!(
            "<< /Length {} >>\nstream\n{content}\nendstream",
            content.len()
        );
        let objects = [
            "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>".to_string(),
            stream,
            "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>".to_string(),
        ];
        let mut out = b"%PDF-1.4\n".to_vec();
        let mut offsets = Vec::new();
        for (i, o) in objects.iter().enumerate() {
            offsets.push(out.len());
            out.extend(format!("{} 0 obj\n{o}\nendobj\n", i + 1).bytes());
        }
        let xref = out.len();
        out.extend(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).bytes());
        for o in offsets {
            out.extend(format!("{o:010} 00000 n \n").bytes());
        }
        out.extend(
            format!(
                "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
                objects.len() + 1
            )
            .bytes(),
        );
        out
    }

    fn read_one(bytes: Vec<u8>) -> Result<PdfPage, PdfError> {
        let mut pages = Vec::new();
        read_pages(bytes, &mut |p| {
            pages.push(p);
            true
        })?;
        Ok(pages.remove(0))
    }

    #[test]
    fn fake_bold_and_text_outside_the_page_are_not_body_text() {
        // "Bold words" drawn twice, 0.4 pt apart (a fake bold); "Hidden" drawn right of the page box.
        let content = "BT /F1 12 Tf 1 0 0 1 100 400 Tm (Bold words here) Tj ET \
                       BT /F1 12 Tf 1 0 0 1 100.4 400 Tm (Bold words here) Tj ET \
                       BT /F1 12 Tf 1 0 0 1 700 400 Tm (Hidden) Tj ET";
        let page = read_one(one_page_pdf(content)).expect("reads");
        let text: Vec<&str> = page
            .articles
            .iter()
            .flat_map(|a| a.paragraphs.iter().map(String::as_str))
            .collect();
        assert_eq!(text, ["Bold words here"]);
    }

    #[test]
    fn gbk_shown_with_a_western_encoding_is_refused() {
        // GBK bytes of 中国人民银行宣布降息 shown with a Western encoding: the reader sees Latin-1 letters.
        let gbk = encoding_rs::GBK
            .encode("中国人民银行宣布降息，市场反应热烈。中国人民银行宣布降息。")
            .0;
        let escaped: String = gbk.iter().map(|b| format!("\\{b:03o}")).collect();
        let content = format!("BT /F1 12 Tf 1 0 0 1 50 400 Tm ({escaped}) Tj ET");
        match read_one(one_page_pdf(&content)) {
            Err(PdfError::Undecodable(why)) => assert!(why.contains("GBK"), "{why}"),
            other => panic!("mojibake gave {other:?}"),
        }
    }

    #[test]
    fn a_file_slower_than_the_limit_is_given_up() {
        // Some 30,000 text operations: far more than a millisecond's work.
        let ops: String = (0..30_000)
            .map(|i| {
                format!(
                    "BT /F1 9 Tf 1 0 0 1 {} {} Tm (word) Tj ET\n",
                    40 + (i % 50) * 10,
                    40 + (i / 50) % 700
                )
            })
            .collect();
        let limit = std::time::Duration::from_millis(1);
        match read_file_pages(one_page_pdf(&ops), limit) {
            Err(PdfError::TimedOut(d)) => assert_eq!(d, limit),
            other => panic!("gave {:?}", other.map(|p| p.len())),
        }
        // With time enough, the same file reads.
        let pages = read_file_pages(one_page_pdf(&ops), std::time::Duration::from_secs(600))
            .expect("reads");
        assert_eq!(pages.len(), 1);
    }
}
