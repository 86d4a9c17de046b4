"""Where a figure on the site was printed: links to its line of the
published source page (sources/<doc_id>/#L<line>).

Every row of the datasets carries its source_line. The headline figures of
the documents dataset do not: each was read from one printed cell of a
table (yusuan.headline), and that cell is in table_cells, so its line is
found there, by the table the figure comes from and its amount. (A column
of line numbers on the documents dataset would say it directly; that is the
parser's to add.)
"""
from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from yusuan.render.data import SiteData
from yusuan.render.tables import Cell

# A headline figure → (table_key of the table it is read from, column_key
# of its cell when the table names it, words of its row label, best first).
# A row label with none of the words still matches, after those that do:
# the amount is what identifies the cell.
HEADLINE_CELLS: dict[str, tuple[str, str | None, tuple[str, ...]]] = {
    "total_budget": ("summary", None, ("收入总计", "收入合计", "总计", "合计")),
    "expenditure_total": ("summary", None, ("支出总计", "支出合计", "总计", "合计")),
    "current_year_income": ("summary", None, ("本年收入", "当年收入")),
    "current_year_expenditure": ("summary", None, ("本年支出", "当年支出")),
    "carryover": ("summary", None, ("上年结转", "年初结转", "结转")),
    "closing_carryover": ("summary", None, ("年末结转", "结转下年")),
    "basic_expenditure": ("expenditure", "basic", ("合计", "总计")),
    "project_expenditure": ("expenditure", "project", ("合计", "总计")),
    "fiscal_total": ("fiscal_summary", None, ("收入总计", "收入合计", "总计", "合计")),
    "gpb_total": ("gpb_expenditure", "total", ("合计", "总计")),
    "gpb_basic": ("gpb_expenditure", "basic", ("合计", "总计")),
    "gpb_project": ("gpb_expenditure", "project", ("合计", "总计")),
    "personnel": ("gpb_basic", "personnel", ("合计", "总计")),
    "public_funds": ("gpb_basic", "public_funds", ("合计", "总计")),
    "three_public": ("three_public", None, ("合计", "小计", "三公")),
    "three_public_outbound": ("three_public", None, ("出国",)),
    "three_public_reception": ("three_public", None, ("接待",)),
    "three_public_vehicles": ("three_public", None, ("公务用车",)),
    "entrusted_fees": ("entrusted_fees", "total", ("合计", "总计")),
}


_TABLES = sorted({table for table, _, _ in HEADLINE_CELLS.values()})
_COLUMNS = ["table_key", "row_label", "column_label", "column_key", "amount", "source_line"]


def source_href(doc_id: str, root: str) -> str:
    """The source page of a document, from a page `root` below the site's root."""
    return f"{root}sources/{doc_id}/"


def line_anchor(line) -> str:
    return f"#L{int(line)}"


def line_cell(line) -> Cell:
    """A table cell holding a line number, linked to that line (under the table's href_base)."""
    if line is None or line != line:
        return Cell("", None, "ln")
    return Cell(str(int(line)), line_anchor(line), "ln", int(line))


# A run of consecutive lines reads "289–297"; the word joiner keeps it on one line.
RUN = "\u2013\u2060"


def line_runs(lines) -> list[tuple[str, str]]:
    """Line numbers ("120,140" or [120, 140]) as (text, first line) runs:
    consecutive lines are one run ("289–297"), linked to its first line.
    A check over a table's rows lists every row's line; as runs it stays a
    few links wide."""
    if lines.__class__ is str or lines is None:
        numbers = [int(x) for x in (lines or "").split(",") if x.strip().isdigit()]
    else:
        numbers = [int(x) for x in lines if x is not None and x == x]
    runs: list[list[int]] = []
    for n in numbers:
        if runs and n == runs[-1][1] + 1:
            runs[-1][1] = n
        else:
            runs.append([n, n])
    return [(str(a) if a == b else f"{a}{RUN}{b}", str(a)) for a, b in runs]


def lines_cell(lines: str | None) -> Cell:
    """A cell of several line numbers ("120,140"), each run linked to its first line."""
    runs = line_runs(lines)
    if not runs:
        return Cell("", None, "ln")
    return Cell(", ".join(text for text, _ in runs), tuple((text, f"#L{first}") for text, first in runs), "ln")


def _score(cell: dict, column: str | None, words: tuple[str, ...]) -> tuple:
    label = (cell["row_label"] or "") + (cell["column_label"] or "")
    word = next((k for k, w in enumerate(words) if w in label), len(words))
    return (cell["column_key"] != column if column else False, word, cell["source_line"])


def headline_lines(data: SiteData, doc: dict) -> dict[str, int]:
    """Headline figure → the source line of the cell it was read from."""
    table = data.doc_table("table_cells", doc["doc_id"])
    if table is None or not table.num_rows:
        return {}
    # only the cells of the tables headline figures come from become dicts (a document has thousands)
    table = table.filter(pc.is_in(table["table_key"], pa.array(_TABLES))).select(_COLUMNS)
    # cells by table and amount (in cents): each figure finds its candidates at once
    cells: dict[tuple[str, int], list[dict]] = {}
    for r in table.to_pylist():
        if r["source_line"] is not None and r["amount"] is not None:
            cells.setdefault((r["table_key"], round(r["amount"] * 100)), []).append(r)
    out = {}
    for name, (table_key, column, words) in HEADLINE_CELLS.items():
        value = doc.get(name)
        if value is None or value != value:
            continue
        same = cells.get((table_key, round(value * 100)))
        if same:
            out[name] = min(same, key=lambda r: _score(r, column, words))["source_line"]
    return out
