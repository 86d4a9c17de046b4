"""Per-document downloads, written at render time beside the page: one XLSX
(a sheet per dataset) and one ZIP of CSVs with this document's rows only.
Byte-for-byte reproducible: fixed timestamps in both containers."""
from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from pathlib import Path

from yusuan import xlsx
from yusuan.render.data import SiteData
from yusuan.schema import DATASETS, WANYUAN

FIXED_TIME = dt.datetime(2000, 1, 1)
PER_DOC = [ds for ds in DATASETS if "doc_id" in ds.columns]


def _rows(data: SiteData, doc_id: str) -> list[tuple]:
    """(dataset, rows) for every dataset with rows for this document."""
    out = []
    for ds in PER_DOC:
        rows = data.for_doc(ds.name, doc_id)
        if rows:
            out.append((ds, rows))
    return out


def _date(v):
    return v.isoformat()[:10] if isinstance(v, (dt.date, dt.datetime)) else v


def _cell(v):
    return "" if v is None else _date(v)


def write_csv_zip(data: SiteData, doc_id: str, path: Path) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for ds, rows in _rows(data, doc_id):
            s = io.StringIO()
            w = csv.writer(s, lineterminator="\n")
            w.writerow(ds.columns)
            for r in rows:
                w.writerow([_cell(r.get(col)) for col in ds.columns])
            info = zipfile.ZipInfo(f"{doc_id}/{ds.name}.csv", date_time=FIXED_TIME.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            z.writestr(info, s.getvalue().encode("utf-8"))
    path.write_bytes(buf.getvalue())


def write_xlsx(data: SiteData, doc_id: str, path: Path) -> None:
    """A sheet per dataset: header "title（unit）", frozen; amounts as #,##0.00."""
    sheets = []
    for ds, rows in _rows(data, doc_id):
        columns = [[_date(r.get(f.name)) for r in rows] if f.type == "date" else [r.get(f.name) for r in rows]
                   for f in ds.fields]
        sheets.append(xlsx.Sheet(ds.name[:31], [f"{f.title}（{f.unit}）" if f.unit else f.title for f in ds.fields],
                                 columns, {j for j, f in enumerate(ds.fields) if f.unit == WANYUAN}))
    xlsx.write(str(path), sheets, title=doc_id)
