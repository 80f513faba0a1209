"""Questions, one at a time: a text, a yes or no, a choice from a numbered list,
and a purchase field asked the way its catalogue entry describes it.

Every question shows the current value (or what an empty answer means) in
brackets and re-asks, with the rule's own message, until the answer is valid.
Four answers work everywhere: Enter alone keeps the value in brackets, `?`
explains the question, `back` returns to the previous question and `quit`
leaves (Ctrl+C too); `-` empties an optional value.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from tui.domain.fields import FieldSpec
from tui.domain.rules import RuleError
from tui.plain.lines import Interrupted, Lines

KEYS_HELP = (
    "Enter alone keeps the value in brackets; - empties an optional value; back returns "
    "to the previous question; quit leaves (what you typed is kept as a draft)."
)
EMPTY = "empty"


class GoBack(Exception):
    """The person answered `back`."""


class QuitAsked(Exception):
    """The person answered `quit`, or pressed Ctrl+C at a question."""


@dataclass(frozen=True)
class Option:
    value: Any
    label: str


def _yes_no(raw: str) -> bool:
    text = raw.strip().lower()
    if text in ("y", "yes"):
        return True
    if text in ("n", "no"):
        return False
    raise RuleError("Answer yes or no.")


class Prompter:
    def __init__(self, lines: Lines) -> None:
        self.lines = lines

    def say(self, *texts: str) -> None:
        self.lines.say(*texts)

    def read(self, prompt: str, help: Sequence[str] = (), *, secret: bool = False) -> str:
        """One answer; `?`, `back` and `quit` are handled here."""
        while True:
            try:
                answer = self.lines.ask_secret(prompt) if secret else self.lines.ask(prompt)
            except Interrupted:
                raise QuitAsked from None
            word = answer.lower()
            if word in ("?", "help"):
                self.lines.say(*help, KEYS_HELP)
                continue
            if word == "back":
                raise GoBack
            if word == "quit":
                raise QuitAsked
            return answer

    # -- kinds of question ---------------------------------------------------------

    def text(
        self,
        name: str,
        *,
        check: Callable[[str], Any],
        current: Any = None,
        shown: str | None = None,
        required: str | None = None,
        help: Sequence[str] = (),
        secret: bool = False,
    ) -> Any:
        """`check(answer)` of a typed answer; `current` on Enter; None on "-".
        `required`: the message when no value is given (None: optional)."""
        bracket = shown if shown is not None else (EMPTY if current in (None, "") else str(current))
        while True:
            answer = self.read(f"{name} [{bracket}]: ", help, secret=secret)
            if answer == "" and current not in (None, "") and not isinstance(current, str):
                return current  # a value checked already (a secret)
            if answer == "" and current not in (None, ""):
                answer = current  # kept, if it still passes the rule (a resumed draft's may not)
            if answer in ("", "-"):
                if required is None:
                    return None
                self.say(required)
                continue
            try:
                return check(answer)
            except RuleError as error:
                self.say(str(error))

    def yes_no(
        self,
        name: str,
        *,
        current: bool | None = None,
        shown: str | None = None,
        check: Callable[[str], Any] = _yes_no,
        optional: bool = False,
        help: Sequence[str] = (),
    ) -> bool | None:
        """True or False; `current` on Enter; None on Enter or "-" when `optional` and unset."""
        bracket = shown if shown is not None else (EMPTY if current is None else ("yes" if current else "no"))
        while True:
            answer = self.read(f"{name}, yes or no [{bracket}]: ", help)
            if answer == "" and current is not None:
                return current
            if answer in ("", "-"):
                if optional:
                    return None
                self.say("Answer yes or no.")
                continue
            try:
                return bool(check(answer))
            except RuleError as error:
                self.say(str(error))

    def choose(
        self,
        name: str,
        options: Sequence[Option],
        *,
        current: Any = None,
        shown: str | None = None,
        other: Callable[[str], Any] | None = None,
        other_hint: str = "",
        optional: bool = False,
        help: Sequence[str] = (),
        title: str | None = None,
    ) -> Any:
        """The value of the option whose number is given (or whose label is typed),
        or what `other` makes of any other answer; `current` on Enter; None on
        Enter (when unset) or "-" when `optional`."""
        if title:
            self.say(title)
        for number, option in enumerate(options, start=1):
            self.say(f"  {number}. {option.label}")
        count = len(options)
        span = f"1-{count}" if count > 1 else ("1" if count else "")
        hint = " or ".join(part for part in (span, other_hint) if part)
        if shown is None:
            label = next((o.label for o in options if current is not None and o.value == current), None)
            shown = label or (EMPTY if current in (None, "") else str(current))
        while True:
            answer = self.read(f"{name} ({hint}) [{shown}]: " if hint else f"{name} [{shown}]: ", help)
            if answer == "" and current not in (None, ""):
                if other is None or any(o.value == current for o in options):
                    return current
                answer = str(current)  # kept, if it still passes the rule (a resumed draft's may not)
            if answer in ("", "-") and optional:
                return None
            if answer.isdigit() and 1 <= int(answer) <= count:
                return options[int(answer) - 1].value
            if answer and other is not None:
                try:
                    return other(answer)
                except RuleError as error:
                    self.say(str(error))
                    continue
            typed = answer.lower()
            match = [o for o in options if typed and typed in (str(o.value).lower(), o.label.lower())]
            if match:
                return match[0].value
            self.say(
                f"Choose a number from 1 to {count}" + (f", or {other_hint}" if other_hint else "") + "."
                if count
                else f"Type {other_hint}."
            )

    # -- a purchase field, as its catalogue entry describes it ---------------------

    def field(
        self,
        spec: FieldSpec,
        current: Any,
        *,
        required: str | None = None,
        options: Sequence[Option] = (),
        intro: str | None = None,
    ) -> Any:
        """Ask for one field: its label, an example or its choices, what an empty
        answer leaves to Twilio, and its help on `?`. `required`: the message when
        it is left empty (the field is needed). `options`: a picker's list (e.g. the
        account's addresses) offered besides typing a value."""
        help = field_help(spec)
        say_first = intro or field_intro(spec, required=required is not None)
        self.say(say_first)
        if spec.kind in ("method", "choice"):
            choices = [
                Option(c, c + (" (Twilio's default)" if c == spec.twilio_default else ""))
                for c in spec.choices
            ]
            return self.choose(
                spec.label,
                choices,
                current=current,
                shown=None if current is not None else f"Twilio's default, {spec.twilio_default}",
                other=spec.check,
                optional=required is None,
                help=help,
            )
        if spec.kind == "bool":
            default = {"true": "yes", "false": "no"}.get(spec.twilio_default, spec.twilio_default)
            return self.yes_no(
                spec.label,
                current=current if isinstance(current, bool) else None,
                shown=None if isinstance(current, bool) else f"Twilio's default, {default}",
                check=spec.check,
                optional=required is None,
                help=help,
            )
        if options:
            return self.choose(
                spec.label,
                options,
                current=current,
                other=spec.check,
                other_hint=f"a SID {spec.sid_prefix}…" if spec.sid_prefix else "a value",
                optional=required is None,
                help=help,
            )
        return self.text(spec.label, check=spec.check, current=current, required=required, help=help)


def field_intro(spec: FieldSpec, *, required: bool) -> str:
    """The line before a field's question: what it takes, and what empty means."""
    parts = [spec.label + (" (required)" if required else " (optional)")]
    if spec.placeholder:
        parts.append(f"e.g. {spec.placeholder}")
    if not required and spec.kind not in ("method", "choice", "bool"):
        parts.append(f"left empty, Twilio uses: {spec.twilio_default}")
    return ", ".join(parts[:2]) + (f"; {parts[2]}" if len(parts) > 2 else "") + "."


def field_help(spec: FieldSpec) -> list[str]:
    lines = [spec.help]
    if not spec.required:
        lines.append(f"Left empty, Twilio uses: {spec.twilio_default}.")
    return lines
