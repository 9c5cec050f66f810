"""Safe Markdown from user text: no user string can add a table column, open or close a code
block, start a heading, add raw HTML, or write a control character to a terminal that shows the
report. Only `- ` at the start of a line keeps its meaning (a list)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from kompass_tui.core.sanitize import visible

if TYPE_CHECKING:
    from markdown_it.token import Token

_INLINE = re.compile(r"([\\`*_\[\]|#~!])")
_ENTITY = re.compile(r"&(?=#?\w+;)")
_LINE_START = re.compile(r"^([-+=]|\d+[.)])")  # `>` is &gt; by then (inline)


def inline(text: str) -> str:
    """One line of user text, safe inside a paragraph or a table cell (and in a terminal:
    control characters are shown as sanitize.visible shows them)."""
    text = _INLINE.sub(r"\\\1", visible(text))
    text = _ENTITY.sub("&amp;", text)
    return text.replace("<", "&lt;").replace(">", "&gt;")


def cell(text: str) -> str:
    """User text for a table cell: line breaks become <br>, so the row stays one row."""
    lines = [inline(line.strip()) for line in text.strip().splitlines()]
    return BREAK.join(line for line in lines if line) or " "


def blocks(text: str) -> str:
    """Multi-line user text as typed: paragraphs apart where a line is empty, each line on a line of
    its own (a hard break, not run into the one before), lines starting with '- ' or '* ' as list
    items."""
    out: list[str] = []
    for raw in text.strip().splitlines():
        line = raw.strip()
        item = re.match(r"^[-*•]\s+(.*)$", line)
        if item:
            if out and out[-1] and not out[-1].startswith("- "):
                out.append("")
            out.append("- " + inline(item.group(1)))
        elif not line:
            out.append("")
        else:
            if out and out[-1].startswith("- "):
                out.append("")
            elif out and out[-1]:
                out[-1] += "\\"  # the line typed before ends there (CommonMark's hard break)
            escaped = inline(line)
            out.append(_LINE_START.sub(r"\\\1", escaped))
    return re.sub(r"\n{3,}", "\n\n", "\n".join(out)).strip()


def table(header: list[str], rows: list[list[str]], align: str) -> str:
    """A pipe table; align has one letter per column, l or r. Cells must be escaped already."""
    marks = {"l": "---", "r": "--:"}
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(marks[a] for a in align) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def fence(text: str) -> str:
    """A fenced block longer than any run of backticks inside, so the text cannot close it."""
    text = visible(text)
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    marker = "`" * max(3, longest + 1)
    return f"{marker}text\n{text.rstrip()}\n{marker}"


BREAK = "<br>"  # the one piece of raw HTML in the report: between the lines of a table cell (cell)


def parse(text: str) -> list[Token]:
    """The report's Markdown as markdown-it tokens (CommonMark and pipe tables), for the HTML and
    Word documents, so they hold exactly what the Markdown holds. Raw HTML in it can only be our
    BREAK: user text has every < escaped (inline), so renderers show any other as text."""
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": True}).enable("table").parse(text)
