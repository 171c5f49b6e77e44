"""Sync accounts as the config file declares them (`[sync.NAME]` tables), and their passwords.

A password is never written in plain text unasked: it comes from `password_command` (its
first output line, like newsboat's ttrss-passwordeval), from the OS keyring when a keyring
library is installed, or, only when the user asks for it, from a secrets file that only
they can read (0600).
"""

from __future__ import annotations

import contextlib
import importlib
import json
import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["SYNC_EXAMPLE", "Account", "AccountError", "check_sync_table"]

KINDS = ("ttrss", "fever")
NAME = re.compile(r"^[A-Za-z0-9_-]{1,40}$")
STORES = ("command", "keyring", "file")
SECRETS_FILE = "sync-secrets.json"
KEYRING_SERVICE = "newsreader"

SYNC_EXAMPLE = [
    "[sync.home]",
    'type = "ttrss"                       # or "fever"',
    'url = "https://rss.example.org/tt-rss/"',
    'user = "me"                          # Fever: email = "me@example.org"',
    'password_command = "pass show ttrss" # or password_store = "keyring" / "file"',
]
"""The commented example the config template shows for `[sync]`."""


class AccountError(Exception):
    """An account cannot be used; the message says why."""


@dataclass(frozen=True, slots=True)
class Account:
    """One server account from the config file."""

    name: str
    kind: str
    url: str
    user: str
    password_command: str = ""
    password_store: str = ""

    @property
    def store_kind(self) -> str:
        return "command" if self.password_command else self.password_store

    def password(self, data_dir: Path) -> str:
        """The password, from wherever the account keeps it."""
        if self.password_command:
            return run_password_command(self.password_command)
        if self.password_store == "keyring":
            value = keyring_get(self.name)
            if value is None:
                raise AccountError(f"the keyring has no password for account {self.name}")
            return value
        if self.password_store == "file":
            value = read_secrets(data_dir).get(self.name)
            if not isinstance(value, str):
                raise AccountError(
                    f"{data_dir / SECRETS_FILE} has no password for account {self.name}"
                )
            return value
        raise AccountError(
            f"account {self.name} has no password_command or password_store in the config"
        )


def check_sync_table(
    value: Any,
) -> tuple[dict[str, dict[str, str]], list[tuple[tuple[str, ...], str]]]:
    """The `[sync]` table checked: accounts by name, and problems (key path, message)."""
    problems: list[tuple[tuple[str, ...], str]] = []
    accounts: dict[str, dict[str, str]] = {}
    if not isinstance(value, dict):
        return {}, [(("sync",), "sync must be a table of accounts ([sync.NAME])")]
    allowed = {"type", "url", "user", "email", "password_command", "password_store"}
    for name, table in value.items():
        where = ("sync", name)
        if not NAME.match(name):
            problems.append((where, f"sync account name {name!r}: use letters, digits, - and _"))
            continue
        if not isinstance(table, dict):
            problems.append((where, f"sync.{name} must be a table"))
            continue
        clean: dict[str, str] = {}
        for key, item in table.items():
            if key not in allowed:
                problems.append(((*where, key), f"sync.{name}: unknown key {key!r}"))
            elif not isinstance(item, str):
                problems.append(((*where, key), f"sync.{name}.{key} must be a string"))
            else:
                clean[key] = item
        kind = clean.get("type", "")
        if kind not in KINDS:
            problems.append(((*where, "type"), f"sync.{name}.type must be one of {KINDS}"))
        if not clean.get("url"):
            problems.append(((*where, "url"), f"sync.{name}.url is missing"))
        if clean.get("password_store", "keyring") not in ("keyring", "file"):
            problems.append(
                ((*where, "password_store"), f"sync.{name}.password_store: keyring or file")
            )
        accounts[name] = clean
    return accounts, problems


def accounts_from(table: dict[str, dict[str, str]]) -> dict[str, Account]:
    return {
        name: Account(
            name=name,
            kind=item.get("type", ""),
            url=item.get("url", ""),
            user=item.get("user") or item.get("email", ""),
            password_command=item.get("password_command", ""),
            password_store=item.get("password_store", ""),
        )
        for name, item in table.items()
    }


# ---------------------------------------------------------------------------- passwords
def run_password_command(command: str) -> str:
    """The first line a password command prints (it runs through the shell, as typed)."""
    try:
        done = subprocess.run(
            command, shell=True, capture_output=True, text=True, timeout=60, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise AccountError(f"the password command failed: {exc}") from None
    if done.returncode != 0:
        raise AccountError(f"the password command exited with status {done.returncode}")
    lines = done.stdout.splitlines()
    if not lines or not lines[0]:
        raise AccountError("the password command printed nothing")
    return lines[0]


def _keyring() -> Any:
    """The optional `keyring` package (not a dependency: only used when installed)."""
    return importlib.import_module("keyring")


def keyring_available() -> bool:
    try:
        _keyring()
    except Exception:  # any import problem means no keyring
        return False
    return True


def keyring_get(name: str) -> str | None:
    keyring = _keyring()
    value = keyring.get_password(KEYRING_SERVICE, name)
    return value if isinstance(value, str) else None


def keyring_set(name: str, password: str | None) -> None:
    keyring = _keyring()
    if password is None:
        with contextlib.suppress(Exception):
            keyring.delete_password(KEYRING_SERVICE, name)
    else:
        keyring.set_password(KEYRING_SERVICE, name, password)


def read_secrets(data_dir: Path) -> dict[str, Any]:
    try:
        data = json.loads((data_dir / SECRETS_FILE).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise AccountError(f"cannot read {data_dir / SECRETS_FILE}: {exc}") from None
    return data if isinstance(data, dict) else {}


def write_secret(data_dir: Path, name: str, password: str | None) -> Path:
    """Keep (or with None, drop) a password in the secrets file, created 0600."""
    path = data_dir / SECRETS_FILE
    data = read_secrets(data_dir)
    if password is None:
        data.pop(name, None)
    else:
        data[name] = password
    data_dir.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump(data, out)
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)
    return path


# ---------------------------------------------------------------------------- the config file
def _toml_string(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def append_account(config_file: Path, account: Account) -> None:
    """Add a `[sync.NAME]` table at the end of the config file."""
    lines = ["", f"[sync.{account.name}]", f"type = {_toml_string(account.kind)}",
             f"url = {_toml_string(account.url)}"]  # fmt: skip
    key = "email" if account.kind == "fever" else "user"
    lines.append(f"{key} = {_toml_string(account.user)}")
    if account.password_command:
        lines.append(f"password_command = {_toml_string(account.password_command)}")
    elif account.password_store:
        lines.append(f"password_store = {_toml_string(account.password_store)}")
    config_file.parent.mkdir(parents=True, exist_ok=True)
    old = config_file.read_text(encoding="utf-8") if config_file.exists() else ""
    if old and not old.endswith("\n"):
        old += "\n"
    config_file.write_text(old + "\n".join(lines) + "\n", encoding="utf-8")


_HEADER = re.compile(r"^\s*\[")


def remove_account_table(config_file: Path, name: str) -> bool:
    """Delete the `[sync.NAME]` table (its header to the next header); False when absent."""
    if not config_file.exists():
        return False
    lines = config_file.read_text(encoding="utf-8").splitlines(keepends=True)
    header = re.compile(rf"^\s*\[\s*sync\s*\.\s*(?:{re.escape(name)}|\"{re.escape(name)}\")\s*\]")
    out: list[str] = []
    skipping = found = False
    for text in lines:
        if header.match(text):
            skipping = found = True
            while out and not out[-1].strip():
                out.pop()
            continue
        if skipping and _HEADER.match(text):
            skipping = False
            out.append("\n")
        if not skipping:
            out.append(text)
    if found:
        config_file.write_text("".join(out), encoding="utf-8")
    return found
