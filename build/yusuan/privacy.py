"""The privacy rule: contact persons' names and phone numbers (绩效目标表's
部门联系人 / 联系电话 / 项目负责人) are never published — not in a dataset,
not in the source texts the site republishes. Redaction keeps every line in
place, since every number on the site cites its source line."""
from __future__ import annotations

import re

HIDDEN = "［已隐去］"
PHONE = re.compile(r"(?<!\d)(?:1[3-9]\d{9}|0\d{2,3}-?\d{7,8})(?!\d)")
# A label cell followed, after tabs, spaces or (cell-per-line layout) line breaks, by its value.
CONTACT = re.compile(r"((?:联系人|联系电话|联系方式|手机|项目负责人|负责人)[：:]?)"
                     r"([ \t\u3000]*\n?[ \t\u3000]*\n?[ \t\u3000]*)([^\t\n]+)")
_NAME_SPLIT = re.compile(r"[、，,；;/\s]+")


def redact(text: str, names: list[str] = ()) -> str:
    """Hide contact values after their labels, every phone number, and every
    occurrence of the given contact names (read from the 绩效目标表)."""
    def value(m: re.Match) -> str:
        if re.search(r"联系人|联系电话|联系方式|负责人", m.group(3)):   # the next cell is another label
            return m.group(0)
        return m.group(1) + m.group(2) + HIDDEN
    text = CONTACT.sub(value, text)
    for name in sorted({s for n in names for s in _NAME_SPLIT.split(n) if len(s) >= 2}, key=len, reverse=True):
        text = text.replace(name, HIDDEN)
    return PHONE.sub(HIDDEN, text)
