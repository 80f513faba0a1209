"""No field takes control characters (C0, DEL, C1) or undecodable bytes: the
domain rule refuses them with a clear message, so the wizard, the models and the
command line all do, and nothing reaches a form body or a terminal raw."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tui.domain import rules
from tui.domain.fields import PURCHASE_FIELDS
from tui.domain.purchase import build_request
from tui.domain.search import SEARCH_FIELDS

REPO = Path(__file__).resolve().parents[2]
TEXT_FIELDS = [spec for spec in (*PURCHASE_FIELDS, *SEARCH_FIELDS) if spec.kind != "bool"]


@pytest.mark.parametrize(
    ("char", "named"),
    [
        ("\x07", "a bell character"),
        ("\x1b", "an escape character (ESC)"),
        ("\t", "a tab"),
        ("\n", "a line break"),
        ("\x7f", "a delete character (DEL)"),
        ("\x85", "a control character (U+0085)"),  # C1: NEL
        ("\x9b", "a control character (U+009B)"),  # C1: CSI, a one-byte escape sequence
    ],
)
@pytest.mark.parametrize("spec", TEXT_FIELDS, ids=[s.name for s in TEXT_FIELDS])
def test_every_text_field_refuses_control_characters(spec, char: str, named: str) -> None:
    with pytest.raises(rules.RuleError, match=re.escape(f"This contains {named}, which no field takes")):
        spec.check(f"ab{char}c")


def test_undecodable_bytes_are_refused() -> None:
    with pytest.raises(rules.RuleError, match="not valid text"):
        rules.printable("Support\udcff")  # how Python hands over an undecodable byte


def test_the_purchase_model_refuses_them_too() -> None:
    request, problems = build_request({"phone_number": "+31616953194", "friendly_name": "Sup\x1b[2Jport"})
    assert request is None
    assert [p.field for p in problems] == ["friendly_name"]


def test_ordinary_text_passes() -> None:
    assert rules.printable("Support line — Zürich ☎") == "Support line — Zürich ☎"


@pytest.mark.parametrize(
    "args",
    [
        ["buy", "--phone-number", "+31616953194", "--friendly-name", b"Sup\xffport", "--dry-run"],
        ["buy", "--phone-number", b"+3161\xff6953194", "--dry-run"],
        ["buy", "--phone-number", "+31616953194", "--voice-url", "https://example.com/\x07", "--dry-run"],
        ["search", "--country", b"G\xff"],
        [b"--prof\xffile", "x"],
    ],
    ids=["friendly-name-bytes", "phone-bytes", "url-bell", "country-bytes", "option-bytes"],
)
def test_the_command_line_says_so_and_exits_2_never_a_traceback(tmp_path: Path, args: list) -> None:
    argv = [
        sys.executable.encode(),
        b"-m",
        b"tui",
        *(a if isinstance(a, bytes) else a.encode() for a in args),
    ]
    argv.append(b"--sandbox")
    result = subprocess.run(
        argv,
        capture_output=True,
        cwd=REPO,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"},
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    stderr = result.stderr.decode("utf-8", "replace")
    assert result.returncode == 2, stderr
    assert "Traceback" not in stderr
    assert "rror" in stderr  # "error: …" or click's "Error: …"
