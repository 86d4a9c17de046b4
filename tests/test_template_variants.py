"""Layouts the samples don't show but other departments' files do: the parser
follows the template, not the samples. Each variant is made from a real sample
by a small, visible edit."""
from __future__ import annotations

from collections import Counter

from conftest import sample
from test_data import part2_amounts
from yusuan.checks import run_checks
from yusuan.document import parse_document
from yusuan.read import read_source

TEXT = sample("昌吉").read_text(encoding="utf-8")
T7_HEAD = "科目代码\t\t\t科目名称\t项目名称\t项目支出 合计"
T7_ROWS = [   # 表 7 body as printed (20.00 = 14.50 + 2.00 + 3.50), one unit
    "\t\t\t昌吉回族自治州工业和信息化局\t\t20.00\t\t17.32\t\t\t2.68\t\t\t\t\t",
    "201\t\t\t一般公共服务支出\t\t20.00\t\t17.32\t\t\t2.68\t\t\t\t\t",
    "201\t13\t\t商贸事务\t\t20.00\t\t17.32\t\t\t2.68\t\t\t\t\t",
    "201\t13\t99\t其他商贸事务支出\t机关运行补助经费\t14.50\t\t11.82\t\t\t2.68\t\t\t\t\t",
    "201\t13\t99\t其他商贸事务支出\t非公有制企业党建项目\t2.00\t\t2.00\t\t\t\t\t\t\t\t",
    "201\t13\t99\t其他商贸事务支出\t工业人才培养项目\t3.50\t\t3.50\t\t\t\t\t\t\t\t",
    "\t\t\t总计\t\t20.00\t\t17.32\t\t\t2.68\t\t\t\t\t",
]


def parse(tmp_path, text):
    path = tmp_path / "variant.txt"
    path.write_text(text, encoding="utf-8")
    doc = parse_document(read_source(path, tmp_path))
    return doc, {c.check_id: c for c in run_checks(doc)}, path


def test_total_first_column_numbers_and_function_code_header(tmp_path):
    lines = TEXT.split("\n")
    t3_total = lines.index("\t\t\t总计\t2,332.95\t608.70\t1,724.25")
    total = lines.pop(t3_total)
    header_end = lines.index("类\t款\t项\t\t合计\t基本支出\t项目支出")
    lines[header_end - 1] = lines[header_end - 1].replace("科目代码", "功能分类科目编码")
    lines[header_end + 1:header_end + 1] = ["※\t※\t※\t※\t1\t2\t3", total]
    doc, checks, path = parse(tmp_path, "\n".join(lines))
    t3 = doc.tables["expenditure"]
    assert t3.total("total") == 2332.95 and t3.total("basic") == 608.70
    assert doc.headline["project_expenditure"] == 1724.25
    assert checks["expenditure.total.total"].status == "pass"
    assert checks["cross.summary_vs_expenditure"].status == "pass"
    assert Counter(round(c.amount, 2) for t in doc.tables.values() for c in t.cells) == part2_amounts(path)


def test_table_split_over_pages_repeats_its_header(tmp_path):
    lines = TEXT.split("\n")
    t5_start = [i for i, l in enumerate(lines) if l == "一般公共预算支出情况表"][0]
    repeat = ["", "编制部门：昌吉回族自治州工业和信息化局", "", "单位：万元", ""] + \
        [l for l in lines[t5_start + 5:t5_start + 12] if l.strip()][:3]
    at = [i for i, l in enumerate(lines) if l == "210\t\t\t卫生健康支出\t44.20\t44.20\t" and i > t5_start][0]
    lines[at:at] = repeat
    doc, checks, path = parse(tmp_path, "\n".join(lines))
    t5 = doc.tables["gpb_expenditure"]
    assert len(t5.rows) == 18 and len([r for r in t5.rows if r.code]) == 17   # no header row read as data
    assert t5.total("total") == 628.09
    assert all(c.status != "fail" for c in checks.values())
    assert Counter(round(c.amount, 2) for t in doc.tables.values() for c in t.cells) == part2_amounts(path)


def test_units_grouped_in_table_7_and_wrapped_project_names(tmp_path):
    two_units = [
        "\t\t\t昌吉回族自治州工业和信息化局\t\t16.50\t\t13.82\t\t\t2.68\t\t\t\t\t",
        "201\t\t\t一般公共服务支出\t\t16.50\t\t13.82\t\t\t2.68\t\t\t\t\t",
        "201\t13\t\t商贸事务\t\t16.50\t\t13.82\t\t\t2.68\t\t\t\t\t",
        "201\t13\t99\t其他商贸事务支出\t机关运行补助经费\t14.50\t\t11.82\t\t\t2.68\t\t\t\t\t",
        "201\t13\t99\t其他商贸事务支出\t非公有制企业党建\t2.00\t\t2.00\t\t\t\t\t\t\t\t",
        "\t\t\t\t项目\t\t\t\t\t\t\t\t\t\t\t",
        "\t\t\t昌吉州中小企业服务中心\t\t3.50\t\t3.50\t\t\t\t\t\t\t\t",
        "201\t\t\t一般公共服务支出\t\t3.50\t\t3.50\t\t\t\t\t\t\t\t",
        "201\t13\t\t商贸事务\t\t3.50\t\t3.50\t\t\t\t\t\t\t\t",
        "201\t13\t99\t其他商贸事务支出\t工业人才培养项目\t3.50\t\t3.50\t\t\t\t\t\t\t\t",
        "\t\t\t总计\t\t20.00\t\t17.32\t\t\t2.68\t\t\t\t\t",
    ]
    text = TEXT.replace("\n".join(T7_ROWS), "\n".join(two_units))
    assert text != TEXT
    doc, checks, path = parse(tmp_path, text)
    t7 = doc.tables["gpb_projects"]
    assert [(r.unit_name, r.project) for r in t7.rows if r.project] == [
        ("昌吉回族自治州工业和信息化局", "机关运行补助经费"),
        ("昌吉回族自治州工业和信息化局", "非公有制企业党建项目"),
        ("昌吉州中小企业服务中心", "工业人才培养项目")]
    assert doc.headline["n_projects"] == 3
    assert checks["gpb_projects.total.total"].status == "pass"          # 总计 = sum of units
    assert checks["gpb_projects.unit.昌吉州中小企业服务中心.total"].status == "pass"
    assert checks["cross.gpb_project"].status == "pass"
    assert not [c for c in checks.values() if c.status == "fail"]


def test_missing_row_is_unknown_not_zero(tmp_path):
    """No number is invented: a headline whose row is absent stays empty,
    while a printed row with a blank cell (empty = zero) reads as 0."""
    assert "二、上年结转结余\t1,704.86\t219 援助其他地区支出\t\n" in TEXT
    text = TEXT.replace("二、上年结转结余\t1,704.86\t219 援助其他地区支出\t\n", "")
    text = text.replace("一、本年收入\t628.09\t", "一、本年收入\t\t")
    doc, checks, _ = parse(tmp_path, text)
    assert doc.headline["carryover"] is None
    assert doc.headline["current_year_income"] == 0.0
    assert checks["cross.summary.balance"].status == "pass"
