"""How the main screen shares its width and height while an article is shown.

Pure arithmetic (no Textual), so the rules are easy to test: the article is the widest pane
whenever one is shown. While the reader is in the reading pane the feeds pane folds away if
the article would otherwise get less than its share of the width; elsewhere (the entries or
feeds pane has focus) the outline/links column gives way instead. When one gives way for the
other they take the same width, so moving between the panes never reflows the article. The
welcome text is laid out the same way, so the first article opened (or a resumed one, at its
remembered scroll offset) does not reflow either.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Focus = Literal["feeds", "entries", "reading", "other"]
Entries = Literal["share", "fit", "title", "hidden"]
"""`share`: a third of the height; `fit`: only the rows it needs (up to a quarter);
`title`: one row, the current entry; `hidden`: not shown (zoom)."""
Sidebar = Literal["side", "below", "hidden"]

NARROW_WIDTH = 100
"""Below this many columns the outline and links go below the article while reading."""
FEEDS_WIDTH = 30
NARROW_FEEDS_WIDTH = 22
ARTICLE_CHROME = 7
"""Columns of the article pane that are not text: border 2, scrollbar 1, padding 2 + 2."""
NARROW_ARTICLE_CHROME = 5
"""The same on a narrow screen, where the padding is 1 + 1."""


def below_height(height: int) -> int:
    """Rows of the outline/links strip under the article on a narrow screen."""
    return max(5, min(10, height // 4))


def article_share(width: int) -> float:
    """The least part of the screen's width the article text gets (narrow: 70 columns)."""
    if width >= 120:
        return 0.60 * width
    if width >= NARROW_WIDTH:
        return 0.55 * width
    return min(70, width - NARROW_ARTICLE_CHROME)


def sidebar_width(width: int) -> int:
    """The outline/links column: about 28 % of the screen, 28 to 40 columns."""
    return max(28, min(40, round(width * 0.28)))


@dataclass(frozen=True, slots=True)
class Arrangement:
    feeds: bool
    feeds_width: int
    entries: Entries
    sidebar: Sidebar
    sidebar_width: int

    def text_width(self, width: int) -> int:
        """The columns of article text this arrangement leaves on a screen `width` wide."""
        chrome = NARROW_ARTICLE_CHROME if width < NARROW_WIDTH else ARTICLE_CHROME
        used = (self.feeds_width if self.feeds else 0) + (
            self.sidebar_width if self.sidebar == "side" else 0
        )
        return width - used - chrome


def arrange(width: int, *, article_shown: bool, focus: Focus, zoomed: bool) -> Arrangement:
    """Which panes show, and how wide, for a screen `width` columns wide."""
    narrow = width < NARROW_WIDTH
    feeds_width = NARROW_FEEDS_WIDTH if narrow else FEEDS_WIDTH
    if zoomed and article_shown:
        return Arrangement(False, feeds_width, "hidden", "hidden", 0)
    reading = focus == "reading"
    if narrow:
        if reading:
            return Arrangement(False, feeds_width, "title", "below", 0)
        return Arrangement(True, feeds_width, "share", "hidden", 0)
    side = sidebar_width(width)
    both = Arrangement(True, FEEDS_WIDTH, "fit" if reading else "share", "side", side)
    if both.text_width(width) >= article_share(width):
        return both  # room for everything
    if reading:
        return Arrangement(False, side, "fit", "side", side)
    # The feeds pane takes the outline column's width: the article keeps its own.
    return Arrangement(True, side, "share", "hidden", side)
