"""Render the website: datasets → Markdown/HTML pages (Jinja templates) in a
build folder → mkdocs-material → site_dir.

    build_site(data_dir, site_dir, content_dir)

The pages are made in a temporary folder, removed after the build; nothing
is written into content/. site_dir is emptied and made again, and only if
yusuan made it (yusuan.folders), keeping the pages of every document and
every department across years whose inputs did not change since the last
build and whose files are as that build left them (render/reuse.py). The output is
deterministic: the same data gives the same bytes, kept pages or not.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

import jinja2
import yaml
from markupsafe import Markup

from yusuan import folders
from yusuan.parallel import default_jobs, in_second_process, worker_pool
from yusuan.render import (archive, catalog, charts, compare, department, departments, downloads, fingerprint, fmt,
                           home, reuse, search, shell, sources, tables, transparency)
from yusuan.release import latest_release_url
from yusuan.render.assets import start_vega, write_assets
from yusuan.render.data import DataFolderError, SiteData, load
from yusuan.render.tables import gzip_json, json_text  # noqa: F401 - json_text is used by tests too

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
DEFAULT_CONFIG = Path(__file__).resolve().parent.parent / "mkdocs.yml"
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
    env.globals["table"] = tables.to_html
    return env


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


# ------------------------------------------------------------ index pages (mkdocs)

# name → (folder, has_toc): a frame per folder depth (relative links) and table of contents or not
SHELLS = {"main": ("docs/_shell", True)}


class Deferred:
    """Tables kept out of the search index (one row per document: the compare,
    transparency and sources lists) skip mkdocs too: the page gets a
    placeholder, and the table goes into the built page after mkdocs. At
    1,000 documents the search plugin took ~2 s to parse those tables, only
    to leave them out, and everything waits for mkdocs.

    A list of every document (a table with filters) holds its first page of
    rows (tables.PAGE_ROWS); all its rows go to <table id>.json.gz beside
    the page, gzip-compressed, for site.js: made by a second process while
    mkdocs runs (start_rows), as the main process waits for nothing else
    then when one file is added (at 10,000 documents ~2.7 s of its time
    under the profiler, the four lists' rows_data and gzip)."""
    def __init__(self) -> None:
        self.tables: dict[str, list[str]] = {}     # built page (relative to site_dir) → its tables' HTML
        self.rows: list[tuple[str, tables.Table]] = []    # a rows file (relative to site_dir), its table
        self.page = ""
        self.rows_dir: Path | None = None
        self.rows_written = lambda: None

    def table(self, t: tables.Table):
        if t.searchable:
            return tables.to_html(t)
        if t.filters:
            name = f"{t.id}.json.gz"
            folder = self.page.rpartition("/")[0]
            self.rows.append((f"{folder}/{name}" if folder else name, t))
            t = tables.first_page(t, name)
        html = self.tables.setdefault(self.page, [])
        html.append(tables.to_html(replace(t, searchable=True)))   # as the search plugin leaves it
        return Markup(f"<!-- yusuan-table-{len(html) - 1} -->")

    def start_rows(self, rows_dir: Path) -> None:
        """The rows files, into rows_dir, by a second process (fill waits for it)."""
        self.rows_dir = rows_dir
        self.rows_written = in_second_process(_write_rows, self.rows, rows_dir, what="writing the lists' rows files")

    def fill(self, site_dir: Path) -> None:
        for page, html in self.tables.items():
            path = site_dir / page
            text = path.read_text(encoding="utf-8")
            for k, table in enumerate(html):
                marker = f"<!-- yusuan-table-{k} -->"
                if text.count(marker) != 1:
                    raise SiteError(f"{path}: the placeholder of table {k} is missing or repeated")
                text = text.replace(marker, table)
            path.write_text(text, encoding="utf-8")
        self.rows_written()
        for rel, _ in self.rows:
            os.replace(self.rows_dir / rel, site_dir / rel)


def _write_rows(rows: list[tuple[str, tables.Table]], folder: Path) -> None:
    for rel, t in rows:
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(gzip_json(tables.rows_data(t)))


def render_pages(data: SiteData, docs_dir: Path, content_dir: Path) -> Deferred:
    """The pages mkdocs renders: home, compare, transparency, data, the
    hand-written ones, and the shells that frame every department page; the
    tables to put into them after mkdocs."""
    env = environment()
    deferred = Deferred()
    env.globals["table"] = deferred.table

    def page(template: str, source: str, built: str, **context) -> None:
        deferred.page = built
        write(docs_dir / source, env.get_template(template).render(**context))

    page("home.md", "index.md", "index.html", home=home.context(data))
    cmp = compare.context(data)
    (docs_dir / "compare").mkdir(parents=True, exist_ok=True)
    (docs_dir / "compare" / charts.ROWS_FILE).write_bytes(charts.rows_file(cmp["charts"]))
    # compare.md becomes compare/index.html; its charts' rows sit beside it.
    page("compare.md", "compare.md", "compare/index.html", compare=cmp, root="../")
    page("transparency.md", "transparency.md", "transparency/index.html", tr=transparency.context(data))
    page("data.md", "data.md", "data/index.html", catalog=catalog.context(data))
    page("sources.md", "sources.md", "sources/index.html", listing=catalog.sources_table(data))
    page("departments.md", "departments.md", "departments/index.html", listing=home.listing(data))
    for name in HAND_WRITTEN:
        src = content_dir / "pages" / name
        if not src.exists():
            raise SiteError(f"{src} not found: the site's hand-written pages ({', '.join(HAND_WRITTEN)}) "
                            f"live in the pages/ folder of --content {content_dir}")
        shutil.copyfile(src, docs_dir / name)
    for folder, has_toc in SHELLS.values():
        write(docs_dir / folder / "index.md", shell.shell_markdown(has_toc))
    return deferred


def take_shells(site_dir: Path) -> dict[str, shell.Shell]:
    """Read the rendered shells and remove them from the site."""
    shells = {}
    for name, (folder, has_toc) in SHELLS.items():
        path = site_dir / folder / "index.html"
        try:
            shells[name] = shell.Shell.from_html(path.read_text(encoding="utf-8"), has_toc)
        except (OSError, shell.ShellError) as e:
            raise SiteError(f"{path}: cannot frame department pages with it ({e})") from e
    shutil.rmtree(site_dir / "docs" / "_shell")
    return shells


# ------------------------------------------------------------ department pages (in worker processes)

@dataclass
class DepartmentWork:
    """What every worker needs, set before the workers fork (shared, not pickled).
    The workers start before mkdocs has made the shells that frame their pages:
    a page made before then is handed back unframed, and the main process
    frames and writes it once mkdocs is done (workers never wait)."""
    data: SiteData
    env: jinja2.Environment
    out_dir: Path                          # pages go to out_dir/docs/<doc_id>/, sources to out_dir/sources/
    shells_file: Path
    content_dir: Path | None = None        # the original files are published from here
    slugs: dict[str, str] = field(default_factory=dict)   # doc_id → its department's page (departments/<slug>/)
    shells: dict[str, shell.Shell] | None = None
    cache_dir: Path | None = None          # search entries kept by fingerprint; None: no pages are kept
    code: str = ""                         # fingerprint.code_version
    rows: dict[str, str] = field(default_factory=dict)       # doc_id → fingerprint.row_digests
    previous: dict[str, str] = field(default_factory=dict)   # doc_id → fingerprint of its pages in the site folder

    def ready_shells(self) -> dict[str, shell.Shell] | None:
        """The shells once mkdocs made them (never waits)."""
        if self.shells is None and self.shells_file.exists():
            saved = json.loads(self.shells_file.read_text(encoding="utf-8"))
            self.shells = {name: shell.Shell(**fields) for name, fields in saved.items()}
        return self.shells

    def publish_shells(self, shells: dict[str, shell.Shell]) -> None:
        tmp = self.shells_file.with_suffix(".tmp")
        tmp.write_text(json.dumps({name: vars(sh) for name, sh in shells.items()}, ensure_ascii=False),
                       encoding="utf-8")
        os.replace(tmp, self.shells_file)      # a worker never reads half a file
        self.shells = shells

    def frame(self) -> str:
        """Hash of the shells: pages kept from the last build have its frame."""
        return hashlib.sha256(self.shells_file.read_bytes()).hexdigest()


@dataclass
class Unframed:
    """A page's HTML waiting for its shell."""
    path: Path
    shell: str
    title: str
    toc: list[tuple[str, str]]
    content: str

    def write(self, shells: dict[str, shell.Shell]) -> None:
        write(self.path, shells[self.shell].page(self.title, self.toc, self.content))


@dataclass
class Made:
    """One department-year's pages, made or kept."""
    doc_id: str
    page: search.Page | None        # its search index entries (None: a kept page's, in the cache until read)
    unframed: list[Unframed]        # pages made before the shells
    fingerprint: str = ""           # of its inputs (fingerprint.py); "" without a cache
    kept: bool = False              # the last build's pages are its pages


_WORK: DepartmentWork | None = None


def render_department(work: DepartmentWork, doc: dict, fresh: bool = False) -> Made:
    """Write one department-year's pages, chart specs and downloads, unless
    the last build's pages are kept (same fingerprint; not if `fresh`)."""
    doc_id = doc["doc_id"]
    slug = work.slugs.get(doc_id, "")
    fp, source = "", None
    if work.cache_dir:
        # a document known by what it is made from is fingerprinted without reading its source
        if doc_id not in work.data.identities:
            source = sources.load(doc, work.data.folder, work.content_dir)
        fp = fingerprint.fingerprint(work.code, work.rows[doc_id], work.data, doc, source, slug, work.content_dir)
        if not fresh and work.previous.get(doc_id) == fp:
            # its search entries are read by the main process (finish_departments): handing them
            # back through the pool (~47 KB a page, 470 MB at 10,000) cost ~2.5 s more of the CPU
            if reuse.entries_path(work.cache_dir, fp).is_file():
                return Made(doc_id, None, [], fp, kept=True)
    source = source or sources.load(doc, work.data.folder, work.content_dir)
    ctx = department.context(work.data, doc)
    folder = work.out_dir / "docs" / doc_id
    folder.mkdir(parents=True, exist_ok=True)
    (folder / charts.ROWS_FILE).write_bytes(charts.rows_file(ctx["charts"]))
    downloads.write(work.data, doc_id, folder)
    sources.publish(source, work.content_dir, work.out_dir / "sources" / doc_id)
    toc = [("figures", "主要数字")] + [(sec.id, sec.title) for sec in ctx["sections"]]
    pages = [Unframed(folder / "index.html", "main", ctx["title"], toc,
                      work.env.get_template("department.html").render(ctx, figures_list=ctx["figures"], root="../../",
                                                                      source=source, dept_slug=slug))]
    # the source page is a page of its own (no shell): written now
    write(work.out_dir / "sources" / doc_id / "index.html", work.env.get_template("source.html").render(
        doc=doc, doc_title=ctx["title"], source=source, root="../../", dept_slug=slug,
        text_file=sources.text_file(doc_id), marks=",".join(str(k + 1) for k in source.marker_lines)))
    for name, data in ctx["files"].items():     # long tables' rows files, paged by site.js
        (folder / name).write_bytes(data)
    shells = work.ready_shells()
    if shells:
        for page in pages:
            page.write(shells)
        pages = []
    indexed = search.Page.of(search.entries(doc_id, ctx))
    if work.cache_dir:
        reuse.save_entries(work.cache_dir, fp, indexed)
    return Made(doc_id, indexed, pages, fp)


def _render_one(doc: dict) -> Made:
    return render_department(_WORK, doc)


def _render_fresh(doc: dict) -> Made:
    return render_department(_WORK, doc, fresh=True)


def start_departments(work: DepartmentWork, workers: int):
    """Start every department-year over `workers` processes (fork); returns
    (pool or None, iterator of render_department's results in document order).
    With one worker the pages are made lazily, as the iterator is consumed."""
    global _WORK
    _WORK = work
    docs = work.data.documents
    pool = worker_pool(workers, len(docs))
    if pool is None:
        return None, map(_render_one, docs)
    return pool, pool.map(_render_one, docs, chunksize=8)


def finish_departments(work: DepartmentWork, pool, results, site_dir: Path, previous: reuse.Previous,
                       progress=print) -> list[Made]:
    """Wait for every department page, frame those made before the shells,
    make again the kept ones if the frame changed, move them all into the
    site (made or kept)."""
    global _WORK
    docs = work.data.documents
    made: list[Made] = []
    try:
        for n, m in enumerate(results, 1):
            for page in m.unframed:
                page.write(work.shells)
            m.unframed = []
            made.append(m)
            if n % 100 == 0 or n == len(docs):
                progress(f"  {n}/{len(docs)} department pages")
        kept = [k for k, m in enumerate(made) if m.kept]
        if kept and work.frame() != previous.frame:
            # kept pages have the last build's frame (rare: a new theme, a changed page title in the nav)
            progress(f"site: the page frame changed: the {len(kept):,} unchanged department pages are made again")
            again = map(_render_fresh, [docs[k] for k in kept]) if pool is None else \
                pool.map(_render_fresh, [docs[k] for k in kept], chunksize=8)
            for k, m in zip(kept, again):
                made[k] = m
        for k, m in enumerate(made):
            if m.kept and m.page is None:
                m.page = reuse.load_entries(work.cache_dir, m.fingerprint)
                if m.page is None:       # unreadable since the worker looked: made again, here
                    made[k] = render_department(work, docs[k], fresh=True)
                    for page in made[k].unframed:
                        page.write(work.shells)
                    made[k].unframed = []
    finally:
        if pool:
            pool.shutdown(cancel_futures=True)
        _WORK = None
    previous.keep_all(reuse.DOCUMENTS, [m.doc_id for m in made if m.kept], site_dir)
    (site_dir / "docs").mkdir(parents=True, exist_ok=True)
    (site_dir / "sources").mkdir(parents=True, exist_ok=True)
    for m in made:
        if m.kept:
            continue
        shutil.move(work.out_dir / "docs" / m.doc_id, site_dir / "docs" / m.doc_id)
        shutil.move(work.out_dir / "sources" / m.doc_id, site_dir / "sources" / m.doc_id)
        text = work.out_dir / "sources" / sources.text_file(m.doc_id)
        if text.exists():
            shutil.move(text, site_dir / "sources" / text.name)
    previous.drop()
    if work.cache_dir:
        progress(f"site: {sum(m.kept for m in made):,} of {len(made):,} department pages unchanged, "
                 f"kept from the last build")
    return made


def write_departments(work: DepartmentWork, site_dir: Path, previous: reuse.Previous,
                      progress=print) -> tuple[list[search.Page], dict[str, str]]:
    """A page per department across years (departments/<slug>/), unless the
    last build's is kept (same fingerprint and frame: its context is not
    even made); their search entries (a Page each), and slug → fingerprint ("" without a
    cache). A few pages (one per department, not per document), made in the
    main process while the workers make the document pages."""
    # a kept page has the last build's frame: with another, every page is made again
    last = previous.of(reuse.DEPARTMENTS) if work.frame() == previous.frame else {}
    indexed, fingerprints, kept = [], {}, []
    for k, slug, docs in departments.pages(work.data):
        fp = fingerprint.across_years(work.code, work.rows, k, slug, docs) if work.cache_dir else ""
        saved = reuse.load_entries(work.cache_dir, fp) if last.get(slug) == fp else None
        if saved is not None:
            kept.append(slug)
        else:
            saved = write_department_years(departments.context(work.data, k, slug, docs), work.env, work.shells,
                                           site_dir / "departments" / slug)
            if work.cache_dir:
                reuse.save_entries(work.cache_dir, fp, saved)
        indexed.append(saved)
        fingerprints[slug] = fp
    previous.keep_all(reuse.DEPARTMENTS, kept, site_dir)
    if work.cache_dir:
        progress(f"site: {len(kept):,} of {len(fingerprints):,} department-across-years pages unchanged, "
                 f"kept from the last build")
    return indexed, fingerprints


def write_department_years(page: departments.Page, env: jinja2.Environment, shells: dict[str, shell.Shell],
                           folder: Path) -> search.Page:
    """Write a department's page across years and its charts' and long
    table's rows into `folder`; its search entries."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / charts.ROWS_FILE).write_bytes(charts.rows_file(page.charts + [pa["chart"] for pa in page.plan_actual]))
    for name, rows in page.files.items():      # a long table's rows, paged by site.js
        (folder / name).write_bytes(rows)
    years = "、".join(str(y) for y in dict.fromkeys(d["year"] for d in page.docs if d["year"]))
    toc = [("documents", "公开文件"), ("series", "主要数字的变化"), ("plan-actual", "预算与决算"),
           ("yoy", "说明中的“比上年”与上年文件")]
    write(folder / "index.html", shells["main"].page(page.title, toc, env.get_template("department_years.html").render(
        page=page, years=years, root="../../")))
    return search.Page.of(search.department_entries(page))


def publish_files(data: SiteData, site_dir: Path) -> None:
    """Data files (data page downloads), put into the site. (The source
    texts and original files are published with each document's pages.)"""
    files = site_dir / "data" / "files"
    files.mkdir(parents=True, exist_ok=True)
    for name in catalog.files_to_publish(data.folder):
        _link_or_copy(data.folder / name, files / name)


def _link_or_copy(src: Path, dst: Path) -> None:
    """A hard link where the file system allows (the data stage replaces its
    files, never rewrites them in place, so the site's copy cannot change), else a copy."""
    try:
        os.link(src, dst)
    except OSError:
        shutil.copyfile(src, dst)


def base_config(config: Path | None) -> Path:
    """The mkdocs configuration to build with: `config` (--config), else
    mkdocs.yml in the working folder, else the one shipped with yusuan."""
    if config:
        return Path(config)
    return Path("mkdocs.yml") if Path("mkdocs.yml").is_file() else DEFAULT_CONFIG


def derived_config(base: Path, build_dir: Path, site_dir: Path) -> Path:
    try:
        config = yaml.safe_load(base.read_text(encoding="utf-8"))
    except yaml.YAMLError as e:
        raise SiteError(f"{base}: not a mkdocs configuration yusuan can read ({' '.join(str(e).split())})") from e
    if not isinstance(config, dict):
        raise SiteError(f"{base}: not a mkdocs configuration (a YAML mapping of settings)")
    config["docs_dir"] = str((build_dir / "docs").resolve())
    config["site_dir"] = str(site_dir.resolve())
    # the derived file lives elsewhere: hooks named relative to the base file are resolved here
    config["hooks"] = [str((base.parent / h).resolve()) for h in config.get("hooks", [])] + [
        str(Path(__file__).resolve().parent / "mkdocs_hooks.py")]
    path = build_dir / "mkdocs.yml"
    write(path, "# Derived from " + base.name + " by yusuan.render.site; do not edit.\n"
          + yaml.safe_dump(config, allow_unicode=True, sort_keys=False))
    return path


def run_mkdocs(config_path: Path) -> None:
    from material.plugins.search import plugin as theme_search
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    # The theme's search plugin cuts Chinese text with jieba when it can import
    # it, only to put zero-width spaces between the words, which
    # search.write_index takes out again (it cuts its own terms): ~1.1 s to
    # load jieba's dictionary at every build, more to cut the index pages.
    theme_search.jieba = None
    previous = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = SOURCE_DATE_EPOCH
    for name in ("mkdocs", "material"):
        logging.getLogger(name).setLevel(logging.WARNING)
    try:
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
               config: Path | None = None, cache_dir: Path | None = None, workers: int | None = None,
               whole_written=lambda: None) -> None:
    """Render the website from the data folder into site_dir.

    data_dir: the folder `yusuan data` wrote (NAME.parquet …, sources/).
    content_dir: content/ (hand-written pages in content/pages/).
    config: the base mkdocs.yml (default: see base_config).
    cache_dir: where the Vega bundle and the record of the pages in site_dir
      are kept between builds (render/reuse.py; default: made afresh, every
      page made).
    whole_written: waits for the data folder's workbook and database, when
      the data stage is still writing them (pipeline.run_data's whole_later):
      the site needs them only to publish them, last.
    """
    site_dir = Path(site_dir)
    folders.check(site_dir, folders.SITE, "--site-dir")     # before any work
    with tempfile.TemporaryDirectory(prefix="yusuan-site-") as scratch:
        second: list = []       # a wait for each second process the build starts
        try:
            _build_site(Path(data_dir), site_dir, Path(content_dir), progress, Path(scratch), config,
                        Path(cache_dir) if cache_dir else None, workers, whole_written, second)
        except BaseException:
            # they write into the scratch folder: done before it goes (else they fail in it too, noisily)
            for wait in second:
                with contextlib.suppress(Exception):
                    wait()
            raise


def _build_site(data_dir: Path, site_dir: Path, content_dir: Path, progress, build_dir: Path,
                config: Path | None, cache_dir: Path | None, workers: int | None, whole_written,
                second: list) -> None:
    started = time.perf_counter()
    config = base_config(config)
    if not config.is_file():
        raise SiteError(f"{config} not found: pass --config FILE, or none to use yusuan's own")

    def step(what: str) -> None:
        progress(f"site: {what} ({time.perf_counter() - started:.1f} s)")

    # read, and deleted until this build ends: a build stopped half-way leaves no record to trust
    previous = reuse.Previous.take(cache_dir, site_dir) if cache_dir else reuse.Previous()
    if cache_dir:
        step(f"the last build's pages in {site_dir} checked against its record")
    vega_ready, write_vega = start_vega(cache=cache_dir or build_dir)
    second.append(vega_ready)
    try:
        (build_dir / "arrow").mkdir()
        # the datasets' parts as Arrow files, kept with the cache: only the parts the data stage wrote are read
        data = load(data_dir, build_dir / "arrow", cache_dir / "arrow" if cache_dir else None)
    except DataFolderError as e:
        raise SiteError(str(e)) from e
    except (OSError, ValueError) as e:      # ValueError: Arrow's and json's "cannot read this"
        raise SiteError(f"{data_dir}: the datasets cannot be read ({e}): run `yusuan data` again") from e
    step(f"{len(data.documents)} documents from {data_dir}")
    # the whole-data archive (hundreds of MB at 1,000 documents) is streamed by a second process meanwhile
    archive_path = build_dir / "archive" / archive.NAME
    archive_written = in_second_process(archive.write, data.folder, archive_path, catalog.SITE_FILE_LIMIT,
                                        what="writing the data archive")
    second.append(archive_written)
    docs_dir = build_dir / "docs"
    docs_dir.mkdir(parents=True)
    workers = default_jobs() if workers is None else workers
    code = fingerprint.code_version(config) if cache_dir else ""
    if cache_dir:
        departments.read_slugs(cache_dir, code)
    work = DepartmentWork(data, environment(), build_dir / "pages", build_dir / "shells.json", content_dir,
                          departments.slugs(data), cache_dir=cache_dir, code=code)
    if cache_dir:
        work.rows, work.previous = fingerprint.row_digests(data), previous.of(reuse.DOCUMENTS)
        step(f"fingerprints of every document's rows; {len(work.previous):,} documents' pages and "
             f"{len(previous.of(reuse.DEPARTMENTS)):,} departments' in {site_dir} from the last build")
    # the department pages start now, beside the index pages and mkdocs (one core's work)
    pool, results = start_departments(work, workers)
    try:
        deferred = render_pages(data, docs_dir, content_dir)
        deferred.start_rows(build_dir / "rows")
        second.append(deferred.rows_written)
        write_assets(docs_dir / "assets" / "yusuan")
        write(docs_dir / "assets" / "yusuan" / downloads.FIELDS, json_text(downloads.fields()))
        charts.write_specs(docs_dir / "assets" / "yusuan" / "charts", json_text, cache_dir, code)   # each kind once
        previous.clear_site(site_dir)
        folders.make(site_dir, folders.SITE)    # marked before mkdocs writes into it
        step(f"mkdocs build (index pages and the department page frame), department pages started "
             f"({workers} processes)")
        run_mkdocs(derived_config(config, build_dir, site_dir))
        previous.restore_search(site_dir)
        deferred.fill(site_dir)
        write_vega(site_dir / "assets" / "yusuan" / "vega.js")
        work.publish_shells(take_shells(site_dir))
    except BaseException:
        if pool:
            pool.shutdown(cancel_futures=True)
        raise
    step("departments across years")
    across, across_fingerprints = write_departments(work, site_dir, previous, progress)
    if cache_dir:
        departments.save_slugs(cache_dir, code, data)
    step("department pages")
    made = finish_departments(work, pool, results, site_dir, previous, progress)
    indexed = across + [m.page for m in made]
    step("search index")
    try:
        index = search.write_index(site_dir, [], previous.search, indexed)
    except search.SearchIndexError as e:
        raise SiteError(str(e)) from e
    if previous.search:
        progress(f"site: {index.written:,} of {index.term_files + index.entry_files:,} search index files written, "
                 f"the others unchanged")
    step("data files")
    whole_written()
    publish_files(data, site_dir)
    archive_written()
    data_page = site_dir / "data" / "index.html"
    try:
        page = catalog.fill(data_page.read_text(encoding="utf-8"), data.folder, archive_path, latest_release_url())
    except ValueError as e:
        raise SiteError(f"{data_page}: {e}") from e
    data_page.write_text(page, encoding="utf-8")
    if archive_path.exists() and catalog.on_site(archive_path):
        shutil.move(archive_path, site_dir / "data" / "files" / archive.NAME)
    if cache_dir:       # last: only a whole site is recorded
        step("record of the pages and their files")
        reuse.record(cache_dir, site_dir, {reuse.DOCUMENTS.name: {m.doc_id: m.fingerprint for m in made},
                                           reuse.DEPARTMENTS.name: across_fingerprints}, work.frame(), previous,
                      index.record)
    progress(f"site: wrote {site_dir} in {time.perf_counter() - started:.1f} s")
