"""Evaluations from elsewhere (an import, a merge, an older file) held to what Kompass keeps:
every name and text cleaned as a typed one is (sanitize), or cut to the limits for an export that
must import again. Pure."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from kompass_tui.core.model import Answer, Entry, Evaluation
from kompass_tui.core.sanitize import MAX_NAME, MAX_TEXT, clean_name, clean_text, name_text, text_kept
from kompass_tui.errors import InputError


def _every_text(ev: Evaluation, name: Callable[[str, str], str], text: Callable[[str, str], str]) -> Evaluation:
    """ev with name(value, what) applied to every name in it (municipality, evaluators, the times
    and dates) and text(value, what) to every text (notes, strengths, summary …); what says which
    field it is. InputError if two evaluators end up with one name, or one with none."""

    def entries(answer: Answer, qid: str) -> dict[str, Entry]:
        result: dict[str, Entry] = {}
        for who, e in answer.entries.items():
            key = name(who, f"question {qid}, an evaluator's name")
            if not key:
                raise InputError(
                    f"question {qid}: an evaluator's name is empty once control characters are removed; "
                    "name them in the file"
                )
            if key in result:
                raise InputError(
                    f"question {qid}: two evaluators are both called {key!r} once control characters "
                    "are removed, or their names are cut to the limit; rename one in the file"
                )
            result[key] = replace(
                e, note=text(e.note, f"question {qid}, {key}'s note"), updated=name(e.updated, "a time")
            )
        return result

    municipality = name(ev.municipality, "the municipality")
    questions = {
        qid: replace(
            a,
            note=text(a.note, f"question {qid}, the note"),
            entries=entries(a, qid),
            decided_by=name(a.decided_by, f"question {qid}, decided by"),
            decided_at=name(a.decided_at, "a time"),
        )
        for qid, a in ev.questions.items()
    }
    areas = {
        aid: replace(
            a,
            strengths=text(a.strengths, f"area {aid}, strengths"),
            improvements=text(a.improvements, f"area {aid}, improvement areas"),
        )
        for aid, a in ev.areas.items()
    }
    evaluators = tuple(e for e in dict.fromkeys(name(e, "an evaluator's name") for e in ev.evaluators) if e)
    actions = tuple(
        replace(
            a,
            title=" ".join(text(a.title, f"action {a.id}, the title").split()),
            description=text(a.description, f"action {a.id}, the description"),
            owner=name(a.owner, f"action {a.id}, the owner"),
            log=tuple(
                replace(
                    e,
                    at=name(e.at, "a time"),
                    by=name(e.by, f"action {a.id}, who"),
                    comment=text(e.comment, f"action {a.id}, a comment"),
                )
                for e in a.log
            ),
            changed={f: name(at, "a time") for f, at in a.changed.items()},
            created=name(a.created, "a time"),
            created_by=name(a.created_by, f"action {a.id}, who"),
            removed=name(a.removed, "a time"),
            removed_by=name(a.removed_by, f"action {a.id}, who"),
        )
        for a in ev.actions
    )
    return replace(
        ev,
        municipality=municipality,
        evaluators=evaluators,
        start=name(ev.start, "the start date"),
        end=name(ev.end, "the end date"),
        summary=text(ev.summary, "the summary"),
        challenges=text(ev.challenges, "the challenges"),
        areas=areas,
        questions=questions,
        created=name(ev.created, "a time"),
        updated=name(ev.updated, "a time"),
        actions=actions,
    )


def cleaned(ev: Evaluation, where: str) -> tuple[Evaluation, int]:
    """An evaluation from a file (import, merge) with its texts as Kompass keeps them
    (sanitize.clean_name / clean_text), and how many characters that removed. InputError for a
    name or text over the limits, or two evaluators whose names differ only by what is removed."""
    removed = 0

    def name(value: str, what: str) -> str:
        nonlocal removed
        kept, count = clean_name(value, f"{where}: {what}")
        removed += count
        return kept

    def text(value: str, what: str) -> str:
        nonlocal removed
        kept, count = clean_text(value, f"{where}: {what}")
        removed += count
        return kept.strip()  # as an edit keeps it

    try:
        return _every_text(ev, name, text), removed
    except InputError as exc:
        raise InputError(f"{where}: {exc}" if not str(exc).startswith(where) else str(exc)) from None


def normalized(ev: Evaluation) -> Evaluation:
    """ev's names and texts as Kompass keeps new ones (sanitize.name_text / text_kept), without the
    length limits: a copy stored by an older Kompass, made comparable with one that comes in
    cleaned (a merge of its own export)."""
    return _every_text(ev, lambda value, what: name_text(value)[0], lambda value, what: text_kept(value)[0].strip())


def within_limits(ev: Evaluation) -> tuple[Evaluation, list[str]]:
    """ev with every name and text cut to what Kompass keeps (MAX_NAME, MAX_TEXT), and a line for
    each one cut: only an older file holds longer ones, and an export must import again."""
    cut: list[str] = []

    def limit(maximum: int) -> Callable[[str, str], str]:
        def apply(value: str, what: str) -> str:
            if len(value) <= maximum:
                return value
            cut.append(
                f"{ev.id}: {what} has {len(value):,} characters, more than Kompass keeps; "
                f"the export holds the first {maximum:,} (the database keeps it whole)"
            )
            return value[:maximum]

        return apply

    result = _every_text(ev, limit(MAX_NAME), limit(MAX_TEXT))
    return (result, cut) if cut else (ev, [])
