"""Search index entries for the department pages, which mkdocs does not
render one by one (see shell.py), in the format of mkdocs-material's search
plugin: one entry per page and per section, Chinese segmented with jieba at
build time exactly as the plugin does it.

What is indexed is what a reader searches for: the page title, the units,
the headline figures with their values (a result shows the figure it
matched), and per section its heading, its figures and the words in its
tables (names of function classes, economic items, projects, indicators),
not the tables' amounts.

The theme shows an entry's title and text as HTML, so every text is escaped
first, as the plugin escapes what it reads from a page (html.escape,
quote=False): a project named `<img onerror=…>` must stay text.
"""
from __future__ import annotations

import functools
import html
import json
from pathlib import Path

from backrefs import bre

from yusuan.render.tables import Table

_HAN = bre.compile(r"(\p{script: Han}+)", bre.UNICODE)   # the plugin's pattern, in its dialect


@functools.lru_cache(maxsize=200_000)
def segment(text: str) -> str:
    """Plain text as the index holds it: HTML-escaped, then Chinese runs cut
    into words by jieba, as the search plugin does it (Parser.handle_data,
    then SearchIndex._segment_chinese: each run of Han characters cut on its
    own and wrapped in zero-width spaces). The same names recur in every
    document, hence the caches; runs recur more than whole texts."""
    return _HAN.sub(_cut, html.escape(text, quote=False)).strip("\u200b")


def _cut(match) -> str:
    return _cut_run(match.group(0))


@functools.lru_cache(maxsize=200_000)
def _cut_run(run: str) -> str:
    import jieba
    return "\u200b" + "\u200b".join(jieba.cut(run)) + "\u200b"


def _words(table: Table) -> list[str]:
    """The table's caption and its text cells (amounts and counts left out)."""
    out = [table.caption] if table.caption else []
    for row in table.rows:
        out += [cell.text for cell in row.cells if cell.text and "num" not in cell.cls]
    return out


def _entry(location: str, title: str, parts: list[str]) -> dict:
    text = " ".join(segment(p) for p in dict.fromkeys(p for p in parts if p))
    return {"location": location, "title": segment(title), "text": text}


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
            parts += _words(t)
        out.append(_entry(f"{url}#{sec.id}", sec.title, parts))
    for sub in ctx["subpages"]:
        if sub.searchable:
            out.append(_entry(f"{url}{sub.id}/", f"{ctx['title']}：{sub.title}",
                              [w for t in sub.tables for w in _words(t)]))
    return out


def department_entries(page) -> list[dict]:
    """The entry of a department's page across years (departments.Page)."""
    parts = [*page.names, *(f"{d['year']} 年{d['kind']}" for d in page.docs)]
    return [_entry(f"departments/{page.slug}/", page.title, parts)]


def add_entries(site_dir: Path, new: list[dict]) -> None:
    """Append entries to the index mkdocs wrote (same JSON form as the plugin's)."""
    path = site_dir / "search" / "search_index.json"
    index = json.loads(path.read_text(encoding="utf-8"))
    index["docs"] += new
    path.write_text(json.dumps(index, separators=(",", ":"), default=str), encoding="utf-8")
