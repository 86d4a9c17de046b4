"""A small, realistic data folder for the site tests: three disclosures (one per
budget level), every dataset of schema.DATASETS in every published format.

Used until (and alongside) the real `yusuan data` output. One project name
carries HTML (`<script>`, `<img onerror>`) to prove the site escapes
document text everywhere.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from yusuan.schema import DATASETS

CONTENT = Path(__file__).resolve().parents[1] / "content"

EVIL_SCRIPT = "<script>alert(1)</script>招商引资专项经费"
EVIL_IMG = '<img src=x onerror=alert(1)>园区建设 & 运维"项目"'

DOCS = [
    # doc_id, department, level, scale (total budget, 万元), source name
    ("2026-xj-gxt", "新疆维吾尔自治区工业和信息化厅", "省级", 23456.78),
    ("2026-cj-gxj", "昌吉回族自治州工业和信息化局", "市级", 2332.95),
    ("2026-ats-swkj", "阿图什市商务科技和工业信息化局", "县级", 6544.63),
]

FUNCTION_TREE = [
    # code, name, share of total, basic share
    ("201", "一般公共服务支出", 0.55, 0.5),
    ("20113", "商贸事务", 0.55, 0.5),
    ("2011301", "行政运行", 0.30, 1.0),
    ("2011308", "招商引资", 0.25, 0.0),
    ("208", "社会保障和就业支出", 0.10, 1.0),
    ("20805", "行政事业单位养老支出", 0.10, 1.0),
    ("2080505", "机关事业单位基本养老保险缴费支出", 0.10, 1.0),
    ("215", "资源勘探工业信息等支出", 0.35, 0.0),
    ("21505", "工业和信息产业监管", 0.35, 0.0),
    ("2150599", "其他工业和信息产业监管支出", 0.35, 0.0),
]

ECONOMIC_TREE = [
    # code, name, share of basic, personnel?
    ("301", "工资福利支出", 0.80, True),
    ("30101", "基本工资", 0.30, True),
    ("30102", "津贴补贴", 0.35, True),
    ("30108", "机关事业单位基本养老保险缴费", 0.15, True),
    ("302", "商品和服务支出", 0.18, False),
    ("30201", "办公费", 0.08, False),
    ("30211", "差旅费", 0.10, False),
    ("303", "对个人和家庭的补助", 0.02, True),
    ("30302", "退休费", 0.02, True),
]


def r2(x: float) -> float:
    return round(x + 1e-9, 2)


def _level(code: str) -> str:
    return {3: "类", 5: "款", 7: "项"}[len(code)]


def _parent(code: str) -> str | None:
    return {3: None, 5: code[:3], 7: code[:5]}[len(code)]


def _rows(doc_id: str, dept: str, level: str, total: float, i: int, big: bool = False) -> dict[str, list[dict]]:
    carry = r2(total * 0.08)
    income = r2(total - carry)
    project = r2(total * 0.60)
    basic = r2(total - project)
    personnel = r2(basic * 0.82)
    public_funds = r2(basic - personnel)
    three = r2(total * 0.004)
    rows: dict[str, list[dict]] = {d.name: [] for d in DATASETS}
    line = 100

    def nl() -> int:
        nonlocal line
        line += 1
        return line

    names = ["省级工业发展专项资金", "中小企业发展专项资金", "特定目标类项目XXXXX", "信息化建设运维经费"]
    if i == 2:
        names = [EVIL_SCRIPT, EVIL_IMG, "特定目标类项目XXXXX", "商务发展专项资金"]
    shares = [0.45, 0.25, 0.2, 0.1]
    if big and i == 0:   # a very large department: hundreds of projects, checks and indicators
        names = names + [f"产业发展项目第{k:03d}号（含配套资金）" for k in range(300)]
        shares = [0.2, 0.1, 0.1, 0.1] + [0.5 / 300] * 300
    projects = []
    for name, share in zip(names, shares):
        amt = r2(project * share)
        secret = "特定目标" in name
        projects.append(dict(
            doc_id=doc_id, unit_name=f"{dept}本级", function_code="2011308", function_name="招商引资",
            project=name, is_secret=secret, total=amt, wages=0.0, goods_services=r2(amt * 0.7),
            individual_family=0.0, debt_interest=0.0, capital_construction=0.0, capital=r2(amt - r2(amt * 0.7)),
            enterprise_construction=0.0, enterprise_subsidy=0.0, social_security_fund=0.0, other=0.0,
            source_line=nl()))
    rows["projects"] = projects
    secret_amt = sum(p["total"] for p in projects if p["is_secret"])

    for code, name, share, bshare in FUNCTION_TREE:
        t = r2(total * share)
        for table_key in ("expenditure", "gpb_expenditure"):
            for measure, amt in (("total", t), ("basic", r2(t * bshare)), ("project", r2(t - r2(t * bshare)))):
                rows["function_lines"].append(dict(
                    doc_id=doc_id, table_key=table_key, code=code, level=_level(code), class_code=code[:3],
                    parent_code=_parent(code), name=name, measure=measure,
                    column_label={"total": "合计", "basic": "基本支出", "project": "项目支出"}[measure],
                    amount=amt, source_line=nl()))
    for code, name, share, is_personnel in ECONOMIC_TREE:
        amt = r2(basic * share)
        for measure, v in (("total", amt), ("personnel", amt if is_personnel else 0.0),
                           ("public_funds", 0.0 if is_personnel else amt)):
            rows["economic_lines"].append(dict(
                doc_id=doc_id, code=code, level="类" if len(code) == 3 else "款", parent_code=_parent(code) if len(code) == 5 else None,
                name=name, measure=measure, amount=v, source_line=nl()))

    sources = [("总计", "total", "合计", total), ("财政拨款（补助）/一般公共预算", "gpb", "一般公共预算", r2(income * 0.9)),
               ("财政专户", "special_account", "财政专户", 0.0), ("单位资金", "unit_funds", "单位资金", r2(income - r2(income * 0.9))),
               ("财政拨款结转", "fiscal_carryover", "财政拨款结转", carry), ("非财政拨款结转结余", "nonfiscal_carryover", "非财政拨款结转结余", 0.0)]
    for label, key, _short, amt in sources:
        rows["table_cells"].append(dict(
            doc_id=doc_id, table_no="2", table_key="income", table_title="部门收入总体情况表", row_no=1, row_label="总计",
            code=None, project=None, unit_name=None, column_label=label, column_key=key, amount=amt, source_line=nl()))
    for no, (label, amt) in enumerate((("本年收入", income), ("上年结转结余", carry), ("收入总计", total)), 1):
        rows["table_cells"].append(dict(
            doc_id=doc_id, table_no="1", table_key="summary", table_title="部门收支总体情况表", row_no=no, row_label=label,
            code=None, project=None, unit_name=None, column_label="预算数", column_key="amount", amount=amt, source_line=nl()))

    out, rec = r2(three * 0.2), r2(three * 0.3)
    purchase, operation = 0.0, r2(three - out - rec)
    for item, name, amt in (("total", "合计", three), ("outbound", "因公出国（境）费", out), ("reception", "公务接待费", rec),
                            ("vehicles", "公务用车购置及运行维护费", r2(purchase + operation)),
                            ("vehicle_purchase", "公务用车购置费", purchase), ("vehicle_operation", "公务用车运行维护费", operation)):
        rows["three_public"].append(dict(doc_id=doc_id, item=item, item_name=name, total=amt, gpb=amt, gov_fund=0.0,
                                         state_capital=0.0, source_line=nl()))
    entrusted = r2(total * 0.01)
    rows["entrusted_fees"].append(dict(doc_id=doc_id, unit_name=f"{dept}本级", project="第三方评估委托业务",
                                       is_secret=False, total=entrusted, gpb=entrusted, gov_fund=0.0, state_capital=0.0,
                                       source_line=nl()))
    for name, share in (("上年产业发展资金结转", 0.7), (names[0], 0.3)):
        amt = r2(carry * share)
        rows["carryover"].append(dict(
            doc_id=doc_id, unit_name=f"{dept}本级", project=name, is_secret=False, total=amt, fiscal_subtotal=amt,
            fiscal_basic_personnel=0.0, fiscal_basic_public_funds=0.0, fiscal_project=amt, nonfiscal_subtotal=0.0,
            nonfiscal_basic_personnel=0.0, nonfiscal_basic_public_funds=0.0, nonfiscal_project=0.0, source_line=nl()))
    rows["units"].append(dict(doc_id=doc_id, unit_name=f"{dept}本级", is_self=True, staff_authorized=40 + i,
                              staff_actual=38 + i, source_line=nl()))
    for subject, amt, change, reason in (("收支总预算", total, r2(-total * 0.05), "人员调整，项目资金减少"),
                                         ("基本支出", basic, r2(basic * 0.02), "人员工资调标"),
                                         ("“三公”经费", three, 0.0, "无变化")):
        prev = r2(amt - change)
        rows["yoy_changes"].append(dict(
            doc_id=doc_id, section="一、收支预算总体说明", subject=subject, amount=amt,
            direction="decrease" if change < 0 else ("increase" if change > 0 else "unchanged"),
            change=change, change_pct=round(change / prev * 100, 2) if prev else None, previous_amount=prev,
            reason=reason, source_line=nl()))
    proc = r2(total * 0.05)
    rows["procurement"].append(dict(doc_id=doc_id, total=proc, goods=r2(proc * 0.3), works=0.0, services=r2(proc * 0.7),
                                    sme_reserved=r2(proc * 0.4), small_micro_reserved=r2(proc * 0.3), source_line=nl()))
    for item, name, q, qu, v in (("building", "房屋", 1200.5, "平方米", None), ("vehicles", "车辆", 3, "辆", None),
                                 ("vehicles_general", "一般公务用车", 2, "辆", None), ("equipment_50", "单位价值50万元以上通用设备", 0, "台", None)):
        rows["assets"].append(dict(doc_id=doc_id, as_of="2025年底", item=item, item_name=name, quantity=q,
                                   quantity_unit=qu, value=v, source_line=nl()))
    n_target_tables = 60 if big and i == 0 else 1
    for table_index, k, (l1, l2, l3, val) in [(t, k, x) for t in range(1, n_target_tables + 1) for k, x in enumerate((("产出指标", "数量指标", "扶持企业数量", "≥20家"),
                                           ("产出指标", "质量指标", "资金拨付合规率", "100%"),
                                           ("效益指标", "经济效益指标", "带动企业投资", "≥5000万元"),
                                           ("满意度指标", "服务对象满意度指标", "企业满意度", "≥90%")))]:
        rows["performance_targets"].append(dict(
            doc_id=doc_id, scope="project", table_index=table_index, project=names[(table_index - 1) % len(names)], unit_name=f"{dept}本级",
            budget=projects[0]["total"], level1=l1, level2=l2, level3=l3, target_value=val, basis="计划标准",
            last_year_value=None, weight=25.0, scoring_rule="完成得满分", evidence="验收资料", source_line=nl()))
    rows["project_details"].append(dict(
        doc_id=doc_id, project=names[0], policy_basis="《关于促进工业发展的若干政策》", budget=projects[0]["total"],
        implementing_unit=f"{dept}本级", allocation="按项目分配", period="2026年1月至12月", is_withheld=False,
        source_line=nl()))
    rows["project_details"].append(dict(
        doc_id=doc_id, project="特定目标类项目XXXXX", policy_basis=None, budget=projects[2]["total"],
        implementing_unit=None, allocation=None, period=None, is_withheld=True, source_line=nl()))
    checks = [
        ("summary_balance", "表1 收入总计 = 支出总计", total, total, "pass", "summary", "120,140"),
        ("expenditure_basic_project", "表3 合计 = 基本支出 + 项目支出", total, r2(total + 0.01), "rounding", "expenditure", "201,202"),
        ("gpb_basic_vs_table6", "表5 基本支出 = 表6 总计", basic, basic, "pass", "gpb_expenditure,gpb_basic", "250,300"),
    ]
    if big and i == 0:
        checks += [(f"gpb_projects.row.total.{k}", f"表7 第{k}行：合计 = 各经济分类之和", 100.0 + k, 100.0 + k,
                    "pass", "gpb_projects", str(1000 + k)) for k in range(1200)]
    if i == 2:
        checks.append(("carryover_total", "表12 总计 = 表1 上年结转结余", carry, r2(carry + 12.5), "fail", "carryover,summary", "123,700"))
    for cid, desc, exp, act, status, tables, lines in checks:
        rows["checks"].append(dict(doc_id=doc_id, check_id=cid, description=desc, expected=exp, actual=act,
                                   difference=r2(act - exp), status=status, tables=tables, lines=lines))
    present = "summary,income,expenditure,fiscal_summary,gpb_expenditure,gpb_basic,gpb_projects,three_public,carryover"
    rows["documents"].append(dict(
        doc_id=doc_id, source_file=f"content/disclosures/{doc_id}.txt", sha256=f"{i:064x}", encoding="utf-8",
        department=dept, kind="部门预算", level=level, year=2026, doc_date=pd.Timestamp("2026-01-20").date() if i != 1 else None,
        unit="万元", total_budget=total, current_year_income=income, carryover=carry, basic_expenditure=basic,
        project_expenditure=project, gpb_total=r2(total * 0.9), gpb_basic=basic, gpb_project=r2(total * 0.9 - basic),
        personnel=personnel, public_funds=public_funds, three_public=three,
        entrusted_fees=entrusted if i != 1 else None, n_projects=len(projects), n_carryover_projects=2,
        secret_project_amount=secret_amt, n_secret_projects=1, n_performance_targets=4 if i != 1 else 0,
        tables_present=present, tables_empty="gov_fund,state_capital",
        tables_missing="entrusted_fees" if i == 1 else "", n_checks=len(checks),
        n_checks_failed=sum(c[4] == "fail" for c in checks)))
    return rows


def _aggregates(rows: dict[str, list[dict]]) -> None:
    docs = {d["doc_id"]: d for d in rows["documents"]}
    for line in rows["function_lines"]:
        if line["table_key"] != "expenditure" or line["level"] != "类" or line["measure"] != "total":
            continue
        d = docs[line["doc_id"]]
        same = [x for x in rows["function_lines"] if x["doc_id"] == d["doc_id"] and x["table_key"] == "expenditure"
                and x["code"] == line["code"]]
        m = {x["measure"]: x["amount"] for x in same}
        rows["function_class_totals"].append(dict(
            doc_id=d["doc_id"], department=d["department"], year=d["year"], class_code=line["code"],
            class_name=line["name"], total=m["total"], basic=m["basic"], project=m["project"],
            share_pct=round(m["total"] / d["total_budget"] * 100, 2), rank_in_department=None))
    for d in docs.values():
        mine = sorted((r for r in rows["function_class_totals"] if r["doc_id"] == d["doc_id"]), key=lambda r: -r["total"])
        for k, r in enumerate(mine, 1):
            r["rank_in_department"] = k
    classes: dict[str, dict] = {}
    for r in rows["function_class_totals"]:
        c = classes.setdefault(r["class_code"], dict(year=r["year"], class_code=r["class_code"], class_name=r["class_name"],
                                                    n_departments=0, total=0.0))
        c["n_departments"] += 1
        c["total"] = r2(c["total"] + r["total"])
    grand = sum(c["total"] for c in classes.values())
    for k, c in enumerate(sorted(classes.values(), key=lambda c: -c["total"]), 1):
        rows["function_class_summary"].append(dict(c, share_pct=round(c["total"] / grand * 100, 2), rank=k))
    ranked = sorted(docs.values(), key=lambda d: -d["total_budget"])
    per_10k = {d["doc_id"]: round(d["three_public"] / d["total_budget"] * 10000, 2) for d in docs.values()}
    for k, d in enumerate(ranked, 1):
        rows["department_ratios"].append(dict(
            doc_id=d["doc_id"], department=d["department"], level=d["level"], kind=d["kind"], year=d["year"],
            three_public_rank=1 + sum(v > per_10k[d["doc_id"]] for v in per_10k.values()), n_comparable=len(per_10k),
            total_budget=d["total_budget"], personnel_share_pct=round(d["personnel"] / d["gpb_basic"] * 100, 2),
            project_share_pct=round(d["project_expenditure"] / d["total_budget"] * 100, 2),
            carryover_share_pct=round(d["carryover"] / d["total_budget"] * 100, 2),
            three_public_per_10k=round(d["three_public"] / d["total_budget"] * 10000, 2),
            secret_share_pct=round(d["secret_project_amount"] / d["gpb_project"] * 100, 2),
            n_checks_failed=d["n_checks_failed"], rank_total_budget=k))
    rows["problems"].append(dict(source_file="content/disclosures/2026-cj-gxj.txt", line=512, severity="warning",
                                 message="绩效目标表未能完整解析"))


_DTYPES = {"string": "string", "integer": "Int64", "number": "float64", "boolean": "boolean"}


def frames(big: bool = False) -> dict[str, pd.DataFrame]:
    rows: dict[str, list[dict]] = {d.name: [] for d in DATASETS}
    for i, (doc_id, dept, level, total) in enumerate(DOCS):
        for name, part in _rows(doc_id, dept, level, total, i, big).items():
            rows[name].extend(part)
    _aggregates(rows)
    out = {}
    for ds in DATASETS:
        df = pd.DataFrame(rows[ds.name], columns=ds.columns)
        for f in ds.fields:
            if f.type in _DTYPES:
                df[f.name] = df[f.name].astype(_DTYPES[f.type])
        out[ds.name] = df
    return out


SOURCE_LINES = 2_500   # as many lines as the rows above cite (source_line up to ~2,200)


def source_text(doc_id: str, dept: str) -> str:
    head = (f"2026年{dept}部门预算公开\n\n第一部分 2026年部门概况\n一、主要职能\n"
            f"（1）本文件为测试样例 {doc_id}。<script>alert('src')</script>\n")
    return head + "".join(f"第 {n} 行\n" for n in range(6, SOURCE_LINES + 1))


def make_fixture(data_dir: Path, big: bool = False) -> Path:
    """Write every dataset of the contract (Parquet, CSV, XLSX, DuckDB,
    datapackage.json) and the source texts into data_dir. big: the first
    document gets 300+ projects, 1,200+ checks and 240 indicators."""
    data_dir.mkdir(parents=True, exist_ok=True)
    dfs = frames(big)
    for name, df in dfs.items():
        df.to_parquet(data_dir / f"{name}.parquet", index=False)
        df.to_csv(data_dir / f"{name}.csv", index=False)
    with pd.ExcelWriter(data_dir / "yusuan.xlsx", engine="openpyxl") as xw:
        for name, df in dfs.items():
            df.to_excel(xw, sheet_name=name[:31], index=False)
    db = data_dir / "yusuan.duckdb"
    db.unlink(missing_ok=True)
    con = duckdb.connect(str(db))
    for name in dfs:
        con.execute(f"create table {name} as select * from read_parquet('{data_dir / (name + '.parquet')}')")
    con.close()
    package = {"name": "yusuan", "title": "部门预算公开数据", "resources": [
        {"name": ds.name, "path": f"{ds.name}.csv", "title": ds.title, "description": ds.description,
         "schema": {"fields": [{k: v for k, v in (("name", f.name), ("type", f.type), ("title", f.title),
                                                  ("description", f.description), ("unit", f.unit)) if v}
                               for f in ds.fields]}}
        for ds in DATASETS]}
    (data_dir / "datapackage.json").write_text(json.dumps(package, ensure_ascii=False, indent=2), encoding="utf-8")
    (data_dir / "sources").mkdir(exist_ok=True)
    for doc_id, dept, _level, _total in DOCS:
        (data_dir / "sources" / f"{doc_id}.txt").write_text(source_text(doc_id, dept), encoding="utf-8")
    return data_dir


# Fixtures shared by test_site.py and test_browser.py (import them by name).

def build(data: Path, out: Path) -> Path:
    from yusuan.render.site import build_site

    site = out / "site"
    build_site(data, site, CONTENT, progress=lambda *_: None)
    return site


@pytest.fixture(scope="session")
def fixture_data(tmp_path_factory) -> Path:
    return make_fixture(tmp_path_factory.mktemp("fixture_data"), big=True)


@pytest.fixture(scope="session")
def fixture_site(fixture_data, tmp_path_factory) -> Path:
    return build(fixture_data, tmp_path_factory.mktemp("fixture_site"))


@pytest.fixture(scope="session")
def real_site(data_dir, tmp_path_factory) -> Path:
    return build(data_dir, tmp_path_factory.mktemp("real_site"))


@pytest.fixture(scope="session")
def multi_year_site(multi_year_data, tmp_path_factory) -> Path:
    """The site of conftest's multi_year_data: three departments, each with a
    document in 2024, 2025 and 2026 (so a 比上年 table across years)."""
    return build(multi_year_data, tmp_path_factory.mktemp("multi_year_site"))


# A site of real published PDFs (tests/real): a 决算 (上海普陀区财政局 2024), a
# 单位预算 beside the 部门预算 of the same office and year (普陀区政府办公室 2025), a document of two files (北京医疗保障局 2026),
# one with many reading problems (烟台民政局 2026) and a department across two
# years with its tables in a second file (江苏省委办公厅 2017, 2018).
REAL = Path(__file__).resolve().parent / "real"
REAL_PDFS = ["beijing", "yantai", "jiangsu/江苏省委办公厅", "shanghai-putuo/上海市普陀区财政局2024年度部门决算.pdf",
             "shanghai-putuo/上海市普陀区人民政府办公室单位25年预算.pdf", "shanghai-putuo/上海市普陀区人民政府办公室25年预算.pdf"]
BEIJING = "2026-beijingshiyiliaobaozhangju"
PUTUO_ACCOUNTS = "2024-shanghaishiputuoqucaizhengju-juesuan"
PUTUO_UNIT = "2025-shanghaishiputuoqurenminzhengfubangongshi-danwei"
YANTAI = "2026-yantaishiminzhengju"
JIANGSU_2018 = "2018-zhonggongjiangsushengweibangongting"


@pytest.fixture(scope="session")
def real_pdf_site(tmp_path_factory) -> Path:
    """`yusuan build` over REAL_PDFS; the folder holding content/, data/, site/."""
    import shutil

    from click.testing import CliRunner

    from yusuan.cli import main

    root = tmp_path_factory.mktemp("real_pdfs")
    content = root / "content"
    shutil.copytree(CONTENT / "pages", content / "pages")
    for rel in REAL_PDFS:
        src, dst = REAL / rel, content / "disclosures" / rel
        dst.parent.mkdir(parents=True, exist_ok=True)
        (shutil.copytree if src.is_dir() else shutil.copy)(src, dst)
    result = CliRunner().invoke(main, ["build", "--content", str(content), "--data-dir", str(root / "data"),
                                       "--site-dir", str(root / "site"), "--cache-dir", ""])
    assert result.exit_code == 0, result.output
    return root


@pytest.fixture(scope="session")
def truncated_site(tmp_path_factory) -> Path:
    """`yusuan build` over the 昌吉 sample cut off inside its 表7 (cut.txt: the
    file as a reader might find it published, its last tables missing) and
    the whole 阿图什 sample; the folder holding content/, data/, site/."""
    import shutil

    from click.testing import CliRunner

    from conftest import sample
    from yusuan.cli import main

    root = tmp_path_factory.mktemp("truncated")
    content = root / "content"
    shutil.copytree(CONTENT / "pages", content / "pages")
    (content / "disclosures").mkdir()
    text = sample("昌吉").read_text(encoding="utf-8")
    cut = text.index("201\t13\t99\t其他商贸事务支出\t非公有制企业党建项目")    # a row in the middle of 表7
    (content / "disclosures" / "cut.txt").write_text(text[:cut], encoding="utf-8")
    shutil.copy(sample("阿图什"), content / "disclosures" / sample("阿图什").name)
    result = CliRunner().invoke(main, ["build", "--content", str(content), "--data-dir", str(root / "data"),
                                       "--site-dir", str(root / "site"), "--cache-dir", ""])
    assert result.exit_code == 0, result.output
    return root


if __name__ == "__main__":
    import sys
    print(make_fixture(Path(sys.argv[1] if len(sys.argv) > 1 else "fixture_data")))


# A link to a source line: "../../sources/<doc_id>/#L12" (groups: the ../ climbed, doc_id, line).
LINE_LINK = re.compile(r'href="((?:\.\./)+)sources/([^/"]+)/#L(\d+)"')
_LINKED_TABLE = re.compile(r'<table([^>]* data-src="([^"]+)"[^>]*)>(.*?)</table>', re.S)
_ROW = re.compile(r"<tr[^>]*>(.*?)</tr>", re.S)
_CELL = re.compile(r"<td([^>]*)>(.*?)</td>", re.S)
_FIRST = re.compile(r"\d+")


def line_cells(table_class: str, body: str) -> list[str]:
    """The texts of a table's source-line cells: those of the column its
    class says (l6: the sixth, see render/tables.py column_classes) and any
    cell marked class="ln" itself."""
    said = {int(k) - 1 for k in re.findall(r"\bl(\d+)\b", table_class)}
    out = []
    for row in _ROW.findall(body):
        for k, (attrs, text) in enumerate(_CELL.findall(row)):
            if k in said or re.search(r'class="[^"]*\bln\b', attrs):
                out.append(text)
    return out


def line_links(html: str) -> list[tuple[str, str, str]]:
    """Every source-line link of a page as LINE_LINK's groups: the links in
    its HTML, and those site.js makes in a table that names its source page
    (data-src) from the numbers of its line cells ("35–37, 40": 35 and 40)."""
    out = LINE_LINK.findall(html)
    for attrs, base, body in _LINKED_TABLE.findall(html):
        cls = re.search(r'class="([^"]*)"', attrs)
        for cell in line_cells(cls[1] if cls else "", body):
            for run in filter(None, cell.split(", ")):
                out += LINE_LINK.findall(f'href="{base}#L{_FIRST.match(run)[0]}"')
    return out
