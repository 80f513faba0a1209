"""Errors from Twilio, explained in plain language with the next step.

Twilio's catalogue gives no HTTP status per code, so everything branches on the
code (docs/twilio-api.md#errors). Each code number-wizard knows is classified once,
in `KNOWN_ERRORS`: what happened and what to do, the wizard step where it can be
fixed, and its category (which decides the command line's exit status). An unknown
code still shows Twilio's own message and link.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import Any, Literal

from tui.domain.fields import StepId

DOCS_URL = "https://www.twilio.com/docs/errors/{code}"


class ErrorCategory(IntEnum):
    """What kind of refusal an error is. The value is the exit status the command
    line reports for it (README, "Exit codes")."""

    CREDENTIALS = 3
    NUMBER_UNAVAILABLE = 4
    COMPLIANCE = 5
    ACCOUNT_LIMIT = 6
    OTHER = 7


# Who tells the person what to do: the wizard (names steps) or the command line
# (names flags).
Front = Literal["wizard", "cli"]


@dataclass(frozen=True)
class KnownError:
    summary: str  # what happened, in the person's terms
    next_step: str  # what to do now
    step: StepId  # the wizard step where it can be fixed (and is shown)
    category: ErrorCategory
    # What to do, told from the command line when `next_step` speaks of the
    # wizard's steps: the flags and commands that fix it.
    cli_next_step: str = ""


# The codes that matter when buying a number. Wording follows Twilio's error pages
# (https://www.twilio.com/docs/errors/{code}) and what users trip on (docs/twilio-api.md).
KNOWN_ERRORS: dict[int, KnownError] = {
    20001: KnownError(
        "Twilio ignored a parameter it does not know.",
        "This is a bug in number-wizard; please report it with the request shown.",
        "review",
        ErrorCategory.OTHER,
    ),
    20003: KnownError(
        "Twilio did not accept these credentials: the Account SID and secret do not "
        "match, the key or token was deleted, the account is suspended, or the key "
        "belongs to another region.",
        "Check the Account SID and the Auth Token or API key secret in the Twilio "
        "Console (Account › API keys & tokens); with a regional key, set the same "
        "region and edge here.",
        "account",
        ErrorCategory.CREDENTIALS,
        cli_next_step=(
            "Check TWILIO_ACCOUNT_SID and the Auth Token or API key secret (or the profile: "
            "`number-wizard profiles show NAME`) in the Twilio Console (Account › API keys "
            "& tokens); with a regional key, set TWILIO_REGION and TWILIO_EDGE to the key's "
            "region."
        ),
    ),
    # 20005 and 20403: the credentials are right but the account may not buy. The
    # Account step is where another account can be chosen; the exit status says
    # "account limit", not "credentials".
    20005: KnownError(
        "The account is not active: it may have no funds or an unfinished trial.",
        "Top up or activate the account in the Twilio Console.",
        "account",
        ErrorCategory.ACCOUNT_LIMIT,
    ),
    20007: KnownError(
        "A page size over 1000 was asked for.",
        "This is a bug in number-wizard; please report it.",
        "review",
        ErrorCategory.OTHER,
    ),
    20008: KnownError(
        "Test credentials cannot do this: they only work for a few endpoints.",
        "Use your live Account SID with an Auth Token or API key for this step.",
        "account",
        ErrorCategory.CREDENTIALS,
        cli_next_step=(
            "Use your live Account SID with an Auth Token or API key (TWILIO_* variables or --profile)."
        ),
    ),
    20403: KnownError(
        "This account may not use this part of the API, usually because it is suspended or closed.",
        "Check the account's status in the Console, or contact Twilio support.",
        "account",
        ErrorCategory.ACCOUNT_LIMIT,
    ),
    20404: KnownError(
        "Twilio found nothing at this address. For a search this usually means the "
        "country sells no mobile numbers (the US sells none); it also happens when "
        "an API key SID (SK…) is used where the Account SID (AC…) belongs.",
        "Pick a country that sells mobile numbers, and check that the Account SID starts with AC.",
        "review",
        ErrorCategory.OTHER,
    ),
    20429: KnownError(
        "Twilio is receiving too many requests from this account at once and did not process this one.",
        "Wait a few seconds and try again; searches are retried automatically.",
        "review",
        ErrorCategory.OTHER,
    ),
    20500: KnownError(
        "Twilio had an internal error.",
        "Try again shortly. After a failed purchase, number-wizard first checks "
        "whether the number was bought before it tries again.",
        "review",
        ErrorCategory.OTHER,
    ),
    20503: KnownError(
        "Twilio is temporarily unavailable.",
        "Try again in a minute. After a failed purchase, number-wizard first checks "
        "whether the number was bought before it tries again.",
        "review",
        ErrorCategory.OTHER,
    ),
    10002: KnownError(
        "Trial accounts are limited: this number is not offered to trials, or the "
        "trial already has its number.",
        "Upgrade the account in the Console, or release the number it already has.",
        "number",
        ErrorCategory.ACCOUNT_LIMIT,
    ),
    21404: KnownError(
        "Trial accounts may own only one Twilio number, and this one already has it.",
        "Upgrade the account to a full (paid) account, or release its current number.",
        "number",
        ErrorCategory.ACCOUNT_LIMIT,
    ),
    21406: KnownError(
        "An SMS fallback URL was given without an SMS URL.",
        "Add an SMS URL, or remove the SMS fallback URL.",
        "messaging",
        ErrorCategory.OTHER,
        cli_next_step=("Add --sms-url, or leave out --sms-fallback-url."),
    ),
    21409: KnownError(
        "This number does not support caller-name lookup.",
        "Turn caller name lookup off and buy again.",
        "voice",
        ErrorCategory.OTHER,
        cli_next_step=("Buy again with --no-voice-caller-id-lookup."),
    ),
    21421: KnownError(
        "Twilio says the phone number is not valid.",
        "Check the number: + then the country code and the number, e.g. +447400123456.",
        "number",
        ErrorCategory.NUMBER_UNAVAILABLE,
    ),
    21422: KnownError(
        "This number is not for sale: someone else bought it, it is reserved, or Twilio never sold it.",
        "Search again and pick another number.",
        "number",
        ErrorCategory.NUMBER_UNAVAILABLE,
    ),
    21451: KnownError(
        "The area code is not valid.",
        "Fix the area code, or search without one.",
        "number",
        ErrorCategory.NUMBER_UNAVAILABLE,
    ),
    21452: KnownError(
        "There are no numbers available in this area code.",
        "Search without the area code, or try a neighbouring one.",
        "number",
        ErrorCategory.NUMBER_UNAVAILABLE,
    ),
    21613: KnownError(
        "This number needs an address on file for the account.",
        'Add an address in the Console, or search with "exclude numbers that need an address".',
        "compliance",
        ErrorCategory.COMPLIANCE,
        cli_next_step=(
            "Add an address in the Console, or search with `number-wizard search "
            "--exclude-all-address-required`."
        ),
    ),
    21615: KnownError(
        "This number needs a local address: an address in the number's own country (sometimes its area).",
        "Choose an address in the number's country on the Compliance step, or "
        "create one in the Console (Phone Numbers › Addresses).",
        "compliance",
        ErrorCategory.COMPLIANCE,
        cli_next_step=(
            "Buy with --address-sid AD… of an address in the number's country, or create "
            "one in the Console (Phone Numbers › Addresses)."
        ),
    ),
    21628: KnownError(
        "The address could not be validated: Twilio found no such address in the country's address data.",
        "Check the street, city, region and postal code (as the country writes them) and create it again.",
        "compliance",
        ErrorCategory.COMPLIANCE,
    ),
    21629: KnownError(
        "Twilio suggests a corrected version of the address (in its message).",
        "Type the suggested version and create it again.",
        "compliance",
        ErrorCategory.COMPLIANCE,
    ),
    21631: KnownError(
        "This number needs an address, and the address must be given with the "
        "purchase (Twilio no longer picks one from the account).",
        "Choose a validated address that meets the number's requirement on the "
        "Compliance step, or create one in the Console (Phone Numbers › Addresses).",
        "compliance",
        ErrorCategory.COMPLIANCE,
        cli_next_step=(
            "Buy with --address-sid AD… of a validated address that meets the number's "
            "requirement, or create one in the Console (Phone Numbers › Addresses)."
        ),
    ),
    21649: KnownError(
        "Numbers of this type in this country are regulated: Twilio needs an approved "
        "regulatory bundle with the purchase.",
        "Choose a bundle with status twilio-approved for this country and mobile "
        "numbers on the Compliance step, or create one in the Console (Phone Numbers "
        "› Regulatory Compliance); approval can take a few days.",
        "compliance",
        ErrorCategory.COMPLIANCE,
        cli_next_step=(
            "Buy with --bundle-sid BU… of a twilio-approved bundle for this country and "
            "mobile numbers, or create one in the Console (Phone Numbers › Regulatory "
            "Compliance); approval can take a few days."
        ),
    ),
    21650: KnownError(
        "This number needs a verified identity document, which takes Twilio about 48 "
        "business hours to check.",
        "Start identity verification in the Console and come back when it is done.",
        "compliance",
        ErrorCategory.COMPLIANCE,
    ),
    21651: KnownError(
        "A document in the bundle does not meet the country's requirement.",
        "Replace the document in the bundle, or choose another approved bundle.",
        "compliance",
        ErrorCategory.COMPLIANCE,
    ),
    # Adding a number to a Messaging Service, after the purchase
    # (https://www.twilio.com/docs/messaging/api/phonenumber-resource).
    21710: KnownError(
        "The number is already in this Messaging Service.",
        "Nothing to do: it is there.",
        "messaging",
        ErrorCategory.OTHER,
    ),
    21712: KnownError(
        "The number is already in another Messaging Service; a number can be in one only.",
        "Remove it from the other service in the Console (Messaging › Services › Sender "
        "Pool), then retry adding it.",
        "messaging",
        ErrorCategory.OTHER,
    ),
    21715: KnownError(
        "The number cannot send or receive messages, so it cannot join a Messaging Service.",
        "Choose another way of handling messages, or a number with SMS capability.",
        "messaging",
        ErrorCategory.OTHER,
    ),
    22300: KnownError(
        "This account is not allowed to buy long-code numbers (a compliance restriction).",
        "Contact Twilio support to lift the restriction.",
        "number",
        ErrorCategory.ACCOUNT_LIMIT,
    ),
    80601: KnownError(
        "The number is unavailable; it may belong to a number pool.",
        "Pick another number.",
        "number",
        ErrorCategory.NUMBER_UNAVAILABLE,
    ),
}


def known_error(code: int | None) -> KnownError | None:
    return KNOWN_ERRORS.get(code) if code is not None else None


def step_of_error(code: int | None) -> StepId:
    """The wizard step where an error with this code can be fixed: the Review for
    codes not classified here."""
    known = known_error(code)
    return known.step if known else "review"


def category_of_error(code: int | None) -> ErrorCategory:
    known = known_error(code)
    return known.category if known else ErrorCategory.OTHER


class WizardError(Exception):
    """Base for errors number-wizard explains to the person."""


class TwilioApiError(WizardError):
    """An error answer from Twilio: status, code, message and more_info, plus
    what it means and what to do."""

    def __init__(
        self,
        status: int,
        code: int | None,
        message: str,
        more_info: str | None = None,
        *,
        method: str = "",
        path: str = "",
        from_twilio: bool = True,
    ) -> None:
        self.status = status
        self.code = code
        self.message = message
        self.more_info = more_info or (DOCS_URL.format(code=code) if code else None)
        self.method = method
        self.path = path
        # Whether the answer came from Twilio (a body in one of Twilio's error
        # shapes) rather than from something in between: a proxy's or load
        # balancer's page says nothing about whether Twilio processed the request.
        self.from_twilio = from_twilio
        super().__init__(self.one_line())

    @property
    def not_processed(self) -> bool:
        """Twilio documents these answers as "never processed, always safe to
        retry": 429/20429 (https://www.twilio.com/docs/errors/20429) and
        503/20503 (https://www.twilio.com/docs/errors/20503)."""
        return self.from_twilio and (self.status, self.code) in ((429, 20429), (503, 20503))

    @property
    def refused(self) -> bool:
        """Twilio answered and refused the request: a 4xx in Twilio's own error
        shape, other than the "not processed" 429. Anything else (a 5xx, a page
        from a gateway, an unreadable 2xx) leaves open whether it was processed."""
        return self.from_twilio and 400 <= self.status < 500 and not self.not_processed

    @classmethod
    def from_response(cls, status: int, body: Any, *, method: str = "", path: str = "") -> TwilioApiError:
        """Build from a response body, whatever shape Twilio used (its classic
        `{code, message, more_info, status}`, RFC 9457, or not JSON at all)."""
        code: int | None = None
        message = ""
        more_info = None
        # Twilio's classic body has `status` and `message` always (and `code` when
        # there is one); RFC 9457 bodies have `type`, `title` and `status`.
        from_twilio = isinstance(body, dict) and (
            ("message" in body and ("status" in body or "code" in body))
            or ("title" in body and "status" in body)
        )
        if isinstance(body, dict):
            raw_code = body.get("code")
            try:
                code = int(raw_code) if raw_code is not None else None
            except (TypeError, ValueError):
                code = None
            message = str(body.get("message") or body.get("detail") or body.get("title") or "")
            more_info = body.get("more_info") or body.get("type") or None
            if not isinstance(more_info, str) or not more_info.startswith("http"):
                more_info = None
        if not from_twilio:
            # A page from a proxy, gateway or load balancer between us and Twilio.
            message = "from something between this computer and Twilio (not Twilio's own answer)"
        elif not message:
            message = f"HTTP {status}"
        return cls(status, code, message, more_info, method=method, path=path, from_twilio=from_twilio)

    @property
    def explanation(self) -> KnownError | None:
        return known_error(self.code)

    @property
    def summary(self) -> str:
        known = self.explanation
        return known.summary if known else self.message

    @property
    def next_step(self) -> str:
        return self.next_step_for("wizard")

    def next_step_for(self, front: Front) -> str:
        """What to do now, in the words of the wizard or of the command line (which
        names flags, never the wizard's steps)."""
        known = self.explanation
        if known:
            return known.cli_next_step if front == "cli" and known.cli_next_step else known.next_step
        if self.more_info:
            return "Read Twilio's page on this error (link above) for what to do."
        return "Try again; if it keeps failing, check Twilio's status page."

    def one_line(self) -> str:
        if not self.from_twilio:
            return f"HTTP {self.status} {self.message}"
        code = f" {self.code}" if self.code is not None else ""
        return f"Twilio error{code} (HTTP {self.status}): {self.message}"

    def lines(self, front: Front = "wizard") -> list[str]:
        """The full explanation as lines, for the screen (or stderr: `front="cli"`)."""
        lines = [self.one_line()]
        if self.explanation:
            lines.append(self.explanation.summary)
        if self.more_info:
            lines.append(f"More: {self.more_info}")
        lines.append(f"Next: {self.next_step_for(front)}")
        return lines


class TwilioUnreachable(WizardError):
    """The request did not reach Twilio, or no answer came back in time.

    For a purchase, `sent` says whether the request may have been processed: a
    timeout after sending means the outcome is unknown and must be reconciled
    (look the number up) before trying again.
    """

    def __init__(self, message: str, *, sent: bool) -> None:
        self.sent = sent
        super().__init__(message)
