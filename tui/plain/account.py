"""Step 1, Account, in plain lines: which account, where its credentials came
from, whether Twilio accepts them; other credentials typed line by line (the
secret without echo), kept in the system keyring as a profile or for this
session only, through the same service as the wizard and `profiles add`.

Credentials are resolved as the wizard resolves them (--sandbox, --profile, the
TWILIO_* variables, the active profile). They never go into the draft, and a
secret is never written anywhere but the keyring: without a usable keyring the
choice is this session only, or environment variables.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tui.domain.credentials import MASK, Credentials, Secret
from tui.domain.errors import TwilioApiError, TwilioUnreachable, WizardError
from tui.domain.rules import RuleError
from tui.plain.prompts import GoBack, Option
from tui.wizard.account import ACCOUNT_FIELDS_BY_NAME, SECRET_SPECS, TYPED_SOURCE, region_and_edge

if TYPE_CHECKING:
    from tui.plain.wizard import Answer, PlainWizard
    from tui.services.session import Connection
    from tui.services.twilio import CredentialCheck

LEAVE = "leave"


def describe_check(check: CredentialCheck) -> str:
    if check.account is None:
        return (
            "Twilio accepted the API key. (A Standard key may not read the account's name "
            "and type; that is expected.)"
        )
    account = check.account
    kind = {"Trial": "Trial account", "Full": "Full (paid) account"}.get(
        account.type or "", account.type or ""
    )
    return (
        f"Twilio accepted them: {account.friendly_name or account.sid}, {kind}, "
        f"{account.status or 'status unknown'}."
    )


class AccountPart:
    def __init__(self, wizard: PlainWizard) -> None:
        self.w = wizard
        self._started = False

    # -- the connection in use -------------------------------------------------------

    def start(self) -> None:
        """Resolve the credentials as the wizard does, check them, settle earlier
        purchases, then offer the saved draft."""
        from tui.services.credentials.errors import CredentialsError, NoCredentialsError
        from tui.services.session import resolve_connection

        w = self.w
        if w._initial_connection is not None:
            self.use(w._initial_connection)
        else:
            self.w.say("Looking for credentials…")
            try:
                connection = resolve_connection(
                    sandbox=w.request.sandbox,
                    api_url=w.request.api_url,
                    profile=w.request.profile,
                    env=w.env,
                    store=w.profiles,
                )
            except (CredentialsError, RuleError) as error:
                if isinstance(error, NoCredentialsError):
                    w.say(
                        "No Twilio credentials yet: add them below, or quit and start with "
                        "`number-wizard --sandbox` to try it offline."
                    )
                else:
                    w.say_error(error, "The credentials could not be used.")
            else:
                self.use(connection)

    def use(self, connection: Connection) -> None:
        self.w.set_connection(connection)
        self._show_details()
        self.check()

    def _show_details(self) -> None:
        w = self.w
        assert w.connection is not None and w.client is not None
        creds = w.connection.credentials
        endpoint = "built-in sandbox (offline)" if w.connection.sandbox else w.client.hosts.api
        auth = f"API key {creds.api_key_sid} and secret {MASK}" if creds.api_key_sid else f"Auth Token {MASK}"
        w.say(
            f"Account SID: {creds.account_sid}",
            f"Credentials: {auth}",
            f"From: {creds.source}",
            f"Endpoint: {endpoint}",
        )

    def check(self) -> None:
        """Ask Twilio whether the credentials in use work; then settle what earlier
        sessions left unfinished with this account."""
        w = self.w
        assert w.client is not None and w.session is not None
        w.say("Checking the credentials with Twilio…")
        try:
            check = w.call(w.client.check_credentials())
        except WizardError as error:
            w.accepted = False
            w.session.account_check = None
            reached = not isinstance(error, TwilioUnreachable)
            w.say_error(
                error,
                "Twilio did not accept these credentials."
                if reached and isinstance(error, TwilioApiError)
                else "Could not check the credentials with Twilio.",
            )
            return
        w.accepted = True
        w.session.account_check = check
        w.say(describe_check(check))
        self.recover()

    def recover(self) -> None:
        from tui.domain.attempt import AttemptState
        from tui.services.purchase import describe_recovered, recover_unfinished

        w = self.w
        assert w.client is not None and w.connection is not None
        try:
            found = w.call(recover_unfinished(w.client, w.receipts, w.locks, sandbox=w.connection.sandbox))
        except WizardError as error:
            w.say(f"Could not check earlier purchases: {error}")
            return
        if not found:
            return
        w.say(
            "",
            "An earlier purchase was interrupted:"
            if len(found) == 1
            else f"{len(found)} earlier purchases were interrupted:",
        )
        for attempt in found:
            w.say(describe_recovered(attempt))
            if attempt.receipt is not None:
                w.say(f"Receipt: {attempt.receipt.path}")
        w.recovered.extend(found)
        w.bought.extend(a for a in found if a.state is AttemptState.BOUGHT)

    def _account(self) -> str:
        w = self.w
        assert w.connection is not None
        check = w.session.account_check if w.session else None
        name = f" ({check.friendly_name})" if check and check.friendly_name else ""
        return w.connection.credentials.account_sid + name

    # -- the question ------------------------------------------------------------------

    def ask(self) -> Answer:
        from tui.plain.wizard import FINISHED, Jump

        w = self.w
        if not self._started:
            self._started = True
            self.start()
            w.offer_saved_draft()
            if w.accepted and (attempt := w.recovered_summary()) is not None:
                w.shown = attempt
                return Jump("summary")
        while True:
            profiles = self._profile_names()
            if w.connection is None and not profiles:
                try:
                    outcome = self.add()
                except GoBack:
                    w.say("This is the first question.")
                    continue
                if outcome == LEAVE:
                    return FINISHED
                if w.accepted:
                    return None
                continue
            options = []
            if w.accepted:
                options.append(Option("go", f"Go on with account {self._account()}"))
            elif w.connection is not None:
                options.append(Option("check", "Check these credentials with Twilio again"))
            options.append(Option("other", "Use other credentials (typed here)"))
            options += [Option(("profile", name), f"Use the stored profile {name}") for name in profiles]
            choice = w.ask.choose(
                "Credentials",
                options,
                current="go" if w.accepted else None,
                help=[
                    "Credentials are never written to the draft; a secret goes only to the system keyring."
                ],
            )
            if choice == "go":
                return None
            if choice == "check":
                self.check()
                continue
            if choice == "other":
                try:
                    outcome = self.add()
                except GoBack:
                    continue
                if outcome == LEAVE:
                    return FINISHED
            else:
                self._switch_profile(choice[1])
            if w.accepted:
                return None

    def _profile_names(self) -> list[str]:
        from tui.services.credentials.errors import CredentialsError

        if self.w.request.sandbox or (self.w.connection is not None and self.w.connection.sandbox):
            return []  # the sandbox has its own account
        try:
            return [p.name for p in self.w.profiles.list_profiles()]
        except CredentialsError:
            return []  # an unreadable config is reported when a profile is used

    def _switch_profile(self, name: str) -> None:
        from tui.services.credentials.errors import CredentialsError

        self.w.say(f"Reading profile {name} from the keyring…")
        try:
            credentials = self.w.profiles.load(name)
        except CredentialsError as error:
            self.w.say_error(error, "The credentials could not be used.")
            return
        self.use(self._endpoint().with_credentials(credentials))

    def _endpoint(self) -> Connection:
        """Where new credentials are checked and used: the current endpoint, else
        what the command line asked for."""
        from tui.services.session import Connection

        if self.w.connection is not None:
            return self.w.connection
        return Connection(Credentials("", Secret("")), api_url=self.w.request.api_url)

    # -- adding credentials ------------------------------------------------------------

    def add(self) -> str | None:
        """Ask for credentials line by line, check them with Twilio and use them
        (saved as a profile, or for this session only). LEAVE when the person
        chose environment variables instead; GoBack from the first question."""
        from tui.services.credentials.add import add_credentials
        from tui.services.credentials.errors import ProfileExistsError
        from tui.services.credentials.guidance import environment_variable_help

        w = self.w
        w.say("", "Add credentials (Twilio Console, Account › API keys & tokens).")
        status = w.profiles.keyring_status()
        if status.usable:
            w.say(f"Secrets are saved in: {status.backend or 'the system keyring'}.")
        else:
            w.say("No usable system keyring, so nothing can be saved.", status.explain())
        values: dict[str, Any] = {}
        order = (
            "kind",
            "account_sid_input",
            "api_key_sid_input",
            "secret_input",
            "region_input",
            "edge_input",
            "save",
            "profile_name",
        )
        index = 0
        while True:
            if index >= len(order):
                if values.get("save") == "environment":
                    w.say(
                        *environment_variable_help(w.profiles.platform, api_key=values["kind"] == "api_key")
                    )
                    w.say("Then start number-wizard again from that shell.")
                    return LEAVE
                try:
                    region, edge = region_and_edge(values.get("region_input"), values.get("edge_input"))
                except RuleError as error:
                    w.say(str(error))
                    index = order.index("region_input")
                    continue
                credentials = Credentials(
                    account_sid=values["account_sid_input"],
                    secret=values["secret_input"],
                    api_key_sid=values.get("api_key_sid_input") if values["kind"] == "api_key" else None,
                    region=region,
                    edge=edge,
                    source=TYPED_SOURCE,
                )
                profile = values.get("profile_name") if values.get("save") == "profile" else None
                endpoint = self._endpoint()
                w.say("Checking the credentials with Twilio…")
                try:
                    added = w.call(
                        add_credentials(
                            credentials,
                            store=w.profiles,
                            profile=profile,
                            session_if_unsaved=True,
                            api_url=endpoint.api_url,
                            transport=endpoint.transport,
                            on_saving=lambda: w.say(
                                "Saving the secret in the system keyring… If it asks to be unlocked, "
                                "answer its dialog."
                            ),
                        )
                    )
                except ProfileExistsError as error:
                    w.say(f"{error} Choose another name.")
                    index = order.index("profile_name")
                    continue
                except WizardError as error:
                    w.say_error(error, "Twilio did not accept these credentials, or they could not be kept.")
                    values.pop("secret_input", None)  # typed again, never kept longer than needed
                    index = order.index("secret_input")
                    continue
                if added.unsaved is not None:
                    w.say_error(
                        added.unsaved,
                        "Not saved: the system keyring cannot be used. The credentials are used "
                        "for this session only.",
                    )
                self.w.set_connection(endpoint.with_credentials(added.credentials))
                self._show_details()
                w.accepted = True
                assert w.session is not None
                w.session.account_check = added.verified.check
                w.say(describe_check(added.verified.check))
                self.recover()
                return None
            name = order[index]
            if not self._applies(name, values, status.usable):
                index += 1
                continue
            try:
                values[name] = self._ask(name, values, status.usable)
            except GoBack:
                index -= 1
                while index >= 0 and not self._applies(order[index], values, status.usable):
                    index -= 1
                if index < 0:
                    raise
                continue
            index += 1

    @staticmethod
    def _applies(name: str, values: dict[str, Any], keyring_usable: bool) -> bool:
        if name == "api_key_sid_input":
            return values.get("kind") == "api_key"
        if name == "edge_input":
            return bool(values.get("region_input"))
        if name == "profile_name":
            return values.get("save") == "profile"
        return True

    def _ask(self, name: str, values: dict[str, Any], keyring_usable: bool) -> Any:
        ask = self.w.ask
        if name == "kind":
            return ask.choose(
                "Kind",
                [Option("api_key", "API key and secret (recommended)"), Option("auth_token", "Auth Token")],
                current=values.get("kind", "api_key"),
                title="Which kind of credentials?",
                help=["An API key can be revoked on its own; the Auth Token is the account's master key."],
            )
        if name == "save":
            if keyring_usable:
                save = ask.yes_no(
                    "Save them as a profile (the secret goes to the system keyring)",
                    current=values.get("save", "profile") == "profile",
                )
                return "profile" if save else "session"
            return ask.choose(
                "Without a keyring",
                [
                    Option("session", "Use them for this session only (nothing is saved)"),
                    Option("environment", "I will set environment variables instead"),
                ],
                current=values.get("save", "session"),
            )
        spec = SECRET_SPECS[values["kind"]] if name == "secret_input" else ACCOUNT_FIELDS_BY_NAME[name]
        required = (
            f"{spec.label} is required."
            if spec.required or name in ("api_key_sid_input", "profile_name")
            else None
        )
        self.w.say(spec.help)
        if name == "secret_input":
            # Read without echo; never shown, never kept as plain text.
            return ask.text(
                spec.label,
                check=spec.parse,
                current=values.get(name),
                shown="not shown as you type",
                required=required,
                help=[spec.help],
                secret=True,
            )
        return ask.text(
            spec.label,
            check=spec.parse,
            current=values.get(name),
            required=required,
            help=[spec.help],
        )
