"""Regenerate the dataset table in README.md from the dataset contract.

The table between the markers ``<!-- datasets -->`` and
``<!-- /datasets -->`` is generated from ``yusuan.schema.DATASETS``; never
edit it by hand. Run after changing build/yusuan/schema.py:

    python3 tools/readme_datasets.py          # rewrite README.md
    python3 tools/readme_datasets.py --check  # exit 1 if README.md is stale

tests/test_readme.py runs the --check logic, so a stale table fails the tests.
The schema is imported from this checkout's build/, so this works without
installing the package.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from readme_sections import README, ROOT, replace_section  # noqa: E402

SECTION = "datasets"


def load_schema():
    """yusuan.schema from this checkout (build/), installed or not."""
    sys.path.insert(0, str(ROOT / "build"))
    from yusuan import schema

    return schema


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


def render(readme_text: str, datasets) -> str:
    return replace_section(readme_text, SECTION, datasets_table(datasets))


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
