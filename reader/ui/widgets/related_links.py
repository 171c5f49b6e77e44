"""The related-links pane: the article's related articles, then the links in its text."""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding
from textual.content import Content
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from reader.models import Link
from reader.text import clean_line


def short_url(url: str, width: int) -> str:
    """The target on one line, without its scheme; cut at the end when too long.

    The host comes first because it says most (same site or elsewhere); the full URL shows
    in the status line when the link is highlighted.
    """
    text = clean_line(url, 2000).removeprefix("https://").removeprefix("http://")
    if width < 8 or len(text) <= width:
        return text
    return text[: width - 1] + "…"


def link_prompt(number: int, link: Link, width: int = 80, read: bool | None = None) -> Content:
    """`n. Title` then the target (and a teaser when the page gave one).

    `read` says whether the link is an entry in the store: ● unread, ✓ read, None: not stored.
    """
    title = clean_line(link.title, 300) or clean_line(link.url, 300)
    state = {None: "", False: " [$accent]●[/]", True: " [dim]✓ read[/]"}[read]
    prompt = Content.from_markup(
        "[dim]$n.[/] [b]$title[/]" + state + "\n   [dim]$url[/]",
        n=str(number),
        title=title,
        url=short_url(link.url, width - 4),
    )
    teaser = clean_line(link.text, 200)
    if teaser and link.kind == "related":
        prompt = prompt + Content.from_markup("\n   [i]$teaser[/]", teaser=teaser)
    return prompt


@dataclass(frozen=True)
class LinkOptions:
    """The pane's rows, built off the event loop (`link_options` is pure)."""

    links: tuple[Link, ...]
    related_count: int
    known: dict[str, bool]
    width: int
    options: tuple[Option | None, ...]


def link_options(
    related: tuple[Link, ...], body: tuple[Link, ...], known: dict[str, bool], width: int
) -> LinkOptions:
    """Related links, then the body's links not already among them, as option rows for a
    pane `width` columns wide: about a millisecond per 10 links, so a worker does it."""
    seen = {link.url for link in related}
    body = tuple(link for link in body if link.url not in seen)
    links = (*related, *body)
    options: list[Option | None] = []
    for i, link in enumerate(links):
        if i == len(related) and body:
            if related:
                options.append(None)  # a separator between the two groups
            options.append(Option(Content.from_markup("[dim]In the text[/]"), disabled=True))
        options.append(Option(link_prompt(i + 1, link, width, known.get(link.url)), id=str(i)))
    return LinkOptions(links, len(related), known, width, tuple(options))


class RelatedLinks(OptionList):
    """Related links first, then body links; the option id is the link's index."""

    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
    ]

    class LinkChosen(Message):
        """Enter on a link."""

        def __init__(self, link: Link) -> None:
            super().__init__()
            self.link = link

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.links: list[Link] = []
        self.related_count = 0
        self.known: dict[str, bool] = {}
        self._drawn_width = 0
        self.prompt_width = 40
        """The width rows are built for; a plain int, so a worker thread may read it."""

    def on_resize(self) -> None:
        width = self.scrollable_content_region.width
        if width:
            self.prompt_width = width
        if self.links and width != self._drawn_width:
            links = tuple(self.links)
            self.show_links(links[: self.related_count], links[self.related_count :])

    def show_links(
        self,
        related: tuple[Link, ...],
        body: tuple[Link, ...],
        known: dict[str, bool] | None = None,
    ) -> None:
        """Build the rows here (see `show_options` for rows built by a worker)."""
        known = self.known if known is None else known
        self.show_options(link_options(related, body, known, self.prompt_width))

    def show_options(self, prepared: LinkOptions) -> None:
        """Show rows built by `link_options` (rebuilt when built for another width)."""
        if prepared.width != self.prompt_width:
            prepared = link_options(
                prepared.links[: prepared.related_count],
                prepared.links[prepared.related_count :],
                prepared.known,
                self.prompt_width,
            )
        self.known = prepared.known
        self.links = list(prepared.links)
        self.related_count = prepared.related_count
        self._drawn_width = prepared.width
        self.set_options(prepared.options)
        self.border_subtitle = str(prepared.related_count) if prepared.related_count else ""

    @property
    def current_link(self) -> Link | None:
        option = self.highlighted_option
        if option is None or option.id is None:
            return None
        return self.links[int(option.id)]

    def on_focus(self) -> None:
        """Arriving by Tab, the cursor is on something Enter can act on."""
        if self.highlighted is None and self.option_count:
            self.action_first()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id is not None:
            self.post_message(self.LinkChosen(self.links[int(event.option.id)]))
