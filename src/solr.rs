//! SolrCloud as the place where the passages live (issue 18): sou's documents and queries in the form of the
//! collection that `solr/configset` defines.
//!
//! - [`document`]: a passage's tantivy document as a Solr document: the same stored values, and each view
//!   (words, character bigrams and unigrams, of the text and of the title) as the tokens that sou's own
//!   analyzer made, with their positions, in Solr's JSON pre-analyzed form. Solr analyzes nothing.
//! - [`Collection`]: a collection over HTTP (the JSON update and query APIs, the Configsets API to upload
//!   [`CONFIGSET`], and the Collections API to create one with N shards and R replicas, routed by article so
//!   that an article's passages share a shard). Errors are one line each ([`crate::Error::Solr`]).
//! - Queries are [`QueryTree`]s, which a search plans once and a local index runs with tantivy; here they go
//!   in Solr's JSON Query DSL ([`QueryTree::to_solr`]).
//! - [`sync`]: `sou index --solr`, the collection kept equal to the local index file by file.
//! - [`search`](mod@search): `sou search --solr`, Solr's candidates re-ranked and shown by the local search;
//!   also `/api/search` of `sou serve --solr` ([`crate::serve::Backend::Solr`]).
//!
//! Not yet: indexing straight into the collection without the local index as a stage (it holds every passage
//! once more on the indexing machine); `sou count`, `sou show` and `sou search --count` on a collection, and
//! so `/api/count`, `/api/article` and `/api/sources` of `sou serve --solr` (501); sorting by date; grouping
//! reprints; a user dictionary on the search side; TLS and authentication.

use std::time::Duration;

use serde_json::{Map, Value, json};
use tantivy::TantivyDocument;
use tantivy::schema::{FieldType, Schema, Value as _};
use tantivy::tokenizer::TokenizerManager;

use crate::index::query_tree::QueryTree;

pub mod search;
pub mod sync;

/// The files of sou's configset (`solr/configset`), as built into sou: (name, contents).
pub const CONFIGSET: [(&str, &str); 2] = [
    ("schema.xml", include_str!("../solr/configset/schema.xml")),
    (
        "solrconfig.xml",
        include_str!("../solr/configset/solrconfig.xml"),
    ),
];

/// The name of the schema of sou's collections (`<schema name="sou">` in `solr/configset/schema.xml`): what
/// tells a collection of sou from another.
pub const SCHEMA_NAME: &str = "sou";

/// The field of the collection's unique key: one value per passage ([`passage_key`]).
pub const KEY_FIELD: &str = "passage";

/// Fields of the local index that the collection does not hold: the reprint signatures (sou groups
/// reprints itself, from the documents it sends).
const LOCAL_ONLY: &[&str] = &["reprint"];

/// The unique key of a passage in the collection: its path, record id and ordinal as a JSON array (a path
/// or id may hold any character; the array keeps them apart).
pub fn passage_key(path: &str, id: &str, ordinal: u64) -> String {
    json!([path, id, ordinal]).to_string()
}

/// The Solr document of a passage's tantivy document `doc` (made by the local index's schema `schema`;
/// `tokenizers` are the index's, with sou's analyzer registered): every stored or indexed value under its
/// field's name (a field with several values as an array), and each analyzed text field (a view) as a
/// pre-analyzed value `{"v":"1","tokens":[{"t":TERM,"i":INCREMENT},…]}`, where INCREMENT is the position's
/// distance from the previous token's (the first token's position plus one; 0 for a word inside the
/// previous one, as jieba's search mode makes them). Offsets are left out: the collection's views don't store
/// them, and Lucene refuses offsets that go backwards, as a sub-word's do. Plus [`KEY_FIELD`]. Errors: a view whose
/// tokenizer is not registered ([`crate::Error::Solr`]).
pub fn document(
    tokenizers: &TokenizerManager,
    schema: &Schema,
    doc: &TantivyDocument,
) -> crate::Result<Value> {
    document_of(tokenizers, schema, doc)
}

/// The Solr document of a passage read back from the local index `idx` (its stored fields): [`document`] of
/// the whole document ([`crate::index::schema::complete_doc`]). What copies a local index to a collection.
pub fn stored_document(
    idx: &crate::index::SearchIndex,
    stored: &TantivyDocument,
) -> crate::Result<Value> {
    let full = crate::index::schema::complete_doc(&idx.fields, stored);
    document_of(idx.index.tokenizers(), &idx.index.schema(), &full)
}

fn document_of(
    tokenizers: &TokenizerManager,
    schema: &Schema,
    doc: &TantivyDocument,
) -> crate::Result<Value> {
    let mut out = Map::new();
    let mut key = (String::new(), String::new(), 0u64);
    for (field, entry) in schema.fields() {
        let name = entry.name();
        if LOCAL_ONLY.contains(&name) {
            continue;
        }
        let mut values: Vec<Value> = Vec::new();
        for v in doc.get_all(field) {
            let value = if let Some(s) = v.as_str() {
                match entry.field_type() {
                    FieldType::Str(o) => match o.get_indexing_options() {
                        Some(i) if i.tokenizer() != "raw" => {
                            let mut analyzer = tokenizers.get(i.tokenizer()).ok_or_else(|| {
                                crate::Error::Solr(format!(
                                    "field {name}: no tokenizer {}",
                                    i.tokenizer()
                                ))
                            })?;
                            Value::String(token_stream(&mut analyzer, s))
                        }
                        _ => Value::String(s.to_string()),
                    },
                    _ => Value::String(s.to_string()),
                }
            } else if let Some(n) = v.as_u64() {
                json!(n)
            } else {
                continue;
            };
            values.push(value);
        }
        match name {
            "path" => key.0 = values.first().and_then(Value::as_str).unwrap_or("").into(),
            "id" => key.1 = values.first().and_then(Value::as_str).unwrap_or("").into(),
            "ordinal" => key.2 = values.first().and_then(Value::as_u64).unwrap_or(0),
            _ => {}
        }
        match values.len() {
            0 => {}
            1 => {
                out.insert(name.to_string(), values.remove(0));
            }
            _ => {
                out.insert(name.to_string(), Value::Array(values));
            }
        }
    }
    out.insert(
        KEY_FIELD.to_string(),
        Value::String(passage_key(&key.0, &key.1, key.2)),
    );
    Ok(Value::Object(out))
}

/// `text` through `analyzer`, in Solr's JSON pre-analyzed form ([`document`]).
fn token_stream(analyzer: &mut tantivy::tokenizer::TextAnalyzer, text: &str) -> String {
    let mut tokens = Vec::new();
    let mut stream = analyzer.token_stream(text);
    let mut previous: Option<usize> = None;
    while let Some(t) = stream.next() {
        let increment = match previous {
            None => t.position + 1,
            Some(p) => t.position.saturating_sub(p),
        };
        previous = Some(t.position);
        tokens.push(json!({"t": t.text, "i": increment}));
    }
    json!({"v": "1", "tokens": tokens}).to_string()
}

/// A SolrCloud collection, reached over HTTP (`http://HOST:PORT/solr/NAME`).
pub struct Collection {
    /// The node's base URL, `http://HOST:PORT/solr`.
    pub node: String,
    /// The collection's name.
    pub name: String,
    agent: ureq::Agent,
    timeout: Duration,
}

/// What a query answered.
#[derive(Debug, Clone)]
pub struct Answer {
    /// How many documents match in all.
    pub num_found: u64,
    /// The documents returned (their requested fields, and `score`).
    pub docs: Vec<Value>,
    /// Whether some shard did not answer (Solr's `partialResults`): the answer is then incomplete.
    pub partial: bool,
}

impl Collection {
    /// The collection at `url`, `http://HOST:PORT/solr/NAME` (a trailing slash is allowed); `timeout` bounds
    /// each request. Errors: a URL of another form ([`crate::Error::Solr`]). Nothing is sent yet.
    pub fn new(url: &str, timeout: Duration) -> crate::Result<Collection> {
        let url = url.trim_end_matches('/');
        let (node, name) = url
            .rsplit_once('/')
            .filter(|(node, name)| {
                (node.starts_with("http://") || node.starts_with("https://")) && !name.is_empty()
            })
            .ok_or_else(|| {
                crate::Error::Solr(format!(
                    "{url}: expected the URL of a collection, http://HOST:PORT/solr/NAME"
                ))
            })?;
        let config = ureq::Agent::config_builder()
            .timeout_global(Some(timeout))
            .http_status_as_error(false)
            .build();
        Ok(Collection {
            node: node.to_string(),
            name: name.to_string(),
            agent: config.into(),
            timeout,
        })
    }

    /// Uploads sou's configset ([`CONFIGSET`], built into sou from `solr/configset`) to the cluster under
    /// the name `name`, replacing the files of a configset of that name. Errors: Solr's own message
    /// ([`crate::Error::Solr`]).
    pub fn upload_configset(&self, name: &str) -> crate::Result<()> {
        for (file, text) in CONFIGSET {
            let url = format!(
                "{}/admin/configs?action=UPLOAD&name={}&filePath={}&overwrite=true&wt=json",
                self.node,
                encode(name),
                encode(file)
            );
            self.send(&url, "application/octet-stream", text.as_bytes())?;
        }
        Ok(())
    }

    /// Creates the collection from the configset named `configset` (uploaded to the cluster beforehand, as
    /// `bin/solr zk upconfig` does), with `shards` shards of `replicas` replicas each, its passages routed by
    /// their `article` field. Errors: Solr's own message ([`crate::Error::Solr`]).
    pub fn create(&self, configset: &str, shards: u32, replicas: u32) -> crate::Result<()> {
        let url = format!(
            "{}/admin/collections?action=CREATE&name={}&numShards={shards}&replicationFactor={replicas}\
             &collection.configName={}&router.name=compositeId&router.field=article&wt=json",
            self.node,
            encode(&self.name),
            encode(configset)
        );
        self.call(&url, None).map(|_| ())
    }

    /// Adds (or replaces, by [`KEY_FIELD`]) documents ([`document`]); they are searchable after
    /// [`Collection::commit`]. Errors: [`crate::Error::Solr`].
    pub fn add(&self, docs: &[Value]) -> crate::Result<()> {
        let url = format!("{}/{}/update?wt=json", self.node, encode(&self.name));
        self.call(&url, Some(&Value::Array(docs.to_vec())))
            .map(|_| ())
    }

    /// Makes what was added visible to searches (a hard commit that opens a searcher).
    pub fn commit(&self) -> crate::Result<()> {
        let url = format!(
            "{}/{}/update?commit=true&wt=json",
            self.node,
            encode(&self.name)
        );
        self.call(&url, Some(&json!({}))).map(|_| ())
    }

    /// Deletes every passage of the corpus file `path` (a delete by query on the `path` field); visible after
    /// [`Collection::commit`]. Errors: [`crate::Error::Solr`].
    pub fn delete_path(&self, path: &str) -> crate::Result<()> {
        let url = format!("{}/{}/update?wt=json", self.node, encode(&self.name));
        let q = format!("{{!term f=path}}{path}");
        self.call(&url, Some(&json!({"delete": {"query": q}})))
            .map(|_| ())
    }

    /// Deletes every document of the collection; visible after [`Collection::commit`]. Errors:
    /// [`crate::Error::Solr`].
    pub fn delete_all(&self) -> crate::Result<()> {
        let url = format!("{}/{}/update?wt=json", self.node, encode(&self.name));
        self.call(&url, Some(&json!({"delete": {"query": "*:*"}})))
            .map(|_| ())
    }

    /// Checks that the collection answers and has sou's schema (its name is `sou`, as `solr/configset`'s
    /// schema.xml says). Errors ([`crate::Error::Solr`]): the URL can't be reached, the collection does not
    /// exist, or its schema is another.
    pub fn check_schema(&self) -> crate::Result<()> {
        let url = format!("{}/{}/schema/name?wt=json", self.node, encode(&self.name));
        let v = self.call(&url, None)?;
        match v["name"].as_str() {
            Some(SCHEMA_NAME) => Ok(()),
            other => Err(crate::Error::Solr(format!(
                "{}/{}: not a collection of sou: its schema is {} (expected sou's, from `sou solr create`)",
                self.node,
                self.name,
                other.map_or("unnamed".to_string(), |n| format!("'{n}'"))
            ))),
        }
    }

    /// How many documents (passages) the collection holds (`numFound` of `*:*`), and whether the answer is
    /// partial (a shard without a live replica).
    pub fn count_all(&self) -> crate::Result<(u64, bool)> {
        let url = format!(
            "{}/{}/select?q=*:*&rows=0&shards.tolerant=true&wt=json",
            self.node,
            encode(&self.name)
        );
        let v = self.call(&url, None)?;
        Ok((
            v["response"]["numFound"].as_u64().unwrap_or(0),
            v["responseHeader"]["partialResults"]
                .as_bool()
                .unwrap_or(false),
        ))
    }

    /// The documents matching `tree` (over the fields of `schema`), best first: at most `limit`, with the
    /// fields `fields` (comma-separated, as Solr's `fl`) and their score. Shards that don't answer are left
    /// out (`shards.tolerant`): [`Answer::partial`] says so.
    pub fn query(
        &self,
        tree: &QueryTree,
        schema: &Schema,
        limit: usize,
        fields: &str,
    ) -> crate::Result<Answer> {
        let url = format!("{}/{}/query", self.node, encode(&self.name));
        let body = json!({
            "query": tree.to_solr(schema),
            "limit": limit,
            "fields": format!("{fields},score"),
            "params": {"shards.tolerant": "true"},
        });
        let v = self.call(&url, Some(&body))?;
        let response = &v["response"];
        Ok(Answer {
            num_found: response["numFound"].as_u64().unwrap_or(0),
            docs: response["docs"].as_array().cloned().unwrap_or_default(),
            partial: v["responseHeader"]["partialResults"]
                .as_bool()
                .unwrap_or(false),
        })
    }

    /// A POST of `body` as `content_type`; the answer as [`Collection::call`]'s.
    fn send(&self, url: &str, content_type: &str, body: &[u8]) -> crate::Result<Value> {
        let response = self
            .agent
            .post(url)
            .header("Content-Type", content_type)
            .send(body);
        self.answer(url, response)
    }

    /// One request: a GET without `body`, a POST of JSON with it. The answer's JSON, or Solr's error
    /// message, or what kept the request from an answer.
    fn call(&self, url: &str, body: Option<&Value>) -> crate::Result<Value> {
        let response = match body {
            None => self.agent.get(url).call(),
            Some(b) => self.agent.post(url).send_json(b),
        };
        self.answer(url, response)
    }

    /// The JSON of an answer, or why there is none: the node unreachable, a timeout, an error status with
    /// Solr's message, an answer that is not Solr's.
    fn answer(
        &self,
        url: &str,
        response: Result<ureq::http::Response<ureq::Body>, ureq::Error>,
    ) -> crate::Result<Value> {
        let mut response = response.map_err(|e| self.unanswered(e))?;
        let status = response.status();
        let text = response
            .body_mut()
            .with_config()
            .limit(1 << 30)
            .read_to_string()
            .map_err(|e| self.unanswered(e))?;
        let v: Value = match serde_json::from_str(&text) {
            Ok(v) => v,
            Err(_) if status == 404 => {
                return Err(crate::Error::Solr(format!(
                    "{}: no collection '{}' there (HTTP 404 for {url})",
                    self.node, self.name
                )));
            }
            Err(_) => {
                return Err(crate::Error::Solr(format!(
                    "{url}: HTTP {status}, not an answer of Solr: {}",
                    one_line(&text, 120)
                )));
            }
        };
        if !status.is_success() {
            let msg = v["error"]["msg"]
                .as_str()
                .map_or("no message".to_string(), |m| one_line(m, 300));
            return Err(crate::Error::Solr(format!(
                "{}/{}: Solr answered HTTP {status}: {msg}",
                self.node, self.name
            )));
        }
        Ok(v)
    }

    /// Why a request got no answer, in a line: the node unreachable, no answer in time, another failure.
    fn unanswered(&self, e: ureq::Error) -> crate::Error {
        let why = match &e {
            ureq::Error::Timeout(_) => format!(
                "no answer within {} s (see --timeout)",
                self.timeout.as_secs_f64()
            ),
            ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::ConnectionRefused => {
                "cannot connect (connection refused): is Solr running there?".to_string()
            }
            ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::TimedOut => format!(
                "no answer within {} s (see --timeout)",
                self.timeout.as_secs_f64()
            ),
            ureq::Error::HostNotFound => "no such host".to_string(),
            other => one_line(&other.to_string(), 300),
        };
        crate::Error::Solr(format!("{}: {why}", self.node))
    }
}

/// `s` on one line (line breaks and runs of white space as one space), cut after `max` characters.
fn one_line(s: &str, max: usize) -> String {
    let words: Vec<&str> = s.split_whitespace().collect();
    let line = words.join(" ");
    match line.char_indices().nth(max) {
        Some((at, _)) => format!("{}…", &line[..at]),
        None => line,
    }
}

/// `s` percent-encoded for a URL's path or query.
fn encode(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_passage_document_carries_the_views_as_tokens_at_their_positions() {
        let (_dir, idx) = crate::index::test_index(&[("a.txt", "人工智能改变世界。")]);
        let searcher = idx.reader.searcher();
        let addr = tantivy::DocAddress::new(0, 0);
        let doc: TantivyDocument = searcher.doc(addr).unwrap();
        let d = stored_document(&idx, &doc).unwrap();
        assert_eq!(d["path"], "a.txt");
        assert_eq!(d[KEY_FIELD], r#"["a.txt","a.txt",0]"#);
        assert!(d.get("reprint").is_none());
        assert_eq!(d["article"], "a.txt");
        let chars: Value = serde_json::from_str(d["chars"].as_str().unwrap()).unwrap();
        let terms: Vec<(&str, u64)> = chars["tokens"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| (t["t"].as_str().unwrap(), t["i"].as_u64().unwrap()))
            .collect();
        // Overlapping bigrams, one position apart, the first at position 0 (increment 1).
        assert_eq!(
            &terms[..3],
            &[("人工", 1), ("工智", 1), ("智能", 1)],
            "{chars}"
        );
        let words: Value = serde_json::from_str(d["words"].as_str().unwrap()).unwrap();
        assert!(
            words["tokens"]
                .as_array()
                .unwrap()
                .iter()
                .any(|t| t["t"] == "人工智能"),
            "{words}"
        );
    }

    #[test]
    fn a_collection_url_must_name_the_collection() {
        let t = Duration::from_secs(1);
        assert!(Collection::new("http://127.0.0.1:8983/solr/sou", t).is_ok());
        let c = Collection::new("http://127.0.0.1:8983/solr/sou/", t).unwrap();
        assert_eq!(
            (c.node.as_str(), c.name.as_str()),
            ("http://127.0.0.1:8983/solr", "sou")
        );
        assert!(Collection::new("127.0.0.1:8983/solr/sou", t).is_err());
        assert!(Collection::new("http://", t).is_err());
    }
}
