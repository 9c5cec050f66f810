"""What the screens share: binding descriptions in the user's language, the title bar, labels
that are safe for user text, and taking in what another session saved.

User text (names, notes, framework texts, file names) is never given to a widget as a `str`, which
Textual would read as markup (`[/]` crashes it, `[link=…]` makes a link, `[@click=…]` an action):
`plain()` and `line()` make it Text, shown through sanitize.visible, so no escape sequence or
control character reaches the terminal."""

from __future__ import annotations

from dataclasses import replace

from rich.text import Text
from textual.dom import DOMNode
from textual.widgets import Static

from kompass_tui.core.sanitize import one_line, visible


def plain(text: str, style: str = "") -> Text:
    """User text for a widget, multi-line: never markup, controls shown as visible escapes."""
    return Text(visible(text), style=style)


def line(text: str, style: str = "", limit: int | None = None) -> Text:
    """User text for a widget on one line (cut to limit characters with …)."""
    return Text(one_line(text, limit), style=style)


def translate_bindings(node: DOMNode, t) -> None:
    """Replace each binding description that is an i18n key (k_…) by its text in the app's language;
    Textual's own bindings keep theirs."""
    bindings = node._bindings.key_to_bindings  # textual 8.2.8: per-instance copy of the class bindings
    for key, entries in bindings.items():
        bindings[key] = [replace(b, description=t(b.description)) if b.description.startswith("k_") else b for b in entries]


class Translated:
    """Mixin for screens and widgets whose BINDINGS use i18n keys as descriptions."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        translate_bindings(self, self.app.t)


class FollowsDisk:
    """Mixin for a screen showing one evaluation (eid, ev, fw, and _seen: the file's fingerprint
    when last read) that takes in what another session saved. show_fresh() redraws."""

    def follow(self, eid: str, loaded=None) -> None:
        """Show evaluation eid. loaded: what the opening screen shows (app.to_show(), or another
        screen's `shown`), so this screen starts from that copy and its age, else it is read here."""
        self.eid = eid
        self.ev, self.fw, self._seen = loaded or self.app.to_show(eid)

    @property
    def shown(self):
        """The evaluation, framework and fingerprint this screen shows: to open another screen with."""
        return self.ev, self.fw, self._seen

    def refresh_from_disk(self, force: bool = False) -> None:
        """Another session saved this evaluation (or a save of ours failed): show what is stored.
        Never while our own saves are on their way."""
        seen = self.app.bench.db.fingerprint(self.eid)
        if force or (not self.app.saving(self.eid) and seen != self._seen):
            self._take(seen)

    def reload(self) -> None:
        """Take the evaluation as last seen: the screens' own copy while saves are on their way."""
        self._take(self.app.bench.db.fingerprint(self.eid))

    def _take(self, seen) -> None:
        self._seen = seen
        fresh = self.app.evaluation(self.eid)
        if fresh is not None:
            self.ev = fresh
            self.show_fresh()

    def show_fresh(self) -> None:
        raise NotImplementedError


def settle(screen) -> None:
    """Apply app-wide settings to a screen's text fields: no blinking cursor where the app says so
    (repeatable snapshots, and some users prefer it)."""
    if not screen.app.cursor_blink:
        for field in screen.query("Input, TextArea"):
            field.cursor_blink = False


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

    def on_mount(self) -> None:
        self.watch(self.screen, "sub_title", self._show, init=True)

    def _show(self, sub_title: str) -> None:
        title = f"{self.app.title} — {sub_title}" if sub_title else self.app.title
        self.update(line(f"{title} · {self.app.evaluator}"))
