"""A connection: whose credentials, which endpoint, which transport.

Built by the command line for its commands, and by the wizard's Account step
(from what the command line asked for), so both reach Twilio (or the sandbox)
the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from tui.domain.credentials import Credentials, Secret
from tui.domain.rules import RuleError
from tui.services.hosts import resolve_hosts

if TYPE_CHECKING:
    # Imported when a client is made or a profile read: the wizard's first frame
    # and `--help` need neither httpx nor keyring.
    import httpx

    from tui.services.credentials.profiles import ProfileStore
    from tui.services.twilio import TwilioClient

SANDBOX_SOURCE = "sandbox (its built-in test account; nothing is bought or charged)"


@dataclass
class Connection:
    credentials: Credentials
    api_url: str | None = None
    transport: httpx.AsyncBaseTransport | None = None
    sandbox: bool = False
    # Seconds to wait for the answer to a purchase before looking the number up
    # (`buy --wait`); None: the client's default.
    purchase_wait: float | None = None

    def client(self, **options: Any) -> TwilioClient:
        from tui.services.twilio import TwilioClient

        if self.purchase_wait is not None and "purchase_timeout" not in options:
            import httpx

            options["purchase_timeout"] = httpx.Timeout(10.0, read=self.purchase_wait)
        return TwilioClient(self.credentials, api_url=self.api_url, transport=self.transport, **options)

    def with_credentials(self, credentials: Credentials) -> Connection:
        """The same endpoint (Twilio, a served sandbox, the in-process one) with
        other credentials."""
        return replace(self, credentials=credentials)


@dataclass(frozen=True)
class ConnectionRequest:
    """What the command line asked for; the wizard resolves it on its Account
    step (in a thread: reading a profile touches the keyring)."""

    sandbox: bool = False
    api_url: str | None = None
    profile: str | None = None


def sandbox_connection(*, clock: Callable[[], datetime] | None = None) -> Connection:
    """An in-process sandbox and its main account: what `--sandbox` runs on."""
    from tui.sandbox import Sandbox, SandboxTransport
    from tui.sandbox.accounts import MAIN_ACCOUNT_SID, MAIN_AUTH_TOKEN

    sandbox = Sandbox(clock=clock)
    return Connection(
        credentials=Credentials(MAIN_ACCOUNT_SID, Secret(MAIN_AUTH_TOKEN), source=SANDBOX_SOURCE),
        transport=SandboxTransport(sandbox),
        sandbox=True,
    )


def resolve_connection(
    *,
    sandbox: bool,
    api_url: str | None,
    profile: str | None,
    env: Mapping[str, str],
    store: ProfileStore | None = None,
) -> Connection:
    """The connection the options and environment ask for.

    `--sandbox` runs the in-process sandbox with its own account, whatever else is
    set. Otherwise credentials come from `--profile`, then a complete set of
    TWILIO_* variables, then the active profile (`resolve_credentials`); its
    errors (a `CredentialsError`) say what to do. Reading a profile touches the
    keyring and may block: call this from a thread when on an event loop.
    """
    if sandbox:
        return sandbox_connection()
    if api_url:
        try:
            resolve_hosts(api_url=api_url)
        except RuleError as error:
            raise RuleError(f"--api-url: {error}") from None
    from tui.services.credentials.profiles import ProfileStore
    from tui.services.credentials.resolve import resolve_credentials

    credentials = resolve_credentials(profile=profile, env=env, store=store or ProfileStore.open_default())
    return Connection(credentials=credentials, api_url=api_url)
