"""The `?` screen: every key the user can press, grouped, aligned, with its `[keys]` id."""

from __future__ import annotations

import re
from pathlib import Path

from textual.binding import Binding
from textual.containers import VerticalScroll

from reader.config import load_settings
from reader.store import Store
from reader.ui.app import NewsReaderApp
from reader.ui.bindings import class_bindings, key_name
from tests.uitools import make_app, screen_text, settle, whole_help


def _our_bindings(app: NewsReaderApp) -> list[Binding]:
    """Every binding newsreader itself declares on the main screen and its widgets."""
    found: list[Binding] = []
    for node in [app.screen, *app.screen.walk_children()]:
        for binding, ours in class_bindings(type(node)):
            if ours and binding not in found:
                found.append(binding)
    return found


async def test_help_lists_every_binding_with_its_id(data_dir: Path) -> None:
    store, app = make_app(data_dir / "newsreader.db", show_sample=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        bindings = _our_bindings(app)
        assert len(bindings) > 30
        await pilot.press("question_mark")
        await pilot.pause()
        text = await whole_help(pilot)
        for binding in bindings:
            key = key_name(binding.key.split(",")[0])
            rows = [line for keys, line in help_rows(text) if key in keys]
            assert rows, f"no help line for {binding.key} ({binding.action})"
            if binding.id:
                assert any(has_id(row, binding.id) for row in rows), binding.id
        # Space folds on the feeds pane; ctrl+s saves a search in the search box.
        assert re.search(r"Feeds pane.*\n(.*\n)*.*Space\s+Fold", text)
        assert re.search(r"Search box.*\n.*ctrl\+s\s+Save the search", text)
        assert "Escape" in text and "ctrl+p" in text and "Tab" in text
        # Enter says what it does in each pane; keys all panes share are listed once.
        assert re.search(r"Feeds pane\n.*Enter\s+List its entries", text)
        assert re.search(r"Entries pane\n.*Enter\s+Read the entry", text)
        assert re.search(r"Every pane\n.*↑ k\s+Up", text)
        assert text.count("↑ k") == 1
    store.close()


async def test_help_columns_line_up_and_order_is_movement_first(data_dir: Path) -> None:
    store, app = make_app(data_dir / "newsreader.db", show_sample=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        text = await whole_help(pilot)
        ids = ["next-unread", "toggle-read", "refresh-all", "remove-feed", "quit"]
        rows = {i: next(line for line in text.splitlines() if has_id(line, i)) for i in ids}
        starts = {row.index(i) for i, row in rows.items()}
        assert len(starts) == 1, rows  # the id column
        words = {
            rows["next-unread"].index("Next unread"),
            rows["toggle-read"].index("Toggle read"),
            rows["quit"].index("Quit"),
        }
        assert len(words) == 1  # the description column
        titles = [line.strip() for line in text.splitlines()]
        order = ["Moving", "Feeds pane", "Reading", "Marking and filtering", "Feeds", "App"]
        assert [titles.index(t) for t in order] == sorted(titles.index(t) for t in order)
    store.close()


def help_rows(text: str) -> list[tuple[list[str], str]]:
    """Each help line as (the keys in its first column, the whole line)."""
    rows = []
    for line in text.splitlines():
        found = re.match(r"\s{2}(\S+(?: \S+)*)\s{2,}", line)
        if found:
            rows.append((found.group(1).split(" "), line))
    return rows


def has_id(line: str, binding_id: str) -> bool:
    """Does the help line end with this binding id (its last column)?"""
    return line.endswith(f"  {binding_id}")


async def test_help_fits_scrolls_and_closes(data_dir: Path) -> None:
    for size in ((80, 24), (200, 60)):
        store, app = make_app(data_dir / "newsreader.db", show_sample=True)
        async with app.run_test(size=size) as pilot:
            await settle(pilot)
            for close in ("escape", "q", "question_mark"):
                await pilot.press("question_mark")
                await pilot.pause()
                body = app.screen.query_one("#help-body", VerticalScroll)
                assert app.screen.region.contains_region(body.region)
                assert body.max_scroll_y > 0 if size == (80, 24) else True
                text = screen_text(app)
                assert "Keys" in text and "id for [keys]" in text
                await pilot.press("end")
                await pilot.pause()
                assert "Quit" in screen_text(app)
                await pilot.press(close)
                await pilot.pause()
                assert "id for [keys]" not in screen_text(app)
        store.close()


async def test_help_shows_keys_remapped_in_the_config(data_dir: Path) -> None:
    (data_dir / "config.toml").write_text('[keys]\ntoggle-star = "*"\nhelp = "question_mark,f1"\n')
    settings = load_settings(data_dir / "config.toml")
    with Store(data_dir / "newsreader.db") as store:
        app = NewsReaderApp(store, settings, show_sample=True)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            await pilot.press("f1")
            await pilot.pause()
            text = await whole_help(pilot)
            star = next(line for line in text.splitlines() if has_id(line, "toggle-star"))
            assert re.match(r"\s+\*\s+Toggle star", star)
            assert re.search(r"\n\s+\? f1\s+Every key", text)
