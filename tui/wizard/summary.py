"""The created number's fields, grouped as in the wizard, for the Summary (the
full-screen one and the plain one): every field of the Mobile resource, with a
label, the value as shown, and what was asked for when Twilio set something else.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from tui.domain.fields import FIELDS_BY_NAME, GROUP_TITLES
from tui.domain.purchase import FieldDifference
from tui.domain.resources import IncomingPhoneNumber

# Response fields that are not request fields, placed in the wizard's groups.
RESOURCE_ONLY_FIELDS = {
    "number": (
        "sid",
        "account_sid",
        "status",
        "origin",
        "capabilities",
        "beta",
        "date_created",
        "date_updated",
        "uri",
    ),
    "compliance": ("address_requirements", "emergency_address_status"),
}
RESOURCE_LABELS = {
    "sid": "SID",
    "account_sid": "Account SID",
    "status": "Status",
    "origin": "Origin",
    "capabilities": "Capabilities",
    "beta": "Beta",
    "date_created": "Created",
    "date_updated": "Updated",
    "uri": "URI",
    "address_requirements": "Address requirement",
    "emergency_address_status": "Emergency address status",
}


def shown(value: Any) -> str:
    """A resource value as the Summary shows it."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if hasattr(value, "describe"):
        return str(value.describe())
    if hasattr(value, "strftime"):
        return str(value.strftime("%Y-%m-%d %H:%M:%S %Z"))
    return str(value)


@dataclass(frozen=True)
class ResourceField:
    name: str
    label: str
    value: str  # as shown
    asked: str | None = None  # what the request asked for, when Twilio set something else


def resource_groups(
    resource: IncomingPhoneNumber, differences: Sequence[FieldDifference] = ()
) -> list[tuple[str, list[ResourceField]]]:
    """Every field of the created number under its group's title, in the wizard's order."""
    differing = {d.field: d for d in differences}
    groups: list[tuple[str, list[ResourceField]]] = []
    for group, title in GROUP_TITLES.items():
        if group in ("search", "account", "address"):
            continue  # not fields of the created number
        # Follow-ups (the Messaging Service) are not fields of the number: the
        # Summary reports them apart, with their own outcome.
        names = list(RESOURCE_ONLY_FIELDS.get(group, ())) + [
            spec.name for spec in FIELDS_BY_NAME.values() if spec.group == group and not spec.follow_up
        ]
        groups.append(
            (
                title,
                [
                    ResourceField(
                        name,
                        RESOURCE_LABELS.get(name) or FIELDS_BY_NAME[name].label,
                        shown(getattr(resource, name, None)),
                        shown(differing[name].asked) if name in differing else None,
                    )
                    for name in names
                ],
            )
        )
    return groups
