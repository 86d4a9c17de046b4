"""Load the data folder written by `yusuan data` for rendering: every dataset
of the contract as plain records (dicts, missing values as None), sorted so
that pages come out the same every time."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from yusuan.schema import DATASETS


class DataFolderError(Exception):
    """The data folder is missing or incomplete."""


def _records(df: pd.DataFrame) -> list[dict]:
    df = df.astype(object).where(df.notna(), None)
    return df.to_dict("records")


@dataclass
class SiteData:
    folder: Path
    tables: dict[str, list[dict]]
    package: dict = field(default_factory=dict)
    _by_doc: dict[str, dict[str, list[dict]]] = field(default_factory=dict, repr=False)

    @property
    def documents(self) -> list[dict]:
        """One record per disclosure, ordered by level, department, year."""
        from yusuan.terms import LEVELS
        order = {lvl: i for i, lvl in enumerate(LEVELS)}
        return sorted(self.tables["documents"],
                      key=lambda d: (order.get(d["level"], 99), d["department"] or "", d["year"] or 0, d["doc_id"]))

    def for_doc(self, name: str, doc_id: str) -> list[dict]:
        """Rows of dataset `name` belonging to one document, in source order."""
        if name not in self._by_doc:
            grouped: dict[str, list[dict]] = {}
            for r in self.tables.get(name, []):
                grouped.setdefault(r.get("doc_id"), []).append(r)
            for rows in grouped.values():
                rows.sort(key=_source_order)
            self._by_doc[name] = grouped
        return self._by_doc[name].get(doc_id, [])


def _source_order(r: dict):
    line = r.get("source_line")
    return (line if line is not None else 10**9, json.dumps(r, sort_keys=True, default=str, ensure_ascii=False))


def load(folder: Path) -> SiteData:
    folder = Path(folder)
    if not (folder / "documents.parquet").exists():
        raise DataFolderError(f"{folder}/documents.parquet not found: run `yusuan data` first "
                              f"(or pass --data-dir to the folder it wrote).")
    tables = {}
    for ds in DATASETS:
        path = folder / f"{ds.name}.parquet"
        tables[ds.name] = _records(pd.read_parquet(path)) if path.exists() else []
    package_path = folder / "datapackage.json"
    package = json.loads(package_path.read_text(encoding="utf-8")) if package_path.exists() else {}
    return SiteData(folder, tables, package)
