/* yusuan's search worker, in place of mkdocs-material's (render/search.py).

   It speaks the theme's worker protocol (SETUP → READY, QUERY → RESULT with
   items grouped by page) but reads a bounded index: for each term of the
   query one term file (search/t/<n>.json.gz), then the entry files
   (search/c/<n>.json.gz) of the best pages, at most MAX_CHUNKS of them and
   none that would take the bytes read past BUDGET (term files of a long
   query may have spent much of it). An entry is named by its file and
   place (file * 256 + place); a page's file is numbered by a hash of its
   location, so not every number is a file. A query is cut as the build
   cuts texts (search.terms): pairs of neighbouring Chinese characters, a
   lone character, words of Latin letters and digits. Entries are then
   kept if their text holds a word typed; a word missing from a page is
   listed by the theme as missing.

   Titles and texts are HTML the build escaped; only <mark> is added, around
   the words typed, outside tags and entities. */
"use strict";

const HAN = "\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u{20000}-\u{3134f}";
const TERMS = new RegExp(`[${HAN}]+|[a-z0-9]+`, "gu");
const IS_HAN = new RegExp(`^[${HAN}]`, "u");
const MAX_CHUNKS = 16;       // entry files read for one query (8 to 25 KB each, most of them)
const ENTRY_FILE_MAX = 32000;  // bytes of an entry file, as the budget reckons it before reading (most are
                               // 8-25 KB; pages are put in files by a hash, so a few hold more: the bytes
                               // then read are counted, and stop the next four)
const BUDGET = 800000;       // bytes of index files a query reads, at most, but for its first four entry files
const MAX_CANDIDATES = 400;  // entries ranked by their terms before any entry file is read
const SHOWN = 240;           // characters of an entry's text shown
const MAX_TERMS = 12;        // term files read for one query
const BASE = new URL("../../../search/", self.location.href);

let meta = null;
const files = new Map();

let spent = 0;                // bytes of index files read so far, unpacked (a file read once counts once)

/* An index file, stored gzip-compressed (path ends .json.gz): unpacked here,
   unless the server sent it with Content-Encoding: gzip (no gzip magic then). */
function fetchJSON(path) {
  if (!files.has(path))
    files.set(path, fetch(new URL(path, BASE)).then(r => {
      if (!r.ok) throw new Error(`${path}: ${r.status}`);
      return r.arrayBuffer();
    }).then(buf => {
      const head = new Uint8Array(buf, 0, Math.min(2, buf.byteLength));
      let body = new Blob([buf]).stream();
      if (head[0] === 0x1f && head[1] === 0x8b) body = body.pipeThrough(new DecompressionStream("gzip"));
      return new Response(body).text();
    }).then(text => {
      spent += new TextEncoder().encode(text).length;
      return JSON.parse(text);
    }));
  return files.get(path);
}

/* The query's words: runs of Chinese characters, or of Latin letters and digits. */
function words(query) {
  return [...new Set(query.toLowerCase().match(TERMS) || [])];
}

function termsOf(word) {
  if (!IS_HAN.test(word)) return [word];
  const chars = [...word];
  if (chars.length === 1) return chars;
  const out = [];
  for (let i = 0; i + 1 < chars.length; i++) out.push(chars[i] + chars[i + 1]);
  return out;
}

/* At most n of the terms, spread over them (a long name's pairs overlap:
   fewer of them still find its entries, which are then read for the words). */
function spread(terms, n) {
  if (terms.length <= n) return terms;
  return [...new Set(Array.from({ length: n }, (_, i) => terms[Math.round(i * (terms.length - 1) / (n - 1))]))];
}

/* FNV-1a over code points, as search.term_file. */
function termFile(term) {
  let h = 0x811c9dc5;
  for (const ch of term) {
    h ^= ch.codePointAt(0);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h % meta.terms;
}

/* term → Map(ref → weight), and whether the term was capped */
async function postings(term) {
  const file = await fetchJSON(`t/${termFile(term)}.json.gz`);
  const flat = file.t[term] || [];
  const refs = new Map();
  let ref = 0;
  for (const v of flat) {
    ref += Math.floor(v / 4);
    refs.set(ref, v % 4);
  }
  return { refs, capped: file.c.includes(term) };
}

const ENTITY = /(<[^>]*>|&[#a-zA-Z0-9]+;)/;

function plain(html) {
  return html.split(ENTITY).map(part => {
    if (part.startsWith("<")) return " ";
    if (part.startsWith("&") && part.endsWith(";")) {
      return { "&lt;": "<", "&gt;": ">", "&amp;": "&", "&quot;": "\"", "&#x27;": "'", "&#39;": "'" }[part] || " ";
    }
    return part;
  }).join("").toLowerCase();
}

function escapeRegExp(s) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/* A word as a pattern: a Chinese word's characters may stand apart by up to
   three marks or spaces (“三公”经费 holds 三公经费). */
function wordPattern(word) {
  if (!IS_HAN.test(word)) return escapeRegExp(word);
  return [...word].map(escapeRegExp).join(`[^${HAN}a-z0-9]{0,3}`);
}

function holds(text, word) {
  return new RegExp(wordPattern(word), "iu").test(text);
}

/* <mark> around the words, in the text parts of escaped HTML only; a long
   text starts a little before its first match and is cut after SHOWN
   characters (between entities, never inside one). */
function highlight(html, found, trim) {
  if (!found.length) return html;
  const alternatives = found.map(wordPattern).join("|");
  const once = new RegExp(alternatives, "iu");
  const parts = html.split(ENTITY);
  if (trim) {
    const first = parts.findIndex((p, i) => i % 2 === 0 && once.test(p));
    if (first >= 0) {
      const at = parts[first].search(once);
      if (parts.slice(0, first).join("").length + at > 80) {
        parts.splice(0, first);     // first is even: text parts stay at even places
        parts[0] = "…" + parts[0].slice(Math.max(0, at - 40));
      }
    }
  }
  if (trim) {                         // and ends after about SHOWN characters
    let length = 0;
    for (let i = 0; i < parts.length; i += 2) {
      if (length + parts[i].length > SHOWN) {
        parts.splice(i + 1);
        parts[i] = parts[i].slice(0, Math.max(0, SHOWN - length)) + "…";
        break;
      }
      length += parts[i].length;
    }
  }
  const every = new RegExp(alternatives, "giu");
  return parts.map((p, i) => i % 2 ? p : p.replace(every, m => `<mark>${m}</mark>`)).join("");
}

async function search(query) {
  const ws = words(query);
  if (!ws.length || !meta) return { items: [] };
  const start = spent;
  const perWord = Math.max(2, Math.floor(MAX_TERMS / ws.length));
  const wordTerms = ws.map(w => spread(termsOf(w), perWord));
  const terms = [...new Set(wordTerms.flat())];
  const loaded = await Promise.all(terms.map(postings));
  const lists = new Map(terms.map((t, i) => [t, loaded[i]]));
  /* for each word, the entries that may hold it: those on the list of every
     term of it not capped (such a list is every entry holding the term), or,
     if all its terms were capped, those on any of their lists. Ranked by
     words held, then by weight. */
  const score = new Map();
  for (const wt of wordTerms) {
    const whole = wt.map(t => lists.get(t)).filter(l => !l.capped).sort((a, b) => a.refs.size - b.refs.size);
    const found = new Set();
    if (whole.length) {
      for (const ref of whole[0].refs.keys())
        if (whole.every(l => l.refs.has(ref))) found.add(ref);
    } else {
      for (const t of wt) for (const ref of lists.get(t).refs.keys()) found.add(ref);
    }
    for (const ref of found) {
      const s = score.get(ref) || [0, 0];
      s[0] += 1;
      for (const t of wt) s[1] += lists.get(t).refs.get(ref) || 0;
      score.set(ref, s);
    }
  }
  const ranked = [...score.entries()]
    .sort((a, b) => b[1][0] - a[1][0] || b[1][1] - a[1][1] || a[0] - b[0])
    .slice(0, MAX_CANDIDATES);
  const chunks = [];
  for (const [ref] of ranked) {
    const c = ref >> 8;
    if (!chunks.includes(c)) {
      if (chunks.length === MAX_CHUNKS) break;
      chunks.push(c);
    }
  }
  /* the entry files, best first, four at a time, while the bytes read stay under BUDGET */
  const byChunk = new Map();
  for (let i = 0; i < chunks.length; i += 4) {
    const batch = chunks.slice(i, i + 4).filter(c => !byChunk.has(c));
    if (byChunk.size && spent - start + batch.length * ENTRY_FILE_MAX > BUDGET) {
      chunks.splice(i);
      break;
    }
    const loaded = await Promise.all(batch.map(c => fetchJSON(`c/${c}.json.gz`)));
    batch.forEach((c, k) => byChunk.set(c, loaded[k]));
  }
  /* every entry of those files that holds a word typed, grouped by page */
  const groups = new Map();
  const order = [];
  for (const c of chunks) {
    byChunk.get(c).forEach(([location, title, text], k) => {
      const body = plain(title) + " " + plain(text);
      const held = ws.filter(w => holds(body, w));
      const page = location.split("#")[0];
      if (!groups.has(page)) {
        groups.set(page, { article: null, items: [] });
        order.push(page);
      }
      const entry = { location, title, text, held, ref: (c << 8) | k,
                      inTitle: ws.filter(w => holds(plain(title), w)).length };
      if (location === page) groups.get(page).article = entry;
      if (held.length) groups.get(page).items.push(entry);
    });
  }
  const results = [];
  for (const page of order) {
    const group = groups.get(page);
    if (!group.items.length) continue;
    const items = group.items.map(e => {
      const s = score.get(e.ref);
      return { e, score: e.held.length * 100 + e.inTitle * 10 + (s ? s[1] : 0) };
    }).sort((a, b) => b.score - a.score || a.e.ref - b.e.ref);
    const pageHeld = new Set(items.flatMap(({ e }) => e.held));
    const termsShown = Object.fromEntries(ws.map(w => [w, pageHeld.has(w)]));
    const out = items.map(({ e, score: s }) => ({
      location: e.location,
      title: highlight(e.title, e.held, false),
      text: highlight(e.text, e.held, true),
      score: s,
      terms: termsShown
    }));
    if (!group.items.includes(group.article) && group.article)
      out.push({ location: group.article.location, title: group.article.title, text: "", score: 0, terms: {} });
    if (!group.article) continue;   // an entry file holds whole pages: never so
    results.push({ best: out[0].score, held: pageHeld.size, items: out });
  }
  results.sort((a, b) => b.held - a.held || b.best - a.best);
  return { items: results.map(r => r.items) };
}

/* The theme may send a query before the index stub (SETUP): it waits for
   it. Queries overlap (each waits for its files): only the latest one's
   result is sent, or a slower earlier one would replace it. */
let setUp;
const ready = new Promise(resolve => { setUp = resolve; });
let latest = 0;

addEventListener("message", async ev => {
  const message = ev.data;
  if (message.type === 0) {                  // SETUP: the stub of search_index.json, yusuan's part in its config
    meta = (message.data.config || {}).yusuan || null;
    setUp();
    postMessage({ type: 1 });                // READY
  } else if (message.type === 2) {           // QUERY
    const mine = ++latest;
    let data;
    try {
      await ready;
      data = await search(String(message.data || ""));
    } catch (err) {
      console.warn(`search: ${err}`);
      data = { items: [] };
    }
    if (mine === latest)
      postMessage({ type: 3, data });        // RESULT
  }
});
