"""The Textual application: styles, title, and the main screen. The wiring lives in the screen."""

from __future__ import annotations

import gc
from functools import partial
from pathlib import Path

import httpx
from textual import events, work
from textual.app import App
from textual.binding import Binding
from textual.message_pump import MessagePump
from textual.screen import Screen
from textual.theme import Theme
from textual.worker import Worker, WorkerState

from reader import __version__
from reader.config import Settings
from reader.images.terminal import Protocol, choose_protocol
from reader.paths import styles_dir
from reader.service import FeedService
from reader.store import Store
from reader.store_downloads import Download
from reader.text import clean_line
from reader.ui import worker_errors
from reader.ui.commands import ReaderCommands, SystemCommands
from reader.ui.compat import key_was_stopped
from reader.ui.download_runner import DownloadRunner
from reader.ui.keygate import KeyGate
from reader.ui.mouse import NAVIGATION_BUTTONS, read_extra_buttons
from reader.ui.screens.main import MainScreen
from reader.ui.screens.podcasts import DownloadsScreen, FilesScreen
from reader.ui.widgets import entry_list

_frozen = False

KEY_TIMEOUT = 0.5
"""Seconds after which the next key is delivered even if the last one is still on its way."""
SETTLE_TRIES = 8
"""How often a node with messages still queued is waited for, before the next key goes."""


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
    COMMANDS = {SystemCommands, ReaderCommands}  # Textual's system commands, with keys
    BINDINGS = [Binding("ctrl+c", "quit", "Quit", show=False, priority=True)]

    def __init__(
        self,
        store: Store,
        settings: Settings | None = None,
        *,
        show_sample: bool = False,
        transport: httpx.AsyncBaseTransport | None = None,
        image_protocol: Protocol | None = None,
        image_cell_size: tuple[int, int] = (10, 20),
    ) -> None:
        super().__init__()
        self.store = store
        self.settings = settings or Settings()
        self.image_protocol: Protocol = image_protocol or choose_protocol(
            self.settings.images.mode, {}, ""
        )
        """How pictures are drawn: detected before the app starts (cli.py); without that,
        a forced mode as set, and `auto` as half blocks (they need nothing announced)."""
        self.image_cell_size = image_cell_size
        self.config_path: Path | None = None
        """The config file rules edited in the TUI are saved to (None: nowhere)."""
        self.service = FeedService(store, self.settings, transport=transport)
        self.service.notify_terminal = False  # the TUI owns the terminal: it shows notices
        self.show_sample = show_sample
        self.key_gate = KeyGate()
        self.downloads = DownloadRunner(store, self.settings, self._download_changed)
        """The download queue's thread (E queues files, D shows them)."""
        self._waiting = []
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
        self.resume_downloads()

    # ----------------------------------------------------------------- downloads
    @work(thread=True, group="downloads-resume", exit_on_error=False)
    def resume_downloads(self) -> None:
        """Files a previous run left queued (or under way when it ended) carry on."""
        self.store.requeue_interrupted()
        if self.store.list_downloads(states=["queued"]):
            self.call_from_thread(self.downloads.start)

    def _download_changed(self, item: Download) -> None:
        """A file finished or moved on: say so when it finished; redraw an open queue."""
        title = clean_line(item.title, 100) or clean_line(item.url, 100)
        if item.state == "done":
            self.notify(f"Downloaded: {title}", markup=False)
        elif item.state == "failed" and item.error != "cancelled":
            message = f"Download failed: {title}: {clean_line(item.error, 200)}"
            self.notify(message, severity="warning", markup=False)
        if isinstance(self.screen, DownloadsScreen | FilesScreen):
            self.screen.load()

    def _remember_theme(self, theme: Theme) -> None:
        """A theme picked in the palette is kept for the next start."""
        self.store.set_state("theme", theme.name)

    # ----------------------------------------------------------------- worker failures
    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        self.report_worker_failure(event.worker)

    def report_worker_failure(self, worker: Worker[object]) -> None:
        """Every worker that fails (they run with exit_on_error=False) ends here: shown,
        with what failed, and logged with its traceback beside the database. A worker's
        StateChanged goes to the node that started it only, so each screen or pane with
        workers forwards it here (MainScreen.on_worker_state_changed)."""
        if worker.state != WorkerState.ERROR or worker.error is None:
            return
        error = worker.error
        name = worker.name or "a background task"
        worker_errors.write_log(worker_errors.log_path(self.store.worker_path()), name, error)
        self.notify(
            worker_errors.describe(name, error),
            title="Something failed",
            severity="error",
            markup=False,
            timeout=10,
        )

    # ----------------------------------------------------------------- keys
    # Keys are handed on one at a time: the next waits until the last has been handled all
    # the way (its widget, the bindings it bubbled to). Textual otherwise hands every key
    # of a burst to the focused widget before the first one's binding runs, so `\meta`
    # typed fast ran m, e, a as commands, and ctrl+u cleared text typed after it.
    _waiting: list[events.Event]
    _in_flight: events.Event | None = None

    def hold_keys(self, pushing: bool = False) -> None:
        """Keys typed from now until the screen being pushed (`pushing`: to be pushed once
        a worker is done) has focus go to it."""
        self.key_gate.close(self.screen, pushing)
        self.set_timer(0.02, self._check_gate)

    async def _check_gate(self) -> None:
        gate = self.key_gate
        if not gate.closed:
            return
        gate.waited += 0.02
        if gate.ready(self.screen):
            gate.open()
            await self._pump_keys()
        else:
            self.set_timer(0.02, self._check_gate)

    async def _pump_keys(self) -> None:
        """Deliver waiting keys while none is in flight and no dialog is still opening."""
        while self._waiting and self._in_flight is None:
            gate = self.key_gate
            if gate.closed:
                if not gate.ready(self.screen):
                    return  # _check_gate carries on
                gate.open()
            event = self._waiting.pop(0)
            await App.on_event(self, event)
            if event.is_forwarded:
                self._in_flight = event
                target = self.focused or self.screen
                target.call_later(self._probe, event, target)
                self.set_timer(KEY_TIMEOUT, partial(self._give_up, event))

    def _probe(
        self, event: events.Event, node: MessagePump, settling: bool = False, tries: int = 0
    ) -> None:
        """(On `node`, after it handled what was queued before.) First the key's own way
        up (it ends where a handler stopped it); then, `settling`, the focused widget's
        chain again, each node once its queue is empty, so the messages the key set off
        (a row chosen, focus moved on) are handled before the next key is delivered."""
        if settling and node.message_queue_size and tries < SETTLE_TRIES:
            node.call_later(self._probe, event, node, True, tries + 1)
            return
        parent = getattr(node, "parent", None)  # a Screen's parent is the app
        stopped = not settling and key_was_stopped(event)
        if stopped or parent is None or parent is self:
            self.call_later(self._landed, event, settling)
        else:
            parent.call_later(self._probe, event, parent, settling)

    async def _landed(self, event: events.Event, settled: bool, tries: int = 0) -> None:
        if self._in_flight is not event:
            return
        if not settled:
            target = self.focused or self.screen
            target.call_later(self._probe, event, target, True)
            return
        if self.message_queue_size and tries < SETTLE_TRIES:
            self.call_later(self._landed, event, True, tries + 1)
            return
        await self._give_up(event)

    async def _give_up(self, event: events.Event) -> None:
        """The key is handled (or has taken too long): deliver the next."""
        if self._in_flight is event:
            self._in_flight = None
            await self._pump_keys()

    def action_command_palette(self) -> None:
        super().action_command_palette()
        self.hold_keys()

    async def on_event(self, event: events.Event) -> None:
        """Mouse back / forward (buttons 8 and 9) walk the reading history; neither press
        nor release reaches a widget, so they never click what is under the pointer.
        Keys and pastes go through `_pump_keys`, one at a time."""
        if isinstance(event, (events.Key, events.Paste)) and not event.is_forwarded:
            self._waiting.append(event)
            await self._pump_keys()
            return
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
        self.downloads.stop()
        await super().action_quit()
