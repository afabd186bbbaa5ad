//! The visible text of an HTML tree as lines, the way a reader sees it: a block element (`<p>`, `<div>`,
//! `<li>`, `<h1>`, a layout `<td>`…) or a `<br>` ends a line; a data table's row is one line, its cells
//! separated by a tab; scripts, styles and form controls are not text.

use dom_query::NodeRef;

/// One line of visible text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// The text, whitespace collapsed and trimmed (ideographic spaces too), never empty.
    pub text: String,
    /// How many of its characters are inside links (`<a>`): navigation and lists of related news are
    /// mostly links, body text is not.
    pub link_chars: usize,
    /// The element that ended up holding it was a heading (`<h1>`…`<h6>`).
    pub heading: bool,
}

impl Line {
    /// The share of its characters inside links (spaces not counted), 0.0–1.0.
    pub fn link_density(&self) -> f64 {
        let visible = self.text.chars().filter(|c| !c.is_whitespace()).count();
        self.link_chars as f64 / visible.max(1) as f64
    }
}

/// Elements whose content is never read as text.
const SKIPPED: &[&str] = &[
    "script", "style", "noscript", "template", "head", "iframe", "object", "embed", "svg", "math",
    "select", "option", "button", "input", "textarea", "canvas", "video", "audio", "map",
];

/// Elements that start and end a line.
const BLOCKS: &[&str] = &[
    "p",
    "div",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "li",
    "ul",
    "ol",
    "dl",
    "dt",
    "dd",
    "table",
    "tbody",
    "thead",
    "tfoot",
    "tr",
    "td",
    "th",
    "caption",
    "section",
    "article",
    "header",
    "footer",
    "nav",
    "aside",
    "main",
    "blockquote",
    "pre",
    "figure",
    "figcaption",
    "center",
    "hr",
    "address",
    "form",
    "fieldset",
    "legend",
    "details",
    "summary",
    "body",
    "html",
];

#[derive(Default)]
struct Walk {
    lines: Vec<Line>,
    cur: String,
    link_chars: usize,
    in_link: usize,
    heading: usize,
    cur_heading: bool,
}

impl Walk {
    fn push_text(&mut self, s: &str) {
        for c in s.chars() {
            if c.is_whitespace() && self.cur.is_empty() {
                continue;
            }
            self.cur.push(c);
            if self.in_link > 0 && !c.is_whitespace() {
                self.link_chars += 1;
            }
        }
        if self.heading > 0 && !s.trim().is_empty() {
            self.cur_heading = true;
        }
    }

    fn flush(&mut self) {
        let text = tidy(&self.cur);
        if !text.is_empty() {
            let n = text.chars().count();
            self.lines.push(Line {
                text,
                link_chars: self.link_chars.min(n),
                heading: self.cur_heading,
            });
        }
        self.cur.clear();
        self.link_chars = 0;
        self.cur_heading = false;
    }

    fn walk(&mut self, node: &NodeRef) {
        if node.is_text() {
            self.push_text(&node.text());
            return;
        }
        if !node.is_element() && !node.is_document() && !node.is_fragment() {
            return;
        }
        let name = node
            .node_name()
            .map(|n| n.to_ascii_lowercase())
            .unwrap_or_default();
        if SKIPPED.contains(&name.as_str()) {
            return;
        }
        if name == "br" {
            self.flush();
            return;
        }
        if name == "img" {
            return;
        }
        if name == "tr" && is_data_row(node) {
            self.flush();
            let cells: Vec<String> = node
                .element_children()
                .iter()
                .map(|c| tidy(&c.text()))
                .collect();
            let row = cells.join("\t").trim().to_string();
            if !row.is_empty() {
                // A row of links is navigation (an old layout's menu), not data.
                let link_chars = node
                    .descendants()
                    .iter()
                    .filter(|d| d.node_name().is_some_and(|n| n.eq_ignore_ascii_case("a")))
                    .map(|a| a.text().chars().filter(|c| !c.is_whitespace()).count())
                    .sum::<usize>()
                    .min(row.chars().count());
                self.lines.push(Line {
                    text: row,
                    link_chars,
                    heading: false,
                });
            }
            return;
        }
        let block = BLOCKS.contains(&name.as_str());
        let heading = matches!(name.as_str(), "h1" | "h2" | "h3" | "h4" | "h5" | "h6");
        if block {
            self.flush();
        }
        if name == "a" {
            self.in_link += 1;
        }
        if heading {
            self.heading += 1;
        }
        for child in node.children_it(false) {
            self.walk(&child);
        }
        if heading {
            self.heading -= 1;
        }
        if name == "a" {
            self.in_link -= 1;
        }
        if block {
            self.flush();
        }
    }
}

/// A table row of at least two cells holding only inline content: a data table's row (a layout table's
/// cells hold paragraphs, line breaks or further tables).
fn is_data_row(tr: &NodeRef) -> bool {
    let cells = tr.element_children();
    cells.len() >= 2
        && cells.iter().all(|c| {
            c.descendants().iter().all(|d| {
                !d.is_element()
                    || !d.node_name().is_some_and(|n| {
                        let n = n.to_ascii_lowercase();
                        n == "br" || (BLOCKS.contains(&n.as_str()) && n != "center")
                    })
            })
        })
}

/// Trims a line (ASCII and ideographic spaces, no-break spaces) and collapses each run of other
/// whitespace to one space, or to nothing where the run holds a line break between two wide characters (a
/// line break inside Chinese text in the source is not a space, as in CSS Text 3's segment break rules).
pub fn tidy(s: &str) -> String {
    let is_space = |c: char| c.is_whitespace() && c != '\u{3000}';
    let mut out = String::with_capacity(s.len());
    let mut chars = s.trim().chars().peekable();
    while let Some(c) = chars.next() {
        if !is_space(c) {
            out.push(c);
            continue;
        }
        let mut newline = matches!(c, '\n' | '\r');
        while let Some(&d) = chars.peek() {
            if !is_space(d) {
                break;
            }
            newline |= matches!(d, '\n' | '\r');
            chars.next();
        }
        let prev = out.chars().last();
        let next = chars.peek().copied();
        if newline && prev.is_some_and(is_wide) && next.is_some_and(is_wide) {
            continue;
        }
        out.push(' ');
    }
    out
}

/// A CJK ideograph or full-width punctuation (where no space separates words).
pub fn is_wide(c: char) -> bool {
    matches!(c,
        '\u{2E80}'..='\u{303F}' | '\u{3040}'..='\u{30FF}' | '\u{3400}'..='\u{4DBF}' | '\u{4E00}'..='\u{9FFF}'
        | '\u{F900}'..='\u{FAFF}' | '\u{FE30}'..='\u{FE4F}' | '\u{FF00}'..='\u{FFEF}'
        | '\u{20000}'..='\u{3134F}')
}

/// Unwraps every element nested deeper than `max_depth` (its children take its place), so that no tree
/// walk recurses deeper than that; text is kept, the line breaks of blocks that deep are not.
pub fn flatten(dom: &dom_query::Document, max_depth: usize) {
    let mut deep = Vec::new();
    let mut stack = vec![(dom.root(), 0usize)];
    while let Some((node, depth)) = stack.pop() {
        if depth > max_depth && node.is_element() && node.first_child().is_some() {
            deep.push(node);
        }
        for child in node.children_it(false) {
            stack.push((child, depth + 1));
        }
    }
    for node in deep {
        // unwrap_node removes the parent of the node it is called on.
        if let Some(child) = node.first_child() {
            child.unwrap_node();
        }
    }
}

/// The visible lines under `node`, in document order.
pub fn lines(node: &NodeRef) -> Vec<Line> {
    let mut walk = Walk::default();
    walk.walk(node);
    walk.flush();
    walk.lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(html: &str) -> Vec<String> {
        let doc = dom_query::Document::from(html);
        lines(&doc.root()).into_iter().map(|l| l.text).collect()
    }

    #[test]
    fn blocks_and_breaks_end_lines() {
        assert_eq!(
            texts(
                "<p>　　第一段，\n  有换行。</p><div>第二<b>段</b><br><br>　第三段 </div><script>var a;</script>"
            ),
            ["第一段，有换行。", "第二段", "第三段"]
        );
        assert_eq!(texts("<p>Hello\n world</p>"), ["Hello world"]);
        assert_eq!(texts("<p>微信 微博\tQQ空间</p>"), ["微信 微博 QQ空间"]);
    }

    #[test]
    fn a_data_row_is_one_line_with_tabs() {
        assert_eq!(
            texts(
                "<table><tr><td>项目</td><td>金额</td></tr><tr><td>跑道</td><td>5.81亿元</td></tr></table>"
            ),
            ["项目\t金额", "跑道\t5.81亿元"]
        );
    }

    #[test]
    fn a_row_of_links_is_counted_as_links_and_rows_are_trimmed() {
        let doc = dom_query::Document::from(
            "<table><tr><td><a href=/>首页</a></td><td><a href=/1>时政</a></td></tr><tr><td></td><td>金额</td></tr></table>",
        );
        let ls = lines(&doc.root());
        assert_eq!(ls[0].text, "首页\t时政");
        assert_eq!(ls[0].link_density(), 1.0);
        assert_eq!(ls[1].text, "金额");
    }

    #[test]
    fn link_text_is_counted() {
        let doc =
            dom_query::Document::from("<ul><li><a href=/>首页</a></li></ul><p>正文<a>链接</a></p>");
        let ls = lines(&doc.root());
        assert_eq!(ls[0].link_density(), 1.0);
        assert_eq!(ls[1].link_density(), 0.5);
    }
}
