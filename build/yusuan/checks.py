"""Check stage: the arithmetic a disclosure must satisfy (DOMAIN.md), per document.

Every check compares a printed total (`expected`) with the sum of printed
parts (`actual`). Each printed figure is rounded to its table's last digit
(0.01 万元, or 1 元 in a whole-元 table), so a sum may miss its total by up to
half that digit per printed term, total included: such a difference is
`rounding`; anything larger is `fail`. Two printings of one figure must agree
up to the rounding of the coarser one. A failure is published, never fixed.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from .document import Document
from .tables import DataRow, Table
from .headline import summary_cell
from .terms import ECONOMIC_TABLES, FUNCTION_TABLES, is_count, plain, three_public_item

CODED_TABLES = [*FUNCTION_TABLES, *ECONOMIC_TABLES, "gpb_projects"]
GROUPED_TABLES = ["gpb_projects", "entrusted_fees", "carryover"]
LEVEL_NAMES = {3: "类", 5: "款", 7: "项"}
# Header words of columns that are not parts of a total: 其中 (of which),
# shares, changes, last year's figures.
_NOT_ADDED = re.compile(r"^其中|%|％|比重|占比|增减|增长|同比|比上年|上年预算|上年执行|上年决算|上年数|政府采购|中小企业|备注|说明|"
                        r"数量|人数|编制数|面积|单价")
_TOTAL_WORDS = ("合计", "总计", "小计")


@dataclass(slots=True)
class Check:
    check_id: str
    description: str
    expected: float
    actual: float
    tolerance: float      # the largest difference rounding of the printed terms explains
    tables: str
    lines: str

    @property
    def difference(self) -> float:
        return round(self.actual - self.expected, 6)

    @property
    def status(self) -> str:
        return _status(self.difference, self.tolerance)

    def as_row(self, doc_id: str) -> dict:
        """The check's row in the checks dataset (of document doc_id)."""
        difference = self.difference   # computed once for both columns
        return {"doc_id": doc_id, "check_id": self.check_id, "description": self.description,
                "expected": round(self.expected, 6), "actual": round(self.actual, 6),
                "difference": difference, "tolerance": round(self.tolerance, 8),
                "status": _status(difference, self.tolerance), "tables": self.tables, "lines": self.lines}


def _status(difference: float, tolerance: float) -> str:
    d = abs(difference)
    if d < max(tolerance * 1e-3, 1e-9):
        return "pass"
    if d <= tolerance + 1e-9:
        return "rounding"
    return "fail"


def _tolerance(t: Table, *printed: int) -> float:
    """Half the last printed digit for each printed term (a sum of n printed
    figures, each rounded, may miss its printed total by that much)."""
    return t.half_unit * sum(printed)


def _lines(*rows: DataRow) -> str:
    return ",".join(map(str, sorted({r.line for r in rows})))


def _sum_check(check_id: str, description: str, parent: DataRow, children: list[DataRow],
               key: str, t: Table, lines: str | None = None) -> Check | None:
    """parent = sum of children in column `key`; `lines` (theirs) may be passed
    in when the same rows are checked in several columns."""
    printed = [c for c in children if key in c.values]
    if key not in parent.values:
        # nothing printed to check against: a blank total over printed parts
        # is more often a row we read apart than a total left out
        return None
    return Check(check_id, description, parent.values.get(key, 0.0), sum(c.values[key] for c in printed),
                 _tolerance(t, len(printed) + (key in parent.values)), t.key,
                 lines if lines is not None else _lines(parent, *children))


def _label(t: Table, p: int) -> str:
    return t.columns[p][-1] if t.columns[p] else f"第{p + 1}列"


Reading = tuple   # (total position, part positions, description)


def identities(t: Table, with_of_which: bool = False) -> list[Reading]:
    """(total position, part positions, description) for every total column
    of the header: a 合计/总计/小计 column is the sum of the columns beside
    it under the same heading — each a column, or a heading's own 小计, or
    the columns under a heading without one. Shares and last year's figures
    are not parts; nor are 其中 (of which) columns, unless `with_of_which`
    (广州 heads the two parts of 小计 `其中：基本支出 | 项目支出`)."""
    amount = [p for p, r in enumerate(t.roles) if r == "amount" and t.columns[p]]
    out: list[Reading] = []

    def left_out(label: str) -> bool:
        label = plain(label)
        return bool(_NOT_ADDED.search(label.removeprefix("其中：") if with_of_which else label))

    def is_total(p: int, depth: int) -> bool:
        return len(t.columns[p]) == depth + 1 and (plain(t.columns[p][depth]).endswith(_TOTAL_WORDS)
                                                  or t.keys[p] == "total")

    def value_of(ps: list[int], depth: int) -> list[int] | None:
        """The positions that add up to this heading: itself, its 小计, or its parts."""
        if len(ps) == 1 and len(t.columns[ps[0]]) == depth + 1:
            return ps
        own = [p for p in ps if is_total(p, depth + 1)]
        if own:
            return own[:1]
        leaves = [p for p in ps if not any(left_out(x) for x in t.columns[p][depth + 1:])]
        return leaves or None

    def walk(ps: list[int], depth: int) -> None:
        groups: dict[str, list[int]] = {}
        for p in ps:
            if len(t.columns[p]) > depth:
                groups.setdefault(t.columns[p][depth], []).append(p)
        totals = [g[0] for g in groups.values() if len(g) == 1 and is_total(g[0], depth)]
        if len(totals) == 1:
            parts: list[int] = []
            names: list[str] = []
            # “三公”经费合计 beside 会议费 | 培训费 (无锡) adds up the three only
            three_only = "三公" in plain(t.columns[totals[0]][depth])
            for label, g in groups.items():
                if g == totals or left_out(label):
                    continue
                if three_only and three_public_item(label) in (None, "total"):
                    continue
                v = value_of(g, depth)
                if v is None:
                    parts = []
                    break
                parts += v
                names.append(label)
            if parts:
                out.append((totals[0], parts, f"{_label(t, totals[0])} = " + " + ".join(names)))
        for g in groups.values():
            if any(len(t.columns[p]) > depth + 1 for p in g):
                walk(g, depth + 1)

    walk(amount, 0)
    return out


def row_identities(t: Table) -> tuple[list[Check], list[tuple[int, str]]]:
    """Every row: each total column = the sum of its parts (see `identities`).

    The parts come from our reading of the header, which merged cells and
    misaligned rows can make wrong. Where the header leaves two readings
    open (whether 其中 columns are parts), the one under which the table's
    rows add up is taken, and a note says so. An identity that fails on most
    of the rows it applies to under every reading is taken for a misreading,
    not for the department's error: its checks are not published and a
    problem says so."""
    out: list[Check] = []
    problems: list[tuple[int, str]] = []
    alternatives = {r[0]: r for r in identities(t, with_of_which=True)}
    readings = []
    for reading in identities(t):
        checks, held = _row_checks(t, reading)
        total, parts, desc = reading
        other = alternatives.get(total)
        if other and other[1] != parts and held * 2 < len(checks):
            other_checks, other_held = _row_checks(t, other)
            if other_held * 2 >= len(other_checks) > 0:
                t.readings.append(f"表{t.number}「{t.title}」：“{other[2]}”——其中列计入合计时该表各行相符，按此读")
                checks, held, reading = other_checks, other_held, other
        readings.append((reading, checks, held))
    # The same header under another heading (2020年 | 2021年 | 增减) whose
    # rows add up confirms the reading: failures under it are the table's.
    confirmed = {_shape(t, r) for r, checks, held in readings if held * 2 >= len(checks) > 0}
    shapes = Counter(_shape(t, r) for r, _, _ in readings)
    for (total, parts, desc), checks, held in readings:
        if shapes[_shape(t, (total, parts, desc))] > 1:     # say which heading's: 2021年：合计 = …
            for c in checks:
                c.description = c.description.replace("：", f"：{t.columns[total][0]}：", 1)
        known = all(not t.keys[p].startswith("col") for p in [total, *parts])
        if checks and held * 2 < len(checks) and (len(checks) > 1 or not known) \
                and _shape(t, (total, parts, desc)) not in confirmed:
            problems.append((t.line, f"表{t.number}「{t.title}」：按本站读出的表头，“{desc}”在 {len(checks)} 行中只有 "
                                     f"{held} 行成立，可能是表头未读准；这些校验不作为文件的错误公布"))
            continue
        out += checks
    return out, problems


def _shape(t: Table, reading: Reading) -> tuple:
    """A reading without the top heading of its columns, when it has one
    above the total's own label: the same identity under 2020年 and 2021年."""
    total, parts, _ = reading
    if len(t.columns[total]) < 2:
        return (total, tuple(parts))
    return tuple(tuple(t.columns[p][1:]) for p in [total, *parts])


def _column_id(t: Table, p: int) -> str:
    """The column's key in check ids, with its position when the key repeats
    (a total per year: 2020年/合计, 2021年/合计)."""
    key = t.keys[p]
    return key if t.keys.count(key) == 1 else f"{key}{p + 1}"


def _row_checks(t: Table, reading: Reading) -> tuple[list[Check], int]:
    """The reading's check on every row that prints the total or a part, and how many hold."""
    total, parts, desc = reading
    checks = []
    for r in t.rows:
        printed = [p for p in parts if p in r.at]
        if total not in r.at and not printed:
            continue
        who = r.code or r.project or r.label
        checks.append(Check(f"{t.key}.row.{_column_id(t, total)}.{r.row_no}", f"表{t.number} {who}：{desc}",
                            r.at.get(total, 0.0), sum(r.at[p] for p in printed),
                            _tolerance(t, len(printed) + (total in r.at)), t.key, str(r.line)))
    return checks, sum(c.status != "fail" for c in checks)


# Columns that count things, not money: not summed up the classification tree.


def _measures(t: Table) -> list[str]:
    labels = _columns(t)
    return sorted({k for r in t.rows for k in r.values if "@" not in k and not is_count(labels.get(k, ""))
                   and "单价" not in labels.get(k, "")})


def tree_checks(t: Table) -> list[Check]:
    """Every 类/款 subtotal = sum of its children; 总计 = sum of the 类 rows
    (per budget unit where the table groups rows by unit)."""
    out: list[Check] = []
    groups: dict[str, list[DataRow]] = {}
    for r in t.rows:
        if not r.is_total and not r.is_unit_row and r.code.isdigit():
            groups.setdefault(r.unit_name, []).append(r)
    measures = _measures(t)
    columns = _columns(t)
    for unit, rows in groups.items():
        # Table 7: a project row under a code that also has its own 项 subtotal
        # row is that subtotal's child, not the 款's.
        subtotalled = {x.code for x in rows if not x.project} if t.key == "gpb_projects" else set()
        # Rows (with their position) by the code of the parent they may belong
        # to: each parent then looks at its candidates only, not at every row below it.
        for i, parent in enumerate(rows):
            n = len(parent.code)
            nxt = {3: 5, 5: 7}.get(n)
            # A parent's children are the rows printed under it, up to the next
            # row outside it: a code printed twice (烟台: 部门 经济分类 301 under
            # two 政府 classes) has two blocks, each its own.
            block = []
            for c in rows[i + 1:]:
                if not c.code.startswith(parent.code) or len(c.code) < n or \
                        (len(c.code) == n and not (n == 7 and c.project and not parent.project)):
                    break
                block.append(c)
            children = []
            if nxt:
                children = [c for c in block if len(c.code) == nxt and not (c.project and c.code in subtotalled)]
            elif n == 7 and not parent.project:   # a 项 subtotal over its projects (table 7)
                children = [c for c in block if c.project]
            if not children:
                continue
            lines = _lines(parent, *children)
            for key in measures:
                c = _sum_check(f"{t.key}.tree.{unit and unit + '.'}{parent.code}.{key}",
                               f"表{t.number} {parent.code} {parent.label}（{LEVEL_NAMES.get(n, '')}）= 下级科目之和 [{columns.get(key, key)}]",
                               parent, children, key, t, lines)
                if c:
                    out.append(c)
    return out


def _columns(t: Table) -> dict[str, str]:
    """column key → its label (from the first cell in that column)."""
    labels: dict[str, str] = {}
    for c in t.cells:
        labels.setdefault(c.column_key, c.column_label)
    return labels


def total_checks(t: Table) -> list[Check]:
    """总计 = sum of top-level rows: budget units where the table has them,
    else 类 rows (coded tables) or project rows."""
    total = t.total_row()
    if total is None or t.key not in CODED_TABLES + GROUPED_TABLES:
        return []
    units = [r for r in t.rows if r.is_unit_row]
    if units:
        tops = units
        what = "各预算单位合计之和"
    elif any(r.code.isdigit() for r in t.rows):
        # the top level printed: 类 rows, or 款/项 rows where a table lists no 类
        coded = [r for r in t.rows if r.code.isdigit() and len(r.code) in LEVEL_NAMES and not r.is_total]
        codes = {r.code for r in coded}
        tops = [r for r in coded if not any(r.code[:n] in codes for n in (3, 5) if n < len(r.code))]
        what = "各类之和" if all(len(r.code) == 3 for r in tops) else "各科目之和"
    elif t.key in GROUPED_TABLES:
        tops = [r for r in t.rows if not r.is_total]
        what = "各项目之和"
    else:
        return []
    if not tops:
        return []
    columns = _columns(t)
    measures = _measures(t)

    def sums(check_id: str, description: str, parent, members) -> list[Check]:
        """parent = Σ members, in every measure column."""
        lines = _lines(parent, *members)
        checks = (_sum_check(f"{check_id}.{key}", f"{description} [{columns.get(key, key)}]",
                             parent, members, key, t, lines) for key in measures)
        return [c for c in checks if c]

    out = sums(f"{t.key}.total", f"表{t.number} 总计 = {what}", total, tops)
    # Each unit's subtotal = its rows (类 rows in table 7, projects in 11/12).
    for u in units:
        members = [r for r in t.rows if r.unit_name == u.label and not r.is_unit_row and not r.is_total]
        if any(r.code for r in members):
            members = [r for r in members if len(r.code) == 3]
        kind = "各类" if any(r.code for r in members) else "各项目"
        out += sums(f"{t.key}.unit.{u.label}", f"表{t.number} {u.label} 合计 = 所属{kind}之和", u, members)
    return out


def three_public_checks(t: Table) -> list[Check]:
    """总计 = 出国 + 接待 + 公务用车, 公务用车 = 购置 + 运行, where the items
    are rows (where they are columns, `identities` reads the same sums from
    the header)."""
    by_item = {three_public_item(r.label): r for r in t.rows if three_public_item(r.label)}
    if len(by_item.keys() - {"total"}) < 1:
        return []    # the items are columns, the rows units: `identities` checks them
    out = []
    pairs = [("total", ["outbound", "reception", "vehicles"], "总计 = 因公出国（境）+ 公务接待 + 公务用车购置及运行维护"),
             ("vehicles", ["vehicle_purchase", "vehicle_operation"], "公务用车购置及运行维护（小计）= 购置 + 运行维护")]
    columns = _columns(t)
    for lhs, rhs, desc in pairs:
        if lhs not in by_item:
            continue
        parts = [by_item[k] for k in rhs if k in by_item]
        for key in _measures(t):
            c = _sum_check(f"three_public.items.{lhs}.{key}", f"表{t.number} {desc} [{columns.get(key, key)}]",
                           by_item[lhs], parts, key, t)
            if c:
                out.append(c)
    return out


Figure = tuple   # (amount or None, table key, source line or None, half its last printed digit)


def _equal(check_id: str, desc: str, a: Figure, b: Figure) -> Check | None:
    """a (expected) = b (actual): two printings of one figure agree up to the
    rounding of the coarser one (a table in 元 and one in 万元), no more."""
    if a[0] is None or b[0] is None:
        return None
    tables = ",".join(dict.fromkeys(x for x in (a[1], b[1]) if x))
    lines = ",".join(str(x) for x in sorted({a[2], b[2]} - {None}))
    return Check(check_id, desc, a[0], b[0], max(a[3], b[3]), tables, lines)


def _summed(*figures: Figure) -> Figure:
    if any(f[0] is None for f in figures):
        return (None, "", None, 0.0)
    return (sum(f[0] for f in figures), figures[0][1], figures[0][2], sum(f[3] for f in figures))


def cross_checks(doc: Document) -> list[Check]:
    t = doc.tables.get

    def cell(key: str, what: str) -> Figure:
        tab = t(key)
        c = summary_cell(tab, what)
        return (c.amount, key, c.source_line, tab.half_unit) if c else (None, key, None, 0.0)

    def total(key: str, col: str) -> Figure:
        tab = t(key)
        r = tab.total_row() if tab else None
        if r is None or tab.keys.count(col) != 1 or _blank_beside_figures(r, col):
            # no such row, no such column, two of them, or a blank total beside printed figures
            return (None, key, None, 0.0)
        return (r.values.get(col, 0.0), key, r.lines.get(col, r.line), tab.half_unit)

    income_total = cell("summary", "income_total")
    spend_total = cell("summary", "expenditure_total")
    candidates = [
        _equal("cross.summary.balance", "表1 收入总计 = 支出总计", income_total, spend_total),
        _equal("cross.summary.income", "表1 本年收入 + 上年结转结余 = 收入总计", income_total,
               _summed(cell("summary", "current_year_income"), cell("summary", "carryover"))),
        _equal("cross.summary_vs_income", "表1 收入总计 = 部门收入总体情况表 总计", income_total, total("income", "total")),
        _equal("cross.summary_vs_expenditure", "表1 支出总计 = 部门支出总体情况表 总计", spend_total, total("expenditure", "total")),
        _equal("cross.fiscal.balance", "财政拨款收支表 收入总计 = 支出总计", cell("fiscal_summary", "income_total"),
               cell("fiscal_summary", "expenditure_total")),
        _equal("cross.fiscal_vs_gpb", "财政拨款收支表 一般公共预算支出 = 一般公共预算支出情况表 总计",
               total("gpb_expenditure", "total"), _fiscal_gpb(t("fiscal_summary"))) if not doc.kind.endswith("决算")
        else None,   # a 决算's 总计 adds 年末结转和结余 to the year's spending: not the same figure
        _gpb_vs_income(doc, total),
        _equal("cross.gpb_basic", "一般公共预算支出表 基本支出 = 一般公共预算基本支出表 总计",
               total("gpb_expenditure", "basic"), total("gpb_basic", "total")),
        _equal("cross.gpb_project", "一般公共预算支出表 项目支出 = 一般公共预算项目支出表 总计",
               total("gpb_expenditure", "project"), total("gpb_projects", "total")),
        _equal("cross.carryover", "上年结转结余情况表 总计 = 表1 上年结转结余",
               cell("summary", "carryover"), total("carryover", "total")),
    ]
    out = [c for c in candidates if c]
    # Table 1's expenditure side by 类 = table 3's 类 rows.
    summary, expend = t("summary"), t("expenditure")
    if summary and expend:
        classes = {r.code: r for r in expend.rows if len(r.code) == 3}
        for c in summary.cells:
            if len(c.code) == 3 and c.code in classes:
                r = classes[c.code]
                out.append(Check(f"cross.summary_class.{c.code}", f"表1 {c.code} {c.row_label} = 部门支出总体情况表 该类合计",
                                 c.amount, r.values.get("total", 0.0), max(summary.half_unit, expend.half_unit),
                                 "summary,expenditure", f"{c.source_line},{r.line}"))
    return out


def _blank_beside_figures(row: DataRow, key: str) -> bool:
    """The total row's 合计 (column `total`) blank while the row prints
    other figures: a row we read apart (its figures under other columns),
    not a total of 0 (as in `_sum_check`). A blank part (上级转移支付) is
    0; a total row printing nothing is an empty table's."""
    return key == "total" and key not in row.values and bool(row.values)


def _gpb_vs_income(doc: Document, total) -> Check | None:
    """一般公共预算支出 = the income table's 一般公共预算 (with 上级…转移支付
    where it has that column). Templates differ on whether the year's
    一般公共预算 spending includes last year's carry-over (深圳 prints it in
    its own 上年结余、结转 column): the reading with it is taken when only it
    holds; when neither holds, the pairing is ours to doubt and a problem
    says so instead of a `fail`."""
    income = doc.tables.get("income")
    spent = total("gpb_expenditure", "total")
    if income is None or spent[0] is None:
        return None
    received = _summed(total("income", "gpb"), total("income", "gpb_transfer")) if "gpb_transfer" in income.keys \
        else total("income", "gpb")
    desc = "一般公共预算支出情况表 总计 = 部门收入表 一般公共预算（含上级转移支付）"
    check = _equal("cross.gpb_vs_income", desc, spent, received)
    if check is None or check.status != "fail":
        return check
    carried = [k for k, path in zip(income.keys, income.columns) if any("上年结" in plain(x) for x in path)]
    if len(set(carried)) == 1:
        with_carry = _equal("cross.gpb_vs_income", desc + " + 上年结转结余", spent,
                            _summed(received, total("income", carried[0])))
        if with_carry and with_carry.status != "fail":
            return with_carry
    doc.problems.append((None, "warning", f"{desc}：两表读出的数字不符（{spent[0]:,.2f} 与 {received[0]:,.2f}），"
                                          "可能是本站配错了收入表的列，不作为文件的错误公布"))
    return None


def _fiscal_gpb(t: Table | None) -> Figure:
    if t is None:
        return (None, "fiscal_summary", None, 0.0)
    for c in t.cells:
        if c.column_key == "gpb" and "总计" in c.row_label:
            return (c.amount, "fiscal_summary", c.source_line, t.half_unit)
    return (None, "fiscal_summary", None, 0.0)


# Part 3 restatement key → (table, how to read it, description)
RESTATED = {
    "total_budget": ("summary", ("cell", "income_total"), "收支总预算"),
    "income_total": ("summary", ("cell", "income_total"), "收入预算"),
    "expenditure_total": ("expenditure", ("total", "total"), "支出预算"),
    "basic_expenditure": ("expenditure", ("total", "basic"), "基本支出"),
    "project_expenditure": ("expenditure", ("total", "project"), "项目支出"),
    "fiscal_total": ("fiscal_summary", ("cell", "income_total"), "财政拨款收支总预算"),
    "gpb_total": ("gpb_expenditure", ("total", "total"), "一般公共预算拨款合计"),
    "gpb_basic": ("gpb_expenditure", ("total", "basic"), "一般公共预算基本支出"),
    "gpb_project": ("gpb_expenditure", ("total", "project"), "一般公共预算项目支出"),
    "personnel": ("gpb_basic", ("total", "personnel"), "人员经费"),
    "public_funds": ("gpb_basic", ("total", "public_funds"), "公用经费"),
    "three_public": ("three_public", ("total", "total"), "“三公”经费"),
    "entrusted_fees": ("entrusted_fees", ("total", "total"), "委托业务费"),
    "carryover": ("carryover", ("total", "total"), "上年结转结余"),
}


def restatement_checks(doc: Document) -> list[Check]:
    out = []
    seen: dict[str, int] = {}
    for r in getattr(doc.narrative, "restatements", []):
        spec = RESTATED.get(r["key"])
        if not spec:
            continue
        key, (how, what), desc = spec
        tab = doc.tables.get(key)
        if tab is None:
            continue
        if how == "cell":
            c = summary_cell(tab, what)
            table_value = (c.amount, c.source_line) if c else None
        else:
            row = tab.total_row()
            table_value = None if row and _blank_beside_figures(row, what) else \
                (row.values.get(what, 0.0), row.lines.get(what, row.line)) if row else \
                ((0.0, tab.line) if tab.notes else None)
        if table_value is None:
            continue
        n = seen[r["key"]] = seen.get(r["key"], 0) + 1
        out.append(Check(f"narrative.{r['key']}" + (f".{n}" if n > 1 else ""),
                         f"情况说明所述{desc}（第 {r['source_line']} 行）= 表「{tab.title}」",
                         table_value[0], r["amount"], max(tab.half_unit, 0.005), key,
                         f"{table_value[1]},{r['source_line']}"))
    return out


def run_checks(doc: Document) -> list[Check]:
    """Every check of a document. Readings too unsure to publish as checks
    (see `row_identities`) are added to doc.problems."""
    out: list[Check] = []
    for t in doc.tables.values():
        checks, unsure = row_identities(t)
        out += checks
        doc.problems += [(line, "warning", msg) for line, msg in unsure]
        if t.key in CODED_TABLES:
            out += tree_checks(t)
        out += total_checks(t)
        if t.key == "three_public":
            out += three_public_checks(t)
    out += cross_checks(doc)
    out += restatement_checks(doc)
    if doc.cut_table:
        # a table the file breaks off in cannot add up: its fails are the cut's, not the department's
        out = [c for c in out if not (c.status == "fail" and doc.cut_table in c.tables.split(","))]
    return out
