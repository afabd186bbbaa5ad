#!/usr/bin/env python3
"""Extraction cost of the formats people keep (issue 20): `sou index` on N copies of each fixture of
`tests/fixtures/{pdf,html,office}` against the same articles as plain text files, in the same run.

For each format, a folder holds N copies of its fixture files (for PDF: one file of N pages made by
`bench/pdf_many_pages.py`, so that "per page" is a page of a long file, and memory is seen to stay bounded
page by page); the baseline folder holds, for each copy, the text sou extracts from the file
(`bench/examples/extract_text.rs`) as `.txt` files, so that the difference is the extraction. Each
folder is indexed from scratch (`--rebuild --threads 1`) R times, interleaved across formats; the table gives
the median wall time, the time per file (per page for PDF), the ratio to the text baseline, and the largest
peak RSS (from `wait4`, in MiB).

Usage: python3 bench/formats.py [--n N] [--pages P] [--runs R] [--bin PATH] [--no-build]
Defaults: N = 100 copies, P = 200 pages, R = 5 runs, the release build (built unless --no-build).
Everything is written under target/formats/ (git-ignored).
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIX = os.path.join(REPO, "tests", "fixtures")
FORMATS = {
    "html": ["html/people-gb2312.html", "html/jsonld-utf8.html", "html/table-br-gbk.html"],
    "mhtml": ["html/people-gb2312.mhtml"],
    "docx": ["office/article.docx"],
    "epub": ["office/article.epub", "office/book.epub"],
}


def run(cmd, cwd=REPO):
    """Runs cmd; returns (wall seconds, peak RSS MiB, stdout text). Exits on a status other than 0."""
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=cwd)
    out = p.stdout.read()
    err = p.stderr.read()
    _, status, usage = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        sys.exit(f"formats.py: {' '.join(cmd)} failed ({code}): {err.decode(errors='replace').strip()}")
    return wall, usage.ru_maxrss / 1024, out.decode()


def extracted_texts(extract, folder):
    """The text sou extracts from each file of `folder` (`bench/examples/extract_text.rs`): [(name, text)]."""
    texts = []
    for name in sorted(os.listdir(folder)):
        _, _, out = run([extract, os.path.join(folder, name)])
        texts.append((name + ".txt", out))
    return texts


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=100, help="copies of each fixture (default 100)")
    ap.add_argument("--pages", type=int, default=200, help="pages of the PDF (default 200)")
    ap.add_argument("--runs", type=int, default=5, help="runs of each folder (default 5)")
    ap.add_argument("--bin", help="the sou binary (default: target/release/sou)")
    ap.add_argument("--no-build", action="store_true", help="do not run cargo build --release")
    args = ap.parse_args()
    if not args.bin and not args.no_build:
        subprocess.run(["cargo", "build", "--release", "--locked"], cwd=REPO, check=True)
    extract = os.path.join(REPO, "target", "release", "examples", "extract_text")
    if not args.no_build or not os.path.exists(extract):
        subprocess.run(["cargo", "build", "--release", "--locked", "--example", "extract_text"], cwd=REPO,
                       check=True)
    sou = os.path.abspath(args.bin or os.path.join(REPO, "target", "release", "sou"))
    work = os.path.join(REPO, "target", "formats")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)

    folders = {}  # name -> (folder, units, unit name)
    for fmt, files in FORMATS.items():
        folder = os.path.join(work, fmt)
        os.makedirs(folder)
        for i in range(args.n):
            for f in files:
                base = os.path.basename(f)
                shutil.copy(os.path.join(FIX, f), os.path.join(folder, f"{i:04}-{base}"))
        folders[fmt] = (folder, args.n * len(files), "file")
        # Its text baseline: what sou extracts from one copy, as text files, N times.
        one = os.path.join(work, f"{fmt}-one")
        os.makedirs(one)
        for f in files:
            shutil.copy(os.path.join(FIX, f), one)
        texts = extracted_texts(extract, one)
        tfolder = os.path.join(work, f"{fmt}-as-text")
        os.makedirs(tfolder)
        for i in range(args.n):
            for name, text in texts:
                with open(os.path.join(tfolder, f"{i:04}-{name}"), "w", encoding="utf-8") as out:
                    out.write(text)
        folders[f"{fmt}-as-text"] = (tfolder, args.n * len(files), "file")
    pdf = os.path.join(work, "pdf")
    os.makedirs(pdf)
    subprocess.run(
        [sys.executable, os.path.join(REPO, "bench", "pdf_many_pages.py"),
         os.path.join(pdf, "pages.pdf"), str(args.pages)],
        cwd=REPO, check=True,
    )
    folders["pdf"] = (pdf, args.pages, "page")
    one = os.path.join(work, "pdf-one")
    os.makedirs(one)
    shutil.copy(os.path.join(FIX, "pdf", "page-rl-cid.pdf"), one)
    texts = extracted_texts(extract, one)
    tfolder = os.path.join(work, "pdf-as-text")
    os.makedirs(tfolder)
    for i in range(args.pages):
        for name, text in texts:
            with open(os.path.join(tfolder, f"{i:04}-{name}"), "w", encoding="utf-8") as out:
                out.write(text)
    folders["pdf-as-text"] = (tfolder, args.pages, "page")

    walls = {k: [] for k in folders}
    rss = {k: 0.0 for k in folders}
    for _ in range(args.runs):
        for name, (folder, _, _) in folders.items():
            idx = os.path.join(work, "index-" + name)
            wall, peak, _ = run([sou, "index", "--corpus", folder, "--index", idx, "--rebuild",
                                 "--threads", "1", "--json"])
            walls[name].append(wall)
            rss[name] = max(rss[name], peak)

    print(f"`python3 bench/formats.py --n {args.n} --pages {args.pages} --runs {args.runs}`; "
          f"median of {args.runs} runs, `sou index --rebuild --threads 1`\n")
    print("| format | files | per | wall (median) | per unit | as text: wall | ratio | peak RSS | as text: peak RSS |")
    print("|---|---:|---|---:|---:|---:|---:|---:|---:|")
    for fmt in ["pdf", *FORMATS]:
        folder, units, unit = folders[fmt]
        w = statistics.median(walls[fmt])
        t = statistics.median(walls[f"{fmt}-as-text"])
        files = 1 if fmt == "pdf" else units
        print(f"| {fmt} | {files} | {unit} | {w:.2f} s | {w / units * 1000:.1f} ms | {t:.2f} s | "
              f"{w / t:.2f}× | {rss[fmt]:.0f} MiB | {rss[fmt + '-as-text']:.0f} MiB |")


if __name__ == "__main__":
    main()
