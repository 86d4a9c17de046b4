"""Context of the home page: coverage by level, headline totals."""
from __future__ import annotations

from yusuan.render import departments, fmt
from yusuan.render.data import SiteData
from yusuan.render.tables import Col, Row, Table, c, i
from yusuan.terms import LEVELS

HOME_DEPARTMENTS = 30   # departments listed by name on the home page for each level; every one on departments/


def doc_href(doc_id: str, root: str) -> str:
    return f"{root}docs/{doc_id}/"


def coverage(data: SiteData, root: str) -> list[dict]:
    """[{level, n_docs, departments: [{name, href, years: [{year, href}]}]}] in
    LEVELS order: a department (one name key, see render/departments.py) is
    listed once, linked to its page across years, its documents by year."""
    levels: dict[str, list[dict]] = {}
    groups = departments.groups(data)
    slugs = departments.page_slugs(groups)
    for k, docs in groups.items():
        latest = docs[-1]
        # a year with documents of two kinds names both (2025 年单位预算 · 2025 年部门预算)
        kinds: dict = {}
        for d in docs:
            kinds.setdefault(d["year"], set()).add(d["kind"])
        years = [{"year": f"{d['year']} 年" + ("" if d["kind"] in (None, "部门预算") and len(kinds[d["year"]]) == 1
                                               else d["kind"] or "部门预算"),
                  "href": doc_href(d["doc_id"], root)} for d in docs]
        levels.setdefault(latest["level"] or "未分级", []).append(
            {"name": latest["department"] or k, "href": departments.href(slugs[k], root), "years": years})
    order = LEVELS + sorted(k for k in levels if k not in LEVELS)
    out = []
    for lvl in order:
        if lvl in levels:
            depts = sorted(levels[lvl], key=lambda x: x["name"])
            out.append({"level": lvl, "n_docs": sum(len(x["years"]) for x in depts), "departments": depts,
                        "n_departments": len(depts)})
    return out


def listing(data: SiteData) -> Table:
    """Every department (departments/): its page across years, level and
    documents by year; a list of every department, paged by site.js like
    the lists of every document (the home page names the first
    HOME_DEPARTMENTS of each level: at 10,000 documents the whole list was
    ~1.5 MB of home page)."""
    t = Table([Col("部门"), Col("层级"), Col("公开文件"), Col("文件数", True)], sortable=True, id="departments-table",
              searchable=False, filters="level:1", caption="每个部门一行：部门历年页与各年度的文件",
              unit=("个", "部门"))
    for lvl in coverage(data, "../"):
        for d in lvl["departments"]:
            name = c(d["name"], href=d["href"].removeprefix("../departments/"))
            t.rows.append(Row([name, c(lvl["level"]), c("", href=tuple((y["year"], y["href"]) for y in d["years"])),
                               i(len(d["years"]))]))
    return t


def context(data: SiteData) -> dict:
    docs = data.documents
    years = sorted({d["year"] for d in docs if d["year"] is not None})
    total = lambda k: round(sum(d[k] or 0 for d in docs), 2)  # noqa: E731
    return {
        "n_docs": len(docs),
        "n_departments": len(departments.groups(data)),
        "years": "、".join(str(y) for y in years) or fmt.DASH,
        # units in the labels, no notes: on a phone the cards stay short and the department list is on the first screen
        "figures": [
            ("公开文件（份）", fmt.integer(len(docs))),
            ("收支总预算合计（万元）", fmt.money(total("total_budget"))),
            ("项目支出合计（万元）", fmt.money(total("project_expenditure"))),
            ("“三公”经费合计（万元）", fmt.money(total("three_public"))),
            ("不予公开项目金额（万元）", fmt.money(total("secret_project_amount"))),
            ("未通过的算术校验（条）", fmt.integer(sum(d["n_checks_failed"] or 0 for d in docs))),
        ],
        "coverage": [{**lvl, "departments": lvl["departments"][:HOME_DEPARTMENTS]} for lvl in coverage(data, "")],
    }
