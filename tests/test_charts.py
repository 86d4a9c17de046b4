"""The charts: every kind is a valid Vega-Lite spec once a page's rows are in
it (checked against the Vega-Lite JSON schema that Altair ships, the
version the site's Vega bundle draws), each page's chart names a kind the
build wrote, and Altair runs once per build, not per page."""
from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import altair
import jsonschema
import pytest

from site_fixtures import fixture_data, fixture_site, real_site  # noqa: F401 - fixtures
from yusuan.render import charts

SCHEMA = Path(altair.__file__).parent / "vegalite" / "v6" / "schema" / "vega-lite-schema.json"


@cache
def validator() -> jsonschema.Draft7Validator:
    return jsonschema.Draft7Validator(json.loads(SCHEMA.read_text(encoding="utf-8")))


def errors(spec: dict) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message[:200]}" for e in validator().iter_errors(spec)]


def page_charts(site: Path) -> list[tuple[Path, dict, dict]]:
    """(page, kind spec, rows) for every chart container of every page."""
    import gzip
    import re
    found = []
    for page in sorted(site.rglob("*.html")):
        html = page.read_text(encoding="utf-8")
        for kind, data, name in re.findall(r'data-kind="([^"]+)" data-spec="([^"]+)" data-name="([^"]+)"', html):
            spec = json.loads((page.parent / kind).read_text(encoding="utf-8"))
            rows = json.loads(gzip.decompress((page.parent / data).read_bytes()))[name]
            found.append((page, spec, rows))
    return found


def test_every_kind_is_valid_vega_lite():
    specs = charts.specs()
    assert set(specs) == set(charts.KINDS)
    for name, spec in specs.items():
        assert spec["data"] == {"name": charts.DATA}, name
        assert "$schema" not in spec          # names an outside host
        assert not errors(spec), (name, errors(spec))


@pytest.mark.parametrize("which", ["fixture", "real"])
def test_every_emitted_chart_is_valid_with_its_rows(which, request):
    site = request.getfixturevalue("fixture_site" if which == "fixture" else "real_site")
    found = page_charts(site)
    assert len(found) >= 10
    kinds_used = set()
    for page, spec, rows in found:
        assert set(rows) == {charts.DATA} and rows[charts.DATA], page
        full = dict(spec, datasets=rows)
        assert not errors(full), (page, errors(full)[:3])
        kinds_used.add(json.dumps(spec, sort_keys=True))
    # one spec file per kind for the whole site
    written = sorted((site / "assets" / "yusuan" / "charts").glob("*.json"))
    assert {p.stem for p in written} == set(charts.KINDS)
    assert len(kinds_used) <= len(written)


def test_an_invalid_spec_is_caught():
    """The validator is not a rubber stamp: a mark Vega-Lite does not have fails."""
    spec = dict(charts.specs()["items"], mark={"type": "pie-slice"})
    assert errors(spec)


def test_altair_builds_each_kind_once_per_build(monkeypatch, fixture_data, tmp_path):
    from site_fixtures import build

    calls = []
    real = charts.specs
    monkeypatch.setattr(charts, "specs", lambda: calls.append(1) or real())
    build(fixture_data, tmp_path)
    assert calls == [1]


def test_specs_are_kept_in_the_cache_for_the_same_code(tmp_path, monkeypatch):
    """The specs a build made are taken from the cache by the next build of
    the same code (Altair is not imported to make them again), the same
    bytes; other code, or a damaged file, makes them again."""
    from yusuan.render import charts
    from yusuan.render.tables import json_text

    real = charts.specs
    made = []
    monkeypatch.setattr(charts, "specs", lambda: made.append(1) or real())
    cache = tmp_path / "cache"
    charts.write_specs(tmp_path / "a", json_text, cache, "code 1")
    charts.write_specs(tmp_path / "b", json_text, cache, "code 1")
    assert len(made) == 1
    written = {p.name: p.read_bytes() for p in (tmp_path / "a").iterdir()}
    assert written == {p.name: p.read_bytes() for p in (tmp_path / "b").iterdir()}
    assert sorted(written) == sorted(f"{kind}.json" for kind in charts.KINDS)
    charts.write_specs(tmp_path / "c", json_text, cache, "code 2")
    assert len(made) == 2
    (cache / charts.SPECS).write_text("{", encoding="utf-8")
    charts.write_specs(tmp_path / "d", json_text, cache, "code 2")
    assert len(made) == 3 and {p.name: p.read_bytes() for p in (tmp_path / "d").iterdir()} == written
