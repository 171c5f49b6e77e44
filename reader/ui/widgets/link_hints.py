"""Link hints: a number beside every link in the visible article text, typed to follow it.

The numbers are those of the related-links pane (related links first, then the links in
the text), so a link found in the pane can be followed by its number too.
"""

from __future__ import annotations

from textual.binding import Binding
from textual.content import Content
from textual.message import Message
from textual.widgets import Input

from reader.ui.compat import content_links


def with_hints(content: Content, numbers: dict[str, int]) -> tuple[Content, list[int]]:
    """The block's text with `[n]` after each link whose href has a number, and the
    numbers shown. The text itself is untouched (it stays Content, never markup)."""
    pieces: list[Content] = []
    shown: list[int] = []
    last = 0
    for _start, end, href in content_links(content):
        number = numbers.get(href)
        if number is None:
            continue
        pieces.append(content[last:end])
        pieces.append(Content.styled(f"[{number}]", "bold reverse $accent"))
        shown.append(number)
        last = end
    if not shown:
        return content, []
    pieces.append(content[last:])
    return Content.assemble(*pieces), shown


def is_complete(typed: str, count: int) -> bool:
    """Whether `typed` can only mean one link of `count`: no longer number starts with it."""
    if not typed.isdigit():
        return False
    number = int(typed)
    return 1 <= number <= count and number * 10 > count


class HintBox(Input):
    """Where the link's number is typed while the hints show; Escape cancels."""

    BINDINGS = [Binding("escape", "cancel", "Cancel link hints", show=False)]

    class Cancelled(Message):
        """Escape, or the box lost focus."""

    def __init__(self, *, id: str | None = None, placeholder: str = "") -> None:
        super().__init__(id=id, placeholder=placeholder, restrict=r"[0-9]*", max_length=4)

    def action_cancel(self) -> None:
        self.post_message(self.Cancelled())

    def on_blur(self) -> None:
        if self.display:
            self.post_message(self.Cancelled())
