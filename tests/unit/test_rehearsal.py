"""The sandbox's simulation report judged by the client (tui/services/rehearsal.py):
the same verdicts as `webhook check`, the fallback's reason, what nothing called means."""

from __future__ import annotations

from typing import Any

from tui.domain.webhooks import WebhookKind
from tui.services.rehearsal import rehearsal_from_report, verdict_from_report

SAY = '<?xml version="1.0"?><Response><Say>Hi</Say></Response>'


def entry(role: str, **fields: Any) -> dict[str, Any]:
    return {
        "role": role,
        "url": "https://hooks.example.com/" + role,
        "method": "POST",
        "signed": True,
        "status": 200,
        "content_type": "text/xml",
        "body": SAY,
        "truncated": False,
        "redirects": [],
        "error": None,
        "error_code": None,
        "elapsed": 0.12,
        **fields,
    }


def report(*requests: dict[str, Any], kind: str = "call", **fields: Any) -> dict[str, Any]:
    return {
        "kind": kind,
        "to": "+46701740612",
        "from": "+15005550100",
        "sid": "CA" + "0" * 32,
        "handled_by": None,
        "fallback_configured": False,
        "requests": list(requests),
        "skipped": [],
        **fields,
    }


def test_an_answer_twilio_runs_is_satisfied() -> None:
    rehearsal = rehearsal_from_report(report(entry("voice_url"), entry("status_callback", body="")))

    voice, status = rehearsal.verdicts
    assert voice.satisfied and voice.kind is WebhookKind.VOICE and voice.label == "Voice URL"
    assert voice.what_twilio_does == "Twilio runs your TwiML: Say."
    assert status.kind is WebhookKind.STATUS and status.satisfied
    assert rehearsal.satisfied and rehearsal.accepted
    assert rehearsal.headline().startswith("✓ Simulated an incoming call from +15005550100 to +46701740612")


def test_a_timeout_says_what_twilio_does_next() -> None:
    failed = entry(
        "voice_url", status=None, body=None, error="no complete answer within 15 s", error_code=11205
    )

    verdict = verdict_from_report(failed, fallback_configured=True)

    assert not verdict.accepted and verdict.twilio_error == 11205
    assert verdict.problems == ("no complete answer within 15 s",)
    assert verdict.what_twilio_does.endswith("calls your voice fallback URL instead.")


def test_the_fallback_taken_is_not_satisfied_and_says_why() -> None:
    broken = entry(
        "voice_url", body="<Response><say>Hi</say></Response>", problem="<say> is not a TwiML verb"
    )
    rehearsal = rehearsal_from_report(report(broken, entry("voice_fallback_url"), fallback_configured=True))

    first, fallback = rehearsal.verdicts
    assert not first.accepted and first.twilio_error == 12200 and "<say>" in first.problems[0]
    assert fallback.accepted and fallback.label == "Voice fallback URL"
    assert rehearsal.fallback_reason == "<say> is not a TwiML verb"
    assert not rehearsal.satisfied and not rehearsal.accepted
    assert any("so Twilio called the fallback URL" in line for line in rehearsal.lines())


def test_a_local_server_is_accepted_but_twilio_cannot_reach_it() -> None:
    local = entry("sms_url", url="http://127.0.0.1:3000/sms", body="")

    verdict = verdict_from_report(local, fallback_configured=False)

    assert verdict.accepted and not verdict.reachable_by_twilio and not verdict.satisfied
    assert verdict.answer == "Twilio sends no reply (an empty answer is how to say nothing)."
    assert verdict.twilio_error == 11205


def test_redirects_are_shown_with_where_they_went() -> None:
    moved = entry(
        "sms_url", redirects=[{"status": 302, "location": "https://hooks.example.com/new", "method": "GET"}]
    )

    verdict = verdict_from_report(moved, fallback_configured=False)

    (hop,) = verdict.redirects
    assert (hop.status, hop.location, hop.method) == (302, "https://hooks.example.com/new", "GET")


def test_nothing_called_is_not_satisfied_and_the_reason_is_a_line() -> None:
    rehearsal = rehearsal_from_report(
        report(kind="sms", skipped=["no SMS URL is configured: nothing replies"])
    )

    assert not rehearsal.satisfied and rehearsal.verdicts == ()
    assert "no URL was called" in rehearsal.headline()
    assert rehearsal.lines()[-1] == "• No SMS URL is configured: nothing replies."
