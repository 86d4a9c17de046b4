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
  hashed into one of n files, with the entries that hold it. A term held by
  more than CAP entries keeps the CAP where it weighs most (in the title,
  most often), so no term file grows with the site beyond
  (terms in it) × CAP;
- `search/c/<n>.json.gz`, the entry files: whole pages' entries (location,
  title, text), about CHUNK_BYTES each; an entry is named by its file and
  its place in it.

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
import html
import json
import math
import operator
import re
import shutil
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from yusuan.render.tables import Table

WORKER = Path(__file__).resolve().parent.parent / "assets" / "search_worker.js"
CAP = 2000              # entries kept per term
CHUNK_BYTES = 16_000    # an entry file's size (a page larger than this is a file of its own)
TERM_FILE_BYTES = 16_000  # a term file's mean size (the largest is a few times that)
MAX_ENTRIES = 255       # entries per entry file (an entry's number is file * 256 + place)
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


def _pages(docs: list[dict]) -> list[list[dict]]:
    """Entries grouped by page, in order (a page's entries are consecutive)."""
    pages: list[list[dict]] = []
    current = None
    for d in docs:
        page = d["location"].split("#")[0]
        if page != current:
            pages.append([])
            current = page
        pages[-1].append(d)
    return pages


def _chunks(docs: list[dict]) -> list[list[dict]]:
    """Whole pages into entry files of about CHUNK_BYTES (at most MAX_ENTRIES
    entries; a page of more sections than that, none so far, is cut)."""
    chunks: list[list[dict]] = []
    size = CHUNK_BYTES
    for page in _pages(docs):
        while len(page) > MAX_ENTRIES:
            chunks.append(page[:MAX_ENTRIES])
            page = page[MAX_ENTRIES:]
            size = CHUNK_BYTES
        page_size = sum(len(d["location"]) + len(d["title"].encode()) + len(d["text"].encode()) for d in page)
        if size + page_size > CHUNK_BYTES or len(chunks[-1]) + len(page) > MAX_ENTRIES:
            chunks.append([])
            size = 0
        chunks[-1] += page
        size += page_size
    return chunks


def _postings(chunks: list[list[dict]]) -> tuple[pa.Array, pa.Array, np.ndarray]:
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


def _candidates(chunks: list[list[dict]], names: dict[str, int]) -> tuple[np.ndarray, np.ndarray]:
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


def _batches(chunks: list[list[dict]]):
    """The entries' terms, in entry order, BATCH (term, entry) pairs or a
    few more at a time: the strings of terms (space-separated), and for
    each pair its entry's reference and its weight there."""
    held, refs, weights, counts = [], [], [], []
    pairs = 0
    for c, chunk in enumerate(chunks):
        for k, d in enumerate(chunk):
            title, text = d["terms"] if "terms" in d else entry_terms(d)     # mkdocs' entries have none
            for weight, found in ((2, title), (1, text)):
                if found:
                    held.append(found)
                    refs.append(c << 8 | k)
                    weights.append(weight)
                    counts.append(found.count(" ") + 1)    # terms are separated by one space
                    pairs += counts[-1]
            if pairs >= BATCH:
                yield _batch(held, refs, weights, counts)
                held, refs, weights, counts = [], [], [], []
                pairs = 0
    if held:
        yield _batch(held, refs, weights, counts)


def _batch(held: list[str], refs: list[int], weights: list[int], counts: list[int]):
    """The strings, and their references and weights, one a term."""
    return held, np.repeat(np.array(refs, np.int64), counts), np.repeat(np.array(weights, np.int8), counts)


def _numbers(held: list[str], names: dict[str, int]) -> np.ndarray:
    """Each term of the strings as its number in `names` (a new term is
    added). The terms are Arrow strings on the bytes of " term term … ",
    each from a space to the next: at 10,000 department-years 0.4–0.6 s of
    CPU in all, Arrow's split_pattern 0.8–1.6 s (measured twice)."""
    data = f" {' '.join(held)} ".encode()
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


def _kept(chunks: list[list[dict]], names: dict[str, int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
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
    """The term files' JSON: as many as make TERM_FILE_BYTES each, a term in
    the file of its hash, in code point order there. Made by Arrow, and
    read by write_index a file at a time (as Python strings all at once,
    they took 150 MB more at 10,000 department-years)."""
    size = (3 * pc.sum(pc.utf8_length(terms), min_count=0).as_py()
            + pc.sum(pc.binary_length(lists), min_count=0).as_py() + 8 * len(terms))
    files = max(1, math.ceil(size / TERM_FILE_BYTES))
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


def write_index(site_dir: Path, new: list[dict]) -> dict:
    """The bounded index of mkdocs' entries (the index pages) and `new` (ours),
    written under site_dir/search/, and our worker in place of the theme's.
    Returns what was written (entries, term and entry files)."""
    path = site_dir / "search" / "search_index.json"
    try:
        index = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise SearchIndexError(f"{path}: mkdocs' search index cannot be read ({e}): "
                               "is the `search` plugin on in the mkdocs configuration?") from e
    docs = [{"location": d["location"], "title": d["title"].replace("\u200b", ""),
             "text": d["text"].replace("\u200b", "")} for d in index["docs"]] + new
    chunks = _chunks(docs)
    term_files = _term_files(*_postings(chunks))
    folder = site_dir / "search"
    for sub in ("t", "c"):
        shutil.rmtree(folder / sub, ignore_errors=True)
        (folder / sub).mkdir(parents=True)
    for n, text in enumerate(term_files):
        _gzip(folder / "t" / f"{n}.json.gz", text.as_py())
    for c, chunk in enumerate(chunks):
        _gzip(folder / "c" / f"{c}.json.gz",
              json.dumps([[d["location"], d["title"], d["text"]] for d in chunk], ensure_ascii=False, separators=(",", ":")))
    # the theme hands the worker the config and the docs, nothing else: ours goes in the config
    _dump(path, {"config": {**index["config"], "yusuan": {"terms": len(term_files), "cap": CAP, "entries": len(docs)}},
                 "docs": []})
    replace_worker(site_dir)
    return {"entries": len(docs), "term_files": len(term_files), "entry_files": len(chunks)}


def _gzip(path: Path, text: str) -> None:
    """A term or entry file, gzip-compressed (the worker unpacks it): a third
    of the bytes for entry files, a fiftieth for term files (measured at
    1,000 department-years: 40.6 MB of index → 8.6 MB). Fixed time stamp:
    the same index, the same bytes."""
    path.write_bytes(gzip.compress(text.encode("utf-8"), compresslevel=6, mtime=0))


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
