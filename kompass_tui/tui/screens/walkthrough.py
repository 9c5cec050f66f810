"""The walk-through: one sub-question at a time, score field focused, enter saves and moves on.

Keys while the score field has focus: digits and , or . to type a score; enter saves it and goes to
the next sub-question (an empty field just moves on); ↑/↓ previous/next, u next unscored and escape
(back to the overview) save a typed score first, as enter does, and stay with the reason if it cannot
be taken; i/d/w toggle the evidence sources; n edits the note. When the evaluator's last unscored
sub-question is scored, a dialog says so and offers the overview or the disagreements.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from time import monotonic
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Checkbox, Footer, Label, Static, TextArea

from kompass_tui.core import consensus, edits, scoring
from kompass_tui.core.framework import Question
from kompass_tui.core.model import SOURCES
from kompass_tui.core.points import ZERO, fmt, parse_entry
from kompass_tui.core.sanitize import MAX_TEXT, one_line, visible
from kompass_tui.errors import KompassError, ScoreError
from kompass_tui.tui.fields import ClearCheckbox, SafeTextArea, ScoreInput
from kompass_tui.tui.keys import key_of
from kompass_tui.tui.screens.base import EvaluationScreen
from kompass_tui.tui.screens.dialogs import ChoiceScreen
from kompass_tui.tui.widgets import TitleBar, line, plain, settle, translate_bindings

if TYPE_CHECKING:
    from textual import events

    from kompass_tui.core.followup import Followup
    from kompass_tui.core.model import Answer
    from kompass_tui.tui.app import Loaded

PREVIEW = 500  # characters of the others' line (one line: the rest would not show anyway)
FOLLOWUP = "kompass.walkthrough.followup"  # the binding of f, the previous round's action plan


class NoteArea(SafeTextArea):
    """The note field: esc goes back to the score (the footer says so while the note has focus)."""

    BINDINGS = [Binding("escape", "screen.back", "k_to_score", id="kompass.walkthrough.note.back")]

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        translate_bindings(self, self.app.t)


class WalkthroughScreen(EvaluationScreen):
    CSS_PATH = "walkthrough.tcss"
    HELP_KEY = "help_walkthrough"
    AUTO_FOCUS = "#score"
    BINDINGS = [
        Binding("up", "move(-1)", "k_previous", priority=True, show=False, id="kompass.walkthrough.previous"),
        Binding("down", "move(1)", "k_next", priority=True, show=False, id="kompass.walkthrough.next"),
        Binding(
            "pageup", "move(-1)", "k_previous", priority=True, show=False, id="kompass.walkthrough.previous.alternate"
        ),
        Binding("pagedown", "move(1)", "k_next", priority=True, show=False, id="kompass.walkthrough.next.alternate"),
        Binding("u", "next_unscored", "k_next_unscored", priority=True, id="kompass.walkthrough.next_unscored"),
        # The sources' keys are shown on their boxes (Interview (i)), not in the footer: no room at 80.
        Binding(
            "i",
            "toggle_source('interview')",
            "k_interview",
            priority=True,
            show=False,
            id="kompass.walkthrough.interview",
        ),
        Binding(
            "d", "toggle_source('document')", "k_document", priority=True, show=False, id="kompass.walkthrough.document"
        ),
        Binding(
            "w", "toggle_source('website')", "k_website", priority=True, show=False, id="kompass.walkthrough.website"
        ),
        Binding("n", "note", "k_note", priority=True, id="kompass.walkthrough.note"),
        Binding("l", "last_round", "k_last_round", priority=True, id="kompass.walkthrough.last_round"),
        Binding("h", "history", "k_history", priority=True, show=False, id="kompass.walkthrough.history"),
        # (in the footer where the previous round has an action plan: _read_followup)
        Binding("f", "followup", "k_followup", priority=True, show=False, id="kompass.walkthrough.followup"),
        Binding(
            "question_mark", "help", "k_help", priority=True, show=False, system=True, id="kompass.walkthrough.help"
        ),  # (F1 is the key help shows: this one is for the score field, where ? would be typed)
        Binding("escape", "back", "k_overview", id="kompass.walkthrough.back"),
    ]

    def __init__(self, eid: str, question_id: str, loaded: Loaded | None = None):
        super().__init__(eid, loaded)
        self.ids = [q.id for q in self.fw.questions]
        self.index = self.ids.index(question_id)
        self._shown: dict[str, object] = {}
        self._refused_note = False  # the note typed is longer than Kompass keeps (and was not saved)
        self._completed = False  # the last save scored the evaluator's last unscored sub-question
        # A re-evaluation: the municipality's previous round, whose score shows beside each sub-question.
        self.before = None if self.ev.area_level else self.app.read(lambda: self.app.bench.previous_round(self.ev))
        # The follow-up of the previous round's action plan (any framework): read after the first
        # frame, or when f asks for it first. _followup_read: read (the follow-up may be None).
        self._followup: Followup | None = None
        self._followup_read = False

    @property
    def question(self) -> Question:
        return self.fw.questions[self.index]

    def compose(self) -> ComposeResult:
        t = self.app.t
        yield TitleBar()
        with Vertical(id="card"):
            yield Static(id="area-name")
            yield Static(id="question-text")
            yield Static(id="guidance", classes="hint")
            with Horizontal(id="score-row"):
                yield Label(id="score-label")
                yield ScoreInput(
                    self.save_score,
                    id="score",
                    restrict=r"[^\x00-\x1f\x7f-\x9f]*",  # what is typed shows (and is refused with a reason), controls never
                    max_length=ScoreInput.MAX_LENGTH,
                    select_on_focus=True,
                )
                yield Static(id="error", classes="error")
            yield Label(t("note"), id="note-label")
            yield NoteArea(id="note", soft_wrap=True)
            yield Static(id="others", classes="hint")
            with Horizontal(id="sources"):
                for source in SOURCES:
                    key = key_of(self, f"kompass.walkthrough.{source}")
                    yield ClearCheckbox(f"{t(f'source_{source}')} ({key})", id=source, compact=True)
        yield Static(id="progress")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.sub_title = self.ev.title
        self.query_one("#note", SafeTextArea).on_typed = self._note_typed  # also what a sudden end finds unsaved
        self.show_question()
        settle(self)
        self.call_after_refresh(self._read_followup)

    def _read_followup(self) -> Followup | None:
        """The follow-up, read once. f is offered where there is an earlier round (its action plan
        may be empty: f says so), and shown in the footer where that round has an action plan."""
        if not self._followup_read:
            self._followup_read = True
            self._followup = followup = self.app.read(lambda: self.app.bench.followup(self.ev))
            if followup is not None and followup.previous.plan():
                bindings = self._bindings.key_to_bindings  # textual 8.2.8: this screen's own copy
                for key, entries in bindings.items():
                    bindings[key] = [replace(b, show=True) if b.id == FOLLOWUP else b for b in entries]
            self.refresh_bindings()
        return self._followup

    # -- display -----------------------------------------------------------------------

    def show_fresh(self) -> None:
        self.show_question(keep_typing=True)  # what is being typed here stays

    def show_question(self, keep_typing: bool = False) -> None:
        """Show the current sub-question. Every label has a fixed size (walkthrough.tcss), so an update
        repaints it without a new layout, and only what changed is touched: a key costs one frame."""
        ev, fw, q, t, lang = self.ev, self.fw, self.question, self.app.t, self.app.lang
        area = fw.area(q.area_id)
        answer = ev.answer(q.id)
        mine = answer.entry(self.app.evaluator)
        self._set("#area-name", line(f"{t('area')} {area.id} {area.name(lang)}", style="bold"))
        self._set("#question-text", line(f"{q.id} {q.text(lang)}", style="bold"))
        guidance = q.guidance(lang)
        if self.query_one("#guidance").display != bool(guidance):
            self.query_one("#guidance").display = bool(guidance)
        self._set("#guidance", plain(guidance))
        current = fmt(mine.score, lang, t("not_scored"))
        self._set("#score-label", t("score_label", current=current, max=fmt(q.maximum, lang)))
        score = self.query_one("#score", ScoreInput)
        score.placeholder = t("score_placeholder", max=fmt(q.maximum, lang))
        note = self.query_one("#note", TextArea)
        if not keep_typing:
            score.value = ""
            self._set("#error", "")
        if not (keep_typing and (note.has_focus or self.app.has_pending(("note", self.eid, q.id)))):
            self._load_note(mine.note)
        for source in SOURCES:
            box = self.query_one(f"#{source}", Checkbox)
            if box.value != (source in mine.sources):
                with box.prevent(Checkbox.Changed):
                    box.value = source in mine.sources
        self._set("#others", line(self._others(answer), limit=PREVIEW))
        self.show_progress()

    def _load_note(self, text: str) -> None:
        """Show the evaluator's note in its field: control characters as visible escapes (a note
        from an older file may hold them). A note longer than Kompass edits (MAX_TEXT, only from
        an older file) is shown cut and cannot be changed here."""
        note = self.query_one("#note", SafeTextArea)
        too_long = len(text) > MAX_TEXT
        shown = visible(text[:MAX_TEXT] + "…" if too_long else text)
        note.read_only = too_long
        if note.text != shown:
            with note.prevent(TextArea.Changed):
                note.load_text(shown)
        if too_long:
            self._set("#error", Text(self.app.t("note_too_long", n=len(text), max=MAX_TEXT)))
        note.handed = note.text

    def _others(self, answer: Answer) -> str:
        """One line: the other evaluators' scores, the consensus, and an agreed note if there is one."""
        t, lang = self.app.t, self.app.lang
        parts = [
            f"{name} {fmt(e.score, lang)}"
            for name, e in answer.entries.items()
            if name != self.app.evaluator and e.score is not None
        ]
        if answer.score is not None:
            parts.append(f"{t('consensus')} {fmt(answer.score, lang)}")
        if answer.note:
            parts.append(f"{t('agreed_note')}: {one_line(answer.note, PREVIEW)}")
        before = self.before
        if before is not None and not before.area_level:
            score = fmt(scoring.question_score(before, self.question.id), lang)
            parts.insert(0, t("last_round_score", year=before.year, score=score))
        return " · ".join(parts)

    def _set(self, selector: str, content: str | Text) -> None:
        """Update a fixed-size label if its content changed, without a layout pass. A str is shown
        as it is (never as markup)."""
        if self._shown.get(selector) != content:
            self._shown[selector] = content
            self.query_one(selector, Static).update(
                plain(content) if isinstance(content, str) else content, layout=False
            )

    def show_progress(self) -> None:
        ev, fw, q, t, lang = self.ev, self.fw, self.question, self.app.t, self.app.lang
        area = fw.area(q.area_id)
        progress = scoring.progress(ev, fw)
        parts = [
            t("question_of", n=self.index + 1, count=len(self.ids)),
            f"{t('area')} {area.id}: {fmt(scoring.area_score(ev, area) or ZERO, lang)}/{fmt(area.maximum, lang)}",
            f"{t('total')} {fmt(scoring.total(ev, fw), lang)}/{fmt(fw.maximum, lang)}",
            t("scored_of", scored=progress.scored, count=progress.count),
        ]
        self._set("#progress", " · ".join(parts))

    def on_descendant_blur(self, event: events.DescendantBlur) -> None:
        if getattr(event.widget, "id", None) == "note":
            self.app.send_pending()  # leaving the note saves it

    def go_to(self, index: int) -> None:
        self.app.send_pending()
        if index >= len(self.ids):
            self.app.pop_screen()  # after the last sub-question: the overview
            return
        self.index = max(0, index)
        self.show_question()
        score = self.query_one("#score", ScoreInput)
        if self.focused is not score:
            self.set_focus(score)

    # -- saving --------------------------------------------------------------------------

    def save_score(self, typed: str) -> bool:
        """Enter in the score field: save the score and go to the next sub-question (an empty field
        just moves on). False, with the reason beside the field, if the score cannot be taken."""
        text = typed.strip()
        if text and not self._save(text):
            return False
        if not self._offer_when_done():
            self.go_to(self.index + 1)
        return True

    def _take_typed(self) -> bool:
        """Before leaving the sub-question (↑/↓/u/esc): a score typed and not entered is saved, as
        enter saves it. True if nothing was typed or it was saved; False if it cannot be taken (the
        reason is beside the field, and the user stays to correct it)."""
        score = self.query_one("#score", ScoreInput)
        text = score.value.strip()
        if not text or self._save(text):
            return True
        score.refuse()
        return False

    def _save(self, text: str) -> bool:
        """Save the score typed for this sub-question (`-` takes it back); False, with the reason
        beside the field, if it cannot be taken."""
        from kompass_tui.core import team

        by = self.app.evaluator
        was_open = scoring.next_unscored(self.ev, self.fw, by=by) is not None
        joins = team.member(self.ev, by) is None  # (an open team: whoever scores joins it)
        maximum = fmt(self.question.maximum, self.app.lang)
        try:
            value = parse_entry(text)
        except ScoreError:
            self._set("#error", self.app.t("score_not_number", text=text, max=maximum))
            return False
        try:
            self.ev = self.app.apply(self.eid, self.ev, self.fw, edits.score(self.question.id, value, by))
        except ScoreError:
            self._set("#error", self.app.t("score_invalid", text=text, max=maximum))
            return False
        except KompassError as exc:
            self._set("#error", line(exc.words_in(self.app.lang)))
            return False
        self._completed = was_open and scoring.next_unscored(self.ev, self.fw, by=by) is None
        if joins and team.member(self.ev, by) is not None:
            self.notify(self.app.t("you_join", name=by, title=self.ev.title, team=", ".join(self.ev.evaluators)))
        return True

    def _all_scored_message(self) -> str:
        t, lang = self.app.t, self.app.lang
        undecided = [d for d in consensus.disagreements(self.ev, self.fw) if d.consensus is None]
        if undecided:
            return t("all_scored_to_decide", count=len(self.ids), n=len(undecided))
        total = fmt(scoring.total(self.ev, self.fw), lang)
        return t("all_scored_by_you", count=len(self.ids), total=total, max=fmt(self.fw.maximum, lang))

    def _offer_when_done(self) -> bool:
        """After the save that scored the evaluator's last unscored sub-question: say so, and offer
        the overview or (where the evaluators differ) the disagreements. True if offered."""
        if not self._completed:
            return False
        self._completed = False
        t = self.app.t
        choices = [("o", t("choice_overview"))]
        if any(d.consensus is None for d in consensus.disagreements(self.ev, self.fw)):
            choices.append(("d", t("choice_disagreements")))
        choices.append(("s", t("choice_stay")))

        def chosen(key: str | None) -> None:
            if key not in ("o", "d"):
                self.show_question()  # stays, showing what was saved
                return
            self.app.send_pending()
            self.app.pop_screen()
            if key == "d":
                from kompass_tui.tui.screens.disagreements import DisagreementScreen

                self.app.push_screen(DisagreementScreen(self.eid, self.shown))

        self.app.push_screen(ChoiceScreen(self._all_scored_message(), choices), chosen)
        return True

    @on(TextArea.Changed, "#note")
    def note_changed(self, event: TextArea.Changed) -> None:
        self._note_typed(self.query_one("#note", SafeTextArea))

    def _note_typed(self, area: SafeTextArea) -> None:
        """Hand the note on to be saved (shortly): as typed, and, at the end of a session, as the
        field holds it (its on_typed)."""
        eid, qid, by = self.eid, self.question.id, self.app.evaluator
        try:
            shown = self.app.preview(self.ev, self.fw, edits.note(qid, area.text, by=by))
        except KompassError as exc:  # longer than Kompass keeps: said beside the field and once in full, not saved
            if not self._refused_note:
                self.app.notify(
                    self.app.t("not_kept", reason=exc.words_in(self.app.lang)), severity="error", timeout=10
                )
            self._refused_note = True
            self._set("#error", line(exc.words_in(self.app.lang)))
            area.handed = area.text
            return
        if self._refused_note:
            self._refused_note = False
            self._set("#error", "")

        # the text as on screen when the save is sent, even at a sudden end
        self.app.save_later(("note", eid, qid), eid, lambda: edits.note(qid, area.text, by=by), shown)
        self.ev, area.handed = shown, area.text  # after the hand-over: a signal before it finds the text unhanded

    @on(Checkbox.Changed)
    def source_changed(self, event: Checkbox.Changed) -> None:
        self.save_sources()

    def save_sources(self) -> None:
        sources = [s for s in SOURCES if self.query_one(f"#{s}", Checkbox).value]
        self.ev = self.app.apply(
            self.eid, self.ev, self.fw, edits.note(self.question.id, sources=sources, by=self.app.evaluator)
        )

    # -- actions ----------------------------------------------------------------------------

    def in_typing_order(self, action: Callable[..., None], *args: object) -> None:
        """Run the action of a priority key (arrows, u, i/d/w) after the keys typed before it. Textual
        runs priority keys as they arrive, while keys for the score field wait in the field's queue:
        "34⏎↓" in one burst would move first and then save 34 for the wrong sub-question."""
        score, pressed = self.query_one("#score", ScoreInput), monotonic()
        if self.focused is not score:
            action(*args)
        else:

            def later() -> None:
                if self.is_current and score.seen_refusal(pressed):
                    action(*args)

            score.call_later(later)

    def action_move(self, step: int) -> None:
        self.in_typing_order(self.move, step)

    def move(self, step: int) -> None:
        if not self._take_typed() or self._offer_when_done():
            return
        if 0 <= self.index + step < len(self.ids):
            self.go_to(self.index + step)
        else:
            self.show_question()  # at either end: stays, showing what was saved

    def action_next_unscored(self) -> None:
        self.in_typing_order(self.next_unscored)

    def next_unscored(self) -> None:
        if not self._take_typed() or self._offer_when_done():
            return
        qid = scoring.next_unscored(self.ev, self.fw, after=self.question.id, by=self.app.evaluator)
        if qid is None:
            self.notify(self.app.t("all_scored"))
            return
        self.go_to(self.ids.index(qid))

    def action_toggle_source(self, source: str) -> None:
        self.in_typing_order(self.toggle, source)

    def toggle(self, source: str) -> None:
        box = self.query_one(f"#{source}", Checkbox)
        with box.prevent(Checkbox.Changed):
            box.value = not box.value
        self.save_sources()  # at once, not when the box's event comes round

    def action_help(self) -> None:
        self.app.action_help()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "last_round" and (self.before is None or self.before.area_level):
            return False  # not in the footer: no earlier round of this municipality and framework
        if action == "followup" and self._followup_read and self._followup is None:
            return False  # not in the footer: no earlier round of this municipality at all
        if action == "move":
            return isinstance(self.focused, ScoreInput)  # in the note, the arrows move the cursor
        return True

    def action_last_round(self) -> None:
        """The previous round's agreed note for this sub-question, in full, as a notification."""
        before, t = self.before, self.app.t
        if before is None:
            return
        note, _ = consensus.agreed_note(before.answer(self.question.id), consensus.sole_evaluator(before))
        title = t("last_round_title", year=before.year, question=self.question.id)
        self.notify(one_line(note, 2000) or t("last_round_no_note"), title=title, timeout=15)

    def action_history(self) -> None:
        """Who changed this sub-question, and when (service.audit; the team's sync history where
        the database is shared): read on a worker thread, shown in a dialog."""
        self.app.flush()
        qid = self.question.id
        self.run_worker(lambda: self._read_history(qid), thread=True, group="history", exclusive=True)

    def _read_history(self, qid: str) -> None:
        from kompass_tui.errors import KompassError
        from kompass_tui.service import audit

        app = self.app
        try:
            shown = audit.lines(app.bench, audit.history(app.bench, self.eid, qid), app.lang)
        except KompassError as exc:
            app.call_from_thread(self.notify, exc.words_in(app.lang), severity="error")
            return
        app.call_from_thread(self._show_history, qid, "\n".join(shown))

    def _show_history(self, qid: str, text: str) -> None:
        from kompass_tui.tui.screens.dialogs import InfoScreen

        self.app.push_screen(InfoScreen(self.app.t("history_title", question=qid, title=one_line(self.ev.title)), text))

    def action_followup(self) -> None:
        self.in_typing_order(self.show_followup)

    def show_followup(self) -> None:
        """The previous round's actions on this area and how far they came (exchange.plans' words),
        under the area's follow-up line; where the rounds used different frameworks, the whole
        follow-up, under the previous round's own areas; else one line: no earlier action plan."""
        from kompass_tui.exchange import plans
        from kompass_tui.service.bench import today
        from kompass_tui.tui.screens.dialogs import InfoScreen

        followup, lang = self._read_followup(), self.app.lang
        if followup is None or not followup.previous.plan():
            self.notify(self.app.t("tui_plan_no_followup"))
            return
        before = followup.previous
        title = self.app.t("followup", year=before.year) + f" ({one_line(before.title)})"
        item = followup.of(self.question.area_id)
        if item is not None:
            lines = [plans.followup_line(item, followup, lang, named=True), ""]
            lines += [plans.action_line(a, lang, today()) for a in item.actions]
        else:  # another framework: its areas are not these
            lines = plans.followup_lines(followup, lang, today())[1:]
        self.app.push_screen(InfoScreen(title, "\n".join(lines).strip()))

    def copy_text(self) -> str | None:
        """The note of this sub-question, as written."""
        return self.query_one("#note", TextArea).text or None

    def action_note(self) -> None:
        # set_focus at once (not focus(), which waits a turn), so keys typed right after n reach the note
        self.set_focus(self.query_one("#note", TextArea))

    def action_back(self) -> None:
        if not isinstance(self.focused, ScoreInput):
            self.set_focus(self.query_one("#score", ScoreInput))
            return
        self.in_typing_order(self.leave)

    def leave(self) -> None:
        if not self._take_typed():
            return
        if self._completed:
            self._completed = False
            self.app.notify(self._all_scored_message())
        self.app.send_pending()
        self.app.pop_screen()
