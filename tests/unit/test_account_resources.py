"""The account's resources as the wizard reads and shows them: a new address's
rules and Twilio's answer in words, which addresses meet a number's requirement,
and the applications, trunks and Messaging Services listed by the client from the
in-process sandbox (its seeded ones) with the wording the pickers use."""

from __future__ import annotations

from tests.support.app_factory import fixed_clock
from tui.domain.addresses import NewAddress, build_address, corrections, describe_created
from tui.domain.resources import Address
from tui.sandbox.seed import (
    MAIN_ACCOUNT_APPLICATIONS,
    MAIN_ACCOUNT_MESSAGING_SERVICES,
    MAIN_ACCOUNT_TRUNKS,
)
from tui.services.account_session import AccountSession
from tui.services.session import sandbox_connection
from tui.wizard.compliance import address_fits, address_label
from tui.wizard.pickers import (
    application_items_for_sms,
    application_items_for_voice,
    service_items,
    trunk_items,
)

GB = {
    "customer_name": "Sandbox Ltd",
    "street": "221B Baker Street",
    "city": "London",
    "region": "Greater London",
    "postal_code": "NW1 6XE",
    "iso_country": "gb",
}


def address(**changes) -> Address:
    return Address.model_validate(
        {
            "sid": "AD" + "1" * 32,
            "customer_name": "Sandbox Ltd",
            "street": "221B Baker Street",
            "city": "London",
            "region": "Greater London",
            "postal_code": "NW1 6XE",
            "iso_country": "GB",
            "validated": True,
            "verified": False,
            "emergency_enabled": False,
            **changes,
        }
    )


def test_a_new_address_is_checked_field_by_field_before_sending():
    new, problems = build_address(GB)
    assert problems == [] and new is not None
    assert new.iso_country == "GB"  # the country code is tidied
    assert new.to_form() == {
        "CustomerName": "Sandbox Ltd",
        "Street": "221B Baker Street",
        "City": "London",
        "Region": "Greater London",
        "PostalCode": "NW1 6XE",
        "IsoCountry": "GB",
    }
    new, problems = build_address({**GB, "city": "  ", "iso_country": "XX"})
    assert new is None
    messages = {p.field: p.message for p in problems}
    assert messages["city"] == "City is required."
    assert "XX is not a country code" in messages["iso_country"]


def test_emergency_addresses_only_where_twilio_offers_emergency_calling():
    new, problems = build_address({**GB, "emergency_enabled": True})
    assert problems == [] and new is not None and new.to_form()["EmergencyEnabled"] == "true"
    _, problems = build_address({**GB, "iso_country": "DE", "emergency_enabled": True})
    assert [p.field for p in problems] == ["emergency_enabled"]
    assert "US, Canada and the UK only" in problems[0].message
    _, problems = build_address({**GB, "emergency_enabled": True, "friendly_name": "x" * 33})
    assert [p.field for p in problems] == ["friendly_name"] and "at most 32" in problems[0].message


def test_twilio_s_answer_in_words():
    sent = NewAddress.model_validate({**GB, "postal_code": "nw16xe"})
    kept = address(postal_code="NW1 6XE")
    assert corrections(sent, kept) == [("Postal code", "nw16xe", "NW1 6XE")]
    lines = describe_created(sent, kept)
    assert lines[0] == f"Created {kept.sid}: {kept.one_line()}."
    assert "✓ Validated" in lines[1]
    assert "Twilio corrected the postal code: 'nw16xe' → 'NW1 6XE'." in lines
    unvalidated = describe_created(NewAddress.model_validate(GB), address(validated=False))
    assert unvalidated[1].startswith("⚠ Not validated")


def test_which_addresses_meet_a_number_s_requirement():
    london = address()
    assert address_fits(london, "any", "AU") is True
    assert address_fits(london, "local", "GB") is True
    assert address_fits(london, "local", "AU") is False
    assert address_fits(london, "foreign", "AU") is True
    assert address_fits(london, "foreign", "GB") is False
    assert address_fits(london, "none", "GB") is None
    assert address_fits(london, None, "GB") is None
    assert address_label(london, "local", "AU").endswith(f"· ✗ not local · validated · {london.sid}")
    assert "· ✓ meets local · validated · emergency ·" in address_label(
        address(emergency_enabled=True), "local", "GB"
    )
    assert address_label(london) == f"{london.one_line()} · validated · {london.sid}"


async def test_the_client_lists_the_seeded_resources_and_the_pickers_describe_them():
    connection = sandbox_connection(clock=fixed_clock)
    async with connection.client() as client:
        session = AccountSession(client)
        applications = await session.applications()
        trunks = await session.trunks()
        services = await session.messaging_services()
    assert {a.friendly_name for a in applications} == {row.friendly_name for row in MAIN_ACCOUNT_APPLICATIONS}
    assert {t.domain_name for t in trunks} == {row.domain_name for row in MAIN_ACCOUNT_TRUNKS}
    assert {s.friendly_name for s in services} == {
        row.friendly_name for row in MAIN_ACCOUNT_MESSAGING_SERVICES
    }
    voice = {item.title: item.detail for item in application_items_for_voice(applications)}
    assert voice["Support hotline"] == "calls → https://example.com/hotline (GET)"
    assert voice["SMS auto-reply"] == "no voice URL: calls are not answered"
    sms = {item.title: item.detail for item in application_items_for_sms(applications)}
    assert sms["SMS auto-reply"] == "messages → https://example.com/auto-reply"
    assert {item.detail for item in trunk_items(trunks)} == {row.domain_name for row in MAIN_ACCOUNT_TRUNKS}
    described = {item.title: item.detail for item in service_items(services)}
    assert described["Customer support"] == "messages → the number's own SMS URL (the service defers to it)"
    assert described["Outbound alerts"] == "no inbound URL: incoming messages are not received"
    item = service_items(services)[0]
    assert item.label() == f"{item.title} · {item.detail} · {item.sid}"
    assert item.matches("SANDBOX") and item.matches(item.sid[-6:]) and not item.matches("nothing like it")
    # Kept for the session: known without asking again.
    assert session.known_messaging_service(services[0].sid) == services[0]
