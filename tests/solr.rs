//! The same passages from a SolrCloud collection as from the local index (issue 18): the bundled page's
//! passages sent as Solr documents (`sou::solr::document`) to a 2-node, 2-shard MiniSolrCloudCluster
//! (`solr/minicluster`, `solr/configset`), and each query's plan (`sou::search::plan_tree`) run by tantivy and
//! by Solr: the same set of passages for phrases, exclusions, sub-words and keyword queries, and the same
//! best passage.
//!
//! Needs Java 17 and Maven (Maven fetches Solr the first time), and starts a JVM for about a minute: ignored in
//! a plain `cargo test`, run by `.ci/run` (`cargo test --test integration solr:: -- --ignored`).

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::Mutex;
use std::time::Duration;

use sou::search::{SearchRequest, plan_tree};
use sou::solr::{Collection, KEY_FIELD, passage_key, stored_document};
use tantivy::collector::{DocSetCollector, TopDocs};
use tantivy::schema::Value;

use crate::util::{Output, TestEnv};

/// The launcher of `solr/minicluster`, stopped (killed if need be) when dropped.
struct Cluster {
    child: Child,
    stdin: Option<ChildStdin>,
    /// The launcher's stdout after `ready` (the answers to `stop` and `start`).
    lines: std::io::Lines<BufReader<ChildStdout>>,
    nodes: Vec<String>,
}

/// Held by each test that starts a cluster: one JVM cluster at a time on a small machine.
static ONE_CLUSTER: Mutex<()> = Mutex::new(());

fn one_cluster() -> std::sync::MutexGuard<'static, ()> {
    ONE_CLUSTER
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Cluster {
    fn start(nodes: usize) -> Cluster {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("solr");
        let launcher = root.join("minicluster");
        let offline = Command::new("mvn")
            .args(["-q", "-o", "package"])
            .current_dir(&launcher)
            .output();
        if !offline.as_ref().is_ok_and(|o| o.status.success()) {
            let out = Command::new("mvn")
                .args(["-q", "package"])
                .current_dir(&launcher)
                .output()
                .expect("this test needs Maven (mvn) and Java 17");
            assert!(
                out.status.success(),
                "mvn package in solr/minicluster failed:\n{}",
                String::from_utf8_lossy(&out.stdout)
            );
        }
        let mut child = Command::new("java")
            .args(["-cp", "target/classes:target/lib/*", "sou.solr.MiniCluster"])
            .args(["--nodes", &nodes.to_string(), "--configset"])
            .arg(root.join("configset"))
            .current_dir(&launcher)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("this test needs Java 17 (java)");
        let stdin = child.stdin.take();
        let mut found = Vec::new();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        for line in lines.by_ref() {
            let line = line.unwrap();
            let words: Vec<&str> = line.split_whitespace().collect();
            match words.as_slice() {
                ["node", _, url] => found.push(url.to_string()),
                ["ready"] => break,
                _ => {}
            }
        }
        assert_eq!(
            found.len(),
            nodes,
            "the launcher did not start {nodes} nodes"
        );
        Cluster {
            child,
            stdin,
            lines,
            nodes: found,
        }
    }

    /// Sends `stop I` or `start I` and waits for the launcher's answer (`stopped I`, `started I URL`).
    fn command(&mut self, verb: &str, node: usize) {
        let stdin = self.stdin.as_mut().unwrap();
        writeln!(stdin, "{verb} {node}").unwrap();
        stdin.flush().unwrap();
        let done = if verb == "stop" { "stopped" } else { "started" };
        for line in self.lines.by_ref() {
            let line = line.unwrap();
            if line.starts_with(&format!("{done} {node}")) {
                return;
            }
            assert!(!line.starts_with("error"), "{verb} {node}: {line}");
        }
        panic!("the launcher ended before it answered {verb} {node}");
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        if let Some(mut stdin) = self.stdin.take() {
            let _ = writeln!(stdin, "quit");
        }
        for _ in 0..300 {
            if self.child.try_wait().ok().flatten().is_some() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
#[ignore = "needs Java 17 and Maven; starts a SolrCloud for about a minute (.ci/run runs it)"]
fn a_two_shard_collection_finds_the_passages_the_local_index_finds() {
    let _one = one_cluster();
    let env = TestEnv::bundled_page();
    let idx = sou::index::open(&env.index_dir()).expect("open the local index");
    let schema = idx.index.schema();
    let f = idx.fields;
    let searcher = idx.reader.searcher();

    let cluster = Cluster::start(2);
    let url = format!("{}/sou", cluster.nodes[0]);
    let solr = Collection::new(&url, Duration::from_secs(120)).unwrap();
    solr.create("sou", 2, 1).expect("create the collection");

    // Every passage of the local index, as a Solr document.
    let all = searcher
        .search(&tantivy::query::AllQuery, &DocSetCollector)
        .unwrap();
    let key_of = |doc: &tantivy::TantivyDocument| {
        let s = |field| doc.get_first(field).and_then(|v| v.as_str()).unwrap_or("");
        let ordinal = doc
            .get_first(f.ordinal)
            .and_then(|v| v.as_u64())
            .unwrap_or(0);
        passage_key(s(f.path), s(f.id), ordinal)
    };
    let mut docs = Vec::new();
    for addr in &all {
        let doc = searcher.doc::<tantivy::TantivyDocument>(*addr).unwrap();
        docs.push(stored_document(&idx, &doc).unwrap());
    }
    solr.add(&docs).expect("add the passages");
    solr.commit().expect("commit");
    assert_eq!(
        solr.query(
            &sou::index::query_tree::QueryTree::Bool(vec![]),
            &schema,
            0,
            KEY_FIELD
        )
        .map(|a| a.num_found)
        .unwrap_or(0),
        0,
        "an empty boolean query matches nothing, as in tantivy"
    );

    // Phrases, exclusions, sub-words (a word inside a longer one), Latin and digits, keyword queries.
    let queries = [
        "\"工研院\"",
        "工研院",
        "研究",
        "\"研究院\" -青岛",
        "科技 -企业",
        "高新区 企业",
        "人工智能",
        "医疗器械 创新",
        "100",
        "三级跳",
        "孵化器 -\"工业技术\"",
    ];
    let mut compared = 0;
    for q in queries {
        let req = SearchRequest {
            query: q.to_string(),
            limit: 10,
            ..Default::default()
        };
        let tree = match plan_tree(&idx, &req) {
            Ok(t) => t,
            Err(_) => continue,
        };
        let local: BTreeSet<String> = searcher
            .search(&*tree.to_tantivy(), &DocSetCollector)
            .unwrap()
            .iter()
            .map(|a| key_of(&searcher.doc(*a).unwrap()))
            .collect();
        let answer = solr
            .query(&tree, &schema, all.len() + 1, KEY_FIELD)
            .unwrap();
        assert!(!answer.partial, "{q}: partial results with every node up");
        let remote: BTreeSet<String> = answer
            .docs
            .iter()
            .map(|d| d[KEY_FIELD].as_str().unwrap().to_string())
            .collect();
        assert_eq!(
            local, remote,
            "{q}: the collection found other passages than the local index"
        );
        if !local.is_empty() {
            compared += 1;
            // The best passage is the same (BM25 on both, with the collection's statistics), up to near ties:
            // tantivy and Lucene round field lengths to a byte differently.
            let top = searcher
                .search(
                    &*tree.to_tantivy(),
                    &TopDocs::with_limit(local.len()).order_by_score(),
                )
                .unwrap();
            let best = top[0].0;
            let near_best: BTreeSet<String> = top
                .iter()
                .filter(|(s, _)| *s >= 0.98 * best)
                .map(|(_, a)| key_of(&searcher.doc(*a).unwrap()))
                .collect();
            let best_remote = answer.docs[0][KEY_FIELD].as_str().unwrap();
            assert!(
                near_best.contains(best_remote),
                "{q}: the collection's best passage {best_remote} is not the local best {near_best:?}"
            );
        }
    }
    assert!(compared >= 6, "only {compared} queries found anything");
}

/// What `sou search --json` printed: (article id, passage ordinal, score) of each hit, and the summary's data.
fn hits_of(out: &Output) -> (Vec<(String, u64, f64)>, serde_json::Value) {
    let mut hits = Vec::new();
    let mut summary = serde_json::Value::Null;
    for line in out.stdout.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        let d = &v["data"];
        match v["type"].as_str() {
            Some("hit") => hits.push((
                d["id"].as_str().unwrap().to_string(),
                d["passage"].as_u64().unwrap(),
                d["score"].as_f64().unwrap(),
            )),
            Some("summary") => summary = d.clone(),
            _ => {}
        }
    }
    (hits, summary)
}

/// `sou search --json -n 100 FLAGS -- QUERY` on the local index (`solr` None) or on a collection.
fn search(env: &TestEnv, solr: Option<&str>, flags: &[&str], query: &str) -> Output {
    let mut args: Vec<String> = vec!["search".into(), "--json".into(), "-n".into(), "100".into()];
    match solr {
        Some(url) => args.extend(["--solr".to_string(), url.to_string()]),
        None => args.extend(["--index".to_string(), env.index_dir().display().to_string()]),
    }
    args.extend(flags.iter().map(|f| f.to_string()));
    args.extend(["--".to_string(), query.to_string()]);
    env.run(args)
}

/// The local index's passages (`sou index --json`, which finds nothing to do).
fn local_passages(env: &TestEnv) -> u64 {
    let (data, _) = env.index_json(&[]);
    data["passages_total"].as_u64().unwrap()
}

/// Solr's count of the collection's documents (`numFound` of `*:*`), complete (every shard answered).
fn solr_count(url: &str) -> u64 {
    let c = Collection::new(url, Duration::from_secs(60)).unwrap();
    let (n, partial) = c.count_all().unwrap();
    assert!(!partial, "{url}: count with a shard missing");
    n
}

/// The queries of the CLI comparison: phrases, exclusions, sub-words (`研究` inside `研究院`), digits, keyword
/// queries of one and several words, a question.
const CLI_QUERIES: [&str; 14] = [
    "\"工研院\"",
    "工研院",
    "研究",
    "\"研究院\" -青岛",
    "科技 -企业",
    "高新区 企业",
    "人工智能",
    "医疗器械 创新",
    "100",
    "孵化器 -\"工业技术\"",
    "高新区",
    "创新 发展",
    "企业",
    "高新区如何发展？",
];

/// The local and the collection's hits of `query` agree, with one hit per article (the default) and with
/// `--passages`: the same hits, the same total, and the same order up to near ties (the collection's order
/// never puts a hit before one whose local score is more than 3% higher: Lucene and tantivy round field
/// lengths to a byte differently, and a title view's statistics count the passages that have one in Lucene,
/// all passages in tantivy). The collection's answer must be complete.
fn assert_same_hits(env: &TestEnv, url: &str, query: &str) {
    for flags in [&[][..], &["--passages"][..]] {
        let local = search(env, None, flags, query);
        let remote = search(env, Some(url), flags, query);
        assert_eq!(
            local.code, remote.code,
            "{query} {flags:?}: {local:#?} {remote:#?}"
        );
        let (lh, ls) = hits_of(&local);
        let (rh, rs) = hits_of(&remote);
        assert_eq!(ls["total_hits"], rs["total_hits"], "{query} {flags:?}");
        assert!(rs.get("partial").is_none(), "{query}: partial: {remote:#?}");
        assert!(!remote.stderr.contains("partial"), "{query}: {remote:#?}");
        let key = |(a, p, _): &(String, u64, f64)| (a.clone(), *p);
        let set =
            |h: &[(String, u64, f64)]| -> BTreeSet<(String, u64)> { h.iter().map(key).collect() };
        assert_eq!(set(&lh), set(&rh), "{query} {flags:?}: other hits");
        let local_score: std::collections::HashMap<(String, u64), f64> =
            lh.iter().map(|h| (key(h), h.2)).collect();
        let order: Vec<f64> = rh.iter().map(|h| local_score[&key(h)]).collect();
        for (i, later) in order.iter().enumerate() {
            for earlier in &order[..i] {
                assert!(
                    *later <= earlier * 1.03,
                    "{query} {flags:?}: the collection ranks a hit of local score {earlier} before one of {later}"
                );
            }
        }
    }
}

#[test]
#[ignore = "needs Java 17 and Maven; starts a SolrCloud for about two minutes (.ci/run runs it)"]
fn sou_index_and_search_on_solr_match_the_local_index_and_survive_a_lost_node() {
    let _one = one_cluster();
    let env = TestEnv::bundled_page();
    env.write("extra/one.txt", "甲乙丙丁说，高新区的企业发展很快。");
    env.write("extra/two.txt", "戊己庚辛说，科技创新是第一动力。");
    env.index();
    let mut cluster = Cluster::start(2);
    let base = cluster.nodes[0].clone();
    let create = |name: &str, replicas: &str| -> String {
        let out = env.run([
            "solr",
            "create",
            "--solr",
            &base,
            "--collection",
            name,
            "--shards",
            "2",
            "--replicas",
            replicas,
        ]);
        let url = out.assert_ok().trim().to_string();
        assert_eq!(url, format!("{base}/{name}"));
        url
    };
    let twice = create("twice", "2");
    let once = create("once", "1");

    // Every file sent; the collection holds the local index's passages.
    let total = local_passages(&env);
    for url in [&twice, &once] {
        let out = env.try_index(&["--solr", url]);
        let stdout = out.assert_ok();
        assert!(
            stdout.contains(&format!("sent to {url}: 3 files (3 new, 0 changed, 0 removed, 0 unchanged): {total} passages sent")),
            "{out:#?}"
        );
        assert_eq!(solr_count(url), total);
    }
    for q in CLI_QUERIES {
        assert_same_hits(&env, &twice, q);
    }
    // `sou serve --solr` (on 127.0.0.1, a free port): /api/search finds what `sou search --solr --json` finds.
    let server = crate::serve::Server::start_with(&env, &["--solr", &once, "--timeout", "60"]);
    for q in ["高新区", "\"研究院\" -青岛", "人工智能", "高新区如何发展？"] {
        assert_api_finds_what_the_cli_finds(&env, &server, &once, q);
    }

    // Incremental: a changed file replaced, a removed one deleted, a new one added; then nothing to send.
    env.write(
        "extra/one.txt",
        "甲乙丙丁说，高新区的企业发展很快。壬癸来了。",
    );
    env.remove("extra/two.txt");
    env.write("extra/three.txt", "子丑寅卯说，人工智能改变世界。");
    let (data, _) = env.index_json(&["--solr", &twice]);
    let sent = &data["solr"];
    assert_eq!(
        (
            &sent["added"],
            &sent["changed"],
            &sent["removed"],
            &sent["unchanged"]
        ),
        (&1.into(), &1.into(), &1.into(), &1.into()),
        "{data}"
    );
    let total = local_passages(&env);
    assert_eq!(solr_count(&twice), total);
    assert_eq!(
        search(&env, Some(&twice), &[], "戊己庚辛").code,
        Some(1),
        "a removed file's passages are gone"
    );
    assert_eq!(search(&env, Some(&twice), &[], "壬癸").code, Some(0));
    assert_eq!(search(&env, Some(&twice), &[], "子丑寅卯").code, Some(0));
    let (data, _) = env.index_json(&["--solr", &twice]);
    assert_eq!(data["solr"]["passages_sent"], 0, "{data}");
    for q in CLI_QUERIES {
        assert_same_hits(&env, &twice, q);
    }

    // A node lost: with 2 replicas every search is answered, whole; with 1, searches say they are partial.
    cluster.command("stop", 1);
    let mut partial = false;
    for _ in 0..60 {
        let out = search(&env, Some(&once), &[], "高新区");
        if hits_of(&out).1.get("partial") == Some(&true.into()) {
            assert!(out.stderr.contains("partial results"), "{out:#?}");
            partial = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(500));
    }
    assert!(
        partial,
        "a collection with a shard on the lost node never said its hits were partial"
    );
    for q in CLI_QUERIES {
        assert_same_hits(&env, &twice, q);
    }
    let out = search(&env, Some(&once), &["--passages"], "高新区");
    let (_, summary) = hits_of(&out);
    assert_eq!(summary["partial"], true, "{out:#?}");
    assert!(out.stderr.contains("partial results"), "{out:#?}");
    // The server says so too, and goes on answering.
    let mut partial = false;
    for _ in 0..60 {
        let answer = server.api("search", &[("q", "高新区"), ("n", "100")]);
        assert_eq!(answer.status, 200, "{}", answer.body);
        if answer.json()["summary"]["partial"] == true {
            partial = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(500));
    }
    assert!(partial, "sou serve --solr never said its hits were partial");
    drop(server);

    // Indexing while the node is lost may fail (a shard without a leader): one line, exit 2, nothing recorded
    // as sent. When the node is back, the next run sends what is missing, and the counts agree.
    env.write("extra/four.txt", "辰巳午未说，医疗器械创新。");
    let out = env.try_index(&["--solr", &once, "--timeout", "60"]);
    assert!(matches!(out.code, Some(0 | 2)), "{out:#?}");
    cluster.command("start", 1);
    let c = Collection::new(&once, Duration::from_secs(60)).unwrap();
    let mut back = false;
    for _ in 0..120 {
        if c.count_all().is_ok_and(|(_, partial)| !partial) {
            back = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(500));
    }
    assert!(
        back,
        "the collection never answered whole after the node came back"
    );
    let out = env.try_index(&["--solr", &once, "--timeout", "60"]);
    out.assert_ok();
    let total = local_passages(&env);
    assert_eq!(solr_count(&once), total);
    assert_eq!(search(&env, Some(&once), &[], "辰巳午未").code, Some(0));
    for q in CLI_QUERIES {
        assert_same_hits(&env, &once, q);
    }
}

/// `/api/search?q=QUERY&n=100` of `server` (serving the collection `url`) answers the hits of
/// `sou search --solr URL --json -n 100 QUERY`: the same (id, passage) pairs, the same total, both whole.
fn assert_api_finds_what_the_cli_finds(
    env: &TestEnv,
    server: &crate::serve::Server,
    url: &str,
    query: &str,
) {
    let answer = server.api("search", &[("q", query), ("n", "100")]);
    assert_eq!(answer.status, 200, "{query}: {}", answer.body);
    let api = answer.json();
    let api_hits: BTreeSet<(String, u64)> = api["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            (
                h["id"].as_str().unwrap().to_string(),
                h["passage"].as_u64().unwrap(),
            )
        })
        .collect();
    let (cli_hits, summary) = hits_of(&search(env, Some(url), &[], query));
    let cli_hits: BTreeSet<(String, u64)> = cli_hits.into_iter().map(|(a, p, _)| (a, p)).collect();
    assert!(!cli_hits.is_empty(), "{query}: no hits");
    assert_eq!(api_hits, cli_hits, "{query}: other hits");
    assert_eq!(
        api["summary"]["total_hits"], summary["total_hits"],
        "{query}"
    );
    assert!(api["summary"].get("partial").is_none(), "{query}: {api}");
}
