"""The data stage end to end: content folder → datasets in the data folder.

Each disclosure is parsed once per content hash: the per-document dataset rows
are cached (Arrow, keyed by the file's SHA-256 and the parser's own source
hash), so adding one file parses only that file, a changed file is parsed
again, and a deleted file simply is no longer collected.
"""
from __future__ import annotations

import hashlib
import json
import re
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

from . import aggregate, folders, store
from .document import NotADisclosure
from .identity import name_key, same_department
from .parallel import default_jobs, in_second_process, worker_pool
from .parse import (PER_DOCUMENT, Parsed, StoredTables, _fix, _parsed, combined_sha, header_of, merged_source, parse_file,
                    parser_version, problem)
from .read import ReadError, find_disclosures
from .rows import to_arrow
from .schema import BY_NAME, DATASETS




@dataclass
class Result:
    documents: list[Parsed]
    problems: list[dict]
    whole_written: Callable[[], None] = lambda: None   # waits for the workbook and database (run_data's whole_later)
    identities: dict[str, str] = field(default_factory=dict)   # doc_id → identity (see identity())

    @property
    def failed(self) -> bool:
        return bool(self.problems)


@dataclass(frozen=True)
class Fragment:
    """A file without budget tables, with the department, year and kind it
    names: the narrative half of a disclosure published as two files, or not
    a disclosure at all (then `reason` says so)."""
    department: str
    year: int | None
    kind: str
    reason: str


def _merge_fragments(outcome: dict, shas: dict[str, str], content: Path, cache_dir: Path | None,
                     version: str, joined: dict[str, str], known: Known) -> set[str]:
    """Join each file without tables to the one disclosure of the same
    department, year and kind that has them (a disclosure published as its
    narrative and its tables); a file that matches none stays a problem.
    Returns the combined hashes, whose cache entries are kept; `joined`
    gets each partner's name as a document of several files."""
    def matches(frag: Fragment, rel: str, p: Parsed, prel: str) -> bool:
        if p.kind != frag.kind:
            return False
        if p.year == frag.year and same_department(p.department, frag.department):
            return True
        # Tables printed without a department or year (北京: 附件2 holds only
        # the tables): its narrative names them, if it sits in the same folder.
        unnamed = (p.year is None or p.year == frag.year) and (not p.department or same_department(p.department, frag.department))
        return unnamed and Path(rel).parent == Path(prel).parent

    partners: dict[str, list[str]] = {}
    for rel, frag in list(outcome.items()):
        if not isinstance(frag, Fragment):
            continue
        match = [r for r, p in outcome.items() if isinstance(p, Parsed) and matches(frag, rel, p, r)]
        if len(match) == 1:
            partners.setdefault(match[0], []).append(rel)
        else:
            outcome[rel] = frag.reason + (f"（{len(match)} 份同部门同年度的文件都可能与它相配，无法确定）" if match else "")
    kept = set()
    for partner, rels in partners.items():
        group = sorted(rels) + [partner]      # the narrative first, as the document reads
        sha = combined_sha([shas[r] for r in group])
        kept.add(sha)
        entry = _cache_entry(cache_dir, sha, version)
        rel = joined[partner] = " + ".join(group)
        parsed = _from_cache(entry, rel, known) if entry and entry.exists() else None
        if parsed is None:
            parsed = _parsed(merged_source([content / r for r in group], content))
            if entry:
                with store.atomic_path(entry) as tmp:
                    tmp.write_bytes(parsed.to_bytes())
        outcome[partner] = parsed
        for r in rels:
            outcome[r] = None     # read as part of `partner`
    return kept


def _cache_entry(cache_dir: Path | None, sha: str, version: str) -> Path | None:
    return cache_dir / f"{sha}-{version}.parsed" if cache_dir else None


class Known:
    """What the last run learnt of the content folder's files and of the
    cache's entries, kept in the cache (CONTENT_INDEX) so that this run need
    not read them again: a file's SHA-256, by its size and time; an entry's
    header and the name its rows give their source file, by the entry's
    size and time. At 10,000 department-years hashing every file took 0.8 s
    of every build, reading every entry's documents table for its name
    0.8 s, every entry's header ~1 s (under the profiler). A file
    rewritten with the same size in the very tick of its last write, before
    that run read it, would be taken for the old one: the check render/reuse.py
    trusts too."""

    def __init__(self, cache_dir: Path | None):
        self.path = cache_dir / CONTENT_INDEX if cache_dir else None
        try:
            saved = json.loads(self.path.read_text(encoding="utf-8")) if self.path else {}
            self.files, self.entries = dict(saved["files"]), dict(saved["entries"])
        except (OSError, ValueError, KeyError, TypeError):
            self.files, self.entries = {}, {}
        self.seen_files: dict[str, list] = {}
        self.seen_entries: dict[str, list] = {}

    def sha256(self, path: Path, rel: str) -> str:
        """The file's SHA-256 (raises OSError when it cannot be read)."""
        st = path.stat()
        known = self.files.get(rel)
        if known and known[:2] == [st.st_size, st.st_mtime_ns]:
            sha = known[2]
        else:
            sha = hashlib.sha256(path.read_bytes()).hexdigest()
        self.seen_files[rel] = [st.st_size, st.st_mtime_ns, sha]
        return sha

    def stored(self, entry: Path) -> tuple[Parsed, str]:
        """The parse in a cache entry (Parsed.stored), and the name its rows
        give their source file."""
        st = entry.stat()
        known = self.entries.get(entry.name)
        if known and len(known) == 5 and known[:2] == [st.st_size, st.st_mtime_ns]:
            stored, read = known[2], (known[3], known[4])
        else:
            stored, read = None, header_of(entry)
        parsed = Parsed.stored(entry, read, st.st_size)
        if stored is None:
            stored = parsed.tables["documents"].column("source_file")[0].as_py()
        self.seen_entries[entry.name] = [st.st_size, st.st_mtime_ns, stored, *read]
        return parsed, stored

    def parsed(self, entry: Path, rel: str) -> None:
        """An entry this run wrote, parsing `rel` (the source file its rows
        name), for the next run: else the first build after a cold one read
        every entry's header and documents table (1.7 s of 3.3 at 10,000)."""
        try:
            st = entry.stat()
            read = header_of(entry)
        except (OSError, ValueError):
            return
        self.seen_entries[entry.name] = [st.st_size, st.st_mtime_ns, rel, *read]

    def save(self) -> None:
        if self.path:
            store.write_json({"files": self.seen_files, "entries": self.seen_entries}, self.path, compact=True)


CONTENT_INDEX = "content-index.json"


def _from_cache(entry: Path, rel: str, known: Known | None = None) -> Parsed | None:
    """The cached parse, or None when the entry cannot be read (then the file is parsed again)."""
    try:
        parsed, stored = (known or Known(None)).stored(entry)
    except (OSError, ValueError, KeyError, TypeError, IndexError, pa.ArrowInvalid):
        return None
    for p in parsed.problems:
        p["source_file"] = rel
    if stored == rel:
        return parsed
    # The same bytes now live under other names: every place a name is kept.
    renamed = dict(zip(stored.split(" + "), rel.split(" + ")))

    def rename(name: str, t: pa.Table) -> pa.Table:
        if name not in ("documents", "table_cells"):
            return t
        i = t.schema.get_field_index("source_file")
        return t.set_column(i, "source_file", pa.array(
            [renamed.get(f, f) for f in t.column(i).to_pylist()] if name == "table_cells" else [rel] * t.num_rows,
            pa.string()))
    _fix(parsed, rename)
    return parsed


CACHE_ENTRY = re.compile(r"[0-9a-f]{64}-[0-9a-f]{16}\.(parsed|json)")   # .json: the cache's earlier form


def _prune_cache(cache_dir: Path, keep: set[str]) -> None:
    """Remove parse cache entries no file of this run uses (older parser
    versions, files changed or gone), so that the cache, kept between CI runs,
    does not grow with every commit. Other files in the folder are left alone."""
    for entry in cache_dir.glob("*"):
        if entry.name not in keep and CACHE_ENTRY.fullmatch(entry.name):
            entry.unlink(missing_ok=True)


def _parse_and_cache(job: tuple[Path, Path, Path | None], as_file: bool = False) -> Parsed | Path | Fragment | str:
    """Parse one file and write its cache entry (if it has one); a file that
    cannot be read comes back as the message saying why, so one bad file never
    stops the others. as_file: return the entry's path, not the parse."""
    path, root, entry = job
    try:
        parsed = parse_file(path, root)
    except NotADisclosure as e:
        return Fragment(e.department, e.year, e.kind, f"未收录：{e}")
    except ReadError as e:
        return f"未收录：{e}"
    except Exception as e:  # a parser bug must not stop the other files
        return f"未收录：解析时出错（{type(e).__name__}: {e}），请报告此问题"
    if not entry:
        return parsed
    with store.atomic_path(entry) as tmp:
        tmp.write_bytes(parsed.to_bytes())
    return entry if as_file else parsed


def _cost(path: Path) -> int:
    try:
        return path.stat().st_size * (50 if path.suffix.lower() == ".pdf" else 1)
    except OSError:
        return 0


def _parse_indexed(job: tuple[int, tuple[Path, Path, Path]]) -> tuple[int, Parsed | Path | Fragment | str]:
    k, file_job = job
    return k, _parse_and_cache(file_job, as_file=True)


def _received(parsed: Parsed | Path | Fragment | str, scratch: Path | None = None) -> Parsed | Fragment | str:
    """A parse as collect keeps it: a cache entry's left in the file (see
    Parsed.stored), a scratch file's read whole (the file is deleted next)."""
    if not isinstance(parsed, Path):
        return parsed
    return Parsed.from_bytes(parsed.read_bytes()) if parsed.parent == scratch else Parsed.stored(parsed)


def _parse_many(jobs: list[tuple[Path, Path, Path | None]], workers: int, progress) -> list[Parsed | str]:
    """Parse files in `workers` processes (fork), results in the order given."""
    pool = worker_pool(workers, len(jobs))
    if pool is None:
        return [_received(_parse_and_cache(job, as_file=True)) for job in jobs]
    # Parses come back as files (the cache entries, or scratch ones), not
    # through the pool's pipe: a worker blocks while its ~300 KB result waits
    # in a full pipe, and so waited whenever this process was busy.
    with pool, tempfile.TemporaryDirectory(prefix="yusuan-parse-") as scratch:
        jobs = [(path, root, entry or Path(scratch) / f"{k}.parsed") for k, (path, root, entry) in enumerate(jobs)]
        # A PDF takes seconds (a text file ~40 ms), and sizes differ tenfold:
        # the costliest go first, one at a time, so no core is left with the
        # biggest file at the end (tests/real's 33 PDFs on 2 cores, two runs
        # each: 29.5 and 32.3 s in path order by fours, 28.5 and 29.8 s so;
        # the bound, half the CPU time, is ~26 s). And progress every 5 s.
        pdfs = any(path.suffix.lower() == ".pdf" for path, _, _ in jobs)
        order = sorted(range(len(jobs)), key=lambda k: -_cost(jobs[k][0])) if pdfs else range(len(jobs))
        done = pool.map(_parse_indexed, [(k, jobs[k]) for k in order], chunksize=1 if pdfs else 4)
        results = [None] * len(jobs)
        shown = time.monotonic()
        for n, (k, parsed) in enumerate(done, start=1):
            results[k] = _received(parsed, Path(scratch))
            if n % 100 == 0 or n == len(jobs) or (pdfs and time.monotonic() - shown > 5):
                progress(f"  parsed {n}/{len(jobs)}")
                shown = time.monotonic()
    return results


def collect(content: Path, cache_dir: Path | None = None, progress=print, workers: int | None = None) -> Result:
    """Read every disclosure under content/: from the parse cache when its bytes
    were parsed before, else parsed (in parallel over `workers` processes)."""
    files = find_disclosures(content)
    version = parser_version()
    workers = default_jobs() if workers is None else workers
    problems: list[dict] = []
    if not files:
        problems.append(problem(content.as_posix(), None, "error", "内容目录中没有任何公开文件（.txt 或 .pdf）"))
    by_sha: dict[str, str] = {}
    outcome: dict[str, Parsed | Fragment | str | None] = {}     # rel → parsed, or why not
    to_parse: list[str] = []
    jobs = []
    known = Known(cache_dir)
    for i, path in enumerate(files, start=1):
        rel = path.relative_to(content).as_posix()
        try:
            sha = known.sha256(path, rel)
        except OSError as e:   # unreadable: reported like any file that cannot be read
            outcome[rel] = f"未收录：无法读取文件（{e.strerror}）"
            continue
        if sha in by_sha:
            outcome[rel] = f"与 {by_sha[sha]} 字节完全相同：作为同一份文件只收录一次"
            continue
        by_sha[sha] = rel
        entry = _cache_entry(cache_dir, sha, version)
        cached = _from_cache(entry, rel, known) if entry and entry.exists() else None
        if cached:
            outcome[rel] = cached
        else:
            to_parse.append(rel)
            jobs.append((path, content, entry))
    progress(f"  {len(files)} files: {len(files) - len(to_parse)} from the parse cache or duplicates, "
             f"{len(to_parse)} to parse ({min(workers, max(len(to_parse), 1))} processes)")
    outcome.update(zip(to_parse, _parse_many(jobs, workers, progress)))
    for rel, (_, _, entry) in zip(to_parse, jobs):
        if entry and isinstance(outcome[rel], Parsed):
            known.parsed(entry, rel)
    joined: dict[str, str] = {}
    merged = _merge_fragments(outcome, {rel: sha for sha, rel in by_sha.items()}, content, cache_dir, version, joined,
                              known)
    known.save()
    if cache_dir:
        _prune_cache(cache_dir, {_cache_entry(cache_dir, sha, version).name for sha in [*by_sha, *merged]})

    docs: list[Parsed] = []
    identities: dict[str, str] = {}
    by_key: dict[tuple[str, int | None, str], str] = {}
    ids: set[str] = set()
    for path in files:   # in file order, so duplicate handling is deterministic
        rel = path.relative_to(content).as_posix()
        parsed = outcome[rel]
        if parsed is None:
            continue      # read together with the file that holds its tables
        if isinstance(parsed, Fragment):
            parsed = parsed.reason
        if isinstance(parsed, str):
            duplicate = parsed.startswith("与 ")
            problems.append(problem(rel, None, "warning" if duplicate else "error", parsed))
            continue
        key = (name_key(parsed.department), parsed.year, parsed.kind)
        if key in by_key:
            problems.append(problem(rel, None, "error",
                                    f"未收录：与 {by_key[key]} 是同一部门（{parsed.department}）同一年度（{parsed.year}）"
                                    f"的同一类文件（{parsed.kind}），两者都有预算表，无法合并：请删除其一"))
            continue
        by_key[key] = rel
        if parsed.doc_id in ids:   # two names with the same pinyin
            n = 2
            while f"{parsed.doc_id}-{n}" in ids:
                n += 1
            _rename(parsed, f"{parsed.doc_id}-{n}")
        ids.add(parsed.doc_id)
        identities[parsed.doc_id] = identity(parsed, joined.get(rel, rel))
        problems += parsed.problems
        docs.append(parsed)
    docs.sort(key=lambda d: d.doc_id)
    return Result(docs, problems, identities=identities)


def identity(parsed: Parsed, source_file: str) -> str:
    """What a document's rows are made from: its parse (the cache entry's
    name: the file's SHA-256 and the parser's version; a parse not in the
    cache, by its bytes), its doc_id and its source file's name (both may
    differ from the entry's: see _from_cache and _rename). The same identity,
    the same rows: a data part (store.write_parts) and a page made from them
    are kept while their documents' identities stay."""
    made = parsed.tables.entry.name if isinstance(parsed.tables, StoredTables) else \
        hashlib.sha256(parsed.to_bytes()).hexdigest()
    return f"{made}|{parsed.doc_id}|{source_file}"


def _rename(parsed: Parsed, doc_id: str) -> None:
    parsed.doc_id = doc_id

    def rename(name: str, table: pa.Table) -> pa.Table:
        i = table.schema.get_field_index("doc_id")
        return table.set_column(i, "doc_id", pa.array([doc_id] * table.num_rows, pa.string()))
    _fix(parsed, rename)


def build_tables(result: Result) -> dict:
    """Every dataset whole, in memory (for tests; the data stage writes them a part at a time)."""
    def concat(name: str) -> pa.Table:
        parts = [d.tables[name] for d in result.documents]
        return pa.concat_tables(parts).combine_chunks() if parts else to_arrow(BY_NAME[name], [])

    tables = {name: concat(name) for name in PER_DOCUMENT}
    tables["problems"] = to_arrow(BY_NAME["problems"], result.problems)
    tables.update(aggregate.aggregate(tables))
    return {d.name: tables[d.name] for d in DATASETS}


SOURCES_RECORD = "data-sources.json"   # in the cache: the data folder, and per text [identity, size, st_mtime_ns]


def write_sources(result: Result, data_dir: Path, cache_dir: Path) -> None:
    """Each document's text as UTF-8, named by doc_id, for the site to
    publish. A file recorded (in `cache_dir`) as made from the same parse
    (its identity) and still of the recorded size and time is not read
    again: at 10,000 department-years reading every text and its file took
    ~6 s of a core."""
    out = data_dir / "sources"
    out.mkdir(parents=True, exist_ok=True)
    folder = str(data_dir.resolve())
    try:
        saved = json.loads((cache_dir / SOURCES_RECORD).read_text(encoding="utf-8"))
        recorded = saved["files"] if saved["folder"] == folder else {}     # another data folder: nothing known
    except (OSError, ValueError, KeyError, TypeError):
        recorded = {}
    record = {}
    for d in result.documents:
        target = out / f"{d.doc_id}.txt"
        made_from = result.identities.get(d.doc_id)
        try:
            st = target.stat()
        except OSError:
            st = None
        if made_from and st and recorded.get(target.name) == [made_from, st.st_size, st.st_mtime_ns]:
            record[target.name] = recorded[target.name]
            continue
        data = d.source_text().encode("utf-8")
        if st is None or st.st_size != len(data) or target.read_bytes() != data:
            with store.atomic_path(target) as tmp:
                tmp.write_bytes(data)
            st = target.stat()
        if made_from:
            record[target.name] = [made_from, st.st_size, st.st_mtime_ns]
    wanted = {f"{d.doc_id}.txt" for d in result.documents}
    for stale in out.glob("*.txt"):
        if stale.name not in wanted:
            stale.unlink()
    store.write_json({"folder": folder, "files": record}, cache_dir / SOURCES_RECORD, compact=True)


def run_data(content: Path, data_dir: Path, cache_dir: Path | None = None, progress=print,
             workers: int | None = None, whole_later: bool = False,
             exports: bool | None = True) -> Result:
    """exports: write the whole files (see store.write_all; None: only while the datasets are small).
    whole_later: return before the workbook and the database are written
    (result.whole_written() waits for them; see store.write_all)."""
    started = time.perf_counter()
    folders.check(data_dir, folders.DATA, "--data-dir")    # stale source texts are deleted in it
    folders.make(data_dir, folders.DATA)

    def step(what: str) -> None:
        progress(f"  {what} ({time.perf_counter() - started:.1f} s)")

    progress(f"yusuan data: reading {content}/")
    # Without a cache, the parses still go to files (a scratch cache), where
    # each document's rows and text stay until they are written.
    with tempfile.TemporaryDirectory(prefix="yusuan-cache-") as scratch:
        cache_dir = cache_dir or Path(scratch)
        result = collect(content, cache_dir, progress, workers)
        for p in result.problems:
            where = p["source_file"] + (f":{p['line']}" if p["line"] else "")
            progress(f"  {p['severity']}: {where}: {p['message']}")
        step(f"read {len(result.documents)} documents")
        # the source texts (~0.6 s for 1,000) are written beside the data files, by a second core
        sources_written = in_second_process(write_sources, result, data_dir, cache_dir, what="writing the source texts")
        counts, whole_written = store.write_all(
            result.documents, result.identities, to_arrow(BY_NAME["problems"], result.problems),
            aggregate.queries(), data_dir, step, exports, whole_later)
        result.whole_written = whole_written or result.whole_written
        sources_written()
    progress(f"yusuan data: {len(result.documents)} documents, {counts['table_cells']} amount cells, "
             f"{len(result.problems)} problems → {data_dir}/ in {time.perf_counter() - started:.1f} s"
             + (" (the workbook and the database are being written meanwhile)" if whole_later and whole_written
                else "" if whole_written else " (the datasets' whole files are left to `yusuan release-assets`)"))
    return result
