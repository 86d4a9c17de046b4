"""The built site in headless Chromium: charts draw, no console errors, no
request leaves 127.0.0.1, every download link answers 200."""
from __future__ import annotations

import contextlib
import functools
import os
import shutil
import http.server
import threading
import urllib.request
from pathlib import Path

import pytest

from site_fixtures import real_site  # noqa: F401 - fixture

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


@pytest.mark.parametrize("path", ["", "compare/", "DOC", "transparency/", "data/"])
def test_page_in_browser(browser, server, real_site, path, tmp_path):
    if path == "DOC":
        path = f"docs/{first_doc(real_site)}/"
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


def test_search_results_do_not_run_document_markup(browser, injected_site):
    with watched_page(browser, injected_site) as (page, server, dialogs, requests):
        page.goto(server, wait_until="networkidle")
        page.click("input.md-search__input")
        page.keyboard.type("党建")   # Chinese is typed as text input, without key events:
        page.keyboard.press("End")    # a key the theme's search listens to
        page.locator(".md-search-result__item").first.wait_for(timeout=15_000)
        shown = page.inner_text(".md-search-result")
        page.wait_for_timeout(1_000)     # time for an injected onerror to fire
    assert not dialogs, dialogs
    assert not [u for u in requests if INJECTED_HOST in u]
    assert "onerror=alert(1)" in shown        # the result holds the name, as text


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
