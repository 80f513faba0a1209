"""The command line as a newcomer meets it: advice names flags, a dry run runs
the compliance pre-checks, every search column is labelled and a bundle rule is
said, and buying without a terminal exits with the documented code (9)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.support.cli import run_number_wizard

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]


def run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TWILIO_", "XDG_"))}
    env.update(
        HOME=str(tmp_path),
        XDG_DATA_HOME=str(tmp_path / "data"),
        XDG_STATE_HOME=str(tmp_path / "state"),
        XDG_CONFIG_HOME=str(tmp_path / "config"),
        PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
    )
    return run_number_wizard(list(args), env=env)


def test_a_dry_run_says_what_twilio_would_refuse_naming_flags(tmp_path: Path) -> None:
    result = run(tmp_path, "buy", "--sandbox", "--phone-number", "+61491570006", "--dry-run", "-o", "json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["form"] == {"PhoneNumber": "+61491570006"}
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert any(w.startswith("warning: --address-sid:") and "21631" in w for w in warnings), warnings
    assert any(w.startswith("warning: --bundle-sid:") and "21649" in w for w in warnings), warnings
    assert "step" not in result.stderr.lower()  # flags, never the wizard's steps
    assert "dry run: nothing was sent." in result.stderr


def test_a_dry_run_with_what_the_number_needs_has_no_compliance_warning(tmp_path: Path) -> None:
    from tui.sandbox.seed import ADDRESS_AU, BUNDLE_AU_MOBILE_APPROVED

    result = run(
        tmp_path,
        "buy",
        "--sandbox",
        "--phone-number",
        "+61491570006",
        "--address-sid",
        ADDRESS_AU,
        "--bundle-sid",
        BUNDLE_AU_MOBILE_APPROVED,
        "--dry-run",
    )
    assert result.returncode == 0, result.stderr
    assert "21631" not in result.stderr and "21649" not in result.stderr


def test_a_dry_run_in_a_country_twilio_lists_no_mobiles_for_is_not_a_failed_check(tmp_path: Path) -> None:
    # Twilio answers 404 for the US's mobile numbers: the number's needs are
    # unknown, which is not "the compliance checks could not be made".
    result = run(tmp_path, "buy", "--sandbox", "--phone-number", "+15005550006", "--dry-run", "-o", "json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["form"]["PhoneNumber"] == "+15005550006"
    assert "could not be made" not in result.stderr
    assert result.stderr.strip().splitlines() == ["dry run: nothing was sent."]


def test_search_labels_every_column_and_says_when_a_bundle_is_needed(tmp_path: Path) -> None:
    result = run(tmp_path, "search", "--sandbox", "--country", "GB")
    assert result.returncode == 0, result.stderr
    header = result.stdout.splitlines()[1].split()
    assert header == ["number", "locality", "capabilities", "address", "needed", "beta"]
    assert "GB requires an approved regulatory bundle" in result.stderr and "--bundle-sid" in result.stderr
    as_json = json.loads(run(tmp_path, "search", "--sandbox", "--country", "GB", "-o", "json").stdout)
    assert as_json["bundle_required"] is True
    nl = run(tmp_path, "search", "--sandbox", "--country", "NL")
    assert "bundle" not in nl.stderr


def test_buying_without_a_terminal_and_without_yes_exits_9(tmp_path: Path) -> None:
    result = run(tmp_path, "buy", "--sandbox", "--phone-number", "+31616953194")
    assert result.returncode == 9, result.stderr
    assert "--yes" in result.stderr and "nothing" not in result.stdout
