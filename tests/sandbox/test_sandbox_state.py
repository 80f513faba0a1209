"""State persistence: purchases survive a restart when a state file is given."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sandbox_helpers import FIXED_NOW, account_path, buy, call

from tui.sandbox import Sandbox


def owned_numbers(sandbox: Sandbox) -> set[str]:
    body = call(sandbox, "GET", f"{account_path()}/IncomingPhoneNumbers.json").json()
    return {number["phone_number"] for number in body["incoming_phone_numbers"]}


def for_sale(sandbox: Sandbox, iso_country: str) -> set[str]:
    path = f"{account_path()}/AvailablePhoneNumbers/{iso_country}/Mobile.json"
    body = call(sandbox, "GET", path).json()
    return {number["phone_number"] for number in body["available_phone_numbers"]}


def test_purchases_survive_a_restart(tmp_path: Path) -> None:
    state_file = tmp_path / "sandbox.json"
    first = Sandbox(state_file, clock=lambda: FIXED_NOW)
    bought = buy(first, "+46701740612").json()
    released = buy(first, "+46701740670").json()["sid"]
    call(first, "DELETE", f"{account_path()}/IncomingPhoneNumbers/{released}.json")

    second = Sandbox(state_file)
    assert "+46701740612" in owned_numbers(second)
    assert "+46701740670" not in owned_numbers(second)
    assert {"+46701740612", "+46701740670"}.isdisjoint(for_sale(second, "SE"))
    again = buy(second, "+46701740612").json()
    assert again["sid"] == bought["sid"]
    assert again["date_created"] == bought["date_created"]


def test_state_file_is_written_atomically_as_json(tmp_path: Path) -> None:
    state_file = tmp_path / "nested" / "sandbox.json"
    sandbox = Sandbox(state_file)
    assert state_file.exists(), "a new state file holds the seed from the start"
    buy(sandbox, "+46701740612")
    saved = json.loads(state_file.read_text(encoding="utf-8"))
    assert any(n["phone_number"] == "+46701740612" for n in saved["incoming_phone_numbers"])
    assert [path.name for path in state_file.parent.iterdir()] == ["sandbox.json"]


def test_reads_do_not_rewrite_the_file(tmp_path: Path) -> None:
    state_file = tmp_path / "sandbox.json"
    sandbox = Sandbox(state_file)
    written = state_file.stat().st_mtime_ns
    call(sandbox, "GET", f"{account_path()}/IncomingPhoneNumbers.json")
    call(sandbox, "GET", "/v2/RegulatoryCompliance/Bundles")
    assert state_file.stat().st_mtime_ns == written


def test_failed_purchase_changes_nothing(tmp_path: Path) -> None:
    state_file = tmp_path / "sandbox.json"
    sandbox = Sandbox(state_file)
    before = state_file.read_text(encoding="utf-8")
    assert buy(sandbox, "+447929436483").status == 400  # no bundle
    assert state_file.read_text(encoding="utf-8") == before


def test_reset_restores_the_seed(tmp_path: Path) -> None:
    state_file = tmp_path / "sandbox.json"
    sandbox = Sandbox(state_file)
    seeded = owned_numbers(sandbox)
    buy(sandbox, "+46701740612")
    sandbox.faults.add("GET", "Balance", status=503)
    sandbox.reset()
    assert owned_numbers(sandbox) == seeded
    assert sandbox.faults.armed() == []
    assert owned_numbers(Sandbox(state_file)) == seeded


def test_without_a_state_file_each_sandbox_starts_from_the_seed() -> None:
    first = Sandbox()
    buy(first, "+46701740612")
    assert "+46701740612" not in owned_numbers(Sandbox())


def test_a_state_file_of_another_schema_is_refused(tmp_path: Path) -> None:
    state_file = tmp_path / "sandbox.json"
    state_file.write_text(json.dumps({"schema_version": 999}), encoding="utf-8")
    with pytest.raises(ValueError, match="schema"):
        Sandbox(state_file)
