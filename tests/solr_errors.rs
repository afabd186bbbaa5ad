//! `--solr` with a URL that can't serve sou (issue 18, bad input), without a cluster: a closed loopback
//! port, a fake server on loopback that answers as Solr does with an error or with another schema, and one
//! that never answers. Each is one line on stderr and exit status 2, never a panic; `sou index --solr` then
//! indexes nothing.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::time::Duration;

use crate::util::TestEnv;

/// A loopback port where nothing listens.
fn closed_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

/// A server on a loopback port that answers every request with `status` and the JSON `body` (when `body` is
/// None it accepts connections and never answers). Runs until the test process ends.
fn fake_server(status: &'static str, body: Option<&'static str>) -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for conn in l.incoming() {
            let Ok(mut conn) = conn else { continue };
            let Some(body) = body else {
                held.push(conn);
                continue;
            };
            let _ = conn.set_read_timeout(Some(Duration::from_millis(300)));
            let mut buf = [0u8; 65536];
            let _ = conn.read(&mut buf);
            let reply = format!(
                "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = conn.write_all(reply.as_bytes());
        }
    });
    port
}

/// One `sou: ` line on stderr (and exit status 2, nothing on stdout) mentioning every needle.
fn one_line_error(out: &crate::util::Output, needles: &[&str]) {
    out.assert_error(needles);
    assert_eq!(out.stderr.lines().count(), 1, "{out:#?}");
}

#[test]
fn an_unreachable_collection_is_one_line_and_indexes_nothing() {
    let env = TestEnv::new(&[("a.txt", "人工智能改变世界。")]);
    let url = format!("http://127.0.0.1:{}/solr/sou", closed_port());
    let out = env.run(["search", "--solr", &url, "人工智能"]);
    one_line_error(&out, &["connection refused", "is Solr running"]);
    let out = env.try_index(&["--solr", &url]);
    one_line_error(&out, &["connection refused"]);
    assert!(
        !env.index_dir().exists(),
        "an unusable --solr stops the run before it indexes"
    );
    let base = format!("http://127.0.0.1:{}/solr", closed_port());
    let out = env.run(["solr", "create", "--solr", &base, "--collection", "x"]);
    one_line_error(&out, &["connection refused"]);
}

#[test]
fn a_url_that_names_no_collection_is_refused_before_any_request() {
    let env = TestEnv::new(&[]);
    let out = env.run(["search", "--solr", "127.0.0.1:8983/solr/sou", "人工智能"]);
    one_line_error(&out, &["http://HOST:PORT/solr/NAME"]);
}

#[test]
fn a_collection_without_sous_schema_is_named_as_such() {
    let env = TestEnv::new(&[("a.txt", "人工智能改变世界。")]);
    let port = fake_server(
        "200 OK",
        Some(r#"{"responseHeader":{"status":0,"QTime":0},"name":"default-config"}"#),
    );
    let url = format!("http://127.0.0.1:{port}/solr/news");
    let out = env.run(["search", "--solr", &url, "人工智能"]);
    one_line_error(&out, &["not a collection of sou", "'default-config'"]);
    let out = env.try_index(&["--solr", &url]);
    one_line_error(&out, &["not a collection of sou"]);
    assert!(!env.index_dir().exists());
}

#[test]
fn an_error_of_solr_is_its_message_in_one_line() {
    let env = TestEnv::new(&[]);
    let port = fake_server(
        "400 Bad Request",
        Some(
            r#"{"responseHeader":{"status":400,"QTime":1},"error":{"metadata":["error-class","org.apache.solr.common.SolrException"],"msg":"undefined field: \"chars\"\nat line 2","code":400}}"#,
        ),
    );
    let url = format!("http://127.0.0.1:{port}/solr/sou");
    let out = env.run(["search", "--solr", &url, "人工智能"]);
    one_line_error(
        &out,
        &[
            "Solr answered HTTP 400",
            "undefined field: \"chars\" at line 2",
        ],
    );
    let base = format!("http://127.0.0.1:{port}/solr");
    let out = env.run(["solr", "create", "--solr", &base, "--collection", "x"]);
    one_line_error(&out, &["Solr answered HTTP 400", "undefined field"]);
    // Not Solr at all: an HTML page.
    let port = fake_server(
        "502 Bad Gateway",
        Some("<html>\n<body>proxy error</body></html>"),
    );
    let url = format!("http://127.0.0.1:{port}/solr/sou");
    let out = env.run(["search", "--solr", &url, "人工智能"]);
    one_line_error(&out, &["HTTP 502", "not an answer of Solr", "proxy error"]);
}

#[test]
fn a_server_that_never_answers_times_out() {
    let env = TestEnv::new(&[]);
    let port = fake_server("200 OK", None);
    let url = format!("http://127.0.0.1:{port}/solr/sou");
    let started = std::time::Instant::now();
    let out = env.run(["search", "--solr", &url, "--timeout", "1", "人工智能"]);
    one_line_error(&out, &["no answer within 1 s", "--timeout"]);
    assert!(started.elapsed() < Duration::from_secs(20));
}

#[test]
fn what_a_collection_cannot_do_yet_is_refused_before_any_request() {
    let env = TestEnv::new(&[]);
    let url = format!("http://127.0.0.1:{}/solr/sou", closed_port());
    let out = env.run(["search", "--solr", &url, "--sort", "date", "人工智能"]);
    one_line_error(&out, &["--sort", "--solr"]);
    let out = env.run(["search", "--solr", &url, "--count", "人工智能"]);
    one_line_error(&out, &["--count", "--solr"]);
}

#[test]
fn sou_serve_on_an_unreachable_collection_exits_2_in_one_line() {
    let env = TestEnv::new(&[]);
    let url = format!("http://127.0.0.1:{}/solr/sou", closed_port());
    let started = std::time::Instant::now();
    let out = env.run([
        "serve",
        "--solr",
        &url,
        "--bind",
        "127.0.0.1",
        "--port",
        "0",
        "--timeout",
        "5",
    ]);
    one_line_error(&out, &["connection refused", "is Solr running"]);
    assert!(started.elapsed() < Duration::from_secs(20));
    // Another schema: refused at the start too.
    let port = fake_server(
        "200 OK",
        Some(r#"{"responseHeader":{"status":0,"QTime":0},"name":"default-config"}"#),
    );
    let url = format!("http://127.0.0.1:{port}/solr/news");
    let out = env.run([
        "serve",
        "--solr",
        &url,
        "--bind",
        "127.0.0.1",
        "--port",
        "0",
        "--timeout",
        "5",
    ]);
    one_line_error(&out, &["not a collection of sou"]);
}

#[test]
fn sou_serve_answers_502_when_solr_goes_away_and_keeps_serving() {
    let env = TestEnv::new(&[]);
    // A Solr that answers the check of the schema once, then is gone (its port closed).
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    let once = std::thread::spawn(move || {
        if let Ok((mut conn, _)) = l.accept() {
            let _ = conn.set_read_timeout(Some(Duration::from_millis(300)));
            let mut buf = [0u8; 65536];
            let _ = conn.read(&mut buf);
            let body = r#"{"responseHeader":{"status":0,"QTime":0},"name":"sou"}"#;
            let reply = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = conn.write_all(reply.as_bytes());
        }
        // The listener is dropped: the port refuses connections from now on.
    });
    let url = format!("http://127.0.0.1:{port}/solr/sou");
    let mut server = crate::serve::Server::start_with(&env, &["--solr", &url, "--timeout", "5"]);
    once.join().unwrap();
    for _ in 0..2 {
        let answer = server.api("search", &[("q", "人工智能")]);
        let message = answer.error(502);
        assert!(message.contains("connection refused"), "{message}");
        assert_eq!(message.lines().count(), 1, "{message}");
    }
    // What has no Solr path yet: a 501 saying so, in one line.
    for (endpoint, params) in [
        ("count", vec![("q", "人工智能")]),
        ("article", vec![("id", "a.txt")]),
        ("sources", vec![]),
    ] {
        let message = server.api(endpoint, &params).error(501);
        assert!(
            message.contains("not available from a SolrCloud collection"),
            "{message}"
        );
    }
    let message = server
        .api("search", &[("q", "人工智能"), ("sort", "date")])
        .error(501);
    assert!(message.contains("sort by date"), "{message}");
    // The page is still served.
    assert_eq!(server.api("openapi.json", &[]).status, 200);
    let out = server.stop_with("TERM");
    assert_eq!(out.code, Some(0), "{out:#?}");
}
