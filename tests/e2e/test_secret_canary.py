"""The secret canary (issue 4): a recognisable fake secret goes through profile
creation, a purchase from the command line and the wizard against the sandbox;
afterwards it is in no file the app wrote, no exported screen, no output and no
committed snapshot, and it *is* in the keyring (the one place it belongs).

The canary is the secret of an extra API key of the sandbox's main account. It is
made at run time, so no source file holds it: a traceback prints source lines, and
a canary written in this file would be "found" in the crash output for that
reason alone.

The operating system's keyring is stood in for by `JsonFileKeyring`, a file
outside every scanned folder, selected in the subprocesses with
PYTHON_KEYRING_BACKEND and KEYRING_PROPERTY_PATH (docs/credentials.md#testing) and given
to the in-process wizard directly.
"""

from __future__ import annotations

import base64
import html
import io
import json
import logging
import os
import re
import secrets
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Button, Checkbox, Static

from tests.support.keyrings import JsonFileKeyring
from tests.support.pilot import checked, go, set_mode, settle, type_into, type_number
from tui.app import WizardApp
from tui.sandbox import Sandbox, SandboxCredential, start_server
from tui.sandbox.accounts import MAIN_ACCOUNT_SID, CredentialKind
from tui.services.credentials import redact
from tui.services.credentials.config import ConfigFile
from tui.services.credentials.guidance import PlatformKind
from tui.services.credentials.keyring_store import SERVICE_NAME, CircuitBreaker, KeyringStore
from tui.services.credentials.profiles import ProfileStore
from tui.services.drafts import DraftStore
from tui.services.receipts import ReceiptBook
from tui.services.session import ConnectionRequest

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]
# Three numbers of the sandbox's inventory that need no address or bundle: one
# bought from the command line, one by each wizard run.
NUMBER, WIZARD_NUMBER, SESSION_NUMBER = "+31616953194", "+31648362374", "+31658474903"
VOICE_URL = "https://example.org/canary-calls"
KEY_SID = "SK" + "ca4a" * 8
CANARY = "CANARY-5ecret-do-not-leak-" + secrets.token_hex(16)  # made at run time, see above
BASIC = base64.b64encode(f"{KEY_SID}:{CANARY}".encode()).decode()  # the Authorization value
SIZE = (100, 40)


# -- the scanner ------------------------------------------------------------------


def needles(canary: str = CANARY, key_sid: str = KEY_SID) -> list[str]:
    return [canary, base64.b64encode(f"{key_sid}:{canary}".encode()).decode()]


def as_read(text: str) -> str:
    """Text as a person reads it: markup removed (an exported screen splits a line
    into styled spans), entities decoded, and whitespace and box-drawing borders
    dropped (a traceback wraps a long value over boxed lines)."""
    text = html.unescape(re.sub(r"<[^>]*>", "", text))
    return re.sub(r"[\s\u2500-\u257f]+", "", text)


def leaks(text: str, canary: str = CANARY) -> list[str]:
    return [needle for needle in needles(canary) if needle in text or needle in as_read(text)]


def files_with_leaks(*roots: Path, canary: str = CANARY) -> list[str]:
    found = []
    for root in roots:
        for path in sorted(root.rglob("*")) if root.is_dir() else [root]:
            if path.is_file() and leaks(path.read_bytes().decode("utf-8", "replace"), canary):
                found.append(str(path))
    return found


def test_the_scanner_finds_a_canary_wherever_it_could_hide(tmp_path: Path) -> None:
    """A scan that can never find anything proves nothing: plant the canary."""
    planted = {
        "plain.toml": f'secret = "{CANARY}"\n',
        "header.log": f"DEBUG send: Authorization: Basic {BASIC}\n",
        # A traceback box wrapping the value (as Textual's crash output does).
        "crash.txt": "│ │ raw = {'secret': '" + CANARY[:20] + "    │ │\n│ │ " + CANARY[20:] + "'} │ │\n",
        # An exported screen: two spans, a non-breaking space between lines.
        "screen.svg": (
            f'<text x="0">{CANARY[:12]}</text><text x="9">&#160;{html.escape(CANARY[12:])}</text>'
        ),
        "nested/deeper/draft.json": json.dumps({"note": CANARY}),
    }
    for name, text in planted.items():
        path = tmp_path / "planted" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    (tmp_path / "planted" / "clean.txt").write_text("nothing to see: ********\n")
    found = {Path(p).relative_to(tmp_path / "planted").as_posix() for p in files_with_leaks(tmp_path)}
    assert found == set(planted)
    assert leaks(f"Authorization: Basic {BASIC}") == [BASIC]
    assert leaks("Secret('********')") == []


# -- the world the app runs in ----------------------------------------------------------


@dataclass
class World:
    """Where everything goes. `home` (HOME and every XDG folder) and `work` (the
    working folder) are what the app may write and what is scanned; the keyring
    file is outside both."""

    root: Path
    api_url: str
    home: Path = field(init=False)
    work: Path = field(init=False)
    screens: Path = field(init=False)
    keyring_file: Path = field(init=False)
    outputs: list[tuple[str, str]] = field(default_factory=list)  # (what, text)

    def __post_init__(self) -> None:
        self.home = self.root / "home"
        self.work = self.root / "work"
        self.screens = self.root / "screens"
        self.keyring_file = self.root / "os-keyring" / "keyring.json"
        for folder in (self.home, self.work, self.screens):
            folder.mkdir(parents=True)

    @property
    def xdg(self) -> dict[str, str]:
        return {
            "HOME": str(self.home),
            "XDG_CONFIG_HOME": str(self.home / ".config"),
            "XDG_DATA_HOME": str(self.home / ".local" / "share"),
            "XDG_STATE_HOME": str(self.home / ".local" / "state"),
            "XDG_CACHE_HOME": str(self.home / ".cache"),
        }

    def cli_env(self) -> dict[str, str]:
        env = {
            name: value
            for name, value in os.environ.items()
            if not name.startswith(("TWILIO_", "KEYRING_PROPERTY_", "XDG_"))
            and name
            not in (
                "PYTHON_KEYRING_BACKEND",
                "NUMBER_WIZARD_KEYRING_TIMEOUT",
                "DBUS_SESSION_BUS_ADDRESS",
                "PYTHONPATH",
            )
        }
        env.update(self.xdg)
        env.update(
            PYTHONPATH=str(REPO),
            PYTHON_KEYRING_BACKEND="tests.support.keyrings.JsonFileKeyring",
            KEYRING_PROPERTY_PATH=str(self.keyring_file),
        )
        return env

    def cli(self, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [sys.executable, "-m", "tui", *args],
            input=stdin,
            capture_output=True,
            text=True,
            cwd=self.work,
            env=self.cli_env(),
            timeout=60,
        )
        self.outputs.append((f"{args[:2]} stdout", result.stdout))
        self.outputs.append((f"{args[:2]} stderr", result.stderr))
        return result

    def shot(self, app: WizardApp, name: str) -> str:
        svg = app.export_screenshot()
        path = self.screens / f"{len(list(self.screens.iterdir())):02d}-{name}.svg"
        path.write_text(svg)
        return svg

    def profile_store(self) -> ProfileStore:
        """The stored profiles as the wizard in this process sees them: the default
        config.toml under the temporary XDG folders, and the keyring file."""
        return ProfileStore(
            ConfigFile(),
            KeyringStore(
                backend=JsonFileKeyring(self.keyring_file),
                platform=PlatformKind.LINUX_HEADLESS,
                breaker=CircuitBreaker(),
                env={},
            ),
        )

    def wizard(self, *, profile: str | None = None) -> WizardApp:
        app = WizardApp(
            None,
            request=ConnectionRequest(api_url=self.api_url, profile=profile),
            profiles=self.profile_store(),
            env={},
            draft_store=DraftStore(),  # the defaults: under the temporary XDG folders
            receipts=ReceiptBook(),
            resume_draft=False,
        )
        app.animation_level = "none"
        return app

    def sweep(self) -> None:
        """The canary is nowhere it should not be, and where it should be."""
        assert not files_with_leaks(self.home, self.work), "the canary is in a file the app wrote"
        assert not files_with_leaks(self.screens), "the canary is in an exported screen"
        for what, text in self.outputs:
            assert not leaks(text), f"the canary is in {what}"
        committed = [REPO / "tests" / "snapshots", REPO / "screenshots"]
        assert not files_with_leaks(*[p for p in committed if p.exists()])
        # The scan is not blind: the one place the secret belongs has it.
        assert files_with_leaks(self.keyring_file) == [str(self.keyring_file)]


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    extra = SandboxCredential(
        name="canary",
        kind=CredentialKind.API_KEY,
        username=KEY_SID,
        password=CANARY,
        account_sid=MAIN_ACCOUNT_SID,
        description="an API key whose secret is the canary",
    )
    server = start_server(sandbox=Sandbox(extra_credentials=[extra]))
    made = World(tmp_path, server.base_url)
    # The in-process wizard sees the same folders as the subprocesses, and no
    # keyring or credentials of the machine running the tests.
    for name in list(os.environ):
        if name.startswith(("TWILIO_", "KEYRING_PROPERTY_")) or name == "DBUS_SESSION_BUS_ADDRESS":
            monkeypatch.delenv(name)
    for name, value in made.xdg.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    monkeypatch.chdir(made.work)
    try:
        yield made
    finally:
        server.shutdown()


def add_canary_profile(world: World) -> None:
    """`number-wizard profiles add canary …`, the secret on standard input."""
    added = world.cli(
        "profiles",
        "add",
        "canary",
        "--account-sid",
        MAIN_ACCOUNT_SID,
        "--api-key",
        KEY_SID,
        "--api-url",
        world.api_url,
        stdin=CANARY + "\n",
    )
    assert added.returncode == 0, added.stderr
    assert 'Saved profile "canary"' in added.stdout
    assert "JSON file test keyring" in added.stdout


# -- the wizard, step by step ---------------------------------------------------------


def text_of(app: WizardApp, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).content)


async def buy_in_the_wizard(pilot: Pilot[Any], world: World, label: str, number: str) -> None:
    """From the Account step (credentials accepted) to the Summary, exporting the
    screen at every step."""
    app = pilot.app
    assert isinstance(app, WizardApp)
    await go(pilot, "number")
    await type_number(pilot, number)
    await settle(pilot)
    world.shot(app, f"{label}-number")
    await go(pilot, "voice")
    await set_mode(pilot, "webhook")
    await type_into(pilot, "voice_url", VOICE_URL)
    world.shot(app, f"{label}-voice")
    await go(pilot, "messaging")
    await set_mode(pilot, "none")
    world.shot(app, f"{label}-messaging")
    for step in ("details", "compliance", "review"):
        await go(pilot, step)
        world.shot(app, f"{label}-{step}")
    await pilot.press("ctrl+y")
    await checked(pilot)
    world.shot(app, f"{label}-confirm")
    await pilot.click("#yes")
    await settle(pilot)
    assert app.screen.id == "summary", text_of(app, "#step-error") if app.screen.id != "summary" else ""
    assert text_of(app, "#summary-headline") == f"Bought {number}."
    world.shot(app, f"{label}-summary")


async def type_the_canary(pilot: Pilot[Any], world: World, label: str) -> None:
    """On the Account step: "Use other credentials…", this session only, the
    canary typed into the masked input."""
    app = pilot.app
    assert isinstance(app, WizardApp)
    app.screen.query_one("#other-credentials", Button).press()
    await settle(pilot)
    app.screen.query_one("#save-profile", Checkbox).value = False
    await pilot.pause()
    await type_into(pilot, "account_sid_input", MAIN_ACCOUNT_SID)
    await type_into(pilot, "api_key_sid_input", KEY_SID)
    await type_into(pilot, "secret_input", CANARY, leave=False)
    typed = world.shot(app, f"{label}-typed")  # the canary is in the input right now
    assert not leaks(typed)


def details_text(app: WizardApp) -> str:
    from rich.console import Console

    console = Console(width=300, record=True, file=io.StringIO())
    console.print(app.screen.query_one("#account-details", Static).content)
    return console.export_text()


# -- the journey ----------------------------------------------------------------------


async def test_the_canary_goes_only_to_the_keyring(world: World) -> None:
    # Debug logging to a file, with the redaction the real entry point installs.
    log_file = world.home / ".local" / "state" / "number-wizard" / "debug.log"
    log_file.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(log_file)
    root = logging.getLogger()
    previous_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    redact.install_log_redaction()  # removed after the test by tests/conftest.py
    try:
        await journey(world)
    finally:
        root.removeHandler(handler)
        root.setLevel(previous_level)
        handler.close()
    assert log_file.stat().st_size > 0, "nothing was logged: the log scan would prove nothing"
    world.sweep()


async def journey(world: World) -> None:
    # (1) The profile, through the real command line, the secret on standard input.
    add_canary_profile(world)
    shown = world.cli("profiles", "show", "canary", "-o", "json")
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout)["secret"] == "********"
    stored = json.loads(world.keyring_file.read_text())[SERVICE_NAME]["twilio:canary"]
    assert json.loads(stored)["secret"] == CANARY

    # (2) A purchase from the command line with the stored profile.
    bought = world.cli(
        "buy",
        "--profile",
        "canary",
        "--phone-number",
        NUMBER,
        "--voice-url",
        VOICE_URL,
        "--yes",
        "-o",
        "json",
        "--api-url",
        world.api_url,
    )
    assert bought.returncode == 0, bought.stderr
    assert json.loads(bought.stdout)["phone_number"] == NUMBER

    # (3a) The wizard with --profile canary: the secret comes from the keyring.
    app = world.wizard(profile="canary")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert 'profile "canary" (keyring: JSON file test keyring)' in details_text(app)
        assert text_of(app, "#account-check").startswith("✓ Twilio accepted the API key.")
        world.shot(app, "profile-account")
        await buy_in_the_wizard(pilot, world, "profile", WIZARD_NUMBER)

    # (3b) The wizard again: the active profile first, then the canary typed for
    # this session only.
    app = world.wizard()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert 'profile "canary"' in details_text(app)
        world.shot(app, "session-account-before")
        await type_the_canary(pilot, world, "session")
        app.screen.query_one("#use-credentials", Button).press()
        await settle(pilot)
        assert "this session only (not saved)" in details_text(app)
        assert text_of(app, "#account-check").startswith("✓")
        world.shot(app, "session-account")
        await buy_in_the_wizard(pilot, world, "session", SESSION_NUMBER)

    # Everything the wizard wrote is where the sweep looks.
    receipts = list((world.home / ".local" / "share" / "number-wizard" / "receipts").glob("*.json"))
    assert len(receipts) == 3  # one from the command line, two from the wizard
    assert (world.home / ".config" / "number-wizard" / "config.toml").is_file()
    assert len(list(world.screens.glob("*.svg"))) == 20  # 9 with the profile, 11 with the typed canary


# -- crashes ---------------------------------------------------------------------------


def crash_on_submit(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail inside the form handler, after the canary was read from the input."""
    import tui.widgets.credentials_form as credentials_form

    def failing(*args: object) -> None:
        raise RuntimeError("forced crash while reading the credentials form")

    monkeypatch.setattr(credentials_form, "region_and_edge", failing)


def crash_on_keystroke(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail while the canary is being typed (the screen's change handler)."""
    from textual.widgets import Input

    import tui.screens.account as account

    def failing(self: Any) -> None:
        if len(self.query_one("#control-secret_input", Input).value) > 30:
            raise RuntimeError("forced crash while the secret is typed")

    monkeypatch.setattr(account.AccountStep, "after_change", failing, raising=False)


@pytest.mark.parametrize("crash", [crash_on_submit, crash_on_keystroke], ids=["on-submit", "on-keystroke"])
async def test_a_crash_does_not_print_the_canary(
    world: World, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], crash: Any
) -> None:
    """Textual prints a crashed handler's traceback with its local variables
    (docs/credentials.md#keeping-secrets-out-of-sight): the canary must not be among them."""
    add_canary_profile(world)
    crash(monkeypatch)
    app = world.wizard()
    with pytest.raises(RuntimeError, match="forced crash"):
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await type_the_canary(pilot, world, "crash")
            app.screen.query_one("#use-credentials", Button).press()
            await settle(pilot)
    output = capsys.readouterr()
    crash_output = output.out + output.err
    world.outputs.append(("the crash output", crash_output))
    # The crash output is really there, locals included: the check below means something.
    assert "forced crash" in crash_output and "locals" in crash_output
    # The handler's own object is among the locals: the form, or the step.
    assert ("CredentialsForm" if crash is crash_on_submit else "AccountStep") in crash_output
    if crash is crash_on_submit:
        assert "Secret('********')" in crash_output  # the typed secret, a local there, masked
    assert not leaks(crash_output)
    world.sweep()


def crash_in_field_change(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail inside `FormField.on_input_changed` while the canary is typed: its
    `event` (an Input.Changed, which carries the value) is a local there."""
    from tui.widgets.form_field import FormField

    def failing(self: FormField) -> None:
        if self.spec.kind == "secret" and len(self.value.reveal()) > 30:
            raise RuntimeError("forced crash in the secret field's change handler")

    monkeypatch.setattr(FormField, "_report", failing)


def crash_in_field_blur(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail inside the field's check when the person leaves the secret field with
    the canary in it (`on_input_blurred` → `check`)."""
    from tui.widgets.form_field import FormField

    real_show_error = FormField.show_error

    def failing(self: FormField, message: str | None) -> None:
        if self.spec.kind == "secret" and self.value:
            raise RuntimeError("forced crash while checking the secret field")
        real_show_error(self, message)

    monkeypatch.setattr(FormField, "show_error", failing)


def crash_in_the_secret_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail inside the catalogue's rule that the blur check applies, with an error
    that quotes the value (as a careless rule's error might): the rule gets the
    text in the clear, so its frames and its error are what could show it."""
    import tui.domain.credentials as credential_rules

    real_rule = credential_rules.api_key_secret

    def failing(raw: Any) -> Any:
        if isinstance(raw, str) and len(raw) > 30:
            raise ValueError(f"forced crash in the rule, cannot read {raw!r}")
        return real_rule(raw)

    monkeypatch.setattr(credential_rules, "api_key_secret", failing)


@pytest.mark.parametrize(
    "crash",
    [crash_in_field_change, crash_in_field_blur, crash_in_the_secret_rule],
    ids=["on-change", "on-blur", "in-the-rule"],
)
async def test_a_crash_in_the_secret_field_does_not_print_the_canary(
    world: World, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], crash: Any
) -> None:
    """The form field's own handlers, crashing with the canary in the input: the
    crash output (every frame's locals) must not hold it."""
    add_canary_profile(world)
    crash(monkeypatch)
    app = world.wizard()
    expected = "details are left out" if crash is crash_in_the_secret_rule else "forced crash"
    with pytest.raises(RuntimeError, match=expected):
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await type_the_canary(pilot, world, "field-crash")
            # Leave the field (the blur check). Not with Tab: the crash would stop
            # the app while Tab's scroll to the next field is animated, and Pilot
            # waits for that animation for ever.
            app.set_focus(None)
            await settle(pilot)
    output = capsys.readouterr()
    crash_output = output.out + output.err
    world.outputs.append(("the crash output", crash_output))
    assert expected in crash_output and "locals" in crash_output
    assert "FormField" in crash_output
    handler = "on_input_changed" if crash is crash_in_field_change else "on_input_blurred"
    assert handler in crash_output  # the handler's frame, locals and all, is in the output
    if crash is not crash_in_field_change:
        assert "Secret('********')" in crash_output  # the value `check` read, masked
    if crash is crash_in_the_secret_rule:
        assert "ValueError" in crash_output  # which error, without its text
    assert not leaks(crash_output)
    world.sweep()
