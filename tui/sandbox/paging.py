"""The two paging shapes (docs/twilio-api.md#paging): v2010's `*_uri` keys and v2/pricing's `meta`.

Pages are addressed by `Page` and `PageSize`; the `PageToken` the sandbox puts in next
links is accepted and ignored, which is enough for clients that follow the links.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

from tui.sandbox.context import Request
from tui.sandbox.params import Param

DEFAULT_PAGE_SIZE = 50
PAGING_NAMES = ("PageSize", "Page", "PageToken")


def v2010_page(
    records: Sequence[dict[str, Any]],
    request: Request,
    values: dict[str, Any],
    accepted: tuple[Param, ...],
    list_key: str,
) -> dict[str, Any]:
    size, page, items = _slice(records, values)
    start = page * size

    def link(page_number: int) -> str:
        return f"{request.path}?{_query(request, accepted, size, page_number)}"

    has_next = start + size < len(records)
    return {
        list_key: items,
        "end": start + len(items) - 1 if items else start,
        "first_page_uri": link(0),
        "next_page_uri": link(page + 1) if has_next else None,
        "page": page,
        "page_size": size,
        "previous_page_uri": link(page - 1) if page > 0 else None,
        "start": start,
        "uri": link(page),
    }


def meta_page(
    records: Sequence[dict[str, Any]],
    request: Request,
    values: dict[str, Any],
    accepted: tuple[Param, ...],
    key: str,
    default_origin: str,
) -> dict[str, Any]:
    size, page, items = _slice(records, values)

    def link(page_number: int) -> str:
        query = _query(request, accepted, size, page_number)
        return request.absolute(default_origin, f"{request.path}?{query}")

    has_next = (page + 1) * size < len(records)
    return {
        key: items,
        "meta": {
            "first_page_url": link(0),
            "key": key,
            "next_page_url": link(page + 1) if has_next else None,
            "page": page,
            "page_size": size,
            "previous_page_url": link(page - 1) if page > 0 else None,
            "url": link(page),
        },
    }


def _slice(
    records: Sequence[dict[str, Any]], values: dict[str, Any]
) -> tuple[int, int, list[dict[str, Any]]]:
    size = values.get("PageSize", DEFAULT_PAGE_SIZE)
    page = values.get("Page", 0)
    start = page * size
    return size, page, list(records[start : start + size])


def _query(request: Request, accepted: tuple[Param, ...], size: int, page: int) -> str:
    """The request's own filters, then PageSize and Page (as Twilio's links read)."""
    names = {param.name for param in accepted} - set(PAGING_NAMES)
    filters = [(name, value) for name, value in request.query if name in names]
    pairs = [*filters, ("PageSize", str(size)), ("Page", str(page))]
    if page > 0:
        pairs.append(("PageToken", f"PT{page * size}"))
    return urlencode(pairs)
