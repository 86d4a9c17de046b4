"""Parse one disclosure into its dataset rows, and the parse cache's form of
a parse (`Parsed.to_bytes`), keyed by the file's SHA-256 and by
`parser_version`: the hash of the code a parse runs. This module and what
it imports make a parse; the data stage (pipeline.py) and the writers
(store.py) only move its rows, so editing them keeps every cached parse.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

from . import aggregate, privacy
from .checks import run_checks
from .document import parse_document
from .extract import document_datasets
from .read import Source, read_source
from .read.pdf import FILE_MARKER
from .rows import to_arrow
from .schema import BY_NAME, DATASETS

PER_DOCUMENT = [d.name for d in DATASETS if "doc_id" in d.columns and d.name not in aggregate.ORDER]


# Modules a parse never runs (their output is made from the datasets;
# aggregate.py's queries too: a parse takes only the names of its datasets
# from it, which are hashed on their own).
_NOT_PARSING = {"cli.py", "xlsx.py", "zips.py", "pipeline.py", "store.py", "release.py", "aggregate.py"}


def parser_version(here: Path = Path(__file__).parent) -> str:
    """Hash of the code that makes a parse (reader, parser, checks, dataset
    rows) and the vocabulary: a change there invalidates the cache; a change
    to the site's code (render/, the command line, the file writers) does not."""
    h = hashlib.sha256(" ".join(PER_DOCUMENT).encode())
    for p in sorted([*here.rglob("*.py"), *here.rglob("*.toml")]):
        rel = p.relative_to(here).as_posix()
        if rel.startswith("render/") or rel in _NOT_PARSING:
            continue
        h.update(rel.encode() + b"\0" + p.read_bytes())
    return h.hexdigest()[:16]


@dataclass
class Parsed:
    doc_id: str
    department: str
    year: int | None
    kind: str
    tables: dict[str, pa.Table]          # PER_DOCUMENT dataset → this document's rows
    problems: list[dict] = field(default_factory=list)
    text: str | None = ""                 # None: in its cache entry (`source_text()` reads it)

    def _meta(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if k not in ("tables", "text")}

    def to_bytes(self) -> bytes:
        """The parse cache's form, also how a worker hands a parse back (as a
        file: its cache entry or a scratch one): a JSON header line, then each
        table as an Arrow IPC stream (~5x cheaper to write than JSON), then
        the source text. The text last, not in the header: every build reads
        every entry's header, and at 10,000 documents ~600 MB of text in them
        took ~3 s of JSON to read and put aside."""
        streams = [_to_ipc(t) for t in self.tables.values()]
        text = self.source_text().encode("utf-8")
        header = {**self._meta(), "tables": [[name, len(b)] for name, b in zip(self.tables, streams)],
                  "text_size": len(text)}
        return b"".join([CACHE_MAGIC, json.dumps(header, ensure_ascii=False).encode(), b"\n", *streams, text])

    @classmethod
    def from_bytes(cls, data: bytes) -> "Parsed":
        header, at = _header(data)
        tables = {}
        for name, size in header.pop("tables"):
            tables[name] = _from_ipc(data[at:at + size])
            at += size
        if at + header.pop("text_size") != len(data):
            raise ValueError("a parse cache entry cut short")
        return cls(tables=tables, text=data[at:].decode("utf-8"), **header)

    @classmethod
    def stored(cls, entry: Path, read: tuple[dict, int] | None = None, size: int | None = None) -> "Parsed":
        """The parse in a cache entry, its tables and text left in the file
        until asked for: the data stage holds the facts of 10,000 documents,
        not their ~300 KB of rows and text each. `read`: its header and
        where its tables begin (header_of), known already; `size`: the
        entry's, known already."""
        header, at = read or header_of(entry)
        header = {**header, "problems": [dict(p) for p in header.get("problems", [])]}    # a copy: they are renamed
        if at + sum(size for _, size in header["tables"]) + header.pop("text_size") != \
                (entry.stat().st_size if size is None else size):
            raise ValueError("a parse cache entry cut short")
        return cls(tables=StoredTables(entry, at, header.pop("tables")), text=None, **header)

    def source_text(self) -> str:
        return self.tables.text() if self.text is None else self.text


def _header(data: bytes) -> tuple[dict, int]:
    """A cache entry's header, and where its tables begin."""
    if not data.startswith(CACHE_MAGIC):
        raise ValueError("not a yusuan parse cache entry")
    end = data.index(b"\n", len(CACHE_MAGIC))
    return json.loads(data[len(CACHE_MAGIC):end]), end + 1


def header_of(entry: Path) -> tuple[dict, int]:
    """A cache entry's header, and where its tables begin."""
    with open(entry, "rb") as f:
        return _header(f.readline() + f.readline())     # the magic's line, the header's


def _from_ipc(data: bytes) -> pa.Table:
    return pa.ipc.open_stream(pa.py_buffer(data)).read_all()


class StoredTables(Mapping):
    """The tables of a cache entry, each read when asked for, with the renames
    made since it was cached (`fixes`: (dataset, table) → table)."""

    def __init__(self, entry: Path, at: int, sizes: list[tuple[str, int]]):
        self.entry, self.spans, self.fixes = entry, {}, []
        for name, size in sizes:
            self.spans[name] = (at, size)
            at += size
        self.text_at = at       # the source text: the rest of the file

    def __getitem__(self, name: str) -> pa.Table:
        at, size = self.spans[name]
        with open(self.entry, "rb") as f:
            f.seek(at)
            table = _from_ipc(f.read(size))
        for fix in self.fixes:
            table = fix(name, table)
        return table

    def __iter__(self) -> Iterator[str]:
        return iter(self.spans)

    def __len__(self) -> int:
        return len(self.spans)

    def text(self) -> str:
        with open(self.entry, "rb") as f:
            f.seek(self.text_at)
            return f.read().decode("utf-8")


def _fix(parsed: Parsed, fix) -> None:
    """Apply fix(dataset, table) → table to a parse's tables: now, or as they are read."""
    if isinstance(parsed.tables, StoredTables):
        parsed.tables.fixes.append(fix)
    else:
        parsed.tables = {name: fix(name, t) for name, t in parsed.tables.items()}


CACHE_MAGIC = b"yusuan-parsed 2\n"


def _to_ipc(table: pa.Table) -> bytes:
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue().to_pybytes()


def problem(source_file: str, line: int | None, severity: str, message: str) -> dict:
    return {"source_file": source_file, "line": line, "severity": severity, "message": message}


def parse_file(path: Path, root: Path) -> Parsed:
    """One disclosure → its dataset rows. Raises ReadError / NotADisclosure."""
    return _parsed(read_source(path, root))


def _parsed(source: Source) -> Parsed:
    doc = parse_document(source)
    datasets = document_datasets(doc, run_checks(doc))
    return Parsed(
        doc_id=doc.doc_id, department=doc.department, year=doc.year, kind=doc.kind,
        tables={name: to_arrow(BY_NAME[name], datasets.get(name, [])) for name in PER_DOCUMENT},
        problems=[problem(source.rel, line, sev, msg) for line, sev, msg in doc.problems],
        text=privacy.redact("\n".join(source.lines), doc.narrative.contacts),
    )


def combined_sha(shas: list[str]) -> str:
    """The identity of a document read from several files: their hashes, in order, hashed."""
    return hashlib.sha256(" ".join(shas).encode()).hexdigest()


def merged_source(paths: list[Path], root: Path) -> Source:
    """Files of one disclosure (its narrative, its tables) read as one text:
    each file's lines after a marker naming it, so every line keeps its place."""
    sources = [read_source(p, root) for p in paths]
    lines: list[str] = []
    for s in sources:
        lines += [FILE_MARKER.format(s.rel), *s.lines]
    return Source(path=paths[-1], rel=" + ".join(s.rel for s in sources),
                  sha256=combined_sha([s.sha256 for s in sources]),
                  encoding="+".join(dict.fromkeys(s.encoding for s in sources)), lines=lines)
