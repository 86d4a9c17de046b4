"""yusuan deletes only folders it made: a --site-dir or --data-dir holding
other files is refused with one line that names it, and the build leaves no
scratch folder beside its outputs."""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from conftest import CONTENT
from yusuan.cli import main


def site(data_dir: Path, site_dir: Path, *extra: str):
    return CliRunner().invoke(main, ["site", "--data-dir", str(data_dir), "--site-dir", str(site_dir),
                                     "--content", str(CONTENT), *extra])


def refused(result, folder: Path, marker: str) -> None:
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)        # no traceback
    (line,) = result.output.strip().splitlines()[-1:]
    assert str(folder) in line and marker in line and "delete" in line, line


def test_site_dir_holding_other_files_is_refused(data_dir, tmp_path):
    other = tmp_path / "notes"
    other.mkdir()
    (other / "keep.md").write_text("mine", encoding="utf-8")
    refused(site(data_dir, other), other, ".yusuan-site")
    assert [p.name for p in other.iterdir()] == ["keep.md"]


def test_site_dir_dot_is_refused(data_dir, tmp_path, monkeypatch):
    repo = tmp_path / "repo"
    shutil.copytree(CONTENT, repo / "content")
    monkeypatch.chdir(repo)
    refused(site(data_dir, Path(".")), Path("."), ".yusuan-site")
    assert sorted(p.name for p in repo.iterdir()) == ["content"]


def test_site_dir_yusuan_made_is_replaced_and_nothing_lands_beside_it(data_dir, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    cache = tmp_path / "cache"
    for stale in (None, out / "site" / "stale.html"):
        if stale:
            stale.write_text("from an earlier build", encoding="utf-8")
        result = site(data_dir, out / "site", "--cache-dir", str(cache))
        assert result.exit_code == 0, result.output
        assert (out / "site" / ".yusuan-site").is_file() and (out / "site" / "index.html").is_file()
        assert not (stale and stale.exists())
    assert [p.name for p in out.iterdir()] == ["site"]          # no .site_build, no .cache beside it
    # kept for the next build: the datasets' parts as Arrow files (render/data.py), the record of the
    # site's pages and their search entries (render/reuse.py), the departments' slugs, the Vega bundle
    assert [re.sub(r"-[\d.]+\.js$", ".js", p.name) for p in sorted(cache.iterdir())] == \
        ["arrow", "chart-specs.json", "department-slugs.json", "site-pages", "site-pages.json", "vega.js"]


def test_data_dir_holding_other_files_is_refused(tmp_path):
    other = tmp_path / "mine"
    (other / "sources").mkdir(parents=True)
    (other / "sources" / "notes.txt").write_text("mine", encoding="utf-8")
    result = CliRunner().invoke(main, ["data", "--content", str(CONTENT), "--data-dir", str(other),
                                       "--cache-dir", ""])
    refused(result, other, ".yusuan-data")
    assert (other / "sources" / "notes.txt").read_text(encoding="utf-8") == "mine"


def test_refusal_end_to_end(data_dir, tmp_path):
    """The installed command: exit status 2, one line on stderr, no traceback."""
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "index.md").write_text("# mine", encoding="utf-8")
    yusuan = Path(sys.executable).parent / "yusuan"
    run = subprocess.run([str(yusuan), "site", "--data-dir", str(data_dir), "--site-dir", str(folder),
                          "--content", str(CONTENT)], capture_output=True, text=True, timeout=300)
    assert run.returncode == 2, run.stderr
    assert "Traceback" not in run.stderr
    assert run.stderr.strip().splitlines()[-1].startswith(f"Error: {folder} holds files yusuan did not make")
    assert (folder / "index.md").exists()
