"""The Textual app: a thin shell over the workbench. Screens ask the core and render; no rules here.

Every change is saved when it is made, by a background writer in the order made, so the screen
never waits for the disk: a screen applies the (pure) edit to what it shows at once and hands the
save to the writer. Text typed into notes is saved half a second after the last key and when the
field is left. Before the app exits (quit, ctrl+c, a closed terminal (SIGHUP), SIGTERM) every save
is finished. A save that fails is shown, and the screen shows what is on disk again.
"""

from __future__ import annotations

import asyncio
import gc
import os
import signal
import sys
from collections.abc import Callable, Hashable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.css.query import NoMatches
from textual.markup import escape
from textual.timer import Timer

from kompass_tui import i18n
from kompass_tui.core import model
from kompass_tui.core.edits import Change
from kompass_tui.core.framework import Framework
from kompass_tui.core.model import Evaluation
from kompass_tui.core.sanitize import visible
from kompass_tui.errors import KompassError
from kompass_tui.service import FALLBACK_EVALUATOR, Workbench
from kompass_tui.tui.screens.base import EvaluationScreen, KompassScreen
from kompass_tui.tui.writer import Writer

if TYPE_CHECKING:
    from textual.notifications import SeverityLevel
    from textual.screen import Screen

    from kompass_tui.service.sync import SyncReport
    from kompass_tui.tui.keys import Command

T = TypeVar("T")
Loaded = tuple[
    Evaluation, Framework, "list[int] | None"
]  # what a screen opens with: the evaluation, its framework, the file's fingerprint
TEXT_SAVE_DELAY = 0.5
OUTSIDE_CHECK_INTERVAL = 2.0  # seconds between looks for changes made by another session
STATUS_DELAY = 3.0  # seconds after a save before the title bar counts what is not shared (git status)


FULL_COLLECTIONS_BY_HAND = 1_000_000  # (settle) the oldest generation is collected by the app, between screens


class KompassApp(App[None]):
    CSS_PATH = Path(__file__).with_name("kompass.tcss")  # absolute: subclasses elsewhere find it too
    TITLE = "Kompass"
    BINDINGS = [
        Binding("f1", "help", "k_help", key_display="F1", id="kompass.help"),
        Binding("question_mark", "help", "k_help", show=False, id="kompass.help.alternate"),
        Binding("ctrl+p", "command_palette", "k_palette", show=False, id="kompass.palette"),
        Binding("ctrl+o", "copy", "k_copy", show=False, id="kompass.copy"),  # (ctrl+y is redo in a note)
        # (offered where the database is shared: F1 and the palette list it; no room in the footer at 80)
        Binding("f5", "sync", "k_sync", key_display="F5", show=False, id="kompass.sync"),
        Binding("ctrl+q", "quit", "k_quit", priority=True, show=False, id="kompass.quit"),
        # With text selected, ctrl+c copies it (as everywhere else); with nothing selected, it quits.
        Binding(
            "ctrl+c",
            "copy_or_quit",
            "k_quit",
            tooltip="k_copy_or_quit",
            priority=True,
            show=False,
            id="kompass.quit.alternate",
        ),
    ]

    def __init__(
        self,
        bench: Workbench,
        lang: str = "en",
        open_id: str | None = None,
        cursor_blink: bool = True,
        evaluator: str = "",
        ask_who: bool = False,
    ):
        """ask_who: ask who is scoring on opening each evaluation with a team, once (a session of
        `kompass serve`, where the one in the browser need not be the one who started the server)."""
        super().__init__()
        self.ask_each = ask_who
        self._asked: set[str] = set()
        self.cursor_blink = cursor_blink
        self.evaluator = evaluator or FALLBACK_EVALUATOR  # whose scores and notes the walk-through edits
        self.bench = bench
        self.lang = lang
        self.open_id = open_id
        self._settled = False  # (settle)
        self._thresholds = gc.get_threshold()
        self._pending: dict[Hashable, tuple[str, Callable[[], Change]]] = {}
        self._pending_timer: Timer | None = None
        self._known: dict[str, Evaluation] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._ending = False  # a signal ends the process now: save what can be saved, raise nothing
        self.writer = Writer(self._save_failed, self._save_done)
        self.shared = (Path(bench.folder) / ".git").is_dir()  # kompass sync setup was run here (F5 syncs)
        self.unshared = 0  # changes here the team has not had (the title bar says so)
        self._syncing = False
        self._status_due = False
        bench.report = lambda message: self._in_loop(self.notify, message)  # from any thread
        self._translate_bindings()
        from kompass_tui.service.preferences import settings

        saved = settings()
        self.sync_when = saved.sync  # "open", "quit": when the app syncs by itself
        self._saved_theme = saved.theme
        if saved.theme in self.available_themes:
            self.theme = saved.theme
        if saved.keymap:
            self.set_keymap(saved.keymap)

    def _translate_bindings(self) -> None:
        from kompass_tui.tui.widgets import translate_bindings

        translate_bindings(self, self.t)

    # -- the command palette, copying, settings --------------------------------------

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        """ctrl+p: every key of the screen and the app's (as F1 lists them), and what has no key:
        theme, language, your name, a screenshot. In the UI's language."""
        from kompass_tui.tui.keys import commands

        t = self.t
        for command in commands(screen):
            if command.action == "command_palette":
                continue

            def run(command: Command = command) -> None:
                self.call_later(self.run_action, command.action, command.node)

            yield SystemCommand(command.description.capitalize(), t("palette_key", keys=command.key), run)
        yield SystemCommand(t("cmd_theme"), t("cmd_theme_help"), self.action_change_theme)
        other = "en" if self.lang == "sv" else "sv"
        yield SystemCommand(t("cmd_language"), t("cmd_language_help"), lambda: self.set_language(other))
        # (the palette reads its help as markup: a name is escaped, and shown without controls)
        yield SystemCommand(t("cmd_name"), t("cmd_name_help", name=escape(visible(self.evaluator))), self.action_name)
        yield SystemCommand(
            t("cmd_screenshot"), t("cmd_screenshot_help"), lambda: self.set_timer(0.1, self.deliver_screenshot)
        )

    def set_language(self, lang: str) -> None:
        """Speak lang from now on (and at the next start): the screens start again in it, at the
        evaluation that was open."""
        from kompass_tui.service.preferences import remember
        from kompass_tui.tui.screens.home import HomeScreen

        self.flush()
        self.save(lambda: remember(lang=lang))
        self.lang = lang
        self._bindings = self._merge_bindings()  # (the keymap is applied to them as keys come, as ever)
        self._translate_bindings()
        shown = next((s.eid for s in reversed(self.screen_stack) if isinstance(s, EvaluationScreen)), None)
        while len(self.screen_stack) > 2:
            self.pop_screen()
        home = HomeScreen()
        self.switch_screen(home)
        if shown is not None:
            home.open_evaluation(shown)
        self.notify(self.t("language_now"))

    def action_name(self) -> None:
        """Your name as evaluator, from now on and at the next start (unless --as or $KOMPASS_AS)."""
        from kompass_tui.tui.screens.dialogs import NameScreen

        def named(name: str | None) -> None:
            if name:
                from kompass_tui.service.preferences import remember

                if self.save(lambda: remember(name=name)) is not None:
                    self.be(name)
                    self.notify(self.t("name_now", name=name))

        self.push_screen(NameScreen(self.evaluator), named)

    def watch_theme(self, theme: str) -> None:
        """A theme chosen (ctrl+p, Theme) is kept for the next start."""
        if self.is_running and theme != self._saved_theme:
            from kompass_tui.service.preferences import remember

            if self.save(lambda: remember(theme=theme)) is not None:
                self._saved_theme = theme

    def _selection(self) -> str:
        """The text selected: in the focused text field, else on the screen (with the mouse)."""
        from textual.widgets import TextArea

        focused = self.focused
        if isinstance(focused, TextArea) and focused.selected_text:
            return focused.selected_text
        return self.screen.get_selected_text() or ""

    def action_copy_or_quit(self) -> None:
        selected = self._selection()
        if selected:
            self._copy(selected)
        else:
            self.call_later(self.action_quit)

    def action_copy(self) -> None:
        """Copy the selected text, else the screen's own (the note being written, the notes being
        compared), to the clipboard: OSC 52, which works over SSH and in tmux."""
        text = self._selection()
        if not text and isinstance(self.screen, KompassScreen):
            text = self.screen.copy_text() or ""
        if not text:
            self.notify(self.t("nothing_to_copy"), severity="warning")
            return
        self._copy(text)

    def _copy(self, text: str) -> None:
        self.copy_to_clipboard(text)
        self.notify(self.t("copied", n=len(text)))

    # -- words --------------------------------------------------------------------

    def t(self, key: str, **values: object) -> str:
        return i18n.t(self.lang, key, **values)

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = False,
    ) -> None:
        """Every toast: its text is never read as markup (it may hold a name, a note or a file
        name) and shows control characters as visible escapes."""
        super().notify(visible(message), title=visible(title), severity=severity, timeout=timeout, markup=False)

    def _fatal_error(self) -> None:
        """An unexpected error ends the app. Its traceback never shows local variables (they hold
        notes), and in the browser (kompass serve) it is not shown at all: it goes to a file only
        the user can read, and the terminal running `kompass serve` says where."""
        import sys
        import traceback

        from rich.text import Text

        self.bell()
        details = "".join(traceback.format_exception(*sys.exc_info())) if sys.exc_info()[0] else "unknown error"
        from kompass_tui.paths import served

        if served():
            where = _crash_log(details)
            message = Text(
                f"Kompass stopped on an internal error; the details are in {where}."
                if where
                else "Kompass stopped on an internal error."
            )
        else:
            message = Text(visible(details))
        self._exit_renderables.append(message)
        self._close_messages_no_wait()

    # -- saving ----------------------------------------------------------------------

    def save(self, change: Callable[[], T], title: str = "not_saved") -> T | None:
        """Run a change through the core; show its error instead of raising. None if it failed."""
        try:
            return change()
        except KompassError as exc:
            self.notify(exc.words_in(self.lang), title=self.t(title), severity="error", timeout=8)
            return None

    def ask_who(self, ev: Evaluation, then: Callable[[], None], always: bool = False) -> bool:
        """Where the evaluation's team is set and the one scoring here is not on it (or always: to
        switch), ask who they are before their first edit: one of the team (1–9), or join it (a);
        then run then. False if there is nothing to ask (then is not run)."""
        from kompass_tui.core import team
        from kompass_tui.tui.screens.dialogs import ChoiceScreen

        if self.ask_each and ev.evaluators and ev.id not in self._asked:
            always = True
        self._asked.add(ev.id)
        on_team = team.member(ev, self.evaluator) is not None
        if not always and (not ev.team_set or on_team):
            return False
        members = list(ev.evaluators)[:9]
        choices = [(str(n), name) for n, name in enumerate(members, 1)]
        if not on_team:
            choices.append(("a", self.t("join_as", name=self.evaluator)))

        def chosen(key: str | None) -> None:
            if key == "a":
                joined = self.apply(ev.id, ev, self.bench.framework(ev.framework), team.add(self.evaluator))
                for screen in self.screen_stack:  # the screens of this evaluation edit as a member now
                    if isinstance(screen, EvaluationScreen) and screen.eid == ev.id:
                        screen.ev = joined
            elif key is not None:
                self.be(members[int(key) - 1])
            then()

        self.push_screen(ChoiceScreen(self.t("who_are_you", title=ev.title, team=", ".join(members)), choices), chosen)
        return True

    def be(self, name: str) -> None:
        """Score and note as name from now on (shown in every title bar)."""
        self.evaluator = name
        self._titles()

    def _titles(self) -> None:
        from kompass_tui.tui.widgets import TitleBar

        for screen in self.screen_stack:
            for bar in screen.query(TitleBar):
                bar.refresh_title()

    # -- sync (kompass sync): on a worker thread, never the UI's ------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return self.shared if action == "sync" else True

    def action_sync(self) -> None:
        """Sync the database with the team (service.sync): what comes in shows as any other
        session's change does; the title bar then says what is not shared."""
        if not self.shared:
            self.notify(self.t("sync_not_shared"), severity="warning")
            return
        if self._syncing:
            self.notify(self.t("sync_running"))
            return
        self.flush()  # what was just typed goes with it
        self._syncing = True
        self.run_worker(self._sync, thread=True, group="sync", description="sync")

    def _sync(self) -> None:
        from kompass_tui.service.sync import Sync

        try:
            report = Sync(self.bench).sync(self.evaluator)
        except KompassError as exc:
            self._in_loop(self._sync_failed, exc.words_in(self.lang))
        else:
            self._in_loop(self._synced, report)
        finally:
            self._syncing = False
            self._sync_status()

    def _sync_failed(self, words: str) -> None:
        self.notify(words, title=self.t("sync_failed"), severity="error", timeout=10)

    def _synced(self, report: SyncReport) -> None:
        t = self.t
        if report.offline:
            self.notify(t("sync_offline", why=report.offline), severity="warning", timeout=8)
            return
        lines = [t("sync_done", sent=len(report.sent), received=len(report.received))]
        lines += [*report.merged[:3], *report.skipped[:2]]
        self.notify("\n".join(visible(line) for line in lines), timeout=6)
        self.check_outside_changes()  # what came in, now

    def _sync_status(self) -> None:
        """How many changes here the team has not had, for the title bar (worker thread: git)."""
        from kompass_tui.service.sync import Sync

        self._status_due = False
        try:
            state = Sync(self.bench).status(wait=False)
        except KompassError:
            return
        self._in_loop(self._set_unshared, len(state.changed) + state.ahead)

    def _set_unshared(self, count: int) -> None:
        if count != self.unshared:
            self.unshared = count
            self._titles()

    def _status_soon(self) -> None:
        """After a save: the title bar's count again, shortly (one git status for a burst of saves)."""
        if self.shared and not self._status_due:
            self._status_due = True
            self.set_timer(STATUS_DELAY, lambda: self.run_worker(self._sync_status, thread=True, group="sync-status"))

    def read(self, look: Callable[[], T]) -> T | None:
        """save() for what only reads: its error is titled as one."""
        return self.save(look, "cannot_read")

    def preview(self, ev: Evaluation, fw: Framework, change: Change) -> Evaluation:
        """change applied to the evaluation as a screen shows it, stamped with this moment: what the
        screen shows at once, while the same change is saved in the background. What the change
        raises (a score out of range, a text too long) is raised here, and nothing is saved."""
        return change(ev, fw, model.now())

    def apply(self, eid: str, ev: Evaluation, fw: Framework, change: Change) -> Evaluation:
        """Show change at once and save it in the background, in the order made: the writer applies
        the very same change to the stored evaluation, under the lock (Workbench.apply). Returns
        the evaluation to show."""
        shown = self.preview(ev, fw, change)
        self._show(eid, shown)
        self.writer.submit(eid, lambda: self.bench.apply(eid, change))
        return shown

    def save_later(self, key: Hashable, eid: str, make: Callable[[], Change], shown: Evaluation | None = None) -> None:
        """Save typed text shortly, by the same path as apply(). make() builds the change when the
        save is sent (on this thread), from the field as it is then: the text on screen is what is
        saved, even when the session ends before the field's last events were handled."""
        self._show(eid, shown)
        self._pending[key] = (eid, make)
        if self._pending_timer is not None:
            self._pending_timer.stop()
        self._pending_timer = self.set_timer(TEXT_SAVE_DELAY, self.send_pending)

    def has_pending(self, key: Hashable) -> bool:
        return key in self._pending

    def send_pending(self) -> None:
        """Hand the typed text waiting for its half second to the writer now (without waiting)."""
        for key in list(self._pending):  # each handed on before it is let go: a signal may come between
            eid, make = self._pending[key]
            try:
                change = make()
            except KompassError as exc:  # grown past a limit since it was checked: said, not saved
                self._pending.pop(key, None)
                self._show_failure(eid, exc.words_in(self.lang))
                continue

            def job(eid: str = eid, change: Change = change) -> Evaluation:
                return self.bench.apply(eid, change)

            self.writer.submit(eid, job)
            self._pending.pop(key, None)

    def saving(self, eid: str) -> bool:
        """True while a change of eid is typed or being saved."""
        return self.writer.pending(eid) or any(e == eid for e, _ in self._pending.values())

    def flush(self) -> None:
        """Finish every save now, waiting for the writer (on exit, and where a test looks at the disk).
        Text already in a field but whose keys the screen has not handled yet (the session ends
        between the two) is taken too: every text field in every screen hands it on (keep_typed)."""
        if "kompass_tui.tui.fields" not in sys.modules:  # no text field was ever shown
            return self._finish()
        from kompass_tui.tui.fields import SafeTextArea

        for screen in self.screen_stack:
            for field in screen.query(SafeTextArea):
                try:
                    field.keep_typed()
                except Exception:
                    if not self._ending:
                        raise
        self._finish()

    def _finish(self) -> None:
        self.send_pending()
        self.writer.wait()

    def _show(self, eid: str, shown: Evaluation | None) -> None:
        if shown is not None:
            self._known[eid] = shown

    def _latest(self, eid: str) -> Evaluation:
        """The screens' own copy while saves are on their way, else as stored (KompassError if it
        cannot be read)."""
        if self.saving(eid) and eid in self._known:
            return self._known[eid]
        self._known.pop(eid, None)
        return self.bench.get(eid)

    def evaluation(self, eid: str) -> Evaluation | None:
        """The evaluation as the user last saw it (None, with the error shown, if it cannot be read)."""
        return self.read(lambda: self._latest(eid))

    def to_show(self, eid: str) -> Loaded:
        """For a screen that opens: the evaluation as last seen, its framework, and the file's
        fingerprint, taken before the read (a save in between is then taken in at the next look).
        Raises KompassError if it cannot be read."""
        seen = self.bench.db.fingerprint(eid)
        ev = self._latest(eid)
        return ev, self.bench.framework(ev.framework), seen

    def _save_failed(self, eid: Hashable | None, exc: Exception) -> None:
        """In the writer's thread: show the failure, and what is on disk again (eid None: the
        writer's report of a save failed itself; the save is not in question)."""
        message = exc.words_in(self.lang) if isinstance(exc, KompassError) else f"{type(exc).__name__}: {exc}"
        self._in_loop(self._show_failure, eid, message)

    def _show_failure(self, eid: str | None, message: str) -> None:
        self.notify(
            message, title=self.t("not_saved" if eid is not None else "cannot_read"), severity="error", timeout=10
        )
        if eid is None:
            return
        self._known.pop(eid, None)
        if isinstance(self.screen, KompassScreen):
            self.screen.refresh_from_disk(force=True)

    def _save_done(self, eid: Hashable) -> None:
        if not self.writer.pending(eid):
            self._in_loop(self._caught_up, eid)
        if self.shared:
            self._in_loop(self._status_soon)

    def _caught_up(self, eid: str) -> None:
        if not self.saving(eid):
            self._known.pop(eid, None)

    def _in_loop(self, callback: Callable[..., object], *args: object) -> None:
        """Run callback in the app's event loop, from any thread, without waiting for it."""
        loop = self._loop
        if loop is not None and loop.is_running():
            loop.call_soon_threadsafe(callback, *args)

    # -- life cycle -----------------------------------------------------------------------

    def on_mount(self) -> None:
        from kompass_tui.tui.screens.home import HomeScreen

        self._loop = asyncio.get_running_loop()
        self.set_interval(OUTSIDE_CHECK_INTERVAL, self.check_outside_changes)
        if self.shared:  # (after the first frame: git is a process)
            self.call_after_refresh(self.action_sync if "open" in self.sync_when else self._status_soon)
        home = HomeScreen()
        self.push_screen(home)
        if self.open_id:
            home.open_evaluation(self.open_id)

    def settle(self, listed: bool = False) -> None:
        """Collect garbage when the user is not typing: after the frame that shows a new screen,
        never in the middle of a key (a full collection took 10-20 ms, two frames at 240 fps).
        When a list of evaluations is shown (listed), everything made so far (modules, widgets,
        the rows) is frozen out of the collector's sight instead, so that a collection walks only
        what was made since, never the 14,500 rows; the automatic full collection is left to
        these moments. Freezing is O(1) and keeps nothing alive (reference counting still frees);
        what it keeps from a collection are the cycles that became garbage since the last one,
        taken when home was shown: a few hundred objects."""
        if listed:
            first, self._settled = not self._settled, True
            self.call_after_refresh(self._freeze if first else gc.freeze)
        elif self._settled:
            self.call_after_refresh(gc.collect)

    def _freeze(self) -> None:
        gc.freeze()
        young, middle, _ = self._thresholds = gc.get_threshold()
        gc.set_threshold(young, middle, FULL_COLLECTIONS_BY_HAND)

    def check_outside_changes(self) -> None:
        """Let the screen on top pick up what another session saved (one stat, no reading, if nothing did)."""
        if not isinstance(self.screen, KompassScreen):
            return
        try:
            self.screen.refresh_from_disk()
        except NoMatches:
            pass  # the screen is being taken down (the app is closing)

    def on_signal(self, signum: int, frame: object) -> None:
        """SIGHUP or SIGTERM, in the main thread.

        SIGHUP: the terminal is gone. Finish the saves here and leave at once: an orderly exit
        would restore a terminal that is no longer there, and can hang doing so.
        SIGTERM: hand it to the event loop for an orderly exit (the terminal is still there)."""
        loop = self._loop
        if signum == signal.SIGHUP or loop is None or not loop.is_running():
            # If the signal came inside a save of this thread's own (home creates and deletes, a
            # listing mends the index), the writer waits for that lock: finish it first.
            self.bench.db.when_free(lambda: self._end_now(signum))
            return
        self._in_loop(self.on_terminal_gone)

    def _end_now(self, signum: int) -> None:
        self._ending = True
        self.flush()
        os._exit(128 + signum)

    def on_terminal_gone(self) -> None:
        """SIGTERM, in the event loop (SIGHUP is handled in on_signal itself): save what is pending, then leave."""
        self.flush()
        self.exit(return_code=1)

    async def action_quit(self) -> None:
        self.flush()
        self.exit()

    def action_help(self) -> None:
        from kompass_tui.tui.screens.dialogs import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def on_unmount(self) -> None:
        self.flush()
        if self._settled:  # the collector as it was (the process may go on: tests, kompass serve)
            gc.set_threshold(*self._thresholds)
            gc.unfreeze()


def _sync_at_quit(app: KompassApp) -> None:
    """The setting sync = "quit": a sync as the app closes, its outcome in one line."""
    from kompass_tui.service.sync import Sync

    t = app.t
    print(t("sync_quitting"), file=sys.stderr, flush=True)
    try:
        report = Sync(app.bench).sync(app.evaluator)
    except KompassError as exc:
        print(f"kompass: {visible(exc.words_in(app.lang))}", file=sys.stderr)
        return
    if report.offline:
        print(f"kompass: {visible(t('sync_offline', why=report.offline))}", file=sys.stderr)
    else:
        print(f"kompass: {t('sync_done', sent=len(report.sent), received=len(report.received))}", file=sys.stderr)


def _crash_log(details: str) -> str:
    """Write a crash's traceback to the data folder, readable by the user only; its path, or ''."""
    from datetime import datetime

    from kompass_tui import paths
    from kompass_tui.store import _make_dirs, atomic_write

    try:
        folder = paths.data_home() / "crashes"
        _make_dirs(folder)
        target = folder / f"{datetime.now():%Y%m%d-%H%M%S}-{os.getpid()}.txt"
        atomic_write(target, details.encode("utf-8", "replace"))
        return str(target)
    except OSError:
        return ""


def run(bench: Workbench, lang: str, open_id: str | None = None, evaluator: str = "") -> int:
    """Run the app in this terminal. A closed terminal sends SIGHUP just as reading from it fails:
    the handlers are the process's own (not the event loop's, which end with the loop), so the
    signal can never kill the process before what was typed is saved."""
    from kompass_tui.paths import served

    app = KompassApp(bench, lang, open_id, evaluator=evaluator, ask_who=served())
    previous = {signum: signal.signal(signum, app.on_signal) for signum in (signal.SIGHUP, signal.SIGTERM)}
    try:
        app.run()
    finally:
        app.flush()
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    for problem in app.writer.problems:  # what the app could not show while it ran (the saves are done)
        print(f"kompass: {visible(type(problem).__name__)}: {visible(str(problem))}", file=sys.stderr)
    if app.shared and "quit" in app.sync_when:  # (the terminal is the shell's again: say it there)
        _sync_at_quit(app)
    return app.return_code or 0  # 1 after an unexpected error (or SIGTERM): the shell can tell
