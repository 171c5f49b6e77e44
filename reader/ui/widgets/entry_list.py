"""The entries pane: the selected feed's entries, newest first, unread marked, with dates."""

from __future__ import annotations

import re
from dataclasses import dataclass
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


def entry_prompt(entry: Entry, show_feed: bool = False, snippet: str = "") -> Content:
    marker = Content.from_markup("[$accent]●[/]") if not entry.read else Content(" ")
    star = Content.from_markup("[$warning]★[/]") if entry.starred else Content(" ")
    title = clean_line(entry.title, 300) or "(untitled)"
    body = Content.from_markup(
        "[dim]$date[/]  " + ("[b]$title[/]" if not entry.read else "$title"),
        date=format_date(entry.date),
        title=title,
    )
    if show_feed:
        feed = Content.from_markup(
            "[$text-secondary]$feed[/] ", feed=clean_line(entry.feed_title, 24)
        )
        if entry.also_in:  # before the title, so it is not cut off at the right edge
            names = ", ".join(clean_line(name, 24) for name in entry.also_in[:3])
            feed += Content.from_markup("[dim]also in $names[/] ", names=names)
        prompt = Content.assemble(marker, star, " ", feed, body)
    else:
        prompt = Content.assemble(marker, star, " ", body)
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
    """Entries of one feed (or folder, list, search); the option id is the entry id."""

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

    def show_entries(
        self,
        source_id: str,
        entries: list[Entry],
        select_entry_id: int | None = None,
        many_feeds: bool = False,
        snippets: dict[int, str] | None = None,
    ) -> None:
        same_source = source_id == self.source_id
        previous = self.current_entry.id if same_source and self.current_entry else None
        self.source_id = source_id
        self.all_entries = entries
        self.many_feeds = many_feeds
        self.snippets = snippets or {}
        self._render(select_entry_id if select_entry_id is not None else previous)

    def set_filter(self, entry_filter: EntryFilter) -> None:
        current = self.current_entry
        self.filter = entry_filter
        self._render(current.id if current else None)

    def _render(self, wanted: int | None) -> None:
        now = datetime.now().astimezone()
        entries = self.all_entries
        if self.filter:
            entries = [e for e in entries if self.filter.keep(e, now)]
        self.entries = entries
        self.set_options(
            Option(
                entry_prompt(e, self.many_feeds, self.snippets.get(e.id or -1, "")), id=str(e.id)
            )
            for e in entries
        )
        if entries:
            index = next((i for i, e in enumerate(entries) if e.id == wanted), 0)
            self.highlighted = index
            self.scroll_to_highlight()

    def update_entry(self, entry: Entry) -> None:
        self.all_entries = [entry if e.id == entry.id else e for e in self.all_entries]
        for i, existing in enumerate(self.entries):
            if existing.id == entry.id:
                self.entries[i] = entry
                snippet = self.snippets.get(entry.id or -1, "")
                self.replace_option_prompt(
                    str(entry.id), entry_prompt(entry, self.many_feeds, snippet)
                )
                return

    @property
    def current_entry(self) -> Entry | None:
        if self.highlighted is None or not self.entries:
            return None
        return self.entries[self.highlighted]
