//! What a news page says about itself: headline, publication date, source and author, from JSON-LD,
//! `<meta>` tags, `<h1>`, `<title>` and the visible line under the headline.

use std::sync::LazyLock;

use dom_query::Document as Dom;
use regex::Regex;

use super::blocks::{Line, tidy};

/// The fields read from a page's markup (before its visible text is looked at).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tags {
    /// `<title>`, tidied, site suffix still on.
    pub title: Option<String>,
    /// `og:title` (or `twitter:title`).
    pub og_title: Option<String>,
    /// JSON-LD `headline`.
    pub ld_headline: Option<String>,
    /// The first `<h1>` with text.
    pub h1: Option<String>,
    /// The date from JSON-LD `datePublished` or a date meta tag, `YYYY-MM-DD`.
    pub date: Option<String>,
    /// `og:site_name`, else JSON-LD `publisher.name`.
    pub site: Option<String>,
    /// `<meta name="source">`, its `来源：` prefix removed.
    pub meta_source: Option<String>,
    /// `<meta name="author">`, else JSON-LD `author` names (joined by `、`).
    pub author: Option<String>,
}

/// Date meta tags, by `name`, `property` or `itemprop`, most specific first (lower-case).
const DATE_METAS: &[&str] = &[
    "article:published_time",
    "og:published_time",
    "og:release_date",
    "datepublished",
    "pubdate",
    "publishdate",
    "publish_date",
    "publish-date",
    "publishtime",
    "published_time",
    "sailthru.date",
    "parsely-pub-date",
    "dc.date.issued",
    "dc.date",
    "dcterms.issued",
    "dcterms.date",
    "date",
];

fn clean(s: &str) -> Option<String> {
    let t = tidy(s);
    (!t.is_empty()).then_some(t)
}

/// An editor's default title, not the page's: Dreamweaver's 无标题文档 ("Untitled Document") is on many
/// older Chinese pages.
fn is_placeholder_title(t: &str) -> bool {
    let t = t.trim().to_ascii_lowercase();
    [
        "无标题文档",
        "無標題文件",
        "无标题",
        "未命名",
        "untitled document",
        "untitled",
        "new page 1",
        "document",
    ]
    .contains(&t.as_str())
}

/// Reads [`Tags`] from a parsed page.
pub fn read_tags(dom: &Dom) -> Tags {
    let mut tags = Tags::default();
    let mut metas: Vec<(String, String)> = Vec::new();
    for m in dom.select("meta").iter() {
        let key = m
            .attr("property")
            .or_else(|| m.attr("name"))
            .or_else(|| m.attr("itemprop"))
            .map(|k| k.trim().to_ascii_lowercase());
        let value = m.attr("content").map(|v| v.to_string());
        if let (Some(k), Some(v)) = (key, value) {
            metas.push((k, v));
        }
    }
    let meta = |k: &str| {
        metas
            .iter()
            .find(|(key, v)| key == k && !v.trim().is_empty())
            .and_then(|(_, v)| clean(v))
    };
    tags.title = dom
        .select("title")
        .iter()
        .find_map(|t| clean(&t.text()))
        .filter(|t| !is_placeholder_title(t));
    tags.og_title = meta("og:title").or_else(|| meta("twitter:title"));
    tags.h1 = dom.select("h1").iter().find_map(|h| clean(&h.text()));
    tags.site = meta("og:site_name");
    tags.meta_source = meta("source")
        .map(|s| SOURCE_PREFIX.replace(&s, "").trim().to_string())
        .filter(|s| !s.is_empty());
    tags.author = meta("author").or_else(|| meta("article:author").filter(|a| !a.contains("://")));
    let ld = json_ld(dom);
    tags.ld_headline = ld.headline;
    tags.date = ld
        .date
        .as_deref()
        .and_then(parse_date)
        .or_else(|| {
            DATE_METAS
                .iter()
                .find_map(|k| meta(k).as_deref().and_then(parse_date))
        })
        .or_else(|| {
            dom.select("time[itemprop=datePublished], time[pubdate]")
                .iter()
                .find_map(|t| t.attr("datetime").as_deref().and_then(parse_date))
        });
    if tags.site.is_none() {
        tags.site = ld.publisher;
    }
    if tags.author.is_none() {
        tags.author = ld.author;
    }
    tags
}

#[derive(Default)]
struct LdFields {
    headline: Option<String>,
    date: Option<String>,
    publisher: Option<String>,
    author: Option<String>,
}

/// The first article-like object of the page's JSON-LD blocks (`@graph` and arrays looked into).
fn json_ld(dom: &Dom) -> LdFields {
    let mut out = LdFields::default();
    for script in dom.select(r#"script[type="application/ld+json"]"#).iter() {
        let Ok(value) = serde_json::from_str::<serde_json::Value>(script.text().trim()) else {
            continue;
        };
        let mut stack = vec![&value];
        while let Some(v) = stack.pop() {
            match v {
                serde_json::Value::Array(items) => stack.extend(items.iter().rev()),
                serde_json::Value::Object(o) => {
                    if let Some(g) = o.get("@graph") {
                        stack.push(g);
                    }
                    let text = |k: &str| o.get(k).and_then(|v| v.as_str()).and_then(clean);
                    if out.date.is_none() {
                        out.date = text("datePublished").or_else(|| text("dateCreated"));
                    }
                    if out.headline.is_none() {
                        out.headline = text("headline");
                    }
                    if out.publisher.is_none() {
                        out.publisher = o
                            .get("publisher")
                            .and_then(|p| p.get("name"))
                            .and_then(|n| n.as_str())
                            .and_then(clean);
                    }
                    if out.author.is_none() {
                        out.author = o.get("author").and_then(names);
                    }
                }
                _ => {}
            }
        }
    }
    out
}

/// The name(s) of a JSON-LD author: a string, an object with `name`, or an array of them.
fn names(v: &serde_json::Value) -> Option<String> {
    let list: Vec<String> = match v {
        serde_json::Value::String(s) => clean(s).into_iter().collect(),
        serde_json::Value::Object(o) => o
            .get("name")
            .and_then(|n| n.as_str())
            .and_then(clean)
            .into_iter()
            .collect(),
        serde_json::Value::Array(a) => a.iter().filter_map(names).collect(),
        _ => Vec::new(),
    };
    (!list.is_empty()).then(|| list.join("、"))
}

static SOURCE_PREFIX: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s*(来源|來源|稿源|出处)\s*[：:]\s*").unwrap());

/// A date: year, month and day as digits with `-`, `/`, `.` or 年月日 between them, not inside a longer
/// number.
static DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|[^0-9])((?:19|20)\d{2})\s*(?:年|-|/|\.)\s*(\d{1,2})\s*(?:月|-|/|\.)\s*(\d{1,2})(?:[^0-9]|$)")
        .unwrap()
});

/// A `来源：` line's value: up to a space, a bar or a slash.
static SOURCE_LINE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?:来源|來源|稿源)\s*[：:]\s*([^\s|｜/　]+)").unwrap());

/// The first valid date in `s` as `YYYY-MM-DD` (`2023-03-02T08:30:00+08:00`, `2012年06月05日`,
/// `2012/6/5`), or a compact `20230302` at its start.
pub fn parse_date(s: &str) -> Option<String> {
    // Full-width digits and separators (２０１２／０６／０５) read as ASCII ones.
    let folded: String = s
        .chars()
        .map(|c| match c {
            '０'..='９' | '／' | '－' | '．' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            _ => c,
        })
        .collect();
    let s = folded.as_str();
    for c in DATE.captures_iter(s) {
        let y: u16 = c[1].parse().ok()?;
        let m: u8 = c[2].parse().ok()?;
        let d: u8 = c[3].parse().ok()?;
        if (1..=12).contains(&m) && d >= 1 && d <= crate::corpus::date::days_in_month(y, m) {
            return Some(format!("{y:04}-{m:02}-{d:02}"));
        }
    }
    let t = s.trim();
    if t.len() >= 8
        && t.as_bytes()[..8].iter().all(u8::is_ascii_digit)
        && t.get(8..9)
            .is_none_or(|c| !c.chars().all(|c| c.is_ascii_digit()))
    {
        return parse_date(&format!("{}-{}-{}", &t[..4], &t[4..6], &t[6..8]));
    }
    None
}

/// A `作者：`/`记者：` line's names (`作者：张三 李四` → `张三 李四`; `本报记者 张三` → `张三`), each 2–4 Han
/// characters (or with a `·`).
pub fn author_value(line: &str) -> Option<String> {
    static AUTHOR: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r"(?:作者|记者|記者)(?:\s*[：:]\s*|\s+)([\p{Han}·]{2,4}(?:[ 　、][\p{Han}·]{2,4})*)",
        )
        .unwrap()
    });
    let names = AUTHOR.captures(line)?[1].trim().to_string();
    (!names.is_empty()).then_some(names)
}

/// A `来源：` value, the original source of a portal's reprint (`人民网－人民日报` → `人民日报`).
pub fn source_value(line: &str) -> Option<String> {
    let c = SOURCE_LINE.captures(line)?;
    clean_source(&c[1])
}

/// A source's name: the part after the last full-width dash or em dash (`人民网－人民日报` is "People's
/// Daily, on people.cn"), words such as 作者/编辑 that follow it cut off.
pub fn clean_source(s: &str) -> Option<String> {
    let mut v = s.trim().to_string();
    for stop in [
        "作者",
        "责任编辑",
        "编辑",
        "责编",
        "发布时间",
        "时间",
        "日期",
        "責任編輯",
        "編輯",
        "責編",
        "發布時間",
        "時間",
    ] {
        if let Some(i) = v.find(stop) {
            v.truncate(i);
        }
    }
    let v = v
        .rsplit(['－', '—', '―'])
        .find(|p| !p.trim().is_empty())
        .unwrap_or("")
        .trim()
        .trim_matches(|c: char| {
            matches!(
                c,
                '，' | ','
                    | '。'
                    | '：'
                    | ':'
                    | '【'
                    | '】'
                    | '['
                    | ']'
                    | '（'
                    | '）'
                    | '('
                    | ')'
                    | '《'
                    | '》'
                    | '“'
                    | '”'
            )
        });
    let n = v.chars().count();
    (2..=30).contains(&n).then(|| v.to_string())
}

/// Separators between a headline and the site's name in a `<title>`.
const TITLE_SEPARATORS: &[&str] = &["--", "——", "_", "|", "｜", " - ", " – ", " — ", "－", "-"];

/// Whether a `<title>`'s tail after a separator names a site or a section rather than continuing the
/// headline.
fn is_site_like(tail: &str, site: Option<&str>) -> bool {
    let t = tail.trim();
    if t.is_empty() {
        return true;
    }
    if site.is_some_and(|s| !s.is_empty() && (t.contains(s) || s.contains(t))) {
        return true;
    }
    let n = t.chars().count();
    n <= 16
        && ([
            "网",
            "报",
            "台",
            "社",
            "站",
            "频道",
            "新闻",
            "在线",
            "客户端",
            "门户",
            "资讯",
            "观察",
            "日报",
            "晚报",
            "时报",
        ]
        .iter()
        .any(|s| t.ends_with(s))
            || [".com", ".cn", ".net", ".org"]
                .iter()
                .any(|s| t.to_ascii_lowercase().contains(s)))
}

/// A `<title>` without the site's name and sections after it (`标题--社会·法治--人民网` → `标题`,
/// `标题_澎湃新闻`, `标题 | 财新网`, `标题-新华网`). `_`, `|` and `--` always separate a tail; a dash or
/// a colon only before something that looks like a site or section name (the site's own name, or a
/// short name ending in 网, 报, 频道…), so `2017-2018冬春航季` stays whole.
pub fn strip_site_suffix(title: &str, site: Option<&str>) -> String {
    let mut t = title.trim().to_string();
    loop {
        let mut cut = None;
        for sep in TITLE_SEPARATORS {
            if let Some(i) = t.rfind(sep) {
                let head = t[..i].trim();
                let tail = &t[i + sep.len()..];
                if head.is_empty() {
                    continue;
                }
                let strong = matches!(*sep, "--" | "——" | "_" | "|" | "｜");
                let section = strong && tail.trim().chars().count() <= 20;
                if section || is_site_like(tail, site) {
                    // The cut nearest the end wins, so sections come off one at a time.
                    if cut.as_ref().is_none_or(|(j, _)| i > *j) {
                        cut = Some((i, head.to_string()));
                    }
                }
            }
        }
        match cut {
            Some((_, head)) => t = head,
            None => return t,
        }
    }
}

/// The page's headline: the `<h1>` when the title or `og:title` agrees with it (holds it as most of its
/// text; a logo or a section's name in an `<h1>` does not), else `og:title`, JSON-LD `headline`, the `<title>` without its site suffix, else the `<h1>`.
pub fn headline(tags: &Tags) -> Option<String> {
    let site = tags.site.as_deref();
    let title = tags.title.as_deref().map(|t| strip_site_suffix(t, site));
    let og = tags.og_title.as_deref().map(|t| strip_site_suffix(t, site));
    if let Some(h1) = &tags.h1 {
        // The h1 is the title, holds it (a kicker around it), or is most of it (the title adds a
        // subtitle); a short h1 inside a long title is a section's name.
        let h1_len = h1.chars().count();
        let agrees = |t: &Option<String>| {
            t.as_deref().is_some_and(|t| {
                !t.is_empty()
                    && (h1.contains(t)
                        || (t.contains(h1.as_str()) && 2 * h1_len >= t.chars().count()))
            })
        };
        if agrees(&title) || agrees(&og) || agrees(&tags.ld_headline) {
            return Some(h1.clone());
        }
    }
    og.filter(|t| !t.is_empty())
        .or_else(|| tags.ld_headline.clone())
        .or_else(|| title.filter(|t| !t.is_empty()))
        .or_else(|| tags.h1.clone())
}

/// The lines around the headline that carry the date and source (`2012年06月05日 09:15:27　来源：新华网`):
/// the few lines after the headline's line, else the few lines before the body's first paragraph.
/// Never the page's footer, whose copyright years are not the article's date.
pub fn header_lines<'a>(
    lines: &'a [Line],
    headline: Option<&str>,
    body_start: Option<usize>,
) -> &'a [Line] {
    const AFTER_HEADLINE: usize = 4;
    const BEFORE_BODY: usize = 6;
    if let Some(h) = headline
        && let Some(i) = lines
            .iter()
            .position(|l| l.text == h || (l.heading && l.text.contains(h)))
    {
        let end = (i + 1 + AFTER_HEADLINE).min(lines.len());
        let end = body_start.filter(|&b| b > i).map_or(end, |b| end.min(b));
        return &lines[i + 1..end];
    }
    match body_start {
        Some(b) => &lines[b.saturating_sub(BEFORE_BODY)..b],
        None => &[],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_in_the_forms_pages_use() {
        assert_eq!(
            parse_date("2023-03-02T08:30:00+08:00").as_deref(),
            Some("2023-03-02")
        );
        assert_eq!(
            parse_date("2012年06月05日 09:15:27").as_deref(),
            Some("2012-06-05")
        );
        assert_eq!(
            parse_date("发布时间：2012/6/5").as_deref(),
            Some("2012-06-05")
        );
        assert_eq!(parse_date("20230301").as_deref(), Some("2023-03-01"));
        assert_eq!(parse_date("Copyright © 1997-2023 by test.example"), None);
        assert_eq!(parse_date("2023-02-30"), None);
        assert_eq!(parse_date("电话 12023-03-01"), None);
    }

    #[test]
    fn titles_lose_the_site_not_the_headline() {
        assert_eq!(
            strip_site_suffix("中国空间技术研究院--社会·法治--人民网", None),
            "中国空间技术研究院"
        );
        assert_eq!(strip_site_suffix("广茂铁路_澎湃新闻", None), "广茂铁路");
        assert_eq!(strip_site_suffix("广茂铁路 | 财新网", None), "广茂铁路");
        assert_eq!(
            strip_site_suffix("且末机场迁建-新华网", None),
            "且末机场迁建"
        );
        assert_eq!(
            strip_site_suffix("2017-2018冬春航季开始", None),
            "2017-2018冬春航季开始"
        );
        assert_eq!(
            strip_site_suffix("广茂铁路 - 澎湃测试", Some("澎湃测试")),
            "广茂铁路"
        );
    }

    #[test]
    fn a_section_name_in_h1_is_not_the_headline() {
        let tags = |h1: &str| Tags {
            title: Some("前三季度国民经济运行总体平稳_财经_新华网".into()),
            h1: Some(h1.into()),
            ..Default::default()
        };
        assert_eq!(
            headline(&tags("财经")).as_deref(),
            Some("前三季度国民经济运行总体平稳")
        );
        assert_eq!(
            headline(&tags("新华网")).as_deref(),
            Some("前三季度国民经济运行总体平稳")
        );
        assert_eq!(
            headline(&tags("前三季度国民经济运行总体平稳")).as_deref(),
            Some("前三季度国民经济运行总体平稳")
        );
        assert_eq!(
            headline(&tags("国民经济运行总体平稳")).as_deref(),
            Some("国民经济运行总体平稳")
        );
    }

    #[test]
    fn author_lines() {
        assert_eq!(
            author_value("作者：张三 李四 | 来源：新华网").as_deref(),
            Some("张三 李四")
        );
        assert_eq!(
            author_value("本报记者 王小明 2023年03月01日").as_deref(),
            Some("王小明")
        );
        assert_eq!(author_value("2023年03月01日 来源：新华网"), None);
        assert_eq!(author_value("记者从国家统计局获悉"), None);
    }

    #[test]
    fn source_lines() {
        assert_eq!(
            source_value("测试记者 2023年03月01日06:12 | 来源：人民网－人民日报").as_deref(),
            Some("人民日报")
        );
        assert_eq!(
            source_value("2012年06月05日 09:15:27　　来源：新华网").as_deref(),
            Some("新华网")
        );
        assert_eq!(
            source_value("来源: 澎湃新闻 作者：张三").as_deref(),
            Some("澎湃新闻")
        );
        assert_eq!(source_value("来源：作者"), None);
    }
}
