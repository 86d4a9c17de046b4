"""Context of one department-year page: headline figures, charts and tables
built from the document's rows in every dataset."""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from yusuan.render import charts, fmt, provenance
from yusuan.render.charts import Chart
from yusuan.render.data import SiteData
from yusuan.render.provenance import line_cell, lines_cell
from yusuan.render.tables import (ROWS_FILE, Cell, Col, Row, Table, c, i, m, paged, rows_file, tree_depth,
                                  without_empty_columns)
from yusuan.schema import STATUSES
from yusuan.terms import TABLE_TITLES, norm

# A department page stays small whatever the document (the site holds
# 10,000 of them in 1 GB): the detail tables' rows are in a rows file beside
# the page (Section.later), long tables show their first rows (Section.capped),
# and site.js lists every row in place, a page of MAX_ROWS at a time.
MAX_ROWS = 20          # rows of a long table shown on the page, or listed at a time
MAX_BARS = 30          # bars in a per-item chart
TARGET_PAGE_ROWS = 20  # performance indicators listed a page at a time
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
class Section:
    id: str
    title: str
    charts: list[Chart] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    figures: list[tuple[str, str]] = field(default_factory=list)
    text: str = ""

    rows: dict[str, dict] = field(default_factory=dict)     # name → a table's rows (tables.rows_data), for ROWS_FILE

    def capped(self, table: Table, limit: int, name: str) -> Table:
        """A long table's first `limit` rows; every row in the page's rows
        file, paged by site.js in place."""
        if len(table.rows) <= limit:
            return table
        return self.paged(table, name, limit, limit,
                          f"共 {len(table.rows):,} 行，此处列出前 {limit:,} 行；浏览器运行 JavaScript 时可翻页查看全部，"
                          f"全部也在“数据”页的数据集中（按 doc_id 筛选）。", unit=ROW_UNIT)

    def later(self, table: Table, name: str, dataset: str) -> Table:
        """A table of the page's details (projects, carryover, 比上年, …):
        its rows only in the rows file, drawn by site.js (a reader without
        JavaScript has the dataset). What is read first (headline figures,
        the main tables, 三公, checks that fail) stays in the HTML."""
        if not table.rows:
            return table
        return self.paged(table, name, 0, MAX_ROWS,
                          f"{len(table.rows):,} 行，在浏览器运行 JavaScript 时列于此表；"
                          f"也在“数据”页的 {dataset} 数据集中（按 doc_id 筛选）。", unit=ROW_UNIT)

    def paged(self, table: Table, name: str, shown: int, page_rows: int, note: str, **more) -> Table:
        """The table as the HTML shows it (its first `shown` rows, the note),
        every row under `name` in the page's rows file (tables.paged), listed
        by site.js `page_rows` at a time; `full` keeps every row for the search index."""
        table, self.rows[name] = paged(table, ROWS_FILE, name, shown, page_rows, note, **more)
        return table


ROW_UNIT = ("行", "行")     # the pager counts a detail table's rows: “第 1–20 行，共 35 行”


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


NOT_READ = "未读出"     # a figure the document does not give, or that was not read: never shown as 0


def is_final(doc: dict) -> bool:
    """A 决算 (final accounts): its summary prints 收入总计 and 年初结转和结余."""
    return (doc.get("kind") or "").endswith("决算")


def words(doc: dict) -> dict[str, str]:
    """The names of the summary's figures as the document's kind prints them."""
    if is_final(doc):
        return {"total_budget": "收入总计", "carryover": "年初结转和结余", "gpb_total": "一般公共预算财政拨款支出",
                "total_note": "本年收入 + 年初结转和结余"}
    return {"total_budget": "收支总预算", "carryover": "上年结转结余", "gpb_total": "一般公共预算支出",
            "total_note": "收入总计：本年收入 + 上年结转"}


def _keys(text) -> set[str]:
    return {k for k in (text or "").split(",") if k}


def missing_note(doc: dict, name: str) -> str:
    """Why a headline figure is not shown: the table it is read from is
    missing, empty or not in this kind of document, or the figure was not
    found in it."""
    table = provenance.HEADLINE_CELLS.get(name, ("",))[0]
    title = TABLE_TITLES.get(table, table)
    if table in _keys(doc.get("tables_missing")):
        return f"应有的{title}文件中没有"
    if table in _keys(doc.get("tables_empty")):
        return f"{title}为空表"
    if table and table not in _keys(doc.get("tables_present")):
        return f"本文件没有{title}"
    return "表中未能读出此数"


def card(doc: dict, lines: dict[str, int], name: str, label: str, note: str = "") -> tuple[str, str, str, str]:
    """A headline card for the documents dataset's figure `name`: its amount
    linked to its line, or NOT_READ and why (never 0 for a figure not read)."""
    value = doc.get(name)
    if fmt.is_missing(value):
        return (label, NOT_READ, missing_note(doc, name), "")
    return (label, fmt.money_unit(value), note, figure_href(doc, lines, name))


def _share_note(doc: dict, name: str, extra: str = "") -> str:
    share = fmt.share(doc.get(name), doc.get("total_budget"))
    parts = ([f"占 {share}"] if share != fmt.DASH else []) + ([extra] if extra else [])
    return "，".join(parts)


def headline(doc: dict, lines: dict[str, int]) -> list[tuple[str, str, str, str]]:
    """(label, value, note, link to its source line) for the figures grid."""
    w = words(doc)
    personnel, public = doc.get("personnel"), doc.get("public_funds")
    if fmt.is_missing(personnel) and fmt.is_missing(public):
        staff = ("人员经费 / 公用经费", NOT_READ, missing_note(doc, "personnel"), "")
    else:
        staff = ("人员经费 / 公用经费", f"{fmt.money(personnel)} / {fmt.money(public)}", "万元，一般公共预算基本支出",
                 figure_href(doc, lines, "personnel"))
    entrusted = card(doc, lines, "entrusted_fees", "委托业务费")
    if entrusted[1] == NOT_READ and "entrusted_fees" not in _keys(doc.get("tables_present")):
        entrusted = ("委托业务费", NOT_READ, "本文件无此表", "")
    return [
        card(doc, lines, "total_budget", w["total_budget"], w["total_note"]),
        card(doc, lines, "current_year_income", "本年收入", _share_note(doc, "current_year_income")),
        card(doc, lines, "carryover", w["carryover"], _share_note(doc, "carryover")),
        card(doc, lines, "basic_expenditure", "基本支出", _share_note(doc, "basic_expenditure", "全部资金")),
        card(doc, lines, "project_expenditure", "项目支出", _share_note(doc, "project_expenditure", "全部资金")),
        card(doc, lines, "gpb_total", w["gpb_total"], "财政拨款中的一般公共预算"),
        staff,
        card(doc, lines, "three_public", "“三公”经费", "财政拨款，不含会议费、培训费"),
        entrusted,
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
    w = words(doc)
    for whole, part, whole_label, part_label in LOOKALIKES:
        a, b = doc.get(whole), doc.get(part)
        if fmt.is_missing(a) or fmt.is_missing(b) or abs(a - b) < 0.005:
            continue
        why = LOOKALIKE_WHY[whole]
        if whole == "total_budget":
            whole_label, why = w["total_budget"], f"{w['total_budget']} = 本年收入 + {w['carryover']}"
        out.append({"labels": (whole_label, part_label), "amounts": (fmt.money_unit(a), fmt.money_unit(b)),
                    "hrefs": (figure_href(doc, lines, whole), figure_href(doc, lines, part)),
                    "difference": fmt.money_unit(round(a - b, 2)), "why": why})
    return out


SUMMARY_SOURCES = ("本年收入", "当年收入", "上年结转", "年初结转")   # the summary's rows that are sources


def income_section(data: SiteData, doc_id: str) -> Section:
    cells = data.for_doc("table_cells", doc_id, table_key="income")
    total_rows = [r for r in cells if norm(r["row_label"] or "") in TOTAL_LABELS]
    if len({r["column_label"] for r in cells}) == 1 and len({r["row_no"] for r in cells}) > 1:
        # a list, not a grid (江苏: 收入总计, then a row per source, one 金额 column):
        # the rows are the sources, the first of a repeated name (its 小计) stands for it
        seen: set = set()
        listed = []
        for r in cells:
            if r["row_label"] and r["row_label"] not in seen:
                seen.add(r["row_label"])
                listed.append(dict(r, column_label=r["row_label"]))
        cells = listed
        source = "部门收入总体情况表"
    elif total_rows or any(r["column_key"] == "total" for r in cells):
        # the 总计 row: by its label, else the first row with a 合计 column (北京 prints it unlabelled)
        row_no = min(r["row_no"] for r in (total_rows or [r for r in cells if r["column_key"] == "total"]))
        cells = [r for r in cells if r["row_no"] == row_no]
        source = "部门收入总体情况表 总计行"
    else:
        # the summary's rows are the sources: named by their row, not by the column (收入/预算数)
        cells = [dict(r, column_label=r["row_label"]) for r in data.for_doc("table_cells", doc_id, table_key="summary")
                 if norm(r["row_label"] or "").startswith(SUMMARY_SOURCES)
                 and not (r["column_label"] or "").startswith("支出")]
        source = "部门收支总体情况表"
    # The 总计 column, subtotal columns (财政拨款（补助）小计) and the sources
    # (leaf columns). A subtotal is never shown beside its own parts: chart and
    # table list the sources, largest first, then the 总计 row, amounts as read.
    # A column headed …合计/…总计 (本年收入合计 of a 决算) is a total too.
    totals = [r for r in cells if r["column_key"] == "total" or _is_total_label(r["column_label"])]
    subtotals = [r for r in cells if r not in totals and ((r["column_key"] or "").endswith("subtotal")
                                                          or _last(r["column_label"]) == "小计")]
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
    if not cells:
        sec.text = "未能从部门收入总体情况表或收支总体情况表读出收入来源。"
    return sec


def _last(label) -> str:
    """The last part of a column's header path ("收入预算/合计" → "合计")."""
    return norm((label or "").rpartition("/")[2])


def _is_total_label(label) -> bool:
    last = _last(label)
    return last in TOTAL_LABELS or last.endswith("合计") or last.endswith("总计")


def _code_tree(lines: list[dict]) -> list[dict]:
    """Long lines (code, measure, amount) → one dict per code, sorted by code."""
    by_code: dict[str, dict] = {}
    for r in lines:
        e = by_code.setdefault(r["code"], {"code": r["code"], "name": r["name"], "level": r["level"],
                                           "line": r["source_line"]})
        e.setdefault(r["measure"], r["amount"])
    return sorted(by_code.values(), key=lambda e: e["code"])


# The measures (columns) of the classification tables, in the order shown,
# with their names; a measure not listed here is shown under its printed header.
MEASURES = {"total": "合计", "amount": "金额", "subtotal": "小计", "basic": "基本支出", "basic_personnel": "人员经费",
            "personnel": "人员经费", "basic_public_funds": "公用经费", "public_funds": "公用经费", "project": "项目支出"}
SPLITS = [(("基本支出", "basic"), ("项目支出", "project")), (("人员经费", "personnel"), ("公用经费", "public_funds")),
          (("人员经费", "basic_personnel"), ("公用经费", "basic_public_funds"))]


def _measures(lines: list[dict]) -> list[tuple[str, str]]:
    """(measure, column title) of the measures the lines hold: known ones in
    MEASURES order, then the others in the order printed. A measure the
    parser names only by its header (col_本年支出合计, amount) is titled with
    that header, as printed ("2025年预算数", "本年支出合计")."""
    printed: dict[str, str] = {}
    for r in lines:
        printed.setdefault(r["measure"], r.get("column_label") or "")
    known = [k for k in MEASURES if k in printed]
    others = [k for k in printed if k not in MEASURES]
    # a column headed …合计 (本年支出合计 of a 决算) is the row's whole: first
    wholes = [k for k in others if _is_total_label(printed[k])]
    out = []
    for k in wholes + known + [k for k in others if k not in wholes]:
        if k in MEASURES and k != "amount":
            out.append((k, MEASURES[k]))
        else:
            out.append((k, printed[k] or (k.removeprefix("col_") if k.startswith("col_") else MEASURES.get(k, k))))
    return out


def _main_measure(measures: list[tuple[str, str]]) -> str | None:
    """The measure that is the row's whole: 合计, else the only amount, else a column headed …合计."""
    keys = [k for k, _ in measures]
    for k in ("total", "amount"):
        if k in keys:
            return k
    return next((k for k, title in measures if _is_total_label(title)), keys[0] if keys else None)


def _split_chart(sec: Section, key: str, kind: str, title: str, items: list[dict],
                 measures: list[tuple[str, str]], alt_title: str) -> None:
    """A bar per 款, stacked by its two parts (基本/项目, 人员/公用) where the
    table prints them, else its whole."""
    keys = {k for k, _ in measures}
    main = _main_measure(measures)
    series = next(([(a, ka), (b, kb)] for (a, ka), (b, kb) in SPLITS if ka in keys and kb in keys), None)
    if series is None:
        if main is None:
            return
        series = [(dict(measures)[main], main)]
        title = title.split("（")[0]
    bars = [{"label": f"{e['code']} {e['name']}", "series": name, "amount": e.get(measure) or 0}
            for e in items for name, measure in series]
    if not bars or not any(b["amount"] for b in bars):
        return
    alt_rows = [{"label": f"{e['code']} {e['name']}",
                 "amount": e.get(main) if e.get(main) is not None else sum(e.get(k) or 0 for _, k in series)}
                for e in items]
    sec.charts.append(Chart(key, title, kind, charts.stacked_rows(bars, [name for name, _ in series]),
                            _top_alt(alt_rows, alt_title), len(items)))


def _tree_table(tree: list[dict], measures: list[tuple[str, str]], caption: str, href_base: str, depth) -> Table:
    """A classification table: code, name, a column per measure, the line; columns empty in every row left out."""
    t = Table([Col("科目编码"), Col("科目名称")] + [Col(title, True) for _, title in measures] + [LINE],
              caption=caption, href_base=href_base, cls="ys-tree")
    for e in tree:
        d = depth(e)
        t.rows.append(Row([c(e["code"]), c(e["name"])] + [m(e.get(k)) for k, _ in measures] + [line_cell(e["line"])],
                          depth=d, cls=f"d{d}"))
    return without_empty_columns(t, keep=2)


def _by_main(items: list[dict], main: str | None) -> list[dict]:
    return sorted(items, key=lambda e: -(e.get(main) or 0) if main else 0)


def expenditure_section(data: SiteData, doc_id: str, titles: dict[str, str]) -> Section:
    lines = data.for_doc("function_lines", doc_id)
    table_key = "expenditure" if any(r["table_key"] == "expenditure" for r in lines) else "gpb_expenditure"
    lines = [r for r in lines if r["table_key"] == table_key]
    tree = _code_tree(lines)
    measures = _measures(lines)
    sec = Section("expenditure", "支出：按功能分类")
    if not tree:
        sec.text = "未能读出按功能分类科目列出的支出（部门支出总体情况表或一般公共预算支出情况表）。"
        return sec
    kuan = [e for e in tree if tree_depth(e["code"], e["level"]) == 1] or [e for e in tree if tree_depth(e["code"], e["level"]) == 0]
    kuan = _by_main(kuan, _main_measure(measures))[:MAX_BARS]
    _split_chart(sec, "expenditure", "split-function", "各款支出（基本支出与项目支出）", kuan, measures,
                 "按功能分类（款）的支出")
    caption = f"{titles.get(table_key) or TABLE_TITLES.get(table_key, table_key)}（万元）"
    sec.tables.append(_tree_table(tree, measures, caption, src_base(doc_id),
                                  lambda e: tree_depth(e["code"], e["level"])))
    return sec


def economic_section(data: SiteData, doc: dict, figure_lines: dict[str, int], titles: dict[str, str]) -> Section:
    lines = data.for_doc("economic_lines", doc["doc_id"])
    tree = _code_tree(lines)
    measures = _measures(lines)
    sec = Section("economic", "基本支出：按经济分类")
    sec.figures = [card(doc, figure_lines, "personnel", "人员经费"), card(doc, figure_lines, "public_funds", "公用经费")]
    share = _ratio(data, doc, "personnel_share_pct")
    if not fmt.is_missing(share):
        sec.figures.append(("人员经费占一般公共预算基本支出", fmt.pct(share, 2)))
    if not tree:
        sec.text = "未能读出按经济分类科目列出的基本支出（一般公共预算基本支出情况表）。"
        return sec
    kuan = [e for e in tree if len(e["code"]) == 5] or [e for e in tree if len(e["code"]) == 3]
    kuan = _by_main(kuan, _main_measure(measures))[:MAX_BARS]
    _split_chart(sec, "economic", "split-economic", "基本支出各款（人员经费与公用经费）", kuan, measures,
                 "按经济分类（款）的基本支出")
    caption = f"{titles.get('gpb_basic') or TABLE_TITLES['gpb_basic']}（万元）"
    sec.tables.append(_tree_table(tree, measures, caption, src_base(doc["doc_id"]),
                                  lambda e: 0 if len(e["code"]) == 3 else 1))
    return sec


def _project_list(sec: Section, doc: dict, projects: list[dict]) -> None:
    read = [r for r in projects if not fmt.is_missing(r["total"])]
    sec.figures = [("项目数", fmt.integer(len(projects))),
                   ("项目支出合计", fmt.money_unit(_sum(read, "total")) if read else NOT_READ,
                    "" if len(read) == len(projects) else
                    "各项目的金额未能读出" if not read else f"{len(projects) - len(read)} 个项目的金额未能读出，未计入"),
                   ("不予公开项目", f"{fmt.integer(doc['n_secret_projects'])} 个，{fmt.money_unit(doc['secret_project_amount'])}")]
    rows = [{"label": r["project"], "amount": r["total"] or 0, "note": "不予公开" if r["is_secret"] else ""}
            for r in projects[:MAX_BARS]]
    if any(r["amount"] for r in rows):
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
    sec.tables.append(sec.later(without_empty_columns(t, keep=1), "projects", "projects"))


def projects_section(data: SiteData, doc: dict) -> Section:
    # a 合计 row read as a project (烟台, 杭州 print it first) is not one
    projects = sorted((r for r in data.for_doc("projects", doc["doc_id"]) if norm(r["project"] or "") not in TOTAL_LABELS),
                      key=lambda r: (-(r["total"] or 0), r["project"] or ""))
    sec = Section("projects", "项目支出")
    if projects:
        _project_list(sec, doc, projects)
    elif "gpb_projects" in _keys(doc.get("tables_present")):
        # no project listed: a count of 0 would say the department has none
        sec.text = ("本文件的一般公共预算项目支出表没有逐个列出项目（例如按经济分类列出），或未能读出其中的项目；"
                    "项目支出的合计见主要数字。")
    else:
        sec.text = "本文件没有逐个列出项目的表（一般公共预算项目支出情况表），项目支出只有合计数，见主要数字。"
    details = data.for_doc("project_details", doc["doc_id"])
    if details:
        d = Table([Col("项目名称"), Col("预算安排规模", True), Col("政策依据"), Col("承担单位"), Col("执行时间"), LINE],
                  caption="项目说明（情况说明）", href_base=src_base(doc["doc_id"]))
        for r in details:
            basis = "完全不予公开" if r["is_withheld"] else fmt.text(r["policy_basis"])
            d.rows.append(Row([c(r["project"]), m(r["budget"]), c(basis), c(r["implementing_unit"]), c(r["period"]),
                               line_cell(r["source_line"])], cls="secret" if r["is_withheld"] else ""))
        sec.tables.append(sec.later(d, "project-details", "project_details"))
    return sec


THREE_PUBLIC_PARTS = ["outbound", "reception", "vehicle_purchase", "vehicle_operation"]


THREE_PUBLIC_FIGURES = [("three_public_outbound", "因公出国（境）费"), ("three_public_reception", "公务接待费"),
                        ("three_public_vehicles", "公务用车购置及运行维护费")]


def compare_href(doc: dict, root: str = "../../") -> str:
    """The compare table filtered to the document's year and kind, its row highlighted."""
    return f"{root}compare/?year={doc['year']}&kind={doc.get('kind') or ''}#d-{doc['doc_id']}"


def three_public_figures(data: SiteData, doc: dict, lines: dict[str, int]) -> list[tuple]:
    """The 三公 block: total, parts, change on last year where the narrative
    states it, 三公 per 万元 of budget and a link to its rank among comparable
    documents (same year and kind) on the compare page."""
    base = src_base(doc["doc_id"])

    def href(name: str) -> str:
        return figure_href(doc, lines, name)

    total = doc["three_public"]
    out = [card(doc, lines, "three_public", "“三公”经费合计",
                ("决算数（实际支出）；" if is_final(doc) else "") + "财政拨款，不含会议费、培训费")]
    for name, label in THREE_PUBLIC_FIGURES:
        if not fmt.is_missing(doc.get(name)):
            share = fmt.share(doc[name], total)
            out.append((label, fmt.money_unit(doc[name]), f"占 {share}" if share != fmt.DASH else "", href(name)))
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
        # its rank is on the compare page, not here: a rank changes with every
        # document added, and a page that shows only its own document's
        # numbers is kept as it is when another document is added (reuse.py)
        out.append(("同类文件中的排名", "在比较页查看",
                    f"{doc['year']} 年{doc.get('kind') or ''}，每万元“三公”从高到低", compare_href(doc)))
    return out


def printed_table(cells: list[dict], caption: str, href_base: str, label: str = "项目") -> Table:
    """A table as printed, from its cells in table_cells: a row per printed
    row, a column per printed header (in the order first read). For tables
    whose layout differs from place to place (the 三公 table is a row per item
    in one template, a column per item in another)."""
    columns: dict[str, None] = {}
    rows: dict[int, dict] = {}
    for r in cells:
        head = r["column_label"] or ""
        columns.setdefault(head)
        row = rows.setdefault(r["row_no"] or 0, {"label": r["row_label"] or "", "line": r["source_line"], "cells": {}})
        row["cells"].setdefault(head, r["amount"])
    heads = list(columns)
    labelled = any(row["label"] for row in rows.values())
    t = Table(([Col(label)] if labelled else []) + [Col(h.replace("/", " / ") or "金额", True) for h in heads] + [LINE],
              caption=caption, href_base=href_base, cls="ys-tree")
    for _, row in sorted(rows.items()):
        total = _is_total_label(row["label"])
        t.rows.append(Row(([c(row["label"])] if labelled else []) + [m(row["cells"].get(h)) for h in heads]
                          + [line_cell(row["line"])], cls="total" if total else ""))
    return t


def table_titles(data: SiteData, doc_id: str) -> dict[str, str]:
    """table_key → the title the document prints for it (its first)."""
    table = data.doc_table("table_cells", doc_id)
    if table is None or not table.num_rows:
        return {}
    out: dict[str, str] = {}
    for key, title in zip(table.column("table_key").to_pylist(), table.column("table_title").to_pylist()):
        if key and title and key not in out:
            out[key] = title
    return out


def three_public_section(data: SiteData, doc: dict, lines: dict[str, int], titles: dict[str, str]) -> Section:
    rows = data.for_doc("three_public", doc["doc_id"])
    sec = Section("three-public", "“三公”经费")
    sec.figures = three_public_figures(data, doc, lines)
    parts = {r["item"]: r for r in rows}
    bars = [{"label": parts[k]["item_name"], "amount": parts[k]["total"] or 0} for k in THREE_PUBLIC_PARTS if k in parts]
    if not any(b["amount"] for b in bars):
        # a table with a column per item: the parts the documents dataset read from it
        bars = [{"label": label, "amount": doc[name]} for name, label in THREE_PUBLIC_FIGURES
                if not fmt.is_missing(doc.get(name))]
    if bars and any(b["amount"] for b in bars):
        sec.charts.append(Chart("three-public", "“三公”经费构成", "items", charts.bar_rows(bars),
                                _top_alt(bars, "“三公”经费"), len(bars)))
    caption = f"{titles.get('three_public') or TABLE_TITLES['three_public']}（万元）"
    amounts = ("total", "gpb", "gov_fund", "state_capital")
    if (sum(1 for r in rows if r["item"] in THREE_PUBLIC_PARTS and r["item_name"]) >= 2
            and any(not fmt.is_missing(r[k]) for r in rows for k in amounts)):
        # a row per item, as the national template prints it
        t = Table([Col("项目"), Col("合计", True), Col("一般公共预算", True), Col("政府性基金", True),
                   Col("国有资本经营预算", True), LINE], caption=caption, href_base=src_base(doc["doc_id"]))
        for r in rows:
            if not r["item_name"] and all(fmt.is_missing(r[k]) for k in amounts):
                continue
            d = 1 if r["item"] in ("vehicle_purchase", "vehicle_operation") else 0
            t.rows.append(Row([c(r["item_name"]), m(r["total"]), m(r["gpb"]), m(r["gov_fund"]), m(r["state_capital"]),
                               line_cell(r["source_line"])], depth=d, cls="total" if r["item"] == "total" else f"d{d}"))
        sec.tables.append(without_empty_columns(t, keep=2))
    else:
        cells = data.for_doc("table_cells", doc["doc_id"], table_key="three_public")
        if cells:
            sec.tables.append(printed_table(cells, caption + "，按文件印出的行与列", src_base(doc["doc_id"])))
        elif "three_public" not in _keys(doc.get("tables_present")):
            sec.text = "本文件没有读到财政拨款“三公”经费支出情况表。"
    fees = data.for_doc("entrusted_fees", doc["doc_id"])
    if fees:
        f = Table([Col("项目名称"), Col("预算单位"), Col("合计", True), Col("一般公共预算", True), LINE],
                  caption="财政拨款委托业务费支出情况表（万元）", href_base=src_base(doc["doc_id"]))
        for r in fees:
            f.rows.append(Row([c(r["project"]), c(r["unit_name"]), m(r["total"]), m(r["gpb"]), line_cell(r["source_line"])],
                              cls="secret" if r["is_secret"] else ""))
        sec.tables.append(sec.later(f, "entrusted-fees", "entrusted_fees"))
    elif fmt.is_missing(doc["entrusted_fees"]):
        sec.text += "本文件没有财政拨款委托业务费支出情况表（此表只在部分年度与地方的模板中有）。"
    return sec


def carryover_section(data: SiteData, doc: dict, lines: dict[str, int]) -> Section:
    rows = sorted(data.for_doc("carryover", doc["doc_id"]), key=lambda r: (-(r["total"] or 0), r["project"] or ""))
    w = words(doc)
    sec = Section("carryover", w["carryover"])
    sec.figures = [card(doc, lines, "carryover", w["carryover"])]
    if not rows:
        sec.text = (f"本文件没有逐个项目列出的{TABLE_TITLES['carryover']}，或未能读出；"
                    f"{w['carryover']}只有合计数（上方，读自收支总体情况表）。")
        return sec
    sec.figures.append(("结转项目数", fmt.integer(doc["n_carryover_projects"])))
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
    sec.tables.append(sec.later(t, "carryover", "carryover"))
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
    sec.tables.append(sec.later(without_empty_columns(t, keep=2), "yoy", "yoy_changes"))
    if not rows:
        sec.text = "情况说明中没有读到“比上年增加（减少）若干万元”的说法。"
    return sec


def targets_section(data: SiteData, doc: dict, problems: list[dict] = ()) -> Section:
    rows = data.for_doc("performance_targets", doc["doc_id"])
    sec = Section("targets", "绩效目标")
    unread = sum(p["count"] for p in problems if "绩效目标表" in p["message"])
    if unread:
        sec.text = f"另有 {unread} 张绩效目标表未能读取，见下方“读取情况”。"
    if not rows:
        sec.text = (f"本文件的绩效目标表（{unread} 张）未能读取，见下方“读取情况”。" if unread
                    else "本文件未公开绩效目标表，或未能读取。")
        return sec
    groups: dict[int, list[dict]] = {}
    for r in rows:
        groups.setdefault(r["table_index"] or 0, []).append(r)
    captions = {}
    for idx, g in groups.items():
        first = g[0]
        name = fmt.text(first["project"]) or "（未读出项目名称）"
        scope = "部门整体绩效目标" if first["scope"] == "department" else f"项目：{name}"
        budget = "" if fmt.is_missing(first["budget"]) else f"（年度预算 {fmt.money_unit(first['budget'])}）"
        captions[idx] = f"{scope}{budget}"
    order = sorted(groups)
    sec.figures = [("绩效目标表", fmt.integer(len(groups))), ("绩效指标", fmt.integer(len(rows)))]
    # the tables in the HTML; every indicator, one row each with its table's
    # name, in the rows file, listed in place by site.js (filtered by table)
    listing = Table([Col("绩效目标表"), Col("指标数", True)], caption="绩效目标表", more_href="#all-targets",
                    note="各表的指标：")
    listing.rows = [Row([c(captions[idx]), i(len(groups[idx]))]) for idx in order]
    sec.tables.append(listing)
    every = Table([Col("绩效目标表"), Col("一级指标"), Col("二级指标"), Col("三级指标"), Col("指标值"), Col("上年完成值"),
                   Col("权重", True), LINE], href_base=src_base(doc["doc_id"]))
    every.rows = [Row([c(captions[idx]), c(r["level1"]), c(r["level2"]), c(r["level3"]), c(r["target_value"]),
                       c(r["last_year_value"]), c(fmt.number(r["weight"]), cls="num"), line_cell(r["source_line"])])
                  for idx in order for r in groups[idx]]
    every = without_empty_columns(every, keep=4)
    sec.tables.append(sec.paged(every, "targets", 0, TARGET_PAGE_ROWS,
                                f"{len(every.rows):,} 个指标在浏览器运行 JavaScript 时列于此表，"
                                f"也在“数据”页的 performance_targets 数据集中（按 doc_id 筛选）。",
                                caption="绩效指标", id="all-targets", filters="table:0", unit=("个", "指标")))
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
        sec.tables.append(sec.later(without_empty_columns(t, keep=1), "assets", "assets"))
    if not proc and not assets:
        sec.text = "本文件未写明政府采购或国有资产情况，或未能读取。"
    return sec


STATUS_ORDER = {s: k for k, s in enumerate(reversed(STATUSES))}   # fail, rounding, pass


def check_group(check_id: str) -> str:
    """The table a check belongs to: the first part of its id (income.tree.201.total → income)."""
    return (check_id or "").split(".")[0]


GROUP_TITLES = {"cross": "表间核对", "narrative": "情况说明与表格"}
_SECOND_TABLE = re.compile(r"^(.+)_(\d+)$")


def group_title(group: str, titles: dict[str, str]) -> str:
    """A check group's table as the document prints its title (as it is
    published: a 决算 prints 支出决算表), else its standard title. A second
    table of one kind (gpb_basic_375: the parser's key for it) is named by
    its own printed title."""
    if group in GROUP_TITLES:
        return GROUP_TITLES[group]
    if titles.get(group):
        return titles[group]
    second = _SECOND_TABLE.match(group)
    if second and second[1] in TABLE_TITLES:
        return f"{TABLE_TITLES[second[1]]}（第 {second[2]} 行起的另一张）"
    return TABLE_TITLES.get(group, group)


def describe(r: dict, titles: dict[str, str]) -> str:
    """A check's description; one of a table the document prints without a
    number ("表 301 工资福利支出…") is named by the table's title instead."""
    text = r["description"] if r["description"].__class__ is str else fmt.text(r["description"])
    if text.startswith("表 "):
        text = f"{group_title(check_group(r.get('check_id')), titles)} {text[2:]}"
    return text


def _check_rows(rows: list[dict], titles: dict[str, str] | None = None) -> list[Row]:
    """A table row per check; its lines linked (under the table's href_base)."""
    titles = titles or {}
    return [Row([c(fmt.status(r["status"]), cls=f"status {r['status']}"), c(describe(r, titles)), m(r["expected"]),
                 m(r["actual"]), m(r["difference"]), lines_cell(r["lines"])]) for r in rows]


def checks_section(data: SiteData, doc: dict, titles: dict[str, str]) -> Section:
    """Counts by table and every check that does not pass, in the HTML; every
    check, passing or not, listed in place by site.js from a rows file (a
    document has hundreds of checks, each with its line links: ~150 KB of
    HTML a document, ~7 KB as a rows file)."""
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
                    caption="各表的校验结果", more_href="#all-checks", note="每一条校验（含通过的）及其源文件行号：")
    for key in sorted(groups):
        g = groups[key]
        summary.rows.append(Row([c(group_title(key, titles)), i(sum(g.values())), i(g["pass"]), i(g["rounding"]),
                                 c(fmt.integer(g["fail"]), cls="num fail" if g["fail"] else "num")]))
    sec.tables.append(summary)

    columns = [Col("状态"), Col("校验"), Col("应为", True), Col("实为", True), Col("差额", True), Col("源文件行号")]
    failing = _check_rows([r for r in rows if r["status"] == "fail"], titles)
    base = src_base(doc["doc_id"])
    if failing:
        sec.tables.append(sec.capped(Table(columns, failing, caption="不符的校验", href_base=base, cls="ys-checks"),
                                     MAX_ROWS, "checks-failing"))
    if rows:
        # a rounding difference (舍入差, see the method page) is listed with
        # the passing checks: a document has dozens, a line each
        every = Table(columns, _check_rows(rows, titles), caption="全部校验（含通过的与舍入差）", href_base=base,
                      cls="ys-checks", id="all-checks", searchable=False, filters="status:0", unit=("条", "校验"))
        sec.tables.append(sec.paged(every, "checks", 0, CHECKS_PAGE_ROWS,
                                    f"全部 {len(rows):,} 条校验（含通过的与 {counts['rounding']:,} 条舍入差）"
                                    f"在浏览器运行 JavaScript 时列于此表{'（不符的见上表）' if failing else ''}，"
                                    f"也在“数据”页的 checks 数据集中。"))
    return sec


CHECKS_PAGE_ROWS = 50


SEVERITY = {"error": "错误", "warning": "警告"}
_TABLE_KEY = re.compile(r"(?<![A-Za-z0-9_])(" + "|".join(sorted(map(re.escape, TABLE_TITLES), key=len, reverse=True))
                        + r")(?![A-Za-z0-9_])")


def plain(message: str) -> str:
    """A problem's message in plain language: the parser's table keys
    (gpb_projects) named by their titles (一般公共预算项目支出情况表)."""
    text = _TABLE_KEY.sub(lambda k: TABLE_TITLES[k[1]], message or "")
    return text.replace("收录在 table_cells", "收录在表格单元格数据（table_cells）")


def coverage(doc: dict) -> dict:
    """How much of the document was read: standard tables found of those
    expected, amount cells, complete or not."""
    found, expected = doc.get("n_tables_found"), doc.get("n_tables_expected")
    known = not fmt.is_missing(found) and not fmt.is_missing(expected)
    complete = doc.get("complete")
    return {"found": fmt.integer(found), "expected": fmt.integer(expected), "known": known,
            "cells": fmt.integer(doc.get("n_amount_cells")),
            "complete": None if fmt.is_missing(complete) else bool(complete)}


def problems_of(data: SiteData, doc: dict) -> list[dict]:
    """The problems the parser reported for this document's file(s), the same
    message at several lines as one entry: [{severity, message, runs, first}]
    in the order of their first line (the whole document's first)."""
    rows = data.where("problems", "source_file", doc.get("source_file") or "") if doc.get("source_file") else []
    grouped: dict[tuple[str, str], list] = {}
    for r in rows:
        grouped.setdefault((r["severity"] or "", plain(r["message"])), []).append(r["line"])
    out = []
    for (severity, message), lines in grouped.items():
        numbers = sorted({int(x) for x in lines if not fmt.is_missing(x)})
        out.append({"severity": severity, "label": SEVERITY.get(severity, severity), "message": message,
                    "runs": provenance.line_runs(numbers), "first": numbers[0] if numbers else 0,
                    "count": len(lines)})
    return sorted(out, key=lambda p: (p["first"], p["severity"] != "error", p["message"]))


def cut_off(problems: list[dict]) -> list[dict]:
    """The problems that say where and why the document is incomplete."""
    return [p for p in problems if "中途结束" in p["message"] or "截断" in p["message"] or "不完整" in p["message"]]


def problems_section(doc: dict, problems: list[dict]) -> Section:
    """读取情况: the coverage and every problem reported for the document,
    each with its line(s) linked to the source page."""
    sec = Section("problems", "读取情况")
    cov = coverage(doc)
    sec.figures = [("应有的标准表", f"读出 {cov['found']} / {cov['expected']}" if cov["known"] else NOT_READ,
                    "同类文件都有的表与本文件目录列出的表"),
                   ("金额单元格", cov["cells"], "读出的金额（table_cells）"),
                   ("文件", {True: "完整", False: "不完整", None: NOT_READ}[cov["complete"]],
                    "" if cov["complete"] is not False else "数字只是部分，见上方说明"),
                   ("读取问题", f"{sum(p['count'] for p in problems):,} 处", "某一部分未能读取或读取存疑")]
    if not problems:
        sec.text = "读取时没有发现问题。"
        return sec
    t = Table([Col("级别"), Col("说明"), Col("源文件行号")], caption="读取问题（同一说明在多处出现的合为一条）",
              href_base=src_base(doc["doc_id"]), id="problems-table", cls="ys-checks")
    for p in problems:
        lines = Cell(", ".join(text for text, _ in p["runs"]), tuple((text, f"#L{first}") for text, first in p["runs"]),
                     "ln") if p["runs"] else c("全文", cls="ln")
        t.rows.append(Row([c(p["label"], cls=f"status {'fail' if p['severity'] == 'error' else 'rounding'}"),
                           c(p["message"]), lines]))
    sec.tables.append(t)
    return sec


def context(data: SiteData, doc: dict) -> dict:
    doc_id = doc["doc_id"]
    units = data.for_doc("units", doc_id)
    lines = provenance.headline_lines(data, doc)
    titles = table_titles(data, doc_id)
    problems = problems_of(data, doc)
    sections = [
        income_section(data, doc_id),
        expenditure_section(data, doc_id, titles),
        economic_section(data, doc, lines, titles),
        projects_section(data, doc),
        three_public_section(data, doc, lines, titles),
        carryover_section(data, doc, lines),
        yoy_section(data, doc),
        targets_section(data, doc, problems),
        procurement_assets_section(data, doc),
        problems_section(doc, problems),
        checks_section(data, doc, titles),
    ]
    return {
        "doc": doc,
        "title": title(doc),
        "coverage": coverage(doc),
        "problems": problems,
        "cut_off": cut_off(problems),
        "figures": headline(doc, lines),
        "lookalikes": lookalikes(doc, lines),
        "units": units,
        "sections": sections,
        "charts": [ch for s in sections for ch in s.charts],
        "files": rows_file({name: data for sec in sections for name, data in sec.rows.items()}),
    }
