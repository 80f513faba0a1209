"""The Account step's fields: credentials typed in the wizard.

Their rules are the domain's (SIDs, token length) and the profile store's (profile
names, region and edge); the same rules `number-wizard profiles add` applies. The
form (tui/widgets/credentials_form.py) takes every rule from here. These values
never go into the draft: the secret is wrapped in a `Secret` the moment it is
read, and the input is cleared.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from tui.domain import credentials as rules
from tui.domain.fields import FieldSpec, Kind
from tui.services.hosts import location_name

# Where credentials typed on the Account step come from, as the step shows it.
TYPED_SOURCE = "typed on the Account step"


def region_and_edge(region: str | None, edge: str | None) -> tuple[str | None, str | None]:
    """Region and edge together, normalised; a RuleError when they do not go
    together (a region needs an edge since Twilio retired region-only hosts)."""
    # The profile store's rule, imported when used (keyring and httpx come with it).
    from tui.services.credentials.profiles import check_region_and_edge

    return check_region_and_edge(region, edge)


def _profile_name(raw: str) -> str:
    # The profile store's rule, imported when used: that module brings keyring and
    # httpx, which the Account step's first frame does without.
    from tui.services.credentials.profiles import profile_name

    return profile_name(raw)


def _region(raw: str) -> str:
    return location_name(raw, "Region")


def _edge(raw: str) -> str:
    return location_name(raw, "Edge")


def _secret(raw: str) -> rules.Secret:
    # Which rule applies depends on the kind chosen: the form swaps in the entry of
    # SECRET_SPECS for it (an Auth Token's length is then checked as soon as the
    # person leaves the field, not only when the form is submitted).
    return rules.api_key_secret(raw)


def _spec(
    wire: str,
    label: str,
    help: str,
    kind: Kind,
    parse: Callable[[str], Any],
    placeholder: str = "",
    required: bool = False,
) -> FieldSpec:
    return FieldSpec(
        wire, label, help, "account", kind, parse, "", placeholder=placeholder, required=required
    )


ACCOUNT_FIELDS: tuple[FieldSpec, ...] = (
    _spec(
        "ProfileName",
        "Profile name",
        "A short name for these credentials, e.g. work; used with --profile.",
        "text",
        _profile_name,
        "work",
    ),
    _spec(
        "AccountSidInput",
        "Account SID",
        "Your Account SID (AC…): Twilio Console › Account info.",
        "sid",
        rules.account_sid,
        "AC" + "x" * 32,
        required=True,
    ),
    _spec(
        "ApiKeySidInput",
        "API key SID",
        "The key's SID (SK…): Console › Account › API keys & tokens. Recommended over the Auth Token.",
        "sid",
        rules.api_key_sid,
        "SK" + "x" * 32,
    ),
    _spec(
        "SecretInput",
        "Secret",
        "The API key's secret, or the Auth Token. Masked; checked with Twilio before use.",
        "secret",
        _secret,
        "",
        required=True,
    ),
    _spec(
        "RegionInput",
        "Region (optional)",
        "Only for credentials made in another Twilio region, e.g. ie1; needs an edge.",
        "text",
        _region,
        "ie1",
    ),
    _spec(
        "EdgeInput",
        "Edge (optional)",
        "The edge location to connect through, e.g. dublin.",
        "text",
        _edge,
        "dublin",
    ),
)
ACCOUNT_FIELDS_BY_NAME = {spec.name: spec for spec in ACCOUNT_FIELDS}

# The secret field's entry for each kind of credentials (same name and control):
# its label and rule follow the kind chosen on the form.
SECRET_SPECS: dict[str, FieldSpec] = {
    "api_key": replace(ACCOUNT_FIELDS_BY_NAME["secret_input"], label="API key secret"),
    "auth_token": replace(ACCOUNT_FIELDS_BY_NAME["secret_input"], label="Auth Token", parse=rules.auth_token),
}
