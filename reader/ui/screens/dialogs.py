"""Modal dialogs: add a feed (with discovery and a preview), edit a feed, confirm.

Each is a framed box whose body scrolls when the terminal is short, with its buttons docked
below the body so they stay on screen; Tab scrolls the focused field into view. Text from
feeds (titles, URLs, errors) goes in as Content, never markup. Nothing here reads a clock, so
a dialog draws the same every time.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Button, Input, Label, OptionList, Select, Static, Switch
from textual.widgets.option_list import Option

from reader.models import Feed
from reader.service import FeedService, url_from_input
from reader.text import clean_line, counted, is_http_url

ResultT = TypeVar("ResultT")


class Dialog(ModalScreen[ResultT], Generic[ResultT]):
    """The frame every dialog shares: `#dialog` holds a scrolling `#dialog-body` and a
    `#dialog-buttons` row docked at its bottom. The screen gets `-short` (under 32 rows),
    `-medium` or `-tall` (48 and more): shorter terminals get tighter spacing (dialogs.tcss)."""

    VERTICAL_BREAKPOINTS = [
        (0, "-short"),
        (32, "-medium"),
        (48, "-tall"),
    ]

    @contextmanager
    def frame(self, title: str, hint: str, *buttons: Button) -> Iterator[VerticalScroll]:
        """Compose the body's widgets inside this; `buttons` go in the row below it (after
        the body, so Tab reaches them last)."""
        with Vertical(id="dialog") as box:
            box.border_title = Content(title)
            box.border_subtitle = Content(hint)
            with VerticalScroll(id="dialog-body") as body:
                body.can_focus = False  # Tab goes field to field; the body follows focus
                yield body
            with Horizontal(*buttons, id="dialog-buttons"):
                pass

    def on_mount(self) -> None:
        self.call_after_refresh(self.show_focused)

    def on_resize(self) -> None:
        self.call_after_refresh(self.show_focused)

    def show_focused(self) -> None:
        """Scroll the body so the focused field is in view, from the top: the first scroll,
        made before the first layout, can leave the body scrolled past the first field."""
        body = self.query_one("#dialog-body", VerticalScroll)
        body.scroll_home(animate=False, immediate=True)
        if self.focused is not None and body in self.focused.ancestors:
            body.scroll_to_widget(self.focused, animate=False, immediate=True)

    def scroll_to_center(self, widget: Widget, *args: Any, **kwargs: Any) -> None:
        """Bring the focused field into view at once (Tab, Shift+Tab): no animation, so
        the field is where it belongs in the very next frame (and in snapshots)."""
        kwargs.update(animate=False, immediate=True)
        kwargs.pop("speed", None)
        kwargs.pop("duration", None)
        super().scroll_to_center(widget, **kwargs)

    @on(Button.Pressed, "#dialog-cancel")
    def cancel(self) -> None:
        self.dismiss(None)


@dataclass(frozen=True, slots=True)
class AddRequest:
    """What the add dialog returns: the feed URL chosen and the folder to put it in."""

    url: str
    folder: str = ""


class AddFeedScreen(Dialog[AddRequest | None]):
    """Type a feed or page URL; Enter looks it up; pick a feed (previewed); Enter subscribes."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel", show=False)]

    def __init__(self, service: FeedService, folders: list[str]) -> None:
        super().__init__()
        self.service = service
        self.folders = folders
        self.found: list[str] = []

    def compose(self) -> ComposeResult:
        with self.frame(
            "Add a feed",
            "Enter: look up, then subscribe · Escape: cancel",
            Button("Look up", id="add-go", variant="primary"),
            Button("Cancel", id="dialog-cancel"),
        ):
            yield Label("Address of a feed, or of any web page that offers one")
            yield Input(placeholder="https://example.org/", id="add-url")
            yield Label("Folder (optional)")
            folder_hint = ", ".join(self.folders[:6])
            yield Input(placeholder=folder_hint or "e.g. News", id="add-folder")
            yield Static("", id="add-status")
            yield OptionList(id="add-found")
            yield Static("", id="add-preview")

    def on_mount(self) -> None:
        self.query_one("#add-found", OptionList).display = False

    def _status(self, text: str) -> None:
        self.query_one("#add-status", Static).update(Content(clean_line(text, 300)))

    @on(Button.Pressed, "#add-go")
    def go(self) -> None:
        """The button looks up, or subscribes once feeds were found and one is highlighted."""
        found = self.query_one("#add-found", OptionList)
        if found.display and found.highlighted is not None:
            found.action_select()
        else:
            self.look_up()

    @on(Input.Changed, "#add-url")
    def url_changed(self) -> None:
        self.query_one("#add-go", Button).label = "Look up"

    @on(Input.Submitted, "#add-url")
    @on(Input.Submitted, "#add-folder")
    def look_up(self) -> None:
        url = url_from_input(self.query_one("#add-url", Input).value)
        if not is_http_url(url):
            self._status("Type an http(s) address.")
            return
        self._status(f"Looking for feeds at {url} …")
        self.discover(url)

    @work(exclusive=True, group="discover", exit_on_error=False)
    async def discover(self, url: str) -> None:
        result = await self.service.discover(url)
        found = self.query_one("#add-found", OptionList)
        if not result.feeds:
            self._status(result.error or "No feed found there.")
            found.display = False
            return
        self.found = [feed.url for feed in result.feeds]
        found.set_options(
            Option(
                Content.from_markup(
                    "[b]$title[/] [dim]$kind · $url[/]",
                    title=clean_line(feed.title, 100) or "(untitled)",
                    kind=feed.kind,
                    url=clean_line(feed.url, 200),
                ),
                id=str(i),
            )
            for i, feed in enumerate(result.feeds)
        )
        found.display = True
        found.highlighted = 0
        found.focus()
        self.query_one("#add-go", Button).label = "Subscribe"
        count = len(result.feeds)
        plural = "s" if count != 1 else ""
        self._status(f"{count} feed{plural} found: Enter subscribes to the highlighted one.")

    @on(OptionList.OptionHighlighted, "#add-found")
    def found_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option.id is not None:
            self.preview(self.found[int(event.option.id)])

    @work(exclusive=True, group="preview", exit_on_error=False)
    async def preview(self, url: str) -> None:
        preview = self.query_one("#add-preview", Static)
        preview.update(Content("Loading a preview…"))
        parsed, error = await self.service.preview(url)
        if parsed is None:
            preview.update(Content(f"Preview failed: {clean_line(error or '', 200)}"))
            return
        lines = [Content.from_markup("[b]$t[/]", t=clean_line(parsed.title, 100) or url)]
        for entry in parsed.entries[:5]:
            lines.append(Content.from_markup("  • $t", t=clean_line(entry.title, 100)))
        if not parsed.entries:
            lines.append(Content("  (no entries yet)"))
        preview.update(Content("\n").join(lines))

    @on(OptionList.OptionSelected, "#add-found")
    def chosen(self, event: OptionList.OptionSelected) -> None:
        if event.option.id is None:
            return
        folder = self.query_one("#add-folder", Input).value
        self.dismiss(AddRequest(self.found[int(event.option.id)], folder))


@dataclass(frozen=True, slots=True)
class FeedEdit:
    """The settings the edit dialog returns."""

    title: str
    folder: str
    url: str
    full_article: str
    paused: bool
    refresh_minutes: int | None


class EditFeedScreen(Dialog[FeedEdit | None]):
    """A feed's own settings: title, folder, address, full-article mode, paused, interval."""

    BINDINGS = [
        Binding("escape", "dismiss(None)", "Cancel", show=False),
        Binding("ctrl+s", "save", "Save", show=False),
    ]

    def __init__(self, feed: Feed, user_title: str) -> None:
        super().__init__()
        self.feed = feed
        self.user_title = user_title

    def compose(self) -> ComposeResult:
        feed = self.feed
        with self.frame(
            "Feed settings",
            "Enter or ctrl+s: save · Escape: cancel",
            Button("Save", id="edit-save", variant="primary"),
            Button("Cancel", id="dialog-cancel"),
        ):
            yield Static(
                Content.assemble(
                    ("Feed: ", "dim"), clean_line(feed.title, 200) or clean_line(feed.url, 200)
                ),
                id="edit-which",
            )
            yield Label("Title (empty: the feed's own)")
            yield Input(self.user_title, id="edit-title")
            yield Label("Folder (levels separated by /)")
            yield Input(feed.folder, id="edit-folder")
            yield Label("Address")
            yield Input(feed.url, id="edit-url")
            yield Label("Refresh every N minutes (empty: the global setting)")
            minutes = "" if feed.refresh_minutes is None else str(feed.refresh_minutes)
            yield Input(minutes, id="edit-minutes", type="integer")
            yield Label("Full article from the page")
            yield Select(
                [
                    ("auto: when the feed gives only a summary", "auto"),
                    ("always", "always"),
                    ("never", "never"),
                ],
                value=feed.full_article,
                allow_blank=False,
                id="edit-mode",
            )
            with Horizontal(id="edit-paused-row"):
                yield Switch(feed.paused, id="edit-paused")
                yield Label("Paused (kept, not refreshed)")
            yield Static("", id="edit-status")

    @on(Input.Submitted)
    @on(Button.Pressed, "#edit-save")
    def action_save(self) -> None:
        url = self.query_one("#edit-url", Input).value.strip()
        if not is_http_url(url):
            status = self.query_one("#edit-status", Static)
            status.update(Content("The address must be http(s)."))
            self.query_one("#edit-url", Input).focus()
            return
        minutes_text = self.query_one("#edit-minutes", Input).value.strip()
        minutes = int(minutes_text) if minutes_text.isdigit() and int(minutes_text) > 0 else None
        mode = self.query_one("#edit-mode", Select).value
        self.dismiss(
            FeedEdit(
                title=self.query_one("#edit-title", Input).value.strip(),
                folder=self.query_one("#edit-folder", Input).value,
                url=url,
                full_article=str(mode) if isinstance(mode, str) else "auto",
                paused=self.query_one("#edit-paused", Switch).value,
                refresh_minutes=minutes,
            )
        )


def removal_question(title: str, entries: int, starred: int) -> str:
    """What `d` asks before removing a feed: plain text for ConfirmScreen, saying that the
    feed's starred entries go with it."""
    lines = [f"Remove {clean_line(title, 200)} and its {counted(entries, 'entry', 'entries')}?"]
    if starred:
        them = "it goes" if starred == 1 else "they go"
        lines.append(f"{counted(starred, 'of them is', 'of them are')} starred: {them} too.")
    lines.append("Nothing else is touched.")
    return "\n".join(lines)


class ConfirmScreen(Dialog[bool]):
    """A yes/no question; y / Enter says yes, n / Escape says no.

    `question` is plain text (line breaks kept) or Content; either way nothing in it is
    read as markup, so a feed title can go in as it is."""

    BINDINGS = [
        Binding("y,enter", "dismiss(True)", "Yes", show=False),
        Binding("n,escape", "dismiss(False)", "No", show=False),
    ]

    def __init__(
        self,
        question: str | Content,
        *,
        title: str = "Confirm",
        yes: str = "Yes",
        no: str = "No",
    ) -> None:
        super().__init__()
        if isinstance(question, Content):
            self.question = question
        else:
            lines = [clean_line(line, 500) for line in question.split("\n")]
            self.question = Content("\n").join(Content(line) for line in lines)
        self.title_text = title
        self.yes = yes
        self.no = no

    def compose(self) -> ComposeResult:
        with self.frame(
            self.title_text,
            "y: yes · n: no",
            Button(f"{self.yes} (y)", id="confirm-yes", variant="error"),
            Button(f"{self.no} (n)", id="confirm-no"),
        ):
            yield Static(self.question, id="confirm-question")

    @on(Button.Pressed, "#confirm-yes")
    def yes_pressed(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#confirm-no")
    def no_pressed(self) -> None:
        self.dismiss(False)
