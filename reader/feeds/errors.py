"""What the feed parsers raise."""

from __future__ import annotations


class NotAFeedError(ValueError):
    """The document is not a feed; the message says what it looked like instead."""
