"""Check stage: the arithmetic a disclosure must satisfy (DOMAIN.md), per document.

Every check compares a printed total (`expected`) with the sum of printed
parts (`actual`). Amounts are rounded to 0.01 万元 from yuan, so a sum of n
terms may miss its total by up to half a cent per term: such a difference is
`rounding`; anything larger is `fail`. A failure is published, never fixed.
"""
from __future__ import annotations

from dataclasses import dataclass

from .document import Document
from .tables import DataRow, Table

# Row identities: lhs column = sum of rhs columns, on every row of the table.
ROW_IDENTITIES: dict[str, list[tuple[str, list[str], str]]] = {
    "income": [
        ("total", ["fiscal_subtotal", "special_account", "unit_funds", "fiscal_carryover", "nonfiscal_carryover"],
         "总计 = 财政拨款（补助）+ 财政专户 + 单位资金 + 财政拨款结转 + 非财政拨款结转结余"),
        ("fiscal_subtotal", ["gpb", "gpb_transfer", "gov_fund", "gov_fund_transfer", "state_capital",
                             "state_capital_transfer"], "财政拨款（补助）小计 = 各资金来源之和"),
    ],
    "expenditure": [("total", ["basic", "project"], "合计 = 基本支出 + 项目支出")],
    "gpb_expenditure": [("total", ["basic", "project"], "合计 = 基本支出 + 项目支出")],
    "gov_fund": [("total", ["basic_personnel", "basic_public_funds", "basic", "project"], "合计 = 基本支出 + 项目支出")],
    "state_capital": [("total", ["basic_personnel", "basic_public_funds", "basic", "project"], "合计 = 基本支出 + 项目支出")],
    "gpb_basic": [("total", ["personnel", "public_funds"], "合计 = 人员经费 + 公用经费")],
    "gpb_projects": [("total", ["wages", "goods_services", "individual_family", "debt_interest",
                                "capital_construction", "capital", "enterprise_construction",
                                "enterprise_subsidy", "social_security_fund", "other"],
                      "项目支出合计 = 各经济分类之和")],
    "three_public": [("total", ["gpb", "gov_fund", "state_capital"], "合计 = 一般公共预算 + 政府性基金 + 国有资本经营预算")],
    "entrusted_fees": [("total", ["gpb", "gov_fund", "state_capital"], "合计 = 一般公共预算 + 政府性基金 + 国有资本经营预算")],
    "carryover": [
        ("total", ["fiscal_subtotal", "nonfiscal_subtotal"], "合计 = 财政拨款小计 + 非财政拨款小计"),
        ("fiscal_subtotal", ["fiscal_basic_personnel", "fiscal_basic_public_funds", "fiscal_project"],
         "财政拨款小计 = 人员经费 + 公用经费 + 项目支出"),
        ("nonfiscal_subtotal", ["nonfiscal_basic_personnel", "nonfiscal_basic_public_funds", "nonfiscal_project"],
         "非财政拨款小计 = 人员经费 + 公用经费 + 项目支出"),
    ],
}
CODED_TABLES = ["income", "expenditure", "gpb_expenditure", "gov_fund", "state_capital", "gpb_basic", "gpb_projects"]
GROUPED_TABLES = ["gpb_projects", "entrusted_fees", "carryover"]
LEVEL_NAMES = {3: "类", 5: "款", 7: "项"}


@dataclass(slots=True)
class Check:
    check_id: str
    description: str
    expected: float
    actual: float
    n_terms: int
    tables: str
    lines: str

    @property
    def difference(self) -> float:
        return round(self.actual - self.expected, 2)

    @property
    def status(self) -> str:
        return _status(self.difference, self.n_terms)

    def as_row(self, doc_id: str) -> dict:
        """The check's row in the checks dataset (of document doc_id)."""
        difference = self.difference   # computed once for both columns
        return {"doc_id": doc_id, "check_id": self.check_id, "description": self.description,
                "expected": round(self.expected, 2), "actual": round(self.actual, 2),
                "difference": difference, "status": _status(difference, self.n_terms),
                "tables": self.tables, "lines": self.lines}


def _status(difference: float, n_terms: int) -> str:
    d = abs(difference)
    if d < 0.005:
        return "pass"
    if d <= 0.005 * (n_terms + 1) + 1e-9:
        return "rounding"
    return "fail"


def _lines(*rows: DataRow) -> str:
    return ",".join(map(str, sorted({r.line for r in rows})))


def _sum_check(check_id: str, description: str, parent: DataRow, children: list[DataRow],
               key: str, table: str, lines: str | None = None) -> Check | None:
    """parent = sum of children in column `key`; `lines` (theirs) may be passed
    in when the same rows are checked in several columns."""
    if key not in parent.values and not any(key in c.values for c in children):
        return None
    return Check(check_id, description, parent.values.get(key, 0.0),
                 sum(c.values.get(key, 0.0) for c in children), len(children), table,
                 lines if lines is not None else _lines(parent, *children))


def row_identities(t: Table) -> list[Check]:
    out = []
    identities = ROW_IDENTITIES.get(t.key or "", [])
    present = {k for r in t.rows for k in r.values} if identities else set()
    for lhs, rhs, desc in identities:
        if lhs not in present:
            continue
        terms = [k for k in rhs if k in present]
        if not terms:
            continue
        for r in t.rows:
            if not r.values:
                continue
            who = r.code or r.project or r.label
            out.append(Check(f"{t.key}.row.{lhs}.{r.row_no}", f"表{t.number} {who}：{desc}",
                             r.values.get(lhs, 0.0), sum(r.values.get(k, 0.0) for k in terms),
                             len(terms), t.key, str(r.line)))   # (_lines of one row)
    return out


def _measures(t: Table) -> list[str]:
    return sorted({k for r in t.rows for k in r.values if "@" not in k})


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
        by_parent: dict[str, list[tuple[int, DataRow]]] = {}
        for j, c in enumerate(rows):
            if len(c.code) in (5, 7):
                by_parent.setdefault(c.code[:-2], []).append((j, c))
        by_code: dict[str, list[tuple[int, DataRow]]] = {}
        for j, c in enumerate(rows):
            by_code.setdefault(c.code, []).append((j, c))
        for i, parent in enumerate(rows):
            n = len(parent.code)
            nxt = {3: 5, 5: 7}.get(n)
            children = []
            if nxt:
                children = [c for j, c in by_parent.get(parent.code, []) if j > i and len(c.code) == nxt
                            and not (c.project and c.code in subtotalled)]
            elif n == 7 and not parent.project:   # a 项 subtotal over its projects (table 7)
                children = [c for j, c in by_code[parent.code] if j > i and c.project]
            if not children:
                continue
            lines = _lines(parent, *children)
            for key in measures:
                c = _sum_check(f"{t.key}.tree.{unit and unit + '.'}{parent.code}.{key}",
                               f"表{t.number} {parent.code} {parent.label}（{LEVEL_NAMES.get(n, '')}）= 下级科目之和 [{columns.get(key, key)}]",
                               parent, children, key, t.key, lines)
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
        tops = [r for r in t.rows if len(r.code) == 3 and r.code.isdigit() and not r.is_total]
        what = "各类之和"
    elif t.key in GROUPED_TABLES:
        tops = [r for r in t.rows if not r.is_total]
        what = "各项目之和"
    else:
        return []
    columns = _columns(t)
    measures = _measures(t)

    def sums(check_id: str, description: str, parent, members) -> list[Check]:
        """parent = Σ members, in every measure column."""
        lines = _lines(parent, *members)
        checks = (_sum_check(f"{check_id}.{key}", f"{description} [{columns.get(key, key)}]",
                             parent, members, key, t.key, lines) for key in measures)
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
    from .terms import three_public_item
    by_item = {three_public_item(r.label): r for r in t.rows if three_public_item(r.label)}
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
                           by_item[lhs], parts, key, t.key)
            if c:
                out.append(c)
    return out


def _equal(check_id: str, desc: str, a: tuple[float | None, str, int | None],
           b: tuple[float | None, str, int | None], n_terms: int = 1) -> Check | None:
    """a (expected) = b (actual); each side (amount, table key, line)."""
    if a[0] is None or b[0] is None:
        return None
    tables = ",".join(dict.fromkeys(x for x in (a[1], b[1]) if x))
    lines = ",".join(str(x) for x in sorted({a[2], b[2]} - {None}))
    return Check(check_id, desc, a[0], b[0], n_terms, tables, lines)


def cross_checks(doc: Document) -> list[Check]:
    t = doc.tables.get

    def cell(key: str, label: str, col: str | None = None):
        tab = t(key)
        c = tab.find(label, col) if tab else None
        return (c.amount, key, c.source_line) if c else (None, key, None)

    def total(key: str, col: str):
        tab = t(key)
        r = tab.total_row() if tab else None
        if r is None:
            return (None, key, None)
        return (r.values.get(col, 0.0), key, r.lines.get(col, r.line))

    def summed(*sides):
        vals = [s[0] for s in sides]
        if any(v is None for v in vals):
            return (None, "", None)
        return (sum(vals), sides[0][1], sides[0][2])

    income_total = cell("summary", "收入总计")
    spend_total = cell("summary", "支出总计")
    candidates = [
        _equal("cross.summary.balance", "表1 收入总计 = 支出总计", income_total, spend_total),
        _equal("cross.summary.income", "表1 本年收入 + 上年结转结余 = 收入总计", income_total,
               summed(cell("summary", "本年收入"), cell("summary", "上年结转结余")), 2),
        _equal("cross.summary_vs_income", "表1 收入总计 = 部门收入总体情况表 总计", income_total, total("income", "total")),
        _equal("cross.summary_vs_expenditure", "表1 支出总计 = 部门支出总体情况表 总计", spend_total, total("expenditure", "total")),
        _equal("cross.fiscal.balance", "财政拨款收支表 收入总计 = 支出总计", cell("fiscal_summary", "收入总计"),
               cell("fiscal_summary", "支出总计")),
        _equal("cross.fiscal_vs_gpb", "财政拨款收支表 一般公共预算支出 = 一般公共预算支出情况表 总计",
               total("gpb_expenditure", "total"), _fiscal_gpb(t("fiscal_summary"))),
        _equal("cross.gpb_vs_income", "一般公共预算支出情况表 总计 = 部门收入表 一般公共预算（含上级转移支付）",
               total("gpb_expenditure", "total"), summed(total("income", "gpb"), total("income", "gpb_transfer")), 2),
        _equal("cross.gpb_basic", "一般公共预算支出表 基本支出 = 一般公共预算基本支出表 总计",
               total("gpb_expenditure", "basic"), total("gpb_basic", "total")),
        _equal("cross.gpb_project", "一般公共预算支出表 项目支出 = 一般公共预算项目支出表 总计",
               total("gpb_expenditure", "project"), total("gpb_projects", "total")),
        _equal("cross.carryover", "上年结转结余情况表 总计 = 表1 上年结转结余",
               cell("summary", "上年结转结余"), total("carryover", "total")),
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
                                 c.amount, r.values.get("total", 0.0), 1, "summary,expenditure",
                                 f"{c.source_line},{r.line}"))
    return out


def _fiscal_gpb(t: Table | None):
    if t is None:
        return (None, "fiscal_summary", None)
    for c in t.cells:
        if c.column_key == "gpb" and "总计" in c.row_label:
            return (c.amount, "fiscal_summary", c.source_line)
    return (0.0 if t.rows else None, "fiscal_summary", None)


# Part 3 restatement key → (table, how to read it, description)
RESTATED = {
    "total_budget": ("summary", ("cell", "收入总计"), "收支总预算"),
    "income_total": ("summary", ("cell", "收入总计"), "收入预算"),
    "expenditure_total": ("expenditure", ("total", "total"), "支出预算"),
    "basic_expenditure": ("expenditure", ("total", "basic"), "基本支出"),
    "project_expenditure": ("expenditure", ("total", "project"), "项目支出"),
    "fiscal_total": ("fiscal_summary", ("cell", "收入总计"), "财政拨款收支总预算"),
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
            c = tab.find(what)
            table_value = (c.amount, c.source_line) if c else None
        else:
            row = tab.total_row()
            table_value = (row.values.get(what, 0.0), row.lines.get(what, row.line)) if row else \
                ((0.0, tab.line) if tab.notes else None)
        if table_value is None:
            continue
        n = seen[r["key"]] = seen.get(r["key"], 0) + 1
        out.append(Check(f"narrative.{r['key']}" + (f".{n}" if n > 1 else ""),
                         f"情况说明所述{desc}（第 {r['source_line']} 行）= 表「{tab.title}」",
                         table_value[0], r["amount"], 1, key, f"{table_value[1]},{r['source_line']}"))
    return out


def run_checks(doc: Document) -> list[Check]:
    out: list[Check] = []
    for t in doc.tables.values():
        out += row_identities(t)
        if t.key in CODED_TABLES:
            out += tree_checks(t)
        out += total_checks(t)
        if t.key == "three_public":
            out += three_public_checks(t)
    out += cross_checks(doc)
    out += restatement_checks(doc)
    return out
