#!/usr/bin/env python3
"""Checks sou's Solr collection (solr/configset) on a 2-node MiniSolrCloudCluster (solr/minicluster), without sou:
the ground the Solr back end of issue 18 stands on.

    python3 solr/check.py            # builds the launcher with Maven when needed; about a minute

1. The launcher starts 2 nodes on loopback and prints their URLs.
2. One Collections API call creates the collection from the configset: 2 shards, 2 replicas each.
3. Passages indexed as pre-analyzed fields (character bigrams with offsets and positions, made here as sou's
   analyzer makes them) are found by phrase queries over those terms, in order and at their distances only;
   routing by the article field puts an article's passages on one shard.
4. Scores use the collection's statistics (ExactStatsCache): two identical passages on different shards score
   alike, and the idf's document count is the whole collection's.
5. With one node stopped every search is still answered from the other's replicas, complete; passages indexed
   meanwhile reach the node when it comes back (each replica's own count equals the collection's).
6. The launcher stops cleanly on `quit` (exit 0).

Exits 1 with the failed check's message; 2 when java or mvn is missing.
"""

import json
import shutil
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
LAUNCHER = HERE / "minicluster"


def fail(message):
    print(f"solr/check.py: FAILED: {message}", file=sys.stderr)
    sys.exit(1)


def build():
    """Builds the launcher: offline first (a machine that has built it before), then with Maven Central."""
    if subprocess.run(["mvn", "-q", "-o", "package"], cwd=LAUNCHER, capture_output=True).returncode == 0:
        return
    p = subprocess.run(["mvn", "-q", "package"], cwd=LAUNCHER, capture_output=True, text=True)
    if p.returncode != 0:
        fail(f"mvn package in solr/minicluster:\n{p.stdout[-3000:]}{p.stderr[-3000:]}")


class Cluster:
    """The launcher as a child process: its stdout lines are the protocol (MiniCluster.java)."""

    def __init__(self, nodes):
        cmd = ["java", "-cp", "target/classes:target/lib/*", "sou.solr.MiniCluster",
               "--nodes", str(nodes), "--configset", str(HERE / "configset")]
        self.proc = subprocess.Popen(cmd, cwd=LAUNCHER, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL, text=True, bufsize=1)
        self.nodes = {}
        for line in self.proc.stdout:
            words = line.split()
            if words[:1] == ["node"]:
                self.nodes[int(words[1])] = words[2]
            elif words == ["ready"]:
                break
        else:
            fail(f"the launcher ended before 'ready' (exit {self.proc.wait()})")

    def command(self, line):
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()
        answer = self.proc.stdout.readline().strip()
        if answer.startswith("error"):
            fail(f"launcher: {line}: {answer}")
        return answer

    def quit(self):
        answer = self.command("quit")
        code = self.proc.wait(timeout=60)
        if answer != "bye" or code != 0:
            fail(f"the launcher did not stop cleanly: {answer!r}, exit {code}")


def call(url, body=None, timeout=60):
    data = None if body is None else json.dumps(body, ensure_ascii=False).encode()
    req = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return json.load(r)
    except urllib.error.HTTPError as e:
        fail(f"{url}: HTTP {e.code}: {e.read()[:500]!r}")


def view(text):
    """The character view of a text as Solr's JSON pre-analyzed form: overlapping bigrams, offsets in
    characters (UTF-16 code units are the same for these BMP characters), one position each."""
    tokens = [{"t": text[i:i + 2], "s": i, "e": i + 2, "i": 1} for i in range(len(text) - 1)]
    return json.dumps({"v": "1", "tokens": tokens}, ensure_ascii=False)


def passages(article, texts):
    return [{"passage": json.dumps([f"{article}.txt", article, i]), "id": article, "article": article,
             "path": f"{article}.txt", "ordinal": i,
             "text": t, "chars": view(t)} for i, t in enumerate(texts)]


def tokens(*terms, increments=None):
    """A query of the character view in the pre-analyzed form: terms at consecutive positions, or with the
    given position increments (sou's phrase of 人工智能 is 人工, then 智能 two positions on)."""
    increments = increments or [1] * len(terms)
    return {"field": {"f": "chars", "query": json.dumps(
        {"v": "1", "tokens": [{"t": t, "i": i} for t, i in zip(terms, increments)]}, ensure_ascii=False)}}


def search(base, query, **params):
    body = {"query": query, "fields": "passage,article,score,[shard]", "limit": 100, "params": params}
    return call(f"{base}/sou/query", body)


def main():
    for tool in ("java", "mvn"):
        if shutil.which(tool) is None:
            print(f"solr/check.py: {tool} is missing (Java 17 and Maven are needed)", file=sys.stderr)
            sys.exit(2)
    build()
    cluster = Cluster(2)
    try:
        run(cluster)
    except BaseException:
        cluster.proc.kill()
        raise
    cluster.quit()
    print("solr/check.py: all checks passed")


def run(cluster):
    n0, n1 = cluster.nodes[0], cluster.nodes[1]
    print(f"cluster: {n0} {n1}")
    qs = urllib.parse.urlencode({"action": "CREATE", "name": "sou", "numShards": 2, "replicationFactor": 2,
                                 "collection.configName": "sou", "router.name": "compositeId",
                                 "router.field": "article", "wt": "json"})
    call(f"{n0}/admin/collections?{qs}", timeout=180)

    # Articles with several passages each; "twin" articles hold the same passage, to compare scores.
    articles = {f"a{i}": [f"第{i}条新闻：人工智能改变世界", f"机器学习是人工智能的分支，编号{i}", "智能手机销量增长"]
                for i in range(40)}
    docs = [d for a, texts in articles.items() for d in passages(a, texts)]
    call(f"{n0}/sou/update?commit=true", docs)
    total = len(docs)

    hits = search(n0, tokens("人工", "工智", "智能"))["response"]
    if hits["numFound"] != 80:
        fail(f"phrase 人工智能: {hits['numFound']} passages, expected 80")
    gap = search(n0, tokens("人工", "智能", increments=[1, 2]))["response"]["numFound"]
    if gap != 80:
        fail(f"phrase 人工智能 as 人工 and 智能 two positions apart: {gap} passages, expected 80")
    if search(n0, tokens("人工", "智能"))["response"]["numFound"] != 0:
        fail("人工 and 智能 matched as adjacent bigrams (the text has 工智 between them)")
    if search(n0, tokens("智能", "人工"))["response"]["numFound"] != 0:
        fail("the bigrams of 智能人工 matched out of order")
    shards = {}
    for d in search(n0, "*:*", rows=total)["response"]["docs"]:
        shards.setdefault(d["article"], set()).add(d["[shard]"].split("/")[3] if "/" in d["[shard]"] else d["[shard]"])
    split = [a for a, s in shards.items() if len(s) != 1]
    if split:
        fail(f"articles split across shards: {split[:5]}")
    if len({next(iter(s)) for s in shards.values()}) != 2:
        fail("every article landed on one shard: routing by article is not in use")
    print(f"phrases and routing: ok ({total} passages, 40 articles on 2 shards)")

    # The same passage in every article: equal scores on both shards, and a docFreq of the whole collection.
    r = search(n0, tokens("手机"), debug="true")
    scores = {round(d["score"], 6) for d in r["response"]["docs"]}
    if r["response"]["numFound"] != 40 or len(scores) != 1:
        fail(f"identical passages scored differently across shards: {sorted(scores)[:4]}")
    explain = json.dumps(r["debug"]["explain"], ensure_ascii=False)
    if f"n, number of documents containing term" not in explain or f"{total} = N, total number" not in explain:
        fail(f"the scores do not use the collection's statistics:\n{explain[:800]}")
    print("collection-wide statistics: ok")

    # Node 1 down: searches are answered from the replicas on node 0, complete.
    cluster.command("stop 1")
    for query, expected in ((tokens("人工", "工智", "智能"), 80), ("*:*", total)):
        got = search(n0, query)
        if got["response"]["numFound"] != expected or got.get("responseHeader", {}).get("partialResults"):
            fail(f"with node 1 down, {query}: {got['response']['numFound']} of {expected}")
    more = passages("late", ["节点停机时写入的文章"])
    call(f"{n0}/sou/update?commit=true", more)
    total += len(more)
    cluster.command("start 1")
    deadline = time.time() + 120
    while True:
        status = call(f"{n0}/admin/collections?action=CLUSTERSTATUS&wt=json")
        replicas = [r for s in status["cluster"]["collections"]["sou"]["shards"].values()
                    for r in s["replicas"].values()]
        if all(r["state"] == "active" for r in replicas) and len(replicas) == 4:
            break
        if time.time() > deadline:
            fail(f"node 1's replicas did not recover: {[r['state'] for r in replicas]}")
        time.sleep(1)
    # Each replica's own documents (distrib=false): the replicas of one shard hold the same passages, and the
    # two shards together hold them all.
    per_shard = {}
    for s_name, s in status["cluster"]["collections"]["sou"]["shards"].items():
        for r in s["replicas"].values():
            core_url = f"{r['base_url']}/{r['core']}"
            n = call(f"{core_url}/select?q=*:*&rows=0&distrib=false&wt=json")["response"]["numFound"]
            per_shard.setdefault(s_name, set()).add(n)
    if any(len(v) != 1 for v in per_shard.values()) or sum(next(iter(v)) for v in per_shard.values()) != total:
        fail(f"replica counts after recovery: {per_shard}, expected {total} in all")
    print(f"a node lost and back: ok ({total} passages on both replicas of each shard)")


if __name__ == "__main__":
    main()
