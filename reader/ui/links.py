"""Where a link goes when it is not read in the reader: the browser, or the desktop's app.

Web pages (http, https) go to the browser (`reader.browser`, the `browser` setting). The few
other kinds of link an article keeps (`render.OTHER_LINK_SCHEMES`: mailto:, tel:, ftp:…) are
never fetched; `o` hands them to the desktop's opener (xdg-open, macOS `open`), which picks
the mail client, the dialler or the file manager. Anything else is never opened.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

from reader.article.render import is_other_link
from reader.browser import open_in_browser
from reader.text import is_http_url

OPENER_WAIT_SECONDS = 10.0
"""How long to wait for the opener's verdict (it hands the link over and exits)."""


def desktop_opener() -> list[str] | None:
    """The command that opens a link with the desktop's chosen app, if there is one."""
    name = "open" if sys.platform == "darwin" else "xdg-open"
    path = shutil.which(name)
    return [path] if path else None


def open_link(url: str, browser: str = "") -> bool:
    """Open a link outside the reader (blocks up to `OPENER_WAIT_SECONDS`: call it in a
    worker thread). False when it may not be opened or nothing could open it."""
    if is_http_url(url):
        return open_in_browser(url, browser)
    if not is_other_link(url):
        return False
    url = url.strip()
    if sys.platform == "win32":
        try:
            os.startfile(url)  # type: ignore[attr-defined]  # the registered handler
        except OSError:
            return False
        return True
    opener = desktop_opener()
    if opener is None:
        return False
    try:
        # Never a shell; the scheme is first, so the URL cannot pass for an option.
        child = subprocess.Popen(
            [*opener, url],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
    except OSError:
        return False
    try:
        return child.wait(OPENER_WAIT_SECONDS) == 0
    except subprocess.TimeoutExpired:
        return True  # still handing it over: the app is on its way
