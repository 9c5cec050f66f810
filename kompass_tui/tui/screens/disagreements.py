"""The consensus meeting: the sub-questions where the evaluators' scores differ, largest spread
first, each evaluator's score and note side by side; one key sets the consensus, `a` the agreed
note (one evaluator's note taken as it is, or one written)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from kompass_tui.core import consensus, edits
from kompass_tui.core.points import fmt
from kompass_tui.core.sanitize import one_line
from kompass_tui.tui.screens.base import EvaluationScreen
from kompass_tui.tui.widgets import TitleBar

if TYPE_CHECKING:
    from decimal import Decimal

PREVIEW = 2000  # characters of each note shown side by side


class DisagreementScreen(EvaluationScreen):
    HELP_KEY = "help_disagreements"
    CSS_PATH = "overview.tcss"
    BINDINGS = [
        Binding("1", "take(1)", "k_take", key_display="1–9", tooltip="k_take_long", id="kompass.disagreements.take.1"),
        *(
            Binding(
                str(n), f"take({n})", "k_take", show=False, tooltip="k_take_long", id=f"kompass.disagreements.take.{n}"
            )
            for n in range(2, 10)
        ),
        Binding("m", "middle", "k_middle", id="kompass.disagreements.middle"),
        Binding("x", "clear", "k_clear", id="kompass.disagreements.clear"),
        Binding("a", "agreed_note", "k_agreed_note", id="kompass.disagreements.agreed_note"),
        Binding("escape", "app.pop_screen", "k_back", id="kompass.disagreements.back"),
    ]

    def compose(self) -> ComposeResult:
        yield TitleBar()
        yield OptionList(id="disagreements")
        yield Static(id="notes")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.sub_title = f"{self.ev.title} · {self.app.t('k_disagreements')}"
        self.render_list()
        self.query_one(OptionList).focus()

    def show_fresh(self) -> None:
        self.render_list()

    def render_list(self) -> None:
        t, lang = self.app.t, self.app.lang
        self.names = consensus.evaluators(self.ev)
        self.found = consensus.disagreements(self.ev, self.fw)
        listing = self.query_one(OptionList)
        highlighted = listing.highlighted
        was = listing.get_option_at_index(highlighted).id if highlighted is not None and listing.option_count else None
        listing.clear_options()
        for d in self.found:
            scores = "  ".join(
                f"{n + 1}:{one_line(name, 40)} {fmt(d.scores[name], lang)}"
                for n, name in enumerate(self.names)
                if name in d.scores
            )
            agreed = fmt(d.consensus, lang, "–")
            line = Text.assemble(
                (f"{d.question.id:<5}", "bold"),
                f" {t('spread').lower()} {fmt(d.spread, lang):<4} ",
                scores,
                f"  → {t('consensus')} ",
                (agreed, "bold"),
            )
            listing.add_option(Option(line, id=d.question.id))
        if not self.found:
            listing.add_option(Option(t("no_disagreements"), disabled=True))
        elif was in (ids := [d.question.id for d in self.found]):
            listing.highlighted = ids.index(was)  # the same question, wherever it moved (a reload re-sorts)
        elif highlighted is not None:
            listing.highlighted = min(highlighted, len(self.found) - 1)
        else:
            listing.highlighted = 0
        self.render_notes()

    def render_notes(self) -> None:
        d = self.current
        lang = self.app.lang
        if d is None:
            self.query_one("#notes", Static).update("")
            return
        text = Text.assemble((f"{d.question.id} {one_line(d.question.text(lang))}\n", "bold"))
        for name in self.names:
            if name in d.scores:
                text.append(f"{one_line(name)} ({fmt(d.scores[name], lang)}): ", style="bold")
                text.append((one_line(d.notes.get(name, ""), PREVIEW) or "–") + "\n")
        agreed = self.ev.answer(d.question.id).note
        text.append(f"{self.app.t('agreed_note_title')}: ", style="bold")
        text.append(one_line(agreed, PREVIEW) or "–")
        self.query_one("#notes", Static).update(text)

    def copy_text(self) -> str | None:
        """The evaluators' notes on the sub-question in view, each under its author's name."""
        d = self.current
        if d is None:
            return None
        parts = [f"{name}: {d.notes[name]}" for name in self.names if d.notes.get(name)]
        return "\n\n".join(parts) or None

    @property
    def current(self) -> consensus.Disagreement | None:
        index = self.query_one(OptionList).highlighted
        return self.found[index] if self.found and index is not None and index < len(self.found) else None

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self.render_notes()

    def _decide(self, value: Decimal | None) -> None:
        d = self.current
        if d is None:
            return
        qid = d.question.id
        self.ev = self.app.apply(self.eid, self.ev, self.fw, edits.consensus(qid, value, self.app.evaluator))
        self.render_list()  # (the row shows the consensus: no toast over the notes being compared)

    def action_take(self, n: int) -> None:
        d = self.current
        if d is not None and n <= len(self.names) and self.names[n - 1] in d.scores:
            self._decide(d.scores[self.names[n - 1]])

    def action_middle(self) -> None:
        if self.current is not None:
            self._decide(self.current.middle)

    def action_clear(self) -> None:
        self._decide(None)

    def action_agreed_note(self) -> None:
        """Offer each evaluator's note (1–9) as the agreed note as it is, or w to write one."""
        from kompass_tui.tui.screens.dialogs import ChoiceScreen

        d, t = self.current, self.app.t
        if d is None:
            return
        noted = [(str(n + 1), name) for n, name in enumerate(self.names) if d.notes.get(name)][:9]
        choices = [(key, t("take_note_of", name=one_line(name, 30))) for key, name in noted]
        choices.append(("w", t("write_agreed_note")))
        qid = d.question.id

        def chosen(key: str | None) -> None:
            if key == "w":
                self._write_agreed_note(qid)
            elif key is not None:
                name = dict(noted)[key]
                self.ev = self.app.apply(self.eid, self.ev, self.fw, edits.note(qid, d.notes[name]))
                self.render_notes()
                self.notify(t("agreed_note_taken", question=qid, name=name))

        self.app.push_screen(ChoiceScreen(t("agreed_note_for", question=qid), choices), chosen)

    def _write_agreed_note(self, qid: str) -> None:
        from kompass_tui.tui.screens.dialogs import TextEditScreen

        self.app.push_screen(
            TextEditScreen(
                f"{self.app.t('agreed_note_title')}: {qid}",
                self.ev.answer(qid).note,
                self.eid,
                lambda text: edits.note(qid, text),
            )
        )
