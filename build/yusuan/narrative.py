"""Parts 1 and 3 of a disclosure (部门概况, 情况说明) → rows of the datasets
units, yoy_changes, procurement, assets, project_details and
performance_targets, plus the totals part 3 restates.

The input is the whole document as `Row`s (`layout.to_rows`). Prose lines are
first glued into paragraphs (a sentence broken over two lines is one
paragraph) that remember the source line of every piece, then tagged with the
part-3 section they are under. Each extractor then reads the paragraphs of
its own section with regexes written for the national template, tolerant of
numbering styles, full/half-width punctuation, spaces around numbers and 元
instead of 万元.

Nothing here raises on odd input: a section that is present but does not
read leaves a (line, 中文说明) in `problems`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from yusuan import privacy
from yusuan.layout import Row
from yusuan.targets import (MONEY, MONEY_RE, NUM, YEAR_LINE, is_table_title, money,
                            parse_target_tables, tidy)
from yusuan.terms import WITHHELD, norm


@dataclass
class Narrative:
    units: list[dict] = field(default_factory=list)
    yoy_changes: list[dict] = field(default_factory=list)
    procurement: list[dict] = field(default_factory=list)
    assets: list[dict] = field(default_factory=list)
    project_details: list[dict] = field(default_factory=list)
    performance_targets: list[dict] = field(default_factory=list)
    restatements: list[dict] = field(default_factory=list)
    problems: list[tuple[int, str]] = field(default_factory=list)
    # Contact cells read from the 绩效目标表: kept only so the source text can
    # be redacted (privacy.redact); never written to a dataset.
    contacts: list[privacy.Contact] = field(default_factory=list, repr=False)


# ------------------------------------------------------------------ headings

# "第三部分 2026 年部门预算情况说明"; a table of contents lists it first, so the
# body is the last occurrence.
PART_HEADING = re.compile(r"^第\s*(?P<no>[一二三四])\s*部分")
NUMERAL = r"(?:[一二三四五六七八九十]+|\d{1,2})"
# Top-level part-3 section: "五、关于…说明" / "5、 关于…" / "（五）关于…" /
# "十三、其他重要事项的情况说明". Its title, not its numbering, makes it top-level.
SECTION_HEADING = re.compile(
    rf"^(?:{NUMERAL}\s*[、.．]|[（(]\s*{NUMERAL}\s*[)）])\s*(?P<title>(?:关于|其他重要事项).*)$")
# Part-1 heading: "二、 机构设置" / "2、主要职能" — a few Chinese words ending like a
# heading, so that a listed unit ("1.某某局本级") is not taken for one.
PART1_HEADING = re.compile(rf"^{NUMERAL}\s*[、.．]\s*(?P<title>[\u4e00-\u9fff]{{0,10}}(?:职能|职责|设置|情况|构成|概况))$")
# Sub-section: "（一）…" / "(1) …"; project blocks use it too ("（一）项目名称：…").
SUB_HEADING = re.compile(rf"^[（(]\s*{NUMERAL}\s*[)）]\s*(?P<title>.+)$")
# List numbering at the start of a paragraph: "1. " / "2、" / "三、" but not "4.48".
NUMBERING = re.compile(rf"^\s*(?:{NUMERAL}\s*[、.．](?!\d)|[（(]\s*{NUMERAL}\s*[)）])\s*")
# "标签：值" lines of project blocks ("预算安排规模：14.50 万元").
LABEL = re.compile(r"^(?P<label>[\u4e00-\u9fff]{2,12})\s*[:：]\s*(?P<value>.*)$", re.S)
SENTENCE_END = tuple("。；;！!？?：:")

# Section heading → key, first needle found wins (财政拨款收支 before 收支预算,
# 支出预算 last because several other titles contain it).
SECTION_KEYS: list[tuple[str, str]] = [
    ("财政拨款收支", "fiscal"),
    ("收支预算", "overview"),
    ("收入预算", "income"),
    ("一般公共预算当年拨款", "gpb"),
    ("一般公共预算拨款", "gpb"),
    ("一般公共预算基本支出", "gpb_basic"),
    ("一般公共预算项目支出", "gpb_projects"),
    ("政府性基金", "gov_fund"),
    ("国有资本经营", "state_capital"),
    ("三公", "three_public"),
    ("委托业务费", "entrusted_fees"),
    ("上年结转结余", "carryover"),
    ("其他重要事项", "other"),
    # Usually sub-sections of 其他重要事项, but some places number them on their own.
    ("运行经费", "running_costs"),
    ("政府采购", "procurement"),
    ("国有资产", "assets"),
    ("绩效", "performance"),
    ("支出预算", "expenditure"),
]
SUB_KEYS: list[tuple[str, str]] = [
    ("运行经费", "running_costs"),
    ("政府采购", "procurement"),
    ("国有资产", "assets"),
    ("绩效", "performance"),
]


def _key(title: str, table: list[tuple[str, str]]) -> str:
    t = norm(title)
    return next((key for needle, key in table if needle in t), "")


# ---------------------------------------------------------------- paragraphs

@dataclass
class Para:
    text: str
    breaks: list[tuple[int, int]]   # (offset in text, source line) of each glued line
    heading: bool = False
    section: str = ""               # top-level heading text, as printed
    key: str = ""                   # its SECTION_KEYS key
    sub: str = ""                   # sub-heading text, as printed
    sub_key: str = ""

    @property
    def line(self) -> int:
        return self.breaks[0][1]

    def line_at(self, pos: int) -> int:
        return [line for offset, line in self.breaks if offset <= pos][-1]

    def under(self, key: str) -> bool:
        """Is this paragraph in the section or sub-section `key`?"""
        return key in (self.key, self.sub_key)

    @property
    def where(self) -> str:
        return f"{self.section} / {self.sub}" if self.sub else self.section


@lru_cache(maxsize=1 << 14)   # pure; asked twice for most lines (glue? heading?)
def _is_break(text: str) -> bool:
    """A line that is never glued to its neighbours."""
    return bool(PART_HEADING.match(text) or SECTION_HEADING.match(text) or _sub_heading(text)
                or PART1_HEADING.match(text) or is_table_title(text) or YEAR_LINE.match(text))


def _sub_heading(text: str) -> re.Match | None:
    m = SUB_HEADING.match(text)
    return m if m and not text.endswith("。") and len(text) <= 120 else None


def _glues(previous: Para, text: str) -> bool:
    """Does `text` continue the paragraph before it (a sentence broken by a
    page or line wrap)? Only when the paragraph ends mid-sentence and the new
    line does not start something of its own."""
    return not (previous.heading or previous.text.endswith(SENTENCE_END) or _is_break(text)
                or NUMBERING.match(text) or LABEL.match(text))


def paragraphs(rows: list[Row]) -> list[Para]:
    """Prose rows → paragraphs; a table row ends a paragraph."""
    paras: list[Para] = []
    open_para = False
    for row in rows:
        if row.tabular:
            open_para = False
            continue
        text = row.text
        if open_para and _glues(paras[-1], text):
            last = paras[-1]
            last.breaks.append((len(last.text), row.line))
            last.text += text
            continue
        paras.append(Para(text, [(0, row.line)], heading=_is_break(text)))
        open_para = True
    return paras


def _tag_sections(paras: list[Para]) -> None:
    section = key = sub = sub_key = ""
    for p in paras:
        if p.heading and SECTION_HEADING.match(p.text) and not p.text.endswith("。"):
            section, key, sub, sub_key = tidy(p.text), _key(p.text, SECTION_KEYS), "", ""
        elif p.heading and _sub_heading(p.text) and "项目名称" not in p.text:
            sub, sub_key = tidy(p.text), _key(p.text, SUB_KEYS)
        p.section, p.key, p.sub, p.sub_key = section, key, sub, sub_key


def _part(rows: list[Row], part_nos: list[str | None], no: str) -> list[Row]:
    """Rows of 第<no>部分, from its last heading to the next part heading
    (part_nos: `_part_no` of each row, worked out once for all parts)."""
    heads = [i for i, n in enumerate(part_nos) if n == no]
    if not heads:
        return []
    start = heads[-1] + 1
    end = next((i for i in range(start, len(rows)) if part_nos[i]), len(rows))
    return rows[start:end]


def _part_no(row: Row) -> str | None:
    if row.tabular or len(row.text) > 40:
        return None
    m = PART_HEADING.match(row.text)
    return m.group("no") if m else None


# --------------------------------------------------------------- entry point

def parse_narrative(rows: list[Row]) -> Narrative:
    out = Narrative()
    part_nos = [_part_no(r) for r in rows]
    part1 = paragraphs(_part(rows, part_nos, "一"))
    part3_rows = _part(rows, part_nos, "三")
    part3 = paragraphs(part3_rows)
    _tag_sections(part3)

    out.units = _units(part1, out.problems, _compiler(rows), _part(rows, part_nos, "一"))
    _add_staff(out.units, part1 + part3)
    out.restatements = _restatements(part3)
    out.yoy_changes = _yoy_changes(part3, out.problems)
    out.procurement = _procurement(part3, out.problems)
    out.assets = _assets(part3, out.problems)
    out.project_details = _project_details(part3, out.problems)
    targets = parse_target_tables(part3_rows)
    out.performance_targets = targets.rows
    out.problems.extend(targets.problems)
    _scrub(out, targets.contacts)
    out.contacts = targets.contacts
    out.problems.sort()
    return out


def _amount(m: re.Match, num: str = "num", unit: str = "unit") -> float | None:
    return money(m.group(num), m.group(unit))


def _sentence(text: str, pos: int) -> str:
    """The sentence of `text` around position `pos`."""
    start = max(text.rfind(ch, 0, pos) for ch in "。；;") + 1
    ends = [i for i in (text.find(ch, pos) for ch in "。；;") if i >= 0]
    return text[start:(min(ends) + 1 if ends else len(text))].strip()


# --------------------------------------------------------------------- units

# "昌吉回族自治州工业和信息化局无下属预算单位。"
NO_SUBUNITS = re.compile(r"^(?P<name>.+?)(?:无|没有|不存在)(?:下属|所属|二级)(?:预算)?单位")
# "本部门无下属预算单位" names nobody: the department is then the 编制部门 of the tables.
GENERIC_SELF = {"本部门", "本单位", "我部门", "我单位", "我局", "本局", "我委", "本委", "我厅", "本厅", "部门本级"}
COMPILER = re.compile(r"编制(?:部门|单位)\s*[:：]\s*(?P<name>\S+)")
# "…包括：" / "…分别是：" introducing a list of units.
UNIT_LIST = re.compile(r"(?:包括|包含|分别是|分别为|如下)[:：]")
# A list is of budget units when the words before it speak of units or of
# the budget's make-up; 广州 lists its 内设处室 (offices, not budget units)
# under 机构设置 and its units under 部门预算构成.
UNIT_LIST_SUBJECT = re.compile(r"单位|预算")
NOT_UNITS = re.compile(r"内设|处室|科室|机构\d+个")
UNIT_SUFFIX = re.compile(r"(?:本级|局|厅|委|办|中心|站|所|院|队|处|室|会|校|馆|社|部|园|场|团|台|库|公司)$")
# A bracketed note after a unit's name: 北京市医疗保障局（行政）, …本级（机关）.
UNIT_NOTE = re.compile(r"[（(][^（）()]{1,12}[)）]$")
UNIT_SPLIT = re.compile(rf"[；;。，,、]|(?:^|\s)[-—•·]\s*|{NUMERAL}\s*[、.．](?!\d)|[（(]\s*\d{{1,2}}\s*[)）]")   # (- 1、…: a bulleted list)
SELF_WORDS = ("本级", "机关")
# Headings of part 1 under which departments list their budget units.
UNIT_SECTIONS = ("机构设置", "预算单位构成", "部门预算构成", "单位构成")


def _compiler(rows: list[Row]) -> str | None:
    """The 编制部门 printed above the tables, if any."""
    for row in rows:
        m = COMPILER.search(row.text)
        if m:
            return m.group("name")
    return None


def _units(part1: list[Para], problems: list, compiler: str | None = None,
           rows: list[Row] | None = None) -> list[dict]:
    blocks = [b for title in UNIT_SECTIONS if (b := _part1_block(part1, title))]
    if not blocks:
        return []
    units: list[dict] = []
    for heading, paras, end in blocks:
        listing = False      # the paragraph before ended in 包括：, its list is this one
        for p in paras:
            m = NO_SUBUNITS.match(p.text)
            if m:
                name = tidy(m.group("name")).strip("，,。")
                return [_unit(compiler if name in GENERIC_SELF and compiler else name, True, p.line)]
            units += _listed_units(p, listing)
            intro = list(UNIT_LIST.finditer(p.text))
            listing = bool(intro) and not p.text[intro[-1].end():].strip() and _of_units(p.text[:intro[-1].start()])
        units += _table_units(rows or [], heading.line, end)
    seen: set[str] = set()
    units = [u for u in units if not (u["unit_name"] in seen or seen.add(u["unit_name"]))]
    if not units:
        problems.append((blocks[0][0].line, "第一部分“机构设置”未能读出预算单位名称"))
        return []
    if not any(u["is_self"] for u in units):
        units[0]["is_self"] = True   # the template lists the department itself first
    return units


def _part1_block(part1: list[Para], title: str) -> tuple[Para, list[Para], int] | None:
    """The heading, its paragraphs and the line where its block ends."""
    starts = [i for i, p in enumerate(part1) if p.heading and title in norm(p.text)]
    if not starts:
        return None
    i = starts[-1]
    end = next((j for j in range(i + 1, len(part1)) if part1[j].heading
                and not _sub_heading(part1[j].text)), len(part1))
    return part1[i], part1[i + 1:end], (part1[end].line if end < len(part1) else 1 << 30)


def _unit_name(text: str) -> str | None:
    name = tidy(text).removesuffix("预算")        # 广州市人民政府办公厅本级预算
    bare = UNIT_NOTE.sub("", name)
    if not 2 <= len(name) <= 40 or re.search(r"[。，、；：:;,]", name):
        return None                               # a sentence, not a name
    return name if UNIT_SUFFIX.search(bare) else None


def _is_self(name: str) -> bool:
    """The department's own unit: …本级, …（本级）, …本级（机关）, …（机关）; not
    a unit whose name merely holds 机关 (泉州市人民政府机关医疗所)."""
    bare = UNIT_NOTE.sub("", name)
    return bare.endswith(SELF_WORDS) or any(w in name[len(bare):] for w in SELF_WORDS)


def _of_units(intro: str) -> bool:
    """Words before a list's 包括： that make it a list of budget units."""
    return bool(UNIT_LIST_SUBJECT.search(intro)) and not NOT_UNITS.search(intro)


def _listed_units(p: Para, listing: bool = False) -> list[dict]:
    text = p.text
    m = UNIT_LIST.search(text)
    if m:
        if not _of_units(text[:m.start()]):
            return []
        text = text[m.end():]
    elif not listing:
        # an item of a numbered or bulleted list: the item is a name, or it is no unit
        # (（三）抓办文办会。继续… is a task, not a list of units)
        item = NUMBERING.match(text.lstrip("-—•· "))
        name = item and _unit_name(text.lstrip("-—•· ")[item.end():].rstrip("。；;，, "))
        return [_unit(name, _is_self(name), p.line)] if name else []
    names = [n for part in UNIT_SPLIT.split(text) if (n := _unit_name(part))]
    return [_unit(n, _is_self(n), p.line) for n in names]


def _table_units(rows: list[Row], start: int, end: int) -> list[dict]:
    """Units listed in a table under the heading (西安: 序号 | 单位名称 | 拟变动情况)."""
    column, out = None, []
    for row in rows:
        if not (start < row.line < end and row.tabular):
            continue
        cells = [norm(c) for c in row.cells]
        if column is None:
            column = cells.index("单位名称") if "单位名称" in cells else None
        elif column < len(row.cells) and (name := _unit_name(row.cells[column])):
            out.append(_unit(name, _is_self(name), row.cell_lines[column]))
    return out


def _unit(name: str, is_self: bool, line: int) -> dict:
    return {"unit_name": name, "is_self": is_self, "staff_authorized": None,
            "staff_actual": None, "source_line": line}


# 编制数 30 人 / 核定编制 30 名 (the bare word 编制 followed by a count also counts).
STAFF_AUTHORIZED = re.compile(r"(?:编制数|编制总数|核定编制数?|编制)\s*(?:为|共|是)?\s*(?P<n>\d+)\s*(?:人|名)")
# 实有人数 25 人 / 实有人员 25 名
STAFF_ACTUAL = re.compile(r"实有(?:人数|人员|在职人员)?\s*(?:为|共|是)?\s*(?P<n>\d+)\s*(?:人|名)")


def _add_staff(units: list[dict], paras: list[Para]) -> None:
    """First stated 编制数 / 实有人数 of each unit: a count belongs to the unit
    named between it and the count before it, else to the department itself."""
    if not units:
        return
    for column, pattern in (("staff_authorized", STAFF_AUTHORIZED), ("staff_actual", STAFF_ACTUAL)):
        for p in paras:
            since = 0
            for m in pattern.finditer(p.text):
                unit = _unit_named(units, p.text[since:m.start()])
                if unit[column] is None:
                    unit[column] = int(m.group("n"))
                since = m.end()


def _unit_named(units: list[dict], text: str) -> dict:
    named = [u for u in units if u["unit_name"] in text and not u["is_self"]]
    if named:
        return max(named, key=lambda u: len(u["unit_name"]))
    return next((u for u in units if u["is_self"]), units[0])


# ------------------------------------------------------------- restatements

# (key, section key, pattern) — the first match in the section is the restatement.
# "^" patterns apply to a paragraph with its list numbering removed.
RESTATEMENTS: list[tuple[str, str, str]] = [
    ("total_budget", "overview", rf"(?<!财政拨款)收支(?:总预算|预算总额)\s*(?:为|是)?\s*{MONEY}"),
    ("income_total", "income", rf"收入预算(?:总额|总计|合计)?\s*(?:为|是)?\s*{MONEY}"),
    ("expenditure_total", "expenditure", rf"支出预算(?:总额|总计|合计)?\s*(?:为|是)?\s*{MONEY}"),
    ("basic_expenditure", "expenditure", rf"^基本支出\s*(?:为)?\s*{MONEY}"),
    ("project_expenditure", "expenditure", rf"^项目支出\s*(?:为)?\s*{MONEY}"),
    ("fiscal_total", "fiscal", rf"财政拨款收支总预算\s*(?:为|是)?\s*{MONEY}"),
    ("gpb_total", "gpb", rf"一般公共预算(?:当年)?拨款合计\s*(?:为)?\s*{MONEY}"),
    ("gpb_basic", "gpb", rf"^基本支出\s*(?:为)?\s*{MONEY}"),
    ("gpb_project", "gpb", rf"^项目支出\s*(?:为)?\s*{MONEY}"),
    ("personnel", "gpb_basic", rf"^人员经费\s*(?:为)?\s*{MONEY}"),
    ("public_funds", "gpb_basic", rf"^公用经费\s*(?:为)?\s*{MONEY}"),
    # “三公”经费数为 X — the quotes come in every width, or not at all.
    ("three_public", "three_public", rf"三公[”\"'’]?经费(?:预算)?(?:数|总额)?\s*(?:为|是)?\s*{MONEY}"),
    ("entrusted_fees", "entrusted_fees", rf"委托业务费(?:预算)?\s*(?:为|是|合计)?\s*{MONEY}"),
    ("carryover", "carryover", rf"上年结转结余\s*(?:为|是|合计)?\s*{MONEY}"),
    ("running_costs", "running_costs", rf"机关运行经费(?:财政拨款)?(?:预算)?\s*(?:为|是)?\s*{MONEY}"),
]
_RESTATEMENT_RES = [(k, s, re.compile(p)) for k, s, p in RESTATEMENTS]


def _restatements(part3: list[Para]) -> list[dict]:
    found: dict[str, dict] = {}
    # Each pattern reads only its section's paragraphs; a paragraph's text
    # without its numbering is made once, whichever patterns read it.
    in_section: dict[str, list[Para]] = {}
    for p in part3:
        if not p.heading:
            for k in dict.fromkeys((p.key, p.sub_key)):
                in_section.setdefault(k, []).append(p)
    bodies: dict[int, str] = {}
    for key, section, pattern in _RESTATEMENT_RES:
        for p in in_section.get(section, ()):
            if key in found:
                break
            body = bodies.get(id(p))
            if body is None:
                body = bodies[id(p)] = NUMBERING.sub("", p.text, count=1)
            m = pattern.search(body)
            if m:
                pos = m.start() + len(p.text) - len(body)
                found[key] = {"key": key, "amount": _amount(m), "source_line": p.line_at(pos),
                              "text": tidy(_sentence(p.text, pos))}
    return list(found.values())


# ---------------------------------------------------------------- yoy changes

# "比上年预算减少 87.63 万元，下降 12.24%" (the percentage may be missing) or
# "比上年预算持平" / "与上年持平". "较上年"/"与上年相比" count only with a
# percentage: reasons use "较上年增加 X 万元" loosely for their own figures.
YOY = re.compile(
    rf"(?P<cmp>比上年|较上年|与上年(?:预算)?相比)(?:预算数?)?\s*[，,]?\s*(?P<dir>增加|减少)\s*(?P<chg>{NUM})\s*(?P<unit>万元|元)"
    rf"(?:\s*[，,、]?\s*(?P<pdir>增长|下降|增加|减少|上升|降低)\s*(?P<pct>{NUM})\s*[%％])?"
    rf"|(?:比|与)上年(?:预算数?)?\s*(?P<flat>持平|未变化|无变化|没有变化)"
)
# A sub-item after "其中：" in the 三公 sentence: "公务接待费减少 0.16 万元，下降 35.56%".
SUB_ITEM = re.compile(
    rf"(?P<subject>[^，,；;：:。\d]{{2,30}}?)\s*(?P<dir>增加|减少)\s*(?P<chg>{NUM})\s*(?P<unit>万元|元)"
    rf"\s*[，,]\s*(?P<pdir>增长|下降|增加|减少|上升|降低)\s*(?P<pct>{NUM})\s*[%％]"
)
SUB_ITEMS_FOLLOW = re.compile(r"^\s*[，,]?\s*其中\s*[:：]")
REASON = re.compile(r"(?:主要)?原因(?:是|为|在于)?\s*[:：]?\s*")
# Any "比上年…增加/减少": counted to notice the ones YOY could not read.
YOY_MENTION = re.compile(r"比上年(?:预算数?)?\s*(?:增加|减少)")
# "name X 万元" pairs (for subjects whose amount is stated in an earlier sentence).
NAMED_AMOUNT = re.compile(rf"(?P<name>[^，,；;：:。]+?)\s*(?:数)?\s*(?:为|是)?\s*{MONEY}")
NEGATIVE = ("减少", "下降", "降低")


@dataclass
class _Change:
    m: re.Match
    start: int            # where its clause (subject) starts
    subject: str
    amount: float | None


def _yoy_changes(part3: list[Para], problems: list) -> list[dict]:
    rows: list[dict] = []
    stated_by_section: dict[str, dict[str, float]] = {}

    def stated(key: str) -> dict[str, float]:
        """The section's stated amounts, read only when a change needs them."""
        if key not in stated_by_section:
            stated_by_section[key] = _stated_amounts([q for q in part3 if q.key == key and not q.heading])
        return stated_by_section[key]

    for p in part3:
        if p.heading:
            continue
        changes = _changes_in(p.text)
        _note_unread(p, changes, problems)
        for i, c in enumerate(changes):
            end = changes[i + 1].start if i + 1 < len(changes) else len(p.text)
            amount = c.amount if c.amount is not None else stated(p.key).get(norm(c.subject))
            rows.append(_yoy_row(p, c, amount, _reason(p.text[c.m.end():end])))
    return rows


def _changes_in(text: str) -> list[_Change]:
    changes: list[_Change] = []
    for m in YOY.finditer(text):
        if m.group("cmp") and not m.group("cmp").startswith("比") and not m.group("pct"):
            continue
        floor = changes[-1].m.end() if changes else 0
        start = _clause_start(text, m.start(), floor)
        subject, amount = _subject_and_amount(text[start:m.start()])
        if not subject and start > floor:
            # "…预算数为 X 万元。比上年…": the subject is in the sentence before.
            start = _clause_start(text, start - 1, floor)
            subject, amount = _subject_and_amount(text[start:m.start()])
        changes.append(_Change(m, start, subject, amount))
        tail = text[m.end():]
        if SUB_ITEMS_FOLLOW.match(tail):
            changes += _sub_items(text, m.end())
    return changes


def _sub_items(text: str, offset: int) -> list[_Change]:
    """The items listed after "其中：", up to the next 比上年 sentence."""
    nxt = YOY.search(text, offset)
    stop = nxt.start() if nxt else len(text)
    return [_Change(m, m.start("subject"), m.group("subject").strip(), None)
            for m in SUB_ITEM.finditer(text, offset, stop)]


CLAUSE_END = re.compile(r"[。；;]|其中\s*[:：]")


def _clause_start(text: str, pos: int, floor: int) -> int:
    """Start of the clause that ends at `pos`: after the last 。/；/其中： before it."""
    start = floor
    for m in CLAUSE_END.finditer(text[floor:pos]):
        start = floor + m.end()
    return start


def _subject_and_amount(clause: str) -> tuple[str, float | None]:
    m = MONEY_RE.search(clause)
    if m is None:
        return _clean_subject(clause), None
    return _clean_subject(clause[:m.start()]), money(m.group("num"), m.group("unit"))


# "…（项）：2026 年预算数为" → the subject is before the colon.
SUBJECT_COLON = re.compile(r"\s*[:：]\s*(?:\d{4}\s*年)?\s*(?:预算数?|金额)?\s*(?:为|是)?\s*$")
SUBJECT_IS = re.compile(r"\s*(?:预算数|数)?\s*(?:为|是)\s*$")          # "…经费数为"
# "昌吉…局 2026 年的机关运行经费…" → drop the department and year in front.
SUBJECT_YEAR = re.compile(r"^.*?\d{4}\s*年度?的?\s*(?=\S)")
SUBJECT_FISCAL = re.compile(r"^财政拨款(?=[“\"‘'])")              # 财政拨款“三公”经费 → “三公”经费
SUBJECT_BUDGET = re.compile(r"(?<=经费)(?:财政拨款)?预算$")        # 机关运行经费财政拨款预算 → 机关运行经费


@lru_cache(maxsize=1 << 14)   # pure; the same clauses are cleaned for every section
def _clean_subject(raw: str) -> str:
    s = NUMBERING.sub("", raw.strip(), count=1)
    for pattern in (SUBJECT_COLON, SUBJECT_IS, SUBJECT_YEAR, SUBJECT_FISCAL, SUBJECT_BUDGET):
        s = pattern.sub("", s)
    return tidy(s.strip("，,：: "))


def _stated_amounts(paras: list[Para]) -> dict[str, float]:
    """norm(subject) → amount, from "X 万元" pairs in the section's sentences
    (e.g. "“三公”经费数为 10.29 万元，其中：因公出国（境）费用 0.00 万元…")."""
    amounts: dict[str, float] = {}
    for p in paras:
        for m in _named_amounts(p.text):
            name = norm(_clean_subject(m.group("name")))
            if name and name not in amounts:
                amounts[name] = money(m.group("num"), m.group("unit"))
    return amounts


NAME_STOP = re.compile(r"[，,；;：:。]")   # the characters a NAMED_AMOUNT name cannot hold


def _named_amounts(text: str):
    """The matches of NAMED_AMOUNT.finditer(text), found in linear time: when
    no match starts at i, none starts later in the same clause either (its name
    would be a suffix of one already tried), so go on after the next stop."""
    pos = 0
    while pos < len(text):
        m = NAMED_AMOUNT.match(text, pos)
        if m:
            yield m
            pos = m.end()
            continue
        stop = NAME_STOP.search(text, pos)
        if stop is None:
            return
        pos = stop.end()


def _reason(rest: str) -> str | None:
    m = REASON.search(rest)
    if not m:
        return None
    return tidy(rest[m.end():].strip().rstrip("。；;，, ")) or None


def _yoy_row(p: Para, c: _Change, amount: float | None, reason: str | None) -> dict:
    m = c.m
    if m.groupdict().get("flat"):
        change, pct, direction = 0.0, None, "unchanged"
    else:
        change = money(m.group("chg"), m.group("unit"))
        change = -change if m.group("dir") in NEGATIVE else change
        pct = money(m.group("pct")) if m.group("pct") else None
        if pct is not None and m.group("pdir") in NEGATIVE:
            pct = -pct
        # "增加 0.00 万元" is the template's way of saying nothing changed.
        direction = "unchanged" if change == 0 else ("increase" if change > 0 else "decrease")
    previous = round(amount - change, 2) if amount is not None else None
    return {"section": p.where, "subject": c.subject, "amount": amount, "direction": direction,
            "change": change, "change_pct": pct, "previous_amount": previous, "reason": reason,
            "source_line": p.line_at(c.start)}


def _note_unread(p: Para, changes: list[_Change], problems: list) -> None:
    read = [(c.m.start(), c.m.end()) for c in changes]
    for m in YOY_MENTION.finditer(p.text):
        if not any(a <= m.start() < b for a, b in read):
            problems.append((p.line_at(m.start()),
                             f"未能读取比上年变化（缺少金额或百分比）：{tidy(_sentence(p.text, m.start()))[:80]}"))


# ---------------------------------------------------------------- procurement

PROCUREMENT: dict[str, re.Pattern] = {
    # 政府采购预算总额为 / …预算总金额为 / …支出预算总额 (江苏) / 政府采购安排 (广州) /
    # 政府采购金额（以合同签订为准）为 (决算)
    "total": re.compile(rf"政府采购(?:支出)?(?:预算)?(?:总额|合计|总金额|金额|安排)?(?:[（(][^）)]{{0,12}}[)）])?\s*(?:为|共|是)?\s*{MONEY}"),
    # 货物类采购预算 / 政府采购货物预算 / 货物类政府采购支出预算 / 拟购买货物 / 拟采购货物支出 (江苏)
    **{key: re.compile(rf"(?:{word}(?:类)?(?:政府)?(?:采购)?(?:支出)?预算|拟(?:购买|采购){word}(?:支出)?)"
                       rf"\s*(?:为|是)?\s*{MONEY}")
       for key, word in (("goods", "货物"), ("works", "工程"), ("services", "服务"))},
    "sme_reserved": re.compile(rf"面向中小企业预留(?:政府采购)?(?:项目)?(?:预算)?(?:金额)?\s*(?:为|是)?\s*{MONEY}"),
    "small_micro_reserved": re.compile(rf"小微企业预留(?:政府采购)?(?:项目)?(?:预算)?(?:金额)?\s*(?:为|是)?\s*{MONEY}"),
}
# "未安排政府采购预算" / "无政府采购预算": stated as none, not a problem.
NO_PROCUREMENT = re.compile(r"(?:无|没有|未安排)政府采购")


def _procurement(part3: list[Para], problems: list) -> list[dict]:
    paras = [p for p in part3 if not p.heading
             and (p.under("procurement") or "政府采购" in p.text or "拟购买" in p.text or "拟采购" in p.text)]
    row: dict = {}
    for p in paras:
        for key, pattern in PROCUREMENT.items():
            m = pattern.search(p.text)
            if m and key not in row:
                row[key] = _amount(m)
                row.setdefault("source_line", p.line_at(m.start()))
    if "total" not in row:
        if paras and not any(NO_PROCUREMENT.search(p.text) for p in paras):
            problems.append((paras[0].line, "“政府采购情况”未能读出政府采购预算总额"))
        return []
    return [{k: row.get(k) for k in ("total", "goods", "works", "services", "sme_reserved",
                                     "small_micro_reserved", "source_line")}]


# --------------------------------------------------------------------- assets

AS_OF = re.compile(r"截至\s*(?P<date>\d{4}\s*年\s*(?:底|末|年底|\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?))")
AREA_UNIT = r"(?:平方米|㎡|m²|m2)"
BUILDING = re.compile(rf"房屋(?:建筑物)?\s*(?:面积)?\s*(?:共|为)?\s*(?P<area>{NUM})\s*{AREA_UNIT}\s*[，,]?\s*(?:价值\s*{MONEY})?")
# "车辆 4 辆，价值 90.12 万元" and each kind "一般公务用车 4 辆，价值 90.12 万元".
VEHICLES = re.compile(rf"(?P<name>[\u4e00-\u9fff（）()]+?)\s*(?P<n>\d+)\s*辆\s*[，,]?\s*(?:价值\s*{MONEY})?")
FURNITURE = re.compile(rf"办公家具\s*(?:价值)?\s*(?:为)?\s*{MONEY}")
OTHER_ASSETS = re.compile(rf"其他资产\s*(?:价值)?\s*(?:为)?\s*{MONEY}")
# "单价 50 万元以上大型设备 0 台" (existing) or after "安排购置" (planned this year).
EQUIPMENT = re.compile(r"(?P<name>(?:单价|单位价值)\s*(?:在)?\s*(?P<th>\d+)\s*万元(?:[（(]含[)）])?以上的?\s*(?:大型|通用|专用)*设备)"
                       r"\s*(?:共|为)?\s*(?P<n>\d+)\s*(?:台[（(]套[)）]|台|套)")
VEHICLE_TOTAL = re.compile(r"(?:共|合计|总计)$")
WHITESPACE = re.compile(r"\s+")
VEHICLE_KINDS: dict[str, str] = {
    "车辆": "vehicles",
    "一般公务用车": "vehicles_general",
    "执法执勤用车": "vehicles_enforcement",
    "特种专业技术用车": "vehicles_special",
    "其他车辆": "vehicles_other",
    "其他用车": "vehicles_other",
    "主要领导干部用车": "vehicles_leadership",
    "机要通信用车": "vehicles_confidential",
    "应急保障用车": "vehicles_emergency",
    "离退休干部服务用车": "vehicles_retiree",
}


def _assets(part3: list[Para], problems: list) -> list[dict]:
    paras = [p for p in part3 if p.under("assets") and not p.heading]
    if not paras:
        return []
    as_of = next((WHITESPACE.sub("", m.group("date")) for p in paras if (m := AS_OF.search(p.text))), None)
    rows: list[dict] = []
    for p in paras:
        rows += _assets_in(p)
    for r in rows:
        r["as_of"] = as_of
    if not rows:
        problems.append((paras[0].line, "“国有资产占用使用情况”未能读出房屋、车辆或设备数据"))
    return rows


# Where a paragraph turns from what is held to what is to be bought.
PLANNED = re.compile(r"(?:安排|拟|计划)\s*购置")


def _assets_in(p: Para) -> list[dict]:
    """Holdings, then planned purchases (`安排购置…`), of one paragraph: a
    car or device to be bought is a `planned_` item, never a holding."""
    m = PLANNED.search(p.text)
    cut = m.start() if m else len(p.text)
    return _held(p, p.text[:cut], 0) + _planned(p, p.text[cut:], cut)


def _planned(p: Para, text: str, offset: int) -> list[dict]:
    rows = [_asset(p, m, f"planned_equipment_{m.group('th')}", norm(m.group("name")), float(m.group("n")), "台", None,
                   offset) for m in EQUIPMENT.finditer(text)]
    for m in VEHICLES.finditer(text):
        if norm(m.group("name")).endswith(("车辆", "公务用车", "用车")):
            rows.append(_asset(p, m, "planned_vehicles", "车辆", float(m.group("n")), "辆", None, offset))
    return rows


def _held(p: Para, text: str, offset: int) -> list[dict]:
    rows = [_asset(p, m, f"equipment_{m.group('th')}", norm(m.group("name")), float(m.group("n")), "台", None, offset)
            for m in EQUIPMENT.finditer(text)]
    if m := BUILDING.search(text):
        rows.append(_asset(p, m, "building", "房屋", money(m.group("area")), "平方米",
                           _amount(m) if m.group("num") else None, offset))
    for m in VEHICLES.finditer(text):
        name = VEHICLE_TOTAL.sub("", NUMBERING.sub("", m.group("name")))
        key = VEHICLE_KINDS.get(norm(name)) or ("vehicles_kind" if name.endswith(("车", "车辆")) else None)
        if key:
            rows.append(_asset(p, m, key, name, float(m.group("n")), "辆",
                               _amount(m) if m.group("num") else None, offset))
    for pattern, key, name in ((FURNITURE, "furniture", "办公家具"), (OTHER_ASSETS, "other_assets", "其他资产")):
        if m := pattern.search(text):
            rows.append(_asset(p, m, key, name, None, None, _amount(m), offset))
    return rows


def _asset(p: Para, m: re.Match, item: str, name: str, quantity, quantity_unit, value, offset: int = 0) -> dict:
    return {"as_of": None, "item": item, "item_name": name, "quantity": quantity,
            "quantity_unit": quantity_unit, "value": value, "source_line": p.line_at(offset + m.start())}


# ----------------------------------------------------------- project details

# "（一）项目名称：机关运行补助经费" (numbering optional).
PROJECT_HEADING = re.compile(rf"^(?:[（(]\s*{NUMERAL}\s*[)）]|{NUMERAL}\s*[、.．](?!\d))?\s*项目名称\s*[:：]\s*(?P<name>.+)$")
PROJECT_FIELDS: list[tuple[str, str]] = [
    ("政策依据", "policy_basis"),       # 设立的政策依据
    ("预算安排规模", "budget"),
    ("安排规模", "budget"),
    ("承担单位", "implementing_unit"),  # 项目承担单位
    ("资金分配", "allocation"),         # 资金分配情况
    ("执行时间", "period"),             # 资金执行时间
]
DETAIL_COLUMNS = ["project", "policy_basis", "budget", "implementing_unit", "allocation", "period",
                  "is_withheld", "source_line"]


def _project_details(part3: list[Para], problems: list) -> list[dict]:
    blocks: list[dict] = []
    current_field: str | None = None
    for p in part3:
        if p.key != "gpb_projects":
            continue
        m = PROJECT_HEADING.match(p.text)
        if m:
            blocks.append({"project": tidy(m.group("name")), "source_line": p.line})
            current_field = None
        elif blocks and not p.heading:
            current_field = _add_project_text(blocks[-1], p.text, current_field)
    return [_finish_project(b, problems) for b in blocks]


def _add_project_text(block: dict, text: str, current: str | None) -> str | None:
    """Put a paragraph into its labelled field; unlabelled paragraphs continue
    the field above; labels outside the schema (补贴标准 …) are skipped."""
    m = LABEL.match(text)
    if m:
        label = m.group("label")
        current = next((key for needle, key in PROJECT_FIELDS if needle in label), None)
        text = m.group("value")
    if current:
        block[current] = (block[current] + "\n" + text) if current in block else text
    return current


def _finish_project(block: dict, problems: list) -> dict:
    row = {k: block.get(k) for k in DETAIL_COLUMNS}
    texts = [v for v in row.values() if isinstance(v, str)]
    row["is_withheld"] = any(WITHHELD in t for t in texts)
    for key in ("policy_basis", "implementing_unit", "allocation", "period"):
        row[key] = tidy(row[key]) if row[key] else None
    budget_text = block.get("budget") or ""
    m = MONEY_RE.search(budget_text)
    row["budget"] = money(m.group("num"), m.group("unit")) if m else None
    if row["budget"] is None and WITHHELD not in budget_text:
        problems.append((block["source_line"], f"项目“{row['project']}”未能读出预算安排规模"))
    return row


# -------------------------------------------------------------------- privacy

def _scrub(out: Narrative, contacts: list[privacy.Contact]) -> None:
    """Contact names and phone numbers never leave this module, even when a
    sentence elsewhere repeats them."""
    secrets = privacy.names(contacts)
    tables = (out.units, out.yoy_changes, out.procurement, out.assets, out.project_details,
              out.performance_targets, out.restatements)
    # One scan of all the text first: usually there is nothing to scrub. (No
    # secret holds whitespace and no phone number a newline, so joining by
    # newlines neither hides nor invents a hit.)
    every = "\n".join(v for rows in tables for row in rows for v in row.values() if isinstance(v, str))
    if not privacy.PHONE.search(every) and not any(s in every for s in secrets):
        return
    for rows in tables:
        for row in rows:
            for k, v in row.items():
                if isinstance(v, str):
                    row[k] = privacy.hide(v, secrets)
