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
use std::process::{Child, ChildStdin, Command, Stdio};
use std::time::Duration;

use sou::search::{SearchRequest, plan_tree};
use sou::solr::{Collection, KEY_FIELD, passage_key, stored_document};
use tantivy::collector::{DocSetCollector, TopDocs};
use tantivy::schema::Value;

use crate::util::TestEnv;

/// The launcher of `solr/minicluster`, stopped (killed if need be) when dropped.
struct Cluster {
    child: Child,
    stdin: Option<ChildStdin>,
    nodes: Vec<String>,
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
        for line in BufReader::new(child.stdout.take().unwrap()).lines() {
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
            nodes: found,
        }
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
