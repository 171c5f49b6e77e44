"""`newsreader download` and the enclosures of `entries --json`, against a loopback server."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from reader.cli import main
from reader.store import Store
from tests.fileserver import BODY, file_server, podcast_feed


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_entries_json_lists_each_entrys_files(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with Store(data_dir / "newsreader.db") as store:
        podcast_feed(store, "http://127.0.0.1:9/feed.xml", [("Ep", "https://cdn.example/a.mp3")])
    code, out, _ = run(capsys, "--data-dir", str(data_dir), "entries", "--json")
    assert code == 0
    (row,) = json.loads(out)
    assert row["enclosures"] == [
        {
            "url": "https://cdn.example/a.mp3",
            "type": "audio/mpeg",
            "length": len(BODY),
            "duration": 3725,
            "title": "",
        }
    ]


def test_download_new_fetches_every_new_episode_into_the_folder(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with file_server() as srv:
        feed_url = srv.url("/feed.xml")
        with Store(data_dir / "newsreader.db") as store:
            first, _ = podcast_feed(
                store,
                feed_url,
                [("One", srv.url("/ranged/1.mp3")), ("Two", srv.url("/drop/2.mp3"))],
            )
            store.set_played([first.enclosures[0].url])  # played: not a new episode
        d = str(data_dir)
        to = tmp_path / "podcasts"
        code, out, _ = run(capsys, "--data-dir", d, "download", "--to", str(to))
        assert (code, out.strip()) == (0, "nothing to download (--new queues new episodes)")
        assert not to.exists()  # no folder made for nothing

        code, out, err = run(capsys, "--data-dir", d, "download", "--new", "--to", str(to))
        assert code == 0, err
        lines = out.strip().splitlines()
        assert lines[0] == "queued 1 new episode"
        saved = to / "Loopback Radio" / "Two.mp3"
        assert lines[1] == f"done: Two  {saved}"
        assert saved.read_bytes() == BODY  # resumed after the server dropped it halfway

        code, out, _ = run(capsys, "--data-dir", d, "download", "--new", "--to", str(to))
        assert code == 0 and out.startswith("nothing to download")  # not queued twice


def test_download_exits_1_naming_a_file_that_failed(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with file_server() as srv:
        with Store(data_dir / "newsreader.db") as store:
            podcast_feed(store, srv.url("/feed.xml"), [("Gone", srv.url("/missing.mp3"))])
        to = str(tmp_path / "out")
        code, out, _ = run(capsys, "--data-dir", str(data_dir), "download", "--new", "--to", to)
        assert code == 1
        assert "failed: Gone: HTTP 404 Not Found" in out


def test_a_folder_that_cannot_be_made_is_a_usage_error(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with Store(data_dir / "newsreader.db") as store:
        podcast_feed(store, "http://127.0.0.1:9/feed.xml", [("Ep", "https://cdn.example/a.mp3")])
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    args = ["--data-dir", str(data_dir), "download", "--new", "--to", str(blocker / "sub")]
    code, _, err = run(capsys, *args)
    assert code == 2
    assert f"cannot use the folder {blocker / 'sub'}" in err


def test_download_feed_must_be_a_subscription(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(
        capsys, "--data-dir", str(data_dir), "download", "--feed", "https://nope.example/"
    )
    assert code == 2
    assert "not subscribed: https://nope.example/" in err


def test_download_feed_only_takes_that_feeds_files(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with file_server() as srv:
        with Store(data_dir / "newsreader.db") as store:
            podcast_feed(store, srv.url("/feed.xml"), [("Mine", srv.url("/ranged/m.mp3"))])
            podcast_feed(
                store,
                srv.url("/other.xml"),
                [("Theirs", srv.url("/ranged/t.mp3"))],
                feed_title="Other",
            )
        to = str(tmp_path / "out")
        args = ["--data-dir", str(data_dir), "download", "--new", "--to", to]
        code, out, _ = run(capsys, *args, "--feed", srv.url("/feed.xml"))
        assert code == 0
        assert "done: Mine" in out and "Theirs" not in out
        assert "/ranged/t.mp3" not in srv.ranges


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_on_a_terminal_a_progress_line_is_kept_under_the_finished_lines() -> None:
    from dataclasses import replace

    from reader.podcasts import ProgressLine
    from reader.store_downloads import Download

    out = _Terminal()
    progress = ProgressLine(out)
    item = Download(
        1, "https://x.example/a.mp3", None, None, "Ep 1", "Pod", "audio/mpeg", "downloading",
        5 * 1024 * 1024, 20 * 1024 * 1024, "/p/Ep 1.mp3", "", "", None, None,  # type: ignore[arg-type]
    )  # fmt: skip
    progress.change(item)
    assert out.getvalue() == "\r\x1b[2Kdownloading Ep 1:  25% 5 MiB of 20 MiB"
    progress.change(replace(item, state="done", bytes=20 * 1024 * 1024))
    progress.close()
    assert out.getvalue().endswith("\r\x1b[2Kdone: Ep 1  /p/Ep 1.mp3\n")


def test_without_a_terminal_only_the_finished_lines_are_printed() -> None:
    from reader.podcasts import ProgressLine
    from reader.store_downloads import Download

    out = io.StringIO()
    progress = ProgressLine(out)
    item = Download(
        1, "https://x.example/a.mp3", None, None, "Ep 1", "Pod", "audio/mpeg", "failed",
        0, None, "", "", "HTTP 404 Not Found", None, None,  # type: ignore[arg-type]
    )  # fmt: skip
    progress.change(item)
    progress.close()
    assert out.getvalue() == "failed: Ep 1: HTTP 404 Not Found\n"
