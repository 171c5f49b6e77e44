"""The Textual application: styles, title, and the main screen. The wiring lives in the screen."""

from __future__ import annotations

import gc

import httpx
from textual import events
from textual.app import App
from textual.binding import Binding
from textual.screen import Screen
from textual.theme import Theme

from reader import __version__
from reader.config import Settings
from reader.paths import styles_dir
from reader.service import FeedService
from reader.store import Store
from reader.ui.commands import ReaderCommands
from reader.ui.mouse import NAVIGATION_BUTTONS, read_extra_buttons
from reader.ui.screens.main import MainScreen
from reader.ui.widgets import entry_list

_frozen = False


def _freeze_start_up() -> None:
    """Once per process, after the first frame: move what start-up built (Textual, the
    modules, the screen) out of the cyclic garbage collector's reach. It lives as long as
    the process, and walking it in every full collection paused the UI for 30-60 ms while
    an article was opened; later objects are collected as before."""
    global _frozen
    if not _frozen:
        _frozen = True
        gc.freeze()


class NewsReaderApp(App[None]):
    """newsreader's TUI over one store."""

    TITLE = "newsreader"
    SUB_TITLE = __version__
    CSS_PATH = [styles_dir() / name for name in ("app.tcss", "reading.tcss", "dialogs.tcss")]
    COMMANDS = App.COMMANDS | {ReaderCommands}
    BINDINGS = [Binding("ctrl+c", "quit", "Quit", show=False, priority=True)]

    def __init__(
        self,
        store: Store,
        settings: Settings | None = None,
        *,
        show_sample: bool = False,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        super().__init__()
        self.store = store
        self.settings = settings or Settings()
        self.service = FeedService(store, self.settings, transport=transport)
        self.show_sample = show_sample
        read_extra_buttons()

    def on_mount(self) -> None:
        entry_list.DATE_FORMAT = self.settings.date_format
        keys = self.settings.keys
        if keys:
            self.set_keymap(keys)
        remembered = self.store.get_state("theme")
        for name in (remembered, getattr(self.settings, "theme", "")):
            if name and name in self.available_themes:
                self.theme = name
                break
        else:
            wanted = getattr(self.settings, "theme", "")
            if wanted:
                self.notify(f"Unknown theme {wanted!r}; using {self.theme}.", markup=False)
        self.theme_changed_signal.subscribe(self, self._remember_theme)
        self.call_after_refresh(_freeze_start_up)

    def _remember_theme(self, theme: Theme) -> None:
        """A theme picked in the palette is kept for the next start."""
        self.store.set_state("theme", theme.name)

    async def on_event(self, event: events.Event) -> None:
        """Mouse back / forward (buttons 8 and 9) walk the reading history; neither press
        nor release reaches a widget, so they never click what is under the pointer."""
        if (
            isinstance(event, (events.MouseDown, events.MouseUp))
            and event.button in NAVIGATION_BUTTONS
            and not event.is_forwarded
        ):
            if isinstance(event, events.MouseDown) and isinstance(self.screen, MainScreen):
                await self.screen.run_action(NAVIGATION_BUTTONS[event.button])
            return
        await super().on_event(event)

    def get_default_screen(self) -> Screen[None]:
        return MainScreen(self.store, self.service, show_sample=self.show_sample)

    async def action_quit(self) -> None:
        """Quit, remembering where the reader was (q, ctrl+c, the palette)."""
        main = next((s for s in self.screen_stack if isinstance(s, MainScreen)), None)
        if main is not None and main.is_mounted:
            main.save_session()
        await super().action_quit()
