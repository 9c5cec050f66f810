"""The workbench: the one API the CLI and the app call. Bench reads, lists and changes
evaluations; Workbench adds what comes from files and goes to them: imports (JSON, both CSV
shapes, an action plan's CSV), merges of another copy, exports in every exchange format (and the
action plan alone), the demo.

Everything read from a file is checked whole before anything is written, and its texts are
cleaned as typed ones are (core.cleaning), with what that removed reported."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypedDict, Unpack

from kompass_tui import paths
from kompass_tui.core import cleaning, edits, model
from kompass_tui.core.framework import Framework
from kompass_tui.core.model import Evaluation
from kompass_tui.core.sanitize import clean_text
from kompass_tui.errors import InputError, KompassError
from kompass_tui.service.bench import Bench, evaluator, today
from kompass_tui.store import Doc
from kompass_tui.store.batches import reported
from kompass_tui.store.userfiles import read_text_file

if TYPE_CHECKING:
    from kompass_tui.core.edits import Change
    from kompass_tui.core.merging import Merge
    from kompass_tui.exchange import csvfile
    from kompass_tui.exchange.actioncsv import ActionRow
    from kompass_tui.exchange.formats import Output


class Workbench(Bench):
    def add(self, ev: Evaluation, where: str) -> Evaluation:
        """Store an evaluation read from a file (JSON import, demo), under a free id; its texts are
        cleaned as typed ones are (cleaning.cleaned), and what that removed is reported once stored."""
        ev, removed = self._prepared(ev, where)
        added = model.from_dict(self.db.create(lambda taken: _stored(ev, taken)))
        self._removed(removed, where)
        return added

    def add_many(self, evaluations: list[tuple[Evaluation, str]], name: str) -> list[Evaluation]:
        """Store several evaluations (each with where it came from) all or none, even if the
        process is stopped half-way (store.create_many)."""

        def make(taken: set[str]) -> list[Doc]:
            taken, docs = set(taken), []
            for ev, _ in prepared:
                docs.append(_stored(ev, taken))
                taken.add(docs[-1]["id"])
            return docs

        with self.frameworks_held():
            prepared = [self._prepared(ev, where) for ev, where in reported(evaluations, "checking", self.progress)]
            added = [model.from_dict(doc) for doc in self.db.create_many(make)] if prepared else []
        self._removed(sum(removed for _, removed in prepared), name)
        return added

    def _prepared(self, ev: Evaluation, where: str) -> tuple[Evaluation, int]:
        """An evaluation from a file, ready to store: texts cleaned, checked against its framework."""
        ev, removed = cleaning.cleaned(ev, where)
        edits.check(ev, self.framework(ev.framework), where)
        model.from_dict(model.to_dict(ev), where)  # what is stored must read back: refuse it here, not later
        return ev, removed

    def merge(self, path: Path) -> Merge:
        """Merge an evaluation exported as JSON (from another laptop, say) into the stored one of
        the same id, or add it if there is none. Returns what happened, as a Merge."""
        from kompass_tui.core import merging
        from kompass_tui.exchange import formats

        name = str(path)
        theirs = formats.parse(read_text_file(path)[0], name)
        if not isinstance(theirs, Evaluation):
            raise InputError(f"{name}: merge takes an evaluation exported with --format json, not CSV")
        if theirs.id not in self.db.ids():
            return merging.Merge(self.add(theirs, name), [f"{theirs.id} was not here: added it"])
        theirs, removed = cleaning.cleaned(theirs, name)
        edits.check(theirs, self.framework(theirs.framework), name)
        result: list[Merge] = []

        def change(mine: Evaluation, fw: Framework, at: str) -> Evaluation:
            # the stored copy as its names and texts would be kept today, so an older one with
            # control characters or over-long texts meets its own (cleaned, cut) export as equal
            merged = merging.merge(cleaning.normalized(mine), theirs, name)
            result[:] = [merged]
            return merged.evaluation

        ev = self.apply(theirs.id, change)
        self._removed(removed, name)
        return merging.Merge(ev, result[0].messages)

    # -- import and export -----------------------------------------------------------

    def import_file(
        self,
        path: Path,
        into: str | None = None,
        framework_id: str | None = None,
        skip_existing: bool = False,
        encoding: str | None = None,
        by: str | None = None,
        reference: bool = False,
    ) -> list[Evaluation]:
        """Import a JSON evaluation, a CSV of area scores (new area-level evaluations), a CSV of
        sub-question scores, or an action plan's CSV (both into an existing evaluation; by: who
        imports the plan, as --as says, else service.evaluator). reference: every row of a CSV of
        area scores is a reference (a published average); a `reference` column marks some rows.
        Everything is checked before anything is written, so a bad file changes nothing."""
        from kompass_tui.service.preferences import default_framework

        name = str(path)
        framework_id = framework_id or default_framework()
        text, guessed = read_text_file(path, encoding)
        try:
            done = self._import_text(text, name, into, framework_id, skip_existing, by, reference)
        except InputError as exc:
            if not guessed:
                raise
            raise InputError(f"{exc} ({guessed})", sv=f"{exc.sv} ({guessed})" if exc.sv else "") from None
        if guessed:
            self.report(f"{name}: {guessed}")
        return done

    def _import_text(
        self,
        text: str,
        name: str,
        into: str | None,
        framework_id: str,
        skip_existing: bool,
        by: str | None = None,
        reference: bool = False,
    ) -> list[Evaluation]:
        from kompass_tui.exchange import actioncsv, csvfile, formats  # only when there is a file (not at start-up)

        plan = actioncsv.holds_actions(text)
        if reference and (into or plan):
            raise _only_area_rows(name)
        if plan:
            if not into:
                raise InputError(
                    f"{name}: holds an action plan; say which evaluation it belongs to with --into ID",
                    sv=f"{name}: innehåller en handlingsplan; ange vilken utvärdering den hör till med --into ID",
                )
            rows = actioncsv.read(text, name)
            return [self._import_action_rows(rows, name, into, by or evaluator()[0])]
        parsed = formats.parse(text, name)
        if reference and (isinstance(parsed, Evaluation) or not csvfile.holds_areas(parsed)):
            raise _only_area_rows(name)
        if isinstance(parsed, Evaluation):
            if into:
                raise InputError(
                    f"{name}: --into is for CSV files of sub-question scores; a JSON file is a whole evaluation"
                )
            if skip_existing and parsed.id in self.db.ids():
                return []
            return [self.add(parsed, name)]
        if csvfile.holds_areas(parsed):
            if into:
                raise InputError(
                    f"{name}: holds area scores (one evaluation per row); drop --into to import them as new evaluations"
                )
            return self._import_area_rows(parsed, name, framework_id, skip_existing, reference)
        if not into:
            raise InputError(f"{name}: holds sub-question scores; say which evaluation they belong to with --into ID")
        return [self._import_question_rows(parsed, name, into)]

    def _import_area_rows(
        self, rows: list[csvfile.AreaRow], name: str, framework_id: str, skip_existing: bool, reference: bool = False
    ) -> list[Evaluation]:
        fw = self.framework(framework_id)
        for column in rows[0].scores:
            if not fw.has_area(column):
                raise InputError(
                    f"{name}: line 1: column {column!r} is not an area of {fw.id} (areas: {', '.join(sorted(a.id for a in fw.areas))})"
                )
        taken = self.db.ids()
        new = []
        for row in rows:
            if skip_existing and model.base_id(row.municipality, row.year) in taken:
                continue
            ev = Evaluation(
                id="",
                municipality=row.municipality,
                year=row.year,
                framework=fw.id,
                level=model.AREAS,
                areas={aid: model.AreaEntry(score=s) for aid, s in row.scores.items() if s is not None},
                reference=reference or row.reference,
            )
            new.append((ev, f"{name}: line {row.line}"))
        return self.add_many(new, name)

    def _import_question_rows(self, rows: list[csvfile.QuestionRow], name: str, into: str) -> Evaluation:
        ev, fw = self.get_with_framework(into)
        removed = sum(clean_text(row.note, f"{name}: line {row.line}: the note")[1] for row in rows if row.note)

        def apply_rows(ev: Evaluation, fw: Framework, at: str) -> Evaluation:
            for row in rows:
                try:
                    if row.score is not None:
                        ev = edits.score(row.question, row.score)(ev, fw, at)
                    if row.note is not None or row.sources is not None:
                        ev = edits.note(row.question, row.note, row.sources)(ev, fw, at)
                except KompassError as exc:
                    raise InputError(f"{name}: line {row.line}: {exc}") from None
            return ev

        apply_rows(ev, fw, model.now())  # check every row before taking the lock and writing
        done = self.apply(into, apply_rows)
        self._removed(removed, name)
        return done

    def _import_action_rows(self, rows: list[ActionRow], name: str, into: str, by: str) -> Evaluation:
        """An action plan's rows into an evaluation: a row with an id changes what differs in that
        action (and logs its comment), a row without one adds an action to its area; actions not
        in the file stay as they are. Checked whole on a copy first, then saved in one change; a
        file that changes nothing is not even saved."""
        ev = self.get(into)
        removed = sum(
            clean_text(text, f"{name}: line {row.line}")[1]
            for row in rows
            for text in (row.title, row.description, row.owner, row.comment)
            if text
        )

        def apply_rows(ev: Evaluation, fw: Framework, at: str) -> Evaluation:
            for row in rows:
                try:
                    ev = _action_row(row, by)(ev, fw, at)
                except KompassError as exc:
                    raise InputError(
                        f"{name}: line {row.line}: {exc}", sv=f"{name}: rad {row.line}: {exc.words_in('sv')}"
                    ) from None
            return ev

        apply_rows(ev, self.framework(ev.framework), model.now())  # every row checked before the lock and the write
        done = self.apply(into, apply_rows)
        self._removed(removed, name)
        self.report(_plan_changes(ev, done, name))
        return done

    def export(self, eid: str, form: str, lang: str, **options: Unpack[ExportOptions]) -> str:
        """The evaluation in one of exchange.formats as text (md: the report, csv, json, html), with
        the options of ExportOptions. A document that is not text (pdf, docx), or the Markdown with
        its pictures beside it (images), is written to a file only: write_export."""
        if options.get("images"):
            raise InputError(
                "--images writes the charts as files beside the report: add -o FILE",
                sv="--images skriver diagrammen som filer bredvid rapporten: lägg till -o FIL",
            )
        made = self._render(eid, form, lang, "", **options)
        if not isinstance(made, str):
            raise InputError(
                f"-F {form} writes a file, not text: add -o FILE",
                sv=f"-F {form} skriver en fil, inte text: lägg till -o FIL",
            )
        return made

    def write_export(
        self, eid: str, path: str | os.PathLike[str], form: str | None, lang: str, **options: Unpack[ExportOptions]
    ) -> tuple[Path, bool]:
        """Export to a file (form None: as its suffix says, exchange.formats.for_path): a regular
        file only (a symlink, FIFO or device is refused), written atomically and readable by the
        owner only. images (md): the charts as SVG files beside it, named after it
        (report-profil.svg beside report.md), written first, each as safely. Returns the file and
        whether it replaced an existing one."""
        from kompass_tui.exchange import formats
        from kompass_tui.store import write_file

        fmt = formats.get(form) if form else formats.for_path(str(path))
        target = Path(path).expanduser()
        made = self._render(eid, fmt.name, lang, target.stem, **options)
        if isinstance(made, str):
            made = formats.Output(fmt.encode(made, lang))
        for name, data in made.beside.items():
            write_file(target.parent / name, data)
        return target, write_file(target, made.data)

    def _render(
        self,
        eid: str,
        form: str,
        lang: str,
        stem: str,
        compare: Iterable[str] = (),
        charts: bool = True,
        internal: bool = False,
        include_partial: bool = False,
        actions: bool = False,
        average_of: str | None = None,
        images: bool = False,
    ) -> str | Output:
        """The export (ExportOptions); stem: what the pictures beside a Markdown file are named
        after (images)."""
        from kompass_tui.exchange import formats

        fmt, compare = formats.get(form), list(compare)
        compared = bool(compare) or average_of is not None
        if actions and (fmt.actions is None or compared or internal or images):
            raise InputError(
                "--actions goes with md or csv"
                + (", without --compare, --internal and --images" if fmt.actions else ""),
                sv="--actions går med md eller csv"
                + (", utan --compare, --internal och --images" if fmt.actions else ""),
            )
        if images and (fmt is not formats.DEFAULT or not charts):
            raise InputError(
                "--images goes with the Markdown report (-F md) and its charts (not --no-charts)",
                sv="--images går med Markdown-rapporten (-F md) och dess diagram (inte --no-charts)",
            )
        if (compared or internal) and not fmt.compares:
            option = "--compare" if compare else "--average-of" if compared else "--internal"
            reports = ", ".join(f.name for f in formats.FORMATS.values() if f.compares)
            raise InputError(
                f"{option} goes with the report (-F {reports}); CSV and JSON hold the one evaluation",
                sv=f"{option} går med rapporten (-F {reports}); CSV och JSON har den ena utvärderingen",
            )
        if eid in compare:
            raise InputError(f"{eid} is the evaluation being exported; compare it with others")
        ev, fw = self.get_with_framework(eid)
        if fmt.data:  # to import again: nothing longer than an import takes
            ev, cut = cleaning.within_limits(ev)
            for line in cut:
                self.report(line)
        context = formats.Context(
            lang,
            self.comparison([eid, *compare], include_partial, average_of) if compared else None,
            lambda: self.related(ev, versions=True),
            charts,
            internal,
            self.report,
            lambda: self.followup(ev),
            today(),
            stem if images else "",
        )
        if actions and fmt.actions is not None:
            return fmt.actions(ev, fw, context)
        return fmt.render(ev, fw, context)

    def load_demo(self) -> list[Evaluation]:
        """Load the bundled demo (the seed's 2003 figures); evaluations already there are kept."""
        loaded = []
        for path in sorted(paths.demo_dir().iterdir()):
            if path.suffix in (".json", ".csv"):
                loaded += self.import_file(path, skip_existing=True)
        return loaded


class ExportOptions(TypedDict, total=False):
    """What an export may be asked for besides the evaluation, the format and the language."""

    compare: Iterable[str]  # evaluations to compare with (the report)
    charts: bool  # the report's charts (text in Markdown, pictures in the documents); True if not given
    internal: bool  # the report with the team's working papers (exchange.report.render)
    include_partial: bool  # compare with evaluations not wholly scored too
    actions: bool  # the action plan alone (md or csv), for the municipality's own follow-up
    average_of: str | None  # the mean of the database (FRAMEWORK[:YEARS]) as a reference (Bench.comparison)
    images: bool  # md: the charts as SVG files beside the file (write_export only)


def _only_area_rows(name: str) -> InputError:
    return InputError(
        f"{name}: --reference goes with a CSV of area scores (one result per row: municipality;year;1;2;…)",
        sv=f"{name}: --reference går med en CSV med områdespoäng (ett resultat per rad: kommun;år;1;2;…)",
    )


def _plan_changes(before: Evaluation, after: Evaluation, name: str) -> str:
    """What an action plan's import did: '{name}: 2 actions changed, 1 added, 1 comment logged'."""
    was = {a.key: a for a in before.actions}
    added = sum(a.key not in was for a in after.actions)
    changed = sum(
        a.key in was and any(getattr(a, f) != getattr(was[a.key], f) for f in model.ACTION_FIELDS)
        for a in after.actions
    )
    comments = sum(
        sum(1 for e in a.log if e.comment) - sum(1 for e in (was[a.key].log if a.key in was else ()) if e.comment)
        for a in after.actions
    )
    if not (added or changed or comments):
        return f"{name}: no change to the action plan of {after.id}"
    counts = [
        f"{changed} action{'s' if changed != 1 else ''} changed",
        f"{added} added",
        f"{comments} comment{'s' if comments != 1 else ''} logged",
    ]
    return f"{name}: {', '.join(counts)} ({after.id})"


def _action_row(row: ActionRow, by: str) -> Change:
    """What one row of an action plan's CSV does: add an action (no id), or change the fields of
    one that differ from it (core.actions.update; nothing at all where none does, so an unchanged
    export imports as no change, by anyone)."""
    from kompass_tui.core import actions

    def change(ev: Evaluation, fw: Framework, at: str) -> Evaluation:
        if not row.action:
            if not row.area:
                raise InputError("give the area of a new action", sv="ange den nya åtgärdens område")
            ev = actions.add(
                fw.area(row.area).id,
                row.title or "",
                by,
                row.improvement or None,
                row.owner or "",
                row.due or "",
                row.description or "",
                (row.status or "").strip() or "planned",
            )(ev, fw, at)
            return actions.update(ev.actions[-1].id, by, comment=row.comment)(ev, fw, at) if row.comment else ev
        action = actions.find(ev, row.action)
        if row.area and fw.area(row.area).id != action.area:
            raise InputError(
                f"action {action.id} is in area {action.area}, not {row.area}; an action does not move "
                "(add a new one in that area, with no id)",
                sv=f"åtgärd {action.id} hör till område {action.area}, inte {row.area}; en åtgärd flyttar inte "
                "(lägg till en ny i det området, utan id)",
            )
        fields = _differing(action, row)
        return actions.update(action.id, by, **fields)(ev, fw, at) if fields else ev

    return change


def _differing(action: model.Action, row: ActionRow) -> dict[str, Any]:
    """The fields of a row that differ from the action, as core.actions.update takes them (and the
    row's comment): compared as update keeps them, so what Excel adds around a text is no change."""
    from kompass_tui.core import actions

    def words(text: str) -> str:
        return " ".join(text.split())

    fields: dict[str, Any] = {}
    if row.title is not None and words(row.title) != action.title:
        fields["title"] = row.title
    if row.description is not None and row.description.strip() != action.description:
        fields["description"] = row.description
    if row.owner is not None and words(row.owner) != action.owner:
        fields["owner"] = row.owner
    if row.due is not None and row.due.strip() != action.due:
        fields["due_date"] = row.due
    if row.status is not None and row.status.strip() and actions.status(row.status) != action.status:
        fields["state"] = row.status
    if row.improvement is not None and (row.improvement or None) != action.improvement:
        fields["improvement"] = row.improvement
    if row.comment:
        fields["comment"] = row.comment
    return fields


def _stored(ev: Evaluation, taken: set[str]) -> Doc:
    """ev as a document to store under its own id if that is free (and an id), else a new one."""
    wanted = (
        ev.id
        if ev.id and ev.id not in taken and model.slug(ev.id) == ev.id
        else model.unique_id(ev.municipality, ev.year, taken)
    )
    return model.to_dict(replace(ev, id=wanted, created=ev.created or model.now(), updated=ev.updated or model.now()))
