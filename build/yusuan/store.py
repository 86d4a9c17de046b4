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

import functools
import json
import os
import shutil
import tempfile
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from . import xlsx
from .parallel import in_second_process
from .rows import ContractError, arrow_schema
from .schema import BY_NAME, DATASETS, WANYUAN, Dataset

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


CSV_OPTIONS = pacsv.WriteOptions(include_header=False, quoting_style="needed")



def row_years(name: str, tables: dict[str, pa.Table], year_of: dict | None = None) -> pa.Array | None:
    """The year of each row of dataset `name`: its own year column, else its
    document's (year_of: documents.year by doc_id, see document_years); None
    for a dataset with neither (problems). A doc_id that is not in documents
    is a bug: ContractError."""
    table = tables[name]
    if "year" in table.column_names:
        return table.column("year").combine_chunks()
    if "doc_id" not in table.column_names:
        return None
    year_of = document_years(tables["documents"]) if year_of is None else year_of
    doc_ids = table.column("doc_id").combine_chunks()
    ids = pc.unique(doc_ids).to_pylist()      # few: looked up in Python, not a hash of every document per call
    if unknown := [i for i in ids if i not in year_of][:3]:
        raise ContractError(f"{name}: rows whose doc_id is not in documents, e.g. {unknown}")
    return pa.array([year_of[i] for i in ids], pa.int64()).take(pc.index_in(doc_ids, value_set=pa.array(ids, pa.string())))


def document_years(documents: pa.Table) -> dict[str, int | None]:
    return dict(zip(documents.column("doc_id").to_pylist(), documents.column("year").to_pylist()))


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
            # counted before it is cut: a dataset left out is never read whole
            fits = years is not None and max(pc.value_counts(years).field("counts").to_pylist()) <= per_sheet
            parts = [(_sheet_name(ds.name, y), rows) for y, rows in by_year(table, years)] if fits else []
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
    """The partitioned Parquet folder of whole tables (see Partitions)."""
    partitions = Partitions(folder)
    for ds in DATASETS:
        if ds.name in tables:
            add, close = partitions.dataset(ds, tables.get("documents"))
            add(tables[ds.name])
            close()
    partitions.finish()


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


def datapackage(counts: dict[str, int]) -> dict:
    """counts: each dataset's number of rows."""
    resources = []
    for ds in DATASETS:
        if ds.name not in counts:
            continue
        resources.append({
            "name": ds.name, "path": f"{ds.name}.csv", "format": "csv", "mediatype": "text/csv",
            "encoding": "utf-8-sig", "title": ds.title, "description": ds.description,
            "parquet": f"{ds.name}.parquet", "count": counts[ds.name],
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


def write_duckdb(parquet: dict[str, Path], views: dict[str, str], path: Path) -> None:
    """Every dataset as a table (read from its Parquet file), plus the aggregate SQL as views."""
    import duckdb

    from .aggregate import sql_text

    with atomic_path(path) as tmp:
        tmp.unlink()
        con = duckdb.connect(str(tmp))
        try:
            for name, file in parquet.items():
                con.execute(f'CREATE TABLE "{name}" AS SELECT * FROM read_parquet({sql_text(file)})')
            for name, sql in views.items():
                con.execute(f'CREATE VIEW "{name}_view" AS {sql}')
            con.execute("CHECKPOINT")
        finally:
            con.close()


ROW_GROUP = 1024 * 1024     # rows in a row group, as pq.write_table makes them


class ParquetParts:
    """A Parquet file written from its rows given in parts, byte for byte as
    pq.write_table writes them all as one table: row groups of ROW_GROUP
    rows, each written from one contiguous chunk (a column given in chunks
    is cut into pages elsewhere). At most a row group is held."""

    def __init__(self, path: Path, schema: pa.Schema):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path, self.pending, self.rows, self.written = path, [], 0, 0
        self.writer = pq.ParquetWriter(path, schema, compression="zstd")

    def add(self, part: pa.Table) -> None:
        self.pending.append(part)
        self.rows += part.num_rows
        if self.rows >= ROW_GROUP:
            self._write(self.rows // ROW_GROUP * ROW_GROUP)

    def _write(self, n: int) -> None:
        whole = pa.concat_tables(self.pending).combine_chunks()
        self.writer.write_table(whole.slice(0, n), row_group_size=ROW_GROUP if n else None)
        self.pending, self.rows, self.written = [whole.slice(n)], self.rows - n, self.written + n

    def close(self) -> None:
        if self.rows or not self.written:     # an empty table: a file without rows, as pq.write_table makes it
            self.pending.append(self.writer.schema.empty_table())
            self._write(self.rows)
        self.writer.close()
        os.chmod(self.path, 0o644)


class CsvParts:
    """A CSV file written from its rows given in parts: UTF-8 with a BOM (so
    Excel reads the Chinese), a plain header, strings quoted, integers as
    integers even with gaps, dates ISO, booleans true/false, missing values
    empty. Arrow's writer: ~10x faster than pandas."""

    def __init__(self, path: Path, schema: pa.Schema):
        self.file = open(path, "wb")
        self.file.write(("\ufeff" + ",".join(schema.names) + "\n").encode("utf-8"))
        self.writer = pacsv.CSVWriter(self.file, schema, write_options=CSV_OPTIONS)

    def add(self, part: pa.Table) -> None:
        self.writer.write_table(part)

    def close(self) -> None:
        self.writer.close()
        self.file.close()


class Partitions:
    """The Parquet partitioned by year (see partition_files), written from
    each dataset's rows in parts into `new` (swapped in by finish())."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.new = folder.with_name(f".{folder.name}.new")
        shutil.rmtree(self.new, ignore_errors=True)
        self.new.mkdir(parents=True)

    def dataset(self, ds: Dataset, documents: pa.Table | None):
        """add(part) for the dataset's rows in parts; close() when all were given."""
        files: dict[int | None, ParquetParts] = {}
        year_of = document_years(documents) if documents is not None else {}
        schema = arrow_schema(ds)
        if "year" in schema.names:
            schema = schema.remove(schema.get_field_index("year"))

        def add(part: pa.Table) -> None:
            years = row_years(ds.name, {ds.name: part}, year_of)
            for year, rows in by_year(part, years) if years is not None else []:
                if "year" in rows.column_names:
                    rows = rows.drop_columns(["year"])
                if year not in files:
                    files[year] = ParquetParts(self.new / ds.name / f"year={NO_YEAR if year is None else year}"
                                               / "part-0.parquet", schema)
                files[year].add(rows)

        def close() -> None:
            for f in files.values():
                f.close()
        return add, close

    def finish(self) -> None:
        """Swap the new folder in: no reader sees a half-made folder, and no
        partition of an earlier build (a year since removed) is left behind."""
        old = self.folder.with_name(f".{self.folder.name}.old")
        shutil.rmtree(old, ignore_errors=True)
        if self.folder.exists():
            os.replace(self.folder, old)
        os.replace(self.new, self.folder)
        shutil.rmtree(old, ignore_errors=True)


def write_dataset(ds: Dataset, parts, data_dir: Path, partitions: Partitions, documents: pa.Table | None) -> int:
    """A dataset's Parquet, CSV and partitions from its rows in parts; returns its number of rows."""
    schema, rows = arrow_schema(ds), 0
    with atomic_path(data_dir / f"{ds.name}.parquet") as parquet_tmp, atomic_path(data_dir / f"{ds.name}.csv") as csv_tmp:
        parquet, csv = ParquetParts(parquet_tmp, schema), CsvParts(csv_tmp, schema)
        add_partition, close_partitions = partitions.dataset(ds, documents)
        for part in _batches(parts):
            parquet.add(part)
            csv.add(part)
            add_partition(part)
            rows += part.num_rows
        parquet.close()
        csv.close()
        close_partitions()
    return rows


def _batches(parts, rows: int = 65536):
    """Parts joined into tables of about `rows` rows: each part written costs
    ~0.1 ms, and there are 160,000 (16 datasets of 10,000 documents)."""
    batch, n = [], 0
    for part in parts:
        batch.append(part)
        n += part.num_rows
        if n >= rows:
            yield pa.concat_tables(batch)
            batch, n = [], 0
    if batch:
        yield pa.concat_tables(batch)


# The two largest datasets, each written by a process of its own while this
# one writes the others: half the writing time (at 1,000 documents table_cells
# took 4.9 s and checks 2.1 s of the 14.6 s written on one core).
BESIDE = ("table_cells", "checks")


def write_all(datasets, views: dict[str, str], data_dir: Path, progress=print,
              whole_later: bool = False) -> tuple[dict[str, int], Callable[[], None]]:
    """Every dataset in every format from (name, its rows in parts), documents
    first (the other datasets' years are their documents'); each dataset's
    parts are asked for after the one before was written (or, for BESIDE,
    handed to its process), a dataset named in `views` (made from the
    others' files) once every other is written. Returns each dataset's
    number of rows, and a function that waits for the workbook and the
    database: written from the Parquet files by two more processes, waited
    for here unless `whole_later` (`yusuan build`: the site is made
    meanwhile, and waits for them only to publish them)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    partitions = Partitions(data_dir / PARTITIONED)
    counts, documents, beside = {}, None, {}

    def wait_beside() -> None:
        for name, wait in beside.items():
            wait()
            counts[name] = pq.read_metadata(data_dir / f"{name}.parquet").num_rows
        beside.clear()

    for name, parts in datasets:
        if name in views:      # made from the files written: all of them are
            wait_beside()
        if name == "documents":
            documents = pa.concat_tables(list(parts)).combine_chunks()
            parts = [documents]
        if name in BESIDE and documents is not None:
            beside[name] = in_second_process(write_dataset, BY_NAME[name], parts, data_dir, partitions, documents,
                                             what=f"writing {name}")
            continue
        counts[name] = write_dataset(BY_NAME[name], parts, data_dir, partitions, documents)
    wait_beside()
    counts = {d.name: counts[d.name] for d in DATASETS if d.name in counts}
    partitions.finish()
    write_json(datapackage(counts), data_dir / "datapackage.json")
    progress(f"wrote {len(counts)} datasets as Parquet and CSV, partitioned by year ({PARTITIONED}/), "
             f"datapackage.json")
    written = write_whole({d.name: data_dir / f"{d.name}.parquet" for d in DATASETS if d.name in counts},
                          views, data_dir, progress)
    if not whole_later:
        written()
    return counts, written


def write_whole(parquet: dict[str, Path], views: dict[str, str], data_dir: Path, progress) -> Callable[[], None]:
    """Start writing the workbook and the database from the Parquet files,
    each in a process of its own (at 10,000 documents ~9 s each, the
    database as long as the workbook); returns a function that waits for
    both. A process of its own for the database too: the process that
    started them can go on (the site stage) while they are written."""
    xlsx_written = in_second_process(write_xlsx, {name: ParquetTable(path) for name, path in parquet.items()},
                                     data_dir / "yusuan.xlsx", what="writing yusuan.xlsx")
    duckdb_written = in_second_process(write_duckdb, parquet, views, data_dir / "yusuan.duckdb",
                                       what="writing yusuan.duckdb")

    waiting = [duckdb_written, xlsx_written]

    def written() -> None:      # once: later calls return at once
        while waiting:
            waiting.pop(0)()
            if not waiting:
                progress("wrote yusuan.duckdb and yusuan.xlsx")
    return written


class ParquetTable:
    """A dataset's Parquet file, read as far as asked: its number of rows
    from the footer, a column alone, the whole table only to be cut (a
    dataset too long for a workbook's sheet is never read whole for it)."""

    def __init__(self, path: Path):
        self.file = pq.ParquetFile(path)
        self.num_rows = self.file.metadata.num_rows
        self.column_names = self.file.schema_arrow.names

    def column(self, name: str) -> pa.ChunkedArray:
        return self.file.read(columns=[name]).column(0)

    @functools.cached_property
    def table(self) -> pa.Table:
        return self.file.read()

    def slice(self, *args) -> pa.Table:
        return self.table.slice(*args)

    def filter(self, mask) -> pa.Table:
        return self.table.filter(mask)
