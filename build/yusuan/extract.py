"""Document → dataset rows (plain dicts keyed by schema column names).

This is where parsed tables become the tidy datasets; nothing here reads text
or writes files.
"""
from __future__ import annotations

from .checks import Check
from .document import Document
from .read.pdf import file_of, page_of
from .schema import CODE_LEVELS
from .tables import Table
from .terms import FUNCTION_TABLES, STANDARD_TABLES, is_count, is_secret_project, three_public_item

LEVELS = dict(zip((3, 5, 7), CODE_LEVELS))   # code length → 类 / 款 / 项
PROJECT_COLUMNS = ["total", "wages", "goods_services", "individual_family", "debt_interest",
                   "capital_construction", "capital", "enterprise_construction", "enterprise_subsidy",
                   "social_security_fund", "other"]
FUND_COLUMNS = ["total", "gpb", "gov_fund", "state_capital"]
CARRYOVER_COLUMNS = ["total", "fiscal_subtotal", "fiscal_basic_personnel", "fiscal_basic_public_funds",
                     "fiscal_project", "nonfiscal_subtotal", "nonfiscal_basic_personnel",
                     "nonfiscal_basic_public_funds", "nonfiscal_project"]


def _parent(code: str) -> str:
    """款 → its 类, 项 → its 款 (two digits a level)."""
    return code[:-2] if len(code) in (5, 7) else ""


# The builders below make each row with doc_id first, as the datasets have it
# (rather than copying every row once more to put it there).

def table_cells(doc: Document) -> list[dict]:
    doc_id = doc.doc_id
    page = page_of(doc.source.lines)
    file = file_of(doc.source.lines, doc.source.rel)
    return [{"doc_id": doc_id, "table_no": t.number, "table_key": t.key, "table_title": t.title,
             "row_no": c.row_no, "row_label": c.row_label, "code": c.code, "project": c.project,
             "unit_name": c.unit_name, "column_label": c.column_label, "column_key": c.column_key,
             "amount": c.amount, "printed": c.text, "printed_unit": "" if is_count(c.column_label) else t.unit, "source_line": c.source_line,
             "source_file": file[c.source_line - 1], "page": page[c.source_line - 1] or None}
            for t in doc.tables.values() for c in t.cells]


def _coded_cells(t: Table) -> list:
    return [c for c in t.cells if c.code.isdigit() and len(c.code) in LEVELS and not c.is_total]


def function_lines(doc: Document) -> list[dict]:
    doc_id = doc.doc_id
    out = []
    for key in FUNCTION_TABLES:
        t = doc.tables.get(key)
        if not t:
            continue
        out += [{"doc_id": doc_id, "table_key": key, "code": c.code, "level": LEVELS[len(c.code)],
                 "class_code": c.code[:3], "parent_code": _parent(c.code), "name": c.row_label,
                 "measure": c.column_key, "column_label": c.column_label, "amount": c.amount,
                 "source_line": c.source_line}
                for c in _coded_cells(t)]
    return out


def economic_lines(doc: Document) -> list[dict]:
    t = doc.tables.get("gpb_basic")
    if not t:
        return []
    doc_id = doc.doc_id
    return [{"doc_id": doc_id, "code": c.code, "level": LEVELS[len(c.code)], "parent_code": _parent(c.code),
             "name": c.row_label, "measure": c.column_key, "amount": c.amount, "source_line": c.source_line}
            for c in _coded_cells(t)]


def _wide(t: Table | None, columns: list[str], row_filter) -> list[dict]:
    if t is None:
        return []
    out = []
    for r in t.rows:
        if not row_filter(r):
            continue
        row = {k: r.values.get(k) for k in columns}
        row["source_line"] = r.line
        row["_row"] = r
        out.append(row)
    return out


def projects(doc: Document) -> list[dict]:
    out = []
    for row in _wide(doc.tables.get("gpb_projects"), PROJECT_COLUMNS, lambda r: bool(r.project)):
        r = row.pop("_row")
        out.append({"unit_name": r.unit_name, "function_code": r.code, "function_name": r.label,
                    "project": r.project, "is_secret": is_secret_project(r.project), **row})
    return out


def _project_rows(t: Table | None, columns: list[str]) -> list[dict]:
    out = []
    for row in _wide(t, columns, lambda r: not r.is_total and not r.is_unit_row):
        r = row.pop("_row")
        name = r.project or r.label
        out.append({"unit_name": r.unit_name, "project": name, "is_secret": is_secret_project(name), **row})
    return out


def three_public(doc: Document) -> list[dict]:
    out = []
    for row in _wide(doc.tables.get("three_public"), FUND_COLUMNS, lambda r: True):
        r = row.pop("_row")
        out.append({"item": three_public_item(r.label) or "", "item_name": r.label, **row})
    return out


def documents_row(doc: Document, checks: list[Check]) -> dict:
    present = [k for k, t in doc.tables.items() if k in STANDARD_TABLES and not t.is_empty]
    empty = [k for k, t in doc.tables.items() if k in STANDARD_TABLES and t.is_empty]
    return {
        "source_file": doc.source.rel, "sha256": doc.source.sha256, "encoding": doc.source.encoding,
        "department": doc.department, "kind": doc.kind, "level": doc.level, "year": doc.year,
        "doc_date": doc.doc_date, "unit": "万元", **doc.headline,
        "n_performance_targets": len(doc.narrative.performance_targets),
        "tables_present": ",".join(present), "tables_empty": ",".join(empty),
        "tables_missing": ",".join(k for k in doc.expected if k not in doc.tables),
        "n_tables_expected": len(doc.expected), "n_tables_found": sum(k in doc.tables for k in doc.expected),
        "n_amount_cells": sum(len(t.cells) for t in doc.tables.values()),
        "complete": doc.complete,
        "n_checks": len(checks), "n_checks_failed": sum(c.status == "fail" for c in checks),
    }


def document_datasets(doc: Document, checks: list[Check]) -> dict[str, list[dict]]:
    """Every per-document dataset's rows, each with doc_id first."""
    n = doc.narrative
    doc_id = doc.doc_id

    def with_id(rows: list[dict]) -> list[dict]:
        return [{"doc_id": doc_id, **row} for row in rows]

    return {
        "documents": with_id([documents_row(doc, checks)]),
        "table_cells": table_cells(doc),
        "function_lines": function_lines(doc),
        "economic_lines": economic_lines(doc),
        "projects": with_id(projects(doc)),
        "three_public": with_id(three_public(doc)),
        "entrusted_fees": with_id(_project_rows(doc.tables.get("entrusted_fees"), FUND_COLUMNS)),
        "carryover": with_id(_project_rows(doc.tables.get("carryover"), CARRYOVER_COLUMNS)),
        "units": with_id(n.units), "yoy_changes": with_id(n.yoy_changes), "procurement": with_id(n.procurement),
        "assets": with_id(n.assets), "performance_targets": with_id(n.performance_targets),
        "project_details": with_id(n.project_details),
        "checks": [c.as_row(doc_id) for c in checks],
    }
