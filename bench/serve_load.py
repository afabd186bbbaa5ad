#!/usr/bin/env python3
"""Load test of `sou serve` on the xwlb archive while `sou index` updates it (issue 16).

Copies ../shared/corpora/xwlb/docs.jsonl into a corpus under `$CARGO_TARGET_DIR/serve-load/`, all but its last
`--held` records (indexed once and kept as a base copy; later runs restore it in a second), starts
`sou serve --port 0` on it, and runs `--clients` concurrent clients for `--seconds` (60; `--short`: 10), each on
its own keep-alive connection, sending `GET /api/search?q=…&n=10` with the keyword queries of
../shared/eval/xwlb-keywords-dev.jsonl in turn, the next as soon as the last is answered. Meanwhile an updater
appends the held-back records to the archive copy in `--rounds` batches, running `sou index` after each
(`sou index` uses its default threads), and times how long the server takes to show the batch's last record
(`/api/article?id=…` answering 200).

Reports throughput, latency percentiles (p50, p90, p99, max; over all requests, and over those sent while an
`sou index` ran), errors (a status other than 200, an answer that is not the JSON of a search, a connection
error or timeout) and lost requests (sent but never answered), then stops the server with SIGTERM and checks
that it exits with status 0. Exits with status 1 if any request failed or was lost, or the server did not
stop cleanly. The binary is `$CARGO_TARGET_DIR/release/sou` (default `target/`), built first unless
`--no-build`.

Usage: python3 bench/serve_load.py [--short] [--seconds S] [--clients N] [--rounds R] [--no-build] [--json]
"""

import argparse
import http.client
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("SHARED", ROOT.parent / "shared"))
ARCHIVE = SHARED / "corpora" / "xwlb" / "docs.jsonl"
QUERIES = SHARED / "eval" / "xwlb-keywords-dev.jsonl"
TARGET = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
SOU = TARGET / "release" / "sou"
WORK = TARGET / "serve-load"


def run_index(corpus: Path, idx: Path) -> dict:
    out = subprocess.run(
        [str(SOU), "index", "--json", "--corpus", str(corpus), "--index", str(idx)],
        capture_output=True,
        text=True,
    )
    if out.returncode != 0:
        sys.exit(f"serve_load.py: sou index failed ({out.returncode}): {out.stderr.strip()}")
    return json.loads(out.stdout)["data"]


def prepare(held: int) -> tuple[Path, Path, list[str]]:
    """The corpus (all but the last `held` records) and its index, restored from the base copy; returns them
    and the held-back lines."""
    lines = ARCHIVE.read_bytes().decode("utf-8").splitlines(keepends=True)
    base_lines, rest = lines[:-held], lines[-held:]
    corpus, idx = WORK / "corpus", WORK / "index"
    base_docs, base_index = WORK / "base-docs.jsonl", WORK / "base-index"
    stamp = WORK / "base-stamp"
    want = f"{ARCHIVE.stat().st_size} {held}"
    fresh = not (base_index.is_dir() and base_docs.is_file() and stamp.is_file()
                 and stamp.read_text() == want)
    if fresh:
        shutil.rmtree(WORK, ignore_errors=True)
        corpus.mkdir(parents=True)
        (corpus / "docs.jsonl").write_text("".join(base_lines), encoding="utf-8")
        print(f"indexing {len(base_lines)} records (once; kept in {base_index})", file=sys.stderr)
        run_index(corpus, idx)
        shutil.copytree(idx, base_index)
        shutil.copy2(corpus / "docs.jsonl", base_docs)
        stamp.write_text(want)
    else:
        shutil.rmtree(idx, ignore_errors=True)
        shutil.copytree(base_index, idx)
        shutil.copy2(base_docs, corpus / "docs.jsonl")
        run_index(corpus, idx)  # nothing to do, unless this sou writes another index format
    return corpus, idx, rest


def percentile(xs: list[float], p: float) -> float:
    if not xs:
        return float("nan")
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


class Stats:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.sent = 0
        self.answered = 0
        self.latencies: list[tuple[float, float]] = []  # (start, seconds)
        self.errors: dict[str, int] = {}
        self.examples: list[str] = []

    def error(self, kind: str, detail: str) -> None:
        with self.lock:
            self.errors[kind] = self.errors.get(kind, 0) + 1
            if len(self.examples) < 5:
                self.examples.append(f"{kind}: {detail[:200]}")


def client(port: int, queries: list[str], offset: int, deadline: float, stats: Stats) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    i = offset
    while time.perf_counter() < deadline:
        q = queries[i % len(queries)]
        i += 1
        path = "/api/search?" + urllib.parse.urlencode({"q": q, "n": "10"})
        with stats.lock:
            stats.sent += 1
        t = time.perf_counter()
        try:
            conn.request("GET", path)
            resp = conn.getresponse()
            body = resp.read()
        except Exception as e:  # a connection error or a timeout: the request is lost
            stats.error("connection", repr(e))
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            continue
        took = time.perf_counter() - t
        with stats.lock:
            stats.answered += 1
            stats.latencies.append((t, took))
        if resp.status != 200:
            stats.error(f"status {resp.status}", body.decode("utf-8", "replace"))
            continue
        try:
            v = json.loads(body)
            assert isinstance(v["hits"], list) and v["summary"]["query"] == q
        except Exception as e:
            stats.error("bad answer", f"{e!r}: {body[:200]!r}")
    conn.close()


def updater(corpus: Path, idx: Path, port: int, held: list[str], rounds: int, start: float,
            deadline: float, windows: list, pickups: list) -> None:
    """Appends the held-back records in `rounds` batches, spread over the run, `sou index` after each."""
    batches = [held[i::rounds] for i in range(rounds)]
    span = deadline - start
    for k, batch in enumerate(batches):
        at = start + span * 0.85 * (k + 1) / (rounds + 1)
        time.sleep(max(0.0, at - time.perf_counter()))
        if time.perf_counter() > deadline - 2:
            break
        with (corpus / "docs.jsonl").open("a", encoding="utf-8") as f:
            f.write("".join(batch))
        last_id = json.loads(batch[-1])["id"]
        t0 = time.perf_counter()
        data = run_index(corpus, idx)
        t1 = time.perf_counter()
        windows.append((t0, t1))
        # How long until the server shows the batch's last record.
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        seen = None
        while time.perf_counter() < t1 + 30:
            conn.request("GET", "/api/article?" + urllib.parse.urlencode({"id": last_id}))
            resp = conn.getresponse()
            resp.read()
            if resp.status == 200:
                seen = time.perf_counter()
                break
            time.sleep(0.05)
        conn.close()
        pickups.append({
            "records": len(batch),
            "records_appended": data.get("records_appended"),
            "index_s": t1 - t0,
            "visible_after_index_s": None if seen is None else seen - t1,
        })


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=60.0, help="length of the run (default 60)")
    ap.add_argument("--short", action="store_true", help="a 10 s run (for CI)")
    ap.add_argument("--clients", type=int, default=8, help="concurrent clients (default 8)")
    ap.add_argument("--rounds", type=int, default=3, help="`sou index` updates during the run (default 3)")
    ap.add_argument("--held", type=int, default=300, help="records held back and appended (default 300)")
    ap.add_argument("--no-build", action="store_true", help="use the release binary as it is")
    ap.add_argument("--json", action="store_true", help="print the report as one JSON object")
    a = ap.parse_args()
    seconds = 10.0 if a.short else a.seconds
    if not ARCHIVE.is_file() or not QUERIES.is_file():
        sys.exit(f"serve_load.py: {ARCHIVE} or {QUERIES} not found (../shared must sit beside the repository)")
    if not a.no_build:
        subprocess.run(["cargo", "build", "--release", "--locked", "--quiet"], cwd=ROOT, check=True)
    queries = [json.loads(l)["query"] for l in QUERIES.read_text(encoding="utf-8").splitlines() if l.strip()]
    corpus, idx, held = prepare(a.held)

    server = subprocess.Popen(
        [str(SOU), "serve", "--index", str(idx), "--corpus", str(corpus), "--port", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        line = server.stdout.readline()
        if not line.startswith("sou: serving "):
            sys.exit(f"serve_load.py: sou serve did not start: {line!r} {server.stderr.read()}")
        port = int(line.strip().rstrip("/").rsplit(":", 1)[1])
        # Warm up: the first search of each kind reads the index's files.
        warm = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        for q in queries[:20]:
            warm.request("GET", "/api/search?" + urllib.parse.urlencode({"q": q, "n": "10"}))
            warm.getresponse().read()
        warm.close()

        stats = Stats()
        start = time.perf_counter()
        deadline = start + seconds
        windows: list = []
        pickups: list = []
        threads = [threading.Thread(target=client, args=(port, queries, k * len(queries) // a.clients,
                                                          deadline, stats)) for k in range(a.clients)]
        up = threading.Thread(target=updater, args=(corpus, idx, port, held, a.rounds, start, deadline,
                                                    windows, pickups))
        for t in threads:
            t.start()
        up.start()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - start
        up.join()
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            code = server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            code = None
        stderr = server.stderr.read()

    lat = [s for _, s in stats.latencies]
    during = [s for t, s in stats.latencies if any(a0 <= t <= a1 for a0, a1 in windows)]
    ms = lambda xs, p: round(percentile(xs, p) * 1000, 1)
    report = {
        "seconds": round(elapsed, 1),
        "clients": a.clients,
        "requests_sent": stats.sent,
        "requests_answered": stats.answered,
        "lost": stats.sent - stats.answered,
        "errors": sum(stats.errors.values()),
        "error_kinds": stats.errors,
        "throughput_rps": round(stats.answered / elapsed, 1),
        "latency_ms": {"p50": ms(lat, 50), "p90": ms(lat, 90), "p99": ms(lat, 99), "max": ms(lat, 100)},
        "during_index": {
            "requests": len(during),
            "latency_ms": {"p50": ms(during, 50), "p99": ms(during, 99), "max": ms(during, 100)},
        },
        "updates": pickups,
        "server_exit": code,
    }
    if a.json:
        print(json.dumps(report, ensure_ascii=False))
    else:
        r = report
        print(f"{r['clients']} clients for {r['seconds']} s: {r['requests_answered']} of {r['requests_sent']} "
              f"requests answered ({r['lost']} lost), {r['errors']} errors, {r['throughput_rps']} requests/s")
        l = r["latency_ms"]
        print(f"latency: p50 {l['p50']} ms, p90 {l['p90']} ms, p99 {l['p99']} ms, max {l['max']} ms")
        d = r["during_index"]
        print(f"while `sou index` ran ({d['requests']} requests): p50 {d['latency_ms']['p50']} ms, "
              f"p99 {d['latency_ms']['p99']} ms, max {d['latency_ms']['max']} ms")
        for u in pickups:
            seen = u["visible_after_index_s"]
            seen = "never (30 s)" if seen is None else f"{seen:.2f} s after"
            print(f"update: {u['records']} records appended, indexed in {u['index_s']:.2f} s, served {seen}")
        print(f"server stopped with status {code}")
        for e in stats.examples:
            print(f"  {e}")
    if stderr.strip():
        print(f"server stderr: {stderr.strip()}", file=sys.stderr)
    ok = report["errors"] == 0 and report["lost"] == 0 and code == 0 and all(
        u["visible_after_index_s"] is not None for u in pickups)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
