"""A user's mistake (a missing or unreadable folder or file, a bad option or
configuration) ends every command with one line that names the file and the
fix, and exit status 2; never a Python traceback. --strict keeps exit 1 for
files that could not be read."""
from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from conftest import CONTENT, sample
from yusuan.cli import main


def invoke(*args: str):
    return CliRunner().invoke(main, [str(a) for a in args])


def content_folder(root: Path, pages: bool = True) -> Path:
    """A content folder outside the project: one sample, and the hand-written pages."""
    content = root / "elsewhere" / "content"
    (content / "disclosures").mkdir(parents=True)
    shutil.copy(sample("昌吉"), content / "disclosures")
    if pages:
        shutil.copytree(CONTENT / "pages", content / "pages")
    return content


def build(content: Path, root: Path, *extra):
    return invoke("build", "--content", content, "--data-dir", root / "data", "--site-dir", root / "site",
                  "--cache-dir", "", "--jobs", "1", *extra)


def test_build_with_content_outside_the_project(tmp_path, monkeypatch):
    """No mkdocs.yml in the working folder: yusuan's own configuration."""
    monkeypatch.chdir(tmp_path)
    result = build(content_folder(tmp_path), tmp_path)
    assert result.exit_code == 0, result.output
    assert "<title>首页 - 部门预算公开数据</title>" in (tmp_path / "site" / "index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("how", ["--config", "working folder"])
def test_the_mkdocs_configuration_can_be_chosen(tmp_path, monkeypatch, how):
    from yusuan.render.site import DEFAULT_CONFIG

    monkeypatch.chdir(tmp_path)
    own = tmp_path / ("custom.yml" if how == "--config" else "mkdocs.yml")
    own.write_text(DEFAULT_CONFIG.read_text(encoding="utf-8").replace("site_name: 部门预算公开数据",
                                                                       "site_name: 我的预算站"), encoding="utf-8")
    result = build(content_folder(tmp_path), tmp_path, *(["--config", own] if how == "--config" else []))
    assert result.exit_code == 0, result.output
    assert "<title>首页 - 我的预算站</title>" in (tmp_path / "site" / "index.html").read_text(encoding="utf-8")


def one_line_error(result, *names) -> str:
    assert result.exit_code == 2, (result.exit_code, result.output)
    assert isinstance(result.exception, SystemExit), result.exception   # not a traceback
    assert "Traceback" not in result.output
    last = result.output.strip().splitlines()[-1]
    assert last.startswith("Error: "), result.output
    for name in names:
        assert str(name) in last, (name, last)
    return last


def test_missing_content_folder(tmp_path):
    one_line_error(invoke("data", "--content", tmp_path / "nope", "--data-dir", tmp_path / "d"),
                   tmp_path / "nope", "--content")


def test_content_without_its_pages(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    content = content_folder(tmp_path, pages=False)
    one_line_error(build(content, tmp_path), content / "pages" / "about.md", "--content")


def test_config_that_is_not_yaml(tmp_path, data_dir):
    bad = tmp_path / "mkdocs.yml"
    bad.write_text("site_name: [unclosed\n", encoding="utf-8")
    one_line_error(invoke("site", "--data-dir", data_dir, "--site-dir", tmp_path / "site", "--config", bad), bad)


def test_config_that_does_not_exist(tmp_path, data_dir):
    result = invoke("site", "--data-dir", data_dir, "--config", tmp_path / "none.yml")
    one_line_error(result, "none.yml")


def test_data_dir_that_cannot_be_made(tmp_path):
    afile = tmp_path / "afile"
    afile.write_text("", encoding="utf-8")
    one_line_error(invoke("data", "--content", CONTENT, "--data-dir", afile / "data", "--cache-dir", ""), afile)


def test_site_from_a_folder_without_datasets(tmp_path):
    one_line_error(invoke("site", "--data-dir", tmp_path, "--site-dir", tmp_path / "site"), tmp_path, "yusuan data")


def test_site_from_unreadable_datasets(tmp_path, data_dir):
    broken = tmp_path / "data"
    shutil.copytree(data_dir, broken)
    # the site reads the per-document datasets from their parts (parquet/NAME/year=…/part-…), the others whole
    for damaged in (next((broken / "parquet" / "documents").glob("year=*/part-*.parquet")), broken / "problems.parquet"):
        kept = damaged.read_bytes()
        damaged.write_bytes(b"not parquet")
        one_line_error(invoke("site", "--data-dir", broken, "--site-dir", tmp_path / "site"), broken, "yusuan data")
        damaged.write_bytes(kept)


def test_parse_a_file_that_is_no_disclosure(tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text("会议纪要\n", encoding="utf-8")
    one_line_error(invoke("parse", notes), notes)


def test_bad_option():
    one_line_error(invoke("data", "--jobs", "0"), "--jobs")


def test_unreadable_disclosure_is_a_problem_not_a_crash(tmp_path, monkeypatch):
    content = content_folder(tmp_path)
    locked = content / "disclosures" / "locked.txt"
    locked.write_text("x", encoding="utf-8")
    read_bytes = Path.read_bytes

    def refuse(path):   # chmod 000 does not stop root, who runs CI
        if path == locked:
            raise PermissionError(13, "Permission denied", str(path))
        return read_bytes(path)
    monkeypatch.setattr(Path, "read_bytes", refuse)
    args = ["data", "--content", content, "--data-dir", tmp_path / "data", "--cache-dir", "", "--jobs", "1"]
    result = invoke(*args)
    assert result.exit_code == 0, result.output
    problems = pd.read_parquet(tmp_path / "data" / "problems.parquet")
    assert problems.source_file.tolist() == ["disclosures/locked.txt"]
    assert "无法读取" in problems.message[0] and "Permission denied" in problems.message[0]
    assert invoke(*args, "--strict").exit_code == 1
