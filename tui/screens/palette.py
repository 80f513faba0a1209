"""The command palette finds fields by name or by what they are about
("emergency", "fallback", "fax") and jumps to them with their help open."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, cast

from textual.command import DiscoveryHit, Hit, Hits, Provider

from tui.domain.fields import PURCHASE_FIELDS, FieldSpec

if TYPE_CHECKING:
    from tui.app import WizardApp


def _words(spec: FieldSpec) -> list[str]:
    """What a field may be looked for by: its label, its flag, its keywords."""
    return [spec.label, spec.flag.removeprefix("--"), *spec.keywords]


class FieldCommands(Provider):
    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        app = cast("WizardApp", self.app)
        for spec in PURCHASE_FIELDS:
            score = max(matcher.match(word) for word in _words(spec))
            if score > 0:
                title = f"Field: {spec.label}"
                yield Hit(
                    score,
                    matcher.highlight(title),
                    partial(app.open_field, spec.name),
                    help=spec.help,
                )

    async def discover(self) -> Hits:
        app = cast("WizardApp", self.app)
        for spec in PURCHASE_FIELDS:
            yield DiscoveryHit(f"Field: {spec.label}", partial(app.open_field, spec.name), help=spec.help)
