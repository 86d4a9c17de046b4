"""Static assets written into the site at build time: our script and styles
(build/yusuan/assets/) and Vega + Vega-Lite + vega-embed, bundled by
vl-convert (no npm, no CDN)."""
from __future__ import annotations

import shutil
import threading
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


def start_vega(cache: Path | None = None) -> Callable[[Path], None]:
    """Start making the Vega bundle (3 s; vl-convert releases the GIL, so it
    runs beside the rest of the build); returns a function that writes it to
    a path when ready. Kept in `cache` for the next build."""
    version = getattr(vl_convert, "__version__", None) or vl_convert.get_vega_version()
    cached = cache / f"vega-{version}.js" if cache else None
    result: list[str] = []
    thread = threading.Thread(target=lambda: result.append(
        cached.read_text(encoding="utf-8") if cached and cached.exists() else vega_bundle()))
    thread.start()

    def write(path: Path) -> None:
        thread.join()
        if not result:
            raise RuntimeError("vl-convert did not make the Vega bundle (see the error above)")
        js = result[0]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(js, encoding="utf-8")
        if cached and not cached.exists():
            cached.parent.mkdir(parents=True, exist_ok=True)
            cached.write_text(js, encoding="utf-8")
    return write
