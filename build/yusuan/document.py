"""Parse stage for one file: Source → Document (tables, narrative, headline).

The headline figures are read from table cells, never recomputed.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from . import identity
from .headline import headline
from .layout import Row, to_rows
from .read import Source
from .tables import Table, find_part, parse_table, split_tables
from .terms import COUNTY_LEVEL_CITIES, CORE_TABLES, LEVELS, PROVINCES, STANDARD_TABLES, is_final_accounts, norm

_DATE = re.compile(r"^(20\d\d)\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日$")


class NotADisclosure(Exception):
    """A file with no budget table. Its department, year and kind are kept:
    it may be the narrative half of a disclosure published as two files."""

    def __init__(self, message: str, department: str = "", year: int | None = None, kind: str = ""):
        super().__init__(message)
        self.department, self.year, self.kind = department, year, kind


@dataclass
class Document:
    source: Source
    doc_id: str
    department: str
    year: int | None
    kind: str                       # 部门预算 / 单位预算 / 部门决算 / 单位决算
    doc_date: str | None
    level: str
    tables: dict[str, Table]
    narrative: object               # narrative.Narrative
    headline: dict[str, object]
    problems: list[tuple[int | None, str, str]] = field(default_factory=list)  # (line, severity, message)
    expected: list[str] = field(default_factory=list)   # standard tables a document of its kind has,
                                                        # with those its contents page lists
    complete: bool = True          # no expected table missing, not cut off in a table
    cut_table: str | None = None   # the table the file ends in, without its total row


# A place at the start of a name: 普陀区, 昌吉回族自治州, 阿图什市 (two characters at
# least, so 社区 or 城市 in an agency's name is none).
_PLACE = re.compile(r"^(?P<place>[\u4e00-\u9fff]{2,9}?(?P<kind>自治州|自治县|自治旗|地区|盟|州|市|县|旗|区))")
_PARTY = re.compile(r"^(中共|中国共产党|共青团)")


def level_of(department: str) -> str:
    """省级 / 市级 / 县级 from the department's name (the issuing government):
    the places it starts with, see vocabulary.toml [levels]."""
    n = _PARTY.sub("", norm(department))
    level, rest = None, n
    if province := next((p for p in PROVINCES if n.startswith(p)), None):
        level, rest = LEVELS[0], n[len(province):]
    elif not _PLACE.match(n):
        return LEVELS[2]      # no place named: the smallest government, as a budget unit's own name
    for _ in range(2):        # the prefecture, then a county within it
        m = _PLACE.match(rest)
        if not m:
            break
        county = m["kind"] in ("县", "自治县", "区", "旗", "自治旗") or m["place"] in COUNTY_LEVEL_CITIES
        level = LEVELS[2] if county or level == LEVELS[1] else LEVELS[1]
        rest = rest[m.end():].removeprefix("委")
        if level == LEVELS[2]:
            break
    return level or LEVELS[2]


def _doc_date(rows: list[Row]) -> str | None:
    for r in reversed(rows[-10:]):
        m = _DATE.match(r.text)
        if m:
            y, mo, d = (int(x) for x in m.groups())
            return f"{y:04d}-{mo:02d}-{d:02d}"
    return None


def parse_document(source: Source) -> Document:
    from .narrative import parse_narrative   # imported late: the heaviest module

    rows = to_rows(source.lines)
    problems: list[tuple[int | None, str, str]] = []
    narrative = parse_narrative(rows)
    known_units = {norm(u["unit_name"]) for u in narrative.units}
    orphans: list[Row] = []
    segments, contents = split_tables(rows, orphans)
    for first, last in _runs(rows, orphans):
        where = f"第 {first} 行" if first == last else f"第 {first}–{last} 行"
        problems.append((first, "warning", f"{where}印有数字，但不在任何读出的表中（表的标题未能识别，或表中夹有正文）："
                                           "这些数字未收录"))
    tables: dict[str, Table] = {}
    for seg in segments:
        t = parse_table(seg.number, seg.title, seg.line, seg.rows, known_units, key=seg.key)
        if t.key in tables:
            problems.append((seg.line, "warning", f"表「{seg.title}」与表「{tables[t.key].title}」同属一类："
                                                  "其数字收录在 table_cells，但不参与表间核对"))
            t.key = f"{t.key}_{seg.line}"
        tables[t.key] = t
        problems += [(ln, "warning", msg) for ln, msg in t.problems]
    _set_units(tables, problems)
    kind = identity.kind(rows)
    if not any(k in tables for k in STANDARD_TABLES):
        raise NotADisclosure("不是预算或决算公开文件：未找到任何标准预算表（如“部门收支总体情况表”“收支预算总表”）",
                             identity.department(rows, tables), identity.year(rows), kind)
    titles = [t.title for t in tables.values()]
    problems += [(ln, "warning", msg) for ln, msg in narrative.problems]

    listed = list(dict.fromkeys(s.key for s in contents if s.key in STANDARD_TABLES))
    expected = list(dict.fromkeys(CORE_TABLES["final" if is_final_accounts(kind) else "budget"] + listed))
    missing = [k for k in expected if k not in tables]
    part2, part3 = find_part(rows, "二"), find_part(rows, "三")
    # a part 3 the contents promise but the body never reaches: the file stops short
    no_part3 = part2 is not None and part3 is not None and part3 < part2
    cut = _cut_table(rows, segments, tables)
    if no_part3:
        problems.append((None, "warning", "目录列出的第三部分（情况说明）在正文中没有出现：文件可能不完整或被截断"))
    if missing:
        problems.append((None, "warning", "缺少标准表：" + "、".join(missing) + "（文件可能不完整或被截断）"))
    if cut:
        problems.append((cut.line, "warning", f"文件在表{cut.number}「{cut.title}」中途结束，没有合计行：文件不完整，"
                                              "该表的校验不作为文件的错误公布"))

    department = identity.department(rows, tables)
    year = identity.year(rows, titles)
    doc = Document(
        source=source, doc_id=identity.make_doc_id(department, year, kind), department=department, year=year,
        kind=kind, doc_date=_doc_date(rows), level=level_of(department), tables=tables, narrative=narrative,
        headline={}, problems=problems, expected=expected,
        complete=not (missing or no_part3 or cut), cut_table=cut.key if cut else None,
    )
    doc.headline = headline(doc)
    return doc


def _set_units(tables: dict[str, Table], problems: list) -> None:
    """A table that prints no unit is read in the unit most of the document's
    tables print (上海 prints 单位：元 over some tables only), and says so when
    that is not the template's 万元."""
    printed = Counter(t.unit for t in tables.values() if t.unit)
    default = printed.most_common(1)[0][0] if printed else "万元"
    for t in tables.values():
        if not t.unit and not t.is_empty and default != "万元":
            problems.append((t.line, "warning", f"表{t.number}「{t.title}」未印金额单位，按本文件多数表的单位（{default}）读"))
        t.set_unit(t.unit or default)


def _runs(rows: list[Row], some: list[Row]) -> list[tuple[int, int]]:
    """(first line, last line) of each run of rows among `some` (in order)
    with only table rows between them."""
    index = {id(r): k for k, r in enumerate(rows)}
    runs: list[tuple[int, int]] = []      # (first, last) row index
    for row in some:
        k = index[id(row)]
        if runs and all(r.tabular for r in rows[runs[-1][1] + 1:k]):
            runs[-1] = (runs[-1][0], k)
        else:
            runs.append((k, k))
    return [(rows[a].line, rows[b].cell_lines[-1]) for a, b in runs]


def _cut_table(rows: list[Row], segments: list, tables: dict[str, Table]) -> Table | None:
    """The table a cut-off file ends in: its last row is a row of the last
    table, and that table has rows but no total row."""
    if not segments or not rows:
        return None
    last = segments[-1]
    if not last.rows or rows[-1] is not last.rows[-1] or not rows[-1].tabular:
        return None
    table = next((t for t in tables.values() if t.line == last.line), None)
    if table is None or not table.rows or table.total_row() is not None:
        return None
    return table
