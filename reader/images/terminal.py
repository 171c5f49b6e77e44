"""Which image protocol the terminal draws: chosen from what it answers, never guessed.

`auto` sends two queries before the TUI starts: a Kitty graphics query (an APC string, which
terminals that do not know it swallow) followed by Primary Device Attributes (DA1), which
every VT-style terminal answers. Kitty graphics is used only when its answer came back `OK`,
Sixel only when DA1 lists attribute 4; otherwise cells are coloured with half blocks, which
need nothing but colour. Inside tmux only DA1 goes out (tmux answers it itself, listing 4
when it draws Sixel for its clients): Kitty graphics would need passthrough that the drawing
library does not wrap, so it is never chosen there. The Linux console and `dumb` terminals
get no query at all.
"""

from __future__ import annotations

import os
import re
import select
import sys
import time
from collections.abc import Mapping
from typing import Literal

Protocol = Literal["kitty", "sixel", "halfblock", "off"]
MODES = ("auto", "kitty", "sixel", "halfblock", "off")

KITTY_QUERY = "\x1b_Gi=31,s=1,v=1,a=q,t=d,f=24;AAAA\x1b\\"
"""A 1x1 RGB image the terminal is asked to check, not to store or show (a=q)."""
DA1_QUERY = "\x1b[c"

_KITTY_OK = re.compile(r"\x1b_Gi=31;OK\x1b\\")
_DA1 = re.compile(r"\x1b\[\?([0-9;]*)c")

ANSWER_TIMEOUT = 0.25
"""Seconds to wait for DA1's answer: a terminal on a slow link answers late, not never."""


def queries(env: Mapping[str, str]) -> str:
    """What `auto` sends for this environment ("" when nothing may be sent)."""
    term = env.get("TERM", "")
    if term in ("linux", "dumb", "") and not env.get("TERM_PROGRAM"):
        return ""
    if env.get("TMUX"):
        return DA1_QUERY
    return KITTY_QUERY + DA1_QUERY


def da1_attributes(answers: str) -> set[str]:
    """The attributes listed in the terminal's DA1 answer (empty when none came)."""
    match = _DA1.search(answers)
    return set(match.group(1).split(";")) if match else set()


def choose_protocol(mode: str, env: Mapping[str, str], answers: str) -> Protocol:
    """The protocol for `mode`: a forced one as asked; `auto` from the terminal's answers."""
    if mode in ("kitty", "sixel", "halfblock", "off"):
        return mode  # type: ignore[return-value]
    sent = queries(env)
    if not sent:
        return "halfblock"
    if KITTY_QUERY in sent and _KITTY_OK.search(answers):
        return "kitty"
    if "4" in da1_attributes(answers):
        return "sixel"
    return "halfblock"


def probe(timeout: float = ANSWER_TIMEOUT) -> str:
    """Send `queries` to the controlling terminal and return what it answered ("" when not
    a terminal). Must run before the TUI reads stdin: the answers arrive there."""
    text = queries(os.environ)
    if not text or not (sys.stdin.isatty() and sys.stdout.isatty()):
        return ""
    try:
        import termios
        import tty
    except ImportError:  # pragma: no cover - Windows
        return ""
    fd = sys.stdin.fileno()
    try:
        saved = termios.tcgetattr(fd)
    except termios.error:
        return ""
    answer = b""
    try:
        tty.setcbreak(fd, termios.TCSANOW)
        os.write(sys.stdout.fileno(), text.encode())
        end = time.monotonic() + timeout
        while not _DA1.search(answer.decode("latin-1")):
            left = end - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                break
            answer += os.read(fd, 1024)
    except OSError:
        pass
    finally:
        termios.tcsetattr(fd, termios.TCSAFLUSH, saved)
    return answer.decode("latin-1")


def detect(mode: str) -> Protocol:
    """The protocol to draw with for the configured `mode` (queries only for `auto`)."""
    if mode != "auto":
        return choose_protocol(mode, os.environ, "")
    return choose_protocol(mode, os.environ, probe())
