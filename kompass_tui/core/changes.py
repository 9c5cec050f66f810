"""What changed between two versions of an evaluation, and who changed it: for the commit message of
a sync (`Anna Berg: 1.1 30, note on 1.2, strengths area 2`), its summary of what came in (`from
Omar Said: 12 scores, 3 notes`) and `kompass history`. Pure: two evaluations in, a list out.

Each change is a Changed: who, what kind, where, and a short value. The kinds:

  score, note, sources            an evaluator's own entry for a sub-question (who: that evaluator)
  consensus, agreed note,         the team's agreed score, note and sources of a sub-question
  agreed sources                  (who: decided_by for a consensus)
  area score, strengths,          an area: its score (area-level evaluations) and texts
  improvements
  summary, challenges             the evaluation's texts
  action                          an action of the plan: added (who: created_by), removed (removed_by),
                                  its new status or "changed" (who: whoever logged it)
  evaluator                       someone joined ("added") or left ("removed") the team (who: them)
  details                         the municipality, year, dates, framework, level or the like
  other versions                  a merge kept another copy's text apart (the working papers)
  evaluation                      the evaluation was "created" or "deleted"

who is "" (the team's) where the data says no more; changes() takes the name of whoever made the
changes, when the caller knows it (the one syncing), to credit with those. Values never hold user
text: a score as fmt writes it ("–" when taken back), a status, "added"/"removed"/"created"/
"deleted", evidence sources, or "" for texts.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache

from kompass_tui.core.model import AREA_TEXTS, TEXT_KINDS, Action, Answer, AreaEntry, Entry, Evaluation
from kompass_tui.core.points import fmt
from kompass_tui.core.sanitize import one_line

KINDS = (
    "score",
    "note",
    "sources",
    "consensus",
    "agreed note",
    "agreed sources",
    "area score",
    "strengths",
    "improvements",
    "summary",
    "challenges",
    "action",
    "evaluator",
    "details",
    "other versions",
    "evaluation",
)
TEAM = "team"  # what message() calls who-less changes
DETAILS = ("municipality", "year", "framework", "level", "reference", "team_set", "start", "end")


@dataclass(frozen=True)
class Changed:
    """One change: who made it ("" for the team), its kind (one of KINDS), where (a sub-question's
    id, "area 2", an action's id, "" for the evaluation) and its short value (see the module)."""

    who: str
    kind: str
    where: str
    value: str


@lru_cache(maxsize=4096)
def _id_order(part_id: str) -> tuple[tuple[int, int, str], ...]:
    """How ids sort: by their parts, numbers as numbers (1.2 before 1.10)."""
    return tuple((0, int(p), "") if p.isdigit() and p.isascii() else (1, 0, p) for p in part_id.split("."))


def _ordered(*keys: Iterable[str]) -> list[str]:
    return sorted(set().union(*keys), key=_id_order)


def _sources(sources: tuple[str, ...]) -> str:
    return ", ".join(sources) or "–"


def changes(before: Evaluation | None, after: Evaluation | None, by: str = "") -> list[Changed]:
    """What differs from before to after, in the framework's natural order: the details, the team,
    the sub-questions by id (each evaluator's entry, then the agreed ones), the areas, the texts,
    the action plan. None: the evaluation did not exist (created: its contents follow) or is gone
    (deleted). by: who made the changes, if known, credited with those the data names no one for."""
    if before is None and after is None:
        return []
    if after is None:
        return [Changed(by, "evaluation", "", "deleted")]
    if before is None:
        blank = replace(
            after, evaluators=(), summary="", challenges="", areas={}, questions={}, other_versions=(), actions=()
        )
        return [Changed(by, "evaluation", "", "created"), *changes(blank, after, by)]
    if before is after:
        return []
    found: list[Changed] = []
    if any(getattr(before, name) != getattr(after, name) for name in DETAILS):
        found.append(Changed(by, "details", "", ""))
    if before.evaluators != after.evaluators:
        found += [Changed(name, "evaluator", "", "added") for name in after.evaluators if name not in before.evaluators]
        found += [
            Changed(name, "evaluator", "", "removed") for name in before.evaluators if name not in after.evaluators
        ]
    if before.questions != after.questions:
        for qid in _ordered(before.questions, after.questions):
            _answer(found, qid, before.questions.get(qid), after.questions.get(qid), after.evaluators, by)
    if before.areas != after.areas:
        for aid in _ordered(before.areas, after.areas):
            _area(found, aid, before.areas.get(aid), after.areas.get(aid), by)
    for kind in TEXT_KINDS:
        if getattr(before, kind) != getattr(after, kind):
            found.append(Changed(by, kind, "", ""))
    if before.other_versions != after.other_versions:
        found.append(Changed(by, "other versions", "", ""))
    if before.actions != after.actions:
        _actions(found, before.actions, after.actions, by)
    return found


_BLANK_ANSWER, _BLANK_ENTRY, _BLANK_AREA = Answer(), Entry(), AreaEntry()


def _answer(
    found: list[Changed], qid: str, old: Answer | None, new: Answer | None, team: tuple[str, ...], by: str
) -> None:
    old, new = old or _BLANK_ANSWER, new or _BLANK_ANSWER
    if old == new:
        return
    if old.entries != new.entries:
        names = [n for n in team if n in old.entries or n in new.entries]
        names += [n for n in (*new.entries, *old.entries) if n not in names]
        for name in names:
            mine, theirs = old.entries.get(name, _BLANK_ENTRY), new.entries.get(name, _BLANK_ENTRY)
            if mine == theirs:
                continue
            if mine.score != theirs.score:
                found.append(Changed(name, "score", qid, fmt(theirs.score)))
            if mine.note != theirs.note:
                found.append(Changed(name, "note", qid, ""))
            if mine.sources != theirs.sources:
                found.append(Changed(name, "sources", qid, _sources(theirs.sources)))
    if old.score != new.score:
        found.append(Changed(new.decided_by or by, "consensus", qid, fmt(new.score)))
    if old.note != new.note:
        found.append(Changed(by, "agreed note", qid, ""))
    if old.sources != new.sources:
        found.append(Changed(by, "agreed sources", qid, _sources(new.sources)))


def _area(found: list[Changed], aid: str, old: AreaEntry | None, new: AreaEntry | None, by: str) -> None:
    old, new = old or _BLANK_AREA, new or _BLANK_AREA
    if old == new:
        return
    where = f"area {aid}"
    if old.score != new.score:
        found.append(Changed(by, "area score", where, fmt(new.score)))
    for kind in AREA_TEXTS:
        if getattr(old, kind) != getattr(new, kind):
            found.append(Changed(by, kind, where, ""))


def _actions(found: list[Changed], old: tuple[Action, ...], new: tuple[Action, ...], by: str) -> None:
    """The plan's changes, in the plan's order; an action added and removed in between is no change."""
    was = {a.key: a for a in old}
    for action in new:
        before = was.pop(action.key, None)
        if before is None:
            if not action.removed:
                found.append(Changed(action.created_by or by, "action", action.id, "added"))
        elif before != action:
            if action.removed:
                if not before.removed:
                    found.append(Changed(action.removed_by or by, "action", action.id, "removed"))
                continue
            logged = set(before.log)
            added = [e for e in action.log if e not in logged]
            who = added[-1].by if added else by
            value = action.status if action.status != before.status else "changed"
            found.append(Changed(who or by, "action", action.id, value))
    found += [Changed(by, "action", a.id, "removed") for a in was.values() if not a.removed]


# ---------------------------------------------------------------- the words


def words(c: Changed) -> str:
    """One change as a commit message says it: '1.1 30', 'note on 1.2', 'action 2.a done'."""
    where, value = one_line(c.where), one_line(c.value)
    match c.kind:
        case "score" | "area score":
            return f"{where} {value}"
        case "note" | "agreed note":
            return f"{c.kind} on {where}"
        case "sources" | "agreed sources":
            return f"{c.kind} of {where}"
        case "consensus" | "action":
            return f"{c.kind} {where} {value}"
        case "strengths" | "improvements":
            return f"{c.kind} {where}"
        case "evaluator":
            return "joined the team" if c.value == "added" else "left the team"
        case "evaluation":
            return value
        case "other versions":
            return "other versions of texts"
        case _:  # summary, challenges, details
            return " ".join(part for part in (c.kind, where) if part)


def _groups(found: Sequence[Changed]) -> dict[str, list[Changed]]:
    """The changes by who, as shown (a name on one visible line), in the order they first come; the
    team's last."""
    groups: dict[str, list[Changed]] = {}
    team: list[Changed] = []
    for c in found:
        who = one_line(c.who) if c.who else ""
        (groups.setdefault(who, []) if who else team).append(c)
    if team:
        groups.setdefault(TEAM, []).extend(team)
    return groups


def message(found: Sequence[Changed], limit: int = 200) -> str:
    """One commit-message line, grouped by who: 'Anna Berg: 1.1 30, note on 1.2, strengths area 2;
    team: consensus 1.1 31'; cut with '…' to at most limit characters (after a whole item where
    one fits). "" for no changes. Names and ids are shown on one line without control characters."""
    if limit < 1:
        return ""
    line = "; ".join(f"{who}: {', '.join(map(words, items))}" for who, items in _groups(found).items())
    if len(line) <= limit:
        return line
    cut = max(line.rfind(", ", 0, limit + 1), line.rfind("; ", 0, limit + 1))  # the last whole item that fits
    return (line[:cut] if cut > limit // 2 else line[: limit - 1].rstrip()) + "…"


def tally(found: Sequence[Changed]) -> dict[str, dict[str, int]]:
    """How many changes of each kind each one made (who as in Changed: "" for the team), in the
    order they first come: {'Omar Said': {'score': 12, 'note': 3}}."""
    counts: dict[str, dict[str, int]] = {}
    for c in found:
        kinds = counts.setdefault(c.who, {})
        kinds[c.kind] = kinds.get(c.kind, 0) + 1
    return counts
