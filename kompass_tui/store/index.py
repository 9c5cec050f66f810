"""The index: a cache of one summary row per evaluation, so a listing opens no evaluation file and
a question about one municipality reads one small part of it.

    <folder>/kompass.json      the header: whose database, which schema (rows an older Kompass kept
                               here are moved into the parts by the next listing)
    <folder>/index/NN.json     PARTS parts; an evaluation's row lives in its municipality's part

Each row carries the fingerprint (inode, times, size) of the file it summarises, read through the
same descriptor as the data. A save writes its evaluation's row into its part (one small file,
however many evaluations there are); a listing checks every row against its file and summarises
again the files that drifted (saved by an older Kompass, after a crash, a lost part), writing only
the parts that changed. A damaged kompass.json is set aside as kompass.json.broken and rebuilt; a
damaged part is rebuilt from the evaluation files (it holds nothing else)."""

from __future__ import annotations

import os
import zlib
from collections.abc import Iterable
from pathlib import Path

import orjson

from kompass_tui.core.model import name_key
from kompass_tui.errors import KompassError, NotFound, StoreError
from kompass_tui.store.batches import Batches, reported
from kompass_tui.store.files import (
    BROKEN_NAME,
    INDEX_FOLDER,
    AtomicJSONStorage,
    Doc,
    Fingerprint,
    _BrokenIndex,
    _check_meta,
    _fingerprint,
    _is_evaluation_file,
    _is_temp,
    _lexists,
    _make_dirs,
    _meta,
    _read_own,
)
from kompass_tui.store.rowcheck import _index_problem

PARTS = 64  # at 14,500 evaluations about 230 rows, 100 kB, a part


def part_of(row: Doc) -> int:
    """The part an index row belongs in: its municipality's (as rounds are matched: name_key), so
    every round of a municipality is in one part; an unreadable evaluation's by its id."""
    municipality = row.get("municipality")
    key = name_key(municipality) if isinstance(municipality, str) else str(row.get("id"))
    return zlib.crc32(key.encode("utf-8", "surrogatepass")) % PARTS


class Indexed(Batches):
    """A database folder with its index."""

    def _row(self, eid: str, doc: Doc, info: os.stat_result) -> Doc:
        return {**self._summarize(doc), "id": eid, "fp": _fingerprint(info)}

    # -- the parts ------------------------------------------------------------------

    @property
    def index_folder(self) -> Path:
        return self.folder / INDEX_FOLDER

    @property
    def _parts(self) -> dict[int, tuple[Fingerprint, dict[str, Doc]]]:
        """The parts as last read or written here, by number: (fingerprint, rows)."""
        cache: dict[int, tuple[Fingerprint, dict[str, Doc]]] = self.__dict__.setdefault("_parts_cache", {})
        return cache

    def _part_path(self, n: int) -> Path:
        return self.index_folder / f"{n:02x}.json"

    def _read_part(self, n: int) -> dict[str, Doc] | None:
        """The rows of part n by id ({} if there is none), None if it is damaged (it is then
        rebuilt). Parsed once per version of the file; callers do not change what it returns.
        A link or another user's file is refused, as everywhere in the database."""
        cache = self._parts
        path = self._part_path(n)
        try:
            now = _fingerprint(os.lstat(path))
        except (FileNotFoundError, NotADirectoryError):
            return {}
        if n in cache and cache[n][0] == now:
            return cache[n][1]
        try:
            raw, info = _read_own(path)
        except FileNotFoundError:
            return {}
        except IsADirectoryError:
            return None
        except OSError as exc:
            raise StoreError(f"cannot read {path}: {exc.strerror}") from None
        try:  # orjson: twice as fast as json here, and stricter (anything it refuses, a listing rebuilds)
            data = orjson.loads(raw)
        except orjson.JSONDecodeError:
            return None
        if not isinstance(data, dict):
            return None
        try:
            _check_meta(data, path, "index")
        except StoreError:
            return None
        if _index_problem(data) is not None:
            return None
        rows = {row["id"]: row for row in data.get("evaluations", {}).values()}
        cache[n] = (_fingerprint(info), rows)
        return rows

    def _write_part(self, n: int, rows: dict[str, Doc]) -> None:
        path = self._part_path(n)
        if not _lexists(self.index_folder):
            _make_dirs(self.index_folder)
        elif not self._is_own_folder(self.index_folder):
            raise StoreError(f"{self.index_folder} is not a folder; move it out of the way")
        AtomicJSONStorage(path).write(  # a cache: no fsync (a part a power cut empties is rebuilt)
            {"_meta": _meta("index"), "evaluations": {str(k): row for k, row in enumerate(rows.values(), 1)}},
            durable=False,
        )
        try:  # kept as written (under the lock), so the next save or listing need not parse it again
            self._parts[n] = (_fingerprint(os.lstat(path)), rows)
        except OSError:
            pass

    def _legacy_rows(self) -> dict[str, Doc]:
        """Rows kept in kompass.json itself (by an older Kompass), or {} (a damaged one is set aside)."""
        try:
            data = self._index_data()
        except _BrokenIndex:
            self._set_aside_broken_index()
            return {}
        if data is None:
            return {}
        return {row["id"]: row for row in data.get("evaluations", {}).values()}

    def _set_aside_broken_index(self) -> None:
        """Keep a damaged kompass.json as kompass.json.broken (replacing an older one) and start a
        new one; the listing then checks every row again. Without the lock (a read-only folder,
        say) the listing comes from the files alone."""
        try:
            with self.locked():
                try:
                    self._index_data()
                    return  # another session mended it meanwhile
                except _BrokenIndex:
                    pass
                os.replace(self.index_path, self.folder / BROKEN_NAME)
                self._write_header()
        except (KompassError, OSError):
            pass

    def _write_header(self) -> None:
        AtomicJSONStorage(self.index_path).write({"_meta": _meta("index"), "evaluations": {}})

    def _all_rows(self) -> tuple[dict[str, Doc], dict[str, int], set[int], bool]:
        """Every row (by id); the part each row was found in; the parts to write again (damaged, or
        holding a copy of a row that belongs elsewhere); and whether kompass.json still holds rows
        of an older Kompass (to be moved into the parts)."""
        legacy = self._legacy_rows()
        rows = dict(legacy)
        where: dict[str, int] = {}
        mend: set[int] = set()
        for n in range(PARTS):
            part = self._read_part(n)
            if part is None:
                mend.add(n)
                continue
            for eid, row in part.items():
                if eid in where:  # two copies (a move between parts cut short): the one in its place stays
                    mend |= {where[eid], n}
                    if part_of(row) != n:
                        continue
                rows[eid], where[eid] = row, n
        return rows, where, mend, bool(legacy)

    def _update_parts(self, new: dict[str, Doc], gone: Iterable[str], touch: Iterable[int] = ()) -> None:
        """Write the rows in `new` into their parts and drop the ids in `gone`, re-reading each part
        first (call it under the lock). touch: the other parts where those ids may be now (they
        are dropped there) or that must be written again (damaged ones). Only the parts that
        change are written, each one small file."""
        gone = set(gone)
        target = {eid: part_of(row) for eid, row in new.items()}
        for n in sorted(set(touch) | set(target.values())):
            current = self._read_part(n)
            rows = dict(current or {})
            changed = current is None
            for eid in list(rows):
                if eid in gone or (eid in target and target[eid] != n) or part_of(rows[eid]) != n:
                    del rows[eid]
                    changed = True
            for eid, m in target.items():
                if m == n and rows.get(eid) != new[eid]:
                    rows[eid] = new[eid]
                    changed = True
            if changed:
                self._write_part(n, rows)

    def _index_soft(self, new: dict[str, Doc], gone: Iterable[str], touch: Iterable[int] = ()) -> None:
        """_update_parts under the lock, re-checking that the header is still Kompass's. The
        evaluation files are the truth and are already written: a failure here only leaves the
        cache stale, and the next listing mends it."""
        try:
            with self.locked():
                if self._index_data(header_only=True) is None:
                    self._write_header()
                self._update_parts(new, gone, touch)
        except (KompassError, OSError):
            pass

    # -- reading --------------------------------------------------------------------

    def rows(self, refresh: Iterable[str] = ()) -> list[Doc]:
        """One summary row per evaluation, ordered by id; rebuilt from the files where they drifted
        (and for the ids in refresh: rows from an older index, say)."""
        if not self.exists():
            return []
        self._finish_interrupted_batches()
        rows, where, mend, legacy = self._all_rows()
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
        if stale or gone or temp_seen or mend or legacy or not _lexists(self.index_path):
            touch = mend | {where[eid] for eid in [*stale, *gone] if eid in where}
            rows = self._repair(rows, stale, gone, found, touch, rows if legacy else {})
        return [rows[eid] for eid in sorted(rows)]

    def rows_of(self, municipality: str, refresh: Iterable[str] = ()) -> list[Doc]:
        """The rows of one municipality's evaluations (every round, every framework), each checked
        against its file and summarised again if it drifted: reads one part, not the whole index.
        An evaluation file no Kompass has indexed yet (one copied in by hand) shows from the next
        listing on."""
        if not self.exists():
            return []
        key = name_key(municipality)

        def of_it(row: Doc) -> bool:
            return name_key(str(row.get("municipality", ""))) == key

        n = part_of({"municipality": municipality})
        part = self._read_part(n)
        if part is None:  # a damaged part: a listing rebuilds it (read-only: lists from the files)
            return [row for row in self.rows() if of_it(row)]
        legacy = (
            self._legacy_rows() if self._has_legacy_rows() else {}
        )  # an older Kompass's, until a listing moves them
        mine = {eid: row for eid, row in {**legacy, **part}.items() if of_it(row)}
        found: dict[str, list[int]] = {}
        for eid in mine:
            try:
                found[eid] = _fingerprint(os.lstat(self.path_of(eid)))
            except FileNotFoundError:
                continue
        refresh = set(refresh)
        stale = [eid for eid, fp in found.items() if mine[eid].get("fp") != fp or eid in refresh]
        gone = [eid for eid in mine if eid not in found]
        if stale or gone:
            mine = self._repair(mine, stale, gone, found, {n})
        return [row for eid, row in sorted(mine.items()) if of_it(row)]

    def _has_legacy_rows(self) -> bool:
        """kompass.json holds rows (an older Kompass's index), or may: anything but the header this
        Kompass writes, which ends in an empty table of rows."""
        try:
            if os.lstat(self.index_path).st_size > 4096:
                return True
            raw, _ = _read_own(self.index_path)
        except (OSError, StoreError):
            return False
        return not raw.rstrip().endswith(b'"evaluations":{}}')

    def _repair(
        self,
        rows: dict[str, Doc],
        stale: list[str],
        gone: list[str],
        found: dict[str, list[int]],
        touch: Iterable[int] = (),
        move: dict[str, Doc] | None = None,
    ) -> dict[str, Doc]:
        """Summarise the stale files again and drop the gone ids; write that into the parts (touch:
        where those rows are now, and parts to mend; move: rows from an older kompass.json, which
        is then emptied). Returns the rows."""
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
        move = move or {}
        try:
            with self.locked():
                if self._index_data(header_only=True) is None or move:
                    self._write_header()  # a lost header, or an older one whose rows now go to the parts
                still_gone = [eid for eid in gone if not _lexists(self.path_of(eid))]
                current: dict[str, Doc] = {eid: row for eid, row in move.items() if eid not in gone}
                for eid, row in fresh.items():
                    try:
                        if _fingerprint(os.lstat(self.path_of(eid))) == row["fp"]:
                            current[eid] = row  # only if no session saved it meanwhile
                    except FileNotFoundError:
                        still_gone.append(eid)
                self._update_parts(current, still_gone, touch)
                self._remove_temp_files()
        except (KompassError, OSError):
            pass  # a read-only database: list what the files say, without mending the index
        return listed

    # -- after a change -------------------------------------------------------------

    def _indexed(self, eid: str, doc: Doc | None, before: Doc | None) -> None:
        """Under the lock, just after eid's file was written (doc) or deleted (None), before being
        the version it replaced: its row, in its part (and out of the part of before's municipality),
        so no listing needs to open the file again. Soft, like every index write."""
        if not self._summarizes:
            return  # a bare Database (tests, tools): the next listing of a workbench summarises it
        touch = {part_of(before)} if before is not None else set()
        if doc is None:
            self._index_soft({}, [eid], touch)
            return
        try:
            row = self._row(eid, doc, os.lstat(self.path_of(eid)))
        except (KompassError, OSError):
            return
        self._index_soft({eid: row}, [], touch)

    def _stored_batch(self, ids: list[str], docs: list[Doc]) -> None:
        """A batch's rows, written part by part (at most PARTS small files for thousands of rows)."""
        if not self._summarizes:
            return
        new = {}
        for eid, doc in reported(list(zip(ids, docs, strict=True)), "indexing", self.progress):
            try:
                new[eid] = self._row(eid, doc, os.lstat(self.path_of(eid)))
            except (KompassError, OSError):
                continue  # its row is made by the next listing
        self._index_soft(new, [])

    def is_small(self, limit: int = 512 * 1024) -> bool:
        """True if a listing is quick for certain (a few hundred evaluations, an index in place),
        told from a few stats whatever the number of evaluations: the app lists a small database
        at once and a large one on a thread of its own."""
        try:
            folder = os.lstat(self.evaluations).st_size  # a folder's size grows with its entries
        except (FileNotFoundError, NotADirectoryError):
            return True
        if folder > limit // 8 or self._has_legacy_rows():
            return False
        total, parts = 0, 0
        for n in range(PARTS):
            try:
                total += os.lstat(self._part_path(n)).st_size
                parts += 1
            except (FileNotFoundError, NotADirectoryError):
                continue
        if not parts and folder > 4096:  # evaluations but no index (lost): every file is read again
            return False
        return total <= limit

    def fingerprint(self, eid: str | None = None) -> list[int] | None:
        """Changes whenever the evaluation (or, without an id, any evaluation) is saved, created or deleted."""
        try:
            return _fingerprint(os.lstat(self.path_of(eid) if eid else self.evaluations))
        except (FileNotFoundError, NotADirectoryError):
            return None

    def index_fingerprint(self) -> list[int] | None:
        """Changes whenever the index is written (its header, or any part)."""
        try:
            header = _fingerprint(os.lstat(self.index_path))
        except (FileNotFoundError, NotADirectoryError):
            return None
        try:
            return header + _fingerprint(os.lstat(self.index_folder))
        except (FileNotFoundError, NotADirectoryError):
            return header
