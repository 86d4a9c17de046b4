"""Shared fixtures: the real sample disclosures and one data-stage run over them."""
from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
CONTENT = ROOT / "content"
SAMPLES = sorted((CONTENT / "disclosures").glob("*.txt"))

ZIZHIQU = "2026-xinjiangweiwuerzizhiqugongyehexinxihuatingbenji-danwei"  # a 单位预算 (its own title says so)
CHANGJI = "2026-changjihuizuzizhizhougongyehexinxihuaju"
ATUSHI = "2026-atushenshishangwukejihegongyexinxihuaju"


def sample(name_part: str) -> Path:
    (path,) = [p for p in SAMPLES if name_part in p.name]
    return path


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory) -> Path:
    """`yusuan data` run once over the real content/ folder."""
    from yusuan.pipeline import run_data

    out = tmp_path_factory.mktemp("site_data")
    run_data(CONTENT, out, cache_dir=None, progress=lambda *_: None)
    return out


def load_benchmark():
    """bench/benchmark.py as a module (its synthetic corpus)."""
    spec = importlib.util.spec_from_file_location("benchmark", ROOT / "bench" / "benchmark.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["benchmark"] = module     # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def multi_year_data(tmp_path_factory) -> Path:
    """`yusuan data` over nine department-years of the benchmark's synthetic
    corpus: three departments (one per sample) in 2024, 2025 and 2026."""
    from yusuan.pipeline import run_data

    bench = load_benchmark()
    content = tmp_path_factory.mktemp("multi_year_content")
    bench.generate(bench.load_samples(), 9, content / "disclosures")
    out = tmp_path_factory.mktemp("multi_year_data")
    result = run_data(content, out, cache_dir=None, progress=lambda *_: None)
    assert len(result.documents) == 9 and not result.failed
    return out


@pytest.fixture(scope="session")
def datasets(data_dir):
    class Loader(dict):
        def __missing__(self, name):
            self[name] = pd.read_parquet(data_dir / f"{name}.parquet")
            return self[name]
    return Loader()


@pytest.fixture
def content_with(tmp_path):
    """Make a content folder holding the given {name: bytes} files."""
    def make(files: dict[str, bytes]) -> Path:
        root = tmp_path / "content"
        (root / "disclosures").mkdir(parents=True)
        for name, data in files.items():
            (root / "disclosures" / name).parent.mkdir(parents=True, exist_ok=True)
            (root / "disclosures" / name).write_bytes(data)
        return root
    return make


def copy_samples(dest: Path) -> Path:
    (dest / "disclosures").mkdir(parents=True, exist_ok=True)
    for p in SAMPLES:
        shutil.copy(p, dest / "disclosures" / p.name)
    return dest
