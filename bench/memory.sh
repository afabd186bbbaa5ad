#!/usr/bin/env bash
# Peak memory (and time) of `sou index` on
#   1. the 64.5 MB JSON Lines archive ../shared/corpora/xwlb/docs.jsonl (read as a stream), and
#   2. a 200 MB text file of one line without punctuation (one sentence repeated; made here).
# Needs GNU time (/usr/bin/time, Debian package `time`). Usage: bash bench/memory.sh
set -euo pipefail
cd "$(dirname "$0")/.."
shared=${SHARED:-../shared}
if [ ! -f "$shared/corpora/xwlb/docs.jsonl" ]; then
  echo "memory.sh: $shared/corpora/xwlb/docs.jsonl not found (../shared must sit beside the repository)" >&2
  exit 2
fi
command -v /usr/bin/time >/dev/null || { echo "memory.sh: needs GNU time: apt-get install time" >&2; exit 2; }
cargo build --release --locked -q
work=target/memory
rm -rf "$work"
mkdir -p "$work/archive" "$work/oneline"
ln -s "$(realpath "$shared/corpora/xwlb/docs.jsonl")" "$work/archive/docs.jsonl"
python3 - "$work/oneline/one-line.txt" <<'PY'
import sys
s = "青岛市工业技术研究院持续完善创新生态链条构建优质企业梯度培育体系带来的新成果"
with open(sys.argv[1], "w", encoding="utf-8") as f:
    n = 0
    while n < 200_000_000:
        f.write(s)
        n += len(s.encode())
PY
for c in archive oneline; do
  /usr/bin/time -f "$c: %e s wall, peak RSS %M KB" \
    target/release/sou index --corpus "$work/$c" --index "$work/$c.index"
done
