"""Credentials as the rest of the program sees them: SIDs in the clear, the secret
wrapped so that no repr, str, f-string, log line or traceback can show it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, NoReturn

from tui.domain import rules

AuthKind = Literal["auth_token", "api_key"]
MASK = "********"


class Secret:
    """A secret value (Auth Token, API key secret). Only `reveal()` gives it back.

    Textual's crash screen prints local variables; this type keeps them masked.
    """

    __slots__ = ("_value",)
    _value: str

    def __init__(self, value: str) -> None:
        object.__setattr__(self, "_value", value)

    def reveal(self) -> str:
        return self._value

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("Secret is immutable")

    def __repr__(self) -> str:
        return f"Secret('{MASK}')"

    def __str__(self) -> str:
        return MASK

    def __format__(self, spec: str) -> str:
        return MASK

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(("Secret", self._value))

    def __bool__(self) -> bool:
        return bool(self._value)

    def __reduce__(self) -> NoReturn:
        raise TypeError("a Secret cannot be pickled")

    def __copy__(self) -> Secret:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> Secret:
        return self


def _text(raw: str | Secret) -> str:
    return raw.reveal() if isinstance(raw, Secret) else raw


def auth_token(raw: str | Secret) -> Secret:
    """An Auth Token: 32 characters (twilio-cli checks the length too)."""
    text = _text(raw).strip().strip("'\"")
    if not text:
        raise rules.RuleError("Enter the Auth Token.")
    if any(ch.isspace() for ch in text):
        raise rules.RuleError("An Auth Token has no spaces.")
    if len(text) != 32:
        raise rules.RuleError(f"An Auth Token is 32 characters; this one has {len(text)}.")
    return Secret(text)


def api_key_secret(raw: str | Secret) -> Secret:
    text = _text(raw).strip().strip("'\"")
    if not text:
        raise rules.RuleError("Enter the API key secret.")
    if any(ch.isspace() for ch in text):
        raise rules.RuleError("An API key secret has no spaces.")
    return Secret(text)


def account_sid(raw: str) -> str:
    text = raw.strip().strip("'\"")
    if text.startswith("SK"):
        raise rules.RuleError(
            "That is an API key SID (SK…). The Account SID starts with AC (Twilio Console › "
            'Account info). To use an API key, choose "API key and secret": it has a field '
            "of its own for the SK… SID."
        )
    return rules.sid(text, "AC")


def api_key_sid(raw: str) -> str:
    text = raw.strip().strip("'\"")
    if text.startswith("AC"):
        raise rules.RuleError("That is an Account SID (AC…). An API key SID starts with SK.")
    return rules.sid(text, "SK")


@dataclass(frozen=True)
class Credentials:
    """Who we are to Twilio. With an API key, `username` is the SK… SID and the
    Account SID stays in every path (docs/twilio-api.md#authentication)."""

    account_sid: str
    secret: Secret = field(repr=True)
    api_key_sid: str | None = None
    region: str | None = None
    edge: str | None = None
    source: str = "unknown"  # where these came from, as shown on the Account screen

    @property
    def auth_kind(self) -> AuthKind:
        return "api_key" if self.api_key_sid else "auth_token"

    @property
    def username(self) -> str:
        return self.api_key_sid or self.account_sid

    def describe(self) -> str:
        how = f"API key {self.api_key_sid}" if self.api_key_sid else "Auth Token"
        return f"{self.account_sid} with {how} (secret {MASK})"
