"""The same purchase as commands to copy: number-wizard, curl and twilio-cli.

Credentials are written as environment variables, never as the real secret. A
purchase's follow-up (joining a Messaging Service) is a second command, which
needs the SID of the number the first one bought: written as $PHONE_NUMBER_SID
until it is known.
"""

from __future__ import annotations

import shlex

from tui.domain.fields import FIELDS_BY_NAME, FIELDS_BY_WIRE
from tui.domain.follow_up import FollowUpRequest
from tui.domain.purchase import PurchaseRequest
from tui.services.twilio import PreparedRequest

PHONE_NUMBER_SID_VARIABLE = "$PHONE_NUMBER_SID"


def _flags(request: PurchaseRequest) -> list[str]:
    parts: list[str] = []
    for wire, value in request.to_form().items():
        spec = FIELDS_BY_WIRE[wire]
        if spec.kind == "bool":
            parts.append(spec.flag if value == "true" else f"--no-{spec.flag[2:]}")
        else:
            parts += [spec.flag, value]
    return parts


def _follow_up_flags(follow_up: FollowUpRequest | None) -> list[str]:
    if follow_up is None:
        return []
    return [
        word
        for name, value in follow_up.values().items()
        if value is not None
        for word in (FIELDS_BY_NAME[name].flag, str(value))
    ]


def number_wizard_command(
    request: PurchaseRequest, *, sandbox: bool, follow_up: FollowUpRequest | None = None
) -> str:
    words = [
        "number-wizard",
        "buy",
        *(["--sandbox"] if sandbox else []),
        *_flags(request),
        *_follow_up_flags(follow_up),
    ]
    return shlex.join(words)


def _value(value: str) -> str:
    # The placeholder for the SID only known later stays a shell variable; anything
    # else is quoted, so nothing the person typed is ever expanded by the shell.
    return f'"{value}"' if value == PHONE_NUMBER_SID_VARIABLE else shlex.quote(value)


def curl_command(prepared: PreparedRequest, *, api_key: bool) -> str:
    user = "$TWILIO_API_KEY:$TWILIO_API_SECRET" if api_key else "$TWILIO_ACCOUNT_SID:$TWILIO_AUTH_TOKEN"
    lines = [f"curl -X {prepared.method} {shlex.quote(prepared.url)}"]
    for key, value in prepared.form.items():
        if value == PHONE_NUMBER_SID_VARIABLE:
            lines.append(f'  --data-urlencode "{key}={value}"')
        else:
            lines.append(f"  --data-urlencode {shlex.quote(f'{key}={value}')}")
    # Double quotes so the shell expands the variables; the secret is never written out.
    lines.append(f'  -u "{user}"')
    return " \\\n".join(lines)


def twilio_cli_command(request: PurchaseRequest) -> str:
    # twilio-cli generates its flags from the same OpenAPI names, in kebab case,
    # and booleans take --no-… like ours.
    return shlex.join(["twilio", "api:core:incoming-phone-numbers:mobile:create", *_flags(request)])


def join_service_twilio_cli(service_sid: str, phone_number_sid: str = PHONE_NUMBER_SID_VARIABLE) -> str:
    """Adding a number to a Messaging Service with twilio-cli."""
    words = ["twilio", "api:messaging:v1:services:phone-numbers:create", "--service-sid", service_sid]
    return " ".join([shlex.join(words), "--phone-number-sid", _value(phone_number_sid)])
