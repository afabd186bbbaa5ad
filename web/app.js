// A placeholder: the real page replaces this file. It shows the hits of /api/search for the URL's `q`,
// building the DOM with textContent only (corpus text is data, never markup).
"use strict";

function marked(text, highlights) {
  const frag = document.createDocumentFragment();
  const chars = Array.from(text);
  let at = 0;
  for (const [s, e] of highlights || []) {
    if (s < at || s >= e) continue;
    frag.append(chars.slice(at, s).join(""));
    const m = document.createElement("mark");
    m.textContent = chars.slice(s, e).join("");
    frag.append(m);
    at = e;
  }
  frag.append(chars.slice(at).join(""));
  return frag;
}

async function run() {
  const q = new URLSearchParams(location.search).get("q");
  if (!q) return;
  document.getElementById("q").value = q;
  const resp = await fetch("/api/search?" + new URLSearchParams({ q, n: "20" }));
  const data = await resp.json();
  const summary = document.getElementById("summary");
  if (!resp.ok) {
    summary.textContent = data.error;
    return;
  }
  summary.textContent = `${data.summary.returned} of ${data.summary.total_hits} matching passages`;
  const list = document.getElementById("hits");
  for (const hit of data.hits) {
    const li = document.createElement("li");
    const title = document.createElement("strong");
    title.append(marked(hit.title, hit.title_highlights));
    const meta = document.createElement("div");
    meta.className = "meta";
    meta.textContent = [hit.show_id, hit.source, hit.date].filter(Boolean).join(" · ");
    const snippet = document.createElement("div");
    snippet.append(marked(hit.snippet, hit.highlights));
    li.append(title, meta, snippet);
    list.append(li);
  }
}

run();
