#!/usr/bin/env python3
"""Reprints (issue 15): how well `sou index` groups near-duplicate articles, and what grouping costs.

Takes N items of the xwlb archive (../shared/corpora/xwlb/docs.jsonl, internal test data: everything is
written under target/reprints/, never into the repository), and makes edited copies of the first half:
one copy with all four edits (dateline swapped, about 10% of the sentences cut, digits made full-width,
converted to traditional script with OpenCC's s2t) and one with one of the four, chosen at random.
Indexes them with `sou index`, reads the groups sou wrote (sou-reprints.jsonl in the index), and scores
them pairwise against the truth:

- true pairs: an original and its copies (and the copies among themselves), and any two originals whose
  bodies' character 5-shingle sets (datelines left out, word characters only, folded as sou folds them)
  have a Jaccard similarity of at least 0.8; then closed transitively, since groups are a partition;
- precision: the share of pairs sou put in one group that are true; recall: the share of true pairs sou put
  in one group.

It also indexes the same records laid out in other files, in another order, and checks that the groups
are the same; and times `sou index` on the sample and on the whole archive with and without reprint
detection (SOU_NO_REPRINTS=1), alternating, medians.

    pip install opencc     # OpenCC's simplified-to-traditional conversion
    python3 bench/reprints.py [--n 4000] [--runs 3] [--seed 1] [--no-full]
"""

import argparse
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import time
import unicodedata

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DOCS = os.path.join(REPO, "..", "shared", "corpora", "xwlb", "docs.jsonl")

DATELINES = [
    "新华社北京{m}月{d}日电（记者 张晓明）",
    "据新华社电 ",
    "本报北京{m}月{d}日电（记者 李华）",
    "中新网{m}月{d}日电 ",
    "新华社北京{m}月{d}日电 ",
]
LEADING = re.compile(r"^\s*(央视网消息（新闻联播）：|新华社[^电]{0,12}电(（[^）]{0,30}）)?\s*|据新华社电\s*|本报[^电]{0,12}电(（[^）]{0,30}）)?|中新网[^电]{0,12}电\s*)")
FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def word_chars(text, t2s=None):
    """Folded word characters, as sou's shingles see them (NFKC covers full-width digits and letters)."""
    text = unicodedata.normalize("NFKC", text).lower()
    if t2s is not None:
        text = t2s(text)
    return [c for c in text if c.isalnum()]


def shingles(text):
    cs = word_chars(LEADING.sub("", text, count=1))
    return {"".join(cs[i:i + 5]) for i in range(len(cs) - 4)}


def cut_sentences(body, rng, share=0.1):
    """Cuts whole sentences, chosen at random, of about `share` of the characters (8 to 12%); where no
    sentence is that short, a run of `share` of the characters at a random sentence end."""
    parts = [p for p in re.split(r"(?<=[。！？])", body) if p]
    total = len(body)
    order = list(range(1, len(parts)))
    rng.shuffle(order)
    drop, cut = set(), 0
    for i in order:
        if cut + len(parts[i]) <= 0.12 * total:
            drop.add(i)
            cut += len(parts[i])
        if cut >= 0.08 * total:
            return "".join(p for i, p in enumerate(parts) if i not in drop)
    n = max(1, round(share * total))
    ends = [m.end() for m in re.finditer(r"[。！？]", body)] or [0]
    at = min(rng.choice(ends), total - n)
    return body[:at] + body[at + n:]


def swap_dateline(body, rng, date):
    m, d = (int(x) for x in date.split("-")[1:]) if date else (1, 1)
    rest = LEADING.sub("", body, count=1)
    return rng.choice(DATELINES).format(m=m, d=d) + rest


def edit(rec, kinds, rng, s2t):
    body = rec["body"]
    if "cut" in kinds:
        body = cut_sentences(body, rng)
    if "dateline" in kinds:
        body = swap_dateline(body, rng, rec.get("date"))
    if "digits" in kinds:
        body = body.translate(FULLWIDTH)
    if "traditional" in kinds:
        body = s2t(body)
    return body


def true_groups(originals, families):
    """Components of: families, and pairs of originals with shingle Jaccard >= 0.8 (prefix filtering)."""
    sets = {r["id"]: shingles(r["body"]) for r in originals}
    freq = {}
    for s in sets.values():
        for g in s:
            freq[g] = freq.get(g, 0) + 1
    postings = {}
    pairs = []
    for rid, s in sets.items():
        if not s:
            continue
        order = sorted(s, key=lambda g: (freq[g], g))
        prefix = order[: len(s) - int(0.8 * len(s) + 1e-9) + 1]
        cands = set()
        for g in prefix:
            cands.update(postings.get(g, ()))
        for other in cands:
            o = sets[other]
            j = len(s & o) / len(s | o)
            if j >= 0.8:
                pairs.append((rid, other, j))
        for g in prefix:
            postings.setdefault(g, []).append(rid)
    parent = {}

    def find(x):
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(a, b):
        a, b = find(a), find(b)
        if a != b:
            parent[max(a, b)] = min(a, b)

    for fam in families:
        for m in fam[1:]:
            union(fam[0], m)
    for a, b, _ in pairs:
        union(a, b)
    comps = {}
    for x in list(parent):
        comps.setdefault(find(x), set()).add(x)
    return [c for c in comps.values() if len(c) > 1], pairs


def pair_set(groups):
    out = set()
    for g in groups:
        g = sorted(g)
        for i in range(len(g)):
            for j in range(i + 1, len(g)):
                out.add((g[i], g[j]))
    return out


def write_corpus(root, records, files, rng):
    if os.path.exists(root):
        shutil.rmtree(root)
    os.makedirs(root)
    recs = list(records)
    rng.shuffle(recs)
    names = [f"part-{i:02d}.jsonl" for i in range(files)]
    rng.shuffle(names)
    handles = [open(os.path.join(root, n), "w", encoding="utf-8") for n in names]
    where = {}
    for i, r in enumerate(recs):
        k = i % files
        handles[k].write(json.dumps(r, ensure_ascii=False) + "\n")
        where[r["id"]] = names[k]
    for h in handles:
        h.close()
    return where


def index(sou, corpus, idx, reprints=True):
    if os.path.exists(idx):
        shutil.rmtree(idx)
    env = dict(os.environ)
    if reprints:
        env.pop("SOU_NO_REPRINTS", None)
    else:
        env["SOU_NO_REPRINTS"] = "1"
    import resource
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    subprocess.run([sou, "index", "--corpus", corpus, "--index", idx], check=True, env=env,
                   stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def read_groups(idx):
    """sou's groups, as sets of record ids (article keys are path NUL id)."""
    with open(os.path.join(idx, "sou-reprints.jsonl"), encoding="utf-8") as f:
        f.readline()
        return [{k.split("\0", 1)[-1] for k in json.loads(line)} for line in f]


def timing(sou, corpus, idx, runs):
    """Wall and CPU (user + system) seconds of `sou index` with and without reprints, alternating: medians
    and each run."""
    runs_with, runs_without = [], []
    for _ in range(runs):
        runs_without.append(index(sou, corpus, idx, reprints=False))
        runs_with.append(index(sou, corpus, idx, reprints=True))
    med = lambda xs, k: round(statistics.median(x[k] for x in xs), 3)
    return {
        "wall_with": med(runs_with, 0), "wall_without": med(runs_without, 0),
        "wall_ratio": round(med(runs_with, 0) / med(runs_without, 0), 3),
        "cpu_with": med(runs_with, 1), "cpu_without": med(runs_without, 1),
        "cpu_ratio": round(med(runs_with, 1) / med(runs_without, 1), 3),
        "runs_with": [[round(w, 2), round(c, 2)] for w, c in runs_with],
        "runs_without": [[round(w, 2), round(c, 2)] for w, c in runs_without],
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=4000, help="xwlb items to take (the first N of the archive)")
    ap.add_argument("--runs", type=int, default=3, help="timed index runs of each kind")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--no-full", action="store_true", help="don't time indexing the whole archive")
    ap.add_argument("--work", default=os.path.join(REPO, "target", "reprints"))
    ap.add_argument("--bin", help="the sou binary (default: build it with cargo, release)")
    args = ap.parse_args()
    if not os.path.exists(DOCS):
        sys.exit(f"reprints.py: {DOCS} is missing (the xwlb archive of ../shared)")
    try:
        import opencc
    except ImportError:
        sys.exit("reprints.py: needs OpenCC for the traditional-script copies: pip install opencc")
    s2t = opencc.OpenCC("s2t").convert
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(REPO, "target"))
    sou = args.bin or os.path.join(target, "release", "sou")
    if not args.bin:
        subprocess.run(["cargo", "build", "--release", "--quiet", "--bin", "sou"], cwd=REPO, check=True)

    rng = random.Random(args.seed)
    originals = []
    with open(DOCS, encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            if r.get("body", "").strip():
                originals.append({k: r.get(k) for k in ("id", "title", "date", "body")})
            if len(originals) >= args.n:
                break
    kinds = ["dateline", "cut", "digits", "traditional"]
    copies, families, copy_kind = [], [], {}
    for r in originals[: len(originals) // 2]:
        fam = [r["id"]]
        one = rng.choice(kinds)
        for tag, ks in (("all", kinds), (one, [one])):
            c = dict(r, id=f'{r["id"]}~{tag}', body=edit(r, ks, rng, s2t))
            copies.append(c)
            fam.append(c["id"])
            copy_kind[c["id"]] = tag
        families.append(fam)
    records = originals + copies

    truth, orig_pairs = true_groups(originals, families)
    truth_pairs = pair_set(truth)
    os.makedirs(args.work, exist_ok=True)
    corpus_a = os.path.join(args.work, "corpus-a")
    corpus_b = os.path.join(args.work, "corpus-b")
    idx_a = os.path.join(args.work, "index-a")
    idx_b = os.path.join(args.work, "index-b")
    write_corpus(corpus_a, records, 8, random.Random(args.seed + 1))
    write_corpus(corpus_b, records, 5, random.Random(args.seed + 2))
    index(sou, corpus_a, idx_a)
    index(sou, corpus_b, idx_b)
    groups_a, groups_b = read_groups(idx_a), read_groups(idx_b)
    same_order = sorted(map(sorted, groups_a)) == sorted(map(sorted, groups_b))
    got = pair_set(groups_a)
    tp = len(got & truth_pairs)
    precision = tp / len(got) if got else 1.0
    recall = tp / len(truth_pairs) if truth_pairs else 1.0

    # Recall of each kind of copy: the pair (original, copy).
    by_kind = {}
    for fam in families:
        for c in fam[1:]:
            k = copy_kind[c]
            hit = tuple(sorted((fam[0], c))) in got
            a, b = by_kind.get(k, (0, 0))
            by_kind[k] = (a + hit, b + 1)
    # Exact similarity of each original and its copies (OpenCC's t2s standing in for sou's character
    # table), and of the copies sou missed.
    t2s = opencc.OpenCC("t2s").convert
    body_of = {r["id"]: r["body"] for r in records}

    def sims(ids):
        out = []
        for o, c in ids:
            a = shingles(t2s(body_of[o]))
            b = shingles(t2s(body_of[c]))
            out.append(len(a & b) / len(a | b) if a | b else 1.0)
        return out

    fam_pairs = [(f[0], c) for f in families for c in f[1:]]
    missed = [p for p in fam_pairs if tuple(sorted(p)) not in got]
    missed_kinds = {}
    for _, c in missed:
        missed_kinds.setdefault(copy_kind[c], []).append(c)
    all_sims = sims(fam_pairs)
    missed_sims = sims(missed)
    false_pairs = sorted(got - truth_pairs)[:10]

    sample_timing = timing(sou, corpus_a, idx_a, args.runs)
    report = {
        "items": len(originals),
        "copies": len(copies),
        "records": len(records),
        "true_groups": len(truth),
        "true_pairs": len(truth_pairs),
        "original_pairs_at_0.8": len(orig_pairs),
        "sou_groups": len(groups_a),
        "sou_pairs": len(got),
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "recall_by_copy": {k: f"{a}/{b}" for k, (a, b) in sorted(by_kind.items())},
        "copy_similarity": {"min": round(min(all_sims), 3), "median": round(statistics.median(all_sims), 3),
                            "below_0.8": sum(x < 0.8 for x in all_sims)},
        "missed_copy_similarities": sorted(round(x, 3) for x in missed_sims)[:40],
        "missed_single_edit_copies": {k: v[:5] for k, v in missed_kinds.items() if k != "all"},
        "same_groups_in_other_order": same_order,
        "false_pairs_sample": false_pairs,
        "sample_index_s": sample_timing,
    }
    if not args.no_full:
        full = os.path.join(args.work, "corpus-full")
        if not os.path.exists(os.path.join(full, "docs.jsonl")):
            os.makedirs(full, exist_ok=True)
            os.symlink(os.path.abspath(DOCS), os.path.join(full, "docs.jsonl"))
        idx_full = os.path.join(args.work, "index-full")
        report["full_index_s"] = timing(sou, full, idx_full, args.runs)
        report["full_groups"] = len(read_groups(idx_full))
        report["full_articles_in_groups"] = sum(len(g) for g in read_groups(idx_full))
    print(json.dumps(report, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
