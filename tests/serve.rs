//! `sou serve`: the JSON API against the CLI's JSON, the security rules, a live index, a clean stop.
//!
//! Each test starts `sou serve --port 0` on a [`TestEnv`], reads its URL from stdout, and talks to it with
//! ureq (and, where a request must be malformed on purpose, over a bare TCP socket). A [`Server`] guard
//! kills the server when dropped, so a failing test leaks no process.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::util::{Output, TestEnv, wait_output};

/// A running `sou serve`, killed when dropped.
pub(crate) struct Server {
    child: Option<Child>,
    /// `http://127.0.0.1:PORT/`.
    pub(crate) url: String,
    port: u16,
    /// What the server printed first on stdout.
    first_line: String,
    agent: ureq::Agent,
}

/// An answer: status, `Content-Type`, all headers (lowercase names), and the body.
pub(crate) struct Answer {
    pub(crate) status: u16,
    headers: Vec<(String, String)>,
    pub(crate) body: String,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    pub(crate) fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    /// Asserts a JSON error with this status, and returns its message.
    pub(crate) fn error(&self, status: u16) -> String {
        assert_eq!(self.status, status, "{}", self.body);
        assert!(
            self.header("content-type")
                .is_some_and(|c| c.starts_with("application/json")),
            "{:?}",
            self.headers
        );
        let v = self.json();
        v["error"]
            .as_str()
            .unwrap_or_else(|| panic!("no error message: {v}"))
            .to_string()
    }
}

impl Server {
    /// `sou serve --port 0 ARGS` on `env`'s index and corpus; waits for its URL.
    fn start(env: &TestEnv, args: &[&str]) -> Server {
        let index = env.index_dir().display().to_string();
        let corpus = env.corpus().display().to_string();
        let mut all = vec!["--index", &index, "--corpus", &corpus];
        all.extend_from_slice(args);
        Server::start_with(env, &all)
    }

    /// `sou serve --port 0 --bind 127.0.0.1 ARGS` (no index or corpus given); waits for its URL.
    pub(crate) fn start_with(env: &TestEnv, args: &[&str]) -> Server {
        let mut all = vec!["serve", "--port", "0", "--bind", "127.0.0.1"];
        all.extend_from_slice(args);
        let mut child = env
            .command(&all, &[])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("cannot run the sou binary");
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut first_line = String::new();
        stdout.read_line(&mut first_line).unwrap();
        let mut server = Server {
            child: Some(child),
            url: String::new(),
            port: 0,
            first_line: first_line.clone(),
            agent: ureq::Agent::config_builder()
                .http_status_as_error(false)
                .timeout_global(Some(Duration::from_secs(60)))
                .build()
                .into(),
        };
        let Some(url) = first_line.trim_end().strip_prefix("sou: serving ") else {
            let out = server.stop_with("KILL");
            panic!("no URL on stdout: {first_line:?}; {out:#?}");
        };
        server.url = url.to_string();
        server.port = url
            .trim_end_matches('/')
            .rsplit(':')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        server
    }

    /// `GET path` (which starts with `/`, its query already encoded).
    fn get(&self, path: &str) -> Answer {
        let url = format!("{}{}", self.url.trim_end_matches('/'), path);
        let mut resp = self
            .agent
            .get(&url)
            .call()
            .unwrap_or_else(|e| panic!("GET {url}: {e}"));
        let headers = resp
            .headers()
            .iter()
            .map(|(n, v)| {
                (
                    n.as_str().to_ascii_lowercase(),
                    v.to_str().unwrap_or("").to_string(),
                )
            })
            .collect();
        Answer {
            status: resp.status().as_u16(),
            headers,
            body: resp.body_mut().read_to_string().unwrap(),
        }
    }

    /// `GET /api/…` with these parameters (encoded here).
    pub(crate) fn api(&self, endpoint: &str, params: &[(&str, &str)]) -> Answer {
        let query: Vec<String> = params
            .iter()
            .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
            .collect();
        self.get(&format!("/api/{endpoint}?{}", query.join("&")))
    }

    /// Sends `request` as it is (with `{port}` replaced) over a bare socket; returns the answer.
    fn raw(&self, request: &str) -> Answer {
        let mut s = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
        s.write_all(request.replace("{port}", &self.port.to_string()).as_bytes())
            .unwrap();
        let mut bytes = Vec::new();
        s.read_to_end(&mut bytes).unwrap();
        let text = String::from_utf8(bytes).unwrap();
        let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
        let mut lines = head.lines();
        let status = lines
            .next()
            .and_then(|l| l.split(' ').nth(1))
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("no status line: {text:?}"));
        let headers = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
            .collect();
        Answer {
            status,
            headers,
            body: body.to_string(),
        }
    }

    /// Sends `signal` (TERM, INT, KILL) and collects the server's exit status and output.
    pub(crate) fn stop_with(&mut self, signal: &str) -> Output {
        let child = self.child.take().expect("server already stopped");
        let ok = std::process::Command::new("kill")
            .args([format!("-{signal}"), child.id().to_string()])
            .status()
            .unwrap()
            .success();
        assert!(ok, "kill -{signal} failed");
        wait_output(child)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Percent-encodes everything but unreserved ASCII.
fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The JSON Lines of a `sou` run (status 0 or 1), parsed.
fn json_lines(out: &Output) -> Vec<Value> {
    assert!(matches!(out.code, Some(0 | 1)), "{out:#?}");
    out.stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// `sou CMD --index … --corpus … ARGS`.
fn cli(env: &TestEnv, cmd: &str, args: &[&str]) -> Output {
    let mut all: Vec<String> = vec![
        cmd.into(),
        "--index".into(),
        env.index_dir().display().to_string(),
        "--corpus".into(),
        env.corpus().display().to_string(),
    ];
    all.extend(args.iter().map(|a| a.to_string()));
    env.run(all)
}

/// The API's `{"hits","summary"}` equals the hit and summary lines of `sou search --json`, but for the time.
fn assert_search_matches_cli(
    server: &Server,
    env: &TestEnv,
    params: &[(&str, &str)],
    args: &[&str],
) {
    let answer = server.api("search", params);
    assert_eq!(answer.status, 200, "{params:?}: {}", answer.body);
    let mut api = answer.json();
    let lines = json_lines(&cli(env, "search", &[&["--json"], args].concat()));
    let hits: Vec<Value> = lines
        .iter()
        .filter(|l| l["type"] == "hit")
        .map(|l| l["data"].clone())
        .collect();
    let mut summary = lines.last().unwrap()["data"].clone();
    assert!(summary["elapsed_ms"].as_f64().is_some());
    assert!(api["summary"]["elapsed_ms"].as_f64().is_some());
    summary.as_object_mut().unwrap().remove("elapsed_ms");
    api["summary"].as_object_mut().unwrap().remove("elapsed_ms");
    assert_eq!(api["hits"], Value::Array(hits), "{params:?}");
    assert_eq!(api["summary"], summary, "{params:?}");
}

#[test]
fn api_answers_as_the_cli_does() {
    let env = TestEnv::bundled_page();
    let server = Server::start(&env, &[]);
    assert!(
        server.url.starts_with("http://127.0.0.1:"),
        "{}",
        server.first_line
    );
    assert_search_matches_cli(&server, &env, &[("q", "高新区")], &["高新区"]);
    assert_search_matches_cli(
        &server,
        &env,
        &[
            ("q", "高新区"),
            ("n", "3"),
            ("per_article", "2"),
            ("snippet_chars", "40"),
        ],
        &[
            "高新区",
            "-n",
            "3",
            "--per-article",
            "2",
            "--snippet-chars",
            "40",
        ],
    );
    assert_search_matches_cli(
        &server,
        &env,
        &[("q", "工研院 进博会"), ("passages", "1")],
        &["工研院", "进博会", "--passages"],
    );
    assert_search_matches_cli(
        &server,
        &env,
        &[
            ("q", "青岛市工研院培育了多少家高新技术企业"),
            ("sort", "-date"),
            ("no_collapse", "1"),
        ],
        &[
            "青岛市工研院培育了多少家高新技术企业",
            "--sort",
            "-date",
            "--no-collapse",
        ],
    );
    assert_search_matches_cli(
        &server,
        &env,
        &[
            ("q", "高新区"),
            ("source", "科技日报"),
            ("source", "人民日报"),
            ("since", "2023"),
        ],
        &[
            "高新区",
            "--source",
            "科技日报",
            "--source",
            "人民日报",
            "--since",
            "2023",
        ],
    );
    assert_search_matches_cli(&server, &env, &[("q", "小鹏 -肇庆")], &["小鹏", "-肇庆"]);

    // The article, as `sou show --json`, with and without a query and `around`.
    let hit = server.api("search", &[("q", "工研院")]).json()["hits"][0].clone();
    let id = hit["show_id"].as_str().unwrap();
    for (params, args) in [
        (vec![("id", id)], vec![id]),
        (vec![("id", id), ("q", "工研院")], vec![id, "工研院"]),
        (
            vec![("id", id), ("q", "工研院"), ("around", "1")],
            vec![id, "工研院", "--around", "1"],
        ),
    ] {
        let answer = server.api("article", &params);
        assert_eq!(answer.status, 200, "{}", answer.body);
        let shown = json_lines(&cli(&env, "show", &[&["--json"], &args[..]].concat()));
        assert_eq!(answer.json(), shown[0], "{params:?}");
    }

    // Counts, in all and per source and year, as `sou count --json`.
    for (params, args) in [
        (vec![("q", "高新区")], vec!["高新区"]),
        (
            vec![("q", "高新区"), ("by", "source")],
            vec!["高新区", "--by", "source"],
        ),
        (
            vec![("q", "工研院"), ("by", "year")],
            vec!["工研院", "--by", "year"],
        ),
    ] {
        let answer = server.api("count", &params);
        assert_eq!(answer.status, 200, "{}", answer.body);
        let counted = json_lines(&cli(&env, "count", &[&["--json"], &args[..]].concat()));
        assert_eq!(answer.json(), counted[0], "{params:?}");
    }
    let sources = server.api("sources", &[]).json();
    assert_eq!(sources["sources"][0]["source"], "科技日报", "{sources}");

    // The OpenAPI description is JSON and names every endpoint.
    let spec = server.get("/api/openapi.json").json();
    for path in ["/api/search", "/api/article", "/api/count", "/api/sources"] {
        assert!(spec["paths"][path].is_object(), "{path}");
    }
}

#[test]
fn bad_requests_get_400_with_a_json_error() {
    let env = TestEnv::indexed(&[("a.txt", "防汛应急。青岛市工研院。")]);
    let server = Server::start(&env, &[]);
    let long = "防".repeat(1001);
    for params in [
        vec![],
        vec![("q", "")],
        vec![("q", "-防汛")],
        vec![("q", long.as_str())],
        vec![("q", "防汛"), ("n", "0")],
        vec![("q", "防汛"), ("n", "101")],
        vec![("q", "防汛"), ("n", "ten")],
        vec![("q", "防汛"), ("n", "-1")],
        vec![("q", "防汛"), ("snippet_chars", "100000")],
        vec![("q", "防汛"), ("sort", "score")],
        vec![("q", "防汛"), ("since", "2023-13")],
        vec![("q", "防汛"), ("passages", "yes")],
        vec![("q", "防汛"), ("passages", "1"), ("per_article", "2")],
        vec![("q", "防汛"), ("q", "应急")],
        vec![("q", "防汛"), ("limit", "3")],
    ] {
        let answer = server.api("search", &params);
        let msg = answer.error(400);
        assert!(!msg.is_empty(), "{params:?}");
    }
    assert!(
        server
            .api("search", &[("q", &long)])
            .error(400)
            .contains("long")
    );
    // Not UTF-8.
    server.get("/api/search?q=%B7%C0%D1%B4").error(400);
    server
        .api("count", &[("q", "防汛"), ("by", "week")])
        .error(400);
    server.api("article", &[]).error(400);
    server
        .api("article", &[("id", "a.txt"), ("around", "x")])
        .error(400);
    server
        .api("article", &[("id", "a.txt"), ("around", "1")])
        .error(400);
    let msg = server.api("article", &[("id", "b.txt")]).error(404);
    assert!(msg.contains("no article 'b.txt'"), "{msg}");
    assert!(!msg.contains(&env.root().display().to_string()), "{msg}");
    // Other methods, a body, a URI too long.
    server
        .raw("POST /api/search?q=x HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        .error(405);
    server
        .raw("GET /api/search?q=x HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc")
        .error(413);
    server
        .raw(&format!(
            "GET /api/search?q={} HTTP/1.1\r\nHost: 127.0.0.1:{{port}}\r\nConnection: close\r\n\r\n",
            "x".repeat(20_000)
        ))
        .error(414);
    // Still serving.
    assert_eq!(
        server.api("search", &[("q", "防汛")]).json()["summary"]["total_hits"],
        1
    );
}

#[test]
fn an_ambiguous_article_id_is_a_400_naming_the_articles() {
    let rec = |id: &str, title: &str| {
        format!(
            "{}\n",
            serde_json::json!({"id": id, "title": title, "body": format!("{title}讲防汛。")})
        )
    };
    let env = TestEnv::indexed(&[
        ("a.jsonl", &rec("dup", "甲文")),
        ("b.jsonl", &rec("dup", "乙文")),
    ]);
    let server = Server::start(&env, &[]);
    let msg = server.api("article", &[("id", "dup")]).error(400);
    assert!(
        msg.contains("a.jsonl#dup") && msg.contains("b.jsonl#dup"),
        "{msg}"
    );
    let v = server.api("article", &[("id", "b.jsonl#dup")]).json();
    assert_eq!(v["title"], "乙文");
}

#[test]
fn requests_for_another_host_are_refused() {
    let env = TestEnv::indexed(&[("a.txt", "防汛应急。")]);
    let server = Server::start(&env, &[]);
    let request = |host: &str| {
        server.raw(&format!(
            "GET /api/search?q=%E9%98%B2%E6%B1%9B HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
        ))
    };
    for host in [
        "127.0.0.1:{port}",
        "localhost:{port}",
        "LOCALHOST:{port}",
        "[::1]:{port}",
    ] {
        let answer = request(host);
        assert_eq!(answer.status, 200, "{host}: {}", answer.body);
    }
    // A DNS rebinding attack: a page of evil.example whose name now points at 127.0.0.1.
    for host in [
        "evil.example:{port}",
        "evil.example",
        "127.0.0.1",
        "127.0.0.1:1",
        "localhost.evil.example:{port}",
        "192.168.1.2:{port}",
    ] {
        let answer = request(host);
        answer.error(403);
        assert_eq!(answer.header("x-content-type-options"), Some("nosniff"));
    }
    // The page too.
    server
        .raw("GET / HTTP/1.1\r\nHost: evil.example:{port}\r\nConnection: close\r\n\r\n")
        .error(403);
    // No Host at all (HTTP/1.0).
    server.raw("GET /api/sources HTTP/1.0\r\n\r\n").error(400);
}

#[test]
fn only_the_api_and_the_embedded_page_are_served() {
    let env = TestEnv::indexed(&[("a.txt", "防汛应急。")]);
    let server = Server::start(&env, &[]);
    let page = server.get("/");
    assert_eq!(page.status, 200);
    assert_eq!(
        page.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    assert!(page.body.contains("/assets/app.js"), "{}", page.body);
    for (path, kind) in [
        ("/assets/app.js", "text/javascript; charset=utf-8"),
        ("/assets/app.css", "text/css; charset=utf-8"),
    ] {
        let answer = server.get(path);
        assert_eq!(answer.status, 200, "{path}");
        assert_eq!(answer.header("content-type"), Some(kind), "{path}");
        assert!(answer.header("cache-control").is_some(), "{path}");
    }
    for answer in [&page, &server.api("search", &[("q", "防汛")])] {
        assert_eq!(answer.header("x-content-type-options"), Some("nosniff"));
        assert_eq!(answer.header("referrer-policy"), Some("no-referrer"));
        let csp = answer.header("content-security-policy").unwrap();
        assert!(
            csp.contains("default-src 'self'") && !csp.contains("unsafe-inline"),
            "{csp}"
        );
    }
    let root = env!("CARGO_MANIFEST_DIR");
    for path in [
        "/../../../../../../etc/passwd",
        "/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "/%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd",
        "/assets/..%2f..%2fCargo.toml",
        "/assets/../Cargo.toml",
        "/assets/%2e%2e/%2e%2e/Cargo.toml",
        "/assets/index.html",
        "/assets/",
        "/web/app.js",
        "/index.html",
        "/src/main.rs",
        "/corpus/a.txt",
        "/index/sou-manifest.json",
        "//etc/passwd",
        "/api/../Cargo.toml",
        &format!("/{root}/Cargo.toml"),
    ] {
        let answer = server.raw(&format!(
            "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{{port}}\r\nConnection: close\r\n\r\n"
        ));
        answer.error(404);
        assert!(
            !answer.body.contains("root:") && !answer.body.contains("[package]"),
            "{path}"
        );
    }
}

#[test]
fn corpus_markup_comes_back_as_json_text() {
    let evil = "<script>alert('x')</script>\"><img src=x onerror=alert(1)>防汛应急通知。";
    let env = TestEnv::indexed(&[("evil.txt", evil)]);
    let server = Server::start(&env, &[]);
    let answer = server.api("search", &[("q", "防汛")]);
    assert_eq!(answer.status, 200);
    assert_eq!(
        answer.header("content-type"),
        Some("application/json; charset=utf-8")
    );
    assert_eq!(answer.header("x-content-type-options"), Some("nosniff"));
    let hit = answer.json()["hits"][0].clone();
    assert!(
        hit["text"]
            .as_str()
            .unwrap()
            .contains("<script>alert('x')</script>"),
        "{hit}"
    );
    let article = server.api("article", &[("id", "evil.txt"), ("q", "防汛")]);
    assert_eq!(answer.header("x-content-type-options"), Some("nosniff"));
    let body: String = article.json()["passages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["text"].as_str().unwrap().to_string())
        .collect();
    assert!(body.contains("onerror=alert(1)>"), "{body}");
}

/// Searches `q` until a hit is found (at most 30 s); returns the hits.
fn wait_for_hit(server: &Server, q: &str) -> Value {
    let started = Instant::now();
    loop {
        let answer = server.api("search", &[("q", q)]);
        assert_eq!(answer.status, 200, "{}", answer.body);
        let v = answer.json();
        if v["summary"]["total_hits"].as_u64() > Some(0) {
            return v["hits"].clone();
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the server did not pick the update up: {v}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn the_index_stays_live_while_it_is_updated_and_rebuilt() {
    let env = TestEnv::indexed(&[("a.txt", "防汛应急。")]);
    let server = Server::start(&env, &[]);
    assert_eq!(
        server.api("search", &[("q", "抗旱")]).json()["summary"]["total_hits"],
        0
    );
    env.write("b.txt", "抗旱保苗。");
    env.index();
    let hits = wait_for_hit(&server, "抗旱");
    assert_eq!(hits[0]["path"], "b.txt");
    // A rebuild, then an archive appended to: the server follows.
    env.try_index(&["--rebuild"]).assert_ok();
    env.write(
        "c.jsonl",
        format!(
            "{}\n",
            serde_json::json!({"id": "c1", "title": "晚报", "body": "春耕备耕。"})
        ),
    );
    env.index();
    let hits = wait_for_hit(&server, "春耕");
    assert_eq!(hits[0]["id"], "c1");
    assert_eq!(
        server.api("search", &[("q", "防汛")]).json()["summary"]["total_hits"],
        1
    );
    let article = server.api("article", &[("id", "c1")]);
    assert_eq!(article.status, 200, "{}", article.body);
}

#[test]
fn the_server_stops_cleanly_on_sigterm_and_sigint() {
    let env = TestEnv::indexed(&[("a.txt", "防汛应急。")]);
    for signal in ["TERM", "INT"] {
        let mut server = Server::start(&env, &[]);
        assert_eq!(server.api("count", &[("q", "防汛")]).json()["passages"], 1);
        let out = server.stop_with(signal);
        assert_eq!(out.code, Some(0), "SIG{signal}: {out:#?}");
        assert!(out.stderr.is_empty(), "{out:#?}");
    }
    // Another address than the loopback: a warning first. The tests never listen beyond the loopback, so
    // the address is one of TEST-NET-1 (RFC 5737), which no machine has: the warning, then the bind fails.
    // (Which `Host` values such a server accepts: the unit tests of `serve`.)
    let out = cli(&env, "serve", &["--bind", "192.0.2.1", "--port", "0"]);
    assert_eq!(out.code, Some(2), "{out:#?}");
    let lines: Vec<&str> = out.stderr.lines().collect();
    assert_eq!(lines.len(), 2, "{out:#?}");
    assert!(
        lines[0].starts_with("sou: warning: serving on 192.0.2.1, not the loopback"),
        "{out:#?}"
    );
    assert!(lines[1].contains("cannot serve on 192.0.2.1:"), "{out:#?}");
    // A port in use: one line, status 2.
    let busy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = busy.local_addr().unwrap().port().to_string();
    let out = cli(&env, "serve", &["--port", &port]);
    out.assert_error(&["cannot serve on 127.0.0.1:"]);
    assert_eq!(out.stderr.lines().count(), 1, "{out:#?}");
}
