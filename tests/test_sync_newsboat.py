"""Interop with newsboat's ttrss backend (Debian's package) on the same tt-rss account: what
one marks read, the other sees."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.newsboat_pty import run, type_keys, write_config
from tests.synccli import nr, store
from tests.synctools import FEEDS, Kit, TtRssApi, have_newsboat, reset_site, start_ttrss

pytestmark = pytest.mark.skipif(
    not have_newsboat(), reason="newsboat is not installed (.ci/run installs it: apt-get)"
)


def unread(args: list[str]) -> int:
    out = run(args, "-x", "reload", "print-unread")
    match = re.search(r"(\d+) unread articles", out)
    assert match, out
    return int(match.group(1))


def test_newsboat_and_newsreader_see_each_others_reads(
    tmp_path: Path, data_dir: Path, kit: Kit
) -> None:
    reset_site(kit)
    api = TtRssApi(start_ttrss(kit))
    api.subscribe(f"{kit.feeds_url}/{FEEDS[0]}")
    env = api.env
    boat = write_config(tmp_path / "newsboat", env["TTRSS_URL"], env["TTRSS_USER"],
                        env["TTRSS_PASSWORD"])  # fmt: skip
    assert unread(boat) == 6
    added = nr(data_dir, "account", "add", "ttrss", env["TTRSS_URL"], "--user", "admin",
               "--password-command", "echo password")  # fmt: skip
    assert added.code == 0 and nr(data_dir, "sync").code == 0
    # newsreader reads two stories: newsboat sees them read.
    with store(data_dir) as db:
        first, second = db.query_entries()[:2]
        db.set_read(first.id or 0, True)
        db.set_read(second.id or 0, True)
    assert nr(data_dir, "sync").code == 0
    assert unread(boat) == 4
    # newsboat marks every feed read (C, y to confirm, q): newsreader sees it after a sync.
    type_keys(boat, b"C", b"y", b"q")
    assert int(api.call("getUnread")["unread"]) == 0
    assert nr(data_dir, "sync").code == 0
    assert nr(data_dir, "unread").out.strip() == "0"
