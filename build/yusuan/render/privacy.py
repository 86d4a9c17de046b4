"""The privacy rule applied to the source texts the site publishes: contact
persons' names and phone numbers are never published. Line numbers are kept
(every number on the site cites its source line)."""
from __future__ import annotations

import re

HIDDEN = "［已隐去］"
PHONE = re.compile(r"(?<!\d)(?:1[3-9]\d{9}|0\d{2,3}-?\d{7,8})(?!\d)")
# a label cell (联系人 / 联系电话 …) followed, after tabs, spaces or line breaks, by its value
CONTACT = re.compile(r"((?:联系人|联系电话|联系方式|手机)[：:]?)([ \t\u3000]*\n?[ \t\u3000]*\n?[ \t\u3000]*)([^\t\n]+)")


def redact(text: str) -> str:
    def value(m: re.Match) -> str:
        v = m.group(3)
        if re.search(r"联系人|联系电话|联系方式", v):   # the next cell is another label
            return m.group(0)
        return m.group(1) + m.group(2) + HIDDEN
    text = CONTACT.sub(value, text)
    return PHONE.sub(HIDDEN, text)
