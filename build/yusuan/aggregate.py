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
    """The aggregate datasets from the others: tables in memory, their
    Parquet files, or their folders of parts by year (store.write_parts),
    which DuckDB reads as far as each query needs."""
    con = duckdb.connect()
    try:
        for name, table in tables.items():
            if isinstance(table, Path) and table.is_dir() and any(table.glob("year=*/*.parquet")):
                # the hive layout: the year is in the path (null for __HIVE_DEFAULT_PARTITION__)
                columns = ", ".join("CAST(year AS BIGINT) AS year" if c == "year" else f'"{c}"'
                                    for c in BY_NAME[name].columns)
                con.execute(f'CREATE VIEW "{name}" AS SELECT {columns} FROM read_parquet('
                            f'{sql_text(table / "year=*" / "*.parquet")}, hive_partitioning = true)')
            elif isinstance(table, Path) and table.suffix == ".parquet":
                con.execute(f'CREATE VIEW "{name}" AS SELECT * FROM read_parquet({sql_text(table)})')
            else:    # no rows (a folder without parts)
                con.register(name, table if isinstance(table, pa.Table) else to_arrow(BY_NAME[name], []))
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
