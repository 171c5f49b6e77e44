"""Running `newsreader` in-process for the sync tests, and looking at its store."""

from __future__ import annotations

import contextlib
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reader.cli import main
from reader.store import Store


@dataclass
class Run:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


def nr(data_dir: Path, *args: str) -> Run:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(["--data-dir", str(data_dir), *args])
        except SystemExit as exc:
            code = int(exc.code or 0)
    return Run(code, out.getvalue(), err.getvalue())


def entries_by_link(data_dir: Path) -> dict[str, Any]:
    """Every stored entry by link (read/starred/feed), as `newsreader` stores them."""
    with Store(data_dir / "newsreader.db") as store:
        return {e.link: e for e in store.query_entries()}


def store(data_dir: Path) -> Store:
    return Store(data_dir / "newsreader.db")
