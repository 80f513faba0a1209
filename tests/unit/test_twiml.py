"""TwiML checks (tui/domain/twiml.py): Twilio's document rules, the first problem
named in plain words with its line, and a parser that cannot be made to expand
entities or read files."""

from __future__ import annotations

import pytest
from twilio.twiml.messaging_response import MessagingResponse
from twilio.twiml.voice_response import Dial, Gather, VoiceResponse

from tui.domain.twiml import MAX_TWIML_BYTES, check_twiml


def _voice_documents() -> list[str]:
    """Documents built with twilio-python's own TwiML classes: all must pass."""
    say = VoiceResponse()
    say.say("Hello", voice="Polly.Amy")
    say.pause(length=1)
    say.play("https://api.twilio.com/cowbell.mp3")

    gather = VoiceResponse()
    menu = Gather(action="/menu", num_digits=1)
    menu.say("Press 1")
    menu.play("https://example.com/a.mp3")
    gather.append(menu)
    gather.redirect("/again")

    dial = VoiceResponse()
    target = Dial(caller_id="+15005550006")
    target.number("+15005550006")
    target.client("alice")
    target.conference("room")
    dial.append(target)

    other = VoiceResponse()
    other.record(max_length=20)
    other.enqueue("support")
    start = other.start()
    start.stream(url="wss://example.com/stream")
    connect = other.connect()
    connect.stream(url="wss://example.com/bot")
    other.hangup()
    return [str(say), str(gather), str(dial), str(other)]


@pytest.mark.parametrize("document", _voice_documents())
def test_twiml_made_by_twilio_python_passes(document):
    check = check_twiml(document, "voice")
    assert check.ok, check.problems
    assert check.verbs


def test_messaging_twiml_made_by_twilio_python_passes():
    response = MessagingResponse()
    message = response.message("Thanks!")
    message.media("https://example.com/cat.jpg")
    response.redirect("https://example.com/next")
    check = check_twiml(str(response), "messaging")
    assert check.ok and check.verbs == ("Message", "Redirect")
    assert check_twiml("<Response/>", "messaging").ok


def test_ssml_inside_say_is_accepted():
    document = (
        '<Response><Say voice="Polly.Joanna">Hi <break time="1s"/><prosody rate="slow">'
        '<emphasis>there</emphasis></prosody><amazon:effect name="whispered">psst</amazon:effect>'
        "</Say></Response>"
    )
    assert check_twiml(document, "voice").ok


@pytest.mark.parametrize(
    ("document", "line", "code", "words"),
    [
        ("<Response>\n  <say>Hi</say>\n</Response>", 2, 12200, "did you mean <Say>?"),
        (
            "<Response>\n\n  <Gather><Dial>+1</Dial></Gather>\n</Response>",
            3,
            12200,
            "<Dial> cannot go inside <Gather>",
        ),
        ("<Response><Dial>\n<Say>x</Say></Dial></Response>", 2, 12200, "<Say> cannot go inside <Dial>"),
        ("<Response>\n<Message>Hi</Message>\n</Response>", 2, 12200, "is this URL your SMS handler?"),
        ("<Response><Foo/></Response>", 1, 12200, "<Foo> is not a TwiML element Twilio knows"),
        ("<response><Say>Hi</Say></response>", 1, 12102, "write <Response>"),
        ("<Reply><Say>Hi</Say></Reply>", 1, 12102, "root must be <Response>"),
        (' <?xml version="1.0"?>\n<Response/>', 1, 12100, "before the <?xml"),
        ("<Response>\n<Say>Fish & chips</Say>\n</Response>", 2, 12100, "unescaped < or &"),
        ("<Response>\n<Say>Hi</say>\n</Response>", 2, 12100, "closing tag does not match"),
        ("<Response>\n<Say>&nbsp;</Say></Response>", 2, 12100, "&amp;"),
        ("<Response><Say>Hi</Say></Response><Response/>", 1, 12100, "follows the end of </Response>"),
        ("<Response>Hello there</Response>", 1, 12200, "text outside any verb"),
        ("<Response>\n<Redirect></Redirect>\n</Response>", 2, None, "needs the URL"),
    ],
)
def test_the_first_problem_is_named_with_its_line(document, line, code, words):
    check = check_twiml(document, "voice")
    assert not check.ok
    first = check.first_problem
    assert first is not None
    assert first.line == line
    assert first.twilio_error == code
    assert words in first.message
    assert first.describe().startswith(f"line {line}: ")


def test_problems_come_in_document_order():
    check = check_twiml(
        "<Response>\n<Say>ok</Say>\n<Dial><Play>x</Play></Dial>\n<sms>x</sms>\n</Response>", "voice"
    )
    assert [p.line for p in check.problems] == [3, 4]


def test_voice_verbs_in_a_messaging_answer_are_named():
    check = check_twiml("<Response>\n  <Say>Hi</Say>\n</Response>", "messaging")
    assert not check.ok
    assert "voice handler" in check.problems[0].message and check.problems[0].line == 2


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (b"<!DOCTYPE html>\n<html><body><h1>Internal Server Error</h1></body></html>", "HTML page"),
        (b"<html><head><title>x</title></head><body><br></body></html>", "HTML page"),
        (b'{"message": "ok"}', "JSON"),
        (b"", "empty"),
        (b"  \n", "empty"),
    ],
)
def test_what_is_not_twiml_says_what_it_is(body, words):
    check = check_twiml(body, "voice")
    assert not check.ok
    assert words in check.problems[0].message


def test_a_document_type_is_refused_so_entities_cannot_expand():
    bomb = (
        b'<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>\n'
        b"<Response><Say>&b;&b;&b;</Say></Response>"
    )
    check = check_twiml(bomb, "voice")
    assert not check.ok
    assert check.problems[0].line == 2
    assert "document type declaration" in check.problems[0].message


def test_an_external_entity_is_never_read(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET")
    document = (
        f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file://{secret}">]>'
        "<Response><Say>&x;</Say></Response>"
    )
    check = check_twiml(document, "voice")
    assert not check.ok
    assert all("TOP SECRET" not in p.message for p in check.problems)


def test_too_large_an_answer_is_refused_without_parsing():
    body = b"<Response><Say>" + b"a" * MAX_TWIML_BYTES + b"</Say></Response>"
    check = check_twiml(body, "voice")
    assert check.problems[0].twilio_error == 11750
    assert "64 kB" in check.problems[0].message


def test_warnings_do_not_fail_the_document():
    unreachable = check_twiml("<Response>\n<Hangup/>\n<Say>Bye</Say>\n</Response>", "voice")
    assert unreachable.ok
    assert unreachable.warnings[0].line == 3 and "never run" in unreachable.warnings[0].message
    deprecated = check_twiml("<Response><Sms>hi</Sms></Response>", "voice")
    assert deprecated.ok and "deprecated" in deprecated.warnings[0].message
    empty = check_twiml("<Response/>", "voice")
    assert empty.ok and "ends at once" in empty.warnings[0].message
    assert check_twiml("<Response><Message/></Response>", "messaging").warnings


def test_text_and_utf8_bytes_are_the_same_document():
    document = "<Response><Say>Grüße, señor</Say></Response>"
    assert check_twiml(document, "voice") == check_twiml(document.encode("utf-8"), "voice")
    latin = '<?xml version="1.0" encoding="ISO-8859-1"?><Response><Say>caf\xe9</Say></Response>'
    assert check_twiml(latin.encode("latin-1"), "voice").ok
