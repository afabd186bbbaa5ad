"""A stand-in for `sou serve` while the page is developed: the same routes, the same JSON (it runs the sou
CLI with --json for each request), the same Content-Security-Policy. The browser tests run against the real
`sou serve`; this is for working on the page without it (`run.sh --mock`).

    python3 tests/browser/mock_server.py --sou target/release/sou --index IDX --corpus DIR [--port 0]
"""

import argparse
import json
import subprocess
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

WEB = Path(__file__).resolve().parents[2] / "web"
ASSETS = {
    "/": ("index.html", "text/html; charset=utf-8"),
    "/assets/app.js": ("app.js", "text/javascript; charset=utf-8"),
    "/assets/app.css": ("app.css", "text/css; charset=utf-8"),
}


def make_handler(args):
    base = [args.sou]
    where = ["--index", args.index, "--corpus", args.corpus]

    def filters(p):
        out = []
        for k in ("since", "until"):
            if p.get(k):
                out += [f"--{k}", p[k][0]]
        for s in p.get("source", []):
            out += ["--source", s]
        if p.get("plain", [""])[0] == "1":
            out.append("--plain")
        return out

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, fmt, *a):
            if args.verbose:
                sys.stderr.write("mock: " + fmt % a + "\n")

        def send(self, status, body, ctype):
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Content-Security-Policy", "default-src 'self'")
            self.send_header("X-Content-Type-Options", "nosniff")
            self.end_headers()
            self.wfile.write(body)

        def json(self, status, obj):
            self.send(status, json.dumps(obj, ensure_ascii=False).encode(), "application/json")

        def run(self, cmd):
            r = subprocess.run(base + [cmd[0]] + where + cmd[1:], capture_output=True, text=True)
            if r.returncode == 2:
                msg = r.stderr.strip().splitlines()[-1] if r.stderr.strip() else "error"
                return None, msg.removeprefix("sou: ")
            return r.stdout, None

        def do_GET(self):
            u = urlsplit(self.path)
            p = parse_qs(u.query)
            if u.path in ASSETS:
                name, ctype = ASSETS[u.path]
                return self.send(200, (WEB / name).read_bytes(), ctype)
            q = p.get("q", [""])[0]
            if u.path == "/api/search":
                if not q:
                    return self.json(400, {"error": "missing q"})
                cmd = ["search", "--json", "-n", p.get("n", ["10"])[0], "--sort", p.get("sort", ["relevance"])[0]]
                if p.get("per_article"):
                    cmd += ["--per-article", p["per_article"][0]]
                for flag in ("passages", "no_collapse"):
                    if p.get(flag, [""])[0] == "1":
                        cmd.append("--" + flag.replace("_", "-"))
                out, err = self.run(cmd + filters(p) + ["--", q])
                if err:
                    return self.json(400, {"error": err})
                hits, summary = [], {}
                for line in out.splitlines():
                    o = json.loads(line)
                    if o["type"] == "hit":
                        hits.append(o["data"])
                    elif o["type"] == "summary":
                        summary = o["data"]
                return self.json(200, {"hits": hits, "summary": summary})
            if u.path == "/api/article":
                cmd = ["show", "--json", "--", p.get("id", [""])[0]] + ([q] if q else [])
                out, err = self.run(cmd)
                if err:
                    return self.json(404 if "no article" in err else 400, {"error": err})
                return self.json(200, json.loads(out))
            if u.path == "/api/count":
                if not q:
                    return self.json(400, {"error": "missing q"})
                cmd = ["count", "--json"] + (["--by", p["by"][0]] if p.get("by") else []) + filters(p) + ["--", q]
                out, err = self.run(cmd)
                if err:
                    return self.json(400, {"error": err})
                return self.json(200, json.loads(out))
            return self.json(404, {"error": "not found"})

    return Handler


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sou", required=True)
    ap.add_argument("--index", required=True)
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args()
    srv = ThreadingHTTPServer(("127.0.0.1", args.port), make_handler(args))
    print(f"sou: serving http://127.0.0.1:{srv.server_address[1]}/", flush=True)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
