"""State persistence: purchases survive a restart, and a --state file is never lost.

A missing file starts afresh; a corrupt or foreign file is refused, untouched; a place
that cannot be written is refused at start with the real reason; a save that fails
fails its request (500) and nothing is kept or served that was not saved; a save killed
half-way leaves the previous file and no temporary files behind.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from sandbox_helpers import FIXED_NOW, account_path, assert_error, buy, call
from state_helpers import lockable_folder

from tui.sandbox import Sandbox, StateFileError
from tui.sandbox.state import SCHEMA_VERSION, STATE_FORMAT, initial_state, load_state, save_state


def owned_numbers(sandbox: Sandbox) -> set[str]:
    body = call(sandbox, "GET", f"{account_path()}/IncomingPhoneNumbers.json").json()
    return {number["phone_number"] for number in body["incoming_phone_numbers"]}


def for_sale(sandbox: Sandbox, iso_country: str) -> set[str]:
    path = f"{account_path()}/AvailablePhoneNumbers/{iso_country}/Mobile.json"
    body = call(sandbox, "GET", path).json()
    return {number["phone_number"] for number in body["available_phone_numbers"]}


def files_in(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir())


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


def test_a_missing_file_starts_from_the_seed_and_names_its_format(tmp_path: Path) -> None:
    state_file = tmp_path / "nested" / "sandbox.json"
    sandbox = Sandbox(state_file)
    assert state_file.exists(), "a new state file holds the seed from the start"
    saved = json.loads(state_file.read_text(encoding="utf-8"))
    assert (saved["format"], saved["schema_version"]) == (STATE_FORMAT, SCHEMA_VERSION)
    buy(sandbox, "+46701740612")
    saved = json.loads(state_file.read_text(encoding="utf-8"))
    assert any(n["phone_number"] == "+46701740612" for n in saved["incoming_phone_numbers"])
    assert files_in(state_file.parent) == ["sandbox.json"]


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
    assert sandbox.requests == []
    assert sandbox.faults.armed() == []
    assert owned_numbers(sandbox) == seeded
    assert owned_numbers(Sandbox(state_file)) == seeded


def test_without_a_state_file_each_sandbox_starts_from_the_seed() -> None:
    first = Sandbox()
    buy(first, "+46701740612")
    assert "+46701740612" not in owned_numbers(Sandbox())


def test_a_file_written_before_the_format_marker_is_read_and_upgraded(tmp_path: Path) -> None:
    state_file = tmp_path / "sandbox.json"
    old = initial_state()
    del old["format"]
    old["schema_version"] = 1
    state_file.write_text(json.dumps(old), encoding="utf-8")
    sandbox = Sandbox(state_file)
    buy(sandbox, "+46701740612")
    saved = json.loads(state_file.read_text(encoding="utf-8"))
    assert (saved["format"], saved["schema_version"]) == (STATE_FORMAT, SCHEMA_VERSION)


GOOD = json.dumps(initial_state())

REFUSED_FILES = {
    "truncated": (GOOD[: len(GOOD) // 2], "not valid JSON"),
    "empty": ("", "not valid JSON"),
    "binary": ("\x00\xff\xfe garbage", "not valid JSON"),
    "a list": ("[1, 2, 3]", "not a number-wizard sandbox state file"),
    "another program's": (json.dumps({"name": "my-app", "version": "1.0.0"}), "not a number-wizard"),
    "a newer schema": (json.dumps({**initial_state(), "schema_version": 999}), "schema version 999"),
    "damaged lists": (json.dumps({**initial_state(), "inventory": "none"}), "'inventory' is not a list"),
    "damaged records": (
        json.dumps({**initial_state(), "incoming_phone_numbers": [{"sid": "PN1"}]}),
        "incoming_phone_numbers[0] lacks",
    ),
    "bad count": (json.dumps({**initial_state(), "address_count": -1}), "'address_count'"),
}


@pytest.mark.parametrize("content", list(REFUSED_FILES.values()), ids=list(REFUSED_FILES))
def test_a_corrupt_or_foreign_file_is_refused_in_one_line_and_left_untouched(
    tmp_path: Path, content: tuple[str, str]
) -> None:
    text, why = content
    state_file = tmp_path / "sandbox.json"
    state_file.write_bytes(text.encode("latin-1", errors="replace") if "\x00" in text else text.encode())
    before = (state_file.read_bytes(), state_file.stat().st_mtime_ns)
    with pytest.raises(StateFileError) as raised:
        Sandbox(state_file)
    message = str(raised.value)
    assert why in message and str(state_file) in message
    assert "\n" not in message
    assert (state_file.read_bytes(), state_file.stat().st_mtime_ns) == before
    assert files_in(tmp_path) == ["sandbox.json"]


@pytest.mark.parametrize("name", ["", "."])
def test_a_state_path_without_a_file_name_is_refused(name: str) -> None:
    with pytest.raises(StateFileError, match="needs a name"):
        Sandbox(Path(name))


def test_a_folder_as_state_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(StateFileError, match="is a folder"):
        Sandbox(tmp_path)


def test_a_place_that_cannot_be_written_is_refused_at_start(tmp_path: Path) -> None:
    below_a_file = tmp_path / "a-file"
    below_a_file.write_text("x", encoding="utf-8")
    with pytest.raises(StateFileError) as raised:
        Sandbox(below_a_file / "state.json")
    assert "cannot write the sandbox state" in str(raised.value)
    assert "Not a directory" in str(raised.value) or "File exists" in str(raised.value)


def test_an_existing_file_in_a_folder_that_cannot_be_written_is_refused_at_start(tmp_path: Path) -> None:
    with lockable_folder(tmp_path) as folder:
        state_file = folder.path / "state.json"
        Sandbox(state_file)  # a valid file, written while the folder could be
        before = state_file.read_bytes()
        folder.lock()
        with pytest.raises(StateFileError) as raised:
            Sandbox(state_file)
        reason = str(raised.value)
        assert reason.startswith(f"cannot write the sandbox state {state_file}: ")
        assert "Read-only file system" in reason or "Permission denied" in reason
        assert state_file.read_bytes() == before


def test_a_failed_save_fails_the_request_and_keeps_nothing(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    with lockable_folder(tmp_path) as folder:
        state_file = folder.path / "state.json"
        sandbox = Sandbox(state_file)
        before = state_file.read_bytes()
        folder.lock()
        failed = buy(sandbox, "+46701740612")
        body = assert_error(failed, 500, 20500)
        assert "could not save its state" in body["message"]
        err = capfd.readouterr().err
        assert f"could not save the state to {state_file}" in err
        assert "POST" in err and len(err.strip().splitlines()) == 1
        # Not acknowledged, not kept, not served.
        assert "+46701740612" not in owned_numbers(sandbox)
        assert "+46701740612" in for_sale(sandbox, "SE")
        assert state_file.read_bytes() == before
        folder.unlock()
        assert buy(sandbox, "+46701740612").status == 201
        assert "+46701740612" in owned_numbers(Sandbox(state_file))
        assert files_in(folder.path) == ["state.json"]


def test_a_leftover_temporary_file_is_removed_at_start(tmp_path: Path) -> None:
    state_file = tmp_path / "state.json"
    Sandbox(state_file)
    leftover = tmp_path / ".state.json.tmp"
    leftover.write_text('{"half": ', encoding="utf-8")  # what a killed save leaves
    Sandbox(state_file)
    assert files_in(tmp_path) == ["state.json"]


def test_saves_reuse_one_temporary_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    state_file = tmp_path / "state.json"
    used: list[str] = []
    real_replace = os.replace

    def spy(source: str | Path, target: str | Path) -> None:
        used.append(Path(source).name)
        real_replace(source, target)

    monkeypatch.setattr(os, "replace", spy)
    sandbox = Sandbox(state_file)
    for phone_number in ("+46701740612", "+46701740670", "+31616953194"):
        buy(sandbox, phone_number)
    assert set(used) == {".state.json.tmp"} and len(used) == 4
    assert load_state(state_file)["schema_version"] == SCHEMA_VERSION


def test_save_state_writes_valid_json_atomically(tmp_path: Path) -> None:
    state_file = tmp_path / "state.json"
    save_state(state_file, initial_state())
    assert load_state(state_file) == initial_state()
