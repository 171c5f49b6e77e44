"""Command palette (ctrl+p): every action of the main screen, and "go to" any feed or folder."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content
from textual.fuzzy import Matcher

from reader.text import clean_line

if TYPE_CHECKING:
    from reader.ui.screens.main import MainScreen

ACTIONS: list[tuple[str, str, str]] = [
    ("feeds: refresh all", "refresh_all", "Fetch every feed now"),
    ("feeds: refresh highlighted", "refresh_feed", "The highlighted feed or folder"),
    ("feeds: add", "add_feed", "Subscribe to a feed or a page that offers one"),
    ("feeds: settings", "edit_feed", "Rename, move, change URL, mode, pause"),
    ("feeds: remove", "remove_feed", "Unsubscribe from the highlighted feed"),
    ("feeds: full-article mode", "cycle_full_article", "auto / always / never"),
    ("entries: mark all read", "mark_all_read", "Every entry of the list on screen"),
    ("entries: undo mark all", "undo", "Undo the last mark-all"),
    ("entries: unread only", "toggle_unread_only", "Show only unread entries"),
    ("entries: next unread", "next_unread", "Across feeds"),
    ("entries: previous unread", "previous_unread", "Across feeds"),
    ("entries: search", "search", "Full-text search"),
    ("article: full article", "full_article", "Fetch the page and read it in reader mode"),
    ("article: feed's own content", "feed_view", "Show what the feed gave"),
    ("article: back", "back", "Back through links read in the reader"),
    ("article: forward", "forward", "Forward again"),
    ("article: open in browser", "open_in_browser", "The entry, page or link"),
    ("article: copy link", "copy_link", "To the clipboard (OSC 52)"),
    ("feeds: health", "health", "How each feed has been doing, with advice"),
    ("help: keys", "help", "Every key binding"),
]


class ReaderCommands(Provider):
    """Actions by name, and every feed and folder as a "go to" target."""

    @property
    def main(self) -> MainScreen | None:
        from reader.ui.screens.main import MainScreen

        return next((s for s in self.app.screen_stack if isinstance(s, MainScreen)), None)

    def _targets(self) -> list[tuple[str, Callable[[], object], str]]:
        main = self.main
        if main is None:
            return []
        targets: list[tuple[str, Callable[[], object], str]] = [
            (title, partial(main.run_action, action), help) for title, action, help in ACTIONS
        ]
        for row in main.feed_list.option_rows:
            kind = {"feed": "go to feed", "folder": "go to folder", "virtual": "go to"}[row.kind]
            title = f"{kind}: {clean_line(row.title, 80)}"
            targets.append((title, partial(main.go_to_source, row.id), "Show its entries"))
        return targets

    async def discover(self) -> Hits:
        for title, callback, help in self._targets():
            yield DiscoveryHit(Content(title), callback, help=help)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, callback, help in self._targets():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, _highlight(matcher, title), callback, help=help)


def _highlight(matcher: Matcher, title: str) -> Content:
    """Like Matcher.highlight, but the title is plain text: Matcher.highlight parses its
    candidate as markup, and feed titles come from strangers."""
    content = Content(title)
    _score, offsets = matcher.fuzzy_search.match(matcher.query, title)
    for offset in offsets:
        if not title[offset].isspace():
            content = content.stylize(matcher.match_style, offset, offset + 1)
    return content
