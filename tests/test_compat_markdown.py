"""Textual internals reader/ui/compat.py relies on: this fails loudly when an upgrade
changes any of them (then fix compat.py, not the callers)."""

from __future__ import annotations

import textual
from textual.app import App, ComposeResult
from textual.widgets import Markdown
from textual.widgets.markdown import MarkdownBlock

from reader.ui import compat
from reader.ui.widgets.article_view import markdown_parser, parse_markdown

SOURCE = "## A heading\n\nSee [the page](https://example.org/a?b=1) and [mail](mailto:x@y.z).\n"


class MarkdownApp(App[None]):
    def __init__(self) -> None:
        super().__init__()
        self.clicked: list[str] = []

    def compose(self) -> ComposeResult:
        yield Markdown(id="md", parser_factory=markdown_parser, open_links=False)

    def on_markdown_link_clicked(self, message: Markdown.LinkClicked) -> None:
        self.clicked.append(message.href)


def test_the_textual_version_compat_was_written_for() -> None:
    """Not a pin: a reminder to run this file's checks when Textual moves on."""
    assert textual.__version__.split(".")[0] == "8", textual.__version__


def test_markdown_internals_are_where_compat_expects_them() -> None:
    for name in ("_parse_markdown", "_table_of_contents", "_markdown", "_last_parsed_line"):
        assert hasattr(Markdown(), name), f"Markdown.{name} is gone"
    assert hasattr(Markdown(), "_theme"), "Markdown._theme is gone"
    assert callable(getattr(MarkdownBlock, "set_content", None))
    assert issubclass(compat.MarkdownHeader, MarkdownBlock)


async def test_blocks_built_from_tokens_carry_their_text_links_and_levels() -> None:
    app = MarkdownApp()
    async with app.run_test() as pilot:
        markdown = app.query_one("#md", Markdown)
        compat.begin_markdown_document(markdown, SOURCE)
        assert markdown.source == SOURCE  # the public property reads what compat wrote
        blocks = compat.build_markdown_blocks(markdown, parse_markdown(SOURCE))
        assert [type(b).__name__ for b in blocks] == ["MarkdownH2", "MarkdownParagraph"]
        heading, paragraph = blocks
        await markdown.mount_all(blocks)
        await pilot.pause()

        assert compat.heading_level(heading) == 2 and compat.heading_level(paragraph) == 0
        assert compat.block_text(heading) == "A heading"
        content = compat.block_content(paragraph)
        assert content is not None and content.plain == "See the page and mail."
        assert compat.content_links(content) == [
            (4, 12, "https://example.org/a?b=1"),
            (17, 21, "mailto:x@y.z"),
        ]

        toc = [(2, "A heading", heading.id)]
        compat.set_table_of_contents(markdown, toc)
        assert markdown.table_of_contents == toc

        # A click on a link is the block's `link` action: what content_links decodes.
        await paragraph.run_action("link('https://example.org/a?b=1')")
        await pilot.pause()
        assert app.clicked == ["https://example.org/a?b=1"]

        compat.set_block_content(paragraph, content[:3])
        await pilot.pause()
        assert compat.block_text(paragraph) == "See"
