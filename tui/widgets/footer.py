"""The key footer of every screen and dialog, rebuilt only when the keys it shows change."""

from __future__ import annotations

from collections.abc import Hashable

from textual.app import ComposeResult
from textual.reactive import Reactive
from textual.widgets import Footer


class SteadyFooter(Footer):
    """Textual's Footer rebuilds all its keys whenever the screen's bindings may
    have changed: on every focus move, so on every Tab through a form. Most moves
    leave the same keys, in the same state, on show; this footer rebuilds only
    when they differ."""

    _shown: Hashable = None

    def _keys_on_show(self) -> Hashable:
        """What `Footer.compose` draws from: each shown binding's key, label, state
        and tooltip, and the command palette's key."""
        app = self.app
        return (
            self.show_command_palette,
            self.combine_groups,
            tuple(
                (
                    key,
                    app.get_key_display(binding),
                    binding.description,
                    binding.action,
                    binding.group,
                    enabled,
                    tooltip,
                    binding.tooltip,
                )
                for key, (_node, binding, enabled, tooltip) in self.screen.active_bindings.items()
                if binding.show or key == app.COMMAND_PALETTE_BINDING
            ),
        )

    def compose(self) -> ComposeResult:
        # Each key is created `compact` (its own default) and then bound to the
        # footer's value: two class changes, each restyling the key on mount,
        # about 3% of the test suite's CPU. A key created with the footer's value
        # already has it, so the binding changes nothing.
        # (The key class is not public: any child with a `compact` setting is one.
        # The command palette's key is not bound, and keeps its own default.)
        for widget in super().compose():
            compact = getattr(type(widget), "compact", None)
            if isinstance(compact, Reactive) and not widget.has_class("-command-palette"):
                widget.set_reactive(compact, self.compact)
            yield widget

    async def recompose(self) -> None:
        if not self.is_attached:  # a dialog's footer is told of bindings after it closed
            return
        shown = self._keys_on_show()
        if shown == self._shown:
            return
        await super().recompose()
        # Before the screen's bindings are ready the footer composes nothing: that
        # is not what the keys look like, so the next call rebuilds.
        self._shown = shown if self.children else None
