"""Word of what is new: one notification per refresh, never one per entry.

What is announced: new entries of the feeds and folders `[notify]` watches, and new entries
a rule with `action = "notify"` matched. How: `notify_command` (run without a shell, with
the counts and titles as arguments), else a freedesktop notification (notify-send, or
gdbus calling the notification service where notify-send is missing), else the terminal's
own notification escape where the terminal announced support for it, else nothing.
UI-free; the TUI and `newsreader refresh` call `announce` after a refresh.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TextIO

from reader.store import Arrival, normalise_folder
from reader.text import clean_line

__all__ = [
    "Notice",
    "NotifyConfig",
    "announce",
    "build_notice",
    "command_args",
    "gdbus_args",
    "parse_command",
    "parse_notify",
]

MAX_TITLES = 10
"""Titles named in one notification at most (the count says how many there were)."""

COMMAND_TIMEOUT = 30.0
"""Seconds a notify_command may take before it is abandoned."""


@dataclass(frozen=True, slots=True)
class NotifyConfig:
    """`[notify]`: what to run, and which feeds (URL or title) and folders to watch."""

    command: tuple[str, ...] = ()
    feeds: tuple[str, ...] = ()
    folders: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.feeds or self.folders)


@dataclass(frozen=True, slots=True)
class Notice:
    """One refresh's notification: how many new entries in how many feeds, and titles."""

    count: int
    feeds: int
    titles: tuple[str, ...]

    @property
    def summary(self) -> str:
        entries = "entry" if self.count == 1 else "entries"
        feeds = "feed" if self.feeds == 1 else "feeds"
        return f"{self.count} new {entries} in {self.feeds} {feeds}"


def parse_command(value: Any) -> tuple[str, ...]:
    """A command as an argv list, or a string split as a shell would (but never run by
    one). ValueError says what is wrong."""
    if isinstance(value, str):
        try:
            return tuple(shlex.split(value))
        except ValueError as exc:
            raise ValueError(f"cannot be split into words ({exc})") from None
    if isinstance(value, list) and all(isinstance(part, str) for part in value):
        return tuple(value)
    raise ValueError('must be a command: "notify-me --flag" or ["notify-me", "--flag"]')


def parse_notify(value: Any) -> tuple[NotifyConfig, list[tuple[tuple[str, ...], str]]]:
    """The `[notify]` table checked, plus a (key path, message) for each problem."""
    if not isinstance(value, dict):
        return NotifyConfig(), [(("notify",), "notify must be a [notify] table")]
    problems: list[tuple[tuple[str, ...], str]] = []
    command: tuple[str, ...] = ()
    lists: dict[str, tuple[str, ...]] = {"feeds": (), "folders": ()}
    for key, item in value.items():
        where = ("notify", key)
        if key == "command":
            try:
                command = parse_command(item)
            except ValueError as exc:
                problems.append((where, f"notify.command {exc}"))
        elif key in lists:
            if isinstance(item, list) and all(isinstance(x, str) and x.strip() for x in item):
                lists[key] = tuple(x.strip() for x in item)
            else:
                problems.append((where, f'notify.{key} must be a list of names, such as ["News"]'))
        else:
            problems.append((where, f"notify: unknown key {key!r} (keys: command, feeds, folders)"))
    return NotifyConfig(command, lists["feeds"], lists["folders"]), problems


def _watched(config: NotifyConfig, arrival: Arrival) -> bool:
    if arrival.notify_rules:
        return True
    if arrival.feed_url in config.feeds or arrival.feed_title in config.feeds:
        return True
    folders = {normalise_folder(name) for name in config.folders}
    parts = arrival.folder.split("/") if arrival.folder else []
    return any("/".join(parts[:depth]) in folders for depth in range(1, len(parts) + 1))


def build_notice(config: NotifyConfig, arrivals: Sequence[Arrival]) -> Notice | None:
    """The notification for what one refresh brought, or None when nothing watched is new."""
    chosen = [a for a in arrivals if _watched(config, a)]
    if not chosen:
        return None
    titles = tuple(clean_line(a.title, 200) or "(untitled)" for a in chosen[:MAX_TITLES])
    return Notice(len(chosen), len({a.feed_id for a in chosen}), titles)


def command_args(command: Sequence[str], notice: Notice) -> list[str]:
    """The notify_command's argv: the command, the count, the number of feeds, then the
    titles (one argument each)."""
    return [*command, str(notice.count), str(notice.feeds), *notice.titles]


def _gvariant_string(text: str) -> str:
    """`text` as a string literal of GVariant's text format, which gdbus parses each
    argument as: quotes and backslashes escaped, anything unprintable as \\uXXXX (but NUL,
    left out)."""
    out = []
    for ch in text:
        if ch == "\0":
            continue  # a D-Bus string cannot carry it
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch.isprintable():
            out.append(ch)
        elif ord(ch) <= 0xFFFF:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(f"\\U{ord(ch):08x}")
    return '"' + "".join(out) + '"'


def gdbus_args(gdbus: str, notice: Notice) -> list[str]:
    """The argv of `gdbus call` sending `notice` as notify-send would: the freedesktop
    Notify method (app name, replaces id, icon, summary, body, actions, hints, expiry at
    the server's default). Every argument is typed GVariant text, so no title is read as
    a number, a list or an option."""
    return [
        gdbus,
        "call",
        "--session",
        "--dest",
        "org.freedesktop.Notifications",
        "--object-path",
        "/org/freedesktop/Notifications",
        "--method",
        "org.freedesktop.Notifications.Notify",
        _gvariant_string("newsreader"),
        "uint32 0",
        _gvariant_string(""),
        _gvariant_string(notice.summary),
        _gvariant_string("\n".join(notice.titles)),
        "@as []",
        "@a{sv} {}",
        "int32 -1",
    ]


def _terminal_supports_notifications(environ: dict[str, str]) -> bool:
    """Terminals that announce, through their environment, that they show OSC 9 / OSC 777
    notifications (kitty, WezTerm, iTerm2, foot, Ghostty)."""
    program = environ.get("TERM_PROGRAM", "")
    return bool(
        environ.get("KITTY_WINDOW_ID")
        or program in ("WezTerm", "iTerm.app", "ghostty")
        or environ.get("TERM", "") in ("foot", "foot-extra", "xterm-kitty", "xterm-ghostty")
    )


Runner = Callable[[list[str]], None]


def _run(argv: list[str]) -> None:
    subprocess.run(
        argv,
        check=False,
        timeout=COMMAND_TIMEOUT,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def announce(
    config: NotifyConfig,
    notice: Notice,
    *,
    runner: Runner = _run,
    environ: dict[str, str] | None = None,
    terminal: TextIO | None = None,
    allow_terminal: bool = True,
) -> str:
    """Send `notice` the first way that works; returns which ("command", "desktop",
    "terminal" or "none"). Failures of the command are ignored: a notification is never
    worth a failed refresh. `allow_terminal` is False under the TUI, which owns the
    terminal (it shows the notice itself)."""
    env = dict(os.environ) if environ is None else environ
    try:
        if config.command:
            runner(command_args(config.command, notice))
            return "command"
        if env.get("DBUS_SESSION_BUS_ADDRESS") or env.get("DISPLAY"):
            send = shutil.which("notify-send", path=env.get("PATH"))
            if send:
                body = "\n".join(notice.titles)
                runner([send, "--app-name=newsreader", "--", notice.summary, body])
                return "desktop"
            gdbus = shutil.which("gdbus", path=env.get("PATH"))
            if gdbus:
                runner(gdbus_args(gdbus, notice))
                return "desktop"
    except (OSError, subprocess.SubprocessError):
        return "none"
    if allow_terminal and _terminal_supports_notifications(env):
        out = terminal if terminal is not None else sys.__stdout__
        if out is not None and (terminal is not None or out.isatty()):
            text = _escape_safe(f"newsreader: {notice.summary}")
            out.write(f"\x1b]9;{text}\x07")
            out.flush()
            return "terminal"
    return "none"


def _escape_safe(text: str) -> str:
    """Text for inside an escape sequence: no control characters that could end it."""
    return "".join(ch for ch in text if ch.isprintable())
