"""`newsreader read URL --json` lists the article's pictures; entries bring their lead image."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reader.article.from_entry import article_from_entry
from reader.article.render import render_article
from reader.cli import main
from reader.models import Entry
from tests.server import FixtureServer, Route

PAGE = """<!doctype html><html><head><title>Harbour</title>
<meta property="og:image" content="__BASE__/img/og.jpg"></head><body><article>
<h1>Harbour</h1><p>The first paragraph of the story, long enough to be the article body
for the extractor, with several words and sentences that read like news.</p>
<figure><img src="/img/quad.png" alt="A harbour at dawn" width="640" height="480">
<figcaption>Boats at dawn. <small>Photo: Ann Lee</small></figcaption></figure>
<p>Another paragraph of the story follows the figure, again with enough words to count as
the body of the article and not as its chrome.</p>
<p><img src="/img/quad.jpg" alt="A chart"></p>
<p>A third paragraph closes the story with a few more words about the harbour.</p>
</article></body></html>"""


def test_read_json_lists_images_with_alt_caption_and_size(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with FixtureServer() as server:
        server.add_route(
            "/story.html",
            Route(body=PAGE.replace("__BASE__", server.base).encode(), content_type="text/html"),
        )
        assert main(["--data-dir", str(data_dir), "read", server.url("/story.html"), "--json"]) == 0
    images = json.loads(capsys.readouterr().out)["images"]
    assert set(images[0]) == {"url", "alt", "caption", "width", "height"}
    first = {key: images[0][key] for key in ("url", "alt", "caption")}
    assert first == {
        "url": server.url("/img/quad.png"),
        "alt": "A harbour at dawn",
        "caption": "Boats at dawn. Photo: Ann Lee",
    }
    # The size the page declares, through reader mode (readability drops width/height);
    # null where it declares none.
    assert (images[0]["width"], images[0]["height"]) == (640, 480)
    assert images[1]["url"] == server.url("/img/quad.jpg")
    assert (images[1]["alt"], images[1]["caption"]) == ("A chart", "")
    assert (images[1]["width"], images[1]["height"]) == (None, None)


def test_an_entry_s_lead_image_heads_an_article_without_pictures() -> None:
    entry = Entry(
        key="g",
        link="https://news.example/a",
        title="A",
        content="<p>Only words.</p>",
        image="https://news.example/lead.jpg",
    )
    rendered = render_article(article_from_entry(entry))
    assert [i.url for i in rendered.images] == ["https://news.example/lead.jpg"]
    assert rendered.markdown.splitlines()[0] == "![](<https://news.example/lead.jpg>)"
