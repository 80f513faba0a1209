"""The "Test webhooks" panel: its button, and what each URL's test found, in plain
words (tui.domain.webhook_verdicts.verdict_lines, the lines `webhook check` prints).

The panel only presents: the step that holds it runs the test in a worker and
hands the verdicts over (tui/screens/webhook_testing.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, ClassVar

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical

from tui.widgets.controls import Button
from tui.widgets.text import LiveText

if TYPE_CHECKING:
    # The verdicts' module brings phonenumbers; a step imports it when it tests.
    from tui.domain.webhook_verdicts import WebhookVerdict

TEST_KEY = "ctrl+t"


class WebhookChecks(Vertical):
    """A "Test webhooks" button with a status beside it, an explanation with a
    "Test unsigned" button when the requests cannot be signed, and the verdicts."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "webhook-checks--satisfied",
        "webhook-checks--refused",
        "webhook-checks--problem",
        "webhook-checks--warning",
    }

    def __init__(self, what: str, *, id: str | None = None) -> None:
        """`what`: the URLs this panel tests, for its idle line ("the voice URLs")."""
        super().__init__(id=id, classes="webhook-checks")
        self.what = what
        self._reveal_when_resized = False

    def reveal(self) -> None:
        """Bring the panel into view after the next refresh, and again when its new
        content has been laid out: a panel that grows (the verdicts arrive) has its
        new size only after a layout, which may come after that refresh, and a
        scroll made before it falls short of the verdicts."""
        self._reveal_when_resized = True
        self.call_after_refresh(self._scroll_into_view)

    def on_resize(self) -> None:
        if self._reveal_when_resized:
            self._reveal_when_resized = False
            self._scroll_into_view()

    def _scroll_into_view(self) -> None:
        self.scroll_visible(top=True, animate=False)

    def compose(self) -> ComposeResult:
        with Horizontal(classes="webhook-checks-bar"):
            yield Button("Test webhooks", id="test-webhooks", compact=True)
            yield LiveText(self.idle_text(), id="webhook-checks-status", markup=False)
        with Horizontal(id="webhook-unsigned", classes="webhook-checks-unsigned"):
            yield LiveText("", id="webhook-unsigned-reason", markup=False)
            yield Button("Test unsigned", id="test-unsigned", compact=True)
        yield LiveText("", id="webhook-results", markup=False)

    def on_mount(self) -> None:
        # A subclass may compose no "Test unsigned" row (Textual runs every class's on_mount).
        for row in self.query("#webhook-unsigned"):
            row.display = False
        self.query_one("#webhook-results").display = False

    def idle_text(self) -> str:
        return f"Calls {self.what} the way Twilio will, signed, and says whether Twilio accepts the answer"

    # -- states ---------------------------------------------------------------

    def _status(self, text: str) -> None:
        self.query_one("#webhook-checks-status", LiveText).update(text)

    def _results(self, content: Text | str) -> None:
        results = self.query_one("#webhook-results", LiveText)
        results.update(content)
        results.display = bool(content)

    def _unsigned(self, reason: str | None) -> None:
        self.query_one("#webhook-unsigned").display = reason is not None
        if reason is not None:
            self.query_one("#webhook-unsigned-reason", LiveText).update(reason)

    def show_idle(self) -> None:
        self._unsigned(None)
        self._status(self.idle_text())
        self._results("")

    def show_nothing_to_test(self, reason: str, skipped: Iterable[str] = ()) -> None:
        self._unsigned(None)
        self._status(reason)
        self._results("\n".join(f"• {line}" for line in skipped))

    def ask_unsigned(self, reason: str) -> None:
        """The requests cannot be signed: say why and offer to test unsigned."""
        self._status("Not tested yet: the requests cannot be signed")
        self._unsigned(
            f"Not signed: {reason}. An application that validates X-Twilio-Signature "
            "will refuse the test; Twilio's own requests will be signed."
        )
        self._results("")

    def show_testing(self, count: int) -> None:
        self._unsigned(None)
        self._status(f"Testing {count} URL{'s' if count != 1 else ''}… (you can go on meanwhile)")
        self._results("")

    def show_stale(self) -> None:
        self._unsigned(None)
        self._status("The URLs changed since the last test: test again")
        self._results("")

    def show_failed(self) -> None:
        self._unsigned(None)
        self._status("The test stopped on an unexpected error (see above)")

    def show_verdicts(self, verdicts: Sequence[WebhookVerdict], skipped: Iterable[str] = ()) -> None:
        from tui.domain.webhook_verdicts import verdict_lines

        self._unsigned(None)
        satisfied = sum(1 for verdict in verdicts if verdict.satisfied)
        failing = len(verdicts) - satisfied
        if failing == 0:
            summary = f"✓ Twilio would be satisfied with {'every' if len(verdicts) > 1 else 'the'} URL"
        elif satisfied == 0:
            summary = f"✗ Twilio would not be satisfied with {'any' if len(verdicts) > 1 else 'the'} URL"
        else:
            summary = f"✗ Twilio would be satisfied with {satisfied} URL(s), not with {failing}"
        self._status(summary)
        lines: list[str] = []
        for verdict in verdicts:
            if lines:
                lines.append("")
            lines.extend(verdict_lines(verdict))
        for line in skipped:
            lines.extend(["", f"• {line}"] if lines else [f"• {line}"])
        self._results(self.styled(lines))

    def styled(self, lines: Iterable[str]) -> Text:
        """Verdict lines with their styles: headlines (✓ / ✗) in the satisfied or
        refused colour, problems and warnings in theirs."""
        text = Text()
        for index, line in enumerate(lines):
            if index:
                text.append("\n")
            text.append(line, style=self._line_style(line))
        return text

    def _line_style(self, line: str) -> Style | str:
        if line.startswith("✓ "):
            return self.get_component_rich_style("webhook-checks--satisfied", partial=True)
        if line.startswith("✗ "):
            return self.get_component_rich_style("webhook-checks--refused", partial=True)
        stripped = line.lstrip()
        if stripped.startswith(("Problem:", "Twilio cannot reach", "Twilio would not")):
            return self.get_component_rich_style("webhook-checks--problem", partial=True)
        if stripped.startswith(("Warning:", "Not signed:")):
            return self.get_component_rich_style("webhook-checks--warning", partial=True)
        return ""


SIMULATE_CALL_KEY = "i"
SIMULATE_MESSAGE_KEY = "m"


class RehearsalPanel(WebhookChecks):
    """On the Summary of a number bought on the sandbox: "Simulate a call" and
    "Simulate a message", and what the number's webhooks answered when the sandbox
    called them as Twilio would (tui/services/rehearsal.py)."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("this number's webhooks", id=id)

    def compose(self) -> ComposeResult:
        with Horizontal(classes="webhook-checks-bar"):
            yield Button("Simulate a call", id="simulate-call", compact=True)
            yield Button("Simulate a message", id="simulate-sms", compact=True)
            yield LiveText(self.idle_text(), id="webhook-checks-status", markup=False)
        yield LiveText("", id="webhook-results", markup=False)

    def idle_text(self) -> str:
        return (
            f"Rehearse the first call ({SIMULATE_CALL_KEY}) or message ({SIMULATE_MESSAGE_KEY}): "
            "the sandbox calls this number's webhooks as Twilio would"
        )

    def _unsigned(self, reason: str | None) -> None:
        return None  # the sandbox always signs, with the account's own Auth Token

    def show_simulating(self, what: str) -> None:
        self._status(f"Simulating an incoming {what}… (the sandbox calls the webhooks)")
        self._results("")

    def show_rehearsal(self, lines: Sequence[str]) -> None:
        """`lines`: Rehearsal.lines(), its headline first."""
        self._status(lines[0] if lines else "")
        self._results(self.styled(lines[1:]))

    def show_failed(self) -> None:
        self._status("The simulation stopped on an unexpected error (see above)")

    def show_refused(self, reason: str) -> None:
        self._status(f"✗ Not simulated: {reason}")
        self._results("")
