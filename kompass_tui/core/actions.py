"""The action plan (handlingsplan): the steps a municipality takes on an area's improvement areas,
who owns them, by when, and how far they have come. Pure: edits (Change, as in core.edits), the
words a status may be typed as, and the tallies a follow-up shows.

An action's id is short and typable, its area and a letter (2.a, 2.b … 2.z, 2.aa); letters are
never reused in an area, not even a removed action's, so an id always means one action. Who changes
an action follows the team's rules for scores (team.scorer), and a status change or a comment is
logged with who and when.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import astuple, dataclass, replace
from typing import Any

from kompass_tui.core.edits import Change
from kompass_tui.core.framework import Framework
from kompass_tui.core.model import ACTION_FIELDS, ACTION_ID, Action, Evaluation, LogEntry, is_date
from kompass_tui.core.sanitize import clean_name, clean_text
from kompass_tui.errors import InputError, NotFound, did_you_mean

# What a status may be typed as, in English and Swedish (with or without the ring and dots).
STATUS_WORDS = {
    "planned": "planned",
    "planerad": "planned",
    "planerat": "planned",
    "started": "started",
    "påbörjad": "started",
    "påbörjat": "started",
    "paborjad": "started",
    "pågår": "started",
    "done": "done",
    "klar": "done",
    "klart": "done",
    "dropped": "dropped",
    "avbruten": "dropped",
    "avbrutet": "dropped",
}
_ITEM = re.compile(r"^[-*•]\s+(.*)$")


def status(word: str) -> str:
    """The status a word names (klar is done); InputError naming the four if none."""
    found = STATUS_WORDS.get(word.strip().casefold())
    if found is None:
        raise InputError(
            f"unknown status {word!r}; use planned, started, done or dropped",
            sv=f"okänd status {word!r}; ange planerad, påbörjad, klar eller avbruten",
        )
    return found


def due(text: str) -> str:
    """A due date as typed, checked: YYYY-MM-DD, or '' for none."""
    text = text.strip()
    if text and not is_date(text):
        raise InputError(
            f"{text!r} is not a date; give the due date as YYYY-MM-DD, e.g. 2004-06-30",
            sv=f"{text!r} är inget datum; ange slutdatum som ÅÅÅÅ-MM-DD, t.ex. 2004-06-30",
        )
    return text


def improvement_items(text: str) -> list[str]:
    """The improvement areas of an area as a list: its '- ' items, or where it has none, its lines."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    items = [m.group(1) for m in map(_ITEM.match, lines) if m]
    return items or lines


def letters(n: int) -> str:
    """0 -> a, 25 -> z, 26 -> aa: the letter part of the n-th action id of an area."""
    word = ""
    n += 1
    while n:
        n, rest = divmod(n - 1, 26)
        word = chr(ord("a") + rest) + word
    return word


def _number(word: str) -> int:
    n = 0
    for c in word:
        n = n * 26 + ord(c) - ord("a") + 1
    return n - 1


def next_id(actions: Iterable[Action], area_id: str) -> str:
    """The next free id of an area: after every letter it has used (removed actions' too)."""
    used = [_number(m.group("letter")) for a in actions if a.area == area_id and (m := ACTION_ID.match(a.id))]
    return f"{area_id}.{letters(max(used, default=-1) + 1)}"


def find(ev: Evaluation, action_id: str) -> Action:
    """The action with this id (not removed); NotFound with what there is."""
    wanted = action_id.strip().lower()
    for action in ev.plan():
        if action.id == wanted:
            return action
    ids = [a.id for a in ev.plan()]
    hint_en, hint_sv = did_you_mean(wanted, ids)
    known = ", ".join(ids) or "none yet"
    raise NotFound(
        f"{ev.id} has no action {action_id!r}{hint_en}; its actions: {known}",
        sv=f"{ev.id} har ingen åtgärd {action_id!r}{hint_sv}; dess åtgärder: {', '.join(ids) or 'inga än'}",
    )


@dataclass(frozen=True)
class Tally:
    """How an area's (or a plan's) actions stand."""

    done: int = 0
    open: int = 0
    dropped: int = 0
    overdue: int = 0

    @property
    def counted(self) -> int:
        """The actions that were carried on with (dropped ones aside): what "3 of 4 done" counts."""
        return self.done + self.open

    def __bool__(self) -> bool:
        return bool(self.counted or self.dropped)

    def __add__(self, other: Tally) -> Tally:
        return Tally(*(a + b for a, b in zip(astuple(self), astuple(other), strict=True)))


def tally(actions: Iterable[Action], today: str = "") -> Tally:
    done = opened = dropped = late = 0
    for a in actions:
        if a.removed:
            continue
        done += a.status == "done"
        opened += a.is_open
        dropped += a.status == "dropped"
        late += bool(today) and a.overdue(today)
    return Tally(done, opened, dropped, late)


def _who(ev: Evaluation, by: str) -> str:
    """Who changes the plan, as the team spells the name; refused where the team is set and they
    are not on it (the rules for scores: team.scorer)."""
    from kompass_tui.core.team import scorer

    name = clean_name(by, "the evaluator's name")[0]
    if not name:
        raise InputError("give your name (--as NAME)", sv="ange ditt namn (--as NAMN)")
    return scorer(ev, name)


def _text(value: str, what: str) -> str:
    return clean_text(value, what)[0].strip()


def _title(value: str) -> str:
    kept = " ".join(clean_text(value, "the action's title")[0].split())
    if not kept:
        raise InputError("give the action a title", sv="ge åtgärden en rubrik")
    return kept


def _improvement(ev: Evaluation, area_id: str, number: int | None) -> int | None:
    """An improvement area's number, checked against the area's list of them (None: none)."""
    if number is None or number == 0:
        return None
    items = improvement_items(ev.area(area_id).improvements)
    if not 1 <= number <= len(items):
        raise InputError(
            f"area {area_id} has {len(items)} improvement area{'s' if len(items) != 1 else ''}; "
            f"give --improvement from 1 to {len(items)}"
            if items
            else f"area {area_id} has no improvement areas yet; write them first (kompass improvements ID {area_id} TEXT)",
            sv=f"område {area_id} har {len(items)} förbättringsområden; ange --improvement från 1 till {len(items)}"
            if items
            else f"område {area_id} har inga förbättringsområden än; skriv dem först (kompass improvements ID {area_id} TEXT)",
        )
    return number


def add(
    area_id: str,
    title: str,
    by: str,
    improvement: int | None = None,
    owner: str = "",
    due_date: str = "",
    description: str = "",
    state: str = "planned",
) -> Change:
    """Add an action to an area, with the next free id (2.c after 2.b)."""
    kept_title = _title(title)
    kept_owner = " ".join(clean_name(owner, "the owner")[0].split())
    kept_due = due(due_date)
    kept_description = _text(description, "the description")
    kept_status = status(state)

    def change(ev: Evaluation, fw: Framework, at: str) -> Evaluation:
        area = fw.area(area_id)
        who = _who(ev, by)
        number = _improvement(ev, area.id, improvement)
        import hashlib

        key = hashlib.sha1(f"{at}|{who}|{area.id}|{kept_title}".encode()).hexdigest()[:12]
        action = Action(
            id=next_id(ev.actions, area.id),
            key=key,
            area=area.id,
            title=kept_title,
            improvement=number,
            description=kept_description,
            owner=kept_owner,
            due=kept_due,
            status=kept_status,
            log=(LogEntry(at, who, kept_status),),
            changed=dict.fromkeys(ACTION_FIELDS, at),
            created=at,
            created_by=who,
        )
        return replace(ev, actions=(*ev.actions, action))

    return change


_KEEP: Any = object()  # (an argument not given: the field stays as it is)


def update(
    action_id: str,
    by: str,
    state: str | None = None,
    owner: str | None = None,
    due_date: str | None = None,
    comment: str | None = None,
    title: str | None = None,
    description: str | None = None,
    improvement: int | None = _KEEP,
) -> Change:
    """Change an action: the fields given (None: as it is; improvement 0 or None: no longer tied to
    one). A new status, or a comment, is logged with who and when."""
    fields: dict[str, Any] = {}
    if title is not None:
        fields["title"] = _title(title)
    if description is not None:
        fields["description"] = _text(description, "the description")
    if owner is not None:
        fields["owner"] = " ".join(clean_name(owner, "the owner")[0].split())
    if due_date is not None:
        fields["due"] = due(due_date)
    if state is not None:
        fields["status"] = status(state)
    said = _text(comment, "the comment") if comment is not None else ""

    def change(ev: Evaluation, fw: Framework, at: str) -> Evaluation:
        action = find(ev, action_id)
        who = _who(ev, by)
        new = dict(fields)
        if improvement is not _KEEP:
            new["improvement"] = _improvement(ev, action.area, improvement)
        new = {f: v for f, v in new.items() if getattr(action, f) != v}
        log = action.log
        if "status" in new or said:
            log = (*log, LogEntry(at, who, new.get("status", action.status), said))
        if not new and log == action.log:
            return ev
        changed = {**action.changed, **dict.fromkeys(new, at)}
        done = replace(action, **new, log=log, changed=changed)
        return replace(ev, actions=tuple(done if a.key == action.key else a for a in ev.actions))

    return change


def remove(action_id: str, by: str) -> Change:
    """Remove an action: it leaves a tombstone, so a merge with an older copy does not bring it back."""

    def change(ev: Evaluation, fw: Framework, at: str) -> Evaluation:
        action = find(ev, action_id)
        who = _who(ev, by)
        gone = replace(action, removed=at, removed_by=who)
        return replace(ev, actions=tuple(gone if a.key == action.key else a for a in ev.actions))

    return change
