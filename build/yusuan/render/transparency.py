"""Context of the transparency page: what each document publishes and withholds."""
from __future__ import annotations

from yusuan.render import fmt
from yusuan.render.data import SiteData
from yusuan.render.compare import partial_mark, row_id
from yusuan.render.department import SEVERITY, plain
from yusuan.render.home import doc_href
from yusuan.render.tables import Col, Row, Table, c, i, m, y
from yusuan.terms import TABLE_TITLES


def _titles(keys: str | None) -> str:
    ks = [k for k in (keys or "").split(",") if k]
    return "、".join(TABLE_TITLES.get(k, k) for k in ks) or "无"


def context(data: SiteData) -> dict:
    t = Table([Col("部门"), Col("层级"), Col("年度", True), Col("类型"), Col("读出的标准表", True), Col("空表"), Col("缺失的表"),
               Col("不予公开项目", True), Col("不予公开金额（万元）", True), Col("绩效目标"),
               Col("未通过校验", True)], sortable=True, id="transparency-table", searchable=False,
              caption="读出的标准表：同类文件都有的表与本文件目录列出的表（应有的）中读出的张数；“不完整”：缺少应有的表，"
                      "数字只是部分。空表：印出但没有数字；缺失：应有而文件中没有。", filters="level:1,year:2,kind:3")
    for d in data.documents:
        present = [k for k in (d["tables_present"] or "").split(",") if k]
        targets = (f"已公开（{d['n_performance_targets']:,} 个指标）" if d["n_performance_targets"] else "未公开")
        failed = i(d["n_checks_failed"])
        if d["n_checks_failed"]:
            failed.href = doc_href(d["doc_id"], "../") + "#checks"
            failed.cls += " fail"
        name = c(d["department"] + partial_mark(d), href=doc_href(d["doc_id"], "../"))
        if fmt.is_missing(d.get("n_tables_found")) or fmt.is_missing(d.get("n_tables_expected")):
            read = c(f"{len(present)} / {len(TABLE_TITLES)}", cls="num")
        else:
            read = c(f"{d['n_tables_found']:,} / {d['n_tables_expected']:,}",
                     cls="num fail" if d.get("complete") is False else "num")
        t.rows.append(Row([name, c(d["level"]), y(d["year"]), c(d["kind"], cls="nowrap"), read,
                           c(_titles(d["tables_empty"]), cls="titles"), c(_titles(d["tables_missing"]), cls="titles"),
                           i(d["n_secret_projects"]), m(d["secret_project_amount"]),
                           c(targets, cls="nowrap" if d["n_performance_targets"] else "nowrap warn"), failed],
                          id=row_id(d["doc_id"])))
    failing = data.where("checks", "status", "fail")
    docs = {d["doc_id"]: d for d in data.documents}
    f = Table([Col("部门"), Col("年度", True), Col("校验"), Col("应为", True), Col("实为", True), Col("差额", True)],
              caption="未通过的算术校验（文件自身的数字不相符，照实公布）")
    for r in sorted(failing, key=lambda r: (docs.get(r["doc_id"], {}).get("department") or "", r["doc_id"], r["check_id"])):
        d = docs.get(r["doc_id"], {"department": r["doc_id"], "year": None})
        f.rows.append(Row([c(d["department"], href=doc_href(r["doc_id"], "../") + "#checks"), y(d["year"]),
                           c(r["description"]), m(r["expected"]), m(r["actual"]), m(r["difference"])]))
    problems = Table([Col("源文件"), Col("行号", True), Col("级别"), Col("说明")],
                     caption="读取问题（每份文件的问题也列在它的页面上“读取情况”一节）")
    by_file = {d["source_file"]: d for d in data.documents if d.get("source_file")}
    for r in sorted(data.records("problems"), key=lambda r: (r["source_file"] or "", r["line"] or 0, r["message"] or "")):
        d = by_file.get(r["source_file"])
        where = c(r["source_file"], href=doc_href(d["doc_id"], "../") + "#problems" if d else None)
        line = i(r["line"])
        if d and line.sort is not None:
            line.href = f"../sources/{d['doc_id']}/#L{line.sort}"
        problems.rows.append(Row([where, line, c(SEVERITY.get(r["severity"], r["severity"])), c(plain(r["message"]))]))
    return {"table": t, "failing": f, "problems": problems,
            "n_withheld": sum(d["n_secret_projects"] or 0 for d in data.documents),
            "withheld": fmt.money_unit(round(sum(d["secret_project_amount"] or 0 for d in data.documents), 2))}
