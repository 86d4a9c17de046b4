"""Which document this is: department, year and kind, read from the document.

A disclosure names itself on its cover (`江苏省人大常委会办公厅 / 2017 年度部门
预算`, `上海市普陀区2025年区级单位预算 / 预算单位：…`), in its title and on the
line over each table (`编制部门：…`). File names are not used: publishers'
names are often wrong about all three.
"""
from __future__ import annotations

import re
from collections import Counter

from pypinyin import lazy_pinyin

from .layout import Row
from .tables import Table, read_meta
from .terms import KINDS, norm, plain

_YEAR = re.compile(r"(20\d\d)\s*年")
_COVER_END = re.compile(r"^(目\s*录|第\s*[一二三四五六七八九十]\s*部分|[一二三四五六七八九十]+、)")
# Words of a cover or title that are not the department's name.
_NOT_NAME = re.compile(
    r"20\d\d年度?|[省市区县]级|部门综合预算|部门预算|单位预算|部门决算|单位决算|预算公开|决算公开|信息公开|"
    r"情况说明|公开说明|公开报表|公开文件|公开表格?|综合预算|预算|决算|公开|说明|报表|表格")
# A name ends like an office: 局, 厅, 办公室, 委员会, 院, 中心, 街道办事处 …
_OFFICE = re.compile(r"(局|厅|委员会|委|办公室|办|院|中心|处|部|会|署|站|所|社|馆|校|队|室|团|（本级）|（汇总）|本级)$")


def cover(rows: list[Row]) -> list[Row]:
    """The prose rows before the contents page or the first heading."""
    out = []
    for r in rows[:12]:
        if r.tabular or _COVER_END.match(r.text):
            break
        out.append(r)
    return out


def year(rows: list[Row], titles: list[str] = ()) -> int | None:
    """The year on the cover or first lines, else the one table titles name
    (`2017年政府采购预算表`), else None."""
    for text in [r.text for r in cover(rows) + rows[:15]]:
        m = _YEAR.search(text)
        if m:
            return int(m.group(1))
    named = Counter(int(m.group(1)) for t in titles if (m := _YEAR.search(t)))
    return named.most_common(1)[0][0] if named else None


def kind(rows: list[Row]) -> str:
    """部门预算 / 单位预算 / 部门决算 / 单位决算: from the first row of the
    cover or title that names one (a budget when none does)."""
    for r in cover(rows) + rows[:40]:
        t = plain(r.text)
        for key, words in KINDS:
            if any(w in t for w in words):
                return key
    return "部门预算"


def _cover_name(rows: list[Row]) -> str:
    """The department named on the cover: its text without years and kind words."""
    lines = cover(rows)
    for r in lines:
        meta = read_meta(r.text)
        if meta and meta[0]:
            return meta[0]
    text = _NOT_NAME.sub(" ", "".join(plain(r.text) for r in lines)).split()
    names = [t.removesuffix("部门").removesuffix("单位") for t in text]
    names = [n for n in names if len(n) >= 3 and _OFFICE.search(n)]
    return max(names, key=len) if names else ""


def department(rows: list[Row], tables: dict[str, Table]) -> str:
    """The name printed over most tables (编制部门：…), else the cover's."""
    printed = Counter(t.department for t in tables.values() if t.department)
    if printed:
        return printed.most_common(1)[0][0]
    return _cover_name(rows)


def name_key(name: str) -> str:
    """A department's name as compared across files and years: 中国共产党江苏省
    委员会办公厅, 中共江苏省委办公厅 and 江苏省委办公厅 are one department."""
    n = plain(name).replace("中国共产党", "中共").replace("委员会", "委")
    return re.sub(r"（(本级|汇总)）$", "", n)


def same_department(a: str, b: str) -> bool:
    """One name is the other, or a part of it (江苏省委办公厅 of 中共江苏省委办公厅)."""
    ka, kb = name_key(a), name_key(b)
    short, long_ = sorted((ka, kb), key=len)
    return ka == kb or (len(short) >= 4 and short in long_)


_KIND_SLUG = {"部门预算": "", "单位预算": "-danwei", "部门决算": "-juesuan", "单位决算": "-danweijuesuan"}


def make_doc_id(department: str, year: int | None, kind: str = "部门预算") -> str:
    """`2026-<pinyin of the department>`, with the kind after it when it is not a 部门预算."""
    slug = "".join(lazy_pinyin(norm(department)))
    slug = re.sub(r"[^a-z0-9]+", "", slug.lower())[:60] or "unknown"
    return f"{year or 'na'}-{slug}{_KIND_SLUG.get(kind, '')}"
