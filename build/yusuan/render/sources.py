"""A document's source, as the site publishes it, so that every figure is
one click from the line it was read from:

    sources/<doc_id>/            the text, every line numbered, #L<n> its anchor
    sources/<doc_id>.txt.gz      the same text as a file, gzip-compressed
    sources/<doc_id>/<doc_id>.pdf   the original file(s), with their SHA-256

The text is the parser's (for a PDF: a marker line before each page, table
rows as tab-separated cells), with contacts hidden (yusuan.privacy); line
numbers are the source_line of every dataset row.

The text is stored once, compressed (a 4,000-line text is ~90 KB as text and
~95 KB more as a page of spans; gzip makes it ~4x smaller, and the site
must hold 10,000 of them in GitHub Pages' 1 GB). The page is one of its own,
without the theme's frame (~2.5 KB, templates/source.html): the header and
the originals. site.js fetches the .txt.gz, decodes it with the browser's
DecompressionStream and writes each line as <span id=L<n>> (its number
drawn by CSS) and the index of pages and files (links to the marker lines
the page lists in data-marks, named from their text), then goes to the
#L<n> of the address as an anchor would. Without JavaScript the page says
so and links the compressed file (any unzip tool opens it; its line n is
line n).

The compressed text starts with a UTF-8 byte order mark: a server that names
no charset (Python's http.server) leaves nothing to guess once it is
unpacked. The .gz is made with a fixed time stamp: the same text gives the
same bytes.
"""
from __future__ import annotations

import functools
import gzip
import hashlib
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from yusuan.privacy import MARK
from yusuan.read.pdf import MARKER

BOM = "\ufeff"


@dataclass
class Original:
    """One file a document was read from."""
    rel: str                 # as named in the content folder (documents.source_file)
    name: str                # its file name
    sha256: str
    size: int
    href: str = ""           # the published copy, relative to the source page; "" when not published


@dataclass
class Source:
    doc_id: str
    text: str                # the published text ("" when the data folder has none)
    originals: list[Original]
    withheld: bool           # originals not published: they hold contacts the text hides

    @functools.cached_property
    def lines(self) -> list[str]:
        text = self.text[:-1] if self.text.endswith("\n") else self.text
        return text.split("\n") if text else []

    @property
    def n_lines(self) -> int:
        return len(self.lines)

    @functools.cached_property
    def marker_lines(self) -> list[int]:
        """Indexes of the page and file marker lines (few: a scan for "=== " first)."""
        return [k for k, line in enumerate(self.lines) if line.startswith("=== ") and MARKER.match(line)]

    @property
    def n_files(self) -> int:
        """How many files the text was read from, when more than one (a file marker line before each), else 0."""
        return sum(not MARKER.match(self.lines[k])[1] for k in self.marker_lines)


def text_path(data_folder: Path, doc_id: str) -> Path:
    return data_folder / "sources" / f"{doc_id}.txt"


def load(doc: dict, data_folder: Path, content_dir: Path | None) -> Source:
    """The document's published text and its original files (those found in the content folder)."""
    path = text_path(data_folder, doc["doc_id"])
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    # Contacts hidden in the text are in the original: then it is not republished
    # (the privacy rule, see the method page); its SHA-256 still identifies it.
    withheld = MARK in text
    originals = []
    rels = [r for r in (doc.get("source_file") or "").split(" + ") if r]
    for k, rel in enumerate(rels, 1):
        file = (content_dir / rel) if content_dir else None
        if file is None or not file.is_file():
            continue
        data = file.read_bytes()
        suffix = file.suffix.lower()
        published = f"{doc['doc_id']}{'' if len(rels) == 1 else f'-{k}'}{suffix}"
        originals.append(Original(rel, file.name, hashlib.sha256(data).hexdigest(), len(data),
                                  "" if withheld else published))
    return Source(doc["doc_id"], text, originals, withheld)


def text_file(doc_id: str) -> str:
    """The published text's file name (beside the sources/<doc_id>/ folder)."""
    return f"{doc_id}.txt.gz"


def compressed(text: str) -> bytes:
    """The text as published: UTF-8 with a BOM, gzip-compressed, time stamp 0."""
    return gzip.compress((BOM + text).encode("utf-8"), compresslevel=9, mtime=0)


def publish(source: Source, content_dir: Path | None, folder: Path) -> None:
    """The text file (beside the folder) and the originals (in it)."""
    folder.mkdir(parents=True, exist_ok=True)
    if source.text:
        (folder.parent / text_file(source.doc_id)).write_bytes(compressed(source.text))
    for o in source.originals:
        if o.href and content_dir:
            _link_or_copy(content_dir / o.rel, folder / o.href)


def _link_or_copy(src: Path, dst: Path) -> None:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copyfile(src, dst)
