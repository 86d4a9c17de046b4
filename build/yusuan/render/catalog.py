"""Context of the data page: every dataset with its size, columns and downloads."""
from __future__ import annotations

from pathlib import Path

import datetime
import os
from html import escape

from yusuan import __version__
from yusuan.release import latest_release_url
from yusuan.render import archive, fmt, sources
from yusuan.render.data import SiteData
from yusuan.render.home import doc_href
from yusuan.render.tables import Col, Row, Table, c, y
from yusuan.schema import DATASETS

TYPES = {"string": "文本", "integer": "整数", "number": "数值", "boolean": "是/否", "date": "日期"}
WHOLE = ["yusuan.xlsx", "yusuan.duckdb", "datapackage.json"]
# A data file larger than this (a dataset's CSV, the workbook, the database,
# the archive of everything) is not put on the site: GitHub Pages holds 1 GB
# in all, and at 1,000 documents these files were 409 MB of a 684 MB site
# (table_cells.csv alone 126 MB). The data page links its copy in the latest
# GitHub Release instead (every build publishes every file there). The
# Parquet files (the compact form of every dataset) and datapackage.json are
# always on the site. A dataset's CSV, which its Parquet file holds in a
# tenth of the bytes, has a lower limit: at 10,000 documents the CSVs under
# 20 MB were 83 MB of the site, those under 5 MB 4 MB.
SITE_FILE_LIMIT = 20 * 2**20
SITE_CSV_LIMIT = 5 * 2**20


def _size(folder: Path, name: str) -> str:
    path = folder / name
    return fmt.filesize(path.stat().st_size) if path.exists() else ""


def on_site(path: Path) -> bool:
    """Whether a data file is put on the site (see SITE_FILE_LIMIT)."""
    return (path.suffix == ".parquet" or path.name == "datapackage.json"
            or path.stat().st_size <= (SITE_CSV_LIMIT if path.suffix == ".csv" else SITE_FILE_LIMIT))


def file_href(folder: Path, name: str, releases: str | None) -> str:
    """The data page's link to a data file: its copy on the site, else the
    latest release's ("" when the build does not know the repository)."""
    if (folder / name).exists() and on_site(folder / name):
        return f"files/{name}"
    return f"{releases}/download/{name}" if releases else ""


def context(data: SiteData) -> dict:
    releases = latest_release_url()
    described = {r["name"]: r for r in data.package.get("resources", [])}
    datasets = []
    for ds in DATASETS:
        fields = {f["name"]: f for f in described.get(ds.name, {}).get("schema", {}).get("fields", [])}
        cols = Table([Col("列名"), Col("标题"), Col("类型"), Col("单位"), Col("说明")])
        for f in ds.fields:
            desc = fields.get(f.name, {}).get("description") or f.description
            cols.rows.append(Row([c(f.name, cls="code"), c(f.title), c(TYPES.get(f.type, f.type)), c(f.unit),
                                  c(desc)]))
        # a file not in the data folder: made only for the release (store.EXPORT_ROWS)
        files = [{"name": f"{ds.name}.{ext}", "size": _size(data.folder, f"{ds.name}.{ext}"),
                  "href": file_href(data.folder, f"{ds.name}.{ext}", releases)} for ext in ("parquet", "csv")]
        datasets.append({"name": ds.name, "title": ds.title, "description": ds.description,
                         "rows": fmt.integer(data.count(ds.name)), "files": files, "columns": cols,
                         "example": ds.fields[1].name if len(ds.fields) > 1 else ds.fields[0].name})
    return {"datasets": datasets, "archive": archive.NAME, "version": __version__,
            # the whole files are made only for the release (store.EXPORT_ROWS)
            "exports": (data.folder / "documents.parquet").exists(),
            "built": build_date(), "n_docs": len(data.documents), "releases": releases,
            "limit": fmt.filesize(SITE_FILE_LIMIT), "csv_limit": fmt.filesize(SITE_CSV_LIMIT)}


def build_date() -> str:
    """The day of the build: SOURCE_DATE_EPOCH when set (reproducible builds
    set it, and then the same input gives the same bytes on any day), else
    today (UTC)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    when = (datetime.datetime.fromtimestamp(int(epoch), datetime.timezone.utc) if epoch and epoch.isdigit()
            else datetime.datetime.now(datetime.timezone.utc))
    return when.date().isoformat()


def sources_table(data: SiteData) -> Table:
    """Every document's source: its page of numbered lines and its text file."""
    t = Table([Col("部门"), Col("年度", True), Col("类型"), Col("源文件（逐行）"), Col("文本")], sortable=True,
              id="sources-table", searchable=False, filters="year:1,kind:2",
              caption="每份文件的源文件：逐行的页面（每个数字链接到其中的行）与文本文件（UTF-8，gzip 压缩）")
    for d in data.documents:
        t.rows.append(Row([c(d["department"], href=doc_href(d["doc_id"], "../")), y(d["year"]), c(d["kind"]),
                           c("逐行", href=f"{d['doc_id']}/"), c(sources.text_file(d["doc_id"]), href=sources.text_file(d["doc_id"]))]))
    return t


def files_to_publish(folder: Path) -> list[str]:
    """Names of the data files copied into the site's data/ folder."""
    names = [f"{ds.name}.{ext}" for ds in DATASETS for ext in ("parquet", "csv")] + WHOLE
    return [n for n in names if (folder / n).exists() and on_site(folder / n)]


ARCHIVE_MARK = "<!-- yusuan-archive -->"
WHOLE_MARK = "<!-- yusuan-whole -->"


def whole_files(folder: Path, releases: str | None) -> str:
    """The data page's list of the whole-data files (the workbook, the
    database, datapackage.json) once they are written (`yusuan build` writes
    the first two while the pages are made)."""
    items = []
    for name in WHOLE:
        href = file_href(folder, name, releases)
        link = f'<a href="{escape(href)}" download>{name}</a>' if href else name
        size = _size(folder, name)
        where = "" if href.startswith("files/") else ("，不在本站" if size else "不在本站")
        items.append(f"<li>{link}（{size}{where}）</li>\n")
    return '<ul class="ys-files">\n' + "".join(items) + "</ul>"


def fill(page: str, folder: Path, archive_path: Path, releases: str | None) -> str:
    """The built data page with what is known last: the archive's button and the whole-data files."""
    for mark in (ARCHIVE_MARK, WHOLE_MARK):
        if page.count(mark) != 1:
            raise ValueError(f"the place of {mark} is missing or repeated")
    return page.replace(ARCHIVE_MARK, archive_button(archive_path, releases)).replace(
        WHOLE_MARK, whole_files(folder, releases))


def archive_button(path: Path, releases: str | None) -> str:
    """The data page's "download everything" once the archive is written (it
    is made while the pages are): on the site, or in the latest release. No
    file at `path`: it was larger than SITE_FILE_LIMIT (archive.write stops
    there), or the datasets' whole files are made only for the release."""
    size = fmt.filesize(path.stat().st_size) if path.exists() else f"大于 {fmt.filesize(SITE_FILE_LIMIT)}"
    if path.exists() and on_site(path):
        href = f"files/{archive.NAME}"
    elif releases:
        href = f"{escape(releases)}/download/{archive.NAME}"
    else:
        return (f'<p class="ys-download-all">全部数据的压缩包 {archive.NAME}（{size}）'
                f"太大，不放在本站，见本仓库的 GitHub Release。</p>")
    return (f'<p class="ys-download-all"><a class="md-button md-button--primary" href="{href}" download>'
            f"下载全部数据（ZIP，{size}）</a></p>")
