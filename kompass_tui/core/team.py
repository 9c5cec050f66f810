"""The evaluation team: who scores an evaluation, and one person under one name. Pure.

A person is known by their name as typed, matched case- and accent-insensitively (person_key): "anna
berg" and "Ánna Berg" are Anna Berg, who is on the team; "Ana Berg" is someone else. Whoever scores
is matched to the team first (member), so a second spelling never becomes a second evaluator.
"""

from __future__ import annotations

import unicodedata
from dataclasses import replace
from functools import lru_cache

from kompass_tui.core.consensus import evaluators
from kompass_tui.core.edits import Change
from kompass_tui.core.framework import Framework
from kompass_tui.core.model import Answer, Evaluation
from kompass_tui.core.sanitize import clean_name
from kompass_tui.errors import InputError, NotFound


@lru_cache(maxsize=1024)
def person_key(name: str) -> str:
    """What makes two names one person: the letters, case, accents and spacing aside."""
    letters = unicodedata.normalize("NFKD", " ".join(name.split()))
    return "".join(c for c in letters if not unicodedata.combining(c)).casefold()


def member(ev: Evaluation, name: str) -> str | None:
    """The team member (as the team spells the name) that name is, if any."""
    key = person_key(name)
    return next((m for m in (*ev.evaluators, *evaluators(ev)) if person_key(m) == key), None)


def _on_team(ev: Evaluation, name: str) -> str:
    """The member that name is; NotFound, with the team's names, if none."""
    known = member(ev, name)
    if known is None:
        raise NotFound(f"{name} is not on the team of {ev.id}; the team: {', '.join(ev.evaluators) or 'nobody yet'}")
    return known


def scorer(ev: Evaluation, name: str) -> str:
    """Who scores, as the team spells the name. Where the team was set (team_set), only its members
    do: anyone else is refused with the team's names and the way to join."""
    known = member(ev, name)
    if known is not None:
        return known
    if ev.team_set:
        raise InputError(
            f"{name} is not on the team of {ev.id} ({', '.join(ev.evaluators)}); score as one of them "
            f'(--as NAME), or join with: kompass team {ev.id} add "{name}"',
            sv=f"{name} är inte med i teamet för {ev.id} ({', '.join(ev.evaluators)}); bedöm som en av dem "
            f'(--as NAMN), eller gå med: kompass team {ev.id} add "{name}"',
        )
    return name


def entries_of(ev: Evaluation, name: str) -> int:
    """How many sub-questions hold an entry (score, note or sources) of this person."""
    key = person_key(name)
    return sum(any(person_key(n) == key for n in answer.entries) for answer in ev.questions.values())


def _name(name: str) -> str:
    kept = clean_name(name, "the evaluator's name")[0]
    if not kept:
        raise InputError("give the evaluator's name")
    return kept


def add(name: str) -> Change:
    """Put a person on the team (refused if they are on it already, in any spelling)."""
    new = _name(name)

    def change(ev: Evaluation, fw: Framework, at: str) -> Evaluation:
        known = member(ev, new)
        if known is not None and known in ev.evaluators:
            raise InputError(f"{known} is on the team of {ev.id} already")
        return replace(ev, evaluators=(*ev.evaluators, known or new), team_set=True)

    return change


def rename(old: str, new_name: str) -> Change:
    """Rename a team member everywhere: the team, their own entries and the consensus they set."""
    new = _name(new_name)

    def change(ev: Evaluation, fw: Framework, at: str) -> Evaluation:
        known = _on_team(ev, old)
        other = member(ev, new)
        if other is not None and person_key(other) != person_key(known):
            raise InputError(f"{other} is on the team of {ev.id} already; remove one of them first")

        def renamed(answer: Answer) -> Answer:
            entries = {(new if n == known else n): e for n, e in answer.entries.items()}
            return replace(answer, entries=entries, decided_by=new if answer.decided_by == known else answer.decided_by)

        team = tuple(dict.fromkeys(new if m == known else m for m in ev.evaluators))
        return replace(ev, evaluators=team, questions={q: renamed(a) for q, a in ev.questions.items()})

    return change


def remove(name: str, force: bool = False) -> Change:
    """Take a person off the team: refused while they have entries of their own, unless force
    (which removes their entries too)."""

    def change(ev: Evaluation, fw: Framework, at: str) -> Evaluation:
        known = _on_team(ev, name)
        held = entries_of(ev, known)
        if held and not force:
            raise InputError(
                f"{known} has entries on {held} sub-question{'s' if held != 1 else ''} of {ev.id}; "
                f"--force removes them with {known}"
            )

        def without(answer: Answer) -> Answer:
            return replace(answer, entries={n: e for n, e in answer.entries.items() if n != known})

        questions = {q: without(a) for q, a in ev.questions.items()}
        return replace(ev, evaluators=tuple(m for m in ev.evaluators if m != known), questions=questions)

    return change
