"""What the wizard says at its decisive moments (leaving, resuming a draft,
confirming a purchase), in one place for every front end: the full-screen
dialogs and the plain mode say the same thing."""

from __future__ import annotations

from collections.abc import Sequence

from tui.wizard.draft import WizardDraft


def quit_lines(
    *, bought: Sequence[str] = (), unknown: Sequence[str] = (), draft_kept: bool = True
) -> list[str]:
    """Leaving with input that would be lost, or with a purchase whose outcome is
    not known: says exactly which, never "nothing has been bought" after a purchase."""
    lines = []
    if unknown:
        lines.append(
            f"The outcome of the purchase of {', '.join(unknown)} is not known yet: the "
            "number may have been bought. Its receipt records the request; number-wizard "
            "looks it up the next time you start it with this account."
        )
    if bought:
        lines.append(f"Bought in this session: {', '.join(bought)}.")
    elif not unknown:
        lines.append("Nothing has been bought.")
    if draft_kept:
        lines.append("What you typed is kept as a draft and offered the next time you start.")
    return lines


def draft_found(draft: WizardDraft) -> str:
    """The saved draft an earlier session left, in one sentence."""
    number = draft.get("phone_number") or "no number chosen yet"
    filled = len(draft.values)
    return (
        f"A draft from an earlier session was found: {number}, "
        f"{filled} field{'s' if filled != 1 else ''} filled in."
    )


DRAFT_DELETE_WARNING = "Starting over deletes it; it cannot be brought back."


def charge_note(*, sandbox: bool) -> str:
    """What confirming a purchase costs."""
    if sandbox:
        return "In the sandbox nothing is charged."
    return "Twilio bills the first month today; numbers are billed monthly, without proration."
