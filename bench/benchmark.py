"""Benchmark the yusuan build on synthetic department-years.

Makes N department-years from the sample disclosures in content/disclosures/:
each synthetic department is a sample with its department renamed everywhere
in the text and the file name (the place name is kept, so the level stays the
same), and each department has one file per year (the years in the text are
shifted consistently). Every file's bytes differ, so none is a duplicate.

Then, for each N, in a fresh work folder:

1. cold build: `yusuan build` (data stage, then site) with an empty parse cache;
2. add one: a new department's file added, `yusuan build` again (the cache
   should make it parse only that file), and a check that the department is
   in the datasets and the site;
3. delete one: that file removed, `yusuan build`, and a check that the
   department is gone from the datasets and the site.
Cases 2 and 3 run for N up to --incremental-up-to (default 100). Before
each build the file system is synced (os.sync), so that a build is not
timed while the step before's writes go to the disk.

It prints a Markdown table of wall time (the data and site stages' shares as
the command reports them), peak memory (max RSS of the command and its
worker processes, from wait4), dataset and site size, and the largest HTML
page; then a table of the site's size by top-level folder (docs, data,
sources, search …) and of the Parquet partitioned by year
(site_data/parquet/) at each size's cold build; then what a reader's first
search downloads at each size, measured in headless Chromium
(bench/search_bytes.py: the search files a query fetches, for a few
queries); with
--update-readme it writes the table into README.md between the markers
<!-- benchmark --> and <!-- /benchmark -->.

    python3 bench/benchmark.py                  # N = 100 (all cases) and 1000 (cold build)
    python3 bench/benchmark.py --sizes 30       # a quick look
    python3 bench/benchmark.py --repeat 3       # each cold build 3 times: median and range
    python3 bench/benchmark.py --update-readme  # and record the figures
    python3 bench/benchmark.py --real tests/real --update-readme   # real PDFs: pages a second

With --real DIR it times reading the real PDFs under DIR instead
(bench/reading.py) and writes its table between <!-- benchmark-real --> and
<!-- /benchmark-real -->.

Targets: 1,000 department-years, data + site, in under 60 s on 2 cores; a
department page under 100 KB. At 10,000 (issue 12): a cold build in 10
minutes and 4 GB, a site of 1 GB at most (GitHub Pages' limit), no page over
1 MB, a first search under 1 MB.

    python3 bench/benchmark.py --sizes 1000,10000 --incremental-up-to 1000 --update-readme
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "content" / "disclosures"
sys.path.insert(0, str(ROOT / "tools"))

TARGET_SECONDS = 60.0                 # 1,000 department-years, data + site
TARGET_PAGE_BYTES = 100 * 1024        # a department page
# issue 12's targets at 10,000 department-years (2 cores)
SCALE_N = 10_000
SCALE_SECONDS = 600.0                 # cold build
SCALE_MEMORY_MB = 4096                # peak memory
SCALE_SITE_BYTES = 10**9              # the site: GitHub Pages refuses more than 1 GB
SCALE_ADD_SHARE = 0.05                # adding one file: of the cold build's time
ANY_PAGE_BYTES = 2**20                # no page over 1 MB
SEARCH_BYTES = 2**20                  # a reader's first query
# a department-year's main page in the built site: site/docs/<doc_id>/index.html
DEPARTMENT_PAGES = "docs/*/index.html"
YEARS = (2026, 2025, 2024)
CN_DIGITS = "〇一二三四五六七八九"

# 2026年新疆维吾尔自治区工业和信息化厅本级单位预算公开.txt
FILE_NAME = re.compile(r"^(?P<year>\d{4})\s*年(?P<dept>.+?)(?P<suffix>本级单位|部门|单位)预算公开$")
# the place part of a department name: 新疆维吾尔自治区 / 昌吉回族自治州 / 阿图什市
PLACE = re.compile(r"^.*?(?:自治区|自治州|地区|州|市|县|区|盟|旗)")
# a year written before 年 ("2026年", "2025 年"), not inside an amount
YEAR_IN_TEXT = re.compile(r"(?<![\d.,])(20\d\d)(?=\s*年)")


# ---------------------------------------------------------------- corpus

@dataclass(frozen=True)
class Sample:
    path: Path
    text: str
    year: int
    department: str
    core: str      # the department name less its place: 工业和信息化局
    suffix: str


def load_samples(folder: Path = SAMPLES) -> list[Sample]:
    samples = []
    for path in sorted(folder.glob("*.txt")):
        m = FILE_NAME.match(path.stem)
        if not m:
            raise SystemExit(f"{path.name}: file name is not '<year>年<department>部门预算公开.txt'")
        dept = m["dept"]
        place = PLACE.match(dept)
        core = dept[place.end():] if place and place.end() < len(dept) else dept
        text = path.read_bytes().decode("utf-8-sig")
        if text.count(core) < 2:
            raise SystemExit(f"{path.name}: department {core!r} hardly appears in the text")
        samples.append(Sample(path, text, int(m["year"]), dept, core, m["suffix"]))
    if not samples:
        raise SystemExit(f"no samples in {folder}")
    return samples


def cn_number(k: int) -> str:
    return "".join(CN_DIGITS[int(d)] for d in str(k))


def synthetic_core(core: str, k: int) -> str:
    """工业和信息化局 → 工业和信息化四二局: a department that does not exist."""
    return f"{core[:-1]}{cn_number(k)}{core[-1]}"


def make_file(sample: Sample, k: int, year: int) -> tuple[str, str, str]:
    """(file name, text, department name) of synthetic department k in year."""
    new_core = synthetic_core(sample.core, k)
    text = sample.text.replace(sample.core, new_core)
    offset = year - sample.year
    if offset:
        text = YEAR_IN_TEXT.sub(lambda m: str(int(m[1]) + offset), text)
    department = sample.department.replace(sample.core, new_core)
    return f"{year}年{department}{sample.suffix}预算公开.txt", text, department


def generate(samples: list[Sample], n: int, folder: Path, start: int = 0) -> list[tuple[Path, str]]:
    """Write department-years start … start+n-1 into folder; return (path, department)."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for i in range(start, start + n):
        k, year = divmod(i, len(YEARS))
        sample = samples[k % len(samples)]
        name, text, department = make_file(sample, k, YEARS[year])
        path = folder / name
        path.write_text(text, encoding="utf-8")
        written.append((path, department))
    return written


def prepare(d: Path) -> None:
    """A project folder like the repository's, less its disclosures: content/
    with its hand-written pages (the site uses yusuan's own mkdocs.yml)."""
    d.mkdir(parents=True, exist_ok=True)
    shutil.copytree(ROOT / "content", d / "content", dirs_exist_ok=True,
                    ignore=lambda folder, names: ["disclosures"] if Path(folder) == ROOT / "content" else [])


# ---------------------------------------------------------------- measuring

@dataclass
class Run:
    seconds: float
    max_rss_mb: float
    returncode: int
    log: Path


def yusuan_command() -> list[str]:
    here = Path(sys.executable).parent / "yusuan"
    if here.exists():
        return [str(here)]
    found = shutil.which("yusuan")
    if found:
        return [found]
    return [sys.executable, "-c", "import sys; from yusuan.cli import main; sys.exit(main())"]


def run(args: list[str], log: Path) -> Run:
    """Run a command, its output to log; wall time and its peak RSS (wait4)."""
    if hasattr(os, "sync"):
        os.sync()     # the last run's ~1.5 GB of writes are flushed first, not during this one
    with log.open("wb") as out:
        start = time.perf_counter()
        proc = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    # ru_maxrss is in KiB on Linux
    return Run(seconds, usage.ru_maxrss / 1024, proc.returncode, log)


def tree_size(folder: Path) -> tuple[int, int]:
    total = count = 0
    for p in folder.rglob("*"):
        if p.is_file():
            total += p.stat().st_size
            count += 1
    return total, count


def sizes_by_folder(folder: Path) -> dict[str, int]:
    """Bytes under each top-level folder of `folder`; the files directly in it as "(top level)"."""
    out: dict[str, int] = {}
    for p in folder.rglob("*"):
        if p.is_file():
            rel = p.relative_to(folder).parts
            key = rel[0] if len(rel) > 1 else "(top level)"
            out[key] = out.get(key, 0) + p.stat().st_size
    return out


def largest_html(folder: Path, pattern: str = "**/*.html") -> tuple[int, str]:
    best = (0, "")
    for p in folder.glob(pattern):
        size = p.stat().st_size
        if size > best[0]:
            best = (size, str(p.relative_to(folder)))
    return best


def documents_departments(data_dir: Path) -> set[str] | None:
    """Department names in the documents dataset, or None if it can't be read."""
    rows = documents_rows(data_dir)
    return None if rows is None else set(rows)


def documents_rows(data_dir: Path) -> list[str] | None:
    """The department of each row of the documents dataset, or None if it can't be read."""
    package = data_dir / "datapackage.json"
    if not package.exists():
        return None
    resources = json.loads(package.read_text(encoding="utf-8")).get("resources", [])
    for res in resources:
        if res.get("name") != "documents":
            continue
        paths = res.get("path")
        for rel in [paths] if isinstance(paths, str) else (paths or []):
            path = data_dir / rel
            if path.suffix == ".csv" and path.exists():
                with path.open(encoding="utf-8-sig", newline="") as f:
                    return [row["department"] for row in csv.DictReader(f)]
            if path.suffix == ".parquet" and path.exists():
                import pandas as pd
                return list(pd.read_parquet(path, columns=["department"])["department"])
    for path in (data_dir / "documents.csv", data_dir / "csv" / "documents.csv"):
        if path.exists():
            with path.open(encoding="utf-8-sig", newline="") as f:
                return [row["department"] for row in csv.DictReader(f)]
    parts = data_dir / "parquet" / "documents"    # a large corpus: only its parts by year (yusuan.store)
    if any(parts.glob("year=*/*.parquet")):
        import pyarrow.dataset as pads
        return pads.dataset(parts, format="parquet", partitioning="hive").to_table(columns=["department"]) \
            .column("department").to_pylist()
    return None


def site_mentions(site_dir: Path, text: str) -> list[str]:
    hits = []
    for p in site_dir.rglob("*"):
        if p.is_file() and p.suffix in {".html", ".json", ".js", ".csv"}:
            if text in p.read_text(encoding="utf-8", errors="replace"):
                hits.append(str(p.relative_to(site_dir)))
    return hits


def stage_seconds(log: Path) -> tuple[float | None, float | None]:
    """The data and site stages' own times, from the lines `yusuan build` ends them with."""
    text = log.read_text(encoding="utf-8", errors="replace")
    data = re.search(r"^yusuan data: .* in ([\d.]+) s( \(.*\))?$", text, re.M)     # (…): what goes on meanwhile
    site = re.search(r"^site: wrote .* in ([\d.]+) s$", text, re.M)
    return (float(data[1]) if data else None), (float(site[1]) if site else None)


@dataclass
class Row:
    case: str
    n: int
    build: Run | None = None
    data_s: float | None = None
    site_s: float | None = None
    data_mb: float = 0.0
    site_mb: float = 0.0
    site_files: int = 0
    largest_page: tuple[int, str] = (0, "")
    largest_department_page: tuple[int, str] = (0, "")
    site_folders: dict[str, int] = field(default_factory=dict)      # bytes by top-level folder of the site
    partitioned: tuple[int, int] = (0, 0)                          # site_data/parquet/: bytes, files
    notes: list[str] = field(default_factory=list)
    search: list = field(default_factory=list)                     # search_bytes.Measured per query

    runs: list[float] = field(default_factory=list)    # every cold build's seconds, when repeated

    @property
    def total(self) -> float:
        return self.build.seconds if self.build else 0.0

    @property
    def ok(self) -> bool:
        return bool(self.build) and self.build.returncode == 0


class Bench:
    def __init__(self, work: Path, samples: list[Sample], strict: bool, incremental_up_to: int, repeat: int = 1):
        self.work = work
        self.repeat = repeat
        self.incremental_up_to = incremental_up_to
        self.samples = samples
        self.strict = strict
        self.cmd = yusuan_command()

    def stage(self, d: Path, step: str) -> Run:
        args = [*self.cmd, "build", "--content", str(d / "content"), "--data-dir", str(d / "site_data"),
                "--site-dir", str(d / "site"), "--cache-dir", str(d / "cache")]
        if self.strict:
            args.append("--strict")
        # What the step before wrote (a cold build: ~2 GB) goes to the disk first, not while this
        # step is timed: a reader adds a file long after the last build. Measured at 10,000 on
        # 2026-12-02: the add-one build right after the cold one took 22.1 s, the next ones 14.8 and 14.2 s.
        os.sync()
        result = run(args, d / f"{step}-build.log")
        status = "ok" if result.returncode == 0 else f"FAILED (exit {result.returncode}, log {result.log})"
        print(f"  {step:<12} yusuan build {result.seconds:7.1f} s  {result.max_rss_mb:7.0f} MB  {status}",
              file=sys.stderr, flush=True)
        if result.returncode != 0:
            tail = result.log.read_text(encoding="utf-8", errors="replace").splitlines()[-15:]
            print("    " + "\n    ".join(tail), file=sys.stderr)
        return result

    def measure(self, row: Row, d: Path, step: str) -> Row:
        row.build = self.stage(d, step)
        row.data_s, row.site_s = stage_seconds(row.build.log)
        row.data_mb = tree_size(d / "site_data")[0] / 2**20 if (d / "site_data").exists() else 0
        if (d / "site_data" / "parquet").exists():
            row.partitioned = tree_size(d / "site_data" / "parquet")
        if (d / "site").exists():
            size, count = tree_size(d / "site")
            row.site_mb, row.site_files = size / 2**20, count
            row.site_folders = sizes_by_folder(d / "site")
            row.largest_page = largest_html(d / "site")
            row.largest_department_page = largest_html(d / "site", DEPARTMENT_PAGES)
        return row

    def run_size(self, n: int) -> list[Row]:
        d = self.work / f"n{n}"
        disclosures = d / "content" / "disclosures"
        print(f"N = {n}: generating in {d}", file=sys.stderr, flush=True)
        prepare(d)
        generate(self.samples, n, disclosures)
        cold = []
        for k in range(self.repeat):     # this machine's speed varies: the median of several cold builds
            for output in ("site", "site_data", "cache"):   # cache: parses and the Vega bundle
                shutil.rmtree(d / output, ignore_errors=True)
            cold.append(self.measure(Row("cold build", n), d, "cold" if k == 0 else f"cold-{k + 1}"))
        rows = [median_row(cold)]
        self.measure_search(rows[0], d / "site")
        departments = documents_rows(d / "site_data")
        if departments is not None and len(departments) != n:
            rows[0].notes.append(f"only {len(departments)} of {n} files are in the documents dataset "
                                 f"(see {d / 'site_data' / 'problems.csv'})")
        if n > self.incremental_up_to:
            return rows

        # A department of its own, so that it can be looked for by name.
        sample = self.samples[n % len(self.samples)]
        name, text, new_dept = make_file(sample, 900_000 + n, YEARS[0])
        new_file = disclosures / name
        new_file.write_text(text, encoding="utf-8")
        row = self.measure(Row("add one file", n + 1), d, "add-one")
        self.check_presence(row, d, new_dept, expected=True)
        rows.append(row)

        added_ok = not any("MISSING" in note for note in row.notes)
        new_file.unlink()
        row = self.measure(Row("delete one file", n), d, "delete-one")
        if added_ok:
            self.check_presence(row, d, new_dept, expected=False)
        else:
            row.notes.append("deletion not checked: the added file never appeared")
        rows.append(row)
        return rows

    def measure_search(self, row: Row, site: Path) -> None:
        """The first query's search bytes in Chromium (bench/search_bytes.py)."""
        import search_bytes
        if not row.ok:
            return
        try:
            row.search = search_bytes.measure(site)
        except Exception as e:       # no Chromium or Playwright: the build's figures still stand
            row.notes.append(f"search bytes not measured ({type(e).__name__}: {e})")
            return
        for m in row.search:
            print(f"  first search  {m.query}: {m.bytes:,} bytes in {m.requests} requests ({m.results})",
                  file=sys.stderr, flush=True)

    def check_presence(self, row: Row, d: Path, department: str, expected: bool) -> None:
        departments = documents_departments(d / "site_data")
        if departments is None:
            row.notes.append("documents dataset not found: presence not checked")
        # the department as written in the document may add 本级 and the like
        elif any(department in name for name in departments) != expected:
            row.notes.append(f"{department} {'MISSING FROM' if expected else 'STILL IN'} the documents dataset")
        in_site = bool(site_mentions(d / "site", department)) if (d / "site").exists() else False
        if in_site != expected:
            row.notes.append(f"{department} {'MISSING FROM' if expected else 'STILL IN'} the site")
        if not row.notes:
            row.notes.append(f"checked: the {'added' if expected else 'deleted'} department is "
                             f"{'in' if expected else 'gone from'} the datasets and the site")


# ---------------------------------------------------------------- report

def median_row(rows: list[Row]) -> Row:
    """The run with the median time (the lower middle of an even count), with every run's time."""
    ordered = sorted(rows, key=lambda r: r.total)
    middle = ordered[(len(ordered) - 1) // 2]
    middle.runs = [r.total for r in rows]
    middle.notes += [note for r in rows if r is not middle for note in r.notes if note not in middle.notes]
    if not all(r.ok for r in rows):
        middle.notes.append("a repeated cold build FAILED: see its log")
    return middle


def fmt_s(seconds: float | None) -> str:
    return "" if seconds is None else f"{seconds:.1f} s"


def table(rows: list[Row]) -> str:
    lines = [
        "| case | department-years | `yusuan build` | of which data | of which site | peak memory | datasets | site"
        " | largest department page | largest page |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        rss = r.build.max_rss_mb if r.build else 0
        total = f"{r.total:.1f} s" + ("" if r.ok else " (failed)")
        if len(r.runs) > 1:
            total += f" (median of {len(r.runs)}: {min(r.runs):.1f}–{max(r.runs):.1f} s)"
        page = f"{r.largest_page[0] / 1024:.0f} KB" if r.largest_page[0] else ""
        dept_page = f"{r.largest_department_page[0] / 1024:.0f} KB" if r.largest_department_page[0] else ""
        lines.append(
            f"| {r.case} | {r.n:,} | {total} | {fmt_s(r.data_s)} | {fmt_s(r.site_s)} | {rss:.0f} MB"
            f" | {r.data_mb:.1f} MB | {r.site_mb:.1f} MB ({r.site_files:,} files) | {dept_page} | {page} |"
        )
    return "\n".join(lines)


def folders_table(rows: list[Row]) -> str:
    """The site's size by top-level folder and the partitioned Parquet's, per cold build."""
    rows = [r for r in rows if r.case == "cold build" and r.site_folders]
    if not rows:
        return ""
    biggest = max(rows, key=lambda r: r.n).site_folders
    names = sorted({k for r in rows for k in r.site_folders}, key=lambda k: (-biggest.get(k, 0), k))
    shown = names[:8]
    rest = names[8:]
    lines = ["| department-years | site | " + " | ".join(f"`{k}/`" if k != "(top level)" else k for k in shown)
             + (" | other folders" if rest else "") + " | datasets as Parquet by year (`site_data/parquet/`) |",
             "|---:|---:|" + "---:|" * (len(shown) + bool(rest)) + "---:|"]
    for r in rows:
        cells = [mb(r.site_folders.get(k, 0)) for k in shown]
        if rest:
            cells.append(mb(sum(r.site_folders.get(k, 0) for k in rest)))
        lines.append(f"| {r.n:,} | {r.site_mb:.1f} MB | " + " | ".join(cells)
                     + f" | {mb(r.partitioned[0])} ({r.partitioned[1]:,} files) |")
    return "\n".join(lines)


def search_table(rows: list[Row]) -> str:
    """What a reader's first search downloads, per query, at each cold build."""
    rows = [r for r in rows if r.case == "cold build" and r.search]
    if not rows:
        return ""
    queries = list(dict.fromkeys(m.query for r in rows for m in r.search))
    lines = ["| department-years | " + " | ".join(f"“{q}”" for q in queries) + " |",
             "|---:|" + "---:|" * len(queries)]
    for r in rows:
        by_query = {m.query: m for m in r.search}
        lines.append(f"| {r.n:,} | " + " | ".join(
            f"{by_query[q].bytes / 1024:,.0f} KB ({by_query[q].requests} files; {by_query[q].results})"
            if q in by_query else "" for q in queries) + " |")
    return "\n".join(lines)


def mb(size: int) -> str:
    return f"{size / 2**20:.1f} MB"


def machine() -> str:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (f"{os.cpu_count()} cores{f' ({cpu})' if cpu else ''}, Python {platform.python_version()}, "
            f"{platform.system()} {platform.machine()}")


def _against(value: str, ok: bool, target: str) -> str:
    return f"{value} ({'meets' if ok else 'misses'} the target: {target})"


def scale_verdicts(r: Row) -> list[str]:
    """A cold build at 10,000 department-years against issue 12's targets."""
    n = f"N = {r.n:,}"
    out = [f"cold build at {n}: " + _against(f"{r.total:.1f} s", r.total <= SCALE_SECONDS and r.ok, "≤ 10 minutes"),
           f"peak memory at {n}: " + _against(f"{r.build.max_rss_mb:,.0f} MB", r.build.max_rss_mb <= SCALE_MEMORY_MB,
                                              "≤ 4 GB"),
           f"site at {n}: " + _against(f"{sum(r.site_folders.values()) / 1e9:.2f} GB",
                                       sum(r.site_folders.values()) <= SCALE_SITE_BYTES, "≤ 1 GB")]
    if r.largest_department_page[0]:
        out.append(f"largest department page at {n}: " + _against(
            f"{r.largest_department_page[0] / 1024:.0f} KB", r.largest_department_page[0] <= TARGET_PAGE_BYTES, "≤ 100 KB"))
    out.append(f"largest page of any kind at {n}: " + _against(
        f"{r.largest_page[0] / 1024:.0f} KB (`site/{r.largest_page[1]}`)", r.largest_page[0] <= ANY_PAGE_BYTES, "≤ 1 MB"))
    if r.search:
        worst = max(m.bytes for m in r.search)
        out.append(f"first search at {n}: " + _against(f"at most {worst / 1024:.0f} KB", worst <= SEARCH_BYTES, "≤ 1 MB"))
    return out


def report(rows: list[Row], command: str = "python3 bench/benchmark.py") -> str:
    out = [table(rows), ""]
    by_folder = folders_table(rows)
    if by_folder:
        out += ["Site size by top-level folder, and the datasets as Parquet partitioned by year, at each cold build:",
                "", by_folder, ""]
    searched = search_table(rows)
    if searched:
        out += ["First search: the bytes a reader's first query downloads (the search index and worker, in "
                "headless Chromium from `python3 -m http.server`, uncompressed; `bench/search_bytes.py`):",
                "", searched, ""]
    largest = [r for r in rows if r.case == "cold build"]
    for r in largest:
        if r.largest_page[1]:
            out.append(f"At N = {r.n:,}, largest department page `site/{r.largest_department_page[1]}`, "
                       f"largest page `site/{r.largest_page[1]}`.")
    verdicts = []
    for r in rows:
        if r.case == "cold build" and r.n >= SCALE_N:
            verdicts += scale_verdicts(r)
            continue
        cold = next((c for c in rows if c.case == "cold build" and c.n == r.n - 1), None)
        if r.case == "add one file" and r.n - 1 >= SCALE_N and cold and cold.total:
            share = r.total / cold.total
            verdicts.append(f"add one file at N = {cold.n:,}: " + _against(
                f"{r.total:.1f} s, {share:.1%} of the cold build's {cold.total:.1f} s",
                share <= SCALE_ADD_SHARE and r.ok and cold.ok, "≤ 5%"))
        if r.case == "cold build" and r.n >= 1000:
            ok = r.total < TARGET_SECONDS and r.ok
            runs = (f"; {sum(t < TARGET_SECONDS for t in r.runs)} of {len(r.runs)} runs under it: "
                    + ", ".join(f"{t:.1f} s" for t in r.runs)) if len(r.runs) > 1 else ""
            verdicts.append(f"{r.n:,} department-years, data + site: {r.total:.1f} s "
                            f"({'meets' if ok else 'misses'} the {TARGET_SECONDS:.0f} s target{runs})")
        if r.case == "cold build" and r.largest_department_page[0]:
            ok = r.largest_department_page[0] < TARGET_PAGE_BYTES
            verdicts.append(f"largest department page at N = {r.n:,}: {r.largest_department_page[0] / 1024:.0f} KB "
                            f"({'meets' if ok else 'misses'} the 100 KB target)")
        if r.case == "cold build" and r.largest_page[0] >= TARGET_PAGE_BYTES:
            verdicts.append(f"largest page of any kind at N = {r.n:,}: {r.largest_page[0] / 1024:.0f} KB "
                            f"(`site/{r.largest_page[1]}`)")
    for r in rows:
        verdicts.extend(f"{r.case}, N = {r.n:,}: {note}" for note in r.notes)
    if verdicts:
        out.append("")
        out.extend(f"- {v}" for v in verdicts)
    out += ["", f"Measured {dt.date.today().isoformat()} on {machine()}, with "
                f"`{command}`; peak memory is the largest resident set of `yusuan build` or one of its "
                "worker processes (counting the pages of the memory-mapped datasets it has read: file cache the "
                "kernel shares between the processes and can drop)."]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,1000", help="comma-separated N (default 100,1000)")
    parser.add_argument("--workdir", type=Path, help="work folder (default: a temporary one, removed after)")
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    parser.add_argument("--strict", action="store_true", help="pass --strict to yusuan build")
    parser.add_argument("--incremental-up-to", type=int, default=100, metavar="N",
                        help="run the add-one / delete-one cases only for sizes up to N (default 100)")
    parser.add_argument("--repeat", type=int, default=1, metavar="K",
                        help="cold builds per size; the table shows the median and the range (default 1)")
    parser.add_argument("--update-readme", action="store_true", help="write the table into README.md")
    parser.add_argument("--real", type=Path, metavar="DIR",
                        help="time reading the real PDFs under DIR instead (e.g. tests/real)")
    args = parser.parse_args(argv)
    if args.real:
        return real(args.real, args.update_readme)

    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    samples = load_samples()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="yusuan-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    print(f"yusuan: {' '.join(yusuan_command())}; work folder {work}", file=sys.stderr)
    try:
        bench = Bench(work, samples, args.strict, args.incremental_up_to, max(1, args.repeat))
        rows = [row for n in sizes for row in bench.run_size(n)]
    finally:
        if not args.keep and not args.workdir:
            shutil.rmtree(work, ignore_errors=True)
    options = [f"--sizes {args.sizes}"] + [f"--{k.replace('_', '-')} {v}" for k, v in
                                           (("incremental_up_to", args.incremental_up_to), ("repeat", args.repeat))
                                           if v != parser.get_default(k)] + (["--strict"] if args.strict else [])
    text = report(rows, "python3 bench/benchmark.py " + " ".join(options))
    print(text)
    if args.update_readme:
        import readme_sections
        readme = readme_sections.read_readme()
        readme_sections.README.write_text(readme_sections.replace_section(readme, "benchmark", text), encoding="utf-8")
        print("README.md benchmark section updated", file=sys.stderr)
    failed = any(not r.ok for r in rows)
    return 1 if failed else 0


def real(folder: Path, update_readme: bool) -> int:
    import reading
    files = reading.time_files(folder)
    if not files:
        print(f"no PDF under {folder}", file=sys.stderr)
        return 1
    build_s, note = reading.time_build(folder.resolve(), yusuan_command())
    shown = folder.resolve().relative_to(ROOT) if folder.resolve().is_relative_to(ROOT) else folder
    text = reading.report(shown, files, build_s, note, machine(),
                          f"python3 bench/benchmark.py --real {shown.as_posix()}")
    print(text)
    if update_readme:
        import readme_sections
        readme = readme_sections.read_readme()
        readme_sections.README.write_text(readme_sections.replace_section(readme, "benchmark-real", text),
                                          encoding="utf-8")
        print("README.md benchmark-real section updated", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
