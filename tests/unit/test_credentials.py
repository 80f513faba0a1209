"""Secrets stay secret; credential rules; TWILIO_* environment variables
(docs/twilio-api.md#authentication, docs/credentials.md)."""

from __future__ import annotations

import copy
import io
import logging
import pickle

import pytest
from rich.console import Console
from rich.traceback import Traceback

from tests.support.fakes import (
    ACCOUNT_SID,
    API_KEY_SID,
    API_SECRET,
    AUTH_TOKEN,
    key_credentials,
    token_credentials,
)
from tui.domain import credentials as rules
from tui.domain.credentials import MASK, Credentials, Secret
from tui.domain.rules import RuleError
from tui.services.credentials.environment import (
    EnvironmentCredentialsError,
    credentials_from_environment,
    region_and_edge,
)

# ---------------------------------------------------------------------------
# Secret


def test_secret_is_masked_everywhere_text_is_made():
    secret = Secret(AUTH_TOKEN)
    shown = [
        repr(secret),
        str(secret),
        format(secret),
        format(secret, ">40"),
        f"{secret}",
        f"{secret!r}",
        f"{secret!s}",
        "%s" % secret,  # noqa: UP031 - the old formatting must mask too
        "%r" % (secret,),  # noqa: UP031
        f"{secret}",
        str([secret]),
        str({"token": secret}),
    ]
    for text in shown:
        assert AUTH_TOKEN not in text
        assert MASK in text
    assert secret.reveal() == AUTH_TOKEN


def test_secret_in_a_log_line(caplog):
    with caplog.at_level(logging.INFO):
        logging.getLogger("test").info("token is %s, creds %r", Secret(AUTH_TOKEN), token_credentials())
    assert AUTH_TOKEN not in caplog.text and MASK in caplog.text


def test_secret_refuses_pickling_and_is_immutable():
    secret = Secret(AUTH_TOKEN)
    for protocol in range(pickle.HIGHEST_PROTOCOL + 1):
        with pytest.raises(TypeError, match="cannot be pickled"):
            pickle.dumps(secret, protocol=protocol)
    with pytest.raises(TypeError, match="cannot be pickled"):
        pickle.dumps(token_credentials())
    with pytest.raises(AttributeError):
        secret._value = "other"
    assert copy.copy(secret) is secret and copy.deepcopy(secret) is secret
    assert not hasattr(secret, "__dict__")


def test_secret_equality_and_truth():
    assert Secret("a") == Secret("a") and Secret("a") != Secret("b")
    assert Secret("a") != "a"
    assert hash(Secret("a")) == hash(Secret("a"))
    assert not Secret("") and Secret("x")


def test_credentials_repr_and_describe_never_show_the_secret():
    for creds in (token_credentials(), key_credentials()):
        for text in (repr(creds), str(creds), creds.describe(), f"{creds}"):
            assert AUTH_TOKEN not in text and API_SECRET not in text
    assert token_credentials().describe() == f"{ACCOUNT_SID} with Auth Token (secret {MASK})"
    assert key_credentials().describe() == f"{ACCOUNT_SID} with API key {API_KEY_SID} (secret {MASK})"
    assert token_credentials().username == ACCOUNT_SID and token_credentials().auth_kind == "auth_token"
    assert key_credentials().username == API_KEY_SID and key_credentials().auth_kind == "api_key"


def _render(exc: BaseException) -> str:
    console = Console(width=200, record=True, file=io.StringIO(), color_system=None)
    console.print(
        Traceback.from_exception(
            type(exc),
            exc,
            exc.__traceback__,
            show_locals=True,
            width=200,
            locals_max_string=1000,
            locals_max_length=100,
        )
    )
    return console.export_text()


def _fails_holding_credentials(creds: Credentials) -> None:
    secret = creds.secret  # noqa: F841 - shown by show_locals
    local_copy = {"creds": creds, "list": [creds.secret]}  # noqa: F841
    raise RuntimeError("boom while holding credentials")


@pytest.mark.parametrize("make", [token_credentials, key_credentials])
def test_traceback_with_locals_never_shows_the_secret(make):
    # The secrets live in helpers' module globals, not in this frame's locals.
    try:
        _fails_holding_credentials(make())
    except RuntimeError as error:
        text = _render(error)
    assert "boom while holding credentials" in text
    assert "_fails_holding_credentials" in text
    assert MASK in text  # the locals were rendered, masked
    assert ACCOUNT_SID in text
    assert AUTH_TOKEN not in text and API_SECRET not in text


async def test_traceback_of_a_failed_client_call_never_shows_the_secret():
    import base64

    import httpx

    from tui.domain.errors import TwilioUnreachable
    from tui.domain.purchase import PurchaseRequest
    from tui.services.twilio import TwilioClient

    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow", request=request)

    async with TwilioClient(key_credentials(), transport=httpx.MockTransport(refuse)) as client:
        try:
            await client.send_purchase(client.prepare_purchase(PurchaseRequest(phone_number="+447400123456")))
        except TwilioUnreachable as error:
            text = _render(error)
    assert "TwilioUnreachable" in text and "purchase" in text
    encoded = base64.b64encode(f"{API_KEY_SID}:{API_SECRET}".encode()).decode()
    assert API_SECRET not in text and encoded not in text


# ---------------------------------------------------------------------------
# Credential rules


def test_auth_token_rule():
    assert rules.auth_token(f"  '{AUTH_TOKEN}' ").reveal() == AUTH_TOKEN
    with pytest.raises(RuleError, match="is 32 characters; this one has 31"):
        rules.auth_token(AUTH_TOKEN[:-1])
    with pytest.raises(RuleError, match="no spaces"):
        rules.auth_token(AUTH_TOKEN[:16] + " " + AUTH_TOKEN[17:])
    with pytest.raises(RuleError, match="Enter the Auth Token"):
        rules.auth_token(" ")


def test_auth_token_error_never_contains_the_token():
    with pytest.raises(RuleError) as caught:
        rules.auth_token(AUTH_TOKEN + "x")
    assert AUTH_TOKEN not in str(caught.value)


def test_api_key_secret_rule():
    assert rules.api_key_secret(f'"{API_SECRET}"').reveal() == API_SECRET
    with pytest.raises(RuleError, match="no spaces"):
        rules.api_key_secret("a b")
    with pytest.raises(RuleError, match="Enter the API key secret"):
        rules.api_key_secret("")


def test_account_sid_rule():
    assert rules.account_sid(f" {ACCOUNT_SID} ") == ACCOUNT_SID
    with pytest.raises(RuleError, match=r"That is an API key SID \(SK…\)"):
        rules.account_sid(API_KEY_SID)
    with pytest.raises(RuleError, match="starts with AC"):
        rules.account_sid("PN" + ACCOUNT_SID[2:])
    with pytest.raises(RuleError, match="34 characters"):
        rules.account_sid(ACCOUNT_SID + "0")


def test_api_key_sid_rule():
    assert rules.api_key_sid(API_KEY_SID) == API_KEY_SID
    with pytest.raises(RuleError, match=r"That is an Account SID \(AC…\)"):
        rules.api_key_sid(ACCOUNT_SID)
    with pytest.raises(RuleError, match="capital SK"):
        rules.api_key_sid("sk" + API_KEY_SID[2:])


# ---------------------------------------------------------------------------
# Environment


def test_no_variables_no_credentials():
    assert credentials_from_environment({}) is None
    assert credentials_from_environment({"TWILIO_ACCOUNT_SID": "  ", "HOME": "/x"}) is None


def test_complete_token_set():
    creds = credentials_from_environment({"TWILIO_ACCOUNT_SID": ACCOUNT_SID, "TWILIO_AUTH_TOKEN": AUTH_TOKEN})
    assert creds is not None
    assert creds.account_sid == ACCOUNT_SID and creds.auth_kind == "auth_token"
    assert creds.secret.reveal() == AUTH_TOKEN
    assert creds.region is None and creds.edge is None
    assert creds.source == "environment (TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN)"


def test_complete_key_set():
    creds = credentials_from_environment(
        {
            "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
            "TWILIO_API_KEY": API_KEY_SID,
            "TWILIO_API_SECRET": API_SECRET,
        }
    )
    assert creds is not None
    assert creds.auth_kind == "api_key" and creds.username == API_KEY_SID
    assert creds.account_sid == ACCOUNT_SID and creds.secret.reveal() == API_SECRET
    assert "TWILIO_API_KEY" in creds.source


def test_key_set_is_preferred_over_a_token():
    creds = credentials_from_environment(
        {
            "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
            "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
            "TWILIO_API_KEY": API_KEY_SID,
            "TWILIO_API_SECRET": API_SECRET,
        }
    )
    assert creds is not None and creds.auth_kind == "api_key"
    assert creds.secret.reveal() == API_SECRET


@pytest.mark.parametrize(
    ("env", "names"),
    [
        ({"TWILIO_AUTH_TOKEN": AUTH_TOKEN}, ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN is set")),
        ({"TWILIO_API_KEY": API_KEY_SID, "TWILIO_API_SECRET": API_SECRET}, ("TWILIO_ACCOUNT_SID", "are set")),
        ({"TWILIO_ACCOUNT_SID": ACCOUNT_SID}, ("TWILIO_AUTH_TOKEN", "TWILIO_API_KEY and TWILIO_API_SECRET")),
        ({"TWILIO_ACCOUNT_SID": ACCOUNT_SID, "TWILIO_API_KEY": API_KEY_SID}, ("TWILIO_API_SECRET is not",)),
        ({"TWILIO_ACCOUNT_SID": ACCOUNT_SID, "TWILIO_API_SECRET": API_SECRET}, ("TWILIO_API_KEY is not",)),
        (
            {
                "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
                "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
                "TWILIO_API_KEY": API_KEY_SID,
            },
            ("TWILIO_API_SECRET is not",),
        ),
        (
            {"TWILIO_ACCOUNT_SID": ACCOUNT_SID, "TWILIO_API_KEY": API_KEY_SID, "TWILIO_API_SECRET": "  "},
            ("TWILIO_API_SECRET is not",),
        ),
    ],
)
def test_incomplete_sets_name_the_missing_variable(env, names):
    with pytest.raises(EnvironmentCredentialsError) as caught:
        credentials_from_environment(env)
    for name in names:
        assert name in str(caught.value)
    assert AUTH_TOKEN not in str(caught.value) and API_SECRET not in str(caught.value)


@pytest.mark.parametrize(
    ("env", "prefix", "fragment"),
    [
        (
            {"TWILIO_ACCOUNT_SID": "AC123", "TWILIO_AUTH_TOKEN": AUTH_TOKEN},
            "TWILIO_ACCOUNT_SID: ",
            "34 characters",
        ),
        (
            {"TWILIO_ACCOUNT_SID": API_KEY_SID, "TWILIO_AUTH_TOKEN": AUTH_TOKEN},
            "TWILIO_ACCOUNT_SID: ",
            "API key SID",
        ),
        (
            {"TWILIO_ACCOUNT_SID": ACCOUNT_SID, "TWILIO_AUTH_TOKEN": "short"},
            "TWILIO_AUTH_TOKEN: ",
            "32 characters",
        ),
        (
            {
                "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
                "TWILIO_API_KEY": ACCOUNT_SID,
                "TWILIO_API_SECRET": API_SECRET,
            },
            "TWILIO_API_KEY: ",
            "Account SID",
        ),
        (
            {
                "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
                "TWILIO_API_KEY": "SK" + "g" * 32,
                "TWILIO_API_SECRET": API_SECRET,
            },
            "TWILIO_API_KEY: ",
            "hex digits",
        ),
        (
            {"TWILIO_ACCOUNT_SID": ACCOUNT_SID, "TWILIO_API_KEY": API_KEY_SID, "TWILIO_API_SECRET": "a b"},
            "TWILIO_API_SECRET: ",
            "no spaces",
        ),
    ],
)
def test_malformed_values_name_the_variable(env, prefix, fragment):
    with pytest.raises(EnvironmentCredentialsError) as caught:
        credentials_from_environment(env)
    message = str(caught.value)
    assert message.startswith(prefix) and fragment in message
    assert isinstance(caught.value, RuleError)


def test_region_and_edge_are_read():
    env = {
        "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "TWILIO_REGION": "au1",
        "TWILIO_EDGE": "sydney",
    }
    creds = credentials_from_environment(env)
    assert creds is not None and (creds.region, creds.edge) == ("au1", "sydney")
    assert region_and_edge(env) == ("au1", "sydney")
    assert region_and_edge({"TWILIO_EDGE": "dublin", "TWILIO_REGION": ""}) == (None, "dublin")
    key_creds = credentials_from_environment(
        {**env, "TWILIO_API_KEY": API_KEY_SID, "TWILIO_API_SECRET": API_SECRET}
    )
    assert key_creds is not None and (key_creds.region, key_creds.edge) == ("au1", "sydney")
