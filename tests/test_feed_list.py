"""The feeds pane while a refresh runs: each finished feed's row changes at once."""

from __future__ import annotations

from textual.app import App, ComposeResult

from reader.models import Feed
from reader.ui.widgets.feed_list import FeedList


class _Pane(App[None]):
    def compose(self) -> ComposeResult:
        yield FeedList(id="feeds")


def row_text(feeds: FeedList, feed_id: int) -> str:
    return feeds.get_option(f"feed:{feed_id}").prompt.plain  # type: ignore[union-attr]


async def test_a_finished_feed_shows_its_new_entries_and_title_before_the_reload() -> None:
    url = "https://news.example/feed.xml"
    named = Feed(id=2, url="https://other.example/rss", title="My name for it", unread=4)
    async with _Pane().run_test(size=(60, 12)) as pilot:
        feeds = pilot.app.query_one(FeedList)
        feeds.show_feeds([Feed(id=1, url=url, title=url), named])
        feeds.set_busy({1, 2})
        await pilot.pause()
        assert "↻" in row_text(feeds, 1) and "↻" in row_text(feeds, 2)

        feeds.mark_done(1, new=50, title="The News Desk")
        feeds.mark_done(2, new=3, title="Their own title")
        await pilot.pause()
        first, second = row_text(feeds, 1), row_text(feeds, 2)
        assert "↻" not in first and "50" in first and "The News Desk" in first
        # A feed with a name of its own keeps it; its count still grows.
        assert "7" in second and "My name for it" in second and "Their own" not in second
        assert feeds.get_option_index("feed:2") == feeds.get_option_index("feed:1") + 1
