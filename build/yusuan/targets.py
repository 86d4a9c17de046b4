"""绩效目标表 (performance-target tables) of part 3 → one dict per indicator row.

Two kinds of table follow the same shape: one 部门整体绩效目标表 (department
as a whole, often only 6 indicator columns) and any number of
项目支出绩效目标表 (one per project, 9 columns). Each starts with a few label
rows (预算单位 / 项目名称 / 项目资金 …) and then a header row
一级指标 / 二级指标 / 三级指标 / … followed by one row per indicator, where
blank 一级/二级 cells mean "same as above" (merged cells in the original).

Text extracted from PDF damages some rows; the repairs in `_align` are for
damage seen in real files (a row shifted one cell left or right, a 三级指标
written in the first cell, a wrapped cell continued on a row of its own).

Privacy: the label rows also hold a contact person's name and phone
(部门联系人 / 联系电话 / 项目负责人). They are never copied into a row; their
cells are returned separately (privacy.Contact) so that the caller can hide
them in the published text and scrub them from any other.

The small text helpers at the top are shared with `narrative`.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from yusuan.layout import Row
from yusuan.privacy import CONTACT_LABELS, Contact
from yusuan.terms import norm

# ---------------------------------------------------------------- text helpers

# An amount as printed: 1,704.86 / 628.09 / 3 (full-width digits allowed, \d is
# Unicode); the thousands group needs exactly three digits so "1，2" is no number.
NUM = r"\d{1,3}(?:[,，]\d{3})+(?:[.．]\d+)?(?!\d)|\d+(?:[.．]\d+)?"
# An amount followed by its unit; 元 alone (not 万元) is converted to 万元.
MONEY = rf"(?P<num>{NUM})\s*(?P<unit>万元|元)"
MONEY_RE = re.compile(MONEY)
NUM_RE = re.compile(NUM)

_CJK = r"[\u3400-\u9fff\uf900-\ufaff]"
# PDF line wraps leave spaces inside Chinese words ("效益 指标", "满意 度指 标").
_SPACE_IN_CJK = re.compile(rf"(?<={_CJK})\s+(?={_CJK})")
_WHITESPACE = re.compile(r"\s+")


@lru_cache(maxsize=1 << 14)   # pure; NFKC normalisation is not cheap
def to_number(text: str | None) -> float | None:
    """'1,704.86' → 1704.86; None when the text is no number."""
    if text is None:
        return None
    t = unicodedata.normalize("NFKC", text).replace(",", "").strip()
    try:
        return float(t)
    except ValueError:
        return None


def money(num: str, unit: str = "万元") -> float | None:
    """An amount in 万元, exactly as printed unless printed in 元."""
    value = to_number(num)
    if value is not None and unit == "元":
        value = round(value / 10000, 6)
    return value


@lru_cache(maxsize=1 << 16)   # pure; table cells repeat a lot
def tidy(text: str | None) -> str:
    """Cell or sentence text without wrap artefacts: spaces between Chinese
    characters removed, other whitespace runs collapsed."""
    if not text:
        return ""
    t = _SPACE_IN_CJK.sub("", text.strip())
    return _WHITESPACE.sub(" ", t)


# ----------------------------------------------------------- table vocabulary

TABLE_TITLE = re.compile(r"绩效目标表\s*$")
YEAR_LINE = re.compile(r"^[（(]\s*\d{4}\s*年度?\s*[)）]$")
# A title naming its project (泉州: 泉州城市形象专题宣传经费项目绩效目标表, no 项目名称 row);
# 项目支出绩效目标表 / 政策和项目预算绩效目标表 name none.
NAMED_TITLE = re.compile(r"^(?:[\d一二三四五六七八九十]+[.、．]\s*)?(?P<name>.{2,}?)项目绩效目标表$")

# Header cell → column key, first match wins (指标值设置依据 contains 指标值,
# so the longer names come first).
HEADER_KEYS: list[tuple[str, str]] = [
    ("一级指标", "level1"),
    ("二级指标", "level2"),
    ("三级指标", "level3"),
    ("设置依据", "basis"),      # 指标值设置依据
    ("设定依据", "basis"),      # 指标设定依据 (department table)
    ("上年完成值", "last_year_value"),
    ("上年实际值", "last_year_value"),
    ("分值权重", "weight"),     # 指标分值权重 / 分值权重
    ("权重", "weight"),
    ("赋分规则", "scoring_rule"),
    ("评分规则", "scoring_rule"),
    ("佐证资料", "evidence"),
    ("指标值", "target_value"),
]
TEXT_COLUMNS = ["level1", "level2", "level3", "target_value", "basis",
                "last_year_value", "scoring_rule", "evidence"]

# Label rows above the indicator header. Contact labels (privacy.CONTACT_LABELS) are private.
UNIT_LABELS = ("部门名称", "预算单位", "单位名称")
PROJECT_LABELS = ("项目名称", "专项资金名称")   # 专项资金名称: 烟台 专项资金绩效目标表
# A budget printed after its label in 万元 (烟台: 年度预算资金（万元） | 2149.09)
BUDGET_LABEL = re.compile(r"^(?:年度)?预算资金[（(]万元[)）]$")
# In a 项目资金（万元） / 专项资金情况（万元） block, the cell before the total:
# 烟台 年度预算资金总额： | 176.00, 福州 资金总额 | 118.00, 江苏 年度预算总额
BUDGET_CELLS = ("年度预算总额", "年度预算资金总额", "资金总额")
# A contact label with its value in the same cell: "联系人：王某".
CONTACT_IN_CELL = re.compile(rf"(?:{'|'.join(CONTACT_LABELS)})\s*[:：]\s*(?P<value>\S.*)$")

# 一级指标 names that do not end in 指标 (department tables) or that a shifted
# row could otherwise take for a 二级指标.
LEVEL1_NAMES = {"产出指标", "效益指标", "满意度指标", "成本指标", "履职效能", "管理效率", "社会效应"}
MARKDOWN_RULE = re.compile(r"^[-:—\s]*$")


@dataclass
class TargetTables:
    rows: list[dict] = field(default_factory=list)
    contacts: list[Contact] = field(default_factory=list)   # private cells, for hiding
    problems: list[tuple[int, str]] = field(default_factory=list)


def is_table_title(text: str) -> bool:
    t = norm(text)
    return bool(TABLE_TITLE.search(t)) and len(t) <= 20


def _scope(title: str) -> str:
    return "project" if "项目" in title else "department"


def parse_target_tables(rows: list[Row]) -> TargetTables:
    """All 绩效目标表 in `rows` (part 3), in document order."""
    out = TargetTables()
    table: _Table | None = None
    for title, body in _split_tables(rows):
        if not any(c.strip() for r in body for c in r.cells):
            # a heading over tables (福州 1.项目支出绩效目标表) or a title printed
            # twice (烟台: title, (2026年度), title): nothing under it to read
            continue
        # A title repeated at a page break, with no label rows under it,
        # continues the table above rather than starting a new one.
        if table is None or not _starts_with_header(body):
            if table is not None:
                table.finish(out)
            table = _Table(title, (table.info["table_index"] + 1) if table else 1)
        for row in body:
            table.read(row, out)
    if table is not None:
        table.finish(out)
    return out


def _split_tables(rows: list[Row]) -> list[tuple[Row, list[Row]]]:
    """(title row, table rows) for each table: the rows after a title up to the
    next prose line that is not the "(2026 年)" line under the title."""
    tables: list[tuple[Row, list[Row]]] = []
    current: list[Row] | None = None
    spilled = 0
    for row in rows:
        if not row.tabular and is_table_title(row.text):
            current, spilled = [], 0
            tables.append((row, current))
        elif current is None:
            continue
        elif row.tabular:
            current.append(row)
        elif YEAR_LINE.match(row.text):
            continue
        elif current and spilled < 3 and not any(_is_header([tidy(c) for c in r.cells]) for r in current):
            # a long 年度总体目标 spilled out of its cell (烟台 专项资金绩效目标表):
            # the indicator header is still to come
            spilled += 1
        else:
            current = None
    return tables


class _Table:
    """One 绩效目标表 being read: its label values, columns and fill-down state."""

    def __init__(self, title: Row, index: int):
        self.title = title
        self.info = {"scope": _scope(title.text), "table_index": index,
                     "project": None, "unit_name": None, "budget": None}
        if named := NAMED_TITLE.match(norm(title.text)):
            self.info["project"] = named.group("name")   # a 项目名称 row, if any, overrides it
        self.columns: list[str] | None = None
        self.level1 = self.level2 = ""
        self.rows: list[dict] = []

    def read(self, row: Row, out: TargetTables) -> None:
        cells = [tidy(c) for c in row.cells]
        if all(MARKDOWN_RULE.match(c) for c in cells):
            return
        if _is_header(cells):
            self.columns = [_header_key(c) for c in cells]
            return
        if self.columns is None:
            _read_label_row(row, cells, self.info, out)
            return
        aligned = _align(cells, len(self.columns))
        if aligned is None:
            return
        if not any(aligned[:3]):
            # A wrapped cell continued on a row of its own: glue onto the row above.
            if self.rows:
                _continue_row(self.rows[-1], self.columns, aligned)
            return
        record = dict(zip(self.columns, aligned))
        if record.get("level1"):
            self.level1, self.level2 = record["level1"], record.get("level2", "")
        else:
            self.level2 = record.get("level2") or self.level2
        record.update(level1=self.level1, level2=self.level2)
        self.rows.append(_target_row(self.info, record, row.line))

    def finish(self, out: TargetTables) -> None:
        name = self.info["project"] or self.title.text
        if self.columns is None:
            out.problems.append((self.title.line, f"绩效目标表“{name}”没有找到指标表头（一级指标/二级指标/三级指标），未能读取"))
        elif not self.rows:
            out.problems.append((self.title.line, f"绩效目标表“{name}”有表头但没有读出任何指标行"))
        out.rows.extend(self.rows)


def _starts_with_header(body: list[Row]) -> bool:
    first = next((r for r in body if any(c.strip() for c in r.cells)), None)
    return first is not None and _is_header([tidy(c) for c in first.cells])


def _is_header(cells: list[str]) -> bool:
    if not any("三" in c for c in cells):   # cheap first: most rows are indicator rows
        return False
    names = {norm(c) for c in cells}
    return "一级指标" in names and "三级指标" in names


def _header_key(cell: str) -> str:
    name = norm(cell)
    for needle, key in HEADER_KEYS:
        if needle in name:
            return key
    return "col_" + name


def _read_label_row(row: Row, cells: list[str], info: dict, out: TargetTables) -> None:
    """Label rows: pick the unit, project and budget; keep contacts aside.
    `cells`: the row's cells tidied. A contact is the cell after a contact
    label, as printed (with its line: in the cell-per-line layout each cell
    has its own), or the value after the label in the label's own cell."""
    filled = [i for i, c in enumerate(cells) if c]      # an empty value cell is skipped, not taken from below
    values = [cells[i] for i in filled]
    if not values:
        return
    label = norm(values[0])
    for k, i in enumerate(filled):
        if m := CONTACT_IN_CELL.search(row.cells[i].strip()):
            out.contacts.append(Contact(row.cell_lines[i], m.group("value")))
        elif _is_contact_label(cells[i]) and k + 1 < len(filled) and not _is_contact_label(values[k + 1]):
            out.contacts.append(Contact(row.cell_lines[filled[k + 1]], row.cells[filled[k + 1]].strip()))
    if label.startswith(UNIT_LABELS) and len(values) > 1:
        info["unit_name"] = values[1]
    elif label.startswith(PROJECT_LABELS) and len(values) > 1:
        if not _is_contact_label(values[1]):
            info["project"] = values[1]
    elif BUDGET_LABEL.match(label) and len(values) > 1 and info["budget"] is None:
        info["budget"] = to_number(values[1])
    elif budget_at := [i for i, v in enumerate(values) if norm(v).rstrip(":：") in BUDGET_CELLS]:
        if budget_at[0] + 1 < len(values) and info["budget"] is None:
            info["budget"] = to_number(values[budget_at[0] + 1])
    elif any(norm(v).startswith("合计") for v in values) and info["budget"] is None:
        # Department table: "合计：" row of the 年度预算 block holds the total.
        after = values[[i for i, v in enumerate(values) if norm(v).startswith("合计")][0] + 1:]
        numbers = [to_number(v) for v in after if to_number(v) is not None]
        if numbers:
            info["budget"] = numbers[0]


def _is_contact_label(cell: str) -> bool:
    return norm(cell).endswith(CONTACT_LABELS)


def _is_indicator(cell: str) -> bool:
    name = norm(cell)
    return name.endswith("指标") or name in LEVEL1_NAMES


def _align(cells: list[str], width: int) -> list[str] | None:
    """Repair PDF damage so cell i is column i; None for an empty row."""
    cells = cells + [""] * (width - len(cells))
    if not any(cells):
        return None
    # Extra cells beyond the header are kept only when they hold text.
    extra = [c for c in cells[width:] if c]
    cells = cells[:width]
    if extra:
        cells[-1] = " ".join([cells[-1]] + extra).strip()
    if width < 4:
        return cells
    if not cells[0] and _is_indicator(cells[1]) and _is_indicator(cells[2]):
        # One cell too far right: ['', 成本指标, 经济成本指标, 三级, …].
        return cells[1:] + [""]
    if (_is_indicator(cells[0]) and norm(cells[0]) not in LEVEL1_NAMES
            and cells[1] and not _is_indicator(cells[1]) and not cells[-1]):
        # One cell too far left: [时效指标, 三级, 指标值, …, ''].
        return [""] + cells[:-1]
    if cells[0] and not _is_indicator(cells[0]) and not cells[1] and not cells[2]:
        # 三级指标 printed in the first cell: [三级, '', '', 指标值, …].
        return ["", "", cells[0]] + cells[3:]
    return cells


def _continue_row(previous: dict, columns: list[str], cells: list[str]) -> None:
    for key, cell in zip(columns, cells):
        if not cell or key not in previous:
            continue
        if key == "weight":
            continue  # a unit word like "分" wrapped under the weight adds nothing
        previous[key] = (previous[key] or "") + cell


def _target_row(info: dict, record: dict, line: int) -> dict:
    row = {k: info[k] for k in ("scope", "table_index", "project", "unit_name", "budget")}
    for key in TEXT_COLUMNS:
        row[key] = record.get(key) or None
    row["weight"] = _weight(record.get("weight"))
    row["source_line"] = line
    return row


def _weight(text: str | None) -> float | None:
    if not text:
        return None
    m = NUM_RE.search(text)
    return to_number(m.group(0)) if m else None
