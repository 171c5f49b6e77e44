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
from typing import Any, NamedTuple

__all__ = [
    "ACTIONS",
    "MATCH_KEYS",
    "EntryFacts",
    "FeedRules",
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


@dataclass(slots=True)
class EntryFacts:
    """What rules look at in one entry (the store fills it from a row or a parsed entry)."""

    title: str = ""
    author: str = ""
    content: str = ""
    """Plain text of the body (the same words the search index holds)."""
    link: str = ""
    feed_url: str = ""
    feed_title: str = ""
    folder: str = ""
    categories: tuple[str, ...] = ()
    date: float | None = None
    """Published, else updated, else first seen (epoch seconds)."""
    content_spaced: bool = False
    """`content` still has its whitespace runs (a refresh's index text): rules find their
    literals in it as it is (`_SpacedScanner`) and collapse it only for a rule tried in
    full, which most entries never reach."""


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
    return _checked(pattern)[0]


def _checked(pattern: str) -> tuple[int, Any]:
    """`check_pattern`, and the pattern parsed (case-insensitive) for the rest of the
    compiling to walk: parsing is most of it."""
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
    return min(MAX_TEXT, int(STEP_BUDGET ** (1 / degree))), parsed


def _literals(items: Any) -> frozenset[str] | None:
    """Lower-case ASCII strings one of which any match must contain (None: no such set).
    A prefilter: `in` on the case-folded text is far cheaper than a case-insensitive
    search, and most rules name words. Fixed text is followed through small groups of
    alternatives (`election (?:night|results)` needs "election night" or "election
    results"), so the prefilter says no as often as it can."""
    from re import _constants as c  # type: ignore[attr-defined]

    best: frozenset[str] | None = None

    def consider(found: frozenset[str] | None) -> None:
        nonlocal best
        if found and all(found) and (best is None or _strength(found) > _strength(best)):
            best = found

    run: frozenset[str] | None = None
    for op, arg in [*items, (None, None)]:
        fixed = _fixed(op, arg)
        if fixed is not None:
            product = fixed if run is None else frozenset(a + b for a in run for b in fixed)
            if len(product) > _MAX_OPTIONS:
                consider(run)
                product = fixed
            run = product
            continue
        consider(run)
        run = None
        if op is c.SUBPATTERN:
            consider(_literals(arg[-1]))
        elif op is c.BRANCH:
            branches = [_literals(branch) for branch in arg[1]]
            if all(branches):
                consider(frozenset().union(*(b for b in branches if b)))
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT) and arg[0] >= 1:
            consider(_literals(arg[2]))
    return best


_MAX_OPTIONS = 4
"""The most alternatives one prefilter may have (each is one scan of the text)."""


def _fixed(op: Any, arg: Any) -> frozenset[str] | None:
    """The lower-case texts one parsed item matches, when it matches only fixed ASCII text
    with few alternatives (a literal, a group or alternation of them); else None."""
    from re import _constants as c  # type: ignore[attr-defined]

    if op is c.LITERAL:
        return frozenset([chr(arg).lower()]) if arg < 128 and chr(arg).isprintable() else None
    if op is c.SUBPATTERN:
        return _fixed_run(arg[-1])
    if op is c.BRANCH:
        options: frozenset[str] = frozenset()
        for branch in arg[1]:
            found = _fixed_run(branch)
            if found is None:
                return None
            options |= found
        return options if len(options) <= _MAX_OPTIONS else None
    return None


def _fixed_run(items: Any) -> frozenset[str] | None:
    """`_fixed` for a sequence of items."""
    run = frozenset([""])
    for op, arg in items:
        fixed = _fixed(op, arg)
        if fixed is None:
            return None
        run = frozenset(a + b for a in run for b in fixed)
        if len(run) > _MAX_OPTIONS:
            return None
    return run


def _strength(options: frozenset[str]) -> tuple[int, int]:
    """A better prefilter: fewer alternatives, then longer ones."""
    return (-len(options), min(len(option) for option in options))


def _lowered(parsed: Any) -> re.Pattern[str] | None:
    """A case-sensitive twin of the case-insensitive `pattern` that matches `_folded` text
    exactly where `pattern` matches the original: ASCII letters in literals lower-cased,
    the letters of each character set replaced by the lower-case ASCII characters they
    match case-insensitively (classes such as \\w kept). None when there is no such twin
    (inline flags, non-ASCII literals or sets). Takes the pattern parsed case-insensitively,
    and changes its flags: the last use of it."""
    from re import _compiler, _parser  # type: ignore[attr-defined]
    from re import _constants as c  # type: ignore[attr-defined]

    def member_test(items: Any) -> re.Pattern[str]:
        state = _parser.State()
        state.flags = re.IGNORECASE | re.UNICODE
        sub = _parser.SubPattern(state, [(c.IN, items)])
        return _compiler.compile(sub, 0)  # type: ignore[no-any-return]

    def rewrite(items: Any) -> list[Any] | None:
        out: list[Any] = []
        for op, arg in items:
            if op in (c.LITERAL, c.NOT_LITERAL):
                if arg >= 128:
                    return None
                out.append((op, ord(chr(arg).lower())))
            elif op is c.IN:
                kept = [item for item in arg if item[0] in (c.NEGATE, c.CATEGORY)]
                letters = [item for item in arg if item[0] not in (c.NEGATE, c.CATEGORY)]
                if any(
                    (kind is c.LITERAL and value >= 128)
                    or (kind is c.RANGE and value[1] >= 128)
                    or kind not in (c.LITERAL, c.RANGE)
                    for kind, value in letters
                ):
                    return None
                if letters:
                    test = member_test(letters)
                    kept += [(c.LITERAL, ch) for ch in _LOWER_ASCII if test.fullmatch(chr(ch))]
                if not any(kind is not c.NEGATE for kind, _ in kept):
                    return None
                out.append((c.IN, kept))
            elif op is c.SUBPATTERN:
                group, add, remove, body = arg
                if add or remove:
                    return None
                inner = rewrite(body)
                if inner is None:
                    return None
                out.append((op, (group, add, remove, _parser.SubPattern(parsed.state, inner))))
            elif op is c.BRANCH:
                branches = [rewrite(branch) for branch in arg[1]]
                if any(b is None for b in branches):
                    return None
                out.append((op, (arg[0], [_parser.SubPattern(parsed.state, b) for b in branches])))
            elif op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT):
                inner = rewrite(arg[2])
                if inner is None:
                    return None
                out.append((op, (arg[0], arg[1], _parser.SubPattern(parsed.state, inner))))
            elif op in (c.ASSERT, c.ASSERT_NOT):
                inner = rewrite(arg[1])
                if inner is None:
                    return None
                out.append((op, (arg[0], _parser.SubPattern(parsed.state, inner))))
            elif op is c.ATOMIC_GROUP:
                inner = rewrite(arg)
                if inner is None:
                    return None
                out.append((op, _parser.SubPattern(parsed.state, inner)))
            elif op in (c.ANY, c.AT, c.CATEGORY):
                out.append((op, arg))
            else:
                return None
        return out

    try:
        body = rewrite(parsed)
        if body is None:
            return None
        parsed.state.flags &= ~re.IGNORECASE
        return _compiler.compile(_parser.SubPattern(parsed.state, body), 0)  # type: ignore[no-any-return]
    except (re.error, TypeError, ValueError, RecursionError):
        return None


_LOWER_ASCII = [ch for ch in range(128) if chr(ch) == chr(ch).lower()]


def _folded(text: str) -> str:
    """Text lower-cased as the prefilter and the case-sensitive twins need it: everything
    `re.IGNORECASE` matches with an ASCII letter becomes that letter (lower() leaves the
    long ſ and the dotless ı alone, and makes İ two characters)."""
    return text.lower().replace("ſ", "s").replace("ı", "i")


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
class _Test:
    key: str
    regex: re.Pattern[str]
    cap: int
    needs: tuple[str, ...] | None
    """One of these must be in the case-folded text for a match (see `_literals`)."""
    lowered: re.Pattern[str] | None = None
    """The same pattern, case-sensitive, for lower-cased ASCII text (see `_lowered`)."""


@dataclass(slots=True)
class _Compiled:
    spec: RuleSpec
    tests: list[_Test] = field(default_factory=list)
    feed_tests: tuple[_Test, ...] = ()
    """The feed and folder keys, tried once per feed (`RuleSet.for_feed`)."""
    entry_tests: tuple[_Test, ...] = ()
    """The rest, tried per entry."""


@dataclass(slots=True)
class _Ready:
    """A rule whose feed and folder keys matched one feed: what is left to try per entry."""

    spec: RuleSpec
    reasons: tuple[str, ...]
    tests: tuple[_Test, ...]


class RuleSet:
    """Compiled rules: which of them match an entry, and why."""

    def __init__(self, specs: Iterable[RuleSpec]) -> None:
        self.specs = list(specs)
        self._compiled: list[_Compiled] = []
        self._feeds: dict[tuple[str, str, str], FeedRules] = {}
        self._plans: dict[tuple[int, ...], _GatePlan] = {}
        for spec in self.specs:
            compiled = _Compiled(spec)
            # Cheap fields first: a rule stops at its first key that does not match.
            for key, pattern in sorted(spec.patterns, key=lambda item: _COST[item[0]]):
                cap, parsed = _checked(pattern)
                found = _literals(parsed)
                # A literal of one or two characters is in nearly every text: no filter.
                needs = None
                if found is not None and min(len(literal) for literal in found) >= 3:
                    needs = tuple(sorted(found))
                regex = re.compile(pattern, re.IGNORECASE)
                compiled.tests.append(_Test(key, regex, cap, needs, _lowered(parsed)))
            compiled.feed_tests = tuple(t for t in compiled.tests if t.key in _FEED_KEYS)
            compiled.entry_tests = tuple(t for t in compiled.tests if t.key not in _FEED_KEYS)
            self._compiled.append(compiled)
        literals: dict[str, set[str]] = {}
        for compiled in self._compiled:
            for test in compiled.tests:
                if test.key in _PLAIN_KEYS and test.needs is not None:
                    literals.setdefault(test.key, set()).update(test.needs)
        self._scanners = {key: _Scanner(found) for key, found in literals.items()}
        self._spaced = _SpacedScanner(literals.get("content", ()))

    def __bool__(self) -> bool:
        return bool(self.specs)

    def only(self, name: str | None) -> RuleSet:
        """The rule called `name` alone (all of them for None)."""
        if name is None:
            return self
        return RuleSet(spec for spec in self.specs if spec.name == name)

    def for_feed(self, feed_url: str, feed_title: str, folder: str) -> FeedRules:
        """The rules as they stand for one feed: its feed and folder keys are tried once
        here, not once per entry, and rules they rule out are dropped."""
        where = (feed_url, feed_title, folder)
        ready = self._feeds.get(where)
        if ready is not None:
            return ready
        facts = EntryFacts(feed_url=feed_url, feed_title=feed_title, folder=folder)
        rules: list[_Ready] = []
        kept: list[int] = []
        for number, compiled in enumerate(self._compiled):
            reasons: list[str] = []
            for test in compiled.feed_tests:
                found = _search(test.key, test.regex, test.cap, facts)
                if found is None:
                    break
                reasons.append(found)
            else:
                kept.append(number)
                rules.append(_Ready(compiled.spec, tuple(reasons), compiled.entry_tests))
        # Most feeds keep the same rules: their gates are worked out once.
        plan = self._plans.get(tuple(kept))
        if plan is None:
            plan = self._plans[tuple(kept)] = _GatePlan.of(rules, self._scanners)
        if len(self._feeds) > 4096:
            self._feeds.clear()
            self._plans.clear()
        ready = self._feeds[where] = FeedRules(rules, plan, self._spaced)
        return ready

    def matches(self, facts: EntryFacts, now: float) -> list[Hit]:
        """Every rule whose keys all match `facts`, with the reason in words."""
        return self.for_feed(facts.feed_url, facts.feed_title, facts.folder).matches(facts, now)


class FeedRules:
    """The rules left for one feed's entries (see `RuleSet.for_feed`).

    Most entries match no rule, and most rules start with a text key whose pattern needs a
    literal word. So each entry is first checked for those literals, each looked for once
    however many rules need it, and only the rules whose first literal is there (or that
    have none) are tried in full."""

    def __init__(self, rules: list[_Ready], plan: _GatePlan, spaced: _SpacedScanner) -> None:
        self._rules = rules
        self._spaced = spaced
        self._gates = plan.gates
        self._always = plan.always
        self._always_in_order = plan.always_in_order
        self._short_keys = plan.short_keys
        self._short = plan.short

    def __bool__(self) -> bool:
        return bool(self._rules)

    def matches(self, facts: EntryFacts, now: float) -> list[Hit]:
        """Every rule whose keys all match `facts`, with the reason in words."""
        texts = _Texts(facts)
        seen = texts.seen
        gated: set[int] | None = None
        if self._short is not None and self._none_in_short_fields(facts):
            texts.absent.update(self._short_keys)
        for key, literals, scanner in self._gates:
            if key in texts.absent:
                continue
            if key == "content" and facts.content_spaced:
                # The body as it came, whitespace runs and all (see `_SpacedScanner`).
                scan = texts.spaced = self._spaced.scan(facts.content)
                if scan.empty:
                    texts.absent.add(key)
                    continue
                for literal, _probe_char, numbers in literals:
                    if (gated is None or not numbers <= gated) and scan.holds(literal):
                        gated = set(numbers) if gated is None else gated | numbers
                continue
            text = texts.text(key)[0]
            try:
                none_there = scanner.find is not None and not scanner.find(text)
            except UnicodeEncodeError:  # a lone surrogate, as JSON can carry
                none_there = not scanner.holds_any(text)
            if none_there:
                # Leftmost-first finds no match only when no literal occurs anywhere.
                texts.absent.add(key)
                continue
            for literal, probe, numbers in literals:
                if gated is not None and numbers <= gated:
                    continue
                present = seen[(key, literal)] = (not probe or probe in text) and literal in text
                if present:
                    gated = set(numbers) if gated is None else gated | numbers
        if gated is None:
            candidates: Iterable[int] = self._always_in_order
        else:
            candidates = sorted(gated.union(self._always))
        hits: list[Hit] = []
        for number in candidates:
            rule = self._rules[number]
            days = rule.spec.older_than_days
            if days is not None and (facts.date is None or facts.date > now - days * 86400):
                continue  # the cheapest key first
            reasons = list(rule.reasons)
            for test in rule.tests:
                if test.key in _PLAIN_KEYS:
                    found = _search_plain(test, texts)
                else:
                    found = _search(test.key, test.regex, test.cap, facts)
                if found is None:
                    break
                reasons.append(found)
            else:
                if days is not None and facts.date is not None:
                    age = (now - facts.date) / 86400
                    reasons.append(f"it is {age:.0f} days old (older than {days:g})")
                hits.append(Hit(rule.spec, "; ".join(reasons)))
        return hits

    def _none_in_short_fields(self, facts: EntryFacts) -> bool:
        """Whether the short fields the gates look at hold none of their literals, found
        in one pass over them joined (most entries' do not; a literal found in the wrong
        field only sends them through their own gates)."""
        joined = "\x00".join([getattr(facts, key) for key in self._short_keys])
        lowered = joined.lower() if joined.isascii() else _folded(joined)
        try:
            return not self._short(lowered)
        except UnicodeEncodeError:  # a lone surrogate: the gates will say
            return False


_PLAIN_KEYS = frozenset(("title", "author", "content", "link"))


@dataclass(frozen=True, slots=True)
class _GatePlan:
    """Which literals, in which field, let which of a feed's rules be tried (the rest are
    tried for every entry)."""

    gates: list[tuple[str, list[_Gate], _Scanner]]
    always: frozenset[int]
    always_in_order: tuple[int, ...]
    short_keys: tuple[str, ...] = ()
    """The gates' fields other than the body, when there are two or more."""
    short: Any = None
    """All their literals, matched in those fields joined by NUL (see `_Scanner`)."""

    @classmethod
    def of(cls, rules: Sequence[_Ready], scanners: dict[str, _Scanner]) -> _GatePlan:
        gates: dict[tuple[str, str], set[int]] = {}
        always: list[int] = []
        for number, rule in enumerate(rules):
            first = rule.tests[0] if rule.tests else None
            if first is None or first.key not in _PLAIN_KEYS or first.needs is None:
                always.append(number)
                continue
            for literal in first.needs:
                gates.setdefault((first.key, literal), set()).add(number)
        # Short fields first, so a body is scanned only for what the rest did not settle.
        by_key: dict[str, list[_Gate]] = {}
        for (key, literal), numbers in gates.items():
            by_key.setdefault(key, []).append(_Gate(literal, _probe(literal), frozenset(numbers)))
        ordered = sorted(
            ((key, found, scanners[key]) for key, found in by_key.items()),
            key=lambda gate: _COST[gate[0]],
        )
        short_keys = tuple(key for key, _, _ in ordered if key != "content")
        short = None
        if len(short_keys) >= 2:
            # Every literal any test looks for in them: a field found to hold none is
            # skipped by every test of the entry, not only by the gates.
            short = _Scanner({lit for key in short_keys for lit in scanners[key].literals}).find
        if short is None:
            short_keys = ()
        return cls(ordered, frozenset(always), tuple(always), short_keys, short)


class _Gate(NamedTuple):
    """One literal the prefilter looks for in a field, and the rules it lets through."""

    literal: str
    probe: str
    numbers: frozenset[int]


def _collapsed_finder(literal: str) -> re.Pattern[str]:
    """A pattern found in a text exactly when `literal` is in that text once its whitespace
    runs are collapsed to one space and its ends stripped (what rules see of a body).

    Linear on any text: each whitespace run is entered at its start only (after a word or
    a non-space), so no run is walked from each of its positions."""
    if any(ch.isspace() and ch != " " for ch in literal) or "  " in literal:
        return re.compile(r"(?!)")  # collapsed text holds single spaces only
    parts = literal.split(" ")
    words = [re.escape(part) for part in parts if part]
    if not words:
        return re.compile(r"\S\s+\S")
    body = r"\s+".join(words)
    if not parts[0]:
        body = r"(?<=\S)\s+" + body
    if not parts[-1]:
        body += r"\s+(?=\S)"
    return re.compile(body)


_FEED_KEYS = frozenset(("feed", "folder"))
_COST = {"feed": 0, "folder": 1, "category": 2, "author": 3, "title": 4, "link": 5, "content": 6}
"""The order a rule's keys are tried in: short texts before the body."""

_COMMON = frozenset("abcdefghijklmnopqrstuvwxyz .,'")
"""Characters nearly every English text has; any other one in a literal (a digit, a
hyphen, a rare letter) is looked for alone first: one `in` for a single character is a
memchr, tens of times faster than looking for the literal."""

_PROBES: dict[str, str] = {}


def _probe(literal: str) -> str:
    """The character of `literal` to look for first ("" when all are common)."""
    probe = _PROBES.get(literal)
    if probe is None:
        rare = [ch for ch in literal if ch not in _COMMON]
        probe = _PROBES[literal] = min(rare, key=_RARITY.get) if rare else ""  # type: ignore[arg-type]
    return probe


_RARITY = {ch: (0 if not ch.isalpha() else 1) for ch in map(chr, range(0x110))}


class _Scanner:
    """All the literals rules look for in one field, found in one pass when the optional
    Aho-Corasick matcher (ahocorasick-rs) is installed: for a body of a few kilobytes that
    is several times faster than one `in` per literal, and most entries hold none."""

    def __init__(self, literals: Iterable[str]) -> None:
        self.literals = sorted(literals)
        self.find: Any = None
        """Non-overlapping leftmost-first matches of the literals in a text (None: no
        scanner); an empty answer means none of them is there. Raises UnicodeEncodeError
        on a text holding a lone surrogate: then `holds_any` answers."""
        self._bytes: list[Any] = []
        if len(self.literals) >= 2:
            try:
                import ahocorasick_rs

                self._bytes = [find for _, find in _matchers(self.literals)]
            except ImportError:  # pragma: no cover - the fallback is one `in` per literal
                return
            if len(self.literals) <= _GROUP:
                # On a title or a link a str matcher answers sooner than encoding the text.
                self.find = ahocorasick_rs.AhoCorasick(
                    self.literals,
                    matchkind=ahocorasick_rs.MatchKind.LeftmostFirst,
                    implementation=ahocorasick_rs.Implementation.ContiguousNFA,
                ).find_matches_as_indexes
            else:
                self.find = self.holds_any

    def holds_any(self, text: str) -> bool:
        """Whether `text` holds one of the literals (any text: lone surrogates too)."""
        data = text.encode(errors="surrogatepass")
        return any(find(data) for find in self._bytes)


_RUN_STARTS = ("  ", "\xa0", " \xa0")
"""How a whitespace run other than one space starts in a scanned body, where every ASCII
whitespace character is a space (two of them, a no-break space, a space and then one):
looked for after a literal's leading words, in the same pass (a few patterns per literal,
so the pass keeps its fast prefilter)."""
_LOWER_AND_SPACE = bytes.maketrans(
    bytes(range(ord("A"), ord("Z") + 1)) + b"\t\n\r\x0b\x0c\x1c\x1d\x1e\x1f",
    bytes(range(ord("a"), ord("z") + 1)) + b" " * 9,
)
"""UTF-8 bytes lower-cased (ASCII letters, the only ones the literals hold) and every
ASCII whitespace character made a space, in one `translate`: a phrase broken by one line
break is then found as it is."""
_WIDE_RUNS = tuple("\x85\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008")
_WIDE_RUNS += tuple("\u2009\u200a\u2028\u2029\u202f\u205f\u3000")
"""The whitespace characters beyond ASCII but the no-break space (with those, all there
are): a body holding one has its literals with spaces looked for across runs. A test
tries a phrase rule across every `str.isspace` character."""
_FOLD_TO_ASCII = ("\u0130", "\u0131", "\u017f", "\u212a")
"""The characters whose case-folding (`_folded`) is an ASCII letter (İ ı ſ and the Kelvin
sign): a body holding one is lower-cased as text, not as bytes."""


def _special_finder() -> Any:
    """Finds `_WIDE_RUNS` and `_FOLD_TO_ASCII` in a non-ASCII body's UTF-8 in one pass
    (several `in` on bytes would cost 5 us each). A pass of its own: in the literals' pass
    their first bytes (those of curly quotes and dashes too) would stop its prefilter at
    every quote."""
    import ahocorasick_rs

    return ahocorasick_rs.BytesAhoCorasick(
        [ch.encode() for ch in _WIDE_RUNS + _FOLD_TO_ASCII] + list(_NEVER_IN_UTF8),
        matchkind=ahocorasick_rs.MatchKind.LeftmostFirst,
    ).find_matches_as_indexes


class _SpacedScanner:
    """The body's literals found in its text before its whitespace runs are collapsed (a
    refresh's index text), with the same answers as in the collapsed text: collapsing
    costs ~80 us for a 6.6 KB body, more than the rest of the rules together, and a body
    no rule is tried on in full never needs it.

    The body is scanned as UTF-8 bytes, lower-cased and with every ASCII whitespace
    character made a space in one `translate` (`_LOWER_AND_SPACE`):
    str methods on a body holding one curly quote run several times slower. A literal
    without whitespace is there exactly when it is in the collapsed text. A literal of
    words one space apart is there as it is, or across a run that is not one space; the
    first such run follows the literal's leading words, so one Aho-Corasick pass (which
    keeps its fast prefilter) looks for the literals and for each leading part followed by
    a run start (`_RUN_STARTS`); the rare other whitespace (`_WIDE_RUNS`) is looked for in
    a second pass, only in a body that is not ASCII. Only when something is found
    is a literal looked for exactly, across runs: where its leads were found
    (`_exact_finder`), else in the whole text (`_collapsed_finder`); one with other
    whitespace (leading, trailing, doubled, a tab) always is."""

    def __init__(self, literals: Iterable[str]) -> None:
        self.literals = frozenset(literals)
        self.finders = {
            literal: _collapsed_finder(literal)
            for literal in self.literals
            if any(ch.isspace() for ch in literal)
        }
        self.loose = frozenset(
            literal for literal in self.finders if literal != " ".join(literal.split())
        )
        owners: dict[str, list[str]] = {}
        """Each pattern, and the literals it is (itself) or may be (its leading words and
        the start of a run)."""
        for literal in sorted(self.literals - self.loose):
            owners[literal] = [literal]
            words = literal.split()
            for count in range(1, len(words)):
                lead = " ".join(words[:count])
                for start in _RUN_STARTS:
                    owners.setdefault(lead + start, []).append(literal)
        self.patterns = list(owners)
        self.owners = [tuple(owned) for owned in owners.values()]
        self.groups: list[tuple[int, Any]] = []
        """(index of its first pattern, matcher) for each group of patterns (see
        `_matchers`): non-overlapping leftmost-first matches of the group's patterns in
        UTF-8 text, (index in the group, start, end) in bytes."""
        self.hidden_by: list[frozenset[int]] = []
        """For each pattern, the others of its group that may occur starting inside a
        match of it, which leftmost-first matching does not report (most have none)."""
        for first in range(0, len(self.patterns), _GROUP):
            self.hidden_by += _hidden_by(self.patterns[first : first + _GROUP], first)
        self.encoded = [pattern.encode() for pattern in self.patterns]
        self.exact = {
            literal: _exact_finder(literal) for literal in self.finders if literal not in self.loose
        }
        """For each literal of words one space apart, its words across any run of the
        scanned bytes' whitespace, matched where one of its leads was found."""
        try:
            self.groups = _matchers(self.patterns)
            self.special = _special_finder()
        except ImportError:  # pragma: no cover - then every literal is looked for
            self.groups = []
        self.usable = bool(self.groups) or not self.patterns

    def scan(self, raw: str) -> _SpacedFound:
        """Which literals the body `raw` holds once case-folded and collapsed, as far as
        one pass tells."""
        if not self.usable:  # pragma: no cover - without ahocorasick-rs
            return _SpacedFound(raw, set(), set(self.literals), self.finders)
        maybe = set(self.loose)
        data = raw.encode(errors="surrogatepass")
        wide = False
        if len(data) != len(raw):
            special = {index for index, _, _ in self.special(data)}
            if any(index >= len(_WIDE_RUNS) for index in special):
                data = _folded(raw).encode(errors="surrogatepass")
            wide = any(index < len(_WIDE_RUNS) for index in special)
            if self.finders and wide:
                maybe.update(self.finders)
        data = data.translate(_LOWER_AND_SPACE)
        present: set[str] = set()
        starts: dict[str, list[int]] = {}
        unsure: set[str] = set()
        patterns, encoded, owners = self.patterns, self.encoded, self.owners
        for base, find in self.groups:
            found = find(data)
            if not found:
                continue
            places: dict[int, list[int]] = {}  # where each reported pattern was found
            for index, start, _ in found:
                places.setdefault(base + index, []).append(start)
            reported = places.keys()
            hideable = set().union(*(self.hidden_by[index] for index in reported))
            hidden = hideable - reported
            spans = [(start, end) for _, start, end in found[:_SPANS_LOOKED_IN]]
            for index in reported | hidden:
                if index in hidden:
                    # Leftmost-first reports no overlaps: a pattern that is there but not
                    # reported starts inside a reported match (past a few matches, one
                    # look through the whole text costs less).
                    pattern = encoded[index]
                    if len(found) > _SPANS_LOOKED_IN:
                        if pattern not in data:
                            continue
                    else:
                        width = len(pattern) - 1
                        if all(data.find(pattern, start, end + width) < 0 for start, end in spans):
                            continue
                owned = owners[index]
                if owned[0] == patterns[index]:
                    present.add(owned[0])
                    continue
                maybe.update(owned)
                if index in hideable:
                    unsure.update(owned)  # some of its places may not be reported
                    continue
                for literal in owned:
                    starts.setdefault(literal, []).extend(places[index])
        # Where every place a literal may start is known, it is looked for there alone
        # (across the runs `_exact_finder` knows: not past wide whitespace).
        known = {
            literal: at
            for literal, at in starts.items()
            if literal not in unsure and len(at) <= _PLACES_LOOKED_AT
        }
        found_in = _Places(data, known, self.exact) if known and not wide else None
        return _SpacedFound(raw, present, maybe - present, self.finders, found_in)


_GROUP = 60
"""Patterns per Aho-Corasick matcher: with `_NEVER_IN_UTF8` added, at most 64, the most
its fastest prefilter (Teddy, SIMD) takes; past that a matcher has none and is ten times
slower on a body."""
_NEVER_IN_UTF8 = (b"\xfc\xfc\xfc", b"\xfd\xfd\xfd", b"\xfe\xfe\xfe", b"\xff\xff\xff")
"""Patterns that never match (no UTF-8 text holds these bytes), added to every matcher.
Without them, the patterns of a few rules that start with the same letters (every lead
of "election night" starts with "e") make the matcher choose a prefilter that stops at
each of those letters, and a body of 6.6 KB takes 8 us, not 1.5: four more first bytes
and rare bytes rule those prefilters out and leave Teddy. `bench/rules_bench.py`."""


def _matchers(patterns: Sequence[str]) -> list[tuple[int, Any]]:
    """One leftmost-first matcher per `_GROUP` patterns, each with `_NEVER_IN_UTF8`, for
    UTF-8 text (the patterns are ASCII: see `_literals`)."""
    import ahocorasick_rs

    encoded = [pattern.encode() for pattern in patterns]
    return [
        (
            first,
            ahocorasick_rs.BytesAhoCorasick(
                [*encoded[first : first + _GROUP], *_NEVER_IN_UTF8],
                matchkind=ahocorasick_rs.MatchKind.LeftmostFirst,
                implementation=ahocorasick_rs.Implementation.ContiguousNFA,
            ).find_matches_as_indexes,
        )
        for first in range(0, len(encoded), _GROUP)
    ]


def _hidden_by(patterns: Sequence[str], first: int) -> list[frozenset[int]]:
    """For each of one matcher's patterns, the others that can occur starting inside an
    occurrence of it (at its first character or later): what follows that start in both
    agrees as far as both go. Numbered from `first`. Only patterns whose first character
    is the one at that start are compared."""
    by_first: dict[str, list[int]] = {}
    for number, pattern in enumerate(patterns):
        by_first.setdefault(pattern[0], []).append(number)
    hidden: list[frozenset[int]] = []
    for number, pattern in enumerate(patterns):
        found: set[int] = set()
        for offset, char in enumerate(pattern):
            rest = pattern[offset:]
            for other in by_first.get(char, ()):
                if other != number and other not in found:
                    candidate = patterns[other]
                    if rest.startswith(candidate) or candidate.startswith(rest):
                        found.add(other)
        hidden.append(frozenset(first + other for other in found))
    return hidden


_SPANS_LOOKED_IN = 4
"""Up to this many matches, a pattern not reported is looked for inside each of them."""
_PLACES_LOOKED_AT = 8
"""Up to this many places a literal may start, it is matched at each of them; past that,
one search of the whole body costs less."""


def _exact_finder(literal: str) -> re.Pattern[bytes]:
    """`literal` (words one space apart) in scanned bytes (`_LOWER_AND_SPACE`: the only
    whitespace left is the space and the no-break space, when the body holds no
    `_WIDE_RUNS`), its words across any run of them. Possessive: linear in the run."""
    run = rb"(?: |\xc2\xa0)++"
    return re.compile(run.join(re.escape(word.encode()) for word in literal.split(" ")))


class _Places(NamedTuple):
    """Where, in one body's scanned bytes, literals may start (each place reported by the
    scan, so no other place holds them)."""

    data: bytes
    starts: dict[str, list[int]]
    exact: dict[str, re.Pattern[bytes]]

    def holds(self, literal: str) -> bool | None:
        """Whether the body holds `literal`, or None when its places are not known."""
        at = self.starts.get(literal)
        if at is None:
            return None
        match = self.exact[literal].match
        data = self.data
        return any(match(data, start) is not None for start in at)


class _SpacedFound:
    """One body's scan by `_SpacedScanner`: literals there for sure, and the ones that may
    be (each settled once, when a rule needs it)."""

    __slots__ = ("empty", "finders", "folded", "maybe", "places", "present", "raw")

    def __init__(
        self,
        raw: str,
        present: set[str],
        maybe: set[str],
        finders: dict[str, re.Pattern[str]],
        places: _Places | None = None,
    ) -> None:
        self.raw = raw
        self.places = places
        """Where the literals that may be there can start, for those where it is known."""
        self.folded: str | None = None
        """The body case-folded, made when a literal that may be there is looked for."""
        self.present = present
        self.maybe = maybe
        self.finders = finders
        self.empty = not present and not maybe

    def holds(self, literal: str) -> bool:
        """Whether the collapsed body holds `literal` (one of the scanner's literals)."""
        if literal in self.present:
            return True
        if literal not in self.maybe:
            return False
        self.maybe.discard(literal)
        there_at = None if self.places is None else self.places.holds(literal)
        if there_at is not None:
            if there_at:
                self.present.add(literal)
            return there_at
        text = self.folded
        if text is None:
            raw = self.raw
            text = self.folded = raw.lower() if raw.isascii() else _folded(raw)
        finder = self.finders.get(literal)
        if finder is None:
            there = literal in text
        else:
            # Words one space apart found as they are are there; else across runs.
            plain = literal == " ".join(literal.split())
            there = (plain and literal in text) or finder.search(text) is not None
        if not there:
            return False
        self.present.add(literal)
        return True


class _Texts:
    """One entry's text fields, lower-cased when first needed, and which literals they
    hold (each looked for once)."""

    __slots__ = ("absent", "collapsed", "facts", "folded", "seen", "spaced")

    def __init__(self, facts: EntryFacts) -> None:
        self.facts = facts
        self.absent: set[str] = set()
        """Fields known to hold none of the rules' literals."""
        self.folded: dict[str, tuple[str, bool]] = {}
        self.seen: dict[tuple[str, str], bool] = {}
        self.collapsed: str | None = None
        self.spaced: _SpacedFound | None = None
        """The body's scan, when it came with its whitespace runs (`_SpacedScanner`)."""

    def raw(self, key: str) -> str:
        """The field as rules see it: the body with its whitespace runs collapsed."""
        if key != "content" or not self.facts.content_spaced:
            return str(getattr(self.facts, key))
        if self.collapsed is None:
            self.collapsed = " ".join(self.facts.content.split())
        return self.collapsed

    def text(self, key: str) -> tuple[str, bool]:
        """The field lower-cased, and whether that kept its length."""
        cached = self.folded.get(key)
        if cached is None:
            raw = self.raw(key)
            if raw.isascii():
                cached = self.folded[key] = (raw.lower(), True)
            else:
                lowered = _folded(raw)
                cached = self.folded[key] = (lowered, len(lowered) == len(raw))
        return cached

    def holds(self, key: str, needs: tuple[str, ...]) -> bool:
        """Whether the folded field holds one of the literals."""
        if key in self.absent:
            return False
        if key == "content" and self.spaced is not None:
            return any(self.spaced.holds(literal) for literal in needs)
        seen = self.seen
        text = None
        for literal in needs:
            known = seen.get((key, literal))
            if known is None:
                if text is None:
                    text = self.text(key)[0]
                probe = _probe(literal)
                known = seen[(key, literal)] = (not probe or probe in text) and literal in text
            if known:
                return True
        return False


def _search_plain(test: _Test, texts: _Texts) -> str | None:
    """`_search` for one text field, fast: the literal prefilter first, then the
    case-sensitive twin of the pattern on the lower-cased text, which Python's `re`
    searches tens of times faster than a case-insensitive pattern."""
    if test.needs is not None and not texts.holds(test.key, test.needs):
        return None
    text, same_length = texts.text(test.key)
    raw = texts.raw(test.key)
    if test.lowered is not None and same_length:
        # A text shorter than the cap is searched whole, without a copy.
        found = test.lowered.search(text if len(text) <= test.cap else text[: test.cap])
    else:
        found = test.regex.search(raw[: test.cap])
    if found is None:
        return None
    return f"{test.key} matches /{test.regex.pattern}/: {_shown(raw, found)!r}"


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
