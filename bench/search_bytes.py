"""What a reader's first search downloads, measured in headless Chromium
(bench/benchmark.py, for each size's cold build; or alone:
`python3 bench/search_bytes.py SITE_DIR [QUERY …]`).

The built site is served on 127.0.0.1 (Python's http.server, which sends
no compression, so the bytes are the files' own); for each query a fresh
browser opens the home page, types the query into the theme's search box
and waits for the first result. Counted: every response (body and headers,
as Chromium reports them) under `search/` or from the theme's search worker
and lunr folders, from the page's load (the theme fetches its index then)
to the results, including the worker's own requests.
"""
from __future__ import annotations

import contextlib
import functools
import http.server
import os
import shutil
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

SEARCH_PATHS = ("/search/", "/assets/javascripts/workers/", "/assets/javascripts/lunr/")
# Words of the synthetic corpus: in a section of every document, in a project's
# name of a third of them, in every department's name
QUERIES = ["三公经费", "党建", "工业和信息化"]


@dataclass
class Measured:
    query: str
    bytes: int          # responses under SEARCH_PATHS, headers included
    requests: int
    results: str        # the theme's line above the results ("12 个符合条件的结果")


def chromium() -> str | None:
    found = os.environ.get("YUSUAN_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    return found or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@contextlib.contextmanager
def served(folder: Path):
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(folder)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        httpd.server_close()


def measure(site: Path, queries: list[str] = QUERIES, timeout_ms: int = 60_000) -> list[Measured]:
    """The first query's search bytes, one fresh browser context per query."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import sync_playwright

    exe = chromium()
    if not exe:
        raise RuntimeError("no Chromium: apt-get install -y chromium (or set YUSUAN_CHROMIUM)")
    out = []
    with served(site) as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=exe, args=[
            "--no-sandbox", "--disable-gpu", "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"])
        try:
            for query in queries:
                context = browser.new_context()
                page = context.new_page()
                finished = []
                page.on("requestfinished", lambda r: finished.append(r))
                page.goto(url, wait_until="networkidle", timeout=timeout_ms)
                page.click("input.md-search__input")
                page.keyboard.type(query)      # Chinese arrives as text input, without key events:
                page.keyboard.press("End")     # a key the theme's search listens to
                # the first result (the line above the results may say 没有找到 for a moment:
                # the answer to the empty query the theme sends on focus, shown beside the new words)
                with contextlib.suppress(PlaywrightTimeout):
                    page.locator(".md-search-result__item").first.wait_for(timeout=timeout_ms)
                page.wait_for_load_state("networkidle", timeout=timeout_ms)
                results = page.inner_text(".md-search-result__meta")
                total = count = 0
                for request in finished:
                    if any(part in request.url for part in SEARCH_PATHS):
                        sizes = request.sizes()
                        total += sizes["responseBodySize"] + sizes["responseHeadersSize"]
                        count += 1
                out.append(Measured(query, total, count, results))
                context.close()
        finally:
            browser.close()
    return out


def main(argv: list[str]) -> int:
    site = Path(argv[0])
    for m in measure(site, argv[1:] or QUERIES):
        print(f"{m.query}\t{m.bytes:,} bytes\t{m.requests} requests\t{m.results}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
