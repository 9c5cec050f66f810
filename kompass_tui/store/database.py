"""The database: a folder with one TinyDB file per evaluation and a small index, safe to share.

    <folder>/kompass.json            the index's header: whose database, which schema
    <folder>/index/NN.json           the index: one summary row per evaluation, in 64 parts
    <folder>/evaluations/<id>.json   one TinyDB file per evaluation
    <folder>/.lock                   the lock file (never the data files: a replace swaps those);
                                     holds the PID of the session holding the lock
    <folder>/backups/<id>/<time>.json the previous versions of each evaluation, deleted ones included
    <folder>/.batch-<ns>.journal     the ids of a batch being created (only while it is created)
    <folder>/kompass.json.broken     a damaged index, set aside when it was rebuilt

Guarantees:
- The folder is the user's own: a database folder, or its evaluations/ or backups/ folder, that
  another user owns or can write to (group or others), or a sub-folder that is a symbolic link, is
  refused before anything is read or written (checked once per Database, a few stats).
- No planted link is followed and no file of another user is opened: every file in the database is
  opened with O_NOFOLLOW and checked on the open descriptor (a regular file, the user's own);
  backups/<id>/ folders are checked before use.
- A write never leaves a half-written file: temp file in the same folder, flush, fsync, replace,
  fsync the folder. Temp files orphaned by a kill are removed under the lock. New files are created
  0600 and new folders 0700 from the start (a umask can only narrow that; nothing is chmod-ed
  afterwards, so nothing is ever readable by others, even for a moment).
- Two sessions never lose each other's changes: every change takes the folder lock (`fcntl.flock`,
  polled with a short backoff, so fair between processes), re-reads the file, applies the edit,
  writes. A session that waits is told so after WAIT_NOTICE seconds (on_wait, with the holder's
  PID) and gives up after `wait` seconds with a message, having changed nothing.
- Save cost does not grow with the number of evaluations: a save rewrites one evaluation file and
  its row in one part of the index (index/NN.json, its municipality's: about 230 rows at 14,500
  evaluations; a cache, so written without fsync). Each row carries the fingerprint (inode, times,
  size) of the file it summarises, read through the same descriptor as the data, so a listing
  tells which rows are stale (a crash between the file and its row, a lost part, an older Kompass)
  and summarises those files again, writing only the parts that changed; a question about one
  municipality reads and checks its one part. A damaged kompass.json (not JSON, or Kompass's with
  a body of the wrong shape) is set aside as kompass.json.broken, a damaged part rebuilt.
- Files that are not Kompass databases, or are from a newer schema, are refused with a message and
  never overwritten; so is a folder of other files without an index.
- Before an evaluation file is replaced or deleted, its previous version is kept in backups/ (a
  hard link, so it costs no copy; a private copy where links are not possible), the newest KEEP per
  evaluation, so a delete or a wrong edit can be undone (`kompass restore`).
- A batch (create_many) is all or nothing: a journal lists its ids before any file is placed, and
  a session that takes the lock and finds a journal left by a killed process removes that batch.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path
from stat import S_ISDIR, S_ISLNK

from kompass_tui.errors import NotFound, StoreError
from kompass_tui.store.files import (
    ID_RE,
    AtomicJSONStorage,
    Doc,
    _check_own_file,
    _copy_private,
    _discard,
    _evaluation_of,
    _fsync_dir,
    _is_temp,
    _kind,
    _lexists,
    _link_error,
    _make_dirs,
    _meta,
)
from kompass_tui.store.index import Indexed

KEEP = 10


class Database(Indexed):
    """One database folder. Thread-safe; safe to share between processes.

    wait: seconds a change waits for another session's lock before giving up (None: forever);
    on_wait(pid): called once when a change has waited WAIT_NOTICE seconds, with the holder's PID
    (None if unknown), so the user is told why nothing happens."""

    def _backup_folder(self, eid: str, create: bool) -> Path | None:
        """backups/<id>/, checked (a real folder, the user's own); made 0700 if create and missing.
        None if it is missing and not made."""
        folder = self.backups / eid
        try:
            info = os.lstat(folder)
        except FileNotFoundError:
            if not create:
                return None
            _make_dirs(folder)
            info = os.lstat(folder)
        if S_ISLNK(info.st_mode):
            raise _link_error(folder)
        if not S_ISDIR(info.st_mode):
            raise StoreError(
                f"{folder} is {_kind(info.st_mode)}, not a folder of kept versions; move it out of the way"
            )
        self._check_folder(folder, info)  # the user's own, and nobody else's to write in
        return folder

    def _keep_previous(self, eid: str) -> Path | None:
        """Keep the current version of an evaluation file in backups/ before it is replaced or
        deleted; returns the kept copy, so a failed change can take it back."""
        path = self.path_of(eid)
        try:
            info = os.lstat(path)
        except FileNotFoundError:
            return None
        _check_own_file(path, info)  # never keep (or replace) a planted link
        folder = self._backup_folder(eid, create=True)
        assert folder is not None
        target = folder / f"{time.time_ns()}.json"
        try:
            os.link(path, target)
        except OSError:
            _copy_private(path, target)  # a file system without hard links
        return target

    def _kept_files(self, folder: Path) -> list[tuple[int, Path]]:
        found = []
        for name in os.listdir(folder):
            if name.endswith(".json") and name[:-5].isdigit():
                found.append((int(name[:-5]), folder / name))
        return sorted(found)

    def _prune(self, eid: str) -> None:
        folder = self._backup_folder(eid, create=False)
        if folder is None:
            return
        for _, old in self._kept_files(folder)[:-KEEP]:
            old.unlink()
        for name in os.listdir(folder):
            if _is_temp(name):  # a copy a killed session left unfinished
                try:
                    os.unlink(folder / name)
                except FileNotFoundError:
                    pass

    def versions(self, eid: str) -> list[tuple[int, Doc]]:
        """The kept versions of an evaluation, newest first, as (time in ns, document)."""
        eid = self.path_of(eid).stem
        if not self.exists():
            return []
        folder = self._backup_folder(eid, create=False) if self._is_own_folder(self.backups) else None
        found = []
        for number, path in reversed(self._kept_files(folder)) if folder is not None else ():
            data = AtomicJSONStorage(path).read()
            if data is not None:
                found.append((number, _evaluation_of(data, path)))
        return found

    def backed_up(self) -> list[str]:
        """Ids with kept versions (deleted evaluations among them)."""
        if not self.exists() or not self._is_own_folder(self.backups):
            return []
        return sorted(
            e.name for e in os.scandir(self.backups) if e.is_dir(follow_symlinks=False) and ID_RE.fullmatch(e.name)
        )

    def restore(self, eid: str, number: int = 1) -> Doc:
        """Make kept version `number` (1 = newest) current again; the version it replaces is kept too."""
        with self.locked():
            versions = self.versions(eid)
            if not versions:
                raise NotFound(f"no kept versions of {eid!r} (see `kompass restore --list`)")
            if not 1 <= number <= len(versions):
                raise NotFound(f"{eid} has versions 1 to {len(versions)}; see `kompass restore {eid} --list`")
            doc = versions[number - 1][1]
            try:
                before: Doc | None = self.read(eid)
            except (NotFound, StoreError):
                before = None  # restoring a deleted (or unreadable) one
            self._write(eid, doc, before)
            return doc

    def _write(self, eid: str, doc: Doc, before: Doc | None = None) -> None:
        """Write eid's file (keeping the version it replaces) and its row in the index; before:
        that version, if it was read (its row is in its municipality's part)."""
        path = self.path_of(eid)
        kept: list[Path | None] = []
        try:
            AtomicJSONStorage(path).write(
                {"_meta": _meta("evaluation"), "evaluation": {"1": doc}},
                before_replace=lambda: kept.append(self._keep_previous(eid)),
            )
        except OSError as exc:
            _discard(kept)
            raise StoreError(
                f"could not save {eid}: {exc.strerror}; nothing was changed (the previous version is intact)"
            ) from None
        if kept and kept[0] is not None:
            self._prune(eid)
        self._indexed(eid, doc, before)  # one small part of the index, however many evaluations there are

    def create(self, make: Callable[[set[str]], Doc]) -> Doc:
        """Store a new evaluation; make(taken_ids) builds it, choosing a free id."""
        with self.locked():
            doc = make(self.ids())
            if _lexists(self.path_of(doc["id"])):
                raise StoreError(f"evaluation {doc['id']!r} exists already; nothing was changed")
            self._write(doc["id"], doc)
            return doc

    def update(self, eid: str, change: Callable[[Doc], Doc]) -> Doc:
        """Lock, re-read, apply change, write: concurrent sessions never lose each other's edits."""
        with self.locked():
            old = self.read(eid)
            new = change(old)
            if new != old:
                self._write(eid, new, old)
            return new

    def put(self, eid: str, doc: Doc) -> None:
        """Store doc as eid's file, new or in place of the one there (what a sync brings in), the
        previous version kept."""
        with self.locked():
            try:
                before: Doc | None = self.read(eid)
            except NotFound:
                before = None
            if doc != before:
                self._write(eid, doc, before)

    def delete(self, eid: str) -> None:
        with self.locked():
            path = self.path_of(eid)
            before = self.read(eid)
            kept: list[Path | None] = []
            try:
                kept.append(self._keep_previous(eid))
                path.unlink()
            except OSError as exc:
                _discard(kept)
                raise StoreError(f"could not delete {eid}: {exc.strerror}; nothing was changed") from None
            try:
                _fsync_dir(path.parent)
            except OSError:
                pass  # deleted; only the sync of the folder entry failed
            self._indexed(eid, None, before)
