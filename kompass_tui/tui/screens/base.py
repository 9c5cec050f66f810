"""The screens' contract with the app, typed: every screen is a KompassScreen (or KompassModal),
whose `app` is the KompassApp, whose bindings speak the user's language, and which the app tells
when another session saved (refresh_from_disk). A screen showing one evaluation is an
EvaluationScreen: it takes in what another session saved, never over its own saves on their way."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, TypeVar

from textual.screen import ModalScreen, Screen

from kompass_tui.core.framework import Framework
from kompass_tui.core.model import Evaluation
from kompass_tui.tui.widgets import translate_bindings

if TYPE_CHECKING:
    from textual import getters

    from kompass_tui.tui.app import KompassApp, Loaded

ResultT = TypeVar("ResultT")


class KompassScreen(Screen[ResultT]):
    """A screen of Kompass. BINDINGS use i18n keys (k_…) as descriptions, and ids (`kompass.…`)
    that a keymap can remap."""

    HELP_KEY = ""  # the i18n key of the words F1 shows above the keys
    # Bindings in the footer only where the screen is this wide (at 80 columns they are in F1 and ctrl+p).
    WIDE_KEYS: tuple[str, ...] = ()
    WIDE = 110

    if TYPE_CHECKING:
        app = getters.app(KompassApp)  # Textual's own way to type `app` (a read-only descriptor)

    def __init__(self) -> None:
        super().__init__()
        translate_bindings(self, self.app.t)

    def on_screen_resume(self) -> None:
        self.app.settle()  # (a moment between keys to collect garbage in)

    def on_resize(self) -> None:
        if not self.WIDE_KEYS:
            return
        wide = self.size.width >= self.WIDE
        bindings = self._bindings.key_to_bindings  # textual 8.2.8: this screen's own copy
        for key, entries in bindings.items():
            bindings[key] = [replace(b, show=wide) if b.id in self.WIDE_KEYS else b for b in entries]
        self.refresh_bindings()

    def copy_text(self) -> str | None:
        """What ctrl+o copies when no text is selected (the note being written, …); None: nothing."""
        return None

    def refresh_from_disk(self, force: bool = False) -> None:
        """Another session saved (or a save of ours failed, force): show what is stored. Nothing
        to take in unless a screen shows stored data."""


class KompassModal(KompassScreen[ResultT], ModalScreen[ResultT]):
    """A dialog of Kompass, in the middle of the screen it was opened from (a screen's own
    stylesheet styles what is on it, not the screen itself: so here)."""

    DEFAULT_CSS = """
    KompassModal {
        align: center middle;
    }
    """


class EvaluationScreen(KompassScreen[None]):
    """A screen showing one evaluation (eid, ev, fw, and _seen: the file's fingerprint when last
    read) that takes in what another session saved. show_fresh() redraws."""

    def __init__(self, eid: str, loaded: Loaded | None = None) -> None:
        """Show evaluation eid. loaded: what the opening screen shows (app.to_show(), or another
        screen's `shown`), so this screen starts from that copy and its age, else it is read here."""
        super().__init__()
        self.eid = eid
        self.ev, self.fw, self._seen = loaded or self.app.to_show(eid)

    @property
    def shown(self) -> tuple[Evaluation, Framework, list[int] | None]:
        """The evaluation, framework and fingerprint this screen shows: to open another screen with."""
        return self.ev, self.fw, self._seen

    def refresh_from_disk(self, force: bool = False) -> None:
        """Never while our own saves are on their way."""
        seen = self.app.bench.db.fingerprint(self.eid)
        if force or (not self.app.saving(self.eid) and seen != self._seen):
            self._take(seen)

    def reload(self) -> None:
        """Take the evaluation as last seen: the screens' own copy while saves are on their way."""
        self._take(self.app.bench.db.fingerprint(self.eid))

    def _take(self, seen: list[int] | None) -> None:
        self._seen = seen
        fresh = self.app.evaluation(self.eid)
        if fresh is not None:
            self.ev = fresh
            self.show_fresh()

    def show_fresh(self) -> None:
        raise NotImplementedError
