"""numbers.twilio.com/v2/RegulatoryCompliance: Bundles and Regulations.

A Bundle carries no country or number type of its own (the spec's schema has neither);
it points at a Regulation, which has both. Filters on IsoCountry/NumberType/EndUserType
therefore go through the bundle's regulation.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tui.sandbox import errors, params, seed
from tui.sandbox.context import NUMBERS_ORIGIN, Context, Reply, Request
from tui.sandbox.formats import iso8601, parse_iso8601
from tui.sandbox.paging import meta_page

BUNDLES_PATH = "/v2/RegulatoryCompliance/Bundles"
REGULATIONS_PATH = "/v2/RegulatoryCompliance/Regulations"


def regulation_by_sid(sid: str) -> seed.RegulationRow | None:
    for row in seed.REGULATIONS:
        if seed.regulation_sid(row.iso_country, row.number_type, row.end_user_type) == sid:
            return row
    return None


def bundle_required(iso_country: str, number_type: str) -> bool:
    """Twilio's rule as the Regulations API tells it: a regulation exists for the pair."""
    return any(row.iso_country == iso_country and row.number_type == number_type for row in seed.REGULATIONS)


def _same_country(asked: str, actual: str) -> bool:
    # Twilio's UK bundle guide queries IsoCountry=gb
    # (https://twilio.com/docs/phone-numbers/regulatory/reading-regulations-for-the-uk-bundle).
    return asked.casefold() == actual.casefold()


def _same_number_type(asked: str, actual: str) -> bool:
    # The docs spell toll-free both "toll-free" and "toll free".
    def normalise(text: str) -> str:
        return text.casefold().replace(" ", "-").replace("_", "-")

    return normalise(asked) == normalise(actual)


def render_regulation(row: seed.RegulationRow, request: Request) -> dict[str, Any]:
    sid = seed.regulation_sid(row.iso_country, row.number_type, row.end_user_type)
    end_user_fields = (
        ["business_name", "business_registration_number"]
        if row.end_user_type == "business"
        else ["first_name", "last_name"]
    )
    return {
        "sid": sid,
        "friendly_name": (f"{row.country_name}: {row.number_type.title()} - {row.end_user_type.title()}"),
        "iso_country": row.iso_country,
        "number_type": row.number_type,
        "end_user_type": row.end_user_type,
        # Same structure as the spec's example: who the end user is, and an address
        # document (Address SIDs) as proof.
        "requirements": {
            "end_user": [
                {
                    "name": row.end_user_type.title(),
                    "type": row.end_user_type,
                    "requirement_name": f"{row.end_user_type}_info",
                    "url": request.absolute(NUMBERS_ORIGIN, f"{REGULATIONS_PATH}/{row.end_user_type}"),
                    "fields": end_user_fields,
                    "detailed_fields": [
                        {
                            "machine_name": name,
                            "friendly_name": name.replace("_", " ").title(),
                            "description": f"{name.replace('_', ' ').capitalize()} of the end user",
                        }
                        for name in end_user_fields
                    ],
                }
            ],
            "supporting_document": [
                [
                    {
                        "name": "Address",
                        "type": "document",
                        "requirement_name": "proof_of_address",
                        "description": (
                            f"The physical location of the {row.end_user_type} in {row.country_name}."
                        ),
                        "accepted_documents": [
                            {
                                "name": "Address Validation",
                                "type": "address",
                                "url": request.absolute(
                                    NUMBERS_ORIGIN,
                                    "/v2/RegulatoryCompliance/DocumentTypes/address",
                                ),
                                "fields": ["address_sids"],
                                "detailed_fields": [
                                    {
                                        "machine_name": "address_sids",
                                        "friendly_name": "Address sid(s)",
                                        "description": "Address sid of the end user",
                                    }
                                ],
                            }
                        ],
                    }
                ]
            ],
        },
        "url": request.absolute(NUMBERS_ORIGIN, f"{REGULATIONS_PATH}/{sid}"),
    }


def list_regulations(ctx: Context, request: Request) -> Reply:
    values = params.parse(request.query, params.LIST_REGULATIONS)

    def wanted(row: seed.RegulationRow) -> bool:
        if "EndUserType" in values and row.end_user_type != values["EndUserType"]:
            return False
        if "IsoCountry" in values and not _same_country(str(values["IsoCountry"]), row.iso_country):
            return False
        return "NumberType" not in values or _same_number_type(str(values["NumberType"]), row.number_type)

    records = [render_regulation(row, request) for row in seed.REGULATIONS if wanted(row)]
    return Reply(
        200,
        meta_page(records, request, values, params.LIST_REGULATIONS, "results", NUMBERS_ORIGIN),
    )


def render_bundle(record: dict[str, Any], request: Request) -> dict[str, Any]:
    url = request.absolute(NUMBERS_ORIGIN, f"{BUNDLES_PATH}/{record['sid']}")
    valid_until = record["valid_until"]
    return {
        "sid": record["sid"],
        "account_sid": record["account_sid"],
        "regulation_sid": record["regulation_sid"],
        "friendly_name": record["friendly_name"],
        "status": record["status"],
        "valid_until": iso8601(datetime.fromisoformat(valid_until)) if valid_until else None,
        "email": record["email"],
        "status_callback": record["status_callback"],
        "date_created": iso8601(datetime.fromisoformat(record["date_created"])),
        "date_updated": iso8601(datetime.fromisoformat(record["date_updated"])),
        "url": url,
        "links": {
            "evaluations": f"{url}/Evaluations",
            "item_assignments": f"{url}/ItemAssignments",
            "bundle_copies": f"{url}/Copies",
        },
    }


def list_bundles(ctx: Context, request: Request) -> Reply:
    values = params.parse(request.query, params.LIST_BUNDLES)
    wanted_sids = None
    if "BundleSids" in values:
        if not params.BUNDLE_SIDS_PATTERN.match(str(values["BundleSids"])):
            raise errors.invalid_parameter("BundleSids", "Expected up to 20 comma-separated Bundle SIDs.")
        wanted_sids = set(str(values["BundleSids"]).split(","))

    def wanted(record: dict[str, Any]) -> bool:
        regulation = regulation_by_sid(record["regulation_sid"])
        valid_until = parse_iso8601(record["valid_until"]) if record["valid_until"] else None
        checks = (
            record["account_sid"] == request.account.sid,
            wanted_sids is None or record["sid"] in wanted_sids,
            "Status" not in values or record["status"] == values["Status"],
            "FriendlyName" not in values or record["friendly_name"] == values["FriendlyName"],
            "RegulationSid" not in values or record["regulation_sid"] == values["RegulationSid"],
            "IsoCountry" not in values
            or (regulation is not None and _same_country(str(values["IsoCountry"]), regulation.iso_country)),
            "NumberType" not in values
            or (
                regulation is not None
                and _same_number_type(str(values["NumberType"]), regulation.number_type)
            ),
            "EndUserType" not in values
            or (regulation is not None and regulation.end_user_type == values["EndUserType"]),
            "HasValidUntilDate" not in values or (valid_until is not None) == values["HasValidUntilDate"],
            _valid_until_matches(valid_until, values),
        )
        return all(checks)

    sort_by = {"valid-until": "valid_until", "date-updated": "date_updated"}.get(
        str(values.get("SortBy", "")), "date_created"
    )
    descending = values.get("SortDirection", "DESC") == "DESC"
    selected = [record for record in ctx.state["bundles"] if wanted(record)]
    # Sort on (has a value, value, sid) so that null valid_until sorts stably.
    selected.sort(
        key=lambda record: (record[sort_by] is not None, record[sort_by] or "", record["sid"]),
        reverse=descending,
    )
    records = [render_bundle(record, request) for record in selected]
    return Reply(200, meta_page(records, request, values, params.LIST_BUNDLES, "results", NUMBERS_ORIGIN))


def _valid_until_matches(valid_until: datetime | None, values: dict[str, Any]) -> bool:
    bounds = {
        "ValidUntilDate": lambda moment, bound: moment == bound,
        "ValidUntilDate<": lambda moment, bound: moment <= bound,
        "ValidUntilDate>": lambda moment, bound: moment >= bound,
    }
    return all(
        valid_until is not None and compare(valid_until, parse_iso8601(values[name]))
        for name, compare in bounds.items()
        if name in values
    )
