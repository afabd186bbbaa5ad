//! What the Word and EPUB readers share: decoding an XML part's bytes, walking its elements as a stream
//! (leniently enough for the XHTML found in real books), and collecting paragraphs and table rows.

use quick_xml::events::{BytesStart, Event};
use quick_xml::reader::Reader;

/// An element's start: its local name in lower case (`w:tbl` → `tbl`) and its attributes as written
/// (qualified name, value with entities resolved).
#[derive(Debug, Default)]
pub(super) struct Tag {
    pub name: String,
    attrs: Vec<(String, String)>,
}

impl Tag {
    /// The value of the attribute whose local name is `local` (ASCII case ignored), whatever its prefix.
    pub fn attr(&self, local: &str) -> Option<&str> {
        self.attrs.iter().find_map(|(k, v)| {
            let l = k.rsplit(':').next().unwrap_or(k);
            l.eq_ignore_ascii_case(local).then_some(v.as_str())
        })
    }

    /// The value of the attribute named exactly `qname` (`epub:type`), ASCII case ignored.
    pub fn attr_q(&self, qname: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find_map(|(k, v)| k.eq_ignore_ascii_case(qname).then_some(v.as_str()))
    }

    fn from(e: &BytesStart) -> Tag {
        let name = e.local_name().as_ref().to_ascii_lowercase();
        let attrs = e
            .html_attributes()
            .with_checks(false)
            .flatten()
            .map(|a| {
                let value = a
                    .normalized_value_with(quick_xml::XmlVersion::Implicit1_0, 4, resolve_entity)
                    .map(|v| v.into_owned())
                    .unwrap_or_else(|_| a.value.to_string());
                (a.key.as_ref().to_string(), value)
            })
            .collect();
        Tag { name, attrs }
    }
}

/// A step of [`walk`].
pub(super) enum Ev<'a> {
    /// An element starts (an empty element `<br/>` gives `Open` then `Close`).
    Open(&'a Tag),
    /// An element ends: its local name in lower case.
    Close(&'a str),
    /// Character data, entities resolved.
    Text(&'a str),
}

/// What [`walk`] does after an [`Ev::Open`]: go into the element, or skip all it holds (its `Close` is not
/// reported either).
#[derive(PartialEq, Eq)]
pub(super) enum Flow {
    Go,
    Skip,
}

/// The XML entities and the HTML ones that books use (quick-xml's full HTML5 table is a feature that slows
/// every build down).
fn resolve_entity(name: &str) -> Option<&'static str> {
    if let Some(s) = quick_xml::escape::resolve_predefined_entity(name) {
        return Some(s);
    }
    Some(match name {
        "nbsp" => "\u{a0}",
        "ensp" => "\u{2002}",
        "emsp" => "\u{2003}",
        "thinsp" => "\u{2009}",
        "shy" => "\u{ad}",
        "zwj" => "\u{200d}",
        "zwnj" => "\u{200c}",
        "mdash" => "—",
        "ndash" => "–",
        "hellip" => "…",
        "ldquo" => "“",
        "rdquo" => "”",
        "lsquo" => "‘",
        "rsquo" => "’",
        "laquo" => "«",
        "raquo" => "»",
        "middot" => "·",
        "bull" => "•",
        "copy" => "©",
        "reg" => "®",
        "trade" => "™",
        "times" => "×",
        "divide" => "÷",
        "deg" => "°",
        "plusmn" => "±",
        "sect" => "§",
        "para" => "¶",
        "yen" => "¥",
        "euro" => "€",
        "pound" => "£",
        "cent" => "¢",
        "larr" => "←",
        "rarr" => "→",
        "uarr" => "↑",
        "darr" => "↓",
        "le" => "≤",
        "ge" => "≥",
        "ne" => "≠",
        "minus" => "−",
        "permil" => "‰",
        "prime" => "′",
        "Prime" => "″",
        "dagger" => "†",
        "Dagger" => "‡",
        _ => return None,
    })
}

/// Walks the elements of `xml` in document order, calling `f` for each start, end and text. End tags need
/// not match their start (`<p><b>x</p>` reads as x); HTML entities (`&nbsp;`) are known; an unknown entity
/// is dropped.
///
/// # Errors
/// The parser's reason, for XML too broken to read on (an unclosed tag at the end, a bad attribute);
/// the events before it have been reported.
pub(super) fn walk(xml: &str, mut f: impl FnMut(Ev) -> Flow) -> Result<(), String> {
    let xml = escape_bare_amps(xml);
    let mut reader = Reader::from_str(&xml);
    let config = reader.config_mut();
    config.check_end_names = false;
    config.allow_unmatched_ends = true;
    // Skipping: the name of the element skipped, and how many of that name are open.
    let mut skip: Option<(String, usize)> = None;
    let mut text = String::new();
    // Events in a row that read no byte: a reader that makes no progress is stopped, never looped on.
    let mut stuck = 0;
    // Every event reads at least a byte: more events than bytes is a loop in the reader (seen on damaged
    // XHTML), stopped here.
    let mut budget = xml.len() + 64;
    loop {
        budget = budget.checked_sub(1).ok_or("the XML reader loops")?;
        let before = reader.buffer_position();
        let event = reader
            .read_event()
            .map_err(|e| format!("at byte {}: {e}", reader.error_position()))?;
        if reader.buffer_position() == before && !matches!(event, Event::Eof) {
            stuck += 1;
            if stuck > 8 {
                return Err(format!(
                    "at byte {before}: the XML reader makes no progress"
                ));
            }
        } else {
            stuck = 0;
        }
        let is_start = matches!(event, Event::Start(_));
        match event {
            Event::Start(e) | Event::Empty(e) if skip.is_some() => {
                let name = e.local_name().as_ref().to_ascii_lowercase();
                if let Some((s, n)) = skip.as_mut()
                    && *s == name
                    && is_start
                {
                    *n += 1;
                }
            }
            Event::End(e) if skip.is_some() => {
                let name = e.local_name().as_ref().to_ascii_lowercase();
                if let Some((s, n)) = skip.as_mut()
                    && *s == name
                {
                    *n -= 1;
                    if *n == 0 {
                        skip = None;
                    }
                }
            }
            _ if skip.is_some() => {}
            Event::Start(ref e) => {
                let tag = Tag::from(e);
                if f(Ev::Open(&tag)) == Flow::Skip {
                    skip = Some((tag.name, 1));
                }
            }
            Event::Empty(ref e) => {
                let tag = Tag::from(e);
                if f(Ev::Open(&tag)) == Flow::Go {
                    f(Ev::Close(&tag.name));
                }
            }
            Event::End(e) => {
                let name = e.local_name().as_ref().to_ascii_lowercase();
                f(Ev::Close(&name));
            }
            Event::Text(e) => {
                f(Ev::Text(&e.xml10_content()));
            }
            Event::CData(e) => {
                f(Ev::Text(&e.xml10_content()));
            }
            Event::GeneralRef(r) => {
                text.clear();
                match r.resolve_char_ref() {
                    Ok(Some(c)) => text.push(c),
                    Ok(None) => text.push_str(resolve_entity(&r).unwrap_or("")),
                    Err(_) => {}
                }
                if !text.is_empty() {
                    f(Ev::Text(&text));
                }
            }
            Event::Eof => return Ok(()),
            _ => {}
        }
    }
}

/// `xml` with each `&` that starts no entity or character reference (`&name;`, `&#123;`, `&#x4E00;`) written
/// `&amp;`: sloppy XHTML has bare ampersands, and quick-xml's own leniency for them
/// (`allow_dangling_amp`) was seen to loop on damaged input.
fn escape_bare_amps(xml: &str) -> std::borrow::Cow<'_, str> {
    let is_ref = |rest: &str| {
        let body = rest.strip_prefix('#').unwrap_or(rest);
        let body = if rest.starts_with('#') {
            body.strip_prefix(['x', 'X']).unwrap_or(body)
        } else {
            body
        };
        let n = body
            .bytes()
            .take(32)
            .take_while(|b| b.is_ascii_alphanumeric())
            .count();
        n > 0 && body.as_bytes().get(n) == Some(&b';')
    };
    if !xml.match_indices('&').any(|(i, _)| !is_ref(&xml[i + 1..])) {
        return std::borrow::Cow::Borrowed(xml);
    }
    let mut out = String::with_capacity(xml.len() + 16);
    let mut last = 0;
    for (i, _) in xml.match_indices('&') {
        out.push_str(&xml[last..=i]);
        if !is_ref(&xml[i + 1..]) {
            out.push_str("amp;");
        }
        last = i + 1;
    }
    out.push_str(&xml[last..]);
    std::borrow::Cow::Owned(out)
}

/// The text of an XML or XHTML part's bytes: UTF-8 or UTF-16 by their byte order mark, else the encoding
/// the XML declaration or a `<meta charset>` names (GBK, Big5, …), else UTF-8. Bytes that do not decode
/// become U+FFFD.
pub(super) fn decode(bytes: &[u8]) -> String {
    if let Some((enc, bom)) = encoding_rs::Encoding::for_bom(bytes) {
        return enc
            .decode_without_bom_handling(&bytes[bom..])
            .0
            .into_owned();
    }
    let head = &bytes[..bytes.len().min(1024)];
    let label = declared_encoding(head);
    let enc = label
        .and_then(encoding_rs::Encoding::for_label)
        .filter(|e| *e != encoding_rs::UTF_16LE && *e != encoding_rs::UTF_16BE)
        .unwrap_or(encoding_rs::UTF_8);
    enc.decode_without_bom_handling(bytes).0.into_owned()
}

/// The label after `encoding=` or `charset=` in the first bytes of a part.
fn declared_encoding(head: &[u8]) -> Option<&[u8]> {
    let lower = head.to_ascii_lowercase();
    for key in [b"encoding".as_slice(), b"charset"] {
        if let Some(at) = lower.windows(key.len()).position(|w| w == key) {
            let rest = &head[at + key.len()..];
            let rest = rest
                .iter()
                .position(|&b| b != b'=' && b != b' ' && b != b'"' && b != b'\'')
                .map_or(&rest[..0], |i| &rest[i..]);
            let end = rest
                .iter()
                .position(|&b| !(b.is_ascii_alphanumeric() || b == b'-' || b == b'_'))
                .unwrap_or(rest.len());
            if end > 0 {
                return Some(&rest[..end]);
            }
        }
    }
    None
}

/// Whether `c` is Han or CJK punctuation (full-width forms included): a line break between two of them in
/// XHTML source is no space in the text.
fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x2E80..=0x2FDF | 0x3000..=0x303F | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF
        | 0xFE30..=0xFE4F | 0xFF00..=0xFFEF | 0x20000..=0x3134F)
}

/// One line of text: control characters and runs of whitespace become one space (none at all between two
/// CJK characters when `join_cjk` and the run holds a line break: XHTML source wrapped in a sentence), zero-width characters go, and the ends are
/// trimmed (the ideographic space U+3000 too).
pub(super) fn clean(s: &str, join_cjk: bool) -> String {
    let mut out = String::with_capacity(s.len());
    let mut pending_space = false;
    let mut pending_break = false;
    for c in s.chars() {
        if matches!(
            c,
            '\u{200B}' | '\u{FEFF}' | '\u{00AD}' | '\u{200C}' | '\u{200D}'
        ) {
            continue;
        }
        if c.is_control() || c == ' ' {
            pending_space = true;
            pending_break |= c == '\n' || c == '\r';
            continue;
        }
        if pending_space {
            let prev_cjk = out.chars().next_back().is_some_and(is_cjk);
            let joined = join_cjk && pending_break && prev_cjk && is_cjk(c);
            if !out.is_empty() && !joined {
                out.push(' ');
            }
            pending_space = false;
            pending_break = false;
        }
        out.push(c);
    }
    out.trim().to_string()
}

#[derive(Default)]
struct Table {
    cells: Vec<String>,
    cell: String,
    in_cell: bool,
}

/// Paragraphs collected in reading order: text comes in by pieces, a paragraph ends at each block's
/// boundary; inside a table, paragraphs join their cell's text (with a space) and each row becomes one
/// paragraph, its cells joined by a tab. A nested table's rows join the outer cell.
#[derive(Default)]
pub(super) struct Collector {
    out: Vec<String>,
    buf: String,
    tables: Vec<Table>,
    join_cjk: bool,
}

impl Collector {
    /// A collector for XHTML (`join_cjk`: source line breaks between CJK characters are no space) or Word
    /// (whitespace as written).
    pub fn new(join_cjk: bool) -> Collector {
        Collector {
            join_cjk,
            ..Default::default()
        }
    }

    /// Adds text to the paragraph under way.
    pub fn text(&mut self, s: &str) {
        self.buf.push_str(s);
    }

    /// How much text the paragraph under way has (a mark for [`Collector::cut`]).
    pub fn mark(&self) -> usize {
        self.buf.len()
    }

    /// The text added since `mark` to the paragraph under way (empty if it ended since).
    pub fn since(&self, mark: usize) -> &str {
        self.buf.get(mark..).unwrap_or("")
    }

    /// Drops the text added since `mark` to the paragraph under way.
    pub fn cut(&mut self, mark: usize) {
        if mark <= self.buf.len() && self.buf.is_char_boundary(mark) {
            self.buf.truncate(mark);
        }
    }

    /// Takes the paragraph under way, cleaned, out of the flow (a title).
    pub fn take(&mut self) -> String {
        clean(&std::mem::take(&mut self.buf), self.join_cjk)
    }

    fn emit(&mut self, p: String, depth: usize) {
        if p.is_empty() {
            return;
        }
        match depth.checked_sub(1).map(|d| &mut self.tables[d]) {
            Some(t) if t.in_cell => {
                if !t.cell.is_empty() {
                    t.cell.push(' ');
                }
                t.cell.push_str(&p);
            }
            _ => self.out.push(p),
        }
    }

    /// Ends the paragraph under way.
    pub fn end_para(&mut self) {
        let p = self.take();
        self.emit(p, self.tables.len());
    }

    /// A table starts.
    pub fn table_start(&mut self) {
        self.end_para();
        self.tables.push(Table::default());
    }

    /// A row starts (ending a row left open).
    pub fn row_start(&mut self) {
        self.row_end();
    }

    /// A cell starts (ending a cell left open).
    pub fn cell_start(&mut self) {
        self.cell_end();
        if let Some(t) = self.tables.last_mut() {
            t.in_cell = true;
        }
    }

    /// A cell ends.
    pub fn cell_end(&mut self) {
        self.end_para();
        if let Some(t) = self.tables.last_mut()
            && t.in_cell
        {
            let cell = std::mem::take(&mut t.cell);
            t.cells.push(cell);
            t.in_cell = false;
        }
    }

    /// A row ends: it becomes a paragraph (or part of the outer table's cell).
    pub fn row_end(&mut self) {
        self.cell_end();
        let depth = self.tables.len();
        if let Some(t) = self.tables.last_mut() {
            let row = std::mem::take(&mut t.cells).join("\t").trim().to_string();
            self.emit(row, depth - 1);
        }
    }

    /// A table ends.
    pub fn table_end(&mut self) {
        if !self.tables.is_empty() {
            self.row_end();
            self.tables.pop();
        }
    }

    /// Whether a table is open.
    pub fn in_table(&self) -> bool {
        !self.tables.is_empty()
    }

    /// The paragraphs, everything left open ended.
    pub fn finish(mut self) -> Vec<String> {
        self.end_para();
        while self.in_table() {
            self.table_end();
        }
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_collapses_and_joins_cjk() {
        assert_eq!(
            clean("  一段\n  文字 ab\t cd\u{3000}", true),
            "一段文字 ab cd"
        );
        assert_eq!(clean("第一章 开端", true), "第一章 开端");
        assert_eq!(clean("一段\n文字", false), "一段 文字");
        assert_eq!(clean("\u{200B}x\u{FEFF}", true), "x");
    }

    #[test]
    fn tables_make_rows_nested_ones_join_the_cell() {
        let mut c = Collector::new(false);
        c.text("前");
        c.table_start();
        c.row_start();
        c.cell_start();
        c.text("a");
        c.end_para();
        c.text("b");
        c.cell_end();
        c.cell_start();
        c.table_start();
        c.row_start();
        c.cell_start();
        c.text("x");
        c.cell_start();
        c.text("y");
        c.table_end();
        c.cell_end();
        c.row_end();
        c.table_end();
        c.text("后");
        assert_eq!(c.finish(), vec!["前", "a b\tx\ty", "后"]);
    }

    #[test]
    fn walk_is_lenient_and_knows_html_entities() {
        let mut seen = Vec::new();
        walk(
            "<html><body><p>a&nbsp;b&#x4E00;&amp;<b>c</p><script>if (a) x()</script><i>d</i></body>",
            |ev| match ev {
                Ev::Open(t) if t.name == "script" => Flow::Skip,
                Ev::Open(t) => {
                    seen.push(format!("<{}>", t.name));
                    Flow::Go
                }
                Ev::Close(n) => {
                    seen.push(format!("</{n}>"));
                    Flow::Go
                }
                Ev::Text(s) => {
                    seen.push(s.to_string());
                    Flow::Go
                }
            },
        )
        .unwrap();
        assert_eq!(
            seen.concat(),
            "<html><body><p>a\u{a0}b一&<b>c</p><i>d</i></body>"
        );
    }

    #[test]
    fn bare_ampersands_are_text() {
        assert_eq!(
            escape_bare_amps("a &amp; b &#x4E00;&#49;"),
            "a &amp; b &#x4E00;&#49;"
        );
        assert_eq!(escape_bare_amps("A&B &&; &"), "A&amp;B &amp;&amp;; &amp;");
        let mut text = String::new();
        walk("<p>A&B &nbsp;&& C&</p>", |ev| {
            if let Ev::Text(s) = ev {
                text.push_str(s);
            }
            Flow::Go
        })
        .unwrap();
        assert_eq!(text, "A&B \u{a0}&& C&");
    }

    #[test]
    fn decode_by_bom_declaration_or_utf8() {
        assert_eq!(decode("\u{FEFF}<a>字</a>".as_bytes()), "<a>字</a>");
        let (gbk, _, _) =
            encoding_rs::GBK.encode("<?xml version=\"1.0\" encoding=\"GBK\"?><a>汉字</a>");
        assert!(decode(&gbk).ends_with("<a>汉字</a>"));
        assert_eq!(decode("<a>汉字</a>".as_bytes()), "<a>汉字</a>");
    }
}
