"""The one interface a sync protocol implements, and what it hands the engine.

Everything a server says is untrusted: protocol modules check the shape of every answer and
raise SyncError with a sentence a user can act on, never a traceback.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from reader.models import Enclosure


class SyncError(Exception):
    """A sync could not be done; the message says why (for the user)."""


class AuthError(SyncError):
    """The server refused the credentials."""


class Unreachable(SyncError):
    """The server could not be reached (network, timeout): local changes stay queued."""


class NotSupported(SyncError):
    """The protocol cannot do this (Fever cannot subscribe)."""


@dataclass(frozen=True, slots=True)
class RemoteFeed:
    """A subscription on the server."""

    remote_id: str
    title: str
    url: str
    folder: str = ""
    site_url: str = ""


@dataclass(frozen=True, slots=True)
class RemoteItem:
    """An entry on the server, with its state there."""

    remote_id: str
    feed_id: str
    title: str
    link: str = ""
    author: str = ""
    content: str = ""
    published: float | None = None
    read: bool = False
    starred: bool = False
    enclosures: tuple[Enclosure, ...] = ()


@dataclass(frozen=True, slots=True)
class RemoteState:
    """Read and starred state on the server.

    `unread` lists the unread item ids of the feeds in `unread_scope` (None: of every feed);
    items of other feeds keep their local read state. `starred` covers every item.
    """

    unread: frozenset[str]
    starred: frozenset[str]
    unread_scope: frozenset[str] | None = None


@dataclass(frozen=True, slots=True)
class LocalState:
    """What the store holds of an account's state, for a protocol to compare with the
    server's and ask only for what may differ."""

    unread_counts: Mapping[str, int]
    """Unread entries by remote feed id."""
    unread_ids: frozenset[str] = frozenset()
    """Remote ids of the entries unread here."""
    last_sync: float | None = None
    """When the last sync that worked ended (Unix time), None before the first."""


@dataclass(frozen=True, slots=True)
class Change:
    """One queued local change: op is read, starred, subscribe or unsubscribe."""

    op: str
    remote_id: str
    value: str = ""


@dataclass(slots=True)
class Counters:
    """Requests a protocol made (for `sync --json` and the benchmark)."""

    requests: int = 0
    by_op: dict[str, int] = field(default_factory=dict)

    def count(self, op: str) -> None:
        self.requests += 1
        self.by_op[op] = self.by_op.get(op, 0) + 1


class Protocol(ABC):
    """One server account. Methods raise SyncError (AuthError, Unreachable) on failure."""

    kind: str = ""
    can_subscribe: bool = False

    def __init__(self) -> None:
        self.counters = Counters()

    @abstractmethod
    def login(self) -> None:
        """Check the credentials (and open a session where the protocol has one)."""

    @abstractmethod
    def pull_subscriptions(self) -> list[RemoteFeed]:
        """Every feed on the server, with its folder."""

    @abstractmethod
    def pull_entries(self, since: str) -> Iterator[tuple[list[RemoteItem], str]]:
        """Pages of items newer than the mark `since` ("" = everything), each with the mark
        to store once the page is kept."""

    @abstractmethod
    def pull_state(self, local: LocalState) -> RemoteState:
        """Read and starred state; what the store holds (`local`) lets a protocol skip
        feeds that cannot differ."""

    @abstractmethod
    def push(self, changes: Sequence[Change]) -> None:
        """Send a batch of read/starred changes (already coalesced: one per item and op)."""

    def subscribe(self, url: str, folder: str) -> str:
        """Subscribe on the server; returns the remote feed id."""
        raise NotSupported(f"{self.kind} cannot subscribe to feeds: add {url} on the server")

    def unsubscribe(self, remote_id: str) -> None:
        raise NotSupported(f"{self.kind} cannot unsubscribe: remove the feed on the server")

    @abstractmethod
    def close(self) -> None:
        """Release the HTTP client."""
