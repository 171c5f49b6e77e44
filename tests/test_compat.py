"""The private Textual API in reader/ui/compat.py still works as newsreader expects.

Each test names the Textual internal it checks, so an upgrade that moves one fails here with
that name rather than as a wrong click or a slow footer somewhere else.
"""

from __future__ import annotations

import inspect

import pytest
from textual import events
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, OptionList
from textual.widgets.option_list import Option

from reader.ui import compat


def test_xterm_parser_is_reachable() -> None:
    assert compat.XTermParser is not None, (
        "textual._xterm_parser.XTermParser (Textual's terminal input parser) cannot be "
        "imported: the mouse's back/forward buttons read as left/middle clicks again. "
        "Find where this Textual parses input and update reader/ui/compat.py."
    )
    method = getattr(compat.XTermParser, "parse_mouse_code", None)
    assert callable(method), (
        "textual._xterm_parser.XTermParser.parse_mouse_code is gone: "
        "reader/ui/compat.wrap_xterm_mouse_parser has nothing to wrap."
    )
    method = inspect.unwrap(method)  # the app may have wrapped it already
    assert list(inspect.signature(method).parameters) == ["self", "code"], (
        "XTermParser.parse_mouse_code(self, code) changed its signature: "
        f"{inspect.signature(method)}"
    )


def test_xterm_parser_turns_a_mouse_report_into_an_event_through_parse_mouse_code(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The wrapped method is the one the parser calls for an SGR mouse report, and its
    result is the event the app receives (so setting `button` on it is seen)."""
    assert compat.XTermParser is not None
    monkeypatch.setattr(compat.XTermParser, "parse_mouse_code", compat.XTermParser.parse_mouse_code)
    monkeypatch.setattr(compat, "_MOUSE_WRAPS", set())
    seen: list[str] = []

    def recording(original: compat.MouseCodeParser) -> compat.MouseCodeParser:
        def parse(parser: object, code: str) -> object:
            seen.append(code)
            event = original(parser, code)
            if isinstance(event, events.MouseDown):
                event.button = 42
            return event

        return parse  # type: ignore[return-value]

    assert compat.wrap_xterm_mouse_parser("test", recording)
    assert compat.wrap_xterm_mouse_parser("test", recording)  # once per name
    [event] = compat.xterm_messages("\x1b[<0;5;3M")
    assert seen == ["\x1b[<0;5;3M"], (
        "textual._xterm_parser.XTermParser no longer parses SGR mouse reports through "
        f"parse_mouse_code (it was called with {seen!r})"
    )
    assert isinstance(event, events.MouseDown)
    assert (event.button, event.x, event.y) == (42, 4, 2)


class _RecordingFooter(Footer):
    def __init__(self) -> None:
        super().__init__()
        self.told: list[object] = []

    def bindings_changed(self, screen: Screen) -> None:
        self.told.append(screen)
        super().bindings_changed(screen)


class _FooterApp(App[None]):
    BINDINGS = [Binding("x", "bell", "Ring")]

    def compose(self) -> ComposeResult:
        yield _RecordingFooter()


async def test_footer_bindings_ready_flag_and_bindings_changed() -> None:
    """`Footer._bindings_ready` is False until the footer hears its screen's bindings, then
    True; ReaderFooter compares keys only once it is True. It hears them through
    `Footer.bindings_changed(screen)`, which ReaderFooter overrides to skip rebuilds."""
    assert "_bindings_ready" in vars(Footer), (
        "textual.widgets.Footer._bindings_ready is gone: update "
        "reader/ui/compat.footer_bindings_ready (ReaderFooter then rebuilds on every focus "
        "change, which is slow but correct)"
    )
    method = getattr(Footer, "bindings_changed", None)
    assert callable(method), "textual.widgets.Footer.bindings_changed is gone"
    assert list(inspect.signature(method).parameters) == ["self", "screen"]
    assert compat.footer_bindings_ready(Footer()) is False
    app = _FooterApp()
    async with app.run_test() as pilot:
        await pilot.pause()
        footer = app.query_one(_RecordingFooter)
        assert footer.told and footer.told[-1] is app.screen, (
            "the screen's bindings signal no longer calls Footer.bindings_changed(screen): "
            "ReaderFooter's override of it is dead"
        )
        assert compat.footer_bindings_ready(footer) is True, (
            "textual.widgets.Footer._bindings_ready stays False after the footer heard the "
            "screen's bindings"
        )


def test_a_stopped_message_is_seen_as_stopped() -> None:
    """`Message._stop_propagation` is how the app's key serialising knows a key was handled."""
    key = events.Key("m", "m")
    assert not compat.key_was_stopped(key)
    key.stop()
    assert compat.key_was_stopped(key), "textual.message.Message._stop_propagation changed"


class _ListApp(App[None]):
    def compose(self) -> ComposeResult:
        yield OptionList(*(Option(f"row {i}", id=str(i)) for i in range(5)))


async def test_an_option_row_is_redrawn_in_place() -> None:
    """`OptionList._options`, `_id_to_option`, `_option_to_index`, `_line_cache`,
    `_get_visual`, `_get_left_gutter_width` and `Option._divider`: a row that keeps its
    height gets its new prompt in place; one that would grow is left to the public
    `replace_option_prompt`."""
    app = _ListApp()
    async with app.run_test() as pilot:
        await pilot.pause()
        rows = app.query_one(OptionList)
        assert compat.redraw_option_in_place(rows, "2", Content("row two")), (
            "OptionList internals changed: update reader/ui/compat.redraw_option_in_place "
            "(the feeds pane then redraws every row on each change, slow but correct)"
        )
        assert rows.get_option("2").prompt == Content("row two")
        assert rows.get_option_index("2") == 2 and rows.option_count == 5
        assert not compat.redraw_option_in_place(rows, "3", Content("two\nlines"))
        assert rows.get_option("3").prompt == "row 3"
