"""Pictures: which protocol the terminal gets, decoding hostile files, the cache, fetching."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from reader.images.cache import CachedImage, ImageCache
from reader.images.decode import decode
from reader.images.loader import ImageLoader
from reader.images.terminal import DA1_QUERY, KITTY_QUERY, choose_protocol, queries
from tests.server import FixtureServer, Route

IMAGES = Path(__file__).parent / "fixtures" / "images"
KITTY = {"TERM": "xterm-kitty", "KITTY_WINDOW_ID": "1"}
XTERM = {"TERM": "xterm-256color"}
TMUX = {"TERM": "tmux-256color", "TMUX": "/tmp/tmux-0/default,1,0"}
DA1_PLAIN = "\x1b[?62;22c"
DA1_SIXEL = "\x1b[?62;4;22c"
KITTY_OK = "\x1b_Gi=31;OK\x1b\\"


# -- protocol choice ---------------------------------------------------------------------


def test_kitty_is_chosen_only_when_the_terminal_answers_ok() -> None:
    assert choose_protocol("auto", KITTY, KITTY_OK + DA1_PLAIN) == "kitty"
    assert choose_protocol("auto", KITTY, "\x1b_Gi=31;ENOTSUPPORTED\x1b\\" + DA1_PLAIN) == (
        "halfblock"
    )
    assert choose_protocol("auto", KITTY, DA1_PLAIN) == "halfblock"  # the name is no promise


def test_sixel_is_chosen_when_da1_lists_attribute_4() -> None:
    assert choose_protocol("auto", XTERM, DA1_SIXEL) == "sixel"
    assert choose_protocol("auto", XTERM, "\x1b[?64;1;2;6;9;15;18;21;22c") == "halfblock"
    assert choose_protocol("auto", XTERM, "\x1b[?62;14c") == "halfblock"  # 14 is not 4
    assert choose_protocol("auto", XTERM, KITTY_OK + DA1_SIXEL) == "kitty"  # kitty wins


def test_no_answer_means_half_blocks() -> None:
    assert choose_protocol("auto", XTERM, "") == "halfblock"


def test_inside_tmux_only_da1_is_sent_and_kitty_is_never_chosen() -> None:
    assert queries(TMUX) == DA1_QUERY
    assert choose_protocol("auto", TMUX, KITTY_OK + DA1_PLAIN) == "halfblock"
    assert choose_protocol("auto", TMUX, DA1_SIXEL) == "sixel"  # tmux built with sixel


def test_linux_console_and_dumb_terminals_are_asked_nothing() -> None:
    assert queries({"TERM": "linux"}) == ""
    assert queries({"TERM": "dumb"}) == ""
    assert queries({}) == ""
    assert choose_protocol("auto", {"TERM": "linux"}, DA1_SIXEL) == "halfblock"
    assert queries(XTERM) == KITTY_QUERY + DA1_QUERY


def test_a_forced_mode_is_kept() -> None:
    for mode in ("kitty", "sixel", "halfblock", "off"):
        assert choose_protocol(mode, XTERM, "") == mode


# -- decoding ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["quad.png", "quad.jpg", "quad.gif", "quad.webp"])
def test_small_pictures_decode_and_scale_into_the_box(name: str) -> None:
    got = decode((IMAGES / name).read_bytes(), (32, 32))
    assert got.image is not None and got.reason == ""
    assert (got.width, got.height) == (64, 48)
    assert got.image.size == (32, 24)  # aspect kept, within the box
    r, g, b = got.image.getpixel((2, 2))  # type: ignore[misc]
    assert r > 150 and g < 100 and b < 100  # the red quadrant is still red


@pytest.mark.parametrize(
    ("name", "content_type", "reason"),
    [
        ("bomb.png", "image/png", "too large to decode"),
        ("huge.png", "image/png", "too large to decode"),
        ("truncated.jpg", "image/jpeg", "cut short"),
        ("script.svg", "image/svg+xml", "SVG drawings are not shown"),
        ("script.svg", "image/png", "SVG drawings are not shown"),
        ("page.png", "text/html", "not a picture newsreader can show (text/html)"),
        ("page.png", "image/png", "not a picture newsreader can show"),
    ],
)
def test_hostile_files_give_a_reason_never_an_exception(
    name: str, content_type: str, reason: str
) -> None:
    started = time.perf_counter()
    got = decode((IMAGES / name).read_bytes(), (80, 40), content_type=content_type)
    assert got.image is None
    assert reason in got.reason
    assert "\n" not in got.reason
    assert time.perf_counter() - started < 2  # refused before the pixels are decoded


def test_huge_declared_size_is_named() -> None:
    got = decode((IMAGES / "huge.png").read_bytes(), (80, 40))
    assert got.reason == "too large to decode (2,500,000,000 pixels)"


def test_empty_body() -> None:
    assert decode(b"", (8, 8)).reason == "the server sent no data"


# -- the cache ----------------------------------------------------------------------------


def test_cache_keeps_validators_and_drops_the_least_recently_used(tmp_path: Path) -> None:
    cache = ImageCache(tmp_path / "images", limit=2500)
    for n in range(3):
        cache.put(f"http://x.test/{n}.png", CachedImage(bytes(1000), "image/png", f'"e{n}"'))
        path = cache._paths(f"http://x.test/{n}.png")[0]
        os.utime(path, (1000 + n, 1000 + n))  # stored in order, a second apart
    assert cache.get("http://x.test/0.png") is None  # the oldest went
    assert cache.size() <= 2500
    one = cache.get("http://x.test/1.png")
    assert one is not None and one.etag == '"e1"' and one.content_type == "image/png"
    cache.put("http://x.test/3.png", CachedImage(bytes(1000)))  # 1 was used just now: 2 goes
    assert cache.get("http://x.test/1.png") is not None
    assert cache.get("http://x.test/2.png") is None
    cache.put("http://x.test/big.png", CachedImage(bytes(3000)))  # over the limit alone
    assert cache.get("http://x.test/big.png") is None


# -- fetching -----------------------------------------------------------------------------


def _loader(tmp_path: Path, **kw: int) -> ImageLoader:
    return ImageLoader(
        tmp_path / "images",
        cache_bytes=kw.get("cache_bytes", 10_000_000),
        max_bytes=kw.get("max_bytes", 1_000_000),
        deadline=5,
    )


async def test_pictures_come_from_the_server_then_from_the_cache(tmp_path: Path) -> None:
    with FixtureServer() as server:
        server.add_route(
            "/img/quad.png",
            Route(body=(IMAGES / "quad.png").read_bytes(), content_type="image/png",
                  headers={"ETag": '"q1"'}),
        )  # fmt: skip
        loader = _loader(tmp_path)
        try:
            got = await loader.load(server.url("/img/quad.png"), (16, 16), allow_private=None)
            again = await loader.load(server.url("/img/quad.png"), (16, 16), allow_private=None)
        finally:
            await loader.aclose()
        assert got.image is not None and again.image is not None
        assert server.requests["/img/quad.png"] == 1
        cached = loader.cache.get(server.url("/img/quad.png"))
        assert cached is not None and cached.etag == '"q1"'


async def test_fetch_rules_apply_to_pictures(tmp_path: Path) -> None:
    with FixtureServer() as server:
        server.add_route("/img/big.png", Route(body=bytes(5000), content_type="image/png"))
        loader = _loader(tmp_path, max_bytes=2048)
        try:
            private = await loader.load(server.url("/img/x.png"), (8, 8), allow_private=False)
            big = await loader.load(server.url("/img/big.png"), (8, 8), allow_private=None)
            scheme = await loader.load("file:///etc/passwd", (8, 8))
            missing = await loader.load(server.url("/img/none.png"), (8, 8), allow_private=None)
        finally:
            await loader.aclose()
    assert private.image is None and private.reason.startswith("refused")
    assert server.requests["/img/x.png"] == 0
    assert big.reason == "larger than the 2 KiB limit"
    assert scheme.reason == "not an http(s) address"
    assert "404" in missing.reason


# -- the probe, against a pseudo-terminal that answers like a terminal --------------------


def _probe_in_pty(env: dict[str, str], answer: bytes | None) -> tuple[bytes, str]:
    """Run `detect("auto")` in a child whose terminal is a pty; answer its queries with
    `answer` (None: stay silent). Returns (what it sent, what it chose)."""
    import pty
    import select
    import subprocess
    import sys

    master, slave = pty.openpty()
    child = subprocess.Popen(
        [sys.executable, "-c",
         "import sys; from reader.images.terminal import detect; "
         "sys.stderr.write(detect('auto'))"],
        stdin=slave, stdout=slave, stderr=subprocess.PIPE,
        env={"PATH": os.environ.get("PATH", ""), **env},
        cwd=Path(__file__).parents[1],
    )  # fmt: skip
    os.close(slave)
    sent = b""
    try:
        while not sent.endswith(b"\x1b[c"):
            ready, _, _ = select.select([master], [], [], 10)
            assert ready, f"the probe sent nothing past {sent!r}"
            sent += os.read(master, 1024)
        if answer is not None:
            os.write(master, answer)
        _, err = child.communicate(timeout=10)
    finally:
        os.close(master)
    return sent, err.decode()


def test_probe_asks_a_terminal_and_reads_its_answers() -> None:
    sent, chosen = _probe_in_pty({"TERM": "xterm-256color"}, DA1_SIXEL.encode())
    assert sent == (KITTY_QUERY + DA1_QUERY).encode()
    assert chosen == "sixel"
    _, chosen = _probe_in_pty({"TERM": "xterm-kitty"}, (KITTY_OK + DA1_PLAIN).encode())
    assert chosen == "kitty"
    sent, chosen = _probe_in_pty({"TERM": "screen", "TMUX": "/tmp/t,1,0"}, DA1_PLAIN.encode())
    assert sent == DA1_QUERY.encode() and chosen == "halfblock"


def test_probe_gives_up_quietly_when_the_terminal_does_not_answer() -> None:
    started = time.perf_counter()
    _, chosen = _probe_in_pty({"TERM": "xterm-256color"}, None)
    assert chosen == "halfblock"
    assert time.perf_counter() - started < 5
