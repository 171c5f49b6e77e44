"""The TUI's rules screen (K, with a dry run before saving), hidden entries (X: why and
restore) and what changed in an updated story (C): Pilot tests and snapshots at three
sizes."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import Input, OptionList, Static

from reader.config import Settings, load_settings
from reader.rules import RuleSet, rule_from_dict
from reader.store import Store
from reader.ui.app import NewsReaderApp
from reader.ui.screens.rules import ChangesScreen, HiddenScreen, RuleEditScreen, RulesScreen
from tests.test_snapshots import SIZES, SUMMARY_FEED, _sample_store
from tests.uitools import make_app, screen_text, settle

PINNED = 1_763_733_900.0  # 2025-11-21 14:05 UTC

HIDE_GLASSES = rule_from_dict({"name": "no glasses", "action": "hide", "title": "glasses"})
STAR_META = rule_from_dict(
    {"name": "star meta", "action": "star", "title": "meta", "older_than_days": 1}
)


def _prepared_store(db: Path) -> tuple[Store, str]:
    """The snapshot store, with the glasses stories hidden by a rule and the subscribed
    feed's newest story rewritten after it was read (one earlier version, pinned times).
    Returns the store and the rewritten story's new title."""
    store = _sample_store(db)
    store.apply_rules(RuleSet([HIDE_GLASSES]), now=PINNED)
    feed = store.get_feed_by_url(SUMMARY_FEED)
    assert feed is not None
    first = store.list_entries(feed.id)[0]
    assert first.id is not None
    store.set_read(first.id, True)
    from reader.feeds.parse import parse_feed
    from reader.sample import sample_file

    body = sample_file(SUMMARY_FEED)
    assert body is not None
    parsed = parse_feed(body, url=SUMMARY_FEED, headers={"content-type": "application/xml"})

    def rewritten(summary: str) -> str:
        words = summary.split(" ")
        return " ".join([words[0], "corrected", *words[2:]])

    changed = [
        replace(e, title=e.title + " (updated)", summary=rewritten(e.summary))
        if e.key == first.key
        else e
        for e in parsed.entries
    ]
    store.apply_update(feed.id, replace(parsed, entries=tuple(changed), derived=()))
    with store._conn:  # no public way to pin when versions were seen
        store._conn.execute("UPDATE entry_versions SET seen = ?, replaced = ?", (PINNED, PINNED))
        store._conn.execute(
            "UPDATE entries SET feed_changed = ? WHERE feed_changed IS NOT NULL", (PINNED,)
        )
        store._conn.execute("UPDATE rule_hits SET at = ?", (PINNED,))
        store._conn.execute("UPDATE feeds SET last_fetched = ?", (PINNED,))
    return store, first.title + " (updated)"


@pytest.fixture
def ruled_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[NewsReaderApp]:
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    store, _ = _prepared_store(tmp_path / "newsreader.db")
    settings = Settings(timeout=2.0, rules=(HIDE_GLASSES, STAR_META))
    app = NewsReaderApp(store, settings, show_sample=True)
    app.config_path = tmp_path / "config.toml"
    try:
        yield app
    finally:
        store.close()
        monkeypatch.undo()
        time.tzset()


async def _open(pilot: Pilot[None], *keys: str) -> None:
    await settle(pilot)
    await pilot.press("home", "j", "j", "j")  # the subscribed feed, as test_snapshots
    await settle(pilot)
    for key in keys:
        await pilot.press(key)
        await settle(pilot)
    for widget in pilot.app.screen.query(Widget):
        if hasattr(widget, "cursor_blink"):
            widget.cursor_blink = False
    await settle(pilot)


def note_under_title(app: NewsReaderApp, title: str, note: str) -> bool:
    """Whether `note` shows right under the box titled `title` (no empty list between)."""
    lines = screen_text(app).splitlines()
    top = next(i for i, line in enumerate(lines) if f"╭─ {title}" in line)
    return next(i for i, line in enumerate(lines) if note in line) - top <= 2


SCREENS: dict[str, tuple[str, ...]] = {
    "rules": ("K",),
    "rule_editor_dry_run": ("K", "enter", "ctrl+t"),
    "hidden_why": ("X", "w"),
    "what_changed": ("enter", "enter", "C"),
}


@pytest.mark.parametrize("size", SIZES, ids=lambda size: f"{size[0]}x{size[1]}")
@pytest.mark.parametrize("screen", list(SCREENS))
def test_rule_screens_look_as_before(
    snap_compare: Callable[..., bool],
    ruled_app: NewsReaderApp,
    screen: str,
    size: tuple[int, int],
) -> None:
    async def run_before(pilot: Pilot[None]) -> None:
        await _open(pilot, *SCREENS[screen])

    assert snap_compare(ruled_app, terminal_size=size, run_before=run_before)


async def test_the_rule_editor_shows_a_dry_run_before_it_saves(ruled_app: NewsReaderApp) -> None:
    app = ruled_app
    async with app.run_test(size=(120, 40)) as pilot:
        await _open(pilot, "K")
        assert isinstance(app.screen, RulesScreen)
        await pilot.press("n")
        await settle(pilot)
        editor = app.screen
        assert isinstance(editor, RuleEditScreen)
        editor.query_one("#rule-name", Input).value = "no meta"
        editor.query_one("#rule-title", Input).value = "meta"
        editor.query_one("#rule-save").press()
        await settle(pilot)
        status = str(editor.query_one("#rule-status", Static).render())
        # The summary feed's two Meta stories are hidden already; the sample's are not.
        assert status.startswith("Would hide 2 entries in 1 feed.")
        assert "• Smart glasses banned at Meta CEO's trial — Signal Desk (sample)" in status
        assert app.screen is editor  # the first Save only showed what it would do
        assert not (app.config_path and app.config_path.exists())
        editor.query_one("#rule-save").press()
        await settle(pilot)
        assert isinstance(app.screen, RulesScreen)
        assert app.config_path is not None
        saved = load_settings(app.config_path)
        assert [spec.name for spec in saved.rules] == ["no meta"]
        assert app.service.settings.rules == saved.rules
        options = app.screen.query_one("#rules-list", OptionList)
        assert options.option_count == 1


async def test_a_pathological_pattern_is_refused_in_the_editor(ruled_app: NewsReaderApp) -> None:
    app = ruled_app
    async with app.run_test(size=(120, 40)) as pilot:
        await _open(pilot, "K", "n")
        editor = app.screen
        editor.query_one("#rule-name", Input).value = "bad"
        editor.query_one("#rule-content", Input).value = "(a+)+$"
        await pilot.press("ctrl+t")
        await settle(pilot)
        status = str(editor.query_one("#rule-status", Static).render())
        assert "a repeat inside a repeat" in status


async def test_hidden_entries_say_why_and_restore(ruled_app: NewsReaderApp) -> None:
    app = ruled_app
    async with app.run_test(size=(120, 40)) as pilot:
        await _open(pilot, "X")
        screen = app.screen
        assert isinstance(screen, HiddenScreen)
        rows = screen.query_one("#hidden-list", OptionList)
        assert rows.option_count == 2  # the summary feed's two glasses stories
        await pilot.press("w")
        await settle(pilot)
        why = str(screen.query_one("#hidden-why", Static).render())
        assert "Rule no glasses (hide): title matches /glasses/" in why
        await pilot.press("u")
        await settle(pilot)
        assert rows.option_count == 1
        await pilot.press("u")  # the last one: the box says so, without an empty list
        await settle(pilot)
        assert note_under_title(app, "Hidden by rules", "No entry is hidden.")
        await pilot.press("escape")
        await settle(pilot)
        assert "glasses" in screen_text(app).lower()  # the restored stories are listed again


async def test_what_changed_shows_the_word_diff_and_the_versions(
    ruled_app: NewsReaderApp,
) -> None:
    app = ruled_app
    async with app.run_test(size=(120, 40)) as pilot:
        await _open(pilot, "enter", "enter", "C")
        screen = app.screen
        assert isinstance(screen, ChangesScreen)
        versions = screen.query_one("#changes-versions", OptionList)
        assert versions.option_count == 2  # the earlier version and the current one
        title = screen.query_one("#changes-title", Static).render()
        assert "(updated)" in str(title)
        styles = {str(span.style) for span in title.spans}  # type: ignore[attr-defined]
        assert any("$text-success" in style for style in styles)
        diff = screen.query_one("#changes-diff", Static).render()
        kinds = {str(span.style) for span in diff.spans}  # type: ignore[attr-defined]
        assert any("strike" in style for style in kinds)  # a word removed, "corrected" added
        assert "corrected" in str(diff)
        await pilot.press("down", "enter")
        await settle(pilot)
        current = str(screen.query_one("#changes-diff", Static).render())
        assert current.startswith("Feed's text · Current version, since 2025-11-21 14:05")


async def test_an_updated_story_is_marked_in_the_entry_list(ruled_app: NewsReaderApp) -> None:
    """The entry whose text changed after it was read says "↻ updated" before its title, in
    the theme's secondary colour; the others do not."""
    from reader.ui.widgets.entry_list import EntryList

    app = ruled_app
    async with app.run_test(size=(120, 40)) as pilot:
        await _open(pilot)
        entry_list = app.query_one(EntryList)
        prompts = [entry_list.get_option_at_index(i).prompt for i in range(entry_list.option_count)]
        marked = [str(p) for p in prompts if "↻" in str(p)]
        assert len(marked) == 1 and "(updated)" in marked[0]
        [prompt] = [p for p in prompts if "↻" in str(p)]
        styles = {str(span.style) for span in prompt.spans}  # type: ignore[union-attr]
        assert any("$secondary" in style for style in styles)
        rows = [line for line in screen_text(app).splitlines() if "↻" in line]
        assert len(rows) == 1 and "  ↻ updated When Social Security" in rows[0]


async def test_a_rule_list_shows_in_the_sources_pane(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A `list = "NAME"` rule's list is a row under the virtual lists, with its unread
    count; choosing it lists the entries the rule put there. A list no entry is on yet
    shows too, and says so."""
    from reader.ui.widgets.entry_list import EntryList
    from reader.ui.widgets.feed_list import FeedList

    later = rule_from_dict({"name": "later", "list": "Later", "title": "meta|discord"})
    empty = rule_from_dict({"name": "none yet", "list": "Aardvarks", "title": "aardvark"})
    store = _sample_store(tmp_path / "newsreader.db")
    store.apply_rules(RuleSet([later]), now=PINNED)
    app = NewsReaderApp(store, Settings(timeout=2.0, rules=(later, empty)), show_sample=True)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            feeds = app.query_one(FeedList)
            rows = [(row.kind, row.key, row.unread) for row in feeds.option_rows]
            lists = [row for row in rows if row[0] == "list"]
            assert lists == [("list", "Aardvarks", 0), ("list", "Later", 3)]
            text = screen_text(app)
            assert "Later" in text and "Aardvarks" in text
            index = next(i for i, row in enumerate(feeds.option_rows) if row.key == "Later")
            await pilot.press("home", *["j"] * index, "enter")
            await settle(pilot)
            entries = app.query_one(EntryList)
            titles = [
                str(entries.get_option_at_index(i).prompt) for i in range(entries.option_count)
            ]
            assert len(titles) == 3
            assert all(("Meta" in t or "Discord" in t) for t in titles)
            assert "Entries · Later" in screen_text(app)
            await pilot.press("shift+tab")  # back to the sources pane
            assert app.focused is feeds
            await pilot.press("home", *["j"] * (index - 1), "enter")
            await settle(pilot)
            assert "No entries on this list yet." in screen_text(app)
    finally:
        store.close()


@pytest.fixture
def sample_app(data_dir: Path) -> Iterator[NewsReaderApp]:
    """The app on the bundled sample alone: no rules, no story versions."""
    store, app = make_app(data_dir / "newsreader.db", show_sample=True)
    try:
        yield app
    finally:
        store.close()


async def test_with_no_rules_the_rules_box_says_so_without_an_empty_list(
    sample_app: NewsReaderApp,
) -> None:
    """K with no rules shows the way to add one right under the box's title, not below an
    empty list frame."""
    async with sample_app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("K")
        await settle(pilot)
        assert isinstance(sample_app.screen, RulesScreen)
        assert note_under_title(sample_app, "Rules", "No rules yet: n adds one.")


async def test_a_story_that_never_changed_says_so_under_the_title(
    sample_app: NewsReaderApp,
) -> None:
    """C on a story with no earlier version says it has not changed, right under the box's
    title, without an empty list of versions."""
    async with sample_app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("tab", "enter")
        await settle(pilot)
        await pilot.press("C")
        await settle(pilot)
        assert isinstance(sample_app.screen, ChangesScreen)
        assert note_under_title(sample_app, "What changed", "has not changed since")
