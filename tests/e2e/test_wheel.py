"""The stylesheet lives at the repository root but must ship in the wheel: the
app installed from the built wheel (not editable) into a fresh virtual
environment must find and load it."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import textwrap
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    # The build backend itself (what pip runs to build the wheel), from the test
    # dependencies: no build isolation, works offline.
    subprocess.run(
        [sys.executable, "-m", "hatchling", "build", "--target", "wheel", "--directory", str(out)],
        cwd=REPO,
        check=True,
        timeout=300,
        capture_output=True,
    )
    (built,) = out.glob("number_wizard-*.whl")
    return built


def test_wheel_carries_the_stylesheet_inside_the_package(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    assert "tui/styles.tcss" in names
    assert "styles.tcss" not in names
    shipped = zipfile.ZipFile(wheel).read("tui/styles.tcss").decode()
    assert shipped == (REPO / "styles.tcss").read_text()


def test_app_from_the_wheel_loads_its_stylesheet(wheel: Path, tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    # A venv without its own pip (making one is most of the cost): the test
    # environment's pip installs into it.
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    pip_install = [sys.executable, "-m", "pip", "--python", str(python), "install", "-q"]
    subprocess.run(
        [*pip_install, "--no-deps", "--no-index", str(wheel)],
        check=True,
        timeout=300,
    )
    # The dependencies come from the test environment's site-packages as a plain
    # path entry: its .pth files (and so the editable install of this checkout)
    # are not processed, so `tui` can only come from the wheel.
    site = Path(
        subprocess.check_output(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], text=True
        ).strip()
    )
    (site / "test-deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    script = textwrap.dedent("""
        import asyncio, pathlib, sys
        import tui, tui.app
        from tui.services.session import sandbox_connection
        from tui.services.drafts import DraftStore
        from tui.services.receipts import ReceiptBook

        here = pathlib.Path(sys.argv[1])
        assert "site-packages" in tui.__file__, tui.__file__
        css = tui.app.stylesheet_path()
        assert css == pathlib.Path(tui.__file__).parent / "styles.tcss", css

        async def main():
            app = tui.app.WizardApp(sandbox_connection(), draft_store=DraftStore(here / "d.json"),
                                    receipts=ReceiptBook(here / "r"), resume_draft=False)
            async with app.run_test(size=(100, 32)) as pilot:
                await pilot.pause()
                # The stylesheet read is the wheel's file, and its rules apply: the
                # step body's padding is set only there.
                assert (str(css), "") in app.stylesheet.source, list(app.stylesheet.source)
                body = app.screen.query_one("#step-body")
                rules = app.stylesheet.source[(str(css), "")].content
                assert "#step-body" in rules
                assert body.styles.padding.left > 0, body.styles.padding
        asyncio.run(main())
        print("stylesheet", css)
    """)
    env = {k: v for k, v in os.environ.items() if not k.startswith("TWILIO_")}
    env["HOME"] = str(tmp_path)
    result = subprocess.run(
        [str(python), "-c", script, str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "site-packages/tui/styles.tcss" in result.stdout
