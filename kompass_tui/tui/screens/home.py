"""Home: every evaluation, one a row; find, create, open, delete, export, mark and compare.

The list is a RowList of fixed-width text rows under a header line: only the rows on screen are
drawn, so 14,500 evaluations cost what 20 do. A small database is listed at once; a large one on
a thread of its own (the screen says it is listing), so the screen never waits for the disk. `/`
filters by municipality, year and framework."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.cells import cell_len
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Footer, Input, Static

from kompass_tui.core.points import fmt
from kompass_tui.core.sanitize import one_line
from kompass_tui.errors import KompassError
from kompass_tui.service import Row
from kompass_tui.tui.rowlist import RowList
from kompass_tui.tui.screens.base import KompassScreen
from kompass_tui.tui.widgets import TitleBar, line

if TYPE_CHECKING:
    from textual import getters

    from kompass_tui.tui.app import KompassApp

Columns = tuple[tuple[int, str], ...]  # each column's width and alignment
FIXED = 1 + 4 + 20 + 9 + 5  # the mark, year, framework, points and the spaces between the columns


def columns(width: int, progress: int) -> Columns:
    """The columns for a list this wide: the municipality takes what the others leave (at least
    12), the progress column is as wide as its longest word in the UI's language (områdesnivå)."""
    municipality = min(32, max(12, width - FIXED - progress))  # (wider, and the year drifts far from the name)
    return ((1, "<"), (municipality, "<"), (4, ">"), (20, "<"), (progress, ">"), (9, ">"))


def _cell(text: str, width: int, align: str) -> str:
    text = one_line(text, width)
    pad = " " * max(0, width - cell_len(text))  # by the columns it takes: combining and wide letters
    return text + pad if align == "<" else pad + text


def _line(layout: Columns, *cells: str, style: str = "") -> Text:
    return Text(" ".join(_cell(c, w, a) for c, (w, a) in zip(cells, layout, strict=True)), style=style, no_wrap=True)


class EvaluationList(RowList):
    if TYPE_CHECKING:
        app = getters.app(KompassApp)


class Listing:
    """Rows as home shows them, made off the UI thread: the cells of each row and what a filter
    looks in (municipality, year, framework)."""

    def __init__(self, rows: list[Row], t: Any, lang: str) -> None:
        self.ids = [row.id for row in rows]
        self.frameworks = {row.id: row.framework for row in rows}
        self.cells: dict[str, tuple[str, ...]] = {}
        self.haystack: dict[str, str] = {}
        areas_only, unreadable, reference = t("level_areas"), t("unreadable"), t("ref_word")
        for row in rows:
            if row.error:
                self.cells[row.id] = (row.id, "", "", unreadable, "")
                self.haystack[row.id] = row.id
                continue
            # a reference (a national or group average) says so in words where the progress is
            progress = (
                reference if row.reference else areas_only if row.area_level else f"{row.scored}/{row.countable or '?'}"
            )
            self.cells[row.id] = (
                row.municipality,
                str(row.year),
                row.framework,
                progress,
                f"{fmt(row.total, lang)}/{fmt(row.maximum, lang)}",
            )
            kind = f" {reference}" if row.reference else ""  # (/ finds the references by the word)
            self.haystack[row.id] = f"{row.municipality} {row.year} {row.framework}{kind}".casefold()

    def matching(self, query: str) -> list[str]:
        words = query.casefold().split()
        if not words:
            return self.ids
        return [eid for eid in self.ids if all(word in self.haystack[eid] for word in words)]


class HomeScreen(KompassScreen[None]):
    HELP_KEY = "help_home"
    BINDINGS = [
        Binding("space", "mark", "k_mark", id="kompass.home.mark"),
        Binding("slash", "find", "k_find", id="kompass.home.find"),
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
        self.listing = Listing([], str, "en")
        self.frameworks: dict[str, str] = {}
        self.listing_pending = False
        self._columns: Columns = ()

    def compose(self) -> ComposeResult:
        yield TitleBar()
        self._fit_columns(self.app.size.width - 4)  # (the list's width until it has one: border, scroll bar)
        yield Static(self._header(), id="header")
        yield EvaluationList(id="evaluations")
        yield Static("", id="empty", classes="hint")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.query_one(EvaluationList).focus()

    def _find_field(self) -> Input | None:
        """The find field, None before it was first opened."""
        found = self.query("#filter")
        return found.first(Input) if found else None

    def _query(self) -> str:
        field = self._find_field()
        return field.value if field is not None else ""

    def on_screen_resume(self) -> None:
        self.reload()  # also when first shown: a pushed screen is resumed

    def refresh_from_disk(self, force: bool = False) -> None:
        if force or self.app.bench.db.fingerprint() != self._seen:
            self.reload()

    def reload(self, select: str | None = None) -> None:
        """List the evaluations again: at once if the database is small, else on a thread."""
        self._seen = self.app.bench.db.fingerprint()
        current = select or self.selected_id()
        if self.app.bench.db.is_small(self.SMALL):
            self._show(*self._list(), current)
        else:
            self.listing_pending = True
            if not self.listing.ids:
                self.sub_title = self.app.t("listing")
            self._list_in_background(current)

    SMALL = 512 * 1024  # bytes of index listed on the UI thread (a few hundred evaluations)

    def _list(self) -> tuple[Listing, str]:
        try:
            rows = self.app.bench.rows()
        except KompassError as exc:  # said where the list would be: the evaluations are not gone
            return Listing([], self.app.t, self.app.lang), exc.words_in(self.app.lang)
        return Listing(rows, self.app.t, self.app.lang), ""

    @work(thread=True, exclusive=True, group="home-listing")
    def _list_in_background(self, current: str | None) -> None:
        listing, problem = self._list()
        self.app.call_from_thread(self._show, listing, problem, current)

    def _show(self, listing: Listing, problem: str, current: str | None) -> None:
        self.listing_pending = False
        if problem:
            self.notify(problem, title=self.app.t("cannot_read"), severity="error", timeout=10)
        self.listing, self.frameworks = listing, listing.frameworks
        self.marked &= set(listing.ids)
        self._filter(current)
        empty = self.query_one("#empty", Static)
        empty.update(line(problem) if problem else ("" if listing.ids else self.app.t("empty_home")))
        empty.display = not listing.ids
        self.sub_title = self.app.t("n_evaluations", n=len(listing.ids))
        self.app.settle(listed=True)

    def _filter(self, current: str | None = None) -> None:
        query = self._query()
        shown = self.listing.matching(query)
        self.query_one(EvaluationList).set_rows(shown, self._prompt, current or self.selected_id())
        if query:
            self.sub_title = self.app.t("n_of_evaluations", n=len(shown), total=len(self.listing.ids))
        else:
            self.sub_title = self.app.t("n_evaluations", n=len(self.listing.ids))

    def _prompt(self, eid: str) -> Text:
        return _line(self._columns, "✓" if eid in self.marked else " ", *self.listing.cells[eid])

    def _fit_columns(self, width: int) -> bool:
        """Columns for a list this wide; True if they changed."""
        t = self.app.t
        words = (t("level_areas"), t("unreadable"), t("progress"), t("ref_word"), "37/37")
        layout = columns(width, max(cell_len(word) for word in words))
        changed, self._columns = layout != self._columns, layout
        return changed

    def on_resize(self) -> None:
        """Columns as wide as the list is now: the rows are drawn again (those on screen, as ever)."""
        listing = self.query_one(EvaluationList)
        if self._fit_columns(listing.scrollable_content_region.width or self.size.width - 4):
            self.query_one("#header", Static).update(self._header())
            if listing.row_count:
                listing.set_rows(listing.ids, self._prompt, listing.highlighted_id)

    def _header(self) -> Text:
        t = self.app.t
        return _line(self._columns, " ", t("municipality"), t("year"), t("framework"), t("progress"), t("points"))

    def action_find(self) -> None:
        """Open the find field (made on first use: the first frame does without it)."""
        field = self._find_field()
        if field is None:
            from kompass_tui.tui.fields import SafeInput

            field = SafeInput(id="filter", placeholder=self.app.t("find_hint"))
            self.mount(field, before="#header")
        field.display = True
        field.focus()

    @on(Input.Changed, "#filter")
    def filter_changed(self) -> None:
        self._filter()

    @on(Input.Submitted, "#filter")
    def filter_done(self) -> None:
        self.query_one(EvaluationList).focus()

    def on_key(self, event: Any) -> None:
        field = self._find_field()
        if field is not None and event.key == "escape" and field.has_focus:
            event.stop()
            field.value = ""
            field.display = False
            self._filter()
            self.query_one(EvaluationList).focus()

    def selected_id(self) -> str | None:
        return self.query_one(EvaluationList).highlighted_id

    # -- actions ----------------------------------------------------------------

    @on(RowList.Selected)
    def row_selected(self, event: RowList.Selected) -> None:
        self.open_evaluation(event.row_id)

    def open_evaluation(self, eid: str) -> None:
        """The overview, and on top of it the walk-through at the first unscored sub-question."""
        from kompass_tui.tui.screens.overview import OverviewScreen

        loaded = self.app.read(lambda: self.app.to_show(eid))
        if loaded is None:
            return
        overview = OverviewScreen(eid, loaded)
        self.app.push_screen(overview)
        if not self.app.ask_who(overview.ev, lambda: overview.resume_walkthrough(only_if_unscored=True)):
            overview.resume_walkthrough(only_if_unscored=True)

    def action_mark(self) -> None:
        """Mark or unmark the highlighted evaluation for a comparison, and go to the next row."""
        eid = self.selected_id()
        if eid is None:
            return
        self.marked ^= {eid}
        listing = self.query_one(EvaluationList)
        listing.redraw(eid)
        listing.action_cursor_down()

    def action_compare(self) -> None:
        """Compare the marked evaluations; with none marked, every one of the highlighted one's framework."""
        from kompass_tui.core import comparison  # (not imported for the first frame)
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
        """The export dialog for the highlighted evaluation; the marked ones are offered to compare."""
        from kompass_tui.tui.screens.export import export_from

        eid = self.selected_id()
        if eid is not None:
            export_from(self, eid, [e for e in self.query_one(EvaluationList).ids if e in self.marked])
