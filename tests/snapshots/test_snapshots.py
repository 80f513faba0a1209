"""One snapshot per screen and per key error state (pytest-textual-snapshot).

The scenes (app + the keys and clicks that reach the state) live in scenes.py,
shared with scripts/screenshots.py. Update after a deliberate change with

    .venv/bin/python -m pytest tests/snapshots --snapshot-update

and look at the SVGs in __snapshots__/ before committing them (in their own commit).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.snapshots.scenes import SCENES

SIZE = (100, 32)
SMALL = (80, 24)


def shoot(snap_compare, tmp_path: Path, name: str, *, size=SIZE, theme: str = "textual-dark") -> bool:
    scene = SCENES[name]
    return snap_compare(scene.build(tmp_path, theme=theme), run_before=scene.drive, terminal_size=size)


# -- one per screen ------------------------------------------------------------------


def test_account(snap_compare, tmp_path: Path) -> None:
    assert shoot(snap_compare, tmp_path, "account")


def test_number_search_results(snap_compare, tmp_path: Path) -> None:
    assert shoot(snap_compare, tmp_path, "number_search_results")


def test_number_typed_with_description(snap_compare, tmp_path: Path) -> None:
    assert shoot(snap_compare, tmp_path, "number_typed")


def test_voice(snap_compare, tmp_path: Path) -> None:
    assert shoot(snap_compare, tmp_path, "voice")


def test_messaging(snap_compare, tmp_path: Path) -> None:
    assert shoot(snap_compare, tmp_path, "messaging")


def test_details(snap_compare, tmp_path: Path) -> None:
    assert shoot(snap_compare, tmp_path, "details")


def test_compliance_with_requirements(snap_compare, tmp_path: Path) -> None:
    assert shoot(snap_compare, tmp_path, "compliance")


def test_review(snap_compare, tmp_path: Path) -> None:
    assert shoot(snap_compare, tmp_path, "review")


def test_confirm_purchase_modal(snap_compare, tmp_path: Path) -> None:
    assert shoot(snap_compare, tmp_path, "confirm_purchase")


def test_summary_after_purchase(snap_compare, tmp_path: Path) -> None:
    assert shoot(snap_compare, tmp_path, "summary")


def test_quit_confirmation(snap_compare, tmp_path: Path) -> None:
    assert shoot(snap_compare, tmp_path, "quit_confirm")


def test_resume_draft_dialog(snap_compare, tmp_path: Path) -> None:
    assert shoot(snap_compare, tmp_path, "resume_draft")


# -- key error states ----------------------------------------------------------------


def test_field_error_after_next(snap_compare, tmp_path: Path) -> None:
    assert shoot(snap_compare, tmp_path, "voice_field_error")


def test_number_21422_not_available(snap_compare, tmp_path: Path) -> None:
    assert shoot(snap_compare, tmp_path, "number_21422")


def test_compliance_21631_address_required(snap_compare, tmp_path: Path) -> None:
    assert shoot(snap_compare, tmp_path, "compliance_21631")


def test_account_20003_wrong_credentials(snap_compare, tmp_path: Path) -> None:
    assert shoot(snap_compare, tmp_path, "account_20003")


def test_number_search_empty(snap_compare, tmp_path: Path) -> None:
    assert shoot(snap_compare, tmp_path, "number_search_empty")


def test_summary_unknown_outcome(snap_compare, tmp_path: Path) -> None:
    assert shoot(snap_compare, tmp_path, "summary_unknown")


# -- 80×24 and the light theme -------------------------------------------------------


# Every step and dialog at 80×24: hints and messages wrap, nothing that matters is cut.
SMALL_SCENES = [
    "account",
    "number_search_results",
    "number_pick_hint",
    "voice_field_error",
    "messaging",
    "details",
    "compliance_pause",
    "compliance_21631",
    "review",
    "confirm_purchase",
    "summary",
    "summary_unknown",
    "quit_confirm",
    "resume_draft",
    "field_help",
]


@pytest.mark.parametrize("name", SMALL_SCENES)
def test_small_terminal(snap_compare, tmp_path: Path, name: str) -> None:
    assert shoot(snap_compare, tmp_path, name, size=SMALL)


@pytest.mark.parametrize("name", ["number_search_results", "voice_field_error"])
def test_light_theme(snap_compare, tmp_path: Path, name: str) -> None:
    assert shoot(snap_compare, tmp_path, name, theme="textual-light")


def test_field_help(snap_compare, tmp_path: Path) -> None:
    assert shoot(snap_compare, tmp_path, "field_help")


def test_compliance_pause(snap_compare, tmp_path: Path) -> None:
    assert shoot(snap_compare, tmp_path, "compliance_pause")


# -- the account's resources: pickers, a new address, a Messaging Service ------------


PICKER_SCENES = [
    "voice_application_picker",
    "voice_trunk_picker",
    "messaging_service_picker",
    "picker_empty",
    "picker_error",
    "address_dialog",
    "address_created",
    "review_messaging_service",
    "summary_follow_up_failed",
]


@pytest.mark.parametrize("name", PICKER_SCENES)
def test_pickers_and_follow_ups(snap_compare, tmp_path: Path, name: str) -> None:
    assert shoot(snap_compare, tmp_path, name)


@pytest.mark.parametrize(
    "name",
    ["voice_application_picker", "address_dialog", "messaging_service_picker", "summary_follow_up_failed"],
)
def test_pickers_at_80x24(snap_compare, tmp_path: Path, name: str) -> None:
    assert shoot(snap_compare, tmp_path, name, size=SMALL)
