"""Benchmark reading real published PDFs (bench/benchmark.py --real DIR).

The synthetic build benchmark multiplies the three text samples; this one
times what departments really publish. For each PDF under DIR, in this
process on one core:

- read: the PDF's bytes → its lines (`yusuan.read.read_source`: pdfplumber's
  characters, ruled grids, cells);
- parse: those lines → tables, narrative, checks and dataset rows (what a
  worker of `yusuan data` does after reading).

Then `yusuan data --content DIR` with an empty parse cache, every core, as a
user runs it: wall time for the whole folder, documents made of two files
merged.
"""
from __future__ import annotations

import datetime
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass
class FileTime:
    rel: str
    pages: int
    read_s: float
    parse_s: float | None     # None: a file with no tables (merged with its partner by the build)


def time_files(folder: Path) -> list[FileTime]:
    from yusuan.document import NotADisclosure
    from yusuan.pipeline import _parsed
    from yusuan.read import find_disclosures, read_source
    from yusuan.read.pdf import page_of

    out = []
    for path in find_disclosures(folder):
        if path.suffix.lower() != ".pdf":
            continue
        t0 = time.perf_counter()
        source = read_source(path, folder)
        t1 = time.perf_counter()
        try:
            _parsed(source)
            parse_s: float | None = time.perf_counter() - t1
        except NotADisclosure:
            parse_s = None
        out.append(FileTime(source.rel, max(page_of(source.lines), default=0), t1 - t0, parse_s))
        print(f"  {source.rel}: {out[-1].pages} pages, read {t1 - t0:.2f} s", file=sys.stderr)
    return out


def time_build(folder: Path, command: list[str]) -> tuple[float, str]:
    work = Path(tempfile.mkdtemp(prefix="yusuan-real-"))
    try:
        t0 = time.perf_counter()
        done = subprocess.run(command + ["data", "--content", str(folder), "--data-dir", str(work / "data"),
                                         "--cache-dir", str(work / "cache")],
                              capture_output=True, text=True)
        seconds = time.perf_counter() - t0
        said = [line for line in done.stderr.splitlines() if line.startswith("yusuan data: ") and "→" in line]
        if done.returncode:
            return seconds, f"exit {done.returncode}: {done.stderr[-300:]}"
        return seconds, said[-1].split(" → ")[0].removeprefix("yusuan data: ") if said else ""
    finally:
        shutil.rmtree(work, ignore_errors=True)


def report(folder: Path, files: list[FileTime], build_s: float, build_note: str, machine: str,
           command: str) -> str:
    pages = sum(f.pages for f in files)
    read_s = sum(f.read_s for f in files)
    parse_s = sum(f.parse_s or 0 for f in files)
    slowest = max(files, key=lambda f: f.read_s / max(f.pages, 1))
    largest = max(files, key=lambda f: f.pages)
    rows = [
        "| stage | PDF files | pages | time | pages a second |",
        "|---|---:|---:|---:|---:|",
        f"| read (one core) | {len(files)} | {pages:,} | {read_s:.1f} s | {pages / read_s:.1f} |",
        f"| parse, check, rows (one core) | {len(files)} | {pages:,} | {parse_s:.1f} s | {pages / parse_s:.0f} |",
        f"| `yusuan data`, cold cache, every core | {len(files)} | {pages:,} | {build_s:.1f} s | {pages / build_s:.1f} |",
    ]
    return "\n".join(rows + [
        "",
        f"- largest file: `{largest.rel}`, {largest.pages} pages read in {largest.read_s:.1f} s",
        f"- slowest to read a page: `{slowest.rel}`, {slowest.read_s / max(slowest.pages, 1) * 1000:.0f} ms a page",
        f"- `yusuan data` said: {build_note}",
        "",
        f"Measured {datetime.date.today().isoformat()} on the PDFs in `{folder.as_posix()}` on {machine}, with `{command}`.",
    ])
