"""The states of a purchase attempt (see tui.services.purchase.PurchaseAttempt):
`ready → sending → bought | failed | unknown`, and `unknown → bought | failed`
when a lookup settles it. Kept apart so that what shows an attempt can name its
state without loading the purchase machinery."""

from __future__ import annotations

from enum import StrEnum


class AttemptState(StrEnum):
    READY = "ready"
    SENDING = "sending"
    BOUGHT = "bought"
    FAILED = "failed"
    UNKNOWN = "unknown"


class ChangeState(StrEnum):
    """The states of an update or a release of an owned number
    (tui.services.number_changes.ChangeAttempt): `ready → sending → done |
    failed | unknown`, and `unknown → done | failed` when a lookup settles it."""

    READY = "ready"
    SENDING = "sending"
    DONE = "done"
    FAILED = "failed"
    UNKNOWN = "unknown"
