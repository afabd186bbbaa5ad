//! JSON Lines archives: one article per line, whose fields are named by [`JsonFields`].

use super::split::{Passage, SplitConfig, file_stem, split_text};
use super::stream::WINDOW_CHARS;

/// Which JSON fields of a `.jsonl` record hold the article's parts.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct JsonFields {
    /// The article id (a string or a number). Default `id`.
    pub id: String,
    /// The title. Default `title`.
    pub title: String,
    /// The body text. Default `body`.
    pub body: String,
    /// The date. Default `date`.
    pub date: String,
    /// The source (agency or paper). Default `source`.
    #[serde(default = "default_source_field")]
    pub source: String,
}

fn default_source_field() -> String {
    "source".into()
}

impl Default for JsonFields {
    fn default() -> Self {
        JsonFields {
            id: "id".into(),
            title: "title".into(),
            body: "body".into(),
            date: "date".into(),
            source: default_source_field(),
        }
    }
}

/// The JSON field names a user gave for `sou index` (`--id-field`, …): each one given replaces the name
/// the index was built with, the others stay as they were (or default, for a new index).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct JsonFieldNames {
    /// `--id-field`.
    pub id: Option<String>,
    /// `--title-field`.
    pub title: Option<String>,
    /// `--body-field`.
    pub body: Option<String>,
    /// `--date-field`.
    pub date: Option<String>,
    /// `--source-field`.
    pub source: Option<String>,
}

impl JsonFieldNames {
    /// The names to read with: those given, else `previous`'s.
    pub fn resolve(&self, previous: &JsonFields) -> JsonFields {
        let pick =
            |given: &Option<String>, old: &String| given.clone().unwrap_or_else(|| old.clone());
        JsonFields {
            id: pick(&self.id, &previous.id),
            title: pick(&self.title, &previous.title),
            body: pick(&self.body, &previous.body),
            date: pick(&self.date, &previous.date),
            source: pick(&self.source, &previous.source),
        }
    }
}

/// One article of a JSON Lines archive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonRecord {
    /// 1-based line number in the file.
    pub line: u64,
    /// The id field, or `<file stem>:<line>` if the record has none.
    pub id: String,
    /// The title field, if present.
    pub title: Option<String>,
    /// The date field, if present.
    pub date: Option<String>,
    /// The source field, if present.
    pub source: Option<String>,
    /// The body field.
    pub body: String,
    /// How many escapes of a lone UTF-16 surrogate (`\ud800` without its pair: valid JSON that no Unicode
    /// string can hold, which a strict parser refuses) the line had: each was read as U+FFFD, the
    /// replacement character, and the caller reports it.
    pub replaced_surrogates: usize,
}

/// Parses one line of a JSON Lines archive. Blank lines give `Ok(None)`; a line that is not a JSON object,
/// or has no string body, gives `Err` with the reason (the caller adds the file and line number).
/// Fields other than the five named in `fields` are ignored. An escape of a lone surrogate is read as
/// U+FFFD and counted in [`JsonRecord::replaced_surrogates`].
pub fn parse_record(
    path: &str,
    line_no: u64,
    line: &str,
    fields: &JsonFields,
) -> std::result::Result<Option<JsonRecord>, String> {
    let line = line.trim_start_matches('\u{feff}');
    if line.trim().is_empty() {
        return Ok(None);
    }
    let mut replaced_surrogates = 0;
    let value: serde_json::Value = match serde_json::from_str(line) {
        Ok(v) => v,
        Err(e) => match replace_lone_surrogates(line) {
            Some((repaired, n)) => {
                replaced_surrogates = n;
                serde_json::from_str(&repaired).map_err(|e| format!("not valid JSON ({e})"))?
            }
            None => return Err(format!("not valid JSON ({e})")),
        },
    };
    let serde_json::Value::Object(map) = value else {
        return Err("not a JSON object".to_string());
    };
    let text = |name: &str| -> Option<String> {
        match map.get(name)? {
            serde_json::Value::String(s) => Some(s.clone()),
            serde_json::Value::Number(n) => Some(n.to_string()),
            _ => None,
        }
    };
    let body = match map.get(&fields.body) {
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(_) => return Err(format!("field \"{}\" is not a string", fields.body)),
        None => return Err(format!("no \"{}\" field", fields.body)),
    };
    // An empty id is no id: it could name no article.
    let id = text(&fields.id)
        .filter(|s| !s.trim().is_empty())
        .unwrap_or_else(|| format!("{}:{line_no}", file_stem(path)));
    Ok(Some(JsonRecord {
        line: line_no,
        id,
        title: text(&fields.title),
        date: text(&fields.date),
        source: text(&fields.source).filter(|s| !s.trim().is_empty()),
        body,
        replaced_surrogates,
    }))
}

/// `line` with every `\uXXXX` escape of a UTF-16 surrogate that is not one half of a pair (a high one
/// followed by the escape of a low one) replaced by `\uFFFD`, and how many were; None if it has none.
/// JSON's grammar allows such escapes (RFC 8259, section 8.2), but they stand for no Unicode character.
fn replace_lone_surrogates(line: &str) -> Option<(String, usize)> {
    let b = line.as_bytes();
    // The code unit of a `\uXXXX` escape at byte `i`.
    let unit = |i: usize| -> Option<u16> {
        if b.get(i) != Some(&b'\\') || b.get(i + 1) != Some(&b'u') {
            return None;
        }
        let hex = line.get(i + 2..i + 6)?;
        hex.bytes()
            .all(|h| h.is_ascii_hexdigit())
            .then(|| u16::from_str_radix(hex, 16).ok())
            .flatten()
    };
    let mut out = String::with_capacity(line.len());
    let (mut n, mut i, mut copied) = (0, 0, 0);
    while i < b.len() {
        if b[i] != b'\\' {
            i += 1;
            continue;
        }
        let Some(u) = unit(i) else {
            // Another escape (`\\`, `\"`, …): its second character is never the start of one.
            i += 2;
            continue;
        };
        let high = (0xD800..0xDC00).contains(&u);
        let low = (0xDC00..0xE000).contains(&u);
        if high && unit(i + 6).is_some_and(|v| (0xDC00..0xE000).contains(&v)) {
            i += 12;
        } else if high || low {
            out.push_str(&line[copied..i]);
            out.push_str("\\uFFFD");
            n += 1;
            i += 6;
            copied = i;
        } else {
            i += 6;
        }
    }
    if n == 0 {
        return None;
    }
    out.push_str(&line[copied..]);
    Some((out, n))
}

/// Whether `path` names a JSON Lines archive (`.jsonl`).
pub fn is_jsonl(path: &str) -> bool {
    path.rsplit('.')
        .next()
        .is_some_and(|ext| ext.eq_ignore_ascii_case("jsonl"))
        && path.contains('.')
}

/// Splits the body of a JSON Lines record into passages, as [`split_article`](super::split_article) does for a file. The record's
/// title, if it has a non-empty one, is the title of every passage; otherwise headings in the body are used,
/// and then the record's id. `start`/`end` are offsets into the body.
pub fn split_record(path: &str, record: &JsonRecord, cfg: &SplitConfig) -> Vec<Passage> {
    let title = record
        .title
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty());
    let mut passages = split_text(
        path,
        &record.id,
        title,
        &record.body,
        cfg,
        false,
        true,
        WINDOW_CHARS,
    );
    for p in &mut passages {
        p.date.clone_from(&record.date);
        if record.source.is_some() {
            p.about.source.clone_from(&record.source);
        }
        p.line = Some(record.line);
    }
    passages
}

#[cfg(test)]
mod tests {
    use super::{JsonFields, parse_record, replace_lone_surrogates};

    #[test]
    fn lone_surrogate_escapes_are_replaced_and_counted_and_nothing_else() {
        let cases: &[(&str, Option<(&str, usize)>)] = &[
            (r#"{"b":"x\ud800y"}"#, Some((r#"{"b":"x\uFFFDy"}"#, 1))),
            (
                r#"{"b":"\udc00\uD800"}"#,
                Some((r#"{"b":"\uFFFD\uFFFD"}"#, 2)),
            ),
            // A pair, an escaped backslash before `ud800`, other escapes: nothing to replace.
            (r#"{"b":"\ud83d\ude00 \\ud800 \" \u4e2d"}"#, None),
            // A high surrogate followed by another high one: both alone.
            (
                r#"{"b":"\ud800\ud800"}"#,
                Some((r#"{"b":"\uFFFD\uFFFD"}"#, 2)),
            ),
            // A truncated escape is left to the parser to refuse.
            (r#"{"b":"\ud8"}"#, None),
        ];
        for (line, want) in cases {
            let got = replace_lone_surrogates(line);
            assert_eq!(got.as_ref().map(|(s, n)| (s.as_str(), *n)), *want, "{line}");
        }
        let fields = JsonFields::default();
        let r = parse_record("a.jsonl", 1, r#"{"body":"甲\ud800乙"}"#, &fields)
            .unwrap()
            .unwrap();
        assert_eq!(
            (r.body.as_str(), r.replaced_surrogates),
            ("甲\u{FFFD}乙", 1)
        );
        let r = parse_record("a.jsonl", 1, r#"{"body":"甲乙"}"#, &fields)
            .unwrap()
            .unwrap();
        assert_eq!(r.replaced_surrogates, 0);
        assert!(parse_record("a.jsonl", 1, r#"{"body":"\ud8"}"#, &fields).is_err());
    }
}
