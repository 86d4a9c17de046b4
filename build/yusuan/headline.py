"""A document's headline figures, each read from one printed cell.

Templates print the same figure in different places: 收入总计 or 收入合计 or a
bare 合计 on the income side of the summary table; the 三公 total as a row, as
a column, as a 小计 beside 会议费 and 培训费, or beside last year's. The
functions here find the cell; nothing is added up or recomputed. A figure
whose cell is not there is None (unknown), never 0; a printed row or column
left blank is 0.
"""
from __future__ import annotations

import re

from .tables import Cell, Table
from .terms import SUMMARY_ROWS, is_secret_project, plain, plain_label, three_public_item

THREE_PUBLIC_ITEMS = ["total", "outbound", "reception", "vehicles", "vehicle_purchase", "vehicle_operation"]
_YEAR = re.compile(r"(20\d\d)\s*年")
_NOT_THREE_PUBLIC = ("会议费", "培训费")


def summary_cell(t: Table | None, what: str) -> Cell | None:
    """The cell of a summary table's row `what` (SUMMARY_ROWS: 收入总计 /
    收入合计 …): the first alias printed as a whole label, else as its start.
    A summary whose totals are a bare 合计/总计 on each side (重庆, 决算) has
    the income total on the left and the expenditure total on the right."""
    if t is None:
        return None
    for exact in (True, False):
        for alias in SUMMARY_ROWS[what]:
            for c in t.cells:
                lab = plain_label(c.row_label)
                if lab == alias if exact else lab.startswith(alias):
                    return c
    if what in ("income_total", "expenditure_total"):
        totals = sorted((c for c in t.cells if c.is_total), key=lambda c: c.col)
        named = {plain_label(c.row_label) for c in totals}
        if totals and len(named) == 1 and totals[0].col != totals[-1].col:
            return totals[0] if what == "income_total" else _first_of_side(t, totals)
    return None


def _first_of_side(t: Table, totals: list[Cell]) -> Cell:
    """The first total cell right of the left side's label block (the
    expenditure side of a two-sided summary)."""
    first_name = next((p for p, r in enumerate(t.roles) if r == "name"), 0)
    right_names = [p for p, r in enumerate(t.roles) if r == "name" and p > first_name + 1]
    start = right_names[0] if right_names else totals[-1].col
    return next((c for c in totals if c.col > start), totals[-1])


def summary_figure(t: Table | None, what: str) -> float | None:
    c = summary_cell(t, what)
    if c is not None:
        return c.amount
    if t is not None and any(plain_label(r.label) in SUMMARY_ROWS[what] for r in t.rows):
        return 0.0     # the row is printed, its cell left blank
    return None


def column_total(t: Table | None, key: str) -> float | None:
    """The total row's figure in column `key`. A table printed empty says 0;
    a table without that column, or without a total row, says nothing. In a
    table of one amount column (金额, 预算数) that column is its 合计."""
    if t is None:
        return None
    if t.is_empty:
        return 0.0 if t.notes or t.rows or t.header else None
    key = column_of(t, key)
    row = t.total_row()
    if row is None or key is None:
        return None
    return row.values.get(key, 0.0)


def column_of(t: Table, key: str) -> str | None:
    """The table's column for a measure: its own key, or the one column that
    holds it under another name — `基本支出/人员经费` for 人员经费, a 小计
    or the table's one amount column for its total. None when not one."""
    if key in t.keys:
        return key
    amounts = [k for k, r in zip(t.keys, t.roles) if r == "amount"]
    if key == "total":
        for other in ("subtotal", "amount"):
            if amounts.count(other) == 1 and (other == "subtotal" or set(amounts) == {"amount"}):
                return other
        return None
    qualified = [k for k in dict.fromkeys(amounts) if k.endswith("_" + key) and k.startswith("basic_")]
    return qualified[0] if len(qualified) == 1 else None


def three_public(t: Table | None, year: int | None, kind: str = "部门预算") -> dict[str, float | None]:
    """The 三公 figures of this year's budget (or accounts): total, outbound,
    reception, vehicles (= purchase + operation), from items printed as rows
    or as columns, leaving out last year's figures and 会议费/培训费, and in a
    决算 the 预算数 column beside the 决算数."""
    out: dict[str, float | None] = dict.fromkeys(THREE_PUBLIC_ITEMS)
    if t is None:
        return out
    if t.is_empty:
        return dict.fromkeys(THREE_PUBLIC_ITEMS, 0.0) if t.notes or t.header else out
    positions = _this_years_columns(t, year, kind)
    rows = [r for r in t.rows if three_public_item(r.label)]
    if len({three_public_item(r.label) for r in rows} - {"total"}) >= 1:
        # items as rows: each in the table's total (or only) amount column
        col = next((p for p in positions if t.keys[p] == "total"), None)
        if col is None:
            col = next((p for p in positions if t.roles[p] == "amount"), None)
        for r in rows:
            item = three_public_item(r.label)
            if out[item] is None and col is not None:
                out[item] = r.at.get(col, 0.0)
        return out
    # items as columns: on this year's row (深圳 prints a row a year), else the total row
    row = next((r for r in t.rows if year and f"{year}年" in plain(r.label)), None) \
        or t.total_row() or (t.rows[0] if len(t.rows) == 1 else None)
    if row is None:
        return out
    by_item: dict[str, list[int]] = {}
    for p in positions:
        item = _column_item(t, p)
        if item:
            by_item.setdefault(item, []).append(p)
    for item, ps in by_item.items():
        # one column an item, or its 小计/合计, or its 一般公共预算 (a 三公 table is of 财政拨款)
        p = next((p for p in ps if plain(t.columns[p][-1]).endswith(("小计", "合计", "总计"))), None) \
            or next((p for p in ps if t.keys[p] == "gpb"), ps[0])
        out[item] = row.at.get(p, 0.0)
    return out


def _this_years_columns(t: Table, year: int | None, kind: str = "部门预算") -> list[int]:
    """Amount positions not under another year's heading (2025年预算数 beside
    2026年预算数), nor, in a 决算, under 预算数."""
    positions = [p for p, r in enumerate(t.roles) if r == "amount"]
    if kind.endswith("决算") and any("决算" in x for p in positions for x in t.columns[p]):
        positions = [p for p in positions if any("决算" in x for x in t.columns[p])]
    # 西安: 上年 | 当年 | 增减变化情况 side by side
    this_year = [p for p in positions if not any(x.startswith(("上年", "增减")) for x in map(plain, t.columns[p]))]
    positions = this_year or positions
    if year is None:
        return positions

    def years(p: int) -> set[int]:
        return {int(y) for x in t.columns[p] for y in _YEAR.findall(x)}

    if not any(years(p) for p in positions):
        return positions
    return [p for p in positions if not years(p) or year in years(p)]


def _column_item(t: Table, p: int) -> str | None:
    """The 三公 item a column holds, from its header path: 因公出国（境）费 →
    outbound, 公务用车…/小计 → vehicles, “三公”经费/小计 → total, 总计/一般公共
    预算 → total (深圳: items over fund columns), and the table's 合计 when
    nothing but 三公 is beside it (not beside 会议费 and 培训费)."""
    path = [plain(x) for x in t.columns[p]]
    if not path:
        return None
    leaf = path[-1]
    if leaf in ("小计", "合计") and len(path) > 1:
        parent = path[-2]
        item = three_public_item(parent) or ("total" if "三公" in parent else None)
        if item:
            return item       # (else a 合计 under 2026年预算数: the table's own)
    item = three_public_item(leaf)
    if item == "total" and "三公" not in leaf:
        others = [plain(x) for q in range(len(t.columns)) for x in t.columns[q]]
        if any(w in x for x in others for w in _NOT_THREE_PUBLIC):
            return None    # 合计 of 三公 with 会议费 and 培训费: not the 三公 total
    if item:
        return item
    if "三公" in leaf and leaf.endswith(("合计", "总额", "总计")):
        return "total"
    for x in reversed(path[:-1]):    # a fund column under its item
        item = three_public_item(x)
        if item:
            return item
    return None


def _first(*values: float | None) -> float | None:
    return next((v for v in values if v is not None), None)


def headline(doc) -> dict[str, object]:
    """The documents dataset's headline columns for one parsed document."""
    t = doc.tables.get
    summary = t("summary")
    projects = t("gpb_projects")
    carry = t("carryover")
    project_rows = [r for r in projects.rows if r.project] if projects else []
    secret = [r for r in project_rows if is_secret_project(r.project)]
    carry_rows = [r for r in carry.rows if not r.is_total and not r.is_unit_row] if carry else []
    three = three_public(t("three_public"), doc.year, doc.kind)
    parts = [three[k] for k in ("outbound", "reception", "vehicles")]
    if three["total"] is not None and (None in parts or abs(sum(parts) - three["total"]) > 0.0151):
        # parts that do not add up to the total were not read right: not published
        if any(p is not None for p in parts):
            doc.problems.append((t("three_public").line, "warning", "“三公”经费表的分项（出国、接待、公务用车）"
                                 "读出后与合计不符，可能是表头未读准：分项不作为主要数字公布"))
        for k in ("outbound", "reception", "vehicles", "vehicle_purchase", "vehicle_operation"):
            three[k] = None
    return {
        "total_budget": summary_figure(summary, "income_total"),
        "expenditure_total": summary_figure(summary, "expenditure_total"),
        "current_year_income": summary_figure(summary, "current_year_income"),
        "current_year_expenditure": summary_figure(summary, "current_year_expenditure"),
        "carryover": summary_figure(summary, "carryover"),
        "closing_carryover": summary_figure(summary, "closing_carryover"),
        "basic_expenditure": column_total(t("expenditure"), "basic"),
        "project_expenditure": column_total(t("expenditure"), "project"),
        "fiscal_total": summary_figure(t("fiscal_summary"), "income_total"),
        "gpb_total": column_total(t("gpb_expenditure"), "total"),
        "gpb_basic": column_total(t("gpb_expenditure"), "basic"),
        "gpb_project": column_total(t("gpb_expenditure"), "project"),
        "personnel": _first(column_total(t("gpb_basic"), "personnel"), summary_figure(t("gpb_basic"), "personnel")),
        "public_funds": _first(column_total(t("gpb_basic"), "public_funds"),
                               summary_figure(t("gpb_basic"), "public_funds")),
        "three_public": three["total"],
        "three_public_outbound": three["outbound"],
        "three_public_reception": three["reception"],
        "three_public_vehicles": three["vehicles"],
        "entrusted_fees": column_total(t("entrusted_fees"), "total"),
        "n_projects": len(project_rows),
        "n_carryover_projects": len(carry_rows),
        "secret_project_amount": round(sum(r.values.get("total", 0.0) for r in secret), 6),
        "n_secret_projects": len(secret),
    }
