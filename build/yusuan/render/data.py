"""Load the data folder written by `yusuan data` for rendering.

Datasets stay Arrow tables, each sorted by doc_id so that one document's rows
are one contiguous slice: a department page (and its downloads) converts only
its own rows to Python, which keeps the site stage fast at thousands of
documents. Rows come out in the same order every time (the files are
deterministic and the sorts are stable)."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from yusuan.schema import DATASETS
from yusuan.terms import LEVELS


class DataFolderError(Exception):
    """The data folder is missing or incomplete."""


@dataclass
class SiteData:
    folder: Path
    arrow: dict[str, pa.Table]
    package: dict = field(default_factory=dict)
    _slices: dict[str, dict[str, tuple[int, int]]] = field(default_factory=dict, repr=False)
    _records: dict[str, list[dict]] = field(default_factory=dict, repr=False)
    _last_doc: str | None = field(default=None, repr=False)
    _last_rows: dict[tuple, list[dict]] = field(default_factory=dict, repr=False)

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
        """One record per disclosure, ordered by level, department, year."""
        order = {lvl: i for i, lvl in enumerate(LEVELS)}
        return sorted(self.records("documents"),
                      key=lambda d: (order.get(d["level"], 99), d["department"] or "", d["year"] or 0, d["doc_id"]))

    def doc_table(self, name: str, doc_id: str) -> pa.Table | None:
        """The Arrow rows of dataset `name` for one document (file order), or None."""
        if name not in self.arrow or "doc_id" not in self.arrow[name].column_names:
            return None
        if name not in self._slices:
            self._slices[name] = _slices(self.arrow[name])
        start, length = self._slices[name].get(doc_id, (0, 0))
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
    """doc_id → (first row, row count) in a table sorted by doc_id."""
    out: dict[str, tuple[int, int]] = {}
    start = 0
    values = table.column("doc_id").to_pylist()
    for i in range(1, len(values) + 1):
        if i == len(values) or values[i] != values[start]:
            out[values[start]] = (start, i - start)
            start = i
    return out


def _sorted_by_doc(table: pa.Table) -> pa.Table:
    if "doc_id" not in table.column_names or table.num_rows < 2:
        return table
    ids = table.column("doc_id")
    if pc.all(pc.greater_equal(ids[1:], ids[:-1])).as_py():   # as `yusuan data` writes most of them
        return table
    # a stable sort: each document's rows keep their file order
    return table.take(pc.sort_indices(table, [("doc_id", "ascending")]))


def load(folder: Path, tables: dict[str, pa.Table] | None = None) -> SiteData:
    """The data folder's datasets; `tables`, when given, are those same
    datasets already in memory (`yusuan build` hands over what it just wrote)."""
    folder = Path(folder)
    if not (folder / "documents.parquet").exists():
        raise DataFolderError(f"{folder}/documents.parquet not found: run `yusuan data` first "
                              f"(or pass --data-dir to the folder it wrote).")
    if tables is None:
        tables = {ds.name: pq.read_table(folder / f"{ds.name}.parquet") for ds in DATASETS
                  if (folder / f"{ds.name}.parquet").exists()}
    tables = {name: _sorted_by_doc(table) for name, table in tables.items()}
    package_path = folder / "datapackage.json"
    package = json.loads(package_path.read_text(encoding="utf-8")) if package_path.exists() else {}
    return SiteData(folder, tables, package)
