"""Pictures in the reading pane: drawn in half blocks in their reserved place, lazily, with
alt text and a reason when they cannot be had, a key to turn them off, found by alt text."""

from __future__ import annotations

from pathlib import Path

from reader.config import Settings
from reader.images.terminal import Protocol
from reader.store import Store
from reader.ui.app import NewsReaderApp
from reader.ui.widgets.article_image import ArticleImageBlock
from reader.ui.widgets.article_view import ArticleView
from reader.ui.widgets.reading_pane import ReadingPane
from tests.picturesite import IMAGES, feed_xml, hostile_more, serve_pictures
from tests.server import FixtureServer, Route
from tests.uitools import screen_text, settle, subscribe


async def _open(tmp_path: Path, server: FixtureServer, more: str = "") -> Path:
    server.add_route("/pictures.xml", Route(body=feed_xml(server.base, more)))
    db = tmp_path / "newsreader.db"
    await subscribe(db, server.url("/pictures.xml"))
    return db


def _blocks(app: NewsReaderApp) -> list[ArticleImageBlock]:
    return list(app.query(ArticleImageBlock))


async def test_a_figure_is_drawn_in_its_reserved_place_and_headings_do_not_move(
    tmp_path: Path,
) -> None:
    with FixtureServer() as server:
        serve_pictures(server, delay=1.0)
        filler = "".join(f"<p>Paragraph {n} of the story.</p>" for n in range(40))
        db = await _open(tmp_path, server, filler)
        with Store(db) as store:
            app = NewsReaderApp(store, Settings(timeout=2.0))
            async with app.run_test(size=(120, 40)) as pilot:
                await settle(pilot)
                await pilot.press("enter", "enter")
                for _ in range(500):  # until the text is shown and the picture asked for
                    await pilot.pause()
                    if _blocks(app) and _blocks(app)[0].state == "loading":
                        break
                [block] = _blocks(app)
                view = app.query_one(ArticleView)
                headings = view._heading_offsets()
                height = block.outer_size.height
                assert block.state == "loading"  # the text is there, the picture is not yet
                assert "The quay at dawn. Photo: Ann Lee" in screen_text(app)
                assert "🖼 The new quay at dawn …" in screen_text(app)
                await settle(pilot)
                assert block.state == "drawn"
                assert "▀" in screen_text(app)
                assert block.outer_size.height == height  # reserved: nothing below moved
                assert [o for o, _ in view._heading_offsets()] == [o for o, _ in headings]
                # 320x240 declared: 40 columns, 15 rows (cells are twice as tall as wide)
                assert block.outer_size.height == 15
                await pilot.press("right_square_bracket")
                await pilot.pause()
                # The jump lands on the heading (the view keeps the heading's top margin).
                assert 0 <= headings[0][0] - view.scroll_y <= 2
                assert "Boats come back" in screen_text(app).splitlines()[4]


async def test_a_picture_that_fails_keeps_its_place_and_the_text_below_stays(
    tmp_path: Path,
) -> None:
    """The reader is already reading the text under a picture when the picture turns out
    broken: the notice takes the picture's box, nothing below moves."""
    with FixtureServer() as server:
        serve_pictures(server)
        broken = (IMAGES / "truncated.jpg").read_bytes()
        server.add_route("/img/quad.png", Route(body=broken, content_type="image/jpeg", delay=1.0))
        db = await _open(tmp_path, server)
        with Store(db) as store:
            app = NewsReaderApp(store, Settings(timeout=2.0))
            async with app.run_test(size=(120, 40)) as pilot:
                await settle(pilot)
                await pilot.press("enter", "enter")
                for _ in range(500):  # until the text is shown and the picture asked for
                    await pilot.pause()
                    if _blocks(app) and _blocks(app)[0].state == "loading":
                        break
                [block] = _blocks(app)
                view = app.query_one(ArticleView)
                assert block.state == "loading"
                lines = screen_text(app).splitlines()
                row = next(i for i, line in enumerate(lines) if "Boats come back" in line)
                headings = [offset for offset, _ in view._heading_offsets()]
                await settle(pilot)
                assert block.state == "failed"
                assert block.outer_size.height == 15  # the reserved box, as for the picture
                assert [offset for offset, _ in view._heading_offsets()] == headings
                lines = screen_text(app).splitlines()
                assert "Boats come back" in lines[row]  # where the reader left it
                assert "🖼 The new quay at dawn — the image file is cut short" in "\n".join(lines)


async def test_hostile_pictures_show_alt_text_and_a_reason(tmp_path: Path) -> None:
    with FixtureServer() as server:
        serve_pictures(server)
        db = await _open(tmp_path, server, hostile_more(server.base))
        with Store(db) as store:
            app = NewsReaderApp(store, Settings(timeout=2.0))
            async with app.run_test(size=(120, 60)) as pilot:
                await settle(pilot)
                await pilot.press("enter", "enter")
                await settle(pilot)
                app.query_one(ArticleView).scroll_end(animate=False)
                await settle(pilot)
                text = screen_text(app)
                reasons = {block.alt: block.reason for block in _blocks(app)}
    assert reasons["bomb picture"].startswith("too large to decode")
    assert reasons["huge picture"] == "too large to decode (2,500,000,000 pixels)"
    assert reasons["truncated picture"] == "the image file is cut short"
    assert reasons["svg picture"] == "SVG drawings are not shown"
    assert reasons["wrong picture"] == "not a picture newsreader can show (text/html)"
    assert "🖼 svg picture — SVG drawings are not shown" in text


async def test_p_turns_pictures_off_and_on_and_find_reaches_alt_text(tmp_path: Path) -> None:
    with FixtureServer() as server:
        serve_pictures(server)
        db = await _open(tmp_path, server)
        with Store(db) as store:
            app = NewsReaderApp(store, Settings(timeout=2.0))
            async with app.run_test(size=(120, 40)) as pilot:
                await settle(pilot)
                await pilot.press("enter", "enter")
                await settle(pilot)
                [block] = _blocks(app)
                drawn = block.outer_size.height
                await pilot.press("I")
                await settle(pilot)
                assert block.outer_size.height == 1  # the alt line
                assert "▀" not in screen_text(app)
                assert "🖼 The new quay at dawn" in screen_text(app)
                await pilot.press("I")
                await settle(pilot)
                assert block.outer_size.height == drawn and "▀" in screen_text(app)
                view = app.query_one(ArticleView)
                assert view.find("quay at DAWN")[0] is block  # alt text, before the caption


async def test_a_clicked_picture_is_what_o_opens(tmp_path: Path) -> None:
    with FixtureServer() as server:
        serve_pictures(server)
        db = await _open(tmp_path, server)
        with Store(db) as store:
            app = NewsReaderApp(store, Settings(timeout=2.0))
            async with app.run_test(size=(120, 40)) as pilot:
                await settle(pilot)
                await pilot.press("enter", "enter")
                await settle(pilot)
                [block] = _blocks(app)
                await pilot.click(block)
                await pilot.pause()
                pane = app.query_one(ReadingPane)
                assert pane.url_to_open() == server.url("/img/quad.png")


async def test_off_mode_fetches_nothing(tmp_path: Path) -> None:
    from reader.config import ImageSettings

    with FixtureServer() as server:
        serve_pictures(server)
        db = await _open(tmp_path, server)
        with Store(db) as store:
            settings = Settings(timeout=2.0, images=ImageSettings(mode="off"))
            app = NewsReaderApp(store, settings)
            async with app.run_test(size=(120, 40)) as pilot:
                await settle(pilot)
                await pilot.press("enter", "enter")
                await settle(pilot)
                assert "🖼 The new quay at dawn" in screen_text(app)
        assert server.requests["/img/quad.png"] == 0


async def test_sixel_and_kitty_draw_through_textual_image(tmp_path: Path) -> None:
    """Forced (or announced) Sixel / Kitty: the picture is textual-image's widget, sized to
    the picture's cells inside the reserved box."""
    from textual_image.widget import SixelImage, TGPImage

    with FixtureServer() as server:
        serve_pictures(server)
        db = await _open(tmp_path, server)
        cases: list[tuple[Protocol, type]] = [("sixel", SixelImage), ("kitty", TGPImage)]
        for protocol, kind in cases:
            with Store(db) as store:
                app = NewsReaderApp(store, Settings(timeout=2.0), image_protocol=protocol)
                async with app.run_test(size=(120, 40)) as pilot:
                    await settle(pilot)
                    await pilot.press("enter", "enter")
                    await settle(pilot)
                    [block] = _blocks(app)
                    assert block.state == "drawn", block.reason
                    [picture] = block.children
                    assert isinstance(picture, kind)
                    assert picture.outer_size.height <= block.outer_size.height == 15


async def test_a_resize_fits_the_picture_again(tmp_path: Path) -> None:
    with FixtureServer() as server:
        serve_pictures(server)
        db = await _open(tmp_path, server)
        with Store(db) as store:
            app = NewsReaderApp(store, Settings(timeout=2.0))
            async with app.run_test(size=(120, 40)) as pilot:
                await settle(pilot)
                await pilot.press("enter", "enter")
                await settle(pilot)
                [block] = _blocks(app)
                await pilot.resize_terminal(70, 30)
                await settle(pilot)
                assert block.state == "drawn"
                assert block._drawn_width == block.size.width
        assert server.requests["/img/quad.png"] == 1  # fitted again from the cache


async def test_a_picture_far_from_the_view_is_drawn_again_when_the_reader_comes_back(
    tmp_path: Path,
) -> None:
    """Far from the view a drawn picture lets go of its strips (a long article's pictures
    would otherwise all be held); back near it, it is drawn again without a fetch."""
    with FixtureServer() as server:
        serve_pictures(server)
        filler = "".join(f"<p>Paragraph {n} of the story.</p>" for n in range(200))
        db = await _open(tmp_path, server, filler)
        with Store(db) as store:
            app = NewsReaderApp(store, Settings(timeout=2.0))
            async with app.run_test(size=(120, 40)) as pilot:
                await settle(pilot)
                await pilot.press("enter", "enter")
                await settle(pilot)
                [block] = _blocks(app)
                assert block.state == "drawn" and "▀" in screen_text(app)
                view = app.query_one(ArticleView)
                view.focus()
                await pilot.press("end")
                await settle(pilot)
                assert "▀" not in screen_text(app)
                assert block._strips == []  # let go while far away
                await pilot.press("home")
                await settle(pilot)
                assert block.state == "drawn"
                assert "▀" in screen_text(app)
        assert server.requests["/img/quad.png"] == 1  # drawn again from what was kept
