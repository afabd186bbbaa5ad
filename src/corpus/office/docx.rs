//! Word documents (Office Open XML, ECMA-376 Part 1): `word/document.xml` and its notes into one article.

use std::collections::HashSet;

use super::xml::{Collector, Ev, Flow, decode, walk};
use super::zip_limits::Package;
use crate::corpus::document::{DocArticle, Document, ExtractError};

/// A relationship of a part: its type URI and its target, resolved to a part name.
struct Rel {
    kind: String,
    target: String,
}

/// The directory of part `name` (`word/document.xml` → `word`), empty at the root.
fn dir_of(name: &str) -> &str {
    name.rsplit_once('/').map_or("", |(d, _)| d)
}

/// Part name of `target` relative to the folder `base` (`..` and `.` resolved; `/x` is from the root).
pub(super) fn resolve(base: &str, target: &str) -> String {
    let mut parts: Vec<&str> = if target.starts_with('/') {
        Vec::new()
    } else {
        base.split('/').filter(|s| !s.is_empty()).collect()
    };
    for seg in target.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    parts.join("/")
}

/// The relationships of part `name` (from `dir/_rels/file.rels`), internal targets only.
fn rels_of(pkg: &mut Package, name: &str) -> Result<Vec<Rel>, ExtractError> {
    let (dir, file) = name.rsplit_once('/').unwrap_or(("", name));
    let rels_name = if dir.is_empty() {
        format!("_rels/{file}.rels")
    } else {
        format!("{dir}/_rels/{file}.rels")
    };
    let Some(bytes) = pkg.read(&rels_name)? else {
        return Ok(Vec::new());
    };
    let mut rels = Vec::new();
    let xml = decode(&bytes);
    walk(&xml, |ev| {
        if let Ev::Open(t) = ev
            && t.name == "relationship"
            && !t
                .attr("TargetMode")
                .is_some_and(|m| m.eq_ignore_ascii_case("external"))
            && let (Some(kind), Some(target)) = (t.attr("Type"), t.attr("Target"))
        {
            rels.push(Rel {
                kind: kind.to_string(),
                target: resolve(dir_of(name), target),
            });
        }
        Flow::Go
    })
    .map_err(|e| ExtractError::Corrupt(format!("{rels_name}: {e}")))?;
    Ok(rels)
}

/// The target of the first relationship whose type ends with `/suffix`.
fn target<'a>(rels: &'a [Rel], suffix: &str) -> Option<&'a str> {
    rels.iter()
        .find(|r| r.kind.rsplit('/').next() == Some(suffix))
        .map(|r| r.target.as_str())
}

/// Whether a style's name is the Title style's, in English or as a Chinese Word names it.
fn is_title_name(name: &str) -> bool {
    let n = name.trim();
    n.eq_ignore_ascii_case("title") || n == "标题"
}

/// The ids of the paragraph styles that are the Title style: by id (`Title`) or by name (`styles.xml`'s
/// `w:name`, which a localized Word keeps in English or writes as `标题`).
fn title_styles(styles: Option<&str>) -> HashSet<String> {
    let mut ids: HashSet<String> = ["Title".to_string()].into();
    let Some(xml) = styles else {
        return ids;
    };
    let mut current: Option<String> = None;
    // A styles.xml that does not parse leaves the ids found so far: the body still reads.
    let _ = walk(xml, |ev| {
        match ev {
            Ev::Open(t) if t.name == "style" => current = t.attr("styleId").map(str::to_string),
            Ev::Open(t) if t.name == "name" => {
                if let (Some(id), Some(name)) = (&current, t.attr("val"))
                    && is_title_name(name)
                {
                    ids.insert(id.clone());
                }
            }
            Ev::Close("style") => current = None,
            _ => {}
        }
        Flow::Go
    });
    ids
}

/// The body's or the notes' text: `(first Title-style paragraph, paragraphs)`. Runs' text (`w:t`) counts;
/// tabs and breaks are spaces; deleted text, field codes, fallback copies of drawings and the notes'
/// separators are skipped. With `title_ids` empty no paragraph is taken as the title.
fn read_wml(
    xml: &str,
    title_ids: &HashSet<String>,
) -> Result<(Option<String>, Vec<String>), String> {
    let mut c = Collector::new(false);
    let mut title: Option<String> = None;
    let mut style: Option<String> = None;
    let mut in_t = false;
    // Open content controls (w:sdt): whether each is a table of contents, which repeats the headings.
    let mut sdts: Vec<bool> = Vec::new();
    walk(xml, |ev| {
        match ev {
            Ev::Open(t) => match t.name.as_str() {
                "sdt" => sdts.push(false),
                "docpartgallery" => {
                    if let Some(top) = sdts.last_mut() {
                        *top |= t
                            .attr("val")
                            .is_some_and(|v| v.eq_ignore_ascii_case("Table of Contents"));
                    }
                }
                "sdtcontent" if sdts.last() == Some(&true) => return Flow::Skip,
                "deltext" | "instrtext" | "fallback" | "del" | "movefrom" | "tabs" | "rpr" => {
                    return Flow::Skip;
                }
                "footnote" | "endnote"
                    if t.attr("type").is_some_and(|k| {
                        matches!(
                            k,
                            "separator" | "continuationSeparator" | "continuationNotice"
                        )
                    }) =>
                {
                    return Flow::Skip;
                }
                "p" => {
                    c.end_para();
                    style = None;
                }
                "pstyle" => style = t.attr("val").map(str::to_string),
                "t" => in_t = true,
                "tab" | "ptab" | "br" | "cr" => c.text(" "),
                "nobreakhyphen" => c.text("-"),
                "tbl" => c.table_start(),
                "tr" => c.row_start(),
                "tc" => c.cell_start(),
                _ => {}
            },
            Ev::Close(name) => match name {
                "p" => {
                    let is_title = style.as_ref().is_some_and(|s| title_ids.contains(s));
                    if is_title && title.is_none() && !c.in_table() {
                        let t = c.take();
                        if !t.is_empty() {
                            title = Some(t);
                        }
                    } else {
                        c.end_para();
                    }
                    style = None;
                }
                "t" => in_t = false,
                "sdt" => {
                    sdts.pop();
                }
                "tc" => c.cell_end(),
                "tr" => c.row_end(),
                "tbl" => c.table_end(),
                "footnote" | "endnote" => c.end_para(),
                _ => {}
            },
            Ev::Text(s) => {
                if in_t {
                    c.text(s);
                }
            }
        }
        Flow::Go
    })?;
    Ok((title, c.finish()))
}

/// The text of the first element named `local` (`title` for `dc:title`) in `xml`, trimmed, if not empty.
fn first_text(xml: &str, local: &str) -> Option<String> {
    let mut inside = false;
    let mut found = String::new();
    let mut done = false;
    let _ = walk(xml, |ev| {
        match ev {
            Ev::Open(t) if !done && t.name == local => inside = true,
            Ev::Close(n) if inside && n == local => {
                inside = false;
                done = true;
            }
            Ev::Text(s) if inside => found.push_str(s),
            _ => {}
        }
        Flow::Go
    });
    let found = super::xml::clean(&found, false);
    (!found.is_empty()).then_some(found)
}

pub(super) fn extract(bytes: &[u8]) -> Result<Document, ExtractError> {
    let mut pkg = Package::open(bytes, "DOCX")?;
    let root = rels_of(&mut pkg, "")?;
    let main = target(&root, "officeDocument")
        .filter(|t| pkg.has(t))
        .unwrap_or("word/document.xml")
        .to_string();
    let Some(body) = pkg.read(&main)? else {
        return Err(ExtractError::Corrupt(format!(
            "no {main}: a zip but not a Word document"
        )));
    };
    let rels = rels_of(&mut pkg, &main)?;
    let word = dir_of(&main).to_string();
    let part = |suffix: &str, default: &str| {
        target(&rels, suffix).map_or_else(|| resolve(&word, default), str::to_string)
    };
    let styles = pkg.read(&part("styles", "styles.xml"))?.map(|b| decode(&b));
    let title_ids = title_styles(styles.as_deref());

    let xml = decode(&body);
    // A main part without a `document` element (garbage, or cut before it) is damage, not an
    // empty document: the file fails rather than being skipped as having no text.
    if !xml.contains(":document") && !xml.contains("<document") {
        return Err(ExtractError::Corrupt(format!(
            "{main}: no WordprocessingML document element"
        )));
    }
    let (title, mut paragraphs) =
        read_wml(&xml, &title_ids).map_err(|e| ExtractError::Corrupt(format!("{main}: {e}")))?;
    drop(xml);
    drop(body);
    for (suffix, default) in [("footnotes", "footnotes.xml"), ("endnotes", "endnotes.xml")] {
        let name = part(suffix, default);
        if let Some(notes) = pkg.read(&name)? {
            let (_, ps) = read_wml(&decode(&notes), &HashSet::new())
                .map_err(|e| ExtractError::Corrupt(format!("{name}: {e}")))?;
            paragraphs.extend(ps);
        }
    }
    let core_name = target(&root, "core-properties").unwrap_or("docProps/core.xml");
    let core_title = match pkg.read(core_name) {
        Ok(Some(core)) => first_text(&decode(&core), "title"),
        // The properties are not needed to read the text: a broken or missing core.xml loses the title only.
        Ok(None) | Err(ExtractError::Corrupt(_)) => None,
        Err(e) => return Err(e),
    };
    let title = title.or(core_title);
    if paragraphs.is_empty() {
        return Err(ExtractError::NoText);
    }
    let mut article = DocArticle {
        anchor: String::new(),
        paragraphs,
        ..Default::default()
    };
    super::read_head(&mut article);
    Ok(Document {
        title,
        date: None,
        source: None,
        articles: vec![article],
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Cursor, Write};
    use zip::write::{SimpleFileOptions, ZipWriter};

    const W: &str = r#"xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main""#;

    fn para(style: Option<&str>, text: &str) -> String {
        let ppr = style.map_or(String::new(), |s| {
            format!(r#"<w:pPr><w:pStyle w:val="{s}"/></w:pPr>"#)
        });
        format!(r#"<w:p>{ppr}<w:r><w:t xml:space="preserve">{text}</w:t></w:r></w:p>"#)
    }

    fn docx(body: &str, styles: Option<&str>, core: Option<&str>) -> Vec<u8> {
        let mut w = ZipWriter::new(Cursor::new(Vec::new()));
        let opt = SimpleFileOptions::default();
        w.start_file("word/document.xml", opt).unwrap();
        write!(
            w,
            r#"<?xml version="1.0"?><w:document {W}><w:body>{body}</w:body></w:document>"#
        )
        .unwrap();
        if let Some(s) = styles {
            w.start_file("word/styles.xml", opt).unwrap();
            write!(w, r#"<w:styles {W}>{s}</w:styles>"#).unwrap();
        }
        if let Some(c) = core {
            w.start_file("docProps/core.xml", opt).unwrap();
            write!(w, r#"<cp:coreProperties xmlns:cp="x" xmlns:dc="http://purl.org/dc/elements/1.1/">{c}</cp:coreProperties>"#).unwrap();
        }
        w.finish().unwrap().into_inner()
    }

    #[test]
    fn title_by_localized_style_name_not_repeated() {
        let styles = r#"<w:style w:type="paragraph" w:styleId="a3"><w:name w:val="标题"/></w:style>
            <w:style w:type="paragraph" w:styleId="1"><w:name w:val="heading 1"/></w:style>"#;
        let body = para(Some("a3"), "大标题") + &para(Some("1"), "小节") + &para(None, "正文。");
        let doc = extract(&docx(
            &body,
            Some(styles),
            Some("<dc:title>属性标题</dc:title>"),
        ))
        .unwrap();
        assert_eq!(doc.title.as_deref(), Some("大标题"));
        assert_eq!(doc.articles[0].paragraphs, ["小节", "正文。"]);
        assert_eq!(doc.date, None);
    }

    #[test]
    fn title_from_properties_without_a_title_style() {
        let doc = extract(&docx(
            &para(None, "正文。"),
            None,
            Some("<dc:title> 属性标题 </dc:title>"),
        ))
        .unwrap();
        assert_eq!(doc.title.as_deref(), Some("属性标题"));
        assert_eq!(doc.articles[0].paragraphs, ["正文。"]);
        assert_eq!(doc.articles[0].anchor, "");
    }

    #[test]
    fn runs_tabs_deletions_and_field_codes() {
        let body = r#"<w:p><w:r><w:t>一</w:t></w:r><w:r><w:tab/><w:t>二</w:t></w:r>
            <w:del><w:r><w:delText>删掉的</w:delText></w:r></w:del>
            <w:r><w:instrText> PAGE </w:instrText></w:r><w:r><w:t>三</w:t></w:r></w:p>
            <w:p><w:r><w:t>  </w:t></w:r></w:p>"#;
        let doc = extract(&docx(body, None, None)).unwrap();
        assert_eq!(doc.articles[0].paragraphs, ["一 二三"]);
    }

    #[test]
    fn a_table_of_contents_is_left_out() {
        let toc = format!(
            r#"<w:sdt><w:sdtPr><w:docPartObj><w:docPartGallery w:val="Table of Contents"/></w:docPartObj></w:sdtPr><w:sdtContent>{}</w:sdtContent></w:sdt>"#,
            para(None, "目录") + &para(None, "第一节\t1")
        );
        let other = format!(
            r#"<w:sdt><w:sdtPr/><w:sdtContent>{}</w:sdtContent></w:sdt>"#,
            para(None, "控件里的正文。")
        );
        let body = toc + &para(None, "第一节") + &other;
        let doc = extract(&docx(&body, None, None)).unwrap();
        assert_eq!(doc.articles[0].paragraphs, ["第一节", "控件里的正文。"]);
    }

    #[test]
    fn a_document_part_that_is_no_xml_is_corrupt_not_empty() {
        let mut w = ZipWriter::new(Cursor::new(Vec::new()));
        w.start_file("word/document.xml", SimpleFileOptions::default())
            .unwrap();
        w.write_all("\u{0}\u{1} 这不是XML <<<>>> &&&".as_bytes())
            .unwrap();
        let z = w.finish().unwrap().into_inner();
        let got = extract(&z);
        assert!(
            matches!(&got, Err(ExtractError::Corrupt(why)) if why.contains("word/document.xml")),
            "{got:?}"
        );
    }

    #[test]
    fn empty_body_is_no_text_and_missing_document_is_corrupt() {
        assert_eq!(extract(&docx("", None, None)), Err(ExtractError::NoText));
        let mut w = ZipWriter::new(Cursor::new(Vec::new()));
        w.start_file("other.xml", SimpleFileOptions::default())
            .unwrap();
        w.write_all(b"<x/>").unwrap();
        let z = w.finish().unwrap().into_inner();
        assert!(
            matches!(extract(&z), Err(ExtractError::Corrupt(why)) if why.contains("word/document.xml"))
        );
    }

    #[test]
    fn resolve_targets() {
        assert_eq!(resolve("word", "styles.xml"), "word/styles.xml");
        assert_eq!(resolve("word", "../customXml/a.xml"), "customXml/a.xml");
        assert_eq!(resolve("word", "/word/x.xml"), "word/x.xml");
        assert_eq!(resolve("", "word/document.xml"), "word/document.xml");
    }
}
