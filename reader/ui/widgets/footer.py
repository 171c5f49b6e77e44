"""The key footer, rebuilt only when the keys it shows change."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer

from reader.ui.compat import footer_bindings_ready


class ReaderFooter(Footer):
    """Textual's `Footer` rebuilds all its keys (about 20 widgets) on every focus change.

    Moving from the entries pane to the article, as Enter does, changes none of the keys it
    shows, and that rebuild was a noticeable share of the time before the article is drawn:
    here it only happens when the keys, their labels or their enabled state change.
    """

    _shown: tuple[tuple[object, ...], ...] | None = None

    def _keys_shown(self) -> tuple[tuple[object, ...], ...]:
        display = self.app.get_key_display
        return tuple(
            (binding.key, display(binding), binding.action, binding.description, enabled, tooltip)
            for _, binding, enabled, tooltip in self.screen.active_bindings.values()
            if binding.show
        )

    def compose(self) -> ComposeResult:
        self._shown = self._keys_shown() if footer_bindings_ready(self) else None
        yield from super().compose()

    def bindings_changed(self, screen: Screen) -> None:
        if (
            self._shown is not None
            and self.is_attached
            and screen is self.screen
            and self._keys_shown() == self._shown
        ):
            return
        super().bindings_changed(screen)
