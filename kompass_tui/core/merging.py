"""Merging offline work: two copies of one evaluation (say, two evaluators' laptops) into one,
losing no evaluator's scores or notes. Pure: two evaluations in, the merged one and what happened out.

- Each evaluator's own entry for a sub-question is taken from whichever copy has it. When both
  copies hold a different entry of the same evaluator (edited on both laptops), the newer one is
  kept, and the merge says so.
- The consensus likewise: from whichever copy set it, the newer where both did.
- Shared texts (agreed notes, strengths, improvement areas, summary, closing challenges) that
  differ are both kept, the other copy's after a line that says where it came from.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from kompass_tui.core.model import AREA_TEXTS, TEXT_KINDS, Answer, AreaEntry, Evaluation, name_key, ordered_sources
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
    """Both texts, unless one already holds the other (as written on, or after an earlier merge)."""
    if not theirs or theirs == mine or mine.startswith(theirs) or theirs in _blocks(mine):
        return mine, False
    if not mine or theirs.startswith(mine) or mine in _blocks(theirs):
        return theirs, False
    return f"{mine}\n\n({source}:)\n{theirs}", True


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
    messages: list[str] = []
    questions = dict(mine.questions)
    for qid, other in theirs.questions.items():
        questions[qid] = _answer(questions.get(qid, Answer()), other, qid, source, messages)
    areas = dict(mine.areas)
    for aid, their_area in theirs.areas.items():
        areas[aid] = _area(areas.get(aid, AreaEntry()), their_area, aid, source, mine, theirs, messages)
    texts: dict[str, Any] = {}
    for kind in TEXT_KINDS:
        texts[kind], both = _text(getattr(mine, kind), getattr(theirs, kind), source)
        if both:
            messages.append(f"the {kind} differs: both texts are kept, {source}'s last")
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
    )
    return Merge(merged, messages)


def _answer(mine: Answer, theirs: Answer, qid: str, source: str, messages: list[str]) -> Answer:
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
    note, both = _text(mine.note, theirs.note, source)
    if both:
        messages.append(f"{qid}: the agreed note differs: both are kept, {source}'s last")
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
        texts[kind], both = _text(getattr(mine, kind), getattr(theirs, kind), source)
        if both:
            messages.append(f"area {aid}: the {kind} differ: both are kept, {source}'s last")
    return AreaEntry(score, **texts)
