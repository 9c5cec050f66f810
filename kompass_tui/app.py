"""The Textual app: a thin shell over the workbench. Screens ask the core and render; no rules here.

Every change is saved when it is made. Text typed into notes and area texts is saved half a second
after the last key, when the field is left, and before the app exits: on quit, ctrl+c, a closed
terminal (SIGHUP) or SIGTERM.
"""

from __future__ import annotations

import asyncio
import signal
from typing import Callable, Hashable, TypeVar

from textual.app import App
from textual.binding import Binding
from textual.timer import Timer

from kompass_tui import i18n
from kompass_tui.errors import KompassError
from kompass_tui.service import Workbench

T = TypeVar("T")
TEXT_SAVE_DELAY = 0.5
OUTSIDE_CHECK_INTERVAL = 2.0  # seconds between looks for changes made by another session


class KompassApp(App[None]):
    CSS_PATH = "kompass.tcss"
    TITLE = "Kompass"
    BINDINGS = [
        Binding("f1", "help", "k_help", key_display="F1"),
        Binding("question_mark", "help", "k_help", show=False),
        Binding("ctrl+q", "quit", "k_quit", priority=True, show=False),
        Binding("ctrl+c", "quit", "k_quit", priority=True, show=False),
    ]

    def __init__(self, bench: Workbench, lang: str = "en", open_id: str | None = None, cursor_blink: bool = True):
        super().__init__()
        self.cursor_blink = cursor_blink
        self.bench = bench
        self.lang = lang
        self.open_id = open_id
        self._pending: dict[Hashable, Callable[[], object]] = {}
        self._pending_timer: Timer | None = None
        from kompass_tui.screens.base import translate_bindings

        translate_bindings(self, self.t)

    # -- words --------------------------------------------------------------------

    def t(self, key: str, **values: object) -> str:
        return i18n.t(self.lang, key, **values)

    # -- saving ----------------------------------------------------------------------

    def save(self, change: Callable[[], T]) -> T | None:
        """Run a change through the core; show its error instead of raising. None if it failed."""
        try:
            return change()
        except KompassError as exc:
            self.notify(str(exc), title=self.t("not_saved"), severity="error", timeout=8)
            return None

    def save_later(self, key: Hashable, change: Callable[[], object]) -> None:
        """Save typed text shortly; a newer change with the same key replaces the pending one."""
        self._pending[key] = change
        if self._pending_timer is not None:
            self._pending_timer.stop()
        self._pending_timer = self.set_timer(TEXT_SAVE_DELAY, self.flush)

    def has_pending(self, key: Hashable) -> bool:
        return key in self._pending

    def flush(self) -> bool:
        """Save every pending text now; True if there was anything to save."""
        pending, self._pending = self._pending, {}
        for change in pending.values():
            self.save(change)
        return bool(pending)

    # -- life cycle -----------------------------------------------------------------------

    def on_mount(self) -> None:
        from kompass_tui.screens.home import HomeScreen

        self._loop = asyncio.get_running_loop()
        self.set_interval(OUTSIDE_CHECK_INTERVAL, self.check_outside_changes)
        home = HomeScreen()
        self.push_screen(home)
        if self.open_id:
            home.open_evaluation(self.open_id)

    def check_outside_changes(self) -> None:
        """Let the screen on top pick up what another session saved (one stat, no reading, if nothing did)."""
        refresh = getattr(self.screen, "refresh_from_disk", None)
        if refresh is not None:
            refresh()

    def on_signal(self, signum: int, frame: object) -> None:
        """SIGHUP or SIGTERM, in the main thread: hand it to the event loop if it still runs (after
        it, run() saves what is pending itself)."""
        loop = getattr(self, "_loop", None)
        if loop is not None and loop.is_running():
            loop.call_soon_threadsafe(self.on_terminal_gone)

    def on_terminal_gone(self) -> None:
        """SIGHUP (terminal closed, SSH dropped) or SIGTERM: save what is pending, then leave."""
        self.flush()
        self.exit(return_code=1)

    async def action_quit(self) -> None:
        self.flush()
        self.exit()

    def action_help(self) -> None:
        from kompass_tui.screens.dialogs import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def on_unmount(self) -> None:
        self.flush()


def run(bench: Workbench, lang: str, open_id: str | None = None) -> None:
    """Run the app in this terminal. A closed terminal sends SIGHUP just as reading from it fails:
    the handlers are the process's own (not the event loop's, which end with the loop), so the
    signal can never kill the process before what was typed is saved."""
    app = KompassApp(bench, lang, open_id)
    previous = {signum: signal.signal(signum, app.on_signal) for signum in (signal.SIGHUP, signal.SIGTERM)}
    try:
        app.run()
    finally:
        app.flush()
        for signum, handler in previous.items():
            signal.signal(signum, handler)
