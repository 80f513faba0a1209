"""The Account step's credentials (issue 4): where they came from ("From …"),
adding them from the form (a profile in the keyring, or this session only), what
happens without a usable keyring, and that a secret is never shown or stored
anywhere but the keyring.

Apps here are built with `connection=None`, as `number-wizard` itself runs: the
Account step resolves `--profile`, the TWILIO_* variables (passed as `env=`) and
the active profile in a thread. Non-sandbox endpoints are a sandbox served on
loopback (`api_url=`), which also knows an extra API key of the main account
whose secret is recognisable.
"""

from __future__ import annotations

import io
import json
import re
import secrets
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import keyring.backends.fail
import pytest
from keyring.backend import KeyringBackend
from rich.console import Console
from textual.app import App
from textual.pilot import Pilot
from textual.widgets import Button, Checkbox, Input, RadioButton, Select, Static

from tests.support.app_factory import draft_store_in, fixed_clock, profile_store_in
from tests.support.keyrings import HangingKeyring, InitErrorKeyring, LockedKeyring, MemoryKeyring
from tests.support.pilot import (
    buy,
    control,
    field,
    go,
    reach_review,
    settle,
    step_of,
    text_of,
    type_into,
    type_number,
)
from tui.app import WizardApp
from tui.domain.credentials import Credentials, Secret
from tui.sandbox import Sandbox, SandboxCredential, start_server
from tui.sandbox.accounts import (
    API_KEY_SECRET,
    API_KEY_SID,
    MAIN_ACCOUNT_SID,
    MAIN_AUTH_TOKEN,
    TRIAL_ACCOUNT_SID,
    TRIAL_AUTH_TOKEN,
    CredentialKind,
)
from tui.services.credentials.add import add_credentials
from tui.services.credentials.config import ConfigFile
from tui.services.credentials.guidance import PlatformKind
from tui.services.credentials.keyring_store import (
    SERVICE_NAME,
    CircuitBreaker,
    KeyringStore,
    KeyringTimeouts,
)
from tui.services.credentials.profiles import ProfileStore
from tui.services.credentials.resolve import SESSION_SOURCE
from tui.services.receipts import ReceiptBook
from tui.services.session import SANDBOX_SOURCE, ConnectionRequest, sandbox_connection
from tui.widgets.credentials_form import CredentialsForm

# An extra API key of the sandbox's main account, with a secret nobody could
# mistake for anything else (made at run time: it is in no source file).
EXTRA_KEY_SID = "SK" + "7e57" * 8
EXTRA_SECRET = "tui-account-secret-" + secrets.token_hex(12)
IN_MEMORY = MemoryKeyring.name
SIZE = (110, 60)  # the whole form fits: no scrolling needed to reach a button


@pytest.fixture(scope="module")
def served() -> Iterator[str]:
    """A sandbox on 127.0.0.1 that also accepts EXTRA_KEY_SID / EXTRA_SECRET."""
    extra = SandboxCredential(
        name="extra-key",
        kind=CredentialKind.API_KEY,
        username=EXTRA_KEY_SID,
        password=EXTRA_SECRET,
        account_sid=MAIN_ACCOUNT_SID,
        description="an API key of the main account added by the Account step tests",
    )
    server = start_server(sandbox=Sandbox(clock=fixed_clock, extra_credentials=[extra]))
    try:
        yield server.base_url
    finally:
        server.shutdown()


def store_with(
    directory: Path, backend: KeyringBackend | None = None, *, timeouts: KeyringTimeouts | None = None
) -> ProfileStore:
    if timeouts is None:
        return profile_store_in(directory, backend)
    return ProfileStore(
        ConfigFile(directory / "config" / "config.toml"),
        KeyringStore(
            backend=backend,
            timeouts=timeouts,
            platform=PlatformKind.LINUX_HEADLESS,
            breaker=CircuitBreaker(),
            env={},
        ),
    )


def account_app(
    directory: Path,
    *,
    store: ProfileStore | None = None,
    env: dict[str, str] | None = None,
    api_url: str | None = None,
    profile: str | None = None,
    sandbox: bool = False,
) -> WizardApp:
    """The wizard as `number-wizard [--sandbox] [--api-url URL] [--profile NAME]`
    starts it: no connection yet, the Account step resolves one."""
    app = WizardApp(
        None,
        request=ConnectionRequest(sandbox=sandbox, api_url=api_url, profile=profile),
        profiles=store if store is not None else profile_store_in(directory),
        env=env or {},
        draft_store=draft_store_in(directory),
        receipts=ReceiptBook(directory / "receipts", clock=fixed_clock),
        resume_draft=False,
    )
    app.animation_level = "none"
    return app


async def add_profile(store: ProfileStore, name: str, api_url: str, credentials: Credentials) -> None:
    await add_credentials(credentials, store=store, profile=name, api_url=api_url)


def main_key(secret: str = API_KEY_SECRET, sid: str = API_KEY_SID) -> Credentials:
    return Credentials(MAIN_ACCOUNT_SID, Secret(secret), api_key_sid=sid)


def details(app: WizardApp) -> dict[str, str]:
    """The details grid as {label: value}, rendered wide enough not to wrap."""
    static = app.screen.query_one("#account-details", Static)
    if not static.display:
        return {}
    console = Console(width=300, file=io.StringIO(), color_system=None)
    console.print(static.content)
    rows: dict[str, str] = {}
    for line in console.file.getvalue().splitlines():  # type: ignore[attr-defined]
        if line.strip():
            label, value = re.split(r"\s{2,}", line.strip(), maxsplit=1)
            rows[label] = value
    return rows


def form_shown(app: WizardApp) -> bool:
    """The form to add credentials is on show (it is mounted when first opened)."""
    return any(form.display for form in app.screen.query("#credentials-form"))


def press(app: App[Any], button_id: str) -> None:
    button = app.screen.query_one(f"#{button_id}", Button)
    assert button.display and not button.disabled, f"#{button_id} cannot be pressed"
    button.press()


async def fill_form(
    pilot: Pilot[Any],
    *,
    account_sid: str = MAIN_ACCOUNT_SID,
    key_sid: str | None = EXTRA_KEY_SID,
    secret: str = EXTRA_SECRET,
    profile: str | None = None,
) -> None:
    """Type credentials into the form (API key unless `key_sid` is None)."""
    app = pilot.app
    if key_sid is None:
        app.screen.query_one("#auth-auth_token", RadioButton).value = True
        await pilot.pause()
    if profile is not None:
        await type_into(pilot, "profile_name", profile)
    await type_into(pilot, "account_sid_input", account_sid)
    if key_sid is not None:
        await type_into(pilot, "api_key_sid_input", key_sid)
    await type_into(pilot, "secret_input", secret, leave=False)


async def submit(pilot: Pilot[Any]) -> None:
    press(pilot.app, "use-credentials")
    await settle(pilot)


async def wait_for(pilot: Pilot[Any], condition, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting for the screen to change"
        await pilot.pause(0.05)


def config_text(directory: Path) -> str:
    path = directory / "config" / "config.toml"
    return path.read_text() if path.exists() else ""


# -- "From …" ------------------------------------------------------------------


async def test_from_the_sandbox(tmp_path: Path) -> None:
    app = account_app(tmp_path, sandbox=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        shown = details(app)
        assert shown["From"] == SANDBOX_SOURCE
        assert shown["Endpoint"] == "built-in sandbox (offline)"
        assert shown["Account SID"] == MAIN_ACCOUNT_SID
        assert shown["Credentials"] == "Auth Token ********"
        assert text_of(app, "#account-check").startswith("✓ Sandbox Account · Full (paid) account")
        assert not form_shown(app)


@pytest.mark.parametrize("kind", ["api_key", "auth_token"])
async def test_from_the_environment_which_beats_the_active_profile(
    tmp_path: Path, served: str, kind: str
) -> None:
    store = store_with(tmp_path)
    await add_profile(store, "work", served, main_key(EXTRA_SECRET, EXTRA_KEY_SID))
    assert store.active_name() == "work"
    if kind == "api_key":
        env = {
            "TWILIO_ACCOUNT_SID": MAIN_ACCOUNT_SID,
            "TWILIO_API_KEY": API_KEY_SID,
            "TWILIO_API_SECRET": API_KEY_SECRET,
        }
        source = "environment (TWILIO_ACCOUNT_SID, TWILIO_API_KEY, TWILIO_API_SECRET)"
        auth = f"API key {API_KEY_SID} + secret ********"
    else:
        env = {"TWILIO_ACCOUNT_SID": MAIN_ACCOUNT_SID, "TWILIO_AUTH_TOKEN": MAIN_AUTH_TOKEN}
        source = "environment (TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN)"
        auth = "Auth Token ********"
    app = account_app(tmp_path, store=store, env=env, api_url=served)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        shown = details(app)
        assert shown["From"] == source
        assert shown["Credentials"] == auth
        assert shown["Endpoint"] == served
        assert text_of(app, "#account-check").startswith("✓")
        screen = app.export_screenshot()
        assert API_KEY_SECRET not in screen and MAIN_AUTH_TOKEN not in screen


async def test_from_the_active_profile(tmp_path: Path, served: str) -> None:
    store = store_with(tmp_path)
    await add_profile(store, "work", served, main_key(EXTRA_SECRET, EXTRA_KEY_SID))
    app = account_app(tmp_path, store=store, api_url=served)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        shown = details(app)
        assert shown["From"] == f'profile "work" (keyring: {IN_MEMORY})'
        assert shown["Credentials"] == f"API key {EXTRA_KEY_SID} + secret ********"
        assert text_of(app, "#account-check").startswith("✓ Twilio accepted the API key.")
        assert EXTRA_SECRET not in app.export_screenshot()


async def test_the_profile_option_beats_the_environment(tmp_path: Path, served: str) -> None:
    store = store_with(tmp_path)
    await add_profile(store, "work", served, main_key())
    await add_profile(store, "trial", served, Credentials(TRIAL_ACCOUNT_SID, Secret(TRIAL_AUTH_TOKEN)))
    env = {"TWILIO_ACCOUNT_SID": MAIN_ACCOUNT_SID, "TWILIO_AUTH_TOKEN": MAIN_AUTH_TOKEN}
    app = account_app(tmp_path, store=store, env=env, api_url=served, profile="trial")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        shown = details(app)
        assert shown["From"] == f'profile "trial" (keyring: {IN_MEMORY})'
        assert shown["Account SID"] == TRIAL_ACCOUNT_SID
        assert text_of(app, "#account-check") == "✓ Sandbox Trial Account · Trial account · active"


# -- nothing, or something unusable ------------------------------------------------


async def test_no_credentials_explains_shows_the_form_and_blocks_next(tmp_path: Path, served: str) -> None:
    app = account_app(tmp_path, api_url=served)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert text_of(app, "#account-check").startswith("No Twilio credentials yet: add them below")
        assert form_shown(app)
        assert details(app) == {}
        assert app.connection is None
        # The form is explained, not focused over the explanation.
        assert not isinstance(app.focused, Input)
        assert text_of(app, "#keyring-status") == f"✓ Secrets are saved in: {IN_MEMORY}."
        await pilot.press("ctrl+n")
        await settle(pilot)
        assert step_of(app) == "account"
        assert text_of(app, "#nav-status") == "Twilio has not accepted the credentials yet"
        app.goto("number")  # e.g. from the command palette
        await settle(pilot)
        assert step_of(app) == "account"


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"TWILIO_ACCOUNT_SID": MAIN_ACCOUNT_SID, "TWILIO_API_KEY": API_KEY_SID}, "TWILIO_API_SECRET"),
        ({"TWILIO_AUTH_TOKEN": MAIN_AUTH_TOKEN}, "TWILIO_ACCOUNT_SID"),
        ({"TWILIO_ACCOUNT_SID": API_KEY_SID, "TWILIO_AUTH_TOKEN": MAIN_AUTH_TOKEN}, "TWILIO_ACCOUNT_SID"),
        ({"TWILIO_ACCOUNT_SID": MAIN_ACCOUNT_SID, "TWILIO_AUTH_TOKEN": "x" * 31}, "TWILIO_AUTH_TOKEN"),
    ],
    ids=["key-without-secret", "token-without-sid", "sk-as-account-sid", "short-token"],
)
async def test_an_unusable_environment_is_an_error_never_mixed_with_a_profile(
    tmp_path: Path, served: str, env: dict[str, str], named: str
) -> None:
    store = store_with(tmp_path)
    await add_profile(store, "work", served, main_key())  # active, and must not be used
    app = account_app(tmp_path, store=store, env=env, api_url=served)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.connection is None
        assert details(app) == {}
        assert text_of(app, "#account-check") == "✗ The credentials could not be used."
        error = str(app.screen.query_one("#step-error", Static).content)
        assert named in error
        assert "Stored profiles are not used while TWILIO_* credential variables are set" in error
        assert form_shown(app)
        await pilot.press("ctrl+n")
        await settle(pilot)
        assert step_of(app) == "account"


async def test_a_missing_profile_is_named_and_nothing_else_is_used(tmp_path: Path, served: str) -> None:
    store = store_with(tmp_path)
    await add_profile(store, "work", served, main_key())
    env = {"TWILIO_ACCOUNT_SID": MAIN_ACCOUNT_SID, "TWILIO_AUTH_TOKEN": MAIN_AUTH_TOKEN}
    app = account_app(tmp_path, store=store, env=env, api_url=served, profile="nope")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.connection is None
        error = str(app.screen.query_one("#step-error", Static).content)
        assert 'There is no profile "nope". Stored profiles: work.' in error
        assert form_shown(app)


# -- adding credentials from the form ----------------------------------------------


async def test_add_credentials_saved_as_a_profile(tmp_path: Path, served: str) -> None:
    backend = MemoryKeyring()
    store = store_with(tmp_path, backend)
    app = account_app(tmp_path, store=store, api_url=served)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.screen.query_one("#save-profile", Checkbox).value  # saving is the default
        assert not app.screen.query("#profile-select")  # no profile to switch to yet
        await fill_form(pilot, profile="work")
        await submit(pilot)
        shown = details(app)
        assert shown["From"] == f'profile "work" (keyring: {IN_MEMORY})'
        assert shown["Account SID"] == MAIN_ACCOUNT_SID
        assert shown["Credentials"] == f"API key {EXTRA_KEY_SID} + secret ********"
        assert text_of(app, "#account-check").startswith("✓")
        assert not form_shown(app)
        assert control(app, "secret_input").value == ""
        assert EXTRA_SECRET not in app.export_screenshot()
        # Stored: the profile (active, the first one), the secret in the keyring only.
        [info] = store.list_profiles()
        assert (info.name, info.account_sid, info.api_key_sid, info.active) == (
            "work",
            MAIN_ACCOUNT_SID,
            EXTRA_KEY_SID,
            True,
        )
        assert json.loads(backend.entries[(SERVICE_NAME, "twilio:work")])["secret"] == EXTRA_SECRET
        assert "work" in config_text(tmp_path)
        assert EXTRA_SECRET not in config_text(tmp_path)
        # The new profile can be chosen from the list now, above the closed form.
        await settle(pilot)
        select = app.screen.query_one("#profile-select", Select)
        body = list(app.screen.query_one("#step-body").children)
        assert select.display and body.index(select) < body.index(app.screen.query_one(CredentialsForm))
        # Next is open.
        await pilot.press("ctrl+n")
        await settle(pilot)
        assert step_of(app) == "number"


async def test_add_credentials_for_this_session_only(tmp_path: Path, served: str) -> None:
    backend = MemoryKeyring()
    store = store_with(tmp_path, backend)
    app = account_app(tmp_path, store=store, api_url=served)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.screen.query_one("#save-profile", Checkbox).value = False
        await pilot.pause()
        assert not field(app, "profile_name").display  # no name needed
        await fill_form(pilot)
        await submit(pilot)
        assert details(app)["From"] == SESSION_SOURCE == "this session only (not saved)"
        assert text_of(app, "#account-check").startswith("✓")
        assert app.connection is not None and app.connection.credentials.source == SESSION_SOURCE
        assert store.list_profiles() == []
        assert backend.entries == {}
        assert not (tmp_path / "config" / "config.toml").exists()
        await pilot.press("ctrl+n")
        await settle(pilot)
        assert step_of(app) == "number"


async def test_other_credentials_replace_the_ones_in_use(tmp_path: Path, served: str) -> None:
    """With credentials already in use, "Use other credentials…" opens the form
    (with a Cancel) and the new ones take over."""
    app = account_app(
        tmp_path,
        env={"TWILIO_ACCOUNT_SID": MAIN_ACCOUNT_SID, "TWILIO_AUTH_TOKEN": MAIN_AUTH_TOKEN},
        api_url=served,
    )
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert details(app)["From"].startswith("environment")
        press(app, "other-credentials")
        await settle(pilot)
        assert form_shown(app)
        assert app.focused is control(app, "account_sid_input")
        press(app, "cancel-credentials")
        await pilot.pause()
        assert not form_shown(app)
        press(app, "other-credentials")
        await settle(pilot)
        app.screen.query_one("#save-profile", Checkbox).value = False
        await fill_form(pilot, account_sid=TRIAL_ACCOUNT_SID, key_sid=None, secret=TRIAL_AUTH_TOKEN)
        await submit(pilot)
        shown = details(app)
        assert (shown["Account SID"], shown["From"]) == (TRIAL_ACCOUNT_SID, SESSION_SOURCE)
        assert text_of(app, "#account-check") == "✓ Sandbox Trial Account · Trial account · active"


# -- no usable keyring ------------------------------------------------------------


def broken_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    def get_keyring() -> KeyringBackend:
        raise ModuleNotFoundError("No module named 'keyrings.gone'")

    monkeypatch.setattr("keyring.get_keyring", get_keyring)


@pytest.mark.parametrize(
    ("backend", "reason", "fix"),
    [
        (LockedKeyring, "is locked and could not be unlocked", "gnome-keyring-daemon --unlock"),
        (InitErrorKeyring, "Prompt dismissed", "gnome-keyring-daemon --unlock"),
        (keyring.backends.fail.Keyring, "No system keyring was found.", "dbus-run-session"),
        (None, "configuration is broken", "PYTHON_KEYRING_BACKEND"),
    ],
    ids=["locked", "init-error", "no-backend", "broken-setting"],
)
async def test_an_unusable_keyring_is_explained_before_anything_is_typed(
    tmp_path: Path,
    served: str,
    monkeypatch: pytest.MonkeyPatch,
    backend: type[KeyringBackend] | None,
    reason: str,
    fix: str,
) -> None:
    if backend is None:
        broken_setting(monkeypatch)
        store = ProfileStore(
            ConfigFile(tmp_path / "config" / "config.toml"),
            KeyringStore(platform=PlatformKind.LINUX_HEADLESS, breaker=CircuitBreaker(), env={}),
        )
    else:
        store = store_with(tmp_path, backend())
    app = account_app(tmp_path, store=store, api_url=served)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        # Before anything is typed: every input of the form is still empty.
        assert all(
            not control(app, name).value
            for name in ("profile_name", "account_sid_input", "api_key_sid_input", "secret_input")
        )
        status = text_of(app, "#keyring-status")
        assert status.startswith("⚠ No usable system keyring, so nothing can be saved.")
        assert reason in status and fix in status
        save = app.screen.query_one("#save-profile", Checkbox)
        assert save.disabled and not save.value
        assert not field(app, "profile_name").display
        assert app.screen.query_one("#without-keyring").display
        assert app.screen.query_one("#choice-session", RadioButton).value  # the default
        assert not app.screen.query_one("#choice-env", RadioButton).value
        # "This session only" works.
        await fill_form(pilot)
        await submit(pilot)
        assert details(app)["From"] == SESSION_SOURCE
        assert text_of(app, "#account-check").startswith("✓")
        assert not (tmp_path / "config" / "config.toml").exists()
        assert EXTRA_SECRET not in app.export_screenshot()


async def test_without_a_keyring_a_session_only_purchase_works(tmp_path: Path, served: str) -> None:
    """Done when: on a machine without a keyring, the person is told why and can
    still buy with session-only credentials."""
    app = account_app(tmp_path, store=store_with(tmp_path, keyring.backends.fail.Keyring()), api_url=served)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "No system keyring was found." in text_of(app, "#keyring-status")
        await fill_form(pilot)
        await submit(pilot)
        assert details(app)["From"] == SESSION_SOURCE
        await reach_review(pilot, "+46701740612")
        await buy(pilot)
        assert app.screen.id == "summary"
        assert text_of(app, "#summary-headline") == "Bought +46701740612."
    assert EXTRA_SECRET not in "".join(p.read_text() for p in (tmp_path / "receipts").glob("*.json"))


@pytest.mark.parametrize("now", ["locked", "entry-gone"])
async def test_a_stored_profile_that_cannot_be_read_says_why(tmp_path: Path, served: str, now: str) -> None:
    """The keyring's state is reported, not "invalid credentials" (gh #14171)."""
    await add_profile(store_with(tmp_path), "work", served, main_key())  # saved in another keyring
    backend = LockedKeyring() if now == "locked" else MemoryKeyring()
    app = account_app(tmp_path, store=store_with(tmp_path, backend), api_url=served)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.connection is None
        assert text_of(app, "#account-check") == "✗ The credentials could not be used."
        error = str(app.screen.query_one("#step-error", Static).content)
        if now == "locked":
            assert "is locked and could not be unlocked" in error
            assert "gnome-keyring-daemon --unlock" in error
            assert app.screen.query_one("#choice-session", RadioButton).value
        else:
            assert 'The secret of profile "work" is not in the system keyring' in error
        assert "did not accept" not in error
        assert form_shown(app)


async def test_a_profile_name_in_use_is_refused_at_the_field(tmp_path: Path, served: str) -> None:
    backend = MemoryKeyring()
    store = store_with(tmp_path, backend)
    await add_profile(store, "work", served, main_key())
    before = dict(backend.entries)
    app = account_app(tmp_path, store=store, api_url=served)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        press(app, "other-credentials")
        await settle(pilot)
        await fill_form(pilot, profile="work")
        await submit(pilot)
        assert 'A profile "work" already exists.' in field(app, "profile_name").error
        assert text_of(app, "#account-check") == "Not saved."
        assert backend.entries == before  # the stored one is untouched
        assert details(app)["Credentials"] == f"API key {API_KEY_SID} + secret ********"


@pytest.mark.parametrize("kind", ["api_key", "auth_token"])
async def test_choosing_environment_variables_shows_names_and_placeholders_only(
    tmp_path: Path, served: str, kind: str
) -> None:
    app = account_app(tmp_path, store=store_with(tmp_path, LockedKeyring()), api_url=served)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        if kind == "auth_token":
            app.screen.query_one("#auth-auth_token", RadioButton).value = True
            await pilot.pause()
        # Something typed already must not end up in the instructions.
        await type_into(pilot, "account_sid_input", MAIN_ACCOUNT_SID)
        await type_into(pilot, "secret_input", EXTRA_SECRET)
        app.screen.query_one("#choice-env", RadioButton).value = True
        await pilot.pause()
        help_text = text_of(app, "#env-help")
        assert "export TWILIO_ACCOUNT_SID=AC…" in help_text
        if kind == "api_key":
            assert "export TWILIO_API_KEY=SK…" in help_text
            assert "read -rs TWILIO_API_SECRET && export TWILIO_API_SECRET" in help_text
            assert "TWILIO_AUTH_TOKEN" not in help_text
        else:
            assert "read -rs TWILIO_AUTH_TOKEN && export TWILIO_AUTH_TOKEN" in help_text
            assert "TWILIO_API_KEY" not in help_text
        assert "Then start number-wizard again from that shell." in help_text
        assert MAIN_ACCOUNT_SID not in help_text and EXTRA_SECRET not in help_text
        assert EXTRA_SECRET not in app.export_screenshot()
        assert app.screen.query_one("#use-credentials", Button).disabled
        # Back to "this session only": the form can be used again.
        app.screen.query_one("#choice-session", RadioButton).value = True
        await pilot.pause()
        assert text_of(app, "#env-help") == ""
        assert not app.screen.query_one("#use-credentials", Button).disabled


async def test_environment_variable_help_is_for_the_profile_stores_platform(
    tmp_path: Path, served: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The help is for the platform the keyring store was set up for (as its own
    advice is), and nothing detects the platform on the UI thread."""
    from tui.services.credentials import guidance

    def no_detection(*args: object, **kwargs: object) -> PlatformKind:
        raise AssertionError("the platform was detected again")

    monkeypatch.setattr(guidance, "detect_platform", no_detection)
    store = ProfileStore(
        ConfigFile(tmp_path / "config" / "config.toml"),
        KeyringStore(
            backend=LockedKeyring(), platform=PlatformKind.WINDOWS, breaker=CircuitBreaker(), env={}
        ),
    )
    assert store.platform is PlatformKind.WINDOWS
    app = account_app(tmp_path, store=store, api_url=served)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.screen.query_one("#choice-env", RadioButton).value = True
        await pilot.pause()
        help_text = text_of(app, "#env-help")
        assert "In PowerShell, for this window only:" in help_text
        assert '$env:TWILIO_API_KEY = "SK…"' in help_text
        assert "export " not in help_text


@pytest.fixture
def hanging() -> Iterator[HangingKeyring]:
    backend = HangingKeyring()
    yield backend
    backend.release.set()  # let the stuck daemon threads finish


# Long enough never to run out while a test types, however loaded the machine:
# these tests release the keyring themselves.
PATIENT = KeyringTimeouts(read=60, write=60)
# Short enough to run out at once: the timeout explanation.
IMPATIENT = KeyringTimeouts(read=0.1, write=0.1)


async def test_a_hanging_keyring_never_freezes_the_screen(
    tmp_path: Path, served: str, hanging: HangingKeyring
) -> None:
    app = account_app(tmp_path, store=store_with(tmp_path, hanging, timeouts=PATIENT), api_url=served)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: form_shown(app))
        assert text_of(app, "#keyring-status") == "Checking the system keyring…"
        # The probe is stuck in the keyring, and the screen still takes keys.
        await type_into(pilot, "account_sid_input", MAIN_ACCOUNT_SID[:10], keys=True, leave=False)
        await pilot.press("tab")
        assert control(app, "account_sid_input").value == MAIN_ACCOUNT_SID[:10]
        assert app.focused is control(app, "api_key_sid_input")
        app.screen.query_one("#auth-auth_token", RadioButton).value = True
        await pilot.pause()
        assert not field(app, "api_key_sid_input").display
        assert text_of(app, "#keyring-status") == "Checking the system keyring…"
        # The keyring answers at last (the unlock dialog was answered).
        hanging.release.set()
        await wait_for(pilot, lambda: text_of(app, "#keyring-status").startswith("✓"))
        assert not app.screen.query_one("#save-profile", Checkbox).disabled


async def test_a_keyring_that_does_not_answer_in_time_is_explained(
    tmp_path: Path, served: str, hanging: HangingKeyring
) -> None:
    app = account_app(tmp_path, store=store_with(tmp_path, hanging, timeouts=IMPATIENT), api_url=served)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        status = text_of(app, "#keyring-status")
        assert status.startswith("⚠ No usable system keyring, so nothing can be saved.")
        assert "did not answer in time" in status and "unlock dialog" in status
        assert app.screen.query_one("#save-profile", Checkbox).disabled
        assert app.screen.query_one("#choice-session", RadioButton).value
        await fill_form(pilot)
        await submit(pilot)
        assert details(app)["From"] == SESSION_SOURCE


async def test_a_keyring_hanging_on_save_never_freezes_the_screen(tmp_path: Path, served: str) -> None:
    backend = HangingKeyring(hang_on=frozenset({"set"}))  # the probe answers, the write hangs
    store = store_with(tmp_path, backend, timeouts=PATIENT)
    app = account_app(tmp_path, store=store, api_url=served)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            assert text_of(app, "#keyring-status").startswith("✓ Secrets are saved in:")
            await fill_form(pilot, profile="work")
            press(app, "use-credentials")
            await wait_for(pilot, lambda: "keyring" in text_of(app, "#account-check"))
            assert text_of(app, "#account-check").startswith("Saving the secret in the system keyring…")
            # Stuck in the keyring write, and the screen still takes keys.
            await type_into(pilot, "region_input", "ie1", keys=True)
            assert control(app, "region_input").value == "ie1"
            assert app.screen.query_one("#use-credentials", Button).disabled  # no second save
            backend.release.set()
            await settle(pilot)
            source = details(app)["From"]
            assert source.startswith('profile "work" (keyring: ') and "HangingKeyring" in source
            assert [info.name for info in store.list_profiles()] == ["work"]
    finally:
        backend.release.set()


async def test_a_keyring_failing_on_save_keeps_nothing_and_uses_them_for_this_session(
    tmp_path: Path, served: str
) -> None:
    backend = HangingKeyring(hang_on=frozenset({"set"}))
    store = store_with(tmp_path, backend, timeouts=KeyringTimeouts(read=60, write=0.1))
    app = account_app(tmp_path, store=store, api_url=served)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            assert text_of(app, "#keyring-status").startswith("✓ Secrets are saved in:")
            await fill_form(pilot, profile="work")
            await submit(pilot)
            # Twilio accepted them, the keyring did not answer: nothing is stored, and
            # the person need not type the secret again: they are used, the default
            # way without a keyring (this session only), and the screen says so.
            error = str(app.screen.query_one("#step-error", Static).content)
            assert error.startswith(
                "Not saved: the system keyring cannot be used. "
                "The credentials are used for this session only."
            )
            assert "did not answer in time" in text_of(app, "#keyring-status")
            save = app.screen.query_one("#save-profile", Checkbox)
            assert save.disabled and not save.value
            assert store.list_profiles() == []
            assert app.connection is not None
            assert details(app)["From"] == SESSION_SOURCE
            assert text_of(app, "#account-check").startswith("✓")
            assert not form_shown(app)
    finally:
        backend.release.set()


# -- refused credentials, field rules, masking ---------------------------------------


async def test_a_wrong_secret_is_explained_and_nothing_is_saved(tmp_path: Path, served: str) -> None:
    backend = MemoryKeyring()
    store = store_with(tmp_path, backend)
    wrong = "wrong-" + secrets.token_hex(10)
    app = account_app(tmp_path, store=store, api_url=served)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await fill_form(pilot, secret=wrong, profile="work")
        await submit(pilot)
        assert text_of(app, "#account-check") == "✗ Twilio did not accept these credentials."
        error = str(app.screen.query_one("#step-error", Static).content)
        assert "Twilio error 20003 (HTTP 401)" in error
        assert "Check both values in the Twilio Console" in error
        assert wrong not in error and wrong not in app.export_screenshot()
        assert form_shown(app)
        assert control(app, "secret_input").value == ""
        assert app.connection is None
        assert store.list_profiles() == [] and backend.entries == {}
        assert not (tmp_path / "config" / "config.toml").exists()
        assert not app.screen.query_one("#use-credentials", Button).disabled  # can try again
        await pilot.press("ctrl+n")
        await settle(pilot)
        assert step_of(app) == "account"


@pytest.fixture
def unreachable() -> str:
    """A loopback URL nothing listens on (the client's retries do not wait:
    tests/tui/conftest.py)."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


async def test_an_unreachable_twilio_is_not_called_a_refusal(tmp_path: Path, unreachable: str) -> None:
    backend = MemoryKeyring()
    app = account_app(tmp_path, store=store_with(tmp_path, backend), api_url=unreachable)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await fill_form(pilot, profile="work")
        await submit(pilot)
        assert text_of(app, "#account-check") == "✗ Could not reach Twilio to check the credentials."
        error = str(app.screen.query_one("#step-error", Static).content)
        assert "Nothing was saved. Check the network connection and try again." in error
        assert backend.entries == {} and app.connection is None


async def test_credentials_in_use_that_cannot_be_checked_say_so(tmp_path: Path, unreachable: str) -> None:
    env = {"TWILIO_ACCOUNT_SID": MAIN_ACCOUNT_SID, "TWILIO_AUTH_TOKEN": MAIN_AUTH_TOKEN}
    app = account_app(tmp_path, env=env, api_url=unreachable)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert details(app)["From"].startswith("environment")
        assert text_of(app, "#account-check") == "✗ Could not reach Twilio to check the credentials."


@pytest.mark.parametrize(
    ("kind", "values", "at", "message"),
    [
        (
            "api_key",
            {"account_sid_input": API_KEY_SID, "api_key_sid_input": MAIN_ACCOUNT_SID},
            "account_sid_input",
            "That is an API key SID (SK…).",
        ),
        (
            "api_key",
            {"account_sid_input": API_KEY_SID, "api_key_sid_input": MAIN_ACCOUNT_SID},
            "api_key_sid_input",
            "That is an Account SID (AC…). An API key SID starts with SK.",
        ),
        (
            "auth_token",
            {"account_sid_input": MAIN_ACCOUNT_SID, "secret_input": "t" * 31},
            "secret_input",
            "An Auth Token is 32 characters; this one has 31.",
        ),
        (
            "api_key",
            {
                "account_sid_input": MAIN_ACCOUNT_SID,
                "api_key_sid_input": API_KEY_SID,
                "secret_input": "two words",
            },
            "secret_input",
            "An API key secret has no spaces.",
        ),
        (
            "api_key",
            {
                "account_sid_input": MAIN_ACCOUNT_SID,
                "api_key_sid_input": API_KEY_SID,
                "secret_input": API_KEY_SECRET,
                "region_input": "ie1",
            },
            "region_input",
            "edge",
        ),
    ],
    ids=["swapped-account", "swapped-key", "token-31", "secret-with-space", "region-without-edge"],
)
async def test_field_rules_are_shown_at_the_field(
    tmp_path: Path, served: str, kind: str, values: dict[str, str], at: str, message: str
) -> None:
    app = account_app(tmp_path, api_url=served)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.screen.query_one("#save-profile", Checkbox).value = False
        if kind == "auth_token":
            app.screen.query_one("#auth-auth_token", RadioButton).value = True
        await pilot.pause()
        for name, value in values.items():
            await type_into(pilot, name, value)
        await submit(pilot)
        assert message in field(app, at).error
        assert app.focused is not None
        assert text_of(app, "#account-check").startswith("No Twilio credentials yet")  # not sent
        assert app.connection is None
        assert control(app, "secret_input").value == ""


async def test_the_secret_is_checked_when_the_person_leaves_it(tmp_path: Path, served: str) -> None:
    """On blur the secret gets the rule of the kind chosen, as every other field,
    never "Secret takes text." (the field hands it over wrapped)."""
    app = account_app(tmp_path, api_url=served)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        secret_field = field(app, "secret_input")
        # No Textual validator: it would hold the secret in the clear.
        assert control(app, "secret_input").validators == []
        # A valid API key secret, then Tab: no error.
        await type_into(pilot, "secret_input", EXTRA_SECRET)
        assert secret_field.error == ""
        # A valid Auth Token (32 characters): no error either.
        app.screen.query_one("#auth-auth_token", RadioButton).value = True
        await pilot.pause()
        await type_into(pilot, "secret_input", MAIN_AUTH_TOKEN)
        assert len(MAIN_AUTH_TOKEN) == 32 and secret_field.error == ""
        assert not secret_field.has_class("-has-error")
        # 31 characters: the Auth Token's length rule, as soon as the field is left.
        await type_into(pilot, "secret_input", "t" * 31)
        assert secret_field.error == "An Auth Token is 32 characters; this one has 31."
        assert control(app, "secret_input").has_class("-invalid")
        # Back to an API key: that rule holds no length, so the error goes.
        app.screen.query_one("#auth-api_key", RadioButton).value = True
        await pilot.pause()
        assert secret_field.error == ""
        assert EXTRA_SECRET not in app.export_screenshot()


async def test_the_secret_input_is_masked_and_emptied_on_submit(tmp_path: Path, served: str) -> None:
    app = account_app(tmp_path, api_url=served)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        secret_input = control(app, "secret_input")
        assert isinstance(secret_input, Input) and secret_input.password
        app.screen.query_one("#save-profile", Checkbox).value = False
        await fill_form(pilot)
        assert secret_input.value == EXTRA_SECRET
        typed_screen = app.export_screenshot()
        assert EXTRA_SECRET not in typed_screen
        assert "•" * 10 in typed_screen  # the bullets are what is shown
        await submit(pilot)
        assert secret_input.value == ""
        assert details(app)["From"] == SESSION_SOURCE
        # Opening the form again shows an empty secret, not the previous one.
        press(app, "other-credentials")
        await settle(pilot)
        assert secret_input.value == ""


# -- switching profiles, the draft ---------------------------------------------------


async def test_switch_profiles_with_the_select(tmp_path: Path, served: str) -> None:
    store = store_with(tmp_path)
    await add_profile(store, "work", served, main_key(EXTRA_SECRET, EXTRA_KEY_SID))
    await add_profile(store, "trial", served, Credentials(TRIAL_ACCOUNT_SID, Secret(TRIAL_AUTH_TOKEN)))
    app = account_app(tmp_path, store=store, api_url=served)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert details(app)["From"] == f'profile "work" (keyring: {IN_MEMORY})'
        select = app.screen.query_one("#profile-select", Select)
        assert select.display
        select.value = "trial"
        await settle(pilot)
        shown = details(app)
        assert shown["From"] == f'profile "trial" (keyring: {IN_MEMORY})'
        assert shown["Account SID"] == TRIAL_ACCOUNT_SID
        assert shown["Credentials"] == "Auth Token ********"
        assert text_of(app, "#account-check") == "✓ Sandbox Trial Account · Trial account · active"
        assert app.connection is not None and app.connection.api_url == served
        select.value = "work"
        await settle(pilot)
        assert details(app)["Account SID"] == MAIN_ACCOUNT_SID
        assert text_of(app, "#account-check").startswith("✓ Twilio accepted the API key.")


async def test_credentials_never_go_into_the_draft(tmp_path: Path, served: str) -> None:
    app = account_app(tmp_path, store=store_with(tmp_path), api_url=served)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await fill_form(pilot, profile="drafty")
        await submit(pilot)
        assert details(app)["From"].startswith('profile "drafty"')
        await go(pilot, "number")
        await type_number(pilot, "+46701740612")
        await settle(pilot)
        await go(pilot, "account")
        press(app, "other-credentials")
        await settle(pilot)
        await fill_form(pilot, profile="second")  # typed, not submitted
        await go(pilot, "number")
        await settle(pilot)
    draft_file = draft_store_in(tmp_path).path
    assert draft_file.exists(), "the draft was never saved: this test checks nothing"
    text = draft_file.read_text()
    assert "+46701740612" in text
    for leaked in (
        EXTRA_SECRET,
        EXTRA_KEY_SID,
        "drafty",
        "second",
        "profile_name",
        "account_sid_input",
        "api_key_sid_input",
        "secret_input",
        "ProfileName",
        "SecretInput",
    ):
        assert leaked not in text


async def test_from_the_sandbox_when_the_connection_is_given(make_app) -> None:
    """The factory's ready-made sandbox connection still shows its source."""
    app = make_app(connection=sandbox_connection(clock=fixed_clock))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert details(app)["From"] == SANDBOX_SOURCE
