"""The article pane: a header (title, deck, byline) above the body rendered from Markdown.

The body is a `Markdown` widget with `open_links=False`: a click on a link posts
`Markdown.LinkClicked`, which the screen checks (http(s) only) before doing anything.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Markdown, Static

from reader.models import Article, RenderedArticle
from reader.text import clean_line

WELCOME = (
    "Pick a feed on the left, then an entry: Enter opens it here.\n\n"
    "Tab / Shift+Tab move between panes, ? lists every key."
)


def article_header(article: Article, feed_title: str = "") -> Content:
    """Title, deck and a byline line (author · date · site), every piece inert text."""
    parts: list[Content] = [
        Content.from_markup(
            "[b $primary]$title[/]", title=clean_line(article.title) or "(untitled)"
        )
    ]
    deck = clean_line(article.deck, 1000)
    if deck:
        parts.append(Content.from_markup("\n[i]$deck[/]", deck=deck))
    meta = [clean_line(article.byline, 200)]
    if article.published is not None:
        meta.append(article.published.astimezone().strftime("%a %d %b %Y, %H:%M"))
    meta.append(clean_line(feed_title or article.site_name, 200))
    byline = " · ".join(m for m in meta if m)
    if byline:
        parts.append(Content.from_markup("\n[dim]$byline[/]", byline=byline))
    return Content.assemble(*parts)


class ArticleView(VerticalScroll, can_focus=True):
    """Scrolls the whole article; the body widget is shared with the outline."""

    BINDINGS = [
        Binding("j", "scroll_down", "Down", show=False),
        Binding("k", "scroll_up", "Up", show=False),
        Binding("space", "page_down", "Page down", show=False),
        Binding("b", "page_up", "Page up", show=False),
    ]

    def compose(self) -> ComposeResult:
        yield Static(Content(WELCOME), id="article-header")
        yield Markdown(id="article-body", open_links=False)

    @property
    def body(self) -> Markdown:
        return self.query_one("#article-body", Markdown)

    async def show_article(
        self, article: Article, rendered: RenderedArticle, feed_title: str = ""
    ) -> None:
        self.query_one("#article-header", Static).update(article_header(article, feed_title))
        await self.body.update(rendered.markdown)
        self.scroll_home(animate=False)

    def scroll_to_block(self, block_id: str) -> None:
        """Bring a heading (by its Markdown block id) to the top of the pane."""
        block = self.body.query_one_optional(f"#{block_id}")
        if block is not None:
            self.scroll_to_widget(block, top=True, animate=False)
