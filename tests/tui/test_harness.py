"""What the test harness changes in the apps it runs, checked: a headless app's last
frame only is painted (tests/support/painting.py): frames in between are laid out
but not painted, and a frame that cannot be painted still fails the test; apps share
their parsed CSS (tests/support/stylesheets.py), but only under the same theme."""

from __future__ import annotations

import pytest
from textual.app import App, ComposeResult
from textual.strip import Strip
from textual.widget import Widget

from tests.support import stylesheets


class PaintCounter(Widget):
    DEFAULT_CSS = "PaintCounter { height: 3; }"

    def __init__(self, *, broken: bool = False) -> None:
        super().__init__()
        self.painted_lines = 0
        self.broken = broken

    def render_line(self, y: int) -> Strip:
        if self.broken:
            raise RuntimeError("this widget cannot be painted")
        self.painted_lines += 1
        return Strip.blank(self.size.width)


class OneWidgetApp(App[None]):
    def __init__(self, *, broken: bool = False) -> None:
        super().__init__()
        self.counter = PaintCounter(broken=broken)

    def compose(self) -> ComposeResult:
        yield self.counter


async def test_frames_are_laid_out_but_only_the_last_is_painted() -> None:
    app = OneWidgetApp()
    async with app.run_test(size=(40, 10)) as pilot:
        for height in (3, 5, 4):
            app.counter.styles.height = height
            app.counter.refresh()
            await pilot.pause()
            assert app.counter.size.height == height  # laid out
        assert app.counter.painted_lines == 0
    assert app.counter.painted_lines == 4  # the last frame, in full


async def test_a_frame_that_cannot_be_painted_fails_the_test() -> None:
    with pytest.raises(RuntimeError, match="cannot be painted"):
        async with OneWidgetApp(broken=True).run_test(size=(40, 10)) as pilot:
            await pilot.pause()


async def test_apps_share_parsed_css_only_under_the_same_theme() -> None:
    async def rules_of(theme: str) -> list[object]:
        app = OneWidgetApp()
        app.theme = theme
        async with app.run_test(size=(40, 10)):
            return list(app.stylesheet.rules)

    first, again, other_theme = (
        await rules_of("textual-dark"),
        await rules_of("textual-dark"),
        await rules_of("textual-light"),
    )
    assert stylesheets._parsed
    assert [id(rule) for rule in again] == [id(rule) for rule in first]
    assert not {id(rule) for rule in other_theme} & {id(rule) for rule in first}
