"""The purchase request: the 23 body parameters of CreateIncomingPhoneNumberMobile.

Field rules come from the field catalogue (`tui.domain.fields`), cross-field rules
from `purchase_issues`. Both are used by this model, by the screens (on partial
input, before a model can be built) and by the command line.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError

from tui.domain import rules
from tui.domain.fields import FIELDS_BY_NAME, PURCHASE_FIELDS, FieldSpec

Level = Literal["error", "warning"]


@dataclass(frozen=True)
class Issue:
    """A cross-field finding. Errors stop the purchase; warnings are shown."""

    level: Level
    fields: tuple[str, ...]  # model field names the finding is about, first = where to show it
    message: str
    # A warning Twilio is certain to turn into a refusal (e.g. no address for a
    # number that needs one): worth stopping for before the review.
    refusal: bool = False


def _is_set(values: Mapping[str, Any], name: str) -> bool:
    value = values.get(name)
    return value is not None and value != ""


def purchase_issues(values: Mapping[str, Any]) -> list[Issue]:
    """Every cross-field rule, applied to field values keyed by model field name.

    Works on partial input too (missing keys count as unset), so a screen can call
    it while the person types.
    """
    issues: list[Issue] = []

    def has(name: str) -> bool:
        return _is_set(values, name)

    if has("trunk_sid") and has("voice_application_sid"):
        issues.append(
            Issue(
                "error",
                ("trunk_sid", "voice_application_sid"),
                "Choose either a SIP trunk or a voice application, not both: on Twilio "
                "setting one clears the other.",
            )
        )
    if has("sms_fallback_url") and not has("sms_url"):
        issues.append(
            Issue(
                "error",
                ("sms_fallback_url", "sms_url"),
                "An SMS fallback URL needs an SMS URL too: the fallback is only called "
                "when the SMS URL fails (Twilio error 21406).",
            )
        )

    voice_urls = [n for n in ("voice_url", "voice_fallback_url") if has(n)]
    if has("trunk_sid") and (voice_urls or has("voice_application_sid")):
        ignored = voice_urls + (["voice_application_sid"] if has("voice_application_sid") else [])
        issues.append(
            Issue(
                "warning",
                ("trunk_sid", *ignored),
                "With a SIP trunk, calls go to the trunk: the voice URLs and the voice "
                "application are ignored.",
            )
        )
    elif has("voice_application_sid") and voice_urls:
        issues.append(
            Issue(
                "warning",
                ("voice_application_sid", *voice_urls),
                "With a voice application, calls go to the application: the voice URLs are ignored.",
            )
        )
    sms_urls = [n for n in ("sms_url", "sms_fallback_url") if has(n)]
    if has("sms_application_sid") and sms_urls:
        issues.append(
            Issue(
                "warning",
                ("sms_application_sid", *sms_urls),
                "With a messaging application, messages go to the application: the SMS URLs are ignored.",
            )
        )

    for method, url, what in (
        ("voice_fallback_method", "voice_fallback_url", "a voice fallback"),
        ("sms_fallback_method", "sms_fallback_url", "an SMS fallback"),
        ("voice_method", "voice_url", "a voice"),
        ("sms_method", "sms_url", "an SMS"),
        ("status_callback_method", "status_callback", "a status callback"),
    ):
        if has(method) and not has(url):
            issues.append(
                Issue(
                    "warning",
                    (method, url),
                    f"{what[0].upper()}{what[1:]} method without {what} URL does nothing.",
                )
            )

    if has("emergency_status"):
        # https://twilio.com/changelog/changes-to-the-emergency-calling-api (2021-10-06).
        issues.append(
            Issue(
                "warning",
                ("emergency_status",),
                "Twilio ignores EmergencyStatus (since October 2021): emergency calling is "
                "enabled by an emergency-enabled address on the number (Emergency address, "
                "applied by an update after the purchase), in the US, Canada and the UK only.",
            )
        )
    if has("emergency_address_sid"):
        # Reported on twilio-node#706: ignored at create, applied by a later update.
        issues.append(
            Issue(
                "warning",
                ("emergency_address_sid",),
                "Twilio has been seen to ignore the emergency address when buying; the "
                "summary shows whether it was applied.",
            )
        )
    if values.get("voice_receive_mode") == "fax" and (has("voice_url") or has("trunk_sid")):
        issues.append(
            Issue(
                "warning",
                ("voice_receive_mode",),
                "In fax mode the number receives faxes, not voice calls: make sure the "
                "voice handler expects faxes.",
            )
        )

    phone = values.get("phone_number")
    if phone:
        try:
            warning = rules.not_mobile_warning(rules.phone_number(str(phone)))
        except rules.RuleError:
            warning = None  # the field rule reports it
        if warning:
            issues.append(Issue("warning", ("phone_number",), warning))
    return issues


def _field_value(spec: FieldSpec, value: Any) -> Any:
    if value is None or (isinstance(value, str) and not value.strip()):
        if spec.required:
            raise rules.RuleError(f"{spec.label} is required.")
        return None
    return spec.check(value)


class PurchaseRequest(BaseModel):
    """What the wizard sends to buy a mobile number. Empty strings count as unset."""

    model_config = ConfigDict(frozen=True, populate_by_name=True, extra="forbid")

    phone_number: str
    api_version: str | None = None
    friendly_name: str | None = None
    sms_application_sid: str | None = None
    sms_fallback_method: Literal["GET", "POST"] | None = None
    sms_fallback_url: str | None = None
    sms_method: Literal["GET", "POST"] | None = None
    sms_url: str | None = None
    status_callback: str | None = None
    status_callback_method: Literal["GET", "POST"] | None = None
    voice_application_sid: str | None = None
    voice_caller_id_lookup: bool | None = None
    voice_fallback_method: Literal["GET", "POST"] | None = None
    voice_fallback_url: str | None = None
    voice_method: Literal["GET", "POST"] | None = None
    voice_url: str | None = None
    identity_sid: str | None = None
    address_sid: str | None = None
    emergency_status: Literal["Active", "Inactive"] | None = None
    emergency_address_sid: str | None = None
    trunk_sid: str | None = None
    voice_receive_mode: Literal["voice", "fax"] | None = None
    bundle_sid: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _accept_wire_names(cls, data: Any) -> Any:
        # Accept Twilio's names too (a form body, a receipt) without aliases on
        # every field: the catalogue already knows both spellings.
        if isinstance(data, Mapping):
            from tui.domain.fields import FIELDS_BY_WIRE

            return {(FIELDS_BY_WIRE[k].name if k in FIELDS_BY_WIRE else k): v for k, v in data.items()}
        return data

    @field_validator("*", mode="before")
    @classmethod
    def _apply_field_rule(cls, value: Any, info: Any) -> Any:
        return _field_value(FIELDS_BY_NAME[info.field_name], value)

    @model_validator(mode="after")
    def _apply_cross_field_rules(self) -> PurchaseRequest:
        errors = [i for i in self.issues() if i.level == "error"]
        if errors:
            # One error per finding, located at its first field, so that a screen
            # can show each message under the field it concerns.
            raise ValidationError.from_exception_data(
                type(self).__name__,
                [
                    InitErrorDetails(
                        type=PydanticCustomError("cross_field", issue.message),
                        loc=(issue.fields[0],),
                        input=getattr(self, issue.fields[0]),
                    )
                    for issue in errors
                ],
            )
        return self

    def values(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in PURCHASE_FIELDS}

    def issues(self) -> list[Issue]:
        return purchase_issues(self.values())

    def warnings(self) -> list[Issue]:
        return [i for i in self.issues() if i.level == "warning"]

    def to_form(self) -> dict[str, str]:
        """The form body as Twilio's helper libraries send it: Twilio's order and
        names, unset fields left out, booleans as `true`/`false`."""
        form: dict[str, str] = {}
        for spec in PURCHASE_FIELDS:
            value = getattr(self, spec.name)
            if value is None:
                continue
            form[spec.wire] = ("true" if value else "false") if isinstance(value, bool) else str(value)
        return form

    def omitted_defaults(self) -> list[tuple[FieldSpec, str]]:
        """The fields left out and what Twilio does for each (for the review)."""
        return [(spec, spec.twilio_default) for spec in PURCHASE_FIELDS if getattr(self, spec.name) is None]


@dataclass(frozen=True)
class FieldProblem:
    field: str  # model field name, or "" when the problem is not about one field
    message: str


def field_problems(
    error: ValidationError,
    *,
    labels: Mapping[str, str] | None = None,
    subject: str = "the Mobile purchase",
) -> list[FieldProblem]:
    """Turn pydantic's error into one plain message per field. `labels` (field
    name -> label) and `subject` default to the purchase's; the search passes its own."""
    if labels is None:
        labels = {name: spec.label for name, spec in FIELDS_BY_NAME.items()}
    problems: list[FieldProblem] = []
    for item in error.errors(include_url=False):
        loc = item.get("loc") or ()
        name = str(loc[0]) if loc else ""
        message = str(item.get("msg", ""))
        ctx_error = (item.get("ctx") or {}).get("error")
        if isinstance(ctx_error, Exception):
            message = str(ctx_error)
        elif message.startswith("Value error, "):
            message = message.removeprefix("Value error, ")
        if item.get("type") == "extra_forbidden":
            message = f"{name} is not a parameter of {subject}."
        elif item.get("type") == "missing" and name in labels:
            message = f"{labels[name]} is required."
        problems.append(FieldProblem(name, message))
    return problems


def build_request(values: Mapping[str, Any]) -> tuple[PurchaseRequest | None, list[FieldProblem]]:
    """Build a request from raw input, returning it or the problems found."""
    try:
        return PurchaseRequest.model_validate(dict(values)), []
    except ValidationError as error:
        return None, field_problems(error)


def check_fields(values: Mapping[str, Any], names: Iterable[str]) -> dict[str, str]:
    """Apply the field rules of `names` to raw values; return errors by field name."""
    errors: dict[str, str] = {}
    for name in names:
        try:
            _field_value(FIELDS_BY_NAME[name], values.get(name))
        except rules.RuleError as error:
            errors[name] = str(error)
    return errors


@dataclass(frozen=True)
class FieldDifference:
    field: str  # model field name
    asked: Any
    got: Any


def differences(request: PurchaseRequest, created: Any) -> list[FieldDifference]:
    """Fields the created resource does not carry as asked (Twilio has been seen to
    drop some, e.g. the emergency address). Fields left unset are not compared:
    Twilio fills in its defaults there."""
    found: list[FieldDifference] = []
    for spec in PURCHASE_FIELDS:
        asked = getattr(request, spec.name)
        if asked is None:
            continue
        got = getattr(created, spec.name, None)
        same = str(got).upper() == str(asked).upper() if spec.kind == "method" else got == asked
        if not same:
            found.append(FieldDifference(spec.name, asked, got))
    return found
