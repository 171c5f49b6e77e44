"""The related-links pane's rows, wrapped here for the pane's width.

Textual wraps an option's prompt from the left edge; a list of numbered links reads better
with a hanging indent (continuation lines under the title, never under the number), so each
row is wrapped here, as plain text with style spans: cheap enough for a worker to build a
few hundred rows in milliseconds. Every title, teaser and URL is untrusted and becomes text
only, never markup.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice
from typing import Literal

from textual.content import Content, Span

from reader.models import Link
from reader.text import clean_line
from reader.urls import cell_width, keep_start, shorten_url

Mark = Literal["unread", "read", "elsewhere"]
"""What a link's mark says: an unread or read story in the user's feeds, or another site."""

MARKS: dict[Mark, tuple[str, str, str]] = {
    "unread": ("●", "$accent", "unread"),
    "read": ("✓", "dim", "read"),
    "elsewhere": ("↗", "dim", "other site"),
}
"""Each mark's glyph, style and legend word, in legend order."""

TITLE_LINES = 3
"""A title longer than this many lines ends in an ellipsis (the status line has it all)."""
TEASER_LINES = 2
MIN_TEXT_WIDTH = 8
"""Rows never wrap narrower than this, however narrow the pane."""


def wrap_words(text: str, width: int, max_lines: int) -> list[str]:
    """Greedy word wrap of one clean line into lines of at most `width` cells.

    A word longer than a line is cut across lines; past `max_lines` the last line ends in an
    ellipsis. Wrapping stops once `max_lines` are full, so a long text costs no more than a
    short one.
    """
    width = max(width, 1)
    lines = list(islice(_wrapped(text, width), max_lines + 1))
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        last = lines[-1]
        lines[-1] = last + "…" if cell_width(last) < width else keep_start(last + "…", width)
    return lines


def _wrapped(text: str, width: int) -> Iterator[str]:
    line: list[str] = []
    used = 0
    measure = len if text.isascii() else cell_width
    for word in text.split(" "):
        if not word:
            continue
        size = measure(word)
        if line and used + 1 + size <= width:
            line.append(word)
            used += 1 + size
            continue
        if line:
            yield " ".join(line)
        while size > width:  # a word no line can hold is cut across lines
            head = _head(word, width)
            yield head
            word = word[len(head) :]
            size = cell_width(word)
        line, used = ([word], size) if word else ([], 0)
    if line:
        yield " ".join(line)


def _head(word: str, width: int) -> str:
    """The longest start of `word` within `width` cells (one character at least)."""
    used = 0
    for index, char in enumerate(word):
        used += cell_width(char)
        if used > width:
            return word[: max(index, 1)]
    return word


class _RowText:
    """Plain text and its style spans, appended piece by piece."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.spans: list[Span] = []
        self.length = 0

    def add(self, text: str, style: str = "") -> None:
        if style and text:
            self.spans.append(Span(self.length, self.length + len(text), style))
        self.parts.append(text)
        self.length += len(text)

    def content(self) -> Content:
        # Every piece is a clean line or our own glyphs: no control codes to strip.
        return Content("".join(self.parts), self.spans, strip_control_codes=False)


def link_row(
    number: int,
    link: Link,
    width: int,
    *,
    number_width: int = 1,
    mark: Mark | None = None,
    mark_column: bool = False,
) -> Content:
    """`● 1. Title` wrapped with a hanging indent, then the teaser (two lines at most, for
    a related article) and the URL shortened to fit, all under the title's first letter.

    `mark_column` keeps a column for marks (so every row's title starts at the same column
    when some rows have a mark); `number_width` is the widest number's digit count.
    """
    lead = f"{number:>{number_width}}. "
    indent = len(lead) + (2 if mark_column else 0)
    room = max(width - indent, MIN_TEXT_WIDTH)
    pad = " " * indent
    title = clean_line(link.title, 300)
    url_line = shorten_url(link.url, room)
    if not title or _bare(title) == _bare(clean_line(link.url, 300)):
        # A link whose words are its address: the address, once. (A title that names
        # another address than the target keeps its URL line: that is how a lure shows.)
        title, url_line = url_line, ""

    row = _RowText()
    if mark_column:
        glyph, style, _ = MARKS[mark] if mark is not None else (" ", "", "")
        row.add(glyph, style)
        row.add(" ")
    row.add(lead, "dim")
    for index, line in enumerate(wrap_words(title, room, TITLE_LINES)):
        if index:
            row.add("\n" + pad)
        row.add(line, "bold")
    teaser = clean_line(link.text, 300) if link.kind == "related" else ""
    for line in wrap_words(teaser, room, TEASER_LINES) if teaser else ():
        row.add("\n" + pad)
        row.add(line, "dim italic")
    if url_line:
        row.add("\n" + pad)
        row.add(url_line, "dim")
    return row.content()


def _bare(url: str) -> str:
    """An address as a person compares two: no scheme, no `www.`, no trailing slash."""
    bare = url.removeprefix("https://").removeprefix("http://").removeprefix("www.")
    return bare.rstrip("/").lower()


def legend(marks: Iterable[Mark]) -> Content:
    """One line saying what the marks shown mean, e.g. `● unread  ✓ read`; empty if none."""
    shown = set(marks)
    row = _RowText()
    for mark, (glyph, style, word) in MARKS.items():
        if mark in shown:
            if row.length:
                row.add("  ")
            row.add(glyph, style)
            row.add(" " + word)
    return row.content()
