"""Settings: defaults, overridden by a TOML file in the user config dir.

The file is optional. A bad value names the key and what was expected instead of raising a
traceback at the user.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any


class ConfigError(ValueError):
    """The config file cannot be used; the message names the file and the key."""


@dataclass(frozen=True, slots=True)
class Settings:
    concurrency: int = 16
    """How many feeds are fetched at once."""
    timeout: float = 20.0
    """Seconds to wait for a server to connect or send the next bytes."""
    deadline: float = 60.0
    """Seconds one feed may take in all, however slowly its server drips."""
    max_bytes: int = 16 * 1024 * 1024
    """The largest feed or page body read (decoded bytes)."""
    browser: str = ""
    """Command used to open links (`{url}` is replaced); empty uses $BROWSER / the system."""
    keep_per_feed: int = 0
    """Keep at most this many read entries per feed (0: no limit). Starred and unread stay."""
    keep_days: float = 0.0
    """Drop read entries older than this many days (0: never). Starred and unread stay."""


_LIMITS: dict[str, tuple[float, float]] = {
    "concurrency": (1, 256),
    "timeout": (0.1, 600),
    "deadline": (0.1, 3600),
    "max_bytes": (1024, 1024**3),
    "keep_per_feed": (0, 10**7),
    "keep_days": (0, 36500),
}


def load_settings(path: Path) -> Settings:
    """Read `path` if it exists; unknown keys are ignored so newer files still load."""
    if not path.is_file():
        return Settings()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: {exc}") from exc
    return _apply(Settings(), data, path)


def _apply(settings: Settings, data: dict[str, Any], path: Path) -> Settings:
    changes: dict[str, Any] = {}
    for spec in fields(Settings):
        if spec.name not in data:
            continue
        value = data[spec.name]
        default = getattr(settings, spec.name)
        if isinstance(default, bool) or isinstance(value, bool):
            ok = isinstance(value, bool) and isinstance(default, bool)
        elif isinstance(default, float):
            ok = isinstance(value, int | float)
            value = float(value) if ok else value
        else:
            ok = isinstance(value, type(default))
        if not ok:
            expected = type(default).__name__
            raise ConfigError(f"{path}: `{spec.name}` must be a {expected}, not {value!r}")
        if spec.name in _LIMITS:
            low, high = _LIMITS[spec.name]
            if not low <= value <= high:
                raise ConfigError(f"{path}: `{spec.name}` must be between {low:g} and {high:g}")
        changes[spec.name] = value
    return replace(settings, **changes)
