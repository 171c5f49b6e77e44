"""What changed in an updated story: whether a rewrite counts, and a word-level diff.

A feed that rewrites an entry already read keeps its earlier version (the store's
entries_keep_version trigger asks `story_changed`); so does a page reader mode extracts
again (`page_changed`, asked by the store's put_page), compared with the page text stored
before, never with the feed's. Changes of whitespace, of tracking
parameters in links and of times and dates alone do not count. UI-free: the TUI styles
the `Change` runs, `newsreader diff` prints them.
"""

from __future__ import annotations

import difflib
import html
import re
from dataclasses import dataclass

__all__ = [
    "Change",
    "body_text",
    "diff_text",
    "normalised",
    "page_changed",
    "page_markup",
    "story_changed",
    "word_diff",
]

MAX_DIFF_WORDS = 20_000
"""Words compared at most per side; the rest is shown as one replaced run (difflib is
quadratic in the worst case, and a story is rarely this long)."""

_URL = re.compile(r"https?://\S+", re.IGNORECASE)
_TRACKING = re.compile(
    r"([?&])(utm_\w+|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid|igshid|ref_src|ref_url|cmpid|"
    r"_hsenc|_hsmi|mkt_tok|yclid|spm)=[^&\s\"'<>]*",
    re.IGNORECASE,
)
_TIMESTAMP = re.compile(
    r"\b\d{4}-\d\d-\d\d(?:[T ]\d\d:\d\d(?::\d\d(?:\.\d+)?)?(?:Z|[+-]\d\d:?\d\d)?)?\b"
    r"|\b\d{1,2}:\d\d(?::\d\d)?(?:\s?[ap]\.?m\.?)?\b"
    r"|\b\d+\s+(?:second|minute|hour|day)s?\s+ago\b",
    re.IGNORECASE,
)


_DROP = re.compile(r"<(script|style)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_BLOCK = re.compile(
    r"</?(?:p|div|br|li|ul|ol|h[1-6]|blockquote|pre|tr|td|th|table|section|article|figure|"
    r"figcaption|hr)\b[^>]*>",
    re.IGNORECASE,
)
_TAG = re.compile(r"<[^>]*>")
MAX_TEXT = 400_000
"""Characters of a body compared at most."""


def body_text(markup: str) -> str:
    """A body's words as a reader sees them: block tags break words, inline ones do not
    ("<b>Mon</b>day." is "Monday."), entities decoded, whitespace collapsed."""
    text = _DROP.sub(" ", markup[:MAX_TEXT])
    text = _TAG.sub("", _BLOCK.sub(" ", text))
    return " ".join(html.unescape(text).split())


def _strip_tracking(url: str) -> str:
    url = _TRACKING.sub(r"\1", url)
    return re.sub(r"[?&]+(?=$|#)", "", re.sub(r"\?&+", "?", url))


def normalised(title: str, summary: str, content: str) -> str:
    """The words that matter: tags, whitespace, tracking parameters and times left out."""
    text = f"{title}\n{body_text(content or summary)}"
    text = _TRACKING.sub("", text)
    # Links kept in the markup (href) carry tracking parameters too: compare them cleaned.
    links = " ".join(_strip_tracking(u) for u in _URL.findall(content or summary or ""))
    text = _TIMESTAMP.sub("", f"{text} {links}")
    return " ".join(text.split())


def story_changed(
    old_title: str, old_summary: str, old_content: str,
    new_title: str, new_summary: str, new_content: str,
) -> bool:  # fmt: skip
    """Whether a rewrite is a real update (SQL: nr_story_changed in the store)."""
    if (old_title, old_summary, old_content) == (new_title, new_summary, new_content):
        return False
    return normalised(old_title, old_summary, old_content) != normalised(
        new_title, new_summary, new_content
    )


def page_markup(text: str) -> str:
    """A page's plain text (what the store keeps of it) as markup `body_text` reads back
    unchanged: "a < b" stays "a < b" rather than losing its "tag"."""
    return html.escape(text, quote=False)


def page_changed(old_title: str | None, old_text: str, new_title: str, new_text: str) -> bool:
    """Whether a page extracted again is a real update of the page text stored before
    (plain text, see `page_markup`), by the same rules as a feed's rewrite. An unknown
    earlier title (None) is not compared."""
    title = new_title if old_title is None else old_title
    return story_changed(title, "", page_markup(old_text), new_title, "", page_markup(new_text))


@dataclass(frozen=True, slots=True)
class Change:
    """A run of words: kept as is (`same`), `added` in the newer version or `removed`."""

    kind: str
    text: str


def word_diff(old: str, new: str) -> list[Change]:
    """The word-level difference from `old` to `new` (plain text), as runs of words."""
    a, b = old.split(), new.split()
    rest_a, rest_b = a[MAX_DIFF_WORDS:], b[MAX_DIFF_WORDS:]
    a, b = a[:MAX_DIFF_WORDS], b[:MAX_DIFF_WORDS]
    runs: list[Change] = []

    def add(kind: str, words: list[str]) -> None:
        if not words:
            return
        text = " ".join(words)
        if runs and runs[-1].kind == kind:
            runs[-1] = Change(kind, runs[-1].text + " " + text)
        else:
            runs.append(Change(kind, text))

    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            add("same", a[i1:i2])
        else:
            add("removed", a[i1:i2])
            add("added", b[j1:j2])
    if rest_a != rest_b:
        add("removed", rest_a)
        add("added", rest_b)
    else:
        add("same", rest_a)
    return runs


def diff_text(runs: list[Change]) -> str:
    """Runs as plain text: [-removed-] and {+added+}, as `git diff --word-diff` prints."""
    parts = []
    for run in runs:
        if run.kind == "removed":
            parts.append(f"[-{run.text}-]")
        elif run.kind == "added":
            parts.append(f"{{+{run.text}+}}")
        else:
            parts.append(run.text)
    return " ".join(parts)
