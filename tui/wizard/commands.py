"""The same purchase as commands to copy: number-wizard, curl and twilio-cli.

Credentials are written as environment variables, never as the real secret.
"""

from __future__ import annotations

import shlex

from tui.domain.fields import FIELDS_BY_WIRE
from tui.domain.purchase import PurchaseRequest
from tui.services.twilio import PreparedRequest


def _flags(request: PurchaseRequest) -> list[str]:
    parts: list[str] = []
    for wire, value in request.to_form().items():
        spec = FIELDS_BY_WIRE[wire]
        if spec.kind == "bool":
            parts.append(spec.flag if value == "true" else f"--no-{spec.flag[2:]}")
        else:
            parts += [spec.flag, value]
    return parts


def number_wizard_command(request: PurchaseRequest, *, sandbox: bool) -> str:
    words = ["number-wizard", "buy", *(["--sandbox"] if sandbox else []), *_flags(request)]
    return shlex.join(words)


def curl_command(prepared: PreparedRequest, *, api_key: bool) -> str:
    user = "$TWILIO_API_KEY:$TWILIO_API_SECRET" if api_key else "$TWILIO_ACCOUNT_SID:$TWILIO_AUTH_TOKEN"
    lines = [f"curl -X {prepared.method} {shlex.quote(prepared.url)}"]
    lines += [f"  --data-urlencode {shlex.quote(f'{k}={v}')}" for k, v in prepared.form.items()]
    # Double quotes so the shell expands the variables; the secret is never written out.
    lines.append(f'  -u "{user}"')
    return " \\\n".join(lines)


def twilio_cli_command(request: PurchaseRequest) -> str:
    # twilio-cli generates its flags from the same OpenAPI names, in kebab case,
    # and booleans take --no-… like ours.
    return shlex.join(["twilio", "api:core:incoming-phone-numbers:mobile:create", *_flags(request)])
