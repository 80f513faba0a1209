"""What is done with a number right after it is bought, by requests of their own.

Today one thing: adding the number to a Messaging Service (`POST
/v1/Services/{ServiceSid}/PhoneNumbers` with the new number's `PhoneNumberSid`,
https://www.twilio.com/docs/messaging/api/phonenumber-resource). It is not a body
parameter of the Mobile purchase, so it is not in `PurchaseRequest`; its field is in
the catalogue's FOLLOW_UP_FIELDS (one rule and one description, as every field).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from tui.domain.fields import FIELDS_BY_NAME, FOLLOW_UP_FIELDS
from tui.domain.purchase import FieldProblem, field_problems


class FollowUpRequest(BaseModel):
    """The follow-ups asked for with a purchase (all optional)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    messaging_service_sid: str | None = None

    @field_validator("*", mode="before")
    @classmethod
    def _apply_field_rule(cls, value: Any, info: Any) -> Any:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        return FIELDS_BY_NAME[info.field_name].check(value)

    @property
    def empty(self) -> bool:
        return all(getattr(self, spec.name) is None for spec in FOLLOW_UP_FIELDS)

    def values(self) -> dict[str, Any]:
        return {spec.name: getattr(self, spec.name) for spec in FOLLOW_UP_FIELDS}


def build_follow_up(values: Mapping[str, Any]) -> tuple[FollowUpRequest | None, list[FieldProblem]]:
    try:
        return FollowUpRequest.model_validate(dict(values)), []
    except ValidationError as error:
        return None, field_problems(error, subject="the follow-up requests")
