"""LiveText: a text whose height follows its content, laid out again only when the
number of lines it needs changes."""

from __future__ import annotations

from typing import Any

from textual.app import App, ComposeResult
from textual.widgets import Static

from tui.widgets.text import LiveText


class LiveTextApp(App[None]):
    CSS = "#auto-wide { width: auto; }"

    def compose(self) -> ComposeResult:
        yield LiveText("one line", id="facts", markup=False)
        yield Static("below", id="below")
        yield LiveText("short", id="auto-wide", markup=False)


def layout_requests(text: LiveText, monkeypatch: Any) -> list[bool]:
    """Every refresh the text asks for: True for those asking for a layout pass."""
    requests: list[bool] = []
    original = LiveText.refresh

    def refresh(self: LiveText, *regions: Any, **options: Any) -> Any:
        if self is text:
            requests.append(bool(options.get("layout")))
        return original(self, *regions, **options)

    monkeypatch.setattr(LiveText, "refresh", refresh)
    return requests


def shown_lines(text: LiveText) -> list[str]:
    region = text.content_region
    return [strip.text.rstrip() for strip in text.render_lines(text.size.region)][: region.height]


async def test_new_text_of_the_same_height_is_repainted_without_a_layout_pass(monkeypatch):
    app = LiveTextApp()
    async with app.run_test(size=(40, 10)) as pilot:
        await pilot.pause()  # the first layout is done
        text = app.query_one("#facts", LiveText)
        requests = layout_requests(text, monkeypatch)
        text.update("another line")
        await pilot.pause()
        assert requests and not any(requests)
        assert text.size.height == 1
        assert shown_lines(text) == ["another line"]


async def test_more_lines_lay_the_screen_out_again():
    app = LiveTextApp()
    async with app.run_test(size=(40, 10)) as pilot:
        await pilot.pause()  # the first layout is done
        text, below = app.query_one("#facts", LiveText), app.query_one("#below", Static)
        top_of_below = below.region.y
        text.update("first\nsecond\nthird")
        await pilot.pause()
        assert text.size.height == 3
        assert below.region.y == top_of_below + 2
        assert shown_lines(text) == ["first", "second", "third"]
        text.update("back to one")
        await pilot.pause()
        assert text.size.height == 1
        assert below.region.y == top_of_below


async def test_a_line_too_long_for_the_width_wraps_and_grows():
    app = LiveTextApp()
    async with app.run_test(size=(40, 10)) as pilot:
        await pilot.pause()  # the first layout is done
        text = app.query_one("#facts", LiveText)
        text.update("word " * 12)  # 60 cells on a 40-cell screen: two lines
        await pilot.pause()
        assert text.size.height == 2


async def test_a_text_as_wide_as_its_content_is_laid_out_for_every_change(monkeypatch):
    app = LiveTextApp()
    async with app.run_test(size=(40, 10)) as pilot:
        await pilot.pause()  # the first layout is done
        text = app.query_one("#auto-wide", LiveText)
        requests = layout_requests(text, monkeypatch)
        text.update("a good deal longer")
        await pilot.pause()
        assert any(requests)
        assert text.size.width == len("a good deal longer")
