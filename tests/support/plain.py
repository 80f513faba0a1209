"""Drive the plain wizard in-process, with scripted answers (unit tests and
scripts/plain_transcript.py).

    wizard, output = make_plain(tmp_path, ["", "2", "+46701740612", ...])
    assert wizard.run() == 0
    text = output.getvalue()

`directory` holds the draft (`state/draft.json`), the receipts and the locks,
as with `make_app`; the connection defaults to an in-process sandbox whose
clock stands still. `CTRL_C` among the answers is Ctrl+C at that question. With
`echo=True` each answer is written after its prompt, as a terminal echoes what
is typed (secrets are not echoed by a terminal: nor here).
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from tests.support.app_factory import draft_store_in, fixed_clock, profile_store_in
from tui.plain.wizard import PlainWizard
from tui.services.purchase_lock import PurchaseLocks
from tui.services.receipts import ReceiptBook
from tui.services.session import Connection, sandbox_connection

CTRL_C = "\x03"


class ScriptedInput:
    """One scripted answer per line read; then the end of the input."""

    def __init__(self, answers: Iterable[str], echo: io.StringIO | None = None) -> None:
        self.answers = list(answers)
        self.echo = echo
        self.read_count = 0

    def readline(self) -> str:
        return self._next(echo=True)

    def read_secret(self, prompt: str) -> str:
        """What getpass does on a terminal: the prompt, the answer not echoed, a newline."""
        if self.echo is not None:
            self.echo.write(prompt)
        answer = self._next(echo=False)
        if self.echo is not None:
            self.echo.write("\n")
        if not answer:
            raise EOFError
        return answer.rstrip("\n")

    def _next(self, *, echo: bool) -> str:
        if not self.answers:
            return ""
        answer = self.answers.pop(0)
        self.read_count += 1
        if answer == CTRL_C:
            if self.echo is not None:
                self.echo.write("^C")
            raise KeyboardInterrupt
        if self.echo is not None and echo:
            self.echo.write(answer + "\n")
        return answer + "\n"


def make_plain(
    directory: Path,
    answers: Iterable[str],
    *,
    connection: Connection | None = None,
    echo: bool = False,
    env: Mapping[str, str] | None = None,
    receipts: ReceiptBook | None = None,
    **options: Any,
) -> tuple[PlainWizard, io.StringIO]:
    output = io.StringIO()
    scripted = ScriptedInput(answers, echo=output if echo else None)
    wizard = PlainWizard(
        scripted,
        output,
        connection=connection if connection is not None else sandbox_connection(clock=fixed_clock),
        env=env if env is not None else {},
        profiles=options.pop("profiles", None) or profile_store_in(directory),
        draft_store=options.pop("draft_store", None) or draft_store_in(directory),
        receipts=receipts or ReceiptBook(Path(directory) / "receipts", clock=fixed_clock),
        locks=PurchaseLocks(Path(directory) / "locks"),
        read_secret=scripted.read_secret,
        **options,
    )
    return wizard, output
