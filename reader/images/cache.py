"""Fetched image bytes on disk under the data dir, with their validators, bounded by size.

One file per URL (named by its SHA-256) plus a small JSON file with the URL, content type,
ETag and Last-Modified. Reading a picture touches its time, and storing one drops the least
recently used until the whole fits `limit` bytes.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class CachedImage:
    data: bytes
    content_type: str = ""
    etag: str | None = None
    last_modified: str | None = None
    stored: float = 0.0
    """When it was fetched or last revalidated (seconds since the epoch)."""


class ImageCache:
    """A size-bounded LRU of image bytes in one directory; safe to use from threads."""

    def __init__(self, directory: Path, limit: int) -> None:
        self.directory = directory
        self.limit = max(0, limit)
        self._lock = threading.Lock()

    def _paths(self, url: str) -> tuple[Path, Path]:
        name = hashlib.sha256(url.encode("utf-8", "surrogatepass")).hexdigest()
        return self.directory / f"{name}.img", self.directory / f"{name}.json"

    def get(self, url: str) -> CachedImage | None:
        data_path, meta_path = self._paths(url)
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
            data = data_path.read_bytes()
            if meta.get("url") != url:
                return None
            os.utime(data_path)  # most recently used
        except (OSError, ValueError):
            return None
        return CachedImage(
            data,
            str(meta.get("content_type") or ""),
            meta.get("etag") or None,
            meta.get("last_modified") or None,
            float(meta.get("stored") or 0.0),
        )

    def put(self, url: str, image: CachedImage) -> None:
        """Keep `image` (unless it alone is over the limit), then trim to the limit."""
        if len(image.data) > self.limit:
            return
        data_path, meta_path = self._paths(url)
        meta = {
            "url": url,
            "content_type": image.content_type,
            "etag": image.etag,
            "last_modified": image.last_modified,
            "stored": image.stored or time.time(),
        }
        with self._lock:
            try:
                self.directory.mkdir(parents=True, exist_ok=True)
                temp = data_path.with_suffix(".tmp")
                temp.write_bytes(image.data)
                os.replace(temp, data_path)
                meta_path.write_text(json.dumps(meta), encoding="utf-8")
            except OSError:
                return
            self._trim()

    def touch(self, url: str) -> None:
        """A revalidation (304): the copy is current as of now."""
        cached = self.get(url)
        if cached is not None:
            self.put(url, CachedImage(cached.data, cached.content_type, cached.etag,
                                      cached.last_modified, time.time()))  # fmt: skip

    def size(self) -> int:
        return sum(size for _, size, _ in self._entries())

    def _entries(self) -> list[tuple[float, int, Path]]:
        entries: list[tuple[float, int, Path]] = []
        try:
            paths = list(self.directory.glob("*.img"))
        except OSError:
            return entries
        for path in paths:
            try:
                stat = path.stat()
            except OSError:
                continue
            entries.append((stat.st_mtime, stat.st_size, path))
        return entries

    def _trim(self) -> None:
        entries = sorted(self._entries())
        total = sum(size for _, size, _ in entries)
        for _, size, path in entries:
            if total <= self.limit:
                break
            for victim in (path, path.with_suffix(".json")):
                with contextlib.suppress(OSError):
                    victim.unlink()
            total -= size
