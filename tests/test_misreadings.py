"""The misreadings an unseen 2025 Xinjiang disclosure exposed, each on an
edited copy of a sample: every one gave a `fail` the printed tables do not
have. Each test asserts what the edit prints is read, and that the document
still adds up."""
from __future__ import annotations

from conftest import sample
from test_template_variants import T7_ROWS, TEXT, parse


def fails(checks: dict) -> list[str]:
    return [k for k, c in checks.items() if c.status == "fail"]


def test_numbered_column_row_realigns_a_shifted_header(tmp_path):
    """表2's first header line printed one cell to the right of its columns
    (财政拨款结转 over the 非财政拨款结转结余 figures): the `※ … 1 2 …` row
    says where the columns are."""
    header = ("科目代码\t\t\t科目名称\t总计\t财政拨款（补助）\t\t\t\t\t\t财政专户 （教育收 费）\t单位资金\t"
              "财政拨款 结转\t非财政拨 款结转结 余")
    assert header in TEXT
    shifted = "\t" + header
    numbers = "※\t※\t※\t※\t" + "\t".join(str(i) for i in range(1, 12))
    lines = TEXT.split("\n")
    i = lines.index(header)
    lines[i] = shifted
    lines.insert(i + 2, numbers)
    doc, checks, _ = parse(tmp_path, "\n".join(lines))
    income = doc.tables["income"]
    assert "fiscal_carryover" in income.keys and "nonfiscal_carryover" in income.keys
    row = next(r for r in income.rows if r.code == "201")      # 397.43 is 财政拨款结转
    assert row.values["fiscal_carryover"] == 397.43 and "nonfiscal_carryover" not in row.values
    assert fails(checks) == []


def test_class_rows_with_codes_in_the_name_are_not_units(tmp_path):
    """表7 written with its codes inside the name cell (`201 一般公共服务支出`,
    `201 13 商贸事务`) and the class's name alone on a row above it."""
    rows = list(T7_ROWS)
    edited = [
        rows[0],
        "\t\t\t一般公共服务支出\t\t20.00\t\t17.32\t\t\t2.68\t\t\t\t\t",
        "\t\t\t201 一般公共服务支出\t\t20.00\t\t17.32\t\t\t2.68\t\t\t\t\t",
        "\t\t\t201 13 商贸事务\t\t20.00\t\t17.32\t\t\t2.68\t\t\t\t\t",
        *[r.replace("201\t13\t99\t其他商贸事务支出", "\t\t\t201 13 99 其他商贸事务支出") for r in rows[3:6]],
        rows[6],
    ]
    text = TEXT.replace("\n".join(rows), "\n".join(edited))
    assert text != TEXT
    doc, checks, _ = parse(tmp_path, text)
    t7 = doc.tables["gpb_projects"]
    assert {r.code for r in t7.rows if r.code} == {"201", "20113", "2011399"}
    assert [r.label for r in t7.rows if r.is_unit_row] == ["昌吉回族自治州工业和信息化局"]
    assert {r.unit_name for r in t7.rows if r.project} == {"昌吉回族自治州工业和信息化局"}
    assert checks["gpb_projects.total.total"].status == "pass"
    assert fails(checks) == []


def test_vehicle_line_printed_as_purchase_and_running_costs(tmp_path):
    """三公: `公务用车购置及运行费（小计）` is the vehicle line."""
    text = TEXT.replace("公务用车购置及运行维护费（小计）", "公务用车购置及运行费（小计）")
    assert text != TEXT
    doc, checks, _ = parse(tmp_path, text)
    assert doc.headline["three_public_vehicles"] == 10.00
    assert checks["three_public.items.total.total"].status == "pass"
    assert fails(checks) == []


def test_carryover_table_printed_as_a_detail_table(tmp_path):
    text = TEXT.replace("上年结转结余情况表", "上年结转结余情况明细表")
    doc, checks, _ = parse(tmp_path, text)
    assert doc.tables["carryover"].title == "上年结转结余情况明细表"
    assert doc.headline["n_carryover_projects"] == 8
    assert fails(checks) == []


def test_unit_list_with_a_dash_and_numbering(tmp_path):
    """机构设置 lists its units as `- 1、…本级`."""
    text = TEXT.replace("昌吉回族自治州工业和信息化局无下属预算单位。",
                        "本部门预算包括：\n- 1、昌吉回族自治州工业和信息化局本级")
    assert text != TEXT
    doc, _, _ = parse(tmp_path, text)
    assert [(u["unit_name"], u["is_self"]) for u in doc.narrative.units] == [("昌吉回族自治州工业和信息化局本级", True)]


def test_planned_purchases_are_not_holdings(tmp_path):
    """国有资产: the cars and equipment the department plans to buy (安排购置)
    are not cars and equipment it holds."""
    text = sample("阿图什").read_text(encoding="utf-8")
    line = "2026年部门预算未安排购置车辆经费,安排购置单价50万元以上大型设备0台,部门单价100万元以上大型设备0台。"
    assert line in text
    edited = text.replace(line, "2026年部门预算安排购置车辆2辆,安排购置单价50万元以上大型设备1台,部门单价100万元以上大型设备0台。")
    before, _, _ = parse(tmp_path, text)
    after, _, _ = parse(tmp_path, edited)

    def held(doc):
        return {a["item"]: a["quantity"] for a in doc.narrative.assets if not a["item"].startswith("planned_")}

    def planned(doc):
        return {a["item"]: a["quantity"] for a in doc.narrative.assets if a["item"].startswith("planned_")}

    assert held(after) == held(before) and held(after)["vehicles"] == 1
    assert planned(after)["planned_vehicles"] == 2 and planned(after)["planned_equipment_50"] == 1
