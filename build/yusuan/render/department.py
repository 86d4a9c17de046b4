"""Context of one department-year page: headline figures, charts and tables
built from the document's rows in every dataset."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from yusuan.render import charts, fmt
from yusuan.render.data import SiteData
from yusuan.render.tables import Col, Row, Table, c, capped, esc, i, m, tree_depth
from yusuan.schema import STATUSES
from yusuan.terms import TABLE_TITLES, norm

# A department page stays under 100 KB whatever the document: long tables show
# their first rows and link to a sub-page (docs/<doc_id>/<name>/) with every row.
MAX_ROWS = 30          # rows of a long table shown on the page
MAX_BARS = 30          # bars in a per-item chart
MAX_TARGET_ROWS = 50   # performance indicator rows shown on the page
TOTAL_LABELS = {"总计", "合计"}


@dataclass
class Chart:
    id: str                    # file stem: <id>.json beside the page
    title: str
    spec: dict
    alt: str                   # text alternative
    n: int = 0                 # bars, for the container's height


@dataclass
class Subpage:
    id: str                    # docs/<doc_id>/<id>/
    title: str
    tables: list[Table]
    searchable: bool = True


@dataclass
class Section:
    id: str
    title: str
    charts: list[Chart] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    figures: list[tuple[str, str]] = field(default_factory=list)
    text: str = ""
    subpages: list[Subpage] = field(default_factory=list)

    def capped(self, table: Table, limit: int, page: str, title: str) -> Table:
        capped(table, limit, page)
        if table.full is not None:
            self.subpages.append(Subpage(page, title, [table.full]))
        return table


def _sum(rows, key) -> float:
    return round(sum(r[key] or 0 for r in rows), 2)


def _top_alt(rows: list[dict], what: str) -> str:
    """'最大的三项：A 1,234.00 万元；B …' as a text alternative to a bar chart."""
    top = sorted((r for r in rows if r["amount"]), key=lambda r: -r["amount"])[:3]
    if not top:
        return f"{what}：无数据。"
    parts = "；".join(f"{r['label']} {fmt.money_unit(r['amount'])}" for r in top)
    return f"{what}，共 {len(rows)} 项，最大的：{parts}。"


def _ratio(data: SiteData, doc: dict, name: str):
    """A ratio as the department_ratios dataset gives it (one definition, in its SQL)."""
    rows = data.for_doc("department_ratios", doc["doc_id"])
    return rows[0][name] if rows else None


def headline(doc: dict) -> list[tuple[str, str, str]]:
    """(label, value, note) for the figures grid."""
    tb = doc["total_budget"]
    return [
        ("收支总预算", fmt.money_unit(tb), ""),
        ("本年收入", fmt.money_unit(doc["current_year_income"]), f"占 {fmt.share(doc['current_year_income'], tb)}"),
        ("上年结转结余", fmt.money_unit(doc["carryover"]), f"占 {fmt.share(doc['carryover'], tb)}"),
        ("基本支出", fmt.money_unit(doc["basic_expenditure"]), f"占 {fmt.share(doc['basic_expenditure'], tb)}"),
        ("项目支出", fmt.money_unit(doc["project_expenditure"]), f"占 {fmt.share(doc['project_expenditure'], tb)}"),
        ("一般公共预算支出（财政拨款）", fmt.money_unit(doc["gpb_total"]), ""),
        ("人员经费 / 公用经费", f"{fmt.money(doc['personnel'])} / {fmt.money(doc['public_funds'])}", "万元"),
        ("“三公”经费", fmt.money_unit(doc["three_public"]), ""),
        ("委托业务费", fmt.money_unit(doc["entrusted_fees"]),
         "本文件无此表" if fmt.is_missing(doc["entrusted_fees"]) else ""),
    ]


def income_section(data: SiteData, doc_id: str) -> Section:
    cells = data.for_doc("table_cells", doc_id, table_key="income")
    total_rows = [r for r in cells if norm(r["row_label"] or "") in TOTAL_LABELS]
    if total_rows:
        row_no = min(r["row_no"] for r in total_rows)
        cells = [r for r in total_rows if r["row_no"] == row_no]
        source = "部门收入总体情况表 总计行"
    else:
        cells = [r for r in data.for_doc("table_cells", doc_id, table_key="summary")
                 if norm(r["row_label"] or "") in ("本年收入", "上年结转结余")]
        source = "部门收支总体情况表"
    # The 总计 column, subtotal columns (财政拨款（补助）小计) and the sources
    # (leaf columns). A subtotal is never shown beside its own parts: chart and
    # table list the sources, largest first, then the 总计 row, amounts as read.
    totals = [r for r in cells if r["column_key"] == "total"]
    subtotals = [r for r in cells if (r["column_key"] or "").endswith("subtotal")]
    sources = sorted((r for r in cells if r not in totals and r not in subtotals),
                     key=lambda r: (-(r["amount"] or 0), r["column_label"] or r["row_label"] or ""))
    rows = [{"label": r["column_label"] or r["row_label"], "amount": r["amount"]} for r in sources if r["amount"]]
    sec = Section("income", "收入来源")
    if rows:
        sec.charts.append(Chart("income", f"收入来源（{source}）", charts.bars(rows, label_title="来源"),
                                _top_alt(rows, "收入来源"), len(rows)))
    caption = f"{source}：各项来源按金额从大到小，最后一行为总计" if totals else f"{source}：按金额从大到小"
    t = Table([Col("来源"), Col("金额（万元）", True), Col("源文件行号", True)], caption=caption)
    for r in sources:
        t.rows.append(Row([c(r["column_label"] or r["row_label"]), m(r["amount"]), i(r["source_line"])]))
    for r in totals:
        t.rows.append(Row([c(r["column_label"] or "总计"), m(r["amount"]), i(r["source_line"])], cls="total"))
    sec.tables.append(t)
    notes = []
    for r in subtotals:
        label = r["column_label"] or ""
        group, _, name = label.rpartition("/")
        parts = f"以“{group}/”开头的各项" if group else "其下各项"
        notes.append(f"源文件另有“{name or label}” {fmt.money_unit(r['amount'])}（第 {r['source_line']} 行），"
                     f"即{parts}合计，表中不重复列出。")
    sec.text = "".join(notes)
    return sec


def _code_tree(lines: list[dict]) -> list[dict]:
    """Long lines (code, measure, amount) → one dict per code, sorted by code."""
    by_code: dict[str, dict] = {}
    for r in lines:
        e = by_code.setdefault(r["code"], {"code": r["code"], "name": r["name"], "level": r["level"]})
        e.setdefault(r["measure"], r["amount"])
    return sorted(by_code.values(), key=lambda e: e["code"])


def _split_chart(sec: Section, key: str, title: str, items: list[dict],
                 series: list[tuple[str, str]], alt_title: str) -> None:
    """A stacked bar per 款, split into two measures (基本/项目, 人员/公用)."""
    bars = [{"label": f"{e['code']} {e['name']}", "series": name, "amount": e.get(measure) or 0}
            for e in items for name, measure in series]
    if not bars:
        return
    alt_rows = [{"label": f"{e['code']} {e['name']}", "amount": e.get("total") or 0} for e in items]
    sec.charts.append(Chart(key, title,
                            charts.stacked(bars, label_title="科目", series_title="口径",
                                           series_order=[name for name, _ in series]),
                            _top_alt(alt_rows, alt_title), len(items)))


def expenditure_section(data: SiteData, doc_id: str) -> Section:
    lines = data.for_doc("function_lines", doc_id)
    table_key = "expenditure" if any(r["table_key"] == "expenditure" for r in lines) else "gpb_expenditure"
    lines = [r for r in lines if r["table_key"] == table_key]
    tree = _code_tree(lines)
    sec = Section("expenditure", "支出：按功能分类")
    kuan = [e for e in tree if tree_depth(e["code"], e["level"]) == 1] or [e for e in tree if tree_depth(e["code"], e["level"]) == 0]
    kuan = sorted(kuan, key=lambda e: -(e.get("total") or 0))
    _split_chart(sec, "expenditure", "各款支出（基本支出与项目支出）", kuan,
                 [("基本支出", "basic"), ("项目支出", "project")], "按功能分类（款）的支出")
    t = Table([Col("科目编码"), Col("科目名称"), Col("合计", True), Col("基本支出", True), Col("项目支出", True)],
              caption=f"{TABLE_TITLES.get(table_key, table_key)}（万元）")
    for e in tree:
        d = tree_depth(e["code"], e["level"])
        t.rows.append(Row([c(e["code"]), c(e["name"]), m(e.get("total")), m(e.get("basic")), m(e.get("project"))],
                          depth=d, cls=f"d{d}"))
    sec.tables.append(t)
    return sec


def economic_section(data: SiteData, doc: dict) -> Section:
    lines = data.for_doc("economic_lines", doc["doc_id"])
    tree = _code_tree(lines)
    sec = Section("economic", "基本支出：按经济分类")
    sec.figures = [("人员经费", fmt.money_unit(doc["personnel"])), ("公用经费", fmt.money_unit(doc["public_funds"])),
                   ("人员经费占一般公共预算基本支出", fmt.pct(_ratio(data, doc, "personnel_share_pct"), 2))]
    kuan = [e for e in tree if len(e["code"]) == 5] or [e for e in tree if len(e["code"]) == 3]
    kuan = sorted(kuan, key=lambda e: -(e.get("total") or 0))[:MAX_BARS]
    _split_chart(sec, "economic", "基本支出各款（人员经费与公用经费）", kuan,
                 [("人员经费", "personnel"), ("公用经费", "public_funds")], "按经济分类（款）的基本支出")
    t = Table([Col("科目编码"), Col("科目名称"), Col("合计", True), Col("人员经费", True), Col("公用经费", True)],
              caption="一般公共预算基本支出情况表（万元）")
    for e in tree:
        d = 0 if len(e["code"]) == 3 else 1
        t.rows.append(Row([c(e["code"]), c(e["name"]), m(e.get("total")), m(e.get("personnel")),
                           m(e.get("public_funds"))], depth=d, cls=f"d{d}"))
    sec.tables.append(t)
    return sec


def projects_section(data: SiteData, doc: dict) -> Section:
    projects = sorted(data.for_doc("projects", doc["doc_id"]), key=lambda r: (-(r["total"] or 0), r["project"] or ""))
    sec = Section("projects", "项目支出")
    sec.figures = [("项目数", fmt.integer(doc["n_projects"])),
                   ("项目支出合计", fmt.money_unit(_sum(projects, "total"))),
                   ("不予公开项目", f"{fmt.integer(doc['n_secret_projects'])} 个，{fmt.money_unit(doc['secret_project_amount'])}")]
    rows = [{"label": r["project"], "amount": r["total"] or 0, "note": "不予公开" if r["is_secret"] else ""}
            for r in projects[:MAX_BARS]]
    if rows:
        title = "项目支出（按金额）" + (f"：前 {MAX_BARS} 个" if len(projects) > MAX_BARS else "")
        sec.charts.append(Chart("projects", title, charts.bars(rows, label_title="项目", highlight="不予公开",
                                                               highlight_title="用途"),
                                _top_alt(rows, "项目支出"), len(rows)))
    t = Table([Col("项目名称"), Col("用途"), Col("预算单位"), Col("功能分类"), Col("项目支出合计", True),
               Col("源文件行号", True)], caption="一般公共预算项目支出情况表（万元，按金额排序）")
    for r in projects:
        purpose = c("不予公开", cls="secret-mark") if r["is_secret"] else c("")
        t.rows.append(Row([c(r["project"]), purpose, c(r["unit_name"]),
                           c(f"{fmt.text(r['function_code'])} {fmt.text(r['function_name'])}".strip()),
                           m(r["total"]), i(r["source_line"])], cls="secret" if r["is_secret"] else ""))
    sec.tables.append(sec.capped(t, MAX_ROWS, "projects", "全部项目"))
    details = data.for_doc("project_details", doc["doc_id"])
    if details:
        d = Table([Col("项目名称"), Col("预算安排规模", True), Col("政策依据"), Col("承担单位"), Col("执行时间")],
                  caption="项目说明（情况说明）")
        for r in details:
            basis = "完全不予公开" if r["is_withheld"] else fmt.text(r["policy_basis"])
            d.rows.append(Row([c(r["project"]), m(r["budget"]), c(basis), c(r["implementing_unit"]), c(r["period"])],
                              cls="secret" if r["is_withheld"] else ""))
        sec.tables.append(sec.capped(d, MAX_ROWS // 2, "project-details", "全部项目说明"))
    return sec


THREE_PUBLIC_PARTS = ["outbound", "reception", "vehicle_purchase", "vehicle_operation"]


def three_public_section(data: SiteData, doc: dict) -> Section:
    rows = data.for_doc("three_public", doc["doc_id"])
    sec = Section("three-public", "“三公”经费")
    parts = {r["item"]: r for r in rows}
    bars = [{"label": parts[k]["item_name"], "amount": parts[k]["total"] or 0} for k in THREE_PUBLIC_PARTS if k in parts]
    if bars and any(b["amount"] for b in bars):
        sec.charts.append(Chart("three-public", "“三公”经费构成", charts.bars(bars, label_title="项目"),
                                _top_alt(bars, "“三公”经费"), len(bars)))
    t = Table([Col("项目"), Col("合计", True), Col("一般公共预算", True), Col("政府性基金", True),
               Col("国有资本经营预算", True)], caption="财政拨款“三公”经费支出情况表（万元）")
    for r in rows:
        d = 1 if r["item"] in ("vehicle_purchase", "vehicle_operation") else 0
        t.rows.append(Row([c(r["item_name"]), m(r["total"]), m(r["gpb"]), m(r["gov_fund"]), m(r["state_capital"])],
                          depth=d, cls="total" if r["item"] == "total" else f"d{d}"))
    sec.tables.append(t)
    fees = data.for_doc("entrusted_fees", doc["doc_id"])
    if fees:
        f = Table([Col("项目名称"), Col("预算单位"), Col("合计", True), Col("一般公共预算", True)],
                  caption="财政拨款委托业务费支出情况表（万元）")
        for r in fees:
            f.rows.append(Row([c(r["project"]), c(r["unit_name"]), m(r["total"]), m(r["gpb"])],
                              cls="secret" if r["is_secret"] else ""))
        sec.tables.append(sec.capped(f, MAX_ROWS, "entrusted-fees", "全部委托业务费项目"))
    elif fmt.is_missing(doc["entrusted_fees"]):
        sec.text = "本文件没有财政拨款委托业务费支出情况表（2026 年以前的模板无此表）。"
    return sec


def carryover_section(data: SiteData, doc: dict) -> Section:
    rows = sorted(data.for_doc("carryover", doc["doc_id"]), key=lambda r: (-(r["total"] or 0), r["project"] or ""))
    sec = Section("carryover", "上年结转结余")
    sec.figures = [("上年结转结余", fmt.money_unit(doc["carryover"])),
                   ("结转项目数", fmt.integer(doc["n_carryover_projects"]))]
    bars = [{"label": r["project"], "amount": r["total"] or 0, "note": "不予公开" if r["is_secret"] else ""}
            for r in rows[:MAX_BARS]]
    if bars:
        sec.charts.append(Chart("carryover", "结转结余（按项目）", charts.bars(bars, label_title="项目", highlight="不予公开",
                                                                          highlight_title="用途"),
                                _top_alt(bars, "上年结转结余"), len(bars)))
    t = Table([Col("项目名称"), Col("预算单位"), Col("合计", True), Col("财政拨款", True), Col("非财政拨款", True)],
              caption="上年结转结余情况表（万元）")
    for r in rows:
        t.rows.append(Row([c(r["project"]), c(r["unit_name"]), m(r["total"]), m(r["fiscal_subtotal"]),
                           m(r["nonfiscal_subtotal"])], cls="secret" if r["is_secret"] else ""))
    sec.tables.append(sec.capped(t, MAX_ROWS, "carryover", "全部结转结余项目"))
    return sec


def yoy_section(data: SiteData, doc: dict) -> Section:
    rows = data.for_doc("yoy_changes", doc["doc_id"])
    sec = Section("yoy", "比上年变化")
    t = Table([Col("对象"), Col("本年（万元）", True), Col("变化（万元）", True), Col("变化率", True),
               Col("上年（推算，万元）", True), Col("主要原因")],
              caption="情况说明中的“比上年增加/减少”；上年数由本年数减变化额推算，非文件印出")
    for r in rows:
        change = c(fmt.signed(r["change"]), cls="num " + ("up" if (r["change"] or 0) > 0 else "down" if (r["change"] or 0) < 0 else ""))
        t.rows.append(Row([c(r["subject"]), m(r["amount"]), change,
                           c(fmt.pct(r["change_pct"], 2), cls="num"), m(r["previous_amount"]), c(r["reason"])]))
    sec.tables.append(sec.capped(t, MAX_ROWS, "yoy", "全部比上年变化"))
    return sec


def targets_section(data: SiteData, doc: dict) -> Section:
    rows = data.for_doc("performance_targets", doc["doc_id"])
    sec = Section("targets", "绩效目标")
    if not rows:
        sec.text = "本文件未公开绩效目标表，或未能读取。"
        return sec
    groups: dict[int, list[dict]] = {}
    for r in rows:
        groups.setdefault(r["table_index"] or 0, []).append(r)
    tables = []
    for idx in sorted(groups):
        g = groups[idx]
        first = g[0]
        scope = "部门整体绩效目标" if first["scope"] == "department" else f"项目：{fmt.text(first['project'])}"
        t = Table([Col("一级指标"), Col("二级指标"), Col("三级指标"), Col("指标值"), Col("上年完成值"), Col("权重", True)],
                  caption=f"{scope}（年度预算 {fmt.money_unit(first['budget'])}）")
        prev = (None, None)
        for r in g:
            l1 = r["level1"] if r["level1"] != prev[0] else ""
            l2 = r["level2"] if (r["level1"], r["level2"]) != prev else ""
            prev = (r["level1"], r["level2"])
            t.rows.append(Row([c(l1), c(l2), c(r["level3"]), c(r["target_value"]), c(r["last_year_value"]),
                               c(fmt.number(r["weight"]), cls="num")]))
        tables.append(t)
    sec.figures = [("绩效目标表", fmt.integer(len(tables))), ("绩效指标", fmt.integer(len(rows)))]
    if len(rows) <= MAX_TARGET_ROWS:
        sec.tables = tables
        return sec
    sec.subpages.append(Subpage("targets", "全部绩效目标", tables))
    shown = 0
    for t in tables:
        if shown + len(t.rows) <= MAX_TARGET_ROWS:
            sec.tables.append(t)
            shown += len(t.rows)
    listing = Table([Col("绩效目标表"), Col("指标数", True)], caption="其余绩效目标表",
                    note=f"共 {len(rows):,} 个指标，此处列出 {shown:,} 个。", more_href="targets/")
    listing.rows = [Row([c(t.caption), i(len(t.rows))]) for t in tables if t not in sec.tables]
    sec.tables.append(listing)
    return sec


def procurement_assets_section(data: SiteData, doc: dict) -> Section:
    sec = Section("procurement-assets", "政府采购与国有资产")
    proc = data.for_doc("procurement", doc["doc_id"])
    if proc:
        p = proc[0]
        t = Table([Col("项目"), Col("金额（万元）", True)], caption="政府采购预算")
        for label, key in (("政府采购预算", "total"), ("货物", "goods"), ("工程", "works"), ("服务", "services"),
                           ("面向中小企业预留", "sme_reserved"), ("其中小微企业预留", "small_micro_reserved")):
            t.rows.append(Row([c(label), m(p[key])], depth=0 if key in ("total", "sme_reserved") else 1,
                              cls="d0" if key in ("total", "sme_reserved") else "d1"))
        sec.tables.append(t)
    assets = data.for_doc("assets", doc["doc_id"])
    if assets:
        t = Table([Col("项目"), Col("数量", True), Col("单位"), Col("价值（万元）", True), Col("截至")],
                  caption="国有资产占用使用情况")
        for r in assets:
            d = 1 if (r["item"] or "").startswith("vehicles_") else 0
            t.rows.append(Row([c(r["item_name"]), c(fmt.number(r["quantity"]), cls="num"), c(r["quantity_unit"]),
                               m(r["value"]), c(r["as_of"])], depth=d, cls=f"d{d}"))
        sec.tables.append(sec.capped(t, MAX_ROWS, "assets", "全部国有资产项目"))
    if not proc and not assets:
        sec.text = "本文件未写明政府采购或国有资产情况，或未能读取。"
    return sec


STATUS_ORDER = {s: k for k, s in enumerate(reversed(STATUSES))}   # fail, rounding, pass


def check_group(check_id: str) -> str:
    """The table a check belongs to: the first part of its id (income.tree.201.total → income)."""
    return (check_id or "").split(".")[0]


def _check_rows(rows: list[dict]) -> list[Row]:
    """A table row per check."""
    return [Row([c(fmt.status(r["status"]), cls=f"status {r['status']}"), c(r["description"]), m(r["expected"]),
                 m(r["actual"]), m(r["difference"]), c((r["lines"] or "").replace(",", ", "))]) for r in rows]


def _checks_html(rows: list[dict]) -> str:
    """The same rows as _check_rows, as HTML, made directly: a document has
    hundreds of checks (the longest table of its pages), mostly passing with
    the same few amounts, and Cell objects for each took ~3 ms a document.
    Must match what tables.to_html makes of _check_rows (tested)."""
    status = {}
    amounts: dict = {}

    def amount(x) -> str:
        key = x if x else repr(x)    # 0.0 and -0.0 are equal but shown as 0.00 and -0.00
        html = amounts.get(key)
        if html is None:
            html = amounts[key] = f'<td class="num">{esc(m(x).text)}</td>'
        return html

    out = []
    for r in rows:
        s = r["status"]
        head = status.get(s)
        if head is None:
            head = status[s] = f'<tr><td class="{esc(f"status {s}")}">{esc(fmt.status(s))}</td>'
        text = r["description"] if r["description"].__class__ is str else fmt.text(r["description"])
        out.append(f'{head}<td>{esc(text)}</td>{amount(r["expected"])}{amount(r["actual"])}'
                   f'{amount(r["difference"])}<td>{esc((r["lines"] or "").replace(",", ", "))}</td></tr>\n')
    return "".join(out)


def checks_section(data: SiteData, doc: dict) -> Section:
    """Counts by table and every check that does not pass on the page; every
    check, passing or not, on the sub-page checks/."""
    rows = sorted(data.for_doc("checks", doc["doc_id"]),
                  key=lambda r: (STATUS_ORDER.get(r["status"], 3), r["check_id"] or ""))
    sec = Section("checks", "算术校验")
    counts = Counter(r["status"] for r in rows)
    sec.figures = [("校验数", fmt.integer(len(rows))), ("通过", fmt.integer(counts["pass"])),
                   ("舍入差", fmt.integer(counts["rounding"])), ("不符", fmt.integer(counts["fail"]))]
    groups: dict[str, dict[str, int]] = {}
    for (group, status), n in Counter((check_group(r["check_id"]), r["status"]) for r in rows).items():
        g = groups.setdefault(group, {s: 0 for s in STATUS_ORDER})
        g[status] = g.get(status, 0) + n
    summary = Table([Col("表"), Col("校验数", True), Col("通过", True), Col("舍入差", True), Col("不符", True)],
                    caption="各表的校验结果", more_href="checks/", note="每一条校验（含通过的）及其源文件行号：")
    for key in sorted(groups):
        g = groups[key]
        label = TABLE_TITLES.get(key, {"cross": "表间核对", "narrative": "情况说明与表格"}.get(key, key))
        summary.rows.append(Row([c(label), i(sum(g.values())), i(g["pass"]), i(g["rounding"]),
                                 c(fmt.integer(g["fail"]), cls="num fail" if g["fail"] else "num")]))
    sec.tables.append(summary)

    columns = [Col("状态"), Col("校验"), Col("应为", True), Col("实为", True), Col("差额", True), Col("源文件行号")]
    failing = _check_rows([r for r in rows if r["status"] != "pass"])
    if failing:
        sec.tables.append(sec.capped(Table(columns, failing, caption="未通过的校验（不符与舍入差；“舍入差”见方法页）"),
                                     MAX_ROWS, "checks-failing", "未通过的校验"))
    sec.subpages.append(Subpage("checks", "全部算术校验", [Table(columns, body=_checks_html(rows), caption="全部校验")],
                                searchable=False))
    return sec


def context(data: SiteData, doc: dict) -> dict:
    doc_id = doc["doc_id"]
    units = data.for_doc("units", doc_id)
    sections = [
        income_section(data, doc_id),
        expenditure_section(data, doc_id),
        economic_section(data, doc),
        projects_section(data, doc),
        three_public_section(data, doc),
        carryover_section(data, doc),
        yoy_section(data, doc),
        targets_section(data, doc),
        procurement_assets_section(data, doc),
        checks_section(data, doc),
    ]
    return {
        "doc": doc,
        "title": f"{doc['department']} {doc['year']} 年部门预算",
        "figures": headline(doc),
        "units": units,
        "sections": sections,
        "charts": [ch for s in sections for ch in s.charts],
        "subpages": [p for s in sections for p in s.subpages],
    }
