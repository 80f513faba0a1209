"""scripts/bench.py runs and prints its rows (no timing is asserted: the machines
are shared and noisy; the figures are for reading)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

BENCH = Path(__file__).resolve().parents[2] / "scripts" / "bench.py"
ROWS = (
    "first-frame", "peak-memory", "help", "buy-help", "dry-run", "keystroke",
    "search", "wizard-run", "serve-p50", "serve-p99", "serve-c20-p50", "serve-c20-p99",
)  # fmt: skip


def bench(*arguments: str) -> str:
    result = subprocess.run(
        [sys.executable, str(BENCH), *arguments], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_every_row_is_listed_with_its_target():
    listed = [line.split()[0] for line in bench("--list").splitlines()]
    assert listed == list(ROWS)


def test_the_cheap_rows_print_a_figure_a_baseline_and_a_ratio():
    output = bench("--quick", "--repeat", "1", "--only", "pty,cli,server")
    assert output.startswith("machine: ")
    table = [line for line in output.splitlines() if line.startswith("| ") and "---" not in line]
    assert table[0].startswith("| Figure | number-wizard | baseline | ratio |")
    assert len(table) == 1 + 2 + 3 + 4  # header, pty, cli, server rows
    for row in table[1:]:
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        wizard, baseline, ratio = cells[1:4]
        assert re.fullmatch(r"\d+(\.\d+)?", wizard), row
        assert re.fullmatch(r"\d+(\.\d+)?", baseline), row
        assert re.fullmatch(r"\d+\.\d\d×", ratio), row
    # The dry run's floor (its libraries alone), both ways, against the baseline.
    assert output.startswith("machine: ") and "\nbytecode: compiled (" in output
    floors = [line for line in output.splitlines() if line.startswith("- with")]
    assert len(floors) == 2, output
    for line in floors:
        assert re.search(r": \d+\.\d+ s, \d+\.\d\d× the baseline", line), line
    assert re.search(r"dry run is \d+\.\d\d× this floor", floors[0]), floors[0]
