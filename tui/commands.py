"""The command palette's provider: every action that works where the user is, with its key."""

from __future__ import annotations

from functools import partial
from typing import Iterator

from rich.text import Text
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.dom import DOMNode

from tui.keymap import Action, display_keys, effective_actions


class ActionsProvider(Provider):
    """Offers the actions bound on the screen the palette was opened from, and the global ones.

    An action is offered when a node between the focused widget and the app has a binding
    with its id, so a form's actions appear while the form has focus, and each command runs on
    the node that owns the binding, exactly as its key would.
    """

    def _commands(self) -> Iterator[tuple[Action, DOMNode]]:
        owners = self._binding_owners()
        overrides = getattr(self.app, "key_overrides", {})
        for action in effective_actions(overrides).values():
            if action.id in owners and action.id != "command-palette":
                yield action, owners[action.id]

    def _binding_owners(self) -> dict[str, DOMNode]:
        """Map each binding id reachable from the focused widget to the node that owns it."""
        screen = self.screen
        focused = screen.focused
        nodes = list(focused.ancestors_with_self) if focused is not None else [screen, self.app]
        owners: dict[str, DOMNode] = {}
        for node in nodes:
            for node_bindings in node._bindings.key_to_bindings.values():
                for binding in node_bindings:
                    if binding.id is not None:
                        owners.setdefault(binding.id, node)
        return owners

    def _run(self, action: Action, node: DOMNode):
        return self.app.run_action(action.method, node)

    def _help(self, action: Action) -> str:
        return f"{display_keys(action.keys)}   ·   {action.id}"

    async def discover(self) -> Hits:
        for action, node in self._commands():
            yield DiscoveryHit(Text(action.description), partial(self._run, action, node),
                               text=action.description, help=self._help(action))

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for action, node in self._commands():
            # Match the id and the keys too, so "tag-claim" or "ctrl+s" finds the action.
            score = max(matcher.match(action.description), matcher.match(action.id) * 0.9,
                        matcher.match(display_keys(action.keys)) * 0.8)
            if score > 0:
                yield Hit(score, matcher.highlight(action.description),
                          partial(self._run, action, node), text=action.description,
                          help=self._help(action))
