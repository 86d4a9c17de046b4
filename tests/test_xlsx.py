"""XLSX output (yusuan/xlsx.py through store.write_xlsx; a document's
workbook is made in the browser, tests/test_browser.py), read back with openpyxl and pandas: every row and value, headers,
the 说明 sheet, escaping, the sheet row limit, byte-for-byte determinism."""
from __future__ import annotations

import datetime as dt
import inspect
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


def notes(wb) -> list[str]:
    """The notes below the column list of 说明."""
    return [r[0] for r in sheet_rows(wb["说明"]) if r[0] and "超过" in r[0]]


def year_of_rows(tables: dict, name: str) -> list:
    """Each row's year: its own, or its document's."""
    table = tables[name]
    if "year" in table.column_names:
        return table.column("year").to_pylist()
    year = dict(zip(tables["documents"].column("doc_id").to_pylist(), tables["documents"].column("year").to_pylist()))
    return [year[d] for d in table.column("doc_id").to_pylist()]


@pytest.mark.parametrize("max_rows", [10, 700])
def test_a_dataset_longer_than_a_sheet_is_split_by_year_or_left_out(multi_year_data, tmp_path, max_rows):
    """The row limit (Excel's 1,048,576, header included) made small: every
    dataset is on one sheet whole, or on one sheet per year with every row
    (sheet rows add up to the dataset's, each the rows of its year in order),
    or, when a year alone is too long, not in the workbook; 说明 says which,
    in a note and in its 工作表 column. Never a sheet cut short."""
    tables = {ds.name: pq.read_table(multi_year_data / f"{ds.name}.parquet") for ds in DATASETS}
    path = tmp_path / "limited.xlsx"
    write_xlsx(tables, path, max_rows=max_rows)
    wb = load_workbook(path, read_only=True)
    explained = {}
    for row in sheet_rows(wb["说明"])[1:]:
        if row[2]:
            explained.setdefault(row[1], set()).add(row[0])
    said = notes(wb)
    whole = split = left_out = 0
    for ds in DATASETS:
        table, n = tables[ds.name], tables[ds.name].num_rows
        (where,) = explained[ds.title]
        mine = [note for note in said if note.startswith(f"{ds.name}（")]
        if n < max_rows:
            whole += 1
            assert ds.name in wb.sheetnames and len(sheet_rows(wb[ds.name])) == n + 1 and where == ds.name
            assert not mine
            continue
        (note,) = mine
        assert f"{n:,} 行" in note and f"{max_rows - 1:,} 行" in note
        years = year_of_rows(tables, ds.name)
        counts = {y: years.count(y) for y in years}
        if max(counts.values()) < max_rows:
            split += 1
            names = [f"{ds.name}_{y}" for y in sorted(counts)]
            assert where == "、".join(names) and ds.name not in wb.sheetnames
            rows = []
            for y, name in zip(sorted(counts), names):
                sheet = sheet_rows(wb[name])[1:]
                assert len(sheet) == counts[y] < max_rows and f"{name}（{counts[y]:,} 行）" in note
                rows += sheet
            assert len(rows) == n, ds.name      # no row lost
            by_year = sorted(range(n), key=lambda i: years[i])   # stable: each year's rows in file order
            amount = next((j for j, f in enumerate(ds.fields) if f.unit == "万元"), 0)
            column = table.column(amount).to_pylist()
            assert [r[amount] for r in rows] == [expected(column[i]) for i in by_year], ds.name
        else:
            left_out += 1
            assert not [s for s in wb.sheetnames if s == ds.name or s.startswith(f"{ds.name}_")]
            assert "未收入本工作簿" in note and f"{ds.name}.csv" in note and f"{ds.name}.parquet" in note
            assert where == f"（未收入本工作簿，见 {ds.name}.csv）"
    assert len(said) == split + left_out
    assert all(len(name) <= 31 for name in wb.sheetnames)
    # each rule happens: at 700 rows function_lines (567 rows a year) is split
    # by year and table_cells (1,119 a year) left out; at 10, most are left out
    assert split and left_out and whole
    if max_rows == 700:
        assert "function_lines_2024" in wb.sheetnames and "table_cells_2024" not in wb.sheetnames


def test_a_long_dataset_without_years_is_left_out(tmp_path):
    problems = [{"source_file": f"{k}.txt", "line": None, "severity": "error", "message": "未收录"} for k in range(5)]
    from yusuan.rows import to_arrow
    tables = {"problems": to_arrow(BY_NAME["problems"], problems)}
    write_xlsx(tables, tmp_path / "p.xlsx", max_rows=5)    # 4 data rows a sheet
    wb = load_workbook(tmp_path / "p.xlsx", read_only=True)
    assert wb.sheetnames == ["说明"]
    (note,) = notes(wb)
    assert note.startswith("problems（读取问题）共 5 行") and "未收入本工作簿" in note and "其中一个年度" not in note
    write_xlsx(tables, tmp_path / "q.xlsx", max_rows=6)    # fits
    assert load_workbook(tmp_path / "q.xlsx", read_only=True).sheetnames == ["说明", "problems"]


def test_rows_without_a_year_get_a_sheet_of_their_own(tmp_path):
    from yusuan.rows import to_arrow
    blank = {ds: {f.name: None for f in BY_NAME[ds].fields} for ds in ("documents", "table_cells")}
    tables = {"documents": to_arrow(BY_NAME["documents"], [blank["documents"] | {"doc_id": d, "year": y}
                                                           for d, y in [("2025-a", 2025), ("na-b", None)]]),
              "table_cells": to_arrow(BY_NAME["table_cells"], [blank["table_cells"] | {"doc_id": d, "amount": a}
                                                               for d, a in [("na-b", 1.0), ("2025-a", 2.0), ("na-b", 3.0)]])}
    write_xlsx(tables, tmp_path / "y.xlsx", max_rows=3)
    wb = load_workbook(tmp_path / "y.xlsx", read_only=True)
    assert wb.sheetnames == ["说明", "documents", "table_cells_2025", "table_cells_na"]
    assert [r[11] for r in sheet_rows(wb["table_cells_na"])[1:]] == [1.0, 3.0]
    (note,) = notes(wb)
    assert "table_cells_2025（1 行）、table_cells_na（2 行）" in note


def test_the_row_limit_is_excels():
    assert xlsx.MAX_ROWS == 1_048_576
    assert inspect.signature(write_xlsx).parameters["max_rows"].default == xlsx.MAX_ROWS


def test_same_table_same_bytes(data_dir, tmp_path):
    tables = {name: pq.read_table(data_dir / f"{name}.parquet") for name in ("documents", "checks")}
    write_xlsx(tables, tmp_path / "a.xlsx")
    write_xlsx(tables, tmp_path / "b.xlsx")
    assert (tmp_path / "a.xlsx").read_bytes() == (tmp_path / "b.xlsx").read_bytes()
    with zipfile.ZipFile(tmp_path / "a.xlsx") as z:
        assert {i.date_time for i in z.infolist()} == {(2000, 1, 1, 0, 0, 0)}
        assert z.testzip() is None
    # a document's workbook is made in the browser (test_browser.py) from its
    # data file, which is the same bytes every time
    for folder in ("c", "d"):
        (tmp_path / folder).mkdir()
        downloads.write(site_data.load(data_dir), ZIZHIQU, tmp_path / folder)
    assert (tmp_path / "c" / downloads.NAME).read_bytes() == (tmp_path / "d" / downloads.NAME).read_bytes()


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
    """The whole-data workbook, written from Arrow columns, holds exactly the
    cells (values, types, formats) that the per-cell path writes from the
    same rows as Python values. (A document's workbook is made in the
    browser now: test_browser.py.)"""
    written = []
    real_write = xlsx.write
    monkeypatch.setattr(xlsx, "write", lambda target, sheets, title="", **kw: (
        written.append((sheets, title)), real_write(target, sheets, title, **kw)))
    tables = {ds.name: pq.read_table(data_dir / f"{ds.name}.parquet") for ds in DATASETS}
    write_xlsx(tables, tmp_path / "all.xlsx")
    assert len(written) == 1
    for (sheets, title), name in zip(written, ["all"]):
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
