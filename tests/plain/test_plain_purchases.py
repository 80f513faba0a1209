"""The plain wizard in-process, driven by scripted answers (io.StringIO): whole
purchases on the in-process sandbox, and what each answer does."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.support.app_factory import draft_store_in
from tests.support.plain import (
    ACCOUNT,
    DETAILS,
    NO_SMS,
    NO_VOICE,
    SMS_URL,
    SMS_WEBHOOK,
    SUMMARY_QUIT,
    VOICE_URL,
    VOICE_WEBHOOK,
    Answer,
    buy,
    compliance,
    make_plain,
    search,
    typed,
)
from tui.sandbox.seed import ADDRESS_GB, BUNDLE_GB_MOBILE_APPROVED


def receipts_in(folder: Path) -> list[dict[str, Any]]:
    return [json.loads(path.read_text("utf-8")) for path in sorted(folder.glob("*.json"))]


def run(directory: Path, answers: list[Answer], **options: object) -> str:
    wizard, output = make_plain(directory, answers, **options)  # type: ignore[arg-type]
    assert wizard.run() == 0
    text = output.getvalue()
    assert "\x1b" not in text, "an escape sequence in the plain mode's output"
    return text


def test_a_search_purchase_with_voice_and_sms_webhooks(tmp_path: Path) -> None:
    text = run(
        tmp_path,
        [
            *ACCOUNT,
            *search("SE", can_do="voice, sms", pick="2"),
            *VOICE_WEBHOOK,
            *SMS_WEBHOOK,
            *DETAILS,
            *compliance(),
            *buy("+46701740612"),
            *SUMMARY_QUIT,
        ],
    )
    # The search: numbered, with capabilities, address need and price.
    assert "  1. +46701740605, Voice, SMS; needs an address (anywhere);" in text
    assert "  2. +46701740612, Voice, SMS; needs no address;" in text
    assert "Chosen: +46701740612, Sweden · mobile" in text
    # The review: the request as sent, then the confirmation naming number and price.
    assert "Sent to Twilio:" in text and f"  Voice URL (Voice): {VOICE_URL}" in text
    assert "VoiceUrl=https%3A%2F%2Fexample.org%2Fcalls" in text
    assert "Type yes to buy +46701740612 for " in text and " a month" in text
    # The summary: label: value lines.
    assert "Bought +46701740612." in text
    assert f"Voice URL: {VOICE_URL}" in text and f"SMS URL: {SMS_URL}" in text
    [receipt] = receipts_in(tmp_path / "receipts")
    assert receipt["outcome"] == "bought"
    assert receipt["request"]["form"]["SmsUrl"] == SMS_URL
    # The draft has served its purpose.
    assert draft_store_in(tmp_path).load() is None


def test_a_compliance_purchase_with_a_bundle_and_an_address(tmp_path: Path) -> None:
    number = "+447437283605"  # GB: needs an address (any), and GB mobile numbers need a bundle
    text = run(
        tmp_path,
        [
            *ACCOUNT,
            *search("GB", pick=number),  # typed at the list's question
            *NO_VOICE,
            *NO_SMS,
            *DETAILS,
            *compliance(address="1", bundle="1"),  # the account's first address and approved bundle
            *buy(number),
            *SUMMARY_QUIT,
        ],
    )
    assert "Address: this number needs an address (anywhere)." in text
    assert "Bundle: GB requires an approved regulatory bundle for mobile numbers" in text
    assert "Not usable: Jane Doe - UK mobile · twilio-rejected" in text  # listed, not offered
    assert f"  1. Sandbox Ltd - UK mobile · twilio-approved · {BUNDLE_GB_MOBILE_APPROVED}" in text
    assert f"Address: {ADDRESS_GB}" in text and f"Regulatory bundle: {BUNDLE_GB_MOBILE_APPROVED}" in text
    assert f"Bought {number}." in text
    [receipt] = receipts_in(tmp_path / "receipts")
    assert receipt["request"]["form"]["AddressSid"] == ADDRESS_GB
    assert receipt["request"]["form"]["BundleSid"] == BUNDLE_GB_MOBILE_APPROVED


def test_missing_compliance_is_told_before_the_review_and_twilios_refusal_after_it(tmp_path: Path) -> None:
    number = "+447437283605"
    text = run(
        tmp_path,
        [
            *ACCOUNT,
            *typed(number),
            *NO_VOICE,
            *NO_SMS,
            *DETAILS,
            *compliance(),
            ("Go on to the review anyway, yes or no [no]", "yes"),
            *buy(number),
            # Twilio refuses (21631): the error is explained and the Compliance step asked again.
            ("Address (", "1"),
        ],
    )
    assert "Twilio will refuse the purchase (error 21631)" in text
    assert "Twilio error 21631" in text
    assert "This is fixed on the Compliance step: going there." in text
    assert f"Bought {number}" not in text


def test_a_typed_number_the_account_owns_is_refused_before_anything_is_sent(tmp_path: Path) -> None:
    owned = "+46701740698"  # the sandbox's main account owns it (tui/sandbox/seed.py)
    text = run(tmp_path, [*ACCOUNT, *typed(owned), ("Phone number [", "+46701740612")])
    assert f"This account already owns {owned}" in text
    assert "+46701740612 is not on this account yet." in text


def test_draft_is_kept_on_quit_and_offered_at_the_next_start(tmp_path: Path) -> None:
    text = run(
        tmp_path,
        [
            *ACCOUNT,
            *typed("+46701740612"),
            ("Incoming calls (", "quit"),
            ("Quit number-wizard, yes or no", "yes"),
        ],
    )
    assert "What you typed is kept as a draft and offered the next time you start." in text
    saved = draft_store_in(tmp_path).load()
    assert saved is not None and saved["values"]["phone_number"] == "+46701740612"

    text = run(
        tmp_path,
        [
            ("Resume it, yes or no [yes]", ""),
            *ACCOUNT,
            ("Choose the number (", ""),  # keep +46701740612, the default
            *NO_VOICE,
        ],
    )
    assert "A draft from an earlier session was found: +46701740612, 1 field filled in." in text
    assert "  1. Keep +46701740612" in text


def test_a_draft_can_be_deleted_at_start(tmp_path: Path) -> None:
    draft_store_in(tmp_path).save({"version": 1, "values": {"phone_number": "+46701740612"}})
    text = run(
        tmp_path,
        [
            ("Resume it", "no"),
            ("Delete the saved draft and start over, yes or no [no]", "yes"),
            ("Credentials (", ""),
            ("Choose the number (1-2) [Search", "quit"),
        ],
    )
    assert "Starting over deletes it; it cannot be brought back." in text
    assert draft_store_in(tmp_path).load() is None
    assert "Quit number-wizard" not in text  # nothing to lose: it leaves at once


def test_receipt_paths_are_relative_to_the_receipts_folder(tmp_path: Path) -> None:
    # Sanity for the transcript: the receipt lines name the file the wizard wrote.
    text = run(
        tmp_path,
        [*ACCOUNT, *typed("+46701740612"), *NO_VOICE, *NO_SMS, *DETAILS, *compliance(), *buy("+46701740612")],
    )
    [line] = [line for line in text.splitlines() if line.startswith("Receipt: ")]
    path = Path(line.removeprefix("Receipt: "))
    assert json.loads(path.read_text())["outcome"] == "bought"
