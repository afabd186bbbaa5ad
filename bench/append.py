#!/usr/bin/env python3
"""Indexing time of one record appended to a large JSON Lines archive (issue 15).

Copies ../shared/corpora/xwlb/docs.jsonl (64.5 MB, 38,288 records) into a fresh corpus, indexes it, then
times `sou index` after appending one record (a copy of the archive's first record under a new id), three ways:

  appended  the update as sou makes it: the file's first bytes still hash as indexed, so only the new line is
            read and its passages added;
  re-read   the same update with the file's manifest entry as an older sou wrote it (no line count): the file
            is read whole again (its passages deleted, all of them added, the segments merged), which is what
            every update of a grown archive cost before;
  rebuild   `sou index --rebuild` of the same corpus, for scale.

Every run's `--json` summary is checked (appended: 1 file, 1 record; re-read: 1 changed), and the index must
hold as many passages after the appends as a rebuild writes. Prints the median and the range of each, in
seconds of wall time. The binary is `$CARGO_TARGET_DIR/release/sou` (default `target/`), built first unless
`--no-build`; the corpus and indexes go under `$CARGO_TARGET_DIR/append-bench/`.

Usage: python3 bench/append.py [--runs N] [--no-build]
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("SHARED", ROOT.parent / "shared"))
ARCHIVE = SHARED / "corpora" / "xwlb" / "docs.jsonl"
TARGET = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
SOU = TARGET / "release" / "sou"
WORK = TARGET / "append-bench"


def index(corpus: Path, idx: Path, *args: str) -> tuple[float, dict]:
    """Runs `sou index --json`, returns (wall seconds, summary data)."""
    t = time.perf_counter()
    out = subprocess.run(
        [str(SOU), "index", "--json", "--corpus", str(corpus), "--index", str(idx), *args],
        capture_output=True,
        text=True,
    )
    wall = time.perf_counter() - t
    if out.returncode != 0:
        sys.exit(f"append.py: sou index failed ({out.returncode}): {out.stderr.strip()}")
    return wall, json.loads(out.stdout)["data"]


def append_record(path: Path, first: dict, n: int) -> None:
    record = dict(first, id=f"bench-append-{n}")
    with path.open("a", encoding="utf-8") as f:
        f.write(json.dumps(record, ensure_ascii=False) + "\n")


def forget_line_count(idx: Path, rel: str) -> None:
    """Makes the file's manifest entry one an older sou wrote: no line count."""
    manifest = idx / "sou-manifest.json"
    m = json.loads(manifest.read_text(encoding="utf-8"))
    m["files"][rel].pop("lines", None)
    manifest.write_text(json.dumps(m), encoding="utf-8")


def describe(xs: list[float]) -> str:
    return f"{statistics.median(xs):.3f} s (median of {len(xs)}, {min(xs):.3f}–{max(xs):.3f})"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5, help="runs of each kind (default 5)")
    ap.add_argument("--no-build", action="store_true", help="use the release binary as it is")
    a = ap.parse_args()
    if not ARCHIVE.is_file():
        sys.exit(f"append.py: {ARCHIVE} not found (../shared must sit beside the repository)")
    if not a.no_build:
        subprocess.run(
            ["cargo", "build", "--release", "--locked", "-q", "--bin", "sou"], cwd=ROOT, check=True
        )
    shutil.rmtree(WORK, ignore_errors=True)
    corpus, idx = WORK / "corpus", WORK / "index"
    corpus.mkdir(parents=True)
    docs = corpus / "docs.jsonl"
    shutil.copyfile(ARCHIVE, docs)
    with ARCHIVE.open(encoding="utf-8") as f:
        first = json.loads(f.readline())
    mb = docs.stat().st_size / 1e6
    wall, s = index(corpus, idx)
    print(f"archive: {ARCHIVE} ({mb:.1f} MB); first build {wall:.2f} s, {s['passages_total']} passages")

    n = 0
    appended, reread, rebuild = [], [], []
    for _ in range(a.runs):
        n += 1
        append_record(docs, first, n)
        wall, s = index(corpus, idx)
        if (s["appended"], s["records_appended"], s["changed"]) != (1, 1, 0):
            sys.exit(f"append.py: the append was not indexed alone: {s}")
        appended.append(wall)
    # After the appends the index holds what a rebuild writes.
    total = s["passages_total"]
    for _ in range(a.runs):
        wall, s = index(corpus, idx, "--rebuild")
        if s["passages_total"] != total:
            sys.exit(f"append.py: a rebuild writes {s['passages_total']} passages, the appends left {total}")
        rebuild.append(wall)
    for _ in range(a.runs):
        n += 1
        append_record(docs, first, n)
        forget_line_count(idx, "docs.jsonl")
        wall, s = index(corpus, idx)
        if (s["appended"], s["changed"]) != (0, 1):
            sys.exit(f"append.py: the file was not read whole: {s}")
        reread.append(wall)
    print(f"one record appended, only it read:  {describe(appended)}")
    print(f"one record appended, file re-read:  {describe(reread)}")
    print(f"--rebuild:                          {describe(rebuild)}")
    print(f"re-read / appended: {statistics.median(reread) / statistics.median(appended):.0f}×")


if __name__ == "__main__":
    main()
