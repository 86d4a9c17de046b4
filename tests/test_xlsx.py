"""XLSX output (yusuan/xlsx.py through store.write_xlsx and the per-document
downloads), read back with openpyxl and pandas: every row and value, headers,
the 说明 sheet, escaping, the sheet row limit, byte-for-byte determinism."""
from __future__ import annotations

import datetime as dt
import math
import zipfile

import pandas as pd
import pyarrow.parquet as pq
import pytest
from conftest import ZIZHIQU
from openpyxl import load_workbook
from yusuan import xlsx
from yusuan.render import data as site_data
from yusuan.render import downloads
from yusuan.schema import BY_NAME, DATASETS
from yusuan.store import write_xlsx


def expected(v):
    """What a cell read back by openpyxl holds for a Parquet/Arrow value."""
    if v is None or v == "" or (isinstance(v, float) and math.isnan(v)):
        return None
    if isinstance(v, (dt.date, pd.Timestamp)):
        return v.isoformat()[:10]
    return v.item() if hasattr(v, "item") else v


def sheet_rows(ws) -> list[tuple]:
    return list(ws.iter_rows(values_only=True))


@pytest.fixture(scope="module")
def workbook(data_dir):
    return load_workbook(data_dir / "yusuan.xlsx")


def test_every_dataset_sheet_holds_every_row_and_value(workbook, datasets):
    assert workbook.sheetnames == ["说明"] + [ds.name for ds in DATASETS]
    for ds in DATASETS:
        ws = workbook[ds.name]
        rows = sheet_rows(ws)
        df = datasets[ds.name]
        assert rows[0] == tuple(f.title for f in ds.fields), ds.name
        assert len(rows) - 1 == len(df), ds.name
        assert ws.freeze_panes == "A2" and ws["A1"].font.b
        for j, f in enumerate(ds.fields):
            got = [r[j] for r in rows[1:]]
            assert got == [expected(v) for v in df[f.name].astype(object)], (ds.name, f.name)
            if f.unit == "万元":
                assert all(c.number_format == "#,##0.00" for c in next(ws.iter_cols(j + 1, j + 1, 2))
                           if c.value is not None), (ds.name, f.name)
    cells = datasets["table_cells"]
    assert cells["amount"].sum() > 0 and any("一般公共预算" in s for s in cells["column_label"])


def test_explanation_sheet_lists_every_column(workbook):
    rows = sheet_rows(workbook["说明"])
    assert rows[0] == ("工作表", "数据集", "列", "列名", "类型", "单位", "说明")
    assert rows[1:] == [(ds.name, ds.title, f.name, f.title, f.type, f.unit, f.description)
                        for ds in DATASETS for f in ds.fields]


def test_pandas_reads_the_workbook(data_dir, datasets):
    df = pd.read_excel(data_dir / "yusuan.xlsx", sheet_name="documents")
    assert list(df.columns) == [f.title for f in BY_NAME["documents"].fields]
    assert list(df["文件编号"]) == list(datasets["documents"]["doc_id"])
    assert list(df["收支总预算"]) == pytest.approx(list(datasets["documents"]["total_budget"]))


def test_per_document_workbook_equals_the_documents_rows(data_dir, tmp_path):
    data = site_data.load(data_dir)
    path = tmp_path / "doc.xlsx"
    downloads.write_xlsx(data, ZIZHIQU, path)
    wb = load_workbook(path)
    present = [ds for ds in downloads.PER_DOC if data.doc_table(ds.name, ZIZHIQU).num_rows]
    assert wb.sheetnames == [ds.name for ds in present] and "table_cells" in wb.sheetnames
    for ds in present:
        ws = wb[ds.name]
        rows = sheet_rows(ws)
        assert rows[0] == tuple(f"{f.title}（{f.unit}）" if f.unit else f.title for f in ds.fields)
        assert rows[1:] == [tuple(expected(r[f.name]) for f in ds.fields) for r in data.doc_table(ds.name, ZIZHIQU).to_pylist()]
        assert ws.freeze_panes == "A2"
        amounts = [c for j, f in enumerate(ds.fields) if f.unit == "万元"
                   for c in next(ws.iter_cols(j + 1, j + 1, 2)) if c.value is not None]
        assert all(c.number_format == "#,##0.00" for c in amounts)
    assert wb.properties.title == ZIZHIQU


def test_text_and_numbers_round_trip_safely(tmp_path):
    values = ['<b>"x" & y</b>', "响\x07铃\x00", "  spaces kept  ", "line1\r\nline2\ttab", "=1+1", "00123",
              "x" * 40_000, 1e16, -0.5, 0.1 + 0.2, 2**40, True, False, dt.date(2026, 1, 31), None, "",
              float("nan"), float("inf")]
    path = tmp_path / "t.xlsx"
    xlsx.write(str(path), [xlsx.Sheet("a<b>&c", ["值 & <值>"], [values])], title="T & <t>")
    wb = load_workbook(path)
    assert wb.sheetnames == ["a<b>&c"] and wb.properties.title == "T & <t>"
    got = [r[0] for r in sheet_rows(wb["a<b>&c"])]
    assert got == ["值 & <值>", '<b>"x" & y</b>', "响铃", "  spaces kept  ", "line1\r\nline2\ttab", "=1+1",
                   "00123", "x" * 32_767, 1e16, -0.5, 0.1 + 0.2, 2**40, True, False, "2026-01-31",
                   None, None, "nan", "inf"]
    assert wb["a<b>&c"]["E2"].data_type != "f"      # text that looks like a formula stays text


def test_long_dataset_continues_on_further_sheets(data_dir, tmp_path):
    tables = {name: pq.read_table(data_dir / f"{name}.parquet") for name in ("documents", "table_cells")}
    n = tables["table_cells"].num_rows
    assert n > 1000
    path = tmp_path / "split.xlsx"
    write_xlsx(tables, path, max_rows=500)      # 499 data rows a sheet
    wb = load_workbook(path, read_only=True)
    parts = ["table_cells", "table_cells_2", "table_cells_3"][: math.ceil(n / 499)]
    assert wb.sheetnames == ["说明", "documents"] + parts
    rows = []
    for name in parts:
        sheet = sheet_rows(wb[name])
        assert sheet[0][0] == "文件编号" and 0 < len(sheet) - 1 <= 499
        rows += sheet[1:]
    want = tables["table_cells"].to_pylist()
    assert len(rows) == n
    assert [r[11] for r in rows] == [expected(r["amount"]) for r in want]
    assert [r[9] for r in rows] == [expected(r["column_label"]) for r in want]
    notes = [r[0] for r in sheet_rows(wb["说明"]) if r[0] and "超过" in r[0]]
    assert len(notes) == 1 and f"{n:,}" in notes[0] and "table_cells_3" in notes[0]
    assert all(len(name) <= 31 for name in wb.sheetnames)


def test_same_table_same_bytes(data_dir, tmp_path):
    tables = {name: pq.read_table(data_dir / f"{name}.parquet") for name in ("documents", "checks")}
    write_xlsx(tables, tmp_path / "a.xlsx")
    write_xlsx(tables, tmp_path / "b.xlsx")
    assert (tmp_path / "a.xlsx").read_bytes() == (tmp_path / "b.xlsx").read_bytes()
    data = site_data.load(data_dir)
    downloads.write_xlsx(data, ZIZHIQU, tmp_path / "c.xlsx")
    downloads.write_xlsx(site_data.load(data_dir), ZIZHIQU, tmp_path / "d.xlsx")
    assert (tmp_path / "c.xlsx").read_bytes() == (tmp_path / "d.xlsx").read_bytes()
    with zipfile.ZipFile(tmp_path / "c.xlsx") as z:
        assert {i.date_time for i in z.infolist()} == {(2000, 1, 1, 0, 0, 0)}
        assert z.testzip() is None
