"""The entries pane: the selected feed's entries, newest first, unread marked, with dates."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from textual.binding import Binding
from textual.content import Content
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from reader.models import Entry
from reader.text import clean_line, strip_controls

_SPACES = re.compile(r"\s+")


DATE_FORMAT = "%Y-%m-%d"
"""strftime format for entry dates (the config's date_format replaces it at start)."""


def format_date(when: datetime | None, now: datetime | None = None) -> str:
    """A short local date: the time for today, else the date in the configured format."""
    width = len(datetime(2000, 12, 28).strftime(DATE_FORMAT))
    if when is None:
        return " " * width
    local = when.astimezone()
    now = (now or datetime.now().astimezone()).astimezone()
    if local.date() == now.date():
        return local.strftime("%H:%M").ljust(width)
    return local.strftime(DATE_FORMAT).ljust(width)


def _inline(text: str) -> str:
    """A piece of a line: controls gone, whitespace collapsed, but edge spaces kept."""
    return _SPACES.sub(" ", strip_controls(text))[:400]


def snippet_content(snippet: str) -> Content:
    """A search snippet with its matches (between U+E000 and U+E001) highlighted."""
    parts: list[Content] = [Content("     ")]
    for i, piece in enumerate(snippet.split("\ue000")):
        match, _, rest = piece.partition("\ue001") if i else ("", "", piece)
        if match:
            parts.append(Content.from_markup("[b $accent]$m[/]", m=_inline(match)))
        parts.append(Content.from_markup("[dim]$t[/]", t=_inline(rest)))
    return Content.assemble(*parts)


FEED_COLUMN = 12
"""Characters of the feed's name shown after the title in lists across feeds, at least."""
NARROW_FEED_COLUMN = 8
TITLE_ROOM = 30
"""On a narrow pane the feed column shrinks so titles get this many cells where they can."""
_HEAD = 3 + 10 + 2
"""Cells before the title: marks, the date, the gap (a longer date format only narrows the
feed column's growth)."""


def feed_column(entries: list[Entry], width: int | None) -> int:
    """How wide the feed column of a list across feeds is: FEED_COLUMN, or wider (up to the
    longest feed name) where every title still fits beside it, so "Signal Desk" and "Signal
    Desk (full text)" stay apart when there is room. Titles come first."""
    if width is None or not entries:
        return FEED_COLUMN
    longest = max(len(clean_line(e.feed_title, 200)) for e in entries)
    title = max(len(clean_line(e.title, 300)) for e in entries)
    spare = width - _HEAD - title - 2 - 3
    if spare >= FEED_COLUMN:
        return min(longest, spare) if longest > FEED_COLUMN else FEED_COLUMN
    # A narrow pane: the column gives way (down to NARROW_FEED_COLUMN) so titles keep
    # TITLE_ROOM cells.
    return max(NARROW_FEED_COLUMN, min(FEED_COLUMN, width - _HEAD - 2 - 3 - TITLE_ROOM))


def entry_prompt(
    entry: Entry,
    show_feed: bool = False,
    snippet: str = "",
    width: int | None = None,
    feed_width: int = FEED_COLUMN,
) -> Content:
    """● unread, ★ starred, the date, "↻ updated" for a story that changed after it was
    read, the title; across feeds the title comes first and then a short feed column,
    with `+N` for the other feeds carrying the same story (their names are in the article
    header). With `width` (the row's cells) the title is cut so the feed column always
    shows."""
    marker = Content.from_markup("[$accent]●[/]") if not entry.read else Content(" ")
    star = Content.from_markup("[$warning]★[/]") if entry.starred else Content(" ")
    title = Content.from_markup(
        "[b]$title[/]" if not entry.read else "$title",
        title=clean_line(entry.title, 300) or "(untitled)",
    )
    head = Content.assemble(
        marker, star, " ", Content.from_markup("[dim]$date[/]  ", date=format_date(entry.date))
    )
    if entry.story_updated:
        # A story whose text changed after it was read (its earlier text is kept: C shows it).
        head += Content.from_markup("[$secondary]↻ updated[/] ")
    if show_feed:
        feed = clean_line(entry.feed_title, 200)
        if len(feed) > feed_width:
            feed = feed[: feed_width - 1] + "…"
        column = Content.from_markup("  [$text-secondary]$feed[/]", feed=feed)
        if entry.also_in:
            column += Content.from_markup(" [dim]+$n[/]", n=str(len(entry.also_in)))
        if width is not None:
            room = width - head.cell_length - feed_width - 2 - 3
            if room >= 12:
                title = title.truncate(room, ellipsis=True, pad=True)
        prompt = head + title + column
    else:
        prompt = head + title
    if snippet:
        prompt = prompt + Content("\n") + snippet_content(snippet)
    return prompt


@dataclass(frozen=True, slots=True)
class EntryFilter:
    """Quick filters on the listed entries: words in the title (`@name` for an author),
    a period (all, today, this week) and starred only."""

    text: str = ""
    period: str = "all"
    starred: bool = False

    PERIODS = ("all", "today", "week")

    def __bool__(self) -> bool:
        return bool(self.text.strip()) or self.period != "all" or self.starred

    def marks(self) -> list[str]:
        """Short words for a pane title: starred only, the period, the text."""
        parts = []
        if self.starred:
            parts.append("starred only")
        if self.period != "all":
            parts.append({"today": "today", "week": "this week"}[self.period])
        if self.text.strip():
            parts.append(f"\\ {clean_line(self.text, 30)}")
        return parts

    def describe(self) -> str:
        parts = []
        if self.text.strip():
            parts.append(f"“{clean_line(self.text, 30)}”")
        if self.period != "all":
            parts.append({"today": "today", "week": "this week"}[self.period])
        if self.starred:
            parts.append("starred")
        return ", ".join(parts)

    def keep(self, entry: Entry, now: datetime) -> bool:
        if self.starred and not entry.starred:
            return False
        if self.period != "all":
            when = entry.date
            if when is None:
                return False
            days = 1 if self.period == "today" else 7
            local_now = now.astimezone()
            start = local_now.replace(hour=0, minute=0, second=0, microsecond=0)
            if when.astimezone() < start - timedelta(days=days - 1):
                return False
        for word in self.text.casefold().split():
            if word.startswith("@"):
                if word[1:] not in entry.author.casefold():
                    return False
            elif word not in entry.title.casefold():
                return False
        return True


class EntryList(OptionList):
    """Entries of one feed (or folder, list, search); the option id is the entry id.

    An empty list shows `empty_text` (why it is empty and what to do) as a disabled row.
    The cursor stops at either end instead of wrapping round."""

    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.all_entries: list[Entry] = []
        self.entries: list[Entry] = []
        """The entries shown: all_entries through the quick filter."""
        self.filter = EntryFilter()
        self.source_id: str | None = None
        self.many_feeds = False
        self.snippets: dict[int, str] = {}
        self.empty_text = "Nothing here."

    def show_entries(
        self,
        source_id: str,
        entries: list[Entry],
        select_entry_id: int | None = None,
        many_feeds: bool = False,
        snippets: dict[int, str] | None = None,
        empty_text: str | None = None,
    ) -> None:
        if empty_text is not None:
            self.empty_text = empty_text
        same_source = source_id == self.source_id
        previous = self.current_entry.id if same_source and self.current_entry else None
        self.source_id = source_id
        self.all_entries = entries
        self.many_feeds = many_feeds
        self.snippets = snippets or {}
        self._show(select_entry_id if select_entry_id is not None else previous)

    def set_filter(self, entry_filter: EntryFilter, empty_text: str | None = None) -> None:
        current = self.current_entry
        self.filter = entry_filter
        if empty_text is not None:
            self.empty_text = empty_text
        self._show(current.id if current else None)

    def _show(self, wanted: int | None) -> None:
        now = datetime.now().astimezone()
        entries = self.all_entries
        if self.filter:
            entries = [e for e in entries if self.filter.keep(e, now)]
        self.entries = entries
        width = self._shown_width = self._row_width()
        feeds = self._feed_width = feed_column(entries, width)
        self.set_options(
            Option(
                entry_prompt(e, self.many_feeds, self.snippets.get(e.id or -1, ""), width, feeds),
                id=str(e.id),
            )
            for e in entries
        )
        if not entries:
            self.add_option(Option(Content(self.empty_text), disabled=True))
        if entries:
            index = next((i for i, e in enumerate(entries) if e.id == wanted), 0)
            self.highlighted = index
            self.scroll_to_highlight()

    def update_entry(self, entry: Entry) -> None:
        """Redraw an entry whose read or starred state changed; the list's merging of
        copies (`also_in`) stays, as the store's single entry does not carry it."""
        old = next((e for e in self.all_entries if e.id == entry.id), None)
        if old is not None and old.also_in and not entry.also_in:
            entry = replace(entry, also_in=old.also_in)
        self.all_entries = [entry if e.id == entry.id else e for e in self.all_entries]
        for i, existing in enumerate(self.entries):
            if existing.id == entry.id:
                self.entries[i] = entry
                snippet = self.snippets.get(entry.id or -1, "")
                self.replace_option_prompt(
                    str(entry.id),
                    entry_prompt(
                        entry, self.many_feeds, snippet, self._row_width(), self._feed_width
                    ),
                )
                return

    def _row_width(self) -> int | None:
        """Cells a row has (None before the first layout). The scrollbar's column is kept
        free even before it shows: it appears after the rows are laid out (a longer list),
        and no resize says so."""
        padding = self.get_component_styles("option-list--option").padding.width
        scrollbar = self.styles.scrollbar_size_vertical
        width = self.content_region.width - padding - scrollbar
        return width if width > 0 else None

    _shown_width: int | None = None
    _feed_width: int = FEED_COLUMN

    def on_resize(self) -> None:
        """Rows across feeds are laid out for the width: lay them out again."""
        width = self._row_width()
        if self.many_feeds and width != self._shown_width and self.all_entries:
            current = self.current_entry
            self._show(current.id if current else None)

    @property
    def lines_needed(self) -> int:
        """Lines the rows take: one an entry, two with a search snippet (one: empty)."""
        if not self.entries:
            return 1
        snippets = self.snippets
        return len(self.entries) + sum(1 for e in self.entries if snippets.get(e.id or -1))

    @property
    def current_lines(self) -> int:
        """Lines the highlighted row takes (two with a search snippet)."""
        entry = self.current_entry
        return 2 if entry is not None and self.snippets.get(entry.id or -1) else 1

    @property
    def current_entry(self) -> Entry | None:
        if self.highlighted is None or not 0 <= self.highlighted < len(self.entries):
            return None
        return self.entries[self.highlighted]

    def _step(self, direction: int) -> None:
        index = self.highlighted
        if index is None:
            return
        index += direction
        if 0 <= index < len(self.entries):
            self.highlighted = index

    def action_cursor_down(self) -> None:
        self._step(+1)

    def action_cursor_up(self) -> None:
        self._step(-1)
