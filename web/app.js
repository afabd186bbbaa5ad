// The page of `sou serve`: plain JS, no build step. The whole state lives in the URL's query string
// (q, since, until, source…, sort, n, no_collapse, a = the open article's id, ap = its passage), so Back
// restores a state and a link reproduces the page. Corpus text is data: it only ever reaches the DOM
// through textContent / text nodes, never as markup.
'use strict';

const PAGE = 20; // hits per "page"; "Show more" asks for more
const MAX_N = 100; // the server's limit on hits per request
const $ = (id) => document.getElementById(id);

// ---- state <-> URL -------------------------------------------------------------------------------------

function parseState(search) {
  const p = new URLSearchParams(search);
  const n = parseInt(p.get('n') || '', 10);
  const ap = parseInt(p.get('ap') || '', 10);
  return {
    q: (p.get('q') || '').trim(),
    since: p.get('since') || '',
    until: p.get('until') || '',
    sources: p.getAll('source').filter(Boolean),
    sort: ['date', '-date'].includes(p.get('sort')) ? p.get('sort') : 'relevance',
    n: Number.isFinite(n) && n > 0 ? Math.min(n, MAX_N) : PAGE,
    noCollapse: p.get('no_collapse') === '1',
    a: p.get('a') || '',
    ap: Number.isFinite(ap) && ap >= 0 ? ap : null,
  };
}

function stateQuery(s) {
  const p = new URLSearchParams();
  if (s.q) p.set('q', s.q);
  if (s.since) p.set('since', s.since);
  if (s.until) p.set('until', s.until);
  for (const src of s.sources) p.append('source', src);
  if (s.sort !== 'relevance') p.set('sort', s.sort);
  if (s.n !== PAGE) p.set('n', String(s.n));
  if (s.noCollapse) p.set('no_collapse', '1');
  if (s.a) p.set('a', s.a);
  if (s.a && s.ap !== null) p.set('ap', String(s.ap));
  return p;
}

function stateUrl(s) {
  const qs = stateQuery(s).toString();
  return location.pathname + (qs ? '?' + qs : '');
}

let state = parseState(location.search);

// Go to a new state: one history entry per user action, so that Back undoes it.
function navigate(changes, { replace = false } = {}) {
  const next = Object.assign({}, state, changes);
  const url = stateUrl(next);
  if (replace) history.replaceState(null, '', url);
  else if (url !== location.pathname + location.search) history.pushState(null, '', url);
  state = next;
  render();
}

window.addEventListener('popstate', () => {
  state = parseState(location.search);
  render();
});

// ---- API -----------------------------------------------------------------------------------------------

function filterParams(s, { dates = true, sources = true } = {}) {
  const p = new URLSearchParams();
  p.set('q', s.q);
  if (dates && s.since) p.set('since', s.since);
  if (dates && s.until) p.set('until', s.until);
  if (sources) for (const src of s.sources) p.append('source', src);
  return p;
}

async function api(path, params, signal) {
  const res = await fetch(path + '?' + params.toString(), { signal, headers: { Accept: 'application/json' } });
  let body = null;
  try {
    body = await res.json();
  } catch (_) {
    body = null;
  }
  if (!res.ok) {
    const msg = body && body.error ? body.error : `${res.status} ${res.statusText}`;
    throw new Error(msg);
  }
  return body;
}

// ---- DOM helpers ---------------------------------------------------------------------------------------

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  if (attrs) {
    for (const [k, v] of Object.entries(attrs)) {
      if (v === undefined || v === null || v === false) continue;
      if (k === 'class') e.className = v;
      else if (k === 'text') e.textContent = v;
      else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, v === true ? '' : String(v));
    }
  }
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

// Append `text` to `parent` with the half-open CHARACTER ranges (code points, as sou counts them, not
// UTF-16 units) wrapped in <mark>. Returns the marks made.
function appendMarked(parent, text, ranges) {
  const chars = Array.from(text || '');
  const marks = [];
  let at = 0;
  const sorted = (ranges || []).slice().sort((x, y) => x[0] - y[0]);
  for (const [start, end] of sorted) {
    const s = Math.max(start, at);
    const e = Math.min(end, chars.length);
    if (e <= s) continue;
    if (s > at) parent.append(document.createTextNode(chars.slice(at, s).join('')));
    const m = el('mark', null, chars.slice(s, e).join(''));
    parent.append(m);
    marks.push(m);
    at = e;
  }
  if (at < chars.length) parent.append(document.createTextNode(chars.slice(at).join('')));
  return marks;
}

function clear(node) {
  while (node.firstChild) node.removeChild(node.firstChild);
}

// A link to a state: a real href (middle click, copy link), a plain click navigates in place.
function stateLink(changes, attrs, ...children) {
  const target = Object.assign({}, state, changes);
  const a = el('a', Object.assign({ href: stateUrl(target) }, attrs || {}), ...children);
  a.addEventListener('click', (ev) => {
    if (ev.button !== 0 || ev.metaKey || ev.ctrlKey || ev.shiftKey || ev.altKey) return;
    ev.preventDefault();
    navigate(changes);
  });
  return a;
}

const fmtInt = (n) => Number(n || 0).toLocaleString('en-US');

// ---- rendering -----------------------------------------------------------------------------------------

let rendered = { search: null, counts: null, article: null };
let searchAbort = null;
let countAbort = null;
let articleAbort = null;
let hits = [];
let selected = -1;

function render() {
  $('q').value = state.q;
  $('sort').value = state.sort;
  document.title = state.q ? `${state.q} · sou 搜` : 'sou 搜';
  const searchKey = stateQuery(Object.assign({}, state, { a: '', ap: null })).toString();
  const countKey = filterParams(state).toString();
  if (!state.q) {
    rendered.search = searchKey;
    rendered.counts = countKey;
    showEmpty();
  } else {
    $('help').hidden = true;
    if (rendered.search !== searchKey) {
      rendered.search = searchKey;
      runSearch();
    } else {
      markOpenHit();
    }
    if (rendered.counts !== countKey) {
      rendered.counts = countKey;
      runCounts();
    }
  }
  renderFilters();
  const articleKey = state.a ? state.a + '\n' + state.q + '\n' + state.ap : '';
  if (articleKey !== rendered.article) {
    rendered.article = articleKey;
    if (state.a) openArticle();
    else closeArticleView();
  }
}

function showEmpty() {
  if (searchAbort) searchAbort.abort();
  if (countAbort) countAbort.abort();
  hits = [];
  selected = -1;
  clear($('hits'));
  $('status').textContent = '';
  $('more').hidden = true;
  $('help').hidden = false;
  $('timeline').hidden = true;
  $('facets').hidden = true;
}

// Active filters as removable chips.
function renderFilters() {
  const box = $('filters');
  clear(box);
  const chips = [];
  if (state.since || state.until) {
    const label = state.since === state.until ? state.since : `${state.since || '…'} – ${state.until || '…'}`;
    chips.push(stateLink({ since: '', until: '', a: '' }, { class: 'chip', title: 'Remove the date filter' }, label, ' ✕'));
  }
  for (const src of state.sources) {
    chips.push(
      stateLink({ sources: state.sources.filter((x) => x !== src), a: '' }, { class: 'chip', title: 'Remove this source' }, src, ' ✕'),
    );
  }
  if (state.noCollapse) {
    chips.push(stateLink({ noCollapse: false }, { class: 'chip', title: 'Collapse reprints again' }, 'all reprints', ' ✕'));
  }
  if (chips.length > 1) {
    chips.push(stateLink({ since: '', until: '', sources: [], noCollapse: false, a: '' }, { class: 'chip clear' }, 'clear all'));
  }
  box.append(...chips);
  box.hidden = chips.length === 0 || !state.q;
}

async function runSearch() {
  if (searchAbort) searchAbort.abort();
  searchAbort = new AbortController();
  const p = filterParams(state);
  p.set('n', String(state.n));
  if (state.sort !== 'relevance') p.set('sort', state.sort);
  if (state.noCollapse) p.set('no_collapse', '1');
  $('status').textContent = 'Searching…';
  $('results').classList.add('loading');
  let data;
  try {
    data = await api('/api/search', p, searchAbort.signal);
  } catch (err) {
    if (err.name === 'AbortError') return;
    $('results').classList.remove('loading');
    hits = [];
    selected = -1;
    clear($('hits'));
    $('more').hidden = true;
    $('status').textContent = '';
    $('status').append(el('span', { class: 'error', text: err.message }));
    return;
  }
  $('results').classList.remove('loading');
  renderHits(data);
}

function renderHits(data) {
  const list = $('hits');
  clear(list);
  hits = data.hits || [];
  const sum = data.summary || {};
  const status = $('status');
  clear(status);
  if (hits.length === 0) {
    status.append(el('span', null, 'No passage matches ', el('q', { text: sum.query || state.q }), '.'));
  } else if (!sum.total_hits && hits.every((h) => h.match === 'partial')) {
    status.append(el('span', null, 'No passage contains every term; the best partial matches.'));
  } else {
    const arts = hits.length === 1 ? 'article' : 'articles';
    status.append(
      el('span', null, `${fmtInt(hits.length)} ${arts} shown · ${fmtInt(sum.total_hits)} matching passages`),
      el('span', { class: 'muted' }, ` · ${sum.elapsed_ms !== undefined ? Number(sum.elapsed_ms).toFixed(1) : '?'} ms`),
    );
  }
  if (sum.partial) {
    // A SolrCloud shard did not answer (sou serve --solr): the hits and the total may lack its passages.
    status.append(
      el('span', { class: 'partial-notice', role: 'alert', text: ' · Partial results: a part of the collection did not answer; some passages may be missing.' }),
    );
  }
  hits.forEach((h, i) => list.append(hitItem(h, i)));
  $('more').hidden = hits.length < state.n || state.n >= MAX_N;
  // Nothing is selected after a search (j selects the first hit), except the open article's hit.
  selected = -1;
  if (state.a) {
    const i = hits.findIndex((h) => (h.show_id || h.id) === state.a);
    if (i >= 0) setSelected(i, false);
  }
  markOpenHit();
}

function hitItem(h, i) {
  const open = { a: h.show_id || h.id, ap: h.passage };
  const title = el('span', { class: 'title' });
  appendMarked(title, h.title || h.show_id || h.id, h.title_highlights);
  const meta = el('div', { class: 'meta' });
  const bits = [];
  if (h.source) bits.push(el('span', { class: 'source', text: h.source }));
  if (h.date) bits.push(el('time', { class: 'date', text: h.date }));
  if (h.kicker) {
    const k = el('span', { class: 'kicker' });
    appendMarked(k, h.kicker, h.kicker_highlights);
    bits.push(k);
  }
  bits.push(el('span', { class: 'id muted', text: `${h.show_id || h.id}#${h.passage}` }));
  bits.forEach((b, j) => {
    if (j) meta.append(el('span', { class: 'dot', text: ' · ' }));
    meta.append(b);
  });
  const snippet = el('p', { class: 'snippet' });
  appendMarked(snippet, h.snippet, h.highlights);
  const foot = el('div', { class: 'foot' });
  if (h.more_passages) {
    foot.append(stateLink(open, { class: 'more-passages' }, `+${h.more_passages} more passage${h.more_passages === 1 ? '' : 's'}`));
  }
  if (h.reprints) {
    foot.append(
      stateLink({ noCollapse: true, a: '' }, { class: 'reprints', title: 'Show every reprint as a hit of its own' }, `+${h.reprints} reprint${h.reprints === 1 ? '' : 's'}`),
    );
  }
  if (h.match === 'partial') {
    foot.append(el('span', { class: 'partial', text: `partial, missing: ${(h.missing || []).join(' ')}` }));
  }
  const li = el(
    'li',
    { class: 'hit', 'data-index': i, 'data-id': h.show_id || h.id },
    el('div', { class: 'head' }, stateLink(open, { class: 'open' }, el('span', { class: 'rank', text: `${h.rank || i + 1}.` }), ' ', title)),
    meta,
    snippet,
    foot.childNodes.length ? foot : null,
  );
  li.addEventListener('click', (ev) => {
    if (ev.target.closest('a')) return;
    setSelected(i, false);
    navigate(open);
  });
  return li;
}

function setSelected(i, scroll = true) {
  const items = $('hits').children;
  if (!items.length) return;
  i = Math.max(0, Math.min(i, items.length - 1));
  if (selected >= 0 && items[selected]) items[selected].classList.remove('selected');
  selected = i;
  items[i].classList.add('selected');
  if (scroll) scrollInto($('results'), items[i], 'nearest');
}

// Scroll `pane` (and only it: not the window, not other panes) so that `target` shows: at its centre, or
// just enough ('nearest'). A pane that does not scroll (the results on a phone) leaves it to the window.
function scrollInto(pane, target, how) {
  if (pane.scrollHeight <= pane.clientHeight + 1 || getComputedStyle(pane).overflowY === 'visible') {
    target.scrollIntoView({ block: how });
    return;
  }
  const p = pane.getBoundingClientRect();
  const t = target.getBoundingClientRect();
  if (how === 'center') {
    pane.scrollTop += t.top + t.height / 2 - (p.top + p.height / 2);
  } else if (t.top < p.top) {
    pane.scrollTop += t.top - p.top - 8;
  } else if (t.bottom > p.bottom) {
    pane.scrollTop += t.bottom - p.bottom + 8;
  }
}

function markOpenHit() {
  for (const li of $('hits').children) li.classList.toggle('open', !!state.a && li.dataset.id === state.a);
}

// ---- counts: facets and the histogram ------------------------------------------------------------------

async function runCounts() {
  if (countAbort) countAbort.abort();
  countAbort = new AbortController();
  const signal = countAbort.signal;
  // Each facet counts with the other filters only, so that its own choices stay visible.
  const bySource = filterParams(state, { sources: false });
  bySource.set('by', 'source');
  const byTime = filterParams(state, { dates: false });
  byTime.set('by', 'month');
  try {
    const [sources, months] = await Promise.all([api('/api/count', bySource, signal), api('/api/count', byTime, signal)]);
    let time = months;
    if ((months.buckets || []).length > 240) {
      byTime.set('by', 'year');
      time = await api('/api/count', byTime, signal);
    }
    renderSources(sources);
    renderTime(time);
  } catch (err) {
    if (err.name === 'AbortError') return;
    $('timeline').hidden = true;
    $('facets').hidden = true;
  }
}

function facetItem(label, count, active, changes, title) {
  return el(
    'li',
    { class: active ? 'active' : null },
    stateLink(changes, { title, 'aria-pressed': active ? 'true' : 'false' }, el('span', { class: 'name', text: label }), el('span', { class: 'count', text: fmtInt(count) })),
  );
}

function renderSources(data) {
  const ul = $('sources');
  clear(ul);
  const buckets = (data.buckets || []).filter((b) => b.articles > 0);
  buckets.sort((x, y) => y.articles - x.articles || (x.key < y.key ? -1 : 1));
  for (const b of buckets) {
    const active = state.sources.includes(b.key);
    const next = active ? state.sources.filter((s) => s !== b.key) : state.sources.concat([b.key]);
    ul.append(facetItem(b.key, b.articles, active, { sources: next, a: '' }, `${b.articles} articles, ${b.passages} passages`));
  }
  for (const s of state.sources) {
    if (!buckets.some((b) => b.key === s)) ul.append(facetItem(s, 0, true, { sources: state.sources.filter((x) => x !== s), a: '' }));
  }
  if (data.unknown && data.unknown.articles) {
    ul.append(el('li', { class: 'muted unknown' }, el('span', { class: 'name', text: 'no source' }), el('span', { class: 'count', text: fmtInt(data.unknown.articles) })));
  }
  $('facets').hidden = false;
}

let timeData = null;

function renderTime(data) {
  timeData = data;
  // Years, for the facet list (from the months or years counted).
  const years = new Map();
  for (const b of data.buckets || []) {
    const y = b.key.slice(0, 4);
    years.set(y, (years.get(y) || 0) + b.articles);
  }
  const ul = $('years');
  clear(ul);
  for (const [y, n] of years) {
    if (!n) continue;
    const active = state.since === y && state.until === y;
    ul.append(facetItem(y, n, active, active ? { since: '', until: '', a: '' } : { since: y, until: y, a: '' }, `${n} articles in ${y}`));
  }
  const undated = data.unknown && data.unknown.articles;
  $('undated').textContent = undated ? `· ${fmtInt(undated)} undated` : '';
  $('unit').textContent = data.by === 'year' ? 'year' : 'month';
  const dated = (data.buckets || []).length > 0;
  $('timeline').hidden = !dated;
  if (dated) drawHistogram();
}

// Is bucket key k (YYYY or YYYY-MM) inside the current since/until? Bounds may be a year, month or day.
function inRange(k) {
  const lo = state.since;
  const hi = state.until;
  if (lo && k + '\uffff' < lo) return false;
  if (hi && k > hi && !hi.startsWith(k)) return false;
  return true;
}

function drawHistogram() {
  const box = $('histogram');
  clear(box);
  const buckets = timeData.buckets || [];
  if (!buckets.length) return;
  const W = Math.max(box.clientWidth, 200);
  const H = 64;
  const AXIS = 14;
  const NS = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(NS, 'svg');
  svg.setAttribute('width', String(W));
  svg.setAttribute('height', String(H + AXIS));
  svg.setAttribute('viewBox', `0 0 ${W} ${H + AXIS}`);
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', 'Matching articles over time');
  const max = Math.max(1, ...buckets.map((b) => b.articles));
  const step = W / buckets.length;
  const gap = step > 4 ? 1 : 0;
  const filtered = !!(state.since || state.until);
  const mk = (tag, attrs) => {
    const e = document.createElementNS(NS, tag);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
    return e;
  };
  // The chosen dates as one band behind the bars.
  const chosenAt = filtered ? buckets.map((b, i) => (inRange(b.key) ? i : -1)).filter((i) => i >= 0) : [];
  if (chosenAt.length) {
    const lo = chosenAt[0];
    const hi = chosenAt[chosenAt.length - 1];
    svg.append(mk('rect', { class: 'band', x: lo * step, y: 0, width: (hi - lo + 1) * step, height: H }));
  }
  buckets.forEach((b, i) => {
    const chosen = filtered && inRange(b.key);
    const g = mk('g', { class: 'bucket' + (chosen || !filtered ? ' in' : '') + (chosen ? ' sel' : ''), 'data-key': b.key, 'data-index': i });
    // A full-height hit area, so that thin bars are easy to click.
    g.append(mk('rect', { class: 'hit-area', x: i * step, y: 0, width: step, height: H }));
    const h = b.articles ? Math.max(2, Math.round((b.articles / max) * (H - 4))) : 0;
    // Bars at most 28px wide (a few months would otherwise be slabs), centred in their slot.
    const bw = Math.max(Math.min(step - gap, 28), 1);
    if (h) g.append(mk('rect', { class: 'column', x: i * step + (step - bw) / 2, y: H - h, width: bw, height: h }));
    const tip = mk('title', {});
    tip.textContent = `${b.key}: ${b.articles} article${b.articles === 1 ? '' : 's'}, ${b.passages} passage${b.passages === 1 ? '' : 's'}`;
    g.append(tip);
    svg.append(g);
  });
  svg.append(mk('line', { class: 'axis', x1: 0, y1: H + 0.5, x2: W, y2: H + 0.5 }));
  // Labels: years (at their first bucket), thinned to fit.
  const yearly = timeData.by === 'year';
  let lastX = -Infinity;
  buckets.forEach((b, i) => {
    const first = yearly || b.key.endsWith('-01') || i === 0;
    if (!first) return;
    const x = i * step;
    if (x - lastX < 36) return;
    lastX = x;
    const t = mk('text', { class: 'tick', x: x + 1, y: H + AXIS - 3 });
    t.textContent = b.key.slice(0, 4);
    svg.append(t);
  });
  const sel = mk('rect', { class: 'drag', x: 0, y: 0, width: 0, height: H, visibility: 'hidden' });
  svg.append(sel);
  box.append(svg);

  // Click a bar: that period. Drag across bars: their span.
  const indexAt = (ev) => {
    const r = svg.getBoundingClientRect();
    return Math.max(0, Math.min(buckets.length - 1, Math.floor(((ev.clientX - r.left) / r.width) * buckets.length)));
  };
  let from = null;
  svg.addEventListener('pointerdown', (ev) => {
    if (ev.button !== 0) return;
    from = indexAt(ev);
    svg.setPointerCapture(ev.pointerId);
    ev.preventDefault();
  });
  svg.addEventListener('pointermove', (ev) => {
    if (from === null) return;
    const to = indexAt(ev);
    const lo = Math.min(from, to);
    const hi = Math.max(from, to);
    sel.setAttribute('x', String(lo * step));
    sel.setAttribute('width', String((hi - lo + 1) * step));
    sel.setAttribute('visibility', 'visible');
  });
  const finish = (ev) => {
    if (from === null) return;
    const to = indexAt(ev);
    const lo = buckets[Math.min(from, to)].key;
    const hi = buckets[Math.max(from, to)].key;
    from = null;
    sel.setAttribute('visibility', 'hidden');
    if (lo === hi && state.since === lo && state.until === hi) navigate({ since: '', until: '', a: '' });
    else navigate({ since: lo, until: hi, a: '' });
  };
  svg.addEventListener('pointerup', finish);
  svg.addEventListener('pointercancel', () => {
    from = null;
    sel.setAttribute('visibility', 'hidden');
  });
}

let resizeTimer = null;
window.addEventListener('resize', () => {
  clearTimeout(resizeTimer);
  resizeTimer = setTimeout(() => {
    if (timeData && !$('timeline').hidden) drawHistogram();
  }, 120);
});

// ---- the article view ----------------------------------------------------------------------------------

let docMarks = [];
let current = -1;

async function openArticle() {
  if (articleAbort) articleAbort.abort();
  articleAbort = new AbortController();
  const reader = $('reader');
  reader.hidden = false;
  document.body.classList.add('reading');
  markOpenHit();
  const doc = $('doc');
  clear(doc);
  doc.append(el('p', { class: 'muted', text: 'Loading…' }));
  const p = new URLSearchParams();
  p.set('id', state.a);
  if (state.q) p.set('q', state.q);
  let art;
  try {
    art = await api('/api/article', p, articleAbort.signal);
  } catch (err) {
    if (err.name === 'AbortError') return;
    clear(doc);
    doc.append(el('p', { class: 'error', text: err.message }));
    docMarks = [];
    updateHitPos();
    return;
  }
  renderArticle(art);
}

function renderArticle(art) {
  const doc = $('doc');
  clear(doc);
  if (art.kicker) {
    const k = el('p', { class: 'kicker' });
    appendMarked(k, art.kicker, art.kicker_highlights);
    doc.append(k);
  }
  const h = el('h1');
  appendMarked(h, art.title || art.show_id || art.id, art.title_highlights);
  doc.append(h);
  const meta = el('p', { class: 'meta' });
  const bits = [art.source, art.date, art.byline, art.place].filter(Boolean);
  bits.forEach((b, i) => {
    if (i) meta.append(el('span', { class: 'dot', text: ' · ' }));
    meta.append(el('span', { text: b }));
  });
  doc.append(meta);
  const info = el('p', { class: 'info muted' });
  info.append(`${art.show_id || art.id} · ${art.passage_count || (art.passages || []).length} passages`);
  if (state.q && art.match === false && art.missing && art.missing.length) info.append(` · missing: ${art.missing.join(' ')}`);
  doc.append(info);

  const body = el('div', { class: 'body' });
  let para = null;
  docMarks = [];
  let target = null;
  for (const ps of art.passages || []) {
    if (!para || ps.sep === '\n\n') {
      para = el('p');
      body.append(para);
    } else if (ps.sep) {
      para.append(document.createTextNode(ps.sep));
    }
    const span = el('span', { class: 'passage', 'data-ordinal': ps.ordinal, title: `#${ps.ordinal}` });
    const marks = appendMarked(span, ps.text, ps.highlights);
    for (const m of marks) {
      m.dataset.ordinal = ps.ordinal;
      docMarks.push(m);
    }
    if (state.ap !== null && ps.ordinal === state.ap) {
      span.classList.add('target');
      target = { span, mark: marks[0] || null };
    }
    para.append(span);
  }
  doc.append(body);
  // Start at the hit's passage (its first match), else at the first match.
  current = -1;
  $('reader').scrollTop = 0;
  if (target && target.mark) goToMark(docMarks.indexOf(target.mark));
  else if (target) {
    scrollInto($('reader'), target.span, 'center');
    updateHitPos();
  } else if (docMarks.length) goToMark(0);
  else updateHitPos();
}

function goToMark(i) {
  if (!docMarks.length) return;
  i = ((i % docMarks.length) + docMarks.length) % docMarks.length;
  if (current >= 0 && docMarks[current]) docMarks[current].classList.remove('current');
  current = i;
  const m = docMarks[i];
  m.classList.add('current');
  scrollInto($('reader'), m, 'center');
  updateHitPos();
}

function updateHitPos() {
  const n = docMarks.length;
  $('hit-pos').textContent = n ? `match ${current + 1} of ${n}` : state.q ? 'no match' : '';
  $('prev-hit').disabled = n === 0;
  $('next-hit').disabled = n === 0;
}

function closeArticleView() {
  if (articleAbort) articleAbort.abort();
  $('reader').hidden = true;
  document.body.classList.remove('reading');
  docMarks = [];
  current = -1;
  markOpenHit();
}

function closeArticle() {
  if (!state.a) return;
  navigate({ a: '', ap: null });
  const items = $('hits').children;
  if (selected >= 0 && items[selected]) scrollInto($('results'), items[selected], 'nearest');
}

// ---- events --------------------------------------------------------------------------------------------

$('search').addEventListener('submit', (ev) => {
  ev.preventDefault();
  const q = $('q').value.trim();
  navigate({ q, a: '', ap: null, n: PAGE, sort: $('sort').value });
  $('q').blur();
});

$('sort').addEventListener('change', () => {
  navigate({ sort: $('sort').value, a: '', ap: null });
});

$('more').addEventListener('click', () => navigate({ n: Math.min(state.n + PAGE, MAX_N) }, { replace: true }));
$('close').addEventListener('click', closeArticle);
$('next-hit').addEventListener('click', () => goToMark(current + 1));
$('prev-hit').addEventListener('click', () => goToMark(current - 1));

function typing(target) {
  return target && (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName));
}

document.addEventListener('keydown', (ev) => {
  if (ev.metaKey || ev.ctrlKey || ev.altKey) return;
  if (ev.key === 'Escape') {
    if (typing(ev.target)) {
      ev.target.blur();
    } else if (state.a) {
      closeArticle();
    } else if (document.activeElement) {
      document.activeElement.blur();
    }
    return;
  }
  if (typing(ev.target)) return;
  switch (ev.key) {
    case '/':
      ev.preventDefault();
      $('q').focus();
      $('q').select();
      break;
    case 'j':
      ev.preventDefault();
      setSelected(selected + 1);
      break;
    case 'k':
      ev.preventDefault();
      setSelected(selected - 1);
      break;
    case 'Enter':
      if (ev.target && ev.target.closest && ev.target.closest('a, button')) return;
      if (selected >= 0 && hits[selected]) {
        ev.preventDefault();
        const h = hits[selected];
        navigate({ a: h.show_id || h.id, ap: h.passage });
      }
      break;
    case 'n':
      if (state.a) {
        ev.preventDefault();
        goToMark(current + 1);
      }
      break;
    case 'N':
    case 'p':
      if (state.a) {
        ev.preventDefault();
        goToMark(current - 1);
      }
      break;
    default:
  }
});

// On a phone the filters start folded (a tap on "Filters" opens them).
if (window.matchMedia('(max-width: 720px)').matches) $('facet-box').open = false;

render();
if (!state.q && !state.a) $('q').focus();
