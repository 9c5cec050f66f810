"""Export from the app, as `kompass export` does: a dialog with the format (the Markdown report with
its charts as pictures beside it, --images, among them), the language, the report's audience (the
municipality, or with the team's working papers), the action plan alone (--actions), the marked
evaluations to compare, a proposed path that follows the format, and a question before a file is
replaced. The file is written by a worker thread: a PDF or a Word document with its charts takes
a second or two, and the app answers keys meanwhile."""

from __future__ import annotations

import os
from dataclasses import dataclass

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Checkbox, Footer, Input, Label, Select

from kompass_tui.errors import KompassError
from kompass_tui.exchange import formats
from kompass_tui.tui.fields import ClearCheckbox, SafeInput
from kompass_tui.tui.screens.base import KompassModal, KompassScreen
from kompass_tui.tui.widgets import line, settle


@dataclass(frozen=True)
class ExportChoice:
    path: str
    form: str
    lang: str
    internal: bool
    compare: tuple[str, ...]
    actions: bool = False  # the action plan alone (Markdown or CSV)
    images: bool = False  # the Markdown report's charts as SVG pictures beside it


IMAGES = "md+images"  # the format choice of the Markdown report with its pictures (export --images)


class ExportScreen(KompassModal[ExportChoice | None]):
    CSS_PATH = "dialogs.tcss"
    AUTO_FOCUS = "#path"  # enter exports at once; tab and shift+tab reach the choices

    BINDINGS = [Binding("escape", "cancel", "k_cancel", id="kompass.export.cancel")]

    def __init__(self, eid: str, others: list[str]):
        """others: the evaluations marked to compare with (the report only)."""
        super().__init__()
        self.eid, self.others = eid, [o for o in others if o != eid]

    def compose(self) -> ComposeResult:
        t = self.app.t
        with Vertical(classes="dialog"):
            yield Label(line(t("export_title", id=self.eid)), classes="dialog-title")
            with Horizontal(classes="field"):
                yield Label(t("export_format"))
                choices = [(t(f"format_{f.name}"), f.name) for f in formats.FORMATS.values()]
                choices.insert(1, (t("export_images"), IMAGES))
                yield Select(
                    choices,
                    value=formats.DEFAULT.name,
                    allow_blank=False,
                    id="format",
                )
            with Horizontal(classes="field"):
                yield Label(t("export_language"))
                yield Select([("svenska", "sv"), ("English", "en")], value=self.app.lang, allow_blank=False, id="lang")
            with Horizontal(classes="field"):
                yield Label(t("export_audience"))
                yield Select(
                    [(t("audience_municipality"), "municipality"), (t("audience_internal"), "internal")],
                    value="municipality",
                    allow_blank=False,
                    id="audience",
                )
            # (compact: with the comparison's box too, the dialog fits at 80x24)
            yield ClearCheckbox(line(t("export_actions")), value=False, id="actions", compact=True)
            if self.others:
                yield ClearCheckbox(
                    line(t("export_compare", n=len(self.others), ids=", ".join(self.others[:4]))),
                    value=True,
                    id="compare",
                    compact=True,
                )
            with Horizontal(classes="field"):
                yield Label(t("export_path"))
                yield SafeInput(self._proposal(formats.DEFAULT.name, False), id="path")
            with Horizontal(classes="buttons"):
                yield Button(t("export_button"), id="export", variant="primary")
                yield Button(t("cancel"), id="cancel")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        settle(self)

    def _proposal(self, form: str, plan: bool) -> str:
        return f"./{self.eid}{'-' + self.app.t('export_actions_file') if plan else ''}{self._format(form).suffix}"

    def _format(self, choice: object = None) -> formats.Format:
        """The format chosen (choice: a value of the format list; the one selected if None)."""
        choice = self.query_one("#format", Select).value if choice is None else choice
        return formats.DEFAULT if choice == IMAGES else formats.get(str(choice))

    @property
    def _images(self) -> bool:
        return self.query_one("#format", Select).value == IMAGES

    @property
    def _plan_only(self) -> bool:
        box = self.query_one("#actions", Checkbox)
        return box.value and not box.disabled

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id == "format":
            self._follow()

    def on_checkbox_changed(self, event: Checkbox.Changed) -> None:
        if event.checkbox.id == "actions":
            self._follow()

    def _follow(self) -> None:
        """What goes with the format (and the action plan alone): the path, if not typed by hand,
        and the choices that apply."""
        form = self._format()
        self.query_one("#actions", Checkbox).disabled = form.actions is None or self._images
        plan = self._plan_only
        path = self.query_one("#path", Input)
        if path.value in {self._proposal(f, p) for f in formats.FORMATS for p in (False, True)}:
            path.value = self._proposal(form.name, plan)
        report = form.compares and not plan
        self.query_one("#audience", Select).disabled = not report
        for box in self.query("#compare").results(Checkbox):
            box.disabled = not report

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.export()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "export":
            self.export()
        else:
            self.dismiss(None)

    def export(self) -> None:
        path = self.query_one("#path", Input).value.strip()
        if not path:
            return
        form = self._format()
        plan = self._plan_only
        report = form.compares and not plan
        compare = any(box.value for box in self.query("#compare").results(Checkbox))
        self.dismiss(
            ExportChoice(
                path,
                form.name,
                str(self.query_one("#lang", Select).value),
                report and self.query_one("#audience", Select).value == "internal",
                tuple(self.others) if compare and report else (),
                plan,
                self._images,
            )
        )

    def action_cancel(self) -> None:
        self.dismiss(None)


def export_from(screen: KompassScreen[None], eid: str, others: list[str]) -> None:
    """The export dialog for eid, then the file written (what was just scored included), with a
    question first if it would replace one."""
    from kompass_tui.tui.screens.dialogs import ConfirmScreen

    app = screen.app

    def write(choice: ExportChoice) -> None:
        app.flush()  # what was just scored is in it

        def run() -> None:
            try:
                written, _ = app.bench.write_export(
                    eid,
                    choice.path,
                    choice.form,
                    choice.lang,
                    compare=choice.compare,
                    internal=choice.internal,
                    actions=choice.actions,
                    images=choice.images,
                )
            except KompassError as exc:
                app.call_from_thread(
                    app.notify, exc.words_in(app.lang), title=app.t("not_saved"), severity="error", timeout=8
                )
            else:
                app.call_from_thread(screen.notify, app.t("exported", path=written))

        app.run_worker(run, thread=True, group="export", description="export")

    def chosen(choice: ExportChoice | None) -> None:
        if choice is None:
            return
        if os.path.lexists(os.path.expanduser(choice.path)):  # an existing file is replaced only if you say so
            app.push_screen(
                ConfirmScreen(app.t("confirm_replace", path=choice.path)), lambda yes: write(choice) if yes else None
            )
            return
        write(choice)

    app.push_screen(ExportScreen(eid, others), chosen)
