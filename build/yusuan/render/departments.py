"""A department across years: one page per department (departments/<slug>/)
listing its documents by year and kind, its headline figures as a series,
what its narratives say changed on last year set against last year's own
tables, and, where a year has both, its budget (预算) against its final
accounts (决算).

A department is known by its name key (yusuan.identity.name_key), not by a
year: 中国共产党江苏省委员会办公厅 (2017) and 中共江苏省委办公厅 (2018) are one
page, whose URL is the pinyin of the key, so it stays put as years are
added.
"""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

from pypinyin import lazy_pinyin

from yusuan.identity import name_key
from yusuan.render import charts, fmt, provenance
from yusuan.render.charts import Chart
from yusuan.render.data import SiteData
from yusuan.store import write_json
from yusuan.render.tables import ROWS_FILE, Cell, Col, Row, Table, c, paged, rows_file, y
from yusuan.terms import KIND_NAMES, norm

# Final accounts and the budget they are the outcome of.
PLAN_OF = {"部门决算": "部门预算", "单位决算": "单位预算"}

# The figures shown as a series across years.
SERIES = [("total_budget", "收支总预算"), ("basic_expenditure", "基本支出"), ("project_expenditure", "项目支出"),
          ("three_public", "“三公”经费"), ("carryover", "上年结转结余")]
CHART_SERIES = SERIES[:3]          # one scale: the 三公 are drawn apart, they would be a flat line here

# Budget against actual: the figures both kinds print, planned and spent.
PLAN_ACTUAL = [("total_budget", "收入总计"), ("current_year_income", "本年收入"),
               ("carryover", "上年结转结余（年初结转和结余）"), ("current_year_expenditure", "本年支出"),
               ("basic_expenditure", "基本支出"), ("project_expenditure", "项目支出"),
               ("gpb_total", "一般公共预算支出"), ("three_public", "“三公”经费"),
               ("three_public_outbound", "因公出国（境）费"), ("three_public_reception", "公务接待费"),
               ("three_public_vehicles", "公务用车购置及运行维护费")]

# What a narrative's "比上年增加/减少" speaks of, as a figure of last year's
# document: (words all in the subject, the figure). First match wins.
# document: the subject (without a leading 此外/其中) in full, and the figure.
SUBJECT_FIGURES = [
    (re.compile(r".*“?三公”?经费.*"), "three_public"),
    (re.compile(r"一般公共预算(财政拨款)?基本支出"), "gpb_basic"),
    (re.compile(r"一般公共预算(财政拨款)?项目支出"), "gpb_project"),
    (re.compile(r"基本支出"), "basic_expenditure"),
    (re.compile(r"项目支出"), "project_expenditure"),
    (re.compile(r"(收入|支出|收支)(预算)?总计|收支总预算"), "total_budget"),
]
_LEAD = re.compile(r"^(此外|其中|另外)[，,、]?")
FIGURE_LABELS = dict(SERIES + PLAN_ACTUAL + [("gpb_basic", "一般公共预算基本支出"),
                                              ("gpb_project", "一般公共预算项目支出")])
_CLASS = re.compile(r"([\u4e00-\u9fff]+?)（类）")

# The 比上年 table holds a row per change every year's narrative states (~35
# for a department of three years, ~450 bytes of HTML each: two source-line
# links), half of the page: like a document page's detail tables, its rows
# are in the rows file beside the page, listed in place by site.js
# (tables.paged), YOY_ROWS at a time.
YOY_ROWS = 10


def key(doc: dict) -> str:
    return name_key(doc["department"] or doc["doc_id"])


SLUGS = "department-slugs.json"     # in the cache folder: see read_slugs
_SLUG = re.compile(r"[a-z0-9]{1,60}")
_slugs: dict[str, str] = {}         # name key → slug, made or read by this process


def _slug(k: str) -> str:
    # pypinyin: ~0.4-0.9 ms a name; the slugs are asked for by the home page,
    # the departments list, the document pages and the department pages
    # (11.9 s of a 10,000-document build when each made them afresh)
    slug = _slugs.get(k)
    if slug is None:
        slug = re.sub(r"[^a-z0-9]+", "", "".join(lazy_pinyin(norm(k))).lower())[:60] or "unknown"
        _slugs[k] = slug
    return slug


def _slugs_made_by(code: str) -> str:
    return f"{code} pypinyin {metadata.version('pypinyin')}"


def read_slugs(cache_dir: Path, code: str) -> None:
    """The slugs the last build made (save_slugs), if made by the same code
    (fingerprint.code_version) and pypinyin: at 10,000 department-years
    making the 3,300 departments' slugs took 1.3 s of the 20 s of adding
    one file. A slug that is not one (a damaged file) is made again."""
    try:
        saved = json.loads((cache_dir / SLUGS).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return
    if not isinstance(saved, dict) or saved.get("made by") != _slugs_made_by(code) \
            or not isinstance(saved.get("slugs"), dict):
        return
    for k, slug in saved["slugs"].items():
        if isinstance(slug, str) and _SLUG.fullmatch(slug):
            _slugs.setdefault(k, slug)


def save_slugs(cache_dir: Path, code: str, data: SiteData) -> None:
    """The slugs of this build's departments, for the next (read_slugs)."""
    slugs = {k: _slug(k) for k in sorted({key(d) for d in data.documents})}
    write_json({"made by": _slugs_made_by(code), "slugs": slugs}, cache_dir / SLUGS, compact=True)


# Kinds in the order a reader meets them: a year's budgets, then its accounts.
# (KIND_NAMES is the parser's order of recognition, 决算 first.)
KIND_ORDER = sorted(KIND_NAMES, key=lambda k: (k.endswith("决算"), not k.startswith("部门"), KIND_NAMES.index(k)))


def groups(data: SiteData) -> dict[str, list[dict]]:
    """name key → its documents by year, then kind (budgets before accounts)."""
    order = {k: n for n, k in enumerate(KIND_ORDER)}
    out: dict[str, list[dict]] = {}
    for d in data.documents:
        out.setdefault(key(d), []).append(d)
    for docs in out.values():
        docs.sort(key=lambda d: (d["year"] or 0, order.get(d["kind"], 9), d["doc_id"]))
    return dict(sorted(out.items()))


def page_slugs(keys) -> dict[str, str]:
    """name key → URL slug: the pinyin of the key; keys whose pinyin is the
    same (同音) each get a short hash of the key after it, which does not
    depend on what else is in the content."""
    by_slug: dict[str, list[str]] = {}
    for k in keys:
        by_slug.setdefault(_slug(k), []).append(k)
    out = {}
    for slug, ks in by_slug.items():
        for k in ks:
            out[k] = slug if len(ks) == 1 else f"{slug}-{hashlib.sha1(k.encode()).hexdigest()[:6]}"
    return out


def pages(data: SiteData) -> list[tuple[str, str, list[dict]]]:
    """Every department's page, by name key: (key, slug, its documents);
    what it shows is made by `context`."""
    g = groups(data)
    by_key = page_slugs(g)
    return [(k, by_key[k], docs) for k, docs in g.items()]


def slugs(data: SiteData) -> dict[str, str]:
    """doc_id → the slug of its department's page."""
    return {d["doc_id"]: slug for _, slug, docs in pages(data) for d in docs}


def href(slug: str, root: str) -> str:
    return f"{root}departments/{slug}/"


@dataclass
class Page:
    key: str
    slug: str
    name: str
    names: list[str]
    docs: list[dict]
    tables: dict[str, Table] = field(default_factory=dict)
    charts: list[Chart] = field(default_factory=list)
    plan_actual: list[dict] = field(default_factory=list)   # {year, plan, actual, table, chart}
    files: dict[str, bytes] = field(default_factory=dict)     # rows files, written beside the page

    @property
    def title(self) -> str:
        return f"{self.name}：历年预算与决算"


def _amount(doc: dict, name: str, lines: dict[str, dict[str, int]]) -> Cell:
    """An amount of a document, linked to its source line (from a page two folders down)."""
    x = doc.get(name)
    if fmt.is_missing(x):
        return Cell(fmt.DASH, None, "num")
    line = lines[doc["doc_id"]].get(name)
    link = provenance.source_href(doc["doc_id"], "../../") + provenance.line_anchor(line) if line else None
    return Cell(fmt.money(x), link, "num", float(x))


def _doc_link(doc: dict) -> Cell:
    return c(doc["department"], href=f"../../docs/{doc['doc_id']}/")


def documents_table(docs: list[dict]) -> Table:
    t = Table([Col("年度", True), Col("类型"), Col("文件中的部门名称"), Col("源文件")], caption="本部门的公开文件")
    for d in docs:
        t.rows.append(Row([y(d["year"]), c(d["kind"]), _doc_link(d),
                           c("源文件", href=provenance.source_href(d["doc_id"], "../../"))]))
    return t


def series_table(docs: list[dict], lines) -> Table:
    t = Table([Col("年度", True), Col("类型")] + [Col(label, True) for _, label in SERIES],
              caption="主要数字（万元）；每个数字链接到它在源文件中的行；“—”：文件中没有此数或未能读出，不是 0")
    for d in docs:
        t.rows.append(Row([y(d["year"]), c(d["kind"])] + [_amount(d, name, lines) for name, _ in SERIES]))
    return t


def series_charts(docs: list[dict]) -> list[Chart]:
    """Lines over the years, one kind of document (the budgets, else the accounts)."""
    kinds = [k for k in KIND_ORDER if any(d["kind"] == k for d in docs)]
    if not kinds:
        return []
    shown = [d for d in docs if d["kind"] == kinds[0]]
    if len({d["year"] for d in shown}) < 2:
        return []
    out = []
    for chart_id, title, figures in (("series", f"{kinds[0]}：收支总预算、基本支出与项目支出", CHART_SERIES),
                                     ("series-three-public", f"{kinds[0]}：“三公”经费", [SERIES[3]])):
        rows = [{"year": d["year"], "series": label, "amount": d[name], "series_rank": k}
                for d in shown for k, (name, label) in enumerate(figures) if not fmt.is_missing(d.get(name))]
        if rows:
            last = max(shown, key=lambda d: d["year"] or 0)
            alt = "；".join(f"{label} {fmt.money_unit(last.get(name))}" for name, label in figures)
            out.append(Chart(chart_id, title, "series", rows,
                             f"{title}，{len({r['year'] for r in rows})} 个年度；{last['year']} 年：{alt}。", 2))
    return out


def _subject_figure(subject: str) -> str | None:
    subject = _LEAD.sub("", subject.strip())
    for pattern, name in SUBJECT_FIGURES:
        if pattern.fullmatch(subject):
            return name
    return None


def _class_lines(data: SiteData, doc: dict) -> dict[str, tuple[str, float, int | None]]:
    """The function classes (类) of a document's expenditure table: name → (name, total, line)."""
    return {r["name"] or "": (r["name"], r["amount"], r["source_line"])
            for r in data.for_doc("function_lines", doc["doc_id"], table_key="expenditure", level="类", measure="total")}


def _class_line(classes: dict, subject: str) -> tuple[str, float, int | None] | None:
    """The function class (类) a subject names (公共安全（类）支出)."""
    m = _CLASS.search(subject)
    if not m:
        return None
    stem = m[1].removeprefix("此外").removeprefix("其中")
    return next((found for name, found in classes.items() if name.startswith(stem)), None)


def yoy_table(data: SiteData, docs: list[dict], lines) -> Table:
    """Each change a narrative states, against the figure last year's document of the same kind printed."""
    t = Table([Col("年度", True), Col("说明中的对象"), Col("本年", True), Col("说明的变化", True),
               Col("由此推算的上年", True), Col("上年文件印出", True), Col("相差", True)],
              caption="情况说明中的“比上年增加/减少”与上年文件的数字（万元）：相差不为零，说明两年的口径或数字不一致")
    by_year_kind = {(d["year"], d["kind"]): d for d in docs}
    for d in docs:
        prev = by_year_kind.get(((d["year"] or 0) - 1, d["kind"]))
        if prev is None:
            continue
        classes = None
        for r in data.for_doc("yoy_changes", d["doc_id"]):
            subject = r["subject"] or ""
            if fmt.is_missing(r["previous_amount"]):
                continue
            name = _subject_figure(subject)
            if name:
                printed = _amount(prev, name, lines)
                value = prev.get(name)
            elif _CLASS.search(subject) and (found := _class_line(
                    classes if classes is not None else (classes := _class_lines(data, prev)), subject)):
                _, value, line = found
                printed = Cell(fmt.money(value), provenance.source_href(prev["doc_id"], "../../")
                               + provenance.line_anchor(line) if line else None, "num", value)
            else:
                continue
            if fmt.is_missing(value):
                continue
            stated = Cell(fmt.signed(r["change"]), provenance.source_href(d["doc_id"], "../../")
                          + provenance.line_anchor(r["source_line"]) if r["source_line"] else None, "num")
            diff = round(r["previous_amount"] - value, 2)
            t.rows.append(Row([y(d["year"]), c(subject), c(fmt.money(r["amount"]), cls="num"), stated,
                               c(fmt.money(r["previous_amount"]), cls="num"), printed,
                               c(fmt.signed(diff), cls="num" + (" fail" if abs(diff) >= 0.005 else ""))]))
    return t


def plan_actual(docs: list[dict], lines) -> list[dict]:
    """Each year with both a budget and its final accounts: planned, spent, the difference."""
    by_year_kind = {(d["year"], d["kind"]): d for d in docs}
    out = []
    for d in docs:
        plan = by_year_kind.get((d["year"], PLAN_OF.get(d["kind"])))
        if plan is None:
            continue
        t = Table([Col("项目"), Col(f"{plan['kind']}（计划）", True), Col(f"{d['kind']}（实际）", True),
                   Col("差额（实际 − 计划）", True), Col("实际占计划", True)],
                  caption=f"{d['year']} 年：预算与决算（万元）；数字链接到各自源文件的行")
        rows = []
        for name, label in PLAN_ACTUAL:
            a, b = plan.get(name), d.get(name)
            if fmt.is_missing(a) or fmt.is_missing(b):
                continue
            diff = round(b - a, 2)
            t.rows.append(Row([c(label), _amount(plan, name, lines), _amount(d, name, lines),
                               c(fmt.signed(diff), cls="num " + ("up" if diff > 0 else "down" if diff < 0 else "")),
                               c(fmt.share(b, a), cls="num")]))
            if not name.startswith("three_public_"):
                rows += [{"label": label, "series": f"{plan['kind']}（计划）", "amount": a, "series_rank": 0},
                         {"label": label, "series": f"{d['kind']}（实际）", "amount": b, "series_rank": 1}]
        if not t.rows:
            continue
        values = charts.stacked_rows(rows, [f"{plan['kind']}（计划）", f"{d['kind']}（实际）"])
        chart = Chart(f"plan-actual-{d['year']}", f"{d['year']} 年：计划与实际", "plan-actual", values,
                      f"{d['year']} 年{plan['kind']}与{d['kind']}的主要数字，见下表。", len(rows))
        out.append({"year": d["year"], "plan": plan, "actual": d, "table": t, "chart": chart})
    return out


def context(data: SiteData, k: str, slug: str, docs: list[dict]) -> Page:
    """The page of department `k`: made from its key, its slug and its
    documents' records and rows (table_cells, yoy_changes, function_lines)
    only, nothing of other departments', so fingerprint.across_years covers it."""
    lines = {d["doc_id"]: provenance.headline_lines(data, d) for d in docs}
    names = list(dict.fromkeys(d["department"] for d in reversed(docs) if d["department"]))
    page = Page(k, slug, names[0] if names else k, names, docs)
    page.tables["documents"] = documents_table(docs)
    page.tables["series"] = series_table(docs, lines)
    page.charts = series_charts(docs)
    yoy = yoy_table(data, docs, lines)
    if yoy.rows:
        yoy, rows = paged(yoy, ROWS_FILE, "yoy", 0, YOY_ROWS, f"{len(yoy.rows):,} 条，在浏览器运行 JavaScript 时列于此表；"
                          "各年的变化也在各文件页面的“比上年变化”与“数据”页的 yoy_changes 数据集中。", unit=("条", "变化"))
        page.files = rows_file({"yoy": rows})
    page.tables["yoy"] = yoy
    page.plan_actual = plan_actual(docs, lines)
    return page
