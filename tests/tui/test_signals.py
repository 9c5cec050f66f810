"""The real app in a pseudo-terminal: what was typed survives a closed terminal (SIGHUP), SIGTERM
and ctrl+c. Waits are on the app's own output, with a deadline, never on the clock alone."""

import fcntl
import os
import pty
import select
import signal
import struct
import subprocess
import sys
import termios
import time

import pytest

from kompass_tui.service import Workbench

DEADLINE = 30.0


class Terminal:
    def __init__(self, db, eid: str):
        pid, fd = pty.fork()
        if pid == 0:  # the child: the app, as a user starts it
            os.environ.update({"KOMPASS_LANG": "en", "TERM": "xterm-256color", "KOMPASS_AS": "Anna"})
            os.execvp(sys.executable, [sys.executable, "-m", "kompass_tui", "--db", str(db), "open", eid])
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
        self.pid, self.fd, self.seen = pid, fd, b""

    def wait_for(self, text: str) -> None:
        end = time.monotonic() + DEADLINE
        while text.encode() not in self.seen:
            ready, _, _ = select.select([self.fd], [], [], max(0.0, end - time.monotonic()))
            assert ready, f"the app never showed {text!r}"
            try:
                self.seen += os.read(self.fd, 65536)
            except OSError:
                raise AssertionError(f"the app ended before showing {text!r}") from None

    def type(self, keys: str) -> None:
        os.write(self.fd, keys.encode())

    def close(self) -> None:
        os.close(self.fd)
        self.fd = None

    def exit_status(self) -> int:
        """Wait (bounded) for the app to end, draining its output so it is never blocked writing."""
        end = time.monotonic() + DEADLINE
        while time.monotonic() < end:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                return status
            if self.fd is None:
                time.sleep(0.02)
                continue
            if select.select([self.fd], [], [], 0.05)[0]:
                try:
                    self.seen += os.read(self.fd, 65536)
                except OSError:
                    pass
        os.kill(self.pid, signal.SIGKILL)
        raise AssertionError(f"the app did not exit; its last output: {self.seen[-400:]!r}")


@pytest.mark.parametrize("ending", ["closed terminal (SIGHUP)", "SIGTERM", "ctrl+c"])
def test_text_typed_just_before_the_end_is_saved(demo, ending):
    demo.create("Nacka", 2010)
    term = Terminal(demo.folder, "nacka-2010")
    term.wait_for("Sub-question")
    term.type("12\r")  # a score, saved on enter
    term.wait_for("Sub-question 2 of 37")
    term.type("iwn")  # two evidence toggles, then into the note
    term.type("typed at the last second")
    term.wait_for("second")
    if ending == "SIGTERM":
        os.kill(term.pid, signal.SIGTERM)
    elif ending == "ctrl+c":
        term.type("\x03")
    else:
        term.close()  # the terminal goes away: the kernel sends SIGHUP to the app
    status = term.exit_status()
    if term.fd is not None:
        term.close()
    ev = Workbench(demo.folder).get("nacka-2010")
    assert ev.answer("1.1").entry("Anna").score == 12
    assert ev.answer("1.2").entry("Anna").note == "typed at the last second", (status, term.seen[-400:])
    assert ev.answer("1.2").entry("Anna").sources == ("interview", "website")


HANGUP_INSIDE_THE_LOCK = """
import os, signal, sys
from decimal import Decimal
from kompass_tui.store import files as store
from kompass_tui.tui.app import KompassApp
from kompass_tui.service import Workbench
bench = Workbench(sys.argv[1])
app = KompassApp(bench, "en", evaluator="Anna")
signal.signal(signal.SIGHUP, app.on_signal)  # as run() installs it
write = store.atomic_write
def hang_up_while_locked(path, data, before_replace=None, durable=True):
    if path.parent.name == "index":  # this thread writes the saved row into the index, inside the lock
        app.writer.submit("botkyrka-2003", lambda: bench.note("botkyrka-2003", "1.1", "typed", by="Anna"))
        os.kill(os.getpid(), signal.SIGHUP)  # the terminal closes now
    return write(path, data, before_replace, durable)
store.atomic_write = hang_up_while_locked
bench.score("botkyrka-2003", "1.1", Decimal("30"), by="Anna")
"""


def test_a_closed_terminal_while_this_thread_holds_the_lock_still_saves_and_ends(demo):
    """The handler must not wait for the writer while the thread it interrupted holds the lock the
    writer needs: it finishes that section first, then saves and leaves (and frees the lock)."""
    child = subprocess.run(
        [sys.executable, "-c", HANGUP_INSIDE_THE_LOCK, str(demo.folder)], capture_output=True, text=True, timeout=60
    )
    assert child.returncode == 128 + signal.SIGHUP, child.stderr[-500:]
    assert Workbench(demo.folder).get("botkyrka-2003").answer("1.1").entry("Anna").note == "typed"
