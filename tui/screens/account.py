"""Step 1, Account: which account is used, where its credentials came from
("from …"), whether Twilio accepts them; and a form to add credentials, kept in
the system keyring as a profile or for this session only.

Everything that touches the keyring runs in a thread and everything that talks
to Twilio in a worker, so the screen never freezes. Typed credentials never go
into the draft; the secret is wrapped in a `Secret` the moment it is read and its
input is cleared.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widget import AwaitMount
from textual.widgets import Button, Checkbox, Input, RadioButton, RadioSet, Select, Static

from tui.domain import credentials as credential_rules
from tui.domain.credentials import MASK, Credentials
from tui.domain.errors import TwilioApiError, TwilioUnreachable, WizardError
from tui.domain.rules import RuleError
from tui.screens.base import StepScreen
from tui.services.credentials.errors import (
    CredentialsError,
    KeyringUnavailableError,
    NoCredentialsError,
    ProfileExistsError,
    VerificationError,
)
from tui.services.credentials.guidance import environment_variable_help
from tui.services.session import Connection
from tui.widgets.form_field import FormField
from tui.widgets.text import LiveText
from tui.wizard.account import ACCOUNT_FIELDS, ACCOUNT_FIELDS_BY_NAME, SECRET_SPECS

if TYPE_CHECKING:
    # The services that talk to Twilio or the keyring are imported by the threads
    # and workers that use them, after the step's first frame.
    from tui.services.credentials.keyring_store import KeyringStatus
    from tui.services.credentials.verify import VerifiedCredentials
    from tui.services.twilio import CredentialCheck

TYPED_SOURCE = "typed on the Account step"


def check_region_and_edge(region: str | None, edge: str | None) -> tuple[str | None, str | None]:
    """The profile store's rule, imported when used (it brings keyring and httpx)."""
    from tui.services.credentials.profiles import check_region_and_edge as check

    return check(region, edge)


class AccountStep(StepScreen):
    STEP_ID = "account"
    INTRO = "The Twilio account the number will be bought on."

    def __init__(self) -> None:
        super().__init__()
        self._form_open = False  # shown, or being built to be shown

    def compose_body(self) -> ComposeResult:
        yield Static(id="account-details")
        yield LiveText("Looking for credentials…", id="account-check", markup=False)
        with Horizontal(id="account-actions"):
            yield Button("Check again", id="check-again", compact=True)
            yield Button("Use other credentials…", id="other-credentials", compact=True)
        # The stored profiles' Select is added once there are profiles (_show_profiles).
        # Filled in when first opened (see open_form): most sessions never open it,
        # and its widgets would be most of the step's first frame.
        form = Vertical(id="credentials-form")
        form.display = False
        yield form

    def compose_form(self) -> ComposeResult:
        yield Static("Add credentials", classes="step-subtitle", markup=False)
        yield LiveText("Checking the system keyring…", id="keyring-status", markup=False)
        with RadioSet(id="auth-kind"):
            yield RadioButton("API key and secret (recommended)", True, id="auth-api_key")
            yield RadioButton("Auth Token", id="auth-auth_token")
        for spec in ACCOUNT_FIELDS:
            yield FormField(spec)
        yield Checkbox(
            "Save as a profile (the secret goes to the system keyring)",
            True,
            id="save-profile",
            compact=True,
        )
        with Vertical(id="without-keyring") as without:
            without.display = False
            with RadioSet(id="without-keyring-choice"):
                yield RadioButton(
                    "Use them for this session only (nothing is saved)", True, id="choice-session"
                )
                yield RadioButton("I will set environment variables instead", id="choice-env")
            yield LiveText("", id="env-help", markup=False)
        with Horizontal(classes="form-buttons"):
            yield Button("Check and use", id="use-credentials", variant="primary", compact=True)
            yield Button("Cancel", id="cancel-credentials", compact=True)

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
                store=None if request.sandbox else self.wizard.profiles,
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
        self.open_form(focus=False)

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
            self.open_form(focus=False)  # the way forward: other credentials
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
        options = [(name, name) for name in names]
        found = self.query("#profile-select").results(Select)
        select = next(found, None)
        if select is None:
            if names:
                select = Select[str](
                    options, prompt="Switch to a stored profile", id="profile-select", compact=True
                )
                self.query_one("#step-body").mount(select, after="#account-actions")
            return
        select.set_options(options)
        select.display = bool(names)

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
        current = self.wizard.connection
        if current is not None:
            return current
        placeholder = Credentials("", credential_rules.Secret(""))
        return Connection(placeholder, api_url=self.wizard.request.api_url)

    # -- adding credentials ----------------------------------------------------------

    def open_form(self, *, focus: bool = True) -> None:
        """Show the form; `focus=False` when opened for the person (no credentials,
        refused ones) so the explanation above it stays in view."""
        if not self._form_open:
            self._form_open = True
            form = self.query_one("#credentials-form")
            mounted = form.mount_compose(self.compose_form()) if not form.children else None
            self.call_later(self._show_form, mounted)
        if focus:
            # Queued after _show_form: the first time, the fields compose first.
            self.call_later(self._focus_form)

    async def _show_form(self, mounted: AwaitMount | None) -> None:
        if mounted is not None:
            await mounted  # the fields have composed their inputs
        if not self._form_open:
            return  # closed meanwhile
        self.query_one("#credentials-form").display = True
        self.query_one("#cancel-credentials", Button).display = self.wizard.connection is not None
        self._sync_kind()
        self.load_keyring_status()

    def _focus_form(self) -> None:
        if self._form_open:
            self.query_one("#field-account_sid_input", FormField).focus_control()

    def close_form(self) -> None:
        self._form_open = False
        self.query_one("#credentials-form").display = False
        self._clear_secret()

    @work(thread=True, exclusive=True, group="account-keyring", exit_on_error=False)
    def load_keyring_status(self) -> None:
        status = self.wizard.profiles.keyring_status()
        self.app.call_from_thread(self._show_keyring_status, status)

    def _show_keyring_status(self, status: KeyringStatus) -> None:
        text = self.query_one("#keyring-status", LiveText)
        save = self.query_one("#save-profile", Checkbox)
        without = self.query_one("#without-keyring")
        if status.usable:
            text.update(f"✓ Secrets are saved in: {status.backend or 'the system keyring'}.")
            text.set_class(False, "-failed")
            save.disabled = False
            without.display = False
        else:
            text.update(f"⚠ No usable system keyring, so nothing can be saved.\n{status.explain()}")
            text.set_class(True, "-failed")
            save.value = False
            save.disabled = True
            without.display = True
        self._sync_save()

    def _kind(self) -> str:
        pressed = self.query_one("#auth-kind", RadioSet).pressed_button
        return "auth_token" if pressed is not None and pressed.id == "auth-auth_token" else "api_key"

    def _sync_kind(self) -> None:
        kind = self._kind()
        self.query_one("#field-api_key_sid_input").display = kind == "api_key"
        # The secret field takes the rule of the kind chosen (an Auth Token's length),
        # checked when the person leaves it, as every other field.
        secret_field = self.query_one("#field-secret_input", FormField)
        secret_field.spec = SECRET_SPECS[kind]
        secret_field.query_one(".field-label", Static).update(f"{secret_field.spec.label} *")
        if secret_field.error:
            secret_field.check()  # an error shown under the other rule may no longer hold

    def _sync_save(self) -> None:
        self.query_one("#field-profile_name").display = self.query_one("#save-profile", Checkbox).value
        env_chosen = self.query_one("#choice-env", RadioButton).value
        help_text = ""
        if self.query_one("#without-keyring").display and env_chosen:
            # The platform the profile store's keyring was set up for: no detection
            # (a file read) on the UI thread, and the same platform as its advice.
            lines = environment_variable_help(
                self.wizard.profiles.platform, api_key=self._kind() == "api_key"
            )
            help_text = "\n".join([*lines, "Then start number-wizard again from that shell."])
        self.query_one("#env-help", LiveText).update(help_text)
        self.query_one("#use-credentials", Button).disabled = bool(help_text)

    @on(RadioSet.Changed, "#auth-kind")
    def kind_changed(self, event: RadioSet.Changed) -> None:
        event.stop()
        self._sync_kind()
        self._sync_save()

    @on(RadioSet.Changed, "#without-keyring-choice")
    @on(Checkbox.Changed, "#save-profile")
    def save_choice_changed(self, event: Any) -> None:
        event.stop()
        self._sync_save()

    def store_field(self, form_field: FormField, value: Any) -> bool:
        # Credentials never go into the draft (it is saved to disk).
        return False

    def _clear_secret(self) -> None:
        # Without an Input.Changed: the field would check its now empty value and
        # replace the error just shown there (a 31-character token…) with
        # "Secret is required.".
        # (No input before the form was first opened.)
        for secret_input in self.query("#control-secret_input").results(Input):
            with self.prevent(Input.Changed):
                secret_input.value = ""

    def _read_form(self) -> tuple[Credentials | None, str | None]:
        """The typed credentials (secret wrapped, input cleared) and the profile name
        to save them under, or None after showing the problems at the fields."""
        fields = {spec.name: self.query_one(f"#field-{spec.name}", FormField) for spec in ACCOUNT_FIELDS}
        # Wrapped the moment it is read, and the input cleared at once (valid or not):
        # no local variable of this frame holds the secret in the clear, since a crash
        # here would print them all (Textual's traceback shows locals).
        typed_secret = fields["secret_input"].value  # a Secret (FormField wraps it)
        self._clear_secret()
        api_key = self._kind() == "api_key"
        saving = self.query_one("#save-profile", Checkbox).value
        raw = {
            name: (form_field.value or "").strip()
            for name, form_field in fields.items()
            if name != "secret_input"
        }
        rules = {
            "profile_name": ACCOUNT_FIELDS_BY_NAME["profile_name"].check if saving else None,
            "account_sid_input": credential_rules.account_sid,
            "api_key_sid_input": credential_rules.api_key_sid if api_key else None,
            "secret_input": credential_rules.api_key_secret if api_key else credential_rules.auth_token,
            "region_input": ACCOUNT_FIELDS_BY_NAME["region_input"].check if raw["region_input"] else None,
            "edge_input": ACCOUNT_FIELDS_BY_NAME["edge_input"].check if raw["edge_input"] else None,
        }
        values: dict[str, Any] = {}
        problems: list[FormField] = []
        for name, rule in rules.items():
            fields[name].show_error(None)
            if rule is None:
                continue
            try:
                values[name] = rule(typed_secret if name == "secret_input" else raw[name])
            except RuleError as error:
                fields[name].show_error(str(error))
                problems.append(fields[name])
        if not problems:
            try:
                region, edge = check_region_and_edge(values.get("region_input"), values.get("edge_input"))
            except RuleError as error:
                fields["region_input"].show_error(str(error))
                problems.append(fields["region_input"])
        if problems:
            problems[0].focus_control()
            return None, None
        credentials = Credentials(
            account_sid=values["account_sid_input"],
            secret=values["secret_input"],
            api_key_sid=values.get("api_key_sid_input"),
            region=region,
            edge=edge,
            source=TYPED_SOURCE,
        )
        return credentials, values.get("profile_name")

    def submit_form(self) -> None:
        credentials, profile = self._read_form()
        if credentials is not None:
            self.query_one("#use-credentials", Button).disabled = True
            self._status("Checking the credentials with Twilio…")
            self.verify_and_use(credentials, profile)

    @work(exclusive=True, group="account-add", exit_on_error=False)
    async def verify_and_use(self, credentials: Credentials, profile: str | None) -> None:
        from tui.services.credentials.resolve import for_this_session
        from tui.services.credentials.verify import verify_credentials

        endpoint = self._endpoint()
        try:
            verified = await verify_credentials(
                credentials, api_url=endpoint.api_url, transport=endpoint.transport
            )
            if profile is not None:
                # A thread: the keyring may wait on an unlock dialog (up to the long
                # write timeout), so say what is being waited for.
                self._status(
                    "Saving the secret in the system keyring… If it asks to be unlocked, answer its dialog."
                )
                await asyncio.to_thread(self.wizard.profiles.save, profile, verified)
                used = await asyncio.to_thread(self.wizard.profiles.load, profile)
            else:
                used = for_this_session(credentials)
        except ProfileExistsError as error:
            self.query_one("#field-profile_name", FormField).show_error(f"{error} Choose another name.")
            self._status("Not saved.", "failed")
            return
        except KeyringUnavailableError as error:
            # Twilio accepted them; only saving failed. Rather than make the person
            # type the secret again, use them the default way without a keyring:
            # for this session only, and say so.
            self.show_step_error(
                error,
                title="Not saved: the system keyring cannot be used. "
                "The credentials are used for this session only.",
            )
            self._show_keyring_status(error.status)
            self._use_verified(endpoint, for_this_session(credentials), verified)
            return
        except WizardError as error:
            self._status(self._failure(error), "failed")
            self.show_step_error(error)
            return
        finally:
            self.query_one("#use-credentials", Button).disabled = False
        self._use_verified(endpoint, used, verified)

    def _use_verified(self, endpoint: Connection, used: Credentials, verified: VerifiedCredentials) -> None:
        self.wizard.set_connection(endpoint.with_credentials(used))
        self._show_details()
        self._accepted(verified.check)
        self.close_form()
        self.load_profiles()

    def on_screen_suspend(self) -> None:
        # A secret typed but not submitted does not stay in the widget while the
        # person is elsewhere in the wizard.
        self._clear_secret()

    def button_pressed(self, button: Button) -> None:
        handlers = {
            "check-again": self.check_credentials,
            "other-credentials": self.open_form,
            "use-credentials": self.submit_form,
            "cancel-credentials": self.close_form,
        }
        handler = handlers.get(str(button.id))
        if handler is not None:
            handler()
