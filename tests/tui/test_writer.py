import subprocess
import sys
import threading

from kompass_tui.errors import StoreError
from kompass_tui.tui.writer import Writer


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


def test_a_failing_report_is_reported_too_and_saving_goes_on():
    errors, saved = [], []

    def done(key):
        raise RuntimeError(f"the screen was gone when {key} was saved")

    writer = Writer(lambda key, exc: errors.append((key, str(exc))), done)
    writer.submit("x", lambda: saved.append("x"))
    writer.wait()
    assert saved == ["x"] and errors == [(None, "the screen was gone when x was saved")] and writer.problems == []

    def broken(key, exc):
        raise RuntimeError("no one to tell")

    writer = Writer(broken, done)
    writer.submit("y", lambda: saved.append("y"))
    writer.submit("z", lambda: saved.append("z"))
    writer.wait()
    assert saved == ["x", "y", "z"] and [str(p) for p in writer.problems][:2] == [
        "the screen was gone when y was saved",
        "no one to tell",
    ]


SIGNAL_ON_SUBMITTER = """
import random, signal
from kompass_tui.tui.writer import Writer
writer, hits = Writer(lambda key, exc: None), []
def on_signal(signum, frame):  # like the app's SIGHUP handler: save, wait, (then leave)
    writer.submit("eid", lambda: None)
    writer.wait()
    hits.append(1)
    if len(hits) < 300:
        signal.setitimer(signal.ITIMER_REAL, random.uniform(0.0001, 0.001))
signal.signal(signal.SIGALRM, on_signal)
signal.setitimer(signal.ITIMER_REAL, 0.0005)
while len(hits) < 300:  # the app's thread, submitting and asking, interrupted anywhere
    writer.submit("eid", lambda: None)
    writer.pending("eid")
writer.wait()
print(len(hits), writer.pending("eid"))
"""


def test_a_signal_handler_can_submit_and_wait_wherever_it_interrupts_the_submitting_thread():
    """300 signals land inside submit/pending at random points; none may deadlock (the old writer's
    queue lock did, within a few hundred). Run in a child so a deadlock is a failure, not a hang."""
    result = subprocess.run([sys.executable, "-c", SIGNAL_ON_SUBMITTER], capture_output=True, text=True, timeout=60)
    assert (result.returncode, result.stdout.split()) == (0, ["300", "False"]), result.stderr[-500:]
