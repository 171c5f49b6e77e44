"""A picture in the article: its height reserved at once, drawn when it scrolls near.

The block's height is decided from the width of the text and the size the page declares
(else a 16:9 guess) before anything is fetched, and a picture that arrives is fitted into
it, so nothing below moves: the outline and heading jumps stay exact. Until then, and
whenever the picture cannot be had, the alt text is shown on the box's first line (with
the reason), the box keeping its height; with pictures off the block is that one line.
The picture is fetched and decoded by the core's ImageLoader in a worker; half blocks
are turned into strips in a thread, so drawing is a lookup.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from PIL import Image
from rich.color import Color as RichColor
from rich.color import ColorType
from rich.color_triplet import ColorTriplet
from rich.segment import Segment
from rich.style import Style as RichStyle
from textual import work
from textual.content import Content
from textual.events import Click
from textual.geometry import Size
from textual.message import Message
from textual.strip import Strip
from textual.widget import Widget

from reader.images.loader import ImageLoader
from reader.images.terminal import Protocol
from reader.models import ArticleImage
from reader.text import clean_line

if TYPE_CHECKING:
    from textual.app import App

    from reader.service import FeedService
    from reader.store import Store

PLACEHOLDER_ASPECT = 9 / 16
"""A picture whose size the page does not declare is given a 16:9 box."""
CELL_ASPECT = 2.0
"""A terminal cell is about twice as tall as it is wide."""
CSS_PIXELS_PER_CELL = 8
"""A declared 640-pixel-wide picture takes 80 columns (if the text is that wide)."""


def reserved_rows(width: int, image: ArticleImage, max_rows: int) -> int:
    """How many rows the picture gets at `width` columns, decided before it is fetched."""
    cols = max(1, width)
    if image.width > 0 and image.height > 0:
        cols = min(cols, max(4, math.ceil(image.width / CSS_PIXELS_PER_CELL)))
        aspect = image.height / image.width
    else:
        aspect = PLACEHOLDER_ASPECT
    return max(2, min(max_rows, round(cols * aspect / CELL_ASPECT)))


def halfblock_strips(image: Image.Image, width: int) -> list[Strip]:
    """Two pixel rows per line: `▀` in the upper pixel's colour on the lower's, centred in
    `width` columns. Pure; runs in a worker thread.

    Each colour pair gets one Segment (and one Style, two Colors) for the whole picture, and
    a run of cells of the same pair is one Segment: a picture is a few thousand objects at
    most, built in milliseconds, and never rebuilt while it is shown (the strips are kept)."""
    rgb = image.convert("RGB")
    w, h = rgb.size
    data = rgb.tobytes()
    pad = max(0, (width - w) // 2)
    right = width - pad - w
    stride = 3 * w
    colors: dict[bytes, RichColor] = {}
    cells: dict[bytes, tuple[RichStyle, Segment]] = {}

    def color(rgb: bytes) -> RichColor:
        made = colors.get(rgb)
        if made is None:
            made = colors[rgb] = RichColor(
                "#" + rgb.hex(), ColorType.TRUECOLOR, triplet=ColorTriplet(*rgb)
            )
        return made

    strips: list[Strip] = []
    for y in range(0, h, 2):
        upper = data[stride * y : stride * (y + 1)]
        lower = data[stride * (y + 1) : stride * (y + 2)] if y + 1 < h else b""
        segments = [Segment(" " * pad)] if pad else []
        run_key = b""
        run = 0
        for x in range(0, stride, 3):
            key = upper[x : x + 3] + lower[x : x + 3]
            if key == run_key:
                run += 1
                continue
            if run:
                segments.append(_cell_run(cells, run_key, run, color))
            run_key, run = key, 1
        if run:
            segments.append(_cell_run(cells, run_key, run, color))
        if right > 0:
            segments.append(Segment(" " * right))
        strips.append(Strip(segments, max(width, w)))
    return strips


_HALF = "▀"
_RUNS: dict[int, str] = {}


def _cell_run(
    cells: dict[bytes, tuple[RichStyle, Segment]],
    key: bytes,
    run: int,
    color: Callable[[bytes], RichColor],
) -> Segment:
    """`run` upper-half blocks of the colour pair `key` (6 bytes: upper RGB, lower RGB, or
    3 for a last odd row); one Style per pair, one Segment per pair for single cells."""
    known = cells.get(key)
    if known is None:
        style = RichStyle.from_color(color(key[:3]), color(key[3:]) if len(key) > 3 else None)
        known = cells[key] = (style, Segment(_HALF, style))
    style, single = known
    if run == 1:
        return single
    text = _RUNS.get(run)
    if text is None:
        text = _RUNS[run] = _HALF * run
    return Segment(text, style)


@dataclass
class Pictures:
    """What every picture block of the reading pane shares: how to draw, where to fetch."""

    protocol: Protocol
    loader: ImageLoader | None
    max_rows: int = 16
    enabled: bool = True
    """Pictures on for this session (the toggle key); off shows alt text only."""
    page_url: str = ""
    """The article on screen: its pictures follow its private-address rule."""
    cell_size: tuple[int, int] = (10, 20)
    """Pixels per cell for Kitty/Sixel (asked of the terminal before the app started)."""
    background: tuple[int, int, int] = (0, 0, 0)
    blocks: list[ArticleImageBlock] = field(default_factory=list)
    _to_reveal: list[tuple[ArticleImageBlock, Callable[[], None]]] = field(default_factory=list)
    _revealing: bool = False

    @property
    def drawing(self) -> bool:
        return self.enabled and self.protocol != "off" and self.loader is not None

    def reveal(self, block: ArticleImageBlock, show: Callable[[], None]) -> None:
        """Run `show` (which makes `block` draw its picture) in a frame of its own: pictures
        that arrive together are painted one per frame, so no frame paints several."""
        self._to_reveal.append((block, show))
        if not self._revealing:
            self._reveal_next()

    def _reveal_next(self) -> None:
        self._revealing = False
        while self._to_reveal:
            block, show = self._to_reveal.pop(0)
            if block.is_attached:
                show()
                self._revealing = True
                # The app's queue, not the block's: a block removed before the frame (another
                # article opened) would never run it, and no picture would be shown again.
                block.app.call_after_refresh(self._reveal_next)
                return


class ArticleImageBlock(Widget):
    """One picture of the article, in the place it has in the text.

    A leaf widget: the alt line and the half-block strips are drawn by `render_line`, so a
    picture arriving repaints its own rows and lays out nothing (the height was reserved).
    """

    DEFAULT_CSS = """
    ArticleImageBlock { height: auto; margin: 0 0 1 0; color: $text-muted; }
    """

    class Chosen(Message):
        """The picture was clicked: it is offered to `o` (open) and `y` (copy)."""

        def __init__(self, url: str) -> None:
            super().__init__()
            self.url = url

    class Sized(Message):
        """The block has its size: a picture waiting in view can be fetched now (a wake
        before the first layout finds no width and would wait until the next scroll)."""

    def __init__(self, image: ArticleImage, pictures: Pictures) -> None:
        super().__init__()
        self.image = image
        self.pictures = pictures
        self.state = "waiting"
        """waiting -> loading -> drawn | failed."""
        self.reason = ""
        self.hint: int | None = None
        self._strips: list[Strip] = []
        self._drawn_width = 0
        self._fitted: Image.Image | None = None
        """The picture fitted to the box (half blocks), kept to draw it again after the
        strips were let go far from the view (`rest`)."""

    @property
    def alt(self) -> str:
        return clean_line(self.image.alt, 300)

    def label(self) -> Content:
        """The alt text line: what stands for the picture until (unless) it is drawn."""
        text = f"🖼 {self.alt}" if self.alt else "🖼 Picture"
        if self.state == "failed" and self.reason:
            text += f" — {self.reason}"
        elif self.state == "loading":
            text += " …"
        content = Content(text)
        if self.hint is not None:
            content = Content.assemble(content, " ", Content.styled(f"[{self.hint}]", "reverse"))
        return content

    @property
    def reserving(self) -> bool:
        """Whether the block keeps the picture's height: whenever pictures are on, a
        picture that failed included (its notice stands in the box), so the text below
        never moves once the article is shown."""
        return self.pictures.drawing

    @property
    def showing_picture(self) -> bool:
        return self.pictures.drawing and self.state == "drawn"

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        if self.reserving:
            return reserved_rows(width, self.image, self.pictures.max_rows)
        return 1

    def reserved_height(self, width: int) -> int:
        """Rows the block will take at `width` columns, its margin included (before it is
        mounted: for deciding how much of the article fills the first screen)."""
        rows = reserved_rows(width, self.image, self.pictures.max_rows) if self.reserving else 1
        return rows + 1

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        if self.showing_picture and self._strips:
            if y < len(self._strips) and self._strips[y].cell_length == width:
                return self._strips[y]  # the same Strip every frame: its caches stay warm
            strip = self._strips[y] if y < len(self._strips) else Strip.blank(width)
            return strip.crop_extend(0, width, None)
        if y == 0 and not (self.showing_picture and self.children):
            segments = self.label().render_segments(self.visual_style)
            return Strip(segments).crop_extend(0, width, self.rich_style)
        return Strip.blank(width, self.rich_style)

    def show_hint(self, number: int | None) -> None:
        """Show (or take away) the link-hint number of the picture."""
        self.hint = number
        self.refresh()

    def pictures_toggled(self) -> None:
        """Pictures were switched on or off: the reserved box or the alt line."""
        for child in self.children:
            child.display = self.pictures.drawing
        self.refresh(layout=True)

    def on_resize(self) -> None:
        """The text reflowed to another width: the picture is fitted again (from the cache)."""
        width = self.content_region.width or self.size.width
        if self.state == "drawn" and self._drawn_width != width:
            self.state = "waiting"
            self._strips = []
            self._fitted = None
            for child in list(self.children):
                child.remove()
        if self.state == "waiting" and width > 0:
            self.post_message(self.Sized())

    def on_click(self, event: Click) -> None:
        event.stop()
        self.post_message(self.Chosen(self.image.url))

    def rest(self) -> None:
        """Far from the view: let go of the drawn strips. A half-block picture is thousands
        of Segments and Styles (and Textual keeps strips derived from each line): held
        for every picture of a long article, they made each full garbage collection walk
        ~130,000 more objects (70 ms instead of 10). The fitted picture is kept (one small
        image) and drawn again, in a thread, when it comes near (`wake`)."""
        if self.state == "drawn" and self._strips and self._fitted is not None:
            self._strips = []
            self.refresh()  # also drops Textual's cache of the rendered lines

    def wake(self) -> None:
        """Near the view: fetch and draw the picture (once), or draw it again after `rest`."""
        if not self.pictures.drawing or not self.is_attached:
            return
        if self.state == "drawn" and not self._strips and self._fitted is not None:
            self.state = "loading"
            self._draw_again(self._fitted, self._drawn_width)
            return
        if self.state != "waiting":
            return
        width = self.content_region.width or self.size.width
        if width <= 0:
            return
        self.state = "loading"
        self.refresh()
        self._load(width, reserved_rows(width, self.image, self.pictures.max_rows))

    @work(group="pictures", exit_on_error=False)
    async def _load(self, cols: int, rows: int) -> None:
        pictures = self.pictures
        loader = pictures.loader
        if loader is None:
            return
        cell_w, cell_h = pictures.cell_size
        halfblock = pictures.protocol not in ("kitty", "sixel")
        box = (cols, rows * 2) if halfblock else (cols * cell_w, rows * cell_h)
        got = await loader.load(
            self.image.url,
            box,
            page_url=pictures.page_url,
            background=pictures.background,
        )
        if got.image is None:
            self._failed(got.reason or "the picture could not be had")
            return
        made = None if halfblock else terminal_picture(pictures.protocol, got.image, cell_w, cell_h)
        if made is not None:
            if self.is_attached and self.state == "loading" and self._fits(cols):
                self.state = "drawn"
                self._drawn_width = cols
                made.display = pictures.drawing
                await self.mount(made)
            return
        picture = got.image
        if not halfblock:  # scaled for pixels: half blocks need one pixel per column
            picture = picture.resize((cols, rows * 2))
        await self._redraw(picture, cols)

    @work(group="pictures", exit_on_error=False)
    async def _draw_again(self, picture: Image.Image, cols: int) -> None:
        await self._redraw(picture, cols)

    async def _redraw(self, picture: Image.Image, cols: int) -> None:
        """Half-block strips for `picture` built in a thread, then shown in a frame of
        their own (see `Pictures.reveal`)."""
        strips = await asyncio.to_thread(halfblock_strips, picture, cols)

        def show() -> None:
            if self.state != "loading" or not self._fits(cols):
                return
            self.state = "drawn"
            self._drawn_width = cols
            self._fitted = picture
            self._strips = strips
            self.refresh()

        if self.is_attached and self.state == "loading":
            self.pictures.reveal(self, show)

    def _fits(self, cols: int) -> bool:
        """Whether a picture made for `cols` columns still fits; if the text reflowed while
        it loaded (a scrollbar came), it is fitted again (from the cache now)."""
        if (self.content_region.width or self.size.width) == cols:
            return True
        self.state = "waiting"
        self._strips = []
        self._fitted = None
        self.post_message(self.Sized())
        return False

    def _failed(self, reason: str) -> None:
        self.state = "failed"
        self.reason = clean_line(reason, 160)
        self.refresh()  # the alt line and the reason, in the same reserved rows


def terminal_picture(
    protocol: Protocol, image: Image.Image, cell_w: int, cell_h: int
) -> Widget | None:
    """A textual-image widget (Kitty graphics or Sixel) sized to the picture's cells, or
    None when the library is not importable here."""
    try:
        from textual_image.widget import SixelImage, TGPImage
    except Exception:
        return None
    widget: Widget = TGPImage(image) if protocol == "kitty" else SixelImage(image)
    widget.styles.width = max(1, math.ceil(image.width / max(1, cell_w)))
    widget.styles.height = max(1, math.ceil(image.height / max(1, cell_h)))
    return widget


def app_background(app: App[Any]) -> tuple[int, int, int]:
    """The theme's background, for flattening transparent pictures onto."""
    try:
        color = app.current_theme.background or "#000000"
        from textual.color import Color

        parsed = Color.parse(color)
        return (parsed.r, parsed.g, parsed.b)
    except Exception:
        return (0, 0, 0)


def make_pictures(app: App[Any], store: Store, service: FeedService) -> Pictures:
    """The reading pane's pictures: the protocol the app was started with (see
    reader/images/terminal.py), a loader caching under the data dir, the [images] limits."""
    settings = service.settings
    images = settings.images
    protocol: Protocol = getattr(app, "image_protocol", "halfblock")
    loader = None
    if protocol != "off":
        loader = ImageLoader(
            store.path.parent / "images",
            cache_bytes=images.cache_mb * 1024 * 1024,
            max_bytes=images.max_bytes,
            timeout=settings.timeout,
            deadline=min(settings.deadline, 30.0),
            transport=service.transport,
        )
    return Pictures(
        protocol=protocol,
        loader=loader,
        max_rows=images.max_rows,
        cell_size=getattr(app, "image_cell_size", (10, 20)),
        background=app_background(app),
    )
