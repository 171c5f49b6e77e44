"""Episodes: which file of an entry to download or play, the player, and the CLI's progress.

An entry's *episode file* is its first audio or video enclosure. Playing starts the
configured `player` (split like a shell would, but run without one: the file or URL is one
more argument, never parsed) or, with none set, the desktop's default application.
"""

from __future__ import annotations

import asyncio
import shlex
import subprocess
import sys
import time
from pathlib import Path
from typing import TextIO

from reader.config import Settings
from reader.enclosures import is_media
from reader.feeds.fetch import format_size
from reader.models import Enclosure, Entry
from reader.store import Store
from reader.store_downloads import Download
from reader.text import clean_line, is_http_url


def episode_file(entry: Entry) -> Enclosure | None:
    """The entry's first audio or video file, or None."""
    return next((e for e in entry.enclosures if is_media(e)), None)


def queue_new_episodes(store: Store, feed_id: int | None = None) -> int:
    """Queue the episode file of every new episode (not played) not already in the queue;
    how many were queued."""
    added = 0
    feed_ids = [feed_id] if feed_id is not None else None
    for entry in store.episodes(feed_ids=feed_ids, new_only=True):
        media = [e for e in entry.enclosures if is_media(e)]
        if not media or store.download_states([e.url for e in media]):
            continue
        store.queue_download(entry, media[0])
        added += 1
    return added


def what_to_play(store: Store, enclosure: Enclosure) -> str | None:
    """The downloaded file when it is there, else the URL (players stream http), or None."""
    found = store.download_states([enclosure.url]).get(enclosure.url)
    if found is not None and found.state == "done" and Path(found.path).is_file():
        return str(Path(found.path).resolve())
    return enclosure.url if is_http_url(enclosure.url) else None


def player_argv(player: str, target: str) -> list[str]:
    """The command that plays `target`: the `player` setting's words, then the target as one
    argument (an absolute path or an http(s) URL: it cannot pass for an option)."""
    if player.strip():
        return [*shlex.split(player), target]
    if sys.platform == "darwin":
        return ["open", target]
    if sys.platform == "win32":
        return ["explorer", target]
    return ["xdg-open", target]


def start_player(player: str, target: str) -> str | None:
    """Start the player detached (its output never reaches the terminal); the reason it
    could not start, or None."""
    try:
        argv = player_argv(player, target)
    except ValueError as exc:
        return f"the player setting cannot be read: {exc}"
    try:
        subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
    except OSError as exc:
        return f"cannot start {clean_line(argv[0], 80)}: {clean_line(exc.strerror or str(exc))}"
    return None


def play(store: Store, settings: Settings, entry: Entry) -> tuple[str | None, str | None]:
    """(In a thread.) Play the entry's episode file and mark it played: (what was played,
    why it could not be)."""
    enclosure = episode_file(entry)
    if enclosure is None:
        return None, "this entry has no audio or video file"
    target = what_to_play(store, enclosure)
    if target is None:
        return None, "the file's address is not an http(s) URL"
    problem = start_player(settings.player, target)
    if problem is None:
        store.set_played([enclosure.url], True)
    return target, problem


def toggle_played(store: Store, entry: Entry) -> bool | None:
    """(In a thread.) Mark the entry's audio/video files played, or unplayed when they are;
    the new state, None when it has none."""
    media = [e.url for e in entry.enclosures if is_media(e)]
    if not media:
        return None
    played = not store.played_urls(media)
    store.set_played(media, played)
    return played


# ---------------------------------------------------------------------------- the CLI


class ProgressLine:
    """`newsreader download`'s output: a line per finished file, and on a terminal one
    progress line kept up to date under them."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.live = out.isatty()
        self.current: dict[int, Download] = {}
        self.shown = False
        self.last = 0.0

    def change(self, item: Download) -> None:
        if item.state in ("done", "failed"):
            self.current.pop(item.id, None)
            self._clear()
            title = clean_line(item.title, 120) or clean_line(item.url, 200)
            if item.state == "done":
                print(f"done: {title}  {item.path}", file=self.out, flush=True)
            else:
                print(f"failed: {title}: {clean_line(item.error, 300)}", file=self.out, flush=True)
            self._draw(force=True)
            return
        self.current[item.id] = item
        self._draw()

    def _clear(self) -> None:
        if self.live and self.shown:
            self.out.write("\r\x1b[2K")
            self.shown = False

    def _draw(self, force: bool = False) -> None:
        now = time.monotonic()
        if not self.live or not self.current or (not force and now - self.last < 0.2):
            return
        self.last = now
        got = sum(d.bytes for d in self.current.values())
        total = sum(d.total or 0 for d in self.current.values())
        first = next(iter(self.current.values()))
        name = clean_line(first.title, 40)
        others = f" +{len(self.current) - 1}" if len(self.current) > 1 else ""
        size = f"{format_size(got)} of {format_size(total)}" if total else format_size(got)
        percent = f" {got * 100 // total:3d}%" if total else ""
        self.out.write(f"\r\x1b[2Kdownloading {name}{others}:{percent} {size}")
        self.out.flush()
        self.shown = True

    def close(self) -> None:
        self._clear()
        self.out.flush()


def run_downloads(
    store: Store, settings: Settings, folder: Path, feed_id: int | None, out: TextIO
) -> list[Download]:
    """Work through the queue with a progress line on `out`; each file's final state."""
    from reader.downloads import Downloader

    progress = ProgressLine(out)
    downloader = Downloader(store, settings, folder=folder, on_change=progress.change)
    try:
        return asyncio.run(downloader.run(feed_id=feed_id))
    finally:
        progress.close()
