"""Batches: many new evaluations stored all or none (an import of thousands of CSV rows), fast
(one sync for the whole batch) and safe against a kill: a journal lists the batch's ids before any
file takes its place, signals are held back while the renames run, and a session that takes the
lock and finds a journal a killed process left rolls that batch back."""

from __future__ import annotations

import json
import os
import signal
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from kompass_tui.errors import KompassError, StoreError
from kompass_tui.store.files import (
    APP,
    ID_RE,
    JOURNAL_PREFIX,
    JOURNAL_SUFFIX,
    TEMP_SUFFIX,
    Doc,
    _encode,
    _fsync_dir,
    _is_journal,
    _lexists,
    _meta,
    _read_own,
    _sync_dir_softly,
    atomic_write,
)
from kompass_tui.store.folder import Folder


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


STEP = 256  # long work says how far it has come every this many evaluations
T = TypeVar("T")


def reported(items: Sequence[T], what: str, progress: Callable[[str, int, int], object]) -> Iterator[T]:
    """items one by one, telling progress(what, done, total) how far they have come every STEP
    items and when all are done."""
    for n, item in enumerate(items):
        if n % STEP == 0:
            progress(what, n, len(items))
        yield item
    progress(what, len(items), len(items))


class Batches(Folder):
    """A database folder that stores batches all or none."""

    def _after_lock(self) -> None:
        super()._after_lock()
        self._roll_back_interrupted_batches()

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
                raise StoreError(
                    f"{path} is damaged: Kompass cannot tell which evaluations of an interrupted "
                    "import to remove; check evaluations/, then remove it"
                ) from None
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
                for eid, doc in reported(list(zip(ids, docs, strict=True)), "storing", self.progress):
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
                    raise StoreError(
                        f"could not store the {len(docs)} evaluations: {exc.strerror}; nothing was changed"
                    ) from None
                raise
            _sync_dir_softly(self.folder)
            self._stored_batch(ids, docs)
            return docs

    def _stored_batch(self, ids: list[str], docs: list[Doc]) -> None:
        """Just after a batch is complete, under the lock (the index adds their rows)."""

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
