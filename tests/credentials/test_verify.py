"""Verification before saving: the right call per credential type, and failures
explained."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest

from tests.support.credentials import recording_sandbox_transport, sandbox_transport
from tui.domain.credentials import Credentials, Secret
from tui.domain.errors import TwilioApiError, TwilioUnreachable
from tui.sandbox import accounts
from tui.services.credentials.errors import VerificationError
from tui.services.credentials.verify import verify_credentials
from tui.services.twilio import RetryPolicy


def recording_transport(paths: list[str]) -> httpx.AsyncBaseTransport:
    return recording_sandbox_transport(paths)


async def test_an_auth_token_is_checked_by_reading_the_account() -> None:
    paths: list[str] = []
    verified = await verify_credentials(
        Credentials(accounts.MAIN_ACCOUNT_SID, Secret(accounts.MAIN_AUTH_TOKEN)),
        transport=recording_transport(paths),
        clock=lambda: datetime(2026, 1, 2, tzinfo=UTC),
    )
    assert paths == [f"/2010-04-01/Accounts/{accounts.MAIN_ACCOUNT_SID}.json"]
    assert verified.check.friendly_name == accounts.MAIN_ACCOUNT_FRIENDLY_NAME
    assert verified.verified_at == datetime(2026, 1, 2, tzinfo=UTC)
    # FetchAccount's body carries the auth token; nothing of it is kept.
    assert accounts.MAIN_AUTH_TOKEN not in repr(verified)


async def test_a_standard_api_key_is_checked_with_a_call_it_may_make() -> None:
    paths: list[str] = []
    verified = await verify_credentials(
        Credentials(
            accounts.MAIN_ACCOUNT_SID, Secret(accounts.API_KEY_SECRET), api_key_sid=accounts.API_KEY_SID
        ),
        transport=recording_transport(paths),
    )
    assert paths[-1] == f"/2010-04-01/Accounts/{accounts.MAIN_ACCOUNT_SID}/IncomingPhoneNumbers.json"
    assert verified.check.auth_kind == "api_key"


async def test_a_wrong_secret_is_refused_with_where_to_look() -> None:
    with pytest.raises(VerificationError) as raised:
        await verify_credentials(
            Credentials(accounts.MAIN_ACCOUNT_SID, Secret("w" * 32)), transport=sandbox_transport()
        )
    assert "did not accept this Account SID and Auth Token" in str(raised.value)
    assert "Console" in str(raised.value)
    assert isinstance(raised.value.cause, TwilioApiError)


async def test_a_refused_regional_key_mentions_the_region() -> None:
    with pytest.raises(VerificationError, match="region ie1"):
        await verify_credentials(
            Credentials(
                accounts.MAIN_ACCOUNT_SID,
                Secret("nope"),
                api_key_sid=accounts.API_KEY_SID,
                region="ie1",
                edge="dublin",
            ),
            transport=sandbox_transport(),
        )


async def test_test_credentials_are_explained() -> None:
    with pytest.raises(VerificationError, match="test credentials"):
        await verify_credentials(
            Credentials(accounts.TEST_ACCOUNT_SID, Secret(accounts.TEST_AUTH_TOKEN)),
            transport=sandbox_transport(),
        )


async def test_an_inactive_account_is_not_accepted() -> None:
    def suspended(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"sid": accounts.MAIN_ACCOUNT_SID, "status": "suspended"})

    with pytest.raises(VerificationError, match="suspended"):
        await verify_credentials(
            Credentials(accounts.MAIN_ACCOUNT_SID, Secret(accounts.MAIN_AUTH_TOKEN)),
            transport=httpx.MockTransport(suspended),
        )


async def test_swapped_sids_get_a_hint() -> None:
    def not_found(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            404, json={"code": 20404, "message": "The requested resource was not found", "status": 404}
        )

    with pytest.raises(VerificationError, match="swapped"):
        await verify_credentials(
            Credentials(accounts.MAIN_ACCOUNT_SID, Secret(accounts.MAIN_AUTH_TOKEN)),
            transport=httpx.MockTransport(not_found),
        )


async def test_an_unreachable_twilio_saves_nothing_and_says_so() -> None:
    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    with pytest.raises(VerificationError, match="Could not check") as raised:
        await verify_credentials(
            Credentials(accounts.MAIN_ACCOUNT_SID, Secret(accounts.MAIN_AUTH_TOKEN)),
            transport=httpx.MockTransport(down),
            retry=RetryPolicy(attempts=1),
        )
    assert isinstance(raised.value.cause, TwilioUnreachable)
    assert "Nothing was saved" in " ".join(raised.value.lines())
