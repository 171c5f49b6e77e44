"""The `?` screen: every key binding in force, grouped by where it works."""

from __future__ import annotations

from collections.abc import Mapping

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from reader.ui.widgets.article_view import ArticleView

GENERAL: list[tuple[str, str]] = [
    ("Tab / Shift+Tab", "next / previous pane"),
    ("↑ ↓  j k", "move (scroll in the article)"),
    ("Enter", "feed → its entries; entry → read it; heading → jump; link → open"),
    ("Escape", "back to the entries pane"),
    ("ctrl+p", "command palette"),
]


def _key_label(binding: Binding, keymap: Mapping[str, str] | None = None) -> str:
    """The keys in force: the user's keymap (config [keys]) wins over the default."""
    key = (keymap or {}).get(binding.id or "", binding.key)
    keys = [k.strip() for k in key.split(",")]
    pretty = {
        "question_mark": "?",
        "space": "Space",
        "escape": "Escape",
        "slash": "/",
        "backslash": "\\",
        "left_square_bracket": "[",
        "right_square_bracket": "]",
        "delete": "Delete",
        "backspace": "Backspace",
    }
    return " ".join(pretty.get(k, k) for k in keys)


def binding_rows(
    groups: list[tuple[str, list[BindingType]]], keymap: Mapping[str, str] | None = None
) -> Content:
    """One line per binding: keys, then what they do."""
    lines: list[Content] = []
    for title, bindings in groups:
        lines.append(Content.from_markup("\n[b $primary]$title[/]", title=title))
        for binding in bindings:
            if not isinstance(binding, Binding) or not binding.description:
                continue
            lines.append(
                Content.from_markup(
                    "  [b]$keys[/]  $what",
                    keys=_key_label(binding, keymap).ljust(16),
                    what=binding.tooltip or binding.description,
                )
            )
    return Content("\n").join(lines)


class HelpScreen(ModalScreen[None]):
    """Lists the bindings of the main screen and its panes."""

    BINDINGS = [
        Binding("escape,q,question_mark", "dismiss", "Close", show=False),
    ]

    def __init__(self, screen_bindings: list[BindingType]) -> None:
        super().__init__()
        self.screen_bindings = screen_bindings

    def compose(self) -> ComposeResult:
        general = Content.from_markup("[b $primary]Everywhere[/]\n") + Content("\n").join(
            Content.from_markup("  [b]$keys[/]  $what", keys=keys.ljust(16), what=what)
            for keys, what in GENERAL
        )
        article = list(ArticleView.BINDINGS)
        with VerticalScroll(id="help-body") as body:
            body.border_title = "Keys"
            body.border_subtitle = "Escape closes"
            yield Static(general)
            keymap = self.app._keymap  # the keys in force, remapped ones included
            yield Static(
                binding_rows([("Reader", self.screen_bindings), ("Article pane", article)], keymap)
            )
