"""Drive the plain wizard in-process with scripted answers (unit tests,
scripts/plain_transcript.py), and the answers of whole purchases that the
unit tests and the pseudo-terminal tests share.

    wizard, output = make_plain(tmp_path, [("Credentials (", ""), ("Choose the number", "2"), ...])
    assert wizard.run() == 0
    text = output.getvalue()

An answer is `(prompt, text)`: the question being asked must contain `prompt`
(a ConversationMismatch with the transcript says where the conversation went
elsewhere), then `text` is the answer (or `text()`, called when the question is
asked); `CTRL_C` as the text is Ctrl+C at that question. After the last answer
the input ends.

`directory` holds the draft (`state/draft.json`), the receipts and the locks,
as with `make_app`; the connection defaults to an in-process sandbox whose clock
stands still. With `echo=True` each answer is written after its question, as a
terminal echoes what is typed (a secret is not echoed, as with getpass).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from tests.support.app_factory import draft_store_in, fixed_clock, profile_store_in
from tui.plain.wizard import PlainWizard
from tui.services.purchase_lock import PurchaseLocks
from tui.services.receipts import ReceiptBook
from tui.services.session import Connection, sandbox_connection

CTRL_C = "\x03"
# (a part of the question, the answer); the answer may be computed when the
# question is asked (e.g. to arm a sandbox fault at that moment).
Answer = tuple[str, str | Callable[[], str]]

VOICE_URL = "https://example.org/calls"  # not the fields' examples
SMS_URL = "https://example.org/messages"

ACCOUNT: list[Answer] = [("Credentials (", "")]  # go on with the account in use


def search(country: str, *, can_do: str = "", pick: str = "1") -> list[Answer]:
    """Search the country's mobile numbers and pick one (its place in the list, or typed)."""
    return [
        ("Choose the number (", "1"),
        ("Country (", country),
        ("Contains [", ""),
        ("Can do [", can_do),
        ("need no address, yes or no", ""),
        ("Include beta numbers, yes or no", ""),
        ("Number (1-", pick),
    ]


def typed(number: str) -> list[Answer]:
    return [("Choose the number (", "2"), ("Phone number [", number)]


VOICE_WEBHOOK: list[Answer] = [
    ("Incoming calls (", "1"),
    ("Voice URL [", VOICE_URL),
    ("Voice method (", ""),
    ("Voice fallback URL [", ""),
    ("Voice fallback method (", ""),
    ("Caller name lookup, yes or no", ""),
    ("Receive mode (", ""),
]
SMS_WEBHOOK: list[Answer] = [
    ("Incoming messages (", "1"),
    ("SMS URL [", SMS_URL),
    ("SMS method (", ""),
    ("SMS fallback URL [", ""),
    ("SMS fallback method (", ""),
]
# "Not now": the questions every way of handling calls has remain.
NO_VOICE: list[Answer] = [
    ("Incoming calls (", "4"),
    ("Caller name lookup, yes or no", ""),
    ("Receive mode (", ""),
]
NO_SMS: list[Answer] = [("Incoming messages (", "4")]
DETAILS: list[Answer] = [
    ("Friendly name [", ""),
    ("Status callback URL [", ""),
    ("Status callback method (", ""),
    ("API version (", ""),
]


def compliance(address: str = "", bundle: str = "") -> list[Answer]:
    return [
        ("Address (", address),
        ("Identity [", ""),
        ("Regulatory bundle (" if bundle else "Regulatory bundle", bundle),
        ("Emergency calling (", ""),
        ("Emergency address", ""),
    ]


def buy(number: str) -> list[Answer]:
    """From the Review's question: buy, and confirm."""
    return [("What next (", ""), (f"Type yes to buy {number}", "yes")]


SUMMARY_QUIT: list[Answer] = [("What next (", "")]  # Quit is the Summary's default


class ConversationMismatch(BaseException):
    """The wizard asked another question than the script expected. A BaseException,
    so that the wizard's own handling of unexpected errors does not take it for one
    of its bugs."""


class ScriptedInput:
    """The answers, one per line read, each checked against the question asked."""

    def __init__(self, answers: Iterable[Answer], output: io.StringIO, *, echo: bool) -> None:
        self.answers = list(answers)
        self.output = output
        self.echo = echo

    def readline(self) -> str:
        return self._next(echo=self.echo)

    def read_secret(self, prompt: str) -> str:
        """What getpass does on a terminal: the prompt, the answer not echoed, a newline."""
        self.output.write(prompt)
        answer = self._next(echo=False)
        self.output.write("\n")
        if not answer:
            raise EOFError
        return answer.rstrip("\n")

    def _next(self, *, echo: bool) -> str:
        if not self.answers:
            return ""
        expected, given = self.answers.pop(0)
        question = self.output.getvalue().rpartition("\n")[2]
        if expected not in question:
            raise ConversationMismatch(
                f"expected a question with {expected!r}, got {question!r}; so far:\n{self.output.getvalue()}"
            )
        answer = given() if callable(given) else given
        if answer == CTRL_C:
            if echo:
                self.output.write("^C")
            raise KeyboardInterrupt
        if echo:
            self.output.write(answer + "\n")
        return answer + "\n"


def make_plain(
    directory: Path,
    answers: Iterable[Answer],
    *,
    connection: Connection | None = None,
    echo: bool = False,
    env: Mapping[str, str] | None = None,
    receipts: ReceiptBook | None = None,
    **options: Any,
) -> tuple[PlainWizard, io.StringIO]:
    output = io.StringIO()
    scripted = ScriptedInput(answers, output, echo=echo)
    if connection is None and "request" not in options:
        connection = sandbox_connection(clock=fixed_clock)
    wizard = PlainWizard(
        scripted,
        output,
        connection=connection,
        env=env if env is not None else {},
        profiles=options.pop("profiles", None) or profile_store_in(directory),
        draft_store=options.pop("draft_store", None) or draft_store_in(directory),
        receipts=receipts or ReceiptBook(Path(directory) / "receipts", clock=fixed_clock),
        locks=PurchaseLocks(Path(directory) / "locks"),
        read_secret=scripted.read_secret,
        **options,
    )
    return wizard, output
