"""vocabulary.toml: every entry is read, and each means what it says.

The template wordings are data; an entry nothing reads, or one that another
entry shadows (an alias that names some other table), would look like
support for a province's wording that yusuan does not have.
"""
from __future__ import annotations

import importlib.util
import re
import tomllib
from pathlib import Path

import pytest

import yusuan
from yusuan import terms

PACKAGE = Path(yusuan.__file__).parent
VOCABULARY = tomllib.loads(terms.VOCABULARY_FILE.read_text(encoding="utf-8"))
SOURCES = "\n".join(p.read_text(encoding="utf-8") for p in PACKAGE.rglob("*.py"))


class Tracking(dict):
    """A dict that records which of its keys were read (iterating reads them all)."""

    def __init__(self, data, path=(), seen=None):
        self.seen = set() if seen is None else seen
        self.path = path
        super().__init__({k: Tracking.wrap(v, (*path, k), self.seen) for k, v in data.items()})

    @staticmethod
    def wrap(value, path, seen):
        if isinstance(value, dict):
            return Tracking(value, path, seen)
        if isinstance(value, list):
            return [Tracking.wrap(v, (*path, i), seen) if isinstance(v, dict) else v for i, v in enumerate(value)]
        return value

    def __getitem__(self, key):
        self.seen.add((*self.path, key))
        return super().__getitem__(key)

    def get(self, key, default=None):
        self.seen.add((*self.path, key))
        return super().get(key, default)

    def _all(self):
        self.seen.update((*self.path, k) for k in dict.keys(self))

    def items(self):
        self._all()
        return super().items()

    def values(self):
        self._all()
        return super().values()

    def __iter__(self):
        self._all()
        return super().__iter__()


def _paths(data, path=()):
    """Every key path of the file, down to the keys of its sections' tables."""
    for k, v in data.items():
        yield (*path, k)
        if isinstance(v, dict):
            yield from _paths(v, (*path, k))
        elif isinstance(v, list):
            for i, item in enumerate(v):
                if isinstance(item, dict):
                    yield from _paths(item, (*path, k, i))


# Sections terms.py hands on as dicts, whose entries other modules look up by name.
NAMED = [("summary_rows",), ("table_groups", "core")]


def test_every_entry_is_read_by_terms(monkeypatch):
    """Loading terms.py reads every section and every key of the file."""
    tracked = Tracking(VOCABULARY)
    monkeypatch.setattr(tomllib, "loads", lambda _text: tracked)
    spec = importlib.util.spec_from_file_location("terms_probe", PACKAGE / "terms.py")
    spec.loader.exec_module(importlib.util.module_from_spec(spec))
    unread = sorted(".".join(map(str, p)) for p in _paths(VOCABULARY)
                    if p not in tracked.seen and p[:-1] not in NAMED)
    assert unread == []


@pytest.mark.parametrize("section", NAMED, ids=".".join)
def test_named_entries_are_used_by_the_code(section):
    """Entries looked up by name (SUMMARY_ROWS["income_total"]) are named in the code."""
    entries = VOCABULARY
    for k in section:
        entries = entries[k]
    unused = [k for k in entries if f'"{k}"' not in SOURCES]
    assert unused == []


def test_each_table_alias_names_its_own_table():
    """No alias is shadowed: each alone is read as the table it is listed under."""
    wrong = {a: (key, terms.table_key(a)) for key, spec in VOCABULARY["tables"].items()
             for a in [spec["title"], *spec["aliases"]] if terms.table_key(a) != key}
    assert wrong == {}


@pytest.mark.parametrize("label, number", [("", ""), ("表1", "1"), ("公开01表", "01"), ("预算05表", "05"),
                                           ("（一）", "一"), ("表十二", "十二"), ("表一", "一"), ("公开表4", "4")])
def test_each_table_title_is_a_title(label, number):
    """A table's canonical title, numbered as documents number it, is read as
    that table's title with that number (表1 一般公共预算… is table 1, not 1一)."""
    wrong = {}
    for key, spec in VOCABULARY["tables"].items():
        title = f"{label} {spec['title']}".strip()
        if terms.is_title(title) != (number, key):
            wrong[title] = terms.is_title(title)
    assert wrong == {}


def test_each_column_header_has_its_key():
    wrong = {h: (key, terms.column_key([h])) for h, key in VOCABULARY["columns"].items()
             if terms.column_key([h]) != key}
    assert wrong == {}


def test_each_three_public_item_label_is_that_item():
    wrong = {label: (item, terms.three_public_item(label))
             for label, item in VOCABULARY["three_public_items"].items() if terms.three_public_item(label) != item}
    assert wrong == {}


def test_each_function_class_name_is_that_class():
    wrong = {name: (code, terms.function_class_of(name)) for code, names in VOCABULARY["function_classes"].items()
             for name in names if terms.function_class_of(name) != code}
    assert wrong == {}
