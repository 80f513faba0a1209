"""An offline emulator of the Twilio endpoints number-wizard uses.

Part of the product: what a newcomer runs first, what people rehearse purchases on,
and what end-to-end tests talk to over real HTTP. It judges requests by its own rules,
transcribed from Twilio's OpenAPI and documented behaviour (docs/sandbox.md),
and never imports the wizard's client code, so neither can hide the other's mistakes.

    sandbox = Sandbox()                                   # in memory, seeded
    httpx.Client(transport=SandboxTransport(sandbox))     # in-process (ASGI, no sockets)
    with start_server() as server: server.base_url        # loopback HTTP (uvicorn)

Both ways run the same ASGI application (asgi.py) in front of the same Sandbox (core.py).
"""

from typing import TYPE_CHECKING, Any

from tui.sandbox.accounts import (
    API_KEY_SECRET,
    API_KEY_SID,
    CREDENTIALS,
    MAIN_ACCOUNT_SID,
    MAIN_AUTH_TOKEN,
    TEST_ACCOUNT_SID,
    TEST_AUTH_TOKEN,
    TRIAL_ACCOUNT_SID,
    TRIAL_AUTH_TOKEN,
    SandboxCredential,
)
from tui.sandbox.asgi import ConnectionDropped, SandboxApp
from tui.sandbox.core import Sandbox, SandboxResponse
from tui.sandbox.faults import Fault, FaultInjector, FaultSpecError
from tui.sandbox.state import StateFileError
from tui.sandbox.transport import SandboxTransport

if TYPE_CHECKING:
    from tui.sandbox.server import SandboxServer, serve_forever, start_server

# The loopback server (uvicorn and its configuration, about 40 ms to import) is
# loaded on first use: the in-process sandbox (`--sandbox`) never needs it.
_SERVER_NAMES = frozenset({"SandboxServer", "serve_forever", "start_server"})


def __getattr__(name: str) -> Any:
    if name in _SERVER_NAMES:
        from tui.sandbox import server

        return getattr(server, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "API_KEY_SECRET",
    "API_KEY_SID",
    "CREDENTIALS",
    "MAIN_ACCOUNT_SID",
    "MAIN_AUTH_TOKEN",
    "TEST_ACCOUNT_SID",
    "TEST_AUTH_TOKEN",
    "TRIAL_ACCOUNT_SID",
    "TRIAL_AUTH_TOKEN",
    "ConnectionDropped",
    "Fault",
    "FaultInjector",
    "FaultSpecError",
    "Sandbox",
    "SandboxApp",
    "SandboxCredential",
    "SandboxResponse",
    "SandboxServer",
    "SandboxTransport",
    "StateFileError",
    "serve_forever",
    "start_server",
]
