"""Render the website: datasets → Markdown/HTML pages (Jinja templates) in a
build folder → mkdocs-material → site_dir.

    build_site(data_dir, site_dir, content_dir)

The build folder (`.site_build/` beside site_dir) is thrown away and remade
on every run; nothing is written into content/. The output is deterministic:
the same data gives the same bytes.
"""
from __future__ import annotations

import json
import logging
import multiprocessing
import os
import shutil
import time
from pathlib import Path

import jinja2
import markupsafe
import yaml

from yusuan.render import catalog, compare, department, downloads, fmt, home, transparency
from yusuan.render.assets import write_assets
from yusuan.render.data import SiteData, load

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
SOURCE_DATE_EPOCH = "946684800"   # 2000-01-01: mkdocs stamps sitemap.xml(.gz) with the build date
HAND_WRITTEN = ["about.md", "method.md"]


class SiteError(Exception):
    """The site cannot be built (missing input, mkdocs failure)."""


def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=True,   # every string from a document is escaped, in .md templates too
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
        # {#id} is Markdown (attr_list heading ids), so Jinja comments are {## … ##}
        comment_start_string="{##",
        comment_end_string="##}",
    )
    env.filters.update(fmt.FILTERS)
    return env


def html_text(s: str) -> str:
    """Escape for a place the theme prints without escaping (the <title>)."""
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def json_text(obj) -> str:
    """JSON that is safe anywhere, even inside <script>: < > & as \\u escapes, sorted keys."""
    s = json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    return s.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _front_title(title: str) -> markupsafe.Markup:
    """A YAML (JSON) string for the front matter; HTML-escaped because the theme prints it unescaped in <title>."""
    return markupsafe.Markup(json.dumps(html_text(title), ensure_ascii=False))


def render_department(env: jinja2.Environment, data: SiteData, doc: dict, docs_dir: Path) -> None:
    ctx = department.context(data, doc)
    folder = docs_dir / "docs" / doc["doc_id"]
    for ch in ctx["charts"]:
        write(folder / f"{ch.id}.json", json_text(ch.spec))
    text = env.get_template("department.md").render(
        ctx, figures_list=ctx["figures"], root="../../",
        front_title=_front_title(ctx["title"]))
    write(folder / "index.md", text)
    for sub in ctx["subpages"]:
        title = f"{ctx['title']}：{sub.title}"
        write(folder / sub.id / "index.md", env.get_template("table_page.md").render(
            page=sub, doc=doc, title=title, root="../../../", front_title=_front_title(title)))


def write_downloads(data: SiteData, folder: Path) -> None:
    """Each document's XLSX and CSV ZIP, in folder/docs/<doc_id>/ (as in the site)."""
    for doc in data.documents:
        doc_id = doc["doc_id"]
        out = folder / "docs" / doc_id
        out.mkdir(parents=True)
        downloads.write_xlsx(data, doc_id, out / f"{doc_id}.xlsx")
        downloads.write_csv_zip(data, doc_id, out / f"{doc_id}-csv.zip")


def start_downloads(data: SiteData, folder: Path):
    """Write the downloads in a second process while this one renders the pages
    and runs mkdocs (they took a third of the build); returns a function that
    waits for them. Without fork (not Linux), they are written here and now."""
    folder.mkdir(parents=True)
    if "fork" not in multiprocessing.get_all_start_methods():
        write_downloads(data, folder)
        return lambda: None
    proc = multiprocessing.get_context("fork").Process(target=write_downloads, args=(data, folder), daemon=True)
    proc.start()

    def wait() -> None:
        proc.join()
        if proc.exitcode != 0:
            raise SiteError(f"writing the XLSX/CSV downloads failed (exit code {proc.exitcode})")
    return wait


def render_pages(data: SiteData, docs_dir: Path, content_dir: Path, progress=print) -> None:
    env = environment()
    write(docs_dir / "index.md", env.get_template("home.md").render(home=home.context(data)))
    cmp = compare.context(data)
    for ch in cmp["charts"]:
        write(docs_dir / "compare" / f"{ch.id}.json", json_text(ch.spec))
    # compare.md becomes compare/index.html; its chart specs sit beside it.
    write(docs_dir / "compare.md", env.get_template("compare.md").render(compare=cmp))
    write(docs_dir / "transparency.md", env.get_template("transparency.md").render(tr=transparency.context(data)))
    write(docs_dir / "data.md", env.get_template("data.md").render(catalog=catalog.context(data)))
    for name in HAND_WRITTEN:
        src = content_dir / "pages" / name
        if not src.exists():
            raise SiteError(f"{src} not found: the hand-written pages live in content/pages/.")
        shutil.copyfile(src, docs_dir / name)
    docs = data.documents
    for n, doc in enumerate(docs, 1):
        render_department(env, data, doc, docs_dir)
        if n % 100 == 0 or n == len(docs):
            progress(f"  {n}/{len(docs)} department pages")


def publish_files(data: SiteData, docs_dir: Path) -> None:
    """Data files (data page downloads) and source texts, copied into the site."""
    files = docs_dir / "data" / "files"
    files.mkdir(parents=True, exist_ok=True)
    for name in catalog.files_to_publish(data.folder):
        shutil.copyfile(data.folder / name, files / name)
    sources = docs_dir / "sources"
    sources.mkdir(parents=True, exist_ok=True)
    for doc in data.documents:
        src = data.folder / "sources" / f"{doc['doc_id']}.txt"
        if src.exists():   # already redacted by the data stage (yusuan.privacy)
            shutil.copyfile(src, sources / src.name)


def derived_config(base: Path, build_dir: Path, site_dir: Path) -> Path:
    config = yaml.safe_load(base.read_text(encoding="utf-8"))
    config["docs_dir"] = str((build_dir / "docs").resolve())
    config["site_dir"] = str(site_dir.resolve())
    config["hooks"] = [*config.get("hooks", []), str(Path(__file__).resolve().parent / "mkdocs_hooks.py")]
    path = build_dir / "mkdocs.yml"
    write(path, "# Derived from " + base.name + " by yusuan.render.site; do not edit.\n"
          + yaml.safe_dump(config, allow_unicode=True, sort_keys=False))
    return path


def run_mkdocs(config_path: Path) -> None:
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    previous = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = SOURCE_DATE_EPOCH
    for name in ("mkdocs", "material", "jieba"):
        logging.getLogger(name).setLevel(logging.WARNING)
    try:
        import jieba
        jieba.setLogLevel(logging.WARNING)
        cfg = load_config(str(config_path))
        cfg.plugins.on_startup(command="build", dirty=False)
        try:
            build(cfg)
        finally:
            cfg.plugins.on_shutdown()
    except MkDocsException as e:
        raise SiteError(f"mkdocs failed: {e}") from e
    finally:
        if previous is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
        else:
            os.environ["SOURCE_DATE_EPOCH"] = previous


def build_site(data_dir: Path, site_dir: Path, content_dir: Path, progress=print, *,
               build_dir: Path | None = None, config: Path | None = None, workers: int | None = None) -> None:
    """Render the website from the data folder into site_dir.

    data_dir: the folder `yusuan data` wrote (NAME.parquet …, sources/).
    content_dir: content/ (hand-written pages in content/pages/).
    build_dir: scratch folder for the generated pages (default: .site_build beside site_dir).
    config: the base mkdocs.yml (default: mkdocs.yml beside content_dir).
    """
    started = time.perf_counter()
    data_dir, site_dir, content_dir = Path(data_dir), Path(site_dir), Path(content_dir)
    build_dir = Path(build_dir) if build_dir else site_dir.resolve().parent / ".site_build"
    config = Path(config) if config else content_dir.resolve().parent / "mkdocs.yml"
    if not config.exists():
        raise SiteError(f"{config} not found: pass config= or keep mkdocs.yml beside {content_dir}.")
    data = load(data_dir)
    progress(f"site: {len(data.documents)} documents from {data_dir}")
    if build_dir.exists():
        shutil.rmtree(build_dir)
    docs_dir = build_dir / "docs"
    docs_dir.mkdir(parents=True)
    downloads_dir = build_dir / "downloads"
    wait_for_downloads = start_downloads(data, downloads_dir)
    render_pages(data, docs_dir, content_dir, progress)
    publish_files(data, docs_dir)
    write_assets(docs_dir / "assets" / "yusuan", cache=build_dir.parent / ".cache" / "yusuan")
    if site_dir.exists():
        shutil.rmtree(site_dir)
    progress("site: mkdocs build")
    run_mkdocs(derived_config(config, build_dir, site_dir))
    wait_for_downloads()
    shutil.copytree(downloads_dir, site_dir, dirs_exist_ok=True)
    progress(f"site: wrote {site_dir} in {time.perf_counter() - started:.1f} s")
