#!/usr/bin/env python3
"""Batch query latency of sou on the xwlb dev sets (issue 17), optionally against a baseline binary.

For each set (the 1,000-query samples that bench/eval.py writes: xwlb-title-dev, xwlb-keywords-dev), runs
`sou search --plain --index I --corpus C --queries QFILE --json -n 10` (top 10 with snippets, one hit per
article: what bench/run.py times) and takes each query's own `elapsed_ms` from its summary line. Prints p50
and p99 per set, each the median over --runs batch runs. With --baseline PATH the baseline binary's batches
are interleaved with the current build's (A, B, A, B, ...), so that the machine's noise hits both alike.
With --callgrind N it also counts the instructions of the first N queries of each set under
`valgrind --tool=callgrind` (deterministic, unlike times on this shared machine).

Both binaries search the same index: the one bench/eval.py builds (run it first, or let this script run it
for the two xwlb sets), so a baseline must read the current index format.

Usage:  python3 bench/latency.py [--sou BINARY | --no-build] [--baseline BINARY] [--runs N] [--callgrind N]
                                 [--work DIR] [SET ...]
"""

import argparse
import json
import os
import statistics
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SETS = ["xwlb-title-dev", "xwlb-keywords-dev"]


def batch(sou, work, qfile):
    """Per-query elapsed_ms of one batch, sorted."""
    idx = os.path.join(work, "xwlb", "index")
    corpus = os.path.join(work, "xwlb", "corpus")
    r = subprocess.run([sou, "search", "--plain", "--index", idx, "--corpus", corpus, "--queries", qfile,
                        "--json", "-n", "10"], capture_output=True, text=True)
    if r.returncode == 2:
        raise SystemExit(f"latency.py: {sou} failed: {r.stderr[:500]}")
    lat = []
    for line in r.stdout.splitlines():
        m = json.loads(line)
        if m["type"] == "summary":
            lat.append(m["data"]["elapsed_ms"])
    return sorted(lat)


def pct(lat, p):
    return lat[int(p * (len(lat) - 1))]


def instructions(sou, work, qfile, n):
    """Instructions (callgrind's Ir) of a batch of the first n queries of qfile."""
    head = os.path.join(work, f"latency-{n}-" + os.path.basename(qfile))
    with open(qfile, encoding="utf-8") as f, open(head, "w", encoding="utf-8") as out:
        for i, line in enumerate(f):
            if i >= n:
                break
            out.write(line)
    idx = os.path.join(work, "xwlb", "index")
    corpus = os.path.join(work, "xwlb", "corpus")
    r = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sou, "search", "--plain",
                        "--index", idx, "--corpus", corpus, "--queries", head, "--json", "-n", "10"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    for line in r.stderr.splitlines():
        if "Collected :" in line:
            return int(line.split(":")[-1].strip())
    raise SystemExit(f"latency.py: no instruction count from valgrind: {r.stderr[-500:]}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("sets", nargs="*", default=SETS)
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(REPO, "target"))
    ap.add_argument("--work", default=os.path.join(REPO, "target", "eval"),
                    help="bench/eval.py's work directory (default: target/eval)")
    ap.add_argument("--sou", metavar="BINARY", help="measure this binary (default: build target/release/sou)")
    ap.add_argument("--no-build", action="store_true", help="use target/release/sou as it is")
    ap.add_argument("--baseline", metavar="BINARY", help="also measure this binary, interleaved")
    ap.add_argument("--runs", type=int, default=3, help="batch runs per binary and set (default 3)")
    ap.add_argument("--callgrind", type=int, metavar="N", default=0,
                    help="also count the instructions of the first N queries of each set")
    args = ap.parse_args()
    for s in args.sets:
        if s not in SETS:
            raise SystemExit(f"latency.py: unknown set {s}; choose from {', '.join(SETS)}")
    if not args.sou and not args.no_build:
        subprocess.run(["cargo", "build", "--release", "--locked", "-q", "--bin", "sou"], cwd=REPO, check=True)
    sou = os.path.abspath(args.sou) if args.sou else os.path.join(target, "release", "sou")
    binaries = [("current", sou)] + ([("baseline", os.path.abspath(args.baseline))] if args.baseline else [])

    qfiles = {s: os.path.join(args.work, s + ".queries.jsonl") for s in args.sets}
    if not all(os.path.exists(q) for q in qfiles.values()) or \
            not os.path.exists(os.path.join(args.work, "xwlb", "index", "sou-manifest.json")):
        print("latency.py: building the xwlb index and query samples with bench/eval.py", file=sys.stderr)
        subprocess.run([sys.executable, os.path.join(REPO, "bench", "eval.py"), *SETS, "--sou", sou,
                        "--work", args.work], check=True, stdout=subprocess.DEVNULL)

    # A first batch of each binary warms the page cache; not counted.
    for _, b in binaries:
        batch(b, args.work, qfiles[args.sets[0]])
    runs = {(name, s): [] for name, _ in binaries for s in args.sets}
    for _ in range(args.runs):
        for s in args.sets:
            for name, b in binaries:
                lat = batch(b, args.work, qfiles[s])
                runs[(name, s)].append((statistics.median(lat), pct(lat, 0.99), sum(lat) / len(lat)))
                print(f"  {name} {s}: p50 {runs[(name, s)][-1][0]:.2f} ms, p99 {runs[(name, s)][-1][1]:.2f} ms",
                      file=sys.stderr)
    cg = {}
    if args.callgrind:
        for s in args.sets:
            for name, b in binaries:
                cg[(name, s)] = instructions(b, args.work, qfiles[s], args.callgrind)

    print()
    head = "| binary | set | p50 ms | p99 ms | mean ms |"
    rule = "|---|---|---:|---:|---:|"
    if cg:
        head += f" instructions, first {args.callgrind} queries (millions) |"
        rule += "---:|"
    print(head)
    print(rule)
    for s in args.sets:
        for name, b in binaries:
            r = runs[(name, s)]
            row = (f"| {name} | {s} | {statistics.median(x[0] for x in r):.2f} | "
                   f"{statistics.median(x[1] for x in r):.2f} | {statistics.median(x[2] for x in r):.2f} |")
            if cg:
                row += f" {cg[(name, s)] / 1e6:,.0f} |"
            print(row)
    if args.baseline:
        for s in args.sets:
            a = statistics.median(x[0] for x in runs[("current", s)])
            b = statistics.median(x[0] for x in runs[("baseline", s)])
            print(f"{s}: p50 current / baseline = {a / b:.2f}")
    print(f"(median of {args.runs} batch runs each, interleaved; {os.path.basename(sou)} = {sou})")


if __name__ == "__main__":
    main()
