"""Per-document downloads, made in the reader's browser: the document's
rows of every dataset go into one compact file beside its page,
docs/<doc_id>/data.json.gz (gzip JSON, a column per field), and site.js
makes of it, when the link is clicked, the XLSX (a sheet per dataset,
header "title（unit）", frozen, amounts as #,##0.00) and the ZIP of CSVs
(UTF-8 with a BOM, one per dataset, the checks, table_cells and
department_ratios left out: NOT_PER_DOC) that the site used to store:
~120 KB a document as files, ~9 KB as the data file. Read straight from
the Arrow slices (render/data.py). Byte-for-byte reproducible: a fixed
time stamp.

What every document shares (each dataset's columns, headers, which are
amounts) is written once, in assets/yusuan/datasets.json (FIELDS); the
document's file leaves out its doc_id column (the same on every row),
which site.js puts back: 3.7 KB less a document (a sixth).

    datasets.json: {"datasets": [{"name", "columns": [names], "headers": [header], "money": [column index, …]}]}
    data.json.gz:  {"doc_id": …, "datasets": [{"name", "values": [[column values], …]}]}
                   (the columns of datasets.json, doc_id left out)
"""
from __future__ import annotations

import math
from pathlib import Path

import pyarrow as pa

from yusuan.render.data import SiteData
from yusuan.render.tables import gzip_json
from yusuan.schema import DATASETS, WANYUAN, Dataset

# Left out of a document's data file, to keep 10,000 documents' site in
# 1 GB: the checks, which are yusuan's, not the document's numbers (the
# page lists every one, from its rows file; 6 KB a document), and
# table_cells, every printed cell again in long form (the other datasets
# hold the same amounts, each with its source line; 4 KB a document). Both
# are in the whole datasets on the data page. And department_ratios, whose
# ranks change with every document added: a document's files depend on its
# own rows only, and are kept when another document is added (reuse.py).
NOT_PER_DOC = {"checks", "table_cells", "department_ratios"}
PER_DOC = [ds for ds in DATASETS if "doc_id" in ds.columns and ds.name not in NOT_PER_DOC]
NAME = "data.json.gz"


def _tables(data: SiteData, doc_id: str) -> list[tuple[Dataset, pa.Table]]:
    """(dataset, rows) for every dataset with rows for this document."""
    out = []
    for ds in PER_DOC:
        table = data.doc_table(ds.name, doc_id)
        if table is not None and table.num_rows:
            out.append((ds, table.select(ds.columns)))
    return out


def _values(column: pa.ChunkedArray, is_date: bool) -> list:
    """A column as JSON values: dates as ISO text, NaN as missing."""
    if is_date:
        column = column.cast(pa.string())
    values = column.to_pylist()
    if pa.types.is_floating(column.type):
        values = [None if v is None or math.isnan(v) else v for v in values]
    return values


FIELDS = "datasets.json"


def fields() -> dict:
    """assets/yusuan/datasets.json: what every document's data file shares."""
    return {"datasets": [{
        "name": ds.name,
        "columns": [f.name for f in ds.fields],
        "headers": [f"{f.title}（{f.unit}）" if f.unit else f.title for f in ds.fields],
        "money": [j for j, f in enumerate(ds.fields) if f.unit == WANYUAN],
    } for ds in PER_DOC]}


def document_data(data: SiteData, doc_id: str) -> dict:
    datasets = []
    for ds, table in _tables(data, doc_id):
        datasets.append({
            "name": ds.name,
            "values": [_values(table.column(f.name), f.type == "date") for f in ds.fields if f.name != "doc_id"],
        })
    return {"doc_id": doc_id, "datasets": datasets}


def write(data: SiteData, doc_id: str, folder: Path) -> None:
    """docs/<doc_id>/data.json.gz."""
    (folder / NAME).write_bytes(gzip_json(document_data(data, doc_id)))
