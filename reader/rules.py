"""Rules: `[[rules]]` from the config, checked, compiled, and matched against entries.

A rule names an action (hide, read, star, notify, or a virtual list) and one or more match
keys; all of them must match. Patterns are case-insensitive regular expressions, and each is
checked when it is loaded so that none can hang a refresh (see `check_pattern`). UI-free and
store-free: the store feeds `EntryFacts` in and writes what `RuleSet.matches` says.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "ACTIONS",
    "MATCH_KEYS",
    "EntryFacts",
    "Hit",
    "PatternError",
    "RuleSet",
    "RuleSpec",
    "check_pattern",
    "parse_rules",
    "rules_from_json",
    "rules_to_json",
]

ACTIONS = ("hide", "read", "star", "notify", "list")
"""What a rule can do; `list` puts its matches on the virtual list it names."""

MATCH_KEYS = ("title", "author", "content", "link", "feed", "folder", "category")
"""The entry fields a rule can match with a regular expression."""

MAX_PATTERN = 500
"""The longest pattern accepted (characters)."""

STEP_BUDGET = 4_000_000
"""The most backtracking steps one pattern may take on one field, worst case. A pattern's
worst case is about n ** d steps for a text of n characters, where d is one more than the
number of unbounded repeats in a row (`.*a.*b`: d = 3), so the text it is tried on is cut
to the length that keeps n ** d under this budget."""

MAX_TEXT = 60_000
"""The longest text any pattern is tried on (as much as the search index keeps)."""

MAX_RUNS = 2
"""Most unbounded repeats one after another a pattern may have (`.*a.*b` has 2)."""

_BIG_REPEAT = 100
"""A bounded repeat above this many counts as unbounded (`a{1,5000}` backtracks as `a+`)."""


class PatternError(ValueError):
    """A pattern is not a regular expression, or is one that could backtrack for ever."""


@dataclass(frozen=True, slots=True)
class RuleSpec:
    """One `[[rules]]` table, checked: its name, action, patterns and age limit."""

    name: str
    action: str
    list_name: str = ""
    patterns: tuple[tuple[str, str], ...] = ()
    """(match key, pattern) pairs, in MATCH_KEYS order."""
    older_than_days: float | None = None

    def to_toml_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"name": self.name}
        if self.action == "list":
            data["list"] = self.list_name
        else:
            data["action"] = self.action
        data.update(dict(self.patterns))
        if self.older_than_days is not None:
            data["older_than_days"] = self.older_than_days
        return data

    @property
    def label(self) -> str:
        """What the rule does, in words: "hide", "list Later"."""
        return f"list {self.list_name}" if self.action == "list" else self.action


@dataclass(frozen=True, slots=True)
class EntryFacts:
    """What rules look at in one entry (the store fills it from a row or a parsed entry)."""

    title: str = ""
    author: str = ""
    content: str = ""
    """Plain text of the body (the same text the search index holds)."""
    link: str = ""
    feed_url: str = ""
    feed_title: str = ""
    folder: str = ""
    categories: tuple[str, ...] = ()
    date: float | None = None
    """Published, else updated, else first seen (epoch seconds)."""


@dataclass(frozen=True, slots=True)
class Hit:
    """One rule matching one entry, and why."""

    rule: RuleSpec
    reason: str


def _node_runs(items: Any, nested_in_repeat: bool) -> int:
    """The most unbounded repeats one after another in a parsed (sub)pattern; raises
    PatternError for what can backtrack exponentially: a repeat, an optional part or an
    alternation inside a repeat (`(a+)+`, `(a?a?)+`, `(a|aa)*`), and backreferences (no
    bound is known for them)."""
    from re import _constants as c  # type: ignore[attr-defined]

    total = 0
    for op, arg in items:
        if op in (c.MAX_REPEAT, c.MIN_REPEAT, getattr(c, "POSSESSIVE_REPEAT", None)):
            low, high, body = arg
            repeats = high == c.MAXREPEAT or high > 1
            if nested_in_repeat and (repeats or low != high):
                raise PatternError("a repeat inside a repeat, such as (a+)+, can run for ever")
            inner = _node_runs(body, nested_in_repeat or repeats)
            unbounded = high == c.MAXREPEAT or high > _BIG_REPEAT
            total += inner + (1 if unbounded else 0)
        elif op is c.BRANCH:
            if nested_in_repeat:
                raise PatternError(
                    "alternatives inside a repeat, such as (a|aa)*, can run for ever"
                )
            total += max(_node_runs(branch, nested_in_repeat) for branch in arg[1])
        elif op is c.SUBPATTERN:
            total += _node_runs(arg[-1], nested_in_repeat)
        elif op in (c.ASSERT, c.ASSERT_NOT):
            total += _node_runs(arg[1], nested_in_repeat)
        elif op is getattr(c, "ATOMIC_GROUP", None):
            total += _node_runs(arg, nested_in_repeat)
        elif op in (c.GROUPREF, c.GROUPREF_EXISTS, getattr(c, "GROUPREF_IGNORE", None)):
            raise PatternError("backreferences (\\1) are not allowed in rules")
    return total


def check_pattern(pattern: str) -> int:
    """Check `pattern` and return the longest text it may safely be tried on.

    Python's `re` backtracks and has no timeout, so safety is decided before a pattern is
    ever run: its parsed form is walked, patterns that can backtrack exponentially (nested
    repeats, alternatives in a repeat, backreferences) are refused, and the polynomial
    worst case of the rest (n ** d, see STEP_BUDGET) bounds how much text it sees.
    """
    if not isinstance(pattern, str) or not pattern:
        raise PatternError("a pattern is a non-empty text")
    if len(pattern) > MAX_PATTERN:
        raise PatternError(f"a pattern is at most {MAX_PATTERN} characters")
    from re import _parser  # type: ignore[attr-defined]

    try:
        parsed = _parser.parse(pattern, re.IGNORECASE)
    except re.error as exc:
        raise PatternError(f"not a regular expression: {exc}") from None
    runs = _node_runs(parsed, False)
    if runs > MAX_RUNS:
        raise PatternError(
            f"{runs} open-ended repeats (.*, +) one after another is too many (at most {MAX_RUNS})"
        )
    degree = runs + 1  # a search also tries every start position
    return min(MAX_TEXT, int(STEP_BUDGET ** (1 / degree)))


def parse_rules(value: Any) -> tuple[list[RuleSpec], list[tuple[tuple[str, ...], str]]]:
    """`[[rules]]` as checked RuleSpecs, plus a (key path, message) for each problem."""
    if not isinstance(value, list):
        return [], [(("rules",), "rules must be [[rules]] tables, each with a name and action")]
    specs: list[RuleSpec] = []
    problems: list[tuple[tuple[str, ...], str]] = []
    names: set[str] = set()
    for number, table in enumerate(value, start=1):
        where = ("rules",)
        if not isinstance(table, dict):
            problems.append((where, f"rule {number} must be a [[rules]] table"))
            continue
        try:
            spec = rule_from_dict(table, number)
        except PatternError as exc:
            problems.append((where, str(exc)))
            continue
        if spec.name in names:
            problems.append((where, f"rule {spec.name!r}: another rule has the same name"))
            continue
        names.add(spec.name)
        specs.append(spec)
    return specs, problems


def rule_from_dict(table: dict[str, Any], number: int = 1) -> RuleSpec:
    """One rule table checked (PatternError says what is wrong with it)."""
    name = table.get("name")
    if not isinstance(name, str) or not name.strip():
        raise PatternError(f'rule {number} needs a name (name = "…")')
    name = name.strip()
    label = f"rule {name!r}"
    known = {"name", "action", "list", "older_than_days", *MATCH_KEYS}
    for key in table:
        if key not in known:
            raise PatternError(f"{label}: unknown key {key!r} (keys: {', '.join(sorted(known))})")
    action = table.get("action")
    list_name = table.get("list")
    if list_name is not None:
        if not isinstance(list_name, str) or not list_name.strip():
            raise PatternError(f'{label}: list must be the name of a list, such as "Later"')
        if action not in (None, "list"):
            raise PatternError(f"{label}: give either action or list, not both")
        action, list_name = "list", list_name.strip()
    elif action not in ACTIONS or action == "list":
        raise PatternError(
            f'{label}: action must be one of hide, read, star, notify (or list = "NAME")'
        )
    patterns: list[tuple[str, str]] = []
    for key in MATCH_KEYS:
        if key in table:
            try:
                check_pattern(table[key])
            except PatternError as exc:
                raise PatternError(f"{label}: {key}: {exc}") from None
            patterns.append((key, table[key]))
    days = table.get("older_than_days")
    if days is not None and (
        isinstance(days, bool) or not isinstance(days, int | float) or not 0 <= days <= 36500
    ):
        raise PatternError(f"{label}: older_than_days must be a number of days (0 to 36500)")
    if not patterns and days is None:
        raise PatternError(
            f"{label}: give at least one of {', '.join(MATCH_KEYS)} or older_than_days"
        )
    return RuleSpec(
        name=name,
        action=str(action),
        list_name=list_name or "",
        patterns=tuple(patterns),
        older_than_days=None if days is None else float(days),
    )


def rules_to_json(specs: Sequence[RuleSpec]) -> str:
    """The rules as the store keeps them (so a refresh's worker processes apply them too)."""
    return json.dumps([spec.to_toml_dict() for spec in specs], ensure_ascii=False)


def rules_from_json(text: str | None) -> list[RuleSpec]:
    """The inverse of rules_to_json; a damaged copy costs the rules, not the refresh."""
    try:
        tables = json.loads(text or "[]")
    except ValueError:
        return []
    specs, _ = parse_rules(tables if isinstance(tables, list) else [])
    return specs


def _shown(text: str, match: re.Match[str]) -> str:
    """The matched words with a little context, on one line."""
    start, end = max(0, match.start() - 20), min(len(text), match.end() + 20)
    piece = " ".join(text[start:end].split())
    return ("…" if start else "") + piece + ("…" if end < len(text) else "")


@dataclass(slots=True)
class _Compiled:
    spec: RuleSpec
    tests: list[tuple[str, re.Pattern[str], int]] = field(default_factory=list)


class RuleSet:
    """Compiled rules: which of them match an entry, and why."""

    def __init__(self, specs: Iterable[RuleSpec]) -> None:
        self.specs = list(specs)
        self._compiled: list[_Compiled] = []
        for spec in self.specs:
            compiled = _Compiled(spec)
            for key, pattern in spec.patterns:
                cap = check_pattern(pattern)
                compiled.tests.append((key, re.compile(pattern, re.IGNORECASE), cap))
            self._compiled.append(compiled)

    def __bool__(self) -> bool:
        return bool(self.specs)

    def only(self, name: str | None) -> RuleSet:
        """The rule called `name` alone (all of them for None)."""
        if name is None:
            return self
        return RuleSet(spec for spec in self.specs if spec.name == name)

    def matches(self, facts: EntryFacts, now: float) -> list[Hit]:
        """Every rule whose keys all match `facts`, with the reason in words."""
        hits: list[Hit] = []
        for compiled in self._compiled:
            reasons: list[str] = []
            for key, regex, cap in compiled.tests:
                found = _search(key, regex, cap, facts)
                if found is None:
                    break
                reasons.append(found)
            else:
                days = compiled.spec.older_than_days
                if days is not None:
                    if facts.date is None or facts.date > now - days * 86400:
                        continue
                    age = (now - facts.date) / 86400
                    reasons.append(f"it is {age:.0f} days old (older than {days:g})")
                hits.append(Hit(compiled.spec, "; ".join(reasons)))
        return hits


def _search(key: str, regex: re.Pattern[str], cap: int, facts: EntryFacts) -> str | None:
    """Why `regex` matches the entry's `key` field, or None."""
    if key == "feed":
        texts = [("feed title", facts.feed_title), ("feed URL", facts.feed_url)]
    elif key == "category":
        texts = [("category", c) for c in facts.categories]
    else:
        texts = [(key, str(getattr(facts, key)))]
    for label, text in texts:
        found = regex.search(text[:cap])
        if found is not None:
            return f"{label} matches /{regex.pattern}/: {_shown(text, found)!r}"
    return None
