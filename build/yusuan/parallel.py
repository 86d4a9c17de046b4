"""The build's use of more than one core, in one place: a pool of forked
worker processes (parsing files, writing department pages) and a single
second process (a workbook, the Vega bundle). Without fork (not Linux) the
work runs in this process instead."""
from __future__ import annotations

import gc
import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor


def default_jobs() -> int:
    """The CPU cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:   # not Linux
        return os.cpu_count() or 1


def _can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def _freeze_inherited() -> None:
    """In a worker: take what it inherited (modules, pypinyin's 190,000 dict
    entries …) out of the garbage collector's scans, which otherwise cost
    ~8 ms of every ~45 ms parse. Workers end with os._exit, so frozen objects
    are never a problem at exit."""
    gc.freeze()


def worker_pool(workers: int, tasks: int) -> ProcessPoolExecutor | None:
    """A pool of `workers` forked processes (they share this one's memory), or
    None when one process will do: one worker, fewer than two tasks, no fork."""
    if workers <= 1 or tasks < 2 or not _can_fork():
        return None
    return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"),
                               initializer=_freeze_inherited)


def in_second_process(fn: Callable, *args, what: str) -> Callable[[], None]:
    """Start fn(*args) in a forked process; returns a function that waits for
    it and raises if it failed (`what` names the work in that message)."""
    if not _can_fork():
        fn(*args)
        return lambda: None
    proc = multiprocessing.get_context("fork").Process(target=fn, args=args, daemon=True)
    proc.start()

    def wait() -> None:
        proc.join()
        if proc.exitcode != 0:
            raise RuntimeError(f"{what} failed in its process (exit code {proc.exitcode}; see above)")
    return wait
