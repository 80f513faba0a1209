"""Render the README screenshots: one SVG per screen into screenshots/.

    .venv/bin/python scripts/screenshots.py            # write screenshots/*.svg
    .venv/bin/python scripts/screenshots.py --check    # exit 1 if they are out of date

A British mobile is bought start to finish on the in-process sandbox, with the
same app factory and scenes as the snapshot tests (tests/snapshots/scenes.py):
fixed clock, 100×32 terminal, theme textual-dark (plus the search in
textual-light), no cursor blink, a clean environment. Running it twice gives the
same files byte for byte.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "screenshots"
SIZE = (100, 32)

sys.path.insert(0, str(ROOT))


def isolate_environment(home: Path) -> None:
    """What tests/conftest.py's isolated_environment does, without pytest."""
    for name in list(os.environ):
        if name in ("NO_COLOR", "TEXTUAL_THEME", "TEXTUAL_ANIMATIONS", "FORCE_COLOR") or name.startswith(
            "TWILIO_"
        ):
            del os.environ[name]
    os.environ["HOME"] = str(home)
    for variable, folder in (
        ("XDG_CONFIG_HOME", ".config"),
        ("XDG_DATA_HOME", ".local/share"),
        ("XDG_STATE_HOME", ".local/state"),
        ("XDG_CACHE_HOME", ".cache"),
    ):
        os.environ[variable] = str(home / folder)
    os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"


async def render(scene, theme: str, work: Path) -> str:
    directory = Path(tempfile.mkdtemp(dir=work))
    os.chdir(directory)  # the receipts go to the relative folder receipts/
    app = scene.build(directory, theme=theme)
    async with app.run_test(size=SIZE) as pilot:
        await scene.drive(pilot)
        await pilot.pause()
        await pilot.wait_for_scheduled_animations()
        await pilot.pause()
        return app.export_screenshot()


async def main(check: bool) -> int:
    with tempfile.TemporaryDirectory(prefix="nw-screenshots-") as tmp:
        work = Path(tmp)
        isolate_environment(work / "home")

        from tui.widgets.text import TextInput

        TextInput.CURSOR_BLINK = False  # the same screen whenever it is taken

        from tests.snapshots.scenes import TOUR

        shots = [(f"{name}.svg", scene, "textual-dark") for name, scene in TOUR.items()]
        shots.append(("number-search-light.svg", TOUR["02-number"], "textual-light"))

        OUT.mkdir(exist_ok=True)
        stale = []
        for filename, scene, theme in shots:
            svg = await render(scene, theme, work)
            target = OUT / filename
            if check:
                if not target.is_file() or target.read_text("utf-8") != svg:
                    stale.append(filename)
            else:
                target.write_text(svg, "utf-8")
                print(f"wrote {target.relative_to(ROOT)}")
        os.chdir(ROOT)
    if stale:
        print("out of date: " + ", ".join(stale) + " (run scripts/screenshots.py)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare instead of writing")
    sys.exit(asyncio.run(main(parser.parse_args().check)))
