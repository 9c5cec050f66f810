"""Overview of one evaluation: the areas with subtotals as a bar profile, the selected area's
sub-questions, the running total, the change since the previous round, and the way into the
walk-through and the texts. `p` swaps the lists for the full profile chart, the change table and
the trend across the municipality's evaluations."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.geometry import Size
from textual.widgets import ContentSwitcher, Footer, Static

from kompass_tui.core import actions, comparison, edits, scoring
from kompass_tui.core.framework import Area
from kompass_tui.core.model import AREA_TEXTS
from kompass_tui.core.points import fmt
from kompass_tui.core.sanitize import one_line, visible
from kompass_tui.exchange import charts, plans, tables
from kompass_tui.service.bench import today
from kompass_tui.tui.rowlist import WrappedList
from kompass_tui.tui.screens.base import EvaluationScreen
from kompass_tui.tui.widgets import TitleBar, line, plain

if TYPE_CHECKING:
    from textual import events

    from kompass_tui.core.followup import Followup
    from kompass_tui.core.model import Evaluation
    from kompass_tui.tui.app import Loaded


BAR_CELLS = 10
WIDE, TALL = 110, 34  # from these many columns the areas' full names, from these many rows their texts in full
AREAS_NARROW, AREAS_WIDE = 44, 62
PREVIEW = 2000  # characters of a text shown in the area pane (the whole text is in its editor)


class OverviewScreen(EvaluationScreen):
    CSS_PATH = "overview.tcss"
    HELP_KEY = "help_overview"
    BINDINGS = [
        Binding("w", "walkthrough", "k_walkthrough", id="kompass.overview.walkthrough"),
        Binding("s", "area_text('strengths')", "k_strengths", id="kompass.overview.strengths"),
        Binding("i", "area_text('improvements')", "k_improvements", id="kompass.overview.improvements"),
        Binding("m", "text('summary')", "k_summary", show=False, id="kompass.overview.summary"),
        Binding("c", "text('challenges')", "k_challenges", show=False, id="kompass.overview.challenges"),
        Binding("p", "profile", "k_profile", id="kompass.overview.profile"),
        Binding("d", "disagreements", "k_disagreements", id="kompass.overview.disagreements"),
        Binding("a", "actions", "k_actions", show=False, id="kompass.overview.actions"),
        Binding("y", "who", "k_who", show=False, id="kompass.overview.who"),
        Binding("e", "export", "k_export", show=False, id="kompass.overview.export"),
        Binding("escape", "back", "k_back", id="kompass.overview.back"),
    ]
    WIDE_KEYS = ("kompass.overview.summary", "kompass.overview.challenges", "kompass.overview.actions")

    def __init__(self, eid: str, loaded: Loaded | None = None):
        super().__init__(eid, loaded)
        self.rounds = self.app.bench.related(self.ev, versions=True)  # (a trend across versions: totals)
        self._profile_drawn: tuple[object, ...] | None = None
        self._shown_once = False
        self._area_shown = ""  # the area whose sub-questions are listed
        self._shape: tuple[bool, bool] = (False, False)  # (wide, tall): _fit
        self._listed: list[str] = []  # the sub-questions' scores as listed (listed again when they differ)
        # The follow-up of the previous round's action plan (None: no earlier round, or not read yet):
        # read after the first frame (one part of the index, one file), and again at each reload.
        self.followup: Followup | None = None
        self.day = today()  # what "overdue" is measured against
        self._text_lines = 0  # the area texts' height at fewer than TALL rows: a line each

    # -- layout ---------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield TitleBar()
        yield Static(id="facts")
        with ContentSwitcher(initial="panes", id="views"):
            with Horizontal(id="panes"):
                yield WrappedList(id="areas")
                with Vertical(id="right"):
                    yield WrappedList(id="questions")
                    yield Static(id="area-level", classes="hint")
                    yield Static(id="area-texts")
            with VerticalScroll(id="profile"):
                yield Static(id="profile-chart")
                yield Static(id="changes")
                yield Static(id="trend")
        yield Static(id="totals")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.sub_title = self.ev.title
        areas = self.query_one("#areas", WrappedList)
        areas.border_title = self.app.t("areas")
        self._fit(self.app.size)
        self.render_all()
        areas.focus()
        # At once, not by a message: the area and its sub-questions are drawn in the same frame.
        self.watch(areas, "cursor", self._area_moved, init=False)
        self.call_after_refresh(self._read_followup)

    def on_resize(self) -> None:
        if self._fit(self.size):
            self.render_all()

    def _fit(self, size: Size) -> bool:
        """Use the room there is: from WIDE columns the areas' full names, from TALL rows the
        strengths and improvement areas in full (each a part of the pane). True if that changed."""
        shape = (size.width >= WIDE, size.height >= TALL)
        if shape == self._shape:
            return False
        self._shape = shape
        wide, tall = shape
        self.query_one("#areas").styles.width = AREAS_WIDE if wide else AREAS_NARROW
        texts = self.query_one("#area-texts", Static)
        texts.styles.height = "1fr" if tall else len(AREA_TEXTS) + 1
        self._text_lines = len(AREA_TEXTS) + 1  # (render_area: one more for a follow-up)
        texts.styles.text_wrap = "wrap" if tall else "nowrap"
        return True

    def on_screen_resume(self) -> None:
        if self._shown_once:  # back from the walk-through, a text, help: take what changed
            self.reload()
        self._shown_once = True

    def show_fresh(self) -> None:
        self.rounds = self.app.read(lambda: self.app.bench.related(self.ev, versions=True)) or self.rounds
        self._read_followup(render=False)
        self.render_all()

    def _read_followup(self, render: bool = True) -> None:
        """The follow-up of the municipality's previous round's action plan (app.bench.followup)."""
        ev = self.ev
        rounds = self.rounds  # (read with versions: the earlier round is among them)
        self.followup = self.app.read(lambda: self.app.bench.followup(ev, rounds))
        self.day = today()
        if render:
            self.render_area()
            if self.query_one("#views", ContentSwitcher).current == "profile":
                self.render_profile()

    @property
    def previous(self) -> Evaluation | None:
        return comparison.previous(self.ev, self.rounds)

    def render_all(self) -> None:
        ev, fw, t, lang = self.ev, self.fw, self.app.t, self.app.lang
        facts = [fw.name(lang), ", ".join(ev.evaluators), ev.dates]
        self.query_one("#facts", Static).update(line(" · ".join(f for f in facts if f)))
        figures = {}
        for area in fw.areas:
            score = scoring.area_score(ev, area)
            parts = [fmt(score, lang).rjust(5), charts.bar(score, area.maximum, BAR_CELLS).ljust(BAR_CELLS)]
            if not ev.area_level:
                parts.append(str(scoring.area_progress(ev, area)).rjust(5))
            figures[area.id] = " ".join(parts)
        wide = self._shape[0]
        labels = {area.id: line(f"{area.id} {area.name(lang) if wide else area.short(lang)}") for area in fw.areas}
        areas = self.query_one("#areas", WrappedList)
        areas.set_rows(list(labels), labels.__getitem__, areas.highlighted_id, figures.__getitem__)
        if not ev.area_level:
            self._list_questions()
        self.render_area()
        progress = scoring.progress(ev, fw)
        total = f"{t('total')} {fmt(scoring.total(ev, fw), lang)} / {fmt(fw.maximum, lang)}"
        done = t("area_level_short") if ev.area_level else t("scored_of", scored=progress.scored, count=progress.count)
        totals = Text.assemble((total, "bold"), " · ", done)
        undecided = scoring.undecided(ev)
        if undecided:
            totals.append(" · ")
            totals.append(t("to_decide", n=len(undecided)), style="bold")
        before = self.previous
        if before is not None:
            delta = comparison.change(ev, before, fw)  # None where either round is not wholly scored
            if delta.total is not None:
                totals.append(" · " + t("since", change=comparison.signed(delta.total, lang), year=before.year))
        self.query_one("#totals", Static).update(totals)
        if self.query_one("#views", ContentSwitcher).current == "profile":
            self.render_profile()

    def render_profile(self) -> None:
        """The full profile chart, and with an earlier round the change table and the trend. Drawn
        again only when a score, the width or the rounds changed."""
        from kompass_tui.exchange.report import profile_chart, trend_chart

        ev, fw, t, lang = self.ev, self.fw, self.app.t, self.app.lang
        width = max(40, self.query_one("#profile").size.width - 2)
        followup = self.followup if self.followup is not None and self.followup.paired else None
        planned = followup is not None and bool(followup.previous.plan())
        tallies = tuple(item.tally for item in followup.areas) if followup is not None and planned else ()
        key = (tuple(scoring.area_scores(ev, fw).values()), width, tuple(r.id for r in self.rounds), tallies)
        if key == self._profile_drawn:
            return
        self._profile_drawn = key
        self.query_one("#profile-chart", Static).update(plain(profile_chart(ev, fw, lang, width)))
        before = self.previous
        changes, trend = self.query_one("#changes", Static), self.query_one("#trend", Static)
        rounds = comparison.history(ev, self.rounds, any_version=True)
        changes.display = before is not None
        trend.display = len(rounds) > 1
        if trend.display:
            trend.update(plain(trend_chart(rounds, fw, lang, width)))
        if before is None:
            return
        table = Table(title=t("change_since", year=before.year), title_justify="left", box=None, expand=False)
        table.add_column(t("area"))
        table.add_column(str(before.year), justify="right")
        table.add_column(str(ev.year), justify="right")
        table.add_column(t("change"), justify="right")
        *areas, (label, *figures, difference) = tables.change_rows(ev, before, fw, lang)
        plan: list[str] = []
        if followup is not None and tallies:  # the previous round's action plan, how far it came
            table.add_column(t("tui_plan_actions_year", year=followup.previous.year))
            plan = [plans.tally_text(item.tally, lang) for item in followup.areas]
        for n, row in enumerate(areas):
            table.add_row(*(line(cell) for cell in row), *([line(plan[n])] if plan else []))
        whole = followup.tally if followup else None
        total = [Text(plans.tally_text(whole, lang), style="bold")] if whole is not None and plan else []
        table.add_row(Text(label, style="bold"), *figures, Text(difference, style="bold"), *total)
        changes.update(table)

    @property
    def area(self) -> Area:
        return self.fw.areas[self._area_index]

    @property
    def _area_index(self) -> int:
        return self.query_one("#areas", WrappedList).cursor or 0

    @property
    def questions(self) -> WrappedList:
        """The list of the current area's sub-questions."""
        return self.query_one("#questions", WrappedList)

    def _list_questions(self) -> None:
        """Every area's sub-questions with their scores, each area a page of one list (laid out
        again only when a score changed)."""
        ev, lang = self.ev, self.app.lang
        figures = {
            q.id: f"{fmt(scoring.question_score(ev, q.id), lang)} / {fmt(q.maximum, lang)}" for q in self.fw.questions
        }
        listed = list(figures.values())
        if listed == self._listed:
            return
        self._listed = listed
        self.questions.set_pages(
            {
                area.id: [(q.id, line(f"{q.id} {q.text(lang)}"), figures[q.id]) for q in area.questions]
                for area in self.fw.areas
            }
        )

    def render_area(self) -> None:
        ev, t, lang, area = self.ev, self.app.t, self.app.lang, self.area
        self._area_shown = area.id
        questions = self.questions
        questions.display = not ev.area_level
        self.query_one("#area-level", Static).display = ev.area_level
        if ev.area_level:
            note = t("framework_areas_only") if self.fw.areas_only else t("area_level_note")
            self.query_one("#area-level", Static).update(f"{note} {t('area_level_cli', id=ev.id)}")
        else:
            questions.border_title = line(f"{area.id} {area.name(lang)}")
            questions.show_page(area.id, questions.highlighted_id if questions.page == area.id else None)
        entry = ev.area(area.id)
        tall = self._shape[1]
        texts = Text()
        for kind in AREA_TEXTS:
            value = getattr(entry, kind)[:PREVIEW]
            texts.append(f"{t(kind)}: ", style="bold")
            texts.append((visible(value).strip() if tall else one_line(value, PREVIEW)) or "–")
            texts.append("\n\n" if tall else "\n")
        # The area's action plan, and at a re-evaluation how far the previous round's came.
        texts.append(f"{t('tui_plan_label', letter=self._actions_key)}: ", style="bold")
        tally = actions.tally(ev.plan(area.id), self.day)
        words = plans.tally_text(tally, lang)
        texts.append(words)
        if tally.overdue:  # (the last part: "1 overdue"; the word shows without colour too)
            texts.stylize("bold red", len(texts) - len(words.rsplit(" · ", 1)[-1]))
        lines = len(AREA_TEXTS) + 1
        followup = self.followup
        item = followup.of(area.id) if followup is not None and followup.previous.plan() else None
        if followup is not None and item is not None:
            texts.append("\n\n" if tall else "\n")
            texts.append(f"{t('tui_plan_followup_label')}: ", style="bold")
            texts.append(plans.followup_line(item, followup, lang))
            lines += 1
        shown = self.query_one("#area-texts", Static)
        if not tall and lines != self._text_lines:  # a line each (a follow-up: one more)
            self._text_lines = lines
            shown.styles.height = lines
        shown.update(texts, layout=False)  # a fixed height, whatever it holds

    @property
    def _actions_key(self) -> str:
        """The key of the action plan as the user has it (a keymap may move it)."""
        from kompass_tui.tui.keys import key_of

        return key_of(self, "kompass.overview.actions")

    # -- events ----------------------------------------------------------------------

    def _area_moved(self) -> None:
        # A redraw of the list highlights the same area again: keep the question cursor then.
        if self.area.id != self._area_shown:
            self.render_area()

    def on_row_list_selected(self, event: WrappedList.Selected) -> None:
        if event.row_list is self.questions:
            self.open_walkthrough(event.row_id)
        elif not self.ev.area_level:
            self.questions.focus()

    # -- actions ------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Not in the footer where it would do nothing: area-level evaluations have no sub-questions.
        return not (action in ("walkthrough", "disagreements") and self.ev.area_level)

    def on_key(self, event: events.Key) -> None:
        """The walk-through's key on an area-level evaluation (not offered, but typed all the same):
        say why there is none, rather than nothing."""
        bound = self._bindings.key_to_bindings.get(event.key, [])
        if self.ev.area_level and any(b.id == "kompass.overview.walkthrough" for b in bound):
            event.stop()
            self.notify(self.app.t("no_walkthrough", title=self.ev.title, id=self.ev.id), severity="warning")

    def resume_walkthrough(self, only_if_unscored: bool = False) -> None:
        if self.ev.area_level:
            return
        qid = scoring.next_unscored(self.ev, self.fw, by=self.app.evaluator)
        if qid is None and only_if_unscored:
            return
        self.open_walkthrough(qid or self.fw.questions[0].id)

    def open_walkthrough(self, question_id: str) -> None:
        from kompass_tui.tui.screens.walkthrough import WalkthroughScreen

        self.app.push_screen(WalkthroughScreen(self.eid, question_id, self.shown))

    def action_walkthrough(self) -> None:
        self.resume_walkthrough()

    def action_area_text(self, kind: str) -> None:
        from kompass_tui.tui.screens.dialogs import TextEditScreen

        area, lang = self.area, self.app.lang
        title = f"{self.app.t(kind)}: {area.id} {one_line(area.name(lang))}"
        self.app.push_screen(
            TextEditScreen(
                title, getattr(self.ev.area(area.id), kind), self.eid, lambda text: edits.area_text(area.id, kind, text)
            )
        )

    def action_text(self, kind: str) -> None:
        from kompass_tui.tui.screens.dialogs import TextEditScreen

        self.app.push_screen(
            TextEditScreen(
                f"{self.app.t(kind)}: {one_line(self.ev.title)}",
                getattr(self.ev, kind),
                self.eid,
                lambda text: edits.text(kind, text),
            )
        )

    def action_export(self) -> None:
        from kompass_tui.tui.screens.export import export_from

        export_from(self, self.eid, [])

    def action_who(self) -> None:
        """Switch who is scoring: one of the team, or join it."""
        self.app.ask_who(self.ev, self.render_all, always=True)

    def action_actions(self) -> None:
        from kompass_tui.tui.screens.plan import PlanScreen

        self.app.push_screen(PlanScreen(self.eid, self.shown, self.area.id))

    def action_disagreements(self) -> None:
        from kompass_tui.tui.screens.disagreements import DisagreementScreen

        self.app.push_screen(DisagreementScreen(self.eid, self.shown))

    def action_profile(self) -> None:
        views = self.query_one("#views", ContentSwitcher)
        if views.current == "profile":
            views.current = "panes"
            self.query_one("#areas", WrappedList).focus()
        else:
            views.current = "profile"
            self.call_after_refresh(self.render_profile)
            self.query_one("#profile").focus()

    def action_back(self) -> None:
        views = self.query_one("#views", ContentSwitcher)
        if views.current == "profile":
            self.action_profile()
            return
        self.app.pop_screen()
