"""Relative URLs in feed HTML made absolute, and the quick look that skips bodies with none."""

from __future__ import annotations

import random
import re

import pytest

from reader.feeds import entries
from reader.feeds.entries import resolve_urls

BASE = "https://example.org/blog/feed.xml"

NAMES = ["href", "HREF", "Src", "data", "data-src", "alt", "class", "poster", "action", "x"]
VALUES = [
    "https://a.example/x", "//cdn.example/y.png", "mailto:a@b", "page.html", "/root",
    "../up", "?q=1", "", " ", " page", " https://a.example/", "#top", "a b", "javascript:x",
]  # fmt: skip
SPACES = ["", " ", "\n", "\t ", "\xa0"]


def _attribute(rng: random.Random) -> str:
    name, value = rng.choice(NAMES), rng.choice(VALUES)
    quote = rng.choice(['"', "'", ""])
    if not quote:
        value = value.strip().replace(" ", "") or "v"
    before, around, after = rng.choice(SPACES[1:4]), rng.choice(SPACES), rng.choice(SPACES)
    return f"{before}{name}{around}={after}{quote}{value}{quote}"


def _fragment(rng: random.Random) -> str:
    parts = []
    for _ in range(rng.randint(1, 8)):
        kind = rng.random()
        if kind < 0.5:
            tag = rng.choice(["a", "img", "IMG", "video", "form", "p"])
            attributes = "".join(_attribute(rng) for _ in range(rng.randint(0, 3)))
            parts.append(f"<{tag}{attributes}{rng.choice(['', ' /', ' '])}>")
        elif kind < 0.8:
            parts.append(rng.choice(["text ", "a = b ", "x=page.html ", "src = y ", "&amp; "]))
        else:
            parts.append(rng.choice(["</a>", "<br>", "<p", ">", "<"]))
    return "".join(parts)


def test_the_quick_look_never_changes_what_is_resolved(monkeypatch: pytest.MonkeyPatch) -> None:
    """Over 20,000 random fragments of tags, attributes (link ones and others, any case,
    spacing and quoting), values (absolute, scheme-relative, relative, empty) and text with
    `=` in it, the result is the one the full pass over every tag gives."""
    rng = random.Random(1412)
    fragments = [_fragment(rng) for _ in range(20_000)]
    quick = [resolve_urls(fragment, BASE) for fragment in fragments]
    monkeypatch.setattr(entries, "_MAYBE_RELATIVE", re.compile(""))
    full = [resolve_urls(fragment, BASE) for fragment in fragments]
    assert quick == full
    changed = sum(q != f for q, f in zip(quick, fragments, strict=True))
    assert changed > 2_000  # the fragments do hold relative links


@pytest.mark.parametrize(
    ("fragment", "expected"),
    [
        ('<a href="page.html">x</a>', '<a href="https://example.org/blog/page.html">x</a>'),
        ("<IMG SRC = '/i.png'>", '<IMG SRC = "https://example.org/i.png">'),
        ("<a\nhref=\n../up>", '<a\nhref=\n"https://example.org/up">'),
        ('<a href="https://a.example/x" title="t">', '<a href="https://a.example/x" title="t">'),
        ('<img src="//cdn.example/y.png" alt="z">', '<img src="//cdn.example/y.png" alt="z">'),
        ("x = page.html, href=page.html", "x = page.html, href=page.html"),
    ],
)
def test_relative_links_in_tags_only_become_absolute(fragment: str, expected: str) -> None:
    assert resolve_urls(fragment, BASE) == expected
