"""Stories that changed (versions, word diff, trivial changes ignored) and word of what is
new (one notify_command call per refresh), through a real loopback server."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from reader.cli import main
from reader.notify import Notice, NotifyConfig, announce
from reader.versions import diff_text, story_changed, word_diff
from tests.server import FixtureServer, Route


def nr(capsys: pytest.CaptureFixture[str], data_dir: Path, *argv: str) -> tuple[int, str, str]:
    code = main(["--data-dir", str(data_dir), *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def rss(*items: tuple[str, str, str]) -> bytes:
    """A feed of (guid, title, description HTML) items."""
    body = "".join(
        f"<item><guid>{guid}</guid><title>{title}</title>"
        f"<link>http://example.org/{guid}</link><description><![CDATA[{text}]]></description>"
        "</item>"
        for guid, title, text in items
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>Changing</title>{body}'.encode()
        + (b"</channel></rss>")
    )


def entries(capsys: pytest.CaptureFixture[str], data_dir: Path) -> dict[str, dict]:
    code, out, _ = nr(capsys, data_dir, "entries", "--json")
    assert code == 0
    return {row["title"]: row for row in json.loads(out)}


FIRST = (
    "a",
    "Minister speaks",
    '<p>The minister said yes on <b>Monday</b>.</p><p><a href="http://x.org/?utm_source=a">'
    "src</a> 10:40</p>",
)


@pytest.fixture
def changing(server: FixtureServer, data_dir: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    server.add_route("changing.xml", Route(body=rss(FIRST)))
    assert nr(capsys, data_dir, "add", server.url("changing.xml"))[0] == 0
    assert nr(capsys, data_dir, "mark-read", "--all")[0] == 0
    return data_dir


def serve(server: FixtureServer, *items: tuple[str, str, str]) -> None:
    server.routes["/changing.xml"] = Route(body=rss(*items))


def test_a_trivial_rewrite_is_not_an_update(
    server: FixtureServer, changing: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    serve(
        server,
        (
            "a",
            "Minister  speaks",
            '<p>The minister   said yes on <b>Monday</b>.</p>\n<p><a href="http://x.org/?'
            'utm_source=feed">src</a> 10:42</p>',
        ),
    )
    assert nr(capsys, changing, "refresh")[0] == 0
    row = entries(capsys, changing)["Minister speaks"]
    assert row["versions"] == 0 and row["updated_story"] is None and row["read"] is True
    assert nr(capsys, changing, "diff", str(row["id"]))[0] == 1


def test_a_real_change_keeps_the_earlier_version_and_shows_the_words(
    server: FixtureServer, changing: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    serve(server, ("a", "Minister speaks out", FIRST[2].replace("said yes", "said no")))
    assert nr(capsys, changing, "refresh")[0] == 0
    row = entries(capsys, changing)["Minister speaks out"]
    assert row["versions"] == 1 and row["updated_story"] is not None
    assert row["read"] is True  # unread again only where unread_when_updated says
    code, out, _ = nr(capsys, changing, "diff", str(row["id"]))
    assert code == 0
    lines = out.splitlines()
    assert lines[1] == "title: Minister speaks {+out+}"
    assert lines[2] == "The minister said [-yes-] {+no+} on Monday. src 10:40"


def test_updated_stories_can_turn_unread_and_versions_are_bounded(
    server: FixtureServer, changing: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (changing / "config.toml").write_text('unread_when_updated = ["*"]\nversions_per_entry = 2\n')
    for n in range(4):
        serve(server, ("a", "Minister speaks", f"<p>Take {n}: the minister said {n}.</p>"))
        assert nr(capsys, changing, "refresh")[0] == 0
        row = entries(capsys, changing)["Minister speaks"]
        assert row["read"] is False
        assert nr(capsys, changing, "mark-read", "--all")[0] == 0
    assert row["versions"] == 2


def test_word_diff_runs() -> None:
    runs = word_diff("a b c d", "a x c d e")
    assert [(r.kind, r.text) for r in runs] == [
        ("same", "a"),
        ("removed", "b"),
        ("added", "x"),
        ("same", "c d"),
        ("added", "e"),
    ]
    assert diff_text(runs) == "a [-b-] {+x+} c d {+e+}"
    assert not story_changed(
        "T", "", "<p>Updated 2025-11-20 10:00</p>", "T", "", "<p>Updated 2025-11-21 11:30</p>"
    )
    assert story_changed("T", "", "<p>one</p>", "T", "", "<p>two</p>")


# Notifications

SCRIPT = """
import json, sys
with open(sys.argv[1], "a", encoding="utf-8") as out:
    out.write(json.dumps(sys.argv[2:]) + "\\n")
"""


def test_notify_command_gets_one_call_per_refresh_with_counts_and_titles(
    server: FixtureServer, data_dir: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    script = tmp_path / "notified.py"
    script.write_text(SCRIPT)
    calls = tmp_path / "calls.jsonl"
    server.add_route("changing.xml", Route(body=rss(FIRST)))
    assert nr(capsys, data_dir, "add", server.url("changing.xml"))[0] == 0
    assert nr(capsys, data_dir, "add", server.url("feed.xml"))[0] == 0
    (data_dir / "config.toml").write_text(
        f"notify_command = {json.dumps([sys.executable, str(script), str(calls)])}\n"
        "[notify]\n"
        f'feeds = ["{server.url("changing.xml")}"]\n'
        "[[rules]]\n"
        'name = "watch"\n'
        'action = "notify"\n'
        'title = "^Second"\n'
    )
    assert nr(capsys, data_dir, "refresh")[0] == 0
    assert not calls.exists()  # nothing new: no notification

    serve(
        server,
        FIRST,
        ("b", "Second story", "<p>two</p>"),
        ("c", "Third; rm -rf / $(story)", "<p>three</p>"),
    )
    assert nr(capsys, data_dir, "refresh")[0] == 0
    [call] = [json.loads(line) for line in calls.read_text().splitlines()]
    assert call[:2] == ["2", "1"]
    assert sorted(call[2:]) == ["Second story", "Third; rm -rf / $(story)"]  # no shell

    assert nr(capsys, data_dir, "refresh")[0] == 0
    assert len(calls.read_text().splitlines()) == 1  # nothing new, no second call


def test_entries_stored_before_a_refresh_never_count_as_its_arrivals(
    server: FixtureServer, data_dir: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """An entry stored earlier by a device whose clock ran ahead carries a first-seen time
    after the next refresh began; the notification still names only what that refresh
    stored."""
    import sqlite3
    import time

    script = tmp_path / "notified.py"
    script.write_text(SCRIPT)
    calls = tmp_path / "calls.jsonl"
    server.add_route("changing.xml", Route(body=rss(FIRST)))
    assert nr(capsys, data_dir, "add", server.url("changing.xml"))[0] == 0
    (data_dir / "config.toml").write_text(
        f"notify_command = {json.dumps([sys.executable, str(script), str(calls)])}\n"
        "[notify]\n"
        f'feeds = ["{server.url("changing.xml")}"]\n'
    )
    with sqlite3.connect(data_dir / "newsreader.db") as raw:
        raw.execute("UPDATE entries SET first_seen = ?", (time.time() + 3600,))
    raw.close()
    serve(server, FIRST, ("b", "Second story", "<p>two</p>"))
    assert nr(capsys, data_dir, "refresh")[0] == 0
    [call] = [json.loads(line) for line in calls.read_text().splitlines()]
    assert call == ["1", "1", "Second story"]


def test_a_notify_rule_alone_announces_only_the_entries_it_matched(
    server: FixtureServer, data_dir: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """With no feed or folder watched, the notification is the notify rules' matches of this
    refresh: not the other new entries, not an entry the rule matched before."""
    script = tmp_path / "notified.py"
    script.write_text(SCRIPT)
    calls = tmp_path / "calls.jsonl"
    server.add_route("changing.xml", Route(body=rss(("o", "Outage in the north", "<p>x</p>"))))
    (data_dir / "config.toml").write_text(
        f"notify_command = {json.dumps([sys.executable, str(script), str(calls)])}\n"
        "[[rules]]\n"
        'name = "outages"\n'
        'action = "notify"\n'
        'title = "outage"\n'
    )
    assert nr(capsys, data_dir, "add", server.url("changing.xml"))[0] == 0
    assert nr(capsys, data_dir, "refresh")[0] == 0
    calls.unlink(missing_ok=True)  # whatever `add` and the first refresh announced
    serve(
        server,
        ("o", "Outage in the north", "<p>x</p>"),
        ("p", "Weather", "<p>sun</p>"),
        ("q", "Second outage, south", "<p>y</p>"),
        ("r", "Sport", "<p>ball</p>"),
    )
    assert nr(capsys, data_dir, "refresh")[0] == 0
    [call] = [json.loads(line) for line in calls.read_text().splitlines()]
    assert call == ["1", "1", "Second outage, south"]


def test_without_a_command_the_terminal_escape_only_where_announced() -> None:
    notice = Notice(3, 2, ("a", "b"))
    sent: list[list[str]] = []

    class Out:
        text = ""

        def write(self, text: str) -> None:
            Out.text += text

        def flush(self) -> None:
            pass

    plain = {"PATH": "/nonexistent", "TERM": "xterm-256color"}
    assert announce(NotifyConfig(), notice, runner=sent.append, environ=plain) == "none"
    kitty = {**plain, "TERM": "xterm-kitty"}
    out = Out()
    assert announce(NotifyConfig(), notice, runner=sent.append, environ=kitty, terminal=out) == (  # type: ignore[arg-type]
        "terminal"
    )
    assert Out.text == "\x1b]9;newsreader: 3 new entries in 2 feeds\x07"
    assert sent == []


FAKE = """#!{python}
import json, os, sys
with open({calls!r}, "a", encoding="utf-8") as out:
    out.write(json.dumps([os.path.basename(sys.argv[0]), *sys.argv[1:]]) + "\\n")
"""


def fake_program(bin_dir: Path, name: str, calls: Path) -> None:
    """A program on PATH that records its argv (one JSON list per call) in `calls`."""
    bin_dir.mkdir(exist_ok=True)
    program = bin_dir / name
    program.write_text(FAKE.format(python=sys.executable, calls=str(calls)))
    program.chmod(0o755)


def test_without_notify_send_gdbus_sends_the_freedesktop_notification(
    server: FixtureServer,
    data_dir: Path,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With no notify-send on PATH, a refresh that brings watched entries calls `gdbus call`
    once (argv, no shell) with the Notify method's arguments as typed GVariant text: a
    title with quotes, a backslash and shell syntax arrives as one string literal."""
    calls = tmp_path / "calls.jsonl"
    fake_program(tmp_path / "bin", "gdbus", calls)
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent")
    server.add_route("changing.xml", Route(body=rss(FIRST)))
    assert nr(capsys, data_dir, "add", server.url("changing.xml"))[0] == 0
    (data_dir / "config.toml").write_text(f'[notify]\nfeeds = ["{server.url("changing.xml")}"]\n')
    serve(server, FIRST, ("b", 'Say "no" \\ $(rm -rf)', "<p>two</p>"))
    assert nr(capsys, data_dir, "refresh")[0] == 0
    [call] = [json.loads(line) for line in calls.read_text().splitlines()]
    assert call == [
        "gdbus",
        "call",
        "--session",
        "--dest",
        "org.freedesktop.Notifications",
        "--object-path",
        "/org/freedesktop/Notifications",
        "--method",
        "org.freedesktop.Notifications.Notify",
        '"newsreader"',
        "uint32 0",
        '""',
        '"1 new entry in 1 feed"',
        '"Say \\"no\\" \\\\ $(rm -rf)"',
        "@as []",
        "@a{sv} {}",
        "int32 -1",
    ]


def test_notify_send_comes_before_gdbus_and_neither_without_a_session(tmp_path: Path) -> None:
    calls = tmp_path / "calls.jsonl"
    for name in ("gdbus", "notify-send"):
        fake_program(tmp_path / "bin", name, calls)
    notice = Notice(2, 1, ("one", "two"))
    session = {"PATH": str(tmp_path / "bin"), "DBUS_SESSION_BUS_ADDRESS": "unix:path=/x"}
    assert announce(NotifyConfig(), notice, environ=session) == "desktop"
    [call] = [json.loads(line) for line in calls.read_text().splitlines()]
    assert call == ["notify-send", "--app-name=newsreader", "--", "2 new entries in 1 feed",
                    "one\ntwo"]  # fmt: skip
    no_session = {"PATH": str(tmp_path / "bin"), "TERM": "xterm-256color"}
    assert announce(NotifyConfig(), notice, environ=no_session) == "none"
    assert len(calls.read_text().splitlines()) == 1
