"""Headless commands for rules, hidden entries, story versions and unread counts:
`rules test|apply`, `why`, `restore`, `diff` and `unread --json`."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from typing import Any

from reader.config import Settings
from reader.rules import RuleSet
from reader.store import CurrentText, PlannedAction, Store, StoryVersion
from reader.text import clean_line
from reader.versions import body_text, diff_text, word_diff

__all__ = ["COMMANDS", "add_parsers", "entry_extras"]


def add_parsers(command: Any) -> None:
    """The subcommands, added to cli.py's parser (`command(name, help)` makes one)."""
    rules = command("rules", "dry-run (test) or apply the config's [[rules]] to stored entries")
    rules.add_argument("action", choices=["test", "apply"])
    rules.add_argument("name", metavar="NAME", nargs="?", help="only the rule with this name")
    rules.add_argument("--json", action="store_true", help="one JSON object (test)")
    why = command("why", "which rules touched an entry, and why")
    why.add_argument("entry_id", type=int, metavar="ENTRY_ID")
    restore = command("restore", "show an entry a rule hid again (rules leave it alone after)")
    restore.add_argument("entry_id", type=int, metavar="ENTRY_ID")
    diff = command("diff", "what changed in an updated story: its latest change, word by word")
    diff.add_argument("entry_id", type=int, metavar="ENTRY_ID")
    diff.add_argument(
        "--source",
        choices=["feed", "page"],
        help="the latest change of the feed's text, or of the page reader mode read",
    )


def err(text: str) -> None:
    print(f"newsreader: {text}", file=sys.stderr)


def _chosen(settings: Settings, name: str | None) -> RuleSet | None:
    rules = RuleSet(settings.rules)
    if name is not None and not any(spec.name == name for spec in settings.rules):
        known = ", ".join(spec.name for spec in settings.rules) or "none in the config"
        err(f"no rule named {name!r} (rules: {known})")
        return None
    return rules.only(name)


_VERBS = {
    "hide": ("hide", "hid"),
    "read": ("mark read", "marked read"),
    "star": ("star", "starred"),
}


def summary(planned: list[PlannedAction], *, done: bool) -> list[str]:
    """ "would hide 37 entries in 4 feeds", one line per rule."""
    groups: dict[str, list[PlannedAction]] = {}
    for item in planned:
        groups.setdefault(item.rule.name, []).append(item)
    lines = []
    for name, items in groups.items():
        rule = items[0].rule
        verbs = _VERBS.get(rule.action, ("put on " + rule.list_name,) * 2)
        n, feeds = len(items), len({item.feed_id for item in items})
        entries = "entry" if n == 1 else "entries"
        verb = verbs[1] if done else "would " + verbs[0]
        lines.append(f"{name}: {verb} {n} {entries} in {feeds} {'feed' if feeds == 1 else 'feeds'}")
    return lines


def rules(store: Store, settings: Settings, args: argparse.Namespace) -> int:
    chosen = _chosen(settings, args.name)
    if chosen is None:
        return 2
    if not chosen:
        print("no rules in the config ([[rules]] tables; `newsreader config edit`)")
        return 0
    if args.action == "apply":
        planned = store.apply_rules(chosen)
        for text in summary(planned, done=True) or ["nothing to do"]:
            print(text)
        return 0
    planned = store.rules_dry_run(chosen)
    if args.json:
        data = {
            "entries": len({p.entry_id for p in planned}),
            "feeds": len({p.feed_id for p in planned}),
            "actions": [
                {
                    "id": p.entry_id,
                    "rule": p.rule.name,
                    "action": p.rule.action,
                    "list": p.rule.list_name or None,
                    "title": clean_line(p.title, 1000),
                    "feed": clean_line(p.feed_title, 300),
                    "why": clean_line(p.reason, 1000),
                }
                for p in planned
            ],
        }
        print(json.dumps(data, ensure_ascii=False, indent=2))
        return 0
    for text in summary(planned, done=False) or ["would change nothing"]:
        print(text)
    for p in planned:
        print(
            f"  {p.entry_id:7d} {p.rule.label:6} {clean_line(p.title, 100)}"
            f"  [{clean_line(p.feed_title, 40)}]"
        )
    return 0


def _when(epoch: float | None) -> str:
    if epoch is None:
        return "?"
    return datetime.fromtimestamp(epoch, UTC).astimezone().strftime("%Y-%m-%d %H:%M")


def why(store: Store, settings: Settings, args: argparse.Namespace) -> int:
    entry = store.get_entry(args.entry_id)
    if entry is None:
        err(f"no entry with id {args.entry_id}")
        return 1
    hits = store.why(args.entry_id)
    print(f"{args.entry_id}: {clean_line(entry.title, 200)}  [{clean_line(entry.feed_title, 60)}]")
    if store.is_hidden(args.entry_id):
        print(f"  hidden (newsreader restore {args.entry_id} shows it again)")
    if not hits:
        print("  no rule touched it")
    for hit in hits:
        label = f"list {hit.list_name}" if hit.action == "list" else hit.action
        print(f"  rule {hit.rule!r} ({label}, {_when(hit.at)}): {clean_line(hit.reason, 500)}")
    return 0


def restore(store: Store, settings: Settings, args: argparse.Namespace) -> int:
    if store.get_entry(args.entry_id) is None:
        err(f"no entry with id {args.entry_id}")
        return 1
    if not store.restore_entry(args.entry_id):
        print(f"entry {args.entry_id} was not hidden")
        return 0
    print(f"restored entry {args.entry_id}")
    return 0


SOURCE_NAMES = {"feed": "the feed's text", "page": "the page (reader mode)"}
"""How `diff` and the TUI's changes view name where a version's text came from."""


def latest_change(
    store: Store, entry_id: int, source: str | None = None
) -> tuple[StoryVersion, CurrentText] | None:
    """The latest kept version (of `source`, else of either) and the entry's current text
    from the same source, or None (never changed)."""
    versions = [v for v in store.entry_versions(entry_id) if source in (None, v.source)]
    if not versions:
        return None
    current = store.current_text(entry_id, versions[-1].source)
    return None if current is None else (versions[-1], current)


def diff(store: Store, settings: Settings, args: argparse.Namespace) -> int:
    if store.get_entry(args.entry_id) is None:
        err(f"no entry with id {args.entry_id}")
        return 1
    change = latest_change(store, args.entry_id, args.source)
    if change is None:
        what = f"{SOURCE_NAMES[args.source]} of entry" if args.source else "entry"
        print(f"{what} {args.entry_id} has not changed since it was read")
        return 1
    old, now = change
    # The current text arrived when it replaced the version (`since` stays put through
    # changes too small to count).
    print(
        f"{SOURCE_NAMES[old.source]}: version of {_when(old.seen)}"
        f" -> current version of {_when(now.since or old.replaced)}"
    )
    print("title: " + clean_line(diff_text(word_diff(old.title, now.title)), 5000))
    old_body = body_text(old.content or old.summary)
    print(clean_line(diff_text(word_diff(old_body, now.text)), 200_000))
    return 0


def unread_json(store: Store, settings: Settings, include_sample: bool) -> dict[str, Any]:
    """Unread counts for status bars: in all (stories once), per feed and per folder (a
    folder's count includes its sub-folders)."""
    feeds = store.list_feeds(include_sample=include_sample)
    folders: dict[str, int] = {}
    for feed in feeds:
        parts = feed.folder.split("/") if feed.folder else []
        for depth in range(1, len(parts) + 1):
            name = "/".join(parts[:depth])
            folders[name] = folders.get(name, 0) + feed.unread
    return {
        "unread": store.unread_story_count(include_sample=include_sample),
        "feeds": [
            {
                "url": f.url,
                "title": clean_line(f.title, 300),
                "folder": f.folder,
                "unread": f.unread,
            }
            for f in feeds
        ],
        "folders": [{"folder": name, "unread": n} for name, n in sorted(folders.items())],
    }


def entry_extras(store: Store, ids: list[int]) -> dict[int, dict[str, Any]]:
    """`entries --json` fields for versions: how many are kept, and when it was updated."""
    info = store.version_info(ids)
    return {
        entry_id: {
            "versions": count,
            "updated_story": None
            if when is None
            else datetime.fromtimestamp(when, UTC).isoformat(),
        }
        for entry_id, (count, when) in info.items()
    }


COMMANDS = {"rules": rules, "why": why, "restore": restore, "diff": diff}
