"""The keyring store against backends that work, and that fail in each of the
ways keyring 25.x really fails (docs/credentials.md#how-keyring-fails)."""

from __future__ import annotations

import json
import time
import traceback

import keyring
import keyring.backends.chainer
import keyring.backends.fail
import keyring.backends.null
import pytest
from keyring.testing.backend import BackendBasicTests

from tests.support.credentials import CANARY
from tests.support.keyrings import (
    TEST_TIMEOUTS,
    DroppingKeyring,
    FakePlaintextKeyring,
    HangingKeyring,
    InitErrorKeyring,
    LockedKeyring,
    MemoryKeyring,
    RuntimeErrorKeyring,
)
from tui.domain.credentials import Secret
from tui.services.credentials import keyring_store
from tui.services.credentials.errors import (
    KeyringUnavailableError,
    StoredSecretUnreadableError,
)
from tui.services.credentials.guidance import PlatformKind
from tui.services.credentials.keyring_store import (
    SERVICE_NAME,
    CircuitBreaker,
    KeyringPayload,
    KeyringState,
    KeyringStore,
    KeyringTimeouts,
    keyring_username,
)

PAYLOAD = KeyringPayload(
    account_sid="AC" + "a" * 32, auth_kind="api_key", api_key_sid="SK" + "b" * 32, secret=Secret(CANARY)
)


def new_store(**options: object) -> KeyringStore:
    return KeyringStore(timeouts=TEST_TIMEOUTS, platform=PlatformKind.LINUX_HEADLESS, **options)  # type: ignore[arg-type]


class TestMemoryKeyringIsAFaithfulFake(BackendBasicTests):
    """keyring's own conformance tests, so the in-memory fake behaves like a real
    backend (missing entries, deletes of missing entries, odd characters)."""

    def init_keyring(self) -> MemoryKeyring:
        return MemoryKeyring()


# -- classification -----------------------------------------------------------


def test_a_working_backend_is_ready_after_a_probe_by_reading(memory_keyring: MemoryKeyring) -> None:
    status = new_store().status()
    assert status.state is KeyringState.READY
    assert status.usable
    assert status.backend == MemoryKeyring.name
    # Probed by reading an entry no profile can have, never by writing.
    assert memory_keyring.calls == [("get", SERVICE_NAME, "__probe__")]


def test_status_is_classified_once_and_cached(memory_keyring: MemoryKeyring) -> None:
    store = new_store()
    store.status()
    store.status()
    assert len(memory_keyring.calls) == 1
    store.status(refresh=True)
    assert len(memory_keyring.calls) == 2


@pytest.mark.parametrize(
    ("backend", "state", "detail"),
    [
        (LockedKeyring(), KeyringState.LOCKED, "KeyringLocked: Failed to unlock the collection!"),
        (
            InitErrorKeyring(),
            KeyringState.LOCKED,
            "InitError: Failed to create the collection: Prompt dismissed.",
        ),
        (
            RuntimeErrorKeyring(),
            KeyringState.ERROR,
            "RuntimeError: Unable to initialize SecretService: socket closed",
        ),
    ],
    ids=["locked", "init-error", "runtime-error"],
)
def test_a_backend_that_fails_the_probe_is_classified_with_its_error(backend, state, detail) -> None:
    keyring.set_keyring(backend)
    status = new_store().status()
    assert status.state is state
    assert not status.usable
    assert status.detail == detail
    assert status.fix  # always says what to do


def test_a_locked_keyring_on_headless_linux_explains_the_terminal_unlock() -> None:
    keyring.set_keyring(InitErrorKeyring())
    status = new_store().status()
    assert "gnome-keyring-daemon --unlock" in status.fix
    assert "Prompt dismissed" in status.explain()


def test_the_fail_backend_means_no_keyring() -> None:
    keyring.set_keyring(keyring.backends.fail.Keyring())
    status = new_store().status()
    assert status.state is KeyringState.NONE
    assert "dbus-run-session" in status.fix  # the headless Linux recipe


def test_the_null_backend_means_the_keyring_was_disabled() -> None:
    keyring.set_keyring(keyring.backends.null.Keyring())
    status = new_store().status()
    assert status.state is KeyringState.NONE
    assert "keyring --disable" in status.fix


def test_a_plaintext_backend_is_refused_as_insecure_although_it_works() -> None:
    backend = FakePlaintextKeyring()
    keyring.set_keyring(backend)
    store = new_store()
    status = store.status()
    assert status.state is KeyringState.INSECURE
    assert "plain" in status.reason
    with pytest.raises(KeyringUnavailableError):
        store.write("work", PAYLOAD)
    assert backend.entries == {}
    assert backend.calls == []  # not even probed


def test_a_backend_asking_for_a_master_password_on_the_terminal_is_unsupported() -> None:
    prompting = type("CryptFileKeyring", (MemoryKeyring,), {"__module__": "keyrings.cryptfile.cryptfile"})
    keyring.set_keyring(prompting())
    assert new_store().status().state is KeyringState.UNSUPPORTED


def test_get_keyring_raising_is_a_broken_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken() -> None:
        raise ModuleNotFoundError("No module named 'keyrings.alt'")

    monkeypatch.setattr(keyring, "get_keyring", broken)
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyrings.alt.file.PlaintextKeyring")
    status = new_store().status()
    assert status.state is KeyringState.ERROR
    assert status.detail == "ModuleNotFoundError: No module named 'keyrings.alt'"
    assert "PYTHON_KEYRING_BACKEND=keyrings.alt.file.PlaintextKeyring" in status.fix


def chainer_of(*backends: object) -> keyring.backends.chainer.ChainerBackend:
    """keyring's chainer over exactly these backends (the real one would discover
    every installed backend with a positive priority)."""
    fixed = type(
        "FixedChainer",
        (keyring.backends.chainer.ChainerBackend,),
        {
            "backends": list(backends),
            "priority": -1,
        },
    )
    return fixed()


def test_a_chainer_uses_its_best_secure_backend_and_never_the_plaintext_one() -> None:
    secure, plaintext = MemoryKeyring(), FakePlaintextKeyring()
    plaintext.entries[(SERVICE_NAME, keyring_username("work"))] = "left over in a plain file"
    keyring.set_keyring(chainer_of(plaintext, secure))
    store = new_store()
    assert store.status().state is KeyringState.READY
    assert store.read("work") is None  # the plaintext entry is not consulted
    store.write("work", PAYLOAD)
    assert (SERVICE_NAME, "twilio:work") in secure.entries
    assert plaintext.calls == []


def test_a_chainer_of_only_plaintext_backends_is_insecure() -> None:
    keyring.set_keyring(chainer_of(FakePlaintextKeyring()))
    assert new_store().status().state is KeyringState.INSECURE


# -- timeouts and the circuit breaker -----------------------------------------


def test_a_hanging_probe_times_out_quickly_and_trips_the_breaker(hanging_keyring: HangingKeyring) -> None:
    started = time.monotonic()
    status = new_store().status()
    assert time.monotonic() - started < 2
    assert status.state is KeyringState.TIMEOUT
    assert "unlock dialog" in status.fix
    assert keyring_store.PROCESS_CIRCUIT_BREAKER.tripped  # this test's (tests/conftest.py)


def test_no_new_keyring_call_starts_while_one_is_stuck(hanging_keyring: HangingKeyring) -> None:
    new_store().status()
    # A second store in the same process (another screen, say) must not start a
    # call either: the breaker is per process.
    other = KeyringStore(timeouts=KeyringTimeouts(read=5, write=5))
    started = time.monotonic()
    assert other.status().state is KeyringState.TIMEOUT
    assert time.monotonic() - started < 1  # refused at once, not after 5 s


def test_retry_after_the_stuck_call_finished_probes_again(hanging_keyring: HangingKeyring) -> None:
    store = new_store()
    assert store.status().state is KeyringState.TIMEOUT
    assert store.status(refresh=True).state is KeyringState.TIMEOUT  # still stuck
    hanging_keyring.hang_on = frozenset()
    hanging_keyring.release.set()  # the person answered the dialog
    deadline = time.monotonic() + 5
    while not keyring_store.PROCESS_CIRCUIT_BREAKER.try_close() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert store.status(refresh=True).state is KeyringState.READY


def test_a_hanging_write_times_out_and_leaves_the_keyring_marked_timeout() -> None:
    backend = HangingKeyring(hang_on=frozenset({"set"}))
    keyring.set_keyring(backend)
    try:
        store = new_store()
        assert store.status().usable
        with pytest.raises(KeyringUnavailableError) as raised:
            store.write("work", PAYLOAD)
        assert raised.value.status.state is KeyringState.TIMEOUT
        assert store.status().state is KeyringState.TIMEOUT
        with pytest.raises(KeyringUnavailableError):
            store.read("work")
    finally:
        backend.release.set()


def test_the_timeout_can_be_set_in_the_environment() -> None:
    assert KeyringTimeouts.from_environment({"NUMBER_WIZARD_KEYRING_TIMEOUT": "7.5"}) == KeyringTimeouts(
        7.5, 7.5
    )
    assert KeyringTimeouts.from_environment({"NUMBER_WIZARD_KEYRING_TIMEOUT": "soon"}) == KeyringTimeouts()
    assert KeyringTimeouts.from_environment({"NUMBER_WIZARD_KEYRING_TIMEOUT": "-1"}) == KeyringTimeouts()
    assert KeyringTimeouts.from_environment({}) == KeyringTimeouts(3.0, 60.0)


def test_a_breaker_closes_only_when_every_stuck_call_has_finished() -> None:
    import threading

    breaker = CircuitBreaker()
    first, second = threading.Event(), threading.Event()
    breaker.trip("write", first)
    breaker.trip("read", second)
    first.set()
    assert not breaker.try_close()
    assert breaker.tripped  # the read is still stuck
    second.set()
    assert breaker.try_close()
    assert not breaker.tripped


# -- entries ------------------------------------------------------------------


def test_write_read_delete_round_trip(memory_keyring: MemoryKeyring) -> None:
    store = new_store()
    store.write("work", PAYLOAD)
    stored = memory_keyring.entries[(SERVICE_NAME, "twilio:work")]
    assert json.loads(stored) == {
        "v": 1,
        "account_sid": PAYLOAD.account_sid,
        "auth_kind": "api_key",
        "key_sid": PAYLOAD.api_key_sid,
        "secret": CANARY,
    }
    assert " " not in stored  # compact
    assert store.read("work") == PAYLOAD
    assert store.delete("work") is True
    assert store.read("work") is None


def test_deleting_a_missing_entry_is_not_an_error(memory_keyring: MemoryKeyring) -> None:
    store = new_store()
    assert store.delete("never-there") is False
    store.write("work", PAYLOAD)
    assert store.delete("work") is True
    assert store.delete("work") is False


def test_a_backend_that_drops_writes_fails_the_read_back() -> None:
    keyring.set_keyring(DroppingKeyring())
    store = new_store()
    assert store.status().usable  # it looks fine until something is written
    with pytest.raises(KeyringUnavailableError) as raised:
        store.write("work", PAYLOAD)
    assert raised.value.status.state is KeyringState.ERROR
    assert "gave back nothing" in str(raised.value)
    assert store.status().state is KeyringState.ERROR


def test_a_read_from_a_keyring_that_became_locked_reports_the_lock(memory_keyring: MemoryKeyring) -> None:
    store = new_store()
    assert store.status().usable
    keyring.set_keyring(LockedKeyring())
    store._backend = LockedKeyring()  # the backend locked itself after the probe
    with pytest.raises(KeyringUnavailableError) as raised:
        store.read("work")
    assert raised.value.status.state is KeyringState.LOCKED
    assert store.status().state is KeyringState.LOCKED


def test_usernames_are_prefixed_and_never_empty() -> None:
    assert keyring_username("work") == "twilio:work"
    with pytest.raises(ValueError):
        keyring_username("")


@pytest.mark.parametrize(
    ("blob", "problem"),
    [
        ("not json", "not the JSON"),
        ('{"v": 2, "account_sid": "AC", "auth_kind": "auth_token", "secret": "x"}', "newer number-wizard"),
        ('{"v": 1, "account_sid": "AC", "auth_kind": "password", "secret": "x"}', "auth kind"),
        ('{"v": 1, "account_sid": "AC", "auth_kind": "api_key", "secret": "x"}', "without the key SID"),
        ('{"v": 1, "auth_kind": "auth_token", "secret": "x"}', "lacks the Account SID"),
    ],
)
def test_an_unreadable_payload_is_refused_with_the_reason(
    memory_keyring: MemoryKeyring, blob: str, problem: str
) -> None:
    memory_keyring.entries[(SERVICE_NAME, "twilio:work")] = blob
    with pytest.raises(StoredSecretUnreadableError, match=problem) as raised:
        new_store().read("work")
    assert "--replace" in str(raised.value)


@pytest.mark.parametrize("leak", ["payload", "secret"])
def test_a_backend_error_never_carries_the_secret_or_its_frames(leak: str) -> None:
    class LeakyKeyring(MemoryKeyring):
        def set_password(self, service: str, username: str, password: str) -> None:
            shown = password if leak == "payload" else json.loads(password)["secret"]
            raise RuntimeError(f"could not store {shown}")

    keyring.set_keyring(LeakyKeyring())
    store = new_store()
    with pytest.raises(KeyringUnavailableError) as raised:
        store.write("work", PAYLOAD)
    error = raised.value
    assert CANARY not in str(error)
    assert error.__cause__ is None and error.__context__ is None
    # Nothing chained: a traceback printer (Textual's prints locals) never reaches
    # the backend's frames, where the payload is a plain local variable.
    assert CANARY not in "".join(traceback.format_exception(error))
    assert "********" in (error.status.detail or "")
