"""Property-based tests of the parse path (issue 10): random but realistic
edits of real documents, and what must hold whatever the edit.

Seeds: the three 新疆 text samples (content/disclosures/) and the text the
PDF reader writes for two real PDFs of tests/real/ (上海普陀: every table in
元; 广州: another template, with 其中 columns and a second table of a kind),
read once per session (~2 s) and parsed as .txt files. The parse is the real
one: `yusuan.pipeline.parse_file` on the edited bytes written to a file (so
decoding, reading, parsing, checks and the dataset rows), or `collect` on a
folder.

The edits are those a disclosure meets on its way to us (a converter, a
hand-edited text, a cut-off download): lines deleted, duplicated, swapped,
the file truncated, garbage / other scripts / very long lines inserted, a
cell replaced by a word, a zero placeholder (-, —, 空) or nothing, a table
row's tabs turned into spaces, page markers; and at the byte level: another
encoding, CRLF, a BOM, a cut in the middle of a character, random bytes.

Settings: the examples are derandomized and no example database is kept, so
every run (CI's, yours) tests the same examples and a failure reproduces
with the same command — no run passes by luck after another failed, and the
suite's time is fixed (the file takes ~40 s). To explore, run with
YUSUAN_HYPOTHESIS_EXAMPLES=2000: fresh random examples each run, failures
kept in .hypothesis/ (git-ignored) and replayed first on the next run; that
is how the bugs this file's regression tests name were found.
"""
from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import struct
import subprocess
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, note, settings, strategies as st

import yusuan
from conftest import SAMPLES
from yusuan.document import NotADisclosure
from yusuan.layout import is_cell_per_line, to_rows
from yusuan.pipeline import Parsed, collect, parse_file
from yusuan.read import ReadError, read_source
from yusuan.tables import AMOUNT, find_part, split_tables
from yusuan.terms import FUNCTION_TABLES, ZERO_PLACEHOLDERS, is_count

REAL = Path(__file__).parent / "real"
PDF_SEEDS = ["shanghai-putuo/上海市普陀区人民政府办公室25年预算.pdf", "guangzhou/2026年广州市人民政府办公厅部门预算.pdf"]

_EXPLORE = int(os.environ.get("YUSUAN_HYPOTHESIS_EXAMPLES", "0"))


def examples(n: int) -> settings:
    """A property's settings: n examples, the same every run (see above)."""
    if _EXPLORE:
        return settings(max_examples=_EXPLORE, deadline=None, suppress_health_check=list(HealthCheck))
    return settings(max_examples=n, derandomize=True, database=None, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.filter_too_much])


# ------------------------------------------------------------------ parsing

@dataclass
class Out:
    """One parse: its datasets as Python rows."""
    parsed: Parsed
    cells: list[dict]
    checks: list[dict]
    problems: list[dict]

    @classmethod
    def of(cls, parsed: Parsed) -> "Out":
        return cls(parsed, parsed.tables["table_cells"].to_pylist(), parsed.tables["checks"].to_pylist(),
                   parsed.problems)

    def fails(self) -> list[dict]:
        return [c for c in self.checks if c["status"] == "fail"]

    def names_line(self, line: int) -> bool:
        """A problem gives this line: as its line, or in its message (第 12 行, 第 10–14 行)."""
        return any(p["line"] == line or f"第 {line} 行" in p["message"]
                   or any(int(a) <= line <= int(b) for a, b in re.findall(r"第 (\d+)–(\d+) 行", p["message"]))
                   for p in self.problems)


@functools.cache
def _scratch() -> Path:
    # kept for the session: a TemporaryDirectory removes itself at exit
    _scratch.keep = tempfile.TemporaryDirectory(prefix="yusuan-properties-")
    return Path(_scratch.keep.name)


def parse_bytes(data: bytes, name: str = "edited.txt") -> Out:
    """parse_file on these bytes, as a file under a content folder.
    Raises what parse_file raises."""
    path = _scratch() / "disclosures" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return Out.of(parse_file(path, _scratch()))


def text_of(lines: list[str]) -> bytes:
    return "\n".join(lines).encode("utf-8")


# -------------------------------------------------------------------- seeds

@dataclass(frozen=True)
class Seed:
    name: str
    lines: tuple[str, ...]
    cell_per_line: bool             # the layout where a cell is a line and a blank line ends a row
    table_rows: frozenset[int]      # lines of table rows: the cells of tabular rows of a table's segment
    figure_lines: frozenset[int]    # lines holding an amount cell
    part3: int                      # line of part 3's heading in the body (after every table)
    tables_span: tuple[int, int]    # the first table's title line, the last table row
    row_line: dict[int, int]        # a cell's line → its row's (the line checks give)
    out: Out = field(repr=False)

    def __repr__(self) -> str:
        return f"seed({self.name!r})"

    def _repr_pretty_(self, p, cycle) -> None:   # Hypothesis's printer: not the whole document
        p.text(repr(self))


SEED_NAMES = [p.name for p in SAMPLES] + [rel for rel in PDF_SEEDS if (REAL / rel).exists()]
TEXT_SEEDS = [p.name for p in SAMPLES]


@functools.cache
def seed(name: str) -> Seed:
    if name in TEXT_SEEDS:
        path = next(p for p in SAMPLES if p.name == name)
        lines = read_source(path, path.parent).lines
    else:
        lines = read_source(REAL / name, REAL).lines
    rows = to_rows(lines)
    segments, _ = split_tables(rows)
    table_rows = frozenset(n for s in segments for r in s.rows if r.tabular for n in r.cell_lines)
    part3 = find_part(rows, "三")
    out = parse_bytes(text_of(lines), "seed.txt")
    assert out.cells, name
    return Seed(name, tuple(lines), is_cell_per_line(lines), table_rows, frozenset(c["source_line"] for c in out.cells),
                rows[part3].line if part3 is not None else len(lines) + 1,
                (min(s.line for s in segments), max(table_rows)),
                {n: r.line for r in rows for n in r.cell_lines}, out)


# -------------------------------------------------------------------- edits

Line = tuple[str, "int | None"]    # (text, the seed line it comes from; None when inserted)


@dataclass
class Edited:
    seed: Seed
    doc: list[Line]
    log: list[str]
    encoding: str = "utf-8"
    cut: int | None = None          # bytes kept, when the file is cut
    junk: tuple[int, bytes] | None = None

    def __repr__(self) -> str:       # what Hypothesis prints for a failing example
        return f"Edited({self.seed.name!r}, {self.log}, encoding={self.encoding!r}, cut={self.cut}, junk={self.junk})"

    def _repr_pretty_(self, p, cycle) -> None:
        p.text(repr(self))

    @property
    def lines(self) -> list[str]:
        return [t for t, _ in self.doc]

    def origin(self, line: int) -> int | None:
        """The seed line that edited line `line` (1-based) comes from."""
        return self.doc[line - 1][1] if 0 < line <= len(self.doc) else None

    def data(self) -> bytes:
        text = "\n".join(self.lines)
        if self.encoding == "crlf":
            data = text.replace("\n", "\r\n").encode("utf-8")
        elif self.encoding == "bom":
            data = b"\xef\xbb\xbf" + text.encode("utf-8")
        else:
            data = text.encode(self.encoding)
        if self.cut is not None:
            data = data[:self.cut]
        if self.junk:
            at, junk = self.junk
            data = data[:at] + junk + data[at:]
        return data


# Cells and lines an edit puts in.
WORDS = ["合计", "总计", "小计", "其中：", "项目", "科目名称", "预算数", "单位：万元", "单位：元", "编制部门：某某局",
         "一般公共服务支出", "201", "20101", "2010301", "表 3", "部门收支总体情况表", "一般公共预算支出情况表",
         "空", "无", "0", "0.00", "注：本表为空表", "第三部分 2026 年部门预算情况说明", "三、关于支出预算情况说明",
         "人员经费", "公用经费", "类", "款", "项", "※", "栏次", "1", "2", "3"]
PLACEHOLDERS = sorted(ZERO_PLACEHOLDERS) + ["空", "", " ", "0", "0.00", "无"]


@st.composite
def amounts(draw) -> str:
    """A printed amount: 1,234.56 / 1234.56 / 12 / -3.50 / −0.5."""
    value = Decimal(draw(st.integers(-10**9, 10**11))) / 100
    text = f"{value:,.2f}" if draw(st.booleans()) else f"{value:.2f}"
    if draw(st.integers(0, 9)) == 0:
        text = text.split(".")[0]
    return text.replace("-", "−") if draw(st.integers(0, 9)) == 0 else text


def _one_line(text: str) -> str:
    return text.replace("\r", " ").replace("\n", " ")


CELLS = st.one_of(st.sampled_from(WORDS), st.sampled_from(PLACEHOLDERS), amounts(),
                  st.text(max_size=12).map(_one_line).map(lambda s: s.replace("\t", " ")))
GARBAGE = st.one_of(
    st.text(max_size=80).map(_one_line),                                      # any script, control characters
    st.text(alphabet=st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF), max_size=40),
    st.lists(CELLS, min_size=1, max_size=16).map("\t".join),                   # a row of cells
    st.sampled_from(WORDS),
    st.builds(lambda piece, n: piece * n, st.sampled_from(["一", "x", "\t", "1.00\t", "合计 ", "9"]),
              st.integers(100, 20000)),                                       # a very long line
    st.integers(1, 999).map("=== 第 {} 页 ===".format),
    st.just("=== 文件 other.pdf ==="),
)
NEW_CELLS = st.one_of(st.sampled_from(WORDS), st.sampled_from(PLACEHOLDERS), amounts(),
                      st.text(max_size=10).map(_one_line).map(lambda s: s.replace("\t", " ")))


def _position(draw, e: Edited, end: bool = False) -> int:
    """An index into the document, half the time at a table row."""
    n = len(e.doc) + (1 if end else 0)
    at_table = [i for i, (_, o) in enumerate(e.doc) if o in e.seed.table_rows]
    if at_table and draw(st.booleans()):
        return draw(st.sampled_from(at_table))
    return draw(st.integers(0, max(n - 1, 0)))


def _delete(draw, e: Edited) -> None:
    if e.doc:
        i = _position(draw, e)
        e.log.append(f"delete line {i + 1}")
        del e.doc[i]


def _duplicate(draw, e: Edited) -> None:
    if e.doc:
        i = _position(draw, e)
        e.log.append(f"duplicate line {i + 1}")
        e.doc.insert(i, e.doc[i])


def _swap(draw, e: Edited) -> None:
    if len(e.doc) > 1:
        i = min(_position(draw, e), len(e.doc) - 2)
        j = i + 1 if draw(st.booleans()) else draw(st.integers(0, len(e.doc) - 1))
        e.log.append(f"swap lines {i + 1} and {j + 1}")
        e.doc[i], e.doc[j] = e.doc[j], e.doc[i]


def _truncate(draw, e: Edited) -> None:
    i = _position(draw, e, end=True)
    e.log.append(f"truncate after line {i}")
    del e.doc[i:]


def _insert(draw, e: Edited) -> None:
    i = _position(draw, e, end=True)
    text = draw(GARBAGE)
    e.log.append(f"insert at line {i + 1}: {text[:60]!r}" + (f"… ({len(text)} characters)" if len(text) > 60 else ""))
    e.doc.insert(i, (text, None))


def _replace_cell(draw, e: Edited) -> None:
    tabular = [i for i, (t, _) in enumerate(e.doc) if "\t" in t]
    if not tabular:
        return
    i = draw(st.sampled_from(tabular))
    text, origin = e.doc[i]
    cells = text.split("\t")
    k = draw(st.integers(0, len(cells) - 1))
    new = draw(NEW_CELLS)
    e.log.append(f"line {i + 1}: cell {k + 1} {cells[k]!r} -> {new!r}")
    cells[k] = new
    e.doc[i] = ("\t".join(cells), origin)


def _tabs_to_spaces(draw, e: Edited) -> None:
    tabular = [i for i, (t, _) in enumerate(e.doc) if "\t" in t]
    if tabular:
        i = draw(st.sampled_from(tabular))
        space = draw(st.sampled_from([" ", "  ", "\u3000", "    "]))
        e.log.append(f"line {i + 1}: tabs -> {space!r}")
        e.doc[i] = (e.doc[i][0].replace("\t", space), e.doc[i][1])


def _page_marker(draw, e: Edited) -> None:
    i = _position(draw, e, end=True)
    marker = f"=== 第 {draw(st.integers(1, 300))} 页 ==="
    e.log.append(f"insert at line {i + 1}: {marker}")
    e.doc.insert(i, (marker, None))


def _blank(draw, e: Edited) -> None:
    i = _position(draw, e, end=True)
    blank = draw(st.sampled_from(["", " ", "\u3000", "  \t  "]))
    e.log.append(f"insert at line {i + 1}: {blank!r}")
    e.doc.insert(i, (blank, None))


# Edits that leave every table as printed: blank lines and page markers
# between rows, trailing spaces, prose without figures put into part 3 (and,
# in `layout_edited`, the bytes: encoding, line ends, BOM).
def _trailing_space(draw, e: Edited) -> None:
    if not e.doc:
        return
    i = draw(st.integers(0, len(e.doc) - 1))
    space = draw(st.sampled_from([" ", "   ", "\u3000"]))
    e.log.append(f"line {i + 1}: trailing {space!r}")
    e.doc[i] = (e.doc[i][0] + space, e.doc[i][1])


PROSE = st.text(alphabet=st.sampled_from("本部门单位预算按规定编制公开说明如下无其他事项，。、（）"), min_size=1, max_size=50)


def _prose_in_part3(draw, e: Edited) -> None:
    """A sentence without figures between two prose lines of part 3."""
    at = [i for i in range(1, len(e.doc)) if (e.doc[i - 1][1] or 0) > e.seed.part3 and (e.doc[i][1] or 0) > e.seed.part3
          and "\t" not in e.doc[i - 1][0] and "\t" not in e.doc[i][0]]
    if at:
        i = draw(st.sampled_from(at))
        text = draw(PROSE)
        e.log.append(f"insert at line {i + 1}: {text!r}")
        e.doc.insert(i, (text, None))


def _between_rows(draw, e: Edited) -> int:
    """A place to put a line that splits no row: in the cell-per-line layout,
    not between two cells of one row."""
    def cell(i: int) -> bool:
        return e.doc[i][0].startswith("\t") and e.doc[i][0].count("\t") == 1
    at = [i for i in range(len(e.doc) + 1)
          if not (e.seed.cell_per_line and 0 < i < len(e.doc) and cell(i - 1) and cell(i))]
    return draw(st.sampled_from(at))


def _blank_between_rows(draw, e: Edited) -> None:
    i = _between_rows(draw, e)
    e.log.append(f"insert at line {i + 1}: ''")
    e.doc.insert(i, ("", None))


def _page_marker_between_rows(draw, e: Edited) -> None:
    i = _between_rows(draw, e)
    marker = f"=== 第 {draw(st.integers(1, 300))} 页 ==="
    e.log.append(f"insert at line {i + 1}: {marker}")
    e.doc.insert(i, (marker, None))


LINE_EDITS = {"delete": _delete, "duplicate": _duplicate, "swap": _swap, "truncate": _truncate,
              "insert": _insert, "replace_cell": _replace_cell, "tabs_to_spaces": _tabs_to_spaces,
              "page_marker": _page_marker, "blank": _blank, "trailing_space": _trailing_space,
              "prose_in_part3": _prose_in_part3, "blank_between_rows": _blank_between_rows,
              "page_marker_between_rows": _page_marker_between_rows}
# Edits that leave every table as printed.
LAYOUT_EDITS = ("blank_between_rows", "page_marker_between_rows", "trailing_space", "prose_in_part3")




@st.composite
def edited(draw, kinds=tuple(LINE_EDITS), seeds=tuple(SEED_NAMES), max_edits: int = 4,
           bytes_level: bool = False) -> Edited:
    e = Edited(seed(draw(st.sampled_from(seeds))), [], [])
    e.doc = [(t, n) for n, t in enumerate(e.seed.lines, start=1)]
    for _ in range(draw(st.integers(1, max_edits))):
        LINE_EDITS[draw(st.sampled_from(kinds))](draw, e)
    if bytes_level:
        e.encoding = draw(st.sampled_from(["utf-8", "utf-8", "gb18030", "crlf", "bom", "utf-16"]))
        size = len(e.data())
        if draw(st.integers(0, 3)) == 0:
            e.cut = draw(st.integers(0, size))
        if draw(st.integers(0, 5)) == 0:
            e.junk = (draw(st.integers(0, size)), draw(st.binary(min_size=1, max_size=64)))
    note(repr(e))
    return e


def amounts_printed(text: str) -> list[str]:
    """The decimal amounts a line prints: whole cells of a tabular line (as
    the table reader sees them), words of a line without tabs."""
    parts = text.split("\t") if "\t" in text else text.split()
    return [p for p in (c.strip() for c in parts) if ("." in p or "," in p) and AMOUNT.match(p)]


# --------------------------------------------------------------- properties

EXPECTED_ERRORS = (ReadError, NotADisclosure)


@examples(80)
@given(edited(bytes_level=True))
def test_any_edit_parses_or_raises_a_documented_error(e):
    """1. Never crashes: the parse succeeds or says why the file is not read."""
    try:
        out = parse_bytes(e.data())
    except EXPECTED_ERRORS as err:
        assert str(err)
        return
    assert all(p["source_file"] == "disclosures/edited.txt" for p in out.problems)


def _in_a_table(e: Edited, i: int) -> bool:
    """Edited line i (0-based) is a table row: a seed's table row still
    among the tables, or a tabular line put in between two rows of them."""
    text, origin = e.doc[i]
    before = next((o for _, o in reversed(e.doc[:i]) if o is not None), None)
    after = next((o for _, o in e.doc[i + 1:] if o is not None), None)
    if origin is not None:
        first, last = e.seed.tables_span
        return origin in e.seed.table_rows and before is not None and after is not None \
            and first <= before <= last and first <= after <= last
    return "\t" in text and before in e.seed.table_rows and after in e.seed.table_rows


def lost_silently(e: Edited, out: Out) -> list[tuple[int, str, str]]:
    """(line, amount, text) of each decimal amount printed in a table row
    that is neither one of that line's amount cells nor on a line a problem names."""
    read = Counter((c["source_line"], c["printed"]) for c in out.cells)
    lost = []
    for i, (text, _) in enumerate(e.doc):
        if not _in_a_table(e, i):
            continue
        line = i + 1
        for printed in amounts_printed(text):
            if read[(line, printed)]:
                read[(line, printed)] -= 1
            elif not out.names_line(line):
                lost.append((line, printed, text[:120]))
    return lost


def invented(e: Edited, out: Out) -> list[tuple[dict, str]]:
    """Each amount cell (and why) whose printed text is not a cell of its
    source line, or whose amount is not that number in 万元 (÷10000 in a 元
    table, except counts, which keep their value and have no unit)."""
    lines = e.lines
    used: Counter = Counter()
    wrong = []
    for c in out.cells:
        line = c["source_line"]
        if not 0 < line <= len(lines):
            wrong.append((c, "no such line"))
            continue
        cells = [x.strip() for x in lines[line - 1].split("\t")]
        used[(line, c["printed"])] += 1
        if used[(line, c["printed"])] > cells.count(c["printed"]):
            wrong.append((c, f"not printed on line {line}: {lines[line - 1][:200]!r}"))
        if c["printed_unit"] not in ("万元", "元", "") or (c["printed_unit"] == "") != is_count(c["column_label"]):
            wrong.append((c, "unit"))
        printed = Decimal(c["printed"].replace("−", "-").replace(",", ""))
        expected = printed / 10000 if c["printed_unit"] == "元" else printed
        if abs(Decimal(repr(c["amount"])) - expected) > abs(expected) * Decimal("1e-12"):
            wrong.append((c, f"amount is not {expected}"))
    return wrong


@examples(100)
@given(edited())
def test_no_printed_amount_is_lost_silently(e):
    """2. Every decimal amount printed in a table row is one of that line's
    amount cells, or a problem names the line."""
    try:
        out = parse_bytes(e.data())
    except EXPECTED_ERRORS:
        return
    assert not lost_silently(e, out)


@examples(100)
@given(edited())
def test_every_amount_is_printed_on_its_line(e):
    """3. No invented number: each amount cell's printed text is a cell of
    its source line, and its amount is that number (in 万元: ÷10000 in a 元
    table, except counts, which keep their value and no unit)."""
    try:
        out = parse_bytes(e.data())
    except EXPECTED_ERRORS:
        return
    assert not invented(e, out)


# The inputs Hypothesis found that failed properties 1–3, each made minimal
# (an edit or two of a seed): each was a bug of the parser, fixed with these tests.
def fixed_edit(name_part: str, *ops: tuple) -> Edited:
    """A seed with the edits ops: ("delete", line) / ("swap", line, line) /
    ("tabs", line) / ("cell", line, k, text) / ("marker", line: a page marker
    put before it), lines of the seed (1-based), in order."""
    e = Edited(seed(next(n for n in SEED_NAMES if name_part in n)), [], [])
    e.doc = [(t, n) for n, t in enumerate(e.seed.lines, start=1)]
    for op, line, *rest in ops:
        i = next(k for k, (_, o) in enumerate(e.doc) if o == line)
        if op == "delete":
            del e.doc[i]
        elif op == "swap":
            j = next(k for k, (_, o) in enumerate(e.doc) if o == rest[0])
            e.doc[i], e.doc[j] = e.doc[j], e.doc[i]
        elif op == "tabs":
            e.doc[i] = (e.doc[i][0].replace("\t", " "), e.doc[i][1])
        elif op == "marker":
            e.doc.insert(i, ("=== 第 1 页 ===", None))
        elif op == "cell":
            cells = e.doc[i][0].split("\t")
            cells[rest[0]] = rest[1]
            e.doc[i] = ("\t".join(cells), e.doc[i][1])
        e.log.append(" ".join(map(str, (op, line, *rest))))
    return e


FOUND = {
    # 昌吉 表1's first row printed without tabs (`一、本年收入 628.09 201 一般公共服务支出 838.07`)
    # was read as a narrative section heading: it ended the table, whose 30 other rows were dropped
    "row without tabs ended its table": lambda: fixed_edit("昌吉", ("tabs", 102)),
    # the same for a row of one figure (广州 表5 `八、社会保障和就业支出 2,808.48`)
    "row of one figure without tabs": lambda: fixed_edit("广州", ("tabs", 78)),
    # a row without tabs with a long project description (广州): a paragraph, it ended the table
    "long row without tabs": lambda: fixed_edit("广州", ("tabs", 341)),
    # 自治区 表1's title gone (`表1` stays): its rows stood under no title and were dropped
    "title deleted": lambda: fixed_edit("自治区", ("delete", 22)),
    # 自治区 表2 (cells a line each, rows apart by a blank line): the blank line under its header
    # swapped with 表1's `编制单位：…` made the header, that label and row 208 one row, which was
    # read as the table's metadata (单位/部门 and a colon): its figures were dropped. Read as a row
    # of figures instead, the 总计 row's figures fall under other columns and its 总计 column is
    # blank: 0 was compared with 表1's 47,024.76, a false fail of cross.summary_vs_income.
    "metadata label in a row of figures": lambda: fixed_edit("自治区", ("swap", 23, 218)),
    # `单位：万元 45,337.56` (a row without tabs whose label reads as metadata): dropped
    "metadata label in a row without tabs": lambda: fixed_edit("自治区", ("cell", 35, 0, "单位：万元"), ("tabs", 35)),
    # a part heading (第一部分 …) among a table's rows ended the tables: the rows after it were dropped
    "part heading among the rows": lambda: fixed_edit("自治区", ("swap", 1, 2521)),
    "part heading among the rows of the first table": lambda: fixed_edit("自治区", ("swap", 1, 23)),
    # a page marker splitting 自治区 表2's header row (cells a line each): 15 figures not read, and
    # the problem listed 8 of them (…): the other 7 were named nowhere
    "more than 8 figures not read": lambda: fixed_edit("自治区", ("marker", 203)),
    # a label-only row over a figures-only one (their cells joined as one row, by design): the
    # figures were given the label's line (昌吉 表10 line 393's 10.00 published as line 392's)
    "figures joined to the label row above": lambda: fixed_edit("昌吉", ("cell", 393, 0, "")),
}


@pytest.mark.parametrize("make", FOUND.values(), ids=FOUND.keys())
def test_found_no_amount_lost_silently(make):
    e = make()
    out = parse_bytes(e.data())
    assert not lost_silently(e, out)
    assert not invented(e, out)
    assert not out.fails()     # (nor does the seed fail any check)


def test_found_a_row_wider_than_the_row_it_joins():
    """A figures-only row joined to a wider label-only one raised IndexError
    (自治区, three lines deleted, a cell-per-line row's first cell made `合计`)."""
    e = fixed_edit("自治区", ("delete", 1), ("delete", 2), ("delete", 3), ("cell", 243, 0, "合计"))
    assert not invented(e, parse_bytes(e.data()))


@st.composite
def layout_edited(draw) -> Edited:
    e = draw(edited(kinds=LAYOUT_EDITS, max_edits=6))
    e.encoding = draw(st.sampled_from(["utf-8", "gb18030", "crlf", "bom"]))
    return e


def _canonical_key(key: str, e: Edited) -> str:
    """A table key with the line of a second table of its kind (`expenditure_316`) as the seed's line."""
    m = re.fullmatch(r"(.+)_(\d+)", key)
    return f"{m.group(1)}_{e.origin(int(m.group(2)))}" if m and e.origin(int(m.group(2))) else key


def _fail_ids(out: Out, e: Edited | None) -> Counter:
    def canonical(check_id: str) -> str:
        head, _, rest = check_id.partition(".")
        return f"{_canonical_key(head, e) if e else head}.{rest}"
    return Counter(canonical(c["check_id"]) for c in out.fails())


def _cells(out: Out, e: Edited | None) -> Counter:
    """The amount cells, each at its seed line."""
    where = e.origin if e else (lambda line: line)
    return Counter((_canonical_key(c["table_key"], e) if e else c["table_key"], c["row_no"], c["column_label"],
                    c["printed"], c["amount"], where(c["source_line"])) for c in out.cells)


@examples(60)
@given(layout_edited())
def test_layout_edits_change_no_cell_and_no_check(e):
    """4. No false fail on intact tables: an edit that leaves every table
    as printed reads the same cells (at the same printed lines) and fails
    the same checks as the unedited document."""
    out = parse_bytes(e.data())
    assert _cells(out, e) == _cells(e.seed.out, None)
    assert _fail_ids(out, e) == _fail_ids(e.seed.out, None)


@dataclass
class Changed:
    """A seed with one printed figure changed."""
    e: Edited
    cell: dict          # the seed's amount cell that was changed
    new: str            # its new printed text
    delta: Decimal      # new − old, in 万元

    def _repr_pretty_(self, p, cycle) -> None:
        p.text(repr(self))


def _format_like(old: str, value: Decimal) -> str:
    places = len(old.rsplit(".", 1)[1]) if "." in old else 0
    return f"{value:{',' if ',' in old else ''}.{places}f}"


@st.composite
def changed_figure(draw) -> Changed:
    """One amount cell of a seed's tables, printed larger by 1,000 to
    1,000,000 of its table's units (far beyond any rounding), its format
    kept (decimals, thousands separators)."""
    e = Edited(seed(draw(st.sampled_from(SEED_NAMES))), [], [])
    e.doc = [(t, n) for n, t in enumerate(e.seed.lines, start=1)]
    cells = [c for c in e.seed.out.cells if c["printed_unit"]]    # money, not counts
    cell = draw(st.sampled_from(cells))
    line = cell["source_line"]
    texts = [x.strip() for x in e.seed.lines[line - 1].split("\t")]
    same = [c for c in e.seed.out.cells if c["source_line"] == line and c["printed"] == cell["printed"]]
    positions = [k for k, x in enumerate(texts) if x == cell["printed"]]
    # which of the line's printings of that text is this cell: the k-th
    # amount cell of a text is the k-th cell holding it (the line has no other)
    assume(len(positions) == len(same))
    k = positions[same.index(cell)]
    old = Decimal(cell["printed"].replace(",", "").replace("−", "-"))
    step = Decimal(draw(st.integers(1000, 1_000_000)))
    new = _format_like(cell["printed"].replace("−", "-"), old + step)
    parts = e.seed.lines[line - 1].split("\t")
    parts[k] = parts[k].replace(cell["printed"], new)
    e.doc[line - 1] = ("\t".join(parts), line)
    e.log.append(f"line {line}: cell {k + 1} {cell['printed']} -> {new} ({cell['table_key']} {cell['row_label']} "
                 f"[{cell['column_label']}])")
    note(repr(e))
    return Changed(e, cell, new, step / 10000 if cell["printed_unit"] == "元" else step)


def _checks_by_id(out: Out, e: Edited | None = None) -> dict[str, dict]:
    return {c["check_id"]: c for c in out.checks}


@examples(100)
@given(changed_figure())
def test_a_changed_figure_is_caught(ch):
    """5. A changed figure is caught, not hidden. Every check whose figures
    the change moves counts the cell once (its difference moves by exactly
    the change) and so fails; a check the change removes is replaced by a
    problem saying why; and every sum over the cell's column that names its
    line — a 类/款 subtotal over its 项, a 总计 over its rows, a 三公 item
    over its parts — is one of the checks that fail."""
    e, cell = ch.e, ch.cell
    line = cell["source_line"]
    out = parse_bytes(e.data())
    # the new figure is read, where it is printed
    assert Counter((c["source_line"], c["printed"]) for c in out.cells)[(line, ch.new)] == \
        Counter((c["source_line"], c["printed"]) for c in e.seed.out.cells)[(line, ch.new)] + 1
    before, after = _checks_by_id(e.seed.out), _checks_by_id(out)
    moved = {i for i in before.keys() & after.keys()
             if (before[i]["expected"], before[i]["actual"]) != (after[i]["expected"], after[i]["actual"])}
    for i in moved:
        shift = Decimal(repr(after[i]["difference"])) - Decimal(repr(before[i]["difference"]))
        assert abs(abs(shift) - ch.delta) <= Decimal("1e-5") * max(1, ch.delta), (before[i], after[i])
        assert after[i]["status"] == "fail", (before[i], after[i])
    gone = before.keys() - after.keys()
    new_problems = {p["message"] for p in out.problems} - {p["message"] for p in e.seed.out.problems}
    assert not gone or new_problems, gone
    assert not (after.keys() - before.keys()), after.keys() - before.keys()
    # the sums over this cell's column that name its line
    column = cell["column_key"]
    row_line = str(e.seed.row_line[line])
    sums = [i for i, c in before.items() if c["tables"] == cell["table_key"] and i.endswith("." + column)
            and row_line in c["lines"].split(",") and (".tree." in i or ".total." in i or ".unit." in i
                                                       or i.startswith("three_public.items."))]
    assert all(i in moved for i in sums), [i for i in sums if i not in moved]
    if cell["table_key"] in FUNCTION_TABLES and len(cell["code"]) == 7:
        # the precise case: a 项 row of a 功能分类 table is summed into its 款 (all seeds print it)
        assert any(".tree." in i for i in sums), cell


def digest(parsed: Parsed) -> str:
    """Everything a parse gives (every dataset's rows in order, the problems,
    the document's names and text), as one hash."""
    everything = {"meta": parsed._meta(), "tables": {k: t.to_pylist() for k, t in parsed.tables.items()}}
    return hashlib.sha256(json.dumps(everything, ensure_ascii=False, sort_keys=True, default=repr).encode()).hexdigest()


_WORKER = r"""
import struct, sys
from pathlib import Path
sys.path[:0] = [sys.argv[1], sys.argv[2]]
from test_properties import digest
from yusuan.pipeline import parse_file
root = Path(sys.argv[3])
path = root / "disclosures" / "edited.txt"
path.parent.mkdir(parents=True, exist_ok=True)
while True:
    head = sys.stdin.buffer.read(4)
    if len(head) < 4:
        break
    path.write_bytes(sys.stdin.buffer.read(struct.unpack(">I", head)[0]))
    try:
        answer = digest(parse_file(path, root))
    except Exception as e:
        answer = f"{type(e).__name__}: {e}"
    sys.stdout.write(answer + "\n")
    sys.stdout.flush()
"""


class Worker:
    """A Python process parsing what it is sent, with its own hash seed
    (set and str hashing, so set iteration order, differ between processes)."""

    def __init__(self, hash_seed: int, root: Path):
        env = {**os.environ, "PYTHONHASHSEED": str(hash_seed)}
        self.proc = subprocess.Popen([sys.executable, "-c", _WORKER, str(Path(yusuan.__file__).parents[1]),
                                      str(Path(__file__).parent), str(root)],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env)

    def send(self, data: bytes) -> None:
        self.proc.stdin.write(struct.pack(">I", len(data)) + data)
        self.proc.stdin.flush()

    def answer(self) -> str:
        return self.proc.stdout.readline().decode().rstrip("\n")

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait(timeout=30)


@pytest.fixture(scope="module")
def workers(tmp_path_factory):
    started = [Worker(seed_, tmp_path_factory.mktemp(f"hash{seed_}")) for seed_ in (1, 2)]
    yield started
    for w in started:
        w.close()


@examples(40)
@given(e=edited())
def test_parsing_is_deterministic(e, workers):
    """6. The same bytes parse to the same datasets, rows in the same order:
    twice here, through the parse cache's form, and in two other processes
    with other hash seeds (the cache keeps a parse from one run for the next)."""
    data = e.data()
    for w in workers:
        w.send(data)      # (they parse while this process does)
    try:
        first = parse_bytes(data).parsed
        here = [digest(first), digest(parse_bytes(data).parsed), digest(Parsed.from_bytes(first.to_bytes()))]
    except EXPECTED_ERRORS as err:
        here = [f"{type(err).__name__}: {err}"] * 3
    finally:
        there = [w.answer() for w in workers]     # (whatever happens here: the next example's answers follow)
    assert here + there == [here[0]] * 5


@examples(30)
@given(edited(bytes_level=True), st.data())
def test_a_bad_file_is_a_problem_and_the_others_are_read(e, data):
    """1 (through `collect`). Whatever one file holds, the others are read
    and it is either read or named in a problem; no parser error."""
    folder = Path(tempfile.mkdtemp(dir=_scratch(), prefix="collect-"))
    (folder / "disclosures").mkdir()
    others = [p for p in SAMPLES if p.name != e.seed.name]
    others = data.draw(st.lists(st.sampled_from(others), min_size=1, max_size=2, unique=True))
    for p in others:
        (folder / "disclosures" / p.name).write_bytes(p.read_bytes())
    (folder / "disclosures" / "edited.txt").write_bytes(e.data())
    result = collect(folder, cache_dir=None, progress=lambda *_: None, workers=1)
    read = {d.tables["documents"].column("source_file")[0].as_py() for d in result.documents}
    assert {f"disclosures/{p.name}" for p in others} <= read
    assert "disclosures/edited.txt" in read or any(
        p["source_file"] == "disclosures/edited.txt" and p["severity"] == "error" for p in result.problems)
    assert not [p for p in result.problems if "解析时出错" in p["message"]]
    files = {f"disclosures/{p.name}" for p in others} | {"disclosures/edited.txt"}
    assert all(p["source_file"] in files for p in result.problems)
