"""Static assets written into the site at build time: our script and styles
(build/yusuan/assets/) and Vega + Vega-Lite + vega-embed, bundled by
vl-convert (no npm, no CDN)."""
from __future__ import annotations

import multiprocessing
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import vl_convert

ASSETS = Path(__file__).resolve().parent.parent / "assets"

# Strings in the Vega bundle that name outside hosts. None is fetched (the
# editor action is off: actions=false; the schema URL is only a label), but
# the site must not even name one; they are blanked.
OUTSIDE_URLS = [
    "https://vega.github.io/editor/",
    "https://vega.github.io/schema/vega/v6.json",
    "https://github.com/vega/vega-lite/issues/2415",
]


def vega_bundle() -> str:
    js = vl_convert.javascript_bundle()
    for url in OUTSIDE_URLS:
        js = js.replace(url, "")
    return js


def write_assets(target: Path) -> None:
    """Our script and styles."""
    target.mkdir(parents=True, exist_ok=True)
    for name in ("site.js", "site.css"):
        shutil.copyfile(ASSETS / name, target / name)


def _write_bundle(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}")
    tmp.write_text(vega_bundle(), encoding="utf-8")
    os.replace(tmp, path)


def start_vega(cache: Path) -> Callable[[Path], None]:
    """Start making the Vega bundle (3 s in vl-convert, which holds the GIL
    for much of it, so it runs in a second process beside the rest of the
    build); returns a function that copies it to a path when ready. The bundle
    is kept in `cache` for the next build."""
    version = getattr(vl_convert, "__version__", None) or vl_convert.get_vega_version()
    cached = cache / f"vega-{version}.js"
    proc = None
    if not cached.exists():
        if "fork" in multiprocessing.get_all_start_methods():
            proc = multiprocessing.get_context("fork").Process(target=_write_bundle, args=(cached,), daemon=True)
            proc.start()
        else:
            _write_bundle(cached)

    def write(path: Path) -> None:
        if proc is not None:
            proc.join()
            if proc.exitcode != 0 or not cached.exists():
                raise RuntimeError(f"vl-convert did not make the Vega bundle (exit code {proc.exitcode})")
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(cached, path)
    return write
