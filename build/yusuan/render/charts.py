"""The site's charts, authored with Altair.

A chart is a *kind* (how it is drawn: marks, encodings, titles, colours)
and a page's *data* (the rows it draws). Each kind is built with Altair
(once, then kept in the cache for builds made by the same code), on named
data (`values`), and written as a Vega-Lite spec to
assets/yusuan/charts/<kind>.json (`to_dict(validate=False)`: the specs are
validated against the Vega-Lite schema by a test, not on every build). A
page's chart is a container naming its kind and a JSON file of its rows
beside the page ({"values": [...]}); site.js puts the rows into the kind's
spec and draws it. So Altair adds nothing per page, and a browser fetches
each kind's spec once for the whole site.

Tooltips show exact amounts in 万元 with thousands separators; every axis
and legend is labelled in Chinese; the order of bars and of stacked series
rides in the data (`order`, `series_rank`), never in an expression, since
labels are document text. tests/test_browser.py draws every chart.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from yusuan.render.tables import gzip_json
from yusuan.store import write_json

AMOUNT_FORMAT = ",.2f"
FONT = '-apple-system, BlinkMacSystemFont, "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", sans-serif'
LABEL_LIMIT = 260
LEGEND_LABEL_LIMIT = 320  # a legend label is never cut short enough to hide which class it is
SECRET_COLOR = "#c62828"
COLORS = ["#3f51b5", "#ff9800", "#009688", "#9c27b0", "#795548", "#607d8b", "#e91e63", "#8bc34a",
          "#00bcd4", "#ffc107", "#673ab7", "#4caf50"]
SECRET = "不予公开"
DATA = "values"          # the name of every chart's data
ROWS_FILE = "charts.json.gz"   # a page's charts' rows, by chart id


@dataclass
class Chart:
    """A chart on a page: its kind (KINDS) and its rows, written with the page's
    other charts' into charts.json.gz beside the page (rows_file)."""
    id: str
    title: str
    kind: str
    values: list[dict]
    alt: str                   # text alternative
    n: int = 0                 # bars (or rows of the legend), for the container's height

    @property
    def data(self) -> dict:
        return {DATA: self.values}


# ------------------------------------------------------------------ a page's rows

def bar_rows(rows: list[dict]) -> list[dict]:
    """Rows {label, amount[, note]} in the order to draw them (first on top)."""
    return [{"label": r["label"], "amount": r["amount"], "note": r.get("note", ""), "order": k}
            for k, r in enumerate(rows)]


def stacked_rows(rows: list[dict], series_order: list[str]) -> list[dict]:
    """Rows {label, series, amount[, share]}; labels drawn in first-seen
    order, series stacked (and coloured) in `series_order`."""
    rank = {name: k for k, name in enumerate(series_order)}
    order: dict[str, int] = {}
    out = []
    for r in rows:
        out.append({"label": r["label"], "series": r["series"], "amount": r["amount"], "share": r.get("share"),
                    "series_rank": rank.get(r["series"], len(rank)),
                    "order": order.setdefault(r["label"], len(order))})
    return out


# ------------------------------------------------------------------ kinds (Altair, once per build)

def _config(chart):
    return (chart.configure(font=FONT)
            .configure_view(continuousWidth=300, continuousHeight=300, stroke=None)
            .configure_axis(labelFontSize=12, titleFontSize=12)
            .configure_legend(labelFontSize=12, titleFontSize=12, orient="bottom"))


def _legend(alt, columns: int = 2):
    """Legend below the plot, in as many rows as needed, so every entry is
    shown and the plot keeps its full width."""
    return alt.Legend(orient="bottom", direction="horizontal", columns=columns, labelLimit=LEGEND_LABEL_LIMIT,
                      symbolType="square", columnPadding=16, rowPadding=4)


def _amount_axis(alt, title: str, fmt: str = ",.0f"):
    return alt.Axis(format=fmt, tickCount=5, labelOverlap=True, title=title)


def _labels(alt):
    return alt.Y("label:N", sort=alt.EncodingSortField("order", op="min"), title=None,
                 axis=alt.Axis(labelLimit=LABEL_LIMIT))


def _bars(alt, label_title: str, highlight: bool = False):
    """Horizontal bars, one per row, in the rows' order; with `highlight`,
    rows whose note is 不予公开 in red (secret projects)."""
    color = alt.value(COLORS[0])
    tooltip = [alt.Tooltip("label:N", title=label_title), alt.Tooltip("amount:Q", title="金额（万元）", format=AMOUNT_FORMAT)]
    if highlight:
        color = alt.Color("note:N", title="用途", scale=alt.Scale(domain=["", SECRET], range=[COLORS[0], SECRET_COLOR]),
                          legend=alt.Legend(labelExpr="datum.label || '公开'", orient="bottom", direction="horizontal",
                                            labelLimit=LEGEND_LABEL_LIMIT))
        tooltip.append(alt.Tooltip("note:N", title="说明"))
    return alt.Chart(alt.Data(name=DATA)).mark_bar().encode(
        y=_labels(alt), x=alt.X("amount:Q", axis=_amount_axis(alt, "金额（万元）")), color=color, tooltip=tooltip,
    ).properties(width="container", height=alt.Step(22))


def _stacked(alt, label_title: str, series_title: str, normalize: bool = False):
    """Horizontal stacked bars: a bar per label, a segment per series."""
    tooltip = [alt.Tooltip("label:N", title=label_title), alt.Tooltip("series:N", title=series_title),
               alt.Tooltip("amount:Q", title="金额（万元）", format=AMOUNT_FORMAT)]
    if normalize:
        tooltip.append(alt.Tooltip("share:Q", title="占比（%）", format=".1f"))
    x = alt.X("sum(amount):Q", stack="normalize" if normalize else "zero",
              axis=_amount_axis(alt, "占比" if normalize else "金额（万元）", "%" if normalize else ",.0f"))
    return alt.Chart(alt.Data(name=DATA)).mark_bar().encode(
        y=_labels(alt), x=x,
        color=alt.Color("series:N", title=series_title, sort=alt.EncodingSortField("series_rank", op="min"),
                        scale=alt.Scale(range=COLORS), legend=_legend(alt)),
        order=alt.Order("series_rank:Q"), tooltip=tooltip,
    ).properties(width="container", height=alt.Step(22))


def _series(alt):
    """A line per series over the years (a department's figures across years)."""
    return alt.Chart(alt.Data(name=DATA)).mark_line(point=True).encode(
        x=alt.X("year:O", title="年度", axis=alt.Axis(labelAngle=0)),
        y=alt.Y("amount:Q", axis=_amount_axis(alt, "金额（万元）")),
        color=alt.Color("series:N", title="口径", sort=alt.EncodingSortField("series_rank", op="min"),
                        scale=alt.Scale(range=COLORS), legend=_legend(alt)),
        tooltip=[alt.Tooltip("year:O", title="年度"), alt.Tooltip("series:N", title="口径"),
                 alt.Tooltip("amount:Q", title="金额（万元）", format=AMOUNT_FORMAT)],
    ).properties(width="container", height=260)


def _plan_actual(alt):
    """Budget against actual: two bars per item (预算 / 决算), side by side."""
    return alt.Chart(alt.Data(name=DATA)).mark_bar().encode(
        y=_labels(alt), yOffset=alt.YOffset("series:N", sort=alt.EncodingSortField("series_rank", op="min")),
        x=alt.X("amount:Q", axis=_amount_axis(alt, "金额（万元）")),
        color=alt.Color("series:N", title=None, sort=alt.EncodingSortField("series_rank", op="min"),
                        scale=alt.Scale(range=COLORS), legend=_legend(alt)),
        tooltip=[alt.Tooltip("label:N", title="项目"), alt.Tooltip("series:N", title="口径"),
                 alt.Tooltip("amount:Q", title="金额（万元）", format=AMOUNT_FORMAT)],
    ).properties(width="container", height=alt.Step(26))


# kind → how to build it (given the altair module)
KINDS = {
    "income": lambda alt: _bars(alt, "来源"),
    "items": lambda alt: _bars(alt, "项目"),
    "items-secret": lambda alt: _bars(alt, "项目", highlight=True),
    "split-function": lambda alt: _stacked(alt, "科目", "口径"),
    "split-economic": lambda alt: _stacked(alt, "科目", "口径"),
    "compare-budgets": lambda alt: _stacked(alt, "部门", "口径"),
    "compare-classes": lambda alt: _stacked(alt, "部门", "功能分类（类）", normalize=True),
    "series": _series,
    "plan-actual": _plan_actual,
}


def specs() -> dict[str, dict]:
    """Every kind's Vega-Lite spec (Altair imported here: ~0.6 s, once per build)."""
    import altair as alt

    out = {}
    for name, build in KINDS.items():
        spec = _config(build(alt).properties(autosize=alt.AutoSizeParams(type="fit-x", contains="padding")))
        spec = spec.to_dict(validate=False)
        # the schema's address names an outside host, which the site never does;
        # site.js tells vega-embed the spec is Vega-Lite
        spec.pop("$schema", None)
        out[name] = spec
    return out


def kind_href(kind: str, root: str) -> str:
    return f"{root}assets/yusuan/charts/{kind}.json"


SPECS = "chart-specs.json"     # in the cache folder: see write_specs


def write_specs(folder: Path, dump, cache_dir: Path | None = None, code: str = "") -> None:
    """assets/yusuan/charts/<kind>.json; `dump`: the site's JSON writer.
    With cache_dir, the specs the last build made there are taken if made
    by the same code (fingerprint.code_version) and Altair, else made and
    kept: importing Altair to make them was ~0.5 s of every build."""
    made_by = f"{code} altair {metadata.version('altair')}"
    made = None
    if cache_dir and code:
        try:
            saved = json.loads((cache_dir / SPECS).read_text(encoding="utf-8"))
            if saved["made by"] == made_by and sorted(saved["specs"]) == sorted(KINDS) \
                    and all(isinstance(s, dict) for s in saved["specs"].values()):
                made = saved["specs"]
        except (OSError, ValueError, KeyError, TypeError):
            pass
    if made is None:
        made = specs()
        if cache_dir and code:
            write_json({"made by": made_by, "specs": made}, cache_dir / SPECS, compact=True)
    folder.mkdir(parents=True, exist_ok=True)
    for name, spec in made.items():
        (folder / f"{name}.json").write_text(dump(spec), encoding="utf-8")


def rows_file(charts: list["Chart"]) -> bytes:
    """The rows of a page's charts in one file, {chart id: {DATA: rows}},
    gzip-compressed (site.js unpacks it): a document's six files of rows were
    7.4 KB, as one file they are ~1.5 KB."""
    return gzip_json({ch.id: ch.data for ch in charts})
