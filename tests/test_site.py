"""The rendered site: every page, escaping, no outside hosts, page size,
determinism. Runs on the fixture data folder (tests/site_fixtures.py, with
HTML in project names and a very large department) and on the real samples
(`data_dir` from conftest.py)."""
from __future__ import annotations

import gzip
import json
import math
import re
from collections import Counter
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urldefrag, urlparse

import pandas as pd
import pytest

from site_fixtures import (LINE_LINK, build, fixture_data, fixture_site, line_links, multi_year_site,  # noqa: F401 - fixtures
                           real_site)
from yusuan.render.department import MAX_ROWS
from yusuan.render.site import json_text
from yusuan.schema import DATASETS

MAX_PAGE = 100_000
# XML namespace names: identifiers inside SVG code and inside the XLSX that
# site.js makes of a document's data, never fetched.
NAMESPACES = {"www.w3.org", "schemas.openxmlformats.org", "purl.org"}
# mkdocs-material's own bundle names hosts it loads only on demand (mermaid
# diagrams, a ResizeObserver polyfill for old browsers, GitHub repo facts):
# none of those features is used, and the browser test proves nothing is fetched.
THIRD_PARTY = "assets/javascripts/"


@pytest.fixture(scope="session", params=["fixture", "real"])
def built(request, fixture_data, data_dir):
    """(data folder, site folder) for the fixture and for the real samples."""
    if request.param == "fixture":
        return fixture_data, request.getfixturevalue("fixture_site")
    return data_dir, request.getfixturevalue("real_site")


def doc_ids(data: Path) -> list[str]:
    return sorted(pd.read_parquet(data / "documents.parquet")["doc_id"])


def html_files(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.urls: list[tuple[str, str, str]] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("src", "href", "data-spec", "data-kind", "action", "poster") and value:
                self.urls.append((tag, name, value))
        self._in_script = tag == "script"

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts.append(data)


def links(page: Path) -> Links:
    p = Links()
    p.feed(page.read_text(encoding="utf-8"))
    return p


def test_every_department_page_exists_and_is_linked(built):
    data, site = built
    home = (site / "index.html").read_text(encoding="utf-8")
    for doc_id in doc_ids(data):
        page = site / "docs" / doc_id / "index.html"
        assert page.exists(), doc_id
        assert f'href="docs/{doc_id}/"' in home, f"home does not link {doc_id}"
        # the document's XLSX and CSVs are made in the browser from its data file (test_browser.py)
        assert (site / "docs" / doc_id / "data.json.gz").stat().st_size > 0
        assert not list((site / "docs" / doc_id).glob("*.xlsx")) and not list((site / "docs" / doc_id).glob("*.zip"))
    for name in ("compare", "transparency", "data", "method", "about"):
        assert (site / name / "index.html").exists(), name


def test_department_pages_are_not_in_the_nav(built):
    data, site = built
    home = (site / "index.html").read_text(encoding="utf-8")
    nav = home[home.index('<nav class="md-nav md-nav--primary"'):]
    nav = nav[:nav.index("</nav>")]
    assert "docs/" not in nav


def test_department_page_under_100_kb(built):
    data, site = built
    for doc_id in doc_ids(data):
        size = (site / "docs" / doc_id / "index.html").stat().st_size
        assert size < MAX_PAGE, f"{doc_id}: {size:,} bytes"


def test_document_text_is_escaped(fixture_site):
    page = (site_page := fixture_site / "docs" / "2026-ats-swkj" / "index.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    for path in html_files(fixture_site):
        text = path.read_text(encoding="utf-8")
        assert "<script>alert" not in text, path
        assert "<img src=x" not in text, path
        assert "onerror=alert" not in text.replace("&lt;img src=x onerror=alert", ""), path
    # the only script elements are the theme's and ours
    for tag, attr, url in links(site_page).urls:
        if tag == "script":
            assert url.startswith("../../assets/"), url


def test_chart_specs_cannot_close_a_script(fixture_site):
    specs = chart_rows_files(fixture_site)
    assert specs
    for spec in specs:
        text = gzip.decompress(spec.read_bytes()).decode("utf-8")
        assert not set("<>&") & set(text), spec
    projects = json.loads(gzip.decompress((fixture_site / "docs" / "2026-ats-swkj" / "charts.json.gz").read_bytes()))
    assert "<script>" in json.dumps(projects["projects"], ensure_ascii=False)    # escaped in the file, itself again when parsed


def chart_rows_files(site: Path) -> list[Path]:
    """Every page's charts' rows (charts.json.gz beside the page)."""
    return sorted(site.rglob("charts.json.gz"))


EXPRESSION_KEYS = {"calculate", "expr", "labelExpr", "filter", "test", "signal"}


def test_chart_expressions_hold_no_document_text(built):
    """Vega expressions are code: every one in every chart spec is one of
    ours, whatever the documents hold (a stacking order built from function
    class names used to be one)."""
    _, site = built
    found = set()

    def walk(node):
        if isinstance(node, dict):
            for k, v in node.items():
                if k in EXPRESSION_KEYS and isinstance(v, str):
                    found.add(v)
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)
    specs = chart_rows_files(site)
    assert len(specs) > 4
    for spec in specs:
        walk(json.loads(gzip.decompress(spec.read_bytes())))
    assert found <= {"datum.label || '公开'"}, found


def test_json_text_escapes_html():
    s = json_text({"name": "</script><script>alert(1)</script>&"})
    assert "<" not in s and ">" not in s and "&" not in s
    assert s == '{"name":"\\u003c/script\\u003e\\u003cscript\\u003ealert(1)\\u003c/script\\u003e\\u0026"}'


def _external(url: str) -> bool:
    return bool(urlparse(url).netloc) or url.startswith("//")


def test_no_outside_hosts(built):
    _, site = built
    for page in html_files(site):
        for tag, attr, url in links(page).urls:
            assert not _external(url), f"{page}: <{tag} {attr}={url}>"
    for path in sorted(site.rglob("*.css")) + sorted(site.rglob("*.js")):
        if THIRD_PARTY in path.as_posix() and path.suffix == ".js":
            continue
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".css":
            # license comments (CSS, and SVG ones inside data: URIs) name hosts; they load nothing
            text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
            text = re.sub(r"(\\3c|<)\s?!--.*?--(>|\\3e)", "", text, flags=re.S)   # escaped or not (material 9.5)
        hosts = {urlparse(u).netloc for u in re.findall(r"https?://[^\s\"'()<>]+", text)}
        assert hosts <= NAMESPACES, f"{path}: {sorted(hosts - NAMESPACES)}"
        if path.suffix == ".css":
            assert not re.search(r"url\(\s*['\"]?(https?:)?//", text), path
            assert "@import" not in text, path


def test_every_internal_link_resolves(built):
    _, site = built
    for page in html_files(site):
        if page.name == "404.html":   # served at any depth, so mkdocs links it from the site root
            continue
        for tag, attr, url in links(page).urls:
            url = urldefrag(url)[0].split("?")[0]    # a query only sets a page's filters (compare/?year=…)
            if not url or url.startswith(("mailto:", "javascript:", "data:")) or _external(url):
                continue
            target = (page.parent / url).resolve()
            if url.endswith("/") or target.is_dir():
                target = target / "index.html"
            assert target.exists(), f"{page.relative_to(site)}: {attr}={url}"


def test_data_page_covers_every_dataset(built):
    _, site = built
    page = (site / "data" / "index.html").read_text(encoding="utf-8")
    for ds in DATASETS:
        assert f'id="{ds.name}"' in page, ds.name
        assert f'href="files/{ds.name}.parquet"' in page and f'href="files/{ds.name}.csv"' in page, ds.name
        for f in ds.fields:
            assert f">{f.name}<" in page, f"{ds.name}.{f.name}"
    for name in ("yusuan.xlsx", "yusuan.duckdb", "datapackage.json"):
        assert f'href="files/{name}"' in page


def test_numbers_are_formatted_and_aligned(fixture_site):
    page = (fixture_site / "docs" / "2026-xj-gxt" / "index.html").read_text(encoding="utf-8")
    # the amount columns of the expenditure table said once by the table (n3 n4 n5), aligned by site.css
    table = re.search(r'<table class="([^"]*)"[^>]*>\s*<caption>部门支出总体情况表', page)
    assert table and {"n3", "n4", "n5", "l6"} <= set(table[1].split())
    assert re.search(r'<tr class="d1 i1"><td>\d{5}</td><td>[^<]+</td><td>\d{1,3}(,\d{3})*\.\d\d</td>', page)
    assert 'class="d2 i2"' in page   # 项 rows indented under 款 and 类 (tr.i2 in site.css)
    css = (fixture_site / "assets" / "yusuan" / "site.css").read_text(encoding="utf-8")
    assert "table.n3 td:nth-child(3)" in css and "tr.i2 td:nth-child(2)" in css


def rows_file(folder: Path) -> dict:
    """A document page's rows file: {table name: rows_data} (render/department.py ROWS_FILE)."""
    return json.loads(gzip.decompress((folder / "rows.json.gz").read_bytes()))


def test_a_wide_table_says_the_columns_site_css_aligns(fixture_site):
    """A table says a column's class for the columns site.css has rules for
    (SAID_COLUMNS); a cell further right keeps its own class."""
    from yusuan.render.tables import SAID_COLUMNS, Col, Row, Table, m, to_html

    n = SAID_COLUMNS + 2
    html = str(to_html(Table([Col(str(k), True) for k in range(n)], [Row([m(1.0) for _ in range(n)])])))
    said = re.search(r'<table class="([^"]*)"', html)[1].split()
    assert said == ["ys-table"] + [f"n{k}" for k in range(1, SAID_COLUMNS + 1)]
    assert re.findall(r"<td[^>]*>", html) == ["<td>"] * SAID_COLUMNS + ['<td class="num">'] * 2
    css = (fixture_site / "assets" / "yusuan" / "site.css").read_text(encoding="utf-8")
    for k in (1, SAID_COLUMNS):
        assert f"table.n{k} td:nth-child({k})" in css and f"table.l{k} td:nth-child({k})" in css
    assert f"table.n{SAID_COLUMNS + 1} " not in css


def test_secret_projects_marked(fixture_site):
    rows = rows_file(fixture_site / "docs" / "2026-ats-swkj")["projects"]
    secret = [r for r in rows["rows"] if r[0] == ["", "secret"]]
    assert secret and secret[0][1:3] == ["特定目标类项目XXXXX", ["不予公开", None, None, "secret-mark"]]


def test_detail_tables_are_drawn_from_the_rows_file(built):
    """A document page's detail tables (projects, carryover, 比上年, every
    绩效目标 indicator, every check) have no rows in the HTML: each is a
    table of the page's rows file, as many rows as its dataset."""
    data, site = built
    datasets = {name: pd.read_parquet(data / f"{name}.parquet")
                for name in ("projects", "carryover", "yoy_changes", "performance_targets", "checks", "assets")}
    tables = {"projects": "projects", "carryover": "carryover", "yoy": "yoy_changes",
              "targets": "performance_targets", "checks": "checks", "assets": "assets"}
    seen = Counter()
    for doc_id in doc_ids(data):
        folder = site / "docs" / doc_id
        html = (folder / "index.html").read_text(encoding="utf-8")
        rows = rows_file(folder)
        for name, dataset in tables.items():
            whole = datasets[dataset]
            mine = whole[whole.doc_id == doc_id]
            if name == "projects":
                mine = mine[~mine.project.isin(["合计", "总计"])]
            if mine.empty:
                assert name not in rows, (doc_id, name)
                continue
            assert len(rows[name]["rows"]) == len(mine), (doc_id, name)
            tag = re.search(rf'<table [^>]*data-rows="rows.json.gz" data-total="(\d+)"[^>]* data-name="{name}">', html)
            assert tag and int(tag[1]) == len(mine), (doc_id, name)
            # the pager counts rows (“共 35 行”), checks (条) and indicators (个)
            unit = {"checks": "条", "targets": "个"}.get(name, "行")
            assert f'data-unit="{unit}"' in tag[0], (doc_id, name, tag[0])
            body = html[tag.end():]
            assert body[body.index("<tbody>"):body.index("</tbody>")] == "<tbody>\n", (doc_id, name)
            if name == "assets":   # a tree: its vehicles indented under 车辆 (site.css tr.i1)
                indented = [r[0][1] for r in rows[name]["rows"] if isinstance(r[0], list) and "i1" in r[0][1].split()]
                assert len(indented) == mine.item.str.startswith("vehicles_").sum() > 0, doc_id
            seen[name] += 1
    assert all(seen[name] for name in tables), seen


def index_file(path: Path):
    """A search index file (stored gzip-compressed, as the worker reads it)."""
    return json.loads(gzip.decompress(path.read_bytes()).decode("utf-8"))


def index_file_number(path: Path) -> int:
    return int(path.name.split(".")[0])


def search_entries(site: Path) -> list[dict]:
    """Every entry of the site's search index, in order, with its reference (file * 256 + place)."""
    out = []
    for path in sorted((site / "search" / "c").glob("*.json.gz"), key=index_file_number):
        for k, (location, title, text) in enumerate(index_file(path)):
            out.append({"ref": index_file_number(path) << 8 | k, "location": location, "title": title, "text": text})
    return out


def search_refs(site: Path, term: str) -> set[int]:
    """The entries the index lists for a term (as the worker decodes a term file)."""
    from yusuan.render.search import term_file

    stub = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    found = index_file(site / "search" / "t" / f"{term_file(term, stub['config']['yusuan']['terms'])}.json.gz")
    refs, ref = set(), 0
    for v in found["t"].get(term, []):
        ref += v >> 2
        refs.add(ref)
    return refs


def search_hits(site: Path, words: str) -> list[str]:
    """Locations of the entries that hold every term of `words` (no term of a
    small site is capped, so this is every entry that holds them)."""
    from yusuan.render.search import terms

    by_ref = {e["ref"]: e["location"] for e in search_entries(site)}
    refs = set.intersection(*(search_refs(site, t) for t in terms(words)))
    return sorted(by_ref[r] for r in refs)


def test_search_index_is_bounded(built):
    """The stub the theme loads holds no entries; each term file lists at most
    CAP entries a term, every one of them an entry that holds the term; an
    entry file holds whole pages."""
    from yusuan.render.search import CAP, plain, terms

    _, site = built
    stub = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    assert stub["docs"] == [] and stub["config"]["lang"] == ["zh"]
    n = stub["config"]["yusuan"]["terms"]
    assert sorted(index_file_number(p) for p in (site / "search" / "t").glob("*")) == list(range(n))
    entries = {e["ref"]: e for e in search_entries(site)}
    assert len(entries) == stub["config"]["yusuan"]["entries"]
    for path in (site / "search" / "t").glob("*.json.gz"):
        found = index_file(path)
        for term, flat in found["t"].items():
            assert len(flat) <= CAP
            ref = 0
            for v in flat:
                ref += v >> 2
                e = entries[ref]
                assert term in terms(plain(e["title"]) + " " + plain(e["text"])), (term, e["location"])
    assert_entry_files(site)
    # the theme's lunr search is gone: its worker's file is ours
    worker = next((site / "assets" / "javascripts" / "workers").glob("search.*.min.js"))
    assert "yusuan's search worker" in worker.read_text(encoding="utf-8")
    assert not (site / "assets" / "javascripts" / "lunr").exists()


def _power_of_two(total: int, unit: int) -> int:
    """The fewest power of two of files of `unit` bytes that hold `total`."""
    return 1 << (max(1, -(-total // unit)) - 1).bit_length()


def json_size(entries: list) -> int:
    """The bytes of entries (each [location, title, text], or a dict of them) as an entry file's compact JSON."""
    rows = [[e["location"], e["title"], e["text"]] if isinstance(e, dict) else e for e in entries]
    return len(json.dumps(rows, ensure_ascii=False, separators=(",", ":")).encode())


def by_page(entries: list) -> dict[str, list]:
    """Entries (as json_size takes them) by page, a page's in order."""
    pages: dict[str, list] = {}
    for e in entries:
        pages.setdefault((e["location"] if isinstance(e, dict) else e[0]).split("#")[0], []).append(e)
    return pages


def layout(pages: dict[str, list]) -> tuple[dict[str, int], int]:
    """Each page's entry file as render/search.py says: among the pages of
    its kind (small ones: JSON of SMALL_PAGE bytes or less), the one its
    location hashes to among the fewest power of two of them that makes
    CHUNK_BYTES a file or less on average, doubled while one would hold
    more than MAX_ENTRIES entries; the files of small pages odd, the others
    even. And the number after them all (the first of a page longer than
    MAX_ENTRIES)."""
    from yusuan.render import search

    out, top = {}, 0
    for kind in (0, 1):
        held = {page: found for page, found in pages.items()
                if len(found) <= search.MAX_ENTRIES and (json_size(found) <= search.SMALL_PAGE) == kind}
        buckets = _power_of_two(sum(map(json_size, held.values())), search.CHUNK_BYTES)
        while True:
            counts = Counter()
            for page, found in held.items():
                counts[search.page_file(page, buckets)] += len(found)
            if max(counts.values(), default=0) <= search.MAX_ENTRIES:
                break
            buckets *= 2
        out.update({page: 2 * search.page_file(page, buckets) + kind for page in held})
        top = max(top, 2 * buckets)
    return out, top


def assert_entry_files(site: Path) -> None:
    """Whole pages in entry files, each in the file `layout` says, the pages
    of a file in the order of their locations."""
    files = {index_file_number(p): index_file(p) for p in (site / "search" / "c").glob("*.json.gz")}
    pages: dict[str, list[int]] = {}
    for number, chunk in sorted(files.items()):
        order = list(dict.fromkeys(location.split("#")[0] for location, *_ in chunk))
        assert order == sorted(order), number
        for page in order:
            pages.setdefault(page, []).append(number)
    assert all(len(numbers) == 1 for numbers in pages.values())
    where, top = layout(by_page([e for chunk in files.values() for e in chunk]))
    assert {page: numbers[0] for page, numbers in pages.items()} == where and max(files) < top


def _index_site(tmp_path: Path, mkdocs_docs: list[dict]) -> Path:
    """A site folder as mkdocs leaves it for search.write_index: its search index and the theme's worker."""
    site = tmp_path / "site"
    (site / "search").mkdir(parents=True, exist_ok=True)
    (site / "search" / "search_index.json").write_text(
        json.dumps({"config": {"lang": ["zh"]}, "docs": mkdocs_docs}, ensure_ascii=False), encoding="utf-8")
    (site / "assets" / "javascripts" / "workers").mkdir(parents=True, exist_ok=True)
    (site / "assets" / "javascripts" / "workers" / "search.0.min.js").write_text("lunr", encoding="utf-8")
    return site


def _random_entries(seed: int) -> tuple[list[dict], list[dict]]:
    """mkdocs' entries (HTML, zero-width spaces, no terms) and a few hundred of
    ours, some with their terms made beforehand (as department pages' are),
    some without: few characters, so terms overlap and many are in more
    entries than a lowered CAP, in titles of some and texts of others."""
    import random

    from yusuan.render.search import entry_terms

    rng = random.Random(seed)
    chars = "预算支出经费项目部门财政工业信息化厅局三公𠀀〇"     # 𠀀: a character beyond the BMP

    def char() -> str:                 # a common character, or one of 300 rarer ones
        return rng.choice(chars) if rng.random() < 0.8 else chr(0x4E00 + rng.randrange(300))

    def text(n: int) -> str:
        words = ["".join(char() for _ in range(rng.randint(1, 4))) for _ in range(n)]
        words += rng.sample(["2026", "pdf", "x1", "&amp;", "&lt;b&gt;", "“三公”经费", "a&amp;b"], 2)
        rng.shuffle(words)
        return rng.choice([" ", "，", "、"]).join(words)

    mkdocs = [{"location": f"page{p}/" + (f"#s{s}" if s else ""), "title": f"标题\u200b{text(1)}",
               "text": f"<p>{text(6)}</p>\u200b<li>{text(3)}</li>"} for p in range(5) for s in range(3)]
    ours = []
    for p in range(60):
        for s in range(rng.randint(1, 8)):
            e = {"location": f"docs/d{p}/" + (f"#s{s}" if s else ""), "title": text(rng.randint(0, 2)),
                 "text": text(rng.randint(0, 40))}
            if rng.random() < 0.7:
                e["terms"] = entry_terms(e)
            ours.append(e)
    return mkdocs, ours


@pytest.mark.parametrize("batch", [1 << 21, 700])
def test_search_index_files_are_the_entries_terms(tmp_path, monkeypatch, batch):
    """The written index, decoded as the worker decodes it, is the entries'
    terms: each term lists every entry holding it, by reference (file * 256 +
    place) in order, weight 2 where it is in the title, else 1; a term in
    more than CAP entries is listed as capped with the CAP entries where it
    weighs most, the first of equals. And the files' bytes are the format's:
    term files' JSON with terms in code point order, gzip level 6, time stamp
    0, the power of two of term files nearest their size in TERM_FILE_BYTES,
    the entry files as assert_entry_files says. On a few hundred
    random entries, with CAP, CHUNK_BYTES and TERM_FILE_BYTES lowered so that
    many terms are capped and there are many files of each kind; the index
    made at once, and made 700 (term, entry) pairs at a time."""
    from yusuan.render import search
    from yusuan.render.search import plain, term_file, terms

    monkeypatch.setattr(search, "BATCH", batch)
    monkeypatch.setattr(search, "CAP", 9)
    monkeypatch.setattr(search, "CHUNK_BYTES", 1500)
    monkeypatch.setattr(search, "TERM_FILE_BYTES", 700)
    mkdocs, ours = _random_entries(12)
    site = _index_site(tmp_path, mkdocs)
    written = search.write_index(site, ours)

    def packed(text: str) -> bytes:
        return gzip.compress(text.encode("utf-8"), compresslevel=6, mtime=0)

    def compact(obj) -> str:
        return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))

    docs = [{k: d[k].replace("\u200b", "") for k in ("location", "title", "text")} for d in mkdocs + ours]
    entry_files = sorted((site / "search" / "c").glob("*.json.gz"), key=index_file_number)
    assert len(entry_files) > 10
    assert_entry_files(site)
    refs, in_files = [], []
    for path in entry_files:
        chunk = index_file(path)
        assert path.read_bytes() == packed(compact(chunk))
        refs += [index_file_number(path) << 8 | k for k in range(len(chunk))]
        in_files += chunk
    by_page: dict[str, list] = {}
    for d in docs:
        by_page.setdefault(d["location"].split("#")[0], []).append([d["location"], d["title"], d["text"]])
    # every entry, a page's in its order, the pages in their files' order
    assert in_files == [e for page in dict.fromkeys(loc.split("#")[0] for loc, *_ in in_files) for e in by_page[page]]

    held: dict[str, list[tuple[int, int]]] = {}      # term → (ref, weight) of every entry holding it, in order
    for ref, d in zip(refs, ({"location": loc, "title": title, "text": text} for loc, title, text in in_files)):
        title = terms(plain(d["title"]))
        for term, weight in [(t, 2) for t in title] + [(t, 1) for t in terms(plain(d["text"])) - title]:
            held.setdefault(term, []).append((ref, weight))
    cap = search.CAP
    assert sum(len(h) > cap for h in held.values()) > 20 and sum(len(h) <= cap for h in held.values()) > 20
    assert any(len(h) > cap and h[cap][1] == 2 and h[0][1] == 1 for h in held.values())   # the cap's order matters

    stub = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    n = stub["config"]["yusuan"]["terms"]
    assert stub == {"config": {"lang": ["zh"], "yusuan": {"terms": n, "cap": cap, "entries": len(docs)}}, "docs": []}
    assert (written.entries, written.term_files, written.entry_files) == (len(docs), n, len(entry_files))
    assert written.written == n + len(entry_files)
    assert sorted(index_file_number(p) for p in (site / "search" / "t").glob("*")) == list(range(n)) and n > 10
    listed, size = {}, 0
    for k in range(n):
        path = site / "search" / "t" / f"{k}.json.gz"
        found = index_file(path)
        # the capped terms' list with json.dumps' default separators (", "), as it always was
        assert path.read_bytes() == packed(f'{{"t":{compact(found["t"])},"c":{json.dumps(found["c"], ensure_ascii=False)}}}')
        assert list(found["t"]) == sorted(found["t"]) and found["c"] == sorted(found["c"])
        assert set(found["c"]) <= found["t"].keys()
        for term, flat in found["t"].items():
            assert term_file(term, n) == k
            size += len(term) * 3 + len(",".join(map(str, flat))) + 8
            ref, listed[term] = 0, []
            for v in flat:                    # as the worker's postings()
                assert v >= 4 or not listed[term]
                ref += v // 4
                listed[term].append((ref, v % 4))
            assert (term in found["c"]) == (len(held[term]) > cap)
    assert n & (n - 1) == 0 and abs(math.log2(n * search.TERM_FILE_BYTES / size)) <= 0.5   # the nearest power of two
    assert listed.keys() == held.keys()
    for term, h in held.items():
        kept = h if len(h) <= cap else sorted(sorted(h, key=lambda rw: -rw[1])[:cap])
        assert listed[term] == kept, term


def test_a_page_of_search_entries_is_read_back_as_written():
    """A page's entries as the cache keeps them (search.Page): read back the
    same, their JSON that of an entry file, a damaged or cut-short file
    not read as a page (the page is then made again)."""
    from yusuan.render import search

    entries = [{"location": "docs/x/", "title": "党建 &lt;b&gt;", "text": "非公有制\n企业"},
               {"location": "docs/x/#s1", "title": "", "text": "“三公”经费 10.29 万元"},
               {"location": "docs/x/#s2", "title": "项目", "text": ""}]
    page = search.Page.of(entries)
    assert search.Page.from_bytes(page.to_bytes()) == page
    assert json.loads(b"[" + page.json + b"]") == [[e["location"], e["title"], e["text"]] for e in entries]
    assert page.terms.decode().split("\n") == [t for e in entries for t in search.entry_terms(e)]
    assert page.cut(1, 3) == search.Page.of(entries[1:]) and page.cut(0, 1) == search.Page.of(entries[:1])
    data = page.to_bytes()
    for damaged in (data[:-1], data[:len(data) // 2], b"", b"\n" + data, data + b"\n",
                    data.replace(b'"ends"', b'"end"'), data.replace(b"\n", b" ", 1)):
        assert search.Page.from_bytes(damaged) is None, damaged[:60]


def test_entry_files_stay_when_pages_come_and_go(monkeypatch):
    """A page added or removed changes its own entry file only, while the
    number of files of its kind stays the same power of two; a file that
    would hold more than MAX_ENTRIES entries doubles their number; a page of
    more entries than that is cut into files after them all."""
    from yusuan.render import search

    monkeypatch.setattr(search, "CHUNK_BYTES", 1500)
    monkeypatch.setattr(search, "SMALL_PAGE", 300)
    mkdocs, ours = _random_entries(5)
    docs = [{k: d[k] for k in ("location", "title", "text")} for d in mkdocs + ours]

    def entry_files(entries: list[dict]) -> dict[int, list[dict]]:
        out = {}
        for n, held, text in search._entry_files(search.pages_of(entries)):
            found = [dict(zip(("location", "title", "text"), e)) for e in json.loads(text)]
            assert [p.location for p in held] == list(dict.fromkeys(d["location"].split("#")[0] for d in found))
            out[n] = found
        return out

    def expected(where: dict[str, int], numbers) -> dict[int, list[dict]]:
        pages = by_page(docs)
        return {n: [d for page in sorted(pages) if where[page] == n for d in pages[page]] for n in numbers}

    before = entry_files(docs)
    where, top = layout(by_page(docs))
    assert {n % 2 for n in before} == {0, 1} and len(before) > 10
    assert before == expected(where, before)
    for page in ("docs/d7/", "docs/d30/", "page2/"):
        fewer = [d for d in docs if d["location"].split("#")[0] != page]
        assert layout(by_page(fewer))[1] == top
        after = entry_files(fewer)
        changed = {n for n in before.keys() | after.keys() if before.get(n) != after.get(n)}
        assert changed == {where[page]}, page
        # and back: the same files
        assert entry_files(fewer + [d for d in docs if d["location"].split("#")[0] == page]) == before

    monkeypatch.setattr(search, "MAX_ENTRIES", 12)
    long_page = [{"location": "docs/long/" + (f"#s{k}" if k else ""), "title": f"节{k}", "text": "长"}
                 for k in range(30)]
    files = entry_files(docs + long_page)
    assert layout(by_page(docs))[1] > top         # more files: some would hold more than 12 entries
    where, top = layout(by_page(docs))
    assert [files[n] for n in range(top, top + 3)] == [long_page[:12], long_page[12:24], long_page[24:]]
    assert max(files) == top + 2 and all(len(entries) <= 12 for entries in files.values())
    assert {n: entries for n, entries in files.items() if n < top} == expected(where, [n for n in files if n < top])


def test_search_index_written_again_writes_only_what_changed(tmp_path, monkeypatch):
    """Given the record of the index in the folder, write_index writes only
    the files whose text changed (a page added: its entry file and its
    terms' files), removes those no longer in the index and anything else
    in t/ and c/, writes again a file that is not as recorded (edited to
    the same size, cut short, deleted, a link), and trusts no record of
    another gzip; the files are byte for byte those written afresh."""
    import os

    from yusuan.render import search

    monkeypatch.setattr(search, "CHUNK_BYTES", 1500)
    monkeypatch.setattr(search, "TERM_FILE_BYTES", 700)
    mkdocs, ours = _random_entries(12)
    site = _index_site(tmp_path / "a", mkdocs)

    def write(entries: list[dict], last: dict | None):
        _index_site(site.parent, mkdocs)      # mkdocs' index and the theme's worker, as every build leaves them
        return search.write_index(site, entries, last)

    def files(folder: Path) -> dict[str, bytes]:
        return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}

    def identities() -> dict[str, tuple[int, int]]:
        return {p.relative_to(site).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns)
                for p in (site / "search").rglob("*.json.gz")}

    def cold(entries: list[dict]) -> dict[str, bytes]:
        other = _index_site(tmp_path / f"cold{len(entries)}", mkdocs)
        search.write_index(other, entries)
        return files(other / "search")

    first = write(ours, None)
    before = identities()
    same = write(ours, first.record)
    assert same.written == 0 and identities() == before and same.record == first.record

    # last in its file (a page before others of its file moves their entries, and so their terms' lists)
    added = ours + [{"location": "zz/", "title": "新页", "text": "独一无二"}]
    second = write(added, same.record)
    where, top = layout(by_page([{k: d[k].replace("\u200b", "") for k in ("location", "title", "text")}
                                 for d in mkdocs + added]))
    assert second.term_files == first.term_files and second.entry_files >= first.entry_files
    now = identities()
    changed = {rel for rel in now if now[rel] != before.get(rel)}
    term_files = {f"search/t/{search.term_file(t, second.term_files)}.json.gz"
                  for t in search.terms("新页") | search.terms("独一无二")}
    assert changed == {f"search/c/{where['zz/']}.json.gz"} | term_files
    assert second.written == len(changed) and files(site / "search") == cold(added)

    # the page gone again: its terms' files written, its entry file too, or removed if it held no other page
    third = write(ours, second.record)
    entry_file = site / "search" / "c" / f"{where['zz/']}.json.gz"
    assert third.written == len(term_files) + entry_file.exists() and files(site / "search") == cold(ours)

    # files not as recorded: written again, the others kept
    kept = identities()
    t = sorted((site / "search" / "t").glob("*.json.gz"), key=index_file_number)
    c = sorted((site / "search" / "c").glob("*.json.gz"), key=index_file_number)
    data = bytearray(t[0].read_bytes())
    data[len(data) // 2] ^= 1
    t[0].write_bytes(bytes(data))                   # edited, the same size
    c[0].write_bytes(c[0].read_bytes()[:10])        # cut short
    c[1].unlink()
    c[2].unlink()
    c[2].symlink_to(t[1])                           # a link
    (site / "search" / "c" / "notes.txt").write_text("x", encoding="utf-8")
    (site / "search" / "t" / "folder").mkdir()
    fourth = write(ours, third.record)
    assert fourth.written == 4 and files(site / "search") == cold(ours)
    now = identities()
    assert {rel for rel in now if now[rel] != kept.get(rel)} == \
        {f"search/{p.parent.name}/{p.name}" for p in t[:1] + c[:3]}
    assert not (site / "search" / "c" / "notes.txt").exists() and not (site / "search" / "t" / "folder").exists()

    # files of another time, the same bytes (a site restored by CI): read, kept, recorded with their time
    for path in t[:3]:
        os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns - 10**9))
    fifth = write(ours, fourth.record)
    assert fifth.written == 0 and identities() == {rel: (ino, mtime - 10**9 * (rel in {
        f"search/t/{p.name}" for p in t[:3]})) for rel, (ino, mtime) in now.items()}
    assert fifth.record["files"]["t/" + t[0].name][1] == t[0].stat().st_mtime_ns

    # a record of another gzip (another zlib may make other bytes): every file written
    assert write(ours, dict(fifth.record, gzip="another")).written == fourth.term_files + fourth.entry_files
    assert files(site / "search") == cold(ours)


def test_search_index_of_entries_without_terms(tmp_path):
    """Entries holding no term (no Chinese characters, letters or digits)
    make one term file, empty."""
    from yusuan.render.search import write_index

    site = _index_site(tmp_path, [{"location": "", "title": "", "text": "<p>—</p>"}])
    written = write_index(site, [{"location": "a/", "title": "…", "text": ""}])
    assert (written.entries, written.term_files, written.entry_files) == (2, 1, 1)
    assert index_file(site / "search" / "t" / "0.json.gz") == {"t": {}, "c": []}


def test_search_index_sorts_by_16_bits_as_numpy_sorts():
    """The index's sort of term numbers 16 bits at a time (render/search.py
    _stable_order; a site's terms pass 2^16 only with its vocabulary) is
    numpy's stable sort, at every size of number."""
    import numpy as np

    from yusuan.render.search import _stable_order

    rng = np.random.default_rng(7)
    for top in (1, 2, 1 << 16, 1 << 17, 1 << 40):
        keys = rng.integers(0, top, 50_000)
        assert (_stable_order(keys) == np.argsort(keys, kind="stable")).all(), top
    assert len(_stable_order(np.array([], np.int64))) == 0


def test_search_terms_are_pairs_of_characters():
    from yusuan.render.search import terms

    assert terms("非公有制企业党建项目") == {"非公", "公有", "有制", "制企", "企业", "业党", "党建", "建项", "项目"}
    assert terms("“三公”经费 2026年 PDF") == {"三公", "公经", "经费", "2026", "年", "pdf"}   # 公经: across ”
    assert terms("工业和信息化〇厅") >= {"化〇", "〇厅"}


def test_department_pages_framed_by_the_theme(built):
    """Department pages are the mkdocs-rendered shell with title, contents and
    body filled in (render/shell.py): the frame is the theme's, no marker is left."""
    data, site = built
    assert not (site / "docs" / "_shell").exists()
    for path in html_files(site):
        assert "YUSUANSHELL" not in path.read_text(encoding="utf-8"), path
    docs = pd.read_parquet(data / "documents.parquet")
    for d in docs.itertuples():
        page = (site / "docs" / d.doc_id / "index.html").read_text(encoding="utf-8")
        title = f"{d.department} {d.year} 年{d.kind}"
        assert f"<title>{title} - 部门预算公开数据</title>" in page
        assert page.count(title) >= 3      # <title>, header, <h1>
        assert '<a href="#figures" class="md-skip">' in page
        toc = page[page.index('data-md-component="toc"'):]
        toc = toc[:toc.index("</ul>")]
        ids = re.findall(r'<h2 id="([^"]+)"', page)
        assert ids[0] == "figures" and len(ids) >= 10
        assert re.findall(r'href="#([^"]+)"', toc) == ids
        assert page.rstrip().endswith("</html>")


def test_shell_escapes_what_it_fills():
    from yusuan.render.shell import BODY, TITLE, TOC_ID, TOC_TITLE, Shell

    html = (f'<title>{TITLE} - x</title><a href="#{TOC_ID}" class="md-skip">'
            f'<ul><li class="md-nav__item">\n<a href="#{TOC_ID}" class="md-nav__link">{TOC_TITLE}</a></li></ul>'
            f'<article class="md-content__inner md-typeset"><h1>{TITLE}</h1>{BODY}</article>')
    page = Shell.from_html(html, has_toc=True).page('<b>"A&B"</b>', [("a", "<i>一</i>"), ("b", "二")], "<p>正文</p>")
    assert page == ('<title>&lt;b&gt;&#34;A&amp;B&#34;&lt;/b&gt; - x</title><a href="#a" class="md-skip">'
                    '<ul><li class="md-nav__item">\n<a href="#a" class="md-nav__link">&lt;i&gt;一&lt;/i&gt;</a></li>'
                    '<li class="md-nav__item">\n<a href="#b" class="md-nav__link">二</a></li></ul>'
                    '<article class="md-content__inner md-typeset"><p>正文</p></article>')


def test_search_indexes_department_pages(real_site, data_dir):
    entries = search_entries(real_site)
    by_location = {d["location"]: d for d in entries}
    assert not [loc for loc in by_location if "_shell" in loc]
    projects = pd.read_parquet(data_dir / "projects.parquet")
    for doc_id in doc_ids(data_dir):
        page = by_location[f"docs/{doc_id}/"]
        assert "预算" in page["title"]
        section = by_location[f"docs/{doc_id}/#projects"]["text"]
        mine = projects[projects.doc_id == doc_id].sort_values(["total", "project"], ascending=[False, True])
        names = [n for n in mine["project"] if n][:MAX_ROWS]     # the rows the page shows
        assert names and all(n in section for n in names)
        # words, not the table's amounts: only the section's few headline figures (项目支出合计 …)
        assert len(re.findall(r"\d\.\d\d", section)) <= 3


def test_search_finds_chinese_words(real_site, data_dir):
    """A word of a department's name, of a project's, of an item's (a
    function class) and of a page's text leads to the entries that hold it."""
    docs = pd.read_parquet(data_dir / "documents.parquet")
    projects = pd.read_parquet(data_dir / "projects.parquet")
    functions = pd.read_parquet(data_dir / "function_lines.parquet")
    for d in docs.itertuples():
        assert f"docs/{d.doc_id}/" in search_hits(real_site, d.department)
        name = next(n for n in projects[projects.doc_id == d.doc_id].sort_values(
            ["total", "project"], ascending=[False, True])["project"] if n)
        assert f"docs/{d.doc_id}/#projects" in search_hits(real_site, name), name
    assert "docs/2026-changjihuizuzizhizhougongyehexinxihuaju/#projects" in search_hits(real_site, "党建")
    item = functions[functions.name.str.len() >= 4].name.iloc[0]
    assert any(h.startswith("docs/") for h in search_hits(real_site, item)), item
    assert "method/#_2" in search_hits(real_site, "逐行读取")          # the text of a hand-written page


def test_search_index_holds_text_not_markup(fixture_site):
    """The theme shows search results as HTML: every entry, ours and the
    plugin's, holds document text escaped, with no tags but those the plugin
    keeps itself (p, code, pre, li, ol, ul, sub, sup)."""
    texts = [d[k] for d in search_entries(fixture_site) for k in ("title", "text")]
    assert any("&lt;img src=x onerror=alert(1)&gt;" in t for t in texts)
    for t in texts:
        assert not re.search(r"<(?!/?(?:p|code|pre|li|ol|ul|sub|sup)>)", t), t[:200]


def published_text(site: Path, doc_id: str) -> str:
    """A published source text (sources/<doc_id>.txt.gz), unpacked; its BOM checked and dropped."""
    import gzip
    raw = gzip.decompress((site / "sources" / f"{doc_id}.txt.gz").read_bytes())
    assert raw.startswith(b"\xef\xbb\xbf"), doc_id
    return raw[3:].decode("utf-8")


def test_source_files_published(built):
    data, site = built
    for doc_id in doc_ids(data):
        src = data / "sources" / f"{doc_id}.txt"
        if src.exists():   # published with contacts hidden, line for line
            assert published_text(site, doc_id) == src.read_text(encoding="utf-8")
            assert not (site / "sources" / f"{doc_id}.txt").exists()     # stored once, compressed


def test_build_is_deterministic(fixture_data, fixture_site, tmp_path):
    again = build(fixture_data, tmp_path)
    first = {p.relative_to(fixture_site): p.read_bytes() for p in sorted(fixture_site.rglob("*")) if p.is_file()}
    second = {p.relative_to(again): p.read_bytes() for p in sorted(again.rglob("*")) if p.is_file()}
    assert sorted(first) == sorted(second)
    differ = [str(k) for k in first if first[k] != second[k]]
    assert not differ, differ


def test_published_sources_hide_contacts(real_site):
    """Privacy rule: contact names and phone numbers in 绩效目标表 are never published."""
    sources = sorted((real_site / "sources").glob("*.txt.gz"))
    assert sources
    for path in sources:
        text = published_text(real_site, path.name.removesuffix(".txt.gz"))
        assert not re.search(r"(?<!\d)1[3-9]\d{9}(?!\d)", text), path.name
        for line in text.splitlines():
            if "联系人" in line and "\t" in line:
                assert "［已隐去］" in line, line
    for page in html_files(real_site):
        assert not re.search(r"(?<!\d)1[3-9]\d{9}(?!\d)", page.read_text(encoding="utf-8")), page


def test_income_table_lists_sources_then_total(built):
    """收入来源: sources largest first, the 总计 row last and marked, no subtotal beside its parts."""
    _, site = built
    for page in sorted(site.glob("docs/*/index.html")):
        html = page.read_text(encoding="utf-8")
        if 'id="income"' not in html:
            continue
        section = html.split('id="income"', 1)[1].split("<h2", 1)[0]
        body = section.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
        rows = re.findall(r"<tr([^>]*)>(.*?)</tr>", body, re.S)
        assert "小计" not in body, page
        if any('class="total"' in attrs for attrs, _ in rows):
            assert 'class="total"' in rows[-1][0], page
            assert sum('class="total"' in attrs for attrs, _ in rows) == 1, page
        amounts = [float(re.findall(r'<td>([\d,.]+)</td>', cells)[0].replace(",", ""))
                   for attrs, cells in rows if 'class="total"' not in attrs]
        assert amounts == sorted(amounts, reverse=True), page


def test_table_cells_are_escaped():
    from markupsafe import escape

    from yusuan.render.tables import Col, Row, Table, c, esc, to_html

    for s in ["1,234.56", "行政运行", "<script>", "a&b", 'say "x"', "it's"]:
        assert esc(s) == str(escape(s))
    html = to_html(Table([Col("名称"), Col("说明")], [Row([c("<b>x</b>", href='"><script>'), c("a & b")], depth=1)]))
    assert "<b>" not in html and "<script>" not in html
    assert '<a href="&#34;&gt;&lt;script&gt;">&lt;b&gt;x&lt;/b&gt;</a>' in html and "a &amp; b" in html


def test_department_page_ratio_is_the_datasets(real_site, data_dir):
    """The page shows 人员经费占比 as department_ratios defines it, not a second definition."""
    ratios = pd.read_parquet(data_dir / "department_ratios.parquet").set_index("doc_id")
    for doc_id in doc_ids(data_dir):
        page = (real_site / "docs" / doc_id / "index.html").read_text(encoding="utf-8")
        value = ratios.loc[doc_id, "personnel_share_pct"]
        assert f'人员经费占一般公共预算基本支出</div><div class="ys-fig-value">{value:,.2f}%</div>' in page, doc_id


def test_site_is_the_same_from_one_or_more_processes(tmp_path):
    """The site comes out byte for byte the same whether its department pages
    are made by worker processes (from memory-mapped datasets) or by one."""
    from conftest import CONTENT
    from yusuan.pipeline import run_data
    from yusuan.render.site import build_site

    quiet = dict(progress=lambda *_: None)
    data = tmp_path / "data"
    run_data(CONTENT, data, cache_dir=None, **quiet)
    build_site(data, tmp_path / "workers", CONTENT, workers=2, **quiet)
    # one process: every page framed as it is made (with workers, those made
    # before mkdocs's page frame are framed later by the main process)
    build_site(data, tmp_path / "one-process", CONTENT, workers=1, **quiet)
    first, *others = ({p.relative_to(site): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}
                      for site in (tmp_path / "workers", tmp_path / "one-process"))
    for other in others:
        assert sorted(first) == sorted(other)
        assert not [str(k) for k in first if first[k] != other[k]]


def test_mkdocs_failure_stops_the_department_workers(data_dir, tmp_path, capfd, monkeypatch):
    """The department pages start before mkdocs makes their frame; when mkdocs
    fails the build must fail with its message, promptly, the workers stopped,
    and its second processes (the Vega bundle, the lists' rows files, the
    archive) done before its scratch folder goes: not failing in it, nor
    making it again to write into."""
    import signal
    import tempfile
    import time

    import yaml

    from conftest import CONTENT
    from yusuan.render import assets, site
    from yusuan.render.site import DEFAULT_CONFIG, SiteError, build_site

    # both still writing when mkdocs fails
    write_rows = site._write_rows
    monkeypatch.setattr(site, "_write_rows", lambda *a: (time.sleep(1), write_rows(*a)))
    monkeypatch.setattr(assets, "vega_bundle", lambda: time.sleep(1) or "/* vega */")
    scratch = lambda: set(Path(tempfile.gettempdir()).glob("yusuan-site-*"))     # noqa: E731
    before = scratch()

    config = yaml.safe_load(DEFAULT_CONFIG.read_text(encoding="utf-8"))
    config["theme"]["name"] = "no-such-theme"
    broken = tmp_path / "mkdocs.yml"
    broken.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")

    def hung(*_):
        raise TimeoutError("build_site hung after mkdocs failed")
    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(120)
    try:
        with pytest.raises(SiteError, match="mkdocs failed"):
            build_site(data_dir, tmp_path / "site", CONTENT, progress=lambda *_: None, config=broken, workers=2)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    time.sleep(2)      # a process left behind would write within this
    assert "Traceback" not in capfd.readouterr().err
    assert scratch() == before


def test_document_lists_are_on_their_pages_but_not_in_the_search_index(built):
    """The one-row-per-document tables are put into their pages after mkdocs
    (render.site.Deferred): every row is there, no placeholder is left, and
    the search index has none of their text."""
    data, site = built
    n = len(doc_ids(data))
    for page, table_id in (("compare", "compare-table"), ("transparency", "transparency-table")):
        html = (site / page / "index.html").read_text(encoding="utf-8")
        table = html[html.index(f'id="{table_id}"'):]
        table = table[:table.index("</table>")]
        assert table.count("<tr") == n + 1, page        # the header row and one per document
        assert 'class="ys-table-wrap">' in html and "data-search-exclude" not in html, page
    for path in html_files(site):
        assert "yusuan-table-" not in path.read_text(encoding="utf-8"), path
    listed = [d for d in search_entries(site) if d["location"].startswith(("compare/", "transparency/"))]
    # the compare table's caption (the page's introduction says 点击表头排序； too)
    assert listed and not [d for d in listed if "点击表头排序。“不完整”" in d["text"]
                           or "读出的标准表：同类文件都有的表" in d["text"]]


def test_every_check_is_in_the_checks_rows_file(built):
    """A document's page: its HTML lists the checks that do not pass; the
    rows file beside it, every check, with its line links under the page's
    base, listed in place by site.js (#all-checks)."""
    import gzip

    data, site = built
    checks = pd.read_parquet(data / "checks.parquet")
    for doc_id in doc_ids(data):
        mine = checks[checks.doc_id == doc_id]
        folder = site / "docs" / doc_id
        rows = rows_file(folder)["checks"]
        assert rows["base"] == f"../../sources/{doc_id}/"
        assert len(rows["rows"]) == len(mine), doc_id
        assert sorted(r[1] if isinstance(r[1], str) else r[1][0] for r in rows["rows"]) == sorted(mine.status.map(
            {"pass": "通过", "rounding": "舍入差", "fail": "不符"}))
        html = (folder / "index.html").read_text(encoding="utf-8")
        every = html[html.index('id="all-checks"'):]
        assert 'data-rows="rows.json.gz"' in every[:400] and f'data-total="{len(mine)}"' in every[:400]
        assert 'data-name="checks"' in every[:400]
        assert every[every.index("<tbody>"):every.index("</tbody>")] == "<tbody>\n"
        rounding = (mine.status == "rounding").sum()
        assert f"全部 {len(mine):,} 条校验（含通过的与 {rounding:,} 条舍入差）在浏览器运行 JavaScript 时列于此表" in every
        # the HTML lists the checks that fail, and only those
        failing = html[html.index('id="checks"'):html.index('id="all-checks"')]
        assert failing.count('class="status fail"') == (mine.status == "fail").sum(), doc_id
        assert 'class="status rounding"' not in failing and 'class="status pass"' not in failing
        assert not (folder / "checks").exists()


def test_check_rows_html():
    """A document's checks as HTML: escaped; consecutive lines one link;
    a table printed without a number named by its title."""
    from yusuan.render.department import _check_rows
    from yusuan.render.tables import Col, Table, to_html

    rows = [
        {"status": "pass", "description": "表1 收入：合计 = 各项之和", "expected": 1234.5, "actual": 1234.5,
         "difference": 0.0, "lines": "35,36,37,40"},
        {"status": "rounding", "description": "表 301 工资福利支出（类）= 下级科目之和 [决算数]", "check_id": "gpb_basic.tree.301",
         "expected": 2082.85, "actual": 2082.86, "difference": 0.01, "lines": "250,251"},
        {"status": "fail", "description": "<script>alert(1)</script> & “三公”", "expected": -0.0, "actual": None,
         "difference": float("nan"), "lines": None},
        {"status": "rounding", "description": None, "expected": 1e9, "actual": 999_999_999.99,
         "difference": 0.01, "lines": "7"},
        {"status": "pass", "description": "表2", "expected": 0.0, "actual": 0.0, "difference": -0.0, "lines": "8"},
    ]
    columns = [Col("状态"), Col("校验"), Col("应为", True), Col("实为", True), Col("差额", True), Col("源文件行号")]
    base = "../../../sources/2026-x/"
    titles = {"gpb_basic": "一般公共预算财政拨款基本支出决算表"}
    fast = to_html(Table(columns, _check_rows(rows, titles), caption="全部校验", href_base=base))
    assert "&lt;script&gt;" in fast and "<script>" not in fast and "-0.00" in fast
    # consecutive lines are one run, linked to its first line: a check over a
    # table's rows stays a few links wide instead of pushing its description aside
    # (linked by site.js from the table's data-src: tests/site_fixtures.line_links reads them as it does)
    assert '<table class="ys-table n3 n4 n5 l6" data-src="../../../sources/2026-x/">' in fast
    assert '<td>35\u2013\u206037, 40</td></tr>' in fast
    assert [line for *_, line in line_links(fast)] == ["35", "40", "250", "7", "8"]
    # a table printed without a number: named by its title, not "表 301"
    assert "<td>一般公共预算财政拨款基本支出决算表 301 工资福利支出（类）= 下级科目之和 [决算数]</td>" in fast


# ---------------------------------------------------------------- provenance (issue 11)



def source_lines(site: Path, doc_id: str) -> dict[int, str]:
    """Line number → text of a published source (the lines the source page
    shows, from its .txt.gz: site.js makes a <span id=L<n>> of line n;
    tests/test_browser.py checks that it does)."""
    text = published_text(site, doc_id)
    return dict(enumerate(text.removesuffix("\n").split("\n"), 1)) if text else {}


def test_source_page_has_every_line_anchored(built):
    """The source page names its text file, the number of lines and the lines
    that are page and file markers; the file holds every line."""
    from yusuan.read.pdf import MARKER

    data, site = built
    for doc_id in doc_ids(data):
        text = (data / "sources" / f"{doc_id}.txt").read_text(encoding="utf-8")
        lines = source_lines(site, doc_id)
        expected = text.removesuffix("\n").split("\n")
        assert [lines[n] for n in sorted(lines)] == expected, doc_id
        page = (site / "sources" / doc_id / "index.html").read_text(encoding="utf-8")
        pre = re.search(r'<pre class="ys-src" data-src="([^"]+)" data-lines="(\d+)" data-marks="([\d,]*)"></pre>', page)
        assert pre and pre[1] == f"../{doc_id}.txt.gz" and int(pre[2]) == len(expected), doc_id
        marks = [n for n, line in lines.items() if MARKER.match(line)]
        assert pre[3] == ",".join(map(str, marks)), doc_id
        # without JavaScript the page says how to read the text, and links it
        assert "<noscript>" in page and f'href="../{doc_id}.txt.gz"' in page, doc_id


# A source page is a page of its own, without the theme's frame (~9 KB): its
# bytes at most, for the samples and the fixture (the longest doc_id is ~60
# characters and appears six times).
SOURCE_PAGE = 2_500
THEME = ("md-header", "md-sidebar", "md-search", "md-footer", "__md_", "assets/javascripts/", "assets/stylesheets/")


def test_source_page_is_a_page_of_its_own(built):
    """No theme frame, under SOURCE_PAGE bytes; the site's own stylesheet and
    script only; a header linking the home page, the document's page and its
    department's page, which link it back; its text file."""
    data, site = built
    docs = pd.read_parquet(data / "documents.parquet")
    for d in docs.itertuples():
        path = site / "sources" / d.doc_id / "index.html"
        page = path.read_text(encoding="utf-8")
        assert len(page.encode("utf-8")) <= SOURCE_PAGE, (d.doc_id, len(page.encode("utf-8")))
        assert page.startswith('<!doctype html>\n<html lang="zh" class="ys-lean">\n<head>\n<meta charset="utf-8">\n'
                               '<meta name="viewport" content="width=device-width,initial-scale=1">\n'), d.doc_id
        title = f"{d.department} {d.year} 年{d.kind}"
        assert f"<title>源文件：{title}</title>" in page and f"<h1>源文件：{title}</h1>" in page
        assert not [t for t in THEME if t in page], d.doc_id
        urls = links(path).urls
        assert [u for u in urls if u[0] in ("link", "script")] == [
            ("link", "href", "../../assets/images/favicon.png"), ("link", "href", "../../assets/yusuan/site.css"),
            ("script", "src", "../../assets/yusuan/site.js")]
        header = re.search(r'<header class="ys-bar">(.*?)</header>', page)[1]
        hrefs = re.findall(r'href="([^"]+)"', header)
        assert hrefs[:2] == ["../../", f"../../docs/{d.doc_id}/"] and hrefs[2].startswith("../../departments/"), hrefs
        for href in hrefs:
            assert (path.parent / href / "index.html").is_file(), href
        back = f'href="../../sources/{d.doc_id}/"'
        assert back in (path.parent / hrefs[1] / "index.html").read_text(encoding="utf-8")
        assert back in (path.parent / hrefs[2] / "index.html").read_text(encoding="utf-8")
        assert ("a", "href", f"../{d.doc_id}.txt.gz") in urls and (site / "sources" / f"{d.doc_id}.txt.gz").is_file()


def test_source_page_escapes_document_text():
    """The department's name and an original's file name come from the
    documents: text on the source page, never markup. (The text itself, and
    the index of its marker lines, are set as text by site.js.)"""
    from yusuan.render import sources
    from yusuan.render.site import environment

    evil = '<img src=x onerror=alert(1)>"&'
    source = sources.Source("2026-x", f"=== 文件 a/{evil}.pdf ===\n一\n", [
        sources.Original(f"a/{evil}.pdf", f"{evil}.pdf", "0" * 64, 1234, f"{evil}.pdf")], withheld=False)
    page = environment().get_template("source.html").render(
        doc={"doc_id": "2026-x"}, doc_title=f"{evil} 2026 年部门预算", source=source, root="../../", dept_slug="x",
        text_file="2026-x.txt.gz", marks="1")
    assert "<img" not in page and "onerror=alert(1)>" not in page
    escaped = "&lt;img src=x onerror=alert(1)&gt;&#34;&amp;"
    assert page.count(escaped) == 6    # title, header, h1; the original's link, name and download name


def test_every_line_link_lands_on_a_line(built):
    """Every link to a source line, on every page, names a line the source page has,
    and its ../ climbs exactly to the site's root from where the page is."""
    data, site = built
    counts = {doc_id: len(source_lines(site, doc_id)) for doc_id in doc_ids(data)}
    n = 0
    for page in html_files(site):
        depth = len(page.relative_to(site).parts) - 1
        for ups, doc_id, line in line_links(page.read_text(encoding="utf-8")):
            assert ups == "../" * depth, (page, ups)
            assert 1 <= int(line) <= counts[doc_id], (page, doc_id, line)
            n += 1
    assert n > 100
    # the links site.js makes from a rows file (a document's every check), from the page beside it
    in_files = 0
    for rows_file in sorted(site.rglob("*.json.gz")):
        import gzip
        got = json.loads(gzip.decompress(rows_file.read_bytes()))
        if not isinstance(got, dict):
            continue
        # a list's rows, or a document page's tables' ({name: rows})
        tables = [got] if "rows" in got else [t for t in got.values() if isinstance(t, dict) and "rows" in t]
        depth = len(rows_file.relative_to(site).parts) - 1
        for data_, row in ((t, row) for t in tables for row in t["rows"]):
            for k, cell in enumerate(row[1:]):
                links = cell[2] if isinstance(cell, list) and len(cell) > 2 and cell[2] else []
                cls = cell[3] if isinstance(cell, list) and len(cell) > 3 and cell[3] else data_["classes"][k]
                if not links and "ln" in cls.split():
                    # a line cell without links: site.js links its numbers ("35–37, 40": 35 and 40)
                    text = cell if isinstance(cell, str) else cell[0]
                    links = [(run, "#L" + re.match(r"\d+", run)[0]) for run in filter(None, text.split(", "))]
                for _, href in links if isinstance(links, list) else [(None, links)]:
                    for ups, doc_id, line in LINE_LINK.findall(f'href="{data_["base"]}{href}"'):
                        assert ups == "../" * depth, (rows_file, ups)
                        assert 1 <= int(line) <= counts[doc_id], (rows_file, doc_id, line)
                        in_files += 1
    assert in_files > 100


def test_headline_figures_link_the_line_that_prints_them(real_site, data_dir):
    """A card's figure is in the text of the line it links to (commas aside)."""
    checked = 0
    for doc_id in doc_ids(data_dir):
        page = (real_site / "docs" / doc_id / "index.html").read_text(encoding="utf-8")
        figures = page[page.index('id="figures"'):page.index("</div>\n\n", page.index('id="figures"'))]
        lines = source_lines(real_site, doc_id)
        for _, _, line, value in re.findall(r'href="((?:\.\./)+)sources/([^/"]+)/#L(\d+)"[^>]*>([^<]+)</a>', figures):
            figure = value.split("/")[0].replace("万元", "").replace(",", "").strip()
            assert figure in lines[int(line)].replace(",", ""), (doc_id, value, lines[int(line)])
            checked += 1
    assert checked >= 15


def test_originals_withheld_where_contacts_were_hidden(real_site, data_dir):
    """The samples print contacts (hidden in the text): their original files
    are named with their SHA-256 but not republished."""
    docs = pd.read_parquet(data_dir / "documents.parquet")
    for d in docs.itertuples():
        folder = real_site / "sources" / d.doc_id
        assert "［已隐去］" in (data_dir / "sources" / f"{d.doc_id}.txt").read_text(encoding="utf-8")
        assert sorted(p.name for p in folder.iterdir()) == ["index.html"]
        page = (real_site / "docs" / d.doc_id / "index.html").read_text(encoding="utf-8")
        assert d.sha256 in page and "不转载" in page


def test_empty_columns_are_dropped():
    from yusuan.render.tables import Cell, Col, Row, Table, without_empty_columns

    t = Table([Col("对象"), Col("变化率", True), Col("原因")],
              [Row([Cell("基本支出"), Cell("—"), Cell("人员增加")]), Row([Cell("项目支出"), Cell(""), Cell("")])])
    without_empty_columns(t)
    assert [c.title for c in t.columns] == ["对象", "原因"]
    assert [[c.text for c in r.cells] for r in t.rows] == [["基本支出", "人员增加"], ["项目支出", ""]]


def test_department_urls_come_from_the_name_key():
    from yusuan.identity import name_key
    from yusuan.render.departments import page_slugs

    keys = [name_key("中国共产党江苏省委员会办公厅"), name_key("中共江苏省委办公厅"), "江苏省人民检察院"]
    slugs = page_slugs(dict.fromkeys(keys))
    assert slugs[keys[0]] == slugs[keys[1]] == "zhonggongjiangsushengweibangongting"
    # two names of one sound each get a hash of their own name, whatever else is there
    same_sound = page_slugs(["江苏省李局", "江苏省理局", "江苏省人民检察院"])
    assert len(set(same_sound.values())) == 3 and same_sound["江苏省人民检察院"] == "jiangsushengrenminjianchayuan"
    assert page_slugs(["江苏省李局", "江苏省理局"])["江苏省李局"] == same_sound["江苏省李局"]


def test_section_names_are_short_headings():
    from yusuan.render.department import _section_name

    dept = "新疆维吾尔自治区工业和信息化厅"
    assert _section_name(" / 2、关于新疆维吾尔自治区工业和信息化厅2026年收入预算情况说明", dept) == "收入预算情况说明"
    assert _section_name(" / （二）支出预算总计17996.68万元。包括：", dept) == "支出预算总计"
    assert _section_name(None, dept) == ""


def test_data_archive_holds_every_dataset_and_source(built):
    import zipfile
    data, site = built
    with zipfile.ZipFile(site / "data" / "files" / "yusuan-all.zip") as z:
        assert z.testzip() is None
        names = set(z.namelist())
        for ds in DATASETS:
            assert {f"yusuan/{ds.name}.csv", f"yusuan/{ds.name}.parquet"} <= names
        assert {f"yusuan/sources/{d}.txt" for d in doc_ids(data)} <= names
        assert z.read("yusuan/documents.csv") == (data / "documents.csv").read_bytes()
    page = (site / "data" / "index.html").read_text(encoding="utf-8")
    assert 'href="files/yusuan-all.zip"' in page and "MIT" in page and "建议引用" in page and "yusuan 版本" in page
    assert 'href="../sources/"' in page


def test_search_index_without_the_plugin_says_what_to_do(tmp_path):
    """A configuration without mkdocs' search plugin (or another theme) ends
    the build with one line naming what is missing, not a traceback."""
    from yusuan.render.search import SearchIndexError, write_index

    with pytest.raises(SearchIndexError, match="is the `search` plugin on"):
        write_index(tmp_path, [])
    (tmp_path / "search").mkdir()
    (tmp_path / "search" / "search_index.json").write_text('{"config": {}, "docs": []}', encoding="utf-8")
    with pytest.raises(SearchIndexError, match="expected one search worker of mkdocs-material"):
        write_index(tmp_path, [{"location": "a/", "title": "党建", "text": "非公有制企业党建项目"}])


def test_document_lists_hold_every_document_in_their_rows_file(built):
    """compare, transparency and sources: the HTML holds the first page of
    rows (tables.PAGE_ROWS) and names the rows file; the file, gzip JSON,
    holds a row per document, its text escaped so that it cannot close a tag."""
    import gzip

    from yusuan.render.tables import PAGE_ROWS

    data, site = built
    ids = doc_ids(data)
    for page, table in (("compare", "compare-table"), ("transparency", "transparency-table"), ("sources", "sources-table")):
        html = (site / page / "index.html").read_text(encoding="utf-8")
        tag = re.search(rf'<table [^>]*id="{table}"[^>]*>', html)[0]
        assert f'data-rows="{table}.json.gz"' in tag and f'data-total="{len(ids)}"' in tag, tag
        body = html[html.index(tag):html.index("</table>", html.index(tag))]
        assert 1 <= body.count("<tr>") + body.count("<tr id") - 1 <= PAGE_ROWS + 1
        raw = gzip.decompress((site / page / f"{table}.json.gz").read_bytes()).decode("utf-8")
        assert "<" not in raw and ">" not in raw
        rows = json.loads(raw)["rows"]
        assert len(rows) == len(ids)
        if page != "sources":
            assert sorted(r[0] for r in rows) == sorted(f"d-{d}" for d in ids)


def test_rows_file_keeps_the_cells():
    from yusuan.render.tables import Col, Row, Table, c, first_page, m, rows_data

    t = Table([Col("部门"), Col("金额", True)], id="t", filters="x:1", sortable=True)
    t.rows = [Row([c(f"<b>部门{k}</b>", href=f"../docs/{k}/"), m(k * 1000.5)], id=f"d-{k}") for k in range(250)]
    data = rows_data(t)
    assert data["classes"] == ["", "num"]
    assert data["rows"][3] == ["d-3", ["<b>部门3</b>", None, "../docs/3/"], ["3,001.50", 3001.5]]
    assert data["base"] == ""
    shown = first_page(t, "t.json.gz")
    assert len(shown.rows) == 100 and shown.total == 250 and "共 250 份文件" in shown.note
    assert len(t.rows) == 250


def test_a_csv_has_the_lower_limit(tmp_path):
    """A dataset's CSV (its Parquet file is on the site) leaves the site over
    SITE_CSV_LIMIT; the workbook, the database and the archive over
    SITE_FILE_LIMIT; Parquet files never."""
    from yusuan.render import catalog

    assert catalog.SITE_CSV_LIMIT < catalog.SITE_FILE_LIMIT
    size = catalog.SITE_CSV_LIMIT + 1
    for name, on in (("projects.csv", False), ("yusuan.duckdb", True), ("yusuan.xlsx", True), ("projects.parquet", True)):
        path = tmp_path / name
        with path.open("wb") as f:
            f.truncate(size)
        assert catalog.on_site(path) == on, name
    (tmp_path / "small.csv").write_bytes(b"a\n")
    assert catalog.on_site(tmp_path / "small.csv")


def test_build_publishes_the_workbook_and_database_written_beside_the_site(tmp_path):
    """`yusuan build` goes on to the site while two processes write the
    workbook and the database, and waits for them to publish them: the
    site's copies are the data folder's files whole, and the data page
    gives their sizes."""
    from click.testing import CliRunner

    from conftest import CONTENT
    from yusuan.cli import main
    from yusuan.render import fmt

    result = CliRunner().invoke(main, ["build", "--content", str(CONTENT), "--data-dir", str(tmp_path / "data"),
                                       "--site-dir", str(tmp_path / "site"), "--cache-dir", ""])
    assert result.exit_code == 0, result.output
    said = result.output.splitlines()
    data_done = next(k for k, m in enumerate(said) if m.startswith("yusuan data: 3 documents"))
    whole_done = next(k for k, m in enumerate(said) if "wrote yusuan.duckdb and yusuan.xlsx" in m)
    site_started = next(k for k, m in enumerate(said) if m.startswith("site: 3 documents"))
    assert data_done < site_started < whole_done
    assert "being written meanwhile" in said[data_done]
    page = (tmp_path / "site" / "data" / "index.html").read_text(encoding="utf-8")
    for name in ("yusuan.xlsx", "yusuan.duckdb"):
        data = (tmp_path / "data" / name).read_bytes()
        assert (tmp_path / "site" / "data" / "files" / name).read_bytes() == data
        assert f'<li><a href="files/{name}" download>{name}</a>（{fmt.filesize(len(data))}）</li>' in page
    assert not list((tmp_path / "data").glob(".*.*"))      # no temporary file left behind


def test_large_data_files_are_linked_in_the_release(tmp_path, monkeypatch):
    """A data file over catalog.SITE_FILE_LIMIT (a large CSV, the workbook,
    the database, the archive) is left off the site and linked in the latest
    release; Parquet and datapackage.json stay. Without the repository's
    address the page names the file and says where it is."""
    from click.testing import CliRunner

    from conftest import CONTENT
    from yusuan.cli import main
    from yusuan.render import catalog

    monkeypatch.setattr(catalog, "SITE_FILE_LIMIT", 30_000)
    monkeypatch.setattr(catalog, "SITE_CSV_LIMIT", 30_000)
    repo = "https://github.com/example/yusuan"
    for with_repo in (True, False):
        if with_repo:
            monkeypatch.setenv("YUSUAN_REPOSITORY_URL", repo)
        else:
            monkeypatch.delenv("YUSUAN_REPOSITORY_URL", raising=False)
        out = tmp_path / str(with_repo)
        result = CliRunner().invoke(main, ["build", "--content", str(CONTENT), "--data-dir", str(out / "data"),
                                           "--site-dir", str(out / "site"), "--cache-dir", "", "--jobs", "1"])
        assert result.exit_code == 0, result.output
        data, files = out / "data", out / "site" / "data" / "files"
        page = (out / "site" / "data" / "index.html").read_text(encoding="utf-8")
        big = [p.name for p in sorted(data.iterdir()) if p.is_file() and p.suffix in (".csv", ".xlsx", ".duckdb")
               and p.stat().st_size > 30_000]
        assert "table_cells.csv" in big and "yusuan.xlsx" in big
        for name in big + ["yusuan-all.zip"]:
            assert not (files / name).exists(), name
            link = f'href="{repo}/releases/latest/download/{name}"'
            assert (link in page) == with_repo, name
            assert name in page
        for p in sorted(data.glob("*.parquet")) + [data / "datapackage.json"]:
            assert (files / p.name).read_bytes() == p.read_bytes()
            assert f'href="files/{p.name}"' in page
        assert ("太大，不放在本站，见本仓库的 GitHub Release" in page) != with_repo


# The 比上年 table of each department across years in the synthetic corpus
# (conftest.multi_year_data): its 2025 and 2026 documents' changes that name
# a figure last year's document prints (阿图什 18 of its 27 a year, 昌吉 14
# of 21, 新疆 19 of 29), by the start of the page's slug.
YOY_ROWS = {"atushenshi": 36, "changji": 28, "xinjiang": 38}


def _cell_text(cell) -> str:
    return cell if isinstance(cell, str) else cell[0]


def test_department_yoy_table_pages_from_its_rows_file(multi_year_site):
    """The department page's 比上年 table has its rows in the rows file
    beside it (none in the HTML), its links landing on lines of the source
    pages."""
    from yusuan.render.departments import YOY_ROWS as PER_PAGE

    site = multi_year_site
    pages = sorted((site / "departments").glob("*/index.html"))
    assert len(pages) == len(YOY_ROWS)
    for path in pages:
        (n,) = [n for prefix, n in YOY_ROWS.items() if path.parent.name.startswith(prefix)]
        rows = rows_file(path.parent)["yoy"]
        assert len(rows["rows"]) == n, path.parent.name
        page = path.read_text(encoding="utf-8")
        section = page[page.index('<h2 id="yoy">'):]
        table = re.search(r'<table class="ys-table" data-rows="([^"]+)" data-total="(\d+)" data-page="(\d+)" '
                          r'data-unit="条" data-name="yoy">.*?<tbody>\n(.*?)</tbody>', section, re.S)
        assert table.group(1, 2, 3) == ("rows.json.gz", str(n), str(PER_PAGE)), path
        assert table[4] == ""
        assert f"{n} 条，在浏览器运行 JavaScript 时列于此表" in section
        years = [row[1] for row in rows["rows"]]
        assert years.count("2025") == years.count("2026") == n // 2, path
        for row in rows["rows"]:
            for cell in row[1:]:
                if isinstance(cell, list) and len(cell) > 2:
                    ups, doc_id, line = LINE_LINK.fullmatch(f'href="{rows["base"]}{cell[2]}"').groups()
                    assert ups == "../../" and (site / "sources" / doc_id / "index.html").is_file()
                    assert 1 <= int(line) <= len(source_lines(site, doc_id))


def test_department_without_year_over_year_has_no_rows_file(real_site):
    """A department of one year (the samples) has no 比上年 table to page."""
    pages = sorted((real_site / "departments").glob("*/index.html"))
    assert len(pages) == 3
    for path in pages:
        assert not (path.parent / "rows.json.gz").exists()
        assert "data-rows" not in path.read_text(encoding="utf-8")
