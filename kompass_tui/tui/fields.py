"""The text fields: safe for user text (what is pasted loses control characters; typed keys never
insert them), and the walk-through's score field and evidence boxes. Apart from widgets.py so that
home, the first frame, does not import TextArea.

A SafeTextArea keeps what was typed however the session ends: the app's flush() asks every one
in every screen to hand on text the screen has not heard of yet (keep_typed)."""

from __future__ import annotations

from collections.abc import Callable
from time import monotonic
from typing import TYPE_CHECKING, Any

from textual import events
from textual.binding import Binding
from textual.widgets import Checkbox, Input, TextArea

from kompass_tui.core.sanitize import MAX_TEXT, clean_text, remove_controls
from kompass_tui.errors import InputError
from kompass_tui.tui.widgets import translate_bindings

if TYPE_CHECKING:
    from textual import getters
    from textual.content import Content

    from kompass_tui.tui.app import KompassApp


class SafeInput(Input):
    """A one-line field for names and paths: what is pasted loses control and bidi characters
    (typed keys never insert them), so the field never holds an escape sequence to draw."""

    if TYPE_CHECKING:
        app = getters.app(KompassApp)

    def _on_paste(self, event: events.Paste) -> None:
        # Textual then runs Input's own _on_paste (handlers run down the class tree) with this text.
        event.text, removed = remove_controls(next(iter(event.text.splitlines()), ""), lines=False)
        if removed:
            self.app.notify(self.app.t("pasted_controls", n=removed))


class SafeTextArea(TextArea):
    """A text field for notes and texts: what is pasted keeps its lines and tabs and loses other
    control and bidi characters.

    on_typed(field) hands the text on to be saved (the screen sets it); handed is the text as last
    handed on (or loaded). keep_typed() hands on what the field holds but its screen has not heard
    of yet: the app calls it for every such field before the session ends, so no screen can forget."""

    on_typed: Callable[[SafeTextArea], None] | None = None
    handed: str = ""

    if TYPE_CHECKING:
        app = getters.app(KompassApp)

    def keep_typed(self) -> None:
        if self.on_typed is not None and self.text != self.handed:
            self.on_typed(self)

    async def _on_paste(self, event: events.Paste) -> None:  # async as TextArea's (it awaits nothing)
        # Textual then runs TextArea's own _on_paste (handlers run down the class tree) with this text.
        try:
            event.text, removed = clean_text(event.text, "the pasted text")
            after = len(self.text) - len(self.selected_text) + len(event.text)
            if after > MAX_TEXT:
                raise InputError(
                    f"with what was pasted the text would be {after:,} characters; Kompass keeps at most {MAX_TEXT:,}"
                )
        except InputError as exc:  # over the length limit: nothing is pasted
            event.prevent_default()
            self.app.notify(exc.words_in(self.app.lang), severity="error", timeout=10)
            return
        if removed:
            self.app.notify(self.app.t("pasted_controls", n=removed))


class ClearCheckbox(Checkbox):
    """A checkbox that shows its state without colour too: [x] or [ ] (the sources of a note, the export's choices)."""

    BUTTON_LEFT, BUTTON_RIGHT = "[", "]"

    @property
    def _button(self) -> Content:
        self.BUTTON_INNER = "x" if self.value else " "
        return super()._button


class ScoreInput(Input):
    """The score field. The screen's letter shortcuts work while it has focus (they have
    priority; a note field, which takes every character, keeps them); any other character is
    typed, and what is not a score is refused with the reason.

    Keys count in the order typed, also when several arrive at once (a fast typist over a slow SSH
    link, keys sent by a script). Enter is handled here, as the field's own key: as a binding,
    Textual would run it after the keys queued behind it, and "1⏎5⏎" in one burst would save 15.
    Keys typed before a refusal was on screen are dropped, so "99⏎36⏎" cannot save 36 for the
    sub-question that refused 99."""

    BINDINGS = [Binding("enter", "submit", "k_save", id="kompass.score.submit")]
    MAX_LENGTH = 8

    if TYPE_CHECKING:
        app = getters.app(KompassApp)

    def __init__(self, on_enter: Callable[[str], bool], **kwargs: Any) -> None:
        """on_enter(text) saves what was typed and moves on; False if it refused it."""
        super().__init__(**kwargs)
        translate_bindings(self, self.app.t)
        self.on_enter = on_enter
        self._refused_at = float("-inf")

    def check_consume_key(self, key: str, character: str | None) -> bool:
        # Every character that is not a shortcut of the screen is typed, so `12,5p` or `1 2` shows
        # as typed and is refused with the reason, never saved as 12.5 or 12.
        shortcuts = self.screen._bindings.key_to_bindings  # textual 8.2.8: the keys as mapped (keymap too)
        return character is not None and character.isprintable() and key not in shortcuts

    def seen_refusal(self, typed_at: float) -> bool:
        """True for a key typed after the last refusal was on screen (typed_at: Textual's event clock)."""
        return typed_at > self._refused_at

    async def _on_key(self, event: events.Key) -> None:
        if self.seen_refusal(event.time) and event.key != "enter":
            await super()._on_key(event)
            return
        event.stop()
        event.prevent_default()
        if self.seen_refusal(event.time):
            await self.action_submit()

    async def action_submit(self) -> None:
        if not self.on_enter(self.value):
            self.refuse()

    def refuse(self) -> None:
        """What was typed was not taken (the reason is beside the field): keys typed before now are
        dropped, and the text is selected, so typing replaces it."""
        self._refused_at = monotonic()  # Textual stamps key events with this clock (POSIX)
        self.action_select_all()

    @property
    def content_width(self) -> int:
        # Input sizes its scroll area to the text, so each key changed it and asked the whole
        # screen for a new layout. A score is at most MAX_LENGTH characters and always fits: a
        # fixed width makes a key repaint the field alone.
        return self.MAX_LENGTH + 2
