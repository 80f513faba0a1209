"""`number-wizard profiles …` through click's CliRunner, the secret on standard
input (CliRunner's stdin is not a terminal, as in a pipe)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from click.testing import CliRunner, Result

import tui.cli.profiles as profiles_cli
from tests.support.credentials import served_sandbox
from tests.support.keyrings import InitErrorKeyring, MemoryKeyring
from tui.cli.profiles import profiles
from tui.sandbox import accounts
from tui.services.credentials.config import default_config_path
from tui.services.credentials.keyring_store import SERVICE_NAME

MAIN = accounts.MAIN_ACCOUNT_SID
TOKEN = accounts.MAIN_AUTH_TOKEN
KEY, KEY_SECRET = accounts.API_KEY_SID, accounts.API_KEY_SECRET


@pytest.fixture(scope="module")
def api_url() -> Iterator[str]:
    with served_sandbox() as url:
        yield url


def run(*args: str, stdin: str | None = None) -> Result:
    return CliRunner().invoke(profiles, list(args), input=stdin, catch_exceptions=False)


def assert_no_secret(result: Result, *secrets: str) -> None:
    for secret in secrets or (TOKEN, KEY_SECRET):
        assert secret not in result.stdout
        assert secret not in result.stderr


def add_main(api_url: str, name: str = "main") -> Result:
    return run("add", name, "--account-sid", MAIN, "--api-url", api_url, stdin=TOKEN + "\n")


def test_add_with_an_auth_token_from_stdin(api_url: str, memory_keyring: MemoryKeyring) -> None:
    result = add_main(api_url)
    assert result.exit_code == 0, result.output
    assert f'Saved profile "main": {MAIN} with Auth Token' in result.stdout
    assert "********" in result.stdout
    assert '"main" is the active profile.' in result.stdout
    assert f"Checking the credentials with {api_url}" in result.stderr
    assert_no_secret(result)
    stored = json.loads(memory_keyring.entries[(SERVICE_NAME, "twilio:main")])
    assert stored["secret"] == TOKEN
    assert TOKEN not in default_config_path().read_text()


def test_add_with_an_api_key_and_region(api_url: str, memory_keyring: MemoryKeyring) -> None:
    result = run(
        "add",
        "key",
        "--account-sid",
        MAIN,
        "--api-key",
        KEY,
        "--region",
        "ie1",
        "--edge",
        "dublin",
        "--api-url",
        api_url,
        stdin=KEY_SECRET,
    )
    assert result.exit_code == 0, result.output
    assert f"with API key {KEY}" in result.stdout
    assert_no_secret(result)
    shown = run("show", "key", "-o", "json")
    data = json.loads(shown.stdout)
    assert (data["region"], data["edge"], data["auth_kind"]) == ("ie1", "dublin", "api_key")
    assert data["secret"] == "********" and data["secret_stored"] is True


def test_a_refused_secret_exits_with_the_credentials_code_and_stores_nothing(
    api_url: str, memory_keyring: MemoryKeyring
) -> None:
    wrong = "w" * 32
    result = run("add", "main", "--account-sid", MAIN, "--api-url", api_url, stdin=wrong)
    assert result.exit_code == 3
    assert "error: Twilio did not accept this Account SID and Auth Token" in result.stderr
    assert_no_secret(result, wrong, TOKEN)
    assert memory_keyring.entries == {}
    assert not default_config_path().exists()


def test_an_unusable_keyring_is_explained_before_the_secret_is_read(api_url: str) -> None:
    keyring.set_keyring(InitErrorKeyring())
    result = run("add", "main", "--account-sid", MAIN, "--api-url", api_url, stdin=TOKEN)
    assert result.exit_code == 3
    assert "is locked and could not be unlocked" in result.stderr
    assert "Prompt dismissed" in result.stderr
    assert "gnome-keyring-daemon --unlock" in result.stderr  # the fix for headless Linux
    assert "Nothing was saved" in result.stderr
    assert "TWILIO_ACCOUNT_SID" in result.stderr  # the environment alternative
    assert "Checking the credentials" not in result.stderr  # Twilio was never asked
    assert_no_secret(result)
    assert not default_config_path().exists()


@pytest.mark.parametrize(
    ("args", "complaint"),
    [
        (["add", "bad name", "--account-sid", MAIN], "Profile name"),
        (["add", "main", "--account-sid", KEY], "API key SID"),
        (["add", "main", "--account-sid", MAIN, "--api-key", MAIN], "Account SID"),
        (["add", "main", "--account-sid", MAIN, "--region", "ie1"], "needs an edge"),
        (["add", "main", "--account-sid", MAIN, "--api-url", "localhost:8080"], "--api-url"),
    ],
)
def test_bad_input_is_refused_before_the_secret_is_read(
    memory_keyring: MemoryKeyring, args: list[str], complaint: str
) -> None:
    result = run(*args, stdin=TOKEN)
    assert result.exit_code == 2
    assert complaint in result.stderr
    assert memory_keyring.calls == []  # not even the keyring was asked


@pytest.mark.parametrize(
    ("stdin", "complaint"),
    [
        ("", "No Auth Token on standard input"),
        (f"{TOKEN}\nsecond line\n", "2 lines"),
        ("short\n", "32 characters"),
    ],
)
def test_stdin_must_hold_exactly_the_secret(
    api_url: str, memory_keyring: MemoryKeyring, stdin: str, complaint: str
) -> None:
    result = run("add", "main", "--account-sid", MAIN, "--api-url", api_url, stdin=stdin)
    assert result.exit_code == 2
    assert complaint in result.stderr
    assert memory_keyring.entries == {}


def test_there_is_no_option_for_the_secret(memory_keyring: MemoryKeyring) -> None:
    for option in ("--auth-token", "--secret", "--api-secret", "--token"):
        result = run("add", "main", "--account-sid", MAIN, option, TOKEN)
        assert result.exit_code == 2
        assert "No such option" in result.stderr


def test_at_a_terminal_the_secret_is_asked_for_with_a_masked_prompt(
    api_url: str, memory_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(profiles_cli, "_stdin_is_terminal", lambda: True)
    # A wrong length is refused at the prompt, which then asks again.
    result = run("add", "main", "--account-sid", MAIN, "--api-url", api_url, stdin=f"short\n{TOKEN}\n")
    assert result.exit_code == 0, result.output
    assert result.output.count("Auth Token:") == 2
    assert "32 characters" in result.output
    assert TOKEN not in result.output  # hidden input is not echoed


def test_add_refuses_an_existing_name_unless_replace(api_url: str, memory_keyring: MemoryKeyring) -> None:
    assert add_main(api_url).exit_code == 0
    again = add_main(api_url)
    assert again.exit_code == 2
    assert "--replace" in again.stderr
    replaced = run("add", "main", "--account-sid", MAIN, "--api-url", api_url, "--replace", stdin=TOKEN)
    assert replaced.exit_code == 0, replaced.output


def test_add_warns_that_environment_variables_take_precedence(
    api_url: str, memory_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TWILIO_ACCOUNT_SID", MAIN)
    result = add_main(api_url)
    assert result.exit_code == 0
    assert "take precedence over stored profiles unless --profile main" in result.stderr


def test_list_use_show_remove(api_url: str, memory_keyring: MemoryKeyring) -> None:
    assert "No profiles yet" in run("list").stdout
    assert add_main(api_url, "main").exit_code == 0
    assert add_main(api_url, "spare").exit_code == 0

    listing = run("list")
    assert listing.exit_code == 0
    lines = listing.stdout.splitlines()
    assert lines[0].split() == ["NAME", "ACCOUNT", "SID", "AUTH", "REGION/EDGE", "VERIFIED"]
    assert lines[2].split()[:2] == ["*", "main"] and lines[3].split()[0] == "spare"

    used = run("use", "spare")
    assert used.exit_code == 0 and 'Active profile: "spare"' in used.stdout
    assert [p["name"] for p in json.loads(run("list", "-o", "json").stdout) if p["active"]] == ["spare"]

    shown = run("show", "spare")
    assert shown.exit_code == 0
    assert "Profile         spare (active)" in shown.stdout
    assert f"******** (in the system keyring: {MemoryKeyring.name})" in shown.stdout
    assert_no_secret(shown)

    removed = run("remove", "spare")
    assert removed.exit_code == 0
    assert 'Removed profile "spare"' in removed.stdout
    assert "revoke it in the Twilio Console" in removed.stdout
    assert "No profile is active now" in removed.stdout
    assert (SERVICE_NAME, "twilio:spare") not in memory_keyring.entries

    again = run("remove", "spare")
    assert again.exit_code == 0
    assert 'There is no profile "spare"; nothing to remove.' in again.stdout


def test_show_says_when_the_secret_is_missing_from_the_keyring(
    api_url: str, memory_keyring: MemoryKeyring
) -> None:
    assert add_main(api_url).exit_code == 0
    memory_keyring.entries.clear()
    shown = run("show", "main")
    assert "missing from the system keyring" in shown.stdout
    assert "profiles add main --replace" in shown.stderr


def test_unknown_profiles_exit_with_the_credentials_code(memory_keyring: MemoryKeyring) -> None:
    for command in ("use", "show"):
        result = run(command, "nope")
        assert result.exit_code == 3
        assert result.stderr.startswith('error: There is no profile "nope".')


def test_add_with_the_sandbox(memory_keyring: MemoryKeyring) -> None:
    result = run("add", "sandbox", "--account-sid", MAIN, "--sandbox", stdin=TOKEN)
    assert result.exit_code == 0, result.output
    assert "Checking the credentials with the sandbox" in result.stderr


def test_nothing_secret_is_left_in_any_file(
    api_url: str, memory_keyring: MemoryKeyring, isolated_environment: Path
) -> None:
    assert add_main(api_url).exit_code == 0
    run("add", "key", "--account-sid", MAIN, "--api-key", KEY, "--api-url", api_url, stdin=KEY_SECRET)
    run("show", "main")
    run("list")
    for path in isolated_environment.rglob("*"):
        if path.is_file():
            content = path.read_bytes()
            assert TOKEN.encode() not in content and KEY_SECRET.encode() not in content, path
