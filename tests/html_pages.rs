//! Saved web pages (`tests/fixtures/html`, copied from `../shared/fixtures/html` with its attribution: text
//! from zh-Wikipedia via CMRC 2018, CC BY-SA 4.0) read into one article each and checked against
//! `truth.json`: headline, date, source, byline, every body paragraph in order, and none of the page's
//! template (navigation, 相关新闻, toolbars, comments, ICP footer). Then the same pages re-encoded,
//! truncated, stripped of their article or of their date, and saved as MHTML with base64.

use sou::corpus::document::{Document, ExtractError, Format, extract};
use sou::corpus::html::{extract_html, extract_mhtml};

fn fixture(name: &str) -> Vec<u8> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/html")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn truth() -> Vec<serde_json::Value> {
    serde_json::from_slice(&fixture("truth.json")).unwrap()
}

fn truth_of(file: &str) -> serde_json::Value {
    truth()
        .into_iter()
        .find(|t| t["file"] == file)
        .unwrap_or_else(|| panic!("{file} not in truth.json"))
}

fn strs(v: &serde_json::Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_string())
        .collect()
}

/// Template text of the fixtures' pages that must never be in a body, besides each page's own `boiler`
/// list in truth.json.
const TEMPLATE: [&str; 12] = [
    "首页",
    "时政",
    "相关新闻",
    "ICP",
    "公网安备",
    "版权所有",
    "Copyright",
    "分享到",
    "打印本页",
    "关闭窗口",
    "网友评论",
    "请输入关键词",
];

/// Reads a fixture the way indexing will: its format sniffed from its bytes, then [`extract`].
fn read(name: &str, bytes: Vec<u8>) -> Result<Document, ExtractError> {
    let ext = name.rsplit('.').next().unwrap();
    let format = Format::sniff(&bytes[..bytes.len().min(4096)], ext);
    assert!(
        matches!(format, Format::Html | Format::Mhtml),
        "{name}: sniffed as {format:?}"
    );
    extract(format, bytes, std::time::Duration::from_secs(60))
}

/// Checks a document against a page's truth: headline, date, source (the truth's `source` where it names
/// the original paper, else its site), byline, paragraphs in order, no template.
fn check(label: &str, doc: &Document, truth: &serde_json::Value) {
    assert_eq!(
        doc.title.as_deref(),
        truth["title"].as_str(),
        "{label}: title"
    );
    assert_eq!(doc.date.as_deref(), truth["date"].as_str(), "{label}: date");
    let source = truth["source"].as_str().or(truth["site"].as_str());
    assert_eq!(doc.source.as_deref(), source, "{label}: source");
    assert_eq!(doc.articles.len(), 1, "{label}: one page, one article");
    let article = &doc.articles[0];
    assert_eq!(article.anchor, "", "{label}");
    // A page without an author in its truth names none (a byline is never made up).
    assert_eq!(
        article.byline.as_deref(),
        truth["author"].as_str(),
        "{label}: byline"
    );
    // Every truth paragraph is one of the body's paragraphs, in the truth's order.
    let mut at = 0;
    for want in strs(&truth["paragraphs"]) {
        let found = article.paragraphs[at..].iter().position(|p| *p == want);
        let Some(i) = found else {
            panic!(
                "{label}: paragraph missing or out of order: {want}\nbody: {:#?}",
                article.paragraphs
            );
        };
        at += i + 1;
    }
    let body = article.text();
    for bad in strs(&truth["boiler"])
        .iter()
        .map(String::as_str)
        .chain(TEMPLATE)
    {
        assert!(
            !body.contains(bad),
            "{label}: template {bad:?} in the body:\n{body}"
        );
    }
    for p in &article.paragraphs {
        assert!(
            !p.is_empty() && !p.contains('\n') && p.trim() == p,
            "{label}: {p:?}"
        );
        assert!(!p.contains('\u{fffd}'), "{label}: mojibake {p:?}");
    }
}

#[test]
fn every_page_matches_its_truth() {
    let truth = truth();
    assert_eq!(truth.len(), 4);
    for t in &truth {
        let file = t["file"].as_str().unwrap();
        let doc = read(file, fixture(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
        check(file, &doc, t);
    }
}

fn gbk(s: &str) -> Vec<u8> {
    encoding_rs::GBK.encode(s).0.into_owned()
}

fn from_gbk(b: &[u8]) -> String {
    let (text, _, bad) = encoding_rs::GBK.decode(b);
    assert!(!bad);
    text.into_owned()
}

#[test]
fn undeclared_gbk_is_detected() {
    // The UTF-8 page with its charset declaration removed, saved as GBK; the GBK table page likewise.
    let page = String::from_utf8(fixture("jsonld-utf8.html")).unwrap();
    let page = page.replace(r#"<meta charset="utf-8">"#, "");
    assert!(!page.contains("charset"));
    let doc = extract_html(&gbk(&page)).unwrap();
    check(
        "jsonld as undeclared GBK",
        &doc,
        &truth_of("jsonld-utf8.html"),
    );

    let page = from_gbk(&fixture("table-br-gbk.html"));
    let page = page.replace(
        r#"<meta http-equiv="Content-Type" content="text/html; charset=gbk">"#,
        "",
    );
    assert!(!page.contains("charset"));
    let doc = extract_html(&gbk(&page)).unwrap();
    check(
        "table as undeclared GBK",
        &doc,
        &truth_of("table-br-gbk.html"),
    );
}

#[test]
fn a_bom_decides_over_the_declaration() {
    // The GB2312 page re-saved as UTF-8 with a BOM, its <meta> still saying GB2312.
    let page = from_gbk(&fixture("people-gb2312.html"));
    assert!(page.contains("charset=GB2312"));
    let mut bytes = b"\xef\xbb\xbf".to_vec();
    bytes.extend(page.as_bytes());
    let doc = read("people.html", bytes).unwrap();
    check(
        "people as UTF-8 with BOM",
        &doc,
        &truth_of("people-gb2312.html"),
    );
    // Without the BOM the wrong declaration gives way too: the bytes are not GBK text.
    let doc = extract_html(page.as_bytes()).unwrap();
    check(
        "people as UTF-8 declared GB2312",
        &doc,
        &truth_of("people-gb2312.html"),
    );
}

#[test]
fn a_page_of_navigation_only_has_no_text() {
    let page = String::from_utf8(fixture("jsonld-utf8.html")).unwrap();
    let start = page.find("<article>").unwrap();
    let end = page.find("</article>").unwrap() + "</article>".len();
    let nav_only = format!("{}{}", &page[..start], &page[end..]);
    assert_eq!(extract_html(nav_only.as_bytes()), Err(ExtractError::NoText));
}

#[test]
fn a_truncated_page_yields_what_it_has() {
    // The GB2312 page cut inside a character of its fourth paragraph: no closing tags, no footer.
    let bytes = fixture("people-gb2312.html");
    let truth = truth_of("people-gb2312.html");
    let paragraphs = strs(&truth["paragraphs"]);
    let fourth = gbk(&paragraphs[3]);
    let at = bytes
        .windows(fourth.len())
        .position(|w| w == fourth.as_slice())
        .unwrap();
    // After 1970年4月24日，中国空 and one byte of 间.
    let cut = &bytes[..at + 22];
    let doc = extract_html(cut).unwrap();
    assert_eq!(doc.title.as_deref(), truth["title"].as_str());
    assert_eq!(doc.date.as_deref(), truth["date"].as_str());
    let ps = &doc.articles[0].paragraphs;
    assert_eq!(ps[..3], paragraphs[..3], "{ps:#?}");
    assert!(paragraphs[3].starts_with(&ps[3]), "{ps:#?}");
    // An MHTML file cut in its HTML part too.
    let mht = fixture("people-gb2312.mhtml");
    let doc = extract_mhtml(&mht[..mht.len() * 2 / 3]).unwrap();
    assert_eq!(
        doc.articles[0].paragraphs[0],
        strs(&truth_of("people-gb2312.mhtml")["paragraphs"])[0]
    );
}

#[test]
fn a_footer_copyright_year_is_not_the_date() {
    // The table page without its visible date: its footer still says 1997-2023.
    let page = from_gbk(&fixture("table-br-gbk.html"));
    let page = page.replace("2012年06月05日 09:15:27", "");
    assert!(page.contains("1997-2023"));
    let doc = extract_html(&gbk(&page)).unwrap();
    assert_eq!(doc.date, None);
    assert_eq!(doc.source.as_deref(), Some("新华测试网"));
}

#[test]
fn mhtml_with_a_base64_html_part() {
    // The GB2312 page saved as MHTML with its HTML part in base64 (as some browsers and mail tools do).
    let html = fixture("people-gb2312.html");
    let b64 = base64(&html);
    let lines: Vec<&str> = b64
        .as_bytes()
        .chunks(76)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect();
    let mht = format!(
        "From: <Saved by Blink>\r\nSnapshot-Content-Location: http://test.example/a.html\r\nMIME-Version: 1.0\r\n\
Content-Type: multipart/related;\r\n\ttype=\"text/html\";\r\n\tboundary=\"----B----\"\r\n\r\n\r\n\
------B----\r\nContent-Type: text/html; charset=\"gb2312\"\r\nContent-Transfer-Encoding: base64\r\n\
Content-Location: http://test.example/a.html\r\n\r\n{}\r\n\r\n------B------\r\n",
        lines.join("\r\n")
    );
    let doc = read("page.mht", mht.into_bytes()).unwrap();
    check(
        "people as base64 MHTML",
        &doc,
        &truth_of("people-gb2312.html"),
    );
}

fn base64(bytes: &[u8]) -> String {
    const T: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut s = String::new();
    for c in bytes.chunks(3) {
        let n = (c[0] as u32) << 16
            | (*c.get(1).unwrap_or(&0) as u32) << 8
            | *c.get(2).unwrap_or(&0) as u32;
        for k in 0..4 {
            if k <= c.len() {
                s.push(T[(n >> (18 - 6 * k) & 63) as usize] as char);
            } else {
                s.push('=');
            }
        }
    }
    s
}

#[test]
fn any_cut_or_damage_reads_or_reports_never_panics() {
    // Every fixture cut at many points, and with bytes overwritten: a document or a reported error; a body
    // that is read never holds mojibake.
    for t in truth() {
        let file = t["file"].as_str().unwrap();
        let bytes = fixture(file);
        // By the file's extension (a file cut to a few bytes no longer sniffs as a page); extract() turns a
        // panic into Corrupt("the parser failed: …").
        let format = if file.ends_with(".mhtml") {
            Format::Mhtml
        } else {
            Format::Html
        };
        let read = |_: &str, b: Vec<u8>| extract(format, b, std::time::Duration::from_secs(60));
        let mut seed = 11u64;
        for cut in (0..bytes.len()).step_by(173) {
            let mut damaged = bytes[..cut].to_vec();
            let result = read(file, damaged.clone());
            assert!(
                !matches!(result, Err(ExtractError::Corrupt(ref why)) if why.contains("parser failed")),
                "{file} cut at {cut}: {result:?}"
            );
            if let Ok(doc) = &result {
                assert!(
                    !doc.articles[0].text().contains('\u{fffd}'),
                    "{file} cut at {cut}"
                );
            }
            if !damaged.is_empty() {
                seed = seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                let at = (seed >> 33) as usize % damaged.len();
                damaged[at] = (seed >> 20) as u8;
                let result = read(file, damaged);
                assert!(
                    !matches!(result, Err(ExtractError::Corrupt(ref why)) if why.contains("parser failed")),
                    "{file} cut at {cut}: {result:?}"
                );
            }
        }
    }
}
