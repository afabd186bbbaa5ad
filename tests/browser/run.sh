#!/usr/bin/env bash
# The browser tests of the page of `sou serve`: build sou, make a small corpus (the bundled page plus a JSON
# Lines archive with dates, sources, a reprint and markup in its text), index it, start `sou serve` on a free
# port, run tests/browser/test_page.py in headless Chromium, stop the server. Screenshots go to
# target/screenshots/.
#
#   bash tests/browser/run.sh            # against `sou serve`
#   bash tests/browser/run.sh --mock     # against tests/browser/mock_server.py (the CLI behind the same API)
#   SOU_BIN=path/to/sou bash tests/browser/run.sh   # use that binary instead of building one
#
# Needs Debian's chromium, chromium-driver and fonts-noto-cjk, and python3 with selenium<4.52
# (.ci/run installs them).
set -euo pipefail
# Selenium Manager must never fetch a browser or a driver: the tests name Debian's.
export SE_OFFLINE=true
cd "$(dirname "$0")/../.."

mock=0
[ "${1:-}" = "--mock" ] && mock=1

if [ -z "${SOU_BIN:-}" ]; then
  cargo build --release --locked --quiet
  SOU_BIN="${CARGO_TARGET_DIR:-target}/release/sou"
fi

work=$(mktemp -d)
server=""
cleanup() {
  if [ -n "$server" ]; then
    kill "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

python3 tests/browser/corpus.py "$work/corpus"
"$SOU_BIN" index --corpus "$work/corpus" --index "$work/index" >/dev/null

if [ "$mock" = 1 ]; then
  python3 tests/browser/mock_server.py --sou "$SOU_BIN" --index "$work/index" --corpus "$work/corpus" \
    >"$work/server.out" 2>"$work/server.err" &
else
  "$SOU_BIN" serve --port 0 --index "$work/index" --corpus "$work/corpus" >"$work/server.out" 2>"$work/server.err" &
fi
server=$!

url=""
for _ in $(seq 1 100); do
  url=$(sed -n 's#^sou: serving \(http://[^ ]*\)$#\1#p' "$work/server.out" | head -1)
  [ -n "$url" ] && break
  if ! kill -0 "$server" 2>/dev/null; then
    echo "browser tests: the server stopped:" >&2
    cat "$work/server.err" >&2
    exit 1
  fi
  sleep 0.1
done
if [ -z "$url" ]; then
  echo "browser tests: the server printed no URL" >&2
  cat "$work/server.out" "$work/server.err" >&2
  exit 1
fi
echo "browser tests: server at $url" >&2

SOU_URL="$url" python3 -m unittest tests/browser/test_page.py -v
