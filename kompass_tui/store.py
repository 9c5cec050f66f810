"""The database: a folder with one TinyDB file per evaluation and a small index, safe to share.

    <folder>/kompass.json            index: schema version + one summary row per evaluation
    <folder>/evaluations/<id>.json   one TinyDB file per evaluation
    <folder>/.lock                   the lock file (never the data files: a replace swaps those)
    <folder>/backups/<id>/<time>.json the previous versions of each evaluation, deleted ones included

Guarantees:
- A write never leaves a half-written file: temp file in the same folder, flush, fsync, replace,
  fsync the folder. Temp files orphaned by a kill are removed under the lock.
- Two sessions never lose each other's changes: every change takes the folder lock (blocking
  `fcntl.flock`, fair between processes), re-reads the file, applies the edit, writes.
- Save cost does not grow with the number of evaluations: a save rewrites one evaluation file and
  nothing else. The index is a cache for listing: each row carries the fingerprint (inode, times,
  size) of the file it summarises, read through the same descriptor as the data, so a listing tells
  which rows are stale (saved since, or after a crash, or a lost index) and summarises those files
  again, writing the index once.
- Files that are not Kompass databases, are corrupt, or are from a newer schema are refused with a
  message and never overwritten. New files and folders are readable by their owner only.
- Before an evaluation file is replaced or deleted, its previous version is kept in backups/ (a
  hard link, so it costs no copy), the newest KEEP per evaluation, so a delete or a wrong edit can
  be undone (`kompass restore`).
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import re
import shutil
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from tinydb.storages import Storage

from kompass_tui.errors import KompassError, NotFound, StoreError

SCHEMA = 2  # 2: evaluation documents with evaluators' entries (files of schema 1 are read, and written as 2)
APP = "kompass"
INDEX_NAME = "kompass.json"
EVALUATIONS = "evaluations"
BACKUPS = "backups"
KEEP = 10
LOCK_NAME = ".lock"
TEMP_SUFFIX = ".tmp"
ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")

Doc = dict[str, Any]


# ---------------------------------------------------------------- atomic files

_NO_DIR_FSYNC = {errno.EINVAL, errno.ENOTSUP, errno.EBADF}


def atomic_write(path: Path, data: bytes, before_replace: Callable[[], object] | None = None) -> None:
    """Write data to path so that a reader or a crash sees either the old file or the new one.

    before_replace runs once the new data is safely on disk, just before it takes the old file's
    place. An OSError means nothing was replaced; once replaced, only a failed sync of the folder
    is reported."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=TEMP_SUFFIX, dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o600)  # owner only, whatever the umask
        if before_replace is not None:
            before_replace()
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    try:
        _fsync_dir(path.parent)
    except OSError as exc:
        if exc.errno not in _NO_DIR_FSYNC:
            raise StoreError(f"{path} was written, but its folder could not be synced to disk ({exc.strerror}); check the disk") from None


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _make_dirs(folder: Path) -> None:
    """Create folder and any missing parents, readable by the owner only."""
    missing = []
    while not folder.exists():
        missing.append(folder)
        folder = folder.parent
    for path in reversed(missing):
        path.mkdir(mode=0o700)
        _fsync_dir(path.parent)


def _parse(raw: bytes, path: Path) -> Doc:
    try:
        data = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        where = f" (line {exc.lineno}, column {exc.colno})" if isinstance(exc, json.JSONDecodeError) else ""
        raise StoreError(
            f"{path} is corrupt: not valid JSON{where}; it was left as it is. "
            "Restore it from a backup, or move it out of the folder"
        ) from None
    if not isinstance(data, dict):
        raise StoreError(f"{path} is not a Kompass file (expected a JSON object); it was left as it is")
    return data


def _read_error(path: Path, exc: OSError) -> StoreError:
    if isinstance(exc, IsADirectoryError):
        return StoreError(f"{path} is a folder, not a Kompass file; it was left as it is")
    return StoreError(f"cannot read {path}: {exc.strerror}")


class AtomicJSONStorage(Storage):
    """TinyDB storage writing through atomic_write, and never caching: every read is fresh."""

    def __init__(self, path: str | os.PathLike[str], **_: Any):
        self.path = Path(path)

    def read(self) -> Doc | None:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise _read_error(self.path, exc) from None
        return _parse(raw, self.path)

    def read_with_stat(self) -> tuple[Doc, os.stat_result]:
        """The data and the stat of the very file it came from (one descriptor, so no race)."""
        try:
            fd = os.open(self.path, os.O_RDONLY)
        except FileNotFoundError:
            raise
        except OSError as exc:
            raise _read_error(self.path, exc) from None
        with os.fdopen(fd, "rb") as handle:
            stat = os.fstat(handle.fileno())
            raw = handle.read()
        return _parse(raw, self.path), stat

    def write(self, data: Doc, before_replace: Callable[[], object] | None = None) -> None:
        atomic_write(self.path, json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8"),
                     before_replace=before_replace)


def _meta(kind: str) -> Doc:
    return {"1": {"app": APP, "kind": kind, "schema": SCHEMA}}


def _check_meta(data: Doc, path: Path, kind: str) -> None:
    meta = data.get("_meta")
    first = next(iter(meta.values()), None) if isinstance(meta, dict) and meta else None
    if not isinstance(first, dict) or first.get("app") != APP:
        raise StoreError(f"{path} is not a Kompass database file (another program's data?); it was left as it is")
    schema = first.get("schema")
    if not isinstance(schema, int) or schema > SCHEMA:
        raise StoreError(
            f"{path} was written by a newer Kompass (schema {schema!r}; this version reads up to {SCHEMA}); "
            "upgrade Kompass to open it. It was left as it is"
        )
    if first.get("kind") != kind:
        raise StoreError(f"{path} is a Kompass {first.get('kind')!r} file, not {kind!r}; it was left as it is")


def _evaluation_of(data: Doc, path: Path) -> Doc:
    _check_meta(data, path, "evaluation")
    doc = (data.get("evaluation") or {}).get("1")
    if not isinstance(doc, dict):
        raise StoreError(f"{path} holds no evaluation; it was left as it is")
    return doc


def _discard(paths: list[Path | None]) -> None:
    """Remove backups made for a change that then failed, so a failure leaves no trace."""
    for path in paths:
        if path is not None:
            try:
                path.unlink()
            except OSError:
                pass


def _is_temp(name: str) -> bool:
    return name.startswith(".") and name.endswith(TEMP_SUFFIX)


def _is_evaluation_file(name: str) -> bool:
    """<id>.json; anything else in evaluations/ (a copy someone made by hand, say) is left alone."""
    return name.endswith(".json") and ID_RE.match(name[:-5]) is not None


def _fingerprint(stat: os.stat_result) -> list[int]:
    """Changes whenever the file is replaced: a save writes a new file (new inode, new times)."""
    return [stat.st_ino, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_size]


# ---------------------------------------------------------------- the database


class Database:
    """One database folder. Thread-safe; safe to share between processes."""

    def __init__(self, folder: str | os.PathLike[str], summarize: Callable[[Doc], Doc] | None = None):
        self.folder = Path(folder)
        self.index_path = self.folder / INDEX_NAME
        self.evaluations = self.folder / EVALUATIONS
        self.backups = self.folder / BACKUPS
        self._summarize = summarize or (lambda doc: {})
        self._mutex = threading.RLock()
        self._depth = 0
        self._here = threading.local()  # this thread's locked sections (depth) and what to run after them
        self._lock_fd: int | None = None
        self._cleaned = False
        self._verified = False

    # -- checks ---------------------------------------------------------------

    def exists(self) -> bool:
        """True if the folder is a Kompass database; False if it does not exist yet or is empty.

        A file, a folder with other things in it, or a foreign/corrupt/newer index is refused.
        A folder of evaluations whose index was lost counts as a database: listing rebuilds it."""
        if self._verified:
            return True
        if self.folder.exists() and not self.folder.is_dir():
            raise StoreError(f"{self.folder} is a file; --db and KOMPASS_DB take a database folder (a new or empty one is set up for you)")
        if not self.folder.exists():
            return False
        if not self.index_path.exists():
            try:
                names = [p.name for p in self.folder.iterdir()]
            except OSError as exc:
                raise StoreError(f"cannot read {self.folder}: {exc.strerror}") from None
            others = [n for n in names if n not in (LOCK_NAME, EVALUATIONS, BACKUPS) and not _is_temp(n)]
            if others or (EVALUATIONS in names and not self.evaluations.is_dir()):
                raise StoreError(
                    f"{self.folder} is not a Kompass database (it holds other files and no {INDEX_NAME}); "
                    "choose a new or empty folder with --db"
                )
            return EVALUATIONS in names
        self._read_index_raw()
        self._verified = True
        return True

    def _read_index_raw(self) -> Doc:
        data = AtomicJSONStorage(self.index_path).read()
        if data is None:
            return {"_meta": _meta("index"), "evaluations": {}}
        _check_meta(data, self.index_path, "index")
        return data

    # -- lock -------------------------------------------------------------------

    @contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the database lock (re-entrant in this process). Creates the folder if needed."""
        here = self._here
        here.depth = getattr(here, "depth", 0) + 1  # before the mutex: a signal handler here must see it
        try:
            with self._mutex:
                if self._depth == 0:
                    self._acquire()
                self._depth += 1
                try:
                    yield
                finally:
                    self._depth -= 1
                    if self._depth == 0:
                        self._release()
        finally:
            here.depth -= 1
            if here.depth == 0 and getattr(here, "then", None) is not None:
                then, here.then = here.then, None
                then()

    def when_free(self, callback: Callable[[], object]) -> None:
        """Run callback on this thread once it is out of its locked section: now if it is in none.
        For a signal handler that must wait for other threads' saves: if it interrupted this thread
        inside the lock, waiting there would wait forever."""
        if getattr(self._here, "depth", 0) > 0:
            self._here.then = callback
        else:
            callback()

    def _acquire(self) -> None:
        self.exists()
        try:
            _make_dirs(self.folder)
            fd = os.open(self.folder / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as exc:
            raise StoreError(f"cannot write to {self.folder}: {exc.strerror}; nothing was changed") from None
        fcntl.flock(fd, fcntl.LOCK_EX)
        self._lock_fd = fd
        try:
            if not self.index_path.exists():
                AtomicJSONStorage(self.index_path).write({"_meta": _meta("index"), "evaluations": {}})
            if not self.evaluations.is_dir():
                self.evaluations.mkdir(mode=0o700)
                _fsync_dir(self.folder)
            if not self._cleaned:
                self._remove_temp_files()
        except OSError as exc:
            self._release()
            raise StoreError(f"cannot write to {self.folder}: {exc.strerror}; nothing was changed") from None
        except BaseException:
            self._release()
            raise

    def _release(self) -> None:
        if self._lock_fd is not None:
            fcntl.flock(self._lock_fd, fcntl.LOCK_UN)
            os.close(self._lock_fd)
            self._lock_fd = None

    def _remove_temp_files(self) -> None:
        """Temp files left by a killed writer. Safe under the lock: live writers hold it while theirs exist."""
        for folder in (self.folder, self.evaluations):
            if folder.is_dir():
                for entry in os.scandir(folder):
                    if _is_temp(entry.name):
                        try:
                            os.unlink(entry.path)
                        except FileNotFoundError:
                            pass
        self._cleaned = True

    # -- evaluation files -----------------------------------------------------------

    def path_of(self, eid: str) -> Path:
        if not ID_RE.match(eid):
            raise NotFound(f"no evaluation {eid!r}; ids look like botkyrka-2003 (see `kompass list`)")
        return self.evaluations / f"{eid}.json"

    def _not_found(self, eid: str) -> NotFound:
        return NotFound(f"no evaluation {eid!r} in {self.folder} (see `kompass list`)")

    def read(self, eid: str) -> Doc:
        """The stored evaluation document; NotFound if there is none."""
        path = self.path_of(eid)
        data = AtomicJSONStorage(path).read() if self.exists() else None
        if data is None:
            raise self._not_found(eid)
        return _evaluation_of(data, path)

    def _read_with_stat(self, eid: str) -> tuple[Doc, os.stat_result]:
        path = self.path_of(eid)
        try:
            data, stat = AtomicJSONStorage(path).read_with_stat()
        except FileNotFoundError:
            raise self._not_found(eid) from None
        return _evaluation_of(data, path), stat

    def _keep_previous(self, eid: str) -> Path | None:
        """Keep the current version of an evaluation file in backups/ before it is replaced or
        deleted; returns the kept copy, so a failed change can take it back."""
        path = self.path_of(eid)
        if not path.exists():
            return None
        folder = self.backups / eid
        _make_dirs(folder)
        target = folder / f"{time.time_ns()}.json"
        try:
            os.link(path, target)
        except OSError:
            shutil.copy2(path, target)  # a file system without hard links
        return target

    def _prune(self, eid: str) -> None:
        for old in sorted((self.backups / eid).glob("*.json"), key=lambda p: int(p.stem))[:-KEEP]:
            old.unlink()

    def versions(self, eid: str) -> list[tuple[int, Doc]]:
        """The kept versions of an evaluation, newest first, as (time in ns, document)."""
        folder = self.backups / self.path_of(eid).stem
        found = []
        for path in sorted(folder.glob("*.json"), key=lambda p: int(p.stem), reverse=True) if folder.is_dir() else ():
            data = AtomicJSONStorage(path).read()
            if data is not None:
                found.append((int(path.stem), _evaluation_of(data, path)))
        return found

    def backed_up(self) -> list[str]:
        """Ids with kept versions (deleted evaluations among them)."""
        return sorted(p.name for p in self.backups.iterdir() if p.is_dir()) if self.backups.is_dir() else []

    def restore(self, eid: str, number: int = 1) -> Doc:
        """Make kept version `number` (1 = newest) current again; the version it replaces is kept too."""
        with self.locked():
            versions = self.versions(eid)
            if not versions:
                raise NotFound(f"no kept versions of {eid!r} (see `kompass restore --list`)")
            if not 1 <= number <= len(versions):
                raise NotFound(f"{eid} has versions 1 to {len(versions)}; see `kompass restore {eid} --list`")
            doc = versions[number - 1][1]
            self._write(eid, doc)
            return doc

    def _write(self, eid: str, doc: Doc) -> None:
        path = self.path_of(eid)
        kept: list[Path | None] = []
        try:
            AtomicJSONStorage(path).write({"_meta": _meta("evaluation"), "evaluation": {"1": doc}},
                                          before_replace=lambda: kept.append(self._keep_previous(eid)))
        except OSError as exc:
            _discard(kept)
            raise StoreError(f"could not save {eid}: {exc.strerror}; nothing was changed (the previous version is intact)") from None
        if kept and kept[0] is not None:
            self._prune(eid)
        # The index is not touched: its row for eid no longer matches the file's fingerprint, so the
        # next listing summarises this one evaluation again. A save stays one small file, however
        # many evaluations the database holds.

    def create(self, make: Callable[[set[str]], Doc]) -> Doc:
        """Store a new evaluation; make(taken_ids) builds it, choosing a free id."""
        with self.locked():
            doc = make(self.ids())
            if self.path_of(doc["id"]).exists():
                raise StoreError(f"evaluation {doc['id']!r} exists already; nothing was changed")
            self._write(doc["id"], doc)
            return doc

    def update(self, eid: str, change: Callable[[Doc], Doc]) -> Doc:
        """Lock, re-read, apply change, write: concurrent sessions never lose each other's edits."""
        with self.locked():
            old = self.read(eid)
            new = change(old)
            if new != old:
                self._write(eid, new)
            return new

    def delete(self, eid: str) -> None:
        with self.locked():
            path = self.path_of(eid)
            self.read(eid)
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

    def fingerprint(self, eid: str | None = None) -> list[int] | None:
        """Changes whenever the evaluation (or, without an id, any evaluation) is saved, created or deleted."""
        try:
            return _fingerprint((self.path_of(eid) if eid else self.evaluations).stat())
        except (FileNotFoundError, NotADirectoryError):
            return None

    def index_fingerprint(self) -> list[int] | None:
        try:
            return _fingerprint(self.index_path.stat())
        except (FileNotFoundError, NotADirectoryError):
            return None

    def ids(self) -> set[str]:
        if not self.evaluations.is_dir():
            return set()
        return {name[:-5] for name in os.listdir(self.evaluations) if _is_evaluation_file(name)}

    # -- index ------------------------------------------------------------------------

    def _row(self, eid: str, doc: Doc, stat: os.stat_result) -> Doc:
        return {**self._summarize(doc), "id": eid, "fp": _fingerprint(stat)}

    def _index_rows(self) -> dict[str, Doc]:
        rows = self._read_index_raw().get("evaluations", {})
        return {row["id"]: row for row in rows.values() if isinstance(row, dict) and isinstance(row.get("id"), str)}

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
        rows = self._index_rows()
        found: dict[str, list[int]] = {}
        temp_seen = False
        for entry in os.scandir(self.evaluations) if self.evaluations.is_dir() else ():
            if _is_temp(entry.name):
                temp_seen = True
            elif _is_evaluation_file(entry.name):
                try:
                    found[entry.name[:-5]] = _fingerprint(entry.stat())
                except FileNotFoundError:
                    continue  # deleted by another session while we looked
        refresh = set(refresh)
        stale = [eid for eid, fp in found.items() if rows.get(eid, {}).get("fp") != fp or eid in refresh]
        gone = [eid for eid in rows if eid not in found]
        if stale or gone or temp_seen or not self.index_path.exists():
            rows = self._repair(rows, stale, gone, found)
        return [rows[eid] for eid in sorted(rows)]

    def _repair(self, rows: dict[str, Doc], stale: list[str], gone: list[str], found: dict[str, list[int]]) -> dict[str, Doc]:
        fresh: dict[str, Doc] = {}
        for eid in stale:
            try:
                doc, stat = self._read_with_stat(eid)
                fresh[eid] = self._row(eid, doc, stat)
            except NotFound:
                gone.append(eid)
            except KompassError as exc:
                fresh[eid] = {"id": eid, "error": str(exc), "fp": found[eid]}
        listed = {eid: row for eid, row in {**rows, **fresh}.items() if eid not in gone}

        def merge(current: dict[str, Doc]) -> None:
            for eid in gone:
                if not self.path_of(eid).exists():
                    current.pop(eid, None)
            for eid, row in fresh.items():
                try:
                    if _fingerprint(self.path_of(eid).stat()) == row["fp"]:
                        current[eid] = row  # only if no session saved it meanwhile
                except FileNotFoundError:
                    current.pop(eid, None)
            self._remove_temp_files()

        self._index_soft(merge)  # a read-only database: list what the files say, without fixing it
        return listed
