"""Store stage: dataset rows → the data folder, typed by the contract in schema.py.

- Each per-document dataset (PARTED) as Parquet partitioned by year (hive
  layout), each year cut into parts by doc_id:
  parquet/NAME/year=YYYY/part-BB.parquet (write_parts). A part is kept by
  the next build while its documents are the same, so adding one document
  rewrites one part per dataset.
- problems and the aggregates (queries over the parts) whole, as NAME.parquet
  and NAME.csv (UTF-8 with BOM), the aggregates partitioned by year too
  (parquet/NAME/year=YYYY/part-0.parquet); datapackage.json.
- The exports (write_exports): every per-document dataset whole as
  NAME.parquet and NAME.csv, the workbook (XLSX) and the database (DuckDB).
  `yusuan data` and `yusuan release-assets` make them; `yusuan build` only
  while the datasets are small (EXPORT_ROWS).

Every file is written to a temporary name beside its target and renamed into
place (an aggregate's partitioned folder is made beside its target and
swapped in), so a reader never sees half a file. Output bytes depend only on
the rows (no timestamps).
"""
from __future__ import annotations

import functools
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from . import aggregate, xlsx
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
# A per-document dataset's rows of a year are cut into parts by a hash of
# the doc_id (parquet/NAME/year=YYYY/part-07.parquet), each part made from
# its documents' parses and kept by the next build unless one of them
# changed: adding a document rewrites one part per dataset, not every file.
# At 10,000 department-years (5 years) a part holds ~125 documents.
BUCKETS = 16
PARTED = tuple(d.name for d in DATASETS if "doc_id" in d.columns and d.name not in aggregate.ORDER)
# The code that writes a part's rows (another version of it: every part is made again)
PART_CODE = hashlib.sha256(b"".join((Path(__file__).parent / name).read_bytes()
                                    for name in ("store.py", "rows.py", "schema.py"))).hexdigest()
DIGEST_KEY = b"yusuan.part"       # in a part's footer: what it was made from (part_digest)
DOCUMENTS_KEY = b"yusuan.documents"   # in a documents part's footer: doc_id → its identity


@functools.cache      # asked once a dataset for each document
def bucket(doc_id: str) -> int:
    return int.from_bytes(hashlib.sha256(doc_id.encode("utf-8")).digest()[:4], "big") % BUCKETS


def year_folder(year: int | None) -> str:
    return f"year={NO_YEAR if year is None else year}"


def part_digest(ds: Dataset, identities: dict[str, str]) -> str:
    """What a part is made from: its dataset, the code and the library that
    write it, and each document's identity (its parse's cache entry, doc_id
    and source file: pipeline.identity)."""
    return hashlib.sha256(json.dumps([PART_CODE, pa.__version__, ds.name, identities],
                                     ensure_ascii=False).encode("utf-8")).hexdigest()


# A part's footer as read, by its path, size and time: `yusuan build` reads
# each part's footer in the data stage, then in the site's (render/data.py),
# ~1,200 footers at 10,000 department-years (0.4 s, under the profiler).
_footers: dict[tuple[str, int, int], tuple[str, int, dict[bytes, bytes]]] = {}


def part_footer(path: Path) -> tuple[str, int, dict[bytes, bytes]] | None:
    """(digest, number of rows, footer metadata) of a part; None if it cannot be read."""
    try:
        st = os.stat(path)
        key = (str(path), st.st_size, st.st_mtime_ns)
        if key not in _footers:
            if len(_footers) > 100_000:     # a long-lived process (the tests): the memo stays bounded
                _footers.clear()
            meta = pq.read_metadata(path)
            kv = meta.metadata or {}
            _footers[key] = (kv.get(DIGEST_KEY, b"").decode(), meta.num_rows, kv)
    except (OSError, pa.ArrowException):
        return None
    return _footers[key]


def part_files(folder: Path, name: str) -> list[Path]:
    """A dataset's part files in the partitioned folder: years ascending (rows
    without a year last), each year's parts by name."""
    def order(path: Path):
        year = path.parent.name.removeprefix("year=")
        return (year == NO_YEAR, int(year) if year.isdigit() else 0, path.name)
    return sorted((folder / name).glob("year=*/part-*.parquet"), key=order)


def write_parts(ds: Dataset, docs, identities: dict[str, str], folder: Path) -> tuple[int, int, int]:
    """A per-document dataset's parts in `folder` (the partitioned folder):
    one per year and bucket of its documents (docs: objects with doc_id,
    year and tables, in doc_id order), each its documents' rows in doc_id
    order, the year in the path and not in the file (hive layout). A part
    whose footer says it was made from the same documents is kept; parts of
    no document any more are removed. Returns (rows, parts written, kept)."""
    schema = arrow_schema(ds)
    if "year" in schema.names:
        schema = schema.remove(schema.get_field_index("year"))
    groups: dict[tuple, list] = {}
    for d in docs:
        groups.setdefault((d.year, bucket(d.doc_id)), []).append(d)
    rows = written = kept = 0
    wanted = set()
    for (year, b), members in groups.items():
        path = folder / ds.name / year_folder(year) / f"part-{b:02d}.parquet"
        wanted.add(path)
        ids = {d.doc_id: identities[d.doc_id] for d in members}
        digest = part_digest(ds, ids)
        footer = part_footer(path)
        if footer and footer[0] == digest:
            rows, kept = rows + footer[1], kept + 1
            continue
        table = pa.concat_tables([d.tables[ds.name] for d in members]).combine_chunks()
        if "year" in table.column_names:
            table = table.drop_columns(["year"])
        meta = {DIGEST_KEY: digest.encode()}
        if ds.name == "documents":
            meta[DOCUMENTS_KEY] = json.dumps(ids, ensure_ascii=False, sort_keys=True).encode("utf-8")
        with atomic_path(path) as tmp:
            pq.write_table(table.cast(schema).replace_schema_metadata(meta), tmp, compression="zstd")
        rows, written = rows + table.num_rows, written + 1
    for stale in set(part_files(folder, ds.name)) - wanted:
        stale.unlink()
        if not any(stale.parent.iterdir()):
            stale.parent.rmdir()
    return rows, written, kept


def part_identities(folder: Path) -> dict[str, str]:
    """doc_id → identity of every document in the partitioned folder, from
    its documents parts' footers ({} when there are none)."""
    out: dict[str, str] = {}
    for path in part_files(folder, "documents"):
        footer = part_footer(path)
        if footer and DOCUMENTS_KEY in footer[2]:
            out.update(json.loads(footer[2][DOCUMENTS_KEY]))
    return out


def read_parts(ds: Dataset, folder: Path, paths: list[Path] | None = None) -> Iterator[pa.Table]:
    """A parted dataset's rows (or those of some of its part files, `paths`)
    a year at a time (years ascending, rows without a year last), in doc_id
    order, with the dataset's own columns (the year back from the path,
    where the dataset has one)."""
    files: dict[str, list[Path]] = {}
    for path in part_files(folder, ds.name) if paths is None else paths:
        files.setdefault(path.parent.name, []).append(path)
    schema = arrow_schema(ds)
    for year_dir, paths in files.items():
        table = pa.concat_tables([pq.read_table(p) for p in paths]).replace_schema_metadata(None)
        table = table.take(pc.sort_indices(table, [("doc_id", "ascending")]))    # stable: a document's rows keep their order
        if "year" in schema.names:
            year = year_dir.removeprefix("year=")
            table = table.add_column(schema.get_field_index("year"), "year",
                                     pa.array([None if year == NO_YEAR else int(year)] * table.num_rows, pa.int64()))
        yield table.cast(schema)


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


def write_json(obj, path: Path, compact: bool = False) -> None:
    """JSON, whole or not at all. compact: for the cache's records, which
    no one reads by eye: indented, json encodes in Python, not C (the
    content index at 10,000 department-years: 2.0 s under the profiler,
    ~0.1 s compact)."""
    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(obj, ensure_ascii=False, separators=(",", ":")) if compact else
                       json.dumps(obj, ensure_ascii=False, indent=2, sort_keys=False) + "\n", encoding="utf-8")


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
    """A dataset written whole every build (an aggregate), partitioned by its
    year column: parquet/NAME/year=YYYY/part-0.parquet, made beside its
    folder and swapped in (no reader sees half a folder, and no year since
    removed is left behind)."""

    def __init__(self, folder: Path, ds: Dataset):
        self.folder, self.new = folder / ds.name, folder / f".{ds.name}.new"
        shutil.rmtree(self.new, ignore_errors=True)
        self.new.mkdir(parents=True)
        schema = arrow_schema(ds)
        self.schema = schema.remove(schema.get_field_index("year"))
        self.files: dict[int | None, ParquetParts] = {}

    def add(self, part: pa.Table) -> None:
        for year, rows in by_year(part, part.column("year").combine_chunks()):
            if year not in self.files:
                self.files[year] = ParquetParts(self.new / year_folder(year) / "part-0.parquet", self.schema)
            self.files[year].add(rows.drop_columns(["year"]))

    def finish(self) -> None:
        for f in self.files.values():
            f.close()
        old = self.folder.with_name(f".{self.folder.name}.old")
        shutil.rmtree(old, ignore_errors=True)
        if self.folder.exists():
            os.replace(self.folder, old)
        os.replace(self.new, self.folder)
        shutil.rmtree(old, ignore_errors=True)


def write_dataset(ds: Dataset, parts, data_dir: Path) -> int:
    """A dataset's Parquet and CSV from its rows in parts, and its partitions
    if it has a year column and is written whole every build (an aggregate);
    returns its number of rows."""
    schema, rows = arrow_schema(ds), 0
    partitions = Partitions(data_dir / PARTITIONED, ds) if "year" in ds.columns and ds.name not in PARTED else None
    with atomic_path(data_dir / f"{ds.name}.parquet") as parquet_tmp, atomic_path(data_dir / f"{ds.name}.csv") as csv_tmp:
        parquet, csv = ParquetParts(parquet_tmp, schema), CsvParts(csv_tmp, schema)
        for part in _batches(parts):
            parquet.add(part)
            csv.add(part)
            if partitions:
                partitions.add(part)
            rows += part.num_rows
        parquet.close()
        csv.close()
    if partitions:
        partitions.finish()
    return rows


def _batches(parts, rows: int = 65536):
    """Parts joined into tables of about `rows` rows (each part written costs ~0.1 ms)."""
    batch, n = [], 0
    for part in parts:
        batch.append(part)
        n += part.num_rows
        if n >= rows:
            yield pa.concat_tables(batch)
            batch, n = [], 0
    if batch:
        yield pa.concat_tables(batch)


# The two largest datasets, written by a process of their own while this one
# writes the others (at 1,000 documents table_cells took 4.9 s and checks
# 2.1 s of the 14.6 s written on one core).
BESIDE = ("table_cells", "checks")
# The whole files of the per-document datasets (NAME.parquet, NAME.csv), the
# workbook and the database (the exports) are made by `yusuan build` only
# while those datasets hold at most this many rows together: about what a
# workbook of 20 MB holds, the most the site publishes (catalog.on_site;
# measured: 57 bytes a row for the 28 real documents of tests/real, 17.5
# at 10,000 synthetic department-years). Beyond, every build would rewrite
# what the site does not publish (at 10,000 department-years 36 s of an
# 88 s build that added one file): `yusuan release-assets` makes them for
# the release, and `yusuan data` always does.
EXPORT_ROWS = 400_000
EXPORTS = ["yusuan.xlsx", "yusuan.duckdb"]


def _write_parts_of(names, docs, identities: dict[str, str], folder: Path, progress) -> dict[str, int]:
    counts = {}
    for name in names:
        counts[name], written, kept = write_parts(BY_NAME[name], docs, identities, folder)
        if written:
            progress(f"{name}: {written} of {written + kept} parts written")
    return counts


def write_all(docs, identities: dict[str, str], problems: pa.Table, views: dict[str, str], data_dir: Path,
              progress=print, exports: bool | None = True, whole_later: bool = False
              ) -> tuple[dict[str, int], Callable[[], None] | None]:
    """The data folder: each per-document dataset as its parts (write_parts;
    docs in doc_id order), problems and the aggregates whole (the aggregates
    are queries over the parts: `views`), datapackage.json; then the exports
    (write_exports) if `exports`, or None and the datasets are small
    (EXPORT_ROWS), else none (any of an earlier build removed). Returns each
    dataset's number of rows, and a function that waits for the workbook and
    the database (None: no exports): waited for here unless `whole_later`
    (`yusuan build`: the site is made meanwhile, and waits for them only to
    publish them)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    folder = data_dir / PARTITIONED
    here = [n for n in PARTED if n not in BESIDE]
    beside = in_second_process(_write_parts_of, BESIDE, docs, identities, folder, progress,
                               what="writing " + " and ".join(BESIDE))
    counts = _write_parts_of(here, docs, identities, folder, progress)
    beside()
    for name in BESIDE:
        counts[name] = sum(part_footer(p)[1] for p in part_files(folder, name))
    counts["problems"] = write_dataset(BY_NAME["problems"], [problems], data_dir)
    made = aggregate.aggregate({name: folder / name for name in PARTED})
    for name in aggregate.ORDER:
        counts[name] = write_dataset(BY_NAME[name], [made[name]], data_dir)
    counts = {d.name: counts[d.name] for d in DATASETS if d.name in counts}
    write_json(datapackage(counts), data_dir / "datapackage.json")
    progress(f"wrote {len(PARTED)} datasets as Parquet parts by year ({PARTITIONED}/), "
             f"{len(DATASETS) - len(PARTED)} whole, datapackage.json")
    if exports is None:
        exports = sum(counts[name] for name in PARTED) <= EXPORT_ROWS
    if not exports:
        for name in [*(f"{n}.{ext}" for n in PARTED for ext in ("parquet", "csv")), *EXPORTS]:
            (data_dir / name).unlink(missing_ok=True)
        return counts, None
    return counts, write_exports(data_dir, views, progress, whole_later)


def write_exports(data_dir: Path, views: dict[str, str], progress=print, later: bool = False) -> Callable[[], None]:
    """The whole files of the per-document datasets (NAME.parquet, NAME.csv,
    in doc_id order, from their parts), then the workbook and the database
    (write_whole; waited for unless `later`: the returned function waits)."""
    for name in PARTED:
        write_dataset(BY_NAME[name], read_parts(BY_NAME[name], data_dir / PARTITIONED), data_dir)
    progress(f"wrote {len(PARTED)} datasets whole, as Parquet and CSV")
    written = write_whole({d.name: data_dir / f"{d.name}.parquet" for d in DATASETS}, views, data_dir, progress)
    if not later:
        written()
    return written


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
