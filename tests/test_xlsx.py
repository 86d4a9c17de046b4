"""XLSX output (yusuan/xlsx.py through store.write_xlsx and the per-document
downloads), read back with openpyxl and pandas: every row and value, headers,
the 说明 sheet, escaping, the sheet row limit, byte-for-byte determinism."""
from __future__ import annotations

import datetime as dt
import math
import zipfile

import pandas as pd
import pyarrow as pa
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
    downloads.write_both(data, ZIZHIQU, tmp_path)
    path = tmp_path / f"{ZIZHIQU}.xlsx"
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
    for folder in ("c", "d"):
        (tmp_path / folder).mkdir()
        downloads.write_both(site_data.load(data_dir), ZIZHIQU, tmp_path / folder)
    first = tmp_path / "c" / f"{ZIZHIQU}.xlsx"
    assert first.read_bytes() == (tmp_path / "d" / f"{ZIZHIQU}.xlsx").read_bytes()
    with zipfile.ZipFile(first) as z:
        assert {i.date_time for i in z.infolist()} == {(2000, 1, 1, 0, 0, 0)}
        assert z.testzip() is None


def cell_values(path) -> dict:
    """Every sheet's cells as (value, Python type, number format), for comparing workbooks."""
    wb = load_workbook(path)
    return {ws.title: [[(c.value, type(c.value), c.number_format) for c in row] for row in ws.iter_rows()]
            for ws in wb.worksheets}


def python_columns(sheets: list[xlsx.Sheet]) -> list[xlsx.Sheet]:
    """The same sheets with Python values, as the callers passed them before
    (Arrow's to_pylist, dates as ISO text): the writer's per-cell path."""
    def plain(col):
        values = col.to_pylist() if hasattr(col, "to_pylist") else list(col)
        return [v.isoformat() if isinstance(v, dt.date) else v for v in values]
    return [xlsx.Sheet(s.name, s.header, [plain(c) for c in s.columns], s.amount_columns) for s in sheets]


def test_arrow_columns_give_the_same_workbooks_as_python_values(data_dir, tmp_path, monkeypatch):
    """The whole-data workbook and a per-document one, written from Arrow
    columns, hold exactly the cells (values, types, formats) that the per-cell
    path writes from the same rows as Python values."""
    written = []
    real_write = xlsx.write
    monkeypatch.setattr(xlsx, "write", lambda target, sheets, title="", **kw: (
        written.append((sheets, title)), real_write(target, sheets, title, **kw)))
    tables = {ds.name: pq.read_table(data_dir / f"{ds.name}.parquet") for ds in DATASETS}
    write_xlsx(tables, tmp_path / "all.xlsx")
    downloads.write_both(site_data.load(data_dir), ZIZHIQU, tmp_path)
    (tmp_path / f"{ZIZHIQU}.xlsx").rename(tmp_path / "doc.xlsx")
    assert len(written) == 2 and all(isinstance(c, pa.ChunkedArray) for c in written[1][0][0].columns)
    for (sheets, title), name in zip(written, ["all", "doc"]):
        real_write(str(tmp_path / f"{name}-python.xlsx"), python_columns(sheets), title)
        assert cell_values(tmp_path / f"{name}.xlsx") == cell_values(tmp_path / f"{name}-python.xlsx"), name


def test_arrow_values_round_trip_with_their_types(tmp_path):
    floats = [0.1, 1234.56, 1e-7, 123456789.12, 100.0, 0.0, -2.5, 2.0**40, 1e16, 1.5e300, None,
              float("nan"), float("inf"), -float("inf")]
    n = len(floats)
    ints = [1, None, -5, 2**53, 0] + [7] * (n - 5)
    bools = [True, False, None] + [True] * (n - 3)
    texts = ["a", "", None, "a & <b>", "中文", "x\x07y", "=1+1"] + ["a"] * (n - 7)
    columns = [pa.array(floats), pa.array(ints), pa.array(bools), pa.array(texts),
               pa.chunked_array([pa.array([dt.date(2026, 1, 31)] * 3), pa.array([None] * (n - 3), pa.date32())]),
               pa.array([v if v is None or abs(v) < 2**31 else 3 for v in ints], pa.int32()), pa.array(texts).dictionary_encode(), pa.nulls(n), pa.array(floats)]
    sheet = xlsx.Sheet("t", list("ABCDEFGHI"), columns, {0})
    path = tmp_path / "t.xlsx"
    xlsx.write(str(path), [sheet])
    rows = sheet_rows(load_workbook(path)["t"])[1:]
    got = list(zip(*rows))
    want_floats = [None if v is None else v if math.isfinite(v) else str(v) for v in floats]
    assert got[0] == tuple(want_floats) == got[8]
    assert [type(v) for v in got[0][:10]] == [float] * 10        # 100.0 and 0.0 stay floats
    assert got[1] == tuple(ints) and got[5][:3] == tuple(ints[:3]) and got[5][3] == 3 and all(type(v) is int for v in got[1] if v is not None)
    assert got[2] == tuple(bools)
    assert got[3] == tuple(None if not t else t.replace("\x07", "") for t in texts) == got[6]
    assert got[4] == ("2026-01-31",) * 3 + (None,) * (n - 3)
    assert got[7] == (None,) * n
    # the same cells as the per-cell path (Python values) writes
    xlsx.write(str(tmp_path / "p.xlsx"), python_columns([sheet]))
    assert cell_values(path) == cell_values(tmp_path / "p.xlsx")
    ws = load_workbook(path)["t"]
    assert all(c.number_format == "#,##0.00" for c in ws["A"][1:] if isinstance(c.value, float))


def test_batches_and_the_background_thread_change_nothing(data_dir, tmp_path):
    """Small batches (many per sheet, several sheets per batch; big workbooks
    are made in a second thread) give the same cells, and the same bytes twice."""
    tables = {name: pq.read_table(data_dir / f"{name}.parquet") for name in ("documents", "units", "table_cells")}
    sheets = [xlsx.Sheet(name, t.column_names, t.columns, {1}) for name, t in tables.items()]
    sheets.insert(1, xlsx.Sheet("empty", [], []))
    xlsx.write(str(tmp_path / "one.xlsx"), sheets, batch_cells=10**9)
    xlsx.write(str(tmp_path / "a.xlsx"), sheets, batch_cells=777)
    xlsx.write(str(tmp_path / "b.xlsx"), sheets, batch_cells=777)
    assert (tmp_path / "a.xlsx").read_bytes() == (tmp_path / "b.xlsx").read_bytes()
    assert cell_values(tmp_path / "one.xlsx") == cell_values(tmp_path / "a.xlsx")
    with pytest.raises(ValueError):      # an error while making the XML reaches the caller
        xlsx.write(str(tmp_path / "bad.xlsx"), sheets + [xlsx.Sheet("bad", ["x", "y"], [pa.array([1, 2]), pa.array([1])])],
                   batch_cells=1)
