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
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

from .layout import Row
from .terms import (CODE_HEADER_ENDINGS, is_count, COLUMN_KEYS, DEPARTMENT_LABELS, FUNCTION_CLASSES, FUNCTION_TABLES, function_class_of, LABEL_HEADERS, NOT_BUDGET, PROJECT_TABLES, ZERO_PLACEHOLDERS, column_key,
                    is_title, is_total_label, norm, number_only, plain, plain_label, same_title, table_key,
                    three_public_item)

AMOUNT = re.compile(r"^[-−]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$")
_UNIT = re.compile(r"单位[：:]\s*(万元|元)(?![\u4e00-\u9fff])")
_META_LABEL = re.compile("(?:" + "|".join(re.escape(w).replace("（", "[（(]").replace("）", "[)）]")
                                         for w in DEPARTMENT_LABELS) + r")\s*[：:]\s*")
_EMPTY_NOTE = re.compile(r"为空表|空表|没有.*(?:支出|预算|安排|收入)|无.*(?:支出|预算|收入|发生额)|不涉及")
_CODE_PART = re.compile(r"^\d{1,7}$")
# Tables whose 3-digit codes are 功能分类 classes.
CLASS_CODED = {*FUNCTION_TABLES, "gpb_projects"}
# A code printed at the start of the name: 2010301 行政运行, 215 08 支持…, [2010301]行政运行.
_LEADING_CODE = re.compile(r"^[\[【]?(\d{3}(?:\s+\d{1,2}){1,2}|\d{3}(?:\d{2}){0,2})[\]】]?(?:\s+|(?=[\u4e00-\u9fff]))(\S.*)$")
_CLASS_CODE = re.compile(r"^\d{3}$")
_CODE_DEPT = re.compile(r"^\d+[-－—]")   # 511-退役军人事务局: a code before the name


def read_meta(text: str) -> tuple[str | None, str | None] | None:
    """(department, unit) of a line over a table such as `编制部门：某局 单位：万元`,
    `部门名称：某局单位：万元` or `单位：某局（本级） 单位：万元`; None when the
    line is not one."""
    unit = None
    m = _UNIT.search(text)
    if m:
        unit = m.group(1)
    department = None
    for d in _META_LABEL.finditer(text):
        value = text[d.end():]
        value = _UNIT.split(value)[0] if _UNIT.search(value) else value
        value = re.split(r"\s{2,}|\t|金额单位|单位[：:]", value)[0].strip()
        value = _CODE_DEPT.sub("", value)
        if value and value not in ("万元", "元"):
            department = value
            break
    if unit is None and department is None:
        return None
    return department, unit


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
    text: str             # as printed (in the table's unit)
    col: int              # column position in the table


def decimals(text: str) -> int:
    """Digits printed after the decimal point."""
    dot = text.rfind(".")
    return len(text.strip()) - dot - 1 if dot >= 0 else 0


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
    at: dict[int, float] = field(default_factory=dict)       # column position → amount


@dataclass
class Table:
    key: str | None
    number: str
    title: str
    line: int
    unit: str = ""            # as printed over the table (万元 / 元); "" until `set_unit`
    department: str = ""
    header: list[list[str]] = field(default_factory=list)
    columns: list[list[str]] = field(default_factory=list)   # header path per position
    roles: list[str] = field(default_factory=list)           # code / unit_code / name / project / amount per position
    keys: list[str] = field(default_factory=list)            # column key per position
    rows: list[DataRow] = field(default_factory=list)
    cells: list[Cell] = field(default_factory=list)
    notes: list[tuple[int, str]] = field(default_factory=list)
    problems: list[tuple[int, str]] = field(default_factory=list)
    readings: list[str] = field(default_factory=list)    # where the layout left two readings: which was taken
    _places: tuple[int, int] = field(default=(-1, 2), repr=False, compare=False)   # (cells seen, decimals)

    @property
    def is_empty(self) -> bool:
        return not self.cells

    @property
    def half_unit(self) -> float:
        """Half the last printed digit, in 万元: how far a printed amount may
        be from the figure it was rounded from. The table's precision is the
        most decimals any of its amounts shows (`80` in a table of `4335.30`
        is 80.00 printed without its zeros, not a figure rounded to 元)."""
        # Asked by every check (~440 a document): scanning every cell each
        # time was a quarter of a parse. Cells are only ever appended.
        seen, places = self._places
        if seen != len(self.cells):
            places = max((decimals(c.text) for c in self.cells), default=2)
            self._places = (len(self.cells), places)
        return 0.5 * 10.0 ** -places * (1e-4 if self.unit == "元" else 1.0)

    def set_unit(self, unit: str) -> None:
        """Fix the table's unit and put its amounts in 万元: a 元 table's
        figures divided by 10,000, not rounded (the printed text stays).
        Counts (数量 …) are not money and stay as printed."""
        self.unit = unit
        if unit == "元":
            counts = {p for p in range(len(self.columns)) if is_count("/".join(self.columns[p]))}
            keys = {self.keys[p] for p in counts if p < len(self.keys)}
            for c in self.cells:
                if c.col not in counts:
                    c.amount = c.amount / 10000
            for r in self.rows:
                r.values = {k: v if k in keys else v / 10000 for k, v in r.values.items()}
                r.at = {k: v if k in counts else v / 10000 for k, v in r.at.items()}

    def total_row(self) -> DataRow | None:
        """The last 总计 row."""
        return next((r for r in reversed(self.rows) if r.is_total), None)

    def find(self, label: str, key: str | None = None) -> Cell | None:
        """First cell whose row label (normalised, 其中： dropped) starts with
        `label`, optionally in column `key` — for the two-sided tables 1 and 4."""
        for c in self.cells:
            lab = plain_label(c.row_label)
            if lab.startswith(label) and (key is None or c.column_key == key):
                return c
        return None

    def total(self, key: str) -> float | None:
        """The total row's figure in column `key`: 0 when left blank, None
        when the table has no such column or no total row."""
        r = self.total_row()
        if r is None or key not in self.keys:
            return None
        return r.values.get(key, 0.0)


# ---------------------------------------------------------------- segmenting

_PART = re.compile(r"^\s*(?:-\s*)?第\s*([一二三四五六七八九十])\s*部分")
# A prose line that starts a narrative section, or a paragraph: not part of a table.
_SECTION = re.compile(r"^(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[)）])(?!.*表$)")
_PARAGRAPH_CHARS = 60
_UNIT_WORD = ("万元", "元", "亿", "%", "％")


def _is_figure(word: str) -> bool:
    return ("." in word or "," in word) and bool(AMOUNT.match(word))


def flat_amounts(text: str) -> list[str]:
    """The amounts of a table row printed as one line of text, its cells
    apart by spaces, not tabs (a row outside a PDF's ruled grid, a text
    converted by hand): the decimal amounts standing as words, without a
    unit after them. None in a sentence (`收支总预算 2,332.95 万元。`); but a
    sentence wrapped before its unit (`…会议费预算 0.00`) reads like a row
    of one figure."""
    words = text.split()
    return [w for k, w in enumerate(words)
            if _is_figure(w) and not (k + 1 < len(words) and words[k + 1].startswith(_UNIT_WORD))]


def _prints_amounts(row: Row) -> bool:
    """A tabular row with a decimal amount in a cell."""
    return row.tabular and any(_is_figure(c.strip()) for c in row.cells)


def _other_title(text: str) -> bool:
    """The title of a table that is not a budget table (绩效目标表 …)."""
    t = plain(text)
    return len(t) <= 40 and t.endswith("表") and not is_title(text) and not number_only(text)


def find_part(rows: list[Row], ordinal: str) -> int | None:
    """Index of the body heading of part `ordinal` (一/二/三/四): the last one,
    since a table of contents may list the headings first."""
    hits = [i for i, r in enumerate(rows) if not r.tabular and (m := _PART.match(r.cells[0])) and m.group(1) == ordinal]
    return hits[-1] if hits else None


@dataclass
class Segment:
    """A table's title and the rows under it, up to the next title or heading."""
    number: str
    title: str
    key: str
    line: int
    rows: list[Row] = field(default_factory=list)

    @property
    def printed(self) -> bool:
        """A table in the body, not a contents-page line: rows of cells under
        it, or a note that it is empty."""
        return any(r.tabular for r in self.rows) or any(_EMPTY_NOTE.search(r.text) for r in self.rows)


def _title_of(rows: list[Row], i: int) -> tuple[str, str, str, int, str] | None:
    """(number, title, key, rows used, text after the title) when rows[i]
    starts a table: its title, or a number line (表1, 公开表4) with the title
    on the next line. A title can share its line with what is printed after
    it (`收支预算总表部门：某厅 单位：万元`): that rest is returned, to be read."""
    row = rows[i]
    if row.tabular:
        return None
    text = row.cells[0].strip()
    head, rest = _split_meta(text)
    found = is_title(head)
    if found:
        return found[0], head, found[1], 1, rest
    if i + 1 < len(rows) and not rows[i + 1].tabular:
        after = rows[i + 1].cells[0].strip()
        number = number_only(text)
        if number:
            head, rest = _split_meta(after)
            found = is_title(head)
            if found:
                return number, head, found[1], 2, rest
        elif len(after) <= 16 and not rows[i + 1].after_break:
            # a title wrapped onto a second line (`…培训费支出预` / `算表`)
            head, rest = _split_meta(text + after)
            found = is_title(head)
            if found:
                return found[0], head, found[1], 2, rest
    return None


def _split_meta(text: str) -> tuple[str, str]:
    """(title part, metadata part) of a line such as `收支预算总表部门：某厅 单位：万元`."""
    m = _META_LABEL.search(text)
    if m and m.start() > 0:
        return text[:m.start()].strip(), text[m.start():]
    return text, ""


def split_tables(rows: list[Row], orphans: list[Row] | None = None) -> tuple[list[Segment], list[Segment]]:
    """The document's rows → (tables, contents-page entries).

    Every title starts a segment; a part heading (第三部分) or a narrative
    section heading ends one. A segment with neither cells nor an empty-table
    note under it is a contents-page line (kept: it says which tables the
    document should have). A title repeated over a page break, with the same
    table key and no other number, continues the table before it.

    `orphans` gets the tabular rows printing amounts that no table holds
    although they stand among the budget tables: rows under a title we
    could not read, or after a line read as narrative (a paragraph, a
    section or part heading) in the middle of a table. Nothing reads them,
    so the caller says so. Rows under the title of a table that is not read
    (绩效目标表), or in a part that names no tables (第三部分 情况说明) after
    the last budget table, are that table's or that part's."""
    segments: list[Segment] = []
    events: list[tuple[str, object]] = []     # what orphans are told by, in order
    current: Segment | None = None
    i = 0
    while i < len(rows):
        found = _title_of(rows, i)
        if found:
            number, title, key, used, rest = found
            line = rows[i + used - 1].line
            current = Segment(number, title, key, line, [Row(line, [rest], [line], False)] if rest else [])
            # `编制单位：… 单位：元` printed just above the title (上海) is this table's
            previous = segments[-1].rows if segments else []
            while previous and not previous[-1].tabular and read_meta(previous[-1].text) \
                    and previous[-1].line >= rows[max(i - 2, 0)].line:
                current.rows.insert(0, previous.pop())
            segments.append(current)
            events.append(("title", current))
            i += used
            continue
        row = rows[i]
        i += 1
        if not row.tabular and _PART.match(row.text):
            current = None   # another part
            events.append(("tables" if "表" in row.text else "part", None))    # 第二部分 …公开表 names the tables
            continue
        if not row.tabular and (_SECTION.match(row.text) or len(row.text) > _PARAGRAPH_CHARS) \
                and len(flat_amounts(row.text)) < 2:
            current = None   # narrative (not a row of figures printed without tabs): the table has ended
            # (or a row of one figure: `八、社会保障和就业支出 2,808.48`)
            events.append(("row", row) if flat_amounts(row.text) else ("prose", None))
            continue
        if not row.tabular and _other_title(row.text):
            events.append(("other", None))
        if current is not None:
            current.rows.append(row)
        elif _prints_amounts(row):
            events.append(("row", row))
        elif not row.tabular:
            events.append(("prose", None))
    if orphans is not None:
        orphans += _orphans(events)
    tables: list[Segment] = []
    contents: list[Segment] = []
    for seg in segments:
        if not seg.printed:
            contents.append(seg)
            continue
        last = tables[-1] if tables else None
        if last and last.key == seg.key and (not seg.number or seg.number == last.number) \
                and same_title(last.title, seg.title):
            last.rows += seg.rows    # the title again, after a page break
            continue
        tables.append(seg)
    return [t for t in tables if t.key != NOT_BUDGET], contents


def _orphans(events: list[tuple[str, object]]) -> list[Row]:
    """The rows of `events` that stand among the budget tables: after a
    budget table or a heading naming the tables; or after a part heading
    that names none, right under it (before any prose: rows that go on
    with the table the heading stands in) or when a budget table is printed
    after them (the heading was among the tables)."""
    out: list[Row] = []
    pending: list[Row] = []
    state = "off"     # off / tables / under_part (right under a part heading after tables) / part (further on)
    for kind, what in events:
        if kind == "title" and what.key == NOT_BUDGET:
            pending, state = [], "off"      # a table not read: what follows is its
        elif kind == "title":
            if what.printed:    # (not a contents-page line, nor a title whose rows are not under it)
                out += pending
                pending, state = [], "tables"
        elif kind == "other":
            pending, state = [], "off"
        elif kind == "tables":
            state = "tables"
        elif kind == "part":
            state = "off" if state == "off" else "under_part"
        elif kind == "prose":
            state = "part" if state == "under_part" else state
        elif state in ("tables", "under_part"):
            out.append(what)
        elif state == "part":
            pending.append(what)
    return out


# ------------------------------------------------------------------ headers

_COLUMN_MARKS = {"栏次", "行次", "甲", "乙", "丙", "丁", "项目", "序号"}


def _is_column_numbers(cells: list[str]) -> bool:
    """The row that numbers the columns: `※ ※ ※ 1 2 3 …`, `** 1 2 3`, `栏次 1 2 3`."""
    vals = [c for c in cells if c]
    numbers = [c for c in vals if c.isdigit()]
    marks = [c for c in vals if not c.isdigit()]
    if len(numbers) < 2 or numbers != [str(i) for i in range(int(numbers[0]), int(numbers[0]) + len(numbers))]:
        return False
    if int(numbers[0]) > 1 and not marks:
        return False
    return all(set(c) <= set("※*＊") or c in _COLUMN_MARKS for c in marks)


def _realign(header: list[list[str]], numbered: list[str]) -> list[list[str]]:
    """Trust the numbered row over a header line printed off its columns: a
    line whose last label stands right of the last numbered column, with as
    many empty cells at its start, is moved left onto them (an unseen 新疆
    表2 printed 财政拨款结转 over the 非财政拨款结转结余 figures)."""
    numbers = [p for p, c in enumerate(numbered) if c.isdigit()]
    if not numbers:
        return header
    out = []
    for row in header:
        filled = [p for p, c in enumerate(row) if c]
        over = filled[-1] - numbers[-1] if filled else 0
        out.append(row[over:] if over > 0 and not any(row[:over]) else row)
    return out


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

    normed = [[norm(c) for c in cells] for cells in header]
    for i in range(len(normed) - 1, -1, -1):
        cells = normed[i]
        if len(cells) >= width or not resolved:
            # a label repeated from the line above is one cell merged down
            # (the PDF reader writes it on each line it spans): it heads its
            # own column, it does not reach over the empty cells to its right
            above = normed[i - 1] if i else []
            repeated = [p < len(above) and bool(c) and c == above[p] for p, c in enumerate(cells)]
            spans = _positional(cells[:width] + [""] * (width - len(cells)), below_has, labels,
                                repeated[:width] + [False] * (width - len(repeated)))
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


def _positional(cells: list[str], below_has: list[bool], labels: list[str],
                repeated: list[bool] | None = None) -> list[int | None]:
    spans: list[int | None] = [None] * len(cells)
    current: int | None = None
    for p, c in enumerate(cells):
        if c:
            labels.append(c)
            spans[p] = len(labels) - 1
            current = None if repeated and repeated[p] else spans[p]
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

def _data_like(cells: list[str], key: str | None, columns_named: bool = True) -> bool:
    vals = [c.strip() for c in cells]
    if any(("." in v or "," in v) and AMOUNT.match(v) for v in vals):   # cheap test first
        return True
    nonempty = [v for v in vals if v]
    if not nonempty:
        return False
    if len(nonempty) > 1 and not any(AMOUNT.match(v) for v in nonempty):
        return False   # labels only: a header row (合计 | 因公出国（境）费 | 公务接待费)
    first = norm(nonempty[0])
    if _CLASS_CODE.match(first) or _LEADING_CODE.match(nonempty[0]):
        return True
    if is_total_label(first):
        return True
    if key == "three_public" and three_public_item(first) and (columns_named or any(AMOUNT.match(v) for v in nonempty[1:])):
        # an item row; but before any header names a column of figures, an
        # item with no figure beside it heads item columns (江苏 法院 2018)
        return True
    return False


def _names_figures(header: list[list[str]]) -> bool:
    """A header row so far names a column of figures (合计, 预算数, 一般公共预算 …)."""
    return any(COLUMN_KEYS.get(plain(c)) in ("total", "amount", "gpb", "subtotal") for row in header for c in row)


def _is_continuation(cells: list[str]) -> bool:
    """A row holding one piece of text and nothing else: the rest of a long
    project name the converter wrapped onto its own line."""
    vals = [c for c in cells if c]
    return len(vals) == 1 and parse_amount(vals[0]) is None and not _data_like(cells, None)


_STARTS_ITEM = re.compile(r"^(?:[一二三四五六七八九十]+、|\d+[.．、]|[（(][一二三四五六七八九十\d]+[)）]|\d{3})")


def _continues(cells: list[str], previous: list[str]) -> bool:
    """The first row of a page holds only the rest of the labels of the last
    row of the page before (`八、社会保障和就` / `业支出`): no figure, and text
    only where that row has a label, none of it starting an item of its own."""
    filled = [(p, c) for p, c in enumerate(cells) if c]
    return bool(filled) and all(
        p < len(previous) and previous[p].strip() and parse_amount(previous[p]) is None
        and parse_amount(c) is None and not _STARTS_ITEM.match(c) for p, c in filled)


def _halves(previous: list[str], cells: list[str]) -> bool:
    """Two lines of the grid that are one row: one holds only figures and
    no label, the other only a label, in other columns (江苏 检察院 2018:
    `| | 21,940.96` over `| 合计 |`, where the label's cell is ruled apart)."""
    def kinds(row: list[str]) -> tuple[set[int], set[int]]:
        figures = {p for p, c in enumerate(row) if c.strip() and parse_amount(c) is not None}
        labels = {p for p, c in enumerate(row) if c.strip() and parse_amount(c) is None}
        return figures, labels
    f1, l1 = kinds(previous)
    f2, l2 = kinds(cells)
    return bool((f1 and not l1 and l2 and not f2) or (l1 and not f1 and f2 and not l2)) \
        and not (f1 | l1) & (f2 | l2)


def _join_cells(data: list[tuple[Row, list[str]]], row: Row, cells: list[str]) -> None:
    """Join a row's cells onto the last data row's (as wide as either);
    each cell joined keeps the line it is printed on."""
    last, previous = data[-1]
    width = max(len(previous), len(cells))
    previous.extend([""] * (width - len(previous)))
    lines = [last.cell_lines[p] if p < len(last.cell_lines) else last.line for p in range(width)]
    for p, c in enumerate(cells):
        if c:
            previous[p] = previous[p].rstrip() + c
            lines[p] = row.cell_lines[p] if p < len(row.cell_lines) else row.line
    data[-1] = (Row(last.line, last.cells, lines, last.tabular, last.after_break), previous)


def _continue_name(cells: list[str], text: str, position: int | None = None) -> None:
    """Append wrapped text to the previous row's cell (at `position`, or its last text cell)."""
    texts = [p for p, c in enumerate(cells) if c.strip() and parse_amount(c) is None]
    if position is None or position >= len(cells) or not cells[position].strip():
        if not texts:
            return
        position = texts[-1]
    cells[position] = cells[position].rstrip() + text.strip()


def _label_columns(data: list[list[str]], width: int) -> tuple[set[int], set[int]]:
    """(label positions, code positions): positions where most filled cells
    hold text (names, projects) or, left of the first text column, only short
    digit strings (the 类/款/项 code cells, where a 类/款/项 header cell may
    sit in a data row). Most, not any: a stray word in an amount column is a
    problem to report, not a reason to lose the column's amounts."""
    counts = [[0, 0] for _ in range(width)]      # [text, amount] per position
    for cells in data:
        for p, c in enumerate(cells[:width]):
            if c.strip():
                counts[p][parse_amount(c) is not None] += 1
    text = {p for p, (t, a) in enumerate(counts) if t > a}
    if not text:
        return set(), set()
    codes = {p for p in range(min(text))
             if all((_CODE_PART.match(c.strip()) and len(c.strip()) <= 3) or plain(c) in LABEL_HEADERS["code"]
                    for cells in data for c in cells[p:p + 1] if c.strip())
             and any(c.strip() for cells in data for c in cells[p:p + 1])}
    return text | codes, codes


def _indent(text: str) -> int:
    return len(text) - len(text.lstrip(" \u3000"))


def parse_table(number: str, title: str, line: int, rows: list[Row],
                known_units: set[str] | None = None, key: str | None = None) -> Table:
    key = key or table_key(title)
    table = Table(key=key, number=number, title=title, line=line)
    header: list[list[str]] = []
    numbered: list[str] = []       # the `※ ※ 1 2 3 …` row, where the table has one
    data: list[tuple[Row, list[str]]] = []
    seen_header: set[tuple[str, ...]] = set()
    state = "header"
    for row in rows:
        # `-`, `—` … printed for zero are empty cells, whatever the column
        cells = [("" if c.strip() in ZERO_PLACEHOLDERS else c) for c in row.cells] if row.tabular else [row.cells[0]]
        stripped = [c.strip() for c in cells]
        joined = " ".join(filter(None, stripped))
        if not joined:
            continue
        # (every metadata label holds 单位 or 部门: a substring test first;
        # and a row printing amounts is a row of the table, whatever else it holds)
        meta = read_meta(joined) if ("单位" in joined or "部门" in joined) and ("：" in joined or ":" in joined) \
            and not any(map(_is_figure, stripped)) and not flat_amounts(joined) else None
        if meta:
            department, unit = meta
            table.unit = unit or table.unit
            if department and not table.department:
                table.department = department
            state = "header"
            continue
        if not row.tabular:
            flat = flat_amounts(joined)
            if flat:
                # a row whose cells we cannot tell apart: its figures are not guessed at
                table.problems.append((row.line, f"表{table.number}「{table.title}」第 {row.line} 行印有数字，但不是分列的"
                                                 f"表格行（各格之间没有分隔）：{'、'.join(flat)} 未读成金额"))
            elif _EMPTY_NOTE.search(joined):
                table.notes.append((row.line, joined))
            elif state == "data" and key in PROJECT_TABLES and data:
                _continue_name(data[-1][1], joined)   # a wrapped project name
            else:
                table.notes.append((row.line, joined))
            continue
        if _is_column_numbers(stripped):
            numbered = stripped
            continue
        sig = tuple(map(norm, stripped))
        if sig in seen_header:
            continue   # header repeated after a page break
        if state == "header" and not _data_like(stripped, key, _names_figures(header)):
            if not data:
                header.append(stripped)
                seen_header.add(sig)
            continue
        if state == "data" and key in PROJECT_TABLES and data and _is_continuation(stripped):
            _continue_name(data[-1][1], next(c for c in stripped if c), stripped.index(next(c for c in stripped if c)))
            continue
        if row.after_break and data and _continues(stripped, data[-1][1]):
            _join_cells(data, row, stripped)     # a label the page break cut in two
            continue
        if data and _halves(data[-1][1], stripped):
            _join_cells(data, row, stripped)     # one row's figures and label on two grid lines
            continue
        state = "data"
        data.append((row, list(cells)))

    table.header = header = _realign(header, numbered)
    if not data:
        return table
    width = max(len(c) for _, c in data)
    label_cols, code_cols = _label_columns([c for _, c in data], width)
    table.columns = _resolve_header(header, width, label_cols)
    _build_rows(table, data, width, label_cols, code_cols, known_units or set())
    _total_named_for_department(table)
    _report_unread(table, data)
    return table


def _total_named_for_department(table: Table) -> None:
    """深圳 labels a table's total row with the department's name instead of
    合计: a table without a total row whose first row has no code and is
    named as the line over the table names the department has it there (not
    a project table, where that row is the department's own unit)."""
    if table.department and table.rows and table.key not in PROJECT_TABLES and not any(r.is_total for r in table.rows):
        first = table.rows[0]
        if not first.code and plain(first.label) == plain(table.department) and first.values:
            first.is_total = True
            for c in table.cells:
                if c.row_no == first.row_no:
                    c.is_total = True


def _report_unread(table: Table, data: list[tuple[Row, list[str]]]) -> None:
    """Every figure printed in the table's rows is one of its cells, or named
    here: a figure in a column read as labels, or in a row the reading could
    not place, is a problem of ours, never a silent loss."""
    read = Counter((c.source_line, c.text) for c in table.cells)
    unread = []
    for row, cells in data:
        for p, c in enumerate(cells):
            c = c.strip()
            if ("." in c or "," in c) and AMOUNT.match(c):
                key = (row.cell_lines[p] if p < len(row.cell_lines) else row.line, c)
                if read[key]:
                    read[key] -= 1
                else:
                    unread.append(key)
    if unread:
        # every one, with its line: a figure left out of the list would be lost without a word
        shown = "、".join(f"{text}（第 {line} 行）" for line, text in unread)
        table.problems.append((unread[0][0], f"表{table.number}「{table.title}」有 {len(unread)} 个数字没有读成金额"
                                             f"（所在列被读作名称列，或行未能读准）：{shown}"))


def _column_role(path: list[str]) -> str:
    leaf = plain(path[-1]) if path else ""
    if leaf in LABEL_HEADERS["unit_code"]:
        return "unit_code"
    if leaf in LABEL_HEADERS["code"] or leaf.endswith(CODE_HEADER_ENDINGS):
        return "code"     # 部门经济科目编码, 预算单位代码: never amounts, whatever their digits
    if leaf in LABEL_HEADERS["project"]:
        return "project"
    if leaf in LABEL_HEADERS["name"] or leaf.endswith("名称") or leaf.endswith("内容"):
        return "name"
    return "amount"


def _roles(table: Table, width: int, label_cols: set[int], code_cols: set[int]) -> list[str]:
    """code / project / name / amount for each column position."""
    roles = []
    for p in range(width):
        role = _column_role(table.columns[p])
        if role == "unit_code":
            pass
        elif p in code_cols and role in ("amount", "name"):
            role = "code"
        elif p in label_cols and role == "amount":
            role = "name"
        elif p not in label_cols and role == "name":
            role = "amount"   # a header over names, but the cells hold amounts
        roles.append(role)
    if "name" not in roles or table.key not in PROJECT_TABLES:
        # the 项目名称 column labels the rows (tables 11/12, and 项目名称 over
        # the income items of a summary table)
        roles = ["name" if r == "project" else r for r in roles]
    return roles


def _row_labels(cells: list[str], label_roles: list[tuple[int, str]]) -> tuple[list[str], list[str], str, str]:
    """(codes, names, project, leading code) from a row's non-amount cells."""
    codes, names, project, lead_code = [], [], "", ""
    for p, role in label_roles:
        c = cells[p].strip()
        if not c or (role == "unit_code" and c.replace(" ", "").isdigit()):
            continue     # a unit's code; 合计 printed in its column is still the row's name
        if role == "code":
            # the code cells before the first name; a second classification
            # printed beside it (烟台: 部门 and 政府 经济分类) is not part of it
            code = c.strip("[]【】")
            if not _CODE_PART.match(code.replace(" ", "")) and plain(code) not in LABEL_HEADERS["code"]:
                names.append(" ".join(c.split()))    # 合计 printed across the code columns
            elif not names:
                codes.append(code)
        elif role == "project":
            project = " ".join(c.split())
        else:
            m = _LEADING_CODE.match(c)
            if m and not codes and not lead_code:
                lead_code = _join_code(m.group(1).split())
                c = m.group(2)
            names.append(" ".join(c.split()))
    return codes, names, project, lead_code


def _join_code(parts: list[str]) -> str:
    """类/款/项 printed in separate cells → one code; 款 and 项 printed
    without their leading zero (`301 2 津贴补贴`) get it back."""
    if not parts:
        return ""
    if not all(_CODE_PART.match(x) for x in parts):
        return " ".join(parts)
    if len(parts) > 1 and len(parts[0]) == 3:
        return parts[0] + "".join(x.zfill(2) for x in parts[1:])
    return "".join(parts)


def _build_rows(table: Table, data: list[tuple[Row, list[str]]], width: int,
                label_cols: set[int], code_cols: set[int], known_units: set[str]) -> None:
    roles = table.roles = _roles(table, width, label_cols, code_cols)
    keys = table.keys = [column_key(table.columns[p]) if table.columns[p] else f"col{p + 1}" for p in range(width)]
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
        col_code = _join_code(codes)
        code = col_code or lead_code
        # a table of one row of figures without a label (江苏 支出预算总表) prints its total only
        is_total = is_total_label(label) or (len(data) == 1 and not label and not code and not project)
        indent = _indent(cells[first]) if first is not None else 0
        is_unit = False
        class_heading = not code and function_class_of(label) is not None   # `一般公共服务支出` alone on its row
        if project_table and not is_total and not code and not class_heading:
            if has_project_col:
                is_unit = not project and bool(label)
            else:
                is_unit = _looks_like_unit(label, known_units, indent if indented_table else None)
            if not has_project_col and not is_unit:
                project = label
        if len(code) == 3 and table.key in CLASS_CODED and function_class_of(label) not in (None, code) or \
                len(code) == 3 and table.key in CLASS_CODED and code in FUNCTION_CLASSES \
                and function_class_of(label) is None and not project:
            # `215 工业和信息产业`: a class's code beside a name that is not the class's —
            # which row this is the layout does not say; it is kept out of the sums
            table.problems.append((row.line, f"表{table.number}「{table.title}」：行「{code} {label}」的编码 {code} 是"
                                             f"“{FUNCTION_CLASSES[code][0] if code in FUNCTION_CLASSES else code}”类的编码，"
                                             "与名称不符：该行不参与科目汇总校验"))
            code = ""
        if is_unit:
            unit_name = label
        row_no += 1
        dr = DataRow(row_no=row_no, line=row.line, label=label, code=code, project=project,
                     unit_name=unit_name if not is_total else "", is_total=is_total,
                     is_unit_row=is_unit, indent=indent)
        sides: dict[tuple, tuple[str, str, str, bool]] = {}   # this row's, by label block
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
            dr.at[p] = amount
            table.cells.append(Cell(row_no, side_text, side_code, project, dr.unit_name, labels[p], keys[p],
                                    amount, line, side_total, is_unit, cells[p].strip(), p))
        table.rows.append(dr)


def _first_text(cells: list[str], text_cols: list[int]) -> int | None:
    """The first of the name/project columns `text_cols` that holds text in this row."""
    for p in text_cols:
        if p < len(cells) and cells[p].strip():
            return p
    return None


def _left_names(roles: list[str], p: int) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """(name columns, code columns), left to right, of the label block that
    labels the amount in column p: the nearest run of code/name columns on
    its left, not past the amounts before it (which belong to the other side
    of a two-sided table)."""
    names: list[int] = []
    codes: list[int] = []
    q = p - 1
    while q >= 0 and roles[q] == "amount":
        q -= 1
    while q >= 0 and roles[q] != "amount":
        (names if roles[q] in ("name", "project") else codes).append(q)
        q -= 1
    return tuple(reversed(names)), tuple(reversed(codes))


def _side(cells: list[str], block: tuple[tuple[int, ...], tuple[int, ...]], label: str,
          col_code: str) -> tuple[str, str, str, bool]:
    """(code, label text, column-key suffix, is 总计) of the side labelled by
    `block` (its name and code columns); the row's own label when they are
    empty. The block's first name labels it: a second classification printed
    beside it (烟台's 政府 经济分类) does not make the row two-sided."""
    names, codes = block
    # the block's name; or words printed across its code cells (上海 决算: 公用经费合计)
    worded = [c for c in (cells[q].strip() for q in codes) if c and not _CODE_PART.match(c.strip("[]【】"))]
    side_label = next((c for c in (cells[q].strip() for q in names) if c), "") or next(iter(worded), "") or label
    codes = tuple(q for q in codes if cells[q].strip() not in worded)
    m = _LEADING_CODE.match(side_label)
    if m:
        side_code, side_label = _join_code(m.group(1).split()), m.group(2)
    side_text = " ".join(side_label.split())
    if not m:
        own = _join_code([cells[q].strip().strip("[]【】") for q in codes if cells[q].strip()])
        side_code = col_code if side_text == label else own
    suffix = f"@{norm(side_label)}" if side_text != label else ""
    return side_code, side_text, suffix, is_total_label(side_label)


_UNIT_SUFFIX = re.compile(r"(局|厅|委员会|委|办公室|办|中心|站|所|院|学校|校|队|协会|本级|馆|处|部|社|室|团|园|会|署|台|场)$")
_PROJECT_WORDS = re.compile(r"(项目|经费|资金|专项|补助|补贴|费|通知|工程|特定目标|特定项目|结转)")


def _looks_like_unit(label: str, known_units: set[str], indent: int | None) -> bool:
    n = norm(label)
    if n in known_units:
        return True
    if indent is not None:
        return indent == 0
    return bool(_UNIT_SUFFIX.search(n)) and not _PROJECT_WORDS.search(n)
