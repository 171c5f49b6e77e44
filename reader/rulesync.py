"""The steps a refresh takes for rules, versions and notifications, around the fetching.

Before: the config's rules and version settings go into the store, where every writer (the
refresh's worker processes too) applies them as entries are stored. After: old versions
beyond the size limit go, and one notification says what the refresh brought.
"""

from __future__ import annotations

from reader.config import Settings
from reader.notify import Notice, NotifyConfig, announce, build_notice
from reader.store import Store, normalise_folder

__all__ = ["after_refresh", "before_refresh", "notify_config", "unread_when_updated_ids"]


def unread_when_updated_ids(store: Store, names: tuple[str, ...]) -> list[int]:
    """Feed ids named by URL, title or folder (sub-folders too) in `names`; "*" is all."""
    if not names:
        return []
    feeds = store.list_feeds(include_sample=True)
    if "*" in names:
        return [f.id for f in feeds]
    folders = {normalise_folder(n) for n in names}
    chosen = []
    for feed in feeds:
        parts = feed.folder.split("/") if feed.folder else []
        in_folder = any("/".join(parts[:d]) in folders for d in range(1, len(parts) + 1))
        if feed.url in names or feed.title in names or in_folder:
            chosen.append(feed.id)
    return chosen


def before_refresh(store: Store, settings: Settings) -> None:
    """(In a thread.) Hand the config's rules and version settings to the store."""
    store.configure_rules(
        settings.rules,
        versions_per_entry=settings.versions_per_entry,
        unread_when_updated=unread_when_updated_ids(store, settings.unread_when_updated),
    )


def notify_config(settings: Settings) -> NotifyConfig:
    """[notify] with the top-level notify_command (when set) as its command."""
    config = settings.notify
    if settings.notify_command:
        return NotifyConfig(settings.notify_command, config.feeds, config.folders)
    return config


def after_refresh(
    store: Store,
    settings: Settings,
    started: float,
    *,
    after_id: int = 0,
    terminal: bool = True,
) -> Notice | None:
    """(In a thread.) Prune versions to their size limit and send the one notification for
    what arrived since `started` (entries with ids above `after_id`), if anything watched
    did. Returns the notice sent."""
    store.prune_versions(int(settings.versions_max_mb * 1024 * 1024))
    config = notify_config(settings)
    watches_rules = any(spec.action == "notify" for spec in settings.rules)
    if not config and not watches_rules:
        return None
    notice = build_notice(config, store.arrivals_since(started, after_id, notified_only=not config))
    if notice is not None:
        announce(config, notice, allow_terminal=terminal)
    return notice
