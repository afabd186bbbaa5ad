//! EPUB books (EPUB 2 and 3, Open Container Format): the spine's content documents into chapters.

use std::collections::{HashMap, HashSet};

use percent_encoding::percent_decode_str;

use super::docx::resolve;
use super::xml::{Collector, Ev, Flow, Tag, decode, walk};
use super::zip_limits::Package;
use crate::corpus::document::{DocArticle, Document, ExtractError};

/// An item of the package's manifest.
struct Item {
    href: String,
    media_type: String,
    properties: String,
}

/// What the package document (OPF) says.
#[derive(Default)]
struct Package_ {
    title: Option<String>,
    /// `dc:date`s with their EPUB 2 `opf:event` (empty if none).
    dates: Vec<(String, String)>,
    publisher: Option<String>,
    manifest: HashMap<String, Item>,
    spine: Vec<String>,
    /// The spine's `toc` attribute (the NCX's id, EPUB 2).
    toc: Option<String>,
}

/// A part name from an `href` (a URL, percent-encoded, maybe with a fragment) relative to folder `base`.
fn part_name(base: &str, href: &str) -> String {
    let href = href.split('#').next().unwrap_or("");
    let href = percent_decode_str(href).decode_utf8_lossy();
    resolve(base, &href)
}

/// The date of a `dc:date` (W3CDTF: `2023`, `2023-03`, `2023-03-05T…`): `YYYY-MM-DD`, `YYYY-MM` or `YYYY`,
/// as precise as it is; `None` if it does not start with a year.
pub(super) fn book_date(s: &str) -> Option<String> {
    let s = s.trim();
    let mut parts = s.splitn(3, ['-', '/', '.']);
    let year = parts.next()?;
    if year.len() != 4 || !year.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let two = |p: Option<&str>, max: u32| -> Option<u32> {
        let p = p?;
        let digits: String = p.chars().take_while(char::is_ascii_digit).collect();
        let n: u32 = digits.parse().ok()?;
        (digits.len() <= 2 && (1..=max).contains(&n)).then_some(n)
    };
    let Some(month) = two(parts.next(), 12) else {
        return Some(year.to_string());
    };
    match two(parts.next(), 31) {
        Some(day) => Some(format!("{year}-{month:02}-{day:02}")),
        None => Some(format!("{year}-{month:02}")),
    }
}

/// Reads the package document.
fn read_opf(xml: &str) -> Result<Package_, String> {
    let mut p = Package_::default();
    // The Dublin Core element whose text is being read: its name and (for dc:date) its event.
    let mut field: Option<(String, String)> = None;
    let mut text = String::new();
    let mut in_metadata = false;
    walk(xml, |ev| {
        match ev {
            Ev::Open(t) => match t.name.as_str() {
                "metadata" => in_metadata = true,
                "title" | "date" | "publisher" if in_metadata => {
                    field = Some((t.name.clone(), t.attr("event").unwrap_or("").to_string()));
                    text.clear();
                }
                "item" => {
                    if let (Some(id), Some(href)) = (t.attr("id"), t.attr("href")) {
                        p.manifest.insert(
                            id.to_string(),
                            Item {
                                href: href.to_string(),
                                media_type: t.attr("media-type").unwrap_or("").to_ascii_lowercase(),
                                properties: t.attr("properties").unwrap_or("").to_string(),
                            },
                        );
                    }
                }
                "spine" => p.toc = t.attr("toc").map(str::to_string),
                "itemref" => {
                    if let Some(id) = t.attr("idref") {
                        p.spine.push(id.to_string());
                    }
                }
                _ => {}
            },
            Ev::Close(name) => {
                if name == "metadata" {
                    in_metadata = false;
                }
                if let Some((f, event)) = field.take_if(|(f, _)| f == name) {
                    let value = super::xml::clean(&text, false);
                    if !value.is_empty() {
                        match f.as_str() {
                            "title" if p.title.is_none() => p.title = Some(value),
                            "publisher" if p.publisher.is_none() => p.publisher = Some(value),
                            "date" => p.dates.push((event.to_ascii_lowercase(), value)),
                            _ => {}
                        }
                    }
                }
            }
            Ev::Text(s) => {
                if field.is_some() {
                    text.push_str(s);
                }
            }
        }
        Flow::Go
    })?;
    Ok(p)
}

/// The book's date: an EPUB 2 `dc:date` with `opf:event="publication"`, else the first without an event,
/// else the first that is not a modification.
fn pick_date(dates: &[(String, String)]) -> Option<String> {
    let by = |ok: &dyn Fn(&str) -> bool| {
        dates
            .iter()
            .filter(|(e, _)| ok(e))
            .find_map(|(_, d)| book_date(d))
    };
    by(&|e| e == "publication")
        .or_else(|| by(&|e| e.is_empty()))
        .or_else(|| by(&|e| e != "modification"))
}

/// The part names `META-INF/encryption.xml` lists as encrypted (its `CipherReference` URIs, relative to
/// the container's root).
fn encrypted_parts(xml: &str) -> HashSet<String> {
    let mut parts = HashSet::new();
    let _ = walk(xml, |ev| {
        if let Ev::Open(t) = ev
            && t.name == "cipherreference"
            && let Some(uri) = t.attr("URI")
        {
            parts.insert(part_name("", uri));
        }
        Flow::Go
    });
    parts
}

/// Whether an element's `epub:type` (or ARIA `role`) marks it a footnote or endnote.
fn is_note(t: &Tag) -> bool {
    let ty = t.attr_q("epub:type").unwrap_or("").to_ascii_lowercase();
    let role = t.attr("role").unwrap_or("").to_ascii_lowercase();
    ty.split_whitespace()
        .chain(role.split_whitespace())
        .any(|w| {
            matches!(
                w,
                "footnote"
                    | "footnotes"
                    | "endnote"
                    | "endnotes"
                    | "rearnote"
                    | "rearnotes"
                    | "doc-footnote"
                    | "doc-endnote"
                    | "doc-endnotes"
            )
        })
}

/// Whether a link's text is a note mark (`1`, `[2]`, `注3`, `*`): short, digits and brackets.
fn is_note_mark(text: &str) -> bool {
    let t = text.trim();
    !t.is_empty()
        && t.chars().count() <= 6
        && t.chars().all(|c| {
            c.is_ascii_digit() || c.is_whitespace() || "[]()（）〔〕【】*†‡注①②③④⑤⑥⑦⑧⑨⑩".contains(c)
        })
}

/// A chapter read from its XHTML: `(title, paragraphs, notes)`.
type Chapter = (Option<String>, Vec<String>, Vec<String>);

/// Reads a content document: paragraphs of its `<body>`, its first `<h1>`/`<h2>` as its title, its notes
/// apart. Markup too broken to read on ends the chapter where it breaks.
fn read_chapter(xhtml: &str) -> Chapter {
    let mut body = Collector::new(true);
    let mut notes = Collector::new(true);
    let mut title: Option<String> = None;
    // Inside the first h1/h2 being read as the title.
    let mut in_title: Option<String> = None;
    // Inside a note: the element's name and how many of that name are open.
    let mut note: Option<(String, usize)> = None;
    // An open link: where its text starts, whether it is marked a note reference, whether it links within.
    let mut link: Option<(usize, bool, bool)> = None;
    let _ = walk(xhtml, |ev| {
        let c = if note.is_some() {
            &mut notes
        } else {
            &mut body
        };
        match ev {
            Ev::Open(t) => {
                let name = t.name.as_str();
                if let Some((n, k)) = note.as_mut()
                    && n == name
                {
                    *k += 1;
                }
                if in_title.is_some() {
                    if name == "br" {
                        c.text(" ");
                        return Flow::Go;
                    }
                    if is_block(name) || matches!(name, "table" | "tr" | "td" | "th" | "hr") {
                        // A block inside the heading, or a heading left open, ends the title there.
                        in_title = None;
                        let t = c.take();
                        if !t.is_empty() {
                            title = Some(t);
                        }
                    }
                }
                match name {
                    "head" | "script" | "style" | "nav" | "svg" | "template" | "rt" | "rp"
                    | "noscript" | "iframe" => return Flow::Skip,
                    _ if note.is_none() && is_note(t) => {
                        body.end_para();
                        note = Some((name.to_string(), 1));
                    }
                    "h1" | "h2" if title.is_none() && note.is_none() && !c.in_table() => {
                        c.end_para();
                        in_title = Some(name.to_string());
                    }
                    "table" => c.table_start(),
                    "tr" => c.row_start(),
                    "td" | "th" => c.cell_start(),
                    "a" => {
                        let noteref = t
                            .attr_q("epub:type")
                            .is_some_and(|v| v.split_whitespace().any(|w| w == "noteref"))
                            || t.attr("role") == Some("doc-noteref");
                        let inner = t.attr("href").is_some_and(|h| h.contains('#'));
                        link = Some((c.mark(), noteref, inner));
                    }
                    "br" | "hr" => c.end_para(),
                    _ if is_block(name) => c.end_para(),
                    _ => {}
                }
            }
            Ev::Close(name) => {
                if in_title.as_deref() == Some(name) {
                    in_title = None;
                    let t = c.take();
                    if !t.is_empty() {
                        title = Some(t);
                    }
                    return Flow::Go;
                }
                match name {
                    "a" => {
                        if let Some((mark, noteref, inner)) = link.take()
                            && (noteref || (inner && is_note_mark(c.since(mark))))
                        {
                            c.cut(mark);
                        }
                    }
                    "td" | "th" => c.cell_end(),
                    "tr" => c.row_end(),
                    "table" => c.table_end(),
                    _ if is_block(name) => c.end_para(),
                    _ => {}
                }
                if let Some((n, k)) = note.as_mut()
                    && n == name
                {
                    *k -= 1;
                    if *k == 0 {
                        notes.end_para();
                        note = None;
                    }
                }
            }
            Ev::Text(s) => c.text(s),
        }
        Flow::Go
    });
    if in_title.is_some() {
        let t = body.take();
        if !t.is_empty() {
            title = Some(t);
        }
    }
    (title, body.finish(), notes.finish())
}

/// Elements that end the paragraph before and after them.
fn is_block(name: &str) -> bool {
    matches!(
        name,
        "p" | "div"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "li"
            | "ul"
            | "ol"
            | "dl"
            | "dt"
            | "dd"
            | "blockquote"
            | "pre"
            | "section"
            | "article"
            | "header"
            | "footer"
            | "aside"
            | "figure"
            | "figcaption"
            | "caption"
            | "address"
            | "center"
            | "main"
            | "body"
            | "html"
            | "hgroup"
            | "details"
            | "summary"
    )
}

/// Whether a manifest item is a content document sou reads as a chapter: XHTML (or HTML), not the EPUB 3
/// navigation document.
fn is_chapter(item: &Item) -> bool {
    matches!(
        item.media_type.as_str(),
        "application/xhtml+xml" | "text/html" | "application/html"
    ) && !item.properties.split_whitespace().any(|p| p == "nav")
}

pub(super) fn extract(bytes: &[u8]) -> Result<Document, ExtractError> {
    let mut pkg = Package::open(bytes, "EPUB")?;
    let Some(container) = pkg.read("META-INF/container.xml")? else {
        return Err(ExtractError::Corrupt(
            "no META-INF/container.xml: a zip but not an EPUB".into(),
        ));
    };
    let mut rootfile: Option<String> = None;
    walk(&decode(&container), |ev| {
        if let Ev::Open(t) = ev
            && t.name == "rootfile"
            && rootfile.is_none()
            && t.attr("media-type")
                .is_none_or(|m| m.eq_ignore_ascii_case("application/oebps-package+xml"))
        {
            rootfile = t.attr("full-path").map(|p| part_name("", p));
        }
        Flow::Go
    })
    .map_err(|e| ExtractError::Corrupt(format!("META-INF/container.xml: {e}")))?;
    let Some(opf_name) = rootfile else {
        return Err(ExtractError::Corrupt(
            "META-INF/container.xml names no package document".into(),
        ));
    };
    let Some(opf) = pkg.read(&opf_name)? else {
        return Err(ExtractError::Corrupt(format!(
            "the package document {opf_name} is missing"
        )));
    };
    let opf =
        read_opf(&decode(&opf)).map_err(|e| ExtractError::Corrupt(format!("{opf_name}: {e}")))?;
    let encrypted = match pkg.read("META-INF/encryption.xml")? {
        Some(b) => encrypted_parts(&decode(&b)),
        None => HashSet::new(),
    };
    let base = opf_name.rsplit_once('/').map_or("", |(d, _)| d);
    let mut articles = Vec::new();
    let mut number = 0;
    let mut missing = 0;
    for idref in &opf.spine {
        let Some(item) = opf.manifest.get(idref) else {
            continue;
        };
        if !is_chapter(item) || opf.toc.as_deref() == Some(idref.as_str()) {
            continue;
        }
        number += 1;
        let name = part_name(base, &item.href);
        if encrypted.contains(&name) {
            return Err(ExtractError::Encrypted);
        }
        let Some(xhtml) = pkg.read(&name)? else {
            missing += 1;
            continue;
        };
        let (mut title, mut paragraphs, notes) = read_chapter(&decode(&xhtml));
        if title.is_none() && !paragraphs.is_empty() && paragraphs.first() == opf.title.as_ref() {
            paragraphs.remove(0);
        }
        paragraphs.extend(notes);
        if paragraphs.is_empty() {
            continue;
        }
        if title.as_deref() == Some("") {
            title = None;
        }
        let mut article = DocArticle {
            anchor: format!("#c{number}"),
            title,
            paragraphs,
            ..Default::default()
        };
        super::read_head(&mut article);
        articles.push(article);
    }
    if articles.is_empty() {
        return Err(if number > 0 && missing == number {
            ExtractError::Corrupt(format!(
                "none of the {number} chapters the spine lists is in the file"
            ))
        } else {
            ExtractError::NoText
        });
    }
    Ok(Document {
        title: opf.title,
        date: pick_date(&opf.dates),
        source: opf.publisher,
        articles,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_as_precise_as_given() {
        assert_eq!(book_date("2023-03-05").as_deref(), Some("2023-03-05"));
        assert_eq!(
            book_date("2023-3-5T00:00:00Z").as_deref(),
            Some("2023-03-05")
        );
        assert_eq!(book_date("2023-03").as_deref(), Some("2023-03"));
        assert_eq!(book_date("2023").as_deref(), Some("2023"));
        assert_eq!(book_date("2023-13-01").as_deref(), Some("2023"));
        assert_eq!(book_date("May 2023"), None);
        let dates = [
            ("modification".to_string(), "2024-01-01".to_string()),
            ("publication".to_string(), "2001-05".to_string()),
        ];
        assert_eq!(pick_date(&dates).as_deref(), Some("2001-05"));
        assert_eq!(pick_date(&dates[..1]), None);
    }

    #[test]
    fn chapter_title_notes_marks_and_tables() {
        let x = r##"<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops">
<head><title>书名</title><style>p{}</style></head><body>
<h1>第一章 <small>开端</small></h1><p>第一段
文字<a epub:type="noteref" href="#n1">1</a>，<a href="n.xhtml#n2">[2]</a>续。</p>
<div>第二段<br/>第三段</div><h2>小节</h2>
<table><tr><th>甲</th><th>乙</th></tr><tr><td>1</td><td><p>2</p><p>3</p></td></tr></table>
<aside epub:type="footnote" id="n1"><p><a href="#r1">1</a> 注文。</p></aside>
<p>末段&nbsp;&#x4E00;</p></body></html>"##;
        let (title, ps, notes) = read_chapter(x);
        assert_eq!(title.as_deref(), Some("第一章 开端"));
        assert_eq!(
            ps,
            [
                "第一段文字，续。",
                "第二段",
                "第三段",
                "小节",
                "甲\t乙",
                "1\t2 3",
                "末段\u{a0}一"
            ]
        );
        assert_eq!(notes, ["注文。"]);
    }

    #[test]
    fn a_heading_with_a_break_or_left_open() {
        let (title, ps, _) = read_chapter("<body><h1>第一章<br/>开端</h1><p>正文</p></body>");
        assert_eq!(title.as_deref(), Some("第一章 开端"));
        assert_eq!(ps, ["正文"]);
        let (title, ps, _) = read_chapter("<body><h2>第二章<p>一<br>二<p>三</body>");
        assert_eq!(title.as_deref(), Some("第二章"));
        assert_eq!(ps, ["一", "二", "三"]);
        // An empty heading (an image) is no title; the next one is.
        let (title, ps, _) =
            read_chapter(r#"<body><h1><img src="a.png"/></h1><h2>题</h2><p>文</p></body>"#);
        assert_eq!(title.as_deref(), Some("题"));
        assert_eq!(ps, ["文"]);
    }

    #[test]
    fn broken_markup_keeps_what_was_read() {
        let (title, ps, _) = read_chapter("<html><body><h2>题</h2><p>一<b>二</p><p>三 &bogus; 四");
        assert_eq!(title.as_deref(), Some("题"));
        assert_eq!(ps, ["一二", "三 四"]);
    }

    #[test]
    fn opf_metadata_manifest_and_spine() {
        let opf = r#"<package xmlns="http://www.idpf.org/2007/opf" version="2.0"><metadata xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:opf="http://www.idpf.org/2007/opf">
<dc:title>书</dc:title><dc:publisher>出版社</dc:publisher><dc:date opf:event="publication">1999</dc:date></metadata>
<manifest><item id="ncx" href="toc.ncx" media-type="application/x-dtbncx+xml"/><item id="a" href="Text/a%20b.xhtml" media-type="application/xhtml+xml"/></manifest>
<spine toc="ncx"><itemref idref="a"/></spine></package>"#;
        let p = read_opf(opf).unwrap();
        assert_eq!(p.title.as_deref(), Some("书"));
        assert_eq!(p.publisher.as_deref(), Some("出版社"));
        assert_eq!(pick_date(&p.dates).as_deref(), Some("1999"));
        assert_eq!(p.spine, ["a"]);
        assert_eq!(
            part_name("OEBPS", &p.manifest["a"].href),
            "OEBPS/Text/a b.xhtml"
        );
        assert_eq!(p.toc.as_deref(), Some("ncx"));
    }
}
