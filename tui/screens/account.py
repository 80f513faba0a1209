"""Step 1, Account: which account is used, where its credentials came from
("from …"), whether Twilio accepts them; switching to a stored profile; and the
form to add credentials (tui/widgets/credentials_form.py), kept in the system
keyring as a profile or for this session only (tui/services/credentials/add.py,
shared with `number-wizard profiles add`).

Everything that touches the keyring runs in a thread and everything that talks
to Twilio in a worker, so the screen never freezes. Typed credentials never go
into the draft.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Select, Static

from tui.domain import credentials as credential_rules
from tui.domain.credentials import MASK, Credentials
from tui.domain.errors import TwilioApiError, TwilioUnreachable, WizardError
from tui.domain.rules import RuleError
from tui.screens.base import StepScreen
from tui.services.credentials.errors import (
    CredentialsError,
    NoCredentialsError,
    ProfileExistsError,
    VerificationError,
)
from tui.services.credentials.guidance import environment_variable_help
from tui.widgets.controls import Button
from tui.widgets.credentials_form import CredentialsForm
from tui.widgets.form_field import FormField
from tui.widgets.text import LiveText

if TYPE_CHECKING:
    # The services that talk to Twilio or the keyring are imported by the threads
    # and workers that use them, after the step's first frame.
    from tui.services.credentials.keyring_store import KeyringStatus
    from tui.services.session import Connection
    from tui.services.twilio import CredentialCheck


class AccountStep(StepScreen):
    STEP_ID = "account"
    INTRO = "The Twilio account the number will be bought on."

    def compose_body(self) -> ComposeResult:
        yield Static(id="account-details")
        yield LiveText("Looking for credentials…", id="account-check", markup=False)
        with Horizontal(id="account-actions"):
            yield Button("Check again", id="check-again", compact=True)
            yield Button("Use other credentials…", id="other-credentials", compact=True)
        # The stored profiles' switch is mounted once there are profiles to switch
        # to (_show_profiles), and the form to add credentials when first opened
        # (open_form): a first start has no profiles, most starts never need the
        # form, and both are a good part of the time the step takes to appear.

    def step_mounted(self) -> None:
        if self.wizard.connection is not None:
            self._connected()
            self.load_profiles()
        else:
            # Once the step is on the screen: resolving loads the API client and the
            # models (the sandbox too), which takes longer than drawing the step.
            self.call_after_refresh(self.resolve_credentials)
            self.call_after_refresh(self.load_profiles)

    def load_from_draft(self) -> None:
        """Nothing here comes from the draft: credentials never go into it."""

    # -- the connection in use ---------------------------------------------------

    def _connected(self) -> None:
        self._show_details()
        self.check_credentials()

    def _show_details(self) -> None:
        details = self.query_one("#account-details", Static)
        rows = self._detail_rows()
        details.display = bool(rows)
        # A grid, so that a long value wraps in its own column at 80 columns.
        grid = Table.grid(padding=(0, 2))
        grid.add_column(no_wrap=True)
        grid.add_column(overflow="fold")
        for label, value in rows:
            grid.add_row(label, Text(value))
        details.update(grid)

    def _detail_rows(self) -> list[tuple[str, str]]:
        connection = self.wizard.connection
        if connection is None:
            return []
        creds = connection.credentials
        if connection.sandbox:
            endpoint = "built-in sandbox (offline)"
        else:
            assert self.wizard.client is not None
            endpoint = self.wizard.client.hosts.api
        auth = f"API key {creds.api_key_sid} + secret {MASK}" if creds.api_key_sid else f"Auth Token {MASK}"
        return [
            ("Account SID", creds.account_sid),
            ("Credentials", auth),
            ("From", creds.source),
            ("Endpoint", endpoint),
        ]

    def _status(self, text: str, state: str | None = None) -> None:
        status = self.query_one("#account-check", LiveText)
        status.update(text)
        status.set_class(state == "ok", "-ok")
        status.set_class(state == "failed", "-failed")

    @work(thread=True, exclusive=True, group="account-resolve", exit_on_error=False)
    def resolve_credentials(self) -> None:
        """--profile, then TWILIO_* variables, then the active profile. A thread:
        reading a profile's secret may wait on the keyring."""
        from tui.services.session import resolve_connection

        request = self.wizard.request
        try:
            connection = resolve_connection(
                sandbox=request.sandbox,
                api_url=request.api_url,
                profile=request.profile,
                env=self.wizard.env,
                store=self.wizard.profiles,
            )
        except (CredentialsError, RuleError) as error:
            self.app.call_from_thread(self._no_credentials, error)
            return
        self.app.call_from_thread(self._use_connection, connection)

    def _no_credentials(self, error: Exception) -> None:
        self.wizard.no_connection_yet()
        if isinstance(error, NoCredentialsError):
            self._status(
                "No Twilio credentials yet: add them below, or start with "
                "`number-wizard --sandbox` to try it offline."
            )
        else:
            self._status("✗ The credentials could not be used.", "failed")
            self.show_step_error(error if isinstance(error, WizardError) else WizardError(str(error)))
        self.call_next(self.open_form, focus=False)

    def _use_connection(self, connection: Connection) -> None:
        self.wizard.set_connection(connection)
        self._connected()

    @work(exclusive=True, group="account-check", exit_on_error=False)
    async def check_credentials(self) -> None:
        client = self.wizard.client
        if client is None:
            return
        self._status("Checking the credentials with Twilio…")
        self.show_step_error(None)
        try:
            check = await client.check_credentials()
        except WizardError as error:
            if self.wizard.session is not None:
                self.wizard.session.account_check = None
            self._status(self._failure(error), "failed")
            self.show_step_error(error)
            await self.open_form(focus=False)  # the way forward: other credentials
            return
        self._accepted(check)

    @staticmethod
    def _failure(error: WizardError) -> str:
        """The status line for a failed check or save: a network failure or a config
        file that cannot be written is not "Twilio did not accept" them."""
        cause = error.cause if isinstance(error, VerificationError) else error
        if isinstance(cause, TwilioUnreachable):
            return "✗ Could not reach Twilio to check the credentials."
        if isinstance(error, (VerificationError, TwilioApiError)):
            return "✗ Twilio did not accept these credentials."
        return "✗ The credentials could not be used."

    def _accepted(self, check: CredentialCheck) -> None:
        if self.wizard.session is not None:
            self.wizard.session.account_check = check
        self._status(self._describe(check), "ok")

    @staticmethod
    def _describe(check: CredentialCheck) -> str:
        if check.account is None:
            return (
                "✓ Twilio accepted the API key. (A Standard key may not read the "
                "account's name and type; that is expected.)"
            )
        account = check.account
        kind = {"Trial": "Trial account", "Full": "Full (paid) account"}.get(
            account.type or "", account.type or ""
        )
        return f"✓ {account.friendly_name or account.sid} · {kind} · {account.status or 'status unknown'}"

    def extra_problems(self) -> list[tuple[FormField | None, str]]:
        session = self.wizard.session
        if session is None or session.account_check is None:
            return [(None, "Twilio has not accepted the credentials yet")]
        return []

    def visible_fields(self) -> list[FormField]:
        # The credentials form has its own button; Next only needs accepted credentials.
        return [f for f in super().visible_fields() if f.spec.group != "account"]

    # -- stored profiles -----------------------------------------------------------

    @work(thread=True, exclusive=True, group="account-profiles", exit_on_error=False)
    def load_profiles(self) -> None:
        try:
            profiles = self.wizard.profiles.list_profiles()
        except CredentialsError:
            return  # an unreadable config is reported when a profile is used
        self.app.call_from_thread(self._show_profiles, [p.name for p in profiles])

    def _show_profiles(self, names: list[str]) -> None:
        options = [(Text(name), name) for name in names]
        shown = self.query("#profile-select").results(Select)
        select = next(shown, None)
        if select is not None:
            select.set_options(options)
            select.display = bool(names)
        elif names:
            self.query_one("#step-body").mount(
                Select[str](options, prompt="Switch to a stored profile", id="profile-select", compact=True),
                after="#account-actions",
            )

    @on(Select.Changed, "#profile-select")
    def profile_chosen(self, event: Select.Changed) -> None:
        event.stop()
        if event.value is not Select.NULL:
            self._status(f"Reading profile {event.value} from the keyring…")
            self.switch_profile(str(event.value))

    @work(thread=True, exclusive=True, group="account-resolve", exit_on_error=False)
    def switch_profile(self, name: str) -> None:
        try:
            credentials = self.wizard.profiles.load(name)
        except CredentialsError as error:
            self.app.call_from_thread(self._no_credentials, error)
            return
        self.app.call_from_thread(self._use_credentials, credentials)

    def _use_credentials(self, credentials: Credentials) -> None:
        self._use_connection(self._endpoint().with_credentials(credentials))

    def _endpoint(self) -> Connection:
        """Where new credentials are checked and used: the current endpoint (the
        sandbox, a served one, Twilio), else what the command line asked for."""
        from tui.services.session import Connection

        current = self.wizard.connection
        if current is not None:
            return current
        placeholder = Credentials("", credential_rules.Secret(""))
        return Connection(placeholder, api_url=self.wizard.request.api_url)

    # -- adding credentials ----------------------------------------------------------

    @property
    def form(self) -> CredentialsForm:
        """The form to add credentials (once opened)."""
        return self.query_one(CredentialsForm)

    async def open_form(self, *, focus: bool = True) -> None:
        """Show the form, mounting it the first time; `focus=False` when opened for
        the person (no credentials, refused ones) so the explanation above it stays
        in view."""
        if not self.query(CredentialsForm):
            # Below the profiles' switch, if there is one.
            above = "#profile-select" if self.query("#profile-select") else "#account-actions"
            await self.query_one("#step-body").mount(CredentialsForm(self._environment_help), after=above)
        if self.form.open(cancellable=self.wizard.connection is not None):
            self.load_keyring_status()
        if focus:
            self.form.focus_first()

    def _environment_help(self, api_key: bool) -> list[str]:
        # The platform the profile store's keyring was set up for: no detection (a
        # file read) on the UI thread, and the same platform as its advice.
        return environment_variable_help(self.wizard.profiles.platform, api_key=api_key)

    @work(thread=True, exclusive=True, group="account-keyring", exit_on_error=False)
    def load_keyring_status(self) -> None:
        status = self.wizard.profiles.keyring_status()
        self.app.call_from_thread(self._show_keyring_status, status)

    def _show_keyring_status(self, status: KeyringStatus) -> None:
        if status.usable:
            text = f"✓ Secrets are saved in: {status.backend or 'the system keyring'}."
        else:
            text = f"⚠ No usable system keyring, so nothing can be saved.\n{status.explain()}"
        self.form.show_keyring(status.usable, text)

    def store_field(self, form_field: FormField, value: object) -> bool:
        # Credentials never go into the draft (it is saved to disk).
        return False

    @on(CredentialsForm.Submitted)
    def credentials_submitted(self, event: CredentialsForm.Submitted) -> None:
        event.stop()
        self.form.set_busy(True)
        self._status("Checking the credentials with Twilio…")
        self.verify_and_use(event.credentials, event.profile)

    def _saving(self) -> None:
        # The keyring may wait on an unlock dialog (up to the long write timeout),
        # so say what is being waited for.
        self._status("Saving the secret in the system keyring… If it asks to be unlocked, answer its dialog.")

    @work(exclusive=True, group="account-add", exit_on_error=False)
    async def verify_and_use(self, credentials: Credentials, profile: str | None) -> None:
        from tui.services.credentials.add import add_credentials

        endpoint = self._endpoint()
        try:
            added = await add_credentials(
                credentials,
                store=self.wizard.profiles,
                profile=profile,
                session_if_unsaved=True,
                api_url=endpoint.api_url,
                transport=endpoint.transport,
                on_saving=self._saving,
            )
        except ProfileExistsError as error:
            self.form.show_field_error("profile_name", f"{error} Choose another name.")
            self._status("Not saved.", "failed")
            return
        except WizardError as error:
            self._status(self._failure(error), "failed")
            self.show_step_error(error)
            return
        finally:
            self.form.set_busy(False)
        if added.unsaved is not None:
            # Twilio accepted them; only saving failed: they are used for this
            # session only, and the step says so.
            self.show_step_error(
                added.unsaved,
                title="Not saved: the system keyring cannot be used. "
                "The credentials are used for this session only.",
            )
            self._show_keyring_status(added.unsaved.status)
        self.wizard.set_connection(endpoint.with_credentials(added.credentials))
        self._show_details()
        self._accepted(added.verified.check)
        self.form.close()
        self.load_profiles()

    def on_screen_suspend(self) -> None:
        # A secret typed but not submitted does not stay in the widget while the
        # person is elsewhere in the wizard.
        for form in self.query(CredentialsForm):
            form.clear_secret()

    @on(Button.Pressed, "#check-again")
    def check_again_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.check_credentials()

    @on(Button.Pressed, "#other-credentials")
    async def other_credentials_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        await self.open_form()
