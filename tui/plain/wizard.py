"""The plain wizard: the same steps as the full-screen one, as questions.

`PlainWizard` walks the steps of tui/wizard/flow.py one question at a time. Each
step's questions come from the field catalogue (which fields, in which order,
which way of handling they belong to), are recomputed after every answer (a
way of handling chosen changes what is asked next) and are checked, when the
step is left, by the draft's own rules (`WizardDraft.field_errors`, `issues`),
as Next does on a screen. `back` steps back one question, across steps too.

The draft is the wizard's: saved to the same file after every answer, so `quit`
keeps it and either front end can resume it. Twilio is reached through the same
services (AccountSession, PurchaseContext, the purchase attempt) on one event
loop that runs only while the plain wizard waits for an answer from Twilio.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Coroutine, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from tui.domain import rules
from tui.domain.attempt import AttemptState
from tui.domain.errors import WizardError
from tui.domain.fields import FIELDS_BY_NAME
from tui.domain.rules import RuleError
from tui.plain.lines import EndOfInput, Lines, Reader, Writer
from tui.plain.prompts import GoBack, Option, Prompter, QuitAsked
from tui.services.drafts import DraftStore
from tui.services.error_log import UnexpectedError, record_unexpected
from tui.services.purchase_lock import PurchaseLocks
from tui.services.receipts import ReceiptBook
from tui.services.session import Connection, ConnectionRequest
from tui.wizard.context import PurchaseContext
from tui.wizard.draft import (
    COMPLIANCE_FIELDS,
    DETAILS_FIELDS,
    NO_SMS_NOTE,
    NO_VOICE_NOTE,
    SMS_MODE_LABELS,
    VOICE_MODE_LABELS,
    SmsMode,
    VoiceMode,
    WizardDraft,
)
from tui.wizard.flow import STEP_IDS, STEPS, STEPS_BY_ID, next_step, previous_step
from tui.wizard.messages import DRAFT_DELETE_WARNING, draft_found, quit_lines

if TYPE_CHECKING:
    from tui.services.account_session import AccountSession
    from tui.services.credentials.profiles import ProfileStore
    from tui.services.purchase import PurchaseAttempt
    from tui.services.twilio import TwilioClient

T = TypeVar("T")

# One line under each step's title: what the step is about.
STEP_INTROS = {
    "account": "The Twilio account the number will be bought on.",
    "number": "Type the number you want, or search the mobile numbers Twilio has for sale.",
    "voice": "How incoming calls to the number are handled.",
    "messaging": "How incoming SMS and MMS messages to the number are handled.",
    "details": "A name for the number, where call statuses are reported, and the API version.",
    "compliance": "Some numbers need an address, an identity or a regulatory bundle.",
    "review": "Nothing has been sent yet. Check everything below, then buy.",
}
SUMMARY = "summary"

WELCOME = (
    "Answer each question and press Enter. Enter alone keeps the value in brackets; "
    "- empties an optional value; ? explains the question; back returns to the previous "
    "question; quit leaves (what you typed is kept as a draft)."
)


class Stopped(Exception):
    """Ctrl+C while waiting for Twilio (not for a purchase): the wait is abandoned."""


@dataclass(frozen=True)
class Jump:
    """Go to a step (and one of its questions, by key) instead of the next question."""

    step: str
    question: str | None = None


class Finished:
    """The walk is over: the person chose to leave."""


FINISHED = Finished()
Answer = Jump | Finished | None


@dataclass
class Question:
    key: str
    ask: Callable[[], Answer]
    applies: Callable[[], bool] = field(default=lambda: True)


class PlainWizard:
    """`PlainWizard(input, output, request=...)`; `run()` returns the exit status.

    `connection`: ready to use (tests, the transcript script); otherwise
    `request` is resolved as the wizard's Account step does (--sandbox,
    --profile, TWILIO_* variables, the active profile), and without credentials
    they are asked for. The other arguments default to the wizard's own files."""

    def __init__(
        self,
        input: Reader,
        output: Writer,
        *,
        request: ConnectionRequest | None = None,
        connection: Connection | None = None,
        env: Mapping[str, str] | None = None,
        profiles: ProfileStore | None = None,
        draft_store: DraftStore | None = None,
        receipts: ReceiptBook | None = None,
        locks: PurchaseLocks | None = None,
        read_secret: Callable[[str], str] | None = None,
        page_size: int = 10,
    ) -> None:
        self.lines = Lines(input, output, read_secret=read_secret)
        self.ask = Prompter(self.lines)
        self.request = request or ConnectionRequest()
        self.env: Mapping[str, str] = os.environ if env is None else env
        self._profiles = profiles
        self.page_size = page_size
        self.connection: Connection | None = None
        self._initial_connection = connection
        sandbox = self.request.sandbox or bool(connection and connection.sandbox)
        self.drafts = draft_store or DraftStore(sandbox=sandbox)
        self.receipts = receipts or ReceiptBook()
        self.locks = locks or PurchaseLocks()
        self.draft = WizardDraft()
        self.context = PurchaseContext()
        self.client: TwilioClient | None = None
        self.session: AccountSession | None = None
        self.accepted = False  # Twilio accepted the credentials in use
        self.attempt: PurchaseAttempt | None = None  # this session's latest purchase
        self.shown: PurchaseAttempt | None = None  # the purchase the Summary shows
        self.bought: list[PurchaseAttempt] = []
        self.recovered: list[PurchaseAttempt] = []
        self.number_how: str | None = None  # search, type or keep (the Number step's first answer)
        self._draft_offered = False
        self._runner: asyncio.Runner | None = None
        # The step parts, each in its own module.
        from tui.plain.account import AccountPart
        from tui.plain.buying import BuyingPart
        from tui.plain.number import NumberPart

        self.account = AccountPart(self)
        self.number = NumberPart(self)
        self.buying = BuyingPart(self)

    # -- the services ------------------------------------------------------------

    @property
    def profiles(self) -> ProfileStore:
        if self._profiles is None:
            from tui.services.credentials.profiles import ProfileStore

            self._profiles = ProfileStore.open_default()
        return self._profiles

    def call(self, awaitable: Coroutine[Any, Any, T]) -> T:
        """Run a coroutine on the wizard's event loop. Ctrl+C stops waiting for it
        (raises Stopped); a purchase handles Ctrl+C itself (see BuyingPart)."""
        assert self._runner is not None, "call() runs inside run()"
        try:
            return self._runner.run(awaitable)
        except KeyboardInterrupt:
            raise Stopped from None

    def set_connection(self, connection: Connection) -> None:
        """Use other credentials from now on; nothing loaded with the previous ones is kept."""
        from tui.services.account_session import AccountSession

        self._close_client()
        self.connection = connection
        self.client = connection.client()
        self.session = AccountSession(self.client)
        self.context = PurchaseContext()
        self.accepted = False

    def _close_client(self) -> None:
        if self.client is not None and self._runner is not None:
            self._runner.run(self.client.aclose())
        self.client = None

    @property
    def is_sandbox(self) -> bool:
        return bool(self.connection and self.connection.sandbox)

    def say(self, *texts: str) -> None:
        self.lines.say(*texts)

    def say_error(self, error: BaseException, title: str | None = None) -> None:
        """An error explained as the wizard's error panel does: its lines, with a title."""
        explain = getattr(error, "lines", None)
        lines = list(explain()) if callable(explain) else [str(error)]
        self.say(*([title] if title else []), *lines)

    # -- the draft -----------------------------------------------------------------

    def save_draft(self) -> None:
        try:
            self.drafts.save(self.draft.to_json())
        except OSError as error:
            self.say(f"Could not save the draft: {error}")

    def forget_draft(self) -> None:
        try:
            self.drafts.discard()
        except OSError as error:
            self.say(f"Could not remove the saved draft: {error}")

    def offer_saved_draft(self) -> None:
        """The draft an earlier session left: resumed (the default) or, asked once
        more, deleted."""
        if self._draft_offered:
            return
        self._draft_offered = True
        saved = self.drafts.load()
        if not saved:
            return
        try:
            draft = WizardDraft.from_json(saved)
        except (ValueError, KeyError):
            return
        if draft.is_empty():
            return
        self.say("", draft_found(draft))
        while True:
            try:
                if self.ask.yes_no("Resume it", current=True, help=["Resume: continue with what you typed."]):
                    break
                self.say(DRAFT_DELETE_WARNING)
                if self.ask.yes_no("Delete the saved draft and start over", current=False):
                    self.forget_draft()
                    return
            except GoBack:
                continue
        self.draft = draft

    def recovered_summary(self) -> PurchaseAttempt | None:
        """A resumed draft of a number an interrupted purchase turned out to have
        bought (or left unknown) goes to that number's Summary, not to a Review
        offering to buy it again."""
        number = self.draft.get("phone_number")
        for attempt in self.recovered:
            if attempt.state not in (AttemptState.UNKNOWN, AttemptState.BOUGHT):
                continue
            if number and attempt.phone_number == str(number).strip():
                if attempt.state is AttemptState.BOUGHT:
                    self.forget_draft()  # it has served its purpose
                return attempt
        return None

    def settled(self, attempt: PurchaseAttempt) -> None:
        """The number is bought: the draft has served its purpose."""
        if attempt not in self.bought:
            self.bought.append(attempt)
        self.forget_draft()

    def start_over(self) -> None:
        """Buy another: keep the account, how calls and messages are handled and the
        search; forget the number and what is about it only."""
        self.attempt = None
        self.context = PurchaseContext()
        if self.session is not None:
            self.session.forget_compliance()
        previous = self.draft
        self.draft = WizardDraft(
            voice_mode=previous.voice_mode, sms_mode=previous.sms_mode, search=dict(previous.search)
        )
        for name in previous.handling_fields():
            self.draft.set(name, previous.get(name))
        self.number_how = None

    # -- running ---------------------------------------------------------------------

    def run(self) -> int:
        with asyncio.Runner() as runner:
            self._runner = runner
            try:
                return self._run()
            finally:
                self._close_client()
                self._runner = None

    def _run(self) -> int:
        if self.request.sandbox or (self._initial_connection and self._initial_connection.sandbox):
            self.say("SANDBOX: nothing is bought, nothing is charged (an offline Twilio emulator).")
        self.say(WELCOME)
        try:
            self.walk("account")
        except EndOfInput:
            self.say("The input ended, so number-wizard stops here.")
            if not self.draft.is_empty() and not self._draft_of_bought_number():
                self.say("What you typed is kept as a draft and offered the next time you start.")
        return 0

    def walk(self, step: str) -> None:
        """Ask the questions of `step` and the steps after it until the person leaves."""
        index = 0
        entering: str | None = "forward"
        wanted: str | None = None  # a question to go to, by key
        failures = 0
        while True:
            if entering is not None:
                self.enter(step, backwards=entering == "back")
                entering = None
            questions = [q for q in self.questions(step) if q.applies()]
            if wanted is not None:
                index = next((i for i, q in enumerate(questions) if q.key == wanted), 0)
                wanted = None
            elif index < 0:
                index = max(0, len(questions) + index)
            if index >= len(questions):
                jump = self.leave(step)
                if jump is None:
                    following = next_step(step) if step in STEP_IDS else None
                    if following is None:
                        return
                    jump = Jump(following)
                step, wanted, entering, index = jump.step, jump.question, "forward", 0
                continue
            question = questions[index]
            try:
                answer = question.ask()
                failures = 0
            except GoBack:
                if index > 0:
                    index -= 1
                    continue
                previous = previous_step(step) if step in STEP_IDS else None
                if step == SUMMARY:
                    self.say("The purchase is over: there is no question to go back to.")
                elif previous is None:
                    self.say("This is the first question.")
                else:
                    step, index, entering = previous, -1, "back"
                continue
            except QuitAsked:
                if self.confirm_quit():
                    return
                continue
            except Stopped:
                self.say("Stopped waiting.")
                continue
            except WizardError as error:
                # Explained where it happened; asked again.
                self.say_error(error)
                continue
            except (EndOfInput, KeyboardInterrupt):
                raise
            except Exception as error:
                # A bug: logged (secrets masked) and explained; the question is asked
                # again, once: a question that fails twice in a row ends the session.
                failures += 1
                doing = f"asking about {STEPS_BY_ID.get(step, STEPS_BY_ID['review']).title}"
                self.say_error(UnexpectedError(error, doing, record_unexpected(error, doing)))
                if failures > 1:
                    raise
                continue
            if isinstance(answer, Finished):
                return
            if isinstance(answer, Jump):
                step, wanted, entering, index = answer.step, answer.question, "forward", 0
                continue
            index += 1

    # -- steps -------------------------------------------------------------------

    def enter(self, step: str, *, backwards: bool = False) -> None:
        if step == SUMMARY:
            self.say("", "Summary")
            return
        number = STEP_IDS.index(step) + 1
        self.say("", f"Step {number} of {len(STEPS)}: {STEPS_BY_ID[step].title}", STEP_INTROS[step])
        if step == "compliance":
            self.load_compliance()

    def questions(self, step: str) -> list[Question]:
        if step == "account":
            return [Question("account", self.account.ask)]
        if step == "number":
            return self.number.questions()
        if step == "voice":
            return [
                Question("voice.mode", self.ask_voice_mode),
                *(self.field_question(name) for name in self.draft.voice_fields()),
            ]
        if step == "messaging":
            return [
                Question("messaging.mode", self.ask_sms_mode),
                *(self.field_question(name) for name in self.draft.sms_fields()),
            ]
        if step == "details":
            return [self.field_question(name) for name in DETAILS_FIELDS]
        if step == "compliance":
            return [
                *(self.field_question(name) for name in COMPLIANCE_FIELDS),
                Question("compliance.refusals", self.ask_despite_refusals, self.compliance_refusals),
            ]
        if step == "review":
            return [Question("review", self.buying.review)]
        return [Question(SUMMARY, self.buying.summary)]

    def step_fields(self, step: str) -> tuple[str, ...]:
        return {
            "number": ("phone_number",),
            "voice": self.draft.voice_fields(),
            "messaging": self.draft.sms_fields(),
            "details": DETAILS_FIELDS,
            "compliance": COMPLIANCE_FIELDS,
        }.get(step, ())

    def leave(self, step: str) -> Jump | None:
        """What Next checks on the step's screen: None to go on, or where to fix a problem."""
        if step == "account":
            if not self.accepted:
                self.say("Twilio has not accepted the credentials yet.")
                return Jump("account")
            return None
        names = self.step_fields(step)
        if step == "number" and not self.draft.get("phone_number"):
            self.say("Pick a number from the results, or type one.")
            return Jump("number")
        errors = self.draft.field_errors(names)
        for issue in self.draft.issues():
            if issue.level == "error" and issue.fields[0] in names and issue.fields[0] not in errors:
                errors[issue.fields[0]] = issue.message
        if errors:
            for name, message in errors.items():
                self.say(f"{FIELDS_BY_NAME[name].label}: {message}")
            return Jump(step, next(iter(errors)))
        warnings = [i.message for i in self.draft.issues() if i.level == "warning" and i.fields[0] in names]
        if step == "compliance":
            warnings = [i.message for i in self.compliance_findings() if not i.refusal] + warnings
        self.say(*(f"Warning: {warning}" for warning in warnings))
        return None

    # -- fields ------------------------------------------------------------------

    def field_question(self, name: str) -> Question:
        return Question(name, lambda: self.ask_field(name))

    def required_message(self, name: str) -> str | None:
        """What the wizard says when this field is left empty and must not be: the
        field's own rule, or the chosen way of handling's key field."""
        blank = WizardDraft(voice_mode=self.draft.voice_mode, sms_mode=self.draft.sms_mode)
        return blank.field_errors((name,)).get(name)

    def ask_field(self, name: str, options: Sequence[Option] = ()) -> None:
        spec = FIELDS_BY_NAME[name]
        options = options or self.pickers().get(name, ()) or self.account_options(name)
        value = self.ask.field(
            spec, self.draft.get(name), required=self.required_message(name), options=options
        )
        self.draft.set(name, value)
        self.save_draft()

    def ask_voice_mode(self) -> None:
        mode = self.ask.choose(
            "Incoming calls",
            [Option(mode, VOICE_MODE_LABELS[mode]) for mode in VoiceMode],
            current=self.draft.voice_mode,
            title="How are incoming calls handled?",
            help=["Only the fields of the way chosen are asked for and sent."],
        )
        self.draft.voice_mode = VoiceMode(mode)
        self.save_draft()
        if mode is VoiceMode.NONE:
            self.say(NO_VOICE_NOTE)

    def ask_sms_mode(self) -> None:
        mode = self.ask.choose(
            "Incoming messages",
            [Option(mode, SMS_MODE_LABELS[mode]) for mode in SmsMode],
            current=self.draft.sms_mode,
            title="How are incoming messages handled?",
            help=["Only the fields of the way chosen are asked for and sent."],
        )
        self.draft.sms_mode = SmsMode(mode)
        self.save_draft()
        if mode is SmsMode.NONE:
            self.say(NO_SMS_NOTE)

    def account_options(self, name: str) -> list[Option]:
        """The account's applications, trunks or Messaging Services for a SID field,
        as the wizard's pickers list them; none (typing the SID) when the account
        has none or they cannot be loaded, which is said."""
        from tui.wizard.pickers import PICKER_SOURCES

        source = PICKER_SOURCES.get(name)
        if source is None or self.session is None:
            return []
        try:
            items = self.call(source.load(self.session, False))
        except (WizardError, Stopped) as error:
            self.say(f"Could not load your {source.noun}: {error}. You can type the SID.")
            return []
        if not items:
            self.say(source.empty_hint)
        return [Option(item.sid, item.label()) for item in items]

    # -- compliance --------------------------------------------------------------

    def load_compliance(self) -> None:
        """What the number needs, from Twilio, each time the step is entered."""
        from tui.wizard.compliance import unusable_bundle_note

        assert self.session is not None
        raw = self.draft.get("phone_number")
        try:
            e164 = rules.phone_number(str(raw or ""))
        except RuleError:
            self.say("Choose a number first (step 2).")
            return
        self.say("Looking up what this number needs…")
        try:
            facts = self.call(self.context.load_facts(self.session, e164, self.draft.picked))
        except (WizardError, Stopped) as error:
            self.context.facts = None
            title = "Twilio's compliance information could not be loaded."
            self.say_error(error if isinstance(error, WizardError) else WizardError("Stopped."), title)
            return
        self.say(*facts.describe_requirements())
        self.say(*(unusable_bundle_note(b) for b in facts.bundles or [] if not b.approved))

    def pickers(self) -> dict[str, list[Option]]:
        """The account's addresses and approved bundles, as the Compliance step's pickers list them."""
        from tui.wizard.compliance import address_fits, address_label, bundle_label

        facts = self.context.facts
        if facts is None:
            return {}
        requirement, country = facts.address_requirement, facts.iso_country
        # Marked by whether they meet the number's requirement, those that do first.
        addresses = sorted(
            facts.addresses or [], key=lambda a: address_fits(a, requirement, country) is False
        )
        return {
            "address_sid": [Option(a.sid, address_label(a, requirement, country)) for a in addresses],
            "emergency_address_sid": [
                Option(a.sid, address_label(a)) for a in addresses if a.emergency_enabled
            ],
            "bundle_sid": [Option(b.sid, bundle_label(b)) for b in facts.bundles or [] if b.approved],
        }

    def compliance_findings(self) -> list[Any]:
        from tui.wizard.compliance import compliance_issues

        facts = self.context.facts
        return compliance_issues(self.draft.request_values(), facts) if facts is not None else []

    def compliance_refusals(self) -> bool:
        return any(issue.refusal for issue in self.compliance_findings())

    def ask_despite_refusals(self) -> Answer:
        """Not an error (the person may know better), but worth one question."""
        self.say(*(f"Warning: {issue.message}" for issue in self.compliance_findings() if issue.refusal))
        go_on = self.ask.yes_no(
            "Twilio will refuse this purchase as it stands. Go on to the review anyway",
            current=False,
            help=["No goes back to the first question of this step, to fix it."],
        )
        return None if go_on else Jump("compliance")

    # -- leaving -----------------------------------------------------------------

    def _draft_of_bought_number(self) -> bool:
        number = self.draft.get("phone_number")
        return any(a.phone_number == number for a in self.bought)

    def confirm_quit(self) -> bool:
        """Leave at once when nothing would be lost; otherwise say what is kept and
        what is not known, and ask (Ctrl+C or quit again answers yes)."""
        unknown = [
            a.phone_number for a in (self.attempt, *self.recovered) if a and a.state is AttemptState.UNKNOWN
        ]
        draft_kept = not self.draft.is_empty() and not self._draft_of_bought_number()
        if not unknown and not draft_kept:
            return True
        self.say(
            *quit_lines(bought=[a.phone_number for a in self.bought], unknown=unknown, draft_kept=draft_kept)
        )
        try:
            leave = self.ask.yes_no("Quit number-wizard", current=False, help=["Ctrl+C again also quits."])
        except QuitAsked:
            return True
        except GoBack:
            return False
        return bool(leave)
