"""Every kind of question in the plain wizard: invalid answers are explained in
the words of the wizard's own rules and asked again; `?` explains; `back`
returns to the previous question, across steps too; `quit` and Ctrl+C ask
before leaving and keep the draft."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.support.app_factory import draft_store_in
from tests.support.plain import (
    ACCOUNT,
    CTRL_C,
    DETAILS,
    NO_SMS,
    NO_VOICE,
    VOICE_URL,
    Answer,
    compliance,
    make_plain,
    typed,
)
from tui.domain import rules
from tui.domain.fields import FIELDS_BY_NAME
from tui.domain.search import SEARCH_FIELDS_BY_NAME
from tui.plain.lines import printable

NUMBER = "+46701740612"  # SE, needs no address and no bundle


def rule_message(rule: Callable[[str], Any], raw: str) -> str:
    """What the catalogue's rule says about `raw` (the wizard shows the same)."""
    with pytest.raises(rules.RuleError) as refused:
        rule(raw)
    return str(refused.value)


def run(directory: Path, answers: list[Answer]) -> str:
    wizard, output = make_plain(directory, answers)
    assert wizard.run() == 0
    text = output.getvalue()
    assert "\x1b" not in text
    return text


def test_invalid_answers_on_every_kind_of_question_are_explained_and_asked_again(tmp_path: Path) -> None:
    long_name = "x" * (rules.FRIENDLY_NAME_MAX + 1)
    text = run(
        tmp_path,
        [
            ("Credentials (1-2)", "7"),  # a choice out of range
            ("Credentials (1-2)", ""),
            ("Choose the number (1-2)", "somehow"),  # a choice that is not an option
            ("Choose the number (1-2)", "1"),
            ("Country (", "ZZ"),  # a country that sells no mobile numbers
            ("Country (", "Sweden"),
            ("Contains [", "7"),  # the search's own rule
            ("Contains [", ""),
            ("Can do [", "teleport"),
            ("Can do [", "voice"),
            ("need no address, yes or no", "maybe"),
            ("need no address, yes or no", "no"),
            ("Include beta numbers, yes or no", ""),
            ("Number (1-", "99"),  # not in the list
            ("Number (1-", "0701740612"),  # a phone number without its country code
            ("Number (1-", "2"),
            ("Incoming calls (", "1"),
            ("Voice URL [", ""),  # the way of handling chosen needs it
            ("Voice URL [", "ftp://example.org/calls"),
            ("Voice URL [", VOICE_URL),
            ("Voice method (", "PUT"),
            ("Voice method (", "post"),
            ("Voice fallback URL [", ""),
            ("Voice fallback method (", ""),
            ("Caller name lookup, yes or no", "perhaps"),
            ("Caller name lookup, yes or no", "yes"),
            ("Receive mode (", ""),
            *NO_SMS,
            ("Friendly name [", long_name),
            ("Friendly name [", "Support"),
            ("Status callback URL [", ""),
            ("Status callback method (", ""),
            ("API version (", ""),
            ("Address (", "AD123"),  # a SID that cannot be one
            ("Address (", ""),
            ("Identity [", "XX0123456789abcdef0123456789abcdef"),
            ("Identity [", ""),
            ("Regulatory bundle", ""),
            ("Emergency calling (", ""),
            ("Emergency address", ""),
            ("What next (", ""),
            (f"Type yes to buy {NUMBER}", "y"),  # only the word yes buys
            ("What next (", "quit"),
            ("Quit number-wizard, yes or no", "yes"),
        ],
    )
    expected = [
        "Choose a number from 1 to 2.",
        "ZZ sells no mobile numbers on Twilio",
        rule_message(SEARCH_FIELDS_BY_NAME["contains"].check, "7"),
        "teleport: choose from Voice, SMS, MMS and Fax, separated by commas.",
        "Answer yes or no.",
        "Choose a number from 1 to ",
        rule_message(rules.phone_number, "0701740612"),
        "Enter the Voice URL, or choose another way of handling this.",
        rule_message(FIELDS_BY_NAME["voice_url"].check, "ftp://example.org/calls"),
        rule_message(FIELDS_BY_NAME["voice_method"].check, "PUT"),
        rule_message(FIELDS_BY_NAME["voice_caller_id_lookup"].check, "perhaps"),
        rule_message(FIELDS_BY_NAME["friendly_name"].check, long_name),
        rule_message(FIELDS_BY_NAME["address_sid"].check, "AD123"),
        rule_message(FIELDS_BY_NAME["identity_sid"].check, "XX0123456789abcdef0123456789abcdef"),
        "Not bought: you did not confirm; nothing was sent.",
    ]
    for message in expected:
        assert message in text, message
    assert f"Bought {NUMBER}" not in text
    # What was typed is in the draft (valid values only), as the wizard keeps it.
    saved = draft_store_in(tmp_path).load()
    assert saved is not None
    assert saved["values"]["voice_method"] == "POST"
    assert saved["values"]["voice_caller_id_lookup"] is True
    assert saved["values"]["friendly_name"] == "Support"


def test_help_on_a_question_is_the_fields_help(tmp_path: Path) -> None:
    text = run(tmp_path, [*ACCOUNT, *typed(NUMBER), ("Incoming calls (", "1"), ("Voice URL [", "?")])
    help_at = text.index(FIELDS_BY_NAME["voice_url"].help)
    assert text.index("Voice URL [") < help_at  # shown after the question, on ?
    assert "Left empty, Twilio uses: none: incoming calls are not answered." in text[help_at:]


def test_back_returns_to_the_previous_question_across_steps(tmp_path: Path) -> None:
    text = run(
        tmp_path,
        [
            ("Credentials (", "back"),  # nothing before the first question
            ("Credentials (", ""),
            *typed(NUMBER),
            ("Incoming calls (", "1"),
            ("Voice URL [", VOICE_URL),
            ("Voice method (", "back"),  # within the step: the value is kept
            (f"Voice URL [{VOICE_URL}]", "back"),
            ("Incoming calls (", "back"),  # into the Number step, at its last question
            (f"Phone number [{NUMBER}]", ""),
            ("Incoming calls (1-4) [Webhook", ""),
            (f"Voice URL [{VOICE_URL}]", ""),
        ],
    )
    assert "This is the first question." in text
    assert text.count("Step 2 of 7: Number") == 2
    assert text.count("Step 3 of 7: Voice") == 2


def test_quit_asks_first_keeps_the_draft_and_ctrl_c_twice_leaves(tmp_path: Path) -> None:
    text = run(
        tmp_path,
        [
            *ACCOUNT,
            *typed(NUMBER),
            ("Incoming calls (", "quit"),
            ("Quit number-wizard, yes or no [no]", ""),  # stay
            ("Incoming calls (", CTRL_C),  # Ctrl+C at a question: the same question
            ("Quit number-wizard, yes or no [no]", CTRL_C),  # Ctrl+C again: leave
        ],
    )
    assert text.count("What you typed is kept as a draft and offered the next time you start.") == 2
    assert "Nothing has been bought." in text
    saved = draft_store_in(tmp_path).load()
    assert saved is not None and saved["values"] == {"phone_number": NUMBER}


def test_quit_with_nothing_typed_leaves_at_once(tmp_path: Path) -> None:
    text = run(tmp_path, [*ACCOUNT, ("Choose the number (", "quit")])
    assert "Quit number-wizard" not in text
    assert draft_store_in(tmp_path).load() is None


def test_the_end_of_the_input_leaves_and_keeps_the_draft(tmp_path: Path) -> None:
    text = run(tmp_path, [*ACCOUNT, *typed(NUMBER)])
    assert text.rstrip().endswith(
        "The input ended, so number-wizard stops here.\n"
        "What you typed is kept as a draft and offered the next time you start."
    )


def test_the_review_lists_what_needs_attention_and_goes_to_its_step(tmp_path: Path) -> None:
    draft_store_in(tmp_path).save(
        {"version": 1, "values": {"phone_number": NUMBER, "voice_url": "not a url"}, "voice_mode": "webhook"}
    )
    # Straight to the Review through the steps, keeping every value: the Voice step
    # stops at the invalid URL first.
    text = run(
        tmp_path,
        [
            ("Resume it", ""),
            *ACCOUNT,
            ("Choose the number (", ""),
            ("Incoming calls (", ""),
            ("Voice URL [not a url]", ""),
        ],
    )
    assert rule_message(FIELDS_BY_NAME["voice_url"].check, "not a url") in text


def test_output_never_carries_a_control_character() -> None:
    assert printable("Support \x1b[31mline\x07") == "Support \\x1b[31mline\\x07"
    assert printable("tab\tstays") == "tab\tstays"


def test_no_voice_and_no_sms_say_what_twilio_does_instead(tmp_path: Path) -> None:
    text = run(tmp_path, [*ACCOUNT, *typed(NUMBER), *NO_VOICE, *NO_SMS, *DETAILS, *compliance()])
    from tui.wizard.draft import NO_SMS_NOTE, NO_VOICE_NOTE

    assert NO_VOICE_NOTE in text and NO_SMS_NOTE in text
