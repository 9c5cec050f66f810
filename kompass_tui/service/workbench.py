"""The workbench: the one API the CLI and the app call. Bench reads, lists and changes
evaluations; Workbench adds what comes from files and goes to them: imports (JSON, both CSV
shapes), merges of another copy, exports in every exchange format, the demo.

Everything read from a file is checked whole before anything is written, and its texts are
cleaned as typed ones are (core.cleaning), with what that removed reported."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from kompass_tui import paths
from kompass_tui.core import cleaning, edits, model
from kompass_tui.core.framework import DEFAULT_FRAMEWORK, Framework
from kompass_tui.core.model import Evaluation
from kompass_tui.core.sanitize import clean_text
from kompass_tui.errors import InputError, KompassError
from kompass_tui.service.bench import Bench
from kompass_tui.store import Doc
from kompass_tui.store.batches import reported
from kompass_tui.store.userfiles import read_text_file

if TYPE_CHECKING:
    from kompass_tui.core.merging import Merge
    from kompass_tui.exchange import csvfile


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
        framework_id: str = DEFAULT_FRAMEWORK,
        skip_existing: bool = False,
        encoding: str | None = None,
    ) -> list[Evaluation]:
        """Import a JSON evaluation, a CSV of area scores (new area-level evaluations), or a CSV of
        sub-question scores (into an existing evaluation). Everything is checked before anything is
        written, so a bad file changes nothing."""
        name = str(path)
        text, guessed = read_text_file(path, encoding)
        try:
            done = self._import_text(text, name, into, framework_id, skip_existing)
        except InputError as exc:
            raise InputError(f"{exc} ({guessed})" if guessed else str(exc)) from None
        if guessed:
            self.report(f"{name}: {guessed}")
        return done

    def _import_text(
        self, text: str, name: str, into: str | None, framework_id: str, skip_existing: bool
    ) -> list[Evaluation]:
        from kompass_tui.exchange import csvfile, formats  # only when there is a file (not at start-up)

        parsed = formats.parse(text, name)
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
            return self._import_area_rows(parsed, name, framework_id, skip_existing)
        if not into:
            raise InputError(f"{name}: holds sub-question scores; say which evaluation they belong to with --into ID")
        return [self._import_question_rows(parsed, name, into)]

    def _import_area_rows(
        self, rows: list[csvfile.AreaRow], name: str, framework_id: str, skip_existing: bool
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

    def export(
        self,
        eid: str,
        form: str,
        lang: str,
        compare: Iterable[str] = (),
        charts: bool = True,
        internal: bool = False,
        include_partial: bool = False,
    ) -> str:
        """The evaluation in one of exchange.formats (md: the report, csv, json). internal: the
        report with the team's working papers (exchange.report.render)."""
        from kompass_tui.exchange import formats

        fmt, compare = formats.get(form), list(compare)
        if compare and not fmt.compares:
            raise InputError("--compare goes with the Markdown report (--format md)")
        if internal and not fmt.compares:
            raise InputError("--internal goes with the Markdown report (--format md); CSV and JSON hold everything")
        if eid in compare:
            raise InputError(f"{eid} is the evaluation being exported; compare it with others")
        ev, fw = self.get_with_framework(eid)
        if fmt.data:  # to import again: nothing longer than an import takes
            ev, cut = cleaning.within_limits(ev)
            for line in cut:
                self.report(line)
        context = formats.Context(
            lang,
            self.comparison([eid, *compare], include_partial) if compare else None,
            lambda: self.related(ev),
            charts,
            internal,
            self.report,
        )
        return fmt.render(ev, fw, context)

    def write_export(
        self,
        eid: str,
        path: str | os.PathLike[str],
        form: str | None,
        lang: str,
        compare: Iterable[str] = (),
        charts: bool = True,
        internal: bool = False,
        include_partial: bool = False,
    ) -> tuple[Path, bool]:
        """Export to a file (form None: as its suffix says, exchange.formats.for_path): a regular
        file only (a symlink, FIFO or device is refused), written atomically and readable by the
        owner only. Returns the file and whether it replaced an existing one."""
        from kompass_tui.exchange import formats
        from kompass_tui.store import write_file

        fmt = formats.get(form) if form else formats.for_path(str(path))
        target = Path(path).expanduser()
        replaced = write_file(
            target, fmt.encode(self.export(eid, fmt.name, lang, compare, charts, internal, include_partial), lang)
        )
        return target, replaced

    def load_demo(self) -> list[Evaluation]:
        """Load the bundled demo (the seed's 2003 figures); evaluations already there are kept."""
        loaded = []
        for path in sorted(paths.demo_dir().iterdir()):
            if path.suffix in (".json", ".csv"):
                loaded += self.import_file(path, skip_existing=True)
        return loaded


def _stored(ev: Evaluation, taken: set[str]) -> Doc:
    """ev as a document to store under its own id if that is free (and an id), else a new one."""
    wanted = (
        ev.id
        if ev.id and ev.id not in taken and model.slug(ev.id) == ev.id
        else model.unique_id(ev.municipality, ev.year, taken)
    )
    return model.to_dict(replace(ev, id=wanted, created=ev.created or model.now(), updated=ev.updated or model.now()))
