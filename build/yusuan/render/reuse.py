"""Department pages kept from the last build.

Rendering every document's pages is most of the site stage (~170 s of 252
at 10,000 department-years), and adding one file changes only its own
(a page shows its document's numbers only, no rank among the others:
fingerprint.ACROSS_DOCUMENTS). So each build records, in the cache folder, the
fingerprint of every document's pages in the site folder it wrote
(render/fingerprint.py), and the next build into that folder keeps the
pages of every document whose fingerprint is the same and makes only the
others. Pages made across
documents (home, compare, departments, the search index …) are made anew
every time.

    cache/site-pages.json            the record: the site folder, the frame, doc_id → fingerprint
    cache/site-pages/<fingerprint>.json   a document's search entries
    site/.yusuan-previous/           the last build's docs/ and sources/, during a build

Never stale: the record is read and deleted when a build starts and
written when it ends, so an interrupted build leaves none and the next
build makes every page. It names the site folder and the marker file that
build wrote there (yusuan.folders; its inode and time), so a build into
another folder, or any other writer of the site folder, trusts nothing.
A document's search entries are named by its fingerprint: they cannot
belong to other pages.
"""
from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from yusuan import folders
from yusuan.render import sources

RECORD = "site-pages.json"
ENTRIES = "site-pages"
STASH = ".yusuan-previous"     # hidden: mkdocs leaves it when it empties the site folder
FORMAT = 1


def _marker(site_dir: Path) -> list:
    """The marker file the build wrote into the site folder: its path, inode and time."""
    st = (site_dir / folders.SITE).stat()
    return [str(site_dir.resolve()), st.st_dev, st.st_ino, st.st_mtime_ns]


@dataclass
class Previous:
    """What the last build into the site folder made, and where its pages wait."""
    fingerprints: dict[str, str] = field(default_factory=dict)   # doc_id → fingerprint of its pages in the folder
    frame: str = ""                                             # shells' hash (site.shells_hash)
    stash: Path | None = None

    @classmethod
    def take(cls, cache_dir: Path, site_dir: Path) -> "Previous":
        """The record of the last build into site_dir, deleted from the
        cache (this build writes its own when it ends), with the documents
        whose pages are still in the folder; empty when there is none or it
        is not that folder's."""
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
        kept = {doc_id: fp for doc_id, fp in record["fingerprints"].items()
                if (site_dir / "docs" / doc_id / "index.html").is_file()
                and (site_dir / "sources" / doc_id / "index.html").is_file()}
        return cls(kept, record["frame"])

    def clear_site(self, site_dir: Path) -> None:
        """Empty the site folder (made again by the build), the pages that
        may be kept moved into a hidden folder of it first (a rename: same
        file system, no copy)."""
        if not site_dir.exists():
            return
        if not self.fingerprints:
            shutil.rmtree(site_dir)
            return
        stash = site_dir / STASH
        if stash.exists():
            shutil.rmtree(stash)
        stash.mkdir()
        for name in ("docs", "sources"):
            (site_dir / name).rename(stash / name)
        for entry in site_dir.iterdir():
            if entry.name not in (STASH, folders.SITE):
                shutil.rmtree(entry) if entry.is_dir() and not entry.is_symlink() else entry.unlink()
        self.stash = stash

    def keep(self, doc_id: str, site_dir: Path) -> None:
        """Move a document's pages from the last build into the site."""
        for rel in (f"docs/{doc_id}", f"sources/{doc_id}", f"sources/{sources.text_file(doc_id)}"):
            if (self.stash / rel).exists():
                (self.stash / rel).rename(site_dir / rel)

    def drop(self) -> None:
        """The pages not kept (documents removed or changed) go."""
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


def record(cache_dir: Path, site_dir: Path, fingerprints: dict[str, str], frame: str) -> None:
    """Write the record of this build into site_dir, last, whole or not at
    all; remove the search entries of pages no longer in it."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    keep = {f"{fp}.json" for fp in fingerprints.values()}
    for path in (cache_dir / ENTRIES).glob("*"):
        if path.name not in keep:
            path.unlink()
    tmp = cache_dir / f"{RECORD}.tmp"
    tmp.write_text(json.dumps({"format": FORMAT, "site": _marker(site_dir), "frame": frame,
                               "fingerprints": fingerprints}, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, cache_dir / RECORD)
