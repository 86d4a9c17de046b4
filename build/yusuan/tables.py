"""Part 2 of a disclosure → tables of amount cells.

Input is the row list of `layout.to_rows`. A table starts at its title (a
short line naming one of the standard tables, often after a `表 N` line) and
runs to the next title or to part 3. Inside it:

* metadata rows (编制部门 / 单位：万元) — also where page breaks restart, so
  the rows after them are header rows again, not data;
* header rows, resolved into one header *path* per column (merged cells);
* data rows: every cell that holds an amount becomes a `Cell`.

Nothing is recomputed: a cell's amount is the printed number (in 万元).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from .layout import Row
from .terms import column_key, norm, table_key, three_public_item

AMOUNT = re.compile(r"^[-−]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$")
_TABLE_NO = re.compile(r"^表\s*([0-9一二三四五六七八九十]+(?:\s*[-—－]\s*\d+)?)\s*(.*)$")
_META = re.compile(r"(编制部门|编制单位|预算单位)\s*[:：]|^单位\s*[:：]|金额单位")
_UNIT = re.compile(r"单位\s*[:：]\s*(万元|元)")
_DEPT = re.compile(r"(?:编制部门|编制单位)\s*[:：]\s*(.+?)\s*(?:单位\s*[:：].*)?$")
_EMPTY_NOTE = re.compile(r"为空表|空表|没有.*(?:支出|预算|安排)|无.*(?:支出|预算)")
_CODE_PART = re.compile(r"^\d{2,7}$")
_LEADING_CODE = re.compile(r"^(\d{3}(?:\d{2}){0,2})\s+(\S.*)$")
_CLASS_CODE = re.compile(r"^\d{3}$")
_LABEL_NUMBERING = re.compile(r"^(?:[一二三四五六七八九十]+、|\d+[.．、]|其中[:：])")
_UNIT_TAIL = re.compile(r"\s*单位\s*[:：].*$")
_TOTAL_LABELS = {"总计", "合计", "收入总计", "支出总计", "总合计"}
_CODE_HEADERS = {"类", "款", "项", "科目代码", "科目编码", "功能分类科目编码", "经济分类科目编码",
                 "功能科目编码", "经济科目编码", "编码", "代码"}
_NAME_HEADERS = {"科目名称", "科目", "项目", "“三公”经费支出内容", "\"三公\"经费支出内容",
                 "单位名称", "功能分类科目名称", "经济分类科目名称"}
_PROJECT_HEADERS = {"项目名称"}
PROJECT_TABLES = {"gpb_projects", "entrusted_fees", "carryover"}


@lru_cache(maxsize=1 << 16)   # pure, and called for every cell several times
def parse_amount(text: str) -> float | None:
    t = text.strip().replace("−", "-")
    if not t or not AMOUNT.match(t):
        return None
    return float(t.replace(",", ""))


@dataclass(slots=True)   # many per document: smaller and quicker to make
class Cell:
    row_no: int
    row_label: str
    code: str
    project: str
    unit_name: str
    column_label: str
    column_key: str
    amount: float
    source_line: int
    is_total: bool        # the table's 总计 row
    is_unit_row: bool     # a budget unit's subtotal row (tables 7, 11, 12)


@dataclass(slots=True)
class DataRow:
    row_no: int
    line: int
    label: str            # 科目名称 / item label (first label group)
    code: str
    project: str
    unit_name: str
    is_total: bool
    is_unit_row: bool
    indent: int
    values: dict[str, float] = field(default_factory=dict)   # column_key → amount
    lines: dict[str, int] = field(default_factory=dict)      # column_key → source line


@dataclass
class Table:
    key: str | None
    number: str
    title: str
    line: int
    unit: str = "万元"
    department: str = ""
    header: list[list[str]] = field(default_factory=list)
    columns: list[list[str]] = field(default_factory=list)   # header path per position
    rows: list[DataRow] = field(default_factory=list)
    cells: list[Cell] = field(default_factory=list)
    notes: list[tuple[int, str]] = field(default_factory=list)
    problems: list[tuple[int, str]] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not self.cells

    def total_row(self) -> DataRow | None:
        """The last 总计 row."""
        return next((r for r in reversed(self.rows) if r.is_total), None)

    def find(self, label: str, key: str | None = None) -> Cell | None:
        """First cell whose row label (normalised, 其中： dropped) starts with
        `label`, optionally in column `key` — for the two-sided tables 1 and 4."""
        for c in self.cells:
            lab = _plain_label(c.row_label)
            if lab.startswith(label) and (key is None or c.column_key == key):
                return c
        return None

    def total(self, key: str) -> float | None:
        r = self.total_row()
        if r is None:
            return None
        return r.values.get(key, 0.0)


@lru_cache(maxsize=1 << 14)   # `find` scans every cell of a table, many times a document
def _plain_label(label: str) -> str:
    """A row label as `Table.find` compares it: normalised, numbering and 其中： dropped."""
    return _LABEL_NUMBERING.sub("", norm(label))


# ---------------------------------------------------------------- segmenting

def find_part(rows: list[Row], ordinal: str) -> int | None:
    """Index of the body heading of part `ordinal` (一/二/三/四): the last one,
    since a table of contents may list the headings first."""
    pat = re.compile(rf"^\s*(?:-\s*)?第{ordinal}部分")
    hits = [i for i, r in enumerate(rows) if not r.tabular and pat.match(r.cells[0])]
    return hits[-1] if hits else None


def _title_of(row: Row) -> tuple[str, str] | None:
    """(number, title) when this row starts a table, else None."""
    if row.tabular:
        return None
    text = row.cells[0].strip()
    m = _TABLE_NO.match(text)
    if m:
        return m.group(1).replace(" ", ""), m.group(2).strip()
    t = norm(text)
    if len(t) <= 40 and t.endswith("表") and table_key(t) and not t.startswith("-"):
        return "", text
    return None


def split_tables(rows: list[Row]) -> list[tuple[str, str, int, list[Row]]]:
    """Part-2 rows → [(number, title, line, rows)]."""
    start = find_part(rows, "二")
    end = find_part(rows, "三")
    lo = start + 1 if start is not None else 0
    hi = end if end is not None and end > lo else len(rows)
    tables: list[tuple[str, str, int, list[Row]]] = []
    i = lo
    while i < hi:
        found = _title_of(rows[i])
        if not found:
            if tables:
                tables[-1][3].append(rows[i])
            i += 1
            continue
        number, title = found
        line = rows[i].line
        i += 1
        if not title and i < hi and not rows[i].tabular and table_key(rows[i].cells[0]):
            title = rows[i].cells[0].strip()
            i += 1
        elif not number and tables and table_key(title) == table_key(tables[-1][1]):
            continue  # a title repeated after a page break: same table goes on
        tables.append((number, title, line, []))
    return tables


# ------------------------------------------------------------------ headers

def _is_column_numbers(cells: list[str]) -> bool:
    """The `※ ※ ※ 1 2 3 …` row that numbers the columns."""
    vals = [c for c in cells if c]
    return len(vals) >= 2 and all(c in "※*＊" or (c.isdigit() and int(c) <= 40) for c in vals) \
        and any(c.isdigit() for c in vals) and any(c in "※*＊" for c in vals) \
        or (len(vals) >= 3 and vals[0] == "1" and vals == [str(i) for i in range(1, len(vals) + 1)])


def _resolve_header(header: list[list[str]], width: int, label_cols: set[int]) -> list[list[str]]:
    """Header rows (top to bottom) → the path of labels above each column.

    Rows as wide as the table are positional: a label also covers the empty
    cells to its right that have a label below them (a merged parent). Narrower
    rows (merged cells written once, as in the cell-per-line layout) are fitted
    onto the row below.
    """
    resolved: list[list[int | None]] = []   # per row: span id per position
    labels: list[str] = []                  # span id → label
    below_has = [False] * width

    for cells in reversed(header):
        cells = [norm(c) for c in cells]
        if len(cells) >= width or not resolved:
            spans = _positional(cells[:width] + [""] * (width - len(cells)), below_has, labels)
        else:
            spans = _fit(cells, resolved[-1], label_cols, labels, width)
        resolved.append(spans)
        for p, s in enumerate(spans):
            if s is not None:
                below_has[p] = True
    paths: list[list[str]] = []
    for p in range(width):
        path: list[str] = []
        for spans in reversed(resolved):
            s = spans[p]
            if s is not None and labels[s] and (not path or path[-1] != labels[s]):
                path.append(labels[s])
        paths.append(path)
    return paths


def _positional(cells: list[str], below_has: list[bool], labels: list[str]) -> list[int | None]:
    spans: list[int | None] = [None] * len(cells)
    current: int | None = None
    for p, c in enumerate(cells):
        if c:
            labels.append(c)
            current = len(labels) - 1
            spans[p] = current
        elif current is not None and below_has[p]:
            spans[p] = current
        else:
            current = None
    return spans


def _units(lower: list[int | None]) -> list[tuple[int, int, bool]]:
    """Lower row → [(start, end, is_gap)]: runs of one span, or single gaps."""
    out: list[tuple[int, int, bool]] = []
    p = 0
    while p < len(lower):
        if lower[p] is None:
            out.append((p, p, True))
            p += 1
            continue
        q = p
        while q + 1 < len(lower) and lower[q + 1] == lower[p]:
            q += 1
        out.append((p, q, False))
        p = q + 1
    return out


def _fit(cells: list[str], lower: list[int | None], label_cols: set[int],
         labels: list[str], width: int) -> list[int | None]:
    units = _units(lower)
    # Segments: each gap alone, and maximal runs of labelled units.
    segs: list[list[tuple[int, int, bool]]] = []
    for u in units:
        if not u[2] and segs and not segs[-1][-1][2]:
            segs[-1].append(u)
        else:
            segs.append([u])
    assignment: list[tuple[str, int, int]] | None = None
    if len(cells) == len(segs):
        assignment = [(c, s[0][0], s[-1][1]) for c, s in zip(cells, segs)]
    else:
        runs = [s for s in segs if not s[0][2]]
        extra = len(cells) - len(segs)
        if len(runs) == 1 and extra > 0 and len(runs[0]) % (extra + 1) == 0:
            k = len(runs[0]) // (extra + 1)
            pieces: list[list[tuple[int, int, bool]]] = []
            for s in segs:
                if s is runs[0]:
                    pieces += [s[i:i + k] for i in range(0, len(s), k)]
                else:
                    pieces.append(s)
            assignment = [(c, s[0][0], s[-1][1]) for c, s in zip(cells, pieces)]
        else:
            # Group units so that each group starts at a label column that
            # follows amount columns (table 1 and 4 put two tables side by side).
            groups: list[list[tuple[int, int, bool]]] = []
            prev_label = False
            for u in units:
                is_label = u[0] in label_cols
                if not groups or (is_label and not prev_label):
                    groups.append([u])
                else:
                    groups[-1].append(u)
                prev_label = is_label
            nonempty = [c for c in cells if c]
            if len(nonempty) == len(groups):
                assignment = [(c, g[0][0], g[-1][1]) for c, g in zip(nonempty, groups)]
            elif len(nonempty) == 2 and label_cols:
                first_amount = min((p for p in range(width) if p not in label_cols), default=width)
                assignment = [(nonempty[0], 0, first_amount - 1), (nonempty[1], first_amount, width - 1)]
    spans: list[int | None] = [None] * width
    if assignment is None:   # last resort: left-aligned, one cell a column
        assignment = [(c, p, p) for p, c in enumerate(cells[:width])]
    for label, a, b in assignment:
        if not label:
            continue
        labels.append(label)
        for p in range(a, b + 1):
            spans[p] = len(labels) - 1
    return spans


# -------------------------------------------------------------------- rows

def _data_like(cells: list[str], key: str | None) -> bool:
    vals = [c.strip() for c in cells]
    if any(("." in v or "," in v) and AMOUNT.match(v) for v in vals):   # cheap test first
        return True
    nonempty = [v for v in vals if v]
    if not nonempty:
        return False
    first = norm(nonempty[0])
    if _CLASS_CODE.match(first) or _LEADING_CODE.match(nonempty[0]):
        return True
    if first in _TOTAL_LABELS or first.replace(" ", "") in _TOTAL_LABELS:
        return True
    if key == "three_public" and three_public_item(first):
        return True
    return False


def _is_continuation(cells: list[str]) -> bool:
    """A row holding one piece of text and nothing else: the rest of a long
    project name the converter wrapped onto its own line."""
    vals = [c for c in cells if c]
    return len(vals) == 1 and parse_amount(vals[0]) is None and not _data_like(cells, None)


def _continue_name(cells: list[str], text: str, position: int | None = None) -> None:
    """Append wrapped text to the previous row's cell (at `position`, or its last text cell)."""
    texts = [p for p, c in enumerate(cells) if c.strip() and parse_amount(c) is None]
    if position is None or position >= len(cells) or not cells[position].strip():
        if not texts:
            return
        position = texts[-1]
    cells[position] = cells[position].rstrip() + text.strip()


def _label_columns(data: list[list[str]], width: int) -> set[int]:
    """Positions holding text (names, projects) or, left of the first text
    column, only short digit strings (the 类/款/项 code cells)."""
    text = {p for cells in data for p, c in enumerate(cells[:width])
            if c.strip() and parse_amount(c) is None}
    if not text:
        return set()
    codes = {p for p in range(min(text))
             if all(_CODE_PART.match(c.strip()) and len(c.strip()) <= 3
                    for cells in data for c in cells[p:p + 1] if c.strip())}
    return text | codes


def _indent(text: str) -> int:
    return len(text) - len(text.lstrip(" \u3000"))


def parse_table(number: str, title: str, line: int, rows: list[Row],
                known_units: set[str] | None = None) -> Table:
    key = table_key(title)
    table = Table(key=key, number=number, title=title, line=line)
    header: list[list[str]] = []
    data: list[tuple[Row, list[str]]] = []
    seen_header: set[tuple[str, ...]] = set()
    state = "header"
    for row in rows:
        cells = row.cells if row.tabular else [row.cells[0]]
        stripped = [c.strip() for c in cells]
        joined = " ".join(filter(None, stripped))
        if not joined:
            continue
        # (every _META alternative holds 单位 or 编制部门: a substring test first)
        if ("单位" in joined or "编制部门" in joined) and _META.search(joined):
            m = _UNIT.search(joined)
            if m:
                table.unit = m.group(1)
            d = _DEPT.search(joined)
            if d and not table.department:
                table.department = _UNIT_TAIL.sub("", d.group(1)).strip()
            state = "header"
            continue
        if not row.tabular:
            if _EMPTY_NOTE.search(joined):
                table.notes.append((row.line, joined))
            elif state == "data" and key in PROJECT_TABLES and data:
                _continue_name(data[-1][1], joined)   # a wrapped project name
            else:
                table.notes.append((row.line, joined))
            continue
        if _is_column_numbers(stripped):
            continue
        sig = tuple(map(norm, stripped))
        if sig in seen_header:
            continue   # header repeated after a page break
        if state == "header" and not _data_like(stripped, key):
            if not data:
                header.append(stripped)
                seen_header.add(sig)
            continue
        if state == "data" and key in PROJECT_TABLES and data and _is_continuation(stripped):
            _continue_name(data[-1][1], next(c for c in stripped if c), stripped.index(next(c for c in stripped if c)))
            continue
        state = "data"
        data.append((row, list(cells)))

    table.header = header
    if not data:
        return table
    width = max(len(c) for _, c in data)
    label_cols = _label_columns([c for _, c in data], width)
    table.columns = _resolve_header(header, width, label_cols)
    _build_rows(table, data, width, label_cols, known_units or set())
    if table.unit == "元":
        for c in table.cells:
            c.amount = c.amount / 10000
        for r in table.rows:
            r.values = {k: v / 10000 for k, v in r.values.items()}
    return table


def _column_role(path: list[str]) -> str:
    leaf = norm(path[-1]) if path else ""
    if leaf in _CODE_HEADERS:
        return "code"
    if leaf in _PROJECT_HEADERS:
        return "project"
    if leaf in _NAME_HEADERS or leaf.endswith("名称") or leaf.endswith("内容"):
        return "name"
    return "amount"


def _roles(table: Table, width: int, label_cols: set[int]) -> list[str]:
    """code / project / name / amount for each column position."""
    roles = []
    for p in range(width):
        role = _column_role(table.columns[p])
        if p in label_cols and role == "amount":
            role = "name"
        elif p not in label_cols and role == "name":
            role = "amount"   # a header over names, but the cells hold amounts
        roles.append(role)
    if "name" not in roles:      # tables 11/12: the project column is the row label
        roles = ["name" if r == "project" else r for r in roles]
    return roles


def _row_labels(cells: list[str], label_roles: list[tuple[int, str]]) -> tuple[list[str], list[str], str, str]:
    """(codes, names, project, leading code) from a row's non-amount cells."""
    codes, names, project, lead_code = [], [], "", ""
    for p, role in label_roles:
        c = cells[p].strip()
        if not c:
            continue
        if role == "code":
            codes.append(c)
        elif role == "project":
            project = " ".join(c.split())
        else:
            m = _LEADING_CODE.match(c)
            if m and not codes and not lead_code:
                lead_code = m.group(1)
                c = m.group(2)
            names.append(" ".join(c.split()))
    return codes, names, project, lead_code


def _build_rows(table: Table, data: list[tuple[Row, list[str]]], width: int,
                label_cols: set[int], known_units: set[str]) -> None:
    roles = _roles(table, width, label_cols)
    keys = [column_key(table.columns[p]) if table.columns[p] else f"col{p + 1}" for p in range(width)]
    labels = ["/".join(table.columns[p]) if table.columns[p] else f"第{p + 1}列" for p in range(width)]
    # Each row visits only the columns its role needs.
    label_roles = [(p, r) for p, r in enumerate(roles) if r != "amount"]
    amount_cols = [p for p, r in enumerate(roles) if r == "amount"]
    left_names = {p: _left_names(roles, p) for p in amount_cols}
    project_table = table.key in PROJECT_TABLES
    has_project_col = "project" in roles
    text_cols = [p for p, r in enumerate(roles) if r in ("name", "project")]
    firsts = [_first_text(c, text_cols) for _, c in data]
    indents = [_indent(c[first]) for (_, c), first in zip(data, firsts) if first is not None]
    indented_table = project_table and len(set(indents)) > 1
    unit_name = ""
    row_no = 0
    for (row, cells), first in zip(data, firsts):
        cells = cells + [""] * (width - len(cells))
        codes, names, project, lead_code = _row_labels(cells, label_roles)
        label = names[0] if names else ""
        col_code = "".join(codes) if all(_CODE_PART.match(x) for x in codes) else " ".join(codes)
        code = col_code or lead_code
        is_total = norm(label) in _TOTAL_LABELS
        indent = _indent(cells[first]) if first is not None else 0
        is_unit = False
        if project_table and not is_total and not code:
            if has_project_col:
                is_unit = not project and bool(label)
            else:
                is_unit = _looks_like_unit(label, known_units, indent if indented_table else None)
            if not has_project_col and not is_unit:
                project = label
        if is_unit:
            unit_name = label
        row_no += 1
        dr = DataRow(row_no=row_no, line=row.line, label=label, code=code, project=project,
                     unit_name=unit_name if not is_total else "", is_total=is_total,
                     is_unit_row=is_unit, indent=indent)
        sides: dict[tuple[int, ...], tuple[str, str, str, bool]] = {}   # this row's, by left_names
        for p in amount_cols:
            if not cells[p]:
                continue   # most cells of a wide table are empty: no amount, nothing to report
            amount = parse_amount(cells[p])
            if amount is None:
                if cells[p].strip():
                    table.problems.append((row.cell_lines[min(p, len(row.cell_lines) - 1)],
                                           f"表 {table.number}「{table.title}」第 {row_no} 行有无法识别的数字：{cells[p].strip()}"))
                continue
            line = row.cell_lines[p] if p < len(row.cell_lines) else row.line
            # Two-sided tables (1, 4): the label is the nearest one to the left.
            # It is the same for every amount column of one side: read it once a row.
            side = sides.get(left_names[p])
            if side is None:
                side = sides[left_names[p]] = _side(cells, left_names[p], label, col_code)
            side_code, side_text, side_key, side_total = side
            k = keys[p] + side_key
            dr.values.setdefault(k, amount)
            dr.lines.setdefault(k, line)
            table.cells.append(Cell(row_no, side_text, side_code, project, dr.unit_name, labels[p], keys[p],
                                    amount, line, side_total, is_unit))
        table.rows.append(dr)


def _first_text(cells: list[str], text_cols: list[int]) -> int | None:
    """The first of the name/project columns `text_cols` that holds text in this row."""
    for p in text_cols:
        if p < len(cells) and cells[p].strip():
            return p
    return None


def _left_names(roles: list[str], p: int) -> tuple[int, ...]:
    """The name columns that may label the amount in column p, nearest first:
    back to the name block on its left, not past the amounts before that
    block (which belong to the other side of a two-sided table)."""
    out = []
    for q in range(p - 1, -1, -1):
        if roles[q] == "name":
            out.append(q)
        elif roles[q] == "amount" and q < p - 1 and roles[q + 1] == "name":
            break
    return tuple(out)


def _side(cells: list[str], left_names: tuple[int, ...], label: str, col_code: str) -> tuple[str, str, str, bool]:
    """(code, label text, column-key suffix, is 总计) of the side whose name
    columns are `left_names`; the row's own label when they are empty."""
    side_label = next((c for c in (cells[q].strip() for q in left_names) if c), "") or label
    m = _LEADING_CODE.match(side_label)
    if m:
        side_code, side_label = m.group(1), m.group(2)
    side_text = " ".join(side_label.split())
    if not m:
        side_code = col_code if side_text == label else ""
    suffix = f"@{norm(side_label)}" if side_text != label else ""
    return side_code, side_text, suffix, norm(side_label) in _TOTAL_LABELS


_UNIT_SUFFIX = re.compile(r"(局|厅|委员会|委|办公室|办|中心|站|所|院|学校|校|队|协会|本级|馆|处|部|社|室|团|园|会|署|台|场)$")
_PROJECT_WORDS = re.compile(r"(项目|经费|资金|专项|补助|补贴|费|通知|工程|特定目标|特定项目|结转)")


def _looks_like_unit(label: str, known_units: set[str], indent: int | None) -> bool:
    n = norm(label)
    if n in known_units:
        return True
    if indent is not None:
        return indent == 0
    return bool(_UNIT_SUFFIX.search(n)) and not _PROJECT_WORDS.search(n)
