"""The article pane: a header (title, deck, byline) above the body rendered from Markdown.

The body is a `Markdown` widget with `open_links=False`: a click on a link posts
`Markdown.LinkClicked`, which the screen checks (http(s) only) before doing anything.
It is given tokens parsed off the event loop and mounts them a slice at a time, so a long
article never holds the loop for long and its top shows at once.
"""

from __future__ import annotations

import asyncio
from bisect import bisect_right
from collections.abc import Sequence

from markdown_it import MarkdownIt
from markdown_it.token import Token
from textual import work
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Markdown, Static

from reader.enclosures import describe
from reader.models import Article, ArticleImage, Enclosure, RenderedArticle
from reader.text import clean_line
from reader.ui import collector
from reader.ui.compat import (
    MarkdownBlock,
    MarkdownHeader,
    begin_markdown_document,
    block_text,
    build_markdown_blocks,
    heading_level,
    set_table_of_contents,
)
from reader.ui.widgets.article_image import ArticleImageBlock, Pictures

WELCOME = (
    "Pick a feed on the left, then an entry: Enter opens it here.\n\n"
    "Tab / Shift+Tab move between panes, ? lists every key."
)


def markdown_parser() -> MarkdownIt:
    """Textual's "gfm-like" Markdown without linkify: our Markdown escapes every
    punctuation mark of the page's text, so no bare URL is left for it to find, and it
    took two thirds of the parsing time of a long article."""
    return MarkdownIt("gfm-like").disable("linkify")


def parse_markdown(text: str) -> list[Token]:
    """Markdown to tokens, the way `ArticleBody` reads them: pure, so a worker thread
    does it and the event loop only builds and mounts widgets."""
    return markdown_parser().parse(text)


WORDS_PER_MINUTE = 230


def reading_minutes(markdown: str) -> int:
    """A reading-time estimate from the body's words (at least one minute for any text)."""
    words = len(markdown.split())
    return max(1, round(words / WORDS_PER_MINUTE)) if words else 0


MAX_HEADER_FILES = 3
"""Files listed in the header; E lists them all."""


def files_lines(enclosures: Sequence[Enclosure]) -> list[Content]:
    """A line per file (kind, type, size, playing time), at most MAX_HEADER_FILES, the
    last saying E lists them."""
    lines = [Content(describe(e)) for e in enclosures[:MAX_HEADER_FILES]]
    more = len(enclosures) - MAX_HEADER_FILES
    hint = f" · {more} more: E lists them" if more > 0 else " · E: files"
    if lines:
        lines[-1] = lines[-1] + Content.styled(hint, "dim")
    return lines


def article_header(
    article: Article,
    feed_title: str = "",
    minutes: int = 0,
    enclosures: Sequence[Enclosure] = (),
) -> Content:
    """Title, deck, a byline line (author · date · site) and the entry's files (podcast
    audio, video), every piece inert text."""
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
    for line in files_lines(enclosures):
        parts.append(Content("\n") + line)
    return Content.assemble(*parts)


class ArticleBody(Markdown):
    """The article's Markdown, built and mounted a slice at a time from parsed tokens.

    `Markdown.update` parses in a thread but builds and mounts every block in one step: a
    10,000-word article held the event loop for over 100 ms. Here the headings are built
    at once (so the outline is whole at once), the first slice is mounted in the same frame
    as the old article goes, and the rest is built and mounted a slice per frame.
    """

    FIRST_SLICE_SPARE_ROWS = 4
    """Rows mounted in the first frame beyond the screen's (a block's rows are estimated
    on the low side, and the article's header is not counted): only what the first
    screen shows, since each block mounted and laid out costs the first frame about a
    millisecond."""
    SLICE_CHARS = 20000
    """Markdown mounted per later frame (about 3,000 words): each step, the frame after it
    included, stayed under 50 ms for a 10,000-word article; smaller slices did not
    shorten the steps much but made the whole take much longer."""

    SLICE_BLOCKS = 30
    """At most this many top-level blocks per later frame: each costs its frame about half
    a millisecond to mount and style (a picture or a short paragraph as much as a long
    one), so an article of many short blocks is cut finer than `SLICE_CHARS` alone would."""

    class SliceMounted(Message):
        """More of the article is mounted (headings and find may reach further)."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, open_links=False, parser_factory=markdown_parser)
        self._groups: list[list[Token]] = []
        """The tokens of each top-level block still to mount, in order."""
        self._headings: dict[int, MarkdownBlock] = {}
        """Headings built ahead (for the outline), by their place in `_groups`."""
        self._next = 0
        self._line_starts: list[int] = [0]
        self._generation = 0
        self.pictures: Pictures | None = None
        """Set by the reading pane: without it, pictures stay Markdown (their alt text)."""
        self._images: dict[str, ArticleImage] = {}

    @property
    def complete(self) -> bool:
        """Whether every block of the document is mounted."""
        return self._next >= len(self._groups)

    def is_waiting(self, block_id: str) -> bool:
        """Whether the heading is built but not mounted yet (it will be, in order)."""
        return any(block.id == block_id for block in self._headings.values())

    async def show(
        self,
        markdown: str,
        tokens: list[Token] | None = None,
        rows: int = 0,
        images: tuple[ArticleImage, ...] = (),
        page_url: str = "",
        width: int = 0,
    ) -> None:
        """Replace the document; returns once its first slice (the blocks that fill about
        `rows` rows at `width` columns: the view's) is mounted. `images`: what the render
        knows of each `![alt](<url>)` paragraph (caption, declared size), by URL."""
        self._images = {image.url: image for image in images}
        if self.pictures is not None:
            self.pictures.blocks = []
            self.pictures.page_url = page_url
        self._generation += 1
        generation = self._generation
        if tokens is None:
            tokens = await asyncio.to_thread(parse_markdown, markdown)
            if generation != self._generation:
                return  # another article came while this one was parsed
        begin_markdown_document(self, markdown)
        self._line_starts = _line_starts(markdown)
        self._groups = _top_level_groups(tokens)
        self._next = 0
        self._headings = {}
        for index, group in enumerate(self._groups):
            if group[0].type == "heading_open":
                self._headings[index] = build_markdown_blocks(self, group)[0]
        toc = [
            (heading_level(block), block_text(block), block.id)
            for block in self._headings.values()
            if heading_level(block)
        ]
        set_table_of_contents(self, toc)
        first = self._build_rows(rows + self.FIRST_SLICE_SPARE_ROWS, width)
        with self.app.batch_update():
            await self.remove_children()
            if first:
                await self.mount_all(first)
        self.post_message(Markdown.TableOfContentsUpdated(self, toc).set_sender(self))
        if not self.complete:
            self._mount_rest(generation)

    def _take_group(self) -> tuple[list[Token], list[Widget], ArticleImageBlock | None]:
        """The next top-level group, its blocks, and its picture block if it is one."""
        index = self._next
        group = self._groups[index]
        self._next += 1
        heading = self._headings.pop(index, None)
        if heading is not None:
            return group, [heading], None
        picture = self._picture_block(group)
        if picture is not None:
            return group, [picture], picture
        return group, list(build_markdown_blocks(self, group)), None

    def _build(self, size: int) -> list[Widget]:
        """The blocks of the next top-level groups whose source adds up to about `size`
        characters (at least one group)."""
        blocks: list[Widget] = []
        total = 0
        starts = self._line_starts
        while self._next < len(self._groups) and (
            (total < size and len(blocks) < self.SLICE_BLOCKS) or not blocks
        ):
            group, taken, _ = self._take_group()
            blocks.extend(taken)
            if group[0].map is not None:
                start, end = group[0].map
                last = len(starts) - 1
                total += starts[min(end, last)] - starts[min(start, last)]
        return blocks

    def _build_rows(self, rows: int, width: int) -> list[Widget]:
        """The blocks of the next top-level groups that fill about `rows` rows at `width`
        columns (at least one group)."""
        blocks: list[Widget] = []
        total = 0
        width = max(1, width or 80)
        while self._next < len(self._groups) and (total < rows or not blocks):
            group, taken, picture = self._take_group()
            blocks.extend(taken)
            if picture is not None:
                total += picture.reserved_height(width)
            else:
                total += estimated_rows(group, width)
        return blocks

    def _picture_block(self, group: list[Token]) -> ArticleImageBlock | None:
        """A picture block for a paragraph that is one `![alt](<url>)` and nothing else."""
        pictures = self.pictures
        if pictures is None or len(group) != 3 or group[0].type != "paragraph_open":
            return None
        children = [c for c in group[1].children or [] if c.type != "softbreak"]
        if len(children) != 1 or children[0].type != "image":
            return None
        token = children[0]
        url = str(token.attrs.get("src", ""))
        alt = "".join(child.content for child in token.children or [])
        image = self._images.get(url) or ArticleImage(url, alt)
        block = ArticleImageBlock(image, pictures)
        pictures.blocks.append(block)
        return block

    @work(exclusive=True, group="article-body", exit_on_error=False)
    async def _mount_rest(self, generation: int) -> None:
        """The rest of the document, one slice per frame (unless another document came),
        each after a loop turn: chained straight after the frame, the frame and the slice
        held the loop as one step of up to ~110 ms."""
        while not self.complete and generation == self._generation:
            await self.wait_for_refresh()
            await breathe()
            if generation != self._generation:
                return
            part = self._build(self.SLICE_CHARS)
            if part:
                await self.mount_all(part)
            self.post_message(self.SliceMounted())


async def breathe() -> None:
    """Let what waits on the event loop (keys, timers, other widgets) run before the next
    heavy step. A short timer, not `sleep(0)`: a waiting timer's task wakes two loop turns
    after it is due, so a step that only yields once still runs straight after the last."""
    await asyncio.sleep(0.001)


def _top_level_groups(tokens: list[Token]) -> list[list[Token]]:
    """Tokens cut into top-level blocks (a paragraph, a heading, a list, a table…): each
    group builds on its own, so a slice builds only its own widgets."""
    groups: list[list[Token]] = []
    current: list[Token] = []
    depth = 0
    for token in tokens:
        current.append(token)
        depth += token.nesting
        if depth <= 0:
            groups.append(current)
            current, depth = [], 0
    if current:
        groups.append(current)
    return groups


def estimated_rows(group: list[Token], width: int) -> int:
    """Rows a top-level block takes at `width` columns, from its visible text (link targets
    do not count): an estimate on the low side, so the first slice never falls short."""
    rows = 1  # the margin under a block
    in_table = False
    for token in group:
        kind = token.type
        if kind == "table_open":
            in_table = True
            rows += 2
        elif kind == "table_close":
            in_table = False
        elif in_table:
            rows += kind == "tr_open"
        elif kind == "inline":
            chars = sum(
                len(child.content)
                for child in token.children or ()
                if child.type in ("text", "code_inline")
            )
            rows += max(1, -(-chars // width))  # at least this many: words wrap early
        elif kind in ("fence", "code_block"):
            rows += token.content.count("\n") + 2
        elif kind == "heading_open":
            rows += 1
    return rows


def _line_starts(markdown: str) -> list[int]:
    """Where each line starts, and the end: line ranges to character counts."""
    starts = [0]
    for line in markdown.split("\n"):
        starts.append(starts[-1] + len(line) + 1)
    return starts


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
    _anchor: tuple[Widget, float] | None = None
    """The block at the top of the view and how far into it (0-1) the view starts."""
    _anchor_width = 0
    """The pane's width when `_anchor` was taken: a resize reflows, the anchor stays."""

    # ----------------------------------------------------------------- page keys
    # Without animation each key lands in the next frame (animated, 0.4-0.5 s to settle).
    def action_page_down(self) -> None:
        if not self.allow_vertical_scroll:
            raise SkipAction()
        self.scroll_page_down(animate=self.animate_scroll)

    def action_page_up(self) -> None:
        if not self.allow_vertical_scroll:
            raise SkipAction()
        self.scroll_page_up(animate=self.animate_scroll)

    def action_scroll_home(self) -> None:
        if not self.allow_vertical_scroll:
            raise SkipAction()
        self.scroll_home(animate=self.animate_scroll)

    def action_scroll_end(self) -> None:
        if not self.allow_vertical_scroll:
            raise SkipAction()
        self.scroll_end(animate=self.animate_scroll)

    # ----------------------------------------------------------------- the reading place
    def _top_block(self) -> tuple[Widget, float] | None:
        """The body's top-level block at the top of the view, and how far into it.

        From the layout's own (virtual) regions: screen regions lag behind a scroll."""
        y = self.scroll_y
        if y <= 0:
            return None
        body = self.query_one_optional("#article-body", ArticleBody)
        blocks = list(body.children) if body is not None else []
        if body is None or not blocks:
            return None
        origin = body.virtual_region.y
        tops = [origin + block.virtual_region.y for block in blocks]
        index = bisect_right(tops, y) - 1
        if index < 0:
            return None
        block = blocks[index]
        height = max(1, block.outer_size.height)
        return block, min(1.0, (y - tops[index]) / height)

    def _track_place(self) -> None:
        width = self.size.width
        if self._anchor is not None and width != self._anchor_width:
            return  # a reflow is under way: keep the place from before it
        self._anchor = self._top_block()
        self._anchor_width = width

    def on_resize(self) -> None:
        """The text reflowed: bring the paragraph that was at the top back to the top."""
        if self._anchor is not None and self.size.width != self._anchor_width:
            self.call_after_refresh(self._restore_place)
        self.call_after_refresh(self.wake_pictures)

    def _restore_place(self) -> None:
        anchor = self._anchor
        self._anchor_width = self.size.width
        if anchor is None:
            return
        block, into = anchor
        if not block.is_attached:
            return
        body = self.body
        top = body.virtual_region.y + block.virtual_region.y
        y = top + round(into * block.outer_size.height)
        self.scroll_to(y=y, animate=False, immediate=True, force=True)

    def restore_scroll(self, y: float) -> None:
        """Scroll to `y` as soon as the (newly mounted) article is tall enough for it."""
        self._pending_y = y
        self._apply_pending_scroll()

    def watch_virtual_size(self) -> None:
        self._apply_pending_scroll()

    def watch_has_focus(self, has_focus: bool) -> None:
        """Restyle the pane itself (its border), not the article inside it.

        Textual restyles a widget and every descendant when its focus changes: with a
        10,000-word article in the pane that froze the UI for about 200 ms on every Tab
        or Escape, and nothing inside the pane is styled by the pane's focus."""
        self.app.stylesheet.update_nodes([self], animate=True)

    def _apply_pending_scroll(self) -> None:
        y = self._pending_y
        if y is not None and self.max_scroll_y >= y:
            self._pending_y = None
            # force: during layout the scrollbar may not be "needed" yet.
            self.scroll_to(y=y, animate=False, immediate=True, force=True)

    def __init__(
        self, *, id: str | None = None, text_width: int = 0, animate_scroll: bool = False
    ) -> None:
        super().__init__(id=id)
        self.text_width = text_width
        """The article's max width in columns (0: the pane's width)."""
        self.animate_scroll = animate_scroll
        """Animate the page keys (the `animation` setting)."""

    def compose(self) -> ComposeResult:
        yield Static(Content(WELCOME), id="article-header")
        body = ArticleBody(id="article-body")
        if self.text_width:
            body.styles.max_width = self.text_width
        yield body

    @property
    def body(self) -> ArticleBody:
        return self.query_one("#article-body", ArticleBody)

    async def show_article(
        self,
        article: Article,
        rendered: RenderedArticle,
        feed_title: str = "",
        tokens: list[Token] | None = None,
        enclosures: Sequence[Enclosure] = (),
        scroll_y: float = 0,
    ) -> None:
        """Header and the body's first slice now; `tokens`: the body already parsed;
        `enclosures`: the entry's files, listed under the byline; `scroll_y`: where the
        reader will be taken (the first slice reaches that far)."""
        self._pending_y = None
        self._pending_block = None
        self._anchor = None
        minutes = reading_minutes(rendered.markdown)
        header = article_header(article, feed_title, minutes, enclosures)
        self.query_one("#article-header", Static).update(header)
        region = self.scrollable_content_region
        body = self.body
        width = body.content_region.width or region.width
        # The first slice fills the view (down to a remembered place, when there is one).
        # The screen's height, not the pane's: the panes may not have their reading sizes
        # yet (they are laid out in the same frame as the article), and none is taller.
        rows = max(region.height, self.screen.size.height) + round(scroll_y)
        await body.show(
            rendered.markdown, tokens, rows, rendered.images, page_url=article.url, width=width
        )
        self.scroll_home(animate=False, immediate=True)
        self.call_after_refresh(self.wake_pictures)
        if body.complete:
            self.call_after_refresh(collector.release)

    # ----------------------------------------------------------------- pictures
    REST_SCREENS = 3
    """Drawn pictures further than this many screens from the view let go of their strips
    (`ArticleImageBlock.rest`); they are drawn again when they come within a screen."""

    def wake_pictures(self) -> None:
        """Fetch the pictures within a screenful of the view (text never waits for them);
        let those far away rest."""
        body = self.query_one_optional("#article-body", ArticleBody)
        pictures = body.pictures if body is not None else None
        if body is None or pictures is None or not pictures.drawing:
            return
        height = max(1, self.size.height)
        top = self.scroll_y - height
        bottom = self.scroll_y + 2 * height
        far_top = self.scroll_y - self.REST_SCREENS * height
        far_bottom = self.scroll_y + (self.REST_SCREENS + 1) * height
        origin = body.virtual_region.y
        for block in pictures.blocks:
            if block.state not in ("waiting", "drawn") or not block.is_attached:
                continue
            y = origin + block.virtual_region.y
            end = y + block.outer_size.height
            if end >= top and y <= bottom:
                block.wake()
            elif end < far_top or y > far_bottom:
                block.rest()

    def toggle_pictures(self) -> bool:
        """Pictures on/off for the session; returns whether they are now on."""
        pictures = self.body.pictures
        if pictures is None:
            return False
        pictures.enabled = not pictures.enabled
        for block in pictures.blocks:
            if block.is_attached:
                block.pictures_toggled()
        self.call_after_refresh(self.wake_pictures)
        return pictures.enabled

    _pending_block: str | None = None
    """A heading chosen in the outline before its slice was mounted: scrolled to then."""

    def on_article_image_block_sized(self, message: ArticleImageBlock.Sized) -> None:
        message.stop()
        self.call_after_refresh(self.wake_pictures)

    def on_article_body_slice_mounted(self, message: ArticleBody.SliceMounted) -> None:
        message.stop()
        if self.body.complete:  # the article is whole: the collector may run (after its frame)
            self.call_after_refresh(collector.release)
        if self._pending_block is not None:
            self.call_after_refresh(self.scroll_to_block, self._pending_block)
        self.call_after_refresh(self.wake_pictures)

    def _headings(self) -> list[MarkdownHeader]:
        body = self.query_one_optional("#article-body", ArticleBody)  # None while closing
        children = body.children if body is not None else []
        return [h for h in children if isinstance(h, MarkdownHeader) and h.id]

    def _heading_offsets(self) -> list[tuple[int, MarkdownHeader]]:
        """Each heading's top, in the scrolled content's coordinates."""
        return [(self._offset_of(h), h) for h in self._headings()]

    def watch_scroll_y(self, old: float, new: float) -> None:
        super().watch_scroll_y(old, new)
        self._track_place()
        self.wake_pictures()
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
        for block in self.body.query("MarkdownBlock, ArticleImageBlock"):
            if isinstance(block, ArticleImageBlock):
                if needle in block.alt.casefold():  # a picture is found by its alt text
                    blocks.append(block)
                continue
            if block.query(MarkdownBlock):
                continue  # a container (list, quote): its inner blocks are checked instead
            if needle in block_text(block).casefold():
                blocks.append(block)
        for block in blocks:
            block.add_class("-found")
        return blocks

    def scroll_to_block(self, block_id: str) -> None:
        """Bring a heading (by its Markdown block id) to the top of the pane, now or, when
        it is not mounted yet, as soon as it is."""
        block = self.body.query_one_optional(f"#{block_id}")
        if block is not None:
            self.scroll_to_widget(block, top=True, animate=False, immediate=True)
            # Until the slices below it are mounted the pane may not scroll that far yet.
            short = self._offset_of(block) > self.max_scroll_y and not self.body.complete
            self._pending_block = block_id if short else None
        elif self.body.is_waiting(block_id):
            self._pending_block = block_id

    def _offset_of(self, widget: Widget) -> int:
        """A widget's top in the scrolled content's coordinates."""
        return widget.region.y - (
            self.region.y + self.styles.border.spacing.top - round(self.scroll_y)
        )
