"""The article pane: a header (title, deck, byline) above the body rendered from Markdown.

The body is a `Markdown` widget with `open_links=False`: a click on a link posts
`Markdown.LinkClicked`, which the screen checks (http(s) only) before doing anything.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Markdown, Static
from textual.widgets._markdown import MarkdownBlock, MarkdownHeader

from reader.models import Article, RenderedArticle
from reader.text import clean_line

WELCOME = (
    "Pick a feed on the left, then an entry: Enter opens it here.\n\n"
    "Tab / Shift+Tab move between panes, ? lists every key."
)


FIRST_PART_CHARS = 6000
"""A long article is mounted in two steps: about this much Markdown first (a screenful and
more), the rest right after the first frame, so the top shows without waiting for all."""


def split_markdown(text: str, size: int = FIRST_PART_CHARS) -> tuple[str, str]:
    """Cut Markdown at the first block boundary after `size` characters, never inside a
    fenced code block; ("", "") cuts nothing when the text is short."""
    if len(text) <= size * 1.5:
        return text, ""
    fence = ""
    position = 0
    lines = text.split("\n")
    for i, line in enumerate(lines):
        stripped = line.lstrip()
        if stripped.startswith(("```", "~~~")):
            marker = stripped[:3]
            if not fence:
                fence = marker
            elif stripped.startswith(fence):
                fence = ""
        position += len(line) + 1
        if position >= size and not fence and line == "" and i + 1 < len(lines):
            nxt = lines[i + 1]
            if nxt and not nxt.startswith((" ", "\t", ">", "-", "*", "|")) and not nxt[0].isdigit():
                return "\n".join(lines[: i + 1]), "\n".join(lines[i + 1 :])
    return text, ""


WORDS_PER_MINUTE = 230


def reading_minutes(markdown: str) -> int:
    """A reading-time estimate from the body's words (at least one minute for any text)."""
    words = len(markdown.split())
    return max(1, round(words / WORDS_PER_MINUTE)) if words else 0


def article_header(article: Article, feed_title: str = "", minutes: int = 0) -> Content:
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
    if minutes:
        meta.append(f"{minutes} min read")
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

    class CurrentHeading(Message):
        """The heading being read changed as the article scrolled (None: above the first)."""

        def __init__(self, block_id: str | None) -> None:
            super().__init__()
            self.block_id = block_id

    _current_heading: str | None = None
    _pending_y: float | None = None

    def restore_scroll(self, y: float) -> None:
        """Scroll to `y` as soon as the (newly mounted) article is tall enough for it."""
        self._pending_y = y
        self._apply_pending_scroll()

    def watch_virtual_size(self) -> None:
        self._apply_pending_scroll()

    def _apply_pending_scroll(self) -> None:
        y = self._pending_y
        if y is not None and self.max_scroll_y >= y:
            self._pending_y = None
            # force: during layout the scrollbar may not be "needed" yet.
            self.scroll_to(y=y, animate=False, immediate=True, force=True)

    def __init__(self, *, id: str | None = None, text_width: int = 0) -> None:
        super().__init__(id=id)
        self.text_width = text_width
        """The article's max width in columns (0: the pane's width)."""

    def compose(self) -> ComposeResult:
        yield Static(Content(WELCOME), id="article-header")
        body = Markdown(id="article-body", open_links=False)
        if self.text_width:
            body.styles.max_width = self.text_width
        yield body

    @property
    def body(self) -> Markdown:
        return self.query_one("#article-body", Markdown)

    async def show_article(
        self, article: Article, rendered: RenderedArticle, feed_title: str = ""
    ) -> None:
        self._pending_y = None
        minutes = reading_minutes(rendered.markdown)
        header = article_header(article, feed_title, minutes)
        self.query_one("#article-header", Static).update(header)
        self._generation += 1
        first, rest = split_markdown(rendered.markdown)
        await self.body.update(first)
        self.scroll_home(animate=False, immediate=True)
        if rest:
            generation = self._generation
            self.call_after_refresh(self._append_rest, rendered.markdown, generation)

    _generation = 0

    async def _append_rest(self, whole: str, generation: int) -> None:
        """The rest of a long article, once its top is on screen (unless another came)."""
        if generation == self._generation:
            await self.body.append(whole[len(self.body.source) :])

    def _headings(self) -> list[MarkdownHeader]:
        return [h for h in self.body.children if isinstance(h, MarkdownHeader) and h.id]

    def _heading_offsets(self) -> list[tuple[int, MarkdownHeader]]:
        """Each heading's top, in the scrolled content's coordinates."""
        top = self.region.y + self.styles.border.spacing.top - round(self.scroll_y)
        return [(h.region.y - top, h) for h in self._headings()]

    def watch_scroll_y(self, old: float, new: float) -> None:
        super().watch_scroll_y(old, new)
        current = None
        for offset, heading in self._heading_offsets():
            if offset <= new + 2:
                current = heading.id
        if current != self._current_heading:
            self._current_heading = current
            self.post_message(self.CurrentHeading(current))

    def jump_heading(self, step: int) -> None:
        """Scroll to the next (step=1) or previous (step=-1) heading."""
        offsets = self._heading_offsets()
        y = self.scroll_y
        if step > 0:
            targets = [h for offset, h in offsets if offset > y + 2]
            target = targets[0] if targets else None
        else:
            targets = [h for offset, h in offsets if offset < y - 1]
            target = targets[-1] if targets else None
        if target is None:
            if step < 0:
                self.scroll_home(animate=False)
            return
        self.scroll_to_widget(target, top=True, animate=False)

    def find(self, text: str) -> list[Widget]:
        """The article's blocks (header included) that contain `text`, in reading order.

        Each match is tinted (the `-found` class) until the next search."""
        for block in self.query(".-found"):
            block.remove_class("-found")
        needle = text.casefold().strip()
        if not needle:
            return []
        header = self.query_one("#article-header", Static)
        blocks: list[Widget] = []
        if needle in str(header.render()).casefold():
            blocks.append(header)
        for block in self.body.query(MarkdownBlock):
            if block.query(MarkdownBlock):
                continue  # a container (list, quote): its inner blocks are checked instead
            if needle in block._content.plain.casefold():
                blocks.append(block)
        for block in blocks:
            block.add_class("-found")
        return blocks

    def scroll_to_block(self, block_id: str) -> None:
        """Bring a heading (by its Markdown block id) to the top of the pane."""
        block = self.body.query_one_optional(f"#{block_id}")
        if block is not None:
            self.scroll_to_widget(block, top=True, animate=False)
