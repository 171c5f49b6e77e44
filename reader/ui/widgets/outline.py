"""The outline pane: the article's section headings, indented by level; Enter jumps there."""

from __future__ import annotations

from textual.binding import Binding
from textual.content import Content
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.markdown import TableOfContentsType
from textual.widgets.option_list import Option

from reader.text import clean_line


class Outline(OptionList):
    """Headings h1-h4 of the open article (deeper levels are left out to stay readable)."""

    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
    ]
    MAX_LEVEL = 4

    class HeadingSelected(Message):
        """The user chose a heading; `block_id` is the Markdown block to scroll to."""

        def __init__(self, block_id: str) -> None:
            super().__init__()
            self.block_id = block_id

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.headings: list[tuple[int, str, str]] = []

    def show_headings(self, toc: TableOfContentsType) -> None:
        headings = [
            (level, clean_line(text), block_id or "")
            for level, text, block_id in toc
            if level <= self.MAX_LEVEL and block_id
        ]
        if headings == self.headings and self.option_count == len(headings):
            return  # the same outline again: keep the cursor, skip a redraw
        self.headings = headings
        top = min((level for level, _, _ in self.headings), default=1)
        self.set_options(
            Option(Content("  " * (level - top) + text), id=block_id)
            for level, text, block_id in self.headings
        )
        self.border_subtitle = str(len(self.headings)) if self.headings else ""

    def mark_current(self, block_id: str | None) -> None:
        """Highlight the heading being read (the cursor follows the article's scroll)."""
        if self.has_focus:
            return  # the user is choosing; do not move the cursor under them
        for index, (_, _, heading_id) in enumerate(self.headings):
            if heading_id == block_id:
                self.highlighted = index
                return
        self.highlighted = None

    def on_focus(self) -> None:
        """Arriving by Tab, the cursor is on something Enter can act on."""
        if self.highlighted is None and self.option_count:
            self.action_first()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id:
            self.post_message(self.HeadingSelected(event.option.id))
