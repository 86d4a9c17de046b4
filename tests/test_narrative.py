"""Parts 1 and 3 of the real sample disclosures, read by yusuan.narrative.

Expected values were read off the sample files by hand (line numbers are the
files' own), not copied from the parser's output.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pytest

from yusuan.layout import to_rows
from yusuan.narrative import Narrative, parse_narrative
from yusuan.schema import BY_NAME

DISCLOSURES = Path(__file__).resolve().parents[1] / "content" / "disclosures"
ZIZHIQU = "新疆维吾尔自治区工业和信息化厅"
CHANGJI = "昌吉回族自治州"
ATUSHI = "阿图什市"
SAMPLES = [ZIZHIQU, CHANGJI, ATUSHI]


def _path(part: str) -> Path:
    (path,) = [p for p in DISCLOSURES.glob("*.txt") if part in p.name]
    return path


def _lines(part: str) -> list[str]:
    return _path(part).read_text(encoding="utf-8").split("\n")


@lru_cache(maxsize=None)
def parsed(part: str) -> Narrative:
    return parse_narrative(to_rows(_lines(part)))


def parse_text(text: str) -> Narrative:
    return parse_narrative(to_rows(text.split("\n")))


def one(rows: list[dict], **where) -> dict:
    found = [r for r in rows if all(r.get(k) == v for k, v in where.items())]
    assert len(found) == 1, (where, found)
    return found[0]


def _strings(n: Narrative):
    for rows in (n.units, n.yoy_changes, n.procurement, n.assets, n.project_details,
                 n.performance_targets, n.restatements):
        for row in rows:
            for value in row.values():
                if isinstance(value, str):
                    yield value
    for _, message in n.problems:
        yield message


# --------------------------------------------------------------- contract

DATASETS = ["units", "yoy_changes", "procurement", "assets", "project_details", "performance_targets"]


@pytest.mark.parametrize("part", SAMPLES)
@pytest.mark.parametrize("dataset", DATASETS)
def test_rows_have_exactly_the_schema_columns(part, dataset):
    expected = [c for c in BY_NAME[dataset].columns if c != "doc_id"]
    rows = getattr(parsed(part), dataset)
    assert rows
    for row in rows:
        assert sorted(row) == sorted(expected)
        assert isinstance(row["source_line"], int) and row["source_line"] >= 1


@pytest.mark.parametrize("part", SAMPLES)
def test_samples_read_without_problems(part):
    assert parsed(part).problems == []


# ------------------------------------------------------------------ units

def test_units_changji_with_staff_from_part_3():
    (unit,) = parsed(CHANGJI).units
    assert unit == {"unit_name": "昌吉回族自治州工业和信息化局", "is_self": True,
                    "staff_authorized": 30, "staff_actual": 25, "source_line": 88}


def test_units_without_staff():
    (unit,) = parsed(ZIZHIQU).units
    assert (unit["unit_name"], unit["is_self"], unit["staff_authorized"], unit["source_line"]) == \
        ("新疆维吾尔自治区工业和信息化厅本级", True, None, 18)
    (unit,) = parsed(ATUSHI).units
    assert (unit["unit_name"], unit["source_line"]) == ("阿图什市商务科技和工业信息化局", 102)


# ------------------------------------------------------------ yoy changes

# 比上年 sentences in part 3 (25 / 17 / 23) plus the four 三公 sub-items each.
@pytest.mark.parametrize("part,count", [(ZIZHIQU, 29), (CHANGJI, 21), (ATUSHI, 27)])
def test_yoy_row_counts(part, count):
    assert len(parsed(part).yoy_changes) == count


def test_yoy_changji_gpb():
    row = one(parsed(CHANGJI).yoy_changes, subject="一般公共预算")
    assert (row["amount"], row["change"], row["change_pct"], row["previous_amount"]) == \
        (628.09, -87.63, -12.24, 715.72)
    assert row["direction"] == "decrease"
    assert row["source_line"] == 448
    assert row["section"].startswith("二、关于昌吉回族自治州工业和信息化局")
    assert row["reason"] == "我单位本年度减少人员经费支出，减少机关运行保障经费"


def test_yoy_sentence_split_over_two_lines_is_joined():
    rows = parsed(CHANGJI).yoy_changes
    row = one(rows, subject="社会保障和就业支出（类）行政事业单位养老支出（款）机关事业单位职业年金缴费支出（项）")
    assert (row["amount"], row["change"], row["change_pct"]) == (26.00, -4.48, -14.70)
    assert row["source_line"] == 507
    assert row["reason"].startswith("我单位人员变动，2026 年度机关事业单位职业年金缴费")


def test_yoy_split_before_percent_and_before_reason():
    rows = parsed(ATUSHI).yoy_changes
    row = one(rows, subject="商业服务业等支出（类）涉外发展服务支出（款）其他涉外发展服务支出（项）")
    assert (row["amount"], row["change"], row["change_pct"], row["previous_amount"]) == (0.0, -10.0, -100.0, 10.0)
    assert row["source_line"] == 540
    row = one(rows, subject="社会保障和就业支出（类）行政事业单位养老支出（款）事业单位离退休（项）")
    assert (row["amount"], row["change"], row["direction"]) == (2.03, 0.0, "unchanged")
    assert row["reason"].startswith("事业退休人员工资没有变动原因")


def test_yoy_same_subject_in_two_sections():
    rows = [r for r in parsed(CHANGJI).yoy_changes if r["subject"] == "基本支出"]
    assert [(r["amount"], r["change"], r["change_pct"], r["source_line"]) for r in rows] == \
        [(608.70, -57.02, -8.57, 466), (608.09, -57.63, -8.66, 486)]
    assert rows[0]["section"].startswith("三、") and rows[1]["section"].startswith("五、")


def test_yoy_three_public_sub_items():
    rows = {r["subject"]: r for r in parsed(CHANGJI).yoy_changes if r["source_line"] == 579}
    assert list(rows) == ["“三公”经费", "因公出国（境）费用", "公务用车购置", "公务用车运行维护费", "公务接待费"]
    total = rows["“三公”经费"]
    assert (total["amount"], total["change"], total["change_pct"], total["reason"]) == (10.29, -0.16, -1.53, None)
    hosting = rows["公务接待费"]
    assert (hosting["amount"], hosting["change"], hosting["change_pct"], hosting["previous_amount"]) == \
        (0.29, -0.16, -35.56, 0.45)
    assert hosting["reason"].startswith("严格执行“中央八项规定”要求节约开支")
    running = rows["公务用车运行维护费"]
    assert (running["amount"], running["change"]) == (10.00, 0.0)
    assert running["reason"].endswith("所以此项目预算增长为 0.00%")


def test_yoy_three_public_reason_with_numbered_list_is_whole():
    rows = parsed(ATUSHI).yoy_changes
    row = one(rows, subject="公务用车运行维护费")
    assert (row["amount"], row["change"], row["change_pct"]) == (1.20, -1.20, -50.00)
    assert row["reason"].startswith("1、公务用车减少 1 辆")
    assert "4、我单位作为推广应用新能源公务用车主管部门" in row["reason"]
    assert "公务接待费" not in row["reason"]


def test_yoy_running_costs_and_large_numbers():
    rows = parsed(ZIZHIQU).yoy_changes
    row = one(rows, subject="机关运行经费")
    assert (row["amount"], row["change"], row["change_pct"], row["source_line"]) == (993.24, 64.73, 6.97, 2921)
    row = one(rows, subject="资源勘探工业信息等支出（类）工业和信息产业（款）一般行政管理事务（项）")
    assert (row["amount"], row["change"], row["change_pct"], row["previous_amount"]) == \
        (15063.00, 14418.00, 2235.35, 645.0)
    row = one(parsed(ATUSHI).yoy_changes, subject="上级一般公共预算安排的转移支付资金")
    assert (row["amount"], row["change"], row["change_pct"]) == (110.00, 100.00, 1000.00)


def test_yoy_multi_sentence_reason_kept_whole():
    row = one(parsed(ZIZHIQU).yoy_changes, subject="项目支出", source_line=2714)
    assert row["reason"].startswith("一是一般公共预算安排项目支出37,014.67万元")
    assert row["reason"].endswith("使用结转结余资金安排项目预算逐年减少。四是单位资金0.00万元，较上年减少5.76万元，主要为本年未安排国家级专家特殊津贴项目")


@pytest.mark.parametrize("part", SAMPLES)
def test_yoy_source_line_holds_the_subject(part):
    lines = _lines(part)
    for row in parsed(part).yoy_changes:
        assert row["subject"][:4] in lines[row["source_line"] - 1].replace(" ", ""), row


# ------------------------------------------------------------- procurement

@pytest.mark.parametrize("part,expected", [
    (ZIZHIQU, (8019.19, 4555.84, 90.33, 3373.03, 3857.40, 2987.34, 2923)),
    (CHANGJI, (319.68, 3.68, 0.00, 316.00, 319.68, 319.68, 619)),
    (ATUSHI, (287.95, 3.18, 3.00, 281.77, 287.95, 287.95, 642)),
])
def test_procurement(part, expected):
    (row,) = parsed(part).procurement
    keys = ("total", "goods", "works", "services", "sme_reserved", "small_micro_reserved", "source_line")
    assert tuple(row[k] for k in keys) == expected


# ------------------------------------------------------------------ assets

def _assets(part: str) -> dict[str, tuple]:
    return {r["item"]: (r["quantity"], r["quantity_unit"], r["value"]) for r in parsed(part).assets}


def test_assets_zizhiqu():
    assert _assets(ZIZHIQU) == {
        "building": (112484.19, "平方米", 16822.76),
        "vehicles": (38, "辆", 1066.18),
        "vehicles_general": (2, "辆", 35.96),
        "vehicles_enforcement": (0, "辆", 0.00),
        "vehicles_other": (36, "辆", 1030.22),
        "furniture": (None, None, 584.17),
        "other_assets": (None, None, 10963.81),
        "equipment_50": (0, "台", None),
        "equipment_100": (4, "台", None),
        "planned_equipment_50": (24, "台", None),
        "planned_equipment_100": (19, "台", None),
    }
    assert {r["as_of"] for r in parsed(ZIZHIQU).assets} == {"2025年底"}
    assert one(parsed(ZIZHIQU).assets, item="building")["source_line"] == 2927


def test_assets_changji_and_atushi():
    changji = _assets(CHANGJI)
    assert changji["building"] == (0.0, "平方米", 0.0)
    assert changji["vehicles"] == (4, "辆", 90.12)
    assert changji["vehicles_general"] == (4, "辆", 90.12)
    assert (changji["furniture"][2], changji["other_assets"][2]) == (25.02, 51.53)
    atushi = _assets(ATUSHI)
    assert atushi["vehicles"] == (1, "辆", 11.38)
    assert (atushi["furniture"][2], atushi["other_assets"][2]) == (28.04, 80.26)
    assert len(parsed(CHANGJI).assets) == len(parsed(ATUSHI).assets) == 11


# ------------------------------------------------------- project details

@pytest.mark.parametrize("part,count", [(ZIZHIQU, 22), (CHANGJI, 3), (ATUSHI, 4)])
def test_project_detail_counts(part, count):
    assert len(parsed(part).project_details) == count


def test_withheld_projects():
    rows = parsed(ZIZHIQU).project_details
    withheld = [r["project"] for r in rows if r["is_withheld"]]
    assert withheld == ["2026年特定项目JJC003", "特定目标10034D", "特定目标10087K", "特定目标10089T",
                        "特定目标10106A", "特定目标10107X", "特定目标10108H", "特定目标101095",
                        "特定目标10110G", "特定目标101114", "特定目标10112P"]
    secret = one(rows, project="特定目标10087K")
    assert (secret["budget"], secret["allocation"], secret["source_line"]) == (2100.00, "完全不予公开。", 2823)
    assert not any(r["is_withheld"] for r in parsed(CHANGJI).project_details + parsed(ATUSHI).project_details)


def test_project_detail_fields():
    row = one(parsed(CHANGJI).project_details, project="机关运行补助经费")
    assert (row["budget"], row["implementing_unit"], row["source_line"]) == \
        (14.50, "昌吉回族自治州工业和信息化局", 529)
    assert row["period"] == "2026 年 1 月 1 日-2026 年 12 月 31 日"
    assert "二、会计服务费政策依据：《购买记账服务合同》" in row["policy_basis"]   # a second paragraph
    row = one(parsed(ZIZHIQU).project_details, project="六十年代精简退职老职工生活补助费")
    assert row["budget"] == 19.01
    assert row["period"] == "2026年1月1日－2026年12月31日"          # labels outside the schema are not glued on
    row = one(parsed(ATUSHI).project_details, project="克财行【2025】46号：关于提前下发新疆人才发展基金2026年度第一轮支持资金")
    assert (row["budget"], row["allocation"]) == (110.00, "110万元新疆人才发展基金补助发放给克州润华纺织有限公司")


# ---------------------------------------------------- performance targets

@pytest.mark.parametrize("part,rows,tables", [(ZIZHIQU, 83, 8), (CHANGJI, 35, 3), (ATUSHI, 78, 7)])
def test_performance_target_counts(part, rows, tables):
    targets = parsed(part).performance_targets
    assert len(targets) == rows
    assert sorted({t["table_index"] for t in targets}) == list(range(1, tables + 1))


def test_department_table_with_six_columns_is_filled_down():
    targets = parsed(CHANGJI).performance_targets
    dept = [t for t in targets if t["scope"] == "department"]
    assert len(dept) == 4
    row = one(targets, source_line=657)
    assert (row["level1"], row["level2"], row["level3"], row["target_value"], row["weight"]) == \
        ("履职效能", "数量指标", "开展安全生产检查次数", ">=4 次", 30)
    assert (row["unit_name"], row["budget"], row["project"]) == ("昌吉回族自治州工业和信息化局", 2332.95, None)
    assert row["last_year_value"] is None and row["evidence"] is None


def test_damaged_rows_are_realigned():
    targets = parsed(CHANGJI).performance_targets
    shifted_right = one(targets, source_line=706)
    assert (shifted_right["level1"], shifted_right["level2"], shifted_right["level3"],
            shifted_right["target_value"], shifted_right["last_year_value"], shifted_right["weight"]) == \
        ("成本指标", "经济成本指标", "财务代理服务成本", "<=2500 元/月", "2500 元/月", 5)
    name_in_first_cell = one(targets, source_line=707)
    assert (name_in_first_cell["level1"], name_in_first_cell["level3"], name_in_first_cell["target_value"],
            name_in_first_cell["evidence"]) == ("成本指标", "办公设备采购成本", "<=2.68 万元", "原始凭证")
    continued = one(targets, source_line=708)       # line 710 holds the rest of its cells
    assert (continued["level3"], continued["target_value"], continued["weight"]) == ("项目审计成本", "<=4万元", 5)
    assert not [t for t in targets if t["source_line"] == 710]
    shifted_left = one(parsed(ATUSHI).performance_targets, source_line=744)
    assert (shifted_left["level1"], shifted_left["level2"], shifted_left["level3"], shifted_left["weight"],
            shifted_left["evidence"]) == ("产出指标", "时效指标", "开展活动及时率", 4, "工作资料")


def test_wrapped_words_are_rejoined():
    row = one(parsed(CHANGJI).performance_targets, source_line=686)
    assert (row["level1"], row["level2"], row["level3"]) == ("满意度指标", "满意度指标", "评审专家被投诉次数")


def test_cell_per_line_project_table():
    targets = parsed(ZIZHIQU).performance_targets
    assert {t["scope"] for t in targets} == {"project"}
    row = one(targets, source_line=2977)
    assert row == {
        "scope": "project", "table_index": 1, "project": "2026年园区专项资金",
        "unit_name": "新疆维吾尔自治区工业和信息化厅", "budget": 2000.00,
        "level1": "产出指标", "level2": "数量指标", "level3": "开展园区综合发展水平评估次数",
        "target_value": "=1次", "basis": "历史标准", "last_year_value": "1次", "weight": 10,
        "scoring_rule": "按照完成比例赋分", "evidence": "工作资料", "source_line": 2977,
    }
    row = one(targets, source_line=3160)
    assert (row["level1"], row["level2"], row["level3"]) == ("效益指标", "社会效益指标", "节能意识增强")


# ------------------------------------------------------------ restatements

EXPECTED_RESTATEMENTS = {
    ZIZHIQU: dict(total_budget=47024.76, income_total=47024.76, expenditure_total=47024.76,
                  basic_expenditure=8322.89, project_expenditure=38701.87, fiscal_total=45337.56,
                  gpb_total=45337.56, gpb_basic=8322.89, gpb_project=37014.67, personnel=7329.65,
                  public_funds=993.24, three_public=130.33, entrusted_fees=2556.13, carryover=1687.20,
                  running_costs=993.24),
    CHANGJI: dict(total_budget=2332.95, income_total=2332.95, expenditure_total=2332.95,
                  basic_expenditure=608.70, project_expenditure=1724.25, fiscal_total=628.09,
                  gpb_total=628.09, gpb_basic=608.09, gpb_project=20.00, personnel=532.25,
                  public_funds=75.84, three_public=10.29, entrusted_fees=9.25, carryover=1704.86,
                  running_costs=75.84),
    # 阿图什 has no 委托业务费: the text says so without a number.
    ATUSHI: dict(total_budget=6544.63, income_total=6544.63, expenditure_total=6544.63,
                 basic_expenditure=542.49, project_expenditure=6002.15, fiscal_total=832.49,
                 gpb_total=832.49, gpb_basic=542.49, gpb_project=290.00, personnel=535.85,
                 public_funds=6.64, three_public=1.20, carryover=5512.15, running_costs=6.64),
}


@pytest.mark.parametrize("part", SAMPLES)
def test_restatements(part):
    got = {r["key"]: r["amount"] for r in parsed(part).restatements}
    assert got == EXPECTED_RESTATEMENTS[part]


def test_restatement_provenance():
    rows = {r["key"]: r for r in parsed(CHANGJI).restatements}
    assert (rows["total_budget"]["source_line"], rows["total_budget"]["text"]) == (438, "收支总预算 2,332.95 万元。")
    assert rows["fiscal_total"]["source_line"] == 472
    assert rows["carryover"]["source_line"] == 593


# ----------------------------------------------------------------- privacy

PRIVATE = {
    CHANGJI: ["王焯", "13209947970", "刘雪亮", "樊羿希", "唐建平"],
    ATUSHI: ["太外库力", "17799081843", "买买提吐尔地·库尔班阿力"],
    ZIZHIQU: ["陈彦兵", "胡杰", "李长青", "宋四江", "李涛", "周吉阳", "刘宏建"],
}


@pytest.mark.parametrize("part", SAMPLES)
def test_no_contact_names_or_phones_in_output(part):
    text = "\n".join(_lines(part))
    for secret in PRIVATE[part]:
        assert secret in text          # the sample really holds it …
    for value in _strings(parsed(part)):
        for secret in PRIVATE[part]:
            assert secret not in value  # … and no output string does


def test_contact_repeated_in_prose_is_scrubbed():
    doc = SYNTHETIC.replace("主要原因是:人员增加", "主要原因是:张三丰（13812345678）调入")
    n = parse_text(doc)
    assert n.yoy_changes[0]["reason"] == "［已隐去］（［已隐去］）调入"
    assert all("张三丰" not in s and "13812345678" not in s for s in _strings(n))


# ------------------------------------------------- wording of other places

SYNTHETIC = """第一部分 部门概况
一、主要职能
（一）负责测试工作。
二、机构设置
乌鲁木齐市测试局下属预算单位包括：1.乌鲁木齐市测试局本级；2.乌鲁木齐市测试信息中心。
乌鲁木齐市测试局本级编制数15人，实有人数14人；乌鲁木齐市测试信息中心编制数5人，实有人数4人。
第二部分 部门预算公开表
表1
第三部分 部门预算情况说明
(一)关于乌鲁木齐市测试局2025年收入预算情况说明
一般公共预算1,234.50万元,占90.00%,比上年预算增加100.00万元,增长8.82%,主要原因是:人员增加。
(二)关于乌鲁木齐市测试局2025年支出预算情况说明
基本支出50.00万元,比上年预算持平。
项目支出 20.00 万元，比上年预算减少 5.00 万元，主要原因是项目调整。
1.其他重要事项的情况说明
(1)政府采购情况
2025年,乌鲁木齐市测试局政府采购预算1,000,000.00元,其中:政府采购货物预算500,000.00元,政府采购工程预算0.00元,政府采购服务预算500,000.00元。
项目支出绩效目标表
（2025年）
预算单位\t\t乌鲁木齐市测试局
项目名称\t\t测试培训项目\t\t项目负责人\t张三丰
项目资金(万元)\t\t年度预算总额\t20.00\t其中：财政拨款\t20.00\t其他资金\t0.00
项目总体目标\t\t完成培训。
一级指标\t二级指标\t三级指标\t指标值\t指标值设置依据\t上年完成值\t指标分值权重\t指标赋分规则\t佐证资料
产出指标\t数量指标\t培训人次\t>=100人\t计划标准\t/\t50\t按照完成比例赋分\t工作资料
\t\t培训天数\t>=2天\t计划标准\t/\t50\t按照完成比例赋分\t工作资料
第四部分 名词解释
"""


def test_other_wording_units_and_staff():
    units = parse_text(SYNTHETIC).units
    assert [(u["unit_name"], u["is_self"], u["staff_authorized"], u["staff_actual"]) for u in units] == [
        ("乌鲁木齐市测试局本级", True, 15, 14),
        ("乌鲁木齐市测试信息中心", False, 5, 4),
    ]


def test_other_wording_yoy():
    rows = parse_text(SYNTHETIC).yoy_changes
    assert [(r["subject"], r["amount"], r["direction"], r["change"], r["change_pct"]) for r in rows] == [
        ("一般公共预算", 1234.50, "increase", 100.00, 8.82),
        ("基本支出", 50.00, "unchanged", 0.0, None),
        ("项目支出", 20.00, "decrease", -5.00, None),
    ]
    assert rows[0]["reason"] == "人员增加"
    assert rows[0]["section"] == "(一)关于乌鲁木齐市测试局2025年收入预算情况说明"


def test_other_wording_procurement_in_yuan():
    (row,) = parse_text(SYNTHETIC).procurement
    assert (row["total"], row["goods"], row["works"], row["services"]) == (100.0, 50.0, 0.0, 50.0)


def test_other_wording_targets():
    rows = parse_text(SYNTHETIC).performance_targets
    assert [(r["level1"], r["level2"], r["level3"], r["weight"]) for r in rows] == [
        ("产出指标", "数量指标", "培训人次", 50), ("产出指标", "数量指标", "培训天数", 50)]
    assert rows[0]["project"] == "测试培训项目" and rows[0]["budget"] == 20.0


def test_unreadable_sections_are_problems_not_errors():
    doc = SYNTHETIC.replace("政府采购预算1,000,000.00元,其中:政府采购货物预算500,000.00元,政府采购工程预算0.00元,"
                            "政府采购服务预算500,000.00元。", "政府采购预算详见附表。")
    doc = doc.replace("比上年预算减少 5.00 万元", "比上年预算减少若干")
    n = parse_text(doc)
    assert n.procurement == []
    assert [line for line, _ in n.problems] == [14, 17]
    assert "比上年" in n.problems[0][1] and "政府采购" in n.problems[1][1]
    assert [r["subject"] for r in n.yoy_changes] == ["一般公共预算", "基本支出"]
    empty = parse_text("")
    assert (empty.units, empty.yoy_changes, empty.problems) == ([], [], [])


VARIANT = """目录
第一部分 部门概况
第三部分 部门预算情况说明
第一部分 部门概况
1、主要职能
（1）负责测试。
2、机构设置
本部门无下属预算单位。
第二部分 部门预算公开表
部门收支总体情况表
编制部门：喀什地区测试局
第三部分 部门预算情况说明
一、关于喀什地区测试局2025年收支预算情况总体说明
收支预算总额 300.00 万元。
五、关于喀什地区测试局2025年一般公共预算当年拨款情况说明
1.农林水支出（类）农业农村（款）行政运行（项）：2025年预算数为120.00万元。比上年预算减少
20.00 万元，下降 14.29%，主要原因是人员减少。
基本支出 100.00 万元，较上年增加 10.00 万元，增长 11.11%，主要原因是调资。
项目支出 50.00 万元，较上年增加 5.00 万元，主要为新增项目。
十三、其他重要事项的情况说明
（三）国有资产占用使用情况
截至2024年12月31日，喀什地区测试局占用使用国有资产总体情况为：
1.房屋 1,200.50㎡，价值 300.00 万元。
2.车辆共 3 辆，价值 60.00 万元；其中：特种专业技术用车 1 辆，价值 30.00 万元；其他车辆 2 辆，价值 30.00 万元。
单位价值 50 万元（含）以上通用设备 2 台（套）。
（四）预算绩效情况
部门整体绩效目标表
（2025年度）
部门名称\t\t喀什地区测试局
部门联系人\t\t李四\t联系电话\t0998-2123456
年度预算(万元)\t\t合计：\t300.00
一级指标\t二级指标\t三级指标\t指标值\t指标设定依据\t分值权重
履职效能\t数量指标\t检查次数\t>=4 次\t工作计划\t50
部门整体绩效目标表
（2025年度）
一级指标\t二级指标\t三级指标\t指标值\t指标设定依据\t分值权重
\t质量指标\t检查合格率\t=100%\t工作计划\t50
第四部分 名词解释
"""


def test_variant_department_named_from_the_tables():
    (unit,) = parse_text(VARIANT).units
    assert (unit["unit_name"], unit["is_self"], unit["source_line"]) == ("喀什地区测试局", True, 8)


def test_variant_yoy_wording():
    n = parse_text(VARIANT)
    assert [(r["subject"], r["amount"], r["change"], r["change_pct"], r["source_line"]) for r in n.yoy_changes] == [
        ("农林水支出（类）农业农村（款）行政运行（项）", 120.00, -20.00, -14.29, 16),
        ("基本支出", 100.00, 10.00, 11.11, 18),   # 较上年 with a percentage counts …
    ]                                              # … 较上年 without one (line 19) does not
    assert n.yoy_changes[0]["reason"] == "人员减少"
    assert {r["key"]: r["amount"] for r in n.restatements} == \
        {"total_budget": 300.00, "gpb_basic": 100.00, "gpb_project": 50.00}


def test_variant_assets():
    n = parse_text(VARIANT)
    assets = {r["item"]: (r["quantity"], r["value"]) for r in n.assets}
    assert assets == {"building": (1200.50, 300.00), "vehicles": (3, 60.00), "vehicles_special": (1, 30.00),
                      "vehicles_other": (2, 30.00), "equipment_50": (2, None)}
    assert {r["as_of"] for r in n.assets} == {"2024年12月31日"}


def test_variant_table_title_repeated_at_page_break_continues_the_table():
    n = parse_text(VARIANT)
    rows = n.performance_targets
    assert [(r["table_index"], r["level1"], r["level2"], r["level3"], r["budget"]) for r in rows] == [
        (1, "履职效能", "数量指标", "检查次数", 300.00), (1, "履职效能", "质量指标", "检查合格率", 300.00)]
    assert all("李四" not in s and "0998-2123456" not in s for s in _strings(n))
    assert n.problems == []
