"""Department pages kept from the last build: each document's pages, and
each department's page across years.

Rendering every document's pages is most of the site stage (~170 s of 252
at 10,000 department-years), and adding one file changes only its own
(a page shows its document's numbers only, no rank among the others:
fingerprint.ACROSS_DOCUMENTS) and its department's page across years
(made in the main process: when every one was made, 24 s of the 122 s of
adding one file at 10,000 as measured for issue 12, and 4.0 and 5.0 s at
1,000; kept, 0.1 s at 1,000). So each build
records, in the cache folder, the fingerprint of every page of these two
kinds (KINDS) in the site folder it wrote (render/fingerprint.py), and the
next build into that folder keeps every page whose fingerprint is the same
(its context is not even made) and makes only the others; a page whose
document or department is gone is deleted. Pages made across departments
(home, compare, the list of departments, the search index …) are made anew
every time.

    cache/site-pages.json            the record: the site folder, the frame, kind → name → fingerprint
    cache/site-pages/<fingerprint>.json   a page's search entries
    site/.yusuan-previous/           the last build's docs/, sources/ and departments/, during a build

Never stale: the record is read and deleted when a build starts and
written when it ends, so an interrupted build leaves none and the next
build makes every page. It names the site folder and the marker file that
build wrote there (yusuan.folders; its inode and time), so a build into
another folder, or any other writer of the site folder, trusts nothing.
A page's search entries are named by its fingerprint: they cannot
belong to other pages.
"""
from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from yusuan import folders
from yusuan.render import sources

RECORD = "site-pages.json"
ENTRIES = "site-pages"
STASH = ".yusuan-previous"     # hidden: mkdocs leaves it when it empties the site folder
FORMAT = 2


@dataclass(frozen=True)
class Kind:
    """Pages kept from build to build, one of each name (a doc_id, a slug):
    a page is the folder <folder>/<name>/ of the site in each of `folders`
    (each with its index.html), and its `files` beside them if made."""
    name: str                           # its fingerprints' key in the record
    folders: tuple[str, ...]
    files: Callable[[str], list[str]] = lambda name: []

    def paths(self, name: str) -> list[str]:
        return [f"{folder}/{name}" for folder in self.folders] + self.files(name)

    def in_site(self, site_dir: Path, name: str) -> bool:
        return all((site_dir / folder / name / "index.html").is_file() for folder in self.folders)


DOCUMENTS = Kind("documents", ("docs", "sources"), lambda doc_id: [f"sources/{sources.text_file(doc_id)}"])
DEPARTMENTS = Kind("departments", ("departments",))     # a department across years, named by its slug
KINDS = (DOCUMENTS, DEPARTMENTS)


def _marker(site_dir: Path) -> list:
    """The marker file the build wrote into the site folder: its path, inode and time."""
    st = (site_dir / folders.SITE).stat()
    return [str(site_dir.resolve()), st.st_dev, st.st_ino, st.st_mtime_ns]


@dataclass
class Previous:
    """What the last build into the site folder made, and where its pages wait."""
    fingerprints: dict[str, dict[str, str]] = field(default_factory=dict)   # kind → name → fingerprint of its page
    frame: str = ""                                             # the shells' hash (site.DepartmentWork.frame)
    stash: Path | None = None

    @classmethod
    def take(cls, cache_dir: Path, site_dir: Path) -> "Previous":
        """The record of the last build into site_dir, deleted from the
        cache (this build writes its own when it ends), with the pages
        still in the folder; empty when there is none or it is not that
        folder's."""
        path = cache_dir / RECORD
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            record = None
        path.unlink(missing_ok=True)
        try:
            if not record or record.get("format") != FORMAT or record.get("site") != _marker(site_dir):
                return cls()
        except OSError:        # no site folder, or no marker in it
            return cls()
        kept = {kind.name: {name: fp for name, fp in record["pages"][kind.name].items() if kind.in_site(site_dir, name)}
                for kind in KINDS}
        return cls(kept, record["frame"])

    def of(self, kind: Kind) -> dict[str, str]:
        """name → fingerprint of the pages of that kind in the folder."""
        return self.fingerprints.get(kind.name, {})

    def clear_site(self, site_dir: Path) -> None:
        """Empty the site folder (made again by the build), the pages that
        may be kept moved into a hidden folder of it first (a rename: same
        file system, no copy)."""
        if not site_dir.exists():
            return
        if not any(self.fingerprints.values()):
            shutil.rmtree(site_dir)
            return
        stash = site_dir / STASH
        if stash.exists():
            shutil.rmtree(stash)
        stash.mkdir()
        for name in (folder for kind in KINDS for folder in kind.folders):
            if (site_dir / name).exists():
                (site_dir / name).rename(stash / name)
        for entry in site_dir.iterdir():
            if entry.name not in (STASH, folders.SITE):
                shutil.rmtree(entry) if entry.is_dir() and not entry.is_symlink() else entry.unlink()
        self.stash = stash

    def keep(self, kind: Kind, name: str, site_dir: Path) -> None:
        """Move a page of the last build into the site."""
        for rel in kind.paths(name):
            if (self.stash / rel).exists():
                (site_dir / rel).parent.mkdir(parents=True, exist_ok=True)
                (self.stash / rel).rename(site_dir / rel)

    def drop(self) -> None:
        """The pages not kept (removed or changed) go."""
        if self.stash:
            shutil.rmtree(self.stash)
            self.stash = None


def entries_path(cache_dir: Path, fingerprint: str) -> Path:
    return cache_dir / ENTRIES / f"{fingerprint}.json"


def save_entries(cache_dir: Path, fingerprint: str, entries: list[dict]) -> None:
    path = entries_path(cache_dir, fingerprint)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(entries, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    os.replace(tmp, path)     # a reader never finds half a file


def load_entries(cache_dir: Path, fingerprint: str) -> list[dict] | None:
    """A document's search entries, or None when they cannot be read (then its pages are made again)."""
    try:
        return json.loads(entries_path(cache_dir, fingerprint).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def record(cache_dir: Path, site_dir: Path, pages: dict[str, dict[str, str]], frame: str) -> None:
    """Write the record of this build into site_dir (kind → name →
    fingerprint of its page), last, whole or not at all; remove the search
    entries of pages no longer in it."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    keep = {f"{fp}.json" for kind in pages.values() for fp in kind.values()}
    for path in (cache_dir / ENTRIES).glob("*"):
        if path.name not in keep:
            path.unlink()
    tmp = cache_dir / f"{RECORD}.tmp"
    tmp.write_text(json.dumps({"format": FORMAT, "site": _marker(site_dir), "frame": frame, "pages": pages},
                              ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, cache_dir / RECORD)
