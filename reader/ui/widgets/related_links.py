"""The related-links pane: the article's related articles, then the links in its text."""

from __future__ import annotations

from dataclasses import dataclass, field

from textual.binding import Binding
from textual.content import Content
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from reader.models import Link
from reader.text import is_http_url
from reader.ui.widgets.link_rows import Mark, legend, link_row
from reader.urls import host_of


@dataclass(frozen=True)
class LinkOptions:
    """The pane's rows, built off the event loop (`link_options` is pure)."""

    links: tuple[Link, ...]
    related_count: int
    known: dict[str, bool]
    width: int
    options: tuple[Option | None, ...]
    legend: Content = field(default_factory=Content)
    """What the marks in these rows mean (the pane's border subtitle)."""
    site: str = ""
    """The article's URL: links to other hosts are marked ↗."""


def link_mark(link: Link, known: dict[str, bool], site_host: str) -> Mark | None:
    """A story in the user's feeds is unread or read; otherwise a link to another site."""
    read = known.get(link.url)
    if read is not None:
        return "read" if read else "unread"
    if site_host and is_http_url(link.url) and host_of(link.url) != site_host:
        return "elsewhere"
    return None


def link_options(
    related: tuple[Link, ...],
    body: tuple[Link, ...],
    known: dict[str, bool],
    width: int,
    *,
    site: str = "",
) -> LinkOptions:
    """Related links, then the body's links not already among them, as option rows for a
    pane `width` columns wide (the width a prompt may use). `known` says which links are
    stories in the store (read or not); `site` is the article's URL, to mark links that
    leave its site. 200 links take a few milliseconds; a worker does it anyway."""
    seen = {link.url for link in related}
    body = tuple(link for link in body if link.url not in seen)
    links = (*related, *body)
    site_host = host_of(site) if site else ""
    marks = [link_mark(link, known, site_host) for link in links]
    mark_column = any(mark is not None for mark in marks)
    number_width = len(str(len(links)))
    options: list[Option | None] = []
    for i, link in enumerate(links):
        if i == len(related) and body:
            if related:
                options.append(None)  # a separator between the two groups
            options.append(Option(Content.styled("In the text", "dim"), disabled=True))
        row = link_row(
            i + 1,
            link,
            width,
            number_width=number_width,
            mark=marks[i],
            mark_column=mark_column,
        )
        options.append(Option(row, id=str(i)))
    key = legend(mark for mark in marks if mark is not None)
    return LinkOptions(links, len(related), known, width, tuple(options), key, site)


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
        self.site = ""
        self._drawn_width = 0
        self.prompt_width = 40
        """The width rows are built for; a plain int, so a worker thread may read it."""

    def on_resize(self) -> None:
        padding = self.get_component_styles("option-list--option").padding.width
        width = self.scrollable_content_region.width - padding
        if width > 0:
            self.prompt_width = width
        if self.links and self.prompt_width != self._drawn_width:
            highlighted = self.highlighted
            links = tuple(self.links)
            related, body = links[: self.related_count], links[self.related_count :]
            self.show_links(related, body, site=self.site)
            if highlighted is not None and highlighted < self.option_count:
                self.highlighted = highlighted

    def show_links(
        self,
        related: tuple[Link, ...],
        body: tuple[Link, ...],
        known: dict[str, bool] | None = None,
        *,
        site: str = "",
    ) -> None:
        """Build the rows here (see `show_options` for rows built by a worker)."""
        known = self.known if known is None else known
        self.show_options(link_options(related, body, known, self.prompt_width, site=site))

    def show_options(self, prepared: LinkOptions) -> None:
        """Show rows built by `link_options` (rebuilt when built for another width)."""
        if prepared.width != self.prompt_width:
            prepared = link_options(
                prepared.links[: prepared.related_count],
                prepared.links[prepared.related_count :],
                prepared.known,
                self.prompt_width,
                site=prepared.site,
            )
        self.known = prepared.known
        self.site = prepared.site
        self.links = list(prepared.links)
        self.related_count = prepared.related_count
        self._drawn_width = prepared.width
        self.set_options(prepared.options)
        self.border_subtitle = prepared.legend

    def clear_links(self) -> None:
        """No links (until the next article's are shown)."""
        self.links = []
        self.related_count = 0
        self.known = {}
        self.site = ""
        self.clear_options()
        self.border_subtitle = ""

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
