"""The database: a folder with one TinyDB file per evaluation and a small index, safe to share.

    <folder>/kompass.json            index: schema version + one summary row per evaluation
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
  nothing else. The index is a cache for listing: each row carries the fingerprint (inode, times,
  size) of the file it summarises, read through the same descriptor as the data, so a listing tells
  which rows are stale (saved since, or after a crash, or a lost index) and summarises those files
  again, writing the index once. A damaged index (not JSON, or Kompass's with a body of the wrong
  shape) is set aside as kompass.json.broken and rebuilt from the evaluation files.
- Files that are not Kompass databases, or are from a newer schema, are refused with a message and
  never overwritten; so is a folder of other files without an index.
- Before an evaluation file is replaced or deleted, its previous version is kept in backups/ (a
  hard link, so it costs no copy; a private copy where links are not possible), the newest KEEP per
  evaluation, so a delete or a wrong edit can be undone (`kompass restore`).
- A batch (create_many) is all or nothing: a journal lists its ids before any file is placed, and
  a session that takes the lock and finds a journal left by a killed process removes that batch.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import re
import signal
import tempfile
import threading
import time
from contextlib import contextmanager
from decimal import Decimal, InvalidOperation
from pathlib import Path
from stat import S_ISBLK, S_ISCHR, S_ISDIR, S_ISFIFO, S_ISLNK, S_ISREG, S_ISSOCK
from typing import Any, Callable, Iterable, Iterator

from tinydb.storages import Storage

from kompass_tui.errors import InputError, KompassError, NotFound, StoreError
from kompass_tui.paths import not_private, owner_name

SCHEMA = 2  # 2: evaluation documents with evaluators' entries (files of schema 1 are read, and written as 2)
APP = "kompass"
INDEX_NAME = "kompass.json"
EVALUATIONS = "evaluations"
BACKUPS = "backups"
KEEP = 10
LOCK_NAME = ".lock"
TEMP_SUFFIX = ".tmp"
BROKEN_NAME = INDEX_NAME + ".broken"
JOURNAL_PREFIX = ".batch-"
JOURNAL_SUFFIX = ".journal"
DEFAULT_WAIT = 30.0  # seconds a change waits for another session's lock before giving up
WAIT_NOTICE = 1.0  # seconds of waiting before on_wait is told
ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")

Doc = dict[str, Any]


# ---------------------------------------------------------------- atomic files

_NO_DIR_FSYNC = {errno.EINVAL, errno.ENOTSUP, errno.EBADF}


def atomic_write(path: Path, data: bytes, before_replace: Callable[[], object] | None = None) -> None:
    """Write data to path so that a reader or a crash sees either the old file or the new one.
    The new file is created 0600 (mkstemp: O_EXCL, O_NOFOLLOW), so it is never readable by others.

    before_replace runs once the new data is safely on disk, just before it takes the old file's
    place. An OSError means nothing was replaced; once replaced, only a failed sync of the folder
    is reported."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=TEMP_SUFFIX, dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
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


def write_file(target: str | os.PathLike[str], data: bytes) -> bool:
    """Write a file the user named (an export): atomically (a temp file in the same folder, fsync,
    replace), 0600. A target that exists and is not a regular file (a symbolic link, a FIFO, a
    device, a socket, a folder) is refused and left alone. True if an existing file was replaced.
    Every failure is a one-line InputError; nothing was written then."""
    target = Path(target)
    try:
        info: os.stat_result | None = os.lstat(target)
    except FileNotFoundError:
        info = None
    except OSError as exc:
        raise InputError(f"cannot write {target}: {exc.strerror}") from None
    if info is not None and not S_ISREG(info.st_mode):
        raise InputError(f"{target} is {_kind(info.st_mode)}; Kompass writes only regular files: choose another name")
    try:
        atomic_write(target, data)
    except OSError as exc:
        raise InputError(f"cannot write {target}: {exc.strerror}") from None
    return info is not None


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _sync_dir_softly(folder: Path) -> None:
    """fsync a folder where only the durability of a change that is already made is at stake."""
    try:
        _fsync_dir(folder)
    except OSError:
        pass


def _lexists(path: Path) -> bool:
    """Whether there is anything at path, a symbolic link included (never followed)."""
    try:
        os.lstat(path)
    except (FileNotFoundError, NotADirectoryError):
        return False
    return True


def _make_dirs(folder: Path) -> None:
    """Create folder and any missing parents, each missing level 0700 from the start (mkdir's mode,
    only ever narrowed by the umask). Links on the way (a home reached through one) are followed
    as any path is; an entry that exists is never replaced."""
    folder = Path(folder)
    missing = []
    while not _lexists(folder):
        missing.append(folder)
        if folder.parent == folder:
            break
        folder = folder.parent
    for path in reversed(missing):
        try:
            os.mkdir(path, 0o700)
        except FileExistsError:
            if not path.is_dir():
                raise
            continue  # made by another session meanwhile; the caller checks whose it is
        _fsync_dir(path.parent)


def _kind(mode: int) -> str:
    if S_ISLNK(mode):
        return "a symbolic link"
    if S_ISDIR(mode):
        return "a folder"
    if S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if S_ISSOCK(mode):
        return "a socket"
    if S_ISCHR(mode) or S_ISBLK(mode):
        return "a device"
    return "not a regular file"


def _link_error(path: Path) -> StoreError:
    return StoreError(f"{path} is a symbolic link; Kompass does not follow links inside its database: remove it")


def _check_own_file(path: Path, info: os.stat_result) -> None:
    """A regular file of this user, or a one-line StoreError saying what it is instead."""
    if S_ISLNK(info.st_mode):
        raise _link_error(path)
    if S_ISDIR(info.st_mode):
        raise StoreError(f"{path} is a folder, not a Kompass file; it was left as it is")
    if not S_ISREG(info.st_mode):
        raise StoreError(f"{path} is {_kind(info.st_mode)}; Kompass opens only regular files in its database: remove it")
    if info.st_uid != os.geteuid():
        raise StoreError(f"{path} belongs to another user ({owner_name(info.st_uid)}); "
                         "Kompass opens only its own files in its database: move it out of the folder")


def _open_own(path: Path, flags: int = os.O_RDONLY, mode: int = 0o600) -> tuple[int, os.stat_result]:
    """Open a file of the database without following a symbolic link (O_NOFOLLOW), and check on the
    open descriptor that it is a regular file of this user, so nothing can be swapped in between.
    O_NONBLOCK: a FIFO planted there must not hang the open. A refused file is a StoreError; other
    OSErrors (FileNotFoundError among them) pass through for the caller to word."""
    try:
        fd = os.open(path, flags | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, mode)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise _link_error(path) from None
        raise
    try:
        info = os.fstat(fd)
        _check_own_file(path, info)
    except BaseException:
        os.close(fd)
        raise
    return fd, info


def _read_own(path: Path) -> tuple[bytes, os.stat_result]:
    """The bytes of a file of the database and the stat of the very file they came from."""
    fd, info = _open_own(path)
    with os.fdopen(fd, "rb") as handle:
        return handle.read(), info


def _copy_private(source: Path, target: Path) -> None:
    """Copy a file of the database to target, created 0600 from the start and whole or not at all
    (atomic_write). For file systems without hard links."""
    atomic_write(target, _read_own(source)[0])


class _Corrupt(StoreError):
    """A file that is not valid JSON."""


def _parse(raw: bytes, path: Path) -> Doc:
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError) as exc:  # not UTF-8 or not JSON; nested too deeply; an integer of thousands of digits
        where = f" (line {exc.lineno}, column {exc.colno})" if isinstance(exc, json.JSONDecodeError) else ""
        raise _Corrupt(
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


_SURROGATE = re.compile("[\ud800-\udfff]")


def _encode(data: Doc) -> bytes:
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate (read from an older file's \udcff): kept as that escape
        return _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text).encode("utf-8")


class AtomicJSONStorage(Storage):
    """TinyDB storage writing through atomic_write, and never caching: every read is fresh. Reads
    never follow a symbolic link and open only the user's own regular files."""

    def __init__(self, path: str | os.PathLike[str], **_: Any):
        self.path = Path(path)

    def read(self) -> Doc | None:
        try:
            raw, _ = _read_own(self.path)
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise _read_error(self.path, exc) from None
        return _parse(raw, self.path)

    def read_with_stat(self) -> tuple[Doc, os.stat_result]:
        """The data and the stat of the very file it came from (one descriptor, so no race)."""
        try:
            raw, info = _read_own(self.path)
        except FileNotFoundError:
            raise
        except OSError as exc:
            raise _read_error(self.path, exc) from None
        return _parse(raw, self.path), info

    def write(self, data: Doc, before_replace: Callable[[], object] | None = None) -> None:
        atomic_write(self.path, _encode(data), before_replace=before_replace)


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
    return name.endswith(".json") and ID_RE.fullmatch(name[:-5]) is not None


def _fingerprint(stat: os.stat_result) -> list[int]:
    """Changes whenever the file is replaced: a save writes a new file (new inode, new times)."""
    return [stat.st_ino, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_size]


def _is_journal(name: str) -> bool:
    return name.startswith(JOURNAL_PREFIX) and name.endswith(JOURNAL_SUFFIX)


def _is_number(value: object) -> bool:
    """A score or total as the index keeps it: text of a number from 0 to less than 10^15 (sums of what
    points.ordinary allows; a row holding anything else was not written by Kompass)."""
    if not isinstance(value, str) or len(value) > 20:
        return False
    try:
        number = Decimal(value)
    except InvalidOperation:
        return False
    return number.is_finite() and 0 <= number < 10**15


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and abs(value) < 2**63


def _is_areas(value: object) -> bool:
    return isinstance(value, dict) and all(v is None or _is_number(v) for v in value.values())


# The index row: what the listing relies on (id and fingerprint, written here; the summary,
# written by the summarize callback of the workbench). A field of the wrong type means the index
# is damaged, and it is rebuilt from the evaluation files. Fields not named here are not checked.
ROW_FIELDS: dict[str, Callable[[object], bool]] = {
    "id": lambda v: isinstance(v, str) and ID_RE.fullmatch(v) is not None,
    "fp": lambda v: isinstance(v, list) and len(v) == 4 and all(_is_int(n) for n in v),
    "error": lambda v: isinstance(v, str),
    "municipality": lambda v: isinstance(v, str),
    "year": _is_int,
    "framework": lambda v: isinstance(v, str),
    "level": lambda v: isinstance(v, str),
    "created": lambda v: isinstance(v, str),
    "scored": _is_int,
    "count": lambda v: v is None or _is_int(v),
    "total": lambda v: v is None or _is_number(v),
    "maximum": lambda v: v is None or _is_number(v),
    "areas": lambda v: v is None or _is_areas(v),
}


def _index_problem(data: Doc) -> str | None:
    """What is wrong with the body of an index whose meta is Kompass's, or None."""
    rows = data.get("evaluations", {})
    if not isinstance(rows, dict):
        return "'evaluations' is not a table"
    for key, row in rows.items():
        if not isinstance(row, dict):
            return f"row {key} is not a table"
        if "id" not in row:
            return f"row {key} has no id"
        for name, valid in ROW_FIELDS.items():
            if name in row and not valid(row[name]):
                return f"row {key}: field {name!r} holds {repr(row[name])[:40]}"
    return None


class _BrokenIndex(StoreError):
    """The index is damaged (not JSON, or a body of the wrong shape) and the evaluation files are
    there: it is a cache, so it is set aside and rebuilt from them."""


@contextmanager
def _signals_held() -> Iterator[None]:
    """Hold back SIGINT, SIGTERM and SIGHUP on this thread (the main one: where Python runs its
    handlers and where a terminal's signals land), so they take effect only once the block is done."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM, signal.SIGHUP})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


# ---------------------------------------------------------------- the database


class Database:
    """One database folder. Thread-safe; safe to share between processes.

    wait: seconds a change waits for another session's lock before giving up (None: forever);
    on_wait(pid): called once when a change has waited WAIT_NOTICE seconds, with the holder's PID
    (None if unknown), so the user is told why nothing happens."""

    def __init__(self, folder: str | os.PathLike[str], summarize: Callable[[Doc], Doc] | None = None,
                 wait: float | None = DEFAULT_WAIT, on_wait: Callable[[int | None], object] | None = None):
        self.folder = Path(folder)
        self.index_path = self.folder / INDEX_NAME
        self.evaluations = self.folder / EVALUATIONS
        self.backups = self.folder / BACKUPS
        self._summarize = summarize or (lambda doc: {})
        self.wait = wait
        self.on_wait = on_wait
        self._mutex = threading.RLock()
        self._depth = 0
        self._here = threading.local()  # this thread's locked sections (depth) and what to run after them
        self._lock_fd: int | None = None
        self._cleaned = False
        self._verified = False
        self._owned = False

    # -- checks ---------------------------------------------------------------

    def _check_folders(self) -> None:
        """Refuse a database folder, or its evaluations/ or backups/ folder, that another user owns
        or can write to, and sub-folders that are symbolic links. Once per Database, a few stats;
        nothing to check (and nothing cached) while the folder does not exist. Once the folder is
        ours and closed to others, nobody else can put anything into it."""
        if self._owned:
            return
        try:
            info = os.stat(self.folder)  # the top folder may be reached through a link of the user's
        except (FileNotFoundError, NotADirectoryError):
            return
        except OSError as exc:
            raise StoreError(f"cannot read {self.folder}: {exc.strerror}") from None
        if not S_ISDIR(info.st_mode):
            return  # exists() says it is a file
        link = os.lstat(self.folder)
        if S_ISLNK(link.st_mode) and link.st_uid not in (os.geteuid(), 0):
            raise StoreError(f"{self.folder} is a symbolic link made by another user ({owner_name(link.st_uid)}); "
                             "Kompass keeps interview notes there: use a folder of your own with --db")
        self._check_folder(self.folder, info)
        for sub in (self.evaluations, self.backups):
            try:
                info = os.lstat(sub)
            except FileNotFoundError:
                continue
            if S_ISLNK(info.st_mode):
                raise StoreError(f"{sub} is a symbolic link; Kompass does not follow links inside its database: "
                                 "remove it, or choose another folder with --db")
            if not S_ISDIR(info.st_mode):
                raise StoreError(f"{sub} is {_kind(info.st_mode)}, not a folder; "
                                 "move it out of the way, or choose another folder with --db")
            self._check_folder(sub, info)
        self._owned = True

    @staticmethod
    def _check_folder(folder: Path, info: os.stat_result) -> None:
        problem = not_private(info)
        if problem is not None:
            what, advice = problem
            advice = f"run chmod 700 {folder}" if advice.startswith("run chmod") else advice
            raise StoreError(f"{folder} {what}; Kompass keeps interview notes there: {advice}, "
                             "or choose another folder with --db")

    def exists(self) -> bool:
        """True if the folder is a Kompass database; False if it does not exist yet or is empty.

        A file, a folder with other things in it, a folder others can write to, or a foreign or
        newer index is refused. A folder of evaluations whose index was lost or damaged counts as a
        database: listing rebuilds the index."""
        if self._verified:
            return True
        self._check_folders()
        if self.folder.exists() and not self.folder.is_dir():
            raise StoreError(f"{self.folder} is a file; --db and KOMPASS_DB take a database folder (a new or empty one is set up for you)")
        if not self.folder.exists():
            return False
        if not _lexists(self.index_path):
            try:
                names = [p.name for p in self.folder.iterdir()]
            except OSError as exc:
                raise StoreError(f"cannot read {self.folder}: {exc.strerror}") from None
            others = [n for n in names if n not in (LOCK_NAME, EVALUATIONS, BACKUPS, BROKEN_NAME)
                      and not _is_temp(n) and not _is_journal(n)]
            if others:
                raise StoreError(
                    f"{self.folder} is not a Kompass database (it holds other files and no {INDEX_NAME}); "
                    "choose a new or empty folder with --db"
                )
            return EVALUATIONS in names
        try:
            self._index_data()
        except _BrokenIndex:
            pass  # the evaluation files are there: listing rebuilds it
        if getattr(self._here, "depth", 0) == 0:  # (inside the lock, taking it rolls batches back itself)
            self._finish_interrupted_batches()  # no reader sees part of an import a kill cut short
        self._verified = True
        return True

    def _has_evaluations(self) -> bool:
        try:
            return S_ISDIR(os.lstat(self.evaluations).st_mode)
        except (FileNotFoundError, NotADirectoryError):
            return False

    def _index_data(self) -> Doc | None:
        """The index, None if there is none. Refused (StoreError): another program's file, a newer
        schema, a link, a folder. Damaged (_BrokenIndex) when it is not JSON or its body has the
        wrong shape and the evaluation files are there to rebuild it from; refused if they are not."""
        try:
            raw, _ = _read_own(self.index_path)
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise _read_error(self.index_path, exc) from None
        try:
            data = _parse(raw, self.index_path)
        except _Corrupt as exc:
            if self._has_evaluations():
                raise _BrokenIndex(str(exc)) from None
            raise
        _check_meta(data, self.index_path, "index")
        problem = _index_problem(data)
        if problem is not None:
            if self._has_evaluations():
                raise _BrokenIndex(f"{self.index_path} is damaged ({problem})")
            raise StoreError(f"{self.index_path} is damaged ({problem}); it was left as it is. Move it out of the folder")
        return data

    def _read_index_raw(self) -> Doc:
        data = self._index_data()
        if data is None:
            return {"_meta": _meta("index"), "evaluations": {}}
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
        except OSError as exc:
            raise StoreError(f"cannot write to {self.folder}: {exc.strerror}; nothing was changed") from None
        self._check_folders()  # a folder made just now, or by someone else meanwhile
        try:
            fd, info = _open_own(self.folder / LOCK_NAME, os.O_RDWR | os.O_CREAT)
        except OSError as exc:
            raise StoreError(f"cannot write to {self.folder}: {exc.strerror}; nothing was changed") from None
        if info.st_nlink != 1:  # the PID is written into it: never into another file through a hard link
            os.close(fd)
            raise StoreError(f"{self.folder / LOCK_NAME} is also another file (a hard link); remove it, "
                             "Kompass makes a new one")
        try:
            self._wait_for(fd)
        except BaseException:
            os.close(fd)
            raise
        self._lock_fd = fd
        try:
            self._say_who_holds(fd)
            if not _lexists(self.index_path):
                AtomicJSONStorage(self.index_path).write({"_meta": _meta("index"), "evaluations": {}})
            if not _lexists(self.evaluations):
                os.mkdir(self.evaluations, 0o700)
                _fsync_dir(self.folder)
            self._roll_back_interrupted_batches()
            if not self._cleaned:
                self._remove_temp_files()
        except OSError as exc:
            self._release()
            raise StoreError(f"cannot write to {self.folder}: {exc.strerror}; nothing was changed") from None
        except BaseException:
            self._release()
            raise

    def _wait_for(self, fd: int) -> None:
        """Take the lock: at once if it is free; else poll (1 ms, doubling to 10 ms, so no session
        waits long behind a stream of others), tell on_wait after WAIT_NOTICE seconds, and give up
        after self.wait seconds."""
        start, delay, told = time.monotonic(), 0.001, self.on_wait is None
        while not self._try_lock(fd):
            waited = time.monotonic() - start
            if not told and waited >= WAIT_NOTICE:
                told = True
                self.on_wait(_holder(fd))  # type: ignore[misc]
            elif self.wait is not None and waited >= self.wait:
                pid = _holder(fd)
                who = f"another Kompass session (PID {pid})" if pid else "another Kompass session"
                raise StoreError(f"{who} has held the database for {self.wait:g} s; nothing was changed. "
                                 "Try again, or wait longer with --wait SECONDS")
            else:
                time.sleep(delay)
                delay = min(delay * 2, 0.01)

    def _try_lock(self, fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            return False
        except OSError as exc:
            raise StoreError(f"cannot lock {self.folder / LOCK_NAME}: {exc.strerror}; nothing was changed") from None

    @staticmethod
    def _say_who_holds(fd: int) -> None:
        """Write this process's PID into the lock file, for sessions that wait (no fsync: a hint)."""
        try:
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        except OSError:
            pass

    def _release(self) -> None:
        if self._lock_fd is not None:
            fcntl.flock(self._lock_fd, fcntl.LOCK_UN)
            os.close(self._lock_fd)
            self._lock_fd = None

    def _remove_temp_files(self) -> None:
        """Temp files left by a killed writer. Safe under the lock: live writers hold it while theirs exist."""
        for folder in (self.folder, self.evaluations):
            if self._is_own_folder(folder):
                for entry in os.scandir(folder):
                    if _is_temp(entry.name):
                        try:
                            os.unlink(entry.path)
                        except FileNotFoundError:
                            pass
        self._cleaned = True

    @staticmethod
    def _is_own_folder(folder: Path) -> bool:
        try:
            return S_ISDIR(os.lstat(folder).st_mode)
        except (FileNotFoundError, NotADirectoryError):
            return False

    def _journals(self) -> list[str]:
        try:
            return sorted(n for n in os.listdir(self.folder) if _is_journal(n))
        except (FileNotFoundError, NotADirectoryError):
            return []

    def _roll_back_interrupted_batches(self) -> None:
        """Under the lock: a journal here is a batch whose process was killed before it completed
        (a live batch holds the lock). Remove the files it lists, then the journal."""
        journals = self._journals()
        if not journals:
            return
        for name in journals:
            path = self.folder / name
            raw, _ = _read_own(path)
            try:
                data = json.loads(raw)
                ids = data["ids"]
                if data.get("app") != APP or not all(isinstance(i, str) and ID_RE.fullmatch(i) for i in ids):
                    raise ValueError
            except (ValueError, TypeError, KeyError, UnicodeDecodeError):
                raise StoreError(f"{path} is damaged: Kompass cannot tell which evaluations of an interrupted "
                                 "import to remove; check evaluations/, then remove it") from None
            for eid in ids:
                try:
                    os.unlink(self.evaluations / f"{eid}.json")
                except FileNotFoundError:
                    pass
            _sync_dir_softly(self.evaluations)
            os.unlink(path)
            _sync_dir_softly(self.folder)
        self._remove_temp_files()

    def _finish_interrupted_batches(self) -> None:
        """Outside the lock (a listing): if a batch was interrupted, take the lock so it is rolled
        back before anything is listed. Best effort: a read-only folder lists what is there."""
        if self._journals():
            try:
                with self.locked():
                    pass
            except (KompassError, OSError):
                pass

    # -- evaluation files -----------------------------------------------------------

    def path_of(self, eid: str) -> Path:
        if not ID_RE.fullmatch(eid):
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
            data, info = AtomicJSONStorage(path).read_with_stat()
        except FileNotFoundError:
            raise self._not_found(eid) from None
        return _evaluation_of(data, path), info

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
            raise StoreError(f"{folder} is {_kind(info.st_mode)}, not a folder of kept versions; move it out of the way")
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
        return sorted(e.name for e in os.scandir(self.backups) if e.is_dir(follow_symlinks=False) and ID_RE.fullmatch(e.name))

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
            if _lexists(self.path_of(doc["id"])):
                raise StoreError(f"evaluation {doc['id']!r} exists already; nothing was changed")
            self._write(doc["id"], doc)
            return doc

    def create_many(self, make: Callable[[set[str]], list[Doc]]) -> list[Doc]:
        """Store many new evaluations at once, all or none; make(taken_ids) builds them, each with a
        distinct free id. Fast: one sync for the whole batch, not one per file.

        Under the lock: a journal listing the ids is written (atomically) first, then every file as
        a temp file, then one sync, then the renames into place (SIGINT, SIGTERM and SIGHUP held
        back meanwhile), a sync of the folder, and the journal is removed: that is the moment the
        batch is complete. Any failure before it removes what the batch made; a kill before it
        leaves the journal, and the next session that takes the lock removes the batch."""
        with self.locked():
            taken = self.ids()
            docs = list(make(set(taken)))
            ids: list[str] = []
            for doc in docs:
                eid = doc.get("id") if isinstance(doc, dict) else None
                if not isinstance(eid, str) or not ID_RE.fullmatch(eid):
                    raise StoreError(f"cannot store an evaluation with id {eid!r}; nothing was changed")
                if eid in taken or eid in ids or _lexists(self.path_of(eid)):
                    raise StoreError(f"evaluation {eid!r} exists already; nothing was changed")
                ids.append(eid)
            if not docs:
                return []
            journal = self.folder / f"{JOURNAL_PREFIX}{time.time_ns()}{JOURNAL_SUFFIX}"
            temps: dict[str, str] = {}
            placed: list[Path] = []
            begun = False
            try:
                atomic_write(journal, json.dumps({"app": APP, "kind": "batch", "ids": ids}).encode())
                begun = True
                for eid, doc in zip(ids, docs):
                    fd, temps[eid] = tempfile.mkstemp(prefix=f".{eid}.json.", suffix=TEMP_SUFFIX, dir=self.evaluations)
                    with os.fdopen(fd, "wb") as handle:
                        handle.write(_encode({"_meta": _meta("evaluation"), "evaluation": {"1": doc}}))
                os.sync()  # every file on disk, once, before any takes its place
                with _signals_held():
                    for eid in ids:
                        os.replace(temps[eid], self.path_of(eid))
                        placed.append(self.path_of(eid))
                        del temps[eid]
                    _fsync_dir(self.evaluations)
                    os.unlink(journal)  # the batch is complete
            except BaseException as exc:
                if begun and not _lexists(journal):
                    raise  # complete: only what came after failed
                with _signals_held():
                    self._undo_batch(placed, list(temps.values()), journal)
                if isinstance(exc, OSError):
                    raise StoreError(f"could not store the {len(docs)} evaluations: {exc.strerror}; nothing was changed") from None
                raise
            _sync_dir_softly(self.folder)
            return docs

    def _undo_batch(self, placed: list[Path], temps: list[str], journal: Path) -> None:
        """Remove what a failed batch made; the journal last, so a kill meanwhile leaves it to finish."""
        for path in [*placed, *map(Path, temps)]:
            try:
                os.unlink(path)
            except OSError:
                pass
        _sync_dir_softly(self.evaluations)
        try:
            os.unlink(journal)
        except OSError:
            pass
        _sync_dir_softly(self.folder)

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
            return _fingerprint(os.lstat(self.path_of(eid) if eid else self.evaluations))
        except (FileNotFoundError, NotADirectoryError):
            return None

    def index_fingerprint(self) -> list[int] | None:
        try:
            return _fingerprint(os.lstat(self.index_path))
        except (FileNotFoundError, NotADirectoryError):
            return None

    def ids(self) -> set[str]:
        self._check_folders()
        if not self._is_own_folder(self.evaluations):
            return set()
        return {name[:-5] for name in os.listdir(self.evaluations) if _is_evaluation_file(name)}

    # -- index ------------------------------------------------------------------------

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

    def _repair(self, rows: dict[str, Doc], stale: list[str], gone: list[str], found: dict[str, list[int]]) -> dict[str, Doc]:
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


def _holder(fd: int) -> int | None:
    """The PID the holder of the lock wrote into the lock file, None if there is none (yet)."""
    try:
        raw = os.pread(fd, 32, 0).strip()
    except OSError:
        return None
    return int(raw) if raw.isdigit() and 0 < int(raw) < 2**31 else None
