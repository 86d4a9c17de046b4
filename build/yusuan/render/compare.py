"""Context of the compare page: one sortable table of every department-year
and charts comparing size and function-class composition."""
from __future__ import annotations

from yusuan.render import charts
from yusuan.render.data import SiteData
from yusuan.render.charts import Chart
from yusuan.render.home import doc_href
from yusuan.render.tables import Col, Row, Table, c, i, m, p, y

MAX_CHART_DOCS = 40   # departments in a comparison chart (largest budgets)
MAX_CLASSES = 8       # function classes shown by name; the rest are 其他


def _label(d: dict) -> str:
    """A document in a chart: its kind named unless a 部门预算 (a year's 预算 and 决算 are two bars)."""
    kind = "" if d.get("kind") in (None, "部门预算") else d["kind"]
    return f"{d['department']}（{d['year']}{kind}）"


def partial_mark(doc: dict) -> str:
    """"（不完整）" after a document read only in part (its figures are partial)."""
    return "（不完整）" if doc.get("complete") is False else ""


def row_id(doc_id: str) -> str:
    """The anchor of a document's row (compare/#d-<doc_id>): a document page links there."""
    return f"d-{doc_id}"


def table(data: SiteData) -> Table:
    ratios = {r["doc_id"]: r for r in data.records("department_ratios")}
    t = Table([Col("部门"), Col("层级"), Col("年度", True), Col("类型"), Col("收支总预算", True), Col("本年收入", True),
               Col("上年结转结余", True), Col("基本支出", True), Col("项目支出", True), Col("项目支出占比", True),
               Col("人员经费占比", True), Col("结转结余占比", True), Col("“三公”经费", True),
               Col("每万元预算“三公”（元）", True), Col("不予公开项目占比", True), Col("未通过校验", True)],
              caption="金额单位：万元。点击表头排序。“不完整”：文件缺少应有的表，其数字只是部分。", sortable=True, id="compare-table", searchable=False,
              filters="level:1,year:2,kind:3")
    for d in data.documents:
        r = ratios.get(d["doc_id"], {})
        name = c(d["department"] + partial_mark(d), href=doc_href(d["doc_id"], "../"))
        name.sort = d["department"]
        t.rows.append(Row([name, c(d["level"]), y(d["year"]), c(d["kind"], cls="nowrap"), m(d["total_budget"]), m(d["current_year_income"]),
                           m(d["carryover"]), m(d["basic_expenditure"]), m(d["project_expenditure"]),
                           p(r.get("project_share_pct")), p(r.get("personnel_share_pct")),
                           p(r.get("carryover_share_pct")), m(d["three_public"]),
                           m(r.get("three_public_per_10k")), p(r.get("secret_share_pct")),
                           i(d["n_checks_failed"])], id=row_id(d["doc_id"])))
    return t


def chart_budgets(data: SiteData, docs: list[dict]) -> Chart:
    rows = []
    for d in docs:
        rows.append({"label": _label(d), "series": "基本支出", "amount": d["basic_expenditure"] or 0})
        rows.append({"label": _label(d), "series": "项目支出", "amount": d["project_expenditure"] or 0})
    values = charts.stacked_rows(rows, ["基本支出", "项目支出"])
    top = "；".join(f"{_label(d)} {d['total_budget']:,.2f} 万元" for d in docs[:3])
    return Chart("budgets", "收支规模：基本支出与项目支出", "compare-budgets", values,
                 f"按收支总预算排序，最大的：{top}。", len(docs))


def chart_classes(data: SiteData, docs: list[dict]) -> Chart:
    wanted = {d["doc_id"]: d for d in docs}
    totals: dict[str, float] = {}
    names: dict[str, str] = {}
    for r in data.records("function_class_totals"):
        if r["doc_id"] in wanted:
            totals[r["class_code"]] = totals.get(r["class_code"], 0) + (r["total"] or 0)
            names.setdefault(r["class_code"], r["class_name"])
    top = sorted(totals, key=lambda k: (-totals[k], k))[:MAX_CLASSES]
    series_order = [f"{k} {names[k]}" for k in sorted(top)] + (["其他"] if len(totals) > len(top) else [])
    rows = []
    for d in docs:
        agg: dict[str, float] = {}
        for r in data.for_doc("function_class_totals", d["doc_id"]):
            s = f"{r['class_code']} {r['class_name']}" if r["class_code"] in top else "其他"
            agg[s] = round(agg.get(s, 0) + (r["total"] or 0), 2)
        whole = sum(agg.values()) or 1
        for s in series_order:
            if s in agg:
                rows.append({"label": _label(d), "series": s, "amount": agg[s], "share": agg[s] / whole * 100})
    return Chart("classes", "支出结构：各功能分类（类）所占比例", "compare-classes", charts.stacked_rows(rows, series_order),
                 "每个部门的支出按功能分类（类）所占比例；数据见下表与 function_class_totals 数据集。", len(docs))


def class_summary(data: SiteData) -> Table:
    t = Table([Col("年度", True), Col("类编码"), Col("类名称"), Col("部门数", True), Col("合计（万元）", True),
               Col("占比", True)], caption="所有部门按功能分类（类）的支出合计", sortable=True, id="class-table")
    for r in sorted(data.records("function_class_summary"), key=lambda r: (r["year"] or 0, r["rank"] or 0, r["class_code"])):
        t.rows.append(Row([y(r["year"]), c(r["class_code"]), c(r["class_name"]), i(r["n_departments"]),
                           m(r["total"]), p(r["share_pct"])]))
    return t


def context(data: SiteData) -> dict:
    docs = sorted(data.documents, key=lambda d: (-(d["total_budget"] or 0), d["doc_id"]))[:MAX_CHART_DOCS]
    note = f"（收支总预算最大的 {MAX_CHART_DOCS} 份）" if len(data.documents) > MAX_CHART_DOCS else ""
    # a chart with no rows (no document has a function-class table) is left out
    shown = [ch for ch in (chart_budgets(data, docs), chart_classes(data, docs)) if ch.values]
    return {"table": table(data), "charts": shown,
            "chart_note": note, "class_table": class_summary(data)}
