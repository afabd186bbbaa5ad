#!/usr/bin/env bash
# Does this working tree give exactly the results of revision REV? For a change that must not change
# behaviour (a refactoring). Builds REV in a temporary worktree and this tree, then compares
#   1. the top 10 passages (ids, paths, ordinals, scores) of every query of the four ../shared/eval dev-set
#      samples (bench/eval.py --runs-out, each binary indexing its own copy of the corpora), and
#   2. the JSON output (`--json`, elapsed_ms masked) and exit status of every `sou search` example of
#      README.md that is not an error example (`? 2`), on the bundled corpus.
# Prints the two verdicts and exits 1 if anything differs. Takes about 10 minutes on 2 cores.
# Usage: bash bench/same_results.sh REV
set -euo pipefail
cd "$(dirname "$0")/.."
rev=${1:?usage: bash bench/same_results.sh REV}
work=$(mktemp -d)
trap 'git worktree remove --force "$work/base" 2>/dev/null || true; rm -rf "$work"' EXIT
git worktree add -q --detach "$work/base" "$rev"
echo "same_results: building $rev and this tree (release)" >&2
(cd "$work/base" && CARGO_TARGET_DIR="$work/base-target" cargo build --release --locked -q --bin sou)
cargo build --release --locked -q --bin sou
base="$work/base-target/release/sou"
head="${CARGO_TARGET_DIR:-$PWD/target}/release/sou"

status=0
python3 bench/eval.py --sou "$base" --work "$work/eval-base" --runs-out "$work/base.runs" >"$work/base.eval" 2>&1
python3 bench/eval.py --sou "$head" --work "$work/eval-head" --runs-out "$work/head.runs" >"$work/head.eval" 2>&1
if cmp -s "$work/base.runs" "$work/head.runs"; then
  echo "eval: the top 10 of all $(wc -l <"$work/head.runs") dev-set queries are identical"
else
  python3 - "$work/base.runs" "$work/head.runs" <<'PY'
import json, sys
base = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
head = [json.loads(l) for l in open(sys.argv[2], encoding="utf-8")]
diff = [(b, h) for b, h in zip(base, head) if b != h]
order = [(b, h) for b, h in diff if [t[:3] for t in b["top"]] != [t[:3] for t in h["top"]]]
print(f"eval: {len(diff)} of {len(head)} queries differ ({len(order)} in their top-10 passages, the rest in scores only)")
for b, h in (order or diff)[:3]:
    print(" ", b["set"], b["qid"], "\n    base:", b["top"][:3], "\n    head:", h["top"][:3])
PY
  cp "$work/base.runs" "$work/head.runs" target/ 2>/dev/null && echo "(kept target/base.runs and target/head.runs)"
  status=1
fi

# The README's search examples, as JSON, on a copy of the bundled corpus indexed by each binary.
readme_json() {
  local sou=$1 dir=$2
  mkdir -p "$dir" && cp -r corpus "$dir/" && (cd "$dir" && "$sou" index >/dev/null 2>&1)
  python3 - "$sou" "$dir" <<'PY'
import json, re, shlex, subprocess, sys
sou, cwd = sys.argv[1], sys.argv[2]
lines = open("README.md", encoding="utf-8").read().splitlines() + [""]
for line, after in zip(lines, lines[1:]):
    # The examples of errors (`? 2`) show messages, not results.
    if not line.startswith("$ sou search") or after.strip() == "? 2":
        continue
    args = shlex.split(line[2:])[1:]
    if "--json" not in args:
        args.append("--json")
    r = subprocess.run([sou] + args, cwd=cwd, capture_output=True, text=True)
    print("$", shlex.join(args), "->", r.returncode)
    for out in r.stdout.splitlines():
        m = json.loads(out)
        # (Lines without data, such as a notice, are compared whole.)
        if isinstance(m.get("data"), dict):
            m["data"].pop("elapsed_ms", None)
        print(json.dumps(m, ensure_ascii=False, sort_keys=True))
PY
}
readme_json "$base" "$work/readme-base" >"$work/base.readme"
readme_json "$head" "$work/readme-head" >"$work/head.readme"
if cmp -s "$work/base.readme" "$work/head.readme"; then
  echo "readme: the JSON of all $(grep -c '^\$' "$work/head.readme") README search examples is identical"
else
  echo "readme: JSON differs:"; diff "$work/base.readme" "$work/head.readme" | head -20
  status=1
fi
exit $status
