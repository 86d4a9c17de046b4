"""Context of the data page: every dataset with its size, columns and downloads."""
from __future__ import annotations

from pathlib import Path

import datetime
import os

from yusuan import __version__
from yusuan.release import latest_release_url
from yusuan.render import archive, fmt, sources
from yusuan.render.data import SiteData
from yusuan.render.home import doc_href
from yusuan.render.tables import Col, Row, Table, c, y
from yusuan.schema import DATASETS

TYPES = {"string": "文本", "integer": "整数", "number": "数值", "boolean": "是/否", "date": "日期"}
WHOLE = ["yusuan.xlsx", "yusuan.duckdb", "datapackage.json"]


def _size(folder: Path, name: str) -> str:
    path = folder / name
    return fmt.filesize(path.stat().st_size) if path.exists() else ""


def context(data: SiteData) -> dict:
    described = {r["name"]: r for r in data.package.get("resources", [])}
    datasets = []
    for ds in DATASETS:
        fields = {f["name"]: f for f in described.get(ds.name, {}).get("schema", {}).get("fields", [])}
        cols = Table([Col("列名"), Col("标题"), Col("类型"), Col("单位"), Col("说明")])
        for f in ds.fields:
            desc = fields.get(f.name, {}).get("description") or f.description
            cols.rows.append(Row([c(f.name, cls="code"), c(f.title), c(TYPES.get(f.type, f.type)), c(f.unit),
                                  c(desc)]))
        files = [{"name": f"{ds.name}.{ext}", "size": _size(data.folder, f"{ds.name}.{ext}")}
                 for ext in ("parquet", "csv") if (data.folder / f"{ds.name}.{ext}").exists()]
        datasets.append({"name": ds.name, "title": ds.title, "description": ds.description,
                         "rows": fmt.integer(data.count(ds.name)), "files": files, "columns": cols,
                         "example": ds.fields[1].name if len(ds.fields) > 1 else ds.fields[0].name})
    whole = [{"name": n, "size": _size(data.folder, n)} for n in WHOLE if (data.folder / n).exists()]
    return {"datasets": datasets, "whole": whole, "archive": archive.NAME, "version": __version__,
            "built": build_date(), "n_docs": len(data.documents), "releases": latest_release_url()}


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
    return [n for n in names if (folder / n).exists()]
