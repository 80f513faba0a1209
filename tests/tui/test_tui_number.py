"""The Number step: searching (in a worker, cancellable), picking, empty results,
and what is said about the chosen number."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Button, DataTable, Select

from tests.support.app_factory import sandbox_of
from tests.support.pilot import (
    choose,
    control,
    field,
    go,
    settle,
    step_of,
    text_of,
    type_into,
    type_number,
)
from tui.sandbox.seed import MOBILE_INVENTORY


async def countries_loaded(pilot) -> None:
    await go(pilot, "number")
    select = pilot.app.screen.query_one("#country", Select)
    assert select.value is not Select.NULL  # the first country is chosen once loaded


async def searched(pilot, country: str) -> DataTable:
    """The Number step's search in `country`, by the mouse; its results table."""
    await countries_loaded(pilot)
    await choose(pilot, "country", country)
    await pilot.click("#search")
    await settle(pilot)
    return pilot.app.screen.query_one("#results", DataTable)


async def test_search_and_pick_with_the_keyboard(make_app):
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await countries_loaded(pilot)
        # Country by keyboard: open the list, type to find, Enter.
        app.screen.query_one("#country", Select).focus()
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press(*"United")
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen.query_one("#country", Select).value == "GB"
        app.screen.query_one("#search", Button).focus()
        await pilot.press("enter")
        await settle(pilot)
        table = app.screen.query_one("#results", DataTable)
        gb = [row.phone_number for row in MOBILE_INVENTORY["GB"]]
        assert table.row_count == len(gb)
        assert app.focused is table  # results take the focus: Enter picks
        assert text_of(app, "#search-status") == f"{len(gb)} numbers · Enter picks one"
        await pilot.press("down", "enter")
        await settle(pilot)
        assert app.draft.get("phone_number") == gb[1]
        assert app.draft.picked is not None and app.draft.picked.phone_number == gb[1]
        assert f"Picked {gb[1]}" in text_of(app, "#search-status")
        assert "From the search" in text_of(app, "#number-facts")
        assert control(app, "phone_number").value == gb[1]
        await pilot.press("ctrl+n")
        await settle(pilot)
        assert step_of(app) == "voice"


async def test_each_result_row_shows_the_number_its_capabilities_address_and_price(make_app):
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        table = await searched(pilot, "GB")
        rows = [table.get_row_at(i) for i in range(table.row_count)]
        # Text cells, never strings the table would read as markup.
        assert all(isinstance(cell, Text) for row in rows for cell in row)
        shown = {str(row[0]): [cell.plain for cell in row] for row in rows}
        for seeded in MOBILE_INVENTORY["GB"]:
            caps = [
                name
                for name, on in (
                    ("Voice", seeded.voice),
                    ("SMS", seeded.sms),
                    ("MMS", seeded.mms),
                    ("Fax", seeded.fax),
                )
                if on
            ]
            expected = [seeded.phone_number, "", ", ".join(caps), seeded.address_requirements, "1.00 USD"]
            assert shown[seeded.phone_number] == expected


async def test_search_and_pick_with_the_mouse(make_app):
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        table = await searched(pilot, "NL")
        assert table.row_count == len(MOBILE_INVENTORY["NL"])
        first = MOBILE_INVENTORY["NL"][0].phone_number
        # Since Textual 7.5 a click selects only an already highlighted row.
        await pilot.click("#results", offset=(3, 1))
        await pilot.click("#results", offset=(3, 1))
        await settle(pilot)
        assert app.draft.get("phone_number") == first
        await pilot.click("#next")
        await settle(pilot)
        assert step_of(app) == "voice"


async def test_filters_are_sent_and_narrow_the_search(make_app):
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await countries_loaded(pilot)
        await choose(pilot, "country", "GB")
        await type_into(pilot, "contains", "79")
        await pilot.click("#filter-no-address")
        await pilot.pause()
        await pilot.click("#search")
        await settle(pilot)
        found = [n.phone_number for n in app.context.results]
        expected = [
            r.phone_number
            for r in MOBILE_INVENTORY["GB"]
            if "79" in r.phone_number[1:] and r.address_requirements == "none"
        ]
        assert found and sorted(found) == sorted(expected)


async def test_an_empty_result_says_so_and_suggests_loosening_a_filter(make_app):
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await countries_loaded(pilot)
        await choose(pilot, "country", "BE")  # Belgium lists mobile, has none in stock
        await pilot.click("#search")
        await settle(pilot)
        status = text_of(app, "#search-status")
        assert app.screen.query_one("#results", DataTable).row_count == 0
        assert status.startswith("No mobile numbers in BE match.")
        assert "Loosen a filter" in status
        # The same for filters that exclude everything.
        await choose(pilot, "country", "GB")
        await type_into(pilot, "contains", "0000000")
        await pilot.click("#search")
        await settle(pilot)
        assert text_of(app, "#search-status").startswith("No mobile numbers in GB match.")
        assert "clear Contains" in text_of(app, "#search-status")


async def test_a_search_can_be_cancelled_and_the_screen_stays_responsive(make_app):
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await countries_loaded(pilot)
        await choose(pilot, "country", "GB")
        sandbox_of(app).faults.add("GET", r"/Mobile\.json$", delay_after_commit=20)
        await pilot.click("#search")
        await pilot.pause()
        table = app.screen.query_one("#results", DataTable)
        assert table.loading
        assert text_of(app, "#search-status") == "Searching GB…"
        assert app.screen.query_one("#search", Button).disabled
        searching = [w for w in app.workers if w.group == "search"]
        assert searching and searching[0].is_running
        # Still responsive: typing works while the search waits.
        await type_into(pilot, "contains", "12")
        assert app.draft.search["contains"] == "12"
        await pilot.click("#cancel-search")
        await settle(pilot)
        assert searching[0].is_cancelled
        assert text_of(app, "#search-status") == "Search cancelled."
        assert not table.loading
        assert not app.screen.query_one("#search", Button).disabled
        assert app.screen.query_one("#cancel-search", Button).disabled


async def test_not_mobile_number_gets_a_warning_not_a_refusal(make_app):
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await go(pilot, "number")
        await type_number(pilot, "+442079460000")  # a London landline (drama range)
        assert field(app, "phone_number").error == ""
        facts = text_of(app, "#number-facts")
        assert "landline" in facts
        assert "⚠ +442079460000 is not a mobile number" in facts
        await pilot.press("ctrl+n")
        await settle(pilot)
        assert step_of(app) == "voice"  # a warning, not a refusal
        # The review repeats it.
        await go(pilot, "review")
        assert "is not a mobile number" in text_of(app, "#review-warnings")


async def test_a_mobile_number_gets_no_warning(make_app):
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await go(pilot, "number")
        await type_number(pilot, "+447929436483")
        facts = text_of(app, "#number-facts")
        assert facts.startswith("Chosen: +447929436483 · United Kingdom · mobile")
        assert "⚠" not in facts


async def test_typing_another_number_forgets_the_picked_one(make_app):
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await searched(pilot, "GB")
        await pilot.press("enter")
        await settle(pilot)
        assert app.draft.picked is not None
        await type_number(pilot, "+447956893485")
        assert app.draft.get("phone_number") == "+447956893485"
        assert app.draft.picked is None


async def test_enter_in_contains_runs_the_search(make_app):
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await go(pilot, "number")
        await choose(pilot, "country", "GB")
        app.screen.query_one("#control-contains").focus()
        await pilot.press(*"+4479", "enter")
        await settle(pilot)
        numbers = [str(key.value) for key in app.screen.query_one("#results").rows]
        assert numbers, "Enter in Contains should have searched"
        assert all(number.startswith("+4479") for number in numbers)
