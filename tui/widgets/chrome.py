"""The parts every step shares: the step indicator, the sandbox banner and the
panel that explains an API error."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.widgets import Static

from tui.domain.errors import WizardError
from tui.widgets.text import LiveText
from tui.wizard.flow import STEPS


class StepIndicator(Static):
    """`✓ Account › 2 Number › 3 Voice …` with the current step highlighted.

    Narrower terminals first lose the arrows, then the other steps' names (only
    their numbers stay). Colours come from the component classes in styles.tcss.
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "step-indicator--current",
        "step-indicator--done",
        "step-indicator--todo",
        "step-indicator--separator",
    }

    def __init__(self, current: str, *, id: str | None = "step-indicator") -> None:
        super().__init__(id=id, markup=False)
        self.current = current
        self.done: set[str] = set()

    def set_done(self, done: set[str]) -> None:
        self.done = set(done)
        self.refresh()

    def render(self) -> Text:
        width = self.content_size.width or 78
        text = Text()
        for separator, compact in ((" › ", False), ("  ", False), (" › ", True)):
            text = self._text(separator=separator, compact=compact)
            if text.cell_len <= width:
                break
        return text

    def _text(self, *, separator: str, compact: bool) -> Text:
        style = self.get_component_rich_style
        text = Text(no_wrap=True, overflow="ellipsis")
        for index, step in enumerate(STEPS, start=1):
            if index > 1:
                text.append(separator, style=style("step-indicator--separator"))
            if step.id == self.current:
                text.append(f" {index} {step.title} ", style=style("step-indicator--current"))
            elif step.id in self.done:
                text.append("✓" if compact else f"✓ {step.title}", style=style("step-indicator--done"))
            else:
                text.append(
                    str(index) if compact else f"{index} {step.title}", style=style("step-indicator--todo")
                )
        return text


class SandboxBanner(Static):
    def __init__(self) -> None:
        super().__init__(
            "SANDBOX · nothing is bought, nothing is charged · offline Twilio emulator",
            id="sandbox-banner",
            markup=False,
        )


class ErrorPanel(LiveText):
    """An API or network error, in plain language with the code, link and next step."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("", id=id, classes="error-panel", markup=False)
        self.display = False

    def show(self, error: WizardError | None, *, title: str | None = None) -> None:
        if error is None:
            if not self.display:
                return  # called on every keystroke; a hidden panel needs no work
            self.display = False
            self.update("")
            return
        # Errors that explain themselves in several lines (Twilio's, a refused
        # credential check) say so with `lines()`.
        explain = getattr(error, "lines", None)
        lines = list(explain()) if callable(explain) else [str(error)]
        if title:
            lines.insert(0, title)
        self.update("\n".join(lines))
        self.display = True
