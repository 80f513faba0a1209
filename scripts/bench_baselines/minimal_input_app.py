"""Baseline: the smallest Textual app with one validated Input.

Started like the wizard (same interpreter, same environment, same terminal), it is
what "first frame", "peak memory" and "CPU per keystroke" are compared with.
"""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.validation import Regex
from textual.widgets import Input, Static

READY_TEXT = "Minimal baseline: one Input"


class MinimalInputApp(App[None]):
    def compose(self) -> ComposeResult:
        yield Static(READY_TEXT)
        # Validated on every change, like a wizard field's rule.
        yield Input(placeholder="+447400123456", validators=[Regex(r"\+?\d*")], id="phone")


if __name__ == "__main__":
    MinimalInputApp().run()
