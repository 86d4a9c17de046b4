"""The datasets as the assets of a GitHub Release: every dataset in every
format, downloadable with one link each even when they no longer fit on
GitHub Pages.

    yusuan release-assets --data-dir site_data --out release-assets

gathers, flat (a release holds files, not folders), from the data folder that
`yusuan data` wrote:

- NAME.csv and NAME.parquet of every dataset, yusuan.xlsx, yusuan.duckdb and
  datapackage.json (hard links where the file system allows, else copies);
- yusuan-parquet-by-year.zip: the Parquet partitioned by year (parquet/NAME/
  year=YYYY/part-0.parquet), to unzip and read in place;
- yusuan-all.zip: the data page's "download everything" (datapackage.json,
  every CSV and Parquet, every source text);
- SHA256SUMS: each asset's SHA-256, as `sha256sum -c SHA256SUMS` checks them.

The same data folder gives the same bytes. The workflow (.github/workflows/
site.yml) gathers them after the build and publishes them as a release with
a dated tag; the data page links the latest release when the build is told
the repository (YUSUAN_REPOSITORY_URL, which the workflow sets).
"""
from __future__ import annotations

import hashlib
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

from .schema import DATASETS
from . import aggregate
from .store import PARTITIONED, atomic_path, write_exports
from .zips import write_zip

PARQUET_BY_YEAR = "yusuan-parquet-by-year.zip"
CHECKSUMS = "SHA256SUMS"
WHOLE = ["yusuan.xlsx", "yusuan.duckdb", "datapackage.json"]
REPOSITORY_URL = "YUSUAN_REPOSITORY_URL"      # e.g. https://github.com/OWNER/REPO, set by the workflow
CHUNK = 1 << 20


class ReleaseError(Exception):
    """The data folder is incomplete or the output folder is not empty."""


def dataset_files() -> list[str]:
    """The data folder's files published as they are, in order."""
    return [f"{ds.name}.{ext}" for ds in DATASETS for ext in ("csv", "parquet")] + WHOLE


def _chunks(path: Path) -> Iterator[bytes]:
    with path.open("rb") as f:
        while chunk := f.read(CHUNK):
            yield chunk


def _link_or_copy(src: Path, dst: Path) -> None:
    """A hard link where the file system allows (the data stage replaces its
    files, never rewrites them in place, so the link cannot change), else a copy."""
    try:
        os.link(src, dst)
    except OSError:
        shutil.copyfile(src, dst)


def sha256(path: Path) -> str:
    with path.open("rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def write_parquet_by_year(data_dir: Path, path: Path) -> None:
    """The partitioned folder as one ZIP, its paths from parquet/ on, in path order."""
    folder = data_dir / PARTITIONED
    files = sorted((p for p in folder.rglob("*.parquet") if p.is_file()), key=lambda p: p.relative_to(folder).parts)
    with atomic_path(path) as tmp, tmp.open("wb") as f:
        write_zip(f, ((f"{PARTITIONED}/{p.relative_to(folder).as_posix()}", _chunks(p)) for p in files))


def write_assets(data_dir: Path, out: Path, progress=print) -> list[Path]:
    """Gather the release assets of `data_dir` in `out` (new or empty); returns
    them in the order of SHA256SUMS, which is written last."""
    from .render import archive     # the data page's "download everything", the same bytes

    data_dir, out = Path(data_dir), Path(out)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise ReleaseError(f"{out} is not an empty folder: choose a new or empty --out "
                           f"(every file in it becomes an asset of the release)")
    missing = [n for n in dataset_files() if not (data_dir / n).is_file()]
    if missing and (data_dir / PARTITIONED).is_dir() and (data_dir / "datapackage.json").is_file():
        # `yusuan build` leaves them to the release when the datasets are large (store.EXPORT_ROWS)
        progress(f"release assets: writing the datasets' whole files into {data_dir}/ from their parts")
        write_exports(data_dir, aggregate.queries(), progress)
        missing = [n for n in dataset_files() if not (data_dir / n).is_file()]
    if not (data_dir / PARTITIONED).is_dir():
        missing.append(f"{PARTITIONED}/")
    if missing:
        raise ReleaseError(f"{data_dir} lacks {', '.join(missing[:5])}{' …' if len(missing) > 5 else ''}: "
                           f"run `yusuan data` (or `yusuan build`) first, or pass --data-dir")
    out.mkdir(parents=True, exist_ok=True)
    for name in dataset_files():
        _link_or_copy(data_dir / name, out / name)
    write_parquet_by_year(data_dir, out / PARQUET_BY_YEAR)
    archive.write(data_dir, out / archive.NAME)
    assets = sorted(p for p in out.iterdir() if p.name != CHECKSUMS)
    with atomic_path(out / CHECKSUMS) as tmp:
        tmp.write_text("".join(f"{sha256(p)}  {p.name}\n" for p in assets), encoding="utf-8")
    total = sum(p.stat().st_size for p in assets)
    progress(f"release assets: {len(assets)} files, {total / 2**20:.1f} MB, and {CHECKSUMS} → {out}/")
    return assets + [out / CHECKSUMS]


def latest_release_url(env=os.environ) -> str | None:
    """The repository's latest release (its datasets in every format), when
    the build is told the repository (YUSUAN_REPOSITORY_URL, set by the
    workflow from its own context); else None, and the data page has no link."""
    url = env.get(REPOSITORY_URL, "").strip().rstrip("/")
    if not url:
        return None
    if not re.fullmatch(r"https://[\w.-]+(:\d+)?/[\w.-]+/[\w.-]+", url):
        raise ValueError(f"{REPOSITORY_URL}={url!r}: expected the repository's address, "
                         f"like https://github.com/OWNER/REPO")
    return f"{url}/releases/latest"
