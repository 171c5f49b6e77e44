"""Image bytes -> a small RGB picture, or the one-line reason it cannot be shown.

The bytes are a stranger's: Pillow's decompression-bomb limit is on (and a warning past it
is an error), the declared size is checked before any pixel is decoded, only raster formats
a browser shows are opened, and SVG (which can carry scripts and external references) is
never rendered. Every failure is a reason, never an exception.
"""

from __future__ import annotations

import io
import re
import warnings
from dataclasses import dataclass

from PIL import Image, ImageFile, UnidentifiedImageError

MAX_PIXELS = 40_000_000
"""The most pixels an image may declare (about 8000x5000): larger is refused unread."""
FORMATS = ("PNG", "JPEG", "GIF", "WEBP", "BMP")
"""What is decoded; anything else is "not a picture newsreader shows"."""

Image.MAX_IMAGE_PIXELS = MAX_PIXELS
ImageFile.LOAD_TRUNCATED_IMAGES = False


@dataclass(frozen=True, slots=True)
class Decoded:
    """A picture scaled to fit the box asked for, or why there is none."""

    image: Image.Image | None
    reason: str = ""
    width: int = 0
    """The picture's own size in pixels (0 when unknown)."""
    height: int = 0


def looks_like_svg(data: bytes, content_type: str = "") -> bool:
    """SVG by its type or by its first bytes (an XML or <svg> start)."""
    if "svg" in content_type.lower():
        return True
    head = data[:512].lstrip().lower()
    return head.startswith((b"<svg", b"<?xml")) or b"<svg" in head


def _kind(content_type: str) -> str:
    return content_type.split(";", 1)[0].strip().lower()


def decode(
    data: bytes,
    box: tuple[int, int],
    *,
    content_type: str = "",
    background: tuple[int, int, int] = (0, 0, 0),
) -> Decoded:
    """Decode `data` and scale it (aspect kept) to fit `box` pixels (width, height)."""
    if looks_like_svg(data, content_type):
        return Decoded(None, "SVG drawings are not shown")
    kind = _kind(content_type)
    if not data:
        return Decoded(None, "the server sent no data")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=FORMATS) as opened:
                width, height = opened.size
                if width <= 0 or height <= 0:
                    return Decoded(None, "the image has no pixels")
                if width * height > MAX_PIXELS:
                    return Decoded(None, f"too large to decode ({width}×{height} pixels)")
                return Decoded(_fit(opened, box, background), "", width, height)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        found = re.search(r"\((\d+) pixels\)", str(exc))
        size = f"{int(found.group(1)):,} pixels" if found else "a decompression bomb"
        return Decoded(None, f"too large to decode ({size})")
    except UnidentifiedImageError:
        shown = f" ({kind})" if kind and not kind.startswith("image/") else ""
        return Decoded(None, f"not a picture newsreader can show{shown}")
    except (OSError, ValueError, SyntaxError, EOFError, MemoryError) as exc:
        if "truncated" in str(exc).lower() or isinstance(exc, EOFError):
            return Decoded(None, "the image file is cut short")
        return Decoded(None, f"the image cannot be decoded ({type(exc).__name__})")


def _fit(
    opened: Image.Image, box: tuple[int, int], background: tuple[int, int, int]
) -> Image.Image:
    """The first frame, flattened on `background`, no larger than `box` (never enlarged
    past twice its own size: a 16-pixel icon stays an icon)."""
    width, height = max(1, box[0]), max(1, box[1])
    if opened.format == "JPEG":
        opened.draft("RGB", (width, height))  # decode at a reduced scale: much faster
    opened.seek(0)
    frame = opened.convert("RGBA")
    flat = Image.new("RGB", frame.size, background)
    flat.paste(frame, mask=frame.getchannel("A"))
    scale = min(width / flat.width, height / flat.height, 2.0)
    size = (max(1, round(flat.width * scale)), max(1, round(flat.height * scale)))
    return flat.resize(size, Image.Resampling.BILINEAR) if size != flat.size else flat
