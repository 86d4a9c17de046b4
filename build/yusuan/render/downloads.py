"""Per-document downloads, written at render time beside the page: one XLSX
(a sheet per dataset) and one ZIP of CSVs with this document's rows only,
read straight from the Arrow slices (render/data.py), in the same CSV form as
the whole datasets. Byte-for-byte reproducible: fixed timestamps in both
containers (yusuan.zips)."""
from __future__ import annotations

from pathlib import Path

import pyarrow as pa

from yusuan import xlsx
from yusuan.render.data import SiteData
from yusuan.schema import DATASETS, WANYUAN, Dataset
from yusuan.store import csv_bytes
from yusuan.zips import zip_bytes

PER_DOC = [ds for ds in DATASETS if "doc_id" in ds.columns]


def _tables(data: SiteData, doc_id: str) -> list[tuple[Dataset, pa.Table]]:
    """(dataset, rows) for every dataset with rows for this document."""
    out = []
    for ds in PER_DOC:
        table = data.doc_table(ds.name, doc_id)
        if table is not None and table.num_rows:
            out.append((ds, table.select(ds.columns)))
    return out


def write_both(data: SiteData, doc_id: str, folder: Path) -> None:
    """<doc_id>.xlsx and <doc_id>-csv.zip in folder, from one lookup of the rows."""
    tables = _tables(data, doc_id)
    _write_xlsx(tables, doc_id, folder / f"{doc_id}.xlsx")
    _write_csv_zip(tables, doc_id, folder / f"{doc_id}-csv.zip")


def _write_csv_zip(tables: list[tuple[Dataset, pa.Table]], doc_id: str, path: Path) -> None:
    path.write_bytes(zip_bytes((f"{doc_id}/{ds.name}.csv", csv_bytes(table)) for ds, table in tables))


def _column(table: pa.Table, name: str, is_date: bool) -> pa.ChunkedArray:
    """A column as xlsx takes it (Arrow, no Python values); dates as ISO text."""
    column = table.column(name)
    return column.cast(pa.string()) if is_date else column


def _write_xlsx(tables: list[tuple[Dataset, pa.Table]], doc_id: str, path: Path) -> None:
    """A sheet per dataset: header "title（unit）", frozen; amounts as #,##0.00."""
    sheets = []
    for ds, table in tables:
        columns = [_column(table, f.name, f.type == "date") for f in ds.fields]
        sheets.append(xlsx.Sheet(ds.name[:31], [f"{f.title}（{f.unit}）" if f.unit else f.title for f in ds.fields],
                                 columns, {j for j, f in enumerate(ds.fields) if f.unit == WANYUAN}))
    xlsx.write(str(path), sheets, title=doc_id)
