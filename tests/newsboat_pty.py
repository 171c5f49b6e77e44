"""Drive Debian's newsboat (ttrss backend) for the interop test: `-x` commands as plain
subprocesses, and keys typed into its curses UI through a pseudo-terminal."""

from __future__ import annotations

import fcntl
import os
import pty
import select
import struct
import subprocess
import termios
import time
from pathlib import Path


def write_config(folder: Path, url: str, user: str, password: str) -> list[str]:
    """newsboat's config for a tt-rss account; returns the arguments that use it."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "config").write_text(
        f'urls-source "ttrss"\nttrss-url "{url}"\nttrss-login "{user}"\n'
        f'ttrss-password "{password}"\n'
    )
    (folder / "urls").write_text("")
    return ["-C", str(folder / "config"), "-u", str(folder / "urls"), "-c",
            str(folder / "cache.db")]  # fmt: skip


def run(args: list[str], *command: str) -> str:
    done = subprocess.run(
        ["newsboat", *args, *command], capture_output=True, text=True, timeout=120, check=True
    )
    return done.stdout


def _drain(fd: int, quiet: float = 0.7, limit: float = 20.0) -> bytes:
    """Read until the program has said nothing for `quiet` seconds."""
    out = b""
    end = time.monotonic() + limit
    while time.monotonic() < end:
        ready, _, _ = select.select([fd], [], [], quiet)
        if not ready:
            break
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    return out


def type_keys(args: list[str], *keys: bytes) -> bytes:
    """Start newsboat's UI, wait for it to settle, type each key (settling after each)."""
    pid, fd = pty.fork()
    if pid == 0:  # pragma: no cover - the child
        os.environ["TERM"] = "xterm"
        os.execvp("newsboat", ["newsboat", *args])
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    screen = _drain(fd, quiet=1.5)
    for key in keys:
        os.write(fd, key)
        screen += _drain(fd)
    for _ in range(100):
        done, _ = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        _drain(fd, quiet=0.1, limit=0.2)
    else:
        os.kill(pid, 9)
        os.waitpid(pid, 0)
    os.close(fd)
    return screen
