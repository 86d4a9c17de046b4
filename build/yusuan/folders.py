"""Output folders yusuan may empty: the site folder (deleted and made again on
every build) and the data folder (source texts of removed files deleted).

yusuan deletes only inside a folder it made, known by a marker file it writes
there when it makes it. A folder that exists, is not empty and has no marker
is refused: `--site-dir .` must not delete a repository.
"""
from __future__ import annotations

from pathlib import Path

SITE = ".yusuan-site"
DATA = ".yusuan-data"


class FolderError(Exception):
    """The folder holds files yusuan did not make; the message says what to do."""


def check(folder: Path, marker: str, option: str) -> None:
    """Raise FolderError unless `folder` is new, empty or holds `marker`.
    `option`: the command-line option that names the folder, for the message."""
    if folder.exists() and not folder.is_dir():
        raise FolderError(f"{folder} is a file, not a folder: choose another {option}")
    if folder.is_dir() and not (folder / marker).is_file() and any(folder.iterdir()):
        raise FolderError(f"{folder} holds files yusuan did not make (it has no {marker}): "
                          f"choose a new or empty {option}, or delete {folder} yourself")


def make(folder: Path, marker: str) -> None:
    """Make `folder` (if need be) and mark it as yusuan's."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / marker).write_text("Made by yusuan, which deletes and rewrites what is in this folder.\n",
                                 encoding="utf-8")
