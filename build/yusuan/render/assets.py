"""Static assets written into the site at build time: our script and styles
(build/yusuan/assets/) and Vega + Vega-Lite + vega-embed, bundled by
vl-convert (no npm, no CDN)."""
from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import vl_convert

from yusuan.parallel import in_second_process
from yusuan.store import atomic_path

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
    with atomic_path(path) as tmp:
        tmp.write_text(vega_bundle(), encoding="utf-8")


def start_vega(cache: Path) -> tuple[Callable[[], None], Callable[[Path], None]]:
    """Start making the Vega bundle (3 s in vl-convert, which holds the GIL
    for much of it, so it runs in a second process beside the rest of the
    build); returns a function that waits for it, and one that copies it to
    a path when ready. The bundle is kept in `cache` for the next build."""
    version = getattr(vl_convert, "__version__", None) or vl_convert.get_vega_version()
    cached = cache / f"vega-{version}.js"
    wait = (lambda: None) if cached.exists() else in_second_process(_write_bundle, cached, what="making the Vega bundle")

    def write(path: Path) -> None:
        wait()
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(cached, path)
    return wait, write
