"""Making untrusted text inert: no control characters, escape sequences or bidi tricks.

Every title, author, summary, URL and page text comes from strangers. These functions run
where text enters (parse, extract) and again where it leaves (the UI, the CLI), so a string
that slipped past one still cannot act on the terminal.
"""

from __future__ import annotations

import re

# ESC-introduced sequences first (so their parameters go with them), then lone controls.
_OSC = r"(?:\x1b\]|\x9d)[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
_CSI = r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]?"
_DCS_PM_APC = r"(?:\x1b[PX^_]|[\x90\x98\x9e\x9f])[^\x1b\x9c]*(?:\x1b\\|\x9c)?"
_ESC_OTHER = r"\x1b[ -/]*[0-~]?"
_ESCAPES = re.compile("|".join((_OSC, _CSI, _DCS_PM_APC, _ESC_OTHER)))

# C0 controls except tab and newline, DEL, C1 controls; bidi embeddings/overrides/isolates,
# directional marks, zero-width characters and the BOM.
_CONTROLS = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]"
)
_SPACES = re.compile(r"\s+")


def strip_controls(text: str) -> str:
    """Remove escape sequences and control/bidi/zero-width characters; keep tabs and newlines."""
    if not text:
        return ""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\x1b" in text or any("\x80" <= ch <= "\x9f" for ch in text):
        text = _ESCAPES.sub("", text)
    return _CONTROLS.sub("", text)


def clean_line(text: str | None, limit: int = 2000) -> str:
    """One line of untrusted text: controls stripped, whitespace collapsed, length capped."""
    if not text:
        return ""
    line = _SPACES.sub(" ", strip_controls(text)).strip()
    if len(line) > limit:
        line = line[: limit - 1].rstrip() + "…"
    return line


def is_http_url(url: str | None) -> bool:
    """Only http(s) links are ever fetched."""
    if not url:
        return False
    head = url.strip()[:8].lower()
    return head.startswith("http://") or head.startswith("https://")
