"""README.md covers every CLI command and option, and its generated dataset
table matches the dataset contract."""
from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README_PATH = ROOT / "README.md"
README = README_PATH.read_text(encoding="utf-8")

COMMANDS = ["data", "site", "build", "parse"]
OPTIONS = ["--content", "--data-dir", "--site-dir", "--strict", "--cache-dir"]


def _load_tool(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "tools" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("command", COMMANDS)
def test_every_cli_command_appears_in_the_readme(command):
    assert re.search(rf"^yusuan {command}\b", README, re.M), f"README.md lacks a line for `yusuan {command}`"


def test_readme_lists_every_command_the_cli_has():
    """Commands added to the CLI later must be documented too."""
    cli = pytest.importorskip("yusuan.cli")
    group = getattr(cli, "main", None) or getattr(cli, "cli", None)
    commands = getattr(group, "commands", None)
    if not commands:
        pytest.skip("yusuan.cli has no click group yet")
    for name in commands:
        assert re.search(rf"^yusuan {re.escape(name)}\b", README, re.M), f"README.md lacks `yusuan {name}`"


def test_readme_documents_every_option_the_cli_has():
    click = pytest.importorskip("click")
    cli = pytest.importorskip("yusuan.cli")
    group = getattr(cli, "main", None)
    if not isinstance(group, click.Group):
        pytest.skip("yusuan.cli.main is not a click group yet")
    for name, command in group.commands.items():
        for param in command.params:
            for opt in getattr(param, "opts", []):
                if opt.startswith("--") and opt != "--help":
                    assert f"`{opt}" in README or f" {opt}" in README, f"README.md lacks `yusuan {name} {opt}`"


@pytest.mark.parametrize("option", OPTIONS)
def test_every_cli_option_appears_in_the_readme(option):
    assert f"`{option}" in README


def test_dataset_table_is_up_to_date():
    tool = _load_tool("readme_datasets")
    schema = tool.load_schema()
    expected = tool.render(README, schema.DATASETS)
    assert expected == README, "README.md dataset table is stale: run python3 tools/readme_datasets.py"


def test_dataset_table_names_every_dataset():
    tool = _load_tool("readme_datasets")
    sections = _load_tool("readme_sections")
    table = sections.section(README, "datasets")
    for dataset in tool.load_schema().DATASETS:
        assert f"| `{dataset.name}` |" in table


def test_readme_has_the_two_setup_commands():
    sections = _load_tool("readme_sections")
    assert "yusuan build" in sections.command(README, "build-command")
    assert "pytest" in sections.command(README, "test-command")


def test_readme_points_at_the_data_dictionary_and_pages_setup():
    assert "site_data/datapackage.json" in README
    assert "Settings → Pages" in README and "GitHub Actions" in README
    assert "content/disclosures/" in README


def test_screenshot_is_referenced():
    assert "(docs-assets/screenshot-department.png)" in README


def test_screenshot_exists_once_the_site_makes_it():
    path = ROOT / "docs-assets" / "screenshot-department.png"
    if not path.exists():
        pytest.skip("docs-assets/screenshot-department.png not made yet (site engineer)")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_benchmark_section_exists():
    sections = _load_tool("readme_sections")
    assert sections.section(README, "benchmark").strip()
