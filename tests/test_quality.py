"""ruff check and ruff format are part of the test run, so CI catches both."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
HAS_RUFF = importlib.util.find_spec("ruff") is not None


@pytest.mark.skipif(not HAS_RUFF, reason="ruff is not installed (pip install -e '.[test]')")
@pytest.mark.parametrize("args", [["check", "."], ["format", "--check", "."]])
def test_ruff_clean(args: list[str]) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "ruff", *args], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_stylesheets_ship_and_parse() -> None:
    from textual.app import App
    from textual.css.stylesheet import Stylesheet

    from reader.paths import styles_dir

    sheets = sorted(styles_dir().glob("*.tcss"))
    assert sheets, "no .tcss files found"
    stylesheet = Stylesheet(variables=App().get_css_variables())
    for sheet in sheets:
        stylesheet.read(sheet)
    stylesheet.parse()
