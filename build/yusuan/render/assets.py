"""Static assets written into the site at build time: our script and styles
(build/yusuan/assets/) and Vega + Vega-Lite + vega-embed, bundled by
vl-convert (no npm, no CDN)."""
from __future__ import annotations

import shutil
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


def write_assets(target: Path, cache: Path | None = None) -> None:
    target.mkdir(parents=True, exist_ok=True)
    for name in ("site.js", "site.css"):
        shutil.copyfile(ASSETS / name, target / name)
    key = f"vega-{vl_convert.__version__ if hasattr(vl_convert, '__version__') else vl_convert.get_vega_version()}.js"
    cached = cache / key if cache else None
    if cached and cached.exists():
        shutil.copyfile(cached, target / "vega.js")
        return
    (target / "vega.js").write_text(vega_bundle(), encoding="utf-8")
    if cached:
        cached.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(target / "vega.js", cached)
