"""Regenerate the dataset table in README.md from the dataset contract.

The table between the markers ``<!-- datasets:start -->`` and
``<!-- datasets:end -->`` is generated from ``yusuan.schema.DATASETS``; never
edit it by hand. Run after changing build/yusuan/schema.py:

    python3 tools/readme_datasets.py          # rewrite README.md
    python3 tools/readme_datasets.py --check  # exit 1 if README.md is stale

tests/test_readme.py runs the --check logic, so a stale table fails the tests.
The schema module is loaded from its file, so this works without installing
the package.
"""
from __future__ import annotations

import argparse
import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
SCHEMA = ROOT / "build" / "yusuan" / "schema.py"
START = "<!-- datasets:start -->"
END = "<!-- datasets:end -->"


def load_schema(path: Path = SCHEMA):
    spec = importlib.util.spec_from_file_location("_yusuan_schema_for_readme", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look the module up by name
    spec.loader.exec_module(module)
    return module


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def datasets_table(datasets) -> str:
    """The Markdown table: one row per dataset, in contract order."""
    lines = [
        "| dataset | 标题 | description | columns |",
        "|---|---|---|---:|",
    ]
    for d in datasets:
        lines.append(f"| `{d.name}` | {_cell(d.title)} | {_cell(d.description)} | {len(d.fields)} |")
    return "\n".join(lines)


def replace_between(text: str, start: str, end: str, body: str) -> str:
    """Replace what lies between two marker lines with body (markers kept)."""
    i = text.find(start)
    j = text.find(end)
    if i < 0 or j < 0 or j < i:
        raise SystemExit(f"README.md lacks the markers {start} … {end}")
    return text[: i + len(start)] + "\n" + body.strip("\n") + "\n" + text[j:]


def render(readme_text: str, datasets) -> str:
    return replace_between(readme_text, START, END, datasets_table(datasets))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check; exit 1 if README.md is stale")
    args = parser.parse_args(argv)
    old = README.read_text(encoding="utf-8")
    new = render(old, load_schema().DATASETS)
    if args.check:
        if new != old:
            print("README.md dataset table is stale: run python3 tools/readme_datasets.py", file=sys.stderr)
            return 1
        print("README.md dataset table is up to date")
        return 0
    if new != old:
        README.write_text(new, encoding="utf-8")
        print("README.md dataset table rewritten")
    else:
        print("README.md dataset table already up to date")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
