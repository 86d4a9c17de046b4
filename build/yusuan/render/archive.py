"""The data page's "download everything": one ZIP of the data package
(datapackage.json), every dataset as CSV and Parquet, and every source
text, in a fixed order with fixed dates (yusuan.zips), so the same data
gives the same bytes. The workbook and the DuckDB database hold the same
rows again and are downloads of their own.

At 1,000 documents the datasets are hundreds of MB: the archive is
streamed (never whole in memory) by a second process while the department
pages are made (render/site.py)."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from yusuan.schema import DATASETS
from yusuan.store import atomic_path
from yusuan.zips import write_zip

NAME = "yusuan-all.zip"
CHUNK = 1 << 20


def members(data_folder: Path) -> list[tuple[str, Path]]:
    """(name in the archive, file) of everything it holds, in order."""
    out = [("datapackage.json", data_folder / "datapackage.json")]
    for ds in DATASETS:
        for ext in ("csv", "parquet"):
            out.append((f"{ds.name}.{ext}", data_folder / f"{ds.name}.{ext}"))
    out += [(f"sources/{p.name}", p) for p in sorted((data_folder / "sources").glob("*.txt"))]
    return [(name, path) for name, path in out if path.is_file()]


def _chunks(path: Path) -> Iterator[bytes]:
    with path.open("rb") as f:
        while chunk := f.read(CHUNK):
            yield chunk


class TooBig(Exception):
    """The archive has grown past its limit."""


class _Capped:
    """A file that refuses to grow past `limit` bytes (raises TooBig)."""

    def __init__(self, f, limit: int):
        self.f, self.limit, self.size = f, limit, 0

    def write(self, data: bytes) -> None:
        self.size += len(data)
        if self.size > self.limit:
            raise TooBig
        self.f.write(data)


def write(data_folder: Path, path: Path, limit: int | None = None) -> None:
    """The archive at `path`; with `limit`, none once it would be larger than
    that: the site keeps an archive only up to its limit (catalog.on_site),
    and the release makes its own. At 10,000 documents the whole archive
    (389 MB, 3 GB of CSV in it) took 11.3 s of a core in every build only
    to be found too big; stopped at 20 MB, 1.1 s."""
    if not all((data_folder / f"{ds.name}.{ext}").is_file() for ds in DATASETS for ext in ("csv", "parquet")):
        return      # the whole files are made only for the release (store.EXPORT_ROWS): so is the archive
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with atomic_path(path) as tmp, tmp.open("wb") as f:
            write_zip(_Capped(f, limit) if limit else f,
                      ((f"yusuan/{name}", _chunks(file)) for name, file in members(data_folder)))
    except TooBig:
        pass
