"""Where the evaluators disagree, for the consensus meeting: pure functions over an evaluation."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal

from kompass_tui.core.framework import Framework, Question
from kompass_tui.core.model import Answer, Evaluation
from kompass_tui.core.points import normal


@dataclass(frozen=True)
class Disagreement:
    question: Question
    scores: dict[str, Decimal]  # evaluator -> own score, in the evaluation's order of evaluators
    notes: dict[str, str]
    consensus: Decimal | None

    @property
    def spread(self) -> Decimal:
        return normal(max(self.scores.values()) - min(self.scores.values()))

    @property
    def middle(self) -> Decimal:
        """The mean of the evaluators' scores, to the nearest half point (a tie goes to the even
        half): one key press proposes it as the consensus."""
        mean = sum(self.scores.values(), Decimal(0)) / len(self.scores)
        return normal((mean * 2).quantize(Decimal(1), rounding=ROUND_HALF_EVEN) / 2)


def evaluators(ev: Evaluation) -> list[str]:
    """Everyone with an own entry, in the evaluation's order, then any others by name."""
    named = set()
    for answer in ev.questions.values():
        named |= set(answer.entries)
    return [e for e in ev.evaluators if e in named] + sorted(named - set(ev.evaluators))


def agreed_note(answer: Answer, sole: str | None) -> tuple[str, tuple[str, ...]]:
    """The note the team stands behind for a sub-question, with its sources: the agreed note; where
    there is none and one evaluator scored alone (sole), that evaluator's own note. Never another
    evaluator's note: those are the team's working notes."""
    if answer.note:
        return answer.note, answer.sources
    if sole is not None:
        own = answer.entry(sole)
        return own.note, own.sources
    return "", ()


def sole_evaluator(ev: Evaluation) -> str | None:
    """The one evaluator with entries of their own, if there is exactly one (a team of one)."""
    names = evaluators(ev)
    return names[0] if len(names) == 1 else None


def disagreements(ev: Evaluation, fw: Framework) -> list[Disagreement]:
    """The sub-questions whose evaluators' own scores differ, the largest spread first (then in
    framework order); each with every evaluator's score and note side by side."""
    order = evaluators(ev)
    found = []
    for question in fw.questions:
        answer = ev.answer(question.id)
        scores = {name: score for name in order if (score := answer.entry(name).score) is not None}
        if len(set(scores.values())) > 1:
            notes = {name: answer.entry(name).note for name in scores}
            found.append(Disagreement(question, scores, notes, answer.score))
    position = {q.id: n for n, q in enumerate(fw.questions)}
    return sorted(found, key=lambda d: (-d.spread, position[d.question.id]))
