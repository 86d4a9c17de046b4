"""mkdocs hooks (named in the derived mkdocs.yml by site.py): raw HTML blocks
skip Python-Markdown.

The generated pages are mostly raw HTML blocks (tables, figures, chart
containers) between Markdown headings. Python-Markdown passes such a block
through unchanged, but first runs it through its HTML parser, which took
most of the mkdocs build. Here each top-level HTML block is swapped for a
placeholder paragraph before Markdown runs, and put back, unchanged, in the
HTML Markdown made: the page comes out the same, only faster.

A block is a run of lines between blank lines that starts with an opening
tag and ends with its matching closing tag, with every div/figure/table/p
closed; anything else (and any block asking for Markdown inside, with
markdown="1") is left to Markdown.
"""
from __future__ import annotations

import re

TOKEN = "YUSUANRAWHTMLBLOCK"
BLOCK = re.compile(r"<(div|figure|table|p|h[1-6])[\s>].*</\1>", re.S)
BALANCED = ("div", "figure", "table", "p")


def _raw_block(chunk: str) -> bool:
    if not BLOCK.fullmatch(chunk) or "markdown=" in chunk:
        return False
    return all(len(re.findall(rf"<{tag}[\s>]", chunk)) == chunk.count(f"</{tag}>") for tag in BALANCED)


def on_page_markdown(markdown: str, page, **kwargs) -> str:
    if TOKEN in markdown:   # never in the pages yusuan writes; leave such a page alone
        return markdown
    blocks: list[str] = []
    chunks = markdown.split("\n\n")
    for i, chunk in enumerate(chunks):
        if _raw_block(chunk):
            chunks[i] = f"{TOKEN}{len(blocks)}X"
            blocks.append(chunk)
    page.yusuan_raw_blocks = blocks
    return "\n\n".join(chunks)


def on_page_content(html: str, page, **kwargs) -> str:
    blocks = getattr(page, "yusuan_raw_blocks", None)
    if not blocks:
        return html
    # Markdown writes a raw block followed by a blank line, and strips the end of the page
    return re.sub(rf"<p>{TOKEN}(\d+)X</p>", lambda m: blocks[int(m[1])] + "\n", html).rstrip("\n")
