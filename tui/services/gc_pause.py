"""Python's cyclic garbage collector, paused while the program starts.

Starting imports modules and builds classes, Textual's stylesheet and the first
screen: a few hundred thousand objects that live as long as the program. With the
collector on, it went over them again and again while they were being made: about
50 ms of the 350 to 550 ms the wizard took to show its first frame (128 collections,
measured with `gc.callbacks`; scripts/bench.py measures the frame). The command
line pauses it first thing; it resumes once the start is over (the wizard's first
frame, a command's module loaded), with everything alive by then set aside for good
(`gc.freeze`), so that later collections no longer go over it either.
"""

from __future__ import annotations

import gc

_paused = False


def pause() -> None:
    """Pause the collector: the command line's first step."""
    global _paused
    if gc.isenabled():
        gc.disable()
        _paused = True


def resume() -> None:
    """The start is over: the collector runs again, if `pause` stopped it (tests
    build the app without the command line: nothing happens then)."""
    global _paused
    if _paused:
        _paused = False
        gc.freeze()
        gc.enable()
