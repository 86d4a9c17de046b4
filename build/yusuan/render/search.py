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
from array import array
from pathlib import Path

from yusuan.render.tables import Table

WORKER = Path(__file__).resolve().parent.parent / "assets" / "search_worker.js"
CAP = 2000              # entries kept per term
CHUNK_BYTES = 16_000    # an entry file's size (a page larger than this is a file of its own)
TERM_FILE_BYTES = 16_000  # a term file's mean size (the largest is a few times that)
MAX_ENTRIES = 255       # entries per entry file (an entry's number is file * 256 + place)

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


def _postings(chunks: list[list[dict]]) -> dict[str, tuple[str, bool]]:
    """term → (the entries that hold it, as the items of a JSON list; whether
    CAP cut them). An entry is its reference (file * 256 + place) with its
    weight for the term (2 in the title, else 1): each as its distance from
    the one before, times 4, plus the weight. A term held by more than CAP
    entries keeps those where it weighs most, the first of equals."""
    found: dict[str, array] = {}     # arrays of machine integers: 8 bytes an entry, not a Python int's 36
    for c, chunk in enumerate(chunks):
        for k, d in enumerate(chunk):
            ref = (c << 8 | k) << 2
            title, text = d["terms"] if "terms" in d else entry_terms(d)     # mkdocs' entries have none
            for weight, held in ((2, title.split()), (1, text.split())):
                for t in held:
                    refs = found.get(t)
                    if refs is None:
                        found[t] = array("q", (ref | weight,))
                    else:
                        refs.append(ref | weight)
    out = {}
    for t, refs in found.items():      # each list ascends: entries were taken in order
        capped = len(refs) > CAP
        if capped:
            refs = sorted(sorted(refs, key=lambda r: r & 3, reverse=True)[:CAP])
        last, items = 0, []
        for r in refs:
            items.append(((r >> 2) - last) << 2 | (r & 3))
            last = r >> 2
        out[t] = (",".join(map(str, items)), capped)
    return out


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
    encoded = _postings(chunks)
    size = sum(len(t) * 3 + len(flat) + 8 for t, (flat, _) in encoded.items())
    files = max(1, math.ceil(size / TERM_FILE_BYTES))
    by_file: list[dict[str, str]] = [{} for _ in range(files)]
    capped_by_file: list[list[str]] = [[] for _ in range(files)]
    for t in sorted(encoded):
        flat, capped = encoded[t]
        n = term_file(t, files)
        by_file[n][t] = flat
        if capped:
            capped_by_file[n].append(t)
    folder = site_dir / "search"
    for sub in ("t", "c"):
        shutil.rmtree(folder / sub, ignore_errors=True)
        (folder / sub).mkdir(parents=True)
    for n, found in enumerate(by_file):    # the lists are JSON already
        terms_json = ",".join(f"{json.dumps(t, ensure_ascii=False)}:[{flat}]" for t, flat in found.items())
        _gzip(folder / "t" / f"{n}.json.gz",
              f'{{"t":{{{terms_json}}},"c":{json.dumps(capped_by_file[n], ensure_ascii=False)}}}')
    for c, chunk in enumerate(chunks):
        _gzip(folder / "c" / f"{c}.json.gz",
              json.dumps([[d["location"], d["title"], d["text"]] for d in chunk], ensure_ascii=False, separators=(",", ":")))
    # the theme hands the worker the config and the docs, nothing else: ours goes in the config
    _dump(path, {"config": {**index["config"], "yusuan": {"terms": files, "cap": CAP, "entries": len(docs)}},
                 "docs": []})
    replace_worker(site_dir)
    return {"entries": len(docs), "term_files": files, "entry_files": len(chunks)}


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
