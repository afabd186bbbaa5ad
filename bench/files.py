#!/usr/bin/env python3
"""One-shot search on a folder of one file per article, as the folder grows (issue 17).

The body-only xwlb archive of the relevance evaluation (36,171 items) written as one `.txt` file per item in
one folder (the layout of ../shared/eval/README.md), then as 2x and 4x as many files (copies of every file
with distinct names, in the same folder), each indexed from an empty directory. For each size, the whole
process of `sou search --index I Q` against `rg Q FOLDER`, median of --runs runs, interleaved, warm page
cache (one untimed run of each first). Then the cost of a changed corpus at 1x: a new folder of 100 files
and one file saved by rename, which the staleness check must find (and does: the warning is checked).

Usage: python3 bench/files.py [--shared DIR] [--work DIR] [--runs N] [--sizes 1,2,4] [--no-build] [--json]
Needs rg (bench/run.sh installs it) and ../shared.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO, "bench"))
import eval as soueval  # noqa: E402
import run as benchrun  # noqa: E402  (run_measured, median_wall, sou_index)

QUERY = "厄立特里亚"


def copies(src, dst, k):
    """`src` (a folder of files) with k copies of each file in one folder: copy j of a.txt is a-c{j}.txt."""
    if os.path.isdir(dst):
        return
    tmp = dst + ".tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(tmp)
    for name in os.listdir(src):
        stem, ext = os.path.splitext(name)
        for j in range(k):
            target = name if j == 0 else f"{stem}-c{j}{ext}"
            shutil.copyfile(os.path.join(src, name), os.path.join(tmp, target))
    os.replace(tmp, dst)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shared", default=os.path.join(os.path.dirname(REPO), "shared"))
    ap.add_argument("--work", default=os.path.join(os.environ.get("CARGO_TARGET_DIR", os.path.join(REPO, "target")),
                                                   "bench"))
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--sizes", default="1,2,4")
    ap.add_argument("--no-build", action="store_true")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    if not os.path.isdir(os.path.join(args.shared, "corpora", "xwlb")):
        sys.exit(f"files.py: {args.shared}/corpora/xwlb is missing: this benchmark needs ../shared")
    rg = shutil.which("rg")
    if not rg:
        sys.exit("files.py: rg (ripgrep) is not installed: bash bench/run.sh installs it")
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(REPO, "target"))
    if not args.no_build:
        subprocess.run(["cargo", "build", "--release", "--locked", "--quiet"], cwd=REPO, check=True)
    sou = os.path.join(target, "release", "sou")

    def say(msg):
        print(msg, file=sys.stderr, flush=True)

    xcorpus = os.path.join(args.work, "xwlb", "corpus")
    soueval.build_corpus("xwlb", args.shared, xcorpus)
    one = os.path.join(args.work, "xwlb-files", "corpus")
    benchrun.split_archive(os.path.join(xcorpus, "xwlb.jsonl"), one)

    rows = []
    for k in [int(x) for x in args.sizes.split(",")]:
        say(f"{k}x …")
        folder = one if k == 1 else os.path.join(args.work, f"xwlb-files-{k}x", "corpus")
        copies(one, folder, k)
        index = os.path.join(os.path.dirname(folder), "index")
        wall, _, summary = benchrun.sou_index(sou, folder, index)
        s, r = benchrun.median_wall([[sou, "search", "--index", index, QUERY], [rg, QUERY, folder]],
                                    args.runs, REPO)
        rows.append({"copies": k, "files": summary["files"], "index_s": wall, "sou_ms": s * 1000,
                     "rg_ms": r * 1000})

    # A changed corpus (at 1x): a new folder of 100 files and one file saved by rename.
    say("1x, changed …")
    index = os.path.join(os.path.dirname(one), "index")
    new = os.path.join(one, "new-folder")
    names = sorted(os.listdir(one))
    try:
        os.makedirs(new)
        for name in names[:100]:
            shutil.copyfile(os.path.join(one, name), os.path.join(new, name))
        victim = os.path.join(one, names[200])
        with open(victim, encoding="utf-8") as f:
            text = f.read()
        with open(victim + ".tmp", "w", encoding="utf-8") as f:
            f.write(text + "\n补记。")
        os.replace(victim + ".tmp", victim)
        out = subprocess.run([sou, "search", "--index", index, QUERY], capture_output=True, text=True)
        if "(100 new, 1 changed, 0 removed files)" not in out.stderr:
            sys.exit(f"files.py: the staleness warning is not the one expected: {out.stderr.strip()}")
        s, r = benchrun.median_wall([[sou, "search", "--index", index, QUERY], [rg, QUERY, one]], args.runs, REPO)
        changed = {"files": summary_files(one), "sou_ms": s * 1000, "rg_ms": r * 1000}
    finally:
        shutil.rmtree(new, ignore_errors=True)
        # Put the file back as it was and re-index, so that the next run starts from the 1x folder as written.
        with open(victim, "w", encoding="utf-8") as f:
            f.write(text)
        benchrun.run_measured([sou, "index", "--index", index, "--corpus", one])

    if args.json:
        print(json.dumps({"sizes": rows, "changed": changed}))
        return
    print(f"One-shot `sou search {QUERY}` vs `rg {QUERY}` on a folder of one file per article "
          f"(median of {args.runs} runs, whole process)\n")
    print("| files | sou index s | sou ms | rg ms | rg / sou |")
    print("|---:|---:|---:|---:|---:|")
    for x in rows:
        print(f"| {x['files']:,} | {x['index_s']:.1f} | {x['sou_ms']:.1f} | {x['rg_ms']:.1f} | "
              f"{x['rg_ms'] / x['sou_ms']:.1f}× |")
    print(f"| {changed['files']:,}, changed (100 new in a new folder, 1 saved by rename) | – | "
          f"{changed['sou_ms']:.1f} | {changed['rg_ms']:.1f} | {changed['rg_ms'] / changed['sou_ms']:.1f}× |")


def summary_files(folder):
    return sum(len(fs) for _, _, fs in os.walk(folder))


if __name__ == "__main__":
    main()
