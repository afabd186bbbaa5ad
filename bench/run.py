#!/usr/bin/env python3
"""Speed benchmark of sou against ripgrep and SQLite FTS5 (trigram), all measured in this one run.

Prints one Markdown table (and, with --json, one JSON object per figure):
  - one-shot search, whole process, median of --runs runs: `sou search Q` vs `rg Q` on the bundled page
    and on the xwlb body-only archive (the same text for both tools);
  - indexing the xwlb body-only archive: sou vs FTS5 trigram (wall time, MB/s, peak RSS, index size / text);
  - sou's indexing throughput as a fraction of the jieba ceiling (jieba's search-mode segmentation alone on
    one core, bench/examples/jieba_ceiling.rs) times the cores sou uses;
  - batch query latency, top 10 with snippets, per query inside the process: sou (`--queries`) vs FTS5
    (`.timer on` in the sqlite3 shell), on the 1,000-query samples of xwlb-title-dev and xwlb-keywords-dev;
  - one-shot search and indexing on the same text as one file per article (36,171 files);
  - scaling: sou indexing 1x, 2x and 4x the xwlb text (copies with distinct ids) and querying each.

bench/run.sh installs what this needs and builds sou first; run this directly with --no-build.
Usage: python3 bench/run.py [--shared DIR] [--work DIR] [--runs N] [--no-scaling] [--json]
"""

import argparse
import csv
import json
import os
import shutil
import statistics
import subprocess
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO, "bench"))
import eval as soueval  # noqa: E402  (bench/eval.py: the body-only corpora and the query samples)

BUNDLED_QUERY = "工研院"
XWLB_QUERIES = ["厄立特里亚", "脱贫攻坚", "粤港澳大湾区"]


LAST_CPU_S = [0.0]  # user + system CPU seconds of the last run_measured command


def run_measured(cmd, stdout=subprocess.DEVNULL, cwd=None, stdin=None):
    """Runs cmd; returns (wall seconds, peak RSS in MiB, exit status, stdout bytes or None)."""
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=stdout, stderr=subprocess.PIPE, cwd=cwd, stdin=stdin)
    out = None
    if stdout == subprocess.PIPE:
        out = p.stdout.read()
    err = p.stderr.read()
    _, status, usage = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    LAST_CPU_S[0] = usage.ru_utime + usage.ru_stime
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        raise SystemExit(f"run.py: {' '.join(cmd)} failed ({code}): {err.decode(errors='replace').strip()}")
    return wall, usage.ru_maxrss / 1024, code, out


def dir_bytes(path):
    if os.path.isfile(path):
        return os.path.getsize(path)
    total = 0
    for root, _, files in os.walk(path):
        for f in files:
            total += os.path.getsize(os.path.join(root, f))
    return total


def body_bytes(jsonl):
    n = 0
    with open(jsonl, encoding="utf-8") as f:
        for line in f:
            n += len(json.loads(line)["body"].encode())
    return n


def median_wall(cmds, runs, cwd):
    """Median whole-process wall time of each command, runs interleaved (warm cache: one untimed run first)."""
    for c in cmds:
        run_measured(c, cwd=cwd)
    times = [[] for _ in cmds]
    for _ in range(runs):
        for i, c in enumerate(cmds):
            times[i].append(run_measured(c, cwd=cwd)[0])
    return [statistics.median(t) for t in times]


def percentile(sorted_values, q):
    return sorted_values[int(q * (len(sorted_values) - 1))]


def sou_index(sou, corpus, index):
    # From an empty directory: `--rebuild` keeps the index's tantivy settings (such as the docstore's
    # compression), and the benchmark should measure what a fresh build gives.
    shutil.rmtree(index, ignore_errors=True)
    wall, rss, _, out = run_measured([sou, "index", "--rebuild", "--json", "--corpus", corpus, "--index", index],
                                     stdout=subprocess.PIPE)
    summary = json.loads(out.decode().strip().splitlines()[-1])["data"]
    return wall, rss, summary


def sou_batch(sou, index, corpus, qfile):
    """Per-query latencies (ms) of a top-10 batch with snippets, as sou measures them."""
    _, _, _, out = run_measured([sou, "search", "--plain", "--index", index, "--corpus", corpus,
                                 "--queries", qfile, "--json", "-n", "10"], stdout=subprocess.PIPE)
    lat = []
    for line in out.decode().splitlines():
        m = json.loads(line)
        if m["type"] == "summary":
            lat.append(m["data"]["elapsed_ms"])
    return sorted(lat)


def trigram_match(query):
    """The FTS5 query of ../shared/eval/README.md: OR of every distinct 3-character window of the query's runs
    of CJK characters, letters and digits, each quoted."""
    runs, cur = [], ""
    for c in query:
        if c.isalnum():
            cur += c
        elif cur:
            runs.append(cur)
            cur = ""
    if cur:
        runs.append(cur)
    grams = []
    for r in runs:
        for i in range(len(r) - 2):
            g = r[i:i + 3]
            if g not in grams:
                grams.append(g)
    return " OR ".join('"' + g.replace('"', '""') + '"' for g in grams)


def fts5_build(sqlite, jsonl, work):
    """Builds the FTS5 trigram index of the archive (one row per article) the way the eval's peers did: one
    transaction, then optimize and VACUUM. The CSV it imports is written first, outside the timing."""
    csv_path = os.path.join(work, "fts5-input.csv")
    db = os.path.join(work, "fts5.db")
    with open(jsonl, encoding="utf-8") as f, open(csv_path, "w", encoding="utf-8", newline="") as out:
        w = csv.writer(out)
        for line in f:
            d = json.loads(line)
            w.writerow([d["id"], d["body"]])
    if os.path.exists(db):
        os.remove(db)
    script = (
        "CREATE VIRTUAL TABLE docs USING fts5(id UNINDEXED, body, tokenize='trigram');\n"
        ".mode csv\n"
        f".import '{csv_path}' docs\n"
        "INSERT INTO docs(docs) VALUES('optimize');\n"
        "VACUUM;\n"
    )
    with open(os.path.join(work, "fts5-build.sql"), "w", encoding="utf-8") as f:
        f.write(script)
    with open(os.path.join(work, "fts5-build.sql"), encoding="utf-8") as f:
        wall, rss, _, _ = run_measured([sqlite, db], stdin=f)
    return db, wall, rss


def fts5_batch(sqlite, db, queries, work, name):
    """Per-query latencies (ms) of top-10 FTS5 queries with snippets, from the shell's `.timer on`."""
    path = os.path.join(work, f"fts5-{name}.sql")
    n = 0
    with open(path, "w", encoding="utf-8") as f:
        f.write(".timer on\n")
        for q in queries:
            m = trigram_match(q)
            if not m:
                continue
            n += 1
            m = m.replace("'", "''")
            f.write(f"SELECT id, snippet(docs, 1, '[', ']', '…', 32) FROM docs WHERE docs MATCH '{m}' "
                    "ORDER BY rank LIMIT 10;\n")
    with open(path, encoding="utf-8") as f:
        _, _, _, out = run_measured([sqlite, db], stdin=f, stdout=subprocess.PIPE)
    lat = []
    for line in out.decode(errors="replace").splitlines():
        if line.startswith("Run Time: real"):
            lat.append(float(line.split()[3]) * 1000)
    return sorted(lat), n


def split_archive(src, dst):
    """One .txt file per item of the archive, named by its id (the layout of the eval README's xwlb corpus)."""
    if os.path.isdir(dst):
        return
    tmp = dst + ".tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(tmp)
    with open(src, encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            with open(os.path.join(tmp, d["id"] + ".txt"), "w", encoding="utf-8") as out:
                out.write(d["body"])
    os.replace(tmp, dst)


def scaled_copy(src, dst, k):
    """k copies of the archive, the ids of copy j suffixed with -copy{j}."""
    if os.path.exists(dst):
        return
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    tmp = dst + ".tmp"
    with open(tmp, "w", encoding="utf-8") as out:
        for j in range(k):
            with open(src, encoding="utf-8") as f:
                for line in f:
                    d = json.loads(line)
                    if j:
                        d["id"] = f"{d['id']}-copy{j}"
                    out.write(json.dumps(d, ensure_ascii=False) + "\n")
    os.replace(tmp, dst)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shared", default=os.path.join(REPO, "..", "shared"))
    ap.add_argument("--work", default=os.path.join(REPO, "target", "bench"))
    ap.add_argument("--runs", type=int, default=20, help="runs per one-shot command (median)")
    ap.add_argument("--no-build", action="store_true", help="use target/release as it is")
    ap.add_argument("--no-scaling", action="store_true", help="skip the 1x/2x/4x scaling runs")
    ap.add_argument("--json", action="store_true", help="also print the figures as one JSON object")
    args = ap.parse_args()

    if not os.path.isfile(os.path.join(args.shared, "corpora", "xwlb", "docs.jsonl")):
        raise SystemExit(f"run.py: {args.shared}/corpora/xwlb/docs.jsonl not found: "
                         "the benchmark needs ../shared beside the repository")
    rg = shutil.which("rg")
    sqlite = shutil.which("sqlite3")
    if not rg or not sqlite:
        raise SystemExit("run.py: needs rg and sqlite3 (bash bench/run.sh installs them)")
    if not args.no_build:
        subprocess.run(["cargo", "build", "--release", "--locked", "-q", "--bin", "sou",
                        "--example", "jieba_ceiling"], cwd=REPO, check=True)
    sou = os.path.join(REPO, "target", "release", "sou")
    ceiling_bin = os.path.join(REPO, "target", "release", "examples", "jieba_ceiling")
    os.makedirs(args.work, exist_ok=True)
    fig = {}

    def say(msg):
        print(msg, file=sys.stderr, flush=True)

    # The body-only xwlb archive of the relevance evaluation (titles removed), 51.9 MB of body text.
    xdir = os.path.join(args.work, "xwlb")
    corpus = os.path.join(xdir, "corpus")
    soueval.build_corpus("xwlb", args.shared, corpus)
    archive = os.path.join(corpus, "xwlb.jsonl")
    text_bytes = body_bytes(archive)
    fig["text_mb"] = text_bytes / 1e6
    index = os.path.join(xdir, "index")

    say("jieba ceiling …")
    out = subprocess.run([ceiling_bin, archive], capture_output=True, text=True, check=True).stdout
    fig["jieba_mb_s"] = json.loads(out)["mb_per_s"]
    cores = min(os.cpu_count() or 1, 4)  # sou indexes with one thread per core, at most 4
    fig["cores"] = cores

    say("sou index …")
    wall, rss, summary = sou_index(sou, corpus, index)
    fig.update(sou_index_s=wall, sou_index_rss_mib=rss, sou_index_mb=dir_bytes(index) / 1e6,
               sou_passages=summary["passages_total"], sou_index_cpu_s=LAST_CPU_S[0])
    fig["sou_mb_s"] = fig["text_mb"] / wall
    fig["ceiling_fraction"] = fig["sou_mb_s"] / (fig["jieba_mb_s"] * cores)

    say("FTS5 trigram index …")
    fts_dir = os.path.join(args.work, "fts5")
    os.makedirs(fts_dir, exist_ok=True)
    db, fwall, frss = fts5_build(sqlite, archive, fts_dir)
    fig.update(fts5_index_s=fwall, fts5_index_rss_mib=frss, fts5_index_mb=dir_bytes(db) / 1e6,
               fts5_index_cpu_s=LAST_CPU_S[0])

    say("batch latency …")
    for name in ["xwlb-title-dev", "xwlb-keywords-dev"]:
        queries = [json.loads(line) for line in soueval.sample(os.path.join(args.shared, "eval", name + ".jsonl"))]
        qfile = os.path.join(args.work, name + ".queries.jsonl")
        with open(qfile, "w", encoding="utf-8") as f:
            for q in queries:
                f.write(json.dumps({"qid": q["qid"], "query": q["query"]}, ensure_ascii=False) + "\n")
        lat = sou_batch(sou, index, corpus, qfile)
        flat, fn = fts5_batch(sqlite, db, [q["query"] for q in queries], fts_dir, name)
        fig[name] = {
            "queries": len(queries), "sou_p50_ms": statistics.median(lat), "sou_p99_ms": percentile(lat, 0.99),
            "fts5_queries": fn,
            "fts5_p50_ms": statistics.median(flat) if flat else None,
            "fts5_p99_ms": percentile(flat, 0.99) if flat else None,
        }

    say("one-shot search …")
    # The bundled page, from the repository root as the README says (the index is built on first use).
    subprocess.run([sou, "search", BUNDLED_QUERY], cwd=REPO, capture_output=True)
    s, r = median_wall([[sou, "search", BUNDLED_QUERY], [rg, BUNDLED_QUERY, "corpus/"]], args.runs, REPO)
    fig["oneshot_bundled"] = {"query": BUNDLED_QUERY, "sou_ms": s * 1000, "rg_ms": r * 1000}
    s, r = median_wall([[sou, "--version"], [rg, "--version"]], args.runs, REPO)
    fig["process_start"] = {"sou_ms": s * 1000, "rg_ms": r * 1000}
    fig["oneshot_xwlb"] = []
    for q in XWLB_QUERIES:
        s, r = median_wall([[sou, "search", "--index", index, "--corpus", corpus, q], [rg, q, corpus]],
                           args.runs, REPO)
        fig["oneshot_xwlb"].append({"query": q, "sou_ms": s * 1000, "rg_ms": r * 1000})

    say("one file per article …")
    # The same text as a folder of 36,171 files: `sou search` then also checks every file's size and time
    # against the manifest (to warn about a stale index), and rg opens every file.
    fdir = os.path.join(args.work, "xwlb-files")
    fcorpus = os.path.join(fdir, "corpus")
    split_archive(archive, fcorpus)
    findex = os.path.join(fdir, "index")
    fwall, _, fsummary = sou_index(sou, fcorpus, findex)
    q = XWLB_QUERIES[0]
    s, r = median_wall([[sou, "search", "--index", findex, "--corpus", fcorpus, q], [rg, q, fcorpus]],
                       args.runs, REPO)
    fig["files_layout"] = {"files": fsummary["files"],
                           "index_s": fwall, "query": q, "sou_ms": s * 1000, "rg_ms": r * 1000}

    fig["scaling"] = []
    if not args.no_scaling:
        qfile = os.path.join(args.work, "xwlb-title-dev.queries.jsonl")
        for k in (1, 2, 4):
            say(f"scaling {k}x …")
            sdir = os.path.join(args.work, f"scale-{k}")
            scorpus = os.path.join(sdir, "corpus")
            scaled_copy(archive, os.path.join(scorpus, f"xwlb-{k}x.jsonl"), k)
            sindex = os.path.join(sdir, "index")
            wall, rss, summary = sou_index(sou, scorpus, sindex)
            lat = sou_batch(sou, sindex, scorpus, qfile)
            q = XWLB_QUERIES[0]
            s1, r1 = median_wall([[sou, "search", "--index", sindex, "--corpus", scorpus, q], [rg, q, scorpus]],
                                 args.runs, REPO)
            fig["scaling"].append({
                "copies": k, "text_mb": k * fig["text_mb"], "index_s": wall, "rss_mib": rss,
                "index_mb": dir_bytes(sindex) / 1e6, "passages": summary["passages_total"],
                "p50_ms": statistics.median(lat), "p99_ms": percentile(lat, 0.99),
                "oneshot_query": q, "oneshot_sou_ms": s1 * 1000, "oneshot_rg_ms": r1 * 1000,
            })
            shutil.rmtree(sindex)

    print_table(fig)
    if args.json:
        print(json.dumps(fig, ensure_ascii=False))


def print_table(f):
    def ratio(a, b):
        return f"{a / b:.2f}×" if b else "–"

    print()
    print(f"xwlb body-only archive: {f['text_mb']:.1f} MB of text, {f['sou_passages']:,} sou passages; "
          f"{f['cores']} cores")
    print()
    print("| what | sou | other | sou / other |")
    print("|---|---:|---:|---:|")
    p = f["process_start"]
    print(f"| process start alone, `--version` (median ms) | {p['sou_ms']:.1f} | rg {p['rg_ms']:.1f} | "
          f"{ratio(p['sou_ms'], p['rg_ms'])} |")
    b = f["oneshot_bundled"]
    print(f"| one-shot `search {b['query']}`, bundled page (median ms) | {b['sou_ms']:.1f} | rg {b['rg_ms']:.1f} | "
          f"{ratio(b['sou_ms'], b['rg_ms'])} |")
    for o in f["oneshot_xwlb"]:
        print(f"| one-shot `search {o['query']}`, xwlb (median ms) | {o['sou_ms']:.1f} | rg {o['rg_ms']:.1f} | "
              f"{ratio(o['sou_ms'], o['rg_ms'])} |")
    fl = f.get("files_layout")
    if fl:
        print(f"| one-shot `search {fl['query']}`, xwlb as one file per article (median ms) | {fl['sou_ms']:.1f} | "
              f"rg {fl['rg_ms']:.1f} | {ratio(fl['sou_ms'], fl['rg_ms'])} |")
        print(f"| indexing xwlb as one file per article (wall s) | {fl['index_s']:.1f} | – | – |")
    print(f"| indexing xwlb (wall s) | {f['sou_index_s']:.1f} | FTS5 {f['fts5_index_s']:.1f} | "
          f"{ratio(f['sou_index_s'], f['fts5_index_s'])} |")
    print(f"| indexing CPU time, user + system (s; cores busy) | {f['sou_index_cpu_s']:.1f} "
          f"({f['sou_index_cpu_s'] / f['sou_index_s']:.2f}) | FTS5 {f['fts5_index_cpu_s']:.1f} "
          f"({f['fts5_index_cpu_s'] / f['fts5_index_s']:.2f}) | {ratio(f['sou_index_cpu_s'], f['fts5_index_cpu_s'])} |")
    print(f"| indexing throughput (MB/s of text) | {f['sou_mb_s']:.2f} | FTS5 {f['text_mb'] / f['fts5_index_s']:.2f} | "
          f"{ratio(f['sou_mb_s'], f['text_mb'] / f['fts5_index_s'])} |")
    print(f"| peak RSS while indexing (MiB) | {f['sou_index_rss_mib']:.0f} | FTS5 {f['fts5_index_rss_mib']:.0f} | "
          f"{ratio(f['sou_index_rss_mib'], f['fts5_index_rss_mib'])} |")
    print(f"| index size (MB; × text) | {f['sou_index_mb']:.1f} ({f['sou_index_mb'] / f['text_mb']:.2f}×) | "
          f"FTS5 {f['fts5_index_mb']:.1f} ({f['fts5_index_mb'] / f['text_mb']:.2f}×) | "
          f"{ratio(f['sou_index_mb'], f['fts5_index_mb'])} |")
    for name in ["xwlb-title-dev", "xwlb-keywords-dev"]:
        q = f[name]
        if q["fts5_p50_ms"] is None:
            continue
        note = "" if q["fts5_queries"] == q["queries"] else f" (FTS5: the {q['fts5_queries']} with a trigram)"
        for p in ("p50", "p99"):
            print(f"| {name} top 10 + snippets, {p} ms/query{note} | {q['sou_' + p + '_ms']:.2f} | "
                  f"FTS5 {q['fts5_' + p + '_ms']:.2f} | {ratio(q['sou_' + p + '_ms'], q['fts5_' + p + '_ms'])} |")
    print(f"| indexing vs jieba ceiling ({f['jieba_mb_s']:.1f} MB/s × {f['cores']} cores) | "
          f"{f['sou_mb_s']:.2f} MB/s | {f['jieba_mb_s'] * f['cores']:.1f} MB/s | {f['ceiling_fraction'] * 100:.1f}% |")
    if f["scaling"]:
        print()
        q = f["scaling"][0]["oneshot_query"]
        print("| copies of xwlb | text MB | passages | index s | MB/s | peak RSS MiB | index MB | title p50 ms | "
              f"title p99 ms | one-shot `{q}` sou ms | rg ms | rg / sou |")
        print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for s in f["scaling"]:
            print(f"| {s['copies']}× | {s['text_mb']:.0f} | {s['passages']:,} | {s['index_s']:.1f} | "
                  f"{s['text_mb'] / s['index_s']:.2f} | {s['rss_mib']:.0f} | {s['index_mb']:.0f} | "
                  f"{s['p50_ms']:.2f} | {s['p99_ms']:.2f} | {s['oneshot_sou_ms']:.1f} | {s['oneshot_rg_ms']:.1f} | "
                  f"{s['oneshot_rg_ms'] / s['oneshot_sou_ms']:.1f}× |")


if __name__ == "__main__":
    main()
