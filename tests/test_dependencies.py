"""pyproject.toml declares what the package imports at run time (or names in
its mkdocs.yml) and nothing else, what the tests import in the test extra,
and gives each a lower bound and an upper bound below a next major version."""
from __future__ import annotations

import ast
import importlib.metadata
import re
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
RUNTIME = PROJECT["dependencies"]
TEST = PROJECT["optional-dependencies"]["test"]


def name(requirement: str) -> str:
    return re.sub(r"[-_.]+", "-", re.match(r"[A-Za-z0-9._-]+", requirement)[0]).lower()


def imported(folder: Path) -> set[str]:
    """Top-level modules imported by the .py files under folder, less the
    standard library and the project's own."""
    found = set()
    for path in folder.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                found.add(node.module.split(".")[0])
    local = {p.stem for p in folder.glob("*.py")} | {"yusuan"}
    return {m for m in found if m not in sys.stdlib_module_names and m not in local}


def configured() -> set[str]:
    """Modules mkdocs loads because the packaged mkdocs.yml names them."""
    config = yaml.safe_load((ROOT / "build" / "yusuan" / "mkdocs.yml").read_text(encoding="utf-8"))
    extensions = [e if isinstance(e, str) else next(iter(e)) for e in config["markdown_extensions"]]
    highlight = [e for e in config["markdown_extensions"] if isinstance(e, dict) and "pymdownx.highlight" in e]
    pygments = {"pygments"} if highlight and highlight[0]["pymdownx.highlight"].get("use_pygments") else set()
    return {config["theme"]["name"]} | {e.split(".")[0] for e in extensions if "." in e} | pygments


def distributions(modules: set[str]) -> set[str]:
    owners = importlib.metadata.packages_distributions()
    return {name(owners[m][0]) for m in modules}


def test_runtime_dependencies_are_what_the_package_uses():
    used = distributions(imported(ROOT / "build" / "yusuan") | configured())
    assert {name(r) for r in RUNTIME} == used


def test_test_dependencies_cover_what_the_tests_import():
    used = distributions(imported(ROOT / "tests")) | {"check-jsonschema"}   # run as python -m check_jsonschema
    assert used <= {name(r) for r in RUNTIME + TEST}, used - {name(r) for r in RUNTIME + TEST}
    assert not {name(r) for r in TEST} - used, "a test dependency no test uses"


@pytest.mark.parametrize("requirement", RUNTIME + TEST)
def test_every_dependency_has_a_lower_and_an_upper_bound(requirement):
    specifiers = dict(re.findall(r"(>=|<)\s*([0-9][0-9a-z.]*)", requirement))
    assert set(specifiers) == {">=", "<"}, requirement
    assert re.fullmatch(r"\d+", specifiers["<"]), f"{requirement}: the upper bound is a next major version"
    installed = importlib.metadata.version(name(requirement))
    assert int(installed.split(".")[0]) < int(specifiers["<"]), (requirement, installed)
