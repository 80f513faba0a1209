"""Lines in, lines out: the plain mode's only contact with the terminal.

Everything written goes through `Lines.say` or a prompt, which never emit a
control character: text from Twilio or a file (a friendly name, an error
message) with an escape sequence in it is shown as `\\x1b`, never interpreted by
the terminal. Nothing is coloured, nothing moves the cursor, nothing is rewritten.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Protocol

# C0 controls but tab and newline, DEL and the C1 controls (ESC is \x1b, CSI \x9b).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    """`text` with every control character but tab written out as \\xNN."""
    return _CONTROL.sub(lambda match: f"\\x{ord(match.group()):02x}", text)


class Reader(Protocol):
    """Where answers come from: sys.stdin, io.StringIO, a test's script."""

    def readline(self) -> str: ...


class Writer(Protocol):
    """Where questions and lines go: sys.stdout, io.StringIO."""

    def write(self, text: str, /) -> int: ...

    def flush(self) -> None: ...


class EndOfInput(Exception):
    """No more answers can come: the input ended (Ctrl+D, a closed pipe)."""


class Interrupted(Exception):
    """Ctrl+C while a question waited for its answer."""


class Lines:
    """`Lines(input, output)`; `read_secret(prompt)` reads a secret without echo
    (getpass on a terminal); without it a secret is read like any answer (from a
    pipe or a test's stream nothing is echoed anyway)."""

    def __init__(
        self, input: Reader, output: Writer, *, read_secret: Callable[[str], str] | None = None
    ) -> None:
        self.input = input
        self.output = output
        self._read_secret = read_secret

    def say(self, *texts: str) -> None:
        """Each text on its own line(s)."""
        for text in texts:
            for line in text.split("\n"):
                self.output.write(printable(line).rstrip() + "\n")
        self.output.flush()

    def blank(self) -> None:
        self.output.write("\n")
        self.output.flush()

    def ask(self, prompt: str) -> str:
        """Write the prompt, read one answer (stripped). Raises EndOfInput at the
        end of the input and Interrupted on Ctrl+C."""
        self.output.write(printable(prompt))
        self.output.flush()
        try:
            line = self.input.readline()
        except KeyboardInterrupt:
            self.blank()
            raise Interrupted from None
        if not line:
            self.blank()
            raise EndOfInput
        return line.strip()

    def ask_secret(self, prompt: str) -> str:
        """Like `ask`, without echo when reading from a terminal."""
        if self._read_secret is None:
            return self.ask(prompt)
        try:
            return self._read_secret(printable(prompt)).strip()
        except KeyboardInterrupt:
            self.blank()
            raise Interrupted from None
        except EOFError:
            self.blank()
            raise EndOfInput from None
