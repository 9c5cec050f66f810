"""Export from the app, as `kompass export` does: a dialog with the format, the language, the
report's audience (the municipality, or with the team's working papers) and the marked evaluations
to compare, a proposed path that follows the format, and a question before a file is replaced."""

from __future__ import annotations

import os
from dataclasses import dataclass

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Checkbox, Footer, Input, Label, Select

from kompass_tui.exchange import formats
from kompass_tui.tui.fields import SafeInput
from kompass_tui.tui.screens.base import KompassModal, KompassScreen
from kompass_tui.tui.widgets import line, settle


@dataclass(frozen=True)
class ExportChoice:
    path: str
    form: str
    lang: str
    internal: bool
    compare: tuple[str, ...]


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
                yield Select(
                    [(f.holds, f.name) for f in formats.FORMATS.values()],
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
            if self.others:
                yield Checkbox(
                    line(t("export_compare", n=len(self.others), ids=", ".join(self.others[:4]))),
                    value=True,
                    id="compare",
                )
            with Horizontal(classes="field"):
                yield Label(t("export_path"))
                yield SafeInput(self._proposal(formats.DEFAULT.name), id="path")
            with Horizontal(classes="buttons"):
                yield Button(t("export_button"), id="export", variant="primary")
                yield Button(t("cancel"), id="cancel")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        settle(self)

    def _proposal(self, form: str) -> str:
        return f"./{self.eid}{formats.get(form).suffix}"

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id != "format":
            return
        form = str(event.value)
        path = self.query_one("#path", Input)
        if path.value in {self._proposal(f) for f in formats.FORMATS}:  # not typed by hand: follows
            path.value = self._proposal(form)
        report = formats.get(form).compares
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
        form = formats.get(str(self.query_one("#format", Select).value))
        compare = any(box.value for box in self.query("#compare").results(Checkbox))
        self.dismiss(
            ExportChoice(
                path,
                form.name,
                str(self.query_one("#lang", Select).value),
                form.compares and self.query_one("#audience", Select).value == "internal",
                tuple(self.others) if compare and form.compares else (),
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
        app.flush()
        written = app.save(
            lambda: app.bench.write_export(
                eid, choice.path, choice.form, choice.lang, choice.compare, internal=choice.internal
            )
        )
        if written is not None:
            screen.notify(app.t("exported", path=written[0]))

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
