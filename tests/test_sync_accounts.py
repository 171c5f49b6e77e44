"""Sync accounts in the config file and their passwords, without a server: the [sync.NAME]
tables are checked like every setting, `account remove` takes its table out again, and a
password kept on request is in a file only its owner can read."""

from __future__ import annotations

import io
import stat
from pathlib import Path

import pytest

from reader.config import ConfigError, load_settings
from reader.sync.accounts import (
    Account,
    AccountError,
    append_account,
    remove_account_table,
    run_password_command,
    write_secret,
)
from tests.synccli import nr


def test_sync_tables_are_checked_with_their_lines(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(
        'timeout = 5\n\n[sync.home]\ntype = "ttrss"\nurl = "https://x.example/"\nuser = "me"\n'
        '\n[sync.bad]\ntype = "greader"\nurl = 3\ncolour = "red"\n'
    )
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    message = str(caught.value)
    assert f"{path} line 9: sync.bad.type must be one of" in message
    assert f"{path} line 10: sync.bad.url must be a string" in message
    assert f"{path} line 11: sync.bad: unknown key 'colour'" in message


def test_accounts_are_appended_and_removed_as_tables(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('timeout = 5\n\n[keys]\nsearch = "slash"\n')
    append_account(path, Account("home", "ttrss", "https://a.example/", "me", "pass show a"))
    append_account(path, Account("phone", "fever", "https://b.example/", "m@x.org", "", "file"))
    settings = load_settings(path)
    assert settings.sync["home"]["password_command"] == "pass show a"
    assert settings.sync["phone"] == {"type": "fever", "url": "https://b.example/",
                                      "email": "m@x.org", "password_store": "file"}  # fmt: skip
    assert remove_account_table(path, "home")
    settings = load_settings(path)
    assert set(settings.sync) == {"phone"} and settings.keys == {"search": "slash"}
    assert settings.timeout == 5
    assert not remove_account_table(path, "home")


def test_a_kept_password_is_private(tmp_path: Path) -> None:
    path = write_secret(tmp_path, "home", "s3cret")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert Account("home", "ttrss", "u", "me", "", "file").password(tmp_path) == "s3cret"
    write_secret(tmp_path, "home", None)
    with pytest.raises(AccountError):
        Account("home", "ttrss", "u", "me", "", "file").password(tmp_path)


def test_password_command_gives_its_first_line() -> None:
    assert run_password_command("printf 'pw one\\nsecond\\n'") == "pw one"
    with pytest.raises(AccountError, match="exited with status 3"):
        run_password_command("exit 3")
    with pytest.raises(AccountError, match="printed nothing"):
        run_password_command("true")


def test_no_keyring_and_no_consent_stores_nothing(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("hunter2\n"))
    run = nr(data_dir, "account", "add", "ttrss", "http://127.0.0.1:9/", "--user", "me")
    assert run.code == 1 and "nothing stored" in run.err
    assert not (data_dir / "sync-secrets.json").exists()
    assert load_settings(data_dir / "config.toml").sync == {}


def test_sync_with_no_accounts(data_dir: Path) -> None:
    assert nr(data_dir, "sync").out.startswith("no accounts")
    assert nr(data_dir, "sync", "--json").out.strip() == "[]"
    assert nr(data_dir, "sync", "--account", "nope").code == 2
    assert nr(data_dir, "account", "list").out.startswith("no accounts")
