"""The data stage on the three real samples: exact figures, every amount kept,
checks, output formats."""
from __future__ import annotations

import json
import re
from collections import Counter

import duckdb
import pandas as pd
import pytest
from conftest import ATUSHI, CHANGJI, ZIZHIQU, sample
from yusuan.schema import DATASETS

HEADLINES = {
    ZIZHIQU: dict(total_budget=47024.76, current_year_income=45337.56, carryover=1687.20,
                  basic_expenditure=8322.89, project_expenditure=38701.87, gpb_total=45337.56,
                  gpb_basic=8322.89, gpb_project=37014.67, personnel=7329.65, public_funds=993.24,
                  three_public=130.33, entrusted_fees=2556.13, n_projects=22, n_carryover_projects=11,
                  secret_project_amount=15423.00, n_secret_projects=11),
    CHANGJI: dict(total_budget=2332.95, current_year_income=628.09, carryover=1704.86,
                  basic_expenditure=608.70, project_expenditure=1724.25, gpb_total=628.09,
                  gpb_basic=608.09, gpb_project=20.00, personnel=532.25, public_funds=75.84,
                  three_public=10.29, entrusted_fees=9.25, n_projects=3, n_carryover_projects=8,
                  secret_project_amount=0.0, n_secret_projects=0),
    ATUSHI: dict(total_budget=6544.63, current_year_income=1032.49, carryover=5512.15,
                 basic_expenditure=542.49, project_expenditure=6002.15, gpb_total=832.49,
                 gpb_basic=542.49, gpb_project=290.00, personnel=535.85, public_funds=6.64,
                 three_public=1.20, entrusted_fees=0.0, n_projects=4, n_carryover_projects=4,
                 secret_project_amount=0.0, n_secret_projects=0),
}
META = {
    ZIZHIQU: ("新疆维吾尔自治区工业和信息化厅本级", "省级", "2026-02-09"),
    CHANGJI: ("昌吉回族自治州工业和信息化局", "市级", "2026-02-14"),
    ATUSHI: ("阿图什市商务科技和工业信息化局", "县级", "2026-03-30"),
}


@pytest.mark.parametrize("doc_id", sorted(HEADLINES))
def test_headline_figures(datasets, doc_id):
    doc = datasets["documents"].set_index("doc_id").loc[doc_id]
    for key, want in HEADLINES[doc_id].items():
        assert doc[key] == pytest.approx(want, abs=1e-9), key
    assert (doc["department"], doc["level"], str(doc["doc_date"])[:10]) == META[doc_id]
    assert doc["year"] == 2026 and doc["unit"] == "万元"


def part2_amounts(path) -> Counter:
    """Every two-decimal number printed between the body headings of part 2
    and part 3, read straight from the file (not through the parser)."""
    lines = path.read_text(encoding="utf-8").split("\n")
    starts = [i for i, l in enumerate(lines) if l.strip().startswith("第二部分")]
    ends = [i for i, l in enumerate(lines) if l.strip().startswith("第三部分")]
    body = lines[starts[-1]:ends[-1]]
    return Counter(round(float(m.replace(",", "")), 2)
                   for l in body for m in re.findall(r"(?<![\d.])\d{1,3}(?:,\d{3})*\.\d{2}(?!\d)|(?<![\d.,])\d+\.\d{2}(?!\d)", l))


@pytest.mark.parametrize("doc_id,name", [(ZIZHIQU, "自治区"), (CHANGJI, "昌吉"), (ATUSHI, "阿图什")])
def test_every_amount_of_part2_is_one_cell(datasets, doc_id, name):
    cells = datasets["table_cells"]
    got = Counter(round(a, 2) for a in cells[cells.doc_id == doc_id].amount)
    want = part2_amounts(sample(name))
    assert got == want
    assert sum(want.values()) > 300


def test_cells_point_at_their_source_line(datasets):
    cells = datasets["table_cells"]
    for doc_id, name in [(ZIZHIQU, "自治区"), (CHANGJI, "昌吉")]:
        lines = sample(name).read_text(encoding="utf-8").split("\n")
        for row in cells[cells.doc_id == doc_id].itertuples():
            line = lines[row.source_line - 1]
            assert f"{row.amount:,.2f}" in line or f"{row.amount:.2f}" in line, (row.source_line, line)


def test_column_paths_and_units(datasets):
    cells = datasets["table_cells"]
    c = cells[(cells.doc_id == ZIZHIQU) & (cells.table_key == "income") & (cells.code == "2150508")]
    by_col = dict(zip(c.column_label, c.amount))
    assert by_col == {"总计": 6957.56, "财政拨款（补助）/财政拨款（补助）小计": 5632.66,
                      "财政拨款（补助）/一般公共预算": 600.00,
                      "财政拨款（补助）/上级一般公共预算安排的转移支付": 5032.66,
                      "财政拨款结转": 1265.39, "非财政拨款结转结余": 59.51}
    carry = cells[(cells.doc_id == CHANGJI) & (cells.table_key == "carryover") & (cells.row_label == "总计")]
    assert dict(zip(carry.column_key, carry.amount)) == {
        "total": 1704.86, "fiscal_subtotal": 1704.86, "fiscal_basic_personnel": 0.61, "fiscal_project": 1704.25}


def test_checks_status(datasets):
    checks = datasets["checks"]
    assert (checks.status == "fail").sum() == 0
    by_doc = checks.groupby("doc_id").status.value_counts().unstack(fill_value=0)
    # Rounding differences read off the source: e.g. 昌吉 表3 210 11: 30.87 + 13.00 + 0.32 = 44.19 ≠ 44.20.
    assert by_doc.loc[CHANGJI, "rounding"] >= 11
    r = checks.set_index(["doc_id", "check_id"])
    row = r.loc[(CHANGJI, "expenditure.tree.21011.total")]
    assert (row.expected, row.actual, row.status) == (44.20, 44.19, "rounding")
    row = r.loc[(ATUSHI, "cross.summary.income")]      # 1,032.49 + 5,512.15 vs 6,544.63
    assert (row.expected, row.actual, row.difference, row.status) == (6544.63, 6544.64, 0.01, "rounding")
    for doc_id in HEADLINES:
        ids = set(checks[checks.doc_id == doc_id].check_id)
        for must in ["cross.summary.balance", "cross.summary_vs_income", "cross.gpb_basic", "cross.gpb_project",
                     "cross.carryover", "gpb_basic.total.total", "three_public.items.total.total"]:
            assert must in ids, (doc_id, must)


def test_altering_one_cell_fails_the_right_checks(tmp_path):
    from yusuan.checks import run_checks
    from yusuan.document import parse_document
    from yusuan.read import read_source

    path = sample("昌吉")
    text = path.read_text(encoding="utf-8")
    original = "210\t11\t01\t行政单位医疗\t30.87\t30.87\t\n"   # table 3, line 199
    assert text.count(original) == 2                      # tables 3 and 5
    altered = text.replace(original, "210\t11\t01\t行政单位医疗\t31.87\t30.87\t\n", 1)
    target = tmp_path / path.name
    target.write_text(altered, encoding="utf-8")
    checks = {c.check_id: c for c in run_checks(parse_document(read_source(target, tmp_path)))}
    failed = {k for k, c in checks.items() if c.status == "fail"}
    assert failed == {"expenditure.row.total.12", "expenditure.tree.21011.total"}
    assert checks["expenditure.tree.21011.total"].difference == 0.99   # 31.87 + 13.00 + 0.32 − 44.20


def test_projects_and_secret_flags(datasets):
    p = datasets["projects"]
    z = p[p.doc_id == ZIZHIQU]
    assert len(z) == 22 and z.is_secret.sum() == 11
    row = z[z.project == "2026年无线电管理经费"].iloc[0]
    assert (row.function_code, row.total, row.goods_services, row.capital) == ("2150508", 5032.66, 1529.66, 3503.00)
    assert z.total.sum() == pytest.approx(37014.67)
    c = p[p.doc_id == CHANGJI]
    assert list(c.unit_name.unique()) == ["昌吉回族自治州工业和信息化局"]


def test_carryover_and_fees(datasets):
    co = datasets["carryover"]
    z = co[co.doc_id == ZIZHIQU]
    assert len(z) == 11 and z.total.sum() == pytest.approx(1687.20)
    assert z[z.project == "业务用房维修维护项目"].iloc[0].nonfiscal_project == 59.51
    a = co[co.doc_id == ATUSHI]
    assert "克财建（2025）64号：关于预拨2025年第二批纺织服装 产业补贴资金的通知" in set(a.project)
    fees = datasets["entrusted_fees"]
    assert len(fees[fees.doc_id == ZIZHIQU]) == 8 and len(fees[fees.doc_id == ATUSHI]) == 0


def test_function_and_economic_lines(datasets):
    f = datasets["function_lines"]
    row = f[(f.doc_id == CHANGJI) & (f.table_key == "expenditure") & (f.code == "2011399") & (f.measure == "project")]
    assert (row.level.item(), row.parent_code.item(), row.class_code.item(), row.amount.item()) == ("项", "20113", "201", 417.43)
    e = datasets["economic_lines"]
    row = e[(e.doc_id == ZIZHIQU) & (e.code == "30217") & (e.measure == "public_funds")]
    assert (row.name.item(), row.amount.item(), row.level.item()) == ("公务接待费", 1.83, "款")


def test_three_public(datasets):
    t = datasets["three_public"]
    z = t[t.doc_id == ZIZHIQU].set_index("item")
    assert z.loc["total", "total"] == 130.33 and z.loc["vehicle_operation", "gpb"] == 128.50
    assert pd.isna(z.loc["outbound", "total"])


def test_aggregates(datasets):
    fct = datasets["function_class_totals"]
    z = fct[fct.doc_id == ZIZHIQU].set_index("class_code")
    assert z.loc["215", "total"] == 40139.20 and z.loc["215", "rank_in_department"] == 1
    assert z.share_pct.sum() == pytest.approx(100, abs=0.05)
    summary = datasets["function_class_summary"].set_index("class_code")
    assert summary.loc["215", "total"] == pytest.approx(40139.20 + 1306.82 + 5392.15)
    assert summary.loc["215", "n_departments"] == 3
    ratios = datasets["department_ratios"].set_index("doc_id")
    assert ratios.loc[CHANGJI, "carryover_share_pct"] == 73.08      # the narrative says 占 73.08%
    assert ratios.loc[ZIZHIQU, "rank_total_budget"] == 1


def test_output_files(data_dir):
    for ds in DATASETS:
        csv = (data_dir / f"{ds.name}.csv").read_bytes()
        assert csv.startswith(b"\xef\xbb\xbf"), ds.name
        header = csv[3:].split(b"\n", 1)[0].decode()
        assert header.split(",") == ds.columns
        assert list(pd.read_parquet(data_dir / f"{ds.name}.parquet").columns) == ds.columns
    pkg = json.loads((data_dir / "datapackage.json").read_text(encoding="utf-8"))
    assert [r["name"] for r in pkg["resources"]] == [d.name for d in DATASETS]
    for res, ds in zip(pkg["resources"], DATASETS):
        assert [f["name"] for f in res["schema"]["fields"]] == ds.columns
        assert all(f["title"] and f["description"] for f in res["schema"]["fields"])
    con = duckdb.connect(str(data_dir / "yusuan.duckdb"), read_only=True)
    tables = {r[0] for r in con.execute("select table_name from information_schema.tables").fetchall()}
    assert {d.name for d in DATASETS} | {"function_class_totals_view"} <= tables
    assert con.execute("select count(*) from table_cells").fetchone()[0] == \
        len(pd.read_parquet(data_dir / "table_cells.parquet"))
    from openpyxl import load_workbook
    wb = load_workbook(data_dir / "yusuan.xlsx", read_only=True)
    assert wb.sheetnames == ["说明"] + [d.name for d in DATASETS]
    first = next(wb["documents"].iter_rows(max_row=1, values_only=True))
    assert first[:3] == ("文件编号", "源文件", "SHA-256")
    assert sorted(p.name for p in (data_dir / "sources").iterdir()) == sorted(f"{d}.txt" for d in HEADLINES)


def test_every_column_has_title_and_unit_where_amount():
    for ds in DATASETS:
        for f in ds.fields:
            assert f.title and f.description, (ds.name, f.name)
            if f.type == "number" and f.name not in ("quantity", "weight"):
                assert f.unit, (ds.name, f.name)


def test_csv_reads_back_as_the_parquet(data_dir):
    """Every CSV holds the Parquet's rows: integers stay integers (no "12.0"
    where a column has gaps), strings keep commas and quotes, dates are ISO."""
    import csv
    import io

    for ds in DATASETS:
        table = pd.read_parquet(data_dir / f"{ds.name}.parquet")
        rows = list(csv.DictReader(io.StringIO((data_dir / f"{ds.name}.csv").read_text(encoding="utf-8-sig"))))
        assert len(rows) == len(table), ds.name
        for f in ds.fields:
            got = [r[f.name] for r in rows]
            want = table[f.name].tolist()
            if f.type == "integer":
                assert got == ["" if pd.isna(v) else str(int(v)) for v in want], (ds.name, f.name)
            elif f.type == "string":
                assert got == ["" if pd.isna(v) else v for v in want], (ds.name, f.name)
            elif f.type == "number":
                assert [float(v) if v else None for v in got] == [None if pd.isna(v) else v for v in want]


def test_per_document_data_is_that_documents_rows(data_dir, tmp_path):
    """docs/<doc_id>/data.json.gz, from which the browser makes the
    document's XLSX and CSVs: every dataset with rows for the document, its
    columns in the contract's order, exactly the document's rows."""
    import gzip
    import json

    from yusuan.render import downloads
    from yusuan.render.data import load

    downloads.write(load(data_dir), CHANGJI, tmp_path)
    data = json.loads(gzip.decompress((tmp_path / downloads.NAME).read_bytes()))
    assert data["doc_id"] == CHANGJI
    # the columns every document shares are in assets/yusuan/datasets.json;
    # the document's file leaves out doc_id, which site.js puts back
    shared = {d["name"]: d for d in downloads.fields()["datasets"]}
    got = {}
    for d in data["datasets"]:
        spec = shared[d["name"]]
        assert len(d["values"]) == len(spec["columns"]) - 1 and "doc_id" in spec["columns"]
        values = iter(d["values"])
        n = len(d["values"][0])
        got[d["name"]] = {**spec, "values": [[CHANGJI] * n if col == "doc_id" else next(values)
                                             for col in spec["columns"]]}
    assert "function_lines" in got and not {"checks", "table_cells"} & set(got)    # in the whole datasets
    for ds in DATASETS:
        whole = pd.read_parquet(data_dir / f"{ds.name}.parquet")
        mine = whole[whole.doc_id == CHANGJI] if "doc_id" in whole.columns else whole.iloc[:0]
        if mine.empty or "doc_id" not in ds.columns or ds.name in downloads.NOT_PER_DOC:
            assert ds.name not in got, ds.name
            continue
        d = got[ds.name]
        assert d["columns"] == [f.name for f in ds.fields], ds.name
        assert d["headers"][0].startswith(ds.fields[0].title)
        values = dict(zip(d["columns"], d["values"]))
        assert all(len(v) == len(mine) for v in values.values()), ds.name
        for col, f in zip(d["columns"], ds.fields):
            want = mine[col].tolist()
            if f.type == "date":
                want = [None if pd.isna(x) else str(x)[:10] for x in want]
            have = values[col]
            for a, b in zip(want, have):
                if a is None or (isinstance(a, float) and a != a):
                    assert b is None, (ds.name, col)
                else:
                    assert a == b, (ds.name, col, a, b)


def test_deterministic(tmp_path, data_dir):
    """Same input, same bytes — and parsing in one process gives what the
    fixture's parallel parse (one process per core) gave."""
    from conftest import CONTENT
    from yusuan.pipeline import run_data

    again = tmp_path / "again"
    run_data(CONTENT, again, cache_dir=None, progress=lambda *_: None, workers=1)
    for p in sorted(data_dir.rglob("*")):
        if p.is_file() and p.name != "yusuan.duckdb":   # DuckDB stamps a random database id
            assert (again / p.relative_to(data_dir)).read_bytes() == p.read_bytes(), p.name


def test_published_sources_keep_their_lines(data_dir):
    for name, doc_id in [("昌吉", CHANGJI), ("自治区", ZIZHIQU)]:
        original = sample(name).read_text(encoding="utf-8").split("\n")
        published = (data_dir / "sources" / f"{doc_id}.txt").read_text(encoding="utf-8").split("\n")
        assert len(published) == len(original)
        changed = [i for i, (a, b) in enumerate(zip(original, published)) if a != b]
        assert all("［已隐去］" in published[i] for i in changed) and len(changed) <= 12


SAFE_DOC_ID = re.compile(r"(?:20\d\d|na)-[a-z0-9]{1,60}(?:-(?:danwei|juesuan|danweijuesuan))?(?:-\d+)?")


@pytest.mark.parametrize("department", ["../../etc/passwd", "<img src=x onerror=alert(1)>局", "a b\\c\n:*?\"",
                                        "", "ＡＢＣ／工业局", "工业局\u202e\u0000"])
def test_doc_id_is_a_safe_file_name(department):
    """doc_id is the only document text that becomes a path (docs/<doc_id>/,
    sources/<doc_id>.txt, <doc_id>.xlsx, ZIP entries): ASCII letters and
    digits whatever the department's name."""
    from yusuan.identity import make_doc_id
    for year in (2026, None):
        assert SAFE_DOC_ID.fullmatch(make_doc_id(department, year)), make_doc_id(department, year)


def test_published_doc_ids_are_safe_file_names(data_dir):
    ids = pd.read_parquet(data_dir / "documents.parquet").doc_id.tolist()
    assert ids and all(SAFE_DOC_ID.fullmatch(i) for i in ids)



def test_mapped_datasets_slice_each_document(tmp_path):
    """The site maps the datasets of every document's rows from Arrow files
    (render/data.py): a document's rows are its slice, also when they run
    across two of the file's batches, and a file not sorted by doc_id is
    sorted (stably: each document's rows keep their order)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from yusuan.render.data import _mapped, _slices

    ids = ["a"] * 3 + ["b"] * 70_000 + ["c"] * 2        # b runs across the 65,536-row batches
    pq.write_table(pa.table({"doc_id": ids, "k": list(range(len(ids)))}), tmp_path / "x.parquet")
    table = _mapped(tmp_path / "x.parquet", tmp_path / "x.arrow")
    assert table.column("doc_id").num_chunks > 1
    assert _slices(table) == {"a": (0, 3), "b": (3, 70_000), "c": (70_003, 2)}
    assert table.slice(*_slices(table)["c"]).column("k").to_pylist() == [70_003, 70_004]
    pq.write_table(pa.table({"doc_id": ["b", "a", "b", "a"], "k": [0, 1, 2, 3]}), tmp_path / "y.parquet")
    table = _mapped(tmp_path / "y.parquet", tmp_path / "y.arrow")
    assert table.to_pydict() == {"doc_id": ["a", "a", "b", "b"], "k": [1, 3, 0, 2]}
    assert _slices(table) == {"a": (0, 2), "b": (2, 2)}
