"""Write the plain mode's transcript for the README: screenshots/plain-mode.txt.

    .venv/bin/python scripts/plain_transcript.py            # write it
    .venv/bin/python scripts/plain_transcript.py --check    # exit 1 if it or the README excerpt is stale

A British mobile that needs an address and a bundle is found by searching and
bought start to finish on the in-process sandbox, in plain mode, with the
answers the tests use (tests/support/plain.py) and what a terminal echoes of
them: fixed clock, receipts in the relative folder receipts/, a clean
environment (as scripts/screenshots.py). Running it twice gives the same file
byte for byte. The README's excerpt (between the `plain-transcript` markers)
must be a part of it, line for line.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "screenshots" / "plain-mode.txt"
README = ROOT / "README.md"
NUMBER = "+447437283605"

sys.path.insert(0, str(ROOT))


def transcript(work: Path) -> str:
    from tests.support.app_factory import fixed_clock
    from tests.support.plain import (
        ACCOUNT,
        DETAILS,
        SMS_WEBHOOK,
        SUMMARY_QUIT,
        VOICE_URL,
        VOICE_WEBHOOK,
        buy,
        compliance,
        make_plain,
        search,
    )
    from tui.services.receipts import ReceiptBook

    os.chdir(work)  # the receipts go to the relative folder receipts/
    voice = list(VOICE_WEBHOOK)
    at = voice.index(("Voice URL [", VOICE_URL))
    voice[at:at] = [("Voice URL [", "?"), ("Voice URL [", "example.org/calls")]  # help, then a mistake
    details = list(DETAILS)
    details[0] = ("Friendly name [", "Support line")
    wizard, output = make_plain(
        work,
        [
            *ACCOUNT,
            *search("GB", can_do="voice, sms", pick="3"),
            *voice,
            *SMS_WEBHOOK,
            *details,
            *compliance(address="1", bundle="1"),
            *buy(NUMBER),
            *SUMMARY_QUIT,
        ],
        echo=True,
        receipts=ReceiptBook(Path("receipts"), clock=fixed_clock),
    )
    if wizard.run() != 0:
        raise SystemExit("the plain wizard did not finish")
    text = output.getvalue()
    if f"Bought {NUMBER}." not in text or "\x1b" in text:
        raise SystemExit("the transcript does not show a clean purchase")
    return "$ number-wizard --plain --sandbox\n" + text


def readme_excerpt() -> list[str]:
    """The lines of the README's fenced excerpt between the markers."""
    text = README.read_text("utf-8")
    start, end = "<!-- plain-transcript: start -->", "<!-- plain-transcript: end -->"
    if start not in text or end not in text:
        return []
    block = text.split(start, 1)[1].split(end, 1)[0].strip().splitlines()
    return [line for line in block if not line.startswith("```")]


def is_part_of(excerpt: list[str], lines: list[str]) -> bool:
    width = len(excerpt)
    return any(lines[i : i + width] == excerpt for i in range(len(lines) - width + 1))


def main(check: bool) -> int:
    from scripts.screenshots import isolate_environment

    here = Path.cwd()
    with tempfile.TemporaryDirectory(prefix="nw-plain-transcript-") as tmp:
        work = Path(tmp)
        isolate_environment(work / "home")
        try:
            text = transcript(work)
        finally:
            os.chdir(here)
    problems = []
    if check:
        if not OUT.is_file() or OUT.read_text("utf-8") != text:
            problems.append(f"{OUT.relative_to(ROOT)} is out of date (run scripts/plain_transcript.py)")
    else:
        OUT.write_text(text, "utf-8")
        print(f"wrote {OUT.relative_to(ROOT)}")
    excerpt = readme_excerpt()
    if not excerpt or not is_part_of(excerpt, text.splitlines()):
        problems.append(
            "README.md's plain-mode excerpt is not a part of the transcript: copy it from the file"
        )
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare instead of writing")
    sys.exit(main(parser.parse_args().check))
