#!/usr/bin/env python3
"""sou on SolrCloud against the local index (issue 18), not in CI.

The first N items of the xwlb archive (../shared/corpora/xwlb) are indexed locally, then sent with
`sou index --solr` to a collection on a MiniSolrCloudCluster of 1 node (1 shard) and of 2 nodes (2 shards),
1 replica each (solr/minicluster: needs Java 17 and Maven). The xwlb dev queries (../shared/eval) whose
article is among the N items are run as a batch (`--plain`, top 10, as bench/eval.py runs them) on the local
index and on each collection: query latency p50/p99 (each query's elapsed_ms, which for Solr includes the
HTTP requests, the scratch index and the re-ranking), MRR@10, the share of queries whose top 10 is the local
one exactly, the time to send the passages, and the index size per passage (local: the index folder; Solr:
the cores' index.sizeInBytes, replicas included).

    python3 bench/solr.py [--items N] [--queries Q] [--sou BIN] [--nodes 1,2] [--json]

Work files go to target/solr-bench/ (never into the repository).
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
import urllib.request

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SETS = ["xwlb-keywords-dev", "xwlb-title-dev"]


def pct(values, p):
    v = sorted(values)
    if not v:
        return float("nan")
    k = min(len(v) - 1, max(0, round(p / 100 * (len(v) - 1))))
    return v[k]


def dir_bytes(path):
    total = 0
    for root, _, files in os.walk(path):
        for f in files:
            total += os.path.getsize(os.path.join(root, f))
    return total


def run_batch(sou, target, qfile):
    """Runs the batch; returns {qid: ([article ids of the top 10], elapsed_ms)} and whether any was partial."""
    r = subprocess.run([sou, "search", "--plain", *target, "--queries", qfile, "--json", "-n", "10",
                        "--snippet-chars", "100"], capture_output=True, text=True)
    if r.returncode not in (0, 1):
        raise SystemExit(f"solr.py: sou search failed: {r.stderr}")
    hits, out, partial = {}, {}, False
    for line in r.stdout.splitlines():
        v = json.loads(line)
        d = v["data"]
        if v["type"] == "hit":
            hits.setdefault(d["qid"], []).append(d["id"])
        elif v["type"] == "summary":
            out[d["qid"]] = (hits.get(d["qid"], []), d["elapsed_ms"])
            partial |= bool(d.get("partial"))
    return out, partial


def mrr(results, truth):
    total = 0.0
    for qid, doc in truth.items():
        ids = results.get(qid, ([], 0))[0]
        if doc in ids[:10]:
            total += 1.0 / (ids.index(doc) + 1)
    return total / max(1, len(truth))


class Cluster:
    def __init__(self, nodes):
        launcher = os.path.join(REPO, "solr", "minicluster")
        if subprocess.run(["mvn", "-q", "-o", "package"], cwd=launcher, capture_output=True).returncode != 0:
            subprocess.run(["mvn", "-q", "package"], cwd=launcher, check=True)
        self.p = subprocess.Popen(["java", "-cp", "target/classes:target/lib/*", "sou.solr.MiniCluster",
                                   "--nodes", str(nodes)], cwd=launcher, stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        self.nodes = []
        for line in self.p.stdout:
            w = line.split()
            if w[:1] == ["node"]:
                self.nodes.append(w[2])
            if w == ["ready"]:
                break

    def close(self):
        try:
            self.p.stdin.write("quit\n")
            self.p.stdin.flush()
            self.p.wait(timeout=60)
        except Exception:
            self.p.kill()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--items", type=int, default=3000)
    ap.add_argument("--queries", type=int, default=200, help="queries per dev set at most")
    ap.add_argument("--sou", help="this sou binary (default: cargo build --release, target/release/sou)")
    ap.add_argument("--nodes", default="1,2")
    ap.add_argument("--shared", default=os.path.join(REPO, "..", "shared"))
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()

    docs = os.path.join(args.shared, "corpora", "xwlb", "docs.jsonl")
    if not os.path.exists(docs):
        raise SystemExit("solr.py: ../shared/corpora/xwlb not found")
    if args.sou:
        sou = os.path.abspath(args.sou)
    else:
        subprocess.run(["cargo", "build", "--release", "--locked", "-q"], cwd=REPO, check=True)
        target = os.environ.get("CARGO_TARGET_DIR", os.path.join(REPO, "target"))
        sou = os.path.join(target, "release", "sou")
    work = os.path.join(REPO, "target", "solr-bench")
    corpus, index = os.path.join(work, "corpus"), os.path.join(work, "index")
    os.makedirs(corpus, exist_ok=True)
    ids = set()
    with open(docs, encoding="utf-8") as f, open(os.path.join(corpus, "xwlb.jsonl"), "w", encoding="utf-8") as out:
        for i, line in enumerate(f):
            if i >= args.items:
                break
            out.write(line)
            ids.add(json.loads(line)["id"])

    t0 = time.perf_counter()
    r = subprocess.run([sou, "index", "--rebuild", "--json", "--corpus", corpus, "--index", index],
                       capture_output=True, text=True, check=True)
    local_index_s = time.perf_counter() - t0
    passages = json.loads(r.stdout.strip().splitlines()[-1])["data"]["passages_total"]
    local_bytes = dir_bytes(index)

    qfiles, truths = {}, {}
    for s in SETS:
        rows = [json.loads(l) for l in open(os.path.join(args.shared, "eval", s + ".jsonl"), encoding="utf-8")]
        rows = [q for q in rows if q["doc_id"] in ids][: args.queries]
        truths[s] = {q["qid"]: q["doc_id"] for q in rows}
        qfiles[s] = os.path.join(work, s + ".queries.jsonl")
        with open(qfiles[s], "w", encoding="utf-8") as f:
            for q in rows:
                f.write(json.dumps({"qid": q["qid"], "query": q["query"]}, ensure_ascii=False) + "\n")

    local = {s: run_batch(sou, ["--index", index], qfiles[s])[0] for s in SETS}
    rows = []
    for s in SETS:
        lat = [ms for _, ms in local[s].values()]
        rows.append({"engine": "local", "set": s, "queries": len(truths[s]), "mrr10": mrr(local[s], truths[s]),
                     "p50_ms": pct(lat, 50), "p99_ms": pct(lat, 99), "same_top10": 1.0,
                     "index_s": local_index_s, "bytes_per_passage": local_bytes / max(1, passages)})
    for n in [int(x) for x in args.nodes.split(",")]:
        cluster = Cluster(n)
        try:
            base = cluster.nodes[0]
            name = f"bench{n}"
            subprocess.run([sou, "solr", "create", "--solr", base, "--collection", name, "--shards", str(n),
                            "--replicas", "1"], check=True, capture_output=True, text=True)
            url = f"{base}/{name}"
            t0 = time.perf_counter()
            subprocess.run([sou, "index", "--json", "--corpus", corpus, "--index", index, "--solr", url],
                           check=True, capture_output=True, text=True)
            send_s = time.perf_counter() - t0
            solr_bytes = 0
            for node in cluster.nodes:
                status = json.load(urllib.request.urlopen(f"{node}/admin/cores?action=STATUS&wt=json"))
                solr_bytes += sum(c.get("index", {}).get("sizeInBytes", 0) for c in status["status"].values())
            for s in SETS:
                res, partial = run_batch(sou, ["--solr", url], qfiles[s])
                lat = [ms for _, ms in res.values()]
                same = sum(1 for q in truths[s] if res.get(q, ([], 0))[0] == local[s].get(q, ([], 0))[0])
                rows.append({"engine": f"solr {n} node{'s' if n > 1 else ''}, {n} shard{'s' if n > 1 else ''}",
                             "set": s, "queries": len(truths[s]), "mrr10": mrr(res, truths[s]),
                             "p50_ms": pct(lat, 50), "p99_ms": pct(lat, 99),
                             "same_top10": same / max(1, len(truths[s])), "index_s": send_s,
                             "bytes_per_passage": solr_bytes / max(1, passages), "partial": partial})
        finally:
            cluster.close()

    print(f"{args.items} xwlb items, {passages} passages; sou {sou}")
    print("| engine | set | queries | MRR@10 | p50 ms | p99 ms | same top 10 | index/send s | bytes/passage |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['engine']} | {r['set']} | {r['queries']} | {r['mrr10']:.4f} | {r['p50_ms']:.1f} | "
              f"{r['p99_ms']:.1f} | {r['same_top10']:.1%} | {r['index_s']:.1f} | {r['bytes_per_passage']:.0f} |")
    if args.json:
        for r in rows:
            print(json.dumps(r))


if __name__ == "__main__":
    sys.exit(main())
