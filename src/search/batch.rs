//! Batches of queries (`sou search --queries FILE`): one per line, plain text or a JSON object with `qid`
//! and `query`.

/// A line of a batch: its query id (given in the JSON, or the 1-based line number) and its query, or why
/// the line can't be run (the message names `source` and the line).
pub type QueryLine = (String, Result<String, String>);

/// Reads the queries of a batch file's bytes (`source` names it in messages). A UTF-8 BOM is skipped and
/// blank lines are ignored. A line that can't be read as a query (not UTF-8, malformed JSON, no `query`
/// string) is returned with its error under its qid (the JSON's if it has one, else its line number), so
/// that the batch answers every other line.
pub fn parse_query_lines(bytes: &[u8], source: &str) -> Vec<QueryLine> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut out = Vec::new();
    for (i, line) in bytes.split(|&b| b == b'\n').enumerate() {
        let n = i + 1;
        let at = |e: String| format!("{source}:{n}: {e}");
        let line = match std::str::from_utf8(line) {
            Ok(line) => line.trim(),
            Err(e) => {
                out.push((n.to_string(), Err(at(format!("not UTF-8 ({e})")))));
                continue;
            }
        };
        if line.is_empty() {
            continue;
        }
        if !line.starts_with('{') {
            out.push((n.to_string(), Ok(line.to_string())));
            continue;
        }
        let (qid, query) = match serde_json::from_str::<serde_json::Value>(line) {
            Ok(v) => {
                let qid = match &v["qid"] {
                    serde_json::Value::String(s) => s.clone(),
                    serde_json::Value::Number(x) => x.to_string(),
                    _ => n.to_string(),
                };
                let query = match v["query"].as_str() {
                    Some(q) => Ok(q.to_string()),
                    None => Err(at("no \"query\" string".to_string())),
                };
                (qid, query)
            }
            Err(e) => (n.to_string(), Err(at(format!("malformed JSON ({e})")))),
        };
        out.push((qid, query));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::parse_query_lines;

    #[test]
    fn lines_are_queries_or_errors_under_their_qid() {
        let bytes = b"\xEF\xBB\xBF\xE5\xA4\xA9\xE6\xB0\x94\n\n{\"qid\":\"q7\",\"query\":\"a b\"}\n{\"qid\":9}\n{bad\n\xFF\n";
        let lines = parse_query_lines(bytes, "q.txt");
        assert_eq!(lines.len(), 5);
        assert_eq!(lines[0], ("1".to_string(), Ok("天气".to_string())));
        assert_eq!(lines[1], ("q7".to_string(), Ok("a b".to_string())));
        assert_eq!(lines[2].0, "9");
        assert!(
            lines[2]
                .1
                .as_ref()
                .unwrap_err()
                .starts_with("q.txt:4: no \"query\"")
        );
        assert_eq!(lines[3].0, "5");
        assert!(lines[3].1.as_ref().unwrap_err().contains("malformed JSON"));
        assert_eq!(lines[4].0, "6");
        assert!(lines[4].1.as_ref().unwrap_err().contains("not UTF-8"));
    }
}
