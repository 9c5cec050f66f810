"""Kompass's keys as F1 lists them and the command palette offers them (Command, commands), and
a binding's key as the user has it (key_of). Imported when help or the palette opens, not at
start-up (making a dataclass costs the first frame)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from textual.dom import DOMNode

if TYPE_CHECKING:
    from textual.screen import Screen


@dataclass(frozen=True)
class Command:
    """One of Kompass's keys where the user is: what F1 lists and the command palette offers."""

    key: str  # as shown: F1, w, 1–9
    description: str  # in the UI's language
    node: DOMNode  # where the action runs
    action: str
    everywhere: bool  # an app-wide key (not the screen's)


def commands(screen: Screen[object]) -> list[Command]:
    """Kompass's keys on a screen: its own and its focused widget's, then the app's, each once
    (the disagreements' 1 … 9 are one line, 1–9). Textual's generic keys (scrolling, copying
    selected text) and moving in a list are left out: help and the palette teach what is Kompass's."""
    found: dict[str, Command] = {}
    for active in screen.active_bindings.values():
        binding = active.binding
        if not (active.enabled and binding.description and (binding.id or "").startswith("kompass.")):
            continue
        words = binding.tooltip or binding.description
        if binding.system or words in found:
            continue
        key = binding.key_display or screen.app.get_key_display(binding)
        everywhere = active.node is screen.app
        found[words] = Command(key, words, active.node, binding.action, everywhere)
    return sorted(found.values(), key=lambda command: command.everywhere)


def key_of(node: DOMNode, binding_id: str) -> str:
    """The key of a binding as the user has it (their keymap, else the default), as shown."""
    for entries in node._bindings.key_to_bindings.values():
        for binding in entries:
            if binding.id == binding_id:
                keys = node.app._keymap.get(binding_id)
                shown = replace(binding, key=keys.split(",")[0]) if keys else binding
                return shown.key_display or node.app.get_key_display(shown)
    return ""
