"""Read stage: a file's bytes → its text lines, whatever the format.

Every reader gives the same thing, a `Source` whose lines the parser reads:
a text file's own lines, or for a PDF the lines `read.pdf` writes (a table row
a line, cells separated by tabs, a page marker before each page). The lines
are what the site publishes as the source, so line numbers are the provenance.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

from .text import ReadError, Source, decode, split_lines

# File kinds yusuan reads, by suffix (lower case).
SUFFIXES = (".txt", ".pdf")


def read_source(path: Path, root: Path) -> Source:
    data = path.read_bytes()
    sha = hashlib.sha256(data).hexdigest()
    rel = path.relative_to(root).as_posix()
    if path.suffix.lower() == ".pdf":
        from .pdf import pdf_lines   # pdfplumber is only imported when there is a PDF
        return Source(path=path, rel=rel, sha256=sha, encoding="pdf", lines=pdf_lines(data))
    text, encoding = decode(data)
    return Source(path=path, rel=rel, sha256=sha, encoding=encoding, lines=split_lines(text))


def find_disclosures(root: Path) -> list[Path]:
    """Every .txt and .pdf file under root, in a stable order (by relative path)."""
    return sorted(
        (p for p in root.rglob("*") if p.suffix.lower() in SUFFIXES and p.is_file() and not p.name.startswith(".")),
        key=lambda p: p.relative_to(root).as_posix(),
    )


__all__ = ["ReadError", "Source", "SUFFIXES", "decode", "find_disclosures", "read_source"]
