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
}

/// Parses one line of a JSON Lines archive. Blank lines give `Ok(None)`; a line that is not a JSON object,
/// or has no string body, gives `Err` with the reason (the caller adds the file and line number).
/// Fields other than the five named in `fields` are ignored.
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
    let value: serde_json::Value =
        serde_json::from_str(line).map_err(|e| format!("not valid JSON ({e})"))?;
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
    }))
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
