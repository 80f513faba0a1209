"""The sandbox's documented accounts and credentials.

These values are public on purpose: the sandbox never talks to Twilio, and a newcomer
needs working credentials to rehearse a purchase. The auth tokens spell out that they
belong to the sandbox so nobody mistakes them for real secrets; they still have the
32 characters a real token has (twilio-cli checks the length).
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from enum import StrEnum


class AccountType(StrEnum):
    TRIAL = "Trial"
    FULL = "Full"


class CredentialKind(StrEnum):
    AUTH_TOKEN = "auth token"
    API_KEY = "API key (Standard)"
    TEST_CREDENTIALS = "test credentials"


@dataclass(frozen=True)
class SandboxAccount:
    sid: str
    auth_token: str
    friendly_name: str
    type: AccountType
    balance: str  # what Balance.json reports; purchases are not charged
    # Twilio's test credentials have an Account SID of their own that owns nothing and
    # may only call the purchase/message/call endpoints
    # (docs/twilio-api.md#test-credentials-and-magic-numbers).
    is_test_account: bool = False


@dataclass(frozen=True)
class SandboxCredential:
    """One Basic-auth pair the sandbox accepts, and what it stands for."""

    name: str
    kind: CredentialKind
    username: str
    password: str
    account_sid: str
    description: str


MAIN_ACCOUNT_SID = "AC5a4db0c5000000000000000000000001"
MAIN_AUTH_TOKEN = "sandbox-main-auth-token-00000001"
MAIN_ACCOUNT_FRIENDLY_NAME = "Sandbox Account"

API_KEY_SID = "SK5a4db0c5000000000000000000000001"
API_KEY_SECRET = "sandbox-api-key-secret-000000001"

TRIAL_ACCOUNT_SID = "AC5a4db0c5000000000000000000000002"
TRIAL_AUTH_TOKEN = "sandbox-trial-auth-token-0000002"
TRIAL_ACCOUNT_FRIENDLY_NAME = "Sandbox Trial Account"

TEST_ACCOUNT_SID = "AC5a4db0c5000000000000000000000003"
TEST_AUTH_TOKEN = "sandbox-test-auth-token-00000003"

# Owns some seeded numbers so that they are "taken" (21422); no credential reaches it.
OTHER_ACCOUNT_SID = "AC0e1e0000000000000000000000000042"

ACCOUNTS: dict[str, SandboxAccount] = {
    account.sid: account
    for account in (
        SandboxAccount(
            MAIN_ACCOUNT_SID, MAIN_AUTH_TOKEN, MAIN_ACCOUNT_FRIENDLY_NAME, AccountType.FULL, "20.00"
        ),
        SandboxAccount(
            TRIAL_ACCOUNT_SID,
            TRIAL_AUTH_TOKEN,
            TRIAL_ACCOUNT_FRIENDLY_NAME,
            AccountType.TRIAL,
            "15.50",
        ),
        SandboxAccount(
            TEST_ACCOUNT_SID,
            TEST_AUTH_TOKEN,
            "Sandbox Test Credentials",
            AccountType.FULL,
            "0.00",
            is_test_account=True,
        ),
    )
}

CREDENTIALS: tuple[SandboxCredential, ...] = (
    SandboxCredential(
        name="main",
        kind=CredentialKind.AUTH_TOKEN,
        username=MAIN_ACCOUNT_SID,
        password=MAIN_AUTH_TOKEN,
        account_sid=MAIN_ACCOUNT_SID,
        description="Full account with addresses, bundles and a few numbers already bought",
    ),
    SandboxCredential(
        name="api-key",
        kind=CredentialKind.API_KEY,
        username=API_KEY_SID,
        password=API_KEY_SECRET,
        account_sid=MAIN_ACCOUNT_SID,
        description="Standard API key of the main account (cannot fetch /Accounts)",
    ),
    SandboxCredential(
        name="trial",
        kind=CredentialKind.AUTH_TOKEN,
        username=TRIAL_ACCOUNT_SID,
        password=TRIAL_AUTH_TOKEN,
        account_sid=TRIAL_ACCOUNT_SID,
        description="Trial account: allowed only one number (21404 on the second)",
    ),
    SandboxCredential(
        name="test",
        kind=CredentialKind.TEST_CREDENTIALS,
        username=TEST_ACCOUNT_SID,
        password=TEST_AUTH_TOKEN,
        account_sid=TEST_ACCOUNT_SID,
        description="Test credentials: reads give 403/20008, purchases change nothing",
    ),
)


def find_credential(
    username: str, password: str, extra: tuple[SandboxCredential, ...] = ()
) -> SandboxCredential | None:
    """The credential with this exact pair (documented ones, then `extra`), or None."""
    for credential in CREDENTIALS + extra:
        # Compare both halves every time so a wrong user and a wrong password take as long.
        user_ok = hmac.compare_digest(credential.username.encode(), username.encode())
        password_ok = hmac.compare_digest(credential.password.encode(), password.encode())
        if user_ok and password_ok:
            return credential
    return None
