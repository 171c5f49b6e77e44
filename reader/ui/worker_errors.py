"""One path for every worker failure: a notification that says what failed, and the
traceback in `newsreader.log` in the data directory (next to the database)."""

from __future__ import annotations

import logging
import traceback
from pathlib import Path

from reader.text import clean_line

LOG_NAME = "newsreader.log"

_logger = logging.getLogger("newsreader.ui")


def log_path(db_path: Path | None) -> Path | None:
    """The log file beside the database (None for an in-memory store)."""
    if db_path is None:
        return None
    return db_path.parent / LOG_NAME


def what_failed(worker_name: str) -> str:
    """A worker's method name in words: `run_refresh` -> `run refresh`."""
    return worker_name.strip("_").replace("_", " ") or "a background task"


def describe(worker_name: str, error: BaseException) -> str:
    """The notification's text (plain: it is shown with markup off)."""
    reason = clean_line(str(error), 200) or type(error).__name__
    return f"{what_failed(worker_name)} failed: {type(error).__name__}: {reason}"


def write_log(path: Path | None, worker_name: str, error: BaseException) -> None:
    """Append the traceback; a log that cannot be written is not worth a second failure."""
    if path is None:
        return
    lines = traceback.format_exception(type(error), error, error.__traceback__)
    try:
        with path.open("a", encoding="utf-8") as log:
            log.write(f"--- {what_failed(worker_name)} failed\n")
            log.write("".join(lines))
    except OSError as exc:
        _logger.warning("cannot write %s: %s", path, exc)
