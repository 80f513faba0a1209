"""TwiML checks: would Twilio run this answer, and if not, what is the first thing wrong?

Pure (no I/O). The answer is parsed with the standard library's expat parser, with
every document type declaration refused (TwiML never needs one, and that closes the
entity-expansion and external-entity doors the way defusedxml's `forbid_dtd` does),
and at most `MAX_TWIML_BYTES`: Twilio refuses bigger answers anyway (error 11750).

Sources:

- the document: https://www.twilio.com/docs/voice/twiml and
  https://www.twilio.com/docs/messaging/twiml (root `<Response>`, case-sensitive names);
- which element may hold which: Twilio's generated TwiML classes,
  https://github.com/twilio/twilio-python/blob/main/twilio/twiml/voice_response.py and
  .../messaging_response.py;
- what Twilio reports: 12100 document parse failure, 12102 root must be Response,
  12200 schema validation (misspelled or wrongly cased verbs, unexpected nesting),
  11750 body larger than 64 kB (https://www.twilio.com/docs/api/errors/{code}).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Literal
from xml.parsers import expat

Vocabulary = Literal["voice", "messaging"]

# Twilio: "the response body is larger than 64 kB" (error 11750).
MAX_TWIML_BYTES = 64 * 1024

ERROR_PARSE = 12100
ERROR_ROOT = 12102
ERROR_SCHEMA = 12200
ERROR_TOO_LARGE = 11750

# SSML inside <Say> (https://www.twilio.com/docs/voice/twiml/say/text-speech#ssml-tags).
_SSML = frozenset(
    {"break", "emphasis", "lang", "p", "phoneme", "prosody", "s", "say-as", "sub", "w"}
    | {"amazon:effect", "amazon:domain"}
)
_SSML_CONTAINERS = {name: _SSML for name in ("emphasis", "lang", "p", "prosody", "s", "w")}

# Element → the elements it may hold, for a call (voice_response.py). Elements not
# listed as keys hold no elements (text only, or nothing).
VOICE_CHILDREN: Mapping[str, frozenset[str]] = {
    "Response": frozenset(
        {
            "Connect",
            "Dial",
            "Echo",
            "Enqueue",
            "Gather",
            "Hangup",
            "Leave",
            "Pause",
            "Pay",
            "Play",
            "Prompt",
            "Queue",
            "Record",
            "Redirect",
            "Refer",
            "Reject",
            "Say",
            "Sms",
            "Start",
            "Stop",
        }
    ),
    "Gather": frozenset({"Say", "Play", "Pause"}),
    "Prompt": frozenset({"Say", "Play", "Pause"}),
    "Dial": frozenset({"Number", "Client", "Conference", "Queue", "Sip", "Sim", "Application", "WhatsApp"}),
    "Client": frozenset({"Identity", "Parameter"}),
    "Sip": frozenset({"Headers", "Uri"}),
    "Headers": frozenset({"Header"}),
    "Application": frozenset({"ApplicationSid", "Parameter"}),
    "Connect": frozenset(
        {
            "Stream",
            "Room",
            "Conversation",
            "ConversationRelay",
            "ConversationRelaySession",
            "VirtualAgent",
            "AiSession",
            "Autopilot",
        }
    ),
    "ConversationRelay": frozenset({"Language", "Parameter"}),
    "VirtualAgent": frozenset({"Config", "Parameter"}),
    "Start": frozenset({"Stream", "Siprec", "Transcription", "Recording"}),
    "Stop": frozenset({"Stream", "Siprec", "Transcription"}),
    "Stream": frozenset({"Parameter"}),
    "Siprec": frozenset({"Parameter"}),
    "Transcription": frozenset({"Config", "Parameter"}),
    "Pay": frozenset({"Prompt", "Parameter"}),
    "Refer": frozenset({"Sip"}),
    "Enqueue": frozenset({"Task"}),
    "Reject": frozenset({"Parameter"}),
    "Hangup": frozenset({"Parameter"}),
    "Say": _SSML,
    **_SSML_CONTAINERS,
}

MESSAGING_CHILDREN: Mapping[str, frozenset[str]] = {
    "Response": frozenset({"Message", "Redirect"}),
    "Message": frozenset({"Body", "Media"}),
}

_CHILDREN: Mapping[Vocabulary, Mapping[str, frozenset[str]]] = {
    "voice": VOICE_CHILDREN,
    "messaging": MESSAGING_CHILDREN,
}


def _names(children: Mapping[str, frozenset[str]]) -> frozenset[str]:
    return frozenset(children) | frozenset().union(*children.values())


_VOICE_NAMES = _names(VOICE_CHILDREN)
_MESSAGING_NAMES = _names(MESSAGING_CHILDREN)
_KNOWN = {"voice": _VOICE_NAMES, "messaging": _MESSAGING_NAMES}

# Verbs after which nothing else in the document runs.
_ENDS_DOCUMENT = {"voice": {"Hangup", "Reject", "Redirect"}, "messaging": {"Redirect"}}
# Verbs whose text is a URL Twilio needs.
_NEEDS_TEXT = {"Redirect": "the URL of the next TwiML document"}


@dataclass(frozen=True)
class TwimlFinding:
    """One thing wrong (or worth knowing), with the line it is on when known and the
    error Twilio would log for it."""

    message: str
    line: int | None = None
    twilio_error: int | None = None

    def describe(self) -> str:
        where = f"line {self.line}: " if self.line else ""
        code = f" (Twilio error {self.twilio_error})" if self.twilio_error else ""
        return f"{where}{self.message}{code}"


@dataclass(frozen=True)
class TwimlCheck:
    """The verdict on one document. `verbs` are the top-level verbs, in order."""

    vocabulary: Vocabulary
    problems: tuple[TwimlFinding, ...] = ()
    warnings: tuple[TwimlFinding, ...] = ()
    verbs: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def first_problem(self) -> TwimlFinding | None:
        return self.problems[0] if self.problems else None


class _DocumentTypeRefused(Exception):
    def __init__(self, name: str | None, line: int) -> None:
        self.name = name
        self.line = line


@dataclass
class _Element:
    name: str
    line: int
    children: list[_Element] = field(default_factory=list)
    text: str = ""


_EXPAT_WORDS = {
    expat.errors.XML_ERROR_MISPLACED_XML_PI: (
        "something comes before the <?xml …?> declaration (a space, an empty line or "
        "output from your code): it must be the very first thing in the answer"
    ),
    expat.errors.XML_ERROR_NO_ELEMENTS: "the answer holds no XML element",
    expat.errors.XML_ERROR_TAG_MISMATCH: (
        "a closing tag does not match the element it closes (TwiML names are case-sensitive)"
    ),
    expat.errors.XML_ERROR_UNDEFINED_ENTITY: (
        "an undefined entity such as &nbsp;: write a literal & as &amp;"
    ),
    expat.errors.XML_ERROR_INVALID_TOKEN: ("not well-formed XML (an unescaped < or &, or a stray character)"),
    expat.errors.XML_ERROR_UNCLOSED_TOKEN: "the document ends inside a tag",
    expat.errors.XML_ERROR_JUNK_AFTER_DOC_ELEMENT: (
        "something follows the end of </Response>: a document has one root element"
    ),
}


def _sniff_non_xml(body: bytes) -> str | None:
    head = body.lstrip(b"\xef\xbb\xbf \t\r\n")[:200].lower()
    if head.startswith(b"<!doctype html") or head.startswith(b"<html"):
        return "this is an HTML page, not TwiML (an error page, or a web page at this URL?)"
    if head[:1] in (b"{", b"["):
        return "this looks like JSON, not TwiML: Twilio reads XML only"
    return None


def _parse(body: bytes) -> tuple[_Element | None, TwimlFinding | None]:
    parser = expat.ParserCreate()  # no namespace processing: `amazon:effect` is a plain name
    stack: list[_Element] = []
    root: list[_Element] = []

    def start(name: str, _attributes: dict[str, str]) -> None:
        element = _Element(name, parser.CurrentLineNumber)
        if stack:
            stack[-1].children.append(element)
        else:
            root.append(element)
        stack.append(element)

    def end(_name: str) -> None:
        stack.pop()

    def text(data: str) -> None:
        if stack:
            stack[-1].text += data

    def doctype(name: str | None, *_: object) -> None:
        raise _DocumentTypeRefused(name, parser.CurrentLineNumber)

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text
    parser.StartDoctypeDeclHandler = doctype
    try:
        parser.Parse(body, True)
    except _DocumentTypeRefused as refused:
        if (refused.name or "").lower() == "html":
            message = "this is an HTML page, not TwiML (an error page, or a web page at this URL?)"
        else:
            message = "a document type declaration (<!DOCTYPE …>) is not allowed in TwiML"
        return None, TwimlFinding(message, refused.line, ERROR_PARSE)
    except expat.ExpatError as error:
        message = expat.errors.messages[error.code]
        words = _EXPAT_WORDS.get(message, message)
        return None, TwimlFinding(f"Twilio cannot parse this: {words}", error.lineno, ERROR_PARSE)
    return (root[0] if root else None), None


def _unknown_element(name: str, vocabulary: Vocabulary, known: frozenset[str]) -> str:
    for candidate in sorted(known):
        if candidate.lower() == name.lower():
            return f"<{name}> is not a TwiML name; names are case-sensitive: did you mean <{candidate}>?"
    if vocabulary == "voice" and name in _MESSAGING_NAMES:
        return f"<{name}> is a messaging verb, which a call does not know: is this URL your SMS handler?"
    if vocabulary == "messaging" and name in _VOICE_NAMES:
        return f"<{name}> belongs to voice TwiML, which a message does not know: is this your voice handler?"
    return f"<{name}> is not a TwiML element Twilio knows"


def check_twiml(body: bytes | str, vocabulary: Vocabulary) -> TwimlCheck:
    """Check one answer as Twilio would read it for a call ("voice") or an incoming
    message ("messaging"). Problems are in document order; the first is the one to
    show. An empty answer is a problem for a call and fine for a message: callers
    decide that before calling this (messaging may answer with no body at all)."""
    raw = body.encode("utf-8") if isinstance(body, str) else body
    if len(raw) > MAX_TWIML_BYTES:
        return TwimlCheck(
            vocabulary,
            problems=(
                TwimlFinding(
                    f"the answer is {len(raw):,} bytes; Twilio reads at most 64 kB of TwiML",
                    twilio_error=ERROR_TOO_LARGE,
                ),
            ),
        )
    if not raw.strip():
        return TwimlCheck(
            vocabulary,
            problems=(TwimlFinding("the answer is empty: there is no TwiML to run", None, ERROR_PARSE),),
        )
    sniffed = _sniff_non_xml(raw)
    if sniffed:
        return TwimlCheck(vocabulary, problems=(TwimlFinding(sniffed, 1, ERROR_PARSE),))
    root, failure = _parse(raw)
    if failure is not None:
        return TwimlCheck(vocabulary, problems=(failure,))
    assert root is not None
    if root.name != "Response":
        if root.name.lower() == "html":
            message = "this is an HTML page, not TwiML (an error page, or a web page at this URL?)"
        elif root.name.lower() == "response":
            message = f"the root element is <{root.name}>; names are case-sensitive: write <Response>"
        else:
            message = f"the root element is <{root.name}>; TwiML's root must be <Response>"
        return TwimlCheck(vocabulary, problems=(TwimlFinding(message, root.line, ERROR_ROOT),))
    return _check_tree(root, vocabulary)


def _check_tree(root: _Element, vocabulary: Vocabulary) -> TwimlCheck:
    children = _CHILDREN[vocabulary]
    known = _KNOWN[vocabulary]
    problems: list[TwimlFinding] = []
    warnings: list[TwimlFinding] = []

    def visit(element: _Element) -> None:
        allowed = children.get(element.name, frozenset())
        for child in element.children:
            if child.name not in known:
                problems.append(
                    TwimlFinding(_unknown_element(child.name, vocabulary, known), child.line, ERROR_SCHEMA)
                )
                continue
            if child.name not in allowed:
                where = (
                    "at the top of <Response>" if element.name == "Response" else f"inside <{element.name}>"
                )
                inside = ", ".join(f"<{n}>" for n in sorted(allowed)) or "no elements"
                problems.append(
                    TwimlFinding(
                        f"<{child.name}> cannot go {where} (it holds {inside})", child.line, ERROR_SCHEMA
                    )
                )
                continue
            visit(child)

    visit(root)
    if root.text.strip():
        problems.append(
            TwimlFinding(
                f"text outside any verb ({root.text.strip()[:40]!r}): put it inside a verb such as "
                + ("<Say>" if vocabulary == "voice" else "<Message>"),
                root.line,
                ERROR_SCHEMA,
            )
        )
    for element in _walk(root):
        if element.name in _NEEDS_TEXT and not element.text.strip() and not element.children:
            problems.append(
                TwimlFinding(f"<{element.name}> is empty: it needs {_NEEDS_TEXT[element.name]}", element.line)
            )
    problems.sort(key=lambda finding: finding.line or 0)

    verbs = tuple(child.name for child in root.children)
    if not verbs and not root.text.strip() and vocabulary == "voice":
        warnings.append(TwimlFinding("the <Response> is empty: the call ends at once", root.line))
    for earlier, later in zip(root.children, root.children[1:], strict=False):
        if earlier.name in _ENDS_DOCUMENT[vocabulary]:
            warnings.append(
                TwimlFinding(
                    f"<{later.name}> and what follows never run: <{earlier.name}> on line {earlier.line} "
                    "ends this document",
                    later.line,
                )
            )
            break
    for element in _walk(root):
        if element.name == "Sms" and vocabulary == "voice":
            warnings.append(
                TwimlFinding(
                    "<Sms> is deprecated in voice TwiML "
                    "(https://www.twilio.com/docs/voice/twiml/sms): send messages with the REST API",
                    element.line,
                )
            )
        if element.name == "Message" and not element.text.strip() and not element.children:
            warnings.append(TwimlFinding("an empty <Message> sends nothing", element.line))
    return TwimlCheck(vocabulary, tuple(problems), tuple(warnings), verbs)


def _walk(element: _Element) -> Iterator[_Element]:
    yield element
    for child in element.children:
        yield from _walk(child)
