"""The alternative measured against the site's own bounded search index:
Pagefind (`pip install 'pagefind[extended]'`, a binary in the wheel that
segments Chinese), run over a site `yusuan build` made.

    python3 bench/search_pagefind.py SITE_DIR [--glob GLOB] [--twice]

It indexes SITE_DIR into a temporary folder (the site is not changed), with
its wall time and peak memory; then serves that index beside a page holding
Pagefind's own UI and measures, in headless Chromium, what a first query
downloads (everything under /pagefind/, headers included), for the queries
of bench/search_bytes.py. With --twice it indexes again and says whether
the two outputs are the same bytes.
"""
from __future__ import annotations

import argparse
import contextlib
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import search_bytes

PROBE = """<!doctype html><html lang="zh"><head><meta charset="utf-8">
<link href="pagefind/pagefind-ui.css" rel="stylesheet"><script src="pagefind/pagefind-ui.js"></script></head>
<body><div id="search"></div>
<script>new PagefindUI({ element: "#search", showSubResults: true });</script></body></html>
"""


def index(site: Path, out: Path, glob: str | None) -> tuple[float, float]:
    """Run Pagefind; (seconds, peak RSS in MB)."""
    args = [sys.executable, "-m", "pagefind", "--site", str(site), "--output-path", str(out)]
    if glob:
        args += ["--glob", glob]
    start = time.perf_counter()
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    _, status, usage = os.wait4(proc.pid, 0)
    if os.waitstatus_to_exitcode(status):
        raise SystemExit("pagefind failed (is it installed? pip install 'pagefind[extended]')")
    # wait4 reports the largest child of python -m pagefind: the binary
    return time.perf_counter() - start, usage.ru_maxrss / 1024


def digest(folder: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(folder.rglob("*")):
        if p.is_file():
            h.update(str(p.relative_to(folder)).encode() + b"\0" + p.read_bytes())
    return h.hexdigest()


def first_queries(root: Path, queries: list[str]) -> list[tuple[str, int, int, int]]:
    """(query, bytes, files, results shown) with Pagefind's UI."""
    from playwright.sync_api import sync_playwright

    out = []
    with search_bytes.served(root) as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=search_bytes.chromium(), args=["--no-sandbox"])
        try:
            for query in queries:
                context = browser.new_context()
                page = context.new_page()
                finished = []
                page.on("requestfinished", lambda r: finished.append(r))
                page.goto(url + "probe.html", wait_until="networkidle")
                page.fill(".pagefind-ui__search-input", query)
                page.locator(".pagefind-ui__result").first.wait_for(timeout=120_000)
                page.wait_for_load_state("networkidle")
                shown = page.locator(".pagefind-ui__result").count()
                mine = [r for r in finished if "/pagefind/" in r.url]
                size = sum(r.sizes()["responseBodySize"] + r.sizes()["responseHeadersSize"] for r in mine)
                out.append((query, size, len(mine), shown))
                context.close()
        finally:
            browser.close()
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", type=Path)
    parser.add_argument("--glob", help="pages to index, as Pagefind's --glob (default: every .html)")
    parser.add_argument("--twice", action="store_true", help="index twice and compare the outputs")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="yusuan-pagefind-") as tmp:
        root = Path(tmp)
        seconds, rss = index(args.site, root / "pagefind", args.glob)
        size = sum(p.stat().st_size for p in (root / "pagefind").rglob("*") if p.is_file())
        files = sum(1 for p in (root / "pagefind").rglob("*") if p.is_file())
        print(f"pagefind: {seconds:.1f} s, peak memory {rss:.0f} MB, {size / 2**20:.1f} MB in {files:,} files")
        if args.twice:
            first = digest(root / "pagefind")
            shutil.move(root / "pagefind", root / "first")
            seconds2, _ = index(args.site, root / "pagefind", args.glob)
            same = first == digest(root / "pagefind")
            print(f"pagefind again: {seconds2:.1f} s; the same bytes: {'yes' if same else 'NO'}")
        (root / "probe.html").write_text(PROBE, encoding="utf-8")
        for query, size, n, shown in first_queries(root, search_bytes.QUERIES):
            print(f"{query}\t{size:,} bytes\t{n} files\t{shown} results shown")
    return 0


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        raise SystemExit(main())
