"""A feed whose story carries pictures, served with the test pictures from the loopback server."""

from __future__ import annotations

from pathlib import Path

from tests.server import FixtureServer, Route

IMAGES = Path(__file__).parent / "fixtures" / "images"
TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".gif": "image/gif", ".webp": "image/webp"}

STORY = """<p>The harbour master opened the new quay on Monday, after three years of work and
a winter of storms that twice flooded the site.</p>
<figure><img src="{base}/img/quad.png" alt="The new quay at dawn" width="320" height="240">
<figcaption>The quay at dawn. Photo: Ann Lee</figcaption></figure>
<h2>Boats come back</h2>
<p>Fishing boats that had moved to the next town are coming back this spring.</p>
{more}
<h2>What it cost</h2>
<p>The quay cost four million, a third of it from the port's own savings.</p>
"""

HOSTILE = {
    "bomb": ("bomb.png", "image/png"),
    "huge": ("huge.png", "image/png"),
    "truncated": ("truncated.jpg", "image/jpeg"),
    "svg": ("script.svg", "image/svg+xml"),
    "wrong": ("page.png", "text/html"),
}


def feed_xml(base: str, more: str = "", title: str = "Quay opens") -> bytes:
    story = STORY.format(base=base, more=more)
    return f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel><title>Harbour News</title><link>{base}/</link><description>d</description>
<item><title>{title}</title><link>{base}/story.html</link><guid>{base}/story</guid>
<pubDate>Fri, 21 Nov 2025 14:05:00 GMT</pubDate>
<content:encoded><![CDATA[{story}]]></content:encoded></item>
</channel></rss>""".encode()


def serve_pictures(server: FixtureServer, *, delay: float = 0.0) -> None:
    """The test pictures under /img/ (each with the type its name says, or the hostile
    ones' lying types), the feed at /pictures.xml."""
    for path in IMAGES.iterdir():
        if path.suffix in TYPES or path.suffix == ".svg":
            kind = TYPES.get(path.suffix, "image/svg+xml")
            route = Route(body=path.read_bytes(), content_type=kind, delay=delay)
            server.add_route(f"/img/{path.name}", route)
    page = (IMAGES / "page.png").read_bytes()
    server.add_route("/img/page.png", Route(body=page, content_type="text/html"))


def hostile_more(base: str) -> str:
    return "\n".join(
        f'<p><img src="{base}/img/{name}" alt="{key} picture"></p>'
        for key, (name, _) in HOSTILE.items()
    )
