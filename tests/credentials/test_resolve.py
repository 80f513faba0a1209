"""Which credentials win: session, --profile, a complete TWILIO_* set, the active
profile; never a mixture."""

from __future__ import annotations

import keyring
import pytest

from tests.support.credentials import sandbox_transport
from tests.support.keyrings import TEST_TIMEOUTS, LockedKeyring, MemoryKeyring
from tui.domain.credentials import Credentials, Secret
from tui.sandbox import accounts
from tui.services.credentials.errors import (
    InvalidEnvironmentError,
    KeyringUnavailableError,
    NoCredentialsError,
    ProfileNotFoundError,
)
from tui.services.credentials.keyring_store import KeyringState, KeyringStore
from tui.services.credentials.profiles import ProfileStore
from tui.services.credentials.redact import redact
from tui.services.credentials.resolve import (
    SESSION_SOURCE,
    for_this_session,
    resolve_credentials,
)
from tui.services.credentials.verify import verify_credentials

ENV_ACCOUNT = "AC" + "e" * 32
ENV_TOKEN = "env-token-000000000000000000000e"  # 32 characters
ENV_KEY = "SK" + "e" * 32
TOKEN_ENV = {"TWILIO_ACCOUNT_SID": ENV_ACCOUNT, "TWILIO_AUTH_TOKEN": ENV_TOKEN}
KEY_ENV = {
    "TWILIO_ACCOUNT_SID": ENV_ACCOUNT,
    "TWILIO_API_KEY": ENV_KEY,
    "TWILIO_API_SECRET": "env-key-secret",
}


@pytest.fixture
async def two_profiles(store: ProfileStore, memory_keyring: MemoryKeyring) -> ProfileStore:
    """ "main" (active, Auth Token) and "key" (API key, regional)."""
    for name, credentials in (
        ("main", Credentials(accounts.MAIN_ACCOUNT_SID, Secret(accounts.MAIN_AUTH_TOKEN))),
        (
            "key",
            Credentials(
                accounts.MAIN_ACCOUNT_SID,
                Secret(accounts.API_KEY_SECRET),
                api_key_sid=accounts.API_KEY_SID,
                region="ie1",
                edge="dublin",
            ),
        ),
    ):
        verified = await verify_credentials(credentials, transport=sandbox_transport())
        store.save(name, verified)
    return store


def test_the_active_profile_is_used_when_nothing_else_is_given(two_profiles: ProfileStore) -> None:
    found = resolve_credentials(profile=None, env={}, store=two_profiles)
    assert found.secret.reveal() == accounts.MAIN_AUTH_TOKEN
    assert found.source == f'profile "main" (keyring: {MemoryKeyring.name})'


def test_a_complete_environment_set_beats_the_active_profile(two_profiles: ProfileStore) -> None:
    found = resolve_credentials(profile=None, env=TOKEN_ENV, store=two_profiles)
    assert (found.account_sid, found.secret.reveal()) == (ENV_ACCOUNT, ENV_TOKEN)
    assert found.source == "environment (TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN)"


def test_api_key_variables_are_preferred_over_the_auth_token(two_profiles: ProfileStore) -> None:
    found = resolve_credentials(profile=None, env={**TOKEN_ENV, **KEY_ENV}, store=two_profiles)
    assert found.api_key_sid == ENV_KEY
    assert found.source == "environment (TWILIO_ACCOUNT_SID, TWILIO_API_KEY, TWILIO_API_SECRET)"


def test_an_explicit_profile_beats_the_environment(two_profiles: ProfileStore) -> None:
    found = resolve_credentials(profile="key", env=TOKEN_ENV, store=two_profiles)
    assert found.api_key_sid == accounts.API_KEY_SID
    assert (found.region, found.edge) == ("ie1", "dublin")
    assert found.source.startswith('profile "key"')


def test_an_explicit_profile_wins_even_over_a_broken_environment(two_profiles: ProfileStore) -> None:
    found = resolve_credentials(profile="main", env={"TWILIO_AUTH_TOKEN": "x"}, store=two_profiles)
    assert found.source.startswith('profile "main"')


def test_a_missing_explicit_profile_is_an_error_not_a_fallback(two_profiles: ProfileStore) -> None:
    with pytest.raises(ProfileNotFoundError, match="key, main"):
        resolve_credentials(profile="nope", env=TOKEN_ENV, store=two_profiles)


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"TWILIO_AUTH_TOKEN": ENV_TOKEN}, "TWILIO_ACCOUNT_SID"),
        ({"TWILIO_ACCOUNT_SID": ENV_ACCOUNT}, "TWILIO_AUTH_TOKEN"),
        ({"TWILIO_ACCOUNT_SID": ENV_ACCOUNT, "TWILIO_API_KEY": ENV_KEY}, "TWILIO_API_SECRET"),
        ({"TWILIO_ACCOUNT_SID": ENV_ACCOUNT, "TWILIO_API_SECRET": "s"}, "TWILIO_API_KEY"),
        ({"TWILIO_ACCOUNT_SID": "SK" + "e" * 32, "TWILIO_AUTH_TOKEN": ENV_TOKEN}, "TWILIO_ACCOUNT_SID"),
        ({"TWILIO_ACCOUNT_SID": ENV_ACCOUNT, "TWILIO_AUTH_TOKEN": "short"}, "TWILIO_AUTH_TOKEN"),
    ],
    ids=["no-account", "no-secret", "key-without-secret", "secret-without-key", "swapped-sid", "short-token"],
)
def test_an_incomplete_or_malformed_environment_is_an_error_naming_the_variable(
    two_profiles: ProfileStore, env: dict[str, str], named: str
) -> None:
    # An active profile exists: the broken set must not silently fall back to it.
    with pytest.raises(InvalidEnvironmentError) as raised:
        resolve_credentials(profile=None, env=env, store=two_profiles)
    assert named in str(raised.value)
    assert "--profile" in str(raised.value)


def test_region_and_edge_variables_do_not_change_a_stored_profile(two_profiles: ProfileStore) -> None:
    found = resolve_credentials(
        profile=None, env={"TWILIO_REGION": "au1", "TWILIO_EDGE": "sydney"}, store=two_profiles
    )
    assert found.source.startswith('profile "main"')
    assert (found.region, found.edge) == (None, None)


def test_nothing_anywhere_says_how_to_add_credentials(
    store: ProfileStore, memory_keyring: MemoryKeyring
) -> None:
    with pytest.raises(NoCredentialsError, match="profiles add"):
        resolve_credentials(profile=None, env={}, store=store)


def test_a_locked_keyring_is_reported_as_such_for_the_active_profile(two_profiles: ProfileStore) -> None:
    keyring.set_keyring(LockedKeyring())
    fresh = ProfileStore(two_profiles.config, KeyringStore(timeouts=TEST_TIMEOUTS))
    with pytest.raises(KeyringUnavailableError) as raised:
        resolve_credentials(profile=None, env={}, store=fresh)
    assert raised.value.status.state is KeyringState.LOCKED


def test_credentials_for_this_session_say_they_are_not_saved_and_are_redacted_in_logs() -> None:
    typed = Credentials(accounts.TRIAL_ACCOUNT_SID, Secret(accounts.TRIAL_AUTH_TOKEN), source="typed")
    kept = for_this_session(typed)
    assert kept.source == SESSION_SOURCE
    assert (kept.account_sid, kept.secret) == (typed.account_sid, typed.secret)
    assert accounts.TRIAL_AUTH_TOKEN not in redact(f"token={accounts.TRIAL_AUTH_TOKEN}")
