"""The import contracts in pyproject.toml catch what they are meant to catch.

lint-imports runs on a copy of the package with one deliberate violation; the
gate itself (scripts/check, .ci/run) runs it on the real one.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports_on_a_copy(tmp_path: Path, module: str, source: str) -> subprocess.CompletedProcess[str]:
    """lint-imports with the project's contracts, on a copy of `tui` where
    `module` (a dotted name) is replaced by `source`."""
    if not LINT_IMPORTS.exists():
        pytest.fail(f"{LINT_IMPORTS} is missing: install the test extra (pip install -e '.[test]')")
    shutil.copytree(ROOT / "tui", tmp_path / "tui", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    (tmp_path / Path(*module.split("."))).with_suffix(".py").write_text(source, "utf-8")
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}  # the copy wins over the installed package
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_textual_in_the_domain_breaks_a_contract(tmp_path: Path) -> None:
    result = lint_imports_on_a_copy(tmp_path, "tui.domain.leak", "import textual.widgets\n")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Only screens, widgets and the app import Textual or Rich BROKEN" in result.stdout
    assert "tui.domain.leak -> textual" in result.stdout


def test_a_service_importing_a_screen_breaks_the_layers(tmp_path: Path) -> None:
    result = lint_imports_on_a_copy(
        tmp_path, "tui.services.leak", "def later():\n    from tui.screens.base import StepScreen\n"
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert (
        "Layers: cli > app | plain > screens > widgets > wizard > services > domain BROKEN" in result.stdout
    )
    assert "tui.services.leak -> tui.screens.base" in result.stdout


def test_the_sandbox_may_not_borrow_the_clients_rules(tmp_path: Path) -> None:
    result = lint_imports_on_a_copy(tmp_path, "tui.sandbox.leak", "from tui.domain import rules\n")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "imports nothing of the client BROKEN" in result.stdout
