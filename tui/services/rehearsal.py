"""Rehearse a number's first call or message on the sandbox: ask it to simulate one
(`POST /__sandbox__/simulate`, tui/sandbox/webhooks.py), then judge what each
webhook answered the way Twilio would (tui/domain/webhook_verdicts.py).

The sandbox calls the webhooks itself, signed with the owning account's Auth Token,
and reports every answer; the verdicts here are the same ones "Test webhooks" and
`webhook check` give, so a rehearsal and a check never disagree about an answer.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import httpx

from tui.domain.webhook_verdicts import (
    RedirectHop,
    WebhookVerdict,
    failure_outcome,
    judge_answer,
    verdict_lines,
)
from tui.domain.webhooks import TWILIO_TIME_LIMIT, WebhookKind, classify_url

SIMULATE_PATH = "/__sandbox__/simulate"
# The sandbox waits up to 15 s for each URL it calls: the answer, the fallback's
# and a call's status callback, with room to spare.
REHEARSAL_TIMEOUT = httpx.Timeout(10.0, read=4 * TWILIO_TIME_LIMIT)
# In-process, the sandbox answers whatever host is named.
IN_PROCESS_BASE_URL = "http://sandbox.invalid"

RehearsalKind = Literal["call", "sms"]

# What each URL the sandbox may call is, for the verdicts: (kind, label, fallback).
_ROLES: Mapping[str, tuple[WebhookKind, str, bool]] = {
    "voice_url": (WebhookKind.VOICE, "Voice URL", False),
    "voice_fallback_url": (WebhookKind.VOICE, "Voice fallback URL", True),
    "status_callback": (WebhookKind.STATUS, "Status callback", False),
    "sms_url": (WebhookKind.SMS, "SMS URL", False),
    "sms_fallback_url": (WebhookKind.SMS, "SMS fallback URL", True),
    "inbound_request_url": (WebhookKind.SMS, "Messaging Service inbound URL", False),
    "fallback_url": (WebhookKind.SMS, "Messaging Service fallback URL", True),
}


class RehearsalError(Exception):
    """The sandbox did not simulate: the message says why, in plain words."""


@dataclass(frozen=True)
class Rehearsal:
    """One simulated incoming call or message and what each webhook made of it."""

    kind: RehearsalKind
    to: str
    caller: str
    sid: str
    handled_by: str | None
    verdicts: tuple[WebhookVerdict, ...]
    skipped: tuple[str, ...]
    # Why the sandbox went on to the fallback URL (the primary's failure), if it did.
    fallback_reason: str | None = None

    @property
    def what(self) -> str:
        return "call" if self.kind == "call" else "message"

    @property
    def satisfied(self) -> bool:
        """Twilio would be satisfied: the first URL answered as it should (not via
        the fallback), and every other URL called too."""
        return (
            bool(self.verdicts) and self.fallback_reason is None and all(v.satisfied for v in self.verdicts)
        )

    @property
    def accepted(self) -> bool:
        """Every answer is one Twilio uses, whether or not Twilio could reach the URLs
        (a rehearsal often calls a server on this machine)."""
        return bool(self.verdicts) and self.fallback_reason is None and all(v.accepted for v in self.verdicts)

    def headline(self) -> str:
        count = len(self.verdicts)
        called = (
            f"the sandbox called {count} URL{'s' if count != 1 else ''}" if count else "no URL was called"
        )
        mark = "✓" if self.satisfied else "✗"
        return f"{mark} Simulated an incoming {self.what} from {self.caller} to {self.to}: {called}"

    def lines(self) -> list[str]:
        """The rehearsal in plain lines: what was simulated, then each URL's verdict."""
        lines = [self.headline(), f"  {'CallSid' if self.kind == 'call' else 'MessageSid'} {self.sid}"]
        if self.handled_by:
            lines.append(f"  Handled by {self.handled_by}, whose URLs Twilio calls.")
        if self.fallback_reason:
            lines.append(
                f"  The first URL failed ({self.fallback_reason}), so Twilio called the fallback URL."
            )
        for verdict in self.verdicts:
            lines.append("")
            lines.extend(verdict_lines(verdict))
        lines.extend(f"• {reason[:1].upper()}{reason[1:]}." for reason in self.skipped)
        return lines

    def as_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "to": self.to,
            "from": self.caller,
            "sid": self.sid,
            "handled_by": self.handled_by,
            "satisfied": self.satisfied,
            "fallback_reason": self.fallback_reason,
            "verdicts": [verdict.as_json() for verdict in self.verdicts],
            "skipped": list(self.skipped),
        }


def verdict_from_report(entry: Mapping[str, Any], *, fallback_configured: bool) -> WebhookVerdict:
    """Judge one request the sandbox reports, as `check_webhook` judges its own."""
    kind, label, fallback = _ROLES.get(str(entry.get("role")), (WebhookKind.VOICE, "Webhook", False))
    has_fallback = None if fallback or kind is WebhookKind.STATUS else fallback_configured
    url = str(entry["url"])
    reachability = classify_url(url)  # no look-up: the sandbox reached it from this machine
    hops = tuple(
        RedirectHop(int(hop["status"]), str(hop["location"]), str(hop["method"]), 0.0)
        for hop in entry.get("redirects") or ()
    )
    common: dict[str, Any] = {
        "url": url,
        "kind": kind,
        "label": label,
        "method": str(entry["method"]),
        "signed": bool(entry.get("signed")),
        "unsigned_reason": None,
        "reachable_by_twilio": reachability.reachable,
        "reachability": reachability.reason,
        "elapsed": entry.get("elapsed"),
        "redirects": hops,
        "time_limit": TWILIO_TIME_LIMIT,
    }
    warnings = [reachability.warning] if reachability.warning else []
    if entry.get("error"):
        code = entry.get("error_code")
        return WebhookVerdict(
            **common,
            accepted=False,
            what_twilio_does=failure_outcome(kind, code, fallback=fallback, has_fallback=has_fallback),
            status=entry.get("status"),
            problems=(str(entry["error"]),),
            warnings=tuple(warnings),
            twilio_error=code,
        )
    body = str(entry.get("body") or "").encode("utf-8")
    judgement = judge_answer(
        kind,
        status=int(entry["status"]),
        content_type=entry.get("content_type"),
        body=body,
        truncated=bool(entry.get("truncated")),
        fallback=fallback,
        has_fallback=has_fallback,
    )
    warnings.extend(judgement.warnings)
    if reachability.reachable:
        outcome, answer, code = judgement.outcome, None, judgement.twilio_error
    else:
        code = reachability.twilio_error
        outcome = failure_outcome(kind, code, fallback=fallback, has_fallback=has_fallback)
        answer = judgement.outcome
    excerpt = " ".join(body.decode("utf-8", errors="replace").split())
    return WebhookVerdict(
        **common,
        accepted=judgement.accepted,
        what_twilio_does=outcome,
        answer=answer,
        status=int(entry["status"]),
        content_type=entry.get("content_type"),
        problems=judgement.problems,
        warnings=tuple(warnings),
        twilio_error=code,
        body_excerpt=(excerpt[:159] + "…" if len(excerpt) > 160 else excerpt or None)
        if not judgement.accepted
        else None,
    )


def rehearsal_from_report(report: Mapping[str, Any]) -> Rehearsal:
    fallback_configured = bool(report.get("fallback_configured"))
    requests = list(report.get("requests") or ())
    verdicts = tuple(
        verdict_from_report(entry, fallback_configured=fallback_configured) for entry in requests
    )
    fallback_reason = None
    if any(_ROLES.get(str(entry.get("role")), (None, None, False))[2] for entry in requests):
        fallback_reason = str(requests[0].get("problem") or "it did not answer usable TwiML")
    return Rehearsal(
        kind="call" if report.get("kind") == "call" else "sms",
        to=str(report["to"]),
        caller=str(report["from"]),
        sid=str(report["sid"]),
        handled_by=report.get("handled_by"),
        verdicts=verdicts,
        skipped=tuple(str(reason) for reason in report.get("skipped") or ()),
        fallback_reason=fallback_reason,
    )


async def rehearse(
    kind: RehearsalKind,
    phone_number: str,
    *,
    base_url: str | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    caller: str | None = None,
    body: str | None = None,
) -> Rehearsal:
    """Ask the sandbox at `base_url` (served) or behind `transport` (in-process) to
    simulate an incoming call or message to `phone_number`, and judge the answers.
    Raises RehearsalError when the sandbox refuses (a number it does not own, bad
    input) or cannot be reached."""
    spec: dict[str, str] = {"kind": kind, "to": phone_number}
    if caller:
        spec["from"] = caller
    if body is not None:
        spec["body"] = body
    base = (base_url or IN_PROCESS_BASE_URL).rstrip("/")
    async with httpx.AsyncClient(transport=transport, trust_env=False, timeout=REHEARSAL_TIMEOUT) as client:
        try:
            answer = await client.post(base + SIMULATE_PATH, json=spec)
        except httpx.TimeoutException:
            raise RehearsalError(f"the sandbox at {base} did not answer in time") from None
        except httpx.HTTPError as error:
            raise RehearsalError(f"the sandbox at {base} could not be reached: {error}") from None
    try:
        payload = answer.json()
    except ValueError:
        payload = None
    if answer.status_code != 200 or not isinstance(payload, dict):
        if answer.status_code == 404 and not isinstance(payload, dict):
            raise RehearsalError(f"{base} is not a number-wizard sandbox (no {SIMULATE_PATH})")
        message = payload.get("message") if isinstance(payload, dict) else None
        code = payload.get("code") if isinstance(payload, dict) else None
        detail = f"{message} (error {code})" if code else str(message or f"HTTP {answer.status_code}")
        raise RehearsalError(f"the sandbox did not simulate: {detail}")
    return rehearsal_from_report(payload)
