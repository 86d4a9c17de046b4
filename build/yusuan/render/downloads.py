"""Per-document downloads, written at render time beside the page: one XLSX
(a sheet per dataset) and one ZIP of CSVs with this document's rows only.
Byte-for-byte reproducible: fixed timestamps in both containers."""
from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from pathlib import Path

import xlsxwriter

from yusuan.render.data import SiteData
from yusuan.schema import DATASETS

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


def _cell(v):
    if v is None:
        return ""
    if isinstance(v, (dt.date, dt.datetime)):
        return v.isoformat()[:10]
    return v


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
    wb = xlsxwriter.Workbook(str(path), {"in_memory": True})
    wb.set_properties({"created": FIXED_TIME, "title": doc_id})
    header = wb.add_format({"bold": True})
    amount = wb.add_format({"num_format": "#,##0.00"})
    for ds, rows in _rows(data, doc_id):
        ws = wb.add_worksheet(ds.name[:31])
        fields = ds.fields
        for j, f in enumerate(fields):
            ws.write_string(0, j, f"{f.title}（{f.unit}）" if f.unit else f.title, header)
        for k, r in enumerate(rows, 1):
            for j, f in enumerate(fields):
                v = _cell(r.get(f.name))
                if v == "":
                    continue
                if isinstance(v, bool):
                    ws.write_boolean(k, j, v)
                elif isinstance(v, (int, float)):
                    ws.write_number(k, j, v, amount if f.unit == "万元" else None)
                else:
                    ws.write_string(k, j, str(v))
        ws.freeze_panes(1, 0)
    wb.close()
