"""An evaluation's history, for `kompass history ID [QUESTION]`: who changed what, and when.

Two sources, one list (Event), newest first:

- Git, when the database is shared (`kompass sync setup`): each commit that touched the
  evaluation's file (`evaluations/<id>.json`, all parents of every merge walked: --full-history),
  its version compared with its parent's by core.changes. A merge commit adds only what it made
  itself: a change it holds against every one of its parents (a text both sides changed, kept in the
  other versions), not what each side brought in, which that side's own commits already show; a
  merge whose file is one of its parents' adds nothing. Then what the database holds that is not
  committed yet (commit ""): changes since the last sync.
- The evaluation's own times, always there (also without git): an evaluator's entry for a
  sub-question holds when they last set it (Entry.updated), a consensus when it was decided and by
  whom, an action when it was added, each step of its log, and when it was removed. Without git,
  the history is the evaluation as it is now, each part with its own time (commit ""): the latest
  state only, not what came before (the CLI says so). Parts with no time of their own (an agreed
  note, an area's texts, the summary) come last, with at "".

When (Event.at) is when the change was made, not when it was synced: the evaluation's own time for
the changed part where it has one (an evaluator's entry set on a laptop on Monday and synced on
Friday was changed on Monday), else the commit's author date. An own time that the parent's
version holds as well (a part changed without its time moving on: a hand edit, an import) is not
taken; the commit's date is. Who (Event.who) is whose the change is (the evaluator whose entry it
is, who decided a consensus, who logged an action's step), else the commit's author.

The cost is one evaluation's: a `git log` of its file and one `git cat-file` for its versions (each
version read and parsed once); no other evaluation is read. Pure service code: no printing.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from kompass_tui.core import changes, model
from kompass_tui.core.changes import Changed
from kompass_tui.core.framework import Framework
from kompass_tui.core.model import Evaluation
from kompass_tui.errors import InputError, KompassError, did_you_mean
from kompass_tui.store.files import EVALUATIONS, evaluation_from_bytes
from kompass_tui.store.gitrepo import Git

if TYPE_CHECKING:
    from kompass_tui.service.workbench import Workbench

# The kinds of change that belong to a sub-question (Changed.where is its id).
QUESTION_KINDS = frozenset(("score", "note", "sources", "consensus", "agreed note", "agreed sources"))
JOIN = " · "  # between the changes of one line (grouped)
_Filter = Callable[[Changed], bool]
_Found = tuple[str, Changed, str]  # when, the change, the commit it came in ("" if none)


@dataclass(frozen=True)
class Event:
    """One change: when (ISO 8601; "" if not known), who ("" if not known), what (core.changes'
    words: '1.1 30', 'note on 1.2', 'action 2.a done'), the sub-question it is about ("" for the
    rest), the commit it came in ("" for what is not committed, or a database never shared), its
    kind and where (core.changes.Changed's: 'score', '1.1'; 'strengths', 'area 2')."""

    at: str
    who: str
    what: str
    question: str = ""
    commit: str = ""
    kind: str = ""
    where: str = ""


def shared(bench: Workbench) -> bool:
    """Whether the database is shared through git (and git is here to read its history)."""
    return Git(bench.folder).exists() and shutil.which("git") is not None


def history(bench: Workbench, eid: str, question: str | None = None) -> list[Event]:
    """The evaluation's changes, newest first (see the module): all of them, or (question) only
    those about one sub-question (its entries, consensus, agreed note and sources) or one area (its
    sub-questions', its score and texts, its actions). NotFound for an unknown id; InputError, naming
    the framework's ids, for a question it does not have."""
    _, fw = bench.get_with_framework(eid)  # (NotFound for an unknown id)
    wanted = _wanted(fw, question) if question is not None else None
    current = _current(bench, eid)
    if shared(bench):
        found = _from_git(Git(bench.folder), eid, current)
    else:
        found = _from_entries(current)
    if wanted is not None:
        found = [(when, c, commit) for when, c, commit in found if wanted(c)]
    events = [_event(when, c, commit) for when, c, commit in found]
    ranked = sorted(enumerate(events), key=lambda found: (_sortable(found[1].at), -found[0]), reverse=True)
    return [e for _, e in ranked]  # (the same time: in the order found, a commit's changes in the framework's)


def grouped(events: Sequence[Event]) -> list[Event]:
    """Events next to each other with the same time, who and commit as one, their words joined by
    ' · ' ('1.1 30 · note on 1.1'): a line each, as `kompass history` shows them."""
    lines: list[Event] = []
    for e in events:
        last = lines[-1] if lines else None
        if last is not None and (last.at, last.who, last.commit) == (e.at, e.who, e.commit):
            lines[-1] = replace(
                last,
                what=last.what + JOIN + e.what,
                question=last.question if last.question == e.question else "",
                kind=last.kind if last.kind == e.kind else "",
                where=last.where if last.where == e.where else "",
            )
        else:
            lines.append(e)
    return lines


WHO_COLUMN = 30  # columns of a name at most; a longer one is cut with …


def lines(bench: Workbench, events: Sequence[Event], lang: str) -> list[str]:
    """The history as lines to show (the CLI's and the app's): when, who, what, and the commit it
    came in; names shown safely (one line, cut at WHO_COLUMN)."""
    from rich.cells import cell_len

    from kompass_tui.core.sanitize import one_line
    from kompass_tui.i18n import t

    events = grouped(events)
    if not events:
        return [t(lang, "history_none")]
    shared_here = shared(bench)
    out = [] if shared_here else [t(lang, "history_latest")]
    names = [one_line(e.who, WHO_COLUMN) if e.who else "–" for e in events]
    width = max(map(cell_len, names))
    for event, name in zip(events, names, strict=True):
        when = local_time(event.at) or "–"
        came = (event.commit[:10] if event.commit else t(lang, "history_unsynced")) if shared_here else ""
        line = f"{when:<16}  {name + ' ' * (width - cell_len(name))}  {one_line(event.what)}"
        out.append(f"{line}  ({came})" if came else line)
    return out


def local_time(at: str) -> str:
    """An event's time as a line shows it: 'YYYY-MM-DD HH:MM' in this machine's time zone; the text
    as it is if it is not a time ("" stays "")."""
    moment = _moment(at)
    return moment.astimezone().strftime("%Y-%m-%d %H:%M") if moment is not None else at


# ---------------------------------------------------------------- what is asked for


def _wanted(fw: Framework, question: str) -> _Filter:
    """Which changes are about a sub-question (or an area) of the framework; InputError otherwise."""
    if fw.has_question(question):
        return lambda c: c.kind in QUESTION_KINDS and c.where == question
    if fw.has_area(question):
        inside = {q.id for q in fw.area(question).questions}
        return lambda c: (
            (c.kind in QUESTION_KINDS and c.where in inside)
            or c.where == f"area {question}"
            or (c.kind == "action" and c.where.partition(".")[0] == question)
        )
    ids = [q.id for q in fw.questions]
    areas = [a.id for a in fw.areas]
    hint, ledtråd = did_you_mean(question, [*ids, *areas])
    span = f"sub-questions {ids[0]} … {ids[-1]}, " if ids else ""
    spann = f"delfrågorna {ids[0]} … {ids[-1]}, " if ids else ""
    raise InputError(
        f"no sub-question or area {question!r} in {fw.id}{hint}; it has {span}areas {', '.join(areas)}",
        sv=f"ingen delfråga eller område {question!r} i {fw.id}{ledtråd}; den har {spann}områdena {', '.join(areas)}",
    )


# ---------------------------------------------------------------- the evaluation's own times


def _current(bench: Workbench, eid: str) -> Evaluation:
    """The evaluation as its file holds it (not fitted to its framework: as git holds it)."""
    return model.from_dict(bench.db.read(eid), str(bench.db.path_of(eid)))


def _from_entries(ev: Evaluation) -> list[_Found]:
    """The evaluation as it is, each part at its own time: every change from nothing to it (as
    core.changes sees a new evaluation), and each later step of each action's log."""
    found = [(_own_time(ev, c), c, "") for c in changes.changes(None, ev)]
    for action in ev.actions:
        for step in action.log[1:]:  # (the first is its adding, listed already)
            found.append((step.at, Changed(step.by, "action", action.id, step.status), ""))
    return found


def _own_time(ev: Evaluation | None, c: Changed) -> str:
    """When the part of ev that c changed was last set, as ev records it; "" if it does not."""
    if ev is None:
        return ""
    match c.kind:
        case "score" | "note" | "sources":
            answer = ev.questions.get(c.where)
            entry = answer.entries.get(c.who) if answer is not None else None
            return entry.updated if entry is not None else ""
        case "consensus":
            answer = ev.questions.get(c.where)
            return answer.decided_at if answer is not None else ""
        case "action":
            action = next((a for a in ev.actions if a.id == c.where), None)
            if action is None:
                return ""
            if c.value == "added":
                return action.created
            if c.value == "removed" and action.removed:
                return action.removed
            stamps = [e.at for e in action.log] + list(action.changed.values())
            return max(stamps, key=_sortable, default="")
        case "evaluation":
            return ev.created if c.value == "created" else ""
        case _:
            return ""


# ---------------------------------------------------------------- git


@dataclass(frozen=True)
class _Commit:
    sha: str
    parents: tuple[str, ...]
    author: str
    at: str


def _from_git(git: Git, eid: str, current: Evaluation) -> list[_Found]:
    """Every commit's changes to the evaluation's file, newest first, then what the database holds
    that is not committed yet."""
    git.check()
    path = f"{EVALUATIONS}/{eid}.json"
    head = git.head()
    commits = _log(git, path) if head is not None else []
    revs = [head or "", *(c.sha for c in commits), *(p for c in commits for p in c.parents)]
    versions = _Versions(git, path, [r for r in revs if r])
    found: list[_Found] = []
    committed = versions.blob(head) if head is not None else None
    mine = versions.evaluation(head) if head is not None else None
    if committed is None or mine is not None:  # (not compared with a committed version it cannot read)
        found += [(_when(current, mine, c, current.updated), c, "") for c in changes.changes(mine, current)]
    for commit in commits:
        found += _commit_changes(commit, versions)
    return found


def _log(git: Git, path: str) -> list[_Commit]:
    """The commits that touched path, newest first, every parent of a merge followed."""
    raw = git.out("log", "--full-history", "--no-renames", "--format=%H%x00%P%x00%an%x00%aI", "--", f":(literal){path}")
    commits = []
    for line in raw.splitlines():
        parts = line.split("\0")
        if len(parts) == 4:
            sha, parents, author, at = parts
            commits.append(_Commit(sha, tuple(parents.split()), author, at))
    return commits


def _commit_changes(commit: _Commit, versions: _Versions) -> list[_Found]:
    """What one commit changed in the evaluation (a merge: only what it made itself)."""
    blob = versions.blob(commit.sha)
    if any(versions.blob(p) == blob for p in commit.parents):
        return []  # no change, or a merge that took one side's file as it is
    after = versions.evaluation(commit.sha)
    if blob is not None and after is None:
        return [(commit.at, Changed(commit.author, "evaluation", "", "a version Kompass cannot read"), commit.sha)]
    # Each parent's version (None: it has no file); one Kompass cannot read is not compared with.
    parents = [versions.evaluation(p) for p in commit.parents if versions.blob(p) is None or versions.evaluation(p)]
    if commit.parents and not parents:
        return [(commit.at, Changed(commit.author, "evaluation", "", "a version Kompass can read again"), commit.sha)]
    before = parents[0] if parents else None
    found = changes.changes(before, after, by=commit.author)
    if len(parents) > 1:  # a merge: only what none of its parents holds
        others = [{_key(c) for c in changes.changes(p, after, by=commit.author)} for p in parents[1:]]
        found = [c for c in found if all(_key(c) in other for other in others)]
    return [(_when(after, before, c, commit.at), c, commit.sha) for c in found]


def _when(after: Evaluation | None, before: Evaluation | None, c: Changed, otherwise: str) -> str:
    """When c was made: the time after holds for the part it changed, if it has one and before did
    not hold the same (a part changed without its time moving on); else otherwise."""
    own = _own_time(after, c)
    if own and _moment(own) is not None and own != _own_time(before, c):
        return own
    return otherwise


def _key(c: Changed) -> tuple[str, str, str]:
    return (c.who, c.kind, c.where)


class _Versions:
    """The file's version at each of some commits, read in two git processes: which blob each
    commit holds (cat-file --batch-check), then each distinct blob once (cat-file --batch); each
    parsed once, when first asked for."""

    def __init__(self, git: Git, path: str, revs: Iterable[str]) -> None:
        self._path = path
        unique = list(dict.fromkeys(revs))
        self._blobs: dict[str, str | None] = {}
        if unique:
            query = b"".join(f"{rev}:{path}\n".encode() for rev in unique)
            lines = git.run("cat-file", "--batch-check", data=query).stdout.decode("ascii", "replace").splitlines()
            for rev, line in zip(unique, lines, strict=False):
                parts = line.split()
                self._blobs[rev] = parts[0] if len(parts) == 3 and parts[1] == "blob" else None
        shas = list(dict.fromkeys(sha for sha in self._blobs.values() if sha is not None))
        self._raw = {sha: raw for sha, raw in zip(shas, git.blobs(shas), strict=True) if raw is not None}
        self._parsed: dict[str, Evaluation | None] = {}

    def blob(self, rev: str) -> str | None:
        return self._blobs.get(rev)

    def evaluation(self, rev: str) -> Evaluation | None:
        """The version at rev; None if it has none or it cannot be read."""
        sha = self._blobs.get(rev)
        if sha is None:
            return None
        if sha not in self._parsed:
            where = f"{rev[:10]}:{self._path}"
            try:
                self._parsed[sha] = model.from_dict(evaluation_from_bytes(self._raw[sha], where), where)
            except (KompassError, KeyError):
                self._parsed[sha] = None
        return self._parsed[sha]


# ---------------------------------------------------------------- events


def _event(at: str, c: Changed, commit: str) -> Event:
    return Event(
        at=at,
        who=c.who,
        what=changes.words(c),
        question=c.where if c.kind in QUESTION_KINDS else "",
        commit=commit,
        kind=c.kind,
        where=c.where,
    )


def _moment(at: str) -> datetime | None:
    """An ISO 8601 time as an aware datetime (one without a zone taken as UTC); None if it is not one."""
    if not at:
        return None
    try:
        moment = datetime.fromisoformat(at)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


_NEVER = datetime.min.replace(tzinfo=UTC)


def _sortable(at: str) -> datetime:
    """How times sort: as times (zones aside); none (or not a time) before every other."""
    return _moment(at) or _NEVER
