"""Rules: every match key and action, a dry run that equals the real run, "why", hidden
entries that stay restorable, user state left alone, and patterns that cannot hang."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from reader.cli import main
from reader.config import ConfigError, load_settings
from reader.rules import (
    EntryFacts,
    PatternError,
    RuleSet,
    RuleSpec,
    check_pattern,
    rule_from_dict,
)
from reader.store import Store
from tests.server import FixtureServer


def nr(capsys: pytest.CaptureFixture[str], data_dir: Path, *argv: str) -> tuple[int, str, str]:
    code = main(["--data-dir", str(data_dir), *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def write_config(data_dir: Path, text: str) -> None:
    (data_dir / "config.toml").write_text(text, encoding="utf-8")


RULES = """
[[rules]]
name = "no privacy"
action = "hide"
title = "glasses"

[[rules]]
name = "politics read"
action = "read"
content = "ice agents|leasing"

[[rules]]
name = "star discord"
action = "star"
title = "discord"
author = "staff"

[[rules]]
name = "later"
list = "Later"
feed = "signal desk"
link = "doppelg"
"""


# Patterns that cannot hang


@pytest.mark.parametrize(
    "pattern",
    ["(a+)+$", "(a*)*b", "(a|aa)*$", "(a?a?)+$", "(.*a){12}", r"(\w+)\s\1", ".*a.*b.*c"],
)
def test_catastrophic_patterns_are_refused(pattern: str) -> None:
    with pytest.raises(PatternError):
        check_pattern(pattern)


def test_a_refused_pattern_is_a_config_error_naming_the_rule(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[[rules]]\nname = "bad"\naction = "hide"\ntitle = "(a+)+$"\n')
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    assert "rule 'bad': title: a repeat inside a repeat" in str(caught.value)
    assert "line 1" in str(caught.value)


def test_allowed_patterns_with_open_repeats_see_bounded_text() -> None:
    """`.*a.*b` is allowed (polynomial), on a text cut so its worst case stays small: a
    hostile 60,000-character body is matched in well under a second."""
    rules = RuleSet([rule_from_dict({"name": "x", "action": "hide", "content": ".*a.*b$"})])
    hostile = EntryFacts(content="a" * 60_000)
    started = time.perf_counter()
    assert rules.matches(hostile, time.time()) == []
    assert time.perf_counter() - started < 1.0
    assert rules.matches(EntryFacts(content="xx a yy b"), time.time())  # still works


def test_every_match_key_and_older_than_days() -> None:
    now = time.time()
    facts = EntryFacts(
        title="Big News",
        author="Ann Author",
        content="the body text",
        link="https://example.org/post/1",
        feed_url="https://example.org/feed.xml",
        feed_title="Example Daily",
        folder="News/World",
        categories=("Sport", "Tennis"),
        date=now - 10 * 86400,
    )
    cases = {
        "title": ("big", "small"),
        "author": ("^ann", "bob"),
        "content": ("body", "nothing"),
        "link": (r"example\.org/post", "other"),
        "feed": ("daily", "weekly"),  # the title ...
        "folder": ("^news/", "^world"),
        "category": ("^tennis$", "golf"),
    }
    for key, (good, bad) in cases.items():
        hit = RuleSet([rule_from_dict({"name": "r", "action": "hide", key: good})])
        miss = RuleSet([rule_from_dict({"name": "r", "action": "hide", key: bad})])
        [found] = hit.matches(facts, now)
        assert key in found.reason or "feed title" in found.reason
        assert miss.matches(facts, now) == [], key
    by_url = RuleSet([rule_from_dict({"name": "r", "action": "hide", "feed": "feed\\.xml"})])
    assert by_url.matches(facts, now)[0].reason.startswith("feed URL matches")
    old = RuleSet([rule_from_dict({"name": "r", "action": "read", "older_than_days": 7})])
    young = RuleSet([rule_from_dict({"name": "r", "action": "read", "older_than_days": 30})])
    assert "10 days old" in old.matches(facts, now)[0].reason
    assert young.matches(facts, now) == []
    # All keys of a rule must match.
    both = {"name": "r", "action": "hide", "title": "big", "author": "bob"}
    assert RuleSet([rule_from_dict(both)]).matches(facts, now) == []


# Through a real refresh


@pytest.fixture
def ruled(server: FixtureServer, data_dir: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    write_config(data_dir, RULES)
    assert nr(capsys, data_dir, "add", server.url("feed.xml"))[0] == 0
    return data_dir


def entries_json(capsys: pytest.CaptureFixture[str], data_dir: Path, *extra: str) -> list[dict]:
    code, out, _ = nr(capsys, data_dir, "entries", "--json", *extra)
    assert code == 0
    return list(json.loads(out))


def test_rules_apply_as_new_entries_are_stored(
    ruled: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = entries_json(capsys, ruled)
    titles = {row["title"]: row for row in rows}
    assert len(rows) == 4  # two about glasses are hidden
    assert not any("glasses" in title.lower() for title in titles)
    assert titles["ICE quietly leases offices nationwide"]["read"] is True
    assert titles["When Social Security Becomes Immigration Enforcement"]["read"] is True
    assert titles["Discord defaults every user to teen mode"]["starred"] is True
    assert titles["Doppelgänger matches faces to creators"]["read"] is False

    hidden = entries_json(capsys, ruled, "--hidden")
    assert sorted(row["title"] for row in hidden) == [
        "Meta weighed facial recognition for Ray-Ban glasses",
        "Smart glasses banned at Meta CEO's trial",
    ]
    # Hidden entries count nowhere.
    assert nr(capsys, ruled, "unread")[1] == "2\n"
    [later] = entries_json(capsys, ruled, "--list", "Later")
    assert later["title"] == "Doppelgänger matches faces to creators"

    # "why" names the rule and the reason; restore brings the entry back for good.
    entry_id = hidden[0]["id"]
    code, out, _ = nr(capsys, ruled, "why", str(entry_id))
    assert code == 0
    assert "rule 'no privacy' (hide" in out and "title matches /glasses/" in out
    assert "hidden" in out
    assert nr(capsys, ruled, "restore", str(entry_id))[1] == f"restored entry {entry_id}\n"
    assert len(entries_json(capsys, ruled)) == 5
    assert nr(capsys, ruled, "rules", "apply")[1] == "nothing to do\n"  # not hidden again
    assert len(entries_json(capsys, ruled, "--hidden")) == 1


def test_rules_only_touch_new_entries_unless_applied(
    server: FixtureServer, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert nr(capsys, data_dir, "add", server.url("feed.xml"))[0] == 0
    write_config(data_dir, RULES)
    assert nr(capsys, data_dir, "refresh")[0] == 0
    assert len(entries_json(capsys, data_dir)) == 6  # stored before the rules: untouched
    code, out, _ = nr(capsys, data_dir, "rules", "test")
    assert code == 0
    assert "no privacy: would hide 2 entries in 1 feed" in out.splitlines()
    assert "politics read: would mark read 2 entries in 1 feed" in out.splitlines()
    assert len(entries_json(capsys, data_dir)) == 6  # a dry run changes nothing
    code, out, _ = nr(capsys, data_dir, "rules", "apply", "no privacy")
    assert out == "no privacy: hid 2 entries in 1 feed\n"
    assert len(entries_json(capsys, data_dir)) == 4
    code, _, err = nr(capsys, data_dir, "rules", "test", "nope")
    assert code == 2 and "no rule named 'nope'" in err


def test_the_dry_run_is_exactly_what_apply_does(
    server: FixtureServer, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert nr(capsys, data_dir, "add", server.url("feed.xml"))[0] == 0
    assert nr(capsys, data_dir, "add", server.url("atom-full.xml"))[0] == 0
    write_config(data_dir, RULES)
    code, out, _ = nr(capsys, data_dir, "rules", "test", "--json")
    assert code == 0
    planned = json.loads(out)
    assert planned["entries"] >= 6 and planned["feeds"] == 2

    def state() -> dict[int, tuple[bool, bool, bool]]:
        with Store(data_dir / "newsreader.db") as store:
            rows = store._conn.execute("SELECT id, read, starred, hidden FROM entries")
            return {r[0]: (bool(r[1]), bool(r[2]), r[3] == 1) for r in rows}

    before = state()
    assert nr(capsys, data_dir, "rules", "apply")[0] == 0
    after = state()
    changed = {i for i in before if before[i] != after[i]}
    expected = {a["id"] for a in planned["actions"] if a["action"] != "list"}
    assert changed == expected
    for action in planned["actions"]:
        read, starred, hidden = after[action["id"]]
        assert {"hide": hidden, "read": read, "star": starred, "list": True}[action["action"]]
    with Store(data_dir / "newsreader.db") as store:
        listed = {e.id for e in store.rule_list_entries("Later")}
    assert listed == {a["id"] for a in planned["actions"] if a["action"] == "list"}
    # Applied once, there is nothing left to do.
    assert json.loads(nr(capsys, data_dir, "rules", "test", "--json")[1])["actions"] == []


def test_rules_never_override_what_a_person_set(
    server: FixtureServer, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert nr(capsys, data_dir, "add", server.url("feed.xml"))[0] == 0
    rows = {row["title"]: row["id"] for row in entries_json(capsys, data_dir)}
    ice = rows["ICE quietly leases offices nationwide"]
    discord = rows["Discord defaults every user to teen mode"]
    with Store(data_dir / "newsreader.db") as store:
        store.set_read(ice, True)
        store.set_read(ice, False)  # a person said: unread
        store.set_starred(discord, True)
        store.set_starred(discord, False)  # and: not starred
    write_config(data_dir, RULES)
    assert nr(capsys, data_dir, "rules", "apply")[0] == 0
    after = {row["id"]: row for row in entries_json(capsys, data_dir)}
    assert after[ice]["read"] is False
    assert after[discord]["starred"] is False


def test_the_fast_twin_of_a_pattern_matches_exactly_where_the_pattern_does() -> None:
    """Rules search lower-cased text with a case-sensitive twin of each pattern (tens of
    times faster); on texts full of case traps (Kelvin sign, long s, dotless i, sigma) the
    twin finds the same matches at the same places as the case-insensitive original."""
    import random
    import re

    from reader.rules import _checked, _folded, _lowered

    patterns = [
        r"election (?:night|results)",
        r"[A-Z]{2}\d",
        r"[^a-z ]+x",
        r"\bFoo\b",
        r"(?=ab)AB",
        r"[Z-a]",
        r"x[^B]y",
        r"\w+ing",
        r"[\w-]+k",
        r"[^\W\d]s",
        r"^Hello$",
        "sk|SIGMA",
    ]
    rng = random.Random(2)
    alphabet = "abcAXYZxyBK_-.\n0123[]^`ingWoRDéÉ\u212aſıσςΣ—"
    for pattern in patterns:
        original = re.compile(pattern, re.IGNORECASE)
        twin = _lowered(_checked(pattern)[1])
        assert twin is not None, pattern
        for _ in range(3000):
            text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))
            a, b = original.search(text), twin.search(_folded(text))
            assert (a and a.span()) == (b and b.span()), (pattern, text)
    assert _lowered(_checked("(?-i:Case)")[1]) is None  # inline flags: the original is used


def test_unread_json_per_feed_and_folder(
    server: FixtureServer, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert nr(capsys, data_dir, "add", server.url("feed.xml"), "--folder", "News/Tech")[0] == 0
    assert nr(capsys, data_dir, "add", server.url("atom-full.xml"), "--folder", "News")[0] == 0
    code, out, _ = nr(capsys, data_dir, "unread", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["unread"] == 6  # each story once
    assert sorted(feed["unread"] for feed in data["feeds"]) == [6, 6]
    assert data["folders"] == [
        {"folder": "News", "unread": 12},
        {"folder": "News/Tech", "unread": 6},
    ]


def test_a_rule_saved_from_the_tui_replaces_only_its_own_table(tmp_path: Path) -> None:
    from reader.rules_config import delete_rule, save_rule

    path = tmp_path / "config.toml"
    path.write_text(
        '# my settings\ntimeout = 5\n\n[[rules]]\n# keep this comment\nname = "a"\n'
        'action = "hide"\ntitle = "x"\n\n[[rules]]\nname = "b"\naction = "read"\n'
        'author = "y"\n\n[keys]\nsearch = "slash"\n'
    )
    spec = rule_from_dict({"name": "a2", "action": "star", "title": 'quote " and \\ back'})
    settings = save_rule(path, spec, replacing="a")
    assert [s.name for s in settings.rules] == ["a2", "b"]
    assert settings.rules[0].patterns == (("title", 'quote " and \\ back'),)
    assert settings.timeout == 5.0 and settings.keys == {"search": "slash"}
    text = path.read_text()
    assert text.startswith("# my settings\ntimeout = 5\n")
    new = rule_from_dict({"name": "c", "list": "Later", "older_than_days": 3})
    assert [s.name for s in save_rule(path, new).rules] == ["a2", "b", "c"]
    with pytest.raises(ConfigError):  # a file newsreader could not load is never written
        save_rule(path, rule_from_dict({"name": "b", "action": "hide", "title": "z"}), "a2")
    assert [s.name for s in load_settings(path).rules] == ["a2", "b", "c"]
    assert [s.name for s in delete_rule(path, "b").rules] == ["a2", "c"]


# The fast matcher says exactly what a plain case-insensitive search says


_AGREE_RULES = [
    {"name": "a", "action": "hide", "content": "giveaway|win a free"},
    {"name": "b", "action": "hide", "content": r"election (?:night|results)"},
    {"name": "c", "action": "star", "content": r"CVE-\d{4}-\d{4,}"},
    {"name": "d", "action": "read", "content": "away|way"},  # literals that overlap
    {"name": "e", "action": "read", "title": r"\brust\b", "content": "borrow checker"},
    {"name": "f", "action": "read", "title": r"v\d+\.\d+"},  # no useful literal
    {"name": "g", "action": "list", "list": "L", "author": "guest", "link": "youtube"},
    {"name": "h", "action": "notify", "feed": "desk", "title": "straße|ſtop"},
]

_AGREE_TEXTS = [
    "",
    "Nothing to see here at all, just words and more words " * 40,
    "A GIVEAWAY for readers" + " filler" * 300,
    "filler " * 500 + "win a FREE phone",
    "Election Night: the Election Results are in",
    "election nights and election resultss",
    "see cve-2024-12345 and CVE-2025-1",
    "giveawaway",  # "away" and "giveaway" overlap in "giveawaway"
    "Borrow Checker woes",
    "STRASSE Straße ſtop",
    "İstanbul ı dotless",
]


def _plain_hits(specs: list[dict[str, object]], facts: EntryFacts) -> list[str]:
    """Which rules a naive matcher (every key searched with re.IGNORECASE) would hit."""
    import re

    names = []
    for table in specs:
        ok = True
        for key in ("title", "author", "content", "link", "feed"):
            if key not in table:
                continue
            texts = [facts.feed_title, facts.feed_url] if key == "feed" else [getattr(facts, key)]
            pattern = re.compile(str(table[key]), re.IGNORECASE)
            ok = ok and any(pattern.search(text) for text in texts)
        if ok:
            names.append(str(table["name"]))
    return names


@pytest.mark.parametrize("scanner", [True, False], ids=["one-pass", "one-in-per-literal"])
def test_the_fast_matcher_agrees_with_a_plain_search(
    scanner: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whatever shortcuts the matcher takes (a literal prefilter, one pass for all literals
    when ahocorasick-rs is there, lower-cased twins of the patterns, feed keys tried once
    per feed), it hits exactly the rules a plain case-insensitive search would."""
    import builtins

    if not scanner:
        real_import = builtins.__import__

        def no_scanner(name: str, *args: object, **kwargs: object) -> object:
            if name == "ahocorasick_rs":
                raise ImportError(name)
            return real_import(name, *args, **kwargs)  # type: ignore[arg-type]

        monkeypatch.setattr(builtins, "__import__", no_scanner)
    rules = RuleSet([rule_from_dict(table) for table in _AGREE_RULES])
    now = time.time()
    checked = 0
    for body in _AGREE_TEXTS:
        for title in ("Rust v1.80 released", "STRASSE closed", "Which one", "ſtop now"):
            for author, link in (("Guest Writer", "https://youtube.com/x"), ("Ann", "")):
                facts = EntryFacts(
                    title=title,
                    author=author,
                    content=body,
                    link=link,
                    feed_url="https://desk.example/feed",
                    feed_title="The Desk",
                )
                got = [hit.rule.name for hit in rules.matches(facts, now)]
                assert got == _plain_hits(_AGREE_RULES, facts), (body[:40], title, author)
                checked += len(got)
    assert checked > 50  # the texts do hit rules, so the comparison means something


def test_a_refresh_worker_applies_the_rules_it_started_with(tmp_path: Path) -> None:
    """A parse worker's store holds the rules as they were when the refresh began; a rule
    saved meanwhile (from the TUI, another process) applies from the next refresh on."""
    from reader.models import Entry, ParsedFeed
    from reader.store import derive

    def hiding(word: str) -> list[RuleSpec]:
        return [rule_from_dict({"name": word, "action": "hide", "title": word})]

    with Store(tmp_path / "nr.db") as main_store, Store(tmp_path / "nr.db") as worker:
        feed, _ = main_store.add_feed("http://desk.example/feed")
        main_store.configure_rules(hiding("alpha"))
        worker.hold_rules()
        main_store.configure_rules(hiding("beta"))
        first = (Entry(key="1", title="Alpha news"), Entry(key="2", title="Beta news"))
        worker.apply_update(feed.id, derive(ParsedFeed("Desk", entries=first)))
        later = (Entry(key="3", title="Alpha again"), Entry(key="4", title="Beta again"))
        main_store.apply_update(feed.id, derive(ParsedFeed("Desk", entries=first + later)))
        shown = {entry.title for entry in main_store.list_entries(feed.id)}
    assert shown == {"Beta news", "Alpha again"}


def test_a_later_key_of_a_rule_is_found_in_a_short_field_no_gate_looks_at() -> None:
    """The short fields are first looked at together for every literal any rule needs in
    them; one found to hold none is skipped by every later test too, so those literals
    include the later keys' ones (here the title's, behind a category key)."""
    rules = RuleSet(
        [
            rule_from_dict({"name": "guests", "action": "read", "author": "guest"}),
            rule_from_dict({"name": "videos", "action": "read", "link": "youtube"}),
            rule_from_dict({"name": "quizzes", "action": "hide", "title": "quiz"}),
            rule_from_dict(
                {"name": "votes", "action": "star", "category": "politics", "title": "election"}
            ),
        ]
    )
    facts = EntryFacts(
        title="Election night",
        author="Ann",
        link="https://news.example/1",
        categories=("Politics",),
    )
    assert [hit.rule.name for hit in rules.matches(facts, 0)] == ["votes"]
    facts.title = "Budget night"
    assert rules.matches(facts, 0) == []
    facts.author, facts.link = "A guest", "https://youtube.example/v"
    assert [hit.rule.name for hit in rules.matches(facts, 0)] == ["guests", "videos"]
    facts.title = "Quiz: election night"
    assert [hit.rule.name for hit in rules.matches(facts, 0)] == [
        "guests",
        "videos",
        "quizzes",
        "votes",
    ]


def test_category_rules_work_at_refresh_and_over_stored_entries(
    server: FixtureServer, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Categories (RSS <category>, Atom category term) are stored with the entries, so a
    `category` rule hides at refresh, and `rules test` / `rules apply` find the entries
    stored before the rule existed."""
    assert nr(capsys, data_dir, "add", server.url("atom-full.xml"))[0] == 0
    write_config(data_dir, '[[rules]]\nname = "tech"\nlist = "Tech"\ncategory = "^tech$"\n')
    assert nr(capsys, data_dir, "add", server.url("feed.xml"))[0] == 0  # fetched: rules run
    tech = entries_json(capsys, data_dir, "--list", "Tech")
    assert sorted(row["title"] for row in tech) == [
        "Discord defaults every user to teen mode",
        "Doppelgänger matches faces to creators",
    ]
    code, out, _ = nr(capsys, data_dir, "rules", "test")
    assert code == 0
    assert out.splitlines()[0] == "tech: would put on Tech 2 entries in 1 feed"  # the Atom ones
    write_config(data_dir, '[[rules]]\nname = "privacy"\naction = "hide"\ncategory = "privacy"\n')
    code, out, _ = nr(capsys, data_dir, "rules", "apply")
    assert out == "privacy: hid 4 entries in 2 feeds\n"
    hidden = entries_json(capsys, data_dir, "--hidden")
    assert len(hidden) == 4 and all("glasses" in row["title"] for row in hidden)
    why = nr(capsys, data_dir, "why", str(hidden[0]["id"]))[1]
    assert "category matches /privacy/: 'Privacy'" in why


def test_a_content_rule_sees_the_body_as_one_line_of_words_at_refresh(tmp_path: Path) -> None:
    """The search index takes a new entry's words with its whitespace as it came, but a
    content rule still sees them joined by single spaces, as `rules test` and `rules apply`
    do on stored entries: a phrase broken over lines in the HTML matches."""
    from reader.models import Entry, ParsedFeed
    from reader.store import Store, derive

    with Store(tmp_path / "n.db") as store:
        store.configure_rules(
            [rule_from_dict({"name": "p", "action": "star", "content": "an affiliate link"})]
        )
        feed, _ = store.add_feed("http://shop.example/feed")
        body = "<p>This post has an\n   affiliate\tlink.</p>"
        parsed = derive(ParsedFeed("Shop", entries=(Entry(key="1", title="Deal", content=body),)))
        store.apply_update(feed.id, parsed)
        [entry] = store.list_entries(feed.id)
        assert entry.starred


def test_a_content_pattern_beyond_its_literal_sees_collapsed_whitespace_at_refresh(
    tmp_path: Path,
) -> None:
    """A rule's literal word is looked for in the body as it came (no collapse for entries
    it is not in), but the full pattern is tried on the body joined by single spaces."""
    from reader.models import Entry, ParsedFeed
    from reader.store import Store, derive

    with Store(tmp_path / "n.db") as store:
        store.configure_rules(
            [rule_from_dict({"name": "p", "action": "star", "content": "affiliate[ ]link"})]
        )
        feed, _ = store.add_feed("http://shop.example/feed")
        entries = (
            Entry(key="1", title="Deal", content="<p>An\n  affiliate\n\t link here.</p>"),
            Entry(key="2", title="Other", content="<p>An affiliate\n\nprogramme.</p>"),
        )
        store.apply_update(feed.id, derive(ParsedFeed("Shop", entries=entries)))
        starred = {entry.title for entry in store.list_entries(feed.id) if entry.starred}
        assert starred == {"Deal"}


_EVERY_SPACE = "".join(ch for ch in map(chr, range(0x110000)) if ch.isspace())


@pytest.mark.parametrize("space", list(_EVERY_SPACE), ids=lambda ch: f"U+{ord(ch):04X}")
def test_a_phrase_rule_matches_across_any_whitespace_in_a_refreshed_body(space: str) -> None:
    """A refresh hands rules the body with its whitespace as it came; a phrase rule must
    match it broken by any whitespace a collapse would join (alone, after a space, in a run,
    with a non-ASCII letter elsewhere), and must not match the words apart."""
    rules = RuleSet(
        [
            rule_from_dict({"name": "phrase", "action": "read", "content": "election night"}),
            rule_from_dict({"name": "word", "action": "read", "content": "giveaway"}),
        ]
    )
    for gap in (space, f" {space}", f"{space} ", f"{space}{space}\n"):
        for tail in ("", " café"):
            body = f"Polls close on election{gap}night.{tail}"
            hits = rules.matches(EntryFacts(content=body, content_spaced=True), 0)
            assert [hit.rule.name for hit in hits] == ["phrase"], (gap, tail)
            apart = f"An election{gap}then a quiet night.{tail}"
            assert not rules.matches(EntryFacts(content=apart, content_spaced=True), 0)


def test_refreshed_bodies_match_the_rules_their_collapsed_text_matches() -> None:
    """Literals that overlap one another, share leading words, start or end with spaces,
    or hold doubled spaces: on bodies made of their words and every kind of gap, the rules
    give the same hits (and the same reasons) on the body as it came as on its collapsed
    text, which is what `rules test` and `rules apply` see."""
    import random

    patterns = [
        "win a free",
        "win a",  # a prefix of another literal: both match where it starts
        "election",
        "a free",
        "free election",
        "election (?:night|results)",
        " election",
        "night ",
        "coupon  code",
        "x y z",
        r"\bfoo bar\b",
        "élection night",
        "bar baz|qux",
        "ok go",
    ]
    # Phrases that sort among the others, so the body's patterns span several matchers.
    patterns += [f"e{n:02d} f{n:02d}" for n in range(30)]
    rules = RuleSet([rule_from_dict({"name": p, "action": "read", "content": p}) for p in patterns])
    words = ["win", "a", "free", "election", "night", "results", "coupon", "code", "x", "y"]
    words += ["z", "foo", "bar", "baz", "qux", "élection", "Election", "ſree", "e07", "f07"]
    words += ["\ud800"]  # a lone surrogate, as JSON can carry
    words += ["wın", "o\u212a", "go"]  # fold to ASCII letters: "win", "ok"
    gaps = [" ", "  ", "\n", " \n ", "\t", "\r\n", "\xa0", "\u3000", "\x0b", ""]
    rng = random.Random(7)
    matched = 0
    # One literal starting inside another's match (found once, leftmost first) first.
    bodies = ["win a free election night", "so win a free\nelection", "a free election  results"]
    bodies.append("x y z " * 5 + "win a free election")  # and past a few matches
    # Leads found in more places than are looked at one by one.
    bodies.append("election\nday " * 12 + "election \n night")
    for _ in range(3000):
        body = "".join(rng.choice(gaps) + rng.choice(words) for _ in range(rng.randint(1, 9)))
        bodies.append(body + rng.choice(gaps))
    for body in bodies:
        spaced = rules.matches(EntryFacts(content=body, content_spaced=True), 0)
        collapsed = rules.matches(EntryFacts(content=" ".join(body.split())), 0)
        assert [(h.rule.name, h.reason) for h in spaced] == [
            (h.rule.name, h.reason) for h in collapsed
        ], repr(body)
        matched += bool(collapsed)
    assert matched > 1000  # the bodies do exercise the rules


@pytest.mark.parametrize(
    "body",
    [
        "a win  small, go win\xa0big",  # "win\xa0" hidden in "go win\xa0", "win  " not
        "go win\nbig, then a win\nsmall",  # every lead of "win big" hidden somewhere
        "a win\nsmall, win\n\tbig",  # the phrase at the second place its lead is
        "win \xa0 \n big",  # a run of every kind the scan keeps
        "win\u2003big, win\nsmall",  # wide whitespace: not matched place by place
        "win\nbig ",
        "win\nbigger",  # the regex, not the prefilter, decides a word's end
        "win\nsmall " * 20,  # many places: one search instead
    ],
)
def test_a_phrase_is_found_at_the_places_its_leads_were_found(body: str) -> None:
    """The scan tells where a phrase's leading words and a whitespace run were found, and
    the phrase is then matched there alone: whatever other matches hide, the hits equal
    those on the collapsed text."""
    rules = RuleSet(
        [
            rule_from_dict({"name": p, "action": "read", "content": p})
            for p in ("go win now", "win big", r"win bigger\b")
        ]
    )
    spaced = rules.matches(EntryFacts(content=body, content_spaced=True), 0)
    collapsed = rules.matches(EntryFacts(content=" ".join(body.split())), 0)
    assert [(h.rule.name, h.reason) for h in spaced] == [(h.rule.name, h.reason) for h in collapsed]


def test_a_refreshed_body_full_of_rule_phrases_is_matched_in_bounded_time() -> None:
    """A hostile body repeating the start of many rules' phrases (thousands of matches of
    one scan) costs each pattern at most one look through the body, not one per match."""
    words = [f"w{n:02d}" for n in range(60)]
    rules = RuleSet(
        [
            rule_from_dict({"name": f"r{n}", "action": "read", "content": f"{word} tail{n}"})
            for n, word in enumerate(words)
        ]
    )
    body = "".join(f"{word}  " for word in words) * 90  # ~54,000 characters
    started = time.perf_counter()
    for _ in range(10):  # a feed's worth of such entries
        assert rules.matches(EntryFacts(content=body, content_spaced=True), 0) == []
    assert time.perf_counter() - started < 1.0
    hit = rules.matches(EntryFacts(content=body + "w07\n tail7", content_spaced=True), 0)
    assert [h.rule.name for h in hit] == ["r7"]
