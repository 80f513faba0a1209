"""Step 7, Review, the purchase and the Summary, in plain lines.

The Review prints exactly what will be sent (the values, Twilio's defaults for
the rest, the request itself and the same purchase as commands), the warnings
and the price; buying needs the word "yes" to a sentence that names the number
and the price. The purchase is the wizard's `PurchaseAttempt` run by
`tui.services.purchase.buy`: the ownership check under the number's lock, the
receipt written before the request leaves, a lookup after any unclear answer.
Ctrl+C while waiting stops waiting and looks the number up, as `buy` does.
"""

from __future__ import annotations

import contextlib
import signal
from typing import TYPE_CHECKING

from tui.domain import rules
from tui.domain.attempt import AttemptState
from tui.domain.errors import TwilioApiError, WizardError
from tui.domain.fields import FIELDS_BY_NAME, GROUP_TITLES
from tui.plain.prompts import GoBack, Option, QuitAsked
from tui.wizard.flow import STEPS_BY_ID, step_index, step_of_error, step_of_field
from tui.wizard.messages import charge_note

if TYPE_CHECKING:
    from tui.domain.follow_up import FollowUpRequest
    from tui.domain.purchase import FieldProblem, PurchaseRequest
    from tui.domain.resources import MobilePrice
    from tui.plain.wizard import Answer, PlainWizard
    from tui.services.purchase import PurchaseAttempt

CHANGEABLE_STEPS = ("number", "voice", "messaging", "details", "compliance")


class BuyingPart:
    def __init__(self, wizard: PlainWizard) -> None:
        self.w = wizard

    # -- the review ------------------------------------------------------------------

    def review(self) -> Answer:
        from tui.plain.wizard import Jump

        request, problems = self.w.draft.build()
        # What follows the purchase (a Messaging Service) must be valid too.
        _, follow_up_problems = self.w.draft.build_follow_up()
        if follow_up_problems:
            request, problems = None, problems + follow_up_problems
        if request is None:
            self._problems(problems)
        else:
            self._show(request)
        options = []
        if request is not None:
            options.append(Option("buy", f"Buy {request.phone_number} (asks you to confirm first)"))
        options += [Option(step, f"Change the {STEPS_BY_ID[step].title} step") for step in CHANGEABLE_STEPS]
        if request is not None:
            options.append(Option("save", "Save the commands above to a file"))
        while True:
            choice = self.w.ask.choose(
                "What next",
                options,
                current="buy" if request is not None else None,
                help=["Nothing is sent until you confirm the purchase."],
            )
            if choice in CHANGEABLE_STEPS:
                return Jump(choice)
            assert request is not None
            if choice == "save":
                self._save_commands(request)
                continue
            answer = self._buy(request)
            if answer is not None:
                return answer

    def _problems(self, problems: list[FieldProblem]) -> None:
        self.w.say("These need attention before buying:")
        for problem in problems:
            spec = FIELDS_BY_NAME.get(problem.field)
            where = STEPS_BY_ID[step_of_field(problem.field)].title
            self.w.say(f"  {spec.label if spec else problem.field} ({where} step): {problem.message}")

    def _price(self, request: PurchaseRequest) -> MobilePrice:
        assert self.w.session is not None
        return self.w.call(self.w.session.mobile_price(rules.phone_number_facts(request.phone_number).region))

    def _account(self) -> str:
        w = self.w
        assert w.connection is not None
        check = w.session.account_check if w.session else None
        return w.connection.credentials.account_sid + (
            f" ({check.friendly_name})" if check and check.friendly_name else ""
        )

    def warnings(self, request: PurchaseRequest) -> list[str]:
        """The Review's warnings: the request's own findings and the compliance checks."""
        return [i.message for i in request.warnings()] + [i.message for i in self.w.compliance_findings()]

    def _follow_up(self) -> FollowUpRequest:
        from tui.domain.follow_up import FollowUpRequest

        follow_up, _ = self.w.draft.build_follow_up()
        return follow_up or FollowUpRequest()

    def _commands(self, request: PurchaseRequest) -> dict[str, str]:
        from tui.wizard.commands import (
            PHONE_NUMBER_SID_VARIABLE,
            curl_command,
            join_service_twilio_cli,
            number_wizard_command,
            twilio_cli_command,
        )

        w = self.w
        assert w.client is not None and w.connection is not None
        prepared = w.client.prepare_purchase(request)
        sandbox = w.connection.sandbox
        api_key = w.connection.credentials.auth_kind == "api_key"
        real = " (against the real Twilio API, with your own credentials)" if sandbox else ""
        follow_up = self._follow_up()
        curl, twilio_cli = curl_command(prepared, api_key=api_key), twilio_cli_command(request)
        if follow_up.messaging_service_sid:
            join = w.client.prepare_messaging_service_join(
                follow_up.messaging_service_sid, PHONE_NUMBER_SID_VARIABLE
            )
            then = "\n# then, with the new number's SID (PN…) in PHONE_NUMBER_SID:\n"
            curl += then + curl_command(join, api_key=api_key)
            twilio_cli += then + join_service_twilio_cli(follow_up.messaging_service_sid)
        return {
            "The same with number-wizard": number_wizard_command(
                request, sandbox=sandbox, follow_up=follow_up
            ),
            f"With curl{real}": curl,
            f"With twilio-cli{real}": twilio_cli,
        }

    def _show(self, request: PurchaseRequest) -> None:
        from tui.services.twilio import form_body

        w = self.w
        assert w.client is not None
        facts = rules.phone_number_facts(request.phone_number)
        price = self._price(request)
        sandbox = " (SANDBOX: nothing is charged)" if w.is_sandbox else ""
        w.say(
            f"Buying: {request.phone_number}, {facts.describe()}",
            f"Price: {price.describe()}{sandbox}",
            f"Account: {self._account()}",
            "",
            "Sent to Twilio:",
        )
        sent = [(name, value) for name, value in request.values().items() if value is not None]
        sent.sort(key=lambda item: step_index(step_of_field(item[0])))
        for name, value in sent:
            spec = FIELDS_BY_NAME[name]
            shown = ("true" if value else "false") if isinstance(value, bool) else str(value)
            w.say(f"  {spec.label} ({GROUP_TITLES[spec.group]}): {shown}")
        w.say("Left to Twilio's defaults:")
        for spec, default in request.omitted_defaults():
            w.say(f"  {spec.label}: {default}")
        warnings = self.warnings(request)
        w.say(*(f"Warning: {warning}" for warning in warnings) if warnings else ["No warnings."])
        prepared = w.client.prepare_purchase(request)
        w.say(
            "",
            "The request:",
            f"{prepared.method} {prepared.url}",
            "Content-Type: application/x-www-form-urlencoded",
            "",
            form_body(prepared.form),
        )
        follow_up = self._follow_up()
        if follow_up.messaging_service_sid:
            # Sent only once the number is bought, with its SID from the first answer.
            join = w.client.prepare_messaging_service_join(follow_up.messaging_service_sid, "PN…")
            w.say(
                "",
                "Then, once the number is bought, a second request adds it to the Messaging Service "
                "(if it fails, the number stays bought and only this step is retried):",
                f"{join.method} {join.url}",
                "Content-Type: application/x-www-form-urlencoded",
                "",
                "PhoneNumberSid=PN… (the SID of the number bought, from the first answer)",
            )
        for title, command in self._commands(request).items():
            w.say("", f"{title}:", command)
        w.say("")

    def _save_commands(self, request: PurchaseRequest) -> None:
        from tui.services.exports import save_commands

        try:
            path = save_commands(request.phone_number, self._commands(request))
        except OSError as error:
            self.w.say(f"Could not save: {error}")
            return
        self.w.say(f"Saved to {path}")

    # -- buying ------------------------------------------------------------------------

    def _buy(self, request: PurchaseRequest) -> Answer:
        """Check, confirm, buy; None to stay on the Review's question."""
        from tui.plain.wizard import Jump
        from tui.services import purchase as purchase_service

        w = self.w
        assert w.client is not None and w.connection is not None
        number = request.phone_number
        w.say(f"Checking whether this account already owns {number}…")
        try:
            owned = w.call(purchase_service.owned_number(w.client, number))
        except purchase_service.OwnershipCheckFailed as error:
            w.say_error(error)
            return None
        if owned is not None:
            w.say(str(purchase_service.AlreadyOwned(number, owned)))
            return Jump("number")
        price = self._price(request)
        w.say(
            "",
            f"Buy {number}?",
            f"Price: {price.describe()}",
            f"Account: {self._account()}",
            charge_note(sandbox=w.connection.sandbox),
            *(f"Warning: {warning}" for warning in self.warnings(request)),
        )
        cost = f" for {price.monthly:.2f} {price.currency or ''}".rstrip() + " a month" if price.known else ""
        unknown = "" if price.known else " (price unknown)"
        try:
            answer = w.ask.read(
                f"Type yes to buy {number}{cost}{unknown}, anything else cancels: ",
                ["Only the word yes buys the number; anything else sends nothing."],
            )
        except GoBack:
            answer = ""
        if answer.strip().lower() != "yes":
            w.say("Not bought: you did not confirm; nothing was sent.")
            return None
        follow_up = self._follow_up()
        service = w.session.known_messaging_service(follow_up.messaging_service_sid) if w.session else None
        attempt = purchase_service.PurchaseAttempt.prepare(
            w.client,
            request,
            sandbox=w.connection.sandbox,
            follow_up=follow_up,
            service_name=service.friendly_name if service else None,
        )
        w.attempt = attempt
        self._run(attempt)
        return self._outcome(attempt)

    def _run(self, attempt: PurchaseAttempt) -> None:
        """The attempt, to an outcome; one line per event. Ctrl+C or SIGTERM stops
        waiting: before sending nothing is sent, after it the number is looked up
        (again: give up on the lookup; the outcome is then unknown)."""
        from tui.services import purchase as purchase_service
        from tui.services.error_log import UnexpectedError, record_unexpected
        from tui.services.signals import on_signals

        w = self.w
        assert w.client is not None
        client = w.client
        number = attempt.phone_number

        def stop(signum: signal.Signals) -> None:
            if attempt.sending:
                w.say(
                    f"{signum.name}: stopped waiting; checking whether {number} was bought "
                    "(again to give up on the lookup)…"
                )
            else:
                w.say(f"{signum.name}: stopping; nothing was sent.")
            attempt.stop_waiting()

        def sending(sent: PurchaseAttempt) -> None:
            if sent.receipt is not None:
                w.say(f"Receipt started: {sent.receipt.path}")
            w.say(
                f"Buying {number}: the request is on its way, waiting for Twilio "
                "(Ctrl+C stops waiting; the number is then looked up)…"
            )

        async def purchase() -> None:
            with on_signals(stop):
                try:
                    await purchase_service.buy(
                        client,
                        attempt,
                        w.receipts,
                        w.locks,
                        on_lock_wait=lambda: w.say(
                            f"Another number-wizard on this computer is buying {number}; waiting for it…"
                        ),
                        on_sending=sending,
                    )
                except Exception as error:
                    # A bug: never "waiting…" for ever, never a false outcome (as the wizard).
                    unexpected = UnexpectedError(
                        error, "buying", record_unexpected(error, "buying the number")
                    )
                    if attempt.state is AttemptState.SENDING:
                        attempt.state, attempt.error = AttemptState.UNKNOWN, unexpected
                        # Should the lookup fail too, the outcome stays unknown, as the receipt says.
                        with contextlib.suppress(Exception):
                            await purchase_service.settle(client, attempt, w.receipts)
                    elif attempt.state is AttemptState.READY:
                        attempt.state, attempt.error, attempt.retry_safe = (
                            AttemptState.FAILED,
                            unexpected,
                            True,
                        )

        w.say(f"Checking once more that this account does not own {number}, then sending the purchase…")
        w.call(purchase())

    def _outcome(self, attempt: PurchaseAttempt) -> Answer:
        from tui.plain.wizard import Jump
        from tui.services.purchase import AlreadyOwned

        w = self.w
        if attempt.state is AttemptState.BOUGHT:
            w.settled(attempt)
        if attempt.state in (AttemptState.BOUGHT, AttemptState.UNKNOWN):
            w.shown = attempt
            return Jump("summary")
        error = attempt.error or WizardError(attempt.headline())
        if isinstance(error, AlreadyOwned):
            w.say(str(error))
            return Jump("number")
        if isinstance(error, TwilioApiError) and error.refused:
            step = step_of_error(error.code)
            w.say_error(error, attempt.headline())
            if attempt.receipt is not None:
                w.say(f"Receipt: {attempt.receipt.path}")
            if step != "review":
                w.say(f"This is fixed on the {STEPS_BY_ID[step].title} step: going there.")
                return Jump(step)
            return None
        w.say(attempt.headline())
        if attempt.error is not None and str(attempt.error) not in attempt.headline():
            w.say_error(attempt.error)
        if attempt.receipt is not None:
            w.say(f"Receipt: {attempt.receipt.path}")
        return None

    # -- the summary -------------------------------------------------------------------

    def summary(self) -> Answer:
        from tui.plain.wizard import Jump
        from tui.wizard.summary import resource_groups

        w = self.w
        attempt = w.shown
        assert attempt is not None
        bought = attempt.state is AttemptState.BOUGHT and attempt.resource is not None
        w.say(attempt.headline())
        if bought and attempt.differences:
            w.say(
                f"Warning: {len(attempt.differences)} field(s) differ from what you asked for (marked "
                "below): Twilio did not apply them at purchase; set them again in the Console or "
                "with an update."
            )
        if bought and attempt.resource is not None:
            for title, fields in resource_groups(attempt.resource, attempt.differences):
                w.say("", f"{title}:")
                for item in fields:
                    asked = f" (differs: you asked for {item.asked})" if item.asked is not None else ""
                    w.say(f"{item.label}: {item.value}{asked}")
            w.say("")
        elif attempt.error is not None and attempt.state is not AttemptState.BOUGHT:
            w.say_error(attempt.error)
        self._follow_ups(attempt)
        if attempt.receipt is not None:
            w.say(f"Receipt: {attempt.receipt.path}")
        options = []
        if attempt.state is AttemptState.UNKNOWN:
            options.append(Option("check", "Check again whether it was bought"))
        if attempt.follow_ups_to_retry:
            options.append(Option("retry", "Retry adding the number to its Messaging Service"))
        options += [Option("another", "Buy another number"), Option("quit", "Quit")]
        choice = w.ask.choose(
            "What next",
            options,
            current="check"
            if attempt.state is AttemptState.UNKNOWN
            else ("retry" if attempt.follow_ups_to_retry else "quit"),
            help=["Buy another keeps the account and how calls and messages are handled."],
        )
        if choice == "check":
            self._check_again(attempt)
            return Jump("summary")
        if choice == "retry":
            self._retry_follow_ups(attempt)
            return Jump("summary")
        if choice == "another":
            w.start_over()
            return Jump("number")
        raise QuitAsked

    def _check_again(self, attempt: PurchaseAttempt) -> None:
        from tui.services import purchase as purchase_service

        w = self.w
        assert w.client is not None
        w.say(f"Looking {attempt.phone_number} up on the account…")
        w.call(purchase_service.settle(w.client, attempt, w.receipts))
        if attempt.state is AttemptState.BOUGHT:
            w.settled(attempt)

    def _follow_ups(self, attempt: PurchaseAttempt) -> None:
        """What followed the purchase (the Messaging Service), apart from it: its
        failure never makes the number look not bought."""
        from tui.wizard.commands import join_service_twilio_cli

        w = self.w
        w.say(*attempt.follow_up_lines())
        retry = attempt.follow_ups_to_retry
        if not retry:
            return
        error = retry[0].error
        if isinstance(error, TwilioApiError) and error.explanation:
            w.say(error.explanation.summary)
        w.say("To retry just this step (safe: it never buys again): choose Retry below, or run")
        w.say(*(join_service_twilio_cli(f.service_sid, attempt.phone_number_sid or "") for f in retry))

    def _retry_follow_ups(self, attempt: PurchaseAttempt) -> None:
        from tui.plain.wizard import Stopped
        from tui.services import purchase as purchase_service

        w = self.w
        assert w.client is not None
        w.say(f"Adding {attempt.phone_number} to its Messaging Service again…")
        try:
            w.call(purchase_service.retry_follow_ups(w.client, attempt, w.receipts))
        except Stopped:
            w.say("Stopped waiting; the outcome is shown below.")
        except WizardError as error:
            w.say_error(error)
