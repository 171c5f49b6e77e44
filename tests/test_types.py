"""mypy checks `reader/` (configured in pyproject.toml) as part of the test run.

One mypy run serves every test here. Its cache lives in `.mypy_cache` at the project root, so
only the first run after a clean checkout is cold (about 10 s; a warm run takes under 1 s).
"""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
HAS_MYPY = importlib.util.find_spec("mypy") is not None
pytestmark = pytest.mark.skipif(
    not HAS_MYPY, reason="mypy is not installed (pip install -e '.[test]')"
)

_ERROR = re.compile(r"^(?P<path>[^:\s]+\.py):\d+: error: ", re.MULTILINE)


def _mypy(*args: str) -> tuple[int, str]:
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--no-color-output", "--no-error-summary", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if result.returncode not in (0, 1):  # 2: mypy itself failed (bad config, crash)
        pytest.fail(f"mypy could not run (exit {result.returncode}):\n{result.stderr}")
    return result.returncode, result.stdout


@pytest.fixture(scope="module")
def reader_errors() -> dict[str, list[str]]:
    """mypy's error lines for `reader/`, by file (the `files` setting in pyproject.toml)."""
    _, out = _mypy()
    errors: dict[str, list[str]] = {}
    for line in out.splitlines():
        match = _ERROR.match(line)
        if match is not None:
            errors.setdefault(match["path"].replace("\\", "/"), []).append(line)
    return errors


def _report(errors: dict[str, list[str]]) -> str:
    lines = [line for path in sorted(errors) for line in errors[path]]
    return f"{len(lines)} mypy error(s):\n" + "\n".join(lines)


def test_reader_type_checks(reader_errors: dict[str, list[str]]) -> None:
    """mypy finds nothing in `reader/`: the core and the UI alike."""
    assert not reader_errors, _report(reader_errors)


def test_the_check_fails_on_a_type_error(tmp_path: Path) -> None:
    """With the project's settings, mypy does reject a wrong type (the checks above can fail)."""
    bad = tmp_path / "bad.py"
    bad.write_text("def count(text: str) -> int:\n    return text.upper()\n")
    code, out = _mypy("--config-file", str(ROOT / "pyproject.toml"), str(bad))
    assert code == 1
    assert "Incompatible return value type" in out
