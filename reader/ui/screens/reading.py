"""The reading half of the main screen: the article pane, its outline, its links, history.

A mixin for `MainScreen` so each file keeps one job: this one opens entries and pages (in
workers), follows links inside the reader, walks back and forward, and keeps the outline in
step with the article. Handlers use Textual's `on_<message>` naming so they work from a mixin.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import TYPE_CHECKING

from textual import work
from textual.widgets import Input, Markdown

from reader.article.from_entry import article_from_entry
from reader.article.render import is_other_link, render_article
from reader.history import History, Place
from reader.models import Article, Entry, RenderedArticle
from reader.service import FeedService, merge_related, wants_full_article
from reader.store import Store
from reader.text import clean_line, is_http_url
from reader.ui.messages import ArticleReady, EntryChanged, PageFailed
from reader.ui.widgets.article_view import ArticleView, parse_markdown
from reader.ui.widgets.outline import Outline
from reader.ui.widgets.related_links import RelatedLinks, link_options

if TYPE_CHECKING:
    from textual.app import App

from textual.widget import Widget


class ReadingMixin:
    """Needs `store`, `service`, `set_status()` and `article_view` from the screen."""

    store: Store
    service: FeedService
    history: History
    place: Place | None
    open_entry: Entry | None
    shown_article: Article | None
    offered_link: str | None
    links_pane: RelatedLinks
    """The related-links pane (set on mount, so worker threads need no DOM query)."""

    if TYPE_CHECKING:
        app: App[None]
        focused: Widget | None

        def set_status(self, text: str, pin: bool = False) -> None: ...
        def query_one(self, selector: object, expect_type: object = None) -> object: ...
        def post_message(self, message: object) -> bool: ...
        def notify(self, message: str, **kwargs: object) -> None: ...
        def call_after_refresh(self, callback: object, *args: object) -> bool: ...
        def _open_url(self, url: str) -> None: ...
        @property
        def article_view(self) -> ArticleView: ...

    # ----------------------------------------------------------------- workers
    @work(thread=True, exclusive=True, group="article", exit_on_error=False)
    def load_article(
        self, entry_id: int, *, mark_read: bool = True, auto_page: bool = True, scroll_y: float = 0
    ) -> None:
        """An entry's article in one thread call: its page straight from the page cache when
        the feed wants full articles and the page is cached; else the entry's own content
        at once, and the page fetched after. Marked read once the article is on screen."""
        entry = self.store.get_entry(entry_id)
        if entry is None:
            return
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
            ready = self._prepared(place, article, entry, fetch_page=fetch, mark_read=mark_read)
        self.post_message(ready)

    @work(thread=True, group="mark-read", exit_on_error=False)
    def _mark_read(self, entry_id: int) -> None:
        """Mark read after the article is drawn: the entry and feed lists it updates (and the
        write) would otherwise share the article's first frame."""
        self.store.set_read(entry_id, True)
        entry = self.store.get_entry(entry_id)
        if entry is not None:
            self.post_message(EntryChanged(entry))

    @work(exclusive=True, group="article", exit_on_error=False)
    async def load_page(self, place: Place, *, refresh: bool = False) -> None:
        """A page in reader mode: from the cache at once, else fetched and extracted."""
        entry, place, found_on = await asyncio.to_thread(self._page_context, place)
        result = await self.service.read_page(place.url, refresh=refresh, found_on=found_on)
        if result.article is None:
            self.post_message(PageFailed(place, result.error or "the page could not be read"))
            return
        article = _with_entry_related(result.article, entry)
        ready = await asyncio.to_thread(
            self._prepared, place, article, entry, from_cache=result.from_cache
        )
        self.post_message(ready)

    def _page_context(self, place: Place) -> tuple[Entry | None, Place, str | None]:
        """(In a thread.) The page's entry, where it was last read, where its link was found."""
        entry = self.store.get_entry(place.entry_id) if place.entry_id is not None else None
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

    # ----------------------------------------------------------------- results
    async def on_article_ready(self, message: ArticleReady) -> None:
        self.remember_position()
        self.offered_link = None
        self.place = message.place
        self.shown_article = message.article
        if message.entry is not None:
            self.open_entry = message.entry
        elif message.place.entry_id is None:
            self.open_entry = None
        view = self.article_view
        feed_title = message.entry.feed_title if message.entry else ""
        self.find_matches = []
        with self.app.batch_update():  # one layout and one frame for all three panes
            if message.link_options is not None:
                self.links_pane.show_options(message.link_options)
            else:
                self.links_pane.show_links(
                    message.article.related, message.rendered.body_links, message.known_links
                )
            await view.show_article(message.article, message.rendered, feed_title, message.tokens)
            self.query_one(Outline).show_headings(view.body.table_of_contents)
            if message.place.scroll_y:
                view.restore_scroll(message.place.scroll_y)
            source = "full article" if message.article.source == "page" else "feed content"
            view.border_subtitle = source + (" · cached" if message.from_cache else "")
        if message.mark_read and message.entry is not None and message.entry.id is not None:
            # After the frame that shows the article: the lists' updates are not in its way.
            self.call_after_refresh(self._mark_read, message.entry.id)
        if message.fetch_page:
            view.border_subtitle = "fetching the full article…"
            self.set_status(f"Fetching the full article from {clean_line(message.place.url, 200)}")
            self.load_page(Place(message.place.url, message.place.entry_id, "page"))
        elif message.article.source == "page":
            self.set_status(clean_line(message.place.url, 300))

    def remember_position(self) -> None:
        """Save how far the article on screen was read, so it reopens there."""
        if self.place is not None:
            self._save_position(self.place.key, self.article_view.scroll_y)

    @work(thread=True, group="positions", exit_on_error=False)
    def _save_position(self, key: str, scroll_y: float) -> None:
        self.store.set_position(key, scroll_y)

    def on_page_failed(self, message: PageFailed) -> None:
        error = clean_line(message.error, 300)
        view = self.article_view
        if self.place is not None and self.place.entry_id == message.place.entry_id:
            view.border_subtitle = "feed content · full article unavailable"
            self.set_status(
                f"Full article unavailable: {error}. Showing the feed's content.", pin=True
            )
        else:
            self.set_status(f"Cannot read {clean_line(message.place.url, 120)}: {error}", pin=True)
        self.notify(f"Cannot read the page: {error}", severity="warning", markup=False)

    # ----------------------------------------------------------------- outline and links
    def on_markdown_table_of_contents_updated(
        self, message: Markdown.TableOfContentsUpdated
    ) -> None:
        message.stop()
        # The article on screen now, not the message's: one for an article already
        # replaced may arrive after the next one is shown. Usually the same: a no-op.
        self.query_one(Outline).show_headings(self.article_view.body.table_of_contents)

    def on_outline_heading_selected(self, message: Outline.HeadingSelected) -> None:
        self.article_view.scroll_to_block(message.block_id)

    def on_related_links_link_chosen(self, message: RelatedLinks.LinkChosen) -> None:
        if message.link.kind == "image":
            self._open_url(message.link.url)  # an image is for the browser, not the reader
            return
        self.follow_link(message.link.url)

    def on_markdown_link_clicked(self, message: Markdown.LinkClicked) -> None:
        message.stop()
        self.follow_link(message.href)

    def on_article_view_current_heading(self, message: ArticleView.CurrentHeading) -> None:
        self.query_one(Outline).mark_current(message.block_id)

    def follow_link(self, url: str) -> None:
        """Read a link's page in the reader, remembering where we were. Only http(s) is
        ever fetched: any other link is copied and offered to `o` instead."""
        if not is_http_url(url):
            self.offer_link(url)
            return
        self.offered_link = None
        here = self._here()
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
        self.set_status(text, pin=True)

    def _here(self) -> Place | None:
        if self.place is None:
            return None
        return self.place.at(self.article_view.scroll_y)

    def _go_to(self, place: Place) -> None:
        if place.view == "feed" and place.entry_id is not None:
            self.load_article(
                place.entry_id, mark_read=False, auto_page=False, scroll_y=place.scroll_y
            )
        else:
            self.load_page(place)

    # ----------------------------------------------------------------- actions
    def action_back(self) -> None:
        here = self._here()
        place = self.history.back(here) if here is not None else None
        if place is None:
            self.set_status("Nothing to go back to.")
            return
        self._go_to(place)

    def action_forward(self) -> None:
        here = self._here()
        place = self.history.forward(here) if here is not None else None
        if place is None:
            self.set_status("Nothing ahead.")
            return
        self._go_to(place)

    def action_full_article(self) -> None:
        """Fetch (again) the page of what is shown and read it in reader mode."""
        if self.place is None or not is_http_url(self.place.url):
            self.set_status("No page to fetch for this article.")
            return
        self.article_view.border_subtitle = "fetching the full article…"
        self.load_page(Place(self.place.url, self.place.entry_id, "page"), refresh=True)

    def action_feed_view(self) -> None:
        """Show the entry's own content from the feed again."""
        entry_id = self.place.entry_id if self.place else None
        if entry_id is None:
            self.set_status("This page did not come from a feed entry.")
            return
        self.load_article(entry_id, mark_read=False, auto_page=False)

    # ----------------------------------------------------------------- find in the article
    find_matches: list[Widget]
    find_index: int = 0

    def action_find(self) -> None:
        box = self.query_one("#find", Input)
        box.display = True
        box.focus()

    def find_in_article(self, text: str, step: int = 0) -> None:
        """Go to the next (step=1), previous (-1) or first (0) block containing `text`."""
        if step == 0:
            self.find_matches = self.article_view.find(text)
            self.find_index = 0
        elif self.find_matches:
            self.find_index = (self.find_index + step) % len(self.find_matches)
        matches = self.find_matches
        if not matches:
            self.set_status(f"Not in this article: {clean_line(text, 80)}" if text else "")
            return
        self.article_view.scroll_to_widget(matches[self.find_index], top=True, animate=False)
        self.set_status(f"Match {self.find_index + 1} of {len(matches)}: Enter / ↓ next, ↑ back")

    def action_find_next(self) -> None:
        box = self.query_one("#find", Input)
        if box.value:
            self.find_in_article(box.value, +1)

    def action_find_previous(self) -> None:
        box = self.query_one("#find", Input)
        if box.value:
            self.find_in_article(box.value, -1)

    def close_find(self) -> bool:
        box = self.query_one("#find", Input)
        if not box.display:
            return False
        box.display = False
        self.article_view.find("")
        self.article_view.focus()
        return True

    def action_next_heading(self) -> None:
        self.article_view.jump_heading(+1)

    def action_previous_heading(self) -> None:
        self.article_view.jump_heading(-1)

    def action_copy_link(self) -> None:
        """Copy the highlighted link, else a mail/phone/FTP link just chosen in the article,
        else the article's, to the clipboard (OSC 52)."""
        related = self.links_pane
        url = ""
        if self.focused is related and related.current_link is not None:
            url = related.current_link.url
        elif self.offered_link is not None:
            url = self.offered_link
        elif self.place is not None:
            url = self.place.url
        if not url:
            self.set_status("No link to copy.")
            return
        self.app.copy_to_clipboard(url)
        self.set_status(f"Copied {clean_line(url, 300)}")


def _with_entry_related(article: Article, entry: Entry | None) -> Article:
    """The page's related links merged with the feed entry's own (Atom rel="related")."""
    if entry is None or not entry.related:
        return article
    return replace(article, related=merge_related(entry.related, article.related))


def _link_urls(article: Article, rendered: RenderedArticle) -> list[str]:
    return [link.url for link in (*article.related, *rendered.body_links)]
