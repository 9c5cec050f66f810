"""A background writer: save jobs run one at a time, in the order given, on a thread of their own,
so a screen never waits for the disk. `wait()` blocks until every job given so far is done (on exit,
before a signal ends the process, in tests).

A signal handler on the submitting thread may interrupt `submit` or `pending` at any point and then
submit and wait itself (SIGHUP: finish the saves, then leave). So nothing here takes a lock that the
interrupted code could be holding: the queue is a SimpleQueue (its put is re-entrant), each counter
is written by one thread only, and `wait` puts a barrier job in the queue and waits on its own event.
"""

from __future__ import annotations

import queue
import threading
from collections import Counter
from collections.abc import Callable, Hashable

Job = Callable[[], object]
_BARRIER = object()  # the key of wait()'s job: not a save, not counted, not reported


class Writer:
    def __init__(
        self, on_error: Callable[[Hashable | None, Exception], None], on_done: Callable[[Hashable], None] | None = None
    ):
        """on_error(key, exc): a job of key failed (key None: one of these callbacks failed)."""
        self._jobs: queue.SimpleQueue[tuple[Hashable, Job]] = queue.SimpleQueue()
        self._submitted: Counter[Hashable] = Counter()  # written by the submitting thread only
        self._finished: Counter[Hashable] = Counter()  # written by the writer's thread only
        self._on_error, self._on_done = on_error, on_done
        self.problems: list[Exception] = []  # errors of the callbacks that could not be reported
        self._thread = threading.Thread(target=self._run, name="kompass-writer", daemon=True)
        self._thread.start()

    def submit(self, key: Hashable, job: Job) -> None:
        """Run job after every job submitted before it; key groups jobs (an evaluation id).
        Call from one thread (the app's), or a signal handler on it."""
        self._jobs.put((key, job))  # queued first: a signal handler's wait() after this line waits for it
        self._submitted[key] += 1

    def pending(self, key: Hashable) -> bool:
        """True while a job for key is queued or running."""
        return self._finished[key] < self._submitted[key]

    def wait(self) -> None:
        """Block until every job submitted so far has finished."""
        done = threading.Event()
        self._jobs.put((_BARRIER, done.set))
        done.wait()

    def _run(self) -> None:
        while True:
            key, job = self._jobs.get()
            if key is _BARRIER:
                job()
                continue
            try:
                job()
            except Exception as exc:
                self._report(self._on_error, key, exc)
            self._finished[key] += 1
            if self._on_done is not None:
                self._report(self._on_done, key)

    def _report(self, callback: Callable[..., object], *args: object) -> None:
        """Tell the app. A failure there must not end the writer (nothing would be saved after), nor
        go unsaid: it goes to on_error (key None), and if that fails too, to `problems`, which the
        app prints when it ends."""
        try:
            callback(*args)
        except Exception as exc:
            if callback is self._on_error:
                self.problems.append(exc)
                return
            try:
                self._on_error(None, exc)
            except Exception as again:
                self.problems.extend([exc, again])
