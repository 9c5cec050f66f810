"""The files of a database folder: written atomically, opened only if they are the user's own
regular files (never through a link), their JSON form (the meta every file carries, an index row's
shape). Module functions; the folder and its lock are folder.py's.

A write never leaves a half-written file: a temp file in the same folder (created 0600 by mkstemp:
O_EXCL, O_NOFOLLOW), flushed, fsynced, then it replaces the old one, and the folder is fsynced.
"""

from __future__ import annotations

import errno
import json
import os
import re
import tempfile
from collections.abc import Callable
from pathlib import Path
from stat import S_ISBLK, S_ISCHR, S_ISDIR, S_ISFIFO, S_ISLNK, S_ISREG, S_ISSOCK
from typing import Any

from kompass_tui.errors import InputError, StoreError
from kompass_tui.paths import owner_name

SCHEMA = 2  # 2: evaluation documents with evaluators' entries (files of schema 1 are read, and written as 2)
APP = "kompass"
INDEX_NAME = "kompass.json"
INDEX_FOLDER = "index"  # the index's parts (store/index.py)
EVALUATIONS = "evaluations"
BACKUPS = "backups"
LOCK_NAME = ".lock"
TEMP_SUFFIX = ".tmp"
BROKEN_NAME = INDEX_NAME + ".broken"
JOURNAL_PREFIX = ".batch-"
JOURNAL_SUFFIX = ".journal"
ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
Doc = dict[str, Any]
Fingerprint = list[int]  # inode, times and size: changes whenever a file is replaced


_NO_DIR_FSYNC = {errno.EINVAL, errno.ENOTSUP, errno.EBADF}


def atomic_write(
    path: Path, data: bytes, before_replace: Callable[[], object] | None = None, durable: bool = True
) -> None:
    """Write data to path so that a reader or a crash sees either the old file or the new one.
    The new file is created 0600 (mkstemp: O_EXCL, O_NOFOLLOW), so it is never readable by others.

    before_replace runs once the new data is safely on disk, just before it takes the old file's
    place. An OSError means nothing was replaced; once replaced, only a failed sync of the folder
    is reported. durable=False (a cache, rebuilt if a power cut leaves it empty): no fsync, so a
    process sees the old file or the new one, but the disk may keep neither."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=TEMP_SUFFIX, dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            if durable:
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
    if not durable:
        return
    try:
        _fsync_dir(path.parent)
    except OSError as exc:
        if exc.errno not in _NO_DIR_FSYNC:
            raise StoreError(
                f"{path} was written, but its folder could not be synced to disk ({exc.strerror}); check the disk"
            ) from None


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
        raise StoreError(
            f"{path} is {_kind(info.st_mode)}; Kompass opens only regular files in its database: remove it"
        )
    if info.st_uid != os.geteuid():
        raise StoreError(
            f"{path} belongs to another user ({owner_name(info.st_uid)}); "
            "Kompass opens only its own files in its database: move it out of the folder"
        )


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
    except (
        ValueError,
        RecursionError,
    ) as exc:  # not UTF-8 or not JSON; nested too deeply; an integer of thousands of digits
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


class AtomicJSONStorage:
    """TinyDB storage writing through atomic_write, and never caching: every read is fresh. Reads
    never follow a symbolic link and open only the user's own regular files. (TinyDB takes it as
    storage=AtomicJSONStorage, as a test shows; it does not subclass tinydb's Storage, whose import
    would cost the app's first frame 2.5 ms for a base class with nothing in it.)"""

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

    def write(self, data: Doc, before_replace: Callable[[], object] | None = None, durable: bool = True) -> None:
        atomic_write(self.path, _encode(data), before_replace=before_replace, durable=durable)


_HEADER_START = b'{"_meta":'


def _header(raw: bytes) -> Doc | None:
    """{"_meta": …} of a file Kompass wrote (its meta comes first), read without parsing the rest;
    None if the file does not start that way (then it is parsed whole)."""
    if not raw.startswith(_HEADER_START):
        return None
    try:
        meta, _ = json.JSONDecoder().raw_decode(raw[: 64 * 1024].decode("utf-8", "ignore"), len(_HEADER_START))
    except ValueError:
        return None
    return {"_meta": meta} if isinstance(meta, dict) else None


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


def evaluation_bytes(doc: Doc) -> bytes:
    """An evaluation file's bytes exactly as the database writes them (a sync commits these)."""
    return _encode({"_meta": _meta("evaluation"), "evaluation": {"1": doc}})


def evaluation_from_bytes(raw: bytes, where: str) -> Doc:
    """The evaluation document in an evaluation file's bytes (from git, say); StoreError naming
    where if they are not one."""
    return _evaluation_of(_parse(raw, Path(where)), Path(where))


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


def _fingerprint(stat: os.stat_result) -> Fingerprint:
    """Changes whenever the file is replaced: a save writes a new file (new inode, new times)."""
    return [stat.st_ino, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_size]


def _is_journal(name: str) -> bool:
    return name.startswith(JOURNAL_PREFIX) and name.endswith(JOURNAL_SUFFIX)


class _BrokenIndex(StoreError):
    """The index is damaged (not JSON, or a body of the wrong shape) and the evaluation files are
    there: it is a cache, so it is set aside and rebuilt from them."""
