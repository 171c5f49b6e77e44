"""One rule for unread from the command line: a story carried by several feeds is one story
(`unread`, `list`, `entries`), and marking it read marks every copy."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reader.cli import main
from reader.store import Store
from tests.server import FixtureServer


def nr(capsys: pytest.CaptureFixture[str], data_dir: Path, *argv: str) -> tuple[int, str, str]:
    code = main(["--data-dir", str(data_dir), *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def twins(server: FixtureServer, data_dir: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """The seed site's RSS feed (in folder News) and its full-text Atom twin: six stories."""
    assert nr(capsys, data_dir, "add", server.url("feed.xml"), "--folder", "News")[0] == 0
    assert nr(capsys, data_dir, "add", server.url("atom-full.xml"))[0] == 0
    return data_dir


def test_unread_and_list_count_each_story_once(
    twins: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert nr(capsys, twins, "unread")[1] == "6\n"
    code, out, _ = nr(capsys, twins, "list")
    assert code == 0
    lines = out.splitlines()
    assert lines[-1].startswith("    6 unread  in all")
    assert sum(line.startswith("    6 unread  ") for line in lines) == 3


def test_entries_names_the_feed_and_lists_each_story_once(
    server: FixtureServer, twins: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, out, _ = nr(capsys, twins, "entries")
    lines = out.splitlines()
    assert len(lines) == 6
    first = lines[0]
    assert "When Social Security Becomes Immigration Enforcement" in first
    # The newest copy names its feed and how many other feeds carry the story.
    assert "[Signal Desk +1]" in first or "[Signal Desk (full text) +1]" in first

    # --limit counts stories, not the rows their copies take.
    _, out, _ = nr(capsys, twins, "entries", "--limit", "4")
    assert out.splitlines() == lines[:4]

    _, out, _ = nr(capsys, twins, "entries", "--folder", "News")
    assert len(out.splitlines()) == 6
    assert all("[Signal Desk]" in line for line in out.splitlines())
    code, _, err = nr(capsys, twins, "entries", "--folder", "Nowhere")
    assert code == 2 and "no such folder: Nowhere" in err

    rows = json.loads(nr(capsys, twins, "entries", "--json")[1])
    assert {len(row["also_in"]) for row in rows} == {1}
    assert {row["feed"] for row in rows} <= {"Signal Desk", "Signal Desk (full text)"}


def test_reading_a_story_in_one_feed_reads_it_everywhere(
    server: FixtureServer, twins: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert nr(capsys, twins, "entries", "--starred")[1] == ""
    with Store(twins / "newsreader.db") as store:
        store.set_starred(store.query_entries(limit=1)[0].id or 0, True)
    [starred] = nr(capsys, twins, "entries", "--starred")[1].splitlines()
    assert "N* " in starred
    code, out, _ = nr(capsys, twins, "mark-read", "--feed", server.url("feed.xml"))
    assert code == 0 and out == "marked 6 stories read\n"
    assert nr(capsys, twins, "unread")[1] == "0\n"
    listed = json.loads(nr(capsys, twins, "list", "--json")[1])
    assert [feed["unread"] for feed in listed] == [0, 0]
    assert nr(capsys, twins, "entries", "--unread")[1] == ""


def test_reading_a_story_by_its_link_marks_every_copy(
    server: FixtureServer, twins: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    story = server.url("articles/discord-teen-mode.html")
    assert nr(capsys, twins, "read", story + "?utm_source=rss")[0] == 0
    assert nr(capsys, twins, "unread")[1] == "5\n"
    listed = json.loads(nr(capsys, twins, "list", "--json")[1])
    assert [feed["unread"] for feed in listed] == [5, 5]
    with Store(twins / "newsreader.db") as store:
        assert store.set_link_read(story, False) != []
        assert store.unread_story_count() == 6
        assert store.set_link_read("mailto:desk@example.org") == []
