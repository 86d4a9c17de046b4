"""Text files: bytes → text lines, or a problem that says why not.

Disclosures arrive as UTF-8 (with or without BOM) or GB18030/GBK, with LF or
CRLF line ends. Nothing here knows about budgets beyond "is this text".
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path


class ReadError(Exception):
    """A file that cannot be turned into text; the message names the reason."""


@dataclass(frozen=True)
class Source:
    path: Path          # as found under the content folder
    rel: str            # path relative to the content folder, with '/' separators
    sha256: str
    encoding: str
    lines: list[str]    # line i (1-based) is lines[i - 1]; no line ends


# A text file of CJK prose has few control characters; random bytes have many.
_MAX_CONTROL_SHARE = 0.01
# Control characters other than tab, LF and CR (one regex scan, not a Python loop).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def decode(data: bytes) -> tuple[str, str]:
    """Return (text, encoding name) or raise ReadError."""
    if not data.strip():
        raise ReadError("文件为空（empty file）")
    if data.startswith(b"\xef\xbb\xbf"):
        candidates = [("utf-8-sig", "utf-8-sig")]
    else:
        candidates = [("utf-8", "utf-8"), ("gb18030", "gb18030")]
    for codec, name in candidates:
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        control = len(_CONTROL.findall(text))
        if control > _MAX_CONTROL_SHARE * len(text) or "\x00" in text:
            raise ReadError("不是文本文件：含有大量控制字符（binary data, not text）")
        return text, name
    raise ReadError("无法识别的编码：既不是 UTF-8 也不是 GB18030/GBK（unknown encoding）")


def split_lines(text: str) -> list[str]:
    """Text → lines without their ends (LF, CRLF or CR)."""
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
