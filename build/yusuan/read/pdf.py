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
dropped: they are not part of any table.
"""
from __future__ import annotations

import io
import re
from collections import Counter

from .text import ReadError

PAGE_MARKER = "=== 第 {} 页 ==="
# Marker lines: a PDF page, or the file a document's next lines come from
# (a disclosure published as two files is read as one text).
FILE_MARKER = "=== 文件 {} ==="
MARKER = re.compile(r"^=== (?:第 (\d+) 页|文件 .+) ===$")

# A page number printed alone: "3", "- 3 -", "—3—", "第3页", "第 3 页 共 40 页".
_PAGE_NUMBER = re.compile(r"^[-—–－\s]*(?:第\s*)?\d{1,4}(?:\s*页)?(?:\s*[/，,]?\s*共\s*\d+\s*页)?[-—–－\s]*$")
# A row whose only cell is at least this share of the grid's width is text, not data.
_SPANNING = 0.8


def pdf_lines(data: bytes) -> list[str]:
    import pdfplumber
    from pdfminer.pdfparser import PDFSyntaxError

    try:
        pdf = pdfplumber.open(io.BytesIO(data))
    except (PDFSyntaxError, ValueError, TypeError) as e:
        raise ReadError(f"无法打开的 PDF 文件（{type(e).__name__}）") from e
    with pdf:
        try:
            pages = [_page_lines(page) for page in pdf.pages]
        except Exception as e:   # pdfminer raises many kinds on a damaged file
            raise ReadError(f"PDF 文件已损坏，无法读出（{type(e).__name__}: {e}）") from e
    if not any(text for page in pages for text, _ in page):
        raise ReadError("PDF 中没有文字层（可能是扫描件，需先做文字识别）")
    _drop_running_lines(pages)
    lines: list[str] = []
    for n, page in enumerate(pages, start=1):
        lines.append(PAGE_MARKER.format(n))
        lines += [text for text, _ in page]
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


def _page_lines(page) -> list[tuple[str, bool]]:
    """The page's lines top to bottom: (text, is_margin_candidate)."""
    _baseline_boxes(page)
    tables = page.find_tables()
    items: list[tuple[float, float, list[str]]] = []    # (top, x0, lines)
    boxes = [t.bbox for t in tables]
    for t in tables:
        x0, top, x1, _ = t.bbox
        width = max(x1 - x0, 1.0)
        out: list[str] = []
        for row, cells in zip(t.rows, t.extract()):
            texts = [_cell_text(c) for c in cells]
            filled = [(i, c) for i, c in enumerate(texts) if c]
            if not filled:
                continue
            if len(filled) == 1:
                box = row.cells[filled[0][0]]
                if box and (box[2] - box[0]) >= _SPANNING * width:
                    out.append(filled[0][1])     # a title or note inside the grid
                    continue
            out.append("\t".join(texts))
        items.append((top, x0, out))

    def outside(obj) -> bool:
        cx, cy = (obj["x0"] + obj["x1"]) / 2, (obj["top"] + obj["bottom"]) / 2
        return not any(b[0] <= cx <= b[2] and b[1] <= cy <= b[3] for b in boxes)

    free = page.filter(outside) if boxes else page
    for line in free.extract_text_lines(keep_blank_chars=False):
        text = " ".join(line["text"].split())
        if text:
            items.append((line["top"], line["x0"], [text]))
    items.sort(key=lambda it: (round(it[0]), it[1]))
    lines: list[tuple[str, bool]] = []
    for k, (_, _, out) in enumerate(items):
        # Only lines outside the grids, first or last on the page, can be running headers.
        margin = len(out) == 1 and (k < 2 or k >= len(items) - 2) and "\t" not in out[0]
        lines += [(text, margin) for text in out]
    return lines


def _drop_running_lines(pages: list[list[tuple[str, bool]]]) -> None:
    """Remove page numbers and headers/footers repeated on many pages."""
    def shape(text: str) -> str:
        return re.sub(r"\d+", "#", text)

    seen = Counter(shape(t) for page in pages for t, margin in page if margin)
    repeated = {s for s, n in seen.items() if n >= 3 and n >= 0.3 * len(pages)}
    for page in pages:
        page[:] = [(t, m) for t, m in page
                   if not (m and (_PAGE_NUMBER.match(t) or shape(t) in repeated))]
