"""The comparison view: areas × municipalities with the best of each row marked, the group
average, totals and ranks, the change since each one's previous round, and the grouped chart."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.cells import cell_len
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import ContentSwitcher, DataTable, Footer, Static

from kompass_tui.core.sanitize import one_line
from kompass_tui.errors import KompassError
from kompass_tui.exchange import tables
from kompass_tui.tui.screens.base import KompassScreen
from kompass_tui.tui.widgets import TitleBar, line, plain

if TYPE_CHECKING:
    from kompass_tui.core.comparison import Comparison


class CompareScreen(KompassScreen[None]):
    HELP_KEY = "help_compare"
    BINDINGS = [
        Binding("g", "toggle_chart", "k_chart", id="kompass.compare.chart"),
        Binding("escape", "app.pop_screen", "k_back", id="kompass.compare.back"),
    ]

    def __init__(self, ids: list[str]):
        super().__init__()
        self.ids = ids
        self.table: Comparison | None = None
        self.problem = ""
        self._note = ""

    def compose(self) -> ComposeResult:
        yield TitleBar()
        with ContentSwitcher(initial="table-view", id="compare-views"):
            with VerticalScroll(id="table-view"):
                yield DataTable(id="comparison", cursor_type="row", zebra_stripes=True)
                yield Static(id="compare-note", classes="hint")
            with VerticalScroll(id="chart-view"):
                yield Static(id="grouped")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.sub_title = self.app.t("comparison_title", n=len(self.ids))
        if len(self.ids) <= tables.WIDE:
            self._show(*self._compare())
        else:  # a whole framework: hundreds of evaluations, compared on a thread of its own
            self.query_one("#compare-note", Static).update(self.app.t("listing"))
            self._compare_in_background()

    def _compare(self) -> tuple[Comparison | None, str]:
        try:
            return self.app.bench.comparison(self.ids), ""
        except KompassError as exc:
            return None, exc.words_in(self.app.lang)

    @work(thread=True, exclusive=True, group="comparison")
    def _compare_in_background(self) -> None:
        self.app.call_from_thread(self._show, *self._compare())

    def _show(self, table: Comparison | None, problem: str) -> None:
        self.table, self.problem = table, problem
        note = self.query_one("#compare-note", Static)
        if table is None:
            self.query_one("#comparison").display = False
            note.update(line(problem, style="bold"))
            return
        if len(table.evaluations) > tables.WIDE:
            self._show_ranked(table)
            return
        t, lang = self.app.t, self.app.lang
        grid = self.query_one("#comparison", DataTable)
        # each municipality over its year: columns as narrow as the names; a reference's column
        # says so above its name (Reference / Sverigesnitt / 2020), so their heads are a line higher
        top = "\n" if table.references else ""
        grid.header_height = 3 if table.references else 2
        rows = tables.grid(table, lang)
        labels = [t("criterion"), *(row.label for row in rows if row.kind != "heading")]
        # as wide as the areas' names: the heading of the differences wraps rather than widen it
        grid.add_column(top + t("criterion"), key="area", width=max(cell_len(one_line(label)) for label in labels))
        for i, ev in enumerate(table.evaluations):
            grid.add_column(Text(f"{top}{one_line(ev.municipality)}\n{ev.year}", justify="right"), key=str(i))
        grid.add_column(top + t("average"), key="average")
        for i, ref in enumerate(table.references):  # apart, after the average
            head = "\n".join(one_line(part) for part in tables.reference_head(ref, lang))
            grid.add_column(Text(head, justify="right"), key=f"reference-{i}")

        for row in rows:  # with references, the block of differences last, a line apart under its heading
            heading = row.kind == "heading"
            grid.add_row(
                Text("\n" + one_line(row.label), style="bold")
                if heading
                else line(row.label, style="bold" if row.kind == "total" else ""),
                *(Text(c.text + c.mark, style="bold" if c.best else "", justify="right") for c in row.cells),
                Text(row.average + " ", justify="right") if row.average else "",
                *(Text(c.text + c.mark, justify="right") for c in row.references),
                key=row.key,
                height=None if heading else 1,
            )
        grid.fixed_columns = 1  # the areas stay in view when the table scrolls sideways
        self._note = tables.notes(table, lang, "best_note_cli")
        note.update(plain(self._note))
        grid.focus()
        self.call_after_refresh(self._say_what_is_off_screen)

    def _show_ranked(self, table: Comparison) -> None:
        """One evaluation per row, best rank first, the areas as columns, the group average last."""
        t, lang = self.app.t, self.app.lang
        grid = self.query_one("#comparison", DataTable)
        grid.add_column("#", key="rank")
        grid.add_column(t("municipality"), key="name")
        for row in table.rows:
            grid.add_column(row.area.id, key=row.area.id)
        grid.add_column(t("total"), key="total")
        grid.add_column("±", key="change")

        def figure(c: tables.GridCell) -> Text:
            return Text(c.text + c.mark, style="bold" if c.best else "", justify="right")

        def shown(r: tables.RankedRow) -> tuple[Text, ...]:
            return (
                Text(r.rank, justify="right"),
                line(r.name),
                *map(figure, r.cells),
                figure(r.total),
                Text(r.change, justify="right"),
            )

        rows, average = tables.ranked(table, lang)
        apart, heading, differences = tables.ranked_apart(table, lang)  # references; the differences from the first
        lines = [shown(r) for r in [*rows, average, *apart]]
        if differences:
            lines.append((Text(""), line(heading, style="bold"), *(Text("") for _ in range(len(table.rows) + 2))))
            lines += [shown(r) for r in differences]
        grid.add_rows(lines)
        grid.fixed_columns = 2  # rank and municipality stay in view when the table scrolls sideways
        key = " · ".join(f"{row.area.id} {row.area.short(lang)}" for row in table.rows)
        self._note = " ".join([f"{key}. {t('best_note_column')}", *tables.reference_notes(table, lang)])
        self.query_one("#compare-note", Static).update(plain(self._note))
        grid.focus()
        self.call_after_refresh(self._say_what_is_off_screen)

    def on_resize(self) -> None:
        if self.table is not None:
            self.call_after_refresh(self._say_what_is_off_screen)

    def _say_what_is_off_screen(self) -> None:
        """Under the table, whether columns are out of sight to the right (→ scrolls to them)."""
        grid = self.query_one("#comparison", DataTable)
        hidden = grid.virtual_size.width > grid.scrollable_content_region.width
        hint = self.app.t("more_columns") if hidden else ""
        self.query_one("#compare-note", Static).update(plain("\n".join(part for part in (hint, self._note) if part)))

    def action_toggle_chart(self) -> None:
        if self.table is None:
            return
        if len(self.table.evaluations) > tables.WIDE:
            self.notify(self.app.t("chart_too_many", n=tables.WIDE))
            return
        views = self.query_one("#compare-views", ContentSwitcher)
        if views.current == "chart-view":
            views.current = "table-view"
            self.query_one("#comparison").focus()
            return
        views.current = "chart-view"
        self.call_after_refresh(self._draw_chart)
        self.query_one("#chart-view").focus()

    def _draw_chart(self) -> None:
        from kompass_tui.exchange.report import grouped_chart

        if self.table is None:  # only drawn for a comparison (action_toggle_chart)
            return
        width = max(40, self.query_one("#chart-view").size.width - 2)
        self.query_one("#grouped", Static).update(plain(grouped_chart(self.table, self.app.lang, width)))
