#!/usr/bin/env bash
# The speed benchmark (issue 4): installs ripgrep and sqlite3 from Debian if they are missing, builds sou in
# release mode, and runs bench/run.py, which prints one table of sou vs rg and vs SQLite FTS5 (trigram),
# all measured in this run. Needs ../shared beside the repository. Takes about 5 minutes on 2 cores.
# Usage: bash bench/run.sh [--runs N] [--no-scaling] [--json]
set -euo pipefail
cd "$(dirname "$0")/.."
missing=()
command -v rg >/dev/null || missing+=(ripgrep)
command -v sqlite3 >/dev/null || missing+=(sqlite3)
if [ ${#missing[@]} -gt 0 ]; then
  echo "run.sh: installing ${missing[*]}" >&2
  if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi
  $sudo apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >&2
fi
cargo build --release --locked -q --bin sou --example jieba_ceiling
exec python3 bench/run.py --no-build "$@"
