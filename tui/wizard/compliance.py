"""Compliance pre-checks: what Twilio would refuse, said before anything is sent.

Twilio refuses a purchase when the number needs an address and none is given
(21631), when the address is not where the requirement says (21615), and when
the country regulates the number type and no approved bundle is given (21649).
These checks use what Twilio itself reports: the number's `address_requirements`
from the search and the Regulations API for the country (Twilio asks clients not
to hard-code which countries are regulated).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from tui.domain.purchase import Issue
from tui.domain.resources import Address, AvailablePhoneNumber, Bundle, Regulation

ADDRESS_REQUIREMENT_TEXT = {
    "none": "needs no address",
    "any": "needs an address (anywhere)",
    "local": "needs a local address (in the number's country)",
    "foreign": "needs an address outside the number's country",
}


@dataclass(frozen=True)
class ComplianceFacts:
    """What is known about the chosen number's requirements; None = not known."""

    iso_country: str | None
    number: AvailablePhoneNumber | None  # the number as the search found it
    regulations: Sequence[Regulation] | None
    addresses: Sequence[Address] | None
    bundles: Sequence[Bundle] | None

    @property
    def address_requirement(self) -> str | None:
        return self.number.address_requirements if self.number else None

    @property
    def needs_bundle(self) -> bool | None:
        return None if self.regulations is None else bool(self.regulations)

    def describe_requirements(self) -> list[str]:
        lines = []
        country = self.iso_country or "this country"
        requirement = self.address_requirement
        if requirement is None:
            lines.append("Address: unknown (the number was not found among the available ones).")
        else:
            lines.append(f"Address: this number {ADDRESS_REQUIREMENT_TEXT.get(requirement, requirement)}.")
        if self.needs_bundle is None:
            lines.append(f"Bundle: unknown whether {country} regulates mobile numbers.")
        elif self.needs_bundle:
            names = ", ".join(r.friendly_name or r.sid for r in self.regulations or [])
            lines.append(
                f"Bundle: {country} requires an approved regulatory bundle for mobile numbers ({names})."
            )
        else:
            lines.append(f"Bundle: {country} does not require one for mobile numbers.")
        return lines


def address_fits(address: Address, requirement: str | None, iso_country: str | None) -> bool | None:
    """Whether an address meets a number's address requirement (`any`: every
    address; `local`: in the number's country; `foreign`: outside it); None when
    the number needs none or the requirement is not known."""
    if requirement not in ("any", "local", "foreign"):
        return None
    if requirement == "any":
        return True
    if not iso_country:
        return None
    inside = address.iso_country == iso_country
    return inside if requirement == "local" else not inside


def compliance_issues(values: dict[str, str], facts: ComplianceFacts) -> list[Issue]:
    """Warnings about the compliance fields, by what Twilio would answer."""
    issues: list[Issue] = []
    address_sid = values.get("address_sid")
    bundle_sid = values.get("bundle_sid")
    requirement = facts.address_requirement
    addresses = {a.sid: a for a in facts.addresses or []}

    if requirement and requirement != "none":
        if not address_sid:
            issues.append(
                Issue(
                    "warning",
                    ("address_sid",),
                    f"This number {ADDRESS_REQUIREMENT_TEXT[requirement]} and none is "
                    "given: Twilio will refuse the purchase (error 21631).",
                    refusal=True,
                )
            )
        elif facts.addresses is not None and address_sid not in addresses:
            issues.append(
                Issue(
                    "warning",
                    ("address_sid",),
                    f"{address_sid} is not one of this account's addresses: Twilio "
                    "will not find it (error 21631).",
                )
            )
        elif address_sid in addresses:
            address = addresses[address_sid]
            if requirement == "local" and facts.iso_country and address.iso_country != facts.iso_country:
                issues.append(
                    Issue(
                        "warning",
                        ("address_sid",),
                        f"This number needs an address in {facts.iso_country}; this one is in "
                        f"{address.iso_country} (error 21615).",
                    )
                )
            if requirement == "foreign" and facts.iso_country and address.iso_country == facts.iso_country:
                issues.append(
                    Issue(
                        "warning",
                        ("address_sid",),
                        f"This number needs an address outside {facts.iso_country}; this "
                        "one is inside it (error 21631).",
                    )
                )
            if address.validated is False:
                issues.append(
                    Issue(
                        "warning",
                        ("address_sid",),
                        "This address is not validated yet; Twilio may refuse it.",
                    )
                )

    if facts.needs_bundle:
        bundles = {b.sid: b for b in facts.bundles or []}
        if not bundle_sid:
            issues.append(
                Issue(
                    "warning",
                    ("bundle_sid",),
                    f"{facts.iso_country} requires an approved regulatory bundle for mobile "
                    "numbers and none is given: Twilio will refuse the purchase (error 21649).",
                    refusal=True,
                )
            )
        elif bundle_sid in bundles and not bundles[bundle_sid].approved:
            issues.append(
                Issue(
                    "warning",
                    ("bundle_sid",),
                    f"This bundle's status is {bundles[bundle_sid].status}: only a "
                    "twilio-approved bundle is accepted (error 21649).",
                )
            )
        elif facts.bundles is not None and bundle_sid not in bundles:
            issues.append(
                Issue(
                    "warning",
                    ("bundle_sid",),
                    f"{bundle_sid} is not an approved mobile bundle of this account for "
                    f"{facts.iso_country} (error 21649 likely).",
                )
            )
    return issues


def blocking_warnings(issues: Sequence[Issue]) -> list[Issue]:
    """The warnings that mean Twilio will refuse: worth a pause before the review."""
    return [i for i in issues if i.refusal]


# -- the account's addresses and bundles, as the pickers list them -----------------


def address_label(address: Address, requirement: str | None = None, iso_country: str | None = None) -> str:
    """One address as a picker lists it, marked with whether it meets the number's
    requirement (any / local / foreign) and whether it is emergency-enabled."""
    fits = address_fits(address, requirement, iso_country)
    marks = []
    if fits is True:
        marks.append(f"✓ meets {requirement}")
    elif fits is False:
        marks.append(f"✗ not {requirement}")
    marks.append("validated" if address.validated else "not validated")
    if address.emergency_enabled:
        marks.append("emergency")
    return f"{address.one_line()} · {' · '.join(marks)} · {address.sid}"


# Why a bundle that is not twilio-approved cannot be used (statuses:
# https://www.twilio.com/docs/phone-numbers/regulatory/api/bundles#bundle-status-values).
BUNDLE_STATUS_WHY = {
    "draft": "still a draft: submit it for review in the Console",
    "pending-review": "waiting for Twilio's review (it can take a few days)",
    "in-review": "being reviewed by Twilio",
    "twilio-rejected": "rejected by Twilio: fix it in the Console, or use another",
    "provisionally-approved": "only provisionally approved",
}


def bundle_label(bundle: Bundle) -> str:
    return f"{bundle.friendly_name or bundle.sid} · {bundle.status} · {bundle.sid}"


def unusable_bundle_note(bundle: Bundle) -> str:
    """Why a bundle the account has is not offered (only approved ones are)."""
    return f"Not usable: {bundle_label(bundle)}: " + BUNDLE_STATUS_WHY.get(
        bundle.status or "", "not approved by Twilio"
    )
