"""A background writer: save jobs run one at a time, in the order given, on a thread of their own,
so a screen never waits for the disk. `wait()` blocks until every job given so far is done (on exit,
before a signal ends the process, in tests)."""

from __future__ import annotations

import queue
import threading
from collections import Counter
from typing import Callable, Hashable

Job = Callable[[], object]


class Writer:
    def __init__(self, on_error: Callable[[Hashable, Exception], None], on_done: Callable[[Hashable], None] | None = None):
        self._jobs: queue.Queue[tuple[Hashable, Job]] = queue.Queue()
        self._pending: Counter[Hashable] = Counter()
        self._lock = threading.RLock()  # re-entrant: a signal handler may submit while the main thread holds it
        self._on_error, self._on_done = on_error, on_done
        self._thread = threading.Thread(target=self._run, name="kompass-writer", daemon=True)
        self._thread.start()

    def submit(self, key: Hashable, job: Job) -> None:
        """Run job after every job submitted before it; key groups jobs (an evaluation id)."""
        with self._lock:
            self._pending[key] += 1
        self._jobs.put((key, job))

    def pending(self, key: Hashable) -> bool:
        """True while a job for key is queued or running."""
        with self._lock:
            return self._pending[key] > 0

    def wait(self) -> None:
        """Block until every job submitted so far has finished."""
        self._jobs.join()

    def _run(self) -> None:
        while True:
            key, job = self._jobs.get()
            try:
                job()
            except Exception as exc:  # noqa: BLE001 - reported, never lost silently
                self._report(self._on_error, key, exc)
            # Done before the lock is taken: a signal handler waiting in wait() on the main thread,
            # which may hold the lock, must not wait on us forever.
            self._jobs.task_done()
            with self._lock:
                self._pending[key] -= 1
                if self._pending[key] <= 0:
                    del self._pending[key]
            if self._on_done is not None:
                self._report(self._on_done, key)

    @staticmethod
    def _report(callback, *args) -> None:
        """Tell the app; a failure there must not end the writer (nothing would be saved after)."""
        try:
            callback(*args)
        except Exception:  # noqa: BLE001
            pass
