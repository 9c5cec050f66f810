"""The workbench's base: reading, listing and changing evaluations. Ties the store, the frameworks and the edits together.

Every method that changes something saves it at once, under the store's lock, on freshly read data.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from kompass_tui import paths
from kompass_tui.core import edits, model, scoring
from kompass_tui.core.framework import DEFAULT_FRAMEWORK, Framework
from kompass_tui.core.model import QUESTIONS, Evaluation
from kompass_tui.core.sanitize import clean_name
from kompass_tui.errors import AlreadyThere, InputError, KompassError
from kompass_tui.service.rows import SUMMARY, Row, summarize
from kompass_tui.store import DEFAULT_WAIT, Database, Doc, Fingerprint, criteria

if TYPE_CHECKING:
    from kompass_tui.core.comparison import Comparison, Reference
    from kompass_tui.core.consensus import Disagreement
    from kompass_tui.core.followup import Followup
    from kompass_tui.core.model import Action


@contextmanager
def _gc_paused() -> Iterator[None]:
    """No cycle collection while thousands of rows are read: they hold no cycles, and the collector
    would walk every one of them again and again as they pile up (a sixth of a 14,500-row listing)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


FEW = 20  # a comparison of this many or fewer reads its municipalities' parts of the index, not all of it
FALLBACK_EVALUATOR = "evaluator"  # who is scoring where no name is given and the system has none


def today() -> str:
    """Today as YYYY-MM-DD, here (what "overdue" is measured against)."""
    from datetime import date

    return date.today().isoformat()


def evaluator(given: str | None = None) -> tuple[str, int]:
    """Who is scoring: given (--as), else $KOMPASS_AS, else the settings file's name, else the login
    name, else FALLBACK_EVALUATOR; kept as names are (clean_name), with how many characters that
    removed. InputError if nothing of the name is left."""
    from kompass_tui.service.preferences import settings

    name = given or os.environ.get("KOMPASS_AS") or settings().name
    if not name:
        import getpass

        try:
            name = getpass.getuser()
        except Exception:
            name = FALLBACK_EVALUATOR
    kept, removed = clean_name(name, "--as")
    if not kept:
        raise InputError("--as needs a name")
    return kept, removed


class Bench:
    """Reading and changing evaluations (service.Workbench adds importing, exporting and merging)."""

    def __init__(
        self,
        folder: str | os.PathLike[str] | None = None,
        report: Callable[[str], object] | None = None,
        wait: float | None = DEFAULT_WAIT,
        progress: Callable[[str, int, int], object] | None = None,
    ):
        """report: where warnings go (removed characters, stored scores that do not fit, waiting
        for another session's lock): the CLI prints them on stderr, the app shows them. wait: how
        long a change waits for another session before it gives up (None: as long as it takes).
        progress(what, done, total): how far long work has come (the CLI draws a bar on a terminal)."""
        self.report: Callable[[str], object] = report or (lambda message: None)
        self.progress: Callable[[str, int, int], object] = progress or (lambda what, done, total: None)
        self._flagged: set[str] = set()  # stored scores that do not fit, reported once each
        self.folder = paths.database(folder)
        self.db = Database(
            self.folder, summarize=self._summarize, wait=wait, on_wait=self._waiting, progress=self._progress
        )
        self._rows_cache: tuple[tuple[Fingerprint | None, Fingerprint | None] | None, list[Row]] = (None, [])
        self._held: dict[tuple[str, str], object] | None = None  # frameworks looked up once (frameworks_held)

    def _waiting(self, pid: int | None) -> None:
        self.report(
            f"waiting for another Kompass session{f': PID {pid}' if pid else ''} "
            f"(it holds {self.folder}){'' if self.db.wait is None else f'; giving up after {self.db.wait:g} s'}"
        )

    # -- reading -----------------------------------------------------------------

    def framework(self, framework_id: str) -> Framework:
        return self._once("framework", framework_id, criteria.get)  # type: ignore[return-value]

    def _progress(self, what: str, done: int, total: int) -> None:
        self.progress(what, done, total)

    def _stamp(self, framework_id: str) -> str | None:
        return self._once("stamp", framework_id, criteria.stamp)  # type: ignore[return-value]

    def _once(self, kind: str, framework_id: str, look_up: Callable[[str], object]) -> object:
        held = self._held
        if held is None:
            return look_up(framework_id)
        if (kind, framework_id) not in held:
            held[kind, framework_id] = look_up(framework_id)
        return held[kind, framework_id]

    @contextmanager
    def frameworks_held(self) -> Iterator[None]:
        """Within, each framework is looked up (a few stats, the user's folder checked) once, not
        once per evaluation: for a batch of 14,500, whose framework cannot change meanwhile."""
        outer = self._held
        self._held = {} if outer is None else outer
        try:
            yield
        finally:
            self._held = outer

    def get(self, eid: str) -> Evaluation:
        """The stored evaluation, with only the scores its framework allows: any other (a
        hand-edited file, maxima lowered since) is reported once and not counted (the file keeps it)."""
        ev = model.from_dict(self.db.read(eid), f"{self.db.path_of(eid)}")
        try:
            fw = self.framework(ev.framework)
        except KompassError:
            return ev  # not installed here: nothing is counted without it anyway
        ev, problems = scoring.fitting(ev, fw)
        for line in problems:
            if line not in self._flagged:
                self._flagged.add(line)
                self.report(line)
        return ev

    def get_with_framework(self, eid: str) -> tuple[Evaluation, Framework]:
        ev = self.get(eid)
        return ev, self.framework(ev.framework)

    def related(self, ev: Evaluation, rows: list[Row] | None = None, versions: bool = False) -> list[Evaluation]:
        """Every round of ev's municipality and framework (versions: in any version of the
        framework, for a trend of totals), oldest first: ev itself and the others' area scores from
        the index (enough for changes and trends; no other evaluation file is read)."""
        from kompass_tui.core.comparison import history

        rows = self._readable_rows(ev.municipality) if rows is None else rows
        return [r if isinstance(r, Evaluation) else self._area_scores(r) for r in history(ev, rows, versions)]

    def _readable_rows(self, municipality: str | None = None) -> list[Row]:
        """Every row, or (municipality) the rows of its rounds only: one part of the index."""
        rows = self.rows() if municipality is None else self._rows(municipality)
        return [r for r in rows if not r.error]

    def _area_scores(self, row: Row) -> Evaluation:
        return row.area_scores() if row.areas is not None else self.get(row.id)

    def comparison(
        self, ids: Iterable[str], include_partial: bool = False, average_of: str | None = None
    ) -> Comparison:
        """The comparison of these evaluations (one framework), with each one's previous round.
        Everything comes from the index: comparing 290 evaluations reads one file. What is not
        wholly scored is marked and not ranked, averaged or compared, unless include_partial.
        References among them are set apart (core.comparison); average_of (FRAMEWORK[:YEARS], as
        --average-of gives it) adds the mean of the database as one more reference (mean_of)."""

        from kompass_tui.core.comparison import average_spec

        spec = average_spec(average_of) if average_of is not None else None  # a bad one: before any reading
        ids = list(ids)
        if not ids:
            raise InputError("give the ids of the evaluations to compare")
        twice = sorted({eid for eid in ids if ids.count(eid) > 1}) if len(set(ids)) < len(ids) else []
        if twice:
            raise InputError(
                f"{', '.join(twice)} {'is' if len(twice) == 1 else 'are'} given twice; compare each evaluation once"
            )
        with _gc_paused():  # thousands of rows and area scores, no cycles among them
            return self._comparison(ids, include_partial, spec)

    def mean_of(self, framework_id: str, years: tuple[int, int] | None = None) -> Reference:
        """The mean of every wholly scored evaluation of the framework in the database (of those
        years only, first and last), references left out, per area and in total: a reference to
        compare with. From the index (no evaluation file is read); InputError if there is none."""
        from kompass_tui.core import comparison

        fw = self.framework(framework_id)
        first, last = years or (model.MIN_YEAR, model.MAX_YEAR)
        with _gc_paused():
            rows = self._readable_rows()
            mean = comparison.mean_of(
                (
                    row.scores()
                    for row in rows
                    if row.framework == fw.id
                    and not row.reference
                    and not row.unfinished
                    and row.areas is not None
                    and first <= row.year <= last
                ),
                fw,
                years,
            )
        if not mean.count:
            span = (f" in {first}" if first == last else f" in {first}–{last}") if years else ""
            raise InputError(
                f"no wholly scored evaluation of {fw.id}{span} in {self.folder} to take the mean of "
                "(references are left out)",
                sv=f"ingen färdigbedömd utvärdering av {fw.id}{span.replace(' in ', ' från ')} i {self.folder} att ta "
                "medelvärdet av (referenser räknas inte)",
            )
        return mean

    def _comparison(
        self, ids: list[str], include_partial: bool, average_of: tuple[str, tuple[int, int] | None] | None = None
    ) -> Comparison:
        from kompass_tui.core import comparison

        if len(ids) <= FEW:  # their municipalities' parts of the index, not all of it
            municipalities = {model.name_key(m): m for m in (self.get(i).municipality for i in ids)}
            rows = [r for m in municipalities.values() for r in self._readable_rows(m)]
        else:
            stored = self.db.ids()
            for eid in ids:
                if eid not in stored:
                    self.get(eid)  # says which id is unknown, before anything is read or written
            rows = self._readable_rows()
        by_id = {r.id: r for r in rows}
        evaluations = [self._area_scores(by_id[i]) if i in by_id else self.get(i) for i in ids]
        fw = self.framework(comparison.check_one_framework(evaluations))
        groups: dict[tuple[str, str], list[Row]] = {}
        for row in rows:
            groups.setdefault(comparison.round_key(row), []).append(row)
        before, plans = {}, {}
        for ev in evaluations:
            if ev.reference:
                continue  # (an average has no rounds of its own to compare with)
            earlier = comparison.previous(ev, groups.get(comparison.round_key(ev), []))
            before[ev.id] = self._area_scores(earlier) if earlier is not None else None
            if earlier is not None and earlier.plan:
                plans[ev.id] = earlier.plan_tallies()
        unfinished = {r.id: r.unfinished for r in rows if r.areas is not None}  # the files read: worked out
        extra: tuple[Reference, ...] = ()
        if average_of is not None:
            self.framework(average_of[0])  # one that is not installed is refused as such
            comparison.check_mean_framework(average_of[0], evaluations[0])  # before the whole index is read
            extra = (self.mean_of(*average_of),)
        return comparison.compare(evaluations, fw, before, unfinished, include_partial, plans, extra)

    def rows(self) -> list[Row]:
        """Every evaluation as the index summarises it (brought up to date first), by municipality.
        Kept until the evaluations folder or the index changes, so asking twice costs two stats."""
        key = (self.db.fingerprint(), self.db.index_fingerprint())
        if key[0] is not None and self._rows_cache[0] == key:
            return list(self._rows_cache[1])
        with _gc_paused():
            rows = self._rows()
        # Keyed by the folder as it was before the scan (a save during the scan means a rescan next
        # time), and the index as the scan left it (a repair rewrites it).
        self._rows_cache = ((key[0], self.db.index_fingerprint()), rows)
        return list(rows)

    def _rows(self, municipality: str | None = None) -> list[Row]:
        """Every row (or one municipality's), by municipality, year and id."""

        def read(refresh: Iterable[str] = ()) -> list[Doc]:
            with self.frameworks_held():  # the files that drifted are summarised again: thousands, at times
                if municipality is None:
                    return self.db.rows(refresh)
                return self.db.rows_of(municipality, refresh)

        raw_rows = read()
        # Rows without a full summary: from an index written by an older Kompass (before it kept
        # area scores, or counted scores the framework does not allow), made where the framework
        # was not installed (a shared database), or with other maxima (criteria add --replace).
        # Summarise those again, once the framework is there.
        signatures = {f: self._stamp(f) for f in {raw.get("framework", "") for raw in raw_rows}}
        older = [
            raw["id"]
            for raw in raw_rows
            if not raw.get("error")
            and signatures.get(raw.get("framework", ""))
            and (raw.get("summary"), raw.get("framework_stamp")) != (SUMMARY, signatures[raw.get("framework", "")])
        ]
        if older:
            raw_rows = read(older)
        result = []
        for raw in raw_rows:
            result.append(Row.from_raw(raw))
        return sorted(result, key=lambda r: (model.sort_key(r.municipality), r.year, r.id))

    def _summarize(self, doc: Doc) -> Doc:
        return summarize(doc, self.framework, self._stamp)

    def last_framework(self, municipality: str) -> str | None:
        """The framework of the municipality's latest evaluation (a new round usually keeps it), or
        None if it has none: one part of the index."""
        rows = [r for r in self._readable_rows(municipality) if r.framework]
        return max(rows, key=lambda r: (r.year, r.created, r.id)).framework if rows else None

    def previous_round(self, ev: Evaluation) -> Evaluation | None:
        """The municipality's previous evaluation in ev's framework, whole (its sub-question scores
        and notes, for the walk-through of a re-evaluation), or None."""
        from kompass_tui.core.comparison import previous

        row = previous(ev, self._readable_rows(ev.municipality))
        return self.get(row.id) if row is not None else None

    # -- changing ------------------------------------------------------------------

    def create(
        self,
        municipality: str,
        year: int,
        framework_id: str = DEFAULT_FRAMEWORK,
        evaluators: Iterable[str] = (),
        level: str = QUESTIONS,
        start: str = "",
        end: str = "",
        again: bool = False,
        reference: bool = False,
    ) -> Evaluation:
        """A new evaluation. One of the same municipality and year is refused unless again (a
        second one is rare, and typing the command twice is not). reference: a national or group
        average (area-level only: edits.check_reference), not a municipality."""
        municipality, removed = clean_name(municipality, "the municipality's name")
        if not municipality:
            raise InputError("give the municipality's name")
        if not again:
            twin = next((r for r in self._readable_rows(municipality) if r.year == year), None)
            if twin is not None:
                raise AlreadyThere(
                    f"{twin.municipality} {year} is there already ({twin.id}); --again makes a second one",
                    sv=f"{twin.municipality} {year} finns redan ({twin.id}); --again gör en andra",
                )
        team = [clean_name(e, "an evaluator's name") for e in evaluators]
        removed += sum(count for _, count in team)
        edits.check_when(year, start, end)
        if level not in model.LEVELS:
            raise InputError(f"unknown level {level!r}; use questions or areas")
        if self.framework(framework_id).areas_only:  # (an unknown framework is refused before anything is written)
            level = model.AREAS  # nothing else can be scored in it
        edits.check_reference(reference, level)
        stamp = model.now()

        def make(taken: set[str]) -> Doc:
            return model.to_dict(
                Evaluation(
                    id=model.unique_id(municipality, year, taken),
                    municipality=municipality,
                    year=year,
                    framework=framework_id,
                    level=level,
                    evaluators=tuple(dict.fromkeys(e for e, _ in team if e)),
                    team_set=any(e for e, _ in team),
                    reference=reference,
                    start=start,
                    end=end,
                    created=stamp,
                    updated=stamp,
                )
            )

        created = model.from_dict(self.db.create(make))
        self._removed(removed, created.id)
        return created

    def _removed(self, count: int, where: str) -> None:
        if count:
            self.report(
                f"{where}: removed {count} control character{'s' if count != 1 else ''} "
                "(escape sequences and the like are never kept)"
            )

    def apply(self, eid: str, change: edits.Change) -> Evaluation:
        """The one way an evaluation is changed: apply change (core.edits) to the freshly read
        evaluation under the lock, stamped with this moment, and save it; returns the result."""
        result: list[Evaluation] = []

        def apply(doc: Doc) -> Doc:
            ev = model.from_dict(doc)
            at = model.now()
            new = change(ev, self.framework(ev.framework), at)
            if new == ev:
                result.append(ev)
                return doc
            result.append(replace(new, updated=at))
            return model.to_dict(result[-1])

        self.db.update(eid, apply)
        return result[-1]

    def score(
        self,
        eid: str,
        part_id: str,
        value: Decimal | None,
        by: str | None = None,
        note: str | None = None,
        sources: Iterable[str] | None = None,
    ) -> Evaluation:
        """Evaluator by's own score (None takes it back), with its evidence if given, in one save
        (by None: the agreed score, as in files without evaluators)."""
        change = edits.score(part_id, value, by)
        if note is not None or sources is not None:
            change = edits.chain(change, edits.note(part_id, note, sources, by))
        before: list[tuple[str, ...]] = []  # the team as the save found it (under the lock: no second read)

        def noted(ev: Evaluation, fw: Framework, at: str) -> Evaluation:
            before.append(ev.evaluators)
            return change(ev, fw, at)

        ev = self.apply(eid, noted)
        joined = [e for e in ev.evaluators if e not in before[-1]] if by else []
        if joined:
            self.report(
                f"{joined[0]} joins the team of {eid}, now {', '.join(ev.evaluators)} "
                f"(kompass team {eid} rename or remove changes it)"
            )
        return ev

    def edit(
        self,
        eid: str,
        municipality: str | None = None,
        year: int | None = None,
        start: str | None = None,
        end: str | None = None,
        framework_id: str | None = None,
    ) -> Evaluation:
        """Change an evaluation's details; its id stays (core.edits.details)."""
        framework = self.framework(framework_id) if framework_id is not None else None
        return self.apply(eid, edits.details(municipality, year, start, end, framework))

    def team_change(self, eid: str, action: str, names: list[str], force: bool = False) -> Evaluation:
        """add NAME, rename OLD NEW or remove NAME (refused while they hold entries, unless force)."""
        from kompass_tui.core import team

        actions: dict[str, tuple[str, Callable[[], edits.Change]]] = {  # usage, and the change
            "add": ("add NAME", lambda: team.add(names[0])),
            "rename": ("rename OLD NEW", lambda: team.rename(names[0], names[1])),
            "remove": ("remove NAME", lambda: team.remove(names[0], force)),
        }
        if action not in actions:
            raise InputError(f"unknown team action {action!r}; use add, rename or remove")
        usage, change = actions[action]
        if len(names) != len(usage.split()) - 1:
            raise InputError(f"kompass team {eid} {usage}: give {'two names' if action == 'rename' else 'one name'}")
        return self.apply(eid, change())

    def note(
        self,
        eid: str,
        question_id: str,
        note: str | None = None,
        sources: Iterable[str] | None = None,
        by: str | None = None,
    ) -> Evaluation:
        return self.apply(eid, edits.note(question_id, note, sources, by))

    def consensus(
        self, eid: str, question_id: str, value: Decimal | None, by: str, note: str | None = None
    ) -> Evaluation:
        """Set the agreed score of a sub-question (None clears it), and with note its agreed note, in
        one save; by is noted as who decided."""
        change = edits.consensus(question_id, value, by)
        if note is not None:
            change = edits.chain(change, edits.note(question_id, note))
        return self.apply(eid, change)

    def disagreements(self, eid: str) -> tuple[Evaluation, Framework, list[Disagreement]]:
        from kompass_tui.core import consensus

        ev, fw = self.get_with_framework(eid)
        return ev, fw, consensus.disagreements(ev, fw)

    def area_text(self, eid: str, area_id: str, kind: str, text: str, append: bool = False) -> Evaluation:
        return self.apply(eid, edits.area_text(area_id, kind, text, append))

    def text(self, eid: str, kind: str, text: str, append: bool = False) -> Evaluation:
        return self.apply(eid, edits.text(kind, text, append))

    # -- the action plan -------------------------------------------------------------

    def add_action(
        self,
        eid: str,
        area_id: str,
        title: str,
        by: str,
        improvement: int | None = None,
        owner: str = "",
        due: str = "",
        description: str = "",
        status: str = "planned",
    ) -> tuple[Evaluation, Action]:
        """Add an action to an area's plan (core.actions.add); returns the evaluation and the new action."""
        from kompass_tui.core import actions

        ev = self.apply(eid, actions.add(area_id, title, by, improvement, owner, due, description, status))
        return ev, ev.plan()[-1]

    def set_action(self, eid: str, action_id: str, by: str, **fields: object) -> tuple[Evaluation, Action]:
        """Change an action (core.actions.update: status, owner, due_date, comment, title,
        description, improvement); a status change or a comment is logged."""
        from kompass_tui.core import actions

        ev = self.apply(eid, actions.update(action_id, by, **fields))  # type: ignore[arg-type]
        return ev, actions.find(ev, action_id)

    def remove_action(self, eid: str, action_id: str, by: str) -> Evaluation:
        from kompass_tui.core import actions

        return self.apply(eid, actions.remove(action_id, by))

    def actions(
        self, eid: str, area_id: str | None = None, status: str | None = None, overdue: bool = False
    ) -> tuple[Evaluation, Framework, list[Action]]:
        """An evaluation's action plan, or the part of it in one area, of one status, or overdue."""
        from kompass_tui.core import actions

        ev, fw = self.get_with_framework(eid)
        area = fw.area(area_id).id if area_id is not None else None
        wanted = actions.status(status) if status is not None else None
        day = today()
        found = [a for a in ev.plan(area) if (wanted is None or a.status == wanted) and (not overdue or a.overdue(day))]
        return ev, fw, found

    def followup(self, ev: Evaluation, rounds: list[Evaluation] | None = None) -> Followup | None:
        """The follow-up of the municipality's previous round's action plan in ev (any version of
        the framework), or None if there is no earlier round: one part of the index, one file.
        rounds: the municipality's rounds as related(ev, versions=True) gave them, if at hand (the
        index is not read again)."""
        from kompass_tui.core import followup
        from kompass_tui.core.comparison import previous

        row = previous(ev, self._readable_rows(ev.municipality) if rounds is None else rounds, any_version=True)
        if row is None:
            return None
        before = self.get(row.id)
        try:
            before_fw = self.framework(before.framework)
        except KompassError:
            return None  # that round's framework is not installed here: nothing to pair or name
        return followup.followup(ev, self.framework(ev.framework), before, before_fw, today())

    def delete(self, eid: str) -> None:
        """Delete an evaluation; its last version is kept, so `restore` can bring it back."""
        self.db.delete(eid)

    def versions(self, eid: str) -> list[tuple[int, datetime, Evaluation]]:
        """The kept earlier versions of an evaluation (deleted ones too): number (1 = newest), when, what."""
        return [
            (n, datetime.fromtimestamp(ns / 1e9, UTC), model.from_dict(doc))
            for n, (ns, doc) in enumerate(self.db.versions(eid), start=1)
        ]

    def backed_up(self) -> list[str]:
        return self.db.backed_up()

    def restore(self, eid: str, number: int = 1) -> Evaluation:
        """Make a kept version current again (undoes a delete or an edit); the replaced one is kept."""
        return model.from_dict(self.db.restore(eid, number))

    def add_framework(self, path: Path, replace: bool = False, force: bool = False) -> Framework:
        """Check a framework file and install it (criteria.add). Refused if scores stored in this
        database would no longer fit it (a maximum lowered, a sub-question gone), listing them,
        unless force: those are then flagged and not counted."""
        new = criteria.load(Path(path), "user")
        problems = [
            line
            for row in self.rows()
            if row.framework == new.id and not row.error
            for line in scoring.fitting(model.from_dict(self.db.read(row.id)), new)[1]
        ]
        if problems and not force:
            shown = problems[:20] + ([f"… and {len(problems) - 20} more"] if len(problems) > 20 else [])
            raise InputError(
                "\n".join(
                    [
                        f"{path}: {len(problems)} stored score{'s' if len(problems) != 1 else ''} "
                        f"in {self.folder} would not fit {new.id}:",
                        *shown,
                        "nothing was installed; correct the file, or add --force to install it "
                        "anyway (those scores are then flagged and not counted)",
                    ]
                )
            )
        return criteria.add(Path(path), replace)
