"""Credentials from `TWILIO_*` environment variables (twilio-cli's names).

`TWILIO_ACCOUNT_SID` with either `TWILIO_API_KEY` + `TWILIO_API_SECRET` (preferred,
as twilio-cli does) or `TWILIO_AUTH_TOKEN`; `TWILIO_REGION` and `TWILIO_EDGE`
optional. Unlike twilio-cli, an incomplete or malformed set is an error that names
the variable, never silently skipped or mixed with stored values.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import partial
from typing import TypeVar

from tui.domain import credentials as rules
from tui.domain.credentials import Credentials
from tui.domain.rules import RuleError
from tui.services.hosts import location_name, resolve_hosts

ACCOUNT_SID = "TWILIO_ACCOUNT_SID"
AUTH_TOKEN = "TWILIO_AUTH_TOKEN"
API_KEY = "TWILIO_API_KEY"
API_SECRET = "TWILIO_API_SECRET"
REGION = "TWILIO_REGION"
EDGE = "TWILIO_EDGE"

CREDENTIAL_VARIABLES = (ACCOUNT_SID, AUTH_TOKEN, API_KEY, API_SECRET)

T = TypeVar("T")


class EnvironmentCredentialsError(RuleError):
    """The TWILIO_* variables are set but incomplete or malformed."""


def _get(env: Mapping[str, str], name: str) -> str | None:
    value = env.get(name)
    return value if value and value.strip() else None


def _check(name: str, rule: Callable[[str], T], value: str) -> T:
    try:
        return rule(value)
    except RuleError as error:
        raise EnvironmentCredentialsError(f"{name}: {error}") from None


def region_and_edge(env: Mapping[str, str]) -> tuple[str | None, str | None]:
    """TWILIO_REGION and TWILIO_EDGE, checked by the rules the client's hosts use,
    so a bad value is named here rather than failing later without a name."""
    region = _check(REGION, partial(location_name, what="Region"), env[REGION]) if _get(env, REGION) else None
    edge = _check(EDGE, partial(location_name, what="Edge"), env[EDGE]) if _get(env, EDGE) else None
    _check(REGION if region else EDGE, lambda _: resolve_hosts(region=region, edge=edge), "")
    return region, edge


def credentials_from_environment(env: Mapping[str, str]) -> Credentials | None:
    """The credentials the environment gives, None when it gives none at all."""
    present = [name for name in CREDENTIAL_VARIABLES if _get(env, name)]
    if not present:
        return None
    if not _get(env, ACCOUNT_SID):
        raise EnvironmentCredentialsError(
            f"{', '.join(present)} {'is' if len(present) == 1 else 'are'} set but "
            f"{ACCOUNT_SID} is not: set it to your Account SID (AC…), or unset the others."
        )
    account_sid = _check(ACCOUNT_SID, rules.account_sid, env[ACCOUNT_SID])
    region, edge = region_and_edge(env)
    has_key, has_secret = bool(_get(env, API_KEY)), bool(_get(env, API_SECRET))
    if has_key or has_secret:
        if not has_key:
            raise EnvironmentCredentialsError(
                f"{API_SECRET} is set but {API_KEY} is not: set it to the API key SID (SK…)."
            )
        if not has_secret:
            raise EnvironmentCredentialsError(
                f"{API_KEY} is set but {API_SECRET} is not: set it to the API key's secret."
            )
        return Credentials(
            account_sid=account_sid,
            api_key_sid=_check(API_KEY, rules.api_key_sid, env[API_KEY]),
            secret=_check(API_SECRET, rules.api_key_secret, env[API_SECRET]),
            region=region,
            edge=edge,
            source=f"environment ({ACCOUNT_SID}, {API_KEY}, {API_SECRET})",
        )
    if not _get(env, AUTH_TOKEN):
        raise EnvironmentCredentialsError(
            f"{ACCOUNT_SID} is set but no secret is: set {AUTH_TOKEN}, or {API_KEY} and {API_SECRET}."
        )
    return Credentials(
        account_sid=account_sid,
        secret=_check(AUTH_TOKEN, rules.auth_token, env[AUTH_TOKEN]),
        region=region,
        edge=edge,
        source=f"environment ({ACCOUNT_SID}, {AUTH_TOKEN})",
    )
