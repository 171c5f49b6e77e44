"""reader/ui/compat.py: the private Textual API newsreader leans on still works."""

from __future__ import annotations

from textual.app import App

from reader.ui.compat import keymap_in_force


async def test_keymap_in_force_reads_what_set_keymap_stored() -> None:
    app: App[None] = App()
    async with app.run_test():
        assert keymap_in_force(app) == {}
        app.set_keymap({"toggle-star": "*", "help": "?,f1"})
        assert keymap_in_force(app) == {"toggle-star": "asterisk", "help": "question_mark,f1"}
