"""The form that adds credentials on the Account step: the kind (API key or Auth
Token), the SIDs, the secret, an optional region and edge, and whether to save
them as a profile or use them for this session only.

Every field and its rule come from the account field catalogue
(tui/wizard/account.py); the form only decides which fields apply (the API key
SID for an API key, the profile name when saving, region and edge when given).
It checks and collects, then posts `Submitted` (Cancel just closes it); checking the credentials with
Twilio and keeping them is the screen's job (through the services). The secret is
wrapped in a `Secret` the moment it is read, and its input is cleared.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Checkbox, Input, RadioSet, Static

from tui.domain.credentials import Credentials
from tui.domain.rules import RuleError
from tui.widgets.controls import Button, RadioButton
from tui.widgets.form_field import FormField
from tui.widgets.text import LiveText
from tui.widgets.tickbox import TickBox
from tui.wizard.account import ACCOUNT_FIELDS, SECRET_SPECS, TYPED_SOURCE, region_and_edge

# The environment-variable advice for an API key (True) or an Auth Token (False).
EnvironmentHelp = Callable[[bool], list[str]]


class CredentialsForm(Vertical):
    """`CredentialsForm(environment_help)`; hidden until `open()`."""

    class Submitted(Message):
        """Valid credentials were typed: check them and use them (and save them as
        `profile`, unless it is None)."""

        def __init__(self, credentials: Credentials, profile: str | None) -> None:
            super().__init__()
            self.credentials = credentials
            self.profile = profile

    def __init__(self, environment_help: EnvironmentHelp, *, id: str = "credentials-form") -> None:
        super().__init__(id=id)
        self._environment_help = environment_help
        self.display = False

    def compose(self) -> ComposeResult:
        yield Static("Add credentials", classes="step-subtitle", markup=False)
        yield LiveText("Checking the system keyring…", id="keyring-status", markup=False)
        with RadioSet(id="auth-kind"):
            yield RadioButton("API key and secret (recommended)", True, id="auth-api_key")
            yield RadioButton("Auth Token", id="auth-auth_token")
        for spec in ACCOUNT_FIELDS:
            yield FormField(spec)
        yield TickBox(
            "Save as a profile (the secret goes to the system keyring)", True, id="save-profile", compact=True
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

    # -- showing and hiding -------------------------------------------------------

    def open(self, *, cancellable: bool) -> bool:
        """Show the form (`cancellable`: there are credentials to go back to).
        True when it was hidden until now."""
        if self.display:
            return False
        self.display = True
        self.query_one("#cancel-credentials", Button).display = cancellable
        self._sync_kind()
        return True

    def close(self) -> None:
        self.display = False
        self.clear_secret()

    def focus_first(self) -> None:
        self._field("account_sid_input").focus_control()

    def clear_secret(self) -> None:
        # Without an Input.Changed: the field would check its now empty value and
        # replace the error just shown there (a 31-character token…) with
        # "Secret is required.".
        secret_input = self._field("secret_input").control
        assert isinstance(secret_input, Input)
        with self.prevent(Input.Changed):
            secret_input.value = ""

    def show_keyring(self, usable: bool, text: str) -> None:
        """Say where the secret would be saved; without a usable keyring, nothing
        can be saved and the session-only and environment choices appear."""
        status = self.query_one("#keyring-status", LiveText)
        status.update(text)
        status.set_class(not usable, "-failed")
        save = self.query_one("#save-profile", Checkbox)
        save.disabled = not usable
        if not usable:
            save.value = False
        self.query_one("#without-keyring").display = not usable
        self._sync_save()

    def set_busy(self, busy: bool) -> None:
        """While the credentials are checked and saved: no second submission."""
        self.query_one("#use-credentials", Button).disabled = busy or self._environment_chosen()

    def show_field_error(self, name: str, message: str) -> None:
        self._field(name).show_error(message)

    # -- the choices --------------------------------------------------------------

    def _field(self, name: str) -> FormField:
        return self.query_one(f"#field-{name}", FormField)

    def _api_key(self) -> bool:
        pressed = self.query_one("#auth-kind", RadioSet).pressed_button
        return pressed is None or pressed.id != "auth-auth_token"

    def _saving(self) -> bool:
        return self.query_one("#save-profile", Checkbox).value

    def _environment_chosen(self) -> bool:
        return bool(
            self.query_one("#without-keyring").display and self.query_one("#choice-env", RadioButton).value
        )

    def _sync_kind(self) -> None:
        api_key = self._api_key()
        self._field("api_key_sid_input").display = api_key
        # The secret field takes the rule of the kind chosen (an Auth Token's length),
        # checked when the person leaves it, as every other field.
        secret_field = self._field("secret_input")
        secret_field.spec = SECRET_SPECS["api_key" if api_key else "auth_token"]
        secret_field.query_one(".field-label", Static).update(f"{secret_field.spec.label} *")
        if secret_field.error:
            secret_field.check()  # an error shown under the other rule may no longer hold

    def _sync_save(self) -> None:
        self._field("profile_name").display = self._saving()
        help_text = ""
        if self._environment_chosen():
            lines = self._environment_help(self._api_key())
            help_text = "\n".join([*lines, "Then start number-wizard again from that shell."])
        self.query_one("#env-help", LiveText).update(help_text)
        self.query_one("#use-credentials", Button).disabled = bool(help_text)

    @on(RadioSet.Changed, "#auth-kind")
    def _kind_changed(self, event: RadioSet.Changed) -> None:
        event.stop()
        self._sync_kind()
        self._sync_save()

    @on(RadioSet.Changed, "#without-keyring-choice")
    @on(Checkbox.Changed, "#save-profile")
    def _save_choice_changed(self, event: Any) -> None:
        event.stop()
        self._sync_save()

    # -- submitting ---------------------------------------------------------------

    @on(Button.Pressed, "#use-credentials")
    def submit(self, event: Button.Pressed | None = None) -> None:
        if event is not None:
            event.stop()
        credentials, profile = self._read()
        if credentials is not None:
            self.post_message(self.Submitted(credentials, profile))

    @on(Button.Pressed, "#cancel-credentials")
    def _cancel(self, event: Button.Pressed) -> None:
        event.stop()
        self.close()

    def _read(self) -> tuple[Credentials | None, str | None]:
        """The typed credentials (secret wrapped, input cleared) and the profile name
        to save them under, or None after showing the problems at the fields."""
        fields = {spec.name: self._field(spec.name) for spec in ACCOUNT_FIELDS}
        # Wrapped the moment it is read, and the input cleared at once (valid or not):
        # no local variable of this frame holds the secret in the clear, since a crash
        # here would print them all (Textual's traceback shows locals).
        raw: dict[str, Any] = {"secret_input": fields["secret_input"].value}  # a Secret
        self.clear_secret()
        for name, form_field in fields.items():
            if name != "secret_input":
                raw[name] = (form_field.value or "").strip()
        # Which fields apply; each is checked by its catalogue rule, empty or not.
        applies = {
            "profile_name": self._saving(),
            "account_sid_input": True,
            "api_key_sid_input": self._api_key(),
            "secret_input": True,
            "region_input": bool(raw["region_input"]),
            "edge_input": bool(raw["edge_input"]),
        }
        values: dict[str, Any] = {}
        problems: list[FormField] = []
        for name, form_field in fields.items():
            form_field.show_error(None)
            if not applies[name]:
                continue
            try:
                values[name] = form_field.parse(raw[name])
            except RuleError as error:
                form_field.show_error(str(error))
                problems.append(form_field)
        if not problems:
            try:
                region, edge = region_and_edge(values.get("region_input"), values.get("edge_input"))
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
