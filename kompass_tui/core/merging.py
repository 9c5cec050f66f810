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

from collections.abc import Mapping
from dataclasses import dataclass, fields, is_dataclass, replace
from typing import Any

from kompass_tui.core.model import (
    ACTION_FIELDS,
    AREA_TEXTS,
    TEXT_KINDS,
    Action,
    Answer,
    AreaEntry,
    Entry,
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


# ---------------------------------------------------------------- three-way


def merge3(base: Evaluation | None, mine: Evaluation, theirs: Evaluation, source: str) -> Merge:
    """Three-way: what only one side changed since base (their common version) is taken from that
    side, a removal too; what both changed is merged as merge() does. base None: merge(mine, theirs).

    Each part is compared with base on its own: a score, a text, the consensus (its score, who and
    when as one), each evaluator's entry field by field (as of the later time where the two sides
    changed different fields), each action field by field with its change times. Lists (the team,
    evidence sources, an action's log, other_versions) are sets: what either side added is in, what
    either side took out is out. Where both sides changed a part differently, this copy's change
    goes into one view of the evaluation and theirs into another, and merge() settles the two
    views by its rules (the newer entry, consensus or action field wins; a text of theirs is kept
    apart), saying so. A part one side cleared (or an entry it removed) and the other changed is
    kept as changed, and said; so is an action removed on one side and changed on the other, which
    stays removed."""
    if base is None:
        return merge(mine, theirs, source)
    said: list[str] = []
    ours_view, theirs_view = _Three(source, said).resolve(base, mine, theirs, ())
    merged = merge(ours_view, theirs_view, source)
    return Merge(merged.evaluation, [*said, *merged.messages])


def merge3_files(
    base: Evaluation | None, mine: Evaluation | None, theirs: Evaluation | None, source: str
) -> Merge | None:
    """None: the evaluation is gone (deleted on one side, untouched on the other, or on both).
    A deletion on one side and an edit on the other keeps the edit and says so (a message).
    One added on one side only (no base) is kept."""
    if mine is not None and theirs is not None:
        return merge3(base, mine, theirs, source)
    kept = mine if mine is not None else theirs
    if kept is None or kept == base:
        return None
    if base is None:
        return Merge(kept, [])
    how = ("changed here and deleted in", "deleted here and changed in")[mine is None]
    return Merge(kept, [f"{kept.id} was {how} {source}; kept the changed one"])


_GONE: Any = object()  # what a mapping holds under a key it does not have
_CONSENSUS = ("score", "decided_by", "decided_at")  # an answer's consensus, merged as one
_BLANKS = (Entry, Answer, AreaEntry)  # what a mapping does not keep when blank (as model._put): missing is blank


def _as_set(base: tuple[Any, ...], mine: tuple[Any, ...], theirs: tuple[Any, ...]) -> tuple[Any, ...]:
    """A list as a set: what both sides kept, and what either added; this copy's order, theirs' additions after."""
    if theirs == base or mine == theirs:
        return mine
    if mine == base:
        return theirs
    old, here, there = set(base), set(mine), set(theirs)
    return tuple(x for x in dict.fromkeys([*mine, *theirs]) if x not in old or (x in here and x in there))


def _empty(value: Any) -> bool:
    """Cleared, or never given: no value, no text, no consensus score, no entry."""
    if isinstance(value, tuple):  # a consensus: (score, decided_by, decided_at)
        return value[0] is None
    return value is _GONE or value is None or value == "" or (isinstance(value, _BLANKS) and value.is_blank())


def _what(where: tuple[str, ...]) -> tuple[str, str] | None:
    """What a part is called in a message, and what clearing it is called (None: not said)."""
    match where:
        case (kind,) if kind in TEXT_KINDS:
            return f"the {kind} was", "cleared"
        case ("areas", aid, "score"):
            return f"area {aid}: the score was", "cleared"
        case ("areas", aid, kind) if kind in AREA_TEXTS:
            return f"area {aid}: the {kind} were", "cleared"
        case ("questions", qid, "note"):
            return f"{qid}: the agreed note was", "cleared"
        case ("questions", qid, "consensus"):
            return f"{qid}: the consensus was", "cleared"
        case ("questions", qid, "entries", name):
            return f"{qid}: {name}'s entry was", "removed"
    return None


class _Three:
    """The two views (ours, theirs) of a three-way merge: equal wherever at most one side changed."""

    def __init__(self, source: str, said: list[str]) -> None:
        self.source, self.said = source, said

    def resolve(self, base: Any, mine: Any, theirs: Any, where: tuple[str, ...]) -> tuple[Any, Any]:
        if theirs == base or mine == theirs:
            return mine, mine
        if mine == base:
            return theirs, theirs
        if isinstance(mine, Mapping) and isinstance(theirs, Mapping):
            return self.mapping(base if isinstance(base, Mapping) else {}, mine, theirs, where)
        kinds = {type(v) for v in (base, mine, theirs) if v is not _GONE}
        kind = kinds.pop() if len(kinds) == 1 else None
        if kind is not None and is_dataclass(kind):
            if kind in _BLANKS:
                base, mine, theirs = (kind() if v is _GONE else v for v in (base, mine, theirs))
            if all(v is not _GONE for v in (base, mine, theirs)):
                return self.record(base, mine, theirs, where)
        self.cleared(mine, theirs, where)
        return mine, theirs  # changed on both sides, differently: merge() settles it

    def record(self, base: Any, mine: Any, theirs: Any, where: tuple[str, ...]) -> tuple[Any, Any]:
        """An evaluation, answer, entry, area or action: field by field."""
        kind = type(mine)
        ours: dict[str, Any] = {}
        there: dict[str, Any] = {}
        names = [f.name for f in fields(kind)]
        if kind is Answer:
            consensus = [tuple(getattr(v, name) for name in _CONSENSUS) for v in (base, mine, theirs)]
            views = self.resolve(consensus[0], consensus[1], consensus[2], (*where, "consensus"))
            for n, name in enumerate(_CONSENSUS):
                ours[name], there[name] = views[0][n], views[1][n]
            names = [name for name in names if name not in _CONSENSUS]
        for name in names:
            b, m, t = getattr(base, name), getattr(mine, name), getattr(theirs, name)
            if name == "actions":
                ours[name], there[name] = self.actions(b, m, t)
            elif isinstance(m, tuple):
                kept = _as_set(b, m, t)
                if name == "log" and kept not in (m, t):  # both logged: in time order, as merge() joins logs
                    kept = tuple(sorted(kept, key=lambda e: (e.at, e.by, e.status, e.comment)))
                ours[name] = there[name] = kept
            else:
                ours[name], there[name] = self.resolve(b, m, t, (*where, name))
        first, second = kind(**ours), kind(**there)
        if kind is Entry and first != second and replace(first, updated="") == replace(second, updated=""):
            # one evaluator's entry changed in different fields on the two sides: both, as of the later time
            first = second = replace(first, updated=max(first.updated, second.updated))
        if kind is Action and not base.removed and bool(mine.removed) != bool(theirs.removed):
            edited = theirs if mine.removed else mine
            if edited != base:
                how = ("changed here and removed in", "removed here and changed in")[bool(mine.removed)]
                self.said.append(f"action {mine.id} was {how} {self.source}; it stays removed")
        return first, second

    def mapping(
        self, base: Mapping[str, Any], mine: Mapping[str, Any], theirs: Mapping[str, Any], where: tuple[str, ...]
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """Questions, areas, entries, change times: key by key; this copy's order, theirs' new keys after."""
        ours: dict[str, Any] = {}
        there: dict[str, Any] = {}
        for key in dict.fromkeys([*mine, *theirs, *base]):
            found = self.resolve(base.get(key, _GONE), mine.get(key, _GONE), theirs.get(key, _GONE), (*where, key))
            if not _empty(found[0]):
                ours[key] = found[0]
            if not _empty(found[1]):
                there[key] = found[1]
            if (key in ours) != (key in there):  # merge() keeps the one there is, unsaid
                self.cleared(ours.get(key, _GONE), there.get(key, _GONE), (*where, key))
        return ours, there

    def actions(
        self, base: tuple[Action, ...], mine: tuple[Action, ...], theirs: tuple[Action, ...]
    ) -> tuple[tuple[Action, ...], tuple[Action, ...]]:
        """By key, each field by field. One added on one side is in that side's view only: merge()
        adds it, under another id if the other side added one under the same."""
        old = {a.key: a for a in base}
        here, there = {a.key: a for a in mine}, {a.key: a for a in theirs}
        views = []
        for key in dict.fromkeys([*here, *there, *old]):
            b, m, t = old.get(key, _GONE), here.get(key, _GONE), there.get(key, _GONE)
            views.append((m, t) if b is _GONE else self.resolve(b, m, t, ("actions", key)))
        return tuple(v[0] for v in views if v[0] is not _GONE), tuple(v[1] for v in views if v[1] is not _GONE)

    def cleared(self, mine: Any, theirs: Any, where: tuple[str, ...]) -> None:
        """Say where one side cleared what the other changed: merge() keeps the change, and would not say."""
        what = _what(where)
        if what is not None and _empty(mine) != _empty(theirs):
            how = ("changed here and {} in", "{} here and changed in")[_empty(mine)].format(what[1])
            self.said.append(f"{what[0]} {how} {self.source}; kept the change")
