"""The wizard's start: the collector paused by the command line runs again once
the first step is on the screen (tui/services/gc_pause.py)."""

from __future__ import annotations

import gc

from tests.support.pilot import settle, step_of
from tui.services import gc_pause


async def test_the_first_frame_ends_the_collectors_pause(make_app):
    app = make_app()
    thresholds = gc.get_threshold()
    gc_pause.pause()
    try:
        async with app.run_test(size=(100, 32)) as pilot:
            await settle(pilot)
            assert step_of(app) == "account"
            assert gc.isenabled()
    finally:
        gc_pause._paused = False
        gc.enable()
        gc.set_threshold(*thresholds)
