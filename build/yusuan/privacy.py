"""The privacy rule: contact persons' names and phone numbers are never
published — not in a dataset, not in the source texts the site republishes.

Which text is a contact is decided where it is read, not guessed from free
text: the performance-target parser (targets.py) knows the label rows of a
绩效目标表 (部门联系人 / 联系电话 / 项目负责人 …, the labels below) and hands
back every value cell they label, with its source line. Those cells are
hidden, and the names in them wherever else the document repeats them. The
one pattern here is for phone numbers, hidden wherever they appear.

Everything hidden becomes MARK, and every line stays in place: each number
on the site cites its source line.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

MARK = "［已隐去］"

# Labels of the cells that hold a contact's name or number (suffixes: 部门联系人,
# 监督电话 …). A bare seven- or eight-digit number is a phone only after one of
# these: on its own it could be a function code (2010101) or an amount.
CONTACT_LABELS = ("联系人", "联系电话", "项目负责人", "负责人", "电话", "联系方式", "姓名", "号码", "手机")

_LABEL = "|".join(CONTACT_LABELS)
_STARTS = "".join(sorted({label[0] for label in CONTACT_LABELS})) + "1（(0"
PHONE = re.compile(
    rf"(?=[{_STARTS}])"           # where a label or a number can start: the scan skips the rest (4x faster)
    rf"(?:(?P<label>(?:{_LABEL})[：:]?[ \t\u3000]*)(?=[2-9]\d{{6,7}}(?!\d|[.．]\d))"   # kept: only the number is hidden
    r"|(?<![\d.．]))"
    r"(?P<number>1[3-9]\d{9}"                                 # mobile: 13209947970
    r"|[（(]?0\d{2,3}[)）]?[ \u3000]*[-—－–]?[ \u3000]*\d{7,8}"  # with area code: 0991—2345678, (0991) 2345678
    r"|(?(label)[2-9]\d{6,7}|(?!)))"                          # without, after a label only: 电话\t2345678
    r"(?!\d|[.．]\d)")
_NAME_SPLIT = re.compile(r"[、，,；;/\s]+")


@dataclass(frozen=True)
class Contact:
    """A contact's name or number as printed in a value cell, and its line."""
    line: int
    text: str


def names(contacts: list[Contact]) -> list[str]:
    """The names and numbers in contact cells (刘雪亮、樊羿希 → 刘雪亮, 樊羿希),
    longest first; single characters (一, /) are no names."""
    return sorted({s for c in contacts for s in _NAME_SPLIT.split(c.text) if len(s) >= 2}, key=len, reverse=True)


def hide(text: str, secrets: list[str]) -> str:
    """`text` with every secret (from names()) and every phone number hidden."""
    for s in secrets:
        text = text.replace(s, MARK)
    return PHONE.sub(lambda m: (m["label"] or "") + MARK, text)


def redact(text: str, contacts: list[Contact] = ()) -> str:
    """A document's text to publish: the contact cells hidden on their lines,
    then their names anywhere else and every phone number."""
    lines = text.split("\n")
    for c in contacts:
        lines[c.line - 1] = lines[c.line - 1].replace(c.text, MARK)
    return hide("\n".join(lines), names(contacts))
