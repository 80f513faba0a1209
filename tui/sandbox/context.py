"""What an endpoint handler gets to work with, and what it gives back."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from tui.sandbox import errors
from tui.sandbox.accounts import SandboxAccount, SandboxCredential
from tui.sandbox.state import State

# The hosts Twilio serves each API from; absolute URLs in numbers v2 and pricing
# answers use them unless the request came through another origin (the loopback
# server), so that following `next_page_url` stays inside the sandbox.
API_ORIGIN = "https://api.twilio.com"
NUMBERS_ORIGIN = "https://numbers.twilio.com"
PRICING_ORIGIN = "https://pricing.twilio.com"
MESSAGING_ORIGIN = "https://messaging.twilio.com"
TRUNKING_ORIGIN = "https://trunking.twilio.com"


@dataclass(frozen=True)
class Options:
    """Behaviours Twilio leaves undocumented or that differ between spec and live API."""

    # The live API sends "SMS"/"MMS" in search results; the spec shows lower case.
    uppercase_search_capabilities: bool = True
    # Answer when the path's Account SID is not the credential's account.
    other_account_in_path_error: tuple[int, int] = (401, 20003)
    # Answer when a Standard API key calls GET /Accounts/{Sid}.json.
    api_key_on_accounts_error: tuple[int, int] = (401, 20003)


@dataclass
class Request:
    method: str
    path: str
    query: list[tuple[str, str]]
    form: list[tuple[str, str]]
    credential: SandboxCredential
    account: SandboxAccount
    path_params: dict[str, str]
    origin: str | None

    def absolute(self, default_origin: str, path_and_query: str) -> str:
        return (self.origin or default_origin) + path_and_query


@dataclass
class Context:
    state: State
    now: datetime
    options: Options
    changed: bool = False

    def mark_changed(self) -> None:
        self.changed = True

    def own_record(self, collection: str, request: Request, param: str = "Sid") -> dict[str, Any]:
        """The record of `collection` named by the path parameter `param`, if it
        belongs to the requesting account; else Twilio's 404 (20404): another
        account's resource is not found, as on Twilio."""
        sid = request.path_params[param]
        for record in self.state[collection]:
            if record["sid"] == sid and record["account_sid"] == request.account.sid:
                return record
        raise errors.not_found(request.path)


class EncodedJson(bytes):
    """A Reply body already encoded as JSON: for answers that never change, encoded once."""


@dataclass
class Reply:
    status: int
    # JSON-serialisable (or EncodedJson); None means an empty body (204).
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
