"""The related-links pane: the article's related articles, then the links in its text."""

from __future__ import annotations

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

    def on_resize(self) -> None:
        width = self.scrollable_content_region.width
        if self.links and width != self._drawn_width:
            self._drawn_width = width
            links = tuple(self.links)
            self.show_links(links[: self.related_count], links[self.related_count :])

    def show_links(
        self,
        related: tuple[Link, ...],
        body: tuple[Link, ...],
        known: dict[str, bool] | None = None,
    ) -> None:
        if known is not None:
            self.known = known
        seen = {link.url for link in related}
        body = tuple(link for link in body if link.url not in seen)
        self.links = [*related, *body]
        self.related_count = len(related)
        width = self.scrollable_content_region.width or 40
        options: list[Option | None] = []
        for i, link in enumerate(self.links):
            if i == len(related) and body:
                if related:
                    options.append(None)  # a separator between the two groups
                options.append(Option(Content.from_markup("[dim]In the text[/]"), disabled=True))
            read = self.known.get(link.url)
            options.append(Option(link_prompt(i + 1, link, width, read), id=str(i)))
        self.set_options(options)
        self.border_subtitle = str(len(related)) if related else ""

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
