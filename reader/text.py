"""Making untrusted text inert: no control characters, escape sequences or bidi tricks.

Every title, author, summary, URL and page text comes from strangers. These functions run
where text enters (parse, extract) and again where it leaves (the UI, the CLI), so a string
that slipped past one still cannot act on the terminal.
"""

from __future__ import annotations

import html
import html.entities
import html.parser
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
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]"
)
C1 = re.compile("[\x80-\x9f]")
"""Any C1 control character (what Windows-1252 text mis-decoded as Latin-1 holds)."""
_CONTROL_NAMES = sorted(
    {name.rstrip(";") for name, value in html.entities.html5.items() if _CONTROLS.match(value)},
    key=lambda name: (-len(name), name),
)
"""The named references that decode to a control, bidi or zero-width character (&lrm;,
&zwj;, &NoBreak; ...), longest first."""
_REFERENCE = re.compile(
    r"&(?:#[0-9]{1,8}|#[xX][0-9a-fA-F]{1,7}|(?:"
    + "|".join(map(re.escape, _CONTROL_NAMES))
    + r"));?"
)
"""The references that may decode to such a character: every numeric one, and those
names. &amp;, &quot;, &nbsp; and the rest are not looked at (a call each, ~1 us, was a
tenth of parsing a feed)."""
_SPACES = re.compile(r"\s+")
# A whole start or end tag; quoted attribute values may hold `<` and `>`. Possessive, so a
# failed match never backtracks; the plain form catches a tag with a stray quote in it.
_WHOLE_TAG = re.compile(r"""</?[A-Za-z](?:[^<>"']++|"[^"]*+"|'[^']*+')*+>""")
_PLAIN_TAG = re.compile(r"</?[A-Za-z][^<>]*+>")
_DECLARATION = re.compile(r"<[!?][^<>]*+>")
# Markup in which every `<` opens a plain, well-formed tag (quoted values without `<` or `>`,
# no comments or declarations): what nearly every feed sends, and what `tame_html` would
# return unchanged. One possessive pass, so it never backtracks.
_ALREADY_TAME = re.compile(
    r"""(?:[^<]++|</?[A-Za-z][A-Za-z0-9:-]*+"""
    r"""(?:\s++[A-Za-z_:][^\s"'<>=/]*+(?:\s*+=\s*+(?:"[^"<>]*+"|'[^'<>]*+'|[^\s"'<>=`]++))?+)*+"""
    r"""\s*+/?>)*+"""
)
# How html.parser finds where a start tag ends (its private regex, copied as of 3.11-3.13
# for when a later Python renames it). Its quoted values may run past the `>` we saw.
_PARSER_TAG_END: re.Pattern[str] = getattr(
    html.parser,
    "locatestarttagend_tolerant",
    re.compile(
        r"""<[a-zA-Z][^\t\n\r\f />\x00]*(?:[\s/]*(?:(?<=['"\s/])[^\s/>][^\s/=>]*"""
        r"""(?:\s*=+\s*(?:'[^']*'|"[^"]*"|(?!['"])[^>\s]*)\s*)?(?:\s|/(?!>))*)*)?\s*"""
    ),
)


_ASCII_CONTROLS = bytes([*range(0x00, 0x09), *range(0x0B, 0x20), 0x7F])
"""`_CONTROLS` within ASCII."""


def _has_no_controls(text: str) -> bool:
    """Whether `strip_controls` has nothing to take out. ASCII text (most of it) is checked
    as bytes: a C loop, about four times faster than the character-class scan."""
    if text.isascii():
        raw = text.encode("ascii")
        return len(raw.translate(None, _ASCII_CONTROLS)) == len(raw)
    return _CONTROLS.search(text) is None


def strip_controls(text: str) -> str:
    """Remove escape sequences and control/bidi/zero-width characters; keep tabs and newlines."""
    if not text:
        return ""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if _has_no_controls(text):  # nearly always
        return text
    if "\x1b" in text or C1.search(text):
        text = _ESCAPES.sub("", text)
    return _CONTROLS.sub("", text)


def _control_reference(match: re.Match[str]) -> str:
    reference = match.group()
    kept = _DECODED.get(reference)
    if kept is None:
        char = html.unescape(reference)
        kept = char if char != reference and _CONTROLS.fullmatch(char[:1]) else reference
        if len(_DECODED) > 4096:
            _DECODED.clear()
        _DECODED[reference] = kept
    return kept


_DECODED: dict[str, str] = {}
"""References already decided: a feed repeats the same few (&#8217;, &#8220; ...)."""


def strip_html_controls(fragment: str) -> str:
    """`strip_controls` for HTML: also the characters its references decode to.

    `&#27;[2J` or `&rlm;` in HTML becomes ESC or a bidi mark only when a consumer decodes the
    HTML; decoding exactly those references here lets the escape sequence (with its
    parameters) and the mark be removed now, so the HTML holds none, encoded or not.
    """
    if "&" in fragment:
        fragment = _REFERENCE.sub(_control_reference, fragment)
    return strip_controls(fragment)


def clean_line(text: str | None, limit: int = 2000) -> str:
    """One line of untrusted text: controls stripped, whitespace collapsed, length capped."""
    if not text:
        return ""
    line = _SPACES.sub(" ", strip_controls(text)).strip()
    if len(line) > limit:
        line = line[: limit - 1].rstrip() + "…"
    return line


MAX_URL_LENGTH = 8192
"""Longer URLs are never fetched (servers refuse them anyway; they only carry junk)."""


def is_http_url(url: str | None) -> bool:
    """Only http(s) links are ever fetched."""
    if not url:
        return False
    head = url.strip()[:8].lower()
    return head.startswith("http://") or head.startswith("https://")


LT_STAND_IN = "\ufffc"
"""What `tame_html(..., keep_offsets=True)` puts where a stray `<` was (map it back to `<`)."""


def tame_html(fragment: str, *, keep_offsets: bool = False) -> str:
    """HTML that Python's `html.parser` reads in linear time, showing the same text.

    `html.parser` (and feedparser's sgmllib) rescans the rest of the input for every `<`
    that starts something never finished: an unclosed comment, `<a b=c` without a `>`,
    `<?`, `<![`... A few hundred KB of those repeated cost minutes (CPython's CVE-2025-6069
    family). Here, in one linear pass, every `<` that does not open a whole tag
    (`<name ...>` or `</name ...>` with no `<` before its `>`) becomes text (`&lt;`);
    comments, declarations and processing instructions, which show no text, are dropped (an
    unclosed comment takes the rest of the input with it, as browsers and feedparser do).

    With `keep_offsets` the result has exactly the length of the input, so offsets into it
    are offsets into the original: a stray `<` becomes `LT_STAND_IN` (a consumer maps it back
    to `<` in its text) and what is dropped becomes spaces.
    """
    if "<" not in fragment or _ALREADY_TAME.fullmatch(fragment):
        return fragment
    lt = LT_STAND_IN if keep_offsets else "&lt;"
    out: list[str] = []
    find = fragment.find
    n = len(fragment)
    i = 0
    comments_close = True  # False once a `-->` search failed: none can close after that
    while i < n:
        j = find("<", i)
        if j < 0:
            out.append(fragment[i:])
            break
        out.append(fragment[i:j])
        if fragment.startswith("<!--", j):
            end = find("-->", j + 4) if comments_close else -1
            if end < 0:
                comments_close = False
                end = n
            else:
                end += 3
            if keep_offsets:
                out.append(" " * (end - j))
            i = end
            continue
        declaration = _DECLARATION.match(fragment, j)  # <!DOCTYPE ...>, <?pi ...>: no text
        if declaration is not None:
            if keep_offsets:
                out.append(" " * (declaration.end() - j))
            i = declaration.end()
            continue
        tag = _WHOLE_TAG.match(fragment, j) or _PLAIN_TAG.match(fragment, j)
        if tag is not None:
            out.append(_quote_safe(tag.group()))
            i = tag.end()
        else:
            out.append(lt)
            i = j + 1
    return "".join(out)


def _quote_safe(tag: str) -> str:
    """The tag, with its quotes blanked if html.parser would pair one with a quote past its `>`
    (then the parser would rescan the rest of the input from this tag, and again for the next).
    """
    if tag[1] == "/" or ('"' not in tag and "'" not in tag):
        return tag  # an end tag ends at the first `>`, whatever quotes it holds
    end = _PARSER_TAG_END.match(tag)
    if end is not None and (
        end.end() == len(tag) - 1 or (end.end() == len(tag) - 2 and tag.endswith("/>"))
    ):
        return tag
    return tag.replace('"', " ").replace("'", " ")


def format_size(n: int) -> str:
    """A byte count the way a person reads it: `16 MiB`, `64 KiB`, `1.5 MiB`, `900 bytes`."""
    kib, mib = 1024, 1024 * 1024
    if n >= mib:
        return f"{n // mib} MiB" if n % mib == 0 else f"{n / mib:.1f} MiB"
    if n >= kib:
        return f"{n // kib} KiB" if n % kib == 0 else f"{n / kib:.1f} KiB"
    return f"{n} bytes"


def counted(n: int, one: str, many: str) -> str:
    """`n` with the word for one or for many: `1 entry`, `3 entries`."""
    return f"{n} {one if n == 1 else many}"
