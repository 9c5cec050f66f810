"""Overview of one evaluation: the areas with subtotals, the selected area's sub-questions, the
running total, and the way into the walk-through and the texts."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer, Header, OptionList, Static
from textual.widgets.option_list import Option

from kompass_tui import scoring
from kompass_tui.criteria import Area
from kompass_tui.points import fmt
from kompass_tui.screens.base import Translated


def _row(label: str, value: str, width: int = 9) -> Table:
    """One list entry: text that wraps on the left, a right-aligned figure on the right."""
    grid = Table.grid(expand=True, padding=(0, 1))
    grid.add_column(ratio=1)
    grid.add_column(justify="right", width=width, no_wrap=True)
    grid.add_row(label, value)
    return grid


class OverviewScreen(Translated, Screen):
    HELP_KEY = "help_overview"
    BINDINGS = [
        Binding("w", "walkthrough", "k_walkthrough"),
        Binding("s", "area_text('strengths')", "k_strengths"),
        Binding("i", "area_text('improvements')", "k_improvements"),
        Binding("m", "text('summary')", "k_summary"),
        Binding("c", "text('challenges')", "k_challenges"),
        Binding("escape", "back", "k_back"),
    ]

    def __init__(self, eid: str):
        super().__init__()
        self.eid = eid
        self.ev, self.fw = self.app.bench.get_with_framework(eid)

    # -- layout ---------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="facts")
        with Horizontal(id="panes"):
            yield OptionList(id="areas")
            with Vertical(id="right"):
                yield OptionList(id="questions")
                yield Static(id="area-level", classes="hint")
                yield Static(id="area-texts")
        yield Static(id="totals")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.sub_title = self.ev.title
        self.query_one("#areas", OptionList).border_title = self.app.t("areas")
        self.render_all()
        self.query_one("#areas", OptionList).highlighted = 0
        self.query_one("#areas", OptionList).focus()

    def on_screen_resume(self) -> None:
        self.reload()

    def reload(self) -> None:
        """Read the evaluation afresh: it may have changed in the walk-through or another session."""
        loaded = self.app.save(lambda: self.app.bench.get_with_framework(self.eid))
        if loaded is not None:
            self.ev, self.fw = loaded
            self.render_all()

    def render_all(self) -> None:
        ev, fw, t, lang = self.ev, self.fw, self.app.t, self.app.lang
        facts = [fw.name(lang), ", ".join(ev.evaluators), " – ".join(d for d in (ev.start, ev.end) if d)]
        self.query_one("#facts", Static).update(" · ".join(f for f in facts if f))
        areas = self.query_one("#areas", OptionList)
        highlighted = areas.highlighted
        areas.clear_options()
        for area in fw.areas:
            score = fmt(scoring.area_score(ev, area), lang)
            done = "" if ev.area_level else f" {scoring.area_progress(ev, area)}"
            areas.add_option(Option(_row(f"{area.id} {area.short(lang)}", f"{score}/{fmt(area.maximum, lang)}{done}", 13), id=area.id))
        areas.highlighted = highlighted if highlighted is not None else 0
        self.render_area()
        progress = scoring.progress(ev, fw)
        total = f"{t('total')} {fmt(scoring.total(ev, fw), lang)} / {fmt(fw.maximum, lang)}"
        done = t("area_level_short") if ev.area_level else t("scored_of", scored=progress.scored, count=progress.count)
        self.query_one("#totals", Static).update(Text.assemble((total, "bold"), " · ", done))

    @property
    def area(self) -> Area:
        index = self.query_one("#areas", OptionList).highlighted or 0
        return self.fw.areas[index]

    def render_area(self) -> None:
        ev, t, lang, area = self.ev, self.app.t, self.app.lang, self.area
        questions = self.query_one("#questions", OptionList)
        questions.border_title = f"{area.id} {area.name(lang)}"
        questions.display = not ev.area_level
        self.query_one("#area-level", Static).display = ev.area_level
        if ev.area_level:
            self.query_one("#area-level", Static).update(t("area_level_note"))
        else:
            highlighted = questions.highlighted
            questions.clear_options()
            for q in area.questions:
                score = fmt(ev.answer(q.id).score, lang)
                questions.add_option(Option(_row(f"{q.id} {q.text(lang)}", f"{score} / {fmt(q.maximum, lang)}"), id=q.id))
            if highlighted is not None and highlighted < len(area.questions):
                questions.highlighted = highlighted
        entry = ev.area(area.id)
        texts = Text()
        for kind in ("strengths", "improvements"):
            value = " ".join(getattr(entry, kind).split()) or "–"
            texts.append(f"{t(kind)}: ", style="bold")
            texts.append(value + "\n")
        self.query_one("#area-texts", Static).update(texts)

    # -- events ----------------------------------------------------------------------

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option_list.id == "areas":
            self.query_one("#questions", OptionList).highlighted = 0
            self.render_area()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option_list.id == "areas":
            if not self.ev.area_level:
                self.query_one("#questions", OptionList).focus()
        else:
            self.open_walkthrough(event.option.id)

    # -- actions ------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "walkthrough" and self.ev.area_level:
            return None  # shown disabled: area-level evaluations have no sub-questions
        return True

    def resume_walkthrough(self, only_if_unscored: bool = False) -> None:
        if self.ev.area_level:
            return
        qid = scoring.next_unscored(self.ev, self.fw)
        if qid is None and only_if_unscored:
            return
        self.open_walkthrough(qid or self.fw.questions[0].id)

    def open_walkthrough(self, question_id: str) -> None:
        from kompass_tui.screens.walkthrough import WalkthroughScreen

        self.app.push_screen(WalkthroughScreen(self.eid, question_id))

    def action_walkthrough(self) -> None:
        self.resume_walkthrough()

    def action_area_text(self, kind: str) -> None:
        from kompass_tui.screens.dialogs import TextEditScreen

        area, lang = self.area, self.app.lang
        title = f"{self.app.t(kind)}: {area.id} {area.name(lang)}"
        bench, eid, aid = self.app.bench, self.eid, area.id
        self.app.push_screen(TextEditScreen(title, getattr(self.ev.area(aid), kind),
                                            lambda text: bench.area_text(eid, aid, kind, text)))

    def action_text(self, kind: str) -> None:
        from kompass_tui.screens.dialogs import TextEditScreen

        bench, eid = self.app.bench, self.eid
        self.app.push_screen(TextEditScreen(f"{self.app.t(kind)}: {self.ev.title}", getattr(self.ev, kind),
                                            lambda text: bench.text(eid, kind, text)))

    def action_back(self) -> None:
        self.app.pop_screen()

