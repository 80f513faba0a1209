"""What Twilio makes of a webhook's answer, and the verdict shown to the person.

Pure (no I/O): tui/services/webhooks.py gathers the facts (status, time, type,
body, redirects) and these functions judge them the way Twilio would.

Sources:

- what Twilio accepts, by MIME type: https://www.twilio.com/docs/api/twiml/your_response
  (a call: XML is TwiML, audio is played then the call hangs up, text/plain is read
  aloud then the call hangs up) and https://www.twilio.com/docs/api/twiml/sms/your_response
  (a message: XML is TwiML, text/plain is sent back as a reply);
- audio types: https://www.twilio.com/docs/voice/twiml/play;
- status callbacks need only a 2xx: https://www.twilio.com/docs/usage/webhooks/webhooks-faq;
- errors Twilio logs: https://www.twilio.com/docs/api/errors (11200 retrieval failure,
  11205 connection failure / timeout, 11210 bad host name, 11215 too many redirects,
  11216 invalid redirect (Twilio follows 301, 302, 303 and 307 only), 11220 TLS
  handshake, 11237 certificate, 11750 body over 64 kB, 12100 parse failure,
  12300 invalid Content-Type);
- the fallback URLs: "called when an error occurs retrieving or executing the TwiML"
  (VoiceFallbackUrl / SmsFallbackUrl, https://www.twilio.com/docs/phone-numbers/api/incomingphonenumber-resource).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tui.domain.twiml import MAX_TWIML_BYTES, check_twiml
from tui.domain.webhooks import TWILIO_TIME_LIMIT, WebhookKind

XML_TYPES = frozenset({"text/xml", "application/xml", "text/html"})
AUDIO_TYPES = frozenset(
    {
        "audio/mpeg",
        "audio/wav",
        "audio/wave",
        "audio/x-wav",
        "audio/aiff",
        "audio/x-aifc",
        "audio/x-aiff",
        "audio/x-gsm",
        "audio/gsm",
        "audio/ulaw",
    }
)
# Twilio follows these redirects only (error 11216).
FOLLOWED_REDIRECTS = frozenset({301, 302, 303, 307})
APPLICATION_ERROR = '"an application error has occurred"'

ERROR_NAMES = {
    11200: "HTTP retrieval failure",
    11205: "HTTP connection failure",
    11206: "HTTP protocol violation",
    11210: "HTTP bad host name",
    11215: "HTTP too many redirects",
    11216: "HTTP invalid redirect",
    11220: "SSL/TLS handshake error",
    11237: "certificate invalid",
    11750: "TwiML response body too large",
    12100: "document parse failure",
    12102: "root element must be Response",
    12200: "schema validation warning",
    12300: "invalid Content-Type",
}


def error_url(code: int) -> str:
    return f"https://www.twilio.com/docs/api/errors/{code}"


def kind_words(kind: WebhookKind, fallback: bool = False) -> str:
    base = {WebhookKind.VOICE: "voice", WebhookKind.SMS: "SMS", WebhookKind.STATUS: "status callback"}[kind]
    return f"{base} fallback" if fallback else base


def media_type(content_type: str | None) -> str | None:
    if not content_type:
        return None
    return content_type.split(";", 1)[0].strip().lower() or None


def _excerpt(body: bytes, limit: int = 80) -> str:
    text = body.decode("utf-8", errors="replace").strip()
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def failure_outcome(
    kind: WebhookKind, twilio_error: int | None, *, fallback: bool = False, has_fallback: bool | None = None
) -> str:
    """What Twilio does when this URL fails (cannot be reached, errs, or answers
    something it cannot use)."""
    if twilio_error is None:
        logged = "Twilio logs an error"
    else:
        logged = f"Twilio logs error {twilio_error} ({ERROR_NAMES.get(twilio_error, 'see the debugger')})"
    if kind is WebhookKind.STATUS:
        return f"{logged} in your Console's debugger; the call itself is not affected."
    if kind is WebhookKind.VOICE:
        dead_end = f"the caller hears {APPLICATION_ERROR} and the call ends"
        if fallback or has_fallback is False:
            return f"{logged}; {dead_end}."
        if has_fallback:
            return f"{logged} and calls your voice fallback URL instead."
        return f"{logged} and calls your voice fallback URL if you set one; otherwise {dead_end}."
    dead_end = "the message is received but nothing replies"
    if fallback or has_fallback is False:
        return f"{logged}; {dead_end}."
    if has_fallback:
        return f"{logged} and calls your SMS fallback URL instead."
    return f"{logged} and calls your SMS fallback URL if you set one; otherwise {dead_end}."


@dataclass(frozen=True)
class Judgement:
    """Twilio's view of one answer that arrived (2xx or not, after any redirects)."""

    accepted: bool
    outcome: str  # what Twilio does with it, in plain words
    problems: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    twilio_error: int | None = None


def judge_answer(
    kind: WebhookKind,
    *,
    status: int,
    content_type: str | None,
    body: bytes,
    truncated: bool = False,
    fallback: bool = False,
    has_fallback: bool | None = None,
) -> Judgement:
    """Judge a final (non-redirect) answer. `truncated` means the body was longer than
    `MAX_TWIML_BYTES` and only its start was read."""

    def refuse(problem: str, code: int | None) -> Judgement:
        return Judgement(
            False,
            failure_outcome(kind, code, fallback=fallback, has_fallback=has_fallback),
            (problem,),
            twilio_error=code,
        )

    if not 200 <= status < 300:
        if 300 <= status < 400:
            return refuse(
                f"the answer is a {status} redirect, which Twilio does not follow (only 301, 302, 303 "
                "and 307), or one without a Location",
                11216,
            )
        return refuse(f"the answer is HTTP {status}, not a 2xx success", 11200)
    if kind is WebhookKind.STATUS:
        return Judgement(
            True, "Twilio takes the 2xx answer as delivered; a status callback's body is ignored."
        )

    kind_type = media_type(content_type)
    empty = not body.strip() and not truncated
    if truncated:
        return refuse(f"the answer is larger than {MAX_TWIML_BYTES // 1024} kB, Twilio's limit", 11750)

    if kind is WebhookKind.SMS and empty:
        return Judgement(True, "Twilio sends no reply (an empty answer is how to say nothing).")
    if kind_type is None:
        return refuse("the answer has no Content-Type; Twilio needs one to know what it is", 12300)
    if kind_type in XML_TYPES:
        check = check_twiml(body, "voice" if kind is WebhookKind.VOICE else "messaging")
        warnings = tuple(w.describe() for w in check.warnings)
        if not check.ok:
            first = check.problems[0]
            problems = [first.describe()]
            if len(check.problems) > 1:
                problems.append(f"and {len(check.problems) - 1} more problem(s) after it")
            return Judgement(
                False,
                failure_outcome(kind, first.twilio_error, fallback=fallback, has_fallback=has_fallback),
                tuple(problems),
                warnings,
                first.twilio_error or 12100,
            )
        if kind is WebhookKind.VOICE:
            verbs = ", ".join(check.verbs)
            outcome = f"Twilio runs your TwiML: {verbs}." if verbs else "Twilio ends the call at once."
        else:
            messages = check.verbs.count("Message")
            if not check.verbs:
                outcome = "Twilio sends no reply (an empty <Response>)."
            elif messages and set(check.verbs) == {"Message"}:
                outcome = f"Twilio replies with {messages} message{'s' if messages > 1 else ''}."
            else:
                outcome = f"Twilio runs your TwiML: {', '.join(check.verbs)}."
        return Judgement(True, outcome, warnings=warnings)
    if kind is WebhookKind.VOICE and kind_type in AUDIO_TYPES:
        return Judgement(True, f"Twilio plays this audio ({kind_type}) to the caller, then hangs up.")
    if kind_type == "text/plain":
        text = _excerpt(body)
        if kind is WebhookKind.VOICE:
            if empty:
                return Judgement(
                    True,
                    "Twilio reads the empty text aloud (silence), then hangs up.",
                    warnings=("the answer is empty text/plain: the caller hears nothing",),
                )
            return Judgement(
                True,
                f"Twilio reads this text aloud to the caller, then hangs up: “{text}”.",
                warnings=("plain text, not TwiML: is this what the caller should hear?",),
            )
        return Judgement(
            True,
            f"Twilio sends this text back to the sender as a reply: “{text}”.",
            warnings=(
                "a text/plain answer is sent back as an SMS reply; answer with an empty body or "
                "<Response/> to send none",
            ),
        )
    if empty and kind is WebhookKind.VOICE:
        return refuse("the answer is empty: there is no TwiML to run", 12100)
    return refuse(
        f"the answer's Content-Type is {kind_type}; Twilio takes TwiML (text/xml, application/xml), "
        + ("audio, " if kind is WebhookKind.VOICE else "")
        + "or text/plain",
        12300,
    )


# ---------------------------------------------------------------------------
# The verdict


@dataclass(frozen=True)
class RedirectHop:
    """One redirect followed: the answer's status, where it pointed, and the method
    of the next request."""

    status: int
    location: str  # absolute, password masked
    method: str
    elapsed: float

    def as_json(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "location": self.location,
            "method": self.method,
            "elapsed": round(self.elapsed, 3),
        }


@dataclass(frozen=True)
class WebhookVerdict:
    """Everything one check found, in plain words.

    `accepted`: the answer that arrived here is one Twilio uses (right status, in
    time, a type and body it can run). `reachable_by_twilio`: Twilio, on the public
    internet, can reach the URL at all. Twilio is satisfied only when both hold:
    see `satisfied`. `what_twilio_does` describes what really happens on a call or
    message, taking both into account."""

    url: str  # as configured, any password masked
    kind: WebhookKind
    label: str  # e.g. "Voice URL", "SMS fallback URL"
    method: str
    signed: bool
    unsigned_reason: str | None
    reachable_by_twilio: bool
    reachability: str | None  # why Twilio cannot reach it
    accepted: bool
    what_twilio_does: str
    answer: str | None = None  # what the answer itself would make Twilio do (when it differs)
    status: int | None = None
    elapsed: float | None = None  # seconds, every hop included
    content_type: str | None = None
    redirects: tuple[RedirectHop, ...] = ()
    problems: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    twilio_error: int | None = None
    body_excerpt: str | None = None
    time_limit: float = TWILIO_TIME_LIMIT
    notes: tuple[str, ...] = field(default=())

    @property
    def satisfied(self) -> bool:
        return self.accepted and self.reachable_by_twilio

    @property
    def final_url(self) -> str:
        return self.redirects[-1].location if self.redirects else self.url

    def as_json(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "url": self.url,
            "kind": str(self.kind),
            "method": self.method,
            "signed": self.signed,
            "unsigned_reason": self.unsigned_reason,
            "satisfied": self.satisfied,
            "accepted": self.accepted,
            "reachable_by_twilio": self.reachable_by_twilio,
            "reachability": self.reachability,
            "status": self.status,
            "elapsed": None if self.elapsed is None else round(self.elapsed, 3),
            "time_limit": self.time_limit,
            "content_type": self.content_type,
            "redirects": [hop.as_json() for hop in self.redirects],
            "final_url": self.final_url,
            "problems": list(self.problems),
            "warnings": list(self.warnings),
            "notes": list(self.notes),
            "what_twilio_does": self.what_twilio_does,
            "answer": self.answer,
            "twilio_error": self.twilio_error,
            "twilio_error_url": error_url(self.twilio_error) if self.twilio_error else None,
            "body_excerpt": self.body_excerpt,
        }


def _seconds(value: float) -> str:
    return f"{value:.2f} s" if value < 10 else f"{value:.1f} s"


def verdict_lines(verdict: WebhookVerdict) -> list[str]:
    """The verdict as plain lines, first line a headline: the command line prints
    them as they are, the wizard styles them."""
    mark = "✓" if verdict.satisfied else "✗"
    lines = [f"{mark} {verdict.label}: {verdict.method} {verdict.url}"]
    facts = [f"HTTP {verdict.status}" if verdict.status is not None else "no answer"]
    if verdict.elapsed is not None:
        facts.append(f"in {_seconds(verdict.elapsed)}")
    if verdict.content_type:
        facts.append(verdict.content_type)
    facts.append("signed" if verdict.signed else "unsigned")
    lines.append("  " + ", ".join(facts))
    if not verdict.signed and verdict.unsigned_reason:
        lines.append(f"  Not signed: {verdict.unsigned_reason}.")
    for hop in verdict.redirects:
        lines.append(f"  Redirected ({hop.status}) to {hop.method} {hop.location}")
    if verdict.satisfied:
        lines.append(f"  Twilio would be satisfied. {verdict.what_twilio_does}")
    elif not verdict.reachable_by_twilio:
        lines.append(f"  Twilio cannot reach this URL: {verdict.reachability} (tried from here anyway).")
        if verdict.accepted:
            lines.append(f"  The answer itself is right. {verdict.answer or ''}".rstrip())
        elif verdict.status is None:
            lines.append("  No usable answer came from here either.")
        else:
            lines.append("  The answer would not be accepted either.")
    elif verdict.status is None:
        lines.append("  Twilio would get no answer it can use.")
    else:
        lines.append("  Twilio would not accept this answer.")
    for problem in verdict.problems:
        lines.append(f"  Problem: {problem}")
    for warning in verdict.warnings:
        lines.append(f"  Warning: {warning}")
    for note in verdict.notes:
        lines.append(f"  Note: {note}")
    if not verdict.satisfied:
        lines.append(f"  What happens: {verdict.what_twilio_does}")
        if verdict.twilio_error:
            lines.append(f"  About error {verdict.twilio_error}: {error_url(verdict.twilio_error)}")
    if verdict.body_excerpt and not verdict.accepted:
        lines.append(f"  The answer begins: {verdict.body_excerpt}")
    return lines
