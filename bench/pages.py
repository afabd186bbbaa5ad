#!/usr/bin/env python3
"""Newspaper pages (issue 14): sou's page layout on synthetic pages built from same-day xwlb items.

Builds pages, writes each page and its truth into a work dir, runs `bench/examples/page_layout.rs` on them and
scores the layout against the truth. Prints one Markdown table, a row per half of the pages:

  - titles: articles whose headline sou finds as an article title (exact character range);
  - paragraphs: pieces (paragraphs of the file) that sou puts in their own article (a predicted article is its
    truth article if their titles match, else the truth article most of its pieces come from);
  - join precision and recall: a join is two consecutive pieces of one block (sou) or of one paragraph (truth).

How a page is built (seeded: page i of a run uses random.Random(f"{seed}:{i}")):
  - a date, then 3 to 5 of that day's items (category `item`; not `(无标题)`, not the `联播快讯` round-ups, whose
    paragraphs are unrelated news; bodies of 150 to 2,500 characters; paragraphs with a letter, digit or Han);
  - each item is a headline line followed by its body paragraphs (the first starts `央视网消息（新闻联播）：`, which
    sou may read as a dateline);
  - the item is poured into columns of 180 to 600 characters (drawn per column); a column end that falls inside
    a paragraph cuts it there, moved back to the nearest place that is not a sentence end (so the cut is
    mid-sentence), at least 2 characters from either end of the paragraph; each piece is a paragraph of its own;
  - the columns (segments) of all the page's items are merged in a random order that keeps each item's own
    columns in order, so a fragment's continuation comes later, often after other articles' blocks;
  - pieces are separated by blank lines.
The pages are split in two halves by date (the day number since 1970 even: `tune`, odd: `test`): the layout's
rules and weights were tuned on `tune` only.

xwlb is internal test data: pages and truths are written under target/ (git-ignored), never into the repository.

Usage: python3 bench/pages.py [--shared DIR] [--work DIR] [--pages N] [--seed S] [--bin PATH] [--no-build]
                              [--half tune|test|both] [--show N]
"""

import argparse
import datetime
import json
import os
import random
import subprocess
import sys
from collections import defaultdict

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SENTENCE_ENDS = set("。！？；!?;…")
CLOSERS = set("”’」』）)】》\"'")


def load_items(shared):
    """Eligible xwlb items grouped by date: {date: [(title, [paragraph, ...]), ...]}."""
    path = os.path.join(shared, "corpora", "xwlb", "docs.jsonl")
    if not os.path.exists(path):
        sys.exit(f"pages.py: {path} is missing (the test data lives in ../shared beside the repository)")
    by_date = defaultdict(list)
    with open(path, encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            if d["category"] != "item" or d["title"] in ("", "(无标题)") or "联播快讯" in d["title"]:
                continue
            body = d["body"]
            if not 150 <= len(body) <= 2500 or body.startswith(("(无正文)", "---")):
                continue
            paras = [p.strip() for p in body.split("\n\n")]
            paras = [p for p in paras if any(c.isalnum() for c in p)]
            title = " ".join(d["title"].split())
            if paras and "\n" not in title:
                by_date[d["date"]].append((title, paras))
    return by_date


def half_of(date):
    day = (datetime.date.fromisoformat(date) - datetime.date(1970, 1, 1)).days
    return "tune" if day % 2 == 0 else "test"


def mid_sentence_cut(text, pos):
    """The nearest place at or before `pos` (else after) that is not just after a sentence end, at least 2
    characters from either end of `text`; None if there is none."""
    def ok(p):
        if not 2 <= p <= len(text) - 2:
            return False
        j = p - 1
        while j >= 0 and text[j] in CLOSERS:
            j -= 1
        return j < 0 or text[j] not in SENTENCE_ENDS
    for p in list(range(min(pos, len(text) - 2), 1, -1)) + list(range(pos + 1, len(text) - 1)):
        if ok(p):
            return p
    return None


def columns(rng, title, paras):
    """The item as segments (columns): lists of (kind, text, paragraph number); kind is `title` or `piece`."""
    segments, seg = [], [("title", title, -1)]
    room = rng.randint(180, 600)
    for n, p in enumerate(paras):
        rest = p
        while True:
            if len(rest) < room:
                seg.append(("piece", rest, n))
                room -= len(rest)
                break
            cut = mid_sentence_cut(rest, room)
            if cut is None:
                seg.append(("piece", rest, n))
                room = 0
                break
            seg.append(("piece", rest[:cut], n))
            segments.append(seg)
            seg, rest = [], rest[cut:]
            room = rng.randint(180, 600)
        if room <= 0 and n + 1 < len(paras):
            segments.append(seg)
            seg, room = [], rng.randint(180, 600)
    if seg:
        segments.append(seg)
    return segments


def build_page(rng, items):
    """(text, truth) of one page made of `items` [(title, paragraphs)]."""
    per_item = [columns(rng, t, ps) for t, ps in items]
    order = [a for a, segs in enumerate(per_item) for _ in segs]
    rng.shuffle(order)
    next_seg = [0] * len(items)
    out, offset = [], 0
    truth = [{"title": None, "paragraphs": defaultdict(list)} for _ in items]
    for a in order:
        seg = per_item[a][next_seg[a]]
        next_seg[a] += 1
        for kind, text, n in seg:
            r = [offset, offset + len(text)]
            if kind == "title":
                truth[a]["title"] = r
            else:
                truth[a]["paragraphs"][n].append(r)
            out.append(text)
            offset += len(text) + 2  # the blank line
    text = "\n\n".join(out) + "\n"
    arts = [{"title": t["title"], "paragraphs": [t["paragraphs"][n] for n in sorted(t["paragraphs"])]}
            for t in truth]
    joins = [[p[i], p[i + 1]] for a in arts for p in a["paragraphs"] for i in range(len(p) - 1)]
    return text, {"articles": arts, "joins": joins}


def make_pages(by_date, n_pages, seed, work):
    dates = sorted(d for d, its in by_date.items() if len(its) >= 5)
    pages = []
    for i in range(n_pages):
        rng = random.Random(f"{seed}:{i}")
        date = rng.choice(dates)
        items = rng.sample(by_date[date], rng.randint(3, 5))
        text, truth = build_page(rng, items)
        name = f"page-{i:04d}"
        path = os.path.join(work, name + ".txt")
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        truth["date"] = date
        with open(os.path.join(work, name + ".json"), "w", encoding="utf-8") as f:
            json.dump(truth, f, ensure_ascii=False)
        pages.append((path, date, text, truth))
    return pages


def score_page(truth, page):
    """Counts for one page: titles found, pieces in their article, joins predicted / right / true."""
    tarts = truth["articles"]
    piece_article = {}
    for a, art in enumerate(tarts):
        for para in art["paragraphs"]:
            for r in para:
                piece_article[tuple(r)] = a
    title_of = {tuple(a["title"]): i for i, a in enumerate(tarts)}
    found = sum(1 for p in page["articles"] if p.get("title") and (p["title"]["start"], p["title"]["end"]) in title_of)
    right_pieces, pred_joins = 0, set()
    for p in page["articles"]:
        pieces = [(r["start"], r["end"]) for b in p["blocks"] for r in b["pieces"]]
        for b in p["blocks"]:
            rs = [(r["start"], r["end"]) for r in b["pieces"]]
            pred_joins.update(zip(rs, rs[1:]))
        # Which truth article this predicted article is.
        t = title_of.get((p["title"]["start"], p["title"]["end"])) if p.get("title") else None
        if t is None:
            votes = defaultdict(int)
            for r in pieces:
                if r in piece_article:
                    votes[piece_article[r]] += 1
            t = max(votes, key=votes.get) if votes else None
        right_pieces += sum(1 for r in pieces if piece_article.get(r) == t and t is not None)
    true_joins = {(tuple(f), tuple(c)) for f, c in truth["joins"]}
    return {
        "titles": len(tarts), "found": found,
        "pieces": len(piece_article), "right": right_pieces,
        "pred": len(pred_joins), "ok": len(pred_joins & true_joins), "true": len(true_joins),
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--shared", default=os.path.join(os.path.dirname(REPO), "shared"))
    ap.add_argument("--work", default=os.path.join(REPO, "target", "pages"))
    ap.add_argument("--pages", type=int, default=400)
    ap.add_argument("--seed", type=int, default=14)
    ap.add_argument("--bin", help="the page_layout example binary (default: build it with cargo, release)")
    ap.add_argument("--no-build", action="store_true", help="use the binary already built")
    ap.add_argument("--half", choices=["tune", "test", "both"], default="both")
    ap.add_argument("--show", type=int, default=0, help="print the N worst pages of the shown halves")
    args = ap.parse_args()

    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(REPO, "target"))
    binary = args.bin or os.path.join(target, "release", "examples", "page_layout")
    if not args.bin and not args.no_build:
        subprocess.run(["cargo", "build", "--release", "--quiet", "--example", "page_layout"], cwd=REPO, check=True)
    os.makedirs(args.work, exist_ok=True)
    pages = make_pages(load_items(args.shared), args.pages, args.seed, args.work)
    halves = ["tune", "test"] if args.half == "both" else [args.half]
    pages = [p for p in pages if half_of(p[1]) in halves]
    out = subprocess.run([binary] + [p[0] for p in pages], capture_output=True, text=True, check=True).stdout
    results = [json.loads(line) for line in out.splitlines()]
    rows, worst = [], []
    for half in halves:
        tot = defaultdict(int)
        n = 0
        for (path, date, text, truth), res in zip(pages, results):
            if half_of(date) != half:
                continue
            s = score_page(truth, res["page"])
            n += 1
            for k, v in s.items():
                tot[k] += v
            worst.append((s["ok"] - s["pred"] - s["true"] - 3 * (s["pieces"] - s["right"]), path, s))
        prec = tot["ok"] / tot["pred"] if tot["pred"] else 1.0
        rec = tot["ok"] / tot["true"] if tot["true"] else 1.0
        rows.append((half, n, tot["titles"], tot["found"] / max(tot["titles"], 1), tot["right"] / max(tot["pieces"], 1),
                     tot["pieces"], tot["true"], prec, rec))
    print(f"pages: {args.pages} (seed {args.seed}), work dir {args.work}\n")
    print("| half | pages | articles | titles found | paragraphs in the right article | pieces | breaks | join precision | join recall |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for h, n, arts, tf, acc, pieces, breaks, prec, rec in rows:
        print(f"| {h} | {n} | {arts} | {tf:.3f} | {acc:.3f} | {pieces} | {breaks} | {prec:.3f} | {rec:.3f} |")
    for _, path, s in sorted(worst)[: args.show]:
        print(path, s)


if __name__ == "__main__":
    main()
