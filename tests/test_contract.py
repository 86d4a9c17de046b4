"""The dataset contract (schema.py) is enforced: rows carry exactly the
declared columns, and the built data package, with its primary keys, foreign
keys and closed sets of values, validates with frictionless."""
from __future__ import annotations

import json
import shutil

import frictionless
import pytest

from yusuan.schema import BY_NAME, DATASETS, STATUSES
from yusuan.rows import ContractError, to_arrow

UNIT = {"doc_id": "2026-x", "unit_name": "某局本级", "is_self": True, "staff_authorized": 10,
        "staff_actual": 9, "source_line": 12}


def test_rows_must_have_exactly_the_declared_columns():
    units = BY_NAME["units"]
    assert to_arrow(units, [UNIT]).to_pylist() == [UNIT]
    misspelt = {**{k: v for k, v in UNIT.items() if k != "staff_actual"}, "staff_acutal": 9}
    with pytest.raises(ContractError, match=r"units: .*\['staff_acutal'\].*\['staff_actual'\]"):
        to_arrow(units, [UNIT, misspelt])
    with pytest.raises(ContractError, match="without \\['source_line'\\]"):
        to_arrow(units, [{k: v for k, v in UNIT.items() if k != "source_line"}])


def test_data_package_declares_keys_and_closed_sets(data_dir):
    package = json.loads((data_dir / "datapackage.json").read_text(encoding="utf-8"))
    schemas = {r["name"]: r["schema"] for r in package["resources"]}
    assert schemas["documents"]["primaryKey"] == ["doc_id"]
    assert schemas["checks"]["primaryKey"] == ["doc_id", "check_id"]
    for ds in DATASETS:
        refers = [fk for fk in schemas[ds.name].get("foreignKeys", []) if fk["reference"]["resource"] == "documents"]
        assert bool(refers) == ("doc_id" in ds.columns and ds.name != "documents"), ds.name
    enums = {(name, f["name"]): f["constraints"]["enum"] for name, s in schemas.items()
             for f in s["fields"] if "enum" in f.get("constraints", {})}
    assert enums[("checks", "status")] == list(STATUSES) == ["pass", "rounding", "fail"]
    assert enums[("problems", "severity")] == ["error", "warning"]
    assert enums[("documents", "level")] == ["省级", "市级", "县级"]
    assert enums[("function_lines", "table_key")] == ["income", "expenditure", "fiscal_expenditure",
                                                      "gpb_expenditure", "gpb_basic_function", "gov_fund",
                                                      "state_capital"]
    assert enums[("documents", "kind")] == ["部门决算", "单位决算", "单位预算", "部门预算"]
    assert enums[("function_lines", "level")] == ["类", "款", "项"]


def validate(folder):
    return frictionless.validate(str(folder / "datapackage.json"))


def test_built_data_package_is_valid(data_dir):
    report = validate(data_dir)
    assert report.valid, report.flatten(["resourceName", "rowNumber", "fieldName", "type", "note"])[:20]


def _first_row(text: str, old: str, new: str) -> str:
    header, first, rest = text.split("\n", 2)
    assert old in first
    return "\n".join([header, first.replace(old, new, 1), rest])


@pytest.mark.parametrize("dataset, edit, error", [
    ("checks", lambda t: t.replace(',"pass",', ',"passed",', 1), "constraint-error"),
    ("documents", lambda t: t + t.split("\n")[1] + "\n", "primary-key"),
    ("projects", lambda t: _first_row(t, "2026-", "1999-"), "foreign-key"),
])
def test_validation_catches_a_broken_contract(data_dir, tmp_path, dataset, edit, error):
    broken = tmp_path / "data"
    shutil.copytree(data_dir, broken)
    csv = broken / f"{dataset}.csv"
    text = csv.read_text(encoding="utf-8-sig")
    changed = edit(text)
    assert changed != text
    csv.write_text(changed, encoding="utf-8-sig")
    report = validate(broken)
    assert not report.valid
    assert error in {kind for (kind,) in report.flatten(["type"])}
