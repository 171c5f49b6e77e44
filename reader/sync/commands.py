"""The headless sync commands: `account add|list|remove|test`, `sync`, and the parts of
`add`, `remove` and `refresh` that concern accounts (the rest is reader.headless).

Exit codes as elsewhere: 0 ok; 1 a server could not be reached or refused (local changes
stay queued), a wrong password, not such a server; 2 usage error.
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from reader.config import ConfigError, Settings, load_settings
from reader.paths import resolve_paths
from reader.store import Store, normalise_folder
from reader.sync import local
from reader.sync.accounts import (
    NAME,
    SECRETS_FILE,
    Account,
    AccountError,
    accounts_from,
    append_account,
    keyring_available,
    keyring_set,
    remove_account_table,
    run_password_command,
    write_secret,
)
from reader.sync.base import SyncError
from reader.text import clean_line

Command = Callable[[Store, Settings, argparse.Namespace], int]


def err(text: str) -> None:
    print(f"newsreader: {clean_line(text, 1000)}", file=sys.stderr)


def add_parsers(command: Callable[[str, str], argparse.ArgumentParser]) -> None:
    """`account` and `sync`, added to the main parser (cli.build_parser)."""
    account = command("account", "feed-server accounts (Tiny Tiny RSS, Fever) to sync with")
    actions = account.add_subparsers(dest="action", metavar="ACTION", required=True)
    add = actions.add_parser(
        "add",
        help="add an account after checking its password with the server",
        description="Add an account: asks for the password (or runs --password-command), "
        "checks it with the server, and stores the account in the config file.",
    )
    add.add_argument("type", choices=["ttrss", "fever"])
    add.add_argument("url", metavar="URL")
    add.add_argument("--user", metavar="NAME", help="tt-rss user name")
    add.add_argument("--email", metavar="ADDR", help="Fever email address")
    add.add_argument(
        "--password-command",
        metavar="CMD",
        help="a command whose first output line is the password (e.g. 'pass show ttrss')",
    )
    add.add_argument("--name", metavar="NAME", help="the account's name (default: its type)")
    add.add_argument(
        "--store-password",
        action="store_true",
        help=f"keep the password in {SECRETS_FILE} (0600) when there is no keyring",
    )
    listing = actions.add_parser("list", help="accounts, their last sync and any failure")
    listing.add_argument("--json", action="store_true", help="one JSON array")
    remove = actions.add_parser(
        "remove", help="forget an account (its feeds and entries go from the store)"
    )
    remove.add_argument("name", metavar="NAME")
    test = actions.add_parser("test", help="check that the server accepts the account")
    test.add_argument("name", metavar="NAME")
    sync = command("sync", "sync with feed servers: send local changes, pull new entries and state")
    sync.add_argument("--account", metavar="NAME", help="only this account")
    sync.add_argument("--json", action="store_true", help="one JSON array of what changed")


def _data_dir(args: argparse.Namespace) -> Path:
    return resolve_paths(getattr(args, "data_dir", None)).data_dir


def _config_file(args: argparse.Namespace) -> Path:
    return resolve_paths(getattr(args, "data_dir", None)).config_file


def configured(settings: Settings) -> dict[str, Account]:
    return accounts_from(settings.sync)


# ---------------------------------------------------------------------------- account
def account(store: Store, settings: Settings, args: argparse.Namespace) -> int:
    action: Command = {
        "add": account_add,
        "list": account_list,
        "remove": account_remove,
        "test": account_test,
    }[args.action]
    return action(store, settings, args)


def account_add(store: Store, settings: Settings, args: argparse.Namespace) -> int:
    from reader.sync.engine import connect

    kind = args.type
    user = args.user if kind == "ttrss" else args.email
    if not user:
        err("tt-rss needs --user NAME" if kind == "ttrss" else "Fever needs --email ADDR")
        return 2
    name = args.name or kind
    if not NAME.match(name):
        err(f"account name {name!r}: use letters, digits, - and _")
        return 2
    if name in settings.sync:
        err(f"there is already an account {name} (`newsreader account remove {name}` first)")
        return 1
    try:
        if args.password_command:
            password = run_password_command(args.password_command)
        elif sys.stdin.isatty():
            password = getpass.getpass(f"{kind} password for {user}: ")
        else:  # a script: the first line of standard input
            password = sys.stdin.readline().rstrip("\r\n")
            if not password:
                err("no password: type it on a terminal, pipe it in, or give --password-command")
                return 2
    except AccountError as exc:
        err(str(exc))
        return 1
    store_kind = ""
    if not args.password_command:
        store_kind = _where_to_keep(args)
        if not store_kind:
            err(
                "nothing stored: no keyring here; give --password-command CMD, or"
                f" --store-password to keep the password in {SECRETS_FILE} (only you can read it)"
            )
            return 1
    candidate = Account(name, kind, args.url.strip(), user, args.password_command or "", store_kind)
    try:
        proto = connect(_with_password(candidate, password), settings, _data_dir(args))
        feeds = len(proto.pull_subscriptions())
        proto.close()
    except (SyncError, AccountError) as exc:
        err(f"{kind} account not added: {exc}")
        return 1
    if store_kind == "keyring":
        keyring_set(name, password)
    elif store_kind == "file":
        path = write_secret(_data_dir(args), name, password)
        print(f"password kept in {path} (readable only by you)")
    try:
        append_account(_config_file(args), candidate)
        load_settings(_config_file(args))
    except (OSError, ConfigError) as exc:
        err(f"cannot write the config file: {exc}")
        return 1
    local.ensure_account(store, name, kind)
    print(f"added {kind} account {name}: {feeds} feeds on {clean_line(candidate.url, 300)}")
    print("`newsreader sync` pulls them")
    return 0


def _where_to_keep(args: argparse.Namespace) -> str:
    if keyring_available():
        return "keyring"
    if args.store_password:
        return "file"
    if sys.stdin.isatty():
        answer = input(f"No keyring here. Keep the password in {SECRETS_FILE} (0600)? [y/N] ")
        if answer.strip().lower() in ("y", "yes"):
            return "file"
    return ""


def _with_password(account: Account, password: str) -> Account:
    """The account with a password command that hands over the one just typed."""
    from dataclasses import replace

    quoted = password.replace("'", "'\\''")
    return replace(account, password_command=f"printf '%s\\n' '{quoted}'")


def account_list(store: Store, settings: Settings, args: argparse.Namespace) -> int:
    states = local.account_states(store)
    rows: list[dict[str, Any]] = []
    for name, acct in sorted(configured(settings).items()):
        state = states.get(name)
        rows.append(
            {
                "name": name,
                "type": acct.kind,
                "url": acct.url,
                "user": acct.user,
                "password": acct.store_kind or "none",
                "feeds": state.feeds if state else 0,
                "queued": state.pending if state else 0,
                "last_sync": state.last_sync.isoformat() if state and state.last_sync else None,
                "last_error": state.last_error if state else None,
            }
        )
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    if not rows:
        print("no accounts: add one with `newsreader account add ttrss URL --user NAME`")
        return 0
    for row in rows:
        when = row["last_sync"][:16].replace("T", " ") if row["last_sync"] else "never"
        failure = f"  [failed: {clean_line(row['last_error'], 200)}]" if row["last_error"] else ""
        print(
            f"{row['name']}  {row['type']}  {clean_line(row['url'], 300)}  {row['user']}"
            f"  {row['feeds']} feeds  {row['queued']} queued  last sync {when}{failure}"
        )
    return 0


def account_remove(store: Store, settings: Settings, args: argparse.Namespace) -> int:
    name = args.name
    acct = configured(settings).get(name)
    in_store = name in local.account_states(store)
    if acct is None and not in_store:
        err(f"no account {name}")
        return 2
    removed = remove_account_table(_config_file(args), name)
    feeds = local.forget_account(store, name)
    if acct is not None and acct.password_store == "file":
        write_secret(_data_dir(args), name, None)
    elif acct is not None and acct.password_store == "keyring" and keyring_available():
        keyring_set(name, None)
    where = "" if removed else " (it was not in the config file)"
    print(f"removed account {name}: {feeds} feeds and their entries{where}")
    return 0


def account_test(store: Store, settings: Settings, args: argparse.Namespace) -> int:
    from reader.sync.engine import connect

    acct = configured(settings).get(args.name)
    if acct is None:
        err(f"no account {args.name}")
        return 2
    try:
        connect(acct, settings, _data_dir(args)).close()
    except (SyncError, AccountError) as exc:
        err(f"{args.name}: {exc}")
        return 1
    print(f"{args.name}: ok ({acct.kind}, {clean_line(acct.url, 300)})")
    return 0


# ---------------------------------------------------------------------------- sync
def sync(store: Store, settings: Settings, args: argparse.Namespace) -> int:
    accounts = configured(settings)
    if args.account:
        if args.account not in accounts:
            err(f"no account {args.account}")
            return 2
        accounts = {args.account: accounts[args.account]}
    if not accounts:
        if args.json:
            print("[]")
        else:
            print("no accounts: add one with `newsreader account add ttrss URL --user NAME`")
        return 0
    return sync_accounts(store, settings, args, list(accounts.values()), as_json=args.json)


def sync_accounts(
    store: Store,
    settings: Settings,
    args: argparse.Namespace,
    accounts: list[Account],
    *,
    as_json: bool = False,
) -> int:
    from reader.sync.engine import sync_account

    reports = [sync_account(store, a, settings, _data_dir(args)) for a in accounts]
    if as_json:
        print(json.dumps([r.as_json() for r in reports], ensure_ascii=False, indent=2))
    for report in reports:
        if not as_json and report.ok:
            print(f"{report.account}: {report.describe()}", flush=True)
        elif not report.ok:
            err(f"{report.account}: {report.describe()} (local changes stay queued)")
        for note in report.notes:
            err(f"{report.account}: {note}")
    return 0 if all(r.ok for r in reports) else 1


# ---------------------------------------------------------------------------- add, remove, refresh
def add(store: Store, settings: Settings, args: argparse.Namespace) -> int:
    """`add URL --account NAME` subscribes on the server; without --account, locally."""
    from reader import headless

    if not getattr(args, "account", None):
        return headless.add(store, settings, args)
    from reader.sync.engine import subscribe, sync_account

    acct = configured(settings).get(args.account)
    if acct is None:
        err(f"no account {args.account}")
        return 2
    folder = normalise_folder(args.folder or "")
    try:
        done, _ = subscribe(store, acct, settings, _data_dir(args), args.url.strip(), folder)
    except (SyncError, AccountError) as exc:
        err(f"not subscribed: {exc}")
        return 1
    if not done:
        print(f"queued: {args.url.strip()} (the server is unreachable; sent on the next sync)")
        return 0
    print(f"subscribed on {acct.name}: {clean_line(args.url.strip(), 300)}")
    report = sync_account(store, acct, settings, _data_dir(args))
    print(f"{report.account}: {report.describe()}")
    return 0 if report.ok else 1


def remove(store: Store, settings: Settings, args: argparse.Namespace) -> int:
    """A Fever feed cannot be unsubscribed through the API: say so instead of removing it
    here only for the next sync to bring it back."""
    from reader import headless

    feed = headless.find_feed(store, args.url)
    owner = local.account_of_feed(store, feed.id) if feed is not None else None
    if owner is not None and owner[1] == "fever":
        err(f"Fever cannot unsubscribe: remove {args.url} on the server ({owner[0]})")
        return 1
    code = headless.remove(store, settings, args)
    if code == 0 and owner is not None:
        print(f"unsubscribing on {owner[0]} at the next sync")
    return code


def refresh(store: Store, settings: Settings, args: argparse.Namespace) -> int:
    """`refresh` also syncs every account (when not limited to one feed or folder)."""
    from reader import headless

    accounts = list(configured(settings).values())
    sync_code = 0
    if accounts and not args.feed and not args.folder:
        sync_code = sync_accounts(store, settings, args, accounts)
    if accounts and not [f for f in store.list_feeds() if f.id not in local.synced_feed_ids(store)]:
        return sync_code  # only synced feeds: nothing to fetch here
    return max(headless.refresh(store, settings, args), sync_code)


COMMANDS: dict[str, Command] = {
    "account": account,
    "sync": sync,
    "add": add,
    "remove": remove,
    "refresh": refresh,
}
"""Commands that replace or join reader.headless's (headless.run looks here first)."""
