"""Adding credentials: checked with Twilio, then kept as a profile (the secret in
the system keyring) or for this session only.

One path for both front ends: `number-wizard profiles add` and the wizard's
Account step. Nothing here knows Textual; the keyring is only touched in threads,
so an event loop (the wizard's) never waits on an unlock dialog.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable
from dataclasses import dataclass

import httpx

from tui.domain.credentials import Credentials
from tui.services.credentials.errors import KeyringUnavailableError
from tui.services.credentials.profiles import ProfileInfo, ProfileStore, check_region_and_edge, profile_name
from tui.services.credentials.resolve import for_this_session
from tui.services.credentials.verify import VerifiedCredentials, verify_credentials


@dataclass(frozen=True)
class AddedCredentials:
    """Credentials Twilio accepted, and how they are kept.

    `credentials` are the ones to use from now on: their `source` names the
    profile when saved, else says "this session only". When a
    profile could not be saved because of the keyring and the caller accepted the
    session instead, `unsaved` says why."""

    credentials: Credentials
    verified: VerifiedCredentials
    profile: ProfileInfo | None = None
    unsaved: KeyringUnavailableError | None = None


async def add_credentials(
    credentials: Credentials,
    *,
    store: ProfileStore,
    profile: str | None,
    replace: bool = False,
    session_if_unsaved: bool = False,
    api_url: str | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    on_saving: Callable[[], None] | None = None,
) -> AddedCredentials:
    """Verify `credentials` with Twilio (or the sandbox, or the server at
    `api_url`), then save them as profile `profile`, or keep them for this session
    when `profile` is None.

    The profile name, a clash with an existing profile (unless `replace`) and the
    keyring's state are checked before Twilio is asked. When the keyring cannot
    store the secret, KeyringUnavailableError is raised, unless
    `session_if_unsaved`: then the verified credentials are kept for this session
    and `unsaved` says why. `on_saving` is called (on the caller's event loop) just
    before the keyring is written, which may wait on an unlock dialog.

    Raises VerificationError (refused, unreachable, inactive account),
    ProfileExistsError, InvalidProfileNameError, a RuleError for a bad region or
    edge, KeyringUnavailableError and ConfigFileError.
    """
    check_region_and_edge(credentials.region, credentials.edge)
    unsaved: KeyringUnavailableError | None = None
    if profile is not None:
        profile = profile_name(profile)
        if not replace:
            await asyncio.to_thread(store.refuse_existing, profile)
        status = await asyncio.to_thread(store.keyring_status)
        if not status.usable:
            unsaved = KeyringUnavailableError(status, doing="save the profile")
            if not session_if_unsaved:
                raise unsaved
    verified = await verify_credentials(credentials, api_url=api_url, transport=transport)
    if profile is None or unsaved is not None:
        return AddedCredentials(for_this_session(credentials), verified, unsaved=unsaved)
    if on_saving is not None:
        on_saving()
    try:
        # save() reads the secret back from the keyring before it writes the config.
        info = await asyncio.to_thread(store.save, profile, verified, replace=replace)
    except KeyringUnavailableError as error:
        if not session_if_unsaved:
            raise
        # Twilio accepted them; only saving failed: rather than make the person type
        # the secret again, they are used the way they would be without a keyring.
        return AddedCredentials(for_this_session(credentials), verified, unsaved=error)
    used = dataclasses.replace(credentials, source=store.profile_source(info.name))
    return AddedCredentials(used, verified, profile=info)
