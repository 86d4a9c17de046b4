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
kinds (KINDS) in the site folder it wrote (render/fingerprint.py) and the
page's files, and the next build into that folder keeps every page whose
fingerprint is the same and whose files are as recorded (its context is
not even made) and makes only the others; a page whose document or
department is gone is deleted. Pages made across departments (home,
compare, the list of departments, the search index …) are made anew every
time, but the search index's files whose text did not change are not
written again (render/search.py: the record lists them too).

    cache/site-pages.json            the record: the site folder, the frame, kind → name → fingerprint and files
    cache/site-pages/<fingerprint>.page   a page's search entries (search.Page)
    site/.yusuan-previous/           the last build's docs/, sources/, departments/, search/t/ and search/c/,
                                     during a build (search/ back in place once mkdocs has written the site)

Never stale: the record is read and deleted when a build starts and
written when it ends, so an interrupted build leaves none and the next
build makes every page. It names the site folder (its resolved path: a
build into another folder trusts nothing) and lists every file of every
page, with its size and SHA-256: a page is kept only if its files are
exactly those, each of the same size and hash, so a page another writer
changed, cut short, deleted a file of or added one to is made again, and
the others are kept. Not the folder's inodes: CI keeps site/ between runs
with actions/cache (a tar: new inodes), and a site and a record restored
from different runs keep the pages on which they agree. SHA-256 rather
than BLAKE2b by measurement: here 1.5-1.7 against 0.7-0.8 GB/s in memory
(OpenSSL uses the CPU's SHA instructions), 2.1 against 2.7 s for the
70,013 files (858 MB) of the pages at 10,000 read from the file cache.

A file whose size and time (st_mtime_ns) are those recorded is not read
again: a build keeps a page by renaming its files (the same time), and
actions/cache's tar (--posix) keeps times to the ns; a restore that does
not has every kept file read. Safe enough, because every writer sets the
time of the file it writes: to fool the check, another writer would have
to write a file of the same size and then set its time back to the very
ns recorded (`touch -d`, or `cp -p`/tar from a file with that time, which
would be a copy of the recorded file itself: a file made again gets a new
time). A write within the same clock tick as the build's own would keep
the time too, but the build hashes a file for its record well after
writing it (at the end), so no later write shares its time. Measured: at 1,000
department-years (7,017 files of 1,338 pages, 86 MB) the check takes
0.2-0.5 s by times, 0.6-0.8 s reading every file (after a restore that
lost the times), and the record of a cold build 0.5 s, of a build that kept
the pages under 0.05 s (a kept page's files are those the check found); at
10,000 (70,009 files of 13,336 pages, 858 MB; a 13.6 MB record), the check
1.2-1.6 s by times, 5.0 s reading every file from the file cache and
15.5 s from the disk, the record ~0.2 s, every file read for a cold
build's ~4 s more (3.9 s from the file cache): a few seconds, against the
~3 min of making every page.

A page's search entries are named by its fingerprint: they cannot
belong to other pages.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from yusuan import folders
from yusuan.render import search, sources

RECORD = "site-pages.json"
ENTRIES = "site-pages"
STASH = ".yusuan-previous"     # hidden: mkdocs leaves it when it empties the site folder
SEARCH = ("search/t", "search/c")     # the search index's files (render/search.py), kept if unchanged
FORMAT = 3

# A page's files: site-relative path → [size, mtime_ns, SHA-256 in hex ("" for anything but a file)]
Files = dict[str, list]


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


DOCUMENTS = Kind("documents", ("docs", "sources"), lambda doc_id: [f"sources/{sources.text_file(doc_id)}"])
DEPARTMENTS = Kind("departments", ("departments",))     # a department across years, named by its slug
KINDS = (DOCUMENTS, DEPARTMENTS)


def _entries(site: str, paths: list[str]) -> Iterator[tuple[str, os.stat_result]]:
    """Everything but folders under a page's paths (each a folder or a
    file, or absent), site-relative, with its lstat: a link is listed, not
    followed. Paths as strings: at 10,000 department-years (83,000 files and
    folders) pathlib's joins were a third of the check's 1.1-1.3 s."""
    for rel in paths:
        try:
            st = os.lstat(f"{site}/{rel}")
        except FileNotFoundError:
            continue
        if stat.S_ISDIR(st.st_mode):
            yield from _walk(f"{site}/{rel}", rel)
        else:
            yield rel, st


def _walk(folder: str, rel: str) -> Iterator[tuple[str, os.stat_result]]:
    with os.scandir(folder) as entries:
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                yield from _walk(entry.path, f"{rel}/{entry.name}")
            else:
                yield f"{rel}/{entry.name}", entry.stat(follow_symlinks=False)


def files_of(site_dir: Path, paths: list[str], known: Files) -> Files:
    """A page's files as they are in the site folder. A file whose size and
    time are those `known` gives keeps the hash it gives, unread (see above)."""
    files = {}
    for rel, st in _entries(str(site_dir), paths):
        was = known.get(rel)
        if was and was[0] == st.st_size and was[1] == st.st_mtime_ns:
            digest = was[2]
        elif stat.S_ISREG(st.st_mode):
            digest = _digest(site_dir / rel)
        else:
            digest = ""     # a link or the like: the build makes none, so never what it recorded
        files[rel] = [st.st_size, st.st_mtime_ns, digest]
    return files


def _digest(path: Path) -> str:
    """A file's SHA-256; "" when it cannot be read (never what was recorded:
    its page is made again, not the build stopped)."""
    try:
        with open(path, "rb") as f:
            return hashlib.file_digest(f, "sha256").hexdigest()
    except OSError:
        return ""


def _same(files: Files, recorded: Files) -> bool:
    """The same paths, each with the same size and hash (times aside: a restore may set its own)."""
    return files.keys() == recorded.keys() and all(
        [size, digest] == [recorded[rel][0], recorded[rel][2]] for rel, (size, _, digest) in files.items())


@dataclass
class Previous:
    """What the last build into the site folder made, and where its pages wait."""
    fingerprints: dict[str, dict[str, str]] = field(default_factory=dict)   # kind → name → fingerprint of its page
    frame: str = ""                                             # the shells' hash (site.DepartmentWork.frame)
    files: dict[str, dict[str, Files]] = field(default_factory=dict)   # kind → name → its files, as found
    kept: dict[str, dict[str, Files]] = field(default_factory=dict)    # the same, of the pages this build kept
    search: dict | None = None          # the record of the search index's files (search.Written.record)
    stash: Path | None = None

    @classmethod
    def take(cls, cache_dir: Path, site_dir: Path) -> "Previous":
        """The record of the last build into site_dir, deleted from the
        cache (this build writes its own when it ends), with the pages
        still in the folder as it left them; empty when there is none or
        it is not that folder's."""
        path = cache_dir / RECORD
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            record = None
        path.unlink(missing_ok=True)
        if not record or record.get("format") != FORMAT or record.get("site") != str(site_dir.resolve()):
            return cls()
        previous = cls(frame=record["frame"], search=record.get("search"))
        for kind in KINDS:
            previous.fingerprints[kind.name], previous.files[kind.name] = {}, {}
            for name, page in record["pages"][kind.name].items():
                files = files_of(site_dir, kind.paths(name), page["files"])
                if _same(files, page["files"]):
                    previous.fingerprints[kind.name][name] = page["fingerprint"]
                    previous.files[kind.name][name] = files
        return previous

    def of(self, kind: Kind) -> dict[str, str]:
        """name → fingerprint of the pages of that kind in the folder."""
        return self.fingerprints.get(kind.name, {})

    def clear_site(self, site_dir: Path) -> None:
        """Empty the site folder (made again by the build), the pages that
        may be kept and the search index's files moved into a hidden folder
        of it first (a rename: same file system, no copy)."""
        if not site_dir.exists():
            return
        if not any(self.fingerprints.values()) and not self.search:
            shutil.rmtree(site_dir)
            return
        stash = site_dir / STASH
        if stash.exists():
            shutil.rmtree(stash)
        stash.mkdir()
        for name in [folder for kind in KINDS for folder in kind.folders] + list(SEARCH):
            if (site_dir / name).exists():
                (stash / name).parent.mkdir(parents=True, exist_ok=True)
                (site_dir / name).rename(stash / name)
        for entry in site_dir.iterdir():
            if entry.name not in (STASH, folders.SITE):
                shutil.rmtree(entry) if entry.is_dir() and not entry.is_symlink() else entry.unlink()
        self.stash = stash

    def restore_search(self, site_dir: Path) -> None:
        """The last build's search index files back in search/, once mkdocs
        has written the site (search.write_index keeps those unchanged)."""
        for name in SEARCH:
            if self.stash and (self.stash / name).exists() and (site_dir / name).parent.is_dir() \
                    and not (site_dir / name).exists():
                (self.stash / name).rename(site_dir / name)

    def keep_all(self, kind: Kind, names: list[str], site_dir: Path) -> None:
        """Move the kept pages of a kind (`names`) into the site: each of the
        kind's folders of the last build whole (a rename), with what this
        build already wrote into that folder put into it (a page of its own
        replaces the last build's) and every page not kept taken out of it
        (to go with the stash). At 10,000 department-years, moving 13,336
        pages one by one (40,000 renames) took ~3.8 s of a build that kept
        them all."""
        if not names:
            return
        wanted = {rel for name in names for rel in kind.paths(name)}
        for folder in kind.folders:
            old, new = self.stash / folder, site_dir / folder
            if not old.is_dir():
                continue
            made = set()
            if new.is_dir():
                for entry in os.scandir(new):
                    target = old / entry.name
                    if target.is_dir() and not target.is_symlink():
                        shutil.rmtree(target)
                    os.replace(entry.path, target)
                    made.add(f"{folder}/{entry.name}")
                new.rmdir()
            gone, here = self.stash / ".not-kept" / folder, wanted | made
            for entry in os.scandir(old):
                if f"{folder}/{entry.name}" not in here:
                    gone.mkdir(parents=True, exist_ok=True)
                    os.rename(entry.path, gone / entry.name)
            new.parent.mkdir(parents=True, exist_ok=True)
            old.rename(new)
        for name in names:
            self.kept.setdefault(kind.name, {})[name] = self.files[kind.name][name]

    def drop(self) -> None:
        """The pages not kept (removed or changed) go."""
        if self.stash:
            shutil.rmtree(self.stash)
            self.stash = None


def entries_path(cache_dir: Path, fingerprint: str) -> Path:
    return cache_dir / ENTRIES / f"{fingerprint}.page"


def save_entries(cache_dir: Path, fingerprint: str, page: search.Page) -> None:
    path = entries_path(cache_dir, fingerprint)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(page.to_bytes())
    os.replace(tmp, path)     # a reader never finds half a file


def load_entries(cache_dir: Path, fingerprint: str) -> search.Page | None:
    """A page's search entries, or None when they cannot be read (then the page is made again)."""
    try:
        return search.Page.from_bytes(entries_path(cache_dir, fingerprint).read_bytes())
    except OSError:
        return None


def record(cache_dir: Path, site_dir: Path, pages: dict[str, dict[str, str]], frame: str, previous: Previous,
           search: dict | None = None) -> None:
    """Write the record of this build into site_dir (kind → name →
    fingerprint of its page and its files: those of a page kept from
    `previous` as take found them, the others read; and the search index's
    files, as search.write_index recorded them), last, whole or not at
    all; remove the search entries of pages no longer in it."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    keep = {entries_path(cache_dir, fp).name for kind in pages.values() for fp in kind.values()}
    for path in (cache_dir / ENTRIES).glob("*"):
        if path.name not in keep:
            path.unlink()
    tmp = cache_dir / f"{RECORD}.tmp"
    recorded = {kind.name: {name: {"fingerprint": fp, "files": previous.kept.get(kind.name, {}).get(name)
                                   or files_of(site_dir, kind.paths(name), {})}
                            for name, fp in pages[kind.name].items()} for kind in KINDS}
    tmp.write_text(json.dumps({"format": FORMAT, "site": str(site_dir.resolve()), "frame": frame, "pages": recorded,
                               "search": search}, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, cache_dir / RECORD)
