"""Table models and their HTML: columns, rows of already formatted cells,
tree depth for 类/款/项 indentation, sort keys for the sortable tables.

The HTML is written here in Python, not in a Jinja macro: tables are most of
a page's cells and the macro took 70 ms per department page."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from markupsafe import Markup, escape

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


_HTML_SPECIAL = re.compile(r"[&<>\"']")


def esc(s: str) -> str:
    """HTML-escaped text (markupsafe's escape, skipped when nothing needs it: 3x faster per cell)."""
    return str(escape(s)) if _HTML_SPECIAL.search(s) else s


def _td(t: Table, row: Row, k: int, cell: Cell) -> str:
    text = esc(cell.text)
    if not (cell.cls or cell.href or row.depth):    # most cells
        return f"<td>{text}</td>"
    attrs = f' class="{esc(cell.cls)}"' if cell.cls else ""
    if t.sortable and cell.sort is not None:
        attrs += f' data-sort="{esc(str(cell.sort))}"'
    indent = f'<span class="ys-indent ys-d{row.depth}"></span>' if k == 1 and row.depth and not t.sortable else ""
    if cell.href:
        text = f'<a href="{escape(cell.href)}">{text}</a>'
    return f"<td{attrs}>{indent}{text}</td>"


def to_html(t: Table) -> Markup:
    """The table as HTML, every text escaped; nothing for an empty table without a note."""
    if not (t.rows or t.note):
        return Markup("")
    out = ['<div class="ys-table-wrap">\n<table class="ys-table', " ys-sortable" if t.sortable else "", '"',
           f' id="{escape(t.id)}"' if t.id else "", ">\n"]
    if t.caption:
        out.append(f"<caption>{escape(t.caption)}</caption>\n")
    heads = "".join(('<th class="num">' if col.num else "<th>") + f"{escape(col.title)}</th>" for col in t.columns)
    out.append(f"<thead><tr>{heads}</tr></thead>\n<tbody>\n")
    for row in t.rows:
        cls = f' class="{escape(row.cls)}"' if row.cls else ""
        out.append(f"<tr{cls}>" + "".join(_td(t, row, k, cell) for k, cell in enumerate(row.cells)) + "</tr>\n")
    out.append("</tbody>\n</table>\n")
    if t.note:
        more = f'<a href="{escape(t.more_href)}">查看全部</a>' if t.more_href else ""
        out.append(f'<p class="ys-note">{escape(t.note)}{more}</p>\n')
    out.append("</div>")
    return Markup("".join(out))
