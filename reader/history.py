"""Back / forward through what the article pane showed, like a browser's history.

A plain class (no Textual) so it is easy to test; the screen keeps one and records the
scroll position of each place so going back returns exactly where the reader was.
"""

from __future__ import annotations

from dataclasses import dataclass, replace


@dataclass(frozen=True, slots=True)
class Place:
    """One thing the article pane can show."""

    url: str
    """The page (or the entry's link)."""
    entry_id: int | None = None
    """The feed entry shown, when it is one; None for a page reached by a link."""
    view: str = "feed"
    """`feed`: the entry's own content; `page`: the article extracted from `url`."""
    scroll_y: float = 0.0
    found_on: str = ""
    """The page or feed a link was followed from ("" when opened directly)."""

    def at(self, scroll_y: float) -> Place:
        return replace(self, scroll_y=scroll_y)

    @property
    def key(self) -> str:
        """Where this place's reading position is remembered: the entry, else the page."""
        if self.view == "feed" and self.entry_id is not None:
            return f"entry:{self.entry_id}"
        return f"page:{self.url}"


class History:
    """Places behind and ahead of the current one, bounded."""

    def __init__(self, limit: int = 100) -> None:
        self.limit = limit
        self._back: list[Place] = []
        self._forward: list[Place] = []

    def clear(self) -> None:
        self._back.clear()
        self._forward.clear()

    def visit(self, current: Place | None) -> None:
        """Leaving `current` for somewhere new: it goes behind; what was ahead is dropped."""
        if current is not None:
            self._back.append(current)
            del self._back[: -self.limit]
        self._forward.clear()

    def back(self, current: Place) -> Place | None:
        if not self._back:
            return None
        self._forward.append(current)
        return self._back.pop()

    def forward(self, current: Place) -> Place | None:
        if not self._forward:
            return None
        self._back.append(current)
        return self._forward.pop()

    @property
    def can_go_back(self) -> bool:
        return bool(self._back)

    @property
    def can_go_forward(self) -> bool:
        return bool(self._forward)
