"""Edits to an evaluation, the one way anything is changed: typed values in (points as Decimal,
None to clear), each edit a Change, applied to an evaluation at a time: `change(ev, fw, at)` gives
the new evaluation, checked against its framework. Pure.

Whoever applies a change supplies the time: the service (Workbench.apply) when it saves, under the
store's lock, on freshly read data; the app (KompassApp.apply) for the copy a screen shows at once.
The CLI, every screen, an import and a merge build their edits here and nowhere else.

Texts and names are kept as sanitize.clean_text / clean_name leave them (no control characters,
within the length limits), whichever way they arrive. Scores are checked against the question's
(or area's) maximum in half points.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from decimal import Decimal
from typing import Any, TypeVar

from kompass_tui.core.framework import Framework
from kompass_tui.core.model import AREA_TEXTS, TEXT_KINDS, Answer, Entry, Evaluation, ordered_sources
from kompass_tui.core.points import allowed_average, check_average, check_points
from kompass_tui.core.sanitize import clean_name, clean_text
from kompass_tui.errors import InputError, KompassError, NotFound, ScoreError

Change = Callable[[Evaluation, Framework, str], Evaluation]  # (evaluation, its framework, the time) -> new evaluation
Noted = TypeVar("Noted", Entry, Answer)  # what carries a note and sources: one evaluator's entry or the agreed answer


class NotWalkable(KompassError):
    """A question-level edit on an area-level evaluation (or the reverse)."""


def _question_level(ev: Evaluation, what: str) -> None:
    if ev.area_level:
        raise NotWalkable(
            f"{ev.id} holds area scores only (a published benchmark result), so it has no {what}; "
            f"set an area score with `kompass score {ev.id} AREA VALUE`"
        )


def _mine(ev: Evaluation, question_id: str, by: str, at: str, change: Callable[[Entry], Entry]) -> Evaluation:
    """Apply change to evaluator by's own entry (by as the team spells the name, whatever the case
    or accents typed: team.member); a new evaluator joins the evaluation's list."""
    from kompass_tui.core.team import scorer

    by = scorer(ev, clean_name(by, "the evaluator's name")[0])
    answer = ev.answer(question_id)
    old = answer.entry(by)
    new = change(old)
    if new == old:
        return ev  # nothing changed: no new time stamp (it would win a merge it should not)
    ev = ev.with_answer(question_id, answer.with_entry(by, replace(new, updated=at)))
    return ev if by in ev.evaluators else replace(ev, evaluators=(*ev.evaluators, by))


def score(part_id: str, value: Decimal | None, by: str | None = None) -> Change:
    """Score a sub-question (None clears it): evaluator by's own score, or (by None) the agreed
    score, as in files without evaluators. In an area-level evaluation part_id is an area, and by
    plays no part."""

    def change(ev: Evaluation, fw: Framework, at: str) -> Evaluation:
        if ev.area_level:
            if fw.has_question(part_id):
                _question_level(ev, "sub-question scores")
            if fw.areas_only and "." in part_id and not fw.has_area(part_id):  # a sub-question's id, such as 1.1
                fw.question(part_id)  # (says the framework has areas only)
            area = fw.area(part_id)
            checked = _area_points(ev, value, area.maximum, f"area {area.id}") if value is not None else None
            return ev.with_area(area.id, replace(ev.area(area.id), score=checked))
        if fw.areas_only:
            raise NotWalkable(f"{ev.id} uses {fw.id}, which has areas only; it cannot hold sub-question scores")
        if not fw.has_question(part_id) and fw.has_area(part_id):
            raise NotFound(
                f"{part_id!r} is an area; score its sub-questions instead "
                f"(for example {fw.area(part_id).questions[0].id})"
            )
        question = fw.question(part_id)
        points = check_points(value, question.maximum, f"question {question.id}") if value is not None else None
        if by:
            return _mine(ev, question.id, by, at, lambda e: replace(e, score=points))
        return ev.with_answer(question.id, replace(ev.answer(question.id), score=points))

    return change


def _area_points(ev: Evaluation, value: Decimal, maximum: Decimal, what: str) -> Decimal:
    """An area score of an area-level evaluation, checked: a municipality's in half points, a
    reference's (a published average) with up to two decimals."""
    if ev.reference:
        return check_average(value, maximum, what)
    try:
        return check_points(value, maximum, what)
    except ScoreError as exc:
        if not allowed_average(value, maximum):
            raise
        raise ScoreError(  # 63,4: a published average, given as a municipality's result?
            f"{exc}; an average (not a municipality) is kept as a reference",
            exc.text,
            sv=f"{exc.sv}; ett medelvärde (inte en kommun) sparas som referens",
        ) from None


def check_reference(reference: bool, level: str, where: str = "") -> None:
    """A reference (a national or group average) holds area scores only: InputError otherwise."""
    from kompass_tui.core.model import AREAS

    if reference and level != AREAS:
        prefix = f"{where}: " if where else ""
        raise InputError(
            f"{prefix}a reference (an average, not a municipality) holds area scores only; make it area-level "
            "(--area-level)",
            sv=f"{prefix}en referens (ett medelvärde, inte en kommun) har bara områdespoäng; gör den på "
            "områdesnivå (--area-level)",
        )


def consensus(question_id: str, value: Decimal | None, by: str) -> Change:
    """Set (or, with None, clear) the consensus score of a sub-question, noting who and when."""

    def change(ev: Evaluation, fw: Framework, at: str) -> Evaluation:
        _question_level(ev, "consensus")
        question = fw.question(question_id)
        points = check_points(value, question.maximum, f"question {question.id}") if value is not None else None
        from kompass_tui.core.team import scorer

        who = scorer(ev, clean_name(by, "the evaluator's name")[0])
        return ev.with_answer(
            question.id,
            replace(
                ev.answer(question.id),
                score=points,
                decided_by=who if points is not None else "",
                decided_at=at if points is not None else "",
            ),
        )

    return change


def note(
    question_id: str, text: str | None = None, sources: Iterable[str] | None = None, by: str | None = None
) -> Change:
    """Replace the note and/or the evidence sources (interview, document, website) of a
    sub-question: evaluator by's own, or (by None) the agreed ones."""
    checked = ordered_sources(sources) if sources is not None else None
    kept = clean_text(text, "the note")[0].strip() if text is not None else None

    def change(ev: Evaluation, fw: Framework, at: str) -> Evaluation:
        _question_level(ev, "sub-question notes")
        question = fw.question(question_id)

        def edit(item: Noted) -> Noted:
            if kept is not None:
                item = replace(item, note=kept)
            if checked is not None:
                item = replace(item, sources=checked)
            return item

        if by:
            return _mine(ev, question.id, by, at, edit)
        return ev.with_answer(question.id, edit(ev.answer(question.id)))

    return change


def _joined(before: str, text: str, append: bool) -> str:
    """The text to keep: text, or with append, text on a line of its own after what was there."""
    return "\n".join(part for part in (before.strip(), text) if part) if append else text


def area_text(area_id: str, kind: str, text: str, append: bool = False) -> Change:
    """Set an area's strengths or improvement areas (utvecklingsområden), or with append add
    text after them."""
    if kind not in AREA_TEXTS:
        raise InputError(f"unknown area text {kind!r}; use {' or '.join(AREA_TEXTS)}")
    kept = clean_text(text, f"the {kind}")[0].strip()

    def change(ev: Evaluation, fw: Framework, at: str) -> Evaluation:
        area = fw.area(area_id)
        entry = ev.area(area.id)
        fields: dict[str, Any] = {kind: _joined(getattr(entry, kind), kept, append)}
        return ev.with_area(area.id, replace(entry, **fields))

    return change


def text(kind: str, value: str, append: bool = False) -> Change:
    """Set the evaluation's summary or closing challenges (the report's Slutord), or with append
    add value after it."""
    if kind not in TEXT_KINDS:
        raise InputError(f"unknown text {kind!r}; use {' or '.join(TEXT_KINDS)}")
    kept = clean_text(value, f"the {kind}")[0].strip()

    def change(ev: Evaluation, fw: Framework, at: str) -> Evaluation:
        fields: dict[str, Any] = {kind: _joined(getattr(ev, kind), kept, append)}
        return replace(ev, **fields)

    return change


def check_when(year: int | None, start: str | None = None, end: str | None = None) -> None:
    """InputError unless the year is in range and each day given is a date (YYYY-MM-DD)."""
    from datetime import date

    from kompass_tui.core.model import MAX_YEAR, MIN_YEAR

    if year is not None and not MIN_YEAR <= year <= MAX_YEAR:
        raise InputError(f"year {year} is out of range; give a year such as 2003")
    for day in (start, end):
        if day:
            try:
                date.fromisoformat(day)
            except ValueError:
                raise InputError(f"{day!r} is not a date; use YYYY-MM-DD, e.g. 2003-06-04") from None


def details(
    municipality: str | None = None,
    year: int | None = None,
    start: str | None = None,
    end: str | None = None,
    framework: Framework | None = None,
) -> Change:
    """Change an evaluation's details (None: as it is). Its id stays: ids are handles used in files,
    comparisons and actions. Another framework only where every score it holds fits it."""
    from kompass_tui.core import scoring

    name = clean_name(municipality, "the municipality's name")[0] if municipality is not None else None
    if name is not None and not name:
        raise InputError("give the municipality's name")
    check_when(year, start, end)

    def change(ev: Evaluation, fw: Framework, at: str) -> Evaluation:
        if framework is not None and framework.id != ev.framework:
            moved = replace(ev, framework=framework.id)
            problems = scoring.fitting(moved, framework)[1]
            problems += [f"action {a.id} is in area {a.area}" for a in moved.plan() if not framework.has_area(a.area)]
            if framework.areas_only and not ev.area_level:
                problems.insert(0, f"{framework.id} has areas only, and {ev.id} is scored per sub-question")
            if problems:
                raise InputError(
                    f"{ev.id} holds scores that do not fit {framework.id} ({problems[0]}"
                    f"{f' and {len(problems) - 1} more' if len(problems) > 1 else ''}); nothing was changed"
                )
            ev = moved
        fields: dict[str, Any] = {
            k: v for k, v in (("municipality", name), ("year", year), ("start", start), ("end", end)) if v is not None
        }
        return replace(ev, **fields)

    return change


def chain(*changes: Change) -> Change:
    """Several changes as one (saved together, under one lock)."""

    def change(ev: Evaluation, fw: Framework, at: str) -> Evaluation:
        for step in changes:
            ev = step(ev, fw, at)
        return ev

    return change


def check(ev: Evaluation, fw: Framework, where: str) -> None:
    """Refuse an evaluation (e.g. an import) that does not fit its framework; name the first problem."""
    if ev.framework != fw.id:
        raise InputError(f"{where}: uses framework {ev.framework!r}, not {fw.id!r}")
    if fw.areas_only and not ev.area_level:
        raise InputError(
            f"{where}: {fw.id} has areas only (no sub-questions), so an evaluation of it holds area scores "
            'only ("level": "areas")'
        )
    check_reference(ev.reference, ev.level, where)
    for aid, entry in ev.areas.items():
        if not fw.has_area(aid):
            raise InputError(f"{where}: unknown area {aid!r} for {fw.id}")
        if entry.score is not None:
            if not ev.area_level:
                raise InputError(f"{where}: area {aid} has a score, but sub-question evaluations sum theirs")
            _checked(entry.score, fw.area(aid).maximum, f"{where}: area {aid}", ev)
    for qid, answer in ev.questions.items():
        if not fw.has_question(qid):
            raise InputError(f"{where}: unknown sub-question {qid!r} for {fw.id}")
        if ev.area_level and not answer.is_blank():
            raise InputError(f"{where}: sub-question {qid} is filled in, but the evaluation is area-level")
        if answer.score is not None:
            _checked(answer.score, fw.question(qid).maximum, f"{where}: question {qid}")
        for name, own in answer.entries.items():
            if own.score is not None:
                _checked(own.score, fw.question(qid).maximum, f"{where}: question {qid} ({name})")
    for action in ev.actions:
        if not fw.has_area(action.area):
            raise InputError(f"{where}: action {action.id} is in area {action.area!r}, which {fw.id} does not have")


def _checked(value: Decimal, maximum: Decimal, what: str, area_of: Evaluation | None = None) -> None:
    """value checked as a sub-question's score, or (area_of) as an area score of that evaluation."""
    try:
        if area_of is not None:
            _area_points(area_of, value, maximum, what)
        else:
            check_points(value, maximum, what)
    except KompassError as exc:
        raise InputError(str(exc), sv=exc.sv) from None
