"""Department pages without a mkdocs run per page.

mkdocs-material takes ~50 ms a page, and a department-year has several
pages: at 1,000 documents that alone is minutes. Every department page has
the same frame (header, navigation, footer, scripts) at the same folder
depth, so mkdocs renders that frame once, as a *shell* page holding marker
strings, and each department page is the shell with its markers replaced:
title, table of contents and content.

    shell_markdown(has_toc)   the page mkdocs renders (docs/_shell…/index.md)
    Shell.from_html(html)     the rendered page, cut at the markers
    shell.page(title, toc, content)  → the page's HTML
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from markupsafe import escape

TITLE = "YUSUANSHELLTITLE"
TOC_ID = "yusuanshelltoc"
TOC_TITLE = "YUSUANSHELLTOCTITLE"
BODY = "YUSUANSHELLBODY"
ARTICLE = re.compile(r'(<article class="md-content__inner md-typeset">)(.*?)(</article>)', re.S)
TOC_ITEM = re.compile(rf'<li class="md-nav__item">\s*<a href="#{TOC_ID}".*?</li>', re.S)


class ShellError(Exception):
    """The theme rendered the shell page in a shape this module does not know."""


def shell_markdown(has_toc: bool) -> str:
    """The shell page's source: a title, one table-of-contents entry (when the
    pages it stands for have one) and a body marker. Not searchable itself."""
    heading = f"## {TOC_TITLE} {{#{TOC_ID}}}\n\n" if has_toc else ""
    return (f"---\ntitle: {TITLE}\nsearch:\n  exclude: true\n---\n\n"
            f"<h1>{TITLE}</h1>\n\n{heading}{BODY}\n")


_BLANK_LINES = re.compile(r"[ \t\r]*\n\s*")


def collapse(html: str) -> str:
    """The theme's indentation and blank lines dropped: a run of white space
    holding a line break becomes one line break, which HTML (outside <pre>
    and <textarea>, which the frame has none of) and JavaScript (its line
    break kept) read the same. ~40% of the frame, which every document's
    ~5 pages repeat."""
    return _BLANK_LINES.sub("\n", html)


@dataclass
class Shell:
    parts: list[str]        # the frame, split at the title markers
    toc_item: str           # one table-of-contents entry, with its markers

    @classmethod
    def from_html(cls, html: str, has_toc: bool) -> "Shell":
        article = ARTICLE.search(html)
        if not article or BODY not in article[2]:
            raise ShellError("the shell page has no <article> with the body marker")
        html = html[:article.start(2)] + BODY + html[article.end(2):]
        toc_item = ""
        if has_toc:
            item = TOC_ITEM.search(html)
            if not item:
                raise ShellError("the shell page has no table-of-contents entry")
            toc_item = item[0]
            html = html[:item.start()] + TOC_TITLE + html[item.end():]
        if TITLE not in html:
            raise ShellError("the shell page does not show its title")
        if re.search(r"<(?:pre|textarea)\b", html):
            raise ShellError("the frame holds a <pre> or <textarea>: its white space cannot be collapsed")
        return cls(re.split(f"({TITLE}|{TOC_TITLE}|{TOC_ID}|{BODY})", collapse(html)), collapse(toc_item))

    def page(self, title: str, toc: list[tuple[str, str]], content: str) -> str:
        """The page's HTML: `title` is plain text (escaped here), `toc` is
        (anchor id, plain text) pairs, `content` is HTML already escaped."""
        fill = {
            TITLE: str(escape(title)),
            TOC_TITLE: "".join(self.toc_item.replace(f'href="#{TOC_ID}"', f'href="#{escape(anchor)}"')
                               .replace(TOC_TITLE, str(escape(text))) for anchor, text in toc),
            TOC_ID: str(escape(toc[0][0])) if toc else "",
            BODY: content,
        }
        return "".join(fill.get(part, part) for part in self.parts)
