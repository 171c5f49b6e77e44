"""The config file: a template that changes nothing, every setting settable, every mistake named."""

from __future__ import annotations

import os
import re
import stat
import tomllib
from dataclasses import fields
from pathlib import Path

import pytest

from reader.config import (
    DEFAULT_CONFIG,
    ConfigError,
    Settings,
    editor_command,
    ensure_config_file,
    load_settings,
)

FIELD_NAMES = [spec.name for spec in fields(Settings)]
TABLES = {"keys", "rules", "notify", "images", "sync"}
"""Settings written as TOML tables, each with its own commented example."""

# A non-default value for every field: (TOML text, expected Python value).
CHANGED: dict[str, tuple[str, object]] = {
    "concurrency": ("3", 3),
    "per_host": ("2", 2),
    "connect_timeout": ("5", 5.0),  # an int is fine where a float is expected
    "timeout": ("2.5", 2.5),
    "deadline": ("90", 90.0),
    "max_bytes": ("1_048_576", 1_048_576),
    "refresh_minutes": ("0", 0),
    "refresh_on_start": ("true", True),
    "browser": ('"firefox --new-tab {url}"', "firefox --new-tab {url}"),
    "article_width": ("88", 88),
    "animation": ("true", True),
    "date_format": ('"%d %b %Y"', "%d %b %Y"),
    "theme": ('"nord"', "nord"),
    "keep_per_feed": ("500", 500),
    "keep_days": ("30", 30.0),
    "page_cache": ("50", 50),
    "download_dir": ('"~/Podcasts"', "~/Podcasts"),
    "download_max_bytes": ("10_485_760", 10_485_760),
    "downloads_at_once": ("4", 4),
    "player": ('"mpv --no-video"', "mpv --no-video"),
    "versions_per_entry": ("2", 2),
    "versions_max_mb": ("10", 10.0),
    "unread_when_updated": ('["*"]', ("*",)),
    "notify_command": ('["notify-me", "-u"]', ("notify-me", "-u")),
}


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def error_for(tmp_path: Path, text: str) -> str:
    with pytest.raises(ConfigError) as caught:
        load_settings(write(tmp_path, text))
    return str(caught.value)


def uncomment(template: str, values: dict[str, str], *, keys: bool = False) -> str:
    """Do what a user does: drop the `# ` before a setting and change its value."""
    out: list[str] = []
    in_keys = in_table = False
    for line in template.splitlines():
        match = re.match(r"# ([a-z_]+) = ", line)
        header = re.fullmatch(r"# \[\[?[a-z_.]+\]\]?", line) is not None
        if header:
            in_table = True  # settings below a table header belong to that table
            in_keys = False
        if match and not in_table and match[1] in values:
            line = f"{match[1]} = {values[match[1]]}"
        elif keys and line == "# [keys]":
            in_keys = True
            line = "[keys]"
        elif header:  # another table's example: stays commented
            in_keys = False
        elif keys and in_keys and re.match(r'# [a-z-]+ = "', line):
            line = line[2:]
        elif not line:
            in_keys = False  # the [keys] example ends at the blank line before [sync]
        out.append(line)
    return "\n".join(out) + "\n"


# Defaults and the template


def test_missing_file_gives_defaults(tmp_path: Path) -> None:
    assert load_settings(tmp_path / "nope.toml") == Settings()


def test_existing_calls_still_work() -> None:
    settings = Settings(timeout=2.0)
    assert (settings.concurrency, settings.timeout, settings.deadline) == (32, 2.0, 30.0)
    assert (settings.max_bytes, settings.browser) == (16 * 1024 * 1024, "")
    assert (settings.keep_per_feed, settings.keep_days) == (0, 0.0)
    assert Settings(8, 3.0).timeout == 3.0  # the original positional order still holds
    assert Settings().keys == {} and Settings().keys is not Settings().keys
    assert hash(Settings()) == hash(Settings())


def test_template_parses_and_changes_nothing(tmp_path: Path) -> None:
    assert tomllib.loads(DEFAULT_CONFIG) == {}
    assert load_settings(write(tmp_path, DEFAULT_CONFIG)) == Settings()
    assert all(not line or line.startswith("#") for line in DEFAULT_CONFIG.splitlines())
    assert "newsreader config edit" in DEFAULT_CONFIG


def test_template_mentions_every_field_with_its_docstring() -> None:
    for name in FIELD_NAMES:
        if name in TABLES:
            assert (
                f"# [{name}]" in DEFAULT_CONFIG
                or f"# [[{name}]]" in DEFAULT_CONFIG
                or f"# [{name}." in DEFAULT_CONFIG
            )
            continue
        if name == "sync":
            assert "# [sync.home]" in DEFAULT_CONFIG
            continue
        line = next(line for line in DEFAULT_CONFIG.splitlines() if line.startswith(f"# {name} = "))
        above = DEFAULT_CONFIG.splitlines()[DEFAULT_CONFIG.splitlines().index(line) - 1]
        assert above.startswith("# ") and len(above) > 10, name
    for binding in ("refresh-all", "next-unread", "toggle-read", "toggle-star", "search"):
        assert f"# {binding} = " in DEFAULT_CONFIG
    assert "# open-in-browser = " in DEFAULT_CONFIG
    assert max(len(line) for line in DEFAULT_CONFIG.splitlines()) <= 100


def test_uncommented_template_gives_the_defaults(tmp_path: Path) -> None:
    """The defaults shown are the real ones, written as valid TOML."""
    shown = {}
    for line in DEFAULT_CONFIG.split("# [keys]")[0].splitlines():
        if match := re.match(r"# ([a-z_]+) = (.*?)(  # .*)?$", line):
            shown[match[1]] = match[2]
    assert set(shown) == set(FIELD_NAMES) - TABLES
    settings = load_settings(write(tmp_path, uncomment(DEFAULT_CONFIG, shown)))
    assert settings == Settings()


# Every setting can be set


def test_every_field_has_a_changed_value_here() -> None:
    assert set(CHANGED) == set(FIELD_NAMES) - TABLES


def test_every_field_is_read_back_with_its_type(tmp_path: Path) -> None:
    text = uncomment(DEFAULT_CONFIG, {name: toml for name, (toml, _) in CHANGED.items()}, keys=True)
    settings = load_settings(write(tmp_path, text))
    for name, (_, expected) in CHANGED.items():
        value = getattr(settings, name)
        assert value == expected, name
        assert type(value) is type(getattr(Settings(), name)), name
    assert settings.keys == {
        "refresh-all": "R,ctrl+r",
        "next-unread": "n",
        "toggle-read": "m",
        "toggle-star": "s",
        "search": "slash",
        "open-in-browser": "o",
    }


def test_keys_are_normalised_and_dotted_keys_work(tmp_path: Path) -> None:
    text = 'keys.search = "slash, ctrl+f"\n'
    assert load_settings(write(tmp_path, text)).keys == {"search": "slash,ctrl+f"}


# Every mistake names the file, the key and its line


def test_wrong_type_names_key_line_and_value(tmp_path: Path) -> None:
    message = error_for(tmp_path, '# my settings\n\ntimeout = 5\n\nconcurrency = "lots"\n')
    path = tmp_path / "config.toml"
    assert message == (
        f'{path} line 5: concurrency must be a whole number between 1 and 256, not "lots"'
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("concurrency = 4.0", "concurrency must be a whole number between 1 and 256, not 4.0"),
        ("concurrency = true", "concurrency must be a whole number between 1 and 256, not true"),
        ("timeout = false", "timeout must be a number between 0.1 and 600, not false"),
        ('refresh_on_start = "yes"', 'refresh_on_start must be true or false, not "yes"'),
        ("browser = 1", 'browser must be text in quotes (or "" for none), not 1'),
        ('theme = ""', 'theme must be a name in quotes, such as "textual-dark", not ""'),
        (
            "article_width = [80]",
            "article_width must be a whole number between 0 and 1000, not a list",
        ),
    ],
)
def test_wrong_types(tmp_path: Path, text: str, expected: str) -> None:
    assert error_for(tmp_path, f"\n{text}\n") == f"{tmp_path / 'config.toml'} line 2: {expected}"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("concurrency = 0", "concurrency must be a whole number between 1 and 256, not 0"),
        ("per_host = 1000", "per_host must be a whole number between 1 and 256, not 1000"),
        ("timeout = 0.01", "timeout must be a number between 0.1 and 600, not 0.01"),
        ("keep_days = -1", "keep_days must be a number between 0 and 36500, not -1"),
        ("deadline = nan", "deadline must be a number between 0.1 and 3600, not nan"),
        ("max_bytes = 10", "max_bytes must be a whole number between 1024 and 1073741824, not 10"),
        ("page_cache = 0", "page_cache must be a whole number between 1 and 1000000, not 0"),
    ],
)
def test_out_of_range(tmp_path: Path, text: str, expected: str) -> None:
    message = error_for(tmp_path, f"theme = 'nord'\n\n\n{text}  # mine\n")
    assert message == f"{tmp_path / 'config.toml'} line 4: {expected}"


def test_unknown_key_is_an_error_with_a_suggestion(tmp_path: Path) -> None:
    message = error_for(tmp_path, "concurrency = 4\nconcurency = 8\n")
    assert message.endswith('line 2: unknown setting "concurency" (did you mean concurrency?)')
    message = error_for(tmp_path, 'theme = "nord"\n\n[key]\nsearch = "f"\n')
    assert message.endswith('line 3: unknown setting "key" (did you mean keys?)')
    message = error_for(tmp_path, "zzz = 1\n")
    assert 'line 1: unknown setting "zzz" (the settings are: concurrency, ' in message


def test_all_problems_are_reported_in_file_order(tmp_path: Path) -> None:
    message = error_for(tmp_path, "timout = 3\nconcurrency = 0\n[keys]\nsearch = 1\n")
    lines = message.splitlines()
    assert [re.search(r"line (\d+)", line)[1] for line in lines] == ["1", "2", "4"]  # type: ignore[index]


@pytest.mark.parametrize(
    ("value", "detail"),
    [
        ('"%Y-%m-%Q"', "(%Q is not a date code; write %% for a literal %)"),
        ('"%d %b %"', "(it ends with a lone %)"),
        ('""', ""),
        ("20240131", ""),
    ],
)
def test_bad_date_format(tmp_path: Path, value: str, detail: str) -> None:
    message = error_for(tmp_path, f"concurrency = 4\ndate_format = {value}\n")
    expected = f'line 2: date_format must be a strftime format such as "%Y-%m-%d", not {value}'
    assert message.endswith(f"{expected} {detail}".rstrip())


def test_literal_percent_and_glibc_flags_are_fine(tmp_path: Path) -> None:
    text = 'date_format = "%-d %B %Y, 100%%"\n'
    assert load_settings(write(tmp_path, text)).date_format == "%-d %B %Y, 100%%"


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        ("search = 1", 'keys.search must be keys in quotes, such as "R,ctrl+r", not 1'),
        ('search = ""', "keys.search must list keys separated by commas, with none empty, not"),
        ('search = "a,,b"', "keys.search must list keys separated by commas"),
        (
            'search = "ctrl f"',
            'keys.search: a key name has no spaces (use ctrl+r, space, …), not "ctrl f"',
        ),
        ('"next unread" = "n"', 'a [keys] id: a binding id has no spaces, not "next unread"'),
        (
            'theme = "nord"',
            "keys.theme: theme is a setting, not a key binding; move it above [keys]",
        ),
    ],
)
def test_bad_keys_entry_names_its_line_inside_the_table(
    tmp_path: Path, entry: str, expected: str
) -> None:
    # `theme = "nord"` on line 1 and keys.theme on line 5: the line is looked up inside [keys].
    text = f'theme = "nord"\n\n[keys]\nrefresh-all = "R"\n{entry}\n'
    message = error_for(tmp_path, text)
    assert f"line 5: {expected}" in message


def test_keys_must_be_a_table(tmp_path: Path) -> None:
    message = error_for(tmp_path, 'concurrency = 2\nkeys = "R"\n')
    assert message.endswith(
        'line 2: keys must be [keys] lines such as refresh-all = "R,ctrl+r", not "R"'
    )


def test_inline_keys_table_points_at_its_line(tmp_path: Path) -> None:
    message = error_for(tmp_path, 'theme = "nord"\nkeys = { search = 3 }\n')
    assert "line 2: keys.search must be keys in quotes" in message


def test_toml_syntax_error_gives_line_and_column(tmp_path: Path) -> None:
    message = error_for(tmp_path, "concurrency = 4\ntimeout = 2.0\ntheme = nord\n")
    assert message.startswith(f"{tmp_path / 'config.toml'} line 3, column 9: not valid TOML: ")
    assert "(at line" not in message
    message = error_for(tmp_path, "concurrency = 4\n[keys\n")
    assert "line 2, column 6: not valid TOML: " in message


def test_toml_error_at_the_end_of_the_file(tmp_path: Path) -> None:
    message = error_for(tmp_path, "concurrency = 4\ntimeout =")
    assert message == (
        f"{tmp_path / 'config.toml'} line 2, column 10: not valid TOML: "
        "Invalid value at the end of the file"
    )


def test_unreadable_file_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_bytes(b"theme = '\xff'\n")
    with pytest.raises(ConfigError, match="cannot read"):
        load_settings(path)


# Creating the file


def test_ensure_config_file_writes_once_and_never_overwrites(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "er" / "config.toml"
    assert ensure_config_file(path) is True
    assert path.read_text(encoding="utf-8") == DEFAULT_CONFIG
    path.write_text("concurrency = 3\n", encoding="utf-8")
    assert ensure_config_file(path) is False
    assert path.read_text(encoding="utf-8") == "concurrency = 3\n"
    assert load_settings(path).concurrency == 3


# Choosing an editor


def fake_program(directory: Path, name: str) -> Path:
    path = directory / name
    path.write_text("#!/bin/sh\n", encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def test_editor_command_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    monkeypatch.setenv("PATH", str(bin_dir))
    monkeypatch.setenv("VISUAL", "code --wait")
    monkeypatch.setenv("EDITOR", "vim")
    assert editor_command() == ["code", "--wait"]
    monkeypatch.setenv("VISUAL", "  ")
    assert editor_command() == ["vim"]
    monkeypatch.delenv("VISUAL")
    monkeypatch.setenv("EDITOR", "'my editor' -f")
    assert editor_command() == ["my editor", "-f"]
    monkeypatch.delenv("EDITOR")
    vi = fake_program(bin_dir, "vi")
    assert editor_command() == [str(vi)]
    nano = fake_program(bin_dir, "nano")
    assert editor_command() == [str(nano)]
    sensible = fake_program(bin_dir, "sensible-editor")
    assert editor_command() == [str(sensible)]


def test_no_editor_is_a_config_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.delenv("EDITOR", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(ConfigError, match=r"set \$EDITOR"):
        editor_command()
    monkeypatch.setenv("EDITOR", "'unclosed")
    with pytest.raises(ConfigError, match=r"\$EDITOR cannot be parsed"):
        editor_command()
    assert os.environ["PATH"] == str(tmp_path)


def test_images_table_is_checked(tmp_path: Path) -> None:
    from reader.config import ImageSettings

    assert Settings().images == ImageSettings(mode="auto", max_bytes=5 * 1024 * 1024)
    settings = load_settings(
        write(tmp_path, '[images]\nmode = "halfblock"\ncache_mb = 5\nmax_rows = 10\n')
    )
    assert settings.images == ImageSettings(mode="halfblock", cache_mb=5, max_rows=10)
    with pytest.raises(ConfigError) as caught:
        load_settings(write(tmp_path, '[images]\nmode = "iterm"\nmax_rows = 1\ncolour = 1\n'))
    message = str(caught.value)
    assert "line 2: images.mode must be one of auto, kitty, sixel, halfblock, off" in message
    assert "line 3: images.max_rows must be a whole number from 2 to 200, not 1" in message
    assert "line 4: images.unknown setting" in message


def test_uncommented_images_table_gives_the_defaults(tmp_path: Path) -> None:
    table = DEFAULT_CONFIG.split("# [images]")[1]
    table = re.split(r"^# \[", table, flags=re.MULTILINE)[0]  # up to the next table
    text = "[images]\n" + "\n".join(
        line[2:] for line in table.splitlines() if re.match(r"# [a-z_]+ = ", line)
    )
    assert load_settings(write(tmp_path, text)).images == Settings().images
