"""Command palette (ctrl+p): every action of the main screen, each with the key that runs it
(the common ones under names of their own, the rest by their help line),
"go to" any feed or folder, and Textual's system commands (Quit, Keys, Theme...) with their
keys. Titles from feeds are plain text (Content), never markup; help lines are this
module's own words (the palette parses them as markup)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content
from textual.fuzzy import Matcher
from textual.screen import Screen
from textual.widget import Widget

from reader.text import clean_line
from reader.ui.bindings import CATEGORIES, KeyRow, bare_action, gather, keys_label

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
    ("rules: edit rules", "rules", "Hide, mark, star or list entries by rule, with a dry run"),
    ("rules: hidden entries", "hidden_entries", "What rules hid, why, and restoring them"),
    ("article: what changed", "what_changed", "The word-level diff of an updated story"),
    ("feeds: sync accounts", "accounts", "Each account's last sync, failure and feeds"),
    ("help: keys", "help", "Every key binding"),
]


_NOT_LISTED = frozenset({"command_palette", "quit", "help"})
"""Keys the palette has already (Textual's system commands) or that open it."""

_CATEGORY_NAMES = frozenset(name for name, _ in CATEGORIES)
_PREFIXES = {"Marking and filtering": "entries", "Entries pane": "entries", "Feeds pane": "feeds"}
"""A palette title starts with where its action works, as the named ones do."""


class ReaderCommands(Provider):
    """Actions by name, and every feed and folder as a "go to" target."""

    @property
    def main(self) -> MainScreen | None:
        from reader.ui.screens.main import MainScreen

        return next((s for s in self.app.screen_stack if isinstance(s, MainScreen)), None)

    def _targets(self) -> list[Target]:
        main = self.main
        if main is None:
            return []
        # Run each action where its binding lives (the screen or a pane), with its keys.
        bound = {bare_action(row.action): row for group in gather(main) for row in group.rows}
        targets: list[Target] = []
        for title, action, help in ACTIONS:
            row = bound.get(action)
            if row is None:
                targets.append(Target(title, partial(main.run_action, action), help))
            else:
                run = partial(row.namespace.run_action, row.action)
                targets.append(Target(title, run, help, row.label))
        # Every other key of the screen and its panes (star, read, files, zoom...), by its
        # help line; moving around is what keys are for, not the palette, and a box's keys
        # (search, find, hints) work only in their box.
        named = {action for _, action, _ in ACTIONS} | _NOT_LISTED
        for group in gather(main):
            for row in group.rows:
                action = bare_action(row.action)
                shown = not isinstance(row.namespace, Widget) or row.namespace.display
                if action in named or row.category == "Moving" or not shown:
                    continue
                named.add(action)
                place = group.title if group.title not in _CATEGORY_NAMES else row.category
                place = _PREFIXES.get(place, place.lower())
                title = f"{place}: {row.description[:1].lower()}{row.description[1:]}"
                words = [word for word in action.split("_") if len(word) > 3]
                if not any(word in title.lower() for word in words):
                    # Found by its name too ("zoom", "cycle period"), where its help line
                    # shares no word with it.
                    title += f" ({action.replace('_', ' ')})"
                run = partial(row.namespace.run_action, row.action)
                targets.append(Target(title, run, "", row.label))
        for source in main.feed_list.option_rows:
            kind = {"feed": "go to feed", "folder": "go to folder", "virtual": "go to"}.get(
                source.kind, "go to"
            )
            title = f"{kind}: {clean_line(source.title, 80)}"
            targets.append(Target(title, partial(main.go_to_source, source.id), "Show its entries"))
        return targets

    async def discover(self) -> Hits:
        for target in self._targets():
            yield DiscoveryHit(
                target.display(Content(target.title)),
                target.run,
                text=target.title,
                help=target.help,
            )

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for target in self._targets():
            score = matcher.match(target.title)
            if score > 0:
                shown = target.display(_highlight(matcher, target.title))
                yield Hit(score, shown, target.run, text=target.title, help=target.help)


class SystemCommands(Provider):
    """Textual's system commands, each with the keys that run it where it has any; Keys
    opens newsreader's own list of every key (`?`) where the screen has one."""

    def _targets(self) -> list[tuple[Target, bool]]:
        screen = self.screen
        rows = _rows_by_action(screen)
        targets: list[tuple[Target, bool]] = []
        for title, help, callback, discover in self.app.get_system_commands(screen):
            action = bare_action(getattr(callback, "__name__", "")).removeprefix("action_")
            if action == "show_help_panel" and "help" in rows:
                row = rows["help"][0]
                callback = partial(row.namespace.run_action, row.action)
                help = "Every key, grouped by pane, with its id for [keys]"
                action = "help"
            keys = keys_label(_all_keys(rows[action])) if action in rows else ""
            targets.append((Target(title, callback, help, keys), discover))
        return sorted(targets, key=lambda item: item[0].title)

    async def discover(self) -> Hits:
        for target, discover in self._targets():
            if discover:
                shown = target.display(Content(target.title))
                yield DiscoveryHit(shown, target.run, text=target.title, help=target.help)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for target, _ in self._targets():
            score = matcher.match(target.title)
            if score > 0:
                shown = target.display(_highlight(matcher, target.title))
                yield Hit(score, shown, target.run, text=target.title, help=target.help)


def _rows_by_action(screen: Screen[object]) -> dict[str, list[KeyRow]]:
    """Every binding row of `screen` (its widgets and the app), by bare action name."""
    found: dict[str, list[KeyRow]] = {}
    for group in gather(screen):
        for row in group.rows:
            found.setdefault(bare_action(row.action), []).append(row)
    return found


def _all_keys(rows: list[KeyRow]) -> list[str]:
    """The keys of every row for one action (Quit: q on the screen, ctrl+c on the app)."""
    keys: list[str] = []
    for row in rows:
        keys.extend(key for key in row.keys if key not in keys)
    return keys


@dataclass(frozen=True, slots=True)
class Target:
    """One palette entry: plain-text title, what it runs, constant help, the keys if bound."""

    title: str
    run: Callable[[], object]
    help: str
    keys: str = ""

    def display(self, title: Content) -> Content:
        """The title, then its keys (`mark all read  A`)."""
        if not self.keys:
            return title
        return Content.assemble(title, "  ", (self.keys, "bold $accent"))


def _highlight(matcher: Matcher, title: str) -> Content:
    """Like Matcher.highlight, but the title is plain text: Matcher.highlight parses its
    candidate as markup, and feed titles come from strangers."""
    content = Content(title)
    _score, offsets = matcher.fuzzy_search.match(matcher.query, title)
    for offset in offsets:
        if not title[offset].isspace():
            content = content.stylize(matcher.match_style, offset, offset + 1)
    return content
