"""The index: a cache of one summary row per evaluation, so a listing reads one file. Each row
carries the fingerprint (inode, times, size) of the file it summarises, read through the same
descriptor as the data, so a listing tells which rows are stale (saved since, after a crash, or a
lost index) and summarises those files again, writing the index once. A damaged index is set
aside as kompass.json.broken and rebuilt from the evaluation files."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable

from kompass_tui.errors import KompassError, NotFound
from kompass_tui.store.batches import Batches
from kompass_tui.store.files import (
    BROKEN_NAME,
    AtomicJSONStorage,
    Doc,
    _BrokenIndex,
    _fingerprint,
    _is_evaluation_file,
    _is_temp,
    _lexists,
    _meta,
)


class Indexed(Batches):
    """A database folder with its index."""

    def _row(self, eid: str, doc: Doc, info: os.stat_result) -> Doc:
        return {**self._summarize(doc), "id": eid, "fp": _fingerprint(info)}

    def _index_rows(self) -> dict[str, Doc]:
        try:
            data = self._read_index_raw()
        except _BrokenIndex:
            self._set_aside_broken_index()
            return {}
        return {row["id"]: row for row in data.get("evaluations", {}).values()}

    def _set_aside_broken_index(self) -> None:
        """Keep a damaged index as kompass.json.broken (replacing an older one) and start an empty
        one; the listing then summarises every evaluation again. Without the lock (a read-only
        folder, say) the listing comes from the files alone."""
        try:
            with self.locked():
                try:
                    self._index_data()
                    return  # another session rebuilt it meanwhile
                except _BrokenIndex:
                    pass
                os.replace(self.index_path, self.folder / BROKEN_NAME)
                AtomicJSONStorage(self.index_path).write({"_meta": _meta("index"), "evaluations": {}})
        except (KompassError, OSError):
            pass

    def _index_soft(self, change: Callable[[dict[str, Doc]], object]) -> None:
        """Change the index under the lock, re-checking that it is still ours. The evaluation files
        are the truth and are already written: a failure here only leaves the cache stale, and the
        next listing rebuilds it."""
        try:
            with self.locked():
                rows = self._index_rows()
                change(rows)
                AtomicJSONStorage(self.index_path).write(
                    {"_meta": _meta("index"), "evaluations": {str(n): row for n, row in enumerate(rows.values(), 1)}}
                )
        except (KompassError, OSError):
            pass

    def rows(self, refresh: Iterable[str] = ()) -> list[Doc]:
        """One summary row per evaluation, ordered by id; rebuilt from the files where they drifted
        (and for the ids in refresh: rows from an older index, say)."""
        if not self.exists():
            return []
        self._finish_interrupted_batches()
        rows = self._index_rows()
        found: dict[str, list[int]] = {}
        temp_seen = False
        for entry in os.scandir(self.evaluations) if self._is_own_folder(self.evaluations) else ():
            if _is_temp(entry.name):
                temp_seen = True
            elif _is_evaluation_file(entry.name):
                try:
                    found[entry.name[:-5]] = _fingerprint(entry.stat(follow_symlinks=False))
                except FileNotFoundError:
                    continue  # deleted by another session while we looked
        refresh = set(refresh)
        stale = [eid for eid, fp in found.items() if rows.get(eid, {}).get("fp") != fp or eid in refresh]
        gone = [eid for eid in rows if eid not in found]
        if stale or gone or temp_seen or not _lexists(self.index_path):
            rows = self._repair(rows, stale, gone, found)
        return [rows[eid] for eid in sorted(rows)]

    def _repair(
        self, rows: dict[str, Doc], stale: list[str], gone: list[str], found: dict[str, list[int]]
    ) -> dict[str, Doc]:
        fresh: dict[str, Doc] = {}
        for eid in stale:
            try:
                doc, info = self._read_with_stat(eid)
                fresh[eid] = self._row(eid, doc, info)
            except NotFound:
                gone.append(eid)
            except KompassError as exc:
                fresh[eid] = {"id": eid, "error": str(exc), "fp": found[eid]}
        listed = {eid: row for eid, row in {**rows, **fresh}.items() if eid not in gone}

        def merge(current: dict[str, Doc]) -> None:
            for eid in gone:
                if not _lexists(self.path_of(eid)):
                    current.pop(eid, None)
            for eid, row in fresh.items():
                try:
                    if _fingerprint(os.lstat(self.path_of(eid))) == row["fp"]:
                        current[eid] = row  # only if no session saved it meanwhile
                except FileNotFoundError:
                    current.pop(eid, None)
            self._remove_temp_files()

        self._index_soft(merge)  # a read-only database: list what the files say, without fixing it
        return listed

    def fingerprint(self, eid: str | None = None) -> list[int] | None:
        """Changes whenever the evaluation (or, without an id, any evaluation) is saved, created or deleted."""
        try:
            return _fingerprint(os.lstat(self.path_of(eid) if eid else self.evaluations))
        except (FileNotFoundError, NotADirectoryError):
            return None

    def index_fingerprint(self) -> list[int] | None:
        try:
            return _fingerprint(os.lstat(self.index_path))
        except (FileNotFoundError, NotADirectoryError):
            return None
