"""The GitHub Actions workflows and .ci/run: valid, least-privileged, and
running the same commands as the README says.

Validation uses check-jsonschema's vendored GitHub workflow schema: no network.
"""
from __future__ import annotations

import importlib.util
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.y*ml"))
SITE = ROOT / ".github" / "workflows" / "site.yml"
CI_RUN = ROOT / ".ci" / "run"


def _load_tool(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "tools" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


readme_sections = _load_tool("readme_sections")
README = readme_sections.read_readme(ROOT / "README.md")
BUILD_COMMAND = readme_sections.command(README, "build-command")
TEST_COMMAND = readme_sections.command(README, "test-command")


def load(path: Path) -> dict:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    # YAML 1.1 reads the bare key `on` as the boolean True.
    if True in data:
        data["on"] = data.pop(True)
    return data


def run_scripts(job: dict) -> list[str]:
    return [step["run"].strip() for step in job.get("steps", []) if "run" in step]


def step_using(job: dict, action: str) -> list[dict]:
    return [s for s in job.get("steps", []) if s.get("uses", "").split("@")[0] == action]


@pytest.fixture(scope="module")
def site() -> dict:
    return load(SITE)


def test_there_is_a_site_workflow():
    assert SITE in WORKFLOWS


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_workflow_is_valid_against_the_github_schema(path):
    result = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.github-workflows", str(path)],
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_actions_are_official_and_pinned_to_a_major_version(path):
    for job in load(path)["jobs"].values():
        for step in job.get("steps", []):
            if "uses" in step:
                assert re.fullmatch(r"actions/[a-z-]+@v\d+", step["uses"]), step["uses"]


def test_triggers(site):
    on = site["on"]
    assert set(on) == {"push", "pull_request", "workflow_dispatch", "schedule"}
    assert on["push"]["branches"] == ["main"]
    for event in ("push", "pull_request"):
        paths = on[event]["paths"]
        for p in ("content/**", "build/**", "pyproject.toml", "mkdocs.yml", ".github/workflows/site.yml"):
            assert p in paths, f"{event} does not trigger on {p}"
    (cron,) = [entry["cron"] for entry in on["schedule"]]
    minute, hour, day_of_month, month, day_of_week = cron.split()
    assert (day_of_month, month) == ("*", "*") and day_of_week != "*", "schedule should be weekly"


def test_least_permissions(site):
    assert site["permissions"] == {"contents": "read"}
    build, deploy, release = site["jobs"]["build"], site["jobs"]["deploy"], site["jobs"]["release"]
    assert "permissions" not in build, "the build job runs third-party code: keep it at contents: read"
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert release["permissions"] == {"contents": "write"}


def test_concurrency_group(site):
    concurrency = site["concurrency"]
    assert concurrency["group"]
    # a deploy in progress is never cancelled: only pull-request runs cancel
    assert "pull_request" in str(concurrency["cancel-in-progress"])


def test_deploy_needs_build_and_runs_in_the_pages_environment(site):
    deploy = site["jobs"]["deploy"]
    needs = deploy["needs"]
    assert needs == "build" or needs == ["build"]
    assert deploy["environment"]["name"] == "github-pages"
    assert "pull_request" in deploy["if"], "pull requests must not deploy"
    assert [s["uses"].split("@")[0] for s in deploy["steps"]] == ["actions/deploy-pages"]


def test_build_uploads_pages_artifact_on_push_and_review_artifact_on_pull_request(site):
    build = site["jobs"]["build"]
    (pages,) = step_using(build, "actions/upload-pages-artifact")
    (review,) = [s for s in step_using(build, "actions/upload-artifact") if s["with"]["name"] == "site"]
    assert pages["if"] == "github.event_name != 'pull_request'"
    assert review["if"] == "github.event_name == 'pull_request'"
    assert pages["with"]["path"] == review["with"]["path"] == "site"


def test_python_311_with_pip_cache(site):
    (setup,) = step_using(site["jobs"]["build"], "actions/setup-python")
    assert str(setup["with"]["python-version"]) == "3.11"
    assert setup["with"]["cache"] == "pip"


def cache_of(site: dict, path: str) -> dict:
    """The build job's actions/cache step that keeps `path`."""
    (cache,) = [s for s in step_using(site["jobs"]["build"], "actions/cache") if s["with"]["path"] == path]
    return cache


def build_default(option: str) -> str:
    """The default of an option of `yusuan build`, as the README's command runs it."""
    from yusuan.cli import build

    (default,) = [p.default for p in build.params if p.name == option]
    return str(default)


def test_parse_cache_is_kept_between_runs(site):
    cache = cache_of(site, ".cache/yusuan")
    assert build_default("cache_dir") == ".cache/yusuan"
    key = cache["with"]["key"]
    assert "hashFiles('content/**')" in key and "build/**" in key
    restore = cache["with"]["restore-keys"].strip()
    assert restore and key.startswith(restore), "restore-keys must be a prefix of the key"


def test_last_site_is_restored_for_the_build_to_keep_its_pages(site):
    """The build keeps the pages of the site folder it finds whose files the
    record in the parse cache lists (render/reuse.py): the folder the
    README's build writes is restored before it, an entry of its own, with
    the parse cache's key scheme."""
    build = site["jobs"]["build"]
    parse, pages = cache_of(site, ".cache/yusuan"), cache_of(site, build_default("site_dir"))
    for field in ("key", "restore-keys"):
        assert pages["with"][field] == parse["with"][field].replace("yusuan-parse-", "yusuan-site-"), field
    assert pages["with"]["key"] != parse["with"]["key"]
    (build_step,) = [s for s in build["steps"] if s.get("run", "").strip() == f"{BUILD_COMMAND} --strict"]
    assert build["steps"].index(pages) < build["steps"].index(build_step)


def test_last_data_parts_are_restored_for_the_build_to_keep_them(site):
    """The datasets' parts of the data folder the README's build writes are
    restored before it, an entry of its own; from any run (a part whose
    footer names other documents or other code is written again:
    store.part_digest), so its restore key names no code."""
    from yusuan.store import PARTITIONED

    build = site["jobs"]["build"]
    parts = cache_of(site, f"{build_default('data_dir')}/{PARTITIONED}")
    assert parts["with"]["key"].startswith("yusuan-parts-") and "hashFiles('content/**')" in parts["with"]["key"]
    assert parts["with"]["restore-keys"].strip() == "yusuan-parts-${{ runner.os }}-"
    (build_step,) = [s for s in build["steps"] if s.get("run", "").strip() == f"{BUILD_COMMAND} --strict"]
    assert build["steps"].index(parts) < build["steps"].index(build_step)


def test_workflow_tests_with_the_readme_test_command(site):
    assert TEST_COMMAND in run_scripts(site["jobs"]["build"])


def test_workflow_builds_with_the_readme_build_command_in_strict_mode(site):
    scripts = run_scripts(site["jobs"]["build"])
    assert f"{BUILD_COMMAND} --strict" in scripts
    builds = [s for s in scripts if "yusuan build" in s]
    assert builds == [f"{BUILD_COMMAND} --strict"], "exactly one build, and it is the README's"


def test_workflow_tests_before_it_builds(site):
    scripts = run_scripts(site["jobs"]["build"])
    assert scripts.index(TEST_COMMAND) < scripts.index(f"{BUILD_COMMAND} --strict")


def test_readme_commands_do_the_setup_themselves():
    # each command makes a virtual environment and installs the package into
    # it first, so one line works on a fresh Debian, whose system pip refuses
    # to install (externally-managed-environment)
    assert BUILD_COMMAND == "python3 -m venv .venv && .venv/bin/pip install -e . && .venv/bin/yusuan build"
    assert TEST_COMMAND == 'python3 -m venv .venv && .venv/bin/pip install -e ".[test]" && .venv/bin/python -m pytest -q'
    for cmd in (BUILD_COMMAND, TEST_COMMAND):
        shlex.split(cmd)  # raises on unbalanced quotes


def test_ci_run_runs_exactly_the_readme_test_command():
    text = CI_RUN.read_text(encoding="utf-8")
    code = [line.strip() for line in text.splitlines() if line.strip() and not line.strip().startswith("#")]
    assert "set -euo pipefail" in code
    assert code[-1] == TEST_COMMAND, "the README's test command must be the last command of .ci/run"
    runners = [line for line in code if "pytest" in line and not line.startswith("echo")]
    assert runners == [TEST_COMMAND], "no other test runs in .ci/run"


def test_ci_run_installs_chromium_cjk_fonts_and_venv():
    text = CI_RUN.read_text(encoding="utf-8")
    assert "apt-get update" in text and re.search(r"apt-get install -y\b", text)
    assert re.search(r"^\s*apt_install chromium fonts-noto-cjk$", text, re.M)
    assert re.search(r"^\s*apt_install python3-venv$", text, re.M)
    assert "YUSUAN_CHROMIUM" in text


def test_readme_names_the_system_packages_before_the_commands_need_them():
    """A fresh Debian has neither python3-venv nor Chromium: the README says
    to install them before the command that needs them, not after."""
    venv = README.index("apt-get install -y python3-venv")
    browser = README.index("apt-get install -y chromium fonts-noto-cjk")
    assert venv < README.index("<!-- build-command -->")
    assert README.index("<!-- /build-command -->") < browser < README.index("<!-- test-command -->")


def test_ci_run_is_valid_bash():
    subprocess.run(["bash", "-n", str(CI_RUN)], check=True)


# ---------------------------------------------------------------- the datasets as a GitHub Release

MAIN_ONLY = "github.event_name != 'pull_request' && github.ref == 'refs/heads/main'"


def test_build_gathers_the_release_assets_and_hands_them_on(site):
    build, release = site["jobs"]["build"], site["jobs"]["release"]
    scripts = run_scripts(build)
    gather = "  ".join(s for s in scripts if "yusuan release-assets" in s)
    assert gather == ".venv/bin/yusuan release-assets --data-dir site_data --out release-assets"
    assert scripts.index(gather) > scripts.index(f"{BUILD_COMMAND} --strict")
    (upload,) = [s for s in step_using(build, "actions/upload-artifact") if s["with"]["name"] == "release-assets"]
    (gather_step,) = [s for s in build["steps"] if s.get("run", "").strip() == gather]
    assert upload["with"]["path"] == "release-assets" and upload["if"] == gather_step["if"] == MAIN_ONLY
    assert upload["with"]["retention-days"] == 1
    (download,) = step_using(release, "actions/download-artifact")
    assert download["with"] == {"name": "release-assets", "path": "release-assets"}


def test_release_job_publishes_after_the_deploy_with_gh_only(site):
    release, deploy = site["jobs"]["release"], site["jobs"]["deploy"]
    assert release["if"] == MAIN_ONLY and deploy["if"] == MAIN_ONLY
    assert sorted(release["needs"]) == ["build", "deploy"]
    # the job that may write to the repository runs no checkout and no action but the download
    assert [s.get("uses", "").split("@")[0] for s in release["steps"]] == ["actions/download-artifact", ""]
    (script,) = run_scripts(release)
    assert "gh release create" in script and '--target "$GITHUB_SHA"' in script and "--latest" in script
    env = release["steps"][1]["env"]
    assert env == {"GH_TOKEN": "${{ github.token }}", "GH_REPO": "${{ github.repository }}"}


def test_only_the_build_step_is_told_the_repository(site):
    """The data page links the latest release when the build knows the
    repository; the tests' builds do not, so they stay the same everywhere."""
    build = site["jobs"]["build"]
    (step,) = [s for s in build["steps"] if s.get("run", "").strip() == f"{BUILD_COMMAND} --strict"]
    assert step["env"] == {"YUSUAN_REPOSITORY_URL": "${{ github.server_url }}/${{ github.repository }}"}
    assert "env" not in next(s for s in build["steps"] if s.get("run", "").strip() == TEST_COMMAND)
    assert "YUSUAN_REPOSITORY_URL" not in str(build.get("env", {})) + str(site.get("env", {}))


def _fake_gh(tmp_path: Path) -> Path:
    """A `gh` that records its arguments, one per line, then a line ---."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    gh = bin_dir / "gh"
    gh.write_text('#!/bin/sh\nfor a in "$@"; do printf "%s\\n" "$a"; done >> "$GH_LOG"\necho --- >> "$GH_LOG"\n')
    gh.chmod(0o755)
    return bin_dir


def _run_release_script(site, folder: Path, bin_dir: Path) -> subprocess.CompletedProcess:
    (script,) = run_scripts(site["jobs"]["release"])
    env = {"PATH": f"{bin_dir}:/usr/bin:/bin", "GH_LOG": str(folder / "gh.log"), "GITHUB_RUN_NUMBER": "42",
           "GITHUB_RUN_ATTEMPT": "1", "GITHUB_SHA": "0123abc", "GH_TOKEN": "x", "GH_REPO": "owner/repo"}
    return subprocess.run(["bash", "-e", "-c", script], cwd=folder, env=env, capture_output=True, text=True, timeout=60)


def test_release_script_checks_the_checksums_and_creates_a_dated_release(site, data_dir, tmp_path):
    """The release step's own script, run here with a stand-in for gh: it
    checks every asset against SHA256SUMS and creates one release with a
    dated tag at the built commit, every asset attached."""
    from yusuan.release import write_assets

    write_assets(data_dir, tmp_path / "release-assets", progress=lambda *_: None)
    bin_dir = _fake_gh(tmp_path)
    done = _run_release_script(site, tmp_path, bin_dir)
    assert done.returncode == 0, done.stderr
    args = (tmp_path / "gh.log").read_text(encoding="utf-8").split("\n---\n")[0].splitlines()
    assert args[:2] == ["release", "create"] and re.fullmatch(r"data-\d{4}-\d\d-\d\d-42\.1", args[2])
    attached = [a for a in args if a.startswith("release-assets/")]
    assert sorted(attached) == sorted(f"release-assets/{p.name}" for p in (tmp_path / "release-assets").iterdir())
    assert "release-assets/SHA256SUMS" in attached and "release-assets/table_cells.csv" in attached
    assert args[args.index("--target") + 1] == "0123abc" and "--latest" in args

    (tmp_path / "gh.log").unlink()
    damaged = tmp_path / "release-assets" / "documents.csv"    # an asset damaged on its way (a new
    data = damaged.read_bytes()                                 # file: this one is a hard link into data_dir)
    damaged.unlink()
    damaged.write_bytes(data + b"x")
    done = _run_release_script(site, tmp_path, bin_dir)
    assert done.returncode != 0 and "documents.csv" in done.stdout + done.stderr
    assert not (tmp_path / "gh.log").exists(), "no release of damaged files"

