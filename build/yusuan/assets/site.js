/* yusuan site script: draws the Vega-Lite charts (vega.js, vendored beside
   this file, loaded only on pages that have charts), makes tables with
   class ys-sortable sortable by clicking a header, shows a source page's
   text from its .txt.gz, lists the rows of a long table from its .json.gz
   a page at a time, links a table's source lines, and makes a document's
   XLSX and CSVs. Loads nothing from outside the site. */
(function () {
  "use strict";
  var here = document.currentScript ? document.currentScript.src : "";

  // A filter's select: 全部 and each value of its column (`values`, an object
  // whose keys are the values), preset from the address's ?name=value.
  function filterSelect(f, heads, values, params, apply) {
    var label = document.createElement("label");
    label.textContent = heads[f.col].textContent + " ";
    var select = document.createElement("select");
    select.name = f.name;
    select.appendChild(new Option("全部", ""));
    Object.keys(values).filter(Boolean).sort(function (a, b) { return a.localeCompare(b, "zh"); })
      .forEach(function (v) { select.appendChild(new Option(v, v)); });
    if (params.get(f.name) && values[params.get(f.name)]) select.value = params.get(f.name);
    select.addEventListener("change", apply);
    f.select = select;
    label.appendChild(select);
    return label;
  }

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

  // A chart's kind (its Vega-Lite spec, one per kind for the whole site) is
  // fetched once per page however many charts use it; its rows are under
  // its name in the page's charts.json.gz (gzip), fetched once too.
  var kinds = {}, rowFiles = {};
  function chartRows(url, name) {
    if (!rowFiles[url]) rowFiles[url] = fetchText(url).then(JSON.parse);
    return rowFiles[url].then(function (all) { return all[name]; });
  }
  function getJSON(url) {
    return fetch(url).then(function (r) {
      if (!r.ok) throw new Error(url + ": " + r.status);
      return r.json();
    });
  }
  function kindSpec(url) {
    if (!kinds[url]) kinds[url] = getJSON(url);
    return kinds[url].then(function (spec) { return JSON.parse(JSON.stringify(spec)); });
  }

  // The chart's rows as CSV (the columns its tooltip shows, titled as there),
  // with a byte order mark so that Excel reads the Chinese as UTF-8.
  function csvOf(spec, rows) {
    var cols = ((spec.encoding || {}).tooltip || []).filter(function (t) { return t.field; });
    function cell(v) {
      v = v === null || v === undefined ? "" : String(v);
      return /[",\n\r]/.test(v) ? '"' + v.replace(/"/g, '""') + '"' : v;
    }
    var lines = [cols.map(function (c) { return cell(c.title || c.field); }).join(",")];
    rows.forEach(function (r) { lines.push(cols.map(function (c) { return cell(r[c.field]); }).join(",")); });
    return "\ufeff" + lines.join("\r\n") + "\r\n";
  }

  function download(url, name) {
    var a = document.createElement("a");
    a.href = url;
    a.download = name;
    document.body.appendChild(a);
    a.click();
    a.remove();
  }

  // Under each chart: its data as CSV, the chart as SVG and PNG (made in the page, nothing fetched).
  // A link that acts as a button (made on the reader's click, not a stored file).
  function buttonLink(text, onClick) {
    var a = document.createElement("a");
    a.textContent = text;
    a.href = "#";
    a.setAttribute("role", "button");
    a.addEventListener("click", function (e) { e.preventDefault(); onClick(); });
    return a;
  }

  function addDownloads(el, spec, rows, view) {
    var name = el.getAttribute("data-name") || "chart";
    var bar = document.createElement("p");
    bar.className = "ys-chart-downloads";
    var csv = document.createElement("a");
    csv.textContent = "数据（CSV）";
    csv.href = URL.createObjectURL(new Blob([csvOf(spec, rows)], { type: "text/csv;charset=utf-8" }));
    csv.download = name + ".csv";
    bar.appendChild(csv);
    [["svg", "图（SVG）", 1], ["png", "图（PNG）", 2]].forEach(function (t) {
      var a = buttonLink(t[1], function () {
        view.toImageURL(t[0], t[2]).then(function (url) { download(url, name + "." + t[0]); });
      });
      bar.appendChild(document.createTextNode(" · "));
      bar.appendChild(a);
    });
    el.parentNode.insertBefore(bar, el.nextSibling);
  }

  function drawCharts() {
    var els = document.querySelectorAll(".ys-chart[data-spec]");
    if (!els.length) return;
    loadVega(function () {
      Array.prototype.forEach.call(els, function (el) {
        var width = el.clientWidth, options = { actions: false, renderer: "svg", mode: "vega-lite" };
        if (width && width < 600) options.patch = function (spec) { return fitNarrow(spec, width); };
        var spec, rows;
        Promise.all([kindSpec(el.getAttribute("data-kind")), chartRows(el.getAttribute("data-spec"), el.getAttribute("data-name"))])
          .then(function (got) {
            spec = got[0];
            rows = got[1].values;
            spec.datasets = { values: rows };
            return window.vegaEmbed(el, spec, options);
          })
          .then(function (result) {
            el.style.minHeight = "";
            el.classList.add("ys-drawn");
            addDownloads(el, spec, rows, result.view);
          })
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

  // Filters over a table of one row per document: a select per column named
  // in data-filters ("year:2,kind:3" → the query parameter and the column),
  // set from the page's address (compare/?year=2017&kind=部门预算).
  function makeFilters(table) {
    var params = new URLSearchParams(location.search);
    var body = table.tBodies[0], heads = table.tHead.rows[0].cells;
    var filters = table.getAttribute("data-filters").split(",").map(function (f) {
      var parts = f.split(":");
      return { name: parts[0], col: Number(parts[1]) };
    });
    var bar = document.createElement("div");
    bar.className = "ys-filters";
    function apply() {
      Array.prototype.forEach.call(body.rows, function (row) {
        row.hidden = !filters.every(function (f) {
          return !f.select.value || cellValue(row, f.col) === f.select.value;
        });
      });
    }
    filters.forEach(function (f) {
      var values = {};
      Array.prototype.forEach.call(body.rows, function (row) { values[cellValue(row, f.col)] = true; });
      bar.appendChild(filterSelect(f, heads, values, params, apply));
    });
    var wrap = table.closest(".ys-table-wrap") || table;
    wrap.parentNode.insertBefore(bar, wrap);
    apply();
    // the row a reader came from (#d-<doc_id>): in view once the filters are set
    var here = location.hash && document.getElementById(decodeURIComponent(location.hash.slice(1)));
    if (here && table.contains(here)) {
      here.classList.add("ys-here");
      // the browser scrolls to the anchor itself, under the fixed header: centre it, then and once loaded
      var centre = function () { here.scrollIntoView({ block: "center" }); };
      centre();
      window.addEventListener("load", function () { setTimeout(centre, 0); });
    }
  }

  // A list of every document (compare, transparency, sources) or a
  // document's long or detail table (every check, every 绩效目标 indicator,
  // projects, 比上年变化 …): its HTML holds the first page of rows (or
  // none); every row is in its rows file (data-rows, JSON,
  // gzip-compressed: render/tables.py rows_data). A document's tables
  // share one file ({name: rows}, the table's data-name), fetched once.
  // Filters, sorting and pages work on all the rows; a page of them at a
  // time is in the table. Texts are set as text, never as HTML.
  var rowsFiles = {};
  function docList(table, done) {
    var url = table.getAttribute("data-rows"), name = table.getAttribute("data-name");
    if (!rowsFiles[url]) rowsFiles[url] = fetchText(url).then(JSON.parse);
    rowsFiles[url].then(function (got) {
      var data = name ? got[name] : got;
      var rows = data.rows.map(function (r) {
        var head = typeof r[0] === "object" && r[0] !== null ? r[0] : [r[0], ""];   // [id, row class]
        return { id: head[0], cls: head[1], cells: r.slice(1).map(function (c, k) {
          var a = typeof c === "string" ? [c] : c;
          var sort = a[1] === undefined ? null : a[1];
          var href = a[2] || null;
          if (typeof href === "string") href = [[a[0], href]];
          var cls = a[3] === undefined || a[3] === null ? data.classes[k] : a[3];
          if (!href && /(^| )ln( |$)/.test(cls) && a[0]) href = lineHrefs(a[0]);     // as linkLines does
          return { text: a[0], sort: sort, cls: cls,
                   links: href && href.map(function (h) { return [h[0], h[1] && (data.base || "") + h[1]]; }),
                   value: sort === null ? String(a[0]).trim() : String(sort) };
        }) };
      });
      pagedList(table, rows);
    }).catch(function (err) {
      console.warn(err);
      done();       // the rows in the HTML, sorted and filtered as they are
    });
  }

  function pagedList(table, all) {
    var params = new URLSearchParams(location.search);
    var body = table.tBodies[0], heads = table.tHead.rows[0].cells;
    var wrap = table.closest(".ys-table-wrap") || table;
    var PAGE_ROWS = Number(table.getAttribute("data-page")) || 100;
    var note = wrap.querySelector("p.ys-note");
    if (note) note.hidden = true;     // "the first rows here": the pager says it now
    var shown = all, page = 0, sortCol = -1, asc = true;
    var filters = (table.getAttribute("data-filters") || "").split(",").filter(Boolean).map(function (f) {
      var parts = f.split(":");
      return { name: parts[0], col: Number(parts[1]) };
    });
    var pager = document.createElement("nav");
    pager.className = "ys-pager";
    pager.setAttribute("aria-label", "翻页");
    var prev = document.createElement("button"), next = document.createElement("button"), where = document.createElement("span");
    prev.type = next.type = "button";
    prev.textContent = "‹ 上一页";
    next.textContent = "下一页 ›";
    prev.addEventListener("click", function () { page -= 1; draw(); table.scrollIntoView(); });
    next.addEventListener("click", function () { page += 1; draw(); table.scrollIntoView(); });
    pager.appendChild(prev);
    pager.appendChild(next);
    pager.appendChild(where);
    var unit = table.getAttribute("data-unit") || "份";
    wrap.parentNode.insertBefore(pager, wrap.nextSibling);

    function row(r) {
      var tr = document.createElement("tr");
      if (r.id) tr.id = r.id;
      if (r.cls) tr.className = r.cls;
      r.cells.forEach(function (c) {
        var td = document.createElement("td");
        if (c.cls) td.className = c.cls;
        if (c.sort !== null) td.setAttribute("data-sort", String(c.sort));
        if (c.links) {
          c.links.forEach(function (h, k) {
            if (k) td.appendChild(document.createTextNode(", "));
            if (!h[1]) { td.appendChild(document.createTextNode(h[0])); return; }
            var a = document.createElement("a");
            a.href = h[1];
            a.textContent = h[0];
            td.appendChild(a);
          });
        } else {
          td.textContent = c.text;
        }
        tr.appendChild(td);
      });
      return tr;
    }
    function draw() {
      var pages = Math.max(1, Math.ceil(shown.length / PAGE_ROWS));
      page = Math.min(Math.max(page, 0), pages - 1);
      var frag = document.createDocumentFragment();
      shown.slice(page * PAGE_ROWS, (page + 1) * PAGE_ROWS).forEach(function (r) { frag.appendChild(row(r)); });
      body.textContent = "";
      body.appendChild(frag);
      var first = shown.length ? page * PAGE_ROWS + 1 : 0, last = Math.min(shown.length, (page + 1) * PAGE_ROWS);
      where.textContent = "第 " + first.toLocaleString("zh") + "–" + last.toLocaleString("zh") + " " + unit + "，共 " +
        shown.length.toLocaleString("zh") + " " + unit + (shown.length < all.length ? "（全部 " + all.length.toLocaleString("zh") + " " + unit + "）" : "");
      prev.disabled = page === 0;
      next.disabled = page >= pages - 1;
      pager.hidden = pages === 1 && shown.length === all.length && all.length <= PAGE_ROWS;
    }
    function apply() {
      shown = all.filter(function (r) {
        return filters.every(function (f) { return !f.select.value || r.cells[f.col].value === f.select.value; });
      });
      if (sortCol >= 0) order();
      page = 0;
      draw();
    }
    function order() {
      var numeric = all.every(function (r) {
        var v = r.cells[sortCol].value; return v === "" || v === "—" || !isNaN(Number(v));
      });
      var keyed = shown.map(function (r, k) { return [r, k]; });
      keyed.sort(function (a, b) {
        var x = a[0].cells[sortCol].value, y = b[0].cells[sortCol].value, d;
        if (numeric) {
          var nx = x === "" || x === "—" ? -Infinity : Number(x);
          var ny = y === "" || y === "—" ? -Infinity : Number(y);
          d = nx === ny ? 0 : nx - ny;
        } else {
          d = x.localeCompare(y, "zh");
        }
        return (asc ? d : -d) || a[1] - b[1];
      });
      shown = keyed.map(function (p) { return p[0]; });
    }

    if (filters.length) {
      var bar = document.createElement("div");
      bar.className = "ys-filters";
      filters.forEach(function (f) {
        var values = {};
        all.forEach(function (r) { values[r.cells[f.col].value] = true; });
        bar.appendChild(filterSelect(f, heads, values, params, apply));
      });
      wrap.parentNode.insertBefore(bar, wrap);
    }
    if (table.classList.contains("ys-sortable")) {
      Array.prototype.forEach.call(heads, function (th, i) {
        th.setAttribute("role", "button");
        th.tabIndex = 0;
        th.title = "点击排序";
        function sort() {
          asc = !(sortCol === i && asc);
          sortCol = i;
          Array.prototype.forEach.call(heads, function (h) { h.removeAttribute("aria-sort"); });
          th.setAttribute("aria-sort", asc ? "ascending" : "descending");
          order();
          page = 0;
          draw();
        }
        th.addEventListener("click", sort);
        th.addEventListener("keydown", function (e) { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); sort(); } });
      });
    }
    apply();
    // the row a reader came from (#d-<doc_id>): its page shown, the row marked and in view
    function goTo(first) {
      var id = location.hash && decodeURIComponent(location.hash.slice(1));
      var at = id ? shown.findIndex(function (r) { return r.id === id; }) : -1;
      if (at < 0) return;
      page = Math.floor(at / PAGE_ROWS);
      draw();
      var here = document.getElementById(id);
      here.classList.add("ys-here");
      var centre = function () { here.scrollIntoView({ block: "center" }); };
      centre();
      if (first) window.addEventListener("load", function () { setTimeout(centre, 0); });
    }
    goTo(true);
    window.addEventListener("hashchange", function () { goTo(false); });
    table.setAttribute("data-ready", "");
  }

  // A document's data as XLSX and as a ZIP of CSVs, made here from its
  // data.json.gz (render/downloads.py) when the link is clicked, instead of
  // stored: a sheet / a CSV per dataset. The ZIPs (an XLSX is one) are
  // stored, not deflated, with a fixed date.
  var CRC = (function () {
    var t = new Uint32Array(256);
    for (var n = 0; n < 256; n++) {
      var c = n;
      for (var k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      t[n] = c >>> 0;
    }
    return t;
  })();
  function crc32(bytes) {
    var c = 0xffffffff;
    for (var i = 0; i < bytes.length; i++) c = CRC[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  }
  function zipBlob(files, type) {      // files: [[name, text]]
    var enc = new TextEncoder(), parts = [], central = [], offset = 0;
    function le(n, size) {
      var b = new Uint8Array(size);
      for (var i = 0; i < size; i++) b[i] = (n >>> (8 * i)) & 0xff;
      return b;
    }
    function header(sig, name, data, crc, extra) {
      return [le(sig, 4)].concat(extra || [], [le(20, 2), le(0x800, 2), le(0, 2), le(0, 2), le(0x21, 2),  // UTF-8 names; 1980-01-01
        le(crc, 4), le(data.length, 4), le(data.length, 4), le(name.length, 2), le(0, 2)]);
    }
    files.forEach(function (f) {
      var name = enc.encode(f[0]), data = enc.encode(f[1]), crc = crc32(data);
      var local = header(0x04034b50, name, data, crc).concat([name, data]);
      var head = header(0x02014b50, name, data, crc, [le(20, 2)])
        .concat([le(0, 2), le(0, 2), le(0, 2), le(0, 4), le(offset, 4), name]);
      local.forEach(function (b) { offset += b.length; });
      parts = parts.concat(local);
      central = central.concat(head);
    });
    var size = 0;
    central.forEach(function (b) { size += b.length; });
    var end = [le(0x06054b50, 4), le(0, 2), le(0, 2), le(files.length, 2), le(files.length, 2), le(size, 4), le(offset, 4), le(0, 2)];
    return new Blob(parts.concat(central, end), { type: type });
  }
  function rowsOf(ds) {
    var n = ds.values.length ? ds.values[0].length : 0, rows = [];
    for (var i = 0; i < n; i++) rows.push(ds.values.map(function (col) { return col[i]; }));
    return rows;
  }
  function csvText(ds) {
    function cell(v) {
      if (v === null || v === undefined) return "";
      if (typeof v !== "string") return String(v);
      return /[",\n\r]/.test(v) ? '"' + v.replace(/"/g, '""') + '"' : v;
    }
    return "\ufeff" + [ds.columns.join(",")].concat(rowsOf(ds).map(function (r) { return r.map(cell).join(","); }))
      .join("\n") + "\n";
  }
  function xml(s) {
    return String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;")
      .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, "");
  }
  function colName(k) {
    var s = "";
    for (k += 1; k > 0; k = Math.floor((k - 1) / 26)) s = String.fromCharCode(65 + (k - 1) % 26) + s;
    return s;
  }
  function sheetXml(ds) {
    var money = {};
    ds.money.forEach(function (j) { money[j] = true; });
    function cell(v, j, r) {
      var ref = colName(j) + r;
      if (v === null || v === undefined) return "";
      if (typeof v === "number" && isFinite(v)) return '<c r="' + ref + '"' + (money[j] ? ' s="1"' : "") + "><v>" + v + "</v></c>";
      if (typeof v === "boolean") return '<c r="' + ref + '" t="b"><v>' + (v ? 1 : 0) + "</v></c>";
      return '<c r="' + ref + '" t="inlineStr"><is><t xml:space="preserve">' + xml(v) + "</t></is></c>";
    }
    var rows = [ds.headers].concat(rowsOf(ds));
    return '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' +
      '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetViews><sheetView workbookViewId="0">' +
      '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews><sheetData>' +
      rows.map(function (row, i) {
        return '<row r="' + (i + 1) + '">' + row.map(function (v, j) { return cell(v, j, i + 1); }).join("") + "</row>";
      }).join("") + "</sheetData></worksheet>";
  }
  function xlsxBlob(data) {
    var head = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n';
    var sheets = data.datasets, files = [];
    var types = '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>' +
      '<Default Extension="xml" ContentType="application/xml"/>' +
      '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>' +
      '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>' +
      '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>' +
      sheets.map(function (ds, k) {
        return '<Override PartName="/xl/worksheets/sheet' + (k + 1) +
          '.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>';
      }).join("");
    files.push(["[Content_Types].xml", head + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' + types + "</Types>"]);
    files.push(["_rels/.rels", head + '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
      '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>' +
      '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/></Relationships>']);
    files.push(["docProps/core.xml", head + '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" ' +
      'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>' + xml(data.doc_id) + "</dc:title></cp:coreProperties>"]);
    files.push(["xl/workbook.xml", head + '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" ' +
      'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>' +
      sheets.map(function (ds, k) {
        return '<sheet name="' + xml(ds.name.slice(0, 31)) + '" sheetId="' + (k + 1) + '" r:id="rId' + (k + 1) + '"/>';
      }).join("") + "</sheets></workbook>"]);
    files.push(["xl/_rels/workbook.xml.rels", head + '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
      sheets.map(function (ds, k) {
        return '<Relationship Id="rId' + (k + 1) + '" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet' + (k + 1) + '.xml"/>';
      }).join("") + '<Relationship Id="rId' + (sheets.length + 1) +
      '" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>']);
    files.push(["xl/styles.xml", head + '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">' +
      '<numFmts count="1"><numFmt numFmtId="164" formatCode="#,##0.00"/></numFmts>' +
      '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>' +
      '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>' +
      '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>' +
      '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>' +
      '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>' +
      '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>' +
      '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>']);
    sheets.forEach(function (ds, k) { files.push(["xl/worksheets/sheet" + (k + 1) + ".xml", sheetXml(ds)]); });
    return zipBlob(files, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
  }
  function makeDownloads() {
    Array.prototype.forEach.call(document.querySelectorAll(".ys-make[data-src]"), function (el) {
      var name = el.getAttribute("data-name"), got = null;
      function data() {      // the document's values with the columns every document shares (render/downloads.py)
        if (!got) got = Promise.all([fetchText(el.getAttribute("data-src")).then(JSON.parse),
                                     getJSON(el.getAttribute("data-fields"))]).then(function (both) {
          var doc = both[0], shared = {};
          both[1].datasets.forEach(function (ds) { shared[ds.name] = ds; });
          doc.datasets = doc.datasets.map(function (ds) {
            var spec = shared[ds.name], k = 0;
            var n = ds.values.length ? ds.values[0].length : 0;
            return { name: ds.name, columns: spec.columns, headers: spec.headers, money: spec.money,
                     values: spec.columns.map(function (c) {
                       return c === "doc_id" ? Array.apply(null, Array(n)).map(function () { return doc.doc_id; }) : ds.values[k++];
                     }) };
          });
          return doc;
        });
        return got;
      }
      el.textContent = "";
      [["本文件数据 XLSX", name + ".xlsx", xlsxBlob],
       ["本文件数据 CSV（ZIP）", name + "-csv.zip", function (d) {
         return zipBlob(d.datasets.map(function (ds) { return [name + "/" + ds.name + ".csv", csvText(ds)]; }), "application/zip");
       }]].forEach(function (t, k) {
        var a = buttonLink(t[0], function () {
          data().then(function (d) {
            var url = URL.createObjectURL(t[2](d));
            download(url, t[1]);
            setTimeout(function () { URL.revokeObjectURL(url); }, 60000);
          }).catch(function (err) { console.warn(err); a.textContent = t[0] + "（无法生成）"; });
        });
        if (k) el.appendChild(document.createTextNode(" · "));
        el.appendChild(a);
      });
    });
  }

  // A file stored gzip-compressed (a source text, a table's rows), as text.
  // Its bytes are unpacked here (DecompressionStream); a server that sends
  // it with Content-Encoding: gzip has unpacked it already (no gzip magic).
  function fetchText(url) {
    return fetch(url).then(function (r) {
      if (!r.ok) throw new Error(url + ": " + r.status);
      return r.arrayBuffer();
    }).then(function (buf) {
      var head = new Uint8Array(buf, 0, Math.min(2, buf.byteLength));
      var body = new Blob([buf]).stream();
      if (head[0] === 0x1f && head[1] === 0x8b) body = body.pipeThrough(new DecompressionStream("gzip"));
      return new Response(body).text();     // UTF-8, its byte order mark dropped
    });
  }

  // A source page: its text, a <span id=L<n>> a line (the number drawn by
  // CSS), page and file markers set apart and listed in the page's index;
  // then the #L<n> of the address is gone to as an anchor is (the line
  // becomes :target, in view).
  function sourceText() {
    var src = document.querySelector("pre.ys-src[data-src]");
    if (!src) return;
    var marks = {}, marked = (src.getAttribute("data-marks") || "").split(",").filter(Boolean);
    marked.forEach(function (n) { marks[n] = true; });
    src.setAttribute("aria-busy", "true");
    src.textContent = "正在载入文本……";
    fetchText(src.getAttribute("data-src")).then(function (text) {
      if (text.charAt(text.length - 1) === "\n") text = text.slice(0, -1);
      var frag = document.createDocumentFragment();
      (text ? text.split("\n") : []).forEach(function (line, k) {
        var span = document.createElement("span");
        span.id = "L" + (k + 1);
        if (marks[k + 1]) span.className = "mk";
        span.textContent = line;
        frag.appendChild(span);
      });
      src.textContent = "";
      src.appendChild(frag);
      src.removeAttribute("aria-busy");
      sourceIndex(marked);
      if (/^#L\d+$/.test(location.hash) && document.getElementById(location.hash.slice(1))) {
        location.replace(location.hash);     // a fragment navigation: :target and scrolled to
      }
    }).catch(function (err) {
      src.removeAttribute("aria-busy");
      src.textContent = "文本无法显示：请下载上面的文本文件（gzip 压缩），其第 N 行即行号 N。";
      console.warn(err);
    });
  }

  // A source page's index (nav.ys-src-index): a link to each marker line
  // (its numbers in data-marks), named from its text: "=== 第 3 页 ===" is
  // 第 3 页, "=== 文件 path/a.pdf ===" is 文件：a.pdf. Made here, not in the
  // HTML: its links need the lines made here (~1 KB a 30-page PDF).
  function sourceIndex(marked) {
    var index = document.querySelector("nav.ys-src-index");
    if (!index) return;
    marked.forEach(function (n) {
      var line = document.getElementById("L" + n);
      var m = line && /^=== (?:(第 \d+ 页)|文件 (.+)) ===$/.exec(line.textContent);
      if (!m) return;
      var a = document.createElement("a");
      a.href = "#L" + n;
      a.textContent = m[1] || "文件：" + m[2].split("/").pop();
      if (!m[1]) a.className = "ys-src-file";
      index.appendChild(a);
    });
  }

  // A source page: a click on a line's number puts that line's address in the location bar.
  function lineLinks() {
    var src = document.querySelector("pre.ys-src");
    if (!src) return;
    src.addEventListener("click", function (e) {
      var line = e.target;
      if (!line || line.parentNode !== src || !line.id) return;
      var pad = parseFloat(getComputedStyle(line).paddingLeft) || 0;
      if (e.clientX - line.getBoundingClientRect().left <= pad) location.hash = line.id;
    });
  }

  // A table's source lines: its HTML (or rows file) holds the numbers
  // (td.ln) and the source page's address once (data-src, the rows file's
  // base: render/tables.py); each number or run of lines ("35–37") becomes
  // a link to its first line here.
  function lineHrefs(text) {      // [[run, "#L<first line>"]] (a part without a number stays text)
    return text.split(", ").map(function (part) {
      var first = /^\d+/.exec(part);
      return [part, first ? "#L" + first[0] : null];
    });
  }
  function linkLines() {
    Array.prototype.forEach.call(document.querySelectorAll("table[data-src]"), function (table) {
      var base = table.getAttribute("data-src");
      Array.prototype.forEach.call(table.querySelectorAll("tbody td.ln"), function (td) {
        if (!td.textContent || td.querySelector("a")) return;
        var parts = lineHrefs(td.textContent);
        td.textContent = "";
        parts.forEach(function (part, k) {
          if (k) td.appendChild(document.createTextNode(", "));
          if (!part[1]) { td.appendChild(document.createTextNode(part[0])); return; }
          var a = document.createElement("a");
          a.href = base + part[1];
          a.textContent = part[0];
          td.appendChild(a);
        });
      });
    });
  }

  // A column of amounts or source lines is said once by its table's class
  // (n3, l6: render/tables.py column_classes); its cells get their class
  // (num, ln) back here, as the rows site.js draws from a rows file have it.
  function columnClasses() {
    var names = { n: "num", l: "ln" };
    Array.prototype.forEach.call(document.querySelectorAll("table.ys-table"), function (table) {
      var said = [];
      table.classList.forEach(function (c) {
        var m = /^([nl])(\d+)$/.exec(c);
        if (m) said.push([Number(m[2]) - 1, names[m[1]]]);
      });
      if (!said.length || !table.tBodies[0]) return;
      Array.prototype.forEach.call(table.tBodies[0].rows, function (row) {
        said.forEach(function (s) { if (row.cells[s[0]]) row.cells[s[0]].classList.add(s[1]); });
      });
    });
  }

  function init() {
    columnClasses();
    linkLines();
    drawCharts();
    Array.prototype.forEach.call(document.querySelectorAll("table.ys-sortable:not([data-rows])"), makeSortable);
    Array.prototype.forEach.call(document.querySelectorAll("table[data-filters]:not([data-rows])"), makeFilters);
    Array.prototype.forEach.call(document.querySelectorAll("table[data-rows]"), function (table) {
      docList(table, function () {      // the rows file cannot be read: the rows in the HTML, as before
        if (table.classList.contains("ys-sortable")) makeSortable(table);
        if (table.getAttribute("data-filters")) makeFilters(table);
      });
    });
    sourceText();
    makeDownloads();
    lineLinks();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
