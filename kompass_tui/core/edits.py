"""Edits to an evaluation: pure functions, old evaluation in, new one out, checked against its framework.

Texts and names are kept as sanitize.clean_text / clean_name leave them (no control characters,
within the length limits), whichever way they arrive.

The store applies them under its lock to freshly read data, so two sessions never overwrite each
other's changes; the CLI and the UI only ever call these.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Iterable

from kompass_tui.core.framework import Framework
from kompass_tui.errors import InputError, KompassError, NotFound
from kompass_tui.core.model import Evaluation, ordered_sources
from kompass_tui.core.points import check_points
from kompass_tui.core.sanitize import clean_name, clean_text
from kompass_tui.core.scoring import parse_score

AREA_TEXTS = ("strengths", "improvements")


class NotWalkable(KompassError):
    """A question-level edit on an area-level evaluation (or the reverse)."""


def _question_level(ev: Evaluation, what: str) -> None:
    if ev.area_level:
        raise NotWalkable(
            f"{ev.id} holds area scores only (a published benchmark result), so it has no {what}; "
            f"set an area score with `kompass score {ev.id} AREA VALUE`"
        )


def _mine(ev: Evaluation, question_id: str, by: str, at: str, change) -> Evaluation:
    """Apply change to evaluator by's own entry; a new evaluator joins the evaluation's list."""
    by = clean_name(by, "the evaluator's name")[0]
    answer = ev.answer(question_id)
    old = answer.entry(by)
    new = change(old)
    if new == old:
        return ev  # nothing changed: no new time stamp (it would win a merge it should not)
    ev = ev.with_answer(question_id, answer.with_entry(by, replace(new, updated=at)))
    return ev if by in ev.evaluators else replace(ev, evaluators=(*ev.evaluators, by))


def set_score(ev: Evaluation, fw: Framework, part_id: str, text: str | None, by: str | None = None,
              at: str = "") -> Evaluation:
    """Score a sub-question from user text like `9,5` (None clears it): evaluator by's own score,
    or (by None) the agreed score. In an area-level evaluation part_id is an area."""
    if ev.area_level:
        if fw.has_question(part_id):
            _question_level(ev, "sub-question scores")
        area = fw.area(part_id)
        return ev.with_area(area.id, replace(ev.area(area.id), score=parse_score(text, area) if text is not None else None))
    if not fw.has_question(part_id) and fw.has_area(part_id):
        raise NotFound(f"{part_id!r} is an area; score its sub-questions instead (for example {fw.area(part_id).questions[0].id})")
    question = fw.question(part_id)
    value = parse_score(text, question) if text is not None else None
    if by:
        return _mine(ev, question.id, by, at, lambda e: replace(e, score=value))
    return ev.with_answer(question.id, replace(ev.answer(question.id), score=value))


def set_consensus(ev: Evaluation, fw: Framework, question_id: str, text: str | None, by: str, at: str) -> Evaluation:
    """Set (or, with None, clear) the consensus score of a sub-question, noting who and when."""
    _question_level(ev, "consensus")
    question = fw.question(question_id)
    value = parse_score(text, question) if text is not None else None
    by = clean_name(by, "the evaluator's name")[0]
    return ev.with_answer(question.id, replace(ev.answer(question.id), score=value,
                                               decided_by=by if value is not None else "",
                                               decided_at=at if value is not None else ""))


def set_note(ev: Evaluation, fw: Framework, question_id: str, note: str | None = None,
             sources: Iterable[str] | None = None, by: str | None = None, at: str = "") -> Evaluation:
    """Replace the note and/or the evidence sources (interview, document, website) of a
    sub-question: evaluator by's own, or (by None) the agreed ones."""
    _question_level(ev, "sub-question notes")
    question = fw.question(question_id)
    checked = ordered_sources(sources) if sources is not None else None
    kept = clean_text(note, "the note")[0].strip() if note is not None else None

    def change(item):
        if kept is not None:
            item = replace(item, note=kept)
        if checked is not None:
            item = replace(item, sources=checked)
        return item

    if by:
        return _mine(ev, question.id, by, at, change)
    return ev.with_answer(question.id, change(ev.answer(question.id)))


def set_area_text(ev: Evaluation, fw: Framework, area_id: str, kind: str, text: str) -> Evaluation:
    """Set an area's strengths or improvement areas (utvecklingsområden)."""
    if kind not in AREA_TEXTS:
        raise InputError(f"unknown area text {kind!r}; use strengths or improvements")
    area = fw.area(area_id)
    return ev.with_area(area.id, replace(ev.area(area.id), **{kind: clean_text(text, f"the {kind}")[0].strip()}))


def set_text(ev: Evaluation, kind: str, text: str) -> Evaluation:
    """Set the evaluation's summary or closing challenges (the report's Slutord)."""
    if kind not in ("summary", "challenges"):
        raise InputError(f"unknown text {kind!r}; use summary or challenges")
    return replace(ev, **{kind: clean_text(text, f"the {kind}")[0].strip()})


def check(ev: Evaluation, fw: Framework, where: str) -> None:
    """Refuse an evaluation (e.g. an import) that does not fit its framework; name the first problem."""
    if ev.framework != fw.id:
        raise InputError(f"{where}: uses framework {ev.framework!r}, not {fw.id!r}")
    for aid, entry in ev.areas.items():
        if not fw.has_area(aid):
            raise InputError(f"{where}: unknown area {aid!r} for {fw.id}")
        if entry.score is not None:
            if not ev.area_level:
                raise InputError(f"{where}: area {aid} has a score, but sub-question evaluations sum theirs")
            _checked(check_points, entry.score, fw.area(aid).maximum, f"{where}: area {aid}")
    for qid, answer in ev.questions.items():
        if not fw.has_question(qid):
            raise InputError(f"{where}: unknown sub-question {qid!r} for {fw.id}")
        if ev.area_level and not answer.is_blank():
            raise InputError(f"{where}: sub-question {qid} is filled in, but the evaluation is area-level")
        if answer.score is not None:
            _checked(check_points, answer.score, fw.question(qid).maximum, f"{where}: question {qid}")
        for name, entry in answer.entries.items():
            if entry.score is not None:
                _checked(check_points, entry.score, fw.question(qid).maximum, f"{where}: question {qid} ({name})")


def _checked(fn, *args):
    try:
        return fn(*args)
    except KompassError as exc:
        raise InputError(str(exc)) from None
