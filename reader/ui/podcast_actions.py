"""The main screen's podcast keys: E an entry's files, D the downloads, p play, P played.

A mixin of `MainScreen` (which binds the keys), so the screen module only names them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from textual import work

from reader.podcasts import episode_file, play, toggle_played
from reader.text import clean_line
from reader.ui.screens.podcasts import DownloadsScreen, FilesScreen

if TYPE_CHECKING:
    from reader.models import Entry
    from reader.ui.screens.main import MainScreen


class PodcastActions:
    """E, D, p and P, acting on the entry `_target_entry` names."""

    @property
    def _main(self) -> MainScreen:
        return cast("MainScreen", self)

    def action_files(self) -> None:
        """E: the entry's files (podcast audio, video, attachments)."""
        entry = self._main._target_entry()
        if entry is None:
            return
        if not entry.enclosures:
            self._main.set_status("This entry has no files (podcast audio or video, attachments).")
            return
        self._main.app.push_screen(FilesScreen(self._main.store, entry))

    def action_downloads(self) -> None:
        """D: the download queue."""
        self._main.app.push_screen(DownloadsScreen(self._main.store))

    def action_play(self) -> None:
        """p: play the entry's episode (the downloaded file, else streamed) and mark it played."""
        entry = self._main._target_entry()
        if entry is None:
            return
        if episode_file(entry) is None:
            self._main.set_status("This entry has no audio or video file to play.")
            return
        self._play(entry)

    @work(thread=True, group="play", exit_on_error=False)
    def _play(self, entry: Entry) -> None:
        target, problem = play(self._main.store, self._main.service.settings, entry)
        if problem is not None:
            text = f"Cannot play: {problem}"
        else:
            text = f"Playing {clean_line(target, 300)} (marked played)"
        self._main.app.call_from_thread(self._main.set_status, text, True)
        if problem is None:
            self._main.app.call_from_thread(self._main.reload_feeds, True)

    def action_toggle_played(self) -> None:
        """P: mark the entry's episode played, or not played again."""
        entry = self._main._target_entry()
        if entry is not None:
            self._toggle_played(entry)

    @work(thread=True, group="played", exit_on_error=False)
    def _toggle_played(self, entry: Entry) -> None:
        played = toggle_played(self._main.store, entry)
        if played is None:
            text = "This entry has no audio or video file."
        elif played:
            text = f"Played: {clean_line(entry.title, 200)}"
        else:
            text = f"Not played (a new episode again): {clean_line(entry.title, 200)}"
        self._main.app.call_from_thread(self._main.set_status, text)
        if played is not None:
            self._main.app.call_from_thread(self._main.reload_feeds, True)
