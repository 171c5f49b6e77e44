"""Rules, hidden entries and changed stories in the TUI.

- The rules screen (K) lists the config's rules; a rule is edited in a dialog that shows a
  dry run over the store ("would hide 37 entries in 4 feeds", with titles) before it saves.
- The hidden-entries screen (X) lists what rules hid; w says why, u restores.
- The changes screen (C) shows what changed in an updated story: a word-level diff of its
  title and body, and its earlier versions, each readable.

Titles, reasons and story text are untrusted: they go in as Content, never markup. The
store is only called from thread workers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList, Select, Static
from textual.widgets.option_list import Option

from reader.config import ConfigError, Settings
from reader.models import Entry
from reader.rules import ACTIONS, MATCH_KEYS, PatternError, RuleSet, RuleSpec, rule_from_dict
from reader.rules_config import save_rule
from reader.store import CurrentText, PlannedAction, RuleHitRecord, Store, StoryVersion
from reader.text import clean_line, counted
from reader.ui.screens.dialogs import Dialog
from reader.versions import Change, body_text, word_diff

__all__ = [
    "ChangesScreen",
    "HiddenScreen",
    "RuleEditScreen",
    "RulesScreen",
    "change_content",
    "dry_run_text",
]

DRY_RUN_TITLES = 12
"""Titles a dry run lists in the editor (the count says how many there are in all)."""


def rule_text(spec: RuleSpec) -> str:
    """A rule in one line: what it does and what it matches."""
    keys = ", ".join(f"{key} ~ {pattern}" for key, pattern in spec.patterns)
    if spec.older_than_days is not None:
        keys += (", " if keys else "") + f"older than {spec.older_than_days:g} days"
    return f"{spec.name}: {spec.label} — {keys}"


def dry_run_text(spec: RuleSpec, planned: list[PlannedAction]) -> str:
    """What a dry run found, in words, with the first titles."""
    verbs = {"hide": "hide", "read": "mark read", "star": "star", "notify": "announce"}
    verb = verbs.get(spec.action, f"put on the list {spec.list_name}")
    if spec.action == "notify":
        return "Notify rules act on new entries only: nothing stored would change."
    if not planned:
        return "Would change nothing: no stored entry it matches would change."
    feeds = len({p.feed_id for p in planned})
    lines = [
        f"Would {verb} {counted(len(planned), 'entry', 'entries')}"
        f" in {counted(feeds, 'feed', 'feeds')}."
    ]
    for p in planned[:DRY_RUN_TITLES]:
        lines.append(
            f"• {clean_line(p.title, 90) or '(untitled)'} — {clean_line(p.feed_title, 40)}"
        )
    if len(planned) > DRY_RUN_TITLES:
        lines.append(f"… and {len(planned) - DRY_RUN_TITLES} more")
    return "\n".join(lines)


class RulesScreen(ModalScreen[None]):
    """The config's rules; Enter edits the highlighted one, n adds one, Escape closes."""

    BINDINGS = [
        Binding("escape,q", "dismiss", "Close", show=False),
        Binding("n", "new_rule", "New rule", show=False),
        Binding("e", "edit_rule", "Edit rule", show=False),
    ]

    def __init__(
        self,
        store: Store,
        settings: Settings,
        config_path: Path | None,
        *,
        on_saved: Callable[[Settings], None] | None = None,
    ) -> None:
        super().__init__()
        self.store = store
        self.settings = settings
        self.config_path = config_path
        self.on_saved = on_saved
        """Told the new settings each time a rule is saved."""

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="rules-body") as body:
            body.border_title = "Rules"
            body.border_subtitle = "Enter: edit (with a dry run) · n: new · Escape: close"
            yield OptionList(id="rules-list")
            yield Static(Content(""), id="rules-note")

    def on_mount(self) -> None:
        self._fill()
        self.query_one("#rules-list", OptionList).focus()

    def _fill(self) -> None:
        rules = self.query_one("#rules-list", OptionList)
        rules.clear_options()
        rules.add_options(Option(Content(rule_text(spec))) for spec in self.settings.rules)
        rules.display = bool(self.settings.rules)  # no empty frame above the note
        note = "" if self.settings.rules else "No rules yet: n adds one."
        if self.config_path is None:
            note += " (No config file: rules can be tried here but not saved.)"
        self.query_one("#rules-note", Static).update(Content(note.strip()))
        if self.settings.rules:
            rules.highlighted = 0

    @on(OptionList.OptionSelected, "#rules-list")
    def action_edit_rule(self) -> None:
        index = self.query_one("#rules-list", OptionList).highlighted
        if index is not None and index < len(self.settings.rules):
            self._edit(self.settings.rules[index])

    def action_new_rule(self) -> None:
        self._edit(None)

    def _edit(self, spec: RuleSpec | None) -> None:
        def saved(settings: Settings | None) -> None:
            if settings is not None:
                self.settings = settings
                self._fill()
                if self.on_saved is not None:
                    self.on_saved(settings)

        self.app.push_screen(RuleEditScreen(self.store, spec, self.config_path), saved)


class RuleEditScreen(Dialog[Settings | None]):
    """Edit one rule. Save runs the dry run first; a second Save (of the same rule, its
    effect seen) writes it to the config file and returns the new settings."""

    BINDINGS = [
        Binding("escape", "dismiss(None)", "Cancel", show=False),
        Binding("ctrl+t", "dry_run", "Dry run", show=False),
    ]

    def __init__(self, store: Store, spec: RuleSpec | None, config_path: Path | None) -> None:
        super().__init__()
        self.store = store
        self.spec = spec
        self.config_path = config_path
        self.seen: RuleSpec | None = None
        """The rule whose dry run is on screen: Save writes only a rule seen this way."""

    def compose(self) -> ComposeResult:
        spec = self.spec
        values = dict(spec.patterns) if spec else {}
        title = f"Rule {spec.name}" if spec else "New rule"
        with self.frame(
            title,
            "ctrl+t: dry run · Save: dry run, then save · Escape: cancel",
            Button("Dry run", id="rule-dry"),
            Button("Save", id="rule-save", variant="primary"),
            Button("Cancel", id="dialog-cancel"),
        ):
            # The dry run's result goes first, where it is seen whatever field has focus.
            yield Static(Content(""), id="rule-status")
            yield Label("Name")
            yield Input(spec.name if spec else "", id="rule-name")
            yield Label("Action")
            yield Select(
                [(action, action) for action in ACTIONS],
                value=spec.action if spec else "hide",
                allow_blank=False,
                id="rule-action",
            )
            yield Label("List name (for the list action)")
            yield Input(spec.list_name if spec else "", id="rule-list")
            for key in MATCH_KEYS:
                yield Label(f"{key.capitalize()} (regular expression, any case)")
                yield Input(values.get(key, ""), id=f"rule-{key}")
            yield Label("Older than (days)")
            days = spec.older_than_days if spec else None
            yield Input("" if days is None else f"{days:g}", id="rule-days")

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#rule-name", Input).focus()

    def _status(self, text: str) -> None:
        self.query_one("#rule-status", Static).update(Content(text))

    def current(self) -> RuleSpec | None:
        """The rule as the fields say, or None (the problem shown)."""
        table: dict[str, Any] = {"name": self.query_one("#rule-name", Input).value}
        action = str(self.query_one("#rule-action", Select).value)
        if action == "list":
            table["list"] = self.query_one("#rule-list", Input).value
        else:
            table["action"] = action
        for key in MATCH_KEYS:
            value = self.query_one(f"#rule-{key}", Input).value
            if value:
                table[key] = value
        days = self.query_one("#rule-days", Input).value.strip()
        if days:
            try:
                table["older_than_days"] = float(days)
            except ValueError:
                self._status("Older than: a number of days.")
                return None
        try:
            return rule_from_dict(table)
        except PatternError as exc:
            self._status(str(exc))
            return None

    @on(Button.Pressed, "#rule-dry")
    def action_dry_run(self) -> None:
        spec = self.current()
        if spec is not None:
            self._status("Trying the rule on every stored entry…")
            self.dry_run(spec)

    @work(thread=True, exclusive=True, exit_on_error=False)
    def dry_run(self, spec: RuleSpec) -> None:
        planned = self.store.rules_dry_run(RuleSet([spec]))
        self.app.call_from_thread(self._shown, spec, planned)

    def _shown(self, spec: RuleSpec, planned: list[PlannedAction]) -> None:
        self.seen = spec
        self._status(dry_run_text(spec, planned))
        self.query_one("#dialog-body", VerticalScroll).scroll_home(animate=False, immediate=True)

    @on(Button.Pressed, "#rule-save")
    def save_pressed(self) -> None:
        spec = self.current()
        if spec is None:
            return
        if spec != self.seen:
            self._status("Trying the rule on every stored entry…")
            self.dry_run(spec)
            return
        if self.config_path is None:
            self._status("There is no config file to save the rule in.")
            return
        try:
            settings = save_rule(self.config_path, spec, self.spec.name if self.spec else None)
        except ConfigError as exc:
            self._status(f"Not saved: {exc}")
            return
        self.dismiss(settings)


def why_text(hits: list[RuleHitRecord]) -> str:
    if not hits:
        return "No rule touched this entry."
    return "\n".join(
        f"Rule {hit.rule} ({(hit.list_name and 'list ' + hit.list_name) or hit.action}):"
        f" {clean_line(hit.reason, 300)}"
        for hit in hits
    )


class HiddenScreen(ModalScreen[int]):
    """Entries rules hid: w (or Enter) says why, u restores; returns how many were restored."""

    BINDINGS = [
        Binding("escape,q", "close", "Close", show=False),
        Binding("w", "why", "Why hidden", show=False),
        Binding("u", "restore", "Restore", show=False),
    ]

    def __init__(self, store: Store) -> None:
        super().__init__()
        self.store = store
        self.hidden: list[Entry] = []
        self.restored = 0

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="hidden-body") as body:
            body.border_title = "Hidden by rules"
            body.border_subtitle = "w or Enter: why · u: restore · Escape: close"
            yield OptionList(id="hidden-list")
            yield Static(Content("Reading…"), id="hidden-why")

    def on_mount(self) -> None:
        self.query_one("#hidden-list", OptionList).focus()
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False)
    def load(self) -> None:
        hidden = self.store.hidden_entries(limit=2000)
        self.app.call_from_thread(self._fill, hidden)

    def _fill(self, hidden: list[Entry]) -> None:
        self.hidden = hidden
        rows = self.query_one("#hidden-list", OptionList)
        rows.clear_options()
        rows.add_options(
            Option(
                Content(
                    f"{clean_line(e.title, 100) or '(untitled)'} — {clean_line(e.feed_title, 40)}"
                )
            )
            for e in hidden
        )
        rows.display = bool(hidden)  # no empty frame above the note
        note = "w: why it was hidden" if hidden else "No entry is hidden."
        self.query_one("#hidden-why", Static).update(Content(note))
        if hidden:
            rows.highlighted = 0

    def _highlighted(self) -> Entry | None:
        index = self.query_one("#hidden-list", OptionList).highlighted
        return self.hidden[index] if index is not None and index < len(self.hidden) else None

    @on(OptionList.OptionSelected, "#hidden-list")
    def action_why(self) -> None:
        entry = self._highlighted()
        if entry is not None and entry.id is not None:
            self.explain(entry.id)

    @work(thread=True, exclusive=True, exit_on_error=False)
    def explain(self, entry_id: int) -> None:
        hits = self.store.why(entry_id)
        self.app.call_from_thread(
            self.query_one("#hidden-why", Static).update, Content(why_text(hits))
        )

    def action_restore(self) -> None:
        entry = self._highlighted()
        if entry is not None and entry.id is not None:
            self.restore(entry.id)

    @work(thread=True, exclusive=True, exit_on_error=False)
    def restore(self, entry_id: int) -> None:
        if self.store.restore_entry(entry_id):
            self.restored += 1
        hidden = self.store.hidden_entries(limit=2000)
        self.app.call_from_thread(self._fill, hidden)

    def action_close(self) -> None:
        self.dismiss(self.restored)


def change_content(runs: list[Change]) -> Content:
    """Runs of words as Content: removals struck through in the error colour, additions
    in the success colour on its muted background (theme variables)."""
    parts: list[Content | tuple[str, str] | str] = []
    for index, run in enumerate(runs):
        if index:
            parts.append(" ")
        if run.kind == "removed":
            parts.append((run.text, "strike $text-error"))
        elif run.kind == "added":
            parts.append((run.text, "bold $text-success on $success-muted"))
        else:
            parts.append(run.text)
    return Content.assemble(*parts)


def _when(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).astimezone().strftime("%Y-%m-%d %H:%M")


SOURCE_LABELS = {"feed": "Feed's text", "page": "Page (reader mode)"}
"""Where a version's text came from, as the changes screen names it."""


@dataclass(frozen=True, slots=True)
class _Text:
    """A row of the changes screen: an earlier version, or the current text of a source."""

    label: str
    source: str
    title: str
    body: str
    short: str
    """The version and its time, for the diff's heading ("the version of …")."""


class ChangesScreen(ModalScreen[None]):
    """What changed in an updated story: the versions (Enter reads one) and the diff of the
    highlighted version against the next one from the same source (the feed's text with
    the feed's, the page reader mode read with the page's)."""

    BINDINGS = [Binding("escape,q,C", "dismiss", "Close", show=False)]

    def __init__(self, store: Store, entry: Entry) -> None:
        super().__init__()
        self.store = store
        self.entry = entry
        self.texts: list[_Text] = []

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="changes-body") as body:
            body.border_title = Content(f"What changed: {clean_line(self.entry.title, 60)}")
            body.border_subtitle = "↑ ↓ version · Enter: read it · Escape: close"
            yield OptionList(id="changes-versions")
            yield Static(Content("Reading the versions…"), id="changes-title")
            yield Static(Content(""), id="changes-diff")

    def on_mount(self) -> None:
        self.query_one("#changes-versions", OptionList).focus()
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False)
    def load(self) -> None:
        entry_id = self.entry.id or -1
        versions = self.store.entry_versions(entry_id)
        sources = [s for s in SOURCE_LABELS if any(v.source == s for v in versions)]
        current = [self.store.current_text(entry_id, source) for source in sources]
        texts = self._texts(versions, [c for c in current if c is not None])
        self.app.call_from_thread(self._fill, texts)

    @staticmethod
    def _texts(versions: list[StoryVersion], current: list[CurrentText]) -> list[_Text]:
        """Every version, oldest first, then the current text of each source that has
        versions, each row saying its source and when it was stored (a version was
        replaced when the next one of its source was stored)."""
        out = [
            _Text(
                f"{SOURCE_LABELS[v.source]} · version of {_when(v.seen)}",
                v.source,
                v.title,
                body_text(v.content or v.summary),
                f"the version of {_when(v.seen)}",
            )
            for v in versions
        ]
        for now in current:
            replaced = [v.replaced for v in versions if v.source == now.source]
            since = now.since or (replaced[-1] if replaced else None)
            when = f", since {_when(since)}" if since else ""
            out.append(
                _Text(
                    f"{SOURCE_LABELS[now.source]} · Current version{when}",
                    now.source,
                    now.title,
                    now.text,
                    f"the current version{when}",
                )
            )
        return out

    def _fill(self, texts: list[_Text]) -> None:
        self.texts = texts
        options = self.query_one("#changes-versions", OptionList)
        options.clear_options()
        versions = len(texts) - len({t.source for t in texts})
        options.display = bool(versions)  # no empty frame above the note
        if not versions:
            self.query_one("#changes-title", Static).update(
                Content("This story has not changed since it was read.")
            )
            return
        options.add_options(Option(Content(text.label)) for text in texts)
        options.highlighted = versions - 1  # the latest change

    def _next_of_source(self, index: int) -> int | None:
        """The row after `index` from the same source (None: `index` is a current text)."""
        source = self.texts[index].source
        return next(
            (i for i in range(index + 1, len(self.texts)) if self.texts[i].source == source),
            None,
        )

    @on(OptionList.OptionHighlighted, "#changes-versions")
    def show_change(self, event: OptionList.OptionHighlighted) -> None:
        index = event.option_index
        if index >= len(self.texts):
            return
        later = self._next_of_source(index)
        if later is None:
            self._read(index)
            return
        old, new = self.texts[index], self.texts[later]
        heading = Content.assemble(
            ("Title: ", "bold"), change_content(word_diff(old.title, new.title))
        )
        self.query_one("#changes-title", Static).update(heading)
        body = change_content(word_diff(old.body, new.body))
        what = f"{SOURCE_LABELS[old.source]} · changes from {old.short}\nto {new.short}\n\n"
        self.query_one("#changes-diff", Static).update(
            Content.assemble((what, "$text-muted"), body)
        )

    @on(OptionList.OptionSelected, "#changes-versions")
    def read_version(self, event: OptionList.OptionSelected) -> None:
        self._read(event.option_index)

    def _read(self, index: int) -> None:
        text = self.texts[index]
        self.query_one("#changes-title", Static).update(
            Content.assemble(("Title: ", "bold"), text.title)
        )
        self.query_one("#changes-diff", Static).update(
            Content.assemble((f"{text.label}\n\n", "$text-muted"), text.body)
        )
