"""Store stage: dataset rows → Parquet, CSV (UTF-8 with BOM), XLSX, DuckDB and
datapackage.json, typed by the contract in schema.py; and Parquet again,
partitioned by year (hive layout, parquet/NAME/year=YYYY/part-0.parquet), for
query engines that read only the years asked for.

Every file is written to a temporary name beside its target and renamed into
place (the partitioned folder is made beside its target and swapped in), so a
reader never sees half a file. Output bytes depend only on the rows (no
timestamps).
"""
from __future__ import annotations

import datetime as dt
import io
import json
import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from . import xlsx
from .parallel import in_second_process
from .schema import DATASETS, WANYUAN, Dataset

ARROW_TYPES = {"string": pa.string(), "integer": pa.int64(), "number": pa.float64(),
               "boolean": pa.bool_(), "date": pa.date32()}

@contextmanager
def atomic_path(target: Path):
    """Yield a temporary path; on success it replaces `target`."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        os.chmod(tmp, 0o644)   # mkstemp makes 0600; published files must be readable
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def arrow_schema(ds: Dataset) -> pa.Schema:
    return pa.schema([pa.field(f.name, ARROW_TYPES[f.type]) for f in ds.fields])


class ContractError(Exception):
    """Rows whose keys are not their dataset's columns (a bug, not bad input)."""


def check_keys(ds: Dataset, rows: list[dict]) -> None:
    """Every row has exactly the dataset's columns. Arrow would leave a column
    null for a misspelt or missing key and drop an unknown one, without a
    word. Checked once per key order (rows of one builder share one)."""
    for keys in {tuple(r) for r in rows}:
        if len(keys) != len(ds.fields) or not ds.column_set.issuperset(keys):
            unknown = sorted(set(keys) - ds.column_set)
            missing = [c for c in ds.columns if c not in keys]
            raise ContractError(f"{ds.name}: rows with unknown keys {unknown} and without {missing} "
                                f"(the columns are declared in schema.py)")


def to_arrow(ds: Dataset, rows: list[dict]) -> pa.Table:
    check_keys(ds, rows)
    schema = arrow_schema(ds)
    if not any(f.type == "date" for f in ds.fields):
        try:
            # All columns in one conversion: ~2x faster than one pa.array per
            # column (whose fixed cost outweighs the values). Arrow converts
            # the usual Python types as the loop below would; what it refuses
            # (a bool or a string where a number belongs) takes the loop.
            return pa.Table.from_struct_array(pa.array(rows, type=pa.struct(schema)))
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            pass
    cols = {}
    for f in ds.fields:
        values = [r.get(f.name) for r in rows]
        if f.type == "date":
            values = [dt.date.fromisoformat(v) if isinstance(v, str) else v for v in values]
        if f.type == "integer":
            values = [None if v is None else int(v) for v in values]
        if f.type == "number":
            values = [None if v is None else float(v) for v in values]
        cols[f.name] = pa.array(values, type=ARROW_TYPES[f.type])
    return pa.table(cols, schema=schema)


def write_parquet(table: pa.Table, path: Path) -> None:
    with atomic_path(path) as tmp:
        pq.write_table(table, tmp, compression="zstd")


def csv_bytes(table: pa.Table) -> bytes:
    """CSV in UTF-8 with a BOM (so Excel reads the Chinese), a plain header,
    strings quoted, integers as integers even with gaps, dates ISO, booleans
    true/false, missing values empty. Arrow's writer: ~10x faster than pandas."""
    out = io.BytesIO()
    out.write(("\ufeff" + ",".join(table.column_names) + "\n").encode("utf-8"))
    pacsv.write_csv(table, out, pacsv.WriteOptions(include_header=False, quoting_style="needed"))
    return out.getvalue()


def write_csv(table: pa.Table, path: Path) -> None:
    with atomic_path(path) as tmp:
        tmp.write_bytes(csv_bytes(table))


def row_years(name: str, tables: dict[str, pa.Table]) -> pa.Array | None:
    """The year of each row of dataset `name`: its own year column, else its
    document's (documents.year by doc_id); None for a dataset with neither
    (problems). A doc_id that is not in documents is a bug: ContractError."""
    table = tables[name]
    if "year" in table.column_names:
        return table.column("year").combine_chunks()
    if "doc_id" not in table.column_names:
        return None
    documents = tables["documents"]
    where = pc.index_in(table.column("doc_id"), value_set=documents.column("doc_id").combine_chunks())
    if where.null_count:
        unknown = pc.unique(table.column("doc_id").filter(pc.is_null(where))).to_pylist()[:3]
        raise ContractError(f"{name}: rows whose doc_id is not in documents, e.g. {unknown}")
    return documents.column("year").combine_chunks().take(where).combine_chunks()


def by_year(table: pa.Table, years: pa.Array) -> list[tuple[int | None, pa.Table]]:
    """The rows of each year, years ascending and rows without a year last,
    each year's rows in table order. Slices (no copy) when each year's rows
    are together, as they are in the datasets (in doc_id order, and a doc_id
    begins with its year); else filtered copies."""
    if not len(years):
        return []
    runs = pc.run_end_encode(years)
    values = runs.values.to_pylist()
    order = sorted(set(values), key=lambda y: (y is None, y or 0))
    if len(values) == len(order):     # each year one run
        ends = runs.run_ends.to_pylist()
        starts = dict(zip(values, [0] + ends[:-1]))
        ends = dict(zip(values, ends))
        return [(y, table.slice(starts[y], ends[y] - starts[y])) for y in order]
    return [(y, table.filter(pc.is_null(years) if y is None else pc.fill_null(pc.equal(years, y), False)))
            for y in order]


def write_xlsx(tables: dict[str, pa.Table], path: Path, max_rows: int = xlsx.MAX_ROWS) -> None:
    """One sheet per dataset, Chinese headers, amounts shown as #,##0.00; a
    first sheet 说明 explains every column. No row is cut at a sheet's limit
    (max_rows, header included): a dataset with more rows than a sheet holds
    is split by year (sheets NAME_2025, NAME_2026 …; NAME_na for rows without
    a year) when each year fits in a sheet, and otherwise left out of the
    workbook; either way 说明 says where its rows are."""
    per_sheet = max_rows - 1
    sheets, info, notes = [], [], []
    for ds in DATASETS:
        if ds.name not in tables:
            continue
        table = tables[ds.name]
        amounts = {j for j, f in enumerate(ds.fields) if f.unit == WANYUAN}
        parts = [(ds.name[:31], table)]
        if table.num_rows > per_sheet:
            years = row_years(ds.name, tables)
            parts = [] if years is None else [(_sheet_name(ds.name, y), rows) for y, rows in by_year(table, years)]
            if any(rows.num_rows > per_sheet for _, rows in parts):
                parts = []
            too_many = f"{ds.name}（{ds.title}）共 {table.num_rows:,} 行，超过一个工作表可容纳的 {per_sheet:,} 行，"
            if parts:
                notes.append(too_many + "按年度分在工作表 " + "、".join(f"{name}（{rows.num_rows:,} 行）"
                                                                 for name, rows in parts) + " 中。")
            else:
                notes.append(too_many + ("其中一个年度也超过，" if years is not None else "")
                             + f"未收入本工作簿：请用 {ds.name}.csv、{ds.name}.parquet 或 yusuan.duckdb。")
        for name, rows in parts:
            sheets.append(xlsx.Sheet(name, [f.title for f in ds.fields],
                                     [rows.column(f.name) for f in ds.fields], amounts))   # Arrow columns: the fast path
        where = "、".join(name for name, _ in parts) or f"（未收入本工作簿，见 {ds.name}.csv）"
        info += [(where, ds.title, f.name, f.title, f.type, f.unit, f.description) for f in ds.fields]
    if notes:   # below the column list, after a blank row
        info += [(None,) * 7] + [(n,) + (None,) * 6 for n in notes]
    header = ["工作表", "数据集", "列", "列名", "类型", "单位", "说明"]
    explain = xlsx.Sheet("说明", header, [list(c) for c in zip(*info)])
    with atomic_path(path) as tmp:
        xlsx.write(str(tmp), [explain] + sheets, title="yusuan 预算公开数据")


def _sheet_name(dataset: str, year: int | None) -> str:
    """NAME_2026, NAME_na (no year): within Excel's 31 characters."""
    tag = "_na" if year is None else f"_{year}"
    return dataset[:31 - len(tag)] + tag


PARTITIONED = "parquet"                       # the folder, in the data folder, of the Parquet partitioned by year
NO_YEAR = "__HIVE_DEFAULT_PARTITION__"        # the partition of rows without a year (Hive's, Spark's; null to DuckDB and Arrow)


def partition_files(tables: dict[str, pa.Table]) -> list[tuple[str, pa.Table]]:
    """(path in the partitioned folder, rows) of every partition: each
    dataset with a year (its own, or its document's) as
    NAME/year=YYYY/part-0.parquet, the year in the path and not in the file
    (the hive layout); a dataset without rows has none. problems, which has
    no year, is not partitioned."""
    out = []
    for ds in DATASETS:
        if ds.name not in tables:
            continue
        years = row_years(ds.name, tables)
        if years is None:
            continue
        for year, rows in by_year(tables[ds.name], years):
            if "year" in rows.column_names:
                rows = rows.drop_columns(["year"])
            out.append((f"{ds.name}/year={NO_YEAR if year is None else year}/part-0.parquet", rows))
    return out


def write_partitioned(tables: dict[str, pa.Table], folder: Path) -> None:
    """The partitioned Parquet folder, made beside `folder` and swapped in:
    no reader sees a half-made folder, and no partition of an earlier build
    (a year since removed) is left behind."""
    new, old = folder.with_name(f".{folder.name}.new"), folder.with_name(f".{folder.name}.old")
    for scratch in (new, old):
        shutil.rmtree(scratch, ignore_errors=True)
    for rel, rows in partition_files(tables):
        path = new / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        pq.write_table(rows, path, compression="zstd")
        os.chmod(path, 0o644)
    new.mkdir(parents=True, exist_ok=True)
    if folder.exists():
        os.replace(folder, old)
    os.replace(new, folder)
    shutil.rmtree(old, ignore_errors=True)


def _table_schema(ds: Dataset) -> dict:
    """The dataset's Frictionless table schema: fields, with the closed sets
    of values as enum constraints, its primary key, and doc_id as a foreign
    key to documents."""
    schema: dict = {"fields": [
        {"name": f.name, "type": f.type, "title": f.title, "description": f.description,
         **({"unit": f.unit} if f.unit else {}),
         **({"constraints": {"enum": list(f.enum)}} if f.enum else {})} for f in ds.fields]}
    if ds.key:
        schema["primaryKey"] = list(ds.key)
    if "doc_id" in ds.columns and ds.name != "documents":
        schema["foreignKeys"] = [{"fields": ["doc_id"], "reference": {"resource": "documents", "fields": ["doc_id"]}}]
    return schema


def datapackage(tables: dict[str, pa.Table]) -> dict:
    resources = []
    for ds in DATASETS:
        if ds.name not in tables:
            continue
        resources.append({
            "name": ds.name, "path": f"{ds.name}.csv", "format": "csv", "mediatype": "text/csv",
            "encoding": "utf-8-sig", "title": ds.title, "description": ds.description,
            "parquet": f"{ds.name}.parquet", "count": tables[ds.name].num_rows,
            "schema": _table_schema(ds),
        })
    return {
        "profile": "data-package", "name": "yusuan", "title": "部门预算公开数据（yusuan）",
        "description": "由部门预算公开文件解析而得的数据集；金额单位为万元，每个数字可追溯到源文件行号。",
        "licenses": [{"name": "CC-BY-4.0", "title": "Creative Commons Attribution 4.0"}],
        "resources": resources,
    }


def write_json(obj, path: Path) -> None:
    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(obj, ensure_ascii=False, indent=2, sort_keys=False) + "\n", encoding="utf-8")


def write_duckdb(tables: dict[str, pa.Table], views: dict[str, str], path: Path) -> None:
    """Every dataset as a table, plus the aggregate SQL as views."""
    import duckdb

    with atomic_path(path) as tmp:
        tmp.unlink()
        con = duckdb.connect(str(tmp))
        try:
            for name, table in tables.items():
                con.register("_incoming", table)
                con.execute(f'CREATE TABLE "{name}" AS SELECT * FROM _incoming')
                con.unregister("_incoming")
            for name, sql in views.items():
                con.execute(f'CREATE VIEW "{name}_view" AS {sql}')
            con.execute("CHECKPOINT")
        finally:
            con.close()


def write_all(tables: dict[str, pa.Table], views: dict[str, str], data_dir: Path, progress=print) -> None:
    data_dir.mkdir(parents=True, exist_ok=True)
    # the workbook takes as long as all the other files together: a second core writes it
    wait_for_xlsx = in_second_process(write_xlsx, tables, data_dir / "yusuan.xlsx", what="writing yusuan.xlsx")
    for name, table in tables.items():
        write_parquet(table, data_dir / f"{name}.parquet")
        write_csv(table, data_dir / f"{name}.csv")
    progress(f"wrote {len(tables)} datasets as Parquet and CSV")
    write_partitioned(tables, data_dir / PARTITIONED)
    progress(f"wrote the Parquet partitioned by year ({PARTITIONED}/)")
    write_duckdb(tables, views, data_dir / "yusuan.duckdb")
    write_json(datapackage(tables), data_dir / "datapackage.json")
    progress("wrote yusuan.duckdb, datapackage.json")
    wait_for_xlsx()
    progress("wrote yusuan.xlsx")
