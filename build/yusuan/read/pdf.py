"""PDF → text lines in the tab layout the parser reads.

Budget PDFs are exported from spreadsheets and word processors: the tables are
ruled grids, the rest is prose. pdfplumber's table finder (~40 ms a page)
gives each ruled grid as rows of cells, a merged cell once at its top-left
position; everything outside the grids is read as lines of text. The page
comes out top to bottom:

* a marker line `=== 第 N 页 ===` before each page (the site shows it; the
  parser skips it, and `page_of` maps a line back to its page);
* a table row as one line, its cells separated by tabs, empty and merged
  positions kept as empty fields, so columns stay where the grid has them;
* a row whose one cell spans the grid (a title or note printed inside the
  ruled area) and every line outside the grids as plain text.

Text wrapped inside a cell is joined without a space (Chinese labels, and
amounts whose decimals the converter put on a line of their own). Running
headers and footers (page numbers, a title repeated on every page) are
dropped: they are not part of any table. Where the ruling falls short —
double borders, a page-top row outside the grid, a column drawn without
edges, a continuation page ruled differently — the repairs below keep every
printed character in the text and every figure in its column.
"""
from __future__ import annotations

import io
import re
from collections import Counter
from dataclasses import dataclass, field

from .text import ReadError

PAGE_MARKER = "=== 第 {} 页 ==="
# Marker lines: a PDF page, or the file a document's next lines come from
# (a disclosure published as two files is read as one text).
FILE_MARKER = "=== 文件 {} ==="
MARKER = re.compile(r"^=== (?:第 (\d+) 页|文件 .+) ===$")

# A page number printed alone: "3", "- 3 -", "—3—", "第3页", "第 3 页 共 40 页".
_PAGE_NUMBER = re.compile(r"^[-—–－\s]*(?:第\s*)?\d{1,4}(?:\s*页)?(?:\s*[/，,]?\s*共\s*\d+\s*页)?[-—–－\s]*$")
# Ruling lines closer than this (pt) are one line: a double border drawn as two
# lines 5 pt apart made thin empty columns that shifted a header off its data.
_TABLE_SETTINGS = {"snap_tolerance": 6, "join_tolerance": 6, "intersection_tolerance": 6}
# Grid positions whose cells begin closer than this (pt) are one column.
_SAME_COLUMN = 8
# A row whose only cell is at least this share of the grid's width is text, not data.
_SPANNING = 0.8
_AMOUNT = re.compile(r"^-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$")


@dataclass
class Block:
    """Rows of one table printed in one ruled grid: a text per column."""
    columns: list[tuple[float, float]]      # x-span of each column
    rows: list[list[str]] = field(default_factory=list)


@dataclass
class Item:
    """One thing on a page, top to bottom: a line of text, or a block of rows."""
    top: float
    x0: float
    text: str = ""
    block: Block | None = None
    margin: bool = False      # first or last on the page: may be a running header/footer


def pdf_lines(data: bytes) -> list[str]:
    import pdfplumber

    try:
        pdf = pdfplumber.open(io.BytesIO(data))
    except Exception as e:   # pdfminer's PDFSyntaxError and others, for bytes that are no PDF
        raise ReadError(f"无法打开的 PDF 文件（{type(e).__name__}）") from e
    with pdf:
        try:
            pages = [_page_items(page) for page in pdf.pages]
        except Exception as e:   # pdfminer raises many kinds on a damaged file
            raise ReadError(f"PDF 文件已损坏，无法读出（{type(e).__name__}: {e}）") from e
    if not any(it.text or it.block for page in pages for it in page):
        raise ReadError("PDF 中没有文字层（可能是扫描件，需先做文字识别）")
    _drop_running_lines(pages)
    _continue_columns(pages)
    lines: list[str] = []
    for n, page in enumerate(pages, start=1):
        lines.append(PAGE_MARKER.format(n))
        for it in page:
            lines += ["\t".join(row) for row in it.block.rows] if it.block else [it.text]
    return lines


def page_of(lines: list[str]) -> list[int]:
    """The PDF page of each line, counted in its own file (0 before the
    first page marker, and for text files)."""
    pages, page = [], 0
    for line in lines:
        if line.startswith("=== ") and (m := MARKER.match(line)):
            page = int(m.group(1) or 0)
        pages.append(page)
    return pages


def file_of(lines: list[str], default: str) -> list[str]:
    """The file each line comes from: `default`, or the file its last file
    marker names (a document read from several files)."""
    files, current = [], default
    for line in lines:
        if line.startswith("=== 文件 ") and MARKER.match(line):
            current = line[len("=== 文件 "):-len(" ===")]
        files.append(current)
    return files


def _cell_text(text: str | None) -> str:
    if not text:
        return ""
    return "".join(part.strip() for part in text.splitlines()).replace("\t", " ")


def _baseline_boxes(page) -> None:
    """Put every upright character's box on its baseline.

    pdfminer places a box by the font's declared descent, which some embedded
    fonts get wrong: in the Chongqing PDFs the digits and punctuation sit 8 pt
    below the Chinese characters of their own line, so `2026` and `、` fell
    onto lines of their own (and could fall into the cell below). The baseline
    (the text matrix) is right in every file seen: a box from 0.8 of the size
    above it to 0.2 below is what a well-made font gives.
    """
    height, offset = page.height, page.initial_doctop
    for c in page.chars:
        if not c.get("upright", True):
            continue
        base = height - c["matrix"][5]
        size = c["size"]
        top, bottom = base - 0.8 * size, base + 0.2 * size
        c["top"], c["bottom"], c["doctop"] = top, bottom, top + offset
        c["y0"], c["y1"] = height - bottom, height - top


def _page_items(page) -> list[Item]:
    """What the page prints, top to bottom."""
    # Only what is on the page: a converter can leave a sheet's overflow below
    # the page's edge (江苏 人大 2017 p. 11 holds the next three tables there,
    # unseen, and prints them again on their own pages).
    page = page.within_bbox(page.bbox)
    _baseline_boxes(page)
    # Words, not characters, go into cells: a number whose characters a
    # ruling line runs through (a double border) stays one number.
    words = page.extract_words(keep_blank_chars=False, x_tolerance=1, return_chars=True)
    tables = _find_tables(page, words)
    words = [part for w in words for part in _split_at_cells(w, tables)]
    placed: dict[int, dict[tuple[int, int], list[dict]]] = {id(t): {} for t in tables}
    in_cells: set[int] = set()
    for w in words:
        for t in tables:
            where = _cell_of(t, w)
            if where:
                placed[id(t)].setdefault(where, []).append(w)
                in_cells.update(id(c) for c in w["chars"])
                break

    def outside(obj) -> bool:
        return id(obj) not in in_cells

    # Text outside every cell: lines of its own, or — when it sits level with
    # a grid's row, right of it (a column whose ruling was not drawn: 江苏 法院
    # 2017 p. 17 prints its amounts beside a two-column grid) — more cells of that row.
    bands = [(t, i, row.bbox) for t in tables for i, row in enumerate(t.rows)]
    extra: dict[tuple[int, int], list[tuple[float, float, str]]] = {}
    items: list[Item] = []
    free = page.filter(outside) if in_cells else page
    for line in free.extract_text_lines(keep_blank_chars=False, return_chars=True):
        cy = (line["top"] + line["bottom"]) / 2
        band = next(((t, i) for t, i, (_, btop, bx1, bbottom) in bands
                     if btop <= cy <= bbottom and line["x0"] >= bx1 - 1), None)
        if band:
            extra.setdefault((id(band[0]), band[1]), []).extend(_chunks(line["chars"]))
            continue
        text = _text_line(line, tables)
        if text:
            items.append(Item(line["top"], line["x0"], text=text))
    for t in tables:
        items += _grid_items(t, placed[id(t)], {i: v for (tid, i), v in extra.items() if tid == id(t)})
    items.sort(key=lambda it: (round(it.top), it.x0))
    for k in (0, len(items) - 1):
        # Only a line outside the grids, first or last on the page, can be a
        # running header or footer; never a table's title or its 单位 line
        # (printed the same over every table, 上海).
        if items and not items[k].block and not items[k].text.endswith("表") and "单位：" not in items[k].text \
                and "单位:" not in items[k].text:
            items[k].margin = True
    return items


def _text_line(line: dict, tables: list) -> str:
    """A line of text outside the grids. A row of a table that lost its
    ruling (the first row of a page, a column without edges) has figures
    spaced out like cells: it becomes a tab row, each piece in the column of
    the grid above or below whose span holds it (or in order, when that is
    not one column a piece). Anything else is one line of text."""
    chunks = _chunks(line["chars"])
    text = _spaced(line["chars"]) or " ".join(line["text"].split())
    if len(chunks) < 2 or not any(_AMOUNT.match(c) for _, _, c in chunks):
        return text
    near = min(tables, key=lambda t: min(abs(t.bbox[1] - line["bottom"]), abs(t.bbox[3] - line["top"])),
               default=None)
    if near is not None:
        edges = sorted({round(x) for row in near.rows for c in row.cells if c for x in (c[0], c[2])})
        spans = list(zip(edges, edges[1:]))
        where = [next((k for k, (a, b) in enumerate(spans) if a <= (x0 + x1) / 2 <= b), None) for x0, x1, _ in chunks]
        if None not in where and len(set(where)) == len(where):
            out = [""] * len(spans)
            for k, (_, _, c) in zip(where, chunks):
                out[k] = c
            return "\t".join(out)
    return "\t".join(c for _, _, c in chunks)


_WIDE = re.compile(r"[\u2e80-\u9fff\u3000-\u303f\uff00-\uffef]")


def _spaced(chars: list[dict]) -> str:
    """A line's text with a space where the print leaves one: between two
    Chinese characters a gap of 0.4 of a character or more (预算05表 一般…
    leaves 0.53; a justified line spreads its characters by 0.19, and
    pdfplumber's fixed 3 pt made 拟采购货物支出 read 拟 采购 货物 支出), between
    others a quarter of one (2018 年, 268 万元)."""
    out: list[str] = []
    last = None
    for ch in sorted((c for c in chars if not c["text"].isspace()), key=lambda c: c["x0"]):
        if last is not None:
            gap = ch["x0"] - last["x1"]
            wide = _WIDE.match(ch["text"]) and _WIDE.match(last["text"])
            if gap > (0.4 if wide else 0.25) * max(ch["size"], last["size"]):
                out.append(" ")
        out.append(ch["text"])
        last = ch
    return "".join(out)


def _chunks(chars: list[dict]) -> list[tuple[float, float, str]]:
    """A line's characters → pieces (x0, x1, text) split where the gap is
    wider than two characters: the gaps between cells, not between words."""
    out: list[list] = []
    for ch in sorted(chars, key=lambda c: c["x0"]):
        if ch["text"].isspace():
            continue
        if out and ch["x0"] - out[-1][1] <= 2 * ch["size"]:
            out[-1][1] = ch["x1"]
            out[-1][2] += ch["text"]
        else:
            out.append([ch["x0"], ch["x1"], ch["text"]])
    return [(a, b, t) for a, b, t in out]


def _white(color) -> bool:
    values = color if isinstance(color, (list, tuple)) else [color]
    return bool(values) and all(isinstance(v, (int, float)) and v >= 0.99 for v in values)


def _invisible(obj: dict) -> bool:
    """A rectangle or line drawn in white on the white page (or not painted
    at all): Word's exports put a white box behind each line of a cell's
    text (江苏 2017 三公 table), whose edges cut the header's cells apart."""
    if obj["object_type"] not in ("rect", "line", "curve"):
        return False
    fills = obj.get("fill") and not _white(obj.get("non_stroking_color"))
    strokes = obj.get("stroke", True) and not _white(obj.get("stroking_color"))
    return not (fills or strokes)


def _find_tables(page, words: list[dict]) -> list:
    """The page's ruled grids, with double borders snapped to one line, unless
    snapping misplaces a word: leaves it outside every cell (it can merge
    away a column's last edge) or draws an edge through it. Then as drawn.
    Only what shows: white boxes and lines are not rulings."""
    page = page.filter(lambda obj: not _invisible(obj))
    snapped = [Grid(t.bbox, t.rows) for t in page.find_tables(_TABLE_SETTINGS)]
    if not any(_misplaced(t, words) for t in snapped):
        return snapped
    return [Grid(t.bbox, t.rows) for t in page.find_tables()]


@dataclass(frozen=True)
class Grid:
    """A ruled grid as pdfplumber finds it, its rows worked out once
    (pdfplumber's Table.rows computes them again at every call)."""
    bbox: tuple[float, float, float, float]
    rows: list


def _cell_of(t, word: dict) -> tuple[int, int] | None:
    """(row, column) of the grid's cell that holds the word's middle."""
    cx, cy = (word["x0"] + word["x1"]) / 2, (word["top"] + word["bottom"]) / 2
    x0, top, x1, bottom = t.bbox
    if not (x0 <= cx <= x1 and top <= cy <= bottom):
        return None
    # the smallest cell that holds it (a grid can have a cell drawn round others)
    holding = [((b[2] - b[0]) * (b[3] - b[1]), i, k) for i, row in enumerate(t.rows) if row.bbox[1] <= cy <= row.bbox[3]
               for k, b in enumerate(row.cells) if b and b[0] <= cx <= b[2] and b[1] <= cy <= b[3]]
    return min(holding)[1:] if holding else None


_NUMBER_CHAR = set("0123456789,.-")


def _split_at_cells(word: dict, tables: list) -> list[dict]:
    """A word whose figure and text stand in two cells (广州: `0.00` of one
    cell touching the `打印机…` of the next) → the two, one for each."""
    runs: list[list[dict]] = []
    for ch in word["chars"]:
        kind = ch["text"] in _NUMBER_CHAR
        if runs and (runs[-1][0]["text"] in _NUMBER_CHAR) == kind:
            runs[-1].append(ch)
        else:
            runs.append([ch])
    if len(runs) < 2:
        return [word]
    parts = [{"text": "".join(c["text"] for c in run), "x0": run[0]["x0"], "x1": run[-1]["x1"],
              "top": min(c["top"] for c in run), "bottom": max(c["bottom"] for c in run), "chars": run}
             for run in runs]
    cells = {next((c for t in tables if (c := _cell_of(t, p))), None) for p in parts}
    return parts if len(cells) > 1 else [word]


def _misplaced(t, words: list[dict]) -> bool:
    """A word inside the grid's box but in none of its cells, or cut by one
    of its cells' edges."""
    x0, top, x1, bottom = t.bbox
    for w in words:
        cx, cy = (w["x0"] + w["x1"]) / 2, (w["top"] + w["bottom"]) / 2
        if not (x0 <= cx <= x1 and top <= cy <= bottom):
            continue
        where = _cell_of(t, w)
        if where is None:
            return True
        box = t.rows[where[0]].cells[where[1]]
        slack = 0.4 * (w["x1"] - w["x0"]) / max(len(w["text"]), 1)     # part of one character
        if w["x0"] < box[0] - slack or w["x1"] > box[2] + slack:
            return True
    return False


def _words_text(words: list[dict]) -> str:
    """A cell's words as text: lines top to bottom joined without a space
    (wrapped Chinese labels, and amounts whose decimals fell to a line of
    their own), words of a line with a space where the gap is one."""
    lines: list[list[dict]] = []
    for w in sorted(words, key=lambda w: (w["top"], w["x0"])):
        if lines and abs(lines[-1][0]["top"] - w["top"]) <= 3:
            lines[-1].append(w)
        else:
            lines.append([w])
    out = []
    for line in lines:
        line.sort(key=lambda w: w["x0"])
        text = line[0]["text"]
        for a, b in zip(line, line[1:]):
            # letter-spacing (泉州's `5 898.74`) is no space; a gap a character wide is one
            size = b["bottom"] - b["top"]
            text += ("" if b["x0"] - a["x1"] < 0.5 * size else " ") + b["text"]
        out.append(text)
    return "".join(out)


def _grid_items(t, placed: dict[tuple[int, int], list[dict]],
                extra: dict[int, list[tuple[float, float, str]]]) -> list[Item]:
    """One ruled grid → items. A row whose one cell spans the grid is text (a
    title printed inside the ruled area); the rows between such titles are a
    block, one table, and a grid position where none of its rows has a cell
    of its own (pdfplumber's None: covered by a merged cell) is not one of
    its columns. So a table that shares its grid with the next one (江苏: the
    last row of one table and the whole of the next, ruled as one grid) keeps
    its own columns. `extra`: text printed level with row i, right of the
    grid, as more cells of that row."""
    x0, _, x1, _ = t.bbox
    width = max(x1 - x0, 1.0)
    n = len(t.rows[0].cells) if t.rows else 0
    items: list[Item] = []
    pending: list[tuple[float, list, list[tuple[float, float, str]]]] = []   # (top, boxes+texts, extras)

    def flush() -> None:
        if not pending:
            return
        columns = _logical_columns(pending)
        # text beside the grid: one more column per run of overlapping spans
        more: list[list[float]] = []
        for a, b in sorted((a, b) for _, _, ex in pending for a, b, _ in ex):
            if more and a <= more[-1][1]:
                more[-1][1] = max(more[-1][1], b)
            else:
                more.append([a, b])
        block = Block([(a, b) for a, b, _ in columns] + [(a, b) for a, b in more])
        for _, cells, ex in pending:
            row = [""] * (len(columns) + len(more))
            for k, (_, _, positions) in enumerate(columns):
                row[k] = "".join(_cell_text(cells[p][1]) for p in positions)
            for a, b, text in ex:
                k = next(k for k, (c, d) in enumerate(more) if c <= a <= d)
                row[len(columns) + k] = (row[len(columns) + k] + " " + text).strip()
            block.rows.append(row)
        items.append(Item(pending[0][0], x0, block=block))
        pending.clear()

    def _logical_columns(rows) -> list[tuple[float, float, list[int]]]:
        """The block's columns: grid positions whose cells begin within
        _SAME_COLUMN pt of each other are one column (a double border drawn as
        two lines makes a thin position beside each real one, and a header's
        cell and the data under it then begin 5 pt apart). A position none of
        the block's rows has a cell of its own at (pdfplumber's None: covered
        by a merged cell) is no column."""
        starts = sorted({(cells[p][0][0], p) for _, cells, _ in rows for p in range(n) if cells[p][0] is not None})
        groups: list[list[tuple[float, int]]] = []
        for x, p in starts:
            if groups and x - groups[-1][-1][0] <= _SAME_COLUMN:
                groups[-1].append((x, p))
            else:
                groups.append([(x, p)])
        positions = [sorted({p for _, p in g}) for g in groups]
        # a row with text in two positions of one column: the grid is not a
        # double border there; keep every position its own column
        if any(sum(1 for p in ps if cells[p][1] and cells[p][1].strip()) > 1 for _, cells, _ in rows for ps in positions):
            positions = [[p] for p in sorted({p for ps in positions for p in ps})]
            firsts = [min(x for x, p in starts if p == ps[0]) for ps in positions]
        else:
            firsts = [g[0][0] for g in groups]
        return [(a, b, ps) for a, b, ps in zip(firsts, [*firsts[1:], x1], positions)]

    grid = [[_words_text(placed[(i, k)]) if (i, k) in placed else (None if b is None else "")
             for k, b in enumerate(row.cells)] for i, row in enumerate(t.rows)]
    _fill_down(t, grid)
    for i, row in enumerate(t.rows):
        texts = grid[i]
        filled = [(k, c) for k, c in enumerate(texts) if c and c.strip()]
        if not filled and i not in extra:
            continue
        if len(filled) == 1 and i not in extra:
            box = row.cells[filled[0][0]]
            if box and (box[2] - box[0]) >= _SPANNING * width:
                flush()
                items.append(Item(row.bbox[1], x0, text=_cell_text(filled[0][1])))   # a title or note in the grid
                continue
        pending.append((row.bbox[1], list(zip(row.cells, texts)), extra.get(i, [])))
    flush()
    return items


def _fill_down(t, grid: list[list[str | None]]) -> None:
    """A label in a cell merged over several rows stands in each of them: in
    a header it heads the columns under it on every line (上海 决算: 公务接待费
    over 预算数 | 决算数, beside 公务用车运行费 one line lower, which would
    otherwise be read as heading them too), and a label beside figures
    labels each row it spans. Figures are never copied."""
    for i, row in enumerate(t.rows):
        for k, box in enumerate(row.cells):
            text = grid[i][k]
            if not box or not text or _AMOUNT.match(text):
                continue
            for j in range(i + 1, len(t.rows)):
                below = t.rows[j].bbox
                if below[3] > box[3] + 1:
                    break
                if grid[j][k] is None:
                    grid[j][k] = text


def _continue_columns(pages: list[list[Item]]) -> None:
    """A table carried over to the next page keeps its columns: when a page
    starts with a block ruled into other, no more, columns than the block the
    page before ended with (江苏 人大 2017: the 收入 side's columns are not
    ruled on the page where it has no rows), and each of its columns begins
    where one of those begins or lies within one, its cells are put in those
    columns."""
    def is_row(it: Item) -> bool:
        return it.block is not None or "\t" in it.text

    before: Block | None = None
    for page in pages:       # (running headers and footers are gone by now)
        # the page's first block, if only rows read from text come before it
        first = next((it.block for it in page if it.block or not is_row(it)), None)
        if before and first and len(first.columns) <= len(before.columns) and first.columns != before.columns:
            # each column where one of the block before begins, or (text set
            # beside a grid that lost its ruling, 江苏 法院 2017 p. 17) inside one
            starts = [a for a, _ in before.columns]
            where = [next((k for k, a in enumerate(starts) if abs(a - x0) <= 3),
                          next((k for k, (a, b) in enumerate(before.columns) if a < x0 and x1 <= b + 3), None))
                     for x0, x1 in first.columns]
            if None not in where and where == sorted(set(where)):
                rows = []
                for row in first.rows:
                    out = [""] * len(before.columns)
                    for k, text in zip(where, row):
                        out[k] = text
                    rows.append(out)
                first.rows, first.columns = rows, list(before.columns)
        before = next((it.block for it in reversed(page) if it.block or not is_row(it)), None)


def _drop_running_lines(pages: list[list[Item]]) -> None:
    """Remove page numbers and headers/footers repeated on many pages."""
    def shape(text: str) -> str:
        return re.sub(r"\d+", "#", text)

    seen = Counter(shape(it.text) for page in pages for it in page if it.margin)
    repeated = {s for s, n in seen.items() if n >= 3 and n >= 0.3 * len(pages)}
    for page in pages:
        page[:] = [it for it in page if not (it.margin and (_PAGE_NUMBER.match(it.text) or shape(it.text) in repeated))]
