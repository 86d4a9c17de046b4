"""Context of the home page: coverage by level, headline totals."""
from __future__ import annotations

from yusuan.render import fmt
from yusuan.render.data import SiteData
from yusuan.terms import LEVELS


def doc_href(doc_id: str, root: str) -> str:
    return f"{root}docs/{doc_id}/"


def coverage(data: SiteData, root: str) -> list[dict]:
    """[{level, n_docs, departments: [{name, years: [{year, href}]}]}] in LEVELS order."""
    levels: dict[str, dict[str, list]] = {}
    for d in data.documents:
        levels.setdefault(d["level"] or "未分级", {}).setdefault(d["department"] or d["doc_id"], []).append(
            {"year": d["year"], "href": doc_href(d["doc_id"], root)})
    order = LEVELS + sorted(k for k in levels if k not in LEVELS)
    out = []
    for lvl in order:
        if lvl in levels:
            depts = [{"name": name, "years": sorted(ys, key=lambda y: y["year"] or 0)}
                     for name, ys in sorted(levels[lvl].items())]
            out.append({"level": lvl, "n_docs": sum(len(x["years"]) for x in depts), "departments": depts})
    return out


def context(data: SiteData) -> dict:
    docs = data.documents
    years = sorted({d["year"] for d in docs if d["year"] is not None})
    total = lambda k: round(sum(d[k] or 0 for d in docs), 2)  # noqa: E731
    return {
        "n_docs": len(docs),
        "n_departments": len({d["department"] for d in docs}),
        "years": "、".join(str(y) for y in years) or fmt.DASH,
        "figures": [
            ("公开文件", fmt.integer(len(docs)), "份（部门 × 年度）"),
            ("收支总预算合计", fmt.money(total("total_budget")), "万元"),
            ("项目支出合计", fmt.money(total("project_expenditure")), "万元"),
            ("“三公”经费合计", fmt.money(total("three_public")), "万元"),
            ("不予公开项目金额", fmt.money(total("secret_project_amount")), "万元"),
            ("未通过的算术校验", fmt.integer(sum(d["n_checks_failed"] or 0 for d in docs)), "条"),
        ],
        "coverage": coverage(data, ""),
    }
