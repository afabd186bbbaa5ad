//! Saved web pages, HTML and MHTML (issue 20): one page is one article, its body without the page's
//! navigation, lists of related news, toolbars, comments and footer.
//!
//! The steps, each in its module:
//! 1. bytes to text in the page's encoding ([`charset`]: BOM, MHTML part charset, `<meta>`, detection;
//!    GB2312 read as GBK as browsers do; mojibake refused as [`ExtractError::Undecodable`]);
//! 2. the main content, found by `dom_smoothie` (a port of Mozilla's Readability), cut into paragraphs
//!    ([`blocks`]), then a Chinese layer drops what Readability keeps of a Chinese portal's template
//!    (相关新闻 lists, 分享到 toolbars, 【打印本页】, 责编 lines, ICP licences, link lists);
//! 3. headline, date, source and author from JSON-LD, `<meta>` tags, `<h1>`, `<title>` and the line under
//!    the headline ([`meta`]).
//!
//! An MHTML file (RFC 2557, a browser's "save as single file") is a MIME message: its root `text/html`
//! part, decoded from quoted-printable or base64, goes the same way ([`mhtml`]).

pub mod blocks;
pub mod charset;
pub mod meta;
pub mod mhtml;

use std::sync::LazyLock;

use regex::Regex;

use super::document::{DocArticle, Document, ExtractError};
use blocks::Line;

/// The version of the web page extractor ([`super::document::extractor_version`]).
pub const EXTRACTOR_VERSION: u32 = 1;

/// Pages larger than this are refused (a saved page is rarely over a few MiB; a 100 MiB "page" is a
/// dump that would take the parser's time and memory).
pub const MAX_PAGE_BYTES: usize = 64 << 20;

/// Reads an HTML page: one [`DocArticle`] (empty anchor) with the body's paragraphs, and the page's
/// headline, date (`YYYY-MM-DD`) and source on the [`Document`]; the author, where the page names one, is
/// the article's byline. A truncated page yields what it has.
///
/// # Errors
/// [`ExtractError::Undecodable`] when the bytes decode in no encoding (see [`charset::decode_page`]),
/// [`ExtractError::NoText`] when no body text is left once the template is dropped,
/// [`ExtractError::TooLarge`] over [`MAX_PAGE_BYTES`].
pub fn extract_html(bytes: &[u8]) -> Result<Document, ExtractError> {
    check_size(bytes)?;
    let page = charset::decode_page(bytes, None)?;
    read_page(&page.text)
}

/// Reads a web page saved as MHTML: its root `text/html` part ([`mhtml::root_html`]), decoded from its
/// transfer encoding and charset, then as [`extract_html`].
///
/// # Errors
/// [`ExtractError::Corrupt`] when the file is no MIME message or has no HTML part, and those of
/// [`extract_html`].
pub fn extract_mhtml(bytes: &[u8]) -> Result<Document, ExtractError> {
    check_size(bytes)?;
    let part = mhtml::root_html(bytes)?;
    let page = charset::decode_page(&part.body, part.charset.as_deref())?;
    read_page(&page.text)
}

fn check_size(bytes: &[u8]) -> Result<(), ExtractError> {
    if bytes.len() > MAX_PAGE_BYTES {
        return Err(ExtractError::TooLarge(format!(
            "a web page of {} MiB (the limit is {} MiB)",
            bytes.len() >> 20,
            MAX_PAGE_BYTES >> 20
        )));
    }
    Ok(())
}

/// How deep elements may nest: deeper ones are unwrapped ([`blocks::flatten`]), their text kept. Real pages
/// nest a few dozen levels; a page nesting thousands would overflow the stack of the tree walks (ours and
/// Readability's), which aborts the process.
pub const MAX_DEPTH: usize = 256;

/// Pages nesting elements deeper than this ([`nesting_depth`]) are refused: the HTML parser's time grows
/// with the square of the depth (each tag looks through the stack of open elements), some 10 s for
/// 10,000 levels, minutes for 100,000. Real pages nest a few dozen levels; a page with thousands of
/// unclosed `<div>`s or `<font>`s is still read.
pub const MAX_NESTING: usize = 8192;

/// Reads a decoded page.
fn read_page(html: &str) -> Result<Document, ExtractError> {
    let depth = nesting_depth(html);
    if depth > MAX_NESTING {
        return Err(ExtractError::TooLarge(format!(
            "a page whose elements nest {depth} deep (the limit is {MAX_NESTING})"
        )));
    }
    let dom = dom_query::Document::from(html);
    blocks::flatten(&dom, MAX_DEPTH);
    let tags = meta::read_tags(&dom);
    let headline = meta::headline(&tags);
    let page_lines = blocks::lines(&dom.root());

    let content = main_content(dom);
    let mut paragraphs = body_paragraphs(&content, headline.as_deref());
    if paragraphs.is_empty() {
        // Readability found nothing (or only template): the page's own longer lines, template dropped.
        paragraphs = body_paragraphs(&page_lines, headline.as_deref())
            .into_iter()
            .filter(|p| p.chars().count() >= 20)
            .collect();
    }
    if paragraphs.is_empty() {
        return Err(ExtractError::NoText);
    }

    // The date and source lines sit between the headline and the body.
    let body_start = page_lines.iter().position(|l| l.text == paragraphs[0]);
    let header = meta::header_lines(&page_lines, headline.as_deref(), body_start);
    let visible_date = header.iter().find_map(|l| meta::parse_date(&l.text));
    // A 来源 line under the headline, else one closing the article (（来源：人民日报）).
    let visible_source = header
        .iter()
        .chain(content.iter().filter(|l| {
            l.text.chars().count() <= TEMPLATE_LINE_CHARS && SOURCE_NOTE.is_match(&l.text)
        }))
        .find_map(|l| meta::source_value(&l.text));
    // The author: the page's meta or JSON-LD, else a 作者：/记者 line under the headline.
    let byline = tags
        .author
        .clone()
        .or_else(|| header.iter().find_map(|l| meta::author_value(&l.text)));
    let source = visible_source
        .or_else(|| tags.meta_source.as_deref().and_then(meta::clean_source))
        .or_else(|| tags.site.clone());

    Ok(Document {
        title: headline,
        date: tags.date.clone().or(visible_date),
        source,
        articles: vec![DocArticle {
            byline,
            paragraphs,
            ..Default::default()
        }],
    })
}

/// The lines of the page's main content as Readability (`dom_smoothie`) finds it; empty when it finds none.
fn main_content(dom: dom_query::Document) -> Vec<Line> {
    let cfg = dom_smoothie::Config {
        // Chinese packs more in a character than English: a short news item is a few hundred.
        char_threshold: 200,
        ..Default::default()
    };
    let Ok(mut readability) = dom_smoothie::Readability::with_document(dom, None, Some(cfg)) else {
        return Vec::new();
    };
    match readability.parse() {
        Ok(article) => {
            let dom = dom_query::Document::from(article.content.as_ref());
            blocks::lines(&dom.root())
        }
        Err(_) => Vec::new(),
    }
}

/// Template lines of Chinese news sites, kept out of the body wherever Readability leaves them, when
/// short ([`TEMPLATE_LINE_CHARS`]; a body paragraph may well mention 版权所有): licences, copyright,
/// editor's and original-title lines, whatever their punctuation.
static TEMPLATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"[IＩ][CＣ][PＰ][备证備證]|公网安备|公網安備|版权所有|版權所有|[Cc]opyright|©|All [Rr]ights [Rr]eserved|",
        r"责任?编辑?\s*[：:]|責任?編輯?\s*[：:]|^[(（]\s*[责責]编|特别声明|免责声明|特別聲明|免責聲明|",
        r"^标签\s*[：:]|^標籤\s*[：:]|^原标题\s*[：:]|^原標題\s*[：:]"
    ))
    .unwrap()
});

/// Words of lists, toolbars and comment boxes (相关新闻, 分享到, 【纠错】, 扫一扫…): template in a short
/// line that does not end as a sentence does (扫描二维码即可报名。 is body text).
static TEMPLATE_WORDS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"相关新闻|相关阅读|相关报道|相关链接|延伸阅读|推荐阅读|热点排行|点击排行|热门推荐|热榜|猜你喜欢|",
        r"相關新聞|相關閱讀|相關報導|相關連結|延伸閱讀|推薦閱讀|熱門|點擊排行|",
        r"分享到|分享至|打印本页|关闭窗口|纠错|收藏本文|返回顶部|上一篇|下一篇|[大中小]字号|字号\s*[：:]|",
        r"列印|關閉視窗|糾錯|返回頂部|上一篇|下一篇|[大中小]字號|字號\s*[：:]|",
        r"网友评论|发表评论|我要评论|评论\s*\(|扫一扫|二维码|網友評論|發表評論|掃一掃|二維碼"
    ))
    .unwrap()
});

/// Whether a line ends as a sentence does (。！？… before any closing quote or bracket).
fn ends_as_sentence(text: &str) -> bool {
    text.trim_end_matches(['”', '’', '」', '』', '）', ')', '"', '\''])
        .ends_with(['。', '！', '？', '!', '?', '…'])
}

/// Whether a line is template: a [`TEMPLATE`] line, or [`TEMPLATE_WORDS`] in a line that is no sentence.
fn is_template(text: &str) -> bool {
    text.chars().count() <= TEMPLATE_LINE_CHARS
        && (TEMPLATE.is_match(text) || (TEMPLATE_WORDS.is_match(text) && !ends_as_sentence(text)))
}

/// A line that is a source note (`（来源：人民日报）`, `本文来源：新华社`), not a sentence that mentions one.
static SOURCE_NOTE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^[（(【\[]?\s*(本文|文章|稿件)?(来源|來源|稿源)\s*[：:]").unwrap()
});

/// Lines of a page's template up to this many characters are dropped.
const TEMPLATE_LINE_CHARS: usize = 80;

/// The body's paragraphs from content lines: link lists (navigation, related news) and template lines
/// dropped, and the headline and the date/source line above the body.
fn body_paragraphs(lines: &[Line], headline: Option<&str>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut skipping_list = false;
    for line in lines {
        let text = line.text.as_str();
        let n = text.chars().count();
        // A heading such as 相关新闻 or 网友评论 starts a section of template: skip it to the next
        // heading. Other headings are the article's subheads (一、稳就业), body text.
        if line.heading {
            skipping_list = is_template(text);
            if skipping_list {
                continue;
            }
        }
        if skipping_list {
            continue;
        }
        if headline.is_some_and(|h| text == h) {
            continue;
        }
        if line.link_density() > 0.5 {
            continue;
        }
        if is_template(text) {
            continue;
        }
        if n <= TEMPLATE_LINE_CHARS && is_dateline_meta(text) {
            continue;
        }
        out.push(text.to_string());
    }
    out
}

/// A short line under a headline giving its date, time, source or author (`测试记者 2023年03月01日06:12 |
/// 来源：人民网`), not body text: no sentence, and a 来源/作者 label, or in at most 40 characters a full
/// date with a time or a label (发布时间, 日期). 活动时间：10月1日 and a paragraph cut after
/// `1970年4月24日，中国` are body text.
fn is_dateline_meta(text: &str) -> bool {
    static LABEL: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"来源\s*[：:]|來源\s*[：:]|作者\s*[：:]").unwrap());
    static DATE_LABEL: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"\d{1,2}:\d{2}|发布|發布|时间|時間|日期|更新").unwrap());
    !ends_as_sentence(text)
        && (LABEL.is_match(text)
            || (text.chars().count() <= 40
                && DATE_LABEL.is_match(text)
                && meta::parse_date(text).is_some()))
}

/// How deep the page's elements nest, as its tags count them in one pass (no parsing): each start tag
/// opens a level and each end tag closes one, except void elements (`<br>`, `<img>`…), the elements a
/// parser closes by itself when their sibling starts (`<p>`, `<li>`, `<td>`…), `<html>`, `<head>` and
/// `<body>`, and self-closed tags; comments, declarations, and the text of `<script>`, `<style>`,
/// `<textarea>` and `<title>` are skipped. The deepest level reached.
pub fn nesting_depth(html: &str) -> usize {
    const FLAT: &[&str] = &[
        "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
        "source", "track", "wbr", "basefont", "bgsound", "frame", "keygen", "image", "p", "li",
        "dt", "dd", "tr", "td", "th", "tbody", "thead", "tfoot", "option", "optgroup", "rb", "rt",
        "rp", "rtc", "colgroup", "caption", "html", "head", "body",
    ];
    const RAW: &[&str] = &["script", "style", "textarea", "title", "xmp", "noscript"];
    let b = html.as_bytes();
    let find = |from: usize, pat: &[u8]| -> usize {
        b[from.min(b.len())..]
            .windows(pat.len())
            .position(|w| w.eq_ignore_ascii_case(pat))
            .map_or(b.len(), |i| from + i + pat.len())
    };
    let (mut depth, mut deepest, mut i) = (0usize, 0usize, 0usize);
    while let Some(lt) = b[i..].iter().position(|&c| c == b'<') {
        i += lt + 1;
        if b[i..].starts_with(b"!--") {
            i = find(i + 3, b"-->");
            continue;
        }
        if b[i..].starts_with(b"!") || b[i..].starts_with(b"?") {
            i = find(i, b">");
            continue;
        }
        let end = b[i..].starts_with(b"/");
        let start = i + usize::from(end);
        let len = b[start..]
            .iter()
            .position(|c| !c.is_ascii_alphanumeric())
            .unwrap_or(b.len() - start);
        if len == 0 || !b[start].is_ascii_alphabetic() {
            continue; // a `<` in text
        }
        let name = html[start..start + len].to_ascii_lowercase();
        let close = find(start + len, b">");
        let self_closed = close >= 2 && b.get(close - 2) == Some(&b'/');
        i = close;
        if FLAT.contains(&name.as_str()) {
            continue;
        }
        if end {
            depth = depth.saturating_sub(1);
        } else if !self_closed {
            depth += 1;
            deepest = deepest.max(depth);
            if RAW.contains(&name.as_str()) {
                // Its text is no markup: skip to its end tag, which closes it.
                i = find(i, format!("</{name}").as_bytes());
                depth -= 1;
            }
        }
    }
    deepest
}

#[cfg(test)]
mod tests;
