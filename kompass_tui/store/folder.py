"""The database folder and its lock: the folder must be the user's own and closed to others
(checked once per session: the folder, evaluations/ and backups/); one lock on `.lock` for every
change, re-entrant in this process, fair between processes (polled with a short backoff), with the
holder's PID in it, a notice after WAIT_NOTICE seconds and a give-up after `wait` seconds."""

from __future__ import annotations

import fcntl
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from stat import S_ISDIR, S_ISLNK

from kompass_tui.errors import NotFound, StoreError, did_you_mean
from kompass_tui.paths import not_private, owner_name
from kompass_tui.store.files import (
    BACKUPS,
    BROKEN_NAME,
    EVALUATIONS,
    ID_RE,
    INDEX_FOLDER,
    INDEX_NAME,
    LOCK_NAME,
    AtomicJSONStorage,
    Doc,
    Fingerprint,
    _BrokenIndex,
    _check_meta,
    _Corrupt,
    _evaluation_of,
    _fingerprint,
    _fsync_dir,
    _header,
    _is_evaluation_file,
    _is_journal,
    _is_temp,
    _kind,
    _lexists,
    _make_dirs,
    _meta,
    _open_own,
    _parse,
    _read_error,
    _read_own,
)
from kompass_tui.store.rowcheck import _index_problem

DEFAULT_WAIT = 30.0  # seconds a change waits for another session's lock before giving up
WAIT_NOTICE = 1.0  # seconds of waiting before on_wait is told


class Folder:
    """One database folder: its checks, its lock, its files by id. Thread-safe; safe to share
    between processes.

    wait: seconds a change waits for another session's lock before giving up (None: forever);
    on_wait(pid): called once when a change has waited WAIT_NOTICE seconds, with the holder's PID
    (None if unknown), so the user is told why nothing happens."""

    def __init__(
        self,
        folder: str | os.PathLike[str],
        summarize: Callable[[Doc], Doc] | None = None,
        wait: float | None = DEFAULT_WAIT,
        on_wait: Callable[[int | None], object] | None = None,
        progress: Callable[[str, int, int], object] | None = None,
    ):
        self.folder = Path(folder)
        self.index_path = self.folder / INDEX_NAME
        self.evaluations = self.folder / EVALUATIONS
        self.backups = self.folder / BACKUPS
        self._summarize = summarize or (lambda doc: {})
        self._summarizes = summarize is not None  # else saves leave the index to the next listing
        self.wait = wait
        self.on_wait = on_wait
        self.progress = progress or (lambda what, done, total: None)  # long work: what, how far, of how much
        self._mutex = threading.RLock()
        self._depth = 0
        self._here = threading.local()  # this thread's locked sections (depth) and what to run after them
        self._lock_fd: int | None = None
        self._cleaned = False
        self._verified = False
        self._index_cache: tuple[Fingerprint, Doc] | None = None  # the index as last parsed, by its fingerprint
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
            raise StoreError(
                f"{self.folder} is a symbolic link made by another user ({owner_name(link.st_uid)}); "
                "Kompass keeps interview notes there: use a folder of your own with --db"
            )
        self._check_folder(self.folder, info)
        for sub in (self.evaluations, self.backups, self.folder / INDEX_FOLDER):
            try:
                info = os.lstat(sub)
            except FileNotFoundError:
                continue
            if S_ISLNK(info.st_mode):
                raise StoreError(
                    f"{sub} is a symbolic link; Kompass does not follow links inside its database: "
                    "remove it, or choose another folder with --db"
                )
            if not S_ISDIR(info.st_mode):
                raise StoreError(
                    f"{sub} is {_kind(info.st_mode)}, not a folder; "
                    "move it out of the way, or choose another folder with --db"
                )
            self._check_folder(sub, info)
        self._owned = True

    @staticmethod
    def _check_folder(folder: Path, info: os.stat_result) -> None:
        problem = not_private(info)
        if problem is not None:
            what, advice = problem
            advice = f"run chmod 700 {folder}" if advice.startswith("run chmod") else advice
            raise StoreError(
                f"{folder} {what}; Kompass keeps interview notes there: {advice}, or choose another folder with --db"
            )

    def exists(self) -> bool:
        """True if the folder is a Kompass database; False if it does not exist yet or is empty.

        A file, a folder with other things in it, a folder others can write to, or a foreign or
        newer index is refused. A folder of evaluations whose index was lost or damaged counts as a
        database: listing rebuilds the index."""
        if self._verified:
            return True
        self._check_folders()
        if self.folder.exists() and not self.folder.is_dir():
            raise StoreError(
                f"{self.folder} is a file; --db and KOMPASS_DB take a database folder (a new or empty one is set up for you)"
            )
        if not self.folder.exists():
            return False
        if not _lexists(self.index_path):
            try:
                names = [p.name for p in self.folder.iterdir()]
            except OSError as exc:
                raise StoreError(f"cannot read {self.folder}: {exc.strerror}") from None
            others = [
                n
                for n in names
                if n not in (LOCK_NAME, EVALUATIONS, BACKUPS, INDEX_FOLDER, BROKEN_NAME)
                and not _is_temp(n)
                and not _is_journal(n)
            ]
            if others:
                raise StoreError(
                    f"{self.folder} is not a Kompass database (it holds other files and no {INDEX_NAME}); "
                    "choose a new or empty folder with --db"
                )
            return EVALUATIONS in names
        try:
            self._index_data(header_only=True)
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

    def _index_data(self, header_only: bool = False) -> Doc | None:
        """The index, None if there is none. Refused (StoreError): another program's file, a newer
        schema, a link, a folder. Damaged (_BrokenIndex) when it is not JSON or its body has the
        wrong shape and the evaluation files are there to rebuild it from; refused if they are not.

        Parsed once per version of the file (kept while its fingerprint stays; callers do not
        change what it returns). header_only: just whose and which schema it is, as the file
        starts (what exists() needs; a listing parses and checks the rest)."""
        cached = self._index_cache
        if cached is not None:
            try:
                if _fingerprint(os.lstat(self.index_path)) == cached[0]:
                    return cached[1]
            except OSError:
                pass
        try:
            raw, info = _read_own(self.index_path)
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise _read_error(self.index_path, exc) from None
        if header_only:
            header = _header(raw)
            if header is not None:
                _check_meta(header, self.index_path, "index")
                return header
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
            raise StoreError(
                f"{self.index_path} is damaged ({problem}); it was left as it is. Move it out of the folder"
            )
        self._index_cache = (_fingerprint(info), data)
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
            raise StoreError(
                f"{self.folder / LOCK_NAME} is also another file (a hard link); remove it, Kompass makes a new one"
            )
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
            self._after_lock()
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
                raise StoreError(
                    f"{who} has held the database for {self.wait:g} s; nothing was changed. "
                    "Try again, or wait longer with --wait SECONDS"
                )
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
        for folder in (self.folder, self.evaluations, self.folder / INDEX_FOLDER):
            if self._is_own_folder(folder):
                for entry in os.scandir(folder):
                    if _is_temp(entry.name):
                        try:
                            os.unlink(entry.path)
                        except FileNotFoundError:
                            pass
        self._cleaned = True

    def ids(self) -> set[str]:
        """The ids of the evaluations stored."""
        self._check_folders()
        if not self._is_own_folder(self.evaluations):
            return set()
        return {name[:-5] for name in os.listdir(self.evaluations) if _is_evaluation_file(name)}

    @staticmethod
    def _is_own_folder(folder: Path) -> bool:
        try:
            return S_ISDIR(os.lstat(folder).st_mode)
        except (FileNotFoundError, NotADirectoryError):
            return False

    def _after_lock(self) -> None:
        """Just after the lock is taken: what a session finds to mend (subclasses add theirs)."""
        if not self._cleaned:
            self._remove_temp_files()

    def _finish_interrupted_batches(self) -> None:
        """Outside the lock, before reading: mend what a killed session left (Batches has some)."""

    # -- evaluation files -----------------------------------------------------------

    def path_of(self, eid: str) -> Path:
        if not ID_RE.fullmatch(eid):
            raise NotFound(
                f"no evaluation {eid!r}; ids look like botkyrka-2003 (see `kompass list`)",
                sv=f"ingen utvärdering {eid!r}; id:n ser ut som botkyrka-2003 (se `kompass list`)",
            )
        return self.evaluations / f"{eid}.json"

    def _not_found(self, eid: str) -> NotFound:
        """Said once, when an id is not there: the listing it takes to guess is no cost then."""
        hint, ledtråd = did_you_mean(eid, sorted(self.ids()))
        hint, ledtråd = hint or " (see `kompass list`)", ledtråd or " (se `kompass list`)"
        return NotFound(
            f"no evaluation {eid!r} in {self.folder}{hint}", sv=f"ingen utvärdering {eid!r} i {self.folder}{ledtråd}"
        )

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


def _holder(fd: int) -> int | None:
    """The PID the holder of the lock wrote into the lock file, None if there is none (yet)."""
    try:
        raw = os.pread(fd, 32, 0).strip()
    except OSError:
        return None
    return int(raw) if raw.isdigit() and 0 < int(raw) < 2**31 else None
