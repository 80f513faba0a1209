"""The collector paused while the program starts (tui/services/gc_pause.py): the
command line pauses it, and loading a command or the wizard's first step ends the
pause, with what exists by then frozen out of later collections."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import click
import pytest

from tui.cli import cli
from tui.services import gc_pause


@pytest.fixture
def collector() -> Iterator[None]:
    """Whatever a test does to the collector is undone (tests/conftest.py froze
    what the collection left and set its thresholds: kept so)."""
    thresholds = gc.get_threshold()
    yield
    gc_pause._paused = False
    gc.enable()
    gc.set_threshold(*thresholds)


def test_pause_then_resume_freezes_what_exists(collector: None) -> None:
    gc.unfreeze()
    gc_pause.pause()
    assert not gc.isenabled()
    kept = [object() for _ in range(10)]  # made during the start
    gc_pause.resume()
    assert gc.isenabled()
    assert gc.get_freeze_count() > 0
    assert kept


def test_resume_without_pause_changes_nothing(collector: None) -> None:
    gc.unfreeze()
    gc_pause.resume()
    assert gc.isenabled()
    assert gc.get_freeze_count() == 0
    gc.freeze()


def test_a_pause_started_elsewhere_is_not_ended_here(collector: None) -> None:
    """Someone else's gc.disable() is theirs to undo."""
    gc.disable()
    gc_pause.pause()
    gc_pause.resume()
    assert not gc.isenabled()


def test_loading_a_command_ends_the_pause(collector: None) -> None:
    gc_pause.pause()
    ctx = click.Context(cli)
    command = cli.get_command(ctx, "profiles")
    assert command is not None
    assert gc.isenabled()
