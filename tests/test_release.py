"""The datasets as the assets of a GitHub Release (yusuan.release and
`yusuan release-assets`): every dataset in every format, flat, with
SHA256SUMS; and the data page's link to the latest release, only when the
build is told the repository. (The workflow's release job: test_workflows.py.)"""
from __future__ import annotations

import hashlib
import shutil
import subprocess
import zipfile

import duckdb
import pytest
from click.testing import CliRunner

from yusuan.cli import main
from yusuan.release import (CHECKSUMS, PARQUET_BY_YEAR, REPOSITORY_URL, ReleaseError, dataset_files,
                            latest_release_url, write_assets)
from yusuan.render import archive, catalog
from yusuan.render.data import load
from yusuan.render.site import environment
from yusuan.schema import DATASETS
from yusuan.store import PARTITIONED


@pytest.fixture(scope="module")
def assets(multi_year_data, tmp_path_factory):
    out = tmp_path_factory.mktemp("release") / "release-assets"
    write_assets(multi_year_data, out, progress=lambda *_: None)
    return out


def test_every_dataset_in_every_format_and_the_checksums(multi_year_data, assets):
    names = sorted(p.name for p in assets.iterdir())
    assert names == sorted([f"{ds.name}.{ext}" for ds in DATASETS for ext in ("csv", "parquet")]
                           + ["yusuan.xlsx", "yusuan.duckdb", "datapackage.json", PARQUET_BY_YEAR,
                              archive.NAME, CHECKSUMS])
    for name in dataset_files():
        assert (assets / name).read_bytes() == (multi_year_data / name).read_bytes(), name
    lines = (assets / CHECKSUMS).read_text(encoding="utf-8").splitlines()
    assert [line.split("  ")[1] for line in lines] == sorted(n for n in names if n != CHECKSUMS)
    for line in lines:
        digest, name = line.split("  ")
        assert digest == hashlib.sha256((assets / name).read_bytes()).hexdigest(), name
    if shutil.which("sha256sum"):
        subprocess.run(["sha256sum", "--check", "--quiet", CHECKSUMS], cwd=assets, check=True)


def test_the_partitioned_parquet_unzips_to_be_read_in_place(multi_year_data, assets, tmp_path):
    folder = multi_year_data / PARTITIONED
    want = sorted(f"{PARTITIONED}/{p.relative_to(folder).as_posix()}" for p in folder.rglob("*.parquet"))
    with zipfile.ZipFile(assets / PARQUET_BY_YEAR) as z:
        assert z.namelist() == want and z.testzip() is None
        z.extractall(tmp_path)
    for name in want:
        assert (tmp_path / name).read_bytes() == (multi_year_data / name).read_bytes()
    glob = (tmp_path / PARTITIONED / "documents" / "*" / "*.parquet").as_posix()
    assert duckdb.sql(f"select year, count(*) from read_parquet('{glob}', hive_partitioning = true) "
                      "group by year order by year").fetchall() == [(2024, 3), (2025, 3), (2026, 3)]


def test_the_whole_archive_is_the_data_pages(multi_year_data, assets, tmp_path):
    archive.write(multi_year_data, tmp_path / archive.NAME)
    whole = (tmp_path / archive.NAME).read_bytes()
    assert (assets / archive.NAME).read_bytes() == whole
    # the site's archive stops at its limit: none at all when larger, the same bytes when not
    archive.write(multi_year_data, tmp_path / "over" / archive.NAME, limit=len(whole) - 1)
    assert not (tmp_path / "over").exists() or not list((tmp_path / "over").iterdir())
    archive.write(multi_year_data, tmp_path / "under" / archive.NAME, limit=len(whole))
    assert (tmp_path / "under" / archive.NAME).read_bytes() == whole


def test_the_data_page_names_an_archive_too_big_to_write(tmp_path):
    """Without a file (archive.write stopped at the site's limit) the button
    links the release's archive, or says the archive is not on the site."""
    missing = tmp_path / archive.NAME
    limit = f"大于 {catalog.fmt.filesize(catalog.SITE_FILE_LIMIT)}"
    linked = catalog.archive_button(missing, "https://github.com/o/r/releases/latest")
    assert 'href="https://github.com/o/r/releases/latest/download/yusuan-all.zip"' in linked and limit in linked
    assert "太大，不放在本站" in catalog.archive_button(missing, None) and limit in catalog.archive_button(missing, None)


def test_same_data_same_assets(multi_year_data, assets, tmp_path):
    write_assets(multi_year_data, tmp_path / "again", progress=lambda *_: None)
    assert (tmp_path / "again" / CHECKSUMS).read_bytes() == (assets / CHECKSUMS).read_bytes()


def test_refuses_a_folder_holding_files_and_an_incomplete_data_folder(multi_year_data, tmp_path):
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(ReleaseError, match="not an empty folder"):
        write_assets(multi_year_data, busy)
    assert [p.name for p in busy.iterdir()] == ["notes.txt"]
    partial = tmp_path / "partial"
    shutil.copytree(multi_year_data, partial, ignore=shutil.ignore_patterns("yusuan.xlsx", PARTITIONED))
    with pytest.raises(ReleaseError, match=r"lacks yusuan\.xlsx, parquet/: run `yusuan data`"):
        write_assets(partial, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_command_line(multi_year_data, tmp_path):
    out = tmp_path / "assets"
    result = CliRunner().invoke(main, ["release-assets", "--data-dir", str(multi_year_data), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert (out / CHECKSUMS).is_file() and f"→ {out}/" in result.output
    result = CliRunner().invoke(main, ["release-assets", "--data-dir", str(multi_year_data), "--out", str(out)])
    assert result.exit_code == 2 and "not an empty folder" in result.output
    result = CliRunner().invoke(main, ["release-assets", "--data-dir", str(tmp_path / "none"), "--out", str(tmp_path / "x")])
    assert result.exit_code == 2 and "run `yusuan data`" in result.output


def test_latest_release_url_from_the_repository():
    assert latest_release_url({}) is None and latest_release_url({REPOSITORY_URL: ""}) is None
    assert latest_release_url({REPOSITORY_URL: "https://github.com/acme/yusuan-site/"}) == \
        "https://github.com/acme/yusuan-site/releases/latest"
    for bad in ("acme/yusuan", "https://github.com/acme", "javascript:alert(1)", "https://github.com/a/b\" onclick=x"):
        with pytest.raises(ValueError, match=REPOSITORY_URL):
            latest_release_url({REPOSITORY_URL: bad})


def data_page(data_dir) -> str:
    return environment().get_template("data.md").render(catalog=catalog.context(load(data_dir)))


def test_data_page_links_the_latest_release_only_when_told_the_repository(data_dir, monkeypatch):
    monkeypatch.delenv(REPOSITORY_URL, raising=False)
    without = data_page(data_dir)
    assert "releases" not in without and "GitHub Release" not in without
    monkeypatch.setenv(REPOSITORY_URL, "https://github.com/acme/yusuan-site")
    page = data_page(data_dir)
    assert '<a href="https://github.com/acme/yusuan-site/releases/latest">' in page and "SHA256SUMS" in page


def test_a_large_corpus_leaves_the_whole_files_to_the_release(multi_year_data, tmp_path, monkeypatch):
    """`yusuan build` writes the datasets' whole files only while they are
    small (store.EXPORT_ROWS rows). Past it, a build removes those of an
    earlier build (none is left stale), the data page links them in the
    release (or says they are not on the site), and `yusuan release-assets`
    writes them from the parts: byte for byte what `yusuan data` writes."""
    from conftest import load_benchmark
    from yusuan import store
    from yusuan.pipeline import run_data

    bench = load_benchmark()
    bench.generate(bench.load_samples(), 9, tmp_path / "content" / "disclosures")
    data = tmp_path / "data"
    shutil.copytree(multi_year_data, data)
    monkeypatch.setattr(store, "EXPORT_ROWS", 0)
    run_data(tmp_path / "content", data, cache_dir=None, progress=lambda *_: None, exports=None)
    whole = {f"{name}.{ext}" for name in store.PARTED for ext in ("parquet", "csv")} | {"yusuan.xlsx", "yusuan.duckdb"}
    assert not {p.name for p in data.iterdir()} & whole
    assert {"problems.csv", "department_ratios.parquet", "datapackage.json"} <= {p.name for p in data.iterdir()}
    for name in ("documents.parquet", "table_cells.csv", "department_ratios.csv", "problems.parquet"):
        assert (data / name).exists() == (name.split(".")[0] not in store.PARTED), name
    # the benchmark still finds the documents (its check that an added file is in the datasets)
    assert sorted(bench.documents_rows(data)) == sorted(bench.documents_rows(multi_year_data)) and \
        len(bench.documents_rows(data)) == 9

    monkeypatch.setenv(REPOSITORY_URL, "https://github.com/o/r")
    site_data = load(data)
    assert site_data.count("table_cells") == load(multi_year_data).count("table_cells") > 0
    files = {f["name"]: f for ds in catalog.context(site_data)["datasets"] for f in ds["files"]}
    assert files["table_cells.parquet"] == {"name": "table_cells.parquet", "size": "",
                                            "href": "https://github.com/o/r/releases/latest/download/table_cells.parquet"}
    assert files["problems.csv"]["href"] == "files/problems.csv" and files["problems.csv"]["size"]
    listed = catalog.whole_files(data, latest_release_url())
    assert '<a href="https://github.com/o/r/releases/latest/download/yusuan.xlsx" download>yusuan.xlsx</a>（不在本站）' in listed
    page = environment().get_template("data.md").render(catalog=catalog.context(site_data))
    assert "table_cells.parquet</a>（不在本站）" in page
    assert "只随本仓库的 GitHub Release 发布" in page
    assert "只随本仓库的 GitHub Release 发布" not in environment().get_template("data.md").render(
        catalog=catalog.context(load(multi_year_data)))

    out = tmp_path / "assets"
    write_assets(data, out, progress=lambda *_: None)
    for name in sorted(whole - {"yusuan.duckdb"}):     # (a database file holds its own page layout)
        assert (out / name).read_bytes() == (multi_year_data / name).read_bytes(), name
    assert duckdb.connect(str(out / "yusuan.duckdb"), read_only=True).sql(
        "select count(*) from table_cells").fetchall() == [(site_data.count("table_cells"),)]


def test_benchmark_reports_adding_one_file_against_the_cold_build():
    """The benchmark's verdict for issue 12's add-one target: the add-one
    build at 10,000 as a share of the cold build's time, ≤ 5% to meet it."""
    from conftest import load_benchmark

    bench = load_benchmark()

    def row(case: str, n: int, seconds: float):
        return bench.Row(case, n, build=bench.Run(seconds, 100.0, 0, None))

    def verdicts(add_seconds: float) -> list[str]:
        text = bench.report([row("cold build", 10_000, 400.0), row("add one file", 10_001, add_seconds)])
        return [line for line in text.splitlines() if line.startswith("- add one file at")]

    assert verdicts(19.9) == ["- add one file at N = 10,000: 19.9 s, 5.0% of the cold build's 400.0 s "
                              "(meets the target: ≤ 5%)"]
    assert verdicts(21.0) == ["- add one file at N = 10,000: 21.0 s, 5.2% of the cold build's 400.0 s "
                              "(misses the target: ≤ 5%)"]
