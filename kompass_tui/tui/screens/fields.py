"""Text fields safe for user text: what is pasted loses control characters (typed keys never
insert them). Apart from base.py so that home, the first frame, does not import TextArea."""

from __future__ import annotations

from textual import events
from textual.widgets import Input, TextArea

from kompass_tui.errors import InputError
from kompass_tui.core.sanitize import MAX_TEXT, clean_text, remove_controls


class SafeInput(Input):
    """A one-line field for names and paths: what is pasted loses control and bidi characters
    (typed keys never insert them), so the field never holds an escape sequence to draw."""

    def _on_paste(self, event: events.Paste) -> None:
        # Textual then runs Input's own _on_paste (handlers run down the class tree) with this text.
        event.text, removed = remove_controls(next(iter(event.text.splitlines()), ""), lines=False)
        if removed:
            self.app.notify(self.app.t("pasted_controls", n=removed))


class SafeTextArea(TextArea):
    """A text field for notes and texts: what is pasted keeps its lines and tabs and loses other
    control and bidi characters."""

    def _on_paste(self, event: events.Paste) -> None:
        # Textual then runs TextArea's own _on_paste (handlers run down the class tree) with this text.
        try:
            event.text, removed = clean_text(event.text, "the pasted text")
            after = len(self.text) - len(self.selected_text) + len(event.text)
            if after > MAX_TEXT:
                raise InputError(f"with what was pasted the text would be {after:,} characters; "
                                 f"Kompass keeps at most {MAX_TEXT:,}")
        except InputError as exc:  # over the length limit: nothing is pasted
            event.prevent_default()
            self.app.notify(str(exc), severity="error", timeout=10)
            return
        if removed:
            self.app.notify(self.app.t("pasted_controls", n=removed))
