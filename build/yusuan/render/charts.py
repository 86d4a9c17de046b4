"""Altair chart specs (Vega-Lite JSON) for the site's charts.

Each function takes plain records already shaped by pages.py and returns a
spec dict; site.py writes it to a .json file beside the page, which the page's
chart container points to. Tooltips show exact amounts in 万元 with thousands
separators; every axis and legend is labelled in Chinese.
"""
from __future__ import annotations

import json

import altair as alt

AMOUNT_FORMAT = ",.2f"
FONT = '-apple-system, BlinkMacSystemFont, "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", sans-serif'
LABEL_LIMIT = 260
LEGEND_LABEL_LIMIT = 320  # a legend label is never cut short enough to hide which class it is


def _legend(n: int) -> alt.Legend:
    """Legend below the plot, in as many rows as needed (two columns when there
    are more than three entries) so every entry is shown and the plot keeps its
    full width."""
    return alt.Legend(orient="bottom", direction="horizontal", columns=2 if n > 3 else n,
                      labelLimit=LEGEND_LABEL_LIMIT, symbolType="square", columnPadding=16, rowPadding=4)
SECRET_COLOR = "#c62828"
COLORS = ["#3f51b5", "#ff9800", "#009688", "#9c27b0", "#795548", "#607d8b", "#e91e63", "#8bc34a",
          "#00bcd4", "#ffc107", "#673ab7", "#4caf50"]


def _spec(chart: alt.Chart) -> dict:
    spec = chart.configure(font=FONT).configure_view(stroke=None).configure_axis(
        labelFontSize=12, titleFontSize=12).configure_legend(labelFontSize=12, titleFontSize=12, orient="bottom").to_dict()
    spec.pop("$schema", None)  # names an outside host; vega-embed does not need it
    spec["autosize"] = {"type": "fit-x", "contains": "padding"}
    return spec


def _amount(title: str = "金额（万元）") -> alt.Tooltip:
    return alt.Tooltip("amount:Q", title=title, format=AMOUNT_FORMAT)


def bars(rows: list[dict], *, label_title: str, value_title: str = "金额（万元）",
         highlight: str | None = None, highlight_title: str = "") -> dict:
    """Horizontal bars, one per row {label, amount[, note]}, in the given order.
    `highlight`: rows with note == highlight are drawn in red (secret projects)."""
    data = alt.Data(values=[{"label": r["label"], "amount": r["amount"], "note": r.get("note", "")} for r in rows])
    order = [r["label"] for r in rows]
    color = alt.value(COLORS[0])
    if highlight:
        color = alt.Color("note:N", title=highlight_title,
                          scale=alt.Scale(domain=["", highlight], range=[COLORS[0], SECRET_COLOR]),
                          legend=alt.Legend(labelExpr=f"datum.label || '公开'", orient="bottom", direction="horizontal",
                                            labelLimit=LEGEND_LABEL_LIMIT))
    tooltip = [alt.Tooltip("label:N", title=label_title), _amount(value_title)]
    if highlight:
        tooltip.append(alt.Tooltip("note:N", title="说明"))
    chart = alt.Chart(data).mark_bar().encode(
        y=alt.Y("label:N", title=None, sort=order, axis=alt.Axis(labelLimit=LABEL_LIMIT)),
        x=alt.X("amount:Q", title=value_title, axis=alt.Axis(format=",.0f", tickCount=5, labelOverlap=True)),
        color=color,
        tooltip=tooltip,
    ).properties(width="container", height=alt.Step(22))
    return _spec(chart)


def stacked(rows: list[dict], *, label_title: str, series_title: str, series_order: list[str],
            normalize: bool = False, value_title: str = "金额（万元）") -> dict:
    """Horizontal stacked bars: rows {label, series, amount[, share]}; labels in given order."""
    labels: list[str] = []
    for r in rows:
        if r["label"] not in labels:
            labels.append(r["label"])
    data = alt.Data(values=[{"label": r["label"], "series": r["series"], "amount": r["amount"],
                             "share": r.get("share")} for r in rows])
    tooltip = [alt.Tooltip("label:N", title=label_title), alt.Tooltip("series:N", title=series_title),
               _amount(value_title)]
    if normalize:
        tooltip.append(alt.Tooltip("share:Q", title="占比（%）", format=".1f"))
    x = alt.X("sum(amount):Q", title="占比" if normalize else value_title,
              stack="normalize" if normalize else "zero",
              axis=alt.Axis(format="%" if normalize else ",.0f", tickCount=5, labelOverlap=True))
    chart = alt.Chart(data).mark_bar().encode(
        y=alt.Y("label:N", title=None, sort=labels, axis=alt.Axis(labelLimit=LABEL_LIMIT)),
        x=x,
        color=alt.Color("series:N", title=series_title, sort=series_order,
                        scale=alt.Scale(domain=series_order, range=(COLORS * 4)[:len(series_order)]),
                        legend=_legend(len(series_order))),
        order=alt.Order("series_rank:Q"),
        tooltip=tooltip,
    ).transform_calculate(
        series_rank="indexof(" + json.dumps(series_order, ensure_ascii=False) + ", datum.series)"
    ).properties(width="container", height=alt.Step(22))
    return _spec(chart)
