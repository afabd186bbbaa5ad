//! The JSON API of `sou serve` (described for machines in `web/openapi.json`, served at
//! `/api/openapi.json`).
//!
//! Parameters come in the query string (UTF-8, percent-encoded; `+` is a space). An unknown parameter, a
//! parameter given twice (except `source`), a value out of range or a query the engine can't run is a 400
//! with `{"error":"…"}`; an article id that names no article a 404. Flags (`passages`, `no_collapse`,
//! `plain`) take `1`/`true` or `0`/`false`. Answers are not cached (`Cache-Control: no-store`).

use std::path::Path;
use std::sync::Arc;

use axum::Router;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get};
use serde::Serialize;

use super::App;
use crate::corpus::date::PartialDate;
use crate::output::{ArticleOut, SearchResponse};
use crate::search::{self, CountBy, Filters, SearchRequest, Sort};

/// The most characters of a snippet (`snippet_chars`).
pub const MAX_SNIPPET_CHARS: usize = 1000;
/// The most passages of context around each match (`around`).
pub const MAX_AROUND: usize = 1000;
/// The most passages per article (`per_article`).
pub const MAX_PER_ARTICLE: usize = 100;

/// An error answer: a status and `{"error": message}`.
#[derive(Debug, Clone)]
pub struct ApiError {
    /// The HTTP status.
    pub status: StatusCode,
    /// What went wrong, one line.
    pub message: String,
}

impl ApiError {
    /// An error with this status.
    pub fn new(status: StatusCode, message: &str) -> Self {
        ApiError {
            status,
            message: message.to_string(),
        }
    }

    /// A 400.
    pub fn bad(message: &str) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }

    /// A 500 (said on stderr too).
    pub fn internal(message: &str) -> Self {
        eprintln!("sou: error: {message}");
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, message)
    }

    /// A 501: `what` can't be answered from a SolrCloud collection yet.
    pub fn not_on_solr(what: &str) -> Self {
        Self::new(
            StatusCode::NOT_IMPLEMENTED,
            &format!("{what} is not available from a SolrCloud collection yet (sou serve --solr)"),
        )
    }

    /// The answer to a library error: a query that can't be run or an ambiguous article id is the
    /// request's fault (400), an unknown id a 404, a SolrCloud collection that can't be reached or
    /// answers with an error a 502 (said on stderr too), anything else the server's (500). The index
    /// directory is left out of the message.
    pub fn from_lib(e: crate::Error, dir: &Path) -> Self {
        let mut message = e.to_string();
        if !dir.as_os_str().is_empty() {
            message = message.replace(&format!(" in the index at {}", dir.display()), "");
        }
        match e {
            crate::Error::Solr(_) => {
                eprintln!("sou: error: {message}");
                Self::new(StatusCode::BAD_GATEWAY, &message)
            }
            crate::Error::Query(_) => Self::bad(&message),
            crate::Error::ArticleId(m) if m.starts_with("no article") => {
                Self::new(StatusCode::NOT_FOUND, &message)
            }
            crate::Error::ArticleId(_) => Self::bad(&message),
            _ => Self::internal(&message),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut resp = json(&serde_json::json!({ "error": self.message }));
        *resp.status_mut() = self.status;
        resp
    }
}

/// `value` as a JSON answer (200, `application/json`, not cached).
fn json<T: Serialize>(value: &T) -> Response {
    match serde_json::to_vec(value) {
        Ok(body) => {
            let mut resp = Response::new(axum::body::Body::from(body));
            let h = resp.headers_mut();
            h.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json; charset=utf-8"),
            );
            h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            resp
        }
        Err(e) => ApiError::internal(&format!("cannot write the answer: {e}")).into_response(),
    }
}

/// The parameters of a request's query string, decoded.
struct Params(Vec<(String, String)>);

impl Params {
    /// Decodes `raw` (`a=1&b=%E4%B8%AD`); a name not in `known` is an error, as is a name given twice
    /// unless it is in `repeatable`, or text that is not UTF-8.
    fn parse(raw: Option<&str>, known: &[&str], repeatable: &[&str]) -> Result<Self, ApiError> {
        let decode = |s: &str| -> Result<String, ApiError> {
            let s = s.replace('+', " ");
            percent_encoding::percent_decode_str(&s)
                .decode_utf8()
                .map(|c| c.into_owned())
                .map_err(|_| ApiError::bad("the query string is not UTF-8"))
        };
        let mut pairs: Vec<(String, String)> = Vec::new();
        for part in raw.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
            let (k, v) = part.split_once('=').unwrap_or((part, ""));
            let (k, v) = (decode(k)?, decode(v)?);
            if !known.contains(&k.as_str()) {
                return Err(ApiError::bad(&format!(
                    "unknown parameter '{k}' (this endpoint takes {})",
                    known.join(", ")
                )));
            }
            if !repeatable.contains(&k.as_str()) && pairs.iter().any(|(n, _)| *n == k) {
                return Err(ApiError::bad(&format!("parameter '{k}' given twice")));
            }
            pairs.push((k, v));
        }
        Ok(Params(pairs))
    }

    /// The value of `name`, if given.
    fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Every value of `name`, in order.
    fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .collect()
    }

    /// The value of `name`, which must be given.
    fn required(&self, name: &str) -> Result<String, ApiError> {
        self.get(name)
            .map(str::to_string)
            .ok_or_else(|| ApiError::bad(&format!("parameter '{name}' is missing")))
    }

    /// A whole number from `min` to `max`.
    fn number(&self, name: &str, min: usize, max: usize) -> Result<Option<usize>, ApiError> {
        let Some(v) = self.get(name) else {
            return Ok(None);
        };
        match v.parse::<usize>() {
            Ok(n) if (min..=max).contains(&n) => Ok(Some(n)),
            _ => Err(ApiError::bad(&format!(
                "parameter '{name}' must be a whole number from {min} to {max}, not '{v}'"
            ))),
        }
    }

    /// A flag: `1`/`true` or `0`/`false` (absent: false).
    fn flag(&self, name: &str) -> Result<bool, ApiError> {
        match self.get(name) {
            None | Some("0" | "false") => Ok(false),
            Some("1" | "true") => Ok(true),
            Some(v) => Err(ApiError::bad(&format!(
                "parameter '{name}' must be 1, true, 0 or false, not '{v}'"
            ))),
        }
    }

    /// The date filters and sources.
    fn filters(&self) -> Result<Filters, ApiError> {
        let date = |name: &str| -> Result<Option<PartialDate>, ApiError> {
            match self.get(name) {
                None => Ok(None),
                Some(v) => PartialDate::parse(v).map(Some).ok_or_else(|| {
                    ApiError::bad(&format!(
                        "parameter '{name}' must be a date: YYYY-MM-DD, YYYY-MM or YYYY, not '{v}'"
                    ))
                }),
            }
        };
        Ok(Filters {
            since: date("since")?,
            until: date("until")?,
            sources: self.all("source"),
            ..Default::default()
        })
    }
}

/// The API's routes.
pub(super) fn routes() -> Router<Arc<App>> {
    Router::new()
        .route("/api/search", only_get(get(search_handler)))
        .route("/api/article", only_get(get(article_handler)))
        .route("/api/count", only_get(get(count_handler)))
        .route("/api/sources", only_get(get(sources_handler)))
        .route(
            "/api/openapi.json",
            only_get(get(|| async {
                super::bytes_response(
                    include_bytes!("../../web/openapi.json"),
                    "application/json; charset=utf-8",
                    "no-cache",
                )
            })),
        )
}

/// `route` with a JSON 405 for other methods than GET (and HEAD).
pub(super) fn only_get(route: MethodRouter<Arc<App>>) -> MethodRouter<Arc<App>> {
    route.fallback(|| async {
        ApiError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "only GET requests are served",
        )
    })
}

/// `GET /api/search`: `{"hits":[…],"summary":{…}}` as `sou search --json` (see [`SearchResponse`]). From a
/// SolrCloud collection: as `sou search --solr --json` (its summary says `"partial": true` when a shard did
/// not answer); `sort` by date is a 501 there.
async fn search_handler(
    State(app): State<Arc<App>>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let p = Params::parse(
        raw.as_deref(),
        &[
            "q",
            "n",
            "since",
            "until",
            "source",
            "sort",
            "per_article",
            "passages",
            "no_collapse",
            "plain",
            "snippet_chars",
        ],
        &["source"],
    )?;
    let sort = match p.get("sort") {
        None | Some("relevance") => Sort::Relevance,
        Some("date" | "oldest") => Sort::Date,
        Some("-date" | "newest") => Sort::DateDesc,
        Some(v) => {
            return Err(ApiError::bad(&format!(
                "parameter 'sort' must be relevance, date or -date, not '{v}'"
            )));
        }
    };
    let passages = p.flag("passages")?;
    let per_article = match (passages, p.number("per_article", 1, MAX_PER_ARTICLE)?) {
        (true, Some(_)) => {
            return Err(ApiError::bad(
                "parameters 'passages' and 'per_article' exclude each other",
            ));
        }
        (true, None) => None,
        (false, Some(n)) => Some(n),
        (false, None) => Some(1),
    };
    let req = SearchRequest {
        query: p.required("q")?,
        limit: p.number("n", 1, app.limits.max_hits)?.unwrap_or(10),
        snippet_chars: p
            .number("snippet_chars", 1, MAX_SNIPPET_CHARS)?
            .unwrap_or(100),
        per_article,
        plain: p.flag("plain")?,
        filters: p.filters()?,
        sort,
        collapse: !p.flag("no_collapse")?,
    };
    let results = match app.solr() {
        Some(c) => {
            if sort != Sort::Relevance {
                return Err(ApiError::not_on_solr(
                    "sort by date (a collection returns its best candidates by relevance)",
                ));
            }
            let c = c.clone();
            app.blocking(move || {
                crate::solr::search::search(&c, &req, crate::solr::search::pool(req.limit))
                    .map(|r| r.results)
            })
            .await?
        }
        None => {
            app.run("search", move |idx| search::search(idx, &req))
                .await?
        }
    };
    Ok(json(&SearchResponse::of(&results)))
}

/// `GET /api/article`: the object of `sou show --json` (see [`ArticleOut`]).
async fn article_handler(
    State(app): State<Arc<App>>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let p = Params::parse(raw.as_deref(), &["id", "q", "around", "plain"], &[])?;
    let id = p.required("id")?;
    let query = p
        .get("q")
        .filter(|q| !q.trim().is_empty())
        .map(str::to_string);
    let around = p.number("around", 0, MAX_AROUND)?;
    let plain = p.flag("plain")?;
    let has_query = query.is_some();
    let article = app
        .run("an article (/api/article)", move |idx| {
            search::show::article(idx, &id, query.as_deref(), plain)
        })
        .await?;
    if around.is_some() && !has_query && article.focus.is_none() {
        return Err(ApiError::bad(
            "'around' shows the passages around the matches of a query: give 'q', or name a passage (ID#N)",
        ));
    }
    Ok(json(&ArticleOut::of(&article, around)))
}

/// `GET /api/count`: the object of `sou count --json` (`{"passages":N,"articles":N}`), or with `by` that of
/// `sou count --by UNIT --json` (a [`search::Breakdown`]).
async fn count_handler(
    State(app): State<Arc<App>>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let p = Params::parse(
        raw.as_deref(),
        &["q", "by", "since", "until", "source", "plain"],
        &["source"],
    )?;
    let by = match p.get("by") {
        None => None,
        Some("year") => Some(CountBy::Year),
        Some("month") => Some(CountBy::Month),
        Some("day") => Some(CountBy::Day),
        Some("source") => Some(CountBy::Source),
        Some(v) => {
            return Err(ApiError::bad(&format!(
                "parameter 'by' must be year, month, day or source, not '{v}'"
            )));
        }
    };
    let req = SearchRequest {
        query: p.required("q")?,
        plain: p.flag("plain")?,
        filters: p.filters()?,
        ..Default::default()
    };
    match by {
        None => Ok(json(
            &app.run("counting (/api/count)", move |idx| search::count(idx, &req))
                .await?,
        )),
        Some(by) => Ok(json(
            &app.run("counting (/api/count)", move |idx| {
                search::count_by(idx, &req, by)
            })
            .await?,
        )),
    }
}

/// `GET /api/sources`: `{"sources":[{"source":"…","passages":N},…]}`, most passages first (see
/// [`search::filter::sources`]).
async fn sources_handler(
    State(app): State<Arc<App>>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    Params::parse(raw.as_deref(), &[], &[])?;
    #[derive(Serialize)]
    struct Source {
        source: String,
        passages: u64,
    }
    #[derive(Serialize)]
    struct Sources {
        sources: Vec<Source>,
    }
    let list = app
        .run(
            "the list of sources (/api/sources)",
            search::filter::sources,
        )
        .await?;
    let sources: Vec<Source> = list
        .into_iter()
        .map(|(source, passages)| Source { source, passages })
        .collect();
    Ok(json(&Sources { sources }))
}
