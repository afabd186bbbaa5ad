#!/usr/bin/env python3
"""Archive navigation on the whole xwlb archive (issue 15): what filters, grouping, date order and reprint
collapsing cost a search, and whether `sou count` equals a scan of the text.

1. Copies ../shared/corpora/xwlb/docs.jsonl into target/archive/corpus/ (never into the repository) and
   indexes it with the release binary (once; --rebuild to redo it).
2. Runs the first --queries queries of ../shared/eval/xwlb-keywords-dev.jsonl in one `sou search --queries`
   batch per configuration (top 10 with snippets), --runs times each, in interleaved order, and reports the
   median of the per-query `elapsed_ms` that sou reports (search time inside the process), and its ratio to
   the baseline measured in the same run: every passage, no grouping (`--passages`, and `--no-collapse` where
   sou has it).
3. Runs `cargo run --release --example count_scan` on the index and the archive: `sou count --by month`
   against a scan of every passage, for its list of terms.

    python3 bench/archive.py [--runs 3] [--queries 300] [--rebuild]
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--queries", type=int, default=300)
    ap.add_argument("--rebuild", action="store_true")
    ap.add_argument("--shared", default=os.path.join(REPO, "..", "shared"))
    args = ap.parse_args()
    archive = os.path.join(args.shared, "corpora", "xwlb", "docs.jsonl")
    if not os.path.exists(archive):
        sys.exit(f"archive.py: {archive} is missing (../shared beside the repository)")
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(REPO, "target"))
    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=REPO, check=True)
    sou = os.path.join(target, "release", "sou")
    work = os.path.join(REPO, "target", "archive")
    corpus, index = os.path.join(work, "corpus"), os.path.join(work, "index")
    os.makedirs(corpus, exist_ok=True)
    copy = os.path.join(corpus, "xwlb.jsonl")
    if args.rebuild or not os.path.exists(copy):
        shutil.copyfile(archive, copy)
    r = subprocess.run([sou, "index", "--corpus", corpus, "--index", index] + (["--rebuild"] if args.rebuild else []),
                       capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"sou index failed: {r.stderr}")
    print(r.stdout.strip())

    queries = []
    with open(os.path.join(args.shared, "eval", "xwlb-keywords-dev.jsonl"), encoding="utf-8") as f:
        for line in f:
            q = json.loads(line)
            queries.append({"qid": q["qid"], "query": q["query"]})
            if len(queries) >= args.queries:
                break
    qfile = os.path.join(work, "queries.jsonl")
    with open(qfile, "w", encoding="utf-8") as f:
        for q in queries:
            f.write(json.dumps(q, ensure_ascii=False) + "\n")

    help_text = subprocess.run([sou, "search", "--help"], capture_output=True, text=True).stdout
    no_collapse = ["--no-collapse"] if "--no-collapse" in help_text else []
    configs = [
        ("every passage (baseline)", ["--passages"] + no_collapse),
        ("one hit per article" + (" (--no-collapse)" if no_collapse else " (default)"), no_collapse),
        ("--since 2022 --until 2023", no_collapse + ["--since", "2022", "--until", "2023"]),
        ("--source 央视网", no_collapse + ["--source", "央视网"]),
        ("--sort -date", no_collapse + ["--sort", "-date"]),
    ]
    if no_collapse:
        configs.append(("one hit per article, reprints collapsed (default)", []))
    times = {name: [] for name, _ in configs}
    for _ in range(args.runs):
        for name, flags in configs:
            r = subprocess.run([sou, "search", "--index", index, "--queries", qfile, "--json", "-n", "10", *flags],
                               capture_output=True, text=True)
            if r.returncode == 2:
                sys.exit(f"{name}: {r.stderr}")
            for line in r.stdout.splitlines():
                m = json.loads(line)
                if m["type"] == "summary":
                    times[name].append(m["data"]["elapsed_ms"])
    base = statistics.median(times[configs[0][0]])
    print(f"\n{len(queries)} xwlb-keywords queries x {args.runs} runs; per-query search time inside sou, top 10 with snippets")
    print("| configuration | median ms | p90 ms | ratio to baseline |")
    print("|---|---:|---:|---:|")
    for name, _ in configs:
        t = sorted(times[name])
        med = statistics.median(t)
        p90 = t[int(0.9 * (len(t) - 1))]
        print(f"| {name} | {med:.2f} | {p90:.2f} | {med / base:.2f} |")

    print("\ncount_scan: sou count --by month vs a scan of every passage")
    r = subprocess.run(["cargo", "run", "--release", "--quiet", "--example", "count_scan", "--",
                        "--index", index, "--archive", copy], cwd=REPO)
    sys.exit(r.returncode)


if __name__ == "__main__":
    main()
