"""Every key a screen answers to, as the user has it: gathered from the screen, the widgets in
it and the app, with keys remapped in the config (`[keys]`) in force, grouped by where they
work and ordered movement first. The `?` screen and the command palette both read it, so
neither keeps a list of its own that could drift from the bindings.

A widget names its group with a class attribute `HELP_GROUP = "Entries pane"`; without one the
group comes from `DEFAULT_GROUPS` (by class name) or the class name itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from textual.app import App
from textual.binding import Binding, BindingType
from textual.containers import ScrollableContainer
from textual.dom import DOMNode
from textual.keys import key_to_character
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Input, OptionList

from reader.ui.compat import keymap_in_force

DEFAULT_GROUPS: dict[str, str] = {
    "FeedList": "Feeds pane",
    "SourcesPane": "Feeds pane",
    "EntryList": "Entries pane",
    "EntriesPane": "Entries pane",
    "ArticleView": "Article",
    "ReadingPane": "Article",
    "Outline": "Outline",
    "RelatedLinks": "Links pane",
    "SearchBox": "Search box (/)",
    "FindBox": "Find box (ctrl+f)",
}
"""Group names for widgets that do not say their own (`HELP_GROUP`)."""

TEXTUAL_BASES: tuple[type, ...] = (OptionList, ScrollableContainer, Screen, App)
"""Textual classes whose own bindings the user meets in newsreader (list and scroll keys,
Tab). Other Textual bases (Input's editing keys, ...) are left out of the help."""

CATEGORIES: list[tuple[str, list[str]]] = [
    (
        "Moving",
        [
            "focus_next",
            "focus_previous",
            "cursor_up",
            "cursor_down",
            "scroll_up",
            "scroll_down",
            "scroll_left",
            "scroll_right",
            "page_up",
            "page_down",
            "page_left",
            "page_right",
            "first",
            "last",
            "scroll_home",
            "scroll_end",
            "select",
            "toggle_folder",
            "focus_entries",
            "next_unread",
            "previous_unread",
            "next_heading",
            "previous_heading",
            "back",
            "forward",
        ],
    ),
    (
        "Reading",
        [
            "full_article",
            "feed_view",
            "open_in_browser",
            "copy_link",
            "find",
            "find_next",
            "find_previous",
            "search",
            "filter_titles",
        ],
    ),
    (
        "Marking and filtering",
        [
            "toggle_read",
            "toggle_star",
            "mark_all_read",
            "undo",
            "toggle_unread_only",
            "toggle_starred_only",
            "cycle_period",
        ],
    ),
    (
        "Feeds",
        [
            "refresh_feed",
            "refresh_all",
            "add_feed",
            "edit_feed",
            "remove_feed",
            "cycle_full_article",
            "save_search",
            "health",
            "rules",
            "hidden_entries",
            "what_changed",
            "accounts",
        ],
    ),
    ("Podcasts", ["files", "play", "toggle_played", "downloads"]),
    ("More", []),
    ("App", ["help", "command_palette", "copy_text", "quit"]),
]
"""The order of the help: movement first, then reading, marking, feeds, the app. An action
not named here goes under "More"."""

_RANK: dict[str, tuple[int, int]] = {
    action: (c, a) for c, (_, actions) in enumerate(CATEGORIES) for a, action in enumerate(actions)
}
_MORE = next(i for i, (name, _) in enumerate(CATEGORIES) if name == "More")

_KEY_NAMES: dict[str, str] = {
    "question_mark": "?",
    "space": "Space",
    "escape": "Escape",
    "enter": "Enter",
    "tab": "Tab",
    "slash": "/",
    "backslash": "\\",
    "left_square_bracket": "[",
    "right_square_bracket": "]",
    "delete": "Delete",
    "backspace": "Backspace",
    "up": "↑",
    "down": "↓",
    "left": "←",
    "right": "→",
    "home": "Home",
    "end": "End",
    "pageup": "PgUp",
    "pagedown": "PgDn",
}


def key_name(key: str) -> str:
    """How a Textual key name reads to a person: `question_mark` -> `?`, `alt+left` -> `alt+←`."""
    if key == "shift+tab":
        return "Shift+Tab"
    *modifiers, last = key.split("+") if key != "+" else ["+"]
    name = _KEY_NAMES.get(last)
    if name is None:
        character = key_to_character(last) if len(last) > 1 else last
        name = character if character and character.isprintable() else last
    return "+".join([*modifiers, name])


def keys_label(keys: Iterable[str]) -> str:
    """Several keys for one action, separated by spaces."""
    return " ".join(key_name(key) for key in keys)


def bare_action(action: str) -> str:
    """`screen.find_next` -> `find_next`; `dismiss(None)` -> `dismiss`."""
    return action.rpartition(".")[2].partition("(")[0]


@dataclass(slots=True)
class KeyRow:
    """One line of the help: the keys in force, what they do, the id `[keys]` remaps it by."""

    keys: list[str]
    description: str
    binding_id: str | None
    action: str
    namespace: Widget | App[Any]
    """Where the action runs (the palette runs it there)."""
    order: int = 0

    @property
    def rank(self) -> tuple[int, int, int]:
        category, position = _RANK.get(bare_action(self.action), (_MORE, 0))
        return category, position, self.order

    @property
    def category(self) -> str:
        return CATEGORIES[self.rank[0]][0]

    @property
    def label(self) -> str:
        return keys_label(self.keys)


@dataclass(slots=True)
class KeyGroup:
    """The keys of one place (a pane, a box, or everywhere), in help order."""

    title: str
    rows: list[KeyRow] = field(default_factory=list)


def _own_bindings(cls: type) -> list[Binding]:
    """The bindings `cls` itself declares (not inherited), as Binding objects."""
    bindings: list[Binding] = []
    for item in cls.__dict__.get("BINDINGS", []):
        bindings.extend(_as_bindings(item))
    return bindings


def _as_bindings(item: BindingType) -> list[Binding]:
    if isinstance(item, Binding):
        return [item]
    key, action, description = (*tuple(item), "")[:3]
    return [Binding(key, action, description)]


def _shows(cls: type) -> bool:
    """Is `cls` one of ours, or a Textual base whose keys newsreader users meet?"""
    return _ours(cls) or cls in TEXTUAL_BASES


def _ours(cls: type) -> bool:
    return cls.__module__.startswith("reader.")


SKIPPED_ACTIONS = frozenset({"scroll_left", "scroll_right", "page_left", "page_right"})
"""Textual's sideways scrolling: nothing in newsreader is wider than its pane."""

_TEXTUAL_WORDS: dict[str, str] = {
    "focus_next": "Next pane",
    "focus_previous": "Previous pane",
    "cursor_up": "Up",
    "cursor_down": "Down",
    "scroll_up": "Up",
    "scroll_down": "Down",
    "scroll_home": "Top",
    "scroll_end": "Bottom",
    "first": "First",
    "last": "Last",
    "page_up": "Page up",
    "page_down": "Page down",
    "select": "Open the highlighted row",
    "copy_text": "Copy the selected text",
}
"""Plainer words for the Textual bindings that newsreader shows."""

WORDS: dict[str, str] = {
    "focus_entries": "Back to the entries pane (closes search, filter and find first)",
    "next_unread": "Next unread entry, across feeds",
    "previous_unread": "Previous unread entry, across feeds",
    "next_heading": "Next heading in the article",
    "previous_heading": "Previous heading in the article",
    "back": "Back through links read in the reader",
    "forward": "Forward again",
    "toggle_folder": "Fold / unfold the folder",
    "full_article": "Fetch the full article from the page again",
    "feed_view": "Show the feed's own content",
    "open_in_browser": "Open in the browser (entry, page or chosen link)",
    "copy_link": "Copy the link (OSC 52: works over ssh and tmux)",
    "find": "Find in the open article",
    "find_next": "Next match",
    "search": "Full-text search",
    "filter_titles": "Filter titles (@name: by author)",
    "toggle_read": "Toggle read",
    "toggle_star": "Toggle star",
    "mark_all_read": "Mark the whole list read",
    "undo": "Undo mark all",
    "toggle_unread_only": "Unread only",
    "toggle_starred_only": "Starred only",
    "cycle_period": "Today → this week → all",
    "refresh_feed": "Refresh the highlighted feed or folder",
    "refresh_all": "Refresh all feeds (and sync the accounts)",
    "add_feed": "Add a feed (with discovery and a preview)",
    "edit_feed": "Feed settings",
    "remove_feed": "Remove the feed (asks first)",
    "cycle_full_article": "This feed's full-article mode: auto → always → never",
    "save_search": "Save the search as a virtual feed",
    "health": "Feed health",
    "rules": "Rules: edit, with a dry run before saving",
    "hidden_entries": "Entries rules hid: why, and restore",
    "what_changed": "What changed in an updated story (versions)",
    "accounts": "Sync accounts: last sync, failures, their feeds",
    "help": "Every key (this screen)",
    "quit": "Quit (remembering where you were)",
}
"""What an action does, in the help's words, for a binding without a tooltip of its own."""


def class_bindings(cls: type, ours_only: bool = False) -> list[tuple[Binding, bool]]:
    """The bindings of `cls` along its MRO (a subclass's binding of a key replaces the
    base's, as Textual merges them), limited to the classes `_shows` accepts (or to
    newsreader's own); each with whether newsreader declared it (its words win)."""
    by_key: dict[str, tuple[Binding, bool]] = {}
    for base in reversed(cls.__mro__):
        if not isinstance(base, type) or not issubclass(base, DOMNode):
            continue
        if not (_ours(base) if ours_only else _shows(base)):
            continue
        for binding in _own_bindings(base):
            for key in binding.key.split(","):
                by_key[key.strip()] = (binding, _ours(base))
    unique: list[tuple[Binding, bool]] = []
    for item in by_key.values():
        if item not in unique:
            unique.append(item)
    return unique


def _effective_keys(binding: Binding, keymap: Mapping[str, str]) -> list[str]:
    """The binding's keys, or the ones `[keys]` gave its id instead."""
    keys = keymap[binding.id] if binding.id and binding.id in keymap else binding.key
    return [key.strip() for key in keys.split(",") if key.strip()]


def _rows_of(
    node: Widget | App[Any],
    keymap: Mapping[str, str],
    start: int,
    taken: frozenset[str] = frozenset(),
) -> list[KeyRow]:
    """The rows of one node: bindings with the same action and id become one row."""
    rows: list[KeyRow] = []
    # Textual's own keys count where the user can focus the widget, and not in text boxes
    # (whose editing keys are the terminal's usual ones).
    ours_only = isinstance(node, Input) or not (
        isinstance(node, (Screen, App)) or getattr(node, "can_focus", False)
    )
    for order, (binding, ours) in enumerate(class_bindings(type(node), ours_only), start):
        if binding.system and not binding.description:
            continue
        keys = [k for k in _effective_keys(binding, keymap) if k not in taken]
        if not keys:
            continue
        action = bare_action(binding.action)
        if action in SKIPPED_ACTIONS:
            continue
        description = binding.tooltip or WORDS.get(action) or binding.description or action
        if not ours:
            description = _TEXTUAL_WORDS.get(action, description)
        same = next(
            (r for r in rows if bare_action(r.action) == action and r.binding_id == binding.id),
            None,
        )
        if same is None:
            rows.append(KeyRow(keys, description, binding.id, binding.action, node, order))
            continue
        same.keys.extend(k for k in keys if k not in same.keys)
        if ours:
            same.description = description
    return rows


def group_name(node: Widget) -> str:
    """The help group a widget's keys go under."""
    named = getattr(type(node), "HELP_GROUP", None)
    if isinstance(named, str) and named:
        return named
    for cls in type(node).__mro__:
        if cls.__name__ in DEFAULT_GROUPS:
            return DEFAULT_GROUPS[cls.__name__]
    return type(node).__name__


def gather(screen: Screen[Any]) -> list[KeyGroup]:
    """Every key of `screen`, its widgets and its app, grouped and ordered for the help.

    The screen's and the app's keys work everywhere, so they are split by category
    ("Moving", "Reading", ...); each widget's keys form the group of its pane, placed after
    "Moving", and keys several panes share the same way are listed once, under all their
    names. Keys the app takes first (priority bindings such as ctrl+c) are not listed again
    under a pane they never reach."""
    app = screen.app
    keymap = keymap_in_force(app)
    app_rows = _rows_of(app, keymap, 10_000)
    if app.ENABLE_COMMAND_PALETTE and not any(
        bare_action(r.action) == "command_palette" for r in app_rows
    ):
        app_rows.append(
            KeyRow(
                [app.COMMAND_PALETTE_BINDING],
                "Command palette: every action, and go to any feed or folder",
                None,
                "app.command_palette",
                app,
                20_000,
            )
        )
    taken = frozenset(key for row in app_rows for key in row.keys if _is_priority(app, key))
    everywhere = _rows_of(screen, keymap, 0, taken) + app_rows

    panes: dict[str, KeyGroup] = {}
    boxes: dict[str, KeyGroup] = {}
    for node in screen.walk_children(Widget, with_self=False):
        rows = _rows_of(node, keymap, 0, taken)
        if not rows:
            continue
        name = group_name(node)
        words = {**GROUP_WORDS.get(name, {}), **getattr(type(node), "HELP_WORDS", {})}
        for row in rows:
            row.description = words.get(bare_action(row.action), row.description)
        target = boxes if isinstance(node, Input) else panes
        group = target.setdefault(name, KeyGroup(name))
        for row in rows:
            if not any(r.label == row.label and r.action == row.action for r in group.rows):
                group.rows.append(row)

    by_category: dict[str, KeyGroup] = {}
    for row in sorted(everywhere, key=lambda r: r.rank):
        by_category.setdefault(row.category, KeyGroup(row.category)).rows.append(row)
    groups: list[KeyGroup] = []
    if "Moving" in by_category:
        groups.append(by_category.pop("Moving"))
    for group in [*panes.values(), *boxes.values()]:
        group.rows.sort(key=lambda r: r.rank)
    groups.extend(_shared(list(panes.values())))
    groups.extend(_shared(list(boxes.values())))
    groups.extend(by_category.values())
    return groups


GROUP_WORDS: dict[str, dict[str, str]] = {
    "Feeds pane": {"select": "List its entries"},
    "Entries pane": {"select": "Read the entry"},
    "Outline": {"select": "Scroll to the heading"},
    "Links pane": {"select": "Read the link here"},
}
"""What a Textual action means in each pane (a widget's `HELP_WORDS` says it itself)."""


def _shared(groups: list[KeyGroup]) -> list[KeyGroup]:
    """Rows that several groups have alike move to one group named after all of them,
    placed before the first of them; each group keeps the rest."""

    def shape(row: KeyRow) -> tuple[str, str, str | None]:
        return (row.label, row.description, row.binding_id)

    owners: dict[tuple[str, str, str | None], list[str]] = {}
    for group in groups:
        for row in group.rows:
            owners.setdefault(shape(row), []).append(group.title)
    result: list[KeyGroup] = []
    made: dict[str, KeyGroup] = {}
    for group in groups:
        own = KeyGroup(group.title)
        for row in group.rows:
            names = owners[shape(row)]
            if len(names) == 1:
                own.rows.append(row)
                continue
            every = len(names) == len(groups) > 2
            title = "Every pane" if every else " · ".join(names)
            if title not in made:
                made[title] = KeyGroup(title)
                result.append(made[title])
            if names[0] == group.title:
                made[title].rows.append(row)
        if own.rows:
            result.append(own)
    return result


def _is_priority(app: App[Any], key: str) -> bool:
    return any(
        b.priority and key in _effective_keys(b, keymap_in_force(app))
        for b, _ in class_bindings(type(app))
    )


def keys_by_action(groups: list[KeyGroup]) -> dict[str, str]:
    """Action name -> the keys that run it (the first place that binds it wins)."""
    found: dict[str, str] = {}
    for group in groups:
        for row in group.rows:
            found.setdefault(bare_action(row.action), row.label)
    return found
