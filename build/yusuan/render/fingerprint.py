"""What a page is made from, as one hash (see render/reuse.py): equal
fingerprints, equal pages, so a build keeps the last build's pages of every
document and every department across years whose fingerprint it recorded.

A document's pages (docs/<doc_id>/, sources/<doc_id>/ and its .txt.gz) and
search entries are made by site.render_department from (`fingerprint`):

- its rows in every dataset with a doc_id column (`row_digests`), the
  aggregates too, less the columns that rank it among other documents
  (ACROSS_DOCUMENTS): its pages do not show them (the compare page does),
  so adding a document keeps the others' pages;
- the parser's problems reported for its file(s), as the page lists them
  (department.problems_of: that dataset has no doc_id);
- its source text and original files, as sources.load reads them, or, for
  a document whose rows are known by what they are made from (its parse:
  data.identities), which makes its text and names its files, the original
  files' place, size and time;
- its department's page (departments.slugs: a slug depends on the other
  departments' names);
- the code (`code_version`): yusuan's package (templates, assets, render/
  and what it imports), the libraries that write the HTML, the mkdocs
  configuration.

A department's page across years (departments/<slug>/) and its search
entry are made by site.write_departments (departments.context) from
(`across_years`):

- its documents, in the page's order, and each one's rows (`row_digests`:
  its record in `documents` and its rows of table_cells, yoy_changes and
  function_lines, which the page reads, are among them; so are rows it does
  not read, which only makes it again more often than needed);
- its name key and its slug: the one thing it takes from other departments
  (page_slugs: a name with the same pinyin gives both a hash after it),
  and the page's folder, so another slug is another page;
- the code, as above.

It reads no dataset without a doc_id, no rank and nothing of another
department.

The frame the pages are put into (the shells) is made by mkdocs after the
pages are started, so it is compared on its own (site.py).
"""
from __future__ import annotations

import hashlib
import json
from importlib import metadata
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from yusuan.render import department
from yusuan.render.data import SiteData
from yusuan.render.sources import Source
from yusuan.store import PARTED

PACKAGE = Path(__file__).resolve().parent.parent
LIBRARIES = ("jinja2", "markupsafe", "pyarrow", "numpy")   # a new version may write other bytes


def code_version(config: Path) -> str:
    """Hash of every file of yusuan's package, the libraries' versions and
    the mkdocs configuration: any change to them makes every page again."""
    h = hashlib.sha256()
    for p in sorted(PACKAGE.rglob("*")):
        if p.is_file() and "__pycache__" not in p.parts:
            h.update(p.relative_to(PACKAGE).as_posix().encode() + b"\0" + p.read_bytes() + b"\0")
    for name in LIBRARIES:
        h.update(f"{name} {metadata.version(name)}\0".encode())
    h.update(config.read_bytes())
    return h.hexdigest()


# Columns whose values depend on other documents (ranks among a year's
# documents): left out of a document's fingerprint, and so never shown on
# its pages nor put in its data file (department.three_public_figures,
# downloads.NOT_PER_DOC). tests/test_incremental.py adds a document of the
# same year and checks the others' pages are kept, byte for byte a cold build.
ACROSS_DOCUMENTS = {"department_ratios": ("rank_total_budget", "three_public_rank", "n_comparable")}


def _canonical(batch: pa.RecordBatch) -> tuple[np.ndarray, list[tuple[np.ndarray, pa.Buffer | None]]]:
    """A batch's rows as bytes that depend on their values only, not on
    where they sit in Arrow's buffers (a slice's buffers hold its
    neighbours' bits, and the bytes under a null are anything): a row of
    fixed width (per column a validity byte, then the value, zero when
    null, or a string's length), and per string column its offsets and
    data, a row's characters being data[offsets[k]:offsets[k + 1]]."""
    fixed: list[np.ndarray] = []
    strings: list[tuple[np.ndarray, pa.Buffer | None]] = []
    n = batch.num_rows
    for col in batch.columns:
        valid = col.is_valid().to_numpy(zero_copy_only=False)
        fixed.append(valid.view(np.uint8))
        t = col.type
        if pa.types.is_string(t) or pa.types.is_large_string(t):
            offsets = _values(col.buffers()[1], 4 if pa.types.is_string(t) else 8, col.offset, n + 1)
            fixed.append(np.where(valid, np.diff(offsets), 0))
            strings.append((offsets, col.buffers()[2]))
        elif pa.types.is_boolean(t):
            fixed.append(pc.fill_null(col, False).to_numpy(zero_copy_only=False).view(np.uint8))
        elif pa.types.is_null(t):     # a column of nulls only: its validity says it all
            continue
        elif pa.types.is_primitive(t):     # numbers, dates, times: bit_width 8 to 64
            fixed.append(np.where(valid, _values(col.buffers()[1], t.bit_width // 8, col.offset, n), 0))
        else:
            raise TypeError(f"a column of type {t}: fingerprint._canonical does not know its bytes")
    rows = np.empty(n, np.dtype([(f"f{k}", a.dtype) for k, a in enumerate(fixed)]))   # packed: no padding
    for k, a in enumerate(fixed):
        rows[f"f{k}"] = a
    return rows.view(np.uint8).reshape(n, rows.dtype.itemsize), strings


def _values(buffer: pa.Buffer, width: int, offset: int, n: int) -> np.ndarray:
    """Items offset … offset + n - 1 of a buffer of `width`-byte unsigned integers."""
    return np.frombuffer(buffer, np.uint8)[offset * width:(offset + n) * width].view(np.dtype(f"u{width}"))


def _add_rows(h, batch: tuple[np.ndarray, list], start: int, n: int) -> None:
    rows, strings = batch
    h.update(rows[start:start + n])
    for offsets, data in strings:
        if data is not None:
            h.update(memoryview(data)[int(offsets[start]):int(offsets[start + n])])


def row_digests(data: SiteData) -> dict[str, str]:
    """doc_id → hash of the document's rows in every dataset with a doc_id
    column, of their values only (the same rows give the same hash wherever
    they sit in the file). The rows of the datasets read from parts are
    known by what they are made from (data.identities: the same parse,
    doc_id and source file, the same rows), and not read; the others' (the
    aggregates, or every dataset of a data folder without parts) are hashed
    a batch at a time: per document and column it took ~5 ms a document in
    Python calls, and at 10,000 department-years reading every row 6 s."""
    hashes = {d["doc_id"]: hashlib.sha256() for d in data.records("documents")}
    for doc_id, h in hashes.items():
        h.update(f"made from\0{data.identities.get(doc_id, '')}\0".encode())
    for name, table in data.arrow.items():
        if "doc_id" not in table.column_names or (data.identities and name in PARTED):
            continue
        slices = data.slices(name)
        across = [c for c in ACROSS_DOCUMENTS.get(name, ()) if c in table.column_names]
        schema = table.schema
        for column in across:
            schema = schema.remove(schema.get_field_index(column))
        for doc_id, h in hashes.items():
            h.update(f"{name}\0{schema}\0{slices.get(doc_id, (0, 0))[1]}\0".encode())
        ends = np.cumsum([b.num_rows for b in table.to_batches()])     # sizes only: no rows are read
        in_batch: dict[int, list[tuple[str, int, int]]] = {}
        for doc_id, (start, n) in slices.items():
            if doc_id not in hashes or not n:
                continue
            k = int(np.searchsorted(ends, start, side="right"))
            first = int(ends[k - 1]) if k else 0
            if start + n <= ends[k]:
                in_batch.setdefault(k, []).append((doc_id, start - first, n))
            else:    # across two batches (rare): its rows as one
                (rows,) = table.slice(start, n).drop_columns(across).combine_chunks().to_batches()
                _add_rows(hashes[doc_id], _canonical(rows), 0, n)
        for k, batch in enumerate(data.batches(name)):
            if k in in_batch:
                canonical = _canonical(batch.drop_columns(across))
                for doc_id, start, n in in_batch[k]:
                    _add_rows(hashes[doc_id], canonical, start, n)
    return {doc_id: h.hexdigest() for doc_id, h in hashes.items()}


def _hash(parts) -> str:
    """One hash of strings, each told apart from the next by its length."""
    h = hashlib.sha256()
    for part in parts:
        h.update(f"{len(part)}\0{part}".encode())
    return h.hexdigest()


def fingerprint(code: str, rows: str, data: SiteData, doc: dict, source: Source | None, slug: str,
                content_dir: Path | None = None) -> str:
    """The document's fingerprint: the code, its rows (row_digests), the
    problems its page lists, its source as published, its department's page.
    Without `source`, when its rows are known by what they are made from
    (data.identities, in `rows`): the parse made its text and names its
    files, so neither is read (at 10,000 department-years reading and
    hashing them took ~5 s of the workers' time a build); the original files
    are known by their place, size and time in `content_dir`."""
    problems = json.dumps(department.problems_of(data, doc), ensure_ascii=False)
    if source is None:
        return _hash((code, rows, problems, "", json.dumps(_originals(doc, content_dir), ensure_ascii=False), slug))
    originals = [vars(o) for o in source.originals]
    return _hash((code, rows, problems, source.text,
                  json.dumps([originals, source.withheld], ensure_ascii=False), slug))


def _originals(doc: dict, content_dir: Path | None) -> list:
    """The content folder, and each original file's name, size and time (None: not there)."""
    out: list = [str(content_dir.resolve()) if content_dir else None]
    for rel in (doc.get("source_file") or "").split(" + "):
        try:
            st = (content_dir / rel).stat() if content_dir and rel else None
        except OSError:
            st = None
        out.append([rel, st.st_size, st.st_mtime_ns] if st else [rel, None])
    return out


def across_years(code: str, rows: dict[str, str], key: str, slug: str, docs: list[dict]) -> str:
    """A department's page across years' fingerprint: the code, its name key
    and slug, its documents in the page's order, each with its rows
    (row_digests: its record in `documents` is one of them)."""
    return _hash((code, key, slug, *(f"{d['doc_id']}\0{rows[d['doc_id']]}" for d in docs)))
