"""Home: every evaluation, one a row; create, open, delete, export, mark and compare.

The list is an OptionList of fixed-width text rows under a header row (not a DataTable, nor rich
tables per row: both cost the first frame a third more, and this list needs no cell cursor)."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from rich.cells import cell_len
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from kompass_tui.core import comparison
from kompass_tui.core.points import fmt
from kompass_tui.core.sanitize import one_line
from kompass_tui.errors import KompassError
from kompass_tui.tui.screens.base import KompassScreen
from kompass_tui.tui.widgets import TitleBar, line, translate_bindings

if TYPE_CHECKING:
    from textual import getters

    from kompass_tui.tui.app import KompassApp

COLUMNS = ((1, "<"), (22, "<"), (4, ">"), (20, "<"), (10, ">"), (9, ">"))  # width, alignment: fits 80 columns


def _cell(text: str, width: int, align: str) -> str:
    text = one_line(text, width)
    pad = " " * max(0, width - cell_len(text))  # by the columns it takes: combining and wide letters
    return text + pad if align == "<" else pad + text


def _line(*cells: str, style: str = "") -> Text:
    return Text(" ".join(_cell(c, w, a) for c, (w, a) in zip(cells, COLUMNS, strict=True)), style=style, no_wrap=True)


class EvaluationList(OptionList):
    BINDINGS = [Binding("enter", "select", "k_open", id="kompass.home.open")]

    if TYPE_CHECKING:
        app = getters.app(KompassApp)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        translate_bindings(self, self.app.t)


class HomeScreen(KompassScreen[None]):
    HELP_KEY = "help_home"
    BINDINGS = [
        Binding("space", "mark", "k_mark", id="kompass.home.mark"),
        Binding("c", "compare", "k_compare", id="kompass.home.compare"),
        Binding("n", "new", "k_new", id="kompass.home.new"),
        Binding("d", "delete", "k_delete", id="kompass.home.delete"),
        Binding("e", "export", "k_export", id="kompass.home.export"),
        Binding("q", "app.quit", "k_quit", id="kompass.home.quit"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.marked: set[str] = set()
        self._seen: list[int] | None = None  # the folder's fingerprint when last listed (the timer may look before)

    def compose(self) -> ComposeResult:
        yield TitleBar()
        yield EvaluationList(id="evaluations")
        yield Static("", id="empty", classes="hint")
        yield Footer(compact=True, show_command_palette=False)

    def on_screen_resume(self) -> None:
        self.reload()  # also when first shown: a pushed screen is resumed

    def refresh_from_disk(self, force: bool = False) -> None:
        if force or self.app.bench.db.fingerprint() != self._seen:
            self.reload()

    def reload(self, select: str | None = None) -> None:
        self._seen = self.app.bench.db.fingerprint()
        listing = self.query_one(EvaluationList)
        current = select or self.selected_id()
        problem = ""
        try:
            rows = self.app.bench.rows()
        except KompassError as exc:  # said where the list would be: the evaluations are not gone
            rows, problem = [], str(exc)
            self.notify(problem, title=self.app.t("cannot_read"), severity="error", timeout=10)
        t, lang = self.app.t, self.app.lang
        ids = [row.id for row in rows]
        self.marked &= set(ids)
        self.frameworks = {row.id: row.framework for row in rows}
        self.cells = {}
        for row in rows:
            if row.error:
                self.cells[row.id] = (row.id, "", "", t("unreadable"), "")
                continue
            progress = t("level_areas") if row.area_level else f"{row.scored}/{row.count or '?'}"
            self.cells[row.id] = (
                row.municipality,
                str(row.year),
                row.framework,
                progress,
                f"{fmt(row.total, lang)}/{fmt(row.maximum, lang)}",
            )
        header = Option(
            _line(" ", t("municipality"), t("year"), t("framework"), t("progress"), t("points"), style="bold"),
            disabled=True,
        )
        listing.set_options([header, *(Option(self._prompt(eid), id=eid) for eid in ids)])
        listing.highlighted = ids.index(current) + 1 if current in ids else (1 if ids else None)
        self.query_one("#empty", Static).update(line(problem) if problem else ("" if rows else t("empty_home")))
        self.query_one("#empty").display = not rows
        self.sub_title = t("n_evaluations", n=len(rows))

    def _prompt(self, eid: str) -> Text:
        return _line("✓" if eid in self.marked else " ", *self.cells[eid])

    def selected_id(self) -> str | None:
        option = self.query_one(EvaluationList).highlighted_option
        return option.id if option is not None and option.id else None

    # -- actions ----------------------------------------------------------------

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            self.open_evaluation(event.option.id)

    def open_evaluation(self, eid: str) -> None:
        """The overview, and on top of it the walk-through at the first unscored sub-question."""
        from kompass_tui.tui.screens.overview import OverviewScreen

        loaded = self.app.read(lambda: self.app.to_show(eid))
        if loaded is None:
            return
        overview = OverviewScreen(eid, loaded)
        self.app.push_screen(overview)
        overview.resume_walkthrough(only_if_unscored=True)

    def action_mark(self) -> None:
        """Mark or unmark the highlighted evaluation for a comparison, and go to the next row."""
        eid = self.selected_id()
        if eid is None:
            return
        self.marked ^= {eid}
        listing = self.query_one(EvaluationList)
        listing.replace_option_prompt(eid, self._prompt(eid))
        listing.action_cursor_down()

    def action_compare(self) -> None:
        """Compare the marked evaluations; with none marked, every one of the highlighted one's framework."""
        from kompass_tui.tui.screens.compare import CompareScreen

        self.app.flush()  # compare what was just scored
        if len(self.marked) == 1:
            self.notify(self.app.t("mark_two"))
            return
        ids = comparison.chosen(self.frameworks, self.marked, self.selected_id())
        if ids:
            self.app.push_screen(CompareScreen(ids))

    def action_new(self) -> None:
        from kompass_tui.tui.screens.dialogs import NewEvaluationScreen

        def created(eid: str | None) -> None:
            if eid:
                self.reload(select=eid)
                self.open_evaluation(eid)

        self.app.push_screen(NewEvaluationScreen(), created)

    def action_delete(self) -> None:
        from kompass_tui.tui.screens.dialogs import ConfirmScreen

        eid = self.selected_id()
        if eid is None:
            return

        def delete() -> bool:
            self.app.bench.delete(eid)
            return True

        def answered(yes: bool | None) -> None:
            self.app.flush()  # a save on its way must not recreate what is deleted
            if yes and self.app.save(delete):
                self.notify(self.app.t("deleted", id=eid), timeout=10)
                self.reload()

        self.app.push_screen(ConfirmScreen(self.app.t("confirm_delete", id=eid)), answered)

    def action_export(self) -> None:
        from kompass_tui.exchange import formats
        from kompass_tui.tui.screens.dialogs import ConfirmScreen, PathScreen

        eid = self.selected_id()
        if eid is None:
            return

        def write(path: str) -> None:
            self.app.flush()  # export what was just scored
            written = self.app.save(
                lambda: self.app.bench.write_export(eid, path, None, self.app.lang)
            )  # as its suffix says
            if written is not None:
                self.notify(self.app.t("exported", path=written[0]))

        def chosen(path: str | None) -> None:
            if not path:
                return
            if os.path.lexists(os.path.expanduser(path)):  # an existing file is replaced only if you say so
                self.app.push_screen(
                    ConfirmScreen(self.app.t("confirm_replace", path=path)), lambda yes: write(path) if yes else None
                )
                return
            write(path)

        suffix = formats.DEFAULT.suffix
        self.app.push_screen(PathScreen(self.app.t("export_title", id=eid), f"./{eid}{suffix}"), chosen)
