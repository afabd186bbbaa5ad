#!/usr/bin/env python3
"""Indexing benchmark (issue 17): sou against Lucene and SQLite FTS5 on the same folder of text, in one run.

The folder is the body-only xwlb archive of the relevance evaluation written as one .txt file per item (36,171
files, 51.9 MB; the folder bench/run.py writes, reused if it is there). Each engine indexes the whole folder
into an empty directory, reading the files itself:
  - sou: `sou index --corpus FOLDER --index DIR` (release build; one indexing thread per core, at most 4);
  - lucene-icu, lucene-cjk: bench/lucene (Lucene 9, one document per file, text stored and indexed, 256 MB RAM
    buffer, commit and forceMerge(1); ICUTokenizer words, or CJKAnalyzer bigrams), built with Maven if missing;
  - fts5-trigram: the sqlite3 shell reads the files with its fsdir() function into an FTS5 table
    (tokenize='trigram', id UNINDEXED) in one transaction, then 'optimize' and VACUUM, as the eval's peer.
Each engine runs --runs times (default 3), interleaved and in a rotating order so that the machine's noise hits
each alike; the table gives medians of the whole process's wall time and user + system CPU time (wait4), peak
RSS, the index's size on disk (stored text included) as a multiple of the text's, and every figure's ratio to
the best peer's (the lowest of Lucene and FTS5). Then where the bytes of sou's and Lucene's indexes go, by file
extension.

Needs ../shared beside the repository, cargo, sqlite3, java (17+) and mvn (Maven resolves Lucene the first time).
Usage: python3 bench/indexing.py [--runs N] [--engines sou,lucene-icu,lucene-cjk,fts5-trigram]
                                 [--lucene-threads N] [--shared DIR] [--work DIR] [--no-build] [--json]
"""

import argparse
import glob
import json
import os
import shutil
import statistics
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.dont_write_bytecode = True  # no bench/__pycache__ from the imports below
sys.path.insert(0, os.path.join(REPO, "bench"))
import eval as soueval  # noqa: E402  (bench/eval.py: the body-only corpora)
import run as speed  # noqa: E402  (bench/run.py: measured runs, the folder of one file per item)

LUCENE = os.path.join(REPO, "bench", "lucene")
ENGINES = ["sou", "lucene-icu", "lucene-cjk", "fts5-trigram"]

# What each file extension holds (tantivy 0.2x for sou; Lucene 9's default codec).
SOU_EXT = {
    ".idx": "postings: doc ids and term frequencies",
    ".pos": "positions",
    ".term": "term dictionaries",
    ".store": "stored fields (passage text, zstd)",
    ".fast": "fast fields (columns)",
    ".fieldnorm": "field norms",
    ".del": "deleted docs",
    "sou-manifest.json": "sou's list of indexed files (size, time, passages)",
    "meta.json": "tantivy's schema and segment list",
    "sou-reprints.jsonl": "sou's reprint groups",
}
LUCENE_EXT = {
    ".fdt": "stored fields (the text, LZ4)",
    ".fdx": "stored fields index",
    ".fdm": "stored fields meta",
    ".doc": "postings: doc ids and term frequencies",
    ".pos": "positions",
    ".tim": "term dictionary",
    ".tip": "term index",
    ".tmd": "term meta",
    ".psm": "postings meta",
    ".nvd": "norms",
    ".nvm": "norms meta",
    ".fnm": "field infos",
    ".si": "segment info",
}


def say(msg):
    print(msg, file=sys.stderr, flush=True)


def target_dir():
    return os.environ.get("CARGO_TARGET_DIR") or os.path.join(REPO, "target")


def build_lucene():
    """Builds bench/lucene when its classes are missing or older than its sources: offline first (Maven's local
    repository), online when something is missing there."""
    out = os.path.join(LUCENE, "target", "classes", "sou", "bench", "IndexFolder.class")
    sources = [os.path.join(LUCENE, "pom.xml")] + glob.glob(os.path.join(LUCENE, "src", "**", "*.java"),
                                                           recursive=True)
    lib = os.path.join(LUCENE, "target", "lib")
    if (os.path.exists(out) and os.path.isdir(lib)
            and os.path.getmtime(out) >= max(os.path.getmtime(s) for s in sources)):
        return
    say("building bench/lucene (mvn package) …")
    if subprocess.run(["mvn", "-q", "-o", "package"], cwd=LUCENE, capture_output=True).returncode != 0:
        p = subprocess.run(["mvn", "-q", "package"], cwd=LUCENE, capture_output=True, text=True)
        if p.returncode != 0:
            raise SystemExit(f"indexing.py: mvn package failed in bench/lucene:\n{p.stdout}{p.stderr}")


def text_files(folder):
    out = []
    for root, _, files in os.walk(folder):
        out += [os.path.join(root, f) for f in files if f.endswith(".txt")]
    return out


def by_extension(index):
    """Bytes of an index directory per segment file extension (tantivy's segments are named by a 32-digit hex
    id, Lucene's start with '_'); any other file counts under its own name (sou's manifest, meta.json, …)."""
    sizes = {}
    for root, _, files in os.walk(index):
        for f in files:
            stem, ext = os.path.splitext(f)
            segment = f.startswith("_") or (len(stem) == 32 and all(c in "0123456789abcdef" for c in stem))
            ext = ext if segment and ext else f
            sizes[ext] = sizes.get(ext, 0) + os.path.getsize(os.path.join(root, f))
    return sizes


def by_field(space_usage, index):
    """Bytes of sou's index per field and structure, from bench/examples/space_usage.rs (tantivy's accounting)."""
    out = subprocess.run([space_usage, index], capture_output=True, text=True, check=True).stdout
    fields = {}
    for line in out.splitlines()[1:]:
        field, part, n = line.split()
        if part != "total":
            fields.setdefault(field, {})[part] = int(n)
    return fields


def fts5_script(folder, path):
    """The sqlite3 shell script that builds the FTS5 trigram index of every .txt file under folder."""
    folder = folder.replace("'", "''")
    with open(path, "w", encoding="utf-8") as f:
        f.write(
            "CREATE VIRTUAL TABLE docs USING fts5(id UNINDEXED, body, tokenize='trigram');\n"
            "BEGIN;\n"
            f"INSERT INTO docs(id, body) SELECT name, CAST(data AS TEXT) FROM fsdir('{folder}') "
            "WHERE name LIKE '%.txt' AND (mode & 61440) = 32768;\n"  # regular files only (S_IFREG)
            "COMMIT;\n"
            "INSERT INTO docs(docs) VALUES('optimize');\n"
            "VACUUM;\n"
        )


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shared", default=os.path.join(REPO, "..", "shared"))
    ap.add_argument("--work", default=os.path.join(REPO, "target", "bench"))
    ap.add_argument("--runs", type=int, default=3, help="runs per engine (median)")
    ap.add_argument("--engines", default=",".join(ENGINES), help="comma-separated subset of " + ", ".join(ENGINES))
    ap.add_argument("--lucene-threads", type=int, default=1,
                    help="threads that add documents in Lucene (default 1, as the eval's peers)")
    ap.add_argument("--no-build", action="store_true", help="use the release build of sou as it is")
    ap.add_argument("--json", action="store_true", help="also print the figures as one JSON object")
    args = ap.parse_args()
    engines = [e for e in args.engines.split(",") if e]
    unknown = [e for e in engines if e not in ENGINES]
    if unknown or not engines or args.runs < 1:
        raise SystemExit(f"indexing.py: unknown engines {unknown}; choose among {', '.join(ENGINES)}"
                         if unknown else "indexing.py: needs at least one engine and one run")

    docs = os.path.join(args.shared, "corpora", "xwlb", "docs.jsonl")
    if not os.path.isfile(docs):
        raise SystemExit(f"indexing.py: {docs} not found: this benchmark needs the test data of ../shared "
                         "beside the repository (or --shared DIR)")
    needs = {"sqlite3": "fts5-trigram", "java": "lucene", "mvn": "lucene"}
    for tool, what in needs.items():
        if any(e.startswith(what) for e in engines) and not shutil.which(tool):
            raise SystemExit(f"indexing.py: {what} needs {tool} (Debian: apt-get install "
                             f"{'sqlite3' if tool == 'sqlite3' else 'openjdk-17-jdk-headless maven'})")

    if "sou" in engines and not args.no_build:
        say("cargo build --release …")
        subprocess.run(["cargo", "build", "--release", "--locked", "-q", "--bin", "sou", "--example", "space_usage"],
                       cwd=REPO, check=True)
    sou = os.path.join(target_dir(), "release", "sou")
    space_usage = os.path.join(target_dir(), "release", "examples", "space_usage")
    if "sou" in engines and not os.path.exists(sou):
        raise SystemExit(f"indexing.py: {sou} not found (build it, or drop --no-build)")
    if any(e.startswith("lucene") for e in engines):
        build_lucene()

    # The folder: the body-only archive of bench/eval.py, one file per item (bench/run.py's layout).
    corpus = os.path.join(args.work, "xwlb", "corpus")
    soueval.build_corpus("xwlb", args.shared, corpus)
    folder = os.path.abspath(os.path.join(args.work, "xwlb-files", "corpus"))
    speed.split_archive(os.path.join(corpus, "xwlb.jsonl"), folder)
    files = text_files(folder)
    text_bytes = 0
    for path in files:  # also warms the page cache, so that every engine reads the files from memory
        with open(path, "rb") as f:
            text_bytes += len(f.read())

    out_root = os.path.join(args.work, "indexing")
    os.makedirs(out_root, exist_ok=True)
    classpath = os.path.join(LUCENE, "target", "classes") + os.pathsep + os.path.join(LUCENE, "target", "lib", "*")
    sql = os.path.join(out_root, "fts5-build.sql")
    fts5_script(folder, sql)

    def command(engine, out):
        """(argv, stdin path or None, the index's path) of one engine's build into the empty directory out."""
        if engine == "sou":
            return [sou, "index", "--json", "--corpus", folder, "--index", out], None, out
        if engine.startswith("lucene"):
            return (["java", "-cp", classpath, "sou.bench.IndexFolder", engine.split("-")[1], folder, out,
                     str(args.lucene_threads)], None, out)
        db = os.path.join(out, "fts5.db")
        return ["sqlite3", db], sql, db

    runs = {e: [] for e in engines}
    for r in range(args.runs):
        order = engines[r % len(engines):] + engines[:r % len(engines)]
        for engine in order:
            out = os.path.join(out_root, engine)
            shutil.rmtree(out, ignore_errors=True)
            os.makedirs(out)
            cmd, stdin, index = command(engine, out)
            say(f"run {r + 1}/{args.runs}: {engine} …")
            with open(stdin, encoding="utf-8") if stdin else open(os.devnull) as f:
                wall, rss, code, stdout = speed.run_measured(cmd, stdout=subprocess.PIPE, stdin=f)
            if code != 0:
                raise SystemExit(f"indexing.py: {' '.join(cmd)} exited with {code}")
            runs[engine].append({"wall_s": wall, "cpu_s": speed.LAST_CPU_S[0], "rss_mib": rss,
                                 "index_bytes": speed.dir_bytes(index),
                                 "out": stdout.decode(errors="replace").strip().splitlines()[-1:]})

    # What each engine indexed (from its last run, whose index is left in place).
    indexed = {}
    for engine in engines:
        last = runs[engine][-1]["out"]
        if engine == "sou":
            indexed[engine] = json.loads(last[0])["data"]["files"]
        elif engine.startswith("lucene"):
            indexed[engine] = json.loads(last[0])["docs"]
        else:
            n = subprocess.run(["sqlite3", os.path.join(out_root, engine, "fts5.db"), "SELECT count(*) FROM docs"],
                               capture_output=True, text=True, check=True).stdout
            indexed[engine] = int(n)
        if indexed[engine] != len(files):
            raise SystemExit(f"indexing.py: {engine} indexed {indexed[engine]} documents, not {len(files)}")

    fig = {"files": len(files), "text_bytes": text_bytes, "runs": args.runs, "cores": os.cpu_count(),
           "lucene_threads": args.lucene_threads, "engines": {}}
    for engine in engines:
        rs = runs[engine]
        fig["engines"][engine] = {k: statistics.median(x[k] for x in rs)
                                  for k in ("wall_s", "cpu_s", "rss_mib", "index_bytes")}
        fig["engines"][engine]["all_wall_s"] = [round(x["wall_s"], 2) for x in rs]
        fig["engines"][engine]["all_cpu_s"] = [round(x["cpu_s"], 2) for x in rs]
        if engine != "fts5-trigram":
            fig["engines"][engine]["by_extension"] = by_extension(os.path.join(out_root, engine))
    if "sou" in engines and os.path.exists(space_usage):
        fig["sou_by_field"] = by_field(space_usage, os.path.join(out_root, "sou"))
    print_table(fig)
    if args.json:
        print(json.dumps(fig, ensure_ascii=False))


def print_table(f):
    mb = f["text_bytes"] / 1e6
    e = f["engines"]
    peers = [name for name in e if name != "sou"]
    best = {k: min(peers, key=lambda n: e[n][k]) if peers else None
            for k in ("wall_s", "cpu_s", "rss_mib", "index_bytes")}

    def vs(name, k):
        b = best[k]
        return f"{e[name][k] / e[b][k]:.2f}×" if b else "–"

    print()
    print(f"{f['files']:,} files, {mb:.1f} MB of text; {f['cores']} cores; medians of {f['runs']} runs per "
          f"engine, interleaved; Lucene with {f['lucene_threads']} adding thread(s)")
    print()
    print("| engine | wall s | CPU s (user + sys) | cores busy | MB/s of text | peak RSS MiB | index MB | "
          "index / text | wall / best peer | CPU / best peer | size / best peer |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name, x in e.items():
        print(f"| {name} | {x['wall_s']:.1f} | {x['cpu_s']:.1f} | {x['cpu_s'] / x['wall_s']:.2f} | "
              f"{mb / x['wall_s']:.2f} | {x['rss_mib']:.0f} | {x['index_bytes'] / 1e6:.1f} | "
              f"{x['index_bytes'] / f['text_bytes']:.2f} | {vs(name, 'wall_s')} | {vs(name, 'cpu_s')} | "
              f"{vs(name, 'index_bytes')} |")
    if peers:
        print()
        print("Best peer: wall " + best["wall_s"] + ", CPU " + best["cpu_s"] + ", size " + best["index_bytes"] + ".")
    print()
    print("Every run (wall s / CPU s): " + "; ".join(
        f"{name} " + ", ".join(f"{w:.1f}/{c:.1f}" for w, c in zip(x["all_wall_s"], x["all_cpu_s"]))
        for name, x in e.items()))
    for name, legend in (("sou", SOU_EXT), ("lucene-icu", LUCENE_EXT), ("lucene-cjk", LUCENE_EXT)):
        if name not in e:
            continue
        sizes = e[name]["by_extension"]
        total = sum(sizes.values())
        print()
        print(f"{name} index by file extension (last run; {total / 1e6:.1f} MB):")
        print()
        print("| extension | holds | MB | share of index | × text |")
        print("|---|---|---:|---:|---:|")
        small = []
        for ext, n in sorted(sizes.items(), key=lambda kv: -kv[1]):
            if n < 10_000:  # locks, segment lists, metadata: a line for all of them
                small.append(ext)
                continue
            print(f"| `{ext}` | {legend.get(ext, '')} | {n / 1e6:.2f} | {n / total * 100:.1f}% | "
                  f"{n / f['text_bytes']:.3f} |")
        if small:
            n = sum(sizes[x] for x in small)
            print(f"| {len(small)} other files | {', '.join(f'`{x}`' for x in small)} | {n / 1e6:.2f} | "
                  f"{n / total * 100:.1f}% | {n / f['text_bytes']:.3f} |")
    fields = f.get("sou_by_field")
    if fields:
        parts = ["postings", "positions", "terms", "fieldnorms", "fast", "store"]
        print()
        print("sou index by field (MB; `bench/examples/space_usage.rs`, last run):")
        print()
        print("| field | " + " | ".join(parts) + " | all | × text |")
        print("|---|" + "---:|" * (len(parts) + 2))
        for name, p in sorted(fields.items(), key=lambda kv: -sum(kv[1].values())):
            n = sum(p.values())
            print(f"| {name} | " + " | ".join(f"{p[x] / 1e6:.2f}" if p.get(x) else "" for x in parts) +
                  f" | {n / 1e6:.2f} | {n / f['text_bytes']:.3f} |")


if __name__ == "__main__":
    main()
