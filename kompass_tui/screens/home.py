"""Home: every evaluation, one a row; create, open, delete, export."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from kompass_tui.points import fmt
from kompass_tui.screens.base import TitleBar, Translated


class EvaluationTable(Translated, DataTable):
    BINDINGS = [Binding("enter", "select_cursor", "k_open")]


class HomeScreen(Translated, Screen):
    HELP_KEY = "help_home"
    BINDINGS = [
        Binding("space", "mark", "k_mark"),
        Binding("c", "compare", "k_compare"),
        Binding("n", "new", "k_new"),
        Binding("d", "delete", "k_delete"),
        Binding("e", "export", "k_export"),
        Binding("q", "app.quit", "k_quit"),
    ]

    def __init__(self):
        super().__init__()
        self.marked: set[str] = set()

    def compose(self) -> ComposeResult:
        yield TitleBar()
        table = EvaluationTable(id="evaluations", cursor_type="row", zebra_stripes=True)
        yield table
        yield Static("", id="empty", classes="hint")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        t = self.app.t
        table = self.query_one(EvaluationTable)
        table.add_column(" ", key="mark")
        table.add_column(t("municipality"), key="municipality")
        table.add_column(t("year"), key="year")
        table.add_column(t("framework"), key="framework")
        table.add_column(t("progress"), key="progress")
        table.add_column(t("points"), key="total")
        self.reload()

    def on_screen_resume(self) -> None:
        self.reload()

    def refresh_from_disk(self) -> None:
        if self.app.bench.db.fingerprint() != self._seen:
            self.reload()

    def reload(self, select: str | None = None) -> None:
        self._seen = self.app.bench.db.fingerprint()
        table = self.query_one(EvaluationTable)
        current = select or self.selected_id()
        rows = self.app.save(self.app.bench.rows) or []
        t, lang = self.app.t, self.app.lang
        table.clear()
        ids = [row.id for row in rows]
        self.marked &= set(ids)
        self.frameworks = {row.id: row.framework for row in rows}
        for row in rows:
            if row.error:
                table.add_row(self._mark(row.id), row.id, "", "", t("unreadable"), "", key=row.id)
                continue
            progress = t("level_areas") if row.area_level else f"{row.scored}/{row.count or '?'}"
            total = f"{fmt(row.total, lang)}/{fmt(row.maximum, lang)}"
            table.add_row(self._mark(row.id), row.municipality, str(row.year), row.framework, progress, total, key=row.id)
        if current in ids:
            table.move_cursor(row=ids.index(current))
        self.query_one("#empty", Static).update("" if rows else t("empty_home"))
        self.query_one("#empty").display = not rows
        self.sub_title = t("n_evaluations", n=len(rows))

    def _mark(self, eid: str) -> str:
        return "✓" if eid in self.marked else " "

    def selected_id(self) -> str | None:
        table = self.query_one(EvaluationTable)
        if table.row_count == 0:
            return None
        return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value

    # -- actions ----------------------------------------------------------------

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.open_evaluation(event.row_key.value)

    def open_evaluation(self, eid: str) -> None:
        """The overview, and on top of it the walk-through at the first unscored sub-question."""
        from kompass_tui.screens.overview import OverviewScreen

        loaded = self.app.save(lambda: self.app.bench.get_with_framework(eid))
        if loaded is None:
            return
        overview = OverviewScreen(eid)
        self.app.push_screen(overview)
        overview.resume_walkthrough(only_if_unscored=True)

    def action_mark(self) -> None:
        """Mark or unmark the highlighted evaluation for a comparison, and go to the next row."""
        eid = self.selected_id()
        if eid is None:
            return
        self.marked ^= {eid}
        table = self.query_one(EvaluationTable)
        table.update_cell(eid, "mark", self._mark(eid))
        table.action_cursor_down()

    def action_compare(self) -> None:
        """Compare the marked evaluations; with none marked, every one of the highlighted one's framework."""
        from kompass_tui.screens.compare import CompareScreen

        eid = self.selected_id()
        if len(self.marked) == 1:
            self.notify(self.app.t("mark_two"))
            return
        if self.marked:
            ids = [i for i in self.frameworks if i in self.marked]
        elif eid is not None:
            ids = [i for i, f in self.frameworks.items() if f == self.frameworks[eid]]
        else:
            return
        self.app.push_screen(CompareScreen(ids))

    def action_new(self) -> None:
        from kompass_tui.screens.dialogs import NewEvaluationScreen

        def created(eid: str | None) -> None:
            if eid:
                self.reload(select=eid)
                self.open_evaluation(eid)

        self.app.push_screen(NewEvaluationScreen(), created)

    def action_delete(self) -> None:
        from kompass_tui.screens.dialogs import ConfirmScreen

        eid = self.selected_id()
        if eid is None:
            return

        def answered(yes: bool | None) -> None:
            if yes and self.app.save(lambda: self.app.bench.delete(eid) or True):
                self.notify(self.app.t("deleted", id=eid), timeout=10)
                self.reload()

        self.app.push_screen(ConfirmScreen(self.app.t("confirm_delete", id=eid)), answered)

    def action_export(self) -> None:
        from kompass_tui.screens.dialogs import PathScreen

        eid = self.selected_id()
        if eid is None:
            return

        def chosen(path: str | None) -> None:
            if not path:
                return
            written = self.app.save(lambda: self.app.bench.write_export(eid, path, "md", self.app.lang))
            if written is not None:
                self.notify(self.app.t("exported", path=written))

        self.app.push_screen(PathScreen(self.app.t("export_title", id=eid), f"./{eid}.md"), chosen)
