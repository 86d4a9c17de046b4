"""The built site in headless Chromium: charts draw, no console errors, no
request leaves 127.0.0.1, every download link answers 200."""
from __future__ import annotations

import contextlib
import functools
import os
import re
import shutil
import http.server
import threading
import urllib.request
from pathlib import Path

import pytest

from site_fixtures import JIANGSU_2018, multi_year_site, real_site  # noqa: F401 - fixtures

# $YUSUAN_CHROMIUM (set by .ci/run and the workflow), else chromium on PATH.
CHROMIUM = Path(os.environ.get("YUSUAN_CHROMIUM") or shutil.which("chromium")
                or shutil.which("chromium-browser") or "/usr/bin/chromium")
if not CHROMIUM.exists() and os.environ.get("CI"):
    raise RuntimeError(f"CI: no Chromium at {CHROMIUM}; the browser tests must run (set YUSUAN_CHROMIUM)")
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(),
                                reason=f"no Chromium at {CHROMIUM}: apt-get install -y chromium fonts-noto-cjk")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"]
# Screenshots go to a temporary folder; YUSUAN_UPDATE_SCREENSHOTS=1 refreshes the README's in docs-assets/.
REPO_SCREENSHOTS = Path(__file__).resolve().parents[1] / "docs-assets"


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server(real_site):
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(real_site)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


def first_doc(real_site: Path) -> str:
    return sorted(p.name for p in (real_site / "docs").iterdir())[0]


def visit(browser, url: str, screenshot: Path | None = None):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    requests, errors = [], []
    page.on("request", lambda r: requests.append(r.url))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(url, wait_until="networkidle")
    charts = page.locator(".ys-chart")
    for k in range(charts.count()):
        charts.nth(k).locator("svg").first.wait_for(timeout=15_000)
    if screenshot:
        page.screenshot(path=str(screenshot), full_page=False)
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
    n_charts = charts.count()
    page.close()
    return requests, errors, hrefs, n_charts


@pytest.mark.parametrize("path", ["", "compare/", "docs/DOC/", "transparency/", "data/", "sources/DOC/"])
def test_page_in_browser(browser, server, real_site, path, tmp_path):
    path = path.replace("DOC", first_doc(real_site))
    requests, errors, hrefs, n_charts = visit(browser, server + path)
    assert not errors, errors
    outside = [u for u in requests if not u.startswith(server)]
    assert not outside, outside
    if path.startswith("docs/") or path == "compare/":
        assert n_charts >= 2


def test_charts_are_svg(browser, server, real_site):
    from playwright.sync_api import sync_playwright  # noqa: F401 - browser fixture holds it
    page = browser.new_page()
    page.goto(server + f"docs/{first_doc(real_site)}/", wait_until="networkidle")
    page.wait_for_function("document.querySelectorAll('.ys-chart').length === document.querySelectorAll('.ys-chart svg.marks').length")
    n = page.evaluate("document.querySelectorAll('.ys-chart svg.marks').length")
    bars = page.evaluate("document.querySelectorAll('.ys-chart svg path').length")
    page.close()
    assert n >= 4 and bars > 10


def test_downloads_answer_200(browser, server, real_site):
    links = set()
    for path in ("", "data/", f"docs/{first_doc(real_site)}/"):
        _, _, hrefs, _ = visit(browser, server + path)
        links |= {h.split("#")[0] for h in hrefs if h.startswith(server)}
    assert any(h.endswith(".xlsx") for h in links) and any(h.endswith(".parquet") for h in links)
    for url in sorted(links):
        with urllib.request.urlopen(url) as r:
            assert r.status == 200, url


def test_sortable_table(browser, server):
    page = browser.new_page()
    page.goto(server + "compare/", wait_until="networkidle")
    header = page.locator("#compare-table th", has_text="收支总预算")
    header.click()
    header.click()   # descending
    values = page.eval_on_selector_all("#compare-table tbody tr td:nth-child(4)", "els => els.map(e => Number(e.dataset.sort))")
    page.close()
    assert values == sorted(values, reverse=True)


def test_transparency_lists_are_readable(browser, server):
    """The lists of empty and missing tables keep a readable width (the table
    scrolls sideways) instead of one character a line."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(server + "transparency/", wait_until="networkidle")
    widths = page.eval_on_selector_all("#transparency-table td.titles", "els => els.map(e => e.offsetWidth)")
    page.close()
    assert widths and min(widths) >= 150, widths


def test_charts_fit_a_phone(browser, server, real_site):
    """At a phone's width (390 px) every chart's labels and legend stay
    inside the chart instead of being cut off at its edge."""
    for path in ("compare/", f"docs/{first_doc(real_site)}/"):
        page = browser.new_page(viewport={"width": 390, "height": 900})
        page.goto(server + path, wait_until="networkidle")
        page.wait_for_function("document.querySelectorAll('.ys-chart').length === "
                               "document.querySelectorAll('.ys-chart svg.marks').length")
        overflow = page.evaluate("""Array.from(document.querySelectorAll('.ys-chart svg.marks')).map(svg => {
            const box = svg.getBoundingClientRect();
            const right = Math.max(...Array.from(svg.querySelectorAll('text')).map(t => t.getBoundingClientRect().right));
            return Math.round(right - box.right);
        })""")
        page.close()
        assert len(overflow) >= 2 and max(overflow) <= 0, (path, overflow)


def test_screenshots(browser, server, real_site, tmp_path):
    folder = REPO_SCREENSHOTS if os.environ.get("YUSUAN_UPDATE_SCREENSHOTS") else tmp_path
    folder.mkdir(exist_ok=True)
    visit(browser, server + f"docs/{first_doc(real_site)}/", folder / "screenshot-department.png")
    visit(browser, server, folder / "screenshot-home.png")
    assert (folder / "screenshot-department.png").stat().st_size > 10_000


# A project name that is markup: escaped on the pages, it must stay text in the
# search results too (the theme shows result text as HTML).
INJECTED_HOST = "injected.invalid"
INJECTED = f"<img src=http://{INJECTED_HOST}/x.png onerror=alert(1)>"


@pytest.fixture(scope="module")
def injected_site(tmp_path_factory):
    """`yusuan build` over a copy of the 昌吉 sample whose project
    非公有制企业党建项目 is renamed to start with an <img onerror> tag."""
    from click.testing import CliRunner

    from conftest import CONTENT, sample
    from yusuan.cli import main

    root = tmp_path_factory.mktemp("injected")
    content = root / "content"
    (content / "disclosures").mkdir(parents=True)
    shutil.copytree(CONTENT / "pages", content / "pages")
    text = sample("昌吉").read_text(encoding="utf-8")
    assert text.count("非公有制企业党建项目") >= 3
    (content / "disclosures" / "changji.txt").write_text(
        text.replace("非公有制企业党建项目", INJECTED + "非公有制企业党建项目"), encoding="utf-8")
    result = CliRunner().invoke(main, ["build", "--content", str(content), "--data-dir", str(root / "data"),
                                       "--site-dir", str(root / "site"), "--cache-dir", "", "--jobs", "1"])
    assert result.exit_code == 0, result.output
    return root / "site"


@contextlib.contextmanager
def watched_page(browser, site: Path):
    """(page, server URL, dialogs, requests) for a page of `site` served on 127.0.0.1."""
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(site)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    dialogs, requests = [], []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.on("request", lambda r: requests.append(r.url))
    try:
        yield page, f"http://127.0.0.1:{httpd.server_address[1]}/", dialogs, requests
    finally:
        page.close()
        httpd.shutdown()
        httpd.server_close()


@pytest.mark.parametrize("words, expected", [("onerror", "onerror=alert(1)"), ("党建", "非公有制企业党建项目")])
def test_search_results_do_not_run_document_markup(browser, injected_site, words, expected):
    """A word of the injected project's markup, or of its name: the result
    shows the name as text; nothing runs, nothing is fetched from its URL."""
    with watched_page(browser, injected_site) as (page, server, dialogs, requests):
        page.goto(server, wait_until="networkidle")
        type_query(page, words)
        page.locator(".md-search-result__item").first.wait_for(timeout=15_000)
        shown = page.inner_text(".md-search-result")
        marks = page.eval_on_selector_all(".md-search-result mark", "els => els.map(e => e.textContent)")
        page.wait_for_timeout(1_000)     # time for an injected onerror to fire
    assert not dialogs, dialogs
    assert not [u for u in requests if INJECTED_HOST in u]
    assert expected in shown, shown[:300]       # the result holds the name, as text
    assert words in marks, marks


def test_chart_tooltips_show_document_markup_as_text(browser, injected_site):
    """Vega's tooltips are set as innerHTML: the project's bar must show its name as text."""
    doc = next((injected_site / "docs").iterdir()).name
    with watched_page(browser, injected_site) as (page, server, dialogs, requests):
        page.goto(server + f"docs/{doc}/", wait_until="networkidle")
        bars = page.locator("#projects ~ figure .ys-chart svg .mark-rect path")
        bars.first.wait_for(timeout=15_000)
        tips = []
        for k in range(bars.count()):
            bars.nth(k).scroll_into_view_if_needed()
            box = bars.nth(k).bounding_box()     # in the viewport, as the mouse moves
            if box and box["width"] >= 1:      # a bar of 0.00 has no width to point at
                page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
                page.wait_for_timeout(100)
                tips.append(page.inner_text("#vg-tooltip-element"))
        page.wait_for_timeout(1_000)
    assert not dialogs, dialogs
    assert not [u for u in requests if INJECTED_HOST in u]
    assert [t for t in tips if INJECTED in t], tips


# ---------------------------------------------------------------- reading the pages (issue 11)
# A site of the Jiangsu documents (five departments, 2017 and 2018, a name
# that changed between them) and a synthetic 决算 of the 昌吉 sample beside
# its 预算 (its title says 部门决算, its 公务接待费 0.21 instead of 0.29).

REAL = Path(__file__).resolve().parent / "real"
DESKTOP, PHONE = {"width": 1366, "height": 900}, {"width": 390, "height": 844}
CHANGJI_ACCOUNTS = "2026-changjihuizuzizhizhougongyehexinxihuaju-juesuan"


@pytest.fixture(scope="module")
def years_site(tmp_path_factory):
    from click.testing import CliRunner

    from conftest import CONTENT, sample
    from yusuan.cli import main

    root = tmp_path_factory.mktemp("years")
    content = root / "content"
    shutil.copytree(CONTENT / "pages", content / "pages")
    shutil.copytree(REAL / "jiangsu", content / "disclosures" / "jiangsu")
    budget = sample("昌吉")
    shutil.copy(budget, content / "disclosures" / budget.name)
    lines = budget.read_text(encoding="utf-8").split("\n")
    assert lines[4] == "部门预算公开" and lines[389].startswith("公务接待费\t0.29")
    assert lines[393].startswith("总计\t10.29")
    # spent 0.21 of the 0.29 planned for receptions: the 三公 total with it,
    # or its parts no longer add up and are not published
    lines[4], lines[389] = "部门决算公开", lines[389].replace("0.29", "0.21")
    lines[393] = lines[393].replace("10.29", "10.21")
    (content / "disclosures" / "昌吉决算.txt").write_text("\n".join(lines), encoding="utf-8")
    result = CliRunner().invoke(main, ["build", "--content", str(content), "--data-dir", str(root / "data"),
                                       "--site-dir", str(root / "site"), "--cache-dir", str(root / "cache")])
    assert result.exit_code == 0, result.output
    return root


@pytest.fixture(scope="module")
def years_server(years_site):
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                            functools.partial(Quiet, directory=str(years_site / "site")))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()


def documents(site_root: Path):
    import pandas as pd
    return pd.read_parquet(site_root / "data" / "documents.parquet")


def _digits(text: str) -> str:
    return text.replace(",", "").replace("万元", "").strip()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1366", "390"])
def test_headline_figures_land_on_their_source_lines(browser, years_server, years_site, viewport):
    """Each headline card's figure links to a line of the source page; after
    the click that line is the target, in view, and it shows the figure."""
    docs = documents(years_site)
    doc_id = sorted(docs.doc_id)[2]
    page = browser.new_page(viewport=viewport)
    page.goto(years_server + f"docs/{doc_id}/", wait_until="networkidle")
    n = page.locator("#figures + .ys-figures .ys-fig-value a").count()
    assert n >= 5
    checked = 0
    for k in range(n):
        page.goto(years_server + f"docs/{doc_id}/", wait_until="networkidle")
        link = page.locator("#figures + .ys-figures .ys-fig-value a").nth(k)
        shown = link.inner_text()
        if "/" in shown:        # 人员经费 / 公用经费: the first of the two
            shown = shown.split("/")[0]
        link.click()
        page.wait_for_load_state("networkidle")
        assert f"/sources/{doc_id}/#L" in page.url
        line = page.locator("pre.ys-src > span:target")
        assert line.count() == 1
        box = line.bounding_box()
        assert box and 0 <= box["y"] < viewport["height"], box
        assert _digits(shown) in _digits(line.inner_text()), (shown, line.inner_text())
        checked += 1
    page.close()
    assert checked == n


def test_source_page_reads_as_chinese_under_http_server(browser, years_server, years_site):
    """python3 -m http.server names no charset and no encoding for .txt.gz:
    the text carries a BOM, the page a <meta charset>, site.js unpacks the
    gzip itself; the lines read as Chinese in the browser."""
    import gzip

    doc_id = sorted(documents(years_site).doc_id)[0]
    with urllib.request.urlopen(years_server + f"sources/{doc_id}.txt.gz") as r:
        assert "charset" not in r.headers["Content-Type"] and not r.headers.get("Content-Encoding")
        raw = gzip.decompress(r.read())
    assert raw.startswith(b"\xef\xbb\xbf") and "部门" in raw.decode("utf-8-sig")
    page = browser.new_page()
    page.goto(years_server + f"sources/{doc_id}/", wait_until="networkidle")
    text = page.inner_text("pre.ys-src")
    assert "部门" in text and "预算" in text, text[:200]
    assert "é" not in text and "ä" not in text     # UTF-8 read as Latin-1 looks like this
    assert page.locator("pre.ys-src > span.mk", has_text="第 1 页").count() == 1   # a PDF's page markers
    page.close()


def test_source_page_shows_every_line_anchored(browser, years_server, years_site):
    """site.js unpacks each source text into the page: a span per line, id
    L<n>, its text the line's; markers set apart; the line-number column
    (CSS) shows n. Without JavaScript the page links the text file instead."""
    import gzip

    from yusuan.read.pdf import MARKER

    page = browser.new_page(viewport=DESKTOP)
    seen_marks = 0
    for doc_id in sorted(documents(years_site).doc_id):
        raw = (years_site / "site" / "sources" / f"{doc_id}.txt.gz").read_bytes()
        expected = gzip.decompress(raw).decode("utf-8-sig").removesuffix("\n").split("\n")
        page.goto(years_server + f"sources/{doc_id}/", wait_until="networkidle")
        shown = page.eval_on_selector_all("pre.ys-src > span", "els => els.map(e => [e.id, e.textContent, e.className])")
        assert [s[0] for s in shown] == [f"L{n}" for n in range(1, len(expected) + 1)], doc_id
        assert [s[1] for s in shown] == expected, doc_id
        marks = [s[0] for s in shown if s[2] == "mk"]
        assert marks == [f"L{n}" for n, line in enumerate(expected, 1) if MARKER.match(line)], doc_id
        seen_marks += bool(marks)
        number = page.evaluate("getComputedStyle(document.getElementById('L12'), '::before').content")
        assert number == "counter(ln)" or number.strip('"') == "12", number
    page.close()
    assert seen_marks >= 5      # the Jiangsu PDFs' page markers
    page = browser.new_page(viewport=DESKTOP, java_script_enabled=False)
    page.goto(years_server + f"sources/{doc_id}/#L12", wait_until="networkidle")
    assert page.locator("pre.ys-src > span").count() == 0
    fallback = page.locator("p", has_text="没有 JavaScript")
    assert fallback.count() == 1 and fallback.locator(f'a[href="../{doc_id}.txt.gz"]').count() == 1
    page.close()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1366", "390"])
def test_source_page_goes_to_the_line_of_its_address(browser, years_server, years_site, viewport):
    """sources/<doc_id>/#L<n>, opened from elsewhere: without the theme's
    script the page shows line n marked and in view, its number beside it,
    under a header linking the document's page; nothing else is loaded."""
    import gzip

    doc_id = JIANGSU_2018
    lines = gzip.decompress((years_site / "site" / "sources" / f"{doc_id}.txt.gz").read_bytes()).decode(
        "utf-8-sig").split("\n")
    n = next(k for k in range(len(lines) // 2, len(lines)) if "预算" in lines[k - 1])    # a line of Chinese, far down
    page = browser.new_page(viewport=viewport)
    requests, errors = [], []
    page.on("request", lambda r: requests.append(r.url))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(years_server + f"sources/{doc_id}/#L{n}", wait_until="networkidle")
    line = page.locator("pre.ys-src > span:target")
    assert line.get_attribute("id") == f"L{n}" and line.inner_text() == lines[n - 1]
    box = line.bounding_box()
    assert box and 0 <= box["y"] and box["y"] + box["height"] <= viewport["height"], box
    assert page.evaluate(f"getComputedStyle(document.getElementById('L{n}')).backgroundColor") == "rgb(255, 243, 176)"
    assert page.evaluate(f"getComputedStyle(document.getElementById('L{n}'), '::before').content") in (
        "counter(ln)", f'"{n}"')
    assert page.locator(".md-header").count() == 0
    needed = {f"sources/{doc_id}/", "assets/yusuan/site.css", "assets/yusuan/site.js", f"sources/{doc_id}.txt.gz"}
    assert needed <= {u.removeprefix(years_server) for u in requests} <= needed | {"assets/images/favicon.png"}, requests
    assert not errors, errors
    page.locator(".ys-bar a").nth(1).click()
    page.wait_for_load_state("networkidle")
    assert page.url == years_server + f"docs/{doc_id}/"
    page.close()


PAGES_390 = ["", "compare/", "transparency/", "data/", "sources/", "DOC", "DEPT", "SOURCE"]


def test_no_page_scrolls_sideways_on_a_phone(browser, years_server, years_site):
    """At 390 px nothing is wider than the screen, except a table inside its own scrolling box."""
    doc_id = sorted(documents(years_site).doc_id)[0]
    dept = sorted(p.name for p in (years_site / "site" / "departments").iterdir())[0]
    page = browser.new_page(viewport=PHONE)
    for path in PAGES_390:
        path = {"DOC": f"docs/{doc_id}/", "DEPT": f"departments/{dept}/",
                "SOURCE": f"sources/{doc_id}/"}.get(path, path)
        page.goto(years_server + path, wait_until="networkidle")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], (path, width)
        wide = page.evaluate("""Array.from(document.querySelectorAll('.md-content *, .ys-lean body *')).filter(e =>
            e.getBoundingClientRect().right > innerWidth + 1 && !e.closest('.ys-table-wrap')).map(e => e.tagName)""")
        assert not wide, (path, wide[:5])
    page.close()


def test_department_page_shows_every_year_in_the_content(browser, years_server, years_site):
    """Each department's page lists every year it has a document for, even
    where its name changed (中国共产党江苏省委员会办公厅 → 中共江苏省委办公厅)."""
    from yusuan.identity import name_key

    docs = documents(years_site)
    docs["key"] = docs.department.map(name_key)
    assert docs.groupby("key").year.nunique().max() >= 2
    page = browser.new_page(viewport=DESKTOP)
    seen = 0
    for _, group in docs.groupby("key"):
        page.goto(years_server + f"docs/{group.doc_id.iloc[0]}/", wait_until="networkidle")
        page.click("text=本部门历年")
        page.wait_for_load_state("networkidle")
        assert "/departments/" in page.url
        listed = page.eval_on_selector_all("#documents + .ys-table-wrap table tbody tr td:first-child",
                                           "els => els.map(e => Number(e.textContent))")
        assert sorted(listed) == sorted(group.year.tolist()), (page.url, listed)
        seen += 1
    assert seen == docs.key.nunique()
    renamed = docs[docs.key == name_key("中共江苏省委办公厅")]
    assert set(renamed.department) == {"中国共产党江苏省委员会办公厅", "中共江苏省委办公厅"}
    page.close()


def test_budget_against_actual(browser, years_server, years_site):
    page = browser.new_page(viewport=DESKTOP)
    page.goto(years_server + f"docs/{CHANGJI_ACCOUNTS}/", wait_until="networkidle")
    page.click("text=本部门历年")
    page.wait_for_load_state("networkidle")
    row = page.locator("#plan-actual ~ .ys-table-wrap tr", has_text="公务接待费").first
    cells = row.locator("td").all_inner_texts()
    assert cells[1:4] == ["0.29", "0.21", "-0.08"], cells
    page.locator("#plan-actual ~ figure .ys-chart svg.marks").first.wait_for()
    page.close()


def test_three_public_rank_is_on_the_compare_table(browser, years_server, years_site):
    """The 三公 block names no rank (it changes with every document added,
    and the page is kept as it is then): it links the compare table filtered
    to its year and kind, the document's row marked, where sorting by 三公
    per 万元 ranks it; the row shows the per 万元 figure the block shows."""
    docs = documents(years_site)
    page = browser.new_page(viewport=DESKTOP)
    checked = 0
    for doc_id in sorted(docs.doc_id):
        page.goto(years_server + f"docs/{doc_id}/", wait_until="networkidle")
        rank = page.locator("#three-public + .ys-figures .ys-fig", has_text="同类文件中的排名")
        if not rank.count():
            continue
        assert rank.locator(".ys-fig-value").inner_text() == "在比较页查看"
        per_10k = page.locator("#three-public + .ys-figures .ys-fig", has_text="每万元预算").locator(
            ".ys-fig-value").inner_text().removesuffix(" 元")
        rank.locator("a").click()
        page.wait_for_load_state("networkidle")
        assert page.locator(f"#d-{doc_id}.ys-here").count() == 1
        col = page.evaluate("""Array.from(document.querySelectorAll('#compare-table th')).findIndex(th =>
            th.textContent.includes('每万元预算')) + 1""")
        assert page.eval_on_selector(f"#d-{doc_id} td:nth-child({col})", "e => e.textContent") == per_10k
        checked += 1
    page.close()
    assert checked >= 8


def test_home_on_a_phone(browser, years_server):
    """Two headline cards a row; the department list starts within the first screen; names are links."""
    page = browser.new_page(viewport=PHONE)
    page.goto(years_server, wait_until="networkidle")
    lefts = page.eval_on_selector_all(".ys-figures .ys-fig", "els => els.map(e => Math.round(e.getBoundingClientRect().left))")
    assert len(set(lefts)) == 2, lefts
    first = page.locator(".ys-coverage li > a").first
    assert first.bounding_box()["y"] < PHONE["height"]
    assert "/departments/" in first.get_attribute("href") or first.get_attribute("href").startswith("departments/")
    page.close()


@pytest.mark.parametrize("path", ["compare/", "transparency/"])
def test_document_tables_show_every_column_at_1366(browser, years_server, path):
    page = browser.new_page(viewport=DESKTOP)
    page.goto(years_server + path, wait_until="networkidle")
    table = "#compare-table" if path == "compare/" else "#transparency-table"
    clipped = page.eval_on_selector(table, "t => t.scrollWidth - t.closest('.ys-table-wrap').clientWidth")
    assert clipped <= 0, clipped
    assert page.locator(".ys-filters select").count() == 3
    page.select_option(".ys-filters select[name=year]", "2017")
    years = set(page.eval_on_selector_all(f"{table} tbody tr:not([hidden]) td:nth-child(3)", "els => els.map(e => e.textContent)"))
    assert years == {"2017"}
    page.close()


def test_year_over_year_table_on_a_phone(browser, years_server, years_site):
    """Its rows are never taller than the screen (the reason wraps at a readable width)."""
    docs = documents(years_site)
    page = browser.new_page(viewport=PHONE)
    measured = 0
    for doc_id in sorted(docs.doc_id):
        page.goto(years_server + f"docs/{doc_id}/", wait_until="networkidle")
        if page.locator("#yoy-table").count():
            page.locator("#yoy-table[data-ready]").wait_for()     # its rows drawn from the rows file
        heights = page.eval_on_selector_all("#yoy-table tbody tr", "els => els.map(e => e.offsetHeight)")
        widths = page.eval_on_selector_all("#yoy-table td.reason", "els => els.map(e => e.offsetWidth)")
        if heights:
            assert max(heights) < PHONE["height"] * 0.75, (doc_id, max(heights))
            assert min(widths) >= 150, (doc_id, widths)
            assert page.locator("#yoy-table th", has_text="章节").count() == 1
            measured += 1
    page.close()
    assert measured >= 5


def type_query(page, words: str) -> None:
    """The words into the theme's search box at once, then a key the theme
    listens to (Chinese comes as text input, without key events). Typed a
    character at a time, the theme may query a first character alone (it
    reads the box when its worker is ready), and that result shows first."""
    page.fill("input.md-search__input", words)
    page.keyboard.press("End")


def search(page, server: str, words: str) -> str:
    """Type words into the theme's search box; the results' text once the first shows."""
    page.goto(server, wait_until="networkidle")
    type_query(page, words)
    page.locator(".md-search-result__item").first.wait_for(timeout=15_000)
    return page.inner_text(".md-search-result")


def test_search_result_shows_the_figure(browser, years_server):
    page = browser.new_page(viewport=DESKTOP)
    shown = search(page, years_server, "三公经费")
    page.close()
    assert re.search(r"三公.{0,3}经费\D{0,4}[\d,]+\.\d\d\s*万元", shown.replace("\u200b", "")), shown[:500]


@pytest.mark.parametrize("words, where", [
    ("中共江苏省委办公厅", "departments/zhonggongjiangsushengweibangongting/"),   # a department's name
    ("党建", f"docs/{CHANGJI_ACCOUNTS.removesuffix('-juesuan')}/#projects"),   # a project's name
    ("行政运行", "docs/"),                                                     # an item's name (function class)
    ("逐行读取", "method/"),                                                   # a page's text
])
def test_search_finds_chinese_words(browser, years_server, words, where):
    """The site's own search (render/search.py: a bounded index read by
    assets/search_worker.js) finds words of names and of page text, marks
    them, and reads only a few files to do so."""
    page = browser.new_page(viewport=DESKTOP)
    fetched = []
    page.on("requestfinished", lambda r: fetched.append(r.url))
    search(page, years_server, words)
    hrefs = page.eval_on_selector_all(".md-search-result__item a", "els => els.map(e => e.getAttribute('href'))")
    hrefs = [re.sub(r"\?[^#]*", "", h) for h in hrefs]      # ?h=…: the words the page will mark
    marked = page.eval_on_selector_all(".md-search-result mark", "els => els.map(e => e.textContent)")
    page.close()
    assert any(where in h for h in hrefs), hrefs[:10]
    assert words in marked or all(w in "".join(marked) for w in words), marked[:10]
    index_files = [u for u in fetched if "/search/" in u]
    assert not [u for u in fetched if u.endswith("search_index.json") is False and "/lunr/" in u]
    assert 1 < len(index_files) <= 1 + 5 + 16, index_files     # the stub, a file per term, ≤ 16 entry files


def test_search_on_a_phone(browser, years_server, tmp_path):
    """At 390 px the results fit the screen: nothing wider than it, the first result's words in view."""
    folder = REPO_SCREENSHOTS if os.environ.get("YUSUAN_UPDATE_SCREENSHOTS") else tmp_path
    page = browser.new_page(viewport=PHONE)
    page.goto(years_server, wait_until="networkidle")
    page.click("label.md-header__button[for=__search]")       # the phone's search button
    page.locator("input.md-search__input").wait_for()
    type_query(page, "党建")
    page.locator(".md-search-result__item").first.wait_for(timeout=15_000)
    page.wait_for_timeout(300)
    page.screenshot(path=str(folder / "screenshot-search-390.png"))
    wide = page.evaluate("""Array.from(document.querySelectorAll('.md-search-result *')).filter(e =>
        e.getBoundingClientRect().right > innerWidth + 1).map(e => e.tagName)""")
    first = page.locator(".md-search-result mark").first.bounding_box()
    page.close()
    assert not wide, wide[:5]
    assert first and 0 <= first["y"] < PHONE["height"] and first["x"] + first["width"] <= PHONE["width"], first


def test_chart_offers_csv_svg_png(browser, years_server, years_site):
    doc_id = sorted(documents(years_site).doc_id)[0]
    page = browser.new_page(viewport=DESKTOP)
    page.goto(years_server + f"docs/{doc_id}/", wait_until="networkidle")
    bar = page.locator(".ys-chart-downloads").first
    bar.wait_for()
    raw = page.evaluate("""fetch(document.querySelector('.ys-chart-downloads a[download]').href)
        .then(r => r.arrayBuffer()).then(b => Array.from(new Uint8Array(b)))""")
    csv = bytes(raw)
    assert csv.startswith(b"\xef\xbb\xbf")      # a BOM: Excel reads the Chinese as UTF-8
    assert "金额（万元）" in csv.decode("utf-8-sig").splitlines()[0]
    with page.expect_download() as got:
        bar.locator("a", has_text="SVG").click()
    assert got.value.suggested_filename.endswith(".svg")
    with page.expect_download() as got:
        bar.locator("a", has_text="PNG").click()
    assert got.value.suggested_filename.endswith(".png")
    page.close()


def test_reading_screenshots(browser, years_server, years_site, tmp_path):
    """A department page, its page across years and the compare page at both
    widths; YUSUAN_UPDATE_SCREENSHOTS=1 writes them to docs-assets/ for the README."""
    folder = REPO_SCREENSHOTS if os.environ.get("YUSUAN_UPDATE_SCREENSHOTS") else tmp_path
    doc_id = "2018-zhonggongjiangsushengweibangongting"
    assert doc_id in set(documents(years_site).doc_id)
    pages = {"department": f"docs/{doc_id}/", "across-years": "departments/zhonggongjiangsushengweibangongting/",
             "compare": f"compare/?year=2018&kind=部门预算#d-{doc_id}"}
    for name, path in pages.items():
        for label, viewport in (("1366", DESKTOP), ("390", PHONE)):
            page = browser.new_page(viewport=viewport)
            page.goto(years_server + path, wait_until="networkidle")
            charts = page.locator(".ys-chart")
            for k in range(charts.count()):
                charts.nth(k).locator("svg").first.wait_for(timeout=15_000)
            shot = folder / f"screenshot-{name}-{label}.png"
            page.screenshot(path=str(shot))
            page.close()
            assert shot.stat().st_size > 10_000


# ---------------------------------------------------------------- real PDFs and a cut-off document (issue 11)

from site_fixtures import BEIJING, PUTUO_ACCOUNTS, YANTAI, real_pdf_site, truncated_site  # noqa: E402,F401


@contextlib.contextmanager
def served(folder: Path):
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(folder)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture(scope="module")
def pdf_server(real_pdf_site):
    with served(real_pdf_site / "site") as url:
        yield url


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1366", "390"])
def test_incomplete_banner_is_on_the_first_screen(browser, truncated_site, viewport):
    """A document cut off in its tables says so before any of its figures, in view on arrival."""
    with served(truncated_site / "site") as url:
        page = browser.new_page(viewport=viewport)
        page.goto(url + "docs/2026-changjihuizuzizhizhougongyehexinxihuaju/", wait_until="networkidle")
        banner = page.locator(".ys-incomplete")
        assert banner.count() == 1
        box = banner.bounding_box()
        assert box and box["y"] + 40 < viewport["height"], box
        assert "文件不完整" in banner.inner_text()
        first_card = page.locator("#figures + .ys-figures .ys-fig").first.bounding_box()
        assert box["y"] < first_card["y"]
        page.goto(url + "docs/2026-atushenshishangwukejihegongyexinxihuaju/", wait_until="networkidle")
        assert page.locator(".ys-incomplete").count() == 0
        assert "应有的标准表读出" in page.locator(".ys-coverage-line").inner_text()
        page.close()


def test_source_index_links_every_page_and_file(browser, pdf_server, real_pdf_site):
    """A document read from two PDFs (北京医保): site.js lists each file and
    each page in the source page's index, a link to its marker line; a click
    goes to that line."""
    lines = (real_pdf_site / "data" / "sources" / f"{BEIJING}.txt").read_text(encoding="utf-8").split("\n")
    expected = []
    for n, line in enumerate(lines, 1):
        page_no = re.fullmatch(r"=== 第 (\d+) 页 ===", line)
        if page_no or line.startswith("=== 文件 "):
            expected.append([f"#L{n}", f"第 {page_no[1]} 页" if page_no else "文件：" + line[7:-4].rpartition("/")[2],
                             "" if page_no else "ys-src-file"])
    files = [e for e in expected if e[2]]
    assert [e[1] for e in files] == ["文件：医疗保障局_附件1：北京市医疗保障局2026年度部门预算情况说明.pdf",
                                     "文件：医疗保障局_附件2：北京市医疗保障局2026年度部门预算报表.pdf"]
    page = browser.new_page(viewport=DESKTOP)
    page.goto(pdf_server + f"sources/{BEIJING}/", wait_until="networkidle")
    index = page.eval_on_selector_all("nav.ys-src-index > *", "els => els.map(a => [a.getAttribute('href'), "
                                      "a.textContent, a.className])")
    assert index == expected
    page.locator("nav.ys-src-index a.ys-src-file").nth(1).click()
    assert page.locator("pre.ys-src > span:target").get_attribute("id") == files[1][0].removeprefix("#")
    page.close()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1366", "390"])
def test_problem_lines_land_on_their_lines(browser, pdf_server, real_pdf_site, viewport):
    """北京医保 预算05表, whose header as read is in doubt: the problem's line link
    opens the source page at the line of the table's title."""
    page = browser.new_page(viewport=viewport)
    page.goto(pdf_server + f"docs/{BEIJING}/", wait_until="networkidle")
    links = page.locator("#problems-table tr", has_text="可能是表头未读准").locator("td.ln a")
    assert links.count() >= 1
    links.first.click()
    page.wait_for_load_state("networkidle")
    assert f"/sources/{BEIJING}/#L" in page.url
    line = page.locator("pre.ys-src > span:target")
    box = line.bounding_box()
    assert box and 0 <= box["y"] < viewport["height"], box
    assert line.inner_text().strip().endswith("预算05表 一般公共预算支出表")
    page.close()


def test_real_pdf_pages_fit_a_phone(browser, pdf_server):
    """At 390 px nothing but a table's own scrolling box is wider than the
    screen, and the checks' descriptions are not squeezed to a few characters
    a line by their lists of line numbers."""
    page = browser.new_page(viewport=PHONE)
    for path in (f"docs/{PUTUO_ACCOUNTS}/", f"docs/{BEIJING}/", f"docs/{YANTAI}/", f"sources/{BEIJING}/",
                 "transparency/", "compare/"):
        page.goto(pdf_server + path, wait_until="networkidle")
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], path
        wide = page.evaluate("""Array.from(document.querySelectorAll('.md-content *, .ys-lean body *')).filter(e =>
            e.getBoundingClientRect().right > innerWidth + 1 && !e.closest('.ys-table-wrap')).map(e => e.tagName)""")
        assert not wide, (path, wide[:5])
        # a wide table's caption is read on the screen, not cut at its edge
        cut = page.eval_on_selector_all("table.ys-table caption", """els => els.filter(e =>
            e.getBoundingClientRect().right > innerWidth + 1).map(e => e.textContent.slice(0, 20))""")
        assert not cut, (path, cut)
        widths = page.eval_on_selector_all("table.ys-checks tbody td:nth-child(2)", "els => els.map(e => e.offsetWidth)")
        if widths:
            assert min(widths) >= 150, (path, min(widths))
    page.close()


def test_final_accounts_figures_land_on_their_lines(browser, pdf_server):
    """The 决算's headline cards (收入总计, 年初结转和结余 …) link to lines that print them."""
    page = browser.new_page(viewport=DESKTOP)
    page.goto(pdf_server + f"docs/{PUTUO_ACCOUNTS}/", wait_until="networkidle")
    labels = page.eval_on_selector_all("#figures + .ys-figures .ys-fig", """els => els
        .filter(e => e.querySelector('.ys-fig-value a')).map(e => e.querySelector('.ys-fig-label').textContent)""")
    assert {"收入总计", "本年收入", "年初结转和结余"} <= set(labels)
    for label in labels:
        page.goto(pdf_server + f"docs/{PUTUO_ACCOUNTS}/", wait_until="networkidle")
        card = page.locator("#figures + .ys-figures .ys-fig", has=page.locator(f".ys-fig-label:text-is('{label}')"))
        link = card.locator(".ys-fig-value a")
        shown = link.inner_text().split("/")[0]
        link.click()
        page.wait_for_load_state("networkidle")
        line = page.locator("pre.ys-src > span:target")
        assert line.count() == 1, label
        assert _digits(shown) in _digits(line.inner_text()), (label, shown, line.inner_text())
    page.close()


# ---------------------------------------------------------------- lists of every document, a page at a time (issue 12)

@pytest.fixture(scope="module")
def paged_site(tmp_path_factory):
    """The three samples built with two rows a page, so the lists of every
    document (compare, transparency, sources) have two pages."""
    from click.testing import CliRunner

    from conftest import CONTENT
    from yusuan.cli import main
    from yusuan.render import home, tables

    root = tmp_path_factory.mktemp("paged")
    before = tables.PAGE_ROWS, home.HOME_DEPARTMENTS
    tables.PAGE_ROWS, home.HOME_DEPARTMENTS = 2, 0      # the home page names no department, only counts them
    try:
        result = CliRunner().invoke(main, ["build", "--content", str(CONTENT), "--data-dir", str(root / "data"),
                                           "--site-dir", str(root / "site"), "--cache-dir", "", "--jobs", "1"])
    finally:
        tables.PAGE_ROWS, home.HOME_DEPARTMENTS = before
    assert result.exit_code == 0, result.output
    return root / "site"


LISTS = {"compare/": "#compare-table", "transparency/": "#transparency-table", "sources/": "#sources-table",
         "departments/": "#departments-table"}


def _page_rows(page, table: str) -> list[str]:
    """The first cell's text of each row shown."""
    return page.eval_on_selector_all(f"{table} tbody tr td:first-child", "els => els.map(e => e.textContent)")


@pytest.mark.parametrize("path", list(LISTS))
def test_every_document_is_on_some_page(browser, paged_site, path):
    """Paging through a list shows every document once; without JavaScript
    its first page is in the HTML, with a note saying there is more."""
    import pandas as pd

    docs = pd.read_parquet(paged_site.parent / "data" / "documents.parquet")
    table = LISTS[path]
    with served(paged_site) as url:
        page = browser.new_page(viewport=DESKTOP)
        errors = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(url + path, wait_until="networkidle")
        page.locator(f"{table}[data-ready]").wait_for()
        seen = []
        for _ in range(10):
            rows = _page_rows(page, table)
            assert 1 <= len(rows) <= 2, rows
            seen += rows
            more = page.locator(".ys-pager button", has_text="下一页")
            if more.is_disabled():
                break
            more.click()
        each, noun = ("个", "部门") if path == "departments/" else ("份", "文件")
        assert f"第 3–3 {each}，共 3 {each}" in page.inner_text(".ys-pager")
        assert sorted(s.removesuffix("（不完整）") for s in seen) == sorted(docs.department), seen
        assert not errors, errors
        page.close()
        page = browser.new_page(viewport=DESKTOP, java_script_enabled=False)
        page.goto(url + path, wait_until="networkidle")
        assert len(_page_rows(page, table)) == 2
        assert f"共 3 {each}{noun}，此处列出前 2 {each}" in page.inner_text(".ys-table-wrap")
        page.close()


def test_home_links_every_department_through_the_list(browser, paged_site):
    """The home page names the first departments of each level and links the
    list of every department, filtered to that level."""
    import pandas as pd

    docs = pd.read_parquet(paged_site.parent / "data" / "documents.parquet")
    with served(paged_site) as url:
        page = browser.new_page(viewport=DESKTOP)
        page.goto(url, wait_until="networkidle")
        notes = page.locator("p.ys-note", has_text="部门列表")
        assert notes.count() == docs.level.nunique() == 3
        for k in range(3):
            page.goto(url, wait_until="networkidle")
            link = page.locator("p.ys-note", has_text="部门列表").nth(k).locator("a")
            link.click()
            page.wait_for_load_state("networkidle")
            page.locator("#departments-table[data-ready]").wait_for()
            level = page.eval_on_selector(".ys-filters select[name=level]", "s => s.value")
            shown = _page_rows(page, "#departments-table")
            assert shown == list(docs[docs.level == level].department), (level, shown)
            page.locator("#departments-table tbody a").first.click()
            page.wait_for_load_state("networkidle")
            assert "/departments/" in page.url and page.locator("#documents").count() == 1
        page.close()


def test_sort_filter_and_anchor_work_on_every_row(browser, paged_site):
    """Sorting orders all the rows, not one page; a filter counts all of them;
    a document's row (#d-<doc_id>) is shown on its page and marked."""
    import pandas as pd

    docs = pd.read_parquet(paged_site.parent / "data" / "documents.parquet").sort_values("doc_id")
    with served(paged_site) as url:
        page = browser.new_page(viewport=DESKTOP)
        page.goto(url + "compare/", wait_until="networkidle")
        page.locator("#compare-table[data-ready]").wait_for()
        header = page.locator("#compare-table th", has_text="收支总预算")
        header.click()
        header.click()   # high to low
        col = "#compare-table tbody tr td:nth-child(5)"
        values = page.eval_on_selector_all(col, "els => els.map(e => Number(e.dataset.sort))")
        page.locator(".ys-pager button", has_text="下一页").click()
        values += page.eval_on_selector_all(col, "els => els.map(e => Number(e.dataset.sort))")
        assert values == sorted(docs.total_budget, reverse=True), values
        page.select_option(".ys-filters select[name=level]", docs.level.iloc[0])
        n = int((docs.level == docs.level.iloc[0]).sum())
        assert f"共 {n} 份（全部 3 份）" in page.inner_text(".ys-pager")
        # wherever its row falls, it is shown and marked: arriving at the
        # address, and following a link to it from the page itself
        page.goto(url + "compare/", wait_until="networkidle")
        for fresh in (True, False):
            for doc_id in docs.doc_id:
                if fresh:
                    page.goto("about:blank")
                page.goto(url + f"compare/#d-{doc_id}", wait_until="networkidle")
                page.locator("#compare-table[data-ready]").wait_for()
                here = page.locator(f"#d-{doc_id}.ys-here")
                assert here.count() == 1, (doc_id, fresh)
                box = here.bounding_box()
                assert box and 0 <= box["y"] < DESKTOP["height"], (doc_id, box)
        page.close()


def test_every_check_is_listed_on_the_document_page_and_links_its_lines(browser, years_server, years_site):
    """The document page lists every check in #all-checks (site.js, from its
    rows file), a page of 50 at a time, filtered by status, each line link
    landing on its line; without JavaScript the checks that do not pass are
    in the HTML and #all-checks says where the others are."""
    import pandas as pd

    from yusuan.render.department import CHECKS_PAGE_ROWS

    checks = pd.read_parquet(years_site / "data" / "checks.parquet")
    doc_id = checks.doc_id.value_counts().sort_index().idxmax()     # the pager is exercised
    mine = checks[checks.doc_id == doc_id]
    assert len(mine) > CHECKS_PAGE_ROWS
    page = browser.new_page(viewport=DESKTOP)
    page.goto(years_server + f"docs/{doc_id}/", wait_until="networkidle")
    page.locator("#all-checks[data-ready]").wait_for()
    assert page.locator("#all-checks tbody tr").count() == CHECKS_PAGE_ROWS
    pager = page.locator("#all-checks").locator("xpath=../following-sibling::nav[1]")
    assert f"共 {len(mine):,} 条" in pager.inner_text()
    assert not page.locator("#all-checks").locator("xpath=..").locator("p.ys-note").is_visible()
    page.select_option("select[name=status]", "通过")
    passing = int((mine.status == "pass").sum())
    assert f"共 {passing:,} 条（全部 {len(mine):,} 条）" in pager.inner_text()
    assert page.locator("#all-checks tbody tr td.status.pass").count() == min(passing, CHECKS_PAGE_ROWS)
    links = page.locator("#all-checks tbody td.ln a")
    n = links.count()
    assert n >= min(passing, CHECKS_PAGE_ROWS)
    for k in (0, n // 2, n - 1):
        page.goto(years_server + f"docs/{doc_id}/", wait_until="networkidle")
        page.locator("#all-checks[data-ready]").wait_for()
        link = page.locator("#all-checks tbody td.ln a").nth(k)
        first = link.inner_text().split("\u2013")[0]
        link.click()
        page.wait_for_load_state("networkidle")
        assert page.url.endswith(f"/sources/{doc_id}/#L{first}")
        line = page.locator("pre.ys-src > span:target")
        assert line.count() == 1 and line.get_attribute("id") == f"L{first}"
        box = line.bounding_box()
        assert box and 0 <= box["y"] < DESKTOP["height"], box
    page.close()
    page = browser.new_page(viewport=DESKTOP, java_script_enabled=False)
    page.goto(years_server + f"docs/{doc_id}/", wait_until="networkidle")
    assert page.locator("#all-checks tbody tr").count() == 0
    failing = int((mine.status == "fail").sum())
    assert page.locator("#checks ~ .ys-table-wrap table.ys-checks:not(#all-checks) tbody tr").count() == min(failing, 20)
    assert page.locator("p.ys-note", has_text=f"全部 {len(mine):,} 条校验（含通过的与").is_visible()
    page.close()


def test_document_downloads_are_made_in_the_browser(browser, years_server, years_site, tmp_path):
    """The document's XLSX and ZIP of CSVs, made by site.js from its
    data.json.gz: a sheet and a CSV per dataset with this document's rows,
    the same values as the datasets; the XLSX opens in openpyxl."""
    import csv
    import io
    import zipfile

    import openpyxl
    import pandas as pd

    from yusuan.render.downloads import NOT_PER_DOC
    from yusuan.schema import DATASETS

    doc_id = sorted(documents(years_site).doc_id)[0]
    page = browser.new_page(viewport=DESKTOP)
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(years_server + f"docs/{doc_id}/", wait_until="networkidle")
    got = {}
    for label, name in (("XLSX", f"{doc_id}.xlsx"), ("CSV", f"{doc_id}-csv.zip")):
        with page.expect_download() as d:
            page.locator(".ys-make a", has_text=label).click()
        assert d.value.suggested_filename == name
        got[label] = tmp_path / name
        d.value.save_as(got[label])
    page.close()
    assert not errors, errors
    expected = {}
    for ds in DATASETS:
        if "doc_id" in ds.columns and ds.name not in NOT_PER_DOC:
            frame = pd.read_parquet(years_site / "data" / f"{ds.name}.parquet")
            frame = frame[frame.doc_id == doc_id]
            if len(frame):
                expected[ds.name] = frame[list(ds.columns)]
    assert {"documents", "function_lines"} <= set(expected) and not {"checks", "table_cells"} & set(expected)

    def same(a, b) -> bool:
        if a is None or (isinstance(a, float) and a != a) or a is pd.NaT:
            return b in (None, "")
        if isinstance(a, (int, float)) and not isinstance(a, bool):
            return b not in (None, "") and abs(float(b) - float(a)) < 1e-9
        if isinstance(a, bool):
            return str(b).lower() in (str(a).lower(), "1" if a else "0")
        return str(b) == (a.isoformat() if hasattr(a, "isoformat") else str(a))

    with zipfile.ZipFile(got["CSV"]) as z:
        assert z.testzip() is None
        assert sorted(z.namelist()) == sorted(f"{doc_id}/{n}.csv" for n in expected)
        for name, frame in expected.items():
            text = z.read(f"{doc_id}/{name}.csv").decode("utf-8")
            assert text.startswith("\ufeff")
            rows = list(csv.reader(io.StringIO(text[1:])))
            assert rows[0] == list(frame.columns) and len(rows) == len(frame) + 1, name
            for want, row in zip(frame.itertuples(index=False), rows[1:]):
                assert all(same(a, b) for a, b in zip(want, row)), (name, want, row)
    book = openpyxl.load_workbook(got["XLSX"])
    assert book.sheetnames == list(expected) and book.properties.title == doc_id
    fields = {ds.name: ds.fields for ds in DATASETS}
    for name, frame in expected.items():
        sheet = book[name]
        assert sheet.freeze_panes == "A2"
        rows = list(sheet.iter_rows(values_only=True))
        assert len(rows) == len(frame) + 1, name
        assert rows[0] == tuple(f"{f.title}（{f.unit}）" if f.unit else f.title for f in fields[name]), name
        for want, row in zip(frame.itertuples(index=False), rows[1:]):
            assert all(same(a, b) for a, b in zip(want, row)), (name, want, row)
        amounts = [c for j, f in enumerate(fields[name]) if f.unit == "万元"
                   for c in next(sheet.iter_cols(j + 1, j + 1, 2)) if c.value is not None]
        assert all(c.number_format == "#,##0.00" for c in amounts), name
        texts = [c for row in sheet.iter_rows(min_row=2) for c in row if isinstance(c.value, str)]
        assert all(c.data_type != "f" for c in texts)      # text that looks like a formula stays text


def test_detail_tables_list_every_row_from_the_rows_file(browser, years_server, years_site):
    """A document's detail tables (比上年变化, every 绩效目标 indicator,
    projects, carryover) have no rows in the HTML; site.js lists every row
    from the page's rows file, a page at a time: as many rows in all as the
    dataset has, in its order, each line number linked to its line."""
    import pandas as pd

    data = years_site / "data"
    tables = {"yoy": ("#yoy-table", pd.read_parquet(data / "yoy_changes.parquet")),
              "targets": ("#all-targets", pd.read_parquet(data / "performance_targets.parquet")),
              "projects": ("table[data-name=projects]", pd.read_parquet(data / "projects.parquet"))}
    cell = "els => els.map(tr => [tr.className, Array.from(tr.cells).map(td => [td.className, td.textContent, " \
           "Array.from(td.querySelectorAll('a')).map(a => a.href).join(' ')])])"
    page = browser.new_page(viewport=DESKTOP)
    nojs = browser.new_page(viewport=DESKTOP, java_script_enabled=False)
    checked = set()
    for doc_id in sorted(documents(years_site).doc_id):
        nojs.goto(years_server + f"docs/{doc_id}/", wait_until="networkidle")
        page.goto(years_server + f"docs/{doc_id}/", wait_until="networkidle")
        for name, (table, dataset) in tables.items():
            mine = dataset[dataset.doc_id == doc_id]
            if name == "projects":      # a 合计 row read as a project is not listed
                mine = mine[~mine.project.isin(["合计", "总计"])]
            if not nojs.locator(table).count():
                assert mine.empty, (doc_id, name)
                continue
            assert nojs.eval_on_selector_all(f"{table} tbody tr", cell) == [], (doc_id, name)
            page.locator(f"{table}[data-ready]").wait_for()
            listed = []
            while True:
                listed += page.eval_on_selector_all(f"{table} tbody tr", cell)
                next_page = page.locator(table).locator("xpath=../following-sibling::nav[1]").locator("button", has_text="下一页")
                if next_page.is_disabled():
                    break
                next_page.click()
            assert len(listed) == len(mine), (doc_id, name)
            lines = [text for _, cells in listed for cls, text, a in cells if cls == "ln"]
            if name != "projects":       # projects are listed by amount
                assert lines == [str(int(n)) for n in mine.source_line], (doc_id, name)
            links = [(text, a) for _, cells in listed for cls, text, a in cells if cls == "ln"]
            assert all(a == years_server + f"sources/{doc_id}/#L{text}" for text, a in links), links[:3]
            if name == "targets":
                # each indicator named by its table: the tables the page lists, in the HTML
                named = nojs.evaluate(
                    """() => Array.from(document.querySelectorAll('table')).filter(t => t.caption &&
                        t.caption.textContent === '绩效目标表').flatMap(t => Array.from(t.tBodies[0].rows,
                        tr => tr.cells[0].textContent))""")
                assert sorted({cells[0][1] for _, cells in listed}) == sorted(named), doc_id
            checked.add(name)
    page.close()
    nojs.close()
    assert checked == set(tables)


def test_department_yoy_table_lists_every_row_from_its_rows_file(browser, multi_year_site):
    """The 比上年 table of a department across years: site.js lists every row
    of the page's rows.json.gz, a page at a time (the HTML has none)."""
    import gzip
    import json

    cell = "els => els.map(tr => Array.from(tr.cells).map(td => [td.className, td.textContent, " \
           "Array.from(td.querySelectorAll('a')).map(a => a.href).join(' ')]))"
    table = "#yoy ~ .ys-table-wrap table[data-rows]"
    checked = 0
    with served(multi_year_site) as url:
        page = browser.new_page(viewport=DESKTOP)
        nojs = browser.new_page(viewport=DESKTOP, java_script_enabled=False)
        for folder in sorted(p.parent for p in (multi_year_site / "departments").glob("*/index.html")):
            rows = json.loads(gzip.decompress((folder / "rows.json.gz").read_bytes()))["yoy"]["rows"]
            nojs.goto(url + f"departments/{folder.name}/", wait_until="networkidle")
            first = nojs.eval_on_selector_all(f"{table} tbody tr", cell)
            page.goto(url + f"departments/{folder.name}/", wait_until="networkidle")
            page.locator(f"{table}[data-ready]").wait_for()
            pager = page.locator(table).locator("xpath=../following-sibling::nav[1]")
            listed = []
            while True:
                listed += page.eval_on_selector_all(f"{table} tbody tr", cell)
                if pager.locator("button", has_text="下一页").is_disabled():
                    break
                pager.locator("button", has_text="下一页").click()
            assert first == [] and len(listed) == len(rows), folder.name
            assert [[c[1] for c in r] for r in listed] == [
                [c if isinstance(c, str) else c[0] for c in row[1:]] for row in rows], folder.name
            assert pager.inner_text().endswith(f"共 {len(rows)} 条"), pager.inner_text()
            links = [a for r in listed for c in r for a in c[2].split()]
            assert links and all(re.fullmatch(re.escape(url) + r"sources/[^/]+/#L\d+", a) for a in links), links[:3]
            checked += 1
        page.close()
        nojs.close()
    assert checked == 3
