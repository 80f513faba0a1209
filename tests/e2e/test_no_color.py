"""NO_COLOR (https://no-color.org) is honoured everywhere the product writes to a
terminal: the full-screen wizard draws in greys only (Textual's monochrome
filter), the command line's click output carries no colour, and the plain mode
never writes an escape sequence at all (tests/e2e/test_plain_terminal.py).
Each check runs in a real pseudo-terminal, where colour would be on."""

from __future__ import annotations

import io
import os
import re
import sys
import textwrap
from pathlib import Path

import pexpect
import pytest

pytestmark = pytest.mark.e2e

SGR = re.compile(r"\x1b\[([0-9;:]*)m")
# The 256-colour palette's greys: the grey ramp and the cube's r = g = b corners.
GREY_INDEXES = {*range(232, 256), 16, 59, 102, 145, 188, 231, 0, 7, 8, 15}
GREY_BASIC = {30, 37, 40, 47, 90, 97, 100, 107}


def colours(text: str) -> set[tuple[str, ...]]:
    """Every colour the SGR sequences in `text` set: ("rgb", r, g, b), ("256", n) or ("basic", n)."""
    found: set[tuple[str, ...]] = set()
    for params in SGR.findall(text):
        parts = [p for p in re.split("[;:]", params) if p != ""] or ["0"]
        i = 0
        while i < len(parts):
            code = int(parts[i])
            if code in (38, 48, 58) and i + 1 < len(parts):
                if parts[i + 1] == "2":
                    found.add(("rgb", *parts[i + 2 : i + 5]))
                    i += 5
                    continue
                if parts[i + 1] == "5":
                    found.add(("256", parts[i + 2]))
                    i += 3
                    continue
            if 30 <= code <= 37 or 40 <= code <= 47 or 90 <= code <= 97 or 100 <= code <= 107:
                found.add(("basic", str(code)))
            i += 1
    return found


def is_grey(colour: tuple[str, ...]) -> bool:
    kind, *values = colour
    if kind == "rgb":
        return len(set(values)) == 1
    if kind == "256":
        return int(values[0]) in GREY_INDEXES
    return int(values[0]) in GREY_BASIC


def environment(*, no_color: bool) -> dict[str, str]:
    env = dict(os.environ, TERM="xterm-256color")
    env.pop("NO_COLOR", None)
    if no_color:
        env["NO_COLOR"] = "1"
    return env


def wizard_output(env: dict[str, str]) -> str:
    """What the full-screen wizard writes until its Account step has checked the sandbox's credentials."""
    log = io.StringIO()
    child = pexpect.spawn(
        sys.executable,
        ["-m", "tui", "--sandbox"],
        env=env,
        encoding="utf-8",
        timeout=30,
        dimensions=(32, 100),
    )
    child.logfile_read = log
    child.expect_exact("Full (paid) account")
    child.sendcontrol("q")
    child.expect(pexpect.EOF)
    child.close()
    return log.getvalue()


def test_the_full_screen_wizard_draws_in_greys_only_with_no_color(isolated_environment: Path) -> None:
    coloured = colours(wizard_output(environment(no_color=False)))
    assert any(not is_grey(c) for c in coloured), "the check needs a wizard that uses colour by default"
    plain = colours(wizard_output(environment(no_color=True)))
    assert plain, "the wizard should still draw (in greys)"
    assert [c for c in plain if not is_grey(c)] == []


PAINT = textwrap.dedent(
    """
    import sys
    import click
    from tui.cli import cli, main

    @cli.command("paint")
    def paint() -> None:
        click.echo(click.style("painted", fg="red"))

    sys.argv = ["number-wizard", "paint"]
    main()
    """
)


@pytest.mark.parametrize("no_color", [False, True])
def test_the_command_line_writes_colour_only_without_no_color(
    no_color: bool, isolated_environment: Path
) -> None:
    child = pexpect.spawn(
        sys.executable, ["-c", PAINT], env=environment(no_color=no_color), encoding="utf-8", timeout=30
    )
    child.expect(pexpect.EOF)
    output = child.before or ""
    child.close()
    assert "painted" in output
    assert ("\x1b[" in output) is not no_color
