"""The site's search: a bounded index for mkdocs-material's own search box.

The theme's search loads one `search/search_index.json` whole on the first
search (58 MB at 1,000 department-years) and builds a lunr index from it in
the browser. Here the theme's search box and results list stay, but the
index is cut into small files and the theme's search worker is replaced by
ours (`assets/search_worker.js`), which fetches only what a query needs:

- `search/search_index.json` keeps the plugin's `config`, with `yusuan`
  in it (the number of term files and the cap below), and no documents;
- `search/t/<n>.json.gz`, the term files: each term (a pair of Chinese
  characters, a single character, or a word of Latin letters and digits),
  hashed into one of n files (a power of two), with the entries that hold
  it. A term held by more than CAP entries keeps the CAP where it weighs
  most (in the title, most often), so no term file grows with the site
  beyond (terms in it) × CAP;
- `search/c/<n>.json.gz`, the entry files: whole pages' entries (location,
  title, text), a page in the file its location hashes to, among a power
  of two of them that makes about CHUNK_BYTES a file (small pages, such as
  the departments' across years, among files of their own); an entry is
  named by its file and its place in it.

Made again at every build, but a file whose text is that of the last
build's file of its name is not written again (_Files): a page's file does
not change when another page comes or goes (but for the one time in a
doubling of the site that the number of files doubles), nor does a term
file none of whose terms the page holds. So a build that adds one page
gzips and writes its entry file and the term files of its terms, nothing
else; the postings (below) are still made whole (~0.4 s at 1,000
department-years, ~2 s at 10,000). Measured in `yusuan build` at 1,000
(the benchmark's corpus, 999 files and one added), write_index took
0.9-1.1 s to add one, 510 of its 1,309 files written (the corpus has
~6,000 terms in 512 term files, and a new page ~1,300: it reaches most), where
writing every file took 1.8-3.0 s, and emptying the site folder 0.3-0.5 s
more to delete them; a cold index 2.2 s both. On the entries of 10,000
(those of the 1,000 ten times, renamed; write_index alone), 3.0-3.8 s and
69 of 9,617 files, where every file took 9.9-12.6 s; a cold index ~1 s
more than before: term lists in the order of hashed files gzip slower
(and to 7.1 MB where the corpus' lists, periodic in page order, made
0.4 MB), the entry files to 48.7 MB from 56.4. The last build's files
wait in the site folder's stash while mkdocs empties it
(render/reuse.py); its record of them, as of its pages, is in the cache:
a stopped build leaves none, so the next one writes every file. Until
every file is in place the site has mkdocs' own index and the theme's
worker, which never read them.

A query of Chinese words is cut into the same pairs of characters, so every
word is found wherever it stands, with no dictionary in the browser and none
of jieba's cuts to agree with; the worker then reads the entries of the best
pages (at most MAX_CHUNKS entry files) and keeps those whose text holds the
words typed. So a first query downloads the worker, the index stub, one term
file per term and at most MAX_CHUNKS entry files, however large the site.

What is indexed is what a reader searches for: the page title, the units,
the headline figures with their values (a result shows the figure it
matched), and per section its heading, its figures and the words in its
tables (names of function classes, economic items, projects, indicators),
not the tables' amounts; and the plugin's entries for the index pages.

The theme shows an entry's title and text as HTML, so every text is escaped
first, as the plugin escapes what it reads from a page (html.escape,
quote=False): a project named `<img onerror=…>` must stay text. The worker
adds only <mark> around the words typed, outside tags and entities.
"""
from __future__ import annotations

import functools
import gzip
import hashlib
import html
import json
import operator
import os
import re
import shutil
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from yusuan.render.tables import Table

WORKER = Path(__file__).resolve().parent.parent / "assets" / "search_worker.js"
CAP = 2000              # entries kept per term
CHUNK_BYTES = 16_000    # pages' JSON an entry file holds, at most on average (a page is never cut)
TERM_FILE_BYTES = 16_000  # a term file's mean size (the largest is a few times that)
MAX_ENTRIES = 255       # entries per entry file (an entry's number is file * 256 + place)
SMALL_PAGE = 1_000      # a page of this many bytes or less is in an entry file of small pages
BATCH = 1 << 20         # (term, entry) pairs indexed at once (26 million at 10,000 department-years)

# Chinese characters (as the worker's HAN), a run of them, or a word of Latin letters and digits
_TERMS = re.compile(r"[\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]+|[a-z0-9]+")
_TAG = re.compile(r"<[^>]*>")


class SearchIndexError(Exception):
    """The search index cannot be written (mkdocs' index missing or unreadable)."""


@functools.lru_cache(maxsize=200_000)
def escaped(text: str) -> str:
    """Plain text as the index holds it: HTML-escaped (the theme shows it as HTML)."""
    return html.escape(text, quote=False)


def _words(table: Table) -> list[str]:
    """The table's caption and its text cells (amounts, counts and source line numbers left out)."""
    out = [table.caption] if table.caption else []
    for row in table.rows:
        out += [cell.text for cell in row.cells if cell.text and "num" not in cell.cls and cell.cls != "ln"]
    return out


def _entry(location: str, title: str, parts: list[str]) -> dict:
    text = " ".join(escaped(p) for p in dict.fromkeys(p for p in parts if p))
    entry = {"location": location, "title": escaped(title), "text": text}
    entry["terms"] = entry_terms(entry)
    return entry


def entry_terms(entry: dict) -> list[str]:
    """The entry's terms as the index weighs them: those of its title, and
    those of its text only, each as one string, space-separated (terms have
    no spaces; a string is cheap to send from a worker and to store).
    Made with a document's entries, in the processes that make its pages,
    and kept with them (render/reuse.py): cutting every entry into terms
    was ~45% of the index's time at 1,000 documents, all in the main process."""
    title = terms(plain(entry["title"]))
    return [" ".join(sorted(title)), " ".join(sorted(terms(plain(entry["text"])) - title))]


def entries(doc_id: str, ctx: dict) -> list[dict]:
    """The entries of one department-year page (ctx from department.context)."""
    url = f"docs/{doc_id}/"
    doc = ctx["doc"]
    units = [u["unit_name"] for u in ctx["units"] if u.get("unit_name")]
    # a figure with its value: a search for “三公” shows what they are, not only the card's label
    out = [_entry(url, ctx["title"], [doc["department"], doc["level"], *units,
                                      *(f"{label} {value}" for label, value, *_ in ctx["figures"])])]
    for sec in ctx["sections"]:
        parts = [f"{label} {value}" for label, value, *_ in sec.figures] + [ch.title for ch in sec.charts] + [sec.text]
        for t in sec.tables:
            if t.searchable:
                parts += _words(t.full or t)     # a long table's every row, not only those in the HTML
        out.append(_entry(f"{url}#{sec.id}", sec.title, parts))
    return out


def department_entries(page) -> list[dict]:
    """The entry of a department's page across years (departments.Page)."""
    parts = [*page.names, *(f"{d['year']} 年{d['kind']}" for d in page.docs)]
    return [_entry(f"departments/{page.slug}/", page.title, parts)]


def terms(text: str) -> set[str]:
    """The terms of a text (the worker cuts a query the same way): every pair
    of neighbouring Chinese characters of a run (a run of one: that
    character), the pair of the characters either side of up to three marks
    or spaces between two runs, and every word of Latin letters and digits,
    lower-cased."""
    out = set()
    last, end = "", -9     # the last Chinese character before, and where its run ended
    for m in _TERMS.finditer(text.lower()):
        run = m.group()
        if run[0] <= "z":
            out.add(run)
            last = ""
            continue
        if len(run) == 1:
            out.add(run)
        else:
            out.update(map(operator.add, run[:-1], run[1:]))
        if last and m.start() - end <= 3:     # “三公”经费: the pair 公经 too, as the worker reads 三公经费 in it
            out.add(last + run[0])
        last, end = run[-1], m.end()
    return out


def term_file(term: str, files: int) -> int:
    """FNV-1a over the term's code points (the worker's termFile)."""
    h = 0x811C9DC5
    for ch in term:
        h = ((h ^ ord(ch)) * 0x01000193) & 0xFFFFFFFF
    return h % files


def plain(escaped: str) -> str:
    """The text of an entry's HTML (tags dropped, entities read)."""
    return html.unescape(_TAG.sub(" ", escaped.replace("\u200b", "")))


@dataclass(frozen=True)
class Page:
    """A page's entries as the index takes them: its location (before any
    #); their JSON as an entry file holds them, joined by commas
    ([location,title,text],[…] — no outer brackets), with where each ends;
    the terms of each (entry_terms: the title's, then the text's), as lines.
    Kept in the cache as bytes (render/reuse.py), read back without a JSON
    parse: at 10,000 department-years, adding one file read the kept pages'
    entries as JSON (2.6 s under the profiler) and made their JSON again
    (1.3 s)."""
    location: str
    json: bytes
    ends: tuple[int, ...]
    terms: bytes            # 2 lines an entry, UTF-8, "\n" between (terms hold no "\n")

    @property
    def n(self) -> int:
        return len(self.ends)

    @classmethod
    def of(cls, entries: list[dict]) -> "Page":
        """A page of entries (all of one page, in order)."""
        parts, ends, terms, at = [], [], [], -1
        for d in entries:
            parts.append(_json([d])[1:-1])
            at += len(parts[-1]) + 1
            ends.append(at)
            terms += d["terms"] if "terms" in d else entry_terms(d)     # mkdocs' entries have none
        return cls(entries[0]["location"].split("#")[0], b",".join(parts), tuple(ends),
                   "\n".join(terms).encode("utf-8"))

    def cut(self, start: int, stop: int) -> "Page":
        """Its entries start to stop (a page too long for one entry file)."""
        begin = self.ends[start - 1] + 1 if start else 0
        return Page(self.location, self.json[begin:self.ends[stop - 1]],
                    tuple(e - begin for e in self.ends[start:stop]),
                    b"\n".join(self.terms.split(b"\n")[2 * start:2 * stop]))

    def to_bytes(self) -> bytes:
        """A line of JSON (location, ends, the bytes after it), the entries' JSON, a newline, the terms."""
        head = json.dumps({"location": self.location, "ends": self.ends, "size": len(self.json) + 1 + len(self.terms)},
                          ensure_ascii=False).encode("utf-8")
        return b"\n".join((head, self.json, self.terms))

    @classmethod
    def from_bytes(cls, data: bytes) -> "Page | None":
        """A page as to_bytes wrote it; None if it is not one (a damaged file)."""
        try:
            head, rest = data.split(b"\n", 1)
            meta = json.loads(head)
            location, ends = meta["location"], tuple(meta["ends"])
            size = ends[-1] if ends else -1
            text, terms = rest[:size], rest[size + 1:]
            ok = (isinstance(location, str) and all(isinstance(e, int) for e in ends) and list(ends) == sorted(ends)
                  and meta["size"] == len(rest) and rest[size:size + 1] == b"\n"
                  and terms.count(b"\n") == 2 * len(ends) - 1)
        except (ValueError, TypeError, KeyError):
            return None
        return cls(location, text, ends, terms) if ok and ends else None


def pages_of(docs: list[dict]) -> list[Page]:
    """Entries as pages (by the location before its #, a page's in order)."""
    by_page: dict[str, list[dict]] = {}
    for d in docs:
        by_page.setdefault(d["location"].split("#")[0], []).append(d)
    return [Page.of(found) for found in by_page.values()]


def page_file(page: str, buckets: int) -> int:
    """The entry file of a page among `buckets` (a power of two): from the
    SHA-256 of its location, so that no other page moves it."""
    return int.from_bytes(hashlib.sha256(page.encode("utf-8")).digest()[:8], "big") % buckets


def _entry_files(found: list[Page]) -> list[tuple[int, list[Page], bytes]]:
    """Whole pages into entry files, as (number, pages, the file's JSON),
    by number. A page is in the file its location hashes to (page_file)
    among a power of two of them, the fewest that make CHUNK_BYTES of pages'
    JSON a file or less on average (and hold at most MAX_ENTRIES entries
    each: a fuller file doubles them); small pages (SMALL_PAGE bytes or
    less: a department's page across years is ~250 bytes) among their own,
    so that a file read for one holds many (a department's name finds many
    such pages, as when pages were put in files in order). The files of
    other pages are numbered 0, 2, 4 …, of small ones 1, 3, 5 …; the pages
    of a file in the order of their locations. So a page added, changed or
    removed changes its own file only, unless it takes the size of its kind
    past a power of two (then every page of the kind may move: once for
    each doubling). A page of more entries than MAX_ENTRIES (none so far)
    is cut into files after those, in order.

    A page's JSON is made once (Page) and joined with its file's others
    (compact JSON: a list's text is its items' joined by commas)."""
    pages = {p.location: p for p in found}
    if len(pages) != len(found):
        raise SearchIndexError("the search entries of a page were given in two parts")
    files: dict[int, list[str]] = {}
    top = 0
    for kind in (0, 1):
        # a page's size as it was reckoned when entry files held [whole page's JSON]
        held = sorted(page for page, p in pages.items() if p.n <= MAX_ENTRIES and (len(p.json) + 2 <= SMALL_PAGE) == kind)
        size, buckets = sum(len(pages[page].json) + 2 for page in held), 1
        while buckets * CHUNK_BYTES < size:
            buckets *= 2
        while True:
            these: dict[int, list[str]] = {}
            for page in held:
                these.setdefault(2 * page_file(page, buckets) + kind, []).append(page)
            if all(sum(pages[page].n for page in found) <= MAX_ENTRIES for found in these.values()):
                break
            buckets *= 2
        files.update(these)
        top = max(top, 2 * buckets)
    out = [(n, [pages[page] for page in held], b"[" + b",".join(pages[page].json for page in held) + b"]")
           for n, held in sorted(files.items())]
    n = top
    for page in sorted(page for page, p in pages.items() if p.n > MAX_ENTRIES):
        for at in range(0, pages[page].n, MAX_ENTRIES):
            part = pages[page].cut(at, min(at + MAX_ENTRIES, pages[page].n))
            out.append((n, [part], b"[" + part.json + b"]"))
            n += 1
    if n > 1 << 23:     # a reference must stay below 2^31 (the worker reads it as a signed 32-bit integer)
        raise SearchIndexError(f"the search index would need {n:,} entry files: more than it can name")
    return out


def _json(entries: list[dict]) -> bytes:
    """Entries as an entry file holds them: [[location, title, text], …], compact, UTF-8."""
    return json.dumps([[d["location"], d["title"], d["text"]] for d in entries], ensure_ascii=False,
                      separators=(",", ":")).encode("utf-8")


def _postings(chunks: list[tuple[int, list[Page]]]) -> tuple[pa.Array, pa.Array, np.ndarray]:
    """Every term, in code point order; the entries that hold it, as the
    items of a JSON list ("4,8,…"); whether CAP cut them. An entry is its
    reference (file * 256 + place) with its weight for the term (2 in the
    title, else 1): each as its distance from the one before (from 0 for a
    term's first), times 4, plus the weight. A term held by more than CAP
    entries keeps those where it weighs most, the first of equals.

    With numpy and Arrow, BATCH (term, entry) pairs at a time. Measured on
    the entries of the 10,000 site (26 million pairs, 7.5 million kept;
    wall time, runs alternated on a loaded machine): a Python loop over
    every pair took 9.3–11.7 s, this 1.7–2.6 s. Numbering all pairs at once
    in numpy took 4–5 s, and write_index's memory then rose by 1.26 GB,
    against 0.25 GB for the loop and 0.28 GB for this."""
    names: dict[str, int] = {}      # term → its number, in the order met
    kept, held, capped = _kept(chunks, names)
    lists = _lists(_deltas(kept, held), held)
    terms = pa.array(list(names), pa.string())
    order = pc.sort_indices(terms)      # code point order, as Python's (UTF-8 bytes sort so)
    return terms.take(order), lists.take(order), capped[order.to_numpy()]


def _candidates(chunks: list[tuple[int, list[Page]]], names: dict[str, int]) -> tuple[np.ndarray, np.ndarray]:
    """The (term, entry) pairs that may be kept, as term number * 2^34 +
    (3 - weight) * 2^32 + reference (a reference is below 2^32: the worker
    reads it as a 32-bit integer); and for each term * 4 + 3 - weight, the
    entries that hold it. Taken in entry order, a batch at a time: of a
    term and weight only the first CAP may be kept."""
    seen = np.zeros(0, np.int64)
    found = [np.zeros(0, np.int64)]
    for held, refs, weights in _batches(chunks):
        pair = _numbers(held, names) * 4 + (3 - weights)
        seen = np.append(seen, np.zeros(4 * len(names) - len(seen), np.int64))
        first = _first(pair, seen)
        seen += np.bincount(pair, minlength=len(seen))
        found.append(pair[first] << 32 | refs[first])
    return np.concatenate(found), seen


def _batches(chunks: list[tuple[int, list[Page]]]):
    """The entries' terms, in entry order, BATCH (term, entry) pairs or a
    few more at a time: the strings of terms (space-separated, UTF-8), and
    for each pair its entry's reference and its weight there."""
    held, refs, weights, counts = [], [], [], []
    pairs = 0
    for c, pages in chunks:
        k = 0
        for page in pages:
            lines = page.terms.split(b"\n")
            for at in range(0, len(lines), 2):
                for weight, found in ((2, lines[at]), (1, lines[at + 1])):
                    if found:
                        held.append(found)
                        refs.append(c << 8 | k)
                        weights.append(weight)
                        counts.append(found.count(b" ") + 1)    # terms are separated by one space
                        pairs += counts[-1]
                k += 1
                if pairs >= BATCH:
                    yield _batch(held, refs, weights, counts)
                    held, refs, weights, counts = [], [], [], []
                    pairs = 0
    if held:
        yield _batch(held, refs, weights, counts)


def _batch(held: list[bytes], refs: list[int], weights: list[int], counts: list[int]):
    """The strings, and their references and weights, one a term."""
    return held, np.repeat(np.array(refs, np.int64), counts), np.repeat(np.array(weights, np.int8), counts)


def _numbers(held: list[bytes], names: dict[str, int]) -> np.ndarray:
    """Each term of the strings as its number in `names` (a new term is
    added). The terms are Arrow strings on the bytes of " term term … ",
    each from a space to the next: at 10,000 department-years 0.4–0.6 s of
    CPU in all, Arrow's split_pattern 0.8–1.6 s (measured twice)."""
    data = b" " + b" ".join(held) + b" "
    spaces = np.flatnonzero(np.frombuffer(data, np.uint8) == ord(" "))
    found = pc.dictionary_encode(pa.LargeStringArray.from_buffers(len(spaces) - 1, pa.py_buffer(spaces),
                                                                 pa.py_buffer(data)))
    new = pc.utf8_slice_codeunits(found.dictionary, 1).to_pylist()       # the space gone
    number = np.array([names.setdefault(t, len(names)) for t in new], np.int64)
    return number[found.indices.to_numpy()]


def _first(pair: np.ndarray, seen: np.ndarray) -> np.ndarray:
    """The places of a batch's pairs (term * 4 + 3 - weight, in entry order)
    among the first CAP of theirs, `seen` of each met before: a pair met CAP
    times is out at once (most, once the common terms are met), the others
    numbered in a sort by pair (and so returned in that order)."""
    unfilled = np.flatnonzero(seen[pair] < CAP)
    order = unfilled[_stable_order(pair[unfilled])]
    ordered = pair[order]
    starts = np.flatnonzero(np.diff(ordered, prepend=-1))      # each pair's first place
    # its place among its pair's: in the batch, plus those met before
    place = np.arange(len(ordered)) - np.repeat(starts, np.diff(starts, append=len(ordered))) + seen[ordered]
    return order[place < CAP]


def _kept(chunks: list[tuple[int, list[Page]]], names: dict[str, int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The entries each term keeps, as reference * 4 + weight, by term (its
    number in `names`), in entry order within: of the pairs that may be kept
    (_candidates), the first CAP of the term in the order of the weight
    (most first), then of the entries; how many it keeps; whether CAP cut
    them."""
    key, seen = _candidates(chunks, names)
    counts = seen.reshape(-1, 4).sum(axis=1)
    held = np.minimum(counts, CAP)
    # timsort: each batch's pairs come sorted (_first), and it merges them
    # (0.02 s at 10,000 department-years; quicksort 0.5 s)
    key.sort(kind="stable")
    have = np.diff(np.searchsorted(key, np.arange(len(counts) + 1, dtype=np.int64) << 34))
    taken = np.repeat(np.tile([True, False], len(counts)), np.column_stack((held, have - held)).ravel())
    chosen = key[taken]
    del key, taken              # ~60 MB each array at 10,000 department-years
    return _in_entry_order(chosen), held, counts > CAP


def _in_entry_order(key: np.ndarray) -> np.ndarray:
    """Pairs as term * 2^34 + (3 - weight) * 2^32 + reference, as reference
    * 4 + weight, by term, in entry order within. In place."""
    weight = (key >> 32).astype(np.int8)
    weight &= 3
    weight ^= 3                         # 3 - (3 - weight)
    value = key & 0xFFFFFFFF            # the reference …
    value <<= 2
    value |= weight                     # … * 4 + weight
    del weight
    key >>= 34
    key <<= 34
    key |= value                        # term * 2^34 + reference * 4 + weight
    # stable (timsort): a term's entries of each weight are in entry order already
    key.sort(kind="stable")
    key &= (1 << 34) - 1
    return key


def _stable_order(keys: np.ndarray) -> np.ndarray:
    """The indices that sort non-negative integers, equal ones kept in their
    order: by 16 bits at a time, lowest first, each a stable sort of 16-bit
    integers, which numpy does as a radix sort (26 million keys: ~0.6 s;
    numpy's stable sort of the whole keys 2.1 s, Arrow's 4.3 s once they
    pass 4,096 values)."""
    order = np.argsort((keys & 0xFFFF).astype(np.uint16), kind="stable")
    for shift in range(16, int(keys.max(initial=0)).bit_length(), 16):
        order = order[np.argsort(((keys[order] >> shift) & 0xFFFF).astype(np.uint16), kind="stable")]
    return order


def _deltas(values: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Each term's entries (reference * 4 + weight, by term, in entry order
    within) as written: the reference's distance from the one before, times
    4, plus the weight. In place."""
    before = np.zeros_like(values)
    before[1:] = values[:-1]
    before >>= 2
    before <<= 2
    before[np.cumsum(counts[:-1])] = 0        # a term's first: from 0
    return np.subtract(values, before, out=values)


def _lists(items: np.ndarray, counts: np.ndarray) -> pa.Array:
    """Items, grouped by counts, as the insides of JSON lists."""
    return pc.binary_join(_grouped(pa.array(items).cast(pa.string()), counts), ",")


def _grouped(values: pa.Array, counts: np.ndarray) -> pa.ListArray:
    return pa.ListArray.from_arrays(np.concatenate(([0], np.cumsum(counts))).astype(np.int32), values)


def _term_files(terms: pa.Array, lists: pa.Array, capped: np.ndarray) -> pa.Array:
    """The term files' JSON: a power of two of them, the nearest to their
    size in TERM_FILE_BYTES (so their number changes only when the index
    doubles, and a term stays in its file till then), a term in the file of
    its hash, in code point order there. Made by Arrow, and
    read by write_index a file at a time (as Python strings all at once,
    they took 150 MB more at 10,000 department-years)."""
    size = (3 * pc.sum(pc.utf8_length(terms), min_count=0).as_py()
            + pc.sum(pc.binary_length(lists), min_count=0).as_py() + 8 * len(terms))
    files = 1
    while 2 * (files * TERM_FILE_BYTES) ** 2 < size ** 2:      # files * TERM_FILE_BYTES * √2 < size
        files *= 2
    names = terms.to_pylist()
    where = np.array([term_file(t, files) for t in names], np.int64)
    # "term":[…]; a term needs no escaping in JSON (Chinese characters, Latin letters and digits: _TERMS)
    pairs = pc.binary_join_element_wise('"', terms, '":[', lists, "]", "")
    by_file = np.argsort(where, kind="stable")      # terms stay in code point order
    bodies = pc.binary_join(_grouped(pairs.take(by_file), np.bincount(where, minlength=files)), ",")
    capped_by_file: list[list[str]] = [[] for _ in range(files)]
    for i in np.flatnonzero(capped):
        capped_by_file[where[i]].append(names[i])
    capped_json = pa.array([json.dumps(c, ensure_ascii=False) for c in capped_by_file], pa.string())
    return pc.binary_join_element_wise('{"t":{', bodies, '},"c":', capped_json, "}", "")


@dataclass
class Written:
    """What write_index wrote: the index's entries and files, how many of
    the files it wrote (the others kept as the last build left them), and
    its record for the next build (reuse.record keeps it)."""
    entries: int
    term_files: int
    entry_files: int
    written: int
    record: dict


def write_index(site_dir: Path, new: list[dict], last: dict | None = None, pages: list[Page] = ()) -> Written:
    """The bounded index of mkdocs' entries (the index pages) and ours
    (`new` entries and `pages`, each page's entries in one of the two),
    written under site_dir/search/, and our worker in place of the theme's.
    `last`: the record of the index the last build left in search/t/ and
    search/c/ (Written.record), whose files that are as it says and hold
    the same text are kept, not written again; any other file there goes."""
    path = site_dir / "search" / "search_index.json"
    try:
        index = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise SearchIndexError(f"{path}: mkdocs' search index cannot be read ({e}): "
                               "is the `search` plugin on in the mkdocs configuration?") from e
    # without the zero-width spaces the theme's plugin puts between words it cuts (with jieba, when
    # another configuration lets it: run_mkdocs does not)
    docs = [{"location": d["location"], "title": d["title"].replace("\u200b", ""),
             "text": d["text"].replace("\u200b", "")} for d in index["docs"]] + new
    found = pages_of(docs) + list(pages)
    entry_files = _entry_files(found)
    term_files = _term_files(*_postings([(c, held) for c, held, _ in entry_files]))
    files = _Files(site_dir / "search", last)
    for n, text in enumerate(term_files):
        files.put(f"t/{n}.json.gz", text.as_buffer().to_pybytes())
    for c, _, text in entry_files:
        files.put(f"c/{c}.json.gz", text)
    record = files.finish()
    # last, once every file is in place (till then the theme's worker reads mkdocs' own index, not
    # these files); the theme hands the worker the config and the docs, nothing else: ours goes in the config
    entries = sum(p.n for p in found)
    _dump(path, {"config": {**index["config"], "yusuan": {"terms": len(term_files), "cap": CAP, "entries": entries}},
                 "docs": []})
    replace_worker(site_dir)
    return Written(entries, len(term_files), len(entry_files), len(files.fresh), record)


# How a text becomes a file's bytes: gzip level 6, time stamp 0 (the same
# index, the same bytes), by this zlib. A file of another build is kept only
# if the record says it was made so (another zlib may make other bytes).
GZIP = f"gzip level 6, mtime 0, zlib {zlib.ZLIB_RUNTIME_VERSION}"


class _Files:
    """The index's files under search/t/ and search/c/, each written unless
    the last build's is there, as its record says (size and time, or else
    SHA-256 of its bytes, as render/reuse.py checks a page's files), with
    the same text (SHA-256). Gzip (a third of the bytes for entry files, a
    fiftieth for term files) and making files were most of the index's
    time when every file was written."""

    def __init__(self, folder: Path, last: dict | None):
        self.folder = folder
        self.known: dict[str, list] = (last.get("files") or {}) if last and last.get("gzip") == GZIP else {}
        self.found = self._found()          # the files there: relative path → lstat
        self.files: dict[str, list] = {}    # relative path → [size, mtime_ns, SHA-256 of its bytes, of its text]
        self.fresh: list[str] = []         # those written

    def _found(self) -> dict[str, os.stat_result]:
        """The regular files in t/ and c/ (folders made if need be); anything
        else there (a folder, a link) removed."""
        found = {}
        for sub in ("t", "c"):
            folder = self.folder / sub
            if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
                folder.unlink()
            folder.mkdir(parents=True, exist_ok=True)
            with os.scandir(folder) as entries:
                for entry in entries:
                    if entry.is_file(follow_symlinks=False):
                        found[f"{sub}/{entry.name}"] = entry.stat(follow_symlinks=False)
                    elif entry.is_dir(follow_symlinks=False):
                        shutil.rmtree(entry.path)
                    else:
                        os.unlink(entry.path)
        return found

    def put(self, rel: str, data: bytes) -> None:
        """A file of the index, its text in UTF-8."""
        digest = hashlib.sha256(data).hexdigest()
        st, was = self.found.pop(rel, None), self.known.get(rel)
        if st and was and was[3] == digest and st.st_size == was[0] and (
                st.st_mtime_ns == was[1] or _digest(self.folder / rel) == was[2]):
            self.files[rel] = [st.st_size, st.st_mtime_ns, was[2], digest]
            return
        packed = gzip.compress(data, compresslevel=6, mtime=0)
        path = self.folder / rel
        if st and st.st_nlink > 1:
            path.unlink()       # not written through another name of the file
        # a file there is written over: measured here (ext4), ~65 µs a file where making one took
        # ~370 µs, deleting and making one ~800 µs
        path.write_bytes(packed)
        self.files[rel] = [len(packed), 0, hashlib.sha256(packed).hexdigest(), digest]
        self.fresh.append(rel)

    def finish(self) -> dict:
        """Remove the files of the last build not put; the record of the
        index's files (the times of those written read now, after them all)."""
        for rel in self.found:
            (self.folder / rel).unlink()
        for rel in self.fresh:
            st = os.lstat(self.folder / rel)
            if st.st_size != self.files[rel][0]:
                self.files[rel][2] = ""       # changed since written: never kept
            self.files[rel][:2] = [st.st_size, st.st_mtime_ns]
        return {"gzip": GZIP, "files": self.files}


def _digest(path: Path) -> str:
    """A file's SHA-256; "" when it cannot be read."""
    try:
        with open(path, "rb") as f:
            return hashlib.file_digest(f, "sha256").hexdigest()
    except OSError:
        return ""


def _dump(path: Path, obj) -> None:
    path.write_text(json.dumps(obj, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")


def replace_worker(site_dir: Path) -> None:
    """Our worker in the file the theme names as its search worker (its name
    is in every page's configuration); the theme's lunr scripts and the
    worker's source map go, being unused."""
    workers = sorted((site_dir / "assets" / "javascripts" / "workers").glob("search.*.min.js"))
    if len(workers) != 1:
        raise SearchIndexError(f"{site_dir / 'assets/javascripts/workers'}: expected one search worker of "
                               f"mkdocs-material, found {len(workers)}: is the theme `material`?")
    shutil.copyfile(WORKER, workers[0])
    for extra in workers[0].parent.glob("search.*.min.js.map"):
        extra.unlink()
    shutil.rmtree(site_dir / "assets" / "javascripts" / "lunr", ignore_errors=True)
