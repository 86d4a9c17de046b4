"""Load the data folder written by `yusuan data` for rendering.

Datasets stay Arrow tables, each sorted by doc_id so that one document's rows
are one contiguous slice: a department page (and its downloads) converts only
its own rows to Python, which keeps the site stage fast at thousands of
documents. Rows come out in the same order every time (the files are
deterministic and the sorts are stable).

The datasets of every document's rows are not held in memory: each part
of them (store.write_parts) is copied into an uncompressed Arrow IPC file,
kept in the cache by what the part was made from (so a build reads only the
parts the data stage wrote), and memory-mapped; a document's rows are one
slice of its part. At 10,000 department-years they are 3.3 GB in
Arrow (table_cells 1.4 GB, checks 1.0 GB): loaded, they made the site stage
4.4 GB resident before a page was made, in the main process and again in
each forked worker's count; mapped, a page reads only its own rows, from
the page cache, which the kernel shares between the workers and can drop."""
from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from yusuan.schema import DATASETS
from yusuan.store import PARTED, PARTITIONED, atomic_path, part_files, part_footer, part_identities, read_parts
from yusuan.terms import LEVELS


class DataFolderError(Exception):
    """The data folder is missing or incomplete."""


@dataclass
class SiteData:
    folder: Path
    arrow: dict[str, pa.Table]
    package: dict = field(default_factory=dict)
    mapped: dict[str, Path] = field(default_factory=dict)     # name → the Arrow file a dataset is mapped from
    identities: dict[str, str] = field(default_factory=dict)  # doc_id → what its rows are made from (store.part_identities)
    _slices: dict[str, dict[str, tuple[int, int]]] = field(default_factory=dict, repr=False)
    _records: dict[str, list[dict]] = field(default_factory=dict, repr=False)
    _last_doc: str | None = field(default=None, repr=False)
    _last_rows: dict[tuple, list[dict]] = field(default_factory=dict, repr=False)
    _documents: list[dict] | None = field(default=None, repr=False)

    def records(self, name: str) -> list[dict]:
        """Every row of a dataset as dicts (for the small, site-wide datasets)."""
        if name not in self._records:
            self._records[name] = self.arrow[name].to_pylist() if name in self.arrow else []
        return self._records[name]

    def where(self, name: str, column: str, value) -> list[dict]:
        """Rows of a dataset whose `column` equals `value`."""
        if name not in self.arrow:
            return []
        table = self.arrow[name]
        return table.filter(pc.equal(table[column], value)).to_pylist()

    def count(self, name: str) -> int:
        return self.arrow[name].num_rows if name in self.arrow else 0

    @property
    def documents(self) -> list[dict]:
        """One record per disclosure, ordered by level, department, year (sorted
        once: a build asks ~20 times, 0.6 s under the profiler at 10,000)."""
        if self._documents is None:
            order = {lvl: i for i, lvl in enumerate(LEVELS)}
            self._documents = sorted(self.records("documents"), key=lambda d: (
                order.get(d["level"], 99), d["department"] or "", d["year"] or 0, d["doc_id"]))
        return list(self._documents)

    def slices(self, name: str) -> dict[str, tuple[int, int]]:
        """doc_id → (first row, row count) of its rows in dataset `name` (one with a doc_id column)."""
        if name not in self._slices:
            self._slices[name] = _slices(self.arrow[name])
        return self._slices[name]

    def batches(self, name: str) -> Iterator[pa.RecordBatch]:
        """A dataset's record batches, in order. A mapped one's are read from
        its file into memory one at a time, not through the map: a pass over
        every row (fingerprint.row_digests) would otherwise leave the whole
        file in the process's resident set (3.3 GB at 10,000 documents)."""
        if name not in self.mapped:
            yield from self.arrow[name].to_batches()
            return
        with pa.OSFile(str(self.mapped[name])) as f:
            reader = pa.ipc.open_file(f)
            for k in range(reader.num_record_batches):
                yield reader.get_batch(k)

    def doc_table(self, name: str, doc_id: str) -> pa.Table | None:
        """The Arrow rows of dataset `name` for one document (file order), or None."""
        if name not in self.arrow or "doc_id" not in self.arrow[name].column_names:
            return None
        start, length = self.slices(name).get(doc_id, (0, 0))
        return self.arrow[name].slice(start, length)

    def for_doc(self, name: str, doc_id: str, **where) -> list[dict]:
        """Rows of dataset `name` belonging to one document, in source order
        (by source line; rows without one last; ties in file order), those
        whose columns equal `where` if given. The last document's rows are
        kept: a page asks for them more than once."""
        key = (name, *sorted(where.items()))
        if self._last_doc != doc_id:
            self._last_doc, self._last_rows = doc_id, {}
        if key not in self._last_rows:
            self._last_rows[key] = self._for_doc(name, doc_id, where)
        return self._last_rows[key]

    def _for_doc(self, name: str, doc_id: str, where: dict) -> list[dict]:
        table = self.doc_table(name, doc_id)
        if table is None or not table.num_rows:
            return []
        for column, value in where.items():   # filtered in Arrow: only the rows asked for become dicts
            table = table.filter(pc.equal(table[column], value))
        rows = table.to_pylist()
        if "source_line" in table.column_names:
            rows.sort(key=lambda r: 10**9 if r["source_line"] is None else r["source_line"])
        return rows


def _slices(table: pa.Table) -> dict[str, tuple[int, int]]:
    """doc_id → (first row, row count) in a table sorted by doc_id: from the
    runs of equal ids, chunk by chunk (a mapped table's millions of ids are
    never made Python strings); a run across two chunks is one slice."""
    out: dict[str, tuple[int, int]] = {}
    at = 0
    for chunk in table.column("doc_id").chunks:
        if not len(chunk):
            continue
        runs = pc.run_end_encode(chunk)
        start = 0
        for doc_id, end in zip(runs.values.to_pylist(), runs.run_ends.to_pylist()):
            first, n = out.get(doc_id, (at + start, 0))
            out[doc_id] = (first, n + end - start)
            start = end
        at += len(chunk)
    return out


def _sorted_by_doc(table: pa.Table) -> pa.Table:
    if "doc_id" not in table.column_names or table.num_rows < 2:
        return table
    if _is_sorted(table.column("doc_id")):   # as `yusuan data` writes most of them
        return table
    # a stable sort: each document's rows keep their file order
    return table.take(pc.sort_indices(table, [("doc_id", "ascending")]))


def _is_sorted(ids: pa.ChunkedArray) -> bool:
    return ids.length() < 2 or pc.all(pc.greater_equal(ids[1:], ids[:-1])).as_py()


def _mapped(source: Path, target: Path) -> pa.Table:
    """The Parquet file's rows, sorted by doc_id, as a memory-mapped Arrow
    IPC file at `target` (written a batch at a time: as `yusuan data` writes
    them, the rows are sorted already; a file that is not is sorted in memory)."""
    parquet = pq.ParquetFile(source)
    with pa.OSFile(str(target), "wb") as sink, pa.ipc.new_file(sink, parquet.schema_arrow) as writer:
        for batch in parquet.iter_batches(batch_size=65_536):
            writer.write_batch(batch)
    table = pa.ipc.open_file(pa.memory_map(str(target))).read_all()
    if _is_sorted(table.column("doc_id")):
        return table
    sorted_table = _sorted_by_doc(pq.read_table(source))
    with pa.OSFile(str(target), "wb") as sink, pa.ipc.new_file(sink, sorted_table.schema) as writer:
        writer.write_table(sorted_table)
    return pa.ipc.open_file(pa.memory_map(str(target))).read_all()


def _from_parts(ds, files: list[Path], arrow_dir: Path | None, used: set[Path]) -> pa.Table:
    """A parted dataset (store.write_parts) as one table: each part's rows,
    with the dataset's own columns (the year back from the path), as an
    uncompressed Arrow file in `arrow_dir`, memory-mapped, named by what the
    part was made from (its footer's digest): kept between builds, a part
    the data stage kept is not read again (at 10,000 department-years,
    copying every dataset into Arrow took 6.4 s of every build). Without
    `arrow_dir`, read into memory. A document's rows are together, in one part."""
    tables = []
    for path in files:
        if arrow_dir is None:
            tables.append(_part_rows(ds, path))
            continue
        footer = part_footer(path)
        made = footer[0] if footer and footer[0] else hashlib.sha256(path.read_bytes()).hexdigest()
        name = hashlib.sha256(f"{ARROW_FORMAT}{path.parent.name}{made}".encode()).hexdigest()[:32]
        target = arrow_dir / ds.name / f"{name}.arrow"
        used.add(target)
        if not target.exists():
            table = _part_rows(ds, path)
            with atomic_path(target) as tmp, pa.OSFile(str(tmp), "wb") as sink, \
                    pa.ipc.new_file(sink, table.schema) as writer:
                writer.write_table(table)
        tables.append(pa.ipc.open_file(pa.memory_map(str(target))).read_all())
    return pa.concat_tables(tables)


def _part_rows(ds, path: Path) -> pa.Table:
    """A part's rows with the dataset's own columns (path: parquet/NAME/year=…/part-….parquet)."""
    (rows,) = read_parts(ds, path.parent.parent.parent, [path])
    return rows


ARROW_FORMAT = "1"


def load(folder: Path, scratch: Path | None = None, arrow_dir: Path | None = None) -> SiteData:
    """The data folder's datasets. A dataset in parts (the per-document
    ones) is read from its parts, memory-mapped from Arrow files kept in
    `arrow_dir` (those of parts no longer there are removed); one written
    whole is read from its Parquet file, memory-mapped from an Arrow file
    written in `scratch` if given and it has a doc_id column (kept for as
    long as the SiteData is used), else read into memory."""
    folder = Path(folder)
    if not (folder / "datapackage.json").exists():
        raise DataFolderError(f"{folder}/datapackage.json not found: run `yusuan data` first "
                              f"(or pass --data-dir to the folder it wrote).")
    tables, mapped, used = {}, {}, set()
    parts = folder / PARTITIONED
    for ds in DATASETS:
        files = part_files(parts, ds.name) if ds.name in PARTED else []
        path = folder / f"{ds.name}.parquet"
        if files:
            tables[ds.name] = _from_parts(ds, files, arrow_dir or scratch, used)
        elif not path.exists():
            continue
        elif scratch is not None and "doc_id" in ds.columns:
            mapped[ds.name] = Path(scratch) / f"{ds.name}.arrow"
            tables[ds.name] = _mapped(path, mapped[ds.name])
        else:
            tables[ds.name] = _sorted_by_doc(pq.read_table(path))
    if arrow_dir is not None and arrow_dir.is_dir():
        for stale in set(arrow_dir.glob("*/*.arrow")) - used:
            stale.unlink()
    package_path = folder / "datapackage.json"
    package = json.loads(package_path.read_text(encoding="utf-8")) if package_path.exists() else {}
    return SiteData(folder, tables, package, mapped, identities=part_identities(parts))
