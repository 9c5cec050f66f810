"""Small modal screens: confirm, choose, edit a text, a new evaluation, help."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from itertools import zip_longest

from rich.table import Table
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Footer, Input, Label, Select, Static, TextArea

from kompass_tui.core.edits import Change
from kompass_tui.core.framework import DEFAULT_FRAMEWORK
from kompass_tui.core.sanitize import MAX_NAME, MAX_TEXT, visible
from kompass_tui.service.preferences import default_framework
from kompass_tui.store import criteria
from kompass_tui.tui.fields import SafeInput, SafeTextArea
from kompass_tui.tui.screens.base import KompassModal
from kompass_tui.tui.widgets import line, plain, settle


def _key_columns(rows: list[tuple[str, str]]) -> Table:
    """Keys and what they do, in two columns (down the first, then the second)."""
    grid = Table.grid(padding=(0, 1), expand=True)
    for _ in range(2):
        grid.add_column(justify="right", no_wrap=True, style="bold")
        grid.add_column(ratio=1)
    half = (len(rows) + 1) // 2
    for left, right in zip_longest(rows[:half], rows[half:], fillvalue=("", "")):
        grid.add_row(*(Text(cell) for cell in (*left, *right)))
    return grid


class ConfirmScreen(KompassModal[bool]):
    """Yes or no; the default is no."""

    CSS_PATH = "dialogs.tcss"

    BINDINGS = [
        Binding("y", "answer(True)", "k_yes", id="kompass.confirm.yes"),
        Binding("n", "answer(False)", "k_no", id="kompass.confirm.no"),
        Binding("escape", "answer(False)", "k_no", show=False, id="kompass.confirm.no.alternate"),
    ]

    def __init__(self, question: str):
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(line(self.question), classes="dialog-title")
            with Horizontal(classes="buttons"):
                yield Button(self.app.t("yes"), id="yes", variant="error")
                yield Button(self.app.t("no"), id="no", variant="primary")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


class ChoiceScreen(KompassModal[str | None]):
    """A message and a few ways on, each a button and a key (the first is focused; escape: None)."""

    CSS_PATH = "dialogs.tcss"

    BINDINGS = [Binding("escape", "choose('')", "k_stay", id="kompass.choice.stay")]

    def __init__(self, message: str, choices: list[tuple[str, str]]):
        """choices: (key, label) pairs; the key chooses, and is what is returned."""
        super().__init__()
        self.message = message
        self.choices = choices

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(plain(self.message), classes="dialog-title")  # (wraps: it may be long)
            with Vertical(classes="choices"):
                for n, (key, label) in enumerate(self.choices):
                    yield Button(
                        line(f"{key}  {label}"),
                        id=f"choice-{n}",
                        variant="primary" if n == 0 else "default",
                        compact=True,
                    )
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.query_one("#choice-0", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(self.choices[int(str(event.button.id).removeprefix("choice-"))][0])

    def on_key(self, event: events.Key) -> None:
        if any(event.key == key for key, _ in self.choices):
            event.stop()
            self.dismiss(event.key)

    def action_choose(self, key: str) -> None:
        self.dismiss(key or None)


class TextEditScreen(KompassModal[None]):
    """Edit a free text; saved as you type (shortly after the last key) and when you leave."""

    CSS_PATH = "dialogs.tcss"

    BINDINGS = [
        Binding("escape", "done", "k_done", id="kompass.text.done"),
        Binding("ctrl+s", "done", "k_done", show=False, id="kompass.text.done.alternate"),
    ]

    def __init__(self, title: str, text: str, eid: str, change: Callable[[str], Change]):
        """change(text) is the edit that keeps the text (core.edits.area_text or text)."""
        super().__init__()
        self.title_text, self.eid, self.change = title, eid, change
        # Control characters (from an older file) show as visible escapes. A text longer than
        # Kompass keeps (only from an older file) is shown cut and cannot be changed here.
        self.too_long = len(text) - MAX_TEXT if len(text) > MAX_TEXT else 0
        self.initial = visible(text[:MAX_TEXT])
        self._over = False  # the text typed is longer than Kompass keeps

    def compose(self) -> ComposeResult:
        t = self.app.t
        with Vertical(classes="dialog wide"):
            yield Label(line(self.title_text), classes="dialog-title")
            yield SafeTextArea(self.initial, id="text", soft_wrap=True, read_only=bool(self.too_long))
            yield Static(
                t("note_too_long", n=len(self.initial) + self.too_long, max=MAX_TEXT)
                if self.too_long
                else t("text_hint"),
                id="text-hint",
                classes="hint",
            )
        yield Footer(compact=True, show_command_palette=False)

    def copy_text(self) -> str | None:
        return self.query_one("#text", SafeTextArea).text or None

    def on_mount(self) -> None:
        settle(self)
        area = self.query_one("#text", SafeTextArea)
        area.handed = area.text  # as the field holds it (its own line breaks): unchanged until typed into
        area.on_typed = self._typed
        area.focus()

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        self._typed(self.query_one("#text", SafeTextArea))

    def _typed(self, area: SafeTextArea) -> None:
        area.handed = area.text
        over = len(area.text) > MAX_TEXT  # refused here, at once; nothing is saved until it is shorter
        if over or self._over:
            self._over = over
            self.query_one("#text-hint", Static).update(
                self.app.t("text_too_long", n=len(area.text), max=MAX_TEXT) if over else self.app.t("text_hint")
            )
        if over:
            return

        self.app.save_later(("text", id(self)), self.eid, lambda: self.change(area.text))  # as on screen when sent

    def action_done(self) -> None:
        if self._over:  # said beside the field already; leaving must not look like a save
            self.app.notify(
                self.app.t(
                    "not_kept",
                    reason=self.app.t("text_too_long", n=len(self.query_one("#text", SafeTextArea).text), max=MAX_TEXT),
                ),
                severity="error",
                timeout=10,
            )
        self.app.flush()  # the overview underneath shows the text as saved
        self.dismiss(None)


class NewEvaluationScreen(KompassModal[str | None]):
    """The form for `n`: municipality, year, framework, evaluators. Returns the new id. The
    framework follows the municipality's last evaluation as its name is typed (a new round usually
    keeps it), until one is chosen by hand."""

    CSS_PATH = "dialogs.tcss"

    BINDINGS = [Binding("escape", "cancel", "k_cancel", id="kompass.new.cancel")]

    _framework_chosen = False  # chosen by hand: no longer follows the municipality

    def compose(self) -> ComposeResult:
        t = self.app.t
        frameworks = criteria.installed()
        self._framework_ids = {f.id for f in frameworks}
        with Vertical(classes="dialog"):
            yield Label(t("new_title"), classes="dialog-title")
            with Horizontal(classes="field"):
                yield Label(t("municipality"))
                yield SafeInput(id="municipality", placeholder=t("example", example="Botkyrka"))
            with Horizontal(classes="field"):
                yield Label(t("year"))
                yield Input(str(date.today().year), id="year", restrict=r"[0-9]*", max_length=4)
            with Horizontal(classes="field"):
                yield Label(t("framework"))
                yield Select(
                    [
                        (line(f.name(self.app.lang) + (f" ({t('level_areas')})" if f.areas_only else "")), f.id)
                        for f in frameworks
                    ],
                    id="framework",
                    value=default_framework()
                    if any(f.id == default_framework() for f in frameworks)
                    else DEFAULT_FRAMEWORK
                    if any(f.id == DEFAULT_FRAMEWORK for f in frameworks)
                    else frameworks[0].id
                    if frameworks
                    else Select.NULL,
                    allow_blank=False,
                )
            yield Static("", id="framework-note", classes="hint")
            with Horizontal(classes="field"):
                yield Label(t("evaluators"))
                yield SafeInput(id="evaluators", placeholder=t("evaluators_hint"))
            yield Static("", id="form-error", classes="error")
            with Horizontal(classes="buttons"):
                yield Button(t("create"), id="create", variant="primary")
                yield Button(t("cancel"), id="cancel")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        settle(self)
        self._default = self.query_one("#framework", Select).value  # proposed while no earlier round is found

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id != "municipality" or self._framework_chosen:
            return
        from kompass_tui.errors import KompassError

        try:  # one part of the index
            last = self.app.bench.last_framework(event.value.strip()) if event.value.strip() else None
        except KompassError:
            last = None
        select, note = self.query_one("#framework", Select), self.query_one("#framework-note", Static)
        follows = last is not None and last in self._framework_ids
        with select.prevent(Select.Changed):
            select.value = last if follows else self._default
        note.update(line(self.app.t("framework_as_last", name=event.value.strip())) if follows else "")

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.has_focus_within:  # chosen by hand (not the value it was given)
            self._framework_chosen = True
            self.query_one("#framework-note", Static).update("")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "evaluators":
            self.create()
        else:
            self.focus_next()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "create":
            self.create()
        else:
            self.dismiss(None)

    def create(self) -> None:
        year_text = self.query_one("#year", Input).value
        framework = self.query_one("#framework", Select).value
        evaluators = [e.strip() for e in self.query_one("#evaluators", Input).value.split(",")]
        error = self.query_one("#form-error", Static)
        if not year_text.isdigit():
            error.update(self.app.t("year_needed"))
            return
        from kompass_tui.errors import AlreadyThere, KompassError

        municipality = self.query_one("#municipality", Input).value

        def create(again: bool = False) -> None:
            try:
                ev = self.app.bench.create(municipality, int(year_text), str(framework), evaluators, again=again)
            except AlreadyThere:
                question = self.app.t("new_again", municipality=municipality.strip(), year=year_text)
                self.app.push_screen(ConfirmScreen(question), lambda yes: create(True) if yes else None)
                return
            except KompassError as exc:
                error.update(line(exc.words_in(self.app.lang)))
                return
            self.dismiss(ev.id)

        create()

    def action_cancel(self) -> None:
        self.dismiss(None)


class NameScreen(KompassModal[str | None]):
    """Your name as evaluator (ctrl+p): kept in the settings for the next start."""

    CSS_PATH = "dialogs.tcss"

    BINDINGS = [Binding("escape", "cancel", "k_cancel", id="kompass.name.cancel")]

    def __init__(self, name: str):
        super().__init__()
        self.current = name

    def compose(self) -> ComposeResult:
        t = self.app.t
        with Vertical(classes="dialog"):
            yield Label(t("name_title"), classes="dialog-title")
            yield Static(t("name_hint"), classes="hint")
            yield SafeInput(self.current, id="name", max_length=MAX_NAME)
            yield Static("", id="form-error", classes="error")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        settle(self)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        from kompass_tui.core.sanitize import clean_name

        name, _ = clean_name(event.value, "the name")
        if not name:
            self.query_one("#form-error", Static).update(self.app.t("name_needed"))
            return
        self.dismiss(name)

    def action_cancel(self) -> None:
        self.dismiss(None)


class HelpScreen(KompassModal[None]):
    """The keys of the screen underneath, with what they do: its own first, then those that work
    everywhere, in two columns, so that the main screens' fit 80x24 without scrolling."""

    CSS_PATH = "dialogs.tcss"

    BINDINGS = [
        Binding("escape", "close", "k_close", id="kompass.help.close"),
        Binding("f1", "close", "k_close", show=False, id="kompass.help.close.f1"),
        Binding("question_mark", "close", "k_close", show=False, id="kompass.help.close.question_mark"),
        Binding("q", "close", "k_close", show=False, id="kompass.help.close.q"),
    ]

    def __init__(self, screen: Screen[object]):
        from kompass_tui.tui.keys import commands

        super().__init__()
        self.about = screen
        self.rows = commands(screen)

    def compose(self) -> ComposeResult:
        t = self.app.t
        with Vertical(classes="dialog help"):
            yield Label(t("help_title"), classes="dialog-title")
            with VerticalScroll():
                intro = getattr(self.about, "HELP_KEY", "")
                if intro:
                    yield Static(t(intro), classes="hint")
                here = [(c.key, c.description) for c in self.rows if not c.everywhere]
                everywhere = [(c.key, c.description) for c in self.rows if c.everywhere]
                if here:
                    yield Static(_key_columns(here), id="keys")
                yield Label(t("help_everywhere"), classes="help-heading")
                yield Static(_key_columns(everywhere), id="keys-everywhere")
                yield Static(t("help_general"), classes="hint")
                yield Static(plain(t("database_at", path=self.app.bench.folder)), classes="hint")
        yield Footer(compact=True, show_command_palette=False)

    def action_close(self) -> None:
        self.dismiss(None)


class InfoScreen(KompassModal[None]):
    """Text to read (an action's log, the previous round's actions): a heading and lines, which
    scroll where they are more than the screen holds. The text is user text: shown as it is."""

    CSS_PATH = "dialogs.tcss"

    BINDINGS = [
        Binding("escape", "close", "k_close", id="kompass.info.close"),
        Binding("q", "close", "k_close", show=False, id="kompass.info.close.q"),
    ]

    def __init__(self, title: str, body: str | Text):
        """body: plain text (shown as it is, controls as visible escapes), or Text made safe already."""
        super().__init__()
        self.title_text = title
        self.body = body

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog info"):
            yield Static(plain(self.title_text, style="bold"), classes="dialog-title")
            with VerticalScroll():
                yield Static(plain(self.body) if isinstance(self.body, str) else self.body, id="info-text")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.query_one(VerticalScroll).focus()  # the arrows scroll it

    def copy_text(self) -> str | None:
        return str(self.body) if isinstance(self.body, str) else self.body.plain

    def action_close(self) -> None:
        self.dismiss(None)


class PromptScreen(KompassModal[str | None]):
    """One line to type (a comment): enter returns it, esc None."""

    CSS_PATH = "dialogs.tcss"

    BINDINGS = [Binding("escape", "cancel", "k_cancel", id="kompass.prompt.cancel")]

    def __init__(self, title: str, hint: str = "", value: str = ""):
        super().__init__()
        self.title_text, self.hint, self.value = title, hint, value

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(plain(self.title_text), classes="dialog-title")  # (wraps: it may name a long title)
            if self.hint:
                yield Static(plain(self.hint), classes="hint")
            yield SafeInput(self.value, id="prompt", max_length=MAX_TEXT)
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        settle(self)
        self.query_one("#prompt", SafeInput).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)
