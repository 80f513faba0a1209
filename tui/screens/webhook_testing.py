"""Steps that can test their webhooks (Voice, Messaging, Review): the "Test
webhooks" button and key, the worker that calls each configured URL the way
Twilio will (tui/services/webhooks.py), and the panel that shows the verdicts
(tui/widgets/webhook_checks.py).

Each press sends one request per URL (plus the redirects it follows), in a worker
of its own group: a second press replaces the first; moving on is never blocked.
The requests are signed with the Auth Token in use (the sandbox account's on the
in-process sandbox); API key credentials cannot sign, and the panel says so and
asks before testing unsigned.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.binding import Binding, BindingType

from tui.screens.base import StepScreen
from tui.widgets.controls import Button
from tui.widgets.webhook_checks import TEST_KEY, WebhookChecks

if TYPE_CHECKING:
    from tui.services.webhooks import Signing, WebhookChecker, WebhookPlan

WEBHOOK_GROUP = "webhooks"


class WebhookTestingStep(StepScreen):
    # The kinds of URL this step tests (None: every kind, the Review).
    WEBHOOK_KINDS: ClassVar[tuple[str, ...] | None] = None
    # Hide the panel when there is nothing to test (the Review); a Voice or
    # Messaging step shows it with its webhook fields.
    HIDE_WITHOUT_URLS: ClassVar[bool] = False

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            TEST_KEY,
            "test_webhooks",
            "Test webhooks",
            id="test-webhooks",
            tooltip="Call the configured URLs the way Twilio will and say whether Twilio accepts the answers",
        ),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._unsigned_allowed = False  # asked once per step, when the credentials cannot sign
        self._tested: tuple[object, ...] | None = None  # what the shown verdicts are about
        self._panel: WebhookChecks | None = None
        self._testable: bool | None = None  # the Test key's state the footer was last told

    def _checks(self) -> WebhookChecks | None:
        """The verdicts panel, if the step shows one now (a way of handling is built
        when chosen, with its panel). Kept once found: the key's state is asked for
        on every focus move and keystroke, and a query walks the whole screen."""
        panel = self._panel
        if panel is None or not panel.is_attached:
            found = self.query(WebhookChecks)
            panel = self._panel = found.first() if found else None
        return panel

    # -- what is tested -------------------------------------------------------

    def webhook_plan(self) -> WebhookPlan:
        """The URLs of this step that Twilio would call, from the draft's values of
        the chosen ways of handling calls and messages."""
        from tui.domain.webhooks import WebhookKind
        from tui.services.webhooks import plan_number_webhooks

        plan = plan_number_webhooks(self.draft.request_values())
        if self.WEBHOOK_KINDS is None:
            return plan
        return plan.only(*(WebhookKind(kind) for kind in self.WEBHOOK_KINDS))

    @staticmethod
    def _key(plan: WebhookPlan) -> tuple[object, ...]:
        return (plan.targets, plan.to_number, plan.api_version)

    def webhook_checker(self) -> WebhookChecker:
        checker = self.wizard.webhook_checker
        if checker is None:
            from tui.services.webhooks import WebhookChecker

            checker = self.wizard.webhook_checker = WebhookChecker()
        return checker

    def signing(self) -> Signing:
        from tui.services.webhooks import Signing

        return Signing.from_credentials(self.connection.credentials)

    # -- the panel follows the draft ------------------------------------------------

    def webhook_settings_changed(self) -> None:
        """Hook for the step: its URLs may have changed (a keystroke, another way of
        handling, a refill from the draft). Verdicts about other URLs are cleared."""
        self.take_shown_values()  # a URL typed a moment ago is the one tested
        checks = self.query_one(WebhookChecks)
        plan = self.webhook_plan()
        if self.HIDE_WITHOUT_URLS:
            checks.display = bool(plan.targets or plan.skipped)
        if self._tested is not None and self._tested != self._key(plan):
            self._tested = None
            self.workers.cancel_group(self, WEBHOOK_GROUP)
            checks.show_stale()
        # The Test key follows the panel; the footer is told only when that changes
        # (this runs on every keystroke in a URL, and each refresh of the bindings
        # has the footer work out its keys again).
        testable = self.check_action("test_webhooks", ())
        if testable != self._testable:
            self._testable = testable
            self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "test_webhooks":
            panel = self._checks()
            # Hidden (False) with its panel: another way of handling is chosen.
            return panel is not None and all(
                getattr(node, "display", True) for node in panel.ancestors_with_self
            )
        return super().check_action(action, parameters)

    # -- testing ----------------------------------------------------------------------

    def action_test_webhooks(self, *, unsigned_allowed: bool = False) -> None:
        if not self.check_action("test_webhooks", ()):
            return
        self.take_shown_values()  # a URL typed a moment ago is the one tested
        checks = self.query_one(WebhookChecks)
        plan = self.webhook_plan()
        if not plan.targets:
            reason = (
                "Nothing to test: Twilio would call none of these URLs"
                if plan.skipped
                else "Nothing to test yet: enter a URL first"
            )
            checks.show_nothing_to_test(reason, (str(skip) for skip in plan.skipped))
            self._bring_into_view(checks)
            return
        signing = self.signing()
        if not signing.signed and not (unsigned_allowed or self._unsigned_allowed):
            checks.ask_unsigned(signing.unsigned_reason or "the Auth Token is not known")
            self._bring_into_view(checks)
            return
        self._tested = self._key(plan)
        checks.show_testing(len(plan.targets))
        self._bring_into_view(checks)
        self.test_webhooks(plan, signing)

    def _bring_into_view(self, checks: WebhookChecks) -> None:
        # Pressed by its key, the panel may be below the fold: its answer must be seen.
        checks.reveal()

    @on(Button.Pressed, "#test-webhooks")
    def test_webhooks_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_test_webhooks()

    @on(Button.Pressed, "#test-unsigned")
    def test_unsigned_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self._unsigned_allowed = True  # not asked again on this step
        self.action_test_webhooks(unsigned_allowed=True)

    @work(exclusive=True, group=WEBHOOK_GROUP, exit_on_error=False)
    async def test_webhooks(self, plan: WebhookPlan, signing: Signing) -> None:
        verdicts = await self.webhook_checker().check(plan, signing)
        checks = self.query_one(WebhookChecks)
        checks.show_verdicts(verdicts, (str(skip) for skip in plan.skipped))
        self._bring_into_view(checks)

    def worker_failed(self, group: str) -> None:
        super().worker_failed(group)
        if group == WEBHOOK_GROUP:
            self._tested = None
            self.query_one(WebhookChecks).show_failed()
