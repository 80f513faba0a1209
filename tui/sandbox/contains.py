"""The `Contains` pattern of AvailablePhoneNumbers searches (docs/twilio-api.md#searching-mobile-numbers).

Rules from the spec's parameter description: 2 to 16 characters; digits and latin
letters; meta-characters `*` (one character), `%` (any sequence), a leading `+`
(anchor at the start) and a trailing `$` (anchor at the end); with a wildcard at least
two non-meta characters; wildcards only before or after the non-meta characters, never
between them; no two meta-characters next to each other.

Matching: letters stand for their phone-keypad digits (Twilio's "vanity" search), and
the pattern is matched against the E.164 digits without the `+`, so `+4474` finds
numbers starting with country code 44 and 74.
"""

from __future__ import annotations

import re
from itertools import pairwise

from tui.sandbox import errors

META = frozenset("*%+$")
WILDCARDS = frozenset("*%")

KEYPAD = {
    **dict.fromkeys("abc", "2"),
    **dict.fromkeys("def", "3"),
    **dict.fromkeys("ghi", "4"),
    **dict.fromkeys("jkl", "5"),
    **dict.fromkeys("mno", "6"),
    **dict.fromkeys("pqrs", "7"),
    **dict.fromkeys("tuv", "8"),
    **dict.fromkeys("wxyz", "9"),
}


def compile_contains(pattern: str) -> re.Pattern[str]:
    """A regex over E.164 digits for `pattern`, or a 400 error explaining the rule broken."""
    why = _rule_broken(pattern)
    if why:
        raise errors.invalid_parameter("Contains", why)
    regex = ""
    for index, char in enumerate(pattern):
        if char == "+" and index == 0:
            regex += "^"
        elif char == "$":
            regex += "$"
        elif char == "*":
            regex += r"\d"
        elif char == "%":
            regex += r"\d*"
        elif char.isdigit():
            regex += char
        else:
            regex += KEYPAD[char.lower()]
    return re.compile(regex)


def matches(compiled: re.Pattern[str], phone_number: str) -> bool:
    return compiled.search(phone_number.lstrip("+")) is not None


def _rule_broken(pattern: str) -> str | None:
    if not 2 <= len(pattern) <= 16:
        return "The pattern must be 2 to 16 characters long."
    for char in pattern:
        if not (char in META or (char.isascii() and char.isalnum())):
            return f"The character '{char}' is not allowed: use digits, letters, *, %, + and $."
    if "+" in pattern[1:]:
        return "'+' may only start the pattern."
    if "$" in pattern[:-1]:
        return "'$' may only end the pattern."
    for left, right in pairwise(pattern):
        if left in META and right in META:
            return "Meta-characters (*, %, +, $) cannot be next to each other."
    plain_positions = [index for index, char in enumerate(pattern) if char not in META]
    if any(char in WILDCARDS for char in pattern):
        if len(plain_positions) < 2:
            return "A pattern with a wildcard needs at least two digits or letters."
        between = pattern[plain_positions[0] : plain_positions[-1] + 1]
        if any(char in WILDCARDS for char in between):
            return "Wildcards cannot be used between digits or letters."
    if not plain_positions:
        return "The pattern needs at least one digit or letter."
    return None
