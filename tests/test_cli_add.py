"""`add` refuses what it cannot subscribe to (unless --force) and moves a feed to --folder."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from reader.cli import main
from tests.server import FixtureServer, Route


def nr(capsys: pytest.CaptureFixture[str], data_dir: Path, *argv: str) -> tuple[int, str, str]:
    code = main(["--data-dir", str(data_dir), *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def subscriptions(capsys: pytest.CaptureFixture[str], data_dir: Path) -> dict[str, str]:
    listed = json.loads(nr(capsys, data_dir, "list", "--json")[1])
    return {feed["url"]: feed["folder"] for feed in listed}


@pytest.fixture
def bare_server(tmp_path: Path) -> Iterator[FixtureServer]:
    """A server with no files at all, so discovery finds no feed anywhere."""
    root = tmp_path / "empty-site"
    root.mkdir()
    with FixtureServer(root) as srv:
        srv.add_route("page.html", Route(body=b"<p>no feeds here</p>", content_type="text/html"))
        yield srv


@pytest.mark.parametrize(
    ("path", "reason"),
    [("missing.xml", "HTTP 404 Not Found"), ("page.html", "not a feed")],
)
def test_a_url_that_fails_is_refused_with_the_reason(
    bare_server: FixtureServer,
    data_dir: Path,
    capsys: pytest.CaptureFixture[str],
    path: str,
    reason: str,
) -> None:
    url = bare_server.url(path)
    code, out, err = nr(capsys, data_dir, "add", url)
    assert code == 1
    assert out == ""
    [said] = err.splitlines()
    assert said.startswith(f"newsreader: not subscribed: {url}: {reason}")
    assert "--force" in said
    assert subscriptions(capsys, data_dir) == {}

    code, out, err = nr(capsys, data_dir, "add", url, "--force")
    assert code == 1  # subscribed, and the failure still shows in the exit code
    assert out.startswith(f"subscribed: {url}\n")
    assert "--force" not in err
    assert url in subscriptions(capsys, data_dir)


def test_refused_connection_and_a_bare_word_are_refused(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = nr(capsys, data_dir, "add", "http://127.0.0.1:9/feed.xml")
    assert code == 1 and "connection refused" in err
    code, _, err = nr(capsys, data_dir, "add", "notaurl")
    assert code == 1
    assert err == (
        "newsreader: not a web address: notaurl (give the feed's URL; --force adds it anyway)\n"
    )
    assert subscriptions(capsys, data_dir) == {}
    assert nr(capsys, data_dir, "add", "notaurl", "--force", "--no-fetch")[0] == 0
    assert subscriptions(capsys, data_dir) == {"https://notaurl": ""}


def test_adding_again_with_a_folder_moves_the_feed(
    server: FixtureServer, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = server.url("feed.xml")
    assert nr(capsys, data_dir, "add", url)[0] == 0
    code, out, _ = nr(capsys, data_dir, "add", url, "--folder", " News / World ")
    assert code == 0
    assert out == f"already subscribed: {url}; moved to News/World\n"
    assert subscriptions(capsys, data_dir) == {url: "News/World"}
    code, out, _ = nr(capsys, data_dir, "add", url, "--folder", "News/World")
    assert out == f"already subscribed: {url}\n"
    code, out, _ = nr(capsys, data_dir, "add", url, "--folder", "")
    assert out == f"already subscribed: {url}; moved to (no folder)\n"
    assert subscriptions(capsys, data_dir) == {url: ""}


def test_preview_of_a_page_without_feeds_says_so(
    bare_server: FixtureServer, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = bare_server.url("page.html")
    code, out, err = nr(capsys, data_dir, "preview", url)
    assert (code, out) == (1, "")
    assert err.startswith(f"newsreader: {url}: not a feed") and "offers none" in err
