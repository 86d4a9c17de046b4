"""Context of one department-year page: headline figures, charts and tables
built from the document's rows in every dataset."""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field, replace

from yusuan.render import charts, fmt, provenance
from yusuan.render.charts import Chart
from yusuan.render.data import SiteData
from yusuan.render.provenance import line_cell, lines_cell
from yusuan.render.tables import Col, Row, Table, c, capped, esc, i, m, tree_depth, without_empty_columns
from yusuan.schema import STATUSES
from yusuan.terms import TABLE_TITLES, norm

# A department page stays under 100 KB whatever the document: long tables show
# their first rows and link to a sub-page (docs/<doc_id>/<name>/) with every row.
MAX_ROWS = 20          # rows of a long table shown on the page
MAX_BARS = 30          # bars in a per-item chart
MAX_TARGET_ROWS = 20   # performance indicator rows shown on the page
MAX_YOY_ROWS = 12      # year-over-year rows shown on the page: each has a paragraph of reasons
# (every row of a table links its source line, ~90 bytes a row: the caps
# keep the largest sample page under 100 KB; the rest is on the sub-pages)
TOTAL_LABELS = {"总计", "合计"}
LINE = Col("行", True)   # the source line of the row, linked to it (see provenance)


def src_base(doc_id: str) -> str:
    """href_base of a department page's tables: their line links are "#L12" under it."""
    return provenance.source_href(doc_id, "../../")


def figure_href(doc: dict, lines: dict[str, int], name: str) -> str:
    """The link of a headline figure to its source line, or ""."""
    return src_base(doc["doc_id"]) + provenance.line_anchor(lines[name]) if name in lines else ""


def title(doc: dict) -> str:
    return f"{doc['department']} {doc['year']} 年{doc.get('kind') or '部门预算'}"


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


def headline(doc: dict, lines: dict[str, int]) -> list[tuple[str, str, str, str]]:
    """(label, value, note, link to its source line) for the figures grid."""
    tb = doc["total_budget"]

    def href(name: str) -> str:
        return figure_href(doc, lines, name)

    return [
        ("收支总预算", fmt.money_unit(tb), "收入总计：本年收入 + 上年结转", href("total_budget")),
        ("本年收入", fmt.money_unit(doc["current_year_income"]), f"占 {fmt.share(doc['current_year_income'], tb)}",
         href("current_year_income")),
        ("上年结转结余", fmt.money_unit(doc["carryover"]), f"占 {fmt.share(doc['carryover'], tb)}", href("carryover")),
        ("基本支出", fmt.money_unit(doc["basic_expenditure"]), f"占 {fmt.share(doc['basic_expenditure'], tb)}，全部资金",
         href("basic_expenditure")),
        ("项目支出", fmt.money_unit(doc["project_expenditure"]),
         f"占 {fmt.share(doc['project_expenditure'], tb)}，全部资金", href("project_expenditure")),
        ("一般公共预算支出", fmt.money_unit(doc["gpb_total"]), "财政拨款中的一般公共预算", href("gpb_total")),
        ("人员经费 / 公用经费", f"{fmt.money(doc['personnel'])} / {fmt.money(doc['public_funds'])}",
         "万元，一般公共预算基本支出", href("personnel")),
        ("“三公”经费", fmt.money_unit(doc["three_public"]), "财政拨款，不含会议费、培训费", href("three_public")),
        ("委托业务费", fmt.money_unit(doc["entrusted_fees"]),
         "本文件无此表" if fmt.is_missing(doc["entrusted_fees"]) else "", href("entrusted_fees")),
    ]


# Figures that look alike and are not the same: (whole, part, what the difference is).
LOOKALIKES = [
    ("project_expenditure", "gpb_project", "项目支出", "一般公共预算项目支出"),
    ("basic_expenditure", "gpb_basic", "基本支出", "一般公共预算基本支出"),
    ("total_budget", "current_year_income", "收支总预算", "本年收入"),
]
LOOKALIKE_WHY = {
    "project_expenditure": "前者是部门支出总体情况表中全部资金的项目支出，后者只是一般公共预算财政拨款安排的部分（一般公共预算支出情况表）；"
                           "差额来自政府性基金、财政专户、单位资金和上年结转等",
    "basic_expenditure": "前者含全部资金，后者只是一般公共预算财政拨款安排的基本支出（人员经费与公用经费之和）",
    "total_budget": "收支总预算 = 本年收入 + 上年结转结余",
}


def lookalikes(doc: dict, lines: dict[str, int]) -> list[dict]:
    """Explanations of the figures that look alike, where the document has both and they differ."""
    out = []
    for whole, part, whole_label, part_label in LOOKALIKES:
        a, b = doc.get(whole), doc.get(part)
        if fmt.is_missing(a) or fmt.is_missing(b) or abs(a - b) < 0.005:
            continue
        out.append({"labels": (whole_label, part_label), "amounts": (fmt.money_unit(a), fmt.money_unit(b)),
                    "hrefs": (figure_href(doc, lines, whole), figure_href(doc, lines, part)),
                    "difference": fmt.money_unit(round(a - b, 2)), "why": LOOKALIKE_WHY[whole]})
    return out


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
        sec.charts.append(Chart("income", f"收入来源（{source}）", "income", charts.bar_rows(rows),
                                _top_alt(rows, "收入来源"), len(rows)))
    caption = f"{source}：各项来源按金额从大到小，最后一行为总计" if totals else f"{source}：按金额从大到小"
    t = Table([Col("来源"), Col("金额（万元）", True), LINE], caption=caption, href_base=src_base(doc_id))
    for r in sources:
        t.rows.append(Row([c(r["column_label"] or r["row_label"]), m(r["amount"]), line_cell(r["source_line"])]))
    for r in totals:
        t.rows.append(Row([c(r["column_label"] or "总计"), m(r["amount"]), line_cell(r["source_line"])], cls="total"))
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
        e = by_code.setdefault(r["code"], {"code": r["code"], "name": r["name"], "level": r["level"],
                                           "line": r["source_line"]})
        e.setdefault(r["measure"], r["amount"])
    return sorted(by_code.values(), key=lambda e: e["code"])


def _split_chart(sec: Section, key: str, kind: str, title: str, items: list[dict],
                 series: list[tuple[str, str]], alt_title: str) -> None:
    """A stacked bar per 款, split into two measures (基本/项目, 人员/公用)."""
    bars = [{"label": f"{e['code']} {e['name']}", "series": name, "amount": e.get(measure) or 0}
            for e in items for name, measure in series]
    if not bars:
        return
    alt_rows = [{"label": f"{e['code']} {e['name']}", "amount": e.get("total") or 0} for e in items]
    sec.charts.append(Chart(key, title, kind, charts.stacked_rows(bars, [name for name, _ in series]),
                            _top_alt(alt_rows, alt_title), len(items)))


def expenditure_section(data: SiteData, doc_id: str) -> Section:
    lines = data.for_doc("function_lines", doc_id)
    table_key = "expenditure" if any(r["table_key"] == "expenditure" for r in lines) else "gpb_expenditure"
    lines = [r for r in lines if r["table_key"] == table_key]
    tree = _code_tree(lines)
    sec = Section("expenditure", "支出：按功能分类")
    kuan = [e for e in tree if tree_depth(e["code"], e["level"]) == 1] or [e for e in tree if tree_depth(e["code"], e["level"]) == 0]
    kuan = sorted(kuan, key=lambda e: -(e.get("total") or 0))
    _split_chart(sec, "expenditure", "split-function", "各款支出（基本支出与项目支出）", kuan,
                 [("基本支出", "basic"), ("项目支出", "project")], "按功能分类（款）的支出")
    t = Table([Col("科目编码"), Col("科目名称"), Col("合计", True), Col("基本支出", True), Col("项目支出", True), LINE],
              caption=f"{TABLE_TITLES.get(table_key, table_key)}（万元）", href_base=src_base(doc_id))
    for e in tree:
        d = tree_depth(e["code"], e["level"])
        t.rows.append(Row([c(e["code"]), c(e["name"]), m(e.get("total")), m(e.get("basic")), m(e.get("project")),
                           line_cell(e["line"])], depth=d, cls=f"d{d}"))
    sec.tables.append(t)
    return sec


def economic_section(data: SiteData, doc: dict, figure_lines: dict[str, int]) -> Section:
    lines = data.for_doc("economic_lines", doc["doc_id"])
    tree = _code_tree(lines)
    sec = Section("economic", "基本支出：按经济分类")
    sec.figures = [("人员经费", fmt.money_unit(doc["personnel"]), "", figure_href(doc, figure_lines, "personnel")),
                   ("公用经费", fmt.money_unit(doc["public_funds"]), "", figure_href(doc, figure_lines, "public_funds")),
                   ("人员经费占一般公共预算基本支出", fmt.pct(_ratio(data, doc, "personnel_share_pct"), 2))]
    kuan = [e for e in tree if len(e["code"]) == 5] or [e for e in tree if len(e["code"]) == 3]
    kuan = sorted(kuan, key=lambda e: -(e.get("total") or 0))[:MAX_BARS]
    _split_chart(sec, "economic", "split-economic", "基本支出各款（人员经费与公用经费）", kuan,
                 [("人员经费", "personnel"), ("公用经费", "public_funds")], "按经济分类（款）的基本支出")
    t = Table([Col("科目编码"), Col("科目名称"), Col("合计", True), Col("人员经费", True), Col("公用经费", True), LINE],
              caption="一般公共预算基本支出情况表（万元）", href_base=src_base(doc["doc_id"]))
    for e in tree:
        d = 0 if len(e["code"]) == 3 else 1
        t.rows.append(Row([c(e["code"]), c(e["name"]), m(e.get("total")), m(e.get("personnel")),
                           m(e.get("public_funds")), line_cell(e["line"])], depth=d, cls=f"d{d}"))
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
        sec.charts.append(Chart("projects", title, "items-secret", charts.bar_rows(rows),
                                _top_alt(rows, "项目支出"), len(rows)))
    t = Table([Col("项目名称"), Col("用途"), Col("预算单位"), Col("功能分类"), Col("项目支出合计", True), LINE],
              caption="一般公共预算项目支出情况表（万元，按金额排序）", href_base=src_base(doc["doc_id"]))
    for r in projects:
        purpose = c("不予公开", cls="secret-mark") if r["is_secret"] else c("")
        t.rows.append(Row([c(r["project"]), purpose, c(r["unit_name"]),
                           c(f"{fmt.text(r['function_code'])} {fmt.text(r['function_name'])}".strip()),
                           m(r["total"]), line_cell(r["source_line"])], cls="secret" if r["is_secret"] else ""))
    sec.tables.append(sec.capped(t, MAX_ROWS, "projects", "全部项目"))
    details = data.for_doc("project_details", doc["doc_id"])
    if details:
        d = Table([Col("项目名称"), Col("预算安排规模", True), Col("政策依据"), Col("承担单位"), Col("执行时间"), LINE],
                  caption="项目说明（情况说明）", href_base=src_base(doc["doc_id"]))
        for r in details:
            basis = "完全不予公开" if r["is_withheld"] else fmt.text(r["policy_basis"])
            d.rows.append(Row([c(r["project"]), m(r["budget"]), c(basis), c(r["implementing_unit"]), c(r["period"]),
                               line_cell(r["source_line"])], cls="secret" if r["is_withheld"] else ""))
        sec.tables.append(sec.capped(d, MAX_ROWS // 2, "project-details", "全部项目说明"))
    return sec


THREE_PUBLIC_PARTS = ["outbound", "reception", "vehicle_purchase", "vehicle_operation"]


THREE_PUBLIC_FIGURES = [("three_public_outbound", "因公出国（境）费"), ("three_public_reception", "公务接待费"),
                        ("three_public_vehicles", "公务用车购置及运行维护费")]


def compare_href(doc: dict, root: str = "../../") -> str:
    """The compare table filtered to the document's year and kind, its row highlighted."""
    return f"{root}compare/?year={doc['year']}&kind={doc.get('kind') or ''}#d-{doc['doc_id']}"


def three_public_figures(data: SiteData, doc: dict, lines: dict[str, int]) -> list[tuple]:
    """The 三公 block: total, parts, change on last year where the narrative
    states it, 三公 per 万元 of budget and its rank among comparable documents
    (same year and kind; the department_ratios dataset ranks them)."""
    base = src_base(doc["doc_id"])

    def href(name: str) -> str:
        return figure_href(doc, lines, name)

    total = doc["three_public"]
    out = [("“三公”经费合计", fmt.money_unit(total), "财政拨款，不含会议费、培训费", href("three_public"))]
    for name, label in THREE_PUBLIC_FIGURES:
        if not fmt.is_missing(doc.get(name)):
            out.append((label, fmt.money_unit(doc[name]), f"占 {fmt.share(doc[name], total)}", href(name)))
    for r in data.for_doc("yoy_changes", doc["doc_id"]):
        if "三公" in (r["subject"] or "") and not fmt.is_missing(r["change"]):
            note = f"{fmt.pct(r['change_pct'], 2)}；上年 {fmt.money(r['previous_amount'])}（推算）" \
                if not fmt.is_missing(r["change_pct"]) else f"上年 {fmt.money(r['previous_amount'])}（推算）"
            out.append(("比上年", f"{fmt.signed(r['change'])} 万元", note, base + provenance.line_anchor(r["source_line"])
                        if r["source_line"] else ""))
            break
    ratio = data.for_doc("department_ratios", doc["doc_id"])
    ratio = ratio[0] if ratio else {}
    per_10k = ratio.get("three_public_per_10k")
    if not fmt.is_missing(per_10k):
        out.append(("每万元预算“三公”经费", f"{fmt.money(per_10k)} 元", "“三公”经费 ÷ 收支总预算", ""))
        rank, n = ratio.get("three_public_rank"), ratio.get("n_comparable")
        if not fmt.is_missing(rank) and n:
            out.append(("同类文件中的排名", f"第 {fmt.integer(rank)} / {fmt.integer(n)}",
                        f"{doc['year']} 年{doc.get('kind') or ''}，每万元“三公”从高到低", compare_href(doc)))
    return out


def three_public_section(data: SiteData, doc: dict, lines: dict[str, int]) -> Section:
    rows = data.for_doc("three_public", doc["doc_id"])
    sec = Section("three-public", "“三公”经费")
    sec.figures = three_public_figures(data, doc, lines)
    parts = {r["item"]: r for r in rows}
    bars = [{"label": parts[k]["item_name"], "amount": parts[k]["total"] or 0} for k in THREE_PUBLIC_PARTS if k in parts]
    if bars and any(b["amount"] for b in bars):
        sec.charts.append(Chart("three-public", "“三公”经费构成", "items", charts.bar_rows(bars),
                                _top_alt(bars, "“三公”经费"), len(bars)))
    t = Table([Col("项目"), Col("合计", True), Col("一般公共预算", True), Col("政府性基金", True),
               Col("国有资本经营预算", True), LINE], caption="财政拨款“三公”经费支出情况表（万元）",
              href_base=src_base(doc["doc_id"]))
    for r in rows:
        d = 1 if r["item"] in ("vehicle_purchase", "vehicle_operation") else 0
        t.rows.append(Row([c(r["item_name"]), m(r["total"]), m(r["gpb"]), m(r["gov_fund"]), m(r["state_capital"]),
                           line_cell(r["source_line"])], depth=d, cls="total" if r["item"] == "total" else f"d{d}"))
    sec.tables.append(t)
    fees = data.for_doc("entrusted_fees", doc["doc_id"])
    if fees:
        f = Table([Col("项目名称"), Col("预算单位"), Col("合计", True), Col("一般公共预算", True), LINE],
                  caption="财政拨款委托业务费支出情况表（万元）", href_base=src_base(doc["doc_id"]))
        for r in fees:
            f.rows.append(Row([c(r["project"]), c(r["unit_name"]), m(r["total"]), m(r["gpb"]), line_cell(r["source_line"])],
                              cls="secret" if r["is_secret"] else ""))
        sec.tables.append(sec.capped(f, MAX_ROWS, "entrusted-fees", "全部委托业务费项目"))
    elif fmt.is_missing(doc["entrusted_fees"]):
        sec.text = "本文件没有财政拨款委托业务费支出情况表（2026 年以前的模板无此表）。"
    return sec


def carryover_section(data: SiteData, doc: dict, lines: dict[str, int]) -> Section:
    rows = sorted(data.for_doc("carryover", doc["doc_id"]), key=lambda r: (-(r["total"] or 0), r["project"] or ""))
    sec = Section("carryover", "上年结转结余")
    sec.figures = [("上年结转结余", fmt.money_unit(doc["carryover"]), "", figure_href(doc, lines, "carryover")),
                   ("结转项目数", fmt.integer(doc["n_carryover_projects"]))]
    bars = [{"label": r["project"], "amount": r["total"] or 0, "note": "不予公开" if r["is_secret"] else ""}
            for r in rows[:MAX_BARS]]
    if bars:
        sec.charts.append(Chart("carryover", "结转结余（按项目）", "items-secret", charts.bar_rows(bars),
                                _top_alt(bars, "上年结转结余"), len(bars)))
    t = Table([Col("项目名称"), Col("预算单位"), Col("合计", True), Col("财政拨款", True), Col("非财政拨款", True), LINE],
              caption="上年结转结余情况表（万元）", href_base=src_base(doc["doc_id"]))
    for r in rows:
        t.rows.append(Row([c(r["project"]), c(r["unit_name"]), m(r["total"]), m(r["fiscal_subtotal"]),
                           m(r["nonfiscal_subtotal"]), line_cell(r["source_line"])], cls="secret" if r["is_secret"] else ""))
    sec.tables.append(sec.capped(t, MAX_ROWS, "carryover", "全部结转结余项目"))
    return sec


_HEADING_NUMBER = re.compile(r"^[（(]?[一二三四五六七八九十\d]+[)）、.．]\s*")
_HEADING_YEAR = re.compile(r"20\d\d\s*年度?")
_HEADING_END = re.compile(r"[，。：:；,]|\d+(\.\d+)?万元")


def _section_name(section: str | None, department: str) -> str:
    """The heading of the narrative section a change is stated in, short: the
    last part of its path without its number, "关于", the department's name
    and the year, up to where a sentence starts ("2、关于某某厅2026年收入预算
    情况说明" → "收入预算情况说明"; "（二）支出预算总计17996.68万元。" →
    "支出预算总计")."""
    parts = [p.strip() for p in (section or "").split(" / ") if p.strip()]
    if not parts:
        return ""
    head = _HEADING_NUMBER.sub("", parts[-1]).removeprefix("关于")
    if department:
        head = head.replace(department, "")
    head = _HEADING_YEAR.sub("", head)
    end = _HEADING_END.search(head)
    name = (head[:end.start()] if end else head).strip() or head.strip()
    return name if len(name) <= 16 else name[:15] + "…"


def yoy_section(data: SiteData, doc: dict) -> Section:
    rows = data.for_doc("yoy_changes", doc["doc_id"])
    sec = Section("yoy", "比上年变化")
    t = Table([Col("章节"), Col("对象"), Col("本年", True), Col("变化", True), Col("变化率", True),
               Col("上年（推算）", True), Col("主要原因"), LINE], id="yoy-table",
              caption="情况说明中的“比上年增加/减少”（万元）；上年数由本年数减变化额推算，非文件印出",
              href_base=src_base(doc["doc_id"]))
    for r in rows:
        change = c(fmt.signed(r["change"]), cls="num " + ("up" if (r["change"] or 0) > 0 else "down" if (r["change"] or 0) < 0 else ""))
        t.rows.append(Row([c(_section_name(r["section"], doc["department"]), cls="section"), c(r["subject"]), m(r["amount"]), change,
                           c(fmt.pct(r["change_pct"], 2), cls="num"), m(r["previous_amount"]),
                           c(r["reason"], cls="reason"), line_cell(r["source_line"])]))
    sec.tables.append(sec.capped(without_empty_columns(t, keep=2), MAX_YOY_ROWS, "yoy", "全部比上年变化"))
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
        t = Table([Col("一级指标"), Col("二级指标"), Col("三级指标"), Col("指标值"), Col("上年完成值"), Col("权重", True),
                   LINE], caption=f"{scope}（年度预算 {fmt.money_unit(first['budget'])}）", href_base=src_base(doc["doc_id"]))
        prev = (None, None)
        for r in g:
            l1 = r["level1"] if r["level1"] != prev[0] else ""
            l2 = r["level2"] if (r["level1"], r["level2"]) != prev else ""
            prev = (r["level1"], r["level2"])
            t.rows.append(Row([c(l1), c(l2), c(r["level3"]), c(r["target_value"]), c(r["last_year_value"]),
                               c(fmt.number(r["weight"]), cls="num"), line_cell(r["source_line"])]))
        tables.append(t)
    sec.figures = [("绩效目标表", fmt.integer(len(tables))), ("绩效指标", fmt.integer(len(rows)))]
    if len(rows) <= MAX_TARGET_ROWS:
        sec.tables = tables
        return sec
    # the sub-page is a folder deeper: its tables' line links one more "../"
    sec.subpages.append(Subpage("targets", "全部绩效目标", [replace(t, href_base="../" + t.href_base) for t in tables]))
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
        t = Table([Col("项目"), Col("金额（万元）", True), LINE], caption="政府采购预算", href_base=src_base(doc["doc_id"]))
        for label, key in (("政府采购预算", "total"), ("货物", "goods"), ("工程", "works"), ("服务", "services"),
                           ("面向中小企业预留", "sme_reserved"), ("其中小微企业预留", "small_micro_reserved")):
            t.rows.append(Row([c(label), m(p[key]), line_cell(p["source_line"])],
                              depth=0 if key in ("total", "sme_reserved") else 1,
                              cls="d0" if key in ("total", "sme_reserved") else "d1"))
        sec.tables.append(t)
    assets = data.for_doc("assets", doc["doc_id"])
    if assets:
        t = Table([Col("项目"), Col("数量", True), Col("单位"), Col("价值（万元）", True), Col("截至"), LINE],
                  caption="国有资产占用使用情况", href_base=src_base(doc["doc_id"]))
        for r in assets:
            d = 1 if (r["item"] or "").startswith("vehicles_") else 0
            t.rows.append(Row([c(r["item_name"]), c(fmt.number(r["quantity"]), cls="num"), c(r["quantity_unit"]),
                               m(r["value"]), c(r["as_of"]), line_cell(r["source_line"])], depth=d, cls=f"d{d}"))
        sec.tables.append(sec.capped(t, MAX_ROWS, "assets", "全部国有资产项目"))
    if not proc and not assets:
        sec.text = "本文件未写明政府采购或国有资产情况，或未能读取。"
    return sec


STATUS_ORDER = {s: k for k, s in enumerate(reversed(STATUSES))}   # fail, rounding, pass


def check_group(check_id: str) -> str:
    """The table a check belongs to: the first part of its id (income.tree.201.total → income)."""
    return (check_id or "").split(".")[0]


def _check_rows(rows: list[dict]) -> list[Row]:
    """A table row per check; its lines linked (under the table's href_base)."""
    return [Row([c(fmt.status(r["status"]), cls=f"status {r['status']}"), c(r["description"]), m(r["expected"]),
                 m(r["actual"]), m(r["difference"]), lines_cell(r["lines"])]) for r in rows]


def _checks_html(rows: list[dict], href_base: str = "") -> str:
    """The same rows as _check_rows, as HTML, made directly: a document has
    hundreds of checks (the longest table of its pages), mostly passing with
    the same few amounts, and Cell objects for each took ~3 ms a document.
    Must match what tables.to_html makes of _check_rows with this
    href_base (tested)."""
    status = {}
    amounts: dict = {}
    base = esc(href_base)

    def lines(text) -> str:
        numbers = [x.strip() for x in (text or "").split(",")]
        return '<td class="ln">' + ", ".join(f'<a href="{base}#L{n}">{n}</a>' for n in numbers if n.isdigit()) + "</td>"

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
                   f'{amount(r["difference"])}{lines(r["lines"])}</tr>\n')
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
    base = src_base(doc["doc_id"])
    if failing:
        sec.tables.append(sec.capped(Table(columns, failing, caption="未通过的校验（不符与舍入差；“舍入差”见方法页）",
                                           href_base=base), MAX_ROWS, "checks-failing", "未通过的校验"))
    sec.subpages.append(Subpage("checks", "全部算术校验", [Table(columns, body=_checks_html(rows, "../" + base),
                                                                 caption="全部校验")], searchable=False))
    return sec


def context(data: SiteData, doc: dict) -> dict:
    doc_id = doc["doc_id"]
    units = data.for_doc("units", doc_id)
    lines = provenance.headline_lines(data, doc)
    sections = [
        income_section(data, doc_id),
        expenditure_section(data, doc_id),
        economic_section(data, doc, lines),
        projects_section(data, doc),
        three_public_section(data, doc, lines),
        carryover_section(data, doc, lines),
        yoy_section(data, doc),
        targets_section(data, doc),
        procurement_assets_section(data, doc),
        checks_section(data, doc),
    ]
    return {
        "doc": doc,
        "title": title(doc),
        "figures": headline(doc, lines),
        "lookalikes": lookalikes(doc, lines),
        "units": units,
        "sections": sections,
        "charts": [ch for s in sections for ch in s.charts],
        "subpages": [p for s in sections for p in s.subpages],
    }
