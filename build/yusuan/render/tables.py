"""Table models and their HTML: columns, rows of already formatted cells,
tree depth for 类/款/项 indentation, sort keys for the sortable tables.

The HTML is written here in Python, not in a Jinja macro: tables are most of
a page's cells and the macro took 70 ms per department page."""
from __future__ import annotations

import gzip
import json
import re
from dataclasses import dataclass, field, replace
from itertools import chain
from operator import attrgetter

from markupsafe import Markup, escape

from yusuan.render import fmt
from yusuan.schema import CODE_LEVELS


@dataclass
class Col:
    title: str
    num: bool = False          # right-aligned, tabular figures


@dataclass(slots=True)   # a page makes thousands of cells and rows
class Cell:
    text: str
    href: str | tuple | None = None   # a link, or ((text, href), …): several links in one cell
    cls: str = ""
    sort: object = None        # raw value for sortable tables


@dataclass(slots=True)
class Row:
    cells: list[Cell]
    depth: int = 0             # 0 类, 1 款, 2 项: indentation
    cls: str = ""
    id: str = ""               # an anchor (a document's row in the compare table)


@dataclass
class Table:
    columns: list[Col]
    rows: list[Row] = field(default_factory=list)
    caption: str = ""
    note: str = ""             # shown under the table (e.g. "前 50 行，完整数据见下载")
    sortable: bool = False
    id: str = ""
    more_href: str = ""        # where on the page the table's every row is listed, when this one shows only some
    full: "Table | None" = None        # every row, when the HTML shows only some (for the search index)
    searchable: bool = True    # False: kept out of the search index (lists of every document)
    # Put before every link in a cell: a department's tables link their
    # source lines as "#L12" under "../../sources/<doc_id>/" (linked by
    # site.js: see _lines_unlinked).
    href_base: str = ""
    filters: str = ""          # columns the reader can filter by (site.js), as "year:2,kind:3"
    rows_file: str = ""        # a long table or a list of every document: its rows in this file (rows_data), a page at a time
    rows_name: str = ""        # … under this name in the file ({name: rows_data}), when the file holds several tables
    total: int = 0             # … how many there are (the HTML holds the first PAGE_ROWS)
    page_rows: int = 0         # … shown a page at a time (0: PAGE_ROWS)
    unit: tuple[str, str] = ("份", "文件")   # … what a row is, counted: 3 份文件, 3 个部门
    cls: str = ""              # more classes of the <table> (ys-tree: headers wrap)

    def __bool__(self) -> bool:
        return bool(self.rows or self.total)     # its rows in the HTML, or in its rows file


def c(text, href: str | None = None, cls: str = "") -> Cell:
    return Cell(text if text.__class__ is str else fmt.text(text), href, cls)


# The cell makers below pass Cell's fields by position: keywords cost a
# measurable share of a department page's ~5,000 cells.

def m(x) -> Cell:
    """An amount cell."""
    if x is None or x != x:
        return Cell(fmt.DASH, None, "num")
    return Cell(fmt.money(x), None, "num", float(x))


def p(x) -> Cell:
    return Cell(fmt.pct(x), None, "num", None if fmt.is_missing(x) else float(x))


def i(x) -> Cell:
    return Cell(fmt.integer(x), None, "num", None if fmt.is_missing(x) else int(x))


def y(x) -> Cell:
    """A year: no thousands separator."""
    return Cell(fmt.text(x), None, "num", None if fmt.is_missing(x) else int(x))


DEPTH = {level: depth for depth, level in enumerate(CODE_LEVELS)}   # 类 0, 款 1, 项 2


def tree_depth(code: str | None, level: str | None = None) -> int:
    if level in DEPTH:
        return DEPTH[level]
    return {3: 0, 5: 1, 7: 2}.get(len(code or ""), 0)


def without_empty_columns(table: Table, keep: int = 1) -> Table:
    """The table without the columns (after the first `keep`) that are empty
    or a dash in every row: a year-over-year table whose document states no
    rates has no rate column."""
    if not table.rows:
        return table
    empty = [k for k in range(keep, len(table.columns))
             if all(not row.cells[k].href and row.cells[k].text in ("", fmt.DASH) for row in table.rows)]
    if empty:
        gone = set(empty)
        table.columns = [col for k, col in enumerate(table.columns) if k not in gone]
        for row in table.rows:
            row.cells = [cell for k, cell in enumerate(row.cells) if k not in gone]
    return table


_HTML_SPECIAL = re.compile(r"[&<>\"']")


def esc(s: str) -> str:
    """HTML-escaped text (markupsafe's escape, skipped when nothing needs it: 3x faster per cell)."""
    return str(escape(s)) if _HTML_SPECIAL.search(s) else s


def _class(cls: str) -> str:
    """' class="…"' (or nothing), kept per class name: a table repeats a few."""
    attr = _CLASS_ATTRS.get(cls)
    if attr is None:
        attr = _CLASS_ATTRS[cls] = f' class="{esc(cls)}"' if cls else ""
    return attr


_CLASS_ATTRS: dict[str, str] = {}


# A column whose every cell is an amount (num) or a source line (ln) says so
# once, as a class of its table ("n3": the third column; "l6"), instead of
# on each cell: site.css aligns the column by position and site.js gives
# the cells their class back. ~7 KB of a document page's ~60 KB.
COLUMN_CLASSES = {"num": "n", "ln": "l"}
SAID_COLUMNS = 20      # site.css has rules for the first 20 columns; a cell further right keeps its class


def column_classes(t: Table) -> list[str]:
    """Each column's class said by the table ("num", "ln" or "")."""
    out = []
    for k in range(len(t.columns)):
        found = ""
        for cls in COLUMN_CLASSES:
            if t.rows and k < SAID_COLUMNS and all(cls in row.cells[k].cls.split() for row in t.rows):
                found = cls
                break
        out.append(found)
    return out


def _own(cls: str, column: str) -> str:
    """A cell's class as written on it: nothing when its column's says it."""
    return "" if cls == column else cls


def _row_class(t: Table, row: Row) -> str:
    """The row's class, with i1/i2 for an indented row (site.css indents its second cell)."""
    if row.depth and not t.sortable:
        return f"{row.cls} i{row.depth}" if row.cls else f"i{row.depth}"
    return row.cls


def _td(t: Table, row: Row, k: int, cell: Cell, column: str) -> str:
    attrs = _class(_own(cell.cls, column))
    if t.sortable and cell.sort is not None:
        attrs += f' data-sort="{esc(str(cell.sort))}"'
    text = esc(cell.text)
    if cell.href:
        text = _links(t, cell, text)
    return f"<td{attrs}>{text}</td>"


_CELLS, _TEXT, _CLS, _HREF = attrgetter("cells"), attrgetter("text"), attrgetter("cls"), attrgetter("href")


def _trs(t: Table, columns: list[str]) -> list[str]:
    """The rows' HTML. Most tables (no sort keys or row anchors) take the
    fast path: their texts checked for characters to escape all at once, each
    row %-formatted into the HTML of its shape (row class, depth, cell
    classes), made once per shape: ~30% fewer instructions than a string per
    cell. A link is made inside its cell's text."""
    if t.sortable or any(row.id for row in t.rows):
        return [_tr(t, row, columns) for row in t.rows]
    cells = list(chain.from_iterable(map(_CELLS, t.rows)))
    escaped = bool(_HTML_SPECIAL.search("".join(map(_TEXT, cells))))
    linked = any(map(_HREF, cells))
    return [_plain_tr(t, row, escaped, linked, columns) for row in t.rows]


def _tr(t: Table, row: Row, columns: list[str]) -> str:
    tds = "".join([_td(t, row, k, cell, columns[k]) for k, cell in enumerate(row.cells)])
    anchor = f' id="{esc(row.id)}"' if row.id else ""
    return f"<tr{anchor}{_class(_row_class(t, row))}>{tds}</tr>\n"


def _lines_unlinked(t: Table, cell: Cell) -> bool:
    """A source-line cell of a table under a source page: its numbers stay
    text in the HTML, the table names the source page once (data-src) and
    site.js links each number to its line. ~80 bytes a row of a document's
    page (a sixth of it: "../../sources/<doc_id>/#L123" on every row); a
    reader without JavaScript loses nothing, the source page needs it to
    show its lines."""
    if cell.cls != "ln" or not t.href_base:
        return False
    return all(h.startswith("#L") for h in _hrefs(cell))


_FIRST_NUMBER = re.compile(r"\d+")


def _line_hrefs(text: str) -> list[str | None]:
    """The links site.js makes of a line cell's text ("35–37, 40": #L35, #L40; a part without a number: None)."""
    return [f"#L{m[0]}" if m else None for m in map(_FIRST_NUMBER.match, text.split(", "))]


def _hrefs(cell: Cell) -> list[str]:
    return [h for _, h in cell.href] if cell.href.__class__ is tuple else [cell.href]


def _links(t: Table, cell: Cell, text: str) -> str:
    """A cell's escaped text as its link(s)."""
    if _lines_unlinked(t, cell):
        return text
    if cell.href.__class__ is tuple:
        return ", ".join(f'<a href="{esc(t.href_base + h)}">{esc(s)}</a>' for s, h in cell.href)
    return f'<a href="{esc(t.href_base + cell.href)}">{text}</a>'


def _plain_tr(t: Table, row: Row, escaped: bool, linked: bool, columns: list[str]) -> str:
    """A row without sort keys; `escaped`: some text of the table needs
    escaping; `linked`: some cell of the table has a link; `columns`: the
    classes the table says for its columns (column_classes)."""
    cells = row.cells
    texts = tuple(map(esc, map(_TEXT, cells))) if escaped else tuple(map(_TEXT, cells))
    if linked:
        texts = tuple(_links(t, cell, text) if cell.href else text for cell, text in zip(cells, texts))
    shape = (_row_class(t, row), *map(_own, map(_CLS, cells), columns))
    form = _ROW_FORMS.get(shape)
    if form is None:
        form = _ROW_FORMS[shape] = _row_form(shape)
    return form % texts


def _row_form(shape: tuple) -> str:
    """'<tr…><td…>%s</td>…</tr>' for a row of this shape, as _td writes it."""
    def attr(cls: str) -> str:
        return _class(cls).replace("%", "%%")
    row_cls, *cell_classes = shape
    tds = "".join(f"<td{attr(cls)}>%s</td>" for cls in cell_classes)
    return f"<tr{attr(row_cls)}>{tds}</tr>\n"


_ROW_FORMS: dict[tuple, str] = {}


# A list of every document (compare, transparency, sources) holds the first
# PAGE_ROWS rows in its HTML, for a reader without JavaScript; site.js reads
# every row from the table's rows file and filters, sorts and pages them.
# At 10,000 documents the compare table was ~8 MB of HTML.
PAGE_ROWS = 100


def rows_data(t: Table) -> dict:
    """The rows of a table, compact, for site.js (a list of every document, a
    document's every check): each column's usual class once, the links'
    common start (href_base) once; a row as [id, cell, …] ([[id, class],
    cell, …] for a row with a class, e.g. a project not made public, or
    indented: i1, i2); a cell as its
    text, or [text, sort key, link, class] (trailing nulls left off, the
    class null when the column's usual one, the sort key only in a sortable
    table); a cell of several links has [[text, link], …] for its link.
    A source-line cell has no link when site.js can make it from the
    numbers (see _lines_unlinked). Texts are plain (site.js sets them as
    text, never as HTML)."""
    usual = []
    for k in range(len(t.columns)):
        counts: dict[str, int] = {}
        for row in t.rows:
            counts[row.cells[k].cls] = counts.get(row.cells[k].cls, 0) + 1
        usual.append(max(sorted(counts), key=counts.get) if counts else "")
    rows = []
    for row in t.rows:
        cls = _row_class(t, row)       # an indented row's i1/i2 too
        out = [[row.id, cls] if cls else row.id]
        for k, cell in enumerate(row.cells):
            sort = None if not t.sortable or cell.sort == cell.text else cell.sort   # a name sorted as written
            href = [list(h) for h in cell.href] if cell.href.__class__ is tuple else cell.href
            if href and _lines_unlinked(t, cell) and _line_hrefs(cell.text) == _hrefs(cell):
                href = None          # site.js links the numbers of a line cell as linkLines does: a sixth of the bytes
            parts = [cell.text, sort, href, None if cell.cls == usual[k] else cell.cls]
            while len(parts) > 1 and parts[-1] is None:
                parts.pop()
            out.append(parts[0] if len(parts) == 1 else parts)
        rows.append(out)
    return {"base": t.href_base, "classes": usual, "rows": rows}


def json_text(obj) -> str:
    """JSON that is safe anywhere, even inside <script>: < > & as \\u escapes, sorted keys."""
    s = json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    return s.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def gzip_json(obj) -> bytes:
    """json_text gzip-compressed, with a fixed time stamp (the same rows, the
    same bytes). Level 6, not 9: on a document's data.json.gz 4.6 ms instead
    of 9.5 ms for 0.5% more bytes (level 9 was a quarter of a department
    page's CPU)."""
    return gzip.compress(json_text(obj).encode("utf-8"), compresslevel=6, mtime=0)


def first_page(t: Table, rows_file: str) -> Table:
    """The table as its HTML shows it: the first PAGE_ROWS rows, naming the file of all of them."""
    shown = replace(t, rows=t.rows[:PAGE_ROWS], rows_file=rows_file, total=len(t.rows))
    if len(t.rows) > PAGE_ROWS:
        each, noun = t.unit
        shown.note = (f"共 {len(t.rows):,} {each}{noun}，此处列出前 {PAGE_ROWS} {each}；浏览器运行 JavaScript 时可筛选、排序并翻页查看全部"
                      + ("（全部数字也在“数据”页的 documents 与 department_ratios 数据集中）。" if noun == "文件" else "。"))
    return shown


# A page's long and detail tables, every row, in one file beside it (one
# fetch; gzip shares their words): {table name: rows_data}.
ROWS_FILE = "rows.json.gz"


def rows_file(rows: dict[str, dict]) -> dict[str, bytes]:
    """{ROWS_FILE: its bytes} for a page's tables' rows (paged), or nothing when it has none."""
    return {ROWS_FILE: gzip_json(rows)} if rows else {}


def paged(table: Table, rows_file: str, name: str, shown: int, page_rows: int, note: str,
          **more) -> tuple[Table, dict]:
    """A long table as its page's HTML shows it (its first `shown` rows, the
    note) and its every row (rows_data), which the page keeps under `name`
    in its rows file and site.js lists `page_rows` at a time; `full` keeps
    every row for the search index."""
    return (replace(table, rows=table.rows[:shown], rows_file=rows_file, rows_name=name, total=len(table.rows),
                    page_rows=page_rows, full=table, note=note, **more),
            rows_data(table))


def to_html(t: Table) -> Markup:
    """The table as HTML, every text escaped; nothing for an empty table without a note."""
    if not (t.rows or t.note):
        return Markup("")
    # the search plugin skips an element marked data-search-exclude (and drops the attribute)
    wrap = '<div class="ys-table-wrap"' + ("" if t.searchable else ' data-search-exclude="true"') + ">\n"
    columns = column_classes(t)
    said = "".join(f" {COLUMN_CLASSES[cls]}{k}" for k, cls in enumerate(columns, 1) if cls)
    out = [wrap, '<table class="ys-table', " ys-sortable" if t.sortable else "", f" {escape(t.cls)}" if t.cls else "", said, '"',
           f' id="{escape(t.id)}"' if t.id else "",
           f' data-filters="{escape(t.filters)}"' if t.filters else "",
           f' data-src="{escape(t.href_base)}"' if t.href_base and any(
               _lines_unlinked(t, cell) for row in t.rows for cell in row.cells if cell.href) else "",
           f' data-rows="{escape(t.rows_file)}" data-total="{t.total}" data-page="{t.page_rows or PAGE_ROWS}"'
           f' data-unit="{escape(t.unit[0])}"' if t.rows_file else "",
           f' data-name="{escape(t.rows_name)}"' if t.rows_name else "", ">\n"]
    if t.caption:
        out.append(f"<caption>{escape(t.caption)}</caption>\n")
    heads = "".join(('<th class="num">' if col.num else "<th>") + f"{escape(col.title)}</th>" for col in t.columns)
    out.append(f"<thead><tr>{heads}</tr></thead>\n<tbody>\n")
    out += _trs(t, columns)
    out.append("</tbody>\n</table>\n")
    if t.note:
        more = f'<a href="{escape(t.more_href)}">查看全部</a>' if t.more_href else ""
        out.append(f'<p class="ys-note">{escape(t.note)}{more}</p>\n')
    out.append("</div>")
    return Markup("".join(out))
