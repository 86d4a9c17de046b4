"""The dataset contract: every dataset and column, with type, Chinese title,
unit and description, declared once. datapackage.json, the XLSX headers, the
data page and the tests are generated from it.

Types are Frictionless field types: string, integer, number, boolean, date.
Amounts are numbers in 万元 (10,000 yuan), two decimals as printed. A field
with a closed set of values declares it (`enum`), a dataset the columns that
identify a row (`key`); every dataset with doc_id refers to documents. The
rows' keys are checked against the columns (rows.to_arrow), the values
against the rest by a test that validates the data package (frictionless).
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, field

from .terms import FUNCTION_TABLES, KIND_NAMES, LEVELS, STANDARD_TABLES, THREE_PUBLIC_ITEMS

WANYUAN = "万元"

# Closed sets of values (those of Chinese terms are in terms.py).
CODE_LEVELS = ("类", "款", "项")                # 3-, 5- and 7-digit classification codes
STATUSES = ("pass", "rounding", "fail")          # of a check
SEVERITIES = ("error", "warning")                # of a problem: file left out / part left out
DIRECTIONS = ("increase", "decrease", "unchanged")
SCOPES = ("department", "project")               # of a 绩效目标表


@dataclass(frozen=True)
class Field:
    name: str
    type: str
    title: str
    description: str
    unit: str | None = None
    enum: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Dataset:
    name: str
    title: str
    description: str
    fields: list[Field] = field(default_factory=list)
    key: tuple[str, ...] = ()       # primary key: the columns that identify a row

    @property
    def columns(self) -> list[str]:
        return [f.name for f in self.fields]

    @functools.cached_property
    def column_set(self) -> frozenset[str]:
        return frozenset(f.name for f in self.fields)


def F(name, type_, title, description, unit=None, enum=None) -> Field:  # noqa: N802 - reads like a table
    return Field(name, type_, title, description, unit, tuple(enum) if enum else None)


def A(name, title, description) -> Field:  # noqa: N802 - an amount in 万元
    return Field(name, "number", title, description, WANYUAN)


DOC = F("doc_id", "string", "文件编号", "本站为每份公开文件（部门+年度）给出的稳定编号，ASCII")
LINE = F("source_line", "integer", "源文件行号", "该数字在源文件中的行号（从 1 开始）")
UNIT_NAME = F("unit_name", "string", "预算单位", "表中分组的预算单位名称；不分组时为空")

DATASETS: list[Dataset] = [
    Dataset("documents", "公开文件", "每份部门预算公开文件一行：来源、部门、年度与主要数字。", [
        DOC,
        F("source_file", "string", "源文件", "内容目录中的源文件路径"),
        F("sha256", "string", "SHA-256", "源文件字节的 SHA-256 摘要"),
        F("encoding", "string", "编码", "源文件的文本编码"),
        F("department", "string", "部门", "编制部门（编制单位）名称"),
        F("kind", "string", "类型", "部门预算 / 单位预算 / 部门决算 / 单位决算（由文件自己的标题读出）", enum=KIND_NAMES),
        F("level", "string", "层级", "预算层级：省级 / 市级 / 县级（由部门名称推断：名称开头的省、市、州、县、区）", enum=LEVELS),
        F("year", "integer", "年度", "预算年度"),
        F("doc_date", "date", "文件日期", "文件末尾落款日期；未写明时为空"),
        F("unit", "string", "金额单位", "表中金额的单位（统一换算为万元）"),
        A("total_budget", "收支总预算", "收支总表 收入总计（决算：收入总计）"),
        A("expenditure_total", "支出总计", "收支总表 支出总计"),
        A("current_year_income", "本年收入", "收支总表 本年收入合计"),
        A("current_year_expenditure", "本年支出", "收支总表 本年支出合计（决算）"),
        A("carryover", "上年结转结余", "收支总表 上年结转结余（决算：年初结转和结余）"),
        A("closing_carryover", "年末结转和结余", "收支总表 年末结转和结余 / 结转下年"),
        A("basic_expenditure", "基本支出", "支出总表 合计行的基本支出"),
        A("project_expenditure", "项目支出", "支出总表 合计行的项目支出"),
        A("fiscal_total", "财政拨款收支总计", "财政拨款收支总表 收入总计"),
        A("gpb_total", "一般公共预算支出", "一般公共预算支出情况表 总计 合计"),
        A("gpb_basic", "一般公共预算基本支出", "一般公共预算支出情况表 总计 基本支出"),
        A("gpb_project", "一般公共预算项目支出", "一般公共预算支出情况表 总计 项目支出"),
        A("personnel", "人员经费", "一般公共预算基本支出情况表 总计 人员经费"),
        A("public_funds", "公用经费", "一般公共预算基本支出情况表 总计 公用经费"),
        A("three_public", "“三公”经费", "“三公”经费表 本年合计（不含会议费、培训费）"),
        A("three_public_outbound", "因公出国（境）费", "“三公”经费表 因公出国（境）费"),
        A("three_public_reception", "公务接待费", "“三公”经费表 公务接待费"),
        A("three_public_vehicles", "公务用车购置及运行维护费", "“三公”经费表 公务用车购置及运行（维护）费"),
        A("entrusted_fees", "委托业务费", "财政拨款委托业务费支出情况表 总计；文件无此表时为空"),
        F("n_projects", "integer", "项目数", "一般公共预算项目支出情况表中的项目行数"),
        F("n_carryover_projects", "integer", "结转项目数", "上年结转结余情况表中的项目行数"),
        A("secret_project_amount", "不予公开项目金额", "项目支出表中特定目标/特定项目（用途不予公开）的金额合计"),
        F("n_secret_projects", "integer", "不予公开项目数", "项目支出表中特定目标/特定项目的行数"),
        F("n_performance_targets", "integer", "绩效指标数", "绩效目标表中的指标行数"),
        F("tables_present", "string", "有数据的表", "有数字的标准表（英文键，逗号分隔）"),
        F("tables_empty", "string", "空表", "印出但为空表的标准表"),
        F("tables_missing", "string", "缺失的表", "同类文件都有、或本文件目录列出，但文件中没有的标准表"),
        F("n_tables_expected", "integer", "应有表数", "同类文件都有的标准表与本文件目录列出的标准表之数"),
        F("n_tables_found", "integer", "读出表数", "应有的表中读出的张数"),
        F("n_amount_cells", "integer", "金额单元格数", "读出的金额单元格数（table_cells 中本文件的行数）"),
        F("complete", "boolean", "文件完整", "否：缺少应有的标准表，或有部分而无第三部分，或文件在一张表中途结束"
          "（该表的校验不作为文件的错误公布）"),
        F("n_checks", "integer", "校验数", "对本文件运行的算术校验数"),
        F("n_checks_failed", "integer", "未通过校验数", "状态为 fail 的校验数"),
    ], key=("doc_id",)),
    Dataset("table_cells", "表格单元格", "第二部分每张表的每个金额单元格恰好一行（长表）。", [
        DOC,
        F("table_no", "string", "表号", "文件中印出的表号"),
        F("table_key", "string", "表键", "跨年度一致的表英文键：" + " / ".join(STANDARD_TABLES)
          + "；未知的表为 table_表号，重复出现的表为 键_行号"),
        F("table_title", "string", "表名", "文件中印出的表名"),
        F("row_no", "integer", "行序", "表内数据行的序号（从 1 开始）"),
        F("row_label", "string", "行名称", "行的名称（科目名称、项目或收入项目）"),
        F("code", "string", "科目编码", "功能或经济分类编码（类/款/项合并），无则为空"),
        F("project", "string", "项目名称", "项目名称（项目表）"),
        UNIT_NAME,
        F("column_label", "string", "列名", "完整表头路径，如 财政拨款（补助）/一般公共预算"),
        F("column_key", "string", "列键", "列的英文键"),
        A("amount", "金额", "单元格中的金额，换算为万元（元表除以 10000，不作舍入）；数量、人数等计数列为印出的数本身（原单位为空）"),
        F("printed", "string", "印出的数字", "单元格中印出的数字原文（表的原单位）"),
        F("printed_unit", "string", "原单位", "表头印出的金额单位：万元 或 元；计数列（数量、人数等）为空"),
        LINE,
        F("source_file", "string", "源文件", "印出该数字的文件（一份公开分两个文件发布时各不相同）"),
        F("page", "integer", "页码", "该文件中的 PDF 页码（从 1 开始）；文本文件为空"),
    ], key=("doc_id", "table_key", "row_no", "column_label")),
    Dataset("function_lines", "功能分类明细", "收入、支出与一般公共预算表中按功能分类科目的每个金额（类/款/项）。", [
        DOC,
        F("table_key", "string", "表键", " / ".join(FUNCTION_TABLES), enum=FUNCTION_TABLES),
        F("code", "string", "科目编码", "功能分类编码：类 3 位、款 5 位、项 7 位"),
        F("level", "string", "层级", "类 / 款 / 项", enum=CODE_LEVELS),
        F("class_code", "string", "类编码", "所属类（3 位）"),
        F("parent_code", "string", "上级编码", "上一级科目编码；类为空"),
        F("name", "string", "科目名称", "科目名称"),
        F("measure", "string", "口径", "列键：total / basic / project / gpb …"),
        F("column_label", "string", "列名", "完整表头路径"),
        A("amount", "金额", "金额"),
        LINE,
    ], key=("doc_id", "table_key", "code", "measure")),
    Dataset("economic_lines", "经济分类明细", "一般公共预算基本支出表按经济分类科目的每个金额（类/款）。", [
        DOC,
        F("code", "string", "科目编码", "经济分类编码：类 3 位、款 5 位"),
        F("level", "string", "层级", "类 / 款", enum=CODE_LEVELS[:2]),
        F("parent_code", "string", "上级编码", "上一级科目编码；类为空"),
        F("name", "string", "科目名称", "科目名称"),
        F("measure", "string", "口径", "total / personnel / public_funds"),
        A("amount", "金额", "金额"),
        LINE,
    ], key=("doc_id", "code", "measure")),
    Dataset("projects", "项目支出", "一般公共预算项目支出情况表的每个项目一行。", [
        DOC, UNIT_NAME,
        F("function_code", "string", "功能分类编码", "项目所属功能分类（项）"),
        F("function_name", "string", "科目名称", "功能分类科目名称"),
        F("project", "string", "项目名称", "项目名称"),
        F("is_secret", "boolean", "不予公开", "特定目标/特定项目：金额公开，用途不予公开"),
        A("total", "项目支出合计", "项目支出合计"),
        A("wages", "工资福利支出", "经济分类：工资福利支出"),
        A("goods_services", "商品和服务支出", "经济分类：商品和服务支出"),
        A("individual_family", "对个人和家庭的补助", "经济分类：对个人和家庭的补助"),
        A("debt_interest", "债务利息及费用支出", "经济分类：债务利息及费用支出"),
        A("capital_construction", "资本性支出（基本建设）", "经济分类：资本性支出（基本建设）"),
        A("capital", "资本性支出", "经济分类：资本性支出"),
        A("enterprise_construction", "对企业补助（基本建设）", "经济分类：对企业补助（基本建设）"),
        A("enterprise_subsidy", "对企业补助", "经济分类：对企业补助"),
        A("social_security_fund", "对社会保障基金补助", "经济分类：对社会保障基金补助"),
        A("other", "其他支出", "经济分类：其他支出"),
        LINE,
    ], key=("doc_id", "source_line")),
    Dataset("three_public", "“三公”经费", "财政拨款“三公”经费支出情况表的每一行。", [
        DOC,
        F("item", "string", "项目键", "outbound / reception / vehicles / vehicle_purchase / vehicle_operation / total；"
          "未识别的行为空", enum=dict.fromkeys(key for _, key in THREE_PUBLIC_ITEMS)),
        F("item_name", "string", "项目", "表中印出的名称"),
        A("total", "合计", "合计"),
        A("gpb", "一般公共预算", "资金来源：一般公共预算"),
        A("gov_fund", "政府性基金", "资金来源：政府性基金"),
        A("state_capital", "国有资本经营预算", "资金来源：国有资本经营预算"),
        LINE,
    ], key=("doc_id", "source_line")),
    Dataset("entrusted_fees", "委托业务费", "财政拨款委托业务费支出情况表的每个项目一行（单位小计与总计见 table_cells）。", [
        DOC, UNIT_NAME,
        F("project", "string", "项目名称", "项目名称"),
        F("is_secret", "boolean", "不予公开", "特定目标/特定项目"),
        A("total", "合计", "合计"),
        A("gpb", "一般公共预算", "资金来源：一般公共预算"),
        A("gov_fund", "政府性基金", "资金来源：政府性基金"),
        A("state_capital", "国有资本经营预算", "资金来源：国有资本经营预算"),
        LINE,
    ], key=("doc_id", "source_line")),
    Dataset("carryover", "上年结转结余", "上年结转结余情况表的每个项目一行。", [
        DOC, UNIT_NAME,
        F("project", "string", "项目名称", "项目名称"),
        F("is_secret", "boolean", "不予公开", "特定目标/特定项目"),
        A("total", "合计", "合计"),
        A("fiscal_subtotal", "财政拨款小计", "财政拨款/小计"),
        A("fiscal_basic_personnel", "财政拨款基本支出人员经费", "财政拨款/基本支出/人员经费"),
        A("fiscal_basic_public_funds", "财政拨款基本支出公用经费", "财政拨款/基本支出/公用经费"),
        A("fiscal_project", "财政拨款项目支出", "财政拨款/项目支出"),
        A("nonfiscal_subtotal", "非财政拨款小计", "非财政拨款/小计"),
        A("nonfiscal_basic_personnel", "非财政拨款基本支出人员经费", "非财政拨款/基本支出/人员经费"),
        A("nonfiscal_basic_public_funds", "非财政拨款基本支出公用经费", "非财政拨款/基本支出/公用经费"),
        A("nonfiscal_project", "非财政拨款项目支出", "非财政拨款/项目支出"),
        LINE,
    ], key=("doc_id", "source_line")),
    Dataset("units", "预算单位", "第一部分机构设置中列出的预算单位。", [
        DOC,
        F("unit_name", "string", "单位名称", "预算单位名称"),
        F("is_self", "boolean", "本级", "是否部门本级"),
        F("staff_authorized", "integer", "编制数", "编制数（写明时）", "人"),
        F("staff_actual", "integer", "实有人数", "实有人数（写明时）", "人"),
        LINE,
    ], key=("doc_id", "unit_name")),
    Dataset("yoy_changes", "比上年变化", "情况说明中每一处“比上年预算增加/减少 X 万元，增长/下降 Y%，主要原因是…”。", [
        DOC,
        F("section", "string", "章节", "所在的情况说明章节标题"),
        F("subject", "string", "对象", "变化所属的收入、支出或科目"),
        A("amount", "本年金额", "本年预算数"),
        F("direction", "string", "方向", " / ".join(DIRECTIONS), enum=DIRECTIONS),
        A("change", "变化额", "比上年增加为正、减少为负"),
        F("change_pct", "number", "变化率", "比上年增长为正、下降为负", "%"),
        A("previous_amount", "上年金额（推算）", "本年金额减变化额推算所得，非文件印出"),
        F("reason", "string", "原因", "主要原因"),
        LINE,
    ], key=("doc_id", "source_line", "subject")),
    Dataset("procurement", "政府采购", "政府采购预算（每份文件一行）。", [
        DOC,
        A("total", "政府采购预算", "政府采购预算总额"),
        A("goods", "货物", "政府采购货物预算"),
        A("works", "工程", "政府采购工程预算"),
        A("services", "服务", "政府采购服务预算"),
        A("sme_reserved", "面向中小企业预留", "面向中小企业预留政府采购项目预算金额"),
        A("small_micro_reserved", "小微企业预留", "其中小微企业预留金额"),
        LINE,
    ], key=("doc_id",)),
    Dataset("assets", "国有资产", "国有资产占用使用情况的每一项。", [
        DOC,
        F("as_of", "string", "截至", "资产情况截至的时间（如 2025 年底）"),
        F("item", "string", "项目键", "building / vehicles / vehicles_general / vehicles_enforcement / vehicles_other / furniture / other_assets / equipment_50 / equipment_100 / planned_equipment_50 / planned_equipment_100 …"),
        F("item_name", "string", "项目", "文件中的名称"),
        F("quantity", "number", "数量", "数量（面积、辆、台）"),
        F("quantity_unit", "string", "数量单位", "平方米 / 辆 / 台"),
        A("value", "价值", "价值"),
        LINE,
    ], key=("doc_id", "item")),
    Dataset("performance_targets", "绩效目标", "绩效目标表的每个指标一行（合并单元格已向下填充；联系人姓名与电话不收录）。", [
        DOC,
        F("scope", "string", "范围", "department（部门整体）/ project（项目支出）", enum=SCOPES),
        F("table_index", "integer", "表序", "文件中第几张绩效目标表（从 1 开始）"),
        F("project", "string", "项目名称", "项目支出绩效目标表的项目名称"),
        F("unit_name", "string", "单位", "预算单位或部门名称"),
        A("budget", "年度预算", "该表的年度预算总额"),
        F("level1", "string", "一级指标", "一级指标"),
        F("level2", "string", "二级指标", "二级指标"),
        F("level3", "string", "三级指标", "三级指标"),
        F("target_value", "string", "指标值", "指标值"),
        F("basis", "string", "设置依据", "指标值设置依据"),
        F("last_year_value", "string", "上年完成值", "上年完成值"),
        F("weight", "number", "分值权重", "指标分值权重"),
        F("scoring_rule", "string", "赋分规则", "指标赋分规则"),
        F("evidence", "string", "佐证资料", "佐证资料"),
        LINE,
    ], key=("doc_id", "source_line")),
    Dataset("project_details", "项目说明", "情况说明中每个项目的政策依据、规模、分配与执行时间。", [
        DOC,
        F("project", "string", "项目名称", "项目名称"),
        F("policy_basis", "string", "政策依据", "设立的政策依据"),
        A("budget", "预算安排规模", "预算安排规模"),
        F("implementing_unit", "string", "承担单位", "项目承担单位"),
        F("allocation", "string", "资金分配情况", "资金分配情况"),
        F("period", "string", "执行时间", "资金执行时间"),
        F("is_withheld", "boolean", "不予公开", "说明为“完全不予公开”"),
        LINE,
    ], key=("doc_id", "source_line")),
    Dataset("checks", "算术校验", "每份文件的每条算术恒等式及情况说明与表格的一致性；不通过的照实公布。", [
        DOC,
        F("check_id", "string", "校验编号", "校验的英文编号"),
        F("description", "string", "说明", "校验内容（中文）"),
        A("expected", "应为", "恒等式一侧（如合计）"),
        A("actual", "实为", "恒等式另一侧（如各项之和）"),
        A("difference", "差额", "实为 − 应为"),
        A("tolerance", "舍入容差", "印出的各项按其末位四舍五入所能解释的最大差额（每项半个末位之和）"),
        F("status", "string", "状态", "pass 通过 / rounding 舍入差（不超过舍入容差）/ fail 不符", enum=STATUSES),
        F("tables", "string", "涉及的表", "涉及的表键"),
        F("lines", "string", "行号", "涉及的源文件行号（逗号分隔）"),
    ], key=("doc_id", "check_id")),
    Dataset("problems", "读取问题", "无法读取或无法完整解析的文件与部分。", [
        F("source_file", "string", "源文件", "内容目录中的文件路径"),
        F("line", "integer", "行号", "问题所在行（无则为空）"),
        F("severity", "string", "级别", "error：文件未收录 / warning：部分未收录", enum=SEVERITIES),
        F("message", "string", "说明", "问题说明"),
    ]),
    # Aggregates made by DuckDB from sql/*.sql
    Dataset("function_class_totals", "功能分类汇总", "各部门按功能分类（类）的支出合计与占比、排名（部门支出总体情况表）。", [
        DOC,
        F("department", "string", "部门", "部门"),
        F("year", "integer", "年度", "预算年度"),
        F("class_code", "string", "类编码", "功能分类类编码"),
        F("class_name", "string", "类名称", "功能分类类名称"),
        A("total", "合计", "该类支出合计"),
        A("basic", "基本支出", "该类基本支出"),
        A("project", "项目支出", "该类项目支出"),
        F("share_pct", "number", "占比", "该类占部门支出总计的百分比", "%"),
        F("rank_in_department", "integer", "部门内排名", "该类在部门内按金额的排名"),
    ], key=("doc_id", "class_code")),
    Dataset("function_class_summary", "功能分类跨部门汇总", "所有部门按年度与功能分类（类）的支出合计与排名。", [
        F("year", "integer", "年度", "预算年度"),
        F("class_code", "string", "类编码", "功能分类类编码"),
        F("class_name", "string", "类名称", "功能分类类名称"),
        F("n_departments", "integer", "部门数", "有此类支出的部门数"),
        A("total", "合计", "所有部门该类支出合计"),
        F("share_pct", "number", "占比", "占当年所有部门支出总计的百分比", "%"),
        F("rank", "integer", "排名", "按合计的排名"),
    ], key=("year", "class_code")),
    Dataset("department_ratios", "部门比较", "每份文件的主要数字与比率，供跨部门比较。", [
        DOC,
        F("department", "string", "部门", "部门"),
        F("level", "string", "层级", "省级 / 市级 / 县级", enum=LEVELS),
        F("kind", "string", "类型", "部门预算 / 单位预算 / 部门决算 / 单位决算", enum=KIND_NAMES),
        F("year", "integer", "年度", "预算年度"),
        A("total_budget", "收支总预算", "收支总预算"),
        F("personnel_share_pct", "number", "人员经费占比", "人员经费 / 一般公共预算基本支出", "%"),
        F("project_share_pct", "number", "项目支出占比", "项目支出 / 支出总计", "%"),
        F("carryover_share_pct", "number", "结转结余占比", "上年结转结余 / 收支总预算", "%"),
        F("three_public_per_10k", "number", "每万元预算“三公”经费", "“三公”经费 / 收支总预算 × 10000", "元/万元"),
        F("secret_share_pct", "number", "不予公开项目占比", "不予公开项目金额 / 一般公共预算项目支出", "%"),
        F("n_checks_failed", "integer", "未通过校验数", "未通过的算术校验数"),
        F("rank_total_budget", "integer", "预算规模排名", "同年按收支总预算的排名"),
        F("three_public_rank", "integer", "每万元“三公”排名",
          "同年度、同类型文件中按每万元预算“三公”经费从高到低的名次（并列同名次）；无“三公”数字时为空"),
        F("n_comparable", "integer", "可比文件数", "同年度、同类型且有每万元预算“三公”经费的文件数"),
    ], key=("doc_id",)),
]

BY_NAME = {d.name: d for d in DATASETS}
