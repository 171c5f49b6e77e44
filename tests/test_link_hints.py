"""Link hints (g): a number beside every link in view; typing it follows the link."""

from __future__ import annotations

import re
from pathlib import Path

from textual.content import Content, Span
from textual.style import Style

from reader.ui.widgets.article_view import ArticleView
from reader.ui.widgets.link_hints import HintBox, is_complete, with_hints
from reader.ui.widgets.reading_pane import ReadingPane
from reader.ui.widgets.related_links import RelatedLinks
from tests.server import FixtureServer
from tests.test_reader_ui import contact_feed, header_text
from tests.uitools import LEAD, reading_first_entry, screen_text, settle

HINT = re.compile(r"\[(\d+)\]")


def article_lines(app: object) -> list[str]:
    """The article pane's rows as the terminal shows them."""
    view = app.query_one(ArticleView)  # type: ignore[attr-defined]
    region = view.region
    lines = screen_text(app).splitlines()  # type: ignore[arg-type]
    return [line[region.x : region.right] for line in lines[region.y : region.bottom]]


async def test_typing_a_hint_reads_the_link_in_place_with_history(
    server: FixtureServer, data_dir: Path
) -> None:
    async with reading_first_entry(data_dir, server.url("feed.xml")) as (app, pilot):
        assert LEAD in header_text(app)
        view = app.query_one(ArticleView)
        related = app.query_one(RelatedLinks)
        # Scroll to the first paragraph with a link in the text.
        body_link = next(link for link in related.links if link.kind == "body")
        view.scroll_to(y=0, animate=False, immediate=True)
        before = "\n".join(article_lines(app))
        assert not HINT.search(before)

        for _ in range(40):  # page down until a link of the text is in view
            await pilot.press("g")
            await settle(pilot)
            if isinstance(app.focused, HintBox):
                break
            await pilot.press("space")
            await settle(pilot)
        assert isinstance(app.focused, HintBox)
        shown = [int(n) for n in HINT.findall("\n".join(article_lines(app)))]
        assert shown, "no numbers beside the links in view"
        number = shown[0]
        link = related.links[number - 1]
        assert link.url.startswith("http")
        assert "type a number" in screen_text(app)

        await pilot.press(*str(number), "enter")
        await settle(pilot)
        pane = app.query_one(ReadingPane)
        assert pane.place is not None and pane.place.url == link.url
        assert LEAD not in header_text(app)
        assert app.focused is view
        assert not HINT.search("\n".join(article_lines(app)))  # the numbers are gone
        assert body_link.url  # the pane still lists the text's links, numbered

        await pilot.press("H")
        await settle(pilot)
        assert LEAD in header_text(app)


async def test_escape_takes_the_numbers_away_and_follows_nothing(
    server: FixtureServer, data_dir: Path
) -> None:
    contact_feed(server)
    async with reading_first_entry(data_dir, server.url("desk.xml")) as (app, pilot):
        requests = dict(server.requests)
        text_before = "\n".join(article_lines(app))
        await pilot.press("g")
        await settle(pilot)
        hinted = "\n".join(article_lines(app))
        assert HINT.findall(hinted) == ["1", "2", "3"]
        assert "type a number" in screen_text(app)
        await pilot.press("escape")
        await settle(pilot)
        assert "\n".join(article_lines(app)) == text_before
        assert "type a number" not in screen_text(app)  # the status line says it no more
        assert app.focused is app.query_one(ArticleView)
        assert dict(server.requests) == requests
        assert not app.query_one(ReadingPane).history.can_go_back


async def test_a_hint_to_a_mail_link_copies_it_and_offers_it_to_o(
    server: FixtureServer, data_dir: Path
) -> None:
    contact_feed(server)
    async with reading_first_entry(data_dir, server.url("desk.xml")) as (app, pilot):
        requests = dict(server.requests)
        await pilot.press("g", "1")  # three links: "1" can only mean the first
        await settle(pilot)
        assert app.clipboard == "mailto:desk@signal.example"
        assert "Not an http(s) link, so not read here: copied; o opens it" in screen_text(app)
        pane = app.query_one(ReadingPane)
        assert pane.offered_link == "mailto:desk@signal.example"
        assert not pane.history.can_go_back
        assert dict(server.requests) == requests
        assert "Contact the desk" in header_text(app)

        # A number that is no link says so and follows nothing.
        await pilot.press("g", "9", "enter")
        await settle(pilot)
        assert "No link numbered 9." in screen_text(app)


def test_numbers_go_after_each_link_and_the_text_stays_text() -> None:
    link = Style.from_meta({"@click": "link('https://example.org/a')"})
    other = Style.from_meta({"@click": "link('https://example.org/b')"})
    text = "see [b]x[/b] and [/] here"
    content = Content(text, spans=[Span(4, 12, link), Span(17, 20, other)])
    hinted, shown = with_hints(content, {"https://example.org/a": 3, "https://example.org/b": 12})
    assert shown == [3, 12]
    assert hinted.plain == "see [b]x[/b][3] and [/][12] here"
    unknown, none = with_hints(content, {})
    assert unknown is content and none == []


def test_a_number_is_followed_as_soon_as_it_can_mean_only_one_link() -> None:
    assert is_complete("3", 9)
    assert not is_complete("1", 12)  # 10, 11, 12 start with 1 as well
    assert is_complete("12", 12) and is_complete("2", 12)
    assert not is_complete("0", 5) and not is_complete("", 5) and not is_complete("7", 5)
