"""Fails when a dependency needs a newer Rust than the rust-version that Cargo.toml declares.

Reads `cargo metadata --format-version 1` on stdin.
"""
import json
import sys


def version(s):
    parts = [int(x) for x in (s or "0").split(".")]
    return tuple(parts + [0] * (3 - len(parts)))


meta = json.load(sys.stdin)
ours = next(p for p in meta["packages"] if p["name"] == "sou")["rust_version"]
newer = [f"{p['name']} {p['version']} needs {p['rust_version']}" for p in meta["packages"]
         if version(p.get("rust_version")) > version(ours)]
if newer:
    sys.exit(f"ci: Cargo.toml says rust-version {ours}, but " + "; ".join(newer))
print(f"ci: rust-version {ours} covers every dependency", file=sys.stderr)
