"""Vega-Lite chart specs (JSON) for the site's charts.

Each function takes plain records already shaped by pages.py and returns a
spec dict; site.py writes it to a .json file beside the page, which the page's
chart container points to. Tooltips show exact amounts in 万元 with thousands
separators; every axis and legend is labelled in Chinese.

The specs are written as plain dicts (they are what Altair's
`chart.configure(...).to_dict()` gave): building them with Altair validated
every spec against the Vega-Lite JSON schema and took most of the render time.
tests/test_browser.py renders every chart with vega-embed.
"""
from __future__ import annotations

import json

AMOUNT_FORMAT = ",.2f"
FONT = '-apple-system, BlinkMacSystemFont, "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", sans-serif'
LABEL_LIMIT = 260
LEGEND_LABEL_LIMIT = 320  # a legend label is never cut short enough to hide which class it is


def _legend(n: int) -> dict:
    """Legend below the plot, in as many rows as needed (two columns when there
    are more than three entries) so every entry is shown and the plot keeps its
    full width."""
    return {"orient": "bottom", "direction": "horizontal", "columns": 2 if n > 3 else n,
            "labelLimit": LEGEND_LABEL_LIMIT, "symbolType": "square", "columnPadding": 16, "rowPadding": 4}


SECRET_COLOR = "#c62828"
COLORS = ["#3f51b5", "#ff9800", "#009688", "#9c27b0", "#795548", "#607d8b", "#e91e63", "#8bc34a",
          "#00bcd4", "#ffc107", "#673ab7", "#4caf50"]
CONFIG = {
    "font": FONT,
    "view": {"continuousWidth": 300, "continuousHeight": 300, "stroke": None},
    "axis": {"labelFontSize": 12, "titleFontSize": 12},
    "legend": {"labelFontSize": 12, "titleFontSize": 12, "orient": "bottom"},
}


def _spec(values: list[dict], encoding: dict) -> dict:
    """A bar chart as wide as its container, one 22 px band per label."""
    spec = {
        "config": json.loads(json.dumps(CONFIG)),   # a fresh copy per chart
        "data": {"values": values},
        "mark": {"type": "bar"},
        "encoding": encoding,
        "height": {"step": 22},
        "width": "container",
        "autosize": {"type": "fit-x", "contains": "padding"},
    }
    return spec


def _field(name: str, type_: str, title, **more) -> dict:
    return {"field": name, "type": type_, "title": title, **more}


def _amount(title: str = "金额（万元）") -> dict:
    return _field("amount", "quantitative", title, format=AMOUNT_FORMAT)


def _y(order: list[str]) -> dict:
    return _field("label", "nominal", None, sort=order, axis={"labelLimit": LABEL_LIMIT})


def bars(rows: list[dict], *, label_title: str, value_title: str = "金额（万元）",
         highlight: str | None = None, highlight_title: str = "") -> dict:
    """Horizontal bars, one per row {label, amount[, note]}, in the given order.
    `highlight`: rows with note == highlight are drawn in red (secret projects)."""
    values = [{"label": r["label"], "amount": r["amount"], "note": r.get("note", "")} for r in rows]
    color = {"value": COLORS[0]}
    if highlight:
        color = _field("note", "nominal", highlight_title,
                       scale={"domain": ["", highlight], "range": [COLORS[0], SECRET_COLOR]},
                       legend={"labelExpr": "datum.label || '公开'", "orient": "bottom",
                               "direction": "horizontal", "labelLimit": LEGEND_LABEL_LIMIT})
    tooltip = [_field("label", "nominal", label_title), _amount(value_title)]
    if highlight:
        tooltip.append(_field("note", "nominal", "说明"))
    return _spec(values, {
        "y": _y([r["label"] for r in rows]),
        "x": _field("amount", "quantitative", value_title,
                    axis={"format": ",.0f", "tickCount": 5, "labelOverlap": True}),
        "color": color,
        "tooltip": tooltip,
    })


def stacked(rows: list[dict], *, label_title: str, series_title: str, series_order: list[str],
            normalize: bool = False, value_title: str = "金额（万元）") -> dict:
    """Horizontal stacked bars: rows {label, series, amount[, share]}; labels in given order."""
    labels = list(dict.fromkeys(r["label"] for r in rows))   # first-seen order, without a list scan per row
    # The stacking order rides in the data, not in a Vega expression: series
    # names are document text (function classes), never code.
    rank = {name: k for k, name in enumerate(series_order)}
    values = [{"label": r["label"], "series": r["series"], "amount": r["amount"],
               "share": r.get("share"), "series_rank": rank.get(r["series"], -1)} for r in rows]
    tooltip = [_field("label", "nominal", label_title), _field("series", "nominal", series_title),
               _amount(value_title)]
    if normalize:
        tooltip.append(_field("share", "quantitative", "占比（%）", format=".1f"))
    x = _field("amount", "quantitative", "占比" if normalize else value_title, aggregate="sum",
               stack="normalize" if normalize else "zero",
               axis={"format": "%" if normalize else ",.0f", "tickCount": 5, "labelOverlap": True})
    return _spec(values, {
        "y": _y(labels),
        "x": x,
        "color": _field("series", "nominal", series_title, sort=series_order,
                        scale={"domain": series_order, "range": (COLORS * 4)[:len(series_order)]},
                        legend=_legend(len(series_order))),
        "order": {"field": "series_rank", "type": "quantitative"},
        "tooltip": tooltip,
    })
