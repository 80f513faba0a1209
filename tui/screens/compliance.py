"""Step 6, Compliance: address, identity, bundle and emergency settings, with the
number's requirements shown and checked before anything is sent."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Label, Select, Static

from tui.domain import rules
from tui.domain.errors import WizardError
from tui.domain.fields import field as field_spec
from tui.domain.resources import Address
from tui.screens.base import StepScreen
from tui.widgets.controls import Button
from tui.widgets.form_field import FormField
from tui.widgets.text import LiveText
from tui.wizard.compliance import (
    ADDRESS_REQUIREMENT_TEXT,
    address_fits,
    address_label,
    blocking_warnings,
    bundle_label,
    compliance_issues,
    unusable_bundle_note,
)
from tui.wizard.draft import COMPLIANCE_FIELDS

# The fields that also get a picker of the account's resources: field name ->
# (picker id, prompt). The step's fields and their order come from the catalogue.
PICKERS = {
    "address_sid": ("pick-address", "Choose one of your addresses"),
    "bundle_sid": ("pick-bundle", "Choose one of your approved bundles"),
    "emergency_address_sid": ("pick-emergency-address", "Choose an emergency-enabled address"),
}
FIELD_OF_PICKER = {picker_id: name for name, (picker_id, _) in PICKERS.items()}


# What an identity is, when a country asks for one and where to find it: the
# catalogue's words. Twilio's API offers no way to list identities, so there is no
# picker (https://www.twilio.com/docs/errors/21650).
IDENTITY_NOTE = (
    field_spec("identity_sid").about
    + " Twilio cannot list them here: copy the SID from the Console, or leave this empty."
)


class ComplianceStep(StepScreen):
    STEP_ID = "compliance"
    INTRO = (
        "Some numbers need an address, an identity or a regulatory bundle. "
        "What this number needs is shown below."
    )

    def __init__(self) -> None:
        super().__init__()
        self._acknowledged: tuple[str, ...] = ()

    def compose_body(self) -> ComposeResult:
        yield LiveText("Looking up what this number needs…", id="requirements", markup=False)
        for name in COMPLIANCE_FIELDS:
            if name not in PICKERS:
                yield self.form_field(name)
                if name == "identity_sid":
                    yield Static(IDENTITY_NOTE, id="identity-note", classes="note", markup=False)
                continue
            # The picker sits under the field's label, above the SID input it fills.
            picker_id, prompt = PICKERS[name]
            with Vertical(classes="picker-group", id=f"group-{name}"):
                yield Label(field_spec(name).label, classes="field-label")
                yield Select([], prompt=prompt, id=picker_id, compact=True)
                if name == "bundle_sid":
                    yield LiveText("", id="bundle-note", classes="dim", markup=False)
                if name == "address_sid":
                    with Horizontal(classes="picker-actions"):
                        yield Button("Add an address…", id="add-address", compact=True)
                        yield LiveText("", id="address-added", classes="dim", markup=False)
                yield self.form_field(name, label="or SID", classes="-inline")
        yield LiveText("", id="step-warnings", classes="warnings", markup=False)

    def step_shown(self) -> None:
        self.load_facts()

    # -- loading what Twilio says about the number ------------------------------

    def _country(self) -> tuple[str | None, str | None]:
        raw = self.draft.get("phone_number")
        try:
            e164 = rules.phone_number(str(raw or ""))
        except rules.RuleError:
            return None, None
        return e164, rules.phone_number_facts(e164).region

    @work(exclusive=True, group="compliance", exit_on_error=False)
    async def load_facts(self) -> None:
        e164, country = self._country()
        if not e164 or not country:
            self.query_one("#requirements", Static).update("Choose a number first (step 2).")
            return
        self.query_one("#requirements", Static).update("Looking up what this number needs…")
        try:
            await self.context.load_facts(self.session, e164, self.draft.picked)
        except WizardError as error:
            self.query_one("#requirements", Static).update("Could not load the requirements.")
            self.show_step_error(error, title="Twilio's compliance information could not be loaded.")
            return
        self._fill_pickers()
        self.after_change()

    def _fill_pickers(self) -> None:
        facts = self.context.facts
        assert facts is not None
        requirement, country = facts.address_requirement, facts.iso_country
        # The addresses that meet the number's requirement first.
        addresses = sorted(
            facts.addresses or [], key=lambda a: address_fits(a, requirement, country) is False
        )
        self._set_options(
            "#pick-address", [(address_label(a, requirement, country), a.sid) for a in addresses]
        )
        self._set_options(
            "#pick-emergency-address", [(address_label(a), a.sid) for a in addresses if a.emergency_enabled]
        )
        # Only an approved bundle can be used: the others are listed with their
        # status and why, not offered.
        bundles = list(facts.bundles or [])
        usable = [b for b in bundles if b.approved]
        self.query_one("#pick-bundle", Select).set_options([(Text(bundle_label(b)), b.sid) for b in usable])
        unusable = [b for b in bundles if not b.approved]
        note = self.query_one("#bundle-note", Static)
        note.update("\n".join(unusable_bundle_note(b) for b in unusable))
        note.display = bool(unusable)

    def _set_options(self, selector: str, options: list[tuple[str, str]]) -> None:
        """New options, keeping the one chosen (set_options clears the choice)."""
        select = self.query_one(selector, Select)
        chosen = select.value
        # Labels as Text: a string is read as markup, and an address such as
        # "Flat [/] 2" would stop the step with a MarkupError.
        select.set_options([(Text(label), sid) for label, sid in options])
        if chosen is not Select.NULL and any(sid == chosen for _, sid in options):
            with select.prevent(Select.Changed):
                select.value = chosen

    # -- a new address ----------------------------------------------------------

    @on(Button.Pressed, "#add-address")
    def add_address_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        from tui.screens.address_dialog import AddressDialog

        facts = self.context.facts
        requirement = facts.address_requirement if facts else None
        country = facts.iso_country if facts and requirement in ("any", "local") else None
        described = ADDRESS_REQUIREMENT_TEXT.get(requirement or "", "")
        self.app.push_screen(
            AddressDialog(self.session.create_address, country=country, requirement=described),
            self.address_created,
        )

    def address_created(self, address: Address | None) -> None:
        """The dialog created an address: it joins the list and is chosen."""
        if address is None:
            return
        facts = self.context.facts
        if facts is not None:
            known = [a for a in facts.addresses or [] if a.sid != address.sid]
            self.context.facts = replace(facts, addresses=[*known, address])
            self._fill_pickers()
        self.query_one("#pick-address", Select).value = address.sid
        self.draft.set("address_sid", address.sid)
        self.query_one("#field-address_sid", FormField).set_value(address.sid)
        self.query_one("#address-added", Static).update(f"✓ Added and chosen: {address.one_line()}")
        self.show_step_error(None)
        self.wizard.draft_changed()
        self.after_change()

    @on(Select.Changed, "#pick-address, #pick-bundle, #pick-emergency-address")
    def picked(self, event: Select.Changed) -> None:
        event.stop()
        if event.value is Select.NULL:
            return
        name = FIELD_OF_PICKER[str(event.select.id)]
        self.draft.set(name, event.value)
        self.query_one(f"#field-{name}", FormField).set_value(event.value)
        self.show_step_error(None)  # an error about the earlier choice no longer applies
        self.wizard.draft_changed()
        self.after_change()

    def worker_failed(self, group: str) -> None:
        super().worker_failed(group)
        if group == "compliance":
            self.query_one("#requirements", Static).update("Could not load the requirements.")

    # -- findings -------------------------------------------------------------

    def findings(self) -> list[Any]:
        facts = self.context.facts
        if facts is None:
            return []
        return compliance_issues(self.draft.request_values(), facts)

    def after_change(self) -> None:
        facts = self.context.facts
        if facts is not None:
            self.query_one("#requirements", Static).update("\n".join(facts.describe_requirements()))
        warnings = [i.message for i in self.findings()]
        warnings += [
            i.message
            for i in self.draft.issues()
            if i.level == "warning" and i.fields[0] in COMPLIANCE_FIELDS
        ]
        self.query_one("#step-warnings", Static).update("\n".join(f"⚠ {w}" for w in warnings))

    def extra_problems(self) -> list[tuple[FormField | None, str]]:
        # Not an error (the person may know better), but worth one pause: the first
        # Next shows it, the second goes on to the review.
        refusals = blocking_warnings(self.findings())
        # Per number: a pause acknowledged for one number says nothing about the next.
        key = (str(self.draft.get("phone_number")), *(i.message for i in refusals))
        if refusals and key != self._acknowledged:
            self._acknowledged = key
            return [
                (
                    None,
                    "⚠ Twilio will refuse this purchase as it stands (see above). "
                    "Press Next again to review anyway.",
                )
            ]
        return []
