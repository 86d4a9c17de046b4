"""A small, fast, deterministic XLSX writer for plain tables.

Why it exists: xlsxwriter spends its time in per-cell method calls. Writing
table_cells at 1,000-document scale (372,627 rows × 13 columns) took 78 s
with it (pyexcelerate 0.13: 46 s), and a per-document workbook (~1,100 rows)
took 150 ms, so 1,000 of them ~150 s. This module builds each row with
str.join from per-column lists of cell XML, keeps text in one shared-strings
table (each distinct string escaped once), writes the minimal OOXML parts
with zipfile (deflate level 1): the same table_cells takes ~4.5 s, a
per-document workbook ~15 ms. Cells keep their r="A1" reference, which the
OOXML schema makes optional but many readers need.

What a sheet gets: a bold, frozen header row; strings (XML-escaped, characters
illegal in XML 1.0 removed, cut at Excel's 32,767 characters), numbers,
booleans; dates as ISO strings; None as an empty cell; optionally the
"#,##0.00" format on chosen columns. Same input → same bytes (fixed zip
timestamps, no clock anywhere).
"""
from __future__ import annotations

import datetime as dt
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import IO

MAX_ROWS = 1_048_576          # Excel's rows per sheet, header included
MAX_CHARS = 32_767            # Excel's characters per cell
NONE = type(None)
_ZIP_TIME = (2000, 1, 1, 0, 0, 0)
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")   # not allowed in XML 1.0
_SPECIAL = re.compile("[&<>\"\r\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml"
_FONT = '<sz val="11"/><name val="Calibri"/>'
_XF = 'fillId="0" borderId="0" xfId="0"'
_STYLES = (  # cell styles (xf) 0: default; 1: bold (header); 2: #,##0.00 (amounts)
    f'<styleSheet xmlns="{_MAIN}"><numFmts count="1"><numFmt numFmtId="164" formatCode="#,##0.00"/></numFmts>'
    f'<fonts count="2"><font>{_FONT}</font><font><b/>{_FONT}</font></fonts><fills count="2">'
    '<fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    f'<cellXfs count="3"><xf numFmtId="0" fontId="0" {_XF}/><xf numFmtId="0" fontId="1" {_XF} applyFont="1"/>'
    f'<xf numFmtId="164" fontId="0" {_XF} applyNumberFormat="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>')


@dataclass
class Sheet:
    """One worksheet: a header row, then the columns (equal-length sequences)."""
    name: str
    header: list[str]
    columns: list[Sequence]
    amount_columns: set[int] = field(default_factory=set)   # indexes given "#,##0.00"


def _esc(s: str) -> str:
    s = s[:MAX_CHARS]
    if not _SPECIAL.search(s):
        return s
    s = _ILLEGAL.sub("", s)
    s = s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return s.replace('"', "&quot;").replace("\r", "&#13;")


def _letters(j: int) -> str:
    s = ""
    j += 1
    while j:
        j, r = divmod(j - 1, 26)
        s = chr(65 + r) + s
    return s


def _plain(v):
    """A value as str, int, float, bool or None (dates → ISO text)."""
    if v is None or isinstance(v, (str, bool, int, float)):
        return v
    if isinstance(v, (dt.date, dt.datetime)):
        return v.isoformat()
    if hasattr(v, "item"):          # numpy scalars
        return _plain(v.item())
    return str(v)


def _cells(col: Sequence, letter: str, first_row: int, style: str, sst: dict) -> list[str]:
    """The <c> elements of one column slice ('' for an empty cell)."""
    types = set(map(type, col))
    if not types <= {str, int, float, bool, NONE}:
        col = [_plain(v) for v in col]
        types = set(map(type, col))
    rows = range(first_row, first_row + len(col))
    if types <= {str, NONE}:       # the fast path for text: each distinct string looked up once
        tail = {v: f' t="s"><v>{sst.setdefault(v, len(sst))}</v></c>' for v in dict.fromkeys(col) if v}
        tail[None] = tail[""] = ""
        return [t and f'<c r="{letter}{i}"{t}' for i, t in zip(rows, map(tail.__getitem__, col))]
    if types <= {int, float, NONE} and all(v is None or v - v == 0 for v in col):   # finite numbers
        return ["" if v is None else f'<c r="{letter}{i}"{style}><v>{v!r}</v></c>' for i, v in zip(rows, col)]
    return [_cell(v, f"{letter}{i}", style, sst) for i, v in zip(rows, col)]


def _cell(v, ref: str, style: str, sst: dict) -> str:
    if v is None or v == "":
        return ""
    if v is True or v is False:
        return f'<c r="{ref}" t="b"><v>{int(v)}</v></c>'
    if isinstance(v, (int, float)) and v - v == 0:       # finite number; NaN and ±inf become text
        return f'<c r="{ref}"{style}><v>{v!r}</v></c>'
    return f'<c r="{ref}" t="s"><v>{sst.setdefault(str(v), len(sst))}</v></c>'


def _sheet_xml(sheet: Sheet, sst: dict, chunk: int = 20_000):
    """Yield the worksheet XML in pieces of `chunk` rows."""
    n = len(sheet.columns[0]) if sheet.columns else 0
    if n + 1 > MAX_ROWS:
        raise ValueError(f"sheet {sheet.name!r} has {n} rows; split it first")
    letters = [_letters(j) for j in range(len(sheet.header))]
    head = "".join(f'<c r="{c}1" s="1" t="s"><v>{sst.setdefault(str(t), len(sst))}</v></c>'
                   for c, t in zip(letters, sheet.header))
    yield (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{_MAIN}">'
           f'<dimension ref="A1:{letters[-1] if letters else "A"}{n + 1}"/>'
           '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft"'
           ' state="frozen"/></sheetView></sheetViews><sheetFormatPr defaultRowHeight="15"/>'
           f'<sheetData><row r="1">{head}</row>')
    for a in range(0, n, chunk):
        cols = [_cells(col[a:a + chunk], letters[j], a + 2, ' s="2"' if j in sheet.amount_columns else "", sst)
                for j, col in enumerate(sheet.columns)]
        yield "".join([f'<row r="{i}">{"".join(cells)}</row>' for i, cells in enumerate(zip(*cols), a + 2)])
    yield "</sheetData></worksheet>"


def write(target: str | IO[bytes], sheets: list[Sheet], title: str = "") -> None:
    """Write `sheets` as one workbook to a path or a binary file object."""
    def info(name: str) -> zipfile.ZipInfo:
        zi = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
        zi.compress_type = zipfile.ZIP_DEFLATED
        zi._compresslevel = 1   # 4x faster than the default 6, ~25% larger (ZipInfo.compress_level from 3.13)
        zi.external_attr = 0o644 << 16
        return zi

    xml = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    sheets = sheets or [Sheet("Sheet1", [], [])]    # a workbook needs a sheet
    n = len(sheets)
    sst: dict[str, int] = {}
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(info("[Content_Types].xml"), (
            f'{xml}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{_CT}.sheet.main+xml"/>'
            + "".join(f'<Override PartName="/xl/worksheets/sheet{k}.xml" ContentType="{_CT}.worksheet+xml"/>'
                      for k in range(1, n + 1))
            + f'<Override PartName="/xl/styles.xml" ContentType="{_CT}.styles+xml"/>'
            f'<Override PartName="/xl/sharedStrings.xml" ContentType="{_CT}.sharedStrings+xml"/>'
            '<Override PartName="/docProps/core.xml"'
            ' ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
            '</Types>'))
        z.writestr(info("_rels/.rels"), (
            f'{xml}<Relationships xmlns="{_PKG_REL}">'
            f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/>'
            '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/'
            'core-properties" Target="docProps/core.xml"/></Relationships>'))
        z.writestr(info("docProps/core.xml"), (
            f'{xml}<cp:coreProperties'
            ' xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties"'
            ' xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/"'
            ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
            f'<dc:title>{_esc(title)}</dc:title><dc:creator>yusuan</dc:creator>'
            '<dcterms:created xsi:type="dcterms:W3CDTF">2000-01-01T00:00:00Z</dcterms:created>'
            '</cp:coreProperties>'))
        z.writestr(info("xl/workbook.xml"), (
            f'{xml}<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><sheets>'
            + "".join(f'<sheet name="{_esc(s.name)}" sheetId="{k}" r:id="rId{k}"/>'
                      for k, s in enumerate(sheets, 1))
            + "</sheets></workbook>"))
        z.writestr(info("xl/_rels/workbook.xml.rels"), (
            f'{xml}<Relationships xmlns="{_PKG_REL}">'
            + "".join(f'<Relationship Id="rId{k}" Type="{_REL}/worksheet" Target="worksheets/sheet{k}.xml"/>'
                      for k in range(1, n + 1))
            + f'<Relationship Id="rId{n + 1}" Type="{_REL}/styles" Target="styles.xml"/>'
            f'<Relationship Id="rId{n + 2}" Type="{_REL}/sharedStrings" Target="sharedStrings.xml"/>'
            '</Relationships>'))
        z.writestr(info("xl/styles.xml"), xml + _STYLES)
        for k, sheet in enumerate(sheets, 1):
            # Every cell is under ~70 bytes, so this bound says when the part needs ZIP64.
            bound = 1000 + (len(sheet.columns[0]) + 1 if sheet.columns else 1) * (70 * len(sheet.header) + 30)
            with z.open(info(f"xl/worksheets/sheet{k}.xml"), "w", force_zip64=bound > zipfile.ZIP64_LIMIT) as f:
                for piece in _sheet_xml(sheet, sst):
                    f.write(piece.encode("utf-8"))
        items = "".join([f'<si><t xml:space="preserve">{_esc(s)}</t></si>' for s in sst])
        z.writestr(info("xl/sharedStrings.xml"), (
            f'{xml}<sst xmlns="{_MAIN}" uniqueCount="{len(sst)}">{items}</sst>').encode())
