"""Settings: defaults, overridden by a TOML file in the user config dir.

The file is optional and starts life as a fully commented template (`DEFAULT_CONFIG`), so it
changes nothing until edited. Every mistake in it is reported with the file, the key and its
line (and a "did you mean" for a misspelt key) instead of a traceback or, worse, being ignored.
"""

from __future__ import annotations

import ast
import difflib
import json
import os
import re
import shlex
import shutil
import textwrap
import tomllib
from dataclasses import Field, dataclass, field, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from reader.notify import NotifyConfig, parse_command, parse_notify
from reader.rules import RuleSpec, parse_rules
from reader.sync.accounts import SYNC_EXAMPLE, check_sync_table

__all__ = [
    "DEFAULT_CONFIG",
    "ConfigError",
    "ImageSettings",
    "Settings",
    "editor_command",
    "ensure_config_file",
    "load_settings",
]


class ConfigError(ValueError):
    """The config file cannot be used; the message names the file, the key and its line."""


IMAGE_MODES = ("auto", "kitty", "sixel", "halfblock", "off")


@dataclass(frozen=True, slots=True)
class ImageSettings:
    """The `[images]` table: how pictures in articles are drawn, fetched and kept."""

    mode: str = "auto"
    """auto (what the terminal announces: kitty, sixel, else half blocks), kitty, sixel,
    halfblock (coloured cells, any terminal) or off (alt text only)."""
    max_bytes: int = 5 * 1024 * 1024
    """The largest picture fetched, in bytes."""
    cache_mb: int = 100
    """Megabytes of fetched pictures kept on disk (least recently seen go first)."""
    max_rows: int = 16
    """The tallest a picture is drawn, in rows."""


_IMAGE_LIMITS: dict[str, tuple[int, int]] = {
    "max_bytes": (1024, 256 * 1024 * 1024),
    "cache_mb": (0, 100_000),
    "max_rows": (2, 200),
}


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything a user can tune; the attribute docstrings are the config file's comments.

    Fields added after the first release are keyword-only, so the original positional order
    (concurrency, timeout, deadline, max_bytes, browser, keep_per_feed, keep_days) still holds.
    """

    concurrency: int = 32
    """How many feeds are fetched at once (`per_host` keeps each site to a few of them)."""
    per_host: int = field(default=6, kw_only=True)
    """How many requests go to the same host at once (6: what browsers allow over HTTP/1.1)."""
    connect_timeout: float = field(default=10.0, kw_only=True)
    """Seconds to wait for a server to accept the connection."""
    timeout: float = 20.0
    """Seconds to wait for a server to send the next bytes."""
    deadline: float = 30.0
    """Seconds one feed or page may take in all, however slowly its server drips (newsboat's
    download timeout is 30 s too)."""
    max_bytes: int = 16 * 1024 * 1024
    """The largest feed or page body read (decoded bytes)."""
    refresh_minutes: int = field(default=60, kw_only=True)
    """Minutes between automatic refreshes of all feeds while the app is open (0: never)."""
    refresh_on_start: bool = field(default=False, kw_only=True)
    """Refresh all feeds when the app starts."""
    browser: str = ""
    """Command used to open links (`{url}` is replaced); empty uses $BROWSER / the system."""
    article_width: int = field(default=0, kw_only=True)
    """Widest the article text is drawn, in columns (0: the width of its pane)."""
    animation: bool = field(default=False, kw_only=True)
    """Animate scrolling in the article (Space, b, Home, End); off, each key lands at once."""
    date_format: str = field(default="%Y-%m-%d", kw_only=True)
    """How dates are shown, as a Python strftime format (e.g. "%d %b %Y")."""
    theme: str = field(default="textual-dark", kw_only=True)
    """Colour theme: the name of any Textual theme (ctrl+p lists them in the app)."""
    keep_per_feed: int = 0
    """Keep at most this many read entries per feed (0: no limit). Starred and unread stay."""
    keep_days: float = 0.0
    """Drop read entries older than this many days (0: never). Starred and unread stay."""
    page_cache: int = field(default=2000, kw_only=True)
    """How many extracted articles (reader mode) are kept for reading offline."""
    download_dir: str = field(default="", kw_only=True)
    """Folder podcast files are downloaded into, a sub-folder per feed ("": a newsreader
    folder in your Downloads folder)."""
    download_max_bytes: int = field(default=4 * 1024**3, kw_only=True)
    """The largest file downloaded (bytes); a bigger one fails with the reason."""
    downloads_at_once: int = field(default=2, kw_only=True)
    """How many files are downloaded at the same time."""
    player: str = field(default="", kw_only=True)
    """Command that plays podcast files, such as "mpv" (run without a shell; the file or
    URL is added at the end); "" uses the system's default application."""
    keys: dict[str, str] = field(default_factory=dict, hash=False, kw_only=True)
    """Key bindings: binding id = comma-separated keys. Ids not listed keep their usual keys."""
    images: ImageSettings = field(default_factory=ImageSettings, hash=False, kw_only=True)
    """Pictures in articles."""
    versions_per_entry: int = field(default=5, kw_only=True)
    """Earlier versions kept of a story its feed rewrote after you read it (0: none)."""
    versions_max_mb: float = field(default=50.0, kw_only=True)
    """Megabytes all kept versions may take together; the oldest go first."""
    unread_when_updated: tuple[str, ...] = field(default=(), kw_only=True)
    """Feeds (URL or title) and folders whose read stories turn unread again when they are
    updated; ["*"] for every feed."""
    notify_command: tuple[str, ...] = field(default=(), kw_only=True)
    """Command run once per refresh that brought watched entries, without a shell: its
    arguments are the number of new entries, of feeds, then their titles. Empty: a desktop
    notification (notify-send), else the terminal's own where it supports one."""
    rules: tuple[RuleSpec, ...] = field(default=(), kw_only=True)
    """Rules ([[rules]] tables): name, action (hide, read, star, notify) or list = "NAME",
    and title / author / content / link / feed / folder / category patterns (regular
    expressions, case-insensitive; all must match) and older_than_days."""
    notify: NotifyConfig = field(default_factory=NotifyConfig, kw_only=True)
    """[notify]: command (as notify_command), feeds = [URLs or titles], folders = [names]:
    one notification per refresh when any of them got new entries."""
    sync: dict[str, dict[str, str]] = field(default_factory=dict, hash=False, kw_only=True)
    """Feed-server accounts (Tiny Tiny RSS, Fever), one [sync.NAME] table each; `newsreader
    account add` writes them. Passwords come from password_command or password_store."""


_LIMITS: dict[str, tuple[float, float]] = {
    "concurrency": (1, 256),
    "per_host": (1, 256),
    "connect_timeout": (0.1, 600),
    "timeout": (0.1, 600),
    "deadline": (0.1, 3600),
    "max_bytes": (1024, 1024**3),
    "refresh_minutes": (0, 7 * 24 * 60),
    "article_width": (0, 1000),
    "keep_per_feed": (0, 10**7),
    "keep_days": (0, 36500),
    "page_cache": (1, 10**6),
    "download_max_bytes": (1024 * 1024, 1024**4),
    "downloads_at_once": (1, 8),
    "versions_per_entry": (0, 100),
    "versions_max_mb": (0, 100_000),
}

_NONEMPTY_TEXT = {"theme", "date_format"}
_SETTING_NAMES = frozenset(spec.name for spec in fields(Settings))

_KEYS_EXAMPLE: dict[str, str] = {
    "refresh-all": "R,ctrl+r",
    "next-unread": "n",
    "toggle-read": "m",
    "toggle-star": "s",
    "search": "slash",
    "open-in-browser": "o",
}
"""The commented `[keys]` example in the template: a few ids and their usual keys."""

_EDITORS = ("sensible-editor", "nano", "vi", "notepad")

_SAMPLE_DATE = datetime(2024, 1, 31, 13, 45, 30, tzinfo=UTC)
_STRFTIME_CODES = set("aAbBcCdDeFgGhHIjklmMnpPrRsStTuUVwWxXyYzZf%")
_STRFTIME_DIRECTIVE = re.compile(r"%([-_0^#]?)([EO]?)(.?)", re.DOTALL)


def load_settings(path: Path) -> Settings:
    """Read `path` if it exists; any problem in it is a ConfigError, never silently ignored."""
    if not path.is_file():
        return Settings()
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(_syntax_message(path, exc, text)) from None
    return _apply(data, path, text)


def ensure_config_file(path: Path) -> bool:
    """Write the commented template if `path` is missing (True if written); never overwrite."""
    if path.exists():
        return False
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("x", encoding="utf-8") as out:  # "x": a file that just appeared wins
            out.write(DEFAULT_CONFIG)
    except FileExistsError:
        return False
    except OSError as exc:
        raise ConfigError(f"{path}: cannot write: {exc}") from exc
    return True


def editor_command() -> list[str]:
    """The command to edit the config: $VISUAL, $EDITOR, else a common editor on PATH."""
    for variable in ("VISUAL", "EDITOR"):
        value = os.environ.get(variable, "").strip()
        if not value:
            continue
        try:
            command = shlex.split(value)
        except ValueError as exc:
            raise ConfigError(f"${variable} cannot be parsed ({exc}): {value}") from exc
        if command:
            return command
    for name in _EDITORS:
        found = shutil.which(name)
        if found:
            return [found]
    raise ConfigError("no text editor found: set $EDITOR (for example EDITOR=nano)")


# Reading the file


class _Invalid(Exception):
    """One value is unusable: what was expected and, optionally, why it fell short."""

    def __init__(self, expected: str, detail: str = "") -> None:
        super().__init__(expected)
        self.expected = expected
        self.detail = detail


def _apply(data: dict[str, Any], path: Path, text: str) -> Settings:
    """Check every key of the parsed file; report all problems at once, in file order."""
    lines = _key_lines(text)
    known = {spec.name: spec for spec in fields(Settings)}
    problems: list[tuple[int, str]] = []
    changes: dict[str, Any] = {}

    def problem(key_path: tuple[str, ...], message: str) -> None:
        line = _line_of(lines, key_path)
        where = f"{path} line {line}" if line else str(path)
        problems.append((line or 0, f"{where}: {message}"))

    for name, value in data.items():
        spec = known.get(name)
        if spec is None:
            problem((name,), _unknown_message(name, list(known)))
        elif name == "keys":
            keys, bad = _check_keys(value)
            for key_path, message in bad:
                problem(key_path, message)
            changes[name] = keys
        elif name == "images":
            images, bad = _check_images(value)
            for key_path, message in bad:
                problem(key_path, message)
            changes[name] = images
        elif name in _SPECIAL_CHECKS:
            checked, bad = _SPECIAL_CHECKS[name](value)
            for key_path, message in bad:
                problem(key_path, message)
            changes[name] = checked
        elif name == "sync":
            accounts, bad = check_sync_table(value)
            for key_path, message in bad:
                problem(key_path, message)
            changes[name] = accounts
        else:
            try:
                changes[name] = _check_value(spec, value)
            except _Invalid as exc:
                detail = f" ({exc.detail})" if exc.detail else ""
                problem((name,), f"{name} must be {exc.expected}, not {_show(value)}{detail}")
    if problems:
        problems.sort(key=lambda item: item[0])
        raise ConfigError("\n".join(message for _, message in problems))
    return Settings(**changes)


def _check_value(spec: Field[Any], value: Any) -> Any:
    """The value converted to the field's type, or _Invalid saying what the field takes."""
    default = _default(spec)
    name = spec.name
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise _Invalid("true or false")
        return value
    if isinstance(default, int):
        low, high = _LIMITS[name]
        expected = f"a whole number between {_num(low)} and {_num(high)}"
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise _Invalid(expected)
        return value
    if isinstance(default, float):
        low, high = _LIMITS[name]
        expected = f"a number between {_num(low)} and {_num(high)}"
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise _Invalid(expected)
        if not low <= value <= high:  # also rejects nan
            raise _Invalid(expected)
        return float(value)
    if name == "date_format":
        return _check_date_format(value)
    if isinstance(default, str):
        if name in _NONEMPTY_TEXT:
            if not isinstance(value, str) or not value.strip():
                raise _Invalid(f"a name in quotes, such as {_show(default)}")
            return value.strip()
        if not isinstance(value, str):
            raise _Invalid('text in quotes (or "" for none)')
        return value
    raise _Invalid(f"a {type(default).__name__}")  # pragma: no cover - no such field yet


def _check_rules(value: Any) -> tuple[Any, list[tuple[tuple[str, ...], str]]]:
    specs, problems = parse_rules(value)
    return tuple(specs), problems


def _check_notify_command(value: Any) -> tuple[Any, list[tuple[tuple[str, ...], str]]]:
    try:
        return parse_command(value), []
    except ValueError as exc:
        return (), [(("notify_command",), f"notify_command {exc}")]


def _check_name_list(name: str) -> Any:
    def check(value: Any) -> tuple[Any, list[tuple[tuple[str, ...], str]]]:
        if isinstance(value, list) and all(isinstance(x, str) and x.strip() for x in value):
            return tuple(x.strip() for x in value), []
        return (), [((name,), f'{name} must be a list of names, such as ["News"] or ["*"]')]

    return check


_SPECIAL_CHECKS: dict[str, Any] = {
    "rules": _check_rules,
    "notify": parse_notify,
    "notify_command": _check_notify_command,
    "unread_when_updated": _check_name_list("unread_when_updated"),
}
"""Settings that are tables or lists, each with its own checker (value, problems)."""


def _check_date_format(value: Any) -> str:
    """A strftime format that formats a date; glibc passes unknown codes through, so check them."""
    expected = 'a strftime format such as "%Y-%m-%d"'
    if not isinstance(value, str) or not value.strip():
        raise _Invalid(expected)
    if "\x00" in value:
        raise _Invalid(expected, "it contains a NUL character")
    for match in _STRFTIME_DIRECTIVE.finditer(value):
        code = match.group(3)
        if not code:
            raise _Invalid(expected, "it ends with a lone %")
        if code not in _STRFTIME_CODES:
            raise _Invalid(expected, f"%{code} is not a date code; write %% for a literal %")
    try:
        shown = _SAMPLE_DATE.strftime(value)
    except (ValueError, OverflowError) as exc:
        raise _Invalid(expected, str(exc)) from exc
    if not shown.strip():
        raise _Invalid(expected, "it formats a date as nothing")
    return value


def _check_keys(value: Any) -> tuple[dict[str, str], list[tuple[tuple[str, ...], str]]]:
    """The [keys] table as binding id -> normalised keys, plus a message per bad entry."""
    expected = '[keys] lines such as refresh-all = "R,ctrl+r"'
    if not isinstance(value, dict):
        return {}, [(("keys",), f"keys must be {expected}, not {_show(value)}")]
    keys: dict[str, str] = {}
    bad: list[tuple[tuple[str, ...], str]] = []
    for binding, spec in value.items():
        where = ("keys", binding)
        label = f"keys.{binding}" if re.fullmatch(r"[A-Za-z0-9_-]+", binding) else "a [keys] id"
        if not binding.strip() or any(ch.isspace() for ch in binding):
            bad.append((where, f"{label}: a binding id has no spaces, not {_show(binding)}"))
            continue
        if binding in _SETTING_NAMES and binding != "keys":
            message = f"{label}: {binding} is a setting, not a key binding; move it above [keys]"
            bad.append((where, message))
            continue
        if not isinstance(spec, str):
            message = f'{label} must be keys in quotes, such as "R,ctrl+r", not {_show(spec)}'
            bad.append((where, message))
            continue
        names = [name.strip() for name in spec.split(",")]
        if not all(names):
            message = f"{label} must list keys separated by commas, with none empty, not"
            bad.append((where, f"{message} {_show(spec)}"))
            continue
        spaced = [name for name in names if any(ch.isspace() for ch in name)]
        if spaced:
            message = f"{label}: a key name has no spaces (use ctrl+r, space, …), not"
            bad.append((where, f"{message} {_show(spaced[0])}"))
            continue
        keys[binding] = ",".join(names)
    return keys, bad


def _check_images(value: Any) -> tuple[ImageSettings, list[tuple[tuple[str, ...], str]]]:
    """The [images] table, each key checked; a message per bad entry."""
    if not isinstance(value, dict):
        return ImageSettings(), [(("images",), f"images must be a table, not {_show(value)}")]
    known = [spec.name for spec in fields(ImageSettings)]
    values: dict[str, Any] = {}
    bad: list[tuple[tuple[str, ...], str]] = []
    for key, item in value.items():
        where = ("images", key)
        if key not in known:
            bad.append((where, "images." + _unknown_message(key, known)))
        elif key == "mode":
            if item not in IMAGE_MODES:
                bad.append((where, f"images.mode must be one of {', '.join(IMAGE_MODES)}, "
                                   f"not {_show(item)}"))  # fmt: skip
            else:
                values[key] = item
        else:
            low, high = _IMAGE_LIMITS[key]
            if isinstance(item, bool) or not isinstance(item, int) or not low <= item <= high:
                bad.append((where, f"images.{key} must be a whole number from {_num(low)} "
                                   f"to {_num(high)}, not {_show(item)}"))  # fmt: skip
            else:
                values[key] = item
    return ImageSettings(**values), bad


def _unknown_message(name: str, known: list[str]) -> str:
    """An unknown key names the nearest real one, so a typo cannot silently do nothing."""
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    if close:
        return f"unknown setting {_show(name)} (did you mean {close[0]}?)"
    return f"unknown setting {_show(name)} (the settings are: {', '.join(known)})"


def _syntax_message(path: Path, exc: tomllib.TOMLDecodeError, text: str) -> str:
    """`file line L, column C: problem`; before 3.14 the position is only inside the message."""
    message = str(exc)
    line: int | None = getattr(exc, "lineno", None)
    column: int | None = getattr(exc, "colno", None)
    if match := re.search(r"\s*\(at line (\d+), column (\d+)\)$", message):
        line, column = int(match[1]), int(match[2])
        message = message[: match.start()]
    elif match := re.search(r"\s*\(at end of document\)$", message):
        last = text.split("\n")
        line, column = len(last), len(last[-1]) + 1
        message = message[: match.start()] + " at the end of the file"
    message = getattr(exc, "msg", None) or message
    where = f"{path} line {line}, column {column}" if line else str(path)
    return f"{where}: not valid TOML: {message}"


def _num(limit: float) -> str:
    """A limit as written in TOML: 1073741824, 0.1 (not 1.07374e+09, 1.0)."""
    return str(int(limit)) if float(limit).is_integer() else repr(float(limit))


def _show(value: Any) -> str:
    """A value as the user wrote it in TOML, kept short."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        shown = json.dumps(value, ensure_ascii=False)
        return shown if len(shown) <= 60 else shown[:56] + '…"'
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list"
    return str(value)


# Finding a key's line (tomllib gives values, not positions)

_PART = r"""(?:[A-Za-z0-9_-]+|"(?:[^"\\]|\\.)*"|'[^']*')"""
_DOTTED = rf"{_PART}(?:\s*\.\s*{_PART})*"
_ARRAY_HEADER = re.compile(rf"^\s*\[\[\s*({_DOTTED})\s*\]\]")
_TABLE_HEADER = re.compile(rf"^\s*\[\s*({_DOTTED})\s*\]")
_ASSIGNMENT = re.compile(rf"^\s*({_DOTTED})\s*=")
_PART_RE = re.compile(_PART)


def _key_lines(text: str) -> dict[tuple[str, ...], int]:
    """First line of each `key =` / `[table]`, by full dotted path, found by scanning lines."""
    lines: dict[tuple[str, ...], int] = {}
    table: tuple[str, ...] = ()
    for number, line in enumerate(text.split("\n"), start=1):  # TOML lines end with \n
        if match := _ARRAY_HEADER.match(line) or _TABLE_HEADER.match(line):
            table = _split_key(match[1])
            key_path = table
        elif match := _ASSIGNMENT.match(line):
            key_path = (*table, *_split_key(match[1]))
        else:
            continue
        lines.setdefault(key_path, number)
    return lines


def _split_key(dotted: str) -> tuple[str, ...]:
    """`a."b.c".d` -> ("a", "b.c", "d")."""
    parts: list[str] = []
    for part in _PART_RE.findall(dotted):
        if part.startswith('"'):
            try:
                part = json.loads(part)
            except ValueError:
                part = part[1:-1]
        elif part.startswith("'"):
            part = part[1:-1]
        parts.append(part)
    return tuple(parts)


def _line_of(lines: dict[tuple[str, ...], int], key_path: tuple[str, ...]) -> int | None:
    """The key's own line, else its table's (e.g. an inline `keys = {…}`)."""
    for end in range(len(key_path), 0, -1):
        if key_path[:end] in lines:
            return lines[key_path[:end]]
    return None


# The template


def _default(spec: Field[Any]) -> Any:
    """A field's default, whether plain or from a factory."""
    if callable(spec.default_factory):
        return spec.default_factory()
    return spec.default


def _field_docs(class_name: str = "Settings") -> dict[str, str]:
    """Attribute docstrings exist only in the source, so read them from it with `ast`."""
    try:
        tree = ast.parse(Path(__file__).read_text(encoding="utf-8"))
    except (OSError, SyntaxError, UnicodeDecodeError):  # pragma: no cover - no source shipped
        return {}
    docs: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and node.name == class_name:
            for target, after in zip(node.body, node.body[1:], strict=False):
                if (
                    isinstance(target, ast.AnnAssign)
                    and isinstance(target.target, ast.Name)
                    and isinstance(after, ast.Expr)
                    and isinstance(after.value, ast.Constant)
                    and isinstance(after.value.value, str)
                ):
                    docs[target.target.id] = " ".join(after.value.value.split())
    return docs


_RULES_EXAMPLE = [
    "# [[rules]]",
    '# name = "no sponsored posts"',
    '# action = "hide"  # or "read", "star", "notify"; or list = "Later" instead',
    '# title = "sponsored|advertis"',
    "#",
    "# [[rules]]",
    '# name = "old news"',
    '# action = "read"',
    '# folder = "^News"',
    "# older_than_days = 14",
]
_NOTIFY_EXAMPLE = [
    '# command = ["notify-me", "--urgent"]  # as notify_command',
    '# feeds = ["https://example.org/feed.xml"]',
    '# folders = ["Friends"]',
]


def _toml(value: Any) -> str:
    """A default written as TOML (long integers with `_` so they can be read at a glance)."""
    if isinstance(value, tuple):
        return "[" + ", ".join(_toml(item) for item in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return f"{value:_}" if value >= 10_000 else str(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    raise TypeError(f"no TOML form for {value!r}")  # pragma: no cover - no such field yet


def _comment(text: str) -> list[str]:
    return textwrap.wrap(text, width=98, initial_indent="# ", subsequent_indent="# ")


def _render_template() -> str:
    """Every setting, commented out, with its default and docstring; tables go last in TOML."""
    docs = _field_docs()
    out = [
        "# newsreader settings (TOML).",
        "#",
        "# Every setting is listed below with its default value, commented out, so this file",
        "# changes nothing until you edit it: delete the `# ` in front of a setting and change",
        "# its value. `newsreader config edit` opens this file in your editor ($VISUAL or",
        "# $EDITOR); a mistake in it is reported, with its line, when newsreader starts.",
    ]
    tables: list[Field[Any]] = []
    for spec in fields(Settings):
        default = _default(spec)
        if isinstance(default, dict | ImageSettings | NotifyConfig) or spec.name == "rules":
            tables.append(spec)
            continue
        out.append("")
        out.extend(_comment(docs.get(spec.name, spec.name)))
        line = f"# {spec.name} = {_toml(default)}"
        if spec.name in _LIMITS:
            low, high = _LIMITS[spec.name]
            line += f"  # {_num(low)} to {_num(high)}"
        out.append(line)
    for spec in tables:
        out.append("")
        out.extend(_comment(docs.get(spec.name, spec.name)))
        if spec.name == "rules":
            out.extend(_RULES_EXAMPLE)
            continue
        if spec.name == "sync":
            out.extend(f"# {line}" for line in SYNC_EXAMPLE)
            continue
        out.append(f"# [{spec.name}]")
        if spec.name == "notify":
            out.extend(_NOTIFY_EXAMPLE)
        if spec.name == "keys":
            out.extend(f"# {key} = {_toml(keys)}" for key, keys in _KEYS_EXAMPLE.items())
        if spec.name == "images":
            image_docs = _field_docs("ImageSettings")
            for image_spec in fields(ImageSettings):
                out.extend(_comment(image_docs.get(image_spec.name, image_spec.name)))
                out.append(f"# {image_spec.name} = {_toml(_default(image_spec))}")
    return "\n".join(out) + "\n"


DEFAULT_CONFIG: str = _render_template()
"""The file written on first run: a commented copy of every default (generated, never drifts)."""
