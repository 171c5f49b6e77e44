"""Opening a link in the user's browser without blocking or garbling the terminal."""

from __future__ import annotations

import shlex
import subprocess
import webbrowser

from reader.text import is_http_url


def open_in_browser(url: str, command: str = "") -> bool:
    """Open an http(s) URL with `command` (`{url}` replaced, else appended) or the default.

    Never goes through a shell, and the child's output never reaches our terminal.
    Returns False for anything that is not an http(s) URL or when no browser could start.
    """
    if not is_http_url(url):
        return False
    if command:
        parts = shlex.split(command)
        argv = [p.replace("{url}", url) for p in parts]
        if not any("{url}" in p for p in parts):
            argv.append(url)
        try:
            subprocess.Popen(
                argv,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
        except OSError:
            return False
        return True
    try:
        return webbrowser.open(url, new=2)
    except webbrowser.Error:
        return False
