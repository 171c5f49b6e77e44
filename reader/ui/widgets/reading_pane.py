"""The reading pane: the article, its outline, its links, find-in-article and history.

One compound widget that owns what is being read (the open entry, the place, the article
shown, back/forward history, a non-web link just chosen) and says what happened through its
own messages; the screen only routes them to the other panes. Its workers read the store and
fetch pages through the service (SQLite and parsing in threads, the network async).
"""

from __future__ import annotations

import asyncio
from contextlib import AbstractContextManager
from dataclasses import replace

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container, Vertical
from textual.content import Content
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import Input, Markdown, OptionList

from reader.article.from_entry import article_from_entry
from reader.article.render import is_other_link, render_article
from reader.history import History, Place
from reader.models import Article, Entry, Link, RenderedArticle
from reader.service import FeedService, merge_related, wants_full_article
from reader.store import Store
from reader.text import clean_line, is_http_url
from reader.ui import collector
from reader.ui.compat import MarkdownBlock, block_content, set_block_content
from reader.ui.focus import focus_now
from reader.ui.layout import Sidebar
from reader.ui.messages import ArticleReady, EntryChanged, PageFailed
from reader.ui.widgets.article_image import ArticleImageBlock, make_pictures
from reader.ui.widgets.article_view import ArticleView, parse_markdown
from reader.ui.widgets.find_box import FindBox
from reader.ui.widgets.link_hints import HintBox, is_complete, with_hints
from reader.ui.widgets.outline import Outline
from reader.ui.widgets.related_links import RelatedLinks, link_options

READING_IDS = frozenset({"reading", "article", "outline", "related", "find", "hints"})
"""Ids of the pane and the widgets inside it that take focus."""


class ReadingPane(Container):
    """Article + outline + related links + find box, with the reading history."""

    BINDINGS = [
        Binding("f", "full_article", "Full article", show=False, id="full-article"),
        Binding("v", "feed_view", "Feed's own content", show=False, id="feed-view"),
        Binding("H,backspace,alt+left", "back", "Back", show=False, id="back"),
        Binding("L,alt+right", "forward", "Forward", show=False, id="forward"),
        Binding("right_square_bracket", "next_heading", "Next heading", show=False, id="next-h"),
        Binding(
            "left_square_bracket",
            "previous_heading",
            "Previous heading",
            show=False,
            id="previous-h",
        ),
        Binding("y", "copy_link", "Copy link", show=False, id="copy-link"),
        Binding("ctrl+g", "find_next", "Next match", show=False, id="find-next"),
        Binding("z", "zoom", "Article alone / all panes", show=False, id="zoom"),
        Binding("g", "link_hints", "Follow a link by its number", show=False, id="link-hints"),
        Binding("I", "toggle_pictures", "Pictures on / off", show=False, id="toggle-pictures"),
    ]

    # ----------------------------------------------------------------- messages
    class EntryOpened(Message):
        """The pane now shows this entry (its own content or its page)."""

        def __init__(self, entry: Entry) -> None:
            super().__init__()
            self.entry = entry

    class EntryRead(Message):
        """An entry was marked read by reading it; `copies`: the same story in other feeds
        (read too), so their rows and counts follow."""

        def __init__(self, entry: Entry, copies: tuple[Entry, ...] = ()) -> None:
            super().__init__()
            self.entry = entry
            self.copies = copies

    class Status(Message):
        """A line for the status bar; `pin` keeps it until the user presses a key."""

        def __init__(self, text: str, pin: bool = False) -> None:
            super().__init__()
            self.text = text
            self.pin = pin

    class OpenLink(Message):
        """A link for the desktop (browser or the scheme's app), not for the reader."""

        def __init__(self, url: str) -> None:
            super().__init__()
            self.url = url

    class LayoutChanged(Message):
        """Something the screen's layout depends on changed (an article is shown, zoom)."""

    # ----------------------------------------------------------------- state
    article_shown: reactive[bool] = reactive(False, init=False)
    """An article (not the welcome text) is in the pane."""
    zoomed: reactive[bool] = reactive(False, init=False)
    """The article has the whole screen (z)."""

    def __init__(self, store: Store, service: FeedService, *, id: str | None = "reading") -> None:
        super().__init__(id=id)
        self.store = store
        self.service = service
        self.entry: Entry | None = None
        """The feed entry being read (None for a page reached by a link, or nothing yet)."""
        self.place: Place | None = None
        """What the article pane shows (None before the first article)."""
        self.shown_article: Article | None = None
        self.offered_link: str | None = None
        """A link that is not a web page, just chosen in the article: `o` / `y` act on it."""
        self.history = History()
        self.find_matches: list[Widget] = []
        self.find_index = 0
        self._hinted: dict[Widget, Content] = {}
        """Blocks showing link numbers, with their own text to put back."""
        self._hinted_pictures: list[ArticleImageBlock] = []

    def compose(self) -> ComposeResult:
        with Vertical(id="article-column"):
            settings = self.service.settings
            yield ArticleView(
                id="article",
                text_width=settings.article_width,
                animate_scroll=settings.animation,
            )
            find = FindBox(id="find", placeholder="Find in this article")
            find.display = False
            yield find
            hints = HintBox(id="hints", placeholder="Link number: Enter follows, Escape cancels")
            hints.display = False
            yield hints
        with Container(id="sidebar"):
            yield Outline(id="outline")
            yield RelatedLinks(id="related")

    def on_mount(self) -> None:
        for selector, title in (
            ("#article", "Article"),
            ("#outline", "Outline"),
            ("#related", "Related links"),
        ):
            self.query_one(selector).border_title = title
        self.links_pane = self.query_one(RelatedLinks)
        """Kept so worker threads need no DOM query."""
        self.pictures = make_pictures(self.app, self.store, self.service)
        self.article_view.body.pictures = self.pictures

    async def on_unmount(self) -> None:
        self._release_frames()
        collector.release()
        loader = self.pictures.loader if getattr(self, "pictures", None) else None
        if loader is not None:
            await loader.aclose()

    # ----------------------------------------------------------------- pictures
    def action_toggle_pictures(self) -> None:
        """I: pictures on or off for this session (off: their alt text only)."""
        if self.pictures.protocol == "off":
            self._status('Pictures are off in the config ([images] mode = "off").')
            return
        on = self.article_view.toggle_pictures()
        self._status("Pictures on." if on else "Pictures off: alt text only (p shows them).")

    def on_article_image_block_chosen(self, message: ArticleImageBlock.Chosen) -> None:
        """A click on a picture: `o` opens it in the browser, `y` copies its address."""
        message.stop()
        self.offered_link = message.url
        shown = clean_line(message.url, 200)
        self._status(f"Picture: o opens it, y copies its address. {shown}", pin=True)

    @property
    def article_view(self) -> ArticleView:
        return self.query_one(ArticleView)

    @property
    def outline(self) -> Outline:
        return self.query_one(Outline)

    @property
    def find_box(self) -> FindBox:
        return self.query_one(FindBox)

    def watch_article_shown(self) -> None:
        self.post_message(self.LayoutChanged())

    def watch_zoomed(self) -> None:
        self.post_message(self.LayoutChanged())

    def action_zoom(self) -> None:
        """z: the article alone on the screen, and back."""
        self.zoomed = not self.zoomed
        self.focus_article()

    def place_sidebar(self, sidebar: Sidebar, width: int, below_height: int = 8) -> None:
        """Place the outline/links column beside the article (`width` columns), below it
        (`below_height` rows), or nowhere. Inline sizes only: a class on the pane would
        restyle every block of the article."""
        column = self.query_one("#sidebar")
        column.display = sidebar != "hidden"
        below = sidebar == "below"
        self.styles.layout = "vertical" if below else "horizontal"
        column.set_class(below, "-below")
        if below:
            column.styles.width = "100%"
            column.styles.height = below_height
        elif width:
            column.styles.width = width
            column.styles.height = "1fr"

    def _status(self, text: str, pin: bool = False) -> None:
        self.post_message(self.Status(text, pin))

    # ----------------------------------------------------------------- public API
    def open_entry(
        self,
        entry_id: int,
        *,
        mark_read: bool = True,
        auto_page: bool = True,
        scroll_y: float = 0,
        new_reading: bool = False,
        fetch_page: bool = True,
    ) -> None:
        """Show an entry (its page when the feed wants full articles). `new_reading`: a
        reading starts here (from the list), so the history is cleared. Without
        `fetch_page`, a page not in the cache is not fetched (the feed's content shows)."""
        if new_reading:
            self.history.clear()
        self._hold_frames()
        # The panes take their reading sizes now, while the worker reads the article, so
        # it is laid out once, in its final width, instead of again after it is drawn.
        self.article_shown = True
        self.load_article(
            entry_id,
            mark_read=mark_read,
            auto_page=auto_page,
            scroll_y=scroll_y,
            fetch_page=fetch_page,
        )

    HOLD_FRAMES_SECONDS = 0.15
    """How long the screen may wait for the article being opened before it is painted."""
    _hold: AbstractContextManager[None] | None = None

    def _hold_frames(self) -> None:
        """No frame until the article opened is shown (or HOLD_FRAMES_SECONDS pass): the
        panes' new arrangement (Enter moves the focus here) and the article are painted in
        one frame. Painted apart, the first frame (~20-40 ms) was spent while the worker
        rendered the article, sharing the GIL with it, and the article came ~30 ms later.
        The garbage collector is held too, until the article is whole (`collector`)."""
        if not collector.held():
            collector.hold()
            self.set_timer(collector.HOLD_SECONDS, collector.release)
        if self._hold is not None:
            return
        hold = self.app.batch_update()
        hold.__enter__()
        self._hold = hold
        self.set_timer(self.HOLD_FRAMES_SECONDS, self._release_frames)

    def _release_frames(self) -> None:
        hold, self._hold = self._hold, None
        if hold is not None:
            hold.__exit__(None, None, None)

    def focus_article(self) -> None:
        self.article_view.focus()

    def here(self) -> Place | None:
        """What is shown and how far it is read (None before the first article)."""
        if self.place is None:
            return None
        return self.place.at(self.article_view.scroll_y)

    def entry_changed(self, entry: Entry) -> None:
        """The store changed an entry (read, starred): keep the open one up to date."""
        if self.entry is not None and self.entry.id == entry.id:
            self.entry = entry

    def url_to_open(self) -> str | None:
        """What `o` opens from here: the highlighted link (links pane focused), else a
        mail/phone/FTP link just chosen (used once), else the page on screen."""
        related = self.links_pane
        if related.has_focus and related.current_link is not None:
            return related.current_link.url
        if self.offered_link is not None:
            url, self.offered_link = self.offered_link, None
            return url
        if self.place is not None and self.place.url:
            return self.place.url
        return None

    def remember_position(self) -> None:
        """Save how far the article on screen was read, so it reopens there."""
        if self.place is not None:
            self._save_position(self.place.key, self.article_view.scroll_y)

    def close_find(self) -> bool:
        """Escape: hide the find box. False when it was not open."""
        box = self.find_box
        if not box.display:
            return False
        box.display = False
        self.article_view.find("")
        self.article_view.focus()
        self._status("")  # its "Match 2 of 4: Enter / ↓ next" line is over
        return True

    def follow_link(self, url: str) -> None:
        """Read a link's page in the reader, remembering where we were. Only http(s) is
        ever fetched: any other link is copied and offered to `o` instead."""
        if not is_http_url(url):
            self.offer_link(url)
            return
        self.offered_link = None
        here = self.here()
        self.history.visit(here)
        origin = here.url if here is not None else ""
        self.load_page(Place(url=url, view="page", found_on=origin))

    def offer_link(self, url: str) -> None:
        """A link that is not a web page (mailto:, tel:, ftp:…): never fetched. It goes to
        the clipboard at once (OSC 52) and `o` hands it to the desktop's app."""
        self.app.copy_to_clipboard(url)
        shown = clean_line(url, 200)
        if is_other_link(url):
            self.offered_link = url
            text = f"Not an http(s) link, so not read here: copied; o opens it in its app. {shown}"
        else:
            self.offered_link = None
            text = f"Not an http(s) link, so not read here (nor opened): copied. {shown}"
        self._status(text, pin=True)

    # ----------------------------------------------------------------- workers
    @work(thread=True, exclusive=True, group="article", exit_on_error=False)
    def load_article(
        self,
        entry_id: int,
        *,
        mark_read: bool = True,
        auto_page: bool = True,
        scroll_y: float = 0,
        fetch_page: bool = True,
    ) -> None:
        """An entry's article in one thread call: its page straight from the page cache when
        the feed wants full articles and the page is cached; else the entry's own content
        at once, and the page fetched after. Marked read once the article is on screen."""
        entry = self.store.get_entry(entry_id)
        if entry is None:
            return
        entry = _with_other_feeds(entry, self.store.entries_for_link(entry.link))
        feed = self.store.get_feed(entry.feed_id) if entry.feed_id is not None else None
        mode = feed.full_article if feed is not None else "auto"
        fetch = auto_page and wants_full_article(entry, mode)
        cached = self.store.get_page(entry.link) if fetch else None
        if cached is not None:
            page = Place(entry.link, entry.id, "page")
            place = page.at(scroll_y or self.store.get_position(page.key) or 0.0)
            article = _with_entry_related(cached.article, entry)
            ready = self._prepared(place, article, entry, from_cache=True, mark_read=mark_read)
        else:
            article = article_from_entry(entry, feed_title=feed.title if feed else "")
            place = Place(url=entry.link, entry_id=entry.id, view="feed", scroll_y=scroll_y)
            if not scroll_y:
                place = place.at(self.store.get_position(place.key) or 0.0)
            ready = self._prepared(
                place, article, entry, fetch_page=fetch and fetch_page, mark_read=mark_read
            )
        self.post_message(ready)

    @work(thread=True, group="mark-read", exit_on_error=False)
    def _mark_read(self, entry_id: int) -> None:
        """Mark read (every copy of the story) after the article is drawn: the entry and
        feed lists it updates (and the write) would otherwise share the article's first
        frame. An entry already read changes nothing: no message, no reload."""
        before = self.store.get_entry(entry_id)
        if before is None or before.read:
            return
        self.store.set_read(entry_id, True)
        entry = self.store.get_entry(entry_id)
        if entry is None:
            return
        copies = tuple(c for c in self.store.entries_for_link(entry.link) if c.id != entry.id)
        self.post_message(self.EntryRead(entry, copies))

    @work(exclusive=True, group="article", exit_on_error=False)
    async def load_page(
        self, place: Place, *, refresh: bool = False, mark_read: bool = True
    ) -> None:
        """A page in reader mode: from the cache at once, else fetched and extracted.
        `mark_read`: the page is a new reading (a link, history), so the story is read."""
        entry, place, found_on = await asyncio.to_thread(self._page_context, place)
        result = await self.service.read_page(place.url, refresh=refresh, found_on=found_on)
        if result.article is None:
            self.post_message(PageFailed(place, result.error or "the page could not be read"))
            return
        article = _with_entry_related(result.article, entry)
        ready = await asyncio.to_thread(
            self._prepared, place, article, entry, from_cache=result.from_cache
        )
        if entry is None:
            # A page reached by a link (or history) may be a story from one of the feeds.
            stories = await asyncio.to_thread(self.store.entries_for_link, place.url)
            ready.story_id = stories[0].id if stories else None
        ready.mark_read = mark_read  # reading a page of a story, any way, reads it
        if result.updated:
            ready.updated = await asyncio.to_thread(self._entries, result.updated)
        self.post_message(ready)

    def _entries(self, ids: tuple[int, ...]) -> tuple[Entry, ...]:
        """(In a thread.) The stored entries with these ids, as they are now."""
        return tuple(e for e in map(self.store.get_entry, ids) if e is not None)

    def _page_context(self, place: Place) -> tuple[Entry | None, Place, str | None]:
        """(In a thread.) The page's entry, where it was last read, where its link was found."""
        entry = self.store.get_entry(place.entry_id) if place.entry_id is not None else None
        if entry is not None:
            entry = _with_other_feeds(entry, self.store.entries_for_link(entry.link))
        if not place.scroll_y:
            place = place.at(self.store.get_position(place.key) or 0.0)
        found_on = None
        if entry is not None and entry.feed_id is not None:
            feed = self.store.get_feed(entry.feed_id)
            found_on = feed.url if feed is not None else None
        elif place.entry_id is None:
            found_on = place.found_on or None
        return entry, place, found_on

    def _prepared(
        self,
        place: Place,
        article: Article,
        entry: Entry | None,
        *,
        fetch_page: bool = False,
        from_cache: bool = False,
        mark_read: bool = False,
    ) -> ArticleReady:
        """(In a thread.) Everything the panes need, so the event loop only mounts widgets:
        the rendered article, its body parsed into Markdown tokens, which links are known."""
        rendered = render_article(article)
        tokens = parse_markdown(rendered.markdown)
        known = self.store.link_states(_link_urls(article, rendered))
        width = self.links_pane.prompt_width  # an int set on the loop: safe to read here
        links = link_options(article.related, rendered.body_links, known, width)
        return ArticleReady(
            place,
            article,
            rendered,
            entry,
            fetch_page=fetch_page,
            from_cache=from_cache,
            known_links=known,
            tokens=tokens,
            mark_read=mark_read,
            link_options=links,
        )

    @work(thread=True, group="positions", exit_on_error=False)
    def _save_position(self, key: str, scroll_y: float) -> None:
        self.store.set_position(key, scroll_y)

    # ----------------------------------------------------------------- results
    async def on_article_ready(self, message: ArticleReady) -> None:
        message.stop()
        self.remember_position()
        self.close_hints()
        self.offered_link = None
        self.place = message.place
        self.shown_article = message.article
        if message.entry is not None:
            self.entry = message.entry
        elif message.place.entry_id is None:
            self.entry = None
        view = self.article_view
        feed_title = _feeds_line(message.entry) if message.entry else ""
        self.find_matches = []
        with self.app.batch_update():  # one layout and one frame for the article
            # The outline and the links fill in the frame after the article's first: their
            # option lists cost that frame about as much as the text did.
            self.links_pane.clear_links()
            self.outline.show_headings([])
            files = message.entry.enclosures if message.entry is not None else ()
            await view.show_article(
                message.article,
                message.rendered,
                feed_title,
                message.tokens,
                files,
                scroll_y=message.place.scroll_y,
            )
            self.call_after_refresh(self._show_sidebar, message)
            if message.place.scroll_y:
                view.restore_scroll(message.place.scroll_y)
            source = "full article" if message.article.source == "page" else "feed content"
            view.border_subtitle = source + (" · cached" if message.from_cache else "")
        self._release_frames()
        self.article_shown = True
        if message.entry is not None:
            self.post_message(self.EntryOpened(message.entry))
        read_id = message.entry.id if message.entry is not None else message.story_id
        if message.mark_read and read_id is not None:
            # After the frame that shows the article: the lists' updates are not in its way.
            self.call_after_refresh(self._mark_read, read_id)
        if message.fetch_page:
            view.border_subtitle = "fetching the full article…"
            self._status(f"Fetching the full article from {clean_line(message.place.url, 200)}")
            page = Place(message.place.url, message.place.entry_id, "page")
            self.load_page(page, mark_read=message.mark_read)
        elif message.updated:
            # Its earlier page is kept: say so, and mark the entries updated in the list.
            for entry in message.updated:
                self.post_message(EntryChanged(entry))
            self._status(
                "Page changed since you read it (earlier text kept): C shows what changed.",
                pin=True,
            )
        elif message.article.source == "page":
            self._status(clean_line(message.place.url, 300))

    def _show_sidebar(self, message: ArticleReady) -> None:
        """The outline and the links of the article in `message`, if it is still shown."""
        if self.shown_article is not message.article:
            return
        if message.link_options is not None:
            self.links_pane.show_options(message.link_options)
        else:
            self.links_pane.show_links(
                message.article.related, message.rendered.body_links, message.known_links
            )
        self.outline.show_headings(self.article_view.body.table_of_contents)

    def on_page_failed(self, message: PageFailed) -> None:
        message.stop()
        self._release_frames()
        collector.release()
        error = clean_line(message.error, 300)
        view = self.article_view
        if self.place is not None and self.place.entry_id == message.place.entry_id:
            view.border_subtitle = "feed content · full article unavailable"
            self._status(f"Full article unavailable: {error}. Showing the feed's content.", True)
        else:
            self._status(f"Cannot read {clean_line(message.place.url, 120)}: {error}", True)
        self.notify(f"Cannot read the page: {error}", severity="warning", markup=False)

    # ----------------------------------------------------------------- outline and links
    def on_markdown_table_of_contents_updated(
        self, message: Markdown.TableOfContentsUpdated
    ) -> None:
        message.stop()
        # The article on screen now, not the message's: one for an article already
        # replaced may arrive after the next one is shown. Usually the same: a no-op. After
        # the next frame, as `_show_sidebar`: the article's first frame is not held up.
        self.call_after_refresh(self._show_outline)

    def _show_outline(self) -> None:
        self.outline.show_headings(self.article_view.body.table_of_contents)

    def on_outline_heading_selected(self, message: Outline.HeadingSelected) -> None:
        message.stop()
        self.article_view.scroll_to_block(message.block_id)

    def on_related_links_link_chosen(self, message: RelatedLinks.LinkChosen) -> None:
        message.stop()
        self._choose(message.link)

    def _choose(self, link: Link) -> None:
        if link.kind == "image":
            self.post_message(self.OpenLink(link.url))  # for the browser, not the reader
            return
        self.follow_link(link.url)

    @on(OptionList.OptionHighlighted, "#related")
    def _link_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        link = self.links_pane.current_link
        if link is not None:
            self._status(link.url)

    @on(OptionList.OptionHighlighted, "#outline")
    def _heading_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()

    def on_markdown_link_clicked(self, message: Markdown.LinkClicked) -> None:
        message.stop()
        self.follow_link(message.href)

    def on_article_view_current_heading(self, message: ArticleView.CurrentHeading) -> None:
        message.stop()
        self.outline.mark_current(message.block_id)

    def _go_to(self, place: Place) -> None:
        if place.view == "feed" and place.entry_id is not None:
            self.load_article(place.entry_id, auto_page=False, scroll_y=place.scroll_y)
        else:
            self.load_page(place)

    # ----------------------------------------------------------------- actions
    def action_back(self) -> None:
        here = self.here()
        place = self.history.back(here) if here is not None else None
        if place is None:
            self._status("Nothing to go back to.")
            return
        self._go_to(place)

    def action_forward(self) -> None:
        here = self.here()
        place = self.history.forward(here) if here is not None else None
        if place is None:
            self._status("Nothing ahead.")
            return
        self._go_to(place)

    def action_full_article(self) -> None:
        """Fetch (again) the page of what is shown and read it in reader mode."""
        if self.place is None or not is_http_url(self.place.url):
            self._status("No page to fetch for this article.")
            return
        self.article_view.border_subtitle = "fetching the full article…"
        page = Place(self.place.url, self.place.entry_id, "page")
        self.load_page(page, refresh=True, mark_read=False)

    def action_feed_view(self) -> None:
        """Show the entry's own content from the feed again."""
        entry_id = self.place.entry_id if self.place else None
        if entry_id is None:
            self._status("This page did not come from a feed entry.")
            return
        self.load_article(entry_id, mark_read=False, auto_page=False)

    def action_next_heading(self) -> None:
        self.article_view.jump_heading(+1)

    def action_previous_heading(self) -> None:
        self.article_view.jump_heading(-1)

    def action_copy_link(self) -> None:
        """Copy the highlighted link, else a mail/phone/FTP link just chosen in the article,
        else the article's, to the clipboard (OSC 52)."""
        related = self.links_pane
        url = ""
        if related.has_focus and related.current_link is not None:
            url = related.current_link.url
        elif self.offered_link is not None:
            url = self.offered_link
        elif self.place is not None:
            url = self.place.url
        if not url:
            self._status("No link to copy.")
            return
        self.app.copy_to_clipboard(url)
        self._status(f"Copied {clean_line(url, 300)}")

    # ----------------------------------------------------------------- find in the article
    def action_find(self) -> None:
        """ctrl+f (a priority key on the screen): the box gets the keys typed after it."""
        box = self.find_box
        box.display = True
        focus_now(box)

    def action_find_next(self) -> None:
        if self.find_box.value:
            self.find_in_article(self.find_box.value, +1)

    def action_find_previous(self) -> None:
        if self.find_box.value:
            self.find_in_article(self.find_box.value, -1)

    def find_in_article(self, text: str, step: int = 0) -> None:
        """Go to the next (step=1), previous (-1) or first (0) block containing `text`."""
        if step == 0:
            self.find_matches = self.article_view.find(text)
            self.find_index = 0
        elif self.find_matches:
            self.find_index = (self.find_index + step) % len(self.find_matches)
        matches = self.find_matches
        if not matches:
            self._status(f"Not in this article: {clean_line(text, 80)}" if text else "")
            return
        self.article_view.scroll_to_widget(matches[self.find_index], top=True, animate=False)
        self._status(f"Match {self.find_index + 1} of {len(matches)}: Enter / ↓ next, ↑ back")

    @on(Input.Changed, "#find")
    def _find_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.find_in_article(event.value)

    @on(Input.Submitted, "#find")
    def _find_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.find_in_article(event.value, +1)

    def on_find_box_step(self, message: FindBox.Step) -> None:
        message.stop()
        if self.find_box.value:
            self.find_in_article(self.find_box.value, message.step)

    # ----------------------------------------------------------------- link hints
    @property
    def hint_box(self) -> HintBox:
        return self.query_one(HintBox)

    def action_link_hints(self) -> None:
        """Number every link in view (the links pane's numbers); typing one follows it."""
        if self._hinted or self._hinted_pictures:
            self.close_hints()
            return
        links = self.links_pane.links
        numbers: dict[str, int] = {}
        for index, link in enumerate(links):
            numbers.setdefault(link.url, index + 1)
        view = self.article_view
        seen = view.content_region
        shown: list[int] = []
        for block in view.body.query(MarkdownBlock):
            content = block_content(block)
            if content is None or not block.region.overlaps(seen):
                continue
            if block.query(MarkdownBlock):
                continue  # a container: its inner blocks carry the text
            hinted, numbered = with_hints(content, numbers)
            if numbered:
                self._hinted[block] = content
                set_block_content(block, hinted)
                shown.extend(numbered)
        for picture in self.pictures.blocks:
            number = numbers.get(picture.image.url)
            if number is not None and picture.is_attached and picture.region.overlaps(seen):
                picture.show_hint(number)
                self._hinted_pictures.append(picture)
                shown.append(number)
        if not shown:
            self._status("No links in view. The links pane lists every link of the article.")
            return
        box = self.hint_box
        box.value = ""
        box.display = True
        focus_now(box)
        self._status(f"Links {min(shown)}-{max(shown)} in view: type a number (1-{len(links)})")

    def close_hints(self) -> None:
        """Take the numbers away again (Escape, a link followed, another article)."""
        for block, content in self._hinted.items():
            if block.is_attached:
                set_block_content(block, content)
        self._hinted = {}
        for picture in self._hinted_pictures:
            picture.show_hint(None)
        self._hinted_pictures = []
        box = self.hint_box
        if box.display:
            had_focus = box.has_focus
            box.display = False
            box.value = ""
            if had_focus:
                self.article_view.focus()

    def _follow_number(self, typed: str) -> None:
        links = self.links_pane.links
        number = int(typed) if typed.isdigit() else 0
        self.close_hints()
        if not 1 <= number <= len(links):
            self._status(f"No link numbered {typed}." if typed else "")
            return
        self._choose(links[number - 1])

    @on(Input.Changed, "#hints")
    def _hint_typed(self, event: Input.Changed) -> None:
        event.stop()
        if is_complete(event.value, len(self.links_pane.links)):
            self._follow_number(event.value)

    @on(Input.Submitted, "#hints")
    def _hint_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._follow_number(event.value)

    def on_hint_box_cancelled(self, message: HintBox.Cancelled) -> None:
        message.stop()
        self.close_hints()
        self._status("")  # the "type a number" line is over


def _with_entry_related(article: Article, entry: Entry | None) -> Article:
    """The page's related links merged with the feed entry's own (Atom rel="related")."""
    if entry is None or not entry.related:
        return article
    return replace(article, related=merge_related(entry.related, article.related))


def _link_urls(article: Article, rendered: RenderedArticle) -> list[str]:
    return [link.url for link in (*article.related, *rendered.body_links)]


def _with_other_feeds(entry: Entry, copies: list[Entry]) -> Entry:
    """The entry with `also_in` naming the other feeds that carry the same story."""
    others = dict.fromkeys(
        c.feed_title for c in copies if c.feed_id != entry.feed_id and c.feed_title
    )
    return replace(entry, also_in=tuple(others)) if others else entry


def _feeds_line(entry: Entry) -> str:
    """The byline's feed: its title, and the other feeds carrying the story by name (the
    lists show them only as `+N`)."""
    if not entry.also_in:
        return entry.feed_title
    return f"{entry.feed_title} (also in {', '.join(entry.also_in)})"
