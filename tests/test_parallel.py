"""yusuan.parallel: when the build forks, and that a failing second process
fails the build instead of leaving a file half made or missing."""
from __future__ import annotations

import os

import pytest

from yusuan.parallel import in_second_process, worker_pool


def _write(path):
    path.write_text(str(os.getpid()), encoding="utf-8")


def _fail(path):
    raise ValueError("boom")


def test_second_process_does_the_work_elsewhere(tmp_path):
    out = tmp_path / "out.txt"
    in_second_process(_write, out, what="writing out.txt")()
    assert out.read_text(encoding="utf-8") != str(os.getpid())   # another process wrote it


def test_a_failing_second_process_raises_naming_the_work(tmp_path):
    wait = in_second_process(_fail, tmp_path / "x", what="writing x")
    with pytest.raises(RuntimeError, match="writing x failed"):
        wait()


def test_one_worker_or_one_task_runs_here():
    assert worker_pool(1, 100) is None
    assert worker_pool(2, 1) is None
    pool = worker_pool(2, 10)
    with pool:
        pids = set(pool.map(_pid, range(10)))
    assert os.getpid() not in pids


def _pid(_):
    return os.getpid()
