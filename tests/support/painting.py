"""Headless test apps paint one frame, the last, instead of every frame.

A Pilot test drives the app without a terminal (Textual's headless driver): every
refresh still composes the changed lines of the screen into strips, and then the
driver throws them away unread. That painting was 22% of the CPU of the Pilot tests
(tests/tui: 192 -> 149 s of CPU for the same tests). What the tests look at is
unchanged: the DOM, the widgets' content and the layout (sizes, positions, scroll
offsets, what is shown or hidden) are all computed as before, since layout is not
painting; `export_screenshot` paints the screen itself, so the snapshot tests see
exactly what a terminal would.

So that a widget that cannot paint still fails its test, the screen on top is
painted in full once as the app shuts down; the snapshot tests paint their scenes,
and the real-terminal tests (tests/e2e/test_terminal_*.py) paint every frame.

Textual has no public switch for this; the two methods replaced here are its own
(textual is pinned exactly in pyproject.toml, and the tests that read a screen,
above all the snapshot tests, fail if painting changes under them).
"""

from __future__ import annotations

from typing import Any

from textual.app import App
from textual.screen import Screen

_installed = False


def paint_only_the_last_frame() -> None:
    """Install the two replacements (once per process)."""
    global _installed
    if _installed:
        return
    _installed = True
    compositor_refresh = Screen._compositor_refresh
    shutdown = App._shutdown

    def refresh_unpainted(screen: Screen[Any]) -> None:
        app = screen.app
        if app.is_headless and not app.is_inline and screen is app.screen:
            # What painting the top screen leaves behind, without the strips.
            screen._compositor._dirty_regions.clear()
            screen._dirty_widgets.clear()
            return
        compositor_refresh(screen)

    async def shutdown_after_painting(app: App[Any]) -> None:
        try:
            if app.is_headless and app._exception is None and app.screen_stack:
                compositor = app.screen._compositor
                if compositor.size:
                    compositor.render_update(full=True, screen_stack=app._background_screens)
        finally:  # a frame that cannot be painted fails the test, after a clean shutdown
            await shutdown(app)

    Screen._compositor_refresh = refresh_unpainted  # type: ignore[method-assign,assignment]
    App._shutdown = shutdown_after_painting  # type: ignore[method-assign,assignment]
