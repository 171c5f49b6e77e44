"""`newsreader read URL` as text for a pager: marked headings, numbered link references,
the date as the TUI shows it, list-item titles apart from their teasers."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from reader.article.render import html_to_print, html_to_text
from reader.cli import main
from tests.server import FixtureServer


@pytest.fixture
def utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_read_prints_headings_references_and_the_configured_date(
    server: FixtureServer, data_dir: Path, capsys: pytest.CaptureFixture[str], utc: None
) -> None:
    (data_dir / "config.toml").write_text('date_format = "%d %b %Y"\n')
    url = server.url("articles/ssa-ice-appointments.html")
    assert main(["--data-dir", str(data_dir), "read", url]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[2] == "Signal Desk Staff · 21 Nov 2025 14:05"
    assert "## The Expanding Dragnet" in lines
    assert "The agency is secretly leasing offices nationwide[1], creating" in out
    references = lines[lines.index("References") :]
    assert references == ["References", f"  1. {server.url('articles/ice-office-leases.html')}"]
    related = lines.index("Related")
    assert lines[related + 1 : related + 3] == [
        "- Discord defaults every user to teen mode",
        f"  {server.url('articles/discord-teen-mode.html')}",
    ]


def test_print_text_numbers_each_target_once_and_splits_titles_from_teasers() -> None:
    html = (
        "<h2><a href='/guide'>A guide</a></h2>"
        "<p>See <a href='/a'>one</a>, <a href='/a#x'>the same</a> and"
        " <a href='mailto:desk@example.org'>write</a>; <a href='javascript:x()'>not this</a>.</p>"
        "<ul><li><a href='/s1'>First story</a> – what the first story is about</li>"
        "<li><strong>Ann Lee</strong>, the editor, wrote this one herself.</li>"
        "<li><a href='/s2'>Second story</a><span>A teaser that ran into it</span></li></ul>"
    )
    text, references = html_to_print(html, "https://news.example/page")
    assert references == [
        "https://news.example/guide",
        "https://news.example/a",
        "https://news.example/a#x",
        "mailto:desk@example.org",
        "https://news.example/s1",
        "https://news.example/s2",
    ]
    assert text.split("\n") == [
        "## A guide[1]",
        "",
        "See one[2], the same[3] and write[4]; not this.",
        "",
        "- First story[5]",
        "  what the first story is about",
        "- Ann Lee, the editor, wrote this one herself.",
        "- Second story[6]",
        "  A teaser that ran into it",
    ]
    # The plain text used elsewhere (decks, --json "text") is unchanged: no marks.
    assert html_to_text(html, "https://news.example/page").startswith("A guide\n\nSee one, the")
