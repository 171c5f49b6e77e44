"""POST to a sync server with the limits feed fetching has: http(s) only, per-phase timeouts
plus a total deadline, a cap on the body size, no redirects followed, and every failure as
a SyncError sentence (the server's answer is untrusted)."""

from __future__ import annotations

import json
import time
from typing import Any

import httpx

from reader.config import Settings
from reader.feeds.fetch import DEFAULT_USER_AGENT, describe_error, format_size
from reader.sync.base import SyncError, Unreachable
from reader.text import clean_line, is_http_url


def check_url(url: str) -> str:
    """The server URL, or SyncError when it is not an http(s) URL."""
    url = url.strip()
    if not is_http_url(url):
        raise SyncError(f"not an http(s) URL: {clean_line(url, 120)}")
    return url


class Poster:
    """One httpx client for one account's sync."""

    def __init__(self, settings: Settings, transport: httpx.BaseTransport | None = None) -> None:
        self.settings = settings
        self.timeouts = httpx.Timeout(settings.timeout, connect=settings.connect_timeout)
        self._client = httpx.Client(
            headers={"User-Agent": DEFAULT_USER_AGENT},
            timeout=self.timeouts,
            follow_redirects=False,
            transport=transport,
        )

    def close(self) -> None:
        self._client.close()

    def post_json(self, url: str, **kwargs: Any) -> Any:
        """POST and decode a JSON answer; HTML error pages, non-2xx, oversize: SyncError."""
        body = self.post(url, **kwargs)
        try:
            return json.loads(body)
        except (ValueError, UnicodeDecodeError):
            snippet = clean_line(body[:80].decode("utf-8", "replace"), 80)
            raise SyncError(f"the server did not answer with JSON (it sent {snippet!r})") from None

    def post(self, url: str, **kwargs: Any) -> bytes:
        check_url(url)
        deadline = time.monotonic() + self.settings.deadline
        max_bytes = self.settings.max_bytes
        try:
            with self._client.stream("POST", url, **kwargs) as response:
                status = response.status_code
                if 300 <= status < 400:
                    where = clean_line(response.headers.get("location", ""), 120)
                    raise SyncError(f"the server redirected to {where!r}: use that URL")
                if not 200 <= status < 300:
                    reason = clean_line(httpx.codes.get_reason_phrase(status), 80)
                    raise SyncError(f"the server answered HTTP {status} {reason}".rstrip())
                declared = response.headers.get("content-length", "")
                too_large = f"the server's answer is larger than {format_size(max_bytes)}"
                if declared.isdigit() and int(declared) > max_bytes:
                    raise SyncError(too_large)
                chunks: list[bytes] = []
                total = 0
                for chunk in response.iter_bytes():
                    total += len(chunk)
                    if total > max_bytes:
                        raise SyncError(too_large)
                    if time.monotonic() > deadline:
                        raise Unreachable(
                            f"timed out after {self.settings.deadline:g} s (the whole request)"
                        )
                    chunks.append(chunk)
                return b"".join(chunks)
        except httpx.HTTPError as exc:
            raise Unreachable(describe_error(exc, httpx.URL(url), self.timeouts)) from None
        except httpx.StreamError as exc:
            raise Unreachable(f"network error: {clean_line(str(exc), 200)}") from None
