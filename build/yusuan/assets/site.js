/* yusuan site script: draws the Vega-Lite charts (vega.js, vendored beside
   this file, loaded only on pages that have charts) and makes tables with
   class ys-sortable sortable by clicking a header. Loads nothing from outside
   the site. */
(function () {
  "use strict";
  var here = document.currentScript ? document.currentScript.src : "";

  function loadVega(done) {
    if (window.vegaEmbed) { done(); return; }
    var s = document.createElement("script");
    s.src = new URL("vega.js", here || document.baseURI).href;
    s.onload = done;
    document.head.appendChild(s);
  }

  // On a narrow screen (a phone) long category labels would leave the bars a
  // sliver and a two-column legend would be cut off: labels get at most ~40%
  // of the width (cut with "…"; the full text is in the table below each
  // chart) and legends one column.
  function fitNarrow(spec, width) {
    (spec.axes || []).forEach(function (axis) {
      if (axis.orient === "left" || axis.orient === "right") {
        axis.labelLimit = Math.min(axis.labelLimit || 180, Math.round(width * 0.4));
      }
    });
    (spec.legends || []).forEach(function (legend) {
      legend.columns = 1;
      legend.labelLimit = Math.round(width * 0.3);   // the legend starts where the bars do
    });
    (spec.marks || []).forEach(function (mark) { if (mark.type === "group") fitNarrow(mark, width); });
    return spec;
  }

  function drawCharts() {
    var els = document.querySelectorAll(".ys-chart[data-spec]");
    if (!els.length) return;
    loadVega(function () {
      Array.prototype.forEach.call(els, function (el) {
        var width = el.clientWidth, options = { actions: false, renderer: "svg" };
        if (width && width < 600) options.patch = function (spec) { return fitNarrow(spec, width); };
        window.vegaEmbed(el, el.getAttribute("data-spec"), options)
          .then(function () { el.style.minHeight = ""; el.classList.add("ys-drawn"); })
          .catch(function (err) {
            el.textContent = "图表无法显示，请看下方的数据表。";
            console.warn(err);
          });
      });
    });
  }

  function cellValue(row, i) {
    var cell = row.cells[i];
    if (!cell) return "";
    var s = cell.getAttribute("data-sort");
    return s === null ? cell.textContent.trim() : s;
  }

  function makeSortable(table) {
    var heads = table.tHead ? table.tHead.rows[0].cells : [];
    Array.prototype.forEach.call(heads, function (th, i) {
      th.setAttribute("role", "button");
      th.tabIndex = 0;
      th.title = "点击排序";
      function sort() {
        var asc = th.getAttribute("aria-sort") !== "ascending";
        Array.prototype.forEach.call(heads, function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", asc ? "ascending" : "descending");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        var numeric = rows.every(function (r) {
          var v = cellValue(r, i); return v === "" || v === "—" || !isNaN(Number(v));
        });
        rows.sort(function (a, b) {
          var x = cellValue(a, i), y = cellValue(b, i), r;
          if (numeric) {
            var nx = x === "" || x === "—" ? -Infinity : Number(x);
            var ny = y === "" || y === "—" ? -Infinity : Number(y);
            r = nx - ny;
          } else {
            r = x.localeCompare(y, "zh");
          }
          return asc ? r : -r;
        });
        rows.forEach(function (r) { body.appendChild(r); });
      }
      th.addEventListener("click", sort);
      th.addEventListener("keydown", function (e) { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); sort(); } });
    });
  }

  function init() {
    drawCharts();
    Array.prototype.forEach.call(document.querySelectorAll("table.ys-sortable"), makeSortable);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
