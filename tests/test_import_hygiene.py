"""The core never imports Textual: headless commands stay fast and the core stays testable."""

from __future__ import annotations

import subprocess
import sys

CORE_MODULES = [
    "reader.cli",
    "reader.config",
    "reader.paths",
    "reader.models",
    "reader.store",
    "reader.service",
    "reader.sample",
    "reader.browser",
    "reader.text",
    "reader.urls",
    "reader.feeds.fetch",
    "reader.feeds.parse",
    "reader.feeds.opml",
    "reader.feeds.discover",
    "reader.feeds.jsonfeed",
    "reader.headless",
    "reader.history",
    "reader.article.extract",
    "reader.article.printable",
    "reader.article.render",
    "reader.article.from_entry",
    "reader.enclosures",
    "reader.downloads",
    "reader.podcasts",
    "reader.store_downloads",
]


def test_core_does_not_import_textual() -> None:
    code = (
        "import sys\n"
        + "".join(f"import {name}\n" for name in CORE_MODULES)
        + "bad = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.'))\n"
        + "print(','.join(bad))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out == "", f"core modules pulled in Textual: {out}"


def test_ui_does_import_textual() -> None:
    """The check above can fail: importing the UI does load Textual."""
    code = "import sys, reader.ui.app; print('textual' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "True"
