"""pricing.twilio.com/v1/PhoneNumbers/Countries: monthly number prices per country.

Prices go out as strings ("1.15") although the spec declares numbers, as the spec's own
example and the live API do (docs/twilio-api.md#prices).
"""

from __future__ import annotations

from typing import Any

from tui.sandbox import errors, params, seed
from tui.sandbox.context import PRICING_ORIGIN, Context, Reply, Request
from tui.sandbox.paging import meta_page

COUNTRIES_PATH = "/v1/PhoneNumbers/Countries"


def _country_names() -> dict[str, str]:
    return {row.iso_country: row.name for row in seed.COUNTRIES}


def list_countries(ctx: Context, request: Request) -> Reply:
    values = params.parse(request.query, params.LIST_PRICING_COUNTRIES)
    names = _country_names()
    records = [
        {
            "country": names[iso_country],
            "iso_country": iso_country,
            "url": request.absolute(PRICING_ORIGIN, f"{COUNTRIES_PATH}/{iso_country}"),
        }
        for iso_country in sorted(seed.PHONE_NUMBER_PRICES)
    ]
    return Reply(
        200,
        meta_page(records, request, values, params.LIST_PRICING_COUNTRIES, "countries", PRICING_ORIGIN),
    )


def fetch_country(ctx: Context, request: Request) -> Reply:
    iso_country = request.path_params["IsoCountry"]
    prices = seed.PHONE_NUMBER_PRICES.get(iso_country)
    if prices is None:
        raise errors.not_found(request.path)
    body: dict[str, Any] = {
        "country": _country_names()[iso_country],
        "iso_country": iso_country,
        "phone_number_prices": [
            {
                "number_type": row.number_type,
                "base_price": row.base_price,
                "current_price": row.current_price,
            }
            for row in prices
        ],
        "price_unit": seed.PRICE_UNIT,
        "url": request.absolute(PRICING_ORIGIN, f"{COUNTRIES_PATH}/{iso_country}"),
    }
    return Reply(200, body)
