"""The Parquet partitioned by year (site_data/parquet/NAME/year=YYYY/part-BB.parquet,
the hive layout): read in place by DuckDB and pyarrow, it holds exactly the
rows of the single-file datasets, each under its year (its own, or its
document's); a per-document dataset's year is cut into parts by doc_id, each
kept by the next run unless one of its documents changed; and the README's
query over it runs."""
from __future__ import annotations

import json
import re

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as pads
import pyarrow.parquet as pq
import pytest

from conftest import ROOT
from yusuan.schema import BY_NAME, DATASETS
from yusuan.rows import to_arrow
from yusuan.store import NO_YEAR, PARTED, PARTITIONED, bucket, part_files, read_parts, write_parts

PARTITIONED_DATASETS = [ds.name for ds in DATASETS if ds.name != "problems"]   # problems has no year


def single(data, name: str) -> pa.Table:
    return pq.read_table(data / f"{name}.parquet")


def years_of(data, name: str) -> pa.Array:
    """Each row's year, from the single files: its own column or documents.year by doc_id."""
    table = single(data, name)
    if "year" in table.column_names:
        return table.column("year").combine_chunks()
    documents = single(data, "documents")
    at = pc.index_in(table.column("doc_id"), value_set=documents.column("doc_id").combine_chunks())
    return documents.column("year").combine_chunks().take(at).combine_chunks()


def test_the_corpus_spans_years(multi_year_data):
    assert sorted(single(multi_year_data, "documents").column("year").to_pylist()) == [2024] * 3 + [2025] * 3 + [2026] * 3
    assert not (multi_year_data / PARTITIONED / "problems").exists()


@pytest.mark.parametrize("name", PARTITIONED_DATASETS)
def test_each_partition_is_that_years_rows(multi_year_data, name):
    """Every year's file holds exactly the single file's rows of that year, in
    its order and with its types, less the year (which is in the path)."""
    table, years = single(multi_year_data, name), years_of(multi_year_data, name)
    folder = multi_year_data / PARTITIONED / name
    found = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    documents = single(multi_year_data, "documents").to_pylist()
    present = sorted({d["year"] for d in documents}) if name in PARTED else sorted(set(years.to_pylist()))
    if name in PARTED:     # a part per year and bucket of doc_id, with rows or not
        assert found == sorted({f"year={d['year']}/part-{bucket(d['doc_id']):02d}.parquet" for d in documents})
    else:
        assert found == [f"year={y}/part-0.parquet" for y in present]
    assert table.num_rows == 0 or present == [2024, 2025, 2026]
    for y in present:
        want = table.filter(pc.equal(years, y))
        if "year" in want.column_names:
            want = want.drop_columns(["year"])
        got = pa.concat_tables(pq.read_table(p) for p in sorted(folder.glob(f"year={y}/*.parquet")))
        if name in PARTED:
            got = got.take(pc.sort_indices(got, [("doc_id", "ascending")]))
        got = got.replace_schema_metadata(None)
        assert got.equals(want.replace_schema_metadata(None)), (name, y)


def test_duckdb_and_pyarrow_read_the_folder_as_the_single_files(multi_year_data):
    """Read in place with hive partitioning: the same row counts and the same
    sums of amounts by year as the single files (joined to documents for the year)."""
    con = duckdb.connect()
    for name in PARTITIONED_DATASETS:
        ds = BY_NAME[name]
        glob = (multi_year_data / PARTITIONED / name / "*" / "*.parquet").as_posix()
        table = single(multi_year_data, name)
        if not table.num_rows:
            continue
        amount = next((f.name for f in ds.fields if f.unit == "万元"), None)
        measure = f"round(sum({amount}), 6)" if amount else "count(*)"    # summed in another order: the last bits differ
        con.register("one", table)
        con.register("documents", single(multi_year_data, "documents"))
        year = "one.year" if "year" in table.column_names else "documents.year"
        join = "" if "year" in table.column_names else "join documents using (doc_id)"
        want = con.sql(f"select {year} as year, count(*), {measure} from one {join} group by all order by 1").fetchall()
        got = con.sql(f"select year, count(*), {measure} from read_parquet('{glob}', hive_partitioning = true) "
                      f"group by all order by 1").fetchall()
        assert got == want, name
        columns = con.sql(f"select * from read_parquet('{glob}', hive_partitioning = true) limit 0").columns
        assert sorted(columns) == sorted(set(table.column_names) | {"year"}), name

        read = pads.dataset(multi_year_data / PARTITIONED / name, format="parquet", partitioning="hive").to_table()
        assert read.num_rows == table.num_rows, name
        by_year = read.group_by("year").aggregate([(amount, "sum")] if amount else [("year", "count")]).to_pylist()
        assert sorted((r["year"], round(r[f"{amount}_sum"], 6) if amount else r["year_count"]) for r in by_year) == \
            [(y, m) for y, _, m in want], name


def test_table_cells_sum_by_year(multi_year_data):
    """The figure a reader asks first, spelled out: amount cells and their sum per year."""
    glob = (multi_year_data / PARTITIONED / "table_cells" / "*" / "*.parquet").as_posix()
    got = duckdb.sql(f"select year, count(*), round(sum(amount), 2) from read_parquet('{glob}', hive_partitioning = true) "
                     "group by year order by year").fetchall()
    cells, years = single(multi_year_data, "table_cells"), years_of(multi_year_data, "table_cells")
    want = [(y, cells.filter(pc.equal(years, y)).num_rows,
             round(pc.sum(cells.filter(pc.equal(years, y)).column("amount")).as_py(), 2)) for y in (2024, 2025, 2026)]
    assert got == want and sum(n for _, n, _ in got) == cells.num_rows


def test_readme_query_runs_on_the_folder(multi_year_data, monkeypatch):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    (sql,) = re.findall(r"<!-- partitioned-query -->\s*```sql\n(.*?)```", readme, re.S)
    assert "hive_partitioning" in sql and f"{PARTITIONED}/" in sql
    monkeypatch.chdir(multi_year_data)
    rows = duckdb.sql(sql).fetchall()
    years = years_of(multi_year_data, "table_cells").to_pylist()
    assert [r[:2] for r in rows] == [(2025, years.count(2025)), (2026, years.count(2026))]
    (pandas_read,) = re.findall(r"With pandas: `(pd\.read_parquet\(.*?\))`", readme)
    import pandas as pd
    cells = eval(pandas_read, {"pd": pd})    # noqa: S307 - the README's own line
    assert len(cells) == years.count(2026) and set(cells["year"]) == {2026}


def test_the_layout_is_outside_the_data_package(multi_year_data):
    """datapackage.json describes each dataset once (its CSV, with its Parquet
    named); the partitioned folder holds the same rows again in another layout,
    as yusuan.xlsx and yusuan.duckdb do, and is documented in the README."""
    package = (multi_year_data / "datapackage.json").read_text(encoding="utf-8")
    assert f"{PARTITIONED}/" not in package
    assert {r["parquet"] for r in json.loads(package)["resources"]} == {f"{ds.name}.parquet" for ds in DATASETS}


class Doc:
    """What write_parts is given of a parse: its doc_id, year and tables."""
    def __init__(self, doc_id: str, year: int | None, amounts: list[float]):
        self.doc_id, self.year = doc_id, year
        self.tables = {"documents": to_arrow(BY_NAME["documents"], [{f.name: None for f in BY_NAME["documents"].fields}
                                                                     | {"doc_id": doc_id, "year": year}]),
                       "table_cells": to_arrow(BY_NAME["table_cells"], [{f.name: None for f in BY_NAME["table_cells"].fields}
                                                                         | {"doc_id": doc_id, "amount": a} for a in amounts])}


def _write(docs: list[Doc], folder, identities: dict[str, str] | None = None) -> list[tuple[int, int, int]]:
    identities = identities or {d.doc_id: f"entry of {d.doc_id}" for d in docs}
    return [write_parts(BY_NAME[name], sorted(docs, key=lambda d: d.doc_id), identities, folder)
            for name in ("documents", "table_cells")]


def _files(folder) -> dict[str, int]:
    """Each file under folder, with its time of last change (nanoseconds)."""
    return {p.relative_to(folder).as_posix(): p.stat().st_mtime_ns for p in folder.rglob("*") if p.is_file()}


def test_rows_without_a_year_are_in_the_hive_default_partition(tmp_path):
    folder = tmp_path / "parquet"
    _write([Doc("2025-a", 2025, [1.5]), Doc("na-b", None, [2.0, 3.0])], folder)
    assert sorted(_files(folder)) == sorted(
        f"{name}/year={y}/part-{bucket(d):02d}.parquet" for name in ("documents", "table_cells")
        for d, y in (("2025-a", 2025), ("na-b", NO_YEAR)))
    glob = (folder / "table_cells" / "*" / "*.parquet").as_posix()
    assert duckdb.sql(f"select year, sum(amount) from read_parquet('{glob}', hive_partitioning = true) "
                      "group by year order by year nulls last").fetchall() == [(2025, 1.5), (None, 5.0)]
    read = pads.dataset(folder / "table_cells", format="parquet", partitioning="hive").to_table()
    assert sorted(zip(read.column("year").to_pylist(), read.column("amount").to_pylist()),
                  key=lambda r: (r[0] is None, r)) == [(2025, 1.5), (None, 2.0), (None, 3.0)]
    # read back a year at a time, years ascending, the year in its column again
    assert [t.column("year").to_pylist() for t in read_parts(BY_NAME["documents"], folder)] == [[2025], [None]]


def test_a_part_is_kept_until_one_of_its_documents_changes(tmp_path):
    """Adding a document rewrites the parts of its year and bucket only;
    changing one (another identity: another parse, doc_id or file name)
    rewrites its part; the others are not touched."""
    folder = tmp_path / "parquet"
    docs = [Doc(f"2025-d{k}", 2025, [float(k)]) for k in range(40)] + [Doc("2026-x", 2026, [7.0])]
    assert _write(docs, folder) == [(41, len(list(folder.glob("documents/*/*"))), 0), (41, len(list(folder.glob("table_cells/*/*"))), 0)]
    before = _files(folder)
    new = Doc("2025-new", 2025, [9.0, 9.5])
    assert [(w, rows) for rows, w, _ in _write(docs + [new], folder)] == [(1, 42), (1, 43)]
    after = _files(folder)
    changed = {rel for rel in after if before.get(rel) != after[rel]}
    assert changed == {f"{name}/year=2025/part-{bucket('2025-new'):02d}.parquet" for name in ("documents", "table_cells")}

    identities = {d.doc_id: f"entry of {d.doc_id}" for d in docs + [new]} | {"2025-d3": "another parse"}
    assert [w for _, w, _ in _write(docs + [new], folder, identities)] == [1, 1]
    assert {rel for rel, t in _files(folder).items() if after[rel] != t} == {
        f"{name}/year=2025/part-{bucket('2025-d3'):02d}.parquet" for name in ("documents", "table_cells")}
    assert sum(t.num_rows for t in read_parts(BY_NAME["table_cells"], folder)) == 43


def test_rows_of_a_year_come_back_in_doc_id_order(tmp_path):
    folder = tmp_path / "parquet"
    docs = [Doc(f"2025-d{k:02d}", 2025, [float(k), k + 0.5]) for k in range(30)]
    _write(docs, folder)
    assert len(list(folder.glob("table_cells/year=2025/*.parquet"))) > 1
    (year,) = read_parts(BY_NAME["table_cells"], folder)
    assert year.column("doc_id").to_pylist() == [d.doc_id for d in docs for _ in range(2)]
    assert year.column("amount").to_pylist() == [a for k in range(30) for a in (float(k), k + 0.5)]


def test_a_year_no_longer_present_leaves_no_partition(tmp_path):
    folder = tmp_path / "parquet"
    _write([Doc("2025-a", 2025, [1.0]), Doc("2026-b", 2026, [2.0])], folder)
    assert (folder / "table_cells" / "year=2025").is_dir()
    _write([Doc("2026-b", 2026, [2.0])], folder)
    assert sorted(_files(folder)) == [f"{name}/year=2026/part-{bucket('2026-b'):02d}.parquet"
                                      for name in ("documents", "table_cells")]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["parquet"]     # no scratch file left
    assert [p.name for p in part_files(folder, "table_cells")] == [f"part-{bucket('2026-b'):02d}.parquet"]
