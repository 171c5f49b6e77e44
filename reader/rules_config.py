"""Saving a rule edited in the TUI back into the config file, leaving the rest of the file
(comments, other settings, other rules) exactly as it was.

A rule is one `[[rules]]` table: it runs from its header to the next table header. Saving
replaces the table whose name matches, or appends a new one; the new file is checked with
the same loader newsreader starts with before it replaces the old one.
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from pathlib import Path
from typing import Any

from reader.config import ConfigError, Settings, load_settings
from reader.rules import RuleSpec

__all__ = ["delete_rule", "rule_toml", "save_rule"]

_RULES_HEADER = re.compile(r"^\s*\[\[\s*rules\s*\]\]\s*(#.*)?$")
_ANY_HEADER = re.compile(r"^\s*\[")


def _toml_value(value: Any) -> str:
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def rule_toml(spec: RuleSpec) -> str:
    """The rule as a `[[rules]]` table."""
    lines = ["[[rules]]"]
    lines += [f"{key} = {_toml_value(value)}" for key, value in spec.to_toml_dict().items()]
    return "\n".join(lines) + "\n"


def _blocks(lines: list[str]) -> list[tuple[int, int, str]]:
    """(first line, end line, rule name) of each [[rules]] table in the file."""
    found = []
    for start, line in enumerate(lines):
        if not _RULES_HEADER.match(line):
            continue
        end = start + 1
        while end < len(lines) and not _ANY_HEADER.match(lines[end]):
            end += 1
        try:
            table = tomllib.loads("".join(lines[start:end]))
            name = str(table["rules"][0].get("name", ""))
        except (tomllib.TOMLDecodeError, KeyError, IndexError, AttributeError):
            name = ""
        found.append((start, end, name))
    return found


def _write_checked(path: Path, text: str) -> Settings:
    """Write `text` to `path` only if newsreader can load it; the settings it gives."""
    path.parent.mkdir(parents=True, exist_ok=True)
    scratch = path.with_name(path.name + ".saving")
    try:
        scratch.write_text(text, encoding="utf-8")
        settings = load_settings(scratch)
        os.replace(scratch, path)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot write: {exc}") from exc
    finally:
        scratch.unlink(missing_ok=True)
    return settings


def _edit(path: Path, name: str | None, replacement: str) -> Settings:
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    lines = text.splitlines(keepends=True)
    for start, end, found in _blocks(lines):
        if name is not None and found == name:
            # Keep the blank lines and comments that ended the old table.
            tail = end
            while tail > start + 1 and (
                not lines[tail - 1].strip() or lines[tail - 1].lstrip().startswith("#")
            ):
                tail -= 1
            new = [*lines[:start], replacement, *lines[tail:end], *lines[end:]]
            return _write_checked(path, "".join(new))
    if not replacement:
        return _write_checked(path, text)
    if text and not text.endswith("\n"):
        text += "\n"
    return _write_checked(path, text + ("\n" if text else "") + replacement)


def save_rule(path: Path, spec: RuleSpec, replacing: str | None = None) -> Settings:
    """Save `spec` in place of the rule named `replacing` (else of one with its own name,
    else as a new table at the end); ConfigError if the result would not load."""
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    names = {name for _, _, name in _blocks(text.splitlines(keepends=True))}
    target = replacing if replacing in names else (spec.name if spec.name in names else None)
    return _edit(path, target, rule_toml(spec))


def delete_rule(path: Path, name: str) -> Settings:
    """Remove the rule called `name` from the file."""
    return _edit(path, name, "")
