"""Aggregate stage: the SQL files in sql/ run by DuckDB over the datasets.

Each file is one query, named for the dataset it makes; they run in ORDER so
a later query can read an earlier one's result.
"""
from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa

from .schema import BY_NAME
from .rows import to_arrow

SQL_DIR = Path(__file__).parent / "sql"
ORDER = ["function_class_totals", "function_class_summary", "department_ratios"]


def queries() -> dict[str, str]:
    return {name: (SQL_DIR / f"{name}.sql").read_text(encoding="utf-8") for name in ORDER}


def aggregate(tables: dict[str, pa.Table | Path]) -> dict[str, pa.Table]:
    """The aggregate datasets from the others: tables in memory, or their
    Parquet files (which DuckDB reads as far as each query needs)."""
    con = duckdb.connect()
    try:
        for name, table in tables.items():
            if isinstance(table, Path):
                con.execute(f'CREATE VIEW "{name}" AS SELECT * FROM read_parquet({sql_text(table)})')
            else:
                con.register(name, table)
        out: dict[str, pa.Table] = {}
        for name, sql in queries().items():
            cur = con.execute(sql)
            names = [d[0] for d in cur.description]
            rows = [dict(zip(names, r)) for r in cur.fetchall()]
            out[name] = to_arrow(BY_NAME[name], rows)
            con.register(name, out[name])
        return out
    finally:
        con.close()


def sql_text(path: Path) -> str:
    """A file's path as an SQL string literal."""
    return "'" + str(path).replace("'", "''") + "'"
