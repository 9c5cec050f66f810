"""Merging offline work: two copies of one evaluation (say, two evaluators' laptops) into one,
losing no evaluator's scores or notes. Pure: two evaluations in, the merged one and what happened out.

- Each evaluator's own entry for a sub-question is taken from whichever copy has it. When both
  copies hold a different entry of the same evaluator (edited on both laptops), the newer one is
  kept, and the merge says so.
- The consensus likewise: from whichever copy set it, the newer where both did.
- Actions (the action plan) are paired by their key: where both copies changed one, each field
  (status, owner, due …) is the newer of the two, and the logs are joined; a removed action stays
  removed; an action added in the other copy under an id this copy gives another is renumbered.
- Shared texts (agreed notes, strengths, improvement areas, summary, closing challenges) that
  differ: this copy's stays as it is, and the other copy's is kept beside it (other_versions, in the
  report's working papers), never written into the text itself.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from kompass_tui.core.model import (
    ACTION_FIELDS,
    AREA_TEXTS,
    TEXT_KINDS,
    Action,
    Answer,
    AreaEntry,
    Evaluation,
    name_key,
    ordered_sources,
)
from kompass_tui.errors import InputError


@dataclass
class Merge:
    evaluation: Evaluation
    messages: list[str]


def _blocks(text: str) -> list[str]:
    """The paragraphs of a text, without the "(from where:)" lines an earlier merge put in."""
    blocks = []
    for block in text.split("\n\n"):
        first, _, rest = block.partition("\n")
        blocks.append(rest if first.startswith("(") and first.endswith(":)") else block)
    return blocks


def _text(mine: str, theirs: str, source: str) -> tuple[str, bool]:
    """The text to keep, and whether theirs differs and is to be kept apart: the longer where one
    holds the other (as written on, or after an earlier merge of an older Kompass), else mine."""
    if not theirs or theirs == mine or mine.startswith(theirs) or theirs in _blocks(mine):
        return mine, False
    if not mine or theirs.startswith(mine) or mine in _blocks(theirs):
        return theirs, False
    return mine, True


class _Apart:
    """The other copy's texts that differ, kept beside this copy's (other_versions), each once
    however often the copies are merged, and said once."""

    def __init__(self, mine: Evaluation, theirs: Evaluation, source: str, messages: list[str]) -> None:
        self.source, self.messages = source, messages
        self.found = list(dict.fromkeys([*mine.other_versions, *theirs.other_versions]))
        self.known = {(where, text) for where, _, text in self.found}

    def text(self, where: str, what: str, mine: str, theirs: str) -> str:
        kept, differs = _text(mine, theirs, self.source)
        if differs and (where, theirs) not in self.known:
            self.known.add((where, theirs))
            self.found.append((where, self.source, theirs))
            self.messages.append(f"{what}: this copy's is kept, {self.source}'s is in the working papers")
        return kept

    @property
    def versions(self) -> tuple[tuple[str, str, str], ...]:
        return tuple(self.found)


def merge(mine: Evaluation, theirs: Evaluation, source: str) -> Merge:
    """Merge theirs (read from source) into mine."""
    if (name_key(mine.municipality), mine.year, mine.framework) != (
        name_key(theirs.municipality),
        theirs.year,
        theirs.framework,
    ):
        raise InputError(
            f"{source} is {theirs.title} ({theirs.framework}), not {mine.title} ({mine.framework}); "
            "merge copies of the same evaluation"
        )
    if mine.level != theirs.level:
        raise InputError(f"{source} holds {theirs.level}, {mine.id} holds {mine.level}; these cannot be merged")
    if mine.reference != theirs.reference:
        kinds = ("a reference (an average)", "a municipality's result")
        raise InputError(
            f"{source} holds {kinds[not theirs.reference]}, {mine.id} {kinds[not mine.reference]}; these cannot be merged"
        )
    messages: list[str] = []
    apart = _Apart(mine, theirs, source, messages)
    questions = dict(mine.questions)
    for qid, other in theirs.questions.items():
        questions[qid] = _answer(questions.get(qid, Answer()), other, qid, source, messages, apart)
    areas = dict(mine.areas)
    for aid, their_area in theirs.areas.items():
        areas[aid] = _area(areas.get(aid, AreaEntry()), their_area, aid, source, mine, theirs, messages, apart)
    texts: dict[str, Any] = {}
    for kind in TEXT_KINDS:
        texts[kind] = apart.text(kind, f"the {kind} differs", getattr(mine, kind), getattr(theirs, kind))
    evaluators = (*mine.evaluators, *(e for e in theirs.evaluators if e not in mine.evaluators))
    merged = replace(
        mine,
        questions=questions,
        areas=areas,
        evaluators=evaluators,
        **texts,
        start=mine.start or theirs.start,
        end=mine.end or theirs.end,
        updated=max(mine.updated, theirs.updated),
        other_versions=apart.versions,
        actions=_actions(mine.actions, theirs.actions, source, messages),
    )
    return Merge(merged, messages)


def _actions(
    mine: tuple[Action, ...], theirs: tuple[Action, ...], source: str, messages: list[str]
) -> tuple[Action, ...]:
    from kompass_tui.core.actions import next_id

    result = list(mine)
    at = {a.key: n for n, a in enumerate(result)}
    for other in theirs:
        if other.key in at:
            n = at[other.key]
            result[n] = _action(result[n], other, source, messages)
            continue
        if any(a.id == other.id for a in result):  # both copies added an action as (say) 2.c
            new_id = next_id(result, other.area)
            messages.append(
                f"action {other.id} from {source} is another action than {other.id} here; it is now {new_id}"
            )
            other = replace(other, id=new_id)
        at[other.key] = len(result)
        result.append(other)
    return tuple(result)


def _action(mine: Action, theirs: Action, source: str, messages: list[str]) -> Action:
    """One action changed in both copies: each field the newer, the logs joined, removed if removed in either."""
    if mine == theirs:
        return mine
    if mine.removed or theirs.removed:
        gone, other = (mine, theirs) if mine.removed else (theirs, mine)
        if not other.removed and max([*other.changed.values(), *(e.at for e in other.log)], default="") > gone.removed:
            messages.append(
                f"action {mine.id} was removed in one copy and changed in the other after that; it stays removed"
            )
        return gone
    fields: dict[str, Any] = {}
    changed = dict(mine.changed)
    for name in ACTION_FIELDS:
        here, there = mine.changed.get(name, ""), theirs.changed.get(name, "")
        if getattr(mine, name) == getattr(theirs, name):
            changed[name] = max(here, there)
        elif there > here:
            fields[name], changed[name] = getattr(theirs, name), there
            messages.append(f"action {mine.id}: the {name} differs; kept the newer from {source} ({there})")
        else:
            messages.append(f"action {mine.id}: the {name} differs; kept the newer one here ({here})")
    log = tuple(sorted(set(mine.log) | set(theirs.log), key=lambda e: (e.at, e.by, e.status, e.comment)))
    return replace(mine, **fields, changed=changed, log=log)


def _answer(mine: Answer, theirs: Answer, qid: str, source: str, messages: list[str], apart: _Apart) -> Answer:
    entries = dict(mine.entries)
    for name, entry in theirs.entries.items():
        own = entries.get(name)
        if own is None or own == entry:
            entries[name] = entry
        elif entry.updated > own.updated:
            entries[name] = entry
            messages.append(f"{qid}: {name}'s entry was edited in both; kept the newer from {source} ({entry.updated})")
        else:
            messages.append(f"{qid}: {name}'s entry was edited in both; kept the newer one here ({own.updated})")
    score, decided_by, decided_at = mine.score, mine.decided_by, mine.decided_at
    if theirs.score is not None and theirs.score != mine.score:
        if mine.score is None or theirs.decided_at > mine.decided_at:
            if mine.score is not None:
                messages.append(f"{qid}: the consensus differs; kept the newer from {source} ({theirs.decided_at})")
            score, decided_by, decided_at = theirs.score, theirs.decided_by, theirs.decided_at
        else:
            messages.append(f"{qid}: the consensus differs; kept the newer one here ({mine.decided_at})")
    note = apart.text(f"{qid} agreed note", f"{qid}: the agreed note differs", mine.note, theirs.note)
    sources = ordered_sources((*mine.sources, *theirs.sources))
    return Answer(score, note, sources, entries, decided_by, decided_at)


def _area(
    mine: AreaEntry,
    theirs: AreaEntry,
    aid: str,
    source: str,
    mine_ev: Evaluation,
    theirs_ev: Evaluation,
    messages: list[str],
    apart: _Apart,
) -> AreaEntry:
    score = mine.score
    if theirs.score is not None and theirs.score != mine.score:
        if mine.score is None or theirs_ev.updated > mine_ev.updated:
            if mine.score is not None:
                messages.append(f"area {aid}: the score differs; kept the newer from {source}")
            score = theirs.score
        else:
            messages.append(f"area {aid}: the score differs; kept the newer one here")
    texts = {}
    for kind in AREA_TEXTS:
        texts[kind] = apart.text(
            f"area {aid} {kind}", f"area {aid}: the {kind} differ", getattr(mine, kind), getattr(theirs, kind)
        )
    return AreaEntry(score, **texts)
