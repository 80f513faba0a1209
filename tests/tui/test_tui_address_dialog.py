"""The Compliance step's "Add an address" (in-process sandbox): fields checked as
typed, Twilio's answer shown (validated or not, what it corrected), a refusal
explained in the dialog with the fields kept, and the new address chosen; the
address picker marks which addresses meet the number's requirement; the identity
field says what an identity is."""

from __future__ import annotations

from textual.widgets import Button, Input, Select, Static

from tests.support.app_factory import sandbox_of
from tests.support.pilot import control, go, settle, text_of, type_number
from tui.domain.resources import Address
from tui.screens.address_dialog import AddressDialog
from tui.widgets.chrome import ErrorPanel
from tui.widgets.form_field import FormField

AU_NUMBER = "+61491570006"  # needs a local (Australian) address and a bundle
GB_NUMBER = "+447437283605"  # needs an address (any) and a bundle


async def open_dialog(pilot, number: str) -> AddressDialog:
    app = pilot.app
    await go(pilot, "number")
    await type_number(pilot, number)
    await go(pilot, "compliance")
    app.screen.query_one("#add-address", Button).press()
    await settle(pilot)
    assert isinstance(app.screen, AddressDialog)
    escape = app.screen.active_bindings["escape"].binding
    assert (escape.action, escape.description) == ("cancel", "Cancel")
    return app.screen


def fill(dialog: AddressDialog, **values: object) -> None:
    for name, value in values.items():
        dialog.query_one(f"#address-{name}", FormField).set_value(value)


async def create(pilot, dialog: AddressDialog) -> None:
    dialog.query_one("#address-create", Button).press()
    await settle(pilot)


def created_addresses(app) -> list[dict]:
    return [
        r for r in sandbox_of(app).requests if r["method"] == "POST" and r["path"].endswith("/Addresses.json")
    ]


ADDRESS = {
    "customer_name": "Sandbox Pty Ltd",
    "street": "1 Martin Place",
    "city": "Sydney",
    "region": "NSW",
    "postal_code": "2000",
}


async def test_a_valid_address_is_created_shown_and_chosen(make_app):
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        dialog = await open_dialog(pilot, AU_NUMBER)
        # The number's country and requirement are known: the country is filled in.
        assert dialog.query_one("#address-iso_country", FormField).value == "AU"
        assert "needs a local address" in str(dialog.query_one(".modal-body", Static).content)
        # Checked as typed: the first key of a bad country code is flagged at the field.
        country = dialog.query_one("#control-iso_country", Input)
        country.focus()
        country.value = ""
        await pilot.press("z", "z", "tab")  # checked once typing pauses, or on leaving the field
        await pilot.pause()
        assert "ZZ is not a country code" in dialog.query_one("#address-iso_country", FormField).error
        # Create with a required part missing: nothing is sent.
        fill(dialog, **{**ADDRESS, "city": ""})
        await create(pilot, dialog)
        assert dialog.query_one("#address-city", FormField).error == "City is required."
        assert created_addresses(app) == []
        fill(dialog, **ADDRESS, iso_country="AU")
        await create(pilot, dialog)
        result = str(dialog.query_one("#address-result", Static).content)
        assert dialog.created is not None and dialog.created.sid.startswith("AD")
        assert result.startswith(f"Created {dialog.created.sid}")
        assert "✓ Validated" in result and "Not verified yet" in result
        assert "corrected" not in result
        assert [r["form"]["PostalCode"] for r in created_addresses(app)] == ["2000"]
        sid = dialog.created.sid
        dialog.query_one("#address-use", Button).press()
        await settle(pilot)
        # Back on the step, the new address is in the list, chosen, and meets the requirement.
        assert app.screen.STEP_ID == "compliance"
        picker = app.screen.query_one("#pick-address", Select)
        assert picker.value == sid
        assert control(app, "address_sid").value == sid
        assert app.draft.get("address_sid") == sid
        assert text_of(app, "#address-added").startswith("✓ Added and chosen: ")
        labels = [str(prompt) for prompt, value in picker._options if value == sid]
        assert labels and "✓ meets local" in labels[0] and "validated" in labels[0]
        assert "21631" not in text_of(app, "#step-warnings")


async def test_what_twilio_corrects_is_shown(make_app):
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        dialog = await open_dialog(pilot, GB_NUMBER)
        fill(
            dialog,
            customer_name="Sandbox Ltd",
            street="221B Baker Street",
            city="London",
            region="Greater London",
            postal_code="nw16xe",
        )
        await create(pilot, dialog)
        assert dialog.created is not None and dialog.created.postal_code == "NW1 6XE"
        result = str(dialog.query_one("#address-result", Static).content)
        assert "Twilio corrected the postal code: 'nw16xe' → 'NW1 6XE'." in result


async def test_twilio_refusing_the_address_is_explained_and_the_fields_stay(make_app):
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        dialog = await open_dialog(pilot, AU_NUMBER)
        fill(dialog, **{**ADDRESS, "postal_code": "SW1A"}, iso_country="AU")  # not an Australian code
        await create(pilot, dialog)
        panel = dialog.query_one("#address-error", ErrorPanel)
        assert panel.display
        text = str(panel.content)
        assert text.startswith("Twilio did not create the address.")
        assert "21628" in text and "could not be validated" in text
        assert dialog.created is None
        # The fields are as typed, to be fixed; Create is pressable again.
        assert dialog.query_one("#address-postal_code", FormField).value == "SW1A"
        assert not dialog.query_one("#address-create", Button).disabled
        postal_code = dialog.query_one("#control-postal_code", Input)
        postal_code.focus()
        postal_code.value = ""
        await pilot.press(*"2000")
        await pilot.pause()
        assert not panel.display  # an edit clears the old refusal
        await create(pilot, dialog)
        assert dialog.created is not None
        assert len(created_addresses(app)) == 2


async def test_an_address_twilio_does_not_validate_is_created_with_a_warning(make_app):
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        dialog = await open_dialog(pilot, GB_NUMBER)
        assert dialog.query_one("#address-iso_country", FormField).value == "GB"
        fill(
            dialog,
            customer_name="Sandbox SARL",
            street="10 Rue de Rivoli",
            city="Paris",
            region="Île-de-France",
            postal_code="75001",
            iso_country="FR",  # a country whose addresses Twilio does not validate here
        )
        await create(pilot, dialog)
        created = dialog.created
        assert isinstance(created, Address) and created.validated is False
        result = dialog.query_one("#address-result", Static)
        assert "⚠ Not validated" in str(result.content)
        assert result.has_class("-not-validated")
        # Escape after creating hands the address back too (it is on the account),
        # and the footer says so instead of "Cancel".
        escape = app.screen.active_bindings["escape"].binding
        assert (escape.action, escape.description) == ("use_created", "Use this address")
        await pilot.press("escape")
        await settle(pilot)
        picker = app.screen.query_one("#pick-address", Select)
        assert picker.value == created.sid
        labels = [str(prompt) for prompt, value in picker._options if value == created.sid]
        assert "✓ meets any" in labels[0] and "not validated" in labels[0]


async def test_emergency_calling_is_refused_at_the_field_outside_its_countries(make_app):
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        dialog = await open_dialog(pilot, GB_NUMBER)
        fill(dialog, **ADDRESS, iso_country="AU", emergency_enabled=True)
        await create(pilot, dialog)
        error = dialog.query_one("#address-emergency_enabled", FormField).error
        assert "Emergency calling is offered in the US, Canada and the UK only" in error
        assert created_addresses(app) == []


async def test_the_address_picker_marks_requirement_and_emergency_and_identity_is_explained(make_app):
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await go(pilot, "number")
        await type_number(pilot, AU_NUMBER)
        await go(pilot, "compliance")
        labels = [str(prompt) for prompt, _ in app.screen.query_one("#pick-address", Select)._options]
        labels = [label for label in labels if " · AD" in label]
        meets = [label for label in labels if "✓ meets local" in label]
        assert meets and all("Sydney" in label or ", AU" in label or "AU" in label for label in meets)
        assert any("✗ not local" in label for label in labels)
        # Those that meet the requirement come first.
        assert labels.index(meets[-1]) < min(i for i, label in enumerate(labels) if "✗ not local" in label)
        assert any("emergency" in label for label in labels)
        note = str(app.screen.query_one("#identity-note").content)
        assert "An identity (RI…)" in note and "21650" in note and "Console" in note
