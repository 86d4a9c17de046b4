"""Domain words: every Chinese budget term mapped once to the English name used
in code, datasets and SQL. Other modules import these; none spells a mapping
of its own.
"""
from __future__ import annotations

import re
from functools import lru_cache

# Canonical table keys, the same whatever number a year or place prints.
# Matched against the table title (whitespace removed), first match wins.
TABLE_KEYS: list[tuple[str, str]] = [
    ("收支总体情况表", "summary"),               # 部门收支总体情况表 (表1)
    ("收入总体情况表", "income"),                 # 部门收入总体情况表 (表2)
    ("支出总体情况表", "expenditure"),            # 部门支出总体情况表 (表3)
    ("财政拨款收支预算总体情况表", "fiscal_summary"),  # 表4
    ("财政拨款收支总体情况表", "fiscal_summary"),
    ("一般公共预算基本支出情况表", "gpb_basic"),   # 表6
    ("一般公共预算项目支出情况表", "gpb_projects"),  # 表7
    ("一般公共预算支出情况表", "gpb_expenditure"),  # 表5
    ("政府性基金预算支出情况表", "gov_fund"),       # 表8
    ("国有资本经营预算支出情况表", "state_capital"),  # 表9
    ("三公", "three_public"),                      # 表10
    ("委托业务费", "entrusted_fees"),               # 表11 (2026 on)
    ("上年结转结余情况表", "carryover"),            # 表12 (表11 in 2025)
]

TABLE_TITLES = {
    "summary": "部门收支总体情况表",
    "income": "部门收入总体情况表",
    "expenditure": "部门支出总体情况表",
    "fiscal_summary": "财政拨款收支预算总体情况表",
    "gpb_expenditure": "一般公共预算支出情况表",
    "gpb_basic": "一般公共预算基本支出情况表",
    "gpb_projects": "一般公共预算项目支出情况表",
    "gov_fund": "政府性基金预算支出情况表",
    "state_capital": "国有资本经营预算支出情况表",
    "three_public": "财政拨款“三公”经费支出情况表",
    "entrusted_fees": "财政拨款委托业务费支出情况表",
    "carryover": "上年结转结余情况表",
}
STANDARD_TABLES = list(TABLE_TITLES)


_WHITESPACE = re.compile(r"\s+")


def table_key(title: str) -> str | None:
    t = _WHITESPACE.sub("", title)
    # 财政拨款收支…总体情况表 also contains 收支…总体情况表: test it first.
    if "财政拨款收支" in t and "总体情况表" in t:
        return "fiscal_summary"
    for needle, key in TABLE_KEYS:
        if needle in t:
            return key
    return None


# Column headers (leaf label, whitespace and paren width normalised) → key.
# A header path is matched leaf first, then with its parent for the leaves that
# repeat under several parents (小计, 人员经费 …).
COLUMN_KEYS: dict[str, str] = {
    "预算数": "amount",
    "合计": "total",
    "总计": "total",
    "项目支出合计": "total",
    "基本支出": "basic",
    "项目支出": "project",
    "人员经费": "personnel",
    "公用经费": "public_funds",
    "财政拨款（补助）小计": "fiscal_subtotal",
    "财政拨款（补助）": "fiscal_subtotal",
    "一般公共预算": "gpb",
    "上级一般公共预算安排的转移支付": "gpb_transfer",
    "政府性基金预算": "gov_fund",
    "政府性基金": "gov_fund",
    "上级政府性基金安排的转移支付": "gov_fund_transfer",
    "国有资本经营预算": "state_capital",
    "上级国有资本经营预算安排的转移支付": "state_capital_transfer",
    "财政专户（教育收费）": "special_account",
    "财政专户": "special_account",
    "财政专户管理资金": "special_account",
    "单位资金": "unit_funds",
    "财政拨款结转": "fiscal_carryover",
    "非财政拨款结转结余": "nonfiscal_carryover",
    "小计": "subtotal",
    # 经济分类 columns of table 7
    "工资福利支出": "wages",
    "商品和服务支出": "goods_services",
    "对个人和家庭的补助": "individual_family",
    "债务利息及费用支出": "debt_interest",
    "资本性支出（基本建设）": "capital_construction",
    "资本性支出": "capital",
    "对企业补助（基本建设）": "enterprise_construction",
    "对企业补助": "enterprise_subsidy",
    "对社会保障基金补助": "social_security_fund",
    "其他支出": "other",
}
# Parents that qualify repeated leaves (table 12: 财政拨款/小计 → fiscal_subtotal …).
COLUMN_PARENTS: dict[str, str] = {
    "财政拨款": "fiscal",
    "非财政拨款": "nonfiscal",
    "基本支出": "basic",
}


# Cached: a document normalises the same few thousand labels tens of thousands of times.
@lru_cache(maxsize=1 << 16)
def norm(text: str) -> str:
    """Header/label normal form: no whitespace, full-width parentheses."""
    t = _WHITESPACE.sub("", text)
    return t.replace("(", "（").replace(")", "）")


def column_key(path: list[str]) -> str:
    """Canonical key of a column from its header path (outermost first)."""
    leaf = norm(path[-1]) if path else ""
    key = COLUMN_KEYS.get(leaf)
    if key is None:
        key = "col_" + leaf
    prefix = [COLUMN_PARENTS[norm(p)] for p in path[:-1] if norm(p) in COLUMN_PARENTS]
    if key in ("subtotal", "personnel", "public_funds", "project", "basic") and prefix:
        parts = [p for p in prefix if p != key]
        return "_".join(parts + [key])
    return key


# Budget levels of the issuing government, for the home page and comparisons.
LEVELS = ["自治区", "州市", "县市"]

# Table 10 rows → item keys.
THREE_PUBLIC_ITEMS = [
    ("因公出国", "outbound"),
    ("公务接待", "reception"),
    ("公务用车购置及运行维护", "vehicles"),
    ("公务用车购置", "vehicle_purchase"),
    ("公务用车运行维护", "vehicle_operation"),
    ("总计", "total"),
    ("合计", "total"),
]


def three_public_item(label: str) -> str | None:
    t = norm(label).removeprefix("其中：").removeprefix("其中:")
    for needle, key in THREE_PUBLIC_ITEMS:   # longest needles first where they overlap
        if t.startswith(needle):
            return key
    return None


# Secret (withheld) projects: amounts public, purpose withheld.
SECRET_PROJECT = re.compile(r"^(特定目标|特定项目|\d{4}年特定项目)")
WITHHELD = "完全不予公开"


def is_secret_project(name: str) -> bool:
    n = norm(name)
    return bool(SECRET_PROJECT.match(n)) or "特定项目" in n or "特定目标" in n
