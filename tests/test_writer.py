import threading

from kompass_tui.errors import StoreError
from kompass_tui.writer import Writer


def test_jobs_run_in_order_off_the_calling_thread_and_wait_waits():
    done, threads, errors = [], set(), []
    gate = threading.Event()
    writer = Writer(lambda key, exc: errors.append((key, exc)))
    writer.submit("a", gate.wait)
    for n in range(50):
        writer.submit("a" if n % 2 else "b", lambda n=n: (done.append(n), threads.add(threading.get_ident())))
    assert writer.pending("a") and writer.pending("b")
    gate.set()
    writer.wait()
    assert done == list(range(50)) and threading.get_ident() not in threads
    assert not writer.pending("a") and not writer.pending("b") and errors == []


def test_a_failing_job_is_reported_and_the_next_ones_still_run():
    errors, done = [], []
    writer = Writer(lambda key, exc: errors.append((key, str(exc))), lambda key: done.append(key))

    def fail():
        raise StoreError("could not save x: No space left on device")

    writer.submit("x", fail)
    writer.submit("y", lambda: None)
    writer.wait()
    assert errors == [("x", "could not save x: No space left on device")] and done == ["x", "y"]
