"""Widgets and helpers every screen uses: user text made safe for a widget (plain, line), the
title bar, and the app-wide settings of text fields (settle).

User text (names, notes, framework texts, file names) is never given to a widget as a `str`, which
Textual would read as markup (`[/]` crashes it, `[link=…]` makes a link, `[@click=…]` an action):
`plain()` and `line()` make it Text, shown through sanitize.visible, so no escape sequence or
control character reaches the terminal."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from rich.text import Text
from textual.dom import DOMNode
from textual.widgets import Static

from kompass_tui.core.sanitize import one_line, visible

if TYPE_CHECKING:
    from textual import getters

    from kompass_tui.tui.app import KompassApp


def plain(text: str, style: str = "") -> Text:
    """User text for a widget, multi-line: never markup, controls shown as visible escapes."""
    return Text(visible(text), style=style)


def line(text: str, style: str = "", limit: int | None = None) -> Text:
    """User text for a widget on one line (cut to limit characters with …)."""
    return Text(one_line(text, limit), style=style)


def translate_bindings(node: DOMNode, t: Callable[[str], str]) -> None:
    """Replace each binding description (and tooltip: the longer words help and the palette show)
    that is an i18n key (k_…) by its text in the app's language; Textual's own bindings keep theirs."""

    def words(text: str) -> str:
        return t(text) if text.startswith("k_") else text

    bindings = node._bindings.key_to_bindings  # textual 8.2.8: per-instance copy of the class bindings
    for key, entries in bindings.items():
        bindings[key] = [replace(b, description=words(b.description), tooltip=words(b.tooltip)) for b in entries]


def settle(node: DOMNode) -> None:
    """Apply app-wide settings to the text fields in node: no blinking cursor where the app says so
    (repeatable snapshots, and some users prefer it)."""
    if not node.app.cursor_blink:  # type: ignore[attr-defined]
        for field in node.query("Input, TextArea"):
            field.cursor_blink = False  # type: ignore[attr-defined]


class TitleBar(Static):
    """The top line: "Kompass — <what this screen shows>". One plain line (Textual's Header is a
    tree of widgets with a clock slot, and costs the first frame more than it gives)."""

    DEFAULT_CSS = """
    TitleBar {
        dock: top;
        height: 1;
        width: 100%;
        background: $panel;
        color: $foreground;
        text-style: bold;
        content-align: center middle;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    """

    if TYPE_CHECKING:
        app = getters.app(KompassApp)  # Textual's own way to type `app` (a read-only descriptor)

    def on_mount(self) -> None:
        self.watch(self.screen, "sub_title", self._show, init=True)

    def _show(self, sub_title: str) -> None:
        title = f"{self.app.title} — {sub_title}" if sub_title else self.app.title
        unshared = f" · {self.app.t('unshared', n=self.app.unshared)}" if self.app.unshared else ""
        self.update(line(f"{title} · {self.app.evaluator}{unshared}"))

    def refresh_title(self) -> None:
        self._show(self.screen.sub_title or "")
