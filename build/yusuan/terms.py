"""Domain words: every Chinese budget term mapped once to the English name used
in code, datasets and SQL. Other modules import these; none spells a mapping
of its own.

The template vocabulary — table titles and numbering, column headers, row
labels, document kinds — lives in `vocabulary.toml` beside this module, as
data: adding a province's wording is a change to that file.
"""
from __future__ import annotations

import re
import tomllib
from functools import lru_cache
from pathlib import Path

VOCABULARY_FILE = Path(__file__).parent / "vocabulary.toml"
_VOCABULARY = tomllib.loads(VOCABULARY_FILE.read_text(encoding="utf-8"))

# Canonical table keys and titles, whatever number and wording a year or place prints.
TABLE_TITLES: dict[str, str] = {k: v["title"] for k, v in _VOCABULARY["tables"].items()}
STANDARD_TABLES = list(TABLE_TITLES)
CORE_TABLES: dict[str, list[str]] = _VOCABULARY["table_groups"]["core"]
PROJECT_TABLES = frozenset(_VOCABULARY["table_groups"]["project_tables"])
FUNCTION_TABLES: list[str] = _VOCABULARY["table_groups"]["function_tables"]
ECONOMIC_TABLES: list[str] = _VOCABULARY["table_groups"]["economic_tables"]
NOT_BUDGET = "not_budget"   # a title that names a table, but not one read for amounts (绩效目标表)

# Document kinds: a budget (预算) or final accounts (决算), of a department or of one unit.
KINDS: list[tuple[str, list[str]]] = [(k["key"], k["words"]) for k in _VOCABULARY["kinds"]]
KIND_NAMES = [k for k, _ in KINDS]
DEPARTMENT_LABELS: list[str] = _VOCABULARY["document"]["department_labels"]


def is_final_accounts(kind: str) -> bool:
    return kind.endswith("决算")


_WHITESPACE = re.compile(r"\s+")
_QUOTES = str.maketrans("", "", "“”\"＂‘’'「」")


# Cached: a document normalises the same few thousand labels tens of thousands of times.
@lru_cache(maxsize=1 << 16)
def norm(text: str) -> str:
    """Header/label normal form: no whitespace, full-width parentheses."""
    t = _WHITESPACE.sub("", text)
    return t.replace("(", "（").replace(")", "）")


@lru_cache(maxsize=1 << 16)
def plain(text: str) -> str:
    """The form the vocabulary is matched in: `norm`, without quotes of any
    kind and with a full-width colon."""
    return norm(text).translate(_QUOTES).replace(":", "：")


# ------------------------------------------------------------------ tables

def _aliases() -> list[tuple[str, str]]:
    """(alias in plain form, key), longest first: the longest alias in a title wins."""
    out = {(plain(a), key) for key, spec in _VOCABULARY["tables"].items() for a in [*spec["aliases"], spec["title"]]}
    out |= {(plain(a), NOT_BUDGET) for a in _VOCABULARY["titles"]["not_budget_tables"]}
    return sorted(out, key=lambda x: (-len(x[0]), x[0]))


_TABLE_ALIASES = _aliases()
# Words that decide the table whatever else the title says (三公, 绩效).
_DECISIVE = [(plain(w), key) for key, spec in _VOCABULARY["tables"].items() for w in spec.get("decisive", [])] + \
    [(plain(w), NOT_BUDGET) for w in _VOCABULARY["titles"]["not_budget_decisive"]]
_NUMBERING = [re.compile(p) for p in _VOCABULARY["titles"]["numbering"]]
_TITLE_PREFIXES = [re.compile(p) for p in _VOCABULARY["titles"]["title_prefixes"]]
_CONTINUED = re.compile(r"[（(]?续表?[)）]?$")
_TRAILING_NOTE = re.compile(r"（[^（）]*）$")
_NOTE = re.compile(r"（[^（）]*）")


@lru_cache(maxsize=1 << 14)
def table_key(title: str) -> str | None:
    """The key of the table a title names (NOT_BUDGET for performance-target
    tables), or None. A decisive word wins (…“三公”经费及会议费、培训费支出预算表
    is the 三公 table, not a 支出预算表), then the longest vocabulary alias
    found in the title: 财政拨款收支预算总表 holds 收支预算总表 too. A note
    inside the name (西安: 政府采购（资产配置、购买服务）预算表) is read past when
    the title names no table with it."""
    t = plain(title)
    for word, key in _DECISIVE:
        if word in t:
            return key
    for text in (t, _NOTE.sub("", t)):
        for alias, key in _TABLE_ALIASES:
            if alias in text:
                return key
    return None


@lru_cache(maxsize=1 << 14)
def split_number(text: str) -> tuple[str, str]:
    """(number as printed, rest) for a text that starts with a table number
    (表1, 公开01表, 预算01表, 1., （一）, 一、 …); ("", text) otherwise."""
    t = plain(text)
    for pat in _NUMBERING:
        m = pat.match(t)
        if m:
            return m.group(1), t[m.end():]
    return "", t


@lru_cache(maxsize=1 << 14)
def is_title(text: str) -> tuple[str, str] | None:
    """(number, key) when a line of text is a table's title, else None.

    A title is short, ends in 表 (before any (续) or bracketed note such as
    （功能科目）) and names a table of the vocabulary. Contents-page lines
    (leaders, sentences) are not titles."""
    t = plain(text)
    if not t or len(t) > 60 or "…" in t or "..." in t or "。" in t or "，" in t:
        return None
    core = _CONTINUED.sub("", t)
    while core.endswith("）") and _TRAILING_NOTE.search(core):
        core = _TRAILING_NOTE.sub("", core)
    if not core.endswith("表"):
        return None
    key = table_key(t)     # with its note: （按支出经济分类科目） makes another table
    if key is None:
        return None
    number, _ = split_number(t)
    return number, key


def same_title(a: str, b: str) -> bool:
    """Two titles of one table: equal without their numbers, years, (续) and
    a department's name before one of them."""
    def words(t: str) -> str:
        t = _CONTINUED.sub("", split_number(t)[1])
        return _YEAR_ANYWHERE.sub("", t)
    wa, wb = words(a), words(b)
    return wa.endswith(wb) or wb.endswith(wa)     # one may name the department before the title


_YEAR_ANYWHERE = re.compile(r"20\d\d年度?")


@lru_cache(maxsize=1 << 14)
def number_only(text: str) -> str | None:
    """The number when a line holds a table number and nothing else (表1, 表 一, 公开表4, 预算01表)."""
    t = plain(text)
    if not t.startswith(("表", "附表", "公开", "预算")):
        return None
    number, rest = split_number(t)
    return number if number and not rest else None


# ----------------------------------------------------------------- columns

# Column headers (leaf label, plain form) → key; parents that qualify repeated leaves.
COLUMN_KEYS: dict[str, str] = {plain(k): v for k, v in _VOCABULARY["columns"].items()}
COLUMN_PARENTS: dict[str, str] = {plain(k): v for k, v in _VOCABULARY["column_parents"].items()}
LABEL_HEADERS: dict[str, frozenset[str]] = {
    role: frozenset(plain(x) for x in _VOCABULARY["label_columns"][role]) for role in ("code", "unit_code", "name", "project")}
CODE_HEADER_ENDINGS: tuple[str, ...] = tuple(_VOCABULARY["label_columns"]["code_endings"])
_COUNTS: tuple[str, ...] = tuple(_VOCABULARY["label_columns"]["counts"])


def is_count(column_label: str) -> bool:
    """A column of counts (数量, 人数 …), not money: its figures keep their printed value."""
    return any(word in column_label for word in _COUNTS)
_YEAR_PREFIX = re.compile(r"^20\d\d年度?")
# Measures whose 小计 column under them is the measure itself.
_SUMMED = {"basic", "project", "gpb", "gov_fund", "state_capital", "fiscal_subtotal", "special_account"}


def column_key(path: list[str]) -> str:
    """Canonical key of a column from its header path (outermost first)."""
    leaf = plain(path[-1]) if path else ""
    leaf = leaf.removeprefix("其中：")                                           # 其中：基本支出
    key = COLUMN_KEYS.get(leaf) or COLUMN_KEYS.get(_YEAR_PREFIX.sub("", leaf))   # 2026年预算数
    if key is None:
        key = "col_" + norm(path[-1] if path else "")
    if key in ("subtotal", "total") and len(path) > 1 and COLUMN_KEYS.get(plain(path[-2])) in _SUMMED:
        return COLUMN_KEYS[plain(path[-2])]    # 基本支出/小计 is the 基本支出 column
    prefix = [COLUMN_PARENTS[plain(p)] for p in path[:-1] if plain(p) in COLUMN_PARENTS]
    if key in ("subtotal", "personnel", "public_funds", "project", "basic") and prefix:
        parts = [p for p in prefix if p != key]
        return "_".join(parts + [key])
    return key


# --------------------------------------------------------- classifications

FUNCTION_CLASSES: dict[str, list[str]] = _VOCABULARY["function_classes"]
_CLASS_BY_NAME = {plain(n): code for code, names in FUNCTION_CLASSES.items() for n in names}


def function_class_of(name: str) -> str | None:
    """The 类 code of a function class named `name` (一般公共服务支出 → 201)."""
    return _CLASS_BY_NAME.get(plain_label(name))


# -------------------------------------------------------------------- rows

TOTAL_ROWS = frozenset(plain(x) for x in _VOCABULARY["rows"]["total_rows"])
ZERO_PLACEHOLDERS = frozenset(_VOCABULARY["rows"]["zero_placeholders"])
SUMMARY_ROWS: dict[str, list[str]] = {k: [plain(x) for x in v] for k, v in _VOCABULARY["summary_rows"].items()}
_LABEL_NUMBERING = re.compile(r"^(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[)）]|\d+[.．、](?!\d)|其中[:：])+")


@lru_cache(maxsize=1 << 14)
def plain_label(label: str) -> str:
    """A row label as rows are matched: plain form, numbering and 其中： dropped."""
    return _LABEL_NUMBERING.sub("", plain(label))


def is_total_label(label: str) -> bool:
    return plain_label(label) in TOTAL_ROWS


# 三公 table rows → item keys, longest needle first (公务用车购置及运行 before 公务用车购置).
THREE_PUBLIC_ITEMS = sorted(((plain(k), v) for k, v in _VOCABULARY["three_public_items"].items()),
                            key=lambda kv: -len(kv[0]))


THREE_PUBLIC_WHOLE = {plain(k): v for k, v in _VOCABULARY["three_public_whole_labels"].items()}


def three_public_item(label: str) -> str | None:
    t = plain_label(label)
    if t in THREE_PUBLIC_WHOLE:
        return THREE_PUBLIC_WHOLE[t]
    for needle, key in THREE_PUBLIC_ITEMS:
        if t.startswith(needle):
            return key
    return None


# Budget levels of the issuing government, for the home page and comparisons.
LEVELS: list[str] = _VOCABULARY["levels"]["names"]
PROVINCES: list[str] = _VOCABULARY["levels"]["provinces"]
COUNTY_LEVEL_CITIES: frozenset[str] = frozenset(_VOCABULARY["levels"]["county_level_cities"])


# Secret (withheld) projects: amounts public, purpose withheld.
SECRET_PROJECT = re.compile(r"^(特定目标|特定项目|\d{4}年特定项目)")
WITHHELD = "完全不予公开"


def is_secret_project(name: str) -> bool:
    n = norm(name)
    return bool(SECRET_PROJECT.match(n)) or "特定项目" in n or "特定目标" in n
