"""The headless commands, run in-process with a real store and the loopback server."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from reader import __version__
from reader.cli import main
from reader.store import Store
from tests.server import FixtureServer, Route


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    return code, capsys.readouterr().out


def test_add_refresh_list(
    server: FixtureServer, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    d = str(data_dir)
    code, out = run(capsys, "--data-dir", d, "add", server.url("atom-full.xml"))
    assert code == 0
    assert "subscribed" in out and "6 new" in out
    code, out = run(capsys, "--data-dir", d, "add", server.url("atom-full.xml"))
    assert code == 0 and "already subscribed" in out

    code, out = run(capsys, "--data-dir", d, "add", server.url("feed.xml"), "--no-fetch")
    assert code == 0
    code, out = run(capsys, "--data-dir", d, "refresh")
    assert code == 0
    lines = out.strip().splitlines()
    assert len(lines) == 2
    assert "Signal Desk (full text): not modified" in lines
    assert "Signal Desk: 6 new" in lines

    code, out = run(capsys, "--data-dir", d, "list")
    assert code == 0
    assert out.count("    6 unread  Signal Desk") == 2
    assert "    6 unread  in all" in out  # the same six stories in both feeds
    assert (data_dir / "newsreader.db").is_file()


def test_refresh_reports_failures_and_exit_code(
    server: FixtureServer, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    server.add_route(
        "page.html", Route(body=b"<html><body>hi</body></html>", content_type="text/html")
    )
    d = str(data_dir)
    run(capsys, "--data-dir", d, "add", server.url("missing.xml"), "--no-fetch")
    run(capsys, "--data-dir", d, "add", server.url("page.html"), "--no-fetch")
    run(capsys, "--data-dir", d, "add", server.url("feed.xml"), "--no-fetch")
    code, out = run(capsys, "--data-dir", d, "refresh")
    assert code == 1
    assert "error: HTTP 404 Not Found" in out
    assert "error: not a feed" in out
    assert "Signal Desk: 6 new" in out
    code, out = run(capsys, "--data-dir", d, "list")
    assert "HTTP 404" in out


def test_add_rejects_non_http(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--data-dir", str(data_dir), "add", "file:///etc/passwd"]) == 2
    with Store(data_dir / "newsreader.db") as store:
        assert store.list_feeds() == []


def test_default_data_dir_follows_xdg(
    server: FixtureServer, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["add", server.url("feed.xml"), "--no-fetch"]) == 0
    xdg = Path(str(data_dir)).parent / "xdg-data" / "newsreader" / "newsreader.db"
    assert xdg.is_file()


def test_version_and_help() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "reader", "--version"], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == f"newsreader {__version__}"
    out = subprocess.run(
        [sys.executable, "-m", "reader", "--help"], capture_output=True, text=True, check=True
    ).stdout
    for word in ("--data-dir", "--sample", "add", "refresh", "list"):
        assert word in out


@pytest.mark.parametrize(
    "command", [["entries"], ["search", "court"], ["mark-read"]], ids=lambda c: c[0]
)
def test_feed_option_names_a_url_that_is_not_subscribed(
    data_dir: Path, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    missing = "https://nowhere.example/feed.xml"
    code = main(["--data-dir", str(data_dir), *command, "--feed", missing])
    captured = capsys.readouterr()
    assert code == 2
    assert f"not subscribed: {missing}" in captured.err
    assert captured.out == ""


def test_refresh_exits_1_on_every_run_while_a_feed_is_failing(
    server: FixtureServer, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A failing feed is skipped for back-off on the next runs; cron still sees exit 1."""
    d = str(data_dir)
    broken = server.url("missing.xml")
    assert main(["--data-dir", d, "add", broken, "--force"]) == 1
    assert main(["--data-dir", d, "add", server.url("feed.xml")]) == 0
    capsys.readouterr()
    assert main(["--data-dir", d, "refresh"]) == 1
    captured = capsys.readouterr()
    assert f"{broken}: skipped: failing" in captured.out
    assert "Signal Desk: not modified" in captured.out
    assert captured.err == f"newsreader: {broken}: still failing (1x): HTTP 404 Not Found\n"
    assert main(["--data-dir", d, "refresh", "--due"]) == 1  # nothing due, still failing
    assert capsys.readouterr().out == ""
    # Only the healthy feed in scope: all is well.
    assert main(["--data-dir", d, "refresh", "--feed", server.url("feed.xml")]) == 0
    # Once the broken feed is gone, refresh is back to 0.
    assert main(["--data-dir", d, "remove", broken]) == 0
    assert main(["--data-dir", d, "refresh"]) == 0


def test_search_without_a_match_says_so_and_exits_1(
    server: FixtureServer, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    d = str(data_dir)
    assert main(["--data-dir", d, "add", server.url("feed.xml")]) == 0
    capsys.readouterr()
    assert main(["--data-dir", d, "search", "Discord"]) == 0
    assert "Discord defaults every user to teen mode" in capsys.readouterr().out
    assert main(["--data-dir", d, "search", "zebracorn"]) == 1
    captured = capsys.readouterr()
    assert (captured.out, captured.err) == ("", "newsreader: no matches for zebracorn\n")
    assert main(["--data-dir", d, "search", "zebracorn", "--json"]) == 1
    assert capsys.readouterr().out == "[]\n"


def test_help_names_every_feed_format() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "reader", "--help"], capture_output=True, text=True, check=True
    ).stdout
    assert "RSS, Atom and JSON Feed" in " ".join(out.split())
    assert "exit status" in out
