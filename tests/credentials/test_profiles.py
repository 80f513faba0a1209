"""ProfileStore: add after verification, list, use, show, remove; the secret only
ever in the keyring."""

from __future__ import annotations

import base64
import errno
import re

import httpx
import keyring
import pytest

from tests.support.credentials import sandbox_transport
from tests.support.keyrings import (
    TEST_TIMEOUTS,
    DroppingKeyring,
    InitErrorKeyring,
    LockedKeyring,
    MemoryKeyring,
)
from tui.domain.credentials import Credentials, Secret
from tui.sandbox import accounts
from tui.services.credentials.add import add_credentials
from tui.services.credentials.errors import (
    InvalidProfileNameError,
    KeyringUnavailableError,
    ProfileExistsError,
    ProfileNotFoundError,
    StoredSecretMissingError,
    VerificationError,
)
from tui.services.credentials.keyring_store import (
    SERVICE_NAME,
    KeyringState,
    KeyringStore,
)
from tui.services.credentials.profiles import ProfileInfo, ProfileStore, profile_name
from tui.services.credentials.resolve import SESSION_SOURCE
from tui.services.credentials.verify import verify_credentials

MAIN = Credentials(accounts.MAIN_ACCOUNT_SID, Secret(accounts.MAIN_AUTH_TOKEN))
API_KEY = Credentials(
    accounts.MAIN_ACCOUNT_SID,
    Secret(accounts.API_KEY_SECRET),
    api_key_sid=accounts.API_KEY_SID,
    region="ie1",
    edge="dublin",
)


async def add(store: ProfileStore, name: str, credentials: Credentials, replace: bool = False) -> ProfileInfo:
    added = await add_credentials(
        credentials, store=store, profile=name, replace=replace, transport=sandbox_transport()
    )
    assert added.profile is not None and added.unsaved is None
    assert added.credentials.source == f'profile "{added.profile.name}" (keyring: {MemoryKeyring.name})'
    return added.profile


@pytest.mark.parametrize("name", ["work", "Work-2", "a", "client_42", "9lives", "x" * 32])
def test_good_profile_names(name: str) -> None:
    assert profile_name(f"  {name} ") == name


@pytest.mark.parametrize(
    "name", ["", "  ", "-work", "_work", "my profile", "work!", "wörk", "x" * 33, "a/b", "a:b"]
)
def test_bad_profile_names(name: str) -> None:
    with pytest.raises(InvalidProfileNameError):
        profile_name(name)


async def test_add_verifies_then_stores_the_secret_in_the_keyring_only(
    store: ProfileStore, memory_keyring: MemoryKeyring
) -> None:
    info = await add(store, "work", API_KEY)
    assert info.name == "work" and info.active  # the first profile becomes active
    assert info.api_key_sid == accounts.API_KEY_SID
    assert info.region == "ie1" and info.edge == "dublin"
    assert info.verified_at is not None
    assert info.keyring_backend == MemoryKeyring.name
    assert list(memory_keyring.entries) == [(SERVICE_NAME, "twilio:work")]
    config_text = store.config.path.read_text()
    assert accounts.API_KEY_SECRET not in config_text
    assert accounts.API_KEY_SID in config_text  # SIDs are mirrored for display


async def test_load_gives_back_the_credentials_with_their_source(
    store: ProfileStore, memory_keyring: MemoryKeyring
) -> None:
    await add(store, "work", API_KEY)
    loaded = store.load("work")
    assert loaded.secret == API_KEY.secret
    assert (loaded.account_sid, loaded.api_key_sid, loaded.region, loaded.edge) == (
        API_KEY.account_sid,
        API_KEY.api_key_sid,
        "ie1",
        "dublin",
    )
    assert loaded.source == f'profile "work" (keyring: {MemoryKeyring.name})'


async def test_a_second_profile_does_not_take_over_until_used(
    store: ProfileStore, memory_keyring: MemoryKeyring
) -> None:
    await add(store, "work", MAIN)
    info = await add(store, "other", API_KEY)
    assert not info.active
    assert store.active_name() == "work"
    assert store.use("other").active
    assert store.active_name() == "other"
    assert [(p.name, p.active) for p in store.list_profiles()] == [("other", True), ("work", False)]


async def test_adding_an_existing_name_needs_replace(
    store: ProfileStore, memory_keyring: MemoryKeyring
) -> None:
    await add(store, "work", MAIN)
    with pytest.raises(ProfileExistsError):
        await add(store, "work", API_KEY)
    info = await add(store, "work", API_KEY, replace=True)
    assert info.auth_kind == "api_key"
    assert store.load("work").api_key_sid == accounts.API_KEY_SID


async def test_credentials_twilio_refuses_are_not_stored(
    store: ProfileStore, memory_keyring: MemoryKeyring
) -> None:
    wrong = Credentials(accounts.MAIN_ACCOUNT_SID, Secret("x" * 32))
    with pytest.raises(VerificationError):
        await add(store, "work", wrong)
    assert memory_keyring.entries == {}
    assert not store.config.path.exists()


async def test_an_unusable_keyring_is_reported_before_twilio_is_asked(store: ProfileStore) -> None:
    keyring.set_keyring(InitErrorKeyring())
    requests: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        return httpx.Response(500)

    with pytest.raises(KeyringUnavailableError) as raised:
        await add_credentials(MAIN, store=store, profile="work", transport=httpx.MockTransport(record))
    assert raised.value.status.state is KeyringState.LOCKED
    assert requests == []
    assert not store.config.path.exists()


async def test_without_a_profile_name_credentials_are_verified_and_kept_for_the_session(
    store: ProfileStore, memory_keyring: MemoryKeyring
) -> None:
    added = await add_credentials(MAIN, store=store, profile=None, transport=sandbox_transport())
    assert added.profile is None and added.unsaved is None
    assert added.credentials.source == SESSION_SOURCE
    assert added.verified.check.account is not None
    assert memory_keyring.entries == {}
    assert not store.config.path.exists()


async def test_the_wizard_keeps_verified_credentials_for_the_session_when_the_keyring_refuses(
    store: ProfileStore,
) -> None:
    keyring.set_keyring(DroppingKeyring())  # looks usable, loses what is written
    added = await add_credentials(
        MAIN, store=store, profile="work", session_if_unsaved=True, transport=sandbox_transport()
    )
    assert added.profile is None and added.unsaved is not None
    assert added.credentials.source == SESSION_SOURCE
    assert added.credentials.secret == MAIN.secret
    assert not store.config.path.exists()
    # A keyring known to be unusable: Twilio is still asked, nothing is written.
    keyring.set_keyring(InitErrorKeyring())
    store.keyring.status(refresh=True)
    added = await add_credentials(
        MAIN, store=store, profile="work", session_if_unsaved=True, transport=sandbox_transport()
    )
    assert added.unsaved is not None and added.unsaved.status.state is KeyringState.LOCKED
    assert added.credentials.source == SESSION_SOURCE


async def test_a_keyring_that_loses_writes_stores_nothing(store: ProfileStore) -> None:
    keyring.set_keyring(DroppingKeyring())
    with pytest.raises(KeyringUnavailableError, match="gave back nothing"):
        await add(store, "work", MAIN)
    assert not store.config.path.exists()


async def test_save_accepts_only_verified_credentials(
    store: ProfileStore, memory_keyring: MemoryKeyring
) -> None:
    with pytest.raises(TypeError):
        store.save("work", MAIN)  # type: ignore[arg-type]
    verified = await verify_credentials(MAIN, transport=sandbox_transport())
    assert store.save("work", verified).name == "work"


async def test_show_masks_the_secret_and_says_whether_it_is_stored(
    store: ProfileStore, memory_keyring: MemoryKeyring
) -> None:
    await add(store, "work", MAIN)
    details = store.show("work")
    assert details.secret_stored is True
    assert details.masked_secret == "********"
    assert accounts.MAIN_AUTH_TOKEN not in repr(details)
    memory_keyring.entries.clear()  # deleted by hand in a keyring manager
    assert store.show("work").secret_stored is False
    with pytest.raises(StoredSecretMissingError, match="--replace"):
        store.load("work")


async def test_show_with_a_locked_keyring_says_so_instead_of_guessing(
    store: ProfileStore, memory_keyring: MemoryKeyring
) -> None:
    await add(store, "work", MAIN)
    keyring.set_keyring(LockedKeyring())
    details = store.show("work")
    assert details.secret_stored is True  # the cached probe still says ready…
    details = ProfileStore(store.config, KeyringStore(timeouts=TEST_TIMEOUTS)).show(
        "work"
    )  # …a fresh one does not
    assert details.secret_stored is None
    assert details.keyring.state is KeyringState.LOCKED


async def test_loading_from_a_locked_keyring_reports_the_lock_not_bad_credentials(
    store: ProfileStore, memory_keyring: MemoryKeyring
) -> None:
    await add(store, "work", MAIN)
    keyring.set_keyring(LockedKeyring())
    fresh = ProfileStore(store.config, KeyringStore(timeouts=TEST_TIMEOUTS))
    with pytest.raises(KeyringUnavailableError) as raised:
        fresh.load("work")
    assert raised.value.status.state is KeyringState.LOCKED
    assert "locked" in str(raised.value)
    assert "invalid" not in str(raised.value).lower()


async def test_remove_deletes_the_keyring_entry_and_the_config_entry(
    store: ProfileStore, memory_keyring: MemoryKeyring
) -> None:
    await add(store, "work", MAIN)
    result = store.remove("work")
    assert (result.removed_profile, result.removed_secret, result.was_active) == (True, True, True)
    assert memory_keyring.entries == {}
    assert store.list_profiles() == []
    assert store.active_name() is None


async def test_removing_twice_is_not_an_error(store: ProfileStore, memory_keyring: MemoryKeyring) -> None:
    await add(store, "work", MAIN)
    store.remove("work")
    again = store.remove("work")
    assert not again.removed_anything


async def test_remove_deletes_an_orphaned_keyring_entry(
    store: ProfileStore, memory_keyring: MemoryKeyring
) -> None:
    memory_keyring.entries[(SERVICE_NAME, "twilio:old")] = "left behind by a lost config file"
    result = store.remove("old")
    assert (result.removed_profile, result.removed_secret) == (False, True)
    assert memory_keyring.entries == {}


async def test_remove_with_a_locked_keyring_keeps_the_profile_so_it_can_be_retried(
    store: ProfileStore, memory_keyring: MemoryKeyring
) -> None:
    await add(store, "work", MAIN)
    keyring.set_keyring(LockedKeyring())
    fresh = ProfileStore(store.config, KeyringStore(timeouts=TEST_TIMEOUTS))
    with pytest.raises(KeyringUnavailableError):
        fresh.remove("work")
    assert [p.name for p in store.list_profiles()] == ["work"]
    # …but a profile that is not there is still "nothing to remove", not an error.
    assert not fresh.remove("never").removed_anything


def test_unknown_profiles_are_named_with_the_known_ones(
    store: ProfileStore, memory_keyring: MemoryKeyring
) -> None:
    with pytest.raises(ProfileNotFoundError, match="profiles add nope"):
        store.load("nope")
    with pytest.raises(ProfileNotFoundError):
        store.use("bad name!")


async def test_the_secret_is_in_no_file_under_home(
    store: ProfileStore, memory_keyring: MemoryKeyring, isolated_environment, tmp_path
) -> None:
    await add(store, "work", Credentials(accounts.MAIN_ACCOUNT_SID, Secret(accounts.MAIN_AUTH_TOKEN)))
    store.use("work")
    store.show("work")
    for path in [*isolated_environment.rglob("*"), *tmp_path.rglob("*")]:
        if path.is_file():
            assert accounts.MAIN_AUTH_TOKEN.encode() not in path.read_bytes(), path


async def test_a_region_without_an_edge_is_refused_before_anything_happens(
    store: ProfileStore, memory_keyring: MemoryKeyring
) -> None:
    from tui.domain.rules import RuleError

    with pytest.raises(RuleError, match="needs an edge"):
        await add(
            store,
            "work",
            Credentials(accounts.MAIN_ACCOUNT_SID, Secret(accounts.MAIN_AUTH_TOKEN), region="ie1"),
        )
    assert memory_keyring.calls == []


async def test_a_config_that_cannot_be_written_leaves_no_orphaned_secret(
    store: ProfileStore, memory_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tui.services import paths
    from tui.services.credentials.errors import ConfigFileError

    def disk_full(path: object, text: str) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(paths, "write_private", disk_full)
    with pytest.raises(ConfigFileError, match=r"No space left on device\. The profile was not saved"):
        await add(store, "work", MAIN)
    assert memory_keyring.entries == {}


async def test_the_secret_never_reaches_the_logs(
    store: ProfileStore, memory_keyring: MemoryKeyring, redacting_caplog
) -> None:
    class FailingDelete(MemoryKeyring):
        def delete_password(self, service: str, username: str) -> None:
            raise RuntimeError(f"cannot delete {self.entries[(service, username)]}")

    await add(store, "work", MAIN)
    store.load("work")
    leaky = FailingDelete()
    leaky.entries = dict(memory_keyring.entries)
    keyring.set_keyring(leaky)
    with pytest.raises(KeyringUnavailableError) as raised:
        ProfileStore(store.config, KeyringStore(timeouts=TEST_TIMEOUTS)).remove("work")
    assert "cannot delete" in str(raised.value)
    assert accounts.MAIN_AUTH_TOKEN not in str(raised.value)  # shown on screen as is
    assert redacting_caplog.records  # httpx and the keyring store did log, at DEBUG
    assert accounts.MAIN_AUTH_TOKEN not in redacting_caplog.text
    # Not the Basic-auth value either (base64 of "user:secret"), masked or not nearby.
    basic = base64.b64encode(f"{accounts.MAIN_ACCOUNT_SID}:{accounts.MAIN_AUTH_TOKEN}".encode()).decode()
    assert basic not in redacting_caplog.text
    assert re.findall(r"Basic (\S+)", redacting_caplog.text) in (
        [],
        ["********"] * redacting_caplog.text.count("Basic "),
    )
