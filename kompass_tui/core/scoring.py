"""Totals, subtotals, completion and ranks: pure functions with exact half-point arithmetic.

A sub-question's score is its consensus where one is set; without one, the evaluators' score when
all who scored it agree; when they differ, it counts as not yet scored (the team must agree)."""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import TypeVar

from kompass_tui.core.framework import Area, Framework
from kompass_tui.core.model import Answer, Evaluation
from kompass_tui.core.points import ZERO, allowed, allowed_average, fmt, normal

Key = TypeVar("Key", bound=Hashable)


def effective(answer: Answer) -> Decimal | None:
    """The score that counts: the consensus, else the evaluators' score if they all agree."""
    if answer.score is not None:
        return answer.score
    given = {e.score for e in answer.entries.values() if e.score is not None}
    return given.pop() if len(given) == 1 else None


def own(ev: Evaluation, part_id: str, by: str) -> Decimal | None:
    """Evaluator by's own score of a sub-question (in an area-level evaluation: the area's score)."""
    return ev.area(part_id).score if ev.area_level else ev.answer(part_id).entry(by).score


def question_score(ev: Evaluation, question_id: str) -> Decimal | None:
    return effective(ev.answer(question_id))


def area_score(ev: Evaluation, area: Area) -> Decimal | None:
    """The area's points: the sum of its scored sub-questions, or the published area score."""
    if ev.area_level:
        entry = ev.areas.get(area.id)
        return entry.score if entry is not None else None
    scores = [question_score(ev, q.id) for q in area.questions]
    scored = [s for s in scores if s is not None]
    return normal(sum(scored, ZERO)) if scored else None


def area_scores(ev: Evaluation, fw: Framework) -> dict[str, Decimal | None]:
    return {a.id: area_score(ev, a) for a in fw.areas}


def total(ev: Evaluation, fw: Framework) -> Decimal:
    return normal(sum((s for s in area_scores(ev, fw).values() if s is not None), ZERO))


@dataclass(frozen=True)
class Progress:
    scored: int
    count: int

    def __str__(self) -> str:
        return f"{self.scored}/{self.count}"


def area_progress(ev: Evaluation, area: Area) -> Progress:
    if ev.area_level:
        return Progress(int(ev.area(area.id).score is not None), 1)
    return Progress(sum(question_score(ev, q.id) is not None for q in area.questions), len(area.questions))


def progress(ev: Evaluation, fw: Framework) -> Progress:
    """Completion: scored / total sub-questions (areas, for an area-level evaluation)."""
    parts = [area_progress(ev, a) for a in fw.areas]
    return Progress(sum(p.scored for p in parts), sum(p.count for p in parts))


def unfinished_areas(ev: Evaluation, fw: Framework) -> frozenset[str]:
    """The areas not yet wholly scored: a sub-question without a score that counts (unscored, or
    the evaluators differ and no consensus is set); in an area-level evaluation, an area without
    its score. Their figures are shown marked and left out of ranks, averages and changes."""
    return frozenset(a.id for a in fw.areas if (p := area_progress(ev, a)).scored < p.count)


def undecided(ev: Evaluation) -> list[str]:
    """The sub-questions where the evaluators' own scores differ and no consensus is set."""
    return [
        qid
        for qid, answer in ev.questions.items()
        if answer.score is None and len({e.score for e in answer.entries.values() if e.score is not None}) > 1
    ]


def next_unscored(ev: Evaluation, fw: Framework, after: str | None = None, by: str | None = None) -> str | None:
    """The first sub-question after `after` (or from the start, wrapping around) that still needs a
    score: from evaluator `by` (unless the team has agreed one), or at all."""
    ids = [q.id for q in fw.questions]
    start = ids.index(after) + 1 if after in ids else 0
    for qid in ids[start:] + ids[:start]:
        answer = ev.answer(qid)
        if by is None and effective(answer) is None:
            return qid
        if by is not None and answer.score is None and answer.entry(by).score is None:
            return qid
    return None


def ranks(values: Mapping[Key, Decimal]) -> dict[Key, int]:
    """Competition ranking, highest first: 639 -> 1, 619 -> 2; ties share a rank (1, 2, 2, 4)."""
    first: dict[Decimal, int] = {}  # each value's first place in the order: its rank (linear, not n²)
    for place, value in enumerate(sorted(values.values(), reverse=True), 1):
        first.setdefault(value, place)
    return {key: first[value] for key, value in values.items()}


def fitting(ev: Evaluation, fw: Framework) -> tuple[Evaluation, list[str]]:
    """ev with only the scores its framework allows, and one line for each one it does not (a
    hand-edited file, or a framework whose maxima were lowered since): below 0, above the
    maximum, off the half-point step, not a number; parts the framework does not have are left
    out. None of those is counted or exported; the file keeps them, so nothing is lost."""
    problems: list[str] = []
    rule = f"in {fw.id}"

    def keep(value: Decimal | None, maximum: Decimal, where: str, average: bool = False) -> Decimal | None:
        """value if it fits (average: a reference's area score, a published average with up to two
        decimals), else None and a line saying why."""
        if value is None or (allowed_average if average else allowed)(value, maximum):
            return value
        step = "with at most two decimals" if average else "in steps of 0.5"
        problems.append(
            f"{ev.id}: {where}: {fmt(value)} is not allowed {rule} (0 to {fmt(maximum)} {step}); it is not counted"
        )
        return None

    areas = dict(ev.areas)
    for aid, entry in ev.areas.items():
        if not fw.has_area(aid):
            problems.append(f"{ev.id}: {aid!r} is not an area {rule}; it is left out (the file keeps it)")
            del areas[aid]
        elif entry.score is not None:
            areas[aid] = replace(entry, score=keep(entry.score, fw.area(aid).maximum, f"area {aid}", ev.reference))
    questions = dict(ev.questions)
    for qid, answer in ev.questions.items():
        if not fw.has_question(qid):
            problems.append(f"{ev.id}: {qid!r} is not a sub-question {rule}; it is left out (the file keeps it)")
            del questions[qid]
            continue
        maximum = fw.question(qid).maximum
        entries = {
            name: replace(e, score=keep(e.score, maximum, f"question {qid} ({name})"))
            for name, e in answer.entries.items()
        }
        questions[qid] = replace(answer, score=keep(answer.score, maximum, f"question {qid}"), entries=entries)
    if not problems:
        return ev, []
    return replace(ev, areas=areas, questions=questions), problems
