"""What the TUI's accounts view shows, as plain lines: each account with its last sync and
any failure next to it, then the feeds that belong to it (UI-free, so it is tested alone)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from reader.config import Settings
from reader.store import Store
from reader.sync import local
from reader.sync.accounts import accounts_from
from reader.text import clean_line

KIND_NAMES = {"ttrss": "Tiny Tiny RSS", "fever": "Fever"}


@dataclass(frozen=True, slots=True)
class Line:
    """One line and its style: account, figures, failure or feed."""

    kind: str
    text: str


def _when(moment: datetime | None, date_format: str) -> str:
    if moment is None:
        return "never"
    return moment.astimezone().strftime(f"{date_format} %H:%M")


def account_lines(store: Store, settings: Settings) -> list[Line]:
    states = local.account_states(store)
    owners = local.feed_accounts(store)
    feeds = store.list_feeds()
    lines: list[Line] = []
    for name, account in sorted(accounts_from(settings.sync).items()):
        state = states.get(name)
        kind = KIND_NAMES.get(account.kind, account.kind)
        lines.append(Line("account", f"{name} · {kind} · {clean_line(account.url, 200)}"))
        last = _when(state.last_sync if state else None, settings.date_format)
        queued = state.pending if state else 0
        figures = f"last sync {last} · {queued} change{'s' if queued != 1 else ''} queued"
        lines.append(Line("figures", figures))
        if state is not None and state.last_error:
            tried = _when(state.last_attempt, settings.date_format)
            lines.append(
                Line("failure", f"⚠ sync failed {tried}: {clean_line(state.last_error, 300)}")
            )
        mine = [f for f in feeds if owners.get(f.id) == name]
        for feed in mine:
            folder = f"{feed.folder}/" if feed.folder else ""
            lines.append(
                Line("feed", f"• {folder}{clean_line(feed.title, 100)} ({feed.unread} unread)")
            )
        if not mine:
            lines.append(Line("feed", "no feeds yet: R syncs"))
    local_count = sum(1 for f in feeds if f.id not in owners)
    if not lines:
        lines.append(
            Line(
                "figures",
                "No sync accounts. `newsreader account add ttrss URL --user NAME` adds one.",
            )
        )
    lines.append(
        Line(
            "figures",
            f"{local_count} local feed{'s' if local_count != 1 else ''} (fetched by newsreader)",
        )
    )
    return lines
