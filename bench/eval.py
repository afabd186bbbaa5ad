#!/usr/bin/env python3
"""Relevance evaluation of sou on the query sets in ../shared/eval (see its README).

For each set: build the body-only corpus as a JSON Lines archive (titles removed: they are the queries),
index it with `sou index`, run the 1,000-query sample in one `sou search --queries` batch (top 100 passages),
(read with --plain, as the peers escaped their query syntax; --keyword runs them as keyword queries instead),
and score at the article level: MRR@10, Recall@10, P@1 and 'found' (article anywhere in the 100 passages), with
MRR@10 also for each half of the sample (the first half is the one ranking weights may be tuned on, the second
is held out).
Also prints indexing time and per-query latency (from the batch's own per-query timings).

With --runs-out FILE it also writes each query's top 10 passages (`{"set", "qid", "top": [[id, path, passage,
score], ...]}` per line, sets and queries in order), so that two builds can be compared exactly: run it at both
commits and `cmp` the files (a refactoring must leave them identical).

Usage:  python3 bench/eval.py [SET ...] [--shared DIR] [--work DIR] [--no-build | --sou BINARY] [--runs-out FILE]
Sets:   xwlb-title-dev xwlb-keywords-dev cmrc2018-dev csl-title-dev (default: all)
"""

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SETS = {
    "xwlb-title-dev": "xwlb",
    "xwlb-keywords-dev": "xwlb",
    "cmrc2018-dev": "cmrc-csl",
    "csl-title-dev": "cmrc-csl",
}
# Best peer MRR@10 per set, from ../shared/eval/README.md (measured by the eval authors, not by this script).
PEER_BEST = {
    "xwlb-title-dev": ("xapian-ngram+terms", 0.663),
    "xwlb-keywords-dev": ("xapian-ngram+terms", 0.427),
    "cmrc2018-dev": ("lucene-smartcn", 0.977),
    "csl-title-dev": ("xapian-ngram+terms", 0.980),
}


def build_corpus(name, shared, out_dir):
    """Writes the body-only corpus `name` as one JSON Lines file (id + body) into out_dir."""
    os.makedirs(out_dir, exist_ok=True)
    path = os.path.join(out_dir, name + ".jsonl")
    if os.path.exists(path):
        return path
    tmp = path + ".tmp"
    n = 0
    with open(tmp, "w", encoding="utf-8") as out:
        if name == "xwlb":
            with open(os.path.join(shared, "corpora/xwlb/docs.jsonl"), encoding="utf-8") as f:
                for line in f:
                    d = json.loads(line)
                    if d.get("category") != "item":
                        continue
                    out.write(json.dumps({"id": d["id"], "body": d["body"]}, ensure_ascii=False) + "\n")
                    n += 1
        elif name == "cmrc-csl":
            with open(os.path.join(shared, "corpora/cmrc2018/passages.jsonl"), encoding="utf-8") as f:
                for line in f:
                    d = json.loads(line)
                    out.write(json.dumps({"id": d["id"], "body": d["body"]}, ensure_ascii=False) + "\n")
                    n += 1
            with open(os.path.join(shared, "corpora/csl/docs.jsonl"), encoding="utf-8") as f:
                for line in f:
                    d = json.loads(line)
                    out.write(json.dumps({"id": d["id"], "body": d["abstract"]}, ensure_ascii=False) + "\n")
                    n += 1
        else:
            raise SystemExit(f"unknown corpus {name}")
    os.replace(tmp, path)
    print(f"built corpus {name}: {n} documents", file=sys.stderr)
    return path


def sample(path):
    with open(path, encoding="utf-8") as f:
        rows = [l for l in f if l.strip()]
    return random.Random(2026).sample(rows, 1000) if len(rows) > 1000 else rows


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("sets", nargs="*", default=list(SETS))
    ap.add_argument("--shared", default=os.path.join(REPO, "..", "shared"))
    ap.add_argument("--work", default=os.path.join(REPO, "target", "eval"))
    ap.add_argument("--no-build", action="store_true", help="use target/release/sou as it is")
    ap.add_argument("--sou", metavar="BINARY", help="evaluate this sou binary (implies --no-build)")
    ap.add_argument("--json", action="store_true", help="also print one JSON object per set")
    ap.add_argument("--runs-out", metavar="FILE", help="write every query's top 10 passages to FILE")
    ap.add_argument("--keyword", action="store_true",
                    help="run the queries as keyword queries (without --plain: every term required) instead of as "
                         "pasted text; for information, the peers were run as disjunctions")
    ap.add_argument("--reuse-index", action="store_true",
                    help="don't rebuild an index that exists (ranking experiments that don't change the index); "
                         "the index may have been built by older code, so report figures from a run without it")
    args = ap.parse_args()

    if not os.path.isdir(os.path.join(args.shared, "eval")):
        raise SystemExit(f"eval.py: {args.shared}/eval not found: the evaluation needs ../shared beside the repository")
    for s in args.sets:
        if s not in SETS:
            raise SystemExit(f"eval.py: unknown set {s}; choose from {', '.join(SETS)}")
    if not args.no_build and not args.sou:
        subprocess.run(["cargo", "build", "--release", "--locked", "-q"], cwd=REPO, check=True)
    sou = os.path.abspath(args.sou) if args.sou else os.path.join(REPO, "target", "release", "sou")

    indexed = {}
    rows_out = []
    runs_out = open(args.runs_out, "w", encoding="utf-8") if args.runs_out else None
    for s in args.sets:
        cname = SETS[s]
        cdir = os.path.join(args.work, cname, "corpus")
        idir = os.path.join(args.work, cname, "index")
        build_corpus(cname, args.shared, cdir)
        if cname not in indexed and args.reuse_index and os.path.exists(os.path.join(idir, "sou-manifest.json")):
            m = json.load(open(os.path.join(idir, "sou-manifest.json"), encoding="utf-8"))
            indexed[cname] = (float("nan"), {"passages_total": sum(f["passages"] for f in m["files"].values())})
        if cname not in indexed:
            t0 = time.perf_counter()
            r = subprocess.run([sou, "index", "--rebuild", "--json", "--corpus", cdir, "--index", idir],
                               capture_output=True, text=True)
            secs = time.perf_counter() - t0
            if r.returncode != 0:
                raise SystemExit(f"sou index failed: {r.stderr}")
            summary = json.loads(r.stdout.strip().splitlines()[-1])["data"]
            indexed[cname] = (secs, summary)
        queries = [json.loads(l) for l in sample(os.path.join(args.shared, "eval", s + ".jsonl"))]
        qfile = os.path.join(args.work, s + ".queries.jsonl")
        with open(qfile, "w", encoding="utf-8") as f:
            for q in queries:
                f.write(json.dumps({"qid": q["qid"], "query": q["query"]}, ensure_ascii=False) + "\n")
        t0 = time.perf_counter()
        mode = [] if args.keyword else ["--plain"]
        r = subprocess.run([sou, "search", *mode, "--index", idir, "--queries", qfile, "--json", "-n", "100",
                            "--snippet-chars", "100"], capture_output=True, text=True)
        wall = time.perf_counter() - t0
        if r.returncode == 2:
            print(r.stderr, file=sys.stderr)
        ranked = {}
        top10 = {}
        latency = []
        for line in r.stdout.splitlines():
            m = json.loads(line)
            d = m["data"]
            if m["type"] == "hit":
                ranked.setdefault(d["qid"], []).append(d["id"])
                if d["rank"] <= 10:
                    top10.setdefault(d["qid"], []).append([d["id"], d["path"], d["passage"], d["score"]])
            elif m["type"] == "summary":
                latency.append(d["elapsed_ms"])
        if runs_out:
            for q in queries:
                runs_out.write(json.dumps({"set": s, "qid": q["qid"], "top": top10.get(q["qid"], [])},
                                          ensure_ascii=False) + "\n")
        mrr = r10 = p1 = found = 0.0
        # The sample's two halves (its first and second 500 queries): weights are tuned on the first only,
        # and the second, held out, says whether a change holds beyond the queries it was tuned on.
        half = len(queries) // 2
        halves = [0.0, 0.0]
        for i, q in enumerate(queries):
            articles = []
            for a in ranked.get(q["qid"], []):
                if a not in articles:
                    articles.append(a)
            if q["doc_id"] in articles:
                rank = articles.index(q["doc_id"]) + 1
                found += 1
                if rank <= 10:
                    mrr += 1 / rank
                    halves[i >= half] += 1 / rank
                    r10 += 1
                if rank == 1:
                    p1 += 1
        n = len(queries)
        latency.sort()
        row = {
            "set": s, "queries": n, "mrr10": mrr / n, "recall10": r10 / n, "p1": p1 / n, "found": found / n,
            "mrr10_tune": halves[0] / max(half, 1), "mrr10_held_out": halves[1] / max(n - half, 1),
            "peer_best": PEER_BEST[s][1], "peer": PEER_BEST[s][0],
            "index_s": indexed[cname][0], "passages": indexed[cname][1]["passages_total"],
            "latency_p50_ms": statistics.median(latency) if latency else None,
            "latency_p99_ms": latency[int(0.99 * (len(latency) - 1))] if latency else None,
            "batch_wall_s": wall,
        }
        rows_out.append(row)
        if args.json:
            print(json.dumps(row))

    if runs_out:
        runs_out.close()
    print()
    print("| set | MRR@10 | tune half | held-out half | R@10 | P@1 | found | best peer MRR@10 | Δ | index s | p50 ms | p99 ms |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows_out:
        print(f"| {r['set']} | {r['mrr10']:.3f} | {r['mrr10_tune']:.3f} | {r['mrr10_held_out']:.3f} | "
              f"{r['recall10']:.3f} | {r['p1']:.3f} | {r['found']:.3f} | "
              f"{r['peer_best']:.3f} ({r['peer']}) | {r['mrr10'] - r['peer_best']:+.3f} | {r['index_s']:.1f} | "
              f"{r['latency_p50_ms']:.2f} | {r['latency_p99_ms']:.2f} |")


if __name__ == "__main__":
    main()
