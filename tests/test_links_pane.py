"""The related-links pane's rows: hanging indent, marks and their legend, two-line teasers,
URLs shortened in the middle, the scrollbar beside the text, untrusted text kept literal."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import pytest
from textual.app import App, ComposeResult
from textual.content import Content

from reader.models import Link
from reader.ui.widgets.link_rows import link_row, wrap_words
from reader.ui.widgets.related_links import RelatedLinks, link_options
from reader.urls import cell_width
from tests.uitools import make_app, settle

RELATED = [
    "Discord defaults every user to teen mode",
    "Smart glasses banned at Meta CEO's trial",
    "Meta weighed facial recognition for Ray-Ban glasses",
    "Doppelgänger matches faces to creators",
]
"""The sample lead article's related links (tests/test_ui.py)."""

TEASER = (
    "Discord faces fierce criticism after announcing all users will default to teen mode "
    "until age verification. Privacy advocates clash with child safety concerns as 70,000 "
    "government IDs were recently breached."
)
ROW_START = re.compile(r"^(?:[●✓↗ ] )?\s*\d+\. ")
"""The first line of a row: an optional mark, the number, then the title."""


def lines_of(prompt: object) -> list[str]:
    assert isinstance(prompt, Content), "rows are Content, never markup strings"
    return prompt.plain.split("\n")


def screen_text(app: App[Any]) -> str:
    """Every line the terminal shows (tests/uitools.py's, for any app)."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


def story(n: int, title: str = "", teaser: str = TEASER) -> Link:
    return Link(
        f"https://www.example.org/news/world/2025/11/story-{n}-slug.html",
        title or f"Story {n} has a headline long enough to wrap onto a second line",
        teaser,
    )


# -- rows, built as the worker builds them -----------------------------------------------


@pytest.mark.parametrize("width", [12, 20, 31, 45, 80])
def test_rows_hang_under_the_title(width: int) -> None:
    links = tuple(story(n) for n in range(12))
    known = {links[0].url: False, links[1].url: True}
    prepared = link_options(links, (), known, width)
    rows = [option.prompt for option in prepared.options if option is not None]
    assert len(rows) == 12
    for number, row in enumerate(rows, start=1):
        assert isinstance(row, Content)
        first, *rest = lines_of(row)
        # The mark and number lead the first line, and the title starts on it too.
        start = ROW_START.match(first)
        assert start is not None and first.endswith(first[start.end() :])
        assert first[start.end() :].strip(), "the title starts beside its number"
        assert f"{number:>2}. " in first
        column = start.end()
        assert column == 6  # `● ` + `12. `: one column for every row's title
        for line in rest:
            assert line[:column].strip() == "", "continuation lines never start left of it"
            assert line[column] != " ", "...and start exactly under the title"
        for line in (first, *rest):
            assert cell_width(line) <= max(width, column + 8)


def test_a_mark_is_never_alone_on_a_line() -> None:
    link = story(1, title="Supercalifragilisticexpialidocious " * 3)
    for width in range(4, 60):
        for read in (False, True):
            row = link_row(1, link, width, mark="read" if read else "unread", mark_column=True)
            first = lines_of(row)[0]
            assert first[0] in "●✓" and re.match(r"^[●✓] 1\. \S", first), (width, first)


def test_rows_without_marks_have_no_mark_column() -> None:
    prepared = link_options((story(1),), (), {}, 40)
    row = prepared.options[0]
    assert row is not None
    assert lines_of(row.prompt)[0].startswith("1. Story 1")
    assert prepared.legend.plain == ""


def test_teasers_are_clipped_to_two_lines() -> None:
    long_row = lines_of(link_row(1, story(1, title="Short"), 40))
    assert long_row[0] == "1. Short"
    teaser = long_row[1:-1]
    assert len(teaser) == 2 and teaser[1].endswith("…")
    assert " ".join(line.strip() for line in teaser).rstrip("…") in TEASER
    assert long_row[-1].strip() == "example.org/…/2025/11/story-1-slug"

    short_row = lines_of(link_row(1, story(1, title="Short", teaser="One line."), 40))
    assert [line.strip() for line in short_row] == [
        "1. Short",
        "One line.",
        "example.org/…/2025/11/story-1-slug",
    ]
    # Body links' surrounding words are not teasers.
    body = Link("https://e.org/a", "the report", TEASER, kind="body")
    assert len(lines_of(link_row(1, body, 40))) == 2


def test_teaser_and_url_are_dim_and_the_title_bold() -> None:
    row = link_row(1, story(1, title="Short"), 40)
    styles = {row.plain[span.start : span.end].strip(): str(span.style) for span in row.spans}
    assert styles["Short"] == "bold"
    assert styles["example.org/…/2025/11/story-1-slug"] == "dim"
    assert all("dim" in style for text, style in styles.items() if text in TEASER)


def test_wrap_words_cuts_long_words_and_ends_clipped_text_with_an_ellipsis() -> None:
    assert wrap_words("a b c", 10, 2) == ["a b c"]
    assert wrap_words("x" * 25, 10, 3) == ["x" * 10, "x" * 10, "x" * 5]
    assert wrap_words("x" * 35, 10, 3) == ["x" * 10, "x" * 10, "x" * 9 + "…"]
    assert wrap_words("日本語のタイトル", 7, 3) == ["日本語", "のタイ", "トル"]
    assert wrap_words("one two three four", 9, 1) == ["one two…"]
    assert wrap_words("", 10, 2) == []


def test_the_legend_says_what_the_marks_shown_mean() -> None:
    here, there = story(1), Link("https://elsewhere.example/x", "Elsewhere")
    unread_only = link_options((here,), (), {here.url: False}, 40)
    assert unread_only.legend.plain == "● unread"
    every = link_options(
        (here, story(2), there), (), {here.url: False, story(2).url: True}, 40, site=here.url
    )
    assert every.legend.plain == "● unread  ✓ read  ↗ other site"
    first_lines = [lines_of(o.prompt)[0] for o in every.options if o is not None]
    assert [line[:2] for line in first_lines] == ["● ", "✓ ", "↗ "]


HOSTILE = ["[/]", "[@click=app.quit]", "[b]bold[/b]", "[link='https://x']x[/link]", "$accent"]


def test_hostile_titles_teasers_and_urls_stay_text() -> None:
    links = tuple(
        Link(f"https://e.org/{text}", text, f"teaser {text}", kind="related") for text in HOSTILE
    )
    prepared = link_options(links, (), {}, 60)
    for link, option in zip(links, prepared.options, strict=True):
        assert option is not None
        row = option.prompt
        assert isinstance(row, Content)
        assert link.title in lines_of(row)[0]
        assert f"teaser {link.title}" in row.plain
        assert f"e.org/{link.title}" in row.plain
        # Only the row's own styles: nothing parsed out of the text.
        assert {str(span.style) for span in row.spans} <= {"dim", "bold", "dim italic"}
        assert all(not getattr(span.style, "meta", None) for span in row.spans)


def test_two_hundred_links_take_milliseconds() -> None:
    related = tuple(story(n) for n in range(100))
    body = tuple(
        Link(f"https://site{n}.example/path/to/a/page-{n}", f"link {n}", "words", kind="body")
        for n in range(100)
    )
    known = {link.url: n % 2 == 0 for n, link in enumerate(related[::3])}
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        prepared = link_options(related, body, known, 31, site=related[0].url)
        best = min(best, time.perf_counter() - started)
    assert len([o for o in prepared.options if o is not None and o.id is not None]) == 200
    assert best < 0.15, f"{best * 1000:.0f} ms for 200 links"


# -- the pane as the user sees it ---------------------------------------------------------


def pane_lines(app: App[Any]) -> tuple[list[str], RelatedLinks]:
    """The text inside the links pane's border, one string per row of cells."""
    pane = app.query_one(RelatedLinks)
    region = pane.region
    lines = screen_text(app).splitlines()[region.y + 1 : region.bottom - 1]
    return [line[region.x + 1 : region.right - 1] for line in lines], pane


def assert_hanging_indent(lines: list[str]) -> list[int]:
    """Every line of a row that is not its first starts at its title's column; returns the
    indexes of the rows' first lines."""
    starts: list[int] = []
    column = -1
    for index, line in enumerate(lines):
        text = line[:-1]  # the scrollbar's column
        start = ROW_START.match(text.removeprefix(" "))
        if start is not None:
            starts.append(index)
            column = start.end() + 1
        elif text.strip() and column >= 0 and text.strip("─ ") and "In the text" not in text:
            assert len(text) - len(text.lstrip()) == column, (index, lines)
    return starts


@pytest.mark.parametrize("size", [(120, 40), (80, 24), (200, 60)])
async def test_sample_links_hang_under_their_titles(data_dir: Path, size: tuple[int, int]) -> None:
    store, app = make_app(data_dir / "newsreader.db")
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await pilot.press("enter", "enter")
        await settle(pilot)
        lines, pane = pane_lines(app)
        starts = assert_hanging_indent(lines)
        text = " ".join(line.strip() for line in lines)
        if size == (120, 40):
            assert len(starts) >= 4
            for title in RELATED:
                assert title in text
        assert "1. Discord defaults" in text
        # The legend for the marks is on the pane's border.
        border = screen_text(app).splitlines()[pane.region.bottom - 1]
        assert "● unread" in border[pane.region.x : pane.region.right]
    store.close()


async def test_the_scrollbar_has_its_own_column(data_dir: Path) -> None:
    store, app = make_app(data_dir / "newsreader.db")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("enter", "enter")
        await settle(pilot)
        lines, pane = pane_lines(app)
        assert pane.show_vertical_scrollbar  # more rows than fit
        scrollbar = {line[-1] for line in lines}
        # Only scrollbar glyphs there (a thumb on whole cells is drawn as coloured blanks).
        assert scrollbar - set(" ▁▂▃▄▅▆▇█") == set()
        # A blank column between the text and the scrollbar on every line.
        assert {line[-2] for line in lines if line.strip("─ ")} == {" "}

        # Wider: the rows are wrapped again for the new width, still hanging, and the
        # cursor stays on its link.
        pane.focus()
        pane.highlighted = 2
        await pilot.resize_terminal(200, 60)
        await settle(pilot)
        lines, pane = pane_lines(app)
        assert_hanging_indent(lines)
        assert pane.current_link is not None and pane.current_link.title == RELATED[2]
        assert {line[-2] for line in lines if line.strip("─ ")} == {" "}
    store.close()


class LinksApp(App[None]):
    def compose(self) -> ComposeResult:
        yield RelatedLinks(id="related")


async def test_hostile_link_titles_show_literally() -> None:
    app = LinksApp()
    async with app.run_test(size=(60, 20)) as pilot:
        pane = app.query_one(RelatedLinks)
        pane.show_links(
            tuple(Link(f"https://e.org/{n}", text, text) for n, text in enumerate(HOSTILE)), ()
        )
        await pilot.pause()
        shown = screen_text(app)
        for text in HOSTILE:
            assert text in shown
        await pilot.click(RelatedLinks, offset=(4, 3))  # on `[@click=app.quit]`'s row
        await pilot.pause()
        assert app.is_running


def test_a_link_named_by_its_address_shows_it_once() -> None:
    url = "https://www.example.org/news/world/2025/11/discord-teen-mode"
    row = link_row(1, Link(url, "www.example.org/news/world/2025/11/discord-teen-mode/"), 45)
    assert lines_of(row) == ["1. example.org/…/2025/11/discord-teen-mode"]
    # Words naming another address than the target: both show.
    lure = lines_of(link_row(1, Link("https://evil.example/login", "https://bank.example"), 40))
    assert lure == ["1. https://bank.example", "   evil.example/login"]
