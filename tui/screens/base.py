"""The base of every wizard step: chrome, Back/Next, draft in and out, checks.

A step screen is installed once (App.SCREENS) and kept while the person moves
around, so Back never loses typed values; it also refills itself from the draft
whenever it is shown, so a change made elsewhere (a number picked from the
search, a resumed draft) is reflected.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, cast

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Header, Input, Static
from textual.worker import Worker, WorkerState

from tui.domain.errors import WizardError
from tui.domain.fields import field as field_spec
from tui.services import gc_pause
from tui.widgets.chrome import ErrorPanel, SandboxBanner, StepIndicator
from tui.widgets.controls import Button
from tui.widgets.field_help import FieldHelp, spec_of
from tui.widgets.footer import SteadyFooter
from tui.widgets.form_field import FormField
from tui.wizard.context import PurchaseContext
from tui.wizard.draft import WizardDraft
from tui.wizard.flow import STEPS, STEPS_BY_ID, next_step, previous_step, step_index

if TYPE_CHECKING:
    from tui.app import WizardApp
    from tui.services.account_session import AccountSession
    from tui.services.session import Connection
    from tui.services.twilio import TwilioClient


# Tab and Shift+Tab move the focus the moment they are read. Textual sends each key
# to the widget focused when the key arrives, and its own Tab binding acts only
# once Tab has gone to that widget and bubbled back: text typed or pasted right
# after a Tab (one burst from the terminal) went to the previous widget and was
# lost. A priority binding runs on arrival, before the next key is routed.
FOCUS_BINDINGS: tuple[Binding, ...] = (
    Binding("tab", "app.focus_next", "Next field", show=False, priority=True, id="focus-next"),
    Binding(
        "shift+tab", "app.focus_previous", "Previous field", show=False, priority=True, id="focus-previous"
    ),
)


class StepScreen(Screen[None]):
    STEP_ID: ClassVar[str]
    INTRO: ClassVar[str] = ""
    # The first control of the step gets the focus, not the scrolling container,
    # so a keyboard user can start typing at once.
    AUTO_FOCUS = "#step-body *"
    _shown_before = False  # see on_screen_resume
    _styles_when_suspended: int | None = None  # the app's styles_version then

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "ctrl+n",
            "next",
            "Next",
            id="next",
            priority=True,
            tooltip="Check this step and go to the next one",
        ),
        Binding(
            "ctrl+b",
            "back",
            "Back",
            id="back",
            priority=True,
            tooltip="Go to the previous step (nothing is lost)",
        ),
        *FOCUS_BINDINGS,
        Binding("f1", "field_help", "Help", id="field-help", tooltip="What the focused field does"),
        # "?" only where it is not typed into a field (see check_action).
        Binding("question_mark", "field_help_by_key", "Help", id="field-help-key", show=False),
        Binding("escape", "close_field_help", "Close help", id="close-field-help", show=False),
    ]

    @property
    def wizard(self) -> WizardApp:
        return cast("WizardApp", self.app)

    @property
    def draft(self) -> WizardDraft:
        return self.wizard.draft

    @property
    def connection(self) -> Connection:
        """The connection in use. Every step after Account has one: `WizardApp.goto`
        sends the person back to the Account step until there is."""
        connection = self.wizard.connection
        if connection is None:
            raise RuntimeError(f"the {self.STEP_ID} step was shown without a connection")
        return connection

    @property
    def client(self) -> TwilioClient:
        """The client of the connection in use (see `connection`)."""
        client = self.wizard.client
        if client is None:
            raise RuntimeError(f"the {self.STEP_ID} step was shown without a connection")
        return client

    @property
    def session(self) -> AccountSession:
        """What is known about the account in use (see AccountSession)."""
        session = self.wizard.session
        if session is None:
            raise RuntimeError(f"the {self.STEP_ID} step was shown without a connection")
        return session

    @property
    def context(self) -> PurchaseContext:
        """What is known about the purchase in progress (forgotten by Buy another)."""
        return self.wizard.context

    @property
    def step_title(self) -> str:
        return STEPS_BY_ID[self.STEP_ID].title

    # -- layout -------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False, icon="☰")
        if self.wizard.is_sandbox:
            yield SandboxBanner()
        yield StepIndicator(self.STEP_ID)
        with VerticalScroll(id="step-body"):
            yield Static(self.step_title, classes="step-title", markup=False)
            if self.INTRO:
                yield Static(self.INTRO, classes="step-intro", markup=False)
            yield from self.compose_body()
        yield FieldHelp()
        yield ErrorPanel(id="step-error")
        with Horizontal(id="nav"):
            yield Button("◀ Back", id="back", compact=True, disabled=self.STEP_ID == "account")
            yield from self.compose_nav()
            yield Static(id="nav-status", markup=False)
            yield Button(self.next_label(), id="next", variant="primary", compact=True)
        yield SteadyFooter()

    def compose_body(self) -> ComposeResult:
        yield from ()

    def compose_nav(self) -> ComposeResult:
        """Hook: a step's own buttons, between Back and Next."""
        yield from ()

    def next_label(self) -> str:
        following = next_step(self.STEP_ID)
        return f"Next: {STEPS_BY_ID[following].title} ▶" if following else "Next ▶"

    def form_field(self, name: str, **options: Any) -> FormField:
        return FormField(field_spec(name), **options)

    # -- lifecycle ----------------------------------------------------------

    # Textual calls a message handler of *every* class in the MRO (unless one
    # calls prevent_default), so step screens do not override the on_* handlers
    # below: they fill in the hooks these call (step_mounted, step_shown,
    # store_field).

    def on_mount(self) -> None:
        index = step_index(self.STEP_ID) + 1
        self.sub_title = f"Step {index} of {len(STEPS)} · {self.step_title}"
        self.load_from_draft()
        self.step_mounted()
        # The first step on the screen ends the start: the collector resumes.
        self.call_after_refresh(gc_pause.resume)

    def step_mounted(self) -> None:
        """Hook: the step was mounted (start loading what it shows)."""

    def on_screen_resume(self, event: events.ScreenResume) -> None:
        # Textual restyles the whole screen on every resume, for a screen that
        # comes back after the app's styles changed (a theme chosen meanwhile).
        # On its first showing each widget was styled as it mounted, moments ago;
        # on a return, it is as it was left unless the styles changed since: in
        # both cases the same work again, about a quarter of the styling of
        # opening a step. Changes made below restyle what they change, as always.
        if not self._shown_before or self._styles_when_suspended == self.wizard.styles_version:
            event.refresh_styles = False
        self._shown_before = True
        self.query_one(StepIndicator).set_done(self.wizard.done_steps)
        self.load_from_draft()
        pending = self.wizard.pending_errors.pop(self.STEP_ID, None)
        if pending is not None:
            self.show_step_error(pending)
        self.step_shown()
        # Every arrival starts at the step's first field, never on the Back or Next
        # button the focus was left on (Enter there would leave the step again).
        self.call_after_refresh(self.focus_first_field)

    def on_screen_suspend(self) -> None:
        # Left with the styles of this moment: refresh_css restyles every screen
        # in the stack, this one included until now.
        self._styles_when_suspended = self.wizard.styles_version

    def focus_first_field(self) -> None:
        if self.app.screen is not self or not self.AUTO_FOCUS:
            return
        target = next((widget for widget in self.query(self.AUTO_FOCUS) if widget.focusable), None)
        if target is not None:
            target.focus()

    def step_shown(self) -> None:
        """Hook: the step became the current screen (again)."""

    def form_fields(self) -> list[FormField]:
        """The step's fields, those being added this moment left out: a field added
        after the step was built fills itself from the draft once it is mounted
        (`FormField(value=…)`), and has nothing typed in it until then."""
        return [form_field for form_field in self.query(FormField) if form_field.is_mounted]

    def load_from_draft(self) -> None:
        for form_field in self.form_fields():
            form_field.set_value(self.draft.get(form_field.field_name))

    def on_form_field_value_changed(self, event: FormField.ValueChanged) -> None:
        event.stop()
        self.show_step_error(None)
        if self.store_field(event.form_field, event.value):
            self.wizard.draft_changed()
        self.after_change()

    def stored_value(self, form_field: FormField) -> Any:
        """Hook: the value kept for a field (where `store_field` puts it)."""
        return self.draft.get(form_field.field_name)

    def store_field(self, form_field: FormField, value: Any) -> bool:
        """Hook: keep a changed value; True when the draft changed."""
        self.draft.set(form_field.field_name, value)
        return True

    def after_change(self) -> None:
        """Hook: a field changed (recompute dependent text, warnings…)."""

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if not self.input_submitted(event.input):
            # Enter moves on, like Tab, so a keyboard user can walk the form.
            self.focus_next()

    def input_submitted(self, control: Input) -> bool:
        """Hook: Enter in an input; True when the step acted on it."""
        return False

    # -- errors -------------------------------------------------------------

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        # Workers run with exit_on_error=False; one that failed all the same (a
        # bug) is reported, never left to fail silently.
        if event.state is WorkerState.ERROR:
            self.wizard.report_worker_error(self, event.worker)

    def worker_failed(self, group: str) -> None:
        """Hook: a worker of this step failed unexpectedly; undo what it left busy
        (a spinner, a disabled button, a "Looking up…" line)."""
        self.set_status("")

    def show_step_error(self, error: WizardError | None, *, title: str | None = None) -> None:
        self.query_one("#step-error", ErrorPanel).show(error, title=title)

    def set_status(self, text: str) -> None:
        self.query_one("#nav-status", Static).update(text)

    # -- checks and navigation ---------------------------------------------

    def visible_fields(self) -> list[FormField]:
        return [
            f
            for f in self.form_fields()
            if f.display and all(a.display for a in f.ancestors_with_self if hasattr(a, "display"))
        ]

    def take_shown_values(self) -> None:
        """Keep in the draft what every field shows now. A value reaches the draft
        by messages (the input's Changed, then the field's ValueChanged), and Next
        pressed right after typing, a paste or a loaded machine, can be handled
        before they are: the step would then judge an older value than the one on
        the screen (a URL shown, "Enter the SMS URL" said)."""
        changed = False
        for form_field in self.form_fields():
            if not isinstance(form_field.control, Input):
                # A switch or a select changes by one event, not a stream of
                # keys; an untouched switch shows False where the draft keeps
                # "left to Twilio's default".
                continue
            value = form_field.value
            if (value if value != "" else None) != self.stored_value(form_field):
                changed = self.store_field(form_field, value) or changed
        if changed:
            self.wizard.draft_changed()
            self.after_change()

    def check_step(self) -> list[tuple[FormField | None, str]]:
        """Problems that keep the person on this step: field rules of the visible
        fields, a chosen mode's missing key field, and cross-field errors."""
        self.take_shown_values()
        fields = {f.field_name: f for f in self.visible_fields()}
        for form_field in fields.values():
            form_field.show_error(None)
        errors = self.draft.field_errors(tuple(fields))
        problems: list[tuple[FormField | None, str]] = []
        for name, message in errors.items():
            problems.append((fields.get(name), message))
        for issue in self.draft.issues():
            if issue.level == "error" and issue.fields[0] in fields and issue.fields[0] not in errors:
                problems.append((fields[issue.fields[0]], issue.message))
        problems.extend(self.extra_problems())
        for shown_at, message in problems:
            if shown_at is not None:
                shown_at.show_error(message)
        return problems

    def extra_problems(self) -> list[tuple[FormField | None, str]]:
        """Hook for step-specific checks."""
        return []

    def action_next(self) -> None:
        problems = self.check_step()
        if problems:
            # The first field *on the screen* gets the cursor, each field counted once.
            flagged = {f for f, _ in problems if f is not None}
            on_fields = [f for f in self.form_fields() if f in flagged]
            if on_fields:
                count = len(on_fields)
                self.set_status(f"{count} field{'s need' if count > 1 else ' needs'} attention")
                on_fields[0].focus_control()
                on_fields[0].scroll_visible()
            else:
                self.set_status(problems[0][1])
            return
        self.set_status("")
        self.wizard.mark_done(self.STEP_ID)
        following = next_step(self.STEP_ID)
        if following:
            self.wizard.goto(following)

    def action_back(self) -> None:
        previous = previous_step(self.STEP_ID)
        if previous:
            self.wizard.goto(previous)

    # -- field help -----------------------------------------------------------

    def action_field_help(self) -> None:
        """Open the help of the focused field (or close it when open)."""
        panel = self.query_one(FieldHelp)
        if panel.display:
            panel.hide()
        else:
            panel.show_for(spec_of(self.focused))

    def action_field_help_by_key(self) -> None:
        self.action_field_help()

    def action_close_field_help(self) -> None:
        self.query_one(FieldHelp).hide()

    def show_field_help(self, name: str, note: str = "") -> None:
        """Open the help of a field by name (the palette's field search)."""
        self.query_one(FieldHelp).show_for(field_spec(name), note=note)

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        # The open panel follows the focus from field to field.
        panel = self.query_one(FieldHelp)
        if panel.display:
            spec = spec_of(event.widget)
            if spec is not None:
                panel.show_for(spec)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "field_help_by_key" and isinstance(self.focused, Input):
            return False  # "?" is text in an input: only F1 opens the help there
        if action == "close_field_help":
            return self.query_one(FieldHelp).display
        if action == "back" and previous_step(self.STEP_ID) is None:
            return None  # shown dimmed on the first step
        return True

    # Buttons: one handler per button, `@on(Button.Pressed, "#its-id")`, in the
    # class that composes it (Textual runs the handlers of every class in the MRO).

    @on(Button.Pressed, "#next")
    def next_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_next()

    @on(Button.Pressed, "#back")
    def back_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_back()
