"""Writes a PDF of N pages (default 200), each the fixture page `tests/fixtures/pdf/page-rl-cid.pdf`, for
measuring PDF extraction time per page and peak memory (BENCHMARKS.md, "PDF pages").

The fixture is extended by an incremental update (ISO 32000-1, 7.5.6): N page objects that share the first
page's content stream and resources, and a page tree that lists them. Usage:

    python3 bench/pdf_many_pages.py OUT.pdf [N]
"""
import re
import sys

src = "tests/fixtures/pdf/page-rl-cid.pdf"
out, n = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 200
data = open(src, "rb").read()
page = re.search(rb"\n4 0 obj\s*(<<.*?>>)\s*endobj", data, re.S).group(1)
prev = int(re.findall(rb"startxref\s+(\d+)", data)[-1])
size = int(re.findall(rb"/Size (\d+)", data)[-1])
body = bytearray(data)
offsets = {}
first = size
for i in range(n):
    offsets[first + i] = len(body)
    body += b"%d 0 obj\n" % (first + i) + page + b"\nendobj\n"
kids = b" ".join(b"%d 0 R" % (first + i) for i in range(n))
offsets[7] = len(body)
body += b"7 0 obj\n<< /Type /Pages /Count %d /Kids [ %s ] >>\nendobj\n" % (n, kids)
xref = len(body)
body += b"xref\n7 1\n%010d 00000 n \n%d %d\n" % (offsets[7], first, n)
for i in range(n):
    body += b"%010d 00000 n \n" % offsets[first + i]
body += b"trailer\n<< /Size %d /Root 5 0 R /Prev %d >>\nstartxref\n%d\n%%%%EOF\n" % (first + n, prev, xref)
open(out, "wb").write(bytes(body))
print(f"{out}: {n} pages, {len(body)} bytes")
