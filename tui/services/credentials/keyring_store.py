"""The system keyring, used defensively (docs/credentials.md#how-keyring-fails).

keyring 25.x can say "ready" and be unusable: a Secret Service that cannot unlock
looks healthy until the first call, keyrings.alt silently writes plaintext, the
null backend silently drops writes, `get_keyring()` itself can raise, and a call can
hang on D-Bus activation or an unlock dialog. So this module

- classifies the backend once (by type and name, never trusting priority alone),
  then **probes by reading** an entry that does not exist;
- runs every call in a daemon thread with a timeout (short for reads and the
  probe, long for writes, which may wait on an unlock dialog). A call that times
  out cannot be killed, so it trips a process-wide circuit breaker: no further
  keyring calls start while it is still stuck (pip's approach);
- **reads back** after every write and delete;
- never lets a backend's exception (whose traceback frames hold the plain secret
  as a local variable) escape: failures become `KeyringUnavailableError` carrying a
  `KeyringStatus`, raised outside any `except` block so nothing is chained.

One entry per profile: service `number-wizard`, username `twilio:<profile>` (never
empty, see jaraco/keyring#668), password a compact versioned JSON payload.

All calls here block (up to their timeout). The UI must call them from a thread
worker, never on the event loop.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, TypeVar

import keyring
import keyring.errors
from keyring.backend import KeyringBackend

from tui.domain.credentials import MASK, AuthKind, Secret
from tui.services.credentials import guidance
from tui.services.credentials.errors import (
    KeyringUnavailableError,
    StoredSecretUnreadableError,
)
from tui.services.credentials.guidance import PlatformKind
from tui.services.credentials.redact import redact

log = logging.getLogger(__name__)

SERVICE_NAME = "number-wizard"  # changing it would orphan every stored secret
USERNAME_PREFIX = "twilio:"
PROBE_USERNAME = "__probe__"  # never a profile's username: those all start with "twilio:"
PAYLOAD_VERSION = 1

TIMEOUT_VARIABLE = "NUMBER_WIZARD_KEYRING_TIMEOUT"
DEFAULT_READ_TIMEOUT = 3.0  # gh uses 3 s for everything
# Writes and deletes can wait on an unlock dialog; 3 s is too short to type a
# KWallet password (cli/cli#11005).
DEFAULT_WRITE_TIMEOUT = 60.0

T = TypeVar("T")


class KeyringState(StrEnum):
    READY = "ready"  # probed by reading and answered
    NONE = "none"  # no backend at all (fail), or deliberately disabled (null)
    INSECURE = "insecure"  # stores secrets in a plain file (keyrings.alt and alike)
    UNSUPPORTED = "unsupported"  # asks for a master password on the terminal
    LOCKED = "locked"  # there, but could not be unlocked (InitError, KeyringLocked)
    ERROR = "error"  # broken setting, or a backend that fails or loses writes
    TIMEOUT = "timeout"  # did not answer in time; the circuit breaker is open


@dataclass(frozen=True)
class KeyringStatus:
    """What the keyring can do right now, in words for the person.

    `backend` is the backend's display name ("SecretService Keyring") when one was
    found; `reason` says what is wrong (or, when ready, where secrets go); `fix` says
    what to do on this operating system ("" when ready); `detail` is the library's
    own error, e.g. "InitError: Failed to create the collection: Prompt dismissed..".
    """

    state: KeyringState
    reason: str
    fix: str = ""
    backend: str | None = None
    detail: str | None = None
    platform: PlatformKind = PlatformKind.OTHER

    @property
    def usable(self) -> bool:
        return self.state is KeyringState.READY

    def explain(self) -> str:
        """Reason, the library's error if any, and the fix, as shown on stderr and
        on the Account screen."""
        parts = [self.reason]
        if self.detail:
            parts.append(f"(keyring said: {self.detail})")
        text = " ".join(parts)
        return f"{text}\n{self.fix}" if self.fix else text


@dataclass(frozen=True)
class KeyringTimeouts:
    read: float = DEFAULT_READ_TIMEOUT
    write: float = DEFAULT_WRITE_TIMEOUT

    @classmethod
    def from_environment(cls, env: Mapping[str, str] | None = None) -> KeyringTimeouts:
        """NUMBER_WIZARD_KEYRING_TIMEOUT=<seconds> sets both (a slow keyring on a
        remote desktop, or a CI job that should fail fast)."""
        env = os.environ if env is None else env
        raw = env.get(TIMEOUT_VARIABLE, "").strip()
        if not raw:
            return cls()
        try:
            seconds = float(raw)
        except ValueError:
            log.warning("%s=%r is not a number of seconds; using the defaults", TIMEOUT_VARIABLE, raw)
            return cls()
        if seconds <= 0:
            log.warning("%s must be positive; using the defaults", TIMEOUT_VARIABLE)
            return cls()
        return cls(read=seconds, write=seconds)


class CircuitBreaker:
    """Remembers keyring calls that timed out and may still be running.

    While one is stuck, starting another would most likely hang too (same D-Bus
    connection, same dialog), so the store refuses. `try_close()` re-opens the way
    once every stuck call has finished, e.g. after the person answered the dialog
    and asked to retry.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._stuck: list[tuple[str, threading.Event]] = []

    @property
    def tripped(self) -> bool:
        with self._lock:
            return bool(self._stuck)

    def trip(self, what: str, finished: threading.Event) -> None:
        with self._lock:
            self._stuck.append((what, finished))

    def try_close(self) -> bool:
        with self._lock:
            if any(not finished.is_set() for _, finished in self._stuck):
                return False
            self._stuck.clear()
            return True


# One per process: a thread stuck in a backend is stuck for every store object.
PROCESS_CIRCUIT_BREAKER = CircuitBreaker()


def keyring_username(profile: str) -> str:
    if not profile:
        raise ValueError("a keyring username needs a profile name")
    return USERNAME_PREFIX + profile


# -- the payload --------------------------------------------------------------


@dataclass(frozen=True)
class KeyringPayload:
    """What one keyring entry holds. The SIDs are mirrored in config.toml for
    display; this copy wins if they ever disagree."""

    account_sid: str
    auth_kind: AuthKind
    api_key_sid: str | None
    secret: Secret = field(repr=True)  # Secret's own repr is masked

    def to_json(self) -> Secret:
        """Compact JSON (~200 bytes, well under Windows' 2560-byte limit), wrapped
        so that not even a local variable holds it in the clear."""
        return Secret(
            json.dumps(
                {
                    "v": PAYLOAD_VERSION,
                    "account_sid": self.account_sid,
                    "auth_kind": self.auth_kind,
                    "key_sid": self.api_key_sid,
                    "secret": self.secret.reveal(),
                },
                separators=(",", ":"),
            )
        )

    @classmethod
    def from_json(cls, raw: Secret, *, profile: str) -> KeyringPayload:
        payload, problem = _parse_payload(raw)
        if payload is None:
            raise StoredSecretUnreadableError(
                f'The keyring entry of profile "{profile}" cannot be used: {problem} '
                f"Add the profile again with `number-wizard profiles add {profile} --replace …`."
            )
        return payload


def _parse_payload(raw: Secret) -> tuple[KeyringPayload | None, str]:
    # Never raises: a frame that raised while holding the parsed dict would show
    # the secret in a traceback that prints local variables (Textual's does).
    try:
        data = json.loads(raw.reveal())
    except ValueError:
        return None, "it is not the JSON that number-wizard writes."
    if not isinstance(data, dict):
        return None, "it is not the JSON that number-wizard writes."
    version = data.get("v")
    if version != PAYLOAD_VERSION:
        if isinstance(version, int) and version > PAYLOAD_VERSION:
            return None, (
                f"it was written by a newer number-wizard (format {version}); update number-wizard."
            )
        return None, f"its format version {version!r} is unknown."
    account_sid, auth_kind = data.get("account_sid"), data.get("auth_kind")
    key_sid, secret = data.get("key_sid"), data.get("secret")
    if not isinstance(account_sid, str) or not isinstance(secret, str) or not secret:
        return None, "it lacks the Account SID or the secret."
    if auth_kind not in ("auth_token", "api_key"):
        return None, f"its auth kind {auth_kind!r} is unknown."
    if auth_kind == "api_key" and not isinstance(key_sid, str):
        return None, "it is an API key entry without the key SID."
    return KeyringPayload(
        account_sid=account_sid,
        auth_kind=auth_kind,
        api_key_sid=key_sid if auth_kind == "api_key" else None,
        secret=Secret(secret),
    ), ""


# -- classification -----------------------------------------------------------


def _flatten(backend: KeyringBackend) -> list[KeyringBackend]:
    children = getattr(backend, "backends", None)  # ChainerBackend
    if isinstance(children, (list, tuple)):
        return [child for child in children if isinstance(child, KeyringBackend)]
    return [backend]


def _priority(backend: KeyringBackend) -> float:
    try:
        return float(backend.priority)
    except Exception:  # keyring computes priority by probing; a failing one ranks last
        return float("-inf")


def backend_name(backend: KeyringBackend) -> str:
    try:
        return str(backend.name)
    except Exception:  # a third-party backend's name must not break the explanation
        return type(backend).__name__


class _Kind(StrEnum):
    SECURE = "secure"
    FAIL = "fail"
    DISABLED = "disabled"
    PLAINTEXT = "plaintext"
    PROMPTS = "prompts"


def _kind_of(backend: KeyringBackend) -> _Kind:
    """Sort a backend by what it would do with a secret.

    Priority is not used to decide security: a backend chosen explicitly
    (PYTHON_KEYRING_BACKEND, keyringrc.cfg, `keyring.set_keyring`) is used whatever
    its priority, and keyring's own test backends have negative ones. What matters
    is the kind of store, which name and module tell.
    """
    from keyring.backends import fail, null

    if isinstance(backend, fail.Keyring):
        return _Kind.FAIL
    if isinstance(backend, null.Keyring):
        return _Kind.DISABLED
    cls = type(backend)
    module = cls.__module__ or ""
    names = f"{cls.__name__} {backend_name(backend)}".lower()
    # keyrings.cryptfile and keyrings.alt's EncryptedKeyring call getpass() for a
    # master password: that corrupts a TUI and hangs without a terminal.
    if module.startswith("keyrings.cryptfile") or (
        module.startswith("keyrings.alt") and "encrypted" in names
    ):
        return _Kind.PROMPTS
    if "plaintext" in names or module.startswith("keyrings.alt"):
        return _Kind.PLAINTEXT
    return _Kind.SECURE


def _describe_error(error: BaseException, *, hide: tuple[Secret, ...] = ()) -> str:
    text = f"{type(error).__name__}: {error}".strip().rstrip(":")
    # Longest first: the payload contains the secret, and must be masked whole.
    for secret in sorted(hide, key=lambda s: len(s.reveal()), reverse=True):
        if secret.reveal():
            text = text.replace(secret.reveal(), MASK)
    # And every secret this process has seen: a backend could echo a stored value
    # in an error about reading or deleting it, and this text is shown on screen.
    return redact(text)


@dataclass
class _Outcome:
    value: Any = None
    error: BaseException | None = None


class KeyringStore:
    """The keyring as number-wizard uses it. Create one per process (the app and
    each command); the circuit breaker is shared by all of them regardless.

    `status()` classifies and probes once and caches the answer; a failure seen by
    a later call updates it, so the Account screen always shows the latest state.
    """

    def __init__(
        self,
        *,
        timeouts: KeyringTimeouts | None = None,
        breaker: CircuitBreaker | None = None,
        platform: PlatformKind | None = None,
        env: Mapping[str, str] | None = None,
        backend: KeyringBackend | None = None,
    ) -> None:
        """`backend`: use this backend instead of the one keyring selects (for
        tests and demonstrations; it is classified and probed all the same).
        `breaker`: the process's circuit breaker unless another is given."""
        self._env = os.environ if env is None else env
        self._given_backend = backend
        self.timeouts = timeouts or KeyringTimeouts.from_environment(self._env)
        self._breaker = breaker if breaker is not None else PROCESS_CIRCUIT_BREAKER
        self.platform = platform or guidance.detect_platform(self._env)
        self._lock = threading.Lock()
        self._status: KeyringStatus | None = None
        self._backend: KeyringBackend | None = None

    # -- status -------------------------------------------------------------

    def status(self, *, refresh: bool = False) -> KeyringStatus:
        """Classify and probe the keyring (cached). `refresh=True` probes again,
        e.g. after the person unlocked the keyring and chose "Retry"."""
        with self._lock:
            if self._status is not None and not refresh:
                return self._status
        if self._breaker.tripped and not (refresh and self._breaker.try_close()):
            last_backend = self._status.backend if self._status else None
            status = self._timeout_status(self.timeouts.read, last_backend)
        else:
            status = self._classify()
        with self._lock:
            self._status = status
        return status

    @property
    def backend_name(self) -> str | None:
        return backend_name(self._backend) if self._backend is not None else None

    def _classify(self) -> KeyringStatus:
        # get_keyring() may itself block (first detection talks to D-Bus), so it
        # runs in the timed thread too.
        given = self._given_backend
        detect: Callable[[], KeyringBackend] = (lambda: given) if given is not None else keyring.get_keyring
        try:
            backend = self._timed("detect", self.timeouts.read, detect)
        except _TimedOut:
            return self._timeout_status(self.timeouts.read, None)
        except _CallFailed as failed:
            return KeyringStatus(
                KeyringState.ERROR,
                "The Python keyring library's configuration is broken, so no keyring can be used.",
                guidance.broken_setting_fix(self._env),
                detail=failed.description,
                platform=self.platform,
            )
        if not isinstance(backend, KeyringBackend):
            return KeyringStatus(
                KeyringState.ERROR,
                "The Python keyring library returned something that is not a keyring backend.",
                guidance.broken_setting_fix(self._env),
                detail=type(backend).__name__,
                platform=self.platform,
            )
        candidates = _flatten(backend)
        kinds = [(_kind_of(candidate), candidate) for candidate in candidates]
        secure = [candidate for kind, candidate in kinds if kind is _Kind.SECURE]
        if secure:
            # Use the best secure backend directly, not through a chainer: a
            # chainer would also read from any plaintext backend behind it.
            chosen = max(secure, key=_priority)
            return self._probe(chosen)
        found = {kind for kind, _ in kinds}
        first_named = backend_name(candidates[0]) if candidates else backend_name(backend)
        if _Kind.PROMPTS in found:
            name = next(backend_name(c) for k, c in kinds if k is _Kind.PROMPTS)
            return KeyringStatus(
                KeyringState.UNSUPPORTED,
                f"The selected keyring backend ({name}) asks for its own master password "
                "on the terminal, which number-wizard cannot use.",
                guidance.unsupported_fix(self.platform),
                backend=name,
                platform=self.platform,
            )
        if _Kind.PLAINTEXT in found:
            name = next(backend_name(c) for k, c in kinds if k is _Kind.PLAINTEXT)
            return KeyringStatus(
                KeyringState.INSECURE,
                f"The only keyring backend available ({name}) stores secrets in a plain "
                "file, which number-wizard refuses to use.",
                guidance.insecure_fix(self.platform),
                backend=name,
                platform=self.platform,
            )
        if _Kind.DISABLED in found:
            return KeyringStatus(
                KeyringState.NONE,
                "The system keyring is turned off for Python programs (the null backend "
                "is selected): anything saved there would be silently lost.",
                guidance.disabled_fix(),
                backend=first_named,
                platform=self.platform,
            )
        return KeyringStatus(
            KeyringState.NONE,
            "No system keyring was found.",
            guidance.no_keyring_fix(self.platform),
            backend=None,
            platform=self.platform,
        )

    def _probe(self, backend: KeyringBackend) -> KeyringStatus:
        """Read an entry that does not exist: the only way to learn whether a
        Secret Service is unlocked without writing (writes may pop dialogs)."""
        name = backend_name(backend)
        try:
            self._timed(
                "probe",
                self.timeouts.read,
                lambda: backend.get_password(SERVICE_NAME, PROBE_USERNAME),
            )
        except _TimedOut:
            return self._timeout_status(self.timeouts.read, name)
        except _CallFailed as failed:
            return self._failure_status(failed, name)
        self._backend = backend
        return KeyringStatus(
            KeyringState.READY,
            f"Secrets are saved in the system keyring ({name}).",
            backend=name,
            platform=self.platform,
        )

    def _failure_status(self, failed: _CallFailed, name: str | None) -> KeyringStatus:
        if failed.locked:
            return KeyringStatus(
                KeyringState.LOCKED,
                f"The system keyring ({name}) is locked and could not be unlocked.",
                guidance.locked_fix(self.platform),
                backend=name,
                detail=failed.description,
                platform=self.platform,
            )
        if failed.no_keyring:
            return KeyringStatus(
                KeyringState.NONE,
                "No system keyring was found.",
                guidance.no_keyring_fix(self.platform),
                backend=name,
                detail=failed.description,
                platform=self.platform,
            )
        return KeyringStatus(
            KeyringState.ERROR,
            f"The system keyring ({name}) failed.",
            guidance.no_keyring_fix(self.platform),
            backend=name,
            detail=failed.description,
            platform=self.platform,
        )

    def _timeout_status(self, seconds: float, name: str | None) -> KeyringStatus:
        return KeyringStatus(
            KeyringState.TIMEOUT,
            "The system keyring" + (f" ({name})" if name else "") + " did not answer in time.",
            guidance.timeout_fix(seconds),
            backend=name,
            platform=self.platform,
        )

    # -- entries ------------------------------------------------------------

    def read(self, profile: str) -> KeyringPayload | None:
        """The profile's payload, or None when the keyring has no entry for it."""
        backend = self._ready_backend("read the saved secret")
        username = keyring_username(profile)
        raw = self._call(
            "read",
            self.timeouts.read,
            "read the saved secret",
            lambda: _wrap(backend.get_password(SERVICE_NAME, username)),
        )
        if raw is None:
            return None
        return KeyringPayload.from_json(raw, profile=profile)

    def write(self, profile: str, payload: KeyringPayload) -> None:
        """Save the payload, then read it back. A backend that accepted the write
        but kept nothing (null-like, or a chainer surprise) is an error, and what
        might have been written is deleted again."""
        backend = self._ready_backend("save the secret")
        username = keyring_username(profile)
        blob = payload.to_json()
        self._call(
            "write",
            self.timeouts.write,
            "save the secret",
            lambda: backend.set_password(SERVICE_NAME, username, blob.reveal()),
            hide=(blob, payload.secret),
        )
        stored = self._call(
            "read back",
            self.timeouts.read,
            "check the saved secret",
            lambda: _wrap(backend.get_password(SERVICE_NAME, username)),
        )
        if stored != blob:
            got = "nothing" if stored is None else "a different value"
            self._discard(backend, username)
            status = KeyringStatus(
                KeyringState.ERROR,
                f"The system keyring ({backend_name(backend)}) accepted the secret but "
                f"gave back {got} when read again, so it cannot be relied on.",
                guidance.no_keyring_fix(self.platform),
                backend=backend_name(backend),
                platform=self.platform,
            )
            self._set_status(status)
            raise KeyringUnavailableError(status, doing="save the secret")

    def delete(self, profile: str) -> bool:
        """Delete the profile's entry. True when one was deleted, False when there
        was none (deleting twice is not an error). Checked by reading back."""
        backend = self._ready_backend("delete the saved secret")
        username = keyring_username(profile)
        try:
            self._call(
                "delete",
                self.timeouts.write,
                "delete the saved secret",
                lambda: backend.delete_password(SERVICE_NAME, username),
                missing_ok=True,
            )
            deleted = True
        except _EntryMissing:
            deleted = False
        remaining = self._call(
            "read back",
            self.timeouts.read,
            "check the deletion",
            lambda: _wrap(backend.get_password(SERVICE_NAME, username)),
        )
        if remaining is not None:
            status = KeyringStatus(
                KeyringState.ERROR,
                f"The system keyring ({backend_name(backend)}) still returns the secret after deleting it.",
                f"Delete the entry by hand (service number-wizard, user {username}) in your keyring manager.",
                backend=backend_name(backend),
                platform=self.platform,
            )
            self._set_status(status)
            raise KeyringUnavailableError(status, doing="delete the saved secret")
        return deleted

    # -- plumbing -----------------------------------------------------------

    def _ready_backend(self, doing: str) -> KeyringBackend:
        status = self.status()
        if not status.usable or self._backend is None:
            raise KeyringUnavailableError(status, doing=doing)
        return self._backend

    def _set_status(self, status: KeyringStatus) -> None:
        with self._lock:
            self._status = status

    def _discard(self, backend: KeyringBackend, username: str) -> None:
        # Best effort: the error about the failed write is what matters.
        with contextlib.suppress(_TimedOut, _CallFailed):
            self._timed(
                "discard", self.timeouts.write, lambda: backend.delete_password(SERVICE_NAME, username)
            )

    def _call(
        self,
        what: str,
        timeout: float,
        doing: str,
        call: Callable[[], T],
        *,
        hide: tuple[Secret, ...] = (),
        missing_ok: bool = False,
    ) -> T:
        """Run a call on the ready backend; failures update the status and raise
        KeyringUnavailableError (or _EntryMissing for a missing entry on delete)."""
        name = self.backend_name
        status: KeyringStatus | None = None
        try:
            return self._timed(what, timeout, call, hide=hide)
        except _TimedOut:
            status = self._timeout_status(timeout, name)
        except _CallFailed as failed:
            if missing_ok and failed.missing:
                raise _EntryMissing() from None
            status = self._failure_status(failed, name)
        # Raised here, outside the except blocks, so that no backend exception is
        # chained to it (its frames hold the secret in their locals).
        self._set_status(status)
        raise KeyringUnavailableError(status, doing=doing)

    def _timed(self, what: str, timeout: float, call: Callable[[], T], *, hide: tuple[Secret, ...] = ()) -> T:
        if self._breaker.tripped:
            raise _TimedOut()
        finished = threading.Event()
        outcome = _Outcome()

        def run() -> None:
            try:
                outcome.value = call()
            except BaseException as error:  # kept for the caller, never re-raised as is
                outcome.error = error
            finally:
                finished.set()

        # A daemon thread: one stuck in D-Bus must not keep the process alive at exit
        # (a ThreadPoolExecutor's workers are joined at exit, and would).
        threading.Thread(target=run, name=f"number-wizard keyring {what}", daemon=True).start()
        if not finished.wait(timeout):
            self._breaker.trip(what, finished)
            log.warning(
                "keyring %s did not finish within %.3g s; no further keyring calls in this run", what, timeout
            )
            raise _TimedOut()
        if outcome.error is not None:
            failed = _CallFailed(outcome.error, hide=hide)
            outcome.error = None  # drop the traceback (and its frames' locals)
            log.debug("keyring %s failed: %s", what, failed.description)
            raise failed
        return outcome.value


def _wrap(value: str | None) -> Secret | None:
    return None if value is None else Secret(value)


class _TimedOut(Exception):
    pass


class _EntryMissing(Exception):
    pass


class _CallFailed(Exception):
    """A backend call raised. Only a description and the category are kept, not
    the exception itself."""

    def __init__(self, error: BaseException, *, hide: tuple[Secret, ...] = ()) -> None:
        self.description = _describe_error(error, hide=hide)
        self.locked = isinstance(error, (keyring.errors.KeyringLocked, keyring.errors.InitError))
        self.no_keyring = isinstance(error, keyring.errors.NoKeyringError)
        self.missing = isinstance(error, keyring.errors.PasswordDeleteError)
        super().__init__(self.description)
