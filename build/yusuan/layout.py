"""Text lines → rows, whatever the text layout.

Two layouts reach us (both seen in real disclosures):

* row per line: a table row is one line, cells separated by tabs, empty cells
  kept as empty fields;
* cell per line: every cell is a line that starts with a tab, and rows are
  separated by blank lines.

Either way the result is a list of `Row`: a table row (cells, and the line of
each cell, for provenance) or a line of prose (one cell, `tabular=False`).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .read.pdf import MARKER


@dataclass(slots=True)   # thousands per document: smaller and quicker to make
class Row:
    line: int               # 1-based line of the row's first cell
    cells: list[str]
    cell_lines: list[int]   # 1-based line of each cell
    tabular: bool
    after_break: bool = False   # the first row after a PDF page break

    # `text` is read many times and a Row's cells never change once made: keep it.
    _text: str | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def text(self) -> str:
        """The row as one string (prose, or cells joined), whitespace-trimmed."""
        if self._text is None:
            self._text = "".join(map(str.strip, self.cells))
        return self._text

    def stripped(self) -> list[str]:
        return [c.strip() for c in self.cells]


def _is_cell_line(line: str) -> bool:
    """A line holding one cell: a tab, then text without tabs."""
    return line.startswith("\t") and line.count("\t") == 1


def is_cell_per_line(lines: list[str]) -> bool:
    single = multi = 0
    for line in lines:
        tabs = line.count("\t")
        if tabs >= 2:
            multi += 1
        elif tabs == 1 and line.startswith("\t"):
            single += 1
    return single > multi


def to_rows(lines: list[str]) -> list[Row]:
    cell_per_line = is_cell_per_line(lines)
    rows: list[Row] = []
    cells: list[str] = []        # the cell-per-line row being gathered
    cell_lines: list[int] = []
    page_break = False
    for n, raw in enumerate(lines, start=1):
        line = raw.rstrip("\r\n")
        # (_is_cell_line, inlined: this loop runs for every line of every file)
        if cell_per_line and line.startswith("\t") and line.count("\t") == 1:
            cells.append(line[1:].rstrip())
            cell_lines.append(n)
            continue
        if cells:
            rows.append(Row(cell_lines[0], cells, cell_lines, True))
            cells, cell_lines = [], []
        if not line or line.isspace():   # (not line.strip(), without making a string)
            continue
        if line.startswith("=== ") and MARKER.match(line):
            page_break = True
            continue   # a PDF page or file marker: kept in the text for the reader, not a row
        if "\t" in line:
            cells_here = [c.rstrip() for c in line.split("\t")]
            rows.append(Row(n, cells_here, [n] * len(cells_here), True, page_break))
        else:
            rows.append(Row(n, [line.strip()], [n], False, page_break))
        page_break = False
    if cells:
        rows.append(Row(cell_lines[0], cells, cell_lines, True))
    return rows
