//! `sou serve`: the web page and a JSON API over the same engine, on axum and tokio.
//!
//! - **API** ([`api`]): `GET /api/search`, `/api/article`, `/api/count`, `/api/sources`, and the OpenAPI
//!   description at `/api/openapi.json` (the file `web/openapi.json`). Every answer is JSON (UTF-8); the
//!   search, article and count objects are those of `sou search --json`, `sou show --json` and
//!   `sou count --json` ([`crate::output`] defines each once). A bad request gets 400 with
//!   `{"error":"…"}`; an unknown article 404.
//! - **Page** ([`assets`]): `GET /` and a fixed list of files under `/assets/`, embedded in the binary.
//!   Nothing else is served: no path reaches the file system.
//! - **Security**: the server binds 127.0.0.1 unless told otherwise; a request whose `Host` is not an address
//!   the server answers on gets 403 (DNS rebinding); requests have no body, URIs at most [`MAX_URI`] bytes;
//!   every answer carries `X-Content-Type-Options: nosniff`, a strict `Content-Security-Policy` and
//!   `Referrer-Policy: no-referrer`.
//! - **Threads**: tantivy is synchronous: each search runs on tokio's blocking pool
//!   (`spawn_blocking`), at most [`Limits::concurrent`] at once (the others wait their turn).
//! - **A live index**: the reader reloads on each commit of `sou index` (tantivy's
//!   `ReloadPolicy::OnCommitWithDelay`, which polls the index's `meta.json` about twice a second); when the
//!   sou manifest changes (after each `sou index` run) the reader is reloaded once more, and if the run
//!   changed the index format, the analyzer or the user dictionary (or the reload fails) the index is
//!   opened afresh and swapped in, the requests under way finishing on the old one.
//! - **A SolrCloud collection** (`sou serve --solr URL`, [`Backend::Solr`]): `/api/search` runs the search of
//!   `sou search --solr` ([`crate::solr::search`]) on the blocking pool, as a local search, with `"partial":
//!   true` in its summary when a shard had no live replica (the page says so). `/api/count`, `/api/article`
//!   and `/api/sources` have no Solr path yet: they answer 501 with `{"error":"…"}` (the page hides its
//!   facets and says so in place of an article), as does `sort` by date. A collection that can't be
//!   reached or answers with an error while serving makes a 502 with Solr's one-line reason; the server
//!   goes on.
//!   An index that can't be opened meanwhile (a rebuild half done) is reported once on stderr; the server
//!   goes on answering from the last one it opened.

pub mod api;
pub mod assets;

use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::{Duration, SystemTime};

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tantivy::ReloadPolicy;

use crate::index::{MANIFEST_FILE, SearchIndex};

/// The longest request URI accepted, in bytes (a query is at most 1,000 characters: 9,000 bytes
/// percent-encoded, plus the other parameters).
pub const MAX_URI: usize = 16 * 1024;

/// The `Content-Security-Policy` of every answer: everything from the server itself, no inline script or
/// style, no frames, no plugins.
pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
     connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// How much a request may ask for.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Most hits per search (`n`).
    pub max_hits: usize,
    /// Searches run at once on the blocking pool.
    pub concurrent: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_hits: 100,
            concurrent: std::thread::available_parallelism()
                .map_or(2, |n| n.get())
                .max(2),
        }
    }
}

/// What `sou serve` serves, and where.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// The address to listen on.
    pub bind: IpAddr,
    /// The port (0: one the system picks).
    pub port: u16,
    /// Request limits.
    pub limits: Limits,
}

/// What a server answers from.
pub enum Backend {
    /// A local index.
    Local(Box<SearchIndex>),
    /// A SolrCloud collection (checked beforehand: [`crate::solr::Collection::check_schema`]).
    Solr(crate::solr::Collection),
}

/// The server's state, shared by every request.
pub struct App {
    /// The index answering now (swapped for a fresh one when the manifest changes); None when serving a
    /// SolrCloud collection.
    index: RwLock<Option<Arc<SearchIndex>>>,
    /// The SolrCloud collection served, if any.
    solr: Option<Arc<crate::solr::Collection>>,
    /// The index directory.
    dir: PathBuf,
    /// The `Host` values a request may carry (lowercase); `*:PORT`: any IP literal with the port.
    hosts: Vec<String>,
    /// The port served (for `Host` checks when bound to a non-loopback address).
    port: u16,
    /// Searches running or waiting.
    permits: tokio::sync::Semaphore,
    /// The limits.
    limits: Limits,
}

impl App {
    /// The index answering now (None when serving a SolrCloud collection).
    pub fn current(&self) -> Option<Arc<SearchIndex>> {
        self.index
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// The SolrCloud collection served, if any.
    pub fn solr(&self) -> Option<&Arc<crate::solr::Collection>> {
        self.solr.as_ref()
    }

    /// Runs `f` on the current index on the blocking pool, at most [`Limits::concurrent`] at once. When
    /// serving a SolrCloud collection: a 501 saying that `what` has no Solr path yet.
    pub async fn run<T: Send + 'static>(
        &self,
        what: &str,
        f: impl FnOnce(&SearchIndex) -> crate::Result<T> + Send + 'static,
    ) -> Result<T, api::ApiError> {
        let Some(idx) = self.current() else {
            return Err(api::ApiError::not_on_solr(what));
        };
        self.blocking(move || f(&idx)).await
    }

    /// Runs `f` on the blocking pool (it may block: tantivy, or HTTP to Solr), at most
    /// [`Limits::concurrent`] at once.
    pub async fn blocking<T: Send + 'static>(
        &self,
        f: impl FnOnce() -> crate::Result<T> + Send + 'static,
    ) -> Result<T, api::ApiError> {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|_| api::ApiError::internal("the server is stopping"))?;
        match tokio::task::spawn_blocking(f).await {
            Ok(r) => r.map_err(|e| api::ApiError::from_lib(e, &self.dir)),
            Err(e) => Err(api::ApiError::internal(&format!("the search failed: {e}"))),
        }
    }

    /// Is `host` (a `Host` header's value) one this server answers to? When bound to loopback: `127.0.0.1`,
    /// `localhost` or `[::1]` with the port. When bound to another address: that address or any IP literal
    /// (never a DNS name: DNS rebinding needs one), with the port, and the loopback names.
    fn host_allowed(&self, host: &str) -> bool {
        host_matches(&self.hosts, self.port, host)
    }
}

/// Is `host` one of `hosts` (from [`allowed_hosts`]; `*:PORT` stands for any IP literal with that port)?
/// Compared without regard to case.
fn host_matches(hosts: &[String], port: u16, host: &str) -> bool {
    let host = host.to_ascii_lowercase();
    if hosts.contains(&host) {
        return true;
    }
    if hosts.iter().any(|h| h.starts_with("*:")) {
        let Some((ip, p)) = host.rsplit_once(':') else {
            return false;
        };
        let ip = ip.trim_start_matches('[').trim_end_matches(']');
        return p == port.to_string() && ip.parse::<IpAddr>().is_ok();
    }
    false
}

/// Sets the reader of `idx` to reload on each commit (a search index opens with a manual reader).
fn live(mut idx: SearchIndex) -> crate::Result<SearchIndex> {
    idx.reader = idx
        .index
        .reader_builder()
        .reload_policy(ReloadPolicy::OnCommitWithDelay)
        .doc_store_cache_num_blocks(crate::index::open::STORE_CACHE_BLOCKS)
        .try_into()?;
    Ok(idx)
}

/// The manifest's size and time: what tells that an `sou index` run has finished.
fn manifest_stamp(dir: &Path) -> Option<(u64, SystemTime)> {
    let meta = std::fs::metadata(dir.join(MANIFEST_FILE)).ok()?;
    Some((meta.len(), meta.modified().ok()?))
}

/// After an `sou index` run: None when `current` still fits the index in `dir` (the same format, analyzer
/// and user dictionary; its reader reloaded to the last commit), else the index opened afresh.
fn refreshed(dir: &Path, current: &SearchIndex) -> crate::Result<Option<SearchIndex>> {
    let fits = crate::index::read_head(dir)?.is_some_and(|m| {
        let c = &current.manifest;
        m.format_version == c.format_version && m.analyzer == c.analyzer && m.dict == c.dict
    });
    if fits && current.reader.reload().is_ok() {
        return Ok(None);
    }
    crate::index::open(dir).and_then(live).map(Some)
}

/// Watches the manifest and swaps a freshly opened index in when it changes (see the module docs).
async fn watch_manifest(app: Arc<App>, mut stop: tokio::sync::watch::Receiver<bool>) {
    let mut seen = manifest_stamp(&app.dir);
    let mut reported = None;
    loop {
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_millis(500)) => {}
            _ = stop.changed() => return,
        }
        let now = manifest_stamp(&app.dir);
        if now == seen || now.is_none() {
            continue;
        }
        let Some(current) = app.current() else {
            return;
        };
        let dir = app.dir.clone();
        let opened = tokio::task::spawn_blocking(move || refreshed(&dir, &current))
            .await
            .map_err(|e| e.to_string());
        match opened {
            Ok(Ok(fresh)) => {
                if let Some(idx) = fresh {
                    *app.index
                        .write()
                        .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(Arc::new(idx));
                }
                seen = now;
            }
            // Tried again at the next look; said once per version of the manifest.
            Ok(Err(e)) if reported != now => {
                eprintln!(
                    "sou: warning: the index changed and can't be opened ({e}); still answering from the index as it was"
                );
                reported = now;
            }
            Err(e) if reported != now => {
                eprintln!("sou: warning: reopening the index failed ({e})");
                reported = now;
            }
            _ => {}
        }
    }
}

/// The `Host` values a server bound to `addr` answers to (see [`App::host_allowed`]).
fn allowed_hosts(addr: SocketAddr) -> Vec<String> {
    let port = addr.port();
    let mut hosts = vec![
        format!("127.0.0.1:{port}"),
        format!("localhost:{port}"),
        format!("[::1]:{port}"),
    ];
    if !addr.ip().is_loopback() {
        // Any IP literal with the port (the address the user typed in the browser).
        hosts.push(format!("*:{port}"));
    }
    hosts
}

/// The URL of a server listening on `addr` (`http://127.0.0.1:7700/`, `http://[::1]:7700/`).
pub fn url(addr: SocketAddr) -> String {
    format!("http://{addr}/")
}

/// Checks what every request must pass (URI length, `Host`, no body) and adds the security headers to
/// every answer.
async fn guard(State(app): State<Arc<App>>, req: Request, next: Next) -> Response {
    let refused = if req.uri().to_string().len() > MAX_URI {
        Some(api::ApiError::new(
            StatusCode::URI_TOO_LONG,
            &format!("the request URI is longer than {MAX_URI} bytes"),
        ))
    } else {
        match req.headers().get(header::HOST).map(|h| h.to_str()) {
            None => Some(api::ApiError::bad("the request has no Host header")),
            Some(Ok(host)) if app.host_allowed(host) => None,
            Some(_) => Some(api::ApiError::new(
                StatusCode::FORBIDDEN,
                "this server answers only requests addressed to it by its own address (Host header)",
            )),
        }
    };
    let refused = refused.or_else(|| {
        let has_body = req.headers().contains_key(header::TRANSFER_ENCODING)
            || req
                .headers()
                .get(header::CONTENT_LENGTH)
                .is_some_and(|v| v.as_bytes() != b"0");
        has_body.then(|| {
            api::ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "requests to this server have no body",
            )
        })
    });
    let mut resp = match refused {
        Some(e) => e.into_response(),
        None => next.run(req).await,
    };
    let h = resp.headers_mut();
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        "cross-origin-resource-policy",
        HeaderValue::from_static("same-origin"),
    );
    resp
}

/// The routes: the API, the page's files, and a JSON 404 for anything else.
fn router(app: Arc<App>) -> Router {
    let routes = api::routes().merge(assets::routes());
    routes
        .fallback(|| async { api::ApiError::new(StatusCode::NOT_FOUND, "not found") })
        .layer(axum::middleware::from_fn_with_state(app.clone(), guard))
        .with_state(app)
}

/// Resolves when the process gets SIGINT (Ctrl-C) or SIGTERM.
async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match (
            signal(SignalKind::interrupt()),
            signal(SignalKind::terminate()),
        ) {
            (Ok(mut int), Ok(mut term)) => {
                tokio::select! {
                    _ = int.recv() => {}
                    _ = term.recv() => {}
                }
            }
            _ => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// How long the requests under way may take to finish after a stop signal.
const GRACE: Duration = Duration::from_secs(5);

/// Serves `backend` (a local index, or a SolrCloud collection) until SIGINT or SIGTERM, then stops taking
/// connections, lets the requests under way finish (at most 5 s) and returns. `listening` is called once
/// with the address bound (the real port when `opts.port` is 0), before the first request is taken.
/// Errors: the address can't be bound, or the runtime can't start.
pub fn serve(
    backend: Backend,
    opts: &ServeOptions,
    listening: impl FnOnce(SocketAddr),
) -> std::io::Result<()> {
    let (index, solr, dir) = match backend {
        Backend::Local(index) => {
            let dir = index.dir.clone();
            let index = live(*index).map_err(std::io::Error::other)?;
            (Some(Arc::new(index)), None, dir)
        }
        Backend::Solr(c) => (None, Some(Arc::new(c)), PathBuf::new()),
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("sou-serve")
        .build()?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind((opts.bind, opts.port)).await?;
        let addr = listener.local_addr()?;
        let app = Arc::new(App {
            index: RwLock::new(index),
            solr,
            dir,
            hosts: allowed_hosts(addr),
            port: addr.port(),
            permits: tokio::sync::Semaphore::new(opts.limits.concurrent),
            limits: opts.limits,
        });
        let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
        let watcher = tokio::spawn(watch_manifest(app.clone(), stop_rx.clone()));
        let mut graceful = stop_rx.clone();
        let server = axum::serve(listener, router(app))
            .with_graceful_shutdown(async move {
                let _ = graceful.changed().await;
            })
            .into_future();
        let serving = tokio::spawn(server);
        listening(addr);
        stop_signal().await;
        let _ = stop_tx.send(true);
        let _ = watcher.await;
        match tokio::time::timeout(GRACE, serving).await {
            Ok(Ok(r)) => r,
            Ok(Err(e)) => Err(std::io::Error::other(e)),
            // Requests still under way after the grace period are dropped with the runtime.
            Err(_) => Ok(()),
        }
    })?;
    // Blocking tasks (a search still running) are not waited for.
    runtime.shutdown_timeout(Duration::from_millis(100));
    Ok(())
}

/// A response with `body` and `content_type`, and `Cache-Control: cache`.
pub(crate) fn bytes_response(
    body: &'static [u8],
    content_type: &'static str,
    cache: &'static str,
) -> Response {
    let mut resp = Response::new(Body::from(body));
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    fn allowed(bind: &str, host: &str) -> bool {
        let addr: SocketAddr = bind.parse().unwrap();
        host_matches(&allowed_hosts(addr), addr.port(), host)
    }

    #[test]
    fn on_the_loopback_only_loopback_names_with_the_port_pass() {
        for host in [
            "127.0.0.1:7700",
            "localhost:7700",
            "LOCALHOST:7700",
            "[::1]:7700",
        ] {
            assert!(allowed("127.0.0.1:7700", host), "{host}");
        }
        for host in [
            "evil.example:7700",
            "127.0.0.1:80",
            "127.0.0.1",
            "localhost",
            "192.168.1.5:7700",
            "",
        ] {
            assert!(!allowed("127.0.0.1:7700", host), "{host}");
        }
    }

    #[test]
    fn on_another_address_ip_literals_pass_and_names_do_not() {
        for host in [
            "192.168.1.5:7700",
            "[fe80::1]:7700",
            "localhost:7700",
            "10.0.0.1:7700",
        ] {
            assert!(allowed("0.0.0.0:7700", host), "{host}");
        }
        // A DNS name pointed at the machine (rebinding) or another port is still refused.
        for host in [
            "evil.example:7700",
            "192.168.1.5:7701",
            "192.168.1.5",
            "example:7700",
        ] {
            assert!(!allowed("0.0.0.0:7700", host), "{host}");
        }
    }
}
