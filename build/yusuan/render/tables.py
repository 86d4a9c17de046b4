"""Table models for the `_table.html` partial: columns, rows of already
formatted cells, tree depth for 类/款/项 indentation, sort keys for the
sortable tables."""
from __future__ import annotations

from dataclasses import dataclass, field

from yusuan.render import fmt


@dataclass
class Col:
    title: str
    num: bool = False          # right-aligned, tabular figures


@dataclass
class Cell:
    text: str
    href: str | None = None
    cls: str = ""
    sort: object = None        # raw value for sortable tables


@dataclass
class Row:
    cells: list[Cell]
    depth: int = 0             # 0 类, 1 款, 2 项: indentation
    cls: str = ""


@dataclass
class Table:
    columns: list[Col]
    rows: list[Row] = field(default_factory=list)
    caption: str = ""
    note: str = ""             # shown under the table (e.g. "前 50 行，完整数据见下载")
    sortable: bool = False
    id: str = ""
    more_href: str = ""        # a page listing every row, when this one shows only some
    full: "Table | None" = None

    def __bool__(self) -> bool:
        return bool(self.rows)


def c(text, **kw) -> Cell:
    return Cell(fmt.text(text), **kw)


def m(x) -> Cell:
    """An amount cell."""
    return Cell(fmt.money(x), cls="num", sort=None if fmt.is_missing(x) else float(x))


def p(x) -> Cell:
    return Cell(fmt.pct(x), cls="num", sort=None if fmt.is_missing(x) else float(x))


def i(x) -> Cell:
    return Cell(fmt.integer(x), cls="num", sort=None if fmt.is_missing(x) else int(x))


def y(x) -> Cell:
    """A year: no thousands separator."""
    return Cell(fmt.text(x), cls="num", sort=None if fmt.is_missing(x) else int(x))


DEPTH = {"类": 0, "款": 1, "项": 2}


def tree_depth(code: str | None, level: str | None = None) -> int:
    if level in DEPTH:
        return DEPTH[level]
    return {3: 0, 5: 1, 7: 2}.get(len(code or ""), 0)


def capped(table: Table, limit: int, page: str) -> Table:
    """Keep the first `limit` rows on the page; the full table goes to the
    sub-page `page/` (see department.Subpage)."""
    if len(table.rows) > limit:
        n = len(table.rows)
        table.full = Table(table.columns, list(table.rows), table.caption)
        table.rows = table.rows[:limit]
        table.more_href = f"{page}/"
        table.note = f"共 {n:,} 行，此处列出前 {limit} 行。"
    return table
